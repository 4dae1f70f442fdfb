/*
 * The pre-trade risk gate's golden model: exactly the semantics of the
 * card's gate (hw/rtl/tg_risk.v), for the RTL tests and the host's own
 * risk tiers. docs/risk.md is the full statement; in short:
 *
 *   - The gate applies a stream of inputs in order (enum tg_risk_input_kind):
 *     orders (NEW, CANCEL, REPLACE) are decided, the rest change state:
 *     executions (FILL) and their reversal when the exchange breaks one
 *     (FILL sub TG_RISK_FILL_BUST), open quantities stated by the exchange (RESTATE,
 *     see TG_RISK_STAMPED),
 *     reference prices (REF), halts (HALT), limit writes (SET) into a
 *     shadow table that becomes the limits in force on COMMIT, and kill
 *     switches (KILL). Every input carries `t`, the cycle it arrived at,
 *     for the rate buckets and the duplicate window.
 *   - Orders live in host-chosen order slots (0..slots-1).
 *   - Positions count every open order as if it filled: L = position +
 *     open buys, S = position - open sells (shares). Exposure values them
 *     at the instrument's reference price: the BBO mid, else the last
 *     trade, else the host's price, else none (0).
 *   - A check fails only when the order makes its measure larger and the
 *     result passes the limit, so orders that reduce risk always pass the
 *     position and exposure checks.
 *   - The first failing check, in enum tg_risk_reason order, is the reason.
 *
 * Prices are ITCH/OUCH fixed point (4 implied decimals); notional is
 * shares x price in those units. No floating point anywhere.
 */
#ifndef TICKGATE_RISK_H
#define TICKGATE_RISK_H

#include <stdbool.h>
#include <stdint.h>

#include "tickgate/card_regs.h"

#define TG_RISK_QTY_MAX 0xffffffu	/* largest order or fill quantity */
#define TG_RISK_PRICE_MAX 0x7fffffffu	/* largest limit or reference price */
#define TG_RISK_INSTRUMENTS_MAX 64u
#define TG_RISK_SLOTS_MAX 4096u

/*
 * A stamped absolute RESTATE (sub 0, field = TG_RISK_STAMPED | count) states
 * the open quantity of the order as the slot's count of accepted NEW and
 * REPLACE orders stood at `count`. If an order of the slot was accepted
 * since (the count moved on), a nonzero quantity changes nothing: it would
 * take that order's shares off, and the order's own answer will state them.
 * A quantity of 0 (a dead order) applies whatever the count. An unstamped
 * one (field 0) always applies.
 */
#define TG_RISK_STAMPED 0x10u
#define TG_RISK_STAMP_COUNT 0x0fu

/* FILL subs: an execution, or a bust (the exchange broke an execution of
 * that instrument, side and quantity: position and exposure move back,
 * the open quantity it consumed stays consumed, no slot is named). */
enum tg_risk_fill_sub {
	TG_RISK_FILL_EXEC = 0,
	TG_RISK_FILL_BUST = 1,
};

/* Notional values (shares x price, summed over instruments) need more
 * than 64 bits: positions are 48-bit, prices 31-bit. */
__extension__ typedef __int128 tg_risk_notional;

struct tg_risk_input {
	uint8_t kind;		/* enum tg_risk_input_kind */
	uint8_t sub;		/* FILL: enum tg_risk_fill_sub; REF: 0 BBO, 1 trade, 2 host; HALT: 0 feed,
				 * 1 host; KILL: 0 global, 1 instrument; RESTATE: 0 absolute, 1 decrement */
	uint8_t inst;		/* instrument (NEW, FILL, REF, HALT, SET, KILL) */
	uint8_t side;		/* enum tg_risk_side (NEW, FILL) */
	uint8_t field;		/* SET: limit id (enum tg_risk_limit); RESTATE sub 0: a stamp
				 * (TG_RISK_STAMPED | the slot's `decided` when the exchange's
				 * answer was judged), or 0 */
	uint16_t slot;		/* order slot (NEW, CANCEL, REPLACE, FILL execution, RESTATE) */
	uint32_t qty;		/* shares; HALT and KILL: bit 0 = on */
	uint32_t price;		/* limit price; REF: bid, trade or host price */
	uint32_t price2;	/* REF BBO: ask */
	uint64_t value;		/* SET: the limit's value */
	uint64_t t;		/* cycle the input arrived at */
};

struct tg_risk_config {
	unsigned instruments;	/* 1..TG_RISK_INSTRUMENTS_MAX */
	unsigned slots;		/* order slots, 1..TG_RISK_SLOTS_MAX */
};

/* One instrument's state. */
struct tg_risk_inst_state {
	int64_t position;	/* shares, long > 0 */
	uint64_t open_buy;	/* shares in open buy orders */
	uint64_t open_sell;	/* shares in open sell orders */
	uint32_t open_orders;
	uint32_t ref_price;	/* 0: no reference */
	uint32_t bid, ask, last, host;	/* the reference's sources (0: none) */
	bool halted_feed, halted_host, killed;
	uint64_t rate_tat;	/* rate bucket's theoretical arrival time (GCRA) */
	bool last_valid;	/* duplicate window: the last accepted order */
	uint8_t last_side;
	uint32_t last_qty, last_price;
	uint64_t last_t;
};

struct tg_risk_slot {
	bool open;
	uint8_t inst, side;
	uint32_t rem;		/* open shares */
	uint32_t price;
	uint8_t decided;	/* NEW and REPLACE orders accepted on the slot, mod 16 */
};

struct tg_risk_totals {
	tg_risk_notional gross;		/* sum of max(|L p|, |S p|) */
	tg_risk_notional net_long;	/* sum of L p: all buys filled */
	tg_risk_notional net_short;	/* sum of S p: all sells filled */
	uint32_t open_orders;
	bool killed;
	uint64_t rate_tat;
	uint64_t decided[TG_RISK_REASONS];	/* decisions by reason (0: accepted) */
	uint64_t bad_inputs;	/* inputs ignored: out of range, or a SET above the field's max */
	uint64_t unmatched;	/* fills and restatements of no open slot (busts name none) */
};

struct tg_risk;

struct tg_risk *tg_risk_new(const struct tg_risk_config *cfg);
void tg_risk_free(struct tg_risk *r);

/* Apply one input. Returns the decision (enum tg_risk_reason; 0 accepted)
 * for NEW, CANCEL and REPLACE, -1 for inputs that are not decided. */
int tg_risk_apply(struct tg_risk *r, const struct tg_risk_input *in);

/* A limit in force (shadow false) or as written (shadow true); global
 * limits ignore inst. 0 for an unknown field or instrument. */
uint64_t tg_risk_limit(const struct tg_risk *r, unsigned field, unsigned inst, bool shadow);

const struct tg_risk_inst_state *tg_risk_inst(const struct tg_risk *r, unsigned inst);
const struct tg_risk_slot *tg_risk_slot(const struct tg_risk *r, unsigned slot);
void tg_risk_totals(const struct tg_risk *r, struct tg_risk_totals *out);

/* The limit field with that id, or NULL. */
const struct tg_risk_limit_info *tg_risk_limit_info(unsigned field);

#endif
