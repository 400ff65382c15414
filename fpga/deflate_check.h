/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A check of a raw DEFLATE stream (RFC 1951) before it reaches an inflate
 * device: the input a guest hands to a decompressor is untrusted too.
 *
 * Why: a software PMD runs inflate inside its enqueue, on the caller's
 * lcore, and trusts the stream to end. DPDK 22.11's compress_isal, given
 * chained mbufs, loops for ever on a stream whose last block is not final
 * (10 bytes suffice), and on one linear buffer it reports a truncated
 * stream as a success. So compressdev.c copies the guest's stream (it may
 * change under us), checks the copy here, and hands the device only
 * streams that end - with an output room it knows is large enough.
 *
 * The walk decodes every block header and every Huffman symbol, but
 * writes no output: it only counts it, so a match costs the same whatever
 * its length. Work is linear in the input (each symbol consumes at least
 * one bit; each block header several), memory is a few KiB of stack.
 * No allocation, no syscall, no log: fast-path safe on any thread.
 */
#ifndef HOSTLANE_FPGA_DEFLATE_CHECK_H
#define HOSTLANE_FPGA_DEFLATE_CHECK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One piece of the stream: len bytes at p. */
struct fpga_deflate_seg {
	const uint8_t *p;
	uint32_t len;
};

/**
 * Check that the concatenated segments are exactly one raw DEFLATE stream
 * and count the bytes it inflates to.
 *
 * Accepted: well-formed blocks (stored, fixed, dynamic Huffman), codes
 * neither over-subscribed nor incomplete (except a single-code distance
 * set, as zlib allows), an end-of-block code in every Huffman block,
 * every distance within the output so far, and a final block that ends in
 * the last byte of the input (only padding bits after it).
 *
 * @param segs     the stream, in order (the caller's copy: it must not
 *                 change meanwhile); empty segments are allowed
 * @param n_segs   how many
 * @param max_out  the output room: counting stops beyond it
 * @param out_len  receives the inflated length (on success)
 * @return 0; -EBADMSG the stream is malformed, truncated, has no final
 *         block or has bytes after it; -EMSGSIZE it inflates to more than
 *         max_out bytes; -E2BIG more Huffman blocks than 16 plus one
 *         per 256 bytes of input and one per KiB of output so far (a
 *         work limit: real compressors make far fewer).
 */
int fpga_deflate_check(const struct fpga_deflate_seg *segs, unsigned int n_segs,
		       uint32_t max_out, uint32_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_DEFLATE_CHECK_H */
