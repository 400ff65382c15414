/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest placement policies and the rebalancing decision (issue 16 §2):
 * which I/O lcore a new or moved guest goes to, and which guests to move
 * when the lcores' loads are uneven.
 *
 * Design note. Pure code, no DPDK, no state: the caller (move.c, guests.c)
 * measures and passes the loads in, so tests/unit/test_balance.c drives
 * it with synthetic lcores. Loads are busy TSC cycles over the last
 * measuring interval (lcore.c counts them per pass and per guest, like
 * OVS's pmd-rxq-assign=cycles); the NUMA rule of numa_place.h is kept on
 * top of either policy: an lcore on the node of the guest's memory before
 * any other.
 *  - roundrobin: the fewest guests (what hostlane always did);
 *  - cycles: the fewest busy cycles, then the fewest guests.
 * A plan (dp_bal_plan()) is what OVS's pmd-auto-lb does: when the busiest
 * and idlest lcore differ by threshold percent of the busiest, move the
 * guest whose cycles bring the two closest, and again while a move still
 * narrows the spread; a guest moves at most once per plan, never off the
 * node of its memory, never to an lcore without room for its budget.
 * Threads: any.
 */
#ifndef DP_BALANCE_H
#define DP_BALANCE_H

#include <stdbool.h>
#include <stdint.h>

/** Placement policies: X(sym, "name"). */
#define DP_BAL_POLICY_LIST(X) \
	X(ROUNDROBIN, "roundrobin") \
	X(CYCLES, "cycles")

enum dp_bal_policy {
#define DP_BAL_POLICY_ENUM_(sym, name) DP_BAL_##sym,
	DP_BAL_POLICY_LIST(DP_BAL_POLICY_ENUM_)
#undef DP_BAL_POLICY_ENUM_
	DP_BAL_POLICY_COUNT
};

/** At most this many I/O lcores are considered. */
#define DP_BAL_MAX_LCORES 128

/** One I/O lcore as the policies see it. */
struct dp_bal_lcore {
	int node;		/**< its NUMA node, or -1 (unknown) */
	unsigned int n_guests;	/**< guests assigned to it */
	uint64_t busy;		/**< busy cycles over the last interval */
	uint32_t room;		/**< calls in flight its pending pool has left */
};

/** One guest as a plan sees it. */
struct dp_bal_guest {
	unsigned int lcore;	/**< index of its lcore */
	uint64_t busy;		/**< its busy cycles over the last interval */
	uint32_t budget;	/**< its max_inflight: room it needs */
	int node;		/**< its memory's node, or -1 */
	bool movable;		/**< connected, no VF, no move under way */
};

/** A move a plan picked. */
struct dp_bal_move {
	unsigned int guest;	/**< index into the guests given */
	unsigned int from, to;	/**< lcore indexes */
};

/** The policy's name ("roundrobin", "cycles"); "?" for another value. */
const char *dp_bal_policy_name(unsigned int p);

/** The policy named name. @return it, or -EINVAL. */
int dp_bal_policy_parse(const char *name);

/**
 * The lcore a guest goes to.
 * @param mem_node  the node of its memory, or -1
 * @param budget    room it needs (its max_inflight)
 * @param cur       the lcore it is on (its own load is counted without
 *                  it), or -1 for a guest being placed
 * @return an index into lc; -1 when none has room (cur always has).
 */
int dp_bal_place(enum dp_bal_policy p, int mem_node, uint32_t budget,
		 const struct dp_bal_lcore *lc, unsigned int n, int cur,
		 uint64_t cur_busy);

/** The imbalance of the lcores: (busiest - idlest) in percent of the
 *  busiest; 0 with fewer than two lcores or nothing busy. */
unsigned int dp_bal_imbalance(const struct dp_bal_lcore *lc, unsigned int n);

/**
 * Which guests to move, when the imbalance is at least threshold_pct.
 * lc is the caller's copy: the planned moves are applied to it.
 * @return moves written to moves (at most max_moves); 0: balanced enough,
 *         or no move would narrow the spread.
 */
unsigned int dp_bal_plan(struct dp_bal_lcore *lc, unsigned int n_lc,
			 const struct dp_bal_guest *g, unsigned int n_g,
			 unsigned int threshold_pct, struct dp_bal_move *moves,
			 unsigned int max_moves);

#endif /* DP_BALANCE_H */
