/*
 * The card's risk gate (hw/rtl/tg_risk.v, Verilated on its own) against the
 * golden model (sw/risk.c): a seeded stream of random and adversarial
 * inputs, offered one per cycle, goes through both; every decision must
 * agree (reason, order fields) and, at checkpoints and at the end, every
 * piece of state: positions, open quantities, order slots, reference
 * prices, exposures, rate buckets, limits in force and as written, counters.
 *
 * The stream aims at the edges: quantities, prices, positions and notional
 * at and one past every limit, bursts that drain the rate buckets, repeats
 * inside the duplicate window, replaces that cross a limit, fills (partial,
 * whole, over, unmatched), busts (broken trades reversed: whole positions,
 * to and across max_long / max_short) and restatements between orders, reference moves,
 * limit writes and commits, halts and kills, mid-stream; plus inputs out of
 * range. Back-to-back inputs exercise the gate's pipeline hazards (same
 * slot, after a REF or COMMIT). The test fails unless every reject reason
 * was seen many times.
 *
 * TG_RISK_TEST_INPUTS overrides the stream length (default 1,000,000);
 * TG_RISK_TEST_SEED the seed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg_cunit.h"
#include "tickgate/risk.h"
#include "risk_stream.h"
#include "vrisk.h"

struct expect {
	struct tg_risk_input in;
	int reason;
	uint64_t index;
};

/*
 * The property check, independent of sw/risk.c: a second, minimal tracker
 * of limits, flags, reference prices, positions and open orders, driven by
 * the inputs and by the *card's* decisions. Every order the card accepted
 * must have been within the limits in force when it was decided: kill,
 * enabled, halted, quantity, notional, collar, and the long/short position
 * with every open order filled.
 */
struct prop {
	uint64_t shadow[TG_RISK_INSTRUMENTS_MAX][32], active[TG_RISK_INSTRUMENTS_MAX][32];
	bool kill, ikill[TG_RISK_INSTRUMENTS_MAX], halt[TG_RISK_INSTRUMENTS_MAX][2];
	uint32_t src[TG_RISK_INSTRUMENTS_MAX][4];	/* bid, ask, last, host */
	int64_t pos[TG_RISK_INSTRUMENTS_MAX], obuy[TG_RISK_INSTRUMENTS_MAX], osell[TG_RISK_INSTRUMENTS_MAX];
	bool open[TG_RISK_SLOTS_MAX];
	uint8_t inst[TG_RISK_SLOTS_MAX], side[TG_RISK_SLOTS_MAX];
	int64_t rem[TG_RISK_SLOTS_MAX];
	unsigned decided[TG_RISK_SLOTS_MAX];	/* NEW and REPLACE accepted on the slot */
	unsigned ni, ns;
	uint64_t violations, checked;
};

static int64_t *prop_open(struct prop *p, unsigned s)
{
	return p->side[s] == TG_RISK_SIDE_BUY ? &p->obuy[p->inst[s]] : &p->osell[p->inst[s]];
}

static void prop_resize(struct prop *p, unsigned s, int64_t qty)
{
	*prop_open(p, s) += qty - p->rem[s];
	p->rem[s] = qty;
	p->open[s] = qty > 0;
}

