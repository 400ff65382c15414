/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The hostlane accelerator function unit (AFU): register map, job ring
 * descriptor and completion layouts. This header is the contract between
 * the RTL in fpga/rtl/ and every driver (docs/fpga.md explains it).
 *
 * - BAR0 holds 32-bit registers; 64-bit values are LO/HI pairs.
 * - All addresses the unit sees (ring bases, payloads) are IOVAs.
 * - Rings live in host memory: a submission ring of descriptors that the
 *   unit reads and a completion ring that it writes, both 1 << RING_LOG2
 *   entries. Indices are free-running 32-bit counters; entry = idx & mask.
 */
#ifndef HOSTLANE_FPGA_AFU_REGS_H
#define HOSTLANE_FPGA_AFU_REGS_H

#include <stdint.h>

/* The layouts are checked in C and in C++ (the Verilator testbenches). */
#ifdef __cplusplus
#define FPGA_AFU_STATIC_ASSERT static_assert
#else
#define FPGA_AFU_STATIC_ASSERT _Static_assert
#endif

#define FPGA_AFU_ID_MAGIC	0x484C4146u	/* "HLAF" */
#define FPGA_AFU_VERSION	0x00010000u	/* major << 16 | minor */

/* Register offsets in BAR0. */
#define FPGA_AFU_REG_ID		0x000	/* RO magic */
#define FPGA_AFU_REG_VERSION	0x004	/* RO */
#define FPGA_AFU_REG_CAP_COUNT	0x008	/* RO entries in CAP_LIST */
#define FPGA_AFU_REG_SCRATCH	0x00C	/* RW, no effect */
#define FPGA_AFU_REG_CTRL	0x010	/* RW, see FPGA_AFU_CTRL_* */
#define FPGA_AFU_REG_STATUS	0x014	/* RO, see FPGA_AFU_STATUS_* */
#define FPGA_AFU_REG_DOORBELL	0x018	/* WO submission tail index */
#define FPGA_AFU_REG_IRQ_STATUS	0x01C	/* RW1C, see FPGA_AFU_IRQ_* */
#define FPGA_AFU_REG_IRQ_MASK	0x020	/* RW, 1 = masked; reset all 1 */
#define FPGA_AFU_REG_SQ_HEAD	0x024	/* RO descriptors consumed */
#define FPGA_AFU_REG_CQ_TAIL	0x028	/* RO completions written */
#define FPGA_AFU_REG_RING_LOG2	0x02C	/* RW log2 of ring entries, 0..15 */
#define FPGA_AFU_REG_SQ_BASE_LO	0x030	/* RW, 64-byte aligned IOVA */
#define FPGA_AFU_REG_SQ_BASE_HI	0x034
#define FPGA_AFU_REG_CQ_BASE_LO	0x038	/* RW, 16-byte aligned IOVA */
#define FPGA_AFU_REG_CQ_BASE_HI	0x03C
#define FPGA_AFU_REG_FN		0x040	/* RW scalar job: function id */
#define FPGA_AFU_REG_IN_LEN	0x044	/* RW scalar job: payload bytes */
#define FPGA_AFU_REG_ARG0_LO	0x048	/* RW scalar job: arg0 */
#define FPGA_AFU_REG_ARG0_HI	0x04C
#define FPGA_AFU_REG_ARG1_LO	0x050	/* RW scalar job: arg1 */
#define FPGA_AFU_REG_ARG1_HI	0x054
#define FPGA_AFU_REG_IN_ADDR_LO	0x058	/* RW scalar job: payload IOVA */
#define FPGA_AFU_REG_IN_ADDR_HI	0x05C
#define FPGA_AFU_REG_RESULT_LO	0x060	/* RO scalar job: result */
#define FPGA_AFU_REG_RESULT_HI	0x064
#define FPGA_AFU_REG_CYCLES_LO	0x068	/* RO free-running clock count */
#define FPGA_AFU_REG_CYCLES_HI	0x06C
#define FPGA_AFU_REG_CAP_LIST	0x080	/* RO function ids, 4 bytes each */
#define FPGA_AFU_CAP_MAX	16

