/*
 * Unit tests of SoupBinTCP 3.0 (sw/soupbin.c, sw/soupbin_session.c): the
 * packet codec (exact bytes, every length rule, every truncation), the
 * stream reassembler fed byte by byte and in random chunks (explicit
 * seeds), and a client and a server session wired back to back in memory
 * on a clock the test moves: login accepted and rejected, heartbeats both
 * ways at the right times, silence timeouts, logout, end of session,
 * reconnects that resume at a sequence number with nothing lost or
 * repeated, back-pressure, protocol errors, and the socket pump over a
 * socketpair.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tg_cunit.h"
#include "tickgate/soupbin.h"
#include "tickgate/soupbin_session.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define T0 (1000 * SEC)

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: a fixed seed gives the same chunks on every machine */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* ---- packet codec ---- */

/* Decode from a heap buffer of exactly n bytes (the sanitizer build catches reads past it). */
static int decode_exact(const uint8_t *src, size_t n, struct tg_soup_packet *pkt)
{
	uint8_t *b = malloc(n > 0 ? n : 1);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	if (n > 0)
		memcpy(b, src, n);
	rc = tg_soup_decode(b, n, pkt);
	free(b);
	return rc;
}

static void test_login_request_bytes(void)
{
	struct tg_soup_login req = { .username = "ab", .password = "pw", .session = "", .seq = 42 };
	struct tg_soup_packet pkt;
	uint8_t b[64];
	int n = tg_soup_encode_login_request(b, sizeof(b), &req);

	CU_ASSERT_EQUAL_FATAL(n, 49);
	CU_ASSERT_EQUAL(memcmp(b, "\x00\x2fL", 3), 0);
	CU_ASSERT_EQUAL(memcmp(b + 3, "ab    ", 6), 0);			/* username, alpha */
	CU_ASSERT_EQUAL(memcmp(b + 9, "pw        ", 10), 0);		/* password */
	CU_ASSERT_EQUAL(memcmp(b + 19, "          ", 10), 0);		/* blank: current session */
	CU_ASSERT_EQUAL(memcmp(b + 29, "                  42", 20), 0);	/* numeric, right-justified */
	CU_ASSERT_EQUAL(tg_soup_decode(b, (size_t)n, &pkt), 49);
	CU_ASSERT_EQUAL(pkt.type, TG_SOUP_LOGIN_REQUEST);
	CU_ASSERT_STRING_EQUAL(pkt.login.username, "ab");
	CU_ASSERT_STRING_EQUAL(pkt.login.password, "pw");
	CU_ASSERT_STRING_EQUAL(pkt.login.session, "");
	CU_ASSERT_EQUAL(pkt.login.seq, 42);

	strcpy(req.username, "ABCDEF");
	strcpy(req.password, "0123456789");
	strcpy(req.session, "SESSION123");
	req.seq = UINT64_MAX;
	CU_ASSERT_EQUAL(tg_soup_encode_login_request(b, sizeof(b), &req), 49);
	CU_ASSERT_EQUAL(memcmp(b + 3, "ABCDEF0123456789SESSION12318446744073709551615", 46), 0);
	CU_ASSERT_EQUAL(tg_soup_decode(b, 49, &pkt), 49);
	CU_ASSERT_EQUAL(pkt.login.seq, UINT64_MAX);
	CU_ASSERT_STRING_EQUAL(pkt.login.session, "SESSION123");
	CU_ASSERT_EQUAL(tg_soup_encode_login_request(b, 48, &req), TG_ERR_ARG);
	req.username[0] = '\0';
	CU_ASSERT_EQUAL(tg_soup_encode_login_request(b, sizeof(b), &req), TG_ERR_ARG);
	strcpy(req.username, "a\nb");
	CU_ASSERT_EQUAL(tg_soup_encode_login_request(b, sizeof(b), &req), TG_ERR_ARG);
}

static void test_login_accepted_bytes(void)
{
	struct tg_soup_packet pkt;
	uint8_t b[64];

	CU_ASSERT_EQUAL_FATAL(tg_soup_encode_login_accepted(b, sizeof(b), "SESS01", 7), 33);
	CU_ASSERT_EQUAL(memcmp(b, "\x00\x1f" "ASESS01                       7", 33), 0);
	CU_ASSERT_EQUAL(tg_soup_decode(b, 33, &pkt), 33);
	CU_ASSERT_STRING_EQUAL(pkt.login.session, "SESS01");
	CU_ASSERT_EQUAL(pkt.login.seq, 7);
	/* a session padded on the left and a zero-padded number read the same */
	memcpy(b + 3, "    SESS0100000000000000000007", 30);
	CU_ASSERT_EQUAL(tg_soup_decode(b, 33, &pkt), 33);
	CU_ASSERT_STRING_EQUAL(pkt.login.session, "SESS01");
	CU_ASSERT_EQUAL(pkt.login.seq, 7);
	memcpy(b + 13, "                    ", 20);
	CU_ASSERT_EQUAL(tg_soup_decode(b, 33, &pkt), 33);
	CU_ASSERT_EQUAL(pkt.login.seq, 0);
	memcpy(b + 13, "              12 345", 20);
	CU_ASSERT_EQUAL(tg_soup_decode(b, 33, &pkt), TG_ERR_FIELD);
	memcpy(b + 13, "99999999999999999999", 20);
	CU_ASSERT_EQUAL(tg_soup_decode(b, 33, &pkt), TG_ERR_FIELD);
	memcpy(b + 13, "18446744073709551616", 20);
	CU_ASSERT_EQUAL(tg_soup_decode(b, 33, &pkt), TG_ERR_FIELD);
	memcpy(b + 13, "18446744073709551615", 20);
	CU_ASSERT_EQUAL(tg_soup_decode(b, 33, &pkt), 33);
	CU_ASSERT_EQUAL(pkt.login.seq, UINT64_MAX);
	b[5] = 0x01;
	CU_ASSERT_EQUAL(tg_soup_decode(b, 33, &pkt), TG_ERR_FIELD);
	CU_ASSERT_EQUAL(tg_soup_encode_login_accepted(b, sizeof(b), "ELEVENCHARS", 1), TG_ERR_ARG);

	CU_ASSERT_EQUAL(tg_soup_encode_login_rejected(b, sizeof(b), TG_SOUP_REJECT_SESSION), 4);
	CU_ASSERT_EQUAL(memcmp(b, "\x00\x02JS", 4), 0);
	CU_ASSERT_EQUAL(tg_soup_decode(b, 4, &pkt), 4);
	CU_ASSERT_EQUAL(pkt.reject_reason, 'S');
}

