/*
 * soup_peer: a small OUCH 5.0 exchange over SoupBinTCP 3.0, for the
 * end-to-end tests of the simulator's order entry (test_order_entry.py).
 *
 *   soup_peer --port N --user U --password P [--session NAME] [--fill N] [--bust K] [--journal FILE]
 *
 * Listens on 127.0.0.1:N (0: the system picks; the port is printed), one
 * connection at a time, through libtickgate's SoupBinTCP server session:
 * a login with another username or password is rejected. It answers
 * Enter Order with Order Accepted (side, quantity, symbol, price echoed,
 * order reference numbers from 1) and, with --fill N, an Order Executed
 * of min(N, quantity) shares at the order's price (match numbers from 1),
 * and with --bust K every K-th execution is broken at once: a Broken Trade
 * (its UserRefNum and match number, reason 'E' erroneous) follows it, and
 * the order's open quantity stays as the execution left it; Cancel Order with Order
 * Canceled (decrement = open quantity - quantity asked to be left), or
 * Cancel Reject for an order it does not have open or a cancel that does
 * not shrink it; Replace Order with Order Replaced (new order reference,
 * the new quantity and price), or Order Rejected for an order it does not
 * have open. An Enter Order whose UserRefNum is not above every one seen
 * is rejected.
 *
 * Everything received is logged as one JSON line per message on stdout
 * (logins, every OUCH message, logouts, disconnections), and so is every
 * message sent. With --journal FILE every message sent is also appended
 * to FILE (hex, one per line) and read back at start-up: the session's
 * messages and its open orders survive a restart on the same port, so a
 * client resumes its sequence numbers as against a real exchange.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tickgate/clock.h"
#include "tickgate/json.h"
#include "tickgate/ouch.h"
#include "tickgate/soupbin_session.h"

#define MAX_ORDERS 4096u

struct order {
	uint32_t urn;
	bool live;
	char side;
	uint32_t open;
	char symbol[TG_OUCH_SYMBOL_LEN];
	uint64_t price;
	uint64_t ref;
	char tif, display, capacity, ise, cross_type;
	char clordid[TG_OUCH_CLORDID_LEN];
};

struct peer {
	const char *user;
	const char *password;
	uint32_t fill;
	uint32_t bust_every;		/* --bust K: break every K-th execution; 0: none */
	uint64_t executions;
	FILE *journal;
	struct tg_soup_store *store;
	struct tg_soup_session *sess;	/* of the current connection */
	struct order orders[MAX_ORDERS];
	unsigned n_orders;
	uint32_t last_urn;
	uint64_t next_ref;
	uint64_t next_match;
	uint64_t now;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* OUCH timestamps: nanoseconds since midnight (UTC here; the tests read none of it) */
static uint64_t ouch_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec % 86400u) * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* an alpha field without its padding, NUL terminated */
static void alpha(char *out, const char *field, size_t n)
{
	while (n > 0 && field[n - 1] == ' ')
		n--;
	memcpy(out, field, n);
	out[n] = '\0';
}

static void json_char(struct tg_json *j, const char *key, char c)
{
	char s[2] = { c, '\0' };

	tg_json_string(j, key, s);
}

static void log_simple(const char *event, const char *key, const char *value)
{
	struct tg_json j;

	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "event", event);
	if (key != NULL)
		tg_json_string(&j, key, value);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	fflush(stdout);
}

