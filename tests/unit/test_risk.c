/*
 * The risk golden model, check by check: each test sets limits, moves the
 * state and asserts decisions worked out by hand from docs/risk.md, at and
 * across every boundary. Then busts (FILL sub 1), effect by effect, and the
 * execution ledger (tickgate/exec_ledger.h) that finds the execution a
 * Broken Trade breaks.
 */
#include <stdlib.h>
#include <string.h>

#include "tg_cunit.h"
#include "tickgate/exec_ledger.h"
#include "tickgate/risk.h"

static struct tg_risk *r;
static uint64_t now;

enum { INST = 4, SLOTS = 16 };

static int in(struct tg_risk_input x)
{
	x.t = now;
	return tg_risk_apply(r, &x);
}

static void set(unsigned field, unsigned inst, uint64_t v)
{
	in((struct tg_risk_input){.kind = TG_RISK_IN_SET, .field = (uint8_t)field, .inst = (uint8_t)inst, .value = v});
}

static void commit(void)
{
	in((struct tg_risk_input){.kind = TG_RISK_IN_COMMIT});
}

static int order(unsigned slot, unsigned inst, unsigned side, uint32_t qty, uint32_t price)
{
	return in((struct tg_risk_input){.kind = TG_RISK_IN_NEW, .slot = (uint16_t)slot, .inst = (uint8_t)inst,
					 .side = (uint8_t)side, .qty = qty, .price = price});
}

static int replace(unsigned slot, uint32_t qty, uint32_t price)
{
	return in((struct tg_risk_input){.kind = TG_RISK_IN_REPLACE, .slot = (uint16_t)slot, .qty = qty, .price = price});
}

static int cancel(unsigned slot, uint32_t qty)
{
	return in((struct tg_risk_input){.kind = TG_RISK_IN_CANCEL, .slot = (uint16_t)slot, .qty = qty});
}

static void fill(unsigned slot, unsigned inst, unsigned side, uint32_t qty)
{
	in((struct tg_risk_input){.kind = TG_RISK_IN_FILL, .slot = (uint16_t)slot, .inst = (uint8_t)inst,
				  .side = (uint8_t)side, .qty = qty});
}

/* the exchange broke an execution of inst, side, qty: reversed (FILL sub 1) */
static void bust(unsigned inst, unsigned side, uint32_t qty)
{
	in((struct tg_risk_input){.kind = TG_RISK_IN_FILL, .sub = TG_RISK_FILL_BUST, .inst = (uint8_t)inst,
				  .side = (uint8_t)side, .qty = qty});
}

static void restate(unsigned slot, uint32_t qty)
{
	in((struct tg_risk_input){.kind = TG_RISK_IN_RESTATE, .slot = (uint16_t)slot, .qty = qty});
}

static void ref(unsigned inst, unsigned sub, uint32_t price, uint32_t price2)
{
	in((struct tg_risk_input){.kind = TG_RISK_IN_REF, .inst = (uint8_t)inst, .sub = (uint8_t)sub,
				  .price = price, .price2 = price2});
}

static void kill(unsigned sub, unsigned inst, bool on)
{
	in((struct tg_risk_input){.kind = TG_RISK_IN_KILL, .sub = (uint8_t)sub, .inst = (uint8_t)inst, .qty = on});
}

/* Every limit wide open on every instrument, reference $10.0000. */
static void open_limits(void)
{
	for (unsigned i = 0; i < INST; i++) {
		for (unsigned k = 0; k < tg_risk_limits_count; k++) {
			const struct tg_risk_limit_info *li = &tg_risk_limits[k];
			if (li->global)
				continue;
			uint64_t v = li->max;
			if (li->id == TG_RISK_LIM_REDUCE_ONLY || li->id == TG_RISK_LIM_RATE_PERIOD ||
			    li->id == TG_RISK_LIM_DUP_WINDOW)
				v = 0;
			set(li->id, i, v);
		}
		ref(i, 2, 100000, 0);
	}
	set(TG_RISK_LIM_MAX_GROSS, 0, UINT64_MAX);
	set(TG_RISK_LIM_MAX_NET, 0, UINT64_MAX);
	set(TG_RISK_LIM_MAX_OPEN_ALL, 0, 0xffff);
	commit();
}

static int setup(void)
{
	return 0;
}

static void fresh(void)
{
	tg_risk_free(r);
	r = tg_risk_new(&(struct tg_risk_config){.instruments = INST, .slots = SLOTS});
	now = 1000;
	open_limits();
}

static int teardown(void)
{
	tg_risk_free(r);
	r = NULL;
	return 0;
}

static void test_config_bounds(void)
{
	CU_ASSERT_PTR_NULL(tg_risk_new(&(struct tg_risk_config){.instruments = 0, .slots = 4}));
	CU_ASSERT_PTR_NULL(tg_risk_new(&(struct tg_risk_config){.instruments = 4, .slots = 0}));
	CU_ASSERT_PTR_NULL(tg_risk_new(&(struct tg_risk_config){.instruments = TG_RISK_INSTRUMENTS_MAX + 1, .slots = 4}));
}

static void test_defaults_block(void)
{
	/* a fresh gate has every instrument disabled: nothing passes by default */
	tg_risk_free(r);
	r = tg_risk_new(&(struct tg_risk_config){.instruments = INST, .slots = SLOTS});
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_NOT_ENABLED);
	fresh();
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_ACCEPTED);
}

