/* SPDX-License-Identifier: BSD-3-Clause */
/* A walk over a raw DEFLATE stream that checks it and counts its output. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "deflate_check.h"

#define DC_MIN(a, b) ((a) < (b) ? (a) : (b))

#define DC_MAX_BITS 15		/* longest Huffman code */
#define DC_LIT_ROOT 10		/* bits looked up at once: literal/length */
#define DC_DIST_ROOT 8		/* ... distance */
#define DC_CL_ROOT 7		/* ... code length code (7 bits at most) */
#define DC_NLIT 288
#define DC_NDIST 32
#define DC_NCL 19
#define DC_SYM_BITS 9		/* table entry: len << 9 | symbol */
#define DC_SYM_MASK ((1u << DC_SYM_BITS) - 1)

/*
 * Each Huffman block costs the device a table set-up (compress_isal: about
 * 0.5 us for a fixed block, 1.5 us for a dynamic one, measured), so a
 * stream of tiny blocks costs far more per byte than a real one: 59 KB of
 * empty fixed blocks kept compress_isal busy for 22 ms. No compressor makes
 * them (zlib's blocks hold 16K symbols unless flushed that often). At most
 * this many, plus one per DC_BYTES_PER_BLOCK of input and one per
 * DC_OUT_PER_BLOCK of output (a stream flushed every KiB); stored blocks
 * (flush markers) cost little and are not counted.
 */
#define DC_BLOCKS_BASE 16u
#define DC_BYTES_PER_BLOCK 256u
#define DC_OUT_PER_BLOCK 1024u	/* ... and per this much output so far */

/* Input bits, least significant first (RFC 1951 3.1.1), over segments. */
struct dc_in {
	const uint8_t *p;	/* in the current segment */
	const uint8_t *end;
	const struct fpga_deflate_seg *seg;	/* the segments after it */
	const struct fpga_deflate_seg *seg_end;
	uint64_t bb;		/* bits not yet consumed, from bit 0 */
	unsigned int n;		/* how many of them are valid */
};

/* Step to the next segment with bytes in it; false at the end of input. */
static bool
dc_next_seg(struct dc_in *b)
{
	while (b->p == b->end && b->seg < b->seg_end) {
		b->p = b->seg->p;
		b->end = b->p + b->seg->len;
		b->seg++;
	}
	return b->p < b->end;
}

/* Fill bb to at least 56 bits while input lasts. Bits above n are always
 * the input's next bits (or 0), so or-ing them in again is harmless. */
static inline void
dc_refill(struct dc_in *b)
{
	if (b->end - b->p >= 8) {
		uint64_t v;

		memcpy(&v, b->p, sizeof(v));	/* the stream is little-endian */
		b->bb |= v << b->n;
		b->p += (63 - b->n) >> 3;
		b->n |= 56;
		return;
	}
	while (b->n <= 56 && (b->p < b->end || dc_next_seg(b))) {
		b->bb |= (uint64_t)*b->p++ << b->n;
		b->n += 8;
	}
}

/* A canonical Huffman code: root lookup table plus counts for longer codes. */
struct dc_huff {
	uint16_t count[DC_MAX_BITS + 1];	/* codes per length */
	uint16_t sym[DC_NLIT];			/* symbols by (length, value) */
	uint16_t root[1u << DC_LIT_ROOT];	/* len << 9 | sym; 0: longer
						   code or none */
	unsigned int root_bits;
};

/* Skip k whole bytes of input after the bits in bb; false if it ends. */
static bool
dc_skip(struct dc_in *b, uint64_t k)
{
	b->bb = 0;
	b->n = 0;
	while (k > 0) {
		uint64_t here;

		if (b->p == b->end && !dc_next_seg(b))
			return false;
		here = DC_MIN(k, (uint64_t)(b->end - b->p));
		b->p += here;
		k -= here;
	}
	return true;
}

/* Take k <= 32 bits; false if the input ends first. */
static inline bool
dc_bits(struct dc_in *b, unsigned int k, uint32_t *v)
{
	if (b->n < k) {
		dc_refill(b);
		if (b->n < k)
			return false;
	}
	*v = (uint32_t)(b->bb & ((1ull << k) - 1));
	b->bb >>= k;
	b->n -= k;
	return true;
}

