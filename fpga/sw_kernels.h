/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The software function kernels, callable directly.
 *
 * The sw backend runs jobs with exactly these functions, and the Host-Host
 * benchmark calls them natively, so both measure the same code. They are
 * pure, thread-safe and fast-path clean. They do not check arguments: the
 * job interface rejects what the catalog forbids (fpga_job_validate()).
 *
 * Repetitions are real work: each repetition recomputes from scratch and
 * the compiler is barred from merging, hoisting or dropping any of them.
 */
#ifndef HOSTLANE_FPGA_SW_KERNELS_H
#define HOSTLANE_FPGA_SW_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * n! in wrapping 64-bit arithmetic, computed reps times.
 * @param n     operand; exact up to 20, mod 2^64 beyond (0 from 66 on).
 * @param reps  repetitions; 0 computes nothing and returns 1.
 * @return n! mod 2^64 from the last repetition.
 */
uint64_t fpga_sw_factorial(uint64_t n, uint64_t reps);

/**
 * fib(n) (fib(0) = 0, fib(1) = 1), computed reps times.
 * @param n     operand; exact up to FPGA_FIBONACCI_MAX_N (93), mod 2^64
 *   beyond.
 * @param reps  repetitions; 0 computes nothing and returns 0.
 * @return fib(n) from the last repetition.
 */
uint64_t fpga_sw_fibonacci(uint64_t n, uint64_t reps);

/**
 * The standard CRC-32C (Castagnoli, reflected, init 0xFFFFFFFF, final
 * xor 0xFFFFFFFF; "123456789" gives 0xE3069283), on DPDK's rte_hash_crc()
 * (SSE4.2 / ARMv8 CRC instructions when present). Note rte_hash_crc()
 * alone applies neither the standard init nor the final xor.
 * @param data  bytes, may be NULL if len is 0.
 * @param len   number of bytes.
 * @return the CRC.
 */
uint32_t fpga_sw_crc32c(const void *data, uint32_t len);

/**
 * CRC-32C in pieces: crc = 0xFFFFFFFF, then this over each piece in order,
 * then xor 0xFFFFFFFF gives fpga_sw_crc32c() of the whole.
 * @param crc   the state after the previous pieces
 * @param data  this piece, may be NULL if len is 0
 * @param len   its length
 * @return the new state.
 */
uint32_t fpga_sw_crc32c_update(uint32_t crc, const void *data, uint32_t len);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_SW_KERNELS_H */
