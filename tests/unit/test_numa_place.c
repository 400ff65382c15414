/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of NUMA placement (dp_numa_place): synthetic topologies of
 * two and four nodes, a node without I/O lcores, an unknown node, guests
 * being placed and guests already on an lcore. This machine has one node:
 * these are the only runs of the multi-node rules (docs/ARCHITECTURE.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include "numa_place.h"
#include "unit_check.h"

#define L(n, l) { .node = (n), .load = (l), .fits = true }
#define FULL(n, l) { .node = (n), .load = (l), .fits = false }

static void
expect(const char *what, struct dp_numa_pick p, int lcore, bool warn)
{
	CHECK(what, p.lcore == lcore && p.warn == warn,
	      "picked lcore %d warn %d, want %d warn %d", p.lcore, p.warn, lcore,
	      warn);
}

/* Two nodes, two I/O lcores each. */
static void
test_two_nodes(void)
{
	struct dp_numa_lcore lc[] = { L(0, 2), L(0, 1), L(1, 3), L(1, 4) };

	expect("2n: node 1 memory goes to node 1, despite its load",
	       dp_numa_place(1, lc, 4, -1), 2, false);
	expect("2n: node 0 memory, the lighter lcore of node 0",
	       dp_numa_place(0, lc, 4, -1), 1, false);
	expect("2n: unknown node: the lightest anywhere",
	       dp_numa_place(DP_NUMA_UNKNOWN, lc, 4, -1), 1, false);
	/* Placed on node 0 at config time, its memory on node 1. */
	expect("2n: on the wrong node: warn, point at node 1",
	       dp_numa_place(1, lc, 4, 0), 2, true);
	/* Lcore 3 without it has 3 guests, as many as lcore 2: it stays. */
	expect("2n: on the right node: no warning, no move",
	       dp_numa_place(1, lc, 4, 3), 3, false);
	expect("2n: unknown node, already placed: never a warning",
	       dp_numa_place(DP_NUMA_UNKNOWN, lc, 4, 3), 1, false);
}

/* The node's lcores cannot take the guest's budget. */
static void
test_node_full(void)
{
	struct dp_numa_lcore lc[] = { L(0, 5), L(0, 1), FULL(1, 0), FULL(1, 0) };

	expect("full: no room on node 1: node 0, with a warning",
	       dp_numa_place(1, lc, 4, -1), 1, true);
	/* Its own lcore always fits: its budget is already there. */
	expect("full: already on a full lcore of node 1: it stays",
	       dp_numa_place(1, lc, 4, 3), 3, false);
}

/* A guest's own lcore counts without it: no move for a tie it makes. */
static void
test_own_load(void)
{
	struct dp_numa_lcore lc[] = { L(1, 1), L(1, 2) };

	expect("own: on lcore 1 (2 with it, 1 without, as lcore 0): stays",
	       dp_numa_place(1, lc, 2, 1), 1, false);
	lc[0].load = 0;
	expect("own: lcore 0 is lighter than lcore 1 without it: move",
	       dp_numa_place(1, lc, 2, 1), 0, false);
}

static void
test_four_nodes(void)
{
	struct dp_numa_lcore lc[] = { L(0, 0), L(0, 1), L(1, 0), L(1, 0),
				      L(2, 3), L(2, 2), L(3, 9), L(3, 1) };

	expect("4n: node 2: the lighter of its two", dp_numa_place(2, lc, 8, -1),
	       5, false);
	expect("4n: node 3", dp_numa_place(3, lc, 8, -1), 7, false);
	expect("4n: node 1, tie on load: the lower index",
	       dp_numa_place(1, lc, 8, -1), 2, false);
	expect("4n: on node 0, memory on node 3: warn",
	       dp_numa_place(3, lc, 8, 1), 7, true);
	expect("4n: unknown: the first lightest", dp_numa_place(DP_NUMA_UNKNOWN,
	       lc, 8, -1), 0, false);
}

/* Memory on a node that has no I/O lcore. */
static void
test_node_without_lcores(void)
{
	struct dp_numa_lcore lc[] = { L(0, 3), L(0, 1), L(1, 2) };

	expect("no lcore on node 2: the lightest anywhere, with a warning",
	       dp_numa_place(2, lc, 3, -1), 1, true);
	expect("no lcore on node 2, already placed: warn, stay",
	       dp_numa_place(2, lc, 3, 1), 1, true);
}

/* DPDK may not know an lcore's node: it never matches, never warns. */
static void
test_unknown_lcore_node(void)
{
	struct dp_numa_lcore lc[] = { L(DP_NUMA_UNKNOWN, 0), L(1, 5) };

	expect("lcore node unknown: node 1 preferred", dp_numa_place(1, lc, 2, -1),
	       1, false);
	expect("on an lcore of unknown node: no warning",
	       dp_numa_place(1, lc, 2, 0), 1, false);
}

static void
test_none_fits(void)
{
	struct dp_numa_lcore lc[] = { FULL(0, 0), FULL(1, 0) };

	expect("none fits", dp_numa_place(0, lc, 2, -1), -1, false);
	expect("no lcores", dp_numa_place(0, lc, 0, -1), -1, false);
}

/* Today's rule, which an unknown node must keep: the first lcore with the
 * fewest guests among those that fit (guests.c, least_loaded()). */
static int
fewest(const struct dp_numa_lcore *lc, unsigned int n)
{
	int best = -1;

	for (unsigned int i = 0; i < n; i++)
		if (lc[i].fits && (best < 0 || lc[i].load < lc[best].load))
			best = (int)i;
	return best;
}

static void
test_unknown_is_today(void)
{
	struct dp_numa_lcore lc[8];

	srand(16);
	for (int round = 0; round < 2000; round++) {
		unsigned int n = 1 + (unsigned int)rand() % 8;

		for (unsigned int i = 0; i < n; i++)
			lc[i] = (struct dp_numa_lcore){ .node = rand() % 3,
				.load = (unsigned int)rand() % 4,
				.fits = rand() % 4 != 0 };
		if (dp_numa_place(DP_NUMA_UNKNOWN, lc, n, -1).lcore != fewest(lc, n)) {
			fail("unknown = today", "round %d: %d, today %d", round,
			     dp_numa_place(DP_NUMA_UNKNOWN, lc, n, -1).lcore,
			     fewest(lc, n));
			return;
		}
	}
}

int
main(void)
{
	test_two_nodes();
	test_node_full();
	test_own_load();
	test_four_nodes();
	test_node_without_lcores();
	test_unknown_lcore_node();
	test_none_fits();
	test_unknown_is_today();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("numa placement: all checks passed\n");
	return 0;
}
