/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Func-test client for bulk calls (FN_CALL_BULK): calls whose input or
 * output does not fit one frame go through libhostlane's shared-memory
 * slots, and the host's accelerators read and write them in place.
 *
 *   bulk_check SOCKET SECRET basic DIR   every check below; writes inputs
 *                                        and outputs to DIR for the shell
 *                                        to verify with other tools
 *   bulk_check SOCKET SECRET flood N FN  N bulk calls of FN (deflate of
 *                                        64 KiB, or a long factorial) in
 *                                        flight, then exit without waiting
 *
 * basic: echo at the frame boundary and far beyond it (bytes compared);
 * crc32c of 200 KB (compared with a CRC computed here); sha256 of 4 KiB
 * (DIR/sha.in, DIR/sha.out: the shell compares with sha256sum); deflate of
 * 64 KiB (DIR/defl.in, DIR/defl.out: the shell inflates with Python's
 * zlib) and inflate back (bytes compared); aes-gcm round trip of 6000 bytes;
 * output room too small (HL_E_TOO_LARGE); every bulk slot in use
 * (HL_E_NO_SLOTS), then all complete exactly once.
 * Exit 0 if every check passed, 1 otherwise ("FAIL" lines say what).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#include "oc_check.h"

#define SLOT (256u << 10)	/* hl_opts.bulk_slot default */
#define SLOTS 32u		/* 8 MiB / 256 KiB */
#define DEFL_LEN 65536u
#define BIG_ECHO 100000u
#define POLL_MS 10000

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint8_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)rng;
}

/* Compressible but not trivial: words from a small alphabet. */
static void
fill_text(uint8_t *b, uint32_t n)
{
	static const char *const w[] = { "host", "lane ", "memif ", "bulk ",
					 "slot ", "deflate ", "guest " };

	for (uint32_t i = 0; i < n;) {
		const char *s = w[rnd() % 7];
		for (; *s != '\0' && i < n; s++)
			b[i++] = (uint8_t)*s;
	}
}

