/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A libhostlane guest for the control-plane tests.
 *
 *   ctl_guest_client hold SOCKET SECRET N
 *     open and activate N factorial sessions, call each once, print
 *     "ready", wait for a line on stdin, then call once more and print
 *     "after: STATUS"; exit 0 when that call failed cleanly (the guest was
 *     removed meanwhile), 1 otherwise.
 *   ctl_guest_client keep SOCKET SECRET N
 *     the same, but exit 0 only when that last call succeeded (nothing was
 *     taken away meanwhile).
 *   ctl_guest_client calls SOCKET SECRET STOPFILE
 *     call factorial(20) and crc32c in a loop until STOPFILE exists;
 *     print "calls=N failed=M"; exit 0 only if every call succeeded.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#define FACT20 UINT64_C(2432902008176640000)
#define MAX_HOLD 16

static struct hl_fn *
open_fn(struct hl_conn *c, const char *name)
{
	struct hl_fn *fn = NULL;
	int st = hl_fn_open(c, name, HL_PLACE_ANY, &fn);

	if (st == HL_OK)
		st = hl_fn_activate(fn, NULL);
	if (st != HL_OK) {
		fprintf(stderr, "open %s: %s\n", name, hl_status_name(st));
		return NULL;
	}
	return fn;
}

static int
hold(struct hl_conn *c, int n, bool want_ok)
{
	struct hl_fn *fns[MAX_HOLD];
	char line[16];
	uint64_t r = 0;
	int st;

	for (int i = 0; i < n; i++) {
		fns[i] = open_fn(c, "factorial");
		if (fns[i] == NULL || hl_fn_call_u64(fns[i], 20, 1, &r) != HL_OK ||
		    r != FACT20)
			return 1;
	}
	printf("ready\n");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 1;
	st = hl_fn_call_u64(fns[0], 20, 1, &r);
	printf("after: %s (%s)\n", hl_status_name(st), hl_conn_reason(c));
	return (st == HL_OK && r == FACT20) == want_ok ? 0 : 1;
}

static int
calls(struct hl_conn *c, const char *stopfile)
{
	struct hl_fn *fact = open_fn(c, "factorial"), *crc = open_fn(c, "crc32c");
	uint64_t n = 0, failed = 0, r;

	if (fact == NULL || crc == NULL)
		return 1;
	while (access(stopfile, F_OK) != 0) {
		int st = hl_fn_call_u64(fact, 20, 1, &r);

		n++;
		if (st != HL_OK || r != FACT20) {
			failed++;
			fprintf(stderr, "factorial: %s\n", hl_status_name(st));
		}
		st = hl_fn_call(crc, "123456789", 9, NULL, 0, NULL);
		n++;
		if (st != HL_OK) {
			failed++;
			fprintf(stderr, "crc32c: %s\n", hl_status_name(st));
		}
		if (failed > 10)
			break;
	}
	hl_fn_close(fact);
	hl_fn_close(crc);
	printf("calls=%" PRIu64 " failed=%" PRIu64 "\n", n, failed);
	return failed == 0 && n > 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	bool hold_mode = argc == 5 && (strcmp(argv[1], "hold") == 0 ||
				       strcmp(argv[1], "keep") == 0);
	struct hl_conn *c = NULL;
	int rc;

	if (argc != 5 || (!hold_mode && strcmp(argv[1], "calls") != 0)) {
		fprintf(stderr, "usage: %s hold|keep SOCKET SECRET N | calls "
			"SOCKET SECRET STOPFILE\n", argv[0]);
		return 2;
	}
	if (hl_connect(argv[2], argv[3], NULL, &c) != HL_OK) {
		fprintf(stderr, "cannot connect to %s: %s\n", argv[2],
			hl_connect_reason());
		return 1;
	}
	if (hold_mode) {
		int n = atoi(argv[4]);

		rc = n >= 1 && n <= MAX_HOLD ?
		     hold(c, n, strcmp(argv[1], "keep") == 0) : 2;
	} else {
		rc = calls(c, argv[4]);
	}
	hl_disconnect(c);
	return rc;
}
