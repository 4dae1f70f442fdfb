/*
 * The matching engine: one price-time-priority limit order book per
 * instrument, the heart of the simulated exchange (tickgate-exchange).
 *
 *   - Instruments are numbered by their ITCH stock locate, 1..instruments.
 *   - Prices are ITCH fixed point (4 implied decimals, uint32); no floating
 *     point anywhere on the book. Shares are uint32.
 *   - Every order the engine takes gets an order reference number, unique
 *     for the day and increasing (the ITCH order reference number).
 *   - Orders: limit or market; day or immediate-or-cancel (a market order
 *     is always immediate-or-cancel: what does not match at once is
 *     canceled, it never rests); displayed or hidden (a hidden order rests
 *     and matches like any other, at the back of its price level's time
 *     priority, but the feed does not show it; there is no display
 *     priority: displayed and hidden orders at a price share one queue,
 *     oldest first).
 *   - An incoming order matches against the other side's best levels while
 *     its limit allows (market: any price), each level oldest first; every
 *     fill is at the resting order's price. The remainder of a day limit
 *     order rests; the remainder of an IOC or market order is canceled.
 *   - Reduce (cancel down to a size, 0 = delete) keeps the order's time
 *     priority. Replace follows Nasdaq's rules: a replace that keeps the
 *     price and lowers the size is a reduce (same reference number,
 *     priority kept; the same price, size and hidden flag change nothing);
 *     any other replace (new price, a larger size, or a change of the
 *     hidden flag) takes the order out of the book and enters the new one,
 *     a day limit order with the old one's side, instrument, mpid and
 *     owner, under a new reference number at the back of its level, where
 *     it may match at once like any incoming order.
 *   - A halted instrument takes no new order and no replace (refused with
 *     TG_ERR_STATE); reduces and deletes still work; nothing matches.
 *
 * Every change reaches the caller through one callback, in the order it
 * happened, so that a feed publisher can turn them into ITCH messages and
 * an order-entry server into OUCH responses. The engine never calls back
 * into itself: from inside the callback only the query functions may be
 * called (enter, reduce, replace and halt answer TG_ERR_STATE there); they
 * see the book with the change the event reports already made. Event
 * fields not named for a type are 0.
 */
#ifndef TICKGATE_MATCH_H
#define TICKGATE_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/result.h"

#define TG_MATCH_BUY 'B'
#define TG_MATCH_SELL 'S'

enum tg_match_type {
	TG_MATCH_LIMIT = 0,
	TG_MATCH_MARKET = 1,
};

enum tg_match_tif {
	TG_MATCH_DAY = 0,
	TG_MATCH_IOC = 1,
};

struct tg_match_config {
	unsigned instruments;	/* locates 1..instruments (1..65535) */
	uint32_t max_orders;	/* resting orders at most, all instruments together (1..2^31) */
};

/* An incoming order. */
struct tg_match_order {
	uint16_t instrument;	/* stock locate */
	char side;		/* TG_MATCH_BUY or TG_MATCH_SELL */
	uint8_t type;		/* enum tg_match_type */
	uint8_t tif;		/* enum tg_match_tif */
	bool hidden;		/* rests without being displayed */
	uint32_t shares;	/* > 0 */
	uint32_t price;		/* limit price (> 0); ignored for a market order */
	char mpid[4];		/* attribution, or all NUL for an anonymous order */
	uint64_t owner;		/* the caller's tag for the order, returned in every event about it */
};

enum tg_match_event_type {
	/* the remainder of an incoming order rests: ref, owner, side, shares, price, hidden, mpid */
	TG_MATCH_EV_ADD = 1,
	/*
	 * a fill: the resting order (ref, owner, hidden, shares executed,
	 * price, remaining after the fill) against the incoming one
	 * (aggressor_owner, aggressor_ref: the reference the incoming order
	 * has or would have had); match number
	 */
	TG_MATCH_EV_EXECUTE = 2,
	/*
	 * a resting order lost shares without a fill (reduce, delete, or a
	 * replace that keeps the reference): ref, owner, side, price, hidden,
	 * mpid, shares (canceled), remaining (0: it is gone). Also the end of
	 * the new order of a replace that filled in full (see REPLACE), with
	 * shares 0.
	 */
	TG_MATCH_EV_CANCEL = 3,
	/*
	 * a replace that takes a new reference: ref (old), new_ref, owner,
	 * side, mpid, shares and price of the new order, hidden. The old order
	 * is out of the book when it comes (no CANCEL of it), before the new
	 * order's fills (EXECUTE with aggressor_ref = new_ref); what is left
	 * after them rests under new_ref without an ADD (shares of the REPLACE
	 * less the fills); if nothing of it rests (filled in full), a CANCEL
	 * of new_ref with shares 0 and remaining 0 follows them. Shares
	 * already executed on the old order stay executed.
	 */
	TG_MATCH_EV_REPLACE = 4,
	/*
	 * what is left of an IOC or market order did not rest:
	 * aggressor_owner, aggressor_ref, shares, and the incoming order's
	 * side, price (0 for a market order), hidden, mpid
	 */
	TG_MATCH_EV_EXPIRE = 5,
	/* trading halted or resumed: halted */
	TG_MATCH_EV_HALT = 6,
};

