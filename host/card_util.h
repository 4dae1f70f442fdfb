/*
 * Card views several CLI commands share: instrument slots of the card's
 * order book (subscribe, find, free) and the latency histograms of the
 * LAT_* registers (read, print as text, write as JSON).
 */
#ifndef TG_CARD_UTIL_H
#define TG_CARD_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tickgate/card.h"
#include "tickgate/json.h"

#define CARD_LAT_BINS 32u

/* ------------------------------------------------------------ book slots */

/* Wait (at most about a second) until the book took the last slot command. */
bool book_ready(struct tg_card *card);

/* *slot: the slot subscribed to symbol, -1 when none. TG_OK or the card's error. */
int book_find(struct tg_card *card, const char *symbol, int *slot);

/* Subscribe symbol in the first free slot: its locate learned from the next
 * Stock Directory (locate < 0) or given. Returns the slot, -1 when no slot
 * is free or the card failed. */
int book_subscribe(struct tg_card *card, const char *symbol, int locate);

/* Free a slot (errors are printed). */
void book_unsubscribe(struct tg_card *card, int slot);

/* ------------------------------------------------------------ latency */

/* One of the card's latency histograms (LAT_SEL, ORDER_LAT_*, KILL_LAT_*). */
struct card_lat {
	const char *name;		/* "order" or "kill" */
	bool order;			/* the order histogram also has min, max and sum */
	uint64_t count;
	uint32_t last;			/* cycles */
	uint32_t min, max;		/* order only; min is 0xffffffff when no sample */
	uint64_t sum;			/* order only */
	uint64_t bins[CARD_LAT_BINS];
};

/* ns per core cycle at the card's target clock (TG_CARD_CLOCK_HZ) */
double card_ns_per_cycle(void);

/* Lowest latency in cycles that histogram bin b counts. */
uint64_t card_lat_bin_low(unsigned b);

/* Read the order (order = true) or kill histogram. */
int card_lat_read(struct tg_card *card, bool order, struct card_lat *out);

/* Text: a summary line, then one line per non-empty bin, indented by indent. */
void card_lat_print(FILE *f, const struct card_lat *l, const char *indent);

/* JSON: object `key` with count, last_cycles (and min/max/mean for the
 * order histogram) and the non-empty bins, in cycles and ns. */
void card_lat_json(struct tg_json *j, const char *key, const struct card_lat *l);

#endif
