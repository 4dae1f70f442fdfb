/*
 * tickgate status: identity, control state, the links beside the card
 * (order entry, market data: when its transport reports them) and every
 * counter of the card.
 */
#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "tickgate/clock.h"
#include "tickgate/json.h"

#define MAX_COUNTERS 64

struct snapshot {
	uint32_t control, kill, ring_control, status;
	bool oe_known, feed_known;	/* the transport reports the link (tickgate-sim does) */
	struct tg_card_oe_link oe;
	struct tg_card_feed_link feed;
	unsigned n;
	const char *names[MAX_COUNTERS];
	uint64_t values[MAX_COUNTERS];
	double t;
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int take(struct tg_card *card, struct snapshot *s)
{
	int rc = tg_card_csr_read(card, TG_REG_CONTROL, &s->control);

	if (rc == TG_OK)
		rc = tg_card_csr_read(card, TG_REG_KILL, &s->kill);
	if (rc == TG_OK)
		rc = tg_card_csr_read(card, TG_REG_RING_CONTROL, &s->ring_control);
	if (rc == TG_OK)
		rc = tg_card_csr_read(card, TG_REG_STATUS, &s->status);
	/* TG_ERR_STATE: a transport with no link to tell of (a board) */
	s->oe_known = tg_card_oe_link(card, &s->oe) == TG_OK;
	s->feed_known = tg_card_feed_link(card, &s->feed) == TG_OK;
	s->n = 0;
	for (unsigned i = 0; rc == TG_OK && i < tg_card_regs_count && s->n < MAX_COUNTERS; i++) {
		const struct tg_reg_info *r = &tg_card_regs[i];

		if (r->access != TG_REG_COUNTER64)
			continue;
		s->names[s->n] = r->name;
		rc = tg_card_counter_read(card, r->offset, &s->values[s->n]);
		s->n++;
	}
	s->t = (double)tg_monotonic_ns() / 1e9;
	return rc;
}

static uint64_t counter(const struct snapshot *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return s->values[i];
	return 0;
}

static void caps_text(uint32_t caps, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < tg_card_caps_count && off < len; i++)
		if (caps & tg_card_caps[i].mask)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " " : "", tg_card_caps[i].name);
}

static const char *yes(uint32_t v) { return v ? "yes" : "no"; }

static const char *oe_state_name(int state)
{
	switch (state) {
	case TG_CARD_OE_NONE: return "none";
	case TG_CARD_OE_DOWN: return "down";
	case TG_CARD_OE_UP: return "up";
	case TG_CARD_OE_ENDED: return "ended";
	default: return "unknown";
	}
}

static const char *feed_state_name(int state)
{
	switch (state) {
	case TG_CARD_FEED_NONE: return "none";
	case TG_CARD_FEED_UP: return "up";
	case TG_CARD_FEED_RECOVERING: return "recovering";
	default: return "unknown";
	}
}

/* the links' lines of the text; returns how many */
static int print_links(const struct snapshot *s)
{
	const struct tg_card_oe_link *o = &s->oe;
	const struct tg_card_feed_link *f = &s->feed;
	int lines = 0;

	if (!s->oe_known)
		printf("oe link    not reported by this card\n");
	else if (o->state == TG_CARD_OE_NONE)
		printf("oe link    none\n");
	else
		printf("oe link    %s, session '%s'; %" PRIu64 " logins, %" PRIu64 " lost; %" PRIu64
		       " packets out, %" PRIu64 " in, %" PRIu64 " dropped\n",
		       oe_state_name(o->state), o->session, o->logins, o->disconnects, o->packets_out, o->packets_in,
		       o->dropped);
	lines++;
	if (!s->feed_known) {
		printf("feed link  not reported by this card\n");
		return lines + 1;
	}
	if (f->state == TG_CARD_FEED_NONE) {
		printf("feed link  none\n");
		return lines + 1;
	}
	printf("feed link  %s, %s retransmission; %" PRIu64 " datagrams, %" PRIu64 " retransmitted, %" PRIu64
	       " frames into the card\n",
	       feed_state_name(f->state), f->retrans ? "with" : "without", f->datagrams, f->retrans_datagrams,
	       f->frames);
	printf("           %" PRIu64 " gap holds, %" PRIu64 " requests for %" PRIu64 " messages (%" PRIu64
	       " not sent); %" PRIu64 " queue drops, %" PRIu64 " malformed\n",
	       f->holds, f->requests, f->requested_messages, f->send_errors, f->queue_drops, f->malformed);
	lines += 2;
	if (f->last_error[0] != '\0') {
		printf("           last error: %s\n", f->last_error);
		lines++;
	}
	return lines;
}

