/*
 * The monotonic clock in nanoseconds: for deadlines, rates and wall-clock
 * measurements, never for timestamps that leave the process.
 */
#ifndef TICKGATE_CLOCK_H
#define TICKGATE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t tg_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif
