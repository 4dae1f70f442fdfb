/*
 * Unit tests of the capture-replay market (sim/exchange/market_replay.c).
 *
 * The directed tests write small binary ITCH files whose messages are laid
 * out here byte by byte from the ITCH 5.0 specification (offsets written
 * out, nothing taken from the project's layout tables), replay them, and
 * check the appliance's orders: queue position behind displayed volume,
 * cancels ahead and behind, partial fills, trade-through fills, liquidity
 * taken on entry (and not twice), crossing adds, replace and reduce rules,
 * halts, pacing by the capture's timestamps, the symbol filter and the
 * locate map, reference spaces, callbacks.
 *
 * The capture tests replay the real Nasdaq captures of
 * $TICKGATE_DATA/omi and check that every message the project's decoder
 * (tg_feed_file) delivers is passed out, byte for byte, in order, with
 * equal counts per type. TICKGATE_DATA names the shared data folder; the
 * capture tests fail (do not skip) when it or a file is missing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "market_replay.h"
#include "tg_cunit.h"
#include "tickgate/book.h"
#include "tickgate/feed.h"

#define ITCH_DIR "omi/Nasdaq.Equities.TotalView.Itch.v5.0"
#define ITCH_DIR2 "omi/Nasdaq.Equities.TotalView.Itch.v5.0.20230822"
#define OWNER TG_OWNER_MAKE(TG_OWNER_OE, 7)
#define HIST TG_OWNER_MAKE(TG_OWNER_REPLAY, 0)
#define P(d, c) ((uint32_t)(d) * 10000u + (uint32_t)(c) * 100u)	/* $d.cc in ITCH fixed point */
#define NOT_RESTING UINT64_MAX

/* ---- ITCH 5.0 messages, byte by byte ---- */

struct stream {
	uint8_t b[1 << 21];
	size_t n;
};

static void be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* A message of `len` bytes in a binary ITCH file: 2-byte length, type, locate, tracking 0, 6-byte timestamp. */
static uint8_t *begin(struct stream *s, size_t len, char type, uint16_t loc, uint64_t ts)
{
	uint8_t *p = s->b + s->n;

	be(p, len, 2);
	p += 2;
	memset(p, 0, len);
	p[0] = (uint8_t)type;
	be(p + 1, loc, 2);
	be(p + 3, 0, 2);
	be(p + 5, ts, 6);
	s->n += 2 + len;
	return p;
}

static void stock(uint8_t *p, const char *sym)
{
	memset(p, ' ', 8);
	memcpy(p, sym, strlen(sym));
}

static void m_S(struct stream *s, uint64_t ts, char code)
{
	begin(s, 12, 'S', 0, ts)[11] = (uint8_t)code;
}

static void m_R(struct stream *s, uint16_t loc, uint64_t ts, const char *sym)
{
	uint8_t *p = begin(s, 39, 'R', loc, ts);

	stock(p + 11, sym);
	p[19] = 'Q';		/* market category */
	p[20] = 'N';		/* financial status */
	be(p + 21, 100, 4);	/* round lot */
	p[25] = 'N';
	p[26] = 'C';
	p[27] = 'C';
	p[28] = 'S';
	p[29] = 'P';
	p[30] = 'N';
	p[31] = 'N';
	p[32] = '1';
	p[33] = 'N';
	p[38] = 'N';
}

static void m_A(struct stream *s, uint16_t loc, uint64_t ts, uint64_t ref, char side, uint32_t shares,
		const char *sym, uint32_t price)
{
	uint8_t *p = begin(s, 36, 'A', loc, ts);

	be(p + 11, ref, 8);
	p[19] = (uint8_t)side;
	be(p + 20, shares, 4);
	stock(p + 24, sym);
	be(p + 32, price, 4);
}

static void m_F(struct stream *s, uint16_t loc, uint64_t ts, uint64_t ref, char side, uint32_t shares,
		const char *sym, uint32_t price)
{
	uint8_t *p = begin(s, 40, 'F', loc, ts);

	be(p + 11, ref, 8);
	p[19] = (uint8_t)side;
	be(p + 20, shares, 4);
	stock(p + 24, sym);
	be(p + 32, price, 4);
	memcpy(p + 36, "GSCO", 4);
}

static void m_E(struct stream *s, uint16_t loc, uint64_t ts, uint64_t ref, uint32_t shares, uint64_t match)
{
	uint8_t *p = begin(s, 31, 'E', loc, ts);

	be(p + 11, ref, 8);
	be(p + 19, shares, 4);
	be(p + 23, match, 8);
}

static void m_C(struct stream *s, uint16_t loc, uint64_t ts, uint64_t ref, uint32_t shares, uint64_t match,
		uint32_t price)
{
	uint8_t *p = begin(s, 36, 'C', loc, ts);

	be(p + 11, ref, 8);
	be(p + 19, shares, 4);
	be(p + 23, match, 8);
	p[31] = 'Y';
	be(p + 32, price, 4);
}

static void m_X(struct stream *s, uint16_t loc, uint64_t ts, uint64_t ref, uint32_t shares)
{
	uint8_t *p = begin(s, 23, 'X', loc, ts);

	be(p + 11, ref, 8);
	be(p + 19, shares, 4);
}

static void m_D(struct stream *s, uint16_t loc, uint64_t ts, uint64_t ref)
{
	be(begin(s, 19, 'D', loc, ts) + 11, ref, 8);
}

static void m_U(struct stream *s, uint16_t loc, uint64_t ts, uint64_t old, uint64_t ref, uint32_t shares,
		uint32_t price)
{
	uint8_t *p = begin(s, 35, 'U', loc, ts);

	be(p + 11, old, 8);
	be(p + 19, ref, 8);
	be(p + 27, shares, 4);
	be(p + 31, price, 4);
}

static void m_H(struct stream *s, uint16_t loc, uint64_t ts, const char *sym, char state)
{
	uint8_t *p = begin(s, 25, 'H', loc, ts);

	stock(p + 11, sym);
	p[19] = (uint8_t)state;
	p[20] = ' ';
	memcpy(p + 21, "    ", 4);
}

static void m_P(struct stream *s, uint16_t loc, uint64_t ts, char side, uint32_t shares, const char *sym,
		uint32_t price, uint64_t match)
{
	uint8_t *p = begin(s, 44, 'P', loc, ts);

	p[19] = (uint8_t)side;
	be(p + 20, shares, 4);
	stock(p + 24, sym);
	be(p + 32, price, 4);
	be(p + 36, match, 8);
}

/* ---- what the replay reported ---- */

#define MAXEV 256
#define MAXMSG 4096

struct fixture {
	struct tg_xreplay *x;
	struct tg_match_event ev[MAXEV];
	size_t nev;
	uint8_t msg[MAXMSG][64];
	size_t msg_len[MAXMSG];
	uint64_t msg_ts[MAXMSG];
	size_t nmsg;
	/* callback rules */
	bool reenter;
	int reenter_rc[5];
	bool query_ok;
};

static struct fixture fx;
static char tmpdir[256];
static unsigned file_no;

static void on_event(void *ctx, const struct tg_match_event *ev)
{
	struct fixture *f = ctx;

	if (f->nev < MAXEV)
		f->ev[f->nev] = *ev;
	f->nev++;
	if (f->reenter) {
		struct tg_match_order o = { .instrument = 1, .side = 'B', .shares = 1, .price = 1 };
		struct tg_xreplay_resting r;
		uint64_t ref;

		f->reenter_rc[0] = tg_xreplay_enter(f->x, &o, 1, &ref);
		f->reenter_rc[1] = tg_xreplay_reduce(f->x, ev->ref, 0, 1);
		f->reenter_rc[2] = tg_xreplay_replace(f->x, ev->ref, 1, 1, false, 1, &ref);
		f->reenter_rc[3] = tg_xreplay_run_until(f->x, UINT64_MAX, NULL);
		f->reenter_rc[4] = tg_xreplay_step(f->x);
		f->query_ok = tg_xreplay_order(f->x, ev->ref, &r) == TG_OK;
	}
}

static void on_message(void *ctx, const uint8_t *m, size_t len, uint64_t ts)
{
	struct fixture *f = ctx;

	if (f->nmsg < MAXMSG && len <= sizeof(f->msg[0])) {
		memcpy(f->msg[f->nmsg], m, len);
		f->msg_len[f->nmsg] = len;
		f->msg_ts[f->nmsg] = ts;
	}
	f->nmsg++;
}

static void write_file(const char *path, const void *b, size_t n)
{
	FILE *fp = fopen(path, "wb");

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_EQUAL(fwrite(b, 1, n, fp), n);
	CU_ASSERT_EQUAL(fclose(fp), 0);
}

static const char *temp_path(void)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/stream%u.itch", tmpdir, file_no++);
	return path;
}

static void close_fx(void)
{
	tg_xreplay_close(fx.x);
	memset(&fx, 0, sizeof(fx));
}

/* Replay a stream from a file: the fixture records everything. */
static struct tg_xreplay *open_cfg(const struct stream *s, struct tg_xreplay_config *cfg)
{
	const char *path = temp_path();
	char err[256] = "";

	close_fx();
	write_file(path, s->b, s->n);
	cfg->path = path;
	cfg->message = on_message;
	cfg->event = on_event;
	cfg->ctx = &fx;
	CU_ASSERT_EQUAL_FATAL(tg_xreplay_open(cfg, &fx.x, err, sizeof(err)), TG_OK);
	return fx.x;
}

static struct tg_xreplay *open_stream(const struct stream *s)
{
	struct tg_xreplay_config cfg = { 0 };

	return open_cfg(s, &cfg);
}

