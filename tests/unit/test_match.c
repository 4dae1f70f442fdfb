/*
 * Unit tests of the matching engine (sw/match.c, tickgate/match.h).
 *
 * Directed tests check each rule of the contract with the exact events it
 * must produce, every field compared (fields a type does not name must be
 * 0). The differential test drives seeded random streams of enters,
 * reduces, replaces and halts, valid and not, through the engine and
 * through a deliberately naive reference book written here (one flat array
 * of live orders per engine, every question answered by a linear scan,
 * time priority from a sequence number, "nothing happens" on a full book
 * by taking a copy of the whole state and putting it back), and compares
 * the result codes, the reference numbers, every event and the full depth
 * of every book after every operation, and the resting orders (with the
 * orders ahead of them) regularly.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg_cunit.h"
#include "tickgate/match.h"

/* ---- events the engine delivered ---- */

#define MAXEV 4096

struct recorder {
	struct tg_match_event ev[MAXEV];
	size_t n;
	struct tg_match *m;	/* for the callback tests */
	int reentry_rc[4];
	bool query_in_cb;
	struct tg_match_level level_in_cb;
	int level_rc_in_cb;
	uint32_t count_in_cb;
};

static struct recorder rec;

static void on_event(void *ctx, const struct tg_match_event *ev)
{
	struct recorder *r = ctx;

	if (r->n < MAXEV)
		r->ev[r->n] = *ev;
	r->n++;
	if (r->query_in_cb && r->m != NULL) {
		struct tg_match_order o = { .instrument = 1, .side = 'B', .shares = 1, .price = 1 };
		uint64_t ref;

		r->reentry_rc[0] = tg_match_enter(r->m, &o, 1, &ref);
		r->reentry_rc[1] = tg_match_reduce(r->m, 1, 0, 1);
		r->reentry_rc[2] = tg_match_replace(r->m, 1, 1, 1, false, 1, &ref);
		r->reentry_rc[3] = tg_match_halt(r->m, 1, true, 1);
		r->level_rc_in_cb = tg_match_level(r->m, 1, 'S', 0, &r->level_in_cb);
		r->count_in_cb = tg_match_resting_count(r->m);
	}
}

static struct tg_match *mk(unsigned instruments, uint32_t max_orders)
{
	struct tg_match_config cfg = { .instruments = instruments, .max_orders = max_orders };
	struct tg_match *m = NULL;

	memset(&rec, 0, sizeof(rec));
	CU_ASSERT_EQUAL_FATAL(tg_match_new(&cfg, on_event, &rec, &m), TG_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	return m;
}

static struct tg_match_order lim(uint16_t inst, char side, uint32_t shares, uint32_t price)
{
	struct tg_match_order o = {
		.instrument = inst, .side = side, .type = TG_MATCH_LIMIT, .tif = TG_MATCH_DAY,
		.shares = shares, .price = price, .owner = 1000u + shares,
	};

	return o;
}

/* Enter, expect TG_OK, return the reference. */
static uint64_t enter(struct tg_match *m, struct tg_match_order o, uint64_t ts)
{
	uint64_t ref = 0;

	CU_ASSERT_EQUAL(tg_match_enter(m, &o, ts, &ref), TG_OK);
	return ref;
}

static bool ev_eq(const struct tg_match_event *a, const struct tg_match_event *b)
{
	return a->type == b->type && a->ts_ns == b->ts_ns && a->instrument == b->instrument &&
	       a->side == b->side && a->hidden == b->hidden && a->halted == b->halted && a->ref == b->ref &&
	       a->new_ref == b->new_ref && a->owner == b->owner && a->aggressor_ref == b->aggressor_ref &&
	       a->aggressor_owner == b->aggressor_owner && a->shares == b->shares && a->price == b->price &&
	       a->remaining == b->remaining && a->match == b->match && memcmp(a->mpid, b->mpid, 4) == 0;
}

static void ev_print(const char *what, const struct tg_match_event *e)
{
	fprintf(stderr,
		"  %s: type %d ts %" PRIu64 " inst %u side %c hid %d halt %d ref %" PRIu64 " new %" PRIu64
		" owner %" PRIu64 " aref %" PRIu64 " aowner %" PRIu64 " sh %u px %u rem %u match %" PRIu64
		" mpid %.4s\n",
		what, (int)e->type, e->ts_ns, e->instrument, e->side ? e->side : '-', e->hidden, e->halted, e->ref,
		e->new_ref, e->owner, e->aggressor_ref, e->aggressor_owner, e->shares, e->price, e->remaining,
		e->match, e->mpid);
}

/* The recorded events equal want[0..n) exactly; the recorder is emptied. */
static bool expect_events(const struct tg_match_event *want, size_t n)
{
	bool ok = rec.n == n;

	for (size_t i = 0; ok && i < n; i++)
		ok = ev_eq(&rec.ev[i], &want[i]);
	if (!ok) {
		fprintf(stderr, "\nevents differ: got %zu, want %zu\n", rec.n, n);
		for (size_t i = 0; i < rec.n && i < MAXEV; i++)
			ev_print("got ", &rec.ev[i]);
		for (size_t i = 0; i < n; i++)
			ev_print("want", &want[i]);
	}
	rec.n = 0;
	return ok;
}

#define EXPECT_EVENTS(...)                                                                        \
	do {                                                                                      \
		const struct tg_match_event want_[] = { __VA_ARGS__ };                            \
		CU_ASSERT_TRUE(expect_events(want_, sizeof(want_) / sizeof(want_[0])));            \
	} while (0)
#define EXPECT_NO_EVENTS() CU_ASSERT_EQUAL(rec.n, 0)

/* Level `index` of a side is exactly this. */
static bool level_is(struct tg_match *m, uint16_t inst, char side, unsigned index, uint32_t price, uint64_t shares,
		     uint64_t hidden, uint32_t orders)
{
	struct tg_match_level l;

	if (tg_match_level(m, inst, side, index, &l) != TG_OK)
		return false;
	return l.price == price && l.shares == shares && l.hidden_shares == hidden && l.orders == orders;
}

static unsigned levels(struct tg_match *m, uint16_t inst, char side)
{
	struct tg_match_level l;
	unsigned n = 0;

	while (tg_match_level(m, inst, side, n, &l) == TG_OK)
		n++;
	return n;
}

static uint32_t ahead(struct tg_match *m, uint64_t ref)
{
	struct tg_match_resting r;

	CU_ASSERT_EQUAL_FATAL(tg_match_order(m, ref, &r), TG_OK);
	return r.ahead;
}

#define ADD(ts_, inst_, side_, ref_, owner_, sh_, px_)                                                \
	{ .type = TG_MATCH_EV_ADD, .ts_ns = (ts_), .instrument = (inst_), .side = (side_), .ref = (ref_),  \
	  .owner = (owner_), .shares = (sh_), .price = (px_) }
#define EXEC(ts_, inst_, side_, ref_, owner_, aref_, aowner_, sh_, px_, rem_, match_)                    \
	{ .type = TG_MATCH_EV_EXECUTE, .ts_ns = (ts_), .instrument = (inst_), .side = (side_),             \
	  .ref = (ref_), .owner = (owner_), .aggressor_ref = (aref_), .aggressor_owner = (aowner_),        \
	  .shares = (sh_), .price = (px_), .remaining = (rem_), .match = (match_) }
#define CXL(ts_, inst_, side_, ref_, owner_, sh_, px_, rem_)                                            \
	{ .type = TG_MATCH_EV_CANCEL, .ts_ns = (ts_), .instrument = (inst_), .side = (side_),              \
	  .ref = (ref_), .owner = (owner_), .shares = (sh_), .price = (px_), .remaining = (rem_) }
#define EXPIRE(ts_, inst_, side_, aref_, aowner_, sh_, px_)                                             \
	{ .type = TG_MATCH_EV_EXPIRE, .ts_ns = (ts_), .instrument = (inst_), .side = (side_),              \
	  .aggressor_ref = (aref_), .aggressor_owner = (aowner_), .shares = (sh_), .price = (px_) }
#define REPL(ts_, inst_, side_, ref_, nref_, owner_, sh_, px_)                                          \
	{ .type = TG_MATCH_EV_REPLACE, .ts_ns = (ts_), .instrument = (inst_), .side = (side_),             \
	  .ref = (ref_), .new_ref = (nref_), .owner = (owner_), .shares = (sh_), .price = (px_) }

/* ---- directed tests ---- */

static void test_price_priority(void)
{
	struct tg_match *m = mk(2, 64);
	uint64_t s101 = enter(m, lim(1, 'S', 10, 1010000), 1);
	uint64_t s100 = enter(m, lim(1, 'S', 20, 1000000), 2);
	uint64_t s102 = enter(m, lim(1, 'S', 30, 1020000), 3);
	uint64_t b98 = enter(m, lim(1, 'B', 40, 980000), 4);
	uint64_t b99 = enter(m, lim(1, 'B', 50, 990000), 5);
	uint64_t a;

	CU_ASSERT_EQUAL(s101, 1);
	CU_ASSERT_EQUAL(s100, 2);
	CU_ASSERT_EQUAL(s102, 3);
	CU_ASSERT_EQUAL(b98, 4);
	CU_ASSERT_EQUAL(b99, 5);
	EXPECT_EVENTS(ADD(1, 1, 'S', 1, 1010, 10, 1010000), ADD(2, 1, 'S', 2, 1020, 20, 1000000),
		      ADD(3, 1, 'S', 3, 1030, 30, 1020000), ADD(4, 1, 'B', 4, 1040, 40, 980000),
		      ADD(5, 1, 'B', 5, 1050, 50, 990000));
	/* best first on both sides: lowest ask, highest bid */
	CU_ASSERT_TRUE(level_is(m, 1, 'S', 0, 1000000, 20, 0, 1));
	CU_ASSERT_TRUE(level_is(m, 1, 'S', 1, 1010000, 10, 0, 1));
	CU_ASSERT_TRUE(level_is(m, 1, 'S', 2, 1020000, 30, 0, 1));
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 990000, 50, 0, 1));
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 1, 980000, 40, 0, 1));
	CU_ASSERT_EQUAL(levels(m, 1, 'S'), 3);
	CU_ASSERT_EQUAL(levels(m, 1, 'B'), 2);
	CU_ASSERT_EQUAL(levels(m, 2, 'B'), 0);

	/* a buy that crosses everything takes the lowest ask first, although it came second */
	a = enter(m, lim(1, 'B', 5, 1020000), 6);
	EXPECT_EVENTS(EXEC(6, 1, 'S', s100, 1020, a, 1005, 5, 1000000, 15, 1));
	/* a sell takes the highest bid first */
	a = enter(m, lim(1, 'S', 55, 980000), 7);
	EXPECT_EVENTS(EXEC(7, 1, 'B', b99, 1050, a, 1055, 50, 990000, 0, 2),
		      EXEC(7, 1, 'B', b98, 1040, a, 1055, 5, 980000, 35, 3));
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 980000, 35, 0, 1));
	CU_ASSERT_EQUAL(levels(m, 1, 'B'), 1);
	/* instruments are separate books: this crosses nothing of instrument 1 */
	a = enter(m, lim(2, 'B', 5, 2000000), 8);
	EXPECT_EVENTS(ADD(8, 2, 'B', a, 1005, 5, 2000000));
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 5);
	tg_match_free(m);
}

