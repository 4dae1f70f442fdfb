/*
 * The executions of the card's orders, kept by UserRefNum and match number,
 * so that a broken trade can be undone.
 *
 * The card applies every OUCH Order Executed of one of its open orders to
 * the risk gate (position, exposure) before forwarding it as an ORDER_RESP
 * event, but it keeps no execution: an OUCH Broken Trade carries only the
 * UserRefNum and the MatchNumber, and the card forwards it unapplied. The
 * process that consumes the card's C2H events feeds every ORDER_DECISION
 * and ORDER_RESP to a ledger, in ring order; the ledger learns which order
 * (instrument, side) each order slot holds from the accepted NEW decisions,
 * keeps every execution with the order's instrument and side, and answers a
 * Broken Trade with the execution it breaks, for the gate's reversal
 * (tg_risk_card_bust) and the audit log (docs/risk.md, "Broken trades").
 *
 *   struct tg_exec_ledger *l = tg_exec_ledger_new(slots);
 *   ...for each event polled:
 *   struct tg_exec x;
 *   if (tg_exec_ledger_event(l, &ev, &x) == TG_EXEC_BUST)
 *           audit, then tg_risk_card_bust(card, x.inst, x.side, x.qty);
 *
 * Executions are keyed by (UserRefNum, match number): the same match number
 * comes back on both orders when two of the account's orders trade with
 * each other, each with its own UserRefNum, and each is broken on its own.
 * Match numbers are the low 56 bits the card forwards.
 */
#ifndef TICKGATE_EXEC_LEDGER_H
#define TICKGATE_EXEC_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/card_records.h"
#include "tickgate/result.h"

/* One execution as the gate applied it. */
struct tg_exec {
	uint32_t urn;		/* UserRefNum the exchange executed */
	uint64_t match;		/* match number, low 56 bits */
	uint16_t slot;		/* the card's order slot */
	uint8_t inst;		/* the card's instrument */
	uint8_t side;		/* gate side code of the order */
	uint32_t qty;		/* shares executed */
	uint32_t price;		/* execution price (low 32 bits, see price_wide) */
	bool price_wide;	/* the price did not fit 32 bits */
	bool applied;		/* the gate applied it (its UserRefNum was an open order of the card) */
	bool busted;		/* a Broken Trade of it was seen */
	uint64_t exch_time;	/* the execution's exchange timestamp (ns since midnight) */
};

/* What an event meant to the ledger (tg_exec_ledger_event). */
enum tg_exec_result {
	TG_EXEC_NONE = 0,	/* nothing for the ledger (not an execution or broken trade, or an order decision it noted) */
	TG_EXEC_RECORDED,	/* an execution the gate applied, kept; *out is it */
	TG_EXEC_UNAPPLIED,	/* an execution the gate did not apply (no open order of the card): kept, a bust of it changes nothing */
	TG_EXEC_NO_ORDER,	/* an execution the gate applied to a slot whose order the ledger does not know (opened before it started): not kept */
	TG_EXEC_DUPLICATE,	/* an execution already kept (same UserRefNum and match number): ignored */
	TG_EXEC_BUST,		/* a Broken Trade of a kept execution the gate applied: *out is it; reverse it in the gate */
	TG_EXEC_BUST_UNAPPLIED,	/* a Broken Trade of an execution the gate never applied: nothing to reverse */
	TG_EXEC_BUST_AGAIN,	/* a Broken Trade of an execution already broken: nothing to reverse */
	TG_EXEC_BUST_UNKNOWN,	/* a Broken Trade of an execution not kept: the gate's position may be wrong (tickgate risk bust) */
};

struct tg_exec_ledger_stats {
	uint64_t kept;		/* executions kept (applied or not) */
	uint64_t busts;		/* TG_EXEC_BUST answers */
	uint64_t bust_shares;	/* their shares */
	uint64_t unknown;	/* TG_EXEC_BUST_UNKNOWN answers */
	uint64_t no_order;	/* TG_EXEC_NO_ORDER answers */
	uint64_t repeated;	/* TG_EXEC_BUST_AGAIN and TG_EXEC_DUPLICATE answers */
};

struct tg_exec_ledger;

/* A ledger for a card with `slots` order slots (RISK_PARAMS.SLOTS_LOG2);
 * NULL when out of memory or slots is 0 or above 65536. */
TG_API struct tg_exec_ledger *tg_exec_ledger_new(unsigned slots);
TG_API void tg_exec_ledger_free(struct tg_exec_ledger *l);

/* The order an order slot holds, for orders opened before the ledger saw
 * their decision (RISK_SLOT_STATE read at start). TG_ERR_ARG for a slot
 * out of range or a side above 3. */
TG_API TG_MUST_CHECK int tg_exec_ledger_order(struct tg_exec_ledger *l, unsigned slot, unsigned inst,
					      unsigned side);

/*
 * Take one C2H event, in ring order. Returns an enum tg_exec_result (>= 0),
 * with *out (when not NULL) filled for RECORDED, UNAPPLIED, DUPLICATE and
 * the BUST answers of a kept execution (BUST, BUST_UNAPPLIED, BUST_AGAIN;
 * out->busted is then true), or TG_ERR_NOMEM (the execution could not be
 * kept). A TG_EXEC_BUST is answered once per execution.
 */
TG_API int tg_exec_ledger_event(struct tg_exec_ledger *l, const union tg_c2h_record *ev, struct tg_exec *out);

/* The execution kept under (urn, match), or NULL. */
TG_API const struct tg_exec *tg_exec_ledger_find(const struct tg_exec_ledger *l, uint32_t urn, uint64_t match);

TG_API void tg_exec_ledger_stats(const struct tg_exec_ledger *l, struct tg_exec_ledger_stats *out);

/* The match number (low 56 bits) of an ORDER_RESP event's ref field. */
TG_API uint64_t tg_exec_match_of(const struct tg_c2h_order_resp *e);

/* Name of a result ("bust", "bust-unknown", ...). */
TG_API const char *tg_exec_result_name(int result);

#endif
