/*
 * tickgate risk show|set|load|bust, kill, resume, audit: the risk officer's
 * commands. They talk to the card's CSRs directly, so they work with no
 * daemon running. Every change is appended to the audit log (durably)
 * before it is applied, limit changes go to the card as one whole table
 * and one commit, and the limit file last loaded bounds every later
 * change by its ceilings. A broken trade's reversal (risk bust, and the
 * trading loop's own on an OUCH Broken Trade) goes through
 * risk_bust_apply.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "control_state.h"
#include "risk_cli.h"
#include "tickgate/audit.h"
#include "tickgate/json.h"
#include "tickgate/risk.h"
#include "tickgate/risk_card.h"
#include "tickgate/risk_config.h"

#define MAX_CHANGES (TG_RISK_LIMIT_IDS * (TG_RISK_CARD_INST_MAX + 1) + 1)

struct change_list {
	struct tg_audit_change c[MAX_CHANGES];
	char text[MAX_CHANGES][2][48];
	char key[MAX_CHANGES][40];
	size_t n;
};

static void lower(char *dst, const char *src, size_t len)
{
	size_t i = 0;

	for (; src[i] != '\0' && i + 1 < len; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 : src[i]);
	dst[i] = '\0';
}

static void add_change(struct change_list *cl, const char *scope, const struct tg_risk_limit_info *li, uint64_t old,
		       uint64_t new)
{
	if (cl->n >= MAX_CHANGES || old == new)
		return;
	size_t k = cl->n++;
	lower(cl->key[k], li->name, sizeof(cl->key[k]));
	tg_risk_value_format(li, old, cl->text[k][0], sizeof(cl->text[k][0]));
	tg_risk_value_format(li, new, cl->text[k][1], sizeof(cl->text[k][1]));
	cl->c[k] = (struct tg_audit_change){ .scope = scope, .key = cl->key[k], .old_text = cl->text[k][0],
					     .new_text = cl->text[k][1], .old_raw = old, .new_raw = new };
}

static void diff_tables(struct change_list *cl, const struct tg_risk_card_state *old,
			const struct tg_risk_card_state *want)
{
	for (unsigned l = 0; l < tg_risk_limits_count; l++) {
		const struct tg_risk_limit_info *li = &tg_risk_limits[l];
		if (li->global) {
			add_change(cl, "global", li, old->global[li->id], want->global[li->id]);
			continue;
		}
		for (unsigned i = 0; i < old->instruments; i++) {
			if (old->inst[i].subscribed)
				add_change(cl, old->inst[i].symbol, li, old->inst[i].lim[li->id], want->inst[i].lim[li->id]);
		}
	}
}

/* Append the audit record, with the command line as typed; false (and a
 * message) when it could not be written. */
static bool audit_begin(const struct cli *cli, const char *action, const char *detail, const struct change_list *cl,
			uint64_t *seq)
{
	char path[640];
	struct tg_audit_record rec = { .action = action, .card = cli->card_uri, .argc = cli->argc, .argv = cli->argv,
				       .detail = detail, .changes = cl ? cl->c : NULL, .n_changes = cl ? cl->n : 0 };
	int rc;

	if (!control_path(cli->card_uri, ".audit.jsonl", path, sizeof(path)))
		return false;
	rc = tg_audit_append(path, &rec, seq);
	if (rc != TG_OK) {
		cli_error("audit log %s: %s", path, tg_strerror(rc));
		return false;
	}
	return true;
}

static void audit_end(const struct cli *cli, uint64_t seq, int rc)
{
	char path[640];

	if (!control_path(cli->card_uri, ".audit.jsonl", path, sizeof(path)))
		return;
	if (tg_audit_outcome(path, cli->card_uri, seq, rc == TG_OK, rc == TG_OK ? NULL : tg_strerror(rc), NULL) != TG_OK)
		cli_error("audit log %s: the outcome could not be written", path);
}

struct tg_risk_limit_set *risk_loaded_config(const struct cli *cli, char *path, size_t len)
{
	struct tg_risk_limit_set *set = NULL;
	struct tg_config_error err;

	if (!control_path(cli->card_uri, ".limits.yaml", path, len) || access(path, F_OK) != 0)
		return NULL;
	if (tg_risk_config_load(path, &set, &err) != TG_OK) {
		cli_error("%s (the copy of the last loaded limits; ceilings not applied)", err.msg);
		return NULL;
	}
	return set;
}

static struct tg_card *open_card(const struct cli *cli)
{
	return cli_open(cli, 0);
}

static int read_state(struct tg_card *card, struct tg_risk_card_state *st)
{
	int rc = tg_risk_card_read(card, st);

	if (rc == TG_ERR_CONTRACT)
		cli_error("%s: this card has no risk gate", tg_card_uri(card));
	else if (rc != TG_OK)
		cli_error("%s: reading the risk gate: %s", tg_card_uri(card), tg_strerror(rc));
	return rc;
}