static void test_time_priority(void)
{
	struct tg_match *m = mk(1, 64);
	uint64_t r1 = enter(m, lim(1, 'S', 100, 500), 1);
	uint64_t r2 = enter(m, lim(1, 'S', 101, 500), 2);
	uint64_t r3 = enter(m, lim(1, 'S', 102, 500), 3);
	uint64_t a;

	rec.n = 0;
	CU_ASSERT_EQUAL(ahead(m, r1), 0);
	CU_ASSERT_EQUAL(ahead(m, r2), 1);
	CU_ASSERT_EQUAL(ahead(m, r3), 2);
	CU_ASSERT_TRUE(level_is(m, 1, 'S', 0, 500, 303, 0, 3));
	a = enter(m, lim(1, 'B', 150, 500), 4);
	EXPECT_EVENTS(EXEC(4, 1, 'S', r1, 1100, a, 1150, 100, 500, 0, 1),
		      EXEC(4, 1, 'S', r2, 1101, a, 1150, 50, 500, 51, 2));
	CU_ASSERT_EQUAL(ahead(m, r2), 0);
	CU_ASSERT_EQUAL(ahead(m, r3), 1);
	CU_ASSERT_EQUAL(tg_match_order(m, r1, &(struct tg_match_resting){ 0 }), TG_ERR_NOENT);
	CU_ASSERT_TRUE(level_is(m, 1, 'S', 0, 500, 153, 0, 2));
	tg_match_free(m);
}

static void test_partial_fills(void)
{
	struct tg_match *m = mk(1, 64);
	uint64_t s = enter(m, lim(1, 'S', 100, 1000000), 1);
	uint64_t a;
	struct tg_match_resting r;

	rec.n = 0;
	/* the resting order is partly filled and stays, the aggressor is done */
	a = enter(m, lim(1, 'B', 30, 1000000), 2);
	EXPECT_EVENTS(EXEC(2, 1, 'S', s, 1100, a, 1030, 30, 1000000, 70, 1));
	CU_ASSERT_EQUAL(tg_match_order(m, s, &r), TG_OK);
	CU_ASSERT_EQUAL(r.shares, 70);
	CU_ASSERT_EQUAL(tg_match_order(m, a, &r), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 1);
	/* the aggressor is partly filled and its remainder rests */
	a = enter(m, lim(1, 'B', 100, 1000000), 3);
	EXPECT_EVENTS(EXEC(3, 1, 'S', s, 1100, a, 1100, 70, 1000000, 0, 2), ADD(3, 1, 'B', a, 1100, 30, 1000000));
	CU_ASSERT_EQUAL(levels(m, 1, 'S'), 0);
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 1000000, 30, 0, 1));
	CU_ASSERT_EQUAL(tg_match_order(m, a, &r), TG_OK);
	CU_ASSERT_EQUAL(r.shares, 30);
	CU_ASSERT_EQUAL(r.side, 'B');
	CU_ASSERT_EQUAL(r.owner, 1100);
	tg_match_free(m);
}

static void test_fill_at_resting_price(void)
{
	struct tg_match *m = mk(1, 64);
	uint64_t s = enter(m, lim(1, 'S', 10, 1000000), 1);
	uint64_t b = enter(m, lim(1, 'B', 10, 900000), 2);
	uint64_t a;

	rec.n = 0;
	a = enter(m, lim(1, 'B', 10, 1050000), 3);	/* pays the ask, not its limit */
	EXPECT_EVENTS(EXEC(3, 1, 'S', s, 1010, a, 1010, 10, 1000000, 0, 1));
	a = enter(m, lim(1, 'S', 10, 1), 4);	/* gets the bid, not its limit */
	EXPECT_EVENTS(EXEC(4, 1, 'B', b, 1010, a, 1010, 10, 900000, 0, 2));
	tg_match_free(m);
}

static void test_walk_levels(void)
{
	struct tg_match *m = mk(1, 64);
	uint64_t s[4], a;

	for (unsigned i = 0; i < 4; i++)
		s[i] = enter(m, lim(1, 'S', 10, 1000000 + 10000 * i), i);
	rec.n = 0;
	a = enter(m, lim(1, 'B', 35, 1020000), 9);
	EXPECT_EVENTS(EXEC(9, 1, 'S', s[0], 1010, a, 1035, 10, 1000000, 0, 1),
		      EXEC(9, 1, 'S', s[1], 1010, a, 1035, 10, 1010000, 0, 2),
		      EXEC(9, 1, 'S', s[2], 1010, a, 1035, 10, 1020000, 0, 3),
		      ADD(9, 1, 'B', a, 1035, 5, 1020000));
	CU_ASSERT_TRUE(level_is(m, 1, 'S', 0, 1030000, 10, 0, 1));
	CU_ASSERT_EQUAL(levels(m, 1, 'S'), 1);
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 1020000, 5, 0, 1));
	tg_match_free(m);
}

static void test_ioc(void)
{
	struct tg_match *m = mk(1, 64);
	struct tg_match_order o = lim(1, 'B', 25, 1000000);
	uint64_t s1 = enter(m, lim(1, 'S', 10, 1000000), 1);
	uint64_t s2 = enter(m, lim(1, 'S', 10, 1010000), 2);
	uint64_t a;

	rec.n = 0;
	o.tif = TG_MATCH_IOC;
	o.hidden = true;
	memcpy(o.mpid, "GSCO", 4);
	a = enter(m, o, 3);
	{
		struct tg_match_event x = EXPIRE(3, 1, 'B', a, 1025, 15, 1000000);

		x.hidden = true;
		memcpy(x.mpid, "GSCO", 4);
		EXPECT_EVENTS(EXEC(3, 1, 'S', s1, 1010, a, 1025, 10, 1000000, 0, 1), x);
	}
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 1);
	CU_ASSERT_EQUAL(levels(m, 1, 'B'), 0);
	CU_ASSERT_EQUAL(tg_match_order(m, a, &(struct tg_match_resting){ 0 }), TG_ERR_NOENT);
	/* an IOC filled in full expires nothing */
	o = lim(1, 'B', 4, 1010000);
	o.tif = TG_MATCH_IOC;
	a = enter(m, o, 4);
	EXPECT_EVENTS(EXEC(4, 1, 'S', s2, 1010, a, 1004, 4, 1010000, 6, 2));
	/* an IOC that crosses nothing expires whole */
	o = lim(1, 'S', 7, 1020000);
	o.tif = TG_MATCH_IOC;
	a = enter(m, o, 5);
	CU_ASSERT_EQUAL(a, 5);
	EXPECT_EVENTS(EXPIRE(5, 1, 'S', 5, 1007, 7, 1020000));
	CU_ASSERT_EQUAL(levels(m, 1, 'S'), 1);
	tg_match_free(m);
}

