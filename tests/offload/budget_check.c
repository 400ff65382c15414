/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Func-test client for budgets and stuck lcores: small steps a shell test
 * strings together, each printing one line it can grep.
 *
 *   budget_check SOCK SECRET hold N REPS [bulk]
 *       N async factorial(65, REPS) calls (as bulk calls with "bulk"),
 *       then leave without waiting. Prints "accepted A busy B".
 *   budget_check SOCK SECRET calls N
 *       N factorial(20, 1) calls; prints "ok K of N" (exit 0 iff all OK
 *       and right).
 *   budget_check SOCK SECRET hang MS
 *       one test-hang call holding the lcore MS ms (0: for ever); prints
 *       "status NAME: REASON".
 *   budget_check SOCK SECRET connect
 *       connect and HELLO; prints "connected" or "refused: REASON"
 *       (exit 0 either way; 1 on anything else).
 *
 * Exit status 0 unless a step could not run at all.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#define HOLD_MAX 256u

static struct hl_fn *
open_fn(struct hl_conn *c, const char *name)
{
	struct hl_fn *fn = NULL;
	int rc = hl_fn_open(c, name, HL_PLACE_SW, &fn);

	if (rc == HL_OK)
		rc = hl_fn_activate(fn, NULL);
	if (rc != HL_OK) {
		printf("open %s: %s\n", name, hl_status_name(rc));
		return NULL;
	}
	return fn;
}

static int
hold(struct hl_conn *c, unsigned int n, uint64_t reps, bool bulk)
{
	static uint8_t out[HOLD_MAX][4096];
	struct hl_fn *fn = open_fn(c, "factorial");
	unsigned int accepted = 0, busy = 0;

	if (fn == NULL)
		return 1;
	for (unsigned int k = 0; k < n && k < HOLD_MAX; k++) {
		/* 4 KiB of output room makes it a bulk call (hostlane.h). */
		int rc = hl_fn_submit_args(fn, 65, reps, NULL, 0,
					   bulk ? out[k] : NULL, bulk ? 4096 : 0, k);

		accepted += rc == HL_OK;
		busy += rc == HL_E_BUSY;
	}
	/* A refusal comes back as a completion: count those too. */
	for (int i = 0; i < 50; i++) {
		struct hl_completion cp[64];
		int got = hl_poll(c, cp, 64, 10);

		for (int k = 0; k < got; k++) {
			if (cp[k].status == HL_E_BUSY) {
				busy++;
				accepted--;
			}
		}
	}
	printf("accepted %u busy %u\n", accepted, busy);
	fflush(stdout);
	_exit(0);	/* no BYE, no wait: gone with the calls in flight */
}

static int
calls(struct hl_conn *c, unsigned int n)
{
	struct hl_fn *fn = open_fn(c, "factorial");
	unsigned int ok = 0;

	if (fn == NULL)
		return 1;
	for (unsigned int k = 0; k < n; k++) {
		uint64_t r = 0;
		int rc = hl_fn_call_u64(fn, 20, 1, &r);

		if (rc == HL_OK && r == 2432902008176640000ull)
			ok++;
		else
			printf("call %u: %s result %" PRIu64 "\n", k,
			       hl_status_name(rc), r);
	}
	printf("ok %u of %u\n", ok, n);
	return ok == n ? 0 : 1;
}

static int
hang(struct hl_conn *c, uint64_t ms)
{
	struct hl_fn *fn = open_fn(c, "test-hang");
	int rc;

	if (fn == NULL)
		return 1;
	rc = hl_fn_call_u64(fn, ms, 0, NULL);
	printf("status %s: %s\n", hl_status_name(rc), hl_conn_reason(c));
	return 0;
}

int
main(int argc, char **argv)
{
	struct hl_opts o;
	struct hl_conn *c;
	int rc;

	if (argc < 4) {
		fprintf(stderr, "usage: budget_check SOCK SECRET hold N REPS [bulk] | "
			"calls N | hang MS | connect\n");
		return 2;
	}
	hl_opts_init(&o);
	o.reconnect = HL_RECONNECT_NEVER;
	rc = hl_connect(argv[1], argv[2], &o, &c);
	if (rc != HL_OK) {
		printf("refused: %s: %s\n", hl_status_name(rc), hl_connect_reason());
		return strcmp(argv[3], "connect") == 0 ? 0 : 1;
	}
	if (strcmp(argv[3], "connect") == 0) {
		printf("connected\n");
		hl_disconnect(c);
		return 0;
	}
	if (strcmp(argv[3], "hold") == 0 && argc >= 6)
		return hold(c, (unsigned int)strtoul(argv[4], NULL, 0),
			    strtoull(argv[5], NULL, 0),
			    argc == 7 && strcmp(argv[6], "bulk") == 0);
	if (strcmp(argv[3], "calls") == 0 && argc == 5)
		rc = calls(c, (unsigned int)strtoul(argv[4], NULL, 0));
	else if (strcmp(argv[3], "hang") == 0 && argc == 5)
		rc = hang(c, strtoull(argv[4], NULL, 0));
	else
		rc = 2;
	hl_disconnect(c);
	return rc;
}
