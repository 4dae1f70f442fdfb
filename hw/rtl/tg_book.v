`resetall
`timescale 1ns / 1ps
`default_nettype none

// The card's order book: the feed's framed ITCH messages into price-level
// books of up to INSTRUMENTS subscribed instruments, with BBO, trade and
// halt events for the host.
//
// The semantics are those of the C book (sw/book.c, documented in
// tickgate/book.h); the RTL tests hold the two to the same events. In short:
//   - instrument slots are subscribed by the host by symbol (the locate is
//     learned from the Stock Directory message) or by locate;
//   - orders live in one table of 2^ORDER_LOG2 slots in buckets of WAYS: a
//     reference is looked for in its one bucket (all ways read at once); an
//     add into a full bucket is counted and its instrument flagged not
//     authoritative;
//   - each side keeps DEPTH levels; when a full side must take a new level
//     the worst leaves and the side is truncated at its price (the orders at
//     or beyond it hidden, counted) until the hidden orders are gone;
//   - after every message a BBO event if the top of its instrument (prices,
//     sizes, flags) changed; TRADE events for E, C, P, Q; HALT events when a
//     trading action changes the halted state.
//
// Pipeline: every message goes through S0..S4, one stage a cycle; the next
// message enters S0 two cycles after it (three after a replace), so up to
// three are in flight:
//   intake  decode, find the slot (locates compared at once), learn locates
//           from R; into the input queue, and when the queue is empty and S0
//           free straight into S0 as well (taken out of the queue again)
//   S0      take the message (the queue's head or the one arriving); read
//           its order bucket (one block-RAM word a way)
//   S1      search the bucket: the ways against the reference (live: of its
//           slot's epoch), the first free way; the order found: side, price,
//           shares, what its level loses. A replace reads the bucket of its
//           new reference.
//   S2      write the bucket (the order in, reduced or out); read the level
//           row (instrument, side) and compare every level's price with the
//           order's (change 1: a reduce) and the message's (change 2: an
//           add); every level reduced and added to. A replace searches the
//           bucket of its new reference.
//   S3      apply the change and write the row; the new top of the side and
//           whether it differs from the side's BBO. A replace writes its new
//           order into its bucket and works out both of its changes (its old
//           order's level reduced, then its new order added) on the row read
//           in S2, for S4.
//   S4      BBO / trade / halt events out. A replace's row is written.
// What a message reads, its predecessors may be writing: a bucket written in
// the cycle the next message reads its own is forwarded into that search; a
// row is written (S3, a replace's S4) before the next message reads it (S2);
// the BBO of the side, read in S2 for S3, is forwarded from the message in
// S4. The input queue holds bursts; a message that finds it full is lost and
// counted (overrun), and every instrument is flagged not authoritative.
module tg_book #
(
    parameter INSTRUMENTS = 8,    // subscribed instrument slots (2..16)
    parameter DEPTH = 8,          // price levels per side (2..16)
    parameter ORDER_LOG2 = 14,    // order table slots = 2^ORDER_LOG2
    parameter WAYS_LOG2 = 2,      // slots per bucket = 2^WAYS_LOG2
    parameter IN_FIFO_LOG2 = 4
)
(
    input  wire                    clk,
    input  wire                    rst,
    input  wire [63:0]             cycle,

    input  wire                    cfg_enable,
    input  wire                    cfg_events,
    input  wire                    book_reset,         // clear orders, levels and flags

    // instrument slot commands (host); the slot status below is of inst_sel
    input  wire [7:0]              inst_sel,
    input  wire [63:0]             inst_symbol,        // ASCII, first character in bits 7:0
    input  wire [15:0]             inst_locate,
    input  wire                    inst_cmd_wr,
    input  wire                    inst_cmd_subscribe,
    input  wire                    inst_cmd_set_locate,
    input  wire                    inst_cmd_unsubscribe,
    output wire [15:0]             inst_state_locate,
    output wire [5:0]              inst_state_flags,   // subscribed, locate valid, halted, authoritative, bid/ask truncated
    output wire [31:0]             inst_bid_price,
    output wire [31:0]             inst_bid_size,
    output wire [31:0]             inst_ask_price,
    output wire [31:0]             inst_ask_size,
    output wire [63:0]             inst_state_symbol,
    output wire                    ready,              // not clearing, no slot command waiting

    // what the risk gate takes, whatever cfg_events says: per instrument the
    // halted flag and the top prices (0 when none or unknown), and a pulse
    // with the price of every trade
    output wire [INSTRUMENTS-1:0]  halted,
    output wire [INSTRUMENTS*32-1:0] top_bid,
    output wire [INSTRUMENTS*32-1:0] top_ask,
    output reg                     trade_valid = 1'b0,
    output reg  [7:0]              trade_inst = 8'd0,
    output reg  [31:0]             trade_price = 32'd0,

    // framed ITCH messages from the feed
    input  wire                    msg_valid,
    input  wire [399:0]            msg_data,
    input  wire [63:0]             msg_seq,

    // events
    output wire [511:0]            m_axis_evt_tdata,
    output wire                    m_axis_evt_tvalid,
    input  wire                    m_axis_evt_tready,

    // counters
    output reg  [63:0]             messages = 64'd0,
    output reg  [63:0]             unsubscribed = 64'd0,
    output reg  [63:0]             unknown_ref = 64'd0,
    output reg  [63:0]             duplicate_ref = 64'd0,
    output reg  [63:0]             zero_shares = 64'd0,
    output reg  [63:0]             order_overflow = 64'd0,
    output wire [63:0]             orders,
    output reg  [63:0]             bbo_events = 64'd0,
    output reg  [63:0]             trade_events = 64'd0,
    output reg  [63:0]             halt_events = 64'd0,
    output reg  [63:0]             overrun = 64'd0,
    output reg  [63:0]             events_dropped = 64'd0
);

`include "tg_card_defs.vh"

localparam SW = INSTRUMENTS <= 2 ? 1 : INSTRUMENTS <= 4 ? 2 : INSTRUMENTS <= 8 ? 3 : 4;
localparam WAYS = 1 << WAYS_LOG2;
localparam BUCKETS_LOG2 = ORDER_LOG2 - WAYS_LOG2;
localparam BUCKETS = 1 << BUCKETS_LOG2;
localparam ROWS = 2 * INSTRUMENTS;

initial begin
    if (INSTRUMENTS < 2 || INSTRUMENTS > 16 || DEPTH < 2 || DEPTH > 16 || ORDER_LOG2 < 4 || ORDER_LOG2 > 24 ||
        WAYS_LOG2 > 4 || BUCKETS_LOG2 < 1) begin
        $error("tg_book: parameter out of range");
        $finish;
    end
end

// ---------------------------------------------------------------- formats
// order entry: valid, slot epoch, slot, ref, bid side, price, shares. An
// entry is live while its slot's epoch is the one it was written in: a
// slot's subscription change retires all its orders at once.
localparam EP_W = 16;
localparam OE_REF = 65, OE_SLOT = 129;
localparam OE_EP = OE_SLOT + SW;
localparam OE_W = OE_EP + EP_W + 1;
// level: price, shares, orders (orders == 0: empty)
localparam LV_PX = 32, LV_SH = 48, LV_OR = 24;
localparam LV_W = LV_PX + LV_SH + LV_OR;
// level row of one side: DEPTH levels, best first, then truncated, bound, hidden
localparam ROW_W = DEPTH * LV_W + 1 + 32 + 32;
localparam ROW_TRUNC = DEPTH * LV_W;
localparam ROW_BOUND = ROW_TRUNC + 1;
localparam ROW_HIDDEN = ROW_BOUND + 32;

// message kinds
localparam [3:0] K_ADD = 4'd1, K_EXEC = 4'd2, K_CANCEL = 4'd3, K_DELETE = 4'd4, K_REPLACE = 4'd5,
                 K_TRADE = 4'd6, K_HALT = 4'd7;

// queued record, from the top: kind, type, slot, locate, timestamp,
// sequence, ref, ref2, shares, price, match, aux; RN_*: the same without ref
localparam RF_AUX = 0, RF_MATCH = 8, RF_PRICE = 72, RF_SHARES = 104, RF_REF2 = 136, RF_REF = 200,
           RF_SEQ = 264, RF_TS = 328, RF_LOC = 376, RF_SLOT = 392;
localparam RF_TYPE = RF_SLOT + SW, RF_KIND = RF_TYPE + 8;
localparam R_W = RF_KIND + 4;
localparam RN_SEQ = RF_SEQ - 64, RN_TS = RF_TS - 64, RN_LOC = RF_LOC - 64, RN_SLOT = RF_SLOT - 64,
           RN_TYPE = RF_TYPE - 64, RN_KIND = RF_KIND - 64;
localparam RN_W = R_W - 64;


function [31:0] be32;     // big-endian bytes off..off+3 of the message
    input [399:0] d;
    input integer off;
    begin
        be32 = {d[8*off +: 8], d[8*(off+1) +: 8], d[8*(off+2) +: 8], d[8*(off+3) +: 8]};
    end
endfunction

function [63:0] be64;
    input [399:0] d;
    input integer off;
    begin
        be64 = {be32(d, off), be32(d, off + 4)};
    end
endfunction

function [BUCKETS_LOG2-1:0] bucket_of;
    input [63:0] ref_no;
    reg [31:0] h;
    begin
        h = ref_no[31:0] ^ ref_no[63:32];
        h = h ^ (h >> 16);
        bucket_of = h[BUCKETS_LOG2-1:0];
    end
endfunction

function [31:0] sat32;
    input [LV_SH-1:0] v;
    begin
        sat32 = |v[LV_SH-1:32] ? 32'hffffffff : v[31:0];
    end
endfunction

