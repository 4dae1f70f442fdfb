/*
 * SoupBinTCP 3.0 client and server state machines and the socket pump,
 * see tickgate/soupbin_session.h.
 *
 * Both roles share one struct and one input path: bytes go through the
 * reassembler, each whole packet to the role's packet handler, which may
 * change the state, emit an event and queue packets. The output queue is a
 * flat buffer compacted when it runs out of room at its end; it never
 * grows, so a slow peer costs at most out_cap bytes and a server streams
 * its store into whatever room is left (a replay of a million messages
 * does not need a million messages of buffer).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tickgate/soupbin_session.h"

#define READ_CAP (TG_SOUP_READER_MIN + 65536u)

struct tg_soup_store {
	char session[TG_SOUP_SESSION_LEN + 1];
	uint8_t *data;
	size_t data_len, data_cap;
	size_t *off;		/* message seq starts at off[seq - 1]; off[count] = data_len */
	uint64_t count;
	size_t off_cap;
	bool ended;
};

struct tg_soup_session {
	enum tg_soup_role role;
	enum tg_soup_state state;
	struct tg_soup_handlers h;
	uint64_t heartbeat_ns, timeout_ns;
	uint64_t last_rx, last_tx;	/* when a byte last came in / a packet was last queued */
	struct tg_soup_reader rd;
	uint8_t *out;
	size_t out_cap, out_head, out_tail;
	/* client: credentials, session (requested, then accepted), seq = next expected */
	struct tg_soup_login login;
	/* server */
	struct tg_soup_store *store;
	uint64_t cursor;	/* next stored message to send */
	char (*authenticate)(void *ctx, const char *username, const char *password);
	void *auth_ctx;
	char username[TG_SOUP_USERNAME_LEN + 1];
};

/* ---- store ---- */

int tg_soup_store_new(const char *session, struct tg_soup_store **out)
{
	struct tg_soup_store *st;

	if (out == NULL || (session != NULL && !tg_soup_text_ok(session, 0, TG_SOUP_SESSION_LEN)))
		return TG_ERR_ARG;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return TG_ERR_NOMEM;
	st->off_cap = 1024;
	st->off = malloc(st->off_cap * sizeof(*st->off));
	if (st->off == NULL) {
		free(st);
		return TG_ERR_NOMEM;
	}
	st->off[0] = 0;
	if (session != NULL)
		strcpy(st->session, session);
	*out = st;
	return TG_OK;
}

void tg_soup_store_free(struct tg_soup_store *st)
{
	if (st != NULL) {
		free(st->data);
		free(st->off);
		free(st);
	}
}

int tg_soup_store_append(struct tg_soup_store *st, const uint8_t *msg, size_t len)
{
	if (st == NULL || (msg == NULL && len != 0) || len > TG_SOUP_MAX_PAYLOAD)
		return TG_ERR_ARG;
	if (st->count + 2 > st->off_cap) {
		size_t *o = realloc(st->off, 2 * st->off_cap * sizeof(*o));

		if (o == NULL)
			return TG_ERR_NOMEM;
		st->off = o;
		st->off_cap *= 2;
	}
	if (st->data_cap - st->data_len < len) {
		size_t cap = st->data_cap > 0 ? st->data_cap : 65536;
		uint8_t *d;

		while (cap - st->data_len < len)
			cap *= 2;
		d = realloc(st->data, cap);
		if (d == NULL)
			return TG_ERR_NOMEM;
		st->data = d;
		st->data_cap = cap;
	}
	if (len > 0)
		memcpy(st->data + st->data_len, msg, len);
	st->data_len += len;
	st->count++;
	st->off[st->count] = st->data_len;
	return TG_OK;
}

uint64_t tg_soup_store_count(const struct tg_soup_store *st)
{
	return st->count;
}

int tg_soup_store_get(const struct tg_soup_store *st, uint64_t seq, const uint8_t **msg, size_t *len)
{
	if (seq < 1 || seq > st->count)
		return TG_ERR_NOENT;
	*msg = st->data + st->off[seq - 1];
	*len = st->off[seq] - st->off[seq - 1];
	return TG_OK;
}

