/*
 * The simulated card's order-entry link: see oe_link.h.
 *
 * The connection goes BACKOFF -> CONNECTING (non-blocking connect) ->
 * LOGIN -> ACTIVE, and back to BACKOFF on any failure; ENDED after End of
 * Session, CLOSED after our logout. The socket is pumped here rather than
 * by tg_soup_pump because every byte that moves is also written to the
 * pcap file.
 *
 * Towards the card, packets wait in a queue of our own when the card's
 * input queue is full (the card stalls its responses while the host does
 * not take its events). The queue also places RESET_RX: packets of a new
 * connection wait until the card has taken the last packet of the old one,
 * then RESET_RX, then they go in; the login does not wait for that.
 * Reading the socket stops only when the queue is very long, since a
 * socket that is not read cannot tell a live server from a silent one.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "oe_link.h"
#include "oe_pcap.h"
#include "tickgate/card_regs.h"
#include "tickgate/clock.h"
#include "tickgate/soupbin_session.h"

#define BACKOFF_MIN_NS 100000000LL		/* first retry after 100 ms */
#define BACKOFF_MAX_NS 5000000000LL		/* doubling up to 5 s */
#define CONNECT_TIMEOUT_NS 5000000000LL
#define READ_BYTES 65536u
#define READS_PER_SERVICE 16
#define RXQ_CAP (4u << 20)			/* stop reading above this much queued for the card */
#define SETTLE_CYCLES 32u			/* after the card took the last byte, before RESET_RX */

struct oe_link {
	struct oe_link_config cfg;
	struct sockaddr_in addr;
	struct tg_card_model *cm;
	struct tg_soup_session *sess;
	struct oe_pcap *pcap;

	enum tg_simshm_oe_state state;
	int fd;
	int64_t retry_at;
	int64_t backoff;
	int64_t connect_deadline;
	int64_t deadline;	/* the session's next timer */
	bool want_write;	/* the card queued a packet */
	bool read_blocked;	/* reading stopped while our queue was over RXQ_CAP */
	bool reset_pending;	/* RESET_RX due once the card took rxq_old bytes */
	bool load_urn;		/* a login started a new session */
	bool logged_in_once;
	char last_session[TG_SOUP_SESSION_LEN + 1];
	/* what ended the connection */
	char reject_reason;
	int error;
	int sys_errno;
	bool peer_closed;
	bool peer_reset;
	bool in_pcap;		/* the connection's handshake is in the pcap file */
	uint64_t dropped_streak;	/* card packets dropped since the link went down */
	uint64_t in_too_long;		/* Sequenced Data packets too long for the card's queue */

	/* Sequenced Data packets waiting for room in the card's queue, whole;
	 * the first rxq_old bytes came over the previous connection */
	uint8_t *rxq;
	size_t rxq_head, rxq_len, rxq_cap, rxq_old;

	struct tg_simshm_oe st;	/* state and counters, copied into the segment */

	/* the waker thread (see oe_link.h) */
	pthread_t waker;
	bool waker_started;
	int evfd;
	int armed_fd;
	short armed_events;
	bool rearm;
	int w_fd;		/* shared with the waker: atomics */
	int w_events;
	uint32_t w_gen;
	int w_stop;
	int fired;

	uint8_t pkt[TG_SOUP_MAX_PACKET];
	uint8_t rbuf[READ_BYTES];
};

