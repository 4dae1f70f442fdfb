`resetall
`timescale 1ns / 1ps
`default_nettype none

// Realtime pre-trade risk gate.
//
// Applies a stream of inputs in order (TG_RISK_IN_*, see card.yaml and
// docs/risk.md): orders (NEW, CANCEL, REPLACE) are decided with a reason
// (TG_RISK_R_*), the rest move state: executions, open quantities stated by
// the exchange, reference prices, halts, limit writes into a shadow table,
// commits of that table, kill switches. The C golden model (sw/risk.c) has
// exactly these semantics; the RTL tests hold the two to the same decisions
// and state on a million inputs.
//
// A FILL with sub 1 is a bust: the exchange broke that execution, so its
// effect on position and exposure is reversed (the position moves against
// the side by the quantity). It names no order slot: the open quantity the
// execution consumed stays consumed, and it is never counted unmatched.
//
// Pipeline, one input per cycle:
//   P (the input cycle)  products that need only the input, its order slot
//                        and its instrument's reference price: order
//                        notional, collar bounds, share deltas x price
//   D                    every check, the decision and every state update,
//                        in one cycle (state is read and written by D only)
//   out                  the decision, registered: 2 cycles from input to
//                        decision.
// An input whose products read state the input in D is changing waits one
// cycle (in_ready low): an input of the same order slot, anything after a
// REF or COMMIT, and a REF behind anything. A bust reads and writes no slot,
// so it waits only behind a REF or COMMIT.
//
// Notional values (shares x price) are kept per instrument for the position
// with every open buy filled (ln) and with every open sell filled (sn), and
// summed (gross, net long, net short), updated by exact deltas.
module tg_risk #
(
    parameter integer INSTRUMENTS = 8,     // 1..64
    parameter integer SLOTS = 64           // order slots, 2..4096
)
(
    input  wire        clk,
    input  wire        rst,

    // inputs, applied in order
    input  wire        in_valid,
    output wire        in_ready,
    input  wire [3:0]  in_kind,
    input  wire [1:0]  in_sub,
    input  wire [7:0]  in_inst,
    input  wire [1:0]  in_side,
    input  wire [4:0]  in_field,
    input  wire [15:0] in_slot,
    input  wire [31:0] in_qty,
    input  wire [31:0] in_price,
    input  wire [31:0] in_price2,
    input  wire [63:0] in_value,
    input  wire [63:0] in_t,

    // one decision per NEW, CANCEL and REPLACE, in input order (no back-pressure)
    output reg         out_valid = 1'b0,
    output reg  [3:0]  out_kind = 4'd0,
    output reg  [4:0]  out_reason = 5'd0,
    output reg  [15:0] out_slot = 16'd0,
    output reg  [7:0]  out_inst = 8'd0,
    output reg  [1:0]  out_side = 2'd0,
    output reg  [31:0] out_qty = 32'd0,
    output reg  [31:0] out_price = 32'd0,
    output reg  [23:0] out_grow = 24'd0,   // REPLACE: shares it adds to the slot's open quantity

    // state read-back (combinational); indices beyond the tables alias
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [7:0]  rd_inst,
    input  wire [15:0] rd_slot,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire [4:0]  rd_field,
    input  wire        rd_shadow,
    output wire [63:0] rd_limit,
    output wire [63:0] rd_position,
    output wire [63:0] rd_open_buy,
    output wire [63:0] rd_open_sell,
    output wire [15:0] rd_open_orders,
    output wire [31:0] rd_ref_price,
    output wire [3:0]  rd_flags,           // killed, halted by host, halted by feed, last valid
    output wire [63:0] rd_rate_tat,
    output wire [127:0] rd_ln,
    output wire [127:0] rd_sn,
    output wire        rd_slot_open,
    output wire [7:0]  rd_slot_inst,
    output wire [1:0]  rd_slot_side,
    output wire [31:0] rd_slot_rem,
    output wire [31:0] rd_slot_price,
    output wire [127:0] rd_gross,
    output wire [127:0] rd_net_long,
    output wire [127:0] rd_net_short,
    output wire [15:0] rd_open_all,
    output wire        rd_killed,
    output wire [63:0] rd_rate_tat_all,
    input  wire [4:0]  rd_reason,
    output wire [63:0] rd_decided,         // decisions with reason rd_reason
    output wire [63:0] rd_bad_inputs,
    output wire [63:0] rd_unmatched,
    // a second port telling whether an order slot is open (the watchdog's sweep)
    input  wire [15:0] sweep_slot,
    output wire        sweep_slot_open
);

`include "tg_card_defs.vh"

initial begin
    if (INSTRUMENTS < 1 || INSTRUMENTS > 64 || SLOTS < 2 || SLOTS > 4096) begin
        $error("tg_risk: INSTRUMENTS must be 1..64, SLOTS 2..4096");
        $finish;
    end
end

localparam integer IW = INSTRUMENTS > 1 ? $clog2(INSTRUMENTS) : 1;
localparam integer SW = $clog2(SLOTS);
localparam integer SH = 50;                // shares, signed
localparam integer NW = 88;                // notional, signed
localparam [31:0] QTY_MAX = 32'h00ff_ffff;
localparam [31:0] PRICE_MAX = 32'h7fff_ffff;

