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
 * whole, over, unmatched) and restatements between orders, reference moves,
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
#include "vrisk.h"

struct gen {
	uint64_t s;		/* xorshift64* state */
	uint64_t t;		/* input time (cycles) */
	uint32_t base[TG_RISK_INSTRUMENTS_MAX];	/* each instrument's price walk */
	unsigned burst;		/* inputs left in a burst at one time step */
	struct tg_risk *m;
	unsigned ni, ns;
};

static uint64_t rnd(struct gen *g)
{
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 0x2545f4914f6cdd1dull;
}

static uint32_t below(struct gen *g, uint32_t n)
{
	return n ? (uint32_t)(rnd(g) % n) : 0;
}

static bool chance(struct gen *g, unsigned percent)
{
	return below(g, 100) < percent;
}

static uint32_t clamp32(int64_t v)
{
	return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static uint64_t lim(struct gen *g, unsigned field, unsigned inst)
{
	return tg_risk_limit(g->m, field, inst, false);
}

static unsigned pick_inst(struct gen *g)
{
	return chance(g, 2) ? g->ni + below(g, 3) : below(g, g->ni);
}

/* An order slot: open (want_open) or free, from a random start; else any. */
static unsigned pick_slot(struct gen *g, bool want_open)
{
	if (chance(g, 1))
		return g->ns + below(g, 4);
	unsigned start = below(g, g->ns);
	for (unsigned k = 0; k < g->ns; k++) {
		unsigned s = (start + k) % g->ns;
		if (tg_risk_slot(g->m, s)->open == want_open)
			return s;
	}
	return start;
}

/* A limit price: around the reference, at and across the collar's edges. */
static uint32_t pick_price(struct gen *g, unsigned inst)
{
	const struct tg_risk_inst_state *st = tg_risk_inst(g->m, inst < g->ni ? inst : 0);
	uint64_t p = st->ref_price ? st->ref_price : g->base[inst % g->ni];
	uint64_t bps = lim(g, TG_RISK_LIM_COLLAR_BPS, inst);
	switch (below(g, 12)) {
	case 0: return (uint32_t)(p * (10000 + bps) / 10000);			/* the upper edge */
	case 1: return (uint32_t)(p * (10000 + bps) / 10000 + 1);
	case 2: return (uint32_t)((p * (10000 - bps) + 9999) / 10000);	/* the lower edge */
	case 3: return (uint32_t)((p * (10000 - bps) + 9999) / 10000 - 1);
	case 4: return chance(g, 50) ? 0 : TG_RISK_PRICE_MAX + 1u + below(g, 5);
	case 5: return 1 + below(g, TG_RISK_PRICE_MAX);
	default: return clamp32((int64_t)p + (int64_t)below(g, 2001) - 1000);
	}
}

/* An order quantity for side `buy` of inst: small, or at and past a limit. */
static uint32_t pick_qty(struct gen *g, unsigned inst, bool buy, uint32_t price)
{
	const struct tg_risk_inst_state *st = tg_risk_inst(g->m, inst < g->ni ? inst : 0);
	int64_t l = st->position + (int64_t)st->open_buy, s = st->position - (int64_t)st->open_sell;
	int off = (int)below(g, 3) - 1;
	switch (below(g, 10)) {
	case 0: return clamp32((int64_t)lim(g, TG_RISK_LIM_MAX_ORDER_QTY, inst) + off);
	case 1: return buy ? clamp32((int64_t)lim(g, TG_RISK_LIM_MAX_LONG, inst) - l + off)
			   : clamp32((int64_t)lim(g, TG_RISK_LIM_MAX_SHORT, inst) + s + off);
	case 2: return price ? clamp32((int64_t)(lim(g, TG_RISK_LIM_MAX_ORDER_NOTIONAL, inst) / price) + off) : 1;
	case 3: return chance(g, 50) ? 0 : TG_RISK_QTY_MAX + 1u;
	case 4: return buy ? clamp32(-l + off) : clamp32(s + off);	/* reduce-only's edge */
	default: return 1 + below(g, 300);
	}
}

static uint64_t pick_limit(struct gen *g, const struct tg_risk_limit_info *li)
{
	if (chance(g, 2))
		return li->max + 1 + below(g, 3);	/* refused */
	switch (li->id) {
	case TG_RISK_LIM_ENABLED: return chance(g, 92);
	case TG_RISK_LIM_REDUCE_ONLY: return chance(g, 8);
	case TG_RISK_LIM_MAX_ORDER_QTY: return 20 + below(g, 2000);
	case TG_RISK_LIM_MAX_ORDER_NOTIONAL: return 1000000ull + (uint64_t)below(g, 200000) * 10000;
	case TG_RISK_LIM_COLLAR_BPS: return chance(g, 3) ? 10000 : below(g, 600);
	case TG_RISK_LIM_MAX_LONG:
	case TG_RISK_LIM_MAX_SHORT: return 100 + below(g, 6000);
	case TG_RISK_LIM_MAX_OPEN: return 1 + below(g, 6);
	case TG_RISK_LIM_RATE_PERIOD: return chance(g, 50) ? 0 : 1 + below(g, 40);
	case TG_RISK_LIM_RATE_TOLERANCE: return below(g, 300);
	case TG_RISK_LIM_DUP_WINDOW: return chance(g, 40) ? 0 : 1 + below(g, 200);
	case TG_RISK_LIM_MAX_GROSS:
	case TG_RISK_LIM_MAX_NET: {
		struct tg_risk_totals t;
		tg_risk_totals(g->m, &t);
		tg_risk_notional base = t.gross > 0 ? t.gross : 0;
		if (chance(g, 20))
			return UINT64_MAX;
		uint64_t b = base > (tg_risk_notional)UINT64_MAX / 2 ? UINT64_MAX / 2 : (uint64_t)base;
		return b + (uint64_t)below(g, 2000) * 100000;
	}
	case TG_RISK_LIM_MAX_OPEN_ALL: return 4 + below(g, 64);
	case TG_RISK_LIM_RATE_PERIOD_ALL: return chance(g, 60) ? 0 : 1 + below(g, 10);
	case TG_RISK_LIM_RATE_TOLERANCE_ALL: return below(g, 100);
	case TG_RISK_LIM_NO_REF_REJECT: return chance(g, 30);
	default: return rnd(g);
	}
}

static struct tg_risk_input gen_input(struct gen *g)
{
	struct tg_risk_input in = {0};
	if (g->burst) {
		g->burst--;
	} else {
		g->t += below(g, 12);
		if (chance(g, 1))
			g->burst = 20 + below(g, 60);	/* a burst at one instant */
	}
	in.t = g->t;
	unsigned w = below(g, 1000);
	if (w < 330) {
		in.kind = TG_RISK_IN_NEW;
		in.inst = (uint8_t)pick_inst(g);
		in.side = (uint8_t)below(g, 4);
		in.slot = (uint16_t)pick_slot(g, chance(g, 5));
		in.price = pick_price(g, in.inst);
		in.qty = pick_qty(g, in.inst, in.side == TG_RISK_SIDE_BUY, in.price);
		/* the duplicate window: repeat the last order now and then */
		const struct tg_risk_inst_state *st = tg_risk_inst(g->m, in.inst);
		if (st && st->last_valid && chance(g, 10)) {
			in.side = st->last_side;
			in.qty = st->last_qty;
			in.price = st->last_price;
		}
	} else if (w < 410) {
		in.kind = TG_RISK_IN_CANCEL;
		in.slot = (uint16_t)pick_slot(g, !chance(g, 5));
		const struct tg_risk_slot *o = tg_risk_slot(g->m, in.slot);
		in.qty = o && o->rem ? (chance(g, 10) ? o->rem : below(g, o->rem)) : below(g, 10);
	} else if (w < 510) {
		in.kind = TG_RISK_IN_REPLACE;
		in.slot = (uint16_t)pick_slot(g, !chance(g, 5));
		const struct tg_risk_slot *o = tg_risk_slot(g->m, in.slot);
		unsigned inst = o ? o->inst : 0;
		in.price = pick_price(g, inst);
		in.qty = o && o->rem && chance(g, 50) ? clamp32((int64_t)o->rem + below(g, 21) - 10)
						      : pick_qty(g, inst, o && o->side == TG_RISK_SIDE_BUY, in.price);
	} else if (w < 640) {
		in.kind = TG_RISK_IN_FILL;
		in.slot = (uint16_t)pick_slot(g, !chance(g, 8));
		const struct tg_risk_slot *o = tg_risk_slot(g->m, in.slot);
		if (o && o->open && !chance(g, 5)) {
			in.inst = o->inst;
			/* another sell code still matches a sell */
			in.side = o->side == TG_RISK_SIDE_BUY ? TG_RISK_SIDE_BUY : (uint8_t)(1 + below(g, 3));
			unsigned c = below(g, 10);
			in.qty = c < 5 ? 1 + below(g, o->rem) : c < 9 ? o->rem : o->rem + 1 + below(g, 50);
		} else {
			in.inst = (uint8_t)pick_inst(g);
			in.side = chance(g, 50) ? TG_RISK_SIDE_BUY : (uint8_t)(1 + below(g, 3));
			in.qty = chance(g, 3) ? (chance(g, 50) ? 0 : TG_RISK_QTY_MAX + 1) : 1 + below(g, 500);
		}
	} else if (w < 690) {
		in.kind = TG_RISK_IN_RESTATE;
		in.slot = (uint16_t)pick_slot(g, !chance(g, 5));
		const struct tg_risk_slot *o = tg_risk_slot(g->m, in.slot);
		uint32_t rem = o ? o->rem : 0;
		in.qty = chance(g, 2) ? TG_RISK_QTY_MAX + 1 : chance(g, 30) ? 0 : below(g, rem + 20);
	} else if (w < 820) {
		in.kind = TG_RISK_IN_REF;
		in.inst = (uint8_t)pick_inst(g);
		in.sub = (uint8_t)(chance(g, 1) ? 3 : below(g, 3));
		unsigned k = in.inst % g->ni;
		g->base[k] = clamp32((int64_t)g->base[k] + (int64_t)below(g, 401) - 200);
		if (g->base[k] < 1000)
			g->base[k] = 1000;
		uint32_t spread = 1 + below(g, 50);
		in.price = chance(g, 20) ? 0 : g->base[k] - spread;
		in.price2 = chance(g, 20) ? 0 : g->base[k] + spread;
		if (chance(g, 1))
			in.price2 = TG_RISK_PRICE_MAX + 1u;
	} else if (w < 835) {
		in.kind = TG_RISK_IN_HALT;
		in.inst = (uint8_t)pick_inst(g);
		in.sub = (uint8_t)(chance(g, 2) ? 2 : below(g, 2));
		in.qty = chance(g, 12);
	} else if (w < 842) {
		in.kind = TG_RISK_IN_KILL;
		in.sub = (uint8_t)(chance(g, 2) ? 2 + below(g, 2) : below(g, 2));
		in.inst = (uint8_t)pick_inst(g);
		in.qty = chance(g, 12);
	} else if (w < 975) {
		in.kind = TG_RISK_IN_SET;
		if (chance(g, 2)) {
			in.field = (uint8_t)(11 + below(g, 21));	/* mostly not a field */
			in.value = below(g, 2);
		} else {
			const struct tg_risk_limit_info *li = &tg_risk_limits[below(g, tg_risk_limits_count)];
			in.field = li->id;
			in.value = pick_limit(g, li);
		}
		in.inst = (uint8_t)pick_inst(g);
	} else if (w < 997) {
		in.kind = TG_RISK_IN_COMMIT;
	} else {
		in.kind = (uint8_t)(10 + below(g, 6));	/* no such input */
	}
	return in;
}

/* Every limit set to something orders pass, committed. */
static void setup_inputs(struct gen *g, struct tg_risk_input *out, unsigned *n)
{
	static const struct {
		unsigned id;
		uint64_t v;
	} inst_lim[] = {
		{TG_RISK_LIM_ENABLED, 1}, {TG_RISK_LIM_MAX_ORDER_QTY, 2000},
		{TG_RISK_LIM_MAX_ORDER_NOTIONAL, 1000000000000ull}, {TG_RISK_LIM_COLLAR_BPS, 300},
		{TG_RISK_LIM_MAX_LONG, 5000}, {TG_RISK_LIM_MAX_SHORT, 5000}, {TG_RISK_LIM_MAX_OPEN, 12},
	};
	*n = 0;
	for (unsigned i = 0; i < g->ni; i++) {
		for (unsigned k = 0; k < sizeof(inst_lim) / sizeof(inst_lim[0]); k++)
			out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = (uint8_t)inst_lim[k].id,
							     .inst = (uint8_t)i, .value = inst_lim[k].v};
		g->base[i] = 100000 + 50000 * i;
		out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_REF, .sub = 2, .inst = (uint8_t)i,
						     .price = g->base[i]};
	}
	out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_GROSS, .value = UINT64_MAX};
	out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_NET, .value = UINT64_MAX};
	out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = TG_RISK_LIM_MAX_OPEN_ALL, .value = 48};
	out[(*n)++] = (struct tg_risk_input){.kind = TG_RISK_IN_COMMIT};
}

