/*
 * tickgate feed: market-data files through the C reference decoder.
 *
 *   feed stats FILE    totals, per type, per symbol, gaps, drops by reason
 *   feed decode FILE   one line per message, every field
 *
 * FILE is a pcap (Ethernet/[802.1Q]/IPv4/UDP/MoldUDP64/ITCH 5.0) or a Nasdaq
 * binary ITCH 5.0 file; which one is detected from its first bytes.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feed_cli.h"
#include "tickgate/feed.h"
#include "tickgate/itch50.h"
#include "tickgate/json.h"

const struct tg_itch_field *feed_stock_field(const struct tg_itch_type *t)
{
	for (unsigned i = 0; i < t->n_fields; i++)
		if (strcmp(t->fields[i].name, "stock") == 0)
			return &t->fields[i];
	return NULL;
}

void feed_learn(struct symbols *s, const uint8_t *msg)
{
	const struct tg_itch_type *t = tg_itch_type(msg[0]);
	const struct tg_itch_field *f = t != NULL ? feed_stock_field(t) : NULL;
	uint16_t loc = tg_itch_locate(msg);

	if (f != NULL && s->name[loc][0] == '\0')
		tg_itch_alpha(s->name[loc], msg, f->offset, 8);
	s->count[loc]++;
}

void feed_symbol_of(const struct symbols *s, uint16_t loc, char out[16])
{
	if (s->name[loc][0] != '\0')
		snprintf(out, 16, "%s", s->name[loc]);
	else
		snprintf(out, 16, "#%u", loc);
}

int feed_run_file(struct tg_feed *feed, const struct feed_opts *o, const struct tg_feed_handlers *h)
{
	struct tg_feed_config cfg = { .seq_check = !o->no_seq_check, .accept_all = true };
	char err[512];

	tg_feed_init(feed, &cfg, h);
	if (tg_feed_file(feed, o->file, err, sizeof(err)) != TG_OK) {
		cli_error("%s", err);
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

/* ---- stats ---- */

static void stats_msg(void *ctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	feed_learn(ctx, msg);
}