// ------------------------------------------------------------------ state
// limits in force (a_) and as written (s_), per instrument
reg         a_en [0:INSTRUMENTS-1], s_en [0:INSTRUMENTS-1];
reg         a_ro [0:INSTRUMENTS-1], s_ro [0:INSTRUMENTS-1];
reg [31:0]  a_maxq [0:INSTRUMENTS-1], s_maxq [0:INSTRUMENTS-1];
reg [63:0]  a_maxn [0:INSTRUMENTS-1], s_maxn [0:INSTRUMENTS-1];
reg [13:0]  a_bps [0:INSTRUMENTS-1], s_bps [0:INSTRUMENTS-1];
reg [31:0]  a_maxl [0:INSTRUMENTS-1], s_maxl [0:INSTRUMENTS-1];
reg [31:0]  a_maxs [0:INSTRUMENTS-1], s_maxs [0:INSTRUMENTS-1];
reg [15:0]  a_maxo [0:INSTRUMENTS-1], s_maxo [0:INSTRUMENTS-1];
reg [31:0]  a_rper [0:INSTRUMENTS-1], s_rper [0:INSTRUMENTS-1];
reg [31:0]  a_rtol [0:INSTRUMENTS-1], s_rtol [0:INSTRUMENTS-1];
reg [31:0]  a_dupw [0:INSTRUMENTS-1], s_dupw [0:INSTRUMENTS-1];
// global limits
reg [63:0]  a_gross = 64'd0, s_gross = 64'd0;
reg [63:0]  a_net = 64'd0, s_net = 64'd0;
reg [15:0]  a_opena = 16'd0, s_opena = 16'd0;
reg [31:0]  a_rpera = 32'd0, s_rpera = 32'd0;
reg [31:0]  a_rtola = 32'd0, s_rtola = 32'd0;
reg         a_noref = 1'b0, s_noref = 1'b0;

// instruments
reg signed [SH-1:0] pos [0:INSTRUMENTS-1];
reg signed [SH-1:0] ls [0:INSTRUMENTS-1];      // position with every open buy filled
reg signed [SH-1:0] ss [0:INSTRUMENTS-1];      // position with every open sell filled
reg signed [NW-1:0] ln [0:INSTRUMENTS-1];      // ls x reference price
reg signed [NW-1:0] sn [0:INSTRUMENTS-1];      // ss x reference price
reg [15:0]  nopen [0:INSTRUMENTS-1];
reg [30:0]  refp [0:INSTRUMENTS-1];
reg [30:0]  src_bid [0:INSTRUMENTS-1], src_ask [0:INSTRUMENTS-1];
reg [30:0]  src_last [0:INSTRUMENTS-1], src_host [0:INSTRUMENTS-1];
reg         hfeed [0:INSTRUMENTS-1], hhost [0:INSTRUMENTS-1], ikill [0:INSTRUMENTS-1];
reg [63:0]  tat [0:INSTRUMENTS-1];
reg         dv [0:INSTRUMENTS-1];
reg [1:0]   dside [0:INSTRUMENTS-1];
reg [23:0]  dqty [0:INSTRUMENTS-1];
reg [30:0]  dprice [0:INSTRUMENTS-1];
reg [63:0]  dt [0:INSTRUMENTS-1];

// order slots
reg         sl_open [0:SLOTS-1];
reg [IW-1:0] sl_inst [0:SLOTS-1];
reg [1:0]   sl_side [0:SLOTS-1];
reg [23:0]  sl_rem [0:SLOTS-1];
reg [30:0]  sl_price [0:SLOTS-1];

