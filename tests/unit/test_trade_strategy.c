/*
 * The trader's strategy (host/trade_strategy.c), on its own: a recording
 * sender takes its orders through the pre-trade checks into trade_state as
 * cmd_trade.c's send_order does, and the gate's decisions and the
 * exchange's answers are played by hand. What it must do, from the
 * strategy's description (trade_strategy.h):
 *
 *   - quotes one tick inside a spread wider than two ticks, else joining it;
 *     a sell that takes the position below 0 is a short sale;
 *   - nothing done to a quote with a request in progress;
 *   - a replace when the target moves more than a tick, none within a tick;
 *   - both quotes canceled when the market stops (a halt);
 *   - the side that grows the position stepped back a tick past half its
 *     bound, and no quote on it at the bound;
 *   - an IOC 2 to 6 s of market time apart, a quarter size, across the
 *     spread, leaning against the position, the same for the same seed;
 *   - the IOC safety net cancels an IOC left open past its time, not before;
 *   - nothing sent once stopped.
 */
#include <stdio.h>
#include <string.h>

#include "tg_cunit.h"
#include "trade_fixture.h"
#include "trade_strategy.h"
#include "tickgate/risk.h"

#define SLOTS 16u
#define PX 1000000u		/* $100.00 */
#define TICK 100u		/* $0.01 */
#define SIZE 100u
#define BOUND 500

static struct trade_state st;
static struct slot slots[SLOTS];
static bool stopped;
static uint64_t seed = 42;

struct sent {
	unsigned key, kind, side;
	int slot;
	uint32_t qty, price, tag;
	bool ioc;
};
static struct sent log_[64];
static unsigned n_log;

/* send_order without the card: the pre-trade checks, then in flight */
static int record_send(void *ctx, struct sym *s, unsigned key, unsigned kind, int slot, unsigned side, uint32_t qty,
		       uint32_t price, bool ioc)
{
	static const struct slot free_slot;
	uint32_t grow = 0;
	int why;

	(void)ctx;
	if (kind == TG_RISK_IN_NEW && slot < 0)
		slot = trade_alloc_slot(&st);
	if (slot < 0) {
		trade_hold(s, key, HELD_NO_SLOT);
		return -1;
	}
	if (kind != TG_RISK_IN_NEW)
		side = st.slots[slot].side;
	why = trade_precheck(&st, s, kind, kind == TG_RISK_IN_NEW ? &free_slot : &st.slots[slot], side, qty, price,
			     &grow);
	if (why != 0) {
		trade_hold(s, key, (unsigned)why);
		return -1;
	}
	CU_ASSERT_FATAL(n_log < sizeof(log_) / sizeof(log_[0]));
	uint32_t tag = trade_next_tag(&st);

	log_[n_log++] = (struct sent){ .key = key, .kind = kind, .side = side, .slot = slot, .qty = qty,
				       .price = price, .tag = tag, .ioc = ioc };
	trade_sent(&st, &(struct request){ .tag = tag, .slot = (uint16_t)slot, .kind = (uint8_t)kind,
					   .side = (uint8_t)side, .qty = qty, .price = price, .grow = grow,
					   .sym = (int)(s - st.sym), .ioc = ioc });
	s->held_last[key] = 0;
	return slot;
}

static const struct trade_strategy strat = { .st = &st, .size = SIZE, .stopped = &stopped, .send = record_send };

