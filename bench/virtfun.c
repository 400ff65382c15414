/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtfun: the driver of bench/virtfun.sh — VirtFun's table. A fixed total
 * of repetitions of factorial(51) / fibonacci(93) is cut into repetitions ×
 * invocations, and every cut is timed in each domain, in turn, so that a
 * change of machine speed hits all of them alike:
 *
 *   HH  Host-Host: fpga_sw_factorial() called natively in this process,
 *       on the host core (the core hostlane's I/O lcore runs the calls on);
 *   HS  Host-Host through the software backend: the same job through
 *       fpga_submit()/fpga_poll() in this process, on the host core, in
 *       hostlane's time slices (what slicing alone costs: no guest, no
 *       channel);
 *   GH  Guest-Host from a process: hl_fn_call_u64() through libhostlane →
 *       memif → hostlane, software placement, HL_WAIT_POLL, one call in
 *       flight, from the guest core;
 *   GV  Guest-Host from a VM (--vm-serial): bench/virtfun_vm in QEMU on the
 *       guest core, FN_CALL over its vhost-user virtio-net NIC, polled, one
 *       call in flight; it times itself on its TSC and this process tells
 *       it what to run over its serial port;
 *   GN  Guest-Net: the same call to bench/rpc_server over TCP loopback from
 *       the guest core; the server on the host core.
 *
 * The order of the domains rotates from one run to the next (HH GH GN, GH
 * GN HH, GN HH GH, …). Servers (hostlane, QEMU, the RPC server) are kept
 * stopped (SIGSTOP) outside their own domain's turn, so a busy poller never
 * shares a core with the domain being timed. Before each run the machine is
 * given a moment to go quiet; a domain during which anyone else used >=
 * --flag-pct of the CPUs (from /proc/stat, less this process and the
 * domain's servers) marks its run contended, and the run is done again
 * (--retries per column) if it took under --retry-max-s: on a shared
 * machine the long columns would otherwise eat the time budget in reruns.
 *
 * Usage: virtfun --hostlane SOCKET SECRET --hl-pid PID --rpc-port PORT
 *                --rpc-pid PID [--busy] [--vm-serial PATH --vm-pid PID
 *                [--vm-max-inv N]] [--fn NAME]... [--total N]
 *                [--cols N,N,...] [--runs N] [--retries N] [--wait-idle S]
 *                [--wait-budget S] [--flag-pct P] [--retry-max-s S]
 *                [--guest-cpu N] [--host-cpu N]
 *
 * Output on stdout, one line per run of a column:
 *   RUN fn inv reps try status order DOM:seconds:foreign% ...
 * status: kept, rerun (contended, replaced by the next run) or contended
 * (kept: out of retries); order as "HH>GH>GN"; one DOM token per domain
 * timed (GV only up to --vm-max-inv invocations). GV's seconds use the TSC
 * rate measured at start ("INFO vm_tsc_hz_start"); "INFO vm_tsc_hz" at the
 * end measures it over the whole run, and the report rescales by it.
 * Progress goes to stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#include "accel.h"
#include "rpc_proto.h"
#include "sw_kernels.h"

#define MAX_COLS 16
#define MAX_FNS 2
#define MAX_SERVERS 2
#define WARMUP_S 0.01
#define VM_LINE 256
#define VM_TIMEOUT_S 120

#define DOMAINS(X) \
	X(HH, "Host-Host") \
	X(HS, "Host-Host, sliced") \
	X(GH, "Guest-Host, process") \
	X(GV, "Guest-Host, VM") \
	X(GN, "Guest-Net")

#define DOM_ENUM(id, title) DOM_##id,
enum dom { DOMAINS(DOM_ENUM) DOM_COUNT };
#undef DOM_ENUM

#define DOM_NAME(id, title) #id,
static const char *const dom_name[DOM_COUNT] = { DOMAINS(DOM_NAME) };
#undef DOM_NAME

/* The VirtFun kernels: largest operands whose results fit in 64 bits. */
struct kernel {
	const char *name;
	enum rpc_fn rpc;
	enum fpga_fn_id fpga;
	uint64_t n;
	uint64_t want;		/* result of one repetition */
	uint64_t (*fn)(uint64_t n, uint64_t reps);
	struct hl_fn *hl;
	unsigned int vm_session;
};

static struct kernel kernels[MAX_FNS] = {
	{ "factorial", RPC_FN_FACTORIAL, FPGA_FN_FACTORIAL, 51,
	  UINT64_C(18284192274659147776), fpga_sw_factorial, NULL, 0 },
	{ "fibonacci", RPC_FN_FIBONACCI, FPGA_FN_FIBONACCI, 93,
	  UINT64_C(12200160415121876738), fpga_sw_fibonacci, NULL, 0 },
};

struct opts {
	const char *sock;
	const char *secret;
	const char *vm_serial;
	pid_t hl_pid;
	pid_t rpc_pid;
	pid_t vm_pid;
	int rpc_port;
	int guest_cpu;
	int host_cpu;
	bool busy;
	bool want_fn[MAX_FNS];
	uint64_t total;
	uint64_t cols[MAX_COLS];
	uint64_t vm_max_inv;
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
	.guest_cpu = 0, .host_cpu = 1, .vm_max_inv = UINT64_MAX,
};

/* Each domain's servers (resumed for its turn only) and core. */
struct domain {
	bool on;
	int cpu;
	pid_t server[MAX_SERVERS];
};

static struct domain doms[DOM_COUNT];
static struct hl_conn *conn;
static struct fpga_ctx *hs_ctx;
static int rpc_fd = -1;
static FILE *vm_in;
static FILE *vm_out;
static double vm_hz;

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Servers are left running, so the driver can stop them normally. */
static void
resume_all(void)
{
	for (int d = 0; d < DOM_COUNT; d++)
		for (int s = 0; s < MAX_SERVERS; s++)
			if (doms[d].server[s] > 0)
				kill(doms[d].server[s], SIGCONT);
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
	resume_all();
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

static void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("cannot move to CPU %d: %s", cpu, strerror(errno));
}

/* ---- CPU accounting: who else ran while we measured ---- */

struct acct {
	uint64_t busy;		/* all CPUs, jiffies not idle */
	uint64_t total;		/* all CPUs, jiffies */
	uint64_t ours;		/* this process and the domain's servers */
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

/* utime + stime of a process (all its threads), jiffies; 0 if unreadable. */
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
acct_read(struct acct *a, enum dom d)
{
	machine_jiffies(&a->busy, &a->total);
	a->ours = proc_jiffies(0);
	for (int s = 0; s < MAX_SERVERS; s++)
		if (d < DOM_COUNT && doms[d].server[s] > 0)
			a->ours += proc_jiffies(doms[d].server[s]);
}

/* Share of all CPUs' time someone else used between a and b, in %. */
static double
acct_foreign(const struct acct *a, const struct acct *b)
{
	double busy = (double)(b->busy - a->busy), total = (double)(b->total - a->total);
	double ours = (double)(b->ours - a->ours);

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

		acct_read(&a, DOM_COUNT);
		sleep_s(0.1);
		acct_read(&b, DOM_COUNT);
		if (b.total <= a.total ||
		    100.0 * (double)(b.busy - a.busy) / (double)(b.total - a.total) < 20.0)
			break;
		if (now() - t0 >= o.wait_idle || idle_waited + (now() - t0) >= o.wait_budget)
			break;
		sleep_s(0.15);
	}
	idle_waited += now() - t0;
}

/* ---- set-up of the domains ---- */

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
	ho.timeout_ms = VM_TIMEOUT_S * 1000;	/* one invocation may run for seconds */
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

/* The software backend as hostlane's I/O lcore runs it: default slice,
 * the repetition limit of the default config. */
static void
hs_setup(void)
{
	struct fpga_ctx_conf conf = { .depth = 16, .socket_id = -1,
				      .max_reps = 1000000000 };

	hs_ctx = fpga_init(fpga_backend_find("sw"), &conf);
	if (hs_ctx == NULL)
		die("the software backend: %s", strerror(errno));
	printf("INFO sw_slice_ns %u\n", FPGA_SW_SLICE_NS);
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

/* ---- the VM's serial port: one command line, one answer line ---- */

/* The next line starting with want (boot messages are skipped); a line
 * "error: ..." is the guest failing. */
static void
vm_expect(const char *want, char *line)
{
	size_t n = strlen(want);

	for (;;) {
		if (fgets(line, VM_LINE, vm_in) == NULL)
			die("VM: serial port closed (did the guest fail? see qemu.log)");
		if (strncmp(line, "error:", 6) == 0)
			die("VM guest: %s", line + 7);
		if (strncmp(line, want, n) == 0)
			return;
	}
}

static void
vm_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
vm_send(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(vm_out, fmt, ap);
	va_end(ap);
	if (fflush(vm_out) != 0)
		die("VM: serial port: %s", strerror(errno));
}

/* One TSC reading of the guest and the host time in the middle of the
 * exchange; the exchange with the shortest round trip of a few is kept. */
static void
vm_tsc(uint64_t *tsc, double *at)
{
	char line[VM_LINE];
	double best = 1e9;

	for (int i = 0; i < 5; i++) {
		double t0 = now(), t1;

		vm_send("T\n");
		vm_expect("T ", line);
		t1 = now();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = strtoull(line + 2, NULL, 10);
			*at = (t0 + t1) / 2;
		}
	}
}

static uint64_t vm_tsc0;
static double vm_at0;

static void
vm_connect(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(o.vm_serial) >= sizeof(a.sun_path))
		die("--vm-serial: path too long");
	strcpy(a.sun_path, o.vm_serial);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("VM serial %s: %s", o.vm_serial, strerror(errno));
	vm_in = fdopen(fd, "r");
	vm_out = fdopen(dup(fd), "w");
	if (vm_in == NULL || vm_out == NULL)
		die("VM serial: %s", strerror(errno));
}

