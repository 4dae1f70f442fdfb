/*
 * Risk limit files: exact conversions (dollars, durations, rates), the
 * fallback to default, ceilings, every class of mistake with its exact
 * place and message, the value parser at each field's boundaries, and the
 * writer's round trip. Files are written into a temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tg_cunit.h"
#include "tickgate/risk_config.h"

static char dir[64];
static char path[256];

static int setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tg-risk-config-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* write text to dir/name; path is the file's name */
static void put_file(const char *name, const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static struct tg_risk_limit_set *load_ok(const char *name, const char *text)
{
	struct tg_risk_limit_set *set = NULL;
	struct tg_config_error err;

	put_file(name, text);
	if (tg_risk_config_load(path, &set, &err) != TG_OK)
		fprintf(stderr, "\n  unexpected: %s\n", err.msg);
	CU_ASSERT_PTR_NOT_NULL(set);
	return set;
}

/* the file fails with exactly this class, place, key and message */
static void load_bad(const char *name, const char *text, int code, unsigned line, unsigned col, const char *key,
		     const char *what)
{
	struct tg_risk_limit_set *set = (void *)1;
	struct tg_config_error err;
	char want[1024];
	int rc;

	put_file(name, text);
	rc = tg_risk_config_load(path, &set, &err);
	CU_ASSERT_EQUAL(rc, code == TG_CFG_E_NOMEM ? TG_ERR_NOMEM : TG_ERR_ARG);
	CU_ASSERT_PTR_NULL(set);
	CU_ASSERT_EQUAL(err.code, code);
	CU_ASSERT_EQUAL(err.line, line);
	CU_ASSERT_EQUAL(err.column, col);
	CU_ASSERT_STRING_EQUAL(err.key, key);
	CU_ASSERT_STRING_EQUAL(err.file, path);
	if (line != 0)
		snprintf(want, sizeof(want), "%s:%u:%u: %s%s%s", path, line, col, key, key[0] ? ": " : "", what);
	else
		snprintf(want, sizeof(want), "%s: %s%s%s", path, key, key[0] ? ": " : "", what);
	if (strcmp(err.msg, want) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", err.msg, want);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
}

static const struct tg_risk_limit_info *L(const char *name)
{
	const struct tg_risk_limit_info *lim = tg_risk_limit_find(name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(lim);
	return lim;
}

static const char example[] =
	"# example\n"
	"ceilings:                 # hard ceilings\n"
	"  global:   {max_gross: \"50,000,000.00\", max_open_all: 1000}\n"
	"  instruments:\n"
	"    default: {max_order_qty: 10000, max_order_notional: \"1000000.00\"}\n"
	"    AAPL:    {max_order_qty: 5000}\n"
	"global:\n"
	"  max_gross: \"10000000.00\"      # dollars\n"
	"  max_net: \"5000000\"\n"
	"  max_open_all: 200\n"
	"  rate_all: {orders: 5000, per: 1s, burst: 50}\n"
	"  no_ref_reject: true\n"
	"instruments:\n"
	"  default:\n"
	"    enabled: true\n"
	"    max_order_qty: 1000\n"
	"    collar_bps: 500\n"
	"    dup_window: 500us\n"
	"  AAPL:\n"
	"    max_long: 20000\n"
	"    rate: {orders: 100, per: 1s, burst: 10}\n";

static void test_example(void)
{
	struct tg_risk_limit_set *s = load_ok("example.yaml", example);
	const struct tg_risk_scope *aapl;

	if (s == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(s->path, path);
	/* ceilings */
	CU_ASSERT_EQUAL(s->ceilings.global.v[TG_RISK_LIM_MAX_GROSS].value, 500000000000ull);
	CU_ASSERT_EQUAL(s->ceilings.global.v[TG_RISK_LIM_MAX_OPEN_ALL].value, 1000);
	CU_ASSERT_EQUAL(s->ceilings.deflt.v[TG_RISK_LIM_MAX_ORDER_QTY].value, 10000);
	CU_ASSERT_EQUAL(s->ceilings.deflt.v[TG_RISK_LIM_MAX_ORDER_NOTIONAL].value, 10000000000ull);
	CU_ASSERT_EQUAL(s->ceilings.n_sym, 1);
	CU_ASSERT_EQUAL(tg_risk_table_resolve(&s->ceilings, "AAPL", TG_RISK_LIM_MAX_ORDER_QTY)->value, 5000);
	/* global: dollars x 10000, rate 5000/s: period ceil(322265625 / 5000), tolerance 49 periods */
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_MAX_GROSS].value, 100000000000ull);
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_MAX_NET].value, 50000000000ull);
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_MAX_OPEN_ALL].value, 200);
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_RATE_PERIOD_ALL].value, 64454);
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_RATE_TOLERANCE_ALL].value, 49 * 64454);
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_RATE_PERIOD_ALL].form, TG_RISK_FORM_RATE);
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_NO_REF_REJECT].value, 1);
	/* default: 500us = 161132.8125 cycles, to the nearest */
	CU_ASSERT_EQUAL(s->values.deflt.v[TG_RISK_LIM_ENABLED].value, 1);
	CU_ASSERT_EQUAL(s->values.deflt.v[TG_RISK_LIM_COLLAR_BPS].value, 500);
	CU_ASSERT_EQUAL(s->values.deflt.v[TG_RISK_LIM_DUP_WINDOW].value, 161133);
	CU_ASSERT_FALSE(s->values.deflt.v[TG_RISK_LIM_MAX_LONG].present);
	/* AAPL: 100/s = 3222656.25 cycles a token, rounded up */
	aapl = tg_risk_table_scope(&s->values, "AAPL");
	CU_ASSERT_PTR_NOT_NULL_FATAL(aapl);
	CU_ASSERT_EQUAL(aapl->line, 19);
	CU_ASSERT_EQUAL(aapl->column, 3);
	CU_ASSERT_EQUAL(aapl->v[TG_RISK_LIM_MAX_LONG].value, 20000);
	CU_ASSERT_EQUAL(aapl->v[TG_RISK_LIM_MAX_LONG].line, 20);
	CU_ASSERT_EQUAL(aapl->v[TG_RISK_LIM_MAX_LONG].column, 15);
	CU_ASSERT_EQUAL(aapl->v[TG_RISK_LIM_RATE_PERIOD].value, 3222657);
	CU_ASSERT_EQUAL(aapl->v[TG_RISK_LIM_RATE_TOLERANCE].value, 9 * 3222657);
	CU_ASSERT_EQUAL(aapl->v[TG_RISK_LIM_RATE_TOLERANCE].line, 21);
	/* effective values: the symbol's, else default's, else 0 */
	CU_ASSERT_EQUAL(tg_risk_limit_effective(s, "AAPL", TG_RISK_LIM_MAX_LONG), 20000);
	CU_ASSERT_EQUAL(tg_risk_limit_effective(s, "AAPL", TG_RISK_LIM_MAX_ORDER_QTY), 1000);
	CU_ASSERT_EQUAL(tg_risk_limit_effective(s, "MSFT", TG_RISK_LIM_ENABLED), 1);
	CU_ASSERT_EQUAL(tg_risk_limit_effective(s, "MSFT", TG_RISK_LIM_MAX_LONG), 0);
	CU_ASSERT_EQUAL(tg_risk_limit_effective(s, "MSFT", TG_RISK_LIM_RATE_PERIOD), 0);
	CU_ASSERT_EQUAL(tg_risk_limit_effective(s, NULL, TG_RISK_LIM_MAX_GROSS), 100000000000ull);
	CU_ASSERT_EQUAL(tg_risk_limit_effective(s, "AAPL", TG_RISK_LIM_MAX_GROSS), 100000000000ull);
	CU_ASSERT_EQUAL(tg_risk_limit_effective(s, "AAPL", 99), 0);
	CU_ASSERT_PTR_NULL(tg_risk_table_resolve(&s->values, "MSFT", TG_RISK_LIM_MAX_SHORT));
	tg_risk_limit_set_free(s);
}

