`resetall
`timescale 1ns / 1ps
`default_nettype none

// Order entry: the risk gate's accepted orders out as OUCH 5.0 messages in
// SoupBinTCP 3.0 unsequenced-data packets, and the exchange's SoupBinTCP
// stream back in, its OUCH 5.0 responses decoded, applied to the gate
// (executions, cancels, acceptances, replacements) and forwarded to the host.
//
// The TCP session itself (connect, login, heartbeats, logout) lives in the
// transport next to the card (the board's TCP offload, the simulator's
// socket glue): the card sends and receives only the SoupBinTCP packets that
// carry orders and responses. docs/ouch.md says why.
//
// UserRefNum: SEQ << SW | slot, SEQ counting every Enter and Replace, so the
// numbers strictly increase within a session (OUCH 5.0 requires it) and
// every response names its order slot in its low bits.
//
// A slot remembers its order's last two UserRefNums (responses to either
// apply) and what its last replace added to the gate's open quantity: a
// Rejected replace takes that back and makes the number before it current.
//
// Transmit: one packet per AXI-Stream frame, byte 0 of a beat in bits 7:0.
// An accepted order with nothing ahead of it starts out in the cycle the
// gate decides it; the others queue (FIFO_LOG2) in decision order.
// Receive: a byte stream; tlast carries no meaning (packets are delimited
// by their length fields), up to a beat (8 bytes) is decoded per cycle.
module tg_order_entry #
(
    parameter integer INSTRUMENTS = 8,
    parameter integer SLOTS = 64,          // the gate's order slots (power of two)
    parameter integer FIFO_LOG2 = 4        // accepted orders waiting for the wire
)
(
    input  wire         clk,
    input  wire         rst,
    input  wire [63:0]  cycle,

    // symbols of the instruments, space padded, character 0 in bits 7:0
    input  wire         sym_wr,
    input  wire [7:0]   sym_inst,
    input  wire [63:0]  sym_chars,

    // accepted orders from the gate; ord_room: at least 8 entries are free
    // (the gate may have 5 orders between entering it and decided)
    input  wire         ord_valid,
    output wire         ord_room,
    input  wire [3:0]   ord_kind,
    input  wire [15:0]  ord_slot,
    input  wire [7:0]   ord_inst,
    input  wire [1:0]   ord_side,
    input  wire [31:0]  ord_qty,
    input  wire [31:0]  ord_price,
    input  wire [23:0]  ord_grow,          // REPLACE: shares the gate added to the slot's open quantity
    input  wire [151:0] ord_attr,          // tif, display, capacity, ise, cross type, ClOrdID[14] (byte 0 first)
    input  wire [63:0]  ord_in_cycle,

    // SoupBinTCP to the exchange
    output wire [63:0]  m_axis_oe_tdata,
    output wire [7:0]   m_axis_oe_tkeep,
    output wire         m_axis_oe_tlast,
    output wire         m_axis_oe_tvalid,
    input  wire         m_axis_oe_tready,

    // SoupBinTCP from the exchange
    input  wire [63:0]  s_axis_oe_tdata,
    input  wire [7:0]   s_axis_oe_tkeep,
    input  wire         s_axis_oe_tvalid,
    output wire         s_axis_oe_tready,

    // responses applied to the gate (FILL, RESTATE)
    output wire         gi_valid,
    input  wire         gi_ready,
    output wire [3:0]   gi_kind,
    output wire [1:0]   gi_sub,
    output wire [4:0]   gi_field,              // a RESTATE sub 0's stamp (TG_RISK_STAMPED)
    output wire [7:0]   gi_inst,
    output wire [1:0]   gi_side,
    output wire [15:0]  gi_slot,
    output wire [31:0]  gi_qty,

    // ORDER_RESP events
    output wire [511:0] m_axis_evt_tdata,
    output wire         m_axis_evt_tvalid,
    input  wire         m_axis_evt_tready,

    // order latency: entry into the gate to the first byte on the wire
    output reg          lat_valid = 1'b0,
    output reg  [31:0]  lat_cycles = 32'd0,

    // control and counters
    input  wire         urn_load,
    input  wire [31:0]  urn_load_seq,
    input  wire         rx_reset,
    output wire [31:0]  urn_next,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [15:0]  rd_slot,
    /* verilator lint_on UNUSEDSIGNAL */
    output reg  [31:0]  rd_slot_urn = 32'd0,   // a cycle behind rd_slot
    output reg  [63:0]  sent_enter = 64'd0,
    output reg  [63:0]  sent_replace = 64'd0,
    output reg  [63:0]  sent_cancel = 64'd0,
    output reg  [63:0]  tx_bytes = 64'd0,
    output reg  [63:0]  rx_packets = 64'd0,
    output reg  [63:0]  rx_sequenced = 64'd0,
    output reg  [63:0]  rx_bad = 64'd0,
    output reg  [63:0]  rx_unmatched = 64'd0
);

`include "tg_card_defs.vh"
`include "tg_index_ok.vh"

localparam integer SW = $clog2(SLOTS);
localparam integer IW = INSTRUMENTS > 1 ? $clog2(INSTRUMENTS) : 1;

initial begin
    if ((1 << SW) != SLOTS || SLOTS < 2 || SLOTS > 4096) begin
        $error("tg_order_entry: SLOTS must be a power of two, 2..4096");
        $finish;
    end
end

// ------------------------------------------------------------------ tables
reg [63:0]  sym [0:INSTRUMENTS-1];
reg [31:0]  cur_urn [0:SLOTS-1];           // UserRefNum of the slot's order now
reg [31:0]  prev_urn [0:SLOTS-1];          // before its last replace (0: none)
reg [23:0]  rep_grow [0:SLOTS-1];          // shares its last replace added in the gate
wire        rep_rejected;                  // the receive side applies a Rejected of a slot's replace
wire [SW-1:0] rep_rejected_si;
reg [IW-1:0] sl_inst [0:SLOTS-1];
reg [1:0]   sl_side [0:SLOTS-1];
reg [31:0]  urn_seq = 32'd1;
// NEW and REPLACE orders of the slot the gate accepted, mod 16: the count
// tg_risk keeps (sl_dec), moved by the same decisions in the same cycle.
// An Accepted or Replaced carries it as it stood when looked up, so the
// gate applies its quantity only if no order of the slot was accepted
// since (the order's own answer states that one's).
reg [3:0]   sl_dec [0:SLOTS-1];

integer i;
initial begin
    for (i = 0; i < INSTRUMENTS; i = i + 1) sym[i] = {8{8'h20}};
    for (i = 0; i < SLOTS; i = i + 1) begin
        cur_urn[i] = 32'd0;
        prev_urn[i] = 32'd0;
        rep_grow[i] = 24'd0;
        sl_inst[i] = {IW{1'b0}};
        sl_side[i] = 2'd0;
        sl_dec[i] = 4'd0;
    end
end

assign urn_next = urn_seq;
// registered, so a CSR read never runs through this table's read as well
always @(posedge clk) begin
    rd_slot_urn <= (rd_slot >> SW) == 16'd0 ? cur_urn[rd_slot[SW-1:0]] : 32'd0;
end

always @(posedge clk) begin
    if (sym_wr && tg_index_ok({8'd0, sym_inst}, IW, INSTRUMENTS)) begin
        sym[sym_inst[IW-1:0]] <= sym_chars;
    end
end

// ------------------------------------------------------------------ order queue
localparam integer QW = 4 + 16 + 8 + 2 + 32 + 32 + 24 + 152 + 64;
reg [QW-1:0] q_mem [0:(1<<FIFO_LOG2)-1];
reg [FIFO_LOG2:0] q_wr = 0, q_rd = 0;
// the queue's count, q_wr - q_rd, kept as a register of its own, and the
// room the gate reads worked out from the count it is about to take (a
// register: the pointers' subtraction and the compare sat in front of the
// gate's admission)
reg [FIFO_LOG2:0] q_used = 0;
reg         q_room = 1'b1;
localparam [FIFO_LOG2:0] Q_FULL = 1 << FIFO_LOG2;
wire q_full = q_used == Q_FULL;
assign ord_room = q_room;
wire q_valid = q_wr != q_rd;
// The order at the head: the queue's oldest, or with the queue empty the
// order the gate accepts this cycle, so that it goes out in the cycle of
// its decision. It is written into the queue either way, and the read
// pointer passes it as it goes out (a port not ready keeps it queued,
// unchanged, at the head).
wire [QW-1:0] ord_entry = {ord_kind, ord_slot, ord_inst, ord_side, ord_qty, ord_price, ord_grow, ord_attr,
                           ord_in_cycle};
wire h_valid = q_valid || ord_valid;
wire [QW-1:0] q_head = q_valid ? q_mem[q_rd[FIFO_LOG2-1:0]] : ord_entry;
wire q_push = ord_valid && !q_full;

always @(posedge clk) begin
`ifndef SYNTHESIS
    if (!rst && ord_valid && q_full) begin
        $error("tg_order_entry: an accepted order with the queue full (the gate ignored ord_room)");
    end
