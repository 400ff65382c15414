/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Read-only views of the dataplane for the control plane: copies, never
 * pointers into live state. control/ reports guests, sessions and lcores
 * through these and never reads struct dp_guest or struct dp_io_lcore.
 *
 * Threads: main lcore only (it owns the guest table). Counters owned by
 * an I/O lcore are read with aligned relaxed loads: a value may be one
 * burst old, never torn.
 */
#ifndef DP_VIEW_H
#define DP_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "memif_reasons.h"
#include "pipeline.h"
#include "stats.h"

struct dp_app;

/** A guest as reports see it. */
struct dp_guest_view {
	const struct dp_guest_conf *conf; /**< its config (cfg owns it) */
	unsigned int slot;
	unsigned int lcore;		/**< the I/O lcore polling it */
	bool connected;			/**< memif: handshake done; else link up */
	int numa_node;			/**< of its connection's memory; -1:
					     unknown, or not connected */
	uint16_t inflight;		/**< calls in flight, all connections */
	uint64_t busy_cycles;		/**< its lcore's cycles serving it */
	uint64_t busy_last;		/**< of them, in the last interval (move.h) */
	bool moving;			/**< a move to another lcore under way */
	struct dp_guest_stats st;
	struct dp_guest_slow_stats slow;
	uint64_t reasons[DP_MEMIF_R_COUNT];
	uint64_t req_by_op[DP_PIPE_OPS];	/**< by dp_op_index() */
	uint64_t err_by_status[DP_PIPE_STATUSES];
};

/** What the fast path records of one session. */
struct dp_session_view {
	uint8_t state;			/**< enum dp_session_state */
	uint8_t placement;		/**< enum hl_placement, once active */
	uint8_t backend;		/**< fpga registry index, once active */
};

/** An lcore as the watchdog sees it. */
struct dp_lcore_view {
	unsigned int id;
	int socket;			/**< its NUMA socket (DPDK's) */
	bool io;			/**< I/O lcore, else a function worker */
	bool stuck;
	unsigned int n_guests;		/**< guests assigned to it */
	unsigned int n_polled;		/**< of them, in its poll list (connected) */
	uint64_t loops;			/**< passes through its loop */
	uint64_t stuck_ms;		/**< of the current episode, if stuck */
	uint64_t stuck_events;
	uint64_t stuck_ms_total;	/**< ended episodes */
	char where[64];			/**< where it was found stuck */
	/* Idle (I/O lcores): mode, TSC cycles and back-off counts. */
	const char *idle;		/**< "poll" or "adaptive" */
	bool asleep;			/**< blocked on its eventfds now */
	uint64_t busy_cycles;		/**< passes that found work */
	uint64_t busy_last;		/**< of them, in the last interval (move.h) */
	uint64_t idle_cycles;		/**< the rest, sleeps included */
	uint64_t sleep_cycles;		/**< of idle: asleep or blocked */
	uint64_t sleeps;		/**< short sleeps */
	uint64_t blocks;		/**< waits on eventfds */
	uint64_t wakeups;		/**< of those, ended by an event */
	uint64_t tsc_hz;		/**< cycles per second */
};

/** Slots to look at: dp_view_guest() on 0 .. this - 1. */
unsigned int dp_view_slots(const struct dp_app *app);

/** The active guest in slot. @return 0, or -ENOENT if none is there. */
int dp_view_guest(const struct dp_app *app, unsigned int slot,
		  struct dp_guest_view *v);

/** True if a guest is active in slot. */
bool dp_view_guest_active(const struct dp_app *app, unsigned int slot);

/** The slot of the active guest called name, or -ENOENT. */
int dp_view_guest_slot(const struct dp_app *app, const char *name);

/**
 * The fast path's record of session id of the guest in slot.
 * @return true, or false if the slot's table no longer holds that id.
 */
bool dp_view_session(const struct dp_app *app, unsigned int slot, uint32_t id,
		     struct dp_session_view *v);

/** The lcores (I/O, then workers) into v. @return how many, <= max. */
unsigned int dp_view_lcores(const struct dp_app *app, uint64_t now_ms,
			    struct dp_lcore_view *v, unsigned int max);

#endif /* DP_VIEW_H */
