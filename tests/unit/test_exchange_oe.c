/*
 * Unit tests of the exchange's order-entry server (sim/exchange/oe_server.c)
 * over real loopback TCP sockets, with libtickgate's SoupBinTCP client
 * session (tg_soup_client_new + tg_soup_pump) as the client and OUCH
 * responses decoded by sw/ouch.c.
 *
 * Both sides run in one loop on one clock that only the test moves: a
 * round pumps every client, polls the server's sockets without waiting
 * and services it, so nothing depends on wall time (loopback TCP hands
 * written bytes to the peer at once; rounds only give each side its
 * turn). Venues: a fake written here, whose every answer the test knows
 * (orders rest whole, IOC expire whole, halted instruments, forced
 * errors), and the real matching engine (sw/match.c) behind its
 * dispatcher, with orders of another owner (a market agent) entered into
 * it directly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oe_server.h"
#include "tg_cunit.h"
#include "tickgate/json.h"
#include "tickgate/match.h"
#include "tickgate/ouch.h"
#include "tickgate/soupbin.h"
#include "tickgate/soupbin_session.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define T0 (34200 * SEC)	/* 09:30:00, nanoseconds since midnight */
#define MAX_MSGS 256
#define MAX_CLIENTS 8
#define PX(d, c) ((uint64_t)(d) * 10000u + (uint64_t)(c) * 100u)	/* dollars, cents */

/* ---- the fake venue ---- */

#define FAKE_ORDERS 64

struct fake_order {
	bool live;
	uint64_t ref, owner;
	uint16_t instrument;
	char side;
	uint32_t shares, price;
	bool hidden;
	char mpid[4];
};

struct world;

struct fake {
	struct world *w;
	uint64_t last_ref;
	bool halted[8];
	int fail_enter;		/* a result to return from the next enter, 0 = none */
	unsigned enters, reduces, replaces;
	struct tg_match_order last;	/* the last order entered */
	struct fake_order o[FAKE_ORDERS];
};

/* ---- the world: server, venue, clients, clock ---- */

struct client {
	struct world *w;
	struct tg_soup_session *s;
	int fd;
	struct tg_ouch_msg msg[MAX_MSGS];
	uint64_t seq[MAX_MSGS];
	unsigned n;
	unsigned accepted, rejected, ended;
	char reason;
	uint64_t login_seq;
};

struct world {
	uint64_t now;
	struct tg_xoe *oe;
	struct tg_match *m;	/* the real engine, or NULL */
	struct fake fake;
	struct client *clients[MAX_CLIENTS];
	unsigned n_clients;
};

static const struct tg_xoe_user users[] = {
	{ .username = "ALICE", .password = "pw1" },
	{ .username = "BOB", .password = "pw2", .firm = "BOBF" },
	{ .username = "CAROL", .password = "" },
};

static const char *const symbols[] = { "AAPL", "MSFT", "HALT" };

static void fake_event(struct fake *f, const struct tg_match_event *ev);

static struct fake_order *fake_find(struct fake *f, uint64_t ref)
{
	for (unsigned i = 0; i < FAKE_ORDERS; i++)
		if (f->o[i].live && f->o[i].ref == ref)
			return &f->o[i];
	return NULL;
}

static int fake_enter(void *venue, const struct tg_match_order *o, uint64_t ts, uint64_t *ref)
{
	struct fake *f = venue;
	struct tg_match_event ev;
	int rc = f->fail_enter;

	f->enters++;
	f->last = *o;
	if (rc != 0) {
		f->fail_enter = 0;
		return rc;
	}
	if (f->halted[o->instrument])
		return TG_ERR_STATE;
	*ref = ++f->last_ref;
	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = ts;
	ev.instrument = o->instrument;
	ev.side = o->side;
	ev.hidden = o->hidden;
	ev.shares = o->shares;
	ev.price = o->price;
	if (o->tif == TG_MATCH_IOC || o->type == TG_MATCH_MARKET) {
		ev.type = TG_MATCH_EV_EXPIRE;
		ev.aggressor_ref = *ref;
		ev.aggressor_owner = o->owner;
	} else {
		for (unsigned i = 0; i < FAKE_ORDERS; i++) {
			if (!f->o[i].live) {
				f->o[i] = (struct fake_order){ .live = true, .ref = *ref, .owner = o->owner,
							       .instrument = o->instrument, .side = o->side,
							       .shares = o->shares, .price = o->price,
							       .hidden = o->hidden };
				memcpy(f->o[i].mpid, o->mpid, 4);
				break;
			}
		}
		ev.type = TG_MATCH_EV_ADD;
		ev.ref = *ref;
		ev.owner = o->owner;
	}
	fake_event(f, &ev);
	return TG_OK;
}

static int fake_reduce(void *venue, uint64_t ref, uint32_t shares, uint64_t ts)
{
	struct fake *f = venue;
	struct fake_order *o = fake_find(f, ref);
	struct tg_match_event ev;

	f->reduces++;
	if (o == NULL)
		return TG_ERR_NOENT;
	if (shares >= o->shares)
		return TG_ERR_ARG;
	memset(&ev, 0, sizeof(ev));
	ev.type = TG_MATCH_EV_CANCEL;
	ev.ts_ns = ts;
	ev.instrument = o->instrument;
	ev.side = o->side;
	ev.ref = ref;
	ev.owner = o->owner;
	ev.shares = o->shares - shares;
	ev.remaining = shares;
	o->shares = shares;
	o->live = shares > 0;
	fake_event(f, &ev);
	return TG_OK;
}

static int fake_replace(void *venue, uint64_t ref, uint32_t shares, uint32_t price, bool hidden, uint64_t ts,
			uint64_t *new_ref)
{
	struct fake *f = venue;
	struct fake_order *o = fake_find(f, ref);
	struct tg_match_event ev;

	f->replaces++;
	if (o == NULL)
		return TG_ERR_NOENT;
	if (f->halted[o->instrument])
		return TG_ERR_STATE;
	*new_ref = ++f->last_ref;
	memset(&ev, 0, sizeof(ev));
	ev.type = TG_MATCH_EV_REPLACE;
	ev.ts_ns = ts;
	ev.instrument = o->instrument;
	ev.side = o->side;
	ev.hidden = hidden;
	ev.ref = ref;
	ev.new_ref = *new_ref;
	ev.owner = o->owner;
	ev.shares = shares;
	ev.price = price;
	o->ref = *new_ref;
	o->shares = shares;
	o->price = price;
	o->hidden = hidden;
	fake_event(f, &ev);
	return TG_OK;
}

static bool fake_halted(void *venue, uint16_t instrument)
{
	struct fake *f = venue;

	return instrument < 8 && f->halted[instrument];
}

static const struct tg_venue_ops fake_ops = {
	.enter = fake_enter,
	.reduce = fake_reduce,
	.replace = fake_replace,
	.halted = fake_halted,
};

/* The exchange's dispatcher: every event to the order-entry server. */
static void fake_event(struct fake *f, const struct tg_match_event *ev)
{
	tg_xoe_match_event(f->w->oe, ev, f->w->now);
}

static void engine_event(void *ctx, const struct tg_match_event *ev)
{
	struct world *w = ctx;

	tg_xoe_match_event(w->oe, ev, w->now);
}

/* ---- world ---- */

