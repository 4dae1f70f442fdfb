/*
 * Unit tests of the exchange's market-data side: the ITCH 5.0 encoders
 * (sw/itch_encode.c), read back field by field through the generated
 * layout table, and the MoldUDP64 publisher (sim/exchange/feed_publisher.c)
 * on loopback sockets, its packets received with a plain socket and
 * decoded by the project's own feed decoder (sw/feed.c): sequence numbers,
 * counts and every message in order, heartbeats and End of Session on an
 * explicit clock, the retransmission service (exact ranges, ranges no
 * longer held or not yet published, malformed and foreign requests), loss
 * injection with the gap found and filled by retransmission, the pcap read
 * back with libpcap, multicast on the loopback interface, and the
 * translation of matching-engine events: scripted cases, and the real
 * engine (sw/match.c) under a seeded random order flow with the book built
 * from the feed (sw/book.c) compared to the engine's displayed book after
 * every call. No assertion depends on timing: the feed's clock is the
 * now_ns the test passes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "feed_publisher.h"
#include "tg_cunit.h"
#include "tickgate/book.h"
#include "tickgate/feed.h"
#include "tickgate/itch50.h"
#include "tickgate/itch_encode.h"
#include "tickgate/match.h"
#include "tickgate/mold_frame.h"
#include "tickgate/pcap_frames.h"

#define SEC 1000000000ull
#define MS 1000000ull
#define T0 (9ull * 3600 * SEC + 30ull * 60 * SEC)	/* 09:30 */
#define LOOPBACK 0x7f000001u
#define SESSION "TGTEST0001"
#define MAXM 8192
#define WAIT_MS 5000

static char tmpdir[64];

/* ---- encoders ---- */

/* An expected field value: a number, or the text of an alpha/char field (without padding). */
struct want {
	const char *name;
	uint64_t num;
	const char *text;
};

static const struct tg_itch_field *field_of(const struct tg_itch_type *t, const char *name)
{
	for (unsigned i = 0; i < t->n_fields; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return &t->fields[i];
	return NULL;
}

/*
 * Encode twice over different fills (every byte must be written), then
 * read every field of the type's generated layout back and compare it
 * with what was encoded: no field may go unchecked.
 */
static void check_message(const uint8_t *a, const uint8_t *b, size_t len, char type, const struct want *w, size_t nw)
{
	const struct tg_itch_type *t = tg_itch_type((uint8_t)type);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(len, t->length);
	CU_ASSERT_EQUAL(memcmp(a, b, len), 0);
	CU_ASSERT_EQUAL(a[0], (uint8_t)type);
	CU_ASSERT_EQUAL(a[len], 0xAA);	/* nothing past the message */
	for (unsigned i = 0; i < t->n_fields; i++) {
		const struct tg_itch_field *f = &t->fields[i];
		const struct want *x = NULL;

		for (size_t k = 0; k < nw; k++)
			if (strcmp(w[k].name, f->name) == 0)
				x = &w[k];
		if (x == NULL) {
			fprintf(stderr, "type %c: field %s not checked\n", type, f->name);
			CU_FAIL("field without an expectation");
			continue;
		}
		if (x->text != NULL) {
			char s[16];

			CU_ASSERT_TRUE(f->kind == TG_ITCH_ALPHA || f->kind == TG_ITCH_CHAR);
			tg_itch_alpha(s, a, f->offset, f->length);
			if (strcmp(s, x->text) != 0)
				fprintf(stderr, "type %c field %s: '%s', want '%s'\n", type, f->name, s, x->text);
			CU_ASSERT_STRING_EQUAL(s, x->text);
			/* padding is spaces */
			for (unsigned j = (unsigned)strlen(x->text); j < f->length; j++)
				CU_ASSERT_EQUAL(a[f->offset + j], ' ');
		} else {
			if (tg_itch_get(a, f) != x->num)
				fprintf(stderr, "type %c field %s: %" PRIu64 ", want %" PRIu64 "\n", type, f->name,
					tg_itch_get(a, f), x->num);
			CU_ASSERT_EQUAL(tg_itch_get(a, f), x->num);
		}
	}
}

#define HDR_WANT(loc, trk, ts) {"stock_locate", loc, NULL}, {"tracking_number", trk, NULL}, {"timestamp", ts, NULL}
#define ENC2(call_a, call_b) \
	memset(a, 0xAA, sizeof(a)); \
	memset(b, 0x55, sizeof(b)); \
	len = call_a; \
	CU_ASSERT_EQUAL(call_b, len)

static void test_encoders(void)
{
	uint8_t a[TG_ITCH_MAX_LEN + 8], b[TG_ITCH_MAX_LEN + 8];
	/* a timestamp with all 48 bits in use (23:59:59.999999999 is below 2^47) and bits above 48 set */
	const uint64_t ts = 86399999999999ull;
	struct tg_itch_hdr h = { .locate = 0xBEEF, .tracking = 0x1234, .ts_ns = ts | (0xABull << 48) };
	const char mpid4[4] = { 'M', 'P', 'I', 'D' };	/* no terminator */
	size_t len;

	ENC2(tg_itch_enc_system_event(a, &h, 'Q'), tg_itch_enc_system_event(b, &h, 'Q'));
	{
		struct want w[] = { HDR_WANT(0xBEEF, 0x1234, ts), {"event_code", 0, "Q"} };

		check_message(a, b, len, 'S', w, TG_CUNIT_COUNT(w));
	}

	struct tg_itch_stock_directory d = {
		.stock = "ZVZZT", .market_category = 'G', .financial_status = 'D', .round_lot_size = 0x01020304,
		.round_lots_only = 'Y', .issue_classification = 'A', .issue_sub_type = "AI", .authenticity = 'T',
		.short_sale_threshold = 'Y', .ipo_flag = 'Z', .luld_tier = '2', .etp_flag = 'Y',
		.etp_leverage_factor = 0xA0B0C0D0u, .inverse_indicator = 'Y',
	};

	ENC2(tg_itch_enc_stock_directory(a, &h, &d), tg_itch_enc_stock_directory(b, &h, &d));
	{
		struct want w[] = {
			HDR_WANT(0xBEEF, 0x1234, ts), {"stock", 0, "ZVZZT"}, {"market_category", 0, "G"},
			{"financial_status_indicator", 0, "D"}, {"round_lot_size", 0x01020304, NULL},
			{"round_lots_only", 0, "Y"}, {"issue_classification", 0, "A"}, {"issue_sub_type", 0, "AI"},
			{"authenticity", 0, "T"}, {"short_sale_threshold_indicator", 0, "Y"}, {"ipo_flag", 0, "Z"},
			{"luld_reference_price_tier", 0, "2"}, {"etp_flag", 0, "Y"},
			{"etp_leverage_factor", 0xA0B0C0D0u, NULL}, {"inverse_indicator", 0, "Y"},
		};

		check_message(a, b, len, 'R', w, TG_CUNIT_COUNT(w));
	}
	tg_itch_stock_directory_defaults(&d, "AAPL");
	ENC2(tg_itch_enc_stock_directory(a, &h, &d), tg_itch_enc_stock_directory(b, &h, &d));
	{
		struct want w[] = {
			HDR_WANT(0xBEEF, 0x1234, ts), {"stock", 0, "AAPL"}, {"market_category", 0, "Q"},
			{"financial_status_indicator", 0, "N"}, {"round_lot_size", 100, NULL},
			{"round_lots_only", 0, "N"}, {"issue_classification", 0, "C"}, {"issue_sub_type", 0, "Z"},
			{"authenticity", 0, "P"}, {"short_sale_threshold_indicator", 0, "N"}, {"ipo_flag", 0, ""},
			{"luld_reference_price_tier", 0, "1"}, {"etp_flag", 0, "N"}, {"etp_leverage_factor", 0, NULL},
			{"inverse_indicator", 0, "N"},
		};

		check_message(a, b, len, 'R', w, TG_CUNIT_COUNT(w));
	}

	ENC2(tg_itch_enc_trading_action(a, &h, "ABCDEFGH", 'H', "LUDP"),
	     tg_itch_enc_trading_action(b, &h, "ABCDEFGH", 'H', "LUDP"));
	{
		struct want w[] = { HDR_WANT(0xBEEF, 0x1234, ts), {"stock", 0, "ABCDEFGH"}, {"trading_state", 0, "H"},
				    {"reserved", ' ', NULL}, {"reason", 0, "LUDP"} };

		check_message(a, b, len, 'H', w, TG_CUNIT_COUNT(w));
	}
	/* a stock longer than the field is cut at 8; a NULL reason is blank */
	ENC2(tg_itch_enc_trading_action(a, &h, "ABCDEFGHIJ", 'T', NULL),
	     tg_itch_enc_trading_action(b, &h, "ABCDEFGHIJ", 'T', NULL));
	{
		struct want w[] = { HDR_WANT(0xBEEF, 0x1234, ts), {"stock", 0, "ABCDEFGH"}, {"trading_state", 0, "T"},
				    {"reserved", ' ', NULL}, {"reason", 0, ""} };

		check_message(a, b, len, 'H', w, TG_CUNIT_COUNT(w));
	}

	ENC2(tg_itch_enc_add_order(a, &h, 0x0102030405060708ull, 'S', 0xFFFFFFFFu, "MSFT", 1234567),
	     tg_itch_enc_add_order(b, &h, 0x0102030405060708ull, 'S', 0xFFFFFFFFu, "MSFT", 1234567));
	{
		struct want w[] = { HDR_WANT(0xBEEF, 0x1234, ts),
				    {"order_reference_number", 0x0102030405060708ull, NULL},
				    {"buy_sell_indicator", 0, "S"}, {"shares", 0xFFFFFFFFu, NULL}, {"stock", 0, "MSFT"},
				    {"price", 1234567, NULL} };

		check_message(a, b, len, 'A', w, TG_CUNIT_COUNT(w));
	}

	ENC2(tg_itch_enc_add_order_mpid(a, &h, 77, 'B', 300, "QQQ", 0x80000001u, mpid4),
	     tg_itch_enc_add_order_mpid(b, &h, 77, 'B', 300, "QQQ", 0x80000001u, mpid4));
	{
		struct want w[] = { HDR_WANT(0xBEEF, 0x1234, ts), {"order_reference_number", 77, NULL},
				    {"buy_sell_indicator", 0, "B"}, {"shares", 300, NULL}, {"stock", 0, "QQQ"},
				    {"price", 0x80000001u, NULL}, {"attribution", 0, "MPID"} };

		check_message(a, b, len, 'F', w, TG_CUNIT_COUNT(w));
	}

	ENC2(tg_itch_enc_order_executed(a, &h, UINT64_MAX, 123, 0xF0E0D0C0B0A09080ull),
	     tg_itch_enc_order_executed(b, &h, UINT64_MAX, 123, 0xF0E0D0C0B0A09080ull));
	{
		struct want w[] = { HDR_WANT(0xBEEF, 0x1234, ts), {"order_reference_number", UINT64_MAX, NULL},
				    {"executed_shares", 123, NULL}, {"match_number", 0xF0E0D0C0B0A09080ull, NULL} };

		check_message(a, b, len, 'E', w, TG_CUNIT_COUNT(w));
	}

	ENC2(tg_itch_enc_order_executed_price(a, &h, 5, 6, 7, 'N', 999999),
	     tg_itch_enc_order_executed_price(b, &h, 5, 6, 7, 'N', 999999));
	{
		struct want w[] = { HDR_WANT(0xBEEF, 0x1234, ts), {"order_reference_number", 5, NULL},
				    {"executed_shares", 6, NULL}, {"match_number", 7, NULL}, {"printable", 0, "N"},
				    {"execution_price", 999999, NULL} };

		check_message(a, b, len, 'C', w, TG_CUNIT_COUNT(w));
	}

	ENC2(tg_itch_enc_order_cancel(a, &h, 1ull << 40, 65536), tg_itch_enc_order_cancel(b, &h, 1ull << 40, 65536));
	{
		struct want w[] = { HDR_WANT(0xBEEF, 0x1234, ts), {"order_reference_number", 1ull << 40, NULL},
				    {"canceled_shares", 65536, NULL} };

		check_message(a, b, len, 'X', w, TG_CUNIT_COUNT(w));
	}

	ENC2(tg_itch_enc_order_delete(a, &h, 42), tg_itch_enc_order_delete(b, &h, 42));
	{
		struct want w[] = { HDR_WANT(0xBEEF, 0x1234, ts), {"order_reference_number", 42, NULL} };

		check_message(a, b, len, 'D', w, TG_CUNIT_COUNT(w));
	}

	ENC2(tg_itch_enc_order_replace(a, &h, 42, 43, 500, 1000100),
	     tg_itch_enc_order_replace(b, &h, 42, 43, 500, 1000100));
	{
		struct want w[] = { HDR_WANT(0xBEEF, 0x1234, ts), {"original_order_reference_number", 42, NULL},
				    {"new_order_reference_number", 43, NULL}, {"shares", 500, NULL},
				    {"price", 1000100, NULL} };

		check_message(a, b, len, 'U', w, TG_CUNIT_COUNT(w));
	}

	ENC2(tg_itch_enc_trade(a, &h, 0, 'B', 250, "SPY", 4501234, 99),
	     tg_itch_enc_trade(b, &h, 0, 'B', 250, "SPY", 4501234, 99));
	{
		struct want w[] = { HDR_WANT(0xBEEF, 0x1234, ts), {"order_reference_number", 0, NULL},
				    {"buy_sell_indicator", 0, "B"}, {"shares", 250, NULL}, {"stock", 0, "SPY"},
				    {"price", 4501234, NULL}, {"match_number", 99, NULL} };

		check_message(a, b, len, 'P', w, TG_CUNIT_COUNT(w));
	}

	/* the header alone */
	memset(a, 0xAA, sizeof(a));
	CU_ASSERT_EQUAL(tg_itch_enc_header(a, 'Z', &h), TG_ITCH_HDR_LEN);
	CU_ASSERT_EQUAL(tg_itch_locate(a), 0xBEEF);
	CU_ASSERT_EQUAL(tg_itch_timestamp(a), ts);
	CU_ASSERT_EQUAL(a[TG_ITCH_HDR_LEN], 0xAA);
}

/* ---- loopback plumbing ---- */

static int udp_socket(uint32_t addr, uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(addr) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 4 << 20;

	CU_ASSERT_FATAL(fd >= 0);
	/* room for a whole test's packets even if the test reads them late */
	CU_ASSERT_EQUAL(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)), 0);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	CU_ASSERT_EQUAL_FATAL(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* One datagram, waiting up to WAIT_MS for it (a bound, not a timing assertion); -1 when none came. */
static ssize_t recv_wait(int fd, uint8_t *buf, size_t cap)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, WAIT_MS) != 1)
		return -1;
	return recv(fd, buf, cap, 0);
}

