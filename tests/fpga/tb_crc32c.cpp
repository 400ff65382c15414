// SPDX-License-Identifier: BSD-3-Clause
// Testbench: fpga_k_crc32c against fpga_sw_crc32c, streams of every length
// up to 300 bytes starting at every offset in a word.
#include <cstdlib>
#include <cstring>

#include "Vfpga_k_crc32c.h"
#include "verilated.h"

#include "sw_kernels.h"
#include "tb_kernel.h"

static uint8_t buf[512];

// Feed buf[start, start + len) word by word, as the engine does.
static uint32_t
tb_crc(Vfpga_k_crc32c &m, unsigned int start, unsigned int len)
{
	unsigned int a = start, end = start + len, k;
	uint64_t w;

	m.init = 1;
	tb_tick(m);
	m.init = 0;
	while (a < end) {
		unsigned int base = a & ~7u, off = a & 7u;
		unsigned int take = end - a < 8 - off ? end - a : 8 - off;

		std::memcpy(&w, buf + base, 8);
		m.data = w;
		m.be = 0;
		for (k = 0; k < take; k++)
			m.be |= 1u << (off + k);
		m.valid = 1;
		tb_tick(m);
		a += take;
	}
	m.valid = 0;
	m.eval();
	return m.crc;
}

int
main()
{
	VerilatedContext vctx;
	Vfpga_k_crc32c m(&vctx);
	unsigned int i, off, len;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)std::rand();
	tb_reset(m);
	std::memcpy(buf, "123456789", 9);
	TB_CHECK_U64(tb_crc(m, 0, 9), 0xE3069283u);
	TB_CHECK_U64(tb_crc(m, 0, 0), 0);
	for (off = 0; off < 8; off++)
		for (len = 0; len <= 300; len++)
			TB_CHECK_U64(tb_crc(m, off, len),
				     fpga_sw_crc32c(buf + off, len));
	m.final();
	return tb_exit("tb_crc32c");
}
