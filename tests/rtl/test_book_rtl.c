/*
 * The card's order book against the C book: the same frames go through the
 * Verilated core (feed pipeline and book, via card_feed) and through the C
 * decoder into a C book of the card's geometry (order table, ways, depth).
 * The BBO, trade and halt events must be identical in order and in every
 * field, and so must the book's counters and each instrument's final state.
 *
 * Streams: a seeded generated stream of a million messages over sixteen
 * instruments, eight subscribed (by symbol, the locate learned from the
 * directory, and by locate), prices spread wider than the card's depth so
 * sides truncate, packetized with random sizes, lost packets, late repeats
 * and A/B copies; the same kind of stream at line rate (events off, the
 * final state compared); and the OMI captures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "captures.h"
#include "feed_pair.h"
#include "stream_packer.h"
#include "tg_cunit.h"
#include "tickgate/book.h"
#include "tickgate/card_regs.h"
#include "tickgate/feed.h"
#include "tickgate/itch50.h"
#include "tickgate/mold_frame.h"

#ifndef TG_TEST_BOOK_MESSAGES
#define TG_TEST_BOOK_MESSAGES 1000000ull
#endif

/* the card's book geometry (tg_core parameters) */
#define CARD_SLOTS 8u
#define CARD_DEPTH 8u
#define CARD_ORDER_LOG2 14u
#define CARD_WAYS 4u

/* ---- events, normalized ---- */

struct bev {
	uint8_t type;
	uint16_t locate;
	uint64_t seq, ts;
	uint32_t px[2], sz[2];	/* BBO: bid, ask; TRADE: px[0] price */
	uint64_t shares, match;
	uint8_t flags, msg_type, side, state;
};

struct evlist {
	struct bev *v;
	size_t n, cap;
};

static void push(struct evlist *l, const struct tg_book_event *e)
{
	struct bev b;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4096;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		CU_ASSERT_PTR_NOT_NULL_FATAL(l->v);
	}
	memset(&b, 0, sizeof(b));
	b.type = (uint8_t)e->type;
	b.locate = e->locate;
	b.seq = e->seq;
	b.ts = e->timestamp;
	switch (e->type) {
	case TG_BOOK_EV_BBO:
		b.px[0] = e->u.bbo.bid_price;
		b.sz[0] = e->u.bbo.bid_size;
		b.px[1] = e->u.bbo.ask_price;
		b.sz[1] = e->u.bbo.ask_size;
		b.flags = e->u.bbo.flags;
		break;
	case TG_BOOK_EV_TRADE:
		b.px[0] = e->u.trade.price;
		b.shares = e->u.trade.shares;
		b.match = e->u.trade.match;
		b.msg_type = (uint8_t)e->u.trade.msg_type;
		b.side = (uint8_t)e->u.trade.side;
		b.flags = e->u.trade.printable;
		break;
	default:
		b.flags = e->u.halt.halted;
		b.state = (uint8_t)e->u.halt.state;
		break;
	}
	l->v[l->n++] = b;
}

/* ---- one run: the card and the C book side by side ---- */

struct sub {
	const char *symbol;	/* NULL: by locate */
	int locate;
};

struct run {
	struct feed_pair p;
	struct tg_book *book;
	struct evlist c, rtl;
	int slot_of[65536];	/* the card's slot of each locate, from its events */
	uint64_t slot_errors;
};

static void c_msg(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	struct run *r = ctx;

	tg_book_apply(r->book, msg, len, meta->seq);
}

static void c_book_event(void *ctx, const struct tg_book_event *ev)
{
	push(&((struct run *)ctx)->c, ev);
}

static void rtl_book_event(void *ctx, const struct tg_feed_event_book *b)
{
	struct run *r = ctx;

	push(&r->rtl, &b->ev);
	if (r->slot_of[b->ev.locate] < 0)
		r->slot_of[b->ev.locate] = (int)b->instrument;
	else if (r->slot_of[b->ev.locate] != (int)b->instrument)
		r->slot_errors++;
}

