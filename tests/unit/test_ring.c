/*
 * Unit tests of the SPSC record ring (sw/ring.c): argument checks, full and
 * empty at every boundary, wrap-around over many laps, the phase marker
 * (a half-written record is never consumed) and two threads moving
 * TG_TEST_RING_RECORDS records with no loss, duplication or reordering.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "tg_cunit.h"
#include "tickgate/ring.h"

#ifndef TG_TEST_RING_RECORDS
#define TG_TEST_RING_RECORDS 10000000ull
#endif

struct rec64 {
	uint64_t seq;
	uint64_t check;
	uint8_t fill[47];
	uint8_t marker;
};

static uint64_t check_of(uint64_t seq)
{
	return seq * 0x9e3779b97f4a7c15ull ^ 0x5bd1e995ull;
}

static void *alloc_ring(unsigned log2, unsigned rec)
{
	void *m = aligned_alloc(64, tg_ring_mem_bytes(log2, rec));

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	return m;
}

static void test_argument_checks(void)
{
	struct tg_ring r;
	void *m = alloc_ring(4, 64);
	size_t need = tg_ring_mem_bytes(4, 64);

	CU_ASSERT_EQUAL(tg_ring_format(NULL, need, 4, 64), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ring_format(m, need - 1, 4, 64), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ring_format(m, need, 0, 64), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ring_format(m, need, TG_RING_MAX_LOG2 + 1, 64), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ring_format(m, need, 4, 48), TG_ERR_ARG);	/* not a power of two */
	CU_ASSERT_EQUAL(tg_ring_format(m, need, 4, 8), TG_ERR_ARG);	/* too small */
	CU_ASSERT_EQUAL(tg_ring_format((char *)m + 8, need, 4, 64), TG_ERR_ARG);	/* unaligned */
	CU_ASSERT_EQUAL(tg_ring_attach(NULL, m, need, 4, 64), TG_ERR_ARG);
	CU_ASSERT_EQUAL(tg_ring_format(m, need, 4, 64), TG_OK);
	CU_ASSERT_EQUAL(tg_ring_attach(&r, m, need, 4, 64), TG_OK);
	free(m);
}

static void test_full_empty_wrap(void)
{
	const unsigned log2 = 1;	/* two records: every boundary comes fast */
	void *m = alloc_ring(log2, 64);
	size_t need = tg_ring_mem_bytes(log2, 64);
	struct tg_ring p, c;
	struct rec64 in, out;

	CU_ASSERT_EQUAL_FATAL(tg_ring_format(m, need, log2, 64), TG_OK);
	CU_ASSERT_EQUAL_FATAL(tg_ring_attach(&p, m, need, log2, 64), TG_OK);
	CU_ASSERT_EQUAL_FATAL(tg_ring_attach(&c, m, need, log2, 64), TG_OK);
	CU_ASSERT_FALSE(tg_ring_pop(&c, &out));	/* zeroed memory is empty */
	CU_ASSERT_EQUAL(tg_ring_space(&p), 2);
	for (uint64_t seq = 0; seq < 1000; seq += 2) {
		memset(&in, 0, sizeof(in));
		in.seq = seq;
		CU_ASSERT_TRUE(tg_ring_push(&p, &in));
		in.seq = seq + 1;
		CU_ASSERT_TRUE(tg_ring_push(&p, &in));
		CU_ASSERT_FALSE(tg_ring_push(&p, &in));	/* full at exactly 2 */
		CU_ASSERT_EQUAL(tg_ring_space(&p), 0);
		CU_ASSERT_TRUE(tg_ring_pop(&c, &out));
		CU_ASSERT_EQUAL(out.seq, seq);
		CU_ASSERT_EQUAL(tg_ring_space(&p), 1);
		CU_ASSERT_TRUE(tg_ring_pop(&c, &out));
		CU_ASSERT_EQUAL(out.seq, seq + 1);
		CU_ASSERT_FALSE(tg_ring_pop(&c, &out));	/* empty again */
	}
	free(m);
}

