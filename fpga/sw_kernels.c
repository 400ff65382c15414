/* SPDX-License-Identifier: BSD-3-Clause */
/* Software function kernels shared by the sw backend and the benchmarks. */
#include <stdint.h>

#include <rte_hash_crc.h>

#include "sw_kernels.h"

/*
 * Make v opaque to the optimiser: it must assume v is read and rewritten
 * here, so a repetition's start cannot be known and its result cannot be
 * dropped — every repetition is computed.
 */
#define FPGA_SW_OPAQUE(v) __asm__ volatile("" : "+r"(v))

uint64_t
fpga_sw_factorial(uint64_t n, uint64_t reps)
{
	uint64_t r, i, acc = 1;

	for (r = 0; r < reps; r++) {
		acc = 1;
		FPGA_SW_OPAQUE(acc);
		for (i = n; i > 1; i--)
			acc *= i;
		FPGA_SW_OPAQUE(acc);
	}
	return acc;
}

uint64_t
fpga_sw_fibonacci(uint64_t n, uint64_t reps)
{
	uint64_t r, i, a = 0, b, t;

	for (r = 0; r < reps; r++) {
		a = 0;
		b = 1;
		FPGA_SW_OPAQUE(a);
		FPGA_SW_OPAQUE(b);
		for (i = 0; i < n; i++) {
			t = a + b;
			a = b;
			b = t;
		}
		FPGA_SW_OPAQUE(a);
	}
	return a;
}

/*
 * rte_hash_crc() loads 8/4/2-byte words through casts; feed it an 8-byte
 * aligned start (head bytes one at a time) so that guest payloads at any
 * offset never make it load misaligned.
 */
uint32_t
fpga_sw_crc32c_update(uint32_t crc, const void *data, uint32_t len)
{
	const uint8_t *p = data;

	while (len != 0 && ((uintptr_t)p & 7) != 0) {
		crc = rte_hash_crc_1byte(*p++, crc);
		len--;
	}
	if (len != 0)
		crc = rte_hash_crc(p, len, crc);
	return crc;
}

uint32_t
fpga_sw_crc32c(const void *data, uint32_t len)
{
	return fpga_sw_crc32c_update(0xFFFFFFFFu, data, len) ^ 0xFFFFFFFFu;
}