static int
save(const char *dir, const char *name, const void *b, uint32_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(b, 1, n, f) != n) {
		FAIL("cannot write %s", path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static struct hl_fn *
open_fn(struct hl_conn *c, const char *name)
{
	struct hl_fn *fn = NULL;
	int rc = hl_fn_open(c, name, HL_PLACE_ANY, &fn);

	if (rc == HL_OK)
		rc = hl_fn_activate(fn, NULL);
	if (rc != HL_OK) {
		FAIL("open/activate %s: %s", name, hl_status_name(rc));
		hl_fn_close(fn);
		return NULL;
	}
	return fn;
}

static void
check_echo(struct hl_conn *c, uint8_t *in, uint8_t *out)
{
	static const uint32_t sizes[] = { HL_PAYLOAD_MAX, HL_PAYLOAD_MAX + 1,
					  4096, BIG_ECHO, SLOT / 2 };
	struct hl_fn *fn = open_fn(c, "echo");
	uint32_t len;

	for (unsigned int i = 0; fn != NULL && i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (uint32_t k = 0; k < sizes[i]; k++)
			in[k] = rnd();
		memset(out, 0, sizes[i] + 64);
		EXPECT_ST(hl_fn_call(fn, in, sizes[i], out, sizes[i] + 64, &len),
			  HL_OK, "echo");
		if (len != sizes[i] || memcmp(in, out, sizes[i]) != 0)
			FAIL("echo of %u bytes came back as %u bytes, or different",
			     sizes[i], len);
	}
	/* Input and its output room must fit one slot. */
	if (fn != NULL)
		EXPECT_ST(hl_fn_call(fn, in, SLOT, out, SLOT, &len), HL_E_TOO_LARGE,
			  "echo of a whole slot");
	hl_fn_close(fn);
}

static void
check_crc(struct hl_conn *c, uint8_t *in)
{
	struct hl_fn *fn = open_fn(c, "crc32c");
	uint64_t got = 0;
	int rc;

	if (fn == NULL)
		return;
	for (uint32_t k = 0; k < 200000; k++)
		in[k] = rnd();
	/* hl_fn_call has no scalar result: submit and poll for it. */
	rc = hl_fn_submit(fn, in, 200000, NULL, 0, 7);
	EXPECT_ST(rc, HL_OK, "crc32c submit");
	if (rc == HL_OK) {
		struct hl_completion cp;
		int n = hl_poll(c, &cp, 1, POLL_MS);
		if (n != 1 || cp.status != HL_OK || cp.tag != 7)
			FAIL("crc32c: %d completions, status %s", n,
			     n == 1 ? hl_status_name(cp.status) : "-");
		got = n == 1 ? cp.result : 0;
		if (got != crc32c_ref(in, 200000))
			FAIL("crc32c of 200000 bytes: host %08" PRIx64 ", here %08x",
			     got, crc32c_ref(in, 200000));
	}
	hl_fn_close(fn);
}

static void
check_sha(struct hl_conn *c, const char *dir, uint8_t *in, uint8_t *out)
{
	struct hl_fn *fn = open_fn(c, "sha256");
	uint32_t len = 0;

	if (fn == NULL)
		return;
	fill_text(in, 4096);
	EXPECT_ST(hl_fn_call(fn, in, 4096, out, 4096, &len), HL_OK, "sha256 4 KiB");
	if (len != 32)
		FAIL("sha256 gave %u bytes", len);
	save(dir, "sha.in", in, 4096);
	save(dir, "sha.out", out, 32);
	hl_fn_close(fn);
}

static void
check_deflate(struct hl_conn *c, const char *dir, uint8_t *in, uint8_t *out,
	      uint8_t *back)
{
	struct hl_fn *d = open_fn(c, "deflate"), *i = open_fn(c, "inflate");
	uint32_t clen = 0, blen = 0;

	if (d != NULL && i != NULL) {
		fill_text(in, DEFL_LEN);
		EXPECT_ST(hl_fn_call(d, in, DEFL_LEN, out, DEFL_LEN + 1024, &clen),
			  HL_OK, "deflate 64 KiB");
		if (clen == 0 || clen >= DEFL_LEN)
			FAIL("deflate of 64 KiB of text gave %u bytes", clen);
		save(dir, "defl.in", in, DEFL_LEN);
		save(dir, "defl.out", out, clen);
		EXPECT_ST(hl_fn_call(i, out, clen, back, DEFL_LEN, &blen), HL_OK,
			  "inflate back");
		if (blen != DEFL_LEN || memcmp(in, back, DEFL_LEN) != 0)
			FAIL("inflate gave %u bytes, or different ones", blen);
		/* Room for half: the host says so, and writes no more. */
		memset(back, 0xA5, DEFL_LEN);
		EXPECT_ST(hl_fn_call(i, out, clen, back, DEFL_LEN / 2, &blen),
			  HL_E_TOO_LARGE, "inflate into half the room");
		if (back[DEFL_LEN / 2] != 0xA5)
			FAIL("inflate wrote past the room it was given");
	}
	hl_fn_close(d);
	hl_fn_close(i);
}

static void
check_gcm(struct hl_conn *c, uint8_t *in, uint8_t *out, uint8_t *back)
{
	enum { KEY = 16, IV = 12, AAD = 16, TEXT = 6000, TAG = 16 };
	struct hl_fn *fn = open_fn(c, "aes-gcm");
	uint8_t *hdr = malloc(KEY + IV + AAD + TEXT + TAG);
	uint32_t len = 0, blen = 0;
	struct hl_completion cp;
	uint64_t arg1 = KEY | (uint64_t)AAD << 8;

	if (fn == NULL || hdr == NULL)
		goto out;
	for (uint32_t k = 0; k < KEY + IV + AAD + TEXT; k++)
		in[k] = rnd();
	/* hl_fn_call takes no arguments: the async API does. */
	EXPECT_ST(hl_fn_submit_args(fn, 0, arg1, in, KEY + IV + AAD + TEXT, out,
				    TEXT + TAG, 1), HL_OK, "gcm encrypt");
	if (hl_poll(c, &cp, 1, POLL_MS) != 1 || cp.status != HL_OK)
		FAIL("gcm encrypt: %s", hl_status_name(cp.status));
	len = cp.out_len;
	if (len != TEXT + TAG)
		FAIL("gcm encrypt gave %u bytes", len);
	memcpy(hdr, in, KEY + IV + AAD);
	memcpy(hdr + KEY + IV + AAD, out, len);
	EXPECT_ST(hl_fn_submit_args(fn, 1, arg1, hdr, KEY + IV + AAD + len, back,
				    TEXT, 2), HL_OK, "gcm decrypt");
	if (hl_poll(c, &cp, 1, POLL_MS) != 1 || cp.status != HL_OK)
		FAIL("gcm decrypt: %s", hl_status_name(cp.status));
	blen = cp.out_len;
	if (blen != TEXT || memcmp(back, in + KEY + IV + AAD, TEXT) != 0)
		FAIL("gcm round trip gave %u bytes, or different ones", blen);
out:
	free(hdr);
	hl_fn_close(fn);
}

/* Every slot busy: the next call is refused, all complete exactly once. */
static void
check_slots(struct hl_conn *c, const uint8_t *in, uint8_t *out)
{
	struct hl_fn *fn = open_fn(c, "deflate");
	struct hl_completion cp[8];
	unsigned int seen[SLOTS] = { 0 }, got = 0;
	int n;

	if (fn == NULL)
		return;
	for (unsigned int k = 0; k < SLOTS; k++)
		EXPECT_ST(hl_fn_submit(fn, in, DEFL_LEN, out + (size_t)k * 1024,
				       1024, k), HL_OK, "deflate submit");
	EXPECT_ST(hl_fn_submit(fn, in, DEFL_LEN, out, 1024, 99), HL_E_NO_SLOTS,
		  "one call more than bulk slots");
	while (got < SLOTS && (n = hl_poll(c, cp, 8, POLL_MS)) > 0) {
		for (int k = 0; k < n; k++) {
			if (cp[k].tag >= SLOTS || seen[cp[k].tag]++ != 0)
				FAIL("completion tag %" PRIu64 " unexpected", cp[k].tag);
			/* 1 KiB cannot hold 64 KiB of text deflated. */
			if (cp[k].status != HL_OK && cp[k].status != HL_E_TOO_LARGE)
				FAIL("completion status %s", hl_status_name(cp[k].status));
		}
		got += (unsigned int)n;
	}
	if (got != SLOTS)
		FAIL("%u of %u completions", got, SLOTS);
	hl_fn_close(fn);
}

static int
basic(struct hl_conn *c, const char *dir)
{
	uint8_t *in = malloc(SLOT), *out = malloc(SLOT + 64 * 1024),
		*back = malloc(SLOT);

	if (in == NULL || out == NULL || back == NULL) {
		FAIL("out of memory");
		return 1;
	}
	check_echo(c, in, out);
	check_crc(c, in);
	check_sha(c, dir, in, out);
	check_deflate(c, dir, in, out, back);
	check_gcm(c, in, out, back);
	fill_text(in, DEFL_LEN);
	check_slots(c, in, out);
	free(in);
	free(out);
	free(back);
	return 0;
}

/*
 * Submit n bulk calls and leave without waiting. deflate: 64 KiB each;
 * factorial: 65! a million times over (tens of ms each on a software
 * worker), with 4 KiB of output room so that it goes as a bulk call.
 */
static int
flood(struct hl_conn *c, unsigned int n, const char *name)
{
	static uint8_t in[DEFL_LEN], out[SLOTS][DEFL_LEN + 1024];
	bool fact = strcmp(name, "factorial") == 0;
	struct hl_fn *fn = open_fn(c, name);

	if (fn == NULL)
		return 1;
	fill_text(in, DEFL_LEN);
	for (unsigned int k = 0; k < n && k < SLOTS; k++)
		EXPECT_ST(fact ? hl_fn_submit_args(fn, 65, 1000000, NULL, 0, out[k],
						   4096, k) :
			  hl_fn_submit(fn, in, DEFL_LEN, out[k], sizeof(out[k]), k),
			  HL_OK, "flood submit");
	printf("bulk_check flood: %u %s calls in flight\n", n < SLOTS ? n : SLOTS,
	       name);
	fflush(stdout);
	_exit(failures == 0 ? 0 : 1);	/* no BYE, no wait: gone mid-call */
}

int
main(int argc, char **argv)
{
	struct hl_conn *c;
	int rc;

	if (!(argc == 5 && strcmp(argv[3], "basic") == 0) &&
	    !(argc == 6 && strcmp(argv[3], "flood") == 0)) {
		fprintf(stderr, "usage: bulk_check SOCKET SECRET basic DIR | "
				"flood N deflate|factorial\n");
		return 2;
	}
	rc = hl_connect(argv[1], argv[2], NULL, &c);
	if (rc != HL_OK) {
		fprintf(stderr, "FAIL: connect %s: %s (%s)\n", argv[1],
			hl_status_name(rc), hl_connect_reason());
		return 1;
	}
	if (strcmp(argv[3], "flood") == 0)
		return flood(c, (unsigned int)strtoul(argv[4], NULL, 0), argv[5]);
	basic(c, argv[4]);
	hl_disconnect(c);
	return oc_report("bulk_check", "basic");
}