/* A state input (not an order). */
static void prop_input(struct prop *p, const struct tg_risk_input *in)
{
	bool ii = in->inst < p->ni;
	switch (in->kind) {
	case TG_RISK_IN_SET: {
		const struct tg_risk_limit_info *li = tg_risk_limit_info(in->field);
		if (li && in->value <= li->max && (li->global || ii))
			p->shadow[li->global ? 0 : in->inst][li->id] = in->value;
		break;
	}
	case TG_RISK_IN_COMMIT:
		memcpy(p->active, p->shadow, sizeof(p->active));
		break;
	case TG_RISK_IN_KILL:
		if (in->sub == 0)
			p->kill = in->qty & 1;
		else if (in->sub == 1 && ii)
			p->ikill[in->inst] = in->qty & 1;
		break;
	case TG_RISK_IN_HALT:
		if (ii && in->sub < 2)
			p->halt[in->inst][in->sub] = in->qty & 1;
		break;
	case TG_RISK_IN_REF:
		if (ii && in->sub < 3 && in->price <= TG_RISK_PRICE_MAX && in->price2 <= TG_RISK_PRICE_MAX) {
			if (in->sub == 0) {
				p->src[in->inst][0] = in->price;
				p->src[in->inst][1] = in->price2;
			} else {
				p->src[in->inst][in->sub + 1] = in->price;
			}
		}
		break;
	case TG_RISK_IN_FILL:
		if (ii && in->qty >= 1 && in->qty <= TG_RISK_QTY_MAX && in->sub == TG_RISK_FILL_BUST) {
			/* a broken trade: the execution's shares go back, its slot is not touched */
			p->pos[in->inst] -= in->side == TG_RISK_SIDE_BUY ? (int64_t)in->qty : -(int64_t)in->qty;
		} else if (ii && in->qty >= 1 && in->qty <= TG_RISK_QTY_MAX && in->sub == TG_RISK_FILL_EXEC) {
			p->pos[in->inst] += in->side == TG_RISK_SIDE_BUY ? (int64_t)in->qty : -(int64_t)in->qty;
			unsigned s = in->slot;
			if (s < p->ns && p->open[s] && p->inst[s] == in->inst &&
			    (p->side[s] == TG_RISK_SIDE_BUY) == (in->side == TG_RISK_SIDE_BUY))
				prop_resize(p, s, p->rem[s] - (in->qty < p->rem[s] ? in->qty : p->rem[s]));
		}
		break;
	case TG_RISK_IN_RESTATE:
		if (in->slot < p->ns && in->qty <= TG_RISK_QTY_MAX && in->sub < 2 && p->open[in->slot]) {
			int64_t r = p->rem[in->slot];
			/* stated before an order accepted since: not applied (risk.h) */
			if (in->sub == 0 && (in->field & TG_RISK_STAMPED) && in->qty != 0 &&
			    (in->field & TG_RISK_STAMP_COUNT) != p->decided[in->slot] % 16)
				break;
			prop_resize(p, in->slot, in->sub == 0 ? in->qty : in->qty >= r ? 0 : r - in->qty);
		}
		break;
	default:
		break;
	}
}

/* An order the card decided with `reason`. */
static void prop_order(struct prop *p, const struct tg_risk_input *in, unsigned reason)
{
	if (reason != TG_RISK_R_ACCEPTED || in->kind == TG_RISK_IN_CANCEL)
		return;
	bool is_new = in->kind == TG_RISK_IN_NEW;
	unsigned s = in->slot, i = is_new ? in->inst : p->inst[s];
	unsigned side = is_new ? in->side : p->side[s];
	const uint64_t *l = p->active[i];
	uint32_t bid = p->src[i][0], ask = p->src[i][1];
	uint64_t ref = bid && ask ? ((uint64_t)bid + ask) / 2 : p->src[i][2] ? p->src[i][2] : p->src[i][3];
	int64_t grow = is_new ? in->qty : (in->qty > p->rem[s] ? in->qty - p->rem[s] : 0);
	bool buy = side == TG_RISK_SIDE_BUY;
	bool ok = !p->kill && i < p->ni && !p->ikill[i] && l[TG_RISK_LIM_ENABLED] && !p->halt[i][0] &&
		  !p->halt[i][1] && s < p->ns && p->open[s] != is_new && in->qty >= 1 &&
		  in->qty <= l[TG_RISK_LIM_MAX_ORDER_QTY] &&
		  (uint64_t)in->qty * in->price <= l[TG_RISK_LIM_MAX_ORDER_NOTIONAL] &&
		  (ref ? (uint64_t)in->price * 10000 <= ref * (10000 + l[TG_RISK_LIM_COLLAR_BPS]) &&
			 (uint64_t)in->price * 10000 >= ref * (10000 - l[TG_RISK_LIM_COLLAR_BPS])
		       : !p->active[0][TG_RISK_LIM_NO_REF_REJECT]);
	if (ok && grow > 0 && buy)
		ok = p->pos[i] + p->obuy[i] + grow <= (int64_t)l[TG_RISK_LIM_MAX_LONG];
	if (ok && grow > 0 && !buy)
		ok = -(p->pos[i] - p->osell[i] - grow) <= (int64_t)l[TG_RISK_LIM_MAX_SHORT];
	p->checked++;
	if (!ok && p->violations++ < 5)
		printf("the card accepted an order past a limit: slot %u inst %u qty %u price %u\n", s, i, in->qty,
		       in->price);
	p->decided[s]++;
	if (is_new) {
		p->open[s] = true;
		p->inst[s] = (uint8_t)i;
		p->side[s] = (uint8_t)side;
		p->rem[s] = 0;
		prop_resize(p, s, in->qty);
	} else {
		prop_resize(p, s, p->rem[s] + grow);
	}
}