static void test_market(void)
{
	struct tg_match *m = mk(1, 64);
	struct tg_match_order o = lim(1, 'B', 25, 0);
	uint64_t a, s1, s2;

	/* on an empty side everything expires; price is ignored (0 is fine), and it takes a reference */
	o.type = TG_MATCH_MARKET;
	a = enter(m, o, 1);
	CU_ASSERT_EQUAL(a, 1);
	EXPECT_EVENTS(EXPIRE(1, 1, 'B', 1, 1025, 25, 0));
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 0);
	s1 = enter(m, lim(1, 'S', 10, 1000000), 2);
	s2 = enter(m, lim(1, 'S', 10, 9990000), 3);
	CU_ASSERT_EQUAL(s1, 2);
	rec.n = 0;
	/* a market order takes any price and never rests, even marked DAY with a price */
	o.tif = TG_MATCH_DAY;
	o.price = 1;
	a = enter(m, o, 4);
	EXPECT_EVENTS(EXEC(4, 1, 'S', s1, 1010, a, 1025, 10, 1000000, 0, 1),
		      EXEC(4, 1, 'S', s2, 1010, a, 1025, 10, 9990000, 0, 2), EXPIRE(4, 1, 'B', a, 1025, 5, 0));
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 0);
	CU_ASSERT_EQUAL(levels(m, 1, 'B'), 0);
	/* market sell */
	s1 = enter(m, lim(1, 'B', 10, 1), 5);
	rec.n = 0;
	o = lim(1, 'S', 3, 0);
	o.type = TG_MATCH_MARKET;
	o.tif = TG_MATCH_IOC;
	a = enter(m, o, 6);
	EXPECT_EVENTS(EXEC(6, 1, 'B', s1, 1010, a, 1003, 3, 1, 7, 3));
	tg_match_free(m);
}

static void test_day_rests(void)
{
	struct tg_match *m = mk(3, 64);
	struct tg_match_order o = lim(3, 'S', 12345, 4294967295u);
	struct tg_match_event x = ADD(77, 3, 'S', 1, 0xfedcba9876543210ull, 12345, 4294967295u);
	struct tg_match_resting r;
	uint64_t a;

	o.owner = 0xfedcba9876543210ull;
	memcpy(o.mpid, "MSCO", 4);
	memcpy(x.mpid, "MSCO", 4);
	a = enter(m, o, 77);
	EXPECT_EVENTS(x);
	CU_ASSERT_EQUAL(tg_match_order(m, a, &r), TG_OK);
	CU_ASSERT_EQUAL(r.instrument, 3);
	CU_ASSERT_EQUAL(r.side, 'S');
	CU_ASSERT_FALSE(r.hidden);
	CU_ASSERT_EQUAL(r.shares, 12345);
	CU_ASSERT_EQUAL(r.price, 4294967295u);
	CU_ASSERT_EQUAL(r.owner, 0xfedcba9876543210ull);
	CU_ASSERT_EQUAL(r.ahead, 0);
	CU_ASSERT_TRUE(level_is(m, 3, 'S', 0, 4294967295u, 12345, 0, 1));
	CU_ASSERT_EQUAL(tg_match_level(m, 3, 'S', 1, &(struct tg_match_level){ 0 }), TG_ERR_NOENT);
	tg_match_free(m);
}

static void test_hidden(void)
{
	struct tg_match *m = mk(1, 64);
	struct tg_match_order h = lim(1, 'S', 50, 1000000);
	struct tg_match_resting r;
	uint64_t hid, disp, a;

	h.hidden = true;
	hid = enter(m, h, 1);
	disp = enter(m, lim(1, 'S', 30, 1000000), 2);
	{
		struct tg_match_event x = ADD(1, 1, 'S', hid, 1050, 50, 1000000);

		x.hidden = true;
		EXPECT_EVENTS(x, ADD(2, 1, 'S', disp, 1030, 30, 1000000));
	}
	CU_ASSERT_TRUE(level_is(m, 1, 'S', 0, 1000000, 30, 50, 2));
	CU_ASSERT_EQUAL(tg_match_order(m, hid, &r), TG_OK);
	CU_ASSERT_TRUE(r.hidden);
	/* the hidden order came first and is filled first */
	a = enter(m, lim(1, 'B', 60, 1000000), 3);
	{
		struct tg_match_event x = EXEC(3, 1, 'S', hid, 1050, a, 1060, 50, 1000000, 0, 1);

		x.hidden = true;
		EXPECT_EVENTS(x, EXEC(3, 1, 'S', disp, 1030, a, 1060, 10, 1000000, 20, 2));
	}
	CU_ASSERT_TRUE(level_is(m, 1, 'S', 0, 1000000, 20, 0, 1));
	/* a level of only hidden orders is a level, with 0 displayed shares */
	h = lim(1, 'B', 40, 990000);
	h.hidden = true;
	a = enter(m, h, 4);
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 990000, 0, 40, 1));
	/* and a partial fill of a hidden order comes off the hidden total */
	rec.n = 0;
	(void)enter(m, lim(1, 'S', 15, 990000), 5);
	CU_ASSERT_EQUAL(rec.n, 1);
	CU_ASSERT_TRUE(rec.ev[0].hidden);
	CU_ASSERT_EQUAL(rec.ev[0].ref, a);
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 990000, 0, 25, 1));
	/* reduces too */
	rec.n = 0;
	CU_ASSERT_EQUAL(tg_match_reduce(m, a, 5, 6), TG_OK);
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 990000, 0, 5, 1));
	CU_ASSERT_TRUE(rec.ev[0].hidden);
	tg_match_free(m);
}

static void test_reduce(void)
{
	struct tg_match *m = mk(1, 64);
	uint64_t r1 = enter(m, lim(1, 'S', 10, 500), 1);
	uint64_t r2 = enter(m, lim(1, 'S', 20, 500), 2);
	uint64_t r3 = enter(m, lim(1, 'S', 30, 500), 3);
	uint64_t a;

	rec.n = 0;
	/* reduce keeps priority */
	CU_ASSERT_EQUAL(tg_match_reduce(m, r1, 4, 10), TG_OK);
	EXPECT_EVENTS(CXL(10, 1, 'S', r1, 1010, 6, 500, 4));
	CU_ASSERT_EQUAL(ahead(m, r1), 0);
	CU_ASSERT_TRUE(level_is(m, 1, 'S', 0, 500, 54, 0, 3));
	a = enter(m, lim(1, 'B', 7, 500), 11);
	EXPECT_EVENTS(EXEC(11, 1, 'S', r1, 1010, a, 1007, 4, 500, 0, 1),
		      EXEC(11, 1, 'S', r2, 1020, a, 1007, 3, 500, 17, 2));
	/* reduce to 0 deletes, and the refusals change nothing */
	CU_ASSERT_EQUAL(tg_match_reduce(m, r3, 30, 12), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_reduce(m, r3, 31, 12), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_reduce(m, 999, 0, 12), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(tg_match_reduce(m, r1, 0, 12), TG_ERR_NOENT);	/* filled */
	EXPECT_NO_EVENTS();
	CU_ASSERT_EQUAL(tg_match_reduce(m, r3, 0, 13), TG_OK);
	EXPECT_EVENTS(CXL(13, 1, 'S', r3, 1030, 30, 500, 0));
	CU_ASSERT_EQUAL(tg_match_order(m, r3, &(struct tg_match_resting){ 0 }), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(tg_match_reduce(m, r3, 0, 14), TG_ERR_NOENT);
	CU_ASSERT_TRUE(level_is(m, 1, 'S', 0, 500, 17, 0, 1));
	CU_ASSERT_EQUAL(tg_match_reduce(m, r2, 0, 15), TG_OK);
	CU_ASSERT_EQUAL(levels(m, 1, 'S'), 0);
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 0);
	tg_match_free(m);
}

static void test_replace_keeps_priority(void)
{
	struct tg_match *m = mk(1, 64);
	uint64_t r1 = enter(m, lim(1, 'B', 10, 500), 1);
	uint64_t r2 = enter(m, lim(1, 'B', 20, 500), 2);
	uint64_t nref = 0;

	rec.n = 0;
	CU_ASSERT_EQUAL(tg_match_replace(m, r1, 6, 500, false, 3, &nref), TG_OK);
	CU_ASSERT_EQUAL(nref, r1);
	EXPECT_EVENTS(CXL(3, 1, 'B', r1, 1010, 4, 500, 6));
	CU_ASSERT_EQUAL(ahead(m, r1), 0);
	CU_ASSERT_EQUAL(ahead(m, r2), 1);
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 500, 26, 0, 2));
	/* the same price, size and display: nothing changes */
	nref = 0;
	CU_ASSERT_EQUAL(tg_match_replace(m, r1, 6, 500, false, 4, &nref), TG_OK);
	CU_ASSERT_EQUAL(nref, r1);
	EXPECT_NO_EVENTS();
	CU_ASSERT_EQUAL(ahead(m, r1), 0);
	/* no reference number was used up */
	CU_ASSERT_EQUAL(enter(m, lim(1, 'B', 1, 400), 5), 3);
	tg_match_free(m);
}

