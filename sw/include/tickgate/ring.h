/*
 * Lock-free single-producer / single-consumer ring of fixed-size records in
 * memory shared between threads, processes, or host and card.
 *
 * Layout (the card contract, see docs/records.md): a header with the
 * producer index (u32) and the consumer index (u32) on separate cache
 * lines, then 2^size_log2 records of rec_bytes each. Indices are
 * free-running 32-bit counters, masked on use. The last byte of every
 * record is its phase marker: 1 on even laps, 0 on odd laps, so zeroed
 * memory and records of the previous lap never look valid. The consumer
 * trusts the marker, not the producer index, which is published only for
 * observers; a half-written record is therefore never consumed.
 *
 * One producer and one consumer, each holding its own struct tg_ring over
 * the same memory. Either side may be the card.
 */
#ifndef TICKGATE_RING_H
#define TICKGATE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tickgate/result.h"

#define TG_RING_MIN_LOG2 1u
#define TG_RING_MAX_LOG2 16u
#define TG_RING_HDR_BYTES 128u

struct tg_ring {
	uint8_t *mem;		/* ring header; records follow */
	uint32_t size_log2;
	uint32_t mask;
	uint32_t rec_bytes;
	uint32_t index;		/* next record to produce or consume */
	uint32_t peer;		/* producer: last consumer index seen */
};

/* Bytes of memory a ring of 2^size_log2 records of rec_bytes needs. */
TG_API size_t tg_ring_mem_bytes(unsigned size_log2, unsigned rec_bytes);

/*
 * Zero the ring memory (indices and every marker). Only while neither side
 * is using it. TG_ERR_ARG for a size outside TG_RING_MIN_LOG2..MAX_LOG2, a
 * rec_bytes that is not a power of two in 16..4096, or too little memory.
 */
TG_API TG_MUST_CHECK int tg_ring_format(void *mem, size_t mem_bytes, unsigned size_log2,
					unsigned rec_bytes);

/* Attach one side to formatted ring memory; same argument checks. */
TG_API TG_MUST_CHECK int tg_ring_attach(struct tg_ring *ring, void *mem, size_t mem_bytes,
					unsigned size_log2, unsigned rec_bytes);

/*
 * Producer: copy rec (rec_bytes; its last byte is ignored) into the next
 * slot and publish it. false when the ring is full.
 */
TG_API bool tg_ring_push(struct tg_ring *ring, const void *rec);

/* Consumer: copy the next valid record into rec. false when empty. */
TG_API bool tg_ring_pop(struct tg_ring *ring, void *rec);

/* Consumer: true when the next record is valid (without consuming it). */
TG_API bool tg_ring_peek(const struct tg_ring *ring);

/* Producer: records that can be pushed now (refreshes the consumer index). */
TG_API uint32_t tg_ring_space(struct tg_ring *ring);

/* Marker value of the record at free-running index i. */
static inline uint8_t tg_ring_phase(const struct tg_ring *ring, uint32_t i)
{
	return (uint8_t)(((i >> ring->size_log2) & 1u) ^ 1u);
}

#endif
