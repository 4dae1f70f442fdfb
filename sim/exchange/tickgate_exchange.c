/*
 * tickgate-exchange: a simulated exchange to trade against, over real
 * sockets.
 *
 *   - the market: the seeded synthetic market (market_synth.h) around the
 *     matching engine (tickgate/match.h), or a capture replay
 *     (market_replay.h, --replay FILE);
 *   - market data out: ITCH 5.0 in MoldUDP64 over UDP, with a
 *     retransmission service and an optional pcap (feed_publisher.h);
 *   - order entry in: SoupBinTCP 3.0 / OUCH 5.0 on TCP (oe_server.h).
 *
 * One thread, one poll loop, one clock: the exchange's time is
 * nanoseconds since midnight, starting at --start (09:30) and running at
 * --speed times the wall clock. Every part is told that time; none reads
 * a clock of its own, so the market's decisions depend on the seed only.
 * At --duration (wall seconds) or on SIGINT/SIGTERM the day ends cleanly:
 * End of Session to the order-entry clients, the end-of-day system events
 * and End of Session on the feed; for one more second the retransmission
 * service answers (a receiver that lost the last packets learns it from
 * End of Session); then the summary, exit 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feed_publisher.h"
#include "market_replay.h"
#include "market_synth.h"
#include "oe_server.h"
#include "tickgate/clock.h"
#include "tickgate/json.h"
#include "tickgate/match.h"
#include "venue.h"

#define MAX_SYMBOLS 64u
#define MAX_USERS 8u
#define MAX_POLLFDS 80u
#define END_LINGER_NS 1000000000LL	/* after the day: End of Session out, retransmissions answered */
#define MAX_WAIT_NS 50000000LL		/* longest sleep of the loop */
#define NS_PER_S 1000000000ull

struct exchange {
	/* configuration */
	const char *symbols[MAX_SYMBOLS];
	unsigned n_symbols;
	char symbol_buf[512];
	struct tg_xoe_user users[MAX_USERS];
	unsigned n_users;
	char user_buf[512];
	uint64_t seed;
	double rate, speed, duration_s, halts_per_hour;
	uint64_t start_ns;
	const char *replay_path;
	const char *summary_path;
	const char *ready_path;
	bool quiet;

	/* parts */
	struct tg_match *engine;
	struct tg_xmarket *market;
	struct tg_xreplay *replay;
	struct tg_xfeed *feed;
	struct tg_xoe *oe;

	/* time */
	int64_t wall_start_ns;
	uint64_t now_ns;		/* the exchange's time */