function [LV_SH-1:0] add_cs;   // a + b: two halves, the upper one for either carry in
    input [LV_SH-1:0] a, b;
    reg [LV_SH/2:0] lo;
    reg [LV_SH/2-1:0] h0, h1;
    begin
        lo = {1'b0, a[LV_SH/2-1:0]} + {1'b0, b[LV_SH/2-1:0]};
        h0 = a[LV_SH-1:LV_SH/2] + b[LV_SH-1:LV_SH/2];
        h1 = a[LV_SH-1:LV_SH/2] - ~b[LV_SH-1:LV_SH/2];     // + b + 1
        add_cs = {({(LV_SH/2){lo[LV_SH/2]}} & h1) | ({(LV_SH/2){!lo[LV_SH/2]}} & h0), lo[LV_SH/2-1:0]};
    end
endfunction

function [LV_SH-1:0] sub_cs;   // a - b: two halves, the upper one for either borrow
    input [LV_SH-1:0] a, b;
    reg [LV_SH/2:0] lo;
    reg [LV_SH/2-1:0] h0, h1;
    begin
        lo = {1'b0, a[LV_SH/2-1:0]} - {1'b0, b[LV_SH/2-1:0]};
        h0 = a[LV_SH-1:LV_SH/2] - b[LV_SH-1:LV_SH/2];
        h1 = a[LV_SH-1:LV_SH/2] + ~b[LV_SH-1:LV_SH/2];     // - b - 1
        sub_cs = {({(LV_SH/2){lo[LV_SH/2]}} & h1) | ({(LV_SH/2){!lo[LV_SH/2]}} & h0), lo[LV_SH/2-1:0]};
    end
endfunction

function better;           // price a better than b on the side (bid: higher)
    input side_b;
    input [31:0] a, b;
    begin
        better = side_b ? a > b : a < b;
    end
endfunction