static void run_start(struct run *r, const struct tg_feed_config *cfg, const struct sub *subs, unsigned n_subs,
		      bool paced, bool events)
{
	struct tg_feed_event_handlers rh = { .book = rtl_book_event, .ctx = r };
	struct tg_feed_handlers ch = { .message = c_msg, .ctx = r };
	struct tg_book_config bc = { .order_capacity_log2 = CARD_ORDER_LOG2, .ways = CARD_WAYS, .depth = CARD_DEPTH };

	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < 65536; i++)
		r->slot_of[i] = -1;
	feed_pair_start(&r->p, cfg, false, paced, &rh, &ch);
	CU_ASSERT_FATAL(tg_cf_book_events(r->p.cf, events));
	CU_ASSERT_EQUAL_FATAL(tg_book_new(&bc, c_book_event, r, &r->book), TG_OK);
	for (unsigned i = 0; i < n_subs; i++) {
		CU_ASSERT_FATAL(tg_cf_book_subscribe(r->p.cf, i, subs[i].symbol ? subs[i].symbol : "",
						     subs[i].symbol ? -1 : subs[i].locate));
		if (subs[i].symbol != NULL)
			CU_ASSERT_EQUAL_FATAL(tg_book_subscribe_symbol(r->book, subs[i].symbol), TG_OK)
		else
			CU_ASSERT_EQUAL_FATAL(tg_book_subscribe_locate(r->book, (uint16_t)subs[i].locate), TG_OK)
	}
}

static void run_free(struct run *r)
{
	feed_pair_free(&r->p);
	tg_book_free(r->book);
	free(r->c.v);
	free(r->rtl.v);
}

static int bev_cmp(const struct bev *a, const struct bev *b)
{
	return memcmp(a, b, sizeof(*a));
}

static void print_bev(const char *who, const struct bev *b)
{
	fprintf(stderr, "  %s: type %u locate %u seq %llu ts %llu px %u/%u sz %u/%u shares %llu match %llu flags %u "
		"msg %c side %c state %c\n", who, b->type, b->locate, (unsigned long long)b->seq,
		(unsigned long long)b->ts, b->px[0], b->px[1], b->sz[0], b->sz[1], (unsigned long long)b->shares,
		(unsigned long long)b->match, b->flags, b->msg_type ? b->msg_type : '-', b->side ? b->side : '-',
		b->state ? b->state : '-');
}

/* Compare events (when compare_events), counters and every slot's final
 * state; returns the number of events compared. */
