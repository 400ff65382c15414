/* SPDX-License-Identifier: BSD-3-Clause */
/* The "cryptodev" backend on a software PMD (argv[1]: its devargs): published
 * SHA-256 and AES-GCM vectors, errors, many jobs in flight, exact output
 * room with guard bytes, the largest inputs, a guest scribbling on the
 * buffers, set-up rules; each on the zero-copy and the staged path. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* pmd_test.h: pthread_setaffinity_np */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cryptodev.h>
#include <rte_eal.h>

#include "accel.h"
#include "cryptodev.h"
#include "pmd_test.h"

#ifdef HAVE_LIBCRYPTO
#include <openssl/sha.h>
#endif

static void
check_hex(const uint8_t *got, size_t len, const char *want_hex)
{
	uint8_t want[512];
	size_t n = pmd_test_unhex(want_hex, want);

	CHECK_U64(len, n);
	if (len == n && memcmp(got, want, n) != 0) {
		fprintf(stderr, "  want %s\n", want_hex);
		CHECK(!"bytes differ");
	}
}

/* FIPS 180-2 examples and the empty string. */
static void
test_sha256_vectors(struct fpga_ctx *ctx)
{
	static const struct { const char *msg, *digest; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb924"
		      "27ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223"
			 "b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039"
		  "a33ce45964ff2167f6ecedd419db06c1" },
	};
	uint8_t out[64];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct fpga_job job = { .fn = FPGA_FN_SHA256, .in = v[i].msg,
			.in_len = (uint32_t)strlen(v[i].msg), .out = out,
			.out_cap = sizeof(out) };
		struct fpga_completion c = pmd_test_one(ctx, job);

		CHECK_I64(c.status, 0);
		check_hex(out, c.out_len, v[i].digest);
	}
}

/* Build an aes-gcm input: key || iv || aad || text. */
static uint32_t
gcm_input(uint8_t *in, const char *key, const char *iv, const char *aad,
	  const char *text, uint64_t *arg1)
{
	size_t k = pmd_test_unhex(key, in);
	size_t v = pmd_test_unhex(iv, in + k);
	size_t a = pmd_test_unhex(aad, in + k + v);
	size_t t = pmd_test_unhex(text, in + k + v + a);

	*arg1 = FPGA_AES_GCM_ARG1(k, a);
	return (uint32_t)(k + v + a + t);
}

/* McGrew & Viega, "The Galois/Counter Mode of Operation", test cases
 * 1-4 and 16 (the NIST GCM vectors): encrypt, then decrypt back, then
 * decrypt with one tag bit flipped. */
static void
test_gcm_vectors(struct fpga_ctx *ctx)
{
	static const char k3[] = "feffe9928665731c6d6a8f9467308308";
	static const char iv3[] = "cafebabefacedbaddecaf888";
	static const char p3[] =
		"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
	static const char p4[] =
		"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
	static const char a4[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
	static const struct {
		const char *key, *iv, *aad, *pt, *ct_tag;
	} v[] = {
		{ "00000000000000000000000000000000", "000000000000000000000000",
		  "", "", "58e2fccefa7e3061367f1d57a4e7455a" },
		{ "00000000000000000000000000000000", "000000000000000000000000",
		  "", "00000000000000000000000000000000",
		  "0388dace60b6a392f328c2b971b2fe78"
		  "ab6e47d42cec13bdf53a67b21257bddf" },
		{ k3, iv3, "", p3,
		  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
		  "4d5c2af327cd64a62cf35abd2ba6fab4" },
		{ k3, iv3, a4, p4,
		  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
		  "5bc94fbc3221a5db94fae95ae7121a47" },
		{ "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
		  iv3, a4, p4,
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
		  "76fc6ece0f4e1768cddf8853bb2d551b" },
	};
	uint8_t in[512], out[512], pt[256];
	struct fpga_completion c;
	struct fpga_job job;
	uint32_t hdr;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		job = (struct fpga_job){ .fn = FPGA_FN_AES_GCM, .in = in,
			.out = out, .out_cap = sizeof(out),
			.arg0 = FPGA_AES_GCM_ENCRYPT };
		job.in_len = gcm_input(in, v[i].key, v[i].iv, v[i].aad,
				       v[i].pt, &job.arg1);
		c = pmd_test_one(ctx, job);
		CHECK_I64(c.status, 0);
		check_hex(out, c.out_len, v[i].ct_tag);

		/* Decrypt: the same header, then ciphertext || tag. */
		hdr = job.in_len - (uint32_t)pmd_test_unhex(v[i].pt, pt);
		job.in_len = hdr + (uint32_t)pmd_test_unhex(v[i].ct_tag,
							    in + hdr);
		job.arg0 = FPGA_AES_GCM_DECRYPT;
		c = pmd_test_one(ctx, job);
		CHECK_I64(c.status, 0);
		check_hex(out, c.out_len, v[i].pt);

		in[job.in_len - 1] ^= 0x01;
		c = pmd_test_one(ctx, job);
		CHECK_I64(c.status, -EBADMSG);
		CHECK_U64(c.out_len, 0);
	}
}