static int do_stats(const struct feed_opts *o)
{
	struct symbols *sym = calloc(1, sizeof(*sym));
	struct tg_feed_handlers h = { .message = stats_msg, .ctx = sym };
	struct tg_feed feed;
	const struct tg_feed_stats *st = &feed.stats;
	uint64_t dropped = 0;
	char name[16];
	int rc;

	if (sym == NULL)
		return CLI_EXIT_FAIL;
	rc = feed_run_file(&feed, o, &h);
	if (rc != CLI_EXIT_OK) {
		free(sym);
		return rc;
	}
	for (unsigned r = 0; r < TG_FEED_DROP_COUNT; r++)
		dropped += st->dropped[r];
	if (o->json) {
		struct tg_json j;
		char key[2] = { 0, 0 };

		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_string(&j, "file", o->file);
		tg_json_string(&j, "format", tg_feed_is_pcap(o->file) ? "pcap" : "itch");
		tg_json_u64(&j, "frames", st->frames);
		tg_json_u64(&j, "parsed", st->parsed);
		tg_json_u64(&j, "packets", st->packets);
		tg_json_u64(&j, "heartbeats", st->heartbeats);
		tg_json_u64(&j, "end_of_session", st->end_of_session);
		tg_json_u64(&j, "messages", st->messages);
		tg_json_object_begin(&j, "by_type");
		for (unsigned t = 0; t < 256; t++) {
			if (st->by_type[t] == 0)
				continue;
			key[0] = (char)t;
			tg_json_u64(&j, key, st->by_type[t]);
		}
		tg_json_object_end(&j);
		tg_json_object_begin(&j, "by_symbol");
		for (unsigned l = 0; l < 65536; l++) {
			if (sym->count[l] == 0)
				continue;
			feed_symbol_of(sym, (uint16_t)l, name);
			tg_json_u64(&j, name, sym->count[l]);
		}
		tg_json_object_end(&j);
		tg_json_object_begin(&j, "gaps");
		tg_json_u64(&j, "count", st->gaps);
		tg_json_u64(&j, "messages", st->gap_messages);
		tg_json_object_end(&j);
		tg_json_object_begin(&j, "dropped");
		tg_json_u64(&j, "frames", dropped);
		for (unsigned r = 0; r < TG_FEED_DROP_COUNT; r++)
			tg_json_u64(&j, tg_feed_drop_name(r), st->dropped[r]);
		tg_json_object_end(&j);
		tg_json_object_begin(&j, "skipped");
		tg_json_u64(&j, "unknown_type", st->unknown_type);
		tg_json_u64(&j, "bad_length", st->bad_length);
		tg_json_u64(&j, "already_seen", st->duplicate_messages);
		tg_json_u64(&j, "length_prefix_fixed", st->length_prefix_fixed);
		tg_json_object_end(&j);
		tg_json_object_end(&j);
		tg_json_finish(&j);
	} else {
		printf("file       %s (%s)\n", o->file, tg_feed_is_pcap(o->file) ? "pcap" : "binary ITCH");
		printf("frames     %" PRIu64 " in, %" PRIu64 " parsed, %" PRIu64 " dropped\n", st->frames,
		       st->parsed, dropped);
		printf("packets    %" PRIu64 " MoldUDP64 (%" PRIu64 " heartbeats, %" PRIu64 " end of session)\n",
		       st->packets, st->heartbeats, st->end_of_session);
		printf("messages   %" PRIu64 " (skipped: %" PRIu64 " unknown type, %" PRIu64 " bad length, %" PRIu64
		       " already seen)\n", st->messages, st->unknown_type, st->bad_length, st->duplicate_messages);
		if (st->length_prefix_fixed)
			printf("warning    %" PRIu64 " length prefixes disagreed with the type; the type's length was used\n",
			       st->length_prefix_fixed);
		printf("gaps       %" PRIu64 " (%" PRIu64 " messages missing)\n", st->gaps, st->gap_messages);
		printf("by type   ");
		for (unsigned t = 0; t < 256; t++)
			if (st->by_type[t])
				printf(" %c %" PRIu64, (char)t, st->by_type[t]);
		printf("\nby symbol ");
		for (unsigned l = 0; l < 65536; l++) {
			if (sym->count[l] == 0)
				continue;
			feed_symbol_of(sym, (uint16_t)l, name);
			printf(" %s %" PRIu64, name, sym->count[l]);
		}
		printf("\ndropped   ");
		if (dropped == 0)
			printf(" none");
		for (unsigned r = 0; r < TG_FEED_DROP_COUNT; r++)
			if (st->dropped[r])
				printf(" %s %" PRIu64, tg_feed_drop_name(r), st->dropped[r]);
		putchar('\n');
	}
	free(sym);
	return CLI_EXIT_OK;
}

/* ---- decode ---- */

struct decode_ctx {
	const struct feed_opts *o;
	struct symbols *sym;
};

static void decode_msg(void *vctx, const uint8_t *msg, size_t len, const struct tg_feed_meta *meta)
{
	const struct decode_ctx *c = vctx;

	feed_print_msg(c->o, c->sym, msg, meta);
}

