/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The PV switch: a MAC learning switch for every frame that is not a
 * hostlane request, between guests and DPDK ports (uplinks, the TAP
 * exception port).
 *
 * Design note.
 *  - Vports. Guest slot i is vport i; config port i is vport
 *    dp_pvs_port_vport(sw, i), after the guests' max_guests vports
 *    (rounded up to 64). The vport table and the membership bitmap are
 *    allocated for max_guests at creation, on the switch lcore's socket. A
 *    flood walks the bitmap one 64-bit word at a time. A guest is attached when its handler is
 *    `hostlane` (its frames of other EtherTypes come here) or `switch` (all
 *    its frames do); a port when its role is `uplink` or `exception`.
 *  - Learning. An rte_hash keyed by {MAC, VLAN 0} (the switch is not VLAN
 *    aware: tagged frames are switched by MAC alone); the position rte_hash
 *    gives a key indexes an entry {vport, vport generation, last-seen TSC}.
 *    An entry older than the aging time, or made for an earlier occupant of
 *    its vport (generation) or a vport since detached, is a miss; a sweep on
 *    the switch lcore, at most once a second and bounded per pass, deletes
 *    such entries.
 *  - Hostlane frames. The switch never forwards a hostlane message, in any
 *    direction: a frame whose EtherType is HL_ETHERTYPE (0x88B5), at the
 *    outer position or behind VLAN tags (802.1Q 0x8100, 802.1ad 0x88A8,
 *    0x9100, at most DP_PVS_MAX_TAGS of them), is dropped (dropped_hostlane).
 *    Requests reach hostlane through the request pipeline and replies leave
 *    it there, never through the switch; a hostlane frame here is a forged
 *    reply or a request smuggled past the pipeline, which looks only at the
 *    outer EtherType. A frame with more tags (dropped_tags) or cut short
 *    inside them (dropped_runt) is dropped: what it carries is unknown.
 *  - Source MACs. Nobody may send from hostlane's own range
 *    02:68:6c:00:00:00/24 (DP_PVS_HL_MAC; guests.c gives guest slot i
 *    02:68:6c:00:HI:LO), guest, uplink or TAP (dropped_hlsrc), nor from a
 *    group (multicast) or the zero address (dropped_spoof). A guest
 *    attached with a MAC (config `mac`) may send only from it: other frames
 *    are dropped and counted (dropped_spoof). A guest without one is not
 *    checked, and can therefore take over another station's address (a MAC
 *    move); give untrusted guests a `mac`.
 *  - Learning limit. A vport has at most mac_limit addresses in the table
 *    (config mac_limit_per_port). A new source beyond it, or a move of an
 *    address to it, is not learned (learn_limited); the frame is switched
 *    all the same, as from an unknown source. So one vport cannot fill the
 *    table: the others keep learning, and their unicast keeps going to them
 *    alone instead of being flooded to everyone, the flooder included.
 *  - Forwarding. Known unicast goes to its one vport (dropped, as
 *    dropped_nodest, when that is the ingress); broadcast, multicast and
 *    unknown unicast are flooded to every attached vport but the ingress.
 *    Frames are buffered per output and leave in one burst per input burst:
 *    guests first, then ports.
 *  - Flood copies. A guest output copies the frame into the guest's ring
 *    (memif) or virtqueue (vhost) at once, so all guest outputs share the
 *    one mbuf by reference count; so does one port output, which goes
 *    after the guests and so is the last holder. Every further port gets an
 *    rte_pktmbuf_copy(), because a port's PMD may keep the mbuf or hand it
 *    to a peer that writes to it (net_ring).
 *
 * Threads. Everything on the fast path — table lookups, adds, deletes,
 * output buffers, counters — belongs to one I/O lcore, the switch lcore
 * (the first I/O lcore). So the hash needs no concurrency flags and nothing
 * is locked, and guest rings and port TX queues, all single-producer, keep
 * one producer. A vport polled by another lcore cannot be attached
 * (-EXDEV): hostlane refuses, with a log line, a config that would need
 * cross-lcore switching; with one I/O lcore (the 2-core default) every
 * config qualifies. Lifting this means an MP/SC rte_ring inbox per I/O
 * lcore, drained by its owner into its own guests and ports, and a hash
 * created with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF and
 * MULTI_WRITER_ADD whose deletes are deferred through the lcores' RCU
 * domain.
 *
 * The main lcore creates and frees the switch, attaches and detaches vports
 * (membership is a bitmap published with release, each word read with
 * acquire where it is used: a vport's fields change only at attach, and a
 * vport is attached again only a grace period after its detach) and reads
 * counters, which may be one burst old.
 * After dp_pvs_detach() it must wait for a grace period (dp_lcore_sync())
 * before the vport's guest or port goes away.
 *
 * Fast path: no syscalls, locks or logs; no allocation but flood copies.
 */
