/*
 * Risk limit sets in YAML (see tickgate/risk_config.h, docs/risk-config.md).
 *
 * The file is read with libyaml's document loader, not its event parser:
 * the loader keeps every node's position for messages and resolves
 * anchors and aliases, and every scalar stays a string, so YAML 1.1's
 * guesses (`no` as false, `010` as octal, `1e3` as a float) never reach a
 * limit: each value is read by the limit's own unit. Duplicate keys, which
 * libyaml accepts silently, are refused here.
 *
 * No floating point anywhere: dollars, percentages and durations are
 * parsed as exact decimals and converted with 128-bit integers, so a value
 * converts the same way on every host and the writer's text reads back to
 * the same card units.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "tickgate/risk.h"
#include "tickgate/risk_config.h"

__extension__ typedef unsigned __int128 u128;

#define U128_MAX (~(u128)0)
#define MSG_MAX 480u
#define KEY_MAX 128u

/* snprintf for messages, where a cut is better than a failure */
static void msgf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void msgf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* ---- what the card's limit table does not say ---- */

/*
 * Per limit: whether a larger value lets more orders through (so a
 * ceiling bounds it from above) and, for a tolerance, the period of its
 * rate bucket. By name, so that a field added to hw/spec/card.yaml without
 * a line here is noticed (test_risk_config checks every field has one).
 */
static const struct limit_note {
	const char *name;
	bool looser_up;
	const char *period;	/* tolerance fields: the bucket's period */
	const char *zero;	/* what 0 means, where it is not "nothing passes" */
} notes[] = {
	{"ENABLED", true, NULL, NULL},
	{"REDUCE_ONLY", false, NULL, NULL},
	{"MAX_ORDER_QTY", true, NULL, NULL},
	{"MAX_ORDER_NOTIONAL", true, NULL, NULL},
	{"COLLAR_BPS", true, NULL, NULL},
	{"MAX_LONG", true, NULL, NULL},
	{"MAX_SHORT", true, NULL, NULL},
	{"MAX_OPEN", true, NULL, NULL},
	{"RATE_PERIOD", false, NULL, "no rate limit"},
	{"RATE_TOLERANCE", true, "RATE_PERIOD", NULL},
	{"DUP_WINDOW", false, NULL, "no duplicate check"},
	{"MAX_GROSS", true, NULL, NULL},
	{"MAX_NET", true, NULL, NULL},
	{"MAX_OPEN_ALL", true, NULL, NULL},
	{"RATE_PERIOD_ALL", false, NULL, "no rate limit"},
	{"RATE_TOLERANCE_ALL", true, "RATE_PERIOD_ALL", NULL},
	{"NO_REF_REJECT", false, NULL, NULL},
};

static const struct limit_note *note_of(const struct tg_risk_limit_info *lim)
{
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (strcmp(notes[i].name, lim->name) == 0)
			return &notes[i];
	return NULL;
}

bool tg_risk_limit_looser_up(const struct tg_risk_limit_info *lim)
{
	const struct limit_note *n = note_of(lim);

	return n == NULL || n->looser_up;
}

static const struct tg_risk_limit_info *limit_by_name(const char *name)
{
	for (unsigned i = 0; i < tg_risk_limits_count; i++)
		if (strcmp(tg_risk_limits[i].name, name) == 0)
			return &tg_risk_limits[i];
	return NULL;
}

/* the rate bucket period of a tolerance field, else NULL */
static const struct tg_risk_limit_info *period_of(const struct tg_risk_limit_info *lim)
{
	const struct limit_note *n = note_of(lim);

	return n != NULL && n->period != NULL ? limit_by_name(n->period) : NULL;
}

const struct tg_risk_limit_info *tg_risk_limit_find(const char *key)
{
	if (key == NULL)
		return NULL;
	for (unsigned i = 0; i < tg_risk_limits_count; i++) {
		const char *a = tg_risk_limits[i].name, *b = key;

		while (*a != '\0' && (toupper((unsigned char)*b) == *a || (*b == '-' && *a == '_'))) {
			a++;
			b++;
		}
		if (*a == '\0' && *b == '\0')
			return &tg_risk_limits[i];
	}
	return NULL;
}

/* the limit's name as a file key: lower case */
static const char *key_of(const struct tg_risk_limit_info *lim, char buf[KEY_MAX])
{
	size_t i;

	for (i = 0; lim->name[i] != '\0' && i + 1 < KEY_MAX; i++)
		buf[i] = (char)tolower((unsigned char)lim->name[i]);
	buf[i] = '\0';
	return buf;
}

static bool is_unit(const struct tg_risk_limit_info *lim, const char *unit)
{
	return strcmp(lim->unit, unit) == 0;
}

bool tg_risk_symbol_valid(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n < 1 || n > TG_RISK_SYMBOL_MAX || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || islower(c))
			return false;
	}
	return true;
}

/* ---- exact decimals ---- */

struct num {
	u128 mant;		/* the digits, without the point */
	unsigned dec;		/* how many of them follow the point */
	bool neg;
	bool huge;		/* more than 128 bits */
};

static u128 pow10u(unsigned n)
{
	u128 p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

/* decimal text of x */
static void u128_text(u128 x, char out[48])
{
	char tmp[48];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + (int)(x % 10));
		x /= 10;
	} while (x != 0);
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/*
 * A decimal number: optional sign, optional '$' (dollar), digits with
 * thousands separated by ',' or '_' (one kind, groups of three), optional
 * fraction. Returns what follows it, or NULL when s does not start with
 * a number.
 */
static const char *scan_number(const char *s, struct num *n, bool dollar)
{
	char sep = 0;
	unsigned run = 0, groups = 0;

	memset(n, 0, sizeof(*n));
	if (*s == '-' || *s == '+')
		n->neg = *s++ == '-';
	if (dollar && *s == '$')
		s++;
	if (!isdigit((unsigned char)*s))
		return NULL;
	for (;; s++) {
		if (isdigit((unsigned char)*s)) {
			if (n->mant > (U128_MAX - 9) / 10)
				n->huge = true;
			else
				n->mant = n->mant * 10 + (unsigned)(*s - '0');
			run++;
			continue;
		}
		if ((*s == ',' || *s == '_') && isdigit((unsigned char)s[1])) {
			if ((sep != 0 && *s != sep) || (groups == 0 ? run > 3 : run != 3))
				return NULL;
			sep = *s;
			groups++;
			run = 0;
			continue;
		}
		break;
	}
	if (groups > 0 && run != 3)
		return NULL;
	if (*s == '.') {
		if (!isdigit((unsigned char)s[1]))
			return NULL;
		for (s++; isdigit((unsigned char)*s); s++) {
			if (n->mant > (U128_MAX - 9) / 10)
				n->huge = true;
			else
				n->mant = n->mant * 10 + (unsigned)(*s - '0');
			n->dec++;
		}
	}
	return s;
}

static const char *skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* ---- the card clock ---- */

/* cycles per ns as num / den, in lowest terms */
static void clock_ratio(u128 *num, u128 *den)
{
	uint64_t a = TG_CARD_CLOCK_HZ, b = 1000000000u;

	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	*num = TG_CARD_CLOCK_HZ / a;
	*den = 1000000000u / a;
}