	/* what happened, from the events */
	uint64_t executions, executed_shares, halts;
	uint64_t feed_errors;		/* events the feed refused: a bug; 0 */
	bool closing;			/* the day is over: the market stands still */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t exchange_time(const struct exchange *x, int64_t wall)
{
	double elapsed = (double)(wall - x->wall_start_ns) * x->speed;

	return x->start_ns + (elapsed > 0 ? (uint64_t)elapsed : 0);
}

static void usage(FILE *f)
{
	fputs("usage: tickgate-exchange [options]\n"
	      "A simulated exchange: matching engine, ITCH 5.0 / MoldUDP64 feed with\n"
	      "retransmission, SoupBinTCP 3.0 / OUCH 5.0 order entry.\n"
	      "\n"
	      "  -s, --symbols A,B,...   instruments (default AAPL,MSFT,NVDA; locates 1, 2, ...)\n"
	      "      --seed N            the synthetic market's seed (default 1)\n"
	      "      --rate N            engine calls per simulated second, whole market (default 2000)\n"
	      "      --halts-per-hour N  per instrument, simulated time (default 2; 0: never)\n"
	      "      --replay FILE       replay an ITCH capture (pcap or binary ITCH) instead\n"
	      "      --locate SYM=N      locate of SYM in a replayed capture without stock directory\n"
	      "  -d, --duration S        end the day after S wall seconds (default: at Ctrl-C)\n"
	      "      --speed X           exchange seconds per wall second (default 1)\n"
	      "      --start HH:MM:SS    the exchange's time at start (default 09:30:00)\n"
	      "      --feed ADDR:PORT    where the feed goes (default 127.0.0.1:26400)\n"
	      "      --mold-session S    MoldUDP64 session (default TGX0000001)\n"
	      "      --retrans-port P    MoldUDP64 retransmission requests on 127.0.0.1:P\n"
	      "                          (default 26401; 0: none)\n"
	      "      --feed-pcap FILE    write the feed as a pcap\n"
	      "      --drop-every K      drop every K-th feed data packet on the wire (loss test)\n"
	      "      --oe-port P         OUCH / SoupBinTCP on 127.0.0.1:P (default 26500; 0: any)\n"
	      "      --oe-session S      SoupBinTCP session (default TGX0000001)\n"
	      "      --user NAME:PASS    an order-entry login (default TGDEMO:secret; repeatable)\n"
	      "      --summary FILE      write the day's summary as JSON\n"
	      "      --ready-file FILE   write the ports as JSON once listening\n"
	      "  -q, --quiet             print nothing but errors and the summary path\n"
	      "  -h, --help              show this help\n",
	      f);
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && s[0] != '\0' && s[0] != '-';
}

static bool parse_double(const char *s, double *out, double lo, double hi)
{
	char *end;

	*out = strtod(s, &end);
	return *end == '\0' && s[0] != '\0' && *out >= lo && *out <= hi;
}

static bool parse_port(const char *s, uint16_t *out, bool zero_ok)
{
	uint64_t v;

	if (!parse_u64(s, &v) || v > 65535 || (v == 0 && !zero_ok))
		return false;
	*out = (uint16_t)v;
	return true;
}

static bool parse_hms(const char *s, uint64_t *ns)
{
	unsigned h, m, sec;
	char tail;

	if (sscanf(s, "%u:%u:%u%c", &h, &m, &sec, &tail) != 3 || h > 23 || m > 59 || sec > 59)
		return false;
	*ns = ((uint64_t)h * 3600 + m * 60 + sec) * NS_PER_S;
	return true;
}

static bool parse_symbols(struct exchange *x, const char *arg)
{
	char *save = NULL, *tok;

	if (strlen(arg) >= sizeof(x->symbol_buf))
		return false;
	strcpy(x->symbol_buf, arg);
	x->n_symbols = 0;
	for (tok = strtok_r(x->symbol_buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(tok);

		if (n == 0 || n > 8 || x->n_symbols == MAX_SYMBOLS)
			return false;
		for (size_t i = 0; i < n; i++)
			if (tok[i] <= ' ' || tok[i] > '~')
				return false;
		x->symbols[x->n_symbols++] = tok;
	}
	return x->n_symbols > 0;
}

static bool parse_user(struct exchange *x, const char *arg, size_t *used)
{
	size_t n = strlen(arg) + 1;
	char *copy, *colon;

	if (x->n_users == MAX_USERS || *used + n > sizeof(x->user_buf))
		return false;
	copy = x->user_buf + *used;
	memcpy(copy, arg, n);
	*used += n;
	colon = strchr(copy, ':');
	if (colon == NULL)
		return false;
	*colon = '\0';
	x->users[x->n_users++] = (struct tg_xoe_user){ .username = copy, .password = colon + 1 };
	return true;
}

static bool parse_addr_port(const char *arg, uint32_t *addr, uint16_t *port)
{
	char host[64];
	const char *colon = strrchr(arg, ':');
	struct in_addr in;

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(host))
		return false;
	memcpy(host, arg, (size_t)(colon - arg));
	host[colon - arg] = '\0';
	if (inet_pton(AF_INET, host, &in) != 1)
		return false;
	*addr = ntohl(in.s_addr);
	return parse_port(colon + 1, port, false);
}

/* ---- the events of the venue: to the feed, the order-entry server, the market ---- */

static void on_event(void *ctx, const struct tg_match_event *ev)
{
	struct exchange *x = ctx;

	if (ev->type == TG_MATCH_EV_EXECUTE) {
		x->executions++;
		x->executed_shares += ev->shares;
	} else if (ev->type == TG_MATCH_EV_HALT) {
		x->halts += ev->halted;
	}
	/* the replay publishes the capture itself; the appliance's orders there are not on the feed */
	if (x->market != NULL && tg_xfeed_match_event(x->feed, ev) != TG_OK)
		x->feed_errors++;
	if (x->oe != NULL)
		tg_xoe_match_event(x->oe, ev, x->now_ns);
	if (x->market != NULL)
		tg_xmarket_match_event(x->market, ev);
}

static void on_replayed(void *ctx, const uint8_t *msg, size_t len, uint64_t ts_ns)
{
	struct exchange *x = ctx;

	(void)ts_ns;
	if (tg_xfeed_message(x->feed, msg, len, x->now_ns) != TG_OK) {
		/* counted by the feed */
	}
}

/* ---- the summary ---- */

static void write_summary(const struct exchange *x, FILE *f, double wall_s)
{
	const struct tg_xfeed_stats *fs = tg_xfeed_stats(x->feed);
	struct tg_json j;

	tg_json_init(&j, f);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "market", x->replay_path != NULL ? "replay" : "synthetic");
	if (x->replay_path != NULL)
		tg_json_string(&j, "replay", x->replay_path);
	else
		tg_json_u64(&j, "seed", x->seed);
	tg_json_array_begin(&j, "symbols");
	for (unsigned i = 0; i < x->n_symbols; i++)
		tg_json_string(&j, NULL, x->symbols[i]);
	tg_json_array_end(&j);
	tg_json_double(&j, "wall_seconds", wall_s);
	tg_json_u64(&j, "exchange_ns", x->now_ns - x->start_ns);
	tg_json_object_begin(&j, "engine");
	tg_json_u64(&j, "executions", x->executions);
	tg_json_u64(&j, "executed_shares", x->executed_shares);
	tg_json_u64(&j, "halts", x->halts);
	tg_json_u64(&j, "feed_errors", x->feed_errors);
	tg_json_u64(&j, "resting_orders", x->engine != NULL ? tg_match_resting_count(x->engine) : 0);
	tg_json_object_end(&j);
	if (x->market != NULL) {
		struct tg_xmarket_counters mc;

		tg_xmarket_counters(x->market, &mc);
		tg_json_object_begin(&j, "synthetic");
		for (unsigned a = 0; a < TG_XMARKET_ACTION_COUNT; a++)
			tg_json_u64(&j, tg_xmarket_action_name(a), mc.actions[a]);
		tg_json_u64(&j, "calls", mc.calls);
		tg_json_u64(&j, "refused", mc.refused);
		tg_json_u64(&j, "errors", mc.errors);
		tg_json_object_end(&j);
	}
	if (x->replay != NULL) {
		const struct tg_xreplay_stats *rs = tg_xreplay_stats(x->replay);

		tg_json_object_begin(&j, "replay_stats");
		tg_json_u64(&j, "messages", rs->messages);
		tg_json_object_end(&j);
	}
	tg_json_object_begin(&j, "feed");
	tg_json_u64(&j, "messages", fs->messages);
	tg_json_u64(&j, "packets", fs->packets);
	tg_json_u64(&j, "bytes", fs->bytes);
	tg_json_u64(&j, "heartbeats", fs->heartbeats);
	tg_json_u64(&j, "dropped_by_injection", fs->dropped);
	tg_json_u64(&j, "send_errors", fs->send_errors);
	tg_json_u64(&j, "retrans_requests", fs->rtx_requests);
	tg_json_u64(&j, "retrans_packets", fs->rtx_packets);
	tg_json_object_end(&j);
	tg_xoe_json(x->oe, &j, "order_entry");
	tg_json_object_end(&j);
	tg_json_finish(&j);
}