static int print_text(const struct tg_card *card, const struct snapshot *s, const struct snapshot *prev)
{
	const struct tg_card_identity *id = tg_card_identity(card);
	double mhz = id->clock_khz / 1000.0;
	uint64_t up = counter(s, "UPTIME");
	char caps[128];
	int lines = 0;

	caps_text(id->caps, caps, sizeof(caps));
	printf("card       %s\n", tg_card_uri(card));
	lines++;
	printf("identity   magic 0x%08" PRIx32 ", interface %u.%u, contract 0x%08" PRIx32
	       ", build %08" PRIx32 "\n", id->magic, (unsigned)(id->if_version >> 16),
	       (unsigned)(id->if_version & 0xffff), id->contract_hash, id->build_id);
	lines++;
	printf("caps       %s; clock %.3f MHz\n", caps, mhz);
	lines++;
	printf("control    enabled %s, killed %s, h2c ring %s, c2h ring %s%s\n",
	       yes(s->control & TG_CONTROL_ENABLE_MASK), yes(s->kill & TG_KILL_ENGAGED_MASK),
	       s->ring_control & TG_RING_CONTROL_H2C_EN_MASK ? "on" : "off",
	       s->ring_control & TG_RING_CONTROL_C2H_EN_MASK ? "on" : "off",
	       s->status & TG_STATUS_C2H_FULL_MASK ? ", C2H FULL" : "");
	lines++;
	lines += print_links(s);
	printf("uptime     %" PRIu64 " cycles (%.3f ms of card time)\n", up,
	       mhz > 0 ? (double)up / (mhz * 1e3) : 0.0);
	lines++;
	for (unsigned i = 0; i < s->n; i++) {
		if (strcmp(s->names[i], "UPTIME") == 0)
			continue;
		printf("%-24s %16" PRIu64, s->names[i], s->values[i]);
		if (prev != NULL && s->t > prev->t)
			printf("  %12.0f/s", (double)(s->values[i] - prev->values[i]) / (s->t - prev->t));
		putchar('\n');
		lines++;
	}
	fflush(stdout);
	return lines;
}

static void print_json(const struct tg_card *card, const struct snapshot *s)
{
	const struct tg_card_identity *id = tg_card_identity(card);
	struct tg_json j;

	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "card", tg_card_uri(card));
	tg_json_object_begin(&j, "identity");
	tg_json_hex32(&j, "magic", id->magic);
	tg_json_u64(&j, "if_major", id->if_version >> 16);
	tg_json_u64(&j, "if_minor", id->if_version & 0xffff);
	tg_json_hex32(&j, "build_id", id->build_id);
	tg_json_hex32(&j, "caps", id->caps);
	tg_json_hex32(&j, "contract_hash", id->contract_hash);
	tg_json_u64(&j, "clock_khz", id->clock_khz);
	tg_json_object_end(&j);
	tg_json_object_begin(&j, "control");
	tg_json_bool(&j, "enabled", s->control & TG_CONTROL_ENABLE_MASK);
	tg_json_bool(&j, "killed", s->kill & TG_KILL_ENGAGED_MASK);
	tg_json_bool(&j, "h2c_ring", s->ring_control & TG_RING_CONTROL_H2C_EN_MASK);
	tg_json_bool(&j, "c2h_ring", s->ring_control & TG_RING_CONTROL_C2H_EN_MASK);
	tg_json_hex32(&j, "status", s->status);
	tg_json_object_end(&j);
	if (s->oe_known) {
		tg_json_object_begin(&j, "oe_link");
		tg_json_string(&j, "state", oe_state_name(s->oe.state));
		tg_json_string(&j, "session", s->oe.session);
		tg_json_u64(&j, "logins", s->oe.logins);
		tg_json_u64(&j, "disconnects", s->oe.disconnects);
		tg_json_u64(&j, "packets_out", s->oe.packets_out);
		tg_json_u64(&j, "packets_in", s->oe.packets_in);
		tg_json_u64(&j, "dropped", s->oe.dropped);
		tg_json_object_end(&j);
	}
	if (s->feed_known) {
		tg_json_object_begin(&j, "feed_link");
		tg_json_string(&j, "state", feed_state_name(s->feed.state));
		tg_json_bool(&j, "retrans", s->feed.retrans);
		tg_json_u64(&j, "datagrams", s->feed.datagrams);
		tg_json_u64(&j, "retrans_datagrams", s->feed.retrans_datagrams);
		tg_json_u64(&j, "frames", s->feed.frames);
		tg_json_u64(&j, "holds", s->feed.holds);
		tg_json_u64(&j, "requests", s->feed.requests);
		tg_json_u64(&j, "requested_messages", s->feed.requested_messages);
		tg_json_u64(&j, "queue_drops", s->feed.queue_drops);
		tg_json_u64(&j, "malformed", s->feed.malformed);
		tg_json_u64(&j, "send_errors", s->feed.send_errors);
		tg_json_string(&j, "last_error", s->feed.last_error);
		tg_json_object_end(&j);
	}
	tg_json_object_begin(&j, "counters");
	for (unsigned i = 0; i < s->n; i++) {
		char key[64];
		size_t k;

		for (k = 0; s->names[i][k] && k + 1 < sizeof(key); k++)
			key[k] = (char)tolower((unsigned char)s->names[i][k]);
		key[k] = '\0';
		tg_json_u64(&j, key, s->values[i]);
	}
	tg_json_object_end(&j);
	tg_json_object_end(&j);
	tg_json_finish(&j);
}

