/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Moving guests between I/O lcores at run time (issue 16 §2): one guest
 * on request (`hostlanectl guest move`), or the guests a rebalancing plan
 * picks (balance.h: `lcore rebalance`, or every rebalance_interval_ms when
 * the lcores' busy cycles are uneven). Also the per-interval load samples
 * that placement (`placement = cycles`) and plans use.
 *
 * Design note — a move, a state machine the main lcore advances on its
 * tick, never waiting (docs/ARCHITECTURE.md "Moving a guest"):
 *  1. drain: the main lcore reserves the guest's budget on the new lcore
 *     B and stores fast.move_req (release). Its lcore A stops taking frames
 *     from the guest (they wait in its ring: back-pressure, never a drop)
 *     and keeps completing what it has: calls on accelerators, socket calls
 *     at the workers, requests at the manager, queued replies, an owed
 *     wake-up; when none is left it stores fast.move_ack (release).
 *  2. grace: the main lcore takes the guest off A's poll list (and keeps it
 *     off: conn.move_held), out of the PV switch if A runs it, and starts
 *     an RCU grace period, after which no pass of A still touches it.
 *  3. done: its interrupt eventfd (or Rx interrupt) moves from A's epoll
 *     set to B's, g->lcore, g->io and pl.pipe become B's, the budget and
 *     guest count leave A, it joins the PV switch if B runs it, move_req
 *     goes back to 0 and B's poll list takes it (release; B is woken).
 * A step that does not come within DP_MOVE_DEADLINE_MS (a socket call held
 * for long - a blocking receive, an EVENTS long poll -, a stuck lcore)
 * abandons the move: the guest stays on A and is served there again, and
 * the reason is logged and returned. One move at a time; a plan's moves go
 * one after the other. Nothing of a guest's is released or reset by a move:
 * its connection, sessions, buckets and counters stay as they are.
 *
 * Threads: main lcore only.
 */
#ifndef DP_MOVE_H
#define DP_MOVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp_app;
struct dp_guest;

/** How long a move may take before it is abandoned. */
#define DP_MOVE_DEADLINE_MS 2000
/** Moves of one plan, at most: each may take DP_MOVE_DEADLINE_MS, and
 *  `lcore rebalance` answers when all ended, within hostlanectl's 10 s. */
#define DP_MOVE_MAX 4
/** Load samples are taken this often when auto-rebalance is off. */
#define DP_MOVE_SAMPLE_MS 1000

/** What became of one move. */
struct dp_move_rec {
	uint16_t guest;			/**< slot */
	unsigned int from, to;		/**< lcore ids */
	int rc;				/**< 0 moved, else -errno (why says) */
	uint64_t busy;			/**< the guest's busy cycles, last interval */
	uint64_t ms;			/**< how long it took */
	char why[160];
};

/** Start the module: no move, the first load interval from now. Main
 *  lcore, before guests are placed. */
void dp_move_init(void);

/**
 * Start moving g to I/O lcore lcore_id. Refused (-errno, a one-line reason
 * in err): not connected (-ENOTCONN), already there (-EALREADY), not an I/O
 * lcore (-EINVAL), a move under way (-EBUSY), a dedicated VF or the
 * `switch` handler (-ENOTSUP), no room for its budget (-ENOSPC), an lcore
 * stuck (-EAGAIN). @return 0: started; dp_move_done() tells the end.
 */
int dp_move_guest(struct dp_app *app, struct dp_guest *g, unsigned int lcore_id,
		  char *err, size_t errlen);

/**
 * Plan a rebalance on the last interval's loads and start its moves.
 * forced: `lcore rebalance` (any imbalance a move narrows), else the
 * threshold of the config. @return moves planned (0: balanced enough),
 * or -EBUSY (a move under way; err says which).
 */
int dp_move_rebalance(struct dp_app *app, bool forced, char *err, size_t errlen);

/** True while a move or a plan's moves are under way. */
bool dp_move_busy(void);

/**
 * The records of the last request, once all its moves ended (then once).
 * @return true and *recs / *n, or false while they go on.
 */
bool dp_move_done(const struct dp_move_rec **recs, unsigned int *n);

/** Advance the moves, take load samples, auto-rebalance. Every tick. */
void dp_move_tick(struct dp_app *app, uint64_t now_ms);

/** g is being removed: abandon its move, if it has one. */
void dp_move_guest_gone(struct dp_guest *g);

/**
 * The I/O lcore (index into app->io) a new guest goes to by the placement
 * policy, among those with room for budget; -1 if none has.
 */
int dp_move_place(const struct dp_app *app, uint32_t budget);

/** An I/O lcore's busy cycles in the last interval (index into app->io). */
uint64_t dp_move_lcore_busy(unsigned int io_index);

#endif /* DP_MOVE_H */