static struct world *world_new(bool engine, uint64_t heartbeat_ns, uint64_t timeout_ns)
{
	struct world *w = calloc(1, sizeof(*w));
	struct tg_xoe_config cfg = {
		.address = "127.0.0.1",
		.port = 0,
		.session = "TGX1",
		.users = users,
		.n_users = 3,
		.symbols = symbols,
		.n_symbols = 3,
		.heartbeat_ns = heartbeat_ns,
		.timeout_ns = timeout_ns,
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	w->now = T0;
	w->fake.w = w;
	if (engine) {
		struct tg_match_config mc = { .instruments = 3, .max_orders = 1000 };

		CU_ASSERT_EQUAL_FATAL(tg_match_new(&mc, engine_event, w, &w->m), TG_OK);
		tg_venue_of_match(&cfg.venue, w->m);
	} else {
		cfg.venue.ops = &fake_ops;
		cfg.venue.venue = &w->fake;
	}
	CU_ASSERT_EQUAL_FATAL(tg_xoe_new(&cfg, &w->oe), TG_OK);
	CU_ASSERT_NOT_EQUAL(tg_xoe_port(w->oe), 0);
	return w;
}

static void client_free(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	tg_soup_session_free(c->s);
	free(c);
}

static void world_free(struct world *w)
{
	for (unsigned i = 0; i < w->n_clients; i++)
		client_free(w->clients[i]);
	tg_xoe_free(w->oe);
	tg_match_free(w->m);
	free(w);
}

/* One round: every client, then the server. */
static void round_once(struct world *w)
{
	struct pollfd fds[64];
	size_t n;

	for (unsigned i = 0; i < w->n_clients; i++) {
		struct client *c = w->clients[i];
		int rc;

		if (c->fd < 0)
			continue;
		rc = tg_soup_pump(c->s, c->fd, w->now);
		if (rc == TG_ERR_DEAD || rc == TG_ERR_SYS ||
		    (!tg_soup_session_live(c->s) && tg_soup_session_pending(c->s, NULL) == 0)) {
			close(c->fd);
			c->fd = -1;
		}
	}
	n = tg_xoe_fill_pollfds(w->oe, fds, 64);
	CU_ASSERT(poll(fds, (nfds_t)n, 0) >= 0);
	CU_ASSERT_EQUAL(tg_xoe_service(w->oe, fds, n, w->now), TG_OK);
}

static void settle(struct world *w)
{
	for (int i = 0; i < 40; i++)
		round_once(w);
}

/* Move the clock by total in steps, settling after each. */
static void advance(struct world *w, uint64_t total, uint64_t step)
{
	for (uint64_t t = 0; t < total; t += step) {
		w->now += step;
		for (int i = 0; i < 4; i++)
			round_once(w);
	}
}

/* ---- clients ---- */

static void client_event(void *ctx, const struct tg_soup_event *ev)
{
	struct client *c = ctx;

	switch (ev->type) {
	case TG_SOUP_EV_LOGIN_ACCEPTED:
		c->accepted++;
		c->login_seq = ev->seq;
		break;
	case TG_SOUP_EV_LOGIN_REJECTED:
		c->rejected++;
		c->reason = ev->reason;
		break;
	case TG_SOUP_EV_SEQUENCED:
		CU_ASSERT_FATAL(c->n < MAX_MSGS);
		CU_ASSERT_EQUAL(tg_ouch_decode(TG_OUCH_OUT, ev->data, ev->len, &c->msg[c->n]), TG_OK);
		c->seq[c->n++] = ev->seq;
		break;
	case TG_SOUP_EV_END_OF_SESSION:
		c->ended++;
		break;
	default:
		break;
	}
}

static int tcp_connect(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(fd >= 0);
	/* blocking: the kernel completes a loopback connect without the server's accept */
	CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	CU_ASSERT_EQUAL_FATAL(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
	return fd;
}

static struct client *client_new(struct world *w, const char *user, const char *password, const char *session,
				 uint64_t seq)
{
	struct client *c = calloc(1, sizeof(*c));
	struct tg_soup_client_config cfg = {
		.username = user,
		.password = password,
		.session = session,
		.seq = seq,
		.heartbeat_ns = 1 * SEC,
		.timeout_ns = 3 * SEC,
	};
	struct tg_soup_handlers h = { .event = client_event, .ctx = c };

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FATAL(w->n_clients < MAX_CLIENTS);
	c->w = w;
	c->fd = -1;
	CU_ASSERT_EQUAL_FATAL(tg_soup_client_new(&cfg, &h, &c->s), TG_OK);
	w->clients[w->n_clients++] = c;
	return c;
}

static void client_connect(struct client *c)
{
	c->fd = tcp_connect(tg_xoe_port(c->w->oe));
	CU_ASSERT_EQUAL(tg_soup_session_connected(c->s, c->w->now), TG_OK);
}

/* A client logged in: connected and settled. */
static struct client *login(struct world *w, const char *user, const char *password)
{
	struct client *c = client_new(w, user, password, "TGX1", 1);

	client_connect(c);
	settle(w);
	CU_ASSERT_EQUAL(c->accepted, 1);
	CU_ASSERT_EQUAL(tg_soup_session_state(c->s), TG_SOUP_ACTIVE);
	return c;
}

/* The client side drops the connection. */
static void client_drop(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	tg_soup_session_disconnected(c->s);
}

static void send_raw(struct client *c, const void *bytes, size_t n)
{
	CU_ASSERT_EQUAL(tg_soup_client_send(c->s, bytes, n, c->w->now), TG_OK);
}

static void send_msg(struct client *c, const struct tg_ouch_msg *m)
{
	uint8_t buf[TG_OUCH_MAX_MSG];
	int n = tg_ouch_encode(m, buf, sizeof(buf));

	CU_ASSERT_FATAL(n > 0);
	send_raw(c, buf, (size_t)n);
}

static void enter(struct client *c, uint32_t urn, char side, uint32_t qty, const char *sym, uint64_t price, char tif)
{
	struct tg_ouch_msg m;

	CU_ASSERT_EQUAL_FATAL(tg_ouch_enter_order(&m, urn, side, qty, sym, price, tif, 'Y', 'A', 'N', 'N', "CL"), TG_OK);
	send_msg(c, &m);
}

static void replace(struct client *c, uint32_t orig, uint32_t urn, uint32_t qty, uint64_t price)
{
	struct tg_ouch_msg m;

	CU_ASSERT_EQUAL_FATAL(tg_ouch_replace_order(&m, orig, urn, qty, price, '0', 'Y', 'N', "RP"), TG_OK);
	send_msg(c, &m);
}

static void cancel(struct client *c, uint32_t urn, uint32_t qty)
{
	struct tg_ouch_msg m;

	tg_ouch_cancel_order(&m, urn, qty);
	send_msg(c, &m);
}

/* Message i of a client, which must be of kind k. */
static const struct tg_ouch_msg *msg(const struct client *c, unsigned i, enum tg_ouch_kind k)
{
	CU_ASSERT_FATAL(i < c->n);
	if (c->msg[i].kind != k) {
		char text[TG_OUCH_TEXT_MAX];

		tg_ouch_format(&c->msg[i], text, sizeof(text));
		fprintf(stderr, "\nmessage %u is %s, not %s\n", i, text, tg_ouch_kind_name(k));
	}
	CU_ASSERT_EQUAL_FATAL(c->msg[i].kind, k);
	return &c->msg[i];
}

static void expect_reject(const struct client *c, unsigned i, uint32_t urn, unsigned reason)
{
	const struct tg_ouch_msg *m = msg(c, i, TG_OUCH_ORDER_REJECTED);

	CU_ASSERT_EQUAL(m->u.rejected.user_ref_num, urn);
	CU_ASSERT_EQUAL(m->u.rejected.reason, reason);
	if (m->u.rejected.reason != reason)
		fprintf(stderr, "\nreject %u of urn %u: reason 0x%02x, not 0x%02x\n", i, urn, m->u.rejected.reason,
			reason);
}

static uint64_t counter_reason(const struct world *w, unsigned reason)
{
	struct tg_xoe_counters k;

	tg_xoe_counters(w->oe, &k);
	return k.rejects_by_reason[reason];
}

/* ---- tests ---- */

static void test_config(void)
{
	struct tg_xoe_config cfg = {
		.session = "TGX1", .users = users, .n_users = 3, .symbols = symbols, .n_symbols = 3,
		.venue = { .ops = &fake_ops },
	};
	static const struct tg_xoe_user dup[] = { { .username = "A", .password = "x" },
						  { .username = "A", .password = "y" } };
	static const char *const dupsym[] = { "AAPL", "AAPL" };
	static const char *const badsym[] = { "TOOLONGSYM" };
	struct tg_xoe *oe = NULL;

	CU_ASSERT_EQUAL(tg_xoe_new(NULL, &oe), TG_ERR_ARG);
	cfg.users = dup;
	cfg.n_users = 2;
	CU_ASSERT_EQUAL(tg_xoe_new(&cfg, &oe), TG_ERR_ARG);
	cfg.users = users;
	cfg.n_users = 3;
	cfg.symbols = dupsym;
	cfg.n_symbols = 2;
	CU_ASSERT_EQUAL(tg_xoe_new(&cfg, &oe), TG_ERR_ARG);
	cfg.symbols = badsym;
	cfg.n_symbols = 1;
	CU_ASSERT_EQUAL(tg_xoe_new(&cfg, &oe), TG_ERR_ARG);
	cfg.symbols = symbols;
	cfg.n_symbols = 3;
	cfg.session = "ELEVENCHARS";
	CU_ASSERT_EQUAL(tg_xoe_new(&cfg, &oe), TG_ERR_ARG);
	cfg.session = "TGX1";
	cfg.address = "localhost";	/* not numeric */
	CU_ASSERT_EQUAL(tg_xoe_new(&cfg, &oe), TG_ERR_ARG);
	cfg.address = "::1";
	if (tg_xoe_new(&cfg, &oe) == TG_OK) {	/* a host without IPv6 cannot */
		CU_ASSERT_NOT_EQUAL(tg_xoe_port(oe), 0);
		CU_ASSERT_EQUAL(tg_xoe_user_count(oe), 3);
		CU_ASSERT_EQUAL(tg_xoe_user_index(oe, "BOB"), 1);
		CU_ASSERT_EQUAL(tg_xoe_user_index(oe, "NOBODY"), -1);
		tg_xoe_free(oe);
	}
	CU_ASSERT_STRING_EQUAL(tg_xoe_reject_name(TG_XOE_REJ_INVALID_QUANTITY), "Invalid Quantity");
	CU_ASSERT_STRING_EQUAL(tg_xoe_reject_name(0x40), "Invalid AIQ");
	CU_ASSERT_STRING_EQUAL(tg_xoe_reject_name(0x3f), "unknown");
}

static void test_login(void)
{
	struct world *w = world_new(false, 0, 0);
	struct client *good, *badpw, *nouser, *badsess, *blank;
	struct tg_xoe_counters k;
	struct tg_xoe_user_stats us;

	good = client_new(w, "ALICE", "pw1", "TGX1", 1);
	badpw = client_new(w, "ALICE", "nope", "TGX1", 1);
	nouser = client_new(w, "MALLRY", "pw1", "TGX1", 1);
	badsess = client_new(w, "BOB", "pw2", "OTHER", 1);
	blank = client_new(w, "BOB", "pw2", "", 1);	/* blank: the current session */
	client_connect(good);
	client_connect(badpw);
	client_connect(nouser);
	client_connect(badsess);
	client_connect(blank);
	settle(w);

	CU_ASSERT_EQUAL(good->accepted, 1);
	CU_ASSERT_EQUAL(good->login_seq, 1);
	CU_ASSERT_STRING_EQUAL(tg_soup_session_name(good->s), "TGX1");
	CU_ASSERT_EQUAL(badpw->rejected, 1);
	CU_ASSERT_EQUAL(badpw->reason, TG_SOUP_REJECT_NOT_AUTHORIZED);
	CU_ASSERT_EQUAL(nouser->rejected, 1);
	CU_ASSERT_EQUAL(nouser->reason, TG_SOUP_REJECT_NOT_AUTHORIZED);
	CU_ASSERT_EQUAL(badsess->rejected, 1);
	CU_ASSERT_EQUAL(badsess->reason, TG_SOUP_REJECT_SESSION);
	CU_ASSERT_EQUAL(blank->accepted, 1);
	CU_ASSERT_STRING_EQUAL(tg_soup_session_name(blank->s), "TGX1");

	/* the rejected connections are closed, the good ones stay */
	CU_ASSERT_EQUAL(tg_xoe_connections(w->oe), 2);
	CU_ASSERT_EQUAL(tg_xoe_sessions(w->oe), 2);
	tg_xoe_counters(w->oe, &k);
	CU_ASSERT_EQUAL(k.connections, 5);
	CU_ASSERT_EQUAL(k.logins_ok, 2);
	CU_ASSERT_EQUAL(k.logins_rejected, 3);
	CU_ASSERT_EQUAL(k.disconnects, 3);
	CU_ASSERT_EQUAL(tg_xoe_user(w->oe, 0, &us), TG_OK);
	CU_ASSERT_STRING_EQUAL(us.username, "ALICE");
	CU_ASSERT(us.connected);
	CU_ASSERT_EQUAL(us.logins, 1);
	CU_ASSERT_EQUAL(tg_xoe_user(w->oe, 2, &us), TG_OK);
	CU_ASSERT(!us.connected);
	CU_ASSERT_EQUAL(tg_xoe_user(w->oe, 3, &us), TG_ERR_NOENT);

	/* logout: the server closes the connection */
	CU_ASSERT_EQUAL(tg_soup_client_logout(good->s, w->now), TG_OK);
	settle(w);
	tg_xoe_counters(w->oe, &k);
	CU_ASSERT_EQUAL(k.logouts, 1);
	CU_ASSERT_EQUAL(tg_xoe_connections(w->oe), 1);
	CU_ASSERT_EQUAL(tg_xoe_user(w->oe, 0, &us), TG_OK);
	CU_ASSERT(!us.connected);
	world_free(w);
}

/* Read what a raw socket has: the number of packets of type t among them; *eof when the server closed. */
static unsigned raw_read(int fd, char t, bool *eof)
{
	uint8_t buf[4096];
	unsigned count = 0;
	ssize_t r;

	*eof = false;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off + 3 <= r;) {
			size_t len = (size_t)buf[off] << 8 | buf[off + 1];

			if (buf[off + 2] == (uint8_t)t)
				count++;
			off += 2 + (ssize_t)len;
		}
	}
	if (r == 0)
		*eof = true;
	return count;
}

