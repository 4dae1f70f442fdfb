/*
 * The trader's bookkeeping (host/trade_state.c), on its own:
 *
 *   - an order's life through the gate's decision and the exchange's
 *     answers, by hand: fills, cancels, the cancel crossed by a full
 *     execution (no answer comes; the order must not stay "in progress"),
 *     rejected new orders and replaces, skipped decisions, the card's own;
 *   - the pre-trade checks with orders in flight counted as accepted;
 *   - money: realized P&L against the average cost, checked against cash;
 *   - against the gate's golden model (sw/risk.c): a seeded stream of
 *     orders, decisions, exchange answers (the cancel race included),
 *     reference moves, halts and kills, applied to both as the card applies
 *     them. With nothing in flight the pre-trade verdict must be the gate's
 *     decision, and the positions, open quantities and open orders this
 *     process counts must be the gate's, slot by slot, after every step.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg_cunit.h"
#include "trade_fixture.h"
#include "trade_state.h"
#include "tickgate/risk.h"

#define SLOTS 32u
#define PX 1000000u		/* $100.00 */

static struct trade_state st;
static struct slot slots[SLOTS];

/* One symbol per card instrument 0..n-1, generous limits, a BBO of 100.00 x 100.02. */
static void fixture(unsigned n)
{
	trade_fixture_init(&st, slots, SLOTS);
	st.n_sym = n;
	for (unsigned k = 0; k < n; k++) {
		struct sym *s = &st.sym[k];

		snprintf(s->name, sizeof(s->name), "SYM%u", k);
		s->inst = k;
		st.sym_of_inst[k] = (int)k;
		s->lim[TG_RISK_LIM_ENABLED] = 1;
		s->lim[TG_RISK_LIM_MAX_ORDER_QTY] = 1000;
		s->lim[TG_RISK_LIM_MAX_ORDER_NOTIONAL] = 1000ull * 2 * PX;
		s->lim[TG_RISK_LIM_COLLAR_BPS] = 500;
		s->lim[TG_RISK_LIM_MAX_LONG] = 10000;
		s->lim[TG_RISK_LIM_MAX_SHORT] = 10000;
		s->lim[TG_RISK_LIM_MAX_OPEN] = 100;
		s->bid = PX;
		s->ask = PX + 200;
	}
	st.glim[TG_RISK_LIM_MAX_GROSS] = 1ull << 50;
	st.glim[TG_RISK_LIM_MAX_NET] = 1ull << 50;
	st.glim[TG_RISK_LIM_MAX_OPEN_ALL] = 100;
}

/* An order through the pre-trade checks (which must pass it) and onto the
 * ring, as send_order does; returns its slot, *tag its tag. */
static int send(unsigned sym, unsigned kind, int slot, unsigned side, uint32_t qty, uint32_t price, uint32_t *tag)
{
	static const struct slot free_slot;
	uint32_t grow = 0;

	if (kind == TG_RISK_IN_NEW)
		slot = trade_alloc_slot(&st);
	CU_ASSERT_FATAL(slot >= 0);
	if (kind != TG_RISK_IN_NEW)
		side = st.slots[slot].side;
	CU_ASSERT_EQUAL(trade_precheck(&st, &st.sym[sym], kind, kind == TG_RISK_IN_NEW ? &free_slot : &st.slots[slot],
				       side, qty, price, &grow), 0);
	*tag = trade_next_tag(&st);
	trade_sent(&st, &(struct request){ .tag = *tag, .slot = (uint16_t)slot, .kind = (uint8_t)kind,
					   .side = (uint8_t)side, .qty = qty, .price = price, .grow = grow,
					   .sym = (int)sym });
	return slot;
}

static void decide(uint32_t tag, unsigned reason, uint64_t in_cycle)
{
	struct tg_c2h_order_decision d = { .tag = tag, .flags = reason == 0 ? 1u : 0u, .reason = (uint8_t)reason,
					   .in_cycle = in_cycle };

	trade_decision(&st, &d);
}

/* An exchange answer the card matched to an open slot. */
static void answer(char type, int slot, uint32_t qty, uint32_t price, char state)
{
	struct tg_c2h_order_resp e = { .flags = 1, .msg_type = (uint8_t)type, .slot = (uint16_t)slot, .qty = qty,
				       .price = price, .state = (uint8_t)state };

	trade_response(&st, &e, 1);
}

/* A buy of 100 at 100.01, accepted by the gate and by the exchange. */
static int open_buy_100(void)
{
	uint32_t tag;
	int sl = send(0, TG_RISK_IN_NEW, -1, TG_RISK_SIDE_BUY, 100, PX + 100, &tag);

	decide(tag, 0, 10);
	answer('A', sl, 100, PX + 100, 'L');
	return sl;
}

