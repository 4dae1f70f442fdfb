`resetall
`timescale 1ns / 1ps
`default_nettype none

// The feed block of the core: the receive pipeline (tg_feed_rx), its
// counters, and the C2H events it sends the host:
//   MSG      one per delivered ITCH message (when msg_events is on); a
//            message longer than 39 bytes continues in a MSG_CONT record
//   MSG_CONT the rest of such a message
//   GAP      a MoldUDP64 sequence gap
// Events wait in a small queue; when the C2H side cannot take them they are
// dropped and counted (events_dropped); the parsing itself never waits.
// The framed message stream is also an output, for the order book.
module tg_feed #
(
    parameter FILTERS = 8,
    parameter MAX_FRAME = 1522
)
(
    input  wire                    clk,
    input  wire                    rst,
    input  wire [63:0]             cycle,

    input  wire                    cfg_seq_check,
    input  wire                    cfg_gap_hold,
    input  wire                    cfg_accept_all,
    input  wire                    cfg_msg_events,
    input  wire [FILTERS*32-1:0]   cfg_filter_addr,
    input  wire [FILTERS*16-1:0]   cfg_filter_port,
    input  wire [FILTERS-1:0]      cfg_filter_valid,
    input  wire                    seq_reset,
    input  wire [7:0]              type_sel,          // message type whose count type_count shows

    input  wire [63:0]             s_axis_tdata,
    input  wire [7:0]              s_axis_tkeep,
    input  wire                    s_axis_tlast,
    input  wire                    s_axis_tvalid,

    // framed messages (for the book)
    output wire                    msg_valid,
    output wire [399:0]            msg_data,
    output wire [5:0]              msg_len,
    output wire [63:0]             msg_seq,

    // events
    output wire [511:0]            m_axis_evt_tdata,
    output wire                    m_axis_evt_tvalid,
    input  wire                    m_axis_evt_tready,

    // counters
    output reg  [63:0]             parsed = 64'd0,
    output wire [16*64-1:0]        dropped,           // by reason, tg_feed_drop order
    output reg  [63:0]             packets = 64'd0,
    output reg  [63:0]             heartbeats = 64'd0,
    output reg  [63:0]             end_of_session = 64'd0,
    output reg  [63:0]             messages = 64'd0,
    output reg  [63:0]             unknown_type = 64'd0,
    output reg  [63:0]             bad_length = 64'd0,
    output reg  [63:0]             duplicate_messages = 64'd0,
    output reg  [63:0]             gaps = 64'd0,
    output reg  [63:0]             gap_messages = 64'd0,
    output reg  [63:0]             events_dropped = 64'd0,
    output wire [63:0]             type_count,
    output wire [63:0]             seq_next,
    output wire                    seq_have_session,
    output wire                    seq_holding
);

`include "tg_card_defs.vh"
`include "tg_itch_defs.vh"

wire gap_valid;
wire [63:0] gap_first, gap_last;
wire frame_done, pkt_pulse, heartbeat_pulse, eos_pulse, unknown_pulse, bad_length_pulse, dup_msg_pulse;
wire [4:0] frame_reason;

tg_feed_rx #(
    .FILTERS(FILTERS),
    .MAX_FRAME(MAX_FRAME)
)
rx_inst (
    .clk(clk),
    .rst(rst),
    .cfg_seq_check(cfg_seq_check),
    .cfg_gap_hold(cfg_gap_hold),
    .cfg_accept_all(cfg_accept_all),
    .cfg_filter_addr(cfg_filter_addr),
    .cfg_filter_port(cfg_filter_port),
    .cfg_filter_valid(cfg_filter_valid),
    .seq_reset(seq_reset),
    .s_axis_tdata(s_axis_tdata),
    .s_axis_tkeep(s_axis_tkeep),
    .s_axis_tlast(s_axis_tlast),
    .s_axis_tvalid(s_axis_tvalid),
    .msg_valid(msg_valid),
    .msg_data(msg_data),
    .msg_len(msg_len),
    .msg_seq(msg_seq),
    .gap_valid(gap_valid),
    .gap_first(gap_first),
    .gap_last(gap_last),
    .frame_done(frame_done),
    .frame_reason(frame_reason),
    .pkt_pulse(pkt_pulse),
    .heartbeat_pulse(heartbeat_pulse),
    .eos_pulse(eos_pulse),
    .unknown_pulse(unknown_pulse),
    .bad_length_pulse(bad_length_pulse),
    .dup_msg_pulse(dup_msg_pulse),
    .seq_next(seq_next),
    .seq_have_session(seq_have_session),
    .seq_holding(seq_holding)
);

// ---------------------------------------------------------------- counters
reg [63:0] drop_cnt [0:15];
reg [63:0] type_cnt [0:TG_ITCH_TYPES];    // index 0 unused (unknown)
reg [63:0] gap_span_reg = 64'd0;          // messages of the gap seen last cycle
wire [TG_ITCH_INDEX_W-1:0] msg_index = tg_itch_index(msg_data[7:0]);
wire [TG_ITCH_INDEX_W-1:0] sel_index = tg_itch_index(type_sel);

genvar g;
generate
    for (g = 0; g < 16; g = g + 1) begin : gen_drop
        assign dropped[g*64 +: 64] = drop_cnt[g];
    end
endgenerate
assign type_count = type_cnt[sel_index];

integer d;
initial begin
    for (d = 0; d < 16; d = d + 1) drop_cnt[d] = 64'd0;
    for (d = 0; d <= TG_ITCH_TYPES; d = d + 1) type_cnt[d] = 64'd0;
end

// ---------------------------------------------------------------- events
// gap events and messages enter a short queue; a long message leaves as
// MSG then MSG_CONT. Queue entry: kind, length, seq/first, last/data.
localparam QW = 2 + 6 + 64 + 64 + 400;
localparam [1:0] QK_MSG = 2'd1, QK_GAP = 2'd2;

wire want_msg = msg_valid && cfg_msg_events;
wire [QW-1:0] q_in = gap_valid ? {QK_GAP, 6'd0, cycle, gap_first, 336'd0, gap_last}
                               : {QK_MSG, msg_len, cycle, msg_seq, msg_data};
wire q_in_valid = want_msg || gap_valid;
wire q_in_ready;
wire [QW-1:0] q_out;
wire q_out_valid;
reg q_out_ready;

tg_rec_fifo #(
    .DATA_WIDTH(QW),
    .DEPTH_LOG2(2)
)
q_inst (
    .clk(clk),
    .rst(rst),
    .s_axis_tdata(q_in),
    .s_axis_tvalid(q_in_valid),
    .s_axis_tready(q_in_ready),
    .m_axis_tdata(q_out),
    .m_axis_tvalid(q_out_valid),
    .m_axis_tready(q_out_ready)
);

wire [1:0] qk = q_out[QW-1 -: 2];
wire [5:0] ql = q_out[QW-3 -: 6];
wire [63:0] qseq = q_out[400 +: 64];
wire [63:0] qts = q_out[464 +: 64];   // cycle the message or gap left the parser
wire [399:0] qdata = q_out[399:0];
wire long_msg = qk == QK_MSG && ql > 6'd39;

reg cont_reg = 1'b0;          // the MSG of the head entry went out, MSG_CONT is next
reg [511:0] evt;
always @* begin
    evt = 512'd0;
    evt[TG_C2H_TIMESTAMP_LSB +: TG_C2H_TIMESTAMP_W] = qts;
    if (qk == QK_GAP) begin
        evt[TG_C2H_TYPE_LSB +: TG_C2H_TYPE_W] = TG_C2H_EVT_GAP;
        evt[TG_C2H_GAP_FIRST_LSB +: TG_C2H_GAP_FIRST_W] = qseq;
        evt[TG_C2H_GAP_LAST_LSB +: TG_C2H_GAP_LAST_W] = qdata[63:0];
    end else if (cont_reg) begin
        evt[TG_C2H_TYPE_LSB +: TG_C2H_TYPE_W] = TG_C2H_EVT_MSG_CONT;
        evt[TG_C2H_MSG_CONT_MOLD_SEQ_LSB +: TG_C2H_MSG_CONT_MOLD_SEQ_W] = qseq;
        evt[TG_C2H_MSG_CONT_DATA_LSB +: TG_C2H_MSG_CONT_DATA_W] = qdata[39*8 +: TG_C2H_MSG_CONT_DATA_W];
    end else begin
        evt[TG_C2H_TYPE_LSB +: TG_C2H_TYPE_W] = TG_C2H_EVT_MSG;
        evt[TG_C2H_FLAGS_LSB +: TG_C2H_FLAGS_W] = {long_msg, 1'b0, ql};
        evt[TG_C2H_MSG_MOLD_SEQ_LSB +: TG_C2H_MSG_MOLD_SEQ_W] = qseq;
        evt[TG_C2H_MSG_DATA_LSB +: TG_C2H_MSG_DATA_W] = qdata[0 +: TG_C2H_MSG_DATA_W];
    end
    q_out_ready = m_axis_evt_tready && (!long_msg || cont_reg);
end

assign m_axis_evt_tdata = evt;
assign m_axis_evt_tvalid = q_out_valid;

always @(posedge clk) begin
    if (q_out_valid && m_axis_evt_tready && long_msg) begin
        cont_reg <= !cont_reg;
    end

    // each counter has its own incrementer: no counter is read through a
    // multiplexer on its way to the adder
    if (frame_done && frame_reason == 5'd31) begin
        parsed <= parsed + 64'd1;
    end
    for (d = 0; d < 16; d = d + 1) begin
        if (frame_done && frame_reason == d[4:0]) drop_cnt[d] <= drop_cnt[d] + 64'd1;
    end
    if (pkt_pulse) packets <= packets + 64'd1;
    if (heartbeat_pulse) heartbeats <= heartbeats + 64'd1;
    if (eos_pulse) end_of_session <= end_of_session + 64'd1;
    if (unknown_pulse) unknown_type <= unknown_type + 64'd1;
    if (bad_length_pulse) bad_length <= bad_length + 64'd1;
    if (dup_msg_pulse) duplicate_messages <= duplicate_messages + 64'd1;
    if (msg_valid) begin
        messages <= messages + 64'd1;
    end
    for (d = 1; d <= TG_ITCH_TYPES; d = d + 1) begin
        if (msg_valid && msg_index == d[TG_ITCH_INDEX_W-1:0]) type_cnt[d] <= type_cnt[d] + 64'd1;
    end
    // a gap's message count is worked out as it is seen and added a cycle later
    gap_span_reg <= gap_valid ? gap_last - gap_first + 64'd1 : 64'd0;
    gap_messages <= gap_messages + gap_span_reg;
    if (gap_valid) begin
        gaps <= gaps + 64'd1;
    end
    // both a message and a gap in one cycle cannot happen: a gap is decided
    // at a packet header, before any of its messages
    if (q_in_valid && !q_in_ready) begin
        events_dropped <= events_dropped + 64'd1;
    end

    if (rst) begin
        cont_reg <= 1'b0;
        parsed <= 64'd0;
        packets <= 64'd0;
        heartbeats <= 64'd0;
        end_of_session <= 64'd0;
        messages <= 64'd0;
        unknown_type <= 64'd0;
        bad_length <= 64'd0;
        duplicate_messages <= 64'd0;
        gaps <= 64'd0;
        gap_messages <= 64'd0;
        gap_span_reg <= 64'd0;
        events_dropped <= 64'd0;
        for (d = 0; d < 16; d = d + 1) drop_cnt[d] <= 64'd0;
        for (d = 0; d <= TG_ITCH_TYPES; d = d + 1) type_cnt[d] <= 64'd0;
    end
end

endmodule

`resetall
