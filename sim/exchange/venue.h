/*
 * A venue: where the exchange's order-entry server sends the orders it
 * takes. Two kinds exist: the matching engine (sw/match.c, for the
 * synthetic market) and the capture replay (market_replay.c), where the
 * appliance's orders queue behind the replayed book. The order-entry
 * server sees only this interface; both venues report what happens as
 * struct tg_match_event (tickgate/match.h), which the exchange's event
 * dispatcher passes to the feed publisher and the order-entry server.
 *
 * Owners: every order carries a 64-bit owner tag (tg_match_order.owner).
 * Its top byte says which part of the exchange entered it; each part
 * ignores the events of orders it does not own.
 */
#ifndef TICKGATE_EXCHANGE_VENUE_H
#define TICKGATE_EXCHANGE_VENUE_H

#include <stdbool.h>
#include <stdint.h>

#include "tickgate/match.h"

#define TG_OWNER_KIND(owner) ((uint8_t)((owner) >> 56))
#define TG_OWNER_MAKE(kind, low) (((uint64_t)(kind) << 56) | ((low) & 0x00ffffffffffffffull))

enum tg_owner_kind {
	TG_OWNER_MARKET = 0x4d,		/* 'M': the synthetic market's agents */
	TG_OWNER_REPLAY = 0x52,		/* 'R': orders of a replayed capture */
	TG_OWNER_OE = 0x4f,		/* 'O': the SoupBinTCP / OUCH order-entry server */
};

/* The calls have the meaning and results of tg_match_enter, _reduce, _replace and _halted. */
struct tg_venue_ops {
	int (*enter)(void *venue, const struct tg_match_order *o, uint64_t ts_ns, uint64_t *ref);
	int (*reduce)(void *venue, uint64_t ref, uint32_t shares, uint64_t ts_ns);
	int (*replace)(void *venue, uint64_t ref, uint32_t shares, uint32_t price, bool hidden, uint64_t ts_ns,
		       uint64_t *new_ref);
	bool (*halted)(void *venue, uint16_t instrument);
};

struct tg_venue {
	const struct tg_venue_ops *ops;
	void *venue;
};

/* The matching engine as a venue. */
void tg_venue_of_match(struct tg_venue *v, struct tg_match *m);

#endif