/* ---- the loop ---- */

static uint64_t next_market_ns(struct exchange *x)
{
	if (x->closing)
		return UINT64_MAX;
	if (x->market != NULL)
		return tg_xmarket_next_ns(x->market);
	if (x->replay != NULL && !tg_xreplay_done(x->replay))
		return tg_xreplay_next_ns(x->replay);
	return UINT64_MAX;
}

static int run_market(struct exchange *x)
{
	if (x->closing)
		return TG_OK;
	if (x->market != NULL)
		return tg_xmarket_run_until(x->market, x->now_ns);
	if (x->replay != NULL && !tg_xreplay_done(x->replay)) {
		uint64_t n;
		int rc = tg_xreplay_run_until(x->replay, x->now_ns, &n);

		if (rc != TG_OK)
			fprintf(stderr, "tickgate-exchange: replay: %s\n", tg_xreplay_error(x->replay));
		return rc;
	}
	return TG_OK;
}

/* One round: the market, the feed, the sockets. wait_cap_ns bounds the sleep. */
static int round_trip(struct exchange *x, int64_t wait_cap_ns)
{
	struct pollfd fds[MAX_POLLFDS];
	size_t n_oe, n;
	int rc;

	x->now_ns = exchange_time(x, tg_monotonic_ns());
	rc = run_market(x);
	if (rc != TG_OK)
		return rc;
	tg_xfeed_flush(x->feed, x->now_ns);
	tg_xfeed_tick(x->feed, x->now_ns);

	/* sleep until the next action, a session timer, or a socket */
	int64_t wait = wait_cap_ns;
	uint64_t due = next_market_ns(x);
	uint64_t oe_due = tg_xoe_deadline(x->oe);

	if (oe_due < due)
		due = oe_due;
	if (due != UINT64_MAX) {
		int64_t w = due > x->now_ns ? (int64_t)((double)(due - x->now_ns) / x->speed) : 0;

		if (w < wait)
			wait = w;
	}
	n_oe = tg_xoe_fill_pollfds(x->oe, fds, MAX_POLLFDS - 1);
	n = n_oe;
	if (tg_xfeed_poll_fd(x->feed) >= 0)
		fds[n++] = (struct pollfd){ .fd = tg_xfeed_poll_fd(x->feed), .events = POLLIN };
	struct timespec ts = { .tv_sec = wait / 1000000000LL, .tv_nsec = wait % 1000000000LL };

	if (ppoll(fds, n, &ts, NULL) < 0 && errno != EINTR) {
		fprintf(stderr, "tickgate-exchange: poll: %s\n", strerror(errno));
		return TG_ERR_SYS;
	}
	x->now_ns = exchange_time(x, tg_monotonic_ns());
	rc = tg_xoe_service(x->oe, fds, n_oe, x->now_ns);
	if (rc != TG_OK) {
		fprintf(stderr, "tickgate-exchange: order entry: %s\n", tg_strerror(rc));
		return rc;
	}
	if (tg_xfeed_service(x->feed, x->now_ns) < 0)
		fprintf(stderr, "tickgate-exchange: retransmission: %s\n", strerror(errno));
	tg_xfeed_flush(x->feed, x->now_ns);
	return TG_OK;
}

