/*
 * Unit tests of the C order book (sw/book.c).
 *
 * The differential test drives a seeded random ITCH stream through the book
 * and, after every message, recomputes the top of book of each instrument
 * by brute force from the list of live orders kept here: a BBO event must
 * come exactly when that top changed, with its values, and every execution
 * must produce a trade at the resting order's price.
 */
#include <stdlib.h>
#include <string.h>

#include "tg_cunit.h"
#include "tickgate/book.h"
#include "tickgate/itch50.h"

#define NINST 4
#define MAXLIVE 1024

struct live {
	uint64_t ref;
	uint16_t loc;
	char side;
	uint32_t price, shares;
};

static struct live orders[MAXLIVE];
static unsigned nlive;
static struct tg_book_event last_ev[8];
static unsigned nev;

static void on_event(void *ctx, const struct tg_book_event *ev)
{
	(void)ctx;
	if (nev < 8)
		last_ev[nev] = *ev;
	nev++;
}

static void be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static size_t hdr(uint8_t *m, char type, uint16_t loc, uint64_t ts)
{
	const struct tg_itch_type *t = tg_itch_type((uint8_t)type);

	memset(m, ' ', t->length);
	m[0] = (uint8_t)type;
	be(m + 1, loc, 2);
	be(m + 3, 0, 2);
	be(m + 5, ts, 6);
	return t->length;
}

static size_t msg_add(uint8_t *m, uint16_t loc, uint64_t ref, char side, uint32_t sh, uint32_t px)
{
	size_t n = hdr(m, 'A', loc, 1);

	be(m + 11, ref, 8);
	m[19] = (uint8_t)side;
	be(m + 20, sh, 4);
	memcpy(m + 24, "TEST    ", 8);
	be(m + 32, px, 4);
	return n;
}

static size_t msg_ref(uint8_t *m, char type, uint16_t loc, uint64_t ref, uint32_t sh)
{
	size_t n = hdr(m, type, loc, 2);

	be(m + 11, ref, 8);
	if (type == 'E' || type == 'C' || type == 'X')
		be(m + 19, sh, 4);
	if (type == 'E' || type == 'C')
		be(m + 23, 777, 8);
	if (type == 'C') {
		m[31] = 'Y';
		be(m + 32, 123400, 4);
	}
	return n;
}

static size_t msg_replace(uint8_t *m, uint16_t loc, uint64_t old, uint64_t nref, uint32_t sh, uint32_t px)
{
	size_t n = hdr(m, 'U', loc, 3);

	be(m + 11, old, 8);
	be(m + 19, nref, 8);
	be(m + 27, sh, 4);
	be(m + 31, px, 4);
	return n;
}

