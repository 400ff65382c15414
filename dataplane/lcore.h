/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * I/O lcores: the poll loop, and the RCU domain that lets the main lcore
 * take a guest away from them safely.
 *
 * Each worker lcore runs dp_lcore_io_main() over the guests and ports the
 * main lcore assigned to it before launch. Every pass through the loop is a
 * quiescent point (rte_rcu_qsbr): once dp_lcore_sync() returns on the main
 * lcore, no I/O lcore still holds anything the main lcore unpublished before
 * calling it. The poll loop makes no syscalls, takes no locks, allocates
 * nothing but mbufs and logs nothing.
 */
#ifndef DP_LCORE_H
#define DP_LCORE_H

#include <stdbool.h>

#include "config.h"
#include "ring.h"
#include "guest.h"
#include "pipeline.h"
#include "port.h"
#include "replace.h"

struct dp_io_lcore {
	unsigned int lcore_id;
	unsigned int qsbr_id;
	unsigned int n_guests;
	struct dp_guest *guests[DP_MAX_GUESTS];
	unsigned int n_ports;
	struct dp_port *ports[DP_MAX_PORTS];
	uint64_t loops;			/**< passes through the poll loop */
	struct dp_pipe pipe;		/**< request pipeline of this lcore */
	struct dp_replace_box replace;	/**< re-placing orders (replace.h) */
} __rte_cache_aligned;

/**
 * A function worker lcore: runs the software jobs of the I/O lcores linked
 * to it (fpga/ring.h), so a long job holds a worker, not a poll loop. It
 * never touches guest memory, only mbufs and session buffers the jobs name.
 */
struct dp_worker_lcore {
	unsigned int lcore_id;
	unsigned int n_links;
	struct fpga_ring_link *links[RTE_MAX_LCORE];
	uint64_t loops;
} __rte_cache_aligned;

/** Create the RCU domain for n I/O lcores. @return 0 or -errno. */
int dp_lcore_init(unsigned int n_io);

/** Free the RCU domain. */
void dp_lcore_fini(void);

/** Wait until every I/O lcore has passed a quiescent point. Main lcore. */
void dp_lcore_sync(void);

/** Ask every I/O lcore to leave its loop. Safe from a signal handler. */
void dp_lcore_stop(void);

/** True once dp_lcore_stop() was called. */
bool dp_lcore_stopping(void);

/** Start polling a guest (main lcore; the lcore may be running). */
void dp_lcore_guest_add(struct dp_io_lcore *lc, struct dp_guest *g);

/**
 * Stop polling a guest (main lcore). When it returns, the lcore has passed
 * a quiescent point and holds no reference to g from its list.
 */
void dp_lcore_guest_remove(struct dp_io_lcore *lc, struct dp_guest *g);

/** The poll loop; arg is the lcore's struct dp_io_lcore. */
int dp_lcore_io_main(void *arg);

/** The function worker loop; arg is the lcore's struct dp_worker_lcore. */
int dp_lcore_worker_main(void *arg);

#endif /* DP_LCORE_H */