static void test_new_fill_close(void)
{
	struct sym *s = &st.sym[0];
	uint32_t tag;

	fixture(1);
	int sl = send(0, TG_RISK_IN_NEW, -1, TG_RISK_SIDE_BUY, 100, PX + 100, &tag);
	struct slot *q = &slots[sl];
	/* in flight: counted as if accepted, not yet open */
	CU_ASSERT_EQUAL(s->fly_buy, 100);
	CU_ASSERT_EQUAL(s->fly_new, 1);
	CU_ASSERT_EQUAL(s->open_orders, 0);
	CU_ASSERT_EQUAL(trade_all_buys(s), 100);
	CU_ASSERT_EQUAL(q->pend, PEND_NEW);
	CU_ASSERT(trade_live(q));
	decide(tag, 0, 10);
	CU_ASSERT_EQUAL(s->fly_buy, 0);
	CU_ASSERT_EQUAL(s->fly_new, 0);
	CU_ASSERT_EQUAL(st.fifo_len, 0);
	CU_ASSERT_EQUAL(s->open_buy, 100);
	CU_ASSERT_EQUAL(s->open_orders, 1);
	CU_ASSERT_EQUAL(st.open_all, 1);
	CU_ASSERT(q->gate_open);
	CU_ASSERT_EQUAL(q->pend, PEND_NEW);	/* the exchange's answer is due */
	CU_ASSERT(q->pend_decided);
	answer('A', sl, 100, PX + 100, 'L');
	CU_ASSERT_EQUAL(q->pend, PEND_NONE);
	CU_ASSERT_EQUAL(q->xopen, 100);
	CU_ASSERT(q->acked);
	answer('E', sl, 30, PX + 100, 0);
	CU_ASSERT_EQUAL(s->pos, 30);
	CU_ASSERT_EQUAL(s->cash, -30 * (int64_t)(PX + 100));
	CU_ASSERT_EQUAL(s->open_buy, 70);
	CU_ASSERT_EQUAL(q->xopen, 70);
	CU_ASSERT(trade_live(q));
	answer('E', sl, 70, PX + 100, 0);
	CU_ASSERT_EQUAL(s->pos, 100);
	CU_ASSERT_EQUAL(s->open_buy, 0);
	CU_ASSERT_EQUAL(s->open_orders, 0);
	CU_ASSERT_EQUAL(st.open_all, 0);
	CU_ASSERT(!q->gate_open);
	CU_ASSERT(!trade_live(q));
	CU_ASSERT_EQUAL(s->c.fills, 2);
	CU_ASSERT_EQUAL(s->c.bought, 100);
	CU_ASSERT_EQUAL(trade_alloc_slot(&st), sl + 1);	/* slots are taken round the table */
}

/* A cancel of the whole order, accepted by the gate: nothing changes until the exchange answers. */
static void cancel_accepted(int sl)
{
	uint32_t tag;

	send(0, TG_RISK_IN_CANCEL, sl, 0, 0, 0, &tag);
	CU_ASSERT_EQUAL(slots[sl].pend, PEND_CANCEL);
	decide(tag, 0, 20);
	CU_ASSERT_EQUAL(slots[sl].pend, PEND_CANCEL);
	CU_ASSERT(slots[sl].gate_open);
	CU_ASSERT_EQUAL(slots[sl].rem, 100);
}

/*
 * The race: a cancel is on its way when the order executes in full. The
 * exchange ignores a cancel of an order it no longer has, so no answer
 * comes; the order must not wait for one (it would be "in progress" for
 * good, and never closed or replaced).
 */
static void test_cancel_crossed_by_full_execution(void)
{
	struct sym *s = &st.sym[0];

	fixture(1);
	int sl = open_buy_100();
	struct slot *q = &slots[sl];

	cancel_accepted(sl);
	CU_ASSERT_EQUAL(s->open_buy, 100);
	answer('E', sl, 100, PX + 100, 0);
	CU_ASSERT_EQUAL(q->pend, PEND_NONE);
	CU_ASSERT(!q->gate_open);
	CU_ASSERT(!trade_live(q));
	CU_ASSERT_EQUAL(s->pos, 100);
	CU_ASSERT_EQUAL(s->open_buy, 0);
	CU_ASSERT_EQUAL(s->open_orders, 0);
	CU_ASSERT_EQUAL(st.n_slots, SLOTS);
	st.n_slots = (unsigned)sl + 1;	/* the slot is free again: the only one left is taken */
	CU_ASSERT_EQUAL(trade_alloc_slot(&st), sl);
}

/* A partial execution while the cancel is on its way: the cancel's answer still comes. */
static void test_cancel_crossed_by_partial_execution(void)
{
	struct sym *s = &st.sym[0];

	fixture(1);
	int sl = open_buy_100();
	struct slot *q = &slots[sl];

	cancel_accepted(sl);
	answer('E', sl, 40, PX + 100, 0);
	CU_ASSERT_EQUAL(q->pend, PEND_CANCEL);
	CU_ASSERT(trade_live(q));
	CU_ASSERT_EQUAL(s->open_buy, 60);
	answer('C', sl, 60, 0, 'U');
	CU_ASSERT_EQUAL(q->pend, PEND_NONE);
	CU_ASSERT(!q->gate_open);
	CU_ASSERT(!trade_live(q));
	CU_ASSERT_EQUAL(s->pos, 40);
	CU_ASSERT_EQUAL(s->open_buy, 0);
	CU_ASSERT_EQUAL(s->c.x_canceled_shares, 60);
}

/* A Cancel Reject: the exchange has nothing left to cancel; the gate counts what it counted. */
static void test_cancel_reject(void)
{
	fixture(1);
	int sl = open_buy_100();
	struct slot *q = &slots[sl];

	cancel_accepted(sl);
	answer('I', sl, 0, 0, 0);
	CU_ASSERT_EQUAL(q->pend, PEND_NONE);
	CU_ASSERT_EQUAL(q->xopen, 0);
	CU_ASSERT(!trade_live(q));
	CU_ASSERT(q->gate_open);
	CU_ASSERT_EQUAL(q->rem, 100);
	CU_ASSERT_EQUAL(st.sym[0].c.x_cancel_rejects, 1);
}

static void test_rejected_new_closes(void)
{
	struct sym *s = &st.sym[0];
	uint32_t tag;

	fixture(1);
	int sl = send(0, TG_RISK_IN_NEW, -1, TG_RISK_SIDE_SELL_SHORT, 50, PX, &tag);
	decide(tag, 0, 10);
	CU_ASSERT_EQUAL(s->open_sell, 50);
	answer('J', sl, 0, 0, 0);
	CU_ASSERT(!slots[sl].gate_open);
	CU_ASSERT_EQUAL(slots[sl].pend, PEND_NONE);
	CU_ASSERT(!trade_live(&slots[sl]));
	CU_ASSERT_EQUAL(s->open_sell, 0);
	CU_ASSERT_EQUAL(s->open_orders, 0);
	CU_ASSERT_EQUAL(s->c.x_rejected, 1);
}