static void test_kill(void)
{
	fresh();
	CU_ASSERT_EQUAL(order(0, 1, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_ACCEPTED);
	kill(0, 0, true);
	CU_ASSERT_EQUAL(order(1, 1, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_KILLED);
	CU_ASSERT_EQUAL(replace(0, 5, 100000), TG_RISK_R_KILLED);
	/* a cancel always passes: it only takes risk away */
	CU_ASSERT_EQUAL(cancel(0, 0), TG_RISK_R_ACCEPTED);
	kill(0, 0, false);
	kill(1, 1, true);
	CU_ASSERT_EQUAL(order(1, 1, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_INSTRUMENT_KILLED);
	CU_ASSERT_EQUAL(order(1, 2, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_ACCEPTED);
	/* the global kill comes first */
	kill(0, 0, true);
	CU_ASSERT_EQUAL(order(2, 1, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_KILLED);
}

static void test_enabled_and_halted(void)
{
	fresh();
	CU_ASSERT_EQUAL(order(0, INST, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_NOT_ENABLED);
	set(TG_RISK_LIM_ENABLED, 3, 0);
	CU_ASSERT_EQUAL(order(0, 3, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_ACCEPTED);	/* not committed */
	commit();
	CU_ASSERT_EQUAL(order(1, 3, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_NOT_ENABLED);
	in((struct tg_risk_input){.kind = TG_RISK_IN_HALT, .inst = 2, .sub = 0, .qty = 1});
	CU_ASSERT_EQUAL(order(1, 2, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_HALTED);
	in((struct tg_risk_input){.kind = TG_RISK_IN_HALT, .inst = 2, .sub = 1, .qty = 1});
	in((struct tg_risk_input){.kind = TG_RISK_IN_HALT, .inst = 2, .sub = 0, .qty = 0});
	CU_ASSERT_EQUAL(order(1, 2, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_HALTED);	/* host halt holds */
	in((struct tg_risk_input){.kind = TG_RISK_IN_HALT, .inst = 2, .sub = 1, .qty = 0});
	CU_ASSERT_EQUAL(order(1, 2, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_ACCEPTED);
}

static void test_bad_and_slots(void)
{
	fresh();
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 0, 100000), TG_RISK_R_BAD_ORDER);
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, TG_RISK_QTY_MAX + 1, 100000), TG_RISK_R_BAD_ORDER);
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 1, 0), TG_RISK_R_BAD_ORDER);
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 1, TG_RISK_PRICE_MAX + 1u), TG_RISK_R_BAD_ORDER);
	CU_ASSERT_EQUAL(order(SLOTS, 0, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_BAD_ORDER);
	CU_ASSERT_EQUAL(order(SLOTS - 1, 0, TG_RISK_SIDE_BUY, 7, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(SLOTS - 1, 0, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_SLOT_BUSY);
	CU_ASSERT_EQUAL(replace(3, 1, 100000), TG_RISK_R_UNKNOWN_ORDER);
	CU_ASSERT_EQUAL(cancel(3, 0), TG_RISK_R_UNKNOWN_ORDER);
	CU_ASSERT_EQUAL(cancel(SLOTS - 1, 7), TG_RISK_R_BAD_ORDER);	/* does not shrink */
	CU_ASSERT_EQUAL(cancel(SLOTS - 1, 6), TG_RISK_R_ACCEPTED);
	/* the slot is open until the exchange says otherwise */
	restate(SLOTS - 1, 0);
	CU_ASSERT_FALSE(tg_risk_slot(r, SLOTS - 1)->open);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 0)->open_buy, 0);
	CU_ASSERT_EQUAL(order(SLOTS - 1, 0, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_ACCEPTED);
}

static void test_qty_and_notional(void)
{
	fresh();
	set(TG_RISK_LIM_MAX_ORDER_QTY, 0, 500);
	set(TG_RISK_LIM_MAX_ORDER_NOTIONAL, 0, 400ull * 100000);	/* $4,000.0000 */
	commit();
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 501, 1), TG_RISK_R_MAX_ORDER_QTY);
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 400, 100001), TG_RISK_R_MAX_ORDER_NOTIONAL);
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 400, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(replace(0, 500, 80000), TG_RISK_R_ACCEPTED);	/* 500 x $8 = $4,000 */
	CU_ASSERT_EQUAL(replace(0, 500, 80001), TG_RISK_R_MAX_ORDER_NOTIONAL);
}

static void test_collar_and_reference(void)
{
	fresh();
	set(TG_RISK_LIM_COLLAR_BPS, 0, 250);	/* 2.5% */
	commit();
	ref(0, 0, 99000, 101000);		/* mid $10.0000 */
	CU_ASSERT_EQUAL(tg_risk_inst(r, 0)->ref_price, 100000);
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 1, 102500), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(1, 0, TG_RISK_SIDE_BUY, 1, 102501), TG_RISK_R_COLLAR);
	CU_ASSERT_EQUAL(order(1, 0, TG_RISK_SIDE_SELL, 1, 97500), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(2, 0, TG_RISK_SIDE_SELL, 1, 97499), TG_RISK_R_COLLAR);
	/* one side of the BBO unknown: the last trade, else the host price */
	ref(0, 0, 99000, 0);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 0)->ref_price, 100000);	/* host */
	ref(0, 1, 50000, 0);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 0)->ref_price, 50000);	/* last trade */
	CU_ASSERT_EQUAL(order(2, 0, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_COLLAR);
	ref(0, 0, 99001, 99002);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 0)->ref_price, 99001);	/* mid rounds down */
	/* no reference at all */
	ref(3, 2, 0, 0);
	CU_ASSERT_EQUAL(order(2, 3, TG_RISK_SIDE_BUY, 1, 123), TG_RISK_R_ACCEPTED);
	set(TG_RISK_LIM_NO_REF_REJECT, 0, 1);
	commit();
	CU_ASSERT_EQUAL(order(3, 3, TG_RISK_SIDE_BUY, 1, 123), TG_RISK_R_NO_REFERENCE);
}

static void test_positions(void)
{
	fresh();
	set(TG_RISK_LIM_MAX_LONG, 1, 100);
	set(TG_RISK_LIM_MAX_SHORT, 1, 50);
	commit();
	CU_ASSERT_EQUAL(order(0, 1, TG_RISK_SIDE_BUY, 60, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(1, 1, TG_RISK_SIDE_BUY, 41, 100000), TG_RISK_R_MAX_LONG);	/* open buys count */
	CU_ASSERT_EQUAL(order(1, 1, TG_RISK_SIDE_BUY, 40, 100000), TG_RISK_R_ACCEPTED);
	fill(0, 1, TG_RISK_SIDE_BUY, 60);	/* the fill moves shares from open to position */
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->position, 60);
	CU_ASSERT_FALSE(tg_risk_slot(r, 0)->open);
	CU_ASSERT_EQUAL(order(0, 1, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_MAX_LONG);
	/* sells: S = 60 - open sells; short limit 50 allows selling 110 */
	CU_ASSERT_EQUAL(order(0, 1, TG_RISK_SIDE_SELL, 110, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(2, 1, TG_RISK_SIDE_SELL_SHORT, 1, 100000), TG_RISK_R_MAX_SHORT);
	/* a replace grows by the excess over what is open */
	CU_ASSERT_EQUAL(replace(1, 40, 100100), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(replace(1, 41, 100100), TG_RISK_R_MAX_LONG);
	/* lower limits below what is open: shrinking replaces still pass */
	set(TG_RISK_LIM_MAX_LONG, 1, 10);
	commit();
	CU_ASSERT_EQUAL(replace(1, 20, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(tg_risk_slot(r, 1)->rem, 40);	/* the larger size stays open... */
	restate(1, 20);					/* ...until the exchange states it */
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->open_buy, 20);
	/* a decrement (an exchange's partial cancel) reduces what is open */
	in((struct tg_risk_input){.kind = TG_RISK_IN_RESTATE, .sub = 1, .slot = 1, .qty = 5});
	CU_ASSERT_EQUAL(tg_risk_slot(r, 1)->rem, 15);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->open_buy, 15);
	in((struct tg_risk_input){.kind = TG_RISK_IN_RESTATE, .sub = 2, .slot = 1, .qty = 5});
	CU_ASSERT_EQUAL(tg_risk_slot(r, 1)->rem, 15);	/* sub 2 is no restatement: refused */
	restate(1, 20);
	/* an overfill: the position takes it all, the slot closes */
	fill(1, 1, TG_RISK_SIDE_BUY, 25);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->position, 85);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->open_buy, 0);
	struct tg_risk_totals t;
	tg_risk_totals(r, &t);
	CU_ASSERT_EQUAL(t.unmatched, 0);
	fill(9, 1, TG_RISK_SIDE_BUY, 5);	/* a fill of no open slot still moves the position */
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->position, 90);
	tg_risk_totals(r, &t);
	CU_ASSERT_EQUAL(t.unmatched, 1);
}

