/*
 * Seeded MoldUDP64 packets of generated ITCH order flow, for the RTL tests:
 * each packet carries 1..max_msgs messages of a tg_itch_gen stream.
 */
#ifndef TG_TEST_STREAM_PACKER_H
#define TG_TEST_STREAM_PACKER_H

#include <stddef.h>
#include <stdint.h>

#include "tickgate/itch_gen.h"
#include "tickgate/mold_frame.h"

#define TG_PACKER_FRAME_MAX 2048u

struct tg_packer {
	uint64_t rng;
	struct tg_itch_gen *gen;
	struct tg_mold_frame_params fp;
	uint64_t seq;		/* of the next packet's first message */
};

/* splitmix64 step: the tests' one source of randomness */
uint64_t tg_packer_rand(uint64_t *s);

/* Next packet (frame into f, TG_PACKER_FRAME_MAX bytes); returns the frame
 * length and its message count in *count. */
size_t tg_packer_next(struct tg_packer *p, uint8_t *f, unsigned max_msgs, unsigned *count);

#endif