static unsigned state_diffs(struct tg_vrisk *v, struct tg_risk *m, unsigned ni, unsigned ns, uint64_t at)
{
	unsigned diffs = 0;
	for (unsigned i = 0; i < ni; i++) {
		struct tg_risk_inst_state hw;
		tg_risk_notional ln, sn;
		tg_vrisk_inst(v, i, &hw, &ln, &sn);
		const struct tg_risk_inst_state *sw = tg_risk_inst(m, i);
		tg_risk_notional p = sw->ref_price;
		if (hw.position != sw->position || hw.open_buy != sw->open_buy || hw.open_sell != sw->open_sell ||
		    hw.open_orders != sw->open_orders || hw.ref_price != sw->ref_price ||
		    hw.halted_feed != sw->halted_feed || hw.halted_host != sw->halted_host ||
		    hw.killed != sw->killed || hw.rate_tat != sw->rate_tat || hw.last_valid != sw->last_valid ||
		    ln != (sw->position + (tg_risk_notional)sw->open_buy) * p ||
		    sn != (sw->position - (tg_risk_notional)sw->open_sell) * p) {
			if (diffs++ < 5)
				printf("after input %" PRIu64 ": instrument %u differs: position %" PRId64 "/%" PRId64
				       " open buy %" PRIu64 "/%" PRIu64 " sell %" PRIu64 "/%" PRIu64
				       " orders %u/%u ref %u/%u tat %" PRIu64 "/%" PRIu64 "\n",
				       at, i, hw.position, sw->position, hw.open_buy, sw->open_buy, hw.open_sell,
				       sw->open_sell, hw.open_orders, sw->open_orders, hw.ref_price, sw->ref_price,
				       hw.rate_tat, sw->rate_tat);
		}
		for (unsigned k = 0; k < tg_risk_limits_count; k++) {
			const struct tg_risk_limit_info *li = &tg_risk_limits[k];
			for (int sh = 0; sh < 2; sh++)
				if (tg_vrisk_limit(v, li->id, i, sh) != tg_risk_limit(m, li->id, i, sh) && diffs++ < 5)
					printf("after input %" PRIu64 ": limit %s of %u (%s) differs\n", at, li->name, i,
					       sh ? "shadow" : "active");
		}
	}
	for (unsigned s = 0; s < ns; s++) {
		struct tg_risk_slot hw;
		tg_vrisk_slot(v, s, &hw);
		const struct tg_risk_slot *sw = tg_risk_slot(m, s);
		if (hw.open != sw->open ||
		    (sw->open && (hw.inst != sw->inst || hw.side != sw->side || hw.rem != sw->rem || hw.price != sw->price))) {
			if (diffs++ < 5)
				printf("after input %" PRIu64 ": slot %u differs: open %d/%d rem %u/%u\n", at, s, hw.open,
				       sw->open, hw.rem, sw->rem);
		}
	}
	struct tg_risk_totals th, ts;
	tg_vrisk_totals(v, &th);
	tg_risk_totals(m, &ts);
	if (th.gross != ts.gross || th.net_long != ts.net_long || th.net_short != ts.net_short ||
	    th.open_orders != ts.open_orders || th.killed != ts.killed || th.rate_tat != ts.rate_tat ||
	    th.bad_inputs != ts.bad_inputs || th.unmatched != ts.unmatched ||
	    memcmp(th.decided, ts.decided, sizeof(th.decided)) != 0) {
		if (diffs++ < 5)
			printf("after input %" PRIu64 ": totals differ (open %u/%u bad %" PRIu64 "/%" PRIu64
			       " unmatched %" PRIu64 "/%" PRIu64 ")\n", at, th.open_orders, ts.open_orders,
			       th.bad_inputs, ts.bad_inputs, th.unmatched, ts.unmatched);
	}
	return diffs;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static void test_differential(void)
{
	const uint64_t n_inputs = env_u64("TG_RISK_TEST_INPUTS", 1000000);
	struct tg_risk_stream g;
	struct tg_risk *model = tg_risk_new(&(struct tg_risk_config){.instruments = tg_vrisk_instruments(),
								      .slots = tg_vrisk_slots()});
	tg_risk_stream_init(&g, env_u64("TG_RISK_TEST_SEED", 0x5eed0f7a11ull), model, tg_vrisk_instruments(),
			    tg_vrisk_slots());
	struct tg_vrisk *v = tg_vrisk_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(g.m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);

	static struct prop prop;
	memset(&prop, 0, sizeof(prop));
	prop.ni = tg_vrisk_instruments();
	prop.ns = tg_vrisk_slots();
	enum { PLEN = 64 };
	struct tg_risk_input pq[PLEN];	/* inputs taken behind an order not decided yet */
	unsigned ph = 0, pt = 0;
	struct tg_risk_input setup[TG_RISK_STREAM_SETUP_MAX];
	unsigned n_setup = tg_risk_stream_setup(&g, setup);

	enum { QLEN = 16 };
	struct expect q[QLEN];
	unsigned qh = 0, qt = 0;
	uint64_t taken = 0, decisions = 0, mismatches = 0, stalls = 0, cycles = 0, state_bad = 0, busts = 0;
	uint64_t probe_bad = 0;	/* cycles the probe port answered otherwise than in_ready */
	struct tg_risk_input cur;
	bool have = false;
	uint64_t next_check = 20000;
	uint64_t idle = 0;

	while (taken < n_setup + n_inputs || qh != qt) {
		bool offer = false;
		if (!have && taken < n_setup + n_inputs && !idle) {
			cur = taken < n_setup ? setup[taken] : tg_risk_stream_next(&g);
			have = true;
		}
		if (have && !idle && tg_risk_stream_below(&g, 100) >= 8)
			offer = true;
		if (idle)
			idle--;
		struct tg_vrisk_out out;
		tg_vrisk_cycle(v, offer ? &cur : NULL, &out);
		cycles++;
		if (out.valid) {
			if (qh == qt) {
				mismatches++;
				printf("decision with nothing expected\n");
			} else {
				struct expect *e = &q[qt++ % QLEN];
				/* the property tracker: the card's decision, then the state inputs behind it */
				CU_ASSERT_FATAL(pt != ph);
				prop_order(&prop, &pq[pt++ % PLEN], out.reason);
				while (pt != ph && pq[pt % PLEN].kind > TG_RISK_IN_REPLACE)
					prop_input(&prop, &pq[pt++ % PLEN]);
				if (out.reason != e->reason || out.kind != e->in.kind || out.slot != e->in.slot ||
				    out.qty != e->in.qty || out.price != e->in.price) {
					if (mismatches < 10)
						printf("input %" PRIu64 " kind %u slot %u inst %u side %u qty %u price %u: "
						       "card %s, model %s\n",
						       e->index, e->in.kind, e->in.slot, e->in.inst, e->in.side, e->in.qty,
						       e->in.price, tg_risk_reason_name(out.reason),
						       tg_risk_reason_name((unsigned)e->reason));
					mismatches++;
				}
				decisions++;
			}
		}
		if (offer) {
			probe_bad += out.probe_ready != out.in_ready;
			if (out.in_ready) {
				if (ph == pt && cur.kind > TG_RISK_IN_REPLACE) {
					prop_input(&prop, &cur);	/* no decision pending ahead of it */
				} else {
					CU_ASSERT_FATAL(ph - pt < PLEN);
					pq[ph++ % PLEN] = cur;
				}
				if (cur.kind == TG_RISK_IN_FILL && cur.sub == TG_RISK_FILL_BUST)
					busts++;
				int r = tg_risk_apply(g.m, &cur);
				if (r >= 0) {
					CU_ASSERT_FATAL(qh - qt < QLEN);
					q[qh++ % QLEN] = (struct expect){.in = cur, .reason = r, .index = taken};
				}
				taken++;
				have = false;
				if (taken >= next_check) {
					next_check += 20000;
					idle = 12;	/* drain, then compare every piece of state */
				}
			} else {
				stalls++;
			}
		}
		if (idle == 1)
			state_bad += state_diffs(v, g.m, g.ni, g.ns, taken);
	}
	for (unsigned k = 0; k < 12; k++) {	/* the last input through the pipeline */
		struct tg_vrisk_out out;
		tg_vrisk_cycle(v, NULL, &out);
		CU_ASSERT_FALSE(out.valid);
	}
	state_bad += state_diffs(v, g.m, g.ni, g.ns, taken);

	struct tg_risk_totals t;
	tg_risk_totals(g.m, &t);
	printf("\n%" PRIu64 " inputs in %" PRIu64 " cycles (%" PRIu64 " stalls), %" PRIu64
	       " decisions, %" PRIu64 " mismatches, %" PRIu64 " state differences; bad inputs %" PRIu64
	       ", unmatched %" PRIu64 ", busts %" PRIu64 "; probe answers unlike in_ready %" PRIu64 "\n", taken,
	       cycles, stalls, decisions, mismatches, state_bad, t.bad_inputs, t.unmatched, busts, probe_bad);
	for (unsigned r = 0; r < TG_RISK_REASONS; r++)
		printf("  %-20s %" PRIu64 "\n", tg_risk_reason_name(r), t.decided[r]);
	printf("property check: %" PRIu64 " accepted orders checked against the limits in force, %" PRIu64
	       " violations\n", prop.checked, prop.violations);
	CU_ASSERT_EQUAL(prop.violations, 0);
	CU_ASSERT(prop.checked >= n_inputs / 20);
	CU_ASSERT_EQUAL(mismatches, 0);
	CU_ASSERT_EQUAL(state_bad, 0);
	CU_ASSERT_EQUAL(probe_bad, 0);
	/* a test that never reached a check proves nothing about it */
	uint64_t floor = n_inputs / 20000;
	for (unsigned r = 0; r < TG_RISK_REASONS; r++)
		CU_ASSERT(t.decided[r] >= floor);
	CU_ASSERT(t.bad_inputs >= floor);
	CU_ASSERT(t.unmatched >= floor);
	CU_ASSERT(busts >= n_inputs / 200);
	tg_vrisk_free(v);
	tg_risk_free(g.m);
}

/*
 * Rooms far beyond the compares' widths, and A at its edge. Stage C
 * compares a room under a total with an order's notional on the room's low
 * bits, and lets a room whose top bits are not all its sign decide alone
 * (hw/rtl/tg_risk.v); A and B likewise. The stream's rooms stay near their limits; here
 * executions at the largest price take them 2^57 and more past what the
 * low bits hold. Orders follow at the largest price, back to back: each is
 * checked under both outcomes of the one ahead, and works from A and B as
 * the one before that left them (a cancel of no order between two breaks
 * the run). Their decisions must be the spec's (want, -1 for the model's
 * only; sw/risk.c agrees) and the card's and the model's state the same.
 * The same runs at a price of 1 put an order's notional exactly at the
 * edges of A, behind an order of the same side and of the other, which a
 * random stream's notionals do not hit.
 */
#define FAR_ORDERS 6
#define FAR_GAP 0xff	/* an order's side that stands for a cancel of no order */
struct far_case {
	uint8_t fill_side;
	unsigned fills;			/* executions of QTY_MAX shares */
	uint32_t last_fill;		/* ...and one of this many */
	uint64_t max_gross, max_net;
	unsigned orders;
	struct {
		uint8_t side;
		uint32_t qty;
		int want;
	} ord[FAR_ORDERS];
	uint32_t price;			/* the reference and every order's price */
	uint32_t dup_window;		/* DUP_WINDOW, or 0 */
	uint64_t recommit_gross;	/* after the fills, MAX_GROSS set to this and committed alone (0: not) */
};

/* SETs that let instrument 0's orders pass every check but the ones a case is about */
static unsigned open_limits(struct tg_risk_input *in)
{
	static const struct {
		unsigned id;
		uint64_t v;
	} lim[] = {
		{TG_RISK_LIM_ENABLED, 1}, {TG_RISK_LIM_MAX_ORDER_QTY, TG_RISK_QTY_MAX},
		{TG_RISK_LIM_MAX_ORDER_NOTIONAL, UINT64_MAX}, {TG_RISK_LIM_COLLAR_BPS, 10000},
		{TG_RISK_LIM_MAX_LONG, UINT32_MAX}, {TG_RISK_LIM_MAX_SHORT, UINT32_MAX}, {TG_RISK_LIM_MAX_OPEN, 100},
	};
	unsigned n = 0;
	for (unsigned k = 0; k < sizeof(lim) / sizeof(lim[0]); k++)
		in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = (uint8_t)lim[k].id, .value = lim[k].v};
	return n;
}