/* One message, received ("message") or sent ("sent"), as a JSON line. */
static void log_msg(const char *event, const struct tg_ouch_msg *m)
{
	char text[TG_OUCH_TEXT_MAX], sym[TG_OUCH_SYMBOL_LEN + 1], cl[TG_OUCH_CLORDID_LEN + 1];
	struct tg_json j;

	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "event", event);
	json_char(&j, "type", tg_ouch_kind_type(m->kind));
	tg_json_string(&j, "kind", tg_ouch_kind_name(m->kind));
	switch (m->kind) {
	case TG_OUCH_ENTER_ORDER:
		tg_json_u64(&j, "urn", m->u.enter.user_ref_num);
		json_char(&j, "side", m->u.enter.side);
		tg_json_u64(&j, "qty", m->u.enter.quantity);
		alpha(sym, m->u.enter.symbol, TG_OUCH_SYMBOL_LEN);
		tg_json_string(&j, "symbol", sym);
		tg_json_u64(&j, "price", m->u.enter.price);
		json_char(&j, "tif", m->u.enter.tif);
		json_char(&j, "display", m->u.enter.display);
		json_char(&j, "capacity", m->u.enter.capacity);
		alpha(cl, m->u.enter.clordid, TG_OUCH_CLORDID_LEN);
		tg_json_string(&j, "clordid", cl);
		break;
	case TG_OUCH_REPLACE_ORDER:
		tg_json_u64(&j, "orig_urn", m->u.replace.orig_user_ref_num);
		tg_json_u64(&j, "urn", m->u.replace.user_ref_num);
		tg_json_u64(&j, "qty", m->u.replace.quantity);
		tg_json_u64(&j, "price", m->u.replace.price);
		break;
	case TG_OUCH_CANCEL_ORDER:
		tg_json_u64(&j, "urn", m->u.cancel.user_ref_num);
		tg_json_u64(&j, "qty", m->u.cancel.quantity);
		break;
	case TG_OUCH_ORDER_ACCEPTED:
		tg_json_u64(&j, "urn", m->u.accepted.user_ref_num);
		json_char(&j, "side", m->u.accepted.side);
		tg_json_u64(&j, "qty", m->u.accepted.quantity);
		tg_json_u64(&j, "price", m->u.accepted.price);
		tg_json_u64(&j, "ref", m->u.accepted.order_ref_num);
		break;
	case TG_OUCH_ORDER_REPLACED:
		tg_json_u64(&j, "orig_urn", m->u.replaced.orig_user_ref_num);
		tg_json_u64(&j, "urn", m->u.replaced.user_ref_num);
		json_char(&j, "side", m->u.replaced.side);
		tg_json_u64(&j, "qty", m->u.replaced.quantity);
		tg_json_u64(&j, "price", m->u.replaced.price);
		tg_json_u64(&j, "ref", m->u.replaced.order_ref_num);
		break;
	case TG_OUCH_ORDER_CANCELED:
		tg_json_u64(&j, "urn", m->u.canceled.user_ref_num);
		tg_json_u64(&j, "qty", m->u.canceled.quantity);
		break;
	case TG_OUCH_ORDER_EXECUTED:
		tg_json_u64(&j, "urn", m->u.executed.user_ref_num);
		tg_json_u64(&j, "qty", m->u.executed.quantity);
		tg_json_u64(&j, "price", m->u.executed.price);
		tg_json_u64(&j, "match", m->u.executed.match_number);
		break;
	case TG_OUCH_ORDER_REJECTED:
		tg_json_u64(&j, "urn", m->u.rejected.user_ref_num);
		tg_json_u64(&j, "reason", m->u.rejected.reason);
		break;
	case TG_OUCH_BROKEN_TRADE:
		tg_json_u64(&j, "urn", m->u.broken.user_ref_num);
		tg_json_u64(&j, "match", m->u.broken.match_number);
		json_char(&j, "reason", m->u.broken.reason);
		break;
	case TG_OUCH_CANCEL_REJECT:
		tg_json_u64(&j, "urn", m->u.cancel_reject.user_ref_num);
		break;
	default:
		break;
	}
	tg_ouch_format(m, text, sizeof(text));
	tg_json_string(&j, "text", text);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	fflush(stdout);
}

static struct order *find(struct peer *p, uint32_t urn)
{
	for (unsigned i = 0; i < p->n_orders; i++)
		if (p->orders[i].live && p->orders[i].urn == urn)
			return &p->orders[i];
	return NULL;
}

static struct order *add_order(struct peer *p)
{
	for (unsigned i = 0; i < p->n_orders; i++)
		if (!p->orders[i].live)
			return memset(&p->orders[i], 0, sizeof(p->orders[i]));
	if (p->n_orders == MAX_ORDERS)
		return NULL;
	return memset(&p->orders[p->n_orders++], 0, sizeof(p->orders[0]));
}

/*
 * What a message sent does to the book of open orders: the one place that
 * changes it, for live messages and for the journal's alike.
 */
