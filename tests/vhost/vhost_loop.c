/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost_loop: a libhostlane client that calls factorial(20) over and over
 * through outages of its host - the guest of the vhost-user reconnect
 * tests (test_reconnect.sh), over dpdk: (a virtio_user port).
 *
 * Usage: vhost_loop URI OUTAGES [PAUSE_FILE]
 *   Connects (HL_RECONNECT_AUTO, a 30 s timeout per call, so one call
 *   waits through a host restart), opens factorial, and calls it until the
 *   connection has lived through OUTAGES disconnects and made 100 good
 *   calls since the last. OUTAGES < 0: until killed. While PAUSE_FILE
 *   exists it makes no call ("paused" ... "resumed"): an idle guest.
 * Prints "session N: 100 calls ok" once the Nth connection made 100 good
 * calls, "call failed: STATUS (reason)" for every call that failed, then
 * the connection's counters and PASS or FAIL. PASS: every result right, and
 * no more failed calls than outages (only a call in flight when its host
 * went may fail, once).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#define TIMEOUT_MS 30000
#define GOOD_CALLS 100
#define FACT20 2432902008176640000ull

struct loop {
	struct hl_conn *c;
	struct hl_fn *fn;
	uint64_t failures;
	unsigned int good;	/* good calls on this connection */
	unsigned int bad_run;	/* calls failed since the last good one */
	uint64_t epoch;		/* reconnects when good was reset */
	const char *pause;	/* no calls while this file exists */
};

static void
pause_while(const char *file)
{
	if (file == NULL || access(file, F_OK) != 0)
		return;
	printf("paused\n");
	fflush(stdout);
	while (access(file, F_OK) == 0)
		usleep(10 * 1000);
	printf("resumed\n");
	fflush(stdout);
}

static int
open_factorial(struct loop *l)
{
	enum hl_placement where;
	int st = hl_fn_open(l->c, "factorial", HL_PLACE_SW, &l->fn);

	if (st == HL_OK)
		st = hl_fn_activate(l->fn, &where);
	if (st != HL_OK)
		printf("FAIL: factorial: %s (%s)\n", hl_status_name(st),
		       hl_conn_reason(l->c));
	return st;
}

/* One call; 0, or -1 on a wrong result. */
static int
step(struct loop *l)
{
	struct hl_stats st;
	uint64_t r = 0;
	int rc = hl_fn_call_u64(l->fn, 20, 1, &r);

	hl_conn_stats(l->c, &st);
	if (st.reconnects != l->epoch) {
		l->epoch = st.reconnects;
		l->good = 0;
	}
	if (rc != HL_OK) {
		l->failures++;
		l->good = 0;
		printf("call failed: %s (%s)\n", hl_status_name(rc),
		       hl_conn_reason(l->c));
		fflush(stdout);
		/* The call after a lost one waits TIMEOUT_MS for the host. */
		if (++l->bad_run < 2)
			return 0;
		printf("FAIL: calls did not resume\n");
		return -1;
	}
	l->bad_run = 0;
	if (r != FACT20) {
		printf("FAIL: factorial(20) = %" PRIu64 "\n", r);
		return -1;
	}
	if (++l->good == GOOD_CALLS) {
		printf("session %" PRIu64 ": %u calls ok\n", st.reconnects + 1,
		       GOOD_CALLS);
		fflush(stdout);
	}
	return 0;
}

static int
done(const struct loop *l, long outages)
{
	struct hl_stats st;

	hl_conn_stats(l->c, &st);
	return outages >= 0 && st.disconnects >= (uint64_t)outages &&
	       l->good >= GOOD_CALLS;
}

int
main(int argc, char **argv)
{
	struct loop l = { 0 };
	struct hl_stats st;
	struct hl_opts o;
	long outages;
	int rc, ok;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s URI OUTAGES [PAUSE_FILE]\n", argv[0]);
		return 2;
	}
	outages = strtol(argv[2], NULL, 10);
	l.pause = argc == 4 ? argv[3] : NULL;
	hl_opts_init(&o);
	o.timeout_ms = TIMEOUT_MS;
	o.name = "vhost_loop";
	rc = hl_connect(argv[1], NULL, &o, &l.c);
	if (rc != HL_OK) {
		printf("FAIL: connect: %s (%s)\n", hl_status_name(rc),
		       hl_connect_reason());
		return 1;
	}
	ok = open_factorial(&l) == HL_OK;
	while (ok && !done(&l, outages)) {
		pause_while(l.pause);
		ok = step(&l) == 0;
	}
	hl_conn_stats(l.c, &st);
	printf("stats: disconnects %" PRIu64 " reconnects %" PRIu64
	       " lost_inflight %" PRIu64 " failed_calls %" PRIu64 "\n",
	       st.disconnects, st.reconnects, st.lost_inflight, l.failures);
	ok = ok && l.failures <= st.disconnects;
	hl_fn_close(l.fn);
	hl_disconnect(l.c);
	printf("%s\n", ok ? "PASS" : "FAIL");
	return !ok;
}