/* A replace that grows: the larger size is open until the exchange
 * answers; rejected, the shares it added are taken back. */
static void test_replace_grow_rejected(void)
{
	struct sym *s = &st.sym[0];
	uint32_t tag;

	fixture(1);
	int sl = open_buy_100();
	struct slot *q = &slots[sl];

	send(0, TG_RISK_IN_REPLACE, sl, 0, 150, PX + 50, &tag);
	CU_ASSERT_EQUAL(s->fly_buy, 50);
	CU_ASSERT_EQUAL(s->fly_rate, 1);
	decide(tag, 0, 30);
	CU_ASSERT_EQUAL(s->fly_buy, 0);
	CU_ASSERT_EQUAL(q->rem, 150);
	CU_ASSERT_EQUAL(q->rep_grow, 50);
	CU_ASSERT_EQUAL(s->open_buy, 150);
	CU_ASSERT_EQUAL(s->open_orders, 1);
	answer('E', sl, 20, PX + 100, 0);	/* executions in between stand */
	answer('J', sl, 0, 0, 0);
	CU_ASSERT_EQUAL(q->rem, 80);
	CU_ASSERT_EQUAL(s->open_buy, 80);
	CU_ASSERT_EQUAL(q->pend, PEND_NONE);
	CU_ASSERT(q->gate_open);
	CU_ASSERT_EQUAL(q->xopen, 80);
	CU_ASSERT_EQUAL(q->price, PX + 100);	/* the order stands as it was */
}

/* A replace that shrinks: the old size stays open until the exchange states the new one. */
static void test_replace_shrink_stated(void)
{
	struct sym *s = &st.sym[0];
	uint32_t tag;

	fixture(1);
	int sl = open_buy_100();
	struct slot *q = &slots[sl];

	send(0, TG_RISK_IN_REPLACE, sl, 0, 60, PX + 50, &tag);
	CU_ASSERT_EQUAL(s->fly_buy, 0);
	decide(tag, 0, 30);
	CU_ASSERT_EQUAL(q->rem, 100);
	CU_ASSERT_EQUAL(q->pend, PEND_REPLACE);
	answer('U', sl, 60, PX + 50, 'L');
	CU_ASSERT_EQUAL(q->rem, 60);
	CU_ASSERT_EQUAL(s->open_buy, 60);
	CU_ASSERT_EQUAL(q->xopen, 60);
	CU_ASSERT_EQUAL(q->price, PX + 50);
	CU_ASSERT_EQUAL(q->pend, PEND_NONE);
	CU_ASSERT(q->replaced);
}

/* A gate reject frees the slot and tells of a kill not yet seen. */
static void test_gate_reject_and_kill(void)
{
	struct sym *s = &st.sym[0];
	uint32_t tag, g;

	fixture(1);
	int sl = send(0, TG_RISK_IN_NEW, -1, TG_RISK_SIDE_BUY, 10, PX, &tag);
	decide(tag, TG_RISK_R_KILLED, 10);
	CU_ASSERT(st.killed);
	CU_ASSERT_EQUAL(s->c.rejected_by[TG_RISK_R_KILLED], 1);
	CU_ASSERT_EQUAL(slots[sl].pend, PEND_NONE);
	CU_ASSERT(!slots[sl].gate_open);
	CU_ASSERT_EQUAL(s->fly_buy, 0);
	CU_ASSERT_EQUAL(st.fly_new_all, 0);
	CU_ASSERT_EQUAL(trade_precheck(&st, s, TG_RISK_IN_NEW, &slots[sl], TG_RISK_SIDE_BUY, 10, PX, &g),
			TG_RISK_R_KILLED);
}

/* Decisions come back in sending order: one that skips an order ends it; the card's own are not ours. */
static void test_decision_order(void)
{
	uint32_t t1, t2;

	fixture(1);
	int a = send(0, TG_RISK_IN_NEW, -1, TG_RISK_SIDE_BUY, 10, PX, &t1);
	int b = send(0, TG_RISK_IN_NEW, -1, TG_RISK_SIDE_BUY, 11, PX, &t2);
	struct tg_c2h_order_decision own = { .tag = 0, .flags = 2 };

	trade_decision(&st, &own);
	CU_ASSERT_EQUAL(st.card_decisions, 1);
	CU_ASSERT_EQUAL(st.fifo_len, 2);
	decide(t2, 0, 10);
	CU_ASSERT_EQUAL(st.decision_mismatch, 1);
	CU_ASSERT_EQUAL(st.fifo_len, 0);
	CU_ASSERT_EQUAL(slots[a].pend, PEND_NONE);
	CU_ASSERT(!slots[a].gate_open);
	CU_ASSERT(slots[b].gate_open);
	CU_ASSERT_EQUAL(st.sym[0].open_buy, 11);
	CU_ASSERT_EQUAL(st.sym[0].fly_buy, 0);
	decide(99, 0, 11);	/* due for nothing: counted, nothing moves */
	CU_ASSERT_EQUAL(st.decision_mismatch, 2);
	CU_ASSERT_EQUAL(st.sym[0].c.accepted, 1);
}