static void apply_sent(struct peer *p, const struct tg_ouch_msg *m)
{
	struct order *o;

	switch (m->kind) {
	case TG_OUCH_ORDER_ACCEPTED: {
		const struct tg_ouch_order_accepted *a = &m->u.accepted;

		o = add_order(p);
		if (o != NULL) {
			o->urn = a->user_ref_num;
			o->live = a->quantity > 0;
			o->side = a->side;
			o->open = a->quantity;
			memcpy(o->symbol, a->symbol, sizeof(o->symbol));
			o->price = a->price;
			o->ref = a->order_ref_num;
			o->tif = a->tif;
			o->display = a->display;
			o->capacity = a->capacity;
			o->ise = a->ise;
			o->cross_type = a->cross_type;
			memcpy(o->clordid, a->clordid, sizeof(o->clordid));
		}
		if (a->user_ref_num > p->last_urn)
			p->last_urn = a->user_ref_num;
		if (a->order_ref_num >= p->next_ref)
			p->next_ref = a->order_ref_num + 1;
		break;
	}
	case TG_OUCH_ORDER_REPLACED: {
		const struct tg_ouch_order_replaced *r = &m->u.replaced;
		struct order *old = find(p, r->orig_user_ref_num);

		if (old != NULL)
			old->live = false;
		o = add_order(p);
		if (o != NULL) {
			o->urn = r->user_ref_num;
			o->live = r->quantity > 0;
			o->side = r->side;
			o->open = r->quantity;
			memcpy(o->symbol, r->symbol, sizeof(o->symbol));
			o->price = r->price;
			o->ref = r->order_ref_num;
			o->tif = r->tif;
			o->display = r->display;
			o->capacity = r->capacity;
			o->ise = r->ise;
			o->cross_type = r->cross_type;
			memcpy(o->clordid, r->clordid, sizeof(o->clordid));
		}
		if (r->user_ref_num > p->last_urn)
			p->last_urn = r->user_ref_num;
		if (r->order_ref_num >= p->next_ref)
			p->next_ref = r->order_ref_num + 1;
		break;
	}
	case TG_OUCH_ORDER_CANCELED:
		o = find(p, m->u.canceled.user_ref_num);
		if (o != NULL) {
			o->open -= m->u.canceled.quantity < o->open ? m->u.canceled.quantity : o->open;
			o->live = o->open > 0;
		}
		break;
	case TG_OUCH_ORDER_EXECUTED:
		o = find(p, m->u.executed.user_ref_num);
		if (o != NULL) {
			o->open -= m->u.executed.quantity < o->open ? m->u.executed.quantity : o->open;
			o->live = o->open > 0;
		}
		if (m->u.executed.match_number >= p->next_match)
			p->next_match = m->u.executed.match_number + 1;
		break;
	case TG_OUCH_ORDER_REJECTED:
		if (m->u.rejected.user_ref_num > p->last_urn)
			p->last_urn = m->u.rejected.user_ref_num;
		break;
	default:
		break;
	}
}

static void send_msg(struct peer *p, const struct tg_ouch_msg *m)
{
	uint8_t buf[TG_OUCH_MAX_MSG];
	int n = tg_ouch_encode(m, buf, sizeof(buf));

	if (n < 0) {
		log_simple("error", "text", "cannot encode a response");
		return;
	}
	if (tg_soup_server_send(p->sess, buf, (size_t)n, p->now) < 0) {
		log_simple("error", "text", "cannot send a response");
		return;
	}
	if (p->journal != NULL) {
		for (int i = 0; i < n; i++)
			fprintf(p->journal, "%02x", buf[i]);
		fputc('\n', p->journal);
		fflush(p->journal);
	}
	apply_sent(p, m);
	log_msg("sent", m);
}

static void reject(struct peer *p, uint32_t urn, uint16_t reason, const char *clordid)
{
	struct tg_ouch_msg m = { .kind = TG_OUCH_ORDER_REJECTED };

	m.u.rejected.timestamp = ouch_time();
	m.u.rejected.user_ref_num = urn;
	m.u.rejected.reason = reason;
	memcpy(m.u.rejected.clordid, clordid, TG_OUCH_CLORDID_LEN);
	send_msg(p, &m);
}

