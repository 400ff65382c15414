/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_victim: the libhostlane guest of the forged-reply test
 * (test_vhost_forged.sh). It connects over the URI it is given (dpdk:...,
 * a virtio_user port on a hostlane vhost-user guest), opens factorial and
 * calls factorial(20) synchronously, checking every result:
 *
 *   1. CONTROL calls, each must be right: it connected and is served (the
 *      positive control); then it prints "ready" and waits for GOFILE;
 *   2. CALLS calls, while the test floods forged replies at it: each
 *      returns the right result or fails with a status (counted by name) -
 *      never another result with HL_OK; then it prints "flooded" and waits
 *      for STOPFILE;
 *   3. CONTROL calls more, each must be right: the connection survived.
 *
 * Usage: hostile_victim URI CONTROL CALLS GOFILE STOPFILE
 * Prints one line per phase and the connection's counters ("stats: ...");
 * exits 0 if every control call was right and no result was wrong, 1
 * otherwise (also when a file does not come within 60 s), 2 on a usage
 * error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#define FACT20 2432902008176640000ull
#define TIMEOUT_MS 5000
#define SHOW_WRONG 8		/* wrong results printed, of the first */
#define STATUS_MAX 128		/* statuses counted by value, local ones too */
#define FILE_WAIT_MS 60000

struct tally {
	uint64_t calls, right, wrong, failed;
	uint64_t by_status[STATUS_MAX];
};

/* One factorial(20); counted in t. */
static void
call_once(struct hl_fn *fn, struct tally *t)
{
	uint64_t r = 0;
	int st = hl_fn_call_u64(fn, 20, 1, &r);

	t->calls++;
	if (st != HL_OK) {
		t->failed++;
		t->by_status[st >= 0 && st < STATUS_MAX ? st : 0]++;
	} else if (r == FACT20) {
		t->right++;
	} else if (t->wrong++ < SHOW_WRONG) {
		printf("wrong: call %" PRIu64 " returned HL_OK with %" PRIu64 "\n",
		       t->calls, r);
	}
}

static void
print_tally(const char *phase, const struct tally *t)
{
	printf("%s: calls=%" PRIu64 " right=%" PRIu64 " wrong=%" PRIu64
	       " failed=%" PRIu64 "\n", phase, t->calls, t->right, t->wrong, t->failed);
	for (int st = 0; st < STATUS_MAX; st++)
		if (t->by_status[st] != 0)
			printf("%s: failed with %s: %" PRIu64 "\n", phase,
			       hl_status_name(st), t->by_status[st]);
}

/* Phase 1 or 3: n calls, each must be right. */
static int
control(struct hl_fn *fn, const char *phase, unsigned int n)
{
	struct tally t = { 0 };

	for (unsigned int i = 0; i < n; i++)
		call_once(fn, &t);
	print_tally(phase, &t);
	return t.right == n ? 0 : -1;
}

/* Phase 2: n calls; none may be wrong. */
static int
under_flood(struct hl_fn *fn, unsigned int n)
{
	struct tally t = { 0 };

	for (unsigned int i = 0; i < n; i++)
		call_once(fn, &t);
	print_tally("flood", &t);
	return t.wrong == 0 ? 0 : -1;
}

/* The test's go-ahead: path exists. */
static int
wait_file(const char *path)
{
	for (int ms = 0; ms < FILE_WAIT_MS; ms++) {
		if (access(path, F_OK) == 0)
			return 0;
		usleep(1000);
	}
	printf("FAIL: %s: not there in %d s\n", path, FILE_WAIT_MS / 1000);
	return -1;
}

static struct hl_fn *
open_factorial(struct hl_conn *c)
{
	enum hl_placement where;
	struct hl_fn *fn = NULL;
	int st = hl_fn_open(c, "factorial", HL_PLACE_SW, &fn);

	if (st == HL_OK)
		st = hl_fn_activate(fn, &where);
	if (st == HL_OK)
		return fn;
	printf("FAIL: factorial: %s\n", hl_status_name(st));
	hl_fn_close(fn);
	return NULL;
}

static void
print_stats(const struct hl_conn *c)
{
	struct hl_stats s;

	hl_conn_stats(c, &s);
	printf("stats: requests=%" PRIu64 " replies=%" PRIu64 " dropped_bad=%" PRIu64
	       " dropped_unknown=%" PRIu64 " dropped_dup=%" PRIu64 " timeouts=%"
	       PRIu64 " rx_dropped=%" PRIu64 "\n", s.requests, s.replies,
	       s.dropped_bad, s.dropped_unknown, s.dropped_dup, s.timeouts,
	       s.rx_dropped);
}

int
main(int argc, char **argv)
{
	struct hl_opts o;
	struct hl_conn *c;
	struct hl_fn *fn;
	unsigned int n, calls;
	int rc = 0;

	if (argc != 6 || (n = (unsigned int)strtoul(argv[2], NULL, 0)) == 0 ||
	    (calls = (unsigned int)strtoul(argv[3], NULL, 0)) == 0) {
		fprintf(stderr, "usage: hostile_victim URI CONTROL CALLS GOFILE STOPFILE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	hl_opts_init(&o);
	o.timeout_ms = TIMEOUT_MS;
	o.name = "hostile_victim";
	rc = hl_connect(argv[1], NULL, &o, &c);
	if (rc != HL_OK) {
		printf("FAIL: connect: %s (%s)\n", hl_status_name(rc), hl_connect_reason());
		return 1;
	}
	fn = open_factorial(c);
	rc = fn == NULL || control(fn, "control", n) < 0;
	if (rc == 0) {
		printf("ready\n");
		rc = wait_file(argv[4]) < 0 || under_flood(fn, calls) < 0;
		printf("flooded\n");
		rc |= wait_file(argv[5]) < 0 || control(fn, "after", n) < 0;
	}
	print_stats(c);
	hl_fn_close(fn);
	hl_disconnect(c);
	printf("%s\n", rc == 0 ? "PASS" : "FAIL");
	return rc;
}
