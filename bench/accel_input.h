/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The input bench/accel (in-process) and bench/accel_guest (through
 * hostlane) both use, so that their rates compare: text-like bytes that
 * deflate about 3:1 (the compressor's speed depends on the data).
 */
#ifndef BENCH_ACCEL_INPUT_H
#define BENCH_ACCEL_INPUT_H

#include <stdint.h>

static inline void
accel_input_fill(uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		b[i] = (uint8_t)("hostlane accel "[i % 15] ^ (i / 997 % 3));
}

#endif /* BENCH_ACCEL_INPUT_H */
