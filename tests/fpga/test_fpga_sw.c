/* SPDX-License-Identifier: BSD-3-Clause */
/* The job/completion contract, exercised on the software backend. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "fpga_check.h"
#include "sw_kernels.h"

#define NB_JOBS 10000

static struct fpga_ctx *
open_ctx(uint32_t depth, uint64_t max_reps)
{
	struct fpga_ctx_conf conf = {
		.depth = depth, .socket_id = 0, .max_reps = max_reps,
	};
	struct fpga_ctx *ctx = fpga_init(fpga_backend_find("sw"), &conf);

	if (ctx == NULL) {
		perror("fpga_init");
		exit(1);
	}
	return ctx;
}

/* Submit one job, poll its completion. */
static struct fpga_completion
run1(struct fpga_ctx *ctx, const struct fpga_job *job)
{
	struct fpga_completion c = { .status = 1 };

	CHECK_U64(fpga_submit(ctx, job, 1), 1);
	CHECK_U64(fpga_poll(ctx, &c, 1), 1);
	CHECK_U64(c.tag, job->tag);
	return c;
}

static int32_t
status_of(struct fpga_ctx *ctx, struct fpga_job job)
{
	return run1(ctx, &job).status;
}

static void
test_init_conf(void)
{
	const struct fpga_backend_ops *sw = fpga_backend_find("sw");
	struct fpga_ctx_conf conf = { .depth = 0, .socket_id = -1 };

	errno = 0;
	CHECK(fpga_init(sw, &conf) == NULL && errno == EINVAL);
	conf.depth = FPGA_DEPTH_MAX + 1;
	CHECK(fpga_init(sw, &conf) == NULL && errno == EINVAL);
	CHECK(fpga_init(sw, NULL) == NULL && errno == EINVAL);
	CHECK(fpga_init(NULL, &conf) == NULL && errno == EINVAL);
	fpga_exit(NULL);
}

static void
test_echo(struct fpga_ctx *ctx)
{
	char out[16] = "xxxxxxxxxxxxxxx";
	struct fpga_job job = {
		.tag = 42, .fn = FPGA_FN_ECHO, .in = "hello", .in_len = 5,
		.out = out, .out_cap = sizeof(out),
	};
	struct fpga_completion c = run1(ctx, &job);

	CHECK_I64(c.status, 0);
	CHECK_U64(c.out_len, 5);
	CHECK(memcmp(out, "helloxxxx", 9) == 0);

	job.out_cap = 4;
	memset(out, 'y', sizeof(out));
	c = run1(ctx, &job);
	CHECK_I64(c.status, -EMSGSIZE);
	CHECK_U64(c.out_len, 0);
	CHECK(out[0] == 'y');

	job = (struct fpga_job){ .tag = 7, .fn = FPGA_FN_ECHO };
	c = run1(ctx, &job);
	CHECK_I64(c.status, 0);
	CHECK_U64(c.out_len, 0);
}

static void
test_scalars(struct fpga_ctx *ctx)
{
	struct fpga_job f = { .tag = 1, .fn = FPGA_FN_FACTORIAL,
			      .arg0 = 20, .arg1 = 3 };
	struct fpga_job b = { .tag = 2, .fn = FPGA_FN_FIBONACCI,
			      .arg0 = 93, .arg1 = 2 };
	struct fpga_job crc = { .tag = 3, .fn = FPGA_FN_CRC32C,
				.in = "123456789", .in_len = 9 };
	struct fpga_completion c;

	c = run1(ctx, &f);
	CHECK_I64(c.status, 0);
	CHECK_U64(c.result, UINT64_C(2432902008176640000));
	f.arg0 = 51;
	CHECK_U64(run1(ctx, &f).result, UINT64_C(18284192274659147776));
	c = run1(ctx, &b);
	CHECK_I64(c.status, 0);
	CHECK_U64(c.result, UINT64_C(12200160415121876738));
	b.arg0 = 0;
	CHECK_U64(run1(ctx, &b).result, 0);
	b.arg0 = 1;
	CHECK_U64(run1(ctx, &b).result, 1);
	c = run1(ctx, &crc);
	CHECK_I64(c.status, 0);
	CHECK_U64(c.result, 0xE3069283u);
	CHECK_U64(c.out_len, 0);
}

