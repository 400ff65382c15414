/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The attack suite's harness: a case table per group, the context every
 * case gets, and the checks cases share.
 *
 * A case attacks hostlane's guest `evil` once and returns 0 if hostlane
 * reacted as expected, writing what it saw into `got`. Around every case
 * the harness checks that hostlane is still up and that the well-behaved
 * guest `good` (its own socket, its own thread) kept completing calls with
 * correct results.
 */
#ifndef ATTACK_H
#define ATTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "evil.h"
#include "good.h"

/* The test config (tests/hostile/lib.sh) the cases rely on. */
#define EVIL_SECRET "evil-secret"
#define GOOD_SECRET "good-secret"
#define NOVF_SECRET "novf-secret"	/**< guest novf: takes no VF */
#define EVIL_REPORT_MS 200		/**< report_interval_ms (group reports) */
#define EVIL_MAX_SESSIONS 4
#define EVIL_MAX_INFLIGHT 8
#define EVIL_MAX_REGIONS 2
#define EVIL_MAX_REGION_SIZE (1u << 20)
#define EVIL_MAX_LOG2_RING 6
#define EVIL_MAX_FRAME 4096
#define EVIL_MAX_CHAIN 4
#define EVIL_MAX_REPS 1000000

struct ctx {
	char evil_sock[256];
	char good_sock[256];
	char novf_sock[256];
	const char *log;		/**< hostlane's log file, or NULL */
	pid_t hl_pid;
	struct good good;
	char *got;			/**< the running case's report */
	size_t got_len;
};

struct hcase {
	const char *name;
	const char *expect;		/**< the outcome the case asserts */
	int (*run)(struct ctx *c);
	/** Set when the case exposes a known hostlane bug: it must fail
	 * (reported XFAIL) until the bug is fixed, then drop the mark. */
	const char *bug;
};

extern const struct hcase hostile_ctl_cases[];
extern const struct hcase hostile_ring_cases[];
extern const struct hcase hostile_req_cases[];
extern const struct hcase hostile_report_cases[];
extern const struct hcase hostile_budget_cases[];

/** Say what the case saw (printf-style); returns 0 for "pass" chaining. */
int got(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** got() and return 1 (fail). */
int bad(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * The client was dropped with exactly this DISCONNECT reason: rc must be
 * EVIL_REFUSED and e->reason equal want. Closes e. Returns 0 or 1.
 */
int want_reason(struct ctx *c, struct evil *e, int rc, const char *want);

/** Wait (bounded) for a DISCONNECT and check it as want_reason(). */
int want_disconnect(struct ctx *c, struct evil *e, const char *want);

/** Bring up a ready evil client; on failure report it and return 1. */
int up(struct ctx *c, struct evil *e);

/** The connection still works: a HELLO round trip. 0 or 1 (reported). */
int still_works(struct ctx *c, struct evil *e);

/** A well-behaved libhostlane client on evil's socket works: 0 or 1. */
int case_clean_after(struct ctx *c);

/** hostlane holds no more fds or evil mappings than at the start. */
int case_no_leaks(struct ctx *c);

/** Record hostlane's fd count now, as the no-leak baseline. */
void leaks_baseline(struct ctx *c);

#endif /* ATTACK_H */