/* each unit's forms, converted exactly */
static void test_conversions(void)
{
	struct tg_risk_limit_set *s = load_ok("units.yaml",
		"version: 1\n"
		"global:\n"
		"  max_gross: $1,000,000.50\n"
		"  max_net: 0.0001\n"
		"  max_open_all: 1_000\n"
		"  rate_period_all: 100 cycles\n"
		"  rate_tolerance_all: 1ms\n"
		"instruments:\n"
		"  default: &d\n"
		"    enabled: no\n"
		"    reduce_only: On\n"
		"    max_order_qty: 010\n"
		"    collar_bps: 0.25%\n"
		"    dup_window: 2ns\n"
		"  AAPL: *d\n"
		"  MSFT:\n"
		"    collar_bps: 5%\n"
		"    max_order_notional: \"12.3\"\n"
		"    rate: {orders: 3, per: 1ms}\n"
		"    dup_window: 1.5us\n"
		"  BRK.A:\n"
		"    collar_bps: 500bps\n"
		"    rate: off\n"
		"    dup_window: 0\n"
		"  \"X Y\": {}\n");
	const struct tg_risk_scope *a, *m, *b;

	if (s == NULL)
		return;
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_MAX_GROSS].value, 10000005000ull);
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_MAX_NET].value, 1);
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_MAX_OPEN_ALL].value, 1000);
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_RATE_PERIOD_ALL].value, 100);
	/* 1ms = 322265.625 cycles: half or more rounds up */
	CU_ASSERT_EQUAL(s->values.global.v[TG_RISK_LIM_RATE_TOLERANCE_ALL].value, 322266);
	CU_ASSERT_EQUAL(s->values.deflt.v[TG_RISK_LIM_ENABLED].value, 0);
	CU_ASSERT_TRUE(s->values.deflt.v[TG_RISK_LIM_ENABLED].present);
	CU_ASSERT_EQUAL(s->values.deflt.v[TG_RISK_LIM_REDUCE_ONLY].value, 1);
	CU_ASSERT_EQUAL(s->values.deflt.v[TG_RISK_LIM_MAX_ORDER_QTY].value, 10);	/* never octal */
	CU_ASSERT_EQUAL(s->values.deflt.v[TG_RISK_LIM_COLLAR_BPS].value, 25);
	CU_ASSERT_EQUAL(s->values.deflt.v[TG_RISK_LIM_DUP_WINDOW].value, 1);	/* 0.6445 cycles */
	a = tg_risk_table_scope(&s->values, "AAPL");	/* an alias of default */
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->v[TG_RISK_LIM_MAX_ORDER_QTY].value, 10);
	CU_ASSERT_EQUAL(a->v[TG_RISK_LIM_COLLAR_BPS].value, 25);
	m = tg_risk_table_scope(&s->values, "MSFT");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->v[TG_RISK_LIM_COLLAR_BPS].value, 500);
	CU_ASSERT_EQUAL(m->v[TG_RISK_LIM_MAX_ORDER_NOTIONAL].value, 123000);
	/* 3 per ms: 322265.625 / 3 = 107421.875, up; burst 1: no tolerance */
	CU_ASSERT_EQUAL(m->v[TG_RISK_LIM_RATE_PERIOD].value, 107422);
	CU_ASSERT_EQUAL(m->v[TG_RISK_LIM_RATE_TOLERANCE].value, 0);
	CU_ASSERT_EQUAL(m->v[TG_RISK_LIM_DUP_WINDOW].value, 483);	/* 483.398 */
	b = tg_risk_table_scope(&s->values, "BRK.A");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->v[TG_RISK_LIM_COLLAR_BPS].value, 500);
	CU_ASSERT_TRUE(b->v[TG_RISK_LIM_RATE_PERIOD].present);
	CU_ASSERT_EQUAL(b->v[TG_RISK_LIM_RATE_PERIOD].value, 0);
	CU_ASSERT_EQUAL(b->v[TG_RISK_LIM_RATE_TOLERANCE].value, 0);
	CU_ASSERT_TRUE(b->v[TG_RISK_LIM_DUP_WINDOW].present);
	CU_ASSERT_PTR_NOT_NULL(tg_risk_table_scope(&s->values, "X Y"));
	CU_ASSERT_EQUAL(tg_risk_limit_effective(s, "X Y", TG_RISK_LIM_COLLAR_BPS), 25);
	tg_risk_limit_set_free(s);
}

/* ---- one test per class of mistake ---- */

static void test_error_io(void)
{
	struct tg_risk_limit_set *set = (void *)1;
	struct tg_config_error err;
	char want[512];

	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	CU_ASSERT_EQUAL(tg_risk_config_load(path, &set, &err), TG_ERR_NOENT);
	CU_ASSERT_PTR_NULL(set);
	CU_ASSERT_EQUAL(err.code, TG_CFG_E_IO);
	CU_ASSERT_EQUAL(err.line, 0);
	snprintf(want, sizeof(want), "%s: cannot read: No such file or directory", path);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	CU_ASSERT_EQUAL(tg_risk_config_load(dir, &set, &err), TG_ERR_ARG);
	CU_ASSERT_EQUAL(err.code, TG_CFG_E_IO);
	snprintf(want, sizeof(want), "%s: cannot read: not a regular file", dir);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	CU_ASSERT_EQUAL(tg_risk_config_load(NULL, &set, &err), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_config_load(path, NULL, &err), TG_ERR_ARG);
}