static const struct time_unit {
	const char *name;
	uint64_t ns;		/* 0: raw cycles */
} time_units[] = {
	{"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"ms", 1000000}, {"s", 1000000000},
	{"min", 60000000000}, {"h", 3600000000000}, {"cycles", 0}, {"cycle", 0},
};

#define UNIT_LIST "ns, us, ms, s, min, h or cycles"

/* a duration as an exact number of cycles, num / den */
struct ratio {
	u128 num, den;
};

static u128 round_div(u128 num, u128 den)
{
	return num / den + (num % den >= den - num % den ? 1 : 0);
}

/* ps in one card cycle, for messages */
static void cycle_text(char *buf, size_t len)
{
	uint64_t ps = (1000000000000u + TG_CARD_CLOCK_HZ / 2) / TG_CARD_CLOCK_HZ;

	snprintf(buf, len, "%llu.%03lluns", (unsigned long long)(ps / 1000),
		 (unsigned long long)(ps % 1000));
}

/*
 * A duration: number and unit. TG_CFG_OK, or the class of the mistake with
 * the message in msg.
 */
static int scan_duration(const char *text, struct ratio *r, char *msg, size_t len)
{
	struct num n;
	const char *unit = scan_number(text, &n, false);
	const struct time_unit *u = NULL;

	if (unit == NULL) {
		snprintf(msg, len, "%s is not a duration (like 500us)", text);
		return TG_CFG_E_DURATION;
	}
	if (n.neg) {
		snprintf(msg, len, "%s is negative", text);
		return TG_CFG_E_NEGATIVE;
	}
	unit = skip_spaces(unit);
	for (size_t i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++)
		if (strcmp(unit, time_units[i].name) == 0)
			u = &time_units[i];
	if (*unit == '\0' && n.mant == 0 && !n.huge) {
		r->num = 0;
		r->den = 1;
		return TG_CFG_OK;
	}
	if (*unit == '\0') {
		snprintf(msg, len, "%s needs a unit: " UNIT_LIST, text);
		return TG_CFG_E_DURATION;
	}
	if (u == NULL) {
		snprintf(msg, len, "%s: unknown unit \"%s\" (use " UNIT_LIST ")", text, unit);
		return TG_CFG_E_DURATION;
	}
	/* 2^90 ns is millions of years: anything larger passes every field */
	if (n.huge || n.mant > ((u128)1 << 90) / (u->ns ? u->ns : 1) || n.dec > 18) {
		if (n.dec > 18 && !n.huge) {
			snprintf(msg, len, "%s has more than 18 decimals", text);
			return TG_CFG_E_VALUE;
		}
		snprintf(msg, len, "%s is too long for any field", text);
		return TG_CFG_E_RANGE;
	}
	if (u->ns == 0) {
		if (n.dec != 0) {
			snprintf(msg, len, "%s is not a whole number of cycles", text);
			return TG_CFG_E_VALUE;
		}
		r->num = n.mant;
		r->den = 1;
		return TG_CFG_OK;
	}
	u128 cn, cd;

	clock_ratio(&cn, &cd);
	r->num = n.mant * u->ns * cn;
	r->den = pow10u(n.dec) * cd;
	if (r->num != 0 && round_div(r->num, r->den) == 0) {
		char cyc[32];

		cycle_text(cyc, sizeof(cyc));
		snprintf(msg, len, "%s is less than half a card cycle (%s)", text, cyc);
		return TG_CFG_E_DURATION;
	}
	return TG_CFG_OK;
}

/* ---- values in user units ---- */

static int format_cycles(uint64_t c, char *buf, size_t len)
{
	static const struct time_unit shown[] = {
		{"s", 1000000000}, {"ms", 1000000}, {"us", 1000}, {"ns", 1},
	};
	const struct time_unit *u = &shown[3];
	u128 cn, cd;

	if (c == 0)
		return snprintf(buf, len, "0");
	if (c > (1ull << 40))
		return snprintf(buf, len, "%llu cycles", (unsigned long long)c);
	clock_ratio(&cn, &cd);
	for (size_t i = 0; i < 4; i++) {
		if ((u128)c * cd >= (u128)shown[i].ns * cn) {
			u = &shown[i];
			break;
		}
	}
	/* the shortest decimal in that unit that converts back to c */
	for (unsigned d = 0; d <= 12; d++) {
		u128 p10 = pow10u(d);
		u128 q = round_div((u128)c * cd * p10, cn * u->ns);

		if (round_div(q * u->ns * cn, p10 * cd) != c)
			continue;
		char digits[48], out[64];
		size_t nd;

		u128_text(q, digits);
		nd = strlen(digits);
		if (d == 0) {
			snprintf(out, sizeof(out), "%s%s", digits, u->name);
		} else {
			/* at least one digit before the point */
			char padded[48];
			size_t pad = nd <= d ? d + 1 - nd : 0;

			memset(padded, '0', pad);
			memcpy(padded + pad, digits, nd + 1);
			nd += pad;
			snprintf(out, sizeof(out), "%.*s.%s%s", (int)(nd - d), padded, padded + nd - d, u->name);
		}
		return snprintf(buf, len, "%s", out);
	}
	return snprintf(buf, len, "%llu cycles", (unsigned long long)c);
}

int tg_risk_value_format(const struct tg_risk_limit_info *lim, uint64_t value, char *buf, size_t len)
{
	if (lim == NULL || buf == NULL)
		return -1;
	if (is_unit(lim, "flag") && value <= 1)
		return snprintf(buf, len, "%s", value ? "true" : "false");
	if (is_unit(lim, "notional"))
		return snprintf(buf, len, "%llu.%04llu", (unsigned long long)(value / 10000),
				(unsigned long long)(value % 10000));
	if (is_unit(lim, "cycles"))
		return format_cycles(value, buf, len);
	return snprintf(buf, len, "%llu", (unsigned long long)value);
}

/* "X exceeds the field's max M (B bits)" */
static int too_big(const struct tg_risk_limit_info *lim, const char *text, char *msg, size_t len)
{
	char max[64], bits[32] = "";

	tg_risk_value_format(lim, lim->max, max, sizeof(max));
	if (is_unit(lim, "cycles")) {
		char d[32];

		format_cycles(lim->max, d, sizeof(d));
		msgf(max, sizeof(max), "%llu cycles = %s", (unsigned long long)lim->max, d);
	}
	if (lim->bits < 64 && lim->max == (1ull << lim->bits) - 1)
		snprintf(bits, sizeof(bits), " (%u bits)", lim->bits);
	else if (lim->bits == 64 && lim->max == UINT64_MAX)
		snprintf(bits, sizeof(bits), " (64 bits)");
	snprintf(msg, len, "%s exceeds the field's max %s%s", text, max, bits);
	return TG_CFG_E_RANGE;
}

static int parse_flag(const char *text, uint64_t *out, char *msg, size_t len)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = 1;
			return TG_CFG_OK;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = 0;
			return TG_CFG_OK;
		}
	}
	snprintf(msg, len, "%s is not a flag: use true or false", text);
	return TG_CFG_E_VALUE;
}