/* Jobs refused before the device: they complete with the right errno. */
static void
test_errors(struct fpga_ctx *ctx)
{
	struct fpga_fn_caps caps;
	uint8_t in[64] = { 0 }, out[64];
	struct fpga_job sha = { .fn = FPGA_FN_SHA256, .in = in, .in_len = 3,
				.out = out, .out_cap = 31 };
	struct fpga_job gcm = { .fn = FPGA_FN_AES_GCM, .in = in, .out = out,
				.out_cap = sizeof(out),
				.arg1 = FPGA_AES_GCM_ARG1(16, 0) };
	struct fpga_job echo = { .fn = FPGA_FN_ECHO, .in = in, .in_len = 4,
				 .out = out, .out_cap = 4 };
	uint8_t *big;

	CHECK_I64(pmd_test_one(ctx, sha).status, -EMSGSIZE);
	sha.out_cap = 32;
	sha.flags = 1;
	CHECK_I64(pmd_test_one(ctx, sha).status, -EINVAL);
	CHECK_I64(pmd_test_one(ctx, echo).status, -ENOTSUP);

	CHECK_I64(fpga_fn_caps(fpga_ctx_backend(ctx), FPGA_FN_SHA256, &caps), 0);
	big = calloc(1, caps.max_in_len + 1);
	sha = (struct fpga_job){ .fn = FPGA_FN_SHA256, .in = big,
		.in_len = caps.max_in_len + 1, .out = out, .out_cap = 32 };
	CHECK_I64(pmd_test_one(ctx, sha).status, -EMSGSIZE);
	sha.in_len = caps.max_in_len;
	CHECK_I64(pmd_test_one(ctx, sha).status, 0);
	free(big);

	gcm.in_len = 16 + 11;		/* IV cut short */
	CHECK_I64(pmd_test_one(ctx, gcm).status, -EINVAL);
	gcm.in_len = 16 + 12 + 20;
	gcm.arg1 = FPGA_AES_GCM_ARG1(15, 0);
	CHECK_I64(pmd_test_one(ctx, gcm).status, -EINVAL);
	gcm.arg1 = FPGA_AES_GCM_ARG1(16, FPGA_AES_GCM_AAD_MAX + 1);
	CHECK_I64(pmd_test_one(ctx, gcm).status, -EINVAL);
	gcm.arg1 = FPGA_AES_GCM_ARG1(16, 0) | (UINT64_C(1) << 40);
	CHECK_I64(pmd_test_one(ctx, gcm).status, -EINVAL);
	gcm.arg1 = FPGA_AES_GCM_ARG1(16, 0);
	gcm.out_cap = 20 + 15;		/* no room for the tag */
	CHECK_I64(pmd_test_one(ctx, gcm).status, -EMSGSIZE);
	gcm.out_cap = 20 + 16;
	CHECK_I64(pmd_test_one(ctx, gcm).status, 0);
	gcm.arg0 = FPGA_AES_GCM_DECRYPT;
	gcm.in_len = 16 + 12 + 15;	/* shorter than a tag */
	CHECK_I64(pmd_test_one(ctx, gcm).status, -EINVAL);
	gcm.arg0 = 2;
	CHECK_I64(pmd_test_one(ctx, gcm).status, -EINVAL);
}

