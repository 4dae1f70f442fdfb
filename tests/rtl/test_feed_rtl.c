/*
 * The card's feed pipeline against the C reference decoder: the same
 * frames go through the Verilated core (via card_feed) and through
 * tg_feed; the delivered messages (bytes, length, MoldUDP64 sequence), the
 * gap reports and every counter must be identical.
 *
 * Streams: the OMI captures; a seeded generated stream of a million
 * messages packetized with random sizes, gaps, duplicates and A/B
 * repeats; mutated and random frames (fuzz); line-rate streams of the
 * shortest messages and of minimum-size packets, which must never stall
 * the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "captures.h"
#include "feed_pair.h"
#include "stream_packer.h"
#include "tg_cunit.h"
#include "tickgate/feed.h"
#include "tickgate/itch_gen.h"
#include "tickgate/mold_frame.h"

#define MAX_FRAME_BYTES TG_PACKER_FRAME_MAX

#ifndef TG_TEST_FEED_MESSAGES
#define TG_TEST_FEED_MESSAGES 1000000ull
#endif

/* ---- what each side delivered ---- */

struct rec {
	uint64_t seq;
	uint8_t len;
	uint8_t data[50];
};

struct gap {
	uint64_t first, last;
};

struct seen {
	struct rec *msgs;
	size_t n, cap;
	struct gap *gaps;
	size_t n_gaps, cap_gaps;
};

static void seen_msg(struct seen *s, const uint8_t *m, size_t len, uint64_t seq)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4096;
		s->msgs = realloc(s->msgs, s->cap * sizeof(*s->msgs));
		CU_ASSERT_PTR_NOT_NULL_FATAL(s->msgs);
	}
	struct rec *r = &s->msgs[s->n++];

	memset(r, 0, sizeof(*r));
	r->seq = seq;
	r->len = (uint8_t)len;
	memcpy(r->data, m, len < 50 ? len : 50);
}

static void seen_gap(struct seen *s, uint64_t first, uint64_t last)
{
	if (s->n_gaps == s->cap_gaps) {
		s->cap_gaps = s->cap_gaps ? 2 * s->cap_gaps : 64;
		s->gaps = realloc(s->gaps, s->cap_gaps * sizeof(*s->gaps));
		CU_ASSERT_PTR_NOT_NULL_FATAL(s->gaps);
	}
	s->gaps[s->n_gaps++] = (struct gap){ first, last };
}

static void c_msg(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	seen_msg(ctx, msg, len, meta->seq);
}

static void c_gap(void *ctx, uint64_t first, uint64_t last)
{
	seen_gap(ctx, first, last);
}

static void rtl_msg(void *ctx, const struct tg_feed_event_msg *m)
{
	seen_msg(ctx, m->data, m->len, m->mold_seq);
}

/* ---- one run: the card and the C decoder side by side ---- */

struct run {
	struct feed_pair p;
	struct seen c, rtl;
};

static void run_start(struct run *r, const struct tg_feed_config *cfg, bool paced)
{
	struct tg_feed_event_handlers rh = { .msg = rtl_msg, .gap = c_gap, .ctx = &r->rtl };
	struct tg_feed_handlers ch = { .message = c_msg, .gap = c_gap, .ctx = &r->c };

	memset(r, 0, sizeof(*r));
	feed_pair_start(&r->p, cfg, true, paced, &rh, &ch);
}

static size_t first_diff(const struct seen *a, const struct seen *b)
{
	size_t n = a->n < b->n ? a->n : b->n;

	for (size_t i = 0; i < n; i++)
		if (memcmp(&a->msgs[i], &b->msgs[i], sizeof(a->msgs[i])) != 0)
			return i;
	return n;
}