// ---------------------------------------------------------------- slots
reg [INSTRUMENTS-1:0] slot_sub = {INSTRUMENTS{1'b0}};
reg [INSTRUMENTS-1:0] slot_loc_ok = {INSTRUMENTS{1'b0}};
reg [15:0] slot_loc [0:INSTRUMENTS-1];
reg [63:0] slot_sym [0:INSTRUMENTS-1];
reg [INSTRUMENTS-1:0] slot_halted = {INSTRUMENTS{1'b0}};
reg [INSTRUMENTS-1:0] slot_auth = {INSTRUMENTS{1'b1}};
reg [INSTRUMENTS-1:0] slot_trunc_b = {INSTRUMENTS{1'b0}}, slot_trunc_a = {INSTRUMENTS{1'b0}};
// the instrument's BBO after its last message: bid price/size, ask price/size, flags
reg [31:0] bbo_bp [0:INSTRUMENTS-1];
reg [31:0] bbo_bs [0:INSTRUMENTS-1];
reg [31:0] bbo_ap [0:INSTRUMENTS-1];
reg [31:0] bbo_as [0:INSTRUMENTS-1];
reg [2:0]  bbo_fl [0:INSTRUMENTS-1];
reg [EP_W-1:0] slot_epoch [0:INSTRUMENTS-1];
// live orders, of the book and of each slot: never more than the table holds
reg [ORDER_LOG2:0] ord_n = {(ORDER_LOG2+1){1'b0}};
reg [ORDER_LOG2:0] slot_ord [0:INSTRUMENTS-1];
assign orders = {{(63-ORDER_LOG2){1'b0}}, ord_n};

integer i;
initial begin
    for (i = 0; i < INSTRUMENTS; i = i + 1) begin
        slot_loc[i] = 16'd0;
        slot_sym[i] = 64'd0;
        bbo_bp[i] = 32'd0;
        bbo_bs[i] = 32'd0;
        bbo_ap[i] = 32'd0;
        bbo_as[i] = 32'd0;
        bbo_fl[i] = 3'd0;
        slot_epoch[i] = {EP_W{1'b0}};
        slot_ord[i] = {(ORDER_LOG2+1){1'b0}};
    end
end

assign halted = slot_halted;
genvar gi;
generate
    for (gi = 0; gi < INSTRUMENTS; gi = gi + 1) begin : g_top
        assign top_bid[gi*32 +: 32] = bbo_fl[gi][0] ? 32'd0 : bbo_bp[gi];
        assign top_ask[gi*32 +: 32] = bbo_fl[gi][1] ? 32'd0 : bbo_ap[gi];
    end
endgenerate
wire [SW-1:0] sel = inst_sel[SW-1:0];
wire sel_ok = inst_sel < INSTRUMENTS;
assign inst_state_locate = sel_ok ? slot_loc[sel] : 16'd0;
assign inst_state_flags = sel_ok ? {slot_trunc_a[sel], slot_trunc_b[sel], slot_auth[sel], slot_halted[sel],
                                    slot_loc_ok[sel], slot_sub[sel]} : 6'd0;
assign inst_bid_price = sel_ok ? bbo_bp[sel] : 32'd0;
assign inst_state_symbol = sel_ok && slot_sub[sel] ? slot_sym[sel] : 64'd0;
assign inst_bid_size = sel_ok ? bbo_bs[sel] : 32'd0;
assign inst_ask_price = sel_ok ? bbo_ap[sel] : 32'd0;
assign inst_ask_size = sel_ok ? bbo_as[sel] : 32'd0;

// ---------------------------------------------------------------- intake
wire [7:0] m_type = msg_data[7:0];
wire [15:0] m_loc = {msg_data[8*1 +: 8], msg_data[8*2 +: 8]};
wire [63:0] m_sym_r = msg_data[8*11 +: 64];   // R, H: stock at 11, as on the wire

reg [3:0] m_kind;
always @* begin
    case (m_type)
        8'h41, 8'h46: m_kind = K_ADD;       // A F
        8'h45, 8'h43: m_kind = K_EXEC;      // E C
        8'h58: m_kind = K_CANCEL;           // X
        8'h44: m_kind = K_DELETE;           // D
        8'h55: m_kind = K_REPLACE;          // U
        8'h50, 8'h51: m_kind = K_TRADE;     // P Q
        8'h48: m_kind = K_HALT;             // H
        default: m_kind = 4'd0;
    endcase
end

// A locate subscribed in several slots is the lowest one's. The slots
// shadowed by a lower one of the same locate, registered, find the epoch of
// the match with no priority; they lag a change of the slots by a cycle, in
// which no message goes straight into S0.
reg [INSTRUMENTS-1:0] slot_shadow = {INSTRUMENTS{1'b0}};
reg slot_chg = 1'b0;
reg m_hit;
reg [SW-1:0] m_slot;
reg [INSTRUMENTS-1:0] m_slots;
reg [SW-1:0] m_slot_d;             // the same, straight into S0
reg [EP_W-1:0] m_ep;               // the epoch of the slot
always @* begin
    m_hit = 1'b0;
    m_slot = {SW{1'b0}};
    m_slot_d = {SW{1'b0}};
    m_ep = {EP_W{1'b0}};
    for (i = 0; i < INSTRUMENTS; i = i + 1) begin
        m_slots[i] = slot_sub[i] && slot_loc_ok[i] && slot_loc[i] == m_loc;
        if (m_slots[i] && !slot_shadow[i]) begin
            m_ep = m_ep | slot_epoch[i];
            m_slot_d = m_slot_d | i[SW-1:0];
        end
    end
    for (i = INSTRUMENTS - 1; i >= 0; i = i - 1) begin
        if (m_slots[i]) begin
            m_hit = 1'b1;
            m_slot = i[SW-1:0];
        end
    end
end
wire [63:0] m_ref_raw = be64(msg_data, 11);   // where the references are (S0's bucket read, search key)

// fields by kind: ref, ref2 (U new reference; Q shares), shares, price,
// match, aux (side of A and P, printable of C, state of H)
reg [63:0] m_ref, m_ref2, m_match;
reg [31:0] m_shares, m_price;
reg [7:0] m_aux;
always @* begin
    m_ref = be64(msg_data, 11);
    m_ref2 = 64'd0;
    m_shares = 32'd0;
    m_price = 32'd0;
    m_match = 64'd0;
    m_aux = 8'd0;
    case (m_type)
        8'h41, 8'h46: begin   // A F: ref 11, side 19, shares 20, stock 24, price 32
            m_aux = msg_data[8*19 +: 8];
            m_shares = be32(msg_data, 20);
            m_price = be32(msg_data, 32);
        end
        8'h45, 8'h43: begin   // E C: ref 11, shares 19, match 23; C: printable 31, price 32
            m_shares = be32(msg_data, 19);
            m_match = be64(msg_data, 23);
            m_aux = msg_data[8*31 +: 8];
            m_price = be32(msg_data, 32);
        end
        8'h58: begin          // X: ref 11, shares 19
            m_shares = be32(msg_data, 19);
        end
        8'h55: begin          // U: old 11, new 19, shares 27, price 31
            m_ref2 = be64(msg_data, 19);
            m_shares = be32(msg_data, 27);
            m_price = be32(msg_data, 31);
        end
        8'h50: begin          // P: ref 11, side 19, shares 20, stock 24, price 32, match 36
            m_aux = msg_data[8*19 +: 8];
            m_shares = be32(msg_data, 20);
            m_price = be32(msg_data, 32);
            m_match = be64(msg_data, 36);
        end
        8'h51: begin          // Q: shares 11 (8 bytes), stock 19, price 27, match 31
            m_ref = 64'd0;
            m_ref2 = be64(msg_data, 11);
            m_price = be32(msg_data, 27);
            m_match = be64(msg_data, 31);
        end
        8'h48: begin          // H: stock 11, state 19
            m_ref = 64'd0;
            m_aux = msg_data[8*19 +: 8];
        end
        default: ;
    endcase
end

wire [47:0] m_ts = {msg_data[8*5 +: 8], msg_data[8*6 +: 8], be32(msg_data, 7)};
wire [R_W-1:0] m_rec = {m_kind, m_type, m_slot, m_loc, m_ts, msg_seq,
                        m_ref, m_ref2, m_shares, m_price, m_match, m_aux};

// ---------------------------------------------------------------- control
localparam [1:0] ST_CLEAR = 2'd0, ST_RUN = 2'd1, ST_SLOT = 2'd2;
reg [1:0] st = ST_CLEAR;
localparam CLR_N = BUCKETS > ROWS ? BUCKETS : ROWS;
reg [24:0] clr_addr = 25'd0;
reg cmd_pending = 1'b0;
reg [SW-1:0] cmd_slot = {SW{1'b0}};
reg [1:0] cmd_ops = 2'd0;          // unsubscribe, set locate (else subscribe)
reg [63:0] cmd_symbol = 64'd0;
reg [15:0] cmd_locate = 16'd0;
reg cmd_row = 1'b0;                // second row of the slot next

assign ready = st == ST_RUN && !cmd_pending;

// the message in each stage: valid, record (S3 and S4 without the reference)
reg v1 = 1'b0, v2 = 1'b0, v3 = 1'b0, v4 = 1'b0;
reg [R_W-1:0] p1 = 0, p2 = 0;
reg [RN_W-1:0] p3 = 0, p4 = 0;

wire [3:0]  p1_kind = p1[RF_KIND +: 4];
wire [63:0] p1_ref = p1[RF_REF +: 64], p1_ref2 = p1[RF_REF2 +: 64];
wire [31:0] p1_shares = p1[RF_SHARES +: 32];
wire [7:0]  p1_aux = p1[RF_AUX +: 8];

wire [3:0]  p2_kind = p2[RF_KIND +: 4];
wire [SW-1:0] p2_slot = p2[RF_SLOT +: SW];
wire [63:0] p2_ref = p2[RF_REF +: 64];
wire [31:0] p2_shares = p2[RF_SHARES +: 32], p2_price = p2[RF_PRICE +: 32];
wire [7:0]  p2_aux = p2[RF_AUX +: 8];

wire [3:0]  p3_kind = p3[RN_KIND +: 4];
wire [SW-1:0] p3_slot = p3[RN_SLOT +: SW];
wire [63:0] p3_ref2 = p3[RF_REF2 +: 64];
wire [31:0] p3_shares = p3[RF_SHARES +: 32], p3_price = p3[RF_PRICE +: 32];

wire [3:0]  c_kind = p4[RN_KIND +: 4];
wire [7:0]  c_type = p4[RN_TYPE +: 8];
wire [SW-1:0] c_slot = p4[RN_SLOT +: SW];
wire [15:0] c_loc = p4[RN_LOC +: 16];
wire [47:0] c_ts = p4[RN_TS +: 48];
wire [63:0] c_seq = p4[RN_SEQ +: 64], c_ref2 = p4[RF_REF2 +: 64], c_match = p4[RF_MATCH +: 64];
wire [31:0] c_shares = p4[RF_SHARES +: 32], c_price = p4[RF_PRICE +: 32];
wire [7:0]  c_aux = p4[RF_AUX +: 8];

// a replace in S1 reads its second bucket; in S2 it searches it, in S3 it
// writes it: the next message's S0 waits for S3
wire u1 = v1 && p1_kind == K_REPLACE;
wire u2 = v2 && p2_kind == K_REPLACE;
wire u3 = v3 && p3_kind == K_REPLACE;
reg u4 = 1'b0;                      // v4 && the message in S4 is a replace

// ---------------------------------------------------------------- S0
wire in_take = msg_valid && cfg_enable && m_kind != 4'd0 && m_hit;
wire in_ready;
wire [R_W-1:0] q_rec;
wire q_valid;
reg q_flush = 1'b0;

wire s0_free = st == ST_RUN && !cmd_pending && !v1 && !u2;
wire q_pop = q_valid && s0_free;
// the queue is empty: the message arriving goes in too, and out the next cycle
wire s0_direct = in_take && !q_valid && s0_free && !slot_chg;
reg q_skip = 1'b0;
reg [INSTRUMENTS-1:0] in_lost = {INSTRUMENTS{1'b0}};
wire [R_W-1:0] s0_rec = q_valid ? q_rec : {m_rec[R_W-1:RF_SLOT+SW], m_slot_d, m_rec[RF_SLOT-1:0]};
wire [SW-1:0] q_slot = q_rec[RF_SLOT +: SW];
wire [63:0] h_ref = q_rec[RF_REF +: 64];

tg_rec_fifo #(
    .DATA_WIDTH(R_W),
    .DEPTH_LOG2(IN_FIFO_LOG2)
)
in_fifo_inst (
    .clk(clk),
    .rst(rst || q_flush),
    .s_axis_tdata(m_rec),
    .s_axis_tvalid(in_take && st != ST_CLEAR),
    .s_axis_tready(in_ready),
    .m_axis_tdata(q_rec),
    .m_axis_tvalid(q_valid),
    .m_axis_tready(q_pop || q_skip)
);

// ---------------------------------------------------------------- order table
// One memory per way: the bucket read in S0 (or a replace's second bucket,
// in its S1) comes out a cycle later. A way written in the cycle its bucket
// is read is forwarded: the next message's search sees the bucket its
// predecessor writes in that cycle.
reg [WAYS-1:0] ot_we;              // the ways written this cycle
reg [BUCKETS_LOG2-1:0] ot_wa;
reg [OE_W-1:0] ot_wd;
wire [BUCKETS_LOG2-1:0] ot_ra = u1 ? bucket_of(p1_ref2) : q_valid ? bucket_of(h_ref) : bucket_of(m_ref_raw);
reg [BUCKETS_LOG2-1:0] ot_wb = {BUCKETS_LOG2{1'b0}};   // the bucket the pipeline writes (S2, a replace's S3)
reg [WAYS-1:0] ot_fwd = {WAYS{1'b0}};   // the ways written where the bucket was read
reg [OE_W-1:0] ot_fwd_d = {OE_W{1'b0}};   // what was written there
reg ot_fwd_any = 1'b0;                    // some way
wire [WAYS*OE_W-1:0] bq;           // the bucket read in the previous cycle (the ways forwarded: stale)

genvar gw;
generate
    for (gw = 0; gw < WAYS; gw = gw + 1) begin : g_way
        reg [OE_W-1:0] mem [0:BUCKETS-1];
        reg [OE_W-1:0] q = {OE_W{1'b0}};
        integer k;
        initial begin
            for (k = 0; k < BUCKETS; k = k + 1) mem[k] = {OE_W{1'b0}};
        end
        always @(posedge clk) begin
            if (ot_we[gw]) mem[ot_wa] <= ot_wd;
            q <= mem[ot_ra];
        end
        assign bq[gw*OE_W +: OE_W] = q;
    end
endgenerate

// ---------------------------------------------------------------- S1: search
// the key of the search, set in S0 (or by a replace in S1 for its second
// bucket, with the way its old order leaves counted free)
reg [63:0] sk_key = 64'd0;
reg [SW-1:0] sk_slot = {SW{1'b0}};
reg [EP_W-1:0] sk_ep = {EP_W{1'b0}};
reg [WAYS-1:0] sk_rm = {WAYS{1'b0}};

// The ways as read, and (way F) the entry written in the cycle of the read
// into the forwarded way, each compared with the key on its own: the key's
// (its slot's epoch: live) and free (not live). A key is live in one way at
// most, whose fields come out by its match. The way a replace's old order
// leaves is free for its new one.
wire sh_force = p1_kind == K_DELETE || p1_kind == K_REPLACE;   // the order found leaves whole
function e_live;
    input [OE_W-1:0] e;
    begin
        e_live = e[OE_W-1] && e[OE_EP +: EP_W] == slot_epoch[e[OE_SLOT +: SW]];
    end
endfunction
function e_key;
    input [OE_W-1:0] e;
    input [63:0] key;
    input [SW-1:0] slot;
    input [EP_W-1:0] ep;
    begin
        e_key = e[OE_W-1] && e[OE_EP +: EP_W] == ep && e[OE_SLOT +: SW] == slot && e[OE_REF +: 64] == key;
    end
endfunction
reg [WAYS-1:0] sh_hitq, sh_hit, sh_free, sh_ff;
reg sh_hitf, sh_livef;              // way F's
reg sh_bid, sh_ge, sh_same;         // the order's side; the message's shares cover it, its price is the order's
reg [31:0] sh_price, sh_shares, sh_sh1;   // its price, shares, what its level loses
reg [32:0] sh_d12;                  // the message's shares less the order's (a replace: new less old)
reg [OE_W-1:0] sh_e;
always @* begin
    // written in its slot's epoch: live when valid
    sh_livef = ot_fwd_d[OE_W-1];
    sh_hitf = ot_fwd_any && sh_livef && ot_fwd_d[OE_SLOT +: SW] == sk_slot && ot_fwd_d[OE_REF +: 64] == sk_key;
    sh_bid = sh_hitf && ot_fwd_d[64];
    sh_price = {32{sh_hitf}} & ot_fwd_d[32 +: 32];
    sh_shares = {32{sh_hitf}} & ot_fwd_d[0 +: 32];
    sh_ge = sh_hitf && p1_shares >= ot_fwd_d[0 +: 32];
    sh_sh1 = {32{sh_hitf}} & (sh_force || p1_shares >= ot_fwd_d[0 +: 32] ? ot_fwd_d[0 +: 32] : p1_shares);
    sh_same = sh_hitf && ot_fwd_d[32 +: 32] == p1[RF_PRICE +: 32];
    sh_d12 = {33{sh_hitf}} & ({1'b0, p1_shares} - {1'b0, ot_fwd_d[0 +: 32]});
    for (i = 0; i < WAYS; i = i + 1) begin
        sh_e = bq[i*OE_W +: OE_W];
        sh_hitq[i] = e_key(sh_e, sk_key, sk_slot, sk_ep) && !ot_fwd[i] && !sk_rm[i];
        sh_hit[i] = sh_hitq[i] || (ot_fwd[i] && sh_hitf);
        sh_free[i] = !(ot_fwd[i] ? sh_livef : e_live(sh_e)) || sk_rm[i];
        if (sh_hitq[i]) begin
            sh_bid = sh_bid | sh_e[64];
            sh_price = sh_price | sh_e[32 +: 32];
            sh_shares = sh_shares | sh_e[0 +: 32];
            sh_ge = sh_ge | (p1_shares >= sh_e[0 +: 32]);
            sh_sh1 = sh_sh1 | (sh_force || p1_shares >= sh_e[0 +: 32] ? sh_e[0 +: 32] : p1_shares);
            sh_same = sh_same | (sh_e[32 +: 32] == p1[RF_PRICE +: 32]);
            sh_d12 = sh_d12 | ({1'b0, p1_shares} - {1'b0, sh_e[0 +: 32]});
        end
    end
    for (i = 0; i < WAYS; i = i + 1) begin
        sh_ff[i] = sh_free[i] && (i == 0 || (sh_free & ((1 << i) - 1)) == {WAYS{1'b0}});
    end
end
// the order found leaves (D, U, or E/C/X of all its shares)
wire sh_gone = sh_force || sh_ge;

// the search's outcome: S2's (a replace's second search: its S3's)
reg [WAYS-1:0] sr_hit = {WAYS{1'b0}}, sr_ff = {WAYS{1'b0}};   // the key's way; the first free way
reg sr_found = 1'b0, sr_full = 1'b0;
reg sr_side = 1'b0;                 // side of the level change: the add's, or the order's found
reg [31:0] sr_price = 32'd0, sr_shares = 32'd0;   // the order found
reg sr_gone = 1'b0;
reg [31:0] sr_sh1 = 32'd0;          // shares its level loses
reg [32:0] sr_d12 = 33'd0;          // the message's shares less the order's
reg sr_same = 1'b0;                 // a replace's new order at its old price

// ---------------------------------------------------------------- S2: bucket out, row in, locate
wire p2_add = p2_kind == K_ADD;
wire p2_red = p2_kind == K_EXEC || p2_kind == K_CANCEL || p2_kind == K_DELETE || p2_kind == K_REPLACE;
reg z1 = 1'b0, p2_zero = 1'b0, p3_zero = 1'b0;   // the message's shares are 0 (S1, S2, S3)
wire s2_add_ok = !p2_zero && !sr_found && !sr_full;
wire w2_en = v2 && (p2_add ? s2_add_ok : p2_red && sr_found);
wire [OE_W-1:0] w2_data = p2_add ? {1'b1, slot_epoch[p2_slot], p2_slot, p2_ref, p2_aux == 8'h42, p2_price, p2_shares}
                        : sr_gone ? {OE_W{1'b0}}
                        : {1'b1, slot_epoch[p2_slot], p2_slot, p2_ref, sr_side, sr_price, sr_shares - p2_shares};

// S3 of a replace: its new order into the first free way of its bucket
reg x_found = 1'b0, x_side = 1'b0;
wire s3_add_ok = !p3_zero && !sr_found && !sr_full;
wire w3_en = u3 && x_found && s3_add_ok;
wire [OE_W-1:0] w3_data = {1'b1, slot_epoch[p3_slot], p3_slot, p3_ref2, x_side, p3_price, p3_shares};

always @* begin
    ot_we = {WAYS{1'b0}};
    ot_wa = ot_wb;
    ot_wd = w2_data;
    if (st == ST_CLEAR) begin
        ot_we = {WAYS{1'b1}};
        ot_wa = clr_addr[BUCKETS_LOG2-1:0];
        ot_wd = {OE_W{1'b0}};
    end else if (u3) begin
        ot_we = w3_en ? sr_ff : {WAYS{1'b0}};
        ot_wd = w3_data;
    end else if (w2_en) begin
        ot_we = p2_add ? sr_ff : sr_hit;
    end
end

// level rows: written in S3 (a replace: S4), read in S2
reg [ROW_W-1:0] lv_mem [0:ROWS-1];
reg lv_we;
reg [SW:0] lv_wa;
reg [ROW_W-1:0] lv_out;
integer b;
initial begin
    for (b = 0; b < ROWS; b = b + 1) lv_mem[b] = {ROW_W{1'b0}};
end
always @(posedge clk) begin
    if (lv_we) lv_mem[lv_wa] <= lv_out;
end
wire [ROW_W-1:0] lv_rd = lv_mem[{p2_slot, sr_side}];

// Levels are kept best first with no gaps and distinct prices, so the levels
// better than a price are a prefix (a thermometer code) and at most one
// level matches it (one-hot): every position below is a mask, computed for
// all levels at once. Change 1 reduces the level of px1 by sh1 (the order
// found; gone: it left), change 2 adds an order of sh2 at px2 (the message).
wire [31:0] px1 = sr_price, sh1 = sr_sh1, px2 = p2_price, sh2 = p2_shares;
reg [DEPTH-1:0] l_vd, l_m1, l_e1, l_m2, l_b2;
reg [LV_OR-1:0] l_or;
reg [LV_SH-1:0] l_sh;
reg [LV_PX-1:0] l_px;
always @* begin
    for (i = 0; i < DEPTH; i = i + 1) begin
        l_or = lv_rd[i*LV_W +: LV_OR];
        l_sh = lv_rd[i*LV_W + LV_OR +: LV_SH];
        l_px = lv_rd[i*LV_W + LV_OR + LV_SH +: LV_PX];
        l_vd[i] = l_or != {LV_OR{1'b0}};
        l_m1[i] = l_vd[i] && l_px == px1;                                                  // level of px1
        l_e1[i] = l_sh == {16'd0, sh1} || l_or == {{(LV_OR-1){1'b0}}, sr_gone};             // change 1 empties it
        l_m2[i] = l_vd[i] && l_px == px2;                                                  // level of px2
        l_b2[i] = l_vd[i] && better(sr_side, l_px, px2);                                   // better than px2
    end
end
wire [31:0] l_bound = lv_rd[ROW_BOUND +: 32], l_hidden = lv_rd[ROW_HIDDEN +: 32];
// every level reduced by change 1 (A) and added to by change 2 (B): shares
// and orders (a replace at its old price adds sh2 - sh1, no order)
wire [LV_SH-1:0] l_db = sr_same ? {{(LV_SH-33){sr_d12[32]}}, sr_d12} : {16'd0, sh2};
reg [DEPTH*(LV_SH+LV_OR)-1:0] l_ua, l_ub;
always @* begin
    for (i = 0; i < DEPTH; i = i + 1) begin
        l_ua[i*(LV_SH+LV_OR) +: LV_SH+LV_OR] = {sub_cs(lv_rd[i*LV_W + LV_OR +: LV_SH], {16'd0, sh1}),
                                              lv_rd[i*LV_W +: LV_OR] - {{(LV_OR-1){1'b0}}, sr_gone}};
        l_ub[i*(LV_SH+LV_OR) +: LV_SH+LV_OR] = {add_cs(lv_rd[i*LV_W + LV_OR +: LV_SH], l_db),
                                              lv_rd[i*LV_W +: LV_OR] + {{(LV_OR-1){1'b0}}, !sr_same}};
    end
end

// what S3 (a replace: S3 and S4) works from
reg [ROW_W-1:0] row_q = {ROW_W{1'b0}};
reg x_v0 = 1'b0, x_v1 = 1'b0, x_vl = 1'b0;   // levels 0, 1 and the last valid
reg [DEPTH-1:0] x_m1 = 0, x_e1 = 0, x_m2 = 0, x_b2 = 0;
reg x_beyond1 = 1'b0, x_pb2 = 1'b0, x_hz = 1'b0, x_h1 = 1'b0;

reg [SW:0] x_wa = {(SW+1){1'b0}};   // the row: slot, side
reg [DEPTH*(LV_SH+LV_OR)-1:0] x_ua = 0, x_ub = 0;   // the levels reduced (A), added to (B)
reg [31:0] x_px1 = 32'd0, x_px2 = 32'd0, x_sh2 = 32'd0;
reg x_gone1 = 1'b0;
reg [31:0] x_obp = 32'd0, x_obs = 32'd0;   // the side's BBO before the message: price, size,
reg x_ounk = 1'b0, x_oauth = 1'b0;        // unknown top; the instrument's not authoritative flag
reg x_c1 = 1'b0, x_c2 = 1'b0;       // change 1; change 2 of an add (a replace's: known in S3)

// ---------------------------------------------------------------- S3: the change
// The row after change 1 then change 2, each of its levels one of: the
// level before, the same or the next of the row read, the new level, the
// level of px1 reduced (A: here or, after a new level, the one before), the
// level of px2 added to (B: here or, past a level change 1 removed, the
// next one). Change 2 works on the row after change 1: its masks shift past
// a level change 1 removed. The fast form (one change: every message but a
// replace) is what S3 applies; a replace's (general) is registered in S3 and
// applied in S4.
localparam LC_PREV = 0, LC_CUR = DEPTH, LC_NEXT = 2 * DEPTH, LC_NEW = 3 * DEPTH, LC_UPA = 4 * DEPTH,
           LC_UPAP = 5 * DEPTH, LC_UPB = 6 * DEPTH, LC_UPBN = 7 * DEPTH;
localparam LC_T = 8 * DEPTH;       // truncated: set, kept
localparam LC_B = LC_T + 2;        // bound: kept, px2, the last level's price
localparam LC_H = LC_B + 3;        // hidden: kept, +1, -1, + the last level's orders, that -1
localparam LC_TOP = LC_H + 5;      // level 0 after: K0 K1 KN KA KB0 KB1 (see the top below)
localparam LC_W = LC_TOP + 6;

function [LC_W-1:0] level_change;
    input general;                 // a replace's two changes; else at most one
    input c1, c2;
    input vdl;                     // the last level is valid
    input [DEPTH-1:0] m1, e1, m2, b2;
    input beyond1, pb2, gone1, hz, h1, trunc;
    reg any1, any2, rmf, rm1, up1, hb1, t1, full1, worst1, bey2, found2, abey, afw, ains, afound;
    reg sd, kp, kq, ln, la, lnp, lap, lastup, addh, addl;
    reg [DEPTH:0] m2x, b2x;
    reg [DEPTH-1:0] fj, shf, b2s;
    integer k;
    begin
        level_change = {LC_W{1'b0}};
        for (k = 0; k < DEPTH; k = k + 1) begin
            fj[k] = m1[k] || (k != 0 && fj[k == 0 ? 0 : k - 1]);   // at or after the level of px1
        end
        any1 = m1 != {DEPTH{1'b0}};
        any2 = m2 != {DEPTH{1'b0}};
        rmf = (m1 & e1) != {DEPTH{1'b0}};
        rm1 = c1 && !beyond1 && rmf;             // the level of px1 is removed
        up1 = c1 && !beyond1 && any1 && !rmf;    // ... reduced
        hb1 = c1 && beyond1 && gone1 && !hz;     // a hidden order left
        t1 = trunc && !(hb1 && h1);
        m2x = {1'b0, m2};
        b2x = {1'b0, b2};
        for (k = 0; k < DEPTH; k = k + 1) begin
            shf[k] = general && rm1 && fj[k];     // change 1 removed a level at or before k
            b2s[k] = shf[k] ? b2x[k + 1] : b2x[k];
        end
        full1 = !(general && rm1) && vdl;
        worst1 = b2s[DEPTH-1];
        bey2 = (general ? t1 : trunc) && !pb2;
        found2 = any2 && !(general && rm1 && (m1 & m2) != {DEPTH{1'b0}});   // not the level removed
        abey = c2 && bey2;                                       // hidden
        afound = c2 && !bey2 && found2;                          // onto its level
        afw = c2 && !bey2 && !found2 && full1 && worst1;         // full, worse than all: hidden
        ains = c2 && !bey2 && !found2 && !(full1 && worst1);     // a new level
        for (k = 0; k < DEPTH; k = k + 1) begin
            level_change[LC_UPB + k] = afound && !shf[k] && m2x[k];
            level_change[LC_UPBN + k] = afound && shf[k] && m2x[k + 1];
            level_change[LC_NEW + k] = ains && !b2s[k] && (k == 0 || b2s[k == 0 ? 0 : k - 1]);
            sd = ains && k != 0 && !b2s[k == 0 ? 0 : k - 1];    // after the new level
            kp = !level_change[LC_UPB + k] && !level_change[LC_UPBN + k] && !level_change[LC_NEW + k] && !sd;
            kq = kp || !general;
            ln = rm1 && fj[k];             // the row after change 1: the next level here
            la = up1 && m1[k];             // ... the reduced level here
            lnp = general && k != 0 && rm1 && fj[k == 0 ? 0 : k - 1];
            lap = general && k != 0 && up1 && m1[k == 0 ? 0 : k - 1];
            level_change[LC_NEXT + k] = kq && ln;
            level_change[LC_UPA + k] = kq && la;
            level_change[LC_UPAP + k] = sd && lap;
            level_change[LC_CUR + k] = (kp && !ln && !la) || (sd && lnp);
            level_change[LC_PREV + k] = sd && !lnp && !lap;
        end
        level_change[LC_T] = afw || (ains && full1);
        level_change[LC_T + 1] = !(afw || (ains && full1)) && !(hb1 && h1);
        level_change[LC_B] = !afw && !(ains && full1);
        level_change[LC_B + 1] = afw;
        level_change[LC_B + 2] = ains && full1;
        lastup = up1 && gone1 && m1[DEPTH-1];  // the last level lost an order to change 1
        addh = abey || afw;
        addl = ains && full1;
        level_change[LC_H + 1] = addh && !hb1;
        level_change[LC_H + 2] = hb1 && !addh && !addl;
        level_change[LC_H + 3] = addl && !hb1 && !lastup;
        level_change[LC_H + 4] = addl && (hb1 || lastup);
        level_change[LC_H] = !(addh && !hb1) && !(hb1 && !addh && !addl) && !addl;
        level_change[LC_TOP] = level_change[LC_CUR];
        level_change[LC_TOP + 1] = level_change[LC_NEXT];
        level_change[LC_TOP + 2] = level_change[LC_NEW];
        level_change[LC_TOP + 3] = level_change[LC_UPA];
        level_change[LC_TOP + 4] = level_change[LC_UPB];
        level_change[LC_TOP + 5] = level_change[LC_UPBN];
    end
endfunction

wire x_trunc = row_q[ROW_TRUNC];
wire [LC_W-1:0] lc_fast = level_change(1'b0, x_c1, x_c2, x_vl, x_m1, x_e1, x_m2, x_b2,
                                       x_beyond1, x_pb2, x_gone1, x_hz, x_h1, x_trunc);
wire [LC_W-1:0] lc_gen = level_change(1'b1, x_c1, x_found && s3_add_ok, x_vl, x_m1, x_e1, x_m2, x_b2,
                                      x_beyond1, x_pb2, x_gone1, x_hz, x_h1, x_trunc);
reg [LC_W-1:0] lc_u = {LC_W{1'b0}};    // a replace's, for its S4 (else none)
wire [LC_W-1:0] lc_s3 = u3 ? lc_gen : lc_fast;

// the row written: the change of the message in S3 (a replace: in S4), or
// all zero (clear, slot command: no change of a zero row_q)
wire [LC_W-1:0] lc = lc_u | (lc_fast & {LC_W{!u4}});
wire [LV_W-1:0] e_new = {x_px2, {16'd0, x_sh2}, {{(LV_OR-1){1'b0}}, 1'b1}};
wire [31:0] x_hidden = row_q[ROW_HIDDEN +: 32];
wire [31:0] x_orl = {{(32-LV_OR){1'b0}}, row_q[(DEPTH-1)*LV_W +: LV_OR]};   // the last level's orders
wire [31:0] x_h_plm1 = ~(x_hidden ^ x_orl) + {x_hidden[30:0] | x_orl[30:0], 1'b0};   // hidden + orl - 1
// the levels as read, reduced (A) and added to (B), one past each end zero
reg [(DEPTH+2)*LV_W-1:0] e_row, e_a, e_b;
always @* begin
    e_row = {{LV_W{1'b0}}, row_q[DEPTH*LV_W-1:0], {LV_W{1'b0}}};
    e_a = e_row;
    e_b = e_row;
    for (i = 1; i <= DEPTH; i = i + 1) begin
        e_a[i*LV_W +: LV_OR + LV_SH] = x_ua[(i-1)*(LV_SH+LV_OR) +: LV_SH+LV_OR];
        e_b[i*LV_W +: LV_OR + LV_SH] = x_ub[(i-1)*(LV_SH+LV_OR) +: LV_SH+LV_OR];
    end
    for (i = 0; i < DEPTH; i = i + 1) begin
        lv_out[i*LV_W +: LV_W] = ({LV_W{lc[LC_PREV + i]}} & e_row[i*LV_W +: LV_W]) |
                                 ({LV_W{lc[LC_CUR + i]}} & e_row[(i+1)*LV_W +: LV_W]) |
                                 ({LV_W{lc[LC_NEXT + i]}} & e_row[(i+2)*LV_W +: LV_W]) |
                                 ({LV_W{lc[LC_NEW + i]}} & e_new) |
                                 ({LV_W{lc[LC_UPA + i]}} & e_a[(i+1)*LV_W +: LV_W]) |
                                 ({LV_W{lc[LC_UPAP + i]}} & e_a[i*LV_W +: LV_W]) |
                                 ({LV_W{lc[LC_UPB + i]}} & e_b[(i+1)*LV_W +: LV_W]) |
                                 ({LV_W{lc[LC_UPBN + i]}} & e_b[(i+2)*LV_W +: LV_W]);
    end
    lv_out[ROW_TRUNC] = lc[LC_T] || (lc[LC_T + 1] && x_trunc);
    lv_out[ROW_BOUND +: 32] = ({32{lc[LC_B]}} & row_q[ROW_BOUND +: 32]) | ({32{lc[LC_B + 1]}} & x_px2) |
                              ({32{lc[LC_B + 2]}} & row_q[(DEPTH-1)*LV_W + LV_OR + LV_SH +: LV_PX]);
    lv_out[ROW_HIDDEN +: 32] = ({32{lc[LC_H]}} & x_hidden) | ({32{lc[LC_H + 1]}} & (x_hidden + 32'd1)) |
                               ({32{lc[LC_H + 2]}} & (x_hidden - 32'd1)) | ({32{lc[LC_H + 3]}} & (x_hidden + x_orl)) |
                               ({32{lc[LC_H + 4]}} & x_h_plm1);
end

always @* begin
    lv_we = 1'b0;
    lv_wa = x_wa;
    case (st)
        ST_CLEAR: lv_we = clr_addr < ROWS;
        ST_SLOT: lv_we = 1'b1;
        default: lv_we = (v3 && !u3 && (x_c1 || x_c2)) || (u4 && x_c1);
    endcase
end

// The new top of the side, for S4's events: one of level 0 as read (K0),
// level 1 (K1: level 0 removed), the new level (KN), level 0 reduced (KA),
// level 0 added to (KB0; a replace at its old price: reduced too), level 1
// added to (KB1: a replace whose old level 0 left). Each with whether it
// differs from the side's BBO, worked out here.
wire [31:0] r_p0 = row_q[LV_OR + LV_SH +: LV_PX], r_p1 = row_q[LV_W + LV_OR + LV_SH +: LV_PX];
wire [31:0] r_s0 = sat32(row_q[LV_OR +: LV_SH]), r_s1 = sat32(row_q[LV_W + LV_OR +: LV_SH]);
wire [LV_SH-1:0] x_sa = x_ua[LV_OR +: LV_SH], x_sb0 = x_ub[LV_OR +: LV_SH], x_sb1 = x_ub[LV_SH + LV_OR + LV_OR +: LV_SH];
wire [31:0] r_sa = sat32(x_sa), r_sb0 = sat32(x_sb0), r_sb1 = sat32(x_sb1);
wire [31:0] o_px = x_obp, o_sz = x_obs;
wire o_p0 = r_p0 != o_px, o_p1 = r_p1 != o_px;
wire o_ones = o_sz == 32'hffffffff, o_empty = o_px == 32'd0 && o_sz == 32'd0;
// a size, saturated, differs from the BBO's
function sz_chg;
    input [LV_SH-1:0] s;
    input [31:0] o;
    input ones;
    begin
        sz_chg = |s[LV_SH-1:32] ? !ones : s[31:0] != o;
    end
endfunction
wire [5:0] t_chg_d = {o_p1 || sz_chg(x_sb1, o_sz, o_ones),
                      o_p0 || sz_chg(x_sb0, o_sz, o_ones), o_p0 || sz_chg(x_sa, o_sz, o_ones),
                      x_px2 != o_px || x_sh2 != o_sz,
                      x_v1 ? o_p1 || sz_chg(row_q[LV_W + LV_OR +: LV_SH], o_sz, o_ones) : !o_empty,
                      x_v0 ? o_p0 || sz_chg(row_q[LV_OR +: LV_SH], o_sz, o_ones) : !o_empty};
reg [5:0] t_sel = 6'd1, t_chg = 6'd0;
reg t_v0 = 1'b0, t_v1 = 1'b0, t_trunc = 1'b0;
reg [31:0] t_p0 = 32'd0, t_p1 = 32'd0, t_pn = 32'd0;
reg [31:0] t_s0 = 32'd0, t_s1 = 32'd0, t_sn = 32'd0, t_sa = 32'd0, t_sb0 = 32'd0, t_sb1 = 32'd0;

// ---------------------------------------------------------------- S4: events
// up to two events: a trade or halt, then a BBO
wire [5:0] tk = t_sel;
wire n_valid = !(tk[0] && !t_v0) && !(tk[1] && !t_v1);
wire [31:0] n_px = ({32{(tk[0] && t_v0) || tk[3] || tk[4]}} & t_p0) |
                   ({32{(tk[1] && t_v1) || tk[5]}} & t_p1) | ({32{tk[2]}} & t_pn);
wire [31:0] n_sz = ({32{tk[0] && t_v0}} & t_s0) | ({32{tk[1] && t_v1}} & t_s1) | ({32{tk[2]}} & t_sn) |
                   ({32{tk[3]}} & t_sa) | ({32{tk[4]}} & t_sb0) | ({32{tk[5]}} & t_sb1);
wire n_unk = !n_valid && t_trunc;
reg [511:0] ev0, ev1;
reg ev0_valid, ev1_valid;
reg [31:0] n_bp, n_bs, n_ap, n_as;
reg [2:0] n_fl;
reg n_halted;
reg cnt_halt = 1'b0, cnt_trade = 1'b0, cnt_bbo = 1'b0;
reg [1:0] cnt_drop = 2'd0;

always @* begin
    n_bp = bbo_bp[c_slot];
    n_bs = bbo_bs[c_slot];
    n_ap = bbo_ap[c_slot];
    n_as = bbo_as[c_slot];
    n_fl = bbo_fl[c_slot];
    n_fl[2] = !slot_auth[c_slot];
    if (x_side) begin
        n_bp = n_px;
        n_bs = n_sz;
        n_fl[0] = n_unk;
    end else begin
        n_ap = n_px;
        n_as = n_sz;
        n_fl[1] = n_unk;
    end
    n_halted = c_aux != 8'h54;   // trading state other than T

    ev0 = 512'd0;
    ev0[TG_C2H_TIMESTAMP_LSB +: TG_C2H_TIMESTAMP_W] = cycle + 64'd1;
    ev0_valid = 1'b0;
    if (c_kind == K_TRADE || (c_kind == K_EXEC && x_found)) begin
        ev0_valid = 1'b1;
        ev0[TG_C2H_TYPE_LSB +: TG_C2H_TYPE_W] = TG_C2H_EVT_BOOK_TRADE;
        ev0[TG_C2H_BOOK_TRADE_MOLD_SEQ_LSB +: TG_C2H_BOOK_TRADE_MOLD_SEQ_W] = c_seq;
        ev0[TG_C2H_BOOK_TRADE_ITCH_TIME_LSB +: TG_C2H_BOOK_TRADE_ITCH_TIME_W] = {16'd0, c_ts};
        ev0[TG_C2H_BOOK_TRADE_LOCATE_LSB +: TG_C2H_BOOK_TRADE_LOCATE_W] = c_loc;
        ev0[TG_C2H_BOOK_TRADE_INSTRUMENT_LSB +: TG_C2H_BOOK_TRADE_INSTRUMENT_W] = {{(8-SW){1'b0}}, c_slot};
        ev0[TG_C2H_BOOK_TRADE_MSG_TYPE_LSB +: TG_C2H_BOOK_TRADE_MSG_TYPE_W] = c_type;
        ev0[TG_C2H_BOOK_TRADE_MATCH_LSB +: TG_C2H_BOOK_TRADE_MATCH_W] = c_match;
        if (c_kind == K_EXEC) begin
            ev0[TG_C2H_FLAGS_LSB] = c_type == 8'h45 || c_aux == 8'h59;   // E, or C printable
            ev0[TG_C2H_BOOK_TRADE_SIDE_LSB +: TG_C2H_BOOK_TRADE_SIDE_W] = x_side ? 8'h42 : 8'h53;
            ev0[TG_C2H_BOOK_TRADE_PRICE_LSB +: TG_C2H_BOOK_TRADE_PRICE_W] = c_type == 8'h45 ? x_px1 : c_price;
            ev0[TG_C2H_BOOK_TRADE_SHARES_LSB +: TG_C2H_BOOK_TRADE_SHARES_W] = {32'd0, c_shares};
        end else begin
            ev0[TG_C2H_FLAGS_LSB] = 1'b1;
            ev0[TG_C2H_BOOK_TRADE_SIDE_LSB +: TG_C2H_BOOK_TRADE_SIDE_W] = c_type == 8'h50 ? c_aux : 8'h20;
            ev0[TG_C2H_BOOK_TRADE_PRICE_LSB +: TG_C2H_BOOK_TRADE_PRICE_W] = c_price;
            ev0[TG_C2H_BOOK_TRADE_SHARES_LSB +: TG_C2H_BOOK_TRADE_SHARES_W] =
                c_type == 8'h50 ? {32'd0, c_shares} : c_ref2;
        end
    end else if (c_kind == K_HALT && n_halted != slot_halted[c_slot]) begin
        ev0_valid = 1'b1;
        ev0[TG_C2H_TYPE_LSB +: TG_C2H_TYPE_W] = TG_C2H_EVT_BOOK_HALT;
        ev0[TG_C2H_FLAGS_LSB] = n_halted;
        ev0[TG_C2H_BOOK_HALT_MOLD_SEQ_LSB +: TG_C2H_BOOK_HALT_MOLD_SEQ_W] = c_seq;
        ev0[TG_C2H_BOOK_HALT_ITCH_TIME_LSB +: TG_C2H_BOOK_HALT_ITCH_TIME_W] = {16'd0, c_ts};
        ev0[TG_C2H_BOOK_HALT_LOCATE_LSB +: TG_C2H_BOOK_HALT_LOCATE_W] = c_loc;
        ev0[TG_C2H_BOOK_HALT_INSTRUMENT_LSB +: TG_C2H_BOOK_HALT_INSTRUMENT_W] = {{(8-SW){1'b0}}, c_slot};
        ev0[TG_C2H_BOOK_HALT_STATE_LSB +: TG_C2H_BOOK_HALT_STATE_W] = c_aux;
    end

    ev1 = 512'd0;
    ev1[TG_C2H_TIMESTAMP_LSB +: TG_C2H_TIMESTAMP_W] = cycle + 64'd1;
    ev1[TG_C2H_TYPE_LSB +: TG_C2H_TYPE_W] = TG_C2H_EVT_BOOK_BBO;
    ev1[TG_C2H_FLAGS_LSB +: 3] = n_fl;
    ev1[TG_C2H_BOOK_BBO_MOLD_SEQ_LSB +: TG_C2H_BOOK_BBO_MOLD_SEQ_W] = c_seq;
    ev1[TG_C2H_BOOK_BBO_ITCH_TIME_LSB +: TG_C2H_BOOK_BBO_ITCH_TIME_W] = {16'd0, c_ts};
    ev1[TG_C2H_BOOK_BBO_LOCATE_LSB +: TG_C2H_BOOK_BBO_LOCATE_W] = c_loc;
    ev1[TG_C2H_BOOK_BBO_INSTRUMENT_LSB +: TG_C2H_BOOK_BBO_INSTRUMENT_W] = {{(8-SW){1'b0}}, c_slot};
    ev1[TG_C2H_BOOK_BBO_BID_PRICE_LSB +: 32] = n_bp;
    ev1[TG_C2H_BOOK_BBO_BID_SIZE_LSB +: 32] = n_bs;
    ev1[TG_C2H_BOOK_BBO_ASK_PRICE_LSB +: 32] = n_ap;
    ev1[TG_C2H_BOOK_BBO_ASK_SIZE_LSB +: 32] = n_as;
    // the other side is the BBO's; this side's price and size differ as S3
    // found, its flag and the authority flag against the BBO's before S2
    ev1_valid = (tk & t_chg) != 6'd0 || n_unk != x_ounk || n_fl[2] != x_oauth;
end

// event queue: two writes a cycle, one read. The slot at the write pointer
// takes the first event, the next slot the BBO, whenever free: only the
// pointer's advance waits for the events' conditions.
localparam EQ_LOG2 = 4;
reg [511:0] eq_mem [0:(1<<EQ_LOG2)-1];
reg [EQ_LOG2:0] eq_wr = 0, eq_rd = 0;
reg [EQ_LOG2:0] eq_used = 0;        // eq_wr - eq_rd
wire eq_push0 = v4 && cfg_events && ev0_valid;
wire eq_push1 = v4 && cfg_events && ev1_valid;
wire eq_room0 = !eq_used[EQ_LOG2];
wire eq_room2 = eq_used < (1 << EQ_LOG2) - 1;
wire eq_room1 = eq_push0 && eq_room0 ? eq_room2 : eq_room0;
wire eq_pop = m_axis_evt_tready && eq_wr != eq_rd;
// +1, +2, -1 as bit logic: each next count a mux of values ready early
function [EQ_LOG2:0] inc1;
    input [EQ_LOG2:0] v;
    integer k;
    begin
        for (k = 0; k <= EQ_LOG2; k = k + 1) inc1[k] = v[k] ^ ((v & ((1 << k) - 1)) == (1 << k) - 1);
    end
endfunction
function [EQ_LOG2:0] dec1;
    input [EQ_LOG2:0] v;
    integer k;
    begin
        for (k = 0; k <= EQ_LOG2; k = k + 1) dec1[k] = v[k] ^ ((v & ((1 << k) - 1)) == 0);
    end
endfunction
wire [EQ_LOG2:0] eq_used_p1 = inc1(eq_used), eq_used_p2 = inc1(inc1(eq_used)), eq_used_m1 = dec1(eq_used);
wire [EQ_LOG2:0] eq_wr_p1 = inc1(eq_wr), eq_wr_p2 = inc1(inc1(eq_wr));
wire eq_take0 = eq_push0 && eq_room0, eq_take1 = eq_push1 && eq_room1;
wire [EQ_LOG2-1:0] eq_wi = eq_wr[EQ_LOG2-1:0];
assign m_axis_evt_tdata = eq_mem[eq_rd[EQ_LOG2-1:0]];
assign m_axis_evt_tvalid = eq_wr != eq_rd;

// slots whose state starts over this cycle: the one a command is applied
// to, or all on a reset
wire slot_cmd_apply = st == ST_SLOT && cmd_row;
wire [INSTRUMENTS-1:0] slot_clear = (book_reset || rst) ? {INSTRUMENTS{1'b1}}
                                  : slot_cmd_apply ? ({{(INSTRUMENTS-1){1'b0}}, 1'b1} << cmd_slot)
                                  : {INSTRUMENTS{1'b0}};

// add outcomes: an add in S2, a replace's new order in S3
wire try_s3 = u3 && x_found;
wire try_any = (v2 && p2_add) || try_s3;
wire try_zero = try_s3 ? p3_zero : p2_zero;
wire [SW-1:0] try_slot = try_s3 ? p3_slot : p2_slot;
// live orders: one more (an add in S2), one fewer (an order gone in S2, a
// replace's new order lost in S3)
wire ord_inc = v2 && p2_add && s2_add_ok;
wire ord_dec = (v2 && p2_red && p2_kind != K_REPLACE && sr_found && sr_gone) || (try_s3 && !s3_add_ok);
reg ord_inc_q = 1'b0, ord_dec_q = 1'b0;
reg [SW-1:0] ord_slot_q = {SW{1'b0}};
reg [ORDER_LOG2:0] ord_gone = {(ORDER_LOG2+1){1'b0}};   // the live orders of the slot a command retires

always @(posedge clk) begin
    q_flush <= 1'b0;

    // ---- host slot commands wait for the pipeline to drain
    if (inst_cmd_wr && inst_sel < INSTRUMENTS &&
        (inst_cmd_subscribe || inst_cmd_set_locate || inst_cmd_unsubscribe)) begin
        cmd_pending <= 1'b1;
        cmd_slot <= inst_sel[SW-1:0];
        cmd_ops <= {inst_cmd_unsubscribe, inst_cmd_set_locate};
        cmd_symbol <= inst_symbol;
        cmd_locate <= inst_locate;
    end

    // ---- locates learned from the stock directory
    if (msg_valid && cfg_enable && m_type == 8'h52) begin
        for (i = 0; i < INSTRUMENTS; i = i + 1) begin
            if (slot_sub[i] && !slot_loc_ok[i] && slot_sym[i] == m_sym_r) begin
                slot_loc_ok[i] <= 1'b1;
                slot_loc[i] <= m_loc;
            end
        end
    end

    // ---- intake counts; a message lost flags every instrument (a cycle
    // later, but for the slots that start over in its cycle)
    if (msg_valid && cfg_enable && m_kind != 4'd0 && !m_hit) unsubscribed <= unsubscribed + 64'd1;
    if (in_take && (st == ST_CLEAR || !in_ready)) overrun <= overrun + 64'd1;
    in_lost <= in_take && (st == ST_CLEAR || !in_ready) ? ~slot_clear : {INSTRUMENTS{1'b0}};
    slot_auth <= slot_auth & ~in_lost;

    // ---- the slots shadowed by a lower one of the same locate
    for (i = 0; i < INSTRUMENTS; i = i + 1) begin
        slot_shadow[i] <= 1'b0;
        for (b = 0; b < i; b = b + 1) begin
            if (slot_sub[i] && slot_loc_ok[i] && slot_sub[b] && slot_loc_ok[b] && slot_loc[b] == slot_loc[i])
                slot_shadow[i] <= 1'b1;
        end
    end
    slot_chg <= (msg_valid && cfg_enable && m_type == 8'h52) || slot_cmd_apply || rst;
    q_skip <= s0_direct;

    // ---- the pipeline advances every cycle
    v1 <= q_pop || s0_direct;
    v2 <= v1;
    v3 <= v2;
    v4 <= v3;
    u4 <= u3;
    p1 <= s0_rec;
    z1 <= s0_rec[RF_SHARES +: 32] == 32'd0;
    p2_zero <= z1;
    p3_zero <= p2_zero;
    p2 <= p1;
    p3 <= {p2[R_W-1:RF_REF+64], p2[RF_REF-1:0]};
    p4 <= p3;

    // ---- S0: the search key; a way written where the bucket is read
    // (no write while a replace reads its second bucket: nothing forwarded
    // into its second search)
    ot_fwd <= ot_we & {WAYS{q_valid ? ot_wb == bucket_of(h_ref) : ot_wb == bucket_of(m_ref_raw)}};
    ot_fwd_any <= ot_we != {WAYS{1'b0}} && (q_valid ? ot_wb == bucket_of(h_ref) : ot_wb == bucket_of(m_ref_raw));
    ot_fwd_d <= ot_wd;
    ot_wb <= u2 ? bucket_of(p2[RF_REF2 +: 64]) : bucket_of(p1_ref);
    if (u1) begin
        sk_key <= p1_ref2;
        sk_rm <= bucket_of(p1_ref2) == bucket_of(p1_ref) ? sh_hit : {WAYS{1'b0}};
    end else begin
        sk_key <= q_valid ? h_ref : m_ref_raw;
        sk_slot <= q_valid ? q_slot : m_slot_d;
        sk_ep <= q_valid ? slot_epoch[q_slot] : m_ep;
        sk_rm <= {WAYS{1'b0}};
    end

    // ---- S1: the search's outcome
    sr_hit <= sh_hit;
    sr_found <= sh_hitq != {WAYS{1'b0}} || sh_hitf;
    sr_ff <= sh_ff;
    sr_full <= sh_free == {WAYS{1'b0}};
    sr_side <= p1_kind == K_ADD ? p1_aux == 8'h42 : sh_bid;
    sr_price <= sh_price;
    sr_shares <= sh_shares;
    sr_gone <= sh_gone;
    sr_sh1 <= sh_sh1;
    sr_d12 <= sh_d12;
    sr_same <= p1_kind == K_REPLACE && sh_same;

    // ---- S2: the row and its masks
    if (v2) begin
        row_q <= lv_rd;
        x_v0 <= l_vd[0];
        x_v1 <= l_vd[1];
        x_vl <= l_vd[DEPTH-1];
        x_m1 <= l_m1;
        x_e1 <= l_e1;
        x_m2 <= l_m2;
        x_b2 <= l_b2;
        x_beyond1 <= lv_rd[ROW_TRUNC] && !better(sr_side, px1, l_bound);
        x_pb2 <= better(sr_side, px2, l_bound);
        x_hz <= l_hidden == 32'd0;
        x_h1 <= l_hidden == 32'd1;
        x_ua <= l_ua;
        x_ub <= l_ub;
        x_px1 <= px1;
        x_px2 <= px2;
        x_sh2 <= sh2;
        x_gone1 <= sr_gone;
        // the message in S4 (this slot's previous) writes the BBO now
        if (v4 && c_slot == p2_slot) begin
            x_obp <= sr_side ? n_bp : n_ap;
            x_obs <= sr_side ? n_bs : n_as;
            x_ounk <= sr_side ? n_fl[0] : n_fl[1];
            x_oauth <= n_fl[2];
        end else begin
            x_obp <= sr_side ? bbo_bp[p2_slot] : bbo_ap[p2_slot];
            x_obs <= sr_side ? bbo_bs[p2_slot] : bbo_as[p2_slot];
            x_ounk <= sr_side ? bbo_fl[p2_slot][0] : bbo_fl[p2_slot][1];
            x_oauth <= bbo_fl[p2_slot][2];
        end
        x_side <= sr_side;
        x_found <= sr_found;
        x_c1 <= p2_red && sr_found;
        x_c2 <= p2_add && s2_add_ok;
    end

    // ---- S3: a replace's change for its S4; the new top for S4
    lc_u <= u3 ? lc_gen : {LC_W{1'b0}};
    t_sel <= lc_s3[LC_TOP +: 6];
    t_chg <= t_chg_d;
    t_trunc <= lc_s3[LC_T] || (lc_s3[LC_T + 1] && x_trunc);
    t_v0 <= x_v0;
    t_v1 <= x_v1;
    t_p0 <= r_p0;
    t_p1 <= r_p1;
    t_pn <= x_px2;
    t_s0 <= r_s0;
    t_s1 <= r_s1;
    t_sn <= x_sh2;
    t_sa <= r_sa;
    t_sb0 <= r_sb0;
    t_sb1 <= r_sb1;

    // ---- order counts (a cycle later, from registered flags) and add outcomes
    ord_inc_q <= ord_inc;
    ord_dec_q <= ord_dec;
    ord_slot_q <= try_s3 ? p3_slot : p2_slot;
    if (ord_inc_q) begin
        ord_n <= ord_n + 1'b1;
        slot_ord[ord_slot_q] <= slot_ord[ord_slot_q] + 1'b1;
    end else if (ord_dec_q) begin
        ord_n <= ord_n - 1'b1;
        slot_ord[ord_slot_q] <= slot_ord[ord_slot_q] - 1'b1;
    end
    if (v2 && p2_red && !sr_found) unknown_ref <= unknown_ref + 64'd1;
    if (try_any) begin
        if (try_zero) zero_shares <= zero_shares + 64'd1;
        if (!try_zero && sr_found) duplicate_ref <= duplicate_ref + 64'd1;
        if (!try_zero && !sr_found && sr_full) order_overflow <= order_overflow + 64'd1;
    end
    for (i = 0; i < INSTRUMENTS; i = i + 1) begin
        if (try_any && !try_zero && !sr_found && sr_full && try_slot == i[SW-1:0]) slot_auth[i] <= 1'b0;
        // the row written
        if (lv_we && st == ST_RUN && x_wa[SW:1] == i[SW-1:0]) begin
            if (x_side) slot_trunc_b[i] <= lv_out[ROW_TRUNC];
            else slot_trunc_a[i] <= lv_out[ROW_TRUNC];
        end
        if (v4 && c_kind == K_HALT && c_slot == i[SW-1:0]) slot_halted[i] <= n_halted;
        if (slot_cmd_apply && cmd_slot == i[SW-1:0]) begin
            slot_sub[i] <= !cmd_ops[1];
            slot_loc_ok[i] <= !cmd_ops[1] && cmd_ops[0];
            slot_epoch[i] <= slot_epoch[i] + 1'b1;
        end
    end

    // the row written next: counting through the rows (clear), the slot's
    // two (command), the message's (from S2)
    if (st == ST_CLEAR) x_wa <= x_wa + 1'b1;
    else if (st == ST_SLOT) x_wa <= {cmd_slot, 1'b1};
    else if (cmd_pending && !v1 && !v2 && !v3 && !v4) x_wa <= {cmd_slot, 1'b0};
    else if (v2) x_wa <= {p2_slot, sr_side};

    case (st)
        ST_CLEAR: begin
            clr_addr <= clr_addr + 1'b1;
            if (clr_addr == CLR_N - 1) begin
                st <= ST_RUN;
            end
        end
        ST_RUN: begin
            if (cmd_pending && !v1 && !v2 && !v3 && !v4) begin
                st <= ST_SLOT;
                cmd_row <= 1'b0;
            end
        end
        ST_SLOT: begin
            cmd_row <= 1'b1;
            ord_gone <= slot_ord[cmd_slot];
            if (cmd_row) begin
                st <= ST_RUN;
                cmd_pending <= 1'b0;
                if (!cmd_ops[1]) begin
                    slot_sym[cmd_slot] <= cmd_symbol;
                    slot_loc[cmd_slot] <= cmd_ops[0] ? cmd_locate : 16'd0;
                end
                ord_n <= ord_n - ord_gone;
            end
        end
        default: st <= ST_RUN;
    endcase

    // ---- S4: instrument state and events
    if (v4) begin
        messages <= messages + 64'd1;
        bbo_bp[c_slot] <= n_bp;
        bbo_bs[c_slot] <= n_bs;
        bbo_ap[c_slot] <= n_ap;
        bbo_as[c_slot] <= n_as;
        bbo_fl[c_slot] <= n_fl;
    end
    // event counters count a cycle later, from registered flags: the
    // events' conditions are the end of the level logic
    cnt_halt <= v4 && ev0_valid && c_kind == K_HALT;
    cnt_trade <= v4 && ev0_valid && c_kind != K_HALT;
    cnt_bbo <= v4 && ev1_valid;
    cnt_drop <= {eq_push1 && !eq_room1, eq_push0 && !eq_room0};
    halt_events <= halt_events + {63'd0, cnt_halt};
    trade_events <= trade_events + {63'd0, cnt_trade};
    bbo_events <= bbo_events + {63'd0, cnt_bbo};
    events_dropped <= events_dropped + {63'd0, cnt_drop[0]} + {63'd0, cnt_drop[1]};
    trade_valid <= v4 && ev0_valid && c_kind != K_HALT;
    trade_inst <= ev0[TG_C2H_BOOK_TRADE_INSTRUMENT_LSB +: 8];
    trade_price <= ev0[TG_C2H_BOOK_TRADE_PRICE_LSB +: 32];

    // ---- event queue
    if (v4 && eq_room0) eq_mem[eq_wi] <= eq_take0 ? ev0 : ev1;
    if (v4 && eq_room2) eq_mem[eq_wi + 1'b1] <= ev1;
    case ({eq_take1, eq_take0})
        2'b00: eq_wr <= eq_wr;
        2'b11: eq_wr <= eq_wr_p2;
        default: eq_wr <= eq_wr_p1;
    endcase
    case ({eq_take1, eq_take0, eq_pop})
        3'b000, 3'b011, 3'b101: eq_used <= eq_used;
        3'b001: eq_used <= eq_used_m1;
        3'b110: eq_used <= eq_used_p2;
        default: eq_used <= eq_used_p1;
    endcase
    if (eq_pop) eq_rd <= eq_rd + 1'b1;

    // ---- reset of the book (host) or of the card
    if (book_reset || rst) begin
        st <= ST_CLEAR;
        clr_addr <= 25'd0;
        x_wa <= {(SW+1){1'b0}};
        q_flush <= 1'b1;
        eq_wr <= 0;
        eq_rd <= 0;
        eq_used <= 0;
        ord_n <= {(ORDER_LOG2+1){1'b0}};
        v1 <= 1'b0;
        v2 <= 1'b0;
        v3 <= 1'b0;
        v4 <= 1'b0;
        u4 <= 1'b0;
        q_skip <= 1'b0;
    end
    // what S3 works from is no change of a zero row while the book clears
    // rows (reset, slot command)
    if (book_reset || rst || (st == ST_RUN && cmd_pending && !v1 && !v2 && !v3 && !v4)) begin
        row_q <= {ROW_W{1'b0}};
        x_c1 <= 1'b0;
        x_c2 <= 1'b0;
    end
    for (i = 0; i < INSTRUMENTS; i = i + 1) begin
        if (slot_clear[i]) begin
            slot_ord[i] <= {(ORDER_LOG2+1){1'b0}};
            slot_halted[i] <= 1'b0;
            slot_auth[i] <= 1'b1;
            slot_trunc_b[i] <= 1'b0;
            slot_trunc_a[i] <= 1'b0;
            bbo_bp[i] <= 32'd0;
            bbo_bs[i] <= 32'd0;
            bbo_ap[i] <= 32'd0;
            bbo_as[i] <= 32'd0;
            bbo_fl[i] <= 3'd0;
        end
    end
    if (rst) begin
        slot_sub <= {INSTRUMENTS{1'b0}};
        slot_loc_ok <= {INSTRUMENTS{1'b0}};
        cmd_pending <= 1'b0;
        messages <= 64'd0;
        unsubscribed <= 64'd0;
        unknown_ref <= 64'd0;
        duplicate_ref <= 64'd0;
        zero_shares <= 64'd0;
        order_overflow <= 64'd0;
        bbo_events <= 64'd0;
        trade_events <= 64'd0;
        halt_events <= 64'd0;
        overrun <= 64'd0;
        events_dropped <= 64'd0;
        cnt_halt <= 1'b0;
        cnt_trade <= 1'b0;
        cnt_bbo <= 1'b0;
        cnt_drop <= 2'd0;
        trade_valid <= 1'b0;
        in_lost <= {INSTRUMENTS{1'b0}};
    end
end

endmodule

`resetall
