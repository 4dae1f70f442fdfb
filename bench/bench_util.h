/* Small helpers the benchmarks share: a monotonic clock and qsort comparators. */
#ifndef TG_BENCH_UTIL_H
#define TG_BENCH_UTIL_H

#include <stdint.h>

#include "tickgate/clock.h"

static inline double bench_now_s(void)
{
	return (double)tg_monotonic_ns() / 1e9;
}

static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

#endif
