/*
 * Unit tests of the synthetic market (sim/exchange/market_synth.c) on the
 * real matching engine (sw/match.c).
 *
 *   - determinism: the engine's event stream, every field serialized and
 *     hashed, is the same for the same seed (also when the caller advances
 *     simulated time in other steps) and differs for another seed;
 *   - the engine's book stays sane after every step: never crossed, prices
 *     positive and on the tick, both sides populated nearly all the time;
 *   - the message mix, as the feed publishes engine events (its documented
 *     mapping), within broad bounds of a real ITCH day;
 *   - halts happen, last 2..8 s, end, and nothing trades or enters while
 *     one lasts;
 *   - market makers' inventory stays within its bound;
 *   - the key test: the ITCH the feed publisher makes of a long seeded run,
 *     received over UDP and decoded by the project's own decoder and C
 *     book (sw/feed.c, sw/book.c), equals the engine's displayed book,
 *     every level of every instrument touched, after every step.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "feed_publisher.h"
#include "market_synth.h"
#include "tg_cunit.h"
#include "tickgate/book.h"
#include "tickgate/feed.h"
#include "tickgate/itch50_defs.h"
#include "venue.h"

#define OPEN_NS (34200ull * 1000000000ull)	/* 09:30 */
#define S_NS 1000000000ull
#define MAXINST 8

/* ---- a market on an engine, with the engine's events recorded ---- */

struct run {
	struct tg_match *m;
	struct tg_xmarket *mk;
	struct tg_xfeed *feed;	/* key test only */
	int feed_rc;		/* first error of tg_xfeed_match_event */
	uint64_t hash;
	uint64_t events[8];	/* by engine event type */
	uint64_t itch[256];	/* what the feed publishes of them, by ITCH type (see count_itch) */
	uint64_t expire_ioc;
	bool dirty[MAXINST + 1];
	bool halted[MAXINST + 1];
	uint64_t halt_start[MAXINST + 1];
	uint64_t halts, resumes, bad_halt_span, while_halted;
	uint64_t last_ts;
	uint64_t backwards;	/* events whose time went back */
};

static void hash_bytes(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ull;
	}
}

static void hash_u64(uint64_t *h, uint64_t v)
{
	uint8_t b[8];

	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	hash_bytes(h, b, 8);
}

/* Every field, one at a time (the struct's padding is not part of the stream). */
static void hash_event(uint64_t *h, const struct tg_match_event *ev)
{
	uint64_t f[] = { ev->type, ev->ts_ns, ev->instrument, (uint8_t)ev->side, ev->hidden, ev->halted, ev->ref,
			 ev->new_ref, ev->owner, ev->aggressor_ref, ev->aggressor_owner, ev->shares, ev->price,
			 ev->remaining, ev->match };

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		hash_u64(h, f[i]);
	hash_bytes(h, ev->mpid, 4);
}

/*
 * The ITCH messages the feed publisher documents for an event
 * (feed_publisher.h), counted from the engine's side: the market never
 * changes an order between displayed and hidden, so a replace of a
 * displayed order is a U, or a D when all of it traded.
 */
static void count_itch(struct run *r, const struct tg_match_event *ev)
{
	switch (ev->type) {
	case TG_MATCH_EV_ADD:
		if (!ev->hidden)
			r->itch[ev->mpid[0] != '\0' ? 'F' : 'A']++;
		break;
	case TG_MATCH_EV_EXECUTE:
		r->itch[ev->hidden ? 'P' : 'E']++;
		break;
	case TG_MATCH_EV_CANCEL:
		if (ev->hidden)
			break;
		if (ev->shares > 0) {
			r->itch[ev->remaining > 0 ? 'X' : 'D']++;
		} else {	/* the end of a replace that filled in full: a D instead of its U */
			r->itch['U']--;
			r->itch['D']++;
		}
		break;
	case TG_MATCH_EV_REPLACE:
		if (!ev->hidden)
			r->itch['U']++;
		break;
	case TG_MATCH_EV_EXPIRE:
		r->expire_ioc++;
		break;
	case TG_MATCH_EV_HALT:
		r->itch['H']++;
		break;
	}
}

