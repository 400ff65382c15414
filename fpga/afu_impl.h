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
 * lcore when the unit fails and read on the main lcore: atomics. */
struct fpga_afu_unit {
	struct fpga_ll *ll;
	uint32_t version;
	uint32_t fn_mask;
	uint32_t max_in_len;
	uint64_t timeout_ns;
	int in_service;
	int fail_status;
	uint32_t err_code;
	bool has_ctx;
};

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
