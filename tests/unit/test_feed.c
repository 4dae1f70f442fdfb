/*
 * Unit tests of the feed decoder (sw/feed.c) on frames built here byte by
 * byte: every drop reason, MoldUDP64 sequencing (gaps, duplicates, partial
 * overlaps, sessions, heartbeats), ITCH framing errors, garbage, and binary
 * ITCH files. After anything, frames == parsed + dropped, and the next good
 * frame parses normally.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tg_cunit.h"
#include "tickgate/feed.h"
#include "tickgate/itch50.h"

#define MAXF 2048

struct rx {
	unsigned n;
	uint64_t seq[256];
	uint8_t type[256];
	unsigned gaps;
	uint64_t gap_first, gap_last;
};

static void on_msg(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	struct rx *r = ctx;

	if (r->n < 256) {
		r->seq[r->n] = meta->seq;
		r->type[r->n] = msg[0];
	}
	r->n++;
}

static void on_gap(void *ctx, uint64_t first, uint64_t last)
{
	struct rx *r = ctx;

	r->gaps++;
	r->gap_first = first;
	r->gap_last = last;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* An ITCH message of type t with its specified length; returns the length. */
static size_t itch_msg(uint8_t *m, char t, uint64_t ref)
{
	const struct tg_itch_type *ty = tg_itch_type((uint8_t)t);
	size_t len = ty ? ty->length : 20;

	memset(m, ' ', len);
	m[0] = (uint8_t)t;
	put_be(m + 1, 7, 2);
	put_be(m + 3, 0, 2);
	put_be(m + 5, 34200000000000ull, 6);
	if (len >= 19)
		put_be(m + 11, ref, 8);
	return len;
}

struct pkt {
	int vlan;
	uint16_t dport;
	uint8_t session[10];
	uint64_t seq;
	unsigned count;		/* header count; blocks below */
	unsigned nblocks;
	char types[64];
	int bad_len_block;	/* index whose length field is off by one, or -1 */
};

static size_t build(uint8_t *f, const struct pkt *p)
{
	size_t l2 = p->vlan ? 18 : 14, off;
	uint8_t *ip, *udp, *mold;

	memset(f, 0, MAXF);
	memcpy(f, "\x01\x00\x5e\x36\x0c\x6f\x00\x11\x22\x33\x44\x55", 12);
	if (p->vlan) {
		put16(f + 12, 0x8100);
		put16(f + 14, 141);
		put16(f + 16, 0x0800);
	} else {
		put16(f + 12, 0x0800);
	}
	ip = f + l2;
	udp = ip + 20;
	mold = udp + 8;
	memcpy(mold, p->session, 10);
	put_be(mold + 10, p->seq, 8);
	put16(mold + 18, p->count);
	off = 20;
	for (unsigned i = 0; i < p->nblocks; i++) {
		size_t n = itch_msg(mold + off + 2, p->types[i], 1000 + i);

		put16(mold + off, (unsigned)n + ((int)i == p->bad_len_block ? 1u : 0u));
		off += 2 + n + ((int)i == p->bad_len_block ? 1u : 0u);
	}
	put16(udp, 40000);
	put16(udp + 2, p->dport);
	put16(udp + 4, (unsigned)(8 + off));
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)(20 + 8 + off));
	ip[8] = 32;
	ip[9] = 17;
	memcpy(ip + 12, "\x0a\x00\x00\x01\xe9\x36\x0c\x6f", 8);
	uint32_t sum = 0;

	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffff);
	return l2 + 20 + 8 + off;
}

static void fix_ip_checksum(uint8_t *ip)
{
	uint32_t sum = 0;

	put16(ip + 10, 0);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffff);
}

static struct pkt basic(uint64_t seq, const char *types)
{
	struct pkt p = { .vlan = 1, .dport = 26477, .seq = seq, .bad_len_block = -1 };

	memcpy(p.session, "000010059B", 10);
	p.nblocks = (unsigned)strlen(types);
	p.count = p.nblocks;
	memcpy(p.types, types, p.nblocks);
	return p;
}

static struct tg_feed feed;
static struct rx rx;

static void start(bool seq_check)
{
	struct tg_feed_config cfg = { .seq_check = seq_check, .accept_all = true };
	struct tg_feed_handlers h = { .message = on_msg, .gap = on_gap, .ctx = &rx };

	memset(&rx, 0, sizeof(rx));
	tg_feed_init(&feed, &cfg, &h);
}