#define MANY_KEYS 12	/* more than the session cache holds */
#define MANY_MAX 1500

/*
 * Many jobs at once: sha256 and aes-gcm over random lengths with more keys
 * than the session cache, and bad jobs mixed in. Every completion comes
 * exactly once; digests equal libcrypto's (when built with it) and those
 * of the same input run alone; ciphertexts decrypt back.
 */
static void
test_many(struct fpga_ctx *ctx, unsigned int n)
{
	struct fpga_job *jobs = calloc(n, sizeof(*jobs));
	struct fpga_completion *done = calloc(n, sizeof(*done));
	uint8_t *in = calloc(n, MANY_MAX), *out = calloc(n, MANY_MAX + 64);
	uint8_t keys[MANY_KEYS][32], ref[32];
	uint64_t s = 12345;
	unsigned int i, len, kl;

	pmd_test_fill(&keys[0][0], sizeof(keys), 99);
	for (i = 0; i < n; i++) {
		uint8_t *p = in + (size_t)i * MANY_MAX;

		len = (unsigned int)(pmd_test_rand(&s) % 1000);
		pmd_test_fill(p, MANY_MAX, i + 1);
		jobs[i] = (struct fpga_job){ .tag = i, .in = p, .in_len = len,
			.out = out + (size_t)i * (MANY_MAX + 64),
			.out_cap = MANY_MAX + 64 };
		if (i % 3 == 0) {
			jobs[i].fn = FPGA_FN_SHA256;
		} else if (i % 17 == 5) {
			jobs[i].fn = FPGA_FN_AES_GCM;	/* bad key length */
			jobs[i].arg1 = FPGA_AES_GCM_ARG1(17, 0);
		} else {
			kl = 16 + 8 * (i % 3);
			memcpy(p, keys[i % MANY_KEYS], kl);
			jobs[i].fn = FPGA_FN_AES_GCM;
			jobs[i].arg1 = FPGA_AES_GCM_ARG1(kl, i % 40);
			jobs[i].in_len += kl + 12 + i % 40;
		}
	}
	pmd_test_run(ctx, jobs, n, done);
	for (i = 0; i < n; i++) {
		struct fpga_job d = jobs[i];
		struct fpga_completion c;

		if (d.fn == FPGA_FN_SHA256) {
			CHECK_I64(done[i].status, 0);
			CHECK_U64(done[i].out_len, 32);
#ifdef HAVE_LIBCRYPTO
			SHA256(d.in, d.in_len, ref);
#else
			d.out = ref;
			c = pmd_test_one(ctx, d);
#endif
			CHECK(memcmp(ref, d.out, 32) == 0);
		} else if ((d.arg1 & 0xff) == 17) {
			CHECK_I64(done[i].status, -EINVAL);
		} else {
			uint32_t hdr = (uint32_t)(d.arg1 & 0xff) + 12 +
				       (uint32_t)(d.arg1 >> 8);
			uint8_t *back = malloc(hdr + done[i].out_len);

			CHECK_I64(done[i].status, 0);
			CHECK_U64(done[i].out_len, d.in_len - hdr + 16);
			memcpy(back, d.in, hdr);
			memcpy(back + hdr, d.out, done[i].out_len);
			d.in = back;
			d.in_len = hdr + done[i].out_len;
			d.out = out + (size_t)i * (MANY_MAX + 64);
			d.arg0 = FPGA_AES_GCM_DECRYPT;
			c = pmd_test_one(ctx, d);
			CHECK_I64(c.status, 0);
			CHECK(c.out_len == jobs[i].in_len - hdr &&
			      memcmp(d.out, (const uint8_t *)jobs[i].in + hdr,
				     c.out_len) == 0);
			free(back);
		}
	}
	free(jobs);
	free(done);
	free(in);
	free(out);
}

/* SHA-256 of in, by libcrypto when built with it, else by ctx. */
static void
sha_ref(struct fpga_ctx *ctx, const uint8_t *in, uint32_t len, uint8_t *md)
{
#ifdef HAVE_LIBCRYPTO
	RTE_SET_USED(ctx);
	SHA256(in, len, md);
#else
	struct fpga_job job = { .fn = FPGA_FN_SHA256, .in = in, .in_len = len,
				.out = md, .out_cap = 32 };

	CHECK_I64(pmd_test_one(ctx, job).status, 0);
#endif
}