static void on_event(void *ctx, const struct tg_match_event *ev)
{
	struct run *r = ctx;
	unsigned in = ev->instrument;

	hash_event(&r->hash, ev);
	if ((unsigned)ev->type < 8)
		r->events[ev->type]++;
	count_itch(r, ev);
	if (ev->ts_ns < r->last_ts)
		r->backwards++;
	r->last_ts = ev->ts_ns;
	if (in <= MAXINST) {
		r->dirty[in] = true;
		if (ev->type == TG_MATCH_EV_HALT) {
			if (ev->halted) {
				r->halts++;
				r->halt_start[in] = ev->ts_ns;
			} else {
				uint64_t span = ev->ts_ns - r->halt_start[in];

				r->resumes++;
				if (span < 2 * S_NS || span > 8 * S_NS)
					r->bad_halt_span++;
			}
			r->halted[in] = ev->halted;
		} else if (r->halted[in] && ev->type != TG_MATCH_EV_CANCEL) {
			r->while_halted++;	/* only cuts and deletes work in a halt */
		}
	}
	if (r->feed != NULL) {
		int rc = tg_xfeed_match_event(r->feed, ev);

		if (rc != TG_OK && r->feed_rc == TG_OK)
			r->feed_rc = rc;
	}
	tg_xmarket_match_event(r->mk, ev);
}

static void run_open(struct run *r, const struct tg_xmarket_config *cfg)
{
	struct tg_match_config mc = { .instruments = cfg->instruments, .max_orders = 1u << 20 };

	memset(r, 0, sizeof(*r));
	r->hash = 0xcbf29ce484222325ull;
	CU_ASSERT_FATAL(tg_match_new(&mc, on_event, r, &r->m) == TG_OK);
	CU_ASSERT_FATAL(tg_xmarket_new(cfg, r->m, &r->mk) == TG_OK);
}

static void run_close(struct run *r)
{
	tg_xmarket_free(r->mk);
	tg_match_free(r->m);
	r->mk = NULL;
	r->m = NULL;
}

static struct tg_xmarket_config config(uint64_t seed, unsigned n, double rate)
{
	return (struct tg_xmarket_config){ .seed = seed, .instruments = n, .rate = rate, .start_ns = OPEN_NS };
}

/* ---- the engine's book ---- */

struct sanity {
	uint64_t samples, both_sides, crossed, bad_price, inventory_over;
};

static void check_book(struct run *r, unsigned n, struct sanity *s)
{
	uint32_t tick = tg_xmarket_tick(r->mk);

	for (unsigned in = 1; in <= n; in++) {
		struct tg_match_level bid, ask, lv;
		bool has_bid = tg_match_level(r->m, (uint16_t)in, 'B', 0, &bid) == TG_OK;
		bool has_ask = tg_match_level(r->m, (uint16_t)in, 'S', 0, &ask) == TG_OK;

		s->samples++;
		if (has_bid && has_ask) {
			s->both_sides++;
			if (bid.price >= ask.price)
				s->crossed++;
		}
		for (unsigned k = 0; k < 6; k++) {	/* three levels a side: positive, on the tick */
			if (tg_match_level(r->m, (uint16_t)in, k % 2 ? 'S' : 'B', k / 2, &lv) == TG_OK &&
			    (lv.price == 0 || lv.price % tick != 0))
				s->bad_price++;
		}
		if (tg_xmarket_fundamental(r->mk, (uint16_t)in) == 0)
			s->bad_price++;
		for (unsigned mm = 0; mm < TG_XMARKET_MM_PER_INSTRUMENT; mm++) {
			int64_t inv = tg_xmarket_mm_inventory(r->mk, (uint16_t)in, mm);

			if (inv > tg_xmarket_mm_inventory_bound(r->mk, (uint16_t)in, mm) ||
			    -inv > tg_xmarket_mm_inventory_bound(r->mk, (uint16_t)in, mm))
				s->inventory_over++;
		}
	}
}

/* Run to end_ns in steps of step_ns, checking the book after each step when s is given. */
static void run_to(struct run *r, uint64_t from, uint64_t end_ns, uint64_t step_ns, unsigned n, struct sanity *s)
{
	for (uint64_t t = from; t < end_ns;) {
		t = t + step_ns < end_ns ? t + step_ns : end_ns;
		CU_ASSERT_FATAL(tg_xmarket_run_until(r->mk, t) == TG_OK);
		if (s != NULL)
			check_book(r, n, s);
	}
}