static void on_enter(struct peer *p, const struct tg_ouch_enter_order *e)
{
	struct tg_ouch_msg m = { .kind = TG_OUCH_ORDER_ACCEPTED };
	struct tg_ouch_order_accepted *a = &m.u.accepted;
	uint32_t urn = e->user_ref_num;

	if (urn <= p->last_urn || p->n_orders == MAX_ORDERS) {
		reject(p, urn, 1, e->clordid);	/* a UserRefNum not above the last */
		return;
	}
	a->timestamp = ouch_time();
	a->user_ref_num = urn;
	a->side = e->side;
	a->quantity = e->quantity;
	memcpy(a->symbol, e->symbol, sizeof(a->symbol));
	a->price = e->price;
	a->tif = e->tif;
	a->display = e->display;
	a->order_ref_num = p->next_ref;
	a->capacity = e->capacity;
	a->ise = e->ise;
	a->cross_type = e->cross_type;
	a->order_state = 'L';
	memcpy(a->clordid, e->clordid, sizeof(a->clordid));
	send_msg(p, &m);
	if (p->fill > 0 && e->quantity > 0) {
		struct tg_ouch_msg x = { .kind = TG_OUCH_ORDER_EXECUTED };

		x.u.executed.timestamp = ouch_time();
		x.u.executed.user_ref_num = urn;
		x.u.executed.quantity = p->fill < e->quantity ? p->fill : e->quantity;
		x.u.executed.price = e->price;
		x.u.executed.liquidity_flag = 'A';
		x.u.executed.match_number = p->next_match;
		send_msg(p, &x);
		if (p->bust_every > 0 && ++p->executions % p->bust_every == 0) {
			struct tg_ouch_msg b = { .kind = TG_OUCH_BROKEN_TRADE };

			b.u.broken.timestamp = ouch_time();
			b.u.broken.user_ref_num = urn;
			b.u.broken.match_number = x.u.executed.match_number;
			b.u.broken.reason = 'E';	/* erroneous */
			memcpy(b.u.broken.clordid, e->clordid, TG_OUCH_CLORDID_LEN);
			send_msg(p, &b);
		}
	}
}

static void on_replace(struct peer *p, const struct tg_ouch_replace_order *r)
{
	struct order *o = find(p, r->orig_user_ref_num);
	struct tg_ouch_msg m = { .kind = TG_OUCH_ORDER_REPLACED };
	struct tg_ouch_order_replaced *x = &m.u.replaced;

	if (o == NULL || r->user_ref_num <= p->last_urn || p->n_orders == MAX_ORDERS) {
		reject(p, r->user_ref_num, 2, r->clordid);
		return;
	}
	x->timestamp = ouch_time();
	x->orig_user_ref_num = r->orig_user_ref_num;
	x->user_ref_num = r->user_ref_num;
	x->side = o->side;
	x->quantity = r->quantity;
	memcpy(x->symbol, o->symbol, sizeof(x->symbol));
	x->price = r->price;
	x->tif = r->tif;
	x->display = r->display;
	x->order_ref_num = p->next_ref;
	x->capacity = o->capacity;
	x->ise = r->ise;
	x->cross_type = o->cross_type;
	x->order_state = 'L';
	memcpy(x->clordid, r->clordid, sizeof(x->clordid));
	send_msg(p, &m);
}

static void on_cancel(struct peer *p, const struct tg_ouch_cancel_order *c)
{
	struct order *o = find(p, c->user_ref_num);
	struct tg_ouch_msg m;

	memset(&m, 0, sizeof(m));
	if (o == NULL || c->quantity >= o->open) {
		m.kind = TG_OUCH_CANCEL_REJECT;
		m.u.cancel_reject.timestamp = ouch_time();
		m.u.cancel_reject.user_ref_num = c->user_ref_num;
		send_msg(p, &m);
		return;
	}
	m.kind = TG_OUCH_ORDER_CANCELED;
	m.u.canceled.timestamp = ouch_time();
	m.u.canceled.user_ref_num = c->user_ref_num;
	m.u.canceled.quantity = o->open - c->quantity;
	m.u.canceled.reason = 'U';	/* user requested */
	send_msg(p, &m);
}

