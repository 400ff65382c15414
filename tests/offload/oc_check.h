/* SPDX-License-Identifier: BSD-3-Clause */
/* Check helpers for the offload func-test clients: FAIL lines naming file
 * and line, counted in failures (unit_check.h), a reference CRC-32C, and
 * the closing verdict. */
#ifndef HOSTLANE_TESTS_OFFLOAD_OC_CHECK_H
#define HOSTLANE_TESTS_OFFLOAD_OC_CHECK_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hostlane/hostlane.h>

#include "../unit/unit_check.h"

#ifdef __FILE_NAME__
#define OC_FILE __FILE_NAME__
#else
#define OC_FILE __FILE__
#endif
#define OC_STR_(x) #x
#define OC_STR(x) OC_STR_(x)
/* "file.c:line" of the check, as fail()'s case name. */
#define OC_HERE OC_FILE ":" OC_STR(__LINE__)

#define FAIL(...) fail(OC_HERE, __VA_ARGS__)

/* Check a status, or a number; say what was done (printf-style), what came
 * and what was wanted. */
#define EXPECT_ST(got, want, ...) \
	oc_expect(OC_HERE, true, (got), (want), __VA_ARGS__)
#define EXPECT_U64(got, want, ...) \
	oc_expect(OC_HERE, false, (got), (want), __VA_ARGS__)

/* got == want, else a FAIL line at where; status: got and want are
 * statuses (ints, carried as uint64_t), shown by name. */
static bool __attribute__((format(printf, 5, 6), unused))
oc_expect(const char *where, bool status, uint64_t got, uint64_t want,
	  const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (got == want)
		return true;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (status)
		fail(where, "%s: got %s (%d, %s), want %s", what,
		     hl_status_name((int)got), (int)got, hl_strerror((int)got),
		     hl_status_name((int)want));
	else
		fail(where, "%s: got %" PRIu64 " (0x%" PRIx64 "), want %" PRIu64
		     " (0x%" PRIx64 ")", what, got, got, want, want);
	return false;
}

/* Bitwise reflected CRC-32C (Castagnoli, poly 0x82F63B78): the expected
 * value, computed here and not by the host's kernels. */
static uint32_t __attribute__((unused))
crc32c_ref(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;

	while (n-- > 0) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
	}
	return crc ^ 0xFFFFFFFFu;
}

/* Say how "prog cmd" went; its exit status: 0 if no check failed, else 1. */
static int __attribute__((unused))
oc_report(const char *prog, const char *cmd)
{
	if (failures == 0)
		printf("%s %s: all checks passed\n", prog, cmd);
	else
		fprintf(stderr, "%s %s: %d check(s) FAILED\n", prog, cmd, failures);
	return failures == 0 ? 0 : 1;
}

#endif /* HOSTLANE_TESTS_OFFLOAD_OC_CHECK_H */