/* An aes-gcm input in a guarded buffer: key[16] || iv || aad[13] || text. */
#define G_KEY 16
#define G_AAD 13
#define G_HDR (G_KEY + 12 + G_AAD)

static uint8_t *
gcm_guarded(uint32_t text_len, bool dpdk, uint32_t tag_room)
{
	uint8_t *in = pmd_test_galloc(G_HDR + text_len + tag_room, dpdk, 0);

	pmd_test_fill(in, G_HDR + text_len, text_len + 5);
	return in;
}

/*
 * Output room exactly what the function needs (sha256 32, encrypt text +
 * tag, decrypt text), in buffers with guard bytes, in malloc and DPDK
 * memory: results right, guards intact, inputs unchanged; a failed
 * decrypt leaves no plaintext.
 */
static void
test_exact_room(struct fpga_ctx *ctx, bool dpdk)
{
	const uint32_t n = 777;
	uint8_t *in = gcm_guarded(n, dpdk, FPGA_AES_GCM_TAG_LEN);
	uint8_t *ct = pmd_test_galloc(n + FPGA_AES_GCM_TAG_LEN, dpdk, 0x5a);
	uint8_t *pt = pmd_test_galloc(n, dpdk, 0x5a);
	uint8_t *md = pmd_test_galloc(32, dpdk, 0), ref[32];
	uint8_t *copy = malloc(G_HDR + n);
	struct fpga_job job = { .fn = FPGA_FN_SHA256, .in = in, .in_len = n,
				.out = md, .out_cap = 32 };
	struct fpga_completion c;

	memcpy(copy, in, G_HDR + n);
	CHECK_I64(pmd_test_one(ctx, job).status, 0);
	sha_ref(ctx, in, n, ref);
	CHECK(memcmp(md, ref, 32) == 0 && pmd_test_gok(md, 32));

	job = (struct fpga_job){ .fn = FPGA_FN_AES_GCM, .in = in,
		.in_len = G_HDR + n, .arg1 = FPGA_AES_GCM_ARG1(G_KEY, G_AAD),
		.out = ct, .out_cap = n + FPGA_AES_GCM_TAG_LEN };
	c = pmd_test_one(ctx, job);
	CHECK_I64(c.status, 0);
	CHECK_U64(c.out_len, n + FPGA_AES_GCM_TAG_LEN);
	CHECK(pmd_test_gok(ct, n + FPGA_AES_GCM_TAG_LEN));
	CHECK(memcmp(in, copy, G_HDR + n) == 0);	/* ran out of place */

	memcpy(in + G_HDR, ct, n + FPGA_AES_GCM_TAG_LEN);
	job.in_len = G_HDR + n + FPGA_AES_GCM_TAG_LEN;
	job.arg0 = FPGA_AES_GCM_DECRYPT;
	job.out = pt;
	job.out_cap = n;
	c = pmd_test_one(ctx, job);
	CHECK_I64(c.status, 0);
	CHECK(c.out_len == n && memcmp(pt, copy + G_HDR, n) == 0);
	CHECK(pmd_test_gok(pt, n) && pmd_test_gok(in, job.in_len));

	memset(pt, 0x5a, n);
	in[job.in_len - 1] ^= 1;
	c = pmd_test_one(ctx, job);
	CHECK_I64(c.status, -EBADMSG);
	CHECK(memcmp(pt, copy + G_HDR, n) != 0 && pmd_test_gok(pt, n));
	free(copy);
	pmd_test_gfree(in, dpdk);
	pmd_test_gfree(ct, dpdk);
	pmd_test_gfree(pt, dpdk);
	pmd_test_gfree(md, dpdk);
}

/*
 * The hardware rule on this software PMD (white box: the context acts as
 * for a DMA device): DPDK memory is attached, malloc memory staged; an
 * aes-gcm text is attached only with both sides reachable.
 */