static uint64_t dropped_total(void)
{
	uint64_t n = 0;

	for (unsigned r = 0; r < TG_FEED_DROP_COUNT; r++)
		n += feed.stats.dropped[r];
	return n;
}

static void balanced(void)
{
	CU_ASSERT_EQUAL(feed.stats.frames, feed.stats.parsed + dropped_total());
}

static void test_good_frames_with_and_without_vlan(void)
{
	uint8_t f[MAXF];
	struct pkt p = basic(1, "SRAFEXDU");

	start(true);
	tg_feed_frame(&feed, f, build(f, &p), 0);
	p = basic(9, "PQCB");
	p.vlan = 0;
	tg_feed_frame(&feed, f, build(f, &p), 0);
	CU_ASSERT_EQUAL(feed.stats.parsed, 2);
	CU_ASSERT_EQUAL(rx.n, 12);
	CU_ASSERT_EQUAL(rx.seq[0], 1);
	CU_ASSERT_EQUAL(rx.seq[7], 8);
	CU_ASSERT_EQUAL(rx.seq[8], 9);
	CU_ASSERT_EQUAL(rx.type[11], 'B');
	CU_ASSERT_EQUAL(feed.stats.by_type['A'], 1);
	CU_ASSERT_EQUAL(feed.stats.gaps, 0);
	balanced();
}

static void test_every_truncation_is_dropped(void)
{
	uint8_t f[MAXF];
	struct pkt p = basic(1, "AFE");
	size_t len = build(f, &p);

	/* 802.1Q + IPv4 + UDP + MoldUDP64 headers, then blocks of 2 + 36, 2 + 40, 2 + 31 bytes */
	const size_t pay = 18 + 20 + 8 + 20, a_end = pay + 38, f_end = a_end + 42;

	CU_ASSERT_EQUAL(len, f_end + 33);
	start(false);
	for (size_t cut = 0; cut < len; cut++)
		tg_feed_frame(&feed, f, cut, 0);
	/* a frame cut anywhere never parses as a whole one; cut-through, the
	 * blocks complete before the cut were delivered */
	CU_ASSERT_EQUAL(feed.stats.parsed, 0);
	CU_ASSERT_EQUAL(rx.n, (len - a_end) + (len - f_end));
	rx.n = 0;
	CU_ASSERT(feed.stats.dropped[TG_FEED_DROP_RUNT] > 0);
	CU_ASSERT(feed.stats.dropped[TG_FEED_DROP_IP_TRUNCATED] > 0);
	balanced();
	tg_feed_frame(&feed, f, len, 0);
	CU_ASSERT_EQUAL(rx.n, 3);	/* and the next good frame parses normally */
}

static void expect_drop(uint8_t *f, size_t len, enum tg_feed_drop reason, bool seq_check)
{
	start(seq_check);
	tg_feed_frame(&feed, f, len, 0);
	CU_ASSERT_EQUAL(feed.stats.dropped[reason], 1);
	CU_ASSERT_EQUAL(feed.stats.parsed, 0);
	CU_ASSERT_EQUAL(rx.n, 0);
	balanced();
}

