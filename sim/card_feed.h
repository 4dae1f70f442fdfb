/*
 * The card's feed pipeline and book on a bench: frames into a card model's
 * network port, the C2H events of the feed (MSG, MSG_CONT, GAP) and of the
 * book (BOOK_BBO, BOOK_TRADE, BOOK_HALT) out of an event ring in the
 * model's DMA window, decoded and handed to callbacks.
 *
 * Used by the RTL differential tests and the feed benchmark; the event ring
 * takes the first ring_bytes of the window.
 */
#ifndef TG_CARD_FEED_H
#define TG_CARD_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card_model.h"
#include "tickgate/book.h"
#include "tickgate/feed.h"
#include "tickgate/feed_events.h"


struct tg_cf_stats {
	uint64_t events;		/* C2H records taken */
	uint64_t seq_errors;		/* card event sequence jumps (lost events) */
	uint64_t format_errors;		/* records not of a feed type, or a MSG_CONT out of place */
};

struct tg_card_feed;

/* Window [mem, mem + ring_bytes) at bus address bus_base holds the event ring. */
struct tg_card_feed *tg_cf_new(struct tg_card_model *cm, uint8_t *mem, size_t ring_bytes, uint64_t bus_base,
			       const struct tg_feed_event_handlers *h);
void tg_cf_free(struct tg_card_feed *cf);

/* Program FEED_CONTROL and the filter table; false on a CSR error. */
bool tg_cf_configure(struct tg_card_feed *cf, const struct tg_feed_config *cfg, bool msg_events);

/* Book: subscribe slot to symbol (space padded to 8 on the card); locate < 0:
 * learned from the directory, else set. Waits until the book applied it. */
bool tg_cf_book_subscribe(struct tg_card_feed *cf, unsigned slot, const char *symbol, int locate);

/* Book: BOOK_CONTROL.EVENTS on or off. */
bool tg_cf_book_events(struct tg_card_feed *cf, bool on);

struct tg_cf_book_slot {
	uint32_t state;		/* BOOK_INST_STATE */
	uint32_t bbo[4];	/* bid price, bid size, ask price, ask size */
};

bool tg_cf_book_slot(struct tg_card_feed *cf, unsigned slot, struct tg_cf_book_slot *out);

/* The book's counters into the C book's stats layout; overrun and events
 * dropped (card only) separately. */
bool tg_cf_read_book_stats(struct tg_card_feed *cf, struct tg_book_stats *st, uint64_t *overrun,
			   uint64_t *events_dropped);

/* Queue a frame (running the card while the port's queue is full). */
bool tg_cf_frame(struct tg_card_feed *cf, const uint8_t *frame, size_t len);

/* Paced: wait until the card is quiet (every event of the frames before
 * delivered) before feeding the frame, so the MSG events, which need more
 * DMA bandwidth than the wire brings, are never dropped. */
bool tg_cf_frame_paced(struct tg_card_feed *cf, const uint8_t *frame, size_t len);

/* Run until every frame went in and the card is quiet, delivering events. */
void tg_cf_quiesce(struct tg_card_feed *cf);

/* Run until every frame went in and the card is quiet; deliver all events. */
void tg_cf_finish(struct tg_card_feed *cf);

/* Read the feed counters into the C decoder's stats layout (frames, parsed,
 * dropped, packets, heartbeats, end_of_session, messages, unknown_type,
 * bad_length, duplicate_messages, gaps, gap_messages; by_type for the ITCH
 * types). false on a CSR error. */
bool tg_cf_read_stats(struct tg_card_feed *cf, struct tg_feed_stats *st);

void tg_cf_stats(const struct tg_card_feed *cf, struct tg_cf_stats *out);

#endif
