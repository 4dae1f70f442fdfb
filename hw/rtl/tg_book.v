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
// Pipeline, one message at a time, each stage one cycle:
//   intake  decode, find the slot (locates compared at once), learn locates
//           from R; into the input queue
//   S0      take the queue's head, read the order bucket
//   S1      bucket in: find / insert / reduce the order, write the bucket;
//           read the level row (instrument, side)
//   S2      row in: apply the level change, write the row, BBO / trade /
//           halt events out
// A replace (U) takes S1 (old order out, new bucket read), S2 (new order in,
// old level change) and S3 (new level change). The next message's S0
// overlaps the last stage, so a message takes 2 cycles (a replace 3). The
// input queue holds bursts; a message that finds it full is lost and counted
// (overrun), and every instrument is flagged not authoritative.
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
    output reg  [63:0]             orders = 64'd0,
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

// queued record
localparam R_W = 4 + 8 + SW + 16 + 48 + 64 + 64 + 64 + 32 + 32 + 64 + 8;


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
reg [63:0] slot_orders [0:INSTRUMENTS-1];   // live orders of the slot

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
        slot_orders[i] = 64'd0;
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

reg m_hit;
reg [SW-1:0] m_slot;
always @* begin
    m_hit = 1'b0;
    m_slot = {SW{1'b0}};
    for (i = INSTRUMENTS - 1; i >= 0; i = i - 1) begin
        if (slot_sub[i] && slot_loc_ok[i] && slot_loc[i] == m_loc) begin
            m_hit = 1'b1;
            m_slot = i[SW-1:0];
        end
    end
end

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
localparam [2:0] ST_CLEAR = 3'd0, ST_IDLE = 3'd1, ST_S1 = 3'd2, ST_S2 = 3'd3, ST_S3 = 3'd4,
                 ST_SLOT = 3'd5;
reg [2:0] st = ST_CLEAR;
localparam CLR_N = BUCKETS > ROWS ? BUCKETS : ROWS;
reg [24:0] clr_addr = 25'd0;
reg cmd_pending = 1'b0;
reg [SW-1:0] cmd_slot = {SW{1'b0}};
reg [1:0] cmd_ops = 2'd0;          // unsubscribe, set locate (else subscribe)
reg [63:0] cmd_symbol = 64'd0;
reg [15:0] cmd_locate = 16'd0;
reg cmd_row = 1'b0;                // second row of the slot next

assign ready = st != ST_CLEAR && st != ST_SLOT && !cmd_pending;

wire in_take = msg_valid && cfg_enable && m_kind != 4'd0 && m_hit;
wire in_ready;
wire [R_W-1:0] q_rec;
wire q_valid;
reg q_pop;
reg q_flush = 1'b0;

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
    .m_axis_tready(q_pop)
);

// ---------------------------------------------------------------- memories
reg [WAYS*OE_W-1:0] ot_mem [0:BUCKETS-1];
reg [WAYS*OE_W-1:0] ot_rd = 0;
reg [BUCKETS_LOG2-1:0] ot_ra;
reg ot_we;
reg [BUCKETS_LOG2-1:0] ot_wa;
reg [WAYS*OE_W-1:0] ot_wd;

reg [ROW_W-1:0] lv_mem [0:ROWS-1];
reg [ROW_W-1:0] lv_rd = 0;
reg [SW:0] lv_ra;
reg lv_we;
reg [SW:0] lv_wa;
reg [ROW_W-1:0] lv_wd;

integer b;
initial begin
    for (b = 0; b < BUCKETS; b = b + 1) ot_mem[b] = 0;
    for (b = 0; b < ROWS; b = b + 1) lv_mem[b] = 0;
end

always @(posedge clk) begin
    ot_rd <= ot_mem[ot_ra];
    if (ot_we) ot_mem[ot_wa] <= ot_wd;
    lv_rd <= lv_mem[lv_ra];
    if (lv_we) lv_mem[lv_wa] <= lv_wd;
end

// ---------------------------------------------------------------- the message in flight
reg [R_W-1:0] cur = 0;
wire [3:0]  c_kind;
wire [7:0]  c_type;
wire [SW-1:0] c_slot;
wire [15:0] c_loc;
wire [47:0] c_ts;
wire [63:0] c_seq, c_ref, c_ref2, c_match;
wire [31:0] c_shares, c_price;
wire [7:0]  c_aux;
assign {c_kind, c_type, c_slot, c_loc, c_ts, c_seq, c_ref, c_ref2, c_shares, c_price, c_match, c_aux} = cur;

// head of the queue, for its bucket read in S0
wire [63:0] h_ref = q_rec[8 + 64 + 32 + 32 + 64 +: 64];

// decisions of S1 kept for the later stages
reg [BUCKETS_LOG2-1:0] s_bucket = 0;            // bucket of c_ref
reg [WAYS*OE_W-1:0] s_bucket_wd = 0;            // what S1 wrote there
reg s_same_bucket = 1'b0;                       // U: c_ref2's bucket is c_ref's
reg s_side_b = 1'b0;                            // side of the level change(s)
reg [1:0] s_op1 = 2'd0;                         // level change of S2: none, add, reduce
reg [31:0] s_op1_price = 0, s_op1_shares = 0;
reg s_op1_gone = 1'b0;
reg s_add2 = 1'b0;                              // U: add the new order in S3
reg s_found = 1'b0;                             // the referenced order was found
reg [31:0] s_order_price = 0;                   // its price (trade of E)
reg [ROW_W-1:0] row_reg = 0;                    // U: row after the S2 change

localparam [1:0] OP_NONE = 2'd0, OP_ADD = 2'd1, OP_REDUCE = 2'd2;

// ---------------------------------------------------------------- bucket logic (S1, and S2 of U)
wire [WAYS*OE_W-1:0] bk = (st == ST_S2 && c_kind == K_REPLACE && s_same_bucket) ? s_bucket_wd : ot_rd;
wire [63:0] bk_key = st == ST_S2 ? c_ref2 : c_ref;
reg [WAYS-1:0] bk_hit, bk_free, bk_live;
reg [SW-1:0] bk_slot;
reg [OE_W-1:0] bk_entry;                        // the hit entry
reg [WAYS-1:0] bk_first_free;
always @* begin
    bk_entry = {OE_W{1'b0}};
    for (i = 0; i < WAYS; i = i + 1) begin
        bk_slot = bk[i*OE_W + OE_SLOT +: SW];
        bk_live[i] = bk[i*OE_W + OE_W - 1] && bk[i*OE_W + OE_EP +: EP_W] == slot_epoch[bk_slot];
        bk_hit[i] = bk_live[i] && bk_slot == c_slot && bk[i*OE_W + OE_REF +: 64] == bk_key;
        bk_free[i] = !bk_live[i];
    end
    for (i = WAYS - 1; i >= 0; i = i - 1) begin
        if (bk_hit[i]) bk_entry = bk[i*OE_W +: OE_W];
    end
    bk_first_free = bk_free & (~bk_free + 1'b1);
end
// entry fields: {valid, ref, bid, price, shares}
wire e_bid = bk_entry[64];
wire s1_side_b = c_kind == K_ADD ? c_aux == 8'h42 : e_bid;   // side whose row S1 reads
wire [31:0] e_price = bk_entry[32 +: 32];
wire [31:0] e_shares = bk_entry[0 +: 32];

// an add (A, F, or the new order of a U whose old order was found): its one outcome
wire add_try = (st == ST_S1 && c_kind == K_ADD) || (st == ST_S2 && c_kind == K_REPLACE && s_found);
wire add_zero = c_shares == 32'd0;
wire add_dup = !add_zero && bk_hit != 0;
wire add_full = !add_zero && !add_dup && bk_free == 0;
wire add_ok = !add_zero && !add_dup && !add_full;

function [WAYS*OE_W-1:0] bucket_put;   // write entry into the ways selected (one-hot)
    input [WAYS*OE_W-1:0] row;
    input [WAYS-1:0] ways;
    input [OE_W-1:0] entry;
    integer w;
    begin
        bucket_put = row;
        for (w = 0; w < WAYS; w = w + 1) begin
            if (ways[w]) bucket_put[w*OE_W +: OE_W] = entry;
        end
    end
endfunction

// ---------------------------------------------------------------- level logic (S2, S3)
// one change of one side's row: add an order of sh shares at px, or reduce
// the level at px by sh (gone: the order left)
wire [ROW_W-1:0] lv_in = st == ST_S3 ? row_reg : lv_rd;
wire lv_op_add = st == ST_S3 ? 1'b1 : s_op1 == OP_ADD;
wire lv_op_any = st == ST_S3 ? s_add2 : s_op1 != OP_NONE;
wire [31:0] lv_px = st == ST_S3 ? c_price : s_op1_price;
wire [31:0] lv_sh = st == ST_S3 ? c_shares : s_op1_shares;
wire lv_gone = st == ST_S3 ? 1'b0 : s_op1_gone;

// Levels are kept best first with no gaps and distinct prices, so the levels
// better than px are a prefix (lv_better is a thermometer code) and at most
// one level matches px (lv_match is one-hot): every position below is a mask,
// every per-level result is computed in parallel and picked by its mask.
reg [ROW_W-1:0] lv_out;
reg [DEPTH-1:0] lv_valid, lv_match, lv_better;
reg [DEPTH-1:0] lv_from_match;            // levels at or after the matching one
reg [DEPTH-1:0] lv_ins;                   // one-hot: where a new level goes
reg [DEPTH-1:0] lv_empties;               // the reduced level i would empty
reg lv_found, lv_beyond, lv_full, lv_worst;
reg [LV_SH-1:0] lv_sh_i [0:DEPTH-1];
reg [LV_OR-1:0] lv_or_i [0:DEPTH-1];
reg [31:0] lv_px_i [0:DEPTH-1];
always @* begin
    lv_out = lv_in;
    for (i = 0; i < DEPTH; i = i + 1) begin
        lv_or_i[i] = lv_in[i*LV_W +: LV_OR];
        lv_sh_i[i] = lv_in[i*LV_W + LV_OR +: LV_SH];
        lv_px_i[i] = lv_in[i*LV_W + LV_OR + LV_SH +: LV_PX];
        lv_valid[i] = lv_or_i[i] != {LV_OR{1'b0}};
        lv_match[i] = lv_valid[i] && lv_px_i[i] == lv_px;
        lv_better[i] = lv_valid[i] && (s_side_b ? lv_px_i[i] > lv_px : lv_px_i[i] < lv_px);
        lv_empties[i] = lv_sh_i[i] == {16'd0, lv_sh} || lv_or_i[i] == {{(LV_OR-1){1'b0}}, lv_gone};
    end
    for (i = 0; i < DEPTH; i = i + 1) begin
        lv_ins[i] = (i == 0 || lv_better[i == 0 ? 0 : i - 1]) && !lv_better[i];
        lv_from_match[i] = lv_match[i] || (i != 0 && lv_from_match[i == 0 ? 0 : i - 1]);
    end
    lv_found = lv_match != {DEPTH{1'b0}};
    lv_full = lv_valid[DEPTH-1];
    lv_worst = lv_better[DEPTH-1];              // every level is better: px would be level DEPTH
    lv_beyond = lv_in[ROW_TRUNC] && !(s_side_b ? lv_px > lv_in[ROW_BOUND +: 32] : lv_px < lv_in[ROW_BOUND +: 32]);

    if (!lv_op_any) begin
        lv_out = lv_in;
    end else if (lv_op_add) begin
        if (lv_beyond) begin
            lv_out[ROW_HIDDEN +: 32] = lv_in[ROW_HIDDEN +: 32] + 32'd1;
        end else if (lv_found) begin
            for (i = 0; i < DEPTH; i = i + 1) begin
                if (lv_match[i]) begin
                    lv_out[i*LV_W + LV_OR +: LV_SH] = lv_sh_i[i] + {16'd0, lv_sh};
                    lv_out[i*LV_W +: LV_OR] = lv_or_i[i] + 1'b1;
                end
            end
        end else if (lv_full && lv_worst) begin
            lv_out[ROW_TRUNC] = 1'b1;
            lv_out[ROW_BOUND +: 32] = lv_px;
            lv_out[ROW_HIDDEN +: 32] = lv_in[ROW_HIDDEN +: 32] + 32'd1;
        end else begin
            if (lv_full) begin
                lv_out[ROW_TRUNC] = 1'b1;
                lv_out[ROW_BOUND +: 32] = lv_px_i[DEPTH-1];
                lv_out[ROW_HIDDEN +: 32] = lv_in[ROW_HIDDEN +: 32] + {{(32-LV_OR){1'b0}}, lv_or_i[DEPTH-1]};
            end
            for (i = 1; i < DEPTH; i = i + 1) begin
                if (!lv_better[i-1]) lv_out[i*LV_W +: LV_W] = lv_in[(i-1)*LV_W +: LV_W];
            end
            for (i = 0; i < DEPTH; i = i + 1) begin
                if (lv_ins[i]) lv_out[i*LV_W +: LV_W] = {lv_px, {16'd0, lv_sh}, {{(LV_OR-1){1'b0}}, 1'b1}};
            end
        end
    end else begin
        if (lv_beyond) begin
            if (lv_gone && lv_in[ROW_HIDDEN +: 32] != 32'd0) begin
                lv_out[ROW_HIDDEN +: 32] = lv_in[ROW_HIDDEN +: 32] - 32'd1;
                if (lv_in[ROW_HIDDEN +: 32] == 32'd1) lv_out[ROW_TRUNC] = 1'b0;
            end
        end else if ((lv_match & lv_empties) != {DEPTH{1'b0}}) begin
            for (i = 0; i < DEPTH - 1; i = i + 1) begin
                if (lv_from_match[i]) lv_out[i*LV_W +: LV_W] = lv_in[(i+1)*LV_W +: LV_W];
            end
            lv_out[(DEPTH-1)*LV_W +: LV_W] = {LV_W{1'b0}};
        end else begin
            for (i = 0; i < DEPTH; i = i + 1) begin
                if (lv_match[i]) begin
                    lv_out[i*LV_W + LV_OR +: LV_SH] = lv_sh_i[i] - {16'd0, lv_sh};
                    lv_out[i*LV_W +: LV_OR] = lv_or_i[i] - {{(LV_OR-1){1'b0}}, lv_gone};
                end
            end
        end
    end
end

// top of the row after the change
wire lv_top_valid = lv_out[0 +: LV_OR] != {LV_OR{1'b0}};
wire [31:0] lv_top_px = lv_top_valid ? lv_out[LV_OR + LV_SH +: LV_PX] : 32'd0;
wire [31:0] lv_top_sz = lv_top_valid ? sat32(lv_out[LV_OR +: LV_SH]) : 32'd0;
wire lv_top_unknown = !lv_top_valid && lv_out[ROW_TRUNC];

// ---------------------------------------------------------------- events
// the last stage makes up to two events: a trade or halt, then a BBO
reg [511:0] ev0, ev1;
reg ev0_valid, ev1_valid;
reg [31:0] n_bp, n_bs, n_ap, n_as;
reg [2:0] n_fl;
reg n_halted;
wire last_stage = (st == ST_S2 && c_kind != K_REPLACE) || st == ST_S3;
reg cnt_halt = 1'b0, cnt_trade = 1'b0, cnt_bbo = 1'b0;
reg [1:0] cnt_drop = 2'd0;

always @* begin
    n_bp = bbo_bp[c_slot];
    n_bs = bbo_bs[c_slot];
    n_ap = bbo_ap[c_slot];
    n_as = bbo_as[c_slot];
    n_fl = bbo_fl[c_slot];
    n_fl[2] = !slot_auth[c_slot];
    if (s_side_b) begin
        n_bp = lv_top_px;
        n_bs = lv_top_sz;
        n_fl[0] = lv_top_unknown;
    end else begin
        n_ap = lv_top_px;
        n_as = lv_top_sz;
        n_fl[1] = lv_top_unknown;
    end
    n_halted = c_aux != 8'h54;   // trading state other than T

    ev0 = 512'd0;
    ev0[TG_C2H_TIMESTAMP_LSB +: TG_C2H_TIMESTAMP_W] = cycle + 64'd1;
    ev0_valid = 1'b0;
    if (c_kind == K_TRADE || (c_kind == K_EXEC && s_found)) begin
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
            ev0[TG_C2H_BOOK_TRADE_SIDE_LSB +: TG_C2H_BOOK_TRADE_SIDE_W] = s_side_b ? 8'h42 : 8'h53;
            ev0[TG_C2H_BOOK_TRADE_PRICE_LSB +: TG_C2H_BOOK_TRADE_PRICE_W] = c_type == 8'h45 ? s_order_price : c_price;
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
    ev1_valid = n_bp != bbo_bp[c_slot] || n_bs != bbo_bs[c_slot] || n_ap != bbo_ap[c_slot] ||
                n_as != bbo_as[c_slot] || n_fl != bbo_fl[c_slot];
end

// event queue: two writes a cycle, one read
localparam EQ_LOG2 = 4;
reg [511:0] eq_mem [0:(1<<EQ_LOG2)-1];
reg [EQ_LOG2:0] eq_wr = 0, eq_rd = 0;
wire [EQ_LOG2:0] eq_used = eq_wr - eq_rd;
wire eq_push0 = last_stage && cfg_events && ev0_valid;
wire eq_push1 = last_stage && cfg_events && ev1_valid;
wire eq_room0 = eq_used < (1 << EQ_LOG2);
wire eq_room1 = eq_used + {{EQ_LOG2{1'b0}}, eq_push0 && eq_room0} < (1 << EQ_LOG2);
assign m_axis_evt_tdata = eq_mem[eq_rd[EQ_LOG2-1:0]];
assign m_axis_evt_tvalid = eq_wr != eq_rd;

// ---------------------------------------------------------------- the pipeline
always @* begin
    q_pop = 1'b0;
    ot_ra = bucket_of(h_ref);
    ot_we = 1'b0;
    ot_wa = s_bucket;
    ot_wd = 0;
    lv_ra = 0;
    lv_we = 1'b0;
    lv_wa = {c_slot, s_side_b};
    lv_wd = lv_out;

    // S0 of the next message: in IDLE or in the last stage of this one
    if (q_valid && !cmd_pending && (st == ST_IDLE || last_stage)) begin
        q_pop = 1'b1;
    end

    case (st)
        ST_CLEAR: begin
            ot_we = 1'b1;
            ot_wa = clr_addr[BUCKETS_LOG2-1:0];
            ot_wd = 0;
            lv_we = clr_addr < ROWS;
            lv_wa = clr_addr[SW:0];
            lv_wd = 0;
        end
        ST_SLOT: begin
            lv_we = 1'b1;
            lv_wa = {cmd_slot, cmd_row};
            lv_wd = 0;
        end
        ST_S1: begin
            // S1: the bucket of c_ref is in
            ot_wa = bucket_of(c_ref);
            ot_wd = ot_rd;
            lv_ra = {c_slot, s1_side_b};
            case (c_kind)
                K_ADD: begin
                    if (add_ok) begin
                        ot_we = 1'b1;
                        ot_wd = bucket_put(ot_rd, bk_first_free, {1'b1, slot_epoch[c_slot], c_slot, c_ref, c_aux == 8'h42, c_price, c_shares});
                    end
                end
                K_EXEC, K_CANCEL, K_DELETE, K_REPLACE: begin
                    if (bk_hit != 0) begin
                        ot_we = 1'b1;
                        if (c_kind == K_DELETE || c_kind == K_REPLACE || c_shares >= e_shares) begin
                            ot_wd = bucket_put(ot_rd, bk_hit, {OE_W{1'b0}});
                        end else begin
                            ot_wd = bucket_put(ot_rd, bk_hit, {bk_entry[OE_W-1:32], e_shares - c_shares});
                        end
                    end
                    if (c_kind == K_REPLACE) ot_ra = bucket_of(c_ref2);
                end
                default: ;
            endcase
        end
        ST_S2: begin
            if (c_kind == K_REPLACE) begin
                // the new reference's bucket is in (after the old order left)
                ot_wa = bucket_of(c_ref2);
                ot_wd = bk;
                if (add_try && add_ok) begin
                    ot_we = 1'b1;
                    ot_wd = bucket_put(bk, bk_first_free, {1'b1, slot_epoch[c_slot], c_slot, c_ref2, s_side_b, c_price, c_shares});
                end
            end else begin
                lv_we = s_op1 != OP_NONE;
            end
        end
        ST_S3: begin
            lv_we = s_op1 != OP_NONE || s_add2;
        end
        default: ;
    endcase
end

// slots whose state starts over this cycle: the one a command is applied
// to, or all on a reset
wire slot_cmd_apply = st == ST_SLOT && cmd_row;
wire [INSTRUMENTS-1:0] slot_clear = (book_reset || rst) ? {INSTRUMENTS{1'b1}}
                                  : slot_cmd_apply ? ({{(INSTRUMENTS-1){1'b0}}, 1'b1} << cmd_slot)
                                  : {INSTRUMENTS{1'b0}};

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

    // ---- intake counts
    if (msg_valid && cfg_enable && m_kind != 4'd0) begin
        if (!m_hit) begin
            unsubscribed <= unsubscribed + 64'd1;
        end else if (st == ST_CLEAR || !in_ready) begin
            overrun <= overrun + 64'd1;
            slot_auth <= {INSTRUMENTS{1'b0}};
        end
    end

    // ---- S0: take the head
    if (q_pop) begin
        cur <= q_rec;
    end

    case (st)
        ST_CLEAR: begin
            clr_addr <= clr_addr + 1'b1;
            if (clr_addr == CLR_N - 1) begin
                st <= ST_IDLE;
            end
        end
        ST_IDLE: begin
            if (q_pop) begin
                st <= ST_S1;
            end else if (cmd_pending) begin
                st <= ST_SLOT;
                cmd_row <= 1'b0;
            end
        end
        ST_SLOT: begin
            cmd_row <= 1'b1;
            if (cmd_row) begin
                st <= ST_IDLE;
                cmd_pending <= 1'b0;
                if (cmd_ops[1]) begin
                    slot_sub[cmd_slot] <= 1'b0;
                    slot_loc_ok[cmd_slot] <= 1'b0;
                end else begin
                    slot_sub[cmd_slot] <= 1'b1;
                    slot_sym[cmd_slot] <= cmd_symbol;
                    slot_loc_ok[cmd_slot] <= cmd_ops[0];
                    slot_loc[cmd_slot] <= cmd_ops[0] ? cmd_locate : 16'd0;
                end
                slot_epoch[cmd_slot] <= slot_epoch[cmd_slot] + 1'b1;
                orders <= orders - slot_orders[cmd_slot];
            end
        end
        ST_S1: begin
            s_bucket <= bucket_of(c_ref);
            s_bucket_wd <= ot_wd;
            s_same_bucket <= bucket_of(c_ref2) == bucket_of(c_ref);
            s_op1 <= OP_NONE;
            s_add2 <= 1'b0;
            s_found <= bk_hit != 0;
            s_order_price <= e_price;
            s_side_b <= s1_side_b;
            s_op1_price <= c_kind == K_ADD ? c_price : e_price;
            s_op1_shares <= c_shares;
            s_op1_gone <= 1'b0;
            case (c_kind)
                K_ADD: begin
                    if (add_ok) begin
                        orders <= orders + 64'd1;
                        slot_orders[c_slot] <= slot_orders[c_slot] + 64'd1;
                        s_op1 <= OP_ADD;
                    end
                end
                K_EXEC, K_CANCEL, K_DELETE, K_REPLACE: begin
                    if (bk_hit == 0) begin
                        unknown_ref <= unknown_ref + 64'd1;
                    end else begin
                        s_op1 <= OP_REDUCE;
                        if (c_kind == K_DELETE || c_kind == K_REPLACE || c_shares >= e_shares) begin
                            s_op1_gone <= 1'b1;
                            s_op1_shares <= e_shares;
                            if (c_kind != K_REPLACE) begin
                                orders <= orders - 64'd1;
                                slot_orders[c_slot] <= slot_orders[c_slot] - 64'd1;
                            end
                        end
                    end
                end
                default: ;
            endcase
            st <= ST_S2;
        end
        ST_S2: begin
            if (c_kind == K_REPLACE) begin
                row_reg <= lv_out;
                if (s_found) begin
                    // the old order left; the new one takes its place or is counted
                    if (add_ok) begin
                        s_add2 <= 1'b1;
                    end else begin
                        orders <= orders - 64'd1;
                        slot_orders[c_slot] <= slot_orders[c_slot] - 64'd1;
                    end
                end
                st <= ST_S3;
            end else begin
                st <= q_pop ? ST_S1 : ST_IDLE;
            end
        end
        ST_S3: begin
            st <= q_pop ? ST_S1 : ST_IDLE;
        end
        default: st <= ST_IDLE;
    endcase

    // ---- adds that did not enter the table
    if (add_try) begin
        if (add_zero) zero_shares <= zero_shares + 64'd1;
        if (add_dup) duplicate_ref <= duplicate_ref + 64'd1;
        if (add_full) begin
            order_overflow <= order_overflow + 64'd1;
            slot_auth[c_slot] <= 1'b0;
        end
    end

    // ---- last stage: instrument state and events
    if (last_stage) begin
        messages <= messages + 64'd1;
        if (lv_we) begin
            if (s_side_b) slot_trunc_b[c_slot] <= lv_out[ROW_TRUNC];
            else slot_trunc_a[c_slot] <= lv_out[ROW_TRUNC];
        end
        if (c_kind == K_HALT) slot_halted[c_slot] <= n_halted;
        bbo_bp[c_slot] <= n_bp;
        bbo_bs[c_slot] <= n_bs;
        bbo_ap[c_slot] <= n_ap;
        bbo_as[c_slot] <= n_as;
        bbo_fl[c_slot] <= n_fl;
    end
    // event counters count a cycle later, from registered flags: the
    // events' conditions are the end of the level logic
    cnt_halt <= last_stage && ev0_valid && c_kind == K_HALT;
    cnt_trade <= last_stage && ev0_valid && c_kind != K_HALT;
    cnt_bbo <= last_stage && ev1_valid;
    cnt_drop <= {eq_push1 && !eq_room1, eq_push0 && !eq_room0};
    halt_events <= halt_events + {63'd0, cnt_halt};
    trade_events <= trade_events + {63'd0, cnt_trade};
    bbo_events <= bbo_events + {63'd0, cnt_bbo};
    events_dropped <= events_dropped + {63'd0, cnt_drop[0]} + {63'd0, cnt_drop[1]};
    trade_valid <= last_stage && ev0_valid && c_kind != K_HALT;
    trade_inst <= ev0[TG_C2H_BOOK_TRADE_INSTRUMENT_LSB +: 8];
    trade_price <= ev0[TG_C2H_BOOK_TRADE_PRICE_LSB +: 32];

    // ---- event queue
    if (eq_push0 && eq_room0) eq_mem[eq_wr[EQ_LOG2-1:0]] <= ev0;
    if (eq_push1 && eq_room1) eq_mem[eq_wr[EQ_LOG2-1:0] + (eq_push0 && eq_room0 ? 1 : 0)] <= ev1;
    eq_wr <= eq_wr + {{EQ_LOG2{1'b0}}, eq_push0 && eq_room0} + {{EQ_LOG2{1'b0}}, eq_push1 && eq_room1};
    if (m_axis_evt_tready && eq_wr != eq_rd) eq_rd <= eq_rd + 1'b1;

    // ---- reset of the book (host) or of the card
    if (book_reset || rst) begin
        st <= ST_CLEAR;
        clr_addr <= 25'd0;
        q_flush <= 1'b1;
        eq_wr <= 0;
        eq_rd <= 0;
        orders <= 64'd0;
    end
    for (i = 0; i < INSTRUMENTS; i = i + 1) begin
        if (slot_clear[i]) begin
            slot_orders[i] <= 64'd0;
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
    end
end

endmodule

`resetall
