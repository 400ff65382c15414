// SPDX-License-Identifier: BSD-3-Clause
// Testbench: the AFU's register block and job engine at register level,
// through the same C shim the "sim" device uses, with a flat test memory:
// scalar jobs, ring jobs with rejections, out-of-order completions, ring
// wrap (phase), bus errors and misconfiguration, soft reset.
#include <cstring>

#include "afu_regs.h"
#include "afu_sim.h"
#include "sw_kernels.h"
#include "tb_kernel.h"

static const uint64_t MEM_BASE = 0x10000, MEM_SIZE = 0x10000;
static const uint64_t SQ = MEM_BASE, CQ = MEM_BASE + 0x2000;
static const uint64_t PAYLOAD = MEM_BASE + 0x4000;
static uint8_t mem[MEM_SIZE];

static enum fpga_afu_sim_mem
tb_mem(void *, uint64_t iova, bool write, uint64_t *data)
{
	if (iova < MEM_BASE || iova - MEM_BASE > MEM_SIZE - 8)
		return FPGA_AFU_SIM_MEM_ERR;
	if (write)
		std::memcpy(mem + (iova - MEM_BASE), data, 8);
	else
		std::memcpy(data, mem + (iova - MEM_BASE), 8);
	return FPGA_AFU_SIM_MEM_OK;
}

static void
tb_w64(struct fpga_afu_sim *s, uint32_t off, uint64_t v)
{
	fpga_afu_sim_write32(s, off, (uint32_t)v);
	fpga_afu_sim_write32(s, off + 4, (uint32_t)(v >> 32));
}

static uint64_t
tb_r64(struct fpga_afu_sim *s, uint32_t off)
{
	return fpga_afu_sim_read32(s, off) |
	       (uint64_t)fpga_afu_sim_read32(s, off + 4) << 32;
}

static uint32_t
tb_state(struct fpga_afu_sim *s)
{
	return FPGA_AFU_STATUS_STATE(fpga_afu_sim_read32(s, FPGA_AFU_REG_STATUS));
}

static void
test_ids(struct fpga_afu_sim *s)
{
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_ID), FPGA_AFU_ID_MAGIC);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_VERSION),
		     FPGA_AFU_VERSION);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_CAP_COUNT), 3);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_CAP_LIST), 2);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_CAP_LIST + 8), 4);
	fpga_afu_sim_write32(s, FPGA_AFU_REG_SCRATCH, 0xdeadbeef);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_SCRATCH), 0xdeadbeef);
	TB_CHECK_U64(tb_state(s), FPGA_AFU_STATE_IDLE);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_IRQ_MASK), 7);
}

// A scalar job from the registers; returns the result.
static uint64_t
scalar(struct fpga_afu_sim *s, uint16_t fn, uint64_t a0, uint64_t a1,
       uint64_t in, uint32_t len, uint32_t want_status)
{
	fpga_afu_sim_write32(s, FPGA_AFU_REG_FN, fn);
	tb_w64(s, FPGA_AFU_REG_ARG0_LO, a0);
	tb_w64(s, FPGA_AFU_REG_ARG1_LO, a1);
	tb_w64(s, FPGA_AFU_REG_IN_ADDR_LO, in);
	fpga_afu_sim_write32(s, FPGA_AFU_REG_IN_LEN, len);
	fpga_afu_sim_write32(s, FPGA_AFU_REG_CTRL, FPGA_AFU_CTRL_START);
	fpga_afu_sim_run(s, 1000000, false);
	uint32_t st = fpga_afu_sim_read32(s, FPGA_AFU_REG_STATUS);
	TB_CHECK_U64(FPGA_AFU_STATUS_STATE(st), FPGA_AFU_STATE_DONE);
	TB_CHECK_U64(FPGA_AFU_STATUS_JOB(st), want_status);
	return tb_r64(s, FPGA_AFU_REG_RESULT_LO);
}

