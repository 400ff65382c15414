/* SPDX-License-Identifier: BSD-3-Clause */
/* The "afu" backend on the simulated unit: results equal the software
 * backend's, many jobs in flight complete out of order, and a unit that
 * faults or hangs fails its jobs and leaves service. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "afu.h"
#include "afu_regs.h"
#include "fpga_check.h"
#include "ll.h"
#include "sw_kernels.h"

#define SKIP 77
#define MAX_POLLS 50000000u
#define MAX_IN 512

struct run {
	struct fpga_completion *c;	/* by job index (tag) */
	unsigned int *order;		/* job indices in completion order */
	unsigned int nb_done;
};

static struct fpga_ctx *
open_afu(uint32_t depth)
{
	struct fpga_ctx_conf conf = { .depth = depth, .socket_id = -1 };
	struct fpga_ctx *ctx = fpga_init(fpga_backend_find("afu"), &conf);

	if (ctx == NULL) {
		perror("fpga_init(afu)");
		exit(1);
	}
	return ctx;
}

static int
attach(const char *ll, uint32_t timeout_ms)
{
	struct fpga_afu_conf conf = {
		.lowlevel = ll, .timeout_ms = timeout_ms, .max_in_len = MAX_IN,
	};

	return fpga_afu_register_conf(&conf);
}

static void
collect(struct fpga_ctx *ctx, struct run *r)
{
	struct fpga_completion c[32];
	unsigned int i, k = fpga_poll(ctx, c, 32);

	for (i = 0; i < k; i++) {
		CHECK(c[i].tag < MAX_POLLS && r->c[c[i].tag].status == 1);
		r->c[c[i].tag] = c[i];
		r->order[r->nb_done++] = (unsigned int)c[i].tag;
	}
}

/* Run jobs (tag = index) to completion through ctx. */
static void
run_jobs(struct fpga_ctx *ctx, const struct fpga_job *jobs, unsigned int n,
	 struct run *r)
{
	unsigned int i, sent = 0, polls = 0;

	r->c = malloc(n * sizeof(*r->c));
	r->order = malloc(n * sizeof(*r->order));
	r->nb_done = 0;
	for (i = 0; i < n; i++)
		r->c[i].status = 1;
	while (r->nb_done < n && polls++ < MAX_POLLS) {
		sent += fpga_submit(ctx, jobs + sent, n - sent);
		collect(ctx, r);
	}
	CHECK_U64(r->nb_done, n);
	CHECK_U64(fpga_ctx_inflight(ctx), 0);
}

static void
run_free(struct run *r)
{
	free(r->c);
	free(r->order);
}

static uint64_t
sw_result(const struct fpga_job *j)
{
	switch (j->fn) {
	case FPGA_FN_FACTORIAL:
		return fpga_sw_factorial(j->arg0, j->arg1);
	case FPGA_FN_FIBONACCI:
		return fpga_sw_fibonacci(j->arg0, j->arg1);
	default:
		return fpga_sw_crc32c(j->in, j->in_len);
	}
}

static uint8_t payload[MAX_IN + 64];

static struct fpga_job
random_job(unsigned int i)
{
	struct fpga_job j = { .tag = i, .arg1 = 1 + (unsigned int)rand() % 3 };

	switch (rand() % 3) {
	case 0:
		j.fn = FPGA_FN_FACTORIAL;
		j.arg0 = (unsigned int)rand() % (FPGA_FACTORIAL_MAX_N + 1);
		break;
	case 1:
		j.fn = FPGA_FN_FIBONACCI;
		j.arg0 = (unsigned int)rand() % (FPGA_FIBONACCI_MAX_N + 1);
		break;
	default:
		j.fn = FPGA_FN_CRC32C;
		j.in = payload + rand() % 64;
		j.in_len = (uint32_t)rand() % (MAX_IN + 1);
		break;
	}
	return j;
}

static void
check_against_sw(const struct fpga_job *jobs, unsigned int n,
		 const struct run *r)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		CHECK_I64(r->c[i].status, 0);
		CHECK_U64(r->c[i].result, sw_result(&jobs[i]));
	}
}

