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
// (a chain of SPLIT_AT CARRY4s or more is cut in two: its upper half is
// built twice, for a carry in of 0 and of 1, beside the lower half, whose
// carry out then picks one, a LUT3 a bit (tg_carry_select): half the
// chain's length, for a LUT level. From 12 cells on that pays: 3 levels
// become 1.5 and a LUT.)
localparam integer SPLIT_AT = 12;
localparam integer NL = N4 >= SPLIT_AT ? (N4 + 1) / 2 : N4;   // the lower half's cells
wire [W-1:0] p, k;
tg_add3_lut #(.W(W), .INV(INV)) lut (.a(a), .b(b), .c(c), .cin(cin), .p(p), .k(k));
wire [4*N4-1:0] p4 = {{(4*N4-W){1'b0}}, p}, k4 = {{(4*N4-W){1'b0}}, k};
/* verilator lint_off UNUSEDSIGNAL */
wire [4*N4-1:0] o, co, o1, co1;   // o1, co1: the upper half for a carry in of 1
/* verilator lint_on UNUSEDSIGNAL */
genvar i;
generate
    for (i = 0; i < N4; i = i + 1) begin : chain
        if (i == 0 || i == NL) begin : first
            CARRY4 carry (.CI(1'b0), .CYINIT(1'b0), .DI(k4[4*i +: 4]), .S(p4[4*i +: 4]),
                          .O(o[4*i +: 4]), .CO(co[4*i +: 4]));
            if (i == NL) begin : upper_one
                CARRY4 carry (.CI(1'b0), .CYINIT(1'b1), .DI(k4[4*i +: 4]), .S(p4[4*i +: 4]),
                              .O(o1[4*i +: 4]), .CO(co1[4*i +: 4]));
            end
        end else begin : next
            CARRY4 carry (.CI(co[4*i-1]), .CYINIT(1'b0), .DI(k4[4*i +: 4]), .S(p4[4*i +: 4]),
                          .O(o[4*i +: 4]), .CO(co[4*i +: 4]));
            if (i > NL) begin : upper_one
                CARRY4 carry (.CI(co1[4*i-1]), .CYINIT(1'b0), .DI(k4[4*i +: 4]), .S(p4[4*i +: 4]),
                              .O(o1[4*i +: 4]), .CO(co1[4*i +: 4]));
            end
        end
    end
    if (NL < N4) begin : split
        wire [W-4*NL-1:0] upper;
        tg_carry_select #(.W(W - 4 * NL)) pick (.c(co[4*NL-1]), .s0(o[W-1:4*NL]), .s1(o1[W-1:4*NL]), .s(upper));
        assign sum = {upper, o[4*NL-1:0]};
        assign o1[4*NL-1:0] = {4*NL{1'b0}};
        assign co1[4*NL-1:0] = {4*NL{1'b0}};
    end else begin : whole
        assign sum = o[W-1:0];
        assign o1 = {4*N4{1'b0}};
        assign co1 = {4*N4{1'b0}};
    end
endgenerate
`else
assign sum = (a ^ {W{INV[0]}}) + (b ^ {W{INV[1]}}) + (c ^ {W{INV[2]}}) + {{(W-1){1'b0}}, cin};
`endif

endmodule

`resetall