static inline void
dc_drop(struct dc_in *b, unsigned int k)
{
	b->bb >>= k;
	b->n -= k;
}

static uint32_t
dc_reverse(uint32_t code, unsigned int len)
{
	uint32_t r = 0;

	for (unsigned int i = 0; i < len; i++, code >>= 1)
		r = (r << 1) | (code & 1);
	return r;
}

/*
 * Build h from n code lengths. Over-subscribed sets are refused; an
 * incomplete one only when allowed (a set of at most one code: zlib's
 * rule for literal/length and distance sets), its unused patterns then
 * failing to decode. @return 0 or -EBADMSG.
 */
static int
dc_build(struct dc_huff *h, const uint8_t *len, unsigned int n,
	 unsigned int root_bits, bool allow_sparse)
{
	uint16_t offs[DC_MAX_BITS + 2], next[DC_MAX_BITS + 1];
	int left = 1;
	uint32_t code = 0;

	memset(h->count, 0, sizeof(h->count));
	for (unsigned int s = 0; s < n; s++)
		h->count[len[s]]++;
	for (unsigned int l = 1; l <= DC_MAX_BITS; l++) {
		left = (left << 1) - h->count[l];
		if (left < 0)
			return -EBADMSG;
	}
	/* Incomplete: only no code at all, or one code of one bit. */
	if (left > 0 && !(allow_sparse && n - h->count[0] == h->count[1] &&
			  h->count[1] <= 1))
		return -EBADMSG;
	offs[1] = 0;
	for (unsigned int l = 1; l <= DC_MAX_BITS; l++) {
		offs[l + 1] = (uint16_t)(offs[l] + h->count[l]);
		code = (code + (l > 1 ? h->count[l - 1] : 0u)) << 1;
		next[l] = (uint16_t)code;
	}
	h->root_bits = root_bits;
	memset(h->root, 0, sizeof(h->root[0]) << root_bits);
	for (unsigned int s = 0; s < n; s++) {
		unsigned int l = len[s];
		uint32_t r;

		if (l == 0)
			continue;
		h->sym[offs[l]++] = (uint16_t)s;
		r = dc_reverse(next[l]++, l);
		if (l > root_bits)
			continue;
		for (; r < (1u << root_bits); r += 1u << l)
			h->root[r] = (uint16_t)(l << DC_SYM_BITS | s);
	}
	return 0;
}

/* Canonical decode one bit at a time: codes longer than the root table,
 * and patterns of no code. @return the symbol, or -1. */
static int
dc_decode_slow(struct dc_in *b, const struct dc_huff *h)
{
	int code = 0, first = 0, index = 0;

	if (b->n < DC_MAX_BITS)
		dc_refill(b);
	for (unsigned int l = 1; l <= DC_MAX_BITS && l <= b->n; l++) {
		int count = h->count[l];

		code |= (int)((b->bb >> (l - 1)) & 1);
		if (code - first < count) {
			dc_drop(b, l);
			return h->sym[index + code - first];
		}
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -1;
}

static inline int
dc_decode(struct dc_in *b, const struct dc_huff *h)
{
	uint16_t e;

	if (b->n < DC_MAX_BITS)
		dc_refill(b);
	e = h->root[b->bb & ((1u << h->root_bits) - 1)];
	if (e == 0 || (e >> DC_SYM_BITS) > b->n)
		return dc_decode_slow(b, h);
	dc_drop(b, e >> DC_SYM_BITS);
	return e & DC_SYM_MASK;
}

/* RFC 1951 3.2.5: base values and extra bits of lengths and distances. */
static const uint16_t dc_len_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t dc_len_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t dc_dist_base[30] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
	8193, 12289, 16385, 24577 };
static const uint8_t dc_dist_extra[30] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* The fixed codes (RFC 1951 3.2.6), built once at load. */
static struct dc_huff dc_fixed_lit, dc_fixed_dist;

__attribute__((constructor)) static void
dc_fixed_init(void)
{
	uint8_t len[DC_NLIT];
	unsigned int s;

	for (s = 0; s < 144; s++)
		len[s] = 8;
	for (; s < 256; s++)
		len[s] = 9;
	for (; s < 280; s++)
		len[s] = 7;
	for (; s < DC_NLIT; s++)
		len[s] = 8;
	(void)dc_build(&dc_fixed_lit, len, DC_NLIT, DC_LIT_ROOT, false);
	memset(len, 5, DC_NDIST);
	(void)dc_build(&dc_fixed_dist, len, DC_NDIST, DC_DIST_ROOT, false);
}