/* A stamped restatement applies only while no order of the slot was accepted since it was judged. */
static void test_stamped_restatement(void)
{
	fresh();
	CU_ASSERT_EQUAL(order(3, 1, TG_RISK_SIDE_BUY, 100, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(tg_risk_slot(r, 3)->decided, 1);
	uint8_t judged = TG_RISK_STAMPED | tg_risk_slot(r, 3)->decided;
	CU_ASSERT_EQUAL(replace(3, 150, 100000), TG_RISK_R_ACCEPTED);	/* 50 more */
	CU_ASSERT_EQUAL(tg_risk_slot(r, 3)->decided, 2);
	/* an Accepted of the first order, judged before the replace: the
	 * replace's 50 stay counted */
	in((struct tg_risk_input){.kind = TG_RISK_IN_RESTATE, .slot = 3, .qty = 100, .field = judged});
	CU_ASSERT_EQUAL(tg_risk_slot(r, 3)->rem, 150);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->open_buy, 150);
	/* stamped with the count now, or not stamped: applied */
	in((struct tg_risk_input){.kind = TG_RISK_IN_RESTATE, .slot = 3, .qty = 140,
				  .field = TG_RISK_STAMPED | 2});
	CU_ASSERT_EQUAL(tg_risk_slot(r, 3)->rem, 140);
	restate(3, 130);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->open_buy, 130);
	/* a dead order closes whatever the count */
	in((struct tg_risk_input){.kind = TG_RISK_IN_RESTATE, .slot = 3, .qty = 0, .field = judged});
	CU_ASSERT_FALSE(tg_risk_slot(r, 3)->open);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->open_buy, 0);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->open_orders, 0);
	/* the count lives on with the slot and wraps at 16 */
	for (unsigned k = 0; k < 14; k++) {
		CU_ASSERT_EQUAL(order(3, 1, TG_RISK_SIDE_BUY, 10, 100000), TG_RISK_R_ACCEPTED);
		restate(3, 0);
	}
	CU_ASSERT_EQUAL(tg_risk_slot(r, 3)->decided, 0);
	/* a refused order does not count */
	CU_ASSERT_EQUAL(replace(3, 20, 100000), TG_RISK_R_UNKNOWN_ORDER);
	CU_ASSERT_EQUAL(tg_risk_slot(r, 3)->decided, 0);
}