static void assert_clean(const struct run *r)
{
	struct tg_xmarket_counters c;

	tg_xmarket_counters(r->mk, &c);
	CU_ASSERT_EQUAL(c.errors, 0);
	CU_ASSERT_EQUAL(c.stale_events, 0);
	CU_ASSERT_EQUAL(c.refused, 0);	/* a big book, and the market never calls a halted instrument */
	CU_ASSERT_EQUAL(r->backwards, 0);
	CU_ASSERT_EQUAL(r->while_halted, 0);
}

/* ---- tests ---- */

static void test_config(void)
{
	struct tg_match_config mc = { .instruments = 3, .max_orders = 1000 };
	static const char *const syms[] = { "AAPL", "MSFT", "BRK.A" };
	static const char *const long_sym[] = { "AAPL", "TOOLONGSY", "X" };
	static const char *const dup_sym[] = { "AAPL", "MSFT", "AAPL" };
	static const char *const space_sym[] = { "AAPL", "MS FT", "X" };
	static const uint32_t prices[] = { 1234567, 0, 50 };
	struct tg_xmarket_config c = config(1, 3, 1000);
	struct tg_xmarket *mk;
	struct tg_match *m;

	CU_ASSERT_FATAL(tg_match_new(&mc, NULL, NULL, &m) == TG_OK);
	c.instruments = 0;
	CU_ASSERT_EQUAL(tg_xmarket_new(&c, m, &mk), TG_ERR_ARG);
	c.instruments = 4;	/* more than the engine has */
	CU_ASSERT_EQUAL(tg_xmarket_new(&c, m, &mk), TG_ERR_ARG);
	c = config(1, 3, 1000);
	c.symbols = long_sym;
	CU_ASSERT_EQUAL(tg_xmarket_new(&c, m, &mk), TG_ERR_ARG);
	c.symbols = dup_sym;
	CU_ASSERT_EQUAL(tg_xmarket_new(&c, m, &mk), TG_ERR_ARG);
	c.symbols = space_sym;
	CU_ASSERT_EQUAL(tg_xmarket_new(&c, m, &mk), TG_ERR_ARG);
	c = config(1, 3, -5);
	CU_ASSERT_EQUAL(tg_xmarket_new(&c, m, &mk), TG_ERR_ARG);
	c = config(1, 3, 1000);
	c.start_ns = 24ull * 3600 * S_NS;
	CU_ASSERT_EQUAL(tg_xmarket_new(&c, m, &mk), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_xmarket_new(NULL, m, &mk), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_xmarket_new(&c, NULL, &mk), TG_ERR_ARG);

	/* defaults: symbols TG0001.., tick 100, prices from the seed between $10 and $200 */
	c = config(1, 3, 1000);
	CU_ASSERT_FATAL(tg_xmarket_new(&c, m, &mk) == TG_OK);
	CU_ASSERT_STRING_EQUAL(tg_xmarket_symbol(mk, 1), "TG0001");
	CU_ASSERT_STRING_EQUAL(tg_xmarket_symbol(mk, 3), "TG0003");
	CU_ASSERT_PTR_NULL(tg_xmarket_symbol(mk, 0));
	CU_ASSERT_PTR_NULL(tg_xmarket_symbol(mk, 4));
	CU_ASSERT_EQUAL(tg_xmarket_tick(mk), 100);
	CU_ASSERT_EQUAL(tg_xmarket_instruments(mk), 3);
	for (uint16_t in = 1; in <= 3; in++) {
		CU_ASSERT(tg_xmarket_fundamental(mk, in) >= 100000 && tg_xmarket_fundamental(mk, in) <= 2000000);
		CU_ASSERT_EQUAL(tg_xmarket_fundamental(mk, in) % 100, 0);
	}
	/* the market makers quote within their latency (2..22 us) of the open */
	CU_ASSERT(tg_xmarket_next_ns(mk) >= OPEN_NS && tg_xmarket_next_ns(mk) < OPEN_NS + 22000);
	tg_xmarket_free(mk);

	/* given symbols and prices: rounded to the tick (ticks of 5 cents), kept above the floor */
	c.symbols = syms;
	c.start_prices = prices;
	c.tick = 500;
	CU_ASSERT_FATAL(tg_xmarket_new(&c, m, &mk) == TG_OK);
	CU_ASSERT_STRING_EQUAL(tg_xmarket_symbol(mk, 3), "BRK.A");
	CU_ASSERT_EQUAL(tg_xmarket_fundamental(mk, 1), 1234500);
	CU_ASSERT(tg_xmarket_fundamental(mk, 2) >= 100000 && tg_xmarket_fundamental(mk, 2) <= 2000000);
	CU_ASSERT(tg_xmarket_fundamental(mk, 3) >= 500 * 10);	/* $0.005 is below the floor */
	CU_ASSERT_STRING_EQUAL(tg_xmarket_action_name(TG_XMARKET_REPLACE), "replace");
	tg_xmarket_free(mk);
	tg_match_free(m);
}

