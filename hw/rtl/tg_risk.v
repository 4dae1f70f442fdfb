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
// Pipeline, one stage a cycle (docs/risk.md, "The card's pipeline"):
//   A    the input cycle: slot and instrument table reads, product operands
//   M    products as DSP-sized pieces (the order's notional m whole, its
//        pieces summed on the DSPs' cascade); t + the rate tolerances and
//        periods; the instrument's limits, share counts, A and B read, the
//        duplicate record compared
//   C    every check, under both outcomes of the order in D: the totals'
//        (the rooms x_ after D, less D's order's changes if it takes), and
//        the instrument's where D's order is of it (c_sd); dg = m - A (or
//        B) for gross (the other products' pieces go into carry-save sums,
//        never added up alone); the new A, B, share counts and rate bucket under
//        both outcomes
//   D    the decision, 3 cycles after input, out of D's registers; every
//        write but a HALT's or KILL's (those write as they enter, in A),
//        each new value worked out from D's registers (the outcome picked
//        by the decision of the order ahead, d_yt)
//   W    the net totals (read only by the U stages and the read-back); ln,
//        sn, g of the order that left D (for the one behind it, in D)
//   U1..U3  after a FILL, RESTATE or REF: g, A, B of its instrument, then
//        gross and the totals' rooms; after a COMMIT the rooms
// Inputs wait (in_ready low) so that M and C read settled state: a fill or
// restatement behind an order of its instrument in M or C (an order behind
// one does not wait: M takes the values D's order writes, m_byp, and C
// checks under both outcomes of D's order, c_sd); anything that reads a
// slot behind an order of that slot; a REF behind an order of
// its instrument; anything within 4 cycles after a FILL, RESTATE, REF or
// COMMIT entered. Nothing waits behind a HALT or KILL: the order right behind
// one enters the next cycle and reads it.
//
// Notional values (shares x price) are kept per instrument for the position
// with every open buy filled (ln) and with every open sell filled (sn), and
// summed (gross, net long, net short), updated by exact deltas. Gross
// exposure per instrument is g = max(ln, -sn), with A = g - ln and
// B = g + sn kept alongside, so an order's effect on it is one subtraction.
module tg_risk #
(
    parameter integer INSTRUMENTS = 8,     // 1..64
    parameter integer SLOTS = 64,          // order slots, 2..4096
    parameter integer PROBES = 1           // inputs pr_ready answers for, 1..16
)
(
    input  wire        clk,
    input  wire        rst,

    // inputs, applied in order. in_ready says whether the input on in_* may
    // enter now; in_take enters it, and is raised only while in_ready (or the
    // probe asking for the same input) is high: the caller decides, so what
    // takes an input never waits on this module's own read of in_*
    input  wire        in_take,
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

    // in_ready's answer for other inputs: pr_ready[j] is what in_ready would
    // be with probe j's kind, sub, instrument and slot on in_* (the card asks
    // it for each of its sources on their own registers, so the source it
    // takes waits on no input mux)
    input  wire [PROBES*4-1:0]  pr_kind,
    input  wire [PROBES*2-1:0]  pr_sub,
    input  wire [PROBES*8-1:0]  pr_inst,
    input  wire [PROBES*16-1:0] pr_slot,
    output wire [PROBES-1:0]    pr_ready,
    // ...and their sides: a FILL's match of its slot, and the share counts'
    // selects it makes, are worked out at every probe and picked
    input  wire [PROBES*2-1:0]  pr_side,
    // each probe's quantity (its low 24 bits): stage A negates each and
    // picks by in_slot_src, so -q does not wait on the card's input pick
    input  wire [PROBES*24-1:0] pr_qty,
    // ...and their prices' low 31 bits: a REF's BBO mid is made at every
    // probe and picked, so its adder waits on no input pick either
    input  wire [PROBES*31-1:0] pr_price,
    input  wire [PROBES*31-1:0] pr_price2,
    // the input's probe, one-hot (its slot in_slot, its instrument in_inst)
    // for every input but a kill, which uses nothing it picks: stage A reads
    // the slot table at every probe's slot and the instrument tables at
    // every probe's instrument and picks the reads by it, so nothing stands
    // in front of the reads (the card's input is a pick of its sources')
    input  wire [PROBES-1:0]    in_slot_src,

    // one decision per NEW, CANCEL and REPLACE, in input order (no
    // back-pressure), in the cycle stage D makes it: 3 cycles after the input
    // entered. Combinational from D's registers through the reason's priority
    // (out_accept through fewer levels: the order-entry path takes it)
    output wire        out_valid,
    output wire        out_accept,
    output wire [3:0]  out_kind,
    output wire [4:0]  out_reason,
    output wire [15:0] out_slot,
    output wire [7:0]  out_inst,
    output wire [1:0]  out_side,
    output wire [31:0] out_qty,
    output wire [31:0] out_price,
    output wire [23:0] out_grow,           // REPLACE: shares it adds to the slot's open quantity

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
`include "tg_index_ok.vh"

initial begin
    if (INSTRUMENTS < 1 || INSTRUMENTS > 64 || SLOTS < 2 || SLOTS > 4096 || PROBES < 1 || PROBES > 16) begin
        $error("tg_risk: INSTRUMENTS must be 1..64, SLOTS 2..4096, PROBES 1..16");
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
reg [31:0]  nrefp [0:INSTRUMENTS-1];        // -refp
reg [30:0]  src_mid [0:INSTRUMENTS-1];      // the last BBO's mid (kept as the mid: no adder
reg         src_two [0:INSTRUMENTS-1];      // behind a table read), with both sides present
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
reg [3:0]   sl_dec [0:SLOTS-1];            // NEW and REPLACE orders accepted on it, mod 16

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
// every total's room under its limit after every order that left D (x_)
reg signed [NW-1:0] eg [0:INSTRUMENTS-1];
reg signed [NW-1:0] ea [0:INSTRUMENTS-1];
reg signed [NW-1:0] eb [0:INSTRUMENTS-1];
reg signed [NW:0] x_gross = {(NW+1){1'b0}};
reg signed [NW:0] x_netl = {(NW+1){1'b0}};
reg signed [NW:0] x_nets = {(NW+1){1'b0}};
// stages U1..U3 (after a FILL, RESTATE, REF or COMMIT)
reg         u1_valid = 1'b0, u2_valid = 1'b0, u3_valid = 1'b0;
reg         u1_inst = 1'b0, u2_inst = 1'b0, u3_inst = 1'b0;
reg [IW-1:0] u1_k = {IW{1'b0}}, u2_k = {IW{1'b0}}, u3_k = {IW{1'b0}};
reg signed [NW:0] u2_u = {(NW+1){1'b0}};
reg signed [NW-1:0] u2_nsn = {NW{1'b0}}, u2_ln = {NW{1'b0}};
reg signed [NW-1:0] u3_g = {NW{1'b0}}, u3_g_old = {NW{1'b0}};
reg signed [NW-1:0] u2_g_old = {NW{1'b0}};    // the instrument's g, read in U1
reg signed [NW:0] u3_xg = {(NW+1){1'b0}};     // MAX_GROSS - gross + g_old, for U3's gross room
reg [NW-1:0] u3_gn = {NW{1'b1}};               // ~u3_g, a register of its own (below)

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
        ln[i] = {NW{1'b0}}; sn[i] = {NW{1'b0}}; nopen[i] = 16'd0; refp[i] = 31'd0; nrefp[i] = 32'd0;
        src_mid[i] = 31'd0; src_two[i] = 1'b0; src_last[i] = 31'd0; src_host[i] = 31'd0;
        hfeed[i] = 1'b0; hhost[i] = 1'b0; ikill[i] = 1'b0; tat[i] = 64'd0;
        dv[i] = 1'b0; dside[i] = 2'd0; dqty[i] = 24'd0; dprice[i] = 31'd0; dt[i] = 64'd0;
        eg[i] = {NW{1'b0}}; ea[i] = {NW{1'b0}}; eb[i] = {NW{1'b0}};
    end
    for (i = 0; i < SLOTS; i = i + 1) begin
        sl_open[i] = 1'b0; sl_inst[i] = {IW{1'b0}}; sl_side[i] = 2'd0;
        sl_rem[i] = 24'd0; sl_price[i] = 31'd0; sl_dec[i] = 4'd0;
    end
    for (i = 0; i < 32; i = i + 1) begin
        decided[i] = 64'd0;
    end
end

// ------------------------------------------------------------------ stage A: the input cycle
// Reads what the products need: the order slot, the instrument's reference
// price and collar, and for a REF the share counts and price sources.
// (in range without a carry chain in front of the reads: tg_index_ok.vh)
function automatic inst_in_range(input [7:0] v);
    inst_in_range = tg_index_ok({8'd0, v}, IW, INSTRUMENTS);
endfunction
function automatic slot_in_range(input [15:0] v);
    slot_in_range = tg_index_ok(v, SW, SLOTS);
endfunction
wire p_inst_ok = inst_in_range(in_inst);
wire p_slot_ok = slot_in_range(in_slot);
wire [IW-1:0] p_ii = in_inst[IW-1:0];
wire [SW-1:0] p_si = in_slot[SW-1:0];
wire p_kind_slot_inst = in_kind == TG_RISK_IN_REPLACE || in_kind == TG_RISK_IN_RESTATE;
// the slot's instrument, open quantity, open flag, side and decrement
// count: read at each probe's slot, picked (an AND-OR: behind a mux Yosys's
// share pass would make them one read at a picked address)
reg [IW-1:0] p_sk;
reg [23:0] p_rem;
reg p_sopen;
reg [1:0] p_sside;
reg [3:0] p_sdec;
// A FILL's match of its slot (open, of its instrument, of its side, both in
// range; sub 0: sub 1 is a bust, which consumes no slot) and the share
// counts' selects it makes (see p_xl below) are worked out at each probe,
// from its slot's reads and its own kind, sub, instrument and side, and
// picked the same way: the card's input pick then stands in front of none
// of them (behind it, the match was the card's slowest path, into the
// share counts). (A kill is at no probe, or at one not its own, the card
// naming x's or the order's: it uses none of them.)
reg p_matched, p_l_q, p_s_q, p_l_left, p_s_left;
// ...and q - rem, and rem - q (see p_q_less_rem below)
reg [24:0] p_qr;
reg [23:0] p_rem_less_q;
reg pj_open_inst, pj_buy, pj_sbuy, pj_matched, pj_obuy, pj_up, pj_new, pj_fill, pj_replace;
integer pj;
always @* begin
    p_sk = {IW{1'b0}};
    p_rem = 24'd0;
    p_sopen = 1'b0;
    p_sside = 2'd0;
    p_sdec = 4'd0;
    p_matched = 1'b0;
    p_l_q = 1'b0;
    p_s_q = 1'b0;
    p_l_left = 1'b0;
    p_s_left = 1'b0;
    p_qr = 25'd0;
    p_rem_less_q = 24'd0;
    for (pj = 0; pj < PROBES; pj = pj + 1) begin
        pj_open_inst = sl_open[pr_slot[pj*16 +: SW]] && sl_inst[pr_slot[pj*16 +: SW]] == pr_inst[pj*8 +: IW]
                    && slot_in_range(pr_slot[pj*16 +: 16]) && inst_in_range(pr_inst[pj*8 +: 8]);
        pj_new = pr_kind[pj*4 +: 4] == TG_RISK_IN_NEW;
        pj_fill = pr_kind[pj*4 +: 4] == TG_RISK_IN_FILL;
        pj_replace = pr_kind[pj*4 +: 4] == TG_RISK_IN_REPLACE;
        pj_buy = pr_side[pj*2 +: 2] == TG_RISK_SIDE_BUY;
        pj_sbuy = sl_side[pr_slot[pj*16 +: SW]] == TG_RISK_SIDE_BUY;
        pj_matched = pj_fill && !pr_sub[pj*2] && pj_open_inst && pj_sbuy == pj_buy;
        pj_obuy = pj_new ? pj_buy : pj_sbuy;
        pj_up = pj_buy != pr_sub[pj*2];      // a bust moves against its side
        p_matched = p_matched | (in_slot_src[pj] & pj_matched);
        p_l_q = p_l_q | (in_slot_src[pj] & ((pj_new && pj_obuy) || (pj_fill && (pj_up ? !pj_matched : 1'b1))));
        p_s_q = p_s_q | (in_slot_src[pj] & ((pj_new && !pj_obuy) || (pj_fill && (pj_up ? 1'b1 : !pj_matched))));
        p_l_left = p_l_left | (in_slot_src[pj] & ((pj_replace && pj_obuy) || (pj_fill && pj_up && pj_matched)));
        p_s_left = p_s_left | (in_slot_src[pj] & ((pj_replace && !pj_obuy) || (pj_fill && !pj_up && pj_matched)));
        p_qr = p_qr | ({25{in_slot_src[pj]}}
                       & ({1'b0, pr_qty[pj*24 +: 24]} - {1'b0, sl_rem[pr_slot[pj*16 +: SW]]}));
        p_rem_less_q = p_rem_less_q | ({24{in_slot_src[pj]}}
                                       & (sl_rem[pr_slot[pj*16 +: SW]] - pr_qty[pj*24 +: 24]));
        p_sk = p_sk | ({IW{in_slot_src[pj]}} & sl_inst[pr_slot[pj*16 +: SW]]);
        p_rem = p_rem | ({24{in_slot_src[pj]}} & sl_rem[pr_slot[pj*16 +: SW]]);
        p_sopen = p_sopen | (in_slot_src[pj] & sl_open[pr_slot[pj*16 +: SW]]);
        p_sside = p_sside | ({2{in_slot_src[pj]}} & sl_side[pr_slot[pj*16 +: SW]]);
        p_sdec = p_sdec | ({4{in_slot_src[pj]}} & sl_dec[pr_slot[pj*16 +: SW]]);
    end
end
wire [IW-1:0] p_k = p_kind_slot_inst ? p_sk : p_ii;
// The input's own instrument's tables (p_ii's) read at each probe's
// instrument and picked as the slot table's reads are (in_slot_src, an
// AND-OR): the gate's input pick then stands in front of none of them. A
// kill uses none of them (the gate names x's or the order's probe while a
// kill is the input, the RTL test none). Where the input names a slot
// (p_kind_slot_inst), the slot's instrument's values, read at p_sk, are
// picked instead, again as an AND-OR (behind a mux, Yosys's share pass
// makes the two reads one at a picked address, the input's kind decode in
// front of the read).
reg [30:0] p_refp_ii, p_mid_ii, p_last_ii, p_host_ii;
reg [31:0] p_nrefp_ii;
reg [13:0] p_bps_ii;
reg p_two_ii, p_halt_ii, p_ikill_ii;
reg signed [SH-1:0] p_ls_ii, p_ss_ii;
integer pq;
always @* begin
    p_refp_ii = 31'd0;
    p_mid_ii = 31'd0;
    p_last_ii = 31'd0;
    p_host_ii = 31'd0;
    p_nrefp_ii = 32'd0;
    p_bps_ii = 14'd0;
    p_two_ii = 1'b0;
    p_halt_ii = 1'b0;
    p_ikill_ii = 1'b0;
    p_ls_ii = {SH{1'b0}};
    p_ss_ii = {SH{1'b0}};
    for (pq = 0; pq < PROBES; pq = pq + 1) begin
        p_refp_ii = p_refp_ii | ({31{in_slot_src[pq]}} & refp[pr_inst[pq*8 +: IW]]);
        p_mid_ii = p_mid_ii | ({31{in_slot_src[pq]}} & src_mid[pr_inst[pq*8 +: IW]]);
        p_last_ii = p_last_ii | ({31{in_slot_src[pq]}} & src_last[pr_inst[pq*8 +: IW]]);
        p_host_ii = p_host_ii | ({31{in_slot_src[pq]}} & src_host[pr_inst[pq*8 +: IW]]);
        p_nrefp_ii = p_nrefp_ii | ({32{in_slot_src[pq]}} & nrefp[pr_inst[pq*8 +: IW]]);
        p_bps_ii = p_bps_ii | ({14{in_slot_src[pq]}} & a_bps[pr_inst[pq*8 +: IW]]);
        p_two_ii = p_two_ii | (in_slot_src[pq] & src_two[pr_inst[pq*8 +: IW]]);
        p_halt_ii = p_halt_ii | (in_slot_src[pq] & (hfeed[pr_inst[pq*8 +: IW]] || hhost[pr_inst[pq*8 +: IW]]));
        p_ikill_ii = p_ikill_ii | (in_slot_src[pq] & ikill[pr_inst[pq*8 +: IW]]);
        p_ls_ii = p_ls_ii | ({SH{in_slot_src[pq]}} & ls[pr_inst[pq*8 +: IW]]);
        p_ss_ii = p_ss_ii | ({SH{in_slot_src[pq]}} & ss[pr_inst[pq*8 +: IW]]);
    end
end
wire p_use_sk = p_kind_slot_inst;
wire [30:0] p_refp_k = ({31{p_use_sk}} & refp[p_sk]) | ({31{!p_use_sk}} & p_refp_ii);
wire [31:0] p_nrefp_k = ({32{p_use_sk}} & nrefp[p_sk]) | ({32{!p_use_sk}} & p_nrefp_ii);
wire [13:0] p_bps_k = ({14{p_use_sk}} & a_bps[p_sk]) | ({14{!p_use_sk}} & p_bps_ii);
wire p_halt_k = (p_use_sk && (hfeed[p_sk] || hhost[p_sk])) || (!p_use_sk && p_halt_ii);
wire p_ikill_k = (p_use_sk && ikill[p_sk]) || (!p_use_sk && p_ikill_ii);
`ifndef SYNTHESIS
reg [15:0] p_src_slot;
reg [7:0] p_src_inst;
reg [3:0] p_src_kind;
reg [1:0] p_src_sub, p_src_side;
reg [23:0] p_src_qty;
reg [30:0] p_src_price, p_src_price2;
integer pk;
always @* begin
    p_src_slot = 16'd0;
    p_src_inst = 8'd0;
    p_src_kind = 4'd0;
    p_src_sub = 2'd0;
    p_src_side = 2'd0;
    p_src_qty = 24'd0;
    p_src_price = 31'd0;
    p_src_price2 = 31'd0;
    for (pk = 0; pk < PROBES; pk = pk + 1) begin
        p_src_slot = p_src_slot | ({16{in_slot_src[pk]}} & pr_slot[pk*16 +: 16]);
        p_src_inst = p_src_inst | ({8{in_slot_src[pk]}} & pr_inst[pk*8 +: 8]);
        p_src_kind = p_src_kind | ({4{in_slot_src[pk]}} & pr_kind[pk*4 +: 4]);
        p_src_sub = p_src_sub | ({2{in_slot_src[pk]}} & pr_sub[pk*2 +: 2]);
        p_src_side = p_src_side | ({2{in_slot_src[pk]}} & pr_side[pk*2 +: 2]);
        p_src_qty = p_src_qty | ({24{in_slot_src[pk]}} & pr_qty[pk*24 +: 24]);
        p_src_price = p_src_price | ({31{in_slot_src[pk]}} & pr_price[pk*31 +: 31]);
        p_src_price2 = p_src_price2 | ({31{in_slot_src[pk]}} & pr_price2[pk*31 +: 31]);
    end
end
always @(posedge clk) begin
    if (!rst && in_take && (in_kind == TG_RISK_IN_NEW || in_kind == TG_RISK_IN_CANCEL
                            || in_kind == TG_RISK_IN_REPLACE || in_kind == TG_RISK_IN_FILL
                            || in_kind == TG_RISK_IN_RESTATE) && p_src_slot != in_slot) begin
        $error("tg_risk: in_slot %0d, but in_slot_src picks probe slot %0d", in_slot, p_src_slot);
    end
    if (!rst && in_take && in_kind != TG_RISK_IN_KILL
        && (p_src_kind != in_kind || p_src_sub != in_sub || p_src_side != in_side)) begin
        $error("tg_risk: in_kind/sub/side %0d/%0d/%0d, but in_slot_src picks probe %0d/%0d/%0d", in_kind,
               in_sub, in_side, p_src_kind, p_src_sub, p_src_side);
    end
    if (!rst && in_take && in_kind != TG_RISK_IN_KILL && p_src_inst != in_inst) begin
        $error("tg_risk: in_inst %0d, but in_slot_src picks probe instrument %0d", in_inst, p_src_inst);
    end
    if (!rst && in_take && in_kind != TG_RISK_IN_KILL && p_src_qty != in_qty[23:0]) begin
        $error("tg_risk: in_qty %0d, but in_slot_src picks probe quantity %0d", in_qty[23:0], p_src_qty);
    end
    if (!rst && in_take && in_kind != TG_RISK_IN_KILL
        && (p_src_price != in_price[30:0] || p_src_price2 != in_price2[30:0])) begin
        $error("tg_risk: in_price %0d/%0d, but in_slot_src picks probe prices %0d/%0d", in_price[30:0],
               in_price2[30:0], p_src_price, p_src_price2);
    end
end
`endif
wire [23:0] p_qty = in_qty[23:0];
// q against the slot's open quantity: a subtraction on 25 bits (both are
// below 2^24), sign-extended, whose top bit is q < rem, for every use below.
// Made at every probe (the slot table's loop above), its quantity less its
// slot's, and picked as the table reads are: behind the card's input pick,
// its chain stood in front of the share counts' last pick (the card's
// slowest path once their selects were worked out at each probe; before
// that, this made it deeper, ABC relaxing those selects instead). rem - q,
// a RESTATE's decremented open quantity, is made the same way.
wire signed [SH-1:0] p_q = {{(SH-24){1'b0}}, p_qty};
wire signed [SH-1:0] p_q_less_rem = {{(SH-25){p_qr[24]}}, p_qr};
wire p_q_ge_rem = !p_qr[24];
wire p_buy_in = in_side == TG_RISK_SIDE_BUY;
wire [23:0] p_fill_d = !p_matched ? 24'd0 : (p_q_ge_rem ? p_rem : p_qty);
// the open quantity a RESTATE states: sub 0 the quantity itself, sub 1 the
// slot's open quantity reduced by it (a cancel's decrement)
wire [23:0] p_rq = !in_sub[0] ? p_qty : (p_q_ge_rem ? 24'd0 : p_rem_less_q);
// A stamped sub 0 whose count of the slot's accepted orders has moved on
// states nothing, unless it closes the order (TG_RISK_STAMPED in
// sw/include/tickgate/risk.h). The flag rides along; it zeroes M's share
// counts before the multipliers and makes C's open quantity the slot's
// own, so it stays off stage A's paths into the products.
wire p_stale = in_kind == TG_RISK_IN_RESTATE && !in_sub[0] && in_field[4] && in_field[3:0] != p_sdec
            && p_qty != 24'd0;

// the reference price a REF input makes: the BBO's mid when it has both
// sides (the input's for a BBO, else the one kept), else the last trade, else
// the host's price
function automatic [30:0] mid_of(input [30:0] bid, input [30:0] ask);
    mid_of = {1'b0, bid[30:1]} + {1'b0, ask[30:1]} + {30'd0, bid[0] & ask[0]};
endfunction
// (the BBO's mid at every probe's prices, picked by in_slot_src)
reg [30:0] p_bbo_mid;
integer pm;
always @* begin
    p_bbo_mid = 31'd0;
    for (pm = 0; pm < PROBES; pm = pm + 1) begin
        p_bbo_mid = p_bbo_mid | ({31{in_slot_src[pm]}} & mid_of(pr_price[pm*31 +: 31], pr_price2[pm*31 +: 31]));
    end
end
wire p_bbo = in_sub == 2'd0;
wire [30:0] p_mid = p_bbo ? p_bbo_mid : p_mid_ii;
wire p_two = p_bbo ? in_price[30:0] != 31'd0 && in_price2[30:0] != 31'd0 : p_two_ii;
wire [30:0] p_last = in_sub == 2'd1 ? in_price[30:0] : p_last_ii;
wire [30:0] p_host = in_sub == 2'd2 ? in_price[30:0] : p_host_ii;
wire [30:0] p_newref = p_two ? p_mid : p_last != 31'd0 ? p_last : p_host;
wire p_is_ref = in_kind == TG_RISK_IN_REF;

// What the products make: pl moves ln, ps moves sn (both by the share
// count x the reference price, signed: a sell's or a reversed execution's
// price is the negated one), or are the new ln and sn for a REF; pm is an
// order's notional (its added shares x the reference price).
wire p_order_buy = (in_kind == TG_RISK_IN_NEW ? in_side : p_sside) == TG_RISK_SIDE_BUY;
wire p_fill_up = p_buy_in != in_sub[0];   // a bust moves against its side
wire p_restate_buy = p_sside == TG_RISK_SIDE_BUY;
wire [23:0] p_grow = in_kind == TG_RISK_IN_NEW ? p_qty : p_q_ge_rem ? p_q_less_rem[23:0] : 24'd0;
// The share counts are picked as an AND-OR of a few candidates by selects
// that need no arithmetic (kind, side, sub, whether a fill matches its
// slot), and by q >= rem, which comes out of the same carry chain as q - rem:
//   NEW q; REPLACE q >= rem ? q - rem : 0 (the shares it adds);
//   FILL q, or for the side that consumes a matched slot's open quantity
//     q >= rem ? q - rem : 0 (what is left unmatched);
//   RESTATE rq - rem: sub 0 q - rem; sub 1 q >= rem ? -rem : -q;
//   REF the instrument's share counts themselves.
// Everything but q - rem is picked under both outcomes of q >= rem (kept as
// nets), so that only the last pick waits for the chain. (A deep case
// statement behind q - rem was once the gate's slowest path.)
// (-rem and -q on 25 bits, sign-extended: a carry chain of 25 bits, not SH;
// -q at every probe's quantity, picked as the table reads are: behind the
// card's input pick, its chain stood in front of the share counts' picks)
wire [24:0] p_neg_rem25 = -{1'b0, p_rem};
reg [24:0] p_neg_q25;
integer pn;
always @* begin
    p_neg_q25 = 25'd0;
    for (pn = 0; pn < PROBES; pn = pn + 1) begin
        p_neg_q25 = p_neg_q25 | ({25{in_slot_src[pn]}} & (25'd0 - {1'b0, pr_qty[pn*24 +: 24]}));
    end
end
wire signed [SH-1:0] p_neg_rem = {{(SH-25){p_neg_rem25[24]}}, p_neg_rem25};
wire signed [SH-1:0] p_neg_q = {{(SH-25){p_neg_q25[24]}}, p_neg_q25};
wire p_is_new = in_kind == TG_RISK_IN_NEW;
wire p_is_replace = in_kind == TG_RISK_IN_REPLACE;
wire p_is_fill = in_kind == TG_RISK_IN_FILL;
wire p_is_restate = in_kind == TG_RISK_IN_RESTATE;
// for each of L (long) and S (short): q; q - rem if q >= rem, else 0;
// q - rem; -rem if q >= rem, else -q; the instrument's count (REF)
// (the first four, p_l_q to p_s_left, worked out at each probe above)
wire p_l_rd = p_is_restate && p_restate_buy && !in_sub[0];
wire p_s_rd = p_is_restate && !p_restate_buy && !in_sub[0];
wire p_l_rn = p_is_restate && p_restate_buy && in_sub[0];
wire p_s_rn = p_is_restate && !p_restate_buy && in_sub[0];
// the candidates but q - rem, with the negation sub 1 of a RESTATE takes
function automatic signed [SH-1:0] count_rest(input sel_q, input sel_n, input signed [SH-1:0] neg,
                                               input sel_ref, input signed [SH-1:0] count);
    count_rest = ({SH{sel_q}} & p_q) | ({SH{sel_n}} & neg) | ({SH{sel_ref}} & count);
endfunction
// (a REF's instrument is its own, p_ii: read by it, not through the slot table)
(* keep *) wire signed [SH-1:0] p_xl_ge = count_rest(p_l_q, p_l_rn, p_neg_rem, p_is_ref, p_ls_ii);
(* keep *) wire signed [SH-1:0] p_xl_lt = count_rest(p_l_q, p_l_rn, p_neg_q, p_is_ref, p_ls_ii);
(* keep *) wire signed [SH-1:0] p_xs_ge = count_rest(p_s_q, p_s_rn, p_neg_rem, p_is_ref, p_ss_ii);
(* keep *) wire signed [SH-1:0] p_xs_lt = count_rest(p_s_q, p_s_rn, p_neg_q, p_is_ref, p_ss_ii);
(* keep *) wire p_l_d_ge = p_l_rd || p_l_left, p_s_d_ge = p_s_rd || p_s_left;   // q - rem counts
// (the last pick, behind the chain, one LUT a bit: tg_count_pick)
wire signed [SH-1:0] p_xl, p_xs;   // share counts
tg_count_pick #(.W(SH)) p_xl_pick (.ge(p_q_ge_rem), .x_ge(p_xl_ge), .d_ge(p_l_d_ge), .x_lt(p_xl_lt),
                                   .d_lt(p_l_rd), .d(p_q_less_rem), .x(p_xl));
tg_count_pick #(.W(SH)) p_xs_pick (.ge(p_q_ge_rem), .x_ge(p_xs_ge), .d_ge(p_s_d_ge), .x_lt(p_xs_lt),
                                   .d_lt(p_s_rd), .d(p_q_less_rem), .x(p_xs));
// at the negated price: a sell's, and both of a fill that moves the position down
wire p_nl = p_is_fill && !p_fill_up;
wire p_ns = ((p_is_new || p_is_replace) && !p_order_buy) || (p_is_fill && !p_fill_up)
          || (p_is_restate && !p_restate_buy);
// (read by the slot's instrument and by the input's, picked after the reads:
// the slot table's read then stands in front of one table read, not two)
wire signed [31:0] p_pos_price = {1'b0, p_is_ref ? p_newref : p_refp_k};
wire signed [31:0] p_neg_price = p_nrefp_k;

// The input's fields travel through the stages as one bus: F_* are their
// offsets in it.
localparam integer F_KIND = 0, F_SUB = F_KIND + 4, F_INST = F_SUB + 2, F_INST_OK = F_INST + 8,
                   F_K = F_INST_OK + 1, F_SIDE = F_K + IW, F_FIELD = F_SIDE + 2, F_SLOT = F_FIELD + 5,
                   F_SLOT_OK = F_SLOT + 16, F_SI = F_SLOT_OK + 1, F_QTY = F_SI + SW, F_PRICE = F_QTY + 32,
                   F_PRICE2 = F_PRICE + 32, F_VALUE = F_PRICE2 + 32, F_T = F_VALUE + 64,
                   F_MATCHED = F_T + 64, F_FILL_D = F_MATCHED + 1, F_RQ = F_FILL_D + 24,
                   F_GROW = F_RQ + 24, F_NEWREF = F_GROW + 24, F_REFP = F_NEWREF + 31,
                   F_SOPEN = F_REFP + 31, F_SINST = F_SOPEN + 1, F_SSIDE = F_SINST + IW,
                   F_SREM = F_SSIDE + 2, F_OBUY = F_SREM + 24, F_KILLED = F_OBUY + 1,
                   F_IKILLED = F_KILLED + 1, F_HALTED = F_IKILLED + 1, F_STALE = F_HALTED + 1,
                   FW = F_STALE + 1;

// the slot fields come from the table as it is now: no input in flight
// writes the slot of an input that enters (haz_slot below)
wire [FW-1:0] p_f = {p_stale, p_halt_k, p_ikill_k, kill_all, p_order_buy, p_rem, p_sside, p_sk, p_sopen, p_refp_k, p_newref, p_grow,
                     p_rq, p_fill_d, p_matched, in_t, in_value, in_price2, in_price, in_qty, p_si,
                     p_slot_ok, in_slot, in_field, in_side, p_k, p_inst_ok, in_inst, in_sub, in_kind};

wire p_heavy = in_kind == TG_RISK_IN_FILL || in_kind == TG_RISK_IN_RESTATE || p_is_ref
            || in_kind == TG_RISK_IN_COMMIT;

// in flight, by stage: M (products), C (checks), D (decide)
reg         m_valid = 1'b0, c_valid = 1'b0, d_valid = 1'b0;
reg [FW-1:0] m_f = {FW{1'b0}}, c_f = {FW{1'b0}}, d_f = {FW{1'b0}};
reg [2:0]   blk = 3'd0;                    // cycles nothing may enter after a state input

// an order that may take (NEW or REPLACE) in flight; its slot and instrument
/* verilator lint_off UNUSEDSIGNAL */
function automatic takes_in(input v, input [FW-1:0] f);
    takes_in = v && (f[F_KIND +: 4] == TG_RISK_IN_NEW || f[F_KIND +: 4] == TG_RISK_IN_REPLACE);
endfunction
// (slots compared by index: one out of range is read and written by nothing)
function automatic same_slot(input v, input [FW-1:0] f, input [SW-1:0] si);
    same_slot = takes_in(v, f) && f[F_SLOT_OK] && f[F_SI +: SW] == si;
endfunction
function automatic same_inst(input v, input [FW-1:0] f, input [IW-1:0] kk);
    same_inst = takes_in(v, f) && f[F_K +: IW] == kk;
endfunction
/* verilator lint_on UNUSEDSIGNAL */

// What may enter now (see the pipeline comment at the top), for the input on
// in_* (the last) and for each probe: one copy of the waits per question.
localparam integer NQ = PROBES + 1;
wire [NQ*4-1:0]  q_kind = {in_kind, pr_kind};
/* verilator lint_off UNUSEDSIGNAL */
wire [NQ*2-1:0]  q_sub = {in_sub, pr_sub};       // (bit 0: a FILL's bust flag, all a wait looks at)
/* verilator lint_on UNUSEDSIGNAL */
wire [NQ*8-1:0]  q_inst = {in_inst, pr_inst};
wire [NQ*16-1:0] q_slot = {in_slot, pr_slot};
wire [NQ-1:0]    q_ready;
genvar q;
generate
    for (q = 0; q < NQ; q = q + 1) begin : waits
        wire [3:0]  kind = q_kind[q*4 +: 4];
        /* verilator lint_off UNUSEDSIGNAL */
        wire [7:0]  inst = q_inst[q*8 +: 8];         // (its index bits name the instrument)
        /* verilator lint_on UNUSEDSIGNAL */
        wire [15:0] slot = q_slot[q*16 +: 16];
        wire [SW-1:0] si = slot[SW-1:0];
        // the instrument it moves: a REPLACE's or RESTATE's slot's
        wire [IW-1:0] kk = kind == TG_RISK_IN_REPLACE || kind == TG_RISK_IN_RESTATE ? sl_inst[si] : inst[IW-1:0];
        wire takes = kind == TG_RISK_IN_NEW || kind == TG_RISK_IN_REPLACE;
        wire reads_slot = takes || kind == TG_RISK_IN_CANCEL || kind == TG_RISK_IN_RESTATE
                       || (kind == TG_RISK_IN_FILL && !q_sub[q*2]);
        wire haz_slot = reads_slot && slot_in_range(slot)
                     && (same_slot(m_valid, m_f, si) || same_slot(c_valid, c_f, si)
                         || same_slot(d_valid, d_f, si));
        wire inst_ahead = same_inst(m_valid, m_f, kk) || same_inst(c_valid, c_f, kk);
        // fills and restatements read their instrument's state in M and C,
        // so they wait for the orders of it there (those write in D); a REF
        // reads the share counts in A. An order waits for none: M takes the
        // values D's order writes (m_byp), C checks it under both outcomes
        // of D's order of its instrument (c_sd), and D works from what that
        // one left (d_yt).
        wire moves_inst = kind == TG_RISK_IN_FILL || kind == TG_RISK_IN_RESTATE;
        wire haz_inst = moves_inst && inst_ahead;
        wire haz_ref = kind == TG_RISK_IN_REF && (inst_ahead || same_inst(d_valid, d_f, kk));
        assign q_ready[q] = blk == 3'd0 && !haz_slot && !haz_inst && !haz_ref;
    end
endgenerate
assign in_ready = q_ready[NQ-1];
assign pr_ready = q_ready[PROBES-1:0];
wire p_go = in_take;
`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst && in_take && !in_ready) begin
        $error("tg_risk: an input taken while it must wait");
    end
