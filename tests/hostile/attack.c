/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The attack suite's driver: hostile_attack GROUP RUNDIR HOSTLANE_PID [LOG]
 * runs one group of cases (ctl, rings, requests, reports, reports-budget)
 * against hostlane's guest
 * `evil` while guest `good` runs offload calls, and asserts every outcome.
 */
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hostlane/hostlane.h>

#include "attack.h"

#define GOT_MAX 512
#define LEAK_WAIT_MS 10000
#define BULK_CHECK_LEN (32u << 10)	/* clean-after's bulk echo */

static int baseline_fds = -1;

static int
vgot(struct ctx *c, const char *fmt, va_list ap)
{
	vsnprintf(c->got, c->got_len, fmt, ap);
	return 0;
}

int
got(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vgot(c, fmt, ap);
	va_end(ap);
	return 0;
}

int
bad(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vgot(c, fmt, ap);
	va_end(ap);
	return 1;
}

int
want_reason(struct ctx *c, struct evil *e, int rc, const char *want)
{
	int fail = rc != EVIL_REFUSED || strcmp(e->reason, want) != 0;

	if (rc == EVIL_REFUSED)
		got(c, "DISCONNECT \"%s\"", e->reason);
	else
		got(c, "%s%s%s", evil_rc_str(rc), e->err[0] ? ": " : "", e->err);
	evil_close(e);
	return fail;
}

int
want_disconnect(struct ctx *c, struct evil *e, const char *want)
{
	return want_reason(c, e, evil_wait_disconnect(e, EVIL_WAIT_MS), want);
}

int
up(struct ctx *c, struct evil *e)
{
	if (evil_up(e, c->evil_sock, EVIL_SECRET) == EVIL_OK)
		return 0;
	bad(c, "could not connect first: %s", e->err);
	evil_close(e);
	return 1;
}

int
still_works(struct ctx *c, struct evil *e)
{
	int rc = evil_hello(e);

	if (rc == EVIL_OK)
		return 0;
	return bad(c, "connection broken afterwards: %s %s %s", evil_rc_str(rc),
		   e->reason, e->err);
}

/* ---- checks after a group ---------------------------------------------- */