static void test_error_syntax(void)
{
	load_bad("syntax.yaml", "global:\n  max_gross: 5\n  bad: [\n", TG_CFG_E_SYNTAX, 4, 1, "",
		 "YAML syntax: did not find expected node content (while parsing a flow node at line 4)");
	load_bad("tab.yaml", "global:\n\tmax_gross: 5\n", TG_CFG_E_SYNTAX, 2, 1, "",
		 "YAML syntax: found character that cannot start any token (while scanning for the next token at line 2)");
	load_bad("two.yaml", "global: {max_gross: 1}\n---\nglobal: {max_gross: 2}\n", TG_CFG_E_SYNTAX, 2, 1, "",
		 "a second YAML document: a limit file holds one");
}

static void test_error_empty(void)
{
	const char *what = "no limits: the file sets no global or instrument limit (loaded, it would block every order)";

	load_bad("empty.yaml", "", TG_CFG_E_EMPTY, 0, 0, "", what);
	load_bad("comment.yaml", "# nothing yet\n", TG_CFG_E_EMPTY, 0, 0, "", what);
	load_bad("ceilonly.yaml", "ceilings:\n  global: {max_gross: 1}\ninstruments:\n  AAPL: {}\n", TG_CFG_E_EMPTY,
		 0, 0, "", what);
}

static void test_error_type(void)
{
	load_bad("type1.yaml", "instruments:\n  AAPL:\n    max_long: {a: 1}\n", TG_CFG_E_TYPE, 3, 15,
		 "instruments.AAPL.max_long", "expected a value, found a mapping");
	load_bad("type2.yaml", "instruments:\n  AAPL:\n    max_long:\n", TG_CFG_E_TYPE, 3, 14,
		 "instruments.AAPL.max_long", "expected a value, found nothing");
	load_bad("type3.yaml", "instruments:\n  AAPL: [1, 2]\n", TG_CFG_E_TYPE, 2, 9, "instruments.AAPL",
		 "expected a mapping of limits, found a list ({} for an instrument that takes every default)");
	load_bad("type4.yaml", "- global\n", TG_CFG_E_TYPE, 1, 1, "",
		 "expected a mapping of version, ceilings, global and instruments, found a list");
	load_bad("type5.yaml", "global: 5\n", TG_CFG_E_TYPE, 1, 9, "global",
		 "expected a mapping of limits, found a value");
	load_bad("type6.yaml", "instruments:\n  AAPL: {rate: 100}\n", TG_CFG_E_TYPE, 2, 16, "instruments.AAPL.rate",
		 "expected {orders: N, per: DURATION, burst: B} or off, found a value");
}

static void test_error_unknown_key(void)
{
	load_bad("unk1.yaml", "global:\n  max_grosss: 5\n", TG_CFG_E_UNKNOWN_KEY, 2, 3, "global.max_grosss",
		 "unknown key (did you mean max_gross?)");
	load_bad("unk2.yaml", "instruments:\n  AAPL:\n    foo: 5\n", TG_CFG_E_UNKNOWN_KEY, 3, 5,
		 "instruments.AAPL.foo",
		 "unknown key (expected enabled, reduce_only, max_order_qty, max_order_notional, collar_bps, "
		 "max_long, max_short, max_open, rate_period, rate_tolerance, dup_window, rate)");
	load_bad("unk3.yaml", "globl:\n  max_gross: 5\n", TG_CFG_E_UNKNOWN_KEY, 1, 1, "globl",
		 "unknown key (did you mean global?)");
	load_bad("unk4.yaml", "global:\n  MAX_GROSS: 5\n", TG_CFG_E_UNKNOWN_KEY, 2, 3, "global.MAX_GROSS",
		 "unknown key: limit names are lower case (max_gross)");
	load_bad("unk5.yaml", "instruments:\n  AAPL: {rate: {orders: 1, brust: 2}}\n", TG_CFG_E_UNKNOWN_KEY, 2, 28,
		 "instruments.AAPL.rate.brust", "unknown key (did you mean burst?)");
	load_bad("unk6.yaml", "AAPL:\n  max_long: 5\n", TG_CFG_E_UNKNOWN_KEY, 1, 1, "AAPL",
		 "unknown key: instruments go under instruments");
	load_bad("unk7.yaml", "max_gross: 5\n", TG_CFG_E_UNKNOWN_KEY, 1, 1, "max_gross",
		 "unknown key: limits go under global or instruments");
	load_bad("unk8.yaml", "ceilings:\n  AAPL: {}\n", TG_CFG_E_UNKNOWN_KEY, 2, 3, "ceilings.AAPL",
		 "unknown key (expected global, instruments)");
	load_bad("unk9.yaml", "instruments:\n  default: &d {max_long: 1}\n  AAPL:\n    <<: *d\n",
		 TG_CFG_E_UNKNOWN_KEY, 4, 5, "instruments.AAPL.<<",
		 "unknown key: merge keys (<<) are not supported; put shared limits in default");
}

static void test_error_duplicate_key(void)
{
	load_bad("dup1.yaml", "global:\n  max_gross: 5\n  max_gross: 6\n", TG_CFG_E_DUPLICATE_KEY, 3, 3,
		 "global.max_gross", "duplicate key (first at line 2, column 3)");
	load_bad("dup2.yaml", "instruments:\n  AAPL: {}\n  MSFT: {}\n  AAPL: {max_long: 1}\n",
		 TG_CFG_E_DUPLICATE_KEY, 4, 3, "instruments.AAPL", "duplicate key (first at line 2, column 3)");
	load_bad("dup3.yaml", "global: {max_gross: 1}\nglobal: {max_net: 1}\n", TG_CFG_E_DUPLICATE_KEY, 2, 1,
		 "global", "duplicate key (first at line 1, column 1)");
}

static void test_error_scope(void)
{
	load_bad("scope1.yaml", "global:\n  max_order_qty: 5\n", TG_CFG_E_SCOPE, 2, 3, "global.max_order_qty",
		 "max_order_qty is an instrument limit: set it under instruments.default or instruments.SYMBOL");
	load_bad("scope2.yaml", "instruments:\n  default:\n    max_gross: 5\n", TG_CFG_E_SCOPE, 3, 5,
		 "instruments.default.max_gross", "max_gross is a global limit: set it under global");
	load_bad("scope3.yaml", "global:\n  rate: {orders: 5}\n", TG_CFG_E_SCOPE, 2, 3, "global.rate",
		 "rate is an instrument's order rate: the global one is rate_all");
	load_bad("scope4.yaml", "instruments:\n  AAPL: {rate_all: {orders: 5}}\n", TG_CFG_E_SCOPE, 2, 10,
		 "instruments.AAPL.rate_all",
		 "rate_all is the global order rate: set it under global (an instrument's is rate)");
}