static size_t run_end(struct run *r, const char *what, const struct sub *subs, unsigned n_subs,
		      bool compare_events)
{
	const struct tg_book_stats *c = tg_book_stats(r->book);
	struct tg_book_stats card;
	uint64_t overrun, dropped;
	struct tg_cf_stats cs;
	size_t n = r->c.n;

	tg_cf_finish(r->p.cf);
	CU_ASSERT_FATAL(tg_cf_read_book_stats(r->p.cf, &card, &overrun, &dropped));
	tg_cf_stats(r->p.cf, &cs);
	fprintf(stderr, "\n  [%s] C book: %llu messages, %llu unsubscribed, %llu unknown refs, %llu overflows, "
		"%llu orders, events %llu BBO %llu trade %llu halt; card overrun %llu, events dropped %llu\n", what,
		(unsigned long long)c->messages, (unsigned long long)c->unsubscribed,
		(unsigned long long)c->unknown_ref, (unsigned long long)c->order_overflow,
		(unsigned long long)c->orders, (unsigned long long)c->bbo_events,
		(unsigned long long)c->trade_events, (unsigned long long)c->halt_events,
		(unsigned long long)overrun, (unsigned long long)dropped);
	CU_ASSERT_EQUAL(overrun, 0);
	CU_ASSERT_EQUAL(cs.seq_errors, 0);
	CU_ASSERT_EQUAL(cs.format_errors, 0);
	CU_ASSERT_EQUAL(r->slot_errors, 0);
#define SAME(f)                                                                                                 \
	do {                                                                                                    \
		if (card.f != c->f)                                                                             \
			fprintf(stderr, "  [%s] " #f ": card %llu, C %llu\n", what, (unsigned long long)card.f, \
				(unsigned long long)c->f);                                                      \
		CU_ASSERT_EQUAL(card.f, c->f);                                                                  \
	} while (0)
	SAME(messages);
	SAME(unsubscribed);
	SAME(unknown_ref);
	SAME(duplicate_ref);
	SAME(zero_shares);
	SAME(order_overflow);
	SAME(orders);
	SAME(bbo_events);
	SAME(trade_events);
	SAME(halt_events);
#undef SAME
	if (compare_events) {
		CU_ASSERT_EQUAL(dropped, 0);
		CU_ASSERT_EQUAL(r->rtl.n, r->c.n);
		for (size_t i = 0; i < r->c.n && i < r->rtl.n; i++) {
			if (bev_cmp(&r->c.v[i], &r->rtl.v[i]) != 0) {
				fprintf(stderr, "  [%s] event %zu of %zu differs\n", what, i, r->c.n);
				print_bev("C   ", &r->c.v[i]);
				print_bev("card", &r->rtl.v[i]);
				CU_FAIL("book events differ");
				break;
			}
		}
	}
	/* every slot's final top and flags against the C book */
	for (unsigned i = 0; i < n_subs; i++) {
		struct tg_cf_book_slot s;
		int loc = subs[i].symbol ? tg_book_locate_of(r->book, subs[i].symbol) : subs[i].locate;
		struct tg_book_level bid, ask;
		unsigned nb, na;

		CU_ASSERT_FATAL(tg_cf_book_slot(r->p.cf, i, &s));
		CU_ASSERT(s.state & TG_BOOK_INST_STATE_SUBSCRIBED_MASK);
		if (loc < 0) {
			CU_ASSERT_FALSE(s.state & TG_BOOK_INST_STATE_LOCATE_VALID_MASK);
			continue;
		}
		CU_ASSERT(s.state & TG_BOOK_INST_STATE_LOCATE_VALID_MASK);
		CU_ASSERT_EQUAL(s.state >> TG_BOOK_INST_STATE_LOCATE_SHIFT, (uint32_t)loc);
		nb = tg_book_levels(r->book, (uint16_t)loc, 'B', &bid, 1);
		na = tg_book_levels(r->book, (uint16_t)loc, 'S', &ask, 1);
		CU_ASSERT_EQUAL(s.bbo[0], nb ? bid.price : 0);
		CU_ASSERT_EQUAL(s.bbo[1], nb ? (uint32_t)bid.shares : 0);
		CU_ASSERT_EQUAL(s.bbo[2], na ? ask.price : 0);
		CU_ASSERT_EQUAL(s.bbo[3], na ? (uint32_t)ask.shares : 0);
		CU_ASSERT_EQUAL(!!(s.state & TG_BOOK_INST_STATE_HALTED_MASK), tg_book_halted(r->book, (uint16_t)loc));
		CU_ASSERT_EQUAL(!!(s.state & TG_BOOK_INST_STATE_AUTHORITATIVE_MASK),
				tg_book_authoritative(r->book, (uint16_t)loc));
		CU_ASSERT_EQUAL(!!(s.state & TG_BOOK_INST_STATE_BID_TRUNCATED_MASK),
				tg_book_truncated(r->book, (uint16_t)loc, 'B'));
		CU_ASSERT_EQUAL(!!(s.state & TG_BOOK_INST_STATE_ASK_TRUNCATED_MASK),
				tg_book_truncated(r->book, (uint16_t)loc, 'S'));
	}
	run_free(r);
	return n;
}

/* ---- generated streams ---- */

/* instruments 1..16; the odd ones subscribed: six by symbol, two by locate */
static const struct sub gen_subs[CARD_SLOTS] = {
	{ "TG0001", 0 }, { "TG0003", 0 }, { "TG0005", 0 }, { "TG0007", 0 },
	{ "TG0009", 0 }, { "TG0011", 0 }, { NULL, 13 }, { NULL, 15 },
};

/* Feed a packetized generated stream of at least `messages` messages. */
static void feed_stream(struct run *r, struct tg_packer *p, uint64_t messages, bool faults)
{
	uint8_t f[TG_PACKER_FRAME_MAX], prev[TG_PACKER_FRAME_MAX];
	size_t prev_len = 0;
	uint64_t made = 0;

	while (made < messages) {
		unsigned n;
		size_t len = tg_packer_next(p, f, 40, &n);
		unsigned what = faults ? (unsigned)(tg_packer_rand(&p->rng) % 100) : 50;

		CU_ASSERT_FATAL(len > 0);
		made += n;
		if (what == 0)
			continue;	/* lost: a gap at the next packet, its messages never applied */
		feed_pair_frame(&r->p, f, len);
		if (what < 4 && prev_len > 0)
			feed_pair_frame(&r->p, prev, prev_len);	/* a late repeat: dropped as duplicate */
		else if (what < 10)
			feed_pair_frame(&r->p, f, len);	/* the B feed's copy */
		memcpy(prev, f, len);
		prev_len = len;
	}
}

