/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: the wait ladder every transport uses - spin, then sleep -
 * written once (wait.c; compiled into the dpdk: plugin too).
 *
 * A transport describes itself in a struct hl_waiter: how to look for a
 * frame (cheap, every poll), how to check its health (slower: a link, a
 * control socket), how to sleep once, and how to end a sleep phase. The
 * ladder, by enum hl_wait_mode:
 *  - POLL: look until something is ready or the deadline passes;
 *  - HYBRID: look spin_polls times, then sleep;
 *  - INTR: sleep at once.
 * While spinning, health and the deadline are checked every
 * HL_WAIT_CHECK_EVERY looks; while sleeping, after every check_every
 * sleeps. No allocation; waits end at the deadline.
 */
#ifndef HL_WAIT_H
#define HL_WAIT_H

#include "hostlane/hostlane.h"

#define HL_WAIT_CHECK_EVERY 256u	/* looks between health checks */
#define HL_WAIT_SLICE_MS 100		/* longest single sleep */

struct hl_waiter {
	void *tp;
	enum hl_wait_mode mode;
	unsigned int spin_polls;	/* HYBRID: looks before sleeping */
	unsigned int check_every;	/* sleeps between health checks, >= 1 */
	/** HL_OK a frame is there, HL_E_AGAIN none, else the transport's
	 *  death status. */
	int (*ready)(void *tp);
	/** HL_OK, or the death status the health check found. */
	int (*check)(void *tp);
	/** Sleep at most ms (block on an fd, or yield): HL_OK something may
	 *  be there, HL_E_AGAIN nothing came, else a death status. */
	int (*sleep)(void *tp, int ms);
	/** After the sleep phase (re-mask interrupts); may be NULL. */
	void (*sleep_end)(void *tp);
};

/**
 * Wait until a frame may be received, the transport dies, or timeout_ms
 * passes (0: look once, < 0: no deadline).
 * @return HL_OK, HL_E_TIMEOUT, or the transport's death status.
 */
int hl_wait(const struct hl_waiter *w, int timeout_ms);

#endif /* HL_WAIT_H */
