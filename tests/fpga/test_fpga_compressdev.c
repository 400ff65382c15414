/* SPDX-License-Identifier: BSD-3-Clause */
/* The "compressdev" backend on a software PMD (argv[1]: its devargs):
 * deflate -> inflate round trips, output limits, corrupt input, many jobs
 * in flight, exact output room with guard bytes, buffers over 64 KiB
 * (chained), a guest scribbling on the buffers, set-up rules; each on the
 * zero-copy and the staged path. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* pmd_test.h: pthread_setaffinity_np */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_log.h>

#include "accel.h"
#include "compressdev.h"
#include "pmd_test.h"

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#define BIG_MAX (64 * 1024)
#define ROOM_MAX (BIG_MAX + 1024)

/* The largest deflate input and output room: 64 KiB and a bit with
 * scatter-gather (compress_isal), one mbuf's worth without (compress_zlib). */
static uint32_t BIG = BIG_MAX, ROOM = ROOM_MAX;

static struct fpga_completion
run(struct fpga_ctx *ctx, uint16_t fn, const void *in, uint32_t in_len,
    void *out, uint32_t out_cap)
{
	struct fpga_job job = { .fn = fn, .in = in, .in_len = in_len,
				.out = out, .out_cap = out_cap };

	return pmd_test_one(ctx, job);
}

#ifdef HAVE_ZLIB
/* An independent reader of raw DEFLATE: the system's zlib. */
static void
zlib_check(const uint8_t *z, uint32_t zlen, const uint8_t *want, uint32_t len)
{
	z_stream s = { 0 };
	uint8_t *out = malloc(len + 1);

	CHECK(inflateInit2(&s, -15) == Z_OK);
	s.next_in = (Bytef *)(uintptr_t)z;
	s.avail_in = zlen;
	s.next_out = out;
	s.avail_out = len + 1;
	CHECK(inflate(&s, Z_FINISH) == Z_STREAM_END);
	CHECK(s.total_out == len && memcmp(out, want, len) == 0);
	inflateEnd(&s);
	free(out);
}
#endif

/* deflate, check the output (with zlib when built with it), inflate back. */
static uint32_t
round_trip(struct fpga_ctx *ctx, const uint8_t *in, uint32_t len)
{
	uint8_t *z = malloc(ROOM), *back = malloc(ROOM);
	struct fpga_completion c;
	uint32_t zlen;

	c = run(ctx, FPGA_FN_DEFLATE, in, len, z, ROOM);
	CHECK_I64(c.status, 0);
	CHECK(c.out_len > 0 && c.out_len <= ROOM);
	zlen = c.out_len;
#ifdef HAVE_ZLIB
	zlib_check(z, zlen, in, len);
#endif
	c = run(ctx, FPGA_FN_INFLATE, z, zlen, back, ROOM);
	CHECK_I64(c.status, 0);
	CHECK_U64(c.out_len, len);
	CHECK(c.out_len == len && memcmp(back, in, len) == 0);
	free(z);
	free(back);
	return zlen;
}

static void
test_round_trips(struct fpga_ctx *ctx)
{
	uint8_t *buf = calloc(1, BIG);
	static const char text[] =
		"It was the best of times, it was the worst of times, it was "
		"the age of wisdom, it was the age of foolishness, ";
	uint32_t i, zlen;

	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	round_trip(ctx, buf, 0);			/* empty */
	buf[0] = 'x';
	round_trip(ctx, buf, 1);
	pmd_test_fill(buf, BIG, 7);
	round_trip(ctx, buf, 1000);			/* random */
	zlen = round_trip(ctx, buf, BIG);		/* random, 64 KiB */
	CHECK(zlen >= BIG);				/* incompressible */
	memset(buf, 'a', BIG);
	zlen = round_trip(ctx, buf, BIG);		/* one byte repeated */
	CHECK(zlen < BIG / 50);
	for (i = 0; i < BIG; i++)
		buf[i] = (uint8_t)text[i % (sizeof(text) - 1)];
	zlen = round_trip(ctx, buf, 20000);		/* text */
	CHECK(zlen < 20000 / 4);
	for (i = 0; i < BIG; i++)			/* low entropy */
		buf[i] = (uint8_t)(pmd_test_rand(&(uint64_t){ i + 1 }) % 4);
	round_trip(ctx, buf, BIG - 1);
	free(buf);
}