static void test_reduce_only(void)
{
	fresh();
	fill(15, 2, TG_RISK_SIDE_BUY, 100);	/* long 100 */
	set(TG_RISK_LIM_REDUCE_ONLY, 2, 1);
	commit();
	CU_ASSERT_EQUAL(order(0, 2, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_REDUCE_ONLY);
	CU_ASSERT_EQUAL(order(0, 2, TG_RISK_SIDE_SELL, 60, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(1, 2, TG_RISK_SIDE_SELL, 41, 100000), TG_RISK_R_REDUCE_ONLY);
	CU_ASSERT_EQUAL(order(1, 2, TG_RISK_SIDE_SELL, 40, 100000), TG_RISK_R_ACCEPTED);
}

static void test_exposure(void)
{
	fresh();
	/* reference $10 on every instrument: 100 shares = 1,000.0000 $ = 10,000,000 units */
	set(TG_RISK_LIM_MAX_GROSS, 0, 30000000);
	set(TG_RISK_LIM_MAX_NET, 0, 20000000);
	commit();
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 200, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(1, 1, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_MAX_NET);
	CU_ASSERT_EQUAL(order(1, 1, TG_RISK_SIDE_SELL, 100, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(2, 1, TG_RISK_SIDE_SELL, 1, 100000), TG_RISK_R_MAX_GROSS);
	/* a sell of instrument 0 does not grow its gross (max of |L|,|S|) */
	CU_ASSERT_EQUAL(order(2, 0, TG_RISK_SIDE_SELL, 101, 100000), TG_RISK_R_MAX_NET);
	CU_ASSERT_EQUAL(order(2, 0, TG_RISK_SIDE_SELL, 100, 100000), TG_RISK_R_ACCEPTED);
	struct tg_risk_totals t;
	tg_risk_totals(r, &t);
	CU_ASSERT(t.gross == 30000000);
	CU_ASSERT(t.net_long == 20000000);
	CU_ASSERT(t.net_short == -20000000);
	/* instrument 0's reference halves: so do its exposures */
	ref(0, 2, 50000, 0);
	tg_risk_totals(r, &t);
	CU_ASSERT(t.gross == 20000000);
	CU_ASSERT(t.net_short == -15000000);
	CU_ASSERT_EQUAL(order(3, 2, TG_RISK_SIDE_SELL, 50, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(4, 3, TG_RISK_SIDE_BUY, 51, 100000), TG_RISK_R_MAX_GROSS);
	CU_ASSERT_EQUAL(order(4, 3, TG_RISK_SIDE_BUY, 50, 100000), TG_RISK_R_ACCEPTED);
	/* over the limit after a reference move: reducing orders still pass */
	ref(1, 2, 400000, 0);
	CU_ASSERT_EQUAL(order(5, 1, TG_RISK_SIDE_SELL, 1, 400000), TG_RISK_R_MAX_GROSS);
	CU_ASSERT_EQUAL(order(5, 1, TG_RISK_SIDE_BUY, 10, 400000), TG_RISK_R_ACCEPTED);
}

static void test_open_orders(void)
{
	fresh();
	set(TG_RISK_LIM_MAX_OPEN, 0, 2);
	set(TG_RISK_LIM_MAX_OPEN_ALL, 0, 3);
	commit();
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(1, 0, TG_RISK_SIDE_BUY, 2, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(2, 0, TG_RISK_SIDE_BUY, 3, 100000), TG_RISK_R_MAX_OPEN);
	CU_ASSERT_EQUAL(order(2, 1, TG_RISK_SIDE_BUY, 3, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(3, 1, TG_RISK_SIDE_BUY, 4, 100000), TG_RISK_R_MAX_OPEN_ALL);
	CU_ASSERT_EQUAL(replace(2, 9, 100000), TG_RISK_R_ACCEPTED);	/* replaces add no order */
	fill(0, 0, TG_RISK_SIDE_BUY, 1);
	CU_ASSERT_EQUAL(order(3, 1, TG_RISK_SIDE_BUY, 4, 100000), TG_RISK_R_ACCEPTED);
}

static void test_rate(void)
{
	fresh();
	/* 1 token per 100 cycles, burst 3 (tolerance 200); global: 1 per 10 */
	set(TG_RISK_LIM_RATE_PERIOD, 0, 100);
	set(TG_RISK_LIM_RATE_TOLERANCE, 0, 200);
	set(TG_RISK_LIM_RATE_PERIOD_ALL, 0, 10);
	set(TG_RISK_LIM_RATE_TOLERANCE_ALL, 0, 0);
	commit();
	for (unsigned k = 0; k < 3; k++) {
		now += 10;
		CU_ASSERT_EQUAL(order(k, 0, TG_RISK_SIDE_BUY, 1 + k, 100000), TG_RISK_R_ACCEPTED);
	}
	now += 10;	/* bucket drained: the next token 100 cycles after the first */
	CU_ASSERT_EQUAL(order(3, 0, TG_RISK_SIDE_BUY, 9, 100000), TG_RISK_R_RATE);
	now += 69;	/* t = 1099: TAT 1310 > 1099 + 200 */
	CU_ASSERT_EQUAL(order(3, 0, TG_RISK_SIDE_BUY, 9, 100000), TG_RISK_R_RATE);
	now += 11;	/* t = 1110 */
	CU_ASSERT_EQUAL(order(3, 0, TG_RISK_SIDE_BUY, 9, 100000), TG_RISK_R_ACCEPTED);
	/* global: one order per 10 cycles, no burst */
	now += 1;
	CU_ASSERT_EQUAL(order(4, 1, TG_RISK_SIDE_BUY, 9, 100000), TG_RISK_R_RATE_ALL);
	now += 9;
	CU_ASSERT_EQUAL(order(4, 1, TG_RISK_SIDE_BUY, 9, 100000), TG_RISK_R_ACCEPTED);
	/* rejected orders take no token */
	now += 10;
	CU_ASSERT_EQUAL(order(5, 1, TG_RISK_SIDE_BUY, 0, 100000), TG_RISK_R_BAD_ORDER);
	CU_ASSERT_EQUAL(order(5, 1, TG_RISK_SIDE_BUY, 8, 100000), TG_RISK_R_ACCEPTED);
}

static void test_duplicate(void)
{
	fresh();
	set(TG_RISK_LIM_DUP_WINDOW, 0, 50);
	commit();
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 100, 100000), TG_RISK_R_ACCEPTED);
	now += 49;
	CU_ASSERT_EQUAL(order(1, 0, TG_RISK_SIDE_BUY, 100, 100000), TG_RISK_R_DUPLICATE);
	CU_ASSERT_EQUAL(order(1, 0, TG_RISK_SIDE_SELL, 100, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(2, 0, TG_RISK_SIDE_SELL, 100, 100001), TG_RISK_R_ACCEPTED);
	now += 50;
	CU_ASSERT_EQUAL(order(3, 0, TG_RISK_SIDE_SELL, 100, 100001), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(4, 1, TG_RISK_SIDE_SELL, 100, 100001), TG_RISK_R_ACCEPTED);	/* per instrument */
}

static void test_set_validation(void)
{
	fresh();
	struct tg_risk_totals t;
	set(TG_RISK_LIM_COLLAR_BPS, 0, 10001);
	set(31, 0, 1);
	set(TG_RISK_LIM_MAX_LONG, INST, 1);
	tg_risk_totals(r, &t);
	CU_ASSERT_EQUAL(t.bad_inputs, 3);
	CU_ASSERT_EQUAL(tg_risk_limit(r, TG_RISK_LIM_COLLAR_BPS, 0, true), 10000);
	/* shadow and active differ until the commit */
	set(TG_RISK_LIM_MAX_LONG, 0, 5);
	CU_ASSERT_EQUAL(tg_risk_limit(r, TG_RISK_LIM_MAX_LONG, 0, true), 5);
	CU_ASSERT_EQUAL(tg_risk_limit(r, TG_RISK_LIM_MAX_LONG, 0, false), 0xffffffffu);
	commit();
	CU_ASSERT_EQUAL(tg_risk_limit(r, TG_RISK_LIM_MAX_LONG, 0, false), 5);
	CU_ASSERT_STRING_EQUAL(tg_risk_reason_name(TG_RISK_R_COLLAR), "COLLAR");
	CU_ASSERT_EQUAL(tg_risk_side_ouch(TG_RISK_SIDE_SELL_SHORT), 'T');
}

/* A bust takes the execution's shares back out of the position; the slot
 * the execution consumed keeps what it has open. */
static void test_bust_position(void)
{
	fresh();
	struct tg_risk_totals t;
	CU_ASSERT_EQUAL(order(0, 1, TG_RISK_SIDE_BUY, 100, 100000), TG_RISK_R_ACCEPTED);
	fill(0, 1, TG_RISK_SIDE_BUY, 40);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->position, 40);
	CU_ASSERT_EQUAL(tg_risk_slot(r, 0)->rem, 60);
	bust(1, TG_RISK_SIDE_BUY, 40);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->position, 0);
	CU_ASSERT_EQUAL(tg_risk_slot(r, 0)->rem, 60);		/* not put back on the book */
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->open_buy, 60);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->open_orders, 1);
	/* the whole rest fills: the slot closes; its bust leaves it closed */
	fill(0, 1, TG_RISK_SIDE_BUY, 60);
	CU_ASSERT_FALSE(tg_risk_slot(r, 0)->open);
	bust(1, TG_RISK_SIDE_BUY, 60);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->position, 0);
	CU_ASSERT_FALSE(tg_risk_slot(r, 0)->open);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->open_orders, 0);
	/* sells: every sell code is a sell; a bust past 0 makes a position of the other sign */
	fill(3, 1, TG_RISK_SIDE_SELL_SHORT, 25);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->position, -25);
	bust(1, TG_RISK_SIDE_SELL_SHORT_EXEMPT, 10);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->position, -15);
	bust(1, TG_RISK_SIDE_SELL, 20);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->position, 5);
	/* busts name no slot: never unmatched, and no slot is touched */
	tg_risk_totals(r, &t);
	CU_ASSERT_EQUAL(t.unmatched, 1);			/* the slot-3 fill above */
	CU_ASSERT_EQUAL(t.bad_inputs, 0);
	CU_ASSERT_EQUAL(t.decided[TG_RISK_R_ACCEPTED], 1);	/* busts are not decided */
	CU_ASSERT_EQUAL(order(2, 1, TG_RISK_SIDE_SELL, 7, 100000), TG_RISK_R_ACCEPTED);
	in((struct tg_risk_input){.kind = TG_RISK_IN_FILL, .sub = TG_RISK_FILL_BUST, .slot = 2, .inst = 1,
				  .side = TG_RISK_SIDE_SELL, .qty = 7});
	CU_ASSERT_EQUAL(tg_risk_slot(r, 2)->rem, 7);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->position, 12);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 1)->open_sell, 7);
	/* other instruments are not touched */
	CU_ASSERT_EQUAL(tg_risk_inst(r, 0)->position, 0);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 2)->position, 0);
}