static void
test_dma_rule(struct fpga_ctx *ctx)
{
	struct fpga_pmd_ctx *pc = fpga_pmd_ctx(ctx);
	enum fpga_pmd_zc keep = pc->zc;
	bool oop = pc->dev->ff & RTE_CRYPTODEV_FF_OOP_LB_IN_LB_OUT;
	uint8_t *d_in = gcm_guarded(500, true, 0);
	uint8_t *h_in = gcm_guarded(500, false, 0);
	uint8_t *d_out = pmd_test_galloc(600, true, 0);
	uint8_t *h_out = pmd_test_galloc(600, false, 0);
	struct fpga_job sha = { .fn = FPGA_FN_SHA256, .in = d_in, .in_len = 500,
				.out = h_out, .out_cap = 32 };
	struct fpga_job gcm = { .fn = FPGA_FN_AES_GCM, .in = d_in,
		.in_len = G_HDR + 500, .arg1 = FPGA_AES_GCM_ARG1(G_KEY, G_AAD),
		.out = d_out, .out_cap = 600 };

	pc->zc = FPGA_PMD_ZC_DMA;
	pmd_test_paths(ctx, sha, 1, 0);
	sha.in = h_in;
	pmd_test_paths(ctx, sha, 0, 1);
	pmd_test_paths(ctx, gcm, oop ? 2 : 0, oop ? 0 : 1);
	gcm.out = h_out;
	pmd_test_paths(ctx, gcm, 0, 1);
	gcm.in = h_in;
	gcm.out = d_out;
	pmd_test_paths(ctx, gcm, 0, 1);
	pc->zc = keep;
	pmd_test_gfree(d_in, true);
	pmd_test_gfree(h_in, false);
	pmd_test_gfree(d_out, true);
	pmd_test_gfree(h_out, false);
}

#define SCRIB_JOBS 300
#define SCRIB_IN 1200
#define SCRIB_OUT 1300

/*
 * A guest scribbling on every input and output while the jobs run: each
 * completes once, with a digest/ciphertext of whatever bytes the device
 * saw (or -EBADMSG), and nothing outside the buffers is touched.
 */
static void
test_scribble(struct fpga_ctx *ctx)
{
	static const int ok[] = { -EBADMSG, 0 };
	size_t one = SCRIB_IN + SCRIB_OUT, all = (size_t)SCRIB_JOBS * one;
	uint8_t *arena = pmd_test_galloc(all, true, 0);
	struct fpga_job *jobs = calloc(SCRIB_JOBS, sizeof(*jobs));
	unsigned int i;

	pmd_test_fill(arena, all, 4242);
	for (i = 0; i < SCRIB_JOBS; i++) {
		uint8_t *p = arena + (size_t)i * one;
		bool sha = i % 3 == 0, dec = !sha && i % 2 == 1;

		jobs[i] = (struct fpga_job){ .tag = i, .in = p,
			.in_len = G_HDR + 17 * (i % 64) +
				  (dec ? FPGA_AES_GCM_TAG_LEN : 0),
			.out = p + SCRIB_IN, .out_cap = SCRIB_OUT,
			.fn = sha ? FPGA_FN_SHA256 : FPGA_FN_AES_GCM,
			.arg0 = dec, .arg1 = sha ? 0 :
				FPGA_AES_GCM_ARG1(G_KEY, G_AAD) };
	}
	pmd_test_run_scribbled(ctx, jobs, SCRIB_JOBS, arena, all, ok);
	free(jobs);
	pmd_test_gfree(arena, true);
}

static void
suite(struct fpga_ctx *ctx, bool staged)
{
	test_sha256_vectors(ctx);
	test_gcm_vectors(ctx);
	test_errors(ctx);
	test_many(ctx, 1000);
	test_exact_room(ctx, false);
	test_exact_room(ctx, true);
	if (!staged)
		test_dma_rule(ctx);
	test_scribble(ctx);
}

/* The largest input: one mbuf (the class never chains: cryptodev.c). */
#define BIG_IN (UINT16_MAX - RTE_PKTMBUF_HEADROOM)
#define BIG_TEXT (BIG_IN - G_HDR - FPGA_AES_GCM_TAG_LEN)

/* Inputs of the largest size on one path: sha256, and aes-gcm there and
 * back with exactly the output room needed, guarded. */
