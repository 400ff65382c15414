/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A guest's NUMA placement, when it connects (the rules: numa_place.h).
 *
 * Design note. Guests are placed on an I/O lcore when they are opened or
 * added, before any client connects, so the node of their memory is not
 * known then. When a client connects, the node of its memory (memif: the
 * pages of its regions; vhost-user: its virtqueues and memory regions)
 * decides
 *  - the mbuf pool the guest's frames and replies are built in: the
 *    pool of that node, created on first use (app.h, dp_app_pool_on());
 *  - the node of its per-connection state (memif: struct dp_memif_rt);
 *  - a warning, naming both nodes, when its I/O lcore is on another node:
 *    it keeps that lcore (moving a guest live is rebalancing, issue 16 §2).
 * A node that cannot be found (no NUMA support, no page of the guest's
 * mapped in yet) keeps what the guest had before: its lcore's node. That
 * is said once, at info level; so is a machine with a single node.
 * A vhost-user port's own Rx queue keeps the pool it was set up with.
 *
 * Threads: the main lcore, except dp_guest_numa_vhost_up() (the vhost
 * PMD's thread, inside its link-up event).
 */
#ifndef DP_GUEST_NUMA_H
#define DP_GUEST_NUMA_H

#include <stdint.h>

struct dp_app;
struct dp_guest;

/** Remember app, and log the machine's nodes and lcores once. Main lcore. */
void dp_guest_numa_init(struct dp_app *app);

/** Before a guest's first connection: no node known. Main lcore. */
void dp_guest_numa_reset(struct dp_guest *g);

/**
 * The node of a memif guest's memory, from its handshake's regions and
 * rings: only pages hostlane has touched have one, so touch the rings
 * first. @return the node, or DP_NUMA_UNKNOWN (said once why).
 */
int dp_guest_numa_memif(struct dp_guest *g);

/** The socket to allocate a connection's state on: node, or the lcore's. */
int dp_guest_numa_socket(const struct dp_guest *g, int node);

/**
 * A connection of g whose memory is on node (or DP_NUMA_UNKNOWN): record
 * it, switch the guest's mbuf pool to that node's, warn if its I/O lcore
 * is on another node. Main lcore, before the connection is published.
 */
void dp_guest_numa_connected(struct dp_guest *g, int node);

/**
 * A vhost-user guest's link came up: find the node of its memory and
 * leave it for dp_guest_numa_port_tick(). The vhost PMD's thread, inside
 * the link-up event, where the device's memory table cannot change.
 */
void dp_guest_numa_vhost_up(struct dp_guest *g, uint16_t port_id);

/**
 * A port guest whose link is up (conn.link_epoch != 0): take what the
 * PMD's thread found, once per connection. Main lcore, every tick.
 */
void dp_guest_numa_port_tick(struct dp_guest *g);

#endif /* DP_GUEST_NUMA_H */