static void run(struct tg_xreplay *x, uint64_t now)
{
	CU_ASSERT_EQUAL(tg_xreplay_run_until(x, now, NULL), TG_OK);
}

static uint64_t enter_full(struct tg_xreplay *x, uint16_t loc, char side, uint8_t type, uint8_t tif, bool hidden,
			   uint32_t shares, uint32_t price, uint64_t ts, int want_rc)
{
	struct tg_match_order o = {
		.instrument = loc, .side = side, .type = type, .tif = tif, .hidden = hidden,
		.shares = shares, .price = price, .mpid = "TGTE", .owner = OWNER,
	};
	uint64_t ref = 0;

	CU_ASSERT_EQUAL(tg_xreplay_enter(x, &o, ts, &ref), want_rc);
	return ref;
}

static uint64_t day(struct tg_xreplay *x, char side, uint32_t shares, uint32_t price, uint64_t ts)
{
	return enter_full(x, 1, side, TG_MATCH_LIMIT, TG_MATCH_DAY, false, shares, price, ts, TG_OK);
}

static uint64_t queue_of(struct tg_xreplay *x, uint64_t ref)
{
	struct tg_xreplay_resting r;

	return tg_xreplay_order(x, ref, &r) == TG_OK ? r.queue_ahead : NOT_RESTING;
}

static uint32_t open_shares(struct tg_xreplay *x, uint64_t ref)
{
	struct tg_xreplay_resting r;

	return tg_xreplay_order(x, ref, &r) == TG_OK ? r.shares : 0;
}

/* The appliance order `ref` (resting) filled `shares` at `price` with `remaining` left. */
static bool is_fill(const struct tg_match_event *e, uint64_t ref, uint32_t shares, uint32_t price,
		    uint32_t remaining, uint64_t aggressor_ref)
{
	return e->type == TG_MATCH_EV_EXECUTE && e->ref == ref && e->owner == OWNER && e->shares == shares &&
	       e->price == price && e->remaining == remaining && e->aggressor_ref == aggressor_ref &&
	       e->aggressor_owner == HIST && e->match > TG_XREPLAY_MATCH_BASE && memcmp(e->mpid, "TGTE", 4) == 0;
}

/* The incoming appliance order `aggr` took `shares` from historical order `ref` at `price` (not shown: hidden). */
static bool is_take(const struct tg_match_event *e, uint64_t ref, uint32_t shares, uint32_t price,
		    uint32_t remaining, uint64_t aggr, char side)
{
	return e->type == TG_MATCH_EV_EXECUTE && e->ref == ref && e->owner == HIST && e->shares == shares &&
	       e->price == price && e->remaining == remaining && e->aggressor_ref == aggr &&
	       e->aggressor_owner == OWNER && e->side == side && e->hidden && e->match > TG_XREPLAY_MATCH_BASE;
}

/* ---- queue position ---- */

static void test_queue_behind_displayed(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	uint64_t a;

	m_R(&s, 1, 1000, "AAPL");
	m_A(&s, 1, 2000, 1, 'B', 100, "AAPL", P(10, 0));
	m_A(&s, 1, 3000, 2, 'B', 200, "AAPL", P(10, 0));
	m_A(&s, 1, 3100, 9, 'B', 500, "AAPL", P(10, 1));	/* another level */
	m_A(&s, 1, 4000, 3, 'B', 100, "AAPL", P(10, 0));	/* after the appliance order */
	m_E(&s, 1, 5000, 1, 100, 11);
	m_E(&s, 1, 6000, 2, 150, 12);
	m_E(&s, 1, 6500, 9, 100, 13);				/* another level: not ours */
	m_E(&s, 1, 7000, 2, 50, 14);				/* 300 executed: still nothing */
	m_E(&s, 1, 8000, 3, 30, 15);
	m_E(&s, 1, 9000, 3, 30, 16);
	x = open_stream(&s);

	run(x, 3500);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->messages, 4);
	a = day(x, 'B', 50, P(10, 0), 3500);
	CU_ASSERT_TRUE(a > TG_XREPLAY_REF_BASE);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 1);
	CU_ASSERT_EQUAL(fx.ev[0].type, TG_MATCH_EV_ADD);
	CU_ASSERT_EQUAL(fx.ev[0].ref, a);
	CU_ASSERT_EQUAL(fx.ev[0].owner, OWNER);
	CU_ASSERT_EQUAL(fx.ev[0].side, 'B');
	CU_ASSERT_EQUAL(fx.ev[0].shares, 50);
	CU_ASSERT_EQUAL(fx.ev[0].price, P(10, 0));
	CU_ASSERT_EQUAL(fx.ev[0].ts_ns, 3500);
	CU_ASSERT_EQUAL(memcmp(fx.ev[0].mpid, "TGTE", 4), 0);
	CU_ASSERT_EQUAL(queue_of(x, a), 300);

	run(x, 4000);	/* added behind it */
	CU_ASSERT_EQUAL(queue_of(x, a), 300);
	run(x, 5000);
	CU_ASSERT_EQUAL(queue_of(x, a), 200);
	run(x, 6000);
	CU_ASSERT_EQUAL(queue_of(x, a), 50);
	run(x, 6500);
	CU_ASSERT_EQUAL(queue_of(x, a), 50);
	run(x, 7000);
	CU_ASSERT_EQUAL(queue_of(x, a), 0);
	CU_ASSERT_EQUAL(fx.nev, 1);	/* 300 executed ahead of it: no fill yet */
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->fills, 0);

	run(x, 8000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 2);
	CU_ASSERT_TRUE(is_fill(&fx.ev[1], a, 30, P(10, 0), 20, 0));
	CU_ASSERT_EQUAL(fx.ev[1].ts_ns, 8000);
	CU_ASSERT_EQUAL(fx.ev[1].side, 'B');
	CU_ASSERT_EQUAL(fx.ev[1].instrument, 1);
	CU_ASSERT_EQUAL(open_shares(x, a), 20);

	run(x, 9000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 3);
	CU_ASSERT_TRUE(is_fill(&fx.ev[2], a, 20, P(10, 0), 0, 0));
	CU_ASSERT_TRUE(fx.ev[2].match > fx.ev[1].match);
	CU_ASSERT_EQUAL(queue_of(x, a), NOT_RESTING);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->fills, 2);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->shares_filled, 50);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->fills_by[TG_XREPLAY_FILL_QUEUE], 2);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->app_orders, 1);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->app_resting, 0);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->by_type['E'], 6);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->by_type['A'], 4);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->messages, 11);
	CU_ASSERT_TRUE(tg_xreplay_done(x));
}

static void test_one_execution_fills_past_the_queue(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	uint64_t a;

	m_A(&s, 1, 1000, 1, 'S', 300, "AAPL", P(20, 0));
	m_A(&s, 1, 3000, 2, 'S', 400, "AAPL", P(20, 0));
	m_C(&s, 1, 4000, 1, 200, 21, P(20, 0));	/* 100 of the queue left */
	m_E(&s, 1, 5000, 2, 250, 22);			/* 100 more of the queue, then it fills */
	x = open_stream(&s);

	run(x, 1000);
	a = day(x, 'S', 100, P(20, 0), 2000);
	CU_ASSERT_EQUAL(queue_of(x, a), 300);
	run(x, 4000);
	CU_ASSERT_EQUAL(queue_of(x, a), 100);
	CU_ASSERT_EQUAL(fx.nev, 1);
	run(x, 5000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 2);
	CU_ASSERT_TRUE(is_fill(&fx.ev[1], a, 100, P(20, 0), 0, 0));
	CU_ASSERT_EQUAL(queue_of(x, a), NOT_RESTING);
	CU_ASSERT_EQUAL(fx.ev[1].side, 'S');
}

static void test_cancels_ahead_move_it_up(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	uint64_t a;

	m_A(&s, 1, 1000, 1, 'B', 100, "AAPL", P(10, 0));
	m_A(&s, 1, 1000, 2, 'B', 200, "AAPL", P(10, 0));
	m_A(&s, 1, 1000, 5, 'S', 200, "AAPL", P(10, 5));
	m_A(&s, 1, 3000, 3, 'B', 100, "AAPL", P(10, 0));	/* behind */
	m_X(&s, 1, 4000, 1, 40);				/* ahead: 260 */
	m_X(&s, 1, 5000, 3, 50);				/* behind: no change */
	m_X(&s, 1, 5500, 5, 50);				/* other side: no change */
	m_D(&s, 1, 6000, 2);					/* ahead: 60 */
	m_U(&s, 1, 7000, 1, 4, 60, P(10, 0));			/* old half ahead goes (0); new half behind */
	m_E(&s, 1, 8000, 4, 10, 31);				/* nothing ahead: it fills */
	m_D(&s, 1, 9000, 3);
	x = open_stream(&s);

	run(x, 1000);
	a = day(x, 'B', 100, P(10, 0), 2000);
	CU_ASSERT_EQUAL(queue_of(x, a), 300);
	run(x, 4000);
	CU_ASSERT_EQUAL(queue_of(x, a), 260);
	run(x, 5000);
	CU_ASSERT_EQUAL(queue_of(x, a), 260);
	run(x, 5500);
	CU_ASSERT_EQUAL(queue_of(x, a), 260);
	run(x, 6000);
	CU_ASSERT_EQUAL(queue_of(x, a), 60);
	run(x, 7000);
	CU_ASSERT_EQUAL(queue_of(x, a), 0);
	CU_ASSERT_EQUAL(fx.nev, 1);
	run(x, 8000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 2);
	CU_ASSERT_TRUE(is_fill(&fx.ev[1], a, 10, P(10, 0), 90, 0));
	run(x, 9000);
	CU_ASSERT_EQUAL(queue_of(x, a), 0);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->unknown_ref, 0);
}

