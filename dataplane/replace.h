/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Re-placing live sessions after an accelerator is reconfigured (control
 * `fpga load`): the main lcore says which sessions lose their hardware,
 * each I/O lcore changes its own guests' session tables.
 *
 * Design note. The session table belongs to the guest's I/O lcore
 * (session.h), so the main lcore never writes it. It fills one read-only
 * list of (guest, session id, action), then bumps every I/O lcore's `req`
 * with a release store; once per poll pass an I/O lcore compares `req` with
 * its `ack` (one load: the fast path pays nothing more), applies the list
 * to the sessions it owns that are active on the reconfigured backend, and
 * stores `ack` with release. The main lcore polls dp_replace_done() from its
 * slow-path loop and reuses the list only after every lcore acknowledged.
 *
 * Actions: DP_REPLACE_SW moves the session to the software backend (calls
 * go on, now on software; the guest allowed either); DP_REPLACE_UNPLACE
 * takes it back to OPEN (negotiated, not placed: calls get E_HW_UNAVAIL
 * until the guest activates it again, which places it anew).
 */
#ifndef DP_REPLACE_H
#define DP_REPLACE_H

#include <stdbool.h>
#include <stdint.h>

enum dp_replace_action {
	DP_REPLACE_SW = 1,
	DP_REPLACE_UNPLACE = 2,
};

/** One session to re-place. */
struct dp_replace {
	uint16_t guest;		/**< index in the config */
	uint8_t action;		/**< enum dp_replace_action */
	uint32_t session;	/**< the id the guest holds */
};

/** The orders, shared read-only by every I/O lcore between post and done. */
struct dp_replace_list {
	uint8_t from_backend;	/**< only sessions active on this backend */
	uint8_t sw_backend;	/**< DP_REPLACE_SW's target */
	uint32_t n;
	const struct dp_replace *items;
};

/** One I/O lcore's mailbox (in struct dp_io_lcore). */
struct dp_replace_box {
	uint32_t req;		/**< main lcore: release after `list` */
	uint32_t ack;		/**< I/O lcore: release when applied */
	const struct dp_replace_list *list;
	uint32_t moved_sw;	/**< applied DP_REPLACE_SW, read after ack */
	uint32_t unplaced;	/**< applied DP_REPLACE_UNPLACE, read after ack */
};

struct dp_io_lcore;
struct dp_app;

/** Apply pending orders (I/O lcore, from its poll loop). */
void dp_replace_apply(struct dp_io_lcore *lc);

/** Whether orders wait for this lcore: one acquire load. I/O lcore. */
static inline bool
dp_replace_pending(const struct dp_replace_box *b)
{
	return __atomic_load_n(&b->req, __ATOMIC_ACQUIRE) != b->ack;
}

/**
 * Hand list to every I/O lcore (main lcore). list must stay unchanged
 * until dp_replace_done() returns true. @return 0, or -EBUSY when the last
 * orders are not acknowledged yet.
 */
int dp_replace_post(struct dp_app *app, const struct dp_replace_list *list);

/**
 * Whether every I/O lcore applied the last orders (main lcore; never
 * blocks). When true and the counters are given, they receive how many
 * sessions were moved to software and how many unplaced.
 */
bool dp_replace_done(struct dp_app *app, uint32_t *moved_sw, uint32_t *unplaced);

#endif /* DP_REPLACE_H */