static void test_error_conflict(void)
{
	load_bad("conf1.yaml", "instruments:\n  AAPL:\n    rate: {orders: 1}\n    rate_period: 5us\n",
		 TG_CFG_E_CONFLICT, 4, 5, "instruments.AAPL.rate_period", "rate_period is already set by rate at line 3");
	load_bad("conf2.yaml", "global:\n  rate_tolerance_all: 1ms\n  rate_all: {orders: 1}\n",
		 TG_CFG_E_CONFLICT, 3, 13, "global.rate_all", "rate_all sets rate_tolerance_all, already set at line 2");
}

static void test_error_symbol(void)
{
	load_bad("sym1.yaml", "instruments:\n  aapl: {}\n", TG_CFG_E_SYMBOL, 2, 3, "instruments.aapl",
		 "aapl is not a symbol: symbols are upper case");
	load_bad("sym2.yaml", "instruments:\n  ABCDEFGHI: {}\n", TG_CFG_E_SYMBOL, 2, 3, "instruments.ABCDEFGHI",
		 "ABCDEFGHI is not a symbol: at most 8 characters");
	load_bad("sym3.yaml", "instruments:\n  \" AB\": {}\n", TG_CFG_E_SYMBOL, 2, 3, "instruments. AB",
		 " AB is not a symbol: empty, or space at either end");
	load_bad("sym4.yaml", "instruments:\n  Default: {}\n", TG_CFG_E_SYMBOL, 2, 3, "instruments.Default",
		 "Default is not a symbol (the entry for every other symbol is spelled default)");
	load_bad("sym5.yaml", "instruments:\n  \"A\\tB\": {}\n", TG_CFG_E_SYMBOL, 2, 3, "instruments.A\tB",
		 "A\tB is not a symbol: letters, digits and punctuation only");
}

static void test_error_value(void)
{
	load_bad("val1.yaml", "instruments:\n  AAPL: {max_long: 12abc}\n", TG_CFG_E_VALUE, 2, 20,
		 "instruments.AAPL.max_long", "12abc is not a whole number");
	load_bad("val2.yaml", "instruments:\n  AAPL: {enabled: maybe}\n", TG_CFG_E_VALUE, 2, 19,
		 "instruments.AAPL.enabled", "maybe is not a flag: use true or false");
	load_bad("val3.yaml", "global:\n  max_gross: 1.00001\n", TG_CFG_E_VALUE, 2, 14, "global.max_gross",
		 "1.00001 has more than 4 decimals (notional is in 1/10000 dollar)");
	load_bad("val4.yaml", "global:\n  max_gross: \"1,00\"\n", TG_CFG_E_VALUE, 2, 14, "global.max_gross",
		 "1,00 is not a dollar amount (like 1000000.00)");
	load_bad("val5.yaml", "instruments:\n  AAPL: {max_long: 1.5}\n", TG_CFG_E_VALUE, 2, 20,
		 "instruments.AAPL.max_long", "1.5 is not a whole number");
	load_bad("val6.yaml", "instruments:\n  AAPL: {collar_bps: 0.125%}\n", TG_CFG_E_VALUE, 2, 22,
		 "instruments.AAPL.collar_bps", "0.125% is not a percentage of whole basis points (like 0.25%)");
	load_bad("val7.yaml", "version: 2\nglobal: {max_gross: 1}\n", TG_CFG_E_VALUE, 1, 10, "version",
		 "version 2 is not one this build reads (1)");
	load_bad("val8.yaml", "instruments:\n  AAPL: {rate: {orders: 0}}\n", TG_CFG_E_VALUE, 2, 25,
		 "instruments.AAPL.rate.orders", "orders must be 1 or more (rate: off for no rate limit)");
	load_bad("val9.yaml", "instruments:\n  AAPL: {rate: {per: 1s}}\n", TG_CFG_E_VALUE, 2, 16,
		 "instruments.AAPL.rate", "orders is missing ({orders: N, per: DURATION, burst: B})");
	load_bad("val10.yaml", "instruments:\n  AAPL: {rate: {orders: 5, burst: 0}}\n", TG_CFG_E_VALUE, 2, 35,
		 "instruments.AAPL.rate.burst", "burst must be 1 or more (1: no burst)");
	load_bad("val11.yaml", "instruments:\n  AAPL: {dup_window: 1.5 cycles}\n", TG_CFG_E_VALUE, 2, 22,
		 "instruments.AAPL.dup_window", "1.5 cycles is not a whole number of cycles");
	load_bad("val12.yaml", "global:\n  max_net: \"\"\n", TG_CFG_E_VALUE, 2, 12, "global.max_net", "empty value");
}

static void test_error_negative(void)
{
	load_bad("neg1.yaml", "instruments:\n  AAPL:\n    max_long: -5\n", TG_CFG_E_NEGATIVE, 3, 15,
		 "instruments.AAPL.max_long", "-5 is negative");
	load_bad("neg2.yaml", "global:\n  max_gross: -$1.00\n", TG_CFG_E_NEGATIVE, 2, 14, "global.max_gross",
		 "-$1.00 is negative");
	load_bad("neg3.yaml", "instruments:\n  AAPL: {dup_window: -1us}\n", TG_CFG_E_NEGATIVE, 2, 22,
		 "instruments.AAPL.dup_window", "-1us is negative");
}

static void test_error_range(void)
{
	load_bad("rng1.yaml", "instruments:\n  AAPL:\n    max_open: 70000\n", TG_CFG_E_RANGE, 3, 15,
		 "instruments.AAPL.max_open", "70000 exceeds the field's max 65535 (16 bits)");
	load_bad("rng2.yaml", "instruments:\n  AAPL:\n    collar_bps: 10001\n", TG_CFG_E_RANGE, 3, 17,
		 "instruments.AAPL.collar_bps", "10001 exceeds the field's max 10000");
	load_bad("rng3.yaml", "global:\n  max_gross: 1844674407370955.1616\n", TG_CFG_E_RANGE, 2, 14,
		 "global.max_gross", "1844674407370955.1616 exceeds the field's max 1844674407370955.1615 (64 bits)");
	load_bad("rng4.yaml", "instruments:\n  AAPL: {max_long: 18446744073709551616}\n", TG_CFG_E_RANGE, 2, 20,
		 "instruments.AAPL.max_long", "18446744073709551616 exceeds the field's max 4294967295 (32 bits)");
	load_bad("rng5.yaml", "instruments:\n  AAPL: {dup_window: 20s}\n", TG_CFG_E_RANGE, 2, 22,
		 "instruments.AAPL.dup_window",
		 "20s exceeds the field's max 4294967295 cycles = 13.327413667s (32 bits)");
	load_bad("rng6.yaml", "instruments:\n  AAPL: {rate: {orders: 1, per: 1min}}\n", TG_CFG_E_RANGE, 2, 16,
		 "instruments.AAPL.rate",
		 "the period of one order passes the field's max 4294967295 cycles (13.327413667s)");
	load_bad("rng7.yaml", "instruments:\n  AAPL: {rate: {orders: 1, burst: 15}}\n", TG_CFG_E_RANGE, 2, 35,
		 "instruments.AAPL.rate.burst",
		 "the burst tolerance, (burst - 1) x period, passes the field's max 4294967295 cycles (13.327413667s)");
}