/* The card, its gate read into st and, when symbol is not NULL, the
 * instrument of symbol in *inst; NULL (a message printed, the card
 * closed) when any of it failed. */
static struct tg_card *open_state(const struct cli *cli, struct tg_risk_card_state *st, const char *symbol, int *inst)
{
	struct tg_card *card = open_card(cli);

	if (card == NULL)
		return NULL;
	if (read_state(card, st) != TG_OK) {
		tg_card_close(card);
		return NULL;
	}
	if (symbol != NULL && (*inst = tg_risk_card_find(st, symbol)) < 0) {
		cli_error("%s: no instrument %s on the card", cli->card_uri, symbol);
		tg_card_close(card);
		return NULL;
	}
	return card;
}

/* ------------------------------------------------------------------ show */

static const char *source_of(const struct tg_risk_limit_set *cfg, const char *symbol, unsigned id, uint64_t v)
{
	if (cfg == NULL)
		return "live";
	return tg_risk_limit_effective(cfg, symbol, id) == v ? "config" : "live";
}

static void show_limit_text(const struct tg_risk_limit_info *li, uint64_t v, const char *src)
{
	char key[40], text[48];

	lower(key, li->name, sizeof(key));
	tg_risk_value_format(li, v, text, sizeof(text));
	printf("    %-20s %-22s %s\n", key, text, src);
}

static void show_limit_json(struct tg_json *j, const struct tg_risk_limit_info *li, uint64_t v, const char *src)
{
	char key[40], text[48];

	lower(key, li->name, sizeof(key));
	tg_risk_value_format(li, v, text, sizeof(text));
	tg_json_object_begin(j, key);
	tg_json_u64(j, "value", v);
	tg_json_string(j, "text", text);
	tg_json_string(j, "unit", li->unit);
	tg_json_string(j, "source", src);
	tg_json_object_end(j);
}

static void fmt_price(char *buf, size_t len, int64_t v)
{
	uint64_t a = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;

	snprintf(buf, len, "%s%" PRIu64 ".%04" PRIu64, v < 0 ? "-" : "", a / 10000, a % 10000);
}