static int write_ready(const struct exchange *x, const struct tg_xfeed_config *fc)
{
	FILE *f = fopen(x->ready_path, "w");
	struct tg_json j;

	if (f == NULL) {
		fprintf(stderr, "tickgate-exchange: --ready-file %s: %s\n", x->ready_path, strerror(errno));
		return -1;
	}
	tg_json_init(&j, f);
	tg_json_object_begin(&j, NULL);
	tg_json_u64(&j, "pid", (uint64_t)getpid());
	tg_json_u64(&j, "oe_port", tg_xoe_port(x->oe));
	tg_json_u64(&j, "retrans_port", tg_xfeed_rtx_port(x->feed));
	tg_json_u64(&j, "feed_port", fc->dst_port);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	return fclose(f) == 0 ? 0 : -1;
}

enum {
	OPT_SEED = 256, OPT_RATE, OPT_HALTS, OPT_REPLAY, OPT_LOCATE, OPT_SPEED, OPT_START, OPT_FEED,
	OPT_MOLD_SESSION, OPT_RETRANS_PORT, OPT_FEED_PCAP, OPT_DROP_EVERY, OPT_OE_PORT, OPT_OE_SESSION,
	OPT_USER, OPT_SUMMARY, OPT_READY,
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "symbols", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "halts-per-hour", required_argument, NULL, OPT_HALTS },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "locate", required_argument, NULL, OPT_LOCATE },
		{ "duration", required_argument, NULL, 'd' },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "start", required_argument, NULL, OPT_START },
		{ "feed", required_argument, NULL, OPT_FEED },
		{ "mold-session", required_argument, NULL, OPT_MOLD_SESSION },
		{ "retrans-port", required_argument, NULL, OPT_RETRANS_PORT },
		{ "feed-pcap", required_argument, NULL, OPT_FEED_PCAP },
		{ "drop-every", required_argument, NULL, OPT_DROP_EVERY },
		{ "oe-port", required_argument, NULL, OPT_OE_PORT },
		{ "oe-session", required_argument, NULL, OPT_OE_SESSION },
		{ "user", required_argument, NULL, OPT_USER },
		{ "summary", required_argument, NULL, OPT_SUMMARY },
		{ "ready-file", required_argument, NULL, OPT_READY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct exchange x = {
		.seed = 1, .rate = 2000, .speed = 1, .halts_per_hour = 2, .start_ns = 34200ull * NS_PER_S,
	};
	struct tg_xfeed_config fc = {
		.session = "TGX0000001", .dst_addr = 0x7f000001u, .dst_port = 26400, .rtx_port = 26401,
	};
	struct tg_xoe_config oc = { .port = 26500, .session = "TGX0000001" };
	struct tg_xreplay_locate locates[MAX_SYMBOLS];
	char locate_buf[MAX_SYMBOLS][9];
	unsigned n_locates = 0;
	size_t user_used = 0;
	uint64_t v;
	int opt, rc;

	if (!parse_symbols(&x, "AAPL,MSFT,NVDA"))
		return 1;
	while ((opt = getopt_long(argc, argv, "s:d:qh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (!parse_symbols(&x, optarg)) {
				fprintf(stderr, "tickgate-exchange: --symbols: 1-%u symbols of 1-8 characters: %s\n",
					MAX_SYMBOLS, optarg);
				return 2;
			}
			break;
		case OPT_SEED:
			if (!parse_u64(optarg, &x.seed)) {
				fprintf(stderr, "tickgate-exchange: --seed: not a number: %s\n", optarg);
				return 2;
			}
			break;
		case OPT_RATE:
			if (!parse_double(optarg, &x.rate, 1, 1e7)) {
				fprintf(stderr, "tickgate-exchange: --rate: not in [1, 1e7]: %s\n", optarg);
				return 2;
			}
			break;
		case OPT_HALTS:
			if (!parse_double(optarg, &x.halts_per_hour, 0, 3600)) {
				fprintf(stderr, "tickgate-exchange: --halts-per-hour: not in [0, 3600]: %s\n", optarg);
				return 2;
			}
			break;
		case OPT_REPLAY: x.replay_path = optarg; break;
		case OPT_LOCATE: {
			const char *eq = strchr(optarg, '=');

			if (n_locates == MAX_SYMBOLS || eq == NULL || eq == optarg || eq - optarg > 8 ||
			    !parse_u64(eq + 1, &v) || v == 0 || v > 65535) {
				fprintf(stderr, "tickgate-exchange: --locate: not SYMBOL=LOCATE: %s\n", optarg);
				return 2;
			}
			memcpy(locate_buf[n_locates], optarg, (size_t)(eq - optarg));
			locate_buf[n_locates][eq - optarg] = '\0';
			locates[n_locates] = (struct tg_xreplay_locate){ (uint16_t)v, locate_buf[n_locates] };
			n_locates++;
			break;
		}
		case 'd':
			if (!parse_double(optarg, &x.duration_s, 0.1, 1e7)) {
				fprintf(stderr, "tickgate-exchange: --duration: not seconds: %s\n", optarg);
				return 2;
			}
			break;
		case OPT_SPEED:
			if (!parse_double(optarg, &x.speed, 0.001, 1e6)) {
				fprintf(stderr, "tickgate-exchange: --speed: not in [0.001, 1e6]: %s\n", optarg);
				return 2;
			}
			break;
		case OPT_START:
			if (!parse_hms(optarg, &x.start_ns)) {
				fprintf(stderr, "tickgate-exchange: --start: not HH:MM:SS: %s\n", optarg);
				return 2;
			}
			break;
		case OPT_FEED:
			if (!parse_addr_port(optarg, &fc.dst_addr, &fc.dst_port)) {
				fprintf(stderr, "tickgate-exchange: --feed: not IPV4:PORT: %s\n", optarg);
				return 2;
			}
			break;
		case OPT_MOLD_SESSION: fc.session = optarg; break;
		case OPT_RETRANS_PORT:
			if (!parse_port(optarg, &fc.rtx_port, true)) {
				fprintf(stderr, "tickgate-exchange: --retrans-port: not a port: %s\n", optarg);
				return 2;
			}
			break;
		case OPT_FEED_PCAP: fc.pcap_path = optarg; break;
		case OPT_DROP_EVERY:
			if (!parse_u64(optarg, &v) || v == 0 || v > UINT32_MAX) {
				fprintf(stderr, "tickgate-exchange: --drop-every: not a count: %s\n", optarg);
				return 2;
			}
			fc.loss.drop_every = (uint32_t)v;
			break;
		case OPT_OE_PORT:
			if (!parse_port(optarg, &oc.port, true)) {
				fprintf(stderr, "tickgate-exchange: --oe-port: not a port: %s\n", optarg);
				return 2;
			}
			break;
		case OPT_OE_SESSION: oc.session = optarg; break;
		case OPT_USER:
			if (!parse_user(&x, optarg, &user_used)) {
				fprintf(stderr, "tickgate-exchange: --user: not NAME:PASSWORD (at most %u): %s\n",
					MAX_USERS, optarg);
				return 2;
			}
			break;
		case OPT_SUMMARY: x.summary_path = optarg; break;
		case OPT_READY: x.ready_path = optarg; break;
		case 'q': x.quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tickgate-exchange: unexpected argument: %s\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (x.n_users == 0)
		x.users[x.n_users++] = (struct tg_xoe_user){ .username = "TGDEMO", .password = "secret" };

	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = TG_OK;
	x.now_ns = x.start_ns;
	/* the venue */
	struct tg_venue venue;
	char err[512];

	if (x.replay_path != NULL) {
		struct tg_xreplay_config rc_cfg = {
			.path = x.replay_path,
			.symbols = x.symbols, .n_symbols = x.n_symbols,
			.locates = locates, .n_locates = n_locates,
			.message = on_replayed, .event = on_event, .ctx = &x,
		};

		if (tg_xreplay_open(&rc_cfg, &x.replay, err, sizeof(err)) != TG_OK) {
			fprintf(stderr, "tickgate-exchange: %s\n", err);
			return 1;
		}
		tg_venue_of_replay(&venue, x.replay);
	} else {
		struct tg_match_config mc = { .instruments = x.n_symbols, .max_orders = 1u << 20 };
		struct tg_xmarket_config mk = {
			.seed = x.seed, .instruments = x.n_symbols, .symbols = x.symbols, .rate = x.rate,
			.start_ns = x.start_ns, .halts_per_hour = x.halts_per_hour > 0 ? x.halts_per_hour : -1,
		};

		if (tg_match_new(&mc, on_event, &x, &x.engine) != TG_OK ||
		    tg_xmarket_new(&mk, x.engine, &x.market) != TG_OK) {
			fprintf(stderr, "tickgate-exchange: cannot set up the synthetic market\n");
			return 1;
		}
		tg_venue_of_match(&venue, x.engine);
	}
	/* the feed and the order-entry server */
	rc = tg_xfeed_new(&fc, &x.feed, err, sizeof(err));
	if (rc != TG_OK) {
		fprintf(stderr, "tickgate-exchange: feed: %s\n", err);
		return 1;
	}
	oc.users = x.users;
	oc.n_users = x.n_users;
	oc.symbols = x.symbols;
	oc.n_symbols = x.n_symbols;
	oc.venue = venue;
	rc = tg_xoe_new(&oc, &x.oe);
	if (rc != TG_OK) {
		fprintf(stderr, "tickgate-exchange: order entry on 127.0.0.1:%u: %s (%s)\n", oc.port, tg_strerror(rc),
			strerror(errno));
		return 1;
	}
	if (x.ready_path != NULL && write_ready(&x, &fc) != 0)
		return 1;
	if (x.market != NULL && tg_xfeed_start_of_day(x.feed, x.symbols, x.n_symbols, x.now_ns) != TG_OK) {
		fprintf(stderr, "tickgate-exchange: cannot publish the start of day\n");
		return 1;
	}
	if (!x.quiet)
		fprintf(stderr,
			"tickgate-exchange: %s market, %u symbols; feed %s udp port %u (retransmission %u), "
			"OUCH on tcp port %u\n",
			x.replay_path != NULL ? "replay" : "synthetic", x.n_symbols, "127.0.0.1", fc.dst_port,
			tg_xfeed_rtx_port(x.feed), tg_xoe_port(x.oe));

	x.wall_start_ns = tg_monotonic_ns();
	while (!stop_requested) {
		if (x.duration_s > 0 && (double)(tg_monotonic_ns() - x.wall_start_ns) >= x.duration_s * 1e9)
			break;
		if (x.replay != NULL && tg_xreplay_done(x.replay) && x.duration_s == 0)
			break;
		rc = round_trip(&x, MAX_WAIT_NS);
		if (rc != TG_OK)
			break;
	}

	/* the end of the day: the last packets, End of Session on both sides */
	x.closing = true;
	if (x.market != NULL && tg_xfeed_end_of_day(x.feed, x.now_ns) != TG_OK) {
		/* the feed ended already */
	}
	tg_xfeed_flush(x.feed, x.now_ns);
	tg_xfeed_end(x.feed);
	tg_xoe_end_session(x.oe, x.now_ns);
	int64_t linger_end = tg_monotonic_ns() + END_LINGER_NS;

	stop_requested = 0;
	/* a receiver that lost the last packets learns it from End of Session and asks for them */
	while (tg_monotonic_ns() < linger_end && !stop_requested) {
		if (round_trip(&x, 10000000LL) != TG_OK)
			break;
	}
	double wall_s = (double)(tg_monotonic_ns() - x.wall_start_ns) / 1e9;

	if (x.summary_path != NULL) {
		FILE *f = fopen(x.summary_path, "w");

		if (f == NULL) {
			fprintf(stderr, "tickgate-exchange: --summary %s: %s\n", x.summary_path, strerror(errno));
			rc = TG_ERR_SYS;
		} else {
			write_summary(&x, f, wall_s);
			if (fclose(f) != 0)
				rc = TG_ERR_SYS;
		}
	}
	if (!x.quiet) {
		const struct tg_xfeed_stats *fs = tg_xfeed_stats(x.feed);

		fprintf(stderr,
			"tickgate-exchange: day over after %.1f s: %" PRIu64 " feed messages in %" PRIu64
			" packets, %" PRIu64 " executions, %" PRIu64 " retransmission requests\n",
			wall_s, fs->messages, fs->packets, x.executions, fs->rtx_requests);
	}
	tg_xoe_free(x.oe);
	tg_xfeed_free(x.feed);
	tg_xmarket_free(x.market);
	tg_xreplay_close(x.replay);
	tg_match_free(x.engine);
	return rc == TG_OK ? 0 : 1;
}
