/*
 * A seeded generator of valid ITCH 5.0 order flow: a system event and a
 * stock directory (R) per instrument, then adds (A, F), executions (E, C),
 * cancels (X), deletes (D), replaces (U), non-cross trades (P) and trading
 * actions (H) over many instruments, around a random-walk price per
 * instrument. Executions, cancels, deletes and replaces refer to live
 * orders, except for a small share that refer to orders never added (as a
 * capture that starts mid-day would). The same seed gives the same stream.
 */
#ifndef TICKGATE_ITCH_GEN_H
#define TICKGATE_ITCH_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "tickgate/result.h"

struct tg_itch_gen_config {
	uint64_t seed;
	unsigned instruments;	/* 1..1000; locates 1..instruments, symbols "TG0001".. */
	unsigned max_orders;	/* live orders kept at most */
	unsigned levels;	/* prices within this many ticks of the mid */
};

struct tg_itch_gen;

TG_API TG_MUST_CHECK int tg_itch_gen_new(const struct tg_itch_gen_config *cfg, struct tg_itch_gen **out);
TG_API void tg_itch_gen_free(struct tg_itch_gen *g);

/* Write the next message to msg (at least 64 bytes); returns its length. */
TG_API size_t tg_itch_gen_next(struct tg_itch_gen *g, uint8_t *msg);

/* Symbol of an instrument (1-based locate), 8 characters space padded. */
TG_API void tg_itch_gen_symbol(unsigned locate, char out[9]);

#endif
