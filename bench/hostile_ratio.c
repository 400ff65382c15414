/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_ratio: the two sides of bench/hostile_ratio.sh.
 *
 *   hostile_ratio measure SOCK SECRET MS   a well-behaved guest: pipelined
 *       factorial(20) calls (hl_fn_submit_u64, WINDOW in flight) for MS ms
 *       after a warm-up; prints "calls_per_s N" and "cpu_ms N" (its own CPU
 *       time, for the driver's contention check); every result is checked.
 *   hostile_ratio attack RUNDIR            a hostile guest: the attack
 *       suite's cases (tests/hostile: ctl, rings, requests) against guest
 *       `evil`, one after the other, round after round, until SIGTERM;
 *       prints "cases N" after each case.
 *
 * The attack side links the suite's own sources (attack.c with its main
 * renamed, the case tables, evil.c, good.c), so the attacks are exactly
 * the tested ones. Their verdicts are not judged here: tests/hostile does.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <hostlane/hostlane.h>

#include "attack.h"

#define WINDOW 64u
#define WARMUP_MS 300
#define FACT20 2432902008176640000ull

static volatile sig_atomic_t stop;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Keep WINDOW requests in flight; count completions until end_ns. */
static int
pump(struct hl_conn *c, struct hl_fn *fn, int64_t end_ns, uint64_t *done,
     unsigned int *inflight)
{
	struct hl_completion comp[WINDOW];
	int n;

	while (now_ns() < end_ns) {
		while (*inflight < WINDOW) {
			int rc = hl_fn_submit_u64(fn, 20, 1, 0);
			if (rc != HL_OK) {
				fprintf(stderr, "submit: %s\n", hl_status_name(rc));
				return -1;
			}
			(*inflight)++;
		}
		n = hl_poll(c, comp, WINDOW, 100);
		if (n < 0) {
			fprintf(stderr, "poll: %s\n", hl_status_name(-n));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			if (comp[i].status != HL_OK || comp[i].result != FACT20) {
				fprintf(stderr, "call: %s, result %" PRIu64 "\n",
					hl_status_name(comp[i].status),
					comp[i].result);
				return -1;
			}
		}
		*inflight -= (unsigned int)n;
		*done += (uint64_t)n;
	}
	return 0;
}

static int
cmd_measure(const char *sock, const char *secret, int ms)
{
	struct hl_opts o;
	struct hl_conn *c = NULL;
	struct hl_fn *fn = NULL;
	unsigned int inflight = 0;
	uint64_t warm = 0, done = 0;
	int64_t t0;
	int rc;

	hl_opts_init(&o);
	o.name = "bench-good";
	o.wait_mode = HL_WAIT_POLL;
	rc = hl_connect(sock, secret, &o, &c);
	if (rc == HL_OK)
		rc = hl_fn_open(c, "factorial", HL_PLACE_SW, &fn);
	if (rc == HL_OK)
		rc = hl_fn_activate(fn, NULL);
	if (rc != HL_OK) {
		fprintf(stderr, "measure: setup: %s (%s)\n", hl_status_name(rc),
			hl_connect_reason());
		hl_disconnect(c);
		return 1;
	}
	rc = pump(c, fn, now_ns() + (int64_t)WARMUP_MS * 1000000, &warm, &inflight);
	t0 = now_ns();
	if (rc == 0)
		rc = pump(c, fn, t0 + (int64_t)ms * 1000000, &done, &inflight);
	if (rc == 0) {
		struct rusage ru;

		printf("calls_per_s %.0f\n", (double)done * 1e9 / (double)(now_ns() - t0));
		if (getrusage(RUSAGE_SELF, &ru) == 0)
			printf("cpu_ms %.0f\n",
			       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
			       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3);
	}
	hl_disconnect(c);
	return rc != 0;
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int
cmd_attack(const char *rundir)
{
	static const struct hcase *groups[3];
	static struct ctx c;
	char gotbuf[512];
	uint64_t cases = 0;

	groups[0] = hostile_ctl_cases;
	groups[1] = hostile_ring_cases;
	groups[2] = hostile_req_cases;
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);
	snprintf(c.evil_sock, sizeof(c.evil_sock), "%s/evil.sock", rundir);
	snprintf(c.good_sock, sizeof(c.good_sock), "%s/good.sock", rundir);
	c.got = gotbuf;
	c.got_len = sizeof(gotbuf);
	while (!stop) {
		for (unsigned int g = 0; g < 3 && !stop; g++) {
			for (const struct hcase *hc = groups[g]; hc->name && !stop; hc++) {
				(void)hc->run(&c);
				printf("cases %" PRIu64 " %s\n", ++cases, hc->name);
			}
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && strcmp(argv[1], "measure") == 0)
		return cmd_measure(argv[2], argv[3], atoi(argv[4]));
	if (argc == 3 && strcmp(argv[1], "attack") == 0)
		return cmd_attack(argv[2]);
	fprintf(stderr, "usage: hostile_ratio measure SOCK SECRET MS\n"
		"       hostile_ratio attack RUNDIR\n");
	return 2;
}