/* Orders in flight count as accepted in every check that counts orders. */
static void test_precheck_in_flight(void)
{
	static const struct slot free_slot;
	struct sym *s = &st.sym[0];
	uint32_t tag, g;

	fixture(1);
	s->lim[TG_RISK_LIM_MAX_OPEN] = 2;
	s->lim[TG_RISK_LIM_MAX_LONG] = 150;
	s->lim[TG_RISK_LIM_DUP_WINDOW] = 1000;
	send(0, TG_RISK_IN_NEW, -1, TG_RISK_SIDE_BUY, 100, PX, &tag);
	/* long: 100 in flight + 51 > 150; 50 fits */
	CU_ASSERT_EQUAL(trade_precheck(&st, s, TG_RISK_IN_NEW, &free_slot, TG_RISK_SIDE_BUY, 51, PX + 1, &g),
			TG_RISK_R_MAX_LONG);
	CU_ASSERT_EQUAL(trade_precheck(&st, s, TG_RISK_IN_NEW, &free_slot, TG_RISK_SIDE_BUY, 50, PX + 1, &g), 0);
	CU_ASSERT_EQUAL(g, 50);
	/* the same order as one in flight is a duplicate */
	CU_ASSERT_EQUAL(trade_precheck(&st, s, TG_RISK_IN_NEW, &free_slot, TG_RISK_SIDE_BUY, 100, PX, &g),
			TG_RISK_R_MAX_LONG);
	s->lim[TG_RISK_LIM_MAX_LONG] = 1000;
	CU_ASSERT_EQUAL(trade_precheck(&st, s, TG_RISK_IN_NEW, &free_slot, TG_RISK_SIDE_BUY, 100, PX, &g),
			TG_RISK_R_DUPLICATE);
	send(0, TG_RISK_IN_NEW, -1, TG_RISK_SIDE_SELL, 10, PX, &tag);
	/* two in flight: a third NEW passes MAX_OPEN */
	CU_ASSERT_EQUAL(trade_precheck(&st, s, TG_RISK_IN_NEW, &free_slot, TG_RISK_SIDE_SELL, 5, PX, &g),
			TG_RISK_R_MAX_OPEN);
	CU_ASSERT_EQUAL(trade_in_flight(&st, 0), 2);
	CU_ASSERT_EQUAL(trade_in_flight(&st, -1), 2);
}

/* The rate bucket counts orders in flight as accepted at the latest cycle
 * seen, the worst case: a burst of 2 in flight refuses a third at any
 * time; once decided (accepted at cycle 100), the bucket is at 120 and
 * conforms again at 110 (120 - tolerance). */
static void test_precheck_rate(void)
{
	static const struct slot free_slot;
	struct sym *s = &st.sym[0];
	uint32_t t1, t2, g;

	fixture(1);
	s->lim[TG_RISK_LIM_RATE_PERIOD] = 10;
	s->lim[TG_RISK_LIM_RATE_TOLERANCE] = 10;	/* a burst of 2 */
	st.now_cycle = 100;
	send(0, TG_RISK_IN_NEW, -1, TG_RISK_SIDE_BUY, 1, PX, &t1);
	send(0, TG_RISK_IN_NEW, -1, TG_RISK_SIDE_BUY, 2, PX, &t2);
	st.now_cycle = 1000;
	CU_ASSERT_EQUAL(trade_precheck(&st, s, TG_RISK_IN_NEW, &free_slot, TG_RISK_SIDE_BUY, 3, PX, &g),
			TG_RISK_R_RATE);
	decide(t1, 0, 100);
	decide(t2, 0, 100);
	CU_ASSERT_EQUAL(s->rate_tat, 120);
	st.now_cycle = 109;
	CU_ASSERT_EQUAL(trade_precheck(&st, s, TG_RISK_IN_NEW, &free_slot, TG_RISK_SIDE_BUY, 3, PX, &g),
			TG_RISK_R_RATE);
	st.now_cycle = 110;
	CU_ASSERT_EQUAL(trade_precheck(&st, s, TG_RISK_IN_NEW, &free_slot, TG_RISK_SIDE_BUY, 3, PX, &g), 0);
}

/* Realized P&L against the run's average cost: flat again, it is the cash. */
static void test_money(void)
{
	struct sym *s = &st.sym[0];

	fixture(1);
	trade_book_trade(s, true, 100, 100000);		/* buy 100 at 10.00 */
	trade_book_trade(s, false, 150, 110000);	/* sell 150 at 11.00: +100.00, short 50 */
	CU_ASSERT_EQUAL(s->realized, 1000000);
	CU_ASSERT_EQUAL(s->pos, -50);
	CU_ASSERT_EQUAL(s->basis, 50 * 110000);
	trade_book_trade(s, true, 50, 105000);		/* cover at 10.50: +25.00 */
	CU_ASSERT_EQUAL(s->realized, 1250000);
	CU_ASSERT_EQUAL(s->pos, 0);
	CU_ASSERT_EQUAL(s->basis, 0);
	CU_ASSERT_EQUAL(s->cash, s->realized);
	trade_book_trade(s, true, 3, 100001);		/* a new run: its basis, no realized */
	trade_book_trade(s, true, 1, 100000);
	trade_book_trade(s, false, 2, 100000);		/* 2 of 4 at cost 400003/4: -0.0001 (rounded down) */
	CU_ASSERT_EQUAL(s->basis, 400003 - 200001);
	CU_ASSERT_EQUAL(s->realized, 1250000 - 1);
}

