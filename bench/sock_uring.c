/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_uring: would hostlane's socket workers do their calls faster
 * through io_uring (liburing) than with one system call each, as they do
 * now? Issue 15 §2 asks for epoll, "or io_uring where it batches better —
 * measure". This measures the worker's own pattern, without hostlane
 * around it, so that only the way the calls reach the kernel differs.
 *
 * The work: S connected TCP loopback pairs. A burst of B calls sends L
 * bytes on B client sockets, then a burst of B calls receives them on the
 * peers; after each call its socket's readiness is read, as a worker
 * does for every call (dataplane/sock_ops.c: poll() with no wait).
 *   sys:   each send, recv and readiness read is its own system call
 *          (send(), recv(), poll(): the worker today);
 *   uring: each burst is one io_uring_submit_and_wait() of B SEND (or
 *          RECV) and B POLL_ADD entries, reaped from the completion ring.
 * Same thread, same CPU, same sockets and bytes, neither ever sleeps: a
 * worker with calls queued, busy. Modes alternate in pairs and their
 * order rotates; a receive that finds less than was sent (the loopback
 * softirq ran late) is finished by plain recv() in both modes, counted.
 *
 *   sock_uring [--pairs P] [--ms MS] [--socks S] [--bytes L]
 *              [--bursts B[,B...]] [--no-poll] [--cpu C] [--out FILE]
 *     prints, per burst size, each pair's calls/s and the medians; --out
 *     also writes them as a markdown table.
 *
 * Exit: 0; 1 a call went wrong (wrong length, an error); 2 bad usage;
 * 77 the kernel refuses io_uring here (io_uring_queue_init()'s errno).
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#define SU_MAX_SOCKS 256
#define SU_MAX_BURST 256
#define SU_MAX_BYTES 65536
#define SU_MAX_BURSTS 8
#define SU_MAX_PAIRS 64

struct su_opts {
	unsigned int pairs, ms, socks, bytes, cpu;
	unsigned int bursts[SU_MAX_BURSTS], n_bursts;
	bool poll;
	const char *out;
};

struct su_state {
	int cli[SU_MAX_SOCKS], srv[SU_MAX_SOCKS];
	uint32_t pending[SU_MAX_SOCKS];	/* bytes sent, not yet received */
	unsigned int cursor;
	uint64_t shorts;		/* receives finished by plain recv() */
	struct io_uring ring;
	uint8_t *sbuf, *rbuf;		/* L bytes; one rbuf slice per call */
};

static uint64_t
su_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int
su_fail(const char *what)
{
	fprintf(stderr, "sock_uring: %s: %s\n", what, strerror(errno));
	return -1;
}

/* S loopback TCP pairs, non-blocking, Nagle off (the worker's sockets
 * carry what the guest sent, when it sent it). */
static int
su_connect(struct su_state *st, unsigned int socks)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) < 0 ||
	    listen(lfd, (int)socks) < 0)
		return su_fail("listen on 127.0.0.1");
	for (unsigned int i = 0; i < socks; i++) {
		st->cli[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (st->cli[i] < 0 ||
		    connect(st->cli[i], (struct sockaddr *)&a, sizeof(a)) < 0)
			return su_fail("connect");
		st->srv[i] = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (st->srv[i] < 0)
			return su_fail("accept");
		if (setsockopt(st->cli[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
			return su_fail("TCP_NODELAY");
	}
	close(lfd);
	return 0;
}

/* Readiness as the worker reads it after a call. */
static int
su_sys_ready(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	return poll(&p, 1, 0) < 0 ? su_fail("poll") : 0;
}

/* What a receive left: plain recv() until the socket gave all it was
 * sent (both modes; the loopback softirq may deliver after send returns). */
static int
su_finish(struct su_state *st, unsigned int k, uint8_t *buf, unsigned int bytes)
{
	if (st->pending[k] != 0)
		st->shorts++;
	while (st->pending[k] != 0) {
		ssize_t n = recv(st->srv[k], buf, st->pending[k] < bytes ?
				 st->pending[k] : bytes, MSG_DONTWAIT);

		if (n < 0 && errno != EAGAIN)
			return su_fail("recv");
		if (n > 0)
			st->pending[k] -= (uint32_t)n;
	}
	return 0;
}

static int
su_sys_burst(struct su_state *st, const struct su_opts *o, unsigned int b)
{
	unsigned int base = st->cursor;

	for (unsigned int j = 0; j < b; j++) {
		unsigned int k = (base + j) % o->socks;
		ssize_t n = send(st->cli[k], st->sbuf, o->bytes, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n != (ssize_t)o->bytes)
			return n < 0 ? su_fail("send") : (fprintf(stderr,
				"sock_uring: send took %zd of %u bytes\n", n, o->bytes), -1);
		st->pending[k] += o->bytes;
		if (o->poll && su_sys_ready(st->cli[k]) < 0)
			return -1;
	}
	for (unsigned int j = 0; j < b; j++) {
		unsigned int k = (base + j) % o->socks;
		ssize_t n = recv(st->srv[k], st->rbuf, o->bytes, MSG_DONTWAIT);

		if (n < 0 && errno != EAGAIN)
			return su_fail("recv");
		if (n > 0)
			st->pending[k] -= (uint32_t)n;
		if (o->poll && su_sys_ready(st->srv[k]) < 0)
			return -1;
		if (su_finish(st, k, st->rbuf, o->bytes) < 0)
			return -1;
	}
	st->cursor = (base + b) % o->socks;
	return 0;
}

/* user_data: the call's index in the burst, and bit 31 for a poll. */
#define SU_POLL_TAG (1u << 31)

/* One submit of b calls (send or recv) and their readiness reads; every
 * completion checked. */
static int
su_uring_phase(struct su_state *st, const struct su_opts *o, unsigned int base,
	       unsigned int b, bool send)
{
	unsigned int want = b * (o->poll ? 2 : 1), seen = 0;
	int32_t res[SU_MAX_BURST];

	for (unsigned int j = 0; j < b; j++) {
		unsigned int k = (base + j) % o->socks;
		struct io_uring_sqe *sqe = io_uring_get_sqe(&st->ring);

		res[j] = INT32_MIN;
		if (send)
			io_uring_prep_send(sqe, st->cli[k], st->sbuf, o->bytes,
					   MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			io_uring_prep_recv(sqe, st->srv[k], st->rbuf + (size_t)j * o->bytes,
					   o->bytes, MSG_DONTWAIT);
		io_uring_sqe_set_data64(sqe, j);
		if (!o->poll)
			continue;
		sqe = io_uring_get_sqe(&st->ring);
		io_uring_prep_poll_add(sqe, send ? st->cli[k] : st->srv[k], POLLIN | POLLOUT);
		io_uring_sqe_set_data64(sqe, j | SU_POLL_TAG);
	}
	if (io_uring_submit_and_wait(&st->ring, want) < 0)
		return su_fail("io_uring_submit_and_wait");
	while (seen < want) {
		struct io_uring_cqe *cqes[2 * SU_MAX_BURST];
		unsigned int n = io_uring_peek_batch_cqe(&st->ring, cqes, want - seen);

		for (unsigned int i = 0; i < n; i++) {
			uint64_t tag = io_uring_cqe_get_data64(cqes[i]);

			if (tag & SU_POLL_TAG) {
				if (cqes[i]->res < 0) {
					errno = -cqes[i]->res;
					return su_fail("POLL_ADD");
				}
			} else {
				res[tag] = cqes[i]->res;
			}
		}
		io_uring_cq_advance(&st->ring, n);
		seen += n;
		if (seen < want && io_uring_wait_cqe_nr(&st->ring, cqes, 1) < 0)
			return su_fail("io_uring_wait_cqe");
	}
	for (unsigned int j = 0; j < b; j++) {
		unsigned int k = (base + j) % o->socks;

		if (send && res[j] != (int32_t)o->bytes) {
			fprintf(stderr, "sock_uring: SEND gave %d for %u bytes\n",
				res[j], o->bytes);
			return -1;
		}
		if (!send && res[j] < 0 && res[j] != -EAGAIN) {
			errno = -res[j];
			return su_fail("RECV");
		}
		if (send)
			st->pending[k] += o->bytes;
		else if (res[j] > 0)
			st->pending[k] -= (uint32_t)res[j];
		if (!send && su_finish(st, k, st->rbuf + (size_t)j * o->bytes, o->bytes) < 0)
			return -1;
	}
	return 0;
}

static int
su_uring_burst(struct su_state *st, const struct su_opts *o, unsigned int b)
{
	unsigned int base = st->cursor;

	if (su_uring_phase(st, o, base, b, true) < 0 ||
	    su_uring_phase(st, o, base, b, false) < 0)
		return -1;
	st->cursor = (base + b) % o->socks;
	return 0;
}

/* Calls per second of one mode at burst b, over o->ms. */
static double
su_measure(struct su_state *st, const struct su_opts *o, unsigned int b, bool uring)
{
	uint64_t t0 = su_now_ns(), end = t0 + (uint64_t)o->ms * 1000000u, t, calls = 0;

	do {
		if ((uring ? su_uring_burst(st, o, b) : su_sys_burst(st, o, b)) < 0)
			return -1;
		calls += 2u * b;
		t = su_now_ns();
	} while (t < end);
	return (double)calls * 1e9 / (double)(t - t0);
}

static int
su_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
su_median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), su_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct su_row {
	unsigned int burst;
	double sys, uring, ratio, ratio_lo, ratio_hi;
};

static int
su_run_burst(struct su_state *st, const struct su_opts *o, unsigned int b,
	     struct su_row *row)
{
	double sys[SU_MAX_PAIRS], ur[SU_MAX_PAIRS], ratio[SU_MAX_PAIRS];

	for (unsigned int p = 0; p < o->pairs; p++) {
		bool uring_first = p % 2 == 1;

		for (int i = 0; i < 2; i++) {
			bool uring = (i == 0) == uring_first;
			double r = su_measure(st, o, b, uring);

			if (r < 0)
				return -1;
			(uring ? ur : sys)[p] = r;
		}
		ratio[p] = ur[p] / sys[p];
		printf("burst %u pair %u order %s sys %.0f uring %.0f ratio %.3f\n", b, p,
		       uring_first ? "uring-sys" : "sys-uring", sys[p], ur[p], ratio[p]);
	}
	row->burst = b;
	row->sys = su_median(sys, o->pairs);
	row->uring = su_median(ur, o->pairs);
	row->ratio = su_median(ratio, o->pairs);
	row->ratio_lo = ratio[0];
	row->ratio_hi = ratio[o->pairs - 1];
	printf("burst %u median sys %.0f uring %.0f calls/s, uring/sys %.3f (%.3f-%.3f)\n",
	       b, row->sys, row->uring, row->ratio, row->ratio_lo, row->ratio_hi);
	return 0;
}

static int
su_write(const struct su_opts *o, const struct su_row *rows, uint64_t shorts)
{
	FILE *f = fopen(o->out, "w");

	if (f == NULL)
		return su_fail(o->out);
	fprintf(f, "# Socket calls: one system call each against io_uring batches\n\n"
		"bench/sock_uring: %u TCP loopback pairs, %u B per send and receive, "
		"readiness read after each call: %s; one thread on CPU %u; "
		"%u pairs of %u ms per burst size, order rotating. Calls/s are "
		"sends plus receives (medians); uring/sys is the median of the "
		"pairs' ratios (lowest-highest).\n\n"
		"| calls per burst | sys calls/s | io_uring calls/s | uring/sys |\n"
		"|---|---|---|---|\n", o->socks, o->bytes, o->poll ? "yes" : "no",
		o->cpu, o->pairs, o->ms);
	for (unsigned int i = 0; i < o->n_bursts; i++)
		fprintf(f, "| %u | %.2f M | %.2f M | %.3f (%.3f-%.3f) |\n", rows[i].burst,
			rows[i].sys / 1e6, rows[i].uring / 1e6, rows[i].ratio,
			rows[i].ratio_lo, rows[i].ratio_hi);
	fprintf(f, "\nReceives finished by plain recv() (the loopback delivered "
		"late): %llu.\n", (unsigned long long)shorts);
	return fclose(f) == 0 ? 0 : su_fail(o->out);
}

static int
su_usage(void)
{
	fprintf(stderr, "usage: sock_uring [--pairs P] [--ms MS] [--socks S] "
		"[--bytes L] [--bursts B[,B...]] [--no-poll] [--cpu C] [--out FILE]\n"
		"  P 1..%d, S 1..%d, L 1..%d, B 1..%d and <= S (at most %d sizes)\n",
		SU_MAX_PAIRS, SU_MAX_SOCKS, SU_MAX_BYTES, SU_MAX_BURST, SU_MAX_BURSTS);
	return 2;
}

static bool
su_uint(const char *s, unsigned int lo, unsigned int hi, unsigned int *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || x < lo || x > hi)
		return false;
	*v = (unsigned int)x;
	return true;
}

static bool
su_bursts(char *s, struct su_opts *o)
{
	char *save = NULL;

	o->n_bursts = 0;
	for (char *t = strtok_r(s, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save))
		if (o->n_bursts == SU_MAX_BURSTS ||
		    !su_uint(t, 1, SU_MAX_BURST, &o->bursts[o->n_bursts++]))
			return false;
	return o->n_bursts > 0;
}

static int
su_parse(int argc, char **argv, struct su_opts *o)
{
	static const struct option lo[] = {
		{ "pairs", required_argument, NULL, 'p' },
		{ "ms", required_argument, NULL, 'm' },
		{ "socks", required_argument, NULL, 's' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "bursts", required_argument, NULL, 'B' },
		{ "no-poll", no_argument, NULL, 'n' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		bool ok = true;

		switch (c) {
		case 'p': ok = su_uint(optarg, 1, SU_MAX_PAIRS, &o->pairs); break;
		case 'm': ok = su_uint(optarg, 1, 60000, &o->ms); break;
		case 's': ok = su_uint(optarg, 1, SU_MAX_SOCKS, &o->socks); break;
		case 'b': ok = su_uint(optarg, 1, SU_MAX_BYTES, &o->bytes); break;
		case 'B': ok = su_bursts(optarg, o); break;
		case 'n': o->poll = false; break;
		case 'c': ok = su_uint(optarg, 0, CPU_SETSIZE - 1, &o->cpu); break;
		case 'o': o->out = optarg; break;
		default: ok = false;
		}
		if (!ok)
			return -1;
	}
	return optind == argc ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static struct su_state st;
	struct su_opts o = { .pairs = 6, .ms = 300, .socks = 64, .bytes = 64,
			     .bursts = { 1, 4, 16, 64 }, .n_bursts = 4, .poll = true,
			     .cpu = 1 };
	struct su_row rows[SU_MAX_BURSTS];
	cpu_set_t cpus;
	int rc;

	if (su_parse(argc, argv, &o) < 0)
		return su_usage();
	/* A burst touches each socket once: two receives on one socket in
	 * one submit would leave the first short of what the second took. */
	for (unsigned int i = 0; i < o.n_bursts; i++)
		if (o.bursts[i] > o.socks) {
			fprintf(stderr, "sock_uring: a burst of %u needs %u sockets (--socks)\n",
				o.bursts[i], o.bursts[i]);
			return 2;
		}
	CPU_ZERO(&cpus);
	CPU_SET(o.cpu, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus) < 0)
		fprintf(stderr, "sock_uring: not pinned to CPU %u: %s\n", o.cpu, strerror(errno));
	rc = io_uring_queue_init(4 * SU_MAX_BURST, &st.ring, 0);
	if (rc < 0) {
		printf("SKIP: the kernel refuses io_uring here: %s\n", strerror(-rc));
		return 77;
	}
	st.sbuf = calloc(1, o.bytes);
	st.rbuf = calloc(SU_MAX_BURST, o.bytes);
	if (st.sbuf == NULL || st.rbuf == NULL || su_connect(&st, o.socks) < 0)
		return 1;
	for (unsigned int i = 0; i < o.n_bursts; i++)
		if (su_run_burst(&st, &o, o.bursts[i], &rows[i]) < 0)
			return 1;
	printf("receives finished by plain recv(): %llu\n", (unsigned long long)st.shorts);
	if (o.out != NULL && su_write(&o, rows, st.shorts) < 0)
		return 1;
	return 0;
}
