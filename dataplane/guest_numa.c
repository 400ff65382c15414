/* SPDX-License-Identifier: BSD-3-Clause */
/* A guest's NUMA placement at connect: its memory's node picks pool, state, warnings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#ifdef DP_HAVE_NET_VHOST
#include <rte_eth_vhost.h>
#include <rte_vhost.h>
#endif

#include "app.h"
#include "guest_numa.h"
#include "log.h"
#include "numa_place.h"

/* Main lcore only. */
static struct {
	struct dp_app *app;
	bool said_unknown;			/* a guest's node unknown: said once */
	bool pool_failed[RTE_MAX_NUMA_NODES];	/* no pool there: not tried again */
} mod;

/* "1,2" (the I/O lcores on node), or "none". */
static void
lcores_on(const struct dp_app *app, int node, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < app->n_io && off < len; i++)
		if ((int)rte_lcore_to_socket_id(app->io[i].lcore_id) == node)
			off += (size_t)snprintf(buf + off, len - off, "%s%u",
						off > 0 ? "," : "", app->io[i].lcore_id);
	if (off == 0)
		snprintf(buf, len, "none");
}

void
dp_guest_numa_init(struct dp_app *app)
{
	int nodes = dp_numa_nodes();
	char on[128];

	memset(&mod, 0, sizeof(mod));
	mod.app = app;
	if (nodes < 0) {
		DP_LOG(INFO, "NUMA: the kernel has no NUMA support: guests' pools "
		       "and state stay on their I/O lcore's socket");
		return;
	}
	if (nodes == 1) {
		DP_LOG(INFO, "NUMA: one node: guests' memory, pools and I/O lcores "
		       "are all on node 0; placement by node changes nothing");
		return;
	}
	for (int n = 0; n < nodes; n++) {
		lcores_on(app, n, on, sizeof(on));
		DP_LOG(INFO, "NUMA: node %d of %d: I/O lcores %s", n, nodes, on);
	}
}

void
dp_guest_numa_reset(struct dp_guest *g)
{
	g->conn.numa.node = DP_NUMA_UNKNOWN;
	g->conn.numa.warned = DP_NUMA_UNKNOWN;
	g->conn.numa.epoch = 0;
	g->conn.numa.port_node = -ENOENT;
	g->conn.numa.port_seq_seen = __atomic_load_n(&g->conn.numa.port_seq,
						     __ATOMIC_ACQUIRE);
}

static const char *
unknown_why(int err)
{
	switch (err) {
	case -ENOENT:
		return "no page of it is mapped in hostlane yet";
	case -ENOSYS:
		return "the kernel has no NUMA support";
	case -ENODEV:
		return "its vhost device is gone";
	case -ENOTSUP:
		return "this build cannot read a vhost port's memory table";
	default:
		return strerror(-err);
	}
}

/* err < 0: the node cannot be told. Said once, for every guest. */
static int
node_or_unknown(const struct dp_guest *g, int err)
{
	if (err >= 0)
		return err;
	if (!mod.said_unknown) {
		mod.said_unknown = true;
		DP_LOG(INFO, "guest %s: the NUMA node of its memory is unknown (%s): "
		       "its pool and state stay on its I/O lcore's socket (said "
		       "once, for every guest)", g->conf->name, unknown_why(err));
	}
	return DP_NUMA_UNKNOWN;
}

int
dp_guest_numa_memif(struct dp_guest *g)
{
	const struct dp_memif_hs *hs = &g->conn.srv.hs;
	void *addrs[DP_MEMIF_NDIR + DP_MEMIF_MAX_REGIONS];
	unsigned int n = 0;

	/* The rings first: hostlane has touched those pages. */
	for (unsigned int d = 0; d < DP_MEMIF_NDIR; d++)
		addrs[n++] = hs->regions[hs->rings[d].region].addr + hs->rings[d].offset;
	for (unsigned int i = 0; i < hs->n_regions; i++)
		addrs[n++] = hs->regions[i].addr;
	return node_or_unknown(g, dp_numa_node_of(addrs, n));
}

int
dp_guest_numa_socket(const struct dp_guest *g, int node)
{
	return node >= 0 ? node : (int)rte_lcore_to_socket_id(g->lcore);
}

/* The pool of node, or the guest's lcore's when node has none. */
static struct rte_mempool *
pool_for(const struct dp_guest *g, int node)
{
	struct rte_mempool *mp;

	if (node < 0 || node >= RTE_MAX_NUMA_NODES || mod.pool_failed[node])
		return dp_app_pool_for(mod.app, g->lcore);
	mp = dp_app_pool_on(mod.app, (unsigned int)node);
	if (mp != NULL)
		return mp;
	mod.pool_failed[node] = true;
	DP_LOG(WARNING, "guest %s: no mbuf pool on NUMA node %d (above): its "
	       "guests' frames use their I/O lcore's pool", g->conf->name, node);
	return dp_app_pool_for(mod.app, g->lcore);
}