__attribute__((format(printf, 3, 4)))
static void say(const struct oe_link *l, bool failure, const char *fmt, ...)
{
	va_list ap;

	if (l->cfg.quiet && !failure)
		return;
	fputs("tickgate-sim: oe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the waker thread ---- */

static void *waker_main(void *arg)
{
	struct oe_link *l = arg;
	struct tg_simshm *h = l->cfg.shm;
	uint32_t fired_gen = 0;

	for (;;) {
		struct pollfd pfd[2] = { { .fd = l->evfd, .events = POLLIN } };
		uint32_t gen = __atomic_load_n(&l->w_gen, __ATOMIC_ACQUIRE);
		int fd = __atomic_load_n(&l->w_fd, __ATOMIC_RELAXED);
		int ev = __atomic_load_n(&l->w_events, __ATOMIC_RELAXED);
		nfds_t n = 1;
		uint64_t count;

		if (__atomic_load_n(&l->w_stop, __ATOMIC_ACQUIRE))
			break;
		/* once fired, the socket is left alone until the main loop arms it again */
		if (fd >= 0 && ev != 0 && gen != fired_gen) {
			pfd[1].fd = fd;
			pfd[1].events = (short)ev;
			n = 2;
		}
		if (poll(pfd, n, -1) < 0)
			continue;
		if ((pfd[0].revents & POLLIN) && read(l->evfd, &count, sizeof(count)) < 0) {
			/* nothing to do: the counter was drained already */
		}
		if (n == 2 && pfd[1].revents != 0 && __atomic_load_n(&l->w_gen, __ATOMIC_ACQUIRE) == gen) {
			fired_gen = gen;
			/* as a client process does: see tickgate/simshm.h */
			__atomic_store_n(&l->fired, 1, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&h->wake, 1, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&h->sim_sleeping, __ATOMIC_SEQ_CST))
				tg_simshm_futex_wake(&h->wake);
		}
	}
	return NULL;
}

static void waker_kick(struct oe_link *l)
{
	uint64_t one = 1;

	if (write(l->evfd, &one, sizeof(one)) < 0) {
		/* the counter is full: the waker has plenty of kicks to read */
	}
}

/* Tell the waker what to wait for, when that changed or after it fired. */
static void arm(struct oe_link *l)
{
	int fd = -1;
	short ev = 0;

	if (l->fd >= 0 && l->state == TG_SIMSHM_OE_CONNECTING) {
		ev = POLLOUT;
	} else if (l->fd >= 0 && tg_soup_session_live(l->sess)) {
		if (l->rxq_len < RXQ_CAP)
			ev |= POLLIN;
		if (tg_soup_session_pending(l->sess, NULL) > 0)
			ev |= POLLOUT;
	}
	if (ev != 0)
		fd = l->fd;
	if (!l->rearm && fd == l->armed_fd && ev == l->armed_events)
		return;
	l->rearm = false;
	l->armed_fd = fd;
	l->armed_events = ev;
	__atomic_store_n(&l->w_fd, fd, __ATOMIC_RELAXED);
	__atomic_store_n(&l->w_events, (int)ev, __ATOMIC_RELAXED);
	__atomic_add_fetch(&l->w_gen, 1, __ATOMIC_RELEASE);
	waker_kick(l);
}

/* ---- towards the card ---- */

static void card_write(struct oe_link *l, uint32_t reg, uint32_t value, const char *what)
{
	if (tg_cm_csr_write(l->cm, reg, value, 0xf) != TG_CM_CSR_OK)
		say(l, true, "writing %s failed", what);
}

/*
 * Move queued packets into the card while they fit; RESET_RX between the
 * last packet of the previous connection and the first of this one, once
 * the card has taken every byte before it. True when anything moved.
 */
static bool feed_card(struct oe_link *l)
{
	bool moved = false;

	while (l->rxq_len >= TG_SOUP_HDR) {
		const uint8_t *p = l->rxq + l->rxq_head;
		size_t n = TG_SOUP_HDR + ((size_t)p[0] << 8 | p[1]);

		if (l->reset_pending && l->rxq_old == 0)
			break;
		if (!tg_cm_oe_push(l->cm, p, n))
			break;
		moved = true;
		l->rxq_head += n;
		l->rxq_len -= n;
		l->rxq_old -= n < l->rxq_old ? n : l->rxq_old;
	}
	if (l->rxq_len == 0)
		l->rxq_head = 0;
	if (l->reset_pending && l->rxq_old == 0 && tg_cm_oe_pending(l->cm) == 0) {
		/* the last byte went in: let the decoder finish its packet */
		tg_cm_run(l->cm, SETTLE_CYCLES);
		card_write(l, TG_REG_OE_CONTROL, TG_OE_CONTROL_RESET_RX_MASK, "OE_CONTROL.RESET_RX");
		l->reset_pending = false;
		feed_card(l);
		return true;
	}
	return moved;
}

static bool rxq_append(struct oe_link *l, const uint8_t *p, size_t n)
{
	if (l->rxq_head > 0 && l->rxq_cap - l->rxq_head - l->rxq_len < n) {
		memmove(l->rxq, l->rxq + l->rxq_head, l->rxq_len);
		l->rxq_head = 0;
	}
	if (l->rxq_cap - l->rxq_head - l->rxq_len < n) {
		size_t cap = l->rxq_cap ? l->rxq_cap : 65536;
		uint8_t *q;

		while (cap - l->rxq_len < n)
			cap *= 2;
		q = realloc(l->rxq, cap);
		if (q == NULL)
			return false;
		l->rxq = q;
		l->rxq_cap = cap;
	}
	memcpy(l->rxq + l->rxq_head + l->rxq_len, p, n);
	l->rxq_len += n;
	return true;
}

/* A Sequenced Data message from the exchange: to the card as its whole packet. */
static void to_card(struct oe_link *l, const uint8_t *msg, size_t len)
{
	int n = tg_soup_encode(l->pkt, sizeof(l->pkt), TG_SOUP_SEQUENCED, msg, len);

	if (n < 0 || (size_t)n > TG_CM_OE_RX_BYTES) {
		/* can never fit the card's queue; OUCH messages are far shorter */
		if (l->in_too_long++ == 0)
			say(l, true, "a Sequenced Data packet of %zu bytes is too long for the card: not passed on",
			    len + 3);
		return;
	}
	l->st.packets_in++;
	if (l->rxq_len == 0 && !l->reset_pending && tg_cm_oe_push(l->cm, l->pkt, (size_t)n))
		return;
	if (!rxq_append(l, l->pkt, (size_t)n)) {
		say(l, true, "out of memory queueing a packet for the card: connection dropped");
		tg_soup_session_disconnected(l->sess);
	}
}

void oe_link_card_packet(void *ctx, uint64_t core_cycle, const uint8_t *data, size_t len)
{
	struct oe_link *l = ctx;
	struct tg_soup_packet pkt;
	int rc = tg_soup_decode(data, len, &pkt);

	(void)core_cycle;
	if (rc < 0 || (size_t)rc != len || pkt.type != TG_SOUP_UNSEQUENCED) {
		/* never send what would break the stream's framing */
		l->st.dropped++;
		say(l, true, "the card sent a malformed packet (%zu bytes, %s): dropped", len,
		    rc < 0 ? tg_strerror(rc) : "not one Unsequenced Data packet");
		return;
	}
	if (l->state != TG_SIMSHM_OE_ACTIVE) {
		l->st.dropped++;
		if (l->dropped_streak++ == 0)
			say(l, true, "the card sent an order while the link is %s: dropped (counting)",
			    l->state == TG_SIMSHM_OE_LOGIN ? "logging in" : "down");
		return;
	}
	rc = tg_soup_client_send(l->sess, pkt.payload, pkt.len, (uint64_t)tg_monotonic_ns());
	if (rc < 0) {
		l->st.dropped++;
		say(l, true, "cannot queue the card's packet (%s): dropped", tg_strerror(rc));
		return;
	}
	l->st.packets_out++;
	l->want_write = true;
}

/* ---- the session ---- */

static void on_event(void *ctx, const struct tg_soup_event *ev)
{
	struct oe_link *l = ctx;

	switch (ev->type) {
	case TG_SOUP_EV_LOGIN_ACCEPTED:
		l->st.logins++;
		l->backoff = BACKOFF_MIN_NS;
		if (!l->logged_in_once || strcmp(ev->session, l->last_session) != 0)
			l->load_urn = true;
		l->logged_in_once = true;
		snprintf(l->last_session, sizeof(l->last_session), "%s", ev->session);
		snprintf(l->st.session, sizeof(l->st.session), "%s", ev->session);
		l->state = TG_SIMSHM_OE_ACTIVE;
		if (l->dropped_streak > 0)
			say(l, true, "%llu packets of the card were dropped while the link was down",
			    (unsigned long long)l->dropped_streak);
		l->dropped_streak = 0;
		if (ev->seq != ev->requested)
			say(l, true, "logged in to session '%s': the server resumes at sequence %llu, "
				     "not %llu as asked; counting from its number",
			    ev->session, (unsigned long long)ev->seq, (unsigned long long)ev->requested);
		else
			say(l, false, "logged in to session '%s', next sequence %llu%s", ev->session,
			    (unsigned long long)ev->seq, l->load_urn ? " (new session: UserRefNums restart)" : "");
		break;
	case TG_SOUP_EV_LOGIN_REJECTED:
		l->reject_reason = ev->reason;
		break;
	case TG_SOUP_EV_SEQUENCED:
		to_card(l, ev->data, ev->len);
		break;
	case TG_SOUP_EV_DEBUG:
		if (!l->cfg.quiet) {
			char text[128];
			size_t n = ev->len < sizeof(text) - 1 ? ev->len : sizeof(text) - 1;

			for (size_t i = 0; i < n; i++)
				text[i] = ev->data[i] >= 0x20 && ev->data[i] < 0x7f ? (char)ev->data[i] : '?';
			text[n] = '\0';
			say(l, false, "server debug: %s", text);
		}
		break;
	case TG_SOUP_EV_DEAD:
	case TG_SOUP_EV_ERROR:
		l->error = ev->error;
		break;
	default:
		break;
	}
}

static void write_pending(struct oe_link *l)
{
	const uint8_t *data;
	size_t n;

	while (l->fd >= 0 && (n = tg_soup_session_pending(l->sess, &data)) > 0) {
		ssize_t w = send(l->fd, data, n, MSG_NOSIGNAL);

		if (w > 0) {
			if (l->in_pcap)
				oe_pcap_data(l->pcap, true, data, (size_t)w);
			l->st.bytes_out += (uint64_t)w;
			tg_soup_session_consumed(l->sess, (size_t)w);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		l->sys_errno = w < 0 ? errno : EPIPE;
		l->peer_reset = l->sys_errno == ECONNRESET;
		tg_soup_session_disconnected(l->sess);
		return;
	}
}

static void update_deadline(struct oe_link *l)
{
	uint64_t d = tg_soup_session_deadline(l->sess);

	l->deadline = d >= (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
}

static void close_conn(struct oe_link *l)
{
	if (l->fd < 0)
		return;
	if (l->in_pcap) {
		l->in_pcap = false;
		if (l->peer_reset) {
			oe_pcap_reset(l->pcap, false);
		} else {
			if (l->peer_closed)
				oe_pcap_fin(l->pcap, false);
			oe_pcap_fin(l->pcap, true);
		}
	}
	/* the waker lets go of the socket before it is closed */
	__atomic_store_n(&l->w_fd, -1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&l->w_gen, 1, __ATOMIC_RELEASE);
	waker_kick(l);
	l->armed_fd = -1;
	l->armed_events = 0;
	shutdown(l->fd, SHUT_RDWR);
	close(l->fd);
	l->fd = -1;
}

static void retry_later(struct oe_link *l, int64_t now)
{
	l->state = TG_SIMSHM_OE_BACKOFF;
	l->retry_at = now + l->backoff;
	say(l, false, "reconnecting in %lld ms", (long long)(l->backoff / 1000000));
	l->backoff = l->backoff * 2 < BACKOFF_MAX_NS ? l->backoff * 2 : BACKOFF_MAX_NS;
}

static const char *reject_text(char reason)
{
	switch (reason) {
	case TG_SOUP_REJECT_NOT_AUTHORIZED:
		return "not authorized (username or password)";
	case TG_SOUP_REJECT_SESSION:
		return "session not available";
	default:
		return "unknown reason";
	}
}

/* The session is no longer live: say why, count, close, retry unless the session ended. */
static void conn_over(struct oe_link *l, int64_t now)
{
	enum tg_soup_state ss = tg_soup_session_state(l->sess);

	write_pending(l);	/* what a final state queued */
	switch (ss) {
	case TG_SOUP_REJECTED:
		l->st.login_rejects++;
		say(l, true, "login as '%s' rejected: %s (%c)", l->cfg.username, reject_text(l->reject_reason),
		    l->reject_reason ? l->reject_reason : '?');
		/* a server that refuses us now will for a while: do not hammer it */
		l->backoff = BACKOFF_MAX_NS;
		break;
	case TG_SOUP_DEAD:
		l->st.timeouts++;
		say(l, true, "the server sent nothing for %llu s: connection given up",
		    (unsigned long long)(TG_SOUP_TIMEOUT_NS / 1000000000ull));
		break;
	case TG_SOUP_FAILED:
		l->st.disconnects++;
		say(l, true, "the server broke the SoupBinTCP protocol (%s): connection closed", tg_strerror(l->error));
		break;
	case TG_SOUP_ENDED:
		say(l, true, "End of Session: the server's session '%s' is over; not reconnecting", l->last_session);
		break;
	default:
		l->st.disconnects++;
		if (l->peer_reset || l->sys_errno != 0)
			say(l, true, "connection lost: %s", strerror(l->sys_errno ? l->sys_errno : ECONNRESET));
		else
			say(l, true, "connection closed by the server");
		break;
	}
	close_conn(l);
	if (ss == TG_SOUP_ENDED)
		l->state = TG_SIMSHM_OE_ENDED;
	else
		retry_later(l, now);
}

/* One round over the socket: read (unless the card is full), timers, write. */
static void pump(struct oe_link *l, int64_t now)
{
	uint64_t t = (uint64_t)now;

	for (int i = 0; i < READS_PER_SERVICE && l->rxq_len < RXQ_CAP && tg_soup_session_live(l->sess); i++) {
		ssize_t r = read(l->fd, l->rbuf, sizeof(l->rbuf));

		if (r > 0) {
			if (l->in_pcap)
				oe_pcap_data(l->pcap, false, l->rbuf, (size_t)r);
			l->st.bytes_in += (uint64_t)r;
			/* errors leave the session FAILED: conn_over says which */
			if (tg_soup_session_input(l->sess, l->rbuf, (size_t)r, t) < 0)
				break;
			continue;
		}
		if (r == 0) {
			l->peer_closed = true;
			tg_soup_session_disconnected(l->sess);
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		l->sys_errno = errno;
		l->peer_reset = errno == ECONNRESET;
		tg_soup_session_disconnected(l->sess);
		break;
	}
	l->read_blocked = l->rxq_len >= RXQ_CAP;
	if (l->load_urn && tg_soup_session_live(l->sess)) {
		l->load_urn = false;
		card_write(l, TG_REG_OE_URN_LOAD, 1, "OE_URN_LOAD");
		card_write(l, TG_REG_OE_CONTROL, TG_OE_CONTROL_LOAD_URN_MASK, "OE_CONTROL.LOAD_URN");
	}
	if (tg_soup_session_live(l->sess) && tg_soup_session_tick(l->sess, t) < 0) {
		/* DEAD: conn_over below */
	}
	write_pending(l);
	l->want_write = false;
	if (!tg_soup_session_live(l->sess))
		conn_over(l, now);
	else
		update_deadline(l);
}

/* ---- connecting ---- */

static void connect_failed(struct oe_link *l, int64_t now, int err)
{
	l->st.connect_failures++;
	say(l, true, "cannot connect to %s:%s: %s", l->cfg.host, l->cfg.port, strerror(err));
	close_conn(l);
	retry_later(l, now);
}

static void connected(struct oe_link *l, int64_t now)
{
	struct sockaddr_in me;
	socklen_t n = sizeof(me);
	const char *name;
	int rc;

	l->st.connects++;
	if (l->pcap != NULL) {
		if (getsockname(l->fd, (struct sockaddr *)&me, &n) != 0)
			memset(&me, 0, sizeof(me));
		oe_pcap_connect(l->pcap, ntohl(me.sin_addr.s_addr), ntohs(me.sin_port),
				ntohl(l->addr.sin_addr.s_addr), ntohs(l->addr.sin_port));
		l->in_pcap = true;
	}
	/* what the previous connection left for the card goes in before RESET_RX */
	l->reset_pending = true;
	l->rxq_old = l->rxq_len;
	feed_card(l);
	rc = tg_soup_session_connected(l->sess, (uint64_t)now);
	if (rc < 0) {
		say(l, true, "cannot start a login: %s", tg_strerror(rc));
		close_conn(l);
		l->state = TG_SIMSHM_OE_ENDED;
		return;
	}
	l->state = TG_SIMSHM_OE_LOGIN;
	/* the session asks for the name it last logged in to, else the configured one */
	name = tg_soup_session_name(l->sess);
	say(l, false, "connected to %s:%s, logging in as '%s' to %s%s%s from sequence %llu", l->cfg.host,
	    l->cfg.port, l->cfg.username, name[0] ? "session '" : "the current session", name, name[0] ? "'" : "",
	    (unsigned long long)tg_soup_session_next_seq(l->sess));
	write_pending(l);
	if (!tg_soup_session_live(l->sess))
		conn_over(l, now);
	else
		update_deadline(l);
}

static void start_connect(struct oe_link *l, int64_t now)
{
	int one = 1;

	l->peer_closed = l->peer_reset = false;
	l->sys_errno = 0;
	l->error = 0;
	l->reject_reason = 0;
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		connect_failed(l, now, errno);
		return;
	}
	/* orders go out as they come, not batched by Nagle's algorithm */
	(void)setsockopt(l->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(l->fd, (const struct sockaddr *)&l->addr, sizeof(l->addr)) == 0) {
		connected(l, now);
		return;
	}
	if (errno != EINPROGRESS) {
		connect_failed(l, now, errno);
		return;
	}
	l->state = TG_SIMSHM_OE_CONNECTING;
	l->connect_deadline = now + CONNECT_TIMEOUT_NS;
}

static void finish_connect(struct oe_link *l, int64_t now)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLOUT };
	int err = 0;
	socklen_t n = sizeof(err);

	if (poll(&pfd, 1, 0) <= 0) {
		if (now >= l->connect_deadline)
			connect_failed(l, now, ETIMEDOUT);
		return;
	}
	if (getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &err, &n) != 0)
		err = errno;
	if (err != 0) {
		connect_failed(l, now, err);
		return;
	}
	connected(l, now);
}