static void test_each_drop_reason(void)
{
	uint8_t f[MAXF];
	struct pkt p = basic(1, "A");
	size_t len = build(f, &p);
	uint8_t *ip = f + 18;

	ip[10] ^= 0x01;
	expect_drop(f, len, TG_FEED_DROP_IP_CHECKSUM, true);
	len = build(f, &p);
	put16(ip + 10, 0);	/* sanitized: zero checksum */
	expect_drop(f, len, TG_FEED_DROP_IP_CHECKSUM, true);
	start(false);
	feed.cfg.accept_all = true;
	tg_feed_frame(&feed, f, len, 0);
	CU_ASSERT_EQUAL(feed.stats.parsed, 1);	/* accepted in analysis mode */

	len = build(f, &p);
	put16(ip + 6, 0x2000);	/* more fragments */
	fix_ip_checksum(ip);
	expect_drop(f, len, TG_FEED_DROP_IP_FRAGMENT, true);
	len = build(f, &p);
	ip[9] = 6;	/* TCP */
	fix_ip_checksum(ip);
	expect_drop(f, len, TG_FEED_DROP_NOT_UDP, true);
	len = build(f, &p);
	ip[0] = 0x65;	/* IPv6 version nibble */
	expect_drop(f, len, TG_FEED_DROP_IP_HEADER, true);
	len = build(f, &p);
	put16(f + 16, 0x0806);	/* ARP inside the VLAN */
	expect_drop(f, len, TG_FEED_DROP_NOT_IPV4, true);
	len = build(f, &p);
	put16(f + 16, 0x8100);	/* a second tag: only one is supported */
	expect_drop(f, len, TG_FEED_DROP_NOT_IPV4, true);
	len = build(f, &p);
	put16(ip + 20 + 4, 4);	/* UDP length below its header */
	expect_drop(f, len, TG_FEED_DROP_UDP_LENGTH, true);
	len = build(f, &p);
	put16(ip + 20 + 4, 1400);	/* past the IP payload */
	expect_drop(f, len, TG_FEED_DROP_UDP_LENGTH, true);
	/* an IP packet that cannot fit in a frame is dropped at its header */
	len = build(f, &p);
	put16(ip + 2, 1600);
	put16(ip + 20 + 4, 1600 - 20);
	fix_ip_checksum(ip);
	expect_drop(f, 2000, TG_FEED_DROP_JUMBO, true);
	/* an over-long frame around a good packet: its message was delivered
	 * (cut-through) before the frame's end told it was over-long */
	len = build(f, &p);
	start(true);
	tg_feed_frame(&feed, f, 2000, 0);
	CU_ASSERT_EQUAL(feed.stats.dropped[TG_FEED_DROP_JUMBO], 1);
	CU_ASSERT_EQUAL(rx.n, 1);
	balanced();
	expect_drop(f, 13, TG_FEED_DROP_RUNT, true);

	/* MoldUDP64 header cut short, with IP/UDP lengths consistent */
	len = build(f, &p);
	put16(ip + 2, 20 + 8 + 10);
	put16(ip + 20 + 4, 8 + 10);
	fix_ip_checksum(ip);
	expect_drop(f, len, TG_FEED_DROP_MOLD_SHORT, true);
}

static void test_udp_filter(void)
{
	uint8_t f[MAXF];
	struct pkt p = basic(1, "A");
	struct tg_feed_config cfg = { .seq_check = true, .n_filters = 1,
				      .filters = { { .addr = 0xe9360c6f, .port = 26477 } } };
	struct tg_feed_handlers h = { .message = on_msg, .ctx = &rx };

	memset(&rx, 0, sizeof(rx));
	tg_feed_init(&feed, &cfg, &h);
	tg_feed_frame(&feed, f, build(f, &p), 0);
	p.dport = 26478;
	p.seq = 2;
	tg_feed_frame(&feed, f, build(f, &p), 0);
	CU_ASSERT_EQUAL(feed.stats.parsed, 1);
	CU_ASSERT_EQUAL(feed.stats.dropped[TG_FEED_DROP_UDP_FILTER], 1);
	CU_ASSERT_EQUAL(rx.n, 1);
}

static void send(struct pkt p)
{
	uint8_t f[MAXF];

	tg_feed_frame(&feed, f, build(f, &p), 0);
}

static void test_sequencing(void)
{
	struct pkt hb;

	start(true);
	send(basic(100, "AAA"));	/* 100..102; next 103 */
	send(basic(106, "AA"));		/* gap 103..105 */
	CU_ASSERT_EQUAL(rx.gaps, 1);
	CU_ASSERT_EQUAL(rx.gap_first, 103);
	CU_ASSERT_EQUAL(rx.gap_last, 105);
	CU_ASSERT_EQUAL(feed.stats.gap_messages, 3);
	send(basic(100, "AAA"));	/* old: a duplicate, dropped whole */
	CU_ASSERT_EQUAL(feed.stats.dropped[TG_FEED_DROP_MOLD_DUPLICATE], 1);
	send(basic(107, "AAA"));	/* 107 seen, 108..109 new */
	CU_ASSERT_EQUAL(feed.stats.duplicate_messages, 1);
	CU_ASSERT_EQUAL(rx.n, 3 + 2 + 2);
	CU_ASSERT_EQUAL(rx.seq[5], 108);
	CU_ASSERT_EQUAL(rx.seq[6], 109);
	struct pkt other = basic(110, "A");

	memcpy(other.session, "000010060A", 10);
	send(other);
	CU_ASSERT_EQUAL(feed.stats.dropped[TG_FEED_DROP_MOLD_SESSION], 1);
	hb = basic(112, "");	/* heartbeat announcing 112: 110..111 missing */
	send(hb);
	CU_ASSERT_EQUAL(feed.stats.heartbeats, 1);
	CU_ASSERT_EQUAL(rx.gaps, 2);
	CU_ASSERT_EQUAL(rx.gap_first, 110);
	hb.count = 0xffff;
	send(hb);
	CU_ASSERT_EQUAL(feed.stats.end_of_session, 1);
	CU_ASSERT_EQUAL(rx.n, 7);
	balanced();
	/* analysis mode: the same stream delivers everything */
	start(false);
	send(basic(100, "AAA"));
	send(basic(100, "AAA"));
	CU_ASSERT_EQUAL(rx.n, 6);
	CU_ASSERT_EQUAL(rx.gaps, 0);
}