static void
test_scalar(struct fpga_afu_sim *s)
{
	TB_CHECK_U64(scalar(s, 2, 20, 3, 0, 0, 0), fpga_sw_factorial(20, 3));
	TB_CHECK_U64(scalar(s, 3, 93, 1, 0, 0, 0), fpga_sw_fibonacci(93, 1));
	for (uint32_t off = 0; off < 8; off++)
		TB_CHECK_U64(scalar(s, 4, 0, 0, PAYLOAD + off, 77 + off, 0),
			     fpga_sw_crc32c(mem + 0x4000 + off, 77 + off));
	scalar(s, 9, 0, 0, 0, 0, FPGA_AFU_JOB_BAD_FN);
	scalar(s, 2, 66, 1, 0, 0, FPGA_AFU_JOB_BAD_ARG);
	scalar(s, 3, 5, 0, 0, 0, FPGA_AFU_JOB_BAD_ARG);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_IRQ_STATUS),
		     FPGA_AFU_IRQ_SCALAR);
	fpga_afu_sim_write32(s, FPGA_AFU_REG_IRQ_STATUS, FPGA_AFU_IRQ_ALL);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_IRQ_STATUS), 0);
}

static void
ring_setup(struct fpga_afu_sim *s, uint32_t log2, uint64_t sq)
{
	std::memset(mem + (CQ - MEM_BASE), 0, 0x2000);
	fpga_afu_sim_write32(s, FPGA_AFU_REG_CTRL, FPGA_AFU_CTRL_RESET);
	fpga_afu_sim_write32(s, FPGA_AFU_REG_RING_LOG2, log2);
	tb_w64(s, FPGA_AFU_REG_SQ_BASE_LO, sq);
	tb_w64(s, FPGA_AFU_REG_CQ_BASE_LO, CQ);
	fpga_afu_sim_write32(s, FPGA_AFU_REG_CTRL, FPGA_AFU_CTRL_RING_EN);
}

static void
put_desc(uint32_t idx, uint32_t log2, const struct fpga_afu_desc &d)
{
	std::memcpy(mem + (SQ - MEM_BASE) + (idx & ((1u << log2) - 1)) * 64,
		    &d, sizeof(d));
}

static struct fpga_afu_cpl
get_cpl(uint32_t idx, uint32_t log2)
{
	struct fpga_afu_cpl c;

	std::memcpy(&c, mem + (CQ - MEM_BASE) + (idx & ((1u << log2) - 1)) * 16,
		    sizeof(c));
	return c;
}

// Factorial(65) x 200 first, then 4 crc jobs and two rejects.
static void
test_ring_out_of_order(struct fpga_afu_sim *s)
{
	struct fpga_afu_desc d[7] = {};
	unsigned int i;

	ring_setup(s, 3, SQ);
	d[0] = { 2, 0, 100, 65, 200, 0, 0, 0, 0, {} };
	for (i = 1; i <= 4; i++)
		d[i] = { 4, 0, 100 + i, 0, 0, PAYLOAD + i, 10 * i, 0, 0, {} };
	d[5] = { 7, 0, 105, 0, 0, 0, 0, 0, 0, {} };
	d[6] = { 3, 1, 106, 5, 1, 0, 0, 0, 0, {} };
	for (i = 0; i < 7; i++)
		put_desc(i, 3, d[i]);
	fpga_afu_sim_write32(s, FPGA_AFU_REG_DOORBELL, 7);
	fpga_afu_sim_run(s, 1000000, false);
	TB_CHECK_U64(tb_state(s), FPGA_AFU_STATE_IDLE);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_SQ_HEAD), 7);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_CQ_TAIL), 7);
	// the factorial finishes last
	TB_CHECK_U64(FPGA_AFU_CPL_TAG(get_cpl(6, 3).info), 100);
	TB_CHECK_U64(get_cpl(6, 3).result, fpga_sw_factorial(65, 200));
	for (i = 0; i < 7; i++) {
		struct fpga_afu_cpl c = get_cpl(i, 3);
		uint32_t tag = FPGA_AFU_CPL_TAG(c.info);

		TB_CHECK_U64(FPGA_AFU_CPL_PHASE(c.info), 1);
		if (tag >= 101 && tag <= 104)
			TB_CHECK_U64(c.result,
				     fpga_sw_crc32c(mem + 0x4000 + (tag - 100),
						    10 * (tag - 100)));
		if (tag == 105)
			TB_CHECK_U64(FPGA_AFU_CPL_STATUS(c.info),
				     FPGA_AFU_JOB_BAD_FN);
		if (tag == 106)
			TB_CHECK_U64(FPGA_AFU_CPL_STATUS(c.info),
				     FPGA_AFU_JOB_BAD_ARG);
	}
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_IRQ_STATUS) &
		     FPGA_AFU_IRQ_CQ, FPGA_AFU_IRQ_CQ);
}