static void packer_start(struct tg_packer *p, uint64_t seed, unsigned max_orders)
{
	struct tg_itch_gen_config gc = { .seed = seed, .instruments = 16, .max_orders = max_orders, .levels = 8 };

	memset(p, 0, sizeof(*p));
	p->rng = seed * 3 + 1;
	p->seq = 1;
	CU_ASSERT_EQUAL_FATAL(tg_itch_gen_new(&gc, &p->gen), TG_OK);
	tg_mold_frame_defaults(&p->fp, "TGSESSION1");
	p->fp.vlan = true;
	p->fp.vlan_tci = 5;
}

static void test_generated_stream(void)
{
	struct tg_feed_config cfg = { .seq_check = true, .n_filters = 1, .filters = { { 0xe9360c6fu, 26477 } } };
	struct tg_packer p;
	struct run r;
	unsigned unknown_top = 0, not_auth = 0;

	packer_start(&p, 2026, 12000);
	run_start(&r, &cfg, gen_subs, CARD_SLOTS, true, true);
	feed_stream(&r, &p, TG_TEST_BOOK_MESSAGES, true);
	tg_cf_finish(r.p.cf);
	for (size_t i = 0; i < r.c.n; i++) {
		if (r.c.v[i].type == TG_BOOK_EV_BBO) {
			unknown_top += (r.c.v[i].flags & (TG_BOOK_BBO_BID_UNKNOWN | TG_BOOK_BBO_ASK_UNKNOWN)) != 0;
			not_auth += (r.c.v[i].flags & TG_BOOK_BBO_NOT_AUTHORITATIVE) != 0;
		}
	}
	const struct tg_book_stats *st = tg_book_stats(r.book);

	/* the stream must exercise what it claims to */
	CU_ASSERT(st->messages > TG_TEST_BOOK_MESSAGES / 3);
	CU_ASSERT(st->unsubscribed > TG_TEST_BOOK_MESSAGES / 3);
	CU_ASSERT(st->unknown_ref > 0);
	CU_ASSERT(st->halt_events > 0);
	fprintf(stderr, "\n  [generated] BBO events with an unknown top: %u, not authoritative: %u\n", unknown_top,
		not_auth);
	CU_ASSERT(unknown_top > 0);
	size_t n = run_end(&r, "generated", gen_subs, CARD_SLOTS, true);

	CU_ASSERT(n > TG_TEST_BOOK_MESSAGES / 10);
	tg_itch_gen_free(p.gen);
}

/* back to back at line rate, events off: the pipeline's overlapping stages
 * under load; the counters and final state must still agree */
static void test_line_rate(void)
{
	struct tg_feed_config cfg = { .seq_check = true, .n_filters = 1, .filters = { { 0xe9360c6fu, 26477 } } };
	struct tg_packer p;
	struct run r;

	packer_start(&p, 7, 6000);
	run_start(&r, &cfg, gen_subs, CARD_SLOTS, false, false);
	feed_stream(&r, &p, TG_TEST_BOOK_MESSAGES / 5, false);
	tg_cf_finish(r.p.cf);
	CU_ASSERT_EQUAL(tg_cm_stats(r.p.cm)->net_stalls, 0);
	run_end(&r, "line rate", gen_subs, CARD_SLOTS, false);
	tg_itch_gen_free(p.gen);
}

/* ---- the order table's edges, message by message ---- */

static void be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

struct script {
	struct run *r;
	struct tg_mold_frame_params fp;
	uint64_t seq;
};

/* one message, alone in a packet */
static void send(struct script *sc, const uint8_t *m, size_t len)
{
	uint8_t block[64], f[TG_PACKER_FRAME_MAX];
	size_t fl;

	be(block, len, 2);
	memcpy(block + 2, m, len);
	fl = tg_mold_frame(f, sizeof(f), &sc->fp, sc->seq++, 1, block, len + 2);
	CU_ASSERT_FATAL(fl > 0);
	feed_pair_frame(&sc->r->p, f, fl);
}

static size_t hdr(uint8_t *m, char type, uint16_t loc, uint64_t ts)
{
	size_t n = tg_itch_type((uint8_t)type)->length;

	memset(m, 0, n);
	m[0] = (uint8_t)type;
	be(m + 1, loc, 2);
	be(m + 5, ts, 6);
	return n;
}