/* A datagram already queued, or -1. Loopback delivers during sendto(), before it returns. */
static ssize_t recv_now(int fd, uint8_t *buf, size_t cap)
{
	return recv(fd, buf, cap, MSG_DONTWAIT);
}

/* What the test's own decoder saw. */
struct rx {
	struct tg_feed dec;
	unsigned n;
	uint64_t seq[MAXM];
	uint8_t len[MAXM];
	uint8_t msg[MAXM][TG_XFEED_MAX_MSG];
	unsigned gaps;
	uint64_t gap_first[64], gap_last[64];
	struct tg_book *book;	/* messages applied to it too, when set */
};

static void rx_msg(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	struct rx *r = ctx;

	if (r->book != NULL)
		tg_book_apply(r->book, msg, len, meta->seq);
	if (r->n < MAXM) {
		r->seq[r->n] = meta->seq;
		r->len[r->n] = (uint8_t)len;
		memcpy(r->msg[r->n], msg, len);
	}
	r->n++;
}

static void rx_gap(void *ctx, uint64_t first, uint64_t last)
{
	struct rx *r = ctx;

	if (r->gaps < 64) {
		r->gap_first[r->gaps] = first;
		r->gap_last[r->gaps] = last;
	}
	r->gaps++;
}

static struct rx *rx_new(bool seq_check)
{
	struct rx *r = calloc(1, sizeof(*r));
	struct tg_feed_config c = { .seq_check = seq_check, .accept_all = true };
	struct tg_feed_handlers h = { .message = rx_msg, .gap = rx_gap };

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	h.ctx = r;
	tg_feed_init(&r->dec, &c, &h);
	return r;
}

/* The packets a test received, with their MoldUDP64 headers read here. */
struct pkt {
	uint64_t seq;
	unsigned count;
	size_t len;
};

/* Receive n packets from fd into the decoder (and list them); asserts they all came. */
static void take(int fd, struct rx *r, struct pkt *out, unsigned n)
{
	uint8_t buf[2048];

	for (unsigned i = 0; i < n; i++) {
		ssize_t len = recv_wait(fd, buf, sizeof(buf));
		struct tg_feed_meta meta;

		CU_ASSERT_FATAL(len >= 20);
		if (out != NULL)
			out[i] = (struct pkt){ .seq = tg_be(buf + 10, 8), .count = (unsigned)tg_be(buf + 18, 2),
					       .len = (size_t)len };
		CU_ASSERT_EQUAL(memcmp(buf, SESSION, 10), 0);
		memset(&meta, 0, sizeof(meta));
		tg_feed_mold_packet(&r->dec, buf, (size_t)len, &meta);
	}
}

static void base_config(struct tg_xfeed_config *c, uint16_t dst_port)
{
	memset(c, 0, sizeof(*c));
	c->session = SESSION;
	c->dst_addr = LOOPBACK;
	c->dst_port = dst_port;
	c->rtx_any_port = true;
}

static struct tg_xfeed *feed_new(const struct tg_xfeed_config *c)
{
	struct tg_xfeed *f = NULL;
	char err[256];
	int rc = tg_xfeed_new(c, &f, err, sizeof(err));

	if (rc != TG_OK)
		fprintf(stderr, "tg_xfeed_new: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, TG_OK);
	return f;
}

/* The n-th test order message: an A with everything derived from n. */
static size_t test_msg(uint8_t *m, unsigned n)
{
	struct tg_itch_hdr h = { .locate = (uint16_t)(1 + n % 3), .ts_ns = T0 + n };

	if (n % 5 == 4)
		return tg_itch_enc_order_delete(m, &h, 1000 + n);
	return tg_itch_enc_add_order(m, &h, 1000 + n, n % 2 ? 'S' : 'B', 100 + n, "TEST", 100000 + n);
}

static void rtx_request(int fd, uint16_t port, const char *session, uint64_t seq, unsigned count, size_t len)
{
	uint8_t b[32];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LOOPBACK), .sin_port = htons(port) };

	memset(b, ' ', sizeof(b));
	memcpy(b, session, strlen(session));
	tg_itch_put_be(b + 10, seq, 8);
	tg_itch_put_be(b + 18, count, 2);
	CU_ASSERT_EQUAL(sendto(fd, b, len, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)len);
}

