`resetall
`timescale 1ns / 1ps
`default_nettype none

// H2C ring engine: fetches host command records by DMA and emits them whole.
//
// The host writes records into its ring memory and rings the doorbell
// (H2C_PROD). The engine reads the records between its fetch index and the
// doorbell in bursts: one DMA read covers as many records as are there, up
// to MAX_BURST and never across the ring's wrap, and up to MAX_READS reads
// are in flight at once (the DMA engine answers them in order, each read's
// beats ending with tlast). Every record's phase marker is checked against
// the lap it expects; a record whose marker is stale was not completely
// written yet, so it is not handed on: the engine drops it and everything
// read after it, backs off and reads again from that record (counted as a
// phase wait). Records leave in ring order, each exactly once. The consumer
// index counts records handed on; it is written back to the ring header at
// least every WB_EVERY records and whenever the ring drains, so the host
// learns about free space without reading a CSR. Reads ahead of the
// consumer index only touch records the host has published (below the
// doorbell), which it does not reuse until the written-back index passes
// them.
//
// Read data may be back-pressured: the engine holds a record's last beat
// while its OUT_DEPTH-entry output queue is full.
//
// Clearing enable stops new reads; data of reads still in flight is
// dropped, records already queued for output are still handed on, and once
// nothing is in flight the indices restart at 0.
module tg_h2c_ring #
(
    // Cycles to wait before re-reading a record whose marker was stale
    parameter BACKOFF_CYCLES = 16,
    // Records per DMA read at most (64 bytes each: 8 is a 512-byte read)
    parameter MAX_BURST = 8,
    // DMA reads in flight at most (power of two)
    parameter MAX_READS = 4,
    // Bytes a beat of the DMA ports: 8, 16, 32 or 64
    parameter DMA_BYTES = 8
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

    // Free-running cycle counter, stamped on each record: the cycle its read was issued
    input  wire [63:0]   cycle,

    // DMA read descriptor
    output wire [63:0]   m_axis_dma_rd_desc_addr,
    output wire [15:0]   m_axis_dma_rd_desc_len,
    output wire          m_axis_dma_rd_desc_valid,
    input  wire          m_axis_dma_rd_desc_ready,

    // DMA read data, 64 / DMA_BYTES beats a record, reads answered in order, tlast on each read's last beat
    input  wire [DMA_BYTES*8-1:0] s_axis_dma_rd_data_tdata,
    input  wire          s_axis_dma_rd_data_tlast,
    input  wire          s_axis_dma_rd_data_tvalid,
    output wire          s_axis_dma_rd_data_tready,

    // Consumer-index writeback (DMA write, one beat, tuser = address)
    output wire [DMA_BYTES*8-1:0] m_axis_wb_tdata,
    output wire [DMA_BYTES-1:0]   m_axis_wb_tkeep,
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

localparam integer RW = MAX_READS > 1 ? $clog2(MAX_READS) : 1;
localparam [3:0] MAX_BURST_W = MAX_BURST[3:0];
localparam [5:0] WB_EVERY_W = TG_RING_WRITEBACK_EVERY[5:0];
localparam integer DW = DMA_BYTES * 8;
localparam integer BEATS = TG_REC_BYTES / DMA_BYTES;    // beats a record
localparam integer BW = BEATS > 1 ? $clog2(BEATS) : 1;
localparam [BW-1:0] LAST_BEAT = BEATS[BW-1:0] - 1'b1;

initial begin
    if (BACKOFF_CYCLES < 1 || BACKOFF_CYCLES > 255) begin
        $error("tg_h2c_ring: BACKOFF_CYCLES must be 1..255");
        $finish;
    end
    if (MAX_BURST < 1 || MAX_BURST > 8) begin
        $error("tg_h2c_ring: MAX_BURST must be 1..8 (reads of 512 bytes at most)");
        $finish;
    end
    if (MAX_READS < 1 || MAX_READS > 16 || (1 << $clog2(MAX_READS)) != MAX_READS) begin
        $error("tg_h2c_ring: MAX_READS must be a power of two, 1..16");
        $finish;
    end
    if (TG_RING_WRITEBACK_EVERY < 1 || TG_RING_WRITEBACK_EVERY > 62) begin
        $error("tg_h2c_ring: the writeback interval must be 1..62 records");
        $finish;
    end
    if (DMA_BYTES != 8 && DMA_BYTES != 16 && DMA_BYTES != 32 && DMA_BYTES != 64) begin
        $error("tg_h2c_ring: DMA_BYTES must be 8, 16, 32 or 64");
        $finish;
    end
    if (TG_REC_BYTES != 64) begin
        $error("tg_h2c_ring: records must be 64 bytes");
        $finish;
    end
end

// ---------------------------------------------------------------- indices
// cons: records handed on; rx: records received whole (cons + queued);
// fetch: records asked for (rx + in flight)
reg [31:0] cons_reg = 32'd0;
reg [31:0] rx_idx_reg = 32'd0;
reg [31:0] fetch_reg = 32'd0;
reg [27:0] fetch_hi1_reg = 28'd1;          // fetch_reg[31:4] + 1, a cycle late
reg [7:0]  backoff_reg = 8'd0;
reg        flush_reg = 1'b0;               // dropping the data of reads in flight

wire [15:0] mask;
wire [63:0] cons_addr, geom_rec_addr;
wire        marker_bit;
wire [31:0] fetch_pos;

tg_ring_geom #(.MAX_LOG2(16), .INDEX_OFFSET(TG_RING_CONS_OFFSET)) geom_inst (
    .clk(clk),
    .enable(enable),
    .base_addr(base_addr),
    .size_log2(size_log2),
    .mask(mask),
    .index_addr(cons_addr),
    .addr_index(fetch_pos[15:0]),
    .rec_addr(geom_rec_addr),
    .lap_index(rx_idx_reg[16:0]),
    .marker(marker_bit)
);

// ---------------------------------------------------------------- reads in flight
// one entry per read, from its descriptor until its last beat: records, issue cycle
reg [3:0]  rd_n [0:MAX_READS-1];
reg [63:0] rd_cyc [0:MAX_READS-1];
reg [RW:0] rd_wr_reg = 0, rd_rd_reg = 0;
// reads in flight, none or MAX_READS, from the pointers as they are (a
// subtraction sat as a carry chain in front of the read data's tready):
// MAX_READS = 2^RW apart, the top bits differ and the rest are equal (with
// one read at most, any is all)
wire reads_none = rd_wr_reg == rd_rd_reg;
wire reads_full = MAX_READS == 1 ? !reads_none : rd_wr_reg == {!rd_rd_reg[RW], rd_rd_reg[RW-1:0]};
wire [RW-1:0] rd_head = rd_rd_reg[RW-1:0];

integer i;
initial begin
    for (i = 0; i < MAX_READS; i = i + 1) begin
        rd_n[i] = 4'd0;
        rd_cyc[i] = 64'd0;
    end
end

// The next read: records up to the doorbell, the wrap and MAX_BURST. The
// wrap's limit is worked out a cycle ahead (a register, fresh unless the
// fetch index moved or the ring was disabled in the last cycle, the only
// time its size can change: no read issues then). The doorbell's is taken
// in the cycle from its low 4 bits, with no 32-bit subtract: the records
// offered modulo 16, or 15 when the last cycle's doorbell was 16 or more
// ahead (avail16_reg; it only moves on), or when the low bits are 0 but the
// doorbell is not at the fetch index. That is never more records than there
// are, and the same count as a full subtract unless the doorbell jumped past
// 16 in one write.
assign fetch_pos = {16'd0, fetch_reg[15:0] & mask};
wire [31:0] to_wrap = {16'd0, mask} - fetch_pos + 32'd1;
reg  [3:0]  wrap_lim = 4'd0;
reg         wrap_fresh = 1'b0;
reg         avail16_reg = 1'b0;            // the last cycle's doorbell was 16 or more ahead
// A read moves the fetch index on by burst_n (< 16): its low 4 bits are added
// and their carry picks the high bits or their increment, which is a cycle
// late but fresh whenever a read may issue (wrap_fresh).
wire [4:0]  fetch_lo_sum;
wire        avail = prod_index != fetch_reg;
wire [3:0]  burst_n;
tg_h2c_burst burst_inst (.prod_lo(prod_index[3:0]), .fetch_lo(fetch_reg[3:0]), .avail16(avail16_reg),
                         .wrap_lim(wrap_lim), .burst_n(burst_n));
assign fetch_lo_sum = {1'b0, fetch_reg[3:0]} + {1'b0, burst_n};

reg        desc_valid_reg = 1'b0;
reg [63:0] desc_addr_reg = 64'd0;
reg [15:0] desc_len_reg = 16'd0;

assign m_axis_dma_rd_desc_addr = desc_addr_reg;
assign m_axis_dma_rd_desc_len = desc_len_reg;
assign m_axis_dma_rd_desc_valid = desc_valid_reg;

// ---------------------------------------------------------------- read data
reg [BW-1:0] beat_reg = {BW{1'b0}};       // beat of the record being assembled
reg [3:0]   rcv_reg = 4'd0;                // records of the head read received

// output queue, OUT_DEPTH = 2: entry 0 is the head
reg [511:0] o_data0 = 512'd0, o_data1 = 512'd0;
reg [63:0]  o_cyc0 = 64'd0, o_cyc1 = 64'd0;
reg [1:0]   o_count = 2'd0;

reg [5:0]   since_wb_reg = 6'd0;           // records handed on since the index last written back
reg         wb_valid_reg = 1'b0;
reg [31:0]  wb_data_reg = 32'd0;

wire discard = flush_reg || !enable;
wire last_beat = beat_reg == LAST_BEAT;
assign s_axis_dma_rd_data_tready = !reads_none && (discard || !last_beat || o_count != 2'd2);
wire beat_go = s_axis_dma_rd_data_tvalid && s_axis_dma_rd_data_tready;

// the record: the beats before its last, each kept in its own place as it
// arrives (a decode per beat, no shifter), and the last beat as it arrives
wire [511:0] rec_full;
genvar b;
generate
    if (BEATS > 1) begin : g_asm
        reg [(BEATS-1)*DW-1:0] asm_reg = {(BEATS-1)*DW{1'b0}};
        for (b = 0; b < BEATS - 1; b = b + 1) begin : g_beat
            localparam [BW-1:0] BEAT = b;
            always @(posedge clk) begin
                if (beat_go && beat_reg == BEAT) asm_reg[b*DW +: DW] <= s_axis_dma_rd_data_tdata;
            end
        end
        assign rec_full = {s_axis_dma_rd_data_tdata, asm_reg};
    end else begin : g_whole
        assign rec_full = s_axis_dma_rd_data_tdata;
    end
endgenerate

// marker is 1 on even laps, 0 on odd laps (memory starts zeroed)
wire [7:0] marker_expected = {7'd0, marker_bit};
wire marker_ok = rec_full[TG_RING_MARKER_OFFSET*8 +: 8] == marker_expected;
wire head_last_rec = rcv_reg + 4'd1 == rd_n[rd_head];
// a record arrived whole, with its marker and tlast where they belong
wire rec_good = beat_go && !discard && last_beat && marker_ok && s_axis_dma_rd_data_tlast == head_last_rec;
// a stale marker, or a read that ended early or ran long: drop from this record on
wire rec_bad = beat_go && !discard && (last_beat ? !(marker_ok && s_axis_dma_rd_data_tlast == head_last_rec)
                                                 : s_axis_dma_rd_data_tlast);
wire read_done = beat_go && s_axis_dma_rd_data_tlast;

// ---------------------------------------------------------------- hand-off
wire out_go = m_axis_cmd_tvalid && m_axis_cmd_tready;
wire [1:0] o_left = o_count - {1'b0, out_go};  // entries after this cycle's hand-off
assign m_axis_cmd_tdata = o_data0;
assign m_axis_cmd_tuser = o_cyc0;
assign m_axis_cmd_tvalid = o_count != 2'd0 && since_wb_reg != 6'd63;

wire desc_take = !desc_valid_reg || m_axis_dma_rd_desc_ready;
wire issue = desc_take && enable && !flush_reg && !rec_bad && backoff_reg == 8'd0 &&
             wrap_fresh && avail && !reads_full;

wire wb_raise = !wb_valid_reg && enable && since_wb_reg != 6'd0 &&
                (since_wb_reg >= WB_EVERY_W || cons_reg == prod_index);

wire idle_reset = !enable && reads_none && o_count == 2'd0 && !wb_valid_reg;

assign cons_index = cons_reg;
assign busy = desc_valid_reg || !reads_none || o_count != 2'd0 || wb_valid_reg ||
              backoff_reg != 8'd0 || flush_reg || (enable && prod_index != cons_reg);

assign m_axis_wb_tdata = {{(DW-32){1'b0}}, wb_data_reg};
assign m_axis_wb_tkeep = {{(DMA_BYTES-4){1'b0}}, 4'hf};
assign m_axis_wb_tlast = 1'b1;
assign m_axis_wb_tuser = cons_addr;
assign m_axis_wb_tvalid = wb_valid_reg;

reg record_pulse_reg = 1'b0;
reg phase_wait_pulse_reg = 1'b0;
assign record_pulse = record_pulse_reg;
assign phase_wait_pulse = phase_wait_pulse_reg;

always @(posedge clk) begin
    record_pulse_reg <= out_go;
    phase_wait_pulse_reg <= rec_bad;

    wrap_lim <= to_wrap < MAX_BURST ? to_wrap[3:0] : MAX_BURST_W;
    wrap_fresh <= enable && !(issue || rec_bad || idle_reset || rst);
    avail16_reg <= prod_index - fetch_reg >= 32'd16;
    fetch_hi1_reg <= fetch_reg[31:4] + 28'd1;

    // descriptor: latched, held until taken
    if (desc_valid_reg && m_axis_dma_rd_desc_ready) begin
        desc_valid_reg <= 1'b0;
    end
    if (issue) begin
        desc_valid_reg <= 1'b1;
        desc_addr_reg <= geom_rec_addr;
        desc_len_reg <= {6'd0, burst_n, 6'd0};
        rd_n[rd_wr_reg[RW-1:0]] <= burst_n;
        rd_cyc[rd_wr_reg[RW-1:0]] <= cycle;
        rd_wr_reg <= rd_wr_reg + 1'b1;
        fetch_reg <= {fetch_lo_sum[4] ? fetch_hi1_reg : fetch_reg[31:4], fetch_lo_sum[3:0]};
    end

    // data
    if (beat_go) begin
        beat_reg <= last_beat ? {BW{1'b0}} : beat_reg + 1'b1;
        if (last_beat) rcv_reg <= rcv_reg + 4'd1;
    end
    if (read_done || rec_bad) begin
        beat_reg <= {BW{1'b0}};
        rcv_reg <= 4'd0;
    end
    if (read_done) begin
        rd_rd_reg <= rd_rd_reg + 1'b1;
    end
    if (rec_good) begin
        rx_idx_reg <= rx_idx_reg + 32'd1;
    end
    if (rec_bad) begin
        // everything from this record on is read again after the back-off
        fetch_reg <= rx_idx_reg;
        backoff_reg <= BACKOFF_CYCLES[7:0];
    end else if (backoff_reg != 8'd0) begin
        backoff_reg <= backoff_reg - 8'd1;
    end
    if (rec_bad || (!enable && !reads_none)) begin
        flush_reg <= 1'b1;
    end else if (reads_none) begin
        flush_reg <= 1'b0;
    end

    // output queue: a hand-off shifts it, a record lands in the first free entry
    if (out_go) begin
        o_data0 <= o_data1;
        o_cyc0 <= o_cyc1;
    end
    if (rec_good) begin
        if (o_left == 2'd0) begin
            o_data0 <= rec_full;
            o_cyc0 <= rd_cyc[rd_head];
        end else begin
            o_data1 <= rec_full;
            o_cyc1 <= rd_cyc[rd_head];
        end
    end
    o_count <= o_left + {1'b0, rec_good};

    // consumer index and its writeback
    if (out_go) begin
        cons_reg <= cons_reg + 32'd1;
    end
    if (wb_raise) begin
        wb_valid_reg <= 1'b1;
        wb_data_reg <= cons_reg;
        since_wb_reg <= {5'd0, out_go};
    end else if (out_go) begin
        since_wb_reg <= since_wb_reg + 6'd1;
    end
    if (wb_valid_reg && m_axis_wb_tready) begin
        wb_valid_reg <= 1'b0;
    end

    // a disabled ring restarts at index 0 once nothing is in flight
    if (idle_reset) begin
        cons_reg <= 32'd0;
        rx_idx_reg <= 32'd0;
        fetch_reg <= 32'd0;
        since_wb_reg <= 6'd0;
        backoff_reg <= 8'd0;
        beat_reg <= {BW{1'b0}};
        rcv_reg <= 4'd0;
    end

    if (rst) begin
        cons_reg <= 32'd0;
        rx_idx_reg <= 32'd0;
        fetch_reg <= 32'd0;
        backoff_reg <= 8'd0;
        flush_reg <= 1'b0;
        rd_wr_reg <= 0;
        rd_rd_reg <= 0;
        desc_valid_reg <= 1'b0;
        beat_reg <= {BW{1'b0}};
        rcv_reg <= 4'd0;
        o_count <= 2'd0;
        since_wb_reg <= 6'd0;
        wb_valid_reg <= 1'b0;
        record_pulse_reg <= 1'b0;
        phase_wait_pulse_reg <= 1'b0;
    end
end

endmodule

`resetall
