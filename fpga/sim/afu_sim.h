/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * C interface to the Verilator model of fpga/rtl/fpga_afu_top.v.
 *
 * The model only moves when fpga_afu_sim_run() or an MMIO write clocks it,
 * on the calling thread; one thread at a time per model. Its memory port is
 * served by a callback, called once per clock cycle in which the unit holds
 * a request, that returns FPGA_AFU_SIM_MEM_OK (done), _ERR (bus error) or
 * _WAIT (no answer this cycle: models latency, or a hang when it persists).
 */
#ifndef HOSTLANE_FPGA_SIM_AFU_SIM_H
#define HOSTLANE_FPGA_SIM_AFU_SIM_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum fpga_afu_sim_mem {
	FPGA_AFU_SIM_MEM_OK = 0,
	FPGA_AFU_SIM_MEM_ERR = 1,
	FPGA_AFU_SIM_MEM_WAIT = 2,
};

/**
 * Serve one 8-byte access at an 8-byte aligned IOVA.
 * @param data  for a write, the value to store; for a read, receives it.
 */
typedef enum fpga_afu_sim_mem (*fpga_afu_sim_mem_fn)(void *opaque,
						     uint64_t iova, bool write,
						     uint64_t *data);

struct fpga_afu_sim;

/**
 * Build the model and hold it in reset for a few cycles.
 * @return the model, or NULL (out of memory).
 */
struct fpga_afu_sim *fpga_afu_sim_new(fpga_afu_sim_mem_fn mem, void *opaque);

/** The image fpga_afu_sim_new() builds: all kernels. */
#define FPGA_AFU_SIM_IMAGE_DEFAULT "full"

/**
 * Build the model of a function image: fpga_afu_top Verilated with another
 * KERNELS parameter ("full", "crc", "math"; fpga_afu_sim_image_name()).
 * @return the model, or NULL with errno ENOENT (no such image) or ENOMEM.
 */
struct fpga_afu_sim *fpga_afu_sim_new_image(const char *image,
					    fpga_afu_sim_mem_fn mem,
					    void *opaque);

/** @return the name of image i (0, 1, ...), NULL past the last. */
const char *fpga_afu_sim_image_name(unsigned int i);

/** Free a model; NULL is fine. */
void fpga_afu_sim_free(struct fpga_afu_sim *s);

/** Read a BAR0 register (no clock). */
uint32_t fpga_afu_sim_read32(struct fpga_afu_sim *s, uint32_t off);

/** Write a BAR0 register: one clock cycle. */
void fpga_afu_sim_write32(struct fpga_afu_sim *s, uint32_t off, uint32_t v);

/**
 * Clock the model until it is idle (nothing left to do until the next
 * MMIO write), its interrupt line is high (if stop_on_irq), or max_cycles.
 * @return cycles run.
 */
uint64_t fpga_afu_sim_run(struct fpga_afu_sim *s, uint64_t max_cycles,
			  bool stop_on_irq);

/** @return cycles run since the model was built. */
uint64_t fpga_afu_sim_cycles(const struct fpga_afu_sim *s);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_SIM_AFU_SIM_H */