static void
test_registry(void)
{
	struct fpga_afu_info info;
	struct fpga_fn_caps caps;
	enum fpga_place place;
	const struct fpga_backend_ops *afu = fpga_backend_find("afu");

	CHECK(afu != NULL);
	CHECK_I64(fpga_afu_register("sim"), -EEXIST);
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(info.present && info.in_service);
	CHECK_U64(info.version, FPGA_AFU_VERSION);
	CHECK_U64(info.fn_mask, (1u << 2) | (1u << 3) | (1u << 4));
	CHECK_I64(fpga_fn_caps(afu, FPGA_FN_CRC32C, &caps), 0);
	CHECK(caps.place == FPGA_PLACE_HW && caps.max_in_len == MAX_IN);
	CHECK_I64(fpga_fn_caps(afu, FPGA_FN_ECHO, &caps), -ENOTSUP);
	CHECK(fpga_backend_place(FPGA_FN_FACTORIAL, true, &place) == afu);
	CHECK(place == FPGA_PLACE_HW);
	CHECK(fpga_backend_place(FPGA_FN_FACTORIAL, false, &place) ==
	      fpga_backend_find("sw"));
	CHECK(fpga_backend_place(FPGA_FN_ECHO, true, &place) ==
	      fpga_backend_find("sw"));
}

/* Every n and a few repetitions of each kernel, one job at a time. */
static void
test_kernels_exhaustive(struct fpga_ctx *ctx)
{
	struct fpga_job jobs[2 * 94 * 2 + 1];
	unsigned int n = 0, v, reps;
	struct run r;

	for (reps = 1; reps <= 2; reps++) {
		for (v = 0; v <= FPGA_FACTORIAL_MAX_N; v++)
			jobs[n++] = (struct fpga_job){ .fn = FPGA_FN_FACTORIAL,
				.arg0 = v, .arg1 = reps };
		for (v = 0; v <= FPGA_FIBONACCI_MAX_N; v++)
			jobs[n++] = (struct fpga_job){ .fn = FPGA_FN_FIBONACCI,
				.arg0 = v, .arg1 = reps };
	}
	jobs[n++] = (struct fpga_job){ .fn = FPGA_FN_CRC32C,
		.in = "123456789", .in_len = 9 };
	for (v = 0; v < n; v++)
		jobs[v].tag = v;
	run_jobs(ctx, jobs, n, &r);
	check_against_sw(jobs, n, &r);
	CHECK_U64(r.c[n - 1].result, 0xE3069283u);
	CHECK_U64(r.c[2].result, 2);
	run_free(&r);
}

static void
test_random(struct fpga_ctx *ctx, unsigned int n)
{
	struct fpga_job *jobs = malloc(n * sizeof(*jobs));
	unsigned int i;
	struct run r;

	for (i = 0; i < n; i++)
		jobs[i] = random_job(i);
	run_jobs(ctx, jobs, n, &r);
	check_against_sw(jobs, n, &r);
	run_free(&r);
	free(jobs);
}

/* A long factorial first, short crc32c jobs behind it: they finish first. */
static void
test_out_of_order(struct fpga_ctx *ctx)
{
	struct fpga_job jobs[16];
	unsigned int i;
	struct run r;

	jobs[0] = (struct fpga_job){ .fn = FPGA_FN_FACTORIAL, .arg0 = 65,
		.arg1 = 300 };
	for (i = 1; i < 16; i++)
		jobs[i] = (struct fpga_job){ .fn = FPGA_FN_CRC32C,
			.in = payload, .in_len = 8 * i };
	for (i = 0; i < 16; i++)
		jobs[i].tag = i;
	CHECK_U64(fpga_submit(ctx, jobs, 16), 16);
	CHECK_U64(fpga_ctx_inflight(ctx), 16);
	r.nb_done = 0;
	r.c = malloc(16 * sizeof(*r.c));
	r.order = malloc(16 * sizeof(*r.order));
	for (i = 0; i < 16; i++)
		r.c[i].status = 1;
	for (i = 0; i < MAX_POLLS && r.nb_done < 16; i++)
		collect(ctx, &r);
	CHECK_U64(r.nb_done, 16);
	check_against_sw(jobs, 16, &r);
	CHECK(r.order[0] != 0);
	CHECK_U64(r.order[15], 0);
	run_free(&r);
}

