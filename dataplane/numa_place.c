/* SPDX-License-Identifier: BSD-3-Clause */
/* NUMA placement rules and the kernel's answer to "which node is this page on". */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include <numa.h>
#include <numaif.h>

#include "numa_place.h"

/* Is lcore a a better place for the guest than lcore b (b < a)? */
static bool
better(int mem_node, const struct dp_numa_lcore *lc, int cur, int a, int b)
{
	bool a_on = mem_node >= 0 && lc[a].node == mem_node;
	bool b_on = mem_node >= 0 && lc[b].node == mem_node;
	/* The guest's own lcore would lose it by a move: count it without. */
	unsigned int la = lc[a].load - (a == cur && lc[a].load > 0);
	unsigned int lb = lc[b].load - (b == cur && lc[b].load > 0);

	if (a_on != b_on)
		return a_on;
	if (la != lb)
		return la < lb;
	return a == cur;	/* a tie: no move; else the lower index, b */
}

static bool
off_node(int mem_node, int lcore_node)
{
	return mem_node >= 0 && lcore_node >= 0 && lcore_node != mem_node;
}

struct dp_numa_pick
dp_numa_place(int mem_node, const struct dp_numa_lcore *lc, unsigned int n,
	      int cur)
{
	struct dp_numa_pick p = { .lcore = -1, .warn = false };
	int serving;

	for (unsigned int i = 0; i < n; i++) {
		if (!lc[i].fits && (int)i != cur)
			continue;
		if (p.lcore < 0 || better(mem_node, lc, cur, (int)i, p.lcore))
			p.lcore = (int)i;
	}
	serving = cur >= 0 && (unsigned int)cur < n ? cur : p.lcore;
	if (serving >= 0)
		p.warn = off_node(mem_node, lc[serving].node);
	return p;
}

int
dp_numa_node_of(void *const *addrs, unsigned int n)
{
	uintptr_t mask = ~((uintptr_t)sysconf(_SC_PAGESIZE) - 1);
	void *pages[DP_NUMA_MAX_ADDRS];
	int status[DP_NUMA_MAX_ADDRS];
	unsigned int k = 0;
	int why = -ENOENT;

	if (n > DP_NUMA_MAX_ADDRS)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		if (addrs[i] != NULL)
			pages[k++] = (void *)((uintptr_t)addrs[i] & mask);
	if (k == 0)
		return -ENOENT;
	/* No target nodes: move_pages() only reports where each page is. */
	if (move_pages(0, k, pages, NULL, status, 0) < 0)
		return -errno;
	for (unsigned int i = 0; i < k; i++) {
		if (status[i] >= 0)
			return status[i];
		if (why == -ENOENT)
			why = status[i];
	}
	return why;
}

int
dp_numa_nodes(void)
{
	/* libnuma: numa_available() before anything else it offers. */
	if (numa_available() < 0)
		return -ENOSYS;
	return numa_num_configured_nodes();
}
