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


// exposure bookkeeping for the checks (see stage C): per instrument g, A, B;
// every total's room under its limit, after D (x_) and after the order in D
// if it is accepted (xa_)
reg signed [NW-1:0] eg [0:INSTRUMENTS-1];
reg signed [NW-1:0] ea [0:INSTRUMENTS-1];
reg signed [NW-1:0] eb [0:INSTRUMENTS-1];
reg signed [NW:0] x_gross = {(NW+1){1'b0}}, xa_gross = {(NW+1){1'b0}};
reg signed [NW:0] x_netl = {(NW+1){1'b0}}, xa_netl = {(NW+1){1'b0}};
reg signed [NW:0] x_nets = {(NW+1){1'b0}}, xa_nets = {(NW+1){1'b0}};
reg [63:0]  xa_tat_all = 64'd0;
// stages U1..U4 (after a FILL, RESTATE, REF or COMMIT)
reg         u1_valid = 1'b0, u2_valid = 1'b0, u3_valid = 1'b0, u4_valid = 1'b0;
reg         u1_inst = 1'b0, u2_inst = 1'b0, u3_inst = 1'b0;
reg [IW-1:0] u1_k = {IW{1'b0}}, u2_k = {IW{1'b0}}, u3_k = {IW{1'b0}};
reg signed [NW:0] u2_u = {(NW+1){1'b0}};
reg signed [NW-1:0] u2_nsn = {NW{1'b0}}, u2_ln = {NW{1'b0}};
reg signed [NW-1:0] u3_g = {NW{1'b0}};

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
        eg[i] = {NW{1'b0}}; ea[i] = {NW{1'b0}}; eb[i] = {NW{1'b0}};
    end
    for (i = 0; i < SLOTS; i = i + 1) begin
        sl_open[i] = 1'b0; sl_inst[i] = {IW{1'b0}}; sl_side[i] = 2'd0;
        sl_rem[i] = 24'd0; sl_price[i] = 31'd0;
    end
    for (i = 0; i < 32; i = i + 1) begin
        decided[i] = 64'd0;
    end
end

// ------------------------------------------------------------------ stage A: the input cycle
// Reads what the products need: the order slot, the instrument's reference
// price and collar, and for a REF the share counts and price sources.
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

// share counts to be multiplied by the price: x1 always, x2 for fills and REF
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

// what may enter now (see the pipeline comment at the top)
wire p_order = in_kind == TG_RISK_IN_NEW || in_kind == TG_RISK_IN_CANCEL || in_kind == TG_RISK_IN_REPLACE;
wire p_takes = in_kind == TG_RISK_IN_NEW || in_kind == TG_RISK_IN_REPLACE;
wire p_heavy = in_kind == TG_RISK_IN_FILL || in_kind == TG_RISK_IN_RESTATE || p_is_ref
            || in_kind == TG_RISK_IN_COMMIT;
wire p_light = in_kind == TG_RISK_IN_HALT || in_kind == TG_RISK_IN_KILL;
wire p_reads_slot = p_order || p_fill_slot || in_kind == TG_RISK_IN_RESTATE;

// in flight, by stage: M (multiply), C (instrument checks), E (exposure), D (decide)
reg         m_valid = 1'b0, c_valid = 1'b0, e_valid = 1'b0, d_valid = 1'b0;
reg [3:0]   m_kind = 4'd0, c_kind = 4'd0, e_kind = 4'd0, d_kind = 4'd0;
reg [IW-1:0] m_k = {IW{1'b0}}, c_k = {IW{1'b0}}, e_k = {IW{1'b0}}, d_k = {IW{1'b0}};
reg [15:0]  m_slot = 16'd0, c_slot = 16'd0, e_slot = 16'd0, d_slot = 16'd0;
reg [2:0]   blk = 3'd0;                    // cycles nothing may enter after a state input

function automatic takes_kind(input v, input [3:0] kind);
    takes_kind = v && (kind == TG_RISK_IN_NEW || kind == TG_RISK_IN_REPLACE);
endfunction

wire m_tk = takes_kind(m_valid, m_kind);
wire c_tk = takes_kind(c_valid, c_kind);
wire e_tk = takes_kind(e_valid, e_kind);
wire d_tk = takes_kind(d_valid, d_kind);
wire haz_slot = p_reads_slot && ((m_tk && m_slot == in_slot) || (c_tk && c_slot == in_slot)
                                || (e_tk && e_slot == in_slot) || (d_tk && d_slot == in_slot));
wire haz_inst = p_takes && ((m_tk && m_k == p_k) || (c_tk && c_k == p_k));
wire haz_ref = p_is_ref && ((m_tk && m_k == p_k) || (c_tk && c_k == p_k)
                            || (e_tk && e_k == p_k) || (d_tk && d_k == p_k));
assign in_ready = blk == 3'd0 && !haz_slot && !haz_inst && !haz_ref;
wire p_go = in_valid && in_ready;

// ------------------------------------------------------------------ stage M: products
reg [1:0]   m_sub = 2'd0;
reg [7:0]   m_inst = 8'd0;
reg         m_inst_ok = 1'b0;
reg [1:0]   m_side = 2'd0;
reg [4:0]   m_field = 5'd0;
reg         m_slot_ok = 1'b0;
reg [SW-1:0] m_si = {SW{1'b0}};
reg [31:0]  m_qty = 32'd0, m_price = 32'd0, m_price2 = 32'd0;
reg [63:0]  m_value = 64'd0, m_t = 64'd0;
reg         m_matched = 1'b0;
reg [23:0]  m_fill_d = 24'd0, m_rq = 24'd0, m_grow = 24'd0;
reg [30:0]  m_newref = 31'd0, m_pu = 31'd0, m_refp = 31'd0;
reg [13:0]  m_bps = 14'd0;
reg signed [SH-1:0] m_x1 = {SH{1'b0}}, m_x2 = {SH{1'b0}};
reg         m_sopen = 1'b0;
reg [IW-1:0] m_sinst = {IW{1'b0}};
reg [1:0]   m_sside = 2'd0;
reg [23:0]  m_srem = 24'd0;

always @(posedge clk) begin
    m_valid <= p_go;
    if (p_go) begin
        m_kind <= in_kind;
        m_sub <= in_sub;
        m_inst <= in_inst;
        m_inst_ok <= p_inst_ok;
        m_k <= p_k;
        m_side <= in_side;
        m_field <= in_field;
        m_slot <= in_slot;
        m_slot_ok <= p_slot_ok;
        m_si <= p_si;
        m_qty <= in_qty;
        m_price <= in_price;
        m_price2 <= in_price2;
        m_value <= in_value;
        m_t <= in_t;
        m_matched <= p_matched;
        m_fill_d <= p_fill_d;
        m_rq <= p_rq;
        m_grow <= in_kind == TG_RISK_IN_NEW ? p_qty : p_x1[23:0];
        m_newref <= p_newref;
        m_pu <= p_is_ref ? p_newref : refp[p_k];
        m_refp <= refp[p_k];
        m_bps <= a_bps[p_k];
        m_x1 <= p_x1;
        m_x2 <= p_x2;
        m_sopen <= sl_open[p_si];
        m_sinst <= sl_inst[p_si];
        m_sside <= sl_side[p_si];
        m_srem <= p_rem;
    end
    if (p_go) begin
        blk <= p_heavy ? 3'd5 : p_light ? 3'd2 : 3'd0;
    end else if (blk != 3'd0) begin
        blk <= blk - 3'd1;
    end
    if (rst) begin
        m_valid <= 1'b0;
        blk <= 3'd0;
    end
end

// every product from registers into registers (the DSPs' own)
wire signed [NW-1:0] m_m1 = $signed({{(NW-SH){m_x1[SH-1]}}, m_x1}) * $signed({{(NW-31){1'b0}}, m_pu});
wire signed [NW-1:0] m_m2 = $signed({{(NW-SH){m_x2[SH-1]}}, m_x2}) * $signed({{(NW-31){1'b0}}, m_pu});
wire [63:0] m_onot = {40'd0, m_qty[23:0]} * {33'd0, m_price[30:0]};
wire [47:0] m_scaled = {17'd0, m_price[30:0]} * 48'd10000;
wire [47:0] m_hi = {17'd0, m_refp} * ({34'd0, m_bps} + 48'd10000);
wire [47:0] m_lo = {17'd0, m_refp} * (48'd10000 - {34'd0, m_bps});

// ------------------------------------------------------------------ stage C: the instrument's checks
reg [1:0]   c_sub = 2'd0;
reg [7:0]   c_inst = 8'd0;
reg         c_inst_ok = 1'b0;
reg [1:0]   c_side = 2'd0;
reg [4:0]   c_field = 5'd0;
reg         c_slot_ok = 1'b0;
reg [SW-1:0] c_si = {SW{1'b0}};
reg [31:0]  c_qty = 32'd0, c_price = 32'd0, c_price2 = 32'd0;
reg [63:0]  c_value = 64'd0, c_t = 64'd0;
reg         c_matched = 1'b0;
reg [23:0]  c_fill_d = 24'd0, c_rq = 24'd0, c_grow = 24'd0;
reg [30:0]  c_newref = 31'd0, c_refp = 31'd0;
reg         c_sopen = 1'b0;
reg [IW-1:0] c_sinst = {IW{1'b0}};
reg [1:0]   c_sside = 2'd0;
reg [23:0]  c_srem = 24'd0;
reg signed [NW-1:0] c_m1 = {NW{1'b0}}, c_m2 = {NW{1'b0}};
reg [63:0]  c_onot = 64'd0;
reg [47:0]  c_scaled = 48'd0, c_hi = 48'd0, c_lo = 48'd0;

always @(posedge clk) begin
    c_valid <= m_valid;
    if (m_valid) begin
        c_kind <= m_kind;
        c_sub <= m_sub;
        c_inst <= m_inst;
        c_inst_ok <= m_inst_ok;
        c_k <= m_k;
        c_side <= m_side;
        c_field <= m_field;
        c_slot <= m_slot;
        c_slot_ok <= m_slot_ok;
        c_si <= m_si;
        c_qty <= m_qty;
        c_price <= m_price;
        c_price2 <= m_price2;
        c_value <= m_value;
        c_t <= m_t;
        c_matched <= m_matched;
        c_fill_d <= m_fill_d;
        c_rq <= m_rq;
        c_grow <= m_grow;
        c_newref <= m_newref;
        c_refp <= m_refp;
        c_sopen <= m_sopen;
        c_sinst <= m_sinst;
        c_sside <= m_sside;
        c_srem <= m_srem;
        c_m1 <= m_m1;
        c_m2 <= m_m2;
        c_onot <= m_onot;
        c_scaled <= m_scaled;
        c_hi <= m_hi;
        c_lo <= m_lo;
    end
    if (rst) begin
        c_valid <= 1'b0;
    end
end

wire [IW-1:0] k = c_k;
wire c_is_new = c_kind == TG_RISK_IN_NEW;
wire [1:0] c_oside = c_is_new ? c_side : c_sside;    // the order's side
wire c_buy = c_oside == TG_RISK_SIDE_BUY;
wire c_fields_ok = c_qty != 32'd0 && c_qty <= QTY_MAX && c_price != 32'd0 && c_price <= PRICE_MAX;
wire c_grows = c_grow != 24'd0;

// the instrument's share counts if the order is accepted
wire signed [SH-1:0] l2 = c_buy ? ls[k] + $signed({{(SH-24){1'b0}}, c_grow}) : ls[k];
wire signed [SH-1:0] s2 = c_buy ? ss[k] : ss[k] - $signed({{(SH-24){1'b0}}, c_grow});

wire rate_ok = a_rper[k] == 32'd0 || {1'b0, tat[k]} <= {1'b0, c_t} + {33'd0, a_rtol[k]};
wire dup = a_dupw[k] != 32'd0 && dv[k] && dside[k] == c_oside && {8'd0, dqty[k]} == c_qty
        && {1'b0, dprice[k]} == c_price && c_t - dt[k] < {32'd0, a_dupw[k]};

// The order checks (check_order in sw/risk.c), reasons MAX_ORDER_QTY (bit 0)
// to DUPLICATE (bit 13), which are consecutive codes. The ones on totals
// across instruments (bits 7, 8, 10, 12) are stage E's.
wire [13:0] c_order_fail = {
    dup,
    1'b0,
    !rate_ok,
    1'b0,
    c_is_new && nopen[k] >= a_maxo[k],
    1'b0,
    1'b0,
    c_grows && !c_buy && -s2 > $signed({{(SH-32){1'b0}}, a_maxs[k]}),
    c_grows && c_buy && l2 > $signed({{(SH-32){1'b0}}, a_maxl[k]}),
    c_grows && a_ro[k] && (c_buy ? l2 > 0 : s2 < 0),
    c_refp != 31'd0 && (c_scaled > c_hi || c_scaled < c_lo),
    c_refp == 31'd0 && a_noref,
    c_onot > a_maxn[k],
    c_qty > a_maxq[k]
};

// the checks in front of them, per kind: {fail flag, reason} pairs, first first
wire inst_halted = hfeed[k] || hhost[k];
localparam integer NPRE = 7;
reg [NPRE-1:0] pre_fail;
reg [5*NPRE-1:0] pre_code;
reg pre_then_orders;                       // NEW and REPLACE go on to the order checks
always @* begin
    pre_fail = {NPRE{1'b0}};
    pre_code = {5*NPRE{1'b0}};
    pre_then_orders = 1'b0;
    case (c_kind)
        TG_RISK_IN_NEW: begin
            pre_fail = {c_sopen, !c_fields_ok || !c_slot_ok, inst_halted, !a_en[k], ikill[k],
                        !c_inst_ok, kill_all};
            pre_code = {TG_RISK_R_SLOT_BUSY, TG_RISK_R_BAD_ORDER, TG_RISK_R_HALTED, TG_RISK_R_NOT_ENABLED,
                        TG_RISK_R_INSTRUMENT_KILLED, TG_RISK_R_NOT_ENABLED, TG_RISK_R_KILLED};
            pre_then_orders = 1'b1;
        end
        TG_RISK_IN_REPLACE: begin
            pre_fail = {!c_fields_ok, inst_halted, !a_en[k], ikill[k], !c_sopen, !c_slot_ok, kill_all};
            pre_code = {TG_RISK_R_BAD_ORDER, TG_RISK_R_HALTED, TG_RISK_R_NOT_ENABLED, TG_RISK_R_INSTRUMENT_KILLED,
                        TG_RISK_R_UNKNOWN_ORDER, TG_RISK_R_BAD_ORDER, TG_RISK_R_KILLED};
            pre_then_orders = 1'b1;
        end
        TG_RISK_IN_CANCEL: begin
            pre_fail = {4'd0, c_qty >= {8'd0, c_srem}, !c_sopen, !c_slot_ok};
            pre_code = {20'd0, TG_RISK_R_BAD_ORDER, TG_RISK_R_UNKNOWN_ORDER, TG_RISK_R_BAD_ORDER};
        end
        default: ;
    endcase
end

// the pre checks reduced to their reason now: only the first one set counts
reg [4:0] pre_reason;
integer c;
always @* begin
    pre_reason = TG_RISK_R_ACCEPTED;
    for (c = NPRE - 1; c >= 0; c = c - 1) begin
        if (pre_fail[c]) begin
            pre_reason = pre_code[5*c +: 5];
        end
    end
end

// gross exposure: an instrument's g = max(|ln|, |sn|) = max(ln, -sn) (ln >= sn
// always), A = g - ln and B = g + sn. A buy of notional m raises g by
// max(m - A, 0), a sell by max(m - B, 0); so stage E needs only dg = m - A
// (or B) against the room left under MAX_GROSS.
wire signed [NW:0] c_dg = $signed({c_m1[NW-1], c_m1}) - $signed({1'b0, c_buy ? ea[k] : eb[k]});
wire [63:0] c_tat_next = a_rper[k] == 32'd0 ? tat[k] : (tat[k] > c_t ? tat[k] : c_t) + {32'd0, a_rper[k]};

// ------------------------------------------------------------------ stage E: exposure across instruments
reg [1:0]   e_sub = 2'd0;
reg [7:0]   e_inst = 8'd0;
reg         e_inst_ok = 1'b0;
reg [1:0]   e_side = 2'd0, e_oside = 2'd0;
reg [4:0]   e_field = 5'd0;
reg         e_slot_ok = 1'b0;
reg [SW-1:0] e_si = {SW{1'b0}};
reg [31:0]  e_qty = 32'd0, e_price = 32'd0, e_price2 = 32'd0;
reg [63:0]  e_value = 64'd0, e_t = 64'd0;
reg         e_matched = 1'b0;
reg [23:0]  e_fill_d = 24'd0, e_rq = 24'd0, e_grow = 24'd0;
reg [30:0]  e_newref = 31'd0;
reg         e_sopen = 1'b0;
reg [IW-1:0] e_sinst = {IW{1'b0}};
reg [1:0]   e_sside = 2'd0;
reg [23:0]  e_srem = 24'd0;
reg signed [NW-1:0] e_m1 = {NW{1'b0}}, e_m2 = {NW{1'b0}};
reg [4:0]   e_pre_reason = 5'd0;
reg         e_then_orders = 1'b0;
reg [13:0]  e_order_fail = 14'd0;
reg signed [NW:0] e_dg = {(NW+1){1'b0}};
reg signed [NW-1:0] e_ab_other = {NW{1'b0}};   // B for a buy, A for a sell
reg signed [SH-1:0] e_l2 = {SH{1'b0}}, e_s2 = {SH{1'b0}};
reg [63:0]  e_tat_next = 64'd0;
reg [64:0]  e_t_tol_all = 65'd0;

always @(posedge clk) begin
    e_valid <= c_valid;
    if (c_valid) begin
        e_kind <= c_kind;
        e_sub <= c_sub;
        e_inst <= c_inst;
        e_inst_ok <= c_inst_ok;
        e_k <= c_k;
        e_side <= c_side;
        e_oside <= c_oside;
        e_field <= c_field;
        e_slot <= c_slot;
        e_slot_ok <= c_slot_ok;
        e_si <= c_si;
        e_qty <= c_qty;
        e_price <= c_price;
        e_price2 <= c_price2;
        e_value <= c_value;
        e_t <= c_t;
        e_matched <= c_matched;
        e_fill_d <= c_fill_d;
        e_rq <= c_rq;
        e_grow <= c_grow;
        e_newref <= c_newref;
        e_sopen <= c_sopen;
        e_sinst <= c_sinst;
        e_sside <= c_sside;
        e_srem <= c_srem;
        e_m1 <= c_m1;
        e_m2 <= c_m2;
        e_pre_reason <= pre_reason;
        e_then_orders <= pre_then_orders;
        e_order_fail <= pre_then_orders ? c_order_fail : 14'd0;
        e_dg <= c_dg;
        e_ab_other <= c_buy ? eb[k] : ea[k];
        e_l2 <= l2;
        e_s2 <= s2;
        e_tat_next <= c_tat_next;
        e_t_tol_all <= {1'b0, c_t} + {33'd0, a_rtola};
    end
    if (rst) begin
        e_valid <= 1'b0;
    end
end

// The totals' checks are made under both outcomes of the order ahead, in D
// now: x_* is a total's room after every input that left D, xa_* the room
// after the order in D too if it is accepted. D picks one by its decision.
wire e_buy = e_oside == TG_RISK_SIDE_BUY;
wire e_tk_now = takes_kind(e_valid, e_kind);
wire e_grows = e_grow != 24'd0;
wire e_dg_pos = !e_dg[NW] && e_dg != {(NW+1){1'b0}};
wire signed [NW:0] e_gup = e_tk_now && e_dg_pos ? e_dg : {(NW+1){1'b0}};          // g's rise
wire signed [NW:0] e_m = {e_m1[NW-1], e_m1};
wire signed [NW:0] e_mnl = e_tk_now && e_buy ? e_m : {(NW+1){1'b0}};
wire signed [NW:0] e_mns = e_tk_now && !e_buy ? e_m : {(NW+1){1'b0}};
wire e_m_pos = !e_m1[NW-1] && e_m1 != {NW{1'b0}};

function automatic [63:0] tat_after(input [63:0] tat_in, input [63:0] t, input [31:0] per, input takes);
    tat_after = !takes || per == 32'd0 ? tat_in : (tat_in > t ? tat_in : t) + {32'd0, per};
endfunction

// fail bits of the totals, as {rate_all, open_all, net, gross} at bits 12, 10, 8, 7
function automatic [13:0] global_fail(input gross_f, input net_f, input open_f, input rate_f);
    global_fail = {1'b0, rate_f, 1'b0, open_f, 1'b0, net_f, gross_f, 7'd0};
endfunction

wire e_gross_r = e_grows && e_dg_pos && e_dg > x_gross;
wire e_gross_a = e_grows && e_dg_pos && e_dg > xa_gross;
wire e_net_r = e_grows && e_m_pos && (e_buy ? e_m > x_netl : e_m > x_nets);
wire e_net_a = e_grows && e_m_pos && (e_buy ? e_m > xa_netl : e_m > xa_nets);
wire e_new = e_kind == TG_RISK_IN_NEW;
wire d_is_new_tk = d_valid && d_kind == TG_RISK_IN_NEW;
wire e_open_r = e_new && nopen_all >= a_opena;
wire e_open_a = e_new && {1'b0, nopen_all} + {16'd0, d_is_new_tk} >= {1'b0, a_opena};
wire e_rate_r = a_rpera != 32'd0 && {1'b0, tat_all} > e_t_tol_all;
wire e_rate_a = a_rpera != 32'd0 && {1'b0, xa_tat_all} > e_t_tol_all;
wire [13:0] e_fail_r = e_order_fail | (e_then_orders ? global_fail(e_gross_r, e_net_r, e_open_r, e_rate_r) : 14'd0);
wire [13:0] e_fail_a = e_order_fail | (e_then_orders ? global_fail(e_gross_a, e_net_a, e_open_a, e_rate_a) : 14'd0);

// the instrument's exposure measures if the order is accepted
wire signed [NW-1:0] e_ab_next = e_dg[NW] ? -e_dg[NW-1:0] : {NW{1'b0}};         // A (buy) or B (sell)
wire signed [NW-1:0] e_ab_other_next = e_ab_other + e_gup[NW-1:0];               // B (buy) or A (sell)

// fills, restatements and reference prices: share and notional deltas of the
// affected instrument (these inputs never share the pipeline with an order
// of their instrument ahead, so the state read here is settled)
wire e_fill_ok = e_inst_ok && e_qty != 32'd0 && e_qty <= QTY_MAX && !e_sub[1];
wire e_bust = e_sub[0];                    // FILL sub 1: reverse an execution
// the side the position moves to: the execution's, or against it for a bust
wire e_fill_up = (e_side == TG_RISK_SIDE_BUY) != e_bust;
wire e_restate_ok = e_slot_ok && e_qty <= QTY_MAX && !e_sub[1];
wire e_ref_ok = e_inst_ok && e_sub != 2'd3 && e_price <= PRICE_MAX && e_price2 <= PRICE_MAX;
wire e_slot_open = e_slot_ok && e_sopen;

reg signed [SH-1:0] upd_dl, upd_ds, upd_dpos;
reg signed [NW-1:0] upd_dln, upd_dsn;
reg upd_inst;                              // ls/ss/ln/sn of instrument e_k change
always @* begin
    upd_dl = {SH{1'b0}};
    upd_ds = {SH{1'b0}};
    upd_dpos = {SH{1'b0}};
    upd_dln = {NW{1'b0}};
    upd_dsn = {NW{1'b0}};
    upd_inst = 1'b0;
    case (e_kind)
        // a bust is never matched (fill_d 0): L, S and the position move
        // together, as for an execution of no open order on the other side
        TG_RISK_IN_FILL: if (e_fill_ok) begin
            upd_inst = 1'b1;
            if (e_fill_up) begin
                upd_dpos = $signed({{(SH-24){1'b0}}, e_qty[23:0]});
                upd_dl = $signed({{(SH-24){1'b0}}, e_qty[23:0] - e_fill_d});
                upd_ds = $signed({{(SH-24){1'b0}}, e_qty[23:0]});
                upd_dln = e_m2;
                upd_dsn = e_m1;
            end else begin
                upd_dpos = -$signed({{(SH-24){1'b0}}, e_qty[23:0]});
                upd_ds = -$signed({{(SH-24){1'b0}}, e_qty[23:0] - e_fill_d});
                upd_dl = -$signed({{(SH-24){1'b0}}, e_qty[23:0]});
                upd_dsn = -e_m2;
                upd_dln = -e_m1;
            end
        end
        TG_RISK_IN_RESTATE: if (e_restate_ok && e_slot_open) begin
            upd_inst = 1'b1;
            if (e_sside == TG_RISK_SIDE_BUY) begin
                upd_dl = $signed({{(SH-24){1'b0}}, e_rq}) - $signed({{(SH-24){1'b0}}, e_srem});
                upd_dln = e_m1;
            end else begin
                upd_ds = $signed({{(SH-24){1'b0}}, e_srem}) - $signed({{(SH-24){1'b0}}, e_rq});
                upd_dsn = -e_m1;
            end
        end
        TG_RISK_IN_REF: if (e_ref_ok) begin
            upd_inst = 1'b1;
            upd_dln = e_m1 - ln[e_k];
            upd_dsn = e_m2 - sn[e_k];
        end
        default: ;
    endcase
end

reg set_ok;
reg [63:0] set_max;
always @* begin
    set_ok = 1'b1;
    set_max = 64'hffff_ffff_ffff_ffff;
    case (e_field)
        TG_RISK_LIM_ENABLED, TG_RISK_LIM_REDUCE_ONLY, TG_RISK_LIM_NO_REF_REJECT: set_max = 64'd1;
        TG_RISK_LIM_MAX_ORDER_QTY, TG_RISK_LIM_MAX_LONG, TG_RISK_LIM_MAX_SHORT,
        TG_RISK_LIM_RATE_PERIOD, TG_RISK_LIM_RATE_TOLERANCE, TG_RISK_LIM_DUP_WINDOW,
        TG_RISK_LIM_RATE_PERIOD_ALL, TG_RISK_LIM_RATE_TOLERANCE_ALL: set_max = 64'hffff_ffff;
        TG_RISK_LIM_MAX_ORDER_NOTIONAL, TG_RISK_LIM_MAX_GROSS, TG_RISK_LIM_MAX_NET: ;
        TG_RISK_LIM_COLLAR_BPS: set_max = 64'd10000;
        TG_RISK_LIM_MAX_OPEN, TG_RISK_LIM_MAX_OPEN_ALL: set_max = 64'hffff;
        default: set_ok = 1'b0;
    endcase
    if (e_field < 5'd16 && !e_inst_ok) begin
        set_ok = 1'b0;
    end
    if (e_value > set_max) begin
        set_ok = 1'b0;
    end
end

// ------------------------------------------------------------------ stage D: decide and apply
reg [1:0]   d_sub = 2'd0;
reg         d_inst_ok = 1'b0;
reg [1:0]   d_side = 2'd0, d_oside = 2'd0;
reg [4:0]   d_field = 5'd0;
reg [SW-1:0] d_si = {SW{1'b0}};
reg [7:0]   d_out_inst = 8'd0;
reg [31:0]  d_qty = 32'd0, d_price = 32'd0;
reg [30:0]  d_price2 = 31'd0;
reg [63:0]  d_value = 64'd0, d_t = 64'd0;
reg [23:0]  d_grow = 24'd0, d_rq = 24'd0, d_rem_fill = 24'd0;
reg [30:0]  d_newref = 31'd0;
reg [IW-1:0] d_sinst = {IW{1'b0}};
reg [4:0]   d_pre_reason = 5'd0;
reg         d_then_orders = 1'b0;
reg [13:0]  d_fail_r = 14'd0, d_fail_a = 14'd0;
reg         d_acc_prev = 1'b0;             // the order decided last cycle took
reg signed [NW-1:0] d_m = {NW{1'b0}};
reg signed [NW-1:0] d_gup = {NW{1'b0}}, d_ab_next = {NW{1'b0}}, d_ab_other_next = {NW{1'b0}};
reg signed [SH-1:0] d_l2 = {SH{1'b0}}, d_s2 = {SH{1'b0}};
reg [63:0]  d_tat_next = 64'd0;
reg         d_upd_inst = 1'b0, d_fill_ok = 1'b0, d_bust = 1'b0, d_matched = 1'b0;
reg         d_restate_ok = 1'b0, d_ref_ok = 1'b0, d_slot_open = 1'b0, d_set_ok = 1'b0, d_closes = 1'b0;
reg signed [SH-1:0] d_dl = {SH{1'b0}}, d_ds = {SH{1'b0}}, d_dpos = {SH{1'b0}};
reg signed [NW-1:0] d_dln = {NW{1'b0}}, d_dsn = {NW{1'b0}};

wire [23:0] e_rem_fill = e_srem - e_fill_d;

always @(posedge clk) begin
    d_valid <= e_valid;
    if (e_valid) begin
        d_kind <= e_kind;
        d_sub <= e_sub;
        d_inst_ok <= e_inst_ok;
        d_k <= e_k;
        d_side <= e_side;
        d_oside <= e_oside;
        d_field <= e_field;
        d_slot <= e_slot;
        d_si <= e_si;
        d_out_inst <= e_kind == TG_RISK_IN_NEW ? e_inst : {{(8-IW){1'b0}}, e_sinst};
        d_qty <= e_qty;
        d_price <= e_price;
        d_price2 <= e_price2[30:0];
        d_value <= e_value;
        d_t <= e_t;
        d_grow <= e_grow;
        d_rq <= e_rq;
        d_rem_fill <= e_rem_fill;
        d_newref <= e_newref;
        d_sinst <= e_sinst;
        d_pre_reason <= e_pre_reason;
        d_then_orders <= e_then_orders;
        d_fail_r <= e_fail_r;
        d_fail_a <= e_fail_a;
        d_m <= e_m1;
        d_gup <= e_gup[NW-1:0];
        d_ab_next <= e_ab_next;
        d_ab_other_next <= e_ab_other_next;
        d_l2 <= e_l2;
        d_s2 <= e_s2;
        d_tat_next <= e_tat_next;
        d_upd_inst <= upd_inst;
        d_fill_ok <= e_fill_ok;
        d_bust <= e_bust;
        d_matched <= e_matched;
        d_restate_ok <= e_restate_ok;
        d_ref_ok <= e_ref_ok;
        d_slot_open <= e_slot_open;
        d_set_ok <= set_ok;
        d_closes <= (e_kind == TG_RISK_IN_FILL && e_fill_ok && e_matched && e_rem_fill == 24'd0)
                 || (e_kind == TG_RISK_IN_RESTATE && e_restate_ok && e_slot_open && e_rq == 24'd0);
        d_dl <= upd_dl;
        d_ds <= upd_ds;
        d_dpos <= upd_dpos;
        d_dln <= upd_dln;
        d_dsn <= upd_dsn;
    end
    if (rst) begin
        d_valid <= 1'b0;
    end
end

wire [13:0] order_fail = d_acc_prev ? d_fail_a : d_fail_r;
reg [4:0] reason;
integer b;
always @* begin
    reason = d_pre_reason;
    if (d_pre_reason == TG_RISK_R_ACCEPTED && d_then_orders) begin
        for (b = 13; b >= 0; b = b - 1) begin
            if (order_fail[b]) begin
                reason = TG_RISK_R_MAX_ORDER_QTY + b[4:0];
            end
        end
    end
end

wire d_decided = d_kind == TG_RISK_IN_NEW || d_kind == TG_RISK_IN_CANCEL || d_kind == TG_RISK_IN_REPLACE;
wire d_accept = d_valid && d_decided && d_pre_reason == TG_RISK_R_ACCEPTED
             && !(d_then_orders && order_fail != 14'd0);
wire d_takes = d_accept && d_kind != TG_RISK_IN_CANCEL;     // NEW or REPLACE
wire d_buy = d_oside == TG_RISK_SIDE_BUY;
wire d_is_new = d_kind == TG_RISK_IN_NEW;

// the totals' rooms for stage E's checks: x_ after D, xa_ after E's order too
// (taken from whichever outcome D's order has)
wire signed [NW:0] x_gross_next = d_takes ? xa_gross : x_gross;
wire signed [NW:0] x_netl_next = d_takes ? xa_netl : x_netl;
wire signed [NW:0] x_nets_next = d_takes ? xa_nets : x_nets;
wire [63:0] tat_all_next = d_takes ? xa_tat_all : tat_all;

always @(posedge clk) begin
    out_valid <= d_valid && d_decided;
    out_kind <= d_kind;
    out_reason <= reason;
    out_slot <= d_slot;
    out_inst <= d_out_inst;
    out_side <= d_oside;
    out_qty <= d_qty;
    out_price <= d_price;
    out_grow <= d_kind == TG_RISK_IN_REPLACE ? d_grow : 24'd0;
    d_acc_prev <= d_takes;

    x_gross <= x_gross_next;
    x_netl <= x_netl_next;
    x_nets <= x_nets_next;
    tat_all <= tat_all_next;
    // both outcomes worked out, then picked: the decision is late in the cycle
    xa_gross <= d_takes ? xa_gross - e_gup : x_gross - e_gup;
    xa_netl <= d_takes ? xa_netl - e_mnl : x_netl - e_mnl;
    xa_nets <= d_takes ? xa_nets - e_mns : x_nets - e_mns;
    xa_tat_all <= d_takes ? tat_after(xa_tat_all, e_t, a_rpera, e_tk_now)
                          : tat_after(tat_all, e_t, a_rpera, e_tk_now);

    if (d_takes) begin
        ls[d_k] <= d_l2;
        ss[d_k] <= d_s2;
        gross <= gross + d_gup;
        eg[d_k] <= eg[d_k] + d_gup;
        if (d_buy) begin
            ln[d_k] <= ln[d_k] + d_m;
            netl <= netl + d_m;
            ea[d_k] <= d_ab_next;
            eb[d_k] <= d_ab_other_next;
        end else begin
            sn[d_k] <= sn[d_k] - d_m;
            nets <= nets - d_m;
            eb[d_k] <= d_ab_next;
            ea[d_k] <= d_ab_other_next;
        end
        tat[d_k] <= d_tat_next;
        dv[d_k] <= 1'b1;
        dside[d_k] <= d_oside;
        dqty[d_k] <= d_qty[23:0];
        dprice[d_k] <= d_price[30:0];
        dt[d_k] <= d_t;
        sl_price[d_si] <= d_price[30:0];
        if (d_is_new) begin
            sl_open[d_si] <= 1'b1;
            sl_inst[d_si] <= d_k;
            sl_side[d_si] <= d_side;
            sl_rem[d_si] <= d_qty[23:0];
            nopen[d_k] <= nopen[d_k] + 16'd1;
            nopen_all <= nopen_all + 16'd1;
        end else begin
            sl_rem[d_si] <= sl_rem[d_si] + d_grow;
        end
    end

    if (d_valid) begin
        if (d_upd_inst) begin
            ls[d_k] <= ls[d_k] + d_dl;
            ss[d_k] <= ss[d_k] + d_ds;
            pos[d_k] <= pos[d_k] + d_dpos;
            ln[d_k] <= ln[d_k] + d_dln;
            sn[d_k] <= sn[d_k] + d_dsn;
            netl <= netl + d_dln;
            nets <= nets + d_dsn;
        end
        case (d_kind)
            TG_RISK_IN_FILL:
                if (!d_fill_ok) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else if (!d_bust) begin    // a bust names no slot
                    if (!d_matched) begin
                        unmatched <= unmatched + 64'd1;
                    end else begin
                        sl_rem[d_si] <= d_rem_fill;
                    end
                end
            TG_RISK_IN_RESTATE:
                if (!d_restate_ok) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else if (!d_slot_open) begin
                    unmatched <= unmatched + 64'd1;
                end else begin
                    sl_rem[d_si] <= d_rq;
                end
            TG_RISK_IN_REF:
                if (!d_ref_ok) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else begin
                    case (d_sub)
                        2'd0: begin
                            src_bid[d_k] <= d_price[30:0];
                            src_ask[d_k] <= d_price2;
                        end
                        2'd1: src_last[d_k] <= d_price[30:0];
                        default: src_host[d_k] <= d_price[30:0];
                    endcase
                    refp[d_k] <= d_newref;
                end
            TG_RISK_IN_HALT:
                if (!d_inst_ok || d_sub > 2'd1) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else if (d_sub == 2'd0) begin
                    hfeed[d_k] <= d_qty[0];
                end else begin
                    hhost[d_k] <= d_qty[0];
                end
            TG_RISK_IN_KILL:
                if (d_sub == 2'd0) begin
                    kill_all <= d_qty[0];
                end else if (d_sub == 2'd1 && d_inst_ok) begin
                    ikill[d_k] <= d_qty[0];
                end else begin
                    bad_inputs <= bad_inputs + 64'd1;
                end
            TG_RISK_IN_SET:
                if (!d_set_ok) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else begin
                    case (d_field)
                        TG_RISK_LIM_ENABLED: s_en[d_k] <= d_value[0];
                        TG_RISK_LIM_REDUCE_ONLY: s_ro[d_k] <= d_value[0];
                        TG_RISK_LIM_MAX_ORDER_QTY: s_maxq[d_k] <= d_value[31:0];
                        TG_RISK_LIM_MAX_ORDER_NOTIONAL: s_maxn[d_k] <= d_value;
                        TG_RISK_LIM_COLLAR_BPS: s_bps[d_k] <= d_value[13:0];
                        TG_RISK_LIM_MAX_LONG: s_maxl[d_k] <= d_value[31:0];
                        TG_RISK_LIM_MAX_SHORT: s_maxs[d_k] <= d_value[31:0];
                        TG_RISK_LIM_MAX_OPEN: s_maxo[d_k] <= d_value[15:0];
                        TG_RISK_LIM_RATE_PERIOD: s_rper[d_k] <= d_value[31:0];
                        TG_RISK_LIM_RATE_TOLERANCE: s_rtol[d_k] <= d_value[31:0];
                        TG_RISK_LIM_DUP_WINDOW: s_dupw[d_k] <= d_value[31:0];
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
        if (d_closes) begin
            sl_open[d_si] <= 1'b0;
            nopen[d_sinst] <= nopen[d_sinst] - 16'd1;
            nopen_all <= nopen_all - 16'd1;
        end
    end

    // ---------------------------------------------------------------- stages U1..U4
    // After a FILL, RESTATE or REF has moved ln/sn of its instrument: the
    // instrument's g, A and B, then the gross total, then every total's room.
    // After a COMMIT: the rooms under the new limits. Nothing enters until
    // they are done (blk).
    if (u1_valid && u1_inst) begin
        u2_u <= {ln[u1_k][NW-1], ln[u1_k]} + {sn[u1_k][NW-1], sn[u1_k]};
        u2_nsn <= -sn[u1_k];
        u2_ln <= ln[u1_k];
    end
    if (u2_valid && u2_inst) begin
        ea[u2_k] <= u2_u[NW] ? u2_neg : {NW{1'b0}};
        eb[u2_k] <= u2_u[NW] ? {NW{1'b0}} : u2_u[NW-1:0];
        u3_g <= u2_u[NW] ? u2_nsn : u2_ln;
    end
    if (u3_valid && u3_inst) begin
        gross <= gross - eg[u3_k] + u3_g;
        eg[u3_k] <= u3_g;
    end
    if (u4_valid) begin
        x_gross <= $signed({1'b0, {(NW-64){1'b0}}, a_gross}) - {gross[NW-1], gross};
        x_netl <= $signed({1'b0, {(NW-64){1'b0}}, a_net}) - {netl[NW-1], netl};
        x_nets <= $signed({1'b0, {(NW-64){1'b0}}, a_net}) + {nets[NW-1], nets};
    end

    if (rst) begin
        out_valid <= 1'b0;
        d_acc_prev <= 1'b0;
    end
end

// the U stages' bookkeeping
wire signed [NW-1:0] u2_neg = -u2_u[NW-1:0];
always @(posedge clk) begin
    u1_valid <= d_valid && (d_upd_inst || d_kind == TG_RISK_IN_COMMIT);
    u1_inst <= d_upd_inst;
    u1_k <= d_k;
    u2_valid <= u1_valid;
    u2_inst <= u1_inst;
    u2_k <= u1_k;
    u3_valid <= u2_valid;
    u3_inst <= u2_inst;
    u3_k <= u2_k;
    u4_valid <= u3_valid;
    if (rst) begin
        u1_valid <= 1'b0;
        u2_valid <= 1'b0;
        u3_valid <= 1'b0;
        u4_valid <= 1'b0;
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
