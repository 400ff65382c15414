/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/accel_fpga: the simulated FPGA unit against the software backend,
 * in one process, for correctness more than speed: factorial and fibonacci
 * (the paper's kernels) and crc32c run the same jobs on both placements,
 * every result is compared, and the unit's own cycle counter gives the
 * simulated cycles per call next to the wall time per call (the simulator
 * runs on this CPU, so its wall time says nothing about a real card).
 *
 * One job at a time (latency, not throughput): submit, poll until done.
 * usage: accel_fpga [--calls N] [SIM-SPEC]   (default 2000 calls, "sim")
 * prints one line per function; exits 1 if any result differs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "accel.h"
#include "afu.h"

#define PAYLOAD_MAX 4096u

struct side {
	struct fpga_ctx *ctx;
	uint64_t ns;		/* wall time of all calls */
};

static uint64_t
ns_now(void)
{
	return rte_get_timer_cycles() * 1000000000ull / rte_get_timer_hz();
}

/* Run one job to completion; its result, or ~0 on error. */
static uint64_t
run_one(struct side *s, const struct fpga_job *job)
{
	struct fpga_completion c;
	uint64_t t0 = ns_now();

	while (fpga_submit(s->ctx, job, 1) != 1)
		(void)fpga_poll(s->ctx, &c, 1);
	while (fpga_poll(s->ctx, &c, 1) != 1)
		;
	s->ns += ns_now() - t0;
	return c.status == 0 ? c.result : ~0ull;
}

/* The i-th job of a function: arguments and payload vary with i. */
static void
make_job(enum fpga_fn_id fn, unsigned int i, uint8_t *payload,
	 struct fpga_job *job)
{
	memset(job, 0, sizeof(*job));
	job->fn = fn;
	job->tag = i;
	switch (fn) {
	case FPGA_FN_FACTORIAL:
		job->arg0 = i % (FPGA_FACTORIAL_MAX_N + 1);
		job->arg1 = 1 + i % 8;
		break;
	case FPGA_FN_FIBONACCI:
		job->arg0 = i % (FPGA_FIBONACCI_MAX_N + 1);
		job->arg1 = 1 + i % 8;
		break;
	default:
		job->in_len = 1 + (i * 97u) % PAYLOAD_MAX;
		for (uint32_t k = 0; k < job->in_len; k++)
			payload[k] = (uint8_t)(k * 31u + i);
		job->in = payload;
		break;
	}
}

static int
compare(enum fpga_fn_id fn, unsigned int calls, struct side *sw,
	struct side *hw)
{
	static uint8_t payload[PAYLOAD_MAX];
	uint64_t a, b;
	unsigned int bad = 0;
	struct fpga_job job;

	sw->ns = hw->ns = 0;
	a = fpga_afu_cycles();	/* this thread owns the unit's context */
	for (unsigned int i = 0; i < calls; i++) {
		make_job(fn, i, payload, &job);
		uint64_t want = run_one(sw, &job), got = run_one(hw, &job);

		if (want != got || want == ~0ull) {
			if (bad++ == 0)
				fprintf(stderr, "accel_fpga: %s job %u: sw %" PRIu64
					", sim %" PRIu64 "\n", fpga_fn_name(fn), i, want, got);
		}
	}
	b = fpga_afu_cycles();
	printf("%-10s calls=%u mismatches=%u sim_cycles_per_call=%.1f "
	       "sim_wall_us_per_call=%.2f sw_wall_us_per_call=%.3f\n",
	       fpga_fn_name(fn), calls, bad,
	       (double)(b - a) / calls, hw->ns / 1e3 / calls,
	       sw->ns / 1e3 / calls);
	return bad == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci",
			"--no-shconf", "--no-telemetry", "--log-level=*:error",
			"-l", "0", NULL };
	struct fpga_ctx_conf conf = { .depth = 64, .socket_id = -1 };
	const char *spec = "sim";
	unsigned int calls = 2000;
	struct side sw, hw;
	int rc, bad = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--calls") == 0 && i + 1 < argc)
			calls = (unsigned int)atoi(argv[++i]);
		else
			spec = argv[i];
	}
	if (calls == 0) {
		fprintf(stderr, "usage: accel_fpga [--calls N] [SIM-SPEC]\n");
		return 2;
	}
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 77;
	}
	rc = fpga_afu_register(spec);
	if (rc == -ENOTSUP) {
		printf("accel_fpga: SKIP: the simulated unit is not built (no Verilator)\n");
		return 77;
	}
	sw.ctx = fpga_init(fpga_backend_find("sw"), &conf);
	hw.ctx = rc == 0 ? fpga_init(fpga_backend_find(FPGA_AFU_BACKEND_NAME), &conf) : NULL;
	if (sw.ctx == NULL || hw.ctx == NULL) {
		fprintf(stderr, "accel_fpga: %s: cannot set up (%d)\n", spec, rc);
		return 1;
	}
	printf("# bench/accel_fpga: %s against software, %u calls each, one at a time\n",
	       spec, calls);
	bad |= compare(FPGA_FN_FACTORIAL, calls, &sw, &hw);
	bad |= compare(FPGA_FN_FIBONACCI, calls, &sw, &hw);
	bad |= compare(FPGA_FN_CRC32C, calls, &sw, &hw);
	fpga_exit(hw.ctx);
	fpga_exit(sw.ctx);
	fpga_afu_unregister();
	rte_eal_cleanup();
	return bad;
}