/* ---- publisher ---- */

static void test_start_of_day_and_sequence(void)
{
	static const char *const syms[] = { "AAPL", "MSFT", "ZVZZT" };
	struct tg_xfeed_config c;
	struct tg_xfeed *f;
	uint16_t port;
	int fd = udp_socket(LOOPBACK, &port);
	struct rx *r = rx_new(true);
	struct pkt pk[512];
	const unsigned n = 600;
	uint8_t m[TG_ITCH_MAX_LEN];
	uint64_t expect_seq = 1, total = 0;

	base_config(&c, port);
	c.max_payload = 300;
	f = feed_new(&c);
	CU_ASSERT_EQUAL(tg_xfeed_start_of_day(f, syms, 0, T0), TG_ERR_ARG);
	{
		static const char *const bad[] = { "TOOLONGSYM" };

		CU_ASSERT_EQUAL(tg_xfeed_start_of_day(f, bad, 1, T0), TG_ERR_ARG);
	}
	CU_ASSERT_EQUAL(tg_xfeed_start_of_day(f, syms, 3, T0), TG_OK);
	CU_ASSERT_EQUAL(tg_xfeed_start_of_day(f, syms, 3, T0), TG_ERR_STATE);
	for (unsigned i = 0; i < n; i++) {
		size_t len = test_msg(m, i);

		CU_ASSERT_EQUAL(tg_xfeed_message(f, m, len, T0 + i), TG_OK);
	}
	CU_ASSERT_EQUAL(tg_xfeed_message(f, m, 0, T0), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_xfeed_message(f, m, TG_XFEED_MAX_MSG + 1, T0), TG_ERR_ARG);
	tg_xfeed_flush(f, T0 + n);
	tg_xfeed_flush(f, T0 + n);	/* nothing pending: no empty packet */

	const struct tg_xfeed_stats *st = tg_xfeed_stats(f);
	const unsigned sod = 1 + 2 * 3 + 2;	/* O, R+H per instrument, S, Q */

	CU_ASSERT_EQUAL(st->messages, sod + n);
	CU_ASSERT_EQUAL(tg_xfeed_next_seq(f), sod + n + 1);
	CU_ASSERT_FATAL(st->packets > 1 && st->packets <= 512);
	take(fd, r, pk, (unsigned)st->packets);
	CU_ASSERT_EQUAL(recv_now(fd, m, sizeof(m)), -1);	/* and no more */
	for (unsigned i = 0; i < st->packets; i++) {
		CU_ASSERT_EQUAL(pk[i].seq, expect_seq);
		CU_ASSERT(pk[i].count > 0);
		CU_ASSERT(pk[i].len <= 300);
		/* full: the next message (at most 36 bytes here) did not fit, except in the last packet */
		if (i + 1 < st->packets)
			CU_ASSERT(pk[i].len + 2 + 36 > 300);
		expect_seq += pk[i].count;
		total += pk[i].len;
	}
	CU_ASSERT_EQUAL(expect_seq, sod + n + 1);
	CU_ASSERT_EQUAL(st->bytes, total);
	CU_ASSERT_EQUAL(r->dec.stats.gaps, 0);
	CU_ASSERT_EQUAL(r->dec.stats.parsed, st->packets);
	CU_ASSERT_EQUAL_FATAL(r->n, sod + n);
	/* the start of day, field by field */
	CU_ASSERT_EQUAL(r->msg[0][0], 'S');
	CU_ASSERT_EQUAL(r->msg[0][TG_ITCH_SYSTEM_EVENT_EVENT_CODE_OFF], 'O');
	for (unsigned i = 0; i < 3; i++) {
		const uint8_t *rm = r->msg[1 + 2 * i], *hm = r->msg[2 + 2 * i];
		char s[9];

		CU_ASSERT_EQUAL(rm[0], 'R');
		CU_ASSERT_EQUAL(tg_itch_locate(rm), i + 1);
		tg_itch_alpha(s, rm, TG_ITCH_STOCK_DIRECTORY_STOCK_OFF, 8);
		CU_ASSERT_STRING_EQUAL(s, syms[i]);
		CU_ASSERT_EQUAL(tg_itch_timestamp(rm), T0);
		CU_ASSERT_EQUAL(hm[0], 'H');
		CU_ASSERT_EQUAL(tg_itch_locate(hm), i + 1);
		CU_ASSERT_EQUAL(hm[TG_ITCH_TRADING_ACTION_TRADING_STATE_OFF], 'T');
		tg_itch_alpha(s, hm, TG_ITCH_TRADING_ACTION_STOCK_OFF, 8);
		CU_ASSERT_STRING_EQUAL(s, syms[i]);
	}
	CU_ASSERT_EQUAL(r->msg[7][TG_ITCH_SYSTEM_EVENT_EVENT_CODE_OFF], 'S');
	CU_ASSERT_EQUAL(r->msg[8][TG_ITCH_SYSTEM_EVENT_EVENT_CODE_OFF], 'Q');
	/* every message in order, byte for byte, with its sequence number */
	for (unsigned i = 0; i < r->n; i++)
		CU_ASSERT_EQUAL(r->seq[i], i + 1);
	for (unsigned i = 0; i < n; i++) {
		size_t len = test_msg(m, i);

		CU_ASSERT_EQUAL(r->len[sod + i], len);
		CU_ASSERT_EQUAL(memcmp(r->msg[sod + i], m, len), 0);
	}
	/* end of day, then end of session */
	CU_ASSERT_EQUAL(tg_xfeed_end_of_day(f, T0 + SEC), TG_OK);
	tg_xfeed_end(f);
	take(fd, r, pk, 2);
	CU_ASSERT_EQUAL(pk[0].count, 3);
	CU_ASSERT_EQUAL(pk[1].count, 0xFFFF);
	CU_ASSERT_EQUAL(pk[1].seq, sod + n + 4);
	CU_ASSERT_EQUAL(r->msg[sod + n][TG_ITCH_SYSTEM_EVENT_EVENT_CODE_OFF], 'M');
	CU_ASSERT_EQUAL(r->msg[sod + n + 1][TG_ITCH_SYSTEM_EVENT_EVENT_CODE_OFF], 'E');
	CU_ASSERT_EQUAL(r->msg[sod + n + 2][TG_ITCH_SYSTEM_EVENT_EVENT_CODE_OFF], 'C');
	CU_ASSERT_EQUAL(r->dec.stats.end_of_session, 1);
	CU_ASSERT_EQUAL(tg_xfeed_message(f, m, 12, T0), TG_ERR_STATE);
	CU_ASSERT_EQUAL(tg_xfeed_end_of_day(f, T0), TG_ERR_STATE);
	tg_xfeed_free(f);
	close(fd);
	free(r);
}

/* A packet with no room left for even the shortest ITCH message goes at once, without a flush. */
static void test_full_packet_at_once(void)
{
	struct tg_xfeed_config c;
	struct tg_xfeed *f;
	uint16_t port;
	int fd = udp_socket(LOOPBACK, &port);
	struct rx *r = rx_new(true);
	struct pkt pk[2];
	uint8_t m[64];

	base_config(&c, port);
	c.max_payload = 20 + 2 * (2 + TG_ITCH_ADD_ORDER_LEN) + 2 + 12 - 1;	/* two A, and 13 bytes spare */
	CU_ASSERT_FATAL(c.max_payload >= TG_XFEED_MIN_PAYLOAD);
	f = feed_new(&c);
	CU_ASSERT_EQUAL(tg_xfeed_message(f, m, test_msg(m, 0), T0), TG_OK);
	CU_ASSERT_EQUAL(recv_now(fd, m, sizeof(m)), -1);
	CU_ASSERT_EQUAL(tg_xfeed_message(f, m, test_msg(m, 1), T0), TG_OK);
	take(fd, r, pk, 1);
	CU_ASSERT_EQUAL(pk[0].seq, 1);
	CU_ASSERT_EQUAL(pk[0].count, 2);
	/* one byte more and the shortest message fits: it waits */
	tg_xfeed_free(f);
	c.max_payload++;
	f = feed_new(&c);
	CU_ASSERT_EQUAL(tg_xfeed_message(f, m, test_msg(m, 0), T0), TG_OK);
	CU_ASSERT_EQUAL(tg_xfeed_message(f, m, test_msg(m, 1), T0), TG_OK);
	CU_ASSERT_EQUAL(tg_xfeed_stats(f)->packets, 0);
	tg_xfeed_free(f);
	close(fd);
	free(r);
}

