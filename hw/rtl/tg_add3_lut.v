`resetall
`timescale 1ns / 1ps
`default_nettype none

// The LUT level of tg_add3 on a Xilinx carry chain: the propagate p (bit i
// reads a, b, c at bits i and i - 1: one LUT6) and the generate k (the
// majority of bit i - 1, cin in bit 0). A hierarchy level of its own: every
// output is one LUT deep in here, so ABC cannot build p out of k (as it does
// in a larger netlist, where it sees the chain's inputs as arriving with
// everything else and trades depth for area).
(* keep_hierarchy *)
module tg_add3_lut #
(
    parameter integer W = 64,
    parameter [2:0] INV = 3'b000
)
(
    input  wire [W-1:0] a,
    input  wire [W-1:0] b,
    input  wire [W-1:0] c,
    input  wire         cin,
    output wire [W-1:0] p,
    output wire [W-1:0] k
);

wire [W-1:0] ai = a ^ {W{INV[0]}}, bi = b ^ {W{INV[1]}}, ci = c ^ {W{INV[2]}};
/* verilator lint_off UNUSEDSIGNAL */
wire [W-1:0] maj = (ai & bi) | (ai & ci) | (bi & ci);
/* verilator lint_on UNUSEDSIGNAL */
assign k = {maj[W-2:0], cin};
assign p = ai ^ bi ^ ci ^ k;

endmodule

`resetall