static uint64_t hash_of(uint64_t seed, uint64_t step_ns, struct tg_xmarket_counters *c)
{
	struct tg_xmarket_config cfg = config(seed, 4, 20000);
	struct run r;
	uint64_t h;

	cfg.halts_per_hour = 360;
	run_open(&r, &cfg);
	run_to(&r, OPEN_NS, OPEN_NS + 20 * S_NS, step_ns, 4, NULL);
	tg_xmarket_counters(r.mk, c);
	h = r.hash;
	CU_ASSERT(r.events[TG_MATCH_EV_ADD] > 100000);
	run_close(&r);
	return h;
}

static void test_determinism(void)
{
	struct tg_xmarket_counters a, b, d, e;
	uint64_t ha = hash_of(42, 1000000, &a);
	uint64_t hb = hash_of(42, 1000000, &b);
	uint64_t hd = hash_of(42, 997 * 1000 * 1000 + 13, &d);	/* the caller's steps do not matter */
	uint64_t he = hash_of(43, 1000000, &e);

	CU_ASSERT_EQUAL(ha, hb);
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
	CU_ASSERT_EQUAL(ha, hd);
	CU_ASSERT_EQUAL(memcmp(&a, &d, sizeof(a)), 0);
	CU_ASSERT_NOT_EQUAL(ha, he);
	CU_ASSERT_NOT_EQUAL(a.calls, e.calls);
	printf("\n    seed 42: %llu calls, hash %016llx; seed 43: %016llx\n", (unsigned long long)a.calls,
	       (unsigned long long)ha, (unsigned long long)he);
}

/* The book after every 1 ms of a minute at 20,000 calls/s. */
static void test_book_sane(void)
{
	struct tg_xmarket_config cfg = config(7, 4, 20000);
	struct sanity s = { 0 };
	struct tg_xmarket_counters c;
	struct run r;
	uint64_t inv_seen = 0;

	run_open(&r, &cfg);
	run_to(&r, OPEN_NS, OPEN_NS + 60 * S_NS, 1000000, 4, &s);
	tg_xmarket_counters(r.mk, &c);
	assert_clean(&r);
	CU_ASSERT_EQUAL(s.crossed, 0);
	CU_ASSERT_EQUAL(s.bad_price, 0);
	CU_ASSERT_EQUAL(s.inventory_over, 0);
	CU_ASSERT(s.both_sides >= s.samples * 99 / 100);
	/* the realized rate: within 10% of the one asked for (the first quotes included) */
	CU_ASSERT(c.calls >= 60 * 20000 * 9 / 10 && c.calls <= 60 * 20000 * 11 / 10);
	CU_ASSERT(c.fundamental_moves > 4 * 60);	/* 2 a second per instrument */
	CU_ASSERT(c.mm_calls > c.calls / 10);
	for (uint16_t in = 1; in <= 4; in++)
		for (unsigned mm = 0; mm < TG_XMARKET_MM_PER_INSTRUMENT; mm++)
			inv_seen += tg_xmarket_mm_inventory(r.mk, in, mm) != 0;
	CU_ASSERT(inv_seen > 0);	/* they do trade */
	printf("\n    %llu samples, both sides %.4f, %llu calls (%llu by market makers), resting %u\n",
	       (unsigned long long)s.samples, (double)s.both_sides / (double)s.samples,
	       (unsigned long long)c.calls, (unsigned long long)c.mm_calls, tg_match_resting_count(r.m));
	run_close(&r);
}

/*
 * The mix. As a rough guide, a Nasdaq TotalView-ITCH day is mostly adds
 * (A, F) and deletes, each somewhat under half the messages, then replaces
 * and executions (E, C, P) of a few percent each, and few partial cancels
 * and attributed adds. The bounds here are broad (the market is not fitted
 * to a day), but tight enough to catch a market that only adds, only
 * trades, or never replaces.
 */