static void test_heartbeats(void)
{
	struct tg_xfeed_config c;
	struct tg_xfeed *f;
	uint16_t port;
	int fd = udp_socket(LOOPBACK, &port);
	struct rx *r = rx_new(true);
	struct pkt pk[4];
	uint8_t m[64];
	size_t len;
	const uint64_t t = T0 + 5 * SEC;

	base_config(&c, port);
	f = feed_new(&c);
	tg_xfeed_tick(f, t);	/* nothing sent yet: at once */
	take(fd, r, pk, 1);
	CU_ASSERT_EQUAL(pk[0].seq, 1);
	CU_ASSERT_EQUAL(pk[0].count, 0);
	CU_ASSERT_EQUAL(pk[0].len, 20);
	tg_xfeed_tick(f, t + 999 * MS);
	CU_ASSERT_EQUAL(recv_now(fd, m, sizeof(m)), -1);
	tg_xfeed_tick(f, t + SEC);
	take(fd, r, pk, 1);
	CU_ASSERT_EQUAL(pk[0].seq, 1);
	CU_ASSERT_EQUAL(pk[0].count, 0);
	/* a data packet restarts the interval; the heartbeat carries the next sequence number */
	len = test_msg(m, 0);
	CU_ASSERT_EQUAL(tg_xfeed_message(f, m, len, t + 1500 * MS), TG_OK);
	CU_ASSERT_EQUAL(tg_xfeed_message(f, m, len, t + 1500 * MS), TG_OK);
	tg_xfeed_flush(f, t + 1500 * MS);
	take(fd, r, pk, 1);
	CU_ASSERT_EQUAL(pk[0].count, 2);
	tg_xfeed_tick(f, t + 2 * SEC);
	tg_xfeed_tick(f, t + 2499 * MS);
	CU_ASSERT_EQUAL(recv_now(fd, m, sizeof(m)), -1);
	tg_xfeed_tick(f, t + 2500 * MS);
	take(fd, r, pk, 1);
	CU_ASSERT_EQUAL(pk[0].seq, 3);
	CU_ASSERT_EQUAL(pk[0].count, 0);
	/* a packet held back a whole interval goes out instead of a heartbeat */
	CU_ASSERT_EQUAL(tg_xfeed_message(f, m, len, t + 2600 * MS), TG_OK);
	tg_xfeed_tick(f, t + 3 * SEC);
	CU_ASSERT_EQUAL(recv_now(fd, m, sizeof(m)), -1);
	tg_xfeed_tick(f, t + 3500 * MS);
	take(fd, r, pk, 1);
	CU_ASSERT_EQUAL(pk[0].seq, 3);
	CU_ASSERT_EQUAL(pk[0].count, 1);
	/* End of Session, repeated by the ticks */
	tg_xfeed_end(f);
	take(fd, r, pk, 1);
	CU_ASSERT_EQUAL(pk[0].seq, 4);
	CU_ASSERT_EQUAL(pk[0].count, 0xFFFF);
	tg_xfeed_tick(f, t + 4 * SEC);
	CU_ASSERT_EQUAL(recv_now(fd, m, sizeof(m)), -1);
	tg_xfeed_tick(f, t + 4500 * MS);
	take(fd, r, pk, 1);
	CU_ASSERT_EQUAL(pk[0].seq, 4);
	CU_ASSERT_EQUAL(pk[0].count, 0xFFFF);

	const struct tg_xfeed_stats *st = tg_xfeed_stats(f);

	CU_ASSERT_EQUAL(st->heartbeats, 3);
	CU_ASSERT_EQUAL(st->end_of_session, 2);
	CU_ASSERT_EQUAL(st->packets, 7);
	CU_ASSERT_EQUAL(r->dec.stats.heartbeats, 3);
	CU_ASSERT_EQUAL(r->dec.stats.end_of_session, 2);
	CU_ASSERT_EQUAL(r->dec.stats.messages, 3);
	CU_ASSERT_EQUAL(r->dec.stats.gaps, 0);
	tg_xfeed_free(f);
	close(fd);
	free(r);
}

/* Receive the answer to a request: packets until `count` messages came; returns the packets. */
static unsigned take_answer(int fd, struct rx *r, struct pkt *pk, unsigned max_pk, unsigned count)
{
	unsigned got = 0, np = 0;

	while (got < count && np < max_pk) {
		take(fd, r, &pk[np], 1);
		got += pk[np].count;
		np++;
	}
	CU_ASSERT_EQUAL(got, count);
	return np;
}

/* After a request that must get no answer: a marker request's answer is the next thing to arrive. */
static void assert_no_answer(struct tg_xfeed *f, int cl, uint16_t rport, uint64_t marker_seq)
{
	uint8_t buf[2048];
	ssize_t len;

	rtx_request(cl, rport, SESSION, marker_seq, 1, 20);
	CU_ASSERT(tg_xfeed_service(f, T0) >= 1);
	len = recv_wait(cl, buf, sizeof(buf));
	CU_ASSERT_FATAL(len > 20);
	CU_ASSERT_EQUAL(tg_be(buf + 10, 8), marker_seq);
	CU_ASSERT_EQUAL(tg_be(buf + 18, 2), 1);
	CU_ASSERT_EQUAL(recv_now(cl, buf, sizeof(buf)), -1);
}

