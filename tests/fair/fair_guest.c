/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fair_guest: libhostlane guests for the fairness tests (tests/fair) and
 * bench/fair.sh.
 *
 *   fair_guest flood COUNT WINDOW SOCK SECRET [SOCK SECRET ...]
 *     one thread, one connection per guest, each keeping WINDOW
 *     factorial(20) calls in flight (a flood: its ring never runs dry
 *     while the host is the bottleneck). Once every connection has had
 *     WINDOW calls answered, counts the calls each completes until they
 *     total COUNT (COUNT 0: until SIGTERM or SIGINT); prints "guest I N"
 *     per connection, then "total N". Every result is checked.
 *   fair_guest light SOCK SECRET CALLS
 *     CALLS synchronous echo calls of 64 bytes, one after the other, each
 *     output checked; prints "lat_ns N" per call, then "ok CALLS".
 *
 * Exit 0 when every call completed with the right result, 1 otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hostlane/hostlane.h>

#define FG_MAX_GUESTS 16
#define FG_PAYLOAD 64
#define FG_FACT20 2432902008176640000ull

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct hl_conn *
connect_to(const char *sock, const char *secret)
{
	struct hl_opts o;
	struct hl_conn *c = NULL;
	int st;

	hl_opts_init(&o);
	o.wait_mode = HL_WAIT_POLL;
	o.reconnect = HL_RECONNECT_NEVER;
	o.bulk_bytes = 0;
	/* A throttled guest's calls wait in its ring: never time them out. */
	o.timeout_ms = 60000;
	st = hl_connect(sock, secret, &o, &c);
	if (st != HL_OK) {
		fprintf(stderr, "fair_guest: connect %s: %s (%s)\n", sock,
			hl_strerror(st), hl_connect_reason());
		return NULL;
	}
	return c;
}

static struct hl_fn *
open_fn(struct hl_conn *c, const char *name)
{
	struct hl_fn *fn = NULL;
	int st = hl_fn_open(c, name, HL_PLACE_ANY, &fn);

	if (st == HL_OK)
		st = hl_fn_activate(fn, NULL);
	if (st != HL_OK) {
		fprintf(stderr, "fair_guest: %s: %s\n", name, hl_strerror(st));
		return NULL;
	}
	return fn;
}

/* One flooding guest: its connection and what it has done. */
struct flooder {
	struct hl_conn *c;
	struct hl_fn *fn;
	unsigned int inflight;
	uint64_t done;			/* answered calls, all of them */
	uint64_t counted;		/* answered within the counted window */
};

/* Top the window up. @return 0, or -1 on an error (reported). */
static int
flood_fill(struct flooder *f, unsigned int window)
{
	while (f->inflight < window && !stop) {
		int st = hl_fn_submit_u64(f->fn, 20, 1, 0);

		if (st == HL_E_NO_SLOTS)
			return 0;
		if (st != HL_OK) {
			fprintf(stderr, "fair_guest: submit: %s\n", hl_strerror(st));
			return -1;
		}
		f->inflight++;
	}
	return 0;
}

/* Collect what is answered, without waiting. @return completions, or -1. */
static int
flood_collect(struct flooder *f, int timeout_ms)
{
	struct hl_completion comp[HL_MAX_INFLIGHT];
	int n = hl_poll(f->c, comp, HL_MAX_INFLIGHT, timeout_ms);

	if (n < 0) {
		fprintf(stderr, "fair_guest: poll: %s\n", hl_strerror(-n));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (comp[i].status != HL_OK || comp[i].result != FG_FACT20) {
			fprintf(stderr, "fair_guest: call: %s, result %" PRIu64 "\n",
				hl_strerror(comp[i].status), comp[i].result);
			return -1;
		}
	}
	f->inflight -= (unsigned int)n;
	f->done += (uint64_t)n;
	return n;
}

static bool
all_warm(const struct flooder *f, unsigned int n, unsigned int window)
{
	for (unsigned int i = 0; i < n; i++)
		if (f[i].done < window)
			return false;
	return true;
}