static void test_mix(void)
{
	struct tg_xmarket_config cfg = config(11, 6, 50000);
	struct tg_xmarket_counters c;
	struct run r;
	double tot = 0, adds, dels, execs, reps;

	cfg.halts_per_hour = 120;
	run_open(&r, &cfg);
	run_to(&r, OPEN_NS, OPEN_NS + 30 * S_NS, 10000000, 6, NULL);
	tg_xmarket_counters(r.mk, &c);
	assert_clean(&r);
	for (unsigned t = 0; t < 256; t++)
		tot += (double)r.itch[t];
	adds = (double)(r.itch['A'] + r.itch['F']) / tot;
	dels = (double)(r.itch['D'] + r.itch['X']) / tot;
	execs = (double)(r.itch['E'] + r.itch['P']) / tot;
	reps = (double)r.itch['U'] / tot;
	printf("\n    %.0f messages: A+F %.1f%% (F %.2f%%), D %.1f%%, X %.1f%%, U %.1f%%, E %.2f%%, P %.2f%%, H %llu\n",
	       tot, 100 * adds, 100.0 * (double)r.itch['F'] / tot, 100.0 * (double)r.itch['D'] / tot,
	       100.0 * (double)r.itch['X'] / tot, 100 * reps, 100.0 * (double)r.itch['E'] / tot,
	       100.0 * (double)r.itch['P'] / tot, (unsigned long long)r.itch['H']);
	CU_ASSERT(adds >= 0.30 && adds <= 0.60);
	CU_ASSERT(dels >= 0.25 && dels <= 0.60);
	CU_ASSERT(adds + dels >= 0.70);		/* adds and cancels dominate */
	CU_ASSERT(execs >= 0.01 && execs <= 0.10);	/* a few percent */
	CU_ASSERT(reps >= 0.02 && reps <= 0.20);
	CU_ASSERT(r.itch['X'] > 0);
	CU_ASSERT(r.itch['F'] > 0 && (double)r.itch['F'] / tot < 0.05);
	CU_ASSERT(r.itch['P'] > 0 && r.itch['P'] < r.itch['E']);
	CU_ASSERT(r.itch['H'] > 0);
	CU_ASSERT(r.expire_ioc > 0);	/* IOC and market orders */
	for (unsigned a = 0; a < TG_XMARKET_ACTION_COUNT; a++)	/* every kind of action happened */
		CU_ASSERT(c.actions[a] > 0);
	CU_ASSERT(c.mpid_orders > 0);
	run_close(&r);
}

/* Halts: about one a minute per instrument here; each lasts 2..8 s and ends; nothing enters or trades in one. */
static void test_halts(void)
{
	struct tg_xmarket_config cfg = config(5, 2, 5000);
	struct sanity s = { 0 };
	struct run r;

	cfg.halts_per_hour = 60;
	run_open(&r, &cfg);
	run_to(&r, OPEN_NS, OPEN_NS + 600 * S_NS, 100000000, 2, &s);
	assert_clean(&r);
	CU_ASSERT(r.halts >= 5);
	/* every halt but one still running has ended */
	CU_ASSERT(r.resumes + (r.halted[1] ? 1 : 0) + (r.halted[2] ? 1 : 0) == r.halts);
	CU_ASSERT_EQUAL(r.bad_halt_span, 0);
	run_to(&r, OPEN_NS + 600 * S_NS, OPEN_NS + 609 * S_NS, 100000000, 2, &s);
	CU_ASSERT(!r.halted[1] && !r.halted[2]);
	CU_ASSERT(!tg_match_halted(r.m, 1) && !tg_match_halted(r.m, 2));
	CU_ASSERT_EQUAL(s.crossed, 0);
	CU_ASSERT(s.both_sides >= s.samples * 98 / 100);	/* requoted after each halt */
	printf("\n    %llu halts, %llu resumes in 609 s\n", (unsigned long long)r.halts,
	       (unsigned long long)r.resumes);

	/* never halts when told so */
	run_close(&r);
	cfg.halts_per_hour = -1;
	run_open(&r, &cfg);
	run_to(&r, OPEN_NS, OPEN_NS + 600 * S_NS, S_NS, 2, NULL);
	CU_ASSERT_EQUAL(r.halts, 0);
	run_close(&r);
}

