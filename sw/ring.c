/*
 * SPSC record ring: see tickgate/ring.h for the layout and the contract.
 *
 * Synchronization, in one place:
 *   producer: write record body -> store-release marker -> store-release prod
 *   consumer: load-acquire marker -> read body -> store-release cons
 *   producer: load-acquire cons before reusing a slot
 * The marker release pairs with the consumer's marker acquire, so a
 * consumer that sees the marker sees the whole body. The cons release pairs
 * with the producer's cons acquire, so a slot is never overwritten while the
 * consumer still copies it. prod is published for observers only.
 */
#include <string.h>

#include "tickgate/card_regs.h"
#include "tickgate/ring.h"

_Static_assert(TG_RING_HDR_BYTES == TG_RING_RECORDS_OFFSET, "ring header size matches the contract");

static uint32_t *prod_ptr(const struct tg_ring *r)
{
	return (uint32_t *)(void *)(r->mem + TG_RING_PROD_OFFSET);
}

static uint32_t *cons_ptr(const struct tg_ring *r)
{
	return (uint32_t *)(void *)(r->mem + TG_RING_CONS_OFFSET);
}

static uint8_t *slot(const struct tg_ring *r, uint32_t i)
{
	return r->mem + TG_RING_HDR_BYTES + (size_t)(i & r->mask) * r->rec_bytes;
}

size_t tg_ring_mem_bytes(unsigned size_log2, unsigned rec_bytes)
{
	return TG_RING_HDR_BYTES + ((size_t)rec_bytes << size_log2);
}

static int check_args(const void *mem, size_t mem_bytes, unsigned size_log2, unsigned rec_bytes)
{
	if (mem == NULL || ((uintptr_t)mem & 63u) != 0)
		return TG_ERR_ARG;
	if (size_log2 < TG_RING_MIN_LOG2 || size_log2 > TG_RING_MAX_LOG2)
		return TG_ERR_ARG;
	if (rec_bytes < 16 || rec_bytes > 4096 || (rec_bytes & (rec_bytes - 1)) != 0)
		return TG_ERR_ARG;
	if (mem_bytes < tg_ring_mem_bytes(size_log2, rec_bytes))
		return TG_ERR_ARG;
	return TG_OK;
}

int tg_ring_format(void *mem, size_t mem_bytes, unsigned size_log2, unsigned rec_bytes)
{
	int rc = check_args(mem, mem_bytes, size_log2, rec_bytes);

	if (rc != TG_OK)
		return rc;
	memset(mem, 0, tg_ring_mem_bytes(size_log2, rec_bytes));
	/* release: a side that attaches later sees the zeroed ring */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return TG_OK;
}

int tg_ring_attach(struct tg_ring *ring, void *mem, size_t mem_bytes, unsigned size_log2,
		   unsigned rec_bytes)
{
	int rc;

	if (ring == NULL)
		return TG_ERR_ARG;
	rc = check_args(mem, mem_bytes, size_log2, rec_bytes);
	if (rc != TG_OK)
		return rc;
	ring->mem = mem;
	ring->size_log2 = size_log2;
	ring->mask = (1u << size_log2) - 1u;
	ring->rec_bytes = rec_bytes;
	ring->index = 0;
	ring->peer = 0;
	return TG_OK;
}

uint32_t tg_ring_space(struct tg_ring *r)
{
	/* acquire: pairs with the consumer's release of cons */
	r->peer = __atomic_load_n(cons_ptr(r), __ATOMIC_ACQUIRE);
	return (r->mask + 1u) - (r->index - r->peer);
}

bool tg_ring_push(struct tg_ring *r, const void *rec)
{
	uint8_t *s;

	if (r->index - r->peer > r->mask && tg_ring_space(r) == 0)
		return false;
	s = slot(r, r->index);
	memcpy(s, rec, r->rec_bytes - 1u);
	/* release: the body above is visible before the marker says valid */
	__atomic_store_n(s + r->rec_bytes - 1u, tg_ring_phase(r, r->index), __ATOMIC_RELEASE);
	r->index++;
	/* release: observers reading prod see the record too */
	__atomic_store_n(prod_ptr(r), r->index, __ATOMIC_RELEASE);
	return true;
}

bool tg_ring_peek(const struct tg_ring *r)
{
	const uint8_t *s = slot(r, r->index);

	/* acquire: pairs with the producer's release of the marker */
	return __atomic_load_n(s + r->rec_bytes - 1u, __ATOMIC_ACQUIRE) == tg_ring_phase(r, r->index);
}

bool tg_ring_pop(struct tg_ring *r, void *rec)
{
	const uint8_t *s = slot(r, r->index);

	if (!tg_ring_peek(r))
		return false;
	memcpy(rec, s, r->rec_bytes);
	r->index++;
	/* release: our reads of the slot finish before the producer may reuse it */
	__atomic_store_n(cons_ptr(r), r->index, __ATOMIC_RELEASE);
	return true;
}