/* Round robin over the guests until count calls are counted (or a signal). */
static int
flood_loop(struct flooder *f, unsigned int n, unsigned int window, uint64_t count)
{
	bool counting = false;
	uint64_t total = 0;

	while (!stop && (count == 0 || total < count)) {
		for (unsigned int i = 0; i < n; i++) {
			int k;

			if (flood_fill(&f[i], window) < 0)
				return -1;
			k = flood_collect(&f[i], 0);
			if (k < 0)
				return -1;
			if (counting) {
				f[i].counted += (uint64_t)k;
				total += (uint64_t)k;
			}
		}
		counting = counting || all_warm(f, n, window);
	}
	return 0;
}

/* Answers to what is still in flight: every call completes. */
static int
flood_drain(struct flooder *f, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		while (f[i].inflight > 0)
			if (flood_collect(&f[i], 1000) < 0)
				return -1;
	return 0;
}

static int
run_flood(uint64_t count, unsigned int window, char **socks, unsigned int n)
{
	struct flooder f[FG_MAX_GUESTS] = { 0 };
	uint64_t total = 0;
	int rc = 1;

	for (unsigned int i = 0; i < n; i++) {
		f[i].c = connect_to(socks[2 * i], socks[2 * i + 1]);
		if (f[i].c == NULL || (f[i].fn = open_fn(f[i].c, "factorial")) == NULL)
			goto out;
	}
	if (flood_loop(f, n, window, count) < 0)
		goto out;
	stop = 1;	/* no more submits while draining */
	if (flood_drain(f, n) < 0)
		goto out;
	for (unsigned int i = 0; i < n; i++) {
		printf("guest %u %" PRIu64 "\n", i, f[i].counted);
		total += f[i].counted;
	}
	printf("total %" PRIu64 "\n", total);
	rc = 0;
out:
	for (unsigned int i = 0; i < n; i++)
		if (f[i].c != NULL)
			hl_disconnect(f[i].c);
	return rc;
}

/* Synchronous echo calls, each timed and checked. */
static int
run_light(const char *sock, const char *secret, unsigned int calls)
{
	struct hl_conn *c = connect_to(sock, secret);
	struct hl_fn *fn = c != NULL ? open_fn(c, "echo") : NULL;
	uint8_t in[FG_PAYLOAD], out[FG_PAYLOAD];
	int rc = fn != NULL ? 0 : 1;

	for (unsigned int k = 0; rc == 0 && k < calls; k++) {
		uint32_t len = 0;
		uint64_t t0;
		int st;

		for (unsigned int i = 0; i < sizeof(in); i++)
			in[i] = (uint8_t)(k * 31 + i);
		t0 = now_ns();
		st = hl_fn_call(fn, in, sizeof(in), out, sizeof(out), &len);
		if (st != HL_OK || len != sizeof(in) || memcmp(in, out, len) != 0) {
			fprintf(stderr, "fair_guest: light call %u: %s, %u bytes\n", k,
				hl_strerror(st), len);
			rc = 1;
			break;
		}
		printf("lat_ns %" PRIu64 "\n", now_ns() - t0);
	}
	if (rc == 0)
		printf("ok %u\n", calls);
	if (c != NULL)
		hl_disconnect(c);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: fair_guest flood COUNT WINDOW SOCK SECRET "
		"[SOCK SECRET ...]\n       fair_guest light SOCK SECRET CALLS\n");
	return 2;
}

int
main(int argc, char **argv)
{
	unsigned int window;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && strcmp(argv[1], "light") == 0)
		return run_light(argv[2], argv[3], (unsigned int)strtoul(argv[4], NULL, 10));
	if (argc < 6 || strcmp(argv[1], "flood") != 0 || (argc - 4) % 2 != 0 ||
	    (argc - 4) / 2 > FG_MAX_GUESTS)
		return usage();
	window = (unsigned int)strtoul(argv[3], NULL, 10);
	if (window == 0 || window > HL_MAX_INFLIGHT)
		return usage();
	return run_flood(strtoull(argv[2], NULL, 10), window, argv + 4,
			 (unsigned int)(argc - 4) / 2);
}