static void
test_rejects(struct fpga_ctx *ctx)
{
	struct fpga_job fib = { .fn = FPGA_FN_FIBONACCI, .arg0 = 94,
				.arg1 = 1 };
	struct fpga_job fact = { .fn = FPGA_FN_FACTORIAL, .arg0 = 66,
				 .arg1 = 1 };
	struct fpga_job any = { .fn = FPGA_FN_CRC32C };
	struct fpga_completion c;

	c = run1(ctx, &fib);
	CHECK_I64(c.status, -EINVAL);
	CHECK_U64(c.result, 0);
	CHECK_I64(status_of(ctx, fact), -EINVAL);
	fact.arg0 = 5;
	fact.arg1 = 0;
	CHECK_I64(status_of(ctx, fact), -EINVAL);
	any.fn = 0;
	CHECK_I64(status_of(ctx, any), -ENOTSUP);
	any.fn = FPGA_FN_COUNT + 1;
	CHECK_I64(status_of(ctx, any), -ENOTSUP);
	any.fn = 0xFFFF;
	CHECK_I64(status_of(ctx, any), -ENOTSUP);
	any = (struct fpga_job){ .fn = FPGA_FN_CRC32C, .flags = 1 };
	CHECK_I64(status_of(ctx, any), -EINVAL);
	any = (struct fpga_job){ .fn = FPGA_FN_CRC32C, .reserved = 1 };
	CHECK_I64(status_of(ctx, any), -EINVAL);
	any = (struct fpga_job){ .fn = FPGA_FN_CRC32C, .in_len = 4 };
	CHECK_I64(status_of(ctx, any), -EFAULT);
	any = (struct fpga_job){ .fn = FPGA_FN_ECHO, .out_cap = 4 };
	CHECK_I64(status_of(ctx, any), -EFAULT);
}

static void
test_max_reps(void)
{
	struct fpga_ctx *ctx = open_ctx(4, 10);
	struct fpga_job job = { .fn = FPGA_FN_FACTORIAL, .arg0 = 10,
				.arg1 = 10 };

	CHECK_I64(status_of(ctx, job), 0);
	job.arg1 = 11;
	CHECK_I64(status_of(ctx, job), -E2BIG);
	fpga_exit(ctx);
}

static void
test_queue_full(void)
{
	struct fpga_ctx *ctx = open_ctx(5, 0);
	struct fpga_job jobs[8];
	struct fpga_completion done[8];
	struct fpga_ctx_stats st;
	unsigned int i;

	for (i = 0; i < 8; i++)
		jobs[i] = (struct fpga_job){ .tag = i, .fn = FPGA_FN_FIBONACCI,
					     .arg0 = i, .arg1 = 1 };
	CHECK_U64(fpga_submit(ctx, jobs, 8), 5);
	CHECK_U64(fpga_submit(ctx, jobs + 5, 3), 0);
	CHECK_U64(fpga_ctx_inflight(ctx), 5);
	CHECK_U64(fpga_poll(ctx, done, 2), 2);
	CHECK_U64(fpga_submit(ctx, jobs + 5, 3), 2);
	CHECK_U64(fpga_poll(ctx, done, 8), 5);
	CHECK_U64(fpga_poll(ctx, done, 8), 0);
	CHECK_U64(fpga_ctx_inflight(ctx), 0);
	fpga_ctx_stats(ctx, &st);
	CHECK_U64(st.submitted, 7);
	CHECK_U64(st.completed, 7);
	CHECK_U64(st.busy, 3 + 3 + 1);
	CHECK_U64(st.failed, 0);
	fpga_exit(ctx);
}

/* splitmix64: a bijection, so distinct indices give distinct random tags. */
static uint64_t
mix64(uint64_t x)
{
	x += UINT64_C(0x9E3779B97F4A7C15);
	x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
	return x ^ (x >> 31);
}

struct tag_idx {
	uint64_t tag;
	unsigned int idx;
};

static int
tag_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct tag_idx *)a)->tag;
	uint64_t y = ((const struct tag_idx *)b)->tag;

	return x < y ? -1 : x > y;
}

struct bulk {
	struct fpga_job jobs[NB_JOBS];
	uint64_t want[NB_JOBS];
	unsigned char seen[NB_JOBS];
	struct tag_idx by_tag[NB_JOBS];
	uint8_t payload[64];
};

static void
bulk_prepare(struct bulk *b)
{
	unsigned int i;

	for (i = 0; i < sizeof(b->payload); i++)
		b->payload[i] = (uint8_t)mix64(i);
	for (i = 0; i < NB_JOBS; i++) {
		struct fpga_job *j = &b->jobs[i];
		uint64_t r = mix64(i + NB_JOBS);

		*j = (struct fpga_job){ .tag = mix64(i), .arg1 = 1 };
		if (i % 3 == 0) {
			j->fn = FPGA_FN_FACTORIAL;
			j->arg0 = r % (FPGA_FACTORIAL_MAX_N + 1);
			b->want[i] = fpga_sw_factorial(j->arg0, 1);
		} else if (i % 3 == 1) {
			j->fn = FPGA_FN_FIBONACCI;
			j->arg0 = r % (FPGA_FIBONACCI_MAX_N + 1);
			b->want[i] = fpga_sw_fibonacci(j->arg0, 1);
		} else {
			j->fn = FPGA_FN_CRC32C;
			j->in = b->payload;
			j->in_len = (uint32_t)(r % sizeof(b->payload));
			b->want[i] = fpga_sw_crc32c(j->in, j->in_len);
		}
		b->by_tag[i] = (struct tag_idx){ .tag = j->tag, .idx = i };
	}
	qsort(b->by_tag, NB_JOBS, sizeof(b->by_tag[0]), tag_cmp);
}