/* Finish, compare everything, free. Returns the number of messages compared. */
static size_t run_end(struct run *r, const char *what, bool compare_msgs)
{
	struct tg_feed_stats card;
	const struct tg_feed_stats *ref = &r->p.feed.stats;
	size_t n = r->c.n;

	tg_cf_finish(r->p.cf);
	CU_ASSERT_FATAL(tg_cf_read_stats(r->p.cf, &card));
	CU_ASSERT_EQUAL(card.frames, ref->frames);
	CU_ASSERT_EQUAL(card.parsed, ref->parsed);
	for (unsigned i = 0; i < TG_FEED_DROP_COUNT; i++) {
		if (card.dropped[i] != ref->dropped[i])
			fprintf(stderr, "%s: dropped %s: card %llu, C %llu\n", what, tg_feed_drop_name(i),
				(unsigned long long)card.dropped[i], (unsigned long long)ref->dropped[i]);
		CU_ASSERT_EQUAL(card.dropped[i], ref->dropped[i]);
	}
	CU_ASSERT_EQUAL(card.packets, ref->packets);
	CU_ASSERT_EQUAL(card.heartbeats, ref->heartbeats);
	CU_ASSERT_EQUAL(card.end_of_session, ref->end_of_session);
	CU_ASSERT_EQUAL(card.messages, ref->messages);
	CU_ASSERT_EQUAL(card.unknown_type, ref->unknown_type);
	CU_ASSERT_EQUAL(card.bad_length, ref->bad_length);
	CU_ASSERT_EQUAL(card.duplicate_messages, ref->duplicate_messages);
	CU_ASSERT_EQUAL(card.gaps, ref->gaps);
	CU_ASSERT_EQUAL(card.gap_messages, ref->gap_messages);
	CU_ASSERT(memcmp(card.by_type, ref->by_type, sizeof(card.by_type)) == 0);
	/* frames in == parsed + dropped, on the card */
	uint64_t sum = card.parsed;

	for (unsigned i = 0; i < TG_FEED_DROP_COUNT; i++)
		sum += card.dropped[i];
	CU_ASSERT_EQUAL(sum, card.frames);
	CU_ASSERT_EQUAL(tg_cm_stats(r->p.cm)->net_stalls, 0);
	if (compare_msgs) {
		size_t d = first_diff(&r->c, &r->rtl);

		if (d < r->c.n || r->c.n != r->rtl.n)
			fprintf(stderr, "%s: C delivered %zu messages, the card %zu; first difference at %zu\n", what,
				r->c.n, r->rtl.n, d);
		CU_ASSERT_EQUAL(r->rtl.n, r->c.n);
		CU_ASSERT_EQUAL(d, r->c.n);
		CU_ASSERT_EQUAL(r->rtl.n_gaps, r->c.n_gaps);
		CU_ASSERT(r->c.n_gaps == r->rtl.n_gaps &&
			  (r->c.n_gaps == 0 || memcmp(r->c.gaps, r->rtl.gaps, r->c.n_gaps * sizeof(*r->c.gaps)) == 0));
		struct tg_cf_stats cs;

		tg_cf_stats(r->p.cf, &cs);
		CU_ASSERT_EQUAL(cs.seq_errors, 0);
		CU_ASSERT_EQUAL(cs.format_errors, 0);
	}
	feed_pair_free(&r->p);
	free(r->c.msgs);
	free(r->c.gaps);
	free(r->rtl.msgs);
	free(r->rtl.gaps);
	return n;
}

/* ---- a seeded packetized stream ---- */

static void test_generated_stream(void)
{
	struct tg_feed_config cfg = { .seq_check = true, .n_filters = 1, .filters = { { 0xe9360c6fu, 26477 } } };
	struct tg_itch_gen_config gc = { .seed = 42, .instruments = 64, .max_orders = 20000, .levels = 20 };
	struct tg_packer p = { .rng = 7, .seq = 1 };
	uint8_t f[MAX_FRAME_BYTES], prev[MAX_FRAME_BYTES];
	size_t prev_len = 0;
	struct run r;
	uint64_t made = 0;

	CU_ASSERT_EQUAL_FATAL(tg_itch_gen_new(&gc, &p.gen), TG_OK);
	tg_mold_frame_defaults(&p.fp, "TGSESSION1");
	p.fp.vlan = true;
	p.fp.vlan_tci = 5;
	run_start(&r, &cfg, true);
	while (made < TG_TEST_FEED_MESSAGES) {
		unsigned n;
		size_t len = tg_packer_next(&p, f, 40, &n);
		unsigned what = (unsigned)(tg_packer_rand(&p.rng) % 100);

		CU_ASSERT_FATAL(len > 0);
		made += n;
		if (what == 0)
			continue;	/* lost: a gap at the next packet */
		feed_pair_frame(&r.p, f, len);
		if (what < 4 && prev_len > 0)
			feed_pair_frame(&r.p, prev, prev_len);	/* a late repeat: duplicate */
		else if (what < 10)
			feed_pair_frame(&r.p, f, len);	/* the B feed's copy */
		memcpy(prev, f, len);
		prev_len = len;
		if (what == 99) {	/* a heartbeat carrying the next sequence number */
			len = tg_mold_frame(f, sizeof(f), &p.fp, p.seq, 0, NULL, 0);
			feed_pair_frame(&r.p, f, len);
		}
	}
	size_t got = run_end(&r, "generated", true);

	CU_ASSERT(got > TG_TEST_FEED_MESSAGES * 9 / 10);
	tg_itch_gen_free(p.gen);
}

/*
 * Gap hold: packets are lost, the card holds at the gap, and a
 * retransmission (every packet again from the one holding the next
 * expected message, as a MoldUDP64 request for the gap would bring, plus
 * what was dropped meanwhile) fills it. The card and the C reference agree
 * on everything, and both deliver every message of the stream exactly
 * once, in sequence order.
 */
