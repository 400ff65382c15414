/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wake_floor: what this machine's kernel charges an idle lcore, without
 * hostlane, for bench/idle.sh to print beside adaptive idle's figures.
 *
 *   wake_floor wake ROUNDS IDLE_MS   a thread blocked in epoll_wait on CPU 1
 *                                    is woken through an eventfd by CPU 0
 *                                    after IDLE_MS of quiet; one line
 *                                    "lat_ns N" per round: the write to the
 *                                    moment the woken thread's store is seen
 *                                    (the kernel's share of an adaptive
 *                                    lcore's wake-up: no guest, no ring)
 *   wake_floor sleep NS MS           nanosleep(NS) in a loop on the calling
 *                                    CPU for MS (timer slack 1 µs, as an
 *                                    adaptive lcore sets it): "sleep NS
 *                                    period_ns P cpu_pct C" (what a ladder
 *                                    of short sleeps instead of blocking
 *                                    would cost, per NS)
 *
 * Exit status: 0, 1 a system call failed, 2 bad usage.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int wf_efd = -1, wf_ep = -1;
static uint64_t wf_woke;	/* ns the waiter saw its event; 0: not yet */

static uint64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int
pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
}

static void *
waiter(void *arg)
{
	struct epoll_event ev;
	uint64_t v;

	(void)arg;
	(void)pin(1);
	for (;;) {
		if (epoll_wait(wf_ep, &ev, 1, -1) <= 0)
			continue;
		if (read(wf_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return NULL;
		__atomic_store_n(&wf_woke, now_ns(), __ATOMIC_RELEASE);
	}
}

static int
cmd_wake(unsigned int rounds, unsigned int idle_ms)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct timespec quiet = { .tv_sec = idle_ms / 1000,
				  .tv_nsec = (long)(idle_ms % 1000) * 1000000 };
	pthread_t t;

	wf_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	wf_ep = epoll_create1(EPOLL_CLOEXEC);
	if (wf_efd < 0 || wf_ep < 0 || epoll_ctl(wf_ep, EPOLL_CTL_ADD, wf_efd, &ev) < 0 ||
	    pin(0) != 0 || pthread_create(&t, NULL, waiter, NULL) != 0) {
		fprintf(stderr, "wake_floor: set-up: %s\n", strerror(errno));
		return 1;
	}
	for (unsigned int i = 0; i < rounds; i++) {
		uint64_t one = 1, t0;
		/* Bounded: a waiter that never wakes ends the run (10 s). */
		uint64_t give_up;

		nanosleep(&quiet, NULL);
		__atomic_store_n(&wf_woke, 0, __ATOMIC_RELEASE);
		t0 = now_ns();
		give_up = t0 + 10000000000ull;
		if (write(wf_efd, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
			fprintf(stderr, "wake_floor: eventfd write: %s\n", strerror(errno));
			return 1;
		}
		while (__atomic_load_n(&wf_woke, __ATOMIC_ACQUIRE) == 0)
			if (now_ns() > give_up) {
				fprintf(stderr, "wake_floor: the waiter never woke\n");
				return 1;
			}
		printf("lat_ns %llu\n", (unsigned long long)(wf_woke - t0));
	}
	return 0;
}

static int
cmd_sleep(long ns, unsigned int ms)
{
	struct timespec step = { .tv_nsec = ns };
	struct rusage ru;
	uint64_t t0, t1, n = 0;
	double cpu;

	if (prctl(PR_SET_TIMERSLACK, 1000UL) < 0) {
		fprintf(stderr, "wake_floor: timer slack: %s\n", strerror(errno));
		return 1;
	}
	t0 = now_ns();
	do {
		nanosleep(&step, NULL);
		n++;
		t1 = now_ns();
	} while (t1 - t0 < (uint64_t)ms * 1000000u);
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 1;
	cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	printf("sleep %ld period_ns %.0f cpu_pct %.1f\n", ns,
	       (double)(t1 - t0) / (double)n, 100.0 * cpu / ((double)(t1 - t0) / 1e9));
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: wake_floor wake ROUNDS IDLE_MS | sleep NS MS\n");
	return 2;
}

int
main(int argc, char **argv)
{
	long a, b;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 4)
		return usage();
	a = atol(argv[2]);
	b = atol(argv[3]);
	if (strcmp(argv[1], "wake") == 0 && a >= 1 && a <= 100000 && b >= 0 && b <= 60000)
		return cmd_wake((unsigned int)a, (unsigned int)b);
	if (strcmp(argv[1], "sleep") == 0 && a >= 1 && a < 1000000000 && b >= 1 && b <= 60000)
		return cmd_sleep(a, (unsigned int)b);
	return usage();
}