/* In sync (a PONG answers our PING, whatever the guest printed before),
 * the TSC rate over half a second, a session per function. */
static void
vm_setup(void)
{
	char line[VM_LINE];
	uint64_t t1;
	double at1;

	vm_connect();
	vm_send("P\n");
	vm_expect("PONG", line);
	vm_tsc(&vm_tsc0, &vm_at0);
	sleep_s(0.5);
	vm_tsc(&t1, &at1);
	vm_hz = (double)(t1 - vm_tsc0) / (at1 - vm_at0);
	printf("INFO vm_tsc_hz_start %.0f\n", vm_hz);
	for (int k = 0; k < MAX_FNS; k++) {
		if (!o.want_fn[k])
			continue;
		vm_send("O %s\n", kernels[k].name);
		vm_expect("O ", line);
		kernels[k].vm_session = (unsigned int)strtoul(line + 2, NULL, 10);
	}
}

/* The TSC rate over the whole run, for the report, and the guest's BYE. */
static void
vm_finish(void)
{
	uint64_t t1;
	double at1;

	vm_tsc(&t1, &at1);
	printf("INFO vm_tsc_hz %.0f\n", (double)(t1 - vm_tsc0) / (at1 - vm_at0));
	vm_send("Q\n");
}

/* ---- one call in each domain ---- */