static void run_far_past(const struct far_case *fc)
{
	struct tg_risk *model = tg_risk_new(&(struct tg_risk_config){.instruments = tg_vrisk_instruments(),
								      .slots = tg_vrisk_slots()});
	struct tg_vrisk *v = tg_vrisk_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	struct tg_risk_input in[64];
	unsigned n = open_limits(in);
	in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_GROSS, .value = fc->max_gross};
	in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_NET, .value = fc->max_net};
	in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_OPEN_ALL, .value = 100};
	in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_DUP_WINDOW, .value = fc->dup_window};
	in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_COMMIT};
	in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_REF, .sub = 2, .price = fc->price};
	for (unsigned k = 0; k < fc->fills + (fc->last_fill != 0) && n < 60; k++)	/* executions of no order of ours */
		in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_FILL, .sub = TG_RISK_FILL_EXEC,
						 .side = fc->fill_side, .slot = 0,
						 .qty = k < fc->fills ? TG_RISK_QTY_MAX : fc->last_fill};
	if (fc->recommit_gross != 0) {
		/* the orders right behind the COMMIT: the rooms it leaves are all they read */
		in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_GROSS,
						 .value = fc->recommit_gross};
		in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_COMMIT};
	}
	unsigned first_order = n;
	for (unsigned k = 0; k < fc->orders; k++)
		in[n++] = fc->ord[k].side == FAR_GAP
				  ? (struct tg_risk_input){.kind = TG_RISK_IN_CANCEL, .slot = 60, .qty = 1}
				  : (struct tg_risk_input){.kind = TG_RISK_IN_NEW, .side = fc->ord[k].side,
							   .slot = (uint16_t)(1 + k), .qty = fc->ord[k].qty,
							   .price = fc->price};

	int expect[FAR_ORDERS];
	unsigned ne = 0, got = 0;
	for (unsigned k = 0; k < n; k++) {
		int r = tg_risk_apply(model, &in[k]);
		if (k >= first_order)
			expect[ne++] = r;
	}
	CU_ASSERT_EQUAL(ne, fc->orders);
	for (unsigned k = 0; k < fc->orders; k++)	/* the spec's answer, not only the model's */
		if (fc->ord[k].want >= 0) {
			if (expect[k] != fc->ord[k].want)
				printf("far past its limit: order %u: model %s, the spec %s\n", k,
				       tg_risk_reason_name((unsigned)expect[k]), tg_risk_reason_name((unsigned)fc->ord[k].want));
			CU_ASSERT_EQUAL(expect[k], fc->ord[k].want);
		}
	unsigned k = 0;
	for (unsigned cyc = 0; cyc < 2000 && (k < n || got < ne); cyc++) {
		struct tg_vrisk_out out;
		tg_vrisk_cycle(v, k < n ? &in[k] : NULL, &out);
		if (k < n && out.in_ready)
			k++;
		if (out.valid) {
			CU_ASSERT_FATAL(got < ne);
			if (out.reason != expect[got])
				printf("far past its limit: order %u: card %s, model %s\n", got,
				       tg_risk_reason_name(out.reason), tg_risk_reason_name((unsigned)expect[got]));
			CU_ASSERT_EQUAL(out.reason, expect[got]);
			got++;
		}
	}
	CU_ASSERT_EQUAL(got, ne);
	for (unsigned c = 0; c < 12; c++) {
		struct tg_vrisk_out out;
		tg_vrisk_cycle(v, NULL, &out);
	}
	CU_ASSERT_EQUAL(state_diffs(v, model, tg_vrisk_instruments(), tg_vrisk_slots(), n), 0);
	tg_vrisk_free(v);
	tg_risk_free(model);
}