static void test_book_events(void)
{
	struct sym *s = &st.sym[0];
	struct tg_feed_event_book b = { .instrument = 0 };
	uint32_t g;

	fixture(1);
	b.ev.type = TG_BOOK_EV_BBO;
	b.ev.u.bbo.bid_price = 500000;
	b.ev.u.bbo.ask_price = 500003;
	CU_ASSERT_EQUAL(trade_book_event(&st, &b), 0);
	CU_ASSERT_EQUAL(trade_ref_price(s), 500001);	/* the mid, rounded down */
	b.ev.u.bbo.flags = TG_BOOK_BBO_BID_UNKNOWN;
	trade_book_event(&st, &b);
	CU_ASSERT_EQUAL(s->bid, 0);
	CU_ASSERT_EQUAL(trade_ref_price(s), 0);
	b.ev.type = TG_BOOK_EV_TRADE;
	b.ev.u.trade.price = 499000;
	trade_book_event(&st, &b);
	CU_ASSERT_EQUAL(trade_ref_price(s), 499000);	/* no mid: the last trade */
	b.ev.type = TG_BOOK_EV_HALT;
	b.ev.u.halt.halted = true;
	trade_book_event(&st, &b);
	CU_ASSERT_EQUAL(trade_precheck(&st, s, TG_RISK_IN_NEW, &slots[0], TG_RISK_SIDE_BUY, 1, 499000, &g),
			TG_RISK_R_HALTED);
	b.instrument = 7;	/* not ours */
	CU_ASSERT_EQUAL(trade_book_event(&st, &b), -1);
}

/* ------------------------------------------------------------------ against the golden model */

#define GM_INST 2u
#define GM_STEPS 1000000u

/* What the simulated exchange owes a slot. */
enum owe { OWE_NONE, OWE_NEW, OWE_REPLACE, OWE_CANCEL };

struct gm {
	struct tg_risk *r;
	uint64_t t, rng;
	uint8_t owe[SLOTS];
	uint32_t owe_qty[SLOTS];	/* a replace's new size */
	uint32_t owe_grow[SLOTS];	/* the shares a replace added in the gate */
	uint32_t xopen[SLOTS];		/* open at the exchange */
	uint64_t verdicts, accepted, races;
};

static uint64_t gm_rand(struct gm *m, uint64_t n)
{
	uint64_t z = (m->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (z ^ (z >> 31)) % n;
}

static void gm_apply(struct gm *m, struct tg_risk_input in)
{
	in.t = m->t;
	tg_risk_apply(m->r, &in);
}

static void gm_limit(struct gm *m, unsigned field, unsigned inst, uint64_t v)
{
	gm_apply(m, (struct tg_risk_input){ .kind = TG_RISK_IN_SET, .field = (uint8_t)field, .inst = (uint8_t)inst,
					    .value = v });
	if (tg_risk_limit_info(field)->global)
		st.glim[field] = v;
	else
		st.sym[inst].lim[field] = v;
}

static void gm_setup(struct gm *m, uint64_t seed)
{
	struct tg_risk_config cfg = { .instruments = GM_INST, .slots = SLOTS };

	fixture(GM_INST);
	memset(m, 0, sizeof(*m));
	m->rng = seed;
	m->r = tg_risk_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->r);
	for (unsigned i = 0; i < GM_INST; i++) {
		st.sym[i].bid = st.sym[i].ask = 0;	/* no reference yet */
		gm_limit(m, TG_RISK_LIM_ENABLED, i, 1);
		gm_limit(m, TG_RISK_LIM_MAX_ORDER_QTY, i, 500);
		gm_limit(m, TG_RISK_LIM_MAX_ORDER_NOTIONAL, i, 480ull * PX);
		gm_limit(m, TG_RISK_LIM_COLLAR_BPS, i, 100);
		gm_limit(m, TG_RISK_LIM_MAX_LONG, i, 1200);
		gm_limit(m, TG_RISK_LIM_MAX_SHORT, i, 1000);
		gm_limit(m, TG_RISK_LIM_MAX_OPEN, i, 6);
		gm_limit(m, TG_RISK_LIM_RATE_PERIOD, i, 20);
		gm_limit(m, TG_RISK_LIM_RATE_TOLERANCE, i, 60);
		gm_limit(m, TG_RISK_LIM_DUP_WINDOW, i, 50);
		gm_limit(m, TG_RISK_LIM_REDUCE_ONLY, i, 0);
	}
	gm_limit(m, TG_RISK_LIM_MAX_GROSS, 0, 1800ull * PX);
	gm_limit(m, TG_RISK_LIM_MAX_NET, 0, 1400ull * PX);
	gm_limit(m, TG_RISK_LIM_MAX_OPEN_ALL, 0, 10);
	gm_limit(m, TG_RISK_LIM_RATE_PERIOD_ALL, 0, 12);	/* binds first with both instruments busy */
	gm_limit(m, TG_RISK_LIM_RATE_TOLERANCE_ALL, 0, 36);
	gm_limit(m, TG_RISK_LIM_NO_REF_REJECT, 0, 1);
	gm_apply(m, (struct tg_risk_input){ .kind = TG_RISK_IN_COMMIT });
}

/* A value at or beside a limit (3 times in 8), else other. */
static uint32_t gm_near(struct gm *m, uint64_t lim, uint32_t other)
{
	switch (gm_rand(m, 8)) {
	case 0:
		return (uint32_t)lim;
	case 1:
		return (uint32_t)lim + 1;
	case 2:
		return lim > 1 ? (uint32_t)lim - 1 : 1;
	default:
		return other;
	}
}

/* buy half the time, sell or sell short the other half */
static unsigned gm_side(struct gm *m)
{
	unsigned r = (unsigned)gm_rand(m, 4);

	return r < 2 ? TG_RISK_SIDE_BUY : r == 2 ? TG_RISK_SIDE_SELL : TG_RISK_SIDE_SELL_SHORT;
}

/* A limit price: at the collar's edges or inside, from the model's reference. */
static uint32_t gm_price(struct gm *m, unsigned inst)
{
	uint32_t p = tg_risk_inst(m->r, inst)->ref_price;
	uint64_t bps = tg_risk_limit(m->r, TG_RISK_LIM_COLLAR_BPS, inst, false);
	uint32_t edge = (uint32_t)((uint64_t)p * bps / 10000u);

	if (p == 0)
		return PX + (uint32_t)gm_rand(m, 1000);
	switch (gm_rand(m, 6)) {
	case 0:
		return p + edge;
	case 1:
		return p + edge + 1;
	case 2:
		return p - edge;
	case 3:
		return p - edge - 1;
	default:
		return p - edge / 2 + (uint32_t)gm_rand(m, edge + 1);
	}
}