static void test_heartbeats_and_timeouts(void)
{
	struct world *w = world_new(false, 1 * SEC, 3 * SEC);
	struct tg_soup_login req = { .username = "BOB", .password = "pw2", .session = "TGX1", .seq = 1 };
	struct client *alice = login(w, "ALICE", "pw1");
	struct tg_xoe_counters k;
	uint8_t pkt[64];
	int silent, mute, n;
	bool eof;

	/* a silent client: logs in by hand, then never sends another byte */
	silent = tcp_connect(tg_xoe_port(w->oe));
	n = tg_soup_encode_login_request(pkt, sizeof(pkt), &req);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(write(silent, pkt, (size_t)n), n);
	/* and one that connects and never logs in */
	mute = tcp_connect(tg_xoe_port(w->oe));
	settle(w);
	CU_ASSERT_EQUAL(raw_read(silent, 'A', &eof), 1);	/* Login Accepted */
	CU_ASSERT(!eof);
	CU_ASSERT_EQUAL(tg_xoe_connections(w->oe), 3);
	CU_ASSERT_EQUAL(tg_xoe_sessions(w->oe), 2);

	/* 2.5 s: the server heartbeats the silent client about every second; nobody is dead yet */
	advance(w, 2500 * MS, 100 * MS);
	CU_ASSERT_EQUAL(raw_read(silent, 'H', &eof), 2);
	CU_ASSERT(!eof);
	tg_xoe_counters(w->oe, &k);
	CU_ASSERT_EQUAL(k.timeouts, 0);
	CU_ASSERT_EQUAL(tg_xoe_poll_timeout(w->oe, w->now) <= 1000, true);

	/* past 3 s of silence: both silent connections go; the heartbeating client stays */
	advance(w, 1000 * MS, 100 * MS);
	tg_xoe_counters(w->oe, &k);
	CU_ASSERT_EQUAL(k.timeouts, 2);
	raw_read(silent, 'H', &eof);
	CU_ASSERT(eof);
	raw_read(mute, 'H', &eof);
	CU_ASSERT(eof);
	CU_ASSERT_EQUAL(tg_xoe_connections(w->oe), 1);

	/* a client that heartbeats stays up for as long as the clock runs */
	advance(w, 10 * SEC, 100 * MS);
	CU_ASSERT_EQUAL(tg_soup_session_state(alice->s), TG_SOUP_ACTIVE);
	CU_ASSERT_EQUAL(tg_xoe_sessions(w->oe), 1);
	tg_xoe_counters(w->oe, &k);
	CU_ASSERT_EQUAL(k.timeouts, 2);
	CU_ASSERT_EQUAL(alice->n, 0);	/* heartbeats are no messages */

	/* the client goes quiet (stops pumping): the server declares it dead */
	{
		int fd = alice->fd;

		alice->fd = -1;
		for (int i = 0; i < 40; i++) {
			w->now += 100 * MS;
			round_once(w);
		}
		tg_xoe_counters(w->oe, &k);
		CU_ASSERT_EQUAL(k.timeouts, 3);
		CU_ASSERT_EQUAL(tg_xoe_connections(w->oe), 0);
		close(fd);
	}
	close(silent);
	close(mute);
	world_free(w);
}