/* the value's parser, returning the class of the mistake */
static int parse_value(const struct tg_risk_limit_info *lim, const char *text, uint64_t *out,
		       char *msg, size_t len)
{
	struct num n;
	const char *rest;
	u128 v;

	if (text[0] == '\0') {
		snprintf(msg, len, "empty value");
		return TG_CFG_E_VALUE;
	}
	if (is_unit(lim, "flag")) {
		int rc = parse_flag(text, out, msg, len);

		if (rc == TG_CFG_OK && *out > lim->max)
			return too_big(lim, text, msg, len);
		return rc;
	}
	if (is_unit(lim, "cycles")) {
		struct ratio r;
		int rc = scan_duration(text, &r, msg, len);

		if (rc == TG_CFG_E_RANGE)
			return too_big(lim, text, msg, len);
		if (rc != TG_CFG_OK)
			return rc;
		v = round_div(r.num, r.den);
		if (v > lim->max)
			return too_big(lim, text, msg, len);
		*out = (uint64_t)v;
		return TG_CFG_OK;
	}
	rest = scan_number(text, &n, is_unit(lim, "notional"));
	if (rest == NULL) {
		snprintf(msg, len, "%s is not %s", text,
			 is_unit(lim, "notional") ? "a dollar amount (like 1000000.00)" :
			 is_unit(lim, "bps") ? "a number of basis points (like 500 or 5%)" :
			 "a whole number");
		return TG_CFG_E_VALUE;
	}
	if (n.neg) {
		snprintf(msg, len, "%s is negative", text);
		return TG_CFG_E_NEGATIVE;
	}
	rest = skip_spaces(rest);
	if (is_unit(lim, "notional")) {
		if (*rest != '\0') {
			snprintf(msg, len, "%s is not a dollar amount (like 1000000.00)", text);
			return TG_CFG_E_VALUE;
		}
		if (n.dec > 4) {
			snprintf(msg, len, "%s has more than 4 decimals (notional is in 1/10000 dollar)", text);
			return TG_CFG_E_VALUE;
		}
		if (n.huge || n.mant > (u128)UINT64_MAX * 10000)
			return too_big(lim, text, msg, len);
		v = n.mant * pow10u(4 - n.dec);
	} else if (is_unit(lim, "bps") && *rest == '%') {
		if (rest[1] != '\0' || n.dec > 2) {
			snprintf(msg, len, "%s is not a percentage of whole basis points (like 0.25%%)", text);
			return TG_CFG_E_VALUE;
		}
		if (n.huge)
			return too_big(lim, text, msg, len);
		v = n.mant * pow10u(2 - n.dec);
	} else {
		if (is_unit(lim, "bps") && (strcmp(rest, "bps") == 0 || strcmp(rest, "bp") == 0))
			rest += strlen(rest);
		if (*rest != '\0' || n.dec != 0) {
			snprintf(msg, len, "%s is not a whole number%s", text,
				 is_unit(lim, "bps") ? " of basis points" : "");
			return TG_CFG_E_VALUE;
		}
		if (n.huge)
			return too_big(lim, text, msg, len);
		v = n.mant;
	}
	if (v > lim->max)
		return too_big(lim, text, msg, len);
	*out = (uint64_t)v;
	return TG_CFG_OK;
}

int tg_risk_value_parse(const struct tg_risk_limit_info *lim, const char *text, uint64_t *out,
			char *errbuf, size_t errlen)
{
	char msg[MSG_MAX], trimmed[256];
	uint64_t v;
	size_t n;

	if (lim == NULL || text == NULL || out == NULL)
		return TG_ERR_ARG;
	text = skip_spaces(text);
	n = strlen(text);
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n >= sizeof(trimmed)) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "value too long");
		return TG_ERR_ARG;
	}
	memcpy(trimmed, text, n);
	trimmed[n] = '\0';
	if (parse_value(lim, trimmed, &v, msg, sizeof(msg)) != TG_CFG_OK) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "%s", msg);
		return TG_ERR_ARG;
	}
	*out = v;
	return TG_OK;
}

/* GCRA period and tolerance of `orders` per r cycles, bursts of `burst` */
static int rate_of(struct ratio r, u128 orders, u128 burst, u128 *period, u128 *tol)
{
	if (orders == 0 || burst == 0 || r.num == 0)
		return TG_ERR_ARG;
	/* ceil(a / (b c)) = ceil(ceil(a / b) / c) */
	u128 per = r.num / r.den + (r.num % r.den != 0);

	*period = per / orders + (per % orders != 0);
	*tol = *period * (burst - 1);
	if (burst - 1 != 0 && *tol / (burst - 1) != *period)
		*tol = U128_MAX;
	return TG_OK;
}

int tg_risk_rate_cycles(uint64_t orders, uint64_t per_cycles, uint64_t burst, uint64_t *period,
			uint64_t *tolerance)
{
	u128 p, t;

	if (period == NULL || tolerance == NULL ||
	    rate_of((struct ratio){per_cycles, 1}, orders, burst, &p, &t) != TG_OK ||
	    p > UINT32_MAX || t > UINT32_MAX)
		return TG_ERR_ARG;
	*period = (uint64_t)p;
	*tolerance = (uint64_t)t;
	return TG_OK;
}

/* ---- sets ---- */

static struct tg_risk_scope *table_scope(struct tg_risk_table *t, const char *symbol)
{
	if (symbol == NULL)
		return &t->global;
	if (strcmp(symbol, "default") == 0)
		return &t->deflt;
	for (unsigned i = 0; i < t->n_sym; i++)
		if (strcmp(t->sym[i].name, symbol) == 0)
			return &t->sym[i];
	return NULL;
}

const struct tg_risk_scope *tg_risk_table_scope(const struct tg_risk_table *t, const char *symbol)
{
	return t == NULL ? NULL : table_scope((struct tg_risk_table *)t, symbol);
}

/* the symbol's scope, added when absent; NULL when out of memory */
static struct tg_risk_scope *add_scope(struct tg_risk_table *t, const char *symbol)
{
	struct tg_risk_scope *s = table_scope(t, symbol);

	if (s != NULL)
		return s;
	if (t->n_sym == t->cap_sym) {
		unsigned cap = t->cap_sym ? t->cap_sym * 2 : 16;
		struct tg_risk_scope *n = realloc(t->sym, cap * sizeof(*n));

		if (n == NULL)
			return NULL;
		t->sym = n;
		t->cap_sym = cap;
	}
	s = &t->sym[t->n_sym++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", symbol);
	return s;
}

static void init_table(struct tg_risk_table *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->deflt.name, sizeof(t->deflt.name), "default");
}

int tg_risk_limit_set_new(struct tg_risk_limit_set **out)
{
	struct tg_risk_limit_set *set;

	if (out == NULL)
		return TG_ERR_ARG;
	*out = NULL;
	set = calloc(1, sizeof(*set));
	if (set == NULL)
		return TG_ERR_NOMEM;
	init_table(&set->values);
	init_table(&set->ceilings);
	*out = set;
	return TG_OK;
}

void tg_risk_limit_set_free(struct tg_risk_limit_set *set)
{
	if (set == NULL)
		return;
	free(set->path);
	free(set->values.sym);
	free(set->ceilings.sym);
	free(set);
}

int tg_risk_limit_set_put(struct tg_risk_limit_set *set, bool ceiling, const char *scope, unsigned id,
			  uint64_t value)
{
	const struct tg_risk_limit_info *lim = tg_risk_limit_info(id);
	struct tg_risk_table *t;
	struct tg_risk_scope *s;

	if (set == NULL || lim == NULL || value > lim->max || (lim->global != 0) != (scope == NULL) ||
	    (scope != NULL && strcmp(scope, "default") != 0 && !tg_risk_symbol_valid(scope)))
		return TG_ERR_ARG;
	t = ceiling ? &set->ceilings : &set->values;
	s = add_scope(t, scope);
	if (s == NULL)
		return TG_ERR_NOMEM;
	s->v[id] = (struct tg_risk_value){.value = value, .present = true};
	return TG_OK;
}

/* the value and the scope holding it, symbol falling back to default */
static const struct tg_risk_value *resolve(const struct tg_risk_table *t, const char *symbol,
					   unsigned id, const struct tg_risk_scope **from)
{
	const struct tg_risk_limit_info *lim = tg_risk_limit_info(id);
	const struct tg_risk_scope *s = NULL;

	if (lim == NULL || t == NULL)
		return NULL;
	if (lim->global)
		s = &t->global;
	else if (symbol != NULL)
		s = tg_risk_table_scope(t, symbol);
	if (s == NULL || !s->v[id].present)
		s = lim->global ? NULL : &t->deflt;
	if (s == NULL || !s->v[id].present)
		return NULL;
	if (from != NULL)
		*from = s;
	return &s->v[id];
}