static void test_replace_new_ref(void)
{
	struct tg_match *m = mk(1, 64);
	struct tg_match_order o = lim(1, 'B', 10, 500);
	uint64_t r1, r2, r3, n1 = 0, n2 = 0, n3 = 0;
	struct tg_match_resting r;

	memcpy(o.mpid, "ABCD", 4);
	o.owner = 7;
	r1 = enter(m, o, 1);
	r2 = enter(m, lim(1, 'B', 20, 500), 2);
	r3 = enter(m, lim(1, 'B', 30, 490), 3);
	rec.n = 0;
	/* a larger size at the same price: new reference, back of the level */
	CU_ASSERT_EQUAL(tg_match_replace(m, r1, 11, 500, false, 4, &n1), TG_OK);
	CU_ASSERT_EQUAL(n1, 4);
	{
		struct tg_match_event x = REPL(4, 1, 'B', r1, n1, 7, 11, 500);

		memcpy(x.mpid, "ABCD", 4);
		EXPECT_EVENTS(x);
	}
	CU_ASSERT_EQUAL(tg_match_order(m, r1, &r), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(ahead(m, n1), 1);
	CU_ASSERT_EQUAL(ahead(m, r2), 0);
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 500, 31, 0, 2));
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 3);
	/* a new price: new reference, back of the new level; the old level loses it */
	CU_ASSERT_EQUAL(tg_match_replace(m, r2, 5, 490, false, 5, &n2), TG_OK);
	CU_ASSERT_EQUAL(n2, 5);
	EXPECT_EVENTS(REPL(5, 1, 'B', r2, n2, 1020, 5, 490));
	CU_ASSERT_EQUAL(ahead(m, n2), 1);
	CU_ASSERT_EQUAL(ahead(m, r3), 0);
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 500, 11, 0, 1));
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 1, 490, 35, 0, 2));
	/* a change of display: new reference, and the level's totals move */
	CU_ASSERT_EQUAL(tg_match_replace(m, r3, 30, 490, true, 6, &n3), TG_OK);
	CU_ASSERT_EQUAL(n3, 6);
	{
		struct tg_match_event x = REPL(6, 1, 'B', r3, n3, 1030, 30, 490);

		x.hidden = true;
		EXPECT_EVENTS(x);
	}
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 1, 490, 5, 30, 2));
	CU_ASSERT_EQUAL(ahead(m, n3), 1);
	/* a smaller size at a new price also loses priority */
	CU_ASSERT_EQUAL(tg_match_replace(m, n2, 1, 480, false, 7, &n2), TG_OK);
	CU_ASSERT_EQUAL(n2, 7);
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 2, 480, 1, 0, 1));
	tg_match_free(m);
}

static void test_replace_matches(void)
{
	struct tg_match *m = mk(1, 64);
	uint64_t b = enter(m, lim(1, 'B', 10, 990), 1);
	uint64_t s1 = enter(m, lim(1, 'S', 4, 1000), 2);
	uint64_t s2 = enter(m, lim(1, 'S', 3, 1010), 3);
	uint64_t n = 0, n2 = 0;

	rec.n = 0;
	/* it crosses at once: REPLACE, the fills against the new reference, the rest rests, no ADD */
	CU_ASSERT_EQUAL(tg_match_replace(m, b, 10, 1000, false, 4, &n), TG_OK);
	CU_ASSERT_EQUAL(n, 4);
	EXPECT_EVENTS(REPL(4, 1, 'B', b, n, 1010, 10, 1000), EXEC(4, 1, 'S', s1, 1004, n, 1010, 4, 1000, 0, 1));
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 1000, 6, 0, 1));
	CU_ASSERT_EQUAL(levels(m, 1, 'S'), 1);
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 2);
	/* filled in full: REPLACE, the fills, then a CANCEL of the new reference */
	CU_ASSERT_EQUAL(tg_match_replace(m, n, 3, 1010, false, 5, &n2), TG_OK);
	CU_ASSERT_EQUAL(n2, 5);
	EXPECT_EVENTS(REPL(5, 1, 'B', n, n2, 1010, 3, 1010), EXEC(5, 1, 'S', s2, 1003, n2, 1010, 3, 1010, 0, 2),
		      CXL(5, 1, 'B', n2, 1010, 0, 1010, 0));
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 0);
	CU_ASSERT_EQUAL(tg_match_order(m, n2, &(struct tg_match_resting){ 0 }), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(levels(m, 1, 'B'), 0);
	CU_ASSERT_EQUAL(levels(m, 1, 'S'), 0);
	/* arguments: zero shares or price, no such order */
	b = enter(m, lim(1, 'B', 10, 990), 6);
	rec.n = 0;
	CU_ASSERT_EQUAL(tg_match_replace(m, b, 0, 990, false, 7, &n), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_replace(m, b, 5, 0, false, 7, &n), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_replace(m, b, 5, 990, false, 7, NULL), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_replace(m, 12345, 5, 990, false, 7, &n), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(tg_match_replace(m, n2, 5, 990, false, 7, &n), TG_ERR_NOENT);
	EXPECT_NO_EVENTS();
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 990, 10, 0, 1));
	tg_match_free(m);
}

static void test_halt(void)
{
	struct tg_match *m = mk(2, 64);
	uint64_t r1 = enter(m, lim(1, 'B', 10, 990), 1);
	uint64_t ref = 0, n = 0;
	struct tg_match_order o = lim(1, 'S', 10, 990);

	rec.n = 0;
	CU_ASSERT_FALSE(tg_match_halted(m, 1));
	CU_ASSERT_EQUAL(tg_match_halt(m, 1, true, 2), TG_OK);
	EXPECT_EVENTS({ .type = TG_MATCH_EV_HALT, .ts_ns = 2, .instrument = 1, .halted = true });
	CU_ASSERT_TRUE(tg_match_halted(m, 1));
	CU_ASSERT_FALSE(tg_match_halted(m, 2));
	/* no change, no event */
	CU_ASSERT_EQUAL(tg_match_halt(m, 1, true, 3), TG_OK);
	CU_ASSERT_EQUAL(tg_match_halt(m, 2, false, 3), TG_OK);
	EXPECT_NO_EVENTS();
	/* no new order, no replace (not even a reduce-like one); nothing matches, no reference used */
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 4, &ref), TG_ERR_STATE);
	o.type = TG_MATCH_MARKET;
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 4, &ref), TG_ERR_STATE);
	CU_ASSERT_EQUAL(ref, 0);
	CU_ASSERT_EQUAL(tg_match_replace(m, r1, 20, 990, false, 4, &n), TG_ERR_STATE);
	CU_ASSERT_EQUAL(tg_match_replace(m, r1, 5, 990, false, 4, &n), TG_ERR_STATE);
	CU_ASSERT_EQUAL(n, 0);
	EXPECT_NO_EVENTS();
	CU_ASSERT_TRUE(level_is(m, 1, 'B', 0, 990, 10, 0, 1));
	/* the other instrument trades */
	CU_ASSERT_EQUAL(enter(m, lim(2, 'S', 1, 5), 5), 2);
	rec.n = 0;
	/* reduces and deletes still work */
	CU_ASSERT_EQUAL(tg_match_reduce(m, r1, 4, 6), TG_OK);
	EXPECT_EVENTS(CXL(6, 1, 'B', r1, 1010, 6, 990, 4));
	/* resume */
	CU_ASSERT_EQUAL(tg_match_halt(m, 1, false, 7), TG_OK);
	EXPECT_EVENTS({ .type = TG_MATCH_EV_HALT, .ts_ns = 7, .instrument = 1, .halted = false });
	CU_ASSERT_FALSE(tg_match_halted(m, 1));
	o = lim(1, 'S', 10, 990);
	ref = enter(m, o, 8);
	CU_ASSERT_EQUAL(ref, 3);
	EXPECT_EVENTS(EXEC(8, 1, 'B', r1, 1010, 3, 1010, 4, 990, 0, 1), ADD(8, 1, 'S', 3, 1010, 6, 990));
	/* halt: bad instrument */
	CU_ASSERT_EQUAL(tg_match_halt(m, 0, true, 9), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_halt(m, 3, true, 9), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_halt(NULL, 1, true, 9), TG_ERR_ARG);
	CU_ASSERT_FALSE(tg_match_halted(m, 0));
	CU_ASSERT_FALSE(tg_match_halted(m, 3));
	CU_ASSERT_FALSE(tg_match_halted(NULL, 1));
	EXPECT_NO_EVENTS();
	tg_match_free(m);
}

