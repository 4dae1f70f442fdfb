/*
 * The risk officer's way of changing limits (cmd_risk.c), for every
 * command that changes them: the whole table written and committed once,
 * audited first, bounded by the ceilings of the limit file last loaded.
 */
#ifndef TG_RISK_CLI_H
#define TG_RISK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "tickgate/risk_card.h"
#include "tickgate/risk_config.h"

/* The limit file last loaded on this card (NULL when none); its path in path. */
struct tg_risk_limit_set *risk_loaded_config(const struct cli *cli, char *path, size_t len);

/* want = st with every global limit and every subscribed instrument's
 * limits as the set states them (free instruments: 0). */
void risk_table_from_set(const struct tg_risk_limit_set *set, const struct tg_risk_card_state *st,
			 struct tg_risk_card_state *want);

/*
 * Apply `want` (a whole table; the control lock held by the caller): the
 * changes from `old` are written to the audit log (action, the command
 * line as typed from cli, detail) before one commit writes them.
 * *changed: how many limits differ. CLI_EXIT_OK, or CLI_EXIT_FAIL with a
 * message (nothing applied when the audit log could not be written).
 */
int risk_apply_table(const struct cli *cli, struct tg_card *card, const char *action, const char *detail,
		     const struct tg_risk_card_state *old, const struct tg_risk_card_state *want, size_t *changed);

/* A broken trade to reverse in the gate: the execution's instrument, side,
 * shares and price, and what is known of where it came from. */
struct risk_bust {
	const char *symbol;		/* the instrument's symbol (the audit's scope) */
	unsigned inst;
	unsigned side;			/* gate side code of the execution */
	uint32_t qty, price;		/* shares (1..TG_RISK_QTY_MAX) and price (1/10000 USD) */
	bool have_match;
	uint64_t match;			/* the exchange's match number */
	uint32_t urn;			/* its UserRefNum (0: unknown) */
	char reason;			/* the Broken Trade's reason code (0: none) */
	const char *source;		/* "exchange" (a Broken Trade the host saw) or "manual" */
};

/*
 * Reverse one execution in the gate (RISK_CMD BUST, docs/risk.md "Broken
 * trades"), under the card's control lock: the instrument's position is
 * read, an audit record appended durably (action "risk.bust"; detail
 * "match=N urn=U symbol=S instrument=I side=buy qty=Q price=P reason=R
 * source=exchange", match, urn and reason only when known; the change of the
 * position), the command applied, its outcome appended. *before and
 * *after (may be NULL): the position read before, and after the gate took
 * it. CLI_EXIT_OK, or CLI_EXIT_FAIL with a message (nothing applied when
 * the audit log could not be written).
 */
int risk_bust_apply(const struct cli *cli, struct tg_card *card, const struct risk_bust *b, int64_t *before,
		    int64_t *after);

/* "buy", "sell", "sell-short", "sell-short-exempt" ("?" when unknown). */
const char *risk_side_name(unsigned side);

/* Keep a copy of a loaded limit file (its ceilings bound later changes);
 * false with a message when it could not be written. */
bool risk_keep_config_copy(const struct cli *cli, const char *file);

#endif
