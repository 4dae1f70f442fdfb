/*
 * tickgate-sim: the simulated card, in its own process.
 *
 * Owns the Verilated core (through card_model), serves the card interface
 * at "sim:NAME" (the shared-memory segment of tickgate/simshm.h: CSR slots
 * for any number of host processes, DMA memory for the rings), feeds
 * Ethernet frames from a pcap file into the core's network port, and with
 * --oe-connect carries the card's order entry over a SoupBinTCP session on
 * a real TCP connection to the exchange (oe_link.h), and with --feed-udp
 * takes the exchange's MoldUDP64 feed from a real UDP socket, recovering
 * gaps through the exchange's retransmission service (feed_link.h).
 *
 * The clock runs while anything happens on an interface; after
 * QUIET_CYCLES without activity the process sleeps on the segment's futex
 * until a client queues work, the order-entry socket is ready, or the next
 * paced frame or session timer is due, so an idle simulator costs no CPU.
 * UPTIME therefore counts simulated cycles.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "card_model.h"
#include "feed_link.h"
#include "oe_link.h"
#include "tickgate/clock.h"
#include "tickgate/pcap_frames.h"
#include "tickgate/ring.h"
#include "tickgate/simshm.h"
#include "tickgate/soupbin.h"
#include "vcore.h"

#define QUIET_CYCLES 256u
#define RUN_BATCH 64u
#define CSR_PER_CLIENT 16u		/* requests served per slot per loop */
#define IDLE_WAIT_NS 10000000L		/* longest futex sleep */
#define STATS_EVERY 4096u		/* loops between statistics updates */
#define OE_STOP_NS 1000000000LL		/* longest wait for a clean logout on exit */

struct slot_state {
	uint32_t gen;			/* generation attached to, 0 = none */
	struct tg_ring req;
	struct tg_ring resp;
};

struct sim {
	const char *name;
	char shm_path[sizeof(TG_SIMSHM_PREFIX) + TG_SIMSHM_NAME_MAX];
	struct tg_simshm *shm;
	struct tg_card_model *cm;
	struct slot_state slots[TG_SIMSHM_CLIENTS];
	bool quiet;
	bool spin;

	/* frame source */
	const char *pcap_path;
	struct tg_pcap_reader *pcap;
	uint64_t repeat;		/* 0 = forever */
	uint64_t passes;		/* replays completed */
	double pps;			/* 0 = back to back */
	bool capture_pace;		/* at the capture's own pace (its timestamps) */
	int64_t pass_start_ns;		/* wall time the capture's first frame went in */
	uint64_t first_ts_ns;		/* capture time of its first frame */
	bool have_first_ts;
	bool have_held;			/* a frame read but not yet due */
	struct tg_pcap_frame held;
	int64_t next_frame_ns;
	uint64_t frames_sent;
	uint64_t frames_truncated;	/* captured shorter than on the wire */
	bool feed_done;

	/* order entry (--oe-connect), NULL without */
	struct oe_link *oe;
	/* market data over UDP (--feed-udp), NULL without */
	struct feed_link *feed;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fputs("usage: tickgate-sim [options]\n"
	      "Run the simulated tickgate card and serve it as sim:NAME.\n"
	      "\n"
	      "  -n, --name NAME     card name (default: default); clients use --card sim:NAME\n"
	      "  -p, --feed FILE     feed the Ethernet frames of a pcap FILE into the network port\n"
	      "                      (--pcap is the same option)\n"
	      "      --pace WHICH    line: back to back (default); capture: at the capture's own pace\n"
	      "  -r, --repeat N      feed the capture N times (default 1, 0 = forever)\n"
	      "      --pps RATE      pace frames at RATE per second (default: back to back)\n"
	      "  -t, --trace FILE    write an FST waveform (model built with -Dtrace=true)\n"
	      "      --oe-connect HOST:PORT  carry the card's order entry (OUCH 5.0 over\n"
	      "                      SoupBinTCP 3.0) over TCP to the exchange at HOST:PORT (IPv4)\n"
	      "      --oe-user USER  SoupBinTCP username (1-6 characters; needed with --oe-connect)\n"
	      "      --oe-password PASS  SoupBinTCP password (0-10 characters)\n"
	      "      --oe-session NAME   session to log in to (0-10 characters; blank: the current)\n"
	      "      --oe-seq N      sequence number asked for at the first login (default 1;\n"
	      "                      0: the most recent); later logins resume where the stream stopped\n"
	      "      --oe-pcap FILE  write the order-entry connection as a pcap file\n"
	      "      --feed-udp ADDR:PORT  take the MoldUDP64 feed from UDP datagrams to ADDR:PORT\n"
	      "                      (a local address, or a multicast group joined on loopback)\n"
	      "      --feed-retrans HOST:PORT  recover feed gaps from the MoldUDP64 retransmission\n"
	      "                      server at HOST:PORT (the card holds at a gap until filled)\n"
	      "      --spin          never sleep when idle (lowest latency, uses a whole core)\n"
	      "  -q, --quiet         print nothing but errors\n"
	      "  -h, --help          show this help\n",
	      f);
}

