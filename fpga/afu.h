/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The "afu" backend: VirtFun's high-level driver for the hostlane
 * accelerator function unit (docs/fpga.md), over the low-level layer
 * (ll.h: the Verilator model or a vfio-bound card).
 *
 * One unit, one context at a time (the unit has one job ring). Jobs are
 * checked against the catalog, their payloads copied into per-slot DMA
 * staging buffers (so guest memory need not be DMA-mapped), and written to
 * the ring; completions come back in the order the unit finishes them.
 * caps() offers FPGA_PLACE_HW for the functions in the unit's CAP_LIST.
 *
 * Failure: if the unit reports a fatal error (STATUS = ERROR) every job on
 * it completes with -EIO; if jobs are in flight and none completes for
 * timeout_ms of device time, with -ETIMEDOUT. Either way the unit is reset
 * (so it stops DMA), taken out of service — caps() then offers nothing and
 * later jobs complete with -EIO — until fpga_afu_unregister().
 *
 * Threads: register/unregister/info on the main lcore with no context
 * running; the context follows accel.h.
 */
#ifndef HOSTLANE_FPGA_AFU_H
#define HOSTLANE_FPGA_AFU_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Registry name of the backend. */
#define FPGA_AFU_BACKEND_NAME "afu"
/** Default no-progress timeout. */
#define FPGA_AFU_TIMEOUT_MS_DEFAULT 1000
/** Default largest payload per job (bytes of staging per ring slot). */
#define FPGA_AFU_MAX_IN_DEFAULT 4096
/** Largest queue depth (ring entries). */
#define FPGA_AFU_DEPTH_MAX (1u << 15)

/** How to reach the unit. */
struct fpga_afu_conf {
	/** "sim", "sim:latency=N,cycles=N,hang_after=N,fault_after=N" or
	 * "vfio:DDDD:BB:DD.F" (see docs/fpga.md). */
	const char *lowlevel;
	uint32_t timeout_ms;	/**< 0: FPGA_AFU_TIMEOUT_MS_DEFAULT */
	uint32_t max_in_len;	/**< 0: FPGA_AFU_MAX_IN_DEFAULT */
};

/** What the driver knows about the unit. */
struct fpga_afu_info {
	bool present;		/**< a unit is attached */
	bool in_service;	/**< not failed */
	uint32_t version;	/**< VERSION register */
	uint32_t fn_mask;	/**< bit i: function id i is offered */
	int fail_status;	/**< -EIO or -ETIMEDOUT once failed, else 0 */
	uint32_t err_code;	/**< enum fpga_afu_err when it failed */
	uint64_t cycles;	/**< the unit's CYCLES counter */
};

/**
 * Attach a unit and register the "afu" backend (once; later calls after
 * fpga_afu_unregister() attach a new unit to it). Main lcore, at start-up;
 * "vfio" needs the EAL initialised.
 * @param lowlevel  "sim[:opts]" or "vfio:PCI-ADDRESS".
 * @return 0; -EINVAL bad spec; -ENOTSUP "sim" not built (no Verilator) or
 *   unsupported unit version; -ENODEV no device, or not an AFU (ID);
 *   -EEXIST a unit is already attached; -ENOMEM.
 */
int fpga_afu_register(const char *lowlevel);

/** fpga_afu_register() with a timeout and staging size. Same returns. */
int fpga_afu_register_conf(const struct fpga_afu_conf *conf);

/**
 * Detach the unit (no context may exist). The backend stays registered
 * and offers nothing. Safe to call with no unit.
 */
void fpga_afu_unregister(void);

/**
 * Describe the attached unit. Main lcore, or the owning lcore.
 * @return 0; -EINVAL info is NULL.
 */
int fpga_afu_info(struct fpga_afu_info *info);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_AFU_H */
