/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * idle_guest: a libhostlane guest for the adaptive-idle tests and
 * bench/idle.sh.
 *
 *   idle_guest calls SOCK SECRET poll|intr|hybrid IDLE_MS ROUNDS [WARM]
 *     connect, open echo; WARM calls back to back first (default 0), then
 *     ROUNDS times: stay idle IDLE_MS, then one call whose output is
 *     checked; prints "lat_ns N" per call, then "ok ROUNDS". A connection's
 *     first pass over its ring touches each 4 KiB page of the shared
 *     buffers for the first time on both sides, a page fault each (tens of
 *     µs in a nested VM): WARM of twice the ring (2048) keeps those out
 *     of a wake-up's figure.
 *   idle_guest rate SOCK SECRET poll|intr|hybrid MS DEPTH
 *     pipelined echo calls (DEPTH in flight) for MS; prints "rate CALLS/S".
 *   idle_guest storm SOCK SECRET MS
 *     connect, then write every eventfd of the connection (its C2S one
 *     among them) as fast as it can for MS: a hostile neighbour.
 *
 * Exit 0 when every call completed with the right output, 1 otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#define IG_PAYLOAD 64
#define IG_MAX_FDS 16

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
parse_wait(const char *s, enum hl_wait_mode *m)
{
	if (strcmp(s, "poll") == 0)
		*m = HL_WAIT_POLL;
	else if (strcmp(s, "intr") == 0)
		*m = HL_WAIT_INTR;
	else if (strcmp(s, "hybrid") == 0)
		*m = HL_WAIT_HYBRID;
	else
		return -1;
	return 0;
}

static struct hl_conn *
connect_to(const char *sock, const char *secret, enum hl_wait_mode m)
{
	struct hl_opts o;
	struct hl_conn *c = NULL;
	int st;

	hl_opts_init(&o);
	o.wait_mode = m;
	o.reconnect = HL_RECONNECT_NEVER;
	o.bulk_bytes = 0;
	o.timeout_ms = 10000;
	st = hl_connect(sock, secret, &o, &c);
	if (st != HL_OK) {
		fprintf(stderr, "idle_guest: connect %s: %s (%s)\n", sock,
			hl_strerror(st), hl_connect_reason());
		return NULL;
	}
	return c;
}

static struct hl_fn *
open_echo(struct hl_conn *c)
{
	struct hl_fn *fn = NULL;
	int st = hl_fn_open(c, "echo", HL_PLACE_ANY, &fn);

	if (st == HL_OK)
		st = hl_fn_activate(fn, NULL);
	if (st != HL_OK) {
		fprintf(stderr, "idle_guest: echo: %s\n", hl_strerror(st));
		return NULL;
	}
	return fn;
}

