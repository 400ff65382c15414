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
	uint64_t cycles;	/**< the unit's CYCLES counter; 0 while a
				     context exists (fpga_afu_cycles()) */
	bool reconf;		/**< a reconfiguration is under way */
	char image[64];		/**< the function image loaded ("" unknown) */
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
 * Describe the attached unit. Main lcore, or the owning lcore. Touches the
 * device only while no context exists (cycles is 0 otherwise): a context's
 * lcore may be clocking it, and the simulated model must never run on two
 * threads at once.
 * @return 0; -EINVAL info is NULL.
 */
int fpga_afu_info(struct fpga_afu_info *info);

/**
 * The unit's CYCLES counter. Only on the lcore that owns the unit's
 * context, or with no context (see fpga_afu_info()).
 * @return the counter, 0 without a unit.
 */
uint64_t fpga_afu_cycles(void);

/*
 * Reconfiguration: swapping the unit's function image while hostlane runs
 * (docs/fpga.md). Main lcore, in this order:
 *
 *   fpga_afu_reconf_begin()     close the gate: caps() offer nothing (no new
 *                               placement on the unit); the context holds
 *                               new jobs (accepted, staged, not posted);
 *   fpga_afu_reconf_drained()   poll (never blocks) until no job is left on
 *                               the unit and the context is outside submit;
 *   fpga_afu_reconf_load(img)   only once drained: swap the image, re-read
 *                               ID, VERSION and CAP_LIST;
 *   fpga_afu_reconf_end()       open the gate, also to give up (timeout).
 *
 * After a load the context reprograms the unit's rings at its next submit
 * or poll and posts the held jobs: those for functions the new image lacks
 * complete with -ENOTSUP, like any job for a function the unit lacks. The
 * fast path pays one seq_cst store and load per submit for the gate.
 */

/**
 * Start a reconfiguration. @return 0; -ENODEV no unit; -EBUSY one is
 * under way; -EIO the unit is out of service; -ENOTSUP its low-level
 * device cannot reconfigure.
 */
int fpga_afu_reconf_begin(void);

/** @return whether no job is on the unit any more (after begin). */
bool fpga_afu_reconf_drained(void);

/**
 * Load a function image (sim: "full", "crc", "math"; vfio: an absolute
 * path to a .gbs file, with DPDK's ifpga rawdev). Between begin and end,
 * once drained.
 * @return 0 (fpga_afu_info() shows the new image and functions);
 *   -EBUSY not drained; -EINVAL no reconfiguration begun; -ENOENT no such
 *   image and -ENOTSUP not supported on this device or build (both: the old
 *   image runs on); -ENOMEM; -EIO the device failed to load it or the new
 *   image is not an AFU of this major version: the unit is out of service.
 */
int fpga_afu_reconf_load(const char *image);

/** Open the gate: end the reconfiguration, loaded or not. */
void fpga_afu_reconf_end(void);

/**
 * @return the name of image i (0, 1, ...) the unit can load, NULL past the
 *   last, with no unit, or when images are files (vfio).
 */
const char *fpga_afu_image_name(unsigned int i);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_AFU_H */
