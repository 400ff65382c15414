/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The input bench/accel (in-process) and bench/accel_guest (through
 * hostlane) both use, so that their rates compare: text-like bytes, words
 * of 2 to 9 letters from a pseudo-random sequence, that deflate about 3:1
 * (the compressor's speed depends on the data, and so does the check of a
 * stream before inflate: it walks every Huffman symbol).
 */
#ifndef BENCH_ACCEL_INPUT_H
#define BENCH_ACCEL_INPUT_H

#include <stdint.h>

static inline uint32_t
accel_input_next(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x;
}

static inline void
accel_input_fill(uint8_t *b, uint32_t n)
{
	uint32_t x = 12345, i = 0;

	while (i < n) {
		uint32_t len = 2 + ((accel_input_next(&x) >> 8) & 7);

		for (uint32_t j = 0; j < len && i < n; j++)
			b[i++] = (uint8_t)('a' + ((accel_input_next(&x) >> 16) & 3));
		if (i < n)
			b[i++] = ' ';
	}
}

#endif /* BENCH_ACCEL_INPUT_H */