/* ---- the main loop's calls ---- */

bool oe_link_service(struct oe_link *l, int64_t now)
{
	bool fired = __atomic_load_n(&l->fired, __ATOMIC_RELAXED) &&
		     __atomic_exchange_n(&l->fired, 0, __ATOMIC_ACQ_REL);
	bool busy = false;

	if (fired)
		l->rearm = true;
	if ((l->rxq_len > 0 || l->reset_pending) && feed_card(l))
		busy = true;
	switch (l->state) {
	case TG_SIMSHM_OE_BACKOFF:
		if (now >= l->retry_at) {
			start_connect(l, now);
			busy = true;
		}
		break;
	case TG_SIMSHM_OE_CONNECTING:
		if (fired || now >= l->connect_deadline) {
			finish_connect(l, now);
			busy = true;
		}
		break;
	case TG_SIMSHM_OE_LOGIN:
	case TG_SIMSHM_OE_ACTIVE:
		if (fired || l->want_write || now >= l->deadline || (l->read_blocked && l->rxq_len < RXQ_CAP)) {
			pump(l, now);
			busy = true;
		}
		break;
	default:
		break;
	}
	if (busy || fired) {
		arm(l);
		oe_link_publish(l);
	}
	return busy;
}

bool oe_link_ready(const struct oe_link *l)
{
	return __atomic_load_n(&l->fired, __ATOMIC_SEQ_CST) != 0;
}

