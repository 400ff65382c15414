/* SPDX-License-Identifier: BSD-3-Clause */
/* Millisecond deadlines on CLOCK_MONOTONIC. */
#include <limits.h>
#include <time.h>

#include "hl_clock.h"

int64_t
hl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
hl_now_ms_coarse(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
hl_deadline_coarse(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : hl_now_ms_coarse() + timeout_ms;
}

int64_t
hl_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : hl_now_ms() + timeout_ms;
}

int
hl_ms_left(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - hl_now_ms();
	return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

int
hl_deadline_passed(int64_t deadline)
{
	return deadline >= 0 && hl_now_ms() >= deadline;
}