/* One symbol, generous limits, a position bound of BOUND shares, a BBO. */
static void fixture(uint32_t bid, uint32_t ask)
{
	trade_fixture_init(&st, slots, SLOTS);
	stopped = false;
	n_log = 0;
	st.n_sym = 1;
	st.sym_of_inst[0] = 0;
	st.glim[TG_RISK_LIM_MAX_GROSS] = 1ull << 50;
	st.glim[TG_RISK_LIM_MAX_NET] = 1ull << 50;
	st.glim[TG_RISK_LIM_MAX_OPEN_ALL] = 100;

	struct sym *s = &st.sym[0];

	snprintf(s->name, sizeof(s->name), "SYM0");
	s->lim[TG_RISK_LIM_ENABLED] = 1;
	s->lim[TG_RISK_LIM_MAX_ORDER_QTY] = 1000;
	s->lim[TG_RISK_LIM_MAX_ORDER_NOTIONAL] = 1000ull * 2 * PX;
	s->lim[TG_RISK_LIM_COLLAR_BPS] = 500;
	s->lim[TG_RISK_LIM_MAX_LONG] = 2 * BOUND;
	s->lim[TG_RISK_LIM_MAX_SHORT] = 2 * BOUND;
	s->lim[TG_RISK_LIM_MAX_OPEN] = 100;
	s->bound_long = BOUND;
	s->bound_short = BOUND;
	s->quote[0] = s->quote[1] = s->ioc_slot = -1;
	s->rng = seed;
	s->bid = bid;
	s->ask = ask;
	s->market_ns = 34200000000000ull;	/* 09:30 */
}

/* Every order in flight accepted by the gate and acknowledged by the exchange. */
static void all_live(void)
{
	while (st.fifo_len > 0) {
		const struct request *r = &st.fifo[st.fifo_head];
		struct tg_c2h_order_decision d = { .tag = r->tag, .flags = 1, .in_cycle = 1 };
		struct tg_c2h_order_resp e = { .flags = 1, .msg_type = r->kind == TG_RISK_IN_CANCEL ? 'C' : r->kind ==
					       TG_RISK_IN_NEW ? 'A' : 'U', .slot = r->slot, .qty = r->qty,
					       .price = r->price, .state = 'L' };
		bool cancel = r->kind == TG_RISK_IN_CANCEL;

		trade_decision(&st, &d);
		if (cancel)
			e.qty = slots[e.slot].xopen;	/* the shares canceled: all */
		trade_response(&st, &e, 1000);
	}
}

static void expect(unsigned i, unsigned kind, unsigned side, uint32_t qty, uint32_t price, bool ioc)
{
	CU_ASSERT_FATAL(i < n_log);
	CU_ASSERT_EQUAL(log_[i].kind, kind);
	CU_ASSERT_EQUAL(log_[i].side, side);
	CU_ASSERT_EQUAL(log_[i].qty, qty);
	CU_ASSERT_EQUAL(log_[i].price, price);
	CU_ASSERT_EQUAL(log_[i].ioc, ioc);
}

static void test_quotes_inside_a_wide_spread(void)
{
	fixture(PX, PX + 10 * TICK);
	trade_strategy_evaluate(&strat, &st.sym[0]);
	CU_ASSERT_EQUAL_FATAL(n_log, 2);
	expect(0, TG_RISK_IN_NEW, TG_RISK_SIDE_BUY, SIZE, PX + TICK, false);
	/* flat: the sell takes the position below 0 */
	expect(1, TG_RISK_IN_NEW, TG_RISK_SIDE_SELL_SHORT, SIZE, PX + 9 * TICK, false);
	CU_ASSERT_EQUAL(log_[0].key, TRADE_KEY_BUY);
	CU_ASSERT_EQUAL(log_[1].key, TRADE_KEY_SELL);
	/* in progress: nothing more */
	trade_strategy_evaluate(&strat, &st.sym[0]);
	CU_ASSERT_EQUAL(n_log, 2);
	/* the first BBO only schedules the IOC, 2 to 6 s on */
	CU_ASSERT(st.sym[0].next_ioc_ns >= st.sym[0].market_ns + TRADE_IOC_GAP_MIN_NS);
	CU_ASSERT(st.sym[0].next_ioc_ns < st.sym[0].market_ns + TRADE_IOC_GAP_MIN_NS + TRADE_IOC_GAP_SPAN_NS);
}

static void test_joins_a_narrow_spread_and_sells_long(void)
{
	fixture(PX, PX + 2 * TICK);
	st.sym[0].pos = 200;	/* long: a sell of 100 is not short */
	trade_strategy_evaluate(&strat, &st.sym[0]);
	CU_ASSERT_EQUAL_FATAL(n_log, 2);
	expect(0, TG_RISK_IN_NEW, TG_RISK_SIDE_BUY, SIZE, PX, false);
	expect(1, TG_RISK_IN_NEW, TG_RISK_SIDE_SELL, SIZE, PX + 2 * TICK, false);
}