static char authenticate(void *ctx, const char *username, const char *password)
{
	struct peer *p = ctx;

	return strcmp(username, p->user) == 0 && strcmp(password, p->password) == 0 ? 0
										    : TG_SOUP_REJECT_NOT_AUTHORIZED;
}

static void on_event(void *ctx, const struct tg_soup_event *ev)
{
	struct peer *p = ctx;
	struct tg_ouch_msg m;
	struct tg_json j;
	int rc;

	switch (ev->type) {
	case TG_SOUP_EV_LOGIN_ACCEPTED:
	case TG_SOUP_EV_LOGIN_REJECTED:
		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_string(&j, "event", "login");
		tg_json_bool(&j, "accepted", ev->type == TG_SOUP_EV_LOGIN_ACCEPTED);
		tg_json_string(&j, "username", ev->username);
		tg_json_string(&j, "session", ev->session != NULL ? ev->session : "");
		tg_json_u64(&j, "requested", ev->requested);
		if (ev->type == TG_SOUP_EV_LOGIN_ACCEPTED)
			tg_json_u64(&j, "seq", ev->seq);
		else
			json_char(&j, "reason", ev->reason);
		tg_json_u64(&j, "stored", tg_soup_store_count(p->store));
		tg_json_object_end(&j);
		tg_json_finish(&j);
		fflush(stdout);
		break;
	case TG_SOUP_EV_UNSEQUENCED:
		rc = tg_ouch_decode(TG_OUCH_IN, ev->data, ev->len, &m);
		if (rc < 0) {
			log_simple("bad_message", "error", tg_strerror(rc));
			break;
		}
		log_msg("message", &m);
		if (m.kind == TG_OUCH_ENTER_ORDER)
			on_enter(p, &m.u.enter);
		else if (m.kind == TG_OUCH_REPLACE_ORDER)
			on_replace(p, &m.u.replace);
		else if (m.kind == TG_OUCH_CANCEL_ORDER)
			on_cancel(p, &m.u.cancel);
		break;
	case TG_SOUP_EV_LOGOUT:
		log_simple("logout", NULL, NULL);
		break;
	case TG_SOUP_EV_DEBUG:
		log_simple("debug", NULL, NULL);
		break;
	case TG_SOUP_EV_DEAD:
		log_simple("dead", NULL, NULL);
		break;
	case TG_SOUP_EV_ERROR:
		log_simple("protocol_error", "error", tg_strerror(ev->error));
		break;
	default:
		break;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Read the journal back: the store and the open orders as they were. */
static int load_journal(struct peer *p, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[2 * TG_OUCH_MAX_MSG + 4];
	unsigned n = 0;

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		uint8_t msg[TG_OUCH_MAX_MSG];
		struct tg_ouch_msg m;
		size_t len = 0;

		for (size_t i = 0; hexval(line[i]) >= 0 && hexval(line[i + 1]) >= 0 && len < sizeof(msg); i += 2)
			msg[len++] = (uint8_t)(hexval(line[i]) << 4 | hexval(line[i + 1]));
		if (len == 0)
			continue;	/* a line cut short by a kill: the message never went out */
		if (tg_ouch_decode(TG_OUCH_OUT, msg, len, &m) < 0 || tg_soup_store_append(p->store, msg, len) < 0) {
			fclose(f);
			return -1;
		}
		apply_sent(p, &m);
		n++;
	}
	fclose(f);
	return (int)n;
}

static int listen_on(unsigned port, unsigned *bound)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t n = sizeof(a);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	/* a restarted peer takes its port back from TIME_WAIT */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &n) != 0) {
		close(fd);
		return -1;
	}
	*bound = ntohs(a.sin_port);
	return fd;
}