/* Output caps, input caps, corrupt streams. */
static void
test_limits(struct fpga_ctx *ctx)
{
	uint8_t *buf = malloc(ROOM_MAX + 1), *z = malloc(ROOM), out[64];
	struct fpga_completion c;
	struct fpga_fn_caps caps;
	uint32_t zlen;

	pmd_test_fill(buf, ROOM_MAX + 1, 3);
	c = run(ctx, FPGA_FN_DEFLATE, buf, 4096, out, sizeof(out));
	CHECK_I64(c.status, -EMSGSIZE);
	CHECK_U64(c.out_len, 0);
	c = run(ctx, FPGA_FN_DEFLATE, buf, 4096, NULL, 0);
	CHECK(c.status < 0);

	/* A valid stream inflating to more than out_cap. */
	memset(buf, 'b', 4096);
	c = run(ctx, FPGA_FN_DEFLATE, buf, 4096, z, ROOM);
	CHECK_I64(c.status, 0);
	zlen = c.out_len;
	c = run(ctx, FPGA_FN_INFLATE, z, zlen, buf, 4095);
	CHECK_I64(c.status, -EMSGSIZE);
	c = run(ctx, FPGA_FN_INFLATE, z, zlen, buf, 4096);
	CHECK_I64(c.status, 0);
	CHECK_U64(c.out_len, 4096);

	/* Not DEFLATE: block type 3 is reserved. */
	memset(z, 0xff, 64);
	c = run(ctx, FPGA_FN_INFLATE, z, 64, buf, 4096);
	CHECK_I64(c.status, -EBADMSG);

	CHECK_I64(fpga_fn_caps(fpga_ctx_backend(ctx), FPGA_FN_DEFLATE, &caps), 0);
	CHECK_U64(caps.max_in_len, BIG);
	CHECK_I64(fpga_fn_caps(fpga_ctx_backend(ctx), FPGA_FN_INFLATE, &caps), 0);
	CHECK_U64(caps.max_in_len, ROOM);
	c = run(ctx, FPGA_FN_INFLATE, buf, ROOM + 1, z, ROOM);
	CHECK_I64(c.status, -EMSGSIZE);
	CHECK_I64(fpga_fn_caps(fpga_ctx_backend(ctx), FPGA_FN_DEFLATE, &caps), 0);
	c = run(ctx, FPGA_FN_DEFLATE, buf, caps.max_in_len + 1, z, ROOM);
	CHECK_I64(c.status, -EMSGSIZE);
	c = run(ctx, FPGA_FN_SHA256, buf, 10, z, ROOM);
	CHECK_I64(c.status, -ENOTSUP);
	c = run(ctx, FPGA_FN_DEFLATE, NULL, 10, z, ROOM);
	CHECK_I64(c.status, -EFAULT);
	free(buf);
	free(z);
}

#define MANY_MAX 3000

/*
 * Many jobs in flight: deflate of varied inputs with bad jobs mixed in,
 * every completion exactly once, then all the results inflated at once
 * and compared with the inputs.
 */
