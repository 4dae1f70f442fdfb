`resetall
`timescale 1ns / 1ps
`default_nettype none

// H2C ring engine: fetches host command records by DMA and emits them whole.
//
// The host writes records into its ring memory and rings the doorbell
// (H2C_PROD). For every record between the card's consumer index and the
// doorbell the engine issues one 64-byte DMA read, checks the record's phase
// marker against the lap it expects, and only then hands the record on; a
// record whose marker is stale was not completely written yet, so the engine
// backs off and reads it again (counted as a phase wait) instead of
// consuming it. The consumer index is written back to the ring header at
// least every WB_EVERY records and whenever the ring drains, so the host
// learns about free space without reading a CSR.
module tg_h2c_ring #
(
    // Cycles to wait before re-reading a record whose marker was stale
    parameter BACKOFF_CYCLES = 16
)
(
    input  wire          clk,
    input  wire          rst,

    // Configuration (CSRs)
    input  wire          enable,
    input  wire [63:0]   base_addr,
    input  wire [4:0]    size_log2,
    input  wire [31:0]   prod_index,
    output wire [31:0]   cons_index,
    output wire          busy,

    // Free-running cycle counter, stamped on each record as it is fetched
    input  wire [63:0]   cycle,

    // DMA read descriptor
    output wire [63:0]   m_axis_dma_rd_desc_addr,
    output wire [15:0]   m_axis_dma_rd_desc_len,
    output wire          m_axis_dma_rd_desc_valid,
    input  wire          m_axis_dma_rd_desc_ready,

    // DMA read data, 8 beats per record
    input  wire [63:0]   s_axis_dma_rd_data_tdata,
    input  wire          s_axis_dma_rd_data_tlast,
    input  wire          s_axis_dma_rd_data_tvalid,
    output wire          s_axis_dma_rd_data_tready,

    // Consumer-index writeback (DMA write, one beat, tuser = address)
    output wire [63:0]   m_axis_wb_tdata,
    output wire [7:0]    m_axis_wb_tkeep,
    output wire          m_axis_wb_tlast,
    output wire [63:0]   m_axis_wb_tuser,
    output wire          m_axis_wb_tvalid,
    input  wire          m_axis_wb_tready,

    // Command records out, one record per beat; tuser = fetch cycle
    output wire [511:0]  m_axis_cmd_tdata,
    output wire [63:0]   m_axis_cmd_tuser,
    output wire          m_axis_cmd_tvalid,
    input  wire          m_axis_cmd_tready,

    // One-cycle event pulses for counters
    output wire          record_pulse,
    output wire          phase_wait_pulse
);

`include "tg_card_defs.vh"

initial begin
    if (BACKOFF_CYCLES < 1 || BACKOFF_CYCLES > 255) begin
        $error("tg_h2c_ring: BACKOFF_CYCLES must be 1..255");
        $finish;
    end
end

localparam [2:0]
    ST_IDLE = 3'd0,
    ST_REQ = 3'd1,
    ST_DATA = 3'd2,
    ST_CHECK = 3'd3,
    ST_BACKOFF = 3'd4,
    ST_OUT = 3'd5,
    ST_WB = 3'd6;

reg [2:0] state_reg = ST_IDLE, state_next;
reg [31:0] cons_reg = 32'd0, cons_next;
reg [4:0] since_wb_reg = 5'd0, since_wb_next;
reg wb_pending_reg = 1'b0, wb_pending_next;
reg [2:0] beat_reg = 3'd0, beat_next;
reg [7:0] backoff_reg = 8'd0, backoff_next;
reg [511:0] rec_reg = 512'd0, rec_next;
reg [63:0] fetch_cycle_reg = 64'd0, fetch_cycle_next;
reg record_pulse_reg = 1'b0, record_pulse_next;
reg phase_wait_pulse_reg = 1'b0, phase_wait_pulse_next;

