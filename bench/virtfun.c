/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtfun: the guest half of bench/virtfun.sh — VirtFun's table. A fixed
 * total of repetitions of factorial(51) / fibonacci(93) is cut into
 * repetitions × invocations, and every cut is timed in three domains, in
 * turn (HH GH GN HH GH GN …) so that a change of machine speed hits all
 * three alike:
 *
 *   HH  Host-Host: fpga_sw_factorial() called in this process;
 *   GH  Guest-Host: hl_fn_call_u64() through libhostlane → memif →
 *       hostlane, software placement, HL_WAIT_POLL, one call in flight;
 *   GN  Guest-Net: the same call to bench/rpc_server over TCP loopback.
 *
 * Both servers run on another core and are kept stopped (SIGSTOP) outside
 * their own domain's turn, so a busy poller never shares a core with the
 * domain being timed. Before each triple the machine is given a moment to
 * go quiet; a domain during which anyone else used >= --flag-pct of the
 * CPUs (from /proc/stat, less this process and the running server) marks
 * its triple contended, and the triple is run again (--retries per column)
 * if it took under --retry-max-s: on a shared machine the long columns
 * would otherwise eat the time budget in reruns.
 *
 * Usage: virtfun --hostlane SOCKET SECRET --hl-pid PID --rpc-port PORT
 *                --rpc-pid PID [--busy] [--fn NAME]... [--total N]
 *                [--cols N,N,...] [--runs N] [--retries N]
 *                [--wait-idle S] [--wait-budget S] [--flag-pct P]
 *                [--retry-max-s S]
 *
 * Output, one line per triple on stdout:
 *   TRIPLE fn inv reps run status hh_s gh_s gn_s hh_f% gh_f% gn_f%
 * status: kept, rerun (contended, replaced by the next triple) or
 * contended (kept: out of retries). Progress goes to stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#include "rpc_proto.h"
#include "sw_kernels.h"

#define MAX_COLS 16
#define MAX_FNS 2
#define WARMUP_S 0.01

enum dom { DOM_HH, DOM_GH, DOM_GN, DOM_COUNT };

static const char *const dom_name[DOM_COUNT] = { "HH", "GH", "GN" };

/* The VirtFun kernels: largest operands whose results fit in 64 bits. */
struct kernel {
	const char *name;
	enum rpc_fn rpc;
	uint64_t n;
	uint64_t want;		/* result of one repetition */
	uint64_t (*fn)(uint64_t n, uint64_t reps);
	struct hl_fn *hl;
};

static struct kernel kernels[MAX_FNS] = {
	{ "factorial", RPC_FN_FACTORIAL, 51, UINT64_C(18284192274659147776),
	  fpga_sw_factorial, NULL },
	{ "fibonacci", RPC_FN_FIBONACCI, 93, UINT64_C(12200160415121876738),
	  fpga_sw_fibonacci, NULL },
};

struct opts {
	const char *sock;
	const char *secret;
	pid_t pid[DOM_COUNT];	/* server of each domain; 0 = none */
	int rpc_port;
	bool busy;
	bool want_fn[MAX_FNS];
	uint64_t total;
	uint64_t cols[MAX_COLS];
	unsigned int n_cols;
	unsigned int runs;
	unsigned int retries;
	double wait_idle;
	double wait_budget;
	double flag_pct;
	double retry_max_s;
};

static struct opts o = {
	.total = 5000000, .runs = 5, .retries = 2, .wait_idle = 2.0,
	.wait_budget = 60.0, .flag_pct = 10.0, .retry_max_s = 5.0,
};

static struct hl_conn *conn;
static int rpc_fd = -1;

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Servers are left running, so the driver can stop them normally. */
static void
resume_servers(void)
{
	for (int d = 0; d < DOM_COUNT; d++)
		if (o.pid[d] > 0)
			kill(o.pid[d], SIGCONT);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("virtfun: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	resume_servers();
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s,
			       .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- CPU accounting: who else ran while we measured ---- */

struct acct {
	uint64_t busy;		/* all CPUs, jiffies not idle */
	uint64_t total;		/* all CPUs, jiffies */
	uint64_t self;		/* this process */
	uint64_t server;	/* the domain's server */
};

static void
machine_jiffies(uint64_t *busy, uint64_t *total)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	*busy = *total = 0;
	if (f == NULL)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (int i = 0; i < 8; i++)
			*total += v[i];
		*busy = *total - v[3] - v[4];	/* less idle and iowait */
	}
	fclose(f);
}

