// SPDX-License-Identifier: BSD-3-Clause
// Shared helpers of the kernel testbenches: clocking and check counting.
#ifndef HOSTLANE_TESTS_FPGA_TB_KERNEL_H
#define HOSTLANE_TESTS_FPGA_TB_KERNEL_H

#include <cinttypes>
#include <cstdio>

static unsigned int tb_failures;

#define TB_CHECK_U64(got, want) do { \
	uint64_t got_ = (got), want_ = (want); \
	if (got_ != want_) { \
		std::fprintf(stderr, "%s:%d: %s = %" PRIu64 ", want %" \
			     PRIu64 "\n", __FILE__, __LINE__, #got, got_, \
			     want_); \
		tb_failures++; \
	} \
} while (0)

// One rising edge.
template <typename M>
static void
tb_tick(M &m)
{
	m.clk = 0;
	m.eval();
	m.clk = 1;
	m.eval();
}

template <typename M>
static void
tb_reset(M &m)
{
	m.rst = 1;
	tb_tick(m);
	tb_tick(m);
	m.rst = 0;
}

static int
tb_exit(const char *name)
{
	if (tb_failures != 0) {
		std::fprintf(stderr, "%s: %u check(s) failed\n", name,
			     tb_failures);
		return 1;
	}
	std::printf("%s: ok\n", name);
	return 0;
}

#endif // HOSTLANE_TESTS_FPGA_TB_KERNEL_H
