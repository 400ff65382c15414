/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals shared by afu.c (the unit) and afu_ctx.c (its job ring). */
#ifndef HOSTLANE_FPGA_AFU_IMPL_H
#define HOSTLANE_FPGA_AFU_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "accel.h"
#include "afu.h"
#include "backend.h"
#include "ll.h"

/* The attached unit. in_service and fail_status are written by the owning
 * lcore when the unit fails and read on the main lcore: atomics.
 *
 * Reconfiguration gate (afu.h, fpga_afu_reconf_*): the main lcore closes
 * `gate`; the context then holds new jobs instead of posting them. Around
 * every gate check that may lead to touching the device the context sets
 * `posting` (a seq_cst store before the seq_cst load of `gate`, so that
 * either the main lcore sees `posting` or the context sees the gate closed),
 * and it publishes `hw_jobs` (jobs on the unit) with a release store after
 * its last device access. posting == 0 && hw_jobs == 0 with the gate closed
 * means no thread touches the device: the main lcore may swap the image,
 * then write fn_mask and bump the gate's generation, and open it; the
 * context, seeing a new generation, reprograms its rings. */
struct fpga_afu_unit {
	struct fpga_ll *ll;
	uint32_t version;
	uint32_t fn_mask;	/* atomic: main writes while the gate is closed */
	uint32_t max_in_len;
	uint64_t timeout_ns;
	int in_service;
	int fail_status;
	uint32_t err_code;
	bool has_ctx;
	bool reconf;		/* main lcore only: gate closed by reconf_begin */
	uint32_t gate;		/* FPGA_AFU_GATE_CLOSED | generation << 1 */
	int posting;
	uint32_t hw_jobs;
};

#define FPGA_AFU_GATE_CLOSED 1u
#define FPGA_AFU_GATE_GEN(g) ((g) >> 1)

/** The functions the loaded image offers (bit i: function id i). */
static inline uint32_t
fpga_afu_unit_fns(const struct fpga_afu_unit *u)
{
	return __atomic_load_n(&u->fn_mask, __ATOMIC_RELAXED);
}

/** The unit, or NULL if none is attached. */
struct fpga_afu_unit *fpga_afu_unit_get(void);

/** Whether the unit may take jobs. */
static inline bool
fpga_afu_unit_ok(const struct fpga_afu_unit *u)
{
	return __atomic_load_n(&u->in_service, __ATOMIC_RELAXED) != 0;
}

/** Take the unit out of service with the status its jobs fail with. */
void fpga_afu_unit_fail(struct fpga_afu_unit *u, int status, uint32_t err);

/** Context ops (afu_ctx.c). */
struct fpga_ctx *fpga_afu_ctx_init(const struct fpga_ctx_conf *conf);
void fpga_afu_ctx_exit(struct fpga_ctx *ctx);
unsigned int fpga_afu_ctx_submit(struct fpga_ctx *ctx,
				 const struct fpga_job *jobs, unsigned int n);
unsigned int fpga_afu_ctx_poll(struct fpga_ctx *ctx,
			       struct fpga_completion *done, unsigned int max);

#endif /* HOSTLANE_FPGA_AFU_IMPL_H */
