`resetall
`timescale 1ns / 1ps
`default_nettype none

// The pick at the end of tg_add3's split carry chain: the upper bits as
// summed for a carry in of 1 where the lower half carries out, else for 0.
// One LUT3 a bit, in a hierarchy level of its own: inline, ABC sees the
// chains' ends arrive with everything else and folds the pick into the
// logic behind, two or three LUT levels deep where one would do.
(* keep_hierarchy *)
module tg_carry_select #
(
    parameter integer W = 32
)
(
    input  wire         c,                // the lower half's carry out
    input  wire [W-1:0] s0,               // the upper bits for a carry in of 0
    input  wire [W-1:0] s1,               // ...and of 1
    output wire [W-1:0] s
);

assign s = c ? s1 : s0;

endmodule

`resetall