/* Inventory over a long quiet run, where the market makers trade most of the volume. */
static void test_inventory(void)
{
	struct tg_xmarket_config cfg = config(99, 3, 3000);
	struct sanity s = { 0 };
	struct run r;
	int64_t worst = 0, bound = 0;

	run_open(&r, &cfg);
	run_to(&r, OPEN_NS, OPEN_NS + 1800 * S_NS, 5000000, 3, &s);
	assert_clean(&r);
	CU_ASSERT_EQUAL(s.inventory_over, 0);
	for (uint16_t in = 1; in <= 3; in++)
		for (unsigned mm = 0; mm < TG_XMARKET_MM_PER_INSTRUMENT; mm++) {
			int64_t inv = tg_xmarket_mm_inventory(r.mk, in, mm);

			if ((inv < 0 ? -inv : inv) > worst) {
				worst = inv < 0 ? -inv : inv;
				bound = tg_xmarket_mm_inventory_bound(r.mk, in, mm);
			}
		}
	CU_ASSERT(worst > 0);
	printf("\n    largest |inventory| at the end: %lld (its bound %lld)\n", (long long)worst, (long long)bound);
	run_close(&r);
}

/* ---- the key test: engine → feed publisher → UDP → decoder → C book == engine's displayed book ---- */

struct receiver {
	int fd;
	struct tg_feed dec;
	struct tg_book *book;
	uint64_t messages;
};

static void on_message(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	struct receiver *rx = ctx;

	rx->messages++;
	tg_book_apply(rx->book, msg, len, meta->seq);
}

