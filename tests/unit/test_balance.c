/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the placement policies and the rebalancing plans
 * (dataplane/balance.h): synthetic lcore and guest loads in, the lcore or
 * the moves picked out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"
#include "unit_check.h"

#define ROOM 1000u
#define LC(nd, ng, b) { .node = (nd), .n_guests = (ng), .busy = (b), .room = ROOM }
#define G(l, b) { .lcore = (l), .busy = (b), .budget = 10, .node = -1, .movable = true }

static void
test_policy_names(void)
{
	CHECK("names", dp_bal_policy_parse("roundrobin") == DP_BAL_ROUNDROBIN &&
	      dp_bal_policy_parse("cycles") == DP_BAL_CYCLES &&
	      dp_bal_policy_parse("random") < 0 && dp_bal_policy_parse("") < 0,
	      "parse");
	CHECK("names", strcmp(dp_bal_policy_name(DP_BAL_CYCLES), "cycles") == 0 &&
	      strcmp(dp_bal_policy_name(99), "?") == 0, "name");
}

/* roundrobin: fewest guests, whatever the cycles; cycles: fewest cycles. */
static void
test_place(void)
{
	struct dp_bal_lcore lc[] = { LC(0, 1, 900), LC(0, 3, 100), LC(0, 2, 500) };

	CHECK("place rr", dp_bal_place(DP_BAL_ROUNDROBIN, -1, 10, lc, 3, -1, 0) == 0,
	      "want the lcore with 1 guest");
	CHECK("place cycles", dp_bal_place(DP_BAL_CYCLES, -1, 10, lc, 3, -1, 0) == 1,
	      "want the lcore with 100 cycles");
	/* Equal cycles: the fewest guests decides. */
	lc[0].busy = lc[1].busy = lc[2].busy = 0;
	CHECK("place cycles tie", dp_bal_place(DP_BAL_CYCLES, -1, 10, lc, 3, -1, 0) == 0,
	      "want the lcore with 1 guest");
	/* No room on the idlest: the next. */
	lc[0].busy = 900;
	lc[1].room = 5;
	CHECK("place room", dp_bal_place(DP_BAL_CYCLES, -1, 10, lc, 3, -1, 0) == 2,
	      "lcore 1 has no room for a budget of 10");
	lc[0].room = lc[2].room = 5;
	CHECK("place none", dp_bal_place(DP_BAL_CYCLES, -1, 10, lc, 3, -1, 0) == -1,
	      "no lcore has room");
}

/* The NUMA rule on top: the guest's memory node first, then the policy. */
static void
test_place_numa(void)
{
	struct dp_bal_lcore lc[] = { LC(0, 0, 0), LC(1, 5, 900), LC(1, 6, 800) };

	CHECK("numa rr", dp_bal_place(DP_BAL_ROUNDROBIN, 1, 10, lc, 3, -1, 0) == 1,
	      "node 1 first, then fewest guests");
	CHECK("numa cycles", dp_bal_place(DP_BAL_CYCLES, 1, 10, lc, 3, -1, 0) == 2,
	      "node 1 first, then fewest cycles");
	CHECK("numa unknown", dp_bal_place(DP_BAL_CYCLES, -1, 10, lc, 3, -1, 0) == 0,
	      "no node: the idlest");
}

/* A guest already on an lcore: its own cycles do not count against it. */
static void
test_place_own(void)
{
	struct dp_bal_lcore lc[] = { LC(0, 2, 600), LC(0, 2, 500) };

	CHECK("own stays", dp_bal_place(DP_BAL_CYCLES, -1, 10, lc, 2, 0, 200) == 0,
	      "600 - its 200 = 400 < 500: it stays");
	CHECK("own moves", dp_bal_place(DP_BAL_CYCLES, -1, 10, lc, 2, 0, 50) == 1,
	      "600 - its 50 = 550 > 500: it goes");
}

static void
test_imbalance(void)
{
	struct dp_bal_lcore lc[] = { LC(0, 1, 1000), LC(0, 1, 750) };

	CHECK("imbalance", dp_bal_imbalance(lc, 2) == 25, "%u", dp_bal_imbalance(lc, 2));
	CHECK("imbalance one", dp_bal_imbalance(lc, 1) == 0, "one lcore");
	lc[0].busy = lc[1].busy = 0;
	CHECK("imbalance idle", dp_bal_imbalance(lc, 2) == 0, "nothing busy");
}

/* Four guests on one lcore, none on the other: two go. */
static void
test_plan_all_on_one(void)
{
	struct dp_bal_lcore lc[] = { LC(0, 4, 1000), LC(0, 0, 0) };
	struct dp_bal_guest g[] = { G(0, 250), G(0, 250), G(0, 250), G(0, 250) };
	struct dp_bal_move m[8];
	unsigned int n = dp_bal_plan(lc, 2, g, 4, 25, m, 8);

	CHECK("all on one", n == 2, "%u moves, want 2", n);
	for (unsigned int i = 0; i < n; i++)
		CHECK("all on one", m[i].from == 0 && m[i].to == 1, "move %u: %u -> %u",
		      i, m[i].from, m[i].to);
	CHECK("all on one", n < 2 || m[0].guest != m[1].guest, "a guest moved twice");
	CHECK("all on one", lc[0].busy == 500 && lc[1].busy == 500 &&
	      lc[0].n_guests == 2 && lc[1].n_guests == 2 && lc[1].room == ROOM - 20,
	      "loads after the plan %lu/%lu", (unsigned long)lc[0].busy,
	      (unsigned long)lc[1].busy);
}

