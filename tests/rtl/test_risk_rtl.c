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
#include "risk_stream.h"
#include "vrisk.h"

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
	struct tg_risk_stream g;
	struct tg_risk *model = tg_risk_new(&(struct tg_risk_config){.instruments = tg_vrisk_instruments(),
								      .slots = tg_vrisk_slots()});
	tg_risk_stream_init(&g, env_u64("TG_RISK_TEST_SEED", 0x5eed0f7a11ull), model, tg_vrisk_instruments(),
			    tg_vrisk_slots());
	struct tg_vrisk *v = tg_vrisk_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(g.m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);

	struct tg_risk_input setup[TG_RISK_STREAM_SETUP_MAX];
	unsigned n_setup = tg_risk_stream_setup(&g, setup);

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