static void test_orders_added_after_do_not_count(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	uint64_t a, b;

	/* Two appliance orders at one level with historical volume between them. */
	m_A(&s, 1, 1000, 1, 'B', 100, "AAPL", P(10, 0));
	m_A(&s, 1, 3000, 2, 'B', 100, "AAPL", P(10, 0));
	m_A(&s, 1, 5000, 3, 'B', 1000, "AAPL", P(10, 0));	/* behind both */
	m_E(&s, 1, 6000, 1, 100, 41);	/* the 100 ahead of a */
	m_E(&s, 1, 7000, 2, 30, 42);	/* a: 30 of 50 */
	m_E(&s, 1, 8000, 2, 70, 43);	/* a: the last 20, then 50 of the 100 between: b's queue 50 */
	m_E(&s, 1, 9000, 3, 80, 44);	/* b: 50 more of queue, then 30 */
	x = open_stream(&s);

	run(x, 1000);
	a = day(x, 'B', 50, P(10, 0), 2000);
	run(x, 3000);
	b = day(x, 'B', 40, P(10, 0), 4000);
	CU_ASSERT_EQUAL(queue_of(x, a), 100);
	CU_ASSERT_EQUAL(queue_of(x, b), 200);
	run(x, 5000);
	CU_ASSERT_EQUAL(queue_of(x, a), 100);
	CU_ASSERT_EQUAL(queue_of(x, b), 200);
	run(x, 6000);
	CU_ASSERT_EQUAL(queue_of(x, a), 0);
	CU_ASSERT_EQUAL(queue_of(x, b), 100);
	CU_ASSERT_EQUAL(fx.nev, 2);
	run(x, 7000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 3);
	CU_ASSERT_TRUE(is_fill(&fx.ev[2], a, 30, P(10, 0), 20, 0));
	CU_ASSERT_EQUAL(queue_of(x, b), 100);
	run(x, 8000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 4);
	CU_ASSERT_TRUE(is_fill(&fx.ev[3], a, 20, P(10, 0), 0, 0));
	CU_ASSERT_EQUAL(queue_of(x, b), 50);
	run(x, 9000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 5);
	CU_ASSERT_TRUE(is_fill(&fx.ev[4], b, 30, P(10, 0), 10, 0));
	CU_ASSERT_EQUAL(queue_of(x, b), 0);
}

static void test_hidden_queues_behind_later_displayed(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	uint64_t h;

	m_A(&s, 1, 1000, 1, 'B', 100, "AAPL", P(10, 0));
	m_F(&s, 1, 3000, 2, 'B', 200, "AAPL", P(10, 0));	/* displayed, later: ahead of the hidden order */
	m_A(&s, 1, 3000, 3, 'B', 200, "AAPL", P(9, 99));	/* another level */
	m_E(&s, 1, 4000, 1, 100, 51);
	m_E(&s, 1, 5000, 2, 200, 52);		/* the level's displayed volume is gone: nothing yet */
	m_E(&s, 1, 6000, 3, 80, 53);		/* a seller went through 10.00 */
	x = open_stream(&s);

	run(x, 1000);
	h = enter_full(x, 1, 'B', TG_MATCH_LIMIT, TG_MATCH_DAY, true, 100, P(10, 0), 2000, TG_OK);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 1);
	CU_ASSERT_EQUAL(fx.ev[0].type, TG_MATCH_EV_ADD);
	CU_ASSERT_TRUE(fx.ev[0].hidden);
	CU_ASSERT_EQUAL(queue_of(x, h), 100);
	run(x, 3000);
	CU_ASSERT_EQUAL(queue_of(x, h), 300);
	run(x, 4000);
	CU_ASSERT_EQUAL(queue_of(x, h), 200);
	run(x, 5000);
	CU_ASSERT_EQUAL(queue_of(x, h), 0);
	CU_ASSERT_EQUAL(fx.nev, 1);
	run(x, 6000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 2);
	CU_ASSERT_TRUE(fx.ev[1].hidden);
	CU_ASSERT_TRUE(is_fill(&fx.ev[1], h, 80, P(10, 0), 20, 0));
}

/* ---- trade-through ---- */

static void test_trade_through(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	uint64_t b1, b2, s1;

	m_A(&s, 1, 1000, 1, 'B', 1000, "AAPL", P(10, 0));
	m_A(&s, 1, 1000, 2, 'S', 1000, "AAPL", P(10, 10));
	m_E(&s, 1, 3000, 1, 120, 61);	/* a seller hit 10.00: through 10.02 first */
	m_E(&s, 1, 4000, 1, 100, 62);	/* 10.02: the last 30, then 10.01: 70 */
	m_C(&s, 1, 5000, 2, 60, 63, P(10, 10));	/* a buyer lifted 10.10: through the sell at 10.05 */
	x = open_stream(&s);

	run(x, 1000);
	b1 = day(x, 'B', 150, P(10, 2), 2000);
	b2 = day(x, 'B', 100, P(10, 1), 2000);
	s1 = day(x, 'S', 50, P(10, 5), 2000);
	CU_ASSERT_EQUAL(fx.nev, 3);
	CU_ASSERT_EQUAL(queue_of(x, b1), 0);
	run(x, 3000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 4);
	CU_ASSERT_TRUE(is_fill(&fx.ev[3], b1, 120, P(10, 2), 30, 0));
	run(x, 4000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 6);
	CU_ASSERT_TRUE(is_fill(&fx.ev[4], b1, 30, P(10, 2), 0, 0));
	CU_ASSERT_TRUE(is_fill(&fx.ev[5], b2, 70, P(10, 1), 30, 0));
	run(x, 5000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 7);
	CU_ASSERT_TRUE(is_fill(&fx.ev[6], s1, 50, P(10, 5), 0, 0));
	CU_ASSERT_EQUAL(fx.ev[6].side, 'S');
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->fills_by[TG_XREPLAY_FILL_THROUGH], 4);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->shares_by[TG_XREPLAY_FILL_THROUGH], 270);
}

static void test_trade_through_ignores_queue(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	uint64_t b;

	m_A(&s, 1, 1000, 1, 'B', 500, "AAPL", P(10, 1));
	m_A(&s, 1, 1000, 2, 'B', 500, "AAPL", P(10, 0));
	m_E(&s, 1, 3000, 2, 80, 71);	/* traded at 10.00: 10.01 traded through, its queue does not matter */
	m_P(&s, 1, 4000, 'B', 100, "AAPL", P(9, 90), 72);	/* P: hidden trades do not fill (no side) */
	x = open_stream(&s);

	run(x, 1000);
	b = day(x, 'B', 100, P(10, 1), 2000);
	CU_ASSERT_EQUAL(queue_of(x, b), 500);
	run(x, 3000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 2);
	CU_ASSERT_TRUE(is_fill(&fx.ev[1], b, 80, P(10, 1), 20, 0));
	CU_ASSERT_EQUAL(queue_of(x, b), 500);
	run(x, 4000);
	CU_ASSERT_EQUAL(fx.nev, 2);
}

/* ---- taking liquidity ---- */

static void test_marketable_entry(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	struct tg_xreplay_level lv;
	uint64_t a, b, c, d, e;

	m_A(&s, 1, 1000, 10, 'S', 100, "AAPL", P(10, 1));
	m_A(&s, 1, 1000, 11, 'S', 200, "AAPL", P(10, 2));
	m_A(&s, 1, 1000, 12, 'S', 300, "AAPL", P(10, 3));
	m_A(&s, 1, 1000, 20, 'B', 300, "AAPL", P(9, 99));
	m_E(&s, 1, 3000, 11, 100, 81);			/* 200 -> 100, all taken: still nothing available */
	m_U(&s, 1, 4000, 10, 13, 100, P(10, 1));	/* refreshed: available again */
	x = open_stream(&s);

	run(x, 1000);
	/* 250 at up to 10.02: 100 at 10.01 and 150 of 200 at 10.02, nothing rests */
	a = day(x, 'B', 250, P(10, 2), 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 2);
	CU_ASSERT_TRUE(is_take(&fx.ev[0], 10, 100, P(10, 1), 0, a, 'S'));
	CU_ASSERT_TRUE(is_take(&fx.ev[1], 11, 150, P(10, 2), 50, a, 'S'));
	CU_ASSERT_EQUAL(fx.ev[0].ts_ns, 2000);
	CU_ASSERT_EQUAL(fx.ev[1].match, fx.ev[0].match + 1);
	CU_ASSERT_EQUAL(queue_of(x, a), NOT_RESTING);
	/* the historical book is not changed; what is available is */
	CU_ASSERT_EQUAL(tg_xreplay_level(x, 1, 'S', 0, &lv), TG_OK);
	CU_ASSERT_EQUAL(lv.price, P(10, 1));
	CU_ASSERT_EQUAL(lv.shares, 100);
	CU_ASSERT_EQUAL(lv.available, 0);
	CU_ASSERT_EQUAL(tg_xreplay_level(x, 1, 'S', 1, &lv), TG_OK);
	CU_ASSERT_EQUAL(lv.shares, 200);
	CU_ASSERT_EQUAL(lv.available, 50);

	/* the same liquidity is not there twice: IOC 200 at 10.02 gets the 50 left */
	b = enter_full(x, 1, 'B', TG_MATCH_LIMIT, TG_MATCH_IOC, false, 200, P(10, 2), 2100, TG_OK);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 4);
	CU_ASSERT_TRUE(is_take(&fx.ev[2], 11, 50, P(10, 2), 0, b, 'S'));
	CU_ASSERT_EQUAL(fx.ev[3].type, TG_MATCH_EV_EXPIRE);
	CU_ASSERT_EQUAL(fx.ev[3].aggressor_ref, b);
	CU_ASSERT_EQUAL(fx.ev[3].aggressor_owner, OWNER);
	CU_ASSERT_EQUAL(fx.ev[3].shares, 150);
	CU_ASSERT_EQUAL(fx.ev[3].ref, 0);

	/* a market order goes to the next level */
	c = enter_full(x, 1, 'B', TG_MATCH_MARKET, TG_MATCH_IOC, false, 100, 0, 2200, TG_OK);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 5);
	CU_ASSERT_TRUE(is_take(&fx.ev[4], 12, 100, P(10, 3), 200, c, 'S'));

	/* a sell into the bids */
	d = enter_full(x, 1, 'S', TG_MATCH_LIMIT, TG_MATCH_IOC, false, 100, P(9, 99), 2300, TG_OK);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 6);
	CU_ASSERT_TRUE(is_take(&fx.ev[5], 20, 100, P(9, 99), 200, d, 'B'));

	run(x, 3000);	/* 11 executed down to 100 shares: they stay taken */
	CU_ASSERT_EQUAL(tg_xreplay_level(x, 1, 'S', 1, &lv), TG_OK);
	CU_ASSERT_EQUAL(lv.shares, 100);
	CU_ASSERT_EQUAL(lv.available, 0);
	e = enter_full(x, 1, 'B', TG_MATCH_LIMIT, TG_MATCH_IOC, false, 100, P(10, 2), 3100, TG_OK);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 7);
	CU_ASSERT_EQUAL(fx.ev[6].type, TG_MATCH_EV_EXPIRE);
	CU_ASSERT_EQUAL(fx.ev[6].aggressor_ref, e);
	CU_ASSERT_EQUAL(fx.ev[6].shares, 100);

	run(x, 4000);	/* 10 replaced by 13: fresh liquidity */
	e = enter_full(x, 1, 'B', TG_MATCH_LIMIT, TG_MATCH_IOC, false, 100, P(10, 1), 4100, TG_OK);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 8);
	CU_ASSERT_TRUE(is_take(&fx.ev[7], 13, 100, P(10, 1), 0, e, 'S'));

	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->app_orders, 6);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->fills_by[TG_XREPLAY_FILL_TAKE], 6);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->shares_by[TG_XREPLAY_FILL_TAKE], 600);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->shares_filled, 600);
}