// totals
reg signed [NW-1:0] gross = {NW{1'b0}};
reg signed [NW-1:0] netl = {NW{1'b0}};
reg signed [NW-1:0] nets = {NW{1'b0}};
reg [15:0]  nopen_all = 16'd0;
reg         kill_all = 1'b0;
reg [63:0]  tat_all = 64'd0;
reg [63:0]  decided [0:31];
reg [63:0]  bad_inputs = 64'd0;
reg [63:0]  unmatched = 64'd0;

integer i;
initial begin
    for (i = 0; i < INSTRUMENTS; i = i + 1) begin
        a_en[i] = 1'b0; s_en[i] = 1'b0; a_ro[i] = 1'b0; s_ro[i] = 1'b0;
        a_maxq[i] = 32'd0; s_maxq[i] = 32'd0; a_maxn[i] = 64'd0; s_maxn[i] = 64'd0;
        a_bps[i] = 14'd0; s_bps[i] = 14'd0; a_maxl[i] = 32'd0; s_maxl[i] = 32'd0;
        a_maxs[i] = 32'd0; s_maxs[i] = 32'd0; a_maxo[i] = 16'd0; s_maxo[i] = 16'd0;
        a_rper[i] = 32'd0; s_rper[i] = 32'd0; a_rtol[i] = 32'd0; s_rtol[i] = 32'd0;
        a_dupw[i] = 32'd0; s_dupw[i] = 32'd0;
        pos[i] = {SH{1'b0}}; ls[i] = {SH{1'b0}}; ss[i] = {SH{1'b0}};
        ln[i] = {NW{1'b0}}; sn[i] = {NW{1'b0}}; nopen[i] = 16'd0; refp[i] = 31'd0;
        src_bid[i] = 31'd0; src_ask[i] = 31'd0; src_last[i] = 31'd0; src_host[i] = 31'd0;
        hfeed[i] = 1'b0; hhost[i] = 1'b0; ikill[i] = 1'b0; tat[i] = 64'd0;
        dv[i] = 1'b0; dside[i] = 2'd0; dqty[i] = 24'd0; dprice[i] = 31'd0; dt[i] = 64'd0;
    end
    for (i = 0; i < SLOTS; i = i + 1) begin
        sl_open[i] = 1'b0; sl_inst[i] = {IW{1'b0}}; sl_side[i] = 2'd0;
        sl_rem[i] = 24'd0; sl_price[i] = 31'd0;
    end
    for (i = 0; i < 32; i = i + 1) begin
        decided[i] = 64'd0;
    end
end

// ------------------------------------------------------------------ P stage
wire p_inst_ok = {24'd0, in_inst} < INSTRUMENTS;
wire p_slot_ok = {16'd0, in_slot} < SLOTS;
wire [IW-1:0] p_ii = in_inst[IW-1:0];
wire [SW-1:0] p_si = in_slot[SW-1:0];
wire p_kind_slot_inst = in_kind == TG_RISK_IN_REPLACE || in_kind == TG_RISK_IN_RESTATE;
wire [IW-1:0] p_k = p_kind_slot_inst ? sl_inst[p_si] : p_ii;
wire [23:0] p_rem = sl_rem[p_si];
wire [23:0] p_qty = in_qty[23:0];
wire p_buy_in = in_side == TG_RISK_SIDE_BUY;
// a FILL that consumes an order slot's open quantity (sub 0); sub 1 is a bust
wire p_fill_slot = in_kind == TG_RISK_IN_FILL && !in_sub[0];
wire p_matched = p_fill_slot && p_slot_ok && sl_open[p_si] && sl_inst[p_si] == p_ii && p_inst_ok
                 && ((sl_side[p_si] == TG_RISK_SIDE_BUY) == p_buy_in);
wire [23:0] p_fill_d = !p_matched ? 24'd0 : (p_qty < p_rem ? p_qty : p_rem);
// the open quantity a RESTATE states: sub 0 the quantity itself, sub 1 the
// slot's open quantity reduced by it (a cancel's decrement)
wire [23:0] p_rq = !in_sub[0] ? p_qty : (p_qty >= p_rem ? 24'd0 : p_rem - p_qty);

// the reference price a REF input makes
wire [30:0] p_bid = in_sub == 2'd0 ? in_price[30:0] : src_bid[p_k];
wire [30:0] p_ask = in_sub == 2'd0 ? in_price2[30:0] : src_ask[p_k];
wire [30:0] p_last = in_sub == 2'd1 ? in_price[30:0] : src_last[p_k];
wire [30:0] p_host = in_sub == 2'd2 ? in_price[30:0] : src_host[p_k];
wire [30:0] p_mid = {1'b0, p_bid[30:1]} + {1'b0, p_ask[30:1]} + {30'd0, p_bid[0] & p_ask[0]};
wire [30:0] p_newref = (p_bid != 31'd0 && p_ask != 31'd0) ? p_mid
                     : p_last != 31'd0 ? p_last : p_host;
wire p_is_ref = in_kind == TG_RISK_IN_REF;
wire [30:0] p_price_used = p_is_ref ? p_newref : refp[p_k];

// share counts multiplied by the price: x1 always, x2 for fills and REF
reg signed [SH-1:0] p_x1, p_x2;
always @* begin
    p_x1 = {SH{1'b0}};
    p_x2 = {SH{1'b0}};
    case (in_kind)
        TG_RISK_IN_NEW: p_x1 = {{(SH-24){1'b0}}, p_qty};
        TG_RISK_IN_REPLACE: p_x1 = p_qty > p_rem ? {{(SH-24){1'b0}}, p_qty - p_rem} : {SH{1'b0}};
        TG_RISK_IN_FILL: begin
            p_x1 = {{(SH-24){1'b0}}, p_qty};
            p_x2 = {{(SH-24){1'b0}}, p_qty - p_fill_d};
        end
        TG_RISK_IN_RESTATE: p_x1 = $signed({{(SH-24){1'b0}}, p_rq}) - $signed({{(SH-24){1'b0}}, p_rem});
        TG_RISK_IN_REF: begin
            p_x1 = ls[p_k];
            p_x2 = ss[p_k];
        end
        default: ;
    endcase
end
wire signed [NW-1:0] p_m1 = $signed({{(NW-SH){p_x1[SH-1]}}, p_x1}) * $signed({{(NW-31){1'b0}}, p_price_used});
wire signed [NW-1:0] p_m2 = $signed({{(NW-SH){p_x2[SH-1]}}, p_x2}) * $signed({{(NW-31){1'b0}}, p_price_used});
wire [63:0] p_onot = {40'd0, p_qty} * {33'd0, in_price[30:0]};
wire [13:0] p_bps = a_bps[p_k];
wire [47:0] p_scaled = {17'd0, in_price[30:0]} * 48'd10000;
wire [47:0] p_hi = {17'd0, refp[p_k]} * ({34'd0, p_bps} + 48'd10000);
wire [47:0] p_lo = {17'd0, refp[p_k]} * (48'd10000 - {34'd0, p_bps});

// ------------------------------------------------------------------ D stage registers
reg         d_valid = 1'b0;
reg [3:0]   d_kind = 4'd0;
reg [1:0]   d_sub = 2'd0;
reg [7:0]   d_inst = 8'd0;
reg         d_inst_ok = 1'b0;
reg [IW-1:0] d_k = {IW{1'b0}};
reg [1:0]   d_side = 2'd0;
reg [4:0]   d_field = 5'd0;
reg [15:0]  d_slot = 16'd0;
reg         d_slot_ok = 1'b0;
reg [SW-1:0] d_si = {SW{1'b0}};
reg [31:0]  d_qty = 32'd0;
reg [31:0]  d_price = 32'd0;
reg [31:0]  d_price2 = 32'd0;
reg [63:0]  d_value = 64'd0;
reg [63:0]  d_t = 64'd0;
reg         d_matched = 1'b0;
reg [23:0]  d_fill_d = 24'd0;
reg [23:0]  d_rq = 24'd0;
reg [23:0]  d_grow = 24'd0;
reg [30:0]  d_newref = 31'd0;
reg signed [NW-1:0] d_m1 = {NW{1'b0}};
reg signed [NW-1:0] d_m2 = {NW{1'b0}};
reg [63:0]  d_onot = 64'd0;
reg [47:0]  d_scaled = 48'd0, d_hi = 48'd0, d_lo = 48'd0;

wire d_writes_slot = d_kind == TG_RISK_IN_NEW || d_kind == TG_RISK_IN_REPLACE
                  || (d_kind == TG_RISK_IN_FILL && !d_sub[0]) || d_kind == TG_RISK_IN_RESTATE;
wire p_reads_slot = in_kind == TG_RISK_IN_REPLACE || p_fill_slot || in_kind == TG_RISK_IN_RESTATE;
wire hazard = d_valid && (d_kind == TG_RISK_IN_REF || d_kind == TG_RISK_IN_COMMIT || p_is_ref
                          || (d_writes_slot && p_reads_slot && d_slot == in_slot));
assign in_ready = !hazard;

always @(posedge clk) begin
    d_valid <= in_valid && in_ready;
    if (in_valid && in_ready) begin
        d_kind <= in_kind;
        d_sub <= in_sub;
        d_inst <= in_inst;
        d_inst_ok <= p_inst_ok;
        d_k <= p_k;
        d_side <= in_side;
        d_field <= in_field;
        d_slot <= in_slot;
        d_slot_ok <= p_slot_ok;
        d_si <= p_si;
        d_qty <= in_qty;
        d_price <= in_price;
        d_price2 <= in_price2;
        d_value <= in_value;
        d_t <= in_t;
        d_matched <= p_matched;
        d_rq <= p_rq;
        d_fill_d <= p_fill_d;
        d_grow <= p_x1[23:0];
        d_newref <= p_newref;
        d_m1 <= p_m1;
        d_m2 <= p_m2;
        d_onot <= p_onot;
        d_scaled <= p_scaled;
        d_hi <= p_hi;
        d_lo <= p_lo;
    end
    if (rst) begin
        d_valid <= 1'b0;
    end
end

// ------------------------------------------------------------------ D stage: decide
function automatic signed [NW-1:0] absn(input signed [NW-1:0] x);
    absn = x < 0 ? -x : x;
endfunction

function automatic signed [NW-1:0] maxn(input signed [NW-1:0] a, input signed [NW-1:0] b);
    maxn = a > b ? a : b;
endfunction

wire [IW-1:0] k = d_k;
wire d_is_new = d_kind == TG_RISK_IN_NEW;
wire [1:0] d_oside = d_is_new ? d_side : sl_side[d_si];    // the order's side
wire d_buy = d_oside == TG_RISK_SIDE_BUY;
wire d_fields_ok = d_qty != 32'd0 && d_qty <= QTY_MAX && d_price != 32'd0 && d_price <= PRICE_MAX;
wire [23:0] grow = d_is_new ? d_qty[23:0] : d_grow;

// the instrument's measures if the order is accepted
wire signed [SH-1:0] l2 = d_buy ? ls[k] + $signed({{(SH-24){1'b0}}, grow}) : ls[k];
wire signed [SH-1:0] s2 = d_buy ? ss[k] : ss[k] - $signed({{(SH-24){1'b0}}, grow});
wire signed [NW-1:0] ln2 = d_buy ? ln[k] + d_m1 : ln[k];
wire signed [NW-1:0] sn2 = d_buy ? sn[k] : sn[k] - d_m1;
wire signed [NW-1:0] g_old = maxn(absn(ln[k]), absn(sn[k]));
wire signed [NW-1:0] g_new = maxn(absn(ln2), absn(sn2));
wire signed [NW-1:0] gross2 = gross - g_old + g_new;
wire signed [NW-1:0] net2 = d_buy ? netl + d_m1 : d_m1 - nets;
wire signed [NW-1:0] lim_gross = $signed({{(NW-64){1'b0}}, a_gross});
wire signed [NW-1:0] lim_net = $signed({{(NW-64){1'b0}}, a_net});

wire rate_ok = a_rper[k] == 32'd0 || {1'b0, tat[k]} <= {1'b0, d_t} + {33'd0, a_rtol[k]};
wire rate_all_ok = a_rpera == 32'd0 || {1'b0, tat_all} <= {1'b0, d_t} + {33'd0, a_rtola};
wire dup = a_dupw[k] != 32'd0 && dv[k] && dside[k] == d_oside && {8'd0, dqty[k]} == d_qty
        && {1'b0, dprice[k]} == d_price && d_t - dt[k] < {32'd0, a_dupw[k]};

// Every check is a flag computed in parallel; the reason is the first flag
// set in the golden model's order of checks (sw/risk.c), and the decision
// is "no flag set", so no check waits on another.
//
// the order checks (check_order in sw/risk.c), reasons MAX_ORDER_QTY (bit 0)
// to DUPLICATE (bit 13), which are consecutive codes
wire [13:0] order_fail = {
    dup,
    !rate_all_ok,
    !rate_ok,
    d_is_new && nopen_all >= a_opena,
    d_is_new && nopen[k] >= a_maxo[k],
    grow != 24'd0 && d_m1 > 0 && net2 > lim_net,
    grow != 24'd0 && g_new > g_old && gross2 > lim_gross,
    grow != 24'd0 && !d_buy && -s2 > $signed({{(SH-32){1'b0}}, a_maxs[k]}),
    grow != 24'd0 && d_buy && l2 > $signed({{(SH-32){1'b0}}, a_maxl[k]}),
    grow != 24'd0 && a_ro[k] && (d_buy ? l2 > 0 : s2 < 0),
    refp[k] != 31'd0 && (d_scaled > d_hi || d_scaled < d_lo),
    refp[k] == 31'd0 && a_noref,
    d_onot > a_maxn[k],
    d_qty > a_maxq[k]
};

// the checks in front of them, per kind: {fail flag, reason} pairs, first first
wire inst_halted = hfeed[k] || hhost[k];
wire slot_open = d_slot_ok && sl_open[d_si];
localparam integer NPRE = 7;
reg [NPRE-1:0] pre_fail;
reg [5*NPRE-1:0] pre_code;
reg pre_then_orders;                       // NEW and REPLACE go on to order_fail
always @* begin
    pre_fail = {NPRE{1'b0}};
    pre_code = {5*NPRE{1'b0}};
    pre_then_orders = 1'b0;
    case (d_kind)
        TG_RISK_IN_NEW: begin
            pre_fail = {sl_open[d_si], !d_fields_ok || !d_slot_ok, inst_halted, !a_en[k], ikill[k],
                        !d_inst_ok, kill_all};
            pre_code = {TG_RISK_R_SLOT_BUSY, TG_RISK_R_BAD_ORDER, TG_RISK_R_HALTED, TG_RISK_R_NOT_ENABLED,
                        TG_RISK_R_INSTRUMENT_KILLED, TG_RISK_R_NOT_ENABLED, TG_RISK_R_KILLED};
            pre_then_orders = 1'b1;
        end
        TG_RISK_IN_REPLACE: begin
            pre_fail = {!d_fields_ok, inst_halted, !a_en[k], ikill[k], !sl_open[d_si], !d_slot_ok, kill_all};
            pre_code = {TG_RISK_R_BAD_ORDER, TG_RISK_R_HALTED, TG_RISK_R_NOT_ENABLED, TG_RISK_R_INSTRUMENT_KILLED,
                        TG_RISK_R_UNKNOWN_ORDER, TG_RISK_R_BAD_ORDER, TG_RISK_R_KILLED};
            pre_then_orders = 1'b1;
        end
        TG_RISK_IN_CANCEL: begin
            pre_fail = {4'd0, d_qty >= {8'd0, sl_rem[d_si]}, !sl_open[d_si], !d_slot_ok};
            pre_code = {20'd0, TG_RISK_R_BAD_ORDER, TG_RISK_R_UNKNOWN_ORDER, TG_RISK_R_BAD_ORDER};
        end
        default: ;
    endcase
end

reg [4:0] reason;
integer c;
always @* begin
    reason = TG_RISK_R_ACCEPTED;
    if (pre_then_orders) begin
        for (c = 13; c >= 0; c = c - 1) begin
            if (order_fail[c]) begin
                reason = TG_RISK_R_MAX_ORDER_QTY + c[4:0];
            end
        end
    end
    for (c = NPRE - 1; c >= 0; c = c - 1) begin
        if (pre_fail[c]) begin
            reason = pre_code[5*c +: 5];
        end
    end
end

wire d_decided = d_kind == TG_RISK_IN_NEW || d_kind == TG_RISK_IN_CANCEL || d_kind == TG_RISK_IN_REPLACE;
wire d_accept = d_valid && d_decided && pre_fail == {NPRE{1'b0}}
             && !(pre_then_orders && order_fail != 14'd0);
wire d_takes = d_accept && d_kind != TG_RISK_IN_CANCEL;     // NEW or REPLACE

// inputs that are out of range change nothing and are counted
wire fill_ok = d_inst_ok && d_qty != 32'd0 && d_qty <= QTY_MAX && !d_sub[1];
wire d_bust = d_sub[0];                    // FILL sub 1: reverse an execution
// the side the position moves to: the execution's, or against it for a bust
wire fill_up = (d_side == TG_RISK_SIDE_BUY) != d_bust;
wire restate_ok = d_slot_ok && d_qty <= QTY_MAX && !d_sub[1];
wire ref_ok = d_inst_ok && d_sub != 2'd3 && d_price <= PRICE_MAX && d_price2 <= PRICE_MAX;

reg set_ok;
reg [63:0] set_max;
always @* begin
    set_ok = 1'b1;
    set_max = 64'hffff_ffff_ffff_ffff;
    case (d_field)
        TG_RISK_LIM_ENABLED, TG_RISK_LIM_REDUCE_ONLY, TG_RISK_LIM_NO_REF_REJECT: set_max = 64'd1;
        TG_RISK_LIM_MAX_ORDER_QTY, TG_RISK_LIM_MAX_LONG, TG_RISK_LIM_MAX_SHORT,
        TG_RISK_LIM_RATE_PERIOD, TG_RISK_LIM_RATE_TOLERANCE, TG_RISK_LIM_DUP_WINDOW,
        TG_RISK_LIM_RATE_PERIOD_ALL, TG_RISK_LIM_RATE_TOLERANCE_ALL: set_max = 64'hffff_ffff;
        TG_RISK_LIM_MAX_ORDER_NOTIONAL, TG_RISK_LIM_MAX_GROSS, TG_RISK_LIM_MAX_NET: ;
        TG_RISK_LIM_COLLAR_BPS: set_max = 64'd10000;
        TG_RISK_LIM_MAX_OPEN, TG_RISK_LIM_MAX_OPEN_ALL: set_max = 64'hffff;
        default: set_ok = 1'b0;
    endcase
    if (d_field < 5'd16 && !d_inst_ok) begin
        set_ok = 1'b0;
    end
    if (d_value > set_max) begin
        set_ok = 1'b0;
    end
end

// fills, restatements and reference prices: share and notional deltas of the
// affected instrument. These do not depend on a decision; an accepted order's
// state is l2/s2/ln2/sn2/gross2 above, so the decision only enables the write.
reg signed [SH-1:0] upd_dl, upd_ds, upd_dpos;
reg signed [NW-1:0] upd_dln, upd_dsn;
reg upd_inst;                              // ls/ss/ln/sn of instrument k change
always @* begin
    upd_dl = {SH{1'b0}};
    upd_ds = {SH{1'b0}};
    upd_dpos = {SH{1'b0}};
    upd_dln = {NW{1'b0}};
    upd_dsn = {NW{1'b0}};
    upd_inst = 1'b0;
    case (d_kind)
        // a bust is never matched (d_fill_d 0): L, S and the position move
        // together, as for an execution of no open order on the other side
        TG_RISK_IN_FILL: if (fill_ok) begin
            upd_inst = 1'b1;
            if (fill_up) begin
                upd_dpos = $signed({{(SH-24){1'b0}}, d_qty[23:0]});
                upd_dl = $signed({{(SH-24){1'b0}}, d_qty[23:0] - d_fill_d});
                upd_ds = $signed({{(SH-24){1'b0}}, d_qty[23:0]});
                upd_dln = d_m2;
                upd_dsn = d_m1;
            end else begin
                upd_dpos = -$signed({{(SH-24){1'b0}}, d_qty[23:0]});
                upd_ds = -$signed({{(SH-24){1'b0}}, d_qty[23:0] - d_fill_d});
                upd_dl = -$signed({{(SH-24){1'b0}}, d_qty[23:0]});
                upd_dsn = -d_m2;
                upd_dln = -d_m1;
            end
        end
        TG_RISK_IN_RESTATE: if (restate_ok && slot_open) begin
            upd_inst = 1'b1;
            if (sl_side[d_si] == TG_RISK_SIDE_BUY) begin
                upd_dl = $signed({{(SH-24){1'b0}}, d_rq}) - $signed({{(SH-24){1'b0}}, sl_rem[d_si]});
                upd_dln = d_m1;
            end else begin
                upd_ds = $signed({{(SH-24){1'b0}}, sl_rem[d_si]}) - $signed({{(SH-24){1'b0}}, d_rq});
                upd_dsn = -d_m1;
            end
        end
        TG_RISK_IN_REF: if (ref_ok) begin
            upd_inst = 1'b1;
            upd_dln = d_m1 - ln[k];
            upd_dsn = d_m2 - sn[k];
        end
        default: ;
    endcase
end
wire signed [NW-1:0] ln_next = ln[k] + upd_dln;
wire signed [NW-1:0] sn_next = sn[k] + upd_dsn;
wire signed [NW-1:0] g_next = maxn(absn(ln_next), absn(sn_next));

// a slot's open quantity after a fill or restatement, and whether it closes
wire [23:0] rem_fill = sl_rem[d_si] - d_fill_d;
wire slot_closes = (d_kind == TG_RISK_IN_FILL && fill_ok && d_matched && rem_fill == 24'd0)
                || (d_kind == TG_RISK_IN_RESTATE && restate_ok && slot_open && d_rq == 24'd0);

always @(posedge clk) begin
    out_valid <= d_valid && d_decided;
    out_kind <= d_kind;
    out_reason <= reason;
    out_slot <= d_slot;
    out_inst <= d_is_new ? d_inst : {{(8-IW){1'b0}}, sl_inst[d_si]};
    out_side <= d_oside;
    out_qty <= d_qty;
    out_price <= d_price;
    out_grow <= d_kind == TG_RISK_IN_REPLACE ? d_grow : 24'd0;

    if (d_valid) begin
        if (upd_inst) begin
            ls[k] <= ls[k] + upd_dl;
            ss[k] <= ss[k] + upd_ds;
            pos[k] <= pos[k] + upd_dpos;
            ln[k] <= ln_next;
            sn[k] <= sn_next;
            gross <= gross - g_old + g_next;
            netl <= netl + upd_dln;
            nets <= nets + upd_dsn;
        end
        if (d_takes) begin
            ls[k] <= l2;
            ss[k] <= s2;
            ln[k] <= ln2;
            sn[k] <= sn2;
            gross <= gross2;
            if (d_buy) begin
                netl <= netl + d_m1;
            end else begin
                nets <= nets - d_m1;
            end
            tat[k] <= a_rper[k] == 32'd0 ? tat[k] : (tat[k] > d_t ? tat[k] : d_t) + {32'd0, a_rper[k]};
            tat_all <= a_rpera == 32'd0 ? tat_all : (tat_all > d_t ? tat_all : d_t) + {32'd0, a_rpera};
            dv[k] <= 1'b1;
            dside[k] <= d_oside;
            dqty[k] <= d_qty[23:0];
            dprice[k] <= d_price[30:0];
            dt[k] <= d_t;
            sl_price[d_si] <= d_price[30:0];
            if (d_is_new) begin
                sl_open[d_si] <= 1'b1;
                sl_inst[d_si] <= k;
                sl_side[d_si] <= d_side;
                sl_rem[d_si] <= d_qty[23:0];
                nopen[k] <= nopen[k] + 16'd1;
                nopen_all <= nopen_all + 16'd1;
            end else begin
                sl_rem[d_si] <= sl_rem[d_si] + d_grow;
            end
        end
        case (d_kind)
            TG_RISK_IN_FILL:
                if (!fill_ok) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else if (!d_bust) begin    // a bust names no slot
                    if (!d_matched) begin
                        unmatched <= unmatched + 64'd1;
                    end else begin
                        sl_rem[d_si] <= rem_fill;
                    end
                end
            TG_RISK_IN_RESTATE:
                if (!restate_ok) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else if (!slot_open) begin
                    unmatched <= unmatched + 64'd1;
                end else begin
                    sl_rem[d_si] <= d_rq;
                end
            TG_RISK_IN_REF:
                if (!ref_ok) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else begin
                    case (d_sub)
                        2'd0: begin
                            src_bid[k] <= d_price[30:0];
                            src_ask[k] <= d_price2[30:0];
                        end
                        2'd1: src_last[k] <= d_price[30:0];
                        default: src_host[k] <= d_price[30:0];
                    endcase
                    refp[k] <= d_newref;
                end
            TG_RISK_IN_HALT:
                if (!d_inst_ok || d_sub > 2'd1) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else if (d_sub == 2'd0) begin
                    hfeed[k] <= d_qty[0];
                end else begin
                    hhost[k] <= d_qty[0];
                end
            TG_RISK_IN_KILL:
                if (d_sub == 2'd0) begin
                    kill_all <= d_qty[0];
                end else if (d_sub == 2'd1 && d_inst_ok) begin
                    ikill[k] <= d_qty[0];
                end else begin
                    bad_inputs <= bad_inputs + 64'd1;
                end
            TG_RISK_IN_SET:
                if (!set_ok) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else begin
                    case (d_field)
                        TG_RISK_LIM_ENABLED: s_en[k] <= d_value[0];
                        TG_RISK_LIM_REDUCE_ONLY: s_ro[k] <= d_value[0];
                        TG_RISK_LIM_MAX_ORDER_QTY: s_maxq[k] <= d_value[31:0];
                        TG_RISK_LIM_MAX_ORDER_NOTIONAL: s_maxn[k] <= d_value;
                        TG_RISK_LIM_COLLAR_BPS: s_bps[k] <= d_value[13:0];
                        TG_RISK_LIM_MAX_LONG: s_maxl[k] <= d_value[31:0];
                        TG_RISK_LIM_MAX_SHORT: s_maxs[k] <= d_value[31:0];
                        TG_RISK_LIM_MAX_OPEN: s_maxo[k] <= d_value[15:0];
                        TG_RISK_LIM_RATE_PERIOD: s_rper[k] <= d_value[31:0];
                        TG_RISK_LIM_RATE_TOLERANCE: s_rtol[k] <= d_value[31:0];
                        TG_RISK_LIM_DUP_WINDOW: s_dupw[k] <= d_value[31:0];
                        TG_RISK_LIM_MAX_GROSS: s_gross <= d_value;
                        TG_RISK_LIM_MAX_NET: s_net <= d_value;
                        TG_RISK_LIM_MAX_OPEN_ALL: s_opena <= d_value[15:0];
                        TG_RISK_LIM_RATE_PERIOD_ALL: s_rpera <= d_value[31:0];
                        TG_RISK_LIM_RATE_TOLERANCE_ALL: s_rtola <= d_value[31:0];
                        TG_RISK_LIM_NO_REF_REJECT: s_noref <= d_value[0];
                        default: ;
                    endcase
                end
            TG_RISK_IN_COMMIT: begin
                for (i = 0; i < INSTRUMENTS; i = i + 1) begin
                    a_en[i] <= s_en[i];
                    a_ro[i] <= s_ro[i];
                    a_maxq[i] <= s_maxq[i];
                    a_maxn[i] <= s_maxn[i];
                    a_bps[i] <= s_bps[i];
                    a_maxl[i] <= s_maxl[i];
                    a_maxs[i] <= s_maxs[i];
                    a_maxo[i] <= s_maxo[i];
                    a_rper[i] <= s_rper[i];
                    a_rtol[i] <= s_rtol[i];
                    a_dupw[i] <= s_dupw[i];
                end
                a_gross <= s_gross;
                a_net <= s_net;
                a_opena <= s_opena;
                a_rpera <= s_rpera;
                a_rtola <= s_rtola;
                a_noref <= s_noref;
            end
            TG_RISK_IN_NEW, TG_RISK_IN_CANCEL, TG_RISK_IN_REPLACE: ;
            default: bad_inputs <= bad_inputs + 64'd1;
        endcase
        if (slot_closes) begin
            sl_open[d_si] <= 1'b0;
            nopen[sl_inst[d_si]] <= nopen[sl_inst[d_si]] - 16'd1;
            nopen_all <= nopen_all - 16'd1;
        end
    end

    if (rst) begin
        out_valid <= 1'b0;
    end
end

// decisions by reason, counted from the registered decision
always @(posedge clk) begin
    if (out_valid) begin
        decided[out_reason] <= decided[out_reason] + 64'd1;
    end
end

// ------------------------------------------------------------------ read-back
wire [IW-1:0] ri = rd_inst[IW-1:0];
wire [SW-1:0] rs = rd_slot[SW-1:0];
reg [63:0] lim_rd;
always @* begin
    case (rd_field)
        TG_RISK_LIM_ENABLED: lim_rd = {63'd0, rd_shadow ? s_en[ri] : a_en[ri]};
        TG_RISK_LIM_REDUCE_ONLY: lim_rd = {63'd0, rd_shadow ? s_ro[ri] : a_ro[ri]};
        TG_RISK_LIM_MAX_ORDER_QTY: lim_rd = {32'd0, rd_shadow ? s_maxq[ri] : a_maxq[ri]};
        TG_RISK_LIM_MAX_ORDER_NOTIONAL: lim_rd = rd_shadow ? s_maxn[ri] : a_maxn[ri];
        TG_RISK_LIM_COLLAR_BPS: lim_rd = {50'd0, rd_shadow ? s_bps[ri] : a_bps[ri]};
        TG_RISK_LIM_MAX_LONG: lim_rd = {32'd0, rd_shadow ? s_maxl[ri] : a_maxl[ri]};
        TG_RISK_LIM_MAX_SHORT: lim_rd = {32'd0, rd_shadow ? s_maxs[ri] : a_maxs[ri]};
        TG_RISK_LIM_MAX_OPEN: lim_rd = {48'd0, rd_shadow ? s_maxo[ri] : a_maxo[ri]};
        TG_RISK_LIM_RATE_PERIOD: lim_rd = {32'd0, rd_shadow ? s_rper[ri] : a_rper[ri]};
        TG_RISK_LIM_RATE_TOLERANCE: lim_rd = {32'd0, rd_shadow ? s_rtol[ri] : a_rtol[ri]};
        TG_RISK_LIM_DUP_WINDOW: lim_rd = {32'd0, rd_shadow ? s_dupw[ri] : a_dupw[ri]};
        TG_RISK_LIM_MAX_GROSS: lim_rd = rd_shadow ? s_gross : a_gross;
        TG_RISK_LIM_MAX_NET: lim_rd = rd_shadow ? s_net : a_net;
        TG_RISK_LIM_MAX_OPEN_ALL: lim_rd = {48'd0, rd_shadow ? s_opena : a_opena};
        TG_RISK_LIM_RATE_PERIOD_ALL: lim_rd = {32'd0, rd_shadow ? s_rpera : a_rpera};
        TG_RISK_LIM_RATE_TOLERANCE_ALL: lim_rd = {32'd0, rd_shadow ? s_rtola : a_rtola};
        TG_RISK_LIM_NO_REF_REJECT: lim_rd = {63'd0, rd_shadow ? s_noref : a_noref};
        default: lim_rd = 64'd0;
    endcase
end
assign rd_limit = lim_rd;
assign rd_position = {{(64-SH){pos[ri][SH-1]}}, pos[ri]};
assign rd_open_buy = {{(64-SH){1'b0}}, ls[ri] - pos[ri]};
assign rd_open_sell = {{(64-SH){1'b0}}, pos[ri] - ss[ri]};
assign rd_open_orders = nopen[ri];
assign rd_ref_price = {1'b0, refp[ri]};
assign rd_flags = {ikill[ri], hhost[ri], hfeed[ri], dv[ri]};
assign rd_rate_tat = tat[ri];
assign rd_ln = {{(128-NW){ln[ri][NW-1]}}, ln[ri]};
assign rd_sn = {{(128-NW){sn[ri][NW-1]}}, sn[ri]};
assign rd_slot_open = sl_open[rs];
assign rd_slot_inst = {{(8-IW){1'b0}}, sl_inst[rs]};
assign rd_slot_side = sl_side[rs];
assign rd_slot_rem = {8'd0, sl_rem[rs]};
assign rd_slot_price = {1'b0, sl_price[rs]};
assign rd_gross = {{(128-NW){gross[NW-1]}}, gross};
assign rd_net_long = {{(128-NW){netl[NW-1]}}, netl};
assign rd_net_short = {{(128-NW){nets[NW-1]}}, nets};
assign rd_open_all = nopen_all;
assign rd_killed = kill_all;
assign rd_rate_tat_all = tat_all;
assign rd_decided = decided[rd_reason];
assign rd_bad_inputs = bad_inputs;
assign rd_unmatched = unmatched;
wire [SW-1:0] sweep_si = sweep_slot[SW-1:0];
assign sweep_slot_open = {16'd0, sweep_slot} < SLOTS && sl_open[sweep_si];

endmodule

`resetall