static void test_length_rules(void)
{
	static const struct {
		char type;
		long len;	/* -1: any */
	} rules[] = {
		{ '+', -1 }, { 'A', 30 }, { 'J', 1 }, { 'S', -1 }, { 'H', 0 },
		{ 'Z', 0 }, { 'L', 46 }, { 'U', -1 }, { 'R', 0 }, { 'O', 0 },
	};
	static uint8_t buf[TG_SOUP_MAX_PACKET + 1], payload[TG_SOUP_MAX_PAYLOAD + 1];
	struct tg_soup_packet pkt;
	unsigned known = 0;

	memset(payload, '1', sizeof(payload));	/* also a valid login: 20 ones fit in 64 bits */
	for (unsigned t = 0; t < 256; t++)
		known += tg_soup_len_ok((char)t, 0) || tg_soup_len_ok((char)t, 30) || tg_soup_len_ok((char)t, 46) ||
			 tg_soup_len_ok((char)t, 1);
	CU_ASSERT_EQUAL(known, 10);
	for (size_t i = 0; i < TG_CUNIT_COUNT(rules); i++) {
		char t = rules[i].type;
		size_t sizes[] = { 0, 1, 29, 30, 31, 45, 46, 47, 1000, TG_SOUP_MAX_PAYLOAD };

		CU_ASSERT_STRING_NOT_EQUAL(tg_soup_type_name(t), "unknown");
		for (size_t s = 0; s < TG_CUNIT_COUNT(sizes); s++) {
			bool ok = rules[i].len < 0 || (size_t)rules[i].len == sizes[s];
			int n = tg_soup_encode(buf, sizeof(buf), t, payload, sizes[s]);

			CU_ASSERT_EQUAL(tg_soup_len_ok(t, sizes[s]), ok);
			if (!ok) {
				CU_ASSERT_EQUAL(n, TG_ERR_ARG);
				/* the same bytes made by hand: refused as soon as the type byte is in */
				buf[0] = (uint8_t)((sizes[s] + 1) >> 8);
				buf[1] = (uint8_t)(sizes[s] + 1);
				buf[2] = (uint8_t)t;
				CU_ASSERT_EQUAL(decode_exact(buf, 3, &pkt), TG_ERR_LENGTH);
				continue;
			}
			CU_ASSERT_EQUAL_FATAL(n, (int)(3 + sizes[s]));
			CU_ASSERT_EQUAL(tg_soup_decode(buf, (size_t)n, &pkt), n);
			CU_ASSERT_EQUAL(pkt.type, t);
			CU_ASSERT_EQUAL(pkt.len, sizes[s]);
			CU_ASSERT_PTR_EQUAL(pkt.payload, buf + 3);
			if (sizes[s] < 100) {
				/* every truncation: short, never an overread */
				for (int k = 0; k < n; k++)
					CU_ASSERT_EQUAL(decode_exact(buf, (size_t)k, &pkt), TG_ERR_SHORT);
			}
		}
	}
	CU_ASSERT_EQUAL(tg_soup_encode(buf, sizeof(buf), 'U', payload, TG_SOUP_MAX_PAYLOAD + 1), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_soup_encode(buf, 2, 'H', NULL, 0), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_soup_encode(buf, sizeof(buf), 'X', NULL, 0), TG_ERR_ARG);
	CU_ASSERT_STRING_EQUAL(tg_soup_type_name('X'), "unknown");
	/* a zero length has not even a type byte */
	CU_ASSERT_EQUAL(decode_exact((const uint8_t *)"\x00\x00", 2, &pkt), TG_ERR_LENGTH);
	CU_ASSERT_EQUAL(decode_exact((const uint8_t *)"\x00\x01X", 3, &pkt), TG_ERR_MSGTYPE);
	CU_ASSERT_EQUAL(decode_exact((const uint8_t *)"\x00\x01", 2, &pkt), TG_ERR_SHORT);
	/* only the first packet of a buffer */
	CU_ASSERT_EQUAL(decode_exact((const uint8_t *)"\x00\x01H\x00\x01R", 6, &pkt), 3);
}

/* ---- reassembler ---- */

struct expected {
	char type;
	size_t len;
	uint8_t first;	/* payload bytes are first, first+1, ... */
};

/* A stream of n packets of assorted types and sizes (one of the largest). */
static size_t make_stream(uint8_t *s, size_t cap, struct expected *e, unsigned n)
{
	static const char types[] = { 'S', 'U', '+', 'H', 'R', 'Z', 'O', 'J' };
	uint8_t payload[TG_SOUP_MAX_PAYLOAD];
	size_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		char t = types[rnd() % sizeof(types)];
		size_t len = 0;
		int w;

		if (t == 'S' || t == 'U' || t == '+')
			len = i == n / 2 ? TG_SOUP_MAX_PAYLOAD : (size_t)(rnd() % 300);
		else if (t == 'J')
			len = 1;
		e[i].type = t;
		e[i].len = len;
		e[i].first = (uint8_t)i;
		for (size_t k = 0; k < len; k++)
			payload[k] = (uint8_t)(i + k);
		w = tg_soup_encode(s + off, cap - off, t, payload, len);
		CU_ASSERT_FATAL(w > 0);
		off += (size_t)w;
	}
	return off;
}

static void check_packet(const struct tg_soup_packet *pkt, const struct expected *e)
{
	bool same = pkt->type == e->type && pkt->len == e->len;

	for (size_t k = 0; same && k < e->len; k++)
		same = pkt->payload[k] == (uint8_t)(e->first + k);
	CU_ASSERT(same);
}