wire [31:0] mask = (32'd1 << size_log2) - 32'd1;
wire lap_odd = cons_reg[size_log2];
// marker is 1 on even laps, 0 on odd laps (memory starts zeroed)
wire [7:0] marker_expected = {7'd0, ~lap_odd};
wire [7:0] marker_seen = rec_reg[TG_RING_MARKER_OFFSET*8 +: 8];
wire [63:0] rec_addr = base_addr + TG_RING_RECORDS_OFFSET
                     + {26'd0, cons_reg & mask, 6'd0};
wire [31:0] cons_inc = cons_reg + 32'd1;

assign cons_index = cons_reg;
assign busy = state_reg != ST_IDLE;

assign m_axis_dma_rd_desc_addr = rec_addr;
assign m_axis_dma_rd_desc_len = TG_REC_BYTES[15:0];
assign m_axis_dma_rd_desc_valid = state_reg == ST_REQ;

assign s_axis_dma_rd_data_tready = state_reg == ST_DATA;

assign m_axis_wb_tdata = {32'd0, cons_reg};
assign m_axis_wb_tkeep = 8'h0f;
assign m_axis_wb_tlast = 1'b1;
assign m_axis_wb_tuser = base_addr + TG_RING_CONS_OFFSET;
assign m_axis_wb_tvalid = state_reg == ST_WB;

assign m_axis_cmd_tdata = rec_reg;
assign m_axis_cmd_tuser = fetch_cycle_reg;
assign m_axis_cmd_tvalid = state_reg == ST_OUT;

assign record_pulse = record_pulse_reg;
assign phase_wait_pulse = phase_wait_pulse_reg;

always @* begin
    state_next = state_reg;
    cons_next = cons_reg;
    since_wb_next = since_wb_reg;
    wb_pending_next = wb_pending_reg;
    beat_next = beat_reg;
    backoff_next = backoff_reg;
    rec_next = rec_reg;
    fetch_cycle_next = fetch_cycle_reg;
    record_pulse_next = 1'b0;
    phase_wait_pulse_next = 1'b0;

    case (state_reg)
        ST_IDLE: begin
            if (!enable) begin
                // a disabled ring restarts at index 0
                cons_next = 32'd0;
                since_wb_next = 5'd0;
                wb_pending_next = 1'b0;
            end else if (prod_index != cons_reg) begin
                fetch_cycle_next = cycle;
                state_next = ST_REQ;
            end else if (wb_pending_reg) begin
                state_next = ST_WB;
            end
        end
        ST_REQ: begin
            if (m_axis_dma_rd_desc_ready) begin
                beat_next = 3'd0;
                state_next = ST_DATA;
            end
        end
        ST_DATA: begin
            if (s_axis_dma_rd_data_tvalid) begin
                rec_next[beat_reg*64 +: 64] = s_axis_dma_rd_data_tdata;
                beat_next = beat_reg + 3'd1;
                if (s_axis_dma_rd_data_tlast) begin
                    state_next = ST_CHECK;
                end
            end
        end
        ST_CHECK: begin
            if (marker_seen == marker_expected && beat_reg == 3'd0) begin
                // exactly 8 beats arrived (beat wrapped to 0) and the marker matches
                state_next = ST_OUT;
            end else begin
                phase_wait_pulse_next = 1'b1;
                backoff_next = BACKOFF_CYCLES[7:0];
                state_next = ST_BACKOFF;
            end
        end
        ST_BACKOFF: begin
            backoff_next = backoff_reg - 8'd1;
            if (backoff_reg == 8'd1) begin
                state_next = ST_IDLE;
            end
        end
        ST_OUT: begin
            if (m_axis_cmd_tready) begin
                cons_next = cons_inc;
                record_pulse_next = 1'b1;
                since_wb_next = since_wb_reg + 5'd1;
                wb_pending_next = 1'b1;
                if (cons_inc == prod_index || since_wb_reg + 5'd1 == TG_RING_WRITEBACK_EVERY[4:0]) begin
                    state_next = ST_WB;
                end else begin
                    state_next = ST_IDLE;
                end
            end
        end
        ST_WB: begin
            if (m_axis_wb_tready) begin
                since_wb_next = 5'd0;
                wb_pending_next = 1'b0;
                state_next = ST_IDLE;
            end
        end
        default: state_next = ST_IDLE;
    endcase
end

always @(posedge clk) begin
    state_reg <= state_next;
    cons_reg <= cons_next;
    since_wb_reg <= since_wb_next;
    wb_pending_reg <= wb_pending_next;
    beat_reg <= beat_next;
    backoff_reg <= backoff_next;
    rec_reg <= rec_next;
    fetch_cycle_reg <= fetch_cycle_next;
    record_pulse_reg <= record_pulse_next;
    phase_wait_pulse_reg <= phase_wait_pulse_next;

    if (rst) begin
        state_reg <= ST_IDLE;
        cons_reg <= 32'd0;
        since_wb_reg <= 5'd0;
        wb_pending_reg <= 1'b0;
        beat_reg <= 3'd0;
        backoff_reg <= 8'd0;
        record_pulse_reg <= 1'b0;
        phase_wait_pulse_reg <= 1'b0;
    end
end

endmodule

`resetall