/* The guest that evens the loads best goes: 300 of 1000 vs 200. */
static void
test_plan_best_guest(void)
{
	struct dp_bal_lcore lc[] = { LC(0, 3, 1000), LC(0, 1, 200) };
	struct dp_bal_guest g[] = { G(0, 600), G(0, 300), G(0, 100), G(1, 200) };
	struct dp_bal_move m[8];
	unsigned int n = dp_bal_plan(lc, 2, g, 4, 25, m, 1);

	CHECK("best guest", n == 1 && m[0].guest == 1 && m[0].to == 1,
	      "%u moves, first guest %u", n, n > 0 ? m[0].guest : 99);
}

/* Below the threshold nothing moves; above it only what narrows the spread. */
static void
test_plan_threshold(void)
{
	struct dp_bal_lcore lc[] = { LC(0, 1, 1000), LC(0, 1, 800) };
	struct dp_bal_guest g[] = { G(0, 1000), G(1, 800) };
	struct dp_bal_move m[8];

	CHECK("threshold", dp_bal_plan(lc, 2, g, 2, 25, m, 8) == 0,
	      "20%% imbalance, threshold 25%%: no move");
	/* 1000 vs 100, but the one guest is all of it: moving it narrows
	 * nothing (100 vs 1000). */
	lc[1].busy = 100;
	g[1].busy = 100;
	CHECK("no gain", dp_bal_plan(lc, 2, g, 2, 25, m, 8) == 0,
	      "a move that only swaps the loads is not made");
}

/* Guests that may not move, lcores without room, memory nodes. */
static void
test_plan_constraints(void)
{
	struct dp_bal_lcore lc[] = { LC(0, 2, 1000), LC(0, 0, 0), LC(1, 0, 0) };
	struct dp_bal_guest g[] = { G(0, 500), G(0, 500) };
	struct dp_bal_move m[8];
	unsigned int n;

	g[0].movable = g[1].movable = false;
	CHECK("unmovable", dp_bal_plan(lc, 3, g, 2, 25, m, 8) == 0, "moved a pinned guest");
	g[0].movable = g[1].movable = true;
	lc[1].room = lc[2].room = 5;
	CHECK("no room", dp_bal_plan(lc, 3, g, 2, 25, m, 8) == 0, "moved without room");
	lc[1].room = lc[2].room = ROOM;
	/* Memory on node 0: never to the node-1 lcore. */
	g[0].node = g[1].node = 0;
	lc[1].room = 5;
	n = dp_bal_plan(lc, 3, g, 2, 25, m, 8);
	CHECK("node kept", n == 0, "%u moves off the memory's node", n);
	lc[1].room = ROOM;
	n = dp_bal_plan(lc, 3, g, 2, 25, m, 8);
	CHECK("node kept", n == 1 && m[0].to == 1, "%u moves, to %u", n,
	      n > 0 ? m[0].to : 99);
}

/* Many lcores: the plan ends with the spread narrowed, each guest moved at
 * most once, never more moves than asked. */
static void
test_plan_random(void)
{
	srand(7);
	for (int round = 0; round < 500; round++) {
		struct dp_bal_lcore lc[6];
		struct dp_bal_guest g[24];
		struct dp_bal_move m[8];
		unsigned int n_lc = 2 + (unsigned int)rand() % 5, n_g = (unsigned int)rand() % 24;
		unsigned int seen[24] = { 0 }, n, before;

		for (unsigned int i = 0; i < n_lc; i++)
			lc[i] = (struct dp_bal_lcore)LC(-1, 0, 0);
		for (unsigned int i = 0; i < n_g; i++) {
			g[i] = (struct dp_bal_guest)G((unsigned int)rand() % n_lc,
						      (uint64_t)(rand() % 1000));
			lc[g[i].lcore].busy += g[i].busy;
			lc[g[i].lcore].n_guests++;
		}
		before = dp_bal_imbalance(lc, n_lc);
		n = dp_bal_plan(lc, n_lc, g, n_g, 10, m, 8);
		CHECK("random", n <= 8, "round %d: %u moves", round, n);
		for (unsigned int i = 0; i < n; i++) {
			CHECK("random", ++seen[m[i].guest] == 1, "round %d: guest %u "
			      "moved twice", round, m[i].guest);
			CHECK("random", m[i].from == g[m[i].guest].lcore && m[i].to != m[i].from,
			      "round %d: move %u from the wrong lcore", round, i);
		}
		CHECK("random", n == 0 || dp_bal_imbalance(lc, n_lc) <= before,
		      "round %d: imbalance %u -> %u", round, before,
		      dp_bal_imbalance(lc, n_lc));
	}
}

int
main(void)
{
	test_policy_names();
	test_place();
	test_place_numa();
	test_place_own();
	test_imbalance();
	test_plan_all_on_one();
	test_plan_best_guest();
	test_plan_threshold();
	test_plan_constraints();
	test_plan_random();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("balance: all checks passed\n");
	return 0;
}