/* utime + stime of a process, jiffies; 0 if it cannot be read. */
static uint64_t
proc_jiffies(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid > 0 ? (int)pid : (int)getpid());
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the name may hold blanks */
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				&ut, &st) != 2)
		return 0;
	return ut + st;
}

static void
acct_read(struct acct *a, pid_t server)
{
	machine_jiffies(&a->busy, &a->total);
	a->self = proc_jiffies(0);
	a->server = server > 0 ? proc_jiffies(server) : 0;
}

/* Share of all CPUs' time someone else used between a and b, in %. */
static double
acct_foreign(const struct acct *a, const struct acct *b)
{
	double busy = (double)(b->busy - a->busy), total = (double)(b->total - a->total);
	double ours = (double)(b->self - a->self) + (double)(b->server - a->server);

	if (total <= 0)
		return 0;
	return busy > ours ? 100.0 * (busy - ours) / total : 0.0;
}

static double idle_waited;

/* Wait up to --wait-idle (within --wait-budget overall) for a quiet machine. */
static void
await_quiet(void)
{
	double t0 = now();

	for (;;) {
		struct acct a, b;

		acct_read(&a, 0);
		sleep_s(0.1);
		acct_read(&b, 0);
		if (b.total <= a.total ||
		    100.0 * (double)(b.busy - a.busy) / (double)(b.total - a.total) < 20.0)
			break;
		if (now() - t0 >= o.wait_idle || idle_waited + (now() - t0) >= o.wait_budget)
			break;
		sleep_s(0.15);
	}
	idle_waited += now() - t0;
}

/* ---- the three domains ---- */

static void
hl_check(int st, const char *what)
{
	if (st != HL_OK)
		die("hostlane %s: %s (%s)", what, hl_status_name(st), hl_strerror(st));
}

static void
gh_setup(void)
{
	struct hl_opts ho;

	hl_opts_init(&ho);
	ho.wait_mode = HL_WAIT_POLL;
	ho.name = "bench-virtfun";
	ho.timeout_ms = 120000;		/* one invocation may run for seconds */
	if (hl_connect(o.sock, o.secret, &ho, &conn) != HL_OK)
		die("cannot connect to %s: %s", o.sock, hl_connect_reason());
	for (int k = 0; k < MAX_FNS; k++) {
		enum hl_placement where = HL_PLACE_ANY;

		if (!o.want_fn[k])
			continue;
		hl_check(hl_fn_open(conn, kernels[k].name, HL_PLACE_SW, &kernels[k].hl),
			 kernels[k].name);
		hl_check(hl_fn_activate(kernels[k].hl, &where), kernels[k].name);
		if (where != HL_PLACE_SW)
			die("%s activated on %d, not on software", kernels[k].name, where);
		printf("INFO placement %s software\n", kernels[k].name);
	}
}

