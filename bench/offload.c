/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * offload: the client half of bench/offload.sh — one method per run, so
 * the driver can alternate them in rounds and give each its own cores.
 *
 *   offload hostlane SOCKET SECRET   libhostlane → memif → hostlane
 *   offload tcp PORT [--busy]        TCP loopback to bench/rpc_server
 *   offload local                    the same functions called in-process
 *   offload pingpong [--peer-cpu N]  a cache line bounced between 2 cores
 *   offload ring [--peer-cpu N]      the memif rings' own floor: a frame of
 *                                    the echo's size through a C2S and an
 *                                    S2C ring laid out as memif's (head,
 *                                    tail, descriptors, buffers on their
 *                                    own lines), echoed by a bare thread
 *
 * Common options: --secs S (per case, default 1), --warmup S (0.2),
 * --depth N (in flight when pipelining, default 256), --cpu N (pin the
 * calling thread), --hybrid (hostlane: also HL_WAIT_HYBRID latency),
 * --rate-only (hostlane, tcp: skip the latency cases), --burst ORDER
 * (hostlane: pipelined echo also with hl_fn_submit_burst(), reported as
 * method "hostlane-burst"; ORDER "ab" runs one call per submit first,
 * "ba" the burst first, so a driver can rotate the order).
 *
 * Cases are a 64 B echo and factorial(20, 1 repetition), both opened with
 * HL_PLACE_SW (software on hostlane's I/O lcore). Each result is a
 * line "RES method case metric value": p50_us / p99_us for one call in
 * flight, rate for calls/s (pipelined, or back to back for "local"). A
 * failed call prints "offload: ..." on stderr and exits 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include <hostlane/hostlane.h>
#include <hostlane/memif.h>

#include "rpc_proto.h"
#include "sw_kernels.h"

#define PAYLOAD 64u
#define FACT_N 20u
#define FACT_RESULT UINT64_C(2432902008176640000)
#define MAX_SAMPLES (2u << 20)
#define LOCAL_BATCH 256u
#define MAX_DEPTH 256u

struct opts {
	double secs;
	double warmup;
	unsigned int depth;
	int cpu;
	int peer_cpu;
	bool busy;
	bool hybrid;
	bool rate_only;
	int burst;		/* 0: none; 1: per-call, then burst; 2: reverse */
};

static struct opts o = { .secs = 1.0, .warmup = 0.2, .depth = 256,
			 .cpu = -1, .peer_cpu = 1 };

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("offload: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- clock: the TSC where there is one, calibrated once ---- */

static double ticks_per_us = 1000.0;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t
ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __rdtsc();
#else
	return now_ns();
#endif
}

static void
clock_calibrate(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint64_t n0 = now_ns(), t0 = ticks(), n1, t1;

	do {
		n1 = now_ns();
	} while (n1 - n0 < 50000000u);
	t1 = ticks();
	ticks_per_us = (double)(t1 - t0) * 1000.0 / (double)(n1 - n0);
#endif
}

static uint64_t
secs_ticks(double s)
{
	return (uint64_t)(s * 1e6 * ticks_per_us);
}

static void
pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		die("cannot pin to CPU %d", cpu);
}

/* ---- latency and rate reports ---- */

static double samples[MAX_SAMPLES];

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
report_lat(const char *method, const char *cs, size_t n)
{
	if (n == 0)
		die("%s %s: no samples", method, cs);
	qsort(samples, n, sizeof(samples[0]), cmp_double);
	printf("RES %s %s p50_us %.3f\n", method, cs, samples[n / 2] / ticks_per_us);
	printf("RES %s %s p99_us %.3f\n", method, cs,
	       samples[(size_t)((double)n * 0.99)] / ticks_per_us);
	printf("RES %s %s samples %zu\n", method, cs, n);
	fflush(stdout);
}

static void
report_rate(const char *method, const char *cs, uint64_t calls, uint64_t t)
{
	printf("RES %s %s rate %.0f\n", method, cs,
	       (double)calls * ticks_per_us * 1e6 / (double)t);
	fflush(stdout);
}