static void test_invalid_arguments(void)
{
	struct tg_match *m = mk(2, 64);
	struct tg_match_config cfg = { .instruments = 2, .max_orders = 8 };
	struct tg_match *x = NULL;
	struct tg_match_order o;
	struct tg_match_level l;
	struct tg_match_resting r;
	uint64_t ref = 0, s = enter(m, lim(1, 'S', 10, 1000), 1);

	rec.n = 0;
	o = lim(0, 'B', 10, 1000);
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 2, &ref), TG_ERR_ARG);
	o = lim(3, 'B', 10, 1000);
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 2, &ref), TG_ERR_ARG);
	o = lim(1, 'X', 10, 1000);
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 2, &ref), TG_ERR_ARG);
	o = lim(1, 'b', 10, 1000);
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 2, &ref), TG_ERR_ARG);
	o = lim(1, 'B', 10, 1000);
	o.type = 2;
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 2, &ref), TG_ERR_ARG);
	o = lim(1, 'B', 10, 1000);
	o.tif = 2;
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 2, &ref), TG_ERR_ARG);
	o = lim(1, 'B', 0, 1000);
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 2, &ref), TG_ERR_ARG);
	o = lim(1, 'B', 10, 0);
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 2, &ref), TG_ERR_ARG);
	o.tif = TG_MATCH_IOC;
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 2, &ref), TG_ERR_ARG);
	o = lim(1, 'B', 0, 0);
	o.type = TG_MATCH_MARKET;
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 2, &ref), TG_ERR_ARG);
	o = lim(1, 'B', 10, 1000);
	CU_ASSERT_EQUAL(tg_match_enter(m, NULL, 2, &ref), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 2, NULL), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_enter(NULL, &o, 2, &ref), TG_ERR_ARG);
	CU_ASSERT_EQUAL(ref, 0);
	CU_ASSERT_EQUAL(tg_match_reduce(NULL, s, 0, 2), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_replace(NULL, s, 1, 1, false, 2, &ref), TG_ERR_ARG);
	EXPECT_NO_EVENTS();
	/* nothing changed: the book, the next reference number, the next match number */
	CU_ASSERT_TRUE(level_is(m, 1, 'S', 0, 1000, 10, 0, 1));
	CU_ASSERT_EQUAL(levels(m, 1, 'B'), 0);
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 1);
	o = lim(1, 'B', 1, 1000);
	CU_ASSERT_EQUAL(enter(m, o, 3), 2);
	CU_ASSERT_EQUAL(rec.ev[0].match, 1);
	/* queries */
	CU_ASSERT_EQUAL(tg_match_level(m, 0, 'S', 0, &l), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_level(m, 3, 'S', 0, &l), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_level(m, 1, 'Z', 0, &l), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_level(m, 1, 'S', 0, NULL), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_level(NULL, 1, 'S', 0, &l), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_level(m, 1, 'S', 1, &l), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(tg_match_level(m, 2, 'S', 0, &l), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(tg_match_order(m, s, NULL), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_order(NULL, s, &r), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_order(m, 0, &r), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(tg_match_resting_count(NULL), 0);
	/* configurations */
	cfg.instruments = 0;
	CU_ASSERT_EQUAL(tg_match_new(&cfg, on_event, NULL, &x), TG_ERR_ARG);
	cfg.instruments = 65536;
	CU_ASSERT_EQUAL(tg_match_new(&cfg, on_event, NULL, &x), TG_ERR_ARG);
	cfg.instruments = 65535;
	cfg.max_orders = 0;
	CU_ASSERT_EQUAL(tg_match_new(&cfg, on_event, NULL, &x), TG_ERR_ARG);
	cfg.max_orders = (1u << 31) + 1;
	CU_ASSERT_EQUAL(tg_match_new(&cfg, on_event, NULL, &x), TG_ERR_ARG);
	cfg.max_orders = 1;
	CU_ASSERT_EQUAL(tg_match_new(NULL, on_event, NULL, &x), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_match_new(&cfg, on_event, NULL, NULL), TG_ERR_ARG);
	CU_ASSERT_PTR_NULL(x);
	/* the largest instrument count, one order, no callback */
	CU_ASSERT_EQUAL_FATAL(tg_match_new(&cfg, NULL, NULL, &x), TG_OK);
	o = lim(65535, 'S', 1, 1);
	CU_ASSERT_EQUAL(tg_match_enter(x, &o, 1, &ref), TG_OK);
	CU_ASSERT_TRUE(level_is(x, 65535, 'S', 0, 1, 1, 0, 1));
	tg_match_free(x);
	tg_match_free(NULL);
	tg_match_free(m);
}

static void test_book_full(void)
{
	struct tg_match *m = mk(2, 3);
	struct tg_match_order o;
	uint64_t b1 = enter(m, lim(1, 'B', 10, 990), 1);
	uint64_t b2 = enter(m, lim(1, 'B', 10, 980), 2);
	uint64_t s1 = enter(m, lim(2, 'S', 10, 1000), 3);
	uint64_t ref = 0, a, n = 0;

	rec.n = 0;
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 3);
	/* a day order that crosses nothing: refused, nothing happened */
	o = lim(1, 'S', 10, 1000);
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 4, &ref), TG_ERR_NOMEM);
	o = lim(2, 'B', 5, 999);	/* another instrument: the pool is shared */
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 4, &ref), TG_ERR_NOMEM);
	o.hidden = true;
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 4, &ref), TG_ERR_NOMEM);
	CU_ASSERT_EQUAL(ref, 0);
	EXPECT_NO_EVENTS();
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 3);
	/* IOC and market orders never need a slot */
	o = lim(1, 'S', 5, 1000);
	o.tif = TG_MATCH_IOC;
	a = enter(m, o, 5);
	CU_ASSERT_EQUAL(a, 4);
	EXPECT_EVENTS(EXPIRE(5, 1, 'S', a, 1005, 5, 1000));
	/* a day order filled in full needs none */
	o = lim(1, 'S', 4, 990);
	a = enter(m, o, 6);
	EXPECT_EVENTS(EXEC(6, 1, 'B', b1, 1010, a, 1004, 4, 990, 6, 1));
	/* a remainder after filling whole orders rests in a slot they freed */
	o = lim(1, 'S', 20, 985);
	a = enter(m, o, 7);
	EXPECT_EVENTS(EXEC(7, 1, 'B', b1, 1010, a, 1020, 6, 990, 0, 2), ADD(7, 1, 'S', a, 1020, 14, 985));
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 3);
	/* a replace reuses the old order's slot */
	CU_ASSERT_EQUAL(tg_match_replace(m, b2, 50, 970, false, 8, &n), TG_OK);
	EXPECT_EVENTS(REPL(8, 1, 'B', b2, n, 1010, 50, 970));
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 3);
	/* delete one: room again */
	CU_ASSERT_EQUAL(tg_match_reduce(m, s1, 0, 9), TG_OK);
	o = lim(2, 'B', 5, 999);
	CU_ASSERT_EQUAL(tg_match_enter(m, &o, 10, &ref), TG_OK);
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 3);
	tg_match_free(m);
}

static void test_event_fields(void)
{
	struct tg_match *m = mk(9, 64);
	struct tg_match_order o = lim(9, 'S', 100, 2500);
	struct tg_match_event x;
	uint64_t r, a, n = 0;

	o.owner = 0x1111;
	o.hidden = true;
	memcpy(o.mpid, "NITE", 4);
	r = enter(m, o, 100);
	x = (struct tg_match_event)ADD(100, 9, 'S', r, 0x1111, 100, 2500);
	x.hidden = true;
	memcpy(x.mpid, "NITE", 4);
	EXPECT_EVENTS(x);

	o = lim(9, 'B', 30, 2600);
	o.owner = 0x2222;
	memcpy(o.mpid, "JPMS", 4);
	o.tif = TG_MATCH_IOC;
	a = enter(m, o, 101);
	x = (struct tg_match_event)EXEC(101, 9, 'S', r, 0x1111, a, 0x2222, 30, 2500, 70, 1);
	x.hidden = true;
	memcpy(x.mpid, "NITE", 4);	/* the resting order's */
	EXPECT_EVENTS(x);

	CU_ASSERT_EQUAL(tg_match_reduce(m, r, 60, 102), TG_OK);
	x = (struct tg_match_event)CXL(102, 9, 'S', r, 0x1111, 10, 2500, 60);
	x.hidden = true;
	memcpy(x.mpid, "NITE", 4);
	EXPECT_EVENTS(x);

	CU_ASSERT_EQUAL(tg_match_replace(m, r, 61, 2400, false, 103, &n), TG_OK);
	x = (struct tg_match_event)REPL(103, 9, 'S', r, n, 0x1111, 61, 2400);
	memcpy(x.mpid, "NITE", 4);
	EXPECT_EVENTS(x);

	o = lim(9, 'B', 70, 0);
	o.type = TG_MATCH_MARKET;
	o.owner = 0x3333;
	memcpy(o.mpid, "VIRT", 4);
	a = enter(m, o, 104);
	{
		struct tg_match_event e1 = EXEC(104, 9, 'S', n, 0x1111, a, 0x3333, 61, 2400, 0, 2);
		struct tg_match_event e2 = EXPIRE(104, 9, 'B', a, 0x3333, 9, 0);

		memcpy(e1.mpid, "NITE", 4);
		memcpy(e2.mpid, "VIRT", 4);
		EXPECT_EVENTS(e1, e2);
	}
	CU_ASSERT_EQUAL(tg_match_halt(m, 9, true, 105), TG_OK);
	EXPECT_EVENTS({ .type = TG_MATCH_EV_HALT, .ts_ns = 105, .instrument = 9, .halted = true });
	tg_match_free(m);
}

