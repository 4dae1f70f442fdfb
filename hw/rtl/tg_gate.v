`resetall
`timescale 1ns / 1ps
`default_nettype none

// The risk gate in the card: tg_risk and everything that feeds it.
//
// One input a cycle enters tg_risk, chosen by priority:
//   1. the kill switch (the KILL register or a tripped watchdog), whenever
//      what the gate holds differs from it: the order right behind is blocked;
//   2. a risk command from the CSRs (limit write, commit, instrument kill,
//      host halt, host reference price, bust: the reversal of an execution
//      the exchange broke, a FILL with sub 1);
//   3. a response from the exchange (execution, restatement);
//   4. the book: a changed top of book, a trade price, a changed halted flag
//      of an instrument (only the newest value of each is kept, so nothing
//      can overflow);
//   5. the watchdog's cancels of every open order;
//   6. orders from the host (H2C ORDER commands).
// Orders enter only while their decision has room downstream (the event
// queue and the order-entry queue), so a decision is never dropped; one the
// kill blocks sends nothing and needs room in the event queue only.
//
// Every order's decision becomes an ORDER_DECISION event; accepted ones go
// to order entry with the order's OUCH attributes and the cycle it entered.
module tg_gate #
(
    parameter integer INSTRUMENTS = 8,
    parameter integer SLOTS = 64
)
(
    input  wire         clk,
    input  wire         rst,
    input  wire [63:0]  cycle,

    // H2C ORDER commands (the record: header and body fields are used)
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [511:0] s_ord_tdata,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire         s_ord_tvalid,
    output wire         s_ord_tready,

    // the book
    input  wire [INSTRUMENTS-1:0]    book_halted,
    input  wire [INSTRUMENTS*32-1:0] book_top_bid,
    input  wire [INSTRUMENTS*32-1:0] book_top_ask,
    input  wire         book_trade_valid,
    input  wire [7:0]   book_trade_inst,
    input  wire [31:0]  book_trade_price,

    // responses from the exchange (FILL, RESTATE)
    input  wire         rsp_valid,
    output wire         rsp_ready,
    input  wire [3:0]   rsp_kind,
    input  wire [1:0]   rsp_sub,
    input  wire [4:0]   rsp_field,             // a RESTATE's stamp
    input  wire [7:0]   rsp_inst,
    input  wire [1:0]   rsp_side,
    input  wire [15:0]  rsp_slot,
    input  wire [31:0]  rsp_qty,

    // control (CSRs)
    input  wire         kill_engaged,
    input  wire         cmd_wr,
    input  wire [3:0]   cmd_op,
    input  wire [4:0]   sel_field,
    input  wire         sel_shadow,
    input  wire [7:0]   sel_inst,
    input  wire [4:0]   sel_reason,
    input  wire [63:0]  value,
    input  wire [31:0]  wd_timeout,
    input  wire         heartbeat,
    input  wire         wd_reset,

    // status
    output reg          cmd_pending = 1'b0,
    output reg          cmd_overrun = 1'b0,
    output wire         killed,
    output reg          wd_tripped = 1'b0,
    output reg          sweeping = 1'b0,

    // accepted orders to order entry
    output wire         oe_valid,
    input  wire         oe_room,
    output wire [3:0]   oe_kind,
    output wire [15:0]  oe_slot,
    output wire [7:0]   oe_inst,
    output wire [1:0]   oe_side,
    output wire [31:0]  oe_qty,
    output wire [31:0]  oe_price,
    output wire [23:0]  oe_grow,           // a replace's growth of the slot's open quantity
    output wire [151:0] oe_attr,
    output wire [63:0]  oe_in_cycle,

    // ORDER_DECISION events
    output wire [511:0] m_axis_evt_tdata,
    output wire         m_axis_evt_tvalid,
    input  wire         m_axis_evt_tready,

    // cycles from a kill to the first order it blocked
    output reg          kill_lat_valid = 1'b0,
    output reg  [31:0]  kill_lat_cycles = 32'd0,

    // read-back of instrument sel_inst, limit sel_field, reason sel_reason
    // (registered: a cycle behind the state)
    input  wire [15:0]  sel_slot,
    output reg  [2:0]   rd_slot_state = 0,     // side, open
    output reg  [7:0]   rd_slot_inst = 0,
    output reg  [31:0]  rd_slot_rem = 0,
    output reg  [31:0]  rd_slot_price = 0,
    output reg  [63:0]  rd_limit = 0,
    output reg  [63:0]  rd_position = 0,
    output reg  [63:0]  rd_open_buy = 0,
    output reg  [63:0]  rd_open_sell = 0,
    output reg  [15:0]  rd_open_orders = 0,
    output reg  [2:0]   rd_inst_flags = 0,     // killed, halted by host, halted by feed
    output reg  [31:0]  rd_ref_price = 0,
    output reg  [63:0]  rd_rate_tat = 0,
    output reg  [63:0]  rd_rate_tat_all = 0,
    output reg  [63:0]  rd_exp_long = 0,
    output reg  [63:0]  rd_exp_short = 0,
    output reg  [63:0]  rd_gross = 0,
    output reg  [63:0]  rd_net_long = 0,
    output reg  [63:0]  rd_net_short = 0,
    output reg  [15:0]  rd_open_all = 0,
    output reg  [63:0]  rd_decided = 0,
    output reg  [63:0]  rd_bad_inputs = 0,
    output reg  [63:0]  rd_unmatched = 0
);

`include "tg_card_defs.vh"
`include "tg_index_ok.vh"

localparam integer IW = INSTRUMENTS > 1 ? $clog2(INSTRUMENTS) : 1;
localparam [3:0] OP_SET = 4'd1, OP_COMMIT = 4'd2, OP_INST_KILL = 4'd3, OP_INST_RESUME = 4'd4,
                 OP_HALT = 4'd5, OP_UNHALT = 4'd6, OP_REF_PRICE = 4'd7, OP_BUST = 4'd8;

// ------------------------------------------------------------------ the gate
reg         in_valid;                      // a source present
wire        in_ready;
wire        fire;                          // ...and taken (see the input choice)
reg [3:0]   in_kind;
reg [1:0]   in_sub;
reg [7:0]   in_inst;
reg [1:0]   in_side;
reg [4:0]   in_field;
reg [15:0]  in_slot;
reg [31:0]  in_qty;
reg [31:0]  in_price;
reg [31:0]  in_price2;
reg [63:0]  in_value;

// An input to tg_risk as one bus: each source's is made from its own
// registers, so the input mux is one priority chain of registered flags.
localparam integer IB_W = 4 + 2 + 8 + 2 + 5 + 16 + 32 + 32 + 32 + 64;
localparam integer IB_PRICE2 = 64, IB_PRICE = 96, IB_QTY = 128;    // offsets of those fields
function automatic [IB_W-1:0] input_bus(input [3:0] kind, input [1:0] sub, input [7:0] inst, input [1:0] side,
                                        input [4:0] field, input [15:0] slot, input [31:0] qty,
                                        input [31:0] price, input [31:0] price2, input [63:0] val);
    input_bus = {kind, sub, inst, side, field, slot, qty, price, price2, val};
endfunction

wire        out_valid;
wire        out_accept;
wire [3:0]  out_kind;
wire [4:0]  out_reason;
wire [15:0] out_slot;
wire [7:0]  out_inst;
wire [1:0]  out_side;
wire [31:0] out_qty;
wire [31:0] out_price;
wire [23:0] out_grow;
// every source's input, and whether tg_risk would take it now (see the input choice)
localparam integer NPROBE = 3;             // tg_risk's probes (see the input choice)
wire [NPROBE*4-1:0]  src_kind;
wire [NPROBE*2-1:0]  src_sub;
wire [NPROBE*2-1:0]  src_side;
wire [NPROBE*8-1:0]  src_inst;
wire [NPROBE*16-1:0] src_slot;
wire [NPROBE*24-1:0] src_qty;
wire [NPROBE*31-1:0] src_price, src_price2;
wire [NPROBE-1:0]    src_ready;
reg  [15:0] sweep_idx = 16'd0;
wire        sweep_open;
// The sweep starts once every order that entered before the kill is decided
// (the kill entered, then 2 cycles: an order decides 3 cycles after it
// enters, its slot open to a read in the cycle after): else a slot still
// closed when the sweep passes would open behind it and keep its order.
reg  [2:0]  sweep_wait = 3'd0;
wire        sweep_go = sweeping && sweep_wait == 3'd0;
// The slot's open flag is registered before the input choice looks at it, so
// the choice waits on no table read: a slot takes two cycles, one to read,
// one to cancel or pass it. The flag is read again every cycle the sweep
// waits at a slot, so it is never more than a cycle old: a slot that closed
// in that cycle gets a cancel that tg_risk refuses (no open order), and none
// opens once the sweep has started (every order before the kill is decided).
reg         sweep_open_q = 1'b0;           // sweep_open of sweep_idx, a cycle ago
// ...and sweep_idx has not moved since; set only while the sweep goes, and
// cleared as it ends or starts over, so it stands for sweep_go as well
reg         sweep_fresh = 1'b0;
wire        sweep_cand = sweep_fresh && sweep_open_q;

// tg_risk's read-back, registered below
wire [127:0] q_ln, q_sn, q_gross, q_net_long, q_net_short;   // before saturation to 64 bits
/* verilator lint_off UNUSEDSIGNAL */
wire [3:0]  q_flags;                       // bit 0 (a last order to compare with) is not shown
/* verilator lint_on UNUSEDSIGNAL */
wire [7:0]  q_slot_inst;
wire [31:0] q_slot_rem;
wire [31:0] q_slot_price;
wire [63:0] q_limit;
wire [63:0] q_position;
wire [63:0] q_open_buy;
wire [63:0] q_open_sell;
wire [15:0] q_open_orders;
wire [31:0] q_ref_price;
wire [63:0] q_rate_tat;
wire [63:0] q_rate_tat_all;
wire [15:0] q_open_all;
wire [63:0] q_decided;
wire [63:0] q_bad_inputs;
wire [63:0] q_unmatched;
wire [2:0]  q_slot_state;

/* verilator lint_off PINCONNECTEMPTY */
tg_risk #(
    .INSTRUMENTS(INSTRUMENTS),
    .SLOTS(SLOTS),
    .PROBES(NPROBE)
)
risk_inst (
    .clk(clk),
    .rst(rst),
    .in_take(fire),
    .in_ready(in_ready),
    .in_kind(in_kind),
    .in_sub(in_sub),
    .in_inst(in_inst),
    .in_side(in_side),
    .in_field(in_field),
    .in_slot(in_slot),
    .in_qty(in_qty),
    .in_price(in_price),
    .in_price2(in_price2),
    .in_value(in_value),
    .in_t(cycle),
    .pr_kind(src_kind),
    .pr_sub(src_sub),
    .pr_inst(src_inst),
    .pr_slot(src_slot),
    .pr_side(src_side),
    .pr_qty(src_qty),
    .pr_price(src_price),
    .pr_price2(src_price2),
    .pr_ready(src_ready),
    .in_slot_src({!x_valid, x_valid, 1'b0}),   // (a kill reads no slot)
    .out_valid(out_valid),
    .out_accept(out_accept),
    .out_kind(out_kind),
    .out_reason(out_reason),
    .out_slot(out_slot),
    .out_inst(out_inst),
    .out_side(out_side),
    .out_qty(out_qty),
    .out_price(out_price),
    .out_grow(out_grow),
    .rd_inst(sel_inst),
    .rd_slot(sel_slot),
    .rd_field(sel_field),
    .rd_shadow(sel_shadow),
    .rd_limit(q_limit),
    .rd_position(q_position),
    .rd_open_buy(q_open_buy),
    .rd_open_sell(q_open_sell),
    .rd_open_orders(q_open_orders),
    .rd_ref_price(q_ref_price),
    .rd_flags(q_flags),
    .rd_rate_tat(q_rate_tat),
    .rd_ln(q_ln),
    .rd_sn(q_sn),
    .rd_slot_open(q_slot_state[0]),
    .rd_slot_inst(q_slot_inst),
    .rd_slot_side(q_slot_state[2:1]),
    .rd_slot_rem(q_slot_rem),
    .rd_slot_price(q_slot_price),
    .rd_gross(q_gross),
    .rd_net_long(q_net_long),
    .rd_net_short(q_net_short),
    .rd_open_all(q_open_all),
    .rd_killed(killed),
    .rd_rate_tat_all(q_rate_tat_all),
    .rd_reason(sel_reason),
    .rd_decided(q_decided),
    .rd_bad_inputs(q_bad_inputs),
    .rd_unmatched(q_unmatched),
    .sweep_slot(sweep_idx),
    .sweep_slot_open(sweep_open)
);
/* verilator lint_on PINCONNECTEMPTY */

function [63:0] sat64(input [127:0] x);
    if (!x[127] && x[126:63] != 64'd0) sat64 = 64'h7fff_ffff_ffff_ffff;
    else if (x[127] && x[126:63] != {64{1'b1}}) sat64 = 64'h8000_0000_0000_0000;
    else sat64 = x[63:0];
endfunction

// The read-back a cycle behind the state: registered here, so a CSR read
// never runs through the tables' read, the saturation and the CSR's own
// read mux in one cycle
always @(posedge clk) begin
    rd_slot_inst <= q_slot_inst;
    rd_slot_rem <= q_slot_rem;
    rd_slot_price <= q_slot_price;
    rd_limit <= q_limit;
    rd_position <= q_position;
    rd_open_buy <= q_open_buy;
    rd_open_sell <= q_open_sell;
    rd_open_orders <= q_open_orders;
    rd_ref_price <= q_ref_price;
    rd_rate_tat <= q_rate_tat;
    rd_rate_tat_all <= q_rate_tat_all;
    rd_open_all <= q_open_all;
    rd_decided <= q_decided;
    rd_bad_inputs <= q_bad_inputs;
    rd_unmatched <= q_unmatched;
    rd_slot_state <= q_slot_state;
    rd_inst_flags <= q_flags[3:1];
    rd_exp_long <= sat64(q_ln);
    rd_exp_short <= sat64(q_sn);
    rd_gross <= sat64(q_gross);
    rd_net_long <= sat64(q_net_long);
    rd_net_short <= sat64(q_net_short);
end

// ------------------------------------------------------------------ kill and watchdog
wire eff_kill = kill_engaged || wd_tripped;
reg  kill_sent = 1'b0;                     // what the gate was last told
reg  eff_kill_q = 1'b0;
reg  kill_armed = 1'b0;
// cycles since the kill's edge, counted rather than a 64-bit difference of
// cycle stamps (whose chain and compare into the sample's saturation were
// 7.25 LUT levels): bit 32 sticks once the count passes 2^32 - 1
reg  [32:0] kill_age = 33'd0;
reg  [9:0]  wd_pre = 10'd0;
reg  [31:0] wd_units = 32'd0;
// the units past the timeout, compared a cycle ahead (the 32-bit compare's
// carry chain stood in front of the kill's flags and the input pick) and
// false behind a heartbeat: the trip comes a cycle after the units reach
// the timeout, and never in the cycle after a heartbeat
reg         wd_over = 1'b0;

// ------------------------------------------------------------------ risk commands
reg [IB_W-1:0] c_bus = {IB_W{1'b0}};       // the command waiting, as tg_risk's input

// A risk command as tg_risk's input (made as the command is taken)
function automatic [IB_W-1:0] cmd_input(input [3:0] op, input [4:0] field, input [7:0] inst, input [63:0] v);
    case (op)
        OP_SET: cmd_input = input_bus(TG_RISK_IN_SET, 2'd0, inst, 2'd0, field, 16'd0, 32'd0, 32'd0, 32'd0, v);
        OP_COMMIT: cmd_input = input_bus(TG_RISK_IN_COMMIT, 2'd0, inst, 2'd0, field, 16'd0, 32'd0, 32'd0, 32'd0, v);
        OP_INST_KILL, OP_INST_RESUME:
            cmd_input = input_bus(TG_RISK_IN_KILL, 2'd1, inst, 2'd0, field, 16'd0, {31'd0, op == OP_INST_KILL},
                                  32'd0, 32'd0, v);
        OP_HALT, OP_UNHALT:
            cmd_input = input_bus(TG_RISK_IN_HALT, 2'd1, inst, 2'd0, field, 16'd0, {31'd0, op == OP_HALT},
                                  32'd0, 32'd0, v);
        OP_REF_PRICE:
            cmd_input = input_bus(TG_RISK_IN_REF, 2'd2, inst, 2'd0, field, 16'd0, 32'd0, v[31:0], 32'd0, v);
        // OP_BUST: all in the operand (VALUE_LO shares, VALUE_HI[1:0] side,
        // [15:8] instrument): a reader selecting another instrument in
        // RISK_SEL between the host's writes cannot redirect it
        default: cmd_input = input_bus(TG_RISK_IN_FILL, 2'd1, v[47:40], v[33:32], field, 16'd0, v[31:0],
                                       32'd0, 32'd0, v);
    endcase
endfunction

// ------------------------------------------------------------------ book references
reg [31:0] sent_bid [0:INSTRUMENTS-1];
reg [31:0] sent_ask [0:INSTRUMENTS-1];
reg [INSTRUMENTS-1:0] sent_halt = {INSTRUMENTS{1'b0}};
reg [INSTRUMENTS-1:0] trade_pend = {INSTRUMENTS{1'b0}};
reg [31:0] trade_px [0:INSTRUMENTS-1];

integer i;
initial begin
    for (i = 0; i < INSTRUMENTS; i = i + 1) begin
        sent_bid[i] = 32'd0;
        sent_ask[i] = 32'd0;
        trade_px[i] = 32'd0;
    end
end

// Which instruments' top of book or halted flag differ from what the gate
// was told, compared a cycle ahead of the choice (into registers, with the
// book's values they were compared with: the compares and the choice behind
// them were the gate's slowest path). The instrument sent in the cycle
// before is left out of the registered flags, which were compared before its
// sent values were written; any other's registered values differ from what
// it was sent, so every reference sent tells the gate something new.
reg [INSTRUMENTS-1:0] bbo_cmp, bbo_dirty_q = {INSTRUMENTS{1'b0}}, halt_dirty_q = {INSTRUMENTS{1'b0}};
reg [INSTRUMENTS*32-1:0] top_bid_q = {(INSTRUMENTS*32){1'b0}}, top_ask_q = {(INSTRUMENTS*32){1'b0}};
reg [INSTRUMENTS-1:0] halted_q = {INSTRUMENTS{1'b0}};
reg [INSTRUMENTS-1:0] ref_just_sent = {INSTRUMENTS{1'b0}};
always @* begin
    for (i = 0; i < INSTRUMENTS; i = i + 1) begin
        bbo_cmp[i] = book_top_bid[i*32 +: 32] != sent_bid[i] || book_top_ask[i*32 +: 32] != sent_ask[i];
    end
end
wire [INSTRUMENTS-1:0] bbo_dirty = bbo_dirty_q & ~ref_just_sent;
wire [INSTRUMENTS-1:0] ref_dirty = bbo_dirty | trade_pend | (halt_dirty_q & ~ref_just_sent);
// the lowest such instrument, one-hot, and its values as an AND-OR over the
// instruments: no index decode between the flags and the reads
reg [INSTRUMENTS-1:0] ref_first;
reg [IW-1:0] ref_i;
reg [31:0] ref_bid, ref_ask, ref_trade;
reg ref_halt, ref_seen;
always @* begin
    ref_seen = 1'b0;
    ref_i = {IW{1'b0}};
    ref_bid = 32'd0;
    ref_ask = 32'd0;
    ref_trade = 32'd0;
    ref_halt = 1'b0;
    for (i = 0; i < INSTRUMENTS; i = i + 1) begin
        ref_first[i] = ref_dirty[i] && !ref_seen;
        ref_seen = ref_seen || ref_dirty[i];
        ref_i = ref_i | (ref_first[i] ? i[IW-1:0] : {IW{1'b0}});
        ref_bid = ref_bid | ({32{ref_first[i]}} & top_bid_q[i*32 +: 32]);
        ref_ask = ref_ask | ({32{ref_first[i]}} & top_ask_q[i*32 +: 32]);
        ref_trade = ref_trade | ({32{ref_first[i]}} & trade_px[i]);
        ref_halt = ref_halt || (ref_first[i] && halted_q[i]);
    end
end
wire [1:0] ref_what = |(ref_first & bbo_dirty) ? 2'd0 : |(ref_first & trade_pend) ? 2'd1 : 2'd2;

// The next reference to send is chosen a cycle ahead, into registers: the
// lowest instrument whose top of book, trade price or halted flag differs
// from what the gate was told, with the values it was chosen with. What the
// gate was told is what was sent, so a change in between shows as a
// difference again and goes in next. Nothing is chosen in the cycle one is
// sent (what it changes is written at the cycle's end).
reg          rc_valid = 1'b0;
reg [IW-1:0] rc_i = {IW{1'b0}};
reg [1:0]    rc_what = 2'd0;
reg [IB_W-1:0] rc_bus = {IB_W{1'b0}};      // ...as tg_risk's input, which holds the values
wire [31:0]  rc_p1 = rc_bus[IB_PRICE +: 32];     // bid, or the trade's price
wire [31:0]  rc_p2 = rc_bus[IB_PRICE2 +: 32];    // ask
wire         rc_halt = rc_bus[IB_QTY];

// ------------------------------------------------------------------ room for decisions
localparam integer EQ_LOG2 = 4;
reg  [EQ_LOG2:0] eq_count = 0;
wire eq_push, eq_tready;
// tg_risk decides an order 3 cycles after it enters (in the cycle its stage D
// holds it): with the one entering, up to 4 decisions are on their way to the
// event and order-entry queues; both are asked for room for 8
wire room_dec = eq_count <= (1 << EQ_LOG2) - 8 && af_count <= 4'd6;
wire admit = room_dec && oe_room;

// order attributes, in order, until their decision: tag, card-made, cycle in,
// OUCH attributes (at most 4 orders are between entering and decided)
localparam integer AW = 32 + 1 + 64 + 152;
reg [AW-1:0] af_mem [0:7];
reg [2:0]    af_wr = 3'd0, af_rd = 3'd0;
reg [3:0]    af_count = 4'd0;
wire [AW-1:0] af_head = af_mem[af_rd];

// ------------------------------------------------------------------ input choice
wire [7:0] ord_kind = s_ord_tdata[TG_H2C_ORDER_KIND_LSB +: 8];
wire kill_due = eff_kill != kill_sent;
// A host order other than a cancel that enters while tg_risk has the kill
// (kill_sent: the gate's kill input goes ahead of everything) is decided
// KILLED, its first check, and sends nothing: it needs room for its
// decision only, not at order entry, so the kill blocks the next order even
// while the order-entry port is busy and its queue full.
wire ord_killed = kill_sent && ord_kind != {4'd0, TG_RISK_IN_CANCEL};
wire admit_ord = room_dec && (oe_room || ord_killed);

// each source's input; anything but NEW, CANCEL or REPLACE from the host is
// decided as a NEW at a price no order may have (its own with bit 31 set,
// above PRICE_MAX): refused BAD_ORDER, never sent. (The price's top bit, no
// other, carries it: the quantity goes into stage A's slot arithmetic and
// the price's low bits into a REF's mid and the products, so the kind's
// decode stays off the gate's slowest paths; only C's field check reads
// bit 31.)
wire [IB_W-1:0] kill_bus = input_bus(TG_RISK_IN_KILL, 2'd0, 8'd0, 2'd0, 5'd0, 16'd0, {31'd0, eff_kill},
                                     32'd0, 32'd0, 64'd0);
wire [IB_W-1:0] rsp_bus = input_bus(rsp_kind, rsp_sub, rsp_inst, rsp_side, rsp_field, rsp_slot, rsp_qty,
                                    32'd0, 32'd0, 64'd0);
wire [IB_W-1:0] sweep_bus = input_bus(TG_RISK_IN_CANCEL, 2'd0, 8'd0, 2'd0, 5'd0, sweep_idx, 32'd0,
                                      32'd0, 32'd0, 64'd0);
wire ord_bad_kind = |ord_kind[7:2] || &ord_kind[1:0];    // not 0, 1 or 2 (no carry chain)
wire [IB_W-1:0] ord_bus = input_bus(ord_bad_kind ? TG_RISK_IN_NEW : ord_kind[3:0], 2'd0,
                                    s_ord_tdata[TG_H2C_ORDER_INSTRUMENT_LSB +: 8],
                                    s_ord_tdata[TG_H2C_ORDER_SIDE_LSB +: 2], 5'd0,
                                    s_ord_tdata[TG_H2C_ORDER_SLOT_LSB +: 16],
                                    s_ord_tdata[TG_H2C_ORDER_QTY_LSB +: 32],
                                    {s_ord_tdata[TG_H2C_ORDER_PRICE_LSB + 31] || ord_bad_kind,
                                     s_ord_tdata[TG_H2C_ORDER_PRICE_LSB +: 31]},
                                    32'd0, 64'd0);

// The sources by priority: the kill, a risk command, an exchange response, a
// book reference, the sweep's cancel, a host order. This is the one place
// the order is stated. The four in the middle (the side sources) reach
// tg_risk through one register, x: the first present is loaded into it as
// it empties, and it goes before any order. So tg_risk's input is a pick of
// three by registers alone (the kill's flags, x's valid bit): an order's
// fields pass one LUT on their way into stage A, where a pick of six by
// flags made from the sources' own registers cost 2.5 levels. A side
// source enters a cycle later than it would straight (a response's fill, a
// command, a reference); the kill, which must block the very next order,
// does not go through x.
localparam integer S_CMD = 0, S_RSP = 1, S_REF = 2, S_SWEEP = 3, NSIDE = 4;
/* verilator lint_off UNUSEDSIGNAL */
wire [NSIDE*IB_W-1:0] side_bus = {sweep_bus, rc_bus, rsp_bus, c_bus};   // by priority, last first
/* verilator lint_on UNUSEDSIGNAL */
wire [NSIDE-1:0] side_here = {sweep_cand, rc_valid, rsp_valid, cmd_pending};
wire [NSIDE-1:0] side_first;               // the first side source present, one-hot
genvar j;
generate
    for (j = 0; j < NSIDE; j = j + 1) begin : first
        if (j == 0) begin : top
            assign side_first[j] = side_here[j];
        end else begin : below
            assign side_first[j] = side_here[j] && side_here[j-1:0] == {j{1'b0}};
        end
    end
endgenerate
reg [IB_W-1:0] side_pick;
integer s;
always @* begin
    side_pick = {IB_W{1'b0}};
    for (s = 0; s < NSIDE; s = s + 1) begin
        side_pick = side_pick | ({IB_W{side_first[s]}} & side_bus[s*IB_W +: IB_W]);
    end
end

reg            x_valid = 1'b0;
reg            x_sweep = 1'b0;             // the sweep's cancel (it waits for room, as orders do)
reg [IB_W-1:0] x_bus = {IB_W{1'b0}};
reg [IB_W-1:0] in_bus;

// The input: the kill's, x's, or the order's, and whether it is there (the
// sweep and orders wait for room; with none nothing is taken, in_valid is
// low, and the input does not matter, so the room checks stay out of the
// input's path)
always @* begin
    in_bus = kill_due ? kill_bus : x_valid ? x_bus : ord_bus;
    {in_kind, in_sub, in_inst, in_side, in_field, in_slot, in_qty, in_price, in_price2, in_value} = in_bus;
    in_valid = kill_due || (x_valid && (!x_sweep || admit)) || (s_ord_tvalid && admit_ord);
end

// Whether the input is taken: tg_risk answers for each of the three on its
// own registers (its probes: 0 the kill, 1 x, 2 the order), and the answer
// is picked as the input is, so what waits never passes through the input's
// pick. It is in_ready of the input chosen, by construction; the simulation
// checks it.
localparam integer P_KILL = 0, P_SIDE = 1, P_ORDER = 2;
localparam integer IB_SLOT = IB_QTY + 32, IB_SIDE = IB_SLOT + 16 + 5, IB_INST = IB_SIDE + 2, IB_SUB = IB_INST + 8,
                   IB_KIND = IB_SUB + 2;
/* verilator lint_off UNUSEDSIGNAL */
wire [NPROBE*IB_W-1:0] probe_bus = {ord_bus, x_bus, kill_bus};
/* verilator lint_on UNUSEDSIGNAL */
generate
    for (j = 0; j < NPROBE; j = j + 1) begin : probes
        assign src_kind[j*4 +: 4] = probe_bus[j*IB_W + IB_KIND +: 4];
        assign src_sub[j*2 +: 2] = probe_bus[j*IB_W + IB_SUB +: 2];
        assign src_side[j*2 +: 2] = probe_bus[j*IB_W + IB_SIDE +: 2];
        assign src_inst[j*8 +: 8] = probe_bus[j*IB_W + IB_INST +: 8];
        assign src_slot[j*16 +: 16] = probe_bus[j*IB_W + IB_SLOT +: 16];
        assign src_qty[j*24 +: 24] = probe_bus[j*IB_W + IB_QTY +: 24];
        assign src_price[j*31 +: 31] = probe_bus[j*IB_W + IB_PRICE +: 31];
        assign src_price2[j*31 +: 31] = probe_bus[j*IB_W + IB_PRICE2 +: 31];
    end
endgenerate
// (an AND-OR of the answers, not a mux: behind a mux, Yosys's `share` merges
// the probes' reads of the slot table into one read at a muxed address)
wire [NPROBE-1:0] chosen = {!kill_due && !x_valid, !kill_due && x_valid, kill_due};
wire take_ready = |(chosen & src_ready);
assign fire = in_valid && take_ready;
wire took_kill = fire && chosen[P_KILL];
wire took_x = fire && chosen[P_SIDE];
wire took_order = fire && chosen[P_ORDER];
`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst && in_valid && take_ready != in_ready) begin
        $error("tg_gate: the chosen source's probe says %0d, tg_risk's in_ready %0d", take_ready, in_ready);
    end