/* One echo call whose output must be its input. */
static int
echo_once(struct hl_fn *fn, unsigned int seq)
{
	uint8_t in[IG_PAYLOAD], out[IG_PAYLOAD];
	uint32_t len = 0;
	int st;

	for (unsigned int i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(seq * 31 + i);
	st = hl_fn_call(fn, in, sizeof(in), out, sizeof(out), &len);
	if (st != HL_OK) {
		fprintf(stderr, "idle_guest: call %u: %s\n", seq, hl_strerror(st));
		return -1;
	}
	if (len != sizeof(in) || memcmp(in, out, len) != 0) {
		fprintf(stderr, "idle_guest: call %u: wrong output\n", seq);
		return -1;
	}
	return 0;
}

static int
run_calls(struct hl_fn *fn, unsigned int idle_ms, unsigned int rounds,
	  unsigned int warm)
{
	for (unsigned int r = 0; r < warm; r++)
		if (echo_once(fn, r) < 0)
			return 1;
	for (unsigned int r = 0; r < rounds; r++) {
		uint64_t t0;

		sleep_ms(idle_ms);
		t0 = now_ns();
		if (echo_once(fn, r) < 0)
			return 1;
		printf("lat_ns %llu\n", (unsigned long long)(now_ns() - t0));
		fflush(stdout);
	}
	printf("ok %u\n", rounds);
	return 0;
}

/* Pipelined calls: keep depth in flight for ms; every completion checked. */
static int
run_rate(struct hl_conn *c, struct hl_fn *fn, unsigned int ms, unsigned int depth)
{
	struct hl_completion done[32];
	uint64_t end = now_ns() + (uint64_t)ms * 1000000, calls = 0, t0 = now_ns();
	/* Outputs are not checked here (calls does that): one scratch buffer,
	 * written in this thread by hl_poll(). */
	static uint8_t in[IG_PAYLOAD] = { 1 }, out[IG_PAYLOAD];
	unsigned int out_n = 0;

	while (now_ns() < end || out_n > 0) {
		int n;

		while (out_n < depth && now_ns() < end) {
			int st = hl_fn_submit(fn, in, sizeof(in), out, sizeof(out), 0);

			if (st == HL_E_NO_SLOTS)
				break;
			if (st != HL_OK) {
				fprintf(stderr, "idle_guest: submit: %s\n", hl_strerror(st));
				return 1;
			}
			out_n++;
		}
		n = hl_poll(c, done, 32, 1000);
		if (n < 0) {
			fprintf(stderr, "idle_guest: poll: %s\n", hl_strerror(-n));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			if (done[i].status != HL_OK) {
				fprintf(stderr, "idle_guest: call: %s\n",
					hl_strerror(done[i].status));
				return 1;
			}
		}
		out_n -= (unsigned int)n;
		calls += (uint64_t)n;
	}
	printf("rate %.0f\n", (double)calls * 1e9 / (double)(now_ns() - t0));
	return 0;
}

/* Every eventfd this process has: the connection's C2S and S2C ones. */
static int
eventfds(int *fds, int max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		char path[300], link[64];
		ssize_t k;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		k = readlink(path, link, sizeof(link) - 1);
		if (k <= 0)
			continue;
		link[k] = '\0';
		if (strcmp(link, "anon_inode:[eventfd]") == 0)
			fds[n++] = atoi(e->d_name);
	}
	closedir(d);
	return n;
}

static int
run_storm(unsigned int ms)
{
	int fds[IG_MAX_FDS], n = eventfds(fds, IG_MAX_FDS);
	uint64_t end = now_ns() + (uint64_t)ms * 1000000, writes = 0, one = 1;

	if (n == 0) {
		fprintf(stderr, "idle_guest: no eventfd to storm\n");
		return 1;
	}
	while (now_ns() < end)
		for (int i = 0; i < n; i++)
			writes += write(fds[i], &one, sizeof(one)) == sizeof(one);
	printf("storm %d fds %llu writes\n", n, (unsigned long long)writes);
	return 0;
}

int
main(int argc, char **argv)
{
	enum hl_wait_mode m = HL_WAIT_HYBRID;
	struct hl_conn *c;
	struct hl_fn *fn = NULL;
	int rc;

	if (argc < 5 || (strcmp(argv[1], "storm") != 0 &&
			 (argc < 7 || parse_wait(argv[4], &m) < 0))) {
		fprintf(stderr, "usage: idle_guest calls|rate SOCK SECRET poll|intr|hybrid "
			"IDLE_MS|MS ROUNDS|DEPTH, or idle_guest storm SOCK SECRET MS\n");
		return 2;
	}
	c = connect_to(argv[2], argv[3], m);
	if (c == NULL)
		return 1;
	if (strcmp(argv[1], "storm") == 0) {
		rc = run_storm((unsigned int)atoi(argv[4]));
	} else if ((fn = open_echo(c)) == NULL) {
		rc = 1;
	} else if (strcmp(argv[1], "rate") == 0) {
		rc = run_rate(c, fn, (unsigned int)atoi(argv[5]),
			      (unsigned int)atoi(argv[6]));
	} else {
		rc = run_calls(fn, (unsigned int)atoi(argv[5]), (unsigned int)atoi(argv[6]),
			       argc > 7 ? (unsigned int)atoi(argv[7]) : 0);
	}
	hl_disconnect(c);
	return rc;
}