`endif
    if (ord_valid && ord_kind != TG_RISK_IN_CANCEL) begin
        sl_dec[ord_slot[SW-1:0]] <= sl_dec[ord_slot[SW-1:0]] + 4'd1;
    end
    if (q_push) begin
        q_mem[q_wr[FIFO_LOG2-1:0]] <= ord_entry;
        q_wr <= q_wr + 1'b1;
    end
    if (rst) q_wr <= 0;
end
`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst && q_used != q_wr - q_rd) begin
        $error("tg_order_entry: queue count %0d, pointers %0d apart", q_used, q_wr - q_rd);
    end
    if (!rst && q_room != ({{(31-FIFO_LOG2){1'b0}}, q_used} <= {{(31-FIFO_LOG2){1'b0}}, Q_FULL} - 8)) begin
        $error("tg_order_entry: queue room %0d with %0d queued", q_room, q_used);
    end
end
`endif

wire [3:0]   h_kind = q_head[QW-1 -: 4];
/* verilator lint_off UNUSEDSIGNAL */
wire [15:0]  h_slot = q_head[QW-5 -: 16];   // slots beyond SLOTS never reach here
wire [7:0]   h_inst = q_head[QW-21 -: 8];     // (its symbol is read apart: h_sym)
/* verilator lint_on UNUSEDSIGNAL */
wire [1:0]   h_side = q_head[QW-29 -: 2];
wire [31:0]  h_qty = q_head[QW-31 -: 32];
wire [31:0]  h_price = q_head[QW-63 -: 32];
wire [23:0]  h_grow = q_head[QW-95 -: 24];
wire [151:0] h_attr = q_head[QW-119 -: 152];
wire [63:0]  h_in_cycle = q_head[63:0];
wire [SW-1:0] h_si = h_slot[SW-1:0];
wire [31:0]  h_urn = {urn_seq[31-SW:0], h_si};
// the head's symbol: read at the queue's head and at the order being
// decided, and picked as the head is (an AND-OR: behind a mux Yosys's
// share pass makes the two reads one at a picked address, which put the
// table read behind the gate's decision)
wire [7:0]   q_inst = q_mem[q_rd[FIFO_LOG2-1:0]][QW-21 -: 8];
wire [63:0]  q_sym = tg_index_ok({8'd0, q_inst}, IW, INSTRUMENTS) ? sym[q_inst[IW-1:0]] : {8{8'h20}};
wire [63:0]  o_sym = tg_index_ok({8'd0, ord_inst}, IW, INSTRUMENTS) ? sym[ord_inst[IW-1:0]] : {8{8'h20}};
wire [63:0]  h_sym = ({64{q_valid}} & q_sym) | ({64{!q_valid}} & o_sym);

function [7:0] side_char(input [1:0] side);
    case (side)
        TG_RISK_SIDE_BUY: side_char = "B";
        TG_RISK_SIDE_SELL: side_char = "S";
        TG_RISK_SIDE_SELL_SHORT: side_char = "T";
        default: side_char = "E";
    endcase
endfunction

// byte n of a big-endian field of w bytes holding v, at packet offset o
`define BE32(o, v) pk[(o)*8 +: 8] = v[31:24]; pk[((o)+1)*8 +: 8] = v[23:16]; \
                   pk[((o)+2)*8 +: 8] = v[15:8]; pk[((o)+3)*8 +: 8] = v[7:0];

