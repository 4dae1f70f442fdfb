/* tickgate loopback: round-trip commands through the card and check every answer. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "tickgate/json.h"
#include "tickgate/loopback.h"

static void usage(FILE *f)
{
	fputs("usage: tickgate loopback [--count N] [--window W] [--seed S] [--json]\n"
	      "Send N LOOPBACK commands through the H2C ring, check each answer on the C2H\n"
	      "ring (type, tag, order, payload) and report round-trip times. Needs the\n"
	      "card's rings, so it fails while another process (the daemon) owns them.\n\n"
	      "  -n, --count N    commands to send (default 1000)\n"
	      "  -w, --window W   commands in flight at most (default 16)\n"
	      "  -s, --seed S     payload seed (default 1)\n"
	      "  -j, --json       JSON result\n",
	      f);
}

int cmd_loopback(const struct cli *cli_in, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "window", required_argument, NULL, 'w' },
		{ "seed", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = *cli_in;
	uint64_t count = 1000, window = 16, seed = 1;
	struct tg_loopback_result res;
	struct tg_card *card;
	int opt, rc;

	optind = 0;	/* 0, not 1: glibc re-reads the optstring (main used "+") */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":n:w:s:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (!cli_parse_u64(optarg, 100000000, &count) || count == 0)
				return cli_usage_error("loopback", "--count: 1..100000000: %s", optarg);
			break;
		case 'w':
			if (!cli_parse_u64(optarg, 1024, &window) || window == 0)
				return cli_usage_error("loopback", "--window: 1..1024: %s", optarg);
			break;
		case 's':
			if (!cli_parse_u64(optarg, UINT64_MAX, &seed))
				return cli_usage_error("loopback", "--seed: a number: %s", optarg);
			break;
		case 'j': cli.json = true; break;
		case 'h': usage(stdout); return CLI_EXIT_OK;
		default: return cli_bad_option("loopback", argv, opt);
		}
	}
	if (optind != argc)
		return cli_usage_error("loopback", "unexpected argument '%s'", argv[optind]);
	card = cli_open(&cli, TG_CARD_OPEN_RINGS);
	if (card == NULL)
		return CLI_EXIT_FAIL;
	rc = tg_loopback_run(card, count, (unsigned)window, seed, 5000, &res);
	tg_card_close(card);

	bool ok = rc == TG_OK && res.received == count && res.bad == 0 && res.seq_gaps == 0;

	if (cli.json) {
		struct tg_json j;

		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_bool(&j, "ok", ok);
		tg_json_u64(&j, "sent", res.sent);
		tg_json_u64(&j, "received", res.received);
		tg_json_u64(&j, "bad", res.bad);
		tg_json_u64(&j, "seq_gaps", res.seq_gaps);
		tg_json_u64(&j, "other_events", res.other_events);
		tg_json_double(&j, "wall_s", res.wall_s);
		tg_json_double(&j, "rtt_ns_min", res.rtt_ns_min);
		tg_json_double(&j, "rtt_ns_median", res.rtt_ns_median);
		tg_json_double(&j, "rtt_ns_max", res.rtt_ns_max);
		tg_json_u64(&j, "card_cycles_min", res.card_cycles_min);
		tg_json_u64(&j, "card_cycles_median", res.card_cycles_median);
		tg_json_u64(&j, "card_cycles_max", res.card_cycles_max);
		tg_json_object_end(&j);
		tg_json_finish(&j);
	} else {
		printf("loopback   %" PRIu64 " sent, %" PRIu64 " answered, %" PRIu64 " bad, %" PRIu64
		       " sequence gaps, %" PRIu64 " other events, %.3f s\n",
		       res.sent, res.received, res.bad, res.seq_gaps, res.other_events, res.wall_s);
		if (res.received > 0)
			printf("round trip %.1f / %.1f / %.1f us (min / median / max, wall clock)\n"
			       "card       %" PRIu64 " / %" PRIu64 " / %" PRIu64
			       " cycles from fetch to answer (min / median / max)\n",
			       res.rtt_ns_min / 1e3, res.rtt_ns_median / 1e3, res.rtt_ns_max / 1e3,
			       res.card_cycles_min, res.card_cycles_median, res.card_cycles_max);
	}
	if (rc != TG_OK)
		cli_error("loopback: %s", tg_strerror(rc));
	else if (!ok)
		cli_error("loopback: answers did not match what was sent");
	return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
