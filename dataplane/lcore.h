/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * I/O lcores: the poll loop, the RCU domain that lets the main lcore take
 * a guest away from them safely, and the watchdog that notices one stuck.
 *
 * Each I/O lcore runs dp_lcore_io_main() over the guests and ports the main
 * lcore assigned to it; of the guests, only those with something to poll
 * (connected, a link up, a VF) are in its poll list, so a configured guest
 * nobody uses costs its loop nothing. Every pass through the loop is a quiescent point
 * (rte_rcu_qsbr) and a heartbeat (`loops`). The main lcore never waits for
 * a grace period: it takes a token (dp_lcore_rcu_start()) and checks it
 * later without blocking (dp_lcore_rcu_passed(); defer.h builds on it), so
 * an I/O lcore stuck inside a library call cannot stop the control plane.
 * The poll loop makes no syscalls, takes no locks, allocates nothing but
 * mbufs and logs nothing.
 *
 * Moves (move.h): a guest whose fast.move_req is set is not polled for
 * frames; the lcore only sends the wake-up it owes it and, once nothing of
 * the guest is left in flight here, acks (fast.move_ack, release). Every
 * poll that finds work charges the guest its cycles (fast.busy_cycles: one
 * rte_rdtsc() more per such poll) for placement and rebalancing.
 *
 * Watchdog: dp_lcore_watchdog() on the main lcore compares each lcore's
 * heartbeat with the last one it saw; no pass for watchdog_ms makes the
 * lcore *stuck* (logged, counted, shown by `lcore list`, metrics and
 * telemetry); its memif guests are then told so and new clients refused
 * (app.c) until the heartbeat moves again.
 *
 * Idle (idle = adaptive, docs/ARCHITECTURE.md "Adaptive idle"): after an
 * empty pass with no work pending the lcore backs off — spin, rte_pause,
 * short sleeps, then it blocks in epoll on its memif guests' C2S eventfds,
 * its vhost-user guests' Rx interrupts and its wake eventfd, with MASK_INT
 * cleared on those rings and its RCU thread offline. Every syscall of that is in the idle path; a pass that
 * finds work costs one rte_rdtsc() more than with idle = poll. The main
 * lcore adds and removes the eventfds (dp_lcore_fd_watch/unwatch) and
 * wakes the lcore (dp_lcore_wake) when it publishes something to it; a
 * sleeping lcore is healthy to the watchdog.
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

/** The watchdog's view of one I/O lcore; main lcore only. */
struct dp_lcore_wd {
	uint64_t seen_loops;		/**< heartbeat at the last change */
	uint64_t seen_ms;		/**< when it last changed */
	uint64_t stuck_since_ms;	/**< 0 while healthy */
	uint32_t stuck_where;		/**< dp_pipe where, when found stuck */
	uint64_t stuck_events;		/**< times it was found stuck */
	uint64_t stuck_ms_total;	/**< time spent stuck, ended episodes */
	uint64_t last_stuck_ms;		/**< length of the last ended episode */
};

/** The lcore's idle state and counters. */
struct dp_lcore_idle {
	/* Set by the main lcore before launch. */
	uint8_t mode;			/**< enum dp_idle_mode (never DEFAULT) */
	int epfd;			/**< its epoll set, -1 with idle = poll */
	int wake_fd;			/**< eventfd in it: the main lcore's kick */
	uint64_t spin_tsc;		/**< rungs, in TSC cycles since last work */
	uint64_t pause_tsc;
	uint64_t block_tsc;
	uint64_t sleep_max_ns;		/**< longest short sleep; also the
					     longest block while a source
					     cannot interrupt */
	/* The lcore's own; the main lcore reads them (relaxed). */
	uint64_t last_work;		/**< TSC of the last pass with work */
	uint64_t last_pass;		/**< TSC at the end of the last pass */
	uint64_t sleep_ns;		/**< next short sleep */
	uint64_t busy_cycles;		/**< passes that found work */
	uint64_t idle_cycles;		/**< empty passes, pauses, sleeps, blocks */
	uint64_t sleep_cycles;		/**< of idle: inside sleeps and blocks */
	uint64_t sleeps;		/**< short sleeps */
	uint64_t blocks;		/**< waits on eventfds */
	uint64_t wakeups;		/**< blocks ended by an event */
	/** 1 while blocked (RCU offline): healthy to the watchdog. Written
	 *  by the lcore (release), read by the main lcore (acquire). */
	uint32_t asleep;
};

