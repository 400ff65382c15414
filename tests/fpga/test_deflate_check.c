/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fpga_deflate_check() against zlib's raw inflate, the reference: every
 * stream zlib makes (all levels and strategies, with and without flushes)
 * is accepted with zlib's output length; every strict prefix, every
 * stream without a final block and every stream with bytes after it is
 * refused; for mutated streams the two agree (accepted by one iff by the
 * other, with the same length); a stream in segments is judged as a whole.
 * Includes the 10-byte stream that once hung compress_isal.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate_check.h"
#include "fpga_check.h"

#define MAX_IN 70000u
#if defined(__SANITIZE_ADDRESS__)
#define PREFIX_SAMPLES 100u
#else
#define PREFIX_SAMPLES 500u
#endif
#define ROOM (MAX_IN + 1024u)

static uint64_t rng = 0x243F6A8885A308D3ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Data of a given flavour: 0 random, 1 text-like, 2 runs, 3 zeros. */
static void
fill(uint8_t *b, uint32_t n, unsigned int flavour)
{
	static const char *const w[] = { "host ", "lane ", "memif ", "ring ",
					 "guest ", "deflate ", "\n" };

	for (uint32_t i = 0; i < n;) {
		switch (flavour) {
		case 0:
			b[i++] = (uint8_t)rnd();
			break;
		case 1:
			for (const char *s = w[rnd() % 7]; *s && i < n; s++)
				b[i++] = (uint8_t)*s;
			break;
		case 2:
			for (uint32_t k = rnd() % 300, c = rnd(); k-- && i < n;)
				b[i++] = (uint8_t)c;
			break;
		default:
			b[i++] = 0;
		}
	}
}

/* Raw deflate with zlib; flush_every > 0 adds a sync flush that often. */
static uint32_t
zdeflate(const uint8_t *in, uint32_t n, int level, int strategy,
	 uint32_t flush_every, bool finish, uint8_t *out, uint32_t cap)
{
	z_stream z = { 0 };
	uint32_t done = 0;

	if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, strategy) != Z_OK)
		abort();
	z.next_out = out;
	z.avail_out = cap;
	while (done < n || flush_every == 0) {
		uint32_t k = flush_every == 0 ? n :
			     flush_every < n - done ? flush_every : n - done;
		bool last = done + k == n;

		z.next_in = (uint8_t *)(uintptr_t)(in + done);
		z.avail_in = k;
		if (deflate(&z, last && finish ? Z_FINISH :
			    flush_every ? Z_SYNC_FLUSH : Z_NO_FLUSH) == Z_STREAM_ERROR)
			abort();
		done += k;
		if (last)
			break;
	}
	deflateEnd(&z);
	return cap - z.avail_out;
}

/* zlib's verdict: 0 and the length iff the stream ends exactly at len. */
static int
zinflate(const uint8_t *in, uint32_t len, uint32_t *out_len)
{
	static uint8_t out[ROOM];
	z_stream z = { 0 };
	int rc;

	if (inflateInit2(&z, -15) != Z_OK)
		abort();
	z.next_in = (uint8_t *)(uintptr_t)in;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = ROOM;
	rc = inflate(&z, Z_FINISH);
	*out_len = ROOM - z.avail_out;
	inflateEnd(&z);
	return rc == Z_STREAM_END && z.avail_in == 0 ? 0 : -1;
}

static int
check1(const uint8_t *in, uint32_t len, uint32_t room, uint32_t *out_len)
{
	struct fpga_deflate_seg seg = { .p = in, .len = len };

	return fpga_deflate_check(&seg, 1, room, out_len);
}

/* The same stream cut into random segments (some empty). */
static int
check_cut(const uint8_t *in, uint32_t len, uint32_t room, uint32_t *out_len)
{
	struct fpga_deflate_seg segs[9];
	unsigned int n = 0;
	uint32_t off = 0;

	while (n < 8 && off < len) {
		uint32_t k = rnd() % 4 == 0 ? 0 : rnd() % (len - off + 1);

		segs[n++] = (struct fpga_deflate_seg){ in + off, k };
		off += k;
	}
	segs[n++] = (struct fpga_deflate_seg){ in + off, len - off };
	return fpga_deflate_check(segs, n, room, out_len);
}

static uint8_t plain[MAX_IN], z[ROOM], mut[ROOM];

/* Valid streams of every kind: accepted, exact length, whole or in
 * pieces; every strict prefix refused; a byte after them refused. */