static void
test_many(struct fpga_ctx *ctx, unsigned int n)
{
	struct fpga_job *jobs = calloc(n, sizeof(*jobs));
	struct fpga_job *back = calloc(n, sizeof(*back));
	struct fpga_completion *done = calloc(n, sizeof(*done));
	uint8_t *in = calloc(n, MANY_MAX), *z = calloc(n, MANY_MAX + 64);
	uint8_t *out = calloc(n, MANY_MAX);
	uint64_t s = 777;
	unsigned int i, j, len;

	for (i = 0; i < n; i++) {
		uint8_t *p = in + (size_t)i * MANY_MAX;

		len = (unsigned int)(pmd_test_rand(&s) % MANY_MAX);
		if (i % 2)
			pmd_test_fill(p, len, i + 1);
		else
			for (j = 0; j < len; j++)
				p[j] = (uint8_t)('a' + (j / (i % 7 + 1)) % 5);
		jobs[i] = (struct fpga_job){ .tag = i, .fn = FPGA_FN_DEFLATE,
			.in = p, .in_len = len,
			.out = z + (size_t)i * (MANY_MAX + 64),
			.out_cap = MANY_MAX + 64 };
		if (i % 29 == 3)
			jobs[i].reserved = 1;		/* completes -EINVAL */
	}
	pmd_test_run(ctx, jobs, n, done);
	for (i = 0; i < n; i++) {
		CHECK_I64(done[i].status, jobs[i].reserved ? -EINVAL : 0);
		back[i] = (struct fpga_job){ .tag = i, .fn = FPGA_FN_INFLATE,
			.in = jobs[i].out, .in_len = done[i].out_len,
			.out = out + (size_t)i * MANY_MAX, .out_cap = MANY_MAX };
		if (jobs[i].reserved)
			back[i].fn = FPGA_FN_CRC32C;	/* -ENOTSUP here */
	}
	pmd_test_run(ctx, back, n, done);
	for (i = 0; i < n; i++) {
		if (jobs[i].reserved) {
			CHECK_I64(done[i].status, -ENOTSUP);
			continue;
		}
		CHECK_I64(done[i].status, 0);
		CHECK(done[i].out_len == jobs[i].in_len &&
		      memcmp(back[i].out, jobs[i].in, jobs[i].in_len) == 0);
	}
	free(jobs);
	free(back);
	free(done);
	free(in);
	free(z);
	free(out);
}

/* deflate of in into exactly cap bytes of guarded room. */
static struct fpga_completion
run_guarded(struct fpga_ctx *ctx, uint16_t fn, const uint8_t *in,
	    uint32_t len, uint32_t cap, bool dpdk, uint8_t **outp)
{
	uint8_t *out = pmd_test_galloc(cap, dpdk, 0x5a);
	struct fpga_completion c = run(ctx, fn, in, len, out, cap);

	CHECK(pmd_test_gok(out, cap));
	CHECK(c.out_len <= cap);
	*outp = out;
	return c;
}

/*
 * Output room exactly what the result needs, and one byte less, in
 * guarded malloc and DPDK memory: right result or -EMSGSIZE, never a
 * byte outside; inputs unchanged. Then the class limits exactly: deflate
 * of max_in_len incompressible bytes into max_out_len, inflated back into
 * max_in_len.
 */
static void
test_exact_room(struct fpga_ctx *ctx, bool dpdk)
{
	const uint32_t n = 20000;
	uint8_t *in = pmd_test_galloc(BIG, dpdk, 0), *z, *out, *copy;
	struct fpga_completion c;
	uint32_t i, zlen;

	for (i = 0; i < n; i++)
		in[i] = (uint8_t)("exact room, "[i % 12] + i / 1000);
	copy = malloc(BIG);
	memcpy(copy, in, n);
	c = run_guarded(ctx, FPGA_FN_DEFLATE, in, n, ROOM, dpdk, &out);
	CHECK_I64(c.status, 0);
	zlen = c.out_len;
	pmd_test_gfree(out, dpdk);
	/* Both PMDs want working room beyond the result: exactly zlen may be
	 * too small; one byte less always is. */
	c = run_guarded(ctx, FPGA_FN_DEFLATE, in, n, zlen, dpdk, &out);
	CHECK(c.status == 0 ? c.out_len == zlen : c.status == -EMSGSIZE);
	pmd_test_gfree(out, dpdk);
	c = run_guarded(ctx, FPGA_FN_DEFLATE, in, n, zlen - 1, dpdk, &out);
	CHECK_I64(c.status, -EMSGSIZE);
	pmd_test_gfree(out, dpdk);

	c = run_guarded(ctx, FPGA_FN_DEFLATE, in, n, ROOM, dpdk, &z);
	zlen = c.out_len;
	c = run_guarded(ctx, FPGA_FN_INFLATE, z, zlen, n, dpdk, &out);
	CHECK_I64(c.status, 0);
	CHECK(c.out_len == n && memcmp(out, copy, n) == 0);
	pmd_test_gfree(out, dpdk);
	c = run_guarded(ctx, FPGA_FN_INFLATE, z, zlen, n - 1, dpdk, &out);
	CHECK_I64(c.status, -EMSGSIZE);
	CHECK(pmd_test_gok(z, ROOM) && memcmp(in, copy, n) == 0);
	pmd_test_gfree(out, dpdk);
	pmd_test_gfree(z, dpdk);

	pmd_test_fill(in, BIG, 99);
	memcpy(copy, in, BIG);
	c = run_guarded(ctx, FPGA_FN_DEFLATE, in, BIG, ROOM, dpdk, &z);
	CHECK_I64(c.status, 0);
	zlen = c.out_len;
	c = run_guarded(ctx, FPGA_FN_INFLATE, z, zlen, BIG, dpdk, &out);
	CHECK_I64(c.status, 0);
	CHECK(c.out_len == BIG && memcmp(out, copy, BIG) == 0);
	CHECK(pmd_test_gok(in, BIG) && memcmp(in, copy, BIG) == 0);
	pmd_test_gfree(out, dpdk);
	pmd_test_gfree(z, dpdk);
	pmd_test_gfree(in, dpdk);
	free(copy);
}