/* One call of a latency case; batch calls per sample (for "local"). */
typedef void (*call_fn)(void *ctx, uint64_t seq);

/* Warm up, then time one call per sample for o.secs. */
static void
run_lat(const char *method, const char *cs, call_fn call, void *ctx,
	unsigned int batch, bool rate)
{
	uint64_t seq = 0, t_end, t_start, t0, t1 = 0;
	size_t n = 0;

	t_end = ticks() + secs_ticks(o.warmup);
	while (ticks() < t_end)
		call(ctx, seq++);
	t_start = ticks();
	t_end = t_start + secs_ticks(o.secs);
	while (n < MAX_SAMPLES && t1 < t_end) {
		t0 = ticks();
		for (unsigned int i = 0; i < batch; i++)
			call(ctx, seq++);
		t1 = ticks();
		samples[n++] = (double)(t1 - t0) / batch;
	}
	report_lat(method, cs, n);
	if (rate)
		report_rate(method, cs, (uint64_t)n * batch, t1 - t_start);
}

/* ---- hostlane: libhostlane → memif → the hostlane binary ---- */

struct hl_bench {
	struct hl_conn *conn;
	struct hl_fn *echo;
	struct hl_fn *fact;
	uint8_t in[PAYLOAD];
	uint8_t out[PAYLOAD];
	uint8_t outs[MAX_DEPTH][PAYLOAD];
};

static void
hl_check(int st, const char *what)
{
	if (st != HL_OK)
		die("hostlane %s: %s (%s)", what, hl_status_name(st), hl_strerror(st));
}

/* Software placement: with `fpga = sim` in the config, HL_PLACE_ANY would
 * put factorial on the simulated accelerator, and the numbers would
 * measure the simulator instead of the channel. */
static struct hl_fn *
hl_open(struct hl_conn *c, const char *name)
{
	enum hl_placement where = HL_PLACE_ANY;
	struct hl_fn *fn;

	hl_check(hl_fn_open(c, name, HL_PLACE_SW, &fn), name);
	hl_check(hl_fn_activate(fn, &where), name);
	if (where != HL_PLACE_SW)
		die("hostlane %s: activated on %s, not software", name,
		    where == HL_PLACE_HW ? "hardware" : "an unknown place");
	return fn;
}

static void
hl_setup(struct hl_bench *b, const char *sock, const char *secret,
	 enum hl_wait_mode mode)
{
	struct hl_opts ho;

	hl_opts_init(&ho);
	ho.wait_mode = mode;
	ho.name = "bench-offload";
	if (hl_connect(sock, secret, &ho, &b->conn) != HL_OK)
		die("cannot connect to %s: %s", sock, hl_connect_reason());
	b->echo = hl_open(b->conn, "echo");
	b->fact = hl_open(b->conn, "factorial");
}

static void
hl_teardown(struct hl_bench *b)
{
	struct hl_stats st;

	if (hl_conn_stats(b->conn, &st) == HL_OK)
		fprintf(stderr, "offload: hostlane stats: requests %" PRIu64
			" replies %" PRIu64 " timeouts %" PRIu64 " dropped %" PRIu64
			" kicks %" PRIu64 " sleeps %" PRIu64 "\n", st.requests,
			st.replies, st.timeouts,
			st.dropped_unknown + st.dropped_dup + st.dropped_bad,
			st.kicks, st.sleeps);
	hl_fn_close(b->echo);
	hl_fn_close(b->fact);
	hl_disconnect(b->conn);
}

static void
hl_call_echo(void *ctx, uint64_t seq)
{
	struct hl_bench *b = ctx;
	uint32_t len = 0;
	uint64_t back;

	memcpy(b->in, &seq, sizeof(seq));
	hl_check(hl_fn_call(b->echo, b->in, PAYLOAD, b->out, PAYLOAD, &len), "echo");
	memcpy(&back, b->out, sizeof(back));
	if (len != PAYLOAD || back != seq)
		die("hostlane echo: got %u bytes, seq %" PRIu64 " for %" PRIu64,
		    len, back, seq);
}

