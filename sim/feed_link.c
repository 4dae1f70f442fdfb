/* The simulated card's market-data link over UDP: see feed_link.h. */
#include "feed_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "card_regs.h"
#include "tickgate/itch50.h"
#include "tickgate/mold_frame.h"

#define QUEUE_CAP 2048u			/* datagrams */
#define DGRAM_MAX TG_MOLD_MAX_PAYLOAD
#define RETRY_NS 100000000LL		/* a request that brought nothing is repeated */
#define REQUEST_MAX 65534u		/* messages per request (the count is 16 bits; 0xffff is special) */

struct dgram {
	uint16_t len;
	bool retrans;
	uint32_t src_ip;
	uint16_t src_port;
	uint8_t data[DGRAM_MAX];
};

struct feed_link {
	struct feed_link_config cfg;
	struct tg_card_model *cm;
	int fd;				/* the feed */
	int req_fd;			/* requests out, answers in; -1 without --feed-retrans */
	struct sockaddr_in group;	/* ADDR:PORT */
	struct sockaddr_in server;	/* the retransmission server */

	/* receiver thread -> main thread */
	pthread_mutex_t lock;
	struct dgram *q;
	unsigned q_head, q_len;		/* under lock */
	uint64_t q_drops;		/* under lock */
	pthread_t rx;
	bool rx_started;
	int evfd;			/* stops the receiver */
	int stop;			/* atomic */

	/* main thread */
	struct tg_mold_frame_params fp;
	uint8_t session[10];
	bool have_session;
	uint64_t seen_end;		/* one past the last message seen on the feed */
	bool check;			/* frames went in since the last look at FEED_STATUS */
	uint64_t req_seq;		/* the last request: first message, and when */
	int64_t req_ns;
	bool holding;
	struct feed_link_stats st;
	uint64_t drops_seen;		/* queue drops already reported as the last error */
	char error[TG_SIMSHM_FEED_ERROR_BYTES];	/* the last error, for the segment */
	bool error_changed;		/* not yet published */
};

static int parse_addr(const char *arg, struct sockaddr_in *sa, char *err, size_t errlen, const char *what)
{
	char host[256];
	const char *colon = strrchr(arg, ':');
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM }, *res = NULL;
	char *end;
	unsigned long port;

	if (colon == NULL || colon == arg || (size_t)(colon - arg) >= sizeof(host)) {
		snprintf(err, errlen, "%s: not ADDR:PORT: %s", what, arg);
		return -1;
	}
	memcpy(host, arg, (size_t)(colon - arg));
	host[colon - arg] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || port == 0 || port > 65535) {
		snprintf(err, errlen, "%s: not a port: %s", what, colon + 1);
		return -1;
	}
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL) {
		snprintf(err, errlen, "%s: cannot resolve %s", what, host);
		return -1;
	}
	memcpy(sa, res->ai_addr, sizeof(*sa));
	sa->sin_port = htons((uint16_t)port);
	freeaddrinfo(res);
	return 0;
}

/* ---- the receiver thread ---- */

static void take(struct feed_link *l, int fd, bool retrans)
{
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	uint8_t buf[DGRAM_MAX + 1];
	ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);

	if (n < 0)
		return;
	pthread_mutex_lock(&l->lock);
	if (l->q_len == QUEUE_CAP) {
		l->q_drops++;
	} else {
		struct dgram *d = &l->q[(l->q_head + l->q_len) % QUEUE_CAP];

		/* one byte too many marks a datagram too long for a frame */
		d->len = (uint16_t)n;
		d->retrans = retrans;
		d->src_ip = ntohl(from.sin_addr.s_addr);
		d->src_port = ntohs(from.sin_port);
		memcpy(d->data, buf, (size_t)n <= DGRAM_MAX ? (size_t)n : DGRAM_MAX);
		l->q_len++;
	}
	pthread_mutex_unlock(&l->lock);
}

static void *rx_main(void *arg)
{
	struct feed_link *l = arg;
	struct tg_simshm *h = l->cfg.shm;

	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd pfd[3] = {
			{ .fd = l->evfd, .events = POLLIN },
			{ .fd = l->fd, .events = POLLIN },
			{ .fd = l->req_fd, .events = POLLIN },
		};

		if (poll(pfd, l->req_fd >= 0 ? 3 : 2, -1) < 0)
			continue;
		if (pfd[1].revents & POLLIN)
			take(l, l->fd, false);
		if (l->req_fd >= 0 && (pfd[2].revents & POLLIN))
			take(l, l->req_fd, true);
		if ((pfd[1].revents | pfd[2].revents) & POLLIN) {
			/* as a client process does: see tickgate/simshm.h */
			__atomic_add_fetch(&h->wake, 1, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&h->sim_sleeping, __ATOMIC_SEQ_CST))
				tg_simshm_futex_wake(&h->wake);
		}
	}
	return NULL;
}