/* Feed the stream in chunks (size 1, or random up to max) through feed or space/commit. */
static void reassemble(const uint8_t *s, size_t len, const struct expected *e, unsigned n, size_t max,
		       bool zero_copy)
{
	static uint8_t rbuf[TG_SOUP_READER_MIN + 100];
	struct tg_soup_reader r;
	struct tg_soup_packet pkt;
	size_t off = 0;
	unsigned got = 0;
	int rc;

	CU_ASSERT_EQUAL_FATAL(tg_soup_reader_init(&r, rbuf, sizeof(rbuf)), TG_OK);
	while (off < len) {
		size_t chunk = max <= 1 ? 1 : 1 + (size_t)(rnd() % max);

		if (chunk > len - off)
			chunk = len - off;
		if (zero_copy) {
			size_t avail;
			uint8_t *sp = tg_soup_reader_space(&r, &avail);

			CU_ASSERT_FATAL(avail > 0);
			if (chunk > avail)
				chunk = avail;
			memcpy(sp, s + off, chunk);
			tg_soup_reader_commit(&r, chunk);
		} else {
			chunk = tg_soup_reader_feed(&r, s + off, chunk);
			CU_ASSERT_FATAL(chunk > 0);
		}
		off += chunk;
		while ((rc = tg_soup_reader_next(&r, &pkt)) == 1) {
			CU_ASSERT_FATAL(got < n);
			check_packet(&pkt, &e[got++]);
		}
		CU_ASSERT_EQUAL_FATAL(rc, 0);
	}
	CU_ASSERT_EQUAL(got, n);
	CU_ASSERT_EQUAL(tg_soup_reader_buffered(&r), 0);
}

static void test_reassembler_chunks(void)
{
	static uint8_t stream[2 * TG_SOUP_MAX_PACKET + 400 * 310];
	static struct expected e[400];
	size_t len;

	rng_state = 0x5eed0001;
	len = make_stream(stream, sizeof(stream), e, 400);
	reassemble(stream, len, e, 400, 1, false);	/* byte by byte */
	for (uint64_t seed = 1; seed <= 8; seed++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull;
		reassemble(stream, len, e, 400, seed < 4 ? 7 : 70000, seed & 1);
	}
}

static void test_reassembler_errors(void)
{
	static uint8_t rbuf[TG_SOUP_READER_MIN];
	struct tg_soup_reader r;
	struct tg_soup_packet pkt;
	uint8_t s[64];
	size_t n = 0;

	CU_ASSERT_EQUAL(tg_soup_reader_init(&r, rbuf, sizeof(rbuf) - 1), TG_ERR_ARG);
	CU_ASSERT_EQUAL_FATAL(tg_soup_reader_init(&r, rbuf, sizeof(rbuf)), TG_OK);
	n += (size_t)tg_soup_encode(s + n, sizeof(s) - n, 'S', "abc", 3);
	n += (size_t)tg_soup_encode(s + n, sizeof(s) - n, 'H', NULL, 0);
	memcpy(s + n, "\xff\xffH", 3);	/* a heartbeat 65534 bytes long: framing lost */
	n += 3;
	CU_ASSERT_EQUAL(tg_soup_reader_feed(&r, s, n), n);
	CU_ASSERT_EQUAL(tg_soup_reader_next(&r, &pkt), 1);
	CU_ASSERT_EQUAL(pkt.type, 'S');
	CU_ASSERT_EQUAL(tg_soup_reader_next(&r, &pkt), 1);
	CU_ASSERT_EQUAL(pkt.type, 'H');
	/* known at once, without waiting for 65534 bytes that would never make sense */
	CU_ASSERT_EQUAL(tg_soup_reader_next(&r, &pkt), TG_ERR_LENGTH);
	CU_ASSERT_EQUAL(tg_soup_reader_next(&r, &pkt), TG_ERR_LENGTH);	/* final */
	CU_ASSERT_EQUAL(tg_soup_reader_feed(&r, s, 6), 6);
	CU_ASSERT_EQUAL(tg_soup_reader_next(&r, &pkt), TG_ERR_LENGTH);
	tg_soup_reader_reset(&r);
	CU_ASSERT_EQUAL(tg_soup_reader_feed(&r, (const uint8_t *)"\x00\x01Q", 3), 3);
	CU_ASSERT_EQUAL(tg_soup_reader_next(&r, &pkt), TG_ERR_MSGTYPE);

	/* a full buffer takes what fits; packets out, then the rest goes in */
	tg_soup_reader_reset(&r);
	{
		static uint8_t big[TG_SOUP_READER_MIN + 300];
		size_t took, total = 0;
		unsigned got = 0;

		for (size_t i = 0; i + 3 <= sizeof(big); i += 3)
			memcpy(big + i, "\x00\x01R", 3);
		took = tg_soup_reader_feed(&r, big, sizeof(big));
		CU_ASSERT_EQUAL(took, TG_SOUP_READER_MIN);
		total += took;
		while (tg_soup_reader_next(&r, &pkt) == 1)
			got++;
		total += tg_soup_reader_feed(&r, big + total, sizeof(big) - total);
		CU_ASSERT_EQUAL(total, sizeof(big));
		while (tg_soup_reader_next(&r, &pkt) == 1)
			got++;
		CU_ASSERT_EQUAL(got, sizeof(big) / 3);
	}
}

/* ---- sessions back to back ---- */

struct log {
	unsigned ev[16];
	uint64_t *seqs;		/* sequenced numbers received, in order */
	size_t n_seqs;
	bool bad_payload;	/* a sequenced payload that was not "m<seq>" */
	unsigned unseq;
	char reason;
	int error;
	uint64_t accepted_seq, requested;
	char session[16], username[16];
	char last[64];
};