/* The hardware rule on this software PMD (white box: the context acts as
 * for a DMA device): DPDK memory is attached, malloc memory staged, each
 * buffer deciding for itself. */
static void
test_dma_rule(struct fpga_ctx *ctx)
{
	struct fpga_pmd_ctx *pc = fpga_pmd_ctx(ctx);
	enum fpga_pmd_zc keep = pc->zc;
	uint8_t *d_in = pmd_test_galloc(3000, true, 'd');
	uint8_t *h_in = pmd_test_galloc(3000, false, 'h');
	uint8_t *d_out = pmd_test_galloc(4000, true, 0);
	uint8_t *h_out = pmd_test_galloc(4000, false, 0);
	struct fpga_job job = { .fn = FPGA_FN_DEFLATE, .in = d_in,
				.in_len = 3000, .out = d_out, .out_cap = 4000 };

	pc->zc = FPGA_PMD_ZC_DMA;
	pmd_test_paths(ctx, job, 2, 0);
	job.in = h_in;
	pmd_test_paths(ctx, job, 1, 1);
	job.out = h_out;
	pmd_test_paths(ctx, job, 0, 2);
	pc->zc = keep;
	pmd_test_gfree(d_in, true);
	pmd_test_gfree(h_in, false);
	pmd_test_gfree(d_out, true);
	pmd_test_gfree(h_out, false);
}

#define SCRIB_JOBS 200
#define SCRIB_IN 3000
#define SCRIB_OUT 3500

/*
 * A guest scribbling on every input and output while deflate and inflate
 * (of streams valid when submitted) run: each job completes once with a
 * status of the contract and out_len <= out_cap, nothing outside the
 * buffers is touched.
 */
static void
test_scribble(struct fpga_ctx *ctx)
{
	static const int ok[] = { -EBADMSG, -EMSGSIZE, 0 };
	size_t one = SCRIB_IN + SCRIB_OUT, all = (size_t)SCRIB_JOBS * one;
	uint8_t *arena = pmd_test_galloc(all, false, 0);
	struct fpga_job *jobs = calloc(SCRIB_JOBS, sizeof(*jobs));
	struct fpga_completion *done = calloc(SCRIB_JOBS, sizeof(*done));
	unsigned int i;

	for (i = 0; i < SCRIB_JOBS; i++) {
		uint8_t *p = arena + (size_t)i * one;

		for (unsigned int j = 0; j < SCRIB_IN; j++)
			p[j] = (uint8_t)('a' + (j / (i % 5 + 1)) % 7);
		jobs[i] = (struct fpga_job){ .tag = i, .fn = FPGA_FN_DEFLATE,
			.in = p, .in_len = SCRIB_IN - i, .out = p + SCRIB_IN,
			.out_cap = SCRIB_OUT };
	}
	pmd_test_run(ctx, jobs, SCRIB_JOBS, done);
	for (i = 0; i < SCRIB_JOBS; i += 2) {	/* half inflate back */
		uint8_t *p = arena + (size_t)i * one;

		CHECK_I64(done[i].status, 0);
		memcpy(p, p + SCRIB_IN, done[i].out_len);
		jobs[i].fn = FPGA_FN_INFLATE;
		jobs[i].in_len = done[i].out_len;
	}
	/* The PMDs log every corrupt stream (docs/fpga.md): not here. */
	rte_log_set_level_pattern("pmd.compress.*", RTE_LOG_CRIT);
	pmd_test_run_scribbled(ctx, jobs, SCRIB_JOBS, arena, all, ok);
	rte_log_set_level_pattern("pmd.compress.*", RTE_LOG_ERR);
	free(jobs);
	free(done);
	pmd_test_gfree(arena, false);
}