/* ---- the main thread ---- */

/* The last error, for the segment (feed_link_publish). */
static void set_error(struct feed_link *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct feed_link *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->error, sizeof(l->error), fmt, ap);
	va_end(ap);
	l->error_changed = true;
}

static bool csr_read(struct feed_link *l, uint32_t reg, uint32_t *v)
{
	return tg_cm_csr_read(l->cm, reg, v) == TG_CM_CSR_OK;
}

static bool csr_read64(struct feed_link *l, uint32_t lo, uint64_t *v)
{
	uint32_t a, b;

	if (!csr_read(l, lo, &a) || !csr_read(l, lo + 4, &b))
		return false;
	*v = (uint64_t)b << 32 | a;
	return true;
}

/* One datagram into the card as a frame. False when the card's queue is full (try again later). */
static bool push(struct feed_link *l, const struct dgram *d)
{
	uint8_t frame[TG_MOLD_FRAME_HDR + 4 + DGRAM_MAX];
	size_t len;

	if (d->len < TG_MOLD_HDR || d->len > DGRAM_MAX) {
		l->st.malformed++;
		if (d->len < TG_MOLD_HDR)
			set_error(l, "a datagram of %u bytes: shorter than a MoldUDP64 header", (unsigned)d->len);
		else
			set_error(l, "a datagram over %u bytes: too long for a frame", DGRAM_MAX);
		return true;
	}
	uint64_t seq = tg_be(d->data + 10, 8);
	uint16_t count = (uint16_t)tg_be(d->data + 18, 2);

	if (tg_cm_net_pending(l->cm) >= TG_CM_NET_QUEUE)
		return false;
	memcpy(l->fp.session, d->data, 10);
	l->fp.src_ip = d->src_ip;
	l->fp.src_port = d->src_port;
	l->fp.ip_id++;
	len = tg_mold_frame(frame, sizeof(frame), &l->fp, seq, count, d->data + TG_MOLD_HDR,
			    d->len - TG_MOLD_HDR);
	if (len == 0) {
		l->st.malformed++;
		set_error(l, "a datagram of %u bytes: its messages do not fit a frame", (unsigned)d->len);
		return true;
	}
	if (!tg_cm_net_push(l->cm, frame, len))
		return false;
	l->st.frames++;
	if (d->retrans) {
		l->st.retrans_datagrams++;
	} else {
		l->st.datagrams++;
		if (!l->have_session || memcmp(l->session, d->data, 10) != 0) {
			memcpy(l->session, d->data, 10);
			l->have_session = true;
			l->seen_end = 0;
		}
		uint64_t end = count == 0xffff ? seq : seq + count;

		if (end > l->seen_end)
			l->seen_end = end;
	}
	l->check = true;
	return true;
}

static void request(struct feed_link *l, uint64_t next, int64_t now_ns)
{
	uint8_t pkt[TG_MOLD_HDR];
	uint64_t want = l->seen_end > next ? l->seen_end - next : 1;

	if (want > REQUEST_MAX)
		want = REQUEST_MAX;
	memcpy(pkt, l->session, 10);
	for (unsigned i = 0; i < 8; i++)
		pkt[10 + i] = (uint8_t)(next >> (56 - 8 * i));
	pkt[18] = (uint8_t)(want >> 8);
	pkt[19] = (uint8_t)want;
	if (sendto(l->req_fd, pkt, sizeof(pkt), 0, (const struct sockaddr *)&l->server, sizeof(l->server)) < 0) {
		l->st.send_errors++;
		set_error(l, "retransmission request: %s", strerror(errno));
		fprintf(stderr, "tickgate-sim: feed %s\n", l->error);
	} else {
		l->st.requests++;
		l->st.requested_messages += want;
		if (!l->cfg.quiet)
			fprintf(stderr, "tickgate-sim: feed gap: requesting %" PRIu64 " messages from %" PRIu64 "\n",
				want, next);
	}
	l->req_seq = next;
	l->req_ns = now_ns;
}