const struct tg_risk_value *tg_risk_table_resolve(const struct tg_risk_table *t, const char *symbol,
						  unsigned id)
{
	return resolve(t, symbol, id, NULL);
}

uint64_t tg_risk_limit_effective(const struct tg_risk_limit_set *set, const char *symbol, unsigned id)
{
	const struct tg_risk_value *v = set == NULL ? NULL : resolve(&set->values, symbol, id, NULL);

	return v != NULL ? v->value : 0;
}

/* ---- messages ---- */

const char *tg_config_errcode_name(int code)
{
	switch (code) {
	case TG_CFG_OK: return "ok";
	case TG_CFG_E_IO: return "cannot read";
	case TG_CFG_E_SYNTAX: return "YAML syntax";
	case TG_CFG_E_EMPTY: return "no limits";
	case TG_CFG_E_TYPE: return "wrong type";
	case TG_CFG_E_UNKNOWN_KEY: return "unknown key";
	case TG_CFG_E_DUPLICATE_KEY: return "duplicate key";
	case TG_CFG_E_SCOPE: return "wrong scope";
	case TG_CFG_E_CONFLICT: return "conflicting keys";
	case TG_CFG_E_SYMBOL: return "bad symbol";
	case TG_CFG_E_VALUE: return "bad value";
	case TG_CFG_E_NEGATIVE: return "negative";
	case TG_CFG_E_RANGE: return "out of range";
	case TG_CFG_E_DURATION: return "bad duration";
	case TG_CFG_E_CEILING: return "above the ceiling";
	case TG_CFG_E_NOMEM: return "out of memory";
	default: return "unknown error";
	}
}

/* fill err and compose its message; returns the tg_result that goes with code */
static int set_error(struct tg_config_error *err, int code, const char *file, unsigned line,
		     unsigned column, const char *key, const char *text)
{
	if (err != NULL) {
		int n;

		err->code = code;
		snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
		err->line = line;
		err->column = line ? column : 0;
		snprintf(err->key, sizeof(err->key), "%s", key ? key : "");
		if (line != 0)
			n = snprintf(err->msg, sizeof(err->msg), "%s:%u:%u: ", err->file, line, column);
		else
			n = snprintf(err->msg, sizeof(err->msg), "%s: ", err->file);
		if (n < 0 || (size_t)n >= sizeof(err->msg))
			n = 0;
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, "%s%s%s", err->key,
			 err->key[0] ? ": " : "", text);
	}
	return code == TG_CFG_E_NOMEM ? TG_ERR_NOMEM : TG_ERR_ARG;
}

static void clear_error(struct tg_config_error *err, const char *file)
{
	if (err != NULL) {
		memset(err, 0, sizeof(*err));
		snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	}
}

/* a.b, "" when a is empty; false when it did not fit */
static bool join_key(char *out, size_t len, const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), dot = na ? 1 : 0;

	if (na + dot + nb >= len) {
		out[0] = '\0';
		return false;
	}
	memcpy(out, a, na);
	out[na] = '.';
	memcpy(out + na + dot, b, nb + 1);
	return true;
}

/* ---- ceilings ---- */

struct violation {
	const struct tg_risk_limit_info *lim;	/* the field found looser */
	const struct tg_risk_value *ceiling;
	const struct tg_risk_scope *ceiling_scope;
	char text[MSG_MAX];			/* "70000 exceeds the ceiling 50000" */
};

/* "1.5" for x / 100 with trailing zeros trimmed */
static void hundredths(u128 x, char out[64])
{
	char whole[48];

	u128_text(x / 100, whole);
	if (x % 100 == 0)
		snprintf(out, 64, "%s", whole);
	else if (x % 10 == 0)
		snprintf(out, 64, "%s.%u", whole, (unsigned)(x % 100 / 10));
	else
		snprintf(out, 64, "%s.%02u", whole, (unsigned)(x % 100));
}

static void value_text(const struct tg_risk_limit_info *lim, uint64_t v, char out[96])
{
	const struct limit_note *n = note_of(lim);
	char f[64];

	tg_risk_value_format(lim, v, f, sizeof(f));
	if (v == 0 && n != NULL && n->zero != NULL)
		snprintf(out, 96, "%s (%s)", f, n->zero);
	else
		snprintf(out, 96, "%s", f);
}

/* the first field of the scope looser than its ceiling; false when none */
static bool find_violation(const struct tg_risk_table *ceil, const char *symbol, const uint64_t v[],
			   struct violation *out)
{
	for (unsigned i = 0; i < tg_risk_limits_count; i++) {
		const struct tg_risk_limit_info *lim = &tg_risk_limits[i], *per = period_of(lim);
		const struct tg_risk_scope *cs = NULL, *ps = NULL;
		const struct tg_risk_value *c, *pc;
		char have[96], may[96];

		if ((lim->global != 0) != (symbol == NULL))
			continue;
		c = resolve(ceil, symbol, lim->id, &cs);
		if (c == NULL)
			continue;
		out->lim = lim;
		out->ceiling = c;
		out->ceiling_scope = cs;
		value_text(lim, v[lim->id], have);
		value_text(lim, c->value, may);
		pc = per != NULL ? resolve(ceil, symbol, per->id, &ps) : NULL;
		if (pc != NULL && pc->value != 0) {
			/* rate buckets compare as bursts, tolerance / period + 1 orders
			 * back to back; the period is checked on its own field */
			u128 t = v[lim->id], p = v[per->id], ct = c->value, cp = pc->value;
			char b[64], cb[64], vper[64], cper[64];

			if (p == 0 || t * cp <= ct * p)
				continue;
			hundredths(t * 100 / p + 100, b);
			hundredths(ct * 100 / cp + 100, cb);
			tg_risk_value_format(per, v[per->id], vper, sizeof(vper));
			tg_risk_value_format(per, pc->value, cper, sizeof(cper));
			msgf(out->text, sizeof(out->text),
			     "%s at period %s allows a burst of %s orders, more than the ceiling's %s (%s at period %s)",
			     have, vper, b, cb, may, cper);
			return true;
		}
		if (tg_risk_limit_looser_up(lim) ? v[lim->id] <= c->value : v[lim->id] >= c->value)
			continue;
		snprintf(out->text, sizeof(out->text), "%s %s the ceiling %s", have,
			 tg_risk_limit_looser_up(lim) && !is_unit(lim, "flag") ? "exceeds" : "is looser than",
			 may);
		return true;
	}
	return false;
}

/* the key a file writes the value under */
static const char *value_key(const struct tg_risk_limit_info *lim, const struct tg_risk_value *v,
			     char buf[KEY_MAX])
{
	if (v != NULL && v->form == TG_RISK_FORM_RATE)
		return lim->global ? "rate_all" : "rate";
	return key_of(lim, buf);
}

/* "ceilings.instruments.AAPL.max_order_qty" */
static void field_key(char out[KEY_MAX], bool ceiling, const char *scope, const char *key)
{
	int n;

	if (scope == NULL || scope[0] == '\0')
		n = snprintf(out, KEY_MAX, "%sglobal.%s", ceiling ? "ceilings." : "", key);
	else
		n = snprintf(out, KEY_MAX, "%sinstruments.%s.%s", ceiling ? "ceilings." : "", scope, key);
	if (n < 0)
		out[0] = '\0';
}