/* The I/O lcores as dp_numa_place() sees them, for g. @return how many. */
static unsigned int
lcores_fill(const struct dp_guest *g, struct dp_numa_lcore *lc, int *cur)
{
	const struct dp_app *app = mod.app;

	*cur = -1;
	for (unsigned int i = 0; i < app->n_io; i++) {
		const struct dp_io_lcore *io = &app->io[i];

		lc[i].node = (int)rte_lcore_to_socket_id(io->lcore_id);
		lc[i].load = io->n_guests;
		lc[i].fits = io->budget + g->conf->max_inflight <= io->pipe.n_pend;
		if (io == g->io)
			*cur = (int)i;
	}
	return app->n_io;
}

/* Its lcore is on another node than its memory: say so, once per node. */
static void
warn_placement(struct dp_guest *g, int node)
{
	struct dp_numa_lcore lc[RTE_MAX_LCORE];
	struct dp_numa_pick p;
	char better[96] = "";
	int cur;
	unsigned int n = lcores_fill(g, lc, &cur);

	p = dp_numa_place(node, lc, n, cur);
	if (!p.warn || g->conn.numa.warned == node)
		return;
	g->conn.numa.warned = node;
	if (p.lcore >= 0 && p.lcore != cur && lc[p.lcore].node == node)
		snprintf(better, sizeof(better), "; I/O lcore %u is on node %d",
			 mod.app->io[p.lcore].lcore_id, node);
	DP_LOG(WARNING, "guest %s: its memory is on NUMA node %d, its I/O lcore "
	       "%u on node %u: it keeps that lcore, and its frames cross nodes "
	       "(guests are placed before they connect%s)", g->conf->name, node,
	       g->lcore, rte_lcore_to_socket_id(g->lcore), better);
}

void
dp_guest_numa_connected(struct dp_guest *g, int node)
{
	g->conn.numa.node = node;
	/* Release: the pool was created before the I/O lcore may use it. */
	__atomic_store_n(&g->fast.mp, pool_for(g, node), __ATOMIC_RELEASE);
	if (node >= 0)
		warn_placement(g, node);
}

#ifdef DP_HAVE_NET_VHOST
/* The device's virtqueues (hostlane polls them, so they are mapped in),
 * then its memory regions. @return how many addresses. */
static unsigned int
vhost_addrs(int vid, void **addrs, unsigned int max)
{
	struct rte_vhost_memory *mem = NULL;
	unsigned int n = 0;

	for (uint16_t i = 0; i < rte_vhost_get_vring_num(vid) && n < max; i++) {
		struct rte_vhost_vring vr;

		if (rte_vhost_get_vhost_vring(vid, i, &vr) == 0 && vr.desc != NULL)
			addrs[n++] = vr.desc;
	}
	if (rte_vhost_get_mem_table(vid, &mem) != 0)
		return n;
	for (uint32_t i = 0; i < mem->nregions && n < max; i++)
		addrs[n++] = (void *)(uintptr_t)mem->regions[i].host_user_addr;
	free(mem);	/* the vhost library malloc()s it */
	return n;
}

static int
vhost_node(uint16_t port_id)
{
	void *addrs[DP_NUMA_MAX_ADDRS];
	int vid = rte_eth_vhost_get_vid_from_port_id(port_id);

	if (vid < 0)
		return -ENODEV;
	return dp_numa_node_of(addrs, vhost_addrs(vid, addrs, DP_NUMA_MAX_ADDRS));
}
#else
static int
vhost_node(uint16_t port_id)
{
	(void)port_id;
	return -ENOTSUP;
}
#endif

void
dp_guest_numa_vhost_up(struct dp_guest *g, uint16_t port_id)
{
	__atomic_store_n(&g->conn.numa.port_node, vhost_node(port_id),
			 __ATOMIC_RELAXED);
	/* Release: port_node is stored before the main lcore sees the count. */
	__atomic_fetch_add(&g->conn.numa.port_seq, 1, __ATOMIC_RELEASE);
}

void
dp_guest_numa_port_tick(struct dp_guest *g)
{
	uint32_t seq = __atomic_load_n(&g->conn.numa.port_seq, __ATOMIC_ACQUIRE);

	/* A new connection: its node is not the last one's. */
	if (g->conn.numa.epoch != g->conn.link_epoch) {
		g->conn.numa.epoch = g->conn.link_epoch;
		g->conn.numa.node = DP_NUMA_UNKNOWN;
	}
	if (seq == g->conn.numa.port_seq_seen)
		return;
	g->conn.numa.port_seq_seen = seq;
	dp_guest_numa_connected(g, node_or_unknown(g,
		__atomic_load_n(&g->conn.numa.port_node, __ATOMIC_RELAXED)));
}
