/*
 * "sim:NAME" transport: reaches a card model served by tickgate-sim through
 * the shared-memory segment described in tickgate/simshm.h.
 *
 * CSR requests go through this process's own slot (an SPSC request ring
 * and a response ring), so several processes can use one simulated card
 * at once, as several processes can map one PCIe BAR. A slot left behind
 * by a dead process is taken over.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "card_transport.h"
#include "tickgate/card.h"
#include "tickgate/clock.h"
#include "tickgate/ring.h"
#include "tickgate/simshm.h"

#define READY_WAIT_NS 2000000000LL	/* a just-started simulator gets 2 s */
#define CSR_TIMEOUT_NS 5000000000LL	/* a CSR read that takes longer means trouble */
#define SPIN_LIMIT 2000u

struct sim_transport {
	struct tg_transport base;
	struct tg_simshm *shm;
	unsigned slot;
	bool rings_owned;
	uint32_t pid;
	uint32_t tag;
	struct tg_ring req;
	struct tg_ring resp;
};

static void pause_short(unsigned spins)
{
	if (spins < SPIN_LIMIT) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	} else {
		struct timespec ts = { 0, 20000 };

		nanosleep(&ts, NULL);
	}
}

/* Tell the simulator there is work; wake it only if it said it sleeps. */
static void kick(struct sim_transport *s)
{
	__atomic_add_fetch(&s->shm->wake, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->shm->sim_sleeping, __ATOMIC_SEQ_CST))
		tg_simshm_futex_wake(&s->shm->wake);
}

static int push_req(struct sim_transport *s, uint8_t op, uint32_t addr, uint32_t data)
{
	struct tg_simshm_csr_req req = { .addr = addr, .data = data, .tag = ++s->tag, .op = op };
	int64_t deadline = tg_monotonic_ns() + CSR_TIMEOUT_NS;

	for (unsigned spins = 0; !tg_ring_push(&s->req, &req); spins++) {
		kick(s);
		if (tg_monotonic_ns() > deadline)
			return tg_simshm_pid_alive(s->shm->sim_pid) ? TG_ERR_TIMEOUT : TG_ERR_DEAD;
		pause_short(spins);
	}
	kick(s);
	return TG_OK;
}

static int sim_csr_write(struct tg_transport *t, uint32_t offset, uint32_t value)
{
	return push_req((struct sim_transport *)t, TG_SIMSHM_CSR_WRITE, offset, value);
}

static int sim_csr_read(struct tg_transport *t, uint32_t offset, uint32_t *value)
{
	struct sim_transport *s = (struct sim_transport *)t;
	struct tg_simshm_csr_resp resp;
	int64_t deadline;
	int rc = push_req(s, TG_SIMSHM_CSR_READ, offset, 0);

	if (rc != TG_OK)
		return rc;
	deadline = tg_monotonic_ns() + CSR_TIMEOUT_NS;
	for (unsigned spins = 0;; spins++) {
		if (tg_ring_pop(&s->resp, &resp)) {
			if (resp.tag != s->tag)
				continue;	/* answer to a request of a dead predecessor */
			if (resp.status != TG_SIMSHM_CSR_OKAY)
				return resp.status == TG_SIMSHM_CSR_SLVERR ? TG_ERR_IO : TG_ERR_TIMEOUT;
			*value = resp.data;
			return TG_OK;
		}
		if (tg_monotonic_ns() > deadline)
			return tg_simshm_pid_alive(s->shm->sim_pid) ? TG_ERR_TIMEOUT : TG_ERR_DEAD;
		pause_short(spins);
	}
}