/* Before the session exists: the login in pieces after a Debug packet, and what is not a login. */
static void test_before_login(void)
{
	struct world *w = world_new(false, 0, 0);
	struct tg_soup_login req = { .username = "CAROL", .password = "", .session = "TGX1", .seq = 1 };
	uint8_t pkt[256];
	struct tg_xoe_counters k;
	int split, early, garbage, n, d;
	bool eof;

	split = tcp_connect(tg_xoe_port(w->oe));
	early = tcp_connect(tg_xoe_port(w->oe));
	garbage = tcp_connect(tg_xoe_port(w->oe));
	d = tg_soup_encode(pkt, sizeof(pkt), TG_SOUP_DEBUG, "hello", 5);
	CU_ASSERT_FATAL(d > 0);
	n = tg_soup_encode_login_request(pkt + d, sizeof(pkt) - (size_t)d, &req);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(write(split, pkt, (size_t)d + 10), d + 10);
	settle(w);
	CU_ASSERT_EQUAL(tg_xoe_sessions(w->oe), 0);
	CU_ASSERT_EQUAL(write(split, pkt + d + 10, (size_t)n - 10), n - 10);
	/* Unsequenced Data before any login; a length field of 0 */
	n = tg_soup_encode(pkt, sizeof(pkt), TG_SOUP_UNSEQUENCED, "Q", 1);
	CU_ASSERT_EQUAL(write(early, pkt, (size_t)n), n);
	CU_ASSERT_EQUAL(write(garbage, "\0\0\0", 3), 3);
	settle(w);

	CU_ASSERT_EQUAL(raw_read(split, 'A', &eof), 1);
	CU_ASSERT(!eof);
	raw_read(early, 'A', &eof);
	CU_ASSERT(eof);
	raw_read(garbage, 'A', &eof);
	CU_ASSERT(eof);
	CU_ASSERT_EQUAL(tg_xoe_connections(w->oe), 1);
	CU_ASSERT_EQUAL(tg_xoe_sessions(w->oe), 1);
	tg_xoe_counters(w->oe, &k);
	CU_ASSERT_EQUAL(k.logins_ok, 1);
	CU_ASSERT_EQUAL(k.protocol_errors, 2);
	CU_ASSERT_EQUAL(k.messages_in, 0);
	close(split);
	close(early);
	close(garbage);
	settle(w);
	CU_ASSERT_EQUAL(tg_xoe_connections(w->oe), 0);
	world_free(w);
}

/* An Enter Order's bytes with fields set by hand, for what the builder refuses to make. */
static size_t raw_enter(uint8_t *b, uint32_t urn, char side, uint32_t qty, const char *sym, uint64_t price, char tif,
			char display, char cross)
{
	struct tg_ouch_msg m;
	int n;

	CU_ASSERT_EQUAL_FATAL(tg_ouch_enter_order(&m, urn, 'B', 1, "AAPL", PX(1, 0), '0', 'Y', 'A', 'N', 'N', "RAW"),
			      TG_OK);
	m.u.enter.side = side;
	m.u.enter.quantity = qty;
	memset(m.u.enter.symbol, ' ', TG_OUCH_SYMBOL_LEN);
	memcpy(m.u.enter.symbol, sym, strlen(sym));
	m.u.enter.price = price;
	m.u.enter.tif = tif;
	m.u.enter.display = display;
	m.u.enter.cross_type = cross;
	n = tg_ouch_encode(&m, b, TG_OUCH_MAX_MSG);
	CU_ASSERT_FATAL(n > 0);
	return (size_t)n;
}