static void
test_invalid(struct fpga_ctx *ctx)
{
	static const struct {
		struct fpga_job job;
		int status;
	} cases[] = {
		{ { .fn = FPGA_FN_FACTORIAL, .arg0 = 66, .arg1 = 1 }, -EINVAL },
		{ { .fn = FPGA_FN_FIBONACCI, .arg0 = 1, .arg1 = 0 }, -EINVAL },
		{ { .fn = 99 }, -ENOTSUP },
		{ { .fn = FPGA_FN_ECHO }, -ENOTSUP },
		{ { .fn = FPGA_FN_CRC32C, .in = payload,
		    .in_len = MAX_IN + 1 }, -EMSGSIZE },
		{ { .fn = FPGA_FN_CRC32C, .flags = 1 }, -EINVAL },
	};
	struct fpga_job jobs[6];
	unsigned int i;
	struct run r;

	for (i = 0; i < 6; i++) {
		jobs[i] = cases[i].job;
		jobs[i].tag = i;
	}
	run_jobs(ctx, jobs, 6, &r);
	for (i = 0; i < 6; i++) {
		CHECK_I64(r.c[i].status, cases[i].status);
		CHECK_U64(r.c[i].result, 0);
	}
	run_free(&r);
}

/* Run jobs on a unit that breaks; every job fails with status. */
static void
test_failure(const char *ll, int status, uint32_t err)
{
	struct fpga_afu_info info;
	struct fpga_fn_caps caps;
	struct fpga_job jobs[64];
	struct fpga_ctx *ctx;
	unsigned int i, failed = 0;
	enum fpga_place place;
	struct run r;

	CHECK_I64(attach(ll, 2), 0);
	ctx = open_afu(16);
	for (i = 0; i < 64; i++)
		jobs[i] = random_job(i);
	run_jobs(ctx, jobs, 64, &r);
	for (i = 0; i < 64; i++) {
		CHECK(r.c[i].status == 0 || r.c[i].status == status ||
		      r.c[i].status == -EIO);
		failed += r.c[i].status != 0;
	}
	CHECK(failed > 40);
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(!info.in_service);
	CHECK_I64(info.fail_status, status);
	CHECK_U64(info.err_code, err);
	CHECK_I64(fpga_fn_caps(fpga_backend_find("afu"), FPGA_FN_CRC32C,
			       &caps), -ENOTSUP);
	CHECK(fpga_backend_place(FPGA_FN_CRC32C, true, &place) ==
	      fpga_backend_find("sw") && place == FPGA_PLACE_SW);
	run_free(&r);
	fpga_exit(ctx);
	errno = 0;
	CHECK(fpga_init(fpga_backend_find("afu"),
			&(struct fpga_ctx_conf){ .depth = 4 }) == NULL);
	CHECK_I64(errno, ENODEV);
	fpga_afu_unregister();
}

static void
test_spec_errors(void)
{
	CHECK_I64(fpga_afu_register(NULL), -EINVAL);
	CHECK_I64(fpga_afu_register(""), -EINVAL);
	CHECK_I64(fpga_afu_register("nosuch"), -ENOTSUP);
	CHECK_I64(fpga_afu_register("sim:latency=x"), -EINVAL);
	CHECK_I64(fpga_afu_register("sim:bogus=1"), -EINVAL);
	CHECK_I64(fpga_afu_register("sim:cycles=0"), -EINVAL);
}

int
main(void)
{
	struct fpga_afu_info info;
	struct fpga_ctx *ctx;
	unsigned int i;

	if (!fpga_ll_have_sim()) {
		printf("SKIP: built without Verilator (no \"sim\" device)\n");
		return SKIP;
	}
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 131 + 7);
	srand(1);
	test_spec_errors();
	CHECK_I64(attach("sim:latency=2", 1000), 0);
	test_registry();
	ctx = open_afu(64);
	errno = 0;
	CHECK(fpga_init(fpga_backend_find("afu"),
			&(struct fpga_ctx_conf){ .depth = 4 }) == NULL);
	CHECK_I64(errno, EBUSY);
	test_kernels_exhaustive(ctx);
	test_random(ctx, 3000);
	test_out_of_order(ctx);
	test_invalid(ctx);
	/* With a context, info leaves the device alone; its owner may read. */
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(info.cycles == 0);
	CHECK(fpga_afu_cycles() > 100000);
	printf("fpga_afu: %" PRIu64 " simulated cycles\n", fpga_afu_cycles());
	fpga_exit(ctx);
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(info.cycles > 100000);
	ctx = open_afu(5);
	test_random(ctx, 500);
	fpga_exit(ctx);
	fpga_afu_unregister();
	test_failure("sim:fault_after=60", -EIO, FPGA_AFU_ERR_SQ_READ);
	test_failure("sim:hang_after=60", -ETIMEDOUT, FPGA_AFU_ERR_NONE);
	return check_exit("fpga_afu");
}
