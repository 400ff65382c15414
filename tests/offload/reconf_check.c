/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Func-test client for FPGA reconfiguration (`fpga load`): a libhostlane
 * guest with live hardware sessions while hostlanectl swaps the image of
 * slot 0 underneath (hostlane's `fpga = sim`, images full / crc / math).
 *
 *   reconf_check RUNDIR GUEST HOSTLANECTL live      sessions across loads
 *   reconf_check RUNDIR GUEST HOSTLANECTL timeout   drain timeout, busy
 *
 * live: factorial HW-only, factorial ANY and crc32c HW-only sessions, all
 * placed on hardware; `fpga load 0 crc` runs while calls keep going:
 * crc32c calls always succeed with the right CRC; afterwards the ANY
 * factorial runs on software (right results), the HW-only one is unplaced
 * (calls and activating again E_HW_UNAVAIL); a new HW-only
 * factorial is refused, a new crc32c goes to hardware. `fpga load 0 full`
 * (calls running again): the HW-only factorial activates on hardware again.
 * Everything is closed at the end.
 *
 * timeout: a factorial job of seconds on the simulated unit (65M cycles);
 * `fpga load 0 crc timeout_ms=300` fails with timeout, and while another
 * load (timeout_ms=1000) waits a third gets busy; the long job still
 * completes right; the image stays "full".
 *
 * The loads run as child processes (posix_spawn), so this one thread keeps
 * calling meanwhile. Exit 0 if every check passed, else 1 with FAIL lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#include "oc_check.h"

#define FACT_MAX 20u		/* n for the factorial calls: n! fits */
#define CRC_MAX 512u		/* payload bytes for the crc32c calls */
#define LONG_REPS 1000000u	/* factorial(65) this often: seconds in sim */
#define POLL_MS 60000

extern char **environ;

static const char *rundir, *ctl;

static uint64_t
fact_ref(unsigned int n)
{
	uint64_t f = 1;

	for (unsigned int i = 2; i <= n; i++)
		f *= i;
	return f;
}

/* ---- the guest ---------------------------------------------------------- */

static struct hl_conn *
guest_connect(const char *guest)
{
	char path[512], secret[64];
	struct hl_opts o;
	struct hl_conn *c = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.sock", rundir, guest);
	snprintf(secret, sizeof(secret), "%s-secret", guest);
	hl_opts_init(&o);
	o.name = "reconf_check";
	o.timeout_ms = POLL_MS;	/* the long job takes seconds in sim */
	rc = hl_connect(path, secret, &o, &c);
	if (rc != HL_OK)
		FAIL("connect to %s: %s (%s)", path, hl_status_name(rc),
		     hl_connect_reason());
	return c;
}

/* Open and activate; the placement must be want. */
static struct hl_fn *
open_placed(struct hl_conn *c, const char *name, enum hl_placement ask,
	    enum hl_placement want)
{
	struct hl_fn *fn = NULL;
	enum hl_placement where;
	int rc = hl_fn_open(c, name, ask, &fn);

	if (rc == HL_OK)
		rc = hl_fn_activate(fn, &where);
	if (rc != HL_OK) {
		FAIL("open+activate %s: %s", name, hl_status_name(rc));
		return fn;
	}
	if (where != want)
		FAIL("%s placed %d, want %d", name, (int)where, (int)want);
	return fn;
}

/* One crc32c call of n pattern bytes; HL status, *ok if the CRC is right. */
static int
crc_call(struct hl_conn *c, struct hl_fn *fn, uint32_t n, bool *ok)
{
	static uint8_t buf[CRC_MAX];
	struct hl_completion cpl;
	int rc;

	for (uint32_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 7 + n);
	rc = hl_fn_submit(fn, buf, n, NULL, 0, n);
	if (rc != HL_OK)
		return rc;
	rc = hl_poll(c, &cpl, 1, POLL_MS);
	if (rc != 1)
		return rc < 0 ? -rc : HL_E_TIMEOUT;
	*ok = cpl.status == HL_OK && cpl.result == crc32c_ref(buf, n);
	return cpl.status;
}

static int
fact_call(struct hl_fn *fn, unsigned int n, bool *ok)
{
	uint64_t r = 0;
	int rc = hl_fn_call_u64(fn, n, 1, &r);

	*ok = rc == HL_OK && r == fact_ref(n);
	return rc;
}

/* ---- hostlanectl as a child ---------------------------------------------- */

/* Start `hostlanectl --json ARGS...`, output in RUNDIR/OUT. */
static pid_t
ctl_spawn(const char *out, const char *const *args)
{
	char sock[512], path[512];
	const char *argv[16] = { ctl, "--socket", sock, "--json" };
	posix_spawn_file_actions_t fa;
	unsigned int n = 4;
	pid_t pid;
	int rc;

	snprintf(sock, sizeof(sock), "%s/control.sock", rundir);
	snprintf(path, sizeof(path), "%s/%s", rundir, out);
	while (*args != NULL && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, path, O_WRONLY | O_CREAT |
					 O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawn(&pid, ctl, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		FAIL("spawn %s: %s", ctl, strerror(rc));
		return -1;
	}
	return pid;
}

/* Whether the child finished; its exit status in *st. */
static bool
ctl_done(pid_t pid, int *st)
{
	int ws;

	if (pid < 0) {
		*st = -1;
		return true;
	}
	if (waitpid(pid, &ws, WNOHANG) != pid)
		return false;
	*st = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	return true;
}

static int
ctl_wait(pid_t pid)
{
	int st;

	while (!ctl_done(pid, &st))
		usleep(10000);
	return st;
}

/* The child's output must contain each of the strings. */
static void
ctl_expect(const char *out, int st, int want_st, const char *const *has)
{
	char path[512], text[4096] = "";
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", rundir, out);
	f = fopen(path, "r");
	if (f != NULL) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	text[n] = '\0';
	if (st != want_st)
		FAIL("%s: hostlanectl exit %d, want %d: %s", out, st, want_st, text);
	for (; *has != NULL; has++)
		if (strstr(text, *has) == NULL)
			FAIL("%s: no '%s' in: %s", out, *has, text);
}

/* ---- live ---------------------------------------------------------------- */

struct live {
	struct hl_conn *c;
	struct hl_fn *fact_hw, *fact_any, *crc_hw;
	unsigned int crc_ok, fact_any_ok, fact_hw_ok, rounds;
};

/* One round of calls while a load may be under way: crc32c must always be
 * right; factorial may be right, or refused while the image changes. */
static void
live_round(struct live *l, bool fact_hw_on)
{
	unsigned int i = l->rounds++;
	bool ok = false;
	int rc;

	rc = crc_call(l->c, l->crc_hw, (i * 37) % CRC_MAX, &ok);
	if (rc != HL_OK || !ok)
		FAIL("crc32c call %u during a load: %s, %s", i,
		     hl_status_name(rc), ok ? "right" : "wrong CRC");
	l->crc_ok += ok;
	rc = fact_call(l->fact_any, i % (FACT_MAX + 1), &ok);
	if (rc != HL_OK && rc != HL_E_UNKNOWN_FN)
		FAIL("factorial ANY call %u during a load: %s", i, hl_status_name(rc));
	if (rc == HL_OK && !ok)
		FAIL("factorial ANY call %u: wrong result", i);
	l->fact_any_ok += ok;
	if (!fact_hw_on)
		return;
	rc = fact_call(l->fact_hw, i % (FACT_MAX + 1), &ok);
	if (rc != HL_OK && rc != HL_E_UNKNOWN_FN && rc != HL_E_HW_UNAVAIL)
		FAIL("factorial HW call %u during a load: %s", i, hl_status_name(rc));
	if (rc == HL_OK && !ok)
		FAIL("factorial HW call %u: wrong result", i);
	l->fact_hw_ok += ok;
}

/* Run `fpga load 0 IMAGE` while calls go on; @return its exit status. */
static int
live_load(struct live *l, const char *image, const char *out, bool fact_hw_on)
{
	const char *args[] = { "fpga", "load", "0", image, NULL };
	unsigned int before = l->crc_ok;
	pid_t pid = ctl_spawn(out, args);
	int st;

	while (!ctl_done(pid, &st))
		live_round(l, fact_hw_on);
	if (l->crc_ok == before)
		FAIL("no crc32c call completed while loading %s", image);
	return st;
}

/* After `fpga load 0 crc`: what each session does now. */
static void
live_after_crc(struct live *l)
{
	struct hl_fn *fn = NULL;
	enum hl_placement where;
	bool ok = false;
	int rc;

	for (unsigned int i = 0; i < 50; i++) {
		EXPECT_ST(crc_call(l->c, l->crc_hw, i * 9, &ok), HL_OK,
			  "crc32c on image crc");
		if (!ok)
			FAIL("crc32c on image crc: wrong CRC");
		EXPECT_ST(fact_call(l->fact_any, i % 21, &ok), HL_OK,
			  "factorial ANY on software");
		if (!ok)
			FAIL("factorial ANY on software: wrong result");
	}
	EXPECT_ST(fact_call(l->fact_hw, 5, &ok), HL_E_HW_UNAVAIL,
		  "factorial HW-only after its function left the slot");
	EXPECT_ST(hl_fn_activate(l->fact_hw, &where), HL_E_HW_UNAVAIL,
		  "activate factorial HW-only again on image crc");
	rc = hl_fn_open(l->c, "factorial", HL_PLACE_HW, &fn);
	EXPECT_ST(rc, HL_OK, "open a new factorial HW-only");
	if (rc == HL_OK) {
		EXPECT_ST(hl_fn_activate(fn, &where), HL_E_HW_UNAVAIL,
			  "activate a new factorial HW-only on image crc");
		EXPECT_ST(hl_fn_close(fn), HL_OK, "close it");
	}
	fn = open_placed(l->c, "crc32c", HL_PLACE_HW, HL_PLACE_HW);
	EXPECT_ST(fn != NULL ? hl_fn_close(fn) : HL_E_INVAL, HL_OK,
		  "a new crc32c on hardware");
}

static void
live_after_full(struct live *l)
{
	enum hl_placement where = HL_PLACE_ANY;
	bool ok = false;

	EXPECT_ST(hl_fn_activate(l->fact_hw, &where), HL_OK,
		  "activate factorial HW-only on image full");
	if (where != HL_PLACE_HW)
		FAIL("factorial HW-only placed %d on image full", (int)where);
	for (unsigned int n = 0; n <= FACT_MAX; n++) {
		EXPECT_ST(fact_call(l->fact_hw, n, &ok), HL_OK,
			  "factorial HW-only on image full");
		if (!ok)
			FAIL("factorial(%u) on image full: wrong result", n);
		EXPECT_ST(fact_call(l->fact_any, n, &ok), HL_OK,
			  "factorial ANY (still software)");
		if (!ok)
			FAIL("factorial(%u) ANY: wrong result", n);
		EXPECT_ST(crc_call(l->c, l->crc_hw, n * 3, &ok), HL_OK,
			  "crc32c on image full");
	}
}

static void
run_live(const char *guest)
{
	const char *crc_out[] = { "\"image\":\"crc\"", "\"previous\":\"full\"",
				  "\"functions\":[\"crc32c\"]",
				  "\"moved_to_software\":1", "\"unplaced\":1", NULL };
	const char *full_out[] = { "\"image\":\"full\"", "\"previous\":\"crc\"",
				   "\"lost\":[]", NULL };
	struct live l = { .c = guest_connect(guest) };

	if (l.c == NULL)
		return;
	l.fact_hw = open_placed(l.c, "factorial", HL_PLACE_HW, HL_PLACE_HW);
	l.fact_any = open_placed(l.c, "factorial", HL_PLACE_ANY, HL_PLACE_HW);
	l.crc_hw = open_placed(l.c, "crc32c", HL_PLACE_HW, HL_PLACE_HW);
	if (failures != 0)
		return;
	for (unsigned int i = 0; i < 20; i++)
		live_round(&l, true);
	ctl_expect("load_crc.out", live_load(&l, "crc", "load_crc.out", true), 0,
		   crc_out);
	live_after_crc(&l);
	ctl_expect("load_full.out", live_load(&l, "full", "load_full.out", false),
		   0, full_out);
	live_after_full(&l);
	printf("reconf_check live: %u rounds, %u crc32c right, %u factorial ANY "
	       "right, %u factorial HW right during loads\n", l.rounds, l.crc_ok,
	       l.fact_any_ok, l.fact_hw_ok);
	EXPECT_ST(hl_fn_close(l.fact_hw), HL_OK, "close factorial HW");
	EXPECT_ST(hl_fn_close(l.fact_any), HL_OK, "close factorial ANY");
	EXPECT_ST(hl_fn_close(l.crc_hw), HL_OK, "close crc32c");
	hl_disconnect(l.c);
}

/* ---- timeout ------------------------------------------------------------- */

static void
run_timeout(const char *guest)
{
	const char *slow[] = { "fpga", "load", "0", "crc", "timeout_ms=1000", NULL };
	const char *fast[] = { "fpga", "load", "0", "crc", "timeout_ms=300", NULL };
	const char *t_out[] = { "\"code\":\"timeout\"", "unchanged", NULL };
	const char *b_out[] = { "\"code\":\"busy\"", NULL };
	struct hl_conn *c = guest_connect(guest);
	struct hl_fn *fn;
	struct hl_completion cpl;
	pid_t p1, p2;
	int rc;

	if (c == NULL)
		return;
	fn = open_placed(c, "factorial", HL_PLACE_HW, HL_PLACE_HW);
	if (fn == NULL)
		return;
	EXPECT_ST(hl_fn_submit_u64(fn, 65, LONG_REPS, 1), HL_OK, "long factorial");
	usleep(100000);		/* it is on the unit now */
	ctl_expect("timeout.out", ctl_wait(ctl_spawn("timeout.out", fast)), 1, t_out);
	p1 = ctl_spawn("slow.out", slow);
	usleep(200000);		/* p1 is draining */
	p2 = ctl_spawn("busy.out", fast);
	ctl_expect("busy.out", ctl_wait(p2), 1, b_out);
	ctl_expect("slow.out", ctl_wait(p1), 1, t_out);
	rc = hl_poll(c, &cpl, 1, POLL_MS);
	if (rc != 1 || cpl.status != HL_OK || cpl.result != fact_ref(65))
		FAIL("long factorial: %d completions, %s, result 0x%" PRIx64, rc,
		     rc == 1 ? hl_status_name(cpl.status) : "-", cpl.result);
	EXPECT_ST(hl_fn_close(fn), HL_OK, "close factorial");
	hl_disconnect(c);
}

int
main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: reconf_check RUNDIR GUEST HOSTLANECTL "
			"live|timeout\n");
		return 2;
	}
	rundir = argv[1];
	ctl = argv[3];
	if (strcmp(argv[4], "live") == 0)
		run_live(argv[2]);
	else if (strcmp(argv[4], "timeout") == 0)
		run_timeout(argv[2]);
	else
		FAIL("unknown mode %s", argv[4]);
	return oc_report("reconf_check", argv[4]);
}
