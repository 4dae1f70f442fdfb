/*
 * The card's feed events (C2H MSG, MSG_CONT, GAP) back into messages: a
 * message longer than a MSG record holds arrives as MSG then MSG_CONT.
 * Used by every consumer of the card's feed (host tools, tests, benches).
 */
#ifndef TICKGATE_FEED_EVENTS_H
#define TICKGATE_FEED_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "tickgate/card_records.h"
#include "tickgate/result.h"

struct tg_feed_event_msg {
	uint64_t mold_seq;
	uint64_t timestamp;	/* core cycle the message left the parser */
	unsigned len;
	uint8_t data[64];
};

struct tg_feed_event_handlers {
	void (*msg)(void *ctx, const struct tg_feed_event_msg *m);
	void (*gap)(void *ctx, uint64_t first, uint64_t last);
	void *ctx;
};

struct tg_feed_events {
	struct tg_feed_event_handlers h;
	bool have_pending;		/* a MSG waiting for its MSG_CONT */
	struct tg_feed_event_msg pending;
	uint64_t format_errors;		/* a MSG_CONT out of place, or a MSG_CONT missing */
};

TG_API void tg_feed_events_init(struct tg_feed_events *fe, const struct tg_feed_event_handlers *h);

/* Take one C2H record; returns false when it is not a feed event (left to the caller). */
TG_API bool tg_feed_events_take(struct tg_feed_events *fe, const union tg_c2h_record *ev);

#endif