// A 4-entry ring used 3 times over: the phase bit flips each pass.
static void
test_ring_wrap(struct fpga_afu_sim *s)
{
	uint32_t i, tail = 0;

	ring_setup(s, 2, SQ);
	for (i = 0; i < 12; i++) {
		put_desc(tail, 2, { 3, 0, i, i, 1, 0, 0, 0, 0, {} });
		fpga_afu_sim_write32(s, FPGA_AFU_REG_DOORBELL, ++tail);
		fpga_afu_sim_run(s, 100000, false);
		struct fpga_afu_cpl c = get_cpl(i, 2);
		TB_CHECK_U64(FPGA_AFU_CPL_TAG(c.info), i);
		TB_CHECK_U64(FPGA_AFU_CPL_PHASE(c.info), ((i >> 2) & 1) ^ 1);
		TB_CHECK_U64(c.result, fpga_sw_fibonacci(i, 1));
	}
}

static void
expect_error(struct fpga_afu_sim *s, uint32_t err)
{
	uint32_t st = fpga_afu_sim_read32(s, FPGA_AFU_REG_STATUS);

	TB_CHECK_U64(FPGA_AFU_STATUS_STATE(st), FPGA_AFU_STATE_ERROR);
	TB_CHECK_U64(FPGA_AFU_STATUS_ERR(st), err);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_IRQ_STATUS) &
		     FPGA_AFU_IRQ_ERROR, FPGA_AFU_IRQ_ERROR);
	fpga_afu_sim_write32(s, FPGA_AFU_REG_CTRL, FPGA_AFU_CTRL_RESET);
	fpga_afu_sim_run(s, 10, false);
	TB_CHECK_U64(tb_state(s), FPGA_AFU_STATE_IDLE);
	TB_CHECK_U64(fpga_afu_sim_read32(s, FPGA_AFU_REG_IRQ_STATUS), 0);
}

static void
test_errors(struct fpga_afu_sim *s)
{
	ring_setup(s, 3, SQ);
	put_desc(0, 3, { 4, 0, 1, 0, 0, 0x999990, 16, 0, 0, {} });
	fpga_afu_sim_write32(s, FPGA_AFU_REG_DOORBELL, 1);
	fpga_afu_sim_run(s, 1000, false);
	expect_error(s, FPGA_AFU_ERR_PAYLOAD);

	ring_setup(s, 3, 0x990000);
	fpga_afu_sim_write32(s, FPGA_AFU_REG_DOORBELL, 1);
	fpga_afu_sim_run(s, 1000, false);
	expect_error(s, FPGA_AFU_ERR_SQ_READ);

	ring_setup(s, 3, SQ + 8);
	fpga_afu_sim_run(s, 1000, false);
	expect_error(s, FPGA_AFU_ERR_RING_CFG);
}

int
main()
{
	struct fpga_afu_sim *s = fpga_afu_sim_new(tb_mem, nullptr);

	for (unsigned int i = 0; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(i * 7 + (i >> 8));
	test_ids(s);
	test_scalar(s);
	test_ring_out_of_order(s);
	test_ring_wrap(s);
	test_errors(s);
	fpga_afu_sim_free(s);
	return tb_exit("tb_engine");
}