static void test_error_duration(void)
{
	load_bad("dur1.yaml", "instruments:\n  AAPL:\n    dup_window: 500\n", TG_CFG_E_DURATION, 3, 17,
		 "instruments.AAPL.dup_window", "500 needs a unit: ns, us, ms, s, min, h or cycles");
	load_bad("dur2.yaml", "instruments:\n  AAPL:\n    dup_window: 500 parsecs\n", TG_CFG_E_DURATION, 3, 17,
		 "instruments.AAPL.dup_window",
		 "500 parsecs: unknown unit \"parsecs\" (use ns, us, ms, s, min, h or cycles)");
	load_bad("dur3.yaml", "instruments:\n  AAPL:\n    dup_window: 1ns\n", TG_CFG_E_DURATION, 3, 17,
		 "instruments.AAPL.dup_window", "1ns is less than half a card cycle (3.103ns)");
	load_bad("dur4.yaml", "instruments:\n  AAPL: {rate: {orders: 5, per: soon}}\n", TG_CFG_E_DURATION, 2, 33,
		 "instruments.AAPL.rate.per", "soon is not a duration (like 500us)");
}

static void test_error_ceiling(void)
{
	load_bad("ceil1.yaml",
		 "ceilings:\n  instruments:\n    AAPL: {max_order_qty: 50000}\n"
		 "instruments:\n  AAPL:\n    max_order_qty: 70000\n",
		 TG_CFG_E_CEILING, 6, 20, "instruments.AAPL.max_order_qty",
		 "70000 exceeds the ceiling 50000 (ceilings.instruments.AAPL.max_order_qty at line 3)");
	/* a symbol with a ceiling of its own takes default's value */
	load_bad("ceil2.yaml",
		 "ceilings:\n  instruments:\n    AAPL: {max_order_qty: 5000}\n"
		 "instruments:\n  default: {max_order_qty: 10000}\n",
		 TG_CFG_E_CEILING, 5, 28, "instruments.default.max_order_qty",
		 "10000 exceeds the ceiling 5000 for AAPL (ceilings.instruments.AAPL.max_order_qty at line 3)");
	/* a floor: nothing set is no rate limit at all */
	load_bad("ceil3.yaml",
		 "ceilings:\n  instruments:\n    default: {rate: {orders: 100, burst: 10}}\n"
		 "instruments:\n  AAPL: {enabled: true}\n",
		 TG_CFG_E_CEILING, 3, 21, "instruments.default.rate_period",
		 "not set: 0 (no rate limit) is looser than the ceiling 10.000002ms "
		 "(ceilings.instruments.default.rate at line 3)");
	load_bad("ceil4.yaml",
		 "ceilings:\n  instruments:\n    default: {rate: {orders: 100, burst: 10}}\n"
		 "instruments:\n  default:\n    rate: {orders: 100, burst: 11}\n",
		 TG_CFG_E_CEILING, 6, 11, "instruments.default.rate",
		 "100.000023ms at period 10.000002ms allows a burst of 11 orders, more than the ceiling's 10 "
		 "(90.00002ms at period 10.000002ms) (ceilings.instruments.default.rate at line 3)");
	load_bad("ceil5.yaml",
		 "ceilings:\n  global: {max_gross: \"50,000,000.00\", no_ref_reject: true}\n"
		 "global:\n  max_gross: 60000000\n",
		 TG_CFG_E_CEILING, 4, 14, "global.max_gross",
		 "60000000.0000 exceeds the ceiling 50000000.0000 (ceilings.global.max_gross at line 2)");
	load_bad("ceil6.yaml",
		 "ceilings:\n  global: {no_ref_reject: true}\n"
		 "global:\n  no_ref_reject: false\n",
		 TG_CFG_E_CEILING, 4, 18, "global.no_ref_reject",
		 "false is looser than the ceiling true (ceilings.global.no_ref_reject at line 2)");
	load_bad("ceil7.yaml",
		 "ceilings:\n  instruments:\n    default: {enabled: false}\n"
		 "instruments:\n  ZVZZT: {enabled: true}\n",
		 TG_CFG_E_CEILING, 5, 20, "instruments.ZVZZT.enabled",
		 "true is looser than the ceiling false (ceilings.instruments.default.enabled at line 3)");
}