static void test_malformed_and_bad_fields(void)
{
	struct world *w = world_new(false, 0, 0);
	struct client *c = login(w, "ALICE", "pw1");
	uint8_t b[TG_OUCH_MAX_MSG];
	struct tg_ouch_msg m;
	const struct tg_ouch_order_accepted *a;
	struct tg_xoe_counters k;
	size_t n;
	unsigned i = 0;

	w->fake.halted[3] = true;	/* HALT */
	b[0] = 'Z';			/* no such inbound type */
	send_raw(c, b, 1);
	n = raw_enter(b, 1, 'B', 100, "AAPL", PX(10, 0), '0', 'Y', 'N');
	send_raw(c, b, 20);		/* an Enter Order cut short */
	send_raw(c, b, n - 1);		/* one byte short of its appendage length */
	b[n] = 0;
	send_raw(c, b, n + 1);		/* a byte too many */
	n = raw_enter(b, 1, 'Q', 100, "AAPL", PX(10, 0), '0', 'Y', 'N');	/* from here: urn used up */
	send_raw(c, b, n);
	send_raw(c, b, raw_enter(b, 2, 'B', 0, "AAPL", PX(10, 0), '0', 'Y', 'N'));
	send_raw(c, b, raw_enter(b, 3, 'S', 1000001, "AAPL", PX(10, 0), '0', 'Y', 'N'));
	send_raw(c, b, raw_enter(b, 4, 'B', 100, "ZZZZ", PX(10, 0), '0', 'Y', 'N'));
	send_raw(c, b, raw_enter(b, 5, 'B', 100, "AAPL", 0, '0', 'Y', 'N'));
	send_raw(c, b, raw_enter(b, 6, 'B', 100, "AAPL", 2500000000ull, '0', 'Y', 'N'));
	send_raw(c, b, raw_enter(b, 7, 'B', 100, "AAPL", PX(10, 0), '5', 'Y', 'N'));
	send_raw(c, b, raw_enter(b, 8, 'B', 100, "AAPL", PX(10, 0), '0', 'X', 'N'));
	send_raw(c, b, raw_enter(b, 9, 'B', 100, "AAPL", PX(10, 0), '0', 'Y', 'O'));
	send_raw(c, b, raw_enter(b, 10, 'B', 100, "HALT", PX(10, 0), '0', 'Y', 'N'));
	CU_ASSERT_EQUAL(tg_ouch_enter_order(&m, 11, 'B', 100, "AAPL", PX(10, 0), '0', 'Y', 'A', 'N', 'N', "MQ"), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_uint(&m.u.enter.app, TG_OUCH_TAG_MIN_QTY, 50), TG_OK);
	send_msg(c, &m);
	CU_ASSERT_EQUAL(tg_ouch_enter_order(&m, 12, 'B', 100, "AAPL", PX(10, 0), '0', 'Y', 'A', 'N', 'N', "PEG"), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_alpha(&m.u.enter.app, TG_OUCH_TAG_PRICE_TYPE, "P"), TG_OK);
	send_msg(c, &m);
	CU_ASSERT_EQUAL(tg_ouch_enter_order(&m, 13, 'B', 100, "AAPL", PX(10, 0), '0', 'A', 'A', 'N', 'N', "FIRM"), TG_OK);
	CU_ASSERT_EQUAL(tg_ouch_opt_add_alpha(&m.u.enter.app, TG_OUCH_TAG_FIRM, "XXXX"), TG_OK);
	send_msg(c, &m);	/* ALICE has no firm: any Firm is hers to give */
	tg_ouch_cancel_order(&m, 77, 0);
	n = (size_t)tg_ouch_encode(&m, b, sizeof(b));
	send_raw(c, b, n - 1);	/* a Cancel Order a byte short: its UserRefNum is echoed */
	/* and still alive: a good order, with every field checked */
	CU_ASSERT_EQUAL(tg_ouch_enter_order(&m, 14, 'T', 300, "MSFT", PX(250, 25), '3', 'N', 'P', 'Y', 'N',
					    "GOOD-ORDER-14"), TG_OK);
	send_msg(c, &m);
	settle(w);

	expect_reject(c, i++, 0, TG_XOE_REJ_OTHER);
	expect_reject(c, i++, 1, TG_XOE_REJ_OTHER);
	expect_reject(c, i++, 1, TG_XOE_REJ_OTHER);
	expect_reject(c, i++, 1, TG_XOE_REJ_OTHER);
	expect_reject(c, i++, 1, TG_XOE_REJ_INVALID_SIDE);	/* the malformed ones did not use up 1 */
	expect_reject(c, i++, 2, TG_XOE_REJ_INVALID_QUANTITY);
	expect_reject(c, i++, 3, TG_XOE_REJ_SHARES_EXCEED_THRESHOLD);
	expect_reject(c, i++, 4, TG_XOE_REJ_INVALID_SYMBOL);
	expect_reject(c, i++, 5, TG_XOE_REJ_INVALID_PRICE);
	expect_reject(c, i++, 6, TG_XOE_REJ_INVALID_PRICE);
	expect_reject(c, i++, 7, TG_XOE_REJ_OTHER);
	expect_reject(c, i++, 8, TG_XOE_REJ_INVALID_DISPLAY);
	expect_reject(c, i++, 9, TG_XOE_REJ_INVALID_CROSS_ORDER);
	expect_reject(c, i++, 10, TG_XOE_REJ_HALTED);
	expect_reject(c, i++, 11, TG_XOE_REJ_INVALID_MIN_QUANTITY);
	expect_reject(c, i++, 12, TG_XOE_REJ_INVALID_PEG_TYPE);
	a = &msg(c, i++, TG_OUCH_ORDER_ACCEPTED)->u.accepted;
	CU_ASSERT_EQUAL(a->user_ref_num, 13);
	CU_ASSERT_EQUAL(a->display, 'A');
	CU_ASSERT_EQUAL(memcmp(w->fake.o[0].mpid, "XXXX", 4), 0);	/* attributable: the Firm given */
	expect_reject(c, i++, 77, TG_XOE_REJ_OTHER);
	a = &msg(c, i++, TG_OUCH_ORDER_ACCEPTED)->u.accepted;
	CU_ASSERT_EQUAL(a->user_ref_num, 14);
	CU_ASSERT_EQUAL(a->side, 'T');
	CU_ASSERT_EQUAL(a->quantity, 300);
	CU_ASSERT_EQUAL(memcmp(a->symbol, "MSFT    ", 8), 0);
	CU_ASSERT_EQUAL(a->price, PX(250, 25));
	CU_ASSERT_EQUAL(a->tif, '3');
	CU_ASSERT_EQUAL(a->display, 'N');
	CU_ASSERT_EQUAL(a->order_ref_num, w->fake.last_ref);
	CU_ASSERT_EQUAL(a->capacity, 'P');
	CU_ASSERT_EQUAL(a->ise, 'Y');
	CU_ASSERT_EQUAL(a->cross_type, 'N');
	CU_ASSERT_EQUAL(a->order_state, 'L');
	CU_ASSERT_EQUAL(memcmp(a->clordid, "GOOD-ORDER-14 ", 14), 0);
	CU_ASSERT_EQUAL(a->timestamp, w->now);
	/* the venue got a hidden IOC sell (T is a short sell) of 300 at 250.25 in MSFT */
	CU_ASSERT_EQUAL(w->fake.last.instrument, 2);
	CU_ASSERT_EQUAL(w->fake.last.side, TG_MATCH_SELL);
	CU_ASSERT_EQUAL(w->fake.last.type, TG_MATCH_LIMIT);
	CU_ASSERT_EQUAL(w->fake.last.tif, TG_MATCH_IOC);
	CU_ASSERT(w->fake.last.hidden);
	CU_ASSERT_EQUAL(w->fake.last.shares, 300);
	CU_ASSERT_EQUAL(w->fake.last.price, PX(250, 25));
	CU_ASSERT_EQUAL(TG_OWNER_KIND(w->fake.last.owner), TG_OWNER_OE);
	/* the fake expires an IOC whole: Order Canceled, reason I */
	{
		const struct tg_ouch_order_canceled *x = &msg(c, i++, TG_OUCH_ORDER_CANCELED)->u.canceled;

		CU_ASSERT_EQUAL(x->user_ref_num, 14);
		CU_ASSERT_EQUAL(x->quantity, 300);
		CU_ASSERT_EQUAL(x->reason, 'I');
	}
	CU_ASSERT_EQUAL(c->n, i);
	CU_ASSERT_EQUAL(tg_soup_session_state(c->s), TG_SOUP_ACTIVE);

	tg_xoe_counters(w->oe, &k);
	CU_ASSERT_EQUAL(k.malformed, 5);
	CU_ASSERT_EQUAL(k.rejects, 17);
	CU_ASSERT_EQUAL(counter_reason(w, TG_XOE_REJ_OTHER), 6);
	CU_ASSERT_EQUAL(counter_reason(w, TG_XOE_REJ_INVALID_PRICE), 2);
	CU_ASSERT_EQUAL(counter_reason(w, TG_XOE_REJ_HALTED), 1);
	CU_ASSERT_EQUAL(k.accepts, 2);
	CU_ASSERT_EQUAL(k.messages_in, 19);
	CU_ASSERT_EQUAL(w->fake.enters, 2);	/* only the good ones reached the venue */
	world_free(w);
}