static void test_framing_errors(void)
{
	struct pkt p = basic(1, "AXA");
	uint8_t f[MAXF];
	size_t len;

	start(true);
	p.bad_len_block = 1;	/* X with a block length one too long: skipped */
	send(p);
	CU_ASSERT_EQUAL(feed.stats.bad_length, 1);
	CU_ASSERT_EQUAL(rx.n, 2);
	CU_ASSERT_EQUAL(feed.stats.parsed, 1);
	p = basic(4, "AZA");	/* 'Z' is not an ITCH 5.0 type: skipped by its length */
	send(p);
	CU_ASSERT_EQUAL(feed.stats.unknown_type, 1);
	CU_ASSERT_EQUAL(rx.n, 4);
	/* count says 5 blocks, 3 present: the first 3 are delivered, the frame is an overrun */
	p = basic(7, "DDD");
	p.count = 5;
	send(p);
	CU_ASSERT_EQUAL(feed.stats.dropped[TG_FEED_DROP_MSG_OVERRUN], 1);
	CU_ASSERT_EQUAL(rx.n, 7);
	/* sequencing moved past the 3 framed blocks only: 10 is next, no gap */
	send(basic(10, "S"));
	CU_ASSERT_EQUAL(rx.gaps, 0);
	CU_ASSERT_EQUAL(rx.seq[7], 10);
	/* a block length that runs past the end */
	p = basic(11, "AA");
	len = build(f, &p);
	put16(f + 18 + 28 + 20 + 2 + 36, 200);
	tg_feed_frame(&feed, f, len, 0);
	CU_ASSERT_EQUAL(feed.stats.dropped[TG_FEED_DROP_MSG_OVERRUN], 2);
	CU_ASSERT_EQUAL(rx.n, 9);
	/* a block shorter than any ITCH message breaks the framing: the rest is dropped */
	p = basic(12, "AAA");
	len = build(f, &p);
	put16(f + 18 + 28 + 20 + 2 + 36, 11);
	tg_feed_frame(&feed, f, len, 0);
	CU_ASSERT_EQUAL(feed.stats.dropped[TG_FEED_DROP_MSG_RUNT], 1);
	CU_ASSERT_EQUAL(rx.n, 10);
	put16(f + 18 + 28 + 20 + 2 + 36, 0);
	tg_feed_frame(&feed, f, len, 0);
	CU_ASSERT_EQUAL(feed.stats.dropped[TG_FEED_DROP_MSG_RUNT], 2);
	balanced();
}

static void test_garbage_never_desynchronizes(void)
{
	uint8_t f[MAXF];
	uint64_t x = 0x1234567887654321ull;
	struct pkt good = basic(1, "AE");
	size_t glen;

	start(true);
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)(x % 1600);

		for (size_t k = 0; k < len; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			f[k] = (uint8_t)x;
		}
		/* half of them look like IPv4 over 802.1Q to get deeper */
		if (i & 1 && len > 18) {
			put16(f + 12, 0x8100);
			put16(f + 16, 0x0800);
		}
		tg_feed_frame(&feed, f, len, 0);
	}
	balanced();

	start(true);
	glen = build(f, &good);
	tg_feed_frame(&feed, f, glen, 0);
	CU_ASSERT_EQUAL(rx.n, 2);
	/* mutate one byte of a good frame at every position: counted either way */
	start(false);
	for (size_t pos = 0; pos < glen; pos++) {
		build(f, &good);
		f[pos] ^= 0x5a;
		tg_feed_frame(&feed, f, glen, 0);
	}
	balanced();
}