static void test_replaced_only_past_a_tick(void)
{
	struct sym *s = &st.sym[0];

	fixture(PX, PX + 10 * TICK);
	trade_strategy_evaluate(&strat, s);
	all_live();
	n_log = 0;
	/* the market moves by one tick: the quotes stay */
	s->bid += TICK;
	s->ask += TICK;
	trade_strategy_evaluate(&strat, s);
	CU_ASSERT_EQUAL(n_log, 0);
	/* two ticks from the quotes: both replaced at the new targets, same size */
	s->bid += TICK;
	s->ask += TICK;
	trade_strategy_evaluate(&strat, s);
	CU_ASSERT_EQUAL_FATAL(n_log, 2);
	expect(0, TG_RISK_IN_REPLACE, TG_RISK_SIDE_BUY, SIZE, s->bid + TICK, false);
	expect(1, TG_RISK_IN_REPLACE, TG_RISK_SIDE_SELL_SHORT, SIZE, s->ask - TICK, false);
	CU_ASSERT_EQUAL(log_[0].slot, s->quote[0]);
	CU_ASSERT_EQUAL(log_[1].slot, s->quote[1]);
}

static void test_halt_cancels_both(void)
{
	struct sym *s = &st.sym[0];

	fixture(PX, PX + 10 * TICK);
	trade_strategy_evaluate(&strat, s);
	all_live();
	n_log = 0;
	s->halted_feed = true;
	trade_strategy_evaluate(&strat, s);
	CU_ASSERT_EQUAL_FATAL(n_log, 2);
	CU_ASSERT_EQUAL(log_[0].kind, TG_RISK_IN_CANCEL);
	CU_ASSERT_EQUAL(log_[1].kind, TG_RISK_IN_CANCEL);
	all_live();
	CU_ASSERT_FALSE(trade_live(&slots[log_[0].slot]));
	CU_ASSERT_FALSE(trade_live(&slots[log_[1].slot]));
	/* halted: no IOC either, however late */
	n_log = 0;
	s->market_ns += 60ull * 1000000000ull;
	trade_strategy_evaluate(&strat, s);
	CU_ASSERT_EQUAL(n_log, 0);
}

static void test_position_bound(void)
{
	struct sym *s = &st.sym[0];

	/* past half the long bound: the buy steps back a tick */
	fixture(PX, PX + 10 * TICK);
	s->pos = BOUND / 2 + 1;
	trade_strategy_evaluate(&strat, s);
	CU_ASSERT_EQUAL_FATAL(n_log, 2);
	expect(0, TG_RISK_IN_NEW, TG_RISK_SIDE_BUY, SIZE, PX, false);
	/* room left under the bound with the buy filled: BOUND - pos - SIZE */
	CU_ASSERT_EQUAL(log_[1].side, TG_RISK_SIDE_SELL);
	/* at the bound: no buy at all, the sell as before */
	fixture(PX, PX + 10 * TICK);
	s->pos = BOUND;
	trade_strategy_evaluate(&strat, s);
	CU_ASSERT_EQUAL_FATAL(n_log, 1);
	expect(0, TG_RISK_IN_NEW, TG_RISK_SIDE_SELL, SIZE, PX + 9 * TICK, false);
	/* short past half the bound: the sell steps back (up) a tick */
	fixture(PX, PX + 10 * TICK);
	s->pos = -(BOUND / 2 + 1);
	trade_strategy_evaluate(&strat, s);
	CU_ASSERT_EQUAL_FATAL(n_log, 2);
	expect(1, TG_RISK_IN_NEW, TG_RISK_SIDE_SELL_SHORT, SIZE, PX + 10 * TICK, false);
}