static int
count_fds(pid_t pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (dir == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/* Mappings of our memfds ("memfd:hostile-evil") still in hostlane. */
static int
count_evil_maps(pid_t pid)
{
	char path[64], line[512];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "hostile-") != NULL)
			n++;
	fclose(f);
	return n;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

void
leaks_baseline(struct ctx *c)
{
	baseline_fds = count_fds(c->hl_pid);
}

int
case_no_leaks(struct ctx *c)
{
	int fds = -1, maps = -1;

	if (baseline_fds < 0)
		return bad(c, "cannot read /proc/%d/fd", (int)c->hl_pid);
	/* Dropping a client is asynchronous: wait for the main lcore. */
	for (int t = 0; t < LEAK_WAIT_MS / 20; t++) {
		fds = count_fds(c->hl_pid);
		maps = count_evil_maps(c->hl_pid);
		if (fds <= baseline_fds && maps == 0)
			break;
		sleep_ms(20);
	}
	got(c, "hostlane fds %d (baseline %d), evil mappings %d", fds,
	    baseline_fds, maps);
	return fds > baseline_fds || maps != 0;
}

/* libhostlane on evil's socket: every session slot opens and works. */
int
case_clean_after(struct ctx *c)
{
	struct hl_fn *fns[EVIL_MAX_SESSIONS] = { NULL };
	static uint8_t big_in[BULK_CHECK_LEN], big_out[BULK_CHECK_LEN];
	struct hl_opts opts;
	struct hl_conn *conn = NULL;
	uint64_t r = 0;
	uint32_t len = 0, big_len = 0;
	char out[16] = { 0 };
	int st = HL_E_IO;

	hl_opts_init(&opts);
	opts.name = "clean-after";
	/* Rings and a bulk area that fit evil's max_region_size (1 MiB). */
	opts.bulk_bytes = 256u << 10;
	opts.bulk_slot = 128u << 10;
	for (uint32_t i = 0; i < BULK_CHECK_LEN; i++)
		big_in[i] = (uint8_t)(i * 13 + 5);
	/* The last attack's client may still be being dropped: retry busy. */
	for (int t = 0; t < 250; t++) {
		st = hl_connect(c->evil_sock, EVIL_SECRET, &opts, &conn);
		if (st != HL_E_REFUSED || strstr(hl_connect_reason(), "busy") == NULL)
			break;
		sleep_ms(20);
	}
	if (st != HL_OK)
		return bad(c, "connect: %s: %s", hl_strerror(st), hl_connect_reason());
	for (int i = 0; i < EVIL_MAX_SESSIONS && st == HL_OK; i++) {
		st = hl_fn_open(conn, i % 2 ? "echo" : "factorial", HL_PLACE_ANY, &fns[i]);
		if (st == HL_OK)
			st = hl_fn_activate(fns[i], NULL);
	}
	if (st == HL_OK)
		st = hl_fn_call_u64(fns[0], 20, 1, &r);
	if (st == HL_OK)
		st = hl_fn_call(fns[1], "evil?", 6, out, sizeof(out), &len);
	/* Larger than a frame: a bulk call through the shared region. */
	if (st == HL_OK)
		st = hl_fn_call(fns[1], big_in, BULK_CHECK_LEN, big_out,
				BULK_CHECK_LEN, &big_len);
	hl_disconnect(conn);
	if (st != HL_OK)
		return bad(c, "%s", hl_strerror(st));
	got(c, "%d sessions opened; factorial(20) = %llu, echo \"%s\", bulk echo "
	    "of %u bytes %s", EVIL_MAX_SESSIONS, (unsigned long long)r, out,
	    big_len, memcmp(big_in, big_out, BULK_CHECK_LEN) ? "WRONG" : "right");
	return r != 2432902008176640000ull || len != 6 || strcmp(out, "evil?") != 0 ||
	       big_len != BULK_CHECK_LEN || memcmp(big_in, big_out, BULK_CHECK_LEN) != 0;
}

/* ---- the harness --------------------------------------------------------- */

static bool
hostlane_up(pid_t pid)
{
	char path[64], buf[256];
	FILE *f;
	char *p;
	bool up = false;

	if (kill(pid, 0) != 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL)
		up = p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	fclose(f);
	return up;
}

struct tally {
	int pass, fail, xfail, xpass;
};

static void
run_case(struct ctx *c, const char *group, const struct hcase *hc,
	 struct tally *t)
{
	char gotbuf[GOT_MAX] = "";
	uint64_t before = good_total(&c->good);
	const char *verdict;
	int fail;

	c->got = gotbuf;
	c->got_len = sizeof(gotbuf);
	fail = hc->run(c);
	if (!hostlane_up(c->hl_pid)) {
		fail = 1;
		snprintf(gotbuf + strlen(gotbuf), sizeof(gotbuf) - strlen(gotbuf),
			 "; HOSTLANE DIED");
	}
	/* The good guest went on working through the attack. */
	if (good_wait_progress(&c->good, before, GOOD_NFN) < 0) {
		fail = 1;
		snprintf(gotbuf + strlen(gotbuf), sizeof(gotbuf) - strlen(gotbuf),
			 "; GOOD GUEST STALLED OR WRONG (%s)", c->good.err);
	}
	if (hc->bug != NULL) {
		verdict = fail ? "XFAIL" : "XPASS";
		if (fail)
			t->xfail++;
		else
			t->xpass++;
	} else {
		verdict = fail ? "FAIL" : "ok";
		if (fail)
			t->fail++;
		else
			t->pass++;
	}
	printf("%-5s %s/%s\n      expect: %s\n      got:    %s\n", verdict, group,
	       hc->name, hc->expect, gotbuf);
	if (hc->bug != NULL)
		printf("      known bug: %s\n", hc->bug);
	fflush(stdout);
}

static const struct hcase *
group_cases(const char *group)
{
	if (strcmp(group, "ctl") == 0)
		return hostile_ctl_cases;
	if (strcmp(group, "rings") == 0)
		return hostile_ring_cases;
	if (strcmp(group, "requests") == 0)
		return hostile_req_cases;
	if (strcmp(group, "reports") == 0)
		return hostile_report_cases;
	if (strcmp(group, "reports-budget") == 0)
		return hostile_budget_cases;
	return NULL;
}

static const struct hcase finals[] = {
	{ "clean-after", "a libhostlane client on evil's socket opens max_sessions "
	  "functions and calls them correctly, a 32 KiB bulk echo too (no state "
	  "left by the attacks)",
	  case_clean_after, NULL },
	{ "no-leaks", "hostlane's fd count back to its baseline, no evil region "
	  "still mapped", case_no_leaks, NULL },
	{ NULL, NULL, NULL, NULL },
};

int
main(int argc, char **argv)
{
	static struct ctx c;
	const struct hcase *cases;
	struct tally t = { 0 };
	uint64_t total;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 4 || argc > 5 || (cases = group_cases(argv[1])) == NULL) {
		fprintf(stderr, "usage: %s ctl|rings|requests|reports|reports-budget "
			"RUNDIR HOSTLANE_PID [LOG]\n",
			argv[0]);
		return 2;
	}
	snprintf(c.evil_sock, sizeof(c.evil_sock), "%s/evil.sock", argv[2]);
	snprintf(c.good_sock, sizeof(c.good_sock), "%s/good.sock", argv[2]);
	snprintf(c.novf_sock, sizeof(c.novf_sock), "%s/novf.sock", argv[2]);
	c.hl_pid = (pid_t)atoi(argv[3]);
	c.log = argc == 5 ? argv[4] : NULL;
	if (good_start(&c.good, c.good_sock, GOOD_SECRET) < 0) {
		fprintf(stderr, "FAIL: the good guest could not start: %s\n", c.good.err);
		return 1;
	}
	leaks_baseline(&c);
	for (const struct hcase *hc = cases; hc->name != NULL; hc++)
		run_case(&c, argv[1], hc, &t);
	for (const struct hcase *hc = finals; hc->name != NULL; hc++)
		run_case(&c, argv[1], hc, &t);
	good_stop(&c.good);
	total = good_total(&c.good);
	printf("good guest: %llu calls correct (factorial %llu, fibonacci %llu, "
	       "crc32c %llu, echo %llu), %llu wrong, %llu failed%s%s\n",
	       (unsigned long long)total,
	       (unsigned long long)c.good.ok[GOOD_FACTORIAL],
	       (unsigned long long)c.good.ok[GOOD_FIBONACCI],
	       (unsigned long long)c.good.ok[GOOD_CRC32C],
	       (unsigned long long)c.good.ok[GOOD_ECHO],
	       (unsigned long long)c.good.wrong, (unsigned long long)c.good.failed,
	       c.good.err[0] ? ": " : "", c.good.err);
	printf("%s: %d passed, %d failed, %d known bugs (xfail), %d xpass\n",
	       argv[1], t.pass, t.fail, t.xfail, t.xpass);
	if (c.good.wrong != 0 || c.good.failed != 0)
		return 1;
	return t.fail != 0 || t.xpass != 0;
}
