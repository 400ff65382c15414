/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Work deferred until the I/O lcores let go: the main lcore's way to free
 * what it took away from the fast path without ever waiting for them.
 *
 * The main lcore unpublishes something (a guest's connection, a guest slot,
 * a port), then hands it to dp_defer() with the function that releases it.
 * dp_defer() starts an RCU grace period; dp_defer_run(), called on every
 * pass of the slow-path loop, calls the function once every I/O lcore has
 * passed a quiescent point since. So a stuck I/O lcore delays the release
 * of what it might still hold, and nothing else: the main lcore goes on
 * serving the control socket, other guests and signals.
 *
 * Intrusive: the caller embeds a struct dp_defer in the object, so
 * deferring cannot fail. Main lcore only.
 */
#ifndef DP_DEFER_H
#define DP_DEFER_H

#include <stdbool.h>
#include <stdint.h>

struct dp_defer;

/** Releases what d is embedded in; may dp_defer() it again. */
typedef void (*dp_defer_fn)(struct dp_defer *d);

struct dp_defer {
	struct dp_defer *next;
	uint64_t token;
	dp_defer_fn fn;
	const char *what;	/**< for the report at a stuck stop */
	uint8_t again;		/**< waiting for more than a grace period */
};

/**
 * Call fn(d) once a grace period that starts now has passed.
 * @param what  a short description, kept for dp_defer_report()
 */
void dp_defer(struct dp_defer *d, dp_defer_fn fn, const char *what);

/**
 * From fn: d is not done, it waits for something of its own (bulk jobs,
 * calls in flight): queue it again, to be looked at after a later grace
 * period. Such items do not make the slow-path loop look again soon.
 */
void dp_defer_again(struct dp_defer *d);

/** Run what is due, in order. @return how many are still waiting. */
unsigned int dp_defer_run(void);

/**
 * Run everything, due or not: only once no I/O lcore runs any more
 * (shutdown, after they all stopped).
 */
void dp_defer_flush(void);

/** True inside dp_defer_flush(): release, do not wait again. */
bool dp_defer_flushing(void);

/** How many are waiting. */
unsigned int dp_defer_pending(void);

/** How many wait only for their first grace period (due very soon). */
unsigned int dp_defer_urgent(void);

/** Log what is still waiting (a stuck lcore at shutdown), one line each. */
void dp_defer_report(void);

#endif /* DP_DEFER_H */