/* One match: its length and distance; out is the output so far. */
static int
dc_match(struct dc_in *b, const struct dc_huff *dist, int sym, uint64_t *out)
{
	uint32_t extra, len, d;
	int ds;

	if (sym > 285)
		return -EBADMSG;
	sym -= 257;
	if (!dc_bits(b, dc_len_extra[sym], &extra))
		return -EBADMSG;
	len = dc_len_base[sym] + extra;
	ds = dc_decode(b, dist);
	if (ds < 0 || ds > 29 || !dc_bits(b, dc_dist_extra[ds], &extra))
		return -EBADMSG;
	d = dc_dist_base[ds] + extra;
	if (d > *out)
		return -EBADMSG;	/* before the start of the output */
	*out += len;
	return 0;
}

/* One symbol the careful way: every read checks for the end of input.
 * @return 0, 1 at the end of the block, or -errno. */
static int
dc_symbol(struct dc_in *b, const struct dc_huff *lit, const struct dc_huff *dist,
	  uint64_t *out)
{
	int sym = dc_decode(b, lit);

	if (sym < 0)
		return -EBADMSG;
	if (sym < 256) {
		++*out;
		return 0;
	}
	if (sym == 256)
		return 1;
	return dc_match(b, dist, sym, out);
}

/* A root-table hit, or the slow decode. Enough bits must be in hand. */
static inline int
dc_decode_held(struct dc_in *b, const struct dc_huff *h)
{
	uint16_t e = h->root[b->bb & ((1u << h->root_bits) - 1)];

	if (e == 0)
		return dc_decode_slow(b, h);
	dc_drop(b, e >> DC_SYM_BITS);
	return e & DC_SYM_MASK;
}

/*
 * The same, while the input goes on for 8 more bytes: one refill then
 * holds 56 bits, and a symbol with its match needs at most 48 (15 + 5 +
 * 15 + 13), so no read inside checks for the end of input.
 */
static int
dc_symbol_fast(struct dc_in *b, const struct dc_huff *lit,
	       const struct dc_huff *dist, uint64_t *out)
{
	int sym, ds;
	uint32_t len, d;

	dc_refill(b);
	sym = dc_decode_held(b, lit);
	if (sym < 256) {
		if (sym < 0)
			return -EBADMSG;
		++*out;
		return 0;
	}
	if (sym == 256)
		return 1;
	if (sym > 285)
		return -EBADMSG;
	sym -= 257;
	len = dc_len_base[sym] + (uint32_t)(b->bb & ((1u << dc_len_extra[sym]) - 1));
	dc_drop(b, dc_len_extra[sym]);
	ds = dc_decode_held(b, dist);
	if (ds < 0 || ds > 29)
		return -EBADMSG;
	d = dc_dist_base[ds] + (uint32_t)(b->bb & ((1u << dc_dist_extra[ds]) - 1));
	dc_drop(b, dc_dist_extra[ds]);
	if (d > *out)
		return -EBADMSG;	/* before the start of the output */
	*out += len;
	return 0;
}

/* A Huffman block's symbols up to its end-of-block code. */
static int
dc_huff_block(struct dc_in *b, const struct dc_huff *lit,
	      const struct dc_huff *dist, uint64_t *out, uint64_t max_out)
{
	for (;;) {
		int rc = b->end - b->p >= 8 ? dc_symbol_fast(b, lit, dist, out) :
			 dc_symbol(b, lit, dist, out);

		if (rc != 0)
			return rc > 0 ? 0 : rc;
		if (*out > max_out)
			return -EMSGSIZE;
	}
}

/* A stored block: LEN, NLEN, then LEN bytes copied as they are. */
static int
dc_stored(struct dc_in *b, uint64_t *out)
{
	uint32_t len, nlen, buffered;

	dc_drop(b, b->n & 7);			/* to the byte boundary */
	if (!dc_bits(b, 16, &len) || !dc_bits(b, 16, &nlen) ||
	    nlen != (~len & 0xffff))
		return -EBADMSG;
	buffered = b->n / 8;
	if (len <= buffered)
		dc_drop(b, len * 8);
	else if (!dc_skip(b, len - buffered))
		return -EBADMSG;
	*out += len;
	return 0;
}