static void test_far_past_limits(void)
{
	const uint64_t p = TG_RISK_PRICE_MAX, qm = TG_RISK_QTY_MAX;
	static const uint8_t buy = TG_RISK_SIDE_BUY, sell = TG_RISK_SIDE_SELL;
	const int acc = TG_RISK_R_ACCEPTED, gross = TG_RISK_R_MAX_GROSS;
	const struct far_case cases[] = {
		/* net long about 1.5 x 2^58 over a limit of 0 */
		{buy, 12, 0, UINT64_MAX, 0, 2, {{buy, 1, TG_RISK_R_MAX_NET}, {sell, 1, -1}}, p, 0, 0},
		/* gross about 1.25 x 2^60 over 0 */
		{buy, 40, 0, 0, UINT64_MAX, 2, {{buy, 1, gross}, {sell, 1, -1}}, p, 0, 0},
		/* short Q = 2^25 + 1 shares, gross QP at its limit: a buy's A is
		 * 2QP, 2^57 and a little. After a share it is still above 2^57 by
		 * less than a share's notional (on its low bits alone the next buy
		 * would raise g) */
		{sell, 2, 3, (2 * qm + 3) * p, UINT64_MAX, 2, {{buy, 1, acc}, {buy, 1, acc}}, p, 0, 0},
		/* four buys of QTY_MAX take it below 2^57 (the first crosses, and
		 * the second as the first's other outcome) and down to 8P, so 9
		 * shares raise g by P: refused */
		{sell, 2, 3, (2 * qm + 3) * p, UINT64_MAX, 6,
		 {{buy, (uint32_t)qm, acc}, {buy, (uint32_t)qm, acc}, {buy, (uint32_t)qm, acc},
		  {buy, (uint32_t)qm - 2, acc}, {FAR_GAP, 0, TG_RISK_R_UNKNOWN_ORDER}, {buy, 9, gross}}, p, 0, 0},
		/* long Q = 2^25 - 1 shares: a sell's B is 2QP, below 2^57; a buy of
		 * QTY_MAX (g rises by all of it, up to the limit) takes B above
		 * 2^57, so the sell of as many after it raises nothing: accepted */
		{buy, 2, 1, (3 * qm + 1) * p, UINT64_MAX, 2, {{buy, (uint32_t)qm, acc}, {sell, (uint32_t)qm, acc}}, p, 0, 0},
		/* ...and with a share's sell right behind the buy: B after both is
		 * above 2^57 (the buy's taken outcome carries into the bits above) */
		{buy, 2, 1, (3 * qm + 1) * p, UINT64_MAX, 4,
		 {{buy, (uint32_t)qm, acc}, {sell, 1, acc}, {FAR_GAP, 0, TG_RISK_R_UNKNOWN_ORDER},
		  {sell, (uint32_t)qm, acc}}, p, 0, 0},
		/* the same with a share first: the QTY_MAX buy takes B across 2^57
		 * as the share's other outcome; on B's low bits alone the sell
		 * would raise g */
		{buy, 2, 1, (3 * qm + 2) * p, UINT64_MAX, 4,
		 {{buy, 1, acc}, {buy, (uint32_t)qm, acc}, {FAR_GAP, 0, TG_RISK_R_UNKNOWN_ORDER},
		  {sell, (uint32_t)qm, acc}}, p, 0, 0},
		/* g's rise at its edge, at a price of 1 (a notional is its share
		 * count): short 1000, g is 1000, a buy's A 2000 and a sell's B 0,
		 * with room for 1 more. A buy of 2001 raises g by exactly 1
		 * (m = A + 1), and so do a buy of 2000 and one of 1 right behind it
		 * (m + m' - A = 1 under the first's taken outcome): then B is 1,
		 * and a sell of a share raises nothing */
		{sell, 0, 1000, 1001, UINT64_MAX, 3,
		 {{buy, 2001, acc}, {FAR_GAP, 0, TG_RISK_R_UNKNOWN_ORDER}, {sell, 1, acc}}, 1, 0, 0},
		{sell, 0, 1000, 1001, UINT64_MAX, 4,
		 {{buy, 2000, acc}, {buy, 1, acc}, {FAR_GAP, 0, TG_RISK_R_UNKNOWN_ORDER}, {sell, 1, acc}}, 1, 0, 0},
		/* ...and on the other side right behind: a sell of 5 raises g by 5
		 * (B is 0) and a buy's A to 2005; a buy of 2005 right behind it
		 * raises nothing and leaves A at exactly 0, so a share's buy after
		 * it raises g by 1, past the limit */
		{sell, 0, 1000, 1005, UINT64_MAX, 4,
		 {{sell, 5, acc}, {buy, 2005, acc}, {FAR_GAP, 0, TG_RISK_R_UNKNOWN_ORDER}, {buy, 1, gross}}, 1, 0, 0},
		/* the room a COMMIT leaves, with the orders right behind it: short
		 * 1000 at a price of 1 under no gross limit, then MAX_GROSS 1001
		 * committed: room for 1. A buy of 2002 raises g by 2, refused; one of
		 * 2001 by exactly 1, accepted; a share's buy behind it by 1 more */
		{sell, 0, 1000, UINT64_MAX, UINT64_MAX, 3, {{buy, 2002, gross}, {buy, 2001, acc}, {buy, 1, gross}}, 1, 0,
		 1001},
		/* ...and a limit committed below what is open: a buy that raises g
		 * by a share is refused, as is a sell (short, it raises g); a buy
		 * of a share, which raises nothing, passes */
		{sell, 0, 1000, UINT64_MAX, UINT64_MAX, 3, {{buy, 2001, gross}, {sell, 1, gross}, {buy, 1, acc}}, 1, 0,
		 999},
	};
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
		run_far_past(&cases[k]);
}