static void usage(FILE *f)
{
	fputs("usage: tickgate status [--json] [--watch [--interval SEC] [--count N]]\n"
	      "Show the card's identity, control state, order-entry and feed links and counters.\n\n"
	      "  -w, --watch          refresh until Ctrl-C (in place on a terminal)\n"
	      "  -i, --interval SEC   seconds between refreshes (default 1)\n"
	      "  -n, --count N        stop after N refreshes\n"
	      "  -j, --json           JSON (with --watch: one document per line)\n",
	      f);
}

int cmd_status(const struct cli *cli_in, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "watch", no_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = *cli_in;
	bool watch = false;
	uint64_t interval_ms = 1000, count = 0, v;
	struct snapshot cur, prev;
	struct tg_card *card;
	int opt, lines = 0, rc = TG_OK;

	optind = 0;	/* 0, not 1: glibc re-reads the optstring (main used "+") */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":wi:n:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'w': watch = true; break;
		case 'i': {
			double sec;
			char *end;

			sec = strtod(optarg, &end);
			if (*end || !(sec >= 0.01 && sec <= 3600))
				return cli_usage_error("status", "--interval: seconds in [0.01, 3600]: %s", optarg);
			interval_ms = (uint64_t)(sec * 1000);
			break;
		}
		case 'n':
			if (!cli_parse_u64(optarg, UINT32_MAX, &v) || v == 0)
				return cli_usage_error("status", "--count: a positive count: %s", optarg);
			count = v;
			break;
		case 'j': cli.json = true; break;
		case 'h': usage(stdout); return CLI_EXIT_OK;
		default: return cli_bad_option("status", argv, opt);
		}
	}
	if (optind != argc)
		return cli_usage_error("status", "unexpected argument '%s'", argv[optind]);
	if (!watch && count == 0)
		count = 1;
	card = cli_open(&cli, 0);
	if (card == NULL)
		return CLI_EXIT_FAIL;
	signal(SIGINT, on_sigint);
	signal(SIGTERM, on_sigint);
	bool tty = isatty(STDOUT_FILENO) && !cli.json;

	for (uint64_t k = 0; !interrupted && (count == 0 || k < count); k++) {
		if (k > 0) {
			struct timespec ts = { (time_t)(interval_ms / 1000), (long)(interval_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
			if (interrupted)
				break;
		}
		rc = take(card, &cur);
		if (rc != TG_OK)
			break;
		if (cli.json) {
			print_json(card, &cur);
		} else {
			if (tty && lines > 0)
				printf("\033[%dA\033[J", lines);
			else if (k > 0)
				putchar('\n');
			lines = print_text(card, &cur, k > 0 ? &prev : NULL);
		}
		prev = cur;
	}
	if (rc != TG_OK)
		cli_error("%s: reading the card: %s", cli.card_uri, tg_strerror(rc));
	tg_card_close(card);
	return rc == TG_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
