`resetall
`timescale 1ns / 1ps
`default_nettype none

// tg_risk's pick of D's rise behind its carry chains, for a register that
// holds the rise with the order ahead taken (a) or not (b) by yt, clamped
// at 0 (the picked one's sign) and zeroed unless en; or, where alt, c. The
// register takes it as d, cleared by clr (its synchronous reset): each is
// one LUT after the chains. A hierarchy level of its own: inline, ABC saw
// the chains' ends arrive with everything else and built the clamp two
// LUT levels deep behind them.
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
    input  wire         alt,
    input  wire [W-1:0] c,
    output wire [W-1:0] d,
    output wire         clr
);

wire pos = yt ? !a[W-1] : !b[W-1];
assign d = alt ? c : yt ? a : b;
assign clr = !(alt || (en && pos));

endmodule

`resetall