static void test_callback_rules(void)
{
	struct tg_match *m = mk(1, 64);
	uint64_t s = enter(m, lim(1, 'S', 10, 1000), 1);

	rec.m = m;
	rec.query_in_cb = true;
	rec.n = 0;
	(void)enter(m, lim(1, 'B', 4, 1000), 2);
	/* the engine refuses to be called back into, and the queries see the fill already made */
	CU_ASSERT_EQUAL(rec.n, 1);
	for (unsigned i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(rec.reentry_rc[i], TG_ERR_STATE);
	CU_ASSERT_EQUAL(rec.level_rc_in_cb, TG_OK);
	CU_ASSERT_EQUAL(rec.level_in_cb.shares, 6);
	CU_ASSERT_EQUAL(rec.count_in_cb, 1);
	rec.n = 0;
	CU_ASSERT_EQUAL(tg_match_reduce(m, s, 0, 3), TG_OK);
	CU_ASSERT_EQUAL(rec.level_rc_in_cb, TG_ERR_NOENT);
	CU_ASSERT_EQUAL(rec.count_in_cb, 0);
	rec.query_in_cb = false;
	/* nothing of the refused calls happened */
	CU_ASSERT_FALSE(tg_match_halted(m, 1));
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 0);
	CU_ASSERT_EQUAL(enter(m, lim(1, 'B', 1, 1), 4), 3);
	tg_match_free(m);
}

/* Many levels and orders: the level arrays grow, the hash chains hold. */
static void test_many_levels(void)
{
	struct tg_match *m = mk(1, 20000);
	uint64_t a;

	for (uint32_t i = 0; i < 10000; i++) {
		/* prices in a scrambled order */
		uint32_t px = 100000 + (i * 7919u) % 10000;

		(void)enter(m, lim(1, 'S', 1 + i % 3, px), i);
	}
	CU_ASSERT_EQUAL(levels(m, 1, 'S'), 10000);
	/* level k holds the one order i with i * 7919 % 10000 == k, of 1 + i % 3 shares */
	for (uint32_t i = 0; i < 10000; i += 97) {
		uint32_t k = (i * 7919u) % 10000;

		CU_ASSERT_TRUE(level_is(m, 1, 'S', k, 100000 + k, 1 + i % 3, 0, 1));
	}
	rec.n = 0;
	a = enter(m, lim(1, 'B', 20000, 109999), 20000);
	CU_ASSERT_EQUAL(rec.n, 10001);	/* every order (19,999 shares), best price first, then the ADD */
	for (size_t i = 1; i < rec.n && i < MAXEV; i++)
		CU_ASSERT_TRUE(rec.ev[i].price > rec.ev[i - 1].price);
	CU_ASSERT_EQUAL(tg_match_resting_count(m), 1);
	CU_ASSERT_EQUAL(tg_match_order(m, a, &(struct tg_match_resting){ 0 }), TG_OK);
	tg_match_free(m);
}

/* ---- the naive reference book ---- */

struct nord {
	uint64_t ref, owner, seq;
	uint32_t price, shares;
	uint16_t inst;
	char side;
	bool hidden;
	char mpid[4];
};

struct naive {
	unsigned ninst;
	uint32_t max;
	struct nord *o;	/* live orders, in no particular order */
	size_t n;
	bool halted[16];
	uint64_t last_ref, last_match, seq;
	struct tg_match_event *ev;
	size_t nev;
};

static void naive_emit(struct naive *b, const struct tg_match_event *e)
{
	if (b->nev < MAXEV)
		b->ev[b->nev] = *e;
	b->nev++;
}

static bool better(char side, uint32_t a, uint32_t b)
{
	return side == 'B' ? a > b : a < b;
}

/* The next resting order an incoming order of `side` meets: best price, then oldest. -1: none. */
static long naive_best(const struct naive *b, uint16_t inst, char side, bool market, uint32_t limit)
{
	char other = side == 'B' ? 'S' : 'B';
	long best = -1;

	for (size_t i = 0; i < b->n; i++) {
		const struct nord *o = &b->o[i];

		if (o->inst != inst || o->side != other)
			continue;
		if (!market && (side == 'B' ? o->price > limit : o->price < limit))
			continue;
		if (best < 0 || better(other, o->price, b->o[best].price) ||
		    (o->price == b->o[best].price && o->seq < b->o[best].seq))
			best = (long)i;
	}
	return best;
}

static uint32_t naive_match(struct naive *b, uint16_t inst, char side, bool market, uint32_t limit,
			    uint32_t shares, uint64_t aref, uint64_t aowner, uint64_t ts)
{
	long i;

	while (shares > 0 && (i = naive_best(b, inst, side, market, limit)) >= 0) {
		struct nord *o = &b->o[i];
		uint32_t fill = o->shares < shares ? o->shares : shares;
		struct tg_match_event e = {
			.type = TG_MATCH_EV_EXECUTE, .ts_ns = ts, .instrument = inst, .side = o->side,
			.hidden = o->hidden, .ref = o->ref, .owner = o->owner, .aggressor_ref = aref,
			.aggressor_owner = aowner, .shares = fill, .price = o->price,
			.remaining = o->shares - fill, .match = ++b->last_match,
		};

		memcpy(e.mpid, o->mpid, 4);
		naive_emit(b, &e);
		shares -= fill;
		o->shares -= fill;
		if (o->shares == 0)
			b->o[i] = b->o[--b->n];
	}
	return shares;
}

static long naive_find(const struct naive *b, uint64_t ref)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->o[i].ref == ref)
			return (long)i;
	return -1;
}

static void naive_push(struct naive *b, uint16_t inst, char side, uint32_t price, uint32_t shares, bool hidden,
		       const char *mpid, uint64_t owner, uint64_t ref)
{
	struct nord *o = &b->o[b->n++];

	o->ref = ref;
	o->owner = owner;
	o->seq = ++b->seq;
	o->price = price;
	o->shares = shares;
	o->inst = inst;
	o->side = side;
	o->hidden = hidden;
	memcpy(o->mpid, mpid, 4);
}

static int naive_enter(struct naive *b, const struct tg_match_order *o, uint64_t ts, uint64_t *ref)
{
	bool market, rests;
	uint64_t r;
	uint32_t left;
	size_t n0 = b->n, nev0 = b->nev;
	uint64_t match0 = b->last_match;
	struct nord *copy = NULL;

	if (o->instrument < 1 || o->instrument > b->ninst || (o->side != 'B' && o->side != 'S') || o->type > 1 ||
	    o->tif > 1 || o->shares == 0 || (o->type == TG_MATCH_LIMIT && o->price == 0))
		return TG_ERR_ARG;
	if (b->halted[o->instrument])
		return TG_ERR_STATE;
	market = o->type == TG_MATCH_MARKET;
	rests = !market && o->tif == TG_MATCH_DAY;
	if (rests) {
		/* try it on a copy of everything; put it back if the remainder finds no room */
		copy = malloc((n0 + 1) * sizeof(*copy));
		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, b->o, n0 * sizeof(*copy));
	}
	r = b->last_ref + 1;
	left = naive_match(b, o->instrument, o->side, market, o->price, o->shares, r, o->owner, ts);
	if (left > 0 && rests && b->n >= b->max) {
		memcpy(b->o, copy, n0 * sizeof(*copy));
		b->n = n0;
		b->nev = nev0;
		b->last_match = match0;
		free(copy);
		return TG_ERR_NOMEM;
	}
	free(copy);
	b->last_ref = r;
	*ref = r;
	if (left > 0) {
		struct tg_match_event e = {
			.ts_ns = ts, .instrument = o->instrument, .side = o->side, .hidden = o->hidden, .shares = left,
			.price = market ? 0 : o->price,
		};

		memcpy(e.mpid, o->mpid, 4);
		if (rests) {
			naive_push(b, o->instrument, o->side, o->price, left, o->hidden, o->mpid, o->owner, r);
			e.type = TG_MATCH_EV_ADD;
			e.ref = r;
			e.owner = o->owner;
		} else {
			e.type = TG_MATCH_EV_EXPIRE;
			e.aggressor_ref = r;
			e.aggressor_owner = o->owner;
		}
		naive_emit(b, &e);
	}
	return TG_OK;
}

