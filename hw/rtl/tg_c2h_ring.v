`resetall
`timescale 1ns / 1ps
`default_nettype none

// C2H ring engine: writes event records into the host's ring by DMA.
//
// Each event record is stamped with the card's event sequence number and
// the phase marker of its lap, then written as 64 / DMA_BYTES beats whose
// last beat holds the marker; the transport guarantees beats land in order,
// so a host that sees the marker sees the whole record. Records go back to
// back (a beat a cycle, the next taken with the last beat of the one
// before). The engine
// never overwrites a record the host has not consumed: it waits while the
// ring is full (the host's C2H_CONS doorbell frees space). The producer
// index is written back to the ring header at least every WB_EVERY records
// and whenever idle.
module tg_c2h_ring #
(
    // Bytes a beat of the DMA write port: 8, 16, 32 or 64
    parameter DMA_BYTES = 8
)
(
    input  wire          clk,
    input  wire          rst,

    // Configuration (CSRs)
    input  wire          enable,
    input  wire [63:0]   base_addr,
    input  wire [4:0]    size_log2,
    input  wire [31:0]   cons_index,
    output wire [31:0]   prod_index,
    output wire          full,

    // Event records in, one record per beat
    input  wire [511:0]  s_axis_evt_tdata,
    input  wire          s_axis_evt_tvalid,
    output wire          s_axis_evt_tready,

    // DMA write: record beats and producer writebacks (tuser = burst address)
    output wire [DMA_BYTES*8-1:0] m_axis_dma_wr_tdata,
    output wire [DMA_BYTES-1:0]   m_axis_dma_wr_tkeep,
    output wire          m_axis_dma_wr_tlast,
    output wire [63:0]   m_axis_dma_wr_tuser,
    output wire          m_axis_dma_wr_tvalid,
    input  wire          m_axis_dma_wr_tready,

    // One-cycle pulse per record written
    output wire          record_pulse
);

`include "tg_card_defs.vh"

localparam integer DW = DMA_BYTES * 8;
localparam integer BEATS = TG_REC_BYTES / DMA_BYTES;    // beats a record
localparam integer BW = BEATS > 1 ? $clog2(BEATS) : 1;
localparam [BW-1:0] LAST_BEAT = BEATS[BW-1:0] - 1'b1;

initial begin
    if (DMA_BYTES != 8 && DMA_BYTES != 16 && DMA_BYTES != 32 && DMA_BYTES != 64) begin
        $error("tg_c2h_ring: DMA_BYTES must be 8, 16, 32 or 64");
        $finish;
    end
    if (TG_REC_BYTES != 64) begin
        $error("tg_c2h_ring: records must be 64 bytes");
        $finish;
    end
end

localparam [1:0]
    ST_IDLE = 2'd0,
    ST_WRITE = 2'd1,
    ST_WB = 2'd2;