/* " (ceilings.instruments.AAPL.max_order_qty at FILE:L:C)" */
static void ceiling_source(const struct tg_risk_limit_set *ceilings, const struct violation *vi,
			   const char *values_file, char *out, size_t len)
{
	char kb[KEY_MAX], key[KEY_MAX];

	field_key(key, true, vi->ceiling_scope->name, value_key(vi->lim, vi->ceiling, kb));
	if (vi->ceiling->line == 0)
		snprintf(out, len, " (%s)", key);
	else if (values_file != NULL && ceilings->path != NULL && strcmp(values_file, ceilings->path) == 0)
		snprintf(out, len, " (%s at line %u)", key, vi->ceiling->line);
	else
		snprintf(out, len, " (%s at %s:%u:%u)", key, ceilings->path ? ceilings->path : "<memory>",
			 vi->ceiling->line, vi->ceiling->column);
}

int tg_risk_ceiling_check(const struct tg_risk_limit_set *ceilings, const char *symbol,
			  const uint64_t value[TG_RISK_LIMIT_IDS], char *errbuf, size_t errlen)
{
	struct violation vi;
	char src[MSG_MAX], kb[KEY_MAX];

	if (ceilings == NULL || value == NULL ||
	    (symbol != NULL && strcmp(symbol, "default") != 0 && !tg_risk_symbol_valid(symbol)))
		return TG_ERR_ARG;
	if (!find_violation(&ceilings->ceilings, symbol, value, &vi))
		return TG_OK;
	ceiling_source(ceilings, &vi, NULL, src, sizeof(src));
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "%s: %s%s", key_of(vi.lim, kb), vi.text, src);
	return TG_ERR_PERM;
}

/* the effective values of one scope of set against the ceilings */
static int check_scope(const struct tg_risk_limit_set *set, const struct tg_risk_limit_set *ceil,
		       const char *name, struct tg_config_error *err)
{
	uint64_t v[TG_RISK_LIMIT_IDS] = {0};
	const struct tg_risk_value *src[TG_RISK_LIMIT_IDS] = {0};
	const struct tg_risk_scope *from[TG_RISK_LIMIT_IDS] = {0};
	const char *file = set->path ? set->path : "<memory>";
	char key[KEY_MAX], kb[KEY_MAX], text[MSG_MAX + 64], csrc[MSG_MAX];
	const struct tg_risk_value *s;
	struct violation vi;
	unsigned id, line = 0, col = 0;

	for (unsigned i = 0; i < tg_risk_limits_count; i++) {
		id = tg_risk_limits[i].id;
		if ((tg_risk_limits[i].global != 0) != (name == NULL))
			continue;
		src[id] = resolve(&set->values, name, id, &from[id]);
		v[id] = src[id] != NULL ? src[id]->value : 0;
	}
	if (!find_violation(&ceil->ceilings, name, v, &vi))
		return TG_OK;
	id = vi.lim->id;
	s = src[id];
	if (s != NULL) {
		field_key(key, false, from[id]->name, value_key(vi.lim, s, kb));
		line = s->line;
		col = s->column;
	} else {
		const struct tg_risk_scope *sc = tg_risk_table_scope(&set->values, name);

		field_key(key, false, name, key_of(vi.lim, kb));
		if (sc != NULL && sc->line != 0) {
			line = sc->line;
			col = sc->column;
		} else if (ceil == set) {
			/* nothing in the file to point at but the ceiling itself */
			line = vi.ceiling->line;
			col = vi.ceiling->column;
		}
	}
	ceiling_source(ceil, &vi, set->path, csrc, sizeof(csrc));
	if (name != NULL && strcmp(name, "default") != 0 && s != NULL &&
	    from[id] != tg_risk_table_scope(&set->values, name))
		msgf(text, sizeof(text), "%s for %s%s", vi.text, name, csrc);
	else
		msgf(text, sizeof(text), "%s%s%s", s == NULL ? "not set: " : "", vi.text, csrc);
	set_error(err, TG_CFG_E_CEILING, file, line, col, key, text);
	return TG_ERR_PERM;
}

int tg_risk_limit_set_check(const struct tg_risk_limit_set *set, const struct tg_risk_limit_set *ceilings,
			    struct tg_config_error *err)
{
	const struct tg_risk_limit_set *c = ceilings != NULL ? ceilings : set;
	int rc;

	if (set == NULL)
		return TG_ERR_ARG;
	clear_error(err, set->path ? set->path : "<memory>");
	if ((rc = check_scope(set, c, NULL, err)) != TG_OK ||
	    (rc = check_scope(set, c, "default", err)) != TG_OK)
		return rc;
	for (unsigned i = 0; i < set->values.n_sym; i++)
		if ((rc = check_scope(set, c, set->values.sym[i].name, err)) != TG_OK)
			return rc;
	for (unsigned i = 0; i < c->ceilings.n_sym; i++)
		if ((rc = check_scope(set, c, c->ceilings.sym[i].name, err)) != TG_OK)
			return rc;
	return TG_OK;
}

/* ---- the YAML loader ---- */

struct loader {
	const char *file;
	yaml_document_t doc;
	struct tg_risk_limit_set *set;
	struct tg_config_error *err;
};

static int fail(struct loader *L, int code, const yaml_node_t *at, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(struct loader *L, int code, const yaml_node_t *at, const char *key, const char *fmt, ...)
{
	char text[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return set_error(L->err, code, L->file, at ? (unsigned)at->start_mark.line + 1 : 0,
			 at ? (unsigned)at->start_mark.column + 1 : 0, key, text);
}

static yaml_node_t *node(struct loader *L, int index)
{
	return yaml_document_get_node(&L->doc, index);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);

	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
		strcmp(s, "NULL") == 0);
}

static const char *kind_of(const yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	return is_null(n) ? "nothing" : "a value";
}

/* a mapping whose keys are distinct names; hint ends the type message */
static int check_mapping(struct loader *L, const yaml_node_t *map, const char *key, const char *what)
{
	if (map->type != YAML_MAPPING_NODE)
		return fail(L, TG_CFG_E_TYPE, map, key, "expected %s, found %s", what, kind_of(map));
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(L, p->key);

		if (k->type != YAML_SCALAR_NODE)
			return fail(L, TG_CFG_E_TYPE, k, key, "keys are names, found %s", kind_of(k));
		if (strlen(scalar(k)) != k->data.scalar.length)
			return fail(L, TG_CFG_E_TYPE, k, key, "a key holds a NUL character");
		for (const yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
			const yaml_node_t *k0 = node(L, q->key);
			char kp[KEY_MAX];

			if (k0->type != YAML_SCALAR_NODE || strcmp(scalar(k0), scalar(k)) != 0)
				continue;
			join_key(kp, sizeof(kp), key, scalar(k));
			return fail(L, TG_CFG_E_DUPLICATE_KEY, k, kp, "duplicate key (first at line %u, column %u)",
				    (unsigned)k0->start_mark.line + 1, (unsigned)k0->start_mark.column + 1);
		}
	}
	return TG_OK;
}

