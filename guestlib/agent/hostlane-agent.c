/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostlane-agent: FlexVF's collector. Inside a guest, reads the kernel's
 * interface counters (/sys/class/net/IF/statistics) every interval and
 * reports them to the host through libhostlane (hl_report_ifstats), over
 * any of its transports (memif socket, packet:IFNAME, dpdk:...).
 *
 * One thread. SIGTERM and SIGINT are blocked and taken only in the wait
 * between reports (sigtimedwait), so a signal never cuts a report short
 * and the agent leaves at once, saying BYE.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hostlane/hostlane.h>

#define AGENT_SYSFS "/sys/class/net"
#define AGENT_INTERVAL_MS 1000u
#define AGENT_INTERVAL_MIN 10u
#define AGENT_INTERVAL_MAX 3600000u

struct agent {
	const char *uri;
	const char *secret;
	const char *name;
	const char *sysfs;
	unsigned int interval_ms;
	int timeout_ms;
	bool once;
	bool include_lo;
	bool quiet;
	unsigned int n_want;			/**< --interface given: only these */
	char want[HL_REPORT_IFS_MAX][HL_IFNAME_LEN];
};

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: hostlane-agent [options] URI\n"
"\n"
"Reports this guest's interface counters (rx/tx packets and bytes from\n"
"/sys/class/net/IF/statistics) to hostlane every interval, for its VF\n"
"allocator. URI is what hl_connect() takes: a memif socket path,\n"
"packet:IFNAME (e.g. the VM's virtio-net interface) or dpdk:EAL-ARGS.\n"
"\n"
"Options:\n"
"  -s, --secret SECRET     memif secret\n"
"  -n, --name NAME         guest name in the HELLO (default hostlane-agent)\n"
"  -i, --interval MS       report every MS milliseconds (default %u, %u..%u);\n"
"                          keep it above the host's report_interval_ms\n"
"  -I, --interface IFNAME  report this interface (repeat, up to %u); default:\n"
"                          every interface but lo, the first %u by name\n"
"      --include-lo        also report lo (when no --interface is given)\n"
"      --sysfs DIR         where the interfaces are (default %s)\n"
"  -t, --timeout MS        wait for the host at most MS per call (default 5000)\n"
"      --once              send one report and exit: 0 if the host accepted it\n"
"  -q, --quiet             no warnings, errors only\n"
"  -h, --help              this text\n"
"  -V, --version           print the version and exit\n"
"\n"
"Exit status: 0 (stopped by SIGTERM/SIGINT, or --once accepted), 1 (an\n"
"error, or --once refused), 2 (usage).\n",
		AGENT_INTERVAL_MS, AGENT_INTERVAL_MIN, AGENT_INTERVAL_MAX,
		HL_REPORT_IFS_MAX, HL_REPORT_IFS_MAX, AGENT_SYSFS);
}