static void
suite(struct fpga_ctx *ctx, bool staged)
{
	struct fpga_fn_caps caps;

	fpga_fn_caps(fpga_ctx_backend(ctx), FPGA_FN_DEFLATE, &caps);
	BIG = RTE_MIN(caps.max_in_len, (uint32_t)BIG_MAX);
	fpga_fn_caps(fpga_ctx_backend(ctx), FPGA_FN_INFLATE, &caps);
	ROOM = RTE_MIN(caps.max_in_len, (uint32_t)ROOM_MAX);
	printf("deflate up to %u bytes, output room %u\n", BIG, ROOM);
	test_round_trips(ctx);
	test_limits(ctx);
	test_many(ctx, 600);
	test_exact_room(ctx, false);
	test_exact_room(ctx, true);
	if (!staged)
		test_dma_rule(ctx);
	test_scribble(ctx);
}

#define HUGE_IN 200000

/* Over 64 KiB and many segments: a device registered for 200000-byte
 * inputs, round trips on both paths with exact room. Needs scatter-gather
 * (compress_zlib refuses: -EINVAL). */
static void
extra(const struct pmd_test_class *t, const char *devargs)
{
	struct fpga_compressdev_conf conf = { .devargs = devargs,
		.max_in_len = HUGE_IN, .max_out_len = HUGE_IN + 1024 };
	uint8_t *in = pmd_test_galloc(HUGE_IN, false, 0), *z, *out;
	struct fpga_completion c;
	int rc = fpga_compressdev_register_conf(&conf);

	if (rc == -EINVAL) {
		printf("%s: no scatter-gather, no inputs over 64 KiB\n",
		       devargs);
		pmd_test_gfree(in, false);
		return;
	}
	CHECK_I64(rc, 0);
	pmd_test_fill(in, HUGE_IN / 2, 5);
	memset(in + HUGE_IN / 2, 'q', HUGE_IN / 2);
	for (int staged = 0; staged < 2; staged++) {
		struct fpga_ctx *ctx = pmd_test_ctx_path(t, 16, staged);

		if (ctx == NULL)
			break;
		c = run_guarded(ctx, FPGA_FN_DEFLATE, in, HUGE_IN,
				HUGE_IN + 1024, false, &z);
		CHECK_I64(c.status, 0);
#ifdef HAVE_ZLIB
		zlib_check(z, c.out_len, in, HUGE_IN);
#endif
		c = run_guarded(ctx, FPGA_FN_INFLATE, z, c.out_len, HUGE_IN,
				false, &out);
		CHECK_I64(c.status, 0);
		CHECK(c.out_len == HUGE_IN && memcmp(out, in, HUGE_IN) == 0);
		/* zero-copy: 3 chains attached, of 7 segments of 32 KiB:
		 * deflate's input and output, inflate's output (inflate's
		 * input is always copied, to be checked: deflate_check.h) */
		CHECK_U64(fpga_pmd_ctx(ctx)->attached, staged ? 0 : 3);
		pmd_test_gfree(z, false);
		pmd_test_gfree(out, false);
		fpga_exit(ctx);
	}
	CHECK_I64(fpga_compressdev_unregister(), 0);
	pmd_test_gfree(in, false);
}

static const struct pmd_test_class compressdev_test = {
	.backend = FPGA_COMPRESSDEV_BACKEND_NAME,
	.devargs = "compress_isal",
	.nosuch = "compress_nosuchpmd",
	.fn = { FPGA_FN_DEFLATE, FPGA_FN_INFLATE },
	.other = FPGA_FN_AES_GCM,
	.reg = fpga_compressdev_register,
	.unreg = fpga_compressdev_unregister,
	.stage = fpga_compressdev_ctx_stage,
	.suite = suite,
	.extra = extra,
};

int
main(int argc, char **argv)
{
	return pmd_test_main(&compressdev_test, argc, argv,
			     "fpga_compressdev");
}
