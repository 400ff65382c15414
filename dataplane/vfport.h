/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Dedicated VFs (docs/vf.md, "Dedicated mode"): a DPDK port probed at run
 * time and cross-connected to one guest's channel, bypassing the PV switch.
 *
 * Design note.
 *  - One struct dp_vf per guest slot, allocated on the guest's I/O lcore's
 *    NUMA socket at its first assignment and kept for the slot; it carries
 *    one VF at a time and is reused once that VF is released (DP_VF_ST_NONE).
 *  - Publication, like a memif guest's `rt`: the main lcore stores
 *    g->fast.vf (release); the guest's I/O lcore loads it once per poll
 *    (acquire). While it is published that lcore, and no other, polls the
 *    VF's RX queue and delivers its frames to the guest. vf->xconn (release
 *    / acquire, read once per poll) says where the guest's frames other
 *    than hostlane requests go: 1 the VF's TX queue, 0 the PV switch. So
 *    every queue keeps one producer and one consumer; hostlane requests
 *    (EtherType 0x88B5) go to the request pipeline either way.
 *  - Assign, make before break: probe (rte_dev_probe), configure one queue
 *    pair on the guest's lcore's socket with its mbuf pool, start; the
 *    guest stays on the PV path until the VF's link is up, then the VF is
 *    published with xconn 1 (DP_VF_ST_ACTIVE). A link that does not come up
 *    within DP_VF_LINK_MS fails the assignment.
 *  - Revoke, make before break (netvsc's order, docs/vf.md): xconn 0 first
 *    - the guest's next frames go to the PV switch, where its vport stayed
 *    attached (its MAC is learned again from its first frame; until then
 *    frames for it are flooded, which reaches it); after a grace period
 *    (defer.h) no frame can enter the VF's TX queue any more. The VF's RX
 *    is still polled and delivered until it has been quiet for quiet_ms
 *    since (frames the wire had already sent it are delivered, not
 *    dropped), at most drain_max_ms. Then g->fast.vf = NULL and, after a
 *    second grace period, the port is stopped, closed and removed
 *    (rte_dev_remove). The main lcore never waits: dp_vf_tick() moves each
 *    VF on.
 *  - Failure: a link that goes down (the tick, or an LSC / RMV event from
 *    the PMD, which switches the guest back at once) returns the guest to
 *    the PV path the same way, logged and kept in dp_vf_info().failures.
 *  - Checks: the VF path applies the PV switch's rules that protect
 *    hostlane and other guests: no hostlane frame (0x88B5, tagged or not)
 *    and no source in hostlane's MAC range either way, and a guest with a
 *    configured `mac` sends only from it (a real VF's spoof check does the
 *    same in the NIC).
 *
 * Threads: everything but the inlines below runs on the main lcore. The
 * inlines run on the guest's I/O lcore: no syscalls, locks, allocations
 * or logs; counters go to g->fast.st (vf_*).
 */
#ifndef DP_VFPORT_H
#define DP_VFPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <hostlane/proto.h>

#include "guest.h"
#include "pvswitch.h"

struct dp_app;

/** An assigned VF's link must be up by then: a real VF's comes up in
 *  hundreds of ms (the PF's mailbox, autonegotiation), later on a busy
 *  host; netvsc gives a VF 10 s and more. */
#define DP_VF_LINK_MS 5000
#define DP_VF_QUIET_MS 20		/**< revoke: VF RX quiet this long, then stop */
#define DP_VF_DRAIN_MAX_MS 500		/**< revoke: stop after this long regardless */
#define DP_VF_WATCH_MS 10		/**< tick while a VF is held: link checks */

/* States of a guest's VF; names in dp_vf_state_name(). */
#define DP_VF_STATES(X)                                                        \
	X(NONE, "none")			/* no VF */                            \
	X(LINKWAIT, "link-wait")	/* started, link not up: guest on PV */ \
	X(ACTIVE, "active")		/* cross-connected */                  \
	X(SWITCHING, "switching")	/* back on PV; waiting a grace period */ \
	X(DRAINING, "draining")		/* VF RX still delivered until quiet */ \
	X(RELEASING, "releasing")	/* unpublished; closed after a grace period */

enum dp_vf_state {
#define DP_VF_ENUM(name, str) DP_VF_ST_##name,
	DP_VF_STATES(DP_VF_ENUM)
#undef DP_VF_ENUM
};

/** Timings (µs) and outcome of a guest's VF operations; main lcore. */
struct dp_vf_info {
	enum dp_vf_state state;
	uint16_t port_id;		/**< valid unless DP_VF_ST_NONE */
	char devargs[256];		/**< the VF held, "" if none */
	uint64_t assign_us;		/**< last assign: call → guest on the VF */
	uint64_t revoke_switch_us;	/**< last revoke: call → guest on PV */
	uint64_t revoke_done_us;	/**< last revoke: call → VF removed */
	uint64_t drained;		/**< frames delivered from the VF after the switch back */
	uint64_t assigns, revokes, failures;
	uint8_t lost;			/**< the VF failed under the guest, which is
					     back on the PV path; cleared by the
					     next assign or revoke */
	char last_error[320];		/**< the last failure, "" if none */
};

/* The I/O lcore's view of a VF while it drains (relaxed stores, read by
 * the main lcore). */
struct dp_vf_io {
	uint64_t empty_polls;		/**< RX polls that found nothing, in a row */
	uint64_t rx_tsc;		/**< TSC of the last RX that found frames */
	uint64_t rx_frames;		/**< frames received, all */
} __rte_cache_aligned;

struct dp_vf_main;

struct dp_vf {
	uint16_t port_id;		/**< set before publication */
	uint8_t xconn;			/**< guest → VF (1) or → PV switch (0) */
	const uint8_t *only_src;	/**< the guest's `mac`, or NULL */
	struct dp_vf_io io;
	struct dp_vf_main *m;		/**< the main lcore's part (vfport.c) */
};

/**
 * Set up the module for app: a VF slot per guest slot (max_guests; 64
 * when app is NULL, for tests). Main lcore, after dp_app_start() built
 * the guest table. @return 0 or -ENOMEM.
 */
int dp_vf_init(struct dp_app *app);

/**
 * Give guest g the VF that devargs probes. Never blocks.
 * @return 0 (the guest is on the VF), 1 (started: dp_vf_poll() until not
 *         1), or -errno with err filled, nothing changed: -EBUSY (the guest
 *         has a VF, or one still being released; the device exists), -ENODEV
 *         / an errno of rte_dev_probe() or of the port's set-up.
 */
int dp_vf_assign(struct dp_app *app, struct dp_guest *g, const char *devargs,
		 char *err, size_t errlen);

/**
 * Take the guest's VF back, make before break: the guest's frames are on
 * the PV path when this returns. @return 1 (the VF is drained and released
 * in the background: dp_vf_poll()), 0 (it had none), or -EBUSY (a revoke
 * is already under way).
 */
int dp_vf_revoke(struct dp_app *app, struct dp_guest *g, char *err, size_t errlen);

/**
 * Where the last operation is. @return 0 done (assigned: on the VF;
 * revoked: the VF removed), 1 going on, or -errno with err filled: the
 * assignment failed (the guest is on the PV path; the port is released in
 * the background).
 */
int dp_vf_poll(struct dp_app *app, struct dp_guest *g, char *err, size_t errlen);

/** Copy the guest's VF state and timings. @return 0 or -ENOENT (never had one). */
int dp_vf_info(const struct dp_guest *g, struct dp_vf_info *out);

/** The VF port's rte_eth_stats. @return 0, or -ENOENT unless DP_VF_ST_ACTIVE. */
int dp_vf_port_stats(const struct dp_guest *g, struct rte_eth_stats *out);

/** A state's name. */
const char *dp_vf_state_name(enum dp_vf_state s);

/** Move every VF on (links, grace periods, drains). Every slow-path tick. */
void dp_vf_tick(struct dp_app *app);

/**
 * How long the slow-path loop may sleep for the VFs: 1 ms while one is
 * being assigned or drained, DP_VF_WATCH_MS while one is held, else
 * UINT32_MAX.
 */
unsigned int dp_vf_tick_ms(void);

/** The guest is being removed: its VF goes, without a drain. */
void dp_vf_guest_gone(struct dp_app *app, struct dp_guest *g);

/**
 * Shutdown, after the I/O lcores stopped and before dp_defer_flush():
 * close every VF port; those waiting for a grace period are closed by
 * the flush. dp_vf_fini() after the flush frees the module.
 */
void dp_vf_shutdown(struct dp_app *app);
void dp_vf_fini(void);

/* ---- fast path: the guest's I/O lcore ------------------------------------ */

/* The rules of the PV switch that keep hostlane's frames and addresses
 * out of the VF path (pvswitch.h); only_src: the one allowed source. */
static inline bool
dp_vf_frame_ok(const struct rte_mbuf *m, const uint8_t *only_src)
{
	static const uint8_t hl_mac[3] = DP_PVS_HL_MAC;
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *src = f + RTE_ETHER_ADDR_LEN;
	uint16_t type;

	if (unlikely(dp_pvs_parse_ethertype(f, m->data_len, &type) < 0 ||
		     type == HL_ETHERTYPE))
		return false;
	if (unlikely(memcmp(src, hl_mac, sizeof(hl_mac)) == 0))
		return false;
	return only_src == NULL || memcmp(src, only_src, RTE_ETHER_ADDR_LEN) == 0;
}

/* Keep the frames dp_vf_frame_ok() accepts, free the others.
 * @return how many were kept (at the front of pkts). */
static inline uint16_t
dp_vf_filter(struct rte_mbuf **pkts, uint16_t n, const uint8_t *only_src,
	     uint64_t *drops)
{
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (likely(dp_vf_frame_ok(pkts[i], only_src))) {
			pkts[k++] = pkts[i];
			continue;
		}
		(*drops)++;
		rte_pktmbuf_free(pkts[i]);
	}
	return k;
}