/* Levenshtein distance, for "did you mean" */
static unsigned distance(const char *a, const char *b)
{
	unsigned row[KEY_MAX + 1];
	size_t na = strlen(a), nb = strlen(b);

	if (na > KEY_MAX || nb > KEY_MAX)
		return ~0u;
	for (size_t j = 0; j <= nb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= na; i++) {
		unsigned diag = row[0];

		row[0] = (unsigned)i;
		for (size_t j = 1; j <= nb; j++) {
			unsigned up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[nb];
}

/* an unknown key: the known ones of its place, the closest suggested */
static int unknown_key(struct loader *L, const yaml_node_t *k, const char *key, const char *const *known,
		       size_t n_known)
{
	const char *best = NULL;
	unsigned bd = 3;
	char list[MSG_MAX] = "";
	size_t used = 0;

	if (strcmp(scalar(k), "<<") == 0)
		return fail(L, TG_CFG_E_UNKNOWN_KEY, k, key,
			    "unknown key: merge keys (<<) are not supported; put shared limits in default");
	for (size_t i = 0; i < n_known; i++) {
		unsigned d = distance(scalar(k), known[i]);
		int w;

		if (d < bd) {
			bd = d;
			best = known[i];
		}
		w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", known[i]);
		if (w > 0 && used + (size_t)w < sizeof(list))
			used += (size_t)w;
	}
	if (best != NULL)
		return fail(L, TG_CFG_E_UNKNOWN_KEY, k, key, "unknown key (did you mean %s?)", best);
	return fail(L, TG_CFG_E_UNKNOWN_KEY, k, key, "unknown key (expected %s)", list);
}

/* a scalar that is not null, or a type error */
static int need_value(struct loader *L, const yaml_node_t *v, const char *key)
{
	if (v->type != YAML_SCALAR_NODE || is_null(v))
		return fail(L, TG_CFG_E_TYPE, v, key, "expected a value, found %s", kind_of(v));
	if (strlen(scalar(v)) != v->data.scalar.length)
		return fail(L, TG_CFG_E_VALUE, v, key, "the value holds a NUL character");
	return TG_OK;
}

/* a whole number of at least 1, for rate: orders and burst */
static int whole_at_least_1(struct loader *L, const yaml_node_t *v, const char *key, const char *why0,
			    u128 *out)
{
	static const struct tg_risk_limit_info count = {"COUNT", 0, 0, 64, UINT64_MAX, "orders", ""};
	char msg[MSG_MAX];
	uint64_t x;
	int rc = need_value(L, v, key);

	if (rc != TG_OK)
		return rc;
	rc = parse_value(&count, scalar(v), &x, msg, sizeof(msg));
	if (rc != TG_CFG_OK)
		return fail(L, rc, v, key, "%s", msg);
	if (x == 0)
		return fail(L, TG_CFG_E_VALUE, v, key, "%s", why0);
	*out = x;
	return TG_OK;
}

static void put(struct tg_risk_scope *s, unsigned id, uint64_t value, uint8_t form, const yaml_node_t *at)
{
	s->v[id] = (struct tg_risk_value){
		.value = value, .present = true, .form = form,
		.line = (unsigned)at->start_mark.line + 1, .column = (unsigned)at->start_mark.column + 1,
	};
}

/* two keys of one scope set one field: `written` (the later) and what set `was` */
static int conflict(struct loader *L, const yaml_node_t *at, const char *key, const char *written,
		    const struct tg_risk_limit_info *lim, const struct tg_risk_value *was)
{
	char kb[KEY_MAX], wb[KEY_MAX];

	if (strcmp(written, key_of(lim, kb)) == 0)
		return fail(L, TG_CFG_E_CONFLICT, at, key, "%s is already set by %s at line %u", written,
			    value_key(lim, was, wb), was->line);
	return fail(L, TG_CFG_E_CONFLICT, at, key, "%s sets %s, already set at line %u", written, kb, was->line);
}

/* rate: {orders: N, per: DURATION, burst: B} or rate: off */
static int load_rate(struct loader *L, const yaml_node_t *v, struct tg_risk_scope *s, bool global,
		     const char *key)
{
	static const char *const known[] = {"orders", "per", "burst"};
	const struct tg_risk_limit_info *per_lim = tg_risk_limit_info(global ? TG_RISK_LIM_RATE_PERIOD_ALL :
								       TG_RISK_LIM_RATE_PERIOD);
	const struct tg_risk_limit_info *tol_lim = tg_risk_limit_info(global ? TG_RISK_LIM_RATE_TOLERANCE_ALL :
								       TG_RISK_LIM_RATE_TOLERANCE);
	struct ratio per = {TG_CARD_CLOCK_HZ, 1};
	u128 orders = 0, burst = 1, period, tol;
	const yaml_node_t *burst_at = v;
	char burst_key[KEY_MAX];
	int rc;

	if (s->v[per_lim->id].present)
		return conflict(L, v, key, global ? "rate_all" : "rate", per_lim, &s->v[per_lim->id]);
	if (s->v[tol_lim->id].present)
		return conflict(L, v, key, global ? "rate_all" : "rate", tol_lim, &s->v[tol_lim->id]);
	if (v->type == YAML_SCALAR_NODE && strcmp(scalar(v), "off") == 0) {
		put(s, per_lim->id, 0, TG_RISK_FORM_RATE, v);
		put(s, tol_lim->id, 0, TG_RISK_FORM_RATE, v);
		return TG_OK;
	}
	if ((rc = check_mapping(L, v, key, "{orders: N, per: DURATION, burst: B} or off")) != TG_OK)
		return rc;
	for (const yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(L, p->key), *x = node(L, p->value);
		char kp[KEY_MAX], msg[MSG_MAX];

		join_key(kp, sizeof(kp), key, scalar(k));
		if (strcmp(scalar(k), "orders") == 0) {
			rc = whole_at_least_1(L, x, kp, "orders must be 1 or more (rate: off for no rate limit)",
					      &orders);
		} else if (strcmp(scalar(k), "burst") == 0) {
			rc = whole_at_least_1(L, x, kp, "burst must be 1 or more (1: no burst)", &burst);
			burst_at = x;
			join_key(burst_key, sizeof(burst_key), key, "burst");
		} else if (strcmp(scalar(k), "per") == 0) {
			if ((rc = need_value(L, x, kp)) != TG_OK)
				return rc;
			rc = scan_duration(scalar(x), &per, msg, sizeof(msg));
			if (rc != TG_CFG_OK)
				return fail(L, rc, x, kp, "%s", msg);
			if (per.num == 0)
				return fail(L, TG_CFG_E_VALUE, x, kp, "per must be longer than 0");
		} else {
			rc = unknown_key(L, k, kp, known, 3);
		}
		if (rc != TG_OK)
			return rc;
	}
	if (orders == 0)
		return fail(L, TG_CFG_E_VALUE, v, key, "orders is missing ({orders: N, per: DURATION, burst: B})");
	if (rate_of(per, orders, burst, &period, &tol) != TG_OK)
		return fail(L, TG_CFG_E_VALUE, v, key, "not a rate");
	if (period > per_lim->max) {
		char max[64];

		tg_risk_value_format(per_lim, per_lim->max, max, sizeof(max));
		return fail(L, TG_CFG_E_RANGE, v, key,
			    "the period of one order passes the field's max %llu cycles (%s)",
			    (unsigned long long)per_lim->max, max);
	}
	if (tol > tol_lim->max) {
		char max[64];

		tg_risk_value_format(tol_lim, tol_lim->max, max, sizeof(max));
		return fail(L, TG_CFG_E_RANGE, burst_at, burst_at == v ? key : burst_key,
			    "the burst tolerance, (burst - 1) x period, passes the field's max %llu cycles (%s)",
			    (unsigned long long)tol_lim->max, max);
	}
	put(s, per_lim->id, (uint64_t)period, TG_RISK_FORM_RATE, v);
	put(s, tol_lim->id, (uint64_t)tol, TG_RISK_FORM_RATE, v);
	return TG_OK;
}

/* the limits of one scope: global (global true) or an instrument's */
static int load_scope(struct loader *L, const yaml_node_t *map, struct tg_risk_scope *s, bool global,
		      const char *key)
{
	const char *known[TG_RISK_LIMIT_IDS + 1];
	char names[TG_RISK_LIMIT_IDS][KEY_MAX];
	size_t n_known = 0;
	int rc;

	for (unsigned i = 0; i < tg_risk_limits_count && n_known < TG_RISK_LIMIT_IDS; i++)
		if ((tg_risk_limits[i].global != 0) == global)
		{
			known[n_known] = key_of(&tg_risk_limits[i], names[n_known]);
			n_known++;
		}
	known[n_known++] = global ? "rate_all" : "rate";
	if (map->type != YAML_MAPPING_NODE && !global)
		return fail(L, TG_CFG_E_TYPE, map, key,
			    "expected a mapping of limits, found %s ({} for an instrument that takes every default)",
			    kind_of(map));
	if ((rc = check_mapping(L, map, key, "a mapping of limits")) != TG_OK)
		return rc;
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
		const struct tg_risk_limit_info *lim = NULL;
		char kp[KEY_MAX], kb[KEY_MAX], msg[MSG_MAX];
		uint64_t x;

		join_key(kp, sizeof(kp), key, scalar(k));
		if (strcmp(scalar(k), global ? "rate_all" : "rate") == 0) {
			if ((rc = load_rate(L, v, s, global, kp)) != TG_OK)
				return rc;
			continue;
		}
		for (unsigned i = 0; i < tg_risk_limits_count; i++)
			if (strcmp(key_of(&tg_risk_limits[i], kb), scalar(k)) == 0)
				lim = &tg_risk_limits[i];
		if (lim == NULL && strcmp(scalar(k), global ? "rate" : "rate_all") == 0)
			return fail(L, TG_CFG_E_SCOPE, k, kp, global ?
				    "rate is an instrument's order rate: the global one is rate_all" :
				    "rate_all is the global order rate: set it under global (an instrument's is rate)");
		if (lim == NULL && tg_risk_limit_find(scalar(k)) != NULL)
			return fail(L, TG_CFG_E_UNKNOWN_KEY, k, kp, "unknown key: limit names are lower case (%s)",
				    key_of(tg_risk_limit_find(scalar(k)), kb));
		if (lim == NULL)
			return unknown_key(L, k, kp, known, n_known);
		if ((lim->global != 0) != global)
			return fail(L, TG_CFG_E_SCOPE, k, kp, global ?
				    "%s is an instrument limit: set it under instruments.default or instruments.SYMBOL" :
				    "%s is a global limit: set it under global", scalar(k));
		if (s->v[lim->id].present)
			return conflict(L, k, kp, scalar(k), lim, &s->v[lim->id]);
		if ((rc = need_value(L, v, kp)) != TG_OK)
			return rc;
		rc = parse_value(lim, scalar(v), &x, msg, sizeof(msg));
		if (rc != TG_CFG_OK)
			return fail(L, rc, v, kp, "%s", msg);
		put(s, lim->id, x, TG_RISK_FORM_KEY, v);
	}
	return TG_OK;
}

/* why s is not a symbol */
static const char *symbol_problem(const char *s)
{
	size_t n = strlen(s);

	if (strcasecmp(s, "default") == 0)
		return "is not a symbol (the entry for every other symbol is spelled default)";
	if (n > TG_RISK_SYMBOL_MAX)
		return "is not a symbol: at most 8 characters";
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return "is not a symbol: empty, or space at either end";
	for (size_t i = 0; i < n; i++) {
		if (islower((unsigned char)s[i]))
			return "is not a symbol: symbols are upper case";
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return "is not a symbol: letters, digits and punctuation only";
	}
	return NULL;
}

static int load_instruments(struct loader *L, const yaml_node_t *map, struct tg_risk_table *t, const char *key)
{
	int rc = check_mapping(L, map, key, "a mapping of symbols (and default)");

	if (rc != TG_OK)
		return rc;
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
		const char *why = strcmp(scalar(k), "default") == 0 ? NULL : symbol_problem(scalar(k));
		struct tg_risk_scope *s;
		char kp[KEY_MAX];

		join_key(kp, sizeof(kp), key, scalar(k));
		if (why != NULL)
			return fail(L, TG_CFG_E_SYMBOL, k, kp, "%s %s", scalar(k), why);
		s = add_scope(t, scalar(k));
		if (s == NULL)
			return fail(L, TG_CFG_E_NOMEM, k, kp, "out of memory");
		s->line = (unsigned)k->start_mark.line + 1;
		s->column = (unsigned)k->start_mark.column + 1;
		if ((rc = load_scope(L, v, s, false, kp)) != TG_OK)
			return rc;
	}
	return TG_OK;
}