static void on_event(void *ctx, const struct tg_soup_event *ev)
{
	struct log *l = ctx;
	char want[32];

	l->ev[ev->type]++;
	switch (ev->type) {
	case TG_SOUP_EV_SEQUENCED:
		snprintf(want, sizeof(want), "m%" PRIu64, ev->seq);
		if (ev->len != strlen(want) || memcmp(ev->data, want, ev->len) != 0)
			l->bad_payload = true;
		l->seqs = realloc(l->seqs, (l->n_seqs + 1) * sizeof(*l->seqs));
		l->seqs[l->n_seqs++] = ev->seq;
		break;
	case TG_SOUP_EV_UNSEQUENCED:
	case TG_SOUP_EV_DEBUG:
		l->unseq += ev->type == TG_SOUP_EV_UNSEQUENCED;
		snprintf(l->last, sizeof(l->last), "%.*s", (int)ev->len, (const char *)ev->data);
		break;
	case TG_SOUP_EV_LOGIN_ACCEPTED:
		l->accepted_seq = ev->seq;
		l->requested = ev->requested;
		snprintf(l->session, sizeof(l->session), "%s", ev->session);
		snprintf(l->username, sizeof(l->username), "%s", ev->username != NULL ? ev->username : "");
		break;
	case TG_SOUP_EV_LOGIN_REJECTED:
		l->reason = ev->reason;
		snprintf(l->username, sizeof(l->username), "%s", ev->username != NULL ? ev->username : "");
		break;
	default:
		l->error = ev->error;
		break;
	}
}

static char authenticate(void *ctx, const char *username, const char *password)
{
	(void)ctx;
	if (strcmp(username, "trader") != 0 || strcmp(password, "secret") != 0)
		return TG_SOUP_REJECT_NOT_AUTHORIZED;
	return 0;
}

struct pair {
	struct tg_soup_store *store;
	struct tg_soup_session *client, *server;
	struct log cl, sv;
	uint64_t now;
	size_t chunk;		/* 0: whole; else random chunks up to this */
	int in_rc[2];		/* last input results: [0] client, [1] server */
	int tick_rc[2];		/* last tick results */
};

static void pair_open(struct pair *p, const char *password, const char *session, uint64_t seq,
		      uint64_t timeout_ns, size_t server_out_cap)
{
	struct tg_soup_client_config cc = {
		.username = "trader", .password = password, .session = session, .seq = seq,
		.timeout_ns = timeout_ns,
	};
	struct tg_soup_server_config sc = {
		.timeout_ns = timeout_ns, .out_cap = server_out_cap, .authenticate = authenticate,
	};
	struct tg_soup_handlers hc = { on_event, &p->cl }, hs = { on_event, &p->sv };

	memset(p, 0, sizeof(*p));
	p->now = T0;
	CU_ASSERT_EQUAL_FATAL(tg_soup_store_new("SESS01", &p->store), TG_OK);
	CU_ASSERT_EQUAL_FATAL(tg_soup_client_new(&cc, &hc, &p->client), TG_OK);
	CU_ASSERT_EQUAL_FATAL(tg_soup_server_new(&sc, p->store, &hs, &p->server), TG_OK);
}

/* A new server session on the same store, as after the exchange accepts a new connection. */
static void pair_new_server(struct pair *p, size_t out_cap)
{
	struct tg_soup_server_config sc = { .out_cap = out_cap, .authenticate = authenticate };
	struct tg_soup_handlers hs = { on_event, &p->sv };

	tg_soup_session_free(p->server);
	CU_ASSERT_EQUAL_FATAL(tg_soup_server_new(&sc, p->store, &hs, &p->server), TG_OK);
}

static void pair_close(struct pair *p)
{
	tg_soup_session_free(p->client);
	tg_soup_session_free(p->server);
	tg_soup_store_free(p->store);
	free(p->cl.seqs);
	free(p->sv.seqs);
}

static void connect_both(struct pair *p)
{
	CU_ASSERT_EQUAL(tg_soup_session_connected(p->server, p->now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_connected(p->client, p->now), TG_OK);
}

/* Move at most limit pending bytes of from into to (in chunks); returns how many moved. */
static size_t move(struct pair *p, struct tg_soup_session *from, struct tg_soup_session *to, size_t limit,
		   int *rc)
{
	size_t moved = 0;
	const uint8_t *d;
	size_t n;

	while (moved < limit && (n = tg_soup_session_pending(from, &d)) > 0) {
		if (p->chunk > 0)
			n = n < p->chunk ? n : 1 + (size_t)(rnd() % p->chunk);
		if (n > limit - moved)
			n = limit - moved;
		*rc = tg_soup_session_input(to, d, n, p->now);
		tg_soup_session_consumed(from, n);
		moved += n;
	}
	return moved;
}

/* Both ways until quiet, ticking both sides (the transport delivers at once). */
static void settle(struct pair *p)
{
	size_t moved;

	do {
		p->tick_rc[0] = tg_soup_session_tick(p->client, p->now);
		p->tick_rc[1] = tg_soup_session_tick(p->server, p->now);
		moved = move(p, p->client, p->server, SIZE_MAX, &p->in_rc[1]);
		moved += move(p, p->server, p->client, SIZE_MAX, &p->in_rc[0]);
	} while (moved > 0);
}

static void test_login_good(void)
{
	struct pair p;
	const uint8_t *d;

	pair_open(&p, "secret", NULL, 1, 0, 0);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_IDLE);
	CU_ASSERT_EQUAL(tg_soup_client_send(p.client, (const uint8_t *)"x", 1, p.now), TG_ERR_STATE);
	connect_both(&p);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_LOGIN_WAIT);
	CU_ASSERT_EQUAL(tg_soup_session_pending(p.client, &d), 49);
	CU_ASSERT_EQUAL(d[2], 'L');
	CU_ASSERT_EQUAL(tg_soup_session_connected(p.client, p.now), TG_ERR_STATE);
	settle(&p);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_ACTIVE);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.server), TG_SOUP_ACTIVE);
	CU_ASSERT_EQUAL(p.sv.ev[TG_SOUP_EV_LOGIN_ACCEPTED], 1);
	CU_ASSERT_STRING_EQUAL(p.sv.username, "trader");
	CU_ASSERT_STRING_EQUAL(tg_soup_server_username(p.server), "trader");
	CU_ASSERT_EQUAL(p.cl.ev[TG_SOUP_EV_LOGIN_ACCEPTED], 1);
	CU_ASSERT_STRING_EQUAL(p.cl.session, "SESS01");
	CU_ASSERT_STRING_EQUAL(tg_soup_session_name(p.client), "SESS01");
	CU_ASSERT_EQUAL(p.cl.accepted_seq, 1);
	CU_ASSERT_EQUAL(tg_soup_session_next_seq(p.client), 1);

	/* both ways */
	for (int i = 1; i <= 100; i++) {
		char m[16];

		snprintf(m, sizeof(m), "m%d", i);
		CU_ASSERT_EQUAL(tg_soup_server_send(p.server, (const uint8_t *)m, strlen(m), p.now), TG_OK);
	}
	CU_ASSERT_EQUAL(tg_soup_client_send(p.client, (const uint8_t *)"O-order", 7, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_debug(p.client, "hello", p.now), TG_OK);
	settle(&p);
	CU_ASSERT_EQUAL(p.cl.n_seqs, 100);
	CU_ASSERT_EQUAL(p.cl.seqs[0], 1);
	CU_ASSERT_EQUAL(p.cl.seqs[99], 100);
	CU_ASSERT(!p.cl.bad_payload);
	CU_ASSERT_EQUAL(tg_soup_session_next_seq(p.client), 101);
	CU_ASSERT_EQUAL(p.sv.unseq, 1);
	CU_ASSERT_EQUAL(p.sv.ev[TG_SOUP_EV_DEBUG], 1);
	CU_ASSERT_STRING_EQUAL(p.sv.last, "hello");
	CU_ASSERT_EQUAL(p.in_rc[0], TG_OK);
	CU_ASSERT_EQUAL(p.in_rc[1], TG_OK);
	pair_close(&p);
}