static void test_user_ref_nums(void)
{
	struct world *w = world_new(false, 0, 0);
	struct client *c = login(w, "ALICE", "pw1");
	struct client *bob = login(w, "BOB", "pw2");
	const struct tg_ouch_order_replaced *r;
	struct tg_ouch_msg q;
	unsigned i = 0;

	enter(c, 10, 'B', 100, "AAPL", PX(10, 0), '0');
	enter(c, 10, 'B', 100, "AAPL", PX(10, 0), '0');	/* the same */
	enter(c, 9, 'B', 100, "AAPL", PX(10, 0), '0');		/* lower */
	enter(c, 11, 'S', 50, "AAPL", PX(11, 0), '0');
	replace(c, 10, 11, 80, PX(10, 1));			/* new UserRefNum not above 11 */
	replace(c, 10, 12, 80, PX(10, 1));
	replace(c, 10, 13, 70, PX(10, 1));			/* 10 is gone: now 12 */
	replace(c, 99, 14, 70, PX(10, 1));			/* never was */
	cancel(c, 10, 0);					/* an old name: ignored */
	cancel(c, 99, 0);					/* unknown: ignored */
	enter(bob, 5, 'B', 10, "AAPL", PX(9, 0), '0');		/* UserRefNums are per user */
	memset(&q, 0, sizeof(q));
	q.kind = TG_OUCH_ACCOUNT_QUERY;
	send_msg(c, &q);
	settle(w);

	CU_ASSERT_EQUAL(msg(c, i++, TG_OUCH_ORDER_ACCEPTED)->u.accepted.user_ref_num, 10);
	expect_reject(c, i++, 10, TG_XOE_REJ_OTHER);
	expect_reject(c, i++, 9, TG_XOE_REJ_OTHER);
	CU_ASSERT_EQUAL(msg(c, i++, TG_OUCH_ORDER_ACCEPTED)->u.accepted.user_ref_num, 11);
	expect_reject(c, i++, 11, TG_XOE_REJ_OTHER);
	r = &msg(c, i++, TG_OUCH_ORDER_REPLACED)->u.replaced;
	CU_ASSERT_EQUAL(r->orig_user_ref_num, 10);
	CU_ASSERT_EQUAL(r->user_ref_num, 12);
	CU_ASSERT_EQUAL(r->quantity, 80);
	CU_ASSERT_EQUAL(r->price, PX(10, 1));
	CU_ASSERT_EQUAL(r->side, 'B');
	CU_ASSERT_EQUAL(memcmp(r->symbol, "AAPL    ", 8), 0);
	CU_ASSERT_EQUAL(r->order_ref_num, 3);	/* the fake numbered: 10, 11, this replace, then BOB's */
	CU_ASSERT_EQUAL(memcmp(r->clordid, "RP            ", 14), 0);
	expect_reject(c, i++, 13, TG_XOE_REJ_OTHER);
	expect_reject(c, i++, 14, TG_XOE_REJ_OTHER);
	CU_ASSERT_EQUAL(msg(c, i++, TG_OUCH_ACCOUNT_QUERY_RESPONSE)->u.query_response.next_user_ref_num, 15);
	CU_ASSERT_EQUAL(c->n, i);
	CU_ASSERT_EQUAL(msg(bob, 0, TG_OUCH_ORDER_ACCEPTED)->u.accepted.user_ref_num, 5);

	/* the replaced order answers to 12: cancel part of it, then the rest */
	cancel(c, 12, 30);
	cancel(c, 12, 30);	/* not below the 30 open: Cancel Reject */
	cancel(c, 12, 0);
	cancel(c, 12, 0);	/* gone: ignored */
	settle(w);
	{
		const struct tg_ouch_order_canceled *x = &msg(c, i++, TG_OUCH_ORDER_CANCELED)->u.canceled;

		CU_ASSERT_EQUAL(x->user_ref_num, 12);
		CU_ASSERT_EQUAL(x->quantity, 50);
		CU_ASSERT_EQUAL(x->reason, 'U');
		CU_ASSERT_EQUAL(msg(c, i++, TG_OUCH_CANCEL_REJECT)->u.cancel_reject.user_ref_num, 12);
		x = &msg(c, i++, TG_OUCH_ORDER_CANCELED)->u.canceled;
		CU_ASSERT_EQUAL(x->quantity, 30);
		CU_ASSERT_EQUAL(x->reason, 'U');
	}
	CU_ASSERT_EQUAL(c->n, i);

	/* a venue that cannot take the order: Processing Error; halted at the venue: Halted */
	w->fake.fail_enter = TG_ERR_NOMEM;
	enter(c, 20, 'B', 100, "AAPL", PX(10, 0), '0');
	settle(w);
	expect_reject(c, i++, 20, TG_XOE_REJ_PROCESSING_ERROR);
	{
		struct tg_xoe_counters k;

		tg_xoe_counters(w->oe, &k);
		CU_ASSERT_EQUAL(k.cancels_ignored, 3);
		CU_ASSERT_EQUAL(k.cancel_rejects, 1);
		CU_ASSERT_EQUAL(k.replaces, 1);
		CU_ASSERT_EQUAL(k.cancels, 2);
		CU_ASSERT_EQUAL(k.canceled_shares, 80);
	}
	world_free(w);
}

/* The engine's view of an order. */
static struct tg_match_resting resting(const struct world *w, uint64_t ref)
{
	struct tg_match_resting r;

	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(tg_match_order(w->m, ref, &r), TG_OK);
	return r;
}

static void expect_executed(const struct client *c, unsigned i, uint32_t urn, uint32_t qty, uint64_t price, char liq,
			    uint64_t match)
{
	const struct tg_ouch_order_executed *x = &msg(c, i, TG_OUCH_ORDER_EXECUTED)->u.executed;

	CU_ASSERT_EQUAL(x->user_ref_num, urn);
	CU_ASSERT_EQUAL(x->quantity, qty);
	CU_ASSERT_EQUAL(x->price, price);
	CU_ASSERT_EQUAL(x->liquidity_flag, liq);
	CU_ASSERT_EQUAL(x->match_number, match);
}

/* A market agent's order straight into the engine (another owner: the server ignores its events). */
static void agent_order(struct world *w, char side, uint32_t shares, uint32_t price, char tif)
{
	struct tg_match_order o = {
		.instrument = 1, .side = side, .type = TG_MATCH_LIMIT, .tif = tif == '3' ? TG_MATCH_IOC : TG_MATCH_DAY,
		.shares = shares, .price = price, .owner = TG_OWNER_MAKE(TG_OWNER_MARKET, 7),
	};
	uint64_t ref;

	CU_ASSERT_EQUAL(tg_match_enter(w->m, &o, w->now, &ref), TG_OK);
}