/* Market time past the scheduled IOC: one IOC, a quarter size, across the spread. */
static unsigned run_ioc(int64_t pos)
{
	struct sym *s = &st.sym[0];

	fixture(PX, PX + 10 * TICK);
	s->pos = pos;
	trade_strategy_evaluate(&strat, s);
	all_live();
	n_log = 0;
	s->market_ns = s->next_ioc_ns - 1;
	trade_strategy_evaluate(&strat, s);
	CU_ASSERT_EQUAL(n_log, 0);
	s->market_ns = s->next_ioc_ns;
	trade_strategy_evaluate(&strat, s);
	CU_ASSERT_EQUAL_FATAL(n_log, 1);
	CU_ASSERT_EQUAL(log_[0].key, TRADE_KEY_IOC);
	CU_ASSERT(log_[0].ioc);
	CU_ASSERT_EQUAL(log_[0].qty, SIZE / 4);
	CU_ASSERT_EQUAL(log_[0].price, log_[0].side == TG_RISK_SIDE_BUY ? s->ask : s->bid);
	CU_ASSERT_EQUAL(s->ioc_slot, log_[0].slot);
	/* the next one 2 to 6 s on; none while this one lives */
	CU_ASSERT(s->next_ioc_ns >= s->market_ns + TRADE_IOC_GAP_MIN_NS);
	CU_ASSERT(s->next_ioc_ns < s->market_ns + TRADE_IOC_GAP_MIN_NS + TRADE_IOC_GAP_SPAN_NS);
	s->market_ns = s->next_ioc_ns;
	trade_strategy_evaluate(&strat, s);
	CU_ASSERT_EQUAL(n_log, 1);
	return log_[0].side;
}

static void test_ioc(void)
{
	unsigned side = run_ioc(0);

	/* the same seed and events, the same IOC */
	CU_ASSERT_EQUAL(run_ioc(0), side);
	/* flat, either side by the seed; leaning long it sells, leaning short it buys, whatever the seed */
	unsigned buys = 0;
	for (seed = 1; seed <= 16; seed++) {
		buys += run_ioc(0) == TG_RISK_SIDE_BUY;
		CU_ASSERT_NOT_EQUAL(run_ioc(BOUND / 2 + 1), TG_RISK_SIDE_BUY);
		CU_ASSERT_EQUAL(run_ioc(-(BOUND / 2 + 1)), TG_RISK_SIDE_BUY);
	}
	seed = 42;
	CU_ASSERT(buys > 0 && buys < 16);
}

static void test_ioc_safety_net(void)
{
	struct sym *s = &st.sym[0];

	run_ioc(0);
	all_live();	/* the exchange acknowledged it at wall time 1000 and left it open */
	n_log = 0;
	CU_ASSERT(trade_live(&slots[s->ioc_slot]));
	trade_strategy_ioc_safety_net(&strat, s, 1000 + TRADE_IOC_STALE_NS);
	CU_ASSERT_EQUAL(n_log, 0);
	trade_strategy_ioc_safety_net(&strat, s, 1000 + TRADE_IOC_STALE_NS + 1);
	CU_ASSERT_EQUAL_FATAL(n_log, 1);
	CU_ASSERT_EQUAL(log_[0].kind, TG_RISK_IN_CANCEL);
	CU_ASSERT_EQUAL(log_[0].slot, s->ioc_slot);
	/* its cancel in progress: not again */
	trade_strategy_ioc_safety_net(&strat, s, 1000 + 2 * TRADE_IOC_STALE_NS);
	CU_ASSERT_EQUAL(n_log, 1);
}

static void test_nothing_once_stopped(void)
{
	fixture(PX, PX + 10 * TICK);
	stopped = true;
	trade_strategy_evaluate(&strat, &st.sym[0]);
	CU_ASSERT_EQUAL(n_log, 0);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "quotes inside a wide spread", test_quotes_inside_a_wide_spread },
		{ "joins a narrow spread; sells long", test_joins_a_narrow_spread_and_sells_long },
		{ "replaced only past a tick", test_replaced_only_past_a_tick },
		{ "a halt cancels both quotes", test_halt_cancels_both },
		{ "the position bound", test_position_bound },
		{ "IOC: timing, size, price, side, seed", test_ioc },
		{ "IOC safety net", test_ioc_safety_net },
		{ "nothing sent once stopped", test_nothing_once_stopped },
	};

	return tg_cunit_run("trade-strategy", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
