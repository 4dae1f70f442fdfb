`resetall
`timescale 1ns / 1ps
`default_nettype none

// A DMA ring's geometry, shared by the H2C and C2H engines: its index mask,
// the bus address of the header word the engine writes its index back to,
// a record's address, and the phase marker a record carries on its lap.
//
// The configuration (base address, log2 size) is taken into registers while
// the ring is disabled and held while it runs, so the engine never works on
// half a change and no path starts at a CSR's decode: a write while the ring
// runs takes effect when it is next enabled. The CSRs are separate registers
// written one per cycle, so the enable comes at least a cycle after the
// geometry it runs on. Sizes above 2^MAX_LOG2 records are taken as
// 2^MAX_LOG2 (the host library refuses them).
//
// A record's address is the records' base plus index x 64. The index's part
// is MAX_LOG2 + 6 bits wide, so only that many low bits are added; the base's
// high bits, and the same plus one, are registered, and the low sum's carry
// picks one: a short carry chain in place of a 64-bit one.
module tg_ring_geom #
(
    parameter MAX_LOG2 = 16,
    // the header word the engine writes its own index back to
    parameter [63:0] INDEX_OFFSET = 64'd0
)
(
    input  wire                 clk,

    input  wire                 enable,
    input  wire [63:0]          base_addr,
    input  wire [4:0]           size_log2,

    output wire [MAX_LOG2-1:0]  mask,       // records - 1 (2^log2 - 1)
    output wire [63:0]          index_addr, // base + INDEX_OFFSET

    // record i: its address, and the marker it carries (1 on laps 0, 2, 4...)
    input  wire [MAX_LOG2-1:0]  addr_index,
    output wire [63:0]          rec_addr,
    input  wire [MAX_LOG2:0]    lap_index,
    output wire                 marker
);

`include "tg_card_defs.vh"

localparam integer LOW = MAX_LOG2 + 6;      // bits of a record's offset

initial begin
    if (MAX_LOG2 < 1 || MAX_LOG2 > 26) begin
        $error("tg_ring_geom: MAX_LOG2 must be 1..26");
        $finish;
    end
    if (TG_REC_BYTES != 64 || TG_RING_RECORDS_OFFSET[5:0] != 6'd0) begin
        $error("tg_ring_geom: records must be 64 bytes, 64-byte aligned");
        $finish;
    end
end

localparam [4:0] MAX_LOG2_W = MAX_LOG2[4:0];
localparam [63:0] HI_ONE = 64'd1 << LOW;

wire [4:0] log2_in = size_log2 > MAX_LOG2_W ? MAX_LOG2_W : size_log2;

reg [MAX_LOG2:0]   size_reg = {{MAX_LOG2{1'b0}}, 1'b1};
reg [MAX_LOG2-1:0] mask_reg = {MAX_LOG2{1'b0}};
reg [63:0]         index_addr_reg = 64'd0;
reg [LOW-1:0]      rec_lo_reg = {LOW{1'b0}};         // records' base, low bits
reg [63-LOW:0]     rec_hi_reg = {(64-LOW){1'b0}};    // its high bits
reg [63-LOW:0]     rec_hi1_reg = {(64-LOW){1'b0}};   // the same plus one

wire [63:0] rec_base = base_addr + TG_RING_RECORDS_OFFSET;
wire [63:0] rec_base1 = base_addr + (TG_RING_RECORDS_OFFSET + HI_ONE);

always @(posedge clk) begin
    if (!enable) begin
        size_reg <= {{MAX_LOG2{1'b0}}, 1'b1} << log2_in;
        mask_reg <= ~({MAX_LOG2{1'b1}} << log2_in);
        index_addr_reg <= base_addr + INDEX_OFFSET;
        rec_lo_reg <= rec_base[LOW-1:0];
        rec_hi_reg <= rec_base[63:LOW];
        rec_hi1_reg <= rec_base1[63:LOW];
    end
end

wire [LOW:0] lo_sum = {1'b0, rec_lo_reg} + {1'b0, addr_index & mask_reg, 6'd0};

assign mask = mask_reg;
assign index_addr = index_addr_reg;
assign rec_addr = {lo_sum[LOW] ? rec_hi1_reg : rec_hi_reg, lo_sum[LOW-1:0]};
assign marker = ~|(lap_index & size_reg);

endmodule

`resetall
