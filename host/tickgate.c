/*
 * tickgate: the control CLI of the appliance.
 *
 * Talks to the card directly through the driver (so `status` and register
 * writes work even when no daemon runs); one subcommand per task, plain
 * text by default and one JSON document with --json. Exit status: 0 done,
 * 1 failed, 2 wrong arguments (nothing was done).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*run)(const struct cli *cli, int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "status", cmd_status, "identity, control state, links and counters of the card" },
	{ "regs", cmd_regs, "dump, read or write card registers by name" },
	{ "loopback", cmd_loopback, "round-trip commands through the card's rings and check them" },
	{ "feed", cmd_feed, "decode market-data captures and ITCH files (stats, decode)" },
	{ "risk", cmd_risk, "show, set or load the risk gate's limits (atomic, audited); reverse a broken trade" },
	{ "kill", cmd_kill, "engage the kill switch of the card or of one instrument" },
	{ "resume", cmd_resume, "release a kill switch (needs --confirm)" },
	{ "orders", cmd_orders, "the card's open orders" },
	{ "positions", cmd_positions, "positions and exposure as the risk gate counts them" },
	{ "stats", cmd_stats, "decisions by reason, order and kill latency histograms" },
	{ "audit", cmd_audit, "the audit log of limit changes, kills, resumes and broken-trade reversals" },
	{ "trade", cmd_trade, "trade through the card: quote around its BBO, summary at the end" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: tickgate [--card URI] [--json] COMMAND [ARGS...]\n"
		   "Control and inspect a tickgate card.\n\n"
		   "Options:\n"
		   "  -c, --card URI   card to use (default: $%s, else %s)\n"
		   "  -j, --json       print one JSON document instead of text\n"
		   "  -h, --help       show this help; COMMAND --help shows the command's\n\n"
		   "Commands:\n",
		TG_CARD_URI_ENV, TG_CARD_URI_DEFAULT);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("tickgate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tickgate%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'tickgate %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
	fflush(stderr);
	return CLI_EXIT_USAGE;
}

int cli_bad_option(const char *cmd, char **argv, int opt)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";
	char shortopt[3] = { '-', (char)optopt, '\0' };

	/* for an unknown short option in a cluster, argv[optind-1] is the cluster */
	if (optopt != 0 && strncmp(arg, "--", 2) != 0)
		arg = shortopt;
	if (opt == ':')
		return cli_usage_error(cmd, "option '%s' needs a value", arg);
	return cli_usage_error(cmd, "unknown option '%s'", arg);
}

bool cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

struct tg_card *cli_open(const struct cli *cli, unsigned flags)
{
	struct tg_card *card = NULL;
	int rc = tg_card_open(cli->card_uri, flags, &card);

	if (rc == TG_OK)
		return card;
	switch (rc) {
	case TG_ERR_NOENT:
		cli_error("%s: no such card%s", cli->card_uri,
			  strncmp(cli->card_uri, "sim:", 4) == 0 ? " (is tickgate-sim running with that --name?)"
								 : "");
		break;
	case TG_ERR_ARG:
		cli_error("%s: not a card URI (expected sim:NAME)", cli->card_uri);
		break;
	case TG_ERR_CONTRACT:
		cli_error("%s: card speaks another interface version or contract than this build", cli->card_uri);
		break;
	case TG_ERR_PERM:
		cli_error("%s: permission denied: only the card's owner may use it", cli->card_uri);
		break;
	case TG_ERR_BUSY:
		cli_error("%s: %s", cli->card_uri,
			  flags & TG_CARD_OPEN_RINGS ? "rings are owned by another process" : "no free client slot");
		break;
	default:
		cli_error("%s: %s", cli->card_uri, tg_strerror(rc));
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "card", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .card_uri = tg_card_default_uri() };
	const size_t n_cmds = sizeof(commands) / sizeof(commands[0]);
	size_t cmd = 0;
	char **line;
	int opt, rc;

	/* '+': stop at the command, whose own options follow it */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:c:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': cli.card_uri = optarg; break;
		case 'j': cli.json = true; break;
		case 'h': usage(stdout); return CLI_EXIT_OK;
		default: return cli_bad_option(NULL, argv, opt);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	while (cmd < n_cmds && strcmp(argv[optind], commands[cmd].name) != 0)
		cmd++;
	if (cmd == n_cmds)
		return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
	/* the audit log quotes the line as typed, whatever path ran the program */
	line = calloc((size_t)argc + 1, sizeof(*line));
	if (line == NULL) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	line[0] = (char *)"tickgate";
	memcpy(line + 1, argv + 1, (size_t)(argc - 1) * sizeof(*line));
	cli.argc = argc;
	cli.argv = line;
	rc = commands[cmd].run(&cli, argc - optind, argv + optind);
	free(line);
	return rc;
}
