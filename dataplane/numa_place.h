/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NUMA placement rules (issue 16 §4): which node a guest's memory is on,
 * as the kernel says, and which I/O lcore that node wants.
 *
 * Design note. Two parts, neither uses DPDK, so both are unit-tested
 * without an EAL (tests/unit/test_numa_place.c, test_numa_detect.c):
 *  - dp_numa_place() is pure: the guest's memory node and the I/O lcores
 *    (node, load, room) in; the lcore it belongs on and whether a warning
 *    is due out. With the node unknown it is the placement hostlane had
 *    before it knew nodes: fewest guests, the first on ties.
 *  - dp_numa_node_of() asks the kernel (libnuma's move_pages() with no
 *    target nodes: a query, which faults nothing in and allocates nothing)
 *    which node holds the pages at some addresses. It answers only for
 *    pages mapped in this process's page tables: a page of a guest region
 *    that hostlane has not touched yet has no node to report (-ENOENT),
 *    even when the guest wrote it.
 * Threads: any; no state.
 */
#ifndef DP_NUMA_PLACE_H
#define DP_NUMA_PLACE_H

#include <stdbool.h>

/** A node nobody could tell. */
#define DP_NUMA_UNKNOWN (-1)

/** At most this many addresses per dp_numa_node_of() call. */
#define DP_NUMA_MAX_ADDRS 32

/** One I/O lcore, as placement sees it. */
struct dp_numa_lcore {
	int node;		/**< its NUMA node, or DP_NUMA_UNKNOWN */
	unsigned int load;	/**< guests it polls */
	bool fits;		/**< its pending pool holds the guest's budget */
};

/** Where a guest belongs. */
struct dp_numa_pick {
	int lcore;		/**< index into the lcores given; -1: none fits */
	/** The guest's memory node is known, and the lcore serving it (the
	 *  one it is on, or for a guest being placed the pick) is known to
	 *  be on another node: every frame crosses nodes. */
	bool warn;
};

/**
 * Where a guest belongs: among the lcores that fit, one on mem_node
 * before any other, then the fewest guests, then the one it is on, then
 * the lowest index.
 *
 * @param mem_node  the node of the guest's memory, or DP_NUMA_UNKNOWN
 * @param lc        the I/O lcores; n of them
 * @param cur       the lcore the guest is on (its load counts the guest,
 *                  which leaving would take away; it always fits), or -1
 *                  for a guest being placed
 * @return the pick; .lcore may be cur. No lcores, or none fits: -1.
 */
struct dp_numa_pick dp_numa_place(int mem_node, const struct dp_numa_lcore *lc,
				  unsigned int n, int cur);

/**
 * The NUMA node of the first page, in the order given, the kernel can
 * tell; addresses need not be page aligned. NULL entries are skipped.
 *
 * @param n  at most DP_NUMA_MAX_ADDRS
 * @return the node (>= 0); -ENOENT when no page is mapped in this process
 *         yet; -ENOSYS when the kernel has no NUMA support; -EINVAL for n
 *         out of range; another -errno from move_pages() or for the pages
 *         (-EFAULT: not memory a node holds).
 */
int dp_numa_node_of(void *const *addrs, unsigned int n);

/**
 * How many NUMA nodes the machine has.
 * @return at least 1, or -ENOSYS when the kernel has no NUMA support.
 */
int dp_numa_nodes(void);

#endif /* DP_NUMA_PLACE_H */
