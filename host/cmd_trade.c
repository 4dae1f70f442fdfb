/*
 * tickgate trade: a small market maker that trades through the card.
 *
 * The card does the fast parts: its book turns the feed into BOOK_BBO
 * events, its risk gate decides every ORDER record (ORDER_DECISION) and
 * sends the accepted ones to the exchange as OUCH, and the exchange's
 * answers come back applied to the gate (ORDER_RESP). This process owns the
 * card's rings and does the rest:
 *
 *   setup     subscribe the symbols in the card's book (locates learned from
 *             the feed's stock directory; a symbol already subscribed keeps
 *             its slot and its book), enable them in the gate with demo
 *             limits or a limit file (audited, one commit, like `tickgate
 *             risk`), arm the host watchdog and start heart-beating;
 *   strategy  per symbol, once the card's BBO is known: one passive buy and
 *             one passive sell (one tick inside the spread when it is wider
 *             than two ticks, else joining it), replaced when the target
 *             moves more than a tick, the side that would grow the position
 *             past its bound skewed back and then withdrawn; now and then
 *             (seeded, every 2-6 s of market time) a small IOC across the
 *             spread. Every decision is a function of the seed and the
 *             card's events (market time is the feed's ITCH time, card time
 *             the events' cycle stamps), so the same events give the same
 *             orders;
 *   pre-trade every order first passes the gate's own checks (docs/risk.md)
 *             as this process can know them: the limits read back from the
 *             card, its positions, the open quantities the gate counts, and
 *             orders still in flight counted as if accepted, so what the
 *             strategy knows the gate would refuse is held back and counted;
 *             the gate stays the real guard (its rejections are counted by
 *             reason). Nothing goes out while the order-entry session beside
 *             the card is not logged in: the card's packets would be dropped
 *             and the gate would count those orders open for good;
 *   busts     every execution the card applied is kept by UserRefNum and
 *             match number (tickgate/exec_ledger.h); an OUCH Broken Trade,
 *             which the card forwards without applying, is answered by
 *             reversing that execution in the gate (RISK_CMD BUST), audited
 *             as "risk.bust" first, and in this process's own position and
 *             cash; one it cannot place is reported (tickgate risk bust);
 *   shutdown  at --duration or on SIGINT/SIGTERM: cancel every open order,
 *             wait (5 s at most) for the exchange to confirm, disarm the
 *             watchdog (left armed, with a message, when orders could not be
 *             closed: the card then cancels them itself), read positions,
 *             decisions and latency histograms back from the card, print the
 *             summary and write it as JSON.
 *
 * What this process knows of the gate and of its orders, and how each event
 * moves it, is trade_state.c: no I/O there, tested on its own against the
 * gate's golden model. The strategy is trade_strategy.c, which decides from
 * that and sends through send_order here. trade_report.c writes the status
 * line and the summary. This file does the rest: arguments, setup, the
 * card's I/O (send_order: the ring, the link's state), the loop and
 * shutdown.
 *
 * The watchdog heartbeat is written from the trading loop itself, not from a
 * thread of its own: a loop that hangs stops the heartbeat, and the card
 * engages its kill switch and cancels every open order.
 *
 * Money is integer: prices and cash in 1/10000 dollar (ITCH/OUCH units).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "card_util.h"
#include "cli.h"
#include "control_state.h"
#include "risk_cli.h"
#include "trade.h"
#include "tickgate/card_records.h"
#include "tickgate/card_regs.h"
#include "tickgate/clock.h"
#include "tickgate/exec_ledger.h"
#include "tickgate/feed_events.h"
#include "tickgate/risk.h"
#include "tickgate/risk_card.h"
#include "tickgate/risk_config.h"

#define CMD "trade"
#define POSITION_LOTS 5			/* the strategy's position bound: this many --size lots */
#define HEARTBEAT_NS 100000000ll	/* HEARTBEAT writes, and the kill/watchdog status read */
#define CARD_POLL_NS 1000000000ll	/* instrument kill/halt flags (through the shared RISK_SEL) */
#define TTY_STATUS_NS 250000000ll	/* status line refresh on a terminal */
#define WATCHDOG_SECONDS 3u		/* host silence after which the card kills and cancels */
#define SHUTDOWN_WAIT_NS 5000000000ll	/* how long the cancels' answers are waited for */
#define SHUTDOWN_CANCEL_TRIES 3

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	(void)sig;
	signals_seen++;
}

