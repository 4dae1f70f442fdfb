`resetall
`timescale 1ns / 1ps
`default_nettype none

// tickgate card core, board independent: CSR block, H2C/C2H ring engines,
// command executor, the network receive path, the market-data feed and the
// order book.
//
// Board wrappers and the simulator connect the same four interfaces: the
// AXI-Lite CSR port (PCIe BAR), the DMA read and write ports (the board's DMA
// shell, or host shared memory in simulation), and the 64-bit AXI-Stream
// network input.
module tg_core #
(
    // Value reported by the BUILD_ID register
    parameter [31:0] BUILD_ID = 32'd0,
    // log2 of the frame-summary event queue depth
    parameter RX_EVT_FIFO_LOG2 = 5,
    // log2 of the feed event queue depth
    parameter FEED_EVT_FIFO_LOG2 = 6,
    // order book: instrument slots, levels per side, order table, event queue
    parameter BOOK_INSTRUMENTS = 8,
    parameter BOOK_DEPTH = 8,
    parameter BOOK_ORDER_LOG2 = 14,
    parameter BOOK_WAYS_LOG2 = 2,
    parameter BOOK_EVT_FIFO_LOG2 = 6
)
(
    input  wire          clk,
    input  wire          rst,

    // CSR port (AXI-Lite slave, 4 KiB)
    input  wire [11:0]   s_axil_awaddr,
    input  wire [2:0]    s_axil_awprot,
    input  wire          s_axil_awvalid,
    output wire          s_axil_awready,
    input  wire [31:0]   s_axil_wdata,
    input  wire [3:0]    s_axil_wstrb,
    input  wire          s_axil_wvalid,
    output wire          s_axil_wready,
    output wire [1:0]    s_axil_bresp,
    output wire          s_axil_bvalid,
    input  wire          s_axil_bready,
    input  wire [11:0]   s_axil_araddr,
    input  wire [2:0]    s_axil_arprot,
    input  wire          s_axil_arvalid,
    output wire          s_axil_arready,
    output wire [31:0]   s_axil_rdata,
    output wire [1:0]    s_axil_rresp,
    output wire          s_axil_rvalid,
    input  wire          s_axil_rready,

    // DMA read: descriptor out, data in
    output wire [63:0]   m_axis_dma_rd_desc_addr,
    output wire [15:0]   m_axis_dma_rd_desc_len,
    output wire          m_axis_dma_rd_desc_valid,
    input  wire          m_axis_dma_rd_desc_ready,
    input  wire [63:0]   s_axis_dma_rd_data_tdata,
    input  wire          s_axis_dma_rd_data_tlast,
    input  wire          s_axis_dma_rd_data_tvalid,
    output wire          s_axis_dma_rd_data_tready,

    // DMA write: bursts, tuser = bus address of the burst, beats in order
    output wire [63:0]   m_axis_dma_wr_tdata,
    output wire [7:0]    m_axis_dma_wr_tkeep,
    output wire          m_axis_dma_wr_tlast,
    output wire [63:0]   m_axis_dma_wr_tuser,
    output wire          m_axis_dma_wr_tvalid,
    input  wire          m_axis_dma_wr_tready,

    // Network input: whole Ethernet frames without FCS
    input  wire [63:0]   s_axis_net_tdata,
    input  wire [7:0]    s_axis_net_tkeep,
    input  wire          s_axis_net_tlast,
    input  wire          s_axis_net_tvalid,
    output wire          s_axis_net_tready
);

localparam FEED_FILTERS = 8;  // the register map has eight filter entries

reg [63:0] cycle_reg = 64'd0;
reg [63:0] h2c_records_reg = 64'd0;
reg [63:0] c2h_records_reg = 64'd0;
reg [63:0] h2c_phase_waits_reg = 64'd0;
reg [63:0] cmd_errors_reg = 64'd0;

wire control_enable, control_kill, control_h2c_en, control_c2h_en;
wire [31:0] h2c_base_lo, h2c_base_hi, c2h_base_lo, c2h_base_hi;
wire [4:0] h2c_size_log2, c2h_size_log2;
wire [31:0] h2c_prod, h2c_cons, c2h_prod, c2h_cons;
wire h2c_busy, c2h_full;
wire h2c_record_pulse, h2c_phase_wait_pulse, c2h_record_pulse, cmd_error_pulse;
wire [63:0] rx_frames, rx_bytes, rx_events_dropped;
wire feed_seq_check, feed_accept_all, feed_msg_events, feed_seq_reset_go, feed_seq_reset_wr;
wire [7:0] feed_type_sel;
wire [FEED_FILTERS*32-1:0] feed_filter_addr;
wire [FEED_FILTERS*16-1:0] feed_filter_port;
wire [FEED_FILTERS-1:0] feed_filter_valid;
wire [63:0] feed_parsed, feed_packets, feed_heartbeats, feed_end_of_session, feed_messages;
wire [63:0] feed_unknown_type, feed_bad_length, feed_duplicate_messages, feed_gaps, feed_gap_messages;
wire [63:0] feed_events_dropped, feed_type_count;
wire [15*64-1:0] feed_dropped;
wire book_enable, book_events, book_reset_go, book_reset_wr, book_ready;
wire [7:0] book_inst_sel;
wire [31:0] book_sym_lo, book_sym_hi;
wire [15:0] book_inst_locate, book_state_locate;
wire book_cmd_subscribe, book_cmd_set_locate, book_cmd_unsubscribe, book_cmd_wr;
wire [5:0] book_state_flags;
wire [31:0] book_bid_price, book_bid_size, book_ask_price, book_ask_size;
wire [63:0] book_messages, book_unsubscribed, book_unknown_ref, book_duplicate_ref, book_zero_shares;
wire [63:0] book_order_overflow, book_orders, book_bbo_events, book_trade_events, book_halt_events;
wire [63:0] book_overrun, book_events_dropped;
wire feed_msg_valid;
wire [399:0] feed_msg_data;
wire [63:0] feed_msg_seq;

/* verilator lint_off PINCONNECTEMPTY */
tg_csr_regs #(
    .BUILD_ID(BUILD_ID),
    .ADDR_WIDTH(12)
)
csr_inst (
    .clk(clk),
    .rst(rst),
    .s_axil_awaddr(s_axil_awaddr),
    .s_axil_awprot(s_axil_awprot),
    .s_axil_awvalid(s_axil_awvalid),
    .s_axil_awready(s_axil_awready),
    .s_axil_wdata(s_axil_wdata),
    .s_axil_wstrb(s_axil_wstrb),
    .s_axil_wvalid(s_axil_wvalid),
    .s_axil_wready(s_axil_wready),
    .s_axil_bresp(s_axil_bresp),
    .s_axil_bvalid(s_axil_bvalid),
    .s_axil_bready(s_axil_bready),
    .s_axil_araddr(s_axil_araddr),
    .s_axil_arprot(s_axil_arprot),
    .s_axil_arvalid(s_axil_arvalid),
    .s_axil_arready(s_axil_arready),
    .s_axil_rdata(s_axil_rdata),
    .s_axil_rresp(s_axil_rresp),
    .s_axil_rvalid(s_axil_rvalid),
    .s_axil_rready(s_axil_rready),
    // SCRATCH is storage for the host only; nothing in the card reads it
    .csr_scratch_value(),
    .csr_control_enable(control_enable),
    .csr_kill_engaged(control_kill),
    .csr_ring_control_h2c_en(control_h2c_en),
    .csr_ring_control_c2h_en(control_c2h_en),
    .csr_h2c_base_lo_addr(h2c_base_lo),
    .csr_h2c_base_hi_addr(h2c_base_hi),
    .csr_h2c_size_log2(h2c_size_log2),
    .csr_h2c_prod_index(h2c_prod),
    .csr_c2h_base_lo_addr(c2h_base_lo),
    .csr_c2h_base_hi_addr(c2h_base_hi),
    .csr_c2h_size_log2(c2h_size_log2),
    .csr_c2h_cons_index(c2h_cons),
    .csr_feed_control_seq_check(feed_seq_check),
    .csr_feed_control_accept_all(feed_accept_all),
    .csr_feed_control_msg_events(feed_msg_events),
    .csr_feed_seq_reset_go(feed_seq_reset_go),
    .csr_feed_seq_reset_wr(feed_seq_reset_wr),
    .csr_feed_type_sel_type(feed_type_sel),
    .csr_book_control_enable(book_enable),
    .csr_book_control_events(book_events),
    .csr_book_reset_go(book_reset_go),
    .csr_book_reset_wr(book_reset_wr),
    .csr_book_inst_sel_index(book_inst_sel),
    .csr_book_inst_symbol_lo_chars(book_sym_lo),
    .csr_book_inst_symbol_hi_chars(book_sym_hi),
    .csr_book_inst_locate_locate(book_inst_locate),
    .csr_book_inst_cmd_subscribe(book_cmd_subscribe),
    .csr_book_inst_cmd_set_locate(book_cmd_set_locate),
    .csr_book_inst_cmd_unsubscribe(book_cmd_unsubscribe),
    .csr_book_inst_cmd_wr(book_cmd_wr),
    .csr_book_status_ready(book_ready),
    .csr_book_params_instruments(BOOK_INSTRUMENTS[7:0]),
    .csr_book_params_depth(BOOK_DEPTH[7:0]),
    .csr_book_params_order_log2(BOOK_ORDER_LOG2[5:0]),
    .csr_book_params_ways_log2(BOOK_WAYS_LOG2[3:0]),
    .csr_book_inst_state_subscribed(book_state_flags[0]),
    .csr_book_inst_state_locate_valid(book_state_flags[1]),
    .csr_book_inst_state_halted(book_state_flags[2]),
    .csr_book_inst_state_authoritative(book_state_flags[3]),
    .csr_book_inst_state_bid_truncated(book_state_flags[4]),
    .csr_book_inst_state_ask_truncated(book_state_flags[5]),
    .csr_book_inst_state_locate(book_state_locate),
    .csr_book_inst_bid_price_price(book_bid_price),
    .csr_book_inst_bid_size_shares(book_bid_size),
    .csr_book_inst_ask_price_price(book_ask_price),
    .csr_book_inst_ask_size_shares(book_ask_size),
    .csr_book_messages(book_messages),
    .csr_book_unsubscribed(book_unsubscribed),
    .csr_book_unknown_ref(book_unknown_ref),
    .csr_book_duplicate_ref(book_duplicate_ref),
    .csr_book_zero_shares(book_zero_shares),
    .csr_book_order_overflow(book_order_overflow),
    .csr_book_orders(book_orders),
    .csr_book_bbo_events(book_bbo_events),
    .csr_book_trade_events(book_trade_events),
    .csr_book_halt_events(book_halt_events),
    .csr_book_overrun(book_overrun),
    .csr_book_events_dropped(book_events_dropped),
    .csr_feed_filter0_addr_addr(feed_filter_addr[0*32 +: 32]),
    .csr_feed_filter0_port_port(feed_filter_port[0*16 +: 16]),
    .csr_feed_filter0_port_valid(feed_filter_valid[0]),
    .csr_feed_filter1_addr_addr(feed_filter_addr[1*32 +: 32]),
    .csr_feed_filter1_port_port(feed_filter_port[1*16 +: 16]),
    .csr_feed_filter1_port_valid(feed_filter_valid[1]),
    .csr_feed_filter2_addr_addr(feed_filter_addr[2*32 +: 32]),
    .csr_feed_filter2_port_port(feed_filter_port[2*16 +: 16]),
    .csr_feed_filter2_port_valid(feed_filter_valid[2]),
    .csr_feed_filter3_addr_addr(feed_filter_addr[3*32 +: 32]),
    .csr_feed_filter3_port_port(feed_filter_port[3*16 +: 16]),
    .csr_feed_filter3_port_valid(feed_filter_valid[3]),
    .csr_feed_filter4_addr_addr(feed_filter_addr[4*32 +: 32]),
    .csr_feed_filter4_port_port(feed_filter_port[4*16 +: 16]),
    .csr_feed_filter4_port_valid(feed_filter_valid[4]),
    .csr_feed_filter5_addr_addr(feed_filter_addr[5*32 +: 32]),
    .csr_feed_filter5_port_port(feed_filter_port[5*16 +: 16]),
    .csr_feed_filter5_port_valid(feed_filter_valid[5]),
    .csr_feed_filter6_addr_addr(feed_filter_addr[6*32 +: 32]),
    .csr_feed_filter6_port_port(feed_filter_port[6*16 +: 16]),
    .csr_feed_filter6_port_valid(feed_filter_valid[6]),
    .csr_feed_filter7_addr_addr(feed_filter_addr[7*32 +: 32]),
    .csr_feed_filter7_port_port(feed_filter_port[7*16 +: 16]),
    .csr_feed_filter7_port_valid(feed_filter_valid[7]),
    .csr_status_enabled(control_enable),
    .csr_status_killed(control_kill),
    .csr_status_h2c_running(control_h2c_en),
    .csr_status_c2h_running(control_c2h_en),
    .csr_status_h2c_busy(h2c_busy),
    .csr_status_c2h_full(c2h_full),
    .csr_h2c_cons_index(h2c_cons),
    .csr_c2h_prod_index(c2h_prod),
    .csr_uptime(cycle_reg),
    .csr_rx_frames(rx_frames),
    .csr_rx_bytes(rx_bytes),
    .csr_rx_events_dropped(rx_events_dropped),
    .csr_h2c_records(h2c_records_reg),
    .csr_c2h_records(c2h_records_reg),
    .csr_h2c_phase_waits(h2c_phase_waits_reg),
    .csr_cmd_errors(cmd_errors_reg),
    .csr_feed_parsed(feed_parsed),
    .csr_feed_drop_runt(feed_dropped[0*64 +: 64]),
    .csr_feed_drop_jumbo(feed_dropped[1*64 +: 64]),
    .csr_feed_drop_not_ipv4(feed_dropped[2*64 +: 64]),
    .csr_feed_drop_ip_header(feed_dropped[3*64 +: 64]),
    .csr_feed_drop_ip_truncated(feed_dropped[4*64 +: 64]),
    .csr_feed_drop_ip_checksum(feed_dropped[5*64 +: 64]),
    .csr_feed_drop_ip_fragment(feed_dropped[6*64 +: 64]),
    .csr_feed_drop_not_udp(feed_dropped[7*64 +: 64]),
    .csr_feed_drop_udp_length(feed_dropped[8*64 +: 64]),
    .csr_feed_drop_udp_filter(feed_dropped[9*64 +: 64]),
    .csr_feed_drop_mold_short(feed_dropped[10*64 +: 64]),
    .csr_feed_drop_mold_session(feed_dropped[11*64 +: 64]),
    .csr_feed_drop_mold_duplicate(feed_dropped[12*64 +: 64]),
    .csr_feed_drop_msg_overrun(feed_dropped[13*64 +: 64]),
    .csr_feed_drop_msg_runt(feed_dropped[14*64 +: 64]),
    .csr_feed_packets(feed_packets),
    .csr_feed_heartbeats(feed_heartbeats),
    .csr_feed_end_of_session(feed_end_of_session),
    .csr_feed_messages(feed_messages),
    .csr_feed_unknown_type(feed_unknown_type),
    .csr_feed_bad_length(feed_bad_length),
    .csr_feed_duplicate_messages(feed_duplicate_messages),
    .csr_feed_gaps(feed_gaps),
    .csr_feed_gap_messages(feed_gap_messages),
    .csr_feed_events_dropped(feed_events_dropped),
    .csr_feed_type_count(feed_type_count)
);
/* verilator lint_on PINCONNECTEMPTY */

// H2C ring -> command executor
wire [511:0] cmd_tdata;
wire [63:0] cmd_tuser;
wire cmd_tvalid, cmd_tready;
wire [63:0] wb_tdata, wb_tuser;
wire [7:0] wb_tkeep;
wire wb_tlast, wb_tvalid, wb_tready;

tg_h2c_ring h2c_inst (
    .clk(clk),
    .rst(rst),
    .enable(control_h2c_en),
    .base_addr({h2c_base_hi, h2c_base_lo}),
    .size_log2(h2c_size_log2),
    .prod_index(h2c_prod),
    .cons_index(h2c_cons),
    .busy(h2c_busy),
    .cycle(cycle_reg),
    .m_axis_dma_rd_desc_addr(m_axis_dma_rd_desc_addr),
    .m_axis_dma_rd_desc_len(m_axis_dma_rd_desc_len),
    .m_axis_dma_rd_desc_valid(m_axis_dma_rd_desc_valid),
    .m_axis_dma_rd_desc_ready(m_axis_dma_rd_desc_ready),
    .s_axis_dma_rd_data_tdata(s_axis_dma_rd_data_tdata),
    .s_axis_dma_rd_data_tlast(s_axis_dma_rd_data_tlast),
    .s_axis_dma_rd_data_tvalid(s_axis_dma_rd_data_tvalid),
    .s_axis_dma_rd_data_tready(s_axis_dma_rd_data_tready),
    .m_axis_wb_tdata(wb_tdata),
    .m_axis_wb_tkeep(wb_tkeep),
    .m_axis_wb_tlast(wb_tlast),
    .m_axis_wb_tuser(wb_tuser),
    .m_axis_wb_tvalid(wb_tvalid),
    .m_axis_wb_tready(wb_tready),
    .m_axis_cmd_tdata(cmd_tdata),
    .m_axis_cmd_tuser(cmd_tuser),
    .m_axis_cmd_tvalid(cmd_tvalid),
    .m_axis_cmd_tready(cmd_tready),
    .record_pulse(h2c_record_pulse),
    .phase_wait_pulse(h2c_phase_wait_pulse)
);

// command answers
wire [511:0] ans_tdata;
wire ans_tvalid, ans_tready;

tg_cmd_exec exec_inst (
    .clk(clk),
    .rst(rst),
    .cycle(cycle_reg),
    .s_axis_cmd_tdata(cmd_tdata),
    .s_axis_cmd_tuser(cmd_tuser),
    .s_axis_cmd_tvalid(cmd_tvalid),
    .s_axis_cmd_tready(cmd_tready),
    .m_axis_evt_tdata(ans_tdata),
    .m_axis_evt_tvalid(ans_tvalid),
    .m_axis_evt_tready(ans_tready),
    .cmd_error_pulse(cmd_error_pulse)
);

// network receive path -> event queue
wire [511:0] rx_evt_tdata, rxq_tdata;
wire rx_evt_tvalid, rx_evt_tready, rxq_tvalid, rxq_tready;

tg_rx_summary rx_inst (
    .clk(clk),
    .rst(rst),
    .enable(control_enable),
    .cycle(cycle_reg),
    .s_axis_net_tdata(s_axis_net_tdata),
    .s_axis_net_tkeep(s_axis_net_tkeep),
    .s_axis_net_tlast(s_axis_net_tlast),
    .s_axis_net_tvalid(s_axis_net_tvalid),
    .s_axis_net_tready(s_axis_net_tready),
    .m_axis_evt_tdata(rx_evt_tdata),
    .m_axis_evt_tvalid(rx_evt_tvalid),
    .m_axis_evt_tready(rx_evt_tready),
    .rx_frames(rx_frames),
    .rx_bytes(rx_bytes),
    .rx_events_dropped(rx_events_dropped)
);

tg_rec_fifo #(
    .DATA_WIDTH(512),
    .DEPTH_LOG2(RX_EVT_FIFO_LOG2)
)
rxq_inst (
    .clk(clk),
    .rst(rst),
    .s_axis_tdata(rx_evt_tdata),
    .s_axis_tvalid(rx_evt_tvalid),
    .s_axis_tready(rx_evt_tready),
    .m_axis_tdata(rxq_tdata),
    .m_axis_tvalid(rxq_tvalid),
    .m_axis_tready(rxq_tready)
);

// market-data feed -> feed event queue
wire [511:0] feed_evt_tdata, feedq_tdata;
wire feed_evt_tvalid, feed_evt_tready, feedq_tvalid, feedq_tready;

/* verilator lint_off PINCONNECTEMPTY */
tg_feed #(
    .FILTERS(FEED_FILTERS)
)
feed_inst (
    .clk(clk),
    .rst(rst),
    .cycle(cycle_reg),
    .cfg_seq_check(feed_seq_check),
    .cfg_accept_all(feed_accept_all),
    .cfg_msg_events(feed_msg_events),
    .cfg_filter_addr(feed_filter_addr),
    .cfg_filter_port(feed_filter_port),
    .cfg_filter_valid(feed_filter_valid),
    .seq_reset(feed_seq_reset_wr && feed_seq_reset_go),
    .type_sel(feed_type_sel),
    .s_axis_tdata(s_axis_net_tdata),
    .s_axis_tkeep(s_axis_net_tkeep),
    .s_axis_tlast(s_axis_net_tlast),
    .s_axis_tvalid(s_axis_net_tvalid),
    .msg_valid(feed_msg_valid),
    .msg_data(feed_msg_data),
    .msg_len(),
    .msg_seq(feed_msg_seq),
    .m_axis_evt_tdata(feed_evt_tdata),
    .m_axis_evt_tvalid(feed_evt_tvalid),
    .m_axis_evt_tready(feed_evt_tready),
    .parsed(feed_parsed),
    .dropped(feed_dropped),
    .packets(feed_packets),
    .heartbeats(feed_heartbeats),
    .end_of_session(feed_end_of_session),
    .messages(feed_messages),
    .unknown_type(feed_unknown_type),
    .bad_length(feed_bad_length),
    .duplicate_messages(feed_duplicate_messages),
    .gaps(feed_gaps),
    .gap_messages(feed_gap_messages),
    .events_dropped(feed_events_dropped),
    .type_count(feed_type_count)
);
/* verilator lint_on PINCONNECTEMPTY */

tg_rec_fifo #(
    .DATA_WIDTH(512),
    .DEPTH_LOG2(FEED_EVT_FIFO_LOG2)
)
feedq_inst (
    .clk(clk),
    .rst(rst),
    .s_axis_tdata(feed_evt_tdata),
    .s_axis_tvalid(feed_evt_tvalid),
    .s_axis_tready(feed_evt_tready),
    .m_axis_tdata(feedq_tdata),
    .m_axis_tvalid(feedq_tvalid),
    .m_axis_tready(feedq_tready)
);

// feed messages -> order book -> book event queue
wire [511:0] book_evt_tdata, bookq_tdata;
wire book_evt_tvalid, book_evt_tready, bookq_tvalid, bookq_tready;

/* verilator lint_off PINCONNECTEMPTY */
tg_book #(
    .INSTRUMENTS(BOOK_INSTRUMENTS),
    .DEPTH(BOOK_DEPTH),
    .ORDER_LOG2(BOOK_ORDER_LOG2),
    .WAYS_LOG2(BOOK_WAYS_LOG2)
)
book_inst (
    .clk(clk),
    .rst(rst),
    .cycle(cycle_reg),
    .cfg_enable(book_enable),
    .cfg_events(book_events),
    .book_reset(book_reset_wr && book_reset_go),
    .inst_sel(book_inst_sel),
    .inst_symbol({book_sym_hi, book_sym_lo}),
    .inst_locate(book_inst_locate),
    .inst_cmd_wr(book_cmd_wr),
    .inst_cmd_subscribe(book_cmd_subscribe),
    .inst_cmd_set_locate(book_cmd_set_locate),
    .inst_cmd_unsubscribe(book_cmd_unsubscribe),
    .inst_state_locate(book_state_locate),
    .inst_state_flags(book_state_flags),
    .inst_bid_price(book_bid_price),
    .inst_bid_size(book_bid_size),
    .inst_ask_price(book_ask_price),
    .inst_ask_size(book_ask_size),
    .ready(book_ready),
    // the risk gate will read these
    .halted(),
    .msg_valid(feed_msg_valid),
    .msg_data(feed_msg_data),
    .msg_seq(feed_msg_seq),
    .m_axis_evt_tdata(book_evt_tdata),
    .m_axis_evt_tvalid(book_evt_tvalid),
    .m_axis_evt_tready(book_evt_tready),
    .messages(book_messages),
    .unsubscribed(book_unsubscribed),
    .unknown_ref(book_unknown_ref),
    .duplicate_ref(book_duplicate_ref),
    .zero_shares(book_zero_shares),
    .order_overflow(book_order_overflow),
    .orders(book_orders),
    .bbo_events(book_bbo_events),
    .trade_events(book_trade_events),
    .halt_events(book_halt_events),
    .overrun(book_overrun),
    .events_dropped(book_events_dropped)
);
/* verilator lint_on PINCONNECTEMPTY */

tg_rec_fifo #(
    .DATA_WIDTH(512),
    .DEPTH_LOG2(BOOK_EVT_FIFO_LOG2)
)
bookq_inst (
    .clk(clk),
    .rst(rst),
    .s_axis_tdata(book_evt_tdata),
    .s_axis_tvalid(book_evt_tvalid),
    .s_axis_tready(book_evt_tready),
    .m_axis_tdata(bookq_tdata),
    .m_axis_tvalid(bookq_tvalid),
    .m_axis_tready(bookq_tready)
);

// events -> C2H ring: command answers, frame summaries, feed and book
// events, round robin at each of three stages
wire [511:0] md_evt_tdata, net_evt_tdata, evt_tdata;
wire md_evt_tvalid, md_evt_tready, net_evt_tvalid, net_evt_tready, evt_tvalid, evt_tready;

tg_rec_arb #(
    .DATA_WIDTH(512)
)
md_arb_inst (
    .clk(clk),
    .rst(rst),
    .s0_axis_tdata(bookq_tdata),
    .s0_axis_tvalid(bookq_tvalid),
    .s0_axis_tready(bookq_tready),
    .s1_axis_tdata(feedq_tdata),
    .s1_axis_tvalid(feedq_tvalid),
    .s1_axis_tready(feedq_tready),
    .m_axis_tdata(md_evt_tdata),
    .m_axis_tvalid(md_evt_tvalid),
    .m_axis_tready(md_evt_tready)
);

tg_rec_arb #(
    .DATA_WIDTH(512)
)
net_arb_inst (
    .clk(clk),
    .rst(rst),
    .s0_axis_tdata(md_evt_tdata),
    .s0_axis_tvalid(md_evt_tvalid),
    .s0_axis_tready(md_evt_tready),
    .s1_axis_tdata(rxq_tdata),
    .s1_axis_tvalid(rxq_tvalid),
    .s1_axis_tready(rxq_tready),
    .m_axis_tdata(net_evt_tdata),
    .m_axis_tvalid(net_evt_tvalid),
    .m_axis_tready(net_evt_tready)
);

tg_rec_arb #(
    .DATA_WIDTH(512)
)
evt_arb_inst (
    .clk(clk),
    .rst(rst),
    .s0_axis_tdata(ans_tdata),
    .s0_axis_tvalid(ans_tvalid),
    .s0_axis_tready(ans_tready),
    .s1_axis_tdata(net_evt_tdata),
    .s1_axis_tvalid(net_evt_tvalid),
    .s1_axis_tready(net_evt_tready),
    .m_axis_tdata(evt_tdata),
    .m_axis_tvalid(evt_tvalid),
    .m_axis_tready(evt_tready)
);

wire [63:0] c2h_wr_tdata, c2h_wr_tuser;
wire [7:0] c2h_wr_tkeep;
wire c2h_wr_tlast, c2h_wr_tvalid, c2h_wr_tready;

tg_c2h_ring c2h_inst (
    .clk(clk),
    .rst(rst),
    .enable(control_c2h_en),
    .base_addr({c2h_base_hi, c2h_base_lo}),
    .size_log2(c2h_size_log2),
    .cons_index(c2h_cons),
    .prod_index(c2h_prod),
    .full(c2h_full),
    .s_axis_evt_tdata(evt_tdata),
    .s_axis_evt_tvalid(evt_tvalid),
    .s_axis_evt_tready(evt_tready),
    .m_axis_dma_wr_tdata(c2h_wr_tdata),
    .m_axis_dma_wr_tkeep(c2h_wr_tkeep),
    .m_axis_dma_wr_tlast(c2h_wr_tlast),
    .m_axis_dma_wr_tuser(c2h_wr_tuser),
    .m_axis_dma_wr_tvalid(c2h_wr_tvalid),
    .m_axis_dma_wr_tready(c2h_wr_tready),
    .record_pulse(c2h_record_pulse)
);

tg_dma_wr_mux wr_mux_inst (
    .clk(clk),
    .rst(rst),
    .s0_axis_tdata(wb_tdata),
    .s0_axis_tkeep(wb_tkeep),
    .s0_axis_tlast(wb_tlast),
    .s0_axis_tuser(wb_tuser),
    .s0_axis_tvalid(wb_tvalid),
    .s0_axis_tready(wb_tready),
    .s1_axis_tdata(c2h_wr_tdata),
    .s1_axis_tkeep(c2h_wr_tkeep),
    .s1_axis_tlast(c2h_wr_tlast),
    .s1_axis_tuser(c2h_wr_tuser),
    .s1_axis_tvalid(c2h_wr_tvalid),
    .s1_axis_tready(c2h_wr_tready),
    .m_axis_tdata(m_axis_dma_wr_tdata),
    .m_axis_tkeep(m_axis_dma_wr_tkeep),
    .m_axis_tlast(m_axis_dma_wr_tlast),
    .m_axis_tuser(m_axis_dma_wr_tuser),
    .m_axis_tvalid(m_axis_dma_wr_tvalid),
    .m_axis_tready(m_axis_dma_wr_tready)
);

always @(posedge clk) begin
    cycle_reg <= cycle_reg + 64'd1;
    if (h2c_record_pulse) h2c_records_reg <= h2c_records_reg + 64'd1;
    if (c2h_record_pulse) c2h_records_reg <= c2h_records_reg + 64'd1;
    if (h2c_phase_wait_pulse) h2c_phase_waits_reg <= h2c_phase_waits_reg + 64'd1;
    if (cmd_error_pulse) cmd_errors_reg <= cmd_errors_reg + 64'd1;

    if (rst) begin
        cycle_reg <= 64'd0;
        h2c_records_reg <= 64'd0;
        c2h_records_reg <= 64'd0;
        h2c_phase_waits_reg <= 64'd0;
        cmd_errors_reg <= 64'd0;
    end
end

endmodule

`resetall