#ifndef DP_PVSWITCH_H
#define DP_PVSWITCH_H

#include <stdint.h>

#include "config.h"

struct dp_guest;
struct dp_port;
struct dp_pvs;
struct rte_mbuf;
struct rte_mempool;

#define DP_PVS_BURST 32		/**< frames switched in one go */
#define DP_PVS_MAX_TAGS 4	/**< VLAN tags looked through; a frame with more is dropped */

/** hostlane's own MAC range, 02:68:6c:00:00:00/24: its first three octets. */
#define DP_PVS_HL_MAC { 0x02, 0x68, 0x6c }

/**
 * Per-vport counters: up to learn_limited they count frames the vport sent
 * (each is counted once: switched, flooded, or dropped for one reason);
 * `macs` is a gauge; the last two count its output.
 */
#define DP_PVS_VPORT_COUNTERS(X)                                               \
	X(switched, "frames sent to the one vport their destination is behind")  \
	X(flooded, "frames flooded: broadcast, multicast or unknown destination") \
	X(dropped_runt, "frames dropped: shorter than their Ethernet header and VLAN tags") \
	X(dropped_tags, "frames dropped: more than DP_PVS_MAX_TAGS VLAN tags")   \
	X(dropped_hostlane, "frames dropped: hostlane messages (EtherType 0x88B5, tagged or not)") \
	X(dropped_hlsrc, "frames dropped: a source MAC in hostlane's range 02:68:6c:00:00:00/24") \
	X(dropped_spoof, "frames dropped: a source MAC the sender may not use (not its mac, group, zero)") \
	X(dropped_nodest, "frames dropped: no destination but the sender")       \
	X(dropped_nomem, "flood copies not made: the mbuf pool was empty")       \
	X(learn_limited, "source addresses not learned: the vport had mac_limit addresses") \
	X(macs, "addresses learned behind this vport now (a gauge)")             \
	X(out_frames, "frames the switch delivered to this vport")               \
	X(out_drops, "frames for this vport its ring or TX queue refused")

/** Counters of the learning table. */
#define DP_PVS_COUNTERS(X)                                                     \
	X(learned, "addresses learned")                                          \
	X(moved, "addresses seen behind another vport than before")              \
	X(aged, "addresses deleted: no traffic for the aging time, or their vport left") \
	X(table_full, "addresses not learned: the table was full")

struct dp_pvs_vport_stats {
#define DP_PVS_FIELD(name, help) uint64_t name;
	DP_PVS_VPORT_COUNTERS(DP_PVS_FIELD)
#undef DP_PVS_FIELD
};

struct dp_pvs_stats {
#define DP_PVS_FIELD(name, help) uint64_t name;
	DP_PVS_COUNTERS(DP_PVS_FIELD)
#undef DP_PVS_FIELD
};

struct dp_pvs_conf {
	unsigned int lcore;		/**< the switch lcore */
	uint32_t table_size;		/**< learning table entries */
	uint32_t aging_s;		/**< seconds an address stays learned */
	uint32_t mac_limit;		/**< addresses per vport; 0: max(4, table_size / 8) */
	uint32_t max_guests;		/**< guest vports; 0: 64 */
	struct rte_mempool *mp;		/**< for flood copies */
};

/**
 * Create a switch with no vports. Main lcore.
 * @return the switch, or NULL with errno: EINVAL (bad conf) or ENOMEM.
 */
struct dp_pvs *dp_pvs_create(const struct dp_pvs_conf *conf);

/** Free a switch; no I/O lcore may use it any more. Accepts NULL. */
void dp_pvs_free(struct dp_pvs *sw);