/* The case: a busted sell fill left uncorrected under-states the
 * long position; reversed, the buy that would break MAX_LONG is refused. */
static void test_bust_position_limits(void)
{
	fresh();
	set(TG_RISK_LIM_MAX_LONG, 0, 100);
	set(TG_RISK_LIM_MAX_SHORT, 0, 100);
	commit();
	fill(15, 0, TG_RISK_SIDE_BUY, 100);		/* long 100: at max_long */
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_MAX_LONG);
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_SELL, 50, 100000), TG_RISK_R_ACCEPTED);
	fill(0, 0, TG_RISK_SIDE_SELL, 50);		/* long 50 */
	CU_ASSERT_EQUAL(order(1, 0, TG_RISK_SIDE_BUY, 50, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(cancel(1, 0), TG_RISK_R_ACCEPTED);
	restate(1, 0);
	bust(0, TG_RISK_SIDE_SELL, 50);			/* the sell never happened: long 100 again */
	CU_ASSERT_EQUAL(tg_risk_inst(r, 0)->position, 100);
	CU_ASSERT_EQUAL(order(1, 0, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_MAX_LONG);
	/* with an open buy counted: L = position + open buys */
	CU_ASSERT_EQUAL(order(1, 0, TG_RISK_SIDE_SELL, 60, 100000), TG_RISK_R_ACCEPTED);
	fill(1, 0, TG_RISK_SIDE_SELL, 60);		/* long 40 */
	CU_ASSERT_EQUAL(order(2, 0, TG_RISK_SIDE_BUY, 60, 100000), TG_RISK_R_ACCEPTED);	/* L = 100 */
	bust(0, TG_RISK_SIDE_SELL, 1);			/* L = 101: past max_long, nothing more passes */
	CU_ASSERT_EQUAL(order(3, 0, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_MAX_LONG);
	CU_ASSERT_EQUAL(replace(2, 59, 100000), TG_RISK_R_ACCEPTED);	/* shrinking still passes */
	/* the short side: a busted buy moves S down to -max_short and past it */
	fresh();
	set(TG_RISK_LIM_MAX_SHORT, 0, 100);
	commit();
	fill(15, 0, TG_RISK_SIDE_BUY, 30);
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_SELL, 130, 100000), TG_RISK_R_ACCEPTED);	/* S = -100 */
	bust(0, TG_RISK_SIDE_BUY, 30);			/* S = -130 */
	CU_ASSERT_EQUAL(tg_risk_inst(r, 0)->position, 0);
	CU_ASSERT_EQUAL(order(1, 0, TG_RISK_SIDE_SELL, 1, 100000), TG_RISK_R_MAX_SHORT);
	/* reduce-only: a busted sell makes a long position again, and buys grow it */
	fresh();
	set(TG_RISK_LIM_REDUCE_ONLY, 0, 1);
	commit();
	fill(15, 0, TG_RISK_SIDE_BUY, 10);
	fill(14, 0, TG_RISK_SIDE_SELL, 10);
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_SELL, 1, 100000), TG_RISK_R_REDUCE_ONLY);
	bust(0, TG_RISK_SIDE_SELL, 10);
	CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_SELL, 10, 100000), TG_RISK_R_ACCEPTED);
	CU_ASSERT_EQUAL(order(1, 0, TG_RISK_SIDE_SELL, 1, 100000), TG_RISK_R_REDUCE_ONLY);
}

/* State equal field by field (positions, open quantities, slots, totals). */
static bool same_state(const struct tg_risk *a, const struct tg_risk *b)
{
	struct tg_risk_totals ta, tb;
	for (unsigned i = 0; i < INST; i++) {
		const struct tg_risk_inst_state *x = tg_risk_inst(a, i), *y = tg_risk_inst(b, i);
		if (x->position != y->position || x->open_buy != y->open_buy || x->open_sell != y->open_sell ||
		    x->open_orders != y->open_orders)
			return false;
	}
	for (unsigned s = 0; s < SLOTS; s++) {
		const struct tg_risk_slot *x = tg_risk_slot(a, s), *y = tg_risk_slot(b, s);
		if (x->open != y->open || (x->open && x->rem != y->rem))
			return false;
	}
	tg_risk_totals(a, &ta);
	tg_risk_totals(b, &tb);
	return ta.gross == tb.gross && ta.net_long == tb.net_long && ta.net_short == tb.net_short &&
	       ta.open_orders == tb.open_orders;
}

/*
 * Exposure: a fill then its bust leaves gross and net exposure, L and S
 * exactly where the fill's own effect on the open quantity alone (an
 * exchange's decrement of the same shares) would have left them.
 */