static void
hl_call_fact(void *ctx, uint64_t seq)
{
	struct hl_bench *b = ctx;
	uint64_t r = 0;

	(void)seq;
	hl_check(hl_fn_call_u64(b->fact, FACT_N, 1, &r), "factorial");
	if (r != FACT_RESULT)
		die("hostlane factorial(20) = %" PRIu64, r);
}

static void
hl_submit_one(struct hl_bench *b, bool echo, uint64_t tag)
{
	int st = echo ? hl_fn_submit(b->echo, b->in, PAYLOAD, b->outs[tag],
				     PAYLOAD, tag) :
			hl_fn_submit_u64(b->fact, FACT_N, 1, tag);

	hl_check(st, "submit");
}

static void
hl_check_completion(const struct hl_completion *c, bool echo)
{
	hl_check(c->status, "completion");
	if (echo ? c->out_len != PAYLOAD : c->result != FACT_RESULT)
		die("hostlane pipelined %s: bad result", echo ? "echo" : "factorial");
}

/* Resubmit the n completed calls in c as one burst (echo only). */
static void
hl_resubmit_burst(struct hl_bench *b, const struct hl_completion *c, int n)
{
	struct hl_call calls[64];
	unsigned int done = 0;

	for (int i = 0; i < n; i++)
		calls[i] = (struct hl_call){ .in = b->in, .in_len = PAYLOAD,
					     .out = b->outs[c[i].tag],
					     .out_cap = PAYLOAD, .tag = c[i].tag };
	hl_check(hl_fn_submit_burst(b->echo, calls, (unsigned int)n, &done),
		 "submit burst");
	if (done != (unsigned int)n)
		die("hostlane burst: %u of %d submitted", done, n);
}

/* Keep o.depth calls in flight for warm-up + o.secs; count completions.
 * burst: resubmit each poll's completions with one hl_fn_submit_burst(). */
static void
hl_rate(struct hl_bench *b, bool echo, const char *cs, bool burst)
{
	const char *method = burst ? "hostlane-burst" : "hostlane";
	struct hl_completion c[64];
	uint64_t done = 0, polls = 0, t_start = 0, t_end, t_warm, t = 0;
	unsigned int inflight = 0;
	bool measuring = false, open = true;

	memset(b->in, 0x5a, sizeof(b->in));
	t_warm = ticks() + secs_ticks(o.warmup);
	t_end = t_warm + secs_ticks(o.secs);
	for (uint64_t tag = 0; tag < o.depth; tag++, inflight++)
		hl_submit_one(b, echo, tag);
	while (inflight > 0) {
		int n = hl_poll(b->conn, c, 64, -1);

		if (n < 0)
			hl_check(-n, "poll");
		polls++;
		t = ticks();
		if (!measuring && t >= t_warm) {
			measuring = true;
			t_start = t;
			t_end = t + secs_ticks(o.secs);
			done = polls = 0;
		}
		if (t >= t_end && open) {
			open = false;
			report_rate(method, cs, done, t - t_start);
			/* Diagnostic: completions per hl_poll() call. */
			printf("RES %s %s per_poll %.1f\n", method, cs,
			       (double)done / (double)(polls ? polls : 1));
		}
		for (int i = 0; i < n; i++) {
			hl_check_completion(&c[i], echo);
			done++;
			inflight--;
			if (open && !burst) {
				hl_submit_one(b, echo, c[i].tag);
				inflight++;
			}
		}
		if (open && burst && n > 0) {
			hl_resubmit_burst(b, c, n);
			inflight += (unsigned int)n;
		}
	}
}

static int
run_hostlane(const char *sock, const char *secret)
{
	struct hl_bench *b = calloc(1, sizeof(*b));
	if (b == NULL)
		die("out of memory");
	hl_setup(b, sock, secret, HL_WAIT_POLL);
	if (!o.rate_only) {
		run_lat("hostlane", "echo64", hl_call_echo, b, 1, false);
		run_lat("hostlane", "fact20", hl_call_fact, b, 1, false);
	}
	if (o.burst == 2)
		hl_rate(b, true, "echo64", true);
	hl_rate(b, true, "echo64", false);
	if (o.burst == 1)
		hl_rate(b, true, "echo64", true);
	hl_rate(b, false, "fact20", false);
	hl_teardown(b);
	if (o.hybrid) {
		hl_setup(b, sock, secret, HL_WAIT_HYBRID);
		run_lat("hostlane-hybrid", "echo64", hl_call_echo, b, 1, false);
		hl_teardown(b);
	}
	free(b);
	return 0;
}