// the packet of the head order: SoupBinTCP length (2), 'U', the OUCH message
reg [511:0] pk;
reg [6:0]   pk_len;
integer b;
always @* begin
    pk = 512'd0;
    pk_len = 7'd0;
    case (h_kind)
        TG_RISK_IN_NEW: begin
            pk_len = 7'd50;                                   // Enter Order, 47 bytes
            pk[15:0] = {8'd48, 8'd0};
            pk[23:16] = "U";
            pk[31:24] = "O";
            `BE32(4, h_urn)
            pk[8*8 +: 8] = side_char(h_side);
            `BE32(9, h_qty)
            for (b = 0; b < 8; b = b + 1) pk[(13+b)*8 +: 8] = h_sym[b*8 +: 8];
            `BE32(25, h_price)                                  // price: 8 bytes at 21, high 4 zero
            // time in force, display, capacity, intermarket sweep, cross type
            for (b = 0; b < 5; b = b + 1) pk[(29+b)*8 +: 8] = h_attr[b*8 +: 8];
            for (b = 0; b < 14; b = b + 1) pk[(34+b)*8 +: 8] = h_attr[(5+b)*8 +: 8];
            // appendage length 0 at 48..49
        end
        TG_RISK_IN_REPLACE: begin
            pk_len = 7'd43;                                   // Replace Order, 40 bytes
            pk[15:0] = {8'd41, 8'd0};
            pk[23:16] = "U";
            pk[31:24] = "U";
            `BE32(4, cur_urn[h_si])
            `BE32(8, h_urn)
            `BE32(12, h_qty)
            `BE32(20, h_price)
            pk[24*8 +: 8] = h_attr[0 +: 8];                   // time in force
            pk[25*8 +: 8] = h_attr[8 +: 8];                   // display
            pk[26*8 +: 8] = h_attr[24 +: 8];                  // intermarket sweep
            for (b = 0; b < 14; b = b + 1) pk[(27+b)*8 +: 8] = h_attr[(5+b)*8 +: 8];
        end
        default: begin
            pk_len = 7'd12;                                   // Cancel Order, 9 bytes
            pk[15:0] = {8'd10, 8'd0};
            pk[23:16] = "U";
            pk[31:24] = "X";
            `BE32(4, cur_urn[h_si])
            `BE32(8, h_qty)
        end
    endcase
end
`undef BE32

// ------------------------------------------------------------------ transmit
reg         tx_busy = 1'b0;                // beats 1.. of a packet going out
reg [511:0] tx_pk = 512'd0;
reg [6:0]   tx_left = 7'd0;                // bytes of the packet from the beat on the port
reg [2:0]   tx_beat = 3'd0;
reg         tx_held = 1'b0;                // the first beat was offered and not taken
reg [63:0]  tx_held_beat = 64'd0;          // ... as it was offered

