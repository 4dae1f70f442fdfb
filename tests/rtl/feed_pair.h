/*
 * The card and the C reference decoder side by side, for the RTL
 * differential tests of the feed pipeline and the book (test_feed_rtl.c,
 * test_book_rtl.c): a fresh Verilated core (through card_feed) with its
 * feed configured, a tg_feed on the same configuration, and every frame
 * into both.
 */
#ifndef TG_TEST_FEED_PAIR_H
#define TG_TEST_FEED_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card_feed.h"
#include "tickgate/feed.h"

#define FEED_PAIR_BUS_BASE 0x4000000000ull	/* bus address of the card's DMA window */
#define FEED_PAIR_MEM_BYTES (4u << 20)		/* the window: the event ring */

struct feed_pair {
	uint8_t *mem;			/* the card's DMA window */
	struct tg_card_model *cm;
	struct tg_card_feed *cf;
	struct tg_feed feed;		/* the C reference decoder */
	bool paced;			/* the card takes each frame once quiet (tg_cf_frame_paced) */
};

/* Both sides on cfg: the card's events (MSG events when msg_events) to
 * card, the decoder's to ref. Fails the test when the card cannot be made. */
void feed_pair_start(struct feed_pair *p, const struct tg_feed_config *cfg, bool msg_events, bool paced,
		     const struct tg_feed_event_handlers *card, const struct tg_feed_handlers *ref);

/* One frame into the decoder and the card. */
void feed_pair_frame(struct feed_pair *p, const uint8_t *f, size_t len);

/* feed_pair_frame for tg_test_each_capture (ctx: the pair). */
void feed_pair_frame_cb(void *ctx, const uint8_t *f, size_t len);

void feed_pair_free(struct feed_pair *p);

#endif
