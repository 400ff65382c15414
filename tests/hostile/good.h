/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * good: a well-behaved libhostlane guest that runs offload calls on its own
 * thread for the whole attack run and checks every result.
 *
 * Thread context: good_start() and good_stop() on the attack thread; the
 * counters are written by the good thread and read (atomically) by anyone.
 */
#ifndef GOOD_H
#define GOOD_H

#include <pthread.h>
#include <stdint.h>

/** Functions the good guest calls, one round each per loop. */
enum good_fn { GOOD_FACTORIAL, GOOD_FIBONACCI, GOOD_CRC32C, GOOD_ECHO, GOOD_NFN };

struct good {
	const char *sock;
	const char *secret;
	pthread_t thread;
	int stop;			/**< set by good_stop() */
	int ready;			/**< 1 connected and opened, -1 failed */
	uint64_t ok[GOOD_NFN];		/**< calls with correct results */
	uint64_t wrong;			/**< calls whose result was wrong */
	uint64_t failed;		/**< calls that returned an error */
	uint32_t sessions[GOOD_NFN];	/**< its session ids (for isolation tests) */
	char err[256];			/**< first problem seen */
};

/**
 * Start the good guest on its own thread and wait (bounded) until it has
 * connected and opened its functions.
 * @return 0, or -1 with g->err set.
 */
int good_start(struct good *g, const char *sock, const char *secret);

/** Calls completed correctly so far. */
uint64_t good_total(const struct good *g);

/**
 * Wait (bounded) until at least n more correct calls than `since` are done.
 * @return 0, or -1 if the bound passed or the good guest saw an error.
 */
int good_wait_progress(const struct good *g, uint64_t since, uint64_t n);

/** Stop the thread, close its functions and connection. */
void good_stop(struct good *g);

/** Software CRC-32C (Castagnoli), as the host computes it. */
uint32_t good_crc32c(const void *data, uint32_t len);

#endif /* GOOD_H */