/* An order: the pre-trade verdict against the gate's decision, then both apply it. */
static void gm_order(struct gm *m, unsigned kind, unsigned inst, int slot, unsigned side, uint32_t qty,
		     uint32_t price)
{
	static const struct slot free_slot;
	struct sym *s = &st.sym[inst];
	const struct slot *q = kind == TG_RISK_IN_NEW ? &free_slot : &slots[slot];
	uint32_t grow = 0;

	if (kind != TG_RISK_IN_NEW)
		side = slots[slot].side;
	st.now_cycle = m->t;
	int verdict = trade_precheck(&st, s, kind, q, side, qty, price, &grow);
	int gate = tg_risk_apply(m->r, &(struct tg_risk_input){ .kind = (uint8_t)kind, .inst = (uint8_t)inst,
								.side = (uint8_t)side, .slot = (uint16_t)slot,
								.qty = qty, .price = price, .t = m->t });
	if (verdict != gate) {
		CU_FAIL("the pre-trade verdict is not the gate's decision");
		fprintf(stderr, "\n  t=%" PRIu64 " kind %u inst %u slot %d side %u qty %" PRIu32 " price %" PRIu32
			": pre-trade %d, gate %d\n", m->t, kind, inst, slot, side, qty, price, verdict, gate);
	}
	m->verdicts++;
	uint32_t tag = trade_next_tag(&st);
	uint32_t rem_before = slots[slot].rem;
	trade_sent(&st, &(struct request){ .tag = tag, .slot = (uint16_t)slot, .kind = (uint8_t)kind,
					   .side = (uint8_t)side, .qty = qty, .price = price,
					   .grow = gate == 0 ? grow : 0, .sym = (int)inst });
	decide(tag, (unsigned)gate, m->t);
	if (gate != 0)
		return;
	m->accepted++;
	if (kind == TG_RISK_IN_NEW) {
		m->owe[slot] = OWE_NEW;
		m->xopen[slot] = 0;
	} else if (kind == TG_RISK_IN_REPLACE) {
		m->owe[slot] = OWE_REPLACE;
		m->owe_qty[slot] = qty;
		m->owe_grow[slot] = qty > rem_before ? qty - rem_before : 0;
	} else {
		m->owe[slot] = OWE_CANCEL;
		m->owe_qty[slot] = qty;		/* the size left after it */
	}
}

/* The exchange's answer, to the gate as the card applies it and to the trader. */
static void gm_answer(struct gm *m, int sl)
{
	const struct tg_risk_slot *o = tg_risk_slot(m->r, (unsigned)sl);
	uint8_t inst = o->inst, side = o->side;
	uint32_t x = m->xopen[sl];

	switch (m->owe[sl]) {
	case OWE_NEW: {
		bool reject = gm_rand(m, 10) == 0;
		uint32_t qty = o->rem;

		gm_apply(m, (struct tg_risk_input){ .kind = TG_RISK_IN_RESTATE, .slot = (uint16_t)sl,
						    .qty = reject ? 0 : qty });
		answer(reject ? 'J' : 'A', sl, reject ? 0 : qty, o->price, reject ? 0 : 'L');
		m->xopen[sl] = reject ? 0 : qty;
		break;
	}
	case OWE_REPLACE:
		if (gm_rand(m, 5) == 0) {
			/* rejected: the card takes back what the replace added */
			gm_apply(m, (struct tg_risk_input){ .kind = TG_RISK_IN_RESTATE, .sub = 1, .slot = (uint16_t)sl,
							    .qty = m->owe_grow[sl] });
			answer('J', sl, 0, 0, 0);
		} else {
			gm_apply(m, (struct tg_risk_input){ .kind = TG_RISK_IN_RESTATE, .slot = (uint16_t)sl,
							    .qty = m->owe_qty[sl] });
			answer('U', sl, m->owe_qty[sl], o->price, 'L');
			m->xopen[sl] = m->owe_qty[sl];
		}
		break;
	case OWE_CANCEL:
		if (m->owe_qty[sl] == 0 && gm_rand(m, 3) == 0) {
			/* the race: executed in full first; the exchange ignores the cancel */
			gm_apply(m, (struct tg_risk_input){ .kind = TG_RISK_IN_FILL, .inst = inst, .side = side,
							    .slot = (uint16_t)sl, .qty = x });
			answer('E', sl, x, o->price, 0);
			m->races++;
		} else {
			uint32_t dec = x - m->owe_qty[sl];

			gm_apply(m, (struct tg_risk_input){ .kind = TG_RISK_IN_RESTATE, .sub = 1, .slot = (uint16_t)sl,
							    .qty = dec });
			answer('C', sl, dec, 0, 'U');
		}
		m->xopen[sl] = m->owe_qty[sl];
		break;
	default: {
		uint32_t k = 1 + (uint32_t)gm_rand(m, x);

		gm_apply(m, (struct tg_risk_input){ .kind = TG_RISK_IN_FILL, .inst = inst, .side = side,
						    .slot = (uint16_t)sl, .qty = k });
		answer('E', sl, k, o->price, 0);
		m->xopen[sl] = x - k;
		break;
	}
	}
	m->owe[sl] = OWE_NONE;
}

