/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The backend provider contract: what a backend (sw.c, afu_ctx.c,
 * cryptodev.c, compressdev.c, hang.c) implements behind accel.h. Users of the
 * accelerator layer include accel.h only.
 *
 * A backend's context embeds struct fpga_ctx as its FIRST member and
 * recovers its own type with container_of(). accel.c owns the generic part
 * (ops pointer, counters); the backend owns everything else. Each op runs in
 * the thread context its accel.h wrapper documents: init/exit/caps on the
 * main lcore, submit/poll on the lcore owning the context, and submit/poll
 * must keep the fast-path rules (no syscall, lock, allocation or log).
 */
#ifndef HOSTLANE_FPGA_BACKEND_H
#define HOSTLANE_FPGA_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "accel.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Generic part of every context; backends embed it first. */
struct fpga_ctx {
	const struct fpga_backend_ops *ops;
	struct fpga_ctx_stats stats;
};

/** The ops table of one backend. */
struct fpga_backend_ops {
	/** Registry name, e.g. "sw". */
	const char *name;
	/**
	 * Create a context; conf is already validated by fpga_init().
	 * @return the embedded generic part, or NULL with errno set.
	 */
	struct fpga_ctx *(*init)(const struct fpga_ctx_conf *conf);
	/** Quiesce the device for ctx and free it. Never called with NULL. */
	void (*exit)(struct fpga_ctx *ctx);
	/** Accept a prefix of jobs; see fpga_submit(). */
	unsigned int (*submit)(struct fpga_ctx *ctx,
			       const struct fpga_job *jobs, unsigned int n);
	/** Return ready completions; see fpga_poll(). */
	unsigned int (*poll)(struct fpga_ctx *ctx,
			     struct fpga_completion *done, unsigned int max);
	/** What the backend offers for fn (a catalog id); 0 or -ENOTSUP. */
	int (*caps)(enum fpga_fn_id fn, struct fpga_fn_caps *caps);
};

/** The software backend, always registered. */
extern const struct fpga_backend_ops fpga_sw_ops;

/**
 * Check a job against the catalog and the context's limits, the checks
 * every backend applies before running a job. Fast path.
 * @param job       the job.
 * @param max_reps  the context's repetition limit, 0 for none.
 * @return 0 or the negative errno for the job's completion status.
 */
int fpga_job_validate(const struct fpga_job *job, uint64_t max_reps);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_BACKEND_H */