static void test_retransmission(void)
{
	struct tg_xfeed_config c;
	struct tg_xfeed *f;
	uint16_t port, cport, rport;
	int fd = udp_socket(LOOPBACK, &port), cl = udp_socket(LOOPBACK, &cport);
	struct rx *r = rx_new(false);
	struct pkt pk[64];
	uint8_t m[64];
	unsigned np;
	const struct tg_xfeed_stats *st;

	base_config(&c, port);
	c.max_payload = 200;
	c.store_capacity = 50;
	f = feed_new(&c);
	rport = tg_xfeed_rtx_port(f);
	CU_ASSERT(rport != 0);
	CU_ASSERT_EQUAL(tg_xfeed_poll_fd(f) >= 0, true);
	for (unsigned i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(tg_xfeed_message(f, m, test_msg(m, i), T0), TG_OK);
	tg_xfeed_flush(f, T0);
	st = tg_xfeed_stats(f);
	/* the feed itself is not what this test reads */
	for (unsigned i = 0; i < st->packets; i++)
		CU_ASSERT(recv_wait(fd, m, sizeof(m)) > 0);

	/* held: 51..100. [60, 85): exactly that, byte for byte, in packets within the payload */
	rtx_request(cl, rport, SESSION, 60, 25, 20);
	CU_ASSERT_EQUAL(tg_xfeed_service(f, T0), 1);
	np = take_answer(cl, r, pk, 64, 25);
	CU_ASSERT(np > 1);
	CU_ASSERT_EQUAL(pk[0].seq, 60);
	for (unsigned i = 0; i < np; i++) {
		CU_ASSERT(pk[i].len <= 200);
		if (i > 0)
			CU_ASSERT_EQUAL(pk[i].seq, pk[i - 1].seq + pk[i - 1].count);
	}
	CU_ASSERT_EQUAL_FATAL(r->n, 25);
	for (unsigned i = 0; i < 25; i++) {
		size_t len = test_msg(m, 59 + i);

		CU_ASSERT_EQUAL(r->seq[i], 60 + i);
		CU_ASSERT_EQUAL(r->len[i], len);
		CU_ASSERT_EQUAL(memcmp(r->msg[i], m, len), 0);
	}
	CU_ASSERT_EQUAL(recv_now(cl, m, sizeof(m)), -1);
	st = tg_xfeed_stats(f);
	CU_ASSERT_EQUAL(st->rtx_requests, 1);
	CU_ASSERT_EQUAL(st->rtx_messages, 25);
	CU_ASSERT_EQUAL(st->rtx_packets, np);
	CU_ASSERT_EQUAL(st->rtx_refused, 0);

	/* partly older than the store: the held part, from 51 */
	r->n = 0;
	rtx_request(cl, rport, SESSION, 40, 20, 20);
	CU_ASSERT_EQUAL(tg_xfeed_service(f, T0), 1);
	take_answer(cl, r, pk, 64, 9);
	CU_ASSERT_EQUAL(pk[0].seq, 51);
	CU_ASSERT_EQUAL(r->seq[0], 51);
	CU_ASSERT_EQUAL(r->seq[8], 59);
	CU_ASSERT_EQUAL(st->rtx_refused, 1);
	CU_ASSERT_EQUAL(st->rtx_not_held, 1);
	assert_no_answer(f, cl, rport, 70);	/* and nothing more came */

	/* partly beyond what was published: up to 100 */
	r->n = 0;
	rtx_request(cl, rport, SESSION, 95, 10, 20);
	CU_ASSERT_EQUAL(tg_xfeed_service(f, T0), 1);
	take_answer(cl, r, pk, 64, 6);
	CU_ASSERT_EQUAL(r->seq[5], 100);
	CU_ASSERT_EQUAL(st->rtx_not_held, 2);
	assert_no_answer(f, cl, rport, 70);

	/* wholly gone, wholly in the future, sequence 0: nothing */
	rtx_request(cl, rport, SESSION, 1, 50, 20);
	rtx_request(cl, rport, SESSION, 101, 5, 20);
	rtx_request(cl, rport, SESSION, UINT64_MAX, 5, 20);
	CU_ASSERT_EQUAL(tg_xfeed_service(f, T0), 3);
	CU_ASSERT_EQUAL(st->rtx_not_held, 5);
	assert_no_answer(f, cl, rport, 71);

	/* messages waiting in an unsent packet are not published yet */
	CU_ASSERT_EQUAL(tg_xfeed_message(f, m, test_msg(m, 100), T0), TG_OK);
	rtx_request(cl, rport, SESSION, 101, 1, 20);
	CU_ASSERT_EQUAL(tg_xfeed_service(f, T0), 1);
	CU_ASSERT_EQUAL(st->rtx_not_held, 6);
	assert_no_answer(f, cl, rport, 72);
	tg_xfeed_flush(f, T0);
	CU_ASSERT(recv_wait(fd, m, sizeof(m)) > 0);
	r->n = 0;
	rtx_request(cl, rport, SESSION, 101, 1, 20);
	CU_ASSERT_EQUAL(tg_xfeed_service(f, T0), 1);
	take_answer(cl, r, pk, 64, 1);
	CU_ASSERT_EQUAL(r->seq[0], 101);

	/* malformed (19 and 21 bytes, count 0) and another session: counted, no answer */
	rtx_request(cl, rport, SESSION, 60, 1, 19);
	rtx_request(cl, rport, SESSION, 60, 1, 21);
	rtx_request(cl, rport, SESSION, 60, 0, 20);
	rtx_request(cl, rport, "OTHERSESS", 60, 1, 20);
	CU_ASSERT_EQUAL(tg_xfeed_service(f, T0), 4);
	CU_ASSERT_EQUAL(st->rtx_malformed, 3);
	CU_ASSERT_EQUAL(st->rtx_wrong_session, 1);
	assert_no_answer(f, cl, rport, 73);
	CU_ASSERT_EQUAL(st->rtx_refused, st->rtx_malformed + st->rtx_wrong_session + st->rtx_not_held);
	CU_ASSERT_EQUAL(st->rtx_requests, 17);
	/* nothing waiting */
	CU_ASSERT_EQUAL(tg_xfeed_service(f, T0), 0);
	/* retransmissions never went to the feed */
	CU_ASSERT_EQUAL(recv_now(fd, m, sizeof(m)), -1);
	tg_xfeed_free(f);
	close(fd);
	close(cl);
	free(r);
}

/*
 * The receiver's side of a lossy feed: decode with sequence checking,
 * and for every gap request the missing range and check the answer is
 * exactly the messages lost.
 */
static void lossy(const struct tg_xfeed_loss *loss, unsigned n, unsigned expect_dropped)
{
	struct tg_xfeed_config c;
	struct tg_xfeed *f;
	uint16_t port, cport;
	int fd = udp_socket(LOOPBACK, &port), cl = udp_socket(LOOPBACK, &cport);
	struct rx *r = rx_new(true), *re = rx_new(false);
	struct pkt pk[256];
	uint8_t m[64];
	const struct tg_xfeed_stats *st;
	uint64_t missing = 0;
	char path[128];

	snprintf(path, sizeof(path), "%s/lossy.pcap", tmpdir);
	base_config(&c, port);
	c.max_payload = 150;
	c.loss = *loss;
	c.pcap_path = path;
	f = feed_new(&c);
	for (unsigned i = 0; i < n; i++)
		CU_ASSERT_EQUAL(tg_xfeed_message(f, m, test_msg(m, i), T0), TG_OK);
	tg_xfeed_flush(f, T0);
	tg_xfeed_tick(f, T0 + 10 * SEC);	/* a heartbeat: the receiver learns of a loss at the end too */
	st = tg_xfeed_stats(f);
	CU_ASSERT_EQUAL(st->dropped, expect_dropped);
	take(fd, r, NULL, (unsigned)st->packets);
	CU_ASSERT_EQUAL(recv_now(fd, m, sizeof(m)), -1);
	CU_ASSERT_EQUAL(r->gaps, expect_dropped);
	CU_ASSERT_EQUAL(r->dec.stats.gaps, expect_dropped);
	for (unsigned g = 0; g < r->gaps && g < 64; g++) {
		unsigned cnt = (unsigned)(r->gap_last[g] - r->gap_first[g] + 1);

		missing += cnt;
		re->n = 0;
		rtx_request(cl, tg_xfeed_rtx_port(f), SESSION, r->gap_first[g], cnt, 20);
		CU_ASSERT_EQUAL(tg_xfeed_service(f, T0 + 10 * SEC), 1);
		take_answer(cl, re, pk, 256, cnt);
		CU_ASSERT_EQUAL_FATAL(re->n, cnt);
		for (unsigned i = 0; i < cnt; i++) {
			size_t len = test_msg(m, (unsigned)(r->gap_first[g] - 1 + i));

			CU_ASSERT_EQUAL(re->seq[i], r->gap_first[g] + i);
			CU_ASSERT_EQUAL(memcmp(re->msg[i], m, len), 0);
		}
	}
	/* lost + received = all */
	CU_ASSERT_EQUAL(missing + r->n, n);
	if (loss->drop_seq != 0 && expect_dropped == 1)
		CU_ASSERT(r->gap_first[0] <= loss->drop_seq && loss->drop_seq <= r->gap_last[0]);
	CU_ASSERT_EQUAL(st->rtx_refused, 0);

	/* the pcap is the exchange's record: it has the dropped packets too */
	{
		struct rx *p = rx_new(true);
		char err[256];

		CU_ASSERT_EQUAL(tg_feed_file(&p->dec, path, err, sizeof(err)), TG_OK);
		CU_ASSERT_EQUAL(p->n, n);
		CU_ASSERT_EQUAL(p->dec.stats.gaps, 0);
		CU_ASSERT_EQUAL(p->dec.stats.frames, st->packets + st->dropped);
		CU_ASSERT_EQUAL(p->dec.stats.frames, st->pcap_frames);
		free(p);
	}
	tg_xfeed_free(f);
	unlink(path);
	close(fd);
	close(cl);
	free(r);
	free(re);
}

static void test_loss_drop_seq(void)
{
	struct tg_xfeed_loss l = { .drop_seq = 57 };

	lossy(&l, 200, 1);
}

static void test_loss_drop_every(void)
{
	struct tg_xfeed_loss l = { .drop_every = 3 };
	/* 150-byte packets hold 3 or 4 of these messages: count the data packets of 200 */
	struct tg_xfeed_config c;
	struct tg_xfeed *f;
	uint16_t port;
	int fd = udp_socket(LOOPBACK, &port);
	uint8_t m[64];
	uint64_t packets;

	base_config(&c, port);
	c.max_payload = 150;
	f = feed_new(&c);
	for (unsigned i = 0; i < 200; i++)
		CU_ASSERT_EQUAL(tg_xfeed_message(f, m, test_msg(m, i), T0), TG_OK);
	tg_xfeed_flush(f, T0);
	packets = tg_xfeed_stats(f)->packets;
	tg_xfeed_free(f);
	close(fd);
	CU_ASSERT_FATAL(packets >= 9);
	lossy(&l, 200, (unsigned)(packets / 3));
}

/* ---- pcap ---- */

static void test_pcap(void)
{
	struct tg_xfeed_config c;
	struct tg_xfeed *f;
	uint16_t port;
	int fd = udp_socket(LOOPBACK, &port);
	uint8_t m[64];
	char path[128], err[256];
	struct tg_pcap_reader *pr;
	struct tg_pcap_frame fr;
	struct rx *r = rx_new(true);
	unsigned frames = 0;
	const uint64_t epoch = 1700000000ull * SEC;
	uint64_t ts[8];

	snprintf(path, sizeof(path), "%s/feed.pcap", tmpdir);
	base_config(&c, port);
	c.pcap_path = path;
	c.pcap_feed_clock = true;
	c.pcap_epoch_ns = epoch;
	f = feed_new(&c);
	tg_xfeed_tick(f, T0);					/* heartbeat */
	for (unsigned i = 0; i < 30; i++)
		CU_ASSERT_EQUAL(tg_xfeed_message(f, m, test_msg(m, i), T0 + MS), TG_OK);
	tg_xfeed_flush(f, T0 + 2 * MS);				/* one packet */
	tg_xfeed_tick(f, T0 + 3 * SEC);				/* heartbeat */
	tg_xfeed_end(f);					/* end of session */
	CU_ASSERT_EQUAL(tg_xfeed_stats(f)->pcap_frames, 4);
	CU_ASSERT_FALSE(tg_xfeed_stats(f)->pcap_failed);

	/* libpcap reads it: Ethernet, the real addresses and ports, the feed's clock */
	CU_ASSERT_EQUAL_FATAL(tg_pcap_open(path, &pr, err, sizeof(err)), TG_OK);
	while (tg_pcap_next(pr, &fr) == 1) {
		const uint8_t *ip = fr.data + 14, *udp = ip + 20;

		CU_ASSERT_EQUAL(fr.caplen, fr.wirelen);
		CU_ASSERT_EQUAL(tg_be(fr.data + 12, 2), 0x0800);
		CU_ASSERT_EQUAL(tg_be(ip + 12, 4), LOOPBACK);
		CU_ASSERT_EQUAL(tg_be(ip + 16, 4), LOOPBACK);
		CU_ASSERT_EQUAL(tg_be(udp, 2), tg_xfeed_src_port(f));
		CU_ASSERT_EQUAL(tg_be(udp + 2, 2), port);
		if (frames < 8)
			ts[frames] = fr.ts_ns;
		frames++;
		tg_feed_frame(&r->dec, fr.data, fr.caplen, fr.ts_ns);
	}
	tg_pcap_close(pr);
	CU_ASSERT_EQUAL_FATAL(frames, 4);
	CU_ASSERT_EQUAL(ts[0], epoch + T0);
	CU_ASSERT_EQUAL(ts[1], epoch + T0 + 2 * MS);
	CU_ASSERT_EQUAL(ts[2], epoch + T0 + 3 * SEC);
	CU_ASSERT_EQUAL(ts[3], epoch + T0 + 3 * SEC);
	/* decoded by the project's decoder: every frame parsed, every message as sent */
	CU_ASSERT_EQUAL(r->dec.stats.parsed, 4);
	CU_ASSERT_EQUAL(r->dec.stats.heartbeats, 2);
	CU_ASSERT_EQUAL(r->dec.stats.end_of_session, 1);
	CU_ASSERT_EQUAL_FATAL(r->n, 30);
	for (unsigned i = 0; i < 30; i++) {
		size_t len = test_msg(m, i);

		CU_ASSERT_EQUAL(r->seq[i], i + 1);
		CU_ASSERT_EQUAL(memcmp(r->msg[i], m, len), 0);
	}
	tg_xfeed_free(f);
	unlink(path);

	/* the real clock by default: timestamps of now, not of the feed clock */
	{
		struct rx *w = rx_new(true);
		uint64_t now = (uint64_t)time(NULL) * SEC;

		c.pcap_feed_clock = false;
		f = feed_new(&c);
		tg_xfeed_tick(f, T0);
		tg_xfeed_free(f);
		CU_ASSERT_EQUAL_FATAL(tg_pcap_open(path, &pr, err, sizeof(err)), TG_OK);
		CU_ASSERT_EQUAL_FATAL(tg_pcap_next(pr, &fr), 1);
		CU_ASSERT(fr.ts_ns + 3600 * SEC > now && fr.ts_ns < now + 3600 * SEC);
		CU_ASSERT_EQUAL(tg_pcap_next(pr, &fr), 0);
		tg_pcap_close(pr);
		free(w);
		unlink(path);
	}
	/* an unwritable path fails cleanly with a reason */
	{
		struct tg_xfeed *g = NULL;

		c.pcap_path = "/nonexistent-dir/x.pcap";
		CU_ASSERT_EQUAL(tg_xfeed_new(&c, &g, err, sizeof(err)), TG_ERR_IO);
		CU_ASSERT_PTR_NULL(g);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent-dir/x.pcap"));
	}
	close(fd);
	free(r);
}

static void test_config_refused(void)
{
	struct tg_xfeed_config c;
	struct tg_xfeed *f = NULL;
	char err[128];

	base_config(&c, 1);
	c.max_payload = TG_XFEED_MIN_PAYLOAD - 1;
	CU_ASSERT_EQUAL(tg_xfeed_new(&c, &f, err, sizeof(err)), TG_ERR_ARG);
	c.max_payload = TG_MOLD_MAX_PAYLOAD + 1;
	CU_ASSERT_EQUAL(tg_xfeed_new(&c, &f, err, sizeof(err)), TG_ERR_ARG);
	base_config(&c, 0);
	CU_ASSERT_EQUAL(tg_xfeed_new(&c, &f, err, sizeof(err)), TG_ERR_ARG);
	base_config(&c, 1);
	c.session = "ELEVENCHARS";
	CU_ASSERT_EQUAL(tg_xfeed_new(&c, &f, err, sizeof(err)), TG_ERR_ARG);
	CU_ASSERT_PTR_NULL(f);
	/* no retransmission service */
	base_config(&c, 1);
	c.rtx_any_port = false;
	f = feed_new(&c);
	CU_ASSERT_EQUAL(tg_xfeed_poll_fd(f), -1);
	CU_ASSERT_EQUAL(tg_xfeed_rtx_port(f), 0);
	CU_ASSERT_EQUAL(tg_xfeed_service(f, T0), 0);
	tg_xfeed_free(f);
}

/* ---- multicast ---- */

static void test_multicast_loopback(void)
{
	const uint32_t group = 0xEF2A0107u;	/* 239.42.1.7 */
	struct tg_xfeed_config c;
	struct tg_xfeed *f;
	uint16_t port;
	int fd = udp_socket(0, &port);
	struct ip_mreq mr = { .imr_multiaddr.s_addr = htonl(group), .imr_interface.s_addr = htonl(LOOPBACK) };
	struct rx *r = rx_new(true);
	uint8_t m[64];

	if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
		fprintf(stderr, "multicast: cannot join on loopback here (%s): not tested\n", strerror(errno));
		close(fd);
		free(r);
		return;
	}
	base_config(&c, port);
	c.dst_addr = group;
	f = feed_new(&c);
	for (unsigned i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(tg_xfeed_message(f, m, test_msg(m, i), T0), TG_OK);
	tg_xfeed_flush(f, T0);
	CU_ASSERT_EQUAL(tg_xfeed_stats(f)->send_errors, 0);
	take(fd, r, NULL, 1);
	CU_ASSERT_EQUAL(r->n, 10);
	tg_xfeed_free(f);
	close(fd);
	free(r);
}

/* ---- matching-engine events ---- */

/* A feed with a book built from what a receiver decodes. */
struct evfix {
	struct tg_xfeed *f;
	int fd;
	struct rx *r;
	unsigned seen;		/* messages of r already looked at */
	uint64_t packets;	/* feed packets received */
};

static const char *const ev_syms[] = { "AAA", "BBB", "CCC" };

static void evfix_open(struct evfix *x, unsigned instruments)
{
	struct tg_xfeed_config c;
	uint16_t port;
	struct tg_book_config bc = { .order_capacity_log2 = 16, .ways = 16, .depth = 0 };

	x->fd = udp_socket(LOOPBACK, &port);
	x->r = rx_new(true);
	CU_ASSERT_EQUAL_FATAL(tg_book_new(&bc, NULL, NULL, &x->r->book), TG_OK);
	for (unsigned i = 1; i <= instruments; i++)
		CU_ASSERT_EQUAL(tg_book_subscribe_locate(x->r->book, (uint16_t)i), TG_OK);
	base_config(&c, port);
	x->f = feed_new(&c);
	CU_ASSERT_EQUAL(tg_xfeed_start_of_day(x->f, ev_syms, instruments, T0), TG_OK);
	x->seen = 1 + 2 * instruments + 2;
	x->packets = 0;
}

/* Flush, receive everything sent; returns the number of new messages. */
static unsigned evfix_sync(struct evfix *x, uint64_t now)
{
	const struct tg_xfeed_stats *st;

	tg_xfeed_flush(x->f, now);
	st = tg_xfeed_stats(x->f);
	take(x->fd, x->r, NULL, (unsigned)(st->packets - x->packets));
	x->packets = st->packets;
	CU_ASSERT_EQUAL(x->r->dec.stats.gaps, 0);
	return x->r->n - x->seen;
}

static void evfix_close(struct evfix *x)
{
	tg_xfeed_free(x->f);
	tg_book_free(x->r->book);
	close(x->fd);
	free(x->r);
	x->r = NULL;
}

/* The next decoded message, which must be of type t; NULL (and a failure) otherwise. */
static const uint8_t *next_msg(struct evfix *x, char t)
{
	const uint8_t *m;

	CU_ASSERT_FATAL(x->seen < x->r->n);
	m = x->r->msg[x->seen++];
	if (m[0] != (uint8_t)t)
		fprintf(stderr, "message %u: '%c', want '%c'\n", x->seen - 1, m[0], t);
	CU_ASSERT_EQUAL_FATAL(m[0], (uint8_t)t);
	return m;
}

static uint64_t fld(const uint8_t *m, const char *name)
{
	const struct tg_itch_field *f = field_of(tg_itch_type(m[0]), name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	return tg_itch_get(m, f);
}

static struct tg_match_event ev(enum tg_match_event_type type, uint16_t instrument, char side, uint64_t ref,
				uint32_t shares, uint32_t price, bool hidden)
{
	struct tg_match_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts_ns = T0 + 42;
	e.instrument = instrument;
	e.side = side;
	e.ref = ref;
	e.shares = shares;
	e.price = price;
	e.hidden = hidden;
	return e;
}

/* The book built from the feed, one side's level `i`: price and shares, or 0/0. */
static void book_level(struct evfix *x, uint16_t loc, char side, unsigned i, uint32_t *price, uint64_t *shares)
{
	struct tg_book_level lv[16];
	unsigned n = tg_book_levels(x->r->book, loc, side, lv, 16);

	*price = i < n ? lv[i].price : 0;
	*shares = i < n ? lv[i].shares : 0;
}

static void test_match_events_scripted(void)
{
	struct evfix x;
	struct tg_match_event e;
	const uint8_t *m;
	uint32_t px;
	uint64_t sh;
	char s[9];

	evfix_open(&x, 2);
	/* ADD: displayed → A, with an MPID → F, hidden → nothing */
	e = ev(TG_MATCH_EV_ADD, 1, 'B', 1, 500, 100000, false);
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_ADD, 1, 'B', 2, 300, 99900, false);
	memcpy(e.mpid, "MMID", 4);
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_ADD, 1, 'B', 3, 700, 100000, true);
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_ADD, 2, 'S', 4, 100, 200000, false);
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	CU_ASSERT_EQUAL(evfix_sync(&x, T0), 3);
	m = next_msg(&x, 'A');
	CU_ASSERT_EQUAL(fld(m, "order_reference_number"), 1);
	CU_ASSERT_EQUAL(fld(m, "shares"), 500);
	CU_ASSERT_EQUAL(fld(m, "price"), 100000);
	CU_ASSERT_EQUAL(fld(m, "buy_sell_indicator"), 'B');
	CU_ASSERT_EQUAL(tg_itch_locate(m), 1);
	CU_ASSERT_EQUAL(tg_itch_timestamp(m), T0 + 42);
	tg_itch_alpha(s, m, TG_ITCH_ADD_ORDER_STOCK_OFF, 8);
	CU_ASSERT_STRING_EQUAL(s, "AAA");
	m = next_msg(&x, 'F');
	CU_ASSERT_EQUAL(fld(m, "order_reference_number"), 2);
	tg_itch_alpha(s, m, TG_ITCH_ADD_ORDER_MPID_ATTRIBUTION_OFF, 4);
	CU_ASSERT_STRING_EQUAL(s, "MMID");
	m = next_msg(&x, 'A');
	CU_ASSERT_EQUAL(fld(m, "order_reference_number"), 4);
	tg_itch_alpha(s, m, TG_ITCH_ADD_ORDER_STOCK_OFF, 8);
	CU_ASSERT_STRING_EQUAL(s, "BBB");

	/* EXECUTE: displayed → E with the match number; hidden → P (ref 0, 'B') */
	e = ev(TG_MATCH_EV_EXECUTE, 1, 'B', 1, 200, 100000, false);
	e.remaining = 300;
	e.match = 17;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_EXECUTE, 1, 'B', 3, 100, 100000, true);
	e.remaining = 600;
	e.match = 18;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	CU_ASSERT_EQUAL(evfix_sync(&x, T0), 2);
	m = next_msg(&x, 'E');
	CU_ASSERT_EQUAL(fld(m, "order_reference_number"), 1);
	CU_ASSERT_EQUAL(fld(m, "executed_shares"), 200);
	CU_ASSERT_EQUAL(fld(m, "match_number"), 17);
	m = next_msg(&x, 'P');
	CU_ASSERT_EQUAL(fld(m, "order_reference_number"), 0);
	CU_ASSERT_EQUAL(fld(m, "buy_sell_indicator"), 'B');
	CU_ASSERT_EQUAL(fld(m, "shares"), 100);
	CU_ASSERT_EQUAL(fld(m, "price"), 100000);
	CU_ASSERT_EQUAL(fld(m, "match_number"), 18);
	tg_itch_alpha(s, m, TG_ITCH_TRADE_STOCK_OFF, 8);
	CU_ASSERT_STRING_EQUAL(s, "AAA");

	/* CANCEL: X while some remain, D at 0, nothing for a hidden order */
	e = ev(TG_MATCH_EV_CANCEL, 1, 'B', 1, 100, 100000, false);
	e.remaining = 200;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_CANCEL, 1, 'B', 3, 100, 100000, true);
	e.remaining = 500;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_CANCEL, 2, 'S', 4, 100, 200000, false);
	e.remaining = 0;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	CU_ASSERT_EQUAL(evfix_sync(&x, T0), 2);
	m = next_msg(&x, 'X');
	CU_ASSERT_EQUAL(fld(m, "order_reference_number"), 1);
	CU_ASSERT_EQUAL(fld(m, "canceled_shares"), 100);
	m = next_msg(&x, 'D');
	CU_ASSERT_EQUAL(fld(m, "order_reference_number"), 4);
	CU_ASSERT_EQUAL(tg_itch_locate(m), 2);
	book_level(&x, 1, 'B', 0, &px, &sh);
	CU_ASSERT_EQUAL(px, 100000);
	CU_ASSERT_EQUAL(sh, 200);	/* order 1: 500 - 200 executed - 100 canceled; hidden 3 not shown */

	/* REPLACE displayed → displayed, nothing traded: U with all the shares, at the flush */
	e = ev(TG_MATCH_EV_REPLACE, 1, 'B', 1, 400, 100100, false);
	e.new_ref = 10;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	CU_ASSERT_EQUAL(evfix_sync(&x, T0), 1);
	m = next_msg(&x, 'U');
	CU_ASSERT_EQUAL(fld(m, "original_order_reference_number"), 1);
	CU_ASSERT_EQUAL(fld(m, "new_order_reference_number"), 10);
	CU_ASSERT_EQUAL(fld(m, "shares"), 400);
	CU_ASSERT_EQUAL(fld(m, "price"), 100100);

	/* a sell rests; the replace of order 10 crosses it: E of the resting sell, then U with the rest */
	e = ev(TG_MATCH_EV_ADD, 1, 'S', 11, 150, 100300, false);
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_REPLACE, 1, 'B', 10, 500, 100300, false);
	e.new_ref = 12;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_EXECUTE, 1, 'S', 11, 150, 100300, false);
	e.aggressor_ref = 12;
	e.remaining = 0;
	e.match = 19;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	CU_ASSERT_EQUAL(evfix_sync(&x, T0), 3);
	next_msg(&x, 'A');
	m = next_msg(&x, 'E');
	CU_ASSERT_EQUAL(fld(m, "order_reference_number"), 11);
	m = next_msg(&x, 'U');
	CU_ASSERT_EQUAL(fld(m, "original_order_reference_number"), 10);
	CU_ASSERT_EQUAL(fld(m, "new_order_reference_number"), 12);
	CU_ASSERT_EQUAL(fld(m, "shares"), 350);
	book_level(&x, 1, 'B', 0, &px, &sh);
	CU_ASSERT_EQUAL(px, 100300);
	CU_ASSERT_EQUAL(sh, 350);
	book_level(&x, 1, 'S', 0, &px, &sh);
	CU_ASSERT_EQUAL(sh, 0);

	/* filled in full: E of the resting order, its CANCEL of the new ref (0, 0): D of the old one */
	e = ev(TG_MATCH_EV_ADD, 1, 'S', 13, 1000, 100500, false);
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_REPLACE, 1, 'B', 12, 300, 100500, false);
	e.new_ref = 14;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_EXECUTE, 1, 'S', 13, 300, 100500, false);
	e.aggressor_ref = 14;
	e.remaining = 700;
	e.match = 20;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_CANCEL, 1, 'B', 14, 0, 100500, false);
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	CU_ASSERT_EQUAL(evfix_sync(&x, T0), 3);
	next_msg(&x, 'A');
	m = next_msg(&x, 'E');
	CU_ASSERT_EQUAL(fld(m, "executed_shares"), 300);
	m = next_msg(&x, 'D');
	CU_ASSERT_EQUAL(fld(m, "order_reference_number"), 12);
	book_level(&x, 1, 'S', 0, &px, &sh);
	CU_ASSERT_EQUAL(px, 100500);
	CU_ASSERT_EQUAL(sh, 700);

	/* displayed → hidden: D at once, nothing for the new order, also after the flush */
	e = ev(TG_MATCH_EV_REPLACE, 1, 'S', 13, 700, 100600, true);
	e.new_ref = 15;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	CU_ASSERT_EQUAL(evfix_sync(&x, T0), 1);
	m = next_msg(&x, 'D');
	CU_ASSERT_EQUAL(fld(m, "order_reference_number"), 13);
	/* hidden → displayed: A of the new reference with the shares that rest */
	e = ev(TG_MATCH_EV_REPLACE, 1, 'S', 15, 600, 100700, false);
	e.new_ref = 16;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	/* hidden → hidden, and an EXPIRE: nothing */
	e = ev(TG_MATCH_EV_REPLACE, 1, 'B', 3, 500, 99000, true);
	e.new_ref = 17;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_EXPIRE, 1, 'B', 0, 100, 99000, false);
	e.aggressor_ref = 18;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	CU_ASSERT_EQUAL(evfix_sync(&x, T0), 1);
	m = next_msg(&x, 'A');
	CU_ASSERT_EQUAL(fld(m, "order_reference_number"), 16);
	CU_ASSERT_EQUAL(fld(m, "shares"), 600);
	CU_ASSERT_EQUAL(fld(m, "price"), 100700);
	CU_ASSERT_EQUAL(fld(m, "buy_sell_indicator"), 'S');
	/* hidden 17 executes as P; its end is not published again */
	e = ev(TG_MATCH_EV_EXECUTE, 1, 'B', 17, 500, 99000, true);
	e.remaining = 0;
	e.match = 21;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e = ev(TG_MATCH_EV_CANCEL, 1, 'B', 17, 0, 99000, true);	/* already gone: ignored */
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	CU_ASSERT_EQUAL(evfix_sync(&x, T0), 1);
	m = next_msg(&x, 'P');
	CU_ASSERT_EQUAL(fld(m, "match_number"), 21);
	CU_ASSERT_EQUAL(tg_xfeed_stats(x.f)->orders, 2);	/* 2 (F) and 16 rest */

	/* HALT: H 'H' then 'T' */
	e = ev(TG_MATCH_EV_HALT, 2, 0, 0, 0, 0, false);
	e.halted = true;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	e.halted = false;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_OK);
	CU_ASSERT_EQUAL(evfix_sync(&x, T0), 2);
	m = next_msg(&x, 'H');
	CU_ASSERT_EQUAL(m[TG_ITCH_TRADING_ACTION_TRADING_STATE_OFF], 'H');
	CU_ASSERT_EQUAL(tg_itch_locate(m), 2);
	tg_itch_alpha(s, m, TG_ITCH_TRADING_ACTION_STOCK_OFF, 8);
	CU_ASSERT_STRING_EQUAL(s, "BBB");
	m = next_msg(&x, 'H');
	CU_ASSERT_EQUAL(m[TG_ITCH_TRADING_ACTION_TRADING_STATE_OFF], 'T');

	/* an instrument without a symbol, an unknown type: refused, nothing published */
	e = ev(TG_MATCH_EV_ADD, 3, 'B', 30, 100, 100000, false);
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_ERR_ARG);
	e.instrument = 0;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_ERR_ARG);
	e.instrument = 1;
	e.type = (enum tg_match_event_type)99;
	CU_ASSERT_EQUAL(tg_xfeed_match_event(x.f, &e), TG_ERR_ARG);
	CU_ASSERT_EQUAL(evfix_sync(&x, T0), 0);
	CU_ASSERT_EQUAL(tg_book_stats(x.r->book)->unknown_ref, 0);
	CU_ASSERT_EQUAL(tg_book_stats(x.r->book)->duplicate_ref, 0);
	evfix_close(&x);

	/* before the start of day: refused */
	{
		struct tg_xfeed_config c;
		struct tg_xfeed *f;

		base_config(&c, 1);
		f = feed_new(&c);
		e = ev(TG_MATCH_EV_ADD, 1, 'B', 1, 100, 100000, false);
		CU_ASSERT_EQUAL(tg_xfeed_match_event(f, &e), TG_ERR_STATE);
		tg_xfeed_free(f);
	}
}