static void add(struct script *sc, uint64_t ref, char side, uint32_t shares, uint32_t price)
{
	uint8_t m[64];
	size_t n = hdr(m, 'A', 1, sc->seq);

	be(m + 11, ref, 8);
	m[19] = (uint8_t)side;
	be(m + 20, shares, 4);
	memcpy(m + 24, "EDGE    ", 8);
	be(m + 32, price, 4);
	send(sc, m, n);
}

static void on_ref(struct script *sc, char type, uint64_t ref, uint32_t shares)
{
	uint8_t m[64];
	size_t n = hdr(m, type, 1, sc->seq);

	be(m + 11, ref, 8);
	if (type != 'D')
		be(m + 19, shares, 4);
	if (type == 'E' || type == 'C')
		be(m + 23, 1000 + sc->seq, 8);
	if (type == 'C') {
		m[31] = 'N';
		be(m + 32, 1234500, 4);
	}
	send(sc, m, n);
}

static void replace(struct script *sc, uint64_t old, uint64_t nref, uint32_t shares, uint32_t price)
{
	uint8_t m[64];
	size_t n = hdr(m, 'U', 1, sc->seq);

	be(m + 11, old, 8);
	be(m + 19, nref, 8);
	be(m + 27, shares, 4);
	be(m + 31, price, 4);
	send(sc, m, n);
}

/*
 * References chosen to share one bucket of the card's table: a full bucket
 * overflows and flags the instrument; replaces within the bucket and onto
 * the old reference itself; zero-share and duplicate adds; unknown
 * references; a side filled past its depth and drained back.
 */
static void test_order_table_edges(void)
{
	struct tg_feed_config cfg = { .seq_check = true, .accept_all = true };
	const struct sub subs[1] = { { NULL, 1 } };
	const unsigned buckets_log2 = CARD_ORDER_LOG2 - 2;	/* 4 ways */
	uint64_t same[12];
	unsigned n = 0;
	struct script sc = { .seq = 1 };
	struct run r;

	for (uint64_t ref = 5; n < 12; ref++)
		if (tg_book_bucket(ref, buckets_log2) == tg_book_bucket(5, buckets_log2))
			same[n++] = ref;
	run_start(&r, &cfg, subs, 1, true, true);
	sc.r = &r;
	tg_mold_frame_defaults(&sc.fp, "EDGES     ");
	for (unsigned i = 0; i < 6; i++)	/* four fit, two overflow */
		add(&sc, same[i], 'B', 100 + i, 1000000 - 100 * i);
	on_ref(&sc, 'E', same[0], 100);		/* the best bid executes whole */
	add(&sc, same[6], 'B', 300, 1000100);	/* a new best, into the freed way */
	replace(&sc, same[1], same[1], 50, 1000200);	/* onto its own reference */
	replace(&sc, same[2], same[7], 70, 999000);	/* into a full bucket: old out, new in its way */
	add(&sc, same[8], 'S', 0, 1010000);	/* zero shares: ignored */
	add(&sc, same[6], 'S', 10, 1010000);	/* duplicate */
	on_ref(&sc, 'X', 99999999, 5);		/* unknown */
	on_ref(&sc, 'C', same[6], 100);		/* partial, with price */
	for (unsigned i = 0; i < 12; i++)	/* asks past the depth: truncation */
		add(&sc, 500000 + i, 'S', 10 + i, 1010000 + 100 * i);
	for (unsigned i = 0; i < 12; i++)	/* and drained from the top: the top becomes unknown, then known */
		on_ref(&sc, 'D', 500000 + i, 0);
	for (unsigned i = 0; i < 4; i++)
		on_ref(&sc, 'D', same[i], 0);
	tg_cf_finish(r.p.cf);
	CU_ASSERT_EQUAL(tg_book_stats(r.book)->order_overflow, 2);
	CU_ASSERT_EQUAL(tg_book_stats(r.book)->zero_shares, 1);
	CU_ASSERT_EQUAL(tg_book_stats(r.book)->duplicate_ref, 1);
	CU_ASSERT_FALSE(tg_book_authoritative(r.book, 1));
	run_end(&r, "edges", subs, 1, true);
}

static uint64_t card_counter(struct run *r, uint32_t lo)
{
	uint32_t l = 0, h = 0;

	CU_ASSERT_EQUAL(tg_cm_csr_read(r->p.cm, lo, &l), TG_CM_CSR_OK);
	CU_ASSERT_EQUAL(tg_cm_csr_read(r->p.cm, lo + 4, &h), TG_CM_CSR_OK);
	return (uint64_t)h << 32 | l;
}

