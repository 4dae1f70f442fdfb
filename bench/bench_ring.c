/*
 * bench_ring: SPSC ring throughput, one thread (and core) per side.
 *
 * The baseline, measured in the same run, is one thread copying the same
 * records through a ring-sized buffer with memcpy: the ring's figure is
 * reported as a ratio to it, because absolute rates on a shared machine
 * mean little. Prints one JSON object.
 *
 * usage: bench_ring [--records N] [--log2 L] [--repeat R]
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tickgate/json.h"
#include "tickgate/ring.h"

#include "bench_util.h"

#define REC 64u

struct side {
	void *mem;
	size_t bytes;
	unsigned log2;
	uint64_t n;
	int cpu;
	uint64_t sum;
};

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);	/* best effort */
}

static void *producer(void *p)
{
	struct side *s = p;
	struct tg_ring r;
	uint8_t rec[REC] = { 0 };

	pin(s->cpu);
	if (tg_ring_attach(&r, s->mem, s->bytes, s->log2, REC) != TG_OK)
		return NULL;
	for (uint64_t i = 0; i < s->n;) {
		memcpy(rec, &i, sizeof(i));
		if (tg_ring_push(&r, rec))
			i++;
	}
	return NULL;
}

static void *consumer(void *p)
{
	struct side *s = p;
	struct tg_ring r;
	uint8_t rec[REC];
	uint64_t v;

	pin(s->cpu);
	if (tg_ring_attach(&r, s->mem, s->bytes, s->log2, REC) != TG_OK)
		return NULL;
	for (uint64_t i = 0; i < s->n;) {
		if (tg_ring_pop(&r, rec)) {
			memcpy(&v, rec, sizeof(v));
			s->sum += v;
			i++;
		}
	}
	return NULL;
}

static double run_ring(uint64_t n, unsigned log2, uint64_t *sum)
{
	struct side p = { .log2 = log2, .n = n, .cpu = 0 }, c;
	pthread_t tp, tc;
	double t0, t1;

	p.bytes = tg_ring_mem_bytes(log2, REC);
	p.mem = aligned_alloc(4096, (p.bytes + 4095) & ~(size_t)4095);
	if (p.mem == NULL || tg_ring_format(p.mem, p.bytes, log2, REC) != TG_OK)
		exit(1);
	c = p;
	c.cpu = 1;
	t0 = bench_now_s();
	pthread_create(&tc, NULL, consumer, &c);
	pthread_create(&tp, NULL, producer, &p);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	t1 = bench_now_s();
	*sum = c.sum;
	free(p.mem);
	return (double)n / (t1 - t0);
}

/* baseline: the same records through a ring-sized buffer, one thread, plain copies */
static double run_memcpy(uint64_t n, unsigned log2, uint64_t *sum)
{
	size_t slots = (size_t)1 << log2;
	uint8_t *buf = aligned_alloc(64, slots * REC);
	uint8_t rec[REC] = { 0 }, out[REC];
	uint64_t v, s = 0;
	double t0, t1;

	if (buf == NULL)
		exit(1);
	t0 = bench_now_s();
	for (uint64_t i = 0; i < n; i++) {
		memcpy(rec, &i, sizeof(i));
		memcpy(buf + (i & (slots - 1)) * REC, rec, REC);
		memcpy(out, buf + (i & (slots - 1)) * REC, REC);
		memcpy(&v, out, sizeof(v));
		s += v;
		__asm__ volatile("" : : "r"(buf) : "memory");	/* keep the copies */
	}
	t1 = bench_now_s();
	*sum = s;
	free(buf);
	return (double)n / (t1 - t0);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	uint64_t n = 20000000, sum_r = 0, sum_m = 0;
	unsigned log2 = 10, repeat = 5;
	double ring[16], base[16], ratio[16];
	struct tg_json j;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--records") == 0 && i + 1 < argc)
			n = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--log2") == 0 && i + 1 < argc)
			log2 = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
			repeat = (unsigned)atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: bench_ring [--records N] [--log2 L] [--repeat R]\n");
			return 2;
		}
	}
	if (n == 0 || repeat == 0 || repeat > 16 || log2 < TG_RING_MIN_LOG2 || log2 > TG_RING_MAX_LOG2) {
		fprintf(stderr, "bench_ring: records > 0, repeat 1..16, log2 %u..%u\n", TG_RING_MIN_LOG2,
			TG_RING_MAX_LOG2);
		return 2;
	}
	/* interleave baseline and ring runs so both see the same machine state */
	for (unsigned k = 0; k < repeat; k++) {
		base[k] = run_memcpy(n, log2, &sum_m);
		ring[k] = run_ring(n, log2, &sum_r);
		ratio[k] = ring[k] / base[k];
	}
	qsort(ring, repeat, sizeof(double), cmp);
	qsort(base, repeat, sizeof(double), cmp);
	qsort(ratio, repeat, sizeof(double), cmp);
	tg_json_init(&j, stdout);
	tg_json_object_begin(&j, NULL);
	tg_json_string(&j, "bench", "ring_throughput");
	tg_json_u64(&j, "records", n);
	tg_json_u64(&j, "record_bytes", REC);
	tg_json_u64(&j, "ring_records", 1ull << log2);
	tg_json_u64(&j, "repeat", repeat);
	tg_json_double(&j, "ring_records_per_s_median", ring[repeat / 2]);
	tg_json_double(&j, "baseline_memcpy_records_per_s_median", base[repeat / 2]);
	tg_json_double(&j, "ratio_ring_to_memcpy_median", ratio[repeat / 2]);
	tg_json_bool(&j, "checksums_match", sum_r == sum_m);
	tg_json_object_end(&j);
	tg_json_finish(&j);
	return sum_r == sum_m ? 0 : 1;
}