static bool valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > TG_SIMSHM_NAME_MAX)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/*
 * Create the segment, mode 0600. If the name exists and its simulator is
 * alive, refuse; if it is left over from a dead one, take it over.
 */
static int create_segment(struct sim *s)
{
	int fd;

	snprintf(s->shm_path, sizeof(s->shm_path), TG_SIMSHM_PREFIX "%s", s->name);
	for (int attempt = 0; attempt < 2; attempt++) {
		fd = shm_open(s->shm_path, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST) {
			fprintf(stderr, "tickgate-sim: cannot create %s: %s\n", s->shm_path, strerror(errno));
			return -1;
		}
		int ofd = shm_open(s->shm_path, O_RDONLY, 0);
		struct stat st;
		uint32_t pid = 0;

		if (ofd >= 0 && fstat(ofd, &st) == 0 && (size_t)st.st_size >= sizeof(struct tg_simshm)) {
			struct tg_simshm *old = mmap(NULL, sizeof(*old), PROT_READ, MAP_SHARED, ofd, 0);

			if (old != MAP_FAILED) {
				if (old->magic == TG_SIMSHM_MAGIC)
					pid = old->sim_pid;
				munmap(old, sizeof(*old));
			}
		}
		if (ofd >= 0)
			close(ofd);
		if (pid != 0 && tg_simshm_pid_alive(pid)) {
			fprintf(stderr, "tickgate-sim: sim:%s is already served by pid %" PRIu32 "\n",
				s->name, pid);
			return -1;
		}
		if (!s->quiet)
			fprintf(stderr, "tickgate-sim: removing stale %s\n", s->shm_path);
		shm_unlink(s->shm_path);
	}
	if (fd < 0) {
		fprintf(stderr, "tickgate-sim: cannot create %s\n", s->shm_path);
		return -1;
	}
	if (ftruncate(fd, TG_SIMSHM_SEGMENT_BYTES) != 0) {
		fprintf(stderr, "tickgate-sim: cannot size %s: %s\n", s->shm_path, strerror(errno));
		close(fd);
		shm_unlink(s->shm_path);
		return -1;
	}
	s->shm = mmap(NULL, TG_SIMSHM_SEGMENT_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (s->shm == MAP_FAILED) {
		fprintf(stderr, "tickgate-sim: cannot map %s: %s\n", s->shm_path, strerror(errno));
		shm_unlink(s->shm_path);
		s->shm = NULL;
		return -1;
	}
	struct tg_simshm *h = s->shm;

	h->magic = TG_SIMSHM_MAGIC;
	h->version = TG_SIMSHM_VERSION;
	h->minor = TG_SIMSHM_MINOR;
	h->segment_bytes = TG_SIMSHM_SEGMENT_BYTES;
	h->sim_pid = (uint32_t)getpid();
	h->dma_offset = TG_SIMSHM_DMA_OFFSET;
	h->dma_bytes = TG_SIMSHM_DMA_BYTES;
	h->bus_base = TG_SIMSHM_BUS_BASE;
	for (unsigned i = 0; i < TG_SIMSHM_CLIENTS; i++) {
		h->clients[i].req_offset = TG_SIMSHM_CSR_RINGS_OFFSET + 2u * i * TG_SIMSHM_CSR_RING_BYTES;
		h->clients[i].resp_offset = h->clients[i].req_offset + TG_SIMSHM_CSR_RING_BYTES;
	}
	return 0;
}

static void destroy_segment(struct sim *s)
{
	if (s->shm != NULL) {
		__atomic_store_n(&s->shm->ready, 0, __ATOMIC_RELEASE);
		munmap(s->shm, TG_SIMSHM_SEGMENT_BYTES);
		shm_unlink(s->shm_path);
		s->shm = NULL;
	}
}

/* (Re)attach to a slot whose client announced a new odd generation. */
static void refresh_slot(struct sim *s, unsigned i)
{
	struct tg_simshm_client *cl = &s->shm->clients[i];
	struct slot_state *st = &s->slots[i];
	uint32_t gen = __atomic_load_n(&cl->gen, __ATOMIC_ACQUIRE);

	if ((gen & 1u) == 0) {
		st->gen = 0;
		return;
	}
	if (gen == st->gen)
		return;
	char *base = (char *)s->shm;

	if (tg_ring_attach(&st->req, base + cl->req_offset, TG_SIMSHM_CSR_RING_BYTES,
			   TG_SIMSHM_CSR_RING_LOG2, TG_SIMSHM_CSR_REC_BYTES) != TG_OK ||
	    tg_ring_attach(&st->resp, base + cl->resp_offset, TG_SIMSHM_CSR_RING_BYTES,
			   TG_SIMSHM_CSR_RING_LOG2, TG_SIMSHM_CSR_REC_BYTES) != TG_OK) {
		st->gen = 0;
		return;
	}
	st->gen = gen;
}

/* Serve queued CSR requests of every attached client; returns how many. */
static unsigned serve_csr(struct sim *s)
{
	unsigned done = 0;

	for (unsigned i = 0; i < TG_SIMSHM_CLIENTS; i++) {
		struct slot_state *st = &s->slots[i];
		struct tg_simshm_csr_req req;

		refresh_slot(s, i);
		if (st->gen == 0)
			continue;
		for (unsigned k = 0; k < CSR_PER_CLIENT && tg_ring_pop(&st->req, &req); k++) {
			enum tg_cm_csr_result res;
			uint32_t value = 0;

			done++;
			if (req.op == TG_SIMSHM_CSR_WRITE) {
				(void)tg_cm_csr_write(s->cm, req.addr, req.data, 0xf);
				continue;	/* posted */
			}
			res = req.op == TG_SIMSHM_CSR_READ ? tg_cm_csr_read(s->cm, req.addr, &value)
							   : TG_CM_CSR_SLVERR;
			struct tg_simshm_csr_resp resp = {
				.tag = req.tag,
				.data = value,
				.status = res == TG_CM_CSR_OK ? TG_SIMSHM_CSR_OKAY
					: res == TG_CM_CSR_SLVERR ? TG_SIMSHM_CSR_SLVERR
								  : TG_SIMSHM_CSR_TIMEOUT,
			};
			/* the client waits for this answer, so its ring has room */
			if (__atomic_load_n(&s->shm->clients[i].gen, __ATOMIC_ACQUIRE) == st->gen)
				(void)tg_ring_push(&st->resp, &resp);
		}
	}
	return done;
}

static int open_feed(struct sim *s)
{
	char err[256];

	if (tg_pcap_open(s->pcap_path, &s->pcap, err, sizeof(err)) != TG_OK) {
		fprintf(stderr, "tickgate-sim: %s\n", err);
		return -1;
	}
	return 0;
}

/* Queue frames that are due; returns ns until the next one is due (0: now or none). */
static int64_t feed_frames(struct sim *s, int64_t now)
{
	struct tg_pcap_frame fr;

	while (!s->feed_done && tg_cm_net_pending(s->cm) < TG_CM_NET_QUEUE / 2) {
		if (s->pps > 0 && now < s->next_frame_ns)
			return s->next_frame_ns - now;
		int rc = 1;

		if (s->have_held)
			fr = s->held;
		else
			rc = tg_pcap_next(s->pcap, &fr);
		if (rc == 1 && s->capture_pace) {
			if (!s->have_first_ts) {
				s->have_first_ts = true;
				s->first_ts_ns = fr.ts_ns;
				s->pass_start_ns = now;
			}
			int64_t due = s->pass_start_ns +
				      (int64_t)(fr.ts_ns > s->first_ts_ns ? fr.ts_ns - s->first_ts_ns : 0);

			if (now < due) {
				/* the reader's buffer stays valid until the next read */
				s->held = fr;
				s->have_held = true;
				return due - now;
			}
			s->have_held = false;
		}

		if (rc == 0 || rc < 0) {
			if (rc < 0)
				fprintf(stderr, "tickgate-sim: %s: damaged capture, feed stopped\n",
					s->pcap_path);
			tg_pcap_close(s->pcap);
			s->pcap = NULL;
			s->passes++;
			s->have_first_ts = false;
			if (rc < 0 || (s->repeat != 0 && s->passes >= s->repeat) || open_feed(s) != 0) {
				s->feed_done = true;
				if (!s->quiet)
					fprintf(stderr, "tickgate-sim: feed done, %" PRIu64 " frames\n",
						s->frames_sent);
			}
			continue;
		}
		if (fr.caplen < fr.wirelen)
			s->frames_truncated++;
		if (fr.caplen == 0 || !tg_cm_net_push(s->cm, fr.data, fr.caplen))
			continue;
		s->frames_sent++;
		if (s->pps > 0)
			s->next_frame_ns = (s->next_frame_ns ? s->next_frame_ns : now) +
					   (int64_t)(1e9 / s->pps);
	}
	return 0;
}

static void publish_stats(struct sim *s)
{
	const struct tg_cm_stats *st = tg_cm_stats(s->cm);
	struct tg_simshm *h = s->shm;

	__atomic_store_n(&h->cycles, st->cycles, __ATOMIC_RELAXED);
	__atomic_store_n(&h->csr_ops, st->csr_reads + st->csr_writes, __ATOMIC_RELAXED);
	__atomic_store_n(&h->dma_reads, st->dma_reads, __ATOMIC_RELAXED);
	__atomic_store_n(&h->dma_writes, st->dma_write_beats, __ATOMIC_RELAXED);
	__atomic_store_n(&h->dma_errors, st->dma_errors, __ATOMIC_RELAXED);
	__atomic_store_n(&h->frames_in, st->frames_in, __ATOMIC_RELAXED);
	if (s->oe != NULL)
		oe_link_publish(s->oe);
	if (s->feed != NULL)
		feed_link_publish(s->feed);
}

static bool csr_pending(struct sim *s)
{
	for (unsigned i = 0; i < TG_SIMSHM_CLIENTS; i++)
		if (s->slots[i].gen != 0 && tg_ring_peek(&s->slots[i].req))
			return true;
	return false;
}

/*
 * Nothing happens without outside help: the card is idle, or all it has
 * left is exchange bytes it stopped taking (its responses wait for the
 * host to take its events; the client's CSR writes that do so wake us).
 */
static bool card_quiet(struct sim *s)
{
	const struct tg_cm_stats *st = tg_cm_stats(s->cm);

	if (tg_cm_idle(s->cm, QUIET_CYCLES))
		return true;
	return tg_cm_oe_pending(s->cm) > 0 && tg_cm_net_pending(s->cm) == 0 &&
	       st->cycles - st->last_activity >= QUIET_CYCLES;
}

static void serve(struct sim *s)
{
	struct tg_simshm *h = s->shm;

	for (uint64_t loop = 0; !stop_requested; loop++) {
		int64_t now = tg_monotonic_ns();
		int64_t wait = s->pcap != NULL ? feed_frames(s, now) : 0;
		unsigned served = serve_csr(s);
		bool oe_busy;

		tg_cm_run(s->cm, RUN_BATCH);
		oe_busy = s->oe != NULL && oe_link_service(s->oe, now);
		if (s->feed != NULL && feed_link_service(s->feed, now))
			oe_busy = true;
		if (loop % STATS_EVERY == 0)
			publish_stats(s);
		if (s->spin || served > 0 || oe_busy || !card_quiet(s))
			continue;
		if (s->pcap != NULL && !s->feed_done && wait == 0)
			continue;
		if (s->oe != NULL) {
			int64_t oe_wait = oe_link_next_ns(s->oe, now);

			if (oe_wait == 0)
				continue;
			if (wait == 0 || oe_wait < wait)
				wait = oe_wait;
		}
		if (s->feed != NULL) {
			int64_t feed_wait = feed_link_next_ns(s->feed, now);

			if (feed_wait == 0)
				continue;
			if (feed_wait > 0 && (wait == 0 || feed_wait < wait))
				wait = feed_wait;
		}
		/* Sleep protocol (see simshm.h): announce, re-check, then wait on
		 * the value of `wake` read before the re-check. */
		uint32_t w = __atomic_load_n(&h->wake, __ATOMIC_SEQ_CST);

		__atomic_store_n(&h->sim_sleeping, 1, __ATOMIC_SEQ_CST);
		for (unsigned i = 0; i < TG_SIMSHM_CLIENTS; i++)
			refresh_slot(s, i);
		/* the order-entry waker follows the same protocol as a client */
		if (!csr_pending(s) && !(s->oe != NULL && oe_link_ready(s->oe))) {
			publish_stats(s);
			tg_simshm_futex_wait(&h->wake, w,
					     wait > 0 && wait < IDLE_WAIT_NS ? (long)wait : IDLE_WAIT_NS);
		}
		__atomic_store_n(&h->sim_sleeping, 0, __ATOMIC_SEQ_CST);
	}
}

enum {
	OPT_OE_CONNECT = 256,
	OPT_OE_USER,
	OPT_OE_PASSWORD,
	OPT_OE_SESSION,
	OPT_OE_SEQ,
	OPT_OE_PCAP,
	OPT_FEED_UDP,
	OPT_FEED_RETRANS,
};

/* --oe-connect HOST:PORT into cfg (host and port point into buf) */
static bool parse_host_port(const char *arg, char *buf, size_t len, struct oe_link_config *cfg)
{
	char *colon;

	if (snprintf(buf, len, "%s", arg) >= (int)len)
		return false;
	colon = strrchr(buf, ':');
	if (colon == NULL || colon == buf || colon[1] == '\0')
		return false;
	*colon = '\0';
	cfg->host = buf;
	cfg->port = colon + 1;
	return strspn(cfg->port, "0123456789") == strlen(cfg->port) && strlen(cfg->port) <= 5 &&
	       atoi(cfg->port) > 0 && atoi(cfg->port) < 65536;
}

static int check_oe(const struct oe_link_config *oe, bool any)
{
	if (oe->host == NULL) {
		if (any) {
			fprintf(stderr, "tickgate-sim: --oe-* options need --oe-connect HOST:PORT\n");
			return 2;
		}
		return 0;
	}
	if (oe->username == NULL || !tg_soup_text_ok(oe->username, 1, TG_SOUP_USERNAME_LEN)) {
		fprintf(stderr, "tickgate-sim: --oe-user: 1-%u printable characters, needed with --oe-connect\n",
			TG_SOUP_USERNAME_LEN);
		return 2;
	}
	if (!tg_soup_text_ok(oe->password, 0, TG_SOUP_PASSWORD_LEN)) {
		fprintf(stderr, "tickgate-sim: --oe-password: 0-%u printable characters\n", TG_SOUP_PASSWORD_LEN);
		return 2;
	}
	if (!tg_soup_text_ok(oe->session, 0, TG_SOUP_SESSION_LEN)) {
		fprintf(stderr, "tickgate-sim: --oe-session: 0-%u printable characters\n", TG_SOUP_SESSION_LEN);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "pcap", required_argument, NULL, 'p' },
		{ "feed", required_argument, NULL, 'p' },
		{ "pace", required_argument, NULL, 'A' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "pps", required_argument, NULL, 'P' },
		{ "trace", required_argument, NULL, 't' },
		{ "spin", no_argument, NULL, 'S' },
		{ "oe-connect", required_argument, NULL, OPT_OE_CONNECT },
		{ "oe-user", required_argument, NULL, OPT_OE_USER },
		{ "oe-password", required_argument, NULL, OPT_OE_PASSWORD },
		{ "oe-session", required_argument, NULL, OPT_OE_SESSION },
		{ "oe-seq", required_argument, NULL, OPT_OE_SEQ },
		{ "oe-pcap", required_argument, NULL, OPT_OE_PCAP },
		{ "feed-udp", required_argument, NULL, OPT_FEED_UDP },
		{ "feed-retrans", required_argument, NULL, OPT_FEED_RETRANS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim s = { .name = "default", .repeat = 1 };
	const char *trace = NULL;
	struct oe_link_config oe = { .password = "", .session = "", .seq = 1 };
	char oe_addr[256];
	bool oe_any = false;
	struct feed_link_config fl = { .listen = NULL };
	struct sigaction sa;
	char *end;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "n:p:r:t:qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': s.name = optarg; break;
		case 'p': s.pcap_path = optarg; break;
		case 'r':
			errno = 0;
			s.repeat = strtoull(optarg, &end, 10);
			if (errno || *end || optarg[0] == '-') {
				fprintf(stderr, "tickgate-sim: --repeat: not a count: %s\n", optarg);
				return 2;
			}
			break;
		case 'P':
			s.pps = strtod(optarg, &end);
			if (*end || !(s.pps > 0 && s.pps <= 1e9)) {
				fprintf(stderr, "tickgate-sim: --pps: not a rate in (0, 1e9]: %s\n", optarg);
				return 2;
			}
			break;
		case 'A':
			if (strcmp(optarg, "capture") == 0) {
				s.capture_pace = true;
			} else if (strcmp(optarg, "line") != 0) {
				fprintf(stderr, "tickgate-sim: --pace: line or capture, not %s\n", optarg);
				return 2;
			}
			break;
		case 't': trace = optarg; break;
		case 'S': s.spin = true; break;
		case OPT_OE_CONNECT:
			if (!parse_host_port(optarg, oe_addr, sizeof(oe_addr), &oe)) {
				fprintf(stderr, "tickgate-sim: --oe-connect: not HOST:PORT: %s\n", optarg);
				return 2;
			}
			break;
		case OPT_OE_USER: oe.username = optarg; oe_any = true; break;
		case OPT_OE_PASSWORD: oe.password = optarg; oe_any = true; break;
		case OPT_OE_SESSION: oe.session = optarg; oe_any = true; break;
		case OPT_OE_SEQ:
			errno = 0;
			oe.seq = strtoull(optarg, &end, 10);
			if (errno || *end || optarg[0] == '-' || optarg[0] == '\0') {
				fprintf(stderr, "tickgate-sim: --oe-seq: not a sequence number: %s\n", optarg);
				return 2;
			}
			oe_any = true;
			break;
		case OPT_OE_PCAP: oe.pcap_path = optarg; oe_any = true; break;
		case OPT_FEED_UDP: fl.listen = optarg; break;
		case OPT_FEED_RETRANS: fl.retrans = optarg; break;
		case 'q': s.quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tickgate-sim: unexpected argument: %s\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!valid_name(s.name)) {
		fprintf(stderr, "tickgate-sim: --name: use 1-%u of [A-Za-z0-9_.-]: %s\n",
			TG_SIMSHM_NAME_MAX, s.name);
		return 2;
	}
	if (trace != NULL && !tg_vcore_can_trace()) {
		fprintf(stderr, "tickgate-sim: --trace needs a build configured with -Dtrace=true\n");
		return 2;
	}
	if (s.capture_pace && s.pps > 0) {
		fprintf(stderr, "tickgate-sim: --pace capture and --pps exclude each other\n");
		return 2;
	}
	if (fl.retrans != NULL && fl.listen == NULL) {
		fprintf(stderr, "tickgate-sim: --feed-retrans needs --feed-udp ADDR:PORT\n");
		return 2;
	}
	if (fl.listen != NULL && s.pcap_path != NULL) {
		fprintf(stderr, "tickgate-sim: --feed-udp and --pcap exclude each other\n");
		return 2;
	}
	rc = check_oe(&oe, oe_any);
	if (rc != 0)
		return rc;
	if (s.pcap_path != NULL && open_feed(&s) != 0)
		return 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (create_segment(&s) != 0) {
		tg_pcap_close(s.pcap);
		return 1;
	}
	if (oe.host != NULL) {
		char err[512];

		oe.quiet = s.quiet;
		oe.shm = s.shm;
		if (oe_link_new(&oe, &s.oe, err, sizeof(err)) != 0) {
			fprintf(stderr, "tickgate-sim: %s\n", err);
			destroy_segment(&s);
			tg_pcap_close(s.pcap);
			return 1;
		}
	}
	if (fl.listen != NULL) {
		char err[512];

		fl.quiet = s.quiet;
		fl.shm = s.shm;
		if (feed_link_new(&fl, &s.feed, err, sizeof(err)) != 0) {
			fprintf(stderr, "tickgate-sim: %s\n", err);
			oe_link_free(s.oe);
			destroy_segment(&s);
			return 1;
		}
	}
	struct tg_cm_config cfg = {
		.mem = (uint8_t *)s.shm + TG_SIMSHM_DMA_OFFSET,
		.mem_bytes = TG_SIMSHM_DMA_BYTES,
		.bus_base = TG_SIMSHM_BUS_BASE,
		.fst_path = trace,
		.oe_packet = s.oe != NULL ? oe_link_card_packet : NULL,
		.oe_packet_ctx = s.oe,
	};

	s.cm = tg_cm_new(&cfg);
	if (s.cm == NULL) {
		fprintf(stderr, "tickgate-sim: cannot build the card model\n");
		feed_link_free(s.feed);
		oe_link_free(s.oe);
		destroy_segment(&s);
		tg_pcap_close(s.pcap);
		return 1;
	}
	if (s.oe != NULL)
		oe_link_set_card(s.oe, s.cm);
	if (s.feed != NULL) {
		char err[256];

		if (feed_link_set_card(s.feed, s.cm, err, sizeof(err)) != 0) {
			fprintf(stderr, "tickgate-sim: %s\n", err);
			feed_link_free(s.feed);
			oe_link_free(s.oe);
			destroy_segment(&s);
			tg_cm_free(s.cm);
			return 1;
		}
	}
	__atomic_store_n(&s.shm->ready, 1, __ATOMIC_RELEASE);
	if (!s.quiet)
		fprintf(stderr, "tickgate-sim: serving sim:%s (shm %s, pid %d)%s%s\n", s.name,
			s.shm_path, (int)getpid(), s.pcap_path ? ", feeding " : "",
			s.pcap_path ? s.pcap_path : "");

	serve(&s);

	if (s.oe != NULL)
		oe_link_stop(s.oe, OE_STOP_NS);
	const struct tg_cm_stats *st = tg_cm_stats(s.cm);

	if (!s.quiet)
		fprintf(stderr,
			"tickgate-sim: stopped after %" PRIu64 " cycles, %" PRIu64 " frames in, %" PRIu64
			" CSR accesses, %" PRIu64 " DMA errors\n",
			st->cycles, st->frames_in, st->csr_reads + st->csr_writes, st->dma_errors);
	if (s.oe != NULL && !s.quiet)
		oe_link_report(s.oe, stderr);
	if (s.feed != NULL && !s.quiet) {
		struct feed_link_stats fs;

		feed_link_stats(s.feed, &fs);
		fprintf(stderr,
			"tickgate-sim: feed link: %" PRIu64 " datagrams, %" PRIu64 " retransmitted, %" PRIu64
			" gap holds, %" PRIu64 " requests for %" PRIu64 " messages (%" PRIu64 " not sent), %" PRIu64
			" queue drops, %" PRIu64 " malformed\n",
			fs.datagrams, fs.retrans_datagrams, fs.holds, fs.requests, fs.requested_messages,
			fs.send_errors, fs.queue_drops, fs.malformed);
	}
	/* the links' threads use the segment: they go first */
	feed_link_free(s.feed);
	oe_link_free(s.oe);
	destroy_segment(&s);
	tg_cm_free(s.cm);
	tg_pcap_close(s.pcap);
	return 0;
}