static void test_remainder_rests_and_is_crossed(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	uint64_t a;

	m_A(&s, 1, 1000, 10, 'S', 100, "AAPL", P(10, 1));
	m_A(&s, 1, 3000, 14, 'S', 50, "AAPL", P(10, 2));	/* crosses the appliance bid at 10.03 */
	m_A(&s, 1, 4000, 15, 'S', 100, "AAPL", P(10, 4));	/* does not cross */
	x = open_stream(&s);

	run(x, 1000);
	a = day(x, 'B', 200, P(10, 3), 2000);	/* takes 100 at 10.01, 100 rest at 10.03 */
	CU_ASSERT_EQUAL_FATAL(fx.nev, 2);
	CU_ASSERT_TRUE(is_take(&fx.ev[0], 10, 100, P(10, 1), 0, a, 'S'));
	CU_ASSERT_EQUAL(fx.ev[1].type, TG_MATCH_EV_ADD);
	CU_ASSERT_EQUAL(fx.ev[1].ref, a);
	CU_ASSERT_EQUAL(fx.ev[1].shares, 100);
	CU_ASSERT_EQUAL(queue_of(x, a), 0);
	run(x, 3000);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 3);
	CU_ASSERT_TRUE(is_fill(&fx.ev[2], a, 50, P(10, 3), 50, 14));
	run(x, 4000);
	CU_ASSERT_EQUAL(fx.nev, 3);
	/* the crossing order's shares were taken */
	enter_full(x, 1, 'B', TG_MATCH_LIMIT, TG_MATCH_IOC, false, 10, P(10, 2), 4100, TG_OK);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 4);
	CU_ASSERT_EQUAL(fx.ev[3].type, TG_MATCH_EV_EXPIRE);
	CU_ASSERT_EQUAL(fx.ev[3].shares, 10);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->fills_by[TG_XREPLAY_FILL_CROSS], 1);
}

/* ---- replace and reduce ---- */

static void test_replace_rules(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	uint64_t a, r, r2;

	m_A(&s, 1, 1000, 1, 'B', 100, "AAPL", P(10, 0));
	m_A(&s, 1, 1000, 2, 'B', 200, "AAPL", P(10, 0));
	m_A(&s, 1, 1000, 7, 'B', 70, "AAPL", P(9, 99));
	m_A(&s, 1, 1000, 8, 'S', 40, "AAPL", P(10, 5));
	m_A(&s, 1, 1000, 9, 'S', 100, "AAPL", P(10, 6));
	m_X(&s, 1, 3000, 1, 50);
	m_A(&s, 1, 3000, 3, 'B', 100, "AAPL", P(10, 0));	/* behind it */
	x = open_stream(&s);

	run(x, 1000);
	a = day(x, 'B', 100, P(10, 0), 2000);
	run(x, 3000);
	CU_ASSERT_EQUAL(queue_of(x, a), 250);
	fx.nev = 0;

	/* size down at the same price: same reference, queue kept */
	CU_ASSERT_EQUAL(tg_xreplay_replace(x, a, 80, P(10, 0), false, 3100, &r), TG_OK);
	CU_ASSERT_EQUAL(r, a);
	CU_ASSERT_EQUAL(queue_of(x, a), 250);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 1);
	CU_ASSERT_EQUAL(fx.ev[0].type, TG_MATCH_EV_CANCEL);
	CU_ASSERT_EQUAL(fx.ev[0].ref, a);
	CU_ASSERT_EQUAL(fx.ev[0].shares, 20);
	CU_ASSERT_EQUAL(fx.ev[0].remaining, 80);
	/* no change at all: nothing */
	CU_ASSERT_EQUAL(tg_xreplay_replace(x, a, 80, P(10, 0), false, 3150, &r), TG_OK);
	CU_ASSERT_EQUAL(r, a);
	CU_ASSERT_EQUAL(fx.nev, 1);
	/* reduce keeps it too */
	CU_ASSERT_EQUAL(tg_xreplay_reduce(x, a, 70, 3160), TG_OK);
	CU_ASSERT_EQUAL(queue_of(x, a), 250);
	CU_ASSERT_EQUAL(tg_xreplay_reduce(x, a, 70, 3160), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_xreplay_reduce(x, a, 71, 3160), TG_ERR_ARG);
	CU_ASSERT_EQUAL(fx.nev, 2);

	/* size up: a new reference at the back (the level's 350 displayed now) */
	CU_ASSERT_EQUAL(tg_xreplay_replace(x, a, 120, P(10, 0), false, 3200, &r), TG_OK);
	CU_ASSERT_NOT_EQUAL(r, a);
	CU_ASSERT_TRUE(r > a);
	CU_ASSERT_EQUAL(queue_of(x, a), NOT_RESTING);
	CU_ASSERT_EQUAL(queue_of(x, r), 350);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 3);
	CU_ASSERT_EQUAL(fx.ev[2].type, TG_MATCH_EV_REPLACE);
	CU_ASSERT_EQUAL(fx.ev[2].ref, a);
	CU_ASSERT_EQUAL(fx.ev[2].new_ref, r);
	CU_ASSERT_EQUAL(fx.ev[2].shares, 120);
	CU_ASSERT_EQUAL(fx.ev[2].price, P(10, 0));
	CU_ASSERT_EQUAL(fx.ev[2].owner, OWNER);
	CU_ASSERT_EQUAL(tg_xreplay_reduce(x, a, 1, 3200), TG_ERR_NOENT);

	/* a new price: behind the 70 there */
	CU_ASSERT_EQUAL(tg_xreplay_replace(x, r, 120, P(9, 99), false, 3300, &r2), TG_OK);
	CU_ASSERT_EQUAL(queue_of(x, r2), 70);
	r = r2;
	/* hidden at the same price and size: a new order too */
	CU_ASSERT_EQUAL(tg_xreplay_replace(x, r, 120, P(9, 99), true, 3400, &r2), TG_OK);
	CU_ASSERT_NOT_EQUAL(r2, r);
	r = r2;

	/* a marketable price: takes at once, the rest rests under the new reference */
	fx.nev = 0;
	CU_ASSERT_EQUAL(tg_xreplay_replace(x, r, 60, P(10, 5), false, 3500, &r2), TG_OK);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 2);
	CU_ASSERT_EQUAL(fx.ev[0].type, TG_MATCH_EV_REPLACE);
	CU_ASSERT_EQUAL(fx.ev[0].new_ref, r2);
	CU_ASSERT_TRUE(is_take(&fx.ev[1], 8, 40, P(10, 5), 0, r2, 'S'));
	CU_ASSERT_EQUAL(open_shares(x, r2), 20);
	CU_ASSERT_EQUAL(queue_of(x, r2), 0);
	r = r2;

	/* filled in full: a CANCEL of the new reference follows */
	fx.nev = 0;
	CU_ASSERT_EQUAL(tg_xreplay_replace(x, r, 20, P(10, 6), false, 3600, &r2), TG_OK);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 3);
	CU_ASSERT_EQUAL(fx.ev[0].type, TG_MATCH_EV_REPLACE);
	CU_ASSERT_TRUE(is_take(&fx.ev[1], 9, 20, P(10, 6), 80, r2, 'S'));
	CU_ASSERT_EQUAL(fx.ev[2].type, TG_MATCH_EV_CANCEL);
	CU_ASSERT_EQUAL(fx.ev[2].ref, r2);
	CU_ASSERT_EQUAL(fx.ev[2].remaining, 0);
	CU_ASSERT_EQUAL(queue_of(x, r2), NOT_RESTING);

	/* reduce to 0 deletes */
	a = day(x, 'B', 10, P(9, 0), 3700);
	fx.nev = 0;
	CU_ASSERT_EQUAL(tg_xreplay_reduce(x, a, 0, 3800), TG_OK);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 1);
	CU_ASSERT_EQUAL(fx.ev[0].type, TG_MATCH_EV_CANCEL);
	CU_ASSERT_EQUAL(fx.ev[0].shares, 10);
	CU_ASSERT_EQUAL(fx.ev[0].remaining, 0);
	CU_ASSERT_EQUAL(fx.ev[0].ts_ns, 3800);
	CU_ASSERT_EQUAL(queue_of(x, a), NOT_RESTING);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->app_resting, 0);

	/* bad arguments */
	CU_ASSERT_EQUAL(tg_xreplay_replace(x, 12345, 1, 1, false, 1, &r), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(tg_xreplay_replace(x, a, 0, 1, false, 1, &r), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_xreplay_replace(x, a, 1, 0, false, 1, &r), TG_ERR_ARG);
	enter_full(x, 1, 'X', TG_MATCH_LIMIT, TG_MATCH_DAY, false, 1, 1, 1, TG_ERR_ARG);
	enter_full(x, 1, 'B', TG_MATCH_LIMIT, TG_MATCH_DAY, false, 0, 1, 1, TG_ERR_ARG);
	enter_full(x, 1, 'B', TG_MATCH_LIMIT, TG_MATCH_DAY, false, 1, 0, 1, TG_ERR_ARG);
	enter_full(x, 0, 'B', TG_MATCH_LIMIT, TG_MATCH_DAY, false, 1, 1, 1, TG_ERR_ARG);
	enter_full(x, 1, 'B', 7, TG_MATCH_DAY, false, 1, 1, 1, TG_ERR_ARG);
	enter_full(x, 1, 'B', TG_MATCH_LIMIT, 9, false, 1, 1, 1, TG_ERR_ARG);
}