static void test_login_rejected(void)
{
	struct pair p;

	pair_open(&p, "wrong", NULL, 1, 0, 0);
	connect_both(&p);
	settle(&p);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_REJECTED);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.server), TG_SOUP_REJECTED);
	CU_ASSERT_EQUAL(p.cl.reason, TG_SOUP_REJECT_NOT_AUTHORIZED);
	CU_ASSERT_EQUAL(p.sv.reason, TG_SOUP_REJECT_NOT_AUTHORIZED);
	CU_ASSERT_STRING_EQUAL(p.sv.username, "trader");
	CU_ASSERT_EQUAL(tg_soup_session_deadline(p.client), UINT64_MAX);
	pair_close(&p);

	/* a session the server does not have */
	pair_open(&p, "secret", "OTHER", 1, 0, 0);
	connect_both(&p);
	settle(&p);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_REJECTED);
	CU_ASSERT_EQUAL(p.cl.reason, TG_SOUP_REJECT_SESSION);
	/* the right one, named */
	pair_close(&p);
	pair_open(&p, "secret", "SESS01", 1, 0, 0);
	connect_both(&p);
	settle(&p);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_ACTIVE);
	pair_close(&p);
}

/* Tick both and report whether a packet of type t was queued by s. */
static bool queued(struct tg_soup_session *s, char t)
{
	const uint8_t *d;
	size_t n = tg_soup_session_pending(s, &d);

	return n >= 3 && d[2] == (uint8_t)t;
}

static void test_heartbeats(void)
{
	struct pair p;
	unsigned client_hb = 0, server_hb = 0;

	pair_open(&p, "secret", NULL, 1, 0, 0);
	connect_both(&p);
	settle(&p);
	/* nothing before a full second without sending, then exactly one */
	p.now += 999 * MS;
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.client, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.server, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_pending(p.client, NULL), 0);
	CU_ASSERT_EQUAL(tg_soup_session_pending(p.server, NULL), 0);
	CU_ASSERT_EQUAL(tg_soup_session_deadline(p.client), T0 + SEC);
	p.now += 1 * MS;
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.client, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.server, p.now), TG_OK);
	CU_ASSERT(queued(p.client, TG_SOUP_CLIENT_HEARTBEAT));
	CU_ASSERT(queued(p.server, TG_SOUP_SERVER_HEARTBEAT));
	CU_ASSERT_EQUAL(tg_soup_session_pending(p.client, NULL), 3);
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.client, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_pending(p.client, NULL), 3);	/* not twice */
	settle(&p);

	/* sending data puts the heartbeat off: the client sends at +0.5 s */
	p.now += 500 * MS;
	CU_ASSERT_EQUAL(tg_soup_client_send(p.client, (const uint8_t *)"x", 1, p.now), TG_OK);
	settle(&p);
	p.now += 500 * MS;	/* 1 s after the last heartbeat, 0.5 s after the data */
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.client, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.server, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_pending(p.client, NULL), 0);
	CU_ASSERT(queued(p.server, TG_SOUP_SERVER_HEARTBEAT));
	settle(&p);
	p.now += 500 * MS;
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.client, p.now), TG_OK);
	CU_ASSERT(queued(p.client, TG_SOUP_CLIENT_HEARTBEAT));
	settle(&p);

	/* a minute of 100 ms steps: one heartbeat a second each way, nobody dies */
	for (int i = 0; i < 600; i++) {
		p.now += 100 * MS;
		CU_ASSERT_EQUAL(tg_soup_session_tick(p.client, p.now), TG_OK);
		CU_ASSERT_EQUAL(tg_soup_session_tick(p.server, p.now), TG_OK);
		client_hb += queued(p.client, TG_SOUP_CLIENT_HEARTBEAT);
		server_hb += queued(p.server, TG_SOUP_SERVER_HEARTBEAT);
		settle(&p);
	}
	CU_ASSERT(client_hb >= 59 && client_hb <= 61);
	CU_ASSERT(server_hb >= 59 && server_hb <= 61);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_ACTIVE);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.server), TG_SOUP_ACTIVE);
	CU_ASSERT_EQUAL(p.cl.ev[TG_SOUP_EV_DEAD] + p.sv.ev[TG_SOUP_EV_DEAD], 0);
	pair_close(&p);
}