/*
 * The duplicate window's record as the order ahead and the one two ahead
 * leave it (every input at t = 0, inside the window). Stage M compares an
 * order with the record, taking the one the order in D writes as it does;
 * C compares it with the order ahead for that one's taken outcome. A sell
 * behind a buy of the same size and price is no duplicate, a sell behind
 * that sell is, whether the two are back to back or a cancel of no order
 * stands between them.
 */
static void test_duplicate_record(void)
{
	static const uint8_t buy = TG_RISK_SIDE_BUY, sell = TG_RISK_SIDE_SELL;
	const int acc = TG_RISK_R_ACCEPTED, dup = TG_RISK_R_DUPLICATE, none = TG_RISK_R_UNKNOWN_ORDER;
	const struct far_case cases[] = {
		{buy, 0, 0, UINT64_MAX, UINT64_MAX, 5,
		 {{buy, 100, acc}, {FAR_GAP, 0, none}, {sell, 100, acc}, {FAR_GAP, 0, none}, {sell, 100, dup}}, 1000, 1000, 0},
		{buy, 0, 0, UINT64_MAX, UINT64_MAX, 4, {{buy, 100, acc}, {sell, 100, acc}, {sell, 100, dup}, {buy, 100, acc}},
		 1000, 1000, 0},
		{buy, 0, 0, UINT64_MAX, UINT64_MAX, 4,
		 {{sell, 100, acc}, {FAR_GAP, 0, none}, {sell, 101, acc}, {sell, 100, acc}}, 1000, 1000, 0},
	};
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
		run_far_past(&cases[k]);
}

