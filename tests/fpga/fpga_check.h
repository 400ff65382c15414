/* SPDX-License-Identifier: BSD-3-Clause */
/* Minimal check macros for the fpga unit tests: count failures, keep going. */
#ifndef HOSTLANE_TESTS_FPGA_CHECK_H
#define HOSTLANE_TESTS_FPGA_CHECK_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

static unsigned int check_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", \
			__FILE__, __LINE__, #cond); \
		check_failures++; \
	} \
} while (0)

#define CHECK_U64(got, want) do { \
	uint64_t got_ = (got), want_ = (want); \
	if (got_ != want_) { \
		fprintf(stderr, "%s:%d: %s = %" PRIu64 ", want %" PRIu64 \
			"\n", __FILE__, __LINE__, #got, got_, want_); \
		check_failures++; \
	} \
} while (0)

#define CHECK_I64(got, want) do { \
	int64_t got_ = (got), want_ = (want); \
	if (got_ != want_) { \
		fprintf(stderr, "%s:%d: %s = %" PRId64 ", want %" PRId64 \
			"\n", __FILE__, __LINE__, #got, got_, want_); \
		check_failures++; \
	} \
} while (0)

/* Exit status for main(): 0 if every check passed. */
static inline int
check_exit(const char *name)
{
	if (check_failures != 0) {
		fprintf(stderr, "%s: %u check(s) failed\n", name,
			check_failures);
		return 1;
	}
	printf("%s: ok\n", name);
	return 0;
}

#endif /* HOSTLANE_TESTS_FPGA_CHECK_H */