reg [1:0] state_reg = ST_IDLE, state_next;
reg [31:0] prod_reg = 32'd0, prod_next;
reg [31:0] seq_reg = 32'd0, seq_next;
reg [4:0] since_wb_reg = 5'd0, since_wb_next;
reg wb_pending_reg = 1'b0, wb_pending_next;
reg [BW-1:0] beat_reg = {BW{1'b0}}, beat_next;
reg [511:0] rec_reg = 512'd0, rec_next;
reg [63:0] rec_addr_reg = 64'd0, rec_addr_next;
reg record_pulse_reg = 1'b0, record_pulse_next;

reg [31:0] prod1_reg = 32'd1, prod1_next;  // prod_reg + 1

wire [15:0] mask;
wire [63:0] prod_addr, geom_rec_addr;
wire        geom_marker;
wire [16:0] take_index;               // the slot a record is taken into, low bits

tg_ring_geom #(.MAX_LOG2(16), .INDEX_OFFSET(TG_RING_PROD_OFFSET)) geom_inst (
    .clk(clk),
    .enable(enable),
    .base_addr(base_addr),
    .size_log2(size_log2),
    .mask(mask),
    .index_addr(prod_addr),
    .addr_index(take_index[15:0]),
    .rec_addr(geom_rec_addr),
    .lap_index(take_index[16:0]),
    .marker(geom_marker)
);

// Room in the ring, registered: "a record fits" and "a record fits behind
// the one being written", for the producer index of the next cycle (it is 0,
// the same, or one more), against the consumer index of this one. The
// consumer index only moves on, so a cycle-old one never shows room that is
// not there: at worst a record waits a cycle for room just made.
// The ring holds mask + 1 records.
function automatic [1:0] room_at(input [31:0] prod, input [31:0] cons, input [15:0] m);
    room_at = {prod - cons < {16'd0, m}, prod - cons <= {16'd0, m}};
endfunction
wire [1:0] room_same = room_at(prod_reg, cons_index, mask);
wire [1:0] room_more = room_at(prod1_reg, cons_index, mask);
wire [1:0] room_zero = room_at(32'd0, cons_index, mask);
reg  [1:0] room_reg = 2'b00;
wire space = room_reg[0];
wire space_behind = room_reg[1];
// the record's last beat goes out this cycle
wire last_beat = state_reg == ST_WRITE && beat_reg == LAST_BEAT && m_axis_dma_wr_tready;
wire wb_due = since_wb_reg == TG_RING_WRITEBACK_EVERY[4:0] - 5'd1;
// a record is taken when idle, or right behind the last beat of the one
// before (no idle cycle between records), into the slot after it
wire take = enable && s_axis_evt_tvalid
         && ((state_reg == ST_IDLE && space) || (last_beat && !wb_due && space_behind));
assign take_index = state_reg == ST_IDLE ? prod_reg[16:0] : prod1_reg[16:0];
wire [31:0] take_seq = state_reg == ST_IDLE ? seq_reg : seq_reg + 32'd1;

assign prod_index = prod_reg;
assign full = enable && !space;
assign s_axis_evt_tready = take;

assign m_axis_dma_wr_tdata = state_reg == ST_WB ? {{(DW-32){1'b0}}, prod_reg} : rec_reg[beat_reg*DW +: DW];
assign m_axis_dma_wr_tkeep = state_reg == ST_WB ? {{(DMA_BYTES-4){1'b0}}, 4'hf} : {DMA_BYTES{1'b1}};
assign m_axis_dma_wr_tlast = state_reg == ST_WB || beat_reg == LAST_BEAT;
assign m_axis_dma_wr_tuser = state_reg == ST_WB ? prod_addr : rec_addr_reg;
assign m_axis_dma_wr_tvalid = state_reg == ST_WRITE || state_reg == ST_WB;

assign record_pulse = record_pulse_reg;

always @* begin
    state_next = state_reg;
    prod_next = prod_reg;
    prod1_next = prod1_reg;
    seq_next = seq_reg;
    since_wb_next = since_wb_reg;
    wb_pending_next = wb_pending_reg;
    beat_next = beat_reg;
    rec_next = rec_reg;
    rec_addr_next = rec_addr_reg;
    record_pulse_next = 1'b0;

    case (state_reg)
        ST_IDLE: begin
            if (!enable) begin
                // a disabled ring restarts at index 0
                prod_next = 32'd0;
                prod1_next = 32'd1;
                since_wb_next = 5'd0;
                wb_pending_next = 1'b0;
            end else if (take) begin
                state_next = ST_WRITE;
            end else if (wb_pending_reg) begin
                state_next = ST_WB;
            end
        end
        ST_WRITE: begin
            if (m_axis_dma_wr_tready) begin
                beat_next = beat_reg + 1'b1;
                if (beat_reg == LAST_BEAT) begin
                    beat_next = {BW{1'b0}};
                    prod_next = prod1_reg;
                    prod1_next = prod1_reg + 32'd1;
                    seq_next = seq_reg + 32'd1;
                    record_pulse_next = 1'b1;
                    wb_pending_next = 1'b1;
                    since_wb_next = since_wb_reg + 5'd1;
                    state_next = wb_due ? ST_WB : take ? ST_WRITE : ST_IDLE;
                end
            end
        end
        ST_WB: begin
            if (m_axis_dma_wr_tready) begin
                since_wb_next = 5'd0;
                wb_pending_next = 1'b0;
                state_next = ST_IDLE;
            end
        end
        default: state_next = ST_IDLE;
    endcase

    if (take) begin
        rec_next = s_axis_evt_tdata;
        rec_next[TG_C2H_SEQ_LSB +: TG_C2H_SEQ_W] = take_seq;
        rec_next[TG_RING_MARKER_OFFSET*8 +: 8] = {7'd0, geom_marker};
        rec_addr_next = geom_rec_addr;
        beat_next = {BW{1'b0}};
    end
end

always @(posedge clk) begin
    state_reg <= state_next;
    prod_reg <= prod_next;
    prod1_reg <= prod1_next;
    seq_reg <= seq_next;
    since_wb_reg <= since_wb_next;
    wb_pending_reg <= wb_pending_next;
    beat_reg <= beat_next;
    rec_reg <= rec_next;
    rec_addr_reg <= rec_addr_next;
    record_pulse_reg <= record_pulse_next;
    room_reg <= state_reg == ST_IDLE && !enable ? room_zero : last_beat ? room_more : room_same;

    if (rst) begin
        state_reg <= ST_IDLE;
        prod_reg <= 32'd0;
        prod1_reg <= 32'd1;
        seq_reg <= 32'd0;
        since_wb_reg <= 5'd0;
        wb_pending_reg <= 1'b0;
        beat_reg <= {BW{1'b0}};
        record_pulse_reg <= 1'b0;
        room_reg <= 2'b00;
    end
end

endmodule

`resetall