/* One burst (at most DP_BURST) of the guest's frames to the VF. */
static inline void
dp_vf_tx_burst(struct dp_guest *g, struct dp_vf *vf, struct rte_mbuf **pkts,
	       uint16_t n)
{
	uint32_t len[DP_BURST];
	uint64_t bytes = 0;
	uint16_t k, sent;

	k = dp_vf_filter(pkts, n, vf->only_src, &g->fast.st.vf_tx_drops);
	/* Lengths first: the PMD may free what it sent at once. */
	for (uint16_t i = 0; i < k; i++)
		len[i] = pkts[i]->pkt_len;
	sent = rte_eth_tx_burst(vf->port_id, 0, pkts, k);
	for (uint16_t i = 0; i < sent; i++)
		bytes += len[i];
	g->fast.st.vf_tx_frames += sent;
	g->fast.st.vf_tx_bytes += bytes;
	g->fast.st.vf_tx_drops += k - sent;
	rte_pktmbuf_free_bulk(pkts + sent, k - sent);
}

/** The guest's frames (not hostlane requests) to its VF's TX queue. */
static inline void
dp_vf_tx(struct dp_guest *g, struct dp_vf *vf, struct rte_mbuf **pkts, uint16_t n)
{
	while (n > 0) {
		uint16_t k = RTE_MIN(n, (uint16_t)DP_BURST);

		dp_vf_tx_burst(g, vf, pkts, k);
		pkts += k;
		n -= k;
	}
}