static void gm_market(struct gm *m, unsigned inst, unsigned what)
{
	struct tg_feed_event_book b = { .instrument = inst };

	if (what == 0) {
		uint32_t bid = PX + (uint32_t)gm_rand(m, 200) * 100 - 10000, ask = bid + 100 * (1 + (uint32_t)gm_rand(m, 3));
		bool unknown = gm_rand(m, 20) == 0;

		b.ev.type = TG_BOOK_EV_BBO;
		b.ev.u.bbo.bid_price = bid;
		b.ev.u.bbo.ask_price = ask;
		b.ev.u.bbo.flags = unknown ? TG_BOOK_BBO_ASK_UNKNOWN : 0;
		gm_apply(m, (struct tg_risk_input){ .kind = TG_RISK_IN_REF, .inst = (uint8_t)inst, .price = bid,
						    .price2 = unknown ? 0 : ask });
	} else if (what == 1) {
		b.ev.type = TG_BOOK_EV_TRADE;
		b.ev.u.trade.price = PX + (uint32_t)gm_rand(m, 200) * 100 - 10000;
		gm_apply(m, (struct tg_risk_input){ .kind = TG_RISK_IN_REF, .sub = 1, .inst = (uint8_t)inst,
						    .price = b.ev.u.trade.price });
	} else {
		b.ev.type = TG_BOOK_EV_HALT;
		/* halts are short and rare: lifted at once, started one time in 8 */
		b.ev.u.halt.halted = !tg_risk_inst(m->r, inst)->halted_feed && gm_rand(m, 8) == 0;
		gm_apply(m, (struct tg_risk_input){ .kind = TG_RISK_IN_HALT, .inst = (uint8_t)inst,
						    .qty = b.ev.u.halt.halted });
	}
	CU_ASSERT_EQUAL(trade_book_event(&st, &b), (int)inst);
}

/* Which slot a step picks: */
enum pick {
	PICK_QUIET,	/* open in the gate, open at the exchange, nothing owed */
	PICK_CLOSED,	/* closed in the gate, nothing pending or owed */
	PICK_OWED,	/* the exchange owes it an answer */
};

static bool gm_is(const struct gm *m, unsigned sl, enum pick which)
{
	const struct slot *q = &slots[sl];

	switch (which) {
	case PICK_QUIET:
		return q->gate_open && m->owe[sl] == OWE_NONE && m->xopen[sl] > 0;
	case PICK_CLOSED:
		return !q->gate_open && q->pend == PEND_NONE && m->owe[sl] == OWE_NONE;
	default:
		return m->owe[sl] != OWE_NONE;
	}
}

/* The first slot of that kind from a random start; -1: none. */
static int gm_slot(struct gm *m, enum pick which)
{
	unsigned start = (unsigned)gm_rand(m, SLOTS);

	for (unsigned k = 0; k < SLOTS; k++) {
		unsigned sl = (start + k) % SLOTS;

		if (gm_is(m, sl, which))
			return (int)sl;
	}
	return -1;
}

static bool gm_same(struct gm *m)
{
	struct tg_risk_totals tot;
	bool same = true;

	tg_risk_totals(m->r, &tot);
	same &= st.open_all == tot.open_orders;
	for (unsigned i = 0; i < GM_INST; i++) {
		const struct tg_risk_inst_state *g = tg_risk_inst(m->r, i);
		const struct sym *s = &st.sym[i];

		same &= s->pos == g->position && s->open_buy == g->open_buy && s->open_sell == g->open_sell &&
			s->open_orders == g->open_orders && trade_ref_price(s) == g->ref_price;
	}
	for (unsigned sl = 0; sl < SLOTS; sl++) {
		const struct tg_risk_slot *o = tg_risk_slot(m->r, sl);

		same &= slots[sl].gate_open == o->open && (!o->open || slots[sl].rem == o->rem);
		/* in progress exactly while the exchange owes an answer */
		same &= (slots[sl].pend != PEND_NONE) == (m->owe[sl] != OWE_NONE);
	}
	return same;
}

