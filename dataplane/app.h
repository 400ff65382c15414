/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running dataplane: mempools, ports, guests, I/O lcores, and the main
 * lcore's slow-path loop. Built from a validated config after rte_eal_init().
 * Every function here runs on the main lcore.
 */
#ifndef DP_APP_H
#define DP_APP_H

#include "config.h"
#include "fnmsg.h"
#include "guest.h"
#include "lcore.h"
#include "port.h"

/** What the control plane does for the dataplane; called on the main lcore. */
struct dp_app_hooks {
	/** Answer a slow-path function request in place (the manager). */
	void (*fn_request)(void *arg, struct dp_fnmsg *msg);
	/** A guest's connection ended: release what it reserved. */
	void (*guest_gone)(void *arg, unsigned int guest, uint32_t epoch);
	void *arg;
};

struct dp_app {
	const struct dp_config *cfg;
	struct dp_app_hooks hooks;
	struct rte_mempool *msg_pool;	/**< struct dp_fnmsg hand-off messages */
	int wake_fd;			/**< I/O lcores wake the main lcore */
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];
	int epfd;
	unsigned int n_guests;
	struct dp_guest *guests;	/**< n_guests, rte_zmalloc'd */
	unsigned int n_ports;
	struct dp_port ports[DP_MAX_PORTS];
	unsigned int n_io;
	struct dp_io_lcore *io;		/**< one per I/O lcore */
	unsigned int n_workers;
	struct dp_worker_lcore *workers; /**< one per function worker lcore */
	struct fpga_ring_link **links;	/**< per I/O lcore, when workers */
};

/** Build everything and launch the I/O lcores. @return 0 or -errno (logged). */
int dp_app_start(struct dp_app *app, const struct dp_config *cfg,
		 const struct dp_app_hooks *hooks);

/** Serve the slow path until dp_lcore_stop() is called (e.g. by a signal). */
void dp_app_run(struct dp_app *app);

/** Stop the I/O lcores, disconnect every guest with a reason, free all. */
void dp_app_stop(struct dp_app *app);

#endif /* DP_APP_H */