/* ---- halts ---- */

static void test_halts_refuse_orders(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	struct tg_venue v;
	struct tg_match_order o = {
		.instrument = 1, .side = 'B', .shares = 10, .price = P(10, 0), .owner = OWNER,
	};
	uint64_t a, r;

	m_A(&s, 1, 1000, 1, 'B', 100, "AAPL", P(10, 0));
	m_H(&s, 1, 2000, "AAPL", 'H');
	m_H(&s, 1, 3000, "AAPL", 'P');
	m_H(&s, 1, 4000, "AAPL", 'T');
	m_H(&s, 2, 4000, "MSFT", 'H');
	x = open_stream(&s);
	tg_venue_of_replay(&v, x);

	run(x, 1000);
	a = day(x, 'B', 50, P(10, 0), 1500);
	CU_ASSERT_FALSE(v.ops->halted(v.venue, 1));
	run(x, 2000);
	CU_ASSERT_TRUE(v.ops->halted(v.venue, 1));
	CU_ASSERT_TRUE(tg_xreplay_halted(x, 1));
	CU_ASSERT_EQUAL(v.ops->enter(v.venue, &o, 2100, &r), TG_ERR_STATE);
	CU_ASSERT_EQUAL(v.ops->replace(v.venue, a, 60, P(10, 0), false, 2100, &r), TG_ERR_STATE);
	CU_ASSERT_EQUAL(v.ops->reduce(v.venue, a, 40, 2100), TG_OK);
	CU_ASSERT_EQUAL(open_shares(x, a), 40);
	run(x, 3000);
	CU_ASSERT_TRUE(tg_xreplay_halted(x, 1));
	CU_ASSERT_EQUAL(v.ops->enter(v.venue, &o, 3100, &r), TG_ERR_STATE);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->app_refused_halted, 3);
	run(x, 4000);
	CU_ASSERT_FALSE(tg_xreplay_halted(x, 1));
	CU_ASSERT_TRUE(tg_xreplay_halted(x, 2));
	CU_ASSERT_EQUAL(v.ops->enter(v.venue, &o, 4100, &r), TG_OK);
	CU_ASSERT_EQUAL(v.ops->replace(v.venue, a, 60, P(10, 0), false, 4100, &r), TG_OK);
	o.instrument = 2;
	CU_ASSERT_EQUAL(v.ops->enter(v.venue, &o, 4100, &r), TG_ERR_STATE);
	/* no HALT event: the H messages themselves were passed out */
	for (size_t i = 0; i < fx.nev; i++)
		CU_ASSERT_NOT_EQUAL(fx.ev[i].type, TG_MATCH_EV_HALT);
	CU_ASSERT_EQUAL(fx.nmsg, 5);
}

/* ---- pacing ---- */

static void test_pacing(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	uint64_t n = 99;
	size_t off[6], k = 0;

	off[k++] = s.n;
	m_S(&s, 1000, 'O');
	off[k++] = s.n;
	m_A(&s, 1, 2000, 1, 'B', 100, "AAPL", P(10, 0));
	off[k++] = s.n;
	m_A(&s, 1, 2000, 2, 'B', 100, "AAPL", P(10, 0));
	off[k++] = s.n;
	m_X(&s, 1, 1500, 1, 10);	/* stamped earlier: due at once, at 2000 */
	off[k++] = s.n;
	m_S(&s, 34200000000000ull, 'Q');	/* 09:30:00 */
	off[k] = s.n;
	x = open_stream(&s);

	CU_ASSERT_EQUAL(tg_xreplay_next_ns(x), 1000);
	CU_ASSERT_EQUAL(tg_xreplay_run_until(x, 999, &n), TG_OK);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(fx.nmsg, 0);
	CU_ASSERT_EQUAL(tg_xreplay_run_until(x, 1000, &n), TG_OK);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(tg_xreplay_next_ns(x), 2000);
	CU_ASSERT_EQUAL(tg_xreplay_run_until(x, 1999, &n), TG_OK);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(tg_xreplay_step(x), 1);
	CU_ASSERT_EQUAL(tg_xreplay_step(x), 1);
	CU_ASSERT_EQUAL(tg_xreplay_next_ns(x), 2000);	/* stamped 1500, after 2000: due now */
	CU_ASSERT_EQUAL(tg_xreplay_run_until(x, 2000, &n), TG_OK);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(tg_xreplay_next_ns(x), 34200000000000ull);
	CU_ASSERT_EQUAL(tg_xreplay_run_until(x, 34199999999999ull, &n), TG_OK);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_FALSE(tg_xreplay_done(x));
	CU_ASSERT_EQUAL(tg_xreplay_step(x), 1);
	CU_ASSERT_TRUE(tg_xreplay_done(x));
	CU_ASSERT_EQUAL(tg_xreplay_step(x), 0);
	CU_ASSERT_EQUAL(tg_xreplay_next_ns(x), TG_XREPLAY_NO_TIME);
	CU_ASSERT_EQUAL(tg_xreplay_run_until(x, UINT64_MAX, &n), TG_OK);
	CU_ASSERT_EQUAL(n, 0);

	/* every message passed out unchanged, with its time */
	CU_ASSERT_EQUAL_FATAL(fx.nmsg, 5);
	for (size_t i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(fx.msg_len[i], off[i + 1] - off[i] - 2);
		CU_ASSERT_EQUAL(memcmp(fx.msg[i], s.b + off[i] + 2, fx.msg_len[i]), 0);
	}
	CU_ASSERT_EQUAL(fx.msg_ts[0], 1000);
	CU_ASSERT_EQUAL(fx.msg_ts[1], 2000);
	CU_ASSERT_EQUAL(fx.msg_ts[2], 2000);
	CU_ASSERT_EQUAL(fx.msg_ts[3], 2000);
	CU_ASSERT_EQUAL(fx.msg_ts[4], 34200000000000ull);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->by_type['S'], 2);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->by_type['X'], 1);
}

/* ---- symbols ---- */

static void test_symbol_filter(void)
{
	static struct stream s;
	const char *syms[] = { "BBB", "CCC" };
	struct tg_xreplay_config cfg = { .symbols = syms, .n_symbols = 2 };
	struct tg_xreplay *x;

	m_S(&s, 100, 'O');
	m_R(&s, 1, 200, "AAA");
	m_R(&s, 2, 200, "BBB");
	m_A(&s, 1, 300, 1, 'B', 100, "AAA", P(1, 0));
	m_A(&s, 2, 300, 2, 'B', 100, "BBB", P(2, 0));
	m_E(&s, 2, 400, 2, 10, 91);
	m_E(&s, 1, 400, 1, 10, 92);
	m_D(&s, 3, 450, 77);				/* locate 3 not named yet: filtered */
	m_A(&s, 3, 500, 3, 'S', 100, "CCC", P(3, 0));	/* no R for CCC: learned from the add */
	m_X(&s, 3, 600, 3, 10);
	m_D(&s, 4, 700, 4);				/* never named */
	x = open_cfg(&s, &cfg);

	run(x, UINT64_MAX);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->messages, 6);	/* S, R BBB, A, E, A CCC, X */
	CU_ASSERT_EQUAL(fx.nmsg, 6);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->filtered, 5);
	CU_ASSERT_EQUAL(fx.msg[1][0], 'R');
	CU_ASSERT_EQUAL(fx.msg[1][2], 2);
	CU_ASSERT_EQUAL(tg_xreplay_locate_of(x, "BBB"), 2);
	CU_ASSERT_EQUAL(tg_xreplay_locate_of(x, "CCC"), 3);
	CU_ASSERT_EQUAL(tg_xreplay_locate_of(x, "AAA"), 1);	/* known, filtered */
	CU_ASSERT_EQUAL(tg_xreplay_locate_of(x, "ZZZ"), -1);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->unknown_ref, 0);
	enter_full(x, 1, 'B', TG_MATCH_LIMIT, TG_MATCH_DAY, false, 1, P(1, 0), 800, TG_ERR_ARG);
	enter_full(x, 4, 'B', TG_MATCH_LIMIT, TG_MATCH_DAY, false, 1, P(1, 0), 800, TG_ERR_ARG);
	enter_full(x, 3, 'B', TG_MATCH_LIMIT, TG_MATCH_DAY, false, 1, P(1, 0), 800, TG_OK);
	CU_ASSERT_EQUAL(tg_xreplay_feed_stats(x)->messages, 11);
}