static void naive_cut(struct naive *b, long i, uint32_t shares, uint64_t ts)
{
	struct nord *o = &b->o[i];
	struct tg_match_event e = {
		.type = TG_MATCH_EV_CANCEL, .ts_ns = ts, .instrument = o->inst, .side = o->side, .hidden = o->hidden,
		.ref = o->ref, .owner = o->owner, .shares = o->shares - shares, .price = o->price,
		.remaining = shares,
	};

	memcpy(e.mpid, o->mpid, 4);
	o->shares = shares;
	if (shares == 0)
		b->o[i] = b->o[--b->n];
	naive_emit(b, &e);
}

static int naive_reduce(struct naive *b, uint64_t ref, uint32_t shares, uint64_t ts)
{
	long i = naive_find(b, ref);

	if (i < 0)
		return TG_ERR_NOENT;
	if (shares >= b->o[i].shares)
		return TG_ERR_ARG;
	naive_cut(b, i, shares, ts);
	return TG_OK;
}

static int naive_replace(struct naive *b, uint64_t ref, uint32_t shares, uint32_t price, bool hidden, uint64_t ts,
			 uint64_t *new_ref)
{
	long i;
	struct nord old;
	uint32_t left;
	uint64_t r;

	if (shares == 0 || price == 0)
		return TG_ERR_ARG;
	i = naive_find(b, ref);
	if (i < 0)
		return TG_ERR_NOENT;
	old = b->o[i];
	if (b->halted[old.inst])
		return TG_ERR_STATE;
	if (price == old.price && hidden == old.hidden && shares <= old.shares) {
		if (shares < old.shares)
			naive_cut(b, i, shares, ts);
		*new_ref = ref;
		return TG_OK;
	}
	b->o[i] = b->o[--b->n];
	r = ++b->last_ref;
	*new_ref = r;
	{
		struct tg_match_event e = {
			.type = TG_MATCH_EV_REPLACE, .ts_ns = ts, .instrument = old.inst, .side = old.side,
			.hidden = hidden, .ref = ref, .new_ref = r, .owner = old.owner, .shares = shares,
			.price = price,
		};

		memcpy(e.mpid, old.mpid, 4);
		naive_emit(b, &e);
	}
	left = naive_match(b, old.inst, old.side, false, price, shares, r, old.owner, ts);
	if (left > 0) {
		naive_push(b, old.inst, old.side, price, left, hidden, old.mpid, old.owner, r);
	} else {
		struct tg_match_event e = {
			.type = TG_MATCH_EV_CANCEL, .ts_ns = ts, .instrument = old.inst, .side = old.side,
			.hidden = hidden, .ref = r, .owner = old.owner, .price = price,
		};

		memcpy(e.mpid, old.mpid, 4);
		naive_emit(b, &e);
	}
	return TG_OK;
}

static int naive_halt(struct naive *b, uint16_t inst, bool halted, uint64_t ts)
{
	if (inst < 1 || inst > b->ninst)
		return TG_ERR_ARG;
	if (b->halted[inst] != halted) {
		struct tg_match_event e = { .type = TG_MATCH_EV_HALT, .ts_ns = ts, .instrument = inst, .halted = halted };

		b->halted[inst] = halted;
		naive_emit(b, &e);
	}
	return TG_OK;
}

static int cmp_nord_price(const void *a, const void *b)
{
	uint32_t x = ((const struct nord *)a)->price, y = ((const struct nord *)b)->price;

	return (x > y) - (x < y);
}

/*
 * The depth of one side, best first, by brute force: a copy of the side's
 * orders sorted by price, runs of one price summed. Returns the number of
 * levels.
 */
static unsigned naive_depth(const struct naive *b, uint16_t inst, char side, struct tg_match_level *out, unsigned max)
{
	static struct nord tmp[1u << 16];
	size_t np = 0;
	unsigned n = 0;

	for (size_t i = 0; i < b->n && np < sizeof(tmp) / sizeof(tmp[0]); i++)
		if (b->o[i].inst == inst && b->o[i].side == side)
			tmp[np++] = b->o[i];
	qsort(tmp, np, sizeof(tmp[0]), cmp_nord_price);
	for (size_t k = 0; k < np; k++) {
		const struct nord *o = &tmp[side == 'B' ? np - 1 - k : k];

		if (n == 0 || out[n - 1].price != o->price) {
			if (n == max)
				break;
			out[n++] = (struct tg_match_level){ .price = o->price };
		}
		if (o->hidden)
			out[n - 1].hidden_shares += o->shares;
		else
			out[n - 1].shares += o->shares;
		out[n - 1].orders++;
	}
	return n;
}

/* ---- the differential test ---- */

#define DIFF_INST 3
#define DIFF_MAXLV 512

struct diff_stats {
	unsigned long ops, enters, execs, adds, expires, cancels, replaces, new_ref_replaces, halts, nomem, state,
		arg, noent, replace_cancel, max_levels;
};

static bool depth_equal(struct tg_match *m, const struct naive *b, struct diff_stats *st)
{
	static struct tg_match_level want[DIFF_MAXLV];

	for (uint16_t inst = 1; inst <= b->ninst + 1; inst++) {
		for (unsigned s = 0; s < 2; s++) {
			char side = s ? 'S' : 'B';
			unsigned n = inst <= b->ninst ? naive_depth(b, inst, side, want, DIFF_MAXLV) : 0;
			struct tg_match_level got;

			if (n > st->max_levels)
				st->max_levels = n;
			for (unsigned k = 0; k < n; k++) {
				if (tg_match_level(m, inst, side, k, &got) != TG_OK || got.price != want[k].price ||
				    got.shares != want[k].shares || got.hidden_shares != want[k].hidden_shares ||
				    got.orders != want[k].orders) {
					fprintf(stderr, "\ndepth differs: inst %u side %c level %u\n", inst, side, k);
					return false;
				}
			}
			if (tg_match_level(m, inst, side, n, &got) != (inst <= b->ninst ? TG_ERR_NOENT : TG_ERR_ARG)) {
				fprintf(stderr, "\ndepth differs: inst %u side %c has more than %u levels\n", inst, side,
					n);
				return false;
			}
		}
	}
	return tg_match_resting_count(m) == b->n;
}