/* Code lengths of a dynamic block, coded with the code length code. */
static int
dc_lengths(struct dc_in *b, const struct dc_huff *cl, uint8_t *len,
	   unsigned int n)
{
	for (unsigned int i = 0; i < n;) {
		int sym = dc_decode(b, cl);
		uint32_t rep, fill = 0;

		if (sym < 0)
			return -EBADMSG;
		if (sym < 16) {
			len[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) {
			if (i == 0 || !dc_bits(b, 2, &rep))
				return -EBADMSG;
			fill = len[i - 1];
			rep += 3;
		} else if (!dc_bits(b, sym == 17 ? 3 : 7, &rep)) {
			return -EBADMSG;
		} else {
			rep += sym == 17 ? 3 : 11;
		}
		if (rep > n - i)
			return -EBADMSG;
		memset(len + i, (int)fill, rep);
		i += rep;
	}
	return 0;
}

/* A dynamic block's header: its two codes. */
static int
dc_dynamic_codes(struct dc_in *b, struct dc_huff *lit, struct dc_huff *dist)
{
	static const uint8_t order[DC_NCL] = { 16, 17, 18, 0, 8, 7, 9, 6, 10,
					       5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };
	uint8_t cl_len[DC_NCL] = { 0 }, len[DC_NLIT + DC_NDIST];
	uint32_t hlit, hdist, hclen, v;
	struct dc_huff cl;

	if (!dc_bits(b, 5, &hlit) || !dc_bits(b, 5, &hdist) ||
	    !dc_bits(b, 4, &hclen))
		return -EBADMSG;
	hlit += 257;
	hdist += 1;
	if (hlit > 286 || hdist > 30)
		return -EBADMSG;
	for (uint32_t i = 0; i < hclen + 4; i++) {
		if (!dc_bits(b, 3, &v))
			return -EBADMSG;
		cl_len[order[i]] = (uint8_t)v;
	}
	if (dc_build(&cl, cl_len, DC_NCL, DC_CL_ROOT, false) < 0 ||
	    dc_lengths(b, &cl, len, hlit + hdist) < 0 ||
	    len[256] == 0)			/* no end-of-block code */
		return -EBADMSG;
	if (dc_build(lit, len, hlit, DC_LIT_ROOT, true) < 0 ||
	    dc_build(dist, len + hlit, hdist, DC_DIST_ROOT, true) < 0)
		return -EBADMSG;
	return 0;
}

static int
dc_block(struct dc_in *b, uint32_t type, uint64_t *out, uint64_t max_out)
{
	struct dc_huff lit, dist;
	int rc;

	switch (type) {
	case 0:
		return dc_stored(b, out);
	case 1:
		return dc_huff_block(b, &dc_fixed_lit, &dc_fixed_dist, out, max_out);
	case 2:
		rc = dc_dynamic_codes(b, &lit, &dist);
		return rc < 0 ? rc : dc_huff_block(b, &lit, &dist, out, max_out);
	default:
		return -EBADMSG;		/* reserved block type */
	}
}

int
fpga_deflate_check(const struct fpga_deflate_seg *segs, unsigned int n_segs,
		   uint32_t max_out, uint32_t *out_len)
{
	struct dc_in b = { .seg = segs, .seg_end = segs + n_segs };
	uint64_t out = 0, allowed = DC_BLOCKS_BASE, blocks = 0;
	uint32_t final = 0, type;
	int rc;

	for (unsigned int i = 0; i < n_segs; i++)
		allowed += segs[i].len / DC_BYTES_PER_BLOCK;
	while (!final) {
		if (!dc_bits(&b, 1, &final) || !dc_bits(&b, 2, &type))
			return -EBADMSG;
		if (type != 0 && ++blocks > allowed + out / DC_OUT_PER_BLOCK)
			return -E2BIG;
		rc = dc_block(&b, type, &out, max_out);
		if (rc < 0)
			return rc;
		if (out > max_out)
			return -EMSGSIZE;
	}
	/* Only the padding bits of the last byte may follow. */
	if (b.n >= 8 || dc_next_seg(&b))
		return -EBADMSG;
	*out_len = (uint32_t)out;
	return 0;
}
