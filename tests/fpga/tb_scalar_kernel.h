// SPDX-License-Identifier: BSD-3-Clause
// Drive a factorial/fibonacci kernel (same ports) through one job.
#ifndef HOSTLANE_TESTS_FPGA_TB_SCALAR_KERNEL_H
#define HOSTLANE_TESTS_FPGA_TB_SCALAR_KERNEL_H

#include "tb_kernel.h"

// Start (n, reps), wait for done, check cycles and result; clear.
template <typename M>
static uint64_t
tb_run_scalar(M &m, unsigned int n, uint64_t reps, uint64_t *cycles)
{
	uint64_t c = 0, r;

	m.n = n;
	m.reps = reps;
	m.start = 1;
	tb_tick(m);
	m.start = 0;
	while (!m.done && c < 1000000) {
		tb_tick(m);
		c++;
	}
	r = m.result;
	TB_CHECK_U64(m.busy, 0);
	m.clear = 1;
	tb_tick(m);
	m.clear = 0;
	TB_CHECK_U64(m.done, 0);
	*cycles = c;
	return r;
}

#endif // HOSTLANE_TESTS_FPGA_TB_SCALAR_KERNEL_H