/* ---- the real engine, random flow: the feed's book is the engine's displayed book ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void on_match(void *ctx, const struct tg_match_event *e)
{
	struct evfix *x = ctx;

	CU_ASSERT_EQUAL(tg_xfeed_match_event(x->f, e), TG_OK);
}

static unsigned compare_books(struct evfix *x, struct tg_match *me, unsigned instruments)
{
	unsigned mismatches = 0;

	for (uint16_t loc = 1; loc <= instruments; loc++) {
		for (int s = 0; s < 2; s++) {
			char side = s ? 'S' : 'B';
			struct tg_book_level fl[64];
			unsigned nf = tg_book_levels(x->r->book, loc, side, fl, 64), k = 0;
			struct tg_match_level ml;

			for (unsigned i = 0; tg_match_level(me, loc, side, i, &ml) == TG_OK; i++) {
				if (ml.shares == 0)
					continue;	/* only hidden orders there: not on the feed */
				if (k >= nf || fl[k].price != ml.price || fl[k].shares != ml.shares)
					mismatches++;
				k++;
			}
			if (k != nf)
				mismatches++;
		}
	}
	return mismatches;
}

/*
 * flush_every 1: the caller flushes after every engine call; larger: the
 * events of several calls run together, so a held replace is settled by
 * the next call's first event rather than by the flush.
 */