const char *tg_soup_store_session(const struct tg_soup_store *st)
{
	return st->session;
}

void tg_soup_store_end(struct tg_soup_store *st)
{
	st->ended = true;
}

bool tg_soup_store_ended(const struct tg_soup_store *st)
{
	return st->ended;
}

/* ---- common ---- */

static uint64_t elapsed(uint64_t now, uint64_t since)
{
	return now > since ? now - since : 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

bool tg_soup_session_live(const struct tg_soup_session *s)
{
	return s->state == TG_SOUP_LOGIN_WAIT || s->state == TG_SOUP_ACTIVE;
}

static void emit(struct tg_soup_session *s, struct tg_soup_event *ev)
{
	if (s->h.event != NULL)
		s->h.event(s->h.ctx, ev);
}

static void emit_simple(struct tg_soup_session *s, enum tg_soup_event_type type, int error)
{
	struct tg_soup_event ev = { .type = type, .error = error };

	emit(s, &ev);
}

static int fail(struct tg_soup_session *s, int error)
{
	s->state = TG_SOUP_FAILED;
	emit_simple(s, TG_SOUP_EV_ERROR, error);
	return error;
}

/* Make room for need bytes at the end of the output queue. */
static bool out_room(struct tg_soup_session *s, size_t need)
{
	if (s->out_cap - s->out_tail >= need)
		return true;
	if (s->out_head > 0) {
		memmove(s->out, s->out + s->out_head, s->out_tail - s->out_head);
		s->out_tail -= s->out_head;
		s->out_head = 0;
	}
	return s->out_cap - s->out_tail >= need;
}

/* Where a packet of need bytes goes in the output queue, NULL when it does not fit. */
static uint8_t *tx_space(struct tg_soup_session *s, size_t need)
{
	return out_room(s, need) ? s->out + s->out_tail : NULL;
}

/* The n bytes (an encoder's result) written at tx_space are queued. */
static int tx_commit(struct tg_soup_session *s, int n, uint64_t now)
{
	if (n < 0)
		return n;
	s->out_tail += (size_t)n;
	s->last_tx = now;
	return TG_OK;
}

/* Queue one packet: TG_OK, or TG_ERR_AGAIN when it does not fit (nothing queued). */
static int queue(struct tg_soup_session *s, char type, const void *payload, size_t len, uint64_t now)
{
	size_t need = TG_SOUP_HDR + 1 + len;
	uint8_t *p = tx_space(s, need);

	return p != NULL ? tx_commit(s, tg_soup_encode(p, need, type, payload, len), now) : TG_ERR_AGAIN;
}

static int session_alloc(enum tg_soup_role role, uint64_t heartbeat_ns, uint64_t timeout_ns, size_t out_cap,
			 const struct tg_soup_handlers *h, struct tg_soup_session **out)
{
	struct tg_soup_session *s;
	uint8_t *rbuf;

	if (out_cap == 0)
		out_cap = TG_SOUP_OUT_CAP;
	if (out == NULL || out_cap < TG_SOUP_MAX_PACKET)
		return TG_ERR_ARG;
	s = calloc(1, sizeof(*s));
	rbuf = malloc(READ_CAP);
	if (s != NULL)
		s->out = malloc(out_cap);
	if (s == NULL || rbuf == NULL || s->out == NULL || tg_soup_reader_init(&s->rd, rbuf, READ_CAP) < 0) {
		if (s != NULL)
			free(s->out);
		free(s);
		free(rbuf);
		return TG_ERR_NOMEM;
	}
	s->role = role;
	s->state = TG_SOUP_IDLE;
	s->heartbeat_ns = heartbeat_ns != 0 ? heartbeat_ns : TG_SOUP_HEARTBEAT_NS;
	s->timeout_ns = timeout_ns != 0 ? timeout_ns : TG_SOUP_TIMEOUT_NS;
	s->out_cap = out_cap;
	if (h != NULL)
		s->h = *h;
	*out = s;
	return TG_OK;
}

int tg_soup_client_new(const struct tg_soup_client_config *cfg, const struct tg_soup_handlers *h,
		       struct tg_soup_session **out)
{
	const char *session;
	int rc;

	if (cfg == NULL || !tg_soup_text_ok(cfg->username, 1, TG_SOUP_USERNAME_LEN) ||
	    !tg_soup_text_ok(cfg->password, 0, TG_SOUP_PASSWORD_LEN) ||
	    (cfg->session != NULL && !tg_soup_text_ok(cfg->session, 0, TG_SOUP_SESSION_LEN)))
		return TG_ERR_ARG;
	rc = session_alloc(TG_SOUP_CLIENT, cfg->heartbeat_ns, cfg->timeout_ns, cfg->out_cap, h, out);
	if (rc < 0)
		return rc;
	session = cfg->session != NULL ? cfg->session : "";
	strcpy((*out)->login.username, cfg->username);
	strcpy((*out)->login.password, cfg->password != NULL ? cfg->password : "");
	strcpy((*out)->login.session, session);
	(*out)->login.seq = cfg->seq;
	return TG_OK;
}

int tg_soup_server_new(const struct tg_soup_server_config *cfg, struct tg_soup_store *store,
		       const struct tg_soup_handlers *h, struct tg_soup_session **out)
{
	int rc;

	if (cfg == NULL || store == NULL)
		return TG_ERR_ARG;
	rc = session_alloc(TG_SOUP_SERVER, cfg->heartbeat_ns, cfg->timeout_ns, cfg->out_cap, h, out);
	if (rc < 0)
		return rc;
	(*out)->store = store;
	(*out)->authenticate = cfg->authenticate;
	(*out)->auth_ctx = cfg->auth_ctx;
	return TG_OK;
}

void tg_soup_session_free(struct tg_soup_session *s)
{
	if (s != NULL) {
		free(s->rd.buf);
		free(s->out);
		free(s);
	}
}

static void drop_buffers(struct tg_soup_session *s)
{
	tg_soup_reader_reset(&s->rd);
	s->out_head = 0;
	s->out_tail = 0;
}

int tg_soup_session_connected(struct tg_soup_session *s, uint64_t now_ns)
{
	size_t need = TG_SOUP_HDR + 1 + TG_SOUP_LOGIN_REQUEST_LEN;
	uint8_t *p;
	int rc;

	if (s == NULL || tg_soup_session_live(s) || s->state == TG_SOUP_ENDED)
		return TG_ERR_STATE;
	drop_buffers(s);
	s->last_rx = now_ns;
	s->last_tx = now_ns;
	if (s->role == TG_SOUP_SERVER) {
		s->username[0] = '\0';
		s->cursor = 0;
	} else {
		p = tx_space(s, need);	/* the queue is empty: it fits */
		rc = p != NULL ? tx_commit(s, tg_soup_encode_login_request(p, need, &s->login), now_ns) : TG_ERR_AGAIN;
		if (rc < 0)
			return rc;
	}
	s->state = TG_SOUP_LOGIN_WAIT;
	return TG_OK;
}

void tg_soup_session_disconnected(struct tg_soup_session *s)
{
	if (tg_soup_session_live(s))
		s->state = TG_SOUP_DISCONNECTED;
	drop_buffers(s);
}

/* ---- server ---- */

/* Send stored messages while they fit, then End of Session once the store has ended. */
static void server_stream(struct tg_soup_session *s, uint64_t now)
{
	struct tg_soup_store *st = s->store;

	if (s->state != TG_SOUP_ACTIVE)
		return;
	while (s->cursor <= st->count) {
		const uint8_t *msg;
		size_t len;

		if (tg_soup_store_get(st, s->cursor, &msg, &len) < 0 ||
		    queue(s, TG_SOUP_SEQUENCED, msg, len, now) < 0)
			return;
		s->cursor++;
	}
	if (st->ended && queue(s, TG_SOUP_END_OF_SESSION, NULL, 0, now) == TG_OK) {
		s->state = TG_SOUP_ENDED;
		emit_simple(s, TG_SOUP_EV_END_OF_SESSION, 0);
	}
}

static int server_login(struct tg_soup_session *s, const struct tg_soup_login *req, uint64_t now)
{
	size_t need = TG_SOUP_HDR + 1 + TG_SOUP_LOGIN_ACCEPTED_LEN;	/* the longer answer */
	uint8_t *p = tx_space(s, need);
	const char *name = s->store->session;
	uint64_t count = s->store->count, start;
	struct tg_soup_event ev = { .username = s->username, .session = name, .requested = req->seq };
	char reason = 0;
	int rc;

	strcpy(s->username, req->username);
	if (req->session[0] != '\0' && strcmp(req->session, name) != 0)
		reason = TG_SOUP_REJECT_SESSION;
	else if (s->authenticate != NULL)
		reason = s->authenticate(s->auth_ctx, req->username, req->password);
	if (p == NULL)	/* a new connection's queue is empty */
		return fail(s, TG_ERR_AGAIN);
	if (reason != 0) {
		rc = tx_commit(s, tg_soup_encode_login_rejected(p, need, reason), now);
		s->state = TG_SOUP_REJECTED;
		ev.type = TG_SOUP_EV_LOGIN_REJECTED;
		ev.reason = reason;
		emit(s, &ev);
		return rc < 0 ? rc : TG_OK;
	}
	/*
	 * 0 asks for the most recently generated message. A number past the
	 * next one to be generated resumes at that next one: Login Accepted
	 * tells the client where the stream really resumes.
	 */
	if (req->seq == 0)
		start = count > 0 ? count : 1;
	else
		start = req->seq <= count + 1 ? req->seq : count + 1;
	rc = tx_commit(s, tg_soup_encode_login_accepted(p, need, name, start), now);
	if (rc < 0)
		return fail(s, rc);
	s->cursor = start;
	s->state = TG_SOUP_ACTIVE;
	ev.type = TG_SOUP_EV_LOGIN_ACCEPTED;
	ev.seq = start;
	emit(s, &ev);
	server_stream(s, now);
	return TG_OK;
}

static int server_packet(struct tg_soup_session *s, const struct tg_soup_packet *pkt, uint64_t now)
{
	struct tg_soup_event ev = { .data = pkt->payload, .len = pkt->len };

	switch (pkt->type) {
	case TG_SOUP_CLIENT_HEARTBEAT:
		return TG_OK;
	case TG_SOUP_LOGIN_REQUEST:
		if (s->state != TG_SOUP_LOGIN_WAIT)
			break;
		return server_login(s, &pkt->login, now);
	case TG_SOUP_UNSEQUENCED:
		if (s->state != TG_SOUP_ACTIVE)
			break;
		ev.type = TG_SOUP_EV_UNSEQUENCED;
		emit(s, &ev);
		return TG_OK;
	case TG_SOUP_LOGOUT_REQUEST:
		s->state = TG_SOUP_LOGGED_OUT;
		emit_simple(s, TG_SOUP_EV_LOGOUT, 0);
		return TG_OK;
	default:	/* a server's packet */
		break;
	}
	return fail(s, TG_ERR_PROTOCOL);
}

/* ---- client ---- */

static int client_packet(struct tg_soup_session *s, const struct tg_soup_packet *pkt, uint64_t now)
{
	struct tg_soup_event ev = { .data = pkt->payload, .len = pkt->len };

	(void)now;
	switch (pkt->type) {
	case TG_SOUP_SERVER_HEARTBEAT:
		return TG_OK;
	case TG_SOUP_LOGIN_ACCEPTED:
		if (s->state != TG_SOUP_LOGIN_WAIT)
			break;
		ev.requested = s->login.seq;
		strcpy(s->login.session, pkt->login.session);
		s->login.seq = pkt->login.seq;
		s->state = TG_SOUP_ACTIVE;
		ev.type = TG_SOUP_EV_LOGIN_ACCEPTED;
		ev.session = s->login.session;
		ev.seq = s->login.seq;
		ev.data = NULL;
		ev.len = 0;
		emit(s, &ev);
		return TG_OK;
	case TG_SOUP_LOGIN_REJECTED:
		if (s->state != TG_SOUP_LOGIN_WAIT)
			break;
		s->state = TG_SOUP_REJECTED;
		ev.type = TG_SOUP_EV_LOGIN_REJECTED;
		ev.reason = pkt->reject_reason;
		emit(s, &ev);
		return TG_OK;
	case TG_SOUP_SEQUENCED:
		if (s->state != TG_SOUP_ACTIVE)
			break;
		ev.type = TG_SOUP_EV_SEQUENCED;
		ev.seq = s->login.seq++;
		emit(s, &ev);
		return TG_OK;
	case TG_SOUP_END_OF_SESSION:
		if (s->state != TG_SOUP_ACTIVE)
			break;
		s->state = TG_SOUP_ENDED;
		emit_simple(s, TG_SOUP_EV_END_OF_SESSION, 0);
		return TG_OK;
	default:	/* a client's packet */
		break;
	}
	return fail(s, TG_ERR_PROTOCOL);
}

/* ---- input, timers, output ---- */

/* Hand every whole packet buffered to the role, while the connection stays live. */
static int process(struct tg_soup_session *s, uint64_t now)
{
	struct tg_soup_packet pkt;
	int rc;

	while (tg_soup_session_live(s)) {
		rc = tg_soup_reader_next(&s->rd, &pkt);
		if (rc == 0)
			break;
		if (rc < 0)
			return fail(s, rc);
		if (pkt.type == TG_SOUP_DEBUG) {	/* either way, any time */
			struct tg_soup_event ev = { .type = TG_SOUP_EV_DEBUG, .data = pkt.payload, .len = pkt.len };

			emit(s, &ev);
			continue;
		}
		rc = s->role == TG_SOUP_CLIENT ? client_packet(s, &pkt, now) : server_packet(s, &pkt, now);
		if (rc < 0)
			return rc;
	}
	return TG_OK;
}

int tg_soup_session_input(struct tg_soup_session *s, const uint8_t *data, size_t n, uint64_t now_ns)
{
	if (s == NULL || (data == NULL && n != 0))
		return TG_ERR_ARG;
	if (!tg_soup_session_live(s))
		return TG_ERR_STATE;
	if (n > 0)
		s->last_rx = now_ns;
	while (n > 0 && tg_soup_session_live(s)) {
		size_t k = tg_soup_reader_feed(&s->rd, data, n);
		int rc = process(s, now_ns);

		if (rc < 0)
			return rc;
		if (k == 0)	/* cannot happen: room for a whole packet is always made */
			return fail(s, TG_ERR_LENGTH);
		data += k;
		n -= k;
	}
	return TG_OK;
}

int tg_soup_session_tick(struct tg_soup_session *s, uint64_t now_ns)
{
	if (s == NULL)
		return TG_ERR_ARG;
	if (!tg_soup_session_live(s))
		return TG_OK;
	if (elapsed(now_ns, s->last_rx) >= s->timeout_ns) {
		s->state = TG_SOUP_DEAD;
		emit_simple(s, TG_SOUP_EV_DEAD, TG_ERR_TIMEOUT);
		return TG_ERR_TIMEOUT;
	}
	if (s->role == TG_SOUP_SERVER)
		server_stream(s, now_ns);
	if (s->state == TG_SOUP_ACTIVE && elapsed(now_ns, s->last_tx) >= s->heartbeat_ns) {
		char hb = s->role == TG_SOUP_CLIENT ? TG_SOUP_CLIENT_HEARTBEAT : TG_SOUP_SERVER_HEARTBEAT;

		/* no room: the queue is full of packets not yet sent, a heartbeat adds nothing */
		(void)queue(s, hb, NULL, 0, now_ns);
	}
	return TG_OK;
}

uint64_t tg_soup_session_deadline(const struct tg_soup_session *s)
{
	uint64_t d;

	if (!tg_soup_session_live(s))
		return UINT64_MAX;
	d = sat_add(s->last_rx, s->timeout_ns);
	if (s->state == TG_SOUP_ACTIVE) {
		uint64_t hb = sat_add(s->last_tx, s->heartbeat_ns);

		if (hb < d)
			d = hb;
		/* stored messages to send and room to send the next: now */
		if (s->role == TG_SOUP_SERVER && s->out_tail == s->out_head &&
		    (s->cursor <= s->store->count || s->store->ended))
			d = 0;
	}
	return d;
}

size_t tg_soup_session_pending(const struct tg_soup_session *s, const uint8_t **data)
{
	if (data != NULL)
		*data = s->out + s->out_head;
	return s->out_tail - s->out_head;
}

void tg_soup_session_consumed(struct tg_soup_session *s, size_t n)
{
	size_t pending = s->out_tail - s->out_head;

	s->out_head += n < pending ? n : pending;
	if (s->out_head == s->out_tail) {
		s->out_head = 0;
		s->out_tail = 0;
	}
}

enum tg_soup_state tg_soup_session_state(const struct tg_soup_session *s)
{
	return s->state;
}

enum tg_soup_role tg_soup_session_role(const struct tg_soup_session *s)
{
	return s->role;
}

const char *tg_soup_state_name(enum tg_soup_state state)
{
	static const char *const names[] = {
		[TG_SOUP_IDLE] = "idle",
		[TG_SOUP_LOGIN_WAIT] = "login_wait",
		[TG_SOUP_ACTIVE] = "active",
		[TG_SOUP_REJECTED] = "rejected",
		[TG_SOUP_LOGGED_OUT] = "logged_out",
		[TG_SOUP_ENDED] = "ended",
		[TG_SOUP_DEAD] = "dead",
		[TG_SOUP_FAILED] = "failed",
		[TG_SOUP_DISCONNECTED] = "disconnected",
	};

	return (unsigned)state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

const char *tg_soup_session_name(const struct tg_soup_session *s)
{
	return s->role == TG_SOUP_SERVER ? s->store->session : s->login.session;
}

uint64_t tg_soup_session_next_seq(const struct tg_soup_session *s)
{
	return s->role == TG_SOUP_SERVER ? s->cursor : s->login.seq;
}

const char *tg_soup_server_username(const struct tg_soup_session *s)
{
	return s->role == TG_SOUP_SERVER ? s->username : "";
}

int tg_soup_session_debug(struct tg_soup_session *s, const char *text, uint64_t now_ns)
{
	size_t n = text != NULL ? strlen(text) : 0;

	if (s == NULL || text == NULL || n > TG_SOUP_MAX_PAYLOAD)
		return TG_ERR_ARG;
	if (!tg_soup_session_live(s))
		return TG_ERR_STATE;
	return queue(s, TG_SOUP_DEBUG, text, n, now_ns);
}

int tg_soup_client_send(struct tg_soup_session *s, const uint8_t *msg, size_t len, uint64_t now_ns)
{
	if (s == NULL || s->role != TG_SOUP_CLIENT || (msg == NULL && len != 0) || len > TG_SOUP_MAX_PAYLOAD)
		return TG_ERR_ARG;
	if (s->state != TG_SOUP_ACTIVE)
		return TG_ERR_STATE;
	return queue(s, TG_SOUP_UNSEQUENCED, msg, len, now_ns);
}

int tg_soup_client_logout(struct tg_soup_session *s, uint64_t now_ns)
{
	int rc;

	if (s == NULL || s->role != TG_SOUP_CLIENT)
		return TG_ERR_ARG;
	if (!tg_soup_session_live(s))
		return TG_ERR_STATE;
	rc = queue(s, TG_SOUP_LOGOUT_REQUEST, NULL, 0, now_ns);
	if (rc == TG_OK)
		s->state = TG_SOUP_LOGGED_OUT;
	return rc;
}

int tg_soup_server_send(struct tg_soup_session *s, const uint8_t *msg, size_t len, uint64_t now_ns)
{
	int rc;

	if (s == NULL || s->role != TG_SOUP_SERVER)
		return TG_ERR_ARG;
	if (s->store->ended)
		return TG_ERR_STATE;
	rc = tg_soup_store_append(s->store, msg, len);
	if (rc == TG_OK)
		server_stream(s, now_ns);
	return rc;
}

int tg_soup_server_end_session(struct tg_soup_session *s, uint64_t now_ns)
{
	if (s == NULL || s->role != TG_SOUP_SERVER)
		return TG_ERR_ARG;
	tg_soup_store_end(s->store);
	server_stream(s, now_ns);
	return TG_OK;
}

/* ---- socket pump ---- */

/* Write what is pending: TG_OK (all written or the socket is full), TG_ERR_DEAD, TG_ERR_SYS. */
static int pump_write(struct tg_soup_session *s, int fd)
{
	const uint8_t *data;
	size_t n;

	while ((n = tg_soup_session_pending(s, &data)) > 0) {
		ssize_t w = send(fd, data, n, MSG_NOSIGNAL);

		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, data, n);
		if (w > 0) {
			tg_soup_session_consumed(s, (size_t)w);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TG_OK;
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET)) {
			tg_soup_session_disconnected(s);
			return TG_ERR_DEAD;
		}
		return TG_ERR_SYS;
	}
	return TG_OK;
}