/* The card's gap hold: ask for what it is missing, once per hold and then every RETRY_NS. */
static void recover(struct feed_link *l, int64_t now_ns)
{
	uint32_t status;
	uint64_t next;

	if (!csr_read(l, TG_REG_FEED_STATUS, &status) || !csr_read64(l, TG_REG_FEED_NEXT_SEQ_LO, &next))
		return;
	if (!(status & TG_FEED_STATUS_HOLDING_MASK)) {
		l->holding = false;
		return;
	}
	if (!l->holding) {
		l->holding = true;
		l->st.holds++;
	}
	if (!l->have_session)
		return;
	if (l->req_ns == 0 || next != l->req_seq || now_ns - l->req_ns >= RETRY_NS)
		request(l, next, now_ns);
}

bool feed_link_service(struct feed_link *l, int64_t now_ns)
{
	bool did = false;

	for (;;) {
		struct dgram *d;

		pthread_mutex_lock(&l->lock);
		d = l->q_len > 0 ? &l->q[l->q_head] : NULL;
		pthread_mutex_unlock(&l->lock);
		/* only this thread removes entries, so d stays valid */
		if (d == NULL || !push(l, d))
			break;
		pthread_mutex_lock(&l->lock);
		l->q_head = (l->q_head + 1) % QUEUE_CAP;
		l->q_len--;
		pthread_mutex_unlock(&l->lock);
		did = true;
	}
	if (l->req_fd >= 0 && tg_cm_net_pending(l->cm) == 0 &&
	    (l->check || (l->holding && now_ns - l->req_ns >= RETRY_NS))) {
		/* let the last frame reach the sequencer before looking */
		tg_cm_run(l->cm, 64);
		l->check = false;
		recover(l, now_ns);
	}
	return did;
}

int64_t feed_link_next_ns(const struct feed_link *l, int64_t now_ns)
{
	if (l->req_fd < 0 || !l->holding)
		return -1;
	int64_t due = l->req_ns + RETRY_NS - now_ns;

	return due > 0 ? due : 0;
}

void feed_link_stats(const struct feed_link *l, struct feed_link_stats *out)
{
	*out = l->st;
	pthread_mutex_lock((pthread_mutex_t *)&l->lock);
	out->queue_drops = l->q_drops;
	pthread_mutex_unlock((pthread_mutex_t *)&l->lock);
}

void feed_link_publish(struct feed_link *l)
{
	struct tg_simshm_feed *o = &l->cfg.shm->feed;
	struct feed_link_stats st;

	feed_link_stats(l, &st);
	if (st.queue_drops > l->drops_seen) {
		set_error(l, "receive queue full: %" PRIu64 " datagrams dropped", st.queue_drops);
		l->drops_seen = st.queue_drops;
	}
	__atomic_store_n(&o->state, l->holding ? TG_SIMSHM_FEED_RECOVERING : TG_SIMSHM_FEED_RECEIVING,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&o->retrans, l->req_fd >= 0, __ATOMIC_RELAXED);
	__atomic_store_n(&o->datagrams, st.datagrams, __ATOMIC_RELAXED);
	__atomic_store_n(&o->retrans_datagrams, st.retrans_datagrams, __ATOMIC_RELAXED);
	__atomic_store_n(&o->frames, st.frames, __ATOMIC_RELAXED);
	__atomic_store_n(&o->queue_drops, st.queue_drops, __ATOMIC_RELAXED);
	__atomic_store_n(&o->malformed, st.malformed, __ATOMIC_RELAXED);
	__atomic_store_n(&o->requests, st.requests, __ATOMIC_RELAXED);
	__atomic_store_n(&o->requested_messages, st.requested_messages, __ATOMIC_RELAXED);
	__atomic_store_n(&o->holds, st.holds, __ATOMIC_RELAXED);
	__atomic_store_n(&o->send_errors, st.send_errors, __ATOMIC_RELAXED);
	if (l->error_changed) {
		/* seqlock (simshm.h): odd, the text, even again */
		uint32_t seq = __atomic_load_n(&o->error_seq, __ATOMIC_RELAXED);

		__atomic_store_n(&o->error_seq, seq + 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);	/* odd before any byte of the text */
		for (size_t i = 0; i < sizeof(o->error); i++)
			__atomic_store_n(&o->error[i], l->error[i], __ATOMIC_RELAXED);
		__atomic_store_n(&o->error_seq, seq + 2, __ATOMIC_RELEASE);	/* pairs with the reader's acquire */
		l->error_changed = false;
	}
}