static void test_engine_responses(void)
{
	struct world *w = world_new(true, 0, 0);
	struct client *alice = login(w, "ALICE", "pw1");
	struct client *bob = login(w, "BOB", "pw2");
	const struct tg_ouch_order_accepted *a;
	const struct tg_ouch_order_replaced *r;
	const struct tg_ouch_order_canceled *x;
	struct tg_xoe_position p;
	struct tg_xoe_user_stats us;
	struct tg_xoe_counters k;
	uint64_t ref1, ref3;
	unsigned ia = 0, ib = 0;

	/* ALICE rests a bid; BOB's IOC sell below it fills 30 at her price */
	enter(alice, 1, 'B', 100, "AAPL", PX(10, 0), '0');
	settle(w);
	a = &msg(alice, ia++, TG_OUCH_ORDER_ACCEPTED)->u.accepted;
	ref1 = a->order_ref_num;
	CU_ASSERT_EQUAL(a->quantity, 100);
	CU_ASSERT_EQUAL(resting(w, ref1).shares, 100);
	CU_ASSERT_EQUAL(TG_OWNER_KIND(resting(w, ref1).owner), TG_OWNER_OE);
	enter(bob, 1, 'S', 30, "AAPL", PX(9, 99), '3');
	settle(w);
	a = &msg(bob, ib++, TG_OUCH_ORDER_ACCEPTED)->u.accepted;	/* accepted before its fill */
	CU_ASSERT_EQUAL(a->user_ref_num, 1);
	CU_ASSERT_EQUAL(a->order_ref_num, ref1 + 1);
	expect_executed(bob, ib++, 1, 30, PX(10, 0), 'R', 1);
	expect_executed(alice, ia++, 1, 30, PX(10, 0), 'A', 1);
	CU_ASSERT_EQUAL(resting(w, ref1).shares, 70);
	CU_ASSERT_EQUAL(bob->n, ib);	/* filled in full: nothing canceled */

	/* a replace to a new price: a new reference number */
	replace(alice, 1, 2, 50, PX(10, 1));
	settle(w);
	r = &msg(alice, ia++, TG_OUCH_ORDER_REPLACED)->u.replaced;
	CU_ASSERT_EQUAL(r->orig_user_ref_num, 1);
	CU_ASSERT_EQUAL(r->user_ref_num, 2);
	CU_ASSERT_EQUAL(r->quantity, 50);
	CU_ASSERT_EQUAL(r->price, PX(10, 1));
	ref3 = r->order_ref_num;
	CU_ASSERT_NOT_EQUAL(ref3, ref1);
	CU_ASSERT_EQUAL(resting(w, ref3).shares, 50);
	CU_ASSERT_EQUAL(resting(w, ref3).price, PX(10, 1));
	/* the same price and fewer shares: a reduce, the same reference number, no Order Canceled */
	replace(alice, 2, 3, 40, PX(10, 1));
	settle(w);
	r = &msg(alice, ia++, TG_OUCH_ORDER_REPLACED)->u.replaced;
	CU_ASSERT_EQUAL(r->orig_user_ref_num, 2);
	CU_ASSERT_EQUAL(r->user_ref_num, 3);
	CU_ASSERT_EQUAL(r->quantity, 40);
	CU_ASSERT_EQUAL(r->order_ref_num, ref3);
	CU_ASSERT_EQUAL(resting(w, ref3).shares, 40);
	CU_ASSERT_EQUAL(alice->n, ia);

	/* cancel down to 10, then all */
	cancel(alice, 3, 10);
	cancel(alice, 3, 10);	/* nothing to cut */
	cancel(alice, 1, 0);	/* its first name is no more: ignored */
	cancel(alice, 3, 0);
	settle(w);
	x = &msg(alice, ia++, TG_OUCH_ORDER_CANCELED)->u.canceled;
	CU_ASSERT_EQUAL(x->user_ref_num, 3);
	CU_ASSERT_EQUAL(x->quantity, 30);
	CU_ASSERT_EQUAL(x->reason, 'U');
	CU_ASSERT_EQUAL(msg(alice, ia++, TG_OUCH_CANCEL_REJECT)->u.cancel_reject.user_ref_num, 3);
	x = &msg(alice, ia++, TG_OUCH_ORDER_CANCELED)->u.canceled;
	CU_ASSERT_EQUAL(x->quantity, 10);
	CU_ASSERT_EQUAL(x->reason, 'U');
	CU_ASSERT_EQUAL(tg_match_resting_count(w->m), 0);

	/* a market order into an empty book: accepted, then canceled (IOC) */
	enter(bob, 2, 'S', 100, "AAPL", TG_XOE_MARKET_PRICE, '0');
	settle(w);
	a = &msg(bob, ib++, TG_OUCH_ORDER_ACCEPTED)->u.accepted;
	CU_ASSERT_EQUAL(a->price, TG_XOE_MARKET_PRICE);
	x = &msg(bob, ib++, TG_OUCH_ORDER_CANCELED)->u.canceled;
	CU_ASSERT_EQUAL(x->user_ref_num, 2);
	CU_ASSERT_EQUAL(x->quantity, 100);
	CU_ASSERT_EQUAL(x->reason, 'I');

	/* a market agent sells into ALICE's new bid: she hears of it, nobody else does */
	enter(alice, 4, 'B', 200, "AAPL", PX(10, 0), '0');
	settle(w);
	msg(alice, ia++, TG_OUCH_ORDER_ACCEPTED);
	agent_order(w, 'S', 50, PX(9, 0), '3');
	settle(w);
	expect_executed(alice, ia++, 4, 50, PX(10, 0), 'A', 2);
	CU_ASSERT_EQUAL(bob->n, ib);

	/* BOB rests an offer, then replaces it through ALICE's bid: Replaced, then the fills */
	enter(bob, 3, 'S', 100, "AAPL", PX(10, 5), '0');
	replace(bob, 3, 4, 100, PX(9, 90));
	settle(w);
	msg(bob, ib++, TG_OUCH_ORDER_ACCEPTED);
	r = &msg(bob, ib++, TG_OUCH_ORDER_REPLACED)->u.replaced;
	CU_ASSERT_EQUAL(r->user_ref_num, 4);
	CU_ASSERT_EQUAL(r->side, 'S');
	expect_executed(bob, ib++, 4, 100, PX(10, 0), 'R', 3);
	expect_executed(alice, ia++, 4, 100, PX(10, 0), 'A', 3);
	CU_ASSERT_EQUAL(bob->n, ib);	/* filled in full: no Order Canceled */

	/* Modify: ALICE's 50 left down to 20 (Order Modified, no Order Canceled); a sell side is refused */
	{
		struct tg_ouch_msg md;

		memset(&md, 0, sizeof(md));
		md.kind = TG_OUCH_MODIFY_ORDER;
		md.u.modify.user_ref_num = 4;
		md.u.modify.side = 'S';
		md.u.modify.quantity = 20;
		send_msg(alice, &md);
		md.u.modify.side = 'B';
		send_msg(alice, &md);
		md.u.modify.quantity = 25;
		send_msg(alice, &md);
		settle(w);
		expect_reject(alice, ia++, 4, TG_XOE_REJ_INVALID_SIDE);
		CU_ASSERT_EQUAL(msg(alice, ia, TG_OUCH_ORDER_MODIFIED)->u.modified.quantity, 20);
		CU_ASSERT_EQUAL(msg(alice, ia++, TG_OUCH_ORDER_MODIFIED)->u.modified.side, 'B');
		expect_reject(alice, ia++, 4, TG_XOE_REJ_INVALID_QUANTITY);
	}

	/* a short sale (T) is a sell: it takes 10 of the 20 */
	enter(bob, 5, 'T', 10, "AAPL", PX(10, 0), '3');
	settle(w);
	msg(bob, ib++, TG_OUCH_ORDER_ACCEPTED);
	expect_executed(bob, ib++, 5, 10, PX(10, 0), 'R', 4);
	expect_executed(alice, ia++, 4, 10, PX(10, 0), 'A', 4);
	CU_ASSERT_EQUAL(alice->n, ia);
	CU_ASSERT_EQUAL(bob->n, ib);

	/* positions */
	CU_ASSERT_EQUAL(tg_xoe_position(w->oe, 0, 1, &p), TG_OK);
	CU_ASSERT_STRING_EQUAL(p.symbol, "AAPL");
	CU_ASSERT_EQUAL(p.bought, 30 + 50 + 100 + 10);
	CU_ASSERT_EQUAL(p.sold, 0);
	CU_ASSERT_EQUAL(p.position, 190);
	CU_ASSERT_EQUAL(p.buy_value, 190 * PX(10, 0));
	CU_ASSERT_EQUAL(p.open_orders, 1);
	CU_ASSERT_EQUAL(p.open_buy_shares, 10);
	CU_ASSERT_EQUAL(tg_xoe_position(w->oe, 1, 1, &p), TG_OK);
	CU_ASSERT_EQUAL(p.sold, 30 + 100 + 10);
	CU_ASSERT_EQUAL(p.position, -140);
	CU_ASSERT_EQUAL(p.open_orders, 0);
	CU_ASSERT_EQUAL(tg_xoe_position(w->oe, 1, 2, &p), TG_OK);
	CU_ASSERT_EQUAL(p.bought + p.sold, 0);
	CU_ASSERT_EQUAL(tg_xoe_position(w->oe, 1, 4, &p), TG_ERR_NOENT);
	CU_ASSERT_EQUAL(tg_xoe_user(w->oe, 0, &us), TG_OK);
	CU_ASSERT_EQUAL(us.open_orders, 1);
	CU_ASSERT_EQUAL(us.open_buy_shares, 10);
	CU_ASSERT_EQUAL(us.bought, 190);
	CU_ASSERT_EQUAL(us.last_user_ref_num, 4);
	CU_ASSERT_EQUAL(us.stored, alice->n);
	tg_xoe_counters(w->oe, &k);
	CU_ASSERT_EQUAL(k.executions, 7);	/* 3 fills between users count twice, the agent's once */
	CU_ASSERT_EQUAL(k.executed_shares, 30 * 2 + 50 + 100 * 2 + 10 * 2);
	CU_ASSERT_EQUAL(k.events_stale, 0);

	/* the JSON summary */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		struct tg_json_doc *doc = NULL;
		const struct tg_json_value *root, *v, *u0, *sym;
		char err[128];
		uint64_t n;

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		tg_xoe_write_json(w->oe, f);
		fclose(f);
		CU_ASSERT_EQUAL_FATAL(tg_json_parse(text, len, &doc, err, sizeof(err)), TG_OK);
		root = tg_json_doc_root(doc);
		v = tg_json_member(tg_json_member(root, "counters"), "accepts");
		CU_ASSERT(tg_json_to_u64(v, &n) && n == k.accepts);
		v = tg_json_member(tg_json_member(tg_json_member(root, "counters"), "rejects_by_reason"),
				   "Invalid Side");
		CU_ASSERT(tg_json_to_u64(v, &n) && n == 1);
		v = tg_json_member(root, "users");
		CU_ASSERT_EQUAL_FATAL(v->type, TG_JSON_ARRAY);
		CU_ASSERT_EQUAL_FATAL(v->len, 3);
		u0 = &v->items[0];
		CU_ASSERT_STRING_EQUAL(tg_json_member(u0, "username")->str, "ALICE");
		sym = tg_json_member(u0, "symbols");
		CU_ASSERT_EQUAL_FATAL(sym->len, 1);
		CU_ASSERT_STRING_EQUAL(tg_json_member(&sym->items[0], "symbol")->str, "AAPL");
		CU_ASSERT_STRING_EQUAL(tg_json_member(&sym->items[0], "position")->str, "190");
		CU_ASSERT_EQUAL(tg_json_member(&v->items[2], "symbols")->len, 0);	/* CAROL did nothing */
		tg_json_doc_free(doc);
		free(text);
	}
	world_free(w);
}