int64_t oe_link_next_ns(const struct oe_link *l, int64_t now)
{
	int64_t at = INT64_MAX;

	/*
	 * Packets waiting for the card need no timer: they wait because the
	 * card's queue is full, and the card takes them while the clock runs
	 * (or stalls until the host takes its events, which wakes us).
	 */
	if (l->want_write)
		return 0;
	switch (l->state) {
	case TG_SIMSHM_OE_BACKOFF:
		at = l->retry_at;
		break;
	case TG_SIMSHM_OE_CONNECTING:
		at = l->connect_deadline;
		break;
	case TG_SIMSHM_OE_LOGIN:
	case TG_SIMSHM_OE_ACTIVE:
		at = l->deadline;
		break;
	default:
		break;
	}
	if (at == INT64_MAX)
		return INT64_MAX;
	return at > now ? at - now : 0;
}

/* Wait for the socket, at most until deadline; false when the time is up. */
static bool wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t left = deadline - tg_monotonic_ns();

	if (left <= 0)
		return false;
	return poll(&pfd, 1, (int)((left + 999999) / 1000000)) > 0;
}

void oe_link_stop(struct oe_link *l, int64_t timeout_ns)
{
	int64_t deadline = tg_monotonic_ns() + timeout_ns;

	if (l->fd >= 0 && tg_soup_session_live(l->sess)) {
		if (tg_soup_client_logout(l->sess, (uint64_t)tg_monotonic_ns()) == TG_OK) {
			while (l->fd >= 0 && tg_soup_session_pending(l->sess, NULL) > 0 &&
			       wait_fd(l->fd, POLLOUT, deadline))
				write_pending(l);
			if (tg_soup_session_pending(l->sess, NULL) == 0) {
				/* our FIN; the server closes after a logout: read up to its FIN */
				shutdown(l->fd, SHUT_WR);
				if (l->in_pcap)
					oe_pcap_fin(l->pcap, true);
				while (wait_fd(l->fd, POLLIN, deadline)) {
					ssize_t r = read(l->fd, l->rbuf, sizeof(l->rbuf));

					if (r > 0 && l->in_pcap)
						oe_pcap_data(l->pcap, false, l->rbuf, (size_t)r);
					if (r == 0)
						l->peer_closed = true;
					if (r <= 0 && !(r < 0 && errno == EINTR))
						break;
				}
				say(l, false, "logged out of session '%s'", l->last_session);
			}
		}
	}
	close_conn(l);
	l->state = TG_SIMSHM_OE_CLOSED;
	oe_link_publish(l);
}

