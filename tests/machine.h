/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What this machine has: the facts a C test may skip on. A test skips (exit
 * TM_SKIP, with a "SKIP: why" line) only when something is absent from the
 * machine - a package, a binary, a device node - and checks that before it
 * tries to use it; whatever fails after that check is a failure. The shell
 * tests have the same rule and a tm_need_pmd in tests/func/lib.sh.
 *
 * Needs rte_config.h (a DPDK dependency) for RTE_EAL_PMD_PATH.
 */
#ifndef HOSTLANE_TESTS_MACHINE_H
#define HOSTLANE_TESTS_MACHINE_H

#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include <rte_config.h>

#define TM_SKIP 77

/*
 * Is the DPDK driver plugin librte_LIB.so* (e.g. LIB "net_ring") installed
 * in the directory this DPDK's EAL loads its drivers from? Debian ships
 * each driver in its own package (librte-net-ring23, ...). True when the
 * DPDK has no plugin directory: its drivers are linked in.
 */
static inline bool
tm_pmd_installed(const char *lib)
{
	char pattern[PATH_MAX];
	glob_t g;
	bool found;

	if (RTE_EAL_PMD_PATH[0] == '\0')
		return true;
	if (snprintf(pattern, sizeof(pattern), "%s/librte_%s.so*",
		     RTE_EAL_PMD_PATH, lib) >= (int)sizeof(pattern))
		return false;
	found = glob(pattern, GLOB_NOSORT, NULL, &g) == 0;
	if (found)
		globfree(&g);
	return found;
}

/* Print the SKIP line for a missing driver plugin; returns TM_SKIP. */
static inline int
tm_skip_no_pmd(const char *lib)
{
	printf("SKIP: DPDK driver %s not installed (no librte_%s.so* in %s)\n",
	       lib, lib, RTE_EAL_PMD_PATH);
	return TM_SKIP;
}

#endif /* HOSTLANE_TESTS_MACHINE_H */
