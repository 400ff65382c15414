/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * many_client: many libhostlane connections from one process, for the
 * many-guests tests (issue 16 §2) and bench/many_guests.sh.
 *
 *   many_client calls RUNDIR FIRST COUNT CALLS [HOLD_FILE]
 *     connect to guests gFIRST .. gFIRST+COUNT-1 (RUNDIR/gN.sock), open
 *     and activate echo on each, then CALLS rounds of one call per
 *     connection, every output checked; prints "ok CONNS CALLS". With
 *     HOLD_FILE it then prints "held" and keeps every connection until
 *     that file exists (at most 300 s), then disconnects.
 *   many_client rate RUNDIR FIRST COUNT MS DEPTH
 *     connect as above; then for MS, DEPTH pipelined echo calls in flight
 *     on the first connection while the others stay connected and idle;
 *     prints "rate CALLS/S" (outputs of the pipelined calls not checked).
 *   many_client busy RUNDIR FIRST COUNT MS DEPTH
 *     the same with every connection busy: DEPTH calls in flight on each,
 *     served round robin from this one thread; every status checked.
 *
 * A connection belongs to the thread that made it (hostlane.h), and one
 * thread may hold many: this process makes and uses all of them in one.
 * Small rings (64 slots; MANY_CLIENT_LOG2_RING=N for 2^N, libhostlane's
 * default is 10) and no bulk memory keep a connection's shared memory at
 * 256 KiB. Exit 0 when every call completed with the right
 * output, 1 otherwise.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#define MC_PAYLOAD 64
#define MC_LOG2_RING 6
#define MC_HOLD_S 300

