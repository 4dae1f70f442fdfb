`resetall
`timescale 1ns / 1ps
`default_nettype none

// Whether a + b + c + d + cin >= 0, in W-bit two's complement (the caller
// sizes W so that the sum cannot wrap). Two carry-save levels, then one
// carry chain, instead of three chains in a row: a compare of sums of
// product pieces in one pipeline stage (tg_risk).
module tg_sum_ge0 #
(
    parameter integer W = 50
)
(
    input  wire [W-1:0] a,
    input  wire [W-1:0] b,
    input  wire [W-1:0] c,
    input  wire [W-1:0] d,
    input  wire         cin,
    output wire         ge0
);

wire [W-1:0] s1 = a ^ b ^ c;
/* verilator lint_off UNUSEDSIGNAL */
wire [W-1:0] c1 = (a & b) | (a & c) | (b & c);
wire [W-1:0] c2 = (s1 & c1s) | (s1 & d) | (c1s & d);
/* verilator lint_on UNUSEDSIGNAL */
wire [W-1:0] c1s = {c1[W-2:0], 1'b0};
wire [W-1:0] s2 = s1 ^ c1s ^ d;
wire [W-1:0] sum = s2 + {c2[W-2:0], cin};
assign ge0 = !sum[W-1];

endmodule

`resetall
