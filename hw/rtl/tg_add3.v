`resetall
`timescale 1ns / 1ps
`default_nettype none

// a + b + c + cin in W-bit two's complement: one LUT level in front of one
// carry chain (a ternary adder, as the vendor tools map a + b + c). INV
// bit 0, 1, 2 takes ~a, ~b, ~c instead, in that LUT level.
//
// A 3:2 level makes a + b + c = s + 2k (s the XOR, k the majority), and a
// carry chain adding s and k' (k shifted up, cin in bit 0) wants, bit by
// bit, the propagate p = s ^ k' and, where p is 0, the generate, which is
// then k' (s equals k' there). p_i reads a, b, c at bits i and i - 1: six
// inputs, one LUT6. Written as s + k', Yosys maps the adder's XOR as a LUT
// of its own behind the 3:2 level's, and ABC, which sees a chain's inputs as
// arriving with everything else, keeps it that way: two levels. So on
// Xilinx (TG_XILINX: this project's Yosys flows define it, a vendor flow
// would too) p and k' come from tg_add3_lut, a hierarchy level of its own
// where every output is one LUT deep, into CARRY4 cells instantiated here
// (S = p, DI = k'; Vivado maps CARRY4 onto UltraScale+'s CARRY8).
// Elsewhere (Verilator) it is the plain sum; the tests yosys-add3-equiv-*
// prove the two equal for every input.
module tg_add3 #
(
    parameter integer W = 64,
    parameter [2:0] INV = 3'b000
)
(
    input  wire [W-1:0] a,
    input  wire [W-1:0] b,
    input  wire [W-1:0] c,
    input  wire         cin,
    output wire [W-1:0] sum
);

`ifdef TG_XILINX
localparam integer N4 = (W + 3) / 4;
wire [W-1:0] p, k;
tg_add3_lut #(.W(W), .INV(INV)) lut (.a(a), .b(b), .c(c), .cin(cin), .p(p), .k(k));
wire [4*N4-1:0] p4 = {{(4*N4-W){1'b0}}, p}, k4 = {{(4*N4-W){1'b0}}, k};
/* verilator lint_off UNUSEDSIGNAL */
wire [4*N4-1:0] o, co;
/* verilator lint_on UNUSEDSIGNAL */
genvar i;
generate
    for (i = 0; i < N4; i = i + 1) begin : chain
        if (i == 0) begin : first
            CARRY4 carry (.CI(1'b0), .CYINIT(1'b0), .DI(k4[3:0]), .S(p4[3:0]), .O(o[3:0]), .CO(co[3:0]));
        end else begin : next
            CARRY4 carry (.CI(co[4*i-1]), .CYINIT(1'b0), .DI(k4[4*i +: 4]), .S(p4[4*i +: 4]),
                          .O(o[4*i +: 4]), .CO(co[4*i +: 4]));
        end
    end
endgenerate
assign sum = o[W-1:0];
`else
assign sum = (a ^ {W{INV[0]}}) + (b ^ {W{INV[1]}}) + (c ^ {W{INV[2]}}) + {{(W-1){1'b0}}, cin};
`endif

endmodule

`resetall
