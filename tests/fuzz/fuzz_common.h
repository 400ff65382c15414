/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the libFuzzer targets share: reading the input as a byte stream,
 * invariant checks that abort (so libFuzzer records the input as a crash),
 * and a one-time EAL start for the targets that need mbufs.
 *
 * An invariant failure prints FUZZ INVARIANT and the reason, then aborts:
 * a finding exactly like an ASan or UBSan report.
 */
#ifndef HL_FUZZ_COMMON_H
#define HL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                              \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "FUZZ INVARIANT %s:%d: %s: ",      \
				__FILE__, __LINE__, #cond);                \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			abort();                                           \
		}                                                          \
	} while (0)

/** The fuzz input, consumed from the front; reads past the end give 0. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline void
fuzz_take(struct fuzz_in *in, void *dst, size_t len)
{
	size_t k = len < in->n ? len : in->n;

	memcpy(dst, in->p, k);
	memset((uint8_t *)dst + k, 0, len - k);
	in->p += k;
	in->n -= k;
}

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	uint8_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint32_t
fuzz_u32(struct fuzz_in *in)
{
	uint32_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

#ifdef HL_FUZZ_WITH_EAL
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

/*
 * Start the EAL once, without hugepages, shared config or PCI, with the
 * target's extra arguments (e.g. a --vdev) after the common ones. Each process
 * gets its own file prefix so that parallel runs do not collide; the lcore
 * is HOSTLANE_FUZZ_LCORE (default 0) so that scripts/fuzz.sh can put two
 * runs on two cores.
 */
static inline void
fuzz_eal_start_with(const char *name, const char *const *extra, int n_extra)
{
	const char *lcore = getenv("HOSTLANE_FUZZ_LCORE");
	char prefix[64], lc[16];
	char *argv[16] = {
		(char *)name, "--no-huge", "--no-shconf", "-m", "128", "--no-pci",
		"--no-telemetry", "-l", lc, "--log-level=*:error", prefix,
	};
	int argc = 11;

	for (int i = 0; i < n_extra && argc < 15; i++)
		argv[argc++] = (char *)extra[i];
	snprintf(lc, sizeof(lc), "%s", lcore != NULL ? lcore : "0");
	snprintf(prefix, sizeof(prefix), "--file-prefix=hlfuzz_%s_%d", name,
		 (int)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "%s: rte_eal_init failed: %s\n", name,
			rte_strerror(rte_errno));
		exit(1);
	}
}

/* The same with no EAL arguments of the target's own. */
static inline void
fuzz_eal_start(const char *name)
{
	fuzz_eal_start_with(name, NULL, 0);
}
#endif

#endif /* HL_FUZZ_COMMON_H */