static void test_caller_locate_map(void)
{
	static struct stream s;
	const char *syms[] = { "DDD" };
	const struct tg_xreplay_locate map[] = { { 5, "DDD" }, { 6, "EEE" } };
	struct tg_xreplay_config cfg = { .symbols = syms, .n_symbols = 1, .locates = map, .n_locates = 2 };
	struct tg_xreplay *x;
	struct tg_xreplay_config bad = cfg;
	const char *long_sym[] = { "TOOLONGSYM" };
	struct tg_xreplay *y = NULL;

	m_D(&s, 5, 100, 50);	/* an order from before the capture: replayed, unknown to the book */
	m_D(&s, 6, 100, 60);
	m_R(&s, 6, 200, "DDD");	/* the capture says otherwise: it wins */
	m_D(&s, 6, 300, 61);
	x = open_cfg(&s, &cfg);
	run(x, UINT64_MAX);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->messages, 3);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->filtered, 1);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->unknown_ref, 2);
	CU_ASSERT_EQUAL(tg_xreplay_locate_of(x, "EEE"), -1);

	bad.symbols = long_sym;
	bad.path = "/nonexistent";
	CU_ASSERT_EQUAL(tg_xreplay_open(&bad, &y, NULL, 0), TG_ERR_ARG);
	CU_ASSERT_PTR_NULL(y);
}

/* ---- references, callbacks, files ---- */

static void test_reference_spaces_and_callbacks(void)
{
	static struct stream s;
	struct tg_xreplay *x;
	uint64_t a;

	m_A(&s, 1, 1000, TG_XREPLAY_REF_BASE + 1, 'B', 100, "AAPL", P(10, 0));	/* never in a real capture */
	m_A(&s, 1, 1000, 2, 'B', 100, "AAPL", P(10, 0));
	m_A(&s, 1, 1000, 2, 'B', 100, "AAPL", P(10, 0));	/* duplicate */
	m_A(&s, 1, 1000, 3, 'B', 0, "AAPL", P(10, 0));		/* zero shares */
	m_A(&s, 1, 1600, 4, 'B', 100, "AAPL", P(10, 0));	/* behind the appliance order */
	m_E(&s, 1, 2000, 99, 10, 1);				/* unknown */
	m_E(&s, 1, 3000, 2, 100, 2);
	m_E(&s, 1, 3500, TG_XREPLAY_REF_BASE + 1, 100, 3);
	m_E(&s, 1, 4000, 4, 50, 4);
	x = open_stream(&s);
	run(x, 1000);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->ref_collisions, 1);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->duplicate_ref, 1);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->zero_shares, 1);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->historical_orders, 2);
	a = day(x, 'B', 100, P(10, 0), 1500);
	CU_ASSERT_EQUAL(a, TG_XREPLAY_REF_BASE + 1);	/* separate tables: no confusion */
	CU_ASSERT_EQUAL(queue_of(x, a), 200);
	run(x, 3500);
	CU_ASSERT_EQUAL(queue_of(x, a), 0);
	fx.reenter = true;
	run(x, 4000);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->unknown_ref, 1);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 2);
	CU_ASSERT_TRUE(is_fill(&fx.ev[1], a, 50, P(10, 0), 50, 0));
	CU_ASSERT_EQUAL(fx.reenter_rc[0], TG_ERR_STATE);
	CU_ASSERT_EQUAL(fx.reenter_rc[1], TG_ERR_STATE);
	CU_ASSERT_EQUAL(fx.reenter_rc[2], TG_ERR_STATE);
	CU_ASSERT_EQUAL(fx.reenter_rc[3], TG_ERR_STATE);
	CU_ASSERT_EQUAL(fx.reenter_rc[4], TG_ERR_STATE);
	CU_ASSERT_TRUE(fx.query_ok);	/* queries work and see the fill */
	CU_ASSERT_EQUAL(open_shares(x, a), 50);
	/* the historical order was executed in the book regardless */
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->historical_orders, 1);
}

static void test_damaged_files(void)
{
	static struct stream s;
	struct tg_xreplay_config cfg = { .path = "/nonexistent/capture.itch" };
	struct tg_xreplay *x = NULL;
	char err[256] = "";
	uint64_t n = 0;

	CU_ASSERT_EQUAL(tg_xreplay_open(&cfg, &x, err, sizeof(err)), TG_ERR_NOENT);
	CU_ASSERT_PTR_NULL(x);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/capture.itch"));

	m_S(&s, 100, 'O');
	m_A(&s, 1, 200, 1, 'B', 100, "AAPL", P(10, 0));
	s.n -= 5;	/* the add is cut short */
	x = open_stream(&s);
	CU_ASSERT_EQUAL(tg_xreplay_run_until(x, UINT64_MAX, &n), TG_ERR_IO);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(fx.nmsg, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(tg_xreplay_error(x), "offset 14"));
	CU_ASSERT_TRUE(tg_xreplay_done(x));
	CU_ASSERT_EQUAL(tg_xreplay_next_ns(x), TG_XREPLAY_NO_TIME);
}

/* ---- a long random stream ---- */

/*
 * Seeded random order flow on three instruments (adds, executions,
 * cancels, deletes, replaces, references unknown to the book) with
 * appliance orders entered, reduced and replaced among it. After every
 * step: the historical book equals the project's C book (sw/book.c) fed
 * the bytes the replay passed out, level by level; every appliance order
 * has exactly the open shares its events say, and never more queue ahead
 * than its level displays.
 */
struct live {
	uint64_t ref;
	uint16_t loc;
	char side;
	uint32_t shares;
	uint32_t px;
};

struct tracked {
	uint64_t ref;
	int64_t open;
};

#define RLIVE 4096
#define RTRACK 16384

static struct {
	struct tg_book *book;
	uint64_t seq;
	struct tracked t[RTRACK];
	unsigned nt;
	bool bad;
} rnd;

static uint64_t rng_state;