/* A slot subscribed anew starts empty: its old orders are retired at once
 * (card only: the C book has no slots). */
static void test_resubscribe(void)
{
	struct tg_feed_config cfg = { .seq_check = true, .accept_all = true };
	const struct sub subs[2] = { { NULL, 1 }, { NULL, 2 } };
	struct script sc = { .seq = 1 };
	struct tg_cf_book_slot st;
	struct run r;

	run_start(&r, &cfg, subs, 2, true, true);
	sc.r = &r;
	tg_mold_frame_defaults(&sc.fp, "RESUB     ");
	for (uint64_t ref = 10; ref < 13; ref++)
		add(&sc, ref, 'B', 100, 500000 + (uint32_t)ref * 100);
	tg_cf_finish(r.p.cf);
	CU_ASSERT_EQUAL(card_counter(&r, TG_REG_BOOK_ORDERS_LO), 3);
	CU_ASSERT_FATAL(tg_cf_book_subscribe(r.p.cf, 0, "", 1));
	CU_ASSERT_EQUAL(card_counter(&r, TG_REG_BOOK_ORDERS_LO), 0);
	CU_ASSERT_FATAL(tg_cf_book_slot(r.p.cf, 0, &st));
	CU_ASSERT_EQUAL(st.bbo[0], 0);
	CU_ASSERT_EQUAL(st.bbo[1], 0);
	add(&sc, 11, 'B', 70, 501100);	/* the same reference again: a new order, not a duplicate */
	tg_cf_finish(r.p.cf);
	CU_ASSERT_EQUAL(card_counter(&r, TG_REG_BOOK_DUPLICATE_REF_LO), 0);
	CU_ASSERT_EQUAL(card_counter(&r, TG_REG_BOOK_ORDERS_LO), 1);
	CU_ASSERT_FATAL(tg_cf_book_slot(r.p.cf, 0, &st));
	CU_ASSERT_EQUAL(st.bbo[0], 501100);
	CU_ASSERT_EQUAL(st.bbo[1], 70);
	run_free(&r);
}

/* ---- the OMI captures ---- */

struct locates {
	struct sub subs[CARD_SLOTS];
	unsigned n;
};

static void find_locate(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	struct locates *l = ctx;
	uint16_t loc = tg_itch_locate(msg);

	(void)meta;
	if (len < 3 || strchr("AFECXDUPQH", msg[0]) == NULL || msg[0] == 0 || l->n == CARD_SLOTS)
		return;
	for (unsigned i = 0; i < l->n; i++)
		if (l->subs[i].locate == loc)
			return;
	l->subs[l->n++] = (struct sub){ NULL, loc };
}

static void scan_frame(void *ctx, const uint8_t *f, size_t len)
{
	tg_feed_frame(ctx, f, len, 0);
}

static void test_omi_captures(void)
{
	char dir[4096];
	struct tg_feed_config analysis = { .seq_check = false, .accept_all = true };
	struct locates l = { .n = 0 };
	struct tg_feed_handlers h = { .message = find_locate, .ctx = &l };
	struct tg_feed scan;
	struct run r;

	snprintf(dir, sizeof(dir), "%s/omi", tg_test_data_dir());
	tg_feed_init(&scan, &analysis, &h);
	if (tg_test_each_capture(dir, scan_frame, &scan) == 0)
		CU_FAIL_FATAL("no OMI captures found (set TICKGATE_DATA)");
	CU_ASSERT_FATAL(l.n > 0);
	/* the captures start mid-day: subscribe by locate */
	run_start(&r, &analysis, l.subs, l.n, true, true);
	tg_test_each_capture(dir, feed_pair_frame_cb, &r.p);
	tg_cf_finish(r.p.cf);
	CU_ASSERT(tg_book_stats(r.book)->messages > 0);
	CU_ASSERT(r.c.n > 0);
	run_end(&r, "omi", l.subs, l.n, true);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "OMI captures: card book and C book agree", test_omi_captures },
		{ "generated stream: identical BBO, trade and halt events", test_generated_stream },
		{ "line rate: identical counters and final books", test_line_rate },
		{ "order table and depth edges, message by message", test_order_table_edges },
		{ "a slot subscribed anew starts empty", test_resubscribe },
	};

	return tg_cunit_run("rtl-book", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