end
`endif

// HALT and KILL take effect as they enter: every order behind them reads the
// flags in A (into the bus), every order ahead of them has read them already.
// A bad one (the wrong sub or instrument) writes nothing; D counts it.
always @(posedge clk) begin
    if (p_go && in_kind == TG_RISK_IN_HALT && p_inst_ok) begin
        if (in_sub == 2'd0) begin
            hfeed[p_ii] <= in_qty[0];
        end else if (in_sub == 2'd1) begin
            hhost[p_ii] <= in_qty[0];
        end
    end
    if (p_go && in_kind == TG_RISK_IN_KILL) begin
        if (in_sub == 2'd0) begin
            kill_all <= in_qty[0];
        end else if (in_sub == 2'd1 && p_inst_ok) begin
            ikill[p_ii] <= in_qty[0];
        end
    end
end

// ------------------------------------------------------------------ stage M: products in pieces
reg signed [31:0] m_pricel = 32'd0, m_prices = 32'd0;   // the prices pl and ps are made with
reg [13:0]  m_bps = 14'd0;
reg signed [SH-1:0] m_xl = {SH{1'b0}}, m_xs = {SH{1'b0}};

always @(posedge clk) begin
    m_valid <= p_go;
    if (p_go) begin
        m_f <= p_f;
        m_pricel <= p_nl ? p_neg_price : p_pos_price;
        m_prices <= p_ns ? p_neg_price : p_pos_price;
        m_bps <= p_bps_k;
        m_xl <= p_xl;
        m_xs <= p_xs;
    end
    if (p_go) begin
        blk <= p_heavy ? 3'd4 : 3'd0;
    end else if (blk != 3'd0) begin
        blk <= blk - 3'd1;
    end
    if (rst) begin
        m_valid <= 1'b0;
        blk <= 3'd0;
    end
end

wire [IW-1:0] m_k = m_f[F_K +: IW];
wire [63:0] m_t = m_f[F_T +: 64];
wire [30:0] m_price = m_f[F_PRICE +: 31];
wire [30:0] m_refp = m_f[F_REFP +: 31];

// Every product as DSP-sized pieces (25 x 18 bits signed), added up in C
// and D by carry-save sums (but the order's notional, m_pm*): a price is
// its low 17 bits + the rest (signed) << 17, a share count x0 + x1 << 24 +
// x2 << 48 (x2 signed).
function automatic signed [42:0] dsp(input signed [24:0] a, input signed [17:0] b);
    dsp = a * b;
endfunction
function automatic [24:0] x_chunk(input [SH-1:0] x, input integer n);
    x_chunk = n == 0 ? {1'b0, x[23:0]} : n == 1 ? {1'b0, x[47:24]} : {{(25-(SH-48)){x[SH-1]}}, x[SH-1:48]};
endfunction
function automatic [17:0] p_chunk(input [31:0] v, input integer n);
    p_chunk = n == 0 ? {1'b0, v[16:0]} : {{3{v[31]}}, v[31:17]};
endfunction
wire [31:0] m_pricem = {1'b0, m_refp};
// The order's notional m = grow x p whole, its two pieces added in the DSPs:
// the high piece's DSP adds the low one >> 17 on its cascade (PCIN), and its
// output register (P) is C's: C's compares start from one register, not from
// the DSPs' adders, and take m as one operand rather than two pieces.
// (grow < 2^24, p < 2^31: the low piece < 2^41, the high one < 2^39)
wire signed [42:0] m_pm0 = dsp({1'b0, m_f[F_GROW +: 24]}, p_chunk(m_pricem, 0));
/* verilator lint_off UNUSEDSIGNAL */
wire signed [42:0] m_pm1 = dsp({1'b0, m_f[F_GROW +: 24]}, p_chunk(m_pricem, 1)) + (m_pm0 >>> 17);
/* verilator lint_on UNUSEDSIGNAL */
// a stale restatement moves no share count (its flag set in A, used here,
// a LUT before the multipliers rather than in A's share-count pick)
wire signed [SH-1:0] m_xl_used = m_f[F_STALE] ? {SH{1'b0}} : m_xl;
wire signed [SH-1:0] m_xs_used = m_f[F_STALE] ? {SH{1'b0}} : m_xs;
wire [17:0] m_cl = 18'd10000 + {4'd0, m_bps};   // collar factors
wire [17:0] m_ch = 18'd10000 - {4'd0, m_bps};

// stage M -> C: the pieces, and the sums of a time and a limit
reg signed [42:0] c_ppl [0:5];             // pieces of pl: share chunk i/2 x price chunk i%2
reg signed [42:0] c_pps [0:5];             // of ps
reg [54:0]  c_mw = 55'd0;                  // m whole (an order adds at most 24 bits of shares)
reg signed [42:0] c_ppo [0:1];             // quantity x limit price
reg signed [42:0] c_ppsc [0:1];            // limit price x 10000
reg signed [42:0] c_pphi [0:1], c_pplo [0:1];   // reference price x (10000 +- collar)
reg [64:0]  c_t_tol = 65'd0;               // t + the instrument's rate tolerance
reg [63:0]  c_t_per = 64'd0;               // t + its rate period
reg [31:0]  c_rper = 32'd0;                // its rate period
reg [64:0]  c_t_tol_all = 65'd0;           // t + the global rate tolerance
reg [63:0]  c_maxn = 64'd0;                // the instrument's MAX_ORDER_NOTIONAL
reg [23:0]  c_grow_m1 = 24'd0;             // the shares the order adds, less 1
reg signed [NW-1:0] c_ab = {NW{1'b0}};     // its A for a buy, B for a sell
reg signed [NW-1:0] c_ab_other = {NW{1'b0}};   // the other
reg [57:0]  c_ab_sat = 58'd0;              // c_ab (never negative) saturated at 2^57
// this input and the one in D (in C as this one was in M) are NEW or
// REPLACE orders of one instrument (on opposite sides: c_sd_opp):
// C checks this one under both outcomes of that one (see the checks)
reg         c_sd = 1'b0, c_sd_opp = 1'b0;
// the instrument's state C's checks add to and compare with, read here. An
// order of the instrument in D writes it as this input moves to C, so where
// D's order takes, its new values are taken here instead of the tables'
// (each sum worked out both ways, then picked).
wire          d_wr_inst;                   // D's order takes (assigned in stage D)
wire [IW-1:0] d_wr_k;                      // ...its instrument, and what it writes:
wire          d_wr_buy;                    // its side, and A (buy) or B (sell), and the other
wire signed [NW-1:0] d_wr_ab, d_wr_oth;
wire signed [SH-1:0] d_wr_ls, d_wr_ss;     // the share counts
wire [63:0]   d_wr_tat, d_wr_t;            // the rate bucket, the duplicate record's time
wire [1:0]    d_wr_side;                   // ...and its side, quantity and price
wire [23:0]   d_wr_qty;
wire [30:0]   d_wr_price;
wire m_byp = d_wr_inst && d_wr_k == m_k;
// A or B of this input's side, and the other, from the tables and from D
// (the sums on them, in C, start from the picked registers)
wire signed [NW-1:0] m_tbl_ab = m_f[F_OBUY] ? ea[m_k] : eb[m_k];
wire signed [NW-1:0] m_tbl_oth = m_f[F_OBUY] ? eb[m_k] : ea[m_k];
wire m_same_side = m_f[F_OBUY] == d_wr_buy;
wire signed [NW-1:0] m_byp_ab = m_same_side ? d_wr_ab : d_wr_oth;
wire signed [NW-1:0] m_byp_oth = m_same_side ? d_wr_oth : d_wr_ab;
// (the two time differences share m_t, so their pick is an AND-OR: Yosys
// would merge two sums behind one $mux into one sum behind the pick)
wire [63:0] m_dup_dt_byp, m_dup_dt_tbl;
tg_add3 #(.W(64), .INV(3'b010)) m_dup_dt_byp_add (.a(m_t), .b(d_wr_t), .c(64'd0), .cin(1'b1), .sum(m_dup_dt_byp));
tg_add3 #(.W(64), .INV(3'b010)) m_dup_dt_tbl_add (.a(m_t), .b(dt[m_k]), .c(64'd0), .cin(1'b1), .sum(m_dup_dt_tbl));
// the duplicate check's record against this order, compared here (the
// record as M reads it, D's order's where that one writes it, and the order
// in C, for C's check under both outcomes of it): in C the table reads and
// the compares sat in front of the decision's last levels
wire [1:0] m_oside = m_f[F_KIND +: 4] == TG_RISK_IN_NEW ? m_f[F_SIDE +: 2] : m_f[F_SSIDE +: 2];
wire [31:0] m_qty = m_f[F_QTY +: 32], m_price32 = m_f[F_PRICE +: 32];
(* keep *) wire m_dup_tbl = dv[m_k] && dside[m_k] == m_oside && {8'd0, dqty[m_k]} == m_qty
                          && {1'b0, dprice[m_k]} == m_price32;
(* keep *) wire m_dup_byp = d_wr_side == m_oside && {8'd0, d_wr_qty} == m_qty && {1'b0, d_wr_price} == m_price32;
reg signed [SH-1:0] c_ls = {SH{1'b0}}, c_ss = {SH{1'b0}};   // its share counts
reg [31:0]  c_maxl = 32'd0, c_maxs = 32'd0;
reg [63:0]  c_dup_dt = 64'd0;              // t - the last accepted order's
reg         c_dup_same = 1'b0;             // that order had this side, quantity and price
reg         c_dup_same_d = 1'b0;           // so has the order ahead (in C now, in D then)
reg         c_dupw_on = 1'b0;              // the instrument's DUP_WINDOW is not 0
reg [63:0]  c_tat = 64'd0;                 // its rate bucket
// what C compares the bucket with for the next one, max(tat, t) + period:
// t, or 0 where the period is 0 (with a carry in, the compare then holds
// and the sum is tat + 0: the bucket stays as it is)
reg         c_rper_zero = 1'b0;
reg [63:0]  c_t_gt = 64'd0;

// A or B saturated: the rooms' compares in C are sums on the low bits, and an
// order's notional is below 2^55, so any A or B from 2^57 up acts the same
function automatic [57:0] sat57(input [NW-1:0] v);
    sat57 = v[NW-1:57] != {(NW-57){1'b0}} ? {1'b1, 57'd0} : {1'b0, v[56:0]};
endfunction

// M's input and C's are NEW or REPLACE orders of one instrument (c_sd next)
// t plus a rate term, for C (tg_add3 with a third operand of 0: a chain
// past 48 bits is cut in two, see there)
wire [64:0] m_t_tol, m_t_tol_all;
wire [63:0] m_t_per;
tg_add3 #(.W(65)) m_t_tol_add (.a({1'b0, m_t}), .b({33'd0, a_rtol[m_k]}), .c(65'd0), .cin(1'b0), .sum(m_t_tol));
tg_add3 #(.W(65)) m_t_tol_all_add (.a({1'b0, m_t}), .b({33'd0, a_rtola}), .c(65'd0), .cin(1'b0),
                                   .sum(m_t_tol_all));
tg_add3 #(.W(64)) m_t_per_add (.a(m_t), .b({32'd0, a_rper[m_k]}), .c(64'd0), .cin(1'b0), .sum(m_t_per));
wire m_sd = takes_in(m_valid, m_f) && takes_in(c_valid, c_f) && c_f[F_K +: IW] == m_k;
wire m_same = m_sd && c_f[F_OBUY] == m_f[F_OBUY];
wire m_opp = m_sd && c_f[F_OBUY] != m_f[F_OBUY];
// the input's fields in range, compared in M into registers (in C they
// were a compare's chain in front of every check's enable: a RESTATE's
// share counts in D, 8.25 LUT levels in the core)
reg c_qty_le = 1'b0, c_qty_in = 1'b0;      // qty <= QTY_MAX; and not 0
reg c_px_le = 1'b0, c_px_in = 1'b0;        // price <= PRICE_MAX; and not 0
reg c_px2_le = 1'b0;                       // price2 <= PRICE_MAX
always @(posedge clk) begin
    c_valid <= m_valid;
    c_sd <= m_sd;
    c_sd_opp <= m_opp;
    if (m_valid) begin
        c_f <= m_f;
        c_qty_le <= m_qty <= QTY_MAX;
        c_qty_in <= m_qty != 32'd0 && m_qty <= QTY_MAX;
        c_px_le <= m_price32 <= PRICE_MAX;
        c_px_in <= m_price32 != 32'd0 && m_price32 <= PRICE_MAX;
        c_px2_le <= m_f[F_PRICE2 +: 32] <= PRICE_MAX;
        for (i = 0; i < 6; i = i + 1) begin
            c_ppl[i] <= dsp(x_chunk(m_xl_used, i / 2), p_chunk(m_pricel, i % 2));
            c_pps[i] <= dsp(x_chunk(m_xs_used, i / 2), p_chunk(m_prices, i % 2));
        end
        c_mw <= {m_pm1[37:0], m_pm0[16:0]};
        c_ppo[0] <= dsp({1'b0, m_f[F_QTY +: 24]}, {1'b0, m_price[16:0]});
        c_ppo[1] <= dsp({1'b0, m_f[F_QTY +: 24]}, {4'd0, m_price[30:17]});
        c_ppsc[0] <= dsp({1'b0, m_price[23:0]}, 18'd10000);
        c_ppsc[1] <= dsp({18'd0, m_price[30:24]}, 18'd10000);
        c_pphi[0] <= dsp({1'b0, m_refp[23:0]}, m_cl);
        c_pphi[1] <= dsp({18'd0, m_refp[30:24]}, m_cl);
        c_pplo[0] <= dsp({1'b0, m_refp[23:0]}, m_ch);
        c_pplo[1] <= dsp({18'd0, m_refp[30:24]}, m_ch);
        c_t_tol <= m_t_tol;
        c_t_per <= m_t_per;
        c_rper <= a_rper[m_k];
        c_t_tol_all <= m_t_tol_all;
        c_maxn <= a_maxn[m_k];
        c_grow_m1 <= m_f[F_GROW +: 24] - 24'd1;
        c_ab <= m_byp ? m_byp_ab : m_tbl_ab;
        c_ab_other <= m_byp ? m_byp_oth : m_tbl_oth;
        c_ab_sat <= m_byp ? sat57(m_byp_ab) : sat57(m_tbl_ab);
        c_ls <= m_byp ? d_wr_ls : ls[m_k];
        c_ss <= m_byp ? d_wr_ss : ss[m_k];
        c_maxl <= a_maxl[m_k];
        c_maxs <= a_maxs[m_k];
        c_dup_dt <= ({64{m_byp}} & m_dup_dt_byp) | ({64{!m_byp}} & m_dup_dt_tbl);
        c_dup_same <= (m_byp && m_dup_byp) || (!m_byp && m_dup_tbl);
        c_dup_same_d <= (c_f[F_KIND +: 4] == TG_RISK_IN_NEW ? c_f[F_SIDE +: 2] : c_f[F_SSIDE +: 2]) == m_oside
                        && {8'd0, c_f[F_QTY +: 24]} == m_qty && {1'b0, c_f[F_PRICE +: 31]} == m_price32;
        c_dupw_on <= a_dupw[m_k] != 32'd0;
        c_tat <= m_byp ? d_wr_tat : tat[m_k];
        c_rper_zero <= a_rper[m_k] == 32'd0;
        c_t_gt <= a_rper[m_k] == 32'd0 ? 64'd0 : m_t;
    end
    if (rst) begin
        c_valid <= 1'b0;
    end
end

// Carry-save sums, XW bits wide: three numbers to two (sum and carry) in one
// LUT level, so a sum of several takes one carry chain.
localparam integer XW = NW + 1;
function automatic signed [XW-1:0] px(input signed [42:0] v, input integer shift);
    px = {{(XW-43){v[42]}}, v} <<< shift;
endfunction
function automatic [XW-1:0] cs_s(input [XW-1:0] a, input [XW-1:0] b, input [XW-1:0] c3);
    cs_s = a ^ b ^ c3;
endfunction
function automatic [XW-1:0] cs_c(input [XW-1:0] a, input [XW-1:0] b, input [XW-1:0] c3);
    cs_c = ((a & b) | (a & c3) | (b & c3)) << 1;
endfunction

// ------------------------------------------------------------------ stage C: the checks
// (one of this instrument that was in D while this input was in M has
// written, and M took its values: m_byp; one in D now is checked under both
// outcomes: c_sd)
wire [IW-1:0] k = c_f[F_K +: IW];
wire [3:0] c_kind = c_f[F_KIND +: 4];
wire [31:0] c_qty = c_f[F_QTY +: 32];
wire [63:0] c_t = c_f[F_T +: 64];
wire [23:0] c_grow = c_f[F_GROW +: 24];
wire [30:0] c_refp = c_f[F_REFP +: 31];
wire c_sopen = c_f[F_SOPEN];
wire c_slot_ok = c_f[F_SLOT_OK];
wire c_is_new = c_kind == TG_RISK_IN_NEW;
wire [1:0] c_oside = c_is_new ? c_f[F_SIDE +: 2] : c_f[F_SSIDE +: 2];   // the order's side
wire c_buy = c_f[F_OBUY];
wire c_fields_ok = c_qty_in && c_px_in;

// pl and ps from their six pieces, to a sum and a carry that D adds (the
// shifts: price chunk 0 or 17, share chunk 0, 24 or 48)
function automatic [2*XW-1:0] pieces6(input [6*43-1:0] p);
    reg [XW-1:0] q0, q1, q2, q3, q4, q5, s1, c1, s2, c2, s3, c3;
    begin
        q0 = px(p[0*43 +: 43], 0);
        q1 = px(p[1*43 +: 43], 17);
        q2 = px(p[2*43 +: 43], 24);
        q3 = px(p[3*43 +: 43], 41);
        q4 = px(p[4*43 +: 43], 48);
        q5 = px(p[5*43 +: 43], 65);
        s1 = cs_s(q0, q1, q2);
        c1 = cs_c(q0, q1, q2);
        s2 = cs_s(q3, q4, q5);
        c2 = cs_c(q3, q4, q5);
        s3 = cs_s(s1, c1, s2);
        c3 = cs_c(s1, c1, s2);
        pieces6 = {cs_s(s3, c3, c2), cs_c(s3, c3, c2)};
    end
endfunction
wire [2*XW-1:0] c_pl = pieces6({c_ppl[5], c_ppl[4], c_ppl[3], c_ppl[2], c_ppl[1], c_ppl[0]});
wire [2*XW-1:0] c_ps = pieces6({c_pps[5], c_pps[4], c_pps[3], c_pps[2], c_pps[1], c_pps[0]});
// an order's notional, and the limit price's checks against it and the collar
wire signed [NW-1:0] c_m = {{(NW-55){1'b0}}, c_mw};
// (compares as sums >= 0: x > y is x - y - 1 >= 0, and -y - 1 = ~y; the
// widths hold every sum: quantity x price < 2^55, the collar's < 2^46)
localparam integer OW = 66, CW = 50;
function automatic [OW-1:0] po(input signed [42:0] v, input integer shift);
    po = {{(OW-43){v[42]}}, v} << shift;
endfunction
function automatic [CW-1:0] pc(input signed [42:0] v, input integer shift);
    pc = {{(CW-43){v[42]}}, v} << shift;
endfunction
wire c_onot_over, c_above_hi, c_below_lo;
tg_sum_ge0 #(.W(OW), .D_ZERO(1), .INV(3'b100)) onot_over_inst (
    .a(po(c_ppo[0], 0)), .b(po(c_ppo[1], 17)), .c({2'b00, c_maxn}), .d({OW{1'b0}}), .cin(1'b0),
    .ge0(c_onot_over));
tg_sum_ge0 #(.W(CW)) above_hi_inst (
    .a(pc(c_ppsc[0], 0)), .b(pc(c_ppsc[1], 24)), .c(~pc(c_pphi[0], 0)), .d(~pc(c_pphi[1], 24)), .cin(1'b1),
    .ge0(c_above_hi));
tg_sum_ge0 #(.W(CW)) below_lo_inst (
    .a(pc(c_pplo[0], 0)), .b(pc(c_pplo[1], 24)), .c(~pc(c_ppsc[0], 0)), .d(~pc(c_ppsc[1], 24)), .cin(1'b1),
    .ge0(c_below_lo));

wire rate_ok = a_rper[k] == 32'd0 || {1'b0, tat[k]} <= c_t_tol;
wire dup_same = c_dupw_on && c_dup_same;

// The order checks (check_order in sw/risk.c), reasons MAX_ORDER_QTY (bit 0)
// to DUPLICATE (bit 13), which are consecutive codes. Those on the
// instrument's state and the totals follow (c_fail_r, c_fail_a).
wire [13:0] c_order_fail = {
    10'd0,
    c_refp != 31'd0 && (c_above_hi || c_below_lo),
    c_refp == 31'd0 && a_noref,
    c_onot_over,
    c_qty > a_maxq[k]
};

// the checks in front of them, per kind: {fail flag, reason} pairs, first first
wire inst_halted = c_f[F_HALTED];
wire c_ikilled = c_f[F_IKILLED];
wire c_killed = c_f[F_KILLED];
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
            pre_fail = {c_sopen, !c_fields_ok || !c_slot_ok, inst_halted, !a_en[k], c_ikilled,
                        !c_f[F_INST_OK], c_killed};
            pre_code = {TG_RISK_R_SLOT_BUSY, TG_RISK_R_BAD_ORDER, TG_RISK_R_HALTED, TG_RISK_R_NOT_ENABLED,
                        TG_RISK_R_INSTRUMENT_KILLED, TG_RISK_R_NOT_ENABLED, TG_RISK_R_KILLED};
            pre_then_orders = 1'b1;
        end
        TG_RISK_IN_REPLACE: begin
            pre_fail = {!c_fields_ok, inst_halted, !a_en[k], c_ikilled, !c_sopen, !c_slot_ok, c_killed};
            pre_code = {TG_RISK_R_BAD_ORDER, TG_RISK_R_HALTED, TG_RISK_R_NOT_ENABLED, TG_RISK_R_INSTRUMENT_KILLED,
                        TG_RISK_R_UNKNOWN_ORDER, TG_RISK_R_BAD_ORDER, TG_RISK_R_KILLED};
            pre_then_orders = 1'b1;
        end
        TG_RISK_IN_CANCEL: begin
            pre_fail = {4'd0, c_qty >= {8'd0, c_f[F_SREM +: 24]}, !c_sopen, !c_slot_ok};
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
// max(m - A, 0), a sell by max(m - B, 0): dg = m - A (or B) against the room
// left under MAX_GROSS. (m comes whole from the DSPs' output registers, so
// each compare below takes it as one operand.)

// stage C -> D (declared here: C's checks look at the order in D)
reg [1:0]   d_oside = 2'd0;
reg [4:0]   d_pre_reason = 5'd0;
reg         d_then_orders = 1'b0;
reg [13:0]  d_fail_r = 14'd0, d_fail_a = 14'd0;   // failed checks if D's order is refused, taken
reg         d_acc_prev = 1'b0;             // the order decided last cycle took
reg signed [NW-1:0] d_m = {NW{1'b0}};      // an order's notional at the reference price
reg [2*XW-1:0] d_pl = {2*XW{1'b0}}, d_ps = {2*XW{1'b0}};   // sum and carry
reg signed [NW-1:0] d_ln = {NW{1'b0}}, d_sn = {NW{1'b0}}, d_g = {NW{1'b0}};
// A (buy) or B (sell) if it takes, and the other: with the order ahead refused
// or of another instrument (_r), taken (_a); d_yt picks
// (the other's taken outcome as two: where g rises, d_gpa, and where not)
reg signed [NW-1:0] d_abn_r = {NW{1'b0}}, d_othn_r = {NW{1'b0}}, d_abn_a = {NW{1'b0}};
reg signed [NW-1:0] d_othn_ar = {NW{1'b0}}, d_othn_ay = {NW{1'b0}};
reg         d_gpa = 1'b0;
reg         d_yt = 1'b0;                   // the order ahead was of this instrument, and took
wire signed [NW-1:0] d_abn = d_yt ? d_abn_a : d_abn_r;
wire signed [NW-1:0] d_othn = d_yt ? (d_gpa ? d_othn_ar : d_othn_ay) : d_othn_r;
reg signed [SH-1:0] d_l2 = {SH{1'b0}}, d_s2 = {SH{1'b0}};
reg [63:0]  d_tat_next = 64'd0;
reg [63:0]  d_t_per_all = 64'd0;           // t + the global rate period
reg [64:0]  d_t_dupw = 65'd0;              // t + its instrument's duplicate window
reg         d_upd_inst = 1'b0, d_fill_ok = 1'b0, d_bust = 1'b0, d_matched = 1'b0;
reg         d_restate_ok = 1'b0, d_ref_ok = 1'b0, d_slot_open = 1'b0, d_set_ok = 1'b0, d_closes = 1'b0;
reg [31:0]  d_negref = 32'd0;             // a REF's new reference price, negated
reg [23:0]  d_rem_next = 24'd0;            // a slot's open quantity after a fill or restatement
reg signed [SH-1:0] d_dl = {SH{1'b0}}, d_ds = {SH{1'b0}}, d_dpos = {SH{1'b0}};
reg         d_tk = 1'b0;                   // D holds a NEW or REPLACE (it takes if accepted)
// what D's order, if it takes, changes C's rooms by: its dg where that
// raises g, its m on its side's net total; else 0 (registered so, so that
// C's compares take them straight from registers). GW and NTW are the
// widths of C's compares on the gross and net rooms (see there).
localparam integer GW = 61, NTW = 59;
reg [GW-1:0] d_dg_up = {GW{1'b0}};
reg [NTW-1:0] d_m_buy = {NTW{1'b0}}, d_m_sell = {NTW{1'b0}};
reg         d_is_ref = 1'b0;               // D holds a REF

wire [3:0] d_kind = d_f[F_KIND +: 4];
wire d_is_new = d_kind == TG_RISK_IN_NEW;
wire d_buy = d_oside == TG_RISK_SIDE_BUY;
wire [63:0] d_t = d_f[F_T +: 64];

// ---- the instrument's checks, under both outcomes of its order in D (c_sd)
// Outcome 0: D's order refused, or of another instrument: the state as M
// and C read it. Outcome 1: D's order of this instrument takes: the share
// counts and rate bucket it leaves (its D registers), one more open order
// for a NEW, and it as the last order for the duplicate check.
wire c_tk = takes_in(c_valid, c_f);        // C holds a NEW or REPLACE
wire c_grows = c_grow != 24'd0;
localparam integer LW = SH + 2;
wire [LW-1:0] c_growx = {{(LW-24){1'b0}}, c_grow};
wire [2*SH-1:0] c_ls_o = {d_l2, c_ls}, c_ss_o = {d_s2, c_ss};
wire [1:0] c_short_o, c_long_o, c_reduce_o;
genvar o;
generate
    for (o = 0; o < 2; o = o + 1) begin : share_checks
        wire [SH-1:0] ls_o = c_ls_o[o*SH +: SH], ss_o = c_ss_o[o*SH +: SH];
        wire [LW-1:0] lsx = {{2{ls_o[SH-1]}}, ls_o}, ssx = {{2{ss_o[SH-1]}}, ss_o};
        wire l_over, s_over;
        tg_sum_ge0 #(.W(LW), .D_ZERO(1), .INV(3'b100)) long_inst (   // ls + grow > MAX_LONG
            .a(lsx), .b(c_growx), .c({{(LW-32){1'b0}}, c_maxl}), .d({LW{1'b0}}), .cin(1'b0),
            .ge0(l_over));
        tg_sum_ge0 #(.W(LW), .D_ZERO(1), .INV(3'b110)) short_inst (  // -(ss - grow) > MAX_SHORT
            .a(c_growx), .b(ssx), .c({{(LW-32){1'b0}}, c_maxs}), .d({LW{1'b0}}), .cin(1'b1),
            .ge0(s_over));
        // (reduce-only: a buy fails where ls + grow > 0, a sell where
        // ss - grow < 0: one plain sum of the order's side, with grow - 1
        // where grow is not 0, the only case that counts: ls + (grow - 1)
        // >= 0, ss + ~(grow - 1) < 0. The side is picked in front of the
        // chain, from registers, so that one sign and the side make the
        // check after it. With grow itself ABC builds the compares' above
        // out of these, a level in front)
        wire [LW-1:0] c_grow_m1x = {{(LW-24){1'b0}}, c_grow_m1};
        /* verilator lint_off UNUSEDSIGNAL */
        wire [LW-1:0] ro_sum;
        /* verilator lint_on UNUSEDSIGNAL */
        tg_add3 #(.W(LW)) ro_add (.a(c_buy ? lsx : ssx), .b(c_buy ? c_grow_m1x : ~c_grow_m1x), .c({LW{1'b0}}),
                                  .cin(1'b0), .sum(ro_sum));
        assign c_short_o[o] = c_grows && !c_buy && s_over;
        assign c_long_o[o] = c_grows && c_buy && l_over;
        assign c_reduce_o[o] = c_grows && a_ro[k] && (c_buy != ro_sum[LW-1]);
    end
endgenerate
wire c_short_r = c_short_o[0], c_long_r = c_long_o[0], c_reduce_r = c_reduce_o[0];
wire c_short_a = c_sd ? c_short_o[1] : c_short_o[0];
wire c_long_a = c_sd ? c_long_o[1] : c_long_o[0];
wire c_reduce_a = c_sd ? c_reduce_o[1] : c_reduce_o[0];
wire c_dup_r = dup_same && c_dup_dt < {32'd0, a_dupw[k]};
wire c_dup_a = !c_sd ? c_dup_r
             : c_dupw_on && c_dup_same_d && {1'b0, c_t} < d_t_dupw;
wire c_irate_r = !rate_ok;
wire c_irate_a = c_sd ? a_rper[k] != 32'd0 && {1'b0, d_tat_next} > c_t_tol : c_irate_r;
// (open orders against the limit with and without D's NEW of this
// instrument, each one chain, picked after them; 17 bits hold n + 1 - max,
// as open orders are at most SLOTS <= 4096: with D's order as a bit
// added in front of the compare, the bit's logic and an adder stood in
// front of the compare's chain)
/* verilator lint_off UNUSEDSIGNAL */
wire [16:0] c_open_less = {1'b0, nopen[k]} - {1'b0, a_maxo[k]};         // n - max
wire [16:0] c_open1_less;                                                // n + 1 - max
/* verilator lint_on UNUSEDSIGNAL */
tg_add3 #(.W(17), .INV(3'b010)) c_open1_add (.a({1'b0, nopen[k]}), .b({1'b0, a_maxo[k]}), .c(17'd1),
                                             .cin(1'b1), .sum(c_open1_less));
wire c_iopen_r = c_is_new && !c_open_less[16];
wire c_iopen_a = c_is_new && (c_sd && d_is_new ? !c_open1_less[16] : !c_open_less[16]);

// ---- the totals' checks, under both outcomes of the order in D now
// x_* is a total's room after every order that left D. If D's order takes,
// a room is less by its change (dg where g rises, m for the net total of its
// side): one more operand of the same compare. D picks by its decision.
// Each compare is a sum >= 0 on the room's low bits; a room beyond them (its
// top bits not all its sign) decides alone: an order's m and dg are below
// 2^55, and A or B is saturated at 2^57 (where m > A is false anyway).
// dg on the low bits: exact wherever it is not negative (then A <= m < 2^55)
wire [GW-1:0] c_dg_n;
tg_add3 #(.W(GW), .INV(3'b010)) c_dg_n_sub (.a(c_m[GW-1:0]), .b({{(GW-58){1'b0}}, c_ab_sat}), .c({GW{1'b0}}),
                                          .cin(1'b1), .sum(c_dg_n));
wire c_g_big = !x_gross[NW] && x_gross[NW-1:58] != {(NW-58){1'b0}};   // room >= 2^58
wire c_g_neg = x_gross[NW] && x_gross[NW-1:58] != {(NW-58){1'b1}};    // room < -2^58
wire c_g_over_r, c_g_over_a;
// m > A (g rises, D's order refused): m - A - 1 >= 0, a sum as c_dg_n's, not
// a carry-save compare (whose first level ABC would build the gross
// compares' out of). It is c_dg_n less one, made apart: taken from c_dg_n it
// would need a zero test after the chain.
/* verilator lint_off UNUSEDSIGNAL */
wire [GW-1:0] c_dg_n1;
/* verilator lint_on UNUSEDSIGNAL */
tg_add3 #(.W(GW), .INV(3'b010)) c_dg_n1_sub (.a(c_m[GW-1:0]), .b({{(GW-58){1'b0}}, c_ab_sat}), .c({GW{1'b0}}),
                                           .cin(1'b0), .sum(c_dg_n1));
wire c_g_pos = !c_dg_n1[GW-1];
// D's order refused: m - A > max(room, 0), which is m > A where the room is
// negative, so this one compare is the whole check (the room's clamp is a
// level from registers, beside the carry-save level)
wire [GW-1:0] c_g_room0 = x_gross[NW] ? {GW{1'b0}} : x_gross[GW-1:0];
tg_sum_ge0 #(.W(GW), .D_ZERO(1), .INV(3'b110)) gross_r_inst (   // m - A > max(room, 0)
    .a(c_m[GW-1:0]), .b(c_g_room0), .c({{(GW-58){1'b0}}, c_ab_sat}), .d({GW{1'b0}}),
    .cin(1'b1), .ge0(c_g_over_r));
// D's order taken, of another instrument: g rises where m > A, and the check
// is m - A > room - D's rise. Of this instrument (c_sd), with m' its notional
// and dg' its rise: A after it is max(A - m', 0) = A - m' + dg' on the same
// side, B + dg' on the other, so g rises where m + t1 - A - t2 > 0 (t1 = m'
// on the same side, t2 = dg'), and the check is m + m' - A > room on the
// same side, m - A > room on the other: the room less D's change, u, is
// room - dg', room - m' or room. (Each three register terms to a sum and a
// carry in a level of their own.)
// (t1, t2 and u are registers: D's m' and dg' picked as that order moved
// to D, so each carry-save bit below is one LUT of register inputs)
reg [GW-1:0] c_t1 = {GW{1'b0}}, c_t2 = {GW{1'b0}}, c_u = {GW{1'b0}};
wire [GW-1:0] c_ga_1 = ~{{(GW-58){1'b0}}, c_ab_sat}, c_ga_2 = ~x_gross[GW-1:0], c_gp_2 = ~c_t2;
(* keep *) wire [GW-1:0] c_ga_s = c_ga_1 ^ c_ga_2 ^ c_u;
(* keep *) wire [GW-1:0] c_gp_s = c_ga_1 ^ c_gp_2 ^ c_t1;
/* verilator lint_off UNUSEDSIGNAL */
(* keep *) wire [GW-1:0] c_ga_c = (c_ga_1 & c_ga_2) | (c_ga_1 & c_u) | (c_ga_2 & c_u);
(* keep *) wire [GW-1:0] c_gp_c = (c_ga_1 & c_gp_2) | (c_ga_1 & c_t1) | (c_gp_2 & c_t1);
/* verilator lint_on UNUSEDSIGNAL */
// m + t1 - A - t2 from c_gp_* and m, a ternary adder each (tg_add3): D's
// rise (c_dg_na) and whether g rises (m + t1 - A - t2 - 1 >= 0), which
// differ in their low bits alone (-A - 1 and -t2 - 1 above: the rise takes
// both ones back, the compare one)
/* verilator lint_off UNUSEDSIGNAL */
wire [GW-1:0] c_gpa_sum, c_dg_na;
/* verilator lint_on UNUSEDSIGNAL */
tg_add3 #(.W(GW)) c_gpa_add (.a(c_m[GW-1:0]), .b(c_gp_s), .c({c_gp_c[GW-2:0], 1'b0}), .cin(1'b1),
                             .sum(c_gpa_sum));        // m + t1 - A - t2 - 1
tg_add3 #(.W(GW)) c_dg_add (.a(c_m[GW-1:0]), .b(c_gp_s), .c({c_gp_c[GW-2:0], 1'b1}), .cin(1'b1),
                            .sum(c_dg_na));           // m + t1 - A - t2
wire c_g_pos_a = !c_gpa_sum[GW-1];
tg_sum_ge0 #(.W(GW), .D_ZERO(1)) gross_a_inst (       // m - A > room - u
    .a(c_m[GW-1:0]), .b(c_ga_s), .c({c_ga_c[GW-2:0], 1'b0}), .d({GW{1'b0}}), .cin(1'b1),
    .ge0(c_g_over_a));
// (what is known before the carry chains end is combined apart and kept:
// ABC sees every input arrive at once, and would put a chain's result deep
// in a cone)
(* keep *) wire c_g_r_en = pre_then_orders && c_grows && !c_g_big;
(* keep *) wire c_g_a_neg = pre_then_orders && c_grows && c_g_neg;
(* keep *) wire c_g_a_en = pre_then_orders && c_grows && !c_g_neg && !c_g_big;
wire c_gross_r = c_g_r_en && c_g_over_r;
wire c_gross_a = c_g_pos_a && (c_g_a_neg || (c_g_a_en && c_g_over_a));

// the net total of the order's side: m > room (m > 0: shares at a price),
// both sides compared and the order's picked after the carry chains
wire c_m_pos = c_grows && c_refp != 31'd0;
wire c_nl_big = !x_netl[NW] && x_netl[NW-1:57] != {(NW-57){1'b0}};     // room >= 2^57
wire c_nl_neg = x_netl[NW] && x_netl[NW-1:57] != {(NW-57){1'b1}};      // room < -2^57
wire c_ns_big = !x_nets[NW] && x_nets[NW-1:57] != {(NW-57){1'b0}};
wire c_ns_neg = x_nets[NW] && x_nets[NW-1:57] != {(NW-57){1'b1}};
wire c_nl_over_a, c_ns_over_a;
wire [NTW-1:0] c_nl_r = c_m[NTW-1:0] + ~x_netl[NTW-1:0], c_ns_r = c_m[NTW-1:0] + ~x_nets[NTW-1:0];
wire c_nl_over_r = !c_nl_r[NTW-1], c_ns_over_r = !c_ns_r[NTW-1];
tg_sum_ge0 #(.W(NTW), .D_ZERO(1), .INV(3'b100)) net_long_a_inst (
    .a(c_m[NTW-1:0]), .b(d_m_buy), .c(x_netl[NTW-1:0]), .d({NTW{1'b0}}),
    .cin(1'b0), .ge0(c_nl_over_a));
tg_sum_ge0 #(.W(NTW), .D_ZERO(1), .INV(3'b100)) net_short_a_inst (
    .a(c_m[NTW-1:0]), .b(d_m_sell), .c(x_nets[NTW-1:0]), .d({NTW{1'b0}}),
    .cin(1'b0), .ge0(c_ns_over_a));
// (the room's own verdict, and which compare counts, picked by side ahead
// of the chains' results)
(* keep *) wire c_n_neg = pre_then_orders && c_m_pos && (c_buy ? c_nl_neg : c_ns_neg);
(* keep *) wire c_n_l = pre_then_orders && c_m_pos && c_buy && !c_nl_big && !c_nl_neg;
(* keep *) wire c_n_s = pre_then_orders && c_m_pos && !c_buy && !c_ns_big && !c_ns_neg;
wire c_net_r = c_n_neg || (c_n_l && c_nl_over_r) || (c_n_s && c_ns_over_r);
wire c_net_a = c_n_neg || (c_n_l && c_nl_over_a) || (c_n_s && c_ns_over_a);

// open orders, and the global rate bucket: D's order, taken, moves it to
// max(tat, t) + period, above t + tolerance where either sum is
// (with and without D's NEW, picked after the chains, as for the instrument)
/* verilator lint_off UNUSEDSIGNAL */
wire [16:0] c_opena_less = {1'b0, nopen_all} - {1'b0, a_opena};          // n - max
wire [16:0] c_opena1_less;                                                // n + 1 - max
/* verilator lint_on UNUSEDSIGNAL */
tg_add3 #(.W(17), .INV(3'b010)) c_opena1_add (.a({1'b0, nopen_all}), .b({1'b0, a_opena}), .c(17'd1),
                                              .cin(1'b1), .sum(c_opena1_less));
wire c_open_r = c_is_new && !c_opena_less[16];
wire c_open_a = c_is_new && (d_valid && d_is_new ? !c_opena1_less[16] : !c_opena_less[16]);
wire c_rate_r = a_rpera != 32'd0 && {1'b0, tat_all} > c_t_tol_all;
wire c_tat_over, c_t_over;
tg_sum_ge0 #(.W(67), .D_ZERO(1), .INV(3'b100)) rate_tat_inst (
    .a({3'd0, tat_all}), .b({35'd0, a_rpera}), .c({2'd0, c_t_tol_all}), .d(67'd0),
    .cin(1'b0), .ge0(c_tat_over));
tg_sum_ge0 #(.W(67), .D_ZERO(1), .INV(3'b100)) rate_t_inst (
    .a({3'd0, d_t}), .b({35'd0, a_rpera}), .c({2'd0, c_t_tol_all}), .d(67'd0),
    .cin(1'b0), .ge0(c_t_over));
wire c_rate_a = d_tk ? a_rpera != 32'd0 && (c_tat_over || c_t_over) : c_rate_r;

// fail bits added here: {dup, rate_all, rate, open_all, open, net, gross,
// short, long, reduce-only} at bits 13 to 4
function automatic [13:0] tot_bits(input dup_f, input rate_f, input irate_f, input open_f, input iopen_f,
                                   input net_f, input gross_f, input short_f, input long_f, input reduce_f);
    tot_bits = {dup_f, rate_f, irate_f, open_f, iopen_f, net_f, gross_f, short_f, long_f, reduce_f, 4'd0};
endfunction
// (the net and gross bits hold pre_then_orders already)
wire [13:0] c_fail_r = (!pre_then_orders ? 14'd0
                        : c_order_fail | tot_bits(c_dup_r, c_rate_r, c_irate_r, c_open_r, c_iopen_r, 1'b0, 1'b0,
                                                  c_short_r, c_long_r, c_reduce_r))
                     | tot_bits(1'b0, 1'b0, 1'b0, 1'b0, 1'b0, c_net_r, c_gross_r, 1'b0, 1'b0, 1'b0);
wire [13:0] c_fail_a = (!pre_then_orders ? 14'd0
                        : c_order_fail | tot_bits(c_dup_a, c_rate_a, c_irate_a, c_open_a, c_iopen_a, 1'b0, 1'b0,
                                                  c_short_a, c_long_a, c_reduce_a))
                     | tot_bits(1'b0, 1'b0, 1'b0, 1'b0, 1'b0, c_net_a, c_gross_a, 1'b0, 1'b0, 1'b0);


// ---- fills, restatements and reference prices: share changes of their
// instrument (these inputs never share the pipeline with an order of their
// instrument ahead, so the state read in M and C is settled)
wire [1:0] c_sub = c_f[F_SUB +: 2];
wire c_inst_ok = c_f[F_INST_OK];
wire [23:0] c_rq = c_f[F_STALE] ? c_f[F_SREM +: 24] : c_f[F_RQ +: 24];   // stale: the slot's own
wire [23:0] c_fill_d = c_f[F_FILL_D +: 24];
wire [23:0] c_srem = c_f[F_SREM +: 24];
wire [63:0] c_value = c_f[F_VALUE +: 64];
wire [4:0] c_field = c_f[F_FIELD +: 5];
wire c_fill_ok = c_f[F_INST_OK] && c_qty_in && !c_sub[1];
wire c_bust = c_sub[0];                    // FILL sub 1: reverse an execution
// the side the position moves to: the execution's, or against it for a bust
wire c_fill_up = (c_f[F_SIDE +: 2] == TG_RISK_SIDE_BUY) != c_bust;
wire c_restate_ok = c_slot_ok && c_qty_le && !c_sub[1];
wire c_ref_ok = c_inst_ok && c_sub != 2'd3 && c_px_le && c_px2_le;
wire c_slot_open = c_slot_ok && c_sopen;
wire c_restate_buy = c_f[F_SSIDE +: 2] == TG_RISK_SIDE_BUY;
wire [23:0] c_rem_fill = c_srem - c_fill_d;
// a RESTATE's change of the open quantity, rq - rem (both below 2^24) on 25
// bits, sign-extended after the chain rather than a chain of SH bits whose
// upper half only carries the sign
wire [24:0] c_rq_less = {1'b0, c_rq} - {1'b0, c_srem};
wire [24:0] c_rem_less = {1'b0, c_srem} - {1'b0, c_rq};

// share counts, and whether the input changes its instrument at all
reg signed [SH-1:0] upd_dl, upd_ds, upd_dpos;
reg upd_inst;
always @* begin
    upd_dl = {SH{1'b0}};
    upd_ds = {SH{1'b0}};
    upd_dpos = {SH{1'b0}};
    upd_inst = 1'b0;
    case (c_kind)
        // a bust is never matched (fill_d 0): L, S and the position move
        // together, as for an execution of no open order on the other side
        TG_RISK_IN_FILL: if (c_fill_ok) begin
            upd_inst = 1'b1;
            if (c_fill_up) begin
                upd_dpos = $signed({{(SH-24){1'b0}}, c_qty[23:0]});
                upd_dl = $signed({{(SH-24){1'b0}}, c_qty[23:0] - c_fill_d});
                upd_ds = $signed({{(SH-24){1'b0}}, c_qty[23:0]});
            end else begin
                upd_dpos = -$signed({{(SH-24){1'b0}}, c_qty[23:0]});
                upd_ds = -$signed({{(SH-24){1'b0}}, c_qty[23:0] - c_fill_d});
                upd_dl = -$signed({{(SH-24){1'b0}}, c_qty[23:0]});
            end
        end
        TG_RISK_IN_RESTATE: if (c_restate_ok && c_slot_open) begin
            upd_inst = 1'b1;
            if (c_restate_buy) begin
                upd_dl = {{(SH-25){c_rq_less[24]}}, c_rq_less};
            end else begin
                upd_ds = {{(SH-25){c_rem_less[24]}}, c_rem_less};
            end
        end
        TG_RISK_IN_REF: upd_inst = c_ref_ok;
        default: ;
    endcase
end

reg set_ok;
reg [63:0] set_max;
always @* begin
    set_ok = 1'b1;
    set_max = 64'hffff_ffff_ffff_ffff;
    case (c_field)
        TG_RISK_LIM_ENABLED, TG_RISK_LIM_REDUCE_ONLY, TG_RISK_LIM_NO_REF_REJECT: set_max = 64'd1;
        TG_RISK_LIM_MAX_ORDER_QTY, TG_RISK_LIM_MAX_LONG, TG_RISK_LIM_MAX_SHORT,
        TG_RISK_LIM_RATE_PERIOD, TG_RISK_LIM_RATE_TOLERANCE, TG_RISK_LIM_DUP_WINDOW,
        TG_RISK_LIM_RATE_PERIOD_ALL, TG_RISK_LIM_RATE_TOLERANCE_ALL: set_max = 64'hffff_ffff;
        TG_RISK_LIM_MAX_ORDER_NOTIONAL, TG_RISK_LIM_MAX_GROSS, TG_RISK_LIM_MAX_NET: ;
        TG_RISK_LIM_COLLAR_BPS: set_max = 64'd10000;
        TG_RISK_LIM_MAX_OPEN, TG_RISK_LIM_MAX_OPEN_ALL: set_max = 64'hffff;
        default: set_ok = 1'b0;
    endcase
    if (c_field < 5'd16 && !c_inst_ok) begin
        set_ok = 1'b0;
    end
    if (c_value > set_max) begin
        set_ok = 1'b0;
    end
end

// A and B after the order, if it takes, worked out here so that D writes
// them (and M takes them, see m_byp) from registers: its side's becomes
// max(-dg, 0), the other grows by dg where that is not negative. Where g
// rises (c_g_pos) A <= m < 2^55 and dg < 2^55, else A - m >= 0 here, so each
// is a sum on the low 57 bits whose carry (or borrow) picks the bits above
// as they are or one up (down): no carry chain over all NW bits. (The
// other's is O - A + m on the low bits: a ternary adder, tg_add3, on C's
// registers. M once made O - A, a carry chain behind its table reads.)
localparam integer LOW = 57;
wire [LOW:0] c_abl;
tg_add3 #(.W(LOW + 1), .INV(3'b010)) c_abl_sub (.a({1'b0, c_ab[LOW-1:0]}), .b(c_m[LOW:0]), .c({(LOW+1){1'b0}}),
                                              .cin(1'b1), .sum(c_abl));
wire [LOW:0] c_othl;
tg_add3 #(.W(LOW + 1), .INV(3'b010)) c_othl_r_add (.a({1'b0, c_ab_other[LOW-1:0]}), .b({1'b0, c_ab[LOW-1:0]}),
                                                 .c(c_m[LOW:0]), .cin(1'b1), .sum(c_othl));
wire [NW-LOW-1:0] c_ab_hi = c_ab[NW-1:LOW], c_ab_hi_dec = c_ab[NW-1:LOW] - 1'b1;
wire [NW-LOW-1:0] c_oth_hi = c_ab_other[NW-1:LOW], c_oth_hi_inc = c_ab_other[NW-1:LOW] + 1'b1;
wire signed [NW-1:0] c_ab_new = c_g_pos ? {NW{1'b0}} : {c_abl[LOW] ? c_ab_hi_dec : c_ab_hi, c_abl[LOW-1:0]};
wire signed [NW-1:0] c_other_new = !c_g_pos ? c_ab_other : {c_othl[LOW] ? c_oth_hi_inc : c_oth_hi, c_othl[LOW-1:0]};
// ...and where an order of this instrument in D takes (c_sd; see the gross
// checks): its side's A - t1 + t2 - m, or 0 where g rises; the other's
// after D's order, O + t2 - t1' (t1' = m' on the other side), or that plus
// the rise, O - A + m + t1 - t1'. Each low sum is within 2^58 of the low
// bits, so the bits above are as they were, one up or one down.
localparam integer LW3 = LOW + 3;
// (a low sum within (-2^57, 2^58): its sign steps the bits above down, its
// bit 57 up)
function automatic [NW-LOW-1:0] hi_step(input [NW-LOW-1:0] hi, input [NW-LOW-1:0] hi_dec,
                                         input [NW-LOW-1:0] hi_inc, input sign, input bit57);
    hi_step = sign ? hi_dec : bit57 ? hi_inc : hi;
endfunction
// t1' (registered with t1), and t1 - t1' as one term: m', ~m' (and a carry
// in) or 0
reg [GW-1:0] c_t1o = {GW{1'b0}};
reg [LW3-1:0] c_w = {LW3{1'b0}};
// (A - t1 + t2, three registers, as a sum and a carry in a level of their
// own, kept: -t1 is ~t1 + 1, the 1 the carry's free bit 0; -m is ~m + 1.
// ~t1 is a register of its own, c_t1n: with t1 itself ABC
// builds this level and the gross compare's, A ^ t2 ^ t1 both, out of one
// t1 ^ t2, a level in front of each.)
reg [LW3-1:0] c_t1n = {LW3{1'b1}};
wire [LW3-1:0] c_abl_1 = {3'b000, c_ab[LOW-1:0]}, c_abl_2 = c_t1n, c_abl_3 = c_t2[LW3-1:0];
(* keep *) wire [LW3-1:0] c_abl_s = c_abl_1 ^ c_abl_2 ^ c_abl_3;
/* verilator lint_off UNUSEDSIGNAL */
(* keep *) wire [LW3-1:0] c_abl_c = (c_abl_1 & c_abl_2) | (c_abl_1 & c_abl_3) | (c_abl_2 & c_abl_3);
/* verilator lint_on UNUSEDSIGNAL */
// (O - A + m + w likewise: -A is ~A + 1, the 1 the carry's free bit 0)
wire [LW3-1:0] c_othl_1 = {3'b000, c_ab_other[LOW-1:0]}, c_othl_2 = ~{3'b000, c_ab[LOW-1:0]}, c_othl_3 = c_m[LW3-1:0];
(* keep *) wire [LW3-1:0] c_othl_s = c_othl_1 ^ c_othl_2 ^ c_othl_3;
/* verilator lint_off UNUSEDSIGNAL */
(* keep *) wire [LW3-1:0] c_othl_c = (c_othl_1 & c_othl_2) | (c_othl_1 & c_othl_3) | (c_othl_2 & c_othl_3);
/* verilator lint_on UNUSEDSIGNAL */
wire [LW3-1:0] c_abl_a, c_othl_a;
tg_add3 #(.W(LW3), .INV(3'b100)) c_abl_add (.a(c_abl_s), .b({c_abl_c[LW3-2:0], 1'b1}), .c(c_m[LW3-1:0]),
                                            .cin(1'b1), .sum(c_abl_a));
tg_add3 #(.W(LW3)) c_othl_add (.a(c_othl_s), .b({c_othl_c[LW3-2:0], 1'b1}), .c(c_w),
                               .cin(c_sd_opp), .sum(c_othl_a));
wire [NW-LOW-1:0] c_ab_hi_inc = c_ab[NW-1:LOW] + 1'b1, c_oth_hi_dec = c_ab_other[NW-1:LOW] - 1'b1;
wire signed [NW-1:0] c_oth_y;
tg_add3 #(.W(NW), .INV(3'b100)) c_oth_y_add (.a(c_ab_other), .b({{(NW-GW){1'b0}}, c_t2}),
                                            .c({{(NW-GW){1'b0}}, c_t1o}), .cin(1'b1), .sum(c_oth_y));
wire signed [NW-1:0] c_ab_new_a = c_g_pos_a ? {NW{1'b0}}
    : {hi_step(c_ab_hi, c_ab_hi_dec, c_ab_hi_inc, c_abl_a[LW3-1], c_abl_a[LOW]), c_abl_a[LOW-1:0]};
// (the other's where g rises; D picks it by c_g_pos_a, registered, or c_oth_y)
wire signed [NW-1:0] c_other_rise_a = {hi_step(c_oth_hi, c_oth_hi_dec, c_oth_hi_inc, c_othl_a[LW3-1], c_othl_a[LOW]),
                                       c_othl_a[LOW-1:0]};

// What D works from where the order in D is a NEW or REPLACE of this
// instrument and takes (c_yt): what it leaves, from its D registers
wire c_yt = c_sd && d_wr_inst;
wire signed [SH-1:0] c_growl = c_buy ? $signed({{(SH-24){1'b0}}, c_grow}) : {SH{1'b0}};
wire signed [SH-1:0] c_grows_s = c_buy ? {SH{1'b0}} : $signed({{(SH-24){1'b0}}, c_grow});
// The instrument's rate bucket if the order is accepted, max(tat, t) +
// period (the bucket as it is where the period is 0), from the table's
// bucket (c_tat) or, where D's order takes (c_yt), from D's: each a sum and
// a compare from registers, picked after the chains (tg_bucket_pick). The
// compare is tat + ~c_t_gt + c_rper_zero >= 2^64: tat > t, or always where
// the period is 0 (c_t_gt 0), where the sum is tat itself.
(* keep *) wire [63:0] c_tat_per = c_tat + {32'd0, c_rper};
(* keep *) wire [63:0] c_tat_per_y = d_tat_next + {32'd0, c_rper};
/* verilator lint_off UNUSEDSIGNAL */
wire [64:0] c_tat_gt_sum, c_tat_gt_sum_y;
/* verilator lint_on UNUSEDSIGNAL */
tg_add3 #(.W(65), .INV(3'b010)) c_tat_gt_add (.a({1'b0, c_tat}), .b({1'b1, c_t_gt}), .c(65'd0),
                                              .cin(c_rper_zero), .sum(c_tat_gt_sum));
tg_add3 #(.W(65), .INV(3'b010)) c_tat_gt_y_add (.a({1'b0, d_tat_next}), .b({1'b1, c_t_gt}), .c(65'd0),
                                                .cin(c_rper_zero), .sum(c_tat_gt_sum_y));
wire [63:0] c_tat_next;
tg_bucket_pick #(.W(64)) c_tat_pick (.sel(c_yt), .gt_a(c_tat_gt_sum_y[64]), .per_a(c_tat_per_y),
                                     .gt_b(c_tat_gt_sum[64]), .per_b(c_tat_per), .t_per(c_t_per),
                                     .y(c_tat_next));
// (each pair shares an operand, so D picks it as an AND-OR: Yosys merges two
// sums behind one $mux into one sum behind the pick)
(* keep *) wire signed [SH-1:0] c_l2_y = d_l2 + c_growl, c_l2_r = c_ls + c_growl;
(* keep *) wire signed [SH-1:0] c_s2_y = d_s2 - c_grows_s, c_s2_r = c_ss - c_grows_s;

// D's rise, g's change where this order takes: the rise with the order
// ahead taken or not (by c_yt), clamped at 0, zeroed unless its register's
// condition holds: for D itself where this order takes; as the operands of
// the one behind it (in M now), picked by how the two relate (as c_sd and
// c_sd_opp are; m_sd holds only where this order takes, c_tk), u taking m
// instead where the two are of one side. Each register takes a value and
// a clear (its synchronous reset), each one LUT after the chains
// (tg_rise_pick: inline, ABC built the clamp two levels deep behind them).
(* keep *) wire c_u_dg = c_tk && !m_sd;
(* keep *) wire c_d_dg = c_tk && !rst;     // (rst as D's reset, ahead of the chains)
wire [GW-1:0] c_rise_d, c_rise_t2, c_rise_u;
wire c_rise_d_clr, c_rise_t2_clr, c_rise_u_clr;
tg_rise_pick #(.W(GW)) c_rise_d_pick (.en(c_d_dg), .yt(c_yt), .a(c_dg_na), .b(c_dg_n), .alt(1'b0),
                                      .c({GW{1'b0}}), .d(c_rise_d), .clr(c_rise_d_clr));
tg_rise_pick #(.W(GW)) c_rise_t2_pick (.en(m_sd), .yt(c_yt), .a(c_dg_na), .b(c_dg_n), .alt(1'b0),
                                       .c({GW{1'b0}}), .d(c_rise_t2), .clr(c_rise_t2_clr));
tg_rise_pick #(.W(GW)) c_rise_u_pick (.en(c_u_dg), .yt(c_yt), .a(c_dg_na), .b(c_dg_n), .alt(m_same),
                                      .c(c_m[GW-1:0]), .d(c_rise_u), .clr(c_rise_u_clr));
wire [63:0] c_t_per_all;
wire [64:0] c_t_dupw;
tg_add3 #(.W(64)) c_t_per_all_add (.a(c_t), .b({32'd0, a_rpera}), .c(64'd0), .cin(1'b0), .sum(c_t_per_all));
tg_add3 #(.W(65)) c_t_dupw_add (.a({1'b0, c_t}), .b({33'd0, a_dupw[k]}), .c(65'd0), .cin(1'b0), .sum(c_t_dupw));
always @(posedge clk) begin
    d_valid <= c_valid;
    d_tk <= c_tk;
    d_dg_up <= c_rise_d_clr ? {GW{1'b0}} : c_rise_d;
    c_t1 <= m_same ? c_m[GW-1:0] : {GW{1'b0}};
    c_t1n <= m_same ? ~c_m[LW3-1:0] : {LW3{1'b1}};
    c_t1o <= m_opp ? c_m[GW-1:0] : {GW{1'b0}};
    c_w <= m_same ? c_m[LW3-1:0] : m_opp ? ~c_m[LW3-1:0] : {LW3{1'b0}};
    c_t2 <= c_rise_t2_clr ? {GW{1'b0}} : c_rise_t2;
    c_u <= c_rise_u_clr ? {GW{1'b0}} : c_rise_u;
    d_yt <= c_yt;
    d_m_buy <= c_tk && c_buy ? c_m[NTW-1:0] : {NTW{1'b0}};
    d_m_sell <= c_tk && !c_buy ? c_m[NTW-1:0] : {NTW{1'b0}};
    d_is_ref <= c_valid && c_kind == TG_RISK_IN_REF;
    if (c_valid) begin
        d_f <= c_f;
        d_oside <= c_oside;
        d_pre_reason <= pre_reason;
        d_then_orders <= pre_then_orders;
        d_fail_r <= c_fail_r;
        d_fail_a <= c_fail_a;
        d_m <= c_m;
        d_pl <= c_pl;
        d_ps <= c_ps;
        d_ln <= ln[k];
        d_sn <= sn[k];
        d_g <= eg[k];
        d_abn_r <= c_ab_new;
        d_othn_r <= c_other_new;
        d_abn_a <= c_ab_new_a;
        d_othn_ar <= c_other_rise_a;
        d_othn_ay <= c_oth_y;
        d_gpa <= c_g_pos_a;
        d_l2 <= ({SH{c_yt}} & c_l2_y) | ({SH{!c_yt}} & c_l2_r);
        d_s2 <= ({SH{c_yt}} & c_s2_y) | ({SH{!c_yt}} & c_s2_r);
        d_tat_next <= c_tat_next;
        d_t_per_all <= c_t_per_all;
        d_t_dupw <= c_t_dupw;
        d_upd_inst <= upd_inst;
        d_fill_ok <= c_fill_ok;
        d_bust <= c_bust;
        d_matched <= c_f[F_MATCHED];
        d_restate_ok <= c_restate_ok;
        d_ref_ok <= c_ref_ok;
        d_slot_open <= c_slot_open;
        d_set_ok <= set_ok;
        d_closes <= (c_kind == TG_RISK_IN_FILL && c_fill_ok && c_f[F_MATCHED] && c_rem_fill == 24'd0)
                 || (c_kind == TG_RISK_IN_RESTATE && c_restate_ok && c_slot_open && c_rq == 24'd0);
        d_rem_next <= c_kind == TG_RISK_IN_FILL ? c_rem_fill : c_rq;
        d_dl <= upd_dl;
        d_ds <= upd_ds;
        d_dpos <= upd_dpos;
        d_negref <= -{1'b0, c_f[F_NEWREF +: 31]};
    end
    if (rst) begin
        d_valid <= 1'b0;
        d_tk <= 1'b0;
        d_m_buy <= {NTW{1'b0}};
        d_m_sell <= {NTW{1'b0}};
        d_is_ref <= 1'b0;
    end
end

// ------------------------------------------------------------------ stage D: decide and apply
wire [1:0] d_sub = d_f[F_SUB +: 2];
wire d_inst_ok = d_f[F_INST_OK];
wire [IW-1:0] d_k = d_f[F_K +: IW];
wire [4:0] d_field = d_f[F_FIELD +: 5];
wire [15:0] d_slot = d_f[F_SLOT +: 16];
wire [SW-1:0] d_si = d_f[F_SI +: SW];
wire [31:0] d_qty = d_f[F_QTY +: 32];
wire [31:0] d_price = d_f[F_PRICE +: 32];
wire [63:0] d_value = d_f[F_VALUE +: 64];
wire [23:0] d_grow = d_f[F_GROW +: 24];
wire [IW-1:0] d_sinst = d_f[F_SINST +: IW];

// what an accepted order, or an input that moves its instrument, makes of
// the instrument's exposure measures: g rises by D's dg where that is not
// negative (d_dg_up, else 0); ln and sn move by pl and ps, or for a REF are
// pl and ps themselves; the net totals move by pl and ps, or for a REF by
// pl - ln and ps - sn (a cycle later, in W: only the U stages and the
// read-back look at them). Where the order ahead, now in W, was of this
// instrument and took (d_yt), ln, sn and g are what it left (w_*) rather
// than what C read: g's sum made both ways, picked after; ln's and sn's
// operand picked in front, 0 for a REF (a LUT of registers ahead of the
// chain, where the pick after three split chains took two LUTs behind).
reg signed [NW-1:0] w_ln = {NW{1'b0}}, w_sn = {NW{1'b0}}, w_g = {NW{1'b0}};
wire signed [NW-1:0] d_gup = {{(NW-GW){1'b0}}, d_dg_up};
wire [NW-1:0] d_g_plus, w_g_plus;
tg_add3 #(.W(NW)) d_g_add (.a(d_g), .b(d_gup), .c({NW{1'b0}}), .cin(1'b0), .sum(d_g_plus));
tg_add3 #(.W(NW)) w_g_add (.a(w_g), .b(d_gup), .c({NW{1'b0}}), .cin(1'b0), .sum(w_g_plus));
wire signed [NW-1:0] d_g_next = d_yt ? w_g_plus : d_g_plus;
/* verilator lint_off UNUSEDSIGNAL */
wire [XW-1:0] d_lnx = {d_ln[NW-1], d_ln}, d_snx = {d_sn[NW-1], d_sn};
wire [XW-1:0] w_lnx = {w_ln[NW-1], w_ln}, w_snx = {w_sn[NW-1], w_sn};
wire [XW-1:0] d_ln_from = d_is_ref ? {XW{1'b0}} : d_yt ? w_lnx : d_lnx;
wire [XW-1:0] d_sn_from = d_is_ref ? {XW{1'b0}} : d_yt ? w_snx : d_snx;
wire [XW-1:0] d_ln_new, d_sn_new, d_dln, d_dsn;
tg_add3 #(.W(XW)) d_ln_add (.a(d_ln_from), .b(d_pl[XW +: XW]), .c(d_pl[0 +: XW]), .cin(1'b0), .sum(d_ln_new));
tg_add3 #(.W(XW)) d_sn_add (.a(d_sn_from), .b(d_ps[XW +: XW]), .c(d_ps[0 +: XW]), .cin(1'b0), .sum(d_sn_new));
tg_add3 #(.W(XW)) d_dln_add (.a(d_pl[XW +: XW]), .b(d_pl[0 +: XW]), .c(d_is_ref ? ~d_lnx : {XW{1'b0}}),
                             .cin(d_is_ref), .sum(d_dln));
tg_add3 #(.W(XW)) d_dsn_add (.a(d_ps[XW +: XW]), .b(d_ps[0 +: XW]), .c(d_is_ref ? ~d_snx : {XW{1'b0}}),
                             .cin(d_is_ref), .sum(d_dsn));
/* verilator lint_on UNUSEDSIGNAL */
wire signed [NW-1:0] d_ln_next = d_ln_new[NW-1:0];
wire signed [NW-1:0] d_sn_next = d_sn_new[NW-1:0];

// U3's gross - g_old + g_new in one carry chain, and its room
// MAX_GROSS - gross + g_old - g_new in another, of two operands (U2 summed
// the first three from registers, U1 having read g_old; -g_new is a
// register of its own, so the two sums share no operand pair for ABC to
// build one's carry-save level out of the other's)
/* verilator lint_off UNUSEDSIGNAL */
wire [XW-1:0] u3_gross;
tg_add3 #(.W(XW), .INV(3'b010)) u3_gross_add (.a({gross[NW-1], gross}), .b({u3_g_old[NW-1], u3_g_old}), .c({u3_g[NW-1], u3_g}),
                                .cin(1'b1), .sum(u3_gross));
/* verilator lint_on UNUSEDSIGNAL */
wire [XW-1:0] u3_x_gross;
tg_add3 #(.W(XW)) u3_x_gross_add (.a(u3_xg), .b({u3_gn[NW-1], u3_gn}), .c({XW{1'b0}}), .cin(1'b1), .sum(u3_x_gross));
// (U2's sum of the three: MAX_GROSS - gross + g_old)
wire [XW-1:0] u2_xg;
tg_add3 #(.W(XW), .INV(3'b010)) u2_xg_add (.a({1'b0, {(NW-64){1'b0}}, a_gross}), .b({gross[NW-1], gross}),
                             .c({u2_g_old[NW-1], u2_g_old}), .cin(1'b1), .sum(u2_xg));

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
// what it writes to its instrument that M reads (see m_byp)
assign d_wr_inst = d_takes;
assign d_wr_k = d_k;
assign d_wr_side = d_oside;
assign d_wr_qty = d_qty[23:0];
assign d_wr_price = d_price[30:0];
assign d_wr_buy = d_buy;
assign d_wr_ab = d_abn;
assign d_wr_oth = d_othn;
assign d_wr_ls = d_l2;
assign d_wr_ss = d_s2;
assign d_wr_tat = d_tat_next;
assign d_wr_t = d_t;

// the totals' rooms after D's order: less by its changes if it takes (each
// worked out apart from the decision, then picked by it: keep, so that no
// subtractor is shared behind an operand the late decision chooses)
wire signed [NW:0] x_gross_less, x_netl_less, x_nets_less;
tg_add3 #(.W(NW + 1), .INV(3'b010)) x_gross_less_add (.a(x_gross), .b({{(NW+1-GW){1'b0}}, d_dg_up}),
                                                    .c({(NW+1){1'b0}}), .cin(1'b1), .sum(x_gross_less));
tg_add3 #(.W(NW + 1), .INV(3'b010)) x_netl_less_add (.a(x_netl), .b({d_m[NW-1], d_m}), .c({(NW+1){1'b0}}),
                                                   .cin(1'b1), .sum(x_netl_less));
tg_add3 #(.W(NW + 1), .INV(3'b010)) x_nets_less_add (.a(x_nets), .b({d_m[NW-1], d_m}), .c({(NW+1){1'b0}}),
                                                   .cin(1'b1), .sum(x_nets_less));
(* keep *) wire [63:0] tat_all_per = tat_all + {32'd0, a_rpera};
wire [63:0] tat_all_took = a_rpera == 32'd0 ? tat_all : tat_all > d_t ? tat_all_per : d_t_per_all;

assign out_valid = d_valid && d_decided;
assign out_accept = d_accept;
assign out_kind = d_kind;
assign out_reason = reason;
assign out_slot = d_slot;
assign out_inst = d_is_new ? d_f[F_INST +: 8] : {{(8-IW){1'b0}}, d_sinst};
assign out_side = d_oside;
assign out_qty = d_qty;
assign out_price = d_price;
assign out_grow = d_kind == TG_RISK_IN_REPLACE ? d_grow : 24'd0;

// stage W: the net totals, a cycle after D
reg         w_net = 1'b0;
reg signed [NW-1:0] w_dln = {NW{1'b0}}, w_dsn = {NW{1'b0}};

// (the sums these registers take, each a tg_add3: see m_t_tol_add)
wire [NW-1:0] w_netl_next, w_nets_next, d_gross_next;
tg_add3 #(.W(NW)) w_netl_add (.a(netl), .b(w_dln), .c({NW{1'b0}}), .cin(1'b0), .sum(w_netl_next));
tg_add3 #(.W(NW)) w_nets_add (.a(nets), .b(w_dsn), .c({NW{1'b0}}), .cin(1'b0), .sum(w_nets_next));
tg_add3 #(.W(NW)) d_gross_add (.a(gross), .b(d_gup), .c({NW{1'b0}}), .cin(1'b0), .sum(d_gross_next));
wire [NW:0] u1_u, u3_x_netl, u3_x_nets;
wire [NW-1:0] u1_nsn, u2_neg;
tg_add3 #(.W(NW + 1)) u1_u_add (.a({ln[u1_k][NW-1], ln[u1_k]}), .b({sn[u1_k][NW-1], sn[u1_k]}),
                                .c({(NW+1){1'b0}}), .cin(1'b0), .sum(u1_u));
tg_add3 #(.W(NW), .INV(3'b001)) u1_nsn_add (.a(sn[u1_k]), .b({NW{1'b0}}), .c({NW{1'b0}}), .cin(1'b1), .sum(u1_nsn));
tg_add3 #(.W(NW), .INV(3'b001)) u2_neg_add (.a(u2_u[NW-1:0]), .b({NW{1'b0}}), .c({NW{1'b0}}), .cin(1'b1),
                                           .sum(u2_neg));
tg_add3 #(.W(NW + 1), .INV(3'b010)) u3_x_netl_add (.a({1'b0, {(NW-64){1'b0}}, a_net}), .b({netl[NW-1], netl}),
                                                 .c({(NW+1){1'b0}}), .cin(1'b1), .sum(u3_x_netl));
tg_add3 #(.W(NW + 1)) u3_x_nets_add (.a({1'b0, {(NW-64){1'b0}}, a_net}), .b({nets[NW-1], nets}),
                                     .c({(NW+1){1'b0}}), .cin(1'b0), .sum(u3_x_nets));
always @(posedge clk) begin
    d_acc_prev <= d_takes;

    w_net <= d_takes || (d_valid && d_upd_inst);
    w_ln <= d_ln_next;
    w_sn <= d_sn_next;
    w_g <= d_g_next;
    w_dln <= d_dln[NW-1:0];
    w_dsn <= d_dsn[NW-1:0];
    if (w_net) begin
        netl <= w_netl_next;
        nets <= w_nets_next;
    end

    if (d_takes) begin
        x_gross <= x_gross_less;
        if (d_buy) begin
            x_netl <= x_netl_less;
        end else begin
            x_nets <= x_nets_less;
        end
        tat_all <= tat_all_took;
        ls[d_k] <= d_wr_ls;
        ss[d_k] <= d_wr_ss;
        gross <= d_gross_next;
        eg[d_k] <= d_g_next;
        ln[d_k] <= d_ln_next;
        sn[d_k] <= d_sn_next;
        ea[d_k] <= d_buy ? d_abn : d_othn;
        eb[d_k] <= d_buy ? d_othn : d_abn;
        tat[d_k] <= d_wr_tat;
        dv[d_k] <= 1'b1;
        dside[d_k] <= d_oside;
        dqty[d_k] <= d_qty[23:0];
        dprice[d_k] <= d_price[30:0];
        dt[d_k] <= d_wr_t;
        sl_price[d_si] <= d_price[30:0];
        sl_dec[d_si] <= sl_dec[d_si] + 4'd1;
        if (d_is_new) begin
            sl_open[d_si] <= 1'b1;
            sl_inst[d_si] <= d_k;
            sl_side[d_si] <= d_f[F_SIDE +: 2];
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
            ln[d_k] <= d_ln_next;
            sn[d_k] <= d_sn_next;
        end
        case (d_kind)
            TG_RISK_IN_FILL:
                if (!d_fill_ok) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else if (!d_bust) begin    // a bust names no slot
                    if (!d_matched) begin
                        unmatched <= unmatched + 64'd1;
                    end else begin
                        sl_rem[d_si] <= d_rem_next;
                    end
                end
            TG_RISK_IN_RESTATE:
                if (!d_restate_ok) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else if (!d_slot_open) begin
                    unmatched <= unmatched + 64'd1;
                end else begin
                    sl_rem[d_si] <= d_rem_next;
                end
            TG_RISK_IN_REF:
                if (!d_ref_ok) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end else begin
                    case (d_sub)
                        2'd0: begin
                            src_mid[d_k] <= mid_of(d_price[30:0], d_f[F_PRICE2 +: 31]);
                            src_two[d_k] <= d_price[30:0] != 31'd0 && d_f[F_PRICE2 +: 31] != 31'd0;
                        end
                        2'd1: src_last[d_k] <= d_price[30:0];
                        default: src_host[d_k] <= d_price[30:0];
                    endcase
                    refp[d_k] <= d_f[F_NEWREF +: 31];
                    nrefp[d_k] <= d_negref;
                end
            // (their flags were written as they entered, in A)
            TG_RISK_IN_HALT:
                if (!d_inst_ok || d_sub > 2'd1) begin
                    bad_inputs <= bad_inputs + 64'd1;
                end
            TG_RISK_IN_KILL:
                if (!(d_sub == 2'd0 || (d_sub == 2'd1 && d_inst_ok))) begin
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

    // ---------------------------------------------------------------- stages U1..U3
    // After a FILL, RESTATE or REF has moved ln/sn of its instrument: the
    // instrument's g, A and B, then the gross total and every total's room.
    // After a COMMIT: the rooms under the new limits. Nothing enters until
    // they are done (blk): the input behind reads A and B in M as U2 has
    // written them, g and the rooms in C as U3 has. Nothing else writes the
    // totals meanwhile (the orders ahead left D before U1).
    if (u1_valid && u1_inst) begin
        u2_u <= u1_u;
        u2_nsn <= u1_nsn;
        u2_ln <= ln[u1_k];
    end
    // (0 after a COMMIT: U2's sum then takes the rooms alone, with no pick in front)
    u2_g_old <= u1_inst ? eg[u1_k] : {NW{1'b0}};
    if (u2_valid && u2_inst) begin
        ea[u2_k] <= u2_u[NW] ? u2_neg : {NW{1'b0}};
        eb[u2_k] <= u2_u[NW] ? {NW{1'b0}} : u2_u[NW-1:0];
    end
    // (g's change is 0 after a COMMIT: U3 then takes the rooms alone)
    u3_g <= u2_inst ? (u2_u[NW] ? u2_nsn : u2_ln) : {NW{1'b0}};
    u3_gn <= u2_inst ? ~(u2_u[NW] ? u2_nsn : u2_ln) : {NW{1'b1}};
    u3_g_old <= u2_g_old;
    u3_xg <= u2_xg;
    if (u3_valid && u3_inst) begin
        gross <= u3_gross[NW-1:0];
        eg[u3_k] <= u3_g;
    end
    if (u3_valid) begin
        x_gross <= u3_x_gross;
        x_netl <= u3_x_netl;
        x_nets <= u3_x_nets;
    end

    if (rst) begin
        d_acc_prev <= 1'b0;
        w_net <= 1'b0;
    end
end

// the U stages' bookkeeping
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
    if (rst) begin
        u1_valid <= 1'b0;
        u2_valid <= 1'b0;
        u3_valid <= 1'b0;
    end
end

// decisions by reason, counted a cycle after D (the reason registered first,
// so the counters' adders hang off no priority logic)
reg       cnt_valid = 1'b0;
reg [4:0] cnt_reason = 5'd0;
always @(posedge clk) begin
    cnt_valid <= out_valid;
    cnt_reason <= reason;
    if (cnt_valid) begin
        decided[cnt_reason] <= decided[cnt_reason] + 64'd1;
    end
    if (rst) begin
        cnt_valid <= 1'b0;
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
