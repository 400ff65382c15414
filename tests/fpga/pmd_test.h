/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the cryptodev/compressdev tests: EAL start, running a batch of
 * jobs to completion with every completion seen exactly once. */
#ifndef HOSTLANE_TESTS_FPGA_PMD_TEST_H
#define HOSTLANE_TESTS_FPGA_PMD_TEST_H

#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "accel.h"
#include "fpga_check.h"

/* No hugepages (CI), no shared config: any number of these run at once. */
static inline int
pmd_test_eal(const char *prog)
{
	char *argv[] = {
		(char *)prog, "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", "--no-telemetry", "--log-level=*:error",
		"-l", "0", NULL,
	};

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

static inline uint64_t
pmd_test_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static inline void
pmd_test_fill(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t s = seed | 1;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)pmd_test_rand(&s);
}

/*
 * Run n jobs (tags 0..n-1 in any order in jobs[]) through ctx: submit what
 * is accepted, poll, repeat. done[tag] receives each completion; a tag seen
 * twice, out of range, or never, fails a check.
 */
static inline void
pmd_test_run(struct fpga_ctx *ctx, const struct fpga_job *jobs, unsigned int n,
	     struct fpga_completion *done)
{
	unsigned char *seen = calloc(n ? n : 1, 1);
	struct fpga_completion c[64];
	unsigned int sub = 0, got = 0, k, i, idle = 0;

	while (got < n && idle < 10000000) {
		if (sub < n)
			sub += fpga_submit(ctx, jobs + sub, n - sub);
		k = fpga_poll(ctx, c, 64);
		idle = k == 0 ? idle + 1 : 0;
		for (i = 0; i < k; i++) {
			if (c[i].tag >= n || seen[c[i].tag]) {
				CHECK(!"completion out of range or repeated");
				continue;
			}
			seen[c[i].tag] = 1;
			done[c[i].tag] = c[i];
			got++;
		}
		CHECK_U64(fpga_ctx_inflight(ctx), sub - got);
	}
	CHECK_U64(got, n);
	CHECK_U64(fpga_ctx_inflight(ctx), 0);
	CHECK_U64(fpga_poll(ctx, c, 64), 0);
	free(seen);
}

/* One job, run alone. */
static inline struct fpga_completion
pmd_test_one(struct fpga_ctx *ctx, struct fpga_job job)
{
	struct fpga_completion c = { .status = 1 };

	job.tag = 0;
	pmd_test_run(ctx, &job, 1, &c);
	return c;
}

static inline size_t
pmd_test_unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
	return n;
}

#endif /* HOSTLANE_TESTS_FPGA_PMD_TEST_H */
