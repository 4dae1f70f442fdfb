/*
 * What `tickgate trade` knows of the card's risk gate and of its own orders,
 * and how each event moves it: the symbols (market, the gate's counts,
 * position and money), the gate's order slots as this process uses them,
 * and the orders sent whose decision has not come back. No I/O here: the
 * card's events go in, the pre-trade verdict comes out, so the
 * bookkeeping is tested on its own (tests/unit/test_trade_state.c).
 *
 * The counts follow the gate's rules (docs/risk.md): an order in flight
 * counts as if accepted, an accepted NEW opens its slot with its quantity,
 * the exchange's Accepted and Replaced state the open quantity, Canceled
 * and executions take from it, a rejected NEW closes it.
 *
 * Money is integer: prices and cash in 1/10000 dollar (ITCH/OUCH units).
 */
#ifndef TICKGATE_HOST_TRADE_STATE_H
#define TICKGATE_HOST_TRADE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "tickgate/card_records.h"
#include "tickgate/feed_events.h"
#include "tickgate/risk.h"
#include "tickgate/risk_card.h"

#define TRADE_SYMBOLS_MAX TG_RISK_CARD_INST_MAX
#define TRADE_INFLIGHT_MAX 4096u	/* orders sent whose decision has not come back */

/* holds whose reason is none of the gate's: the H2C ring or our table of
 * orders in flight was full, no order slot was free, the order-entry
 * session was not logged in (the card's packets would be dropped) */
#define HELD_RING_FULL TG_RISK_REASONS
#define HELD_NO_SLOT (TG_RISK_REASONS + 1)
#define HELD_LINK_DOWN (TG_RISK_REASONS + 2)
#define HELD_KINDS (TG_RISK_REASONS + 3)

/* Counts per symbol (totals are their sums). */
struct tally {
	uint64_t sent[3];		/* by gate kind: NEW, CANCEL, REPLACE */
	uint64_t sent_ioc;		/* of the NEWs, IOCs */
	uint64_t accepted, rejected;	/* the gate's decisions of our orders */
	uint64_t rejected_by[TG_RISK_REASONS];
	uint64_t held_by[HELD_KINDS];	/* held back by the pre-trade checks */
	uint64_t x_accepted, x_replaced, x_rejected, x_canceled, x_canceled_shares, x_cancel_rejects, x_other;
	uint64_t unmatched;		/* responses the card matched to no open order */
	uint64_t fills, fill_shares, bought, sold;
	uint64_t x_broken;		/* Broken Trades received */
	uint64_t busts, bust_shares;	/* executions reversed for them (gate, position, cash) */
};

enum pend { PEND_NONE, PEND_NEW, PEND_CANCEL, PEND_REPLACE };

/* One order slot of the gate, as this process knows it. */
struct slot {
	bool foreign;			/* open in the gate before we started: never used */
	bool gate_open;			/* the gate counts an open order in it */
	bool acked;			/* the exchange accepted the order */
	bool replaced;			/* a replace was accepted since the NEW (a J is then not of the NEW) */
	uint32_t rep_grow;		/* shares the card added for the replace awaiting its answer */
	bool ioc;
	uint8_t pend;			/* enum pend: a request waiting for its decision or answer */
	bool pend_decided;		/* ...the gate accepted it; the exchange's answer is due */
	uint8_t side;			/* gate side code */
	int sym;			/* our symbol, -1 */
	uint32_t rem;			/* open shares as the gate counts them */
	uint32_t xopen;			/* open shares as the exchange said (once acknowledged) */
	uint32_t price;			/* limit price at the exchange (asked, until acknowledged) */
	uint8_t cancel_tries;		/* shutdown */
	int64_t acked_ns;		/* wall time of the acknowledgment (IOC safety net) */
};

/* An order sent whose decision is due; decisions come back in sending order. */
struct request {
	uint32_t tag;
	uint16_t slot;
	uint8_t kind, side;
	uint32_t qty, price;
	uint32_t grow;			/* shares the gate's open side grows by, if accepted */
	int sym;
	bool ioc;
};

