`resetall
`timescale 1ns / 1ps
`default_nettype none

// tickgate card core, board independent: CSR block, H2C/C2H ring engines,
// command executor, the network receive path, the market-data feed, the
// order book, the pre-trade risk gate and order entry.
//
// Board wrappers and the simulator connect the same interfaces: the AXI-Lite
// CSR port (PCIe BAR), the DMA read and write ports (the board's DMA shell,
// or host shared memory in simulation; DMA_BYTES wide, 256 bits by default
// as a PCIe Gen3 x8 DMA shell's AXI-Stream is), the 64-bit AXI-Stream network input,
// and the order-entry byte streams to and from the exchange's SoupBinTCP
// session (the board's TCP offload, or the simulator's socket).
module tg_core #
(
    // Value reported by the BUILD_ID register
    parameter [31:0] BUILD_ID = 32'd0,
    // Bytes a beat of the DMA read and write data: 8, 16, 32 or 64 (a
    // 64-byte ring record is 64 / DMA_BYTES beats)
    parameter DMA_BYTES = 32,
    // log2 of the frame-summary event queue depth
    parameter RX_EVT_FIFO_LOG2 = 5,
    // log2 of the feed event queue depth
    parameter FEED_EVT_FIFO_LOG2 = 6,
    // order book: instrument slots, levels per side, order table, event queue
    parameter BOOK_INSTRUMENTS = 8,
    parameter BOOK_DEPTH = 8,
    parameter BOOK_ORDER_LOG2 = 14,
    parameter BOOK_WAYS_LOG2 = 2,
    parameter BOOK_EVT_FIFO_LOG2 = 6,
    // risk gate: order slots (power of two); its instruments are the book's
    parameter RISK_SLOTS = 64
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
    input  wire [DMA_BYTES*8-1:0] s_axis_dma_rd_data_tdata,
    input  wire          s_axis_dma_rd_data_tlast,
    input  wire          s_axis_dma_rd_data_tvalid,
    output wire          s_axis_dma_rd_data_tready,

    // DMA write: bursts, tuser = bus address of the burst, beats in order
    output wire [DMA_BYTES*8-1:0] m_axis_dma_wr_tdata,
    output wire [DMA_BYTES-1:0]   m_axis_dma_wr_tkeep,
    output wire          m_axis_dma_wr_tlast,
    output wire [63:0]   m_axis_dma_wr_tuser,
    output wire          m_axis_dma_wr_tvalid,
    input  wire          m_axis_dma_wr_tready,

    // Network input: whole Ethernet frames without FCS
    input  wire [63:0]   s_axis_net_tdata,
    input  wire [7:0]    s_axis_net_tkeep,
    input  wire          s_axis_net_tlast,
    input  wire          s_axis_net_tvalid,
    output wire          s_axis_net_tready,

    // Order entry: SoupBinTCP packets to the exchange (one per frame) and
    // the exchange's SoupBinTCP byte stream back
    output wire [63:0]   m_axis_oe_tdata,
    output wire [7:0]    m_axis_oe_tkeep,
    output wire          m_axis_oe_tlast,
    output wire          m_axis_oe_tvalid,
    input  wire          m_axis_oe_tready,
    input  wire [63:0]   s_axis_oe_tdata,
    input  wire [7:0]    s_axis_oe_tkeep,
    input  wire          s_axis_oe_tvalid,
    output wire          s_axis_oe_tready
);

localparam FEED_FILTERS = 8;  // the register map has eight filter entries
localparam integer RISK_SLOTS_LOG2 = $clog2(RISK_SLOTS);

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
wire feed_seq_check, feed_gap_hold, feed_accept_all, feed_msg_events, feed_seq_reset_go, feed_seq_reset_wr;
wire [7:0] feed_type_sel;
wire [FEED_FILTERS*32-1:0] feed_filter_addr;
wire [FEED_FILTERS*16-1:0] feed_filter_port;
wire [FEED_FILTERS-1:0] feed_filter_valid;
wire [63:0] feed_parsed, feed_packets, feed_heartbeats, feed_end_of_session, feed_messages;
wire [63:0] feed_unknown_type, feed_bad_length, feed_duplicate_messages, feed_gaps, feed_gap_messages;
wire [63:0] feed_events_dropped, feed_type_count, feed_seq_next;
wire feed_have_session, feed_holding;
wire [16*64-1:0] feed_dropped;
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
wire [4:0] risk_sel_field, risk_sel_reason;
wire risk_sel_shadow;
wire [7:0] risk_sel_inst;
wire [31:0] risk_value_lo, risk_value_hi;
wire [3:0] risk_cmd_op;
wire risk_cmd_wr;
wire risk_cmd_pending, risk_cmd_overrun, risk_killed, risk_wd_tripped, risk_sweeping;
wire [31:0] wd_timeout;
wire heartbeat_wr, wd_reset_go, wd_reset_wr;
wire [63:0] risk_limit, risk_position, risk_open_buy, risk_open_sell, risk_rate_tat, risk_rate_tat_all;
wire [63:0] risk_exp_long, risk_exp_short, risk_gross, risk_net_long, risk_net_short;
wire [63:0] risk_decided, risk_bad_inputs, risk_unmatched;
wire [15:0] risk_open_orders, risk_open_all;
wire [2:0] risk_inst_flags;
wire [31:0] risk_ref_price;
wire [15:0] risk_slot_sel;
wire [2:0] risk_slot_state;
wire [7:0] risk_slot_inst;
wire [31:0] risk_slot_rem, risk_slot_price, oe_slot_urn;
wire [63:0] book_state_symbol;
wire [4:0] lat_bin;
wire lat_clear_go, lat_clear_wr;
wire [31:0] order_lat_last, order_lat_min, order_lat_max, kill_lat_last;
wire [63:0] order_lat_count, order_lat_sum, order_lat_bin, kill_lat_count, kill_lat_bin;
wire oe_load_urn, oe_reset_rx, oe_ctl_wr;
wire [31:0] oe_urn_load, oe_urn_next;
wire [63:0] oe_sent_enter, oe_sent_replace, oe_sent_cancel, oe_tx_bytes;
wire [63:0] oe_rx_packets, oe_rx_sequenced, oe_rx_bad, oe_rx_unmatched;
wire [BOOK_INSTRUMENTS-1:0] book_halted;
wire [BOOK_INSTRUMENTS*32-1:0] book_top_bid, book_top_ask;
wire book_trade_valid;
wire [7:0] book_trade_inst;
wire [31:0] book_trade_price;

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
    .csr_feed_control_gap_hold(feed_gap_hold),
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
    .csr_feed_drop_mold_ahead(feed_dropped[15*64 +: 64]),
    .csr_feed_next_seq(feed_seq_next),
    .csr_feed_status_have_session(feed_have_session),
    .csr_feed_status_holding(feed_holding),
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
    .csr_feed_type_count(feed_type_count),
    .csr_risk_sel_field(risk_sel_field),
    .csr_risk_sel_shadow(risk_sel_shadow),
    .csr_risk_sel_inst(risk_sel_inst),
    .csr_risk_sel_reason(risk_sel_reason),
    .csr_risk_value_lo_value(risk_value_lo),
    .csr_risk_value_hi_value(risk_value_hi),
    .csr_risk_cmd_op(risk_cmd_op),
    .csr_risk_cmd_wr(risk_cmd_wr),
    .csr_risk_status_cmd_pending(risk_cmd_pending),
    .csr_risk_status_cmd_overrun(risk_cmd_overrun),
    .csr_risk_status_killed(risk_killed),
    .csr_risk_status_watchdog_tripped(risk_wd_tripped),
    .csr_risk_status_sweeping(risk_sweeping),
    .csr_risk_params_instruments(BOOK_INSTRUMENTS[7:0]),
    .csr_risk_params_slots_log2(RISK_SLOTS_LOG2[3:0]),
    .csr_watchdog_timeout_units(wd_timeout),
    .csr_heartbeat_value(),
    .csr_heartbeat_wr(heartbeat_wr),
    .csr_watchdog_control_reset(wd_reset_go),
    .csr_watchdog_control_wr(wd_reset_wr),
    .csr_risk_limit(risk_limit),
    .csr_risk_inst_position(risk_position),
    .csr_risk_inst_open_buy(risk_open_buy),
    .csr_risk_inst_open_sell(risk_open_sell),
    .csr_risk_inst_state_open_orders(risk_open_orders),
    .csr_risk_inst_state_killed(risk_inst_flags[2]),
    .csr_risk_inst_state_halted_host(risk_inst_flags[1]),
    .csr_risk_inst_state_halted_feed(risk_inst_flags[0]),
    .csr_risk_inst_ref_price_price(risk_ref_price),
    .csr_risk_inst_rate_tat(risk_rate_tat),
    .csr_risk_rate_tat_all(risk_rate_tat_all),
    .csr_risk_inst_exposure_long(risk_exp_long),
    .csr_risk_inst_exposure_short(risk_exp_short),
    .csr_risk_gross(risk_gross),
    .csr_risk_net_long(risk_net_long),
    .csr_risk_net_short(risk_net_short),
    .csr_risk_open_all_orders(risk_open_all),
    .csr_risk_decided(risk_decided),
    .csr_risk_slot_sel_slot(risk_slot_sel),
    .csr_risk_slot_state_open(risk_slot_state[0]),
    .csr_risk_slot_state_side(risk_slot_state[2:1]),
    .csr_risk_slot_state_inst(risk_slot_inst),
    .csr_risk_slot_rem_shares(risk_slot_rem),
    .csr_risk_slot_price_price(risk_slot_price),
    .csr_oe_slot_urn_urn(oe_slot_urn),
    .csr_book_inst_sym_lo_chars(book_state_symbol[31:0]),
    .csr_book_inst_sym_hi_chars(book_state_symbol[63:32]),
    .csr_risk_bad_inputs(risk_bad_inputs),
    .csr_risk_unmatched(risk_unmatched),
    .csr_lat_sel_bin(lat_bin),
    .csr_lat_control_clear(lat_clear_go),
    .csr_lat_control_wr(lat_clear_wr),
    .csr_order_lat_last_cycles(order_lat_last),
    .csr_order_lat_min_cycles(order_lat_min),
    .csr_order_lat_max_cycles(order_lat_max),
    .csr_kill_lat_last_cycles(kill_lat_last),
    .csr_order_lat_count(order_lat_count),
    .csr_order_lat_sum(order_lat_sum),
    .csr_order_lat_bin(order_lat_bin),
    .csr_kill_lat_count(kill_lat_count),
    .csr_kill_lat_bin(kill_lat_bin),
    .csr_oe_control_load_urn(oe_load_urn),
    .csr_oe_control_reset_rx(oe_reset_rx),
    .csr_oe_control_wr(oe_ctl_wr),
    .csr_oe_urn_load_seq(oe_urn_load),
    .csr_oe_urn_next_seq(oe_urn_next),
    .csr_oe_sent_enter(oe_sent_enter),
    .csr_oe_sent_replace(oe_sent_replace),
    .csr_oe_sent_cancel(oe_sent_cancel),
    .csr_oe_tx_bytes(oe_tx_bytes),
    .csr_oe_rx_packets(oe_rx_packets),
    .csr_oe_rx_sequenced(oe_rx_sequenced),
    .csr_oe_rx_bad(oe_rx_bad),
    .csr_oe_rx_unmatched(oe_rx_unmatched)
);
/* verilator lint_on PINCONNECTEMPTY */

// H2C ring -> command executor
wire [511:0] cmd_tdata;
wire [63:0] cmd_tuser;
wire cmd_tvalid, cmd_tready;
wire [DMA_BYTES*8-1:0] wb_tdata;
wire [63:0] wb_tuser;
wire [DMA_BYTES-1:0] wb_tkeep;
wire wb_tlast, wb_tvalid, wb_tready;

tg_h2c_ring #(
    .MAX_BURST(8),
    .MAX_READS(8),
    .DMA_BYTES(DMA_BYTES)
)
h2c_inst (
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

// command answers, and orders for the gate
wire [511:0] ord_tdata;
wire ord_tvalid, ord_tready;
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
    .m_axis_ord_tdata(ord_tdata),
    .m_axis_ord_tvalid(ord_tvalid),
    .m_axis_ord_tready(ord_tready),
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
    .cfg_gap_hold(feed_gap_hold),
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
    .type_count(feed_type_count),
    .seq_next(feed_seq_next),
    .seq_have_session(feed_have_session),
    .seq_holding(feed_holding)
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
    .inst_state_symbol(book_state_symbol),
    .ready(book_ready),
    .halted(book_halted),
    .top_bid(book_top_bid),
    .top_ask(book_top_ask),
    .trade_valid(book_trade_valid),
    .trade_inst(book_trade_inst),
    .trade_price(book_trade_price),
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

// risk gate: H2C orders, book references, exchange responses, CSR commands
wire oe_ord_valid, oe_ord_room;
wire [3:0] oe_ord_kind;
wire [15:0] oe_ord_slot;
wire [7:0] oe_ord_inst;
wire [1:0] oe_ord_side;
wire [31:0] oe_ord_qty, oe_ord_price;
wire [23:0] oe_ord_grow;
wire [151:0] oe_ord_attr;
wire [63:0] oe_ord_in_cycle;
wire rsp_valid, rsp_ready;
wire [3:0] rsp_kind;
wire [1:0] rsp_sub, rsp_side;
wire [4:0] rsp_field;
wire [7:0] rsp_inst;
wire [15:0] rsp_slot;
wire [31:0] rsp_qty;
wire [511:0] dec_evt_tdata, rsp_evt_tdata, ord_evt_tdata;
wire dec_evt_tvalid, dec_evt_tready, rsp_evt_tvalid, rsp_evt_tready, ord_evt_tvalid, ord_evt_tready;
wire kill_lat_valid, order_lat_valid;
wire [31:0] kill_lat_cycles, order_lat_cycles;

tg_gate #(
    .INSTRUMENTS(BOOK_INSTRUMENTS),
    .SLOTS(RISK_SLOTS)
)
gate_inst (
    .clk(clk),
    .rst(rst),
    .cycle(cycle_reg),
    .s_ord_tdata(ord_tdata),
    .s_ord_tvalid(ord_tvalid),
    .s_ord_tready(ord_tready),
    .book_halted(book_halted),
    .book_top_bid(book_top_bid),
    .book_top_ask(book_top_ask),
    .book_trade_valid(book_trade_valid),
    .book_trade_inst(book_trade_inst),
    .book_trade_price(book_trade_price),
    .rsp_valid(rsp_valid),
    .rsp_ready(rsp_ready),
    .rsp_kind(rsp_kind),
    .rsp_sub(rsp_sub),
    .rsp_field(rsp_field),
    .rsp_inst(rsp_inst),
    .rsp_side(rsp_side),
    .rsp_slot(rsp_slot),
    .rsp_qty(rsp_qty),
    .kill_engaged(control_kill),
    .cmd_wr(risk_cmd_wr),
    .cmd_op(risk_cmd_op),
    .sel_field(risk_sel_field),
    .sel_shadow(risk_sel_shadow),
    .sel_inst(risk_sel_inst),
    .sel_reason(risk_sel_reason),
    .value({risk_value_hi, risk_value_lo}),
    .wd_timeout(wd_timeout),
    .heartbeat(heartbeat_wr),
    .wd_reset(wd_reset_wr && wd_reset_go),
    .cmd_pending(risk_cmd_pending),
    .cmd_overrun(risk_cmd_overrun),
    .killed(risk_killed),
    .wd_tripped(risk_wd_tripped),
    .sweeping(risk_sweeping),
    .oe_valid(oe_ord_valid),
    .oe_room(oe_ord_room),
    .oe_kind(oe_ord_kind),
    .oe_slot(oe_ord_slot),
    .oe_inst(oe_ord_inst),
    .oe_side(oe_ord_side),
    .oe_qty(oe_ord_qty),
    .oe_price(oe_ord_price),
    .oe_grow(oe_ord_grow),
    .oe_attr(oe_ord_attr),
    .oe_in_cycle(oe_ord_in_cycle),
    .m_axis_evt_tdata(dec_evt_tdata),
    .m_axis_evt_tvalid(dec_evt_tvalid),
    .m_axis_evt_tready(dec_evt_tready),
    .kill_lat_valid(kill_lat_valid),
    .kill_lat_cycles(kill_lat_cycles),
    .sel_slot(risk_slot_sel),
    .rd_slot_state(risk_slot_state),
    .rd_slot_inst(risk_slot_inst),
    .rd_slot_rem(risk_slot_rem),
    .rd_slot_price(risk_slot_price),
    .rd_limit(risk_limit),
    .rd_position(risk_position),
    .rd_open_buy(risk_open_buy),
    .rd_open_sell(risk_open_sell),
    .rd_open_orders(risk_open_orders),
    .rd_inst_flags(risk_inst_flags),
    .rd_ref_price(risk_ref_price),
    .rd_rate_tat(risk_rate_tat),
    .rd_rate_tat_all(risk_rate_tat_all),
    .rd_exp_long(risk_exp_long),
    .rd_exp_short(risk_exp_short),
    .rd_gross(risk_gross),
    .rd_net_long(risk_net_long),
    .rd_net_short(risk_net_short),
    .rd_open_all(risk_open_all),
    .rd_decided(risk_decided),
    .rd_bad_inputs(risk_bad_inputs),
    .rd_unmatched(risk_unmatched)
);

// order entry: accepted orders out as OUCH, responses back into the gate
tg_order_entry #(
    .INSTRUMENTS(BOOK_INSTRUMENTS),
    .SLOTS(RISK_SLOTS)
)
oe_inst (
    .clk(clk),
    .rst(rst),
    .cycle(cycle_reg),
    .sym_wr(book_cmd_wr && (book_cmd_subscribe || book_cmd_set_locate)),
    .sym_inst(book_inst_sel),
    .sym_chars({book_sym_hi, book_sym_lo}),
    .ord_valid(oe_ord_valid),
    .ord_room(oe_ord_room),
    .ord_kind(oe_ord_kind),
    .ord_slot(oe_ord_slot),
    .ord_inst(oe_ord_inst),
    .ord_side(oe_ord_side),
    .ord_qty(oe_ord_qty),
    .ord_price(oe_ord_price),
    .ord_grow(oe_ord_grow),
    .ord_attr(oe_ord_attr),
    .ord_in_cycle(oe_ord_in_cycle),
    .m_axis_oe_tdata(m_axis_oe_tdata),
    .m_axis_oe_tkeep(m_axis_oe_tkeep),
    .m_axis_oe_tlast(m_axis_oe_tlast),
    .m_axis_oe_tvalid(m_axis_oe_tvalid),
    .m_axis_oe_tready(m_axis_oe_tready),
    .s_axis_oe_tdata(s_axis_oe_tdata),
    .s_axis_oe_tkeep(s_axis_oe_tkeep),
    .s_axis_oe_tvalid(s_axis_oe_tvalid),
    .s_axis_oe_tready(s_axis_oe_tready),
    .gi_valid(rsp_valid),
    .gi_ready(rsp_ready),
    .gi_kind(rsp_kind),
    .gi_sub(rsp_sub),
    .gi_field(rsp_field),
    .gi_inst(rsp_inst),
    .gi_side(rsp_side),
    .gi_slot(rsp_slot),
    .gi_qty(rsp_qty),
    .m_axis_evt_tdata(rsp_evt_tdata),
    .m_axis_evt_tvalid(rsp_evt_tvalid),
    .m_axis_evt_tready(rsp_evt_tready),
    .lat_valid(order_lat_valid),
    .lat_cycles(order_lat_cycles),
    .urn_load(oe_ctl_wr && oe_load_urn),
    .urn_load_seq(oe_urn_load),
    .rx_reset(oe_ctl_wr && oe_reset_rx),
    .urn_next(oe_urn_next),
    .rd_slot(risk_slot_sel),
    .rd_slot_urn(oe_slot_urn),
    .sent_enter(oe_sent_enter),
    .sent_replace(oe_sent_replace),
    .sent_cancel(oe_sent_cancel),
    .tx_bytes(oe_tx_bytes),
    .rx_packets(oe_rx_packets),
    .rx_sequenced(oe_rx_sequenced),
    .rx_bad(oe_rx_bad),
    .rx_unmatched(oe_rx_unmatched)
);

// latency: order in -> first OUCH byte out, kill -> first blocked order
/* verilator lint_off PINCONNECTEMPTY */
tg_lat_hist order_lat_inst (
    .clk(clk),
    .rst(rst),
    .clear(lat_clear_wr && lat_clear_go),
    .sample_valid(order_lat_valid),
    .sample(order_lat_cycles),
    .bin_sel(lat_bin),
    .last(order_lat_last),
    .lat_min(order_lat_min),
    .lat_max(order_lat_max),
    .count(order_lat_count),
    .sum(order_lat_sum),
    .bin_count(order_lat_bin)
);

tg_lat_hist kill_lat_inst (
    .clk(clk),
    .rst(rst),
    .clear(lat_clear_wr && lat_clear_go),
    .sample_valid(kill_lat_valid),
    .sample(kill_lat_cycles),
    .bin_sel(lat_bin),
    .last(kill_lat_last),
    .lat_min(),
    .lat_max(),
    .count(kill_lat_count),
    .sum(),
    .bin_count(kill_lat_bin)
);
/* verilator lint_on PINCONNECTEMPTY */

tg_rec_arb #(
    .DATA_WIDTH(512)
)
ord_arb_inst (
    .clk(clk),
    .rst(rst),
    .s0_axis_tdata(dec_evt_tdata),
    .s0_axis_tvalid(dec_evt_tvalid),
    .s0_axis_tready(dec_evt_tready),
    .s1_axis_tdata(rsp_evt_tdata),
    .s1_axis_tvalid(rsp_evt_tvalid),
    .s1_axis_tready(rsp_evt_tready),
    .m_axis_tdata(ord_evt_tdata),
    .m_axis_tvalid(ord_evt_tvalid),
    .m_axis_tready(ord_evt_tready)
);

// events -> C2H ring: order decisions and responses, command answers, frame
// summaries, feed and book events, round robin at each of five stages
wire [511:0] md_evt_tdata, net_evt_tdata, host_evt_tdata, evt_tdata;
wire md_evt_tvalid, md_evt_tready, net_evt_tvalid, net_evt_tready, host_evt_tvalid, host_evt_tready;
wire evt_tvalid, evt_tready;

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
    .m_axis_tdata(host_evt_tdata),
    .m_axis_tvalid(host_evt_tvalid),
    .m_axis_tready(host_evt_tready)
);

tg_rec_arb #(
    .DATA_WIDTH(512)
)
top_arb_inst (
    .clk(clk),
    .rst(rst),
    .s0_axis_tdata(ord_evt_tdata),
    .s0_axis_tvalid(ord_evt_tvalid),
    .s0_axis_tready(ord_evt_tready),
    .s1_axis_tdata(host_evt_tdata),
    .s1_axis_tvalid(host_evt_tvalid),
    .s1_axis_tready(host_evt_tready),
    .m_axis_tdata(evt_tdata),
    .m_axis_tvalid(evt_tvalid),
    .m_axis_tready(evt_tready)
);

wire [DMA_BYTES*8-1:0] c2h_wr_tdata;
wire [63:0] c2h_wr_tuser;
wire [DMA_BYTES-1:0] c2h_wr_tkeep;
wire c2h_wr_tlast, c2h_wr_tvalid, c2h_wr_tready;

tg_c2h_ring #(
    .DMA_BYTES(DMA_BYTES)
)
c2h_inst (
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

tg_dma_wr_mux #(
    .DATA_BYTES(DMA_BYTES)
)
wr_mux_inst (
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
