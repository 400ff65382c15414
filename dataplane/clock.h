/* SPDX-License-Identifier: BSD-3-Clause */
/* Slow-path time: milliseconds on the monotonic clock (any thread). */
#ifndef DP_CLOCK_H
#define DP_CLOCK_H

#include <stdint.h>
#include <time.h>

/** Milliseconds on CLOCK_MONOTONIC. Not for the fast path (use the TSC). */
static inline uint64_t
dp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif /* DP_CLOCK_H */