static void test_marker_guards_half_written(void)
{
	const unsigned log2 = 2;
	void *m = alloc_ring(log2, 64);
	size_t need = tg_ring_mem_bytes(log2, 64);
	struct tg_ring p, c;
	struct rec64 in = { .seq = 42 }, out;
	uint8_t *slot0 = (uint8_t *)m + TG_RING_HDR_BYTES;

	CU_ASSERT_EQUAL_FATAL(tg_ring_format(m, need, log2, 64), TG_OK);
	CU_ASSERT_EQUAL_FATAL(tg_ring_attach(&p, m, need, log2, 64), TG_OK);
	CU_ASSERT_EQUAL_FATAL(tg_ring_attach(&c, m, need, log2, 64), TG_OK);
	/* a producer that wrote the body but not yet the marker */
	memcpy(slot0, &in, 63);
	CU_ASSERT_FALSE(tg_ring_peek(&c));
	CU_ASSERT_FALSE(tg_ring_pop(&c, &out));
	/* even if the producer index already claims it */
	*(uint32_t *)m = 1;
	CU_ASSERT_FALSE(tg_ring_pop(&c, &out));
	/* the lap-1 marker of slot 0 (value 0) is the zeroed value: never valid on lap 0 */
	CU_ASSERT_EQUAL(tg_ring_phase(&c, 0), 1);
	CU_ASSERT_EQUAL(tg_ring_phase(&c, 4), 0);
	CU_ASSERT_EQUAL(tg_ring_phase(&c, 8), 1);
	CU_ASSERT_TRUE(tg_ring_push(&p, &in));
	CU_ASSERT_TRUE(tg_ring_pop(&c, &out));
	CU_ASSERT_EQUAL(out.seq, 42);
	/* a record of the previous lap is not valid on the next lap */
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_TRUE(tg_ring_push(&p, &in));
		CU_ASSERT_TRUE(tg_ring_pop(&c, &out));
	}
	CU_ASSERT_FALSE(tg_ring_pop(&c, &out));	/* slot 0 still holds the lap-0 record */
	free(m);
}

struct thread_arg {
	void *mem;
	size_t bytes;
	unsigned log2;
	uint64_t count;
	uint64_t errors;
	uint64_t received;
};

static void *producer(void *p)
{
	struct thread_arg *a = p;
	struct tg_ring r;
	struct rec64 rec;

	if (tg_ring_attach(&r, a->mem, a->bytes, a->log2, 64) != TG_OK)
		return NULL;
	memset(&rec, 0, sizeof(rec));
	for (uint64_t seq = 0; seq < a->count;) {
		rec.seq = seq;
		rec.check = check_of(seq);
		rec.fill[0] = (uint8_t)seq;
		rec.fill[46] = (uint8_t)(seq >> 8);
		if (tg_ring_push(&r, &rec))
			seq++;
		else
			sched_yield();	/* the suite may share the cores with other tests */
	}
	return NULL;
}

static void *consumer(void *p)
{
	struct thread_arg *a = p;
	struct tg_ring r;
	struct rec64 rec;

	if (tg_ring_attach(&r, a->mem, a->bytes, a->log2, 64) != TG_OK)
		return NULL;
	while (a->received < a->count) {
		if (!tg_ring_pop(&r, &rec)) {
			sched_yield();
			continue;
		}
		/* exact sequence: any loss, duplicate or reorder shows here */
		if (rec.seq != a->received || rec.check != check_of(rec.seq) ||
		    rec.fill[0] != (uint8_t)rec.seq || rec.fill[46] != (uint8_t)(rec.seq >> 8))
			a->errors++;
		a->received++;
	}
	return NULL;
}

static void test_two_threads(void)
{
	struct thread_arg a = { .log2 = 10, .count = TG_TEST_RING_RECORDS };
	pthread_t tp, tc;

	a.bytes = tg_ring_mem_bytes(a.log2, 64);
	a.mem = alloc_ring(a.log2, 64);
	CU_ASSERT_EQUAL_FATAL(tg_ring_format(a.mem, a.bytes, a.log2, 64), TG_OK);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&tc, NULL, consumer, &a), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&tp, NULL, producer, &a), 0);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	CU_ASSERT_EQUAL(a.received, a.count);
	CU_ASSERT_EQUAL(a.errors, 0);
	free(a.mem);
}

int main(void)
{
	static const struct tg_cunit_test tests[] = {
		{ "argument checks", test_argument_checks },
		{ "full, empty and wrap-around", test_full_empty_wrap },
		{ "marker guards a half-written record", test_marker_guards_half_written },
		{ "two threads, no loss, duplication or reordering", test_two_threads },
	};
	int rc = tg_cunit_run("ring", NULL, NULL, tests, TG_CUNIT_COUNT(tests));

	return rc;
}