void feed_print_msg(const struct feed_opts *o, struct symbols *symbols, const uint8_t *msg,
		    const struct tg_feed_meta *meta)
{
	const struct tg_itch_type *t = tg_itch_type(msg[0]);
	char val[64], sym[16];

	feed_learn(symbols, msg);
	feed_symbol_of(symbols, tg_itch_locate(msg), sym);
	if (o->symbol != NULL && strcmp(sym, o->symbol) != 0)
		return;
	if (o->json) {
		struct tg_json j;

		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_u64(&j, "seq", meta->seq);
		if (meta->frame_no)
			tg_json_u64(&j, "frame", meta->frame_no);
		val[0] = t->type;
		val[1] = '\0';
		tg_json_string(&j, "type", val);
		tg_json_string(&j, "name", t->key);
		tg_json_string(&j, "symbol", sym);
		for (unsigned i = 0; i < t->n_fields; i++) {
			const struct tg_itch_field *f = &t->fields[i];

			tg_itch_format_field(val, sizeof(val), msg, f);
			if (f->kind == TG_ITCH_U16 || f->kind == TG_ITCH_U32 || f->kind == TG_ITCH_U64 ||
			    (f->kind == TG_ITCH_U48 && strcmp(f->name, "timestamp") != 0))
				tg_json_u64(&j, f->name, tg_itch_get(msg, f));
			else
				tg_json_string(&j, f->name, val);
		}
		tg_json_object_end(&j);
		tg_json_finish(&j);
		return;
	}
	printf("%" PRIu64 " %c %s", meta->seq, t->type, t->key);
	for (unsigned i = 0; i < t->n_fields; i++) {
		tg_itch_format_field(val, sizeof(val), msg, &t->fields[i]);
		printf(" %s=%s", t->fields[i].name, val);
	}
	putchar('\n');
}

static int do_decode(const struct feed_opts *o)
{
	struct decode_ctx c = { .o = o, .sym = calloc(1, sizeof(struct symbols)) };
	struct tg_feed_handlers h = { .message = decode_msg, .ctx = &c };
	struct tg_feed feed;
	int rc;

	if (c.sym == NULL)
		return CLI_EXIT_FAIL;
	rc = feed_run_file(&feed, o, &h);
	free(c.sym);
	fflush(stdout);
	return rc;
}

static void usage(FILE *f)
{
	fputs("usage: tickgate feed stats FILE [--json] [--no-seq-check]\n"
	      "       tickgate feed decode FILE [--json] [--symbol S] [--no-seq-check]\n"
	      "       tickgate feed book FILE --symbol S [--depth N] [--trades] [--json] [--no-seq-check]\n"
	      "       tickgate feed topcap ITCHFILE OUT.pcap [--msgs-per-packet N] [--session S]\n"
	      "       tickgate feed watch [--symbol S [--locate N]] [--count N] [--trades] [--json]\n"
	      "Market data through the C reference decoder and book. FILE is a pcap\n"
	      "(Ethernet/802.1Q/IPv4/UDP/MoldUDP64/ITCH 5.0) or a binary ITCH 5.0 file.\n\n"
	      "  stats               totals, per type and symbol, gaps, drops by reason\n"
	      "  decode              one line per message, every field\n"
	      "  book                the BBO after every change; --depth N levels at the end\n"
	      "  topcap              wrap a binary ITCH file into MoldUDP64/UDP/IPv4/Ethernet\n"
	      "  watch               the card's feed as it comes: every message and gap (C2H MSG,\n"
	      "                      GAP), or with --symbol the card book's BBO changes (and\n"
	      "                      --trades, halts) of that instrument; until Ctrl-C or --count\n"
	      "                      lines\n\n"
	      "  -j, --json          JSON (decode, book: one object per line)\n"
	      "  -s, --symbol S      decode: only symbol S; book: the instrument\n"
	      "  -d, --depth N       book: print N levels per side at the end\n"
	      "  -t, --trades        book, watch: print trades too\n"
	      "  -c, --count N       watch: stop after N lines\n"
	      "  -l, --locate N      watch: the symbol's stock locate (feeds joined after the\n"
	      "                      stock directory); else learned from it\n"
	      "  -m, --msgs-per-packet N  topcap: messages per packet (default: fill 1500-byte IP)\n"
	      "  -S, --session S     topcap: MoldUDP64 session, up to 10 characters\n"
	      "  -n, --no-seq-check  capture-analysis mode: no MoldUDP64 sequencing, and\n"
	      "                      zeroed IP checksums accepted (sanitized captures)\n",
	      f);
}