static uint64_t
hh_call(const struct kernel *k, uint64_t reps)
{
	return k->fn(k->n, reps);
}

static uint64_t
hs_call(const struct kernel *k, uint64_t reps)
{
	struct fpga_job job = { .fn = (uint16_t)k->fpga, .arg0 = k->n, .arg1 = reps };
	struct fpga_completion c;

	while (fpga_submit(hs_ctx, &job, 1) == 0)
		;
	while (fpga_poll(hs_ctx, &c, 1) == 0)
		;
	if (c.status != 0)
		die("HS %s: status %d", k->name, c.status);
	return c.result;
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

static const dom_call dom_fn[DOM_COUNT] = {
	[DOM_HH] = hh_call, [DOM_HS] = hs_call, [DOM_GH] = gh_call,
	[DOM_GN] = gn_call,
};

/* Warm the path up for WARMUP_S, then time inv calls; seconds. */
static double
time_calls(enum dom d, const struct kernel *k, uint64_t inv, uint64_t reps,
	   struct acct *a)
{
	dom_call call = dom_fn[d];
	double t0 = now();

	do {
		if (call(k, 1) != k->want)
			die("%s %s warm-up: wrong result", dom_name[d], k->name);
	} while (now() - t0 < WARMUP_S);
	acct_read(a, d);
	t0 = now();
	for (uint64_t i = 0; i < inv; i++)
		if (call(k, reps) != k->want)
			die("%s %s(%" PRIu64 ", %" PRIu64 " reps): wrong result",
			    dom_name[d], k->name, k->n, reps);
	return now() - t0;
}

/* The VM warms up and times itself; seconds from its TSC. */
static double
time_vm(const struct kernel *k, uint64_t inv, uint64_t reps, struct acct *a)
{
	char line[VM_LINE];

	acct_read(a, DOM_GV);
	vm_send("C %u %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %.0f %.0f\n",
		k->vm_session, k->n, reps, inv, k->want, WARMUP_S * vm_hz,
		VM_TIMEOUT_S * vm_hz);
	vm_expect("R ", line);
	return (double)strtoull(line + 2, NULL, 10) / vm_hz;
}

static void
servers_signal(enum dom d, int sig)
{
	for (int s = 0; s < MAX_SERVERS; s++)
		if (doms[d].server[s] > 0 && kill(doms[d].server[s], sig) < 0)
			die("cannot signal the %s server (pid %d): %s", dom_name[d],
			    (int)doms[d].server[s], strerror(errno));
}

/* One cell: resume the domain's servers, move to its core, time it, stop
 * the servers. Returns seconds; *foreign = %. */
static double
run_cell(enum dom d, const struct kernel *k, uint64_t inv, uint64_t reps,
	 double *foreign)
{
	struct acct a, b;
	double t;

	servers_signal(d, SIGCONT);
	pin(doms[d].cpu);
	t = d == DOM_GV ? time_vm(k, inv, reps, &a) : time_calls(d, k, inv, reps, &a);
	acct_read(&b, d);
	servers_signal(d, SIGSTOP);
	*foreign = acct_foreign(&a, &b);
	return t;
}

/* The domains of this column, in canonical order. */
static unsigned int
col_domains(uint64_t inv, enum dom *list)
{
	unsigned int n = 0;

	for (int d = 0; d < DOM_COUNT; d++)
		if (doms[d].on && (d != DOM_GV || inv <= o.vm_max_inv))
			list[n++] = (enum dom)d;
	return n;
}

static void
print_run(const struct kernel *k, uint64_t inv, uint64_t reps, unsigned int tries,
	  const char *status, const enum dom *order, unsigned int n,
	  const double *s, const double *f)
{
	printf("RUN %s %" PRIu64 " %" PRIu64 " %u %s ", k->name, inv, reps, tries, status);
	for (unsigned int i = 0; i < n; i++)
		printf("%s%s", i ? ">" : "", dom_name[order[i]]);
	for (int d = 0; d < DOM_COUNT; d++)
		for (unsigned int i = 0; i < n; i++)
			if (order[i] == (enum dom)d)
				printf(" %s:%.6f:%.1f", dom_name[d], s[d], f[d]);
	printf("\n");
	fflush(stdout);
	fprintf(stderr, "  %-9s %8" PRIu64 " inv x %-9" PRIu64 " try %u ", k->name,
		inv, reps, tries);
	for (unsigned int i = 0; i < n; i++)
		fprintf(stderr, " %s %.4f", dom_name[order[i]], s[order[i]]);
	fprintf(stderr, " s%s\n", strcmp(status, "kept") == 0 ? "" :
		strcmp(status, "rerun") == 0 ? "  (contended: run again)" :
		"  (contended, kept)");
}

static unsigned int run_no;

static void
run_column(const struct kernel *k, uint64_t inv)
{
	uint64_t reps = o.total / inv;
	unsigned int kept = 0, tries = 0, retried = 0;
	enum dom list[DOM_COUNT], order[DOM_COUNT];
	unsigned int n = col_domains(inv, list);

	while (kept < o.runs) {
		double s[DOM_COUNT] = { 0 }, f[DOM_COUNT] = { 0 }, sum = 0;
		bool contended = false;
		const char *status;

		await_quiet();
		tries++;
		/* Each run starts one domain later than the one before. */
		for (unsigned int i = 0; i < n; i++)
			order[i] = list[(i + run_no) % n];
		run_no++;
		for (unsigned int i = 0; i < n; i++) {
			enum dom d = order[i];

			s[d] = run_cell(d, k, inv, reps, &f[d]);
			sum += s[d];
			contended |= f[d] >= o.flag_pct;
		}
		if (!contended) {
			status = "kept";
			kept++;
		} else if (retried < o.retries && sum < o.retry_max_s) {
			status = "rerun";
			retried++;
		} else {
			status = "contended";
			kept++;
		}
		print_run(k, inv, reps, tries, status, order, n, s, f);
	}
}

/* ---- command line ---- */

static void
usage(void)
{
	fprintf(stderr,
		"usage: virtfun --hostlane SOCKET SECRET --hl-pid PID --rpc-port PORT\n"
		"               --rpc-pid PID [--busy] [--vm-serial PATH --vm-pid PID\n"
		"               [--vm-max-inv N]] [--fn factorial|fibonacci]...\n"
		"               [--total N] [--cols N,N,...] [--runs N] [--retries N]\n"
		"               [--wait-idle S] [--wait-budget S] [--flag-pct P]\n"
		"               [--retry-max-s S] [--guest-cpu N] [--host-cpu N]\n");
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

/* One option with a value; false if a is not one. */
static bool
parse_valued(const char *a, const char *v)
{
	if (strcmp(a, "--hl-pid") == 0)
		o.hl_pid = (pid_t)atoi(v);
	else if (strcmp(a, "--rpc-port") == 0)
		o.rpc_port = atoi(v);
	else if (strcmp(a, "--rpc-pid") == 0)
		o.rpc_pid = (pid_t)atoi(v);
	else if (strcmp(a, "--vm-serial") == 0)
		o.vm_serial = v;
	else if (strcmp(a, "--vm-pid") == 0)
		o.vm_pid = (pid_t)atoi(v);
	else if (strcmp(a, "--vm-max-inv") == 0)
		o.vm_max_inv = strtoull(v, NULL, 0);
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
	else if (strcmp(a, "--guest-cpu") == 0)
		o.guest_cpu = atoi(v);
	else if (strcmp(a, "--host-cpu") == 0)
		o.host_cpu = atoi(v);
	else
		return false;
	return true;
}

static void
parse_check(void)
{
	bool any_fn = false;

	for (int k = 0; k < MAX_FNS; k++)
		any_fn |= o.want_fn[k];
	if (!any_fn)
		o.want_fn[0] = o.want_fn[1] = true;
	if (o.sock == NULL || o.rpc_port <= 0 || o.runs < 1 ||
	    (o.vm_serial != NULL) != (o.vm_pid > 0))
		usage();
	for (unsigned int c = 0; c < o.n_cols; c++)
		if (o.total % o.cols[c] != 0)
			die("--total %" PRIu64 " is not a multiple of %" PRIu64
			    " invocations", o.total, o.cols[c]);
}

static void
parse_opts(int argc, char **argv)
{
	static const uint64_t def_cols[] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };

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
		else if (!parse_valued(a, v))
			usage();
	}
	if (o.n_cols == 0) {
		memcpy(o.cols, def_cols, sizeof(def_cols));
		o.n_cols = sizeof(def_cols) / sizeof(def_cols[0]);
	}
	parse_check();
}

