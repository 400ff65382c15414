/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A guest: one configured client of hostlane and its channel.
 *
 * Design note — who touches what (struct dp_guest's parts):
 *  - main lcore: `conn` (slot, sockets, handshake, mappings, slow
 *    counters), and publishing/unpublishing `fast.rt` / `fast.port_epoch`;
 *  - the guest's I/O lcore: `fast` (the channel, `st` counters), `pl`
 *    (the pipeline) and `fair` (its budget and buckets), between its RCU
 *    quiescent points. It reads `fast.rt` with acquire once per poll, and
 *    copies `fair_pub` (the main lcore's, fair.h) when it changed.
 * A move to another I/O lcore (move.h) changes `lcore`, `io` and
 * `pl.pipe` only while no lcore polls the guest: after its old lcore acked
 * fast.move_req and a grace period passed since it left that poll list.
 * The main lcore unpublishes `rt` (store NULL) and unmaps the guest's
 * memory only after a grace period (defer.h), so an I/O lcore never
 * touches memory that is gone; it never waits for that grace period.
 */
#ifndef DP_GUEST_H
#define DP_GUEST_H

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <hostlane/proto.h>

#include "capture.h"
#include "config.h"
#include "fair.h"
#include "handler.h"
#include "memif_hs.h"
#include "memif_ring.h"
#include "report.h"
#include "session.h"
#include "stats.h"

#define DP_BURST 32

/** The main lcore's side of a memif guest: its sockets and handshake. */
struct dp_memif_srv {
	int listen_fd;
	int conn_fd;			/**< -1 when no client */
	uint64_t deadline_ms;		/**< handshake must finish by then */
	uint64_t last_log_ms;		/**< rate limit for warnings */
	unsigned int timeout_ms;	/**< handshake time limit */
	/** Ended connections not yet released (memif_srv.c); a guest with
	 *  DP_MEMIF_MAX_DRAINING of them is refused until they are. */
	unsigned int n_draining;
	/** Set while new clients must be refused, e.g. DP_MEMIF_R_LCORE_STUCK
	 *  while the guest's I/O lcore is stuck (app.c); 0: accept. */
	unsigned int refuse;
	struct dp_memif_hs hs;
	/** Called after a connected client is dropped: release what it held. */
	void (*gone)(void *arg, unsigned int guest, uint32_t epoch);
	void *gone_arg;
};

/**
 * The node of the guest's memory (guest_numa.h). Main lcore, but for
 * port_node and port_seq: the vhost PMD's thread stores port_node
 * (relaxed), then bumps port_seq (release); the main lcore reads port_seq
 * (acquire), then port_node.
 */
struct dp_guest_numa {
	int node;			/**< of its connection; DP_NUMA_UNKNOWN */
	int warned;			/**< the node last warned about */
	uint32_t epoch;			/**< port guests: the link epoch node is for */
	int port_node;			/**< vhost: a node, or -errno */
	uint32_t port_seq;
	uint32_t port_seq_seen;
};

/* Request counters by opcode and error replies by status; I/O lcore. */
#define DP_PIPE_OPS 32
#define DP_PIPE_STATUSES 32

/*
 * Opcodes in a dense index, in HL_OPCODE_LIST order: wire values are sparse
 * (0x80 for STATS_REPORT), counters and handler tables are not.
 */
enum dp_op_idx {
#define DP_OPI_(name, val, pl) DP_OPI_##name,
	HL_OPCODE_LIST(DP_OPI_)
#undef DP_OPI_
	DP_OPI_COUNT
};
_Static_assert(DP_OPI_COUNT <= DP_PIPE_OPS, "more opcodes than DP_PIPE_OPS");

/** The dense index of a valid opcode; DP_OPI_COUNT for any other value. */
static inline unsigned int
dp_op_index(uint32_t op)
{
	switch (op) {
#define DP_OPI_CASE_(name, val, pl) case (val): return DP_OPI_##name;
	HL_OPCODE_LIST(DP_OPI_CASE_)
#undef DP_OPI_CASE_
	default:
		return DP_OPI_COUNT;
	}
}

struct dp_io_lcore;
struct dp_pipe;
struct dp_pvs;
struct dp_vf;

/**
 * The channel as the guest's I/O lcore drives it. rt and port_epoch are
 * published by the main lcore (release) and read by the I/O lcore
 * (acquire); handler to port_id are set by the main lcore before the
 * guest is published and constant while it is active; rx_rt and st are
 * the I/O lcore's own.
 */
struct dp_guest_fast {
	struct dp_memif_rt *rt;		/**< memif: the connection, or NULL */
	uint32_t port_epoch;		/**< vhost/ethdev: 0 while the link is
					     down (also stored 0 by guests.c's
					     link-down callback, in the PMD's
					     thread) */
	struct dp_memif_rt *rx_rt;	/**< memif: the connection the frames
					     being handled came from (valid
					     until the lcore's next quiescent
					     point), NULL otherwise */
	const struct dp_handler *handler;
	/** Frames and replies are built in it. Stored by the main lcore
	 *  (release: the pool is created first) when a connection's node is
	 *  known (guest_numa.h); read by the I/O lcore (acquire): a burst may
	 *  still take the last pool, whose mbufs are as good. */
	struct rte_mempool *mp;
	struct dp_pvs *pvs;		/**< the PV switch it is a vport of, or NULL */
	struct dp_cap *cap;		/**< its capture, or NULL: published by the
					     main lcore (release), read once per
					     burst (capture.h) */
	/** Its dedicated VF (vfport.h), or NULL: published by the main lcore
	 *  (release), read once per poll by the I/O lcore (acquire). */
	struct dp_vf *vf;
	/** Where its frames that are not hostlane requests go during this
	 *  poll: the VF, or NULL for the PV switch. The I/O lcore's own, set
	 *  around the poll (vfport.h). */
	struct dp_vf *vf_tx;
	uint8_t chan;			/**< enum dp_chan_type */
	uint8_t rx_intr;		/**< vhost: its Rx queue's interrupt is in
					     the lcore's epoll set (lcore.h); set
					     before port_epoch is published */
	uint16_t port_id;		/**< vhost/ethdev channels: the DPDK port */
	/** A move to another I/O lcore (move.h): nonzero while the guest's
	 *  lcore must take no new frames from it. Main lcore (release). */
	uint32_t move_req;
	/** move_req's value once the guest has nothing in flight on its
	 *  lcore any more: its lcore (release), read by the main lcore
	 *  (acquire). */
	uint32_t move_ack;
	/** TSC cycles of its polls that found work: its lcore (relaxed),
	 *  read by the main lcore (relaxed) for placement and rebalancing. */
	uint64_t busy_cycles;
	struct dp_guest_stats st;
} __rte_cache_aligned;

/** The request pipeline's state for the guest: its I/O lcore only. */
struct dp_guest_pl {
	struct dp_pipe *pipe;		/**< its I/O lcore's request pipeline */
	uint32_t epoch;			/**< connection the state below is for */
	uint8_t hello_done;
	uint8_t tx_dirty;
	/** Calls in flight, of every connection of the guest: a budget
	 *  (max_inflight) belongs to the guest, not to one connection, so
	 *  calls of ended connections count until they complete. Read by the
	 *  main lcore (relaxed) before it reuses a removed guest's slot. */
	uint16_t inflight;
	uint16_t txn;
	/** STATS_REPORTs with the main lcore (<= DP_REPORT_INFLIGHT): the
	 *  guest's, not a connection's, so a reconnect does not reset it. */
	uint8_t reports_out;
	/** Its other requests at the manager (FN_OPEN, _ACTIVATE, _CLOSE,
	 *  BYE): a move waits for their answers, which come to this lcore. */
	uint16_t mgr_out;
	struct rte_mbuf *txq[DP_BURST];	/**< replies waiting for this pass's end */
	struct dp_session *sessions;	/**< conf->max_sessions entries */
	uint64_t req_by_op[DP_PIPE_OPS];	/**< by dp_op_index() */
	uint64_t err_by_status[DP_PIPE_STATUSES];
} __rte_cache_aligned;

/** The main lcore's side: the slot, the socket and handshake, counters. */
struct dp_guest_conn {
	uint8_t active;			/**< in the table and listening */
	/** 1 + its index in its lcore's poll list, 0 while not polled
	 *  (lcore.h, dp_lcore_guest_sync()). */
	unsigned int poll_pos;
	/** Off its lcore's poll list for a move (move.h): dp_lcore_guest_sync()
	 *  leaves it off until the move ends or is abandoned. */
	uint8_t move_held;
	uint64_t busy_seen;		/**< fast.busy_cycles at the last sample */
	uint64_t busy_last;		/**< its busy cycles in the last interval */
	/** Removed, but an I/O lcore may still hold the slot or calls of it
	 *  are in flight: not reusable until guests.c releases it. */
	uint8_t releasing;
	struct dp_defer release;
	uint16_t capacity;		/**< sessions allocated for this slot */
	struct dp_memif_srv srv;
	/* vhost/ethdev (guests.c): the connection published in
	 * fast.port_epoch, and link-down events. */
	uint32_t link_epoch;		/**< 0 while no connection */
	uint32_t link_downs;		/**< bumped by the PMD's LSC callback
					     thread (atomic), read here */
	uint32_t link_downs_seen;
	struct dp_guest_numa numa;
	struct dp_guest_slow_stats slow;
	struct dp_report_state report;	/**< its stats reports' budget */
	uint64_t reasons[DP_MEMIF_R_COUNT];  /**< disconnects by reason */
} __rte_cache_aligned;

/*
 * A guest, in parts by owner (each on its own cache lines, so the main
 * lcore's writes never share a line with the fast path's). The identity
 * fields are set by the main lcore before the guest is published and
 * constant while it is active.
 */
struct dp_guest {
	const struct dp_guest_conf *conf;
	uint16_t idx;			/**< slot: index in the config */
	uint8_t mac[6];			/**< hostlane's address towards it */
	unsigned int lcore;		/**< the I/O lcore that polls it */
	struct dp_io_lcore *io;		/**< ... and its state */
	struct dp_guest_fast fast;	/**< the I/O lcore: the channel */
	struct dp_guest_pl pl;		/**< the I/O lcore: the pipeline */
	struct dp_guest_conn conn;	/**< the main lcore */
	struct dp_fair fair;		/**< the I/O lcore: budget, buckets */
	struct dp_fair_pub fair_pub;	/**< the main lcore publishes (fair.h) */
};

/**
 * A new connection of the guest: forget the last one's sessions and hello.
 * I/O lcore; calls still in flight for the old epoch keep counting against
 * the guest's budget and are dropped when they complete.
 */
static inline void
dp_guest_new_epoch(struct dp_guest *g, uint32_t epoch)
{
	for (uint16_t i = 0; i < g->conf->max_sessions; i++) {
		g->pl.sessions[i].state = DP_SESSION_FREE;
		g->pl.sessions[i].id = 0;
	}
	g->pl.epoch = epoch;
	g->pl.hello_done = 0;
	/* Replies queued for the old connection must not reach the new one. */
	rte_pktmbuf_free_bulk(g->pl.txq, g->pl.txn);
	g->pl.txn = 0;
}

/* Copies for a capture, when one runs: one predictable branch otherwise. */
static inline void
dp_guest_rx_tap(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_cap *cap = dp_cap_load(&g->fast.cap);

	if (unlikely(cap != NULL))
		dp_cap_rx(cap, pkts, n);
}

static inline void
dp_guest_rx_count(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n)
{
	g->fast.st.rx_frames += n;
	for (uint16_t i = 0; i < n; i++)
		g->fast.st.rx_bytes += pkts[i]->pkt_len;
}

/* A guest behind a DPDK port (vhost-user, af_packet, ...): frames received,
 * at most max (<= DP_BURST). */
static inline uint16_t
dp_guest_poll_port(struct dp_guest *g, uint16_t max)
{
	struct rte_mbuf *pkts[DP_BURST];
	/* Acquire: pairs with the main lcore's release when the link came up. */
	uint32_t epoch = __atomic_load_n(&g->fast.port_epoch, __ATOMIC_ACQUIRE);
	uint16_t n;

	if (epoch == 0)
		return 0;
	if (unlikely(epoch != g->pl.epoch))
		dp_guest_new_epoch(g, epoch);
	n = rte_eth_rx_burst(g->fast.port_id, 0, pkts, max);
	if (n == 0)
		return 0;
	dp_guest_rx_count(g, pkts, n);
	dp_guest_rx_tap(g, pkts, n);
	g->fast.handler->rx(g, pkts, n);
	return n;
}

static inline uint16_t
dp_guest_tx_port(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t bytes = 0;
	uint16_t k = 0;

	/* Count before sending: the PMD may free what it sent at once. */
	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	if (likely(__atomic_load_n(&g->fast.port_epoch, __ATOMIC_RELAXED) != 0))
		k = rte_eth_tx_burst(g->fast.port_id, 0, pkts, n);
	for (uint16_t i = k; i < n; i++)
		bytes -= pkts[i]->pkt_len;
	g->fast.st.tx_frames += k;
	g->fast.st.tx_bytes += bytes;
	g->fast.st.tx_drops += n - k;
	rte_pktmbuf_free_bulk(pkts + k, n - k);
	return k;
}

/**
 * Poll the guest once: receive a burst of at most max (<= DP_BURST) frames
 * and hand it to the handler. How many a pass takes is fair.h's decision.
 * @return frames received (0: nothing to do, as far as this guest goes).
 */
static inline uint16_t
dp_guest_poll(struct dp_guest *g, uint16_t max)
{
	struct rte_mbuf *pkts[DP_BURST];
	struct dp_memif_rt *rt;
	uint16_t n;

	if (g->fast.chan != DP_CHAN_MEMIF)
		return dp_guest_poll_port(g, max);
	/* Acquire: pairs with the main lcore's release when it publishes
	 * rt, so the ring and region fields below are initialised. */
	rt = __atomic_load_n(&g->fast.rt, __ATOMIC_ACQUIRE);
	if (rt == NULL || __atomic_load_n(&rt->fault, __ATOMIC_RELAXED) != 0)
		return 0;
	if (unlikely(rt->epoch != g->pl.epoch))
		dp_guest_new_epoch(g, rt->epoch);
	if (rt->s2c.kick_pending) {
		rt->s2c.kick_pending = 0;
		dp_memif_tx_kick(&rt->s2c, &g->fast.st);
	}
	n = dp_memif_rx_burst(rt, __atomic_load_n(&g->fast.mp, __ATOMIC_ACQUIRE),
			      pkts, max, &g->fast.st);
	if (n > 0) {
		dp_guest_rx_tap(g, pkts, n);
		g->fast.rx_rt = rt;
		g->fast.handler->rx(g, pkts, n);
		g->fast.rx_rt = NULL;
	}
	return n;
}

/**
 * Send frames to a guest on its channel, without capture (dp_guest_tx()).
 * Consumes every mbuf. @return frames delivered: the first ones.
 */
static inline uint16_t
dp_guest_tx_chan(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_memif_rt *rt;

	if (g->fast.chan != DP_CHAN_MEMIF)
		return dp_guest_tx_port(g, pkts, n);
	rt = __atomic_load_n(&g->fast.rt, __ATOMIC_ACQUIRE);

	if (unlikely(rt == NULL || __atomic_load_n(&rt->fault, __ATOMIC_RELAXED))) {
		g->fast.st.tx_drops += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return 0;
	}
	return dp_memif_tx_burst(rt, pkts, n, &g->fast.st);
}

/**
 * Send frames to a guest from an I/O lcore. Consumes every mbuf.
 * @return frames delivered; the rest were dropped and counted.
 */
static inline uint16_t
dp_guest_tx(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_cap *cap = dp_cap_load(&g->fast.cap);

	if (unlikely(cap != NULL))
		return dp_cap_guest_tx(cap, g, pkts, n);
	return dp_guest_tx_chan(g, pkts, n);
}

#endif /* DP_GUEST_H */