#define HOLD_PACKETS 6000u

static void test_gap_hold_recovery(void)
{
	struct tg_feed_config cfg = { .seq_check = true, .gap_hold = true, .accept_all = true };
	struct tg_itch_gen_config gc = { .seed = 43, .instruments = 16, .max_orders = 5000, .levels = 10 };
	struct tg_packer p = { .rng = 11, .seq = 1 };
	uint8_t *frames = malloc((size_t)HOLD_PACKETS * MAX_FRAME_BYTES);
	size_t *lens = calloc(HOLD_PACKETS, sizeof(size_t));
	uint64_t *first = calloc(HOLD_PACKETS, sizeof(uint64_t));
	uint64_t made = 0, recoveries = 0, lost = 0;
	unsigned waited = 0;
	struct run r;

	CU_ASSERT_FATAL(frames != NULL && lens != NULL && first != NULL);
	CU_ASSERT_EQUAL_FATAL(tg_itch_gen_new(&gc, &p.gen), TG_OK);
	tg_mold_frame_defaults(&p.fp, "TGHOLD0001");
	run_start(&r, &cfg, true);
	for (unsigned i = 0; i < HOLD_PACKETS; i++) {
		unsigned n;
		uint8_t *f = frames + (size_t)i * MAX_FRAME_BYTES;

		first[i] = p.seq;
		lens[i] = tg_packer_next(&p, f, 30, &n);
		CU_ASSERT_FATAL(lens[i] > 0);
		made += n;
		if (i > 0 && tg_packer_rand(&p.rng) % 50 == 0)
			lost++;		/* lost on the wire */
		else
			feed_pair_frame(&r.p, f, lens[i]);
		if (!r.p.feed.holding) {
			waited = 0;
			continue;
		}
		/* the retransmission answers a few packets later */
		if (++waited < 3 && i + 1 < HOLD_PACKETS)
			continue;
		unsigned k = i;

		while (k > 0 && first[k] > r.p.feed.next_seq)
			k--;
		for (; k <= i; k++)
			feed_pair_frame(&r.p, frames + (size_t)k * MAX_FRAME_BYTES, lens[k]);
		recoveries++;
		waited = 0;
		CU_ASSERT_FALSE(r.p.feed.holding);
	}
	CU_ASSERT(lost > 50);
	CU_ASSERT(recoveries > 0);
	CU_ASSERT(r.p.feed.stats.dropped[TG_FEED_DROP_MOLD_AHEAD] > lost);
	CU_ASSERT_EQUAL(r.p.feed.stats.gaps, r.c.n_gaps);
	/* nothing missing, nothing twice, in order; run_end holds the card to the same */
	CU_ASSERT_EQUAL(r.c.n, made);
	for (size_t m = 0; m < r.c.n; m++) {
		if (r.c.msgs[m].seq != m + 1) {
			CU_FAIL("delivered out of sequence");
			break;
		}
	}
	fprintf(stderr, "gap hold: %llu messages, %llu packets lost, %llu recoveries, %llu gaps\n",
		(unsigned long long)made, (unsigned long long)lost, (unsigned long long)recoveries,
		(unsigned long long)r.p.feed.stats.gaps);
	run_end(&r, "gap hold", true);
	tg_itch_gen_free(p.gen);
	free(frames);
	free(lens);
	free(first);
}

/* ---- the OMI captures ---- */

static void test_omi_captures(void)
{
	char dir[4096];
	struct run r;
	unsigned files;

	snprintf(dir, sizeof(dir), "%s/omi", tg_test_data_dir());
	/* analysis mode: the captures' headers are sanitized */
	struct tg_feed_config analysis = { .seq_check = false, .accept_all = true };

	run_start(&r, &analysis, true);
	files = tg_test_each_capture(dir, feed_pair_frame_cb, &r.p);
	if (files == 0) {
		fprintf(stderr, "no captures under %s\n", dir);
		CU_FAIL("no OMI captures found (set TICKGATE_DATA)");
	}
	size_t msgs = run_end(&r, "omi", true);

	CU_ASSERT(msgs >= 60);	/* Multiple.Packets alone carries 38 + more */
}

/* ---- fuzz: mutated and random frames ---- */