/* global: and instruments: (under the top, or under ceilings:) */
static int load_table(struct loader *L, const yaml_node_pair_t *p, struct tg_risk_table *t, const char *prefix,
		      bool *handled)
{
	const yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
	char kp[KEY_MAX];

	join_key(kp, sizeof(kp), prefix, scalar(k));
	*handled = true;
	if (strcmp(scalar(k), "global") == 0) {
		t->global.line = (unsigned)k->start_mark.line + 1;
		t->global.column = (unsigned)k->start_mark.column + 1;
		return load_scope(L, v, &t->global, true, kp);
	}
	if (strcmp(scalar(k), "instruments") == 0)
		return load_instruments(L, v, t, kp);
	*handled = false;
	return TG_OK;
}

static int load_root(struct loader *L, const yaml_node_t *root)
{
	static const char *const top[] = {"version", "ceilings", "global", "instruments"};
	static const char *const sub[] = {"global", "instruments"};
	int rc = check_mapping(L, root, "", "a mapping of version, ceilings, global and instruments");

	if (rc != TG_OK)
		return rc;
	for (const yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
		const char *name = scalar(k);
		bool handled;

		if ((rc = load_table(L, p, &L->set->values, "", &handled)) != TG_OK)
			return rc;
		if (handled)
			continue;
		if (strcmp(name, "version") == 0) {
			if ((rc = need_value(L, v, name)) != TG_OK)
				return rc;
			if (strcmp(scalar(v), "1") != 0)
				return fail(L, TG_CFG_E_VALUE, v, name, "version %s is not one this build reads (1)",
					    scalar(v));
			continue;
		}
		if (strcmp(name, "ceilings") == 0) {
			if ((rc = check_mapping(L, v, name, "a mapping of global and instruments")) != TG_OK)
				return rc;
			for (const yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
				char kp[KEY_MAX];

				if ((rc = load_table(L, q, &L->set->ceilings, name, &handled)) != TG_OK)
					return rc;
				join_key(kp, sizeof(kp), name, scalar(node(L, q->key)));
				if (!handled)
					return unknown_key(L, node(L, q->key), kp, sub, 2);
			}
			continue;
		}
		if (tg_risk_limit_find(name) != NULL)
			return fail(L, TG_CFG_E_UNKNOWN_KEY, k, name,
				    "unknown key: limits go under global or instruments");
		if (tg_risk_symbol_valid(name) && strlen(name) > 1 && distance(name, "global") > 2)
			return fail(L, TG_CFG_E_UNKNOWN_KEY, k, name,
				    "unknown key: instruments go under instruments");
		return unknown_key(L, k, name, top, 4);
	}
	return TG_OK;
}

static bool scope_any(const struct tg_risk_scope *s)
{
	for (unsigned i = 0; i < TG_RISK_LIMIT_IDS; i++)
		if (s->v[i].present)
			return true;
	return false;
}

static bool table_any(const struct tg_risk_table *t)
{
	if (scope_any(&t->global) || scope_any(&t->deflt))
		return true;
	for (unsigned i = 0; i < t->n_sym; i++)
		if (scope_any(&t->sym[i]))
			return true;
	return false;
}