static void __attribute__((format(printf, 2, 3)))
agent_warn(const struct agent *a, const char *fmt, ...)
{
	va_list ap;

	if (a->quiet)
		return;
	va_start(ap, fmt);
	fputs("hostlane-agent: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void __attribute__((format(printf, 1, 2)))
agent_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("hostlane-agent: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* A whole decimal number in lo..hi; -1 if it is not one. */
static int
parse_num(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno != 0 || *end != '\0' || *out < lo || *out > hi ? -1 : 0;
}

/* An interface name as the protocol carries it, NUL-padded; -1 if bad. */
static int
ifname_set(char dst[HL_IFNAME_LEN], const char *name)
{
	if (strlen(name) >= HL_IFNAME_LEN)
		return -1;
	memset(dst, 0, HL_IFNAME_LEN);
	memcpy(dst, name, strlen(name));
	return hl_proto_ifname_validate(dst) == HL_OK ? 0 : -1;
}

static int
add_interface(struct agent *a, const char *name)
{
	if (a->n_want == HL_REPORT_IFS_MAX) {
		agent_err("more than %u --interface options", HL_REPORT_IFS_MAX);
		return -1;
	}
	if (ifname_set(a->want[a->n_want], name) < 0) {
		agent_err("--interface '%s' is not an interface name", name);
		return -1;
	}
	for (unsigned int i = 0; i < a->n_want; i++)
		if (strcmp(a->want[i], a->want[a->n_want]) == 0) {
			agent_err("--interface '%s' given twice", name);
			return -1;
		}
	a->n_want++;
	return 0;
}

enum { OPT_ONCE = 256, OPT_LO, OPT_SYSFS };

/* One option; -1 on a usage error, 1 to exit with 0 (help, version). */
static int
parse_opt(struct agent *a, int c, const char *arg)
{
	unsigned long v;

	switch (c) {
	case 's': a->secret = arg; return 0;
	case 'n': a->name = arg; return 0;
	case 'I': return add_interface(a, arg);
	case OPT_LO: a->include_lo = true; return 0;
	case OPT_SYSFS: a->sysfs = arg; return 0;
	case OPT_ONCE: a->once = true; return 0;
	case 'q': a->quiet = true; return 0;
	case 'i':
		if (parse_num(arg, AGENT_INTERVAL_MIN, AGENT_INTERVAL_MAX, &v) < 0) {
			agent_err("--interval '%s' is not a number of ms in %u..%u", arg,
			    AGENT_INTERVAL_MIN, AGENT_INTERVAL_MAX);
			return -1;
		}
		a->interval_ms = (unsigned int)v;
		return 0;
	case 't':
		if (parse_num(arg, 1, INT_MAX, &v) < 0) {
			agent_err("--timeout '%s' is not a positive number of ms", arg);
			return -1;
		}
		a->timeout_ms = (int)v;
		return 0;
	case 'h': usage(stdout); return 1;
	case 'V': printf("hostlane-agent (hostlane protocol %u)\n", HL_PROTO_VERSION); return 1;
	default: return -1;
	}
}

/* -1 usage error, 1 exit 0 now, 0 go on. */
static int
parse_args(int argc, char **argv, struct agent *a)
{
	static const struct option opts[] = {
		{ "secret", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "interface", required_argument, NULL, 'I' },
		{ "include-lo", no_argument, NULL, OPT_LO },
		{ "sysfs", required_argument, NULL, OPT_SYSFS },
		{ "timeout", required_argument, NULL, 't' },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, "s:n:i:I:t:qhV", opts, NULL)) != -1)
		if ((rc = parse_opt(a, c, optarg)) != 0)
			return rc;
	if (optind != argc - 1) {
		agent_err("%s", optind == argc ? "no URI given" : "more than one URI given");
		return -1;
	}
	a->uri = argv[optind];
	return 0;
}

/* ---- the counters -------------------------------------------------------- */

static const char *const counter_files[4] = {
	"rx_packets", "tx_packets", "rx_bytes", "tx_bytes",
};

/* One counter file: a decimal number and a newline. -1 with why. */
static int
read_counter(const char *path, uint64_t *out, char *why, size_t why_len)
{
	char buf[32], *end;
	size_t n;
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (n == 0 || buf[0] < '0' || buf[0] > '9' || errno != 0 ||
	    (*end != '\n' && *end != '\0') || (*end == '\n' && end[1] != '\0')) {
		snprintf(why, why_len, "%s: not a counter", path);
		return -1;
	}
	return 0;
}

/* The four counters of interface name into s. -1 with why. */
static int
read_interface(const struct agent *a, const char *name, struct hl_ifstats *s,
	       char *why, size_t why_len)
{
	uint64_t v[4];
	char path[PATH_MAX];

	if (ifname_set(s->name, name) < 0) {
		snprintf(why, why_len, "interface '%s': a name the protocol "
			 "cannot carry", name);
		return -1;
	}
	for (unsigned int i = 0; i < 4; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/statistics/%s",
				     a->sysfs, name, counter_files[i]) >= sizeof(path)) {
			snprintf(why, why_len, "%s/%s: path too long", a->sysfs, name);
			return -1;
		}
		if (read_counter(path, &v[i], why, why_len) < 0)
			return -1;
	}
	s->rx_packets = v[0];
	s->tx_packets = v[1];
	s->rx_bytes = v[2];
	s->tx_bytes = v[3];
	return 0;
}

static int
name_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The interfaces under sysfs (lo only if asked), at most max; n or -1. */
static int
list_interfaces(const struct agent *a, char names[][NAME_MAX + 1], int max)
{
	struct dirent *d;
	DIR *dir = opendir(a->sysfs);
	int n = 0;

	if (dir == NULL) {
		agent_err("%s: %s", a->sysfs, strerror(errno));
		return -1;
	}
	while ((d = readdir(dir)) != NULL && n < max) {
		if (d->d_name[0] == '.' || (!a->include_lo && strcmp(d->d_name, "lo") == 0))
			continue;
		snprintf(names[n++], NAME_MAX + 1, "%s", d->d_name);
	}
	closedir(dir);
	return n;
}

#define AGENT_LIST_MAX 256

/*
 * Read the counters of every interface to report into ifs: those asked
 * for, or the first by name. One that cannot be read is left out
 * (warned). @return how many, 0 if none.
 */