static void test_fuzzed_frames(void)
{
	struct tg_itch_gen_config gc = { .seed = 9, .instruments = 8, .max_orders = 2000, .levels = 10 };
	struct tg_feed_config cfgs[2] = {
		{ .seq_check = true, .n_filters = 1, .filters = { { 0, 26477 } } },
		{ .seq_check = false, .accept_all = true },
	};

	for (unsigned c = 0; c < 2; c++) {
		struct tg_packer p = { .rng = 1000 + c, .seq = 1 };
		uint8_t f[MAX_FRAME_BYTES];
		struct run r;

		CU_ASSERT_EQUAL_FATAL(tg_itch_gen_new(&gc, &p.gen), TG_OK);
		tg_mold_frame_defaults(&p.fp, "FUZZ");
		run_start(&r, &cfgs[c], true);
		for (unsigned i = 0; i < 20000; i++) {
			unsigned n;
			size_t len = tg_packer_next(&p, f, 30, &n);
			unsigned how = (unsigned)(tg_packer_rand(&p.rng) % 8);

			p.fp.vlan = tg_packer_rand(&p.rng) & 1;
			if (how == 0) {		/* flip a few bytes anywhere */
				for (unsigned k = 1 + (unsigned)(tg_packer_rand(&p.rng) % 4); k > 0; k--)
					f[tg_packer_rand(&p.rng) % len] ^= (uint8_t)(1 + tg_packer_rand(&p.rng) % 255);
			} else if (how == 1) {	/* a flip inside the headers */
				f[tg_packer_rand(&p.rng) % 70] ^= (uint8_t)(1u << (tg_packer_rand(&p.rng) % 8));
			} else if (how == 2) {	/* cut short */
				len = 1 + (size_t)(tg_packer_rand(&p.rng) % len);
			} else if (how == 3) {	/* trailing bytes, maybe past the maximum */
				size_t more = (size_t)(tg_packer_rand(&p.rng) % 600);

				for (size_t k = 0; k < more && len < MAX_FRAME_BYTES; k++)
					f[len++] = (uint8_t)tg_packer_rand(&p.rng);
			} else if (how == 4) {	/* garbage */
				len = 1 + (size_t)(tg_packer_rand(&p.rng) % 200);
				for (size_t k = 0; k < len; k++)
					f[k] = (uint8_t)tg_packer_rand(&p.rng);
			} else if (how == 5 && len > 70) {	/* a block length rewritten */
				size_t at = (p.fp.vlan ? 66 : 62);

				f[at] = (uint8_t)(tg_packer_rand(&p.rng) % 3);
				f[at + 1] = (uint8_t)tg_packer_rand(&p.rng);
			}
			feed_pair_frame(&r.p, f, len);
		}
		/* and a good packet parses normally afterwards */
		p.fp.vlan = false;
		unsigned n;
		size_t len = tg_packer_next(&p, f, 5, &n);

		feed_pair_frame(&r.p, f, len);
		run_end(&r, c == 0 ? "fuzz/seq" : "fuzz/analysis", true);
		tg_itch_gen_free(p.gen);
	}
}

/* ---- line rate: back to back, the input never waits ---- */

static void test_line_rate(void)
{
	struct tg_feed_config cfg = { .seq_check = true, .accept_all = true };
	struct tg_mold_frame_params fp;
	uint8_t blocks[TG_MOLD_MAX_PAYLOAD], f[MAX_FRAME_BYTES];
	struct run r;
	uint64_t seq = 1;

	tg_mold_frame_defaults(&fp, "LINERATE");
	run_start(&r, &cfg, false);
	/* MTU packets full of the shortest messages (12-byte system events) */
	for (unsigned k = 0; k < 2000; k++) {
		size_t used = 0;
		unsigned n = 0;

		while (used + 14 <= TG_MOLD_MAX_PAYLOAD - TG_MOLD_HDR) {
			uint8_t *b = blocks + used;

			memset(b, 0, 14);
			b[1] = 12;
			b[2] = 'S';
			b[13] = 'Q';
			used += 14;
			n++;
		}
		size_t len = tg_mold_frame(f, sizeof(f), &fp, seq, (uint16_t)n, blocks, used);

		seq += n;
		feed_pair_frame(&r.p, f, len);
	}
	/* minimum-size packets: one 12-byte message each */
	for (unsigned k = 0; k < 20000; k++) {
		memset(blocks, 0, 14);
		blocks[1] = 12;
		blocks[2] = 'S';
		blocks[13] = 'Q';
		size_t len = tg_mold_frame(f, sizeof(f), &fp, seq, 1, blocks, 14);

		seq++;
		feed_pair_frame(&r.p, f, len);
	}
	/* MSG events cannot keep up with the wire (64-byte records for 14-byte
	 * messages): compare the counters, which must be exact */
	run_end(&r, "line rate", false);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "OMI captures: card and C decoder agree", test_omi_captures },
		{ "generated stream with gaps and duplicates agrees", test_generated_stream },
		{ "gap hold: losses recovered by retransmission, nothing missing", test_gap_hold_recovery },
		{ "fuzzed frames: same drops, same messages", test_fuzzed_frames },
		{ "line rate: no input stall, exact counters", test_line_rate },
	};

	return tg_cunit_run("rtl_feed", NULL, NULL, tests, sizeof(tests) / sizeof(tests[0]));
}