int tg_soup_pump(struct tg_soup_session *s, int fd, uint64_t now_ns)
{
	int rc = TG_OK, wrc;

	if (s == NULL || fd < 0)
		return TG_ERR_ARG;
	/* a bounded number of reads, so one busy peer cannot starve the caller's other work */
	for (int i = 0; i < 64 && tg_soup_session_live(s); i++) {
		size_t avail;
		uint8_t *space = tg_soup_reader_space(&s->rd, &avail);
		ssize_t r;

		if (avail == 0)	/* cannot happen while whole packets are taken out; never read 0 bytes */
			break;
		r = read(fd, space, avail);

		if (r > 0) {
			tg_soup_reader_commit(&s->rd, (size_t)r);
			s->last_rx = now_ns;
			rc = process(s, now_ns);
			if (rc < 0)
				break;
			continue;
		}
		if (r == 0) {
			tg_soup_session_disconnected(s);
			return TG_ERR_DEAD;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		if (errno == ECONNRESET) {
			tg_soup_session_disconnected(s);
			return TG_ERR_DEAD;
		}
		return TG_ERR_SYS;
	}
	/* twice: what a server streams into the room the first write made goes out too */
	for (int round = 0; round < 2; round++) {
		int trc = tg_soup_session_tick(s, now_ns);

		if (rc == TG_OK && trc < 0)
			rc = trc;
		wrc = pump_write(s, fd);
		if (wrc < 0)
			return wrc;
	}
	return rc;
}

short tg_soup_poll_events(const struct tg_soup_session *s)
{
	short ev = tg_soup_session_live(s) ? POLLIN : 0;

	if (tg_soup_session_pending(s, NULL) > 0)
		ev |= POLLOUT;
	return ev;
}

int tg_soup_poll_timeout(const struct tg_soup_session *s, uint64_t now_ns)
{
	uint64_t d = tg_soup_session_deadline(s), ms;

	if (d == UINT64_MAX)
		return -1;
	if (d <= now_ns)
		return 0;
	ms = (d - now_ns + 999999u) / 1000000u;
	return ms < INT_MAX ? (int)ms : INT_MAX;
}