static void fail(struct trader *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct trader *t, const char *fmt, ...)
{
	va_list ap;

	if (t->failed)
		return;
	t->failed = true;
	va_start(ap, fmt);
	vsnprintf(t->fail_msg, sizeof(t->fail_msg), fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ arguments */

static void usage(FILE *f)
{
	fputs("usage: tickgate trade [--card URI] --symbols A,B,... [--duration SECONDS] [--seed N]\n"
	      "                      [--size SHARES] [--limits FILE.yaml] [--summary FILE.json]\n"
	      "                      [--status-interval S] [--ready-file FILE] [--quiet] [--json]\n"
	      "Trade through the card: quote a buy and a sell around the card's BBO of each\n"
	      "symbol, now and then cross the spread with a small IOC, until --duration or\n"
	      "Ctrl-C; then cancel every open order and print (and with --summary write)\n"
	      "the summary: orders, decisions by reason, fills, positions (ours and the\n"
	      "card's), cash and P&L, feed counters, the card's latency histograms.\n\n"
	      "  -c, --card URI            card to use (default: $" TG_CARD_URI_ENV ")\n"
	      "  -s, --symbols A,B,...     symbols to trade (subscribed in the card's book)\n"
	      "  -d, --duration SECONDS    stop after this long (default: until Ctrl-C)\n"
	      "      --seed N              seed of the strategy's random choices (default 1)\n"
	      "      --size SHARES         quote size (default 100; IOCs are a quarter of it)\n"
	      "      --limits FILE.yaml    load this limit file (as `tickgate risk load`)\n"
	      "                            instead of the demo limits\n"
	      "      --summary FILE.json   write the summary as one JSON object\n"
	      "      --status-interval S   seconds between status lines when stderr is not a\n"
	      "                            terminal (default 5)\n"
	      "      --ready-file FILE     create FILE once set up (symbols subscribed, limits\n"
	      "                            committed, watchdog armed), before the first order\n"
	      "  -q, --quiet               no status line\n"
	      "  -j, --json                print the summary as JSON instead of text\n",
	      f);
}

static int parse_seconds(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* --symbols: comma separated, each a valid symbol, no repeats (argv stays as it was: the audit log quotes it) */
static int parse_symbols(const char *arg, struct opts *o)
{
	static char list[4096];
	char *save = NULL;

	if (strlen(arg) >= sizeof(list))
		return cli_usage_error(CMD, "--symbols: too long");
	strcpy(list, arg);
	if (*list == '\0')
		return cli_usage_error(CMD, "--symbols: give at least one symbol");
	for (char *tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (!tg_risk_symbol_valid(tok) || tok[strlen(tok) - 1] == ' ')
			return cli_usage_error(CMD, "--symbols: '%s' is not a symbol (1-8 upper-case letters, digits, "
						    "punctuation)", tok);
		for (unsigned i = 0; i < o->n_symbols; i++) {
			if (strcmp(o->symbols[i], tok) == 0)
				return cli_usage_error(CMD, "--symbols: %s given twice", tok);
		}
		if (o->n_symbols == TRADE_SYMBOLS_MAX)
			return cli_usage_error(CMD, "--symbols: at most %u symbols", TRADE_SYMBOLS_MAX);
		o->symbols[o->n_symbols++] = tok;
	}
	if (o->n_symbols == 0)
		return cli_usage_error(CMD, "--symbols: give at least one symbol");
	return CLI_EXIT_OK;
}

/* CLI_EXIT_OK to go on, else the exit status (help: -1) */
static int parse_args(int argc, char **argv, struct cli *cli, struct opts *o)
{
	static const struct option opts[] = {
		{ "card", required_argument, NULL, 'c' },
		{ "symbols", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 'S' },
		{ "size", required_argument, NULL, 'z' },
		{ "limits", required_argument, NULL, 'l' },
		{ "summary", required_argument, NULL, 'o' },
		{ "status-interval", required_argument, NULL, 'i' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *symbols = NULL;
	uint64_t v;
	int opt, rc;

	*o = (struct opts){ .seed = 1, .size = 100, .status_interval = 5 };
	optind = 0;	/* 0, not 1: glibc re-reads the optstring (main used "+") */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:s:d:qjh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': cli->card_uri = optarg; break;
		case 's':
			if (symbols != NULL)
				return cli_usage_error(CMD, "--symbols given twice");
			symbols = optarg;
			break;
		case 'd':
			if (parse_seconds(optarg, 0.001, 1e7, &o->duration) != 0)
				return cli_usage_error(CMD, "--duration: seconds, more than 0: %s", optarg);
			break;
		case 'S':
			if (!cli_parse_u64(optarg, UINT64_MAX, &o->seed))
				return cli_usage_error(CMD, "--seed: a number: %s", optarg);
			break;
		case 'z':
			/* IOCs are a quarter of it; the position bound POSITION_LOTS of it */
			if (!cli_parse_u64(optarg, 1000000, &v) || v == 0)
				return cli_usage_error(CMD, "--size: shares, 1..1000000: %s", optarg);
			o->size = (uint32_t)v;
			break;
		case 'l': o->limits = optarg; break;
		case 'o':
			if (*optarg == '\0')
				return cli_usage_error(CMD, "--summary: give a file name");
			o->summary = optarg;
			break;
		case 'i':
			if (parse_seconds(optarg, 0.01, 86400, &o->status_interval) != 0)
				return cli_usage_error(CMD, "--status-interval: seconds in [0.01, 86400]: %s", optarg);
			break;
		case 'r':
			if (*optarg == '\0')
				return cli_usage_error(CMD, "--ready-file: give a file name");
			o->ready_file = optarg;
			break;
		case 'q': o->quiet = true; break;
		case 'j': cli->json = true; break;
		case 'h': usage(stdout); return -1;
		default: return cli_bad_option(CMD, argv, opt);
		}
	}
	if (optind != argc)
		return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if (symbols == NULL)
		return cli_usage_error(CMD, "give the symbols to trade: --symbols A,B,...");
	rc = parse_symbols(symbols, o);
	return rc;
}

/* ------------------------------------------------------------------ setup */

static void demo_limits(uint64_t *lim, uint32_t size)
{
	uint64_t period = 0, tol = 0;

	lim[TG_RISK_LIM_ENABLED] = 1;
	lim[TG_RISK_LIM_REDUCE_ONLY] = 0;
	lim[TG_RISK_LIM_MAX_ORDER_QTY] = 10ull * size;
	lim[TG_RISK_LIM_MAX_ORDER_NOTIONAL] = 1000000ull * 10000;	/* $1,000,000 */
	lim[TG_RISK_LIM_COLLAR_BPS] = 500;				/* 5% */
	lim[TG_RISK_LIM_MAX_LONG] = 2ull * POSITION_LOTS * size;	/* twice the strategy's bound */
	lim[TG_RISK_LIM_MAX_SHORT] = 2ull * POSITION_LOTS * size;
	lim[TG_RISK_LIM_MAX_OPEN] = 8;
	/* 100,000 orders a second in bursts of 100 */
	if (tg_risk_rate_cycles(100000, TG_CARD_CLOCK_HZ, 100, &period, &tol) == TG_OK) {
		lim[TG_RISK_LIM_RATE_PERIOD] = period;
		lim[TG_RISK_LIM_RATE_TOLERANCE] = tol;
	}
	lim[TG_RISK_LIM_DUP_WINDOW] = TG_CARD_CLOCK_HZ / 100000;	/* 10 us */
}

static void demo_global_limits(uint64_t *g)
{
	uint64_t period = 0, tol = 0;

	g[TG_RISK_LIM_MAX_GROSS] = 10000000ull * 10000;	/* $10,000,000 */
	g[TG_RISK_LIM_MAX_NET] = 5000000ull * 10000;	/* $5,000,000 */
	g[TG_RISK_LIM_MAX_OPEN_ALL] = 64;
	if (tg_risk_rate_cycles(200000, TG_CARD_CLOCK_HZ, 200, &period, &tol) == TG_OK) {
		g[TG_RISK_LIM_RATE_PERIOD_ALL] = period;
		g[TG_RISK_LIM_RATE_TOLERANCE_ALL] = tol;
	}
	g[TG_RISK_LIM_NO_REF_REJECT] = 1;
}

static bool card_ok(struct trader *t, int rc, const char *what)
{
	if (rc == TG_OK)
		return true;
	fail(t, "%s: %s: %s", tg_card_uri(t->card), what, tg_strerror(rc));
	t->io_failed = true;
	return false;
}

static bool setup_symbols(struct trader *t)
{
	uint32_t v;

	for (unsigned k = 0; k < t->o->n_symbols; k++) {
		struct sym *s = &t->state.sym[t->state.n_sym];
		int slot = -1;

		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", t->o->symbols[k]);
		if (!card_ok(t, book_find(t->card, s->name, &slot), "reading the book's slots"))
			return false;
		if (slot < 0) {
			slot = book_subscribe(t->card, s->name, -1);
			if (slot < 0) {
				fail(t, "%s: cannot subscribe %s in the card's book (no free instrument slot?)",
				     tg_card_uri(t->card), s->name);
				return false;
			}
			s->subscribed_here = true;
		}
		if ((unsigned)slot >= t->n_inst) {
			fail(t, "%s: %s is in book slot %d, which the risk gate does not have", tg_card_uri(t->card),
			     s->name, slot);
			return false;
		}
		s->inst = (unsigned)slot;
		s->quote[0] = s->quote[1] = s->ioc_slot = -1;
		/* each symbol its own stream, so adding a symbol changes no other's */
		s->rng = t->o->seed;
		for (const char *c = s->name; *c; c++)
			s->rng = (s->rng ^ (uint8_t)*c) * 0x100000001b3ull;
		t->state.sym_of_inst[slot] = (int)t->state.n_sym++;
	}
	if (!card_ok(t, tg_card_csr_read(t->card, TG_REG_BOOK_CONTROL, &v), "reading BOOK_CONTROL"))
		return false;
	t->book_control_old = v;
	return card_ok(t, tg_card_csr_write(t->card, TG_REG_BOOK_CONTROL,
					    TG_BOOK_CONTROL_ENABLE_MASK | TG_BOOK_CONTROL_EVENTS_MASK),
		       "turning the book's events on");
}

static bool same_limits(const struct tg_risk_card_state *a, const struct tg_risk_card_state *b)
{
	if (memcmp(a->global, b->global, sizeof(a->global)) != 0)
		return false;
	for (unsigned i = 0; i < a->instruments; i++) {
		if (memcmp(a->inst[i].lim, b->inst[i].lim, sizeof(a->inst[i].lim)) != 0)
			return false;
	}
	return true;
}

/*
 * The limits: the file's (as `risk load` applies it), or for each of our
 * instruments not yet enabled the demo limits (and the demo globals when no
 * global limit was ever set), bounded by the ceilings of the limit file last
 * loaded. One audited commit, only if anything changes.
 */
static bool setup_limits(struct trader *t, const struct tg_risk_limit_set *file)
{
	static struct tg_risk_card_state st, want;
	char cfg_path[640], err[256], detail[700];
	struct tg_risk_limit_set *cfg = NULL;
	bool ok = false;
	int lk = control_lock(t->cli->card_uri);

	if (lk < 0) {
		fail(t, "cannot take the card's control lock");
		return false;
	}
	if (!card_ok(t, tg_risk_card_read(t->card, &st), "reading the risk gate"))
		goto out;
	if (file != NULL) {
		risk_table_from_set(file, &st, &want);
		t->limits_source = "file";
		snprintf(detail, sizeof(detail), "limit file %s (tickgate trade)", t->o->limits);
	} else {
		bool globals = st.global[TG_RISK_LIM_MAX_GROSS] == 0 && st.global[TG_RISK_LIM_MAX_NET] == 0 &&
			       st.global[TG_RISK_LIM_MAX_OPEN_ALL] == 0;

		want = st;
		t->limits_source = "card";
		if (globals)
			demo_global_limits(want.global);
		for (unsigned k = 0; k < t->state.n_sym; k++) {
			uint64_t *lim = want.inst[t->state.sym[k].inst].lim;

			if (!lim[TG_RISK_LIM_ENABLED]) {
				demo_limits(lim, t->o->size);
				t->limits_source = "demo";
			}
		}
		if (globals)
			t->limits_source = "demo";
		cfg = risk_loaded_config(t->cli, cfg_path, sizeof(cfg_path));
		if (cfg != NULL) {
			int rc = globals ? tg_risk_ceiling_check(cfg, NULL, want.global, err, sizeof(err)) : TG_OK;

			for (unsigned k = 0; k < t->state.n_sym && rc == TG_OK; k++) {
				const struct tg_risk_card_inst *in = &want.inst[t->state.sym[k].inst];

				if (memcmp(in->lim, st.inst[t->state.sym[k].inst].lim, sizeof(in->lim)) != 0)
					rc = tg_risk_ceiling_check(cfg, t->state.sym[k].name, in->lim, err, sizeof(err));
			}
			if (rc != TG_OK) {
				fail(t, "the demo limits are refused: %s (ceilings of %s); give --limits", err, cfg_path);
				goto out;
			}
		}
		snprintf(detail, sizeof(detail), "demo limits (tickgate trade)");
	}
	if (!same_limits(&st, &want)) {
		struct cli c = *t->cli;

		c.json = true;	/* risk_apply_table prints nothing either way */
		if (risk_apply_table(&c, t->card, "trade.limits", detail, &st, &want, &t->limits_changed) !=
		    CLI_EXIT_OK) {
			fail(t, "the limits could not be applied");
			goto out;
		}
		if (file != NULL && !risk_keep_config_copy(t->cli, t->o->limits)) {
			fail(t, "the limits are applied, but no copy of %s was kept", t->o->limits);
			goto out;
		}
	}
	ok = true;
out:
	tg_risk_limit_set_free(cfg);
	control_unlock(lk);
	return ok;
}

/* What the gate holds now: limits, positions, open orders, flags. */
static bool setup_state(struct trader *t)
{
	static struct tg_risk_card_state st;
	uint32_t v;

	if (!card_ok(t, tg_risk_card_read(t->card, &st), "reading the risk gate"))
		return false;
	if (st.killed) {
		fail(t, "%s: the kill switch is engaged%s: nothing would trade (tickgate resume --confirm)",
		     tg_card_uri(t->card), st.watchdog_tripped ? " (a host watchdog tripped)" : "");
		return false;
	}
	memcpy(t->state.glim, st.global, sizeof(t->state.glim));
	static const unsigned gblocking[] = { TG_RISK_LIM_MAX_GROSS, TG_RISK_LIM_MAX_NET, TG_RISK_LIM_MAX_OPEN_ALL };
	for (unsigned b = 0; b < sizeof(gblocking) / sizeof(gblocking[0]); b++) {
		if (t->state.glim[gblocking[b]] == 0)
			cli_error("warning: global %s is 0: the gate refuses %s", tg_risk_limit_info(gblocking[b])->name,
				  gblocking[b] == TG_RISK_LIM_MAX_OPEN_ALL ? "every new order" : "every order that adds exposure");
	}
	t->state.open_all = st.open_all;
	for (unsigned i = 0; i < st.instruments; i++) {
		const struct tg_risk_card_inst *in = &st.inst[i];
		int k = t->state.sym_of_inst[i];

		if (k < 0) {
			/* gross: max(|long|, |short|) of each instrument */
			tg_risk_notional a = in->exposure_long < 0 ? -(tg_risk_notional)in->exposure_long
								    : in->exposure_long;
			tg_risk_notional b = in->exposure_short < 0 ? -(tg_risk_notional)in->exposure_short
								     : in->exposure_short;

			t->state.other_gross += a > b ? a : b;
			t->state.other_long += in->exposure_long;
			t->state.other_short += in->exposure_short;
			continue;
		}
		struct sym *s = &t->state.sym[k];

		if (in->killed) {
			fail(t, "%s: %s is killed: nothing would trade (tickgate resume %s --confirm)", tg_card_uri(t->card),
			     s->name, s->name);
			return false;
		}
		memcpy(s->lim, in->lim, sizeof(s->lim));
		s->pos_start = s->pos = in->position;
		/* orders open before us (another process's, or stuck in the gate) count as the gate counts them */
		s->open_buy = in->open_buy;
		s->open_sell = in->open_sell;
		s->open_orders = in->open_orders;
		s->halted_host = in->halted_host;
		s->halted_feed = in->halted_feed;
		/* the card's book as it stands (a slot subscribed before us keeps its book) */
		if (!card_ok(t, tg_card_csr_write(t->card, TG_REG_BOOK_INST_SEL, i), "selecting a book slot") ||
		    !card_ok(t, tg_card_csr_read(t->card, TG_REG_BOOK_INST_STATE, &v), "reading a book slot"))
			return false;
		s->locate_valid = v & TG_BOOK_INST_STATE_LOCATE_VALID_MASK;
		s->locate = (uint16_t)((v & TG_BOOK_INST_STATE_LOCATE_MASK) >> TG_BOOK_INST_STATE_LOCATE_SHIFT);
		if (s->locate_valid) {
			if (!card_ok(t, tg_card_csr_read(t->card, TG_REG_BOOK_INST_BID_PRICE, &s->bid), "reading the BBO") ||
			    !card_ok(t, tg_card_csr_read(t->card, TG_REG_BOOK_INST_BID_SIZE, &s->bid_size), "reading the BBO") ||
			    !card_ok(t, tg_card_csr_read(t->card, TG_REG_BOOK_INST_ASK_PRICE, &s->ask), "reading the BBO") ||
			    !card_ok(t, tg_card_csr_read(t->card, TG_REG_BOOK_INST_ASK_SIZE, &s->ask_size), "reading the BBO"))
				return false;
			s->bbo_flags = (v & TG_BOOK_INST_STATE_AUTHORITATIVE_MASK) ? 0 : TG_BOOK_BBO_NOT_AUTHORITATIVE;
		}
		/* limits that let no order through: a limit file is a complete statement (0 for what it omits) */
		static const unsigned blocking[] = { TG_RISK_LIM_ENABLED, TG_RISK_LIM_MAX_ORDER_QTY,
						     TG_RISK_LIM_MAX_ORDER_NOTIONAL, TG_RISK_LIM_MAX_OPEN };
		for (unsigned b = 0; b < sizeof(blocking) / sizeof(blocking[0]); b++) {
			if (s->lim[blocking[b]] == 0)
				cli_error("warning: %s: %s is 0: the gate refuses every order of it", s->name,
					  tg_risk_limit_info(blocking[b])->name);
		}
		/* the strategy's bound stays inside the gate's */
		int64_t bound = (int64_t)POSITION_LOTS * t->o->size;
		s->bound_long = bound < (int64_t)s->lim[TG_RISK_LIM_MAX_LONG] ? bound : (int64_t)s->lim[TG_RISK_LIM_MAX_LONG];
		s->bound_short = bound < (int64_t)s->lim[TG_RISK_LIM_MAX_SHORT] ? bound
										 : (int64_t)s->lim[TG_RISK_LIM_MAX_SHORT];
	}
	/* orders open before us keep their slots; we never touch them */
	for (unsigned sl = 0; sl < t->state.n_slots; sl++) {
		struct slot *q = &t->state.slots[sl];

		q->sym = -1;
		if (!card_ok(t, tg_card_csr_write(t->card, TG_REG_RISK_SLOT_SEL, sl), "selecting an order slot") ||
		    !card_ok(t, tg_card_csr_read(t->card, TG_REG_RISK_SLOT_STATE, &v), "reading an order slot"))
			return false;
		if (!(v & TG_RISK_SLOT_STATE_OPEN_MASK))
			continue;
		unsigned inst = (v & TG_RISK_SLOT_STATE_INST_MASK) >> TG_RISK_SLOT_STATE_INST_SHIFT;

		q->foreign = q->gate_open = true;
		q->side = (uint8_t)((v & TG_RISK_SLOT_STATE_SIDE_MASK) >> TG_RISK_SLOT_STATE_SIDE_SHIFT);
		/* their executions are the gate's too: a Broken Trade of one is reversed */
		if (!card_ok(t, tg_exec_ledger_order(t->ledger, sl, inst, q->side), "noting an open order"))
			return false;
		q->sym = inst < TG_RISK_CARD_INST_MAX ? t->state.sym_of_inst[inst] : -1;
		if (!card_ok(t, tg_card_csr_read(t->card, TG_REG_RISK_SLOT_REM, &q->rem), "reading an order slot"))
			return false;
		t->foreign_open++;
	}
	return true;
}

/* ------------------------------------------------------------------ sending */

/*
 * One order through the pre-trade checks and onto the H2C ring. key: which
 * of the symbol's activities (0 buy quote, 1 sell quote, 2 IOC) for the
 * hold counts. slot < 0 for a NEW: a free one is taken. Returns the slot,
 * or -1 when the order was held back (or the card failed).
 */
static int send_order(struct trader *t, struct sym *s, unsigned key, unsigned kind, int slot, unsigned side,
		      uint32_t qty, uint32_t price, bool ioc)
{
	static const struct slot free_slot;
	union tg_h2c_record r;
	uint32_t grow = 0;
	int why, rc;

	if (kind == TG_RISK_IN_NEW && slot < 0)
		slot = trade_alloc_slot(&t->state);
	if (slot < 0) {
		trade_hold(s, key, HELD_NO_SLOT);
		return -1;
	}
	struct slot *q = &t->state.slots[slot];

	if (t->state.fifo_len == TRADE_INFLIGHT_MAX) {
		trade_hold(s, key, HELD_RING_FULL);
		return -1;
	}
	if (t->link_known && tg_card_oe_link(t->card, &t->link) == TG_OK && t->link.state != TG_CARD_OE_UP) {
		trade_hold(s, key, HELD_LINK_DOWN);
		return -1;
	}
	if (kind != TG_RISK_IN_NEW)
		side = q->side;
	why = trade_precheck(&t->state, s, kind, kind == TG_RISK_IN_NEW ? &free_slot : q, side, qty, price, &grow);
	if (why != 0) {
		trade_hold(s, key, (unsigned)why);
		return -1;
	}
	uint32_t tag = trade_next_tag(&t->state);

	memset(&r, 0, sizeof(r));
	r.order.opcode = TG_H2C_OP_ORDER;
	r.order.tag = tag;
	r.order.kind = (uint8_t)kind;
	r.order.side = (uint8_t)side;
	r.order.instrument = (uint8_t)s->inst;
	r.order.tif = ioc ? '3' : '0';	/* immediate or cancel; day */
	r.order.slot = (uint16_t)slot;
	r.order.display = 'Y';
	r.order.capacity = 'P';		/* principal: the trader's own account */
	r.order.qty = qty;
	r.order.price = price;
	r.order.ise = 'N';
	r.order.cross_type = 'N';
	{
		char id[16];
		int n = snprintf(id, sizeof(id), "TT%" PRIu32, tag);

		memset(r.order.clordid, ' ', sizeof(r.order.clordid));
		memcpy(r.order.clordid, id, (size_t)n < sizeof(r.order.clordid) ? (size_t)n : sizeof(r.order.clordid));
	}
	rc = tg_card_send(t->card, &r);
	if (rc == TG_ERR_AGAIN) {
		trade_hold(s, key, HELD_RING_FULL);
		return -1;
	}
	if (!card_ok(t, rc, "sending an order"))
		return -1;
	trade_sent(&t->state, &(struct request){ .tag = tag, .slot = (uint16_t)slot, .kind = (uint8_t)kind,
						 .side = (uint8_t)side, .qty = qty, .price = price, .grow = grow,
						 .sym = (int)(s - t->state.sym), .ioc = ioc });
	s->held_last[key] = 0;
	return slot;
}

/* ------------------------------------------------------------------ events */

/*
 * A Broken Trade of an execution the card applied: reversed in the gate
 * (audited first) and here, as the opposite trade at the execution's price,
 * so position and cash are as if it had never happened (the realized and
 * unrealized split follows from the run's average cost). The gate's open
 * quantity stays as it is, and so does ours.
 */
static void on_bust(struct trader *t, const struct tg_exec *x, char reason)
{
	int k = x->inst < TG_RISK_CARD_INST_MAX ? t->state.sym_of_inst[x->inst] : -1;
	struct sym *s = k >= 0 ? &t->state.sym[k] : NULL;
	char name[16];

	snprintf(name, sizeof(name), "instrument-%u", x->inst);
	struct risk_bust b = { .symbol = s ? s->name : name, .inst = x->inst, .side = x->side, .qty = x->qty,
			       .price = x->price, .have_match = true, .match = x->match, .urn = x->urn,
			       .reason = reason, .source = "exchange" };
	struct cli c = *t->cli;

	c.json = true;	/* risk_bust_apply prints only errors */
	if (risk_bust_apply(&c, t->card, &b, NULL, NULL) != CLI_EXIT_OK) {
		fail(t, "%s: the Broken Trade of match %" PRIu64 " (%s %" PRIu32 " %s) could not be reversed in the gate",
		     tg_card_uri(t->card), x->match, risk_side_name(x->side), x->qty, b.symbol);
		return;
	}
	if (s == NULL) {
		t->busts_other++;
		return;
	}
	trade_book_trade(s, !trade_is_buy(x->side), x->qty, x->price);
	s->c.busts++;
	s->c.bust_shares += x->qty;
}

/* What the ledger made of an event: a Broken Trade to reverse, or one it cannot place. */
static void ledger_take(struct trader *t, const union tg_c2h_record *ev)
{
	struct tg_exec x;
	int r = tg_exec_ledger_event(t->ledger, ev, &x);

	if (r == TG_EXEC_BUST) {
		on_bust(t, &x, (char)ev->order_resp.state);
	} else if (r == TG_EXEC_BUST_UNKNOWN) {
		t->busts_unplaced++;
		cli_error("warning: %s: a Broken Trade of match %" PRIu64 " (UserRefNum %" PRIu32 ") names no execution "
			  "this process saw: the gate may still count it (tickgate risk bust)",
			  tg_card_uri(t->card), tg_exec_match_of(&ev->order_resp), ev->order_resp.urn);
	} else if (r == TG_ERR_NOMEM) {
		fail(t, "out of memory keeping executions");
	}
}

/* ------------------------------------------------------------------ strategy */

static int strategy_send(void *ctx, struct sym *s, unsigned key, unsigned kind, int slot, unsigned side,
			 uint32_t qty, uint32_t price, bool ioc)
{
	return send_order(ctx, s, key, kind, slot, side, qty, price, ioc);
}

static void evaluate(struct trader *t, struct sym *s)
{
	if (!t->shutting_down)
		trade_strategy_evaluate(&t->strategy, s);
}

/* ------------------------------------------------------------------ the loop */

static void on_book_cb(void *ctx, const struct tg_feed_event_book *b)
{
	struct trader *t = ctx;
	int k = trade_book_event(&t->state, b);

	if (k >= 0)
		evaluate(t, &t->state.sym[k]);
}

static void handle_event(struct trader *t, const union tg_c2h_record *ev)
{
	int k = -1;

	if (ev->hdr.timestamp > t->state.now_cycle)
		t->state.now_cycle = ev->hdr.timestamp;
	if (ev->hdr.type == TG_C2H_EVT_ORDER_DECISION || ev->hdr.type == TG_C2H_EVT_ORDER_RESP)
		ledger_take(t, ev);
	switch (ev->hdr.type) {
	case TG_C2H_EVT_ORDER_DECISION:
		trade_decision(&t->state, &ev->order_decision);
		if (ev->order_decision.instrument < TG_RISK_CARD_INST_MAX)
			k = t->state.sym_of_inst[ev->order_decision.instrument];
		break;
	case TG_C2H_EVT_ORDER_RESP:
		trade_response(&t->state, &ev->order_resp, tg_monotonic_ns());
		if (ev->order_resp.slot < t->state.n_slots)
			k = t->state.slots[ev->order_resp.slot].sym;
		break;
	case TG_C2H_EVT_CMD_ERROR:
		fail(t, "%s: the card could not execute a command (opcode %u)", tg_card_uri(t->card),
		     ev->cmd_error.opcode);
		break;
	default:
		(void)tg_feed_events_take(&t->fe, ev);	/* book events evaluate their symbol */
		break;
	}
	if (k >= 0)
		evaluate(t, &t->state.sym[k]);
}

static bool poll_events(struct trader *t, unsigned *got_out)
{
	union tg_c2h_record ev[128];
	unsigned got = 0;

	*got_out = 0;
	if (!card_ok(t, tg_card_poll(t->card, ev, 128, &got), "reading the event ring"))
		return false;
	for (unsigned i = 0; i < got; i++)
		handle_event(t, &ev[i]);
	*got_out = got;
	return true;
}

static bool read_counters(struct trader *t, struct counters *c)
{
	return card_ok(t, tg_card_counter_read(t->card, TG_REG_FEED_MESSAGES_LO, &c->feed_messages), "reading a counter") &&
	       card_ok(t, tg_card_counter_read(t->card, TG_REG_BOOK_BBO_EVENTS_LO, &c->bbo_events), "reading a counter") &&
	       card_ok(t, tg_card_counter_read(t->card, TG_REG_BOOK_EVENTS_DROPPED_LO, &c->book_events_dropped),
		       "reading a counter") &&
	       card_ok(t, tg_card_counter_read(t->card, TG_REG_FEED_GAPS_LO, &c->feed_gaps), "reading a counter");
}

/* The heartbeat, and what the gate says of its kill switch and watchdog. */
static void heartbeat(struct trader *t)
{
	uint32_t v;

	if (!card_ok(t, tg_card_csr_write(t->card, TG_REG_HEARTBEAT, 1), "writing HEARTBEAT") ||
	    !card_ok(t, tg_card_csr_read(t->card, TG_REG_RISK_STATUS, &v), "reading RISK_STATUS"))
		return;
	bool killed = v & TG_RISK_STATUS_KILLED_MASK;
	if (t->link_known) {
		int was = t->link.state;

		if (tg_card_oe_link(t->card, &t->link) == TG_OK && was != TG_CARD_OE_UP && t->link.state == TG_CARD_OE_UP) {
			for (unsigned k = 0; k < t->state.n_sym; k++)
				evaluate(t, &t->state.sym[k]);	/* what waited for the session */
		}
	}
	if (v & TG_RISK_STATUS_WATCHDOG_TRIPPED_MASK) {
		t->wd_tripped = true;
		fail(t, "%s: the host watchdog tripped: the card engaged its kill switch and canceled every open order",
		     tg_card_uri(t->card));
	}
	if (killed != t->state.killed) {
		t->state.killed = killed;
		for (unsigned k = 0; k < t->state.n_sym; k++)
			evaluate(t, &t->state.sym[k]);
	}
}

/* Instrument kills and host halts (set by the risk officer). */
static void card_poll(struct trader *t)
{
	for (unsigned k = 0; k < t->state.n_sym && !t->failed; k++) {
		struct sym *s = &t->state.sym[k];
		uint32_t v;

		if (!card_ok(t, tg_card_csr_write(t->card, TG_REG_RISK_SEL, s->inst << TG_RISK_SEL_INST_SHIFT),
			     "writing RISK_SEL") ||
		    !card_ok(t, tg_card_csr_read(t->card, TG_REG_RISK_INST_STATE, &v), "reading RISK_INST_STATE"))
			return;
		bool killed = v & TG_RISK_INST_STATE_KILLED_MASK, halted = v & TG_RISK_INST_STATE_HALTED_HOST_MASK;
		if (killed != s->killed || halted != s->halted_host) {
			s->killed = killed;
			s->halted_host = halted;
			evaluate(t, s);
		}
	}
}

/* ------------------------------------------------------------------ status line */

static void status_update(struct trader *t, bool final)
{
	char line[512];

	(void)read_counters(t, &t->cnt_now);
	trade_status_text(t, line, sizeof(line));
	if (t->tty) {
		struct winsize ws;
		size_t width = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col - 1u : 200u;

		if (strlen(line) > width)
			line[width] = '\0';	/* a wrapped line could not be rewritten in place */
		fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
	} else {
		fprintf(stderr, "trade %7.1fs  %s\n", (double)(tg_monotonic_ns() - t->t_start) / 1e9, line);
	}
	fflush(stderr);
}

/* ------------------------------------------------------------------ run and shutdown */

static void idle_wait(void)
{
	struct timespec ts = { 0, 200000 };

	nanosleep(&ts, NULL);
}

static void run(struct trader *t)
{
	int64_t end = t->o->duration > 0 ? t->t_start + (int64_t)(t->o->duration * 1e9) : INT64_MAX;
	int64_t next_hb = t->t_start, next_poll = t->t_start, next_status;
	int64_t status_every = t->tty ? TTY_STATUS_NS : (int64_t)(t->o->status_interval * 1e9);

	next_status = t->t_start + status_every;
	for (unsigned k = 0; k < t->state.n_sym; k++)
		evaluate(t, &t->state.sym[k]);	/* a BBO the book already had */
	while (!t->failed) {
		unsigned got = 0;
		int64_t now;

		if (signals_seen) {
			t->stop_reason = "signal";
			break;
		}
		if (!poll_events(t, &got))
			break;
		now = tg_monotonic_ns();
		if (now >= end) {
			t->stop_reason = "duration";
			break;
		}
		if (now >= next_hb) {
			heartbeat(t);
			next_hb = now + HEARTBEAT_NS;
			for (unsigned k = 0; k < t->state.n_sym && !t->failed; k++)
				trade_strategy_ioc_safety_net(&t->strategy, &t->state.sym[k], tg_monotonic_ns());
		}
		if (now >= next_poll) {
			card_poll(t);
			next_poll = now + CARD_POLL_NS;
		}
		if (!t->o->quiet && now >= next_status) {
			status_update(t, false);
			next_status = now + status_every;
		}
		if (got == 0)
			idle_wait();
	}
	if (t->failed && t->stop_reason == NULL)
		t->stop_reason = t->wd_tripped ? "watchdog" : "card failure";
}

/* Our orders the exchange may still have, or whose answer is due. */
static unsigned open_or_pending(const struct trader *t, bool *any_pending)
{
	unsigned n = 0;

	*any_pending = t->state.fifo_len > 0;
	for (unsigned sl = 0; sl < t->state.n_slots; sl++) {
		const struct slot *q = &t->state.slots[sl];

		if (q->foreign || q->sym < 0)
			continue;
		if (q->pend != PEND_NONE)
			*any_pending = true;
		if (trade_live(q))
			n++;
	}
	return n + (unsigned)t->state.fifo_len;
}

/* Which orders are left: each slot still open or awaiting an answer, with
 * what this process knows of it (the card's own view: tickgate orders). */
static void report_left_open(const struct trader *t)
{
	static const char *const pend_name[] = { "none", "new", "cancel", "replace" };

	for (unsigned sl = 0; sl < t->state.n_slots; sl++) {
		const struct slot *q = &t->state.slots[sl];

		if (q->foreign || q->sym < 0 || !trade_live(q))
			continue;
		cli_error("  slot %u %s: waiting for %s%s, %s, open at the exchange %u, in the gate %u%s", sl,
			  t->state.sym[q->sym].name, pend_name[q->pend < 4 ? q->pend : 0],
			  q->pend != PEND_NONE && q->pend_decided ? " (accepted by the gate)" : "",
			  q->acked ? "acknowledged" : "not acknowledged", q->xopen, q->rem,
			  q->replaced ? ", replaced" : "");
	}
}

/*
 * Cancel every open order of ours and wait (bounded) for the exchange to
 * confirm; the heartbeat goes on meanwhile. A second signal stops waiting.
 */
static void shutdown_orders(struct trader *t)
{
	int64_t deadline = tg_monotonic_ns() + SHUTDOWN_WAIT_NS, next_hb = 0;
	sig_atomic_t signals_before = signals_seen;
	bool pending;

	t->shutting_down = true;
	for (;;) {
		unsigned got = 0;
		int64_t now = tg_monotonic_ns();

		for (unsigned sl = 0; sl < t->state.n_slots && !t->io_failed; sl++) {
			struct slot *q = &t->state.slots[sl];

			if (q->foreign || q->sym < 0 || q->pend != PEND_NONE || !trade_live(q) || !q->gate_open ||
			    q->cancel_tries >= SHUTDOWN_CANCEL_TRIES)
				continue;
			q->cancel_tries++;
			if (send_order(t, &t->state.sym[q->sym], q->side == TG_RISK_SIDE_BUY ? 0 : 1, TG_RISK_IN_CANCEL, (int)sl, 0,
				       0, 0, false) >= 0)
				t->shutdown_cancels++;
		}
		if (open_or_pending(t, &pending) == 0 && !pending)
			break;
		if (t->io_failed || now > deadline || signals_seen > signals_before)
			break;
		if (now >= next_hb) {
			heartbeat(t);
			next_hb = now + HEARTBEAT_NS;
		}
		if (!poll_events(t, &got))
			break;
		if (got == 0)
			idle_wait();
	}
	t->left_open = open_or_pending(t, &pending);
}

/* ------------------------------------------------------------------ the command */

static bool setup_card(struct trader *t)
{
	const struct tg_card_identity *id = tg_card_identity(t->card);
	const uint32_t need = TG_CAP_RING_H2C | TG_CAP_RING_C2H | TG_CAP_BOOK | TG_CAP_RISK | TG_CAP_ORDER_ENTRY;
	uint32_t v;

	if ((id->caps & need) != need) {
		fail(t, "%s: this card has no order book, risk gate or order entry (CAPS 0x%08x)", tg_card_uri(t->card),
		     id->caps);
		return false;
	}
	if (!card_ok(t, tg_card_csr_read(t->card, TG_REG_RISK_PARAMS, &v), "reading RISK_PARAMS"))
		return false;
	t->n_inst = (v & TG_RISK_PARAMS_INSTRUMENTS_MASK) >> TG_RISK_PARAMS_INSTRUMENTS_SHIFT;
	t->state.n_slots = 1u << ((v & TG_RISK_PARAMS_SLOTS_LOG2_MASK) >> TG_RISK_PARAMS_SLOTS_LOG2_SHIFT);
	if (t->n_inst > TG_RISK_CARD_INST_MAX || t->state.n_slots > TG_RISK_SLOTS_MAX) {
		fail(t, "%s: a risk gate of %u instruments and %u slots is more than this build handles",
		     tg_card_uri(t->card), t->n_inst, t->state.n_slots);
		return false;
	}
	if (t->o->n_symbols > t->n_inst) {
		fail(t, "%s: %u symbols, but the card trades at most %u instruments", tg_card_uri(t->card),
		     t->o->n_symbols, t->n_inst);
		return false;
	}
	/* a killed card trades nothing: change nothing on it */
	if (!card_ok(t, tg_card_csr_read(t->card, TG_REG_RISK_STATUS, &v), "reading RISK_STATUS"))
		return false;
	if (v & TG_RISK_STATUS_KILLED_MASK) {
		fail(t, "%s: the kill switch is engaged%s: nothing would trade (tickgate resume --confirm)",
		     tg_card_uri(t->card), v & TG_RISK_STATUS_WATCHDOG_TRIPPED_MASK ? " (a host watchdog tripped)" : "");
		return false;
	}
	t->state.slots = calloc(t->state.n_slots, sizeof(*t->state.slots));
	t->ledger = tg_exec_ledger_new(t->state.n_slots);
	if (t->state.slots == NULL || t->ledger == NULL) {
		fail(t, "out of memory");
		return false;
	}
	return true;
}

/* The order-entry session, where the transport can tell. */
static void setup_link(struct trader *t)
{
	t->link_known = tg_card_oe_link(t->card, &t->link_start) == TG_OK;
	t->link = t->link_start;
	if (t->link_known && t->link.state == TG_CARD_OE_NONE)
		cli_error("warning: %s has no order-entry session (tickgate-sim --oe-connect): orders are held back",
			  tg_card_uri(t->card));
	else if (t->link_known && t->link.state != TG_CARD_OE_UP)
		cli_error("note: the order-entry session is not logged in yet: orders wait for it");
}

/* Heartbeat first, then the timeout: the card never sees an armed watchdog without a beat. */
static bool arm_watchdog(struct trader *t)
{
	setup_link(t);
	t->watchdog_units = (uint32_t)((uint64_t)WATCHDOG_SECONDS * TG_CARD_CLOCK_HZ / 1024u);
	if (!card_ok(t, tg_card_csr_write(t->card, TG_REG_HEARTBEAT, 1), "writing HEARTBEAT") ||
	    !card_ok(t, tg_card_csr_write(t->card, TG_REG_WATCHDOG_TIMEOUT, t->watchdog_units),
		     "writing WATCHDOG_TIMEOUT"))
		return false;
	t->watchdog_armed = true;
	return true;
}

static bool write_ready_file(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return false;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) == 0;
}

int cmd_trade(const struct cli *cli_in, int argc, char **argv)
{
	static struct trader tr;
	static struct final fin;
	struct trader *t = &tr;
	struct cli cli = *cli_in;
	struct opts o;
	struct tg_risk_limit_set *file = NULL;
	struct sigaction sa;
	bool traded = false;
	int rc;

	rc = parse_args(argc, argv, &cli, &o);
	if (rc != CLI_EXIT_OK)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (o.limits != NULL) {
		struct tg_config_error err;

		if (tg_risk_config_load(o.limits, &file, &err) != TG_OK) {
			cli_error("%s", err.msg);
			cli_error("nothing done");
			return CLI_EXIT_FAIL;
		}
	}
	memset(t, 0, sizeof(*t));
	memset(&fin, 0, sizeof(fin));
	t->o = &o;
	t->cli = &cli;
	for (unsigned i = 0; i < TG_RISK_CARD_INST_MAX; i++)
		t->state.sym_of_inst[i] = -1;
	t->strategy = (struct trade_strategy){ .st = &t->state, .size = o.size, .stopped = &t->failed,
					       .send = strategy_send, .ctx = t };
	{
		struct tg_feed_event_handlers h = { .book = on_book_cb, .ctx = t };

		tg_feed_events_init(&t->fe, &h);
	}
	signals_seen = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	t->card = cli_open(&cli, TG_CARD_OPEN_RINGS);
	if (t->card == NULL) {
		tg_risk_limit_set_free(file);
		return CLI_EXIT_FAIL;
	}
	t->tty = isatty(STDERR_FILENO) && !o.quiet;
	if (setup_card(t) && read_counters(t, &t->cnt_start) && setup_symbols(t) && setup_limits(t, file) &&
	    setup_state(t) && arm_watchdog(t)) {
		t->cnt_now = t->cnt_start;
		t->t_start = tg_monotonic_ns();
		traded = true;
		if (o.ready_file != NULL && !write_ready_file(o.ready_file))
			fail(t, "%s: %s", o.ready_file, strerror(errno));
		run(t);
		shutdown_orders(t);
		t->t_end = tg_monotonic_ns();
		if (t->link_known)
			t->link_known = tg_card_oe_link(t->card, &t->link) == TG_OK;
		if (t->watchdog_armed && t->left_open == 0 && !t->io_failed && !t->wd_tripped &&
		    card_ok(t, tg_card_csr_write(t->card, TG_REG_WATCHDOG_TIMEOUT, 0), "disarming the watchdog"))
			t->watchdog_armed = false;
		if (!t->io_failed) {
			(void)read_counters(t, &t->cnt_now);
			fin.have_state = card_ok(t, tg_risk_card_read(t->card, &fin.st), "reading the risk gate");
			fin.have_lat = card_ok(t, card_lat_read(t->card, true, &fin.lat[0]), "reading the latency histograms") &&
				       card_ok(t, card_lat_read(t->card, false, &fin.lat[1]), "reading the latency histograms");
		}
		if (!o.quiet && t->tty)
			status_update(t, true);
	}
	if (!t->io_failed && t->book_control_old != (TG_BOOK_CONTROL_ENABLE_MASK | TG_BOOK_CONTROL_EVENTS_MASK) &&
	    t->state.n_sym > 0)
		(void)card_ok(t, tg_card_csr_write(t->card, TG_REG_BOOK_CONTROL, t->book_control_old),
			      "restoring BOOK_CONTROL");
	tg_card_ring_stats(t->card, &fin.ring);
	tg_card_close(t->card);
	tg_risk_limit_set_free(file);

	if (t->failed)
		cli_error("%s", t->fail_msg);
	if (traded && t->left_open > 0 && t->io_failed)
		cli_error("%u orders may still be open at the exchange: the card failed before they were closed",
			  t->left_open);
	else if (traded && t->left_open > 0)
		cli_error("%u orders still open or unanswered after %lld s: the watchdog is left armed, so the card "
			  "cancels them and engages its kill switch in %u s (tickgate orders; tickgate resume --confirm)",
			  t->left_open, (long long)(SHUTDOWN_WAIT_NS / 1000000000), WATCHDOG_SECONDS);
	if (traded && t->left_open > 0)
		report_left_open(t);
	if (traded) {
		if (cli.json)
			trade_write_json(t, &fin, stdout);
		else
			trade_print_text(t, &fin);
		fflush(stdout);
		if (o.summary != NULL && !trade_write_summary_file(t, &fin))
			rc = CLI_EXIT_FAIL;
	}
	free(t->state.slots);
	tg_exec_ledger_free(t->ledger);
	if (t->failed || !traded || t->left_open > 0)
		return CLI_EXIT_FAIL;
	return rc;
}
