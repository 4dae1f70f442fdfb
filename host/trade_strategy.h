/*
 * tickgate trade's strategy, per symbol, after every event that concerns
 * it: a passive buy and a passive sell quote around the card's BBO (one
 * tick inside a spread wider than two ticks, else joining it; the side
 * that grows the position stepped back a tick past half its bound and
 * withdrawn at it), replaced when the target moves more than a tick away,
 * and now and then (seeded, every 2-6 s of market time) a small IOC across
 * the spread.
 *
 * It decides from what trade_state.h knows and sends through a callback:
 * no I/O and no clock read here (the IOC safety net is given the wall
 * time), so the same events and seed give the same orders, and it is
 * tested on its own (tests/unit/test_trade_strategy.c).
 */
#ifndef TICKGATE_HOST_TRADE_STRATEGY_H
#define TICKGATE_HOST_TRADE_STRATEGY_H

#include <stdbool.h>
#include <stdint.h>

#include "trade_state.h"

#define TRADE_IOC_GAP_MIN_NS 2000000000ull	/* market time between IOCs: 2..6 s */
#define TRADE_IOC_GAP_SPAN_NS 4000000000ull
#define TRADE_IOC_STALE_NS 2000000000ll		/* an IOC still open this long after its ack is canceled */

/* What the strategy acts for a symbol's: key 0 the buy quote, 1 the sell quote, 2 the IOC. */
enum { TRADE_KEY_BUY, TRADE_KEY_SELL, TRADE_KEY_IOC };

struct trade_strategy {
	struct trade_state *st;
	uint32_t size;			/* shares of a quote (--size); an IOC is a quarter */
	const bool *stopped;		/* set once nothing more may be sent (a failure) */
	/*
	 * One order out: through the pre-trade checks and onto the ring. slot
	 * < 0 for a NEW (a free one is taken). Returns the slot, or -1 when it
	 * was held back (counted with trade_hold under key).
	 */
	int (*send)(void *ctx, struct sym *s, unsigned key, unsigned kind, int slot, unsigned side, uint32_t qty,
		    uint32_t price, bool ioc);
	void *ctx;
};

/* The minimum price increment at a price: $0.01, below $1 $0.0001 (1/10000 dollar units). */
uint32_t trade_tick_of(uint32_t price);

/* The strategy for one symbol, after an event that concerns it. */
void trade_strategy_evaluate(const struct trade_strategy *g, struct sym *s);

/* An IOC must not rest: one the exchange left open TRADE_IOC_STALE_NS after
 * its acknowledgment (wall time now_ns) gets a cancel. A safety net, not a decision. */
void trade_strategy_ioc_safety_net(const struct trade_strategy *g, struct sym *s, int64_t now_ns);

#endif
