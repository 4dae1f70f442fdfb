`resetall
`timescale 1ns / 1ps
`default_nettype none

// Whether a + b + c + d + cin >= 0, in W-bit two's complement (the caller
// sizes W so that the sum cannot wrap). Two carry-save levels (one with
// D_ZERO, where d is 0), then one carry chain, instead of chains in a row: a
// compare of sums of product pieces in one pipeline stage (tg_risk).
module tg_sum_ge0 #
(
    parameter integer W = 50,
    parameter integer D_ZERO = 0           // 1: d is 0, a + b + c + cin
)
(
    input  wire [W-1:0] a,
    input  wire [W-1:0] b,
    input  wire [W-1:0] c,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [W-1:0] d,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire         cin,
    output wire         ge0
);

// (keep: each level stays a level of its own, so that ABC, which sees every
// input arrive at once, cannot build one compare's level out of another's)
(* keep *) wire [W-1:0] s1 = a ^ b ^ c;
/* verilator lint_off UNUSEDSIGNAL */
(* keep *) wire [W-1:0] c1 = (a & b) | (a & c) | (b & c);
/* verilator lint_on UNUSEDSIGNAL */
wire [W-1:0] c1s = {c1[W-2:0], 1'b0};
wire [W-1:0] sum;
generate
    if (D_ZERO != 0) begin : three
        assign sum = s1 + (c1s | {{(W-1){1'b0}}, cin});
    end else begin : four
        /* verilator lint_off UNUSEDSIGNAL */
        (* keep *) wire [W-1:0] c2 = (s1 & c1s) | (s1 & d) | (c1s & d);
        /* verilator lint_on UNUSEDSIGNAL */
        (* keep *) wire [W-1:0] s2 = s1 ^ c1s ^ d;
        assign sum = s2 + {c2[W-2:0], cin};
    end
endgenerate
assign ge0 = !sum[W-1];

endmodule

`resetall
