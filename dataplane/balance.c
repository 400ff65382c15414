/* SPDX-License-Identifier: BSD-3-Clause */
/* Placement policies and rebalancing plans: pure decisions on given loads. */
#include <errno.h>
#include <string.h>

#include "balance.h"
#include "numa_place.h"

static const char *const policy_names[DP_BAL_POLICY_COUNT] = {
#define DP_BAL_POLICY_NAME_(sym, name) [DP_BAL_##sym] = name,
	DP_BAL_POLICY_LIST(DP_BAL_POLICY_NAME_)
#undef DP_BAL_POLICY_NAME_
};

const char *
dp_bal_policy_name(unsigned int p)
{
	return p < DP_BAL_POLICY_COUNT ? policy_names[p] : "?";
}

int
dp_bal_policy_parse(const char *name)
{
	for (unsigned int p = 0; p < DP_BAL_POLICY_COUNT; p++)
		if (strcmp(name, policy_names[p]) == 0)
			return (int)p;
	return -EINVAL;
}

static uint64_t
min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Guests break ties between equal cycles: they fit in the low 12 bits. */
#define GUESTS_BITS 12u
#define GUESTS_MAX ((1u << GUESTS_BITS) - 1)

/* A cycles load as one number dp_numa_place() can compare: the lcore's
 * share of all busy cycles in 1/1000, then its guests. */
static unsigned int
cycles_key(uint64_t busy, uint64_t total, unsigned int guests)
{
	uint64_t permille = total == 0 ? 0 : busy * 1000 / total;

	return (unsigned int)(permille << GUESTS_BITS) |
	       (guests > GUESTS_MAX ? GUESTS_MAX : guests);
}

int
dp_bal_place(enum dp_bal_policy p, int mem_node, uint32_t budget,
	     const struct dp_bal_lcore *lc, unsigned int n, int cur,
	     uint64_t cur_busy)
{
	struct dp_numa_lcore nl[DP_BAL_MAX_LCORES];
	uint64_t total = 0;

	if (n > DP_BAL_MAX_LCORES)
		n = DP_BAL_MAX_LCORES;
	for (unsigned int i = 0; i < n; i++)
		total += lc[i].busy;
	for (unsigned int i = 0; i < n; i++) {
		bool own = (int)i == cur;

		nl[i].node = lc[i].node;
		nl[i].fits = lc[i].room >= budget;
		nl[i].load = lc[i].n_guests;
		if (p != DP_BAL_CYCLES)
			continue;
		/* dp_numa_place() takes one off the guest's own lcore: count
		 * its cycles off here, and give that one back. */
		nl[i].load = own ? cycles_key(lc[i].busy - min_u64(lc[i].busy, cur_busy),
					      total, lc[i].n_guests - (lc[i].n_guests > 0)) + 1 :
			     cycles_key(lc[i].busy, total, lc[i].n_guests);
	}
	return dp_numa_place(mem_node, nl, n, cur).lcore;
}

unsigned int
dp_bal_imbalance(const struct dp_bal_lcore *lc, unsigned int n)
{
	uint64_t hi = 0, lo = UINT64_MAX;

	if (n < 2)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		hi = lc[i].busy > hi ? lc[i].busy : hi;
		lo = lc[i].busy < lo ? lc[i].busy : lo;
	}
	return hi == 0 ? 0 : (unsigned int)((hi - lo) * 100 / hi);
}

static unsigned int
busiest(const struct dp_bal_lcore *lc, unsigned int n)
{
	unsigned int b = 0;

	for (unsigned int i = 1; i < n; i++)
		if (lc[i].busy > lc[b].busy)
			b = i;
	return b;
}

static uint64_t
distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* May guest g go to lcore t? Room for its budget, and never off the node
 * of its memory (a guest already off it may go anywhere). */
static bool
target_ok(const struct dp_bal_lcore *lc, const struct dp_bal_guest *g, unsigned int t)
{
	int from_node = lc[g->lcore].node;

	if (t == g->lcore || lc[t].room < g->budget)
		return false;
	if (g->node < 0 || lc[t].node < 0 || lc[t].node == g->node)
		return true;
	return from_node >= 0 && from_node != g->node;
}

/* How much moving g to t narrows the distance between its lcore and t. */
static uint64_t
gain(const struct dp_bal_lcore *lc, const struct dp_bal_guest *g, unsigned int t)
{
	uint64_t a = lc[g->lcore].busy, b = lc[t].busy;
	uint64_t before = distance(a, b);
	uint64_t after = distance(a - min_u64(a, g->busy), b + g->busy);

	return before > after ? before - after : 0;
}

/* The best move off the busiest lcore. @return false if none narrows. */
static bool
best_move(const struct dp_bal_lcore *lc, unsigned int n_lc, const struct dp_bal_guest *g,
	  unsigned int n_g, const bool *moved, struct dp_bal_move *mv)
{
	unsigned int hi = busiest(lc, n_lc);
	uint64_t best = 0;

	for (unsigned int i = 0; i < n_g; i++) {
		if (!g[i].movable || moved[i] || g[i].lcore != hi)
			continue;
		for (unsigned int t = 0; t < n_lc; t++) {
			uint64_t w;

			if (!target_ok(lc, &g[i], t))
				continue;
			w = gain(lc, &g[i], t);
			if (w > best) {
				best = w;
				*mv = (struct dp_bal_move){ .guest = i, .from = hi, .to = t };
			}
		}
	}
	return best > 0;
}

unsigned int
dp_bal_plan(struct dp_bal_lcore *lc, unsigned int n_lc, const struct dp_bal_guest *g,
	    unsigned int n_g, unsigned int threshold_pct, struct dp_bal_move *moves,
	    unsigned int max_moves)
{
	bool moved[n_g > 0 ? n_g : 1];
	unsigned int k = 0;

	memset(moved, 0, sizeof(moved));
	if (n_lc > DP_BAL_MAX_LCORES)
		n_lc = DP_BAL_MAX_LCORES;
	while (k < max_moves && dp_bal_imbalance(lc, n_lc) >= threshold_pct &&
	       dp_bal_imbalance(lc, n_lc) > 0) {
		struct dp_bal_move mv;
		const struct dp_bal_guest *x;

		if (!best_move(lc, n_lc, g, n_g, moved, &mv))
			break;
		x = &g[mv.guest];
		moved[mv.guest] = true;
		lc[mv.from].busy -= min_u64(lc[mv.from].busy, x->busy);
		lc[mv.to].busy += x->busy;
		lc[mv.from].n_guests--;
		lc[mv.to].n_guests++;
		lc[mv.from].room += x->budget;
		lc[mv.to].room -= x->budget;
		moves[k++] = mv;
	}
	return k;
}