int cmd_feed(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "symbol", required_argument, NULL, 's' },
		{ "depth", required_argument, NULL, 'd' },
		{ "trades", no_argument, NULL, 't' },
		{ "msgs-per-packet", required_argument, NULL, 'm' },
		{ "session", required_argument, NULL, 'S' },
		{ "no-seq-check", no_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "locate", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		int (*run)(const struct feed_opts *o);
		int nfiles;
		const char *allowed;	/* options the action takes */
	} actions[] = {
		{ "stats", do_stats, 1, "jn" },
		{ "decode", do_decode, 1, "jsn" },
		{ "book", feed_book, 1, "jsdtn" },
		{ "topcap", feed_topcap, 2, "mS" },
		{ "watch", feed_watch, 0, "jstcl" },
	};
	struct feed_opts o = { .json = cli->json, .cli = cli, .locate = -1 };
	uint64_t v;
	int opt, a = -1;

	if (argc < 2)
		return cli_usage_error("feed", "missing action: stats, decode, book, topcap or watch");
	if (cli_is_help(argv[1])) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(argv[1], actions[i].name) == 0)
			a = (int)i;
	if (a < 0)
		return cli_usage_error("feed", "unknown action '%s': stats, decode, book, topcap or watch", argv[1]);
	optind = 0;	/* 0, not 1: glibc re-reads the optstring (main used "+") */
	opterr = 0;
	while ((opt = getopt_long(argc - 1, argv + 1, ":js:d:tm:S:nc:l:h", opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		if (opt == '?' || opt == ':')
			return cli_bad_option("feed", argv + 1, opt);
		if (strchr(actions[a].allowed, opt) == NULL)
			return cli_usage_error("feed", "%s does not take option '%s'", actions[a].name,
					       (argv + 1)[optind - 1]);
		switch (opt) {
		case 'j': o.json = true; break;
		case 's': o.symbol = optarg; break;
		case 'd':
			if (!cli_parse_u64(optarg, 1000, &v) || v == 0)
				return cli_usage_error("feed", "--depth: 1..1000: %s", optarg);
			o.depth = (unsigned)v;
			break;
		case 't': o.trades = true; break;
		case 'c':
			if (!cli_parse_u64(optarg, UINT64_MAX, &o.count) || o.count == 0)
				return cli_usage_error("feed", "--count: a positive count: %s", optarg);
			break;
		case 'm':
			if (!cli_parse_u64(optarg, 1000, &v) || v == 0)
				return cli_usage_error("feed", "--msgs-per-packet: 1..1000: %s", optarg);
			o.msgs_per_packet = (unsigned)v;
			break;
		case 'S':
			if (strlen(optarg) == 0 || strlen(optarg) > 10)
				return cli_usage_error("feed", "--session: 1 to 10 characters: %s", optarg);
			o.session = optarg;
			break;
		case 'n': o.no_seq_check = true; break;
		case 'l':
			if (!cli_parse_u64(optarg, 65535, &v))
				return cli_usage_error("feed", "--locate: 0..65535: %s", optarg);
			o.locate = (int)v;
			break;
		}
	}
	if (argc - 1 - optind != actions[a].nfiles)
		return cli_usage_error("feed", "%s takes %s", actions[a].name,
				       actions[a].nfiles == 0   ? "no FILE (it reads the card)"
				       : actions[a].nfiles == 1 ? "exactly one FILE"
								: "ITCHFILE OUT.pcap");
	o.file = actions[a].nfiles > 0 ? argv[1 + optind] : NULL;
	o.out = actions[a].nfiles == 2 ? argv[2 + optind] : NULL;
	if (strcmp(actions[a].name, "book") == 0 && o.symbol == NULL)
		return cli_usage_error("feed", "book needs --symbol S");
	if (o.symbol != NULL && strlen(o.symbol) > 8)
		return cli_usage_error("feed", "--symbol: at most 8 characters: %s", o.symbol);
	if (o.locate >= 0 && o.symbol == NULL)
		return cli_usage_error("feed", "--locate needs --symbol S");
	return actions[a].run(&o);
}