void oe_link_publish(struct oe_link *l)
{
	struct tg_simshm_oe *o = &l->cfg.shm->oe;

	l->st.state = l->state;
	l->st.soup_state = tg_soup_session_state(l->sess);
	l->st.next_seq = tg_soup_session_next_seq(l->sess);
	__atomic_store_n(&o->state, l->st.state, __ATOMIC_RELAXED);
	__atomic_store_n(&o->soup_state, l->st.soup_state, __ATOMIC_RELAXED);
	__atomic_store_n(&o->next_seq, l->st.next_seq, __ATOMIC_RELAXED);
	__atomic_store_n(&o->connects, l->st.connects, __ATOMIC_RELAXED);
	__atomic_store_n(&o->connect_failures, l->st.connect_failures, __ATOMIC_RELAXED);
	__atomic_store_n(&o->logins, l->st.logins, __ATOMIC_RELAXED);
	__atomic_store_n(&o->login_rejects, l->st.login_rejects, __ATOMIC_RELAXED);
	__atomic_store_n(&o->timeouts, l->st.timeouts, __ATOMIC_RELAXED);
	__atomic_store_n(&o->disconnects, l->st.disconnects, __ATOMIC_RELAXED);
	__atomic_store_n(&o->packets_out, l->st.packets_out, __ATOMIC_RELAXED);
	__atomic_store_n(&o->packets_in, l->st.packets_in, __ATOMIC_RELAXED);
	__atomic_store_n(&o->bytes_out, l->st.bytes_out, __ATOMIC_RELAXED);
	__atomic_store_n(&o->bytes_in, l->st.bytes_in, __ATOMIC_RELAXED);
	__atomic_store_n(&o->dropped, l->st.dropped, __ATOMIC_RELAXED);
	for (size_t i = 0; i < sizeof(o->session); i++)
		__atomic_store_n(&o->session[i], l->st.session[i], __ATOMIC_RELAXED);
}

