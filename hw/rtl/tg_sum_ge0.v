`resetall
`timescale 1ns / 1ps
`default_nettype none

// Whether a + b + c + d + cin >= 0, in W-bit two's complement (the caller
// sizes W so that the sum cannot wrap). One carry-save level (none with
// D_ZERO, where d is 0), then a ternary adder (tg_add3: one LUT level and
// one carry chain), instead of chains in a row: a compare of sums of product
// pieces in one pipeline stage (tg_risk).
module tg_sum_ge0 #
(
    parameter integer W = 50,
    parameter integer D_ZERO = 0,          // 1: d is 0, a + b + c + cin
    parameter [2:0] INV = 3'b000           // with D_ZERO: ~a, ~b, ~c for bit 0, 1, 2 (tg_add3)
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

/* verilator lint_off UNUSEDSIGNAL */
wire [W-1:0] sum;
/* verilator lint_on UNUSEDSIGNAL */
generate
    if (D_ZERO != 0) begin : three
        tg_add3 #(.W(W), .INV(INV)) add (.a(a), .b(b), .c(c), .cin(cin), .sum(sum));
    end else begin : four
        // (keep: the level stays a level of its own, so that ABC, which sees
        // every input arrive at once, cannot build one compare's level out
        // of another's)
        (* keep *) wire [W-1:0] s1 = a ^ b ^ c;
        /* verilator lint_off UNUSEDSIGNAL */
        (* keep *) wire [W-1:0] c1 = (a & b) | (a & c) | (b & c);
        /* verilator lint_on UNUSEDSIGNAL */
        tg_add3 #(.W(W)) add (.a(s1), .b({c1[W-2:0], 1'b0}), .c(d), .cin(cin), .sum(sum));
    end
endgenerate
initial begin
    if (D_ZERO == 0 && INV != 3'b000) begin
        $error("tg_sum_ge0: INV needs D_ZERO");
        $finish;
    end
end
assign ge0 = !sum[W-1];

endmodule

`resetall