static void engine_random_flow(uint64_t seed, unsigned flush_every)
{
	const unsigned instruments = 3, ops = 4000;
	struct evfix x;
	struct tg_match *me;
	struct tg_match_config mc = { .instruments = instruments, .max_orders = 10000 };
	uint64_t refs[4096];
	unsigned n_refs = 0, bad_after = 0, mism = 0;
	uint64_t now = T0;

	rng = seed;
	evfix_open(&x, instruments);
	CU_ASSERT_EQUAL_FATAL(tg_match_new(&mc, on_match, &x, &me), TG_OK);
	for (unsigned op = 0; op < ops; op++) {
		unsigned r = below(100);

		now += 1000;
		if (r < 55 || n_refs == 0) {
			struct tg_match_order o;
			uint64_t ref;
			int rc;

			memset(&o, 0, sizeof(o));
			o.instrument = (uint16_t)(1 + below(instruments));
			o.side = below(2) ? TG_MATCH_SELL : TG_MATCH_BUY;
			o.type = below(20) == 0 ? TG_MATCH_MARKET : TG_MATCH_LIMIT;
			o.tif = o.type == TG_MATCH_MARKET || below(10) == 0 ? TG_MATCH_IOC : TG_MATCH_DAY;
			o.hidden = below(5) == 0;
			o.shares = 100u * (1 + below(10));
			/* around 100.00, the two sides overlapping so that orders cross */
			o.price = (o.side == TG_MATCH_BUY ? 99800u : 100000u) + 100u * below(5);
			if (below(5) == 0)
				memcpy(o.mpid, "TGMM", 4);
			o.owner = op;
			rc = tg_match_enter(me, &o, now, &ref);
			CU_ASSERT(rc == TG_OK || rc == TG_ERR_STATE);
			if (rc == TG_OK && n_refs < 4096)
				refs[n_refs++] = ref;
		} else if (r < 97) {
			unsigned i = below(n_refs);
			struct tg_match_resting o;

			if (tg_match_order(me, refs[i], &o) != TG_OK) {
				refs[i] = refs[--n_refs];	/* gone */
				continue;
			}
			if (r < 75) {	/* reduce, or delete */
				uint32_t to = below(3) == 0 ? 0 : (o.shares > 100 ? 100u * below(o.shares / 100) : 0);

				CU_ASSERT_EQUAL(tg_match_reduce(me, refs[i], to, now), TG_OK);
			} else {	/* replace: price, size or hidden flag */
				uint32_t shares = 100u * (1 + below(10));
				uint32_t price = (o.side == TG_MATCH_BUY ? 99800u : 100000u) + 100u * below(5);
				bool hidden = below(4) == 0 ? !o.hidden : o.hidden;
				uint64_t nref;
				int rc = tg_match_replace(me, refs[i], shares, price, hidden, now, &nref);

				CU_ASSERT(rc == TG_OK || rc == TG_ERR_STATE);
				if (rc == TG_OK)
					refs[i] = nref;
			}
		} else {
			uint16_t loc = (uint16_t)(1 + below(instruments));

			CU_ASSERT_EQUAL(tg_match_halt(me, loc, !tg_match_halted(me, loc), now), TG_OK);
		}
		if ((op + 1) % flush_every != 0)
			continue;
		evfix_sync(&x, now);
		unsigned m = compare_books(&x, me, instruments);

		if (m != 0 && bad_after == 0) {
			fprintf(stderr, "books differ after op %u\n", op);
			bad_after = op + 1;
		}
		mism += m;
	}
	evfix_sync(&x, now);
	mism += compare_books(&x, me, instruments);
	CU_ASSERT_EQUAL(mism, 0);
	CU_ASSERT_EQUAL(tg_book_stats(x.r->book)->unknown_ref, 0);
	CU_ASSERT_EQUAL(tg_book_stats(x.r->book)->duplicate_ref, 0);
	CU_ASSERT_EQUAL(x.r->dec.stats.gaps, 0);
	/* the flow exercised every kind of message */
	CU_ASSERT(x.r->dec.stats.by_type['A'] > 0);
	CU_ASSERT(x.r->dec.stats.by_type['F'] > 0);
	CU_ASSERT(x.r->dec.stats.by_type['E'] > 0);
	CU_ASSERT(x.r->dec.stats.by_type['P'] > 0);
	CU_ASSERT(x.r->dec.stats.by_type['X'] > 0);
	CU_ASSERT(x.r->dec.stats.by_type['D'] > 0);
	CU_ASSERT(x.r->dec.stats.by_type['U'] > 0);
	CU_ASSERT(x.r->dec.stats.by_type['H'] > 0);
	fprintf(stderr, "engine flow (flush every %u): %u ops, %" PRIu64 " messages (A %" PRIu64 " F %" PRIu64
		" E %" PRIu64 " P %" PRIu64 " X %" PRIu64 " D %" PRIu64 " U %" PRIu64 " H %" PRIu64 "), %u resting\n",
		flush_every, ops, x.r->dec.stats.messages, x.r->dec.stats.by_type['A'], x.r->dec.stats.by_type['F'],
		x.r->dec.stats.by_type['E'], x.r->dec.stats.by_type['P'], x.r->dec.stats.by_type['X'],
		x.r->dec.stats.by_type['D'], x.r->dec.stats.by_type['U'], x.r->dec.stats.by_type['H'],
		tg_match_resting_count(me));
	tg_match_free(me);
	evfix_close(&x);
}

