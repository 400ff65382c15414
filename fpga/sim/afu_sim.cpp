// SPDX-License-Identifier: BSD-3-Clause
// The C shim over the Verilated AFU images: clocking and the memory port.
#include <cerrno>
#include <cstring>
#include <new>

#include "Vfpga_afu_top.h"
#include "Vfpga_afu_top_crc.h"
#include "Vfpga_afu_top_math.h"
#include "verilated.h"

#include "afu_sim.h"

// What the C side holds: one image's model behind virtual calls, so every
// image (a distinct Verilated class) shares the code below.
struct fpga_afu_sim {
	virtual ~fpga_afu_sim() = default;
	virtual uint32_t read32(uint32_t off) = 0;
	virtual void write32(uint32_t off, uint32_t v) = 0;
	virtual uint64_t run(uint64_t max_cycles, bool stop_on_irq) = 0;
	virtual bool init() = 0;
	fpga_afu_sim_mem_fn mem = nullptr;
	void *opaque = nullptr;
	uint64_t cycles = 0;
};

namespace {

template <class T>
struct afu_model final : fpga_afu_sim {
	VerilatedContext vctx;
	T *top = nullptr;

	~afu_model() override
	{
		if (top == nullptr)
			return;
		top->final();
		delete top;
	}

	// Answer the request the unit presents now; it sees it at the edge.
	void serve()
	{
		uint64_t data = top->mem_wdata;
		enum fpga_afu_sim_mem r;

		top->mem_ack = 0;
		top->mem_err = 0;
		if (!top->mem_req)
			return;
		r = mem(opaque, top->mem_addr, top->mem_we != 0, &data);
		if (r == FPGA_AFU_SIM_MEM_WAIT)
			return;
		top->mem_ack = 1;
		top->mem_err = r == FPGA_AFU_SIM_MEM_ERR;
		top->mem_rdata = top->mem_we ? 0 : data;
	}

	void tick()
	{
		serve();
		top->clk = 0;
		top->eval();
		top->clk = 1;
		top->eval();
		cycles++;
	}

	bool init() override
	{
		top = new (std::nothrow) T(&vctx, "afu");
		if (top == nullptr)
			return false;
		top->rst_n = 0;
		top->mmio_we = 0;
		for (int i = 0; i < 4; i++)
			tick();
		top->rst_n = 1;
		tick();
		return true;
	}

	uint32_t read32(uint32_t off) override
	{
		top->mmio_addr = off & 0xFFF;
		top->eval();
		return top->mmio_rdata;
	}

	void write32(uint32_t off, uint32_t v) override
	{
		top->mmio_addr = off & 0xFFF;
		top->mmio_wdata = v;
		top->mmio_we = 1;
		tick();
		top->mmio_we = 0;
		top->eval();
	}

	uint64_t run(uint64_t max_cycles, bool stop_on_irq) override
	{
		uint64_t n;

		for (n = 0; n < max_cycles; n++) {
			if (top->idle && !top->mem_req)
				break;
			if (stop_on_irq && top->irq)
				break;
			tick();
		}
		return n;
	}
};

template <class T>
fpga_afu_sim *
afu_make()
{
	return new (std::nothrow) afu_model<T>;
}

// The images, fpga/meson.build's fpga_images plus "full".
struct afu_image {
	const char *name;
	fpga_afu_sim *(*make)();
};

const afu_image afu_images[] = {
	{ FPGA_AFU_SIM_IMAGE_DEFAULT, afu_make<Vfpga_afu_top> },
	{ "crc", afu_make<Vfpga_afu_top_crc> },
	{ "math", afu_make<Vfpga_afu_top_math> },
};

} // namespace

extern "C" struct fpga_afu_sim *
fpga_afu_sim_new_image(const char *image, fpga_afu_sim_mem_fn mem,
		       void *opaque)
{
	for (const afu_image &im : afu_images) {
		if (std::strcmp(im.name, image) != 0)
			continue;
		fpga_afu_sim *s = im.make();

		if (s == nullptr) {
			errno = ENOMEM;
			return nullptr;
		}
		s->mem = mem;
		s->opaque = opaque;
		if (!s->init()) {
			delete s;
			errno = ENOMEM;
			return nullptr;
		}
		return s;
	}
	errno = ENOENT;
	return nullptr;
}

extern "C" struct fpga_afu_sim *
fpga_afu_sim_new(fpga_afu_sim_mem_fn mem, void *opaque)
{
	return fpga_afu_sim_new_image(FPGA_AFU_SIM_IMAGE_DEFAULT, mem, opaque);
}

extern "C" const char *
fpga_afu_sim_image_name(unsigned int i)
{
	return i < sizeof(afu_images) / sizeof(afu_images[0]) ?
	       afu_images[i].name : nullptr;
}

extern "C" void
fpga_afu_sim_free(struct fpga_afu_sim *s)
{
	delete s;
}

extern "C" uint32_t
fpga_afu_sim_read32(struct fpga_afu_sim *s, uint32_t off)
{
	return s->read32(off);
}

extern "C" void
fpga_afu_sim_write32(struct fpga_afu_sim *s, uint32_t off, uint32_t v)
{
	s->write32(off, v);
}

extern "C" uint64_t
fpga_afu_sim_run(struct fpga_afu_sim *s, uint64_t max_cycles,
		 bool stop_on_irq)
{
	return s->run(max_cycles, stop_on_irq);
}

extern "C" uint64_t
fpga_afu_sim_cycles(const struct fpga_afu_sim *s)
{
	return s->cycles;
}