int feed_link_set_card(struct feed_link *l, struct tg_card_model *cm, char *err, size_t errlen)
{
	uint32_t ctl = TG_FEED_CONTROL_SEQ_CHECK_MASK | TG_FEED_CONTROL_ACCEPT_ALL_MASK;

	if (l->req_fd >= 0)
		ctl |= TG_FEED_CONTROL_GAP_HOLD_MASK;
	l->cm = cm;
	if (tg_cm_csr_write(cm, TG_REG_FEED_CONTROL, ctl, 0xf) != TG_CM_CSR_OK ||
	    tg_cm_csr_write(cm, TG_REG_FEED_SEQ_RESET, TG_FEED_SEQ_RESET_GO_MASK, 0xf) != TG_CM_CSR_OK) {
		snprintf(err, errlen, "cannot configure the card's feed");
		return -1;
	}
	return 0;
}

static int open_socket(struct feed_link *l, char *err, size_t errlen)
{
	int one = 1, rcvbuf = 4 << 20;
	bool multicast = IN_MULTICAST(ntohl(l->group.sin_addr.s_addr));
	struct sockaddr_in bind_to = l->group;

	l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		snprintf(err, errlen, "--feed-udp: socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0) {
		/* defaults work too */
	}
	if (bind(l->fd, (const struct sockaddr *)&bind_to, sizeof(bind_to)) != 0) {
		snprintf(err, errlen, "--feed-udp: cannot bind %s:%u: %s", inet_ntoa(l->group.sin_addr),
			 ntohs(l->group.sin_port), strerror(errno));
		return -1;
	}
	if (multicast) {
		struct ip_mreq mreq = { .imr_multiaddr = l->group.sin_addr };

		mreq.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
		if (setsockopt(l->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) != 0) {
			snprintf(err, errlen, "--feed-udp: cannot join %s on loopback: %s",
				 inet_ntoa(l->group.sin_addr), strerror(errno));
			return -1;
		}
	}
	if (l->cfg.retrans != NULL) {
		struct sockaddr_in any = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		if (parse_addr(l->cfg.retrans, &l->server, err, errlen, "--feed-retrans") != 0)
			return -1;
		l->req_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (l->req_fd < 0 || bind(l->req_fd, (const struct sockaddr *)&any, sizeof(any)) != 0) {
			snprintf(err, errlen, "--feed-retrans: socket: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

int feed_link_new(const struct feed_link_config *cfg, struct feed_link **out, char *err, size_t errlen)
{
	struct feed_link *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (l == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->cfg = *cfg;
	l->fd = l->req_fd = l->evfd = -1;
	pthread_mutex_init(&l->lock, NULL);
	l->q = calloc(QUEUE_CAP, sizeof(*l->q));
	if (l->q == NULL || parse_addr(cfg->listen, &l->group, err, errlen, "--feed-udp") != 0 ||
	    open_socket(l, err, errlen) != 0) {
		if (l->q == NULL)
			snprintf(err, errlen, "out of memory");
		feed_link_free(l);
		return -1;
	}
	tg_mold_frame_defaults(&l->fp, "");
	l->fp.dst_ip = ntohl(l->group.sin_addr.s_addr);
	l->fp.dst_port = ntohs(l->group.sin_port);
	l->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->evfd < 0 || pthread_create(&l->rx, NULL, rx_main, l) != 0) {
		snprintf(err, errlen, "cannot start the feed receiver: %s", strerror(errno));
		feed_link_free(l);
		return -1;
	}
	l->rx_started = true;
	*out = l;
	return 0;
}

void feed_link_free(struct feed_link *l)
{
	if (l == NULL)
		return;
	if (l->rx_started) {
		uint64_t one = 1;

		__atomic_store_n(&l->stop, 1, __ATOMIC_RELEASE);
		if (write(l->evfd, &one, sizeof(one)) < 0) {
			/* the counter is full: the receiver wakes anyway */
		}
		pthread_join(l->rx, NULL);
	}
	if (l->evfd >= 0)
		close(l->evfd);
	if (l->fd >= 0)
		close(l->fd);
	if (l->req_fd >= 0)
		close(l->req_fd);
	pthread_mutex_destroy(&l->lock);
	free(l->q);
	free(l);
}
