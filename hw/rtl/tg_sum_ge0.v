`resetall
`timescale 1ns / 1ps
`default_nettype none

// Whether a + b + c + d + cin >= 0, in W-bit two's complement (the caller
// sizes W so that the sum cannot wrap). Two carry-save levels (one with
// D_ZERO, where d is 0), then the carry into the sign, instead of chains in
// a row: a compare of sums of product pieces in one pipeline stage
// (tg_risk). The carry is selected: the low half's carry out picks the
// high half's sign as made with a carry in of 0 or of 1, three chains of
// half the width side by side where one would run the whole width.
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
wire [W-1:0] x, y;                         // the sum's last two operands
generate
    if (D_ZERO != 0) begin : three
        assign x = s1;
        assign y = c1s | {{(W-1){1'b0}}, cin};
    end else begin : four
        /* verilator lint_off UNUSEDSIGNAL */
        (* keep *) wire [W-1:0] c2 = (s1 & c1s) | (s1 & d) | (c1s & d);
        /* verilator lint_on UNUSEDSIGNAL */
        (* keep *) wire [W-1:0] s2 = s1 ^ c1s ^ d;
        assign x = s2;
        assign y = {c2[W-2:0], cin};
    end
endgenerate
localparam integer H = W / 2;              // the low half's bits
/* verilator lint_off UNUSEDSIGNAL */
wire [H:0] lo = {1'b0, x[H-1:0]} + {1'b0, y[H-1:0]};
wire [W-H-1:0] hi0 = x[W-1:H] + y[W-1:H];
wire [W-H-1:0] hi1 = x[W-1:H] + y[W-1:H] + 1'b1;
/* verilator lint_on UNUSEDSIGNAL */
// (kept, and picked as an AND-OR: behind a $mux Yosys's opt_share makes the
// two high sums one, with the pick on its carry in)
(* keep *) wire lo_c = lo[H];
(* keep *) wire neg0 = hi0[W-H-1];
(* keep *) wire neg1 = hi1[W-H-1];
assign ge0 = !((lo_c & neg1) | (!lo_c & neg0));

endmodule

`resetall