static int syntax_error(struct loader *L, const yaml_parser_t *p)
{
	char text[MSG_MAX];

	if (p->error == YAML_MEMORY_ERROR)
		return set_error(L->err, TG_CFG_E_NOMEM, L->file, 0, 0, "", "out of memory");
	if (p->context != NULL)
		snprintf(text, sizeof(text), "YAML syntax: %s (%s at line %u)", p->problem ? p->problem : "error",
			 p->context, (unsigned)p->context_mark.line + 1);
	else
		snprintf(text, sizeof(text), "YAML syntax: %s", p->problem ? p->problem : "error");
	return set_error(L->err, TG_CFG_E_SYNTAX, L->file, (unsigned)p->problem_mark.line + 1,
			 (unsigned)p->problem_mark.column + 1, "", text);
}

int tg_risk_config_parse(const char *name, const char *text, size_t len, struct tg_risk_limit_set **out,
			 struct tg_config_error *err)
{
	struct loader L = {.file = name ? name : "<memory>", .err = err};
	yaml_parser_t parser;
	yaml_document_t next;
	yaml_node_t *root;
	int rc;

	if (out != NULL)
		*out = NULL;
	clear_error(err, L.file);
	if (out == NULL || (text == NULL && len > 0))
		return TG_ERR_ARG;
	if (!yaml_parser_initialize(&parser))
		return set_error(err, TG_CFG_E_NOMEM, L.file, 0, 0, "", "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)(text ? text : ""), len);
	if (!yaml_parser_load(&parser, &L.doc)) {
		rc = syntax_error(&L, &parser);
		yaml_parser_delete(&parser);
		return rc;
	}
	root = yaml_document_get_root_node(&L.doc);
	if (root != NULL) {
		if (!yaml_parser_load(&parser, &next)) {
			rc = syntax_error(&L, &parser);
			goto out_doc;
		}
		if (yaml_document_get_root_node(&next) != NULL) {
			rc = set_error(err, TG_CFG_E_SYNTAX, L.file, (unsigned)next.start_mark.line + 1,
				       (unsigned)next.start_mark.column + 1, "",
				       "a second YAML document: a limit file holds one");
			yaml_document_delete(&next);
			goto out_doc;
		}
		yaml_document_delete(&next);
	}
	if ((rc = tg_risk_limit_set_new(&L.set)) != TG_OK) {
		rc = set_error(err, TG_CFG_E_NOMEM, L.file, 0, 0, "", "out of memory");
		goto out_doc;
	}
	L.set->path = strdup(L.file);
	if (L.set->path == NULL) {
		rc = set_error(err, TG_CFG_E_NOMEM, L.file, 0, 0, "", "out of memory");
		goto out_set;
	}
	if (root != NULL && (rc = load_root(&L, root)) != TG_OK)
		goto out_set;
	if (!table_any(&L.set->values)) {
		rc = set_error(err, TG_CFG_E_EMPTY, L.file, 0, 0, "",
			       "no limits: the file sets no global or instrument limit (loaded, it would block every order)");
		goto out_set;
	}
	if (tg_risk_limit_set_check(L.set, NULL, err) != TG_OK) {
		rc = TG_ERR_ARG;
		goto out_set;
	}
	*out = L.set;
	L.set = NULL;
	rc = TG_OK;
out_set:
	tg_risk_limit_set_free(L.set);
out_doc:
	yaml_document_delete(&L.doc);
	yaml_parser_delete(&parser);
	return rc;
}

int tg_risk_config_load(const char *path, struct tg_risk_limit_set **out, struct tg_config_error *err)
{
	char *buf = NULL, text[MSG_MAX];
	struct stat st;
	size_t got = 0;
	int fd, rc, e;

	if (out != NULL)
		*out = NULL;
	clear_error(err, path);
	if (path == NULL || out == NULL)
		return TG_ERR_ARG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		goto sys;
	if (fstat(fd, &st) != 0)
		goto sys_fd;
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)TG_RISK_CONFIG_BYTES_MAX) {
		close(fd);
		set_error(err, TG_CFG_E_IO, path, 0, 0, "",
			  S_ISREG(st.st_mode) ? "cannot read: larger than 16 MiB" : "cannot read: not a regular file");
		return TG_ERR_ARG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return set_error(err, TG_CFG_E_NOMEM, path, 0, 0, "", "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto sys_fd;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	rc = tg_risk_config_parse(path, buf, got, out, err);
	free(buf);
	return rc;
sys_fd:
	e = errno;
	close(fd);
	errno = e;
sys:
	e = errno;
	free(buf);
	snprintf(text, sizeof(text), "cannot read: %s", strerror(e));
	set_error(err, TG_CFG_E_IO, path, 0, 0, "", text);
	errno = e;
	return e == ENOENT || e == ENOTDIR ? TG_ERR_NOENT : e == EACCES || e == EPERM ? TG_ERR_PERM : TG_ERR_SYS;
}

/* ---- the writer ---- */

/* a symbol as a YAML key: plain when safe, else double-quoted */
static void put_symbol(FILE *f, const char *s)
{
	bool plain = isalnum((unsigned char)s[0]);

	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '.')
			plain = false;
	if (plain) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (const char *c = s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', f);
		fputc(*c, f);
	}
	fputc('"', f);
}

static void write_scope(FILE *f, const struct tg_risk_scope *s, const char *indent)
{
	for (unsigned i = 0; i < tg_risk_limits_count; i++) {
		const struct tg_risk_limit_info *lim = &tg_risk_limits[i];
		const struct tg_risk_value *v = &s->v[lim->id];
		char kb[KEY_MAX], text[96];

		if (!v->present)
			continue;
		tg_risk_value_format(lim, v->value, text, sizeof(text));
		fprintf(f, "%s%s: %s", indent, key_of(lim, kb), text);
		if (is_unit(lim, "cycles") && v->value != 0)
			fprintf(f, "   # %llu cycles", (unsigned long long)v->value);
		fputc('\n', f);
	}
}

static void write_table(FILE *f, const struct tg_risk_table *t, const char *indent)
{
	char in2[32], in4[32];

	snprintf(in2, sizeof(in2), "%s  ", indent);
	snprintf(in4, sizeof(in4), "%s    ", indent);
	if (scope_any(&t->global)) {
		fprintf(f, "%sglobal:\n", indent);
		write_scope(f, &t->global, in2);
	}
	if (!scope_any(&t->deflt) && t->n_sym == 0)
		return;
	fprintf(f, "%sinstruments:\n", indent);
	if (scope_any(&t->deflt)) {
		fprintf(f, "%sdefault:\n", in2);
		write_scope(f, &t->deflt, in4);
	}
	for (unsigned i = 0; i < t->n_sym; i++) {
		fputs(in2, f);
		put_symbol(f, t->sym[i].name);
		fputs(scope_any(&t->sym[i]) ? ":\n" : ": {}\n", f);
		write_scope(f, &t->sym[i], in4);
	}
}

int tg_risk_limit_set_write(FILE *f, const struct tg_risk_limit_set *set)
{
	if (f == NULL || set == NULL)
		return TG_ERR_ARG;
	fprintf(f, "# tickgate risk limits (docs/risk-config.md); durations at %u Hz\n", TG_CARD_CLOCK_HZ);
	fprintf(f, "version: %u\n", TG_RISK_CONFIG_VERSION);
	if (table_any(&set->ceilings)) {
		fputs("ceilings:\n", f);
		write_table(f, &set->ceilings, "  ");
	}
	write_table(f, &set->values, "");
	fflush(f);
	return ferror(f) ? TG_ERR_SYS : TG_OK;
}