static void
test_valid(void)
{
	static const int strat[] = { Z_DEFAULT_STRATEGY, Z_FILTERED,
				     Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED };
	unsigned int streams = 0, prefixes = 0;

	for (unsigned int i = 0; i < 300; i++) {
		uint32_t n = i % 10 == 0 ? rnd() % 16 : rnd() % MAX_IN;
		/* Flushed, but not more often than the block limit allows. */
		uint32_t flush = rnd() % 3 == 0 ? 1024 + rnd() % 9000 : 0;
		uint32_t zl, got = 0;
		unsigned int step;

		fill(plain, n, rnd() % 4);
		zl = zdeflate(plain, n, (int)(rnd() % 10), strat[rnd() % 5],
			      flush, true, z, ROOM);
		CHECK_I64(check1(z, zl, ROOM, &got), 0);
		CHECK_U64(got, n);
		CHECK_I64(check_cut(z, zl, ROOM, &got), 0);
		CHECK_U64(got, n);
		if (n > 0)
			CHECK_I64(check1(z, zl, n - 1, &got), -EMSGSIZE);
		/* Every prefix (a sample of them for long streams; a smaller
		 * one under the sanitizers, which make each check ~8x dearer). */
		step = zl > 2000 ? zl / PREFIX_SAMPLES : 1;
		for (uint32_t k = 0; k < zl; k += step, prefixes++)
			CHECK(check1(z, k, ROOM, &got) != 0);
		z[zl] = (uint8_t)rnd();
		CHECK_I64(check1(z, zl + 1, ROOM, &got), -EBADMSG);
		streams++;
	}
	printf("valid: %u zlib streams accepted, %u prefixes refused\n",
	       streams, prefixes);
}

/* Streams that never end: sync-flushed, no final block. */
static void
test_no_final(void)
{
	static const uint8_t hang[] = { 0x00, 0x05, 0x00, 0xfa, 0xff,
					'h', 'e', 'l', 'l', 'o' };
	uint32_t got;

	CHECK_I64(check1(hang, sizeof(hang), ROOM, &got), -EBADMSG);
	for (unsigned int i = 0; i < 50; i++) {
		uint32_t n = rnd() % MAX_IN, zl;

		fill(plain, n, rnd() % 4);
		int rc;

		zl = zdeflate(plain, n, 6, Z_DEFAULT_STRATEGY, 1 + rnd() % 20000,
			      false, z, ROOM);
		rc = check1(z, zl, ROOM, &got);
		/* Flushed often, it may reach the block limit first. */
		CHECK(rc == -EBADMSG || rc == -E2BIG);
	}
}

/* Mutations: the check and zlib agree on every one. */
static void
test_mutations(void)
{
	unsigned int accepted = 0, refused = 0, limited = 0;

	for (unsigned int i = 0; i < 20000; i++) {
		uint32_t n = rnd() % 4096, zl, zgot = 0, got = 0;
		int rc, zrc;

		fill(plain, n, rnd() % 4);
		zl = zdeflate(plain, n, (int)(rnd() % 10), Z_DEFAULT_STRATEGY,
			      0, true, z, ROOM);
		memcpy(mut, z, zl);
		for (unsigned int k = 1 + rnd() % 3; k > 0 && zl > 0; k--)
			mut[rnd() % zl] ^= (uint8_t)(1u << (rnd() % 8));
		if (rnd() % 8 == 0 && zl > 0)
			zl = rnd() % zl;
		rc = check1(mut, zl, ROOM, &got);
		zrc = zinflate(mut, zl, &zgot);
		if (rc == -E2BIG) {
			limited++;
			continue;
		}
		CHECK_I64(rc == 0, zrc == 0);
		if (rc == 0 && zrc == 0)
			CHECK_U64(got, zgot);
		accepted += rc == 0;
		refused += rc != 0;
	}
	printf("mutations: %u accepted, %u refused, as zlib; %u over the "
	       "block limit\n", accepted, refused, limited);
}

/* The block limit: 16 Huffman blocks plus one per 256 input bytes and
 * one per KiB of output. */
static void
test_block_limit(void)
{
	uint32_t zl, got, zgot;
	uint8_t s[64];

	/* 40 empty fixed blocks (3 + 7 bits each: 0x02 0x00 repeated is
	 * not aligned; build bit by bit), then a final one. */
	memset(s, 0, sizeof(s));
	for (unsigned int b = 0, bit = 0; b <= 40; b++, bit += 10) {
		unsigned int hdr = (b == 40) | (1u << 1);	/* BTYPE 01 */

		for (unsigned int k = 0; k < 3; k++)
			s[(bit + k) / 8] |= (uint8_t)(((hdr >> k) & 1) << ((bit + k) % 8));
		/* end of block: 7 zero bits */
	}
	CHECK_I64(check1(s, (41 * 10 + 7) / 8, ROOM, &got), -E2BIG);
	CHECK_I64(check1(s + 50, 0, ROOM, &got), -EBADMSG);
	/* zlib flushing every 8 bytes: valid, but over the limit. */
	fill(plain, 20000, 1);
	zl = zdeflate(plain, 20000, 6, Z_DEFAULT_STRATEGY, 8, true, z, ROOM);
	CHECK_I64(zinflate(z, zl, &zgot), 0);
	CHECK_I64(check1(z, zl, ROOM, &got), -E2BIG);
}

int
main(void)
{
	test_valid();
	test_no_final();
	test_mutations();
	test_block_limit();
	return check_exit("deflate_check");
}
