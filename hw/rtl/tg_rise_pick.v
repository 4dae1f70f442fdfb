`resetall
`timescale 1ns / 1ps
`default_nettype none

// tg_risk's pick of D's rise behind its carry chains: the rise with the
// order ahead taken (a) or not (b) by yt, clamped at 0 (the picked one's
// sign) and zeroed unless en. Every output bit reads six inputs: one LUT6
// after the chains. A hierarchy level of its own: inline, ABC saw the
// chains' ends arrive with everything else and built the clamp two LUT
// levels deep behind them.
(* keep_hierarchy *)
module tg_rise_pick #
(
    parameter integer W = 80
)
(
    input  wire         en,
    input  wire         yt,
    input  wire [W-1:0] a,
    input  wire [W-1:0] b,
    output wire [W-1:0] y
);

wire pos = yt ? !a[W-1] : !b[W-1];
assign y = en && pos ? (yt ? a : b) : {W{1'b0}};

endmodule

`resetall