static void test_silence_timeouts(void)
{
	struct pair p;

	/* the default: the server goes quiet; dead at 15 s, not before */
	pair_open(&p, "secret", NULL, 1, 0, 0);
	connect_both(&p);
	settle(&p);
	CU_ASSERT_EQUAL(tg_soup_session_deadline(p.client), T0 + SEC);
	for (uint64_t t = 100 * MS; t < 15 * SEC; t += 100 * MS) {
		p.now = T0 + t;
		CU_ASSERT_EQUAL(tg_soup_session_tick(p.client, p.now), TG_OK);
		tg_soup_session_consumed(p.client, SIZE_MAX);	/* heartbeats go out, nothing comes back */
	}
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_ACTIVE);
	CU_ASSERT_EQUAL(tg_soup_session_deadline(p.client), T0 + 15 * SEC);
	p.now = T0 + 15 * SEC;
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.client, p.now), TG_ERR_TIMEOUT);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_DEAD);
	CU_ASSERT_EQUAL(p.cl.ev[TG_SOUP_EV_DEAD], 1);
	CU_ASSERT_EQUAL(p.cl.error, TG_ERR_TIMEOUT);
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.client, p.now + SEC), TG_OK);	/* once */
	CU_ASSERT_EQUAL(tg_soup_session_input(p.client, (const uint8_t *)"\x00\x01H", 3, p.now), TG_ERR_STATE);
	pair_close(&p);

	/* configured: 3 s; the client goes quiet, the server declares it dead */
	pair_open(&p, "secret", NULL, 1, 3 * SEC, 0);
	connect_both(&p);
	settle(&p);
	p.now += 3 * SEC - 1;
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.server, p.now), TG_OK);
	p.now += 1;
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.server, p.now), TG_ERR_TIMEOUT);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.server), TG_SOUP_DEAD);
	CU_ASSERT_EQUAL(p.sv.ev[TG_SOUP_EV_DEAD], 1);
	pair_close(&p);

	/* a client that never logs in */
	pair_open(&p, "secret", NULL, 1, 0, 0);
	CU_ASSERT_EQUAL(tg_soup_session_connected(p.server, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_tick(p.server, p.now + 15 * SEC), TG_ERR_TIMEOUT);
	pair_close(&p);
}

static void test_logout(void)
{
	struct pair p;

	pair_open(&p, "secret", NULL, 1, 0, 0);
	connect_both(&p);
	settle(&p);
	CU_ASSERT_EQUAL(tg_soup_client_logout(p.client, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_LOGGED_OUT);
	CU_ASSERT(queued(p.client, TG_SOUP_LOGOUT_REQUEST));
	CU_ASSERT_EQUAL(tg_soup_client_logout(p.client, p.now), TG_ERR_STATE);
	settle(&p);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.server), TG_SOUP_LOGGED_OUT);
	CU_ASSERT_EQUAL(p.sv.ev[TG_SOUP_EV_LOGOUT], 1);
	CU_ASSERT(!tg_soup_session_live(p.server));
	CU_ASSERT_STRING_EQUAL(tg_soup_state_name(tg_soup_session_state(p.server)), "logged_out");
	CU_ASSERT_STRING_EQUAL(tg_soup_state_name((enum tg_soup_state)99), "unknown");
	CU_ASSERT_EQUAL(tg_soup_session_role(p.server), TG_SOUP_SERVER);
	CU_ASSERT_EQUAL(tg_soup_session_role(p.client), TG_SOUP_CLIENT);
	CU_ASSERT_EQUAL(tg_soup_poll_events(p.server), 0);
	pair_close(&p);
}

static void test_end_of_session(void)
{
	struct pair p;

	pair_open(&p, "secret", NULL, 1, 0, 0);
	connect_both(&p);
	settle(&p);
	CU_ASSERT_EQUAL(tg_soup_server_send(p.server, (const uint8_t *)"m1", 2, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_server_send(p.server, (const uint8_t *)"m2", 2, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_server_end_session(p.server, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_server_send(p.server, (const uint8_t *)"m3", 2, p.now), TG_ERR_STATE);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.server), TG_SOUP_ENDED);
	settle(&p);
	CU_ASSERT_EQUAL(p.cl.n_seqs, 2);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_ENDED);
	CU_ASSERT_EQUAL(p.cl.ev[TG_SOUP_EV_END_OF_SESSION], 1);
	CU_ASSERT_EQUAL(p.sv.ev[TG_SOUP_EV_END_OF_SESSION], 1);
	CU_ASSERT_EQUAL(tg_soup_session_connected(p.client, p.now), TG_ERR_STATE);
	pair_close(&p);
}

/* Check the client saw 1..n once each, in order. */
static void check_all_once(const struct log *l, uint64_t n)
{
	bool ok = l->n_seqs == n;

	for (size_t i = 0; ok && i < l->n_seqs; i++)
		ok = l->seqs[i] == i + 1;
	CU_ASSERT(ok);
	CU_ASSERT(!l->bad_payload);
}

static void test_reconnect_resumes(void)
{
	struct pair p;
	uint64_t total = 0;
	char m[32];

	rng_state = 0xc0ffee;
	pair_open(&p, "secret", NULL, 1, 0, 0);
	p.chunk = 40;
	for (int round = 0; round < 30; round++) {
		uint64_t before = tg_soup_session_next_seq(p.client);

		if (round > 0)
			pair_new_server(&p, 0);
		connect_both(&p);
		settle(&p);
		CU_ASSERT_EQUAL_FATAL(tg_soup_session_state(p.client), TG_SOUP_ACTIVE);
		/* it asked for the first message it has not seen, and got it */
		CU_ASSERT_EQUAL(p.cl.requested, before);
		CU_ASSERT_EQUAL(p.cl.accepted_seq, before);
		/* more messages, delivered only in part: the connection drops mid-packet */
		for (int i = 0; i < 20; i++) {
			snprintf(m, sizeof(m), "m%" PRIu64, ++total);
			CU_ASSERT_EQUAL(tg_soup_server_send(p.server, (const uint8_t *)m, strlen(m), p.now), TG_OK);
		}
		(void)move(&p, p.server, p.client, (size_t)(rnd() % 600), &p.in_rc[0]);
		tg_soup_session_disconnected(p.client);
		tg_soup_session_disconnected(p.server);
		CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_DISCONNECTED);
		/* messages the exchange makes while nobody is connected are kept too */
		for (int i = 0; i < 3; i++) {
			snprintf(m, sizeof(m), "m%" PRIu64, ++total);
			CU_ASSERT_EQUAL(tg_soup_store_append(p.store, (const uint8_t *)m, strlen(m)), TG_OK);
		}
		p.now += 10 * MS;
	}
	pair_new_server(&p, 0);
	connect_both(&p);
	settle(&p);
	CU_ASSERT_EQUAL(tg_soup_store_count(p.store), total);
	check_all_once(&p.cl, total);
	CU_ASSERT_EQUAL(tg_soup_session_next_seq(p.client), total + 1);
	CU_ASSERT_EQUAL(p.cl.ev[TG_SOUP_EV_LOGIN_ACCEPTED], 31);
	pair_close(&p);
}

