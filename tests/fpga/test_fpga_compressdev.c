/* SPDX-License-Identifier: BSD-3-Clause */
/* The "compressdev" backend on a software PMD (argv[1]: its devargs):
 * deflate -> inflate round trips, output limits, corrupt input, many jobs
 * in flight, set-up rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>

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

static struct fpga_ctx *
ctx_new(unsigned int depth)
{
	struct fpga_ctx_conf conf = { .depth = depth, .socket_id = -1 };

	return fpga_init(fpga_backend_find(FPGA_COMPRESSDEV_BACKEND_NAME), &conf);
}

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

/* Registry, placement, one queue pair per context, unregister rules. */
static void
test_setup(void)
{
	const struct fpga_backend_ops *be =
		fpga_backend_find(FPGA_COMPRESSDEV_BACKEND_NAME);
	struct fpga_ctx *a, *b;
	struct fpga_fn_caps caps;
	enum fpga_place place;

	CHECK(be != NULL);
	CHECK_I64(fpga_fn_caps(be, FPGA_FN_DEFLATE, &caps), 0);
	CHECK_U64(caps.place, FPGA_PLACE_SW);	/* a software PMD */
	CHECK_I64(fpga_fn_caps(be, FPGA_FN_INFLATE, &caps), 0);
	CHECK_I64(fpga_fn_caps(be, FPGA_FN_AES_GCM, &caps), -ENOTSUP);
	CHECK_I64(fpga_fn_caps(fpga_backend_find("sw"), FPGA_FN_DEFLATE, &caps),
		  -ENOTSUP);
	CHECK(fpga_backend_place(FPGA_FN_INFLATE, true, &place) == be);
	CHECK_U64(place, FPGA_PLACE_SW);

	a = ctx_new(64);
	CHECK(a != NULL);
	errno = 0;
	b = ctx_new(64);
	CHECK(b == NULL && errno == EBUSY);
	CHECK_I64(fpga_compressdev_unregister(), -EBUSY);
	fpga_exit(a);
	CHECK_I64(fpga_compressdev_unregister(), 0);
	CHECK_I64(fpga_fn_caps(be, FPGA_FN_DEFLATE, &caps), -ENOTSUP);
	errno = 0;
	CHECK(ctx_new(64) == NULL && errno == ENODEV);
}

int
main(int argc, char **argv)
{
	const char *devargs = argc > 1 ? argv[1] : "compress_isal";
	struct fpga_ctx *ctx;
	int rc;

	if (pmd_test_eal(argv[0]) < 0) {
		printf("SKIP: rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return 77;
	}
	CHECK_I64(fpga_compressdev_register(NULL), -EINVAL);
	CHECK_I64(fpga_compressdev_register(""), -EINVAL);
	CHECK_I64(fpga_compressdev_register("compress_nosuchpmd"), -ENODEV);
	rc = fpga_compressdev_register(devargs);
	if (rc == -ENODEV) {
		printf("SKIP: no %s PMD in this DPDK\n", devargs);
		rte_eal_cleanup();
		return 77;
	}
	CHECK_I64(rc, 0);
	CHECK_I64(fpga_compressdev_register(devargs), -EEXIST);
	if (rc == 0) {
		test_setup();
		CHECK_I64(fpga_compressdev_register(devargs), 0);
		ctx = ctx_new(256);
		CHECK(ctx != NULL);
		if (ctx != NULL) {
			struct fpga_fn_caps caps;

			fpga_fn_caps(fpga_ctx_backend(ctx), FPGA_FN_DEFLATE,
				     &caps);
			BIG = RTE_MIN(caps.max_in_len, (uint32_t)BIG_MAX);
			fpga_fn_caps(fpga_ctx_backend(ctx), FPGA_FN_INFLATE,
				     &caps);
			ROOM = RTE_MIN(caps.max_in_len, (uint32_t)ROOM_MAX);
			printf("%s: deflate up to %u bytes, output room %u\n",
			       devargs, BIG, ROOM);
			test_round_trips(ctx);
			test_limits(ctx);
			test_many(ctx, 600);
			fpga_exit(ctx);
		}
		CHECK_I64(fpga_compressdev_unregister(), 0);
	}
	rte_eal_cleanup();
	return check_exit("fpga_compressdev");
}
