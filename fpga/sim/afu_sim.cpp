// SPDX-License-Identifier: BSD-3-Clause
// The C shim over the Verilated AFU: clocking and the memory port.
#include <new>

#include "Vfpga_afu_top.h"
#include "verilated.h"

#include "afu_sim.h"

struct fpga_afu_sim {
	VerilatedContext vctx;
	Vfpga_afu_top *top;
	fpga_afu_sim_mem_fn mem;
	void *opaque;
	uint64_t cycles;
};

// Answer the request the unit presents now; it sees the answer at the edge.
static void
fpga_afu_sim_serve(struct fpga_afu_sim *s)
{
	Vfpga_afu_top *t = s->top;
	uint64_t data = t->mem_wdata;
	enum fpga_afu_sim_mem r;

	t->mem_ack = 0;
	t->mem_err = 0;
	if (!t->mem_req)
		return;
	r = s->mem(s->opaque, t->mem_addr, t->mem_we != 0, &data);
	if (r == FPGA_AFU_SIM_MEM_WAIT)
		return;
	t->mem_ack = 1;
	t->mem_err = r == FPGA_AFU_SIM_MEM_ERR;
	t->mem_rdata = t->mem_we ? 0 : data;
}

static void
fpga_afu_sim_tick(struct fpga_afu_sim *s)
{
	fpga_afu_sim_serve(s);
	s->top->clk = 0;
	s->top->eval();
	s->top->clk = 1;
	s->top->eval();
	s->cycles++;
}

extern "C" struct fpga_afu_sim *
fpga_afu_sim_new(fpga_afu_sim_mem_fn mem, void *opaque)
{
	struct fpga_afu_sim *s = new (std::nothrow) fpga_afu_sim;

	if (s == nullptr)
		return nullptr;
	s->top = new (std::nothrow) Vfpga_afu_top(&s->vctx, "afu");
	if (s->top == nullptr) {
		delete s;
		return nullptr;
	}
	s->mem = mem;
	s->opaque = opaque;
	s->cycles = 0;
	s->top->rst_n = 0;
	s->top->mmio_we = 0;
	for (int i = 0; i < 4; i++)
		fpga_afu_sim_tick(s);
	s->top->rst_n = 1;
	fpga_afu_sim_tick(s);
	return s;
}

extern "C" void
fpga_afu_sim_free(struct fpga_afu_sim *s)
{
	if (s == nullptr)
		return;
	s->top->final();
	delete s->top;
	delete s;
}

extern "C" uint32_t
fpga_afu_sim_read32(struct fpga_afu_sim *s, uint32_t off)
{
	s->top->mmio_addr = off & 0xFFF;
	s->top->eval();
	return s->top->mmio_rdata;
}

extern "C" void
fpga_afu_sim_write32(struct fpga_afu_sim *s, uint32_t off, uint32_t v)
{
	s->top->mmio_addr = off & 0xFFF;
	s->top->mmio_wdata = v;
	s->top->mmio_we = 1;
	fpga_afu_sim_tick(s);
	s->top->mmio_we = 0;
	s->top->eval();
}

extern "C" uint64_t
fpga_afu_sim_run(struct fpga_afu_sim *s, uint64_t max_cycles,
		 bool stop_on_irq)
{
	uint64_t n;

	for (n = 0; n < max_cycles; n++) {
		if (s->top->idle && !s->top->mem_req)
			break;
		if (stop_on_irq && s->top->irq)
			break;
		fpga_afu_sim_tick(s);
	}
	return n;
}

extern "C" uint64_t
fpga_afu_sim_cycles(const struct fpga_afu_sim *s)
{
	return s->cycles;
}