static void usage(FILE *f)
{
	fputs("usage: soup_peer --user U --password P [--port N] [--session NAME] [--fill N] [--bust K] "
	      "[--journal FILE]\n", f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'w' },
		{ "session", required_argument, NULL, 's' },
		{ "fill", required_argument, NULL, 'f' },
		{ "bust", required_argument, NULL, 'b' },
		{ "journal", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct peer p = { .next_ref = 1, .next_match = 1 };
	const char *session = "TGSESS01", *journal = NULL;
	unsigned port = 0, bound = 0;
	struct tg_soup_server_config sc = { .authenticate = authenticate, .auth_ctx = &p };
	struct tg_soup_handlers h = { .event = on_event, .ctx = &p };
	struct sigaction sa;
	int lfd, cfd = -1, opt, loaded;
	char peer_addr[64];

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = (unsigned)atoi(optarg); break;
		case 'u': p.user = optarg; break;
		case 'w': p.password = optarg; break;
		case 's': session = optarg; break;
		case 'f': p.fill = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'b': p.bust_every = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'j': journal = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (p.user == NULL || p.password == NULL || optind != argc || port > 65535) {
		usage(stderr);
		return 2;
	}
	if (tg_soup_store_new(session, &p.store) < 0) {
		fprintf(stderr, "soup_peer: bad session name %s\n", session);
		return 2;
	}
	if (journal != NULL) {
		loaded = load_journal(&p, journal);
		p.journal = loaded >= 0 ? fopen(journal, "a") : NULL;
		if (p.journal == NULL) {
			fprintf(stderr, "soup_peer: cannot use the journal %s\n", journal);
			return 1;
		}
	}
	lfd = listen_on(port, &bound);
	if (lfd < 0) {
		fprintf(stderr, "soup_peer: cannot listen on 127.0.0.1:%u: %s\n", port, strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	{
		struct tg_json j;

		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_string(&j, "event", "listening");
		tg_json_u64(&j, "port", bound);
		tg_json_string(&j, "session", session);
		tg_json_u64(&j, "stored", tg_soup_store_count(p.store));
		tg_json_object_end(&j);
		tg_json_finish(&j);
		fflush(stdout);
	}

	while (!stop) {
		struct pollfd pfd = { .fd = cfd >= 0 ? cfd : lfd, .events = POLLIN };
		int timeout = 1000;

		p.now = (uint64_t)tg_monotonic_ns();
		if (cfd >= 0) {
			pfd.events = tg_soup_poll_events(p.sess);
			timeout = tg_soup_poll_timeout(p.sess, p.now);
			if (timeout < 0 || timeout > 1000)
				timeout = 1000;
		}
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			break;
		p.now = (uint64_t)tg_monotonic_ns();
		if (cfd < 0) {
			struct sockaddr_in a;
			socklen_t n = sizeof(a);

			if (!(pfd.revents & POLLIN))
				continue;
			cfd = accept4(lfd, (struct sockaddr *)&a, &n, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (cfd < 0)
				continue;
			snprintf(peer_addr, sizeof(peer_addr), "%s:%u", inet_ntoa(a.sin_addr), ntohs(a.sin_port));
			if (tg_soup_server_new(&sc, p.store, &h, &p.sess) < 0 ||
			    tg_soup_session_connected(p.sess, p.now) < 0) {
				close(cfd);
				cfd = -1;
				continue;
			}
			log_simple("connected", "peer", peer_addr);
			continue;
		}
		int rc = tg_soup_pump(p.sess, cfd, p.now);

		if (rc == TG_ERR_SYS)	/* a socket error: the connection is gone */
			tg_soup_session_disconnected(p.sess);
		if (!tg_soup_session_live(p.sess) && tg_soup_session_pending(p.sess, NULL) == 0) {
			struct tg_json j;

			tg_json_init(&j, stdout);
			tg_json_object_begin(&j, NULL);
			tg_json_string(&j, "event", "closed");
			tg_json_string(&j, "peer", peer_addr);
			tg_json_string(&j, "state", tg_soup_state_name(tg_soup_session_state(p.sess)));
			tg_json_string(&j, "result", rc < 0 ? tg_strerror(rc) : "ok");
			tg_json_object_end(&j);
			tg_json_finish(&j);
			fflush(stdout);
			close(cfd);
			cfd = -1;
			tg_soup_session_free(p.sess);
			p.sess = NULL;
		}
	}
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	tg_soup_session_free(p.sess);
	tg_soup_store_free(p.store);
	if (p.journal != NULL)
		fclose(p.journal);
	return 0;
}