static void
bulk_check(struct bulk *b, const struct fpga_completion *c)
{
	struct tag_idx key = { .tag = c->tag };
	struct tag_idx *hit = bsearch(&key, b->by_tag, NB_JOBS,
				      sizeof(key), tag_cmp);

	CHECK(hit != NULL);
	if (hit == NULL)
		return;
	CHECK(!b->seen[hit->idx]);
	b->seen[hit->idx] = 1;
	CHECK_I64(c->status, 0);
	CHECK_U64(c->result, b->want[hit->idx]);
}

static void
test_bulk(void)
{
	static struct bulk b;
	struct fpga_ctx *ctx = open_ctx(64, 0);
	struct fpga_completion done[48];
	unsigned int i, k, sent = 0, got = 0, round = 0;

	bulk_prepare(&b);
	while (got < NB_JOBS && round++ < 10 * NB_JOBS) {
		k = 1 + (unsigned int)(mix64(round) % 40);
		if (k > NB_JOBS - sent)
			k = NB_JOBS - sent;
		sent += fpga_submit(ctx, &b.jobs[sent], k);
		k = fpga_poll(ctx, done, 1 + (unsigned int)(mix64(~round) % 48));
		for (i = 0; i < k; i++)
			bulk_check(&b, &done[i]);
		got += k;
	}
	CHECK_U64(sent, NB_JOBS);
	CHECK_U64(got, NB_JOBS);
	for (i = 0; i < NB_JOBS; i++)
		CHECK(b.seen[i]);
	fpga_exit(ctx);
}

/*
 * Time slices: with a 1 us slice, a long factorial, a CRC and an echo of
 * 16 MiB each take many polls; tiny jobs submitted after them complete
 * first (they are never stuck behind them); every result is the one-shot
 * kernel's.
 */
static void
test_slices(void)
{
	struct fpga_ctx_conf conf = { .depth = 16, .socket_id = 0,
				      .slice_ns = 1000 };
	struct fpga_ctx *ctx = fpga_init(fpga_backend_find("sw"), &conf);
	const uint32_t big = 16u << 20;
	uint8_t *in = malloc(big), *out = malloc(big);
	struct fpga_job jobs[4] = {
		{ .tag = 1, .fn = FPGA_FN_FACTORIAL, .arg0 = 51, .arg1 = 2000000 },
		{ .tag = 2, .fn = FPGA_FN_CRC32C, .in = in, .in_len = big },
		{ .tag = 3, .fn = FPGA_FN_ECHO, .in = in, .in_len = big,
		  .out = out, .out_cap = big },
		{ .tag = 4, .fn = FPGA_FN_FIBONACCI, .arg0 = 10, .arg1 = 1 },
	};
	struct fpga_completion done[4];
	unsigned int polls = 0, got = 0, order[4];

	if (ctx == NULL || in == NULL || out == NULL) {
		perror("test_slices");
		exit(1);
	}
	for (uint32_t i = 0; i < big; i++)
		in[i] = (uint8_t)(i * 2654435761u >> 24);
	CHECK_U64(fpga_submit(ctx, jobs, 4), 4);
	while (got < 4 && polls < 100000000u) {
		unsigned int k = fpga_poll(ctx, done, 4);

		for (unsigned int i = 0; i < k; i++, got++) {
			order[got] = (unsigned int)done[i].tag;
			CHECK_I64(done[i].status, 0);
			if (done[i].tag == 1)
				CHECK_U64(done[i].result, fpga_sw_factorial(51, 1));
			if (done[i].tag == 2)
				CHECK_U64(done[i].result, fpga_sw_crc32c(in, big));
			if (done[i].tag == 3)
				CHECK(done[i].out_len == big &&
				      memcmp(in, out, big) == 0);
			if (done[i].tag == 4)
				CHECK_U64(done[i].result, 55);
		}
		polls++;
	}
	CHECK_U64(got, 4);
	CHECK(polls > 10);		/* the long ones took many slices */
	CHECK_U64(order[0], 4);		/* the tiny one was not stuck */
	printf("slices: 4 jobs done in %u polls, tiny one first\n", polls);
	free(in);
	free(out);
	fpga_exit(ctx);
}

int
main(void)
{
	struct fpga_ctx *ctx;

	test_init_conf();
	ctx = open_ctx(16, 0);
	CHECK(fpga_ctx_backend(ctx) == fpga_backend_find("sw"));
	test_echo(ctx);
	test_scalars(ctx);
	test_rejects(ctx);
	fpga_exit(ctx);
	test_max_reps();
	test_queue_full();
	test_bulk();
	test_slices();
	return check_exit("test_fpga_sw");
}