/*
 * The instrument's rate bucket (GCRA: an order takes it to max(tat, t) +
 * period) under a period of 0, which leaves it as it is: stage C makes the
 * next bucket from a compare whose operands and carry in the period's
 * being 0 sets, for an order alone and for one behind an order of its
 * instrument (the bucket the one ahead leaves). A random stream reaches
 * those only with the bucket already past t, where the two rules agree.
 * Each step's bucket is the spec's value, on the card and in the model.
 */
static void test_rate_bucket_period_zero(void)
{
	struct tg_risk *model = tg_risk_new(&(struct tg_risk_config){.instruments = tg_vrisk_instruments(),
								      .slots = tg_vrisk_slots()});
	struct tg_vrisk *v = tg_vrisk_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	const int acc = TG_RISK_R_ACCEPTED, rate = TG_RISK_R_RATE;
	static const struct {
		uint64_t period;	/* committed before the orders, or UINT64_MAX: as it was */
		unsigned orders;	/* back to back, at t, t + 1, ... */
		uint64_t t;
		int want[3];
		uint64_t tat;		/* the bucket after them */
	} steps[] = {
		{UINT64_MAX, 1, 1000, {acc}, 0},	/* period 0 from the start: the bucket stays 0 */
		{UINT64_MAX, 3, 2000, {acc, acc, acc}, 0},
		{100, 2, 5000, {acc, rate}, 5100},	/* a period: t + period, then too soon */
		{0, 1, 6000, {acc}, 5100},		/* 0 again: the bucket stays where it was */
		{UINT64_MAX, 3, 7000, {acc, acc, acc}, 5100},
		{100, 2, 7002, {acc, rate}, 7102},	/* the bucket had passed: t + period */
	};
	unsigned slot = 1;
	for (unsigned st = 0; st < sizeof(steps) / sizeof(steps[0]); st++) {
		struct tg_risk_input in[24];
		unsigned n = 0;
		if (st == 0) {
			n = open_limits(in);
			in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_GROSS,
							 .value = UINT64_MAX};
			in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_NET,
							 .value = UINT64_MAX};
			in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_OPEN_ALL,
							 .value = 100};
			in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_RATE_PERIOD,
							 .value = 0};
			in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_COMMIT};
			in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_REF, .sub = 2, .price = 100};
		} else if (steps[st].period != UINT64_MAX) {
			in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_RATE_PERIOD,
							 .value = steps[st].period};
			in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_COMMIT};
		}
		unsigned first_order = n;
		for (unsigned k = 0; k < steps[st].orders; k++)
			in[n++] = (struct tg_risk_input){.kind = TG_RISK_IN_NEW, .side = TG_RISK_SIDE_BUY,
							 .slot = (uint16_t)slot++, .qty = 1, .price = 100,
							 .t = steps[st].t + k};
		unsigned k = 0, got = 0;
		for (; k < n; k++) {
			int r = tg_risk_apply(model, &in[k]);
			if (k >= first_order) {
				if (r != steps[st].want[k - first_order])
					printf("rate bucket step %u order %u: model %s\n", st, k - first_order,
					       tg_risk_reason_name((unsigned)r));
				CU_ASSERT_EQUAL(r, steps[st].want[k - first_order]);
			}
		}
		k = 0;
		for (unsigned cyc = 0; cyc < 200 && (k < n || got < steps[st].orders); cyc++) {
			struct tg_vrisk_out out;
			tg_vrisk_cycle(v, k < n ? &in[k] : NULL, &out);
			if (k < n && out.in_ready)
				k++;
			if (out.valid) {
				CU_ASSERT_FATAL(got < steps[st].orders);
				CU_ASSERT_EQUAL(out.reason, steps[st].want[got]);
				got++;
			}
		}
		CU_ASSERT_EQUAL(got, steps[st].orders);
		for (unsigned c = 0; c < 12; c++) {
			struct tg_vrisk_out out;
			tg_vrisk_cycle(v, NULL, &out);
		}
		struct tg_risk_inst_state hw;
		tg_risk_notional ln, sn;
		tg_vrisk_inst(v, 0, &hw, &ln, &sn);
		if (hw.rate_tat != steps[st].tat || tg_risk_inst(model, 0)->rate_tat != steps[st].tat)
			printf("rate bucket step %u: card %" PRIu64 ", model %" PRIu64 ", the spec %" PRIu64 "\n", st,
			       hw.rate_tat, tg_risk_inst(model, 0)->rate_tat, steps[st].tat);
		CU_ASSERT_EQUAL(hw.rate_tat, steps[st].tat);
		CU_ASSERT_EQUAL(tg_risk_inst(model, 0)->rate_tat, steps[st].tat);
		CU_ASSERT_EQUAL(state_diffs(v, model, tg_vrisk_instruments(), tg_vrisk_slots(), st), 0);
	}
	tg_vrisk_free(v);
	tg_risk_free(model);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{"card gate and golden model: same decisions, same state", test_differential},
		{"rooms far past their limits", test_far_past_limits},
		{"the duplicate window's record, two ahead and one ahead", test_duplicate_record},
		{"the rate bucket under a period of 0", test_rate_bucket_period_zero},
	};
	return tg_cunit_run("risk gate rtl", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