/* Claim *word for pid: free (0) or held by a dead process. */
static bool claim(uint32_t *word, uint32_t pid)
{
	uint32_t cur = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	if (cur != 0 && tg_simshm_pid_alive(cur))
		return false;
	return __atomic_compare_exchange_n(word, &cur, pid, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

static int sim_claim_rings(struct tg_transport *t)
{
	struct sim_transport *s = (struct sim_transport *)t;

	if (!claim(&s->shm->ring_owner_pid, s->pid))
		return TG_ERR_BUSY;
	s->rings_owned = true;
	return TG_OK;
}

static void sim_release_rings(struct tg_transport *t)
{
	struct sim_transport *s = (struct sim_transport *)t;

	if (s->rings_owned)
		__atomic_store_n(&s->shm->ring_owner_pid, 0, __ATOMIC_RELEASE);
	s->rings_owned = false;
}

static int sim_dma_window(struct tg_transport *t, void **va, uint64_t *bus, size_t *bytes)
{
	struct sim_transport *s = (struct sim_transport *)t;

	*va = (char *)s->shm + s->shm->dma_offset;
	*bus = s->shm->bus_base;
	*bytes = s->shm->dma_bytes;
	return TG_OK;
}

static void sim_close(struct tg_transport *t)
{
	struct sim_transport *s = (struct sim_transport *)t;
	struct tg_simshm_client *cl;
	uint32_t magic;

	/* CSR writes are posted: a read is served after them, so once it
	 * answers every write of this client has reached the card (a kill
	 * written just before close is never lost) */
	if (s->slot < TG_SIMSHM_CLIENTS && sim_csr_read(t, 0, &magic) != TG_OK) {
		/* the simulator is gone or stuck: nothing more can be delivered */
	}
	sim_release_rings(t);
	if (s->slot < TG_SIMSHM_CLIENTS) {
		cl = &s->shm->clients[s->slot];
		/* even generation: the simulator stops serving this slot */
		__atomic_add_fetch(&cl->gen, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&cl->owner_pid, 0, __ATOMIC_RELEASE);
	}
	munmap(s->shm, TG_SIMSHM_SEGMENT_BYTES);
	free(s);
}

/* tickgate-sim publishes its link in the segment (relaxed stores: each field current) */
static int sim_oe_link(struct tg_transport *t, struct tg_card_oe_link *out)
{
	struct sim_transport *s = (struct sim_transport *)t;
	const struct tg_simshm_oe *oe = &s->shm->oe;

	switch (__atomic_load_n(&oe->state, __ATOMIC_RELAXED)) {
	case TG_SIMSHM_OE_OFF: out->state = TG_CARD_OE_NONE; break;
	case TG_SIMSHM_OE_ACTIVE: out->state = TG_CARD_OE_UP; break;
	case TG_SIMSHM_OE_ENDED:
	case TG_SIMSHM_OE_CLOSED: out->state = TG_CARD_OE_ENDED; break;
	default: out->state = TG_CARD_OE_DOWN; break;
	}
	out->logins = __atomic_load_n(&oe->logins, __ATOMIC_RELAXED);
	out->disconnects = __atomic_load_n(&oe->disconnects, __ATOMIC_RELAXED);
	out->dropped = __atomic_load_n(&oe->dropped, __ATOMIC_RELAXED);
	out->packets_out = __atomic_load_n(&oe->packets_out, __ATOMIC_RELAXED);
	out->packets_in = __atomic_load_n(&oe->packets_in, __ATOMIC_RELAXED);
	for (size_t i = 0; i + 1 < sizeof(out->session) && i < sizeof(oe->session); i++) {
		out->session[i] = __atomic_load_n(&oe->session[i], __ATOMIC_RELAXED);
		if (out->session[i] == '\0')
			break;
	}
	return TG_OK;
}

/* from minor 1 on tickgate-sim publishes its feed link too; the error text under a seqlock */
static int sim_feed_link(struct tg_transport *t, struct tg_card_feed_link *out)
{
	struct sim_transport *s = (struct sim_transport *)t;
	const struct tg_simshm_feed *f = &s->shm->feed;

	if (s->shm->minor < 1)
		return TG_ERR_STATE;	/* an older simulator: the block is not filled */
	switch (__atomic_load_n(&f->state, __ATOMIC_RELAXED)) {
	case TG_SIMSHM_FEED_OFF: out->state = TG_CARD_FEED_NONE; break;
	case TG_SIMSHM_FEED_RECOVERING: out->state = TG_CARD_FEED_RECOVERING; break;
	default: out->state = TG_CARD_FEED_UP; break;
	}
	out->retrans = __atomic_load_n(&f->retrans, __ATOMIC_RELAXED) != 0;
	out->datagrams = __atomic_load_n(&f->datagrams, __ATOMIC_RELAXED);
	out->retrans_datagrams = __atomic_load_n(&f->retrans_datagrams, __ATOMIC_RELAXED);
	out->frames = __atomic_load_n(&f->frames, __ATOMIC_RELAXED);
	out->queue_drops = __atomic_load_n(&f->queue_drops, __ATOMIC_RELAXED);
	out->malformed = __atomic_load_n(&f->malformed, __ATOMIC_RELAXED);
	out->requests = __atomic_load_n(&f->requests, __ATOMIC_RELAXED);
	out->requested_messages = __atomic_load_n(&f->requested_messages, __ATOMIC_RELAXED);
	out->send_errors = __atomic_load_n(&f->send_errors, __ATOMIC_RELAXED);
	out->holds = __atomic_load_n(&f->holds, __ATOMIC_RELAXED);
	_Static_assert(sizeof(out->last_error) == sizeof(f->error), "the whole error text");
	for (int tries = 0; tries < 100; tries++) {
		uint32_t seq = __atomic_load_n(&f->error_seq, __ATOMIC_ACQUIRE);	/* pairs with the release */

		if (seq & 1u) {
			pause_short(1);
			continue;
		}
		for (size_t i = 0; i < sizeof(out->last_error); i++)
			out->last_error[i] = __atomic_load_n(&f->error[i], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* the text before the second look */
		if (__atomic_load_n(&f->error_seq, __ATOMIC_RELAXED) == seq)
			break;
		out->last_error[0] = '\0';	/* rewritten meanwhile: try again */
	}
	out->last_error[sizeof(out->last_error) - 1] = '\0';
	return TG_OK;
}

static const struct tg_transport_ops sim_ops = {
	.csr_read = sim_csr_read,
	.csr_write = sim_csr_write,
	.claim_rings = sim_claim_rings,
	.release_rings = sim_release_rings,
	.dma_window = sim_dma_window,
	.close = sim_close,
	.oe_link = sim_oe_link,
	.feed_link = sim_feed_link,
};

static bool valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > TG_SIMSHM_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

static int attach_slot(struct sim_transport *s)
{
	struct tg_simshm *shm = s->shm;

	for (unsigned i = 0; i < TG_SIMSHM_CLIENTS; i++) {
		struct tg_simshm_client *cl = &shm->clients[i];
		uint32_t gen;
		char *req, *resp;

		if (!claim(&cl->owner_pid, s->pid))
			continue;
		if (cl->req_offset < TG_SIMSHM_CSR_RINGS_OFFSET || cl->resp_offset < TG_SIMSHM_CSR_RINGS_OFFSET ||
		    cl->req_offset + TG_SIMSHM_CSR_RING_BYTES > TG_SIMSHM_DMA_OFFSET ||
		    cl->resp_offset + TG_SIMSHM_CSR_RING_BYTES > TG_SIMSHM_DMA_OFFSET)
			return TG_ERR_CONTRACT;
		req = (char *)shm + cl->req_offset;
		resp = (char *)shm + cl->resp_offset;
		if (tg_ring_format(req, TG_SIMSHM_CSR_RING_BYTES, TG_SIMSHM_CSR_RING_LOG2,
				   TG_SIMSHM_CSR_REC_BYTES) != TG_OK ||
		    tg_ring_format(resp, TG_SIMSHM_CSR_RING_BYTES, TG_SIMSHM_CSR_RING_LOG2,
				   TG_SIMSHM_CSR_REC_BYTES) != TG_OK ||
		    tg_ring_attach(&s->req, req, TG_SIMSHM_CSR_RING_BYTES, TG_SIMSHM_CSR_RING_LOG2,
				   TG_SIMSHM_CSR_REC_BYTES) != TG_OK ||
		    tg_ring_attach(&s->resp, resp, TG_SIMSHM_CSR_RING_BYTES, TG_SIMSHM_CSR_RING_LOG2,
				   TG_SIMSHM_CSR_REC_BYTES) != TG_OK)
			return TG_ERR_CONTRACT;
		/* a new odd generation tells the simulator to (re)attach at index 0 */
		gen = __atomic_load_n(&cl->gen, __ATOMIC_ACQUIRE);
		__atomic_store_n(&cl->gen, gen + ((gen & 1u) ? 2u : 1u), __ATOMIC_RELEASE);
		s->slot = i;
		/* random-ish first tag: answers meant for a predecessor never match */
		s->tag = (uint32_t)tg_monotonic_ns() ^ (s->pid << 16);
		return TG_OK;
	}
	return TG_ERR_BUSY;
}

int tg_transport_sim_open(const char *name, struct tg_transport **out)
{
	char path[sizeof(TG_SIMSHM_PREFIX) + TG_SIMSHM_NAME_MAX];
	struct sim_transport *s;
	struct stat st;
	void *mem;
	int fd, rc;
	int64_t deadline;

	if (!valid_name(name))
		return TG_ERR_ARG;
	snprintf(path, sizeof(path), TG_SIMSHM_PREFIX "%s", name);
	fd = shm_open(path, O_RDWR, 0);
	if (fd < 0)
		return errno == EACCES ? TG_ERR_PERM : TG_ERR_NOENT;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < TG_SIMSHM_SEGMENT_BYTES) {
		close(fd);
		return TG_ERR_NOENT;	/* still being created, or not ours */
	}
	mem = mmap(NULL, TG_SIMSHM_SEGMENT_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (mem == MAP_FAILED)
		return TG_ERR_SYS;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		munmap(mem, TG_SIMSHM_SEGMENT_BYTES);
		return TG_ERR_NOMEM;
	}
	s->base.ops = &sim_ops;
	s->shm = mem;
	s->slot = TG_SIMSHM_CLIENTS;
	s->pid = (uint32_t)getpid();

	rc = TG_OK;
	deadline = tg_monotonic_ns() + READY_WAIT_NS;
	while (!__atomic_load_n(&s->shm->ready, __ATOMIC_ACQUIRE)) {
		if (tg_monotonic_ns() > deadline) {
			rc = TG_ERR_NOENT;
			break;
		}
		pause_short(SPIN_LIMIT);
	}
	if (rc == TG_OK && (s->shm->magic != TG_SIMSHM_MAGIC || s->shm->version != TG_SIMSHM_VERSION ||
			    s->shm->segment_bytes != TG_SIMSHM_SEGMENT_BYTES))
		rc = TG_ERR_CONTRACT;
	if (rc == TG_OK && !tg_simshm_pid_alive(s->shm->sim_pid))
		rc = TG_ERR_DEAD;
	if (rc == TG_OK)
		rc = attach_slot(s);
	if (rc != TG_OK) {
		sim_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return TG_OK;
}
