/*
 * Risk limit sets: the YAML files a risk officer writes and
 * `tickgate risk load FILE` applies in one commit, the value syntax that
 * `tickgate risk set SYMBOL KEY=VALUE` shares with them, the ceilings no
 * change may pass, and a writer so that `risk show` output loads back.
 * docs/risk-config.md is the user's statement of the format.
 *
 *   struct tg_risk_limit_set *set;
 *   struct tg_config_error err;
 *   if (tg_risk_config_load("limits.yaml", &set, &err) != TG_OK)
 *           fprintf(stderr, "%s\n", err.msg);   // nothing to apply
 *   uint64_t v = tg_risk_limit_effective(set, "AAPL", TG_RISK_LIM_MAX_LONG);
 *   tg_risk_limit_set_free(set);
 *
 * Values are held in card units (tickgate/card_regs.h: tg_risk_limits[]):
 * shares, orders and basis points as they are, notional in 1/10000 dollar
 * (shares x an ITCH/OUCH price), durations in card clock cycles
 * (TG_CARD_CLOCK_HZ). A file is a complete statement: every limit of
 * every instrument takes the symbol's value, else the `default` entry's,
 * else 0, which is what a fresh card holds (docs/risk.md).
 *
 * A file that fails any check gives no set at all: the caller has nothing
 * to apply.
 */
#ifndef TICKGATE_RISK_CONFIG_H
#define TICKGATE_RISK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tickgate/card_regs.h"
#include "tickgate/result.h"

#define TG_RISK_SYMBOL_MAX 8u		/* characters in a symbol */
#define TG_RISK_CONFIG_VERSION 1u	/* the `version:` a file may state */
#define TG_RISK_CONFIG_BYTES_MAX (16u << 20)	/* largest file read */

/* What went wrong in a configuration file, one class per kind of mistake. */
enum tg_config_errcode {
	TG_CFG_OK = 0,
	TG_CFG_E_IO,		/* the file could not be read */
	TG_CFG_E_SYNTAX,	/* not YAML, or more than one document */
	TG_CFG_E_EMPTY,		/* no limits at all (it would block every order) */
	TG_CFG_E_TYPE,		/* a mapping where a value belongs, a value where a mapping does, a null */
	TG_CFG_E_UNKNOWN_KEY,
	TG_CFG_E_DUPLICATE_KEY,
	TG_CFG_E_SCOPE,		/* a global limit among an instrument's, or the reverse */
	TG_CFG_E_CONFLICT,	/* two keys set one field (rate and rate_period) */
	TG_CFG_E_SYMBOL,	/* not a symbol: 1-8 upper-case letters, digits, punctuation */
	TG_CFG_E_VALUE,		/* not a value of the limit's unit */
	TG_CFG_E_NEGATIVE,	/* a negative number */
	TG_CFG_E_RANGE,		/* above the field's max or width, or beyond 64 bits */
	TG_CFG_E_DURATION,	/* a duration without a unit, with an unknown one, or under a cycle */
	TG_CFG_E_CEILING,	/* looser than a ceiling */
	TG_CFG_E_NOMEM,
};

struct tg_config_error {
	int code;		/* enum tg_config_errcode */
	char file[256];		/* the file as named by the caller */
	unsigned line, column;	/* from 1; 0 when the error has no place in the file */
	char key[128];		/* dotted key, "instruments.AAPL.max_order_qty"; "" when none */
	char msg[640];		/* "file:line:column: key: what", ready to print */
};

/* Short name of an error class ("unknown key"). */
TG_API const char *tg_config_errcode_name(int code);

/* How a value was written in the file. */
enum tg_risk_value_form {
	TG_RISK_FORM_KEY = 0,	/* under the limit's own key */
	TG_RISK_FORM_RATE,	/* by `rate:` / `rate_all:` (period and tolerance) */
};

/* One limit's value in one scope. */
struct tg_risk_value {
	uint64_t value;		/* card units */
	bool present;
	uint8_t form;		/* enum tg_risk_value_form */
	unsigned line, column;	/* where the file wrote it, from 1; 0 when built in memory */
};

/* The limits of one scope: the global ones, `default`, or one symbol. */
struct tg_risk_scope {
	char name[TG_RISK_SYMBOL_MAX + 1];	/* the symbol, "default", or "" for global */
	unsigned line, column;			/* the scope's key in the file; 0 when none */
	struct tg_risk_value v[TG_RISK_LIMIT_IDS];	/* by limit id (enum tg_risk_limit) */
};

/* Values, or ceilings: global, default and per-symbol scopes. */
struct tg_risk_table {
	struct tg_risk_scope global;
	struct tg_risk_scope deflt;	/* instruments.default */
	struct tg_risk_scope *sym;	/* instruments.SYMBOL, in file order */
	unsigned n_sym;
	unsigned cap_sym;		/* allocated entries of sym (library use) */
};

struct tg_risk_limit_set {
	char *path;			/* the file it came from; NULL when built in memory */
	struct tg_risk_table values;	/* global: and instruments: */
	struct tg_risk_table ceilings;	/* ceilings: the loosest each limit may be */
};

/*
 * Read and check a limit file. On success *out is a new set (free it
 * with tg_risk_limit_set_free). On failure *out is NULL, err (when not
 * NULL) says where and why, and the result is TG_ERR_ARG (the file is
 * wrong), TG_ERR_NOENT / TG_ERR_PERM / TG_ERR_SYS (it could not be read)
 * or TG_ERR_NOMEM. The file's own ceilings are checked against its values.
 */
TG_API TG_MUST_CHECK int tg_risk_config_load(const char *path, struct tg_risk_limit_set **out,
					     struct tg_config_error *err);