static void
big_path(struct fpga_ctx *ctx, uint8_t *in, uint8_t *hct, uint8_t *pt)
{
	uint8_t md[32], ref[32], *ct = hct + G_HDR;
	struct fpga_job job = { .fn = FPGA_FN_SHA256, .in = in,
				.in_len = BIG_IN, .out = md, .out_cap = 32 };
	struct fpga_completion c;

	CHECK_I64(pmd_test_one(ctx, job).status, 0);
	sha_ref(ctx, in, BIG_IN, ref);
	CHECK(memcmp(md, ref, 32) == 0);
	job.in_len = BIG_IN + 1;
	CHECK_I64(pmd_test_one(ctx, job).status, -EMSGSIZE);

	job = (struct fpga_job){ .fn = FPGA_FN_AES_GCM, .in = in,
		.in_len = G_HDR + BIG_TEXT,
		.arg1 = FPGA_AES_GCM_ARG1(G_KEY, G_AAD), .out = ct,
		.out_cap = BIG_TEXT + FPGA_AES_GCM_TAG_LEN };
	c = pmd_test_one(ctx, job);
	CHECK_I64(c.status, 0);
	CHECK(pmd_test_gok(hct, G_HDR + job.out_cap));
	job.arg0 = FPGA_AES_GCM_DECRYPT;
	job.in = hct;		/* the header sits in front of ct */
	job.in_len = G_HDR + BIG_TEXT + FPGA_AES_GCM_TAG_LEN;
	job.out = pt;
	job.out_cap = BIG_TEXT;
	c = pmd_test_one(ctx, job);
	CHECK_I64(c.status, 0);
	CHECK(memcmp(pt, in + G_HDR, BIG_TEXT) == 0 &&
	      pmd_test_gok(pt, BIG_TEXT));
}

/* A device registered for the largest inputs it takes (one mbuf); one
 * more byte is refused. Both paths, the same results. */
static void
extra(const struct pmd_test_class *t, const char *devargs)
{
	struct fpga_cryptodev_conf conf = { .devargs = devargs,
					    .max_in_len = BIG_IN + 1 };
	uint8_t *in = pmd_test_galloc(BIG_IN, false, 0);
	/* ct carries a copy of the header in front, for the decrypt */
	uint8_t *hct = pmd_test_galloc(G_HDR + BIG_TEXT + 16, false, 0);
	uint8_t *pt = pmd_test_galloc(BIG_TEXT, false, 0), ct0[64];

	CHECK_I64(fpga_cryptodev_register_conf(&conf), -EINVAL);
	conf.max_in_len = BIG_IN;
	CHECK_I64(fpga_cryptodev_register_conf(&conf), 0);
	pmd_test_fill(in, BIG_IN, 31);
	memcpy(hct, in, G_HDR);
	for (int staged = 0; staged < 2; staged++) {
		struct fpga_ctx *ctx = pmd_test_ctx_path(t, 16, staged);

		if (ctx == NULL)
			break;
		big_path(ctx, in, hct, pt);
		pmd_test_check_path(ctx, staged);
		if (staged)	/* the same ciphertext either way */
			CHECK(memcmp(ct0, hct + G_HDR, 64) == 0);
		memcpy(ct0, hct + G_HDR, 64);
		fpga_exit(ctx);
	}
	CHECK_I64(fpga_cryptodev_unregister(), 0);
	pmd_test_gfree(in, false);
	pmd_test_gfree(hct, false);
	pmd_test_gfree(pt, false);
}

static const struct pmd_test_class cryptodev_test = {
	.backend = FPGA_CRYPTODEV_BACKEND_NAME,
	.devargs = "crypto_aesni_mb",
	.nosuch = "crypto_nosuchpmd",
	.fn = { FPGA_FN_SHA256, FPGA_FN_AES_GCM },
	.other = FPGA_FN_DEFLATE,
	.reg = fpga_cryptodev_register,
	.unreg = fpga_cryptodev_unregister,
	.stage = fpga_cryptodev_ctx_stage,
	.suite = suite,
	.extra = extra,
};

int
main(int argc, char **argv)
{
	return pmd_test_main(&cryptodev_test, argc, argv, "fpga_cryptodev");
}