static void
gn_setup(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)o.rpc_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1;

	rpc_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (rpc_fd < 0 || connect(rpc_fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("tcp connect to port %d: %s", o.rpc_port, strerror(errno));
	setsockopt(rpc_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static uint64_t
hh_call(const struct kernel *k, uint64_t reps)
{
	return k->fn(k->n, reps);
}

static uint64_t
gh_call(const struct kernel *k, uint64_t reps)
{
	uint64_t r = 0;

	hl_check(hl_fn_call_u64(k->hl, k->n, reps, &r), k->name);
	return r;
}

static void
gn_send(const void *p, size_t len)
{
	const uint8_t *q = p;

	while (len > 0) {
		ssize_t n = send(rpc_fd, q, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("tcp send: %s", n < 0 ? strerror(errno) : "closed");
		q += n;
		len -= (size_t)n;
	}
}

static uint64_t
gn_call(const struct kernel *k, uint64_t reps)
{
	struct rpc_req rq = { .fn = k->rpc, .len = 0, .arg0 = k->n, .arg1 = reps };
	struct rpc_resp rs;
	size_t have = 0;

	gn_send(&rq, sizeof(rq));
	while (have < sizeof(rs)) {
		ssize_t n = recv(rpc_fd, (uint8_t *)&rs + have, sizeof(rs) - have,
				 o.busy ? MSG_DONTWAIT : 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			die("tcp recv: %s", n < 0 ? strerror(errno) : "closed");
		have += (size_t)n;
	}
	if (rs.status != 0 || rs.len != 0)
		die("tcp %s: server status %d, len %u", k->name, rs.status, rs.len);
	return rs.result;
}

typedef uint64_t (*dom_call)(const struct kernel *k, uint64_t reps);

static const dom_call dom_fn[DOM_COUNT] = { hh_call, gh_call, gn_call };

/* One cell: resume the domain's server, warm the path up, time inv calls
 * of reps repetitions, stop the server. Returns seconds; *foreign = %. */
static double
run_cell(enum dom d, const struct kernel *k, uint64_t inv, uint64_t reps,
	 double *foreign)
{
	dom_call call = dom_fn[d];
	struct acct a, b;
	double t0, t;

	if (o.pid[d] > 0 && kill(o.pid[d], SIGCONT) < 0)
		die("cannot resume the %s server (pid %d): %s", dom_name[d],
		    (int)o.pid[d], strerror(errno));
	/* A resumed poller needs a moment to be scheduled and get warm. */
	t0 = now();
	do {
		if (call(k, 1) != k->want)
			die("%s %s warm-up: wrong result", dom_name[d], k->name);
	} while (now() - t0 < WARMUP_S);
	acct_read(&a, o.pid[d]);
	t0 = now();
	for (uint64_t i = 0; i < inv; i++)
		if (call(k, reps) != k->want)
			die("%s %s(%" PRIu64 ", %" PRIu64 " reps): wrong result",
			    dom_name[d], k->name, k->n, reps);
	t = now() - t0;
	acct_read(&b, o.pid[d]);
	if (o.pid[d] > 0)
		kill(o.pid[d], SIGSTOP);
	*foreign = acct_foreign(&a, &b);
	return t;
}

static void
run_column(const struct kernel *k, uint64_t inv)
{
	uint64_t reps = o.total / inv;
	unsigned int kept = 0, tries = 0, retried = 0;

	while (kept < o.runs) {
		double s[DOM_COUNT], f[DOM_COUNT];
		bool contended = false;
		const char *status;

		await_quiet();
		tries++;
		for (int d = 0; d < DOM_COUNT; d++) {
			s[d] = run_cell((enum dom)d, k, inv, reps, &f[d]);
			contended |= f[d] >= o.flag_pct;
		}
		if (!contended) {
			status = "kept";
			kept++;
		} else if (retried < o.retries &&
			   s[DOM_HH] + s[DOM_GH] + s[DOM_GN] < o.retry_max_s) {
			status = "rerun";
			retried++;
		} else {
			status = "contended";
			kept++;
		}
		printf("TRIPLE %s %" PRIu64 " %" PRIu64 " %u %s %.6f %.6f %.6f %.1f %.1f %.1f\n",
		       k->name, inv, reps, tries, status, s[DOM_HH], s[DOM_GH], s[DOM_GN],
		       f[DOM_HH], f[DOM_GH], f[DOM_GN]);
		fflush(stdout);
		fprintf(stderr, "  %-9s %8" PRIu64 " inv x %-9" PRIu64 " run %u/%u  HH %.4f  GH %.4f  GN %.4f s%s\n",
			k->name, inv, reps, kept, o.runs, s[DOM_HH], s[DOM_GH], s[DOM_GN],
			strcmp(status, "kept") == 0 ? "" :
			strcmp(status, "rerun") == 0 ? "  (contended: run again)" :
			"  (contended, kept)");
	}
}

/* ---- command line ---- */

static void
usage(void)
{
	fprintf(stderr,
		"usage: virtfun --hostlane SOCKET SECRET --hl-pid PID --rpc-port PORT\n"
		"               --rpc-pid PID [--busy] [--fn factorial|fibonacci]...\n"
		"               [--total N] [--cols N,N,...] [--runs N] [--retries N]\n"
		"               [--wait-idle S] [--wait-budget S] [--flag-pct P]\n"
		"               [--retry-max-s S]\n");
	exit(2);
}

static void
parse_cols(const char *s)
{
	char *end;

	o.n_cols = 0;
	for (;;) {
		uint64_t v = strtoull(s, &end, 10);

		if (end == s || v == 0 || o.n_cols == MAX_COLS)
			usage();
		o.cols[o.n_cols++] = v;
		if (*end == '\0')
			return;
		if (*end != ',')
			usage();
		s = end + 1;
	}
}

static void
parse_fn(const char *s)
{
	for (int k = 0; k < MAX_FNS; k++)
		if (strcmp(s, kernels[k].name) == 0) {
			o.want_fn[k] = true;
			return;
		}
	usage();
}

static void
parse_opts(int argc, char **argv)
{
	static const uint64_t def_cols[] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
	bool any_fn = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--busy") == 0) {
			o.busy = true;
			continue;
		}
		if (v == NULL)
			usage();
		i++;
		if (strcmp(a, "--hostlane") == 0 && i + 1 < argc)
			o.sock = v, o.secret = argv[++i];
		else if (strcmp(a, "--hl-pid") == 0)
			o.pid[DOM_GH] = (pid_t)atoi(v);
		else if (strcmp(a, "--rpc-port") == 0)
			o.rpc_port = atoi(v);
		else if (strcmp(a, "--rpc-pid") == 0)
			o.pid[DOM_GN] = (pid_t)atoi(v);
		else if (strcmp(a, "--fn") == 0)
			parse_fn(v);
		else if (strcmp(a, "--total") == 0)
			o.total = strtoull(v, NULL, 0);
		else if (strcmp(a, "--cols") == 0)
			parse_cols(v);
		else if (strcmp(a, "--runs") == 0)
			o.runs = (unsigned int)atoi(v);
		else if (strcmp(a, "--retries") == 0)
			o.retries = (unsigned int)atoi(v);
		else if (strcmp(a, "--wait-idle") == 0)
			o.wait_idle = atof(v);
		else if (strcmp(a, "--wait-budget") == 0)
			o.wait_budget = atof(v);
		else if (strcmp(a, "--flag-pct") == 0)
			o.flag_pct = atof(v);
		else if (strcmp(a, "--retry-max-s") == 0)
			o.retry_max_s = atof(v);
		else
			usage();
	}
	if (o.n_cols == 0) {
		memcpy(o.cols, def_cols, sizeof(def_cols));
		o.n_cols = sizeof(def_cols) / sizeof(def_cols[0]);
	}
	for (int k = 0; k < MAX_FNS; k++)
		any_fn |= o.want_fn[k];
	if (!any_fn)
		o.want_fn[0] = o.want_fn[1] = true;
	if (o.sock == NULL || o.rpc_port <= 0 || o.runs < 1)
		usage();
	for (unsigned int c = 0; c < o.n_cols; c++)
		if (o.total % o.cols[c] != 0)
			die("--total %" PRIu64 " is not a multiple of %" PRIu64
			    " invocations", o.total, o.cols[c]);
}

int
main(int argc, char **argv)
{
	parse_opts(argc, argv);
	gh_setup();
	gn_setup();
	/* Every server stays stopped outside its own domain's turn. */
	for (int d = 0; d < DOM_COUNT; d++)
		if (o.pid[d] > 0 && kill(o.pid[d], SIGSTOP) < 0)
			die("cannot stop the %s server (pid %d): %s", dom_name[d],
			    (int)o.pid[d], strerror(errno));
	printf("INFO total %" PRIu64 " runs %u retries %u gn %s\n", o.total, o.runs,
	       o.retries, o.busy ? "busy" : "blocking");
	for (int k = 0; k < MAX_FNS; k++) {
		if (!o.want_fn[k])
			continue;
		for (unsigned int c = 0; c < o.n_cols; c++)
			run_column(&kernels[k], o.cols[c]);
	}
	printf("INFO waited_for_quiet_s %.1f\n", idle_waited);
	resume_servers();
	for (int k = 0; k < MAX_FNS; k++)
		hl_fn_close(kernels[k].hl);
	hl_disconnect(conn);
	close(rpc_fd);
	return 0;
}
