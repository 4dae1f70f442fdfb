`resetall
`timescale 1ns / 1ps
`default_nettype none

// Whether a + b + c + d + cin >= 0, in W-bit two's complement (the caller
// sizes W so that the sum cannot wrap): the sign of tg_sum4's one carry
// chain, a compare of sums of product pieces in one pipeline stage (tg_risk).
module tg_sum_ge0 #
(
    parameter integer W = 50,
    parameter integer D_ZERO = 0           // 1: d is 0, a + b + c + cin
)
(
    input  wire [W-1:0] a,
    input  wire [W-1:0] b,
    input  wire [W-1:0] c,
    input  wire [W-1:0] d,
    input  wire         cin,
    output wire         ge0
);

/* verilator lint_off UNUSEDSIGNAL */
wire [W-1:0] sum;
/* verilator lint_on UNUSEDSIGNAL */
tg_sum4 #(.W(W), .D_ZERO(D_ZERO)) sum_inst (.a(a), .b(b), .c(c), .d(d), .cin(cin), .sum(sum));
assign ge0 = !sum[W-1];

endmodule

`resetall
