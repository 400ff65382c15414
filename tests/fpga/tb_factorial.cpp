// SPDX-License-Identifier: BSD-3-Clause
// Testbench: fpga_k_factorial against fpga_sw_factorial, every n, reps 1..4.
#include "Vfpga_k_factorial.h"
#include "verilated.h"

#include "sw_kernels.h"
#include "tb_scalar_kernel.h"

int
main()
{
	VerilatedContext vctx;
	Vfpga_k_factorial m(&vctx);
	uint64_t cycles, reps;
	unsigned int n;

	tb_reset(m);
	for (reps = 1; reps <= 4; reps++)
		for (n = 0; n <= 65; n++) {
			TB_CHECK_U64(tb_run_scalar(m, n, reps, &cycles),
				     fpga_sw_factorial(n, reps));
			// one multiply per cycle, one cycle per repetition end
			TB_CHECK_U64(cycles, reps * ((n > 1 ? n - 1 : 0) + 1));
		}
	TB_CHECK_U64(tb_run_scalar(m, 20, 1, &cycles), 2432902008176640000ull);
	m.final();
	return tb_exit("tb_factorial");
}