/* CTRL bits. START and RESET are pulses: they read back as 0. */
#define FPGA_AFU_CTRL_START	(1u << 0)	/* run the scalar job */
#define FPGA_AFU_CTRL_RESET	(1u << 1)	/* soft reset, see docs */
#define FPGA_AFU_CTRL_RING_EN	(1u << 2)	/* fetch from the job ring */

/* STATUS fields. */
#define FPGA_AFU_STATUS_STATE(v)	((v) & 0x3u)
#define FPGA_AFU_STATUS_ERR(v)		(((v) >> 8) & 0xFFu)
#define FPGA_AFU_STATUS_JOB(v)		(((v) >> 16) & 0xFFu)
enum fpga_afu_state {
	FPGA_AFU_STATE_IDLE = 0,
	FPGA_AFU_STATE_BUSY = 1,
	FPGA_AFU_STATE_DONE = 2,	/* scalar job finished, result valid */
	FPGA_AFU_STATE_ERROR = 3,	/* fatal; STATUS_ERR says why */
};

/* Fatal error codes (STATUS_ERR); only a soft reset clears them. */
enum fpga_afu_err {
	FPGA_AFU_ERR_NONE = 0,
	FPGA_AFU_ERR_SQ_READ = 1,	/* bus error fetching a descriptor */
	FPGA_AFU_ERR_PAYLOAD = 2,	/* bus error reading a payload */
	FPGA_AFU_ERR_CQ_WRITE = 3,	/* bus error writing a completion */
	FPGA_AFU_ERR_RING_CFG = 4,	/* RING_EN with a misaligned base */
};

/* Per-job status in a completion and in STATUS_JOB. */
enum fpga_afu_job_status {
	FPGA_AFU_JOB_OK = 0,
	FPGA_AFU_JOB_BAD_FN = 1,	/* function not in CAP_LIST */
	FPGA_AFU_JOB_BAD_ARG = 2,	/* argument out of range, flags set */
};

/* IRQ_STATUS / IRQ_MASK bits. */
#define FPGA_AFU_IRQ_CQ		(1u << 0)	/* a completion was written */
#define FPGA_AFU_IRQ_ERROR	(1u << 1)	/* the unit entered ERROR */
#define FPGA_AFU_IRQ_SCALAR	(1u << 2)	/* the scalar job finished */
#define FPGA_AFU_IRQ_ALL	0x7u

#define FPGA_AFU_RING_LOG2_MAX	15

/** Submission ring entry, written by the driver, read by the unit. */
struct fpga_afu_desc {
	uint16_t fn;		/* function id */
	uint16_t flags;		/* must be 0 */
	uint32_t tag;		/* echoed in the completion */
	uint64_t arg0;
	uint64_t arg1;
	uint64_t in_addr;	/* payload IOVA */
	uint32_t in_len;	/* payload bytes */
	uint32_t out_len;	/* output bytes available (reserved) */
	uint64_t out_addr;	/* output IOVA (reserved) */
	uint64_t rsvd[2];
};
FPGA_AFU_STATIC_ASSERT(sizeof(struct fpga_afu_desc) == 64, "descriptor is 64 B");

/** Completion ring entry, written by the unit: result first, then info. */
struct fpga_afu_cpl {
	uint64_t result;
	uint64_t info;		/* see FPGA_AFU_CPL_* */
};
FPGA_AFU_STATIC_ASSERT(sizeof(struct fpga_afu_cpl) == 16, "completion is 16 B");

#define FPGA_AFU_CPL_TAG(info)		((uint32_t)(info))
#define FPGA_AFU_CPL_STATUS(info)	((uint32_t)((info) >> 32) & 0xFFFFu)
/* Flips on every pass over the ring; first pass writes 1. */
#define FPGA_AFU_CPL_PHASE(info)	((uint32_t)((info) >> 63))

#endif /* HOSTLANE_FPGA_AFU_REGS_H */