static void test_requested_numbers(void)
{
	struct pair p;

	/* 0: the most recent message */
	pair_open(&p, "secret", NULL, 0, 0, 0);
	CU_ASSERT_EQUAL(tg_soup_store_append(p.store, (const uint8_t *)"m1", 2), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_store_append(p.store, (const uint8_t *)"m2", 2), TG_OK);
	connect_both(&p);
	settle(&p);
	CU_ASSERT_EQUAL(p.cl.accepted_seq, 2);
	CU_ASSERT_EQUAL(p.cl.n_seqs, 1);
	CU_ASSERT(!p.cl.bad_payload);
	pair_close(&p);

	/* past the end: the next message to be made */
	pair_open(&p, "secret", NULL, 99, 0, 0);
	CU_ASSERT_EQUAL(tg_soup_store_append(p.store, (const uint8_t *)"m1", 2), TG_OK);
	connect_both(&p);
	settle(&p);
	CU_ASSERT_EQUAL(p.cl.requested, 99);
	CU_ASSERT_EQUAL(p.cl.accepted_seq, 2);
	CU_ASSERT_EQUAL(tg_soup_server_send(p.server, (const uint8_t *)"m2", 2, p.now), TG_OK);
	settle(&p);
	CU_ASSERT_EQUAL(p.cl.n_seqs, 1);
	CU_ASSERT_EQUAL(p.cl.seqs[0], 2);
	pair_close(&p);

	/* a server that answers another number than asked for: its numbering rules, both are told */
	pair_open(&p, "secret", NULL, 3, 0, 0);
	CU_ASSERT_EQUAL(tg_soup_session_connected(p.client, p.now), TG_OK);
	{
		uint8_t b[256];
		size_t n = 0;

		n += (size_t)tg_soup_encode_login_accepted(b, sizeof(b), "SESS01", 1);
		for (int i = 1; i <= 4; i++) {
			char m[8];
			int k = snprintf(m, sizeof(m), "m%d", i);

			n += (size_t)tg_soup_encode(b + n, sizeof(b) - n, 'S', m, (size_t)k);
		}
		CU_ASSERT_EQUAL(tg_soup_session_input(p.client, b, n, p.now), TG_OK);
	}
	CU_ASSERT_EQUAL(p.cl.requested, 3);
	CU_ASSERT_EQUAL(p.cl.accepted_seq, 1);
	check_all_once(&p.cl, 4);
	CU_ASSERT_EQUAL(tg_soup_session_next_seq(p.client), 5);
	pair_close(&p);
}

static void test_back_pressure(void)
{
	struct pair p;
	char m[128];
	unsigned again = 0;

	/* the smallest output queue: a replay of 20 000 messages streams as it drains */
	rng_state = 0xbadcafe;
	pair_open(&p, "secret", NULL, 1, 0, TG_SOUP_MAX_PACKET);
	for (int i = 1; i <= 20000; i++) {
		int n = snprintf(m, sizeof(m), "m%d", i);

		CU_ASSERT_EQUAL(tg_soup_store_append(p.store, (const uint8_t *)m, (size_t)n), TG_OK);
	}
	connect_both(&p);
	p.chunk = 5000;
	settle(&p);
	check_all_once(&p.cl, 20000);
	pair_close(&p);

	/* a client whose transport does not drain: sends fail with AGAIN, nothing half-queued */
	pair_open(&p, "secret", NULL, 1, 0, 0);
	connect_both(&p);
	settle(&p);
	memset(m, 'x', sizeof(m));
	for (int i = 0; i < 5000; i++) {
		int rc = tg_soup_client_send(p.client, (const uint8_t *)m, 100, p.now);

		if (rc == TG_ERR_AGAIN)
			again++;
		else
			CU_ASSERT_EQUAL(rc, TG_OK);
	}
	CU_ASSERT(again > 0);
	CU_ASSERT_EQUAL(tg_soup_session_pending(p.client, NULL) % 103, 0);
	settle(&p);
	CU_ASSERT_EQUAL(p.sv.unseq, 5000 - again);
	pair_close(&p);
}