struct sym {
	char name[9];
	unsigned inst;			/* the card's instrument (book slot) */
	bool subscribed_here;		/* false: the slot was subscribed before we started */
	uint16_t locate;
	bool locate_valid;
	/* market, from the card's book */
	uint32_t bid, ask, bid_size, ask_size;
	uint8_t bbo_flags;
	uint32_t last_trade;
	bool halted_feed, halted_host, killed;
	uint64_t market_ns;		/* ITCH time of the latest event */
	uint64_t bbo_updates, trades, halt_events;
	/* the gate's view of the instrument */
	uint64_t lim[TG_RISK_LIMIT_IDS];
	int64_t pos_start, pos;
	uint64_t open_buy, open_sell;	/* shares of open orders */
	unsigned open_orders;
	uint64_t rate_tat;
	bool last_valid;		/* the last accepted order (duplicate window) */
	uint8_t last_side;
	uint32_t last_qty, last_price;
	uint64_t last_t;
	/* our orders in flight (decision not back), counted as if accepted */
	uint64_t fly_buy, fly_sell;	/* growth of the open sides */
	unsigned fly_new, fly_rate;	/* NEWs; NEWs and REPLACEs */
	/* strategy */
	int quote[2];			/* slot of the buy and the sell quote, -1 */
	int ioc_slot;
	uint64_t rng;
	uint64_t next_ioc_ns;		/* market time; 0 until the first BBO */
	int64_t bound_long, bound_short;
	uint8_t held_last[3];		/* buy quote, sell quote, IOC: last hold reason + 1 (0: none) */
	/* money (1/10000 dollar) */
	int64_t cash, realized, basis, run_pos;
	uint32_t last_fill_price;
	struct tally c;
};

struct trade_state {
	struct sym sym[TRADE_SYMBOLS_MAX];
	unsigned n_sym;
	int sym_of_inst[TG_RISK_CARD_INST_MAX];	/* our symbol of a card instrument, -1 */
	struct slot *slots;		/* the gate's order slots */
	unsigned n_slots, next_slot;
	struct request fifo[TRADE_INFLIGHT_MAX];	/* orders in flight, in sending order */
	unsigned fifo_head, fifo_len;
	uint32_t next_tag;
	unsigned fly_new_all, fly_rate_all;
	uint64_t glim[TG_RISK_LIMIT_IDS];
	unsigned open_all;		/* open orders in the gate, ours and others' */
	uint64_t rate_tat_all;
	tg_risk_notional other_gross, other_long, other_short;	/* instruments not ours */
	uint64_t now_cycle;		/* the latest card cycle an event showed */
	bool killed;			/* the gate's kill switch, as last seen */
	uint64_t card_decisions;	/* made by the card (watchdog cancels) */
	uint64_t decision_mismatch;	/* a decision that was not the one due */
	uint64_t other_responses;	/* responses of slots that are not ours */
};

bool trade_is_buy(unsigned side);

/* The gate's reference price as far as the book's events tell: the BBO mid
 * (rounded down) when both sides are known, else the last trade; 0: none. */
uint32_t trade_ref_price(const struct sym *s);

/* The position with every open buy (all_buys) or every open sell
 * (all_sells) filled, orders in flight included: the gate's measure. */
int64_t trade_all_buys(const struct sym *s);
int64_t trade_all_sells(const struct sym *s);

/*
 * The gate's checks (docs/risk.md, in its order) on what we know. q: the
 * order's slot (a NEW's is a free one). Returns the reason the gate would
 * give, 0 when the order may go; *grow: the shares its open side grows by.
 */
int trade_precheck(const struct trade_state *st, const struct sym *s, unsigned kind, const struct slot *q,
		   unsigned side, uint32_t qty, uint32_t price, uint32_t *grow);

/* An order for the symbol's activity key (0 buy quote, 1 sell quote, 2 IOC)
 * held back for why (a reason, or HELD_*): counted once per episode, so the
 * same hold again and again is one; the sender clears held_last[key] when
 * an order of that key goes out. */
void trade_hold(struct sym *s, unsigned key, unsigned why);

/* A slot of ours that is free in the gate and has nothing pending; -1: none. */
int trade_alloc_slot(struct trade_state *st);

/* The next order's tag (never 0: the card's own). */
uint32_t trade_next_tag(struct trade_state *st);

/* The order r (tagged by trade_next_tag, checked by trade_precheck, which
 * gave r->grow) went onto the ring: it is in flight. */
void trade_sent(struct trade_state *st, const struct request *r);

/* The gate's decision of the order at the head of the orders in flight. */
void trade_decision(struct trade_state *st, const struct tg_c2h_order_decision *d);

/* An exchange response, as the card applied it to the gate. now_ns: wall
 * time, kept as an acknowledgment's time (the IOC safety net). */
void trade_response(struct trade_state *st, const struct tg_c2h_order_resp *e, int64_t now_ns);

/* A book event of the card: BBO, trade, halt. Returns our symbol, -1. */
int trade_book_event(struct trade_state *st, const struct tg_feed_event_book *b);

/* Shares bought or sold at a price: position, cash, realized P&L. */
void trade_book_trade(struct sym *s, bool buy, uint32_t qty, uint32_t price);

/* The open quantity the gate counts for a slot becomes rem (0 closes it). */
void trade_set_rem(struct trade_state *st, struct slot *q, uint32_t rem);

/* A slot the strategy still counts as its order: in progress, or open at the exchange. */
bool trade_live(const struct slot *q);

/* Orders in flight of one symbol (sym >= 0) or of all (-1). */
uint64_t trade_in_flight(const struct trade_state *st, int sym);

#endif