/* rates against rate ceilings: a slower rate with the same burst passes */
static void test_ceiling_rates(void)
{
	struct tg_risk_limit_set *c = load_ok("ceilrate.yaml",
		"ceilings:\n  instruments:\n    default: {rate: {orders: 100, burst: 10}, max_long: 100}\n"
		"instruments:\n  default: {rate: {orders: 50, burst: 10}}\n");
	uint64_t v[TG_RISK_LIMIT_IDS] = {0};
	char msg[512], want[512];

	if (c == NULL)
		return;
	/* 100/s with bursts of 10 exactly: the ceiling itself */
	v[TG_RISK_LIM_RATE_PERIOD] = 3222657;
	v[TG_RISK_LIM_RATE_TOLERANCE] = 9 * 3222657;
	CU_ASSERT_EQUAL(tg_risk_ceiling_check(c, "AAPL", v, msg, sizeof(msg)), TG_OK);
	/* half the rate, bursts of 10: the tolerance in cycles doubles, and passes */
	CU_ASSERT_EQUAL(tg_risk_rate_cycles(50, TG_CARD_CLOCK_HZ, 10, &v[TG_RISK_LIM_RATE_PERIOD],
					    &v[TG_RISK_LIM_RATE_TOLERANCE]), TG_OK);
	CU_ASSERT_EQUAL(v[TG_RISK_LIM_RATE_PERIOD], 6445313);
	CU_ASSERT_EQUAL(tg_risk_ceiling_check(c, "AAPL", v, msg, sizeof(msg)), TG_OK);
	/* faster: refused on the period */
	v[TG_RISK_LIM_RATE_PERIOD] = 3222656;
	v[TG_RISK_LIM_RATE_TOLERANCE] = 0;
	CU_ASSERT_EQUAL(tg_risk_ceiling_check(c, "AAPL", v, msg, sizeof(msg)), TG_ERR_PERM);
	snprintf(want, sizeof(want), "rate_period: 10ms is looser than the ceiling 10.000002ms "
		 "(ceilings.instruments.default.rate at %s:3:21)", path);
	if (strcmp(msg, want) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", msg, want);
	CU_ASSERT_STRING_EQUAL(msg, want);
	/* no rate limit at all */
	v[TG_RISK_LIM_RATE_PERIOD] = 0;
	CU_ASSERT_EQUAL(tg_risk_ceiling_check(c, "AAPL", v, msg, sizeof(msg)), TG_ERR_PERM);
	/* bursts of 11 */
	v[TG_RISK_LIM_RATE_PERIOD] = 3222657;
	v[TG_RISK_LIM_RATE_TOLERANCE] = 10 * 3222657;
	CU_ASSERT_EQUAL(tg_risk_ceiling_check(c, "AAPL", v, msg, sizeof(msg)), TG_ERR_PERM);
	v[TG_RISK_LIM_RATE_TOLERANCE] = 9 * 3222657;
	v[TG_RISK_LIM_MAX_LONG] = 101;
	CU_ASSERT_EQUAL(tg_risk_ceiling_check(c, "AAPL", v, msg, sizeof(msg)), TG_ERR_PERM);
	v[TG_RISK_LIM_MAX_LONG] = 100;
	CU_ASSERT_EQUAL(tg_risk_ceiling_check(c, "AAPL", v, msg, sizeof(msg)), TG_OK);
	/* global scope: no global ceilings here */
	CU_ASSERT_EQUAL(tg_risk_ceiling_check(c, NULL, v, msg, sizeof(msg)), TG_OK);
	CU_ASSERT_EQUAL(tg_risk_ceiling_check(c, "aapl", v, msg, sizeof(msg)), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_ceiling_check(NULL, "AAPL", v, msg, sizeof(msg)), TG_ERR_ARG);
	tg_risk_limit_set_free(c);
}

/* a limit file checked against the ceilings of another */
static void test_ceiling_other_file(void)
{
	char cpath[256], want[1024];
	struct tg_risk_limit_set *c = load_ok("officer.yaml",
		"ceilings:\n  global: {max_open_all: 100}\n  instruments:\n    default: {max_long: 1000}\n"
		"global: {max_open_all: 1}\n");
	struct tg_risk_limit_set *s;
	struct tg_config_error err;

	snprintf(cpath, sizeof(cpath), "%s", path);
	s = load_ok("trader.yaml", "global:\n  max_open_all: 50\ninstruments:\n  AAPL:\n    max_long: 2000\n");
	if (c == NULL || s == NULL)
		goto out;
	CU_ASSERT_EQUAL(tg_risk_limit_set_check(s, c, &err), TG_ERR_PERM);
	CU_ASSERT_EQUAL(err.code, TG_CFG_E_CEILING);
	snprintf(want, sizeof(want),
		 "%s:5:15: instruments.AAPL.max_long: 2000 exceeds the ceiling 1000 "
		 "(ceilings.instruments.default.max_long at %s:4:25)", path, cpath);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	CU_ASSERT_EQUAL(tg_risk_limit_set_check(s, NULL, &err), TG_OK);
	CU_ASSERT_EQUAL(tg_risk_limit_set_check(c, c, &err), TG_OK);
out:
	tg_risk_limit_set_free(c);
	tg_risk_limit_set_free(s);
}

/* ---- values ---- */

/* every field: 0, its max, max + 1, a negative, beyond 64 bits */
static void test_value_boundaries(void)
{
	for (unsigned i = 0; i < tg_risk_limits_count; i++) {
		const struct tg_risk_limit_info *lim = &tg_risk_limits[i];
		char text[96], msg[512];
		uint64_t v = 12345;
		bool flag = strcmp(lim->unit, "flag") == 0, cycles = strcmp(lim->unit, "cycles") == 0;

		CU_ASSERT_EQUAL(tg_risk_value_parse(lim, "0", &v, msg, sizeof(msg)), TG_OK);
		CU_ASSERT_EQUAL(v, 0);
		CU_ASSERT(tg_risk_value_format(lim, lim->max, text, sizeof(text)) > 0);
		CU_ASSERT_EQUAL(tg_risk_value_parse(lim, text, &v, msg, sizeof(msg)), TG_OK);
		CU_ASSERT_EQUAL(v, lim->max);
		/* max + 1, in the field's own unit */
		if (flag)
			snprintf(text, sizeof(text), "2");
		else if (strcmp(lim->unit, "notional") == 0)
			snprintf(text, sizeof(text), "%llu.%04llu", (unsigned long long)(lim->max / 10000),
				 (unsigned long long)(lim->max % 10000 + 1));
		else
			snprintf(text, sizeof(text), "%llu%s", (unsigned long long)lim->max + 1, cycles ? " cycles" : "");
		if (lim->max == UINT64_MAX && !cycles && strcmp(lim->unit, "notional") != 0)
			snprintf(text, sizeof(text), "18446744073709551616");
		v = 7;
		CU_ASSERT_EQUAL(tg_risk_value_parse(lim, text, &v, msg, sizeof(msg)), TG_ERR_ARG);
		CU_ASSERT_EQUAL(v, 7);
		CU_ASSERT_PTR_NOT_NULL(strstr(msg, flag ? "is not a flag" : "exceeds the field's max"));
		CU_ASSERT_EQUAL(tg_risk_value_parse(lim, cycles ? "-1us" : "-1", &v, msg, sizeof(msg)),
				TG_ERR_ARG);
		CU_ASSERT_PTR_NOT_NULL(strstr(msg, flag ? "is not a flag" : "is negative"));
		CU_ASSERT_EQUAL(tg_risk_value_parse(lim, cycles ? "99999999999999999999999999999999999999999 cycles" :
						    "99999999999999999999999999999999999999999", &v, msg, sizeof(msg)),
				TG_ERR_ARG);
		CU_ASSERT_PTR_NOT_NULL(strstr(msg, flag ? "is not a flag" : "exceeds the field's max"));
		CU_ASSERT_EQUAL(v, 7);
	}
}

static void test_value_parse_forms(void)
{
	uint64_t v = 0;
	char msg[256];

	CU_ASSERT_EQUAL(tg_risk_value_parse(L("max_order_notional"), "  $1,234,567.8912 ", &v, msg, sizeof(msg)), TG_OK);
	CU_ASSERT_EQUAL(v, 12345678912ull);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("max_order_notional"), "1,2345", &v, msg, sizeof(msg)), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("max_order_notional"), "1,000_000", &v, msg, sizeof(msg)), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("max_order_notional"), "1.", &v, msg, sizeof(msg)), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("max_order_notional"), ".5", &v, msg, sizeof(msg)), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("max_order_notional"), "1e6", &v, msg, sizeof(msg)), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("MAX-ORDER-QTY"), "1,000,000", &v, msg, sizeof(msg)), TG_OK);
	CU_ASSERT_EQUAL(v, 1000000);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("max_order_qty"), "0x10", &v, msg, sizeof(msg)), TG_ERR_ARG);
	CU_ASSERT_STRING_EQUAL(msg, "0x10 is not a whole number");
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("collar_bps"), "100%", &v, msg, sizeof(msg)), TG_OK);
	CU_ASSERT_EQUAL(v, 10000);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("collar_bps"), "100.01%", &v, msg, sizeof(msg)), TG_ERR_ARG);
	CU_ASSERT_STRING_EQUAL(msg, "100.01% exceeds the field's max 10000");
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("enabled"), "TRUE", &v, msg, sizeof(msg)), TG_OK);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("enabled"), "off", &v, msg, sizeof(msg)), TG_OK);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("dup_window"), "1s", &v, msg, sizeof(msg)), TG_OK);
	CU_ASSERT_EQUAL(v, TG_CARD_CLOCK_HZ);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("dup_window"), "13.3 s", &v, msg, sizeof(msg)), TG_OK);
	CU_ASSERT_EQUAL(v, 4286132813ull);	/* 4286132812.5, up */
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("dup_window"), "2 \xc2\xb5s", &v, msg, sizeof(msg)), TG_OK);
	CU_ASSERT_EQUAL(v, 645);		/* 644.53 */
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("dup_window"), "1cycle", &v, msg, sizeof(msg)), TG_OK);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("dup_window"), "0.000000000000000000001s", &v, msg, sizeof(msg)),
			TG_ERR_ARG);
	CU_ASSERT_STRING_EQUAL(msg, "0.000000000000000000001s has more than 18 decimals");
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("dup_window"), "500m", &v, msg, sizeof(msg)), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("dup_window"), "", &v, msg, sizeof(msg)), TG_ERR_ARG);
	CU_ASSERT_STRING_EQUAL(msg, "empty value");
	CU_ASSERT_EQUAL(tg_risk_value_parse(NULL, "1", &v, msg, sizeof(msg)), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_value_parse(L("dup_window"), NULL, &v, msg, sizeof(msg)), TG_ERR_ARG);
}