struct tg_match_event {
	enum tg_match_event_type type;
	uint64_t ts_ns;		/* the time given with the call that caused it */
	uint16_t instrument;
	char side;		/* the resting order's (ADD, EXECUTE, CANCEL, REPLACE), the incoming one's (EXPIRE) */
	bool hidden;
	bool halted;
	uint64_t ref;
	uint64_t new_ref;
	uint64_t owner;
	uint64_t aggressor_ref;
	uint64_t aggressor_owner;
	uint32_t shares;
	uint32_t price;
	uint32_t remaining;
	uint64_t match;		/* match number, increasing from 1 */
	char mpid[4];
};

/*
 * The event about the `left` shares of incoming order `o` that matching
 * left over: an ADD under `ref` when they rest, else an EXPIRE (`ref` is
 * then the reference the order would have had). Every venue with these
 * semantics builds it here (the matcher, the exchange's market replay).
 */
TG_API void tg_match_event_left(struct tg_match_event *ev, const struct tg_match_order *o, bool rests,
				uint64_t ref, uint32_t left, uint64_t ts_ns);

typedef void (*tg_match_event_fn)(void *ctx, const struct tg_match_event *ev);

struct tg_match;

TG_API TG_MUST_CHECK int tg_match_new(const struct tg_match_config *cfg, tg_match_event_fn fn, void *ctx,
				      struct tg_match **out);
TG_API void tg_match_free(struct tg_match *m);

/*
 * Enter an order at time ts_ns (nanoseconds since midnight). *ref gets its
 * reference number (also when nothing of it rests). TG_OK; TG_ERR_ARG for
 * an order that is not valid (no such instrument, side, type, tif, zero
 * shares, limit price 0; nothing happens); TG_ERR_STATE when the
 * instrument is halted; TG_ERR_NOMEM when a remainder would rest and no
 * slot would be free for it (nothing happens: checked before matching).
 * Matching frees the slot of every order it fills, so that is a day limit
 * order that does not cross at all entered into a full book (or no memory
 * for a new price level). On an error *ref is untouched and no reference
 * number is used up.
 */
TG_API TG_MUST_CHECK int tg_match_enter(struct tg_match *m, const struct tg_match_order *o, uint64_t ts_ns,
					uint64_t *ref);

/* Cut a resting order down to `shares` (0 deletes it), priority kept; also while halted.
 * TG_ERR_NOENT: no such order; TG_ERR_ARG: shares not below what it has. */
TG_API TG_MUST_CHECK int tg_match_reduce(struct tg_match *m, uint64_t ref, uint32_t shares, uint64_t ts_ns);

/*
 * Replace a resting order with shares at price (hidden as given), by the
 * rules above. *new_ref: the order's reference number afterwards (ref
 * itself for a reduce or no change). Checked in this order, nothing done
 * on an error: TG_ERR_ARG (zero shares or price), TG_ERR_NOENT,
 * TG_ERR_STATE (halted, also for a reduce-like replace). The new order
 * rests in the old one's slot, so a full book does not refuse a replace:
 * TG_ERR_NOMEM only when there is no memory for a new price level.
 */
TG_API TG_MUST_CHECK int tg_match_replace(struct tg_match *m, uint64_t ref, uint32_t shares, uint32_t price,
					  bool hidden, uint64_t ts_ns, uint64_t *new_ref);

/* Halt (true) or resume (false) an instrument; a HALT event when the state changes. */
TG_API TG_MUST_CHECK int tg_match_halt(struct tg_match *m, uint16_t instrument, bool halted, uint64_t ts_ns);

/* ---- queries ---- */

TG_API bool tg_match_halted(const struct tg_match *m, uint16_t instrument);

/*
 * Level `index` (0 = best) of a side: price, displayed shares, hidden
 * shares and orders. TG_ERR_NOENT past the last level. A level of only
 * hidden orders counts as a level.
 */
struct tg_match_level {
	uint32_t price;
	uint64_t shares;	/* displayed */
	uint64_t hidden_shares;
	uint32_t orders;
};
TG_API TG_MUST_CHECK int tg_match_level(const struct tg_match *m, uint16_t instrument, char side, unsigned index,
					struct tg_match_level *out);

/* A resting order: TG_OK and its fields, or TG_ERR_NOENT. */
struct tg_match_resting {
	uint16_t instrument;
	char side;
	bool hidden;
	uint32_t shares;
	uint32_t price;
	uint64_t owner;
	uint32_t ahead;		/* orders ahead of it at its price level, hidden ones included */
};
TG_API TG_MUST_CHECK int tg_match_order(const struct tg_match *m, uint64_t ref, struct tg_match_resting *out);

/* Resting orders now, all instruments. */
TG_API uint32_t tg_match_resting_count(const struct tg_match *m);

#endif