static void drain(struct receiver *rx)
{
	uint8_t buf[2048];
	ssize_t n;

	while ((n = recv(rx->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct tg_feed_meta meta = { 0 };

		tg_feed_mold_packet(&rx->dec, buf, (size_t)n, &meta);
	}
}

/* Every displayed level of one side: the engine's (hidden-only levels skipped) against the C book's. */
static unsigned compare_side(struct run *r, struct receiver *rx, uint16_t in, char side, uint64_t *mismatch)
{
	static struct tg_book_level got[4096];
	unsigned n = tg_book_levels(rx->book, in, side, got, 4096), k = 0;
	struct tg_match_level lv;

	for (unsigned i = 0; tg_match_level(r->m, in, side, i, &lv) == TG_OK; i++) {
		if (lv.shares == 0)
			continue;	/* only hidden orders: not on the feed */
		if (k >= n || got[k].price != lv.price || got[k].shares != lv.shares ||
		    (lv.hidden_shares == 0 && got[k].orders != lv.orders))
			(*mismatch)++;
		k++;
	}
	if (k != n)
		(*mismatch)++;
	return k;
}

static void test_feed_reproduces_book(void)
{
	enum { N = 4 };
	struct tg_xmarket_config cfg = config(2024, N, 20000);
	struct tg_book_config bc = { .order_capacity_log2 = 16, .ways = 16, .depth = 0 };
	struct tg_feed_config fc = { .seq_check = true, .accept_all = true };
	struct tg_feed_handlers fh = { .message = on_message };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof(sa);
	int rcvbuf = 8 << 20;
	struct tg_xfeed_config xc = { .session = "SYNTH00001", .dst_addr = 0x7f000001u };
	const char *syms[N];
	struct receiver rx = { 0 };
	uint64_t end = OPEN_NS + 60 * S_NS, steps = 0, levels = 0, mismatch = 0, halt_mismatch = 0;
	const struct tg_feed_stats *fs;
	const struct tg_book_stats *bs;
	char err[256];
	struct run r;

	cfg.halts_per_hour = 240;
	rx.fd = socket(AF_INET, SOCK_DGRAM, 0);
	CU_ASSERT_FATAL(rx.fd >= 0);
	CU_ASSERT(setsockopt(rx.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == 0);
	CU_ASSERT_FATAL(bind(rx.fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_FATAL(getsockname(rx.fd, (struct sockaddr *)&sa, &salen) == 0);
	xc.dst_port = ntohs(sa.sin_port);
	CU_ASSERT_FATAL(tg_book_new(&bc, NULL, NULL, &rx.book) == TG_OK);
	for (uint16_t in = 1; in <= N; in++)
		CU_ASSERT_FATAL(tg_book_subscribe_locate(rx.book, in) == TG_OK);
	fh.ctx = &rx;
	tg_feed_init(&rx.dec, &fc, &fh);

	run_open(&r, &cfg);
	if (tg_xfeed_new(&xc, &r.feed, err, sizeof(err)) != TG_OK) {
		fprintf(stderr, "feed: %s\n", err);
		CU_FAIL_FATAL("tg_xfeed_new");
	}
	for (uint16_t in = 1; in <= N; in++)
		syms[in - 1] = tg_xmarket_symbol(r.mk, in);
	CU_ASSERT_FATAL(tg_xfeed_start_of_day(r.feed, syms, N, OPEN_NS - S_NS) == TG_OK);

	/* one step per due time (mostly one action), then flush, receive, compare what it touched */
	while (tg_xmarket_next_ns(r.mk) < end) {
		uint64_t t = tg_xmarket_next_ns(r.mk);

		memset(r.dirty, 0, sizeof(r.dirty));
		CU_ASSERT_FATAL(tg_xmarket_run_until(r.mk, t) == TG_OK);
		tg_xfeed_flush(r.feed, t);
		drain(&rx);
		for (uint16_t in = 1; in <= N; in++) {
			if (!r.dirty[in])
				continue;
			levels += compare_side(&r, &rx, in, 'B', &mismatch);
			levels += compare_side(&r, &rx, in, 'S', &mismatch);
			halt_mismatch += tg_book_halted(rx.book, in) != tg_match_halted(r.m, in);
		}
		steps++;
		if (mismatch > 0 || r.feed_rc != TG_OK)
			break;
	}
	for (uint16_t in = 1; in <= N; in++) {	/* and everything at the end */
		levels += compare_side(&r, &rx, in, 'B', &mismatch);
		levels += compare_side(&r, &rx, in, 'S', &mismatch);
		CU_ASSERT(tg_book_authoritative(rx.book, in));
	}
	fs = &rx.dec.stats;
	bs = tg_book_stats(rx.book);
	printf("\n    %llu steps, %llu messages (A %llu F %llu E %llu P %llu X %llu D %llu U %llu H %llu), "
	       "%llu levels compared, %llu mismatches\n",
	       (unsigned long long)steps, (unsigned long long)fs->messages, (unsigned long long)fs->by_type['A'],
	       (unsigned long long)fs->by_type['F'], (unsigned long long)fs->by_type['E'],
	       (unsigned long long)fs->by_type['P'], (unsigned long long)fs->by_type['X'],
	       (unsigned long long)fs->by_type['D'], (unsigned long long)fs->by_type['U'],
	       (unsigned long long)fs->by_type['H'], (unsigned long long)levels, (unsigned long long)mismatch);
	CU_ASSERT_EQUAL(r.feed_rc, TG_OK);
	CU_ASSERT_EQUAL(mismatch, 0);
	CU_ASSERT_EQUAL(halt_mismatch, 0);
	CU_ASSERT(steps > 500000);
	CU_ASSERT_EQUAL(fs->gaps, 0);
	CU_ASSERT_EQUAL(fs->messages, tg_xfeed_stats(r.feed)->messages);
	CU_ASSERT_EQUAL(fs->unknown_type + fs->bad_length, 0);
	CU_ASSERT_EQUAL(bs->unknown_ref, 0);
	CU_ASSERT_EQUAL(bs->duplicate_ref, 0);
	CU_ASSERT_EQUAL(bs->order_overflow, 0);
	/* the feed's own counts agree with the mapping the mix test uses */
	for (const char *t = "AFEPXDUH"; *t; t++)
		CU_ASSERT_EQUAL(fs->by_type[(uint8_t)*t], r.itch[(uint8_t)*t] + (*t == 'H' ? N : 0));
	CU_ASSERT(fs->by_type['H'] > N);	/* halts besides the morning's trading states */
	assert_clean(&r);
	tg_xfeed_free(r.feed);
	r.feed = NULL;
	run_close(&r);
	tg_book_free(rx.book);
	close(rx.fd);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "config", test_config },
		{ "determinism", test_determinism },
		{ "book_sane", test_book_sane },
		{ "mix", test_mix },
		{ "halts", test_halts },
		{ "inventory", test_inventory },
		{ "feed_reproduces_book", test_feed_reproduces_book },
	};

	return tg_cunit_run("market_synth", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