end
`endif
// x is loaded as it empties (or while empty) with the first side source
// present, which is then taken from its source
wire x_load = !x_valid || took_x;
wire [NSIDE-1:0] loaded = {NSIDE{x_load}} & side_first;
// the sweep moves on from a closed slot, or once its cancel went into x
wire sweep_step = sweep_fresh && (!sweep_open_q || loaded[S_SWEEP]);
// (every book reference sent tells the gate something new: see bbo_dirty_q)
`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst && loaded[S_REF] && ((rc_what == 2'd0 && rc_p1 == sent_bid[rc_i] && rc_p2 == sent_ask[rc_i])
                                  || (rc_what == 2'd1 && !trade_pend[rc_i])
                                  || (rc_what == 2'd2 && rc_halt == sent_halt[rc_i]))) begin
        $error("tg_gate: a book reference for instrument %0d that changes nothing", rc_i);
    end
end
`endif

wire fire_order = took_order || (took_x && x_sweep);
assign s_ord_tready = took_order;
assign rsp_ready = loaded[S_RSP];

wire [151:0] ord_attr = {s_ord_tdata[TG_H2C_ORDER_CLORDID_LSB +: 112],
                         s_ord_tdata[TG_H2C_ORDER_CROSS_TYPE_LSB +: 8],
                         s_ord_tdata[TG_H2C_ORDER_ISE_LSB +: 8],
                         s_ord_tdata[TG_H2C_ORDER_CAPACITY_LSB +: 8],
                         s_ord_tdata[TG_H2C_ORDER_DISPLAY_LSB +: 8],
                         s_ord_tdata[TG_H2C_ORDER_TIF_LSB +: 8]};

// ------------------------------------------------------------------ decisions
wire [31:0]  d_tag = af_head[AW-1 -: 32];
wire         d_card = af_head[AW-33];
wire [63:0]  d_in_cycle = af_head[AW-34 -: 64];
wire [151:0] d_attr = af_head[151:0];
wire         d_accept = out_accept;

reg [511:0] ev;
always @* begin
    ev = 512'd0;
    ev[TG_C2H_TYPE_LSB +: TG_C2H_TYPE_W] = TG_C2H_EVT_ORDER_DECISION;
    ev[TG_C2H_FLAGS_LSB +: 2] = {d_card, d_accept};
    ev[TG_C2H_TIMESTAMP_LSB +: TG_C2H_TIMESTAMP_W] = cycle;
    ev[TG_C2H_ORDER_DECISION_IN_CYCLE_LSB +: 64] = d_in_cycle;
    ev[TG_C2H_ORDER_DECISION_TAG_LSB +: 32] = d_tag;
    ev[TG_C2H_ORDER_DECISION_REASON_LSB +: 8] = {3'd0, out_reason};
    ev[TG_C2H_ORDER_DECISION_KIND_LSB +: 8] = {4'd0, out_kind};
    ev[TG_C2H_ORDER_DECISION_SIDE_LSB +: 8] = {6'd0, out_side};
    ev[TG_C2H_ORDER_DECISION_INSTRUMENT_LSB +: 8] = out_inst;
    ev[TG_C2H_ORDER_DECISION_SLOT_LSB +: 16] = out_slot;
    ev[TG_C2H_ORDER_DECISION_QTY_LSB +: 32] = out_qty;
    ev[TG_C2H_ORDER_DECISION_PRICE_LSB +: 32] = out_price;
end

assign eq_push = out_valid;
/* verilator lint_off PINCONNECTEMPTY */
tg_rec_fifo #(
    .DATA_WIDTH(512),
    .DEPTH_LOG2(EQ_LOG2)
)
eq_inst (
    .clk(clk),
    .rst(rst),
    .s_axis_tdata(ev),
    .s_axis_tvalid(eq_push),
    .s_axis_tready(eq_tready),
    .m_axis_tdata(m_axis_evt_tdata),
    .m_axis_tvalid(m_axis_evt_tvalid),
    .m_axis_tready(m_axis_evt_tready)
);
/* verilator lint_on PINCONNECTEMPTY */

assign oe_valid = out_valid && d_accept;
assign oe_kind = out_kind;
assign oe_slot = out_slot;
assign oe_inst = out_inst;
assign oe_side = out_side;
assign oe_qty = out_qty;
assign oe_price = out_price;
assign oe_grow = out_grow;
assign oe_attr = d_attr;
assign oe_in_cycle = d_in_cycle;

// ------------------------------------------------------------------ state
wire eq_pop = m_axis_evt_tvalid && m_axis_evt_tready;

always @(posedge clk) begin
    eq_count <= eq_count + {{EQ_LOG2{1'b0}}, eq_push && eq_tready} - {{EQ_LOG2{1'b0}}, eq_pop};

    // attributes of every order that enters, popped by its decision
    if (fire_order) begin
        af_mem[af_wr] <= took_order ? {s_ord_tdata[TG_H2C_TAG_LSB +: 32], 1'b0, cycle, ord_attr}
                                          : {32'd0, 1'b1, cycle, 152'd0};
        af_wr <= af_wr + 3'd1;
    end
    if (out_valid) af_rd <= af_rd + 3'd1;
    af_count <= af_count + {3'd0, fire_order} - {3'd0, out_valid};

    // the side register
    if (x_load) begin
        x_valid <= side_here != {NSIDE{1'b0}};
        x_sweep <= side_first[S_SWEEP];
        x_bus <= side_pick;
    end

    // kill
    eff_kill_q <= eff_kill;
    if (took_kill) kill_sent <= eff_kill;
    if (!kill_age[32]) kill_age <= kill_age + 33'd1;
    if (eff_kill && !eff_kill_q) begin
        kill_armed <= 1'b1;
        kill_age <= 33'd1;                 // the cycle after the edge
    end else if (!eff_kill) begin
        kill_armed <= 1'b0;
    end
    kill_lat_valid <= 1'b0;
    if (out_valid && out_reason == TG_RISK_R_KILLED && kill_armed) begin
        kill_armed <= 1'b0;
        kill_lat_valid <= 1'b1;
        kill_lat_cycles <= kill_age[32] ? 32'hffff_ffff : kill_age[31:0];
    end

    // watchdog: units of 1024 cycles since the last heartbeat; a trip
    // starts the sweep of open slots over
    sweep_open_q <= sweep_open;
    sweep_fresh <= sweep_go && !sweep_step;
    if (sweep_step) begin
        if (sweep_idx == SLOTS[15:0] - 16'd1) sweeping <= 1'b0;
        sweep_idx <= sweep_idx + 16'd1;
    end
    wd_pre <= wd_pre + 10'd1;
    if (wd_pre == 10'h3ff && wd_units != 32'hffff_ffff) wd_units <= wd_units + 32'd1;
    wd_over <= !heartbeat && wd_timeout != 32'd0 && wd_units >= wd_timeout;
    if (heartbeat || wd_timeout == 32'd0) begin
        wd_pre <= 10'd0;
        wd_units <= 32'd0;
    end else if (wd_over && !wd_tripped) begin
        wd_tripped <= 1'b1;
        sweeping <= 1'b1;
        sweep_wait <= 3'd2;
        sweep_idx <= 16'd0;
        sweep_fresh <= 1'b0;
    end
    if (wd_reset) wd_tripped <= 1'b0;
    if (sweep_wait != 3'd0 && kill_sent) sweep_wait <= sweep_wait - 3'd1;

    // risk commands: one waits at a time
    if (loaded[S_CMD]) cmd_pending <= 1'b0;
    if (cmd_wr && cmd_op >= OP_SET && cmd_op <= OP_BUST) begin
        if (cmd_pending && !loaded[S_CMD]) begin
            cmd_overrun <= 1'b1;
        end else begin
            cmd_pending <= 1'b1;
            c_bus <= cmd_input(cmd_op, sel_field, sel_inst, value);
        end
    end

    // book references: the next to send, and what the gate was told
    bbo_dirty_q <= bbo_cmp;
    halt_dirty_q <= book_halted ^ sent_halt;
    top_bid_q <= book_top_bid;
    top_ask_q <= book_top_ask;
    halted_q <= book_halted;
    for (i = 0; i < INSTRUMENTS; i = i + 1) begin
        ref_just_sent[i] <= loaded[S_REF] && rc_i == i[IW-1:0];
    end
    rc_valid <= ref_dirty != {INSTRUMENTS{1'b0}} && !loaded[S_REF];
    rc_i <= ref_i;
    rc_what <= ref_what;
    case (ref_what)
        2'd0: rc_bus <= input_bus(TG_RISK_IN_REF, 2'd0, {{(8-IW){1'b0}}, ref_i}, 2'd0, 5'd0, 16'd0, 32'd0,
                                  ref_bid, ref_ask, 64'd0);
        2'd1: rc_bus <= input_bus(TG_RISK_IN_REF, 2'd1, {{(8-IW){1'b0}}, ref_i}, 2'd0, 5'd0, 16'd0, 32'd0,
                                  ref_trade, 32'd0, 64'd0);
        default: rc_bus <= input_bus(TG_RISK_IN_HALT, 2'd0, {{(8-IW){1'b0}}, ref_i}, 2'd0, 5'd0, 16'd0,
                                     {31'd0, ref_halt}, 32'd0, 32'd0, 64'd0);
    endcase
    if (loaded[S_REF]) begin
        case (rc_what)
            2'd0: begin
                sent_bid[rc_i] <= rc_p1;
                sent_ask[rc_i] <= rc_p2;
            end
            // a trade since (at another price) stays to be sent
            2'd1: begin
                for (i = 0; i < INSTRUMENTS; i = i + 1) begin
                    if (rc_i == i[IW-1:0] && trade_px[rc_i] == rc_p1) trade_pend[i] <= 1'b0;
                end
            end
            default: begin
                for (i = 0; i < INSTRUMENTS; i = i + 1) begin
                    if (rc_i == i[IW-1:0]) sent_halt[i] <= rc_halt;
                end
            end
        endcase
    end
    // (the flag vectors written bit by bit against a decoded index: written
    // at a variable index, Yosys shifts a mask by the index in 32-bit
    // arithmetic, a carry chain of eight cells in front of every bit)
    if (book_trade_valid && tg_index_ok({8'd0, book_trade_inst}, IW, INSTRUMENTS)) begin
        for (i = 0; i < INSTRUMENTS; i = i + 1) begin
            if (book_trade_inst[IW-1:0] == i[IW-1:0]) trade_pend[i] <= 1'b1;
        end
        trade_px[book_trade_inst[IW-1:0]] <= book_trade_price;
    end

    if (rst) begin
        eq_count <= 0;
        x_valid <= 1'b0;
        af_wr <= 3'd0;
        af_rd <= 3'd0;
        af_count <= 4'd0;
        kill_sent <= 1'b0;
        eff_kill_q <= 1'b0;
        kill_armed <= 1'b0;
        kill_lat_valid <= 1'b0;
        wd_pre <= 10'd0;
        wd_units <= 32'd0;
        wd_over <= 1'b0;
        wd_tripped <= 1'b0;
        sweeping <= 1'b0;
        sweep_wait <= 3'd0;
        sweep_idx <= 16'd0;
        sweep_open_q <= 1'b0;
        sweep_fresh <= 1'b0;
        cmd_pending <= 1'b0;
        cmd_overrun <= 1'b0;
        rc_valid <= 1'b0;
        bbo_dirty_q <= {INSTRUMENTS{1'b0}};
        halt_dirty_q <= {INSTRUMENTS{1'b0}};
        ref_just_sent <= {INSTRUMENTS{1'b0}};
        sent_halt <= {INSTRUMENTS{1'b0}};
        trade_pend <= {INSTRUMENTS{1'b0}};
        for (i = 0; i < INSTRUMENTS; i = i + 1) begin
            sent_bid[i] <= 32'd0;
            sent_ask[i] <= 32'd0;
        end
    end
end

endmodule

`resetall