static int risk_show(const struct cli *cli, int argc, char **argv)
{
	struct tg_risk_card_state st;
	char cfg_path[640], buf[64];
	const char *only = NULL;
	int rc = CLI_EXIT_OK;

	if (argc > 2)
		return cli_usage_error("risk show", "too many arguments");
	if (argc == 2)
		only = argv[1];
	int only_inst;
	struct tg_card *card = open_state(cli, &st, only, &only_inst);
	if (card == NULL)
		return CLI_EXIT_FAIL;
	struct tg_risk_limit_set *cfg = risk_loaded_config(cli, cfg_path, sizeof(cfg_path));
	uint64_t avail, burst;
	struct tg_json j;

	if (cli->json) {
		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_string(&j, "card", cli->card_uri);
		tg_json_string(&j, "config", cfg ? cfg_path : "");
		tg_json_bool(&j, "killed", st.killed);
		tg_json_bool(&j, "kill_register", st.kill_register);
		tg_json_bool(&j, "watchdog_tripped", st.watchdog_tripped);
		tg_json_object_begin(&j, "global");
		tg_json_object_begin(&j, "limits");
	} else {
		printf("card %s   kill %s%s   open orders %u   limits from %s\n", cli->card_uri,
		       st.killed ? "ENGAGED" : "off", st.watchdog_tripped ? " (watchdog tripped)" : "", st.open_all,
		       cfg ? cfg_path : "(no limit file loaded)");
		printf("global\n");
	}
	for (unsigned l = 0; l < tg_risk_limits_count; l++) {
		const struct tg_risk_limit_info *li = &tg_risk_limits[l];
		if (!li->global)
			continue;
		const char *src = source_of(cfg, NULL, li->id, st.global[li->id]);
		if (cli->json)
			show_limit_json(&j, li, st.global[li->id], src);
		else
			show_limit_text(li, st.global[li->id], src);
	}
	tg_risk_bucket_level(st.global[TG_RISK_LIM_RATE_PERIOD_ALL], st.global[TG_RISK_LIM_RATE_TOLERANCE_ALL],
			     st.rate_tat_all, st.uptime, &avail, &burst);
	if (cli->json) {
		tg_json_object_end(&j);
		tg_json_i64(&j, "gross", st.gross);
		tg_json_i64(&j, "net_long", st.net_long);
		tg_json_i64(&j, "net_short", st.net_short);
		tg_json_u64(&j, "open_orders", st.open_all);
		tg_json_u64(&j, "rate_available", avail);
		tg_json_u64(&j, "rate_burst", burst);
		tg_json_object_end(&j);
		tg_json_array_begin(&j, "instruments");
	} else {
		fmt_price(buf, sizeof(buf), st.gross);
		printf("  usage: gross %s", buf);
		fmt_price(buf, sizeof(buf), st.net_long);
		printf("  net long %s", buf);
		fmt_price(buf, sizeof(buf), st.net_short);
		printf("  net short %s  open orders %u", buf, st.open_all);
		if (burst > 0)
			printf("  rate bucket %" PRIu64 "/%" PRIu64, avail, burst);
		printf("\n");
	}
	for (unsigned i = 0; i < st.instruments; i++) {
		const struct tg_risk_card_inst *in = &st.inst[i];
		if (!in->subscribed || (only != NULL && strcmp(only, in->symbol) != 0))
			continue;
		tg_risk_bucket_level(in->lim[TG_RISK_LIM_RATE_PERIOD], in->lim[TG_RISK_LIM_RATE_TOLERANCE], in->rate_tat,
				     st.uptime, &avail, &burst);
		if (cli->json) {
			tg_json_object_begin(&j, NULL);
			tg_json_string(&j, "symbol", in->symbol);
			tg_json_u64(&j, "instrument", i);
			tg_json_i64(&j, "position", in->position);
			tg_json_u64(&j, "open_buy", in->open_buy);
			tg_json_u64(&j, "open_sell", in->open_sell);
			tg_json_u64(&j, "open_orders", in->open_orders);
			tg_json_u64(&j, "ref_price", in->ref_price);
			tg_json_i64(&j, "exposure_long", in->exposure_long);
			tg_json_i64(&j, "exposure_short", in->exposure_short);
			tg_json_bool(&j, "killed", in->killed);
			tg_json_bool(&j, "halted_feed", in->halted_feed);
			tg_json_bool(&j, "halted_host", in->halted_host);
			tg_json_u64(&j, "rate_available", avail);
			tg_json_u64(&j, "rate_burst", burst);
			tg_json_object_begin(&j, "limits");
		} else {
			fmt_price(buf, sizeof(buf), in->ref_price);
			printf("%s (instrument %u)%s%s%s\n  usage: position %" PRId64 "  open buy %" PRIu64 " sell %" PRIu64
			       "  orders %u  reference %s", in->symbol, i, in->killed ? "  KILLED" : "",
			       in->halted_feed ? "  HALTED (feed)" : "", in->halted_host ? "  HALTED (host)" : "",
			       in->position, in->open_buy, in->open_sell, in->open_orders, in->ref_price ? buf : "none");
			fmt_price(buf, sizeof(buf), in->exposure_long);
			printf("  exposure %s", buf);
			fmt_price(buf, sizeof(buf), in->exposure_short);
			printf(" / %s", buf);
			if (burst > 0)
				printf("  rate bucket %" PRIu64 "/%" PRIu64, avail, burst);
			printf("\n");
		}
		for (unsigned l = 0; l < tg_risk_limits_count; l++) {
			const struct tg_risk_limit_info *li = &tg_risk_limits[l];
			if (li->global)
				continue;
			const char *src = source_of(cfg, in->symbol, li->id, in->lim[li->id]);
			if (cli->json)
				show_limit_json(&j, li, in->lim[li->id], src);
			else
				show_limit_text(li, in->lim[li->id], src);
		}
		if (cli->json) {
			tg_json_object_end(&j);
			tg_json_object_end(&j);
		}
	}
	if (cli->json) {
		tg_json_array_end(&j);
		tg_json_object_end(&j);
		tg_json_finish(&j);
	}
	tg_risk_limit_set_free(cfg);
	tg_card_close(card);
	return rc;
}

/* ------------------------------------------------------------------ set and load */