/* what format writes, parse reads back exactly */
static void test_value_format(void)
{
	char text[96], msg[256];
	uint64_t v, x = 0x9e3779b97f4a7c15ull;

	tg_risk_value_format(L("max_gross"), 100000000000ull, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "10000000.0000");
	tg_risk_value_format(L("enabled"), 1, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "true");
	tg_risk_value_format(L("dup_window"), 161133, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "500us");
	tg_risk_value_format(L("dup_window"), 1, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "3ns");
	tg_risk_value_format(L("dup_window"), TG_CARD_CLOCK_HZ, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "1s");
	tg_risk_value_format(L("dup_window"), 0, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "0");
	for (unsigned i = 0; i < tg_risk_limits_count; i++) {
		const struct tg_risk_limit_info *lim = &tg_risk_limits[i];

		for (unsigned k = 0; k < 20000; k++) {
			uint64_t want = k < 10000 ? k : (x = x * 6364136223846793005ull + 1442695040888963407ull);

			if (lim->max != UINT64_MAX)
				want %= lim->max + 1;
			tg_risk_value_format(lim, want, text, sizeof(text));
			if (tg_risk_value_parse(lim, text, &v, msg, sizeof(msg)) != TG_OK || v != want) {
				CU_FAIL("format does not parse back");
				fprintf(stderr, "\n  %s %llu -> %s\n", lim->name, (unsigned long long)want, text);
				break;
			}
		}
	}
}

