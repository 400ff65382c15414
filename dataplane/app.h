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
#include "guests.h"
#include "lcore.h"
#include "port.h"
#include "pvswitch.h"

/** What the control plane does for the dataplane; called on the main lcore. */
struct dp_app_hooks {
	/** Answer a slow-path function request in place (the manager). */
	void (*fn_request)(void *arg, struct dp_fnmsg *msg);
	/** A guest's connection ended: release what it reserved. */
	void (*guest_gone)(void *arg, unsigned int guest, uint32_t epoch);
	/** A guest was added in a slot (a retired slot may be reused). */
	void (*guest_added)(void *arg, unsigned int guest);
	/** A guest's stats report was accepted (report.h): the rx + tx
	 *  packets and bytes its accepted reports add up to, a series that
	 *  only grows. For the VF allocator, which exists only once the app
	 *  runs: so this and report_arg may be set in app->hooks after
	 *  dp_app_start() (main lcore). NULL: reports are only counted. */
	void (*guest_report)(void *report_arg, unsigned int guest, uint64_t pkts,
			     uint64_t bytes);
	void *report_arg;
	void *arg;			/**< the other hooks' argument */
};

struct dp_app {
	struct dp_config *cfg;		/**< guests change at run time */
	struct dp_app_hooks hooks;
	struct rte_mempool *msg_pool;	/**< struct dp_fnmsg hand-off messages */
	int wake_fd;			/**< I/O lcores wake the main lcore */
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];
	int epfd;
	unsigned int n_guests;		/**< active guests */
	struct dp_guest *guests;	/**< cfg->max_guests slots, see guests.c */
	unsigned int n_ports;
	struct dp_port ports[DP_MAX_PORTS];
	struct dp_pvs *pvs;		/**< the PV switch, on the first I/O lcore */
	unsigned int n_io;
	struct dp_io_lcore *io;		/**< one per I/O lcore */
	uint64_t last_tick_ms;		/**< the watchdog's last look */
	/* One more slow-path user (the control server): its fd and callback. */
	void (*watch_fn)(void *arg);
	void *watch_arg;
	unsigned int n_workers;
	struct dp_worker_lcore *workers; /**< one per function worker lcore */
	struct fpga_ring_link **links;	/**< per I/O lcore, when workers */
	struct dp_sock_svc *sock;	/**< the socket service (sock.h) */
};

/** Build everything and launch the I/O lcores. @return 0 or -errno (logged). */
int dp_app_start(struct dp_app *app, struct dp_config *cfg,
		 const struct dp_app_hooks *hooks);

/**
 * Have the slow-path loop call fn(arg) when fd is readable and on every
 * tick (at most 50 ms apart), on the main lcore. One watcher. @return 0 or
 * -errno.
 */
int dp_app_watch(struct dp_app *app, int fd, void (*fn)(void *arg), void *arg);

/** Serve the slow path until dp_lcore_stop() is called (e.g. by a signal). */
void dp_app_run(struct dp_app *app);

/** How long stop waits for the lcores to leave their loops. */
#define DP_STOP_LCORE_MS 2000

/**
 * Stop the lcores (waiting DP_STOP_LCORE_MS at most), disconnect every
 * guest with a reason, free all. @return 0; -EBUSY if an lcore did not
 * stop: then only what it cannot touch was released (the rest is logged),
 * and the caller must exit without rte_eal_cleanup().
 */
int dp_app_stop(struct dp_app *app);

/** The mbuf pool of an lcore's NUMA socket, created on first use. */
struct rte_mempool *dp_app_pool_for(struct dp_app *app, unsigned int lcore);

/**
 * The mbuf pool of NUMA socket s (socket 0 for one DPDK does not know),
 * created on first use. @return it, or NULL (logged) if it cannot be
 * created, e.g. no hugepages on that socket.
 */
struct rte_mempool *dp_app_pool_on(struct dp_app *app, unsigned int s);

#endif /* DP_APP_H */