static bool order_equal(struct tg_match *m, const struct naive *b, size_t i)
{
	const struct nord *o = &b->o[i];
	struct tg_match_resting r;
	uint32_t ahead_n = 0;

	for (size_t j = 0; j < b->n; j++)
		if (b->o[j].inst == o->inst && b->o[j].side == o->side && b->o[j].price == o->price &&
		    b->o[j].seq < o->seq)
			ahead_n++;
	return tg_match_order(m, o->ref, &r) == TG_OK && r.instrument == o->inst && r.side == o->side &&
	       r.hidden == o->hidden && r.shares == o->shares && r.price == o->price && r.owner == o->owner &&
	       r.ahead == ahead_n;
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: the same stream on every machine */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static const char mpids[3][4] = { { 0, 0, 0, 0 }, { 'A', 'B', 'C', 'D' }, { 'X', 'Y', 'Z', 0 } };

/* A random order: mostly valid, prices around a mid per instrument so that some cross. */
static struct tg_match_order random_order(void)
{
	struct tg_match_order o = { 0 };
	uint32_t mid;

	o.instrument = (uint16_t)(1 + below(DIFF_INST));
	mid = 1000u + 100u * o.instrument;
	o.side = below(2) ? 'B' : 'S';
	o.type = below(100) < 6 ? TG_MATCH_MARKET : TG_MATCH_LIMIT;
	o.tif = below(100) < 15 ? TG_MATCH_IOC : TG_MATCH_DAY;
	o.hidden = below(100) < 15;
	o.shares = below(100) < 80 ? 1 + below(300) : 1 + below(3000);
	/* buys mostly below the mid, sells mostly above; about one in five crosses */
	o.price = o.side == 'B' ? mid - 20 + below(26) : mid - 5 + below(26);
	memcpy(o.mpid, mpids[below(3)], 4);
	o.owner = rnd();
	switch (below(400)) {
	case 0: o.instrument = 0; break;
	case 1: o.instrument = DIFF_INST + 1; break;
	case 2: o.side = 'Q'; break;
	case 3: o.type = 7; break;
	case 4: o.tif = 9; break;
	case 5: o.shares = 0; break;
	case 6: o.price = 0; break;
	default: break;
	}
	return o;
}

static void run_differential(uint64_t seed, unsigned long nops, uint32_t max_orders, size_t soft,
			     struct diff_stats *st)
{
	struct tg_match *m = mk(DIFF_INST, max_orders);
	struct naive b = { .ninst = DIFF_INST, .max = max_orders };
	unsigned long failures = 0;

	b.o = calloc(max_orders + 1, sizeof(*b.o));
	b.ev = calloc(MAXEV, sizeof(*b.ev));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b.o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b.ev);
	rng_state = seed;
	for (unsigned long k = 0; k < nops && failures < 5; k++) {
		uint64_t ts = 1000 + k, r1 = 0, r2 = 0;
		uint32_t p = below(1000);
		bool crowded = b.n > soft;
		int rc1, rc2;
		const char *what;

		rec.n = 0;
		b.nev = 0;
		/* fewer enters and more deletes over the soft size, so that the book breathes around it */
		if (p < (crowded ? 300u : 450u)) {
			struct tg_match_order o = random_order();

			what = "enter";
			rc1 = tg_match_enter(m, &o, ts, &r1);
			rc2 = naive_enter(&b, &o, ts, &r2);
			st->enters++;
		} else if (p < 700) {
			uint64_t ref = b.n > 0 && below(50) ? b.o[below((uint32_t)b.n)].ref : rnd() % (b.last_ref + 2);
			long i = naive_find(&b, ref);
			uint32_t cur = i >= 0 ? b.o[i].shares : 100;
			/* a delete one time in three, two in three over the soft size; else any size, valid or not */
			uint32_t sh = below(3) < (crowded ? 2u : 1u) ? 0 : below(cur + 2);

			what = "reduce";
			rc1 = tg_match_reduce(m, ref, sh, ts);
			rc2 = naive_reduce(&b, ref, sh, ts);
		} else if (p < 995) {
			uint64_t ref = b.n > 0 && below(50) ? b.o[below((uint32_t)b.n)].ref : rnd() % (b.last_ref + 2);
			long i = naive_find(&b, ref);
			uint32_t cur = i >= 0 ? b.o[i].shares : 100, px = i >= 0 ? b.o[i].price : 1000;
			bool hid = i >= 0 ? b.o[i].hidden : false;
			uint32_t sh = cur, nprice = px;

			switch (below(8)) {
			case 0: sh = 1 + below(cur); break;	/* same price, size down or same */
			case 1: sh = cur + 1 + below(200); break;	/* larger */
			case 2: nprice = px - 15 + below(31); break;	/* new price, may cross */
			case 3: nprice = px - 15 + below(31); sh = 1 + below(cur * 2); break;
			case 4: hid = !hid; break;
			case 5: sh = below(20) ? sh : 0; nprice = below(20) ? nprice : 0; break;
			default: nprice = px - 30 + below(61); sh = 1 + below(400); hid = below(6) == 0; break;
			}
			if (nprice == 0 && px < 30)
				nprice = 1;
			what = "replace";
			rc1 = tg_match_replace(m, ref, sh, nprice, hid, ts, &r1);
			rc2 = naive_replace(&b, ref, sh, nprice, hid, ts, &r2);
			st->replaces++;
			if (rc2 == TG_OK && r2 != ref)
				st->new_ref_replaces++;
		} else {
			uint16_t inst = (uint16_t)below(DIFF_INST + 2);
			/* halted one time in ten: a halt mostly resumes soon, and some calls change nothing */
			bool h = below(10) == 0;

			what = "halt";
			rc1 = tg_match_halt(m, inst, h, ts);
			rc2 = naive_halt(&b, inst, h, ts);
			st->halts++;
		}
		st->ops++;
		st->nomem += rc2 == TG_ERR_NOMEM;
		st->state += rc2 == TG_ERR_STATE;
		st->arg += rc2 == TG_ERR_ARG;
		st->noent += rc2 == TG_ERR_NOENT;
		for (size_t e = 0; e < b.nev && e < MAXEV; e++) {
			st->execs += b.ev[e].type == TG_MATCH_EV_EXECUTE;
			st->adds += b.ev[e].type == TG_MATCH_EV_ADD;
			st->expires += b.ev[e].type == TG_MATCH_EV_EXPIRE;
			st->cancels += b.ev[e].type == TG_MATCH_EV_CANCEL;
			st->replace_cancel += b.ev[e].type == TG_MATCH_EV_CANCEL && e > 0 &&
					      b.ev[0].type == TG_MATCH_EV_REPLACE;
		}

		bool ok = rc1 == rc2 && r1 == r2 && rec.n == b.nev && b.nev <= MAXEV;

		for (size_t e = 0; ok && e < b.nev; e++)
			ok = ev_eq(&rec.ev[e], &b.ev[e]);
		if (ok)
			ok = depth_equal(m, &b, st);
		if (ok && (k % 64 == 0 || b.n < 8)) {
			for (size_t i = 0; ok && i < b.n; i++)
				ok = order_equal(m, &b, i);
		} else if (ok && b.n > 0) {
			ok = order_equal(m, &b, below((uint32_t)b.n));
		}
		if (!ok) {
			failures++;
			fprintf(stderr, "\nseed %" PRIu64 " op %lu (%s): rc %d/%d ref %" PRIu64 "/%" PRIu64
				" events %zu/%zu\n", seed, k, what, rc1, rc2, r1, r2, rec.n, b.nev);
			for (size_t e = 0; e < rec.n && e < MAXEV; e++)
				ev_print("engine", &rec.ev[e]);
			for (size_t e = 0; e < b.nev && e < MAXEV; e++)
				ev_print("naive ", &b.ev[e]);
		}
		CU_ASSERT_TRUE(ok);
	}
	free(b.o);
	free(b.ev);
	tg_match_free(m);
}

static void print_stats(const char *name, const struct diff_stats *st)
{
	fprintf(stderr,
		"\n  %s: %lu ops: %lu enters, %lu executions, %lu adds, %lu expires, %lu cancels, %lu replaces "
		"(%lu new ref, %lu filled in full), %lu halts; refused: %lu NOMEM, %lu STATE, %lu ARG, "
		"%lu NOENT; at most %lu levels a side\n",
		name, st->ops, st->enters, st->execs, st->adds, st->expires, st->cancels, st->replaces,
		st->new_ref_replaces, st->replace_cancel, st->halts, st->nomem, st->state, st->arg, st->noent,
		st->max_levels);
}

/* A small pool: the book is full often, so the full-book rule is exercised both ways. */
static void test_differential_full_book(void)
{
	struct diff_stats st = { 0 };

	run_differential(0x5eed0001ull, 100000, 120, 116, &st);
	print_stats("small pool", &st);
	/* the stream really covered what it claims to */
	CU_ASSERT_TRUE(st.nomem > 100);
	CU_ASSERT_TRUE(st.execs > 1000);
	CU_ASSERT_TRUE(st.replace_cancel > 10);
	CU_ASSERT_TRUE(st.state > 100);
}

/* A large pool: deep books, never full. */
static void test_differential_deep_book(void)
{
	struct diff_stats st = { 0 };

	run_differential(0x5eed0002ull, 100000, 1u << 20, 600, &st);
	print_stats("large pool", &st);
	CU_ASSERT_EQUAL(st.nomem, 0);
	CU_ASSERT_TRUE(st.execs > 1000);
	CU_ASSERT_TRUE(st.expires > 1000);
	CU_ASSERT_TRUE(st.new_ref_replaces > 1000);
	CU_ASSERT_TRUE(st.replace_cancel > 10);
	CU_ASSERT_TRUE(st.max_levels > 20);
}

static const struct tg_cunit_test tests[] = {
	{ "price priority, best level first", test_price_priority },
	{ "time priority within a level", test_time_priority },
	{ "partial fills, resting and aggressor", test_partial_fills },
	{ "fills at the resting price", test_fill_at_resting_price },
	{ "a limit walks several levels", test_walk_levels },
	{ "IOC remainder expires", test_ioc },
	{ "market orders never rest", test_market },
	{ "day order rests", test_day_rests },
	{ "hidden orders match, not displayed", test_hidden },
	{ "reduce keeps priority, 0 deletes", test_reduce },
	{ "replace down at the same price keeps ref and priority", test_replace_keeps_priority },
	{ "replace at a new price or size takes a new ref", test_replace_new_ref },
	{ "replace that crosses matches at once", test_replace_matches },
	{ "halts", test_halt },
	{ "invalid arguments change nothing", test_invalid_arguments },
	{ "book full", test_book_full },
	{ "event fields", test_event_fields },
	{ "callback: no reentry, queries see the change", test_callback_rules },
	{ "many levels", test_many_levels },
	{ "differential: small pool (full book)", test_differential_full_book },
	{ "differential: large pool (deep book)", test_differential_deep_book },
};

int main(void)
{
	return tg_cunit_run("match", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