/* Which domains run, on which core, with which servers. */
static void
domains_init(void)
{
	for (int d = 0; d < DOM_COUNT; d++)
		doms[d] = (struct domain){ .on = true, .cpu = o.guest_cpu };
	doms[DOM_HH].cpu = doms[DOM_HS].cpu = o.host_cpu;
	doms[DOM_GH].server[0] = o.hl_pid;
	doms[DOM_GV].server[0] = o.hl_pid;
	doms[DOM_GV].server[1] = o.vm_pid;
	doms[DOM_GV].on = o.vm_serial != NULL;
	doms[DOM_GN].server[0] = o.rpc_pid;
}

int
main(int argc, char **argv)
{
	parse_opts(argc, argv);
	domains_init();
	gh_setup();
	hs_setup();
	gn_setup();
	if (doms[DOM_GV].on)
		vm_setup();
	/* Every server stays stopped outside its own domain's turn. */
	for (int d = 0; d < DOM_COUNT; d++)
		servers_signal((enum dom)d, SIGSTOP);
	printf("INFO total %" PRIu64 " runs %u retries %u gn %s\n", o.total, o.runs,
	       o.retries, o.busy ? "busy" : "blocking");
	printf("INFO cpus guest %d host %d\n", o.guest_cpu, o.host_cpu);
	if (doms[DOM_GV].on && o.vm_max_inv != UINT64_MAX)
		printf("INFO vm_max_inv %" PRIu64 "\n", o.vm_max_inv);
	for (int k = 0; k < MAX_FNS; k++) {
		if (!o.want_fn[k])
			continue;
		for (unsigned int c = 0; c < o.n_cols; c++)
			run_column(&kernels[k], o.cols[c]);
	}
	printf("INFO waited_for_quiet_s %.1f\n", idle_waited);
	resume_all();
	if (doms[DOM_GV].on)
		vm_finish();
	for (int k = 0; k < MAX_FNS; k++)
		hl_fn_close(kernels[k].hl);
	hl_disconnect(conn);
	fpga_exit(hs_ctx);
	close(rpc_fd);
	return 0;
}
