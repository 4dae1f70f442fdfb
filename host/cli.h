/* Shared pieces of the tickgate control CLI. */
#ifndef TG_CLI_H
#define TG_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "tickgate/card.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1	/* the command ran and failed (card error, check failed) */
#define CLI_EXIT_USAGE 2	/* wrong arguments: nothing was done */

struct cli {
	const char *card_uri;
	bool json;
	/* the whole command line as typed, argv[0] normalized to "tickgate"
	 * (main's copy: commands may reorder their own argv) */
	int argc;
	char *const *argv;
};

/* One-line error on stderr, "tickgate: ..." */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* usage error: message plus a pointer to --help; returns CLI_EXIT_USAGE */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* after getopt (optstring starting with ':') returned '?' or ':': one-line message */
int cli_bad_option(const char *cmd, char **argv, int opt);
/* Open the card, printing a helpful error; NULL on failure. */
struct tg_card *cli_open(const struct cli *cli, unsigned flags);
/* Parse an unsigned integer (decimal or 0x hex) no larger than max. */
bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out);
/* true when argv[i] is -h/--help */
bool cli_is_help(const char *arg);

int cmd_status(const struct cli *cli, int argc, char **argv);
int cmd_regs(const struct cli *cli, int argc, char **argv);
int cmd_loopback(const struct cli *cli, int argc, char **argv);
int cmd_feed(const struct cli *cli, int argc, char **argv);
int cmd_risk(const struct cli *cli, int argc, char **argv);
int cmd_kill(const struct cli *cli, int argc, char **argv);
int cmd_resume(const struct cli *cli, int argc, char **argv);
int cmd_audit(const struct cli *cli, int argc, char **argv);
int cmd_orders(const struct cli *cli, int argc, char **argv);
int cmd_positions(const struct cli *cli, int argc, char **argv);
int cmd_stats(const struct cli *cli, int argc, char **argv);
int cmd_trade(const struct cli *cli, int argc, char **argv);

#endif