/* ---- Guest-Net: TCP loopback to rpc_server ---- */

struct tcp_bench {
	int fd;
	uint8_t req[sizeof(struct rpc_req) + PAYLOAD];
	uint8_t rbuf[64 * 1024];
	uint8_t sbuf[MAX_DEPTH * (sizeof(struct rpc_req) + PAYLOAD)];
};

static void
tcp_send_all(int fd, const void *p, size_t len)
{
	const uint8_t *q = p;

	while (len > 0) {
		ssize_t n = send(fd, q, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("tcp send: %s", n < 0 ? strerror(errno) : "closed");
		q += n;
		len -= (size_t)n;
	}
}

/* Read at least want bytes into rbuf + have; returns the new total. */
static size_t
tcp_recv_min(struct tcp_bench *b, size_t have, size_t want)
{
	while (have < want) {
		ssize_t n = recv(b->fd, b->rbuf + have, sizeof(b->rbuf) - have,
				 o.busy ? MSG_DONTWAIT : 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			die("tcp recv: %s", n < 0 ? strerror(errno) : "closed");
		have += (size_t)n;
	}
	return have;
}

static size_t
tcp_make_req(uint8_t *p, bool echo, uint64_t seq)
{
	struct rpc_req rq = {
		.fn = echo ? RPC_FN_ECHO : RPC_FN_FACTORIAL,
		.len = echo ? PAYLOAD : 0,
		.arg0 = FACT_N, .arg1 = 1,
	};

	memcpy(p, &rq, sizeof(rq));
	if (echo) {
		memset(p + sizeof(rq), 0x5a, PAYLOAD);
		memcpy(p + sizeof(rq), &seq, sizeof(seq));
	}
	return sizeof(rq) + rq.len;
}

static void
tcp_check_resp(const uint8_t *p, bool echo, const uint64_t *seq)
{
	struct rpc_resp rs;
	uint64_t back;

	memcpy(&rs, p, sizeof(rs));
	if (rs.status != 0)
		die("tcp: server status %d", rs.status);
	if (echo) {
		memcpy(&back, p + sizeof(rs), sizeof(back));
		if (rs.len != PAYLOAD || (seq != NULL && back != *seq))
			die("tcp echo: bad reply");
	} else if (rs.result != FACT_RESULT) {
		die("tcp factorial(20) = %" PRIu64, rs.result);
	}
}

static void
tcp_call(struct tcp_bench *b, bool echo, uint64_t seq)
{
	size_t rlen = sizeof(struct rpc_resp) + (echo ? PAYLOAD : 0);

	tcp_send_all(b->fd, b->req, tcp_make_req(b->req, echo, seq));
	if (tcp_recv_min(b, 0, rlen) != rlen)
		die("tcp: reply longer than asked for");
	tcp_check_resp(b->rbuf, echo, &seq);
}

static void
tcp_call_echo(void *ctx, uint64_t seq)
{
	tcp_call(ctx, true, seq);
}

static void
tcp_call_fact(void *ctx, uint64_t seq)
{
	tcp_call(ctx, false, seq);
}

/* o.depth requests in flight; each batch of replies is answered by as
 * many new requests in one send. */
static void
tcp_rate(struct tcp_bench *b, bool echo, const char *cs)
{
	size_t rlen = sizeof(struct rpc_resp) + (echo ? PAYLOAD : 0);
	size_t qlen = tcp_make_req(b->sbuf, echo, 0), have = 0;
	uint64_t done = 0, t_start = 0, t_warm, t_end, t;
	unsigned int inflight = o.depth;
	bool measuring = false, open = true;

	for (unsigned int i = 1; i < MAX_DEPTH; i++)
		tcp_make_req(b->sbuf + i * qlen, echo, 0);
	t_warm = ticks() + secs_ticks(o.warmup);
	t_end = t_warm + secs_ticks(o.secs);
	tcp_send_all(b->fd, b->sbuf, o.depth * qlen);
	while (inflight > 0) {
		size_t k, used;

		have = tcp_recv_min(b, have, rlen);
		for (k = 0, used = 0; have - used >= rlen; k++, used += rlen)
			tcp_check_resp(b->rbuf + used, echo, NULL);
		memmove(b->rbuf, b->rbuf + used, have - used);
		have -= used;
		inflight -= (unsigned int)k;
		done += k;
		t = ticks();
		if (!measuring && t >= t_warm) {
			measuring = true;
			t_start = t;
			t_end = t + secs_ticks(o.secs);
			done = 0;
		}
		if (t >= t_end && open) {
			open = false;
			report_rate(o.busy ? "tcp-busy" : "tcp", cs, done, t - t_start);
		}
		if (open) {
			tcp_send_all(b->fd, b->sbuf, k * qlen);
			inflight += (unsigned int)k;
		}
	}
}

static int
run_tcp(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)atoi(port)),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct tcp_bench *b = calloc(1, sizeof(*b));
	const char *m = o.busy ? "tcp-busy" : "tcp";
	int one = 1;

	if (b == NULL)
		die("out of memory");
	b->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (b->fd < 0 || connect(b->fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("tcp connect to port %s: %s", port, strerror(errno));
	setsockopt(b->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!o.rate_only) {
		run_lat(m, "echo64", tcp_call_echo, b, 1, false);
		run_lat(m, "fact20", tcp_call_fact, b, 1, false);
	}
	tcp_rate(b, true, "echo64");
	tcp_rate(b, false, "fact20");
	close(b->fd);
	free(b);
	return 0;
}

/* ---- Host-Host: the same functions called in-process ---- */

struct local_bench {
	uint8_t in[PAYLOAD];
	uint8_t out[PAYLOAD];
	uint64_t sink;
};

static __attribute__((noinline)) uint32_t
local_echo(const void *in, uint32_t len, void *out)
{
	memcpy(out, in, len);
	return len;
}

/* Through a volatile pointer, as a call the compiler cannot see into. */
static uint32_t (*volatile local_echo_fn)(const void *, uint32_t, void *) = local_echo;

static void
local_call_echo(void *ctx, uint64_t seq)
{
	struct local_bench *b = ctx;

	memcpy(b->in, &seq, sizeof(seq));
	b->sink += local_echo_fn(b->in, PAYLOAD, b->out) + b->out[0];
}

static void
local_call_fact(void *ctx, uint64_t seq)
{
	struct local_bench *b = ctx;

	(void)seq;
	b->sink += fpga_sw_factorial(FACT_N, 1);
}

static int
run_local(void)
{
	struct local_bench b = { .sink = 0 };

	run_lat("local", "echo64", local_call_echo, &b, LOCAL_BATCH, true);
	run_lat("local", "fact20", local_call_fact, &b, LOCAL_BATCH, true);
	if (b.sink == 0)
		die("local: nothing computed");
	return 0;
}

/* ---- the floor: one cache line bounced between two cores ---- */

#define PP_STOP UINT64_MAX

static struct {
	_Alignas(64) uint64_t seq;
	char pad[56];
} pp_line;

static void *
pp_peer(void *arg)
{
	uint64_t want = 1, v;

	pin(*(int *)arg);
	for (;;) {
		v = __atomic_load_n(&pp_line.seq, __ATOMIC_ACQUIRE);
		if (v == PP_STOP)
			return NULL;
		if (v == want) {
			__atomic_store_n(&pp_line.seq, want + 1, __ATOMIC_RELEASE);
			want += 2;
		} else {
#if defined(__x86_64__) || defined(__i386__)
			_mm_pause();
#endif
		}
	}
}

static void
pp_call(void *ctx, uint64_t seq)
{
	uint64_t *next = ctx;

	(void)seq;
	__atomic_store_n(&pp_line.seq, *next + 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&pp_line.seq, __ATOMIC_ACQUIRE) != *next + 2) {
#if defined(__x86_64__) || defined(__i386__)
		_mm_pause();
#endif
	}
	*next += 2;
}

static int
run_pingpong(void)
{
	uint64_t next = 0;
	pthread_t t;

	if (pthread_create(&t, NULL, pp_peer, &o.peer_cpu) != 0)
		die("pthread_create failed");
	run_lat("pingpong", "line", pp_call, &next, 1, false);
	__atomic_store_n(&pp_line.seq, PP_STOP, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	return 0;
}

/*
 * ---- the rings' floor: memif's layout with nothing else ----
 *
 * What a call over memif costs the hardware alone: the client writes a
 * frame into a C2S buffer, its descriptor, then head; the peer polls
 * head, reads the descriptor and the frame, writes it into the S2C buffer
 * the client posted, that descriptor, then S2C tail, and C2S tail; the
 * client polls S2C tail, reads descriptor and frame, and posts the buffer
 * again (S2C head). The cache lines that cross between the cores are the
 * ones a hostlane call moves, with no mbuf, pipeline or protocol check:
 * hostlane's round trip over this one is its software's share.
 */

#define RG_LOG2 8
#define RG_SIZE (1u << RG_LOG2)
#define RG_FRAME (HL_FRAME_HDR_LEN + PAYLOAD)	/* the echo64 call's frame */
#define RG_BUF 2048u

struct rg_ring {
	_Alignas(64) struct memif_ring r;
	struct memif_desc d[RG_SIZE];
};

static struct rg_ring rg_c2s, rg_s2c;
static _Alignas(64) uint8_t rg_c2s_buf[RG_SIZE][RG_BUF], rg_s2c_buf[RG_SIZE][RG_BUF];
static struct {
	_Alignas(64) int stop;		/* its own line: the peer reads it */
	char pad[60];
} rg_ctl;

static inline void
rg_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	_mm_pause();
#endif
}

static void *
rg_peer(void *arg)
{
	uint16_t last = 0, s2c_tail = 0;

	pin(*(int *)arg);
	while (!__atomic_load_n(&rg_ctl.stop, __ATOMIC_RELAXED)) {
		uint16_t head = __atomic_load_n(&rg_c2s.r.head, __ATOMIC_ACQUIRE);
		uint16_t posted;

		if (head == last) {
			rg_relax();
			continue;
		}
		/* As a memif server does: the S2C buffers the client posted
		 * (a line it writes on every call). */
		posted = __atomic_load_n(&rg_s2c.r.head, __ATOMIC_ACQUIRE);
		for (; last != head && s2c_tail != posted; last++, s2c_tail++) {
			const struct memif_desc *in = &rg_c2s.d[last & (RG_SIZE - 1)];
			struct memif_desc *out = &rg_s2c.d[s2c_tail & (RG_SIZE - 1)];
			uint32_t len = in->length <= RG_BUF ? in->length : RG_BUF;

			memcpy(rg_s2c_buf[out->offset], rg_c2s_buf[in->offset], len);
			out->length = len;
		}
		__atomic_store_n(&rg_c2s.r.tail, last, __ATOMIC_RELEASE);
		__atomic_store_n(&rg_s2c.r.tail, s2c_tail, __ATOMIC_RELEASE);
	}
	return NULL;
}

struct rg_client {
	uint16_t c2s_head, s2c_seen;
	uint8_t frame[RG_FRAME];
};

static void
rg_call(void *ctx, uint64_t seq)
{
	struct rg_client *c = ctx;
	struct memif_desc *d = &rg_c2s.d[c->c2s_head & (RG_SIZE - 1)];
	const struct memif_desc *r;
	uint64_t got;

	memcpy(c->frame + HL_FRAME_HDR_LEN, &seq, sizeof(seq));
	memcpy(rg_c2s_buf[d->offset], c->frame, RG_FRAME);
	d->length = RG_FRAME;
	c->c2s_head++;
	__atomic_store_n(&rg_c2s.r.head, c->c2s_head, __ATOMIC_RELEASE);
	while (__atomic_load_n(&rg_s2c.r.tail, __ATOMIC_ACQUIRE) == c->s2c_seen)
		rg_relax();
	r = &rg_s2c.d[c->s2c_seen & (RG_SIZE - 1)];
	memcpy(&got, rg_s2c_buf[r->offset] + HL_FRAME_HDR_LEN, sizeof(got));
	if (r->length != RG_FRAME || got != seq)
		die("ring: reply %" PRIu64 " of %u B for call %" PRIu64, got, r->length, seq);
	c->s2c_seen++;
	/* Post the buffer again. */
	__atomic_store_n(&rg_s2c.r.head, (uint16_t)(c->s2c_seen + RG_SIZE), __ATOMIC_RELEASE);
}

static int
run_ring(void)
{
	static struct rg_client c;
	pthread_t t;

	for (uint32_t i = 0; i < RG_SIZE; i++) {
		rg_c2s.d[i].offset = i;
		rg_s2c.d[i].offset = i;
	}
	memset(c.frame, 0xa5, sizeof(c.frame));
	__atomic_store_n(&rg_s2c.r.head, (uint16_t)RG_SIZE, __ATOMIC_RELEASE);
	if (pthread_create(&t, NULL, rg_peer, &o.peer_cpu) != 0)
		die("pthread_create failed");
	run_lat("ring", "echo64", rg_call, &c, 1, false);
	__atomic_store_n(&rg_ctl.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	return 0;
}

/* ---- command line ---- */

static void
usage(void)
{
	fprintf(stderr,
		"usage: offload hostlane SOCKET SECRET | tcp PORT | local | pingpong | ring\n"
		"       [--secs S] [--warmup S] [--depth N] [--cpu N] [--peer-cpu N]\n"
		"       [--busy] [--hybrid] [--rate-only] [--burst ab|ba]\n");
	exit(2);
}

/* Parse the options after the positional arguments. */
static void
parse_opts(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--busy") == 0)
			o.busy = true;
		else if (strcmp(a, "--hybrid") == 0)
			o.hybrid = true;
		else if (strcmp(a, "--rate-only") == 0)
			o.rate_only = true;
		else if (v == NULL)
			usage();
		else if (strcmp(a, "--secs") == 0)
			o.secs = atof(v), i++;
		else if (strcmp(a, "--warmup") == 0)
			o.warmup = atof(v), i++;
		else if (strcmp(a, "--burst") == 0 && strcmp(v, "ab") == 0)
			o.burst = 1, i++;
		else if (strcmp(a, "--burst") == 0 && strcmp(v, "ba") == 0)
			o.burst = 2, i++;
		else if (strcmp(a, "--depth") == 0)
			o.depth = (unsigned int)atoi(v), i++;
		else if (strcmp(a, "--cpu") == 0)
			o.cpu = atoi(v), i++;
		else if (strcmp(a, "--peer-cpu") == 0)
			o.peer_cpu = atoi(v), i++;
		else
			usage();
	}
	if (o.secs <= 0 || o.warmup < 0 || o.depth < 1 || o.depth > MAX_DEPTH)
		usage();
}

/* The CPU time this process used, for the driver's contention check. */
static void
report_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("RES self cpu ms %.0f\n",
		       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3);
}

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int npos = strcmp(cmd, "hostlane") == 0 ? 2 : strcmp(cmd, "tcp") == 0 ? 1 : 0;

	if (argc < 2 + npos)
		usage();
	parse_opts(argc - 2 - npos, argv + 2 + npos);
	pin(o.cpu);
	clock_calibrate();
	printf("RES clock tsc mhz %.1f\n", ticks_per_us);
	atexit(report_cpu);
	if (strcmp(cmd, "hostlane") == 0)
		return run_hostlane(argv[2], argv[3]);
	if (strcmp(cmd, "tcp") == 0)
		return run_tcp(argv[2]);
	if (strcmp(cmd, "local") == 0)
		return run_local();
	if (strcmp(cmd, "pingpong") == 0)
		return run_pingpong();
	if (strcmp(cmd, "ring") == 0)
		return run_ring();
	usage();
}