static void test_engine_random_flow(void)
{
	engine_random_flow(0x5eed5eedull, 1);
}

static void test_engine_random_flow_batched(void)
{
	engine_random_flow(0xba7c4edull, 7);
}

static int suite_init(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s", "/tmp/tg_xfeed_XXXXXX");
	return mkdtemp(tmpdir) == NULL;
}

static int suite_clean(void)
{
	return rmdir(tmpdir);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{"encoders: every field of every type read back by the generated table", test_encoders},
		{"start of day, packets full, sequence numbers, every message in order",
		 test_start_of_day_and_sequence},
		{"a packet without room for another message goes at once", test_full_packet_at_once},
		{"heartbeats and End of Session on the caller's clock", test_heartbeats},
		{"retransmission: exact ranges, not held, malformed, other session", test_retransmission},
		{"loss injection by sequence number: gap found and filled", test_loss_drop_seq},
		{"loss injection every 3rd packet: gaps found and filled", test_loss_drop_every},
		{"pcap: libpcap reads it, the decoder decodes it", test_pcap},
		{"configurations refused; no retransmission service", test_config_refused},
		{"multicast on the loopback interface", test_multicast_loopback},
		{"matching-engine events to ITCH, scripted", test_match_events_scripted},
		{"real engine, random flow: feed book equals displayed book", test_engine_random_flow},
		{"real engine, calls batched between flushes: the same", test_engine_random_flow_batched},
	};

	return tg_cunit_run("exchange_feed", suite_init, suite_clean, tests, TG_CUNIT_COUNT(tests));
}