/** The vport of config port i (after every guest vport). Any lcore. */
uint16_t dp_pvs_port_vport(const struct dp_pvs *sw, unsigned int i);

/**
 * Attach guest g as vport g->idx, polled by lcore g->lcore; sets g->pvs.
 * @param mac  the only source MAC g may use, or NULL for no check.
 * @return 0, -EXDEV (g is polled by another lcore than the switch's),
 *         -EBUSY (the vport is attached) or -EINVAL (bad slot, or mac is
 *         a group, zero or hostlane address: one the switch drops).
 */
int dp_pvs_attach_guest(struct dp_pvs *sw, struct dp_guest *g, const uint8_t *mac);

/**
 * Attach port p, config port index idx, as vport dp_pvs_port_vport(idx);
 * sets p->pvs and p->vport. Errors as dp_pvs_attach_guest().
 */
int dp_pvs_attach_port(struct dp_pvs *sw, struct dp_port *p, unsigned int idx);

/**
 * Take a vport out of the switch: no frame is sent to it or taken from it
 * once the I/O lcores have passed a quiescent point. Main lcore; the
 * caller waits for that (dp_lcore_sync()) before the guest or port goes.
 * Addresses learned on it are forgotten. Unattached vports are ignored.
 */
void dp_pvs_detach(struct dp_pvs *sw, uint16_t vport);

/**
 * Find a frame's EtherType behind its VLAN tags (802.1Q 0x8100, 802.1ad
 * 0x88A8, 0x9100). Any lcore; reads nothing beyond len.
 * @param frame  the frame (its first segment)
 * @param len    bytes at frame
 * @param type   receives the EtherType, host order, on success
 * @return the number of tags (0 … DP_PVS_MAX_TAGS), -EBADMSG (the frame
 *         ends before its EtherType: shorter than an Ethernet header or
 *         cut inside its tags) or -E2BIG (more than DP_PVS_MAX_TAGS tags).
 */
int dp_pvs_parse_ethertype(const uint8_t *frame, uint32_t len, uint16_t *type);

/** The switch lcore. */
unsigned int dp_pvs_lcore(const struct dp_pvs *sw);

/**
 * Switch a burst of frames that vport `in` sent. Switch lcore only.
 * Consumes every mbuf: sent, or dropped and counted.
 */
void dp_pvs_input(struct dp_pvs *sw, uint16_t in, struct rte_mbuf **pkts, uint16_t n);

/** dp_pvs_input() at a given TSC (tests drive aging with it). */
void dp_pvs_input_at(struct dp_pvs *sw, uint16_t in, struct rte_mbuf **pkts,
		     uint16_t n, uint64_t now);

/**
 * The `switch` frame handler (handler.c), and where the request pipeline
 * sends a guest's frames that are not hostlane requests. A guest
 * cross-connected to a dedicated VF (g->fast.vf_tx, vfport.h) has them
 * sent to the VF instead. If g is not attached the frames are freed and
 * counted as handler_drops.
 */
void dp_pvs_guest_rx(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n);

/**
 * Copy a vport's counters. Any lcore; values may be one burst old.
 * @return 0, or -ENOENT if the vport was never attached.
 */
int dp_pvs_vport_stats(const struct dp_pvs *sw, uint16_t vport,
		       struct dp_pvs_vport_stats *out);

/** Copy the table's counters. Any lcore. */
void dp_pvs_stats(const struct dp_pvs *sw, struct dp_pvs_stats *out);

/** Addresses in the table now, aged ones not yet swept included. Main lcore
 * after the switch lcore stopped, or tests. */
uint32_t dp_pvs_table_count(const struct dp_pvs *sw);

/**
 * Run the aging sweep to its end now (tests; the switch lcore runs it on
 * its own during dp_pvs_input()). Switch lcore only.
 * @param now  the TSC to age against.
 */
void dp_pvs_sweep(struct dp_pvs *sw, uint64_t now);

/** One log line per attached vport with its counters, and one for the table. */
void dp_pvs_log_stats(const struct dp_pvs *sw, const char *(*vport_name)(void *arg,
		      uint16_t vport), void *arg);

#endif /* DP_PVSWITCH_H */