static void test_bust_exposure(void)
{
	fresh();
	struct tg_risk_totals t;
	/* reference $10: 100 shares = 10,000,000 units */
	fill(15, 0, TG_RISK_SIDE_BUY, 200);
	tg_risk_totals(r, &t);
	CU_ASSERT(t.gross == 20000000 && t.net_long == 20000000 && t.net_short == 20000000);
	bust(0, TG_RISK_SIDE_BUY, 200);
	tg_risk_totals(r, &t);
	CU_ASSERT(t.gross == 0 && t.net_long == 0 && t.net_short == 0);
	/* with open orders both sides, two instruments, a reference move between fill and bust */
	struct tg_risk *twin = tg_risk_new(&(struct tg_risk_config){.instruments = INST, .slots = SLOTS});
	struct tg_risk *mine = r;
	for (int pass = 0; pass < 2; pass++) {
		r = pass == 0 ? mine : twin;
		if (pass == 1) {
			now = 1000;
			open_limits();
			fill(15, 0, TG_RISK_SIDE_BUY, 200);
			bust(0, TG_RISK_SIDE_BUY, 200);
		}
		CU_ASSERT_EQUAL(order(0, 0, TG_RISK_SIDE_BUY, 100, 100000), TG_RISK_R_ACCEPTED);
		CU_ASSERT_EQUAL(order(1, 0, TG_RISK_SIDE_SELL, 70, 100000), TG_RISK_R_ACCEPTED);
		CU_ASSERT_EQUAL(order(2, 1, TG_RISK_SIDE_SELL, 50, 100000), TG_RISK_R_ACCEPTED);
		if (pass == 0) {
			fill(0, 0, TG_RISK_SIDE_BUY, 30);
			fill(2, 1, TG_RISK_SIDE_SELL, 50);	/* closes slot 2 */
			ref(0, 2, 123400, 0);
			bust(0, TG_RISK_SIDE_BUY, 30);
			bust(1, TG_RISK_SIDE_SELL, 50);
		} else {
			/* the same shares leave the open quantity, no position moves */
			in((struct tg_risk_input){.kind = TG_RISK_IN_RESTATE, .sub = 1, .slot = 0, .qty = 30});
			in((struct tg_risk_input){.kind = TG_RISK_IN_RESTATE, .sub = 1, .slot = 2, .qty = 50});
			ref(0, 2, 123400, 0);
		}
	}
	r = mine;
	CU_ASSERT_TRUE(same_state(mine, twin));
	tg_risk_totals(r, &t);
	/* instrument 0: L = 70 x 12.34, S = -70 x 12.34; instrument 1: no position, nothing open */
	CU_ASSERT(t.net_long == 70 * 123400);
	CU_ASSERT(t.net_short == -70 * 123400);
	CU_ASSERT(t.gross == 70 * 123400);
	/* the net limit sees the reversed exposure: a buy of the room left passes, one more does not */
	set(TG_RISK_LIM_MAX_NET, 0, 100 * 123400);
	commit();
	CU_ASSERT_EQUAL(order(3, 0, TG_RISK_SIDE_BUY, 31, 123400), TG_RISK_R_MAX_NET);
	CU_ASSERT_EQUAL(order(3, 0, TG_RISK_SIDE_BUY, 30, 123400), TG_RISK_R_ACCEPTED);
	tg_risk_free(twin);
}

/* Busts out of range change nothing and are counted. */
static void test_bust_refused(void)
{
	fresh();
	struct tg_risk_totals t;
	fill(15, 0, TG_RISK_SIDE_BUY, 10);
	bust(INST, TG_RISK_SIDE_BUY, 10);		/* no such instrument */
	bust(0, TG_RISK_SIDE_BUY, 0);			/* no shares */
	bust(0, TG_RISK_SIDE_BUY, TG_RISK_QTY_MAX + 1);
	bust(0, 4, 10);					/* no such side */
	for (uint8_t sub = 2; sub < 4; sub++)		/* FILL has no sub 2 or 3 */
		in((struct tg_risk_input){.kind = TG_RISK_IN_FILL, .sub = sub, .inst = 0, .side = TG_RISK_SIDE_BUY,
					  .qty = 10});
	CU_ASSERT_EQUAL(tg_risk_inst(r, 0)->position, 10);
	tg_risk_totals(r, &t);
	CU_ASSERT_EQUAL(t.bad_inputs, 6);
	CU_ASSERT_EQUAL(t.unmatched, 1);
	bust(0, TG_RISK_SIDE_BUY, TG_RISK_QTY_MAX);	/* the largest one is taken */
	CU_ASSERT_EQUAL(tg_risk_inst(r, 0)->position, 10 - (int64_t)TG_RISK_QTY_MAX);
	/* a kill stops orders, not corrections */
	kill(0, 0, true);
	bust(0, TG_RISK_SIDE_SELL, TG_RISK_QTY_MAX);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 0)->position, 10);
}

/* ------------------------------------------------------------------ the execution ledger */

static union tg_c2h_record decision(unsigned slot, unsigned inst, unsigned side, unsigned kind, bool accepted)
{
	union tg_c2h_record ev;

	memset(&ev, 0, sizeof(ev));
	ev.order_decision.type = TG_C2H_EVT_ORDER_DECISION;
	ev.order_decision.flags = accepted ? 1u : 0u;
	ev.order_decision.reason = accepted ? TG_RISK_R_ACCEPTED : TG_RISK_R_MAX_LONG;
	ev.order_decision.kind = (uint8_t)kind;
	ev.order_decision.side = (uint8_t)side;
	ev.order_decision.instrument = (uint8_t)inst;
	ev.order_decision.slot = (uint16_t)slot;
	return ev;
}

/* An ORDER_RESP: type, UserRefNum, slot, instrument (applied when not 0xff), shares, price, match. */
static union tg_c2h_record resp(char type, uint32_t urn, unsigned slot, unsigned inst, uint32_t qty, uint32_t price,
				uint64_t match)
{
	union tg_c2h_record ev;

	memset(&ev, 0, sizeof(ev));
	ev.order_resp.type = TG_C2H_EVT_ORDER_RESP;
	ev.order_resp.flags = inst != 0xff ? 1u : 0u;
	ev.order_resp.msg_type = (uint8_t)type;
	ev.order_resp.urn = urn;
	ev.order_resp.slot = (uint16_t)slot;
	ev.order_resp.instrument = (uint8_t)inst;
	ev.order_resp.qty = type == 'E' ? qty : 0;
	ev.order_resp.price = type == 'E' ? price : 0;
	ev.order_resp.state = type == 'B' ? 'E' : 0;
	for (int i = 0; i < 7; i++)
		ev.order_resp.ref[i] = (uint8_t)(match >> (8 * i));
	return ev;
}