struct mc_guest {
	struct hl_conn *conn;
	struct hl_fn *fn;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int
guest_open(struct mc_guest *g, const char *rundir, unsigned int idx)
{
	char sock[512];
	struct hl_opts o;
	int st;

	snprintf(sock, sizeof(sock), "%s/g%u.sock", rundir, idx);
	hl_opts_init(&o);
	o.reconnect = HL_RECONNECT_NEVER;
	o.bulk_bytes = 0;
	o.log2_ring_size = MC_LOG2_RING;
	if (getenv("MANY_CLIENT_LOG2_RING") != NULL &&
	    parse_uint(getenv("MANY_CLIENT_LOG2_RING"), 14, &o.log2_ring_size) < 0)
		return -1;
	o.timeout_ms = 20000;
	st = hl_connect(sock, NULL, &o, &g->conn);
	if (st != HL_OK) {
		fprintf(stderr, "many_client: connect %s: %s (%s)\n", sock,
			hl_strerror(st), hl_connect_reason());
		return -1;
	}
	st = hl_fn_open(g->conn, "echo", HL_PLACE_ANY, &g->fn);
	if (st == HL_OK)
		st = hl_fn_activate(g->fn, NULL);
	if (st != HL_OK) {
		fprintf(stderr, "many_client: g%u: echo: %s\n", idx, hl_strerror(st));
		return -1;
	}
	return 0;
}

/* One echo call whose output must be its input; the input names the
 * guest and the round, so a reply delivered to the wrong guest fails. */
static int
echo_once(const struct mc_guest *g, unsigned int idx, unsigned int round)
{
	uint8_t in[MC_PAYLOAD], out[MC_PAYLOAD];
	uint32_t len = 0;
	int st;

	for (unsigned int i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(idx * 131 + round * 31 + i);
	st = hl_fn_call(g->fn, in, sizeof(in), out, sizeof(out), &len);
	if (st != HL_OK) {
		fprintf(stderr, "many_client: g%u call %u: %s\n", idx, round,
			hl_strerror(st));
		return -1;
	}
	if (len != sizeof(in) || memcmp(in, out, len) != 0) {
		fprintf(stderr, "many_client: g%u call %u: wrong output\n", idx, round);
		return -1;
	}
	return 0;
}

static int
hold(const char *file)
{
	printf("held\n");
	fflush(stdout);
	for (unsigned int i = 0; i < MC_HOLD_S * 10; i++) {
		if (access(file, F_OK) == 0)
			return 0;
		sleep_ms(100);
	}
	fprintf(stderr, "many_client: %s never appeared\n", file);
	return -1;
}

static int
run_calls(struct mc_guest *gs, unsigned int first, unsigned int count,
	  unsigned int calls, const char *hold_file)
{
	unsigned int done = 0;

	for (unsigned int r = 0; r < calls; r++)
		for (unsigned int i = 0; i < count; i++) {
			if (echo_once(&gs[i], first + i, r) < 0)
				return 1;
			done++;
		}
	printf("ok %u %u\n", count, done);
	fflush(stdout);
	return hold_file != NULL && hold(hold_file) < 0 ? 1 : 0;
}

/* Pipelined calls on gs[0] for ms, DEPTH in flight; every status checked. */
static int
run_rate(struct mc_guest *g, unsigned int ms, unsigned int depth)
{
	struct hl_completion done[32];
	static uint8_t in[MC_PAYLOAD] = { 1 }, out[MC_PAYLOAD];
	uint64_t t0 = now_ns(), end = t0 + (uint64_t)ms * 1000000, calls = 0;
	unsigned int out_n = 0;

	while (now_ns() < end || out_n > 0) {
		int n;

		while (out_n < depth && now_ns() < end) {
			int st = hl_fn_submit(g->fn, in, sizeof(in), out, sizeof(out), 0);

			if (st == HL_E_NO_SLOTS)
				break;
			if (st != HL_OK) {
				fprintf(stderr, "many_client: submit: %s\n", hl_strerror(st));
				return 1;
			}
			out_n++;
		}
		n = hl_poll(g->conn, done, 32, 1000);
		if (n < 0) {
			fprintf(stderr, "many_client: poll: %s\n", hl_strerror(-n));
			return 1;
		}
		for (int i = 0; i < n; i++)
			if (done[i].status != HL_OK) {
				fprintf(stderr, "many_client: call: %s\n",
					hl_strerror(done[i].status));
				return 1;
			}
		out_n -= (unsigned int)n;
		calls += (uint64_t)n;
	}
	printf("rate %.0f\n", (double)calls * 1e9 / (double)(now_ns() - t0));
	return 0;
}

/* Take what finished on g: calls done, or -1 (a call failed). */
static int
reap(struct mc_guest *g)
{
	struct hl_completion done[32];
	int n = hl_poll(g->conn, done, 32, 0);

	if (n < 0) {
		fprintf(stderr, "many_client: poll: %s\n", hl_strerror(-n));
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (done[i].status != HL_OK) {
			fprintf(stderr, "many_client: call: %s\n", hl_strerror(done[i].status));
			return -1;
		}
	return n;
}

/* Pipelined calls on every connection for ms, DEPTH in flight on each. */
static int
run_busy(struct mc_guest *gs, unsigned int count, unsigned int ms, unsigned int depth)
{
	static uint8_t in[MC_PAYLOAD] = { 1 }, out[MC_PAYLOAD];
	uint64_t t0 = now_ns(), end = t0 + (uint64_t)ms * 1000000, calls = 0, left = 0;
	unsigned int *busy = calloc(count, sizeof(*busy));
	int rc = 1;

	if (busy == NULL)
		return 1;
	for (;;) {
		bool going = now_ns() < end;

		if (!going && left == 0)
			break;
		for (unsigned int i = 0; i < count; i++) {
			int n;

			while (going && busy[i] < depth) {
				int st = hl_fn_submit(gs[i].fn, in, sizeof(in), out, sizeof(out), 0);

				if (st == HL_E_NO_SLOTS)
					break;
				if (st != HL_OK) {
					fprintf(stderr, "many_client: submit: %s\n", hl_strerror(st));
					goto out;
				}
				busy[i]++;
				left++;
			}
			if ((n = reap(&gs[i])) < 0)
				goto out;
			busy[i] -= (unsigned int)n;
			left -= (uint64_t)n;
			calls += (uint64_t)n;
		}
	}
	printf("rate %.0f\n", (double)calls * 1e9 / (double)(now_ns() - t0));
	rc = 0;
out:
	free(busy);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: many_client calls RUNDIR FIRST COUNT CALLS [HOLD_FILE]\n"
		"       many_client rate|busy RUNDIR FIRST COUNT MS DEPTH\n");
	return 2;
}

int
main(int argc, char **argv)
{
	unsigned int first, count, a, b = 0;
	struct mc_guest *gs;
	int rc = 1;
	bool rate, busy;

	if (argc < 6 || argc > 7)
		return usage();
	busy = strcmp(argv[1], "busy") == 0;
	rate = busy || strcmp(argv[1], "rate") == 0;
	if ((!rate && strcmp(argv[1], "calls") != 0) || (rate && argc != 7) ||
	    parse_uint(argv[3], 65535, &first) < 0 ||
	    parse_uint(argv[4], 4096, &count) < 0 || count == 0 ||
	    parse_uint(argv[5], 1000000, &a) < 0 ||
	    (rate && parse_uint(argv[6], 4096, &b) < 0))
		return usage();
	gs = calloc(count, sizeof(*gs));
	if (gs == NULL)
		return 1;
	for (unsigned int i = 0; i < count; i++)
		if (guest_open(&gs[i], argv[2], first + i) < 0)
			goto out;
	rc = busy ? run_busy(gs, count, a, b == 0 ? 1 : b) :
	     rate ? run_rate(&gs[0], a, b == 0 ? 1 : b) :
	     run_calls(gs, first, count, a, argc == 7 ? argv[6] : NULL);
out:
	for (unsigned int i = 0; i < count; i++)
		hl_disconnect(gs[i].conn);
	free(gs);
	return rc;
}