static void test_rate_cycles(void)
{
	uint64_t p = 0, t = 0;

	CU_ASSERT_EQUAL(tg_risk_rate_cycles(100, TG_CARD_CLOCK_HZ, 10, &p, &t), TG_OK);
	CU_ASSERT_EQUAL(p, 3222657);
	CU_ASSERT_EQUAL(t, 9 * 3222657);
	CU_ASSERT_EQUAL(tg_risk_rate_cycles(TG_CARD_CLOCK_HZ, TG_CARD_CLOCK_HZ, 1, &p, &t), TG_OK);
	CU_ASSERT_EQUAL(p, 1);
	CU_ASSERT_EQUAL(t, 0);
	CU_ASSERT_EQUAL(tg_risk_rate_cycles(UINT64_MAX, 1, 1, &p, &t), TG_OK);
	CU_ASSERT_EQUAL(p, 1);
	CU_ASSERT_EQUAL(tg_risk_rate_cycles(0, 100, 1, &p, &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_rate_cycles(1, 0, 1, &p, &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_rate_cycles(1, 100, 0, &p, &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_rate_cycles(1, 1ull << 32, 1, &p, &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_rate_cycles(1, 1ull << 31, 3, &p, &t), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_rate_cycles(1, 1ull << 31, UINT64_MAX, &p, &t), TG_ERR_ARG);
}

static void test_names_and_symbols(void)
{
	/* every field of the card has its ceiling direction decided */
	static const char *const floors[] = {"REDUCE_ONLY", "RATE_PERIOD", "DUP_WINDOW", "RATE_PERIOD_ALL",
					     "NO_REF_REJECT"};
	static const char *const ceilings[] = {"ENABLED", "MAX_ORDER_QTY", "MAX_ORDER_NOTIONAL", "COLLAR_BPS",
					       "MAX_LONG", "MAX_SHORT", "MAX_OPEN", "RATE_TOLERANCE", "MAX_GROSS",
					       "MAX_NET", "MAX_OPEN_ALL", "RATE_TOLERANCE_ALL"};

	CU_ASSERT_EQUAL(tg_risk_limits_count, TG_CUNIT_COUNT(floors) + TG_CUNIT_COUNT(ceilings));
	for (size_t i = 0; i < TG_CUNIT_COUNT(floors); i++)
		CU_ASSERT_FALSE(tg_risk_limit_looser_up(L(floors[i])));
	for (size_t i = 0; i < TG_CUNIT_COUNT(ceilings); i++)
		CU_ASSERT_TRUE(tg_risk_limit_looser_up(L(ceilings[i])));
	CU_ASSERT_EQUAL(tg_risk_limit_find("max_order_qty")->id, TG_RISK_LIM_MAX_ORDER_QTY);
	CU_ASSERT_EQUAL(tg_risk_limit_find("Max-Gross")->id, TG_RISK_LIM_MAX_GROSS);
	CU_ASSERT_PTR_NULL(tg_risk_limit_find("max_order"));
	CU_ASSERT_PTR_NULL(tg_risk_limit_find("max_order_qtyy"));
	CU_ASSERT_PTR_NULL(tg_risk_limit_find("rate"));
	CU_ASSERT_PTR_NULL(tg_risk_limit_find(NULL));
	CU_ASSERT_TRUE(tg_risk_symbol_valid("A"));
	CU_ASSERT_TRUE(tg_risk_symbol_valid("BRK.A"));
	CU_ASSERT_TRUE(tg_risk_symbol_valid("ZXZZT"));
	CU_ASSERT_TRUE(tg_risk_symbol_valid("AB C"));
	CU_ASSERT_TRUE(tg_risk_symbol_valid("12345678"));
	CU_ASSERT_FALSE(tg_risk_symbol_valid(""));
	CU_ASSERT_FALSE(tg_risk_symbol_valid("123456789"));
	CU_ASSERT_FALSE(tg_risk_symbol_valid("Aapl"));
	CU_ASSERT_FALSE(tg_risk_symbol_valid("AAPL "));
	CU_ASSERT_FALSE(tg_risk_symbol_valid("\xc3\x84"));
	CU_ASSERT_FALSE(tg_risk_symbol_valid(NULL));
	CU_ASSERT_STRING_EQUAL(tg_config_errcode_name(TG_CFG_E_DUPLICATE_KEY), "duplicate key");
}

static void test_put(void)
{
	struct tg_risk_limit_set *s = NULL;

	CU_ASSERT_EQUAL_FATAL(tg_risk_limit_set_new(&s), TG_OK);
	CU_ASSERT_EQUAL(tg_risk_limit_set_put(s, false, NULL, TG_RISK_LIM_MAX_GROSS, 5), TG_OK);
	CU_ASSERT_EQUAL(tg_risk_limit_set_put(s, false, "AAPL", TG_RISK_LIM_MAX_GROSS, 5), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_limit_set_put(s, false, NULL, TG_RISK_LIM_MAX_LONG, 5), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_limit_set_put(s, false, "aapl", TG_RISK_LIM_MAX_LONG, 5), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_limit_set_put(s, false, "AAPL", TG_RISK_LIM_COLLAR_BPS, 10001), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_limit_set_put(s, false, "AAPL", 11, 1), TG_ERR_ARG);
	CU_ASSERT_EQUAL(s->values.n_sym, 0);
	CU_ASSERT_EQUAL(tg_risk_limit_set_put(s, true, "default", TG_RISK_LIM_MAX_LONG, 5), TG_OK);
	CU_ASSERT_EQUAL(tg_risk_limit_set_put(s, false, "AAPL", TG_RISK_LIM_MAX_LONG, 7), TG_OK);
	CU_ASSERT_EQUAL(s->values.n_sym, 1);
	CU_ASSERT_EQUAL(tg_risk_table_resolve(&s->ceilings, "AAPL", TG_RISK_LIM_MAX_LONG)->value, 5);
	CU_ASSERT_EQUAL(tg_risk_limit_effective(s, "AAPL", TG_RISK_LIM_MAX_LONG), 7);
	CU_ASSERT_EQUAL(tg_risk_limit_set_put(NULL, false, NULL, TG_RISK_LIM_MAX_GROSS, 5), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_risk_limit_set_new(NULL), TG_ERR_ARG);
	tg_risk_limit_set_free(s);
	tg_risk_limit_set_free(NULL);
}

/* ---- the writer ---- */

static bool same_table(const struct tg_risk_table *a, const struct tg_risk_table *b)
{
	const struct tg_risk_scope *sa[2] = {&a->global, &a->deflt}, *sb[2] = {&b->global, &b->deflt};

	if (a->n_sym != b->n_sym)
		return false;
	for (unsigned i = 0; i < 2 + a->n_sym; i++) {
		const struct tg_risk_scope *x = i < 2 ? sa[i] : &a->sym[i - 2];
		const struct tg_risk_scope *y = i < 2 ? sb[i] : &b->sym[i - 2];

		if (strcmp(x->name, y->name) != 0)
			return false;
		for (unsigned id = 0; id < TG_RISK_LIMIT_IDS; id++)
			if (x->v[id].present != y->v[id].present || x->v[id].value != y->v[id].value)
				return false;
	}
	return true;
}

/* write s, load it back, compare */
static void round_trip(const struct tg_risk_limit_set *s, const char *name)
{
	struct tg_risk_limit_set *back = NULL;
	struct tg_config_error err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(tg_risk_limit_set_write(f, s), TG_OK);
	fclose(f);
	CU_ASSERT_EQUAL(tg_risk_config_load(path, &back, &err), TG_OK);
	if (back == NULL) {
		fprintf(stderr, "\n  %s\n", err.msg);
		return;
	}
	CU_ASSERT_TRUE(same_table(&s->values, &back->values));
	CU_ASSERT_TRUE(same_table(&s->ceilings, &back->ceilings));
	tg_risk_limit_set_free(back);
}

static void test_round_trip(void)
{
	struct tg_risk_limit_set *s = load_ok("rt-example.yaml", example), *m = NULL;
	static const char *const syms[] = {"AAPL", "BRK.A", "A-B", "X\"Y", "B\\C", "AB C", "#1", "-X", "'Q", "12"};
	uint64_t x = 1;

	if (s != NULL)
		round_trip(s, "rt-example-out.yaml");
	tg_risk_limit_set_free(s);
	/* every field at odd values, symbols that need quoting */
	CU_ASSERT_EQUAL_FATAL(tg_risk_limit_set_new(&m), TG_OK);
	for (size_t k = 0; k < TG_CUNIT_COUNT(syms) + 2; k++) {
		const char *scope = k == 0 ? NULL : k == 1 ? "default" : syms[k - 2];

		for (unsigned i = 0; i < tg_risk_limits_count; i++) {
			const struct tg_risk_limit_info *lim = &tg_risk_limits[i];
			uint64_t v;

			if ((lim->global != 0) != (scope == NULL))
				continue;
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			v = lim->max == UINT64_MAX ? x : x % (lim->max + 1);
			CU_ASSERT_EQUAL(tg_risk_limit_set_put(m, false, scope, lim->id, v), TG_OK);
		}
	}
	round_trip(m, "rt-built.yaml");
	tg_risk_limit_set_free(m);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{"the example file", test_example},
		{"units converted exactly", test_conversions},
		{"error: cannot read", test_error_io},
		{"error: YAML syntax", test_error_syntax},
		{"error: no limits", test_error_empty},
		{"error: wrong type", test_error_type},
		{"error: unknown key", test_error_unknown_key},
		{"error: duplicate key", test_error_duplicate_key},
		{"error: wrong scope", test_error_scope},
		{"error: conflicting keys", test_error_conflict},
		{"error: bad symbol", test_error_symbol},
		{"error: bad value", test_error_value},
		{"error: negative", test_error_negative},
		{"error: out of range", test_error_range},
		{"error: bad duration", test_error_duration},
		{"error: above a ceiling", test_error_ceiling},
		{"rate ceilings", test_ceiling_rates},
		{"ceilings of another file", test_ceiling_other_file},
		{"value boundaries of every field", test_value_boundaries},
		{"value forms", test_value_parse_forms},
		{"format parses back", test_value_format},
		{"rate to GCRA cycles", test_rate_cycles},
		{"names and symbols", test_names_and_symbols},
		{"sets built in memory", test_put},
		{"write and load back", test_round_trip},
	};
	return tg_cunit_run("risk config", setup, teardown, tests, TG_CUNIT_COUNT(tests));
}