/* The same for text in memory; name is what messages call it. */
TG_API TG_MUST_CHECK int tg_risk_config_parse(const char *name, const char *text, size_t len,
					      struct tg_risk_limit_set **out, struct tg_config_error *err);

/* An empty set, to fill with tg_risk_limit_set_put (e.g. from a card). */
TG_API TG_MUST_CHECK int tg_risk_limit_set_new(struct tg_risk_limit_set **out);

/*
 * Put a value (card units) into the values or the ceilings of a set:
 * scope NULL for a global limit, "default", or a symbol for an instrument
 * limit. TG_ERR_ARG (nothing changed) for an unknown id, a value above
 * the field's max, a bad symbol or a scope that does not fit the limit.
 */
TG_API TG_MUST_CHECK int tg_risk_limit_set_put(struct tg_risk_limit_set *set, bool ceiling,
					       const char *scope, unsigned id, uint64_t value);

TG_API void tg_risk_limit_set_free(struct tg_risk_limit_set *set);

/*
 * Write a set as a limit file that tg_risk_config_load reads back to the
 * same values and ceilings: present values only, limits in id order,
 * durations as the shortest text that converts back to the same cycles
 * (with the cycles in a comment). TG_ERR_SYS when writing failed.
 */
TG_API TG_MUST_CHECK int tg_risk_limit_set_write(FILE *f, const struct tg_risk_limit_set *set);

/* A limit by name, case-insensitive, '-' for '_' allowed ("max-order-qty"); NULL when none. */
TG_API const struct tg_risk_limit_info *tg_risk_limit_find(const char *key);

/* Whether a larger value of the limit lets more orders through (its
 * ceiling is a maximum), or fewer (RATE_PERIOD, DUP_WINDOW, REDUCE_ONLY,
 * NO_REF_REJECT: its ceiling is a minimum). */
TG_API bool tg_risk_limit_looser_up(const struct tg_risk_limit_info *lim);

/* 1-8 characters: upper-case letters, digits, ASCII punctuation, inner spaces. */
TG_API bool tg_risk_symbol_valid(const char *symbol);

/*
 * Parse a value written in the limit's user unit into card units:
 *   flag      true/false (also yes/no, on/off, 1/0)
 *   shares, orders   whole numbers, thousands separated by ',' or '_' if at all
 *   notional  dollars, at most 4 decimals, optional '$' ("1,000,000.50")
 *   bps       whole basis points, "500bps", or a percentage "5%", "0.25%"
 *   cycles    a duration, "500us" (ns, us, ms, s, min, h; rounded to the
 *             nearest cycle), or raw "161133 cycles"; 0 needs no unit
 * TG_ERR_ARG with a message in errbuf ("70000 exceeds the field's max
 * 65535 (16 bits)") when the text is not a valid value of the field.
 */
TG_API TG_MUST_CHECK int tg_risk_value_parse(const struct tg_risk_limit_info *lim, const char *text,
					     uint64_t *out, char *errbuf, size_t errlen);

/* The value in the limit's user unit, as tg_risk_value_parse reads it
 * back exactly: "true", "1000", "1000000.0000", "500us". Returns the
 * length written, as snprintf. */
TG_API int tg_risk_value_format(const struct tg_risk_limit_info *lim, uint64_t value, char *buf,
				size_t len);

/*
 * GCRA parameters of an order rate: `orders` per `per_cycles` cycles with
 * bursts of up to `burst` orders back to back. period = per / orders,
 * rounded up (never faster than stated); tolerance = (burst - 1) x period.
 * TG_ERR_ARG when orders, per or burst is 0 or a result passes 32 bits.
 */
TG_API TG_MUST_CHECK int tg_risk_rate_cycles(uint64_t orders, uint64_t per_cycles, uint64_t burst,
					     uint64_t *period, uint64_t *tolerance);

/* The value scope "symbol" (NULL: global, "default", or a symbol) holds in
 * table t, falling back from the symbol to default; NULL when neither has it. */
TG_API const struct tg_risk_value *tg_risk_table_resolve(const struct tg_risk_table *t,
							 const char *symbol, unsigned id);

/* The scope itself (NULL: global; "default"; a symbol), NULL when absent. */
TG_API const struct tg_risk_scope *tg_risk_table_scope(const struct tg_risk_table *t,
						       const char *symbol);

/* The value the card should hold for limit id in instrument `symbol`
 * (ignored for global limits): the symbol's, else default's, else 0. */
TG_API uint64_t tg_risk_limit_effective(const struct tg_risk_limit_set *set, const char *symbol,
					unsigned id);

/*
 * Check the limits one scope would hold against the ceilings of
 * `ceilings` (its ceilings table, symbol falling back to default):
 * value[] by limit id, the instrument limits when symbol is not NULL,
 * the global ones when it is. Rate buckets are checked as pairs: the
 * period may not be shorter than the ceiling's and the burst
 * (tolerance / period) not larger. TG_ERR_PERM with the first violation
 * in errbuf ("max_order_qty: 70000 exceeds the ceiling 50000 (...)").
 */
TG_API TG_MUST_CHECK int tg_risk_ceiling_check(const struct tg_risk_limit_set *ceilings,
					       const char *symbol,
					       const uint64_t value[TG_RISK_LIMIT_IDS],
					       char *errbuf, size_t errlen);

/*
 * Check every effective value of set (global, default, each symbol of
 * set and of the ceilings) against the ceilings of `ceilings` (set itself
 * when NULL). TG_ERR_PERM with err pointing at the value in set's file.
 */
TG_API TG_MUST_CHECK int tg_risk_limit_set_check(const struct tg_risk_limit_set *set,
						 const struct tg_risk_limit_set *ceilings,
						 struct tg_config_error *err);

#endif
