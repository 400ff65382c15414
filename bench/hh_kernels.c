/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-Host micro benchmark (VirtFun's split): the same total repetitions of
 * factorial(51) / fibonacci(93) cut into 1 .. 2000 invocations, run as a
 * native call and through the sw backend's submit/poll; prints seconds and
 * the backend/native ratio. Usage: hh_kernels [total_reps] (default 50M).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "accel.h"
#include "sw_kernels.h"

static const uint64_t invocations[] = { 1, 10, 100, 1000, 2000 };

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double
run_native(enum fpga_fn_id fn, uint64_t n, uint64_t reps, uint64_t inv,
	   uint64_t *sink)
{
	double t0 = now();
	uint64_t i;

	for (i = 0; i < inv; i++)
		*sink += fn == FPGA_FN_FACTORIAL ? fpga_sw_factorial(n, reps) :
			 fpga_sw_fibonacci(n, reps);
	return now() - t0;
}

static double
run_backend(struct fpga_ctx *ctx, enum fpga_fn_id fn, uint64_t n,
	    uint64_t reps, uint64_t inv, uint64_t *sink)
{
	struct fpga_job job = { .fn = fn, .arg0 = n, .arg1 = reps };
	struct fpga_completion c;
	double t0 = now();
	uint64_t i;

	for (i = 0; i < inv; i++) {
		job.tag = i;
		while (fpga_submit(ctx, &job, 1) == 0)
			;
		while (fpga_poll(ctx, &c, 1) == 0)
			;
		*sink += c.result + (uint64_t)c.status;
	}
	return now() - t0;
}

static void
bench_fn(struct fpga_ctx *ctx, enum fpga_fn_id fn, uint64_t n,
	 uint64_t total, uint64_t *sink)
{
	double tn, tb;
	size_t k;

	for (k = 0; k < sizeof(invocations) / sizeof(invocations[0]); k++) {
		uint64_t inv = invocations[k], reps = total / inv;

		tn = run_native(fn, n, reps, inv, sink);
		tb = run_backend(ctx, fn, n, reps, inv, sink);
		printf("%-9s n=%-3" PRIu64 " %10" PRIu64 " reps x %5" PRIu64
		       " inv  native %8.4f s  sw-backend %8.4f s  ratio %.3f\n",
		       fpga_fn_name(fn), n, reps, inv, tn, tb, tb / tn);
	}
}

int
main(int argc, char **argv)
{
	uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 0) : 50000000;
	struct fpga_ctx_conf conf = { .depth = 16, .socket_id = -1 };
	struct fpga_ctx *ctx = fpga_init(fpga_backend_find("sw"), &conf);
	uint64_t sink = 0;

	if (ctx == NULL || total < 2000) {
		fprintf(stderr, "hh_kernels: init failed or total < 2000\n");
		return 1;
	}
	bench_fn(ctx, FPGA_FN_FACTORIAL, 51, total, &sink);
	bench_fn(ctx, FPGA_FN_FIBONACCI, 93, total, &sink);
	printf("(checksum %" PRIu64 ")\n", sink);
	fpga_exit(ctx);
	return 0;
}