static uint32_t rng(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static struct tracked *find(uint64_t ref)
{
	for (unsigned i = 0; i < rnd.nt; i++)
		if (rnd.t[i].ref == ref)
			return &rnd.t[i];
	return NULL;
}

static struct tracked *track(uint64_t ref)
{
	struct tracked *t = find(ref);

	if (t != NULL)
		return t;
	if (rnd.nt == RTRACK)
		return NULL;
	rnd.t[rnd.nt] = (struct tracked){ .ref = ref };
	return &rnd.t[rnd.nt++];
}

static void rnd_event(void *ctx, const struct tg_match_event *e)
{
	struct tracked *t;

	(void)ctx;
	switch (e->type) {
	case TG_MATCH_EV_ADD:
		t = track(e->ref);
		if (t != NULL)
			t->open = e->shares;
		break;
	case TG_MATCH_EV_EXECUTE:
		if (e->owner == OWNER) {
			t = track(e->ref);
			if (t != NULL) {
				t->open -= e->shares;
				if (t->open != (int64_t)e->remaining || e->aggressor_owner != HIST)
					rnd.bad = true;
			}
		} else if (e->aggressor_owner == OWNER && e->owner == HIST) {
			/* a replace's new order (an entered one is not known yet: its ADD says what rests) */
			t = find(e->aggressor_ref);
			if (t != NULL)
				t->open -= e->shares;
		} else {
			rnd.bad = true;
		}
		break;
	case TG_MATCH_EV_CANCEL:
		t = track(e->ref);
		if (t != NULL) {
			t->open -= e->shares;
			if (t->open != (int64_t)e->remaining)
				rnd.bad = true;
		}
		break;
	case TG_MATCH_EV_REPLACE:
		t = track(e->ref);
		if (t != NULL)
			t->open = 0;
		t = track(e->new_ref);
		if (t != NULL)
			t->open = e->shares;
		break;
	case TG_MATCH_EV_EXPIRE:
		break;
	default:
		rnd.bad = true;
	}
}

static void rnd_message(void *ctx, const uint8_t *m, size_t len, uint64_t ts)
{
	(void)ctx;
	(void)ts;
	tg_book_apply(rnd.book, m, len, ++rnd.seq);
}

static bool books_equal(struct tg_xreplay *x)
{
	static struct tg_book_level lv[4096];

	for (uint16_t loc = 1; loc <= 3; loc++) {
		for (int k = 0; k < 2; k++) {
			char side = k == 0 ? 'B' : 'S';
			unsigned n = tg_book_levels(rnd.book, loc, side, lv, 4096);
			struct tg_xreplay_level l;

			for (unsigned i = 0; i < n; i++) {
				if (tg_xreplay_level(x, loc, side, i, &l) != TG_OK || l.price != lv[i].price ||
				    l.shares != lv[i].shares || l.orders != lv[i].orders || l.available > l.shares)
					return false;
			}
			if (tg_xreplay_level(x, loc, side, n, &l) != TG_ERR_NOENT)
				return false;
		}
	}
	return true;
}

static bool appliance_consistent(struct tg_xreplay *x)
{
	for (unsigned i = 0; i < rnd.nt; i++) {
		struct tg_xreplay_resting r;
		int rc = tg_xreplay_order(x, rnd.t[i].ref, &r);

		if (rnd.t[i].open <= 0) {
			if (rc != TG_ERR_NOENT || rnd.t[i].open < 0)
				return false;
			continue;
		}
		if (rc != TG_OK || r.shares != rnd.t[i].open)
			return false;
		/* what is ahead is displayed at the level (plus nothing) */
		uint64_t total = 0;
		struct tg_xreplay_level l;

		for (unsigned k = 0; tg_xreplay_level(x, r.instrument, r.side, k, &l) == TG_OK; k++)
			if (l.price == r.price)
				total = l.shares;
		if (r.queue_ahead > total)
			return false;
	}
	return true;
}

static void test_random_stream(void)
{
	static struct stream s;
	static struct live lv[RLIVE];
	struct tg_book_config bcfg = { .order_capacity_log2 = 18, .ways = 16, .depth = 0 };
	struct tg_xreplay_config cfg = { 0 };
	const char *syms[3] = { "AAA", "BBB", "CCC" };
	unsigned n = 0, mismatches = 0, inconsistent = 0;
	uint64_t next_ref = 1, match = 1, ts = 1000, ops = 0;
	char path[512];
	const struct tg_xreplay_stats *st;
	struct tg_xreplay *x;

	rng_state = 0x9e3779b97f4a7c15ull;
	memset(&rnd, 0, sizeof(rnd));
	s.n = 0;
	for (uint16_t loc = 1; loc <= 3; loc++)
		m_R(&s, loc, ts, syms[loc - 1]);
	for (unsigned i = 0; i < 30000; i++) {
		unsigned op = rng(100);

		ts += 1 + rng(1000);
		if (n < 20 || (op < 35 && n < 1500)) {	/* add around 100.00, one cent apart */
			uint16_t loc = (uint16_t)(1 + rng(3));
			char side = rng(2) ? 'B' : 'S';
			uint32_t px = side == 'B' ? P(100, 0) - 100 * rng(10) : P(100, 1) + 100 * rng(10);
			uint32_t shares = 1 + rng(5) * 100 + rng(100);

			lv[n] = (struct live){ next_ref, loc, side, shares, px };
			if (rng(2))
				m_A(&s, loc, ts, next_ref, side, shares, syms[loc - 1], px);
			else
				m_F(&s, loc, ts, next_ref, side, shares, syms[loc - 1], px);
			next_ref += 1 + rng(3);
			n++;
		} else if (op < 40) {		/* a reference the book never saw */
			m_X(&s, (uint16_t)(1 + rng(3)), ts, 1000000000ull + rng(1000), 10);
		} else {
			unsigned k = rng(n);
			struct live *o;
			uint32_t cut;

			if (op < 70) {	/* executions hit the best level, oldest first */
				uint16_t loc = lv[k].loc;
				char side = lv[k].side;

				for (unsigned j = 0; j < n; j++)
					if (lv[j].loc == loc && lv[j].side == side &&
					    (lv[j].px != lv[k].px ? (side == 'B') == (lv[j].px > lv[k].px)
								   : lv[j].ref < lv[k].ref))
						k = j;
			}
			o = &lv[k];
			cut = 1 + rng(o->shares);
			if (op < 60) {
				m_E(&s, o->loc, ts, o->ref, cut, match++);
			} else if (op < 70) {
				m_C(&s, o->loc, ts, o->ref, cut, match++, P(100, 0));
			} else if (op < 80) {
				m_X(&s, o->loc, ts, o->ref, cut);
			} else if (op < 90) {
				m_D(&s, o->loc, ts, o->ref);
				cut = o->shares;
			} else {
				uint32_t px = o->side == 'B' ? P(100, 0) - 100 * rng(10) : P(100, 1) + 100 * rng(10);
				uint32_t sh = 1 + rng(600);

				m_U(&s, o->loc, ts, o->ref, next_ref, sh, px);
				o->ref = next_ref++;
				o->shares = sh;
				o->px = px;
				continue;
			}
			o->shares -= cut;
			if (o->shares == 0)
				lv[k] = lv[--n];
		}
	}
	CU_ASSERT_EQUAL_FATAL(tg_book_new(&bcfg, NULL, NULL, &rnd.book), TG_OK);
	for (uint16_t loc = 1; loc <= 3; loc++)
		CU_ASSERT_EQUAL(tg_book_subscribe_locate(rnd.book, loc), TG_OK);
	close_fx();
	snprintf(path, sizeof(path), "%s", temp_path());
	write_file(path, s.b, s.n);
	cfg.path = path;
	cfg.message = rnd_message;
	cfg.event = rnd_event;
	CU_ASSERT_EQUAL_FATAL(tg_xreplay_open(&cfg, &x, NULL, 0), TG_OK);

	while (!tg_xreplay_done(x)) {
		uint64_t now = tg_xreplay_next_ns(x) + rng(3000);

		CU_ASSERT_EQUAL(tg_xreplay_run_until(x, now, NULL), TG_OK);
		if (!books_equal(x))
			mismatches++;
		/* the appliance acts */
		for (unsigned k = rng(3); k > 0; k--) {
			unsigned op = rng(10);
			uint16_t loc = (uint16_t)(1 + rng(3));
			uint64_t ref;

			ops++;
			if (op < 6 || rnd.nt == 0) {
				char side = rng(2) ? 'B' : 'S';
				/* from well behind the touch to through it */
				uint32_t px = side == 'B' ? P(99, 95) + 100 * rng(12) : P(100, 6) - 100 * rng(12);
				struct tg_match_order o = {
					.instrument = loc, .side = side, .type = rng(20) == 0 ? TG_MATCH_MARKET : TG_MATCH_LIMIT,
					.tif = rng(4) == 0 ? TG_MATCH_IOC : TG_MATCH_DAY, .hidden = rng(8) == 0,
					.shares = 1 + rng(300), .price = px, .owner = OWNER,
				};
				int rc = tg_xreplay_enter(x, &o, now, &ref);

				CU_ASSERT_TRUE(rc == TG_OK);
				if (rc == TG_OK && rnd.nt < RTRACK)
					track(ref);	/* known even when nothing of it rests */
			} else {
				struct tracked *t = &rnd.t[rng(rnd.nt)];
				struct tg_xreplay_resting r;

				for (unsigned tries = 0; t->open <= 0 && tries < 50; tries++)
					t = &rnd.t[rng(rnd.nt)];
				if (t->open <= 0 || tg_xreplay_order(x, t->ref, &r) != TG_OK)
					continue;
				if (op < 8) {
					CU_ASSERT_EQUAL(tg_xreplay_reduce(x, t->ref, rng(r.shares), now), TG_OK);
				} else {
					uint32_t px = r.side == 'B' ? P(99, 95) + 100 * rng(12) : P(100, 6) - 100 * rng(12);

					CU_ASSERT_EQUAL(tg_xreplay_replace(x, t->ref, 1 + rng(300), rng(2) ? r.price : px,
									 r.hidden, now, &ref), TG_OK);
				}
			}
		}
		if (!appliance_consistent(x))
			inconsistent++;
	}
	st = tg_xreplay_stats(x);
	CU_ASSERT_EQUAL(mismatches, 0);
	CU_ASSERT_EQUAL(inconsistent, 0);
	CU_ASSERT_FALSE(rnd.bad);
	CU_ASSERT_EQUAL(st->messages, tg_xreplay_feed_stats(x)->messages);
	CU_ASSERT_TRUE(st->messages > 29000);
	CU_ASSERT_EQUAL(rnd.seq, st->messages);
	CU_ASSERT_EQUAL(tg_book_stats(rnd.book)->order_overflow, 0);
	CU_ASSERT_EQUAL(st->unknown_ref, tg_book_stats(rnd.book)->unknown_ref);
	CU_ASSERT_EQUAL(st->historical_orders, tg_book_stats(rnd.book)->orders);
	/* every way of filling happened */
	for (int k = 0; k < TG_XREPLAY_FILL_KINDS; k++)
		CU_ASSERT_TRUE(st->fills_by[k] > 50);
	CU_ASSERT_TRUE(st->app_replaces > 100);
	CU_ASSERT_TRUE(st->app_reduces > 100);
	fprintf(stderr, "\n    %llu appliance ops, fills take %llu queue %llu through %llu cross %llu, resting %llu\n",
		(unsigned long long)ops, (unsigned long long)st->fills_by[0], (unsigned long long)st->fills_by[1],
		(unsigned long long)st->fills_by[2], (unsigned long long)st->fills_by[3],
		(unsigned long long)st->app_resting);
	tg_xreplay_close(x);
	tg_book_free(rnd.book);
}

/* ---- real captures ---- */

struct decoded {
	uint8_t *b;
	size_t n, cap;
	size_t count;
};

static void on_decoded(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	struct decoded *d = ctx;

	(void)meta;
	if (d->n + len + 1 > d->cap) {
		d->cap = (d->cap + len + 1) * 2;
		d->b = realloc(d->b, d->cap);
	}
	d->b[d->n++] = (uint8_t)len;
	memcpy(d->b + d->n, msg, len);
	d->n += len;
	d->count++;
}

struct passed {
	struct decoded d;
	uint64_t last_ts;
	bool ts_monotonic;
};

static void on_passed(void *ctx, const uint8_t *m, size_t len, uint64_t ts)
{
	struct passed *p = ctx;

	on_decoded(&p->d, m, len, NULL);
	if (ts < p->last_ts)
		p->ts_monotonic = false;
	p->last_ts = ts;
}

/* Replay `path` whole and compare with the decoder's reading of it. */
static void compare_with_decoder(const char *path, const struct tg_feed_config *fcfg, uint64_t *messages)
{
	struct tg_feed feed;
	struct tg_feed_handlers h = { .message = on_decoded };
	struct decoded d = { 0 };
	struct passed p = { .ts_monotonic = true };
	struct tg_xreplay_config cfg = { .path = path, .feed = fcfg, .message = on_passed, .ctx = &p };
	struct tg_xreplay *x = NULL;
	char err[512] = "";
	uint64_t n = 0;

	h.ctx = &d;
	tg_feed_init(&feed, fcfg, &h);
	CU_ASSERT_EQUAL_FATAL(tg_feed_file(&feed, path, err, sizeof(err)), TG_OK);
	CU_ASSERT_EQUAL_FATAL(tg_xreplay_open(&cfg, &x, err, sizeof(err)), TG_OK);
	CU_ASSERT_EQUAL(tg_xreplay_run_until(x, UINT64_MAX, &n), TG_OK);
	CU_ASSERT_TRUE(tg_xreplay_done(x));
	CU_ASSERT_EQUAL(n, feed.stats.messages);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->messages, feed.stats.messages);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->filtered, 0);
	CU_ASSERT_EQUAL(p.d.count, feed.stats.messages);
	CU_ASSERT_EQUAL(memcmp(tg_xreplay_stats(x)->by_type, feed.stats.by_type, sizeof(feed.stats.by_type)), 0);
	CU_ASSERT_EQUAL(memcmp(tg_xreplay_feed_stats(x), &feed.stats, sizeof(feed.stats)), 0);
	CU_ASSERT_EQUAL(p.d.n, d.n);
	CU_ASSERT_TRUE(p.d.n == d.n && memcmp(p.d.b, d.b, d.n) == 0);
	CU_ASSERT_TRUE(p.ts_monotonic);
	if (messages != NULL)
		*messages = feed.stats.messages;
	if (n != feed.stats.messages)
		fprintf(stderr, "%s: replayed %llu, decoder %llu\n", path, (unsigned long long)n,
			(unsigned long long)feed.stats.messages);
	tg_xreplay_close(x);
	free(d.b);
	free(p.d.b);
}