static void test_reconnect_resumes(void)
{
	struct world *w = world_new(true, 0, 0);
	struct client *c = login(w, "ALICE", "pw1");
	struct client *late, *recent, *past, *second;
	struct tg_xoe_counters k;

	enter(c, 1, 'B', 100, "AAPL", PX(10, 0), '0');
	enter(c, 2, 'B', 100, "AAPL", PX(9, 0), '0');
	settle(w);
	CU_ASSERT_EQUAL(c->n, 2);

	/* the client's connection goes; meanwhile its orders trade */
	client_drop(c);
	settle(w);
	CU_ASSERT_EQUAL(tg_xoe_connections(w->oe), 0);
	agent_order(w, 'S', 150, PX(9, 0), '3');	/* 100 at 10.00, 50 at 9.00 */
	settle(w);
	CU_ASSERT_EQUAL(c->n, 2);

	/* it comes back asking for message 3: gets 3 and 4, once */
	client_connect(c);
	settle(w);
	CU_ASSERT_EQUAL(c->accepted, 2);
	CU_ASSERT_EQUAL(c->login_seq, 3);
	CU_ASSERT_EQUAL_FATAL(c->n, 4);
	for (unsigned i = 0; i < c->n; i++)
		CU_ASSERT_EQUAL(c->seq[i], i + 1);
	expect_executed(c, 2, 1, 100, PX(10, 0), 'A', 1);
	expect_executed(c, 3, 2, 50, PX(9, 0), 'A', 2);
	/* and trades on under its UserRefNums */
	cancel(c, 2, 0);
	enter(c, 2, 'B', 1, "AAPL", PX(9, 0), '0');	/* still not above 2 */
	settle(w);
	CU_ASSERT_EQUAL_FATAL(c->n, 6);
	CU_ASSERT_EQUAL(msg(c, 4, TG_OUCH_ORDER_CANCELED)->u.canceled.quantity, 50);
	expect_reject(c, 5, 2, TG_XOE_REJ_OTHER);
	CU_ASSERT_EQUAL(c->seq[5], 6);

	/* another login from 3: 3..6; from 0: the last one only; past the end: nothing, next is 7 */
	late = client_new(w, "ALICE", "pw1", "TGX1", 3);
	client_connect(late);
	settle(w);
	CU_ASSERT_EQUAL(late->login_seq, 3);
	CU_ASSERT_EQUAL_FATAL(late->n, 4);
	CU_ASSERT_EQUAL(late->seq[0], 3);
	CU_ASSERT_EQUAL(late->seq[3], 6);
	CU_ASSERT_EQUAL(memcmp(&late->msg[0], &c->msg[2], sizeof(late->msg[0])), 0);
	/* the newer login took ALICE over: the first client's connection is closed */
	CU_ASSERT_EQUAL(c->fd, -1);
	CU_ASSERT_EQUAL(tg_soup_session_state(c->s), TG_SOUP_DISCONNECTED);
	tg_xoe_counters(w->oe, &k);
	CU_ASSERT_EQUAL(k.takeovers, 1);

	recent = client_new(w, "ALICE", "pw1", "TGX1", 0);
	client_connect(recent);
	settle(w);
	CU_ASSERT_EQUAL(recent->login_seq, 6);
	CU_ASSERT_EQUAL_FATAL(recent->n, 1);
	CU_ASSERT_EQUAL(recent->seq[0], 6);

	past = client_new(w, "ALICE", "pw1", "TGX1", 99);
	client_connect(past);
	settle(w);
	CU_ASSERT_EQUAL(past->accepted, 1);
	CU_ASSERT_EQUAL(past->login_seq, 7);
	CU_ASSERT_EQUAL(past->n, 0);

	/* the live one gets what comes next, numbered on */
	enter(past, 10, 'S', 5, "MSFT", PX(20, 0), '0');
	settle(w);
	CU_ASSERT_EQUAL_FATAL(past->n, 1);
	CU_ASSERT_EQUAL(past->seq[0], 7);
	CU_ASSERT_EQUAL(msg(past, 0, TG_OUCH_ORDER_ACCEPTED)->u.accepted.user_ref_num, 10);

	/* BOB's store is his own */
	second = login(w, "BOB", "pw2");
	CU_ASSERT_EQUAL(second->n, 0);
	world_free(w);
}

static void test_end_of_session(void)
{
	struct world *w = world_new(true, 0, 0);
	struct client *alice = login(w, "ALICE", "pw1");
	struct client *bob = login(w, "BOB", "pw2");
	struct client *carol;
	const struct tg_ouch_system_event *se;

	CU_ASSERT_EQUAL(tg_xoe_system_event(w->oe, 'S', w->now), TG_OK);
	enter(alice, 1, 'B', 100, "AAPL", PX(10, 0), '0');
	settle(w);
	w->now += 1 * SEC;
	tg_xoe_end_session(w->oe, w->now);
	CU_ASSERT(tg_xoe_ended(w->oe));
	CU_ASSERT_EQUAL(tg_xoe_system_event(w->oe, 'S', w->now), TG_ERR_STATE);
	settle(w);

	CU_ASSERT_EQUAL_FATAL(alice->n, 3);
	CU_ASSERT_EQUAL(msg(alice, 0, TG_OUCH_SYSTEM_EVENT)->u.system_event.event_code, 'S');
	msg(alice, 1, TG_OUCH_ORDER_ACCEPTED);
	se = &msg(alice, 2, TG_OUCH_SYSTEM_EVENT)->u.system_event;
	CU_ASSERT_EQUAL(se->event_code, 'E');
	CU_ASSERT_EQUAL(se->timestamp, w->now);
	CU_ASSERT_EQUAL(alice->ended, 1);
	CU_ASSERT_EQUAL(tg_soup_session_state(alice->s), TG_SOUP_ENDED);
	CU_ASSERT_EQUAL(bob->n, 2);
	CU_ASSERT_EQUAL(bob->ended, 1);
	CU_ASSERT_EQUAL(tg_xoe_connections(w->oe), 0);

	/* a login after the end: everything, then End of Session */
	carol = client_new(w, "CAROL", "", "TGX1", 1);
	client_connect(carol);
	settle(w);
	CU_ASSERT_EQUAL(carol->accepted, 1);
	CU_ASSERT_EQUAL(carol->n, 2);
	CU_ASSERT_EQUAL(carol->ended, 1);
	CU_ASSERT_EQUAL(tg_xoe_connections(w->oe), 0);
	world_free(w);
}

static const struct tg_cunit_test tests[] = {
	{ "configuration", test_config },
	{ "login good and bad, logout", test_login },
	{ "heartbeats and silence timeouts", test_heartbeats_and_timeouts },
	{ "before the login: split, Debug first, not a login", test_before_login },
	{ "malformed messages and bad fields rejected, session alive", test_malformed_and_bad_fields },
	{ "UserRefNum must increase; unknown replace and cancel", test_user_ref_nums },
	{ "engine: accept, execute both sides, replace, cancel, modify", test_engine_responses },
	{ "reconnects resume, nothing lost or repeated", test_reconnect_resumes },
	{ "end of session", test_end_of_session },
};

int main(void)
{
	return tg_cunit_run("exchange-oe", NULL, NULL, tests, TG_CUNIT_COUNT(tests));
}
