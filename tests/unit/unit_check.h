/* SPDX-License-Identifier: BSD-3-Clause */
/* Check helpers for the dataplane unit tests: name the case, count, go on. */
#ifndef HOSTLANE_TESTS_UNIT_CHECK_H
#define HOSTLANE_TESTS_UNIT_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int failures;

static void __attribute__((format(printf, 2, 3), unused))
fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL [%s]: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

/* CHECK(case name, condition, printf-style message on failure) */
#define CHECK(what, cond, ...)                                               \
	do {                                                                 \
		if (!(cond))                                                 \
			fail(what, __VA_ARGS__);                             \
	} while (0)

#endif /* HOSTLANE_TESTS_UNIT_CHECK_H */