/* Cold guests (struct dp_io_lcore.cold): empty polls in a row that make a
 * guest cold; cold guests polled per busy pass, about; the longest turn. */
#define DP_COLD_AFTER 64u
#define DP_COLD_SHARE 16u
#define DP_COLD_EVERY_MAX 64u

struct dp_io_lcore {
	unsigned int lcore_id;
	unsigned int qsbr_id;
	unsigned int n_guests;		/**< guests assigned to it; main lcore */
	/** The poll list: only guests with something to poll (a published
	 *  connection, a link up, a dedicated VF), so a configured guest
	 *  with nothing connected costs the loop nothing. n_poll is stored
	 *  with release after the entry, read with acquire once per pass;
	 *  dp_lcore_guest_sync() keeps it (main lcore). */
	unsigned int n_poll;
	unsigned int cap_poll;		/**< entries of poll: max_guests */
	struct dp_guest **poll;		/**< on the lcore's socket */
	/** Cold guests (the lcore's own, "Many guests"): per poll-list
	 *  position, the polls in a row that found nothing (saturating).
	 *  While the lcore is busy, a guest cold for DP_COLD_AFTER polls is
	 *  polled only every cold_mask + 1 passes, so a busy guest's rate
	 *  does not pay for a thousand idle ones; an lcore that found no
	 *  work for DP_COLD_AFTER passes polls all.
	 *  Positions move under it (poll_del()): a guest may inherit another's
	 *  count once, which costs it at most one turn. */
	uint8_t *cold;
	unsigned int cold_n;		/**< poll-list length cold[] was sized for */
	unsigned int cold_mask;
	unsigned int pass_no;
	unsigned int work_pass;		/**< the last pass that found work */
	unsigned int n_ports;
	struct dp_port *ports[DP_MAX_PORTS];
	/** Passes through the poll loop: the heartbeat. Written by the lcore
	 *  (relaxed), read by the main lcore. */
	uint64_t loops;
	struct dp_pipe pipe;		/**< request pipeline of this lcore */
	struct dp_replace_box replace;	/**< re-placing orders (replace.h) */
	struct dp_lcore_wd wd;		/**< main lcore */
	/** Calls in flight its guests may have at most (the sum of their
	 *  max_inflight): never above the pipeline's pending pool. Main lcore. */
	unsigned int budget;
	struct dp_lcore_idle idle __rte_cache_aligned;
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

/**
 * Start a grace period. Main lcore.
 * @return a token for dp_lcore_rcu_passed().
 */
uint64_t dp_lcore_rcu_start(void);

/**
 * True once every I/O lcore has passed a quiescent point (or is offline)
 * since dp_lcore_rcu_start() returned token. Never blocks. Main lcore.
 */
bool dp_lcore_rcu_passed(uint64_t token);

/** Ask every I/O lcore to leave its loop. Safe from a signal handler. */
void dp_lcore_stop(void);

/** True once dp_lcore_stop() was called. */
bool dp_lcore_stopping(void);

/**
 * Wait until every lcore in ids has left its loop, at most timeout_ms.
 * Main lcore, after dp_lcore_stop(). @return how many are still running.
 */
unsigned int dp_lcore_wait_stopped(const unsigned int *ids, unsigned int n,
				   unsigned int timeout_ms);

/**
 * Allocate the lcore's poll list for max_guests guests, on its socket.
 * Main lcore, before launch. @return 0 or -ENOMEM.
 */
int dp_lcore_poll_init(struct dp_io_lcore *lc, unsigned int max_guests);

/** Free the poll list. Main lcore, after the lcore stopped. */
void dp_lcore_poll_fini(struct dp_io_lcore *lc);

/**
 * Assign a guest to the lcore (main lcore; the lcore may be running); it
 * is polled only while dp_lcore_guest_sync() finds something to poll.
 * The guest's slot may be reused only after a grace period that starts
 * after dp_lcore_guest_remove().
 */
void dp_lcore_guest_add(struct dp_io_lcore *lc, struct dp_guest *g);

/** Take a guest off the lcore (main lcore). See dp_lcore_guest_add(). */
void dp_lcore_guest_remove(struct dp_io_lcore *lc, struct dp_guest *g);

/**
 * Put the guest in its lcore's poll list, or take it out, by whether it
 * has something to poll: active and a memif connection published (rt), a
 * port link up (conn.link_epoch), or a dedicated VF (fast.vf). Call after
 * each of those changes; main lcore. Adding wakes the lcore. Taking out
 * needs no grace period of its own: what the guest held is released after
 * one anyway (defer.h), and a pass that still polls it finds nothing.
 */
void dp_lcore_guest_sync(struct dp_guest *g);

/**
 * Take the guest off its lcore's poll list and keep it off, whatever
 * dp_lcore_guest_sync() is told, until conn.move_held is cleared (move.h).
 * A pass running now may still poll it: a grace period must pass before
 * another lcore does. Main lcore.
 */
void dp_lcore_guest_hold(struct dp_guest *g);

/** True if the guest has something to poll (see dp_lcore_guest_sync()). */
bool dp_lcore_guest_pollable(const struct dp_guest *g);

/**
 * Check one I/O lcore's heartbeat. Main lcore, every slow-path tick.
 * @param timeout_ms  no pass for this long means stuck (0: never)
 * @param resync      the main lcore's last tick was long ago (it did not
 *                    run either): restart the count instead of judging
 * @return +1 it just became stuck, -1 it just recovered, 0 no change.
 */
int dp_lcore_watchdog(struct dp_io_lcore *lc, uint64_t now_ms,
		      unsigned int timeout_ms, bool resync);

/** True while the watchdog holds lc stuck. Main lcore. */
static inline bool
dp_lcore_stuck(const struct dp_io_lcore *lc)
{
	return lc->wd.stuck_since_ms != 0;
}

/**
 * Set up an I/O lcore's idle state from the config: its mode and bounds,
 * and for idle = adaptive its epoll set and wake eventfd. Main lcore,
 * before launch. @return 0 or -errno.
 */
int dp_lcore_idle_init(struct dp_io_lcore *lc, const struct dp_config *cfg);

/** Close what dp_lcore_idle_init() opened. Main lcore, after the stop. */
void dp_lcore_idle_fini(struct dp_io_lcore *lc);

/**
 * Add an interrupt eventfd (a memif guest's C2S ring) to the lcore's epoll
 * set, or remove it; remove it before the fd is closed (the guest shares
 * the file, so closing ours would leave it registered). No-op with idle =
 * poll. Main lcore. @return 0 or -errno.
 */
int dp_lcore_fd_watch(struct dp_io_lcore *lc, int fd);
void dp_lcore_fd_unwatch(struct dp_io_lcore *lc, int fd);

/**
 * Put a port's Rx queue 0 interrupt in the lcore's epoll set, or take it
 * out (DPDK's rte_eth_dev_rx_intr_ctl_q()). Used for vhost-user guests,
 * whose vhost PMD has one once a front end is connected (the kickfd).
 * Main lcore. @return 0, or -errno when the port has none (then the lcore
 * never blocks longer than idle_sleep_max_us while the guest is up) or the
 * lcore does not sleep.
 */
int dp_lcore_port_intr_add(struct dp_io_lcore *lc, uint16_t port_id);
void dp_lcore_port_intr_del(struct dp_io_lcore *lc, uint16_t port_id);

/**
 * Wake the lcore if it sleeps, so it looks at what was just published to
 * it (a guest, a connection, orders). Main lcore; one eventfd write.
 */
void dp_lcore_wake(struct dp_io_lcore *lc);

/** Name of an idle mode ("poll", "adaptive"). */
const char *dp_lcore_idle_name(unsigned int mode);

/** The poll loop; arg is the lcore's struct dp_io_lcore. */
int dp_lcore_io_main(void *arg);

/** The function worker loop; arg is the lcore's struct dp_worker_lcore. */
int dp_lcore_worker_main(void *arg);

#endif /* DP_LCORE_H */