static void test_protocol_errors(void)
{
	struct pair p;
	uint8_t b[64];
	int n;

	/* data before login */
	pair_open(&p, "secret", NULL, 1, 0, 0);
	connect_both(&p);
	n = tg_soup_encode(b, sizeof(b), 'U', "x", 1);
	CU_ASSERT_EQUAL(tg_soup_session_input(p.server, b, (size_t)n, p.now), TG_ERR_PROTOCOL);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.server), TG_SOUP_FAILED);
	CU_ASSERT_EQUAL(p.sv.ev[TG_SOUP_EV_ERROR], 1);
	CU_ASSERT_EQUAL(p.sv.error, TG_ERR_PROTOCOL);
	pair_close(&p);

	/* a client packet sent to a client; a second login; framing lost; sequenced before login */
	pair_open(&p, "secret", NULL, 1, 0, 0);
	connect_both(&p);
	settle(&p);
	n = tg_soup_encode(b, sizeof(b), 'R', NULL, 0);
	CU_ASSERT_EQUAL(tg_soup_session_input(p.client, b, (size_t)n, p.now), TG_ERR_PROTOCOL);
	n = tg_soup_encode_login_request(b, sizeof(b), &(struct tg_soup_login){ .username = "trader" });
	CU_ASSERT_EQUAL(tg_soup_session_input(p.server, b, (size_t)n, p.now), TG_ERR_PROTOCOL);
	pair_close(&p);

	pair_open(&p, "secret", NULL, 1, 0, 0);
	connect_both(&p);
	settle(&p);
	CU_ASSERT_EQUAL(tg_soup_session_input(p.client, (const uint8_t *)"\x00\x05H", 3, p.now), TG_ERR_LENGTH);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_FAILED);
	CU_ASSERT_EQUAL(p.cl.error, TG_ERR_LENGTH);
	CU_ASSERT_EQUAL(tg_soup_session_input(p.server, (const uint8_t *)"\x00\x01?", 3, p.now), TG_ERR_MSGTYPE);
	pair_close(&p);

	pair_open(&p, "secret", NULL, 1, 0, 0);
	CU_ASSERT_EQUAL(tg_soup_session_connected(p.client, p.now), TG_OK);
	n = tg_soup_encode(b, sizeof(b), 'S', "m1", 2);
	CU_ASSERT_EQUAL(tg_soup_session_input(p.client, b, (size_t)n, p.now), TG_ERR_PROTOCOL);
	pair_close(&p);

	/* bad configurations */
	{
		struct tg_soup_session *s;
		struct tg_soup_client_config cc = { .username = "toolong7" };
		struct tg_soup_server_config sc = { .out_cap = 1000 };
		struct tg_soup_store *st;

		CU_ASSERT_EQUAL(tg_soup_client_new(&cc, NULL, &s), TG_ERR_ARG);
		cc.username = "";
		CU_ASSERT_EQUAL(tg_soup_client_new(&cc, NULL, &s), TG_ERR_ARG);
		cc.username = "u";
		cc.password = "01234567890";
		CU_ASSERT_EQUAL(tg_soup_client_new(&cc, NULL, &s), TG_ERR_ARG);
		CU_ASSERT_EQUAL(tg_soup_store_new("ELEVENCHARS", &st), TG_ERR_ARG);
		CU_ASSERT_EQUAL_FATAL(tg_soup_store_new("S", &st), TG_OK);
		CU_ASSERT_EQUAL(tg_soup_server_new(&sc, st, NULL, &s), TG_ERR_ARG);
		CU_ASSERT_EQUAL(tg_soup_server_new(&sc, NULL, NULL, &s), TG_ERR_ARG);
		tg_soup_store_free(st);
	}
}

/* ---- over sockets ---- */

static void nonblock(int fd)
{
	CU_ASSERT_EQUAL(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
}

static void test_pump_socketpair(void)
{
	struct pair p;
	int sv[2];
	char m[32];
	int spins = 0;

	pair_open(&p, "secret", NULL, 1, 0, 0);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	nonblock(sv[0]);
	nonblock(sv[1]);
	connect_both(&p);
	CU_ASSERT_EQUAL(tg_soup_poll_events(p.client), POLLIN | POLLOUT);
	CU_ASSERT_EQUAL(tg_soup_poll_timeout(p.server, p.now), 15000);
	for (int i = 1; i <= 3000; i++) {
		int n = snprintf(m, sizeof(m), "m%d", i);

		CU_ASSERT_EQUAL(tg_soup_server_send(p.server, (const uint8_t *)m, (size_t)n, p.now), TG_OK);
	}
	while (p.cl.n_seqs < 3000 && spins++ < 10000) {
		CU_ASSERT_EQUAL(tg_soup_pump(p.client, sv[0], p.now), TG_OK);
		CU_ASSERT_EQUAL(tg_soup_pump(p.server, sv[1], p.now), TG_OK);
	}
	check_all_once(&p.cl, 3000);
	CU_ASSERT_EQUAL(tg_soup_poll_events(p.client), POLLIN);
	CU_ASSERT_EQUAL(tg_soup_poll_timeout(p.client, p.now), 1000);
	/* heartbeats over the socket */
	p.now += SEC;
	CU_ASSERT_EQUAL(tg_soup_pump(p.client, sv[0], p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_pump(p.server, sv[1], p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_poll_timeout(p.server, p.now), 1000);
	/* logout goes out, the server sees it and is done */
	CU_ASSERT_EQUAL(tg_soup_client_logout(p.client, p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_pump(p.client, sv[0], p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_pending(p.client, NULL), 0);
	CU_ASSERT_EQUAL(tg_soup_pump(p.server, sv[1], p.now), TG_OK);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.server), TG_SOUP_LOGGED_OUT);
	close(sv[1]);
	close(sv[0]);

	/* the peer closes: DEAD from the pump, DISCONNECTED session, a clean reconnect */
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	nonblock(sv[0]);
	nonblock(sv[1]);
	pair_new_server(&p, 0);
	connect_both(&p);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(tg_soup_pump(p.client, sv[0], p.now), TG_OK);
		CU_ASSERT_EQUAL(tg_soup_pump(p.server, sv[1], p.now), TG_OK);
	}
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_ACTIVE);
	CU_ASSERT_EQUAL(p.cl.accepted_seq, 3001);
	close(sv[1]);
	CU_ASSERT_EQUAL(tg_soup_pump(p.client, sv[0], p.now), TG_ERR_DEAD);
	CU_ASSERT_EQUAL(tg_soup_session_state(p.client), TG_SOUP_DISCONNECTED);
	close(sv[0]);
	pair_close(&p);
}

static const struct tg_cunit_test tests[] = {
	{ "codec: Login Request bytes", test_login_request_bytes },
	{ "codec: Login Accepted/Rejected bytes", test_login_accepted_bytes },
	{ "codec: length rules and truncations", test_length_rules },
	{ "reassembler: byte by byte and random chunks", test_reassembler_chunks },
	{ "reassembler: errors are final, full buffer", test_reassembler_errors },
	{ "session: login accepted, data both ways", test_login_good },
	{ "session: login rejected", test_login_rejected },
	{ "session: heartbeats at the right times", test_heartbeats },
	{ "session: silence timeouts", test_silence_timeouts },
	{ "session: logout", test_logout },
	{ "session: end of session", test_end_of_session },
	{ "session: reconnects resume, nothing lost or repeated", test_reconnect_resumes },
	{ "session: requested sequence numbers 0 and past the end", test_requested_numbers },
	{ "session: back-pressure", test_back_pressure },
	{ "session: protocol errors", test_protocol_errors },
	{ "pump over a socketpair", test_pump_socketpair },
};

int main(void)
{
	return tg_cunit_run("soupbin", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