// A packet's first beat comes from the head order; every packet is longer
// than a beat (12 bytes at least), so the first is whole and never the
// last, and the rest come from registers (tx_pk, tx_beat, tx_left). A first
// beat the port does not take is kept as offered: the UserRefNum it names
// may change while it waits (a Rejected replace of the slot makes the one
// before current again), and AXI-Stream wants it unchanged until taken.
// The packet then names the number current when it was offered.
wire [2:0]  tx_cur_beat = tx_busy ? tx_beat : 3'd0;
wire [511:0] tx_cur_pk = tx_busy ? tx_pk : pk;
assign m_axis_oe_tvalid = tx_busy || h_valid;
assign m_axis_oe_tdata = !tx_busy && tx_held ? tx_held_beat : tx_cur_pk[{tx_cur_beat, 6'd0} +: 64];
assign m_axis_oe_tlast = tx_busy && tx_left <= 7'd8;
assign m_axis_oe_tkeep = !tx_busy || tx_left >= 7'd8 ? 8'hff : (8'hff >> (7'd8 - tx_left));

wire tx_first = !tx_busy && h_valid && m_axis_oe_tready;
// The count and the room after this cycle (tx_first takes the head from the
// queue: q_rd steps), each worked out for an order accepted in this cycle
// and for none, then picked by ord_valid, the gate's decision: the count
// moves by one at most, so the room is a compare of q_used alone, and
// nothing but one LUT stands behind the decision. (As a sum then a compare,
// it sat five LUTs behind it.)
wire q_pop_ord = !tx_busy && m_axis_oe_tready;                 // with an order (h_valid)
wire q_pop_none = !tx_busy && q_valid && m_axis_oe_tready;     // with none
wire [FIFO_LOG2:0] q_used_inc = q_used + 1'b1, q_used_dec = q_used - 1'b1;
(* keep *) wire [FIFO_LOG2:0] q_used_ord = !q_full && !q_pop_ord ? q_used_inc
                                         : q_full && q_pop_ord ? q_used_dec : q_used;
(* keep *) wire [FIFO_LOG2:0] q_used_none = q_pop_none ? q_used_dec : q_used;
// room: at most Q_FULL - 8 after the cycle
wire q_room_up = q_used <= Q_FULL - 9, q_room_same = q_used <= Q_FULL - 8, q_room_down = q_used <= Q_FULL - 7;
(* keep *) wire q_room_ord = !q_full && !q_pop_ord ? q_room_up : q_full && q_pop_ord ? q_room_down : q_room_same;
(* keep *) wire q_room_none = q_pop_none ? q_room_down : q_room_same;
wire tx_holding = !tx_busy && h_valid && !m_axis_oe_tready;   // a first beat offered, not taken
reg         urn_pend = 1'b0;               // OE_CONTROL.LOAD_URN waiting for a held packet to go
reg [31:0]  urn_pend_seq = 32'd0;
reg [3:0]   tx_beat_bytes = 4'd0;
reg         lat_go = 1'b0, lat_go2 = 1'b0;
reg [63:0]  lat_in = 64'd0, lat_out = 64'd0, lat_span = 64'd0;
wire tx_go = m_axis_oe_tvalid && m_axis_oe_tready;

always @(posedge clk) begin
    // the queue's count and the room behind it
    q_used <= ord_valid ? q_used_ord : q_used_none;
    q_room <= ord_valid ? q_room_ord : q_room_none;
    // the order's latency: its cycles in and out kept, subtracted a cycle
    // later, saturated to 32 bits a cycle after that
    lat_go <= tx_first;
    lat_in <= h_in_cycle;
    lat_out <= cycle;
    lat_go2 <= lat_go;
    lat_span <= lat_out - lat_in;
    lat_valid <= lat_go2;
    lat_cycles <= lat_span[63:32] != 32'd0 ? 32'hffff_ffff : lat_span[31:0];
    // bytes sent: the beat's count kept, added a cycle later
    tx_beat_bytes <= !tx_go ? 4'd0 : !tx_busy || tx_left >= 7'd8 ? 4'd8 : tx_left[3:0];
    tx_bytes <= tx_bytes + {60'd0, tx_beat_bytes};
    if (tx_holding && !tx_held) begin
        tx_held <= 1'b1;
        tx_held_beat <= pk[63:0];
    end
    if (tx_first) begin
        tx_held <= 1'b0;
        q_rd <= q_rd + 1'b1;
        tx_pk <= pk;
        tx_left <= pk_len - 7'd8;
        tx_beat <= 3'd1;
        tx_busy <= 1'b1;
        case (h_kind)
            TG_RISK_IN_NEW: begin
                cur_urn[h_si] <= h_urn;
                prev_urn[h_si] <= 32'd0;
                sl_inst[h_si] <= h_inst[IW-1:0];
                sl_side[h_si] <= h_side;
                urn_seq <= urn_seq + 32'd1;
                sent_enter <= sent_enter + 64'd1;
            end
            TG_RISK_IN_REPLACE: begin
                cur_urn[h_si] <= h_urn;
                prev_urn[h_si] <= cur_urn[h_si];
                rep_grow[h_si] <= h_grow;
                urn_seq <= urn_seq + 32'd1;
                sent_replace <= sent_replace + 64'd1;
            end
            default: sent_cancel <= sent_cancel + 64'd1;
        endcase
    end else if (tx_busy && m_axis_oe_tready) begin
        tx_beat <= tx_beat + 3'd1;
        tx_left <= tx_left - 7'd8;
        if (m_axis_oe_tlast) tx_busy <= 1'b0;
    end
    // a rejected replace: the order lives on under its UserRefNum from before
    // (written last: a replace of the same slot sent now is of a number the
    // exchange does not know, so it is rejected too)
    if (rep_rejected) begin
        cur_urn[rep_rejected_si] <= prev_urn[rep_rejected_si];
        prev_urn[rep_rejected_si] <= 32'd0;
    end
    // A UserRefNum load waits while the port holds a first beat: that
    // packet goes out under the number it offered, and the card records
    // that one (it names the order in the exchange's answers). It applies
    // from the next packet: after the increment of one taken now.
    if ((urn_load || urn_pend) && !tx_holding) begin
        urn_seq <= urn_load ? urn_load_seq : urn_pend_seq;
        urn_pend <= 1'b0;
    end else if (urn_load) begin
        urn_pend <= 1'b1;
        urn_pend_seq <= urn_load_seq;
    end
    if (rst) begin
        urn_pend <= 1'b0;
        q_rd <= 0;
        q_used <= 0;
        q_room <= 1'b1;
        tx_busy <= 1'b0;
        tx_held <= 1'b0;
        lat_go <= 1'b0;
        lat_go2 <= 1'b0;
        lat_valid <= 1'b0;
        urn_seq <= 32'd1;
        sent_enter <= 64'd0;
        sent_replace <= 64'd0;
        sent_cancel <= 64'd0;
        tx_beat_bytes <= 4'd0;
        tx_bytes <= 64'd0;
    end
end

// ------------------------------------------------------------------ receive
// The exchange's byte stream goes through five stages, each working from
// registers, so no path runs from one end to the other in a cycle:
//
//  queue   a beat a cycle, its kept bytes packed into an input register,
//          then into a byte queue (16 bytes; empty lanes of a beat are
//          dropped, so any split of the stream into beats reads the same);
//  parse   up to 8 bytes a cycle from the queue's front, within one packet:
//          what is left of the length field, then the packet's bytes, up to
//          its end; the next packet starts in the next cycle. A packet:
//          length (2, big-endian, the bytes after it), type, payload. The
//          count of the packet's bytes still to come is a register, so the
//          bytes taken come from small compares. They go on as a chunk: the
//          queue's front bytes from the packet's first, how many, and where
//          they lie in the packet;
//  keep    the chunk's bytes written into the message: the first 52 bytes of
//          an OUCH message (every field the card uses lies there);
//  decode  a sequenced-data packet's message, whole, decoded into a queue of
//          decoded messages (4);
//  lookup  the fields and the order slot they name, then emit: the gate input
//          and the ORDER_RESP event.
//
// The parser pauses while 4 messages are on their way to the lookup stage
// (a compare of one register): a stalled lookup stage is never waited for
// within a cycle, and no message is lost.
localparam integer KEEP = 52;
localparam integer DQ_LOG2 = 2;
reg [127:0] rq = 128'd0;                   // byte n at bits 8n+7:8n, zero beyond rq_count
reg [4:0]   rq_count = 5'd0;
// A beat from the port is packed (its kept bytes to the low lanes) into
// the input register, and goes into the queue from there: the queue's
// shifts then start from registers, not from the port's tkeep.
reg         ib_valid = 1'b0;
reg [63:0]  ib_c = 64'd0;                  // the beat's kept bytes, packed
reg [3:0]   ib_n = 4'd0;                   // how many
wire rq_in = ib_valid && rq_count <= 5'd8;
assign s_axis_oe_tready = !ib_valid || rq_count <= 5'd8;
wire ib_load = s_axis_oe_tvalid && s_axis_oe_tready;

// the beat's bytes, packed to the low lanes: a kept lane's byte goes to the
// lane its count of kept lanes below names (all lanes at once; the count as
// a one-hot shift, not an adder chain)
function [7:0] kept_below(input [7:0] keep, input integer lane);
    integer l;
    begin
        kept_below = 8'd1;
        for (l = 0; l < lane; l = l + 1) if (keep[l]) kept_below = kept_below << 1;
    end
endfunction

reg [63:0] in_c;
reg [3:0]  in_n;
reg [7:0]  in_to;
integer k, kl;
always @* begin
    in_c = 64'd0;
    in_n = 4'd0;
    for (k = 0; k < 8; k = k + 1) begin
        in_n = in_n + {3'd0, s_axis_oe_tkeep[k]};
        in_to = kept_below(s_axis_oe_tkeep, k);
        for (kl = 0; kl <= k; kl = kl + 1) begin
            if (s_axis_oe_tkeep[k] && in_to[kl]) in_c[kl*8 +: 8] = in_c[kl*8 +: 8] | s_axis_oe_tdata[k*8 +: 8];
        end
    end
end

// ---- parse
localparam [1:0] P_LEN0 = 2'd0, P_LEN1 = 2'd1, P_BODY = 2'd2;
reg [1:0]   ps = P_LEN0;
reg [7:0]   r_len_hi = 8'd0;               // the length's first byte (P_LEN1)
reg [15:0]  r_len = 16'd0;                 // the packet's length (P_BODY)
reg [15:0]  r_left = 16'd0;                // its bytes still to come (P_BODY)
reg [5:0]   r_pos = 6'd0;                  // its bytes taken (saturates: past the kept bytes)
reg         r_seq = 1'b0;                  // a sequenced-data packet
reg [DQ_LOG2:0] inflight = 0;              // messages parsed, not yet in the lookup stage
wire        p_pause = inflight[DQ_LOG2];   // all 4 places taken (never more)

// this cycle's bytes: the queue's first `avail`
wire [3:0]  avail = rq_count[4:3] != 2'd0 ? 4'd8 : {1'b0, rq_count[2:0]};
wire [1:0]  h_need = ps == P_LEN0 ? 2'd2 : ps == P_LEN1 ? 2'd1 : 2'd0;   // length bytes still to come
wire        len_ok = avail >= {2'd0, h_need};
wire [15:0] p_len = ps == P_LEN0 ? {rq[7:0], rq[15:8]} : ps == P_LEN1 ? {r_len_hi, rq[7:0]} : r_len;
wire [15:0] p_left = ps == P_BODY ? r_left : p_len;                      // packet bytes still to come
wire [5:0]  p0 = ps == P_BODY ? r_pos : 6'd0;                            // ... and taken
wire [3:0]  p_avail = avail - {2'd0, h_need};                            // bytes after the length (len_ok)
// the packet ends this cycle: its bytes still to come (and the length's) are
// here; each state's case from its own bytes, in parallel, then the state's
wire [4:0]  end_len0 = {1'b0, rq[11:8]} + 5'd2;
wire [4:0]  end_len1 = {1'b0, rq[3:0]} + 5'd1;
wire        ends_len0 = {rq[7:0], rq[15:12]} == 12'd0 && end_len0 <= {1'b0, avail};
wire        ends_len1 = {r_len_hi, rq[7:4]} == 12'd0 && end_len1 <= {1'b0, avail};
wire        ends_body = r_left[15:4] == 12'd0 && r_left[3:0] <= avail;
wire        p_ends = ps == P_LEN0 ? ends_len0 : ps == P_LEN1 ? ends_len1 : ends_body;
wire [3:0]  end_take = ps == P_LEN0 ? end_len0[3:0] : ps == P_LEN1 ? end_len1[3:0] : r_left[3:0];
wire [3:0]  p_k = p_ends ? p_left[3:0] : p_avail;                        // packet bytes taken (len_ok)
wire [63:0] p_bytes = rq[{2'd0, h_need, 3'd0} +: 64];                  // from the packet's first
wire        type_here = p0 == 6'd0 && p_k != 4'd0;
wire        p_seq = type_here ? p_bytes[7:0] == "S" : r_seq;
wire        seq_end = p_ends && p_left != 16'd0 && p_seq;                // a sequenced message, whole
wire        p_go = len_ok && !p_pause;
// bytes out of the queue: to the packet's end, else all here (h_need + p_avail)
wire [3:0]  consume = p_pause ? 4'd0 : p_ends ? end_take : avail;
wire [6:0]  p_end = {1'b0, p0} + {3'd0, p_k};

// ---- keep: the chunk
reg         c_valid = 1'b0;
reg         c_first = 1'b0;                // the packet's first bytes: nothing of the last one stays
reg         c_end = 1'b0;                  // ... and a sequenced message's last
reg [63:0]  c_bytes = 64'd0;               // packet byte c_pos + n at bits 8n+7:8n
reg [3:0]   c_k = 4'd0;
reg [5:0]   c_pos = 6'd0;
reg [15:0]  c_len = 16'd0;

// the message: byte n is the packet's byte n + 1 (byte 0 is its type)
reg [7:0]   m [0:KEEP-1];
reg         m_done = 1'b0;                 // m holds a whole sequenced message
// its packet's length against each type's fixed fields (m_gtN: longer than
// N bytes), compared as the length is registered: the decode then picks a
// flag by the type. (Compared in the decode, Yosys's share pass made the
// types' compares one, of the length against a constant picked by the type:
// the type's decode, a carry chain and the fields' pick in front of the
// decoded queue's write, the card's deepest logic.)
reg         m_gt10 = 1'b0, m_gt13 = 1'b0, m_gt16 = 1'b0, m_gt18 = 1'b0, m_gt20 = 1'b0, m_gt29 = 1'b0,
            m_gt30 = 1'b0, m_gt32 = 1'b0, m_gt36 = 1'b0, m_gt64 = 1'b0, m_gt68 = 1'b0;

integer j;
initial begin
    for (j = 0; j < KEEP; j = j + 1) m[j] = 8'd0;
end

// ---- decode
function [31:0] be32(input [7:0] a0, input [7:0] a1, input [7:0] a2, input [7:0] a3);
    be32 = {a0, a1, a2, a3};
endfunction

function [63:0] be64(input integer o);
    integer q;
    begin
        be64 = 64'd0;
        for (q = 0; q < 8; q = q + 1) be64 = {be64[55:0], m[o+q]};
    end
endfunction

reg [7:0]  d_type;
reg        d_has, d_long;
reg [31:0] d_urn, d_orig, d_qty;
reg [63:0] d_price, d_time;
/* verilator lint_off UNUSEDSIGNAL */
reg [63:0] d_ref;                          // 56 bits go to the host
/* verilator lint_on UNUSEDSIGNAL */
reg [7:0]  d_side, d_state;
reg [15:0] d_reason;
always @* begin
    d_type = m[0];
    d_has = 1'b0;                          // a type OUCH has
    d_long = 1'b0;                         // as long as its fixed fields
    d_urn = be32(m[9], m[10], m[11], m[12]);
    d_orig = 32'd0;
    d_qty = 32'd0;
    d_price = 64'd0;
    d_ref = 64'd0;
    d_time = be64(1);
    d_side = 8'd0;
    d_state = 8'd0;
    d_reason = 16'd0;
    case (m[0])
        "S": begin d_has = 1'b1; d_long = m_gt10; d_urn = 32'd0; d_state = m[9]; end
        "A": begin
            d_has = 1'b1; d_long = m_gt64; d_side = m[13]; d_qty = be32(m[14], m[15], m[16], m[17]);
            d_price = be64(26); d_ref = be64(36); d_state = m[47];
        end
        "U": begin
            d_has = 1'b1; d_long = m_gt68; d_orig = d_urn; d_urn = be32(m[13], m[14], m[15], m[16]);
            d_side = m[17]; d_qty = be32(m[18], m[19], m[20], m[21]);
            d_price = be64(30); d_ref = be64(40); d_state = m[51];
        end
        "C": begin d_has = 1'b1; d_long = m_gt18; d_qty = be32(m[13], m[14], m[15], m[16]); d_state = m[17]; end
        "D": begin
            d_has = 1'b1; d_long = m_gt32; d_qty = be32(m[13], m[14], m[15], m[16]); d_state = m[17];
            d_price = be64(22); d_side = m[30];
        end
        "E": begin
            d_has = 1'b1; d_long = m_gt36; d_qty = be32(m[13], m[14], m[15], m[16]); d_price = be64(17);
            d_side = m[25]; d_ref = be64(26);
        end
        "B": begin d_has = 1'b1; d_long = m_gt36; d_ref = be64(13); d_state = m[21]; end
        "J": begin d_has = 1'b1; d_long = m_gt29; d_reason = {m[13], m[14]}; end
        "P", "I": begin d_has = 1'b1; d_long = m_gt13; end
        "T": begin d_has = 1'b1; d_long = m_gt30; d_price = be64(13); d_ref = be64(22); end
        "M": begin d_has = 1'b1; d_long = m_gt20; d_side = m[13]; d_qty = be32(m[14], m[15], m[16], m[17]); end
        "R": begin d_has = 1'b1; d_long = m_gt16; end
        "Q": begin d_has = 1'b1; d_long = m_gt13; d_urn = 32'd0; end
        default: ;
    endcase
end
// whole: of a type OUCH has, and as long as that type's fixed fields (the
// packet's length against each type's, all at once, picked by the type)
wire d_known = d_has && d_long;

// decoded messages waiting for the lookup stage
localparam integer DW = 8 + 8 + 8 + 32 + 32 + 32 + 64 + 64 + 56 + 16 + 1 + 1;
reg [DW-1:0] dq_mem [0:(1<<DQ_LOG2)-1];
reg [DQ_LOG2:0] dq_wr = 0, dq_rd = 0;
wire [DW-1:0] dq_head = dq_mem[dq_rd[DQ_LOG2-1:0]];

// ---- lookup: registered fields and the slot they name
reg  l_valid = 1'b0;
// the emit stage hands its gate input and its event to skid buffers, whose
// ready is a register: the gate's and the event queue's ready stop there
wire gi_s_ready, evt_s_ready;
wire e_free = gi_s_ready && evt_s_ready;
// The lookup takes two cycles: the message's UserRefNum is compared with
// its slot's last two in one, into registers (l_f_*), and it leaves in the
// next (l_f_ok). A send that changes the slot's numbers in between makes
// the compare again. (The parser yields a message every 2 cycles at most,
// so nothing waits on this.)
reg  l_f_ok = 1'b0;                        // l_f_* hold the compare of the message in the stage
wire e_go = l_valid && l_f_ok && e_free;
wire l_free = !l_valid || e_go;
wire dq_pop = dq_wr != dq_rd && l_free;

reg [7:0]  l_type = 8'd0, l_side = 8'd0, l_state = 8'd0;
reg [31:0] l_urn = 32'd0, l_orig = 32'd0, l_qty = 32'd0;
reg [63:0] l_price = 64'd0, l_time = 64'd0;
reg [55:0] l_ref = 56'd0;
reg [15:0] l_reason = 16'd0;
reg        l_known = 1'b0, l_has_urn = 1'b0;
reg [63:0] l_seq = 64'd0;                  // its sequenced-data packet number
wire [SW-1:0] l_si = l_urn[SW-1:0];
reg  l_cur = 1'b0;                         // the slot's current number
reg  l_prev = 1'b0;                        // its number before the last replace
reg  l_prev_nz = 1'b0;                     // the slot has a number before the last replace
reg  l_grow_nz = 1'b0;                     // its last replace added shares
reg [3:0] l_dec = 4'd0;                    // its count of accepted orders
wire l_match = l_cur || l_prev;
// the slot's numbers or count change as this cycle ends: an order of it
// sent or decided (a cancel changes neither; counted anyway), or its last
// replace rejected (only ever by the message's own, as it leaves)
wire l_slot_moves = (tx_first && h_si == l_si) || (ord_valid && ord_slot[SW-1:0] == l_si);
// The slot's tables are read into registers (r_*) in the cycle before the
// compare: at the slot of the message entering the stage, or of the one in
// it. (Read in the compare's cycle, the pick among every slot's numbers and
// the compare behind it were the order entry's deepest logic.) A write to
// that slot as it is read (r_moved) makes the compare again, as one in the
// compare's own cycle does (l_slot_moves); the rejected replace of the
// message leaving counts here, for the one entering.
localparam integer DQ_URN = DW - 24 - 32;  // the UserRefNum's offset in a queue entry
wire [SW-1:0] n_si = dq_pop ? dq_head[DQ_URN +: SW] : l_si;
wire n_slot_moves = (tx_first && h_si == n_si) || (ord_valid && ord_slot[SW-1:0] == n_si)
                 || (rep_rejected && rep_rejected_si == n_si);
reg [31:0] r_cur_urn = 32'd0, r_prev_urn = 32'd0;
reg [23:0] r_grow = 24'd0;
reg [3:0]  r_dec = 4'd0;
reg        r_moved = 1'b0;
always @(posedge clk) begin
    r_cur_urn <= cur_urn[n_si];
    r_prev_urn <= prev_urn[n_si];
    r_grow <= rep_grow[n_si];
    r_dec <= sl_dec[n_si];
    r_moved <= n_slot_moves;
end
// the compare as the slot's tables stand this cycle, unless r_moved
wire [7:0] l_now = {l_has_urn && l_urn != 32'd0 && r_cur_urn == l_urn,
                    l_has_urn && l_urn != 32'd0 && r_prev_urn == l_urn,
                    r_prev_urn != 32'd0, r_grow != 24'd0, r_dec};
always @(posedge clk) begin
    {l_cur, l_prev, l_prev_nz, l_grow_nz, l_dec} <= l_now;
    l_f_ok <= l_valid && !e_go && !l_slot_moves && !r_moved && !rst && !rx_reset;
end
assign rep_rejected = e_go && l_type == "J" && l_cur && l_prev_nz;
`ifndef SYNTHESIS
// (the compare as the tables stand, read directly)
wire [7:0] l_true = {l_has_urn && l_urn != 32'd0 && cur_urn[l_si] == l_urn,
                     l_has_urn && l_urn != 32'd0 && prev_urn[l_si] == l_urn,
                     prev_urn[l_si] != 32'd0, rep_grow[l_si] != 24'd0, sl_dec[l_si]};
always @(posedge clk) begin
    if (!rst && e_go && {l_cur, l_prev, l_prev_nz, l_grow_nz, l_dec} != l_true) begin
        $error("tg_order_entry: the lookup's compare is stale");
    end
end
`endif
assign rep_rejected_si = l_si;

// the chunk's byte for each of m's: m[j] is packet byte j + 1
reg [7:0] kb [0:KEEP-1];
reg       kw [0:KEEP-1];                   // written (else kept, or cleared for a new packet)
reg [6:0] kd;
always @* begin
    for (j = 0; j < KEEP; j = j + 1) begin
        kd = j[6:0] + 7'd1 - {1'b0, c_pos};  // wraps high for bytes before the chunk's
        kw[j] = c_valid && kd < {3'd0, c_k};
        kb[j] = c_bytes[kd[2:0]*8 +: 8];
    end
end

always @(posedge clk) begin
    // the byte queue: this cycle's bytes out, a beat in
    if (ib_load) begin
        ib_c <= in_c;
        ib_n <= in_n;
    end
    ib_valid <= ib_load || (ib_valid && !rq_in);
    rq <= (rq | ({64'd0, rq_in ? ib_c : 64'd0} << {rq_count, 3'd0})) >> {consume, 3'd0};
    rq_count <= rq_count + (rq_in ? {1'b0, ib_n} : 5'd0) - {1'b0, consume};

    // parse
    if (!p_pause && !len_ok && avail != 4'd0) begin
        r_len_hi <= rq[7:0];               // the length's first byte alone (h_need is 2 here)
        ps <= P_LEN1;
    end
    if (p_go) begin
        if (ps != P_BODY) rx_packets <= rx_packets + 64'd1;
        if (type_here) r_seq <= p_bytes[7:0] == "S";
        ps <= p_ends ? P_LEN0 : P_BODY;
        r_len <= p_len;
        r_left <= p_left - {12'd0, p_k};
        r_pos <= p_end[6] ? 6'h3f : p_end[5:0];
    end
    inflight <= inflight + {{DQ_LOG2{1'b0}}, p_go && seq_end} - {{DQ_LOG2{1'b0}}, dq_pop};
    c_valid <= p_go && p_k != 4'd0;
    c_first <= type_here;
    c_end <= seq_end;
    c_bytes <= p_bytes;
    c_k <= p_k;
    c_pos <= p0;
    c_len <= p_len;

    // keep
    for (j = 0; j < KEEP; j = j + 1) begin
        if (kw[j]) begin
            m[j] <= kb[j];
        end else if (c_valid && c_first) begin
            m[j] <= 8'd0;
        end
    end
    m_done <= c_valid && c_end;
    m_gt10 <= c_len > 16'd10;
    m_gt13 <= c_len > 16'd13;
    m_gt16 <= c_len > 16'd16;
    m_gt18 <= c_len > 16'd18;
    m_gt20 <= c_len > 16'd20;
    m_gt29 <= c_len > 16'd29;
    m_gt30 <= c_len > 16'd30;
    m_gt32 <= c_len > 16'd32;
    m_gt36 <= c_len > 16'd36;
    m_gt64 <= c_len > 16'd64;
    m_gt68 <= c_len > 16'd68;

    // decode
    if (m_done) begin
        dq_mem[dq_wr[DQ_LOG2-1:0]] <= {d_type, d_side, d_state, d_urn, d_orig, d_qty,
                                       d_price, d_has ? d_time : 64'd0, d_ref[55:0], d_reason,
                                       d_known, d_known && d_type != "S" && d_type != "Q"};
        dq_wr <= dq_wr + 1'b1;
    end

    // lookup
    if (dq_pop) begin
        {l_type, l_side, l_state, l_urn, l_orig, l_qty, l_price, l_time, l_ref, l_reason,
         l_known, l_has_urn} <= dq_head;
        dq_rd <= dq_rd + 1'b1;
        l_valid <= 1'b1;
        rx_sequenced <= rx_sequenced + 64'd1;
        l_seq <= rx_sequenced + 64'd1;
        if (!dq_head[1]) rx_bad <= rx_bad + 64'd1;
    end else if (e_go) begin
        l_valid <= 1'b0;
    end

    if (e_go && l_has_urn && !l_match) begin
        rx_unmatched <= rx_unmatched + 64'd1;
    end

    if (rst || rx_reset) begin
        ib_valid <= 1'b0;
        ps <= P_LEN0;
        rq <= 128'd0;
        rq_count <= 5'd0;
        inflight <= 0;
        c_valid <= 1'b0;
        m_done <= 1'b0;
        dq_wr <= 0;
        dq_rd <= 0;
        l_valid <= 1'b0;
        rx_sequenced <= 64'd0;
    end
    if (rst) begin
        rx_packets <= 64'd0;
        rx_bad <= 64'd0;
        rx_unmatched <= 64'd0;
    end
end

// ---- emit: the gate input (FILL, RESTATE) and the ORDER_RESP event of the
// message in the lookup stage, into their skid buffers as it leaves
reg         e_gi_valid;
reg [3:0]   e_gi_kind;
reg [1:0]   e_gi_sub;
reg [4:0]   e_gi_field;
reg [31:0]  e_gi_qty;
reg [511:0] e_evt;
always @* begin
    e_gi_valid = 1'b0;
    e_gi_kind = TG_RISK_IN_RESTATE;
    e_gi_sub = 2'd0;
    e_gi_field = 5'd0;
    e_gi_qty = l_qty;
    case (l_type)
        "A", "U": if (l_cur) begin
            e_gi_valid = 1'b1;
            e_gi_field = {1'b1, l_dec};    // stamped (TG_RISK_STAMPED)
            e_gi_qty = l_state == "D" ? 32'd0 : l_qty;
        end
        "C", "D": if (l_match) begin
            e_gi_valid = 1'b1;
            e_gi_sub = 2'd1;
        end
        "E": if (l_match) begin
            e_gi_valid = 1'b1;
            e_gi_kind = TG_RISK_IN_FILL;
        end
        "J": if (l_cur && !l_prev_nz) begin
            e_gi_valid = 1'b1;             // a rejected new order never opened
            e_gi_qty = 32'd0;
        end else if (rep_rejected && l_grow_nz) begin
            e_gi_valid = 1'b1;             // take back what the replace added
            e_gi_sub = 2'd1;
            e_gi_qty = {8'd0, rep_grow[l_si]};
        end
        default: ;
    endcase
    e_evt = 512'd0;
    e_evt[TG_C2H_TYPE_LSB +: TG_C2H_TYPE_W] = TG_C2H_EVT_ORDER_RESP;
    e_evt[TG_C2H_FLAGS_LSB +: 3] = {!l_known, l_price[63:32] != 32'd0, l_match};
    e_evt[TG_C2H_TIMESTAMP_LSB +: TG_C2H_TIMESTAMP_W] = cycle;
    e_evt[TG_C2H_ORDER_RESP_SOUP_SEQ_LSB +: 64] = l_seq;
    e_evt[TG_C2H_ORDER_RESP_EXCH_TIME_LSB +: 64] = l_time;
    e_evt[TG_C2H_ORDER_RESP_URN_LSB +: 32] = l_urn;
    e_evt[TG_C2H_ORDER_RESP_ORIG_URN_LSB +: 32] = l_orig;
    e_evt[TG_C2H_ORDER_RESP_MSG_TYPE_LSB +: 8] = l_type;
    e_evt[TG_C2H_ORDER_RESP_SIDE_LSB +: 8] = l_side;
    e_evt[TG_C2H_ORDER_RESP_STATE_LSB +: 8] = l_state;
    e_evt[TG_C2H_ORDER_RESP_INSTRUMENT_LSB +: 8] = l_match ? {{(8-IW){1'b0}}, sl_inst[l_si]} : 8'hff;
    e_evt[TG_C2H_ORDER_RESP_SLOT_LSB +: 16] = {{(16-SW){1'b0}}, l_si};
    e_evt[TG_C2H_ORDER_RESP_REASON_LSB +: 16] = l_reason;
    e_evt[TG_C2H_ORDER_RESP_QTY_LSB +: 32] = l_qty;
    e_evt[TG_C2H_ORDER_RESP_PRICE_LSB +: 32] = l_price[31:0];
    e_evt[TG_C2H_ORDER_RESP_REF_LSB +: 56] = l_ref;
end

tg_skid #(.DATA_WIDTH(4 + 2 + 5 + 8 + 2 + 16 + 32)) gi_skid_inst (
    .clk(clk),
    .rst(rst || rx_reset),
    .s_data({e_gi_kind, e_gi_sub, e_gi_field, {{(8-IW){1'b0}}, sl_inst[l_si]}, sl_side[l_si], {{(16-SW){1'b0}}, l_si},
             e_gi_qty}),
    .s_valid(e_go && e_gi_valid),
    .s_ready(gi_s_ready),
    .m_data({gi_kind, gi_sub, gi_field, gi_inst, gi_side, gi_slot, gi_qty}),
    .m_valid(gi_valid),
    .m_ready(gi_ready)
);

tg_skid #(.DATA_WIDTH(512)) evt_skid_inst (
    .clk(clk),
    .rst(rst || rx_reset),
    .s_data(e_evt),
    .s_valid(e_go),
    .s_ready(evt_s_ready),
    .m_data(m_axis_evt_tdata),
    .m_valid(m_axis_evt_tvalid),
    .m_ready(m_axis_evt_tready)
);

endmodule

`resetall
