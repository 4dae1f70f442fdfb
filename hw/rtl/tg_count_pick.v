`resetall
`timescale 1ns / 1ps
`default_nettype none

// tg_risk's share-count pick behind q - rem's carry chain: one of two
// candidates by q >= rem (the chain's borrow), each ORed with q - rem (the
// chain's sum) where its flag says so. Every output bit reads six inputs:
// one LUT6. A hierarchy level of its own: inline, ABC saw the chain's ends
// arrive with everything else and built the pick three LUT levels deep
// behind it (the gate's slowest path).
(* keep_hierarchy *)
module tg_count_pick #
(
    parameter integer W = 48
)
(
    input  wire         ge,               // q >= rem
    input  wire [W-1:0] x_ge,             // the candidate where it is
    input  wire         d_ge,             // ...ORed with q - rem
    input  wire [W-1:0] x_lt,             // where it is not
    input  wire         d_lt,
    input  wire [W-1:0] d,                // q - rem
    output wire [W-1:0] x
);

assign x = ge ? x_ge | ({W{d_ge}} & d) : x_lt | ({W{d_lt}} & d);

endmodule

`resetall