struct expect {
	struct tg_risk_input in;
	int reason;
	uint64_t index;
};

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
	struct gen g = {.s = env_u64("TG_RISK_TEST_SEED", 0x5eed0f7a11ull) | 1};
	g.ni = tg_vrisk_instruments();
	g.ns = tg_vrisk_slots();
	g.m = tg_risk_new(&(struct tg_risk_config){.instruments = g.ni, .slots = g.ns});
	struct tg_vrisk *v = tg_vrisk_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(g.m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);

	struct tg_risk_input setup[TG_RISK_INSTRUMENTS_MAX * 8 + 8];
	unsigned n_setup;
	setup_inputs(&g, setup, &n_setup);

	enum { QLEN = 16 };
	struct expect q[QLEN];
	unsigned qh = 0, qt = 0;
	uint64_t taken = 0, decisions = 0, mismatches = 0, stalls = 0, cycles = 0, state_bad = 0;
	struct tg_risk_input cur;
	bool have = false;
	uint64_t next_check = 20000;
	uint64_t idle = 0;

	while (taken < n_setup + n_inputs || qh != qt) {
		bool offer = false;
		if (!have && taken < n_setup + n_inputs && !idle) {
			cur = taken < n_setup ? setup[taken] : gen_input(&g);
			have = true;
		}
		if (have && !idle && !chance(&g, 8))
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
			if (out.in_ready) {
				int r = tg_risk_apply(g.m, &cur);
				if (r >= 0) {
					CU_ASSERT_FATAL(qh - qt < QLEN);
					q[qh++ % QLEN] = (struct expect){.in = cur, .reason = r, .index = taken};
				}
				taken++;
				have = false;
				if (taken >= next_check) {
					next_check += 20000;
					idle = 4;	/* drain, then compare every piece of state */
				}
			} else {
				stalls++;
			}
		}
		if (idle == 1)
			state_bad += state_diffs(v, g.m, g.ni, g.ns, taken);
	}
	for (unsigned k = 0; k < 4; k++) {	/* the last input through the pipeline */
		struct tg_vrisk_out out;
		tg_vrisk_cycle(v, NULL, &out);
		CU_ASSERT_FALSE(out.valid);
	}
	state_bad += state_diffs(v, g.m, g.ni, g.ns, taken);

	struct tg_risk_totals t;
	tg_risk_totals(g.m, &t);
	printf("\n%" PRIu64 " inputs in %" PRIu64 " cycles (%" PRIu64 " stalls), %" PRIu64
	       " decisions, %" PRIu64 " mismatches, %" PRIu64 " state differences; bad inputs %" PRIu64
	       ", unmatched %" PRIu64 "\n", taken, cycles, stalls, decisions, mismatches, state_bad,
	       t.bad_inputs, t.unmatched);
	for (unsigned r = 0; r < TG_RISK_REASONS; r++)
		printf("  %-20s %" PRIu64 "\n", tg_risk_reason_name(r), t.decided[r]);
	CU_ASSERT_EQUAL(mismatches, 0);
	CU_ASSERT_EQUAL(state_bad, 0);
	/* a test that never reached a check proves nothing about it */
	uint64_t floor = n_inputs / 20000;
	for (unsigned r = 0; r < TG_RISK_REASONS; r++)
		CU_ASSERT(t.decided[r] >= floor);
	CU_ASSERT(t.bad_inputs >= floor);
	CU_ASSERT(t.unmatched >= floor);
	tg_vrisk_free(v);
	tg_risk_free(g.m);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{"card gate and golden model: same decisions, same state", test_differential},
	};
	return tg_cunit_run("risk gate rtl", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