/* The VF's RX to the guest; notes for the drain whether it was quiet.
 * @return frames received. */
static inline unsigned int
dp_vf_rx(struct dp_guest *g, struct dp_vf *vf)
{
	struct rte_mbuf *pkts[DP_BURST];
	uint32_t len[DP_BURST];
	uint64_t bytes = 0;
	uint16_t n = rte_eth_rx_burst(vf->port_id, 0, pkts, DP_BURST), k, sent;

	if (n == 0) {
		__atomic_store_n(&vf->io.empty_polls, vf->io.empty_polls + 1,
				 __ATOMIC_RELAXED);
		return 0;
	}
	__atomic_store_n(&vf->io.empty_polls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vf->io.rx_tsc, rte_rdtsc(), __ATOMIC_RELAXED);
	__atomic_store_n(&vf->io.rx_frames, vf->io.rx_frames + n, __ATOMIC_RELAXED);
	k = dp_vf_filter(pkts, n, NULL, &g->fast.st.vf_rx_drops);
	for (uint16_t i = 0; i < k; i++)
		len[i] = pkts[i]->pkt_len;
	/* dp_guest_tx() delivers a prefix and frees the rest. */
	sent = dp_guest_tx(g, pkts, k);
	for (uint16_t i = 0; i < sent; i++)
		bytes += len[i];
	g->fast.st.vf_rx_frames += sent;
	g->fast.st.vf_rx_bytes += bytes;
	g->fast.st.vf_rx_drops += k - sent;
	return n;
}

/**
 * Poll a guest once, with its VF when it has one, for at most max
 * (<= DP_BURST) of the guest's frames: fair_poll.h calls this instead of
 * dp_guest_poll(). @return work found (frames).
 */
static inline unsigned int
dp_vf_guest_poll(struct dp_guest *g, uint16_t max)
{
	/* Acquire: pairs with the main lcore's release when it published
	 * the VF, so port_id and the started port are seen. */
	struct dp_vf *vf = __atomic_load_n(&g->fast.vf, __ATOMIC_ACQUIRE);
	unsigned int work;

	if (likely(vf == NULL))
		return dp_guest_poll(g, max);
	work = dp_vf_rx(g, vf);
	/* Once per poll: a burst goes to one path, never split. */
	g->fast.vf_tx = __atomic_load_n(&vf->xconn, __ATOMIC_ACQUIRE) ? vf : NULL;
	work += dp_guest_poll(g, max);
	g->fast.vf_tx = NULL;
	return work;
}

#endif /* DP_VFPORT_H */