static void test_against_golden_model(void)
{
	static struct gm m;
	uint64_t mismatched_at = 0;

	gm_setup(&m, 0x7472616465ull);
	for (unsigned step = 0; step < GM_STEPS && mismatched_at == 0; step++) {
		unsigned what = (unsigned)gm_rand(&m, 100), inst = (unsigned)gm_rand(&m, GM_INST);
		int sl;

		m.t += gm_rand(&m, 16) == 0 ? 20 + gm_rand(&m, 200) : gm_rand(&m, 3);	/* bursts and gaps */
		if (what < 8) {
			gm_market(&m, inst, 0);
		} else if (what < 10) {
			gm_market(&m, inst, 1);
		} else if (what < 11) {
			gm_market(&m, inst, 2);
		} else if (what < 12) {
			/* kills (global or the instrument's): engaged one time in 8, released at once,
			 * as the heartbeat's and the instrument poll's status reads tell */
			bool global = gm_rand(&m, 2) == 0;
			bool *killed = global ? &st.killed : &st.sym[inst].killed;
			bool on = !*killed && gm_rand(&m, 8) == 0;

			gm_apply(&m, (struct tg_risk_input){ .kind = TG_RISK_IN_KILL, .sub = !global, .inst = (uint8_t)inst,
							    .qty = on });
			*killed = on;
		} else if (what < 13) {
			/* a limit change mid-stream: reduce-only on or off, or the instrument
			 * disabled (one time in 4) and enabled again */
			if (gm_rand(&m, 2) == 0) {
				gm_limit(&m, TG_RISK_LIM_REDUCE_ONLY, inst, !st.sym[inst].lim[TG_RISK_LIM_REDUCE_ONLY]);
			} else {
				bool enabled = st.sym[inst].lim[TG_RISK_LIM_ENABLED];

				gm_limit(&m, TG_RISK_LIM_ENABLED, inst, !enabled || gm_rand(&m, 4) != 0);
			}
			gm_apply(&m, (struct tg_risk_input){ .kind = TG_RISK_IN_COMMIT });
		} else if (what < 14) {
			/* a cancel or replace of a slot that is not open */
			sl = gm_slot(&m, PICK_CLOSED);
			if (sl >= 0)
				gm_order(&m, gm_rand(&m, 2) ? TG_RISK_IN_CANCEL : TG_RISK_IN_REPLACE, inst, sl, 0, 1,
					 gm_price(&m, inst));
		} else if (what < 45) {
			const uint64_t *lim = st.sym[inst].lim;
			uint32_t qty = gm_near(&m, lim[TG_RISK_LIM_MAX_ORDER_QTY], 1 + (uint32_t)gm_rand(&m, 400));

			sl = trade_alloc_slot(&st);
			if (sl >= 0)
				gm_order(&m, TG_RISK_IN_NEW, inst, sl, gm_side(&m), qty, gm_price(&m, inst));
		} else if (what < 55) {
			sl = gm_slot(&m, PICK_QUIET);
			if (sl >= 0) {
				uint32_t rem = slots[sl].rem, left = gm_rand(&m, 4) == 0 ? (uint32_t)gm_rand(&m, rem + 1) : 0;

				gm_order(&m, TG_RISK_IN_CANCEL, tg_risk_slot(m.r, (unsigned)sl)->inst, sl, 0, left, 0);
			}
		} else if (what < 70) {
			sl = gm_slot(&m, PICK_QUIET);
			if (sl >= 0) {
				unsigned i = tg_risk_slot(m.r, (unsigned)sl)->inst;
				uint32_t qty = gm_near(&m, slots[sl].rem, 1 + (uint32_t)gm_rand(&m, 2 * slots[sl].rem));

				gm_order(&m, TG_RISK_IN_REPLACE, i, sl, 0, qty, gm_price(&m, i));
			}
		} else {
			sl = gm_rand(&m, 2) ? gm_slot(&m, PICK_OWED) : gm_slot(&m, PICK_QUIET);
			if (sl >= 0 && (m.owe[sl] != OWE_NONE || m.xopen[sl] > 0))
				gm_answer(&m, sl);
		}
		if (!gm_same(&m))
			mismatched_at = step + 1;
	}
	if (mismatched_at != 0)
		fprintf(stderr, "\n  the trader's counts left the gate's at step %" PRIu64 "\n", mismatched_at - 1);
	CU_ASSERT_EQUAL(mismatched_at, 0);
	/* the stream reached what it is for */
	struct tg_risk_totals tot;
	tg_risk_totals(m.r, &tot);
	fprintf(stderr, "\n  %" PRIu64 " verdicts, %" PRIu64 " accepted, %" PRIu64 " cancel races;", m.verdicts,
		m.accepted, m.races);
	for (unsigned why = 0; why < TG_RISK_REASONS; why++) {
		uint64_t ours = st.sym[0].c.rejected_by[why] + st.sym[1].c.rejected_by[why];

		if (why != 0)
			CU_ASSERT_EQUAL(ours, tot.decided[why]);
		if (tot.decided[why] != 0)
			fprintf(stderr, " %s %" PRIu64, tg_risk_reason_name(why), tot.decided[why]);
	}
	fprintf(stderr, "\n");
	CU_ASSERT(m.races > 100);
	/* every reason but SLOT_BUSY: the trader puts a NEW only into a free slot */
	static const unsigned must[] = { TG_RISK_R_KILLED, TG_RISK_R_INSTRUMENT_KILLED, TG_RISK_R_NOT_ENABLED,
					 TG_RISK_R_UNKNOWN_ORDER, TG_RISK_R_HALTED, TG_RISK_R_BAD_ORDER, TG_RISK_R_REDUCE_ONLY,
					 TG_RISK_R_MAX_ORDER_QTY, TG_RISK_R_MAX_ORDER_NOTIONAL, TG_RISK_R_NO_REFERENCE,
					 TG_RISK_R_COLLAR, TG_RISK_R_MAX_LONG, TG_RISK_R_MAX_SHORT, TG_RISK_R_MAX_GROSS,
					 TG_RISK_R_MAX_NET, TG_RISK_R_MAX_OPEN, TG_RISK_R_MAX_OPEN_ALL, TG_RISK_R_RATE,
					 TG_RISK_R_RATE_ALL, TG_RISK_R_DUPLICATE };
	for (unsigned k = 0; k < sizeof(must) / sizeof(must[0]); k++) {
		if (tot.decided[must[k]] == 0)
			fprintf(stderr, "  never decided: %s\n", tg_risk_reason_name(must[k]));
		CU_ASSERT(tot.decided[must[k]] > 0);
	}
	tg_risk_free(m.r);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "new order: decision, acknowledgment, fills", test_new_fill_close },
		{ "cancel crossed by a full execution", test_cancel_crossed_by_full_execution },
		{ "cancel crossed by a partial execution", test_cancel_crossed_by_partial_execution },
		{ "cancel reject", test_cancel_reject },
		{ "rejected new order closes its slot", test_rejected_new_closes },
		{ "rejected replace takes back its growth", test_replace_grow_rejected },
		{ "shrinking replace stated by the exchange", test_replace_shrink_stated },
		{ "gate reject and an unseen kill", test_gate_reject_and_kill },
		{ "decisions in sending order", test_decision_order },
		{ "pre-trade: orders in flight count", test_precheck_in_flight },
		{ "pre-trade: rate bucket", test_precheck_rate },
		{ "money: realized against average cost", test_money },
		{ "book events: reference and halt", test_book_events },
		{ "against the golden model", test_against_golden_model },
	};

	return tg_cunit_run("trade-state", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
