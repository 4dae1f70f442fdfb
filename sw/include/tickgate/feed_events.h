/*
 * The card's market-data events back into the host's terms: the feed's MSG,
 * MSG_CONT and GAP into messages (a message longer than a MSG record holds
 * arrives as MSG then MSG_CONT), and the book's BOOK_BBO, BOOK_TRADE and
 * BOOK_HALT into the C book's events. Used by every consumer of the card's
 * feed and book (host tools, tests, benches).
 */
#ifndef TICKGATE_FEED_EVENTS_H
#define TICKGATE_FEED_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "tickgate/book.h"
#include "tickgate/card_records.h"
#include "tickgate/result.h"

struct tg_feed_event_msg {
	uint64_t mold_seq;
	uint64_t timestamp;	/* core cycle the message left the parser */
	unsigned len;
	uint8_t data[64];
};

struct tg_feed_event_book {
	struct tg_book_event ev;	/* as the C book reports it */
	unsigned instrument;		/* the card's instrument slot */
	uint64_t timestamp;		/* core cycle the event left the book */
};

struct tg_feed_event_handlers {
	void (*msg)(void *ctx, const struct tg_feed_event_msg *m);
	void (*gap)(void *ctx, uint64_t first, uint64_t last);
	void (*book)(void *ctx, const struct tg_feed_event_book *b);
	void *ctx;
};

struct tg_feed_events {
	struct tg_feed_event_handlers h;
	bool have_pending;		/* a MSG waiting for its MSG_CONT */
	struct tg_feed_event_msg pending;
	uint64_t format_errors;		/* a MSG_CONT out of place, or a MSG_CONT missing */
};

TG_API void tg_feed_events_init(struct tg_feed_events *fe, const struct tg_feed_event_handlers *h);

/* Take one C2H record; returns false when it is neither a feed nor a book
 * event (left to the caller). */
TG_API bool tg_feed_events_take(struct tg_feed_events *fe, const union tg_c2h_record *ev);

#endif