int risk_apply_table(const struct cli *cli, struct tg_card *card, const char *action, const char *detail,
		     const struct tg_risk_card_state *old, const struct tg_risk_card_state *want, size_t *changed)
{
	static struct change_list cl;
	uint64_t seq = 0;

	cl.n = 0;
	diff_tables(&cl, old, want);
	*changed = cl.n;
	if (!audit_begin(cli, action, detail, &cl, &seq))
		return CLI_EXIT_FAIL;	/* nothing applied */
	int rc = tg_risk_card_commit(card, want);
	audit_end(cli, seq, rc);
	if (rc != TG_OK) {
		cli_error("%s: writing the limits: %s (the limits in force did not change)", cli->card_uri, tg_strerror(rc));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

/* Apply `want` (a whole table): lock held by the caller; audited first. */
static int apply_table(const struct cli *cli, struct tg_card *card, const char *action, const char *detail,
		       const struct tg_risk_card_state *old, const struct tg_risk_card_state *want)
{
	size_t n = 0;
	int rc = risk_apply_table(cli, card, action, detail, old, want, &n);

	if (rc == CLI_EXIT_OK && !cli->json)
		printf("%zu limit%s changed in one commit\n", n, n == 1 ? "" : "s");
	return rc;
}

static int risk_set(const struct cli *cli, int argc, char **argv)
{
	static struct tg_risk_card_state st, want;
	const char *symbol = NULL;
	int first = 1, lk, rc;
	char cfg_path[640], err[256];

	if (argc >= 2 && strchr(argv[1], '=') == NULL) {
		symbol = argv[1];
		first = 2;
	}
	if (first >= argc)
		return cli_usage_error("risk set", "give at least one KEY=VALUE");
	/* parse everything before touching the card */
	unsigned ids[TG_RISK_LIMIT_IDS];
	uint64_t vals[TG_RISK_LIMIT_IDS];
	unsigned n = 0;
	for (int a = first; a < argc; a++) {
		char key[64];
		const char *eq = strchr(argv[a], '=');
		if (eq == NULL || eq == argv[a] || (size_t)(eq - argv[a]) >= sizeof(key))
			return cli_usage_error("risk set", "'%s' is not KEY=VALUE", argv[a]);
		memcpy(key, argv[a], (size_t)(eq - argv[a]));
		key[eq - argv[a]] = '\0';
		const struct tg_risk_limit_info *li = tg_risk_limit_find(key);
		if (li == NULL)
			return cli_usage_error("risk set", "unknown limit '%s'", key);
		if (li->global != (symbol == NULL))
			return cli_usage_error("risk set", "'%s' is %s limit: %s", key, li->global ? "a global" : "an instrument",
					       li->global ? "give no SYMBOL" : "give the SYMBOL first");
		if (tg_risk_value_parse(li, eq + 1, &vals[n], err, sizeof(err)) != TG_OK)
			return cli_usage_error("risk set", "%s: %s", key, err);
		for (unsigned k = 0; k < n; k++) {
			if (ids[k] == li->id)
				return cli_usage_error("risk set", "'%s' given twice", key);
		}
		ids[n++] = li->id;
	}
	struct tg_card *card = open_card(cli);
	if (card == NULL)
		return CLI_EXIT_FAIL;
	lk = control_lock(cli->card_uri);
	if (lk < 0 || read_state(card, &st) != TG_OK) {
		control_unlock(lk);
		tg_card_close(card);
		return CLI_EXIT_FAIL;
	}
	int inst = symbol ? tg_risk_card_find(&st, symbol) : 0;
	if (inst < 0) {
		cli_error("%s: no instrument %s on the card (subscribe it first)", cli->card_uri, symbol);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	want = st;
	uint64_t *table = symbol ? want.inst[inst].lim : want.global;
	for (unsigned k = 0; k < n; k++)
		table[ids[k]] = vals[k];
	struct tg_risk_limit_set *cfg = risk_loaded_config(cli, cfg_path, sizeof(cfg_path));
	if (cfg != NULL && tg_risk_ceiling_check(cfg, symbol, table, err, sizeof(err)) != TG_OK) {
		cli_error("refused, nothing changed: %s (ceilings of %s)", err, cfg_path);
		tg_risk_limit_set_free(cfg);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	tg_risk_limit_set_free(cfg);
	rc = apply_table(cli, card, "risk.set", NULL, &st, &want);
out:
	control_unlock(lk);
	tg_card_close(card);
	return rc;
}

static bool copy_file(const char *from, const char *to)
{
	char tmp[700];
	char buf[65536];
	size_t n;
	bool ok = true;

	snprintf(tmp, sizeof(tmp), "%s.tmp", to);
	FILE *in = fopen(from, "rb"), *out = fopen(tmp, "wb");
	if (in == NULL || out == NULL)
		ok = false;
	while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in != NULL)
		fclose(in);
	if (out != NULL && (fflush(out) != 0 || fsync(fileno(out)) != 0))
		ok = false;
	if (out != NULL && fclose(out) != 0)
		ok = false;
	return ok && rename(tmp, to) == 0;
}

void risk_table_from_set(const struct tg_risk_limit_set *set, const struct tg_risk_card_state *st,
			 struct tg_risk_card_state *want)
{
	*want = *st;
	for (unsigned l = 0; l < tg_risk_limits_count; l++) {
		const struct tg_risk_limit_info *li = &tg_risk_limits[l];
		if (li->global) {
			want->global[li->id] = tg_risk_limit_effective(set, NULL, li->id);
			continue;
		}
		for (unsigned i = 0; i < st->instruments; i++)
			want->inst[i].lim[li->id] = st->inst[i].subscribed ? tg_risk_limit_effective(set, st->inst[i].symbol, li->id)
									   : 0;
	}
}

bool risk_keep_config_copy(const struct cli *cli, const char *file)
{
	char saved[640];

	if (control_path(cli->card_uri, ".limits.yaml", saved, sizeof(saved)) && copy_file(file, saved))
		return true;
	cli_error("the limits are applied, but keeping a copy of %s failed: later changes are not bounded by its ceilings",
		  file);
	return false;
}

static int risk_load(const struct cli *cli, int argc, char **argv)
{
	static struct tg_risk_card_state st, want;
	struct tg_risk_limit_set *set = NULL;
	struct tg_config_error err;
	char detail[700];
	int lk, rc;

	if (argc != 2)
		return cli_usage_error("risk load", "give one limit file");
	rc = tg_risk_config_load(argv[1], &set, &err);
	if (rc != TG_OK) {
		cli_error("%s", err.msg);
		cli_error("nothing changed");
		return CLI_EXIT_FAIL;
	}
	struct tg_card *card = open_card(cli);
	if (card == NULL) {
		tg_risk_limit_set_free(set);
		return CLI_EXIT_FAIL;
	}
	lk = control_lock(cli->card_uri);
	if (lk < 0 || read_state(card, &st) != TG_OK) {
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	risk_table_from_set(set, &st, &want);
	snprintf(detail, sizeof(detail), "limit file %s", argv[1]);
	rc = apply_table(cli, card, "risk.load", detail, &st, &want);
	if (rc == CLI_EXIT_OK && !risk_keep_config_copy(cli, argv[1]))
		rc = CLI_EXIT_FAIL;
out:
	control_unlock(lk);
	tg_card_close(card);
	tg_risk_limit_set_free(set);
	return rc;
}

/* ------------------------------------------------------------------ busts */

const char *risk_side_name(unsigned side)
{
	static const char *const names[] = { "buy", "sell", "sell-short", "sell-short-exempt" };

	return side < 4 ? names[side] : "?";
}

int risk_bust_apply(const struct cli *cli, struct tg_card *card, const struct risk_bust *b, int64_t *before,
		    int64_t *after)
{
	static struct change_list cl;
	char detail[400], price[32], ids[96] = "", reason[16] = "";
	uint64_t seq = 0;
	int64_t pos = 0;
	int rc, lk;

	if (b->qty == 0 || b->qty > TG_RISK_QTY_MAX || b->side > 3 || b->inst > 255) {
		cli_error("a bust of %u shares, side %u, instrument %u is not a valid execution", b->qty, b->side, b->inst);
		return CLI_EXIT_FAIL;
	}
	lk = control_lock(cli->card_uri);
	if (lk < 0)
		return CLI_EXIT_FAIL;
	rc = tg_risk_card_position(card, b->inst, &pos);
	if (rc != TG_OK) {
		cli_error("%s: reading the position of %s: %s; nothing changed", cli->card_uri, b->symbol, tg_strerror(rc));
		control_unlock(lk);
		return CLI_EXIT_FAIL;
	}
	/* the execution goes back: a buy's shares leave the position, a sell's return */
	int64_t want = b->side == TG_RISK_SIDE_BUY ? pos - (int64_t)b->qty : pos + (int64_t)b->qty;

	fmt_price(price, sizeof(price), b->price);
	if (b->have_match && b->urn != 0)
		snprintf(ids, sizeof(ids), "match=%" PRIu64 " urn=%" PRIu32 " ", b->match, b->urn);
	else if (b->have_match)
		snprintf(ids, sizeof(ids), "match=%" PRIu64 " ", b->match);
	if (b->reason != 0)
		snprintf(reason, sizeof(reason), " reason=%c", b->reason);
	snprintf(detail, sizeof(detail), "%ssymbol=%s instrument=%u side=%s qty=%" PRIu32 " price=%s%s source=%s", ids,
		 b->symbol, b->inst, risk_side_name(b->side), b->qty, price, reason, b->source);
	cl.n = 1;
	snprintf(cl.text[0][0], sizeof(cl.text[0][0]), "%" PRId64, pos);
	snprintf(cl.text[0][1], sizeof(cl.text[0][1]), "%" PRId64, want);
	/* raw: RISK_INST_POSITION as the card holds it, two's complement */
	cl.c[0] = (struct tg_audit_change){ .scope = b->symbol, .key = "position", .old_text = cl.text[0][0],
					    .new_text = cl.text[0][1], .old_raw = (uint64_t)pos, .new_raw = (uint64_t)want };
	if (!audit_begin(cli, "risk.bust", detail, &cl, &seq)) {
		cli_error("not audited, so not applied: the gate still counts the execution");
		control_unlock(lk);
		return CLI_EXIT_FAIL;
	}
	rc = tg_risk_card_bust(card, b->inst, b->side, b->qty);
	audit_end(cli, seq, rc);
	if (rc == TG_OK && after != NULL && tg_risk_card_position(card, b->inst, after) != TG_OK)
		*after = want;
	control_unlock(lk);
	if (before != NULL)
		*before = pos;
	if (rc != TG_OK) {
		cli_error("%s: the bust of %s %s %" PRIu32 " failed: %s", cli->card_uri, risk_side_name(b->side), b->symbol,
			  b->qty, tg_strerror(rc));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

static bool parse_side(const char *s, unsigned *side)
{
	for (unsigned k = 0; k < 4; k++) {
		if (strcmp(s, risk_side_name(k)) == 0) {
			*side = k;
			return true;
		}
	}
	return false;
}

/* --qty or --price: a value of the pseudo-limit li (shares, dollars), not 0 */
static int parse_positive(const struct tg_risk_limit_info *li, const char *opt, const char *val, uint32_t *out)
{
	char err[256];
	uint64_t v;

	if (tg_risk_value_parse(li, val, &v, err, sizeof(err)) != TG_OK)
		return cli_usage_error("risk bust", "%s: %s", opt, err);
	if (v == 0)
		return cli_usage_error("risk bust", "%s: must be above 0", opt);
	*out = (uint32_t)v;
	return CLI_EXIT_OK;
}

/* tickgate risk bust SYMBOL --side SIDE --qty SHARES --price PRICE [--match N] --confirm */
static int risk_bust(const struct cli *cli, int argc, char **argv)
{
	static const struct tg_risk_limit_info qty_info = { .name = "qty", .bits = 24, .max = TG_RISK_QTY_MAX,
							   .unit = "shares" };
	static const struct tg_risk_limit_info price_info = { .name = "price", .bits = 31, .max = TG_RISK_PRICE_MAX,
							     .unit = "notional" };
	static struct tg_risk_card_state st;
	struct risk_bust b = { .side = 4, .source = "manual" };
	bool confirm = false;

	for (int a = 1; a < argc; a++) {
		const char *opt = argv[a];
		const char *val = a + 1 < argc ? argv[a + 1] : NULL;

		if (strcmp(opt, "--confirm") == 0) {
			confirm = true;
			continue;
		}
		if (opt[0] != '-') {
			if (b.symbol != NULL)
				return cli_usage_error("risk bust", "too many arguments ('%s')", opt);
			if (!tg_risk_symbol_valid(opt))
				return cli_usage_error("risk bust", "'%s' is not a symbol", opt);
			b.symbol = opt;
			continue;
		}
		if (strcmp(opt, "--side") != 0 && strcmp(opt, "--qty") != 0 && strcmp(opt, "--price") != 0 &&
		    strcmp(opt, "--match") != 0)
			return cli_usage_error("risk bust", "unknown option '%s'", opt);
		if (val == NULL)
			return cli_usage_error("risk bust", "option '%s' needs a value", opt);
		a++;
		if (strcmp(opt, "--side") == 0) {
			if (!parse_side(val, &b.side))
				return cli_usage_error("risk bust", "--side: '%s' is not buy, sell, sell-short or "
						       "sell-short-exempt", val);
		} else if (strcmp(opt, "--qty") == 0 || strcmp(opt, "--price") == 0) {
			bool qty = strcmp(opt, "--qty") == 0;
			int rc = parse_positive(qty ? &qty_info : &price_info, opt, val, qty ? &b.qty : &b.price);

			if (rc != CLI_EXIT_OK)
				return rc;
		} else {
			if (!cli_parse_u64(val, UINT64_MAX, &b.match))
				return cli_usage_error("risk bust", "--match: '%s' is not a match number", val);
			b.have_match = true;
		}
	}
	if (b.symbol == NULL)
		return cli_usage_error("risk bust", "give the SYMBOL of the broken execution");
	if (b.side > 3 || b.qty == 0 || b.price == 0)
		return cli_usage_error("risk bust", "give the execution's --side, --qty and --price");
	if (!confirm)
		return cli_usage_error("risk bust", "reversing an execution needs --confirm");
	int inst = -1;
	struct tg_card *card = open_state(cli, &st, b.symbol, &inst);
	if (card == NULL)
		return CLI_EXIT_FAIL;
	b.inst = (unsigned)inst;
	int64_t before = 0, after = 0;
	int rc = risk_bust_apply(cli, card, &b, &before, &after);

	tg_card_close(card);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (cli->json) {
		struct tg_json j;

		tg_json_init(&j, stdout);
		tg_json_object_begin(&j, NULL);
		tg_json_string(&j, "symbol", b.symbol);
		tg_json_u64(&j, "instrument", b.inst);
		tg_json_string(&j, "side", risk_side_name(b.side));
		tg_json_u64(&j, "qty", b.qty);
		tg_json_u64(&j, "price", b.price);
		if (b.have_match)
			tg_json_u64(&j, "match", b.match);
		tg_json_i64(&j, "position_before", before);
		tg_json_i64(&j, "position_after", after);
		tg_json_object_end(&j);
		tg_json_finish(&j);
	} else {
		char price[32];

		fmt_price(price, sizeof(price), b.price);
		printf("%s: the execution %s %" PRIu32 " at %s is reversed: position %" PRId64 " -> %" PRId64 "\n", b.symbol,
		       risk_side_name(b.side), b.qty, price, before, after);
	}
	return CLI_EXIT_OK;
}

static void risk_usage(FILE *f)
{
	fprintf(f, "usage: tickgate risk show [SYMBOL] [--json]\n"
		   "       tickgate risk set [SYMBOL] KEY=VALUE...\n"
		   "       tickgate risk load FILE.yaml\n"
		   "       tickgate risk bust SYMBOL --side buy|sell|sell-short|sell-short-exempt --qty SHARES\n"
		   "                          --price PRICE [--match N] --confirm\n"
		   "Show the limits in force with their source and usage; change limits\n"
		   "(global ones without SYMBOL) in one atomic commit, bounded by the ceilings\n"
		   "of the limit file last loaded; load a whole limit file (docs/risk-config.md);\n"
		   "reverse an execution the exchange broke (its side, shares and price) in the\n"
		   "gate's position and exposure, the open quantity it filled staying filled\n"
		   "(docs/risk.md). Every change is written to the audit log first (tickgate audit).\n");
}

int cmd_risk(const struct cli *cli, int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		risk_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	for (int a = 2; a < argc; a++) {
		if (cli_is_help(argv[a])) {
			risk_usage(stdout);
			return CLI_EXIT_OK;
		}
	}
	/* a --json after the subcommand counts like the global one */
	struct cli c = *cli;
	int n = 0;
	bool bust = strcmp(argv[1], "bust") == 0;	/* it has options of its own */
	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0 || strcmp(argv[a], "-j") == 0)
			c.json = true;
		else if (!bust && argv[a][0] == '-' && argv[a][1] != '\0' && strchr(argv[a], '=') == NULL)
			return cli_usage_error("risk", "unknown option '%s'", argv[a]);
		else
			argv[1 + n++] = argv[a];
	}
	const char *sub = argv[1];
	if (strcmp(sub, "show") == 0)
		return risk_show(&c, n, argv + 1);
	if (strcmp(sub, "set") == 0)
		return risk_set(&c, n, argv + 1);
	if (strcmp(sub, "load") == 0)
		return risk_load(&c, n, argv + 1);
	if (bust)
		return risk_bust(&c, n, argv + 1);
	return cli_usage_error("risk", "unknown subcommand '%s'", sub);
}

/* ------------------------------------------------------------------ kill and resume */

static int kill_or_resume(const struct cli *cli, int argc, char **argv, bool kill)
{
	const char *cmd = kill ? "kill" : "resume";
	const char *symbol = NULL;
	bool confirm = false;
	static struct change_list cl;
	uint64_t seq = 0;
	int rc;

	for (int a = 1; a < argc; a++) {
		if (cli_is_help(argv[a])) {
			printf("usage: tickgate kill [SYMBOL]\n"
			       "       tickgate resume [SYMBOL] --confirm\n"
			       "Engage the kill switch of the whole card (one register write: the very next\n"
			       "order is blocked) or of one instrument; resume needs --confirm and also\n"
			       "clears a tripped host watchdog. Both are written to the audit log.\n");
			return CLI_EXIT_OK;
		}
		if (strcmp(argv[a], "--confirm") == 0 && !kill)
			confirm = true;
		else if (argv[a][0] == '-')
			return cli_usage_error(cmd, "unknown option '%s'", argv[a]);
		else if (symbol == NULL)
			symbol = argv[a];
		else
			return cli_usage_error(cmd, "too many arguments");
	}
	if (!kill && !confirm)
		return cli_usage_error(cmd, "resuming trading needs --confirm");
	struct tg_card *card = open_card(cli);
	if (card == NULL)
		return CLI_EXIT_FAIL;
	int inst = -1;
	if (symbol != NULL) {
		static struct tg_risk_card_state st;
		if (read_state(card, &st) != TG_OK) {
			tg_card_close(card);
			return CLI_EXIT_FAIL;
		}
		inst = tg_risk_card_find(&st, symbol);
		if (inst < 0) {
			cli_error("%s: no instrument %s on the card", cli->card_uri, symbol);
			tg_card_close(card);
			return CLI_EXIT_FAIL;
		}
	}
	cl.n = 1;
	cl.c[0] = (struct tg_audit_change){ .scope = symbol ? symbol : "global", .key = "kill",
					    .old_text = NULL, .new_text = kill ? "engaged" : "released",
					    .new_raw = kill };
	bool audited = audit_begin(cli, kill ? "kill" : "resume", NULL, &cl, &seq);
	if (!audited && !kill) {
		tg_card_close(card);
		return CLI_EXIT_FAIL;	/* a resume is never unaudited */
	}
	/* a kill goes ahead even when the audit log fails: it only makes things safer */
	if (symbol == NULL && kill) {
		rc = tg_card_csr_write(card, TG_REG_KILL, TG_KILL_ENGAGED_MASK);
	} else if (symbol == NULL) {
		rc = tg_card_csr_write(card, TG_REG_KILL, 0);
		if (rc == TG_OK)
			rc = tg_card_csr_write(card, TG_REG_WATCHDOG_CONTROL, TG_WATCHDOG_CONTROL_RESET_MASK);
	} else {
		rc = tg_risk_card_command(card, kill ? TG_RISK_OP_INST_KILL : TG_RISK_OP_INST_RESUME, (unsigned)inst, 0);
	}
	if (audited)
		audit_end(cli, seq, rc);
	tg_card_close(card);
	if (rc != TG_OK) {
		cli_error("%s: %s failed: %s", cli->card_uri, cmd, tg_strerror(rc));
		return CLI_EXIT_FAIL;
	}
	if (!cli->json)
		printf("%s%s%s\n", kill ? "kill engaged" : "trading resumed", symbol ? " for " : "", symbol ? symbol : "");
	return audited ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int cmd_kill(const struct cli *cli, int argc, char **argv)
{
	return kill_or_resume(cli, argc, argv, true);
}

int cmd_resume(const struct cli *cli, int argc, char **argv)
{
	return kill_or_resume(cli, argc, argv, false);
}

/* ------------------------------------------------------------------ audit */

struct audit_print {
	const struct cli *cli;
	struct tg_json *j;
	uint64_t since;
};

static int print_record(const struct tg_audit_record *r, void *ctx)
{
	struct audit_print *p = ctx;
	char when[64];

	if (r->time_ns < p->since)
		return 0;
	if (p->cli->json) {
		fputs(r->json, stdout);
		fputc('\n', stdout);
		return 0;
	}
	tg_audit_time_format(r->time_ns, when, sizeof(when));
	printf("%s #%" PRIu64 " %s (uid %u) %s", when, r->seq, r->user ? r->user : "?", r->uid, r->action);
	if (r->result != NULL)
		printf(" #%" PRIu64 " %s%s%s", r->ref, r->result, r->reason ? ": " : "", r->reason ? r->reason : "");
	printf("\n");
	if (r->argc > 0) {
		printf("    $");
		/* format 1 records begin at the command's own name, after "risk"
		 * for its subcommands: put back what was typed before it */
		if (r->version < 2)
			printf(" tickgate%s", strncmp(r->action, "risk.", 5) == 0 ? " risk" : "");
		for (int a = 0; a < r->argc; a++)
			printf(" %s", r->argv[a]);
		printf("\n");
	}
	if (r->detail != NULL)
		printf("    %s\n", r->detail);
	for (size_t c = 0; c < r->n_changes; c++)
		printf("    %s %s: %s -> %s\n", r->changes[c].scope, r->changes[c].key,
		       r->changes[c].old_text ? r->changes[c].old_text : "?", r->changes[c].new_text);
	return 0;
}

static void print_bad(unsigned long line, bool torn, const char *why, void *ctx)
{
	(void)ctx;
	cli_error("audit log line %lu: %s (%s)", line, torn ? "cut short" : "not a record", why);
}

int cmd_audit(const struct cli *cli, int argc, char **argv)
{
	struct audit_print p = { .cli = cli };
	char path[640];
	bool json = cli->json;

	for (int a = 1; a < argc; a++) {
		if (cli_is_help(argv[a])) {
			printf("usage: tickgate audit [--json] [--since TIME]\n"
			       "Print the card's audit log: every limit change, kill, resume and broken-trade\n"
			       "reversal, who did it, when, and the values before and after. --json prints\n"
			       "the records as written (JSON lines).\n");
			return CLI_EXIT_OK;
		}
		if (strcmp(argv[a], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[a], "--since") == 0 && a + 1 < argc) {
			if (tg_audit_time_parse(argv[++a], &p.since) != TG_OK)
				return cli_usage_error("audit", "bad time '%s' (ISO-8601, e.g. 2026-11-21T09:30:00Z)", argv[a]);
		} else {
			return cli_usage_error("audit", "unknown argument '%s'", argv[a]);
		}
	}
	struct cli c = *cli;
	c.json = json;
	p.cli = &c;
	if (!control_path(cli->card_uri, ".audit.jsonl", path, sizeof(path)))
		return CLI_EXIT_FAIL;
	int rc = tg_audit_read(path, print_record, print_bad, &p, NULL);
	if (rc == TG_ERR_NOENT) {
		if (!json)
			printf("no changes recorded for %s (%s)\n", cli->card_uri, path);
		return CLI_EXIT_OK;
	}
	if (rc != TG_OK) {
		cli_error("%s: %s", path, tg_strerror(rc));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}