static int feed(struct tg_exec_ledger *l, union tg_c2h_record ev, struct tg_exec *x)
{
	return tg_exec_ledger_event(l, &ev, x);
}

static void test_ledger_bust(void)
{
	struct tg_exec_ledger *l = tg_exec_ledger_new(SLOTS);
	struct tg_exec x;
	struct tg_exec_ledger_stats st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_PTR_NULL(tg_exec_ledger_new(0));
	CU_ASSERT_PTR_NULL(tg_exec_ledger_new(65537));
	/* slot 3 holds a buy of instrument 2; UserRefNum 7 << 4 | 3 */
	CU_ASSERT_EQUAL(feed(l, decision(3, 2, TG_RISK_SIDE_BUY, TG_RISK_IN_NEW, true), NULL), TG_EXEC_NONE);
	CU_ASSERT_EQUAL(feed(l, resp('A', 115, 3, 2, 100, 500100, 0), NULL), TG_EXEC_NONE);
	CU_ASSERT_EQUAL(feed(l, resp('E', 115, 3, 2, 40, 500100, 0x00abcdef01234567ull), &x), TG_EXEC_RECORDED);
	CU_ASSERT_EQUAL(x.inst, 2);
	CU_ASSERT_EQUAL(x.side, TG_RISK_SIDE_BUY);
	CU_ASSERT_EQUAL(x.match, 0x00abcdef01234567ull);	/* 56 bits, little-endian on the wire */
	CU_ASSERT_EQUAL(feed(l, resp('E', 115, 3, 2, 60, 500000, 8), NULL), TG_EXEC_RECORDED);
	/* the Broken Trade names UserRefNum and match number only */
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(feed(l, resp('B', 115, 3, 0xff, 0, 0, 0x00abcdef01234567ull), &x), TG_EXEC_BUST);
	CU_ASSERT_EQUAL(x.qty, 40);
	CU_ASSERT_EQUAL(x.price, 500100);
	CU_ASSERT_EQUAL(x.inst, 2);
	CU_ASSERT_EQUAL(x.side, TG_RISK_SIDE_BUY);
	CU_ASSERT_EQUAL(x.urn, 115);
	CU_ASSERT_TRUE(x.busted);
	CU_ASSERT_EQUAL(feed(l, resp('B', 115, 3, 0xff, 0, 0, 0x00abcdef01234567ull), &x), TG_EXEC_BUST_AGAIN);
	CU_ASSERT_EQUAL(feed(l, resp('B', 115, 3, 0xff, 0, 0, 9), &x), TG_EXEC_BUST_UNKNOWN);
	CU_ASSERT_EQUAL(feed(l, resp('B', 131, 3, 0xff, 0, 0, 8), &x), TG_EXEC_BUST_UNKNOWN);	/* another order */
	CU_ASSERT_EQUAL(feed(l, resp('E', 115, 3, 2, 60, 500000, 8), NULL), TG_EXEC_DUPLICATE);
	CU_ASSERT_PTR_NOT_NULL(tg_exec_ledger_find(l, 115, 8));
	CU_ASSERT_PTR_NULL(tg_exec_ledger_find(l, 115, 9));
	/* a message the card did not understand says nothing */
	union tg_c2h_record bad = resp('B', 115, 3, 0xff, 0, 0, 8);
	bad.order_resp.flags |= 4u;
	CU_ASSERT_EQUAL(feed(l, bad, NULL), TG_EXEC_NONE);
	tg_exec_ledger_stats(l, &st);
	CU_ASSERT_EQUAL(st.kept, 2);
	CU_ASSERT_EQUAL(st.busts, 1);
	CU_ASSERT_EQUAL(st.bust_shares, 40);
	CU_ASSERT_EQUAL(st.unknown, 2);
	CU_ASSERT_EQUAL(st.repeated, 2);
	CU_ASSERT_STRING_EQUAL(tg_exec_result_name(TG_EXEC_BUST_UNKNOWN), "bust-unknown");
	tg_exec_ledger_free(l);
}

static void test_ledger_orders(void)
{
	struct tg_exec_ledger *l = tg_exec_ledger_new(SLOTS);
	struct tg_exec x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	/* an execution of a slot whose order it never saw: not kept */
	CU_ASSERT_EQUAL(feed(l, resp('E', 21, 5, 1, 10, 1000, 1), NULL), TG_EXEC_NO_ORDER);
	CU_ASSERT_EQUAL(feed(l, resp('B', 21, 5, 1, 0, 0, 1), NULL), TG_EXEC_BUST_UNKNOWN);
	/* told of it (open before the ledger started) */
	CU_ASSERT_EQUAL(tg_exec_ledger_order(l, 5, 1, TG_RISK_SIDE_SELL_SHORT), TG_OK);
	CU_ASSERT_EQUAL(tg_exec_ledger_order(l, SLOTS, 1, 0), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_exec_ledger_order(l, 5, 1, 4), TG_ERR_ARG);
	CU_ASSERT_EQUAL(feed(l, resp('E', 21, 5, 1, 10, 1000, 2), &x), TG_EXEC_RECORDED);
	CU_ASSERT_EQUAL(x.side, TG_RISK_SIDE_SELL_SHORT);
	/* a rejected NEW or a replace changes nothing; the card's instrument must agree */
	CU_ASSERT_EQUAL(feed(l, decision(5, 3, TG_RISK_SIDE_BUY, TG_RISK_IN_NEW, false), NULL), TG_EXEC_NONE);
	CU_ASSERT_EQUAL(feed(l, decision(5, 1, TG_RISK_SIDE_BUY, TG_RISK_IN_REPLACE, true), NULL), TG_EXEC_NONE);
	CU_ASSERT_EQUAL(feed(l, resp('E', 37, 5, 1, 10, 1000, 3), &x), TG_EXEC_RECORDED);
	CU_ASSERT_EQUAL(x.side, TG_RISK_SIDE_SELL_SHORT);
	CU_ASSERT_EQUAL(feed(l, resp('E', 37, 5, 2, 10, 1000, 4), NULL), TG_EXEC_NO_ORDER);
	/* the slot reused by a buy of instrument 0: its executions are buys, the old ones stay sells */
	CU_ASSERT_EQUAL(feed(l, decision(5, 0, TG_RISK_SIDE_BUY, TG_RISK_IN_NEW, true), NULL), TG_EXEC_NONE);
	CU_ASSERT_EQUAL(feed(l, resp('E', 53, 5, 0, 7, 2000, 5), &x), TG_EXEC_RECORDED);
	CU_ASSERT_EQUAL(x.side, TG_RISK_SIDE_BUY);
	CU_ASSERT_EQUAL(feed(l, resp('B', 37, 5, 0xff, 0, 0, 3), &x), TG_EXEC_BUST);
	CU_ASSERT_EQUAL(x.side, TG_RISK_SIDE_SELL_SHORT);
	CU_ASSERT_EQUAL(x.inst, 1);
	/* an execution the card did not apply (no open order of that UserRefNum): its bust changes nothing */
	CU_ASSERT_EQUAL(feed(l, resp('E', 99, 6, 0xff, 5, 1000, 6), &x), TG_EXEC_UNAPPLIED);
	CU_ASSERT_FALSE(x.applied);
	CU_ASSERT_EQUAL(feed(l, resp('B', 99, 6, 0xff, 0, 0, 6), &x), TG_EXEC_BUST_UNAPPLIED);
	/* two of the account's orders traded with each other: one match number, two executions */
	CU_ASSERT_EQUAL(feed(l, decision(7, 2, TG_RISK_SIDE_SELL, TG_RISK_IN_NEW, true), NULL), TG_EXEC_NONE);
	CU_ASSERT_EQUAL(feed(l, resp('E', 55, 7, 2, 9, 3000, 100), NULL), TG_EXEC_RECORDED);
	CU_ASSERT_EQUAL(feed(l, resp('E', 53, 5, 0, 9, 3000, 100), NULL), TG_EXEC_RECORDED);
	CU_ASSERT_EQUAL(feed(l, resp('B', 55, 7, 2, 0, 0, 100), &x), TG_EXEC_BUST);
	CU_ASSERT_EQUAL(x.side, TG_RISK_SIDE_SELL);
	CU_ASSERT_EQUAL(feed(l, resp('B', 53, 5, 0, 0, 0, 100), &x), TG_EXEC_BUST);
	CU_ASSERT_EQUAL(x.side, TG_RISK_SIDE_BUY);
	tg_exec_ledger_free(l);
}