static unsigned int
collect(const struct agent *a, struct hl_ifstats *ifs)
{
	static char names[AGENT_LIST_MAX][NAME_MAX + 1];
	char why[PATH_MAX + 64];
	const char *order[AGENT_LIST_MAX];
	unsigned int n = 0;
	int found;

	if (a->n_want > 0) {
		for (unsigned int i = 0; i < a->n_want; i++)
			order[i] = a->want[i];
		found = (int)a->n_want;
	} else {
		found = list_interfaces(a, names, AGENT_LIST_MAX);
		for (int i = 0; i < found; i++)
			order[i] = names[i];
		if (found > 0)
			qsort(order, (size_t)found, sizeof(order[0]), name_cmp);
	}
	for (int i = 0; i < found; i++) {
		if (n == HL_REPORT_IFS_MAX) {
			agent_warn(a, "%d interfaces, a report holds %u: '%s' and those "
				   "after it left out (use --interface)", found,
				   HL_REPORT_IFS_MAX, order[i]);
			break;
		}
		if (read_interface(a, order[i], &ifs[n], why, sizeof(why)) == 0)
			n++;
		else
			agent_warn(a, "%s: left out of this report", why);
	}
	return n;
}

/* ---- the loop ------------------------------------------------------------ */

/* One report. @return HL_OK or why not (said). */
static int
report_once(const struct agent *a, struct hl_conn *c)
{
	struct hl_ifstats ifs[HL_REPORT_IFS_MAX];
	unsigned int n = collect(a, ifs);
	int rc;

	if (n == 0) {
		agent_err("no interface to report (in %s%s)", a->sysfs,
		    a->n_want > 0 ? ", of those asked for" : "");
		return HL_E_INVAL;
	}
	rc = hl_report_ifstats(c, ifs, n);
	if (rc != HL_OK)
		agent_err("report of %u interface(s) refused: %s (%s)%s%s", n,
		    hl_status_name(rc), hl_strerror(rc),
		    hl_conn_reason(c)[0] != '\0' ? ": " : "", hl_conn_reason(c));
	return rc;
}

/* Wait ms or until SIGTERM/SIGINT (blocked: taken only here). */
static bool
stop_requested(const sigset_t *sigs, unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ts.tv_sec;
	end.tv_nsec += ts.tv_nsec;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	for (;;) {
		int sig = sigtimedwait(sigs, NULL, &ts);

		if (sig > 0)
			return true;
		if (errno != EINTR)
			return false;	/* EAGAIN: the interval is over */
		/* Another signal: wait for what is left. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			return false;
		ts.tv_sec = end.tv_sec - now.tv_sec;
		ts.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (ts.tv_nsec < 0) {
			ts.tv_sec--;
			ts.tv_nsec += 1000000000;
		}
	}
}

static int
run(const struct agent *a, const sigset_t *sigs)
{
	struct hl_opts o;
	struct hl_conn *c;
	int rc;

	hl_opts_init(&o);
	o.name = a->name;
	o.timeout_ms = a->timeout_ms;
	o.wait_mode = HL_WAIT_INTR;	/* a report a second: never spin */
	o.bulk_bytes = 0;		/* and never a bulk call */
	rc = hl_connect(a->uri, a->secret, &o, &c);
	if (rc != HL_OK) {
		agent_err("cannot connect to %s: %s (%s)%s%s", a->uri, hl_status_name(rc),
		    hl_strerror(rc), hl_connect_reason()[0] != '\0' ? ": " : "",
		    hl_connect_reason());
		return EXIT_FAILURE;
	}
	if (a->once) {
		rc = report_once(a, c);
		hl_disconnect(c);
		return rc == HL_OK ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	do
		(void)report_once(a, c);
	while (!stop_requested(sigs, a->interval_ms));
	hl_disconnect(c);
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	struct agent a = { .name = "hostlane-agent", .sysfs = AGENT_SYSFS,
			   .interval_ms = AGENT_INTERVAL_MS, .timeout_ms = 5000 };
	sigset_t sigs;
	int rc = parse_args(argc, argv, &a);

	if (rc != 0) {
		if (rc < 0)
			fputs("Try 'hostlane-agent --help'.\n", stderr);
		return rc < 0 ? 2 : EXIT_SUCCESS;
	}
	if (strlen(a.name) >= HL_GUEST_NAME_LEN) {
		agent_err("--name '%s' is longer than %u characters", a.name,
		    HL_GUEST_NAME_LEN - 1);
		return 2;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	return run(&a, &sigs);
}
