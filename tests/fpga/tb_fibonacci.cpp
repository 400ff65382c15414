// SPDX-License-Identifier: BSD-3-Clause
// Testbench: fpga_k_fibonacci against fpga_sw_fibonacci, every n, reps 1..4.
#include "Vfpga_k_fibonacci.h"
#include "verilated.h"

#include "sw_kernels.h"
#include "tb_scalar_kernel.h"

int
main()
{
	VerilatedContext vctx;
	Vfpga_k_fibonacci m(&vctx);
	uint64_t cycles, reps;
	unsigned int n;

	tb_reset(m);
	for (reps = 1; reps <= 4; reps++)
		for (n = 0; n <= 93; n++) {
			TB_CHECK_U64(tb_run_scalar(m, n, reps, &cycles),
				     fpga_sw_fibonacci(n, reps));
			TB_CHECK_U64(cycles, reps * (n + 1));
		}
	TB_CHECK_U64(tb_run_scalar(m, 93, 1, &cycles), 12200160415121876738ull);
	m.final();
	return tb_exit("tb_fibonacci");
}