void oe_link_report(const struct oe_link *l, FILE *f)
{
	fprintf(f,
		"tickgate-sim: oe: %llu connections (%llu failed), %llu logins (%llu rejected), %llu timeouts, "
		"%llu lost; %llu packets out, %llu in, %llu dropped\n",
		(unsigned long long)l->st.connects, (unsigned long long)l->st.connect_failures,
		(unsigned long long)l->st.logins, (unsigned long long)l->st.login_rejects,
		(unsigned long long)l->st.timeouts, (unsigned long long)l->st.disconnects,
		(unsigned long long)l->st.packets_out, (unsigned long long)l->st.packets_in,
		(unsigned long long)l->st.dropped);
	if (l->pcap != NULL && oe_pcap_failed(l->pcap))
		fprintf(f, "tickgate-sim: oe: writing %s failed: the capture is incomplete\n", l->cfg.pcap_path);
}

void oe_link_set_card(struct oe_link *l, struct tg_card_model *cm)
{
	l->cm = cm;
}

int oe_link_new(const struct oe_link_config *cfg, struct oe_link **out, char *err, size_t errlen)
{
	struct tg_soup_client_config cc = {
		.username = cfg->username,
		.password = cfg->password,
		.session = cfg->session,
		.seq = cfg->seq,
	};
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	struct oe_link *l;
	int rc;

	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->cfg = *cfg;
	l->fd = -1;
	l->evfd = -1;
	l->armed_fd = -1;
	l->w_fd = -1;
	l->backoff = BACKOFF_MIN_NS;
	l->state = TG_SIMSHM_OE_BACKOFF;
	l->retry_at = 0;	/* connect at once */
	l->deadline = INT64_MAX;
	rc = getaddrinfo(cfg->host, cfg->port, &hints, &ai);
	if (rc != 0 || ai == NULL) {
		snprintf(err, errlen, "--oe-connect: cannot resolve %s:%s (IPv4): %s", cfg->host, cfg->port,
			 rc != 0 ? gai_strerror(rc) : "no address");
		free(l);
		return -1;
	}
	memcpy(&l->addr, ai->ai_addr, sizeof(l->addr));
	freeaddrinfo(ai);
	struct tg_soup_handlers h = { .event = on_event, .ctx = l };

	rc = tg_soup_client_new(&cc, &h, &l->sess);
	if (rc < 0) {
		snprintf(err, errlen, "order-entry session: %s (check --oe-user, --oe-password, --oe-session)",
			 tg_strerror(rc));
		free(l);
		return -1;
	}
	if (cfg->pcap_path != NULL) {
		char why[256];

		l->pcap = oe_pcap_open(cfg->pcap_path, why, sizeof(why));
		if (l->pcap == NULL) {
			snprintf(err, errlen, "--oe-pcap: %s", why);
			oe_link_free(l);
			return -1;
		}
	}
	l->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->evfd < 0 || pthread_create(&l->waker, NULL, waker_main, l) != 0) {
		snprintf(err, errlen, "cannot start the order-entry waker: %s", strerror(errno));
		oe_link_free(l);
		return -1;
	}
	l->waker_started = true;
	oe_link_publish(l);
	*out = l;
	return 0;
}

void oe_link_free(struct oe_link *l)
{
	if (l == NULL)
		return;
	close_conn(l);
	if (l->waker_started) {
		__atomic_store_n(&l->w_stop, 1, __ATOMIC_RELEASE);
		waker_kick(l);
		pthread_join(l->waker, NULL);
	}
	if (l->evfd >= 0)
		close(l->evfd);
	oe_pcap_close(l->pcap);
	tg_soup_session_free(l->sess);
	free(l->rxq);
	free(l);
}