static const char *data_dir(void)
{
	const char *dir = getenv("TICKGATE_DATA");

	if (dir == NULL) {
		fprintf(stderr, "test_market_replay: TICKGATE_DATA is not set (it names the shared data folder)\n");
		CU_FAIL_FATAL("TICKGATE_DATA not set");
	}
	return dir;
}

static void test_real_captures_pass_through(void)
{
	const char *dirs[] = { ITCH_DIR, ITCH_DIR2 };
	unsigned files = 0;
	uint64_t total = 0;

	for (unsigned k = 0; k < 2; k++) {
		char dpath[1024];
		DIR *dp;
		struct dirent *de;

		snprintf(dpath, sizeof(dpath), "%s/%s", data_dir(), dirs[k]);
		dp = opendir(dpath);
		if (dp == NULL)
			fprintf(stderr, "test_market_replay: cannot open %s\n", dpath);
		CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
		while ((de = readdir(dp)) != NULL) {
			char path[2048];
			uint64_t n = 0;
			size_t len = strlen(de->d_name);

			if (len < 5 || strcmp(de->d_name + len - 5, ".pcap") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dpath, de->d_name);
			compare_with_decoder(path, NULL, &n);
			total += n;
			files++;
		}
		closedir(dp);
	}
	CU_ASSERT_EQUAL(files, 23);
	CU_ASSERT_TRUE(total > 100);

	/* with sequencing on, the real (unsanitized) capture still passes every message */
	{
		char path[1024];
		struct tg_feed_config seq = { .seq_check = true, .accept_all = true };

		snprintf(path, sizeof(path), "%s/%s/Multiple.Packets.pcap", data_dir(), ITCH_DIR);
		compare_with_decoder(path, &seq, NULL);
	}
}

static void test_real_capture_as_itch_file(void)
{
	char path[1024];
	struct tg_feed feed;
	struct tg_feed_handlers h = { .message = on_decoded };
	struct decoded d = { 0 };
	char err[512] = "";
	uint8_t *file;
	size_t n = 0, i = 0;
	const char *out = temp_path();
	uint64_t count = 0;

	/* the capture's messages, as a binary ITCH file with every third length prefix wrong */
	snprintf(path, sizeof(path), "%s/%s/Multiple.Packets.pcap", data_dir(), ITCH_DIR);
	h.ctx = &d;
	tg_feed_init(&feed, NULL, &h);
	CU_ASSERT_EQUAL_FATAL(tg_feed_file(&feed, path, err, sizeof(err)), TG_OK);
	file = malloc(d.n + d.count * 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	for (size_t off = 0; off < d.n; i++) {
		size_t len = d.b[off];

		be(file + n, i % 3 == 2 ? 0 : len, 2);
		memcpy(file + n + 2, d.b + off + 1, len);
		n += 2 + len;
		off += 1 + len;
	}
	write_file(out, file, n);
	compare_with_decoder(out, NULL, &count);
	CU_ASSERT_EQUAL(count, d.count);
	CU_ASSERT_EQUAL(count, 39);
	free(file);
	free(d.b);
}

static void test_real_capture_drives_the_book(void)
{
	char path[1024];
	const char *syms[] = { "META" };
	struct tg_xreplay_config cfg = { .symbols = syms, .n_symbols = 1 };
	struct tg_xreplay *x;
	struct tg_xreplay_level bid, ask;
	uint64_t a, b;
	int loc;

	close_fx();
	snprintf(path, sizeof(path), "%s/%s/Multiple.Packets.pcap", data_dir(), ITCH_DIR);
	cfg.path = path;
	cfg.message = on_message;
	cfg.event = on_event;
	cfg.ctx = &fx;
	CU_ASSERT_EQUAL_FATAL(tg_xreplay_open(&cfg, &fx.x, NULL, 0), TG_OK);
	x = fx.x;
	run(x, UINT64_MAX);
	/* the first packet's delete is another instrument's; the 38 adds of the big packet are META's */
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->filtered, 1);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->messages, 38);
	loc = tg_xreplay_locate_of(x, "META");
	CU_ASSERT_EQUAL_FATAL(loc, 6514);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->historical_orders, 38);
	CU_ASSERT_EQUAL_FATAL(tg_xreplay_level(x, (uint16_t)loc, 'B', 0, &bid), TG_OK);
	CU_ASSERT_EQUAL_FATAL(tg_xreplay_level(x, (uint16_t)loc, 'S', 0, &ask), TG_OK);
	CU_ASSERT_TRUE(bid.price < ask.price);
	/* an order at the best bid queues behind it; a marketable one takes the best ask */
	a = enter_full(x, (uint16_t)loc, 'B', TG_MATCH_LIMIT, TG_MATCH_DAY, false, 10, bid.price, 1, TG_OK);
	CU_ASSERT_EQUAL(queue_of(x, a), bid.shares);
	b = enter_full(x, (uint16_t)loc, 'B', TG_MATCH_LIMIT, TG_MATCH_IOC, false, (uint32_t)ask.shares + 1000,
		       ask.price, 2, TG_OK);
	CU_ASSERT_EQUAL_FATAL(fx.nev, 2 + ask.orders);
	for (uint32_t k = 0; k < ask.orders; k++)
		CU_ASSERT_EQUAL(fx.ev[1 + k].aggressor_ref, b);
	CU_ASSERT_EQUAL(fx.ev[1 + ask.orders].type, TG_MATCH_EV_EXPIRE);
	CU_ASSERT_EQUAL(fx.ev[1 + ask.orders].shares, 1000);
	CU_ASSERT_EQUAL(tg_xreplay_stats(x)->shares_filled, ask.shares);
	close_fx();
}

/* ---- the runner ---- */

static int suite_init(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/tg_xreplay_XXXXXX", base != NULL ? base : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int suite_clean(void)
{
	close_fx();
	for (unsigned i = 0; i < file_no; i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/stream%u.itch", tmpdir, i);
		unlink(path);
	}
	rmdir(tmpdir);
	return 0;
}

static const struct tg_cunit_test tests[] = {
	{ "order behind 300 displayed fills after 300 executed", test_queue_behind_displayed },
	{ "one execution consumes the queue then fills", test_one_execution_fills_past_the_queue },
	{ "cancels ahead move it up, behind do not", test_cancels_ahead_move_it_up },
	{ "orders added after do not count; two appliance orders", test_orders_added_after_do_not_count },
	{ "hidden orders queue behind later displayed ones", test_hidden_queues_behind_later_displayed },
	{ "trade-through fills", test_trade_through },
	{ "trade-through ignores the queue; P does not fill", test_trade_through_ignores_queue },
	{ "marketable entry takes displayed liquidity, not twice", test_marketable_entry },
	{ "remainder rests and a crossing add fills it", test_remainder_rests_and_is_crossed },
	{ "replace and reduce rules", test_replace_rules },
	{ "halts refuse orders", test_halts_refuse_orders },
	{ "pacing by the capture's timestamps", test_pacing },
	{ "symbol filter, locates learned and inferred", test_symbol_filter },
	{ "caller's locate map", test_caller_locate_map },
	{ "reference spaces and callback rules", test_reference_spaces_and_callbacks },
	{ "missing and damaged files", test_damaged_files },
	{ "random stream: the C book agrees, appliance orders add up", test_random_stream },
	{ "real captures: every message passed through", test_real_captures_pass_through },
	{ "real capture as a binary ITCH file", test_real_capture_as_itch_file },
	{ "real capture drives the book", test_real_capture_drives_the_book },
};

int main(void)
{
	return tg_cunit_run("market_replay", suite_init, suite_clean, tests, TG_CUNIT_COUNT(tests));
}