/* Many executions: the table grows and finds every one. */
static void test_ledger_many(void)
{
	struct tg_exec_ledger *l = tg_exec_ledger_new(SLOTS);
	struct tg_exec x;
	unsigned bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	for (unsigned s = 0; s < SLOTS; s++)
		CU_ASSERT_EQUAL(tg_exec_ledger_order(l, s, s % INST, s % 2), TG_OK);
	for (uint32_t k = 0; k < 20000; k++) {
		unsigned s = k % SLOTS;
		if (feed(l, resp('E', k / SLOTS * SLOTS + s, s, s % INST, 1 + k % 97, 1000 + k, 1000000 + k), NULL) !=
		    TG_EXEC_RECORDED)
			bad++;
	}
	for (uint32_t k = 0; k < 20000; k += 7) {
		unsigned s = k % SLOTS;
		if (feed(l, resp('B', k / SLOTS * SLOTS + s, s, 0xff, 0, 0, 1000000 + k), &x) != TG_EXEC_BUST ||
		    x.qty != 1 + k % 97 || x.price != 1000 + k || x.inst != s % INST || x.side != s % 2)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	tg_exec_ledger_free(l);
}

/*
 * The whole path in the model's terms: the decisions and executions the
 * gate makes go to the ledger; the Broken Trade's answer, applied as a
 * bust, leaves the position where it was before the execution.
 */
static void test_ledger_reverses_in_the_model(void)
{
	struct tg_exec_ledger *l = tg_exec_ledger_new(SLOTS);
	struct tg_exec x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	fresh();
	set(TG_RISK_LIM_MAX_LONG, 3, 100);
	commit();
	fill(15, 3, TG_RISK_SIDE_BUY, 80);
	CU_ASSERT_EQUAL(order(4, 3, TG_RISK_SIDE_SELL, 30, 100000), TG_RISK_R_ACCEPTED);
	feed(l, decision(4, 3, TG_RISK_SIDE_SELL, TG_RISK_IN_NEW, true), NULL);
	fill(4, 3, TG_RISK_SIDE_SELL, 30);
	CU_ASSERT_EQUAL(feed(l, resp('E', 1 << 4 | 4, 4, 3, 30, 100100, 4242), NULL), TG_EXEC_RECORDED);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 3)->position, 50);
	CU_ASSERT_EQUAL(order(5, 3, TG_RISK_SIDE_BUY, 50, 100000), TG_RISK_R_ACCEPTED);	/* L = 100 */
	CU_ASSERT_EQUAL(feed(l, resp('B', 1 << 4 | 4, 4, 0xff, 0, 0, 4242), &x), TG_EXEC_BUST);
	bust(x.inst, x.side, x.qty);
	CU_ASSERT_EQUAL(tg_risk_inst(r, 3)->position, 80);
	CU_ASSERT_EQUAL(order(6, 3, TG_RISK_SIDE_BUY, 1, 100000), TG_RISK_R_MAX_LONG);	/* L = 131 */
	tg_exec_ledger_free(l);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{"config bounds", test_config_bounds},
		{"defaults block every order", test_defaults_block},
		{"kill switches", test_kill},
		{"enabled and halted", test_enabled_and_halted},
		{"bad orders and slots", test_bad_and_slots},
		{"order quantity and notional", test_qty_and_notional},
		{"collar and reference price", test_collar_and_reference},
		{"long and short positions", test_positions},
		{"a stamped restatement after an order accepted since changes nothing", test_stamped_restatement},
		{"reduce-only", test_reduce_only},
		{"gross and net exposure", test_exposure},
		{"open orders", test_open_orders},
		{"rate buckets", test_rate},
		{"duplicate window", test_duplicate},
		{"limit writes and commit", test_set_validation},
		{"bust: position back, open quantity not", test_bust_position},
		{"bust: position limits see the reversal", test_bust_position_limits},
		{"bust: exposure as without the fill", test_bust_exposure},
		{"bust: refused inputs", test_bust_refused},
		{"ledger: a Broken Trade finds its execution", test_ledger_bust},
		{"ledger: orders of slots, unapplied, self-cross", test_ledger_orders},
		{"ledger: many executions", test_ledger_many},
		{"ledger: its answer reversed in the model", test_ledger_reverses_in_the_model},
	};
	return tg_cunit_run("risk model and execution ledger", setup, teardown, tests, TG_CUNIT_COUNT(tests));
}
