/* SPDX-License-Identifier: BSD-3-Clause */
/* A minimal check macro for the guestlib unit tests. */
#ifndef GL_CHECK_H
#define GL_CHECK_H

#include <stdio.h>

static int gl_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
			__LINE__, #cond); \
		gl_failures++; \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", \
			__FILE__, __LINE__, #a, #b, a_, b_); \
		gl_failures++; \
	} \
} while (0)

static inline int
gl_report(const char *name)
{
	printf("%s: %s\n", name, gl_failures ? "FAILED" : "ok");
	return gl_failures ? 1 : 0;
}

#endif /* GL_CHECK_H */
