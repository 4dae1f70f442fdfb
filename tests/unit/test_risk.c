/*
 * The risk golden model, check by check: each test sets limits, moves the
 * state and asserts decisions worked out by hand from docs/risk.md, at and
 * across every boundary.
 */
#include <stdlib.h>

#include "tg_cunit.h"
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
		{"reduce-only", test_reduce_only},
		{"gross and net exposure", test_exposure},
		{"open orders", test_open_orders},
		{"rate buckets", test_rate},
		{"duplicate window", test_duplicate},
		{"limit writes and commit", test_set_validation},
	};
	return tg_cunit_run("risk model", setup, teardown, tests, TG_CUNIT_COUNT(tests));
}
