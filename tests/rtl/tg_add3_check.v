`resetall
`timescale 1ns / 1ps
`default_nettype none

// ok: tg_add3's sum is a + b + c + cin (each operand inverted where INV says). The test yosys-add3-equiv proves it
// with Yosys's SAT solver for every input at several widths, on the Xilinx
// carry-chain build (TG_XILINX, CARRY4 from Yosys's simulation models): the
// Verilated RTL runs the plain sum, so this is what checks the other.
module tg_add3_check #
(
    parameter integer W = 13,
    parameter [2:0] INV = 3'b000
)
(
    input  wire [W-1:0] a,
    input  wire [W-1:0] b,
    input  wire [W-1:0] c,
    input  wire         cin,
    output wire         ok
);

wire [W-1:0] sum;
tg_add3 #(.W(W), .INV(INV)) dut (.a(a), .b(b), .c(c), .cin(cin), .sum(sum));
assign ok = sum == (INV[0] ? ~a : a) + (INV[1] ? ~b : b) + (INV[2] ? ~c : c) + {{(W-1){1'b0}}, cin};

endmodule

`resetall