static void test_binary_itch_file(void)
{
	char path[] = "/tmp/tg_itch_XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "wb");
	uint8_t m[64], pfx[2];
	const char *types = "SRAEXDU";
	char err[256];
	size_t n_after;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	for (unsigned i = 0; types[i]; i++) {
		size_t n = itch_msg(m, types[i], i);

		/* correct, zero and wrong prefixes in turn */
		put16(pfx, i % 3 == 0 ? (unsigned)n : i % 3 == 1 ? 0 : (unsigned)n + 7);
		fwrite(pfx, 1, 2, fp);
		fwrite(m, 1, n, fp);
	}
	fclose(fp);
	CU_ASSERT_FALSE(tg_feed_is_pcap(path));
	start(true);
	CU_ASSERT_EQUAL(tg_feed_file(&feed, path, err, sizeof(err)), TG_OK);
	CU_ASSERT_EQUAL(rx.n, 7);
	CU_ASSERT_EQUAL(rx.type[6], 'U');
	CU_ASSERT_EQUAL(rx.seq[6], 7);
	CU_ASSERT_EQUAL(feed.stats.length_prefix_fixed, 4);

	/* an unknown type is skipped by its length prefix, however long (up to 65535) */
	fp = fopen(path, "ab");
	put16(pfx, 65535);
	fwrite(pfx, 1, 2, fp);
	for (unsigned i = 0; i < 65535; i++)
		fputc(i == 0 ? 'z' : 0xa5, fp);
	n_after = itch_msg(m, 'D', 8);
	put16(pfx, (unsigned)n_after);
	fwrite(pfx, 1, 2, fp);
	fwrite(m, 1, n_after, fp);
	fclose(fp);
	start(true);
	CU_ASSERT_EQUAL(tg_feed_file(&feed, path, err, sizeof(err)), TG_OK);
	CU_ASSERT_EQUAL(feed.stats.unknown_type, 1);
	CU_ASSERT_EQUAL(rx.n, 8);
	CU_ASSERT_EQUAL(rx.type[7], 'D');

	/* an unknown type with a zero length cannot be resynchronized: a clear error */
	fp = fopen(path, "ab");
	put16(pfx, 0);
	fwrite(pfx, 1, 2, fp);
	fputc('Z', fp);
	fclose(fp);
	start(true);
	CU_ASSERT_EQUAL(tg_feed_file(&feed, path, err, sizeof(err)), TG_ERR_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "offset"));
	CU_ASSERT_EQUAL(rx.n, 8);	/* everything before it was decoded */
	unlink(path);
	start(true);
	CU_ASSERT_EQUAL(tg_feed_file(&feed, "/nonexistent/x.itch", err, sizeof(err)), TG_ERR_NOENT);
}

static void test_table_matches_spec_lengths(void)
{
	/* the lengths the issue and the ITCH 5.0 specification list */
	static const struct { char t; unsigned len; } want[] = {
		{ 'S', 12 }, { 'R', 39 }, { 'H', 25 }, { 'Y', 20 }, { 'L', 26 }, { 'V', 35 }, { 'W', 12 }, { 'K', 28 },
		{ 'J', 35 }, { 'h', 21 }, { 'A', 36 }, { 'F', 40 }, { 'E', 31 }, { 'C', 36 }, { 'X', 23 }, { 'D', 19 },
		{ 'U', 35 }, { 'P', 44 }, { 'Q', 40 }, { 'B', 19 }, { 'I', 50 }, { 'N', 20 }, { 'O', 48 },
	};

	CU_ASSERT_EQUAL(tg_itch_types_count, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct tg_itch_type *t = tg_itch_type((uint8_t)want[i].t);

		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_EQUAL(t->length, want[i].len);
	}
	CU_ASSERT_PTR_NULL(tg_itch_type('Z'));
	CU_ASSERT_PTR_NULL(tg_itch_type(0));
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "good frames with and without 802.1Q", test_good_frames_with_and_without_vlan },
		{ "every truncation is dropped", test_every_truncation_is_dropped },
		{ "each drop reason", test_each_drop_reason },
		{ "UDP destination filter", test_udp_filter },
		{ "MoldUDP64 sequencing", test_sequencing },
		{ "ITCH framing errors", test_framing_errors },
		{ "garbage never desynchronizes", test_garbage_never_desynchronizes },
		{ "binary ITCH files", test_binary_itch_file },
		{ "ITCH table lengths", test_table_matches_spec_lengths },
	};

	return tg_cunit_run("feed", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