static void top(uint16_t loc, uint32_t out[4])
{
	uint64_t bsz = 0, asz = 0;
	uint32_t bpx = 0, apx = 0;
	bool have_b = false, have_a = false;

	for (unsigned i = 0; i < nlive; i++) {
		const struct live *o = &orders[i];

		if (o->loc != loc)
			continue;
		if (o->side == 'B' && (!have_b || o->price > bpx)) {
			bpx = o->price;
			have_b = true;
		}
		if (o->side == 'S' && (!have_a || o->price < apx)) {
			apx = o->price;
			have_a = true;
		}
	}
	for (unsigned i = 0; i < nlive; i++) {
		const struct live *o = &orders[i];

		if (o->loc == loc && o->side == 'B' && o->price == bpx)
			bsz += o->shares;
		if (o->loc == loc && o->side == 'S' && o->price == apx)
			asz += o->shares;
	}
	out[0] = bsz ? bpx : 0;
	out[1] = (uint32_t)bsz;
	out[2] = asz ? apx : 0;
	out[3] = (uint32_t)asz;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * depth 0: every top change gives exactly one BBO event with the brute-force
 * values. depth > 0 (prices span 8 levels a side, so sides truncate): the
 * last BBO event of an instrument always shows the brute-force top of each
 * side, unless it flags that side unknown, and then the side has orders.
 */
static void differential_random_stream(unsigned depth)
{
	struct tg_book_config cfg = { .order_capacity_log2 = 14, .ways = 16, .depth = depth };
	struct tg_book *b;
	uint64_t s = 0x9e3779b97f4a7c15ull, next_ref = 1;
	uint32_t prev[NINST][4];
	struct tg_book_event shown[NINST];
	unsigned unknown_seen = 0;
	uint8_t m[64];
	unsigned bbo_checked = 0, trades = 0;

	CU_ASSERT_EQUAL_FATAL(tg_book_new(&cfg, on_event, NULL, &b), TG_OK);
	for (uint16_t l = 1; l <= NINST; l++)
		CU_ASSERT_EQUAL(tg_book_subscribe_locate(b, l), TG_OK);
	memset(prev, 0, sizeof(prev));
	memset(shown, 0, sizeof(shown));
	nlive = 0;
	for (unsigned step = 0; step < 100000; step++) {
		uint64_t r = rnd(&s);
		unsigned action = (unsigned)(r % 100);
		uint16_t loc = (uint16_t)(1 + (r >> 8) % NINST);
		size_t len;
		int idx = nlive ? (int)((r >> 20) % nlive) : -1;
		int removed = -1;
		char exec_side = 0;
		uint32_t exec_px = 0, exec_sh = 0;

		if (action < 30 || idx < 0) {
			if (nlive == MAXLIVE)
				continue;
			char side = (r >> 30) & 1 ? 'B' : 'S';
			/* bids below 100.0000, asks above: a book that never crosses */
			uint32_t px = side == 'B' ? 990000 - (uint32_t)((r >> 32) % 8) * 100
						  : 1010000 + (uint32_t)((r >> 32) % 8) * 100;
			uint32_t sh = 1 + (uint32_t)((r >> 40) % 500);

			len = msg_add(m, loc, next_ref, side, sh, px);
			orders[nlive++] = (struct live){ next_ref++, loc, side, px, sh };
		} else if (action < 55) {
			struct live *o = &orders[idx];
			uint32_t sh = 1 + (uint32_t)((r >> 40) % (o->shares + 50));

			len = msg_ref(m, (r >> 50) & 1 ? 'E' : 'C', o->loc, o->ref, sh);
			exec_side = o->side;
			exec_px = m[0] == 'C' ? 123400 : o->price;
			exec_sh = sh;
			loc = o->loc;
			if (sh >= o->shares)
				removed = idx;
			else
				o->shares -= sh;
		} else if (action < 70) {
			struct live *o = &orders[idx];
			uint32_t sh = 1 + (uint32_t)((r >> 40) % (o->shares + 10));

			len = msg_ref(m, 'X', o->loc, o->ref, sh);
			loc = o->loc;
			if (sh >= o->shares)
				removed = idx;
			else
				o->shares -= sh;
		} else if (action < 88) {
			len = msg_ref(m, 'D', orders[idx].loc, orders[idx].ref, 0);
			loc = orders[idx].loc;
			removed = idx;
		} else if (action < 96) {
			struct live *o = &orders[idx];
			uint32_t px = o->side == 'B' ? 990000 - (uint32_t)((r >> 32) % 8) * 100
						     : 1010000 + (uint32_t)((r >> 32) % 8) * 100;
			uint32_t sh = 1 + (uint32_t)((r >> 44) % 500);

			len = msg_replace(m, o->loc, o->ref, next_ref, sh, px);
			loc = o->loc;
			o->ref = next_ref++;
			o->price = px;
			o->shares = sh;
		} else {
			/* a reference the book never saw: ignored */
			len = msg_ref(m, "EXDC"[(r >> 40) % 4], loc, 1ull << 60 | step, 5);
		}
		if (removed >= 0)
			orders[removed] = orders[--nlive];
		nev = 0;
		tg_book_apply(b, m, len, step);

		uint32_t now[4];
		unsigned want_events = 0;

		top(loc, now);
		if (memcmp(now, prev[loc - 1], sizeof(now)) != 0)
			want_events++;
		if (exec_side)
			want_events++;
		CU_ASSERT(depth != 0 || nev == want_events);
		for (unsigned k = 0; k < nev && k < 8; k++) {
			if (last_ev[k].type == TG_BOOK_EV_BBO) {
				CU_ASSERT_EQUAL(last_ev[k].locate, loc);
				CU_ASSERT_EQUAL(last_ev[k].seq, step);
				shown[loc - 1] = last_ev[k];
				bbo_checked++;
			} else {
				CU_ASSERT_EQUAL(last_ev[k].type, TG_BOOK_EV_TRADE);
				CU_ASSERT_EQUAL(last_ev[k].u.trade.price, exec_px);
				CU_ASSERT_EQUAL(last_ev[k].u.trade.shares, exec_sh);
				CU_ASSERT_EQUAL(last_ev[k].u.trade.side, exec_side);
				trades++;
			}
		}
		const struct tg_book_event *sh = &shown[loc - 1];

		if (sh->u.bbo.flags & TG_BOOK_BBO_BID_UNKNOWN) {
			CU_ASSERT(now[1] > 0);
			unknown_seen++;
		} else {
			CU_ASSERT_EQUAL(sh->u.bbo.bid_price, now[0]);
			CU_ASSERT_EQUAL(sh->u.bbo.bid_size, now[1]);
		}
		if (sh->u.bbo.flags & TG_BOOK_BBO_ASK_UNKNOWN) {
			CU_ASSERT(now[3] > 0);
			unknown_seen++;
		} else {
			CU_ASSERT_EQUAL(sh->u.bbo.ask_price, now[2]);
			CU_ASSERT_EQUAL(sh->u.bbo.ask_size, now[3]);
		}
		memcpy(prev[loc - 1], now, sizeof(now));
	}
	CU_ASSERT(depth == 0 ? unknown_seen == 0 : unknown_seen > 100);
	CU_ASSERT_EQUAL(tg_book_stats(b)->orders, nlive);
	CU_ASSERT(tg_book_stats(b)->unknown_ref > 1000);
	CU_ASSERT(tg_book_stats(b)->orders > 100);
	CU_ASSERT(bbo_checked > 5000);
	CU_ASSERT(trades > 5000);
	for (uint16_t l = 1; l <= NINST; l++)
		CU_ASSERT_TRUE(tg_book_authoritative(b, l));
	tg_book_free(b);
}

static void test_differential_random_stream(void)
{
	differential_random_stream(0);
}

static void test_differential_bounded_depth(void)
{
	differential_random_stream(3);
}

static void test_overflow_flags_instrument(void)
{
	struct tg_book_config cfg = { .order_capacity_log2 = 4, .ways = 4 };
	struct tg_book *b;
	uint8_t m[64];

	CU_ASSERT_EQUAL_FATAL(tg_book_new(&cfg, NULL, NULL, &b), TG_OK);
	CU_ASSERT_EQUAL(tg_book_subscribe_locate(b, 9), TG_OK);
	for (uint64_t ref = 1; ref <= 40; ref++)
		tg_book_apply(b, m, msg_add(m, 9, ref, 'B', 10, 1000), ref);
	CU_ASSERT(tg_book_stats(b)->order_overflow > 0);
	CU_ASSERT(tg_book_stats(b)->orders <= 16);
	CU_ASSERT_FALSE(tg_book_authoritative(b, 9));
	tg_book_free(b);
}

static void test_subscriptions_and_halts(void)
{
	struct tg_book_config cfg = { .order_capacity_log2 = 8, .ways = 16 };
	struct tg_book *b;
	uint8_t m[64];
	size_t n;

	CU_ASSERT_EQUAL(tg_book_new(NULL, NULL, NULL, &b), TG_ERR_ARG);
	CU_ASSERT_EQUAL_FATAL(tg_book_new(&cfg, on_event, NULL, &b), TG_OK);
	CU_ASSERT_EQUAL(tg_book_subscribe_symbol(b, "TOOLONGNAME"), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_book_subscribe_symbol(b, "META"), TG_OK);
	/* before the directory names locate 12, its orders are not subscribed */
	tg_book_apply(b, m, msg_add(m, 12, 5, 'S', 100, 3573300), 1);
	CU_ASSERT_EQUAL(tg_book_stats(b)->unsubscribed, 1);
	n = hdr(m, 'R', 12, 0);
	memcpy(m + 11, "META    ", 8);
	tg_book_apply(b, m, n, 2);
	CU_ASSERT_EQUAL(tg_book_locate_of(b, "META"), 12);
	nev = 0;
	tg_book_apply(b, m, msg_add(m, 12, 6, 'S', 100, 3573300), 3);
	CU_ASSERT_EQUAL(nev, 1);
	CU_ASSERT_EQUAL(last_ev[0].u.bbo.ask_price, 3573300);
	n = hdr(m, 'H', 12, 4);
	memcpy(m + 11, "META    ", 8);
	m[19] = 'H';
	nev = 0;
	tg_book_apply(b, m, n, 4);
	CU_ASSERT_EQUAL(nev, 1);
	CU_ASSERT_EQUAL(last_ev[0].type, TG_BOOK_EV_HALT);
	CU_ASSERT_TRUE(tg_book_halted(b, 12));
	m[19] = 'T';
	tg_book_apply(b, m, n, 5);
	CU_ASSERT_FALSE(tg_book_halted(b, 12));
	/* a message with a wrong length is not applied */
	nev = 0;
	tg_book_apply(b, m, msg_add(m, 12, 7, 'S', 100, 3573200) - 1, 6);
	CU_ASSERT_EQUAL(nev, 0);
	tg_book_free(b);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "differential against a brute-force top of book", test_differential_random_stream },
		{ "bounded depth: the top shown is exact or flagged unknown", test_differential_bounded_depth },
		{ "order table overflow flags the instrument", test_overflow_flags_instrument },
		{ "subscriptions, directory and halts", test_subscriptions_and_halts },
	};

	return tg_cunit_run("book", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
