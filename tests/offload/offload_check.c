/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Func-test client: a libhostlane guest that drives the real hostlane
 * binary through VirtFun's phases and checks every answer.
 *
 *   offload_check RUNDIR phases                  every phase on guest gb
 *   offload_check RUNDIR nacks                   every nack reason (ga, gb, gc)
 *   offload_check RUNDIR stress COUNT            COUNT async calls on gb
 *   offload_check RUNDIR hold GUEST FN N         N sessions, stream calls
 *   offload_check RUNDIR opens GUEST FN N NEXT   N opens OK, the next → NEXT
 *   offload_check RUNDIR forged GUEST ID...      ids never given: BAD_SESSION
 *   offload_check RUNDIR isolation               ga's session id on gb
 *   offload_check RUNDIR refused-set             GET after a refused SET
 *   offload_check RUNDIR restart GUEST GOFILE    host restarts under us
 *
 * Guest NAME's socket is RUNDIR/NAME.sock and its secret "NAME-secret"
 * (tests/offload/lib.sh writes that config). Exit 0 if every check passed,
 * 1 otherwise; each failed check prints one "FAIL" line saying what.
 *
 * Forged and malformed requests. The public API cannot name a session id
 * it did not get from hl_fn_open() on the same connection, nor a closed
 * one (hl_fn_close() frees the handle). The checks that need that call the
 * private hl_conn_call() (guestlib/hl_conn.h, from the static library): it
 * builds a genuine libhostlane request frame — real req_id matching, real
 * HELLO'd connection — in which the session, the args and the payload are
 * whatever the test chooses. That is what a hostile guest could put on the
 * wire, without having to reimplement the memif client.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hl_conn.h"
#include "oc_check.h"

#define FACT_MAX 65u		/* largest n factorial accepts */
#define FIB_MAX 93u		/* largest n fibonacci accepts */
#define CAPACITY 6u		/* [hostlane] function_capacity in the test config */
#define MAX_REPS 1000000u	/* [hostlane] max_repetitions in the test config */
#define GA_SESSIONS 4u		/* [guest ga] max_sessions */
#define GB_SESSIONS 8u		/* [guest gb] max_sessions */
#define HEAVY_REPS 500000u	/* factorial(65) this often: tens of ms */
#define POLL_MS 10000		/* bound on one wait for a completion */
#define HOLD_MAX 16		/* sessions a hold client may open */
#define WAIT_FILE_S 60		/* bound on waiting for the shell */

static const char *rundir;

static int
report(const char *cmd)
{
	return oc_report("offload_check", cmd);
}

/* ---- expected values, computed here and not by the host's kernels ----- */

static uint64_t fact_tab[FACT_MAX + 1];
static uint64_t fib_tab[FIB_MAX + 1];

static void
tables_init(void)
{
	fact_tab[0] = 1;
	for (unsigned int i = 1; i <= FACT_MAX; i++)
		fact_tab[i] = fact_tab[i - 1] * i;	/* wraps mod 2^64 */
	fib_tab[0] = 0;
	fib_tab[1] = 1;
	for (unsigned int i = 2; i <= FIB_MAX; i++)
		fib_tab[i] = fib_tab[i - 1] + fib_tab[i - 2];
}

static void
fill_pattern(uint8_t *buf, size_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
}

/* ---- connections and functions ----------------------------------------- */

static struct hl_conn *
connect_guest_ring(const char *guest, enum hl_reconnect policy,
		   unsigned int log2_ring)
{
	char path[512], secret[64];
	struct hl_opts o;
	struct hl_conn *c;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.sock", rundir, guest);
	snprintf(secret, sizeof(secret), "%s-secret", guest);
	hl_opts_init(&o);
	o.name = "offload_check";
	o.reconnect = policy;
	if (log2_ring != 0)
		o.log2_ring_size = log2_ring;
	rc = hl_connect(path, secret, &o, &c);
	if (rc != HL_OK) {
		FAIL("connect to guest %s at %s: %s (%s)", guest, path,
		     hl_status_name(rc), hl_connect_reason());
		return NULL;
	}
	return c;
}

static struct hl_conn *
connect_guest_as(const char *guest, enum hl_reconnect policy)
{
	return connect_guest_ring(guest, policy, 0);
}

static struct hl_conn *
connect_guest(const char *guest)
{
	return connect_guest_as(guest, HL_RECONNECT_AUTO);
}

static struct hl_conn *
connect_guest_never(const char *guest)
{
	return connect_guest_as(guest, HL_RECONNECT_NEVER);
}

/* Open and activate; *fn stays NULL unless both succeeded. */
static int
open_active(struct hl_conn *c, const char *name, enum hl_placement place,
	    struct hl_fn **fn)
{
	enum hl_placement where;
	int rc = hl_fn_open(c, name, place, fn);

	if (rc != HL_OK)
		return rc;
	rc = hl_fn_activate(*fn, &where);
	if (rc != HL_OK) {
		hl_fn_close(*fn);
		*fn = NULL;
	}
	return rc;
}

/* A request on any session id, through the private request path. */
static int
raw_req(struct hl_conn *c, uint16_t op, uint32_t session, uint64_t arg0,
	uint64_t arg1, const void *in, uint32_t in_len, struct hl_result *res)
{
	struct hl_req r = { .opcode = op, .session = session, .arg0 = arg0,
			    .arg1 = arg1, .in = in, .in_len = in_len };
	struct hl_result scratch;

	return hl_conn_call(c, &r, res != NULL ? res : &scratch);
}

static const uint16_t session_ops[] = {
	HL_OP_FN_CALL, HL_OP_FN_SET, HL_OP_FN_GET, HL_OP_FN_RESET,
	HL_OP_FN_ACTIVATE, HL_OP_FN_CLOSE,
};

/* Every per-session opcode on session id on c must be refused as BAD_SESSION. */
static void
expect_bad_session(struct hl_conn *c, uint32_t id, const char *why)
{
	for (size_t i = 0; i < sizeof(session_ops) / sizeof(session_ops[0]); i++) {
		uint16_t op = session_ops[i];
		int rc = raw_req(c, op, id, 20, 1, NULL, 0, NULL);

		EXPECT_ST(rc, HL_E_BAD_SESSION, "%s on session 0x%08x (%s)",
			  hl_proto_opcode_name(op), id, why);
	}
}

static void
close_all(struct hl_fn **fns, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (fns[i] != NULL)
			EXPECT_ST(hl_fn_close(fns[i]), HL_OK, "close session %u", i);
		fns[i] = NULL;
	}
}

static uint32_t
fn_session(const struct hl_fn *fn)
{
	return fn->session;
}

static int
status_by_name(const char *s)
{
	for (int st = 0; st < 200; st++)
		if (strcmp(hl_status_name(st), s) == 0 ||
		    strcmp(hl_status_name(st) + 3, s) == 0)
			return st;
	return -1;
}

static bool
wait_file(const char *path)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < WAIT_FILE_S * 100; i++) {
		if (access(path, F_OK) == 0)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* ---- phases: negotiate, activate, compute, release --------------------- */

static void
phase_echo(struct hl_conn *c)
{
	static const uint32_t sizes[] = { 0, 1, 63, 64, 65, 1000, 1983, 1984 };
	static uint8_t in[HL_PAYLOAD_MAX + 1], out[HL_FRAME_MAX];
	enum hl_placement where;
	struct hl_fn *fn;
	uint32_t len;
	int rc;

	rc = hl_fn_open(c, "echo", HL_PLACE_SW, &fn);
	if (!EXPECT_ST(rc, HL_OK, "open echo SW"))
		return;
	EXPECT_U64(hl_fn_placement(fn), HL_PLACE_SW, "echo: placement after open");
	rc = hl_fn_activate(fn, &where);
	EXPECT_ST(rc, HL_OK, "activate echo");
	EXPECT_U64(where, HL_PLACE_SW, "echo: activated placement");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i];

		fill_pattern(in, n, n + 1);
		memset(out, 0xA5, sizeof(out));
		len = UINT32_MAX;
		rc = hl_fn_call(fn, in, n, out, sizeof(out), &len);
		EXPECT_ST(rc, HL_OK, "echo call, %u bytes", n);
		EXPECT_U64(len, n, "echo call: out_len of a %u-byte payload", n);
		if (memcmp(in, out, n) != 0)
			FAIL("echo call: %u-byte payload came back different", n);
		if (out[n] != 0xA5)
			FAIL("echo call: %u-byte payload: byte %u written", n, n);
	}
	/* Output larger than the buffer: first out_cap bytes, full length. */
	fill_pattern(in, 1984, 99);
	memset(out, 0xA5, sizeof(out));
	rc = hl_fn_call(fn, in, 1984, out, 100, &len);
	EXPECT_ST(rc, HL_E_TOO_LARGE, "echo call, 1984 bytes into a 100-byte buffer");
	EXPECT_U64(len, 1984, "echo into small buffer: out_len");
	if (memcmp(in, out, 100) != 0 || out[100] != 0xA5)
		FAIL("echo into small buffer: not exactly the first 100 bytes");
	/* One byte more than a frame: a bulk call through shared memory. */
	fill_pattern(in, HL_PAYLOAD_MAX + 1, 5);
	memset(out, 0, sizeof(out));
	rc = hl_fn_call(fn, in, HL_PAYLOAD_MAX + 1, out, sizeof(out), &len);
	EXPECT_ST(rc, HL_OK, "echo call, 1985 bytes (a bulk call)");
	EXPECT_U64(len, HL_PAYLOAD_MAX + 1, "echo bulk call: out_len");
	if (memcmp(in, out, HL_PAYLOAD_MAX + 1) != 0)
		FAIL("echo bulk call: 1985 bytes came back different");
	/* set + get carries the payload too. */
	fill_pattern(in, 1984, 7);
	rc = hl_fn_set(fn, in, 1984, 0, 0, NULL);
	EXPECT_ST(rc, HL_OK, "echo set, 1984 bytes");
	memset(out, 0, sizeof(out));
	enum hl_fn_state st = HL_FN_NONE;
	rc = hl_fn_get(fn, out, sizeof(out), &len, NULL, &st);
	EXPECT_ST(rc, HL_OK, "echo get after set");
	EXPECT_U64(st, HL_FN_DONE, "echo get: state");
	EXPECT_U64(len, 1984, "echo get: out_len");
	if (memcmp(in, out, 1984) != 0)
		FAIL("echo get: 1984-byte payload came back different");
	EXPECT_ST(hl_fn_close(fn), HL_OK, "close echo");
}

static void
phase_scalar(struct hl_conn *c, const char *name, unsigned int max,
	     const uint64_t *tab)
{
	struct hl_fn *fn;
	uint64_t r;
	int rc = open_active(c, name, HL_PLACE_SW, &fn);

	if (!EXPECT_ST(rc, HL_OK, "open+activate %s", name))
		return;
	for (unsigned int n = 0; n <= max; n++) {
		r = ~0ull;
		rc = hl_fn_call_u64(fn, n, 1 + n % 3, &r);
		EXPECT_ST(rc, HL_OK, "%s(%u)", name, n);
		EXPECT_U64(r, tab[n], "%s(%u)", name, n);
	}
	r = 0;
	rc = hl_fn_call_u64(fn, max, 1000, &r);
	EXPECT_ST(rc, HL_OK, "%s(%u) x1000", name, max);
	EXPECT_U64(r, tab[max], "%s(%u) x1000 repetitions", name, max);
	EXPECT_ST(hl_fn_close(fn), HL_OK, "close %s", name);
}

static void
phase_crc(struct hl_conn *c)
{
	static uint8_t buf[HL_PAYLOAD_MAX];
	struct hl_fn *fn;
	uint32_t len = 0;
	uint64_t r = 0;
	int rc = open_active(c, "crc32c", HL_PLACE_SW, &fn);

	if (!EXPECT_ST(rc, HL_OK, "open+activate crc32c"))
		return;
	rc = hl_fn_set(fn, "123456789", 9, 0, 0, NULL);
	EXPECT_ST(rc, HL_OK, "crc32c set \"123456789\"");
	rc = hl_fn_get(fn, NULL, 0, &len, &r, NULL);
	EXPECT_ST(rc, HL_OK, "crc32c get");
	EXPECT_U64(r, 0xE3069283u, "crc32c(\"123456789\") by set+get");
	EXPECT_U64(crc32c_ref((const uint8_t *)"123456789", 9), 0xE3069283u,
		   "the test's own CRC-32C");
	/* FN_CALL carries the payload; the result is in reply arg0. */
	for (uint32_t n = 0; n <= HL_PAYLOAD_MAX; n += n < 16 ? 1 : 331) {
		struct hl_result res;

		fill_pattern(buf, n, n + 1000);
		rc = raw_req(c, HL_OP_FN_CALL, fn_session(fn), 0, 0, buf, n, &res);
		EXPECT_ST(rc, HL_OK, "crc32c call, %u bytes", n);
		EXPECT_U64(res.arg0, crc32c_ref(buf, n), "crc32c of %u bytes", n);
	}
	fill_pattern(buf, HL_PAYLOAD_MAX, 5);
	rc = hl_fn_set(fn, buf, HL_PAYLOAD_MAX, 0, 0, NULL);
	EXPECT_ST(rc, HL_OK, "crc32c set 1984 bytes");
	rc = hl_fn_get(fn, NULL, 0, NULL, &r, NULL);
	EXPECT_ST(rc, HL_OK, "crc32c get 1984 bytes");
	EXPECT_U64(r, crc32c_ref(buf, HL_PAYLOAD_MAX), "crc32c of 1984 bytes");
	EXPECT_ST(hl_fn_close(fn), HL_OK, "close crc32c");
}

/* set → get (DONE, result); get before set, reset → get: BAD_STATE; close. */
static void
phase_set_get(struct hl_conn *c)
{
	enum hl_fn_state st = HL_FN_NONE;
	struct hl_fn *fn;
	uint64_t r = 0;
	uint32_t id;
	int rc = open_active(c, "factorial", HL_PLACE_SW, &fn);

	if (!EXPECT_ST(rc, HL_OK, "open+activate factorial"))
		return;
	rc = hl_fn_get(fn, NULL, 0, NULL, &r, &st);
	EXPECT_ST(rc, HL_E_BAD_STATE, "get before any set");
	rc = hl_fn_set(fn, NULL, 0, 20, 1, &st);
	EXPECT_ST(rc, HL_OK, "set factorial(20)");
	if (st != HL_FN_BUSY && st != HL_FN_DONE)
		FAIL("set: state %d, want BUSY or DONE", st);
	for (int i = 0; i < 1000; i++) {	/* BUSY is allowed; bounded */
		rc = hl_fn_get(fn, NULL, 0, NULL, &r, &st);
		if (rc != HL_OK || st != HL_FN_BUSY)
			break;
	}
	EXPECT_ST(rc, HL_OK, "get after set");
	EXPECT_U64(st, HL_FN_DONE, "get after set: state");
	EXPECT_U64(r, 2432902008176640000ull, "get after set: factorial(20)");
	rc = hl_fn_get(fn, NULL, 0, NULL, &r, &st);
	EXPECT_ST(rc, HL_OK, "second get");
	EXPECT_U64(r, fact_tab[20], "second get keeps the result");
	EXPECT_ST(hl_fn_reset(fn), HL_OK, "reset");
	rc = hl_fn_get(fn, NULL, 0, NULL, &r, &st);
	EXPECT_ST(rc, HL_E_BAD_STATE, "get after reset");
	EXPECT_ST(hl_fn_reset(fn), HL_OK, "reset twice");
	rc = hl_fn_set(fn, NULL, 0, 51, 10, &st);
	EXPECT_ST(rc, HL_OK, "set after reset");
	rc = hl_fn_get(fn, NULL, 0, NULL, &r, &st);
	EXPECT_ST(rc, HL_OK, "get after set after reset");
	EXPECT_U64(r, fact_tab[51], "factorial(51) after reset");
	id = fn_session(fn);
	EXPECT_ST(hl_fn_close(fn), HL_OK, "close factorial");
	expect_bad_session(c, id, "after close");
}

/* BYE releases every session of the connection, on both sides. */
static void
phase_bye(struct hl_conn *c)
{
	static const char *const fns[] = { "echo", "factorial", "fibonacci", "crc32c" };
	struct hl_fn *fn[GB_SESSIONS + 1] = { 0 };
	uint32_t id[2];
	int rc;

	for (unsigned int i = 0; i < 2; i++) {
		rc = open_active(c, fns[i], HL_PLACE_SW, &fn[i]);
		if (!EXPECT_ST(rc, HL_OK, "open+activate %s before BYE", fns[i]))
			return;
		id[i] = fn_session(fn[i]);
	}
	EXPECT_ST(raw_req(c, HL_OP_BYE, 0, 0, 0, NULL, 0, NULL), HL_OK, "BYE");
	for (unsigned int i = 0; i < 2; i++)
		expect_bad_session(c, id[i], "after BYE");
	for (unsigned int i = 0; i < 2; i++)
		hl_fn_close(fn[i]);	/* frees the handles; the host says BAD_SESSION */
	/* The quota is whole again: max_sessions opens, then QUOTA. */
	for (unsigned int i = 0; i < GB_SESSIONS; i++)
		EXPECT_ST(hl_fn_open(c, fns[i % 4], HL_PLACE_SW, &fn[i]), HL_OK,
			  "open %s #%u after BYE", fns[i % 4], i + 1);
	rc = hl_fn_open(c, "echo", HL_PLACE_SW, &fn[GB_SESSIONS]);
	EXPECT_ST(rc, HL_E_QUOTA, "open #%u after BYE", GB_SESSIONS + 1);
	close_all(fn, GB_SESSIONS);
}

static int
cmd_phases(void)
{
	struct hl_conn *c = connect_guest("gb");

	if (c == NULL)
		return report("phases");
	EXPECT_U64(hl_conn_host_version(c), HL_PROTO_VERSION, "host version");
	phase_echo(c);
	phase_scalar(c, "factorial", FACT_MAX, fact_tab);
	phase_scalar(c, "fibonacci", FIB_MAX, fib_tab);
	EXPECT_U64(fib_tab[93], 12200160415121876738ull, "the test's fib(93)");
	phase_crc(c);
	phase_set_get(c);
	phase_bye(c);
	hl_disconnect(c);
	return report("phases");
}

/* ---- nacks ---------------------------------------------------------------- */

static void
nack_names(struct hl_conn *a)
{
	static struct hl_fn sentinel;
	struct hl_fn *fn = &sentinel;
	int rc = hl_fn_open(a, "nosuchfn", HL_PLACE_SW, &fn);

	EXPECT_ST(rc, HL_E_UNKNOWN_FN, "open an unknown function");
	if (fn != NULL)
		FAIL("a nacked open returned a function");
	rc = hl_fn_open(a, "crc32c", HL_PLACE_SW, &fn);
	EXPECT_ST(rc, HL_E_PERM, "ga opens crc32c (not in its functions)");
	rc = hl_fn_open(a, "nosuchfn", HL_PLACE_HW, &fn);
	EXPECT_ST(rc, HL_E_UNKNOWN_FN, "open an unknown function on hardware");
}

/* Malformed FN_OPEN payloads, only a forged frame can carry. */
static void
nack_bad_open(struct hl_conn *a)
{
	struct hl_fn_open o;
	int rc;

	memset(&o, 0, sizeof(o));
	strcpy(o.name, "echo");
	o.placement = 3;
	rc = raw_req(a, HL_OP_FN_OPEN, 0, 0, 0, &o, sizeof(o), NULL);
	EXPECT_ST(rc, HL_E_BAD_REQUEST, "FN_OPEN with placement 3");
	o.placement = HL_PLACE_SW;
	strcpy(o.name, "ec/ho");
	rc = raw_req(a, HL_OP_FN_OPEN, 0, 0, 0, &o, sizeof(o), NULL);
	EXPECT_ST(rc, HL_E_BAD_REQUEST, "FN_OPEN with name \"ec/ho\"");
	strcpy(o.name, "echo");
	rc = raw_req(a, HL_OP_FN_OPEN, 5, 0, 0, &o, sizeof(o), NULL);
	EXPECT_ST(rc, HL_E_BAD_REQUEST, "FN_OPEN with a session id");
	rc = raw_req(a, HL_OP_FN_OPEN, 0, 0, 0, &o, sizeof(o) - 1, NULL);
	EXPECT_ST(rc, HL_E_BAD_LENGTH, "FN_OPEN with a 39-byte payload");
}

/* Quota per guest, capacity per function across ga and gb. */
static void
nack_quota_capacity(struct hl_conn *a, struct hl_conn *b)
{
	struct hl_fn *fa[GA_SESSIONS + 1] = { 0 }, *fb[CAPACITY] = { 0 }, *x;
	unsigned int nb = CAPACITY - GA_SESSIONS;
	int rc;

	for (unsigned int i = 0; i < GA_SESSIONS; i++)
		EXPECT_ST(hl_fn_open(a, "fibonacci", HL_PLACE_SW, &fa[i]), HL_OK,
			  "ga opens fibonacci #%u of its quota %u", i + 1, GA_SESSIONS);
	rc = hl_fn_open(a, "fibonacci", HL_PLACE_SW, &x);
	EXPECT_ST(rc, HL_E_QUOTA, "ga opens fibonacci beyond max_sessions");
	rc = hl_fn_open(a, "echo", HL_PLACE_SW, &x);
	EXPECT_ST(rc, HL_E_QUOTA, "ga opens echo beyond max_sessions");
	for (unsigned int i = 0; i < nb; i++)
		EXPECT_ST(hl_fn_open(b, "fibonacci", HL_PLACE_SW, &fb[i]), HL_OK,
			  "gb opens fibonacci, %u of capacity %u in use", GA_SESSIONS + i,
			  CAPACITY);
	rc = hl_fn_open(b, "fibonacci", HL_PLACE_ANY, &x);
	EXPECT_ST(rc, HL_E_NO_CAPACITY, "gb opens fibonacci at capacity (ga %u, gb %u)",
		  GA_SESSIONS, nb);
	rc = hl_fn_open(b, "factorial", HL_PLACE_SW, &x);
	EXPECT_ST(rc, HL_OK, "gb opens factorial while fibonacci is full");
	if (rc == HL_OK)
		hl_fn_close(x);
	/* Capacity freed by ga is gb's to take, and then full again for ga. */
	EXPECT_ST(hl_fn_close(fa[0]), HL_OK, "ga closes one fibonacci");
	fa[0] = NULL;
	EXPECT_ST(hl_fn_open(b, "fibonacci", HL_PLACE_SW, &fb[nb]), HL_OK,
		  "gb opens fibonacci after ga released one");
	rc = hl_fn_open(a, "fibonacci", HL_PLACE_SW, &x);
	EXPECT_ST(rc, HL_E_NO_CAPACITY, "ga re-opens fibonacci, capacity taken by gb");
	/* The quota counts sessions, not opens: ga has room for another fn. */
	rc = hl_fn_open(a, "echo", HL_PLACE_SW, &fa[0]);
	EXPECT_ST(rc, HL_OK, "ga opens echo with one session free");
	close_all(fa, GA_SESSIONS);
	close_all(fb, nb + 1);
	for (unsigned int i = 0; i < GA_SESSIONS; i++)
		EXPECT_ST(hl_fn_open(a, "fibonacci", HL_PLACE_SW, &fa[i]), HL_OK,
			  "ga opens fibonacci #%u after all were closed", i + 1);
	close_all(fa, GA_SESSIONS);
}

/* Hardware asked for, none here: nack at activate, then software works. */
static void
nack_hw_fallback(struct hl_conn *b)
{
	static const enum hl_placement retry[] = { HL_PLACE_SW, HL_PLACE_ANY };
	enum hl_placement where = HL_PLACE_SW;
	struct hl_fn *fn;
	uint64_t r = 0;
	int rc = hl_fn_open(b, "factorial", HL_PLACE_HW, &fn);

	if (!EXPECT_ST(rc, HL_OK, "open factorial on HW (negotiation)"))
		return;
	rc = hl_fn_activate(fn, &where);
	EXPECT_ST(rc, HL_E_HW_UNAVAIL, "activate factorial on HW");
	EXPECT_U64(where, HL_PLACE_ANY, "placement reported by a nacked activate");
	rc = hl_fn_call_u64(fn, 5, 1, &r);
	EXPECT_ST(rc, HL_E_BAD_STATE, "call on a session whose activation failed");
	EXPECT_ST(hl_fn_close(fn), HL_OK, "close the HW session");
	for (size_t i = 0; i < 2; i++) {
		const char *pn = retry[i] == HL_PLACE_SW ? "SW" : "ANY";

		rc = hl_fn_open(b, "factorial", retry[i], &fn);
		if (!EXPECT_ST(rc, HL_OK, "fallback: open factorial %s", pn))
			continue;
		if (retry[i] == HL_PLACE_ANY && hl_fn_placement(fn) != HL_PLACE_SW &&
		    hl_fn_placement(fn) != HL_PLACE_HW)
			printf("NOTE: FN_OPEN(ANY) reply arg0 = %d, not a reserved "
			       "placement (docs/protocol.md says 1 HW, 2 SW)\n",
			       (int)hl_fn_placement(fn));
		rc = hl_fn_activate(fn, &where);
		EXPECT_ST(rc, HL_OK, "fallback: activate factorial %s", pn);
		EXPECT_U64(where, HL_PLACE_SW, "fallback %s: runs on software", pn);
		EXPECT_U64(hl_fn_placement(fn), HL_PLACE_SW, "fallback %s: placement", pn);
		rc = hl_fn_call_u64(fn, 20, 3, &r);
		EXPECT_ST(rc, HL_OK, "fallback %s: call factorial(20)", pn);
		EXPECT_U64(r, fact_tab[20], "fallback %s: factorial(20)", pn);
		EXPECT_ST(hl_fn_close(fn), HL_OK, "fallback %s: close", pn);
	}
}

static void
nack_session_state(struct hl_conn *b)
{
	struct hl_fn *fn;
	uint64_t r;
	int rc = hl_fn_open(b, "fibonacci", HL_PLACE_SW, &fn);

	if (!EXPECT_ST(rc, HL_OK, "open fibonacci"))
		return;
	rc = hl_fn_call_u64(fn, 10, 1, &r);
	EXPECT_ST(rc, HL_E_BAD_STATE, "call before activate");
	rc = hl_fn_set(fn, NULL, 0, 10, 1, NULL);
	EXPECT_ST(rc, HL_E_BAD_STATE, "set before activate");
	EXPECT_ST(hl_fn_activate(fn, NULL), HL_OK, "activate fibonacci");
	EXPECT_ST(hl_fn_activate(fn, NULL), HL_E_BAD_STATE, "activate twice");
	rc = hl_fn_get(fn, NULL, 0, NULL, &r, NULL);
	EXPECT_ST(rc, HL_E_BAD_STATE, "get before any set");
	EXPECT_ST(hl_fn_call_u64(fn, 94, 1, &r), HL_E_BAD_REQUEST, "fibonacci(94)");
	EXPECT_ST(hl_fn_call_u64(fn, 10, 0, &r), HL_E_BAD_REQUEST,
		  "fibonacci(10), 0 repetitions");
	rc = hl_fn_call_u64(fn, 10, (uint64_t)MAX_REPS + 1, &r);
	if (rc == HL_OK || rc >= HL_E_TIMEOUT)
		FAIL("fibonacci(10) x %u (above max_repetitions) answered %s, "
		     "want a refusal from the host", MAX_REPS + 1, hl_status_name(rc));
	else
		printf("ok: repetitions above max_repetitions refused with %s\n",
		       hl_status_name(rc));
	EXPECT_ST(hl_fn_call_u64(fn, 93, 1, &r), HL_OK, "fibonacci(93) after nacks");
	EXPECT_U64(r, fib_tab[93], "fibonacci(93) after nacks");
	/* Session ids nobody was given: 0, made up, and a closed one. */
	expect_bad_session(b, 0, "id 0");
	expect_bad_session(b, 0xdead0001u, "made-up id");
	expect_bad_session(b, fn_session(fn) + 0x10000u, "next generation of a live slot");
	uint32_t id = fn_session(fn);
	EXPECT_ST(hl_fn_close(fn), HL_OK, "close fibonacci");
	expect_bad_session(b, id, "closed id");

	rc = open_active(b, "factorial", HL_PLACE_SW, &fn);
	if (!EXPECT_ST(rc, HL_OK, "open+activate factorial"))
		return;
	EXPECT_ST(hl_fn_call_u64(fn, 66, 1, &r), HL_E_BAD_REQUEST, "factorial(66)");
	EXPECT_ST(hl_fn_set(fn, NULL, 0, 66, 1, NULL), HL_E_BAD_REQUEST,
		  "set factorial(66)");
	EXPECT_ST(hl_fn_call_u64(fn, 65, 1, &r), HL_OK, "factorial(65)");
	EXPECT_U64(r, fact_tab[65], "factorial(65) mod 2^64");
	EXPECT_ST(hl_fn_close(fn), HL_OK, "close factorial");
}

/*
 * More calls in flight than gc's max_inflight (1). The software backend
 * runs a job inside submit, so while the heavy first call computes the
 * rest pile up in the ring and arrive in one burst; all but one of a burst
 * beyond the limit must be refused with BUSY. Rounds are bounded.
 */
static void
nack_busy(void)
{
	struct hl_conn *c = connect_guest("gc");
	struct hl_completion comp[64];
	struct hl_fn *fn;
	unsigned int busy = 0, ok = 0, round;
	const unsigned int burst = 32;
	int rc;

	if (c == NULL)
		return;
	rc = open_active(c, "factorial", HL_PLACE_SW, &fn);
	if (!EXPECT_ST(rc, HL_OK, "gc: open+activate factorial")) {
		hl_disconnect(c);
		return;
	}
	for (round = 0; round < 20 && busy == 0; round++) {
		unsigned int done = 0;

		for (uint64_t t = 0; t < burst; t++) {
			rc = hl_fn_submit_u64(fn, t == 0 ? FACT_MAX : t,
					      t == 0 ? HEAVY_REPS : 1, t);
			EXPECT_ST(rc, HL_OK, "gc: submit %" PRIu64, t);
		}
		while (done < burst) {
			int n = hl_poll(c, comp, 64, POLL_MS);

			if (n <= 0) {
				FAIL("gc: hl_poll returned %d (%s) with %u of %u done",
				     n, hl_status_name(-n), done, burst);
				break;
			}
			for (int i = 0; i < n; i++) {
				uint64_t t = comp[i].tag;

				done++;
				if (comp[i].status == HL_E_BUSY) {
					busy++;
					if (t == 0)
						FAIL("gc: the first call of a round was BUSY");
					continue;
				}
				ok++;
				if (EXPECT_ST(comp[i].status, HL_OK, "gc: call %" PRIu64, t))
					EXPECT_U64(comp[i].result, fact_tab[t == 0 ? FACT_MAX : t],
						   "gc: factorial result of call %" PRIu64, t);
			}
		}
	}
	if (busy == 0)
		FAIL("gc (max_inflight 1): no HL_E_BUSY in %u rounds of %u calls",
		     round, burst);
	else
		printf("ok: E_BUSY beyond max_inflight (%u busy, %u done, %u rounds)\n",
		       busy, ok, round);
	/* The guest is not wedged by its refusals. */
	uint64_t r = 0;
	EXPECT_ST(hl_fn_call_u64(fn, 20, 1, &r), HL_OK, "gc: call after BUSY");
	EXPECT_U64(r, fact_tab[20], "gc: factorial(20) after BUSY");
	hl_fn_close(fn);
	hl_disconnect(c);
}

static int
cmd_nacks(void)
{
	struct hl_conn *a = connect_guest("ga"), *b = connect_guest("gb");

	if (a != NULL && b != NULL) {
		nack_names(a);
		nack_bad_open(a);
		nack_quota_capacity(a, b);
		nack_hw_fallback(b);
		nack_session_state(b);
	}
	hl_disconnect(a);
	hl_disconnect(b);
	nack_busy();
	return report("nacks");
}

/* ---- refused-set: a SET the host refuses leaves nothing to GET ---------- */

static int
cmd_refused_set(void)
{
	struct hl_conn *c = connect_guest("gb");
	enum hl_fn_state st = HL_FN_NONE;
	struct hl_fn *fn = NULL;
	uint64_t r = 12345;
	int rc;

	if (c == NULL)
		return report("refused-set");
	rc = open_active(c, "factorial", HL_PLACE_SW, &fn);
	if (!EXPECT_ST(rc, HL_OK, "open+activate factorial"))
		goto out;
	rc = hl_fn_set(fn, NULL, 0, FACT_MAX + 1, 1, &st);
	EXPECT_ST(rc, HL_E_BAD_REQUEST, "set factorial(66)");
	/* docs/protocol.md: a non-OK reply has state and args 0. */
	EXPECT_U64(st, HL_FN_NONE, "state in the refusal of set factorial(66)");
	rc = hl_fn_get(fn, NULL, 0, NULL, &r, &st);
	EXPECT_ST(rc, HL_E_BAD_STATE, "get after a refused set, none before "
		  "(host said state %d, result %" PRIu64 ")", st, r);
	/* After a good set, a refused one must not pass for a result either. */
	EXPECT_ST(hl_fn_set(fn, NULL, 0, 20, 1, NULL), HL_OK, "set factorial(20)");
	EXPECT_ST(hl_fn_set(fn, NULL, 0, 20, 0, NULL), HL_E_BAD_REQUEST,
		  "set factorial(20), 0 repetitions");
	r = 12345;
	rc = hl_fn_get(fn, NULL, 0, NULL, &r, &st);
	if (rc == HL_OK && st == HL_FN_DONE && r != fact_tab[20])
		FAIL("get after a good then a refused set: OK, DONE, result %" PRIu64
		     " (neither factorial(20) nor a refusal)", r);
out:
	hl_fn_close(fn);
	hl_disconnect(c);
	return report("refused-set");
}

/* ---- stress: many async calls, out of order, each exactly once --------- */

#define STRESS_SESSIONS 4	/* factorial, fibonacci, factorial, fibonacci */

static bool
stress_is_fact(uint64_t tag)
{
	return (tag % STRESS_SESSIONS) % 2 == 0;
}

static uint64_t
stress_n(uint64_t tag)
{
	uint64_t h = tag * 2654435761u;

	return stress_is_fact(tag) ? h % (FACT_MAX + 1) : h % (FIB_MAX + 1);
}

static uint64_t
stress_want(uint64_t tag)
{
	return stress_is_fact(tag) ? fact_tab[stress_n(tag)] : fib_tab[stress_n(tag)];
}

/* One completion: known tag, first time, OK, right result. */
static void
stress_check(const struct hl_completion *e, uint64_t count, uint8_t *seen,
	     uint64_t *bad)
{
	uint64_t t = e->tag;

	if (t >= count) {
		if ((*bad)++ < 10)
			FAIL("completion with unknown tag %" PRIu64, t);
		return;
	}
	if (seen[t / 8] & (1u << (t % 8))) {
		if ((*bad)++ < 10)
			FAIL("tag %" PRIu64 " completed twice", t);
		return;
	}
	seen[t / 8] |= (uint8_t)(1u << (t % 8));
	if (e->status != HL_OK || e->result != stress_want(t)) {
		if ((*bad)++ < 10)
			FAIL("tag %" PRIu64 " (%s(%" PRIu64 ")): status %s, result %"
			     PRIu64 ", want OK, %" PRIu64, t,
			     stress_is_fact(t) ? "factorial" : "fibonacci",
			     stress_n(t), hl_status_name(e->status), e->result,
			     stress_want(t));
	}
}

static int
cmd_stress(uint64_t count)
{
	struct hl_conn *c = connect_guest("gb");
	struct hl_fn *fn[STRESS_SESSIONS] = { 0 };
	struct hl_completion comp[64];
	uint8_t *seen = calloc(count / 8 + 1, 1);
	uint64_t sub = 0, done = 0, bad = 0, ooo = 0, last = 0, peak = 0;
	struct hl_stats st;
	int rc;

	if (c == NULL || seen == NULL) {
		FAIL("set-up (connection or %" PRIu64 "-bit bitmap)", count);
		goto out;
	}
	for (int i = 0; i < STRESS_SESSIONS; i++) {
		rc = open_active(c, i % 2 == 0 ? "factorial" : "fibonacci",
				 HL_PLACE_SW, &fn[i]);
		if (!EXPECT_ST(rc, HL_OK, "stress: open+activate session %d", i))
			goto out;
	}
	while (done < count) {
		while (sub < count && sub - done < HL_MAX_INFLIGHT) {
			rc = hl_fn_submit_u64(fn[sub % STRESS_SESSIONS], stress_n(sub),
					      1 + sub % 3, sub);
			if (rc == HL_E_NO_SLOTS)
				break;
			if (!EXPECT_ST(rc, HL_OK, "submit tag %" PRIu64, sub))
				goto out;
			sub++;
		}
		if (sub - done > peak)
			peak = sub - done;
		int n = hl_poll(c, comp, 64, POLL_MS);
		if (n <= 0) {
			FAIL("hl_poll returned %d (%s) with %" PRIu64 " in flight, %"
			     PRIu64 " of %" PRIu64 " done", n, hl_status_name(-n),
			     sub - done, done, count);
			goto out;
		}
		for (int i = 0; i < n; i++) {
			if (comp[i].tag < last)
				ooo++;
			last = comp[i].tag;
			stress_check(&comp[i], count, seen, &bad);
		}
		done += (uint64_t)n;
	}
	for (uint64_t t = 0; t < count; t++)
		if (!(seen[t / 8] & (1u << (t % 8)))) {
			FAIL("tag %" PRIu64 " never completed", t);
			break;
		}
	EXPECT_U64(peak, HL_MAX_INFLIGHT, "peak calls in flight");
	EXPECT_U64(bad, 0, "bad completions");
	hl_conn_stats(c, &st);
	EXPECT_U64(st.dropped_unknown + st.dropped_dup + st.dropped_bad, 0,
		   "replies dropped (unknown + dup + bad)");
	EXPECT_U64(st.timeouts, 0, "timeouts");
	printf("stress: %" PRIu64 " calls on %d sessions, peak %" PRIu64
	       " in flight, %" PRIu64 " out of order, %" PRIu64 " requests sent\n",
	       done, STRESS_SESSIONS, peak, ooo, st.requests);
out:
	for (int i = 0; i < STRESS_SESSIONS; i++)
		hl_fn_close(fn[i]);
	hl_disconnect(c);
	free(seen);
	return report("stress");
}

/* ---- burst: hl_fn_submit_burst() against the real host ------------------ */

/* Burst sizes, in turn: under, at and over a publish batch (32), and over
 * what is left of HL_MAX_INFLIGHT (the burst then stops with NO_SLOTS). */
static const unsigned int burst_sizes[] = { 1, 5, 31, 32, 33, 64, 100, 256 };

static uint64_t
burst_n(uint64_t tag)
{
	return (tag * 2654435761u) % (FACT_MAX + 1);
}

/* Submit count factorial calls in bursts on a connection whose rings have
 * 2^log2_ring slots (smaller than a burst: a held burst must publish what
 * it holds before it waits for room, or it waits for ever). The window
 * (calls in flight at once) is what the first burst of 256 took: at most
 * HL_MAX_INFLIGHT and fewer than the ring's slots when those are fewer,
 * since every reply needs a posted buffer (a reply that finds none is
 * dropped by the host, and the call times out). Every call completes once
 * with the right result; a burst that meets a full window submits exactly
 * the calls that fit, and says NO_SLOTS. */
static int
cmd_burst(uint64_t count, unsigned int log2_ring)
{
	struct hl_conn *c = connect_guest_ring("gb", HL_RECONNECT_AUTO, log2_ring);
	struct hl_fn *fn = NULL;
	static struct hl_call calls[HL_MAX_INFLIGHT];
	struct hl_completion comp[64];
	uint8_t *seen = calloc(count / 8 + 1, 1);
	uint64_t sub = 0, done = 0, bad = 0, partial = 0, bursts = 0, win;
	unsigned int k = 0, got, ring = 1u << log2_ring;
	int rc;

	if (c == NULL || seen == NULL) {
		FAIL("burst: set-up");
		goto out;
	}
	rc = open_active(c, "factorial", HL_PLACE_SW, &fn);
	if (!EXPECT_ST(rc, HL_OK, "burst: open+activate"))
		goto out;
	rc = hl_fn_submit_burst(fn, NULL, 1, &got);
	EXPECT_ST(rc, HL_E_INVAL, "burst of NULL calls");
	EXPECT_U64(got, 0, "calls submitted from NULL");
	rc = hl_fn_submit_burst(fn, calls, 0, &got);
	EXPECT_ST(rc, HL_OK, "empty burst");
	EXPECT_U64(got, 0, "calls submitted by an empty burst");
	for (unsigned int i = 0; i < HL_MAX_INFLIGHT; i++)
		calls[i] = (struct hl_call){ .arg0 = burst_n(i), .arg1 = 1, .tag = i };
	rc = hl_fn_submit_burst(fn, calls, HL_MAX_INFLIGHT, &got);
	win = got;
	if (ring > HL_MAX_INFLIGHT)
		EXPECT_U64(win, HL_MAX_INFLIGHT, "window on a ring of %u", ring);
	else if (!EXPECT_U64(win > 0 && win < ring, 1, "window %" PRIu64
			     " within a ring of %u", win, ring))
		goto out;
	EXPECT_ST(rc, win < HL_MAX_INFLIGHT ? HL_E_NO_SLOTS : HL_OK,
		  "first burst of %u", HL_MAX_INFLIGHT);
	sub = win;
	while (done < count) {
		unsigned int n = burst_sizes[k++ % (sizeof(burst_sizes) /
						    sizeof(burst_sizes[0]))];
		uint64_t room = win - (sub - done);

		if (n > count - sub)
			n = (unsigned int)(count - sub);
		for (unsigned int i = 0; i < n; i++)
			calls[i] = (struct hl_call){ .arg0 = burst_n(sub + i),
						     .arg1 = 1, .tag = sub + i };
		rc = hl_fn_submit_burst(fn, calls, n, &got);
		bursts += n > 0;
		if (n > room) {
			partial++;
			EXPECT_ST(rc, HL_E_NO_SLOTS, "burst of %u with room for %" PRIu64, n, room);
			EXPECT_U64(got, room, "calls of a burst of %u that fit", n);
		} else if (!EXPECT_ST(rc, HL_OK, "burst of %u", n) ||
			   !EXPECT_U64(got, n, "calls of a burst of %u", n)) {
			goto out;
		}
		sub += got;
		int m = hl_poll(c, comp, 64, POLL_MS);
		if (m <= 0) {
			FAIL("hl_poll returned %d (%s) with %" PRIu64 " in flight",
			     m, hl_status_name(-m), sub - done);
			goto out;
		}
		for (int i = 0; i < m; i++) {
			uint64_t t = comp[i].tag;

			if (t >= sub || (seen[t / 8] & (1u << (t % 8)))) {
				if (bad++ < 10)
					FAIL("tag %" PRIu64 ": unknown or twice", t);
				continue;
			}
			seen[t / 8] |= (uint8_t)(1u << (t % 8));
			if (comp[i].status != HL_OK ||
			    comp[i].result != fact_tab[burst_n(t)]) {
				if (bad++ < 10)
					FAIL("tag %" PRIu64 ": %s, %" PRIu64, t,
					     hl_status_name(comp[i].status),
					     comp[i].result);
			}
		}
		done += (uint64_t)m;
	}
	EXPECT_U64(bad, 0, "bad completions");
	if (count >= 1000)
		EXPECT_U64(partial > 0, 1, "a burst met a full window");
	printf("burst: %" PRIu64 " calls in %" PRIu64 " bursts on a ring of %u"
	       " (window %" PRIu64 "), %" PRIu64 " stopped by a full window\n",
	       done, bursts, ring, win, partial);
out:
	hl_fn_close(fn);
	hl_disconnect(c);
	free(seen);
	return report("burst");
}

/* ---- hold: a guest that is killed with calls in flight ----------------- */

static int
cmd_hold(const char *guest, const char *name, unsigned int n)
{
	static uint8_t in[256], out[HL_MAX_INFLIGHT][256];
	struct hl_conn *c = connect_guest(guest);
	struct hl_fn *fn[HOLD_MAX];
	struct hl_completion comp[64];
	uint64_t sub = 0, done = 0;
	bool ready = false;
	time_t end = time(NULL) + 100;

	if (c == NULL || n == 0 || n > HOLD_MAX)
		return report("hold");
	for (unsigned int i = 0; i < n; i++)
		if (!EXPECT_ST(open_active(c, name, HL_PLACE_SW, &fn[i]), HL_OK,
			       "hold: open+activate %s #%u", name, i + 1))
			return report("hold");
	fill_pattern(in, sizeof(in), 1);
	/* Stream calls until killed; the shell kills us (bounded anyway). */
	while (time(NULL) < end) {
		while (sub - done < HL_MAX_INFLIGHT) {
			int rc = hl_fn_submit(fn[sub % n], in, sizeof(in),
					      out[sub % HL_MAX_INFLIGHT], sizeof(out[0]), sub);
			if (rc == HL_E_NO_SLOTS)
				break;
			if (!EXPECT_ST(rc, HL_OK, "hold: submit"))
				return report("hold");
			sub++;
		}
		int got = hl_poll(c, comp, 64, POLL_MS);
		if (got <= 0) {
			FAIL("hold: hl_poll returned %d", got);
			return report("hold");
		}
		done += (uint64_t)got;
		if (!ready && done >= 1000) {
			printf("SESSIONS");
			for (unsigned int i = 0; i < n; i++)
				printf(" 0x%08x", fn_session(fn[i]));
			printf("\nREADY %u sessions, %" PRIu64 " calls done\n", n, done);
			fflush(stdout);
			ready = true;
		}
	}
	FAIL("hold: not killed within 100 s");
	return report("hold");
}

/* ---- opens: N sessions must open (and work), the next one is refused ---- */

static int
cmd_opens(const char *guest, const char *name, unsigned int n, const char *next)
{
	struct hl_conn *c = connect_guest(guest);
	struct hl_fn **fn = calloc(n + 1, sizeof(*fn));
	int want = strcmp(next, "none") == 0 ? -1 : status_by_name(next);
	uint64_t r;
	int rc;

	if (c == NULL || fn == NULL || (want < 0 && strcmp(next, "none") != 0)) {
		FAIL("opens: set-up (connection, or unknown status '%s')", next);
		goto out;
	}
	for (unsigned int i = 0; i < n; i++) {
		rc = open_active(c, name, HL_PLACE_SW, &fn[i]);
		if (!EXPECT_ST(rc, HL_OK, "%s: open+activate %s #%u of %u", guest,
			       name, i + 1, n))
			continue;
		if (strcmp(name, "factorial") == 0) {
			EXPECT_ST(hl_fn_call_u64(fn[i], 20, 1, &r), HL_OK, "call #%u", i + 1);
			EXPECT_U64(r, fact_tab[20], "%s: factorial(20) on #%u", guest, i + 1);
		} else {
			uint32_t len = 0;
			char o[8] = "";
			EXPECT_ST(hl_fn_call(fn[i], "ping", 5, o, sizeof(o), &len), HL_OK,
				  "%s: call %s #%u", guest, name, i + 1);
			if (len != 5 || strcmp(o, "ping") != 0)
				FAIL("%s: %s #%u answered %u bytes \"%.8s\"", guest, name,
				     i + 1, len, o);
		}
	}
	if (want >= 0) {
		rc = hl_fn_open(c, name, HL_PLACE_SW, &fn[n]);
		EXPECT_ST(rc, want, "%s: open %s #%u", guest, name, n + 1);
	}
	printf("opens: %s opened %u %s session(s)%s%s\n", guest, n, name,
	       want >= 0 ? ", then got " : "", want >= 0 ? next : "");
out:
	hl_disconnect(c);	/* also frees every fn */
	free(fn);
	return report("opens");
}

/* ---- forged: session ids this connection was never given ------------- */

static int
cmd_forged(const char *guest, char **ids, int n)
{
	struct hl_conn *c = connect_guest(guest);
	uint64_t v;

	for (int i = 0; c != NULL && i < n; i++) {
		char *end;

		errno = 0;
		v = strtoull(ids[i], &end, 0);
		if (errno != 0 || *end != '\0' || v > UINT32_MAX) {
			FAIL("forged: bad session id '%s'", ids[i]);
			continue;
		}
		expect_bad_session(c, (uint32_t)v, "an earlier connection's id");
	}
	hl_disconnect(c);
	return report("forged");
}

/* ---- isolation: one guest's session ids mean nothing on another -------- */

static int
cmd_isolation(void)
{
	struct hl_conn *a = connect_guest("ga"), *b = connect_guest("gb");
	struct hl_fn *fa = NULL, *fb = NULL;
	enum hl_fn_state st;
	uint64_t r = 0;
	uint32_t x;
	int rc;

	if (a == NULL || b == NULL)
		goto out;
	rc = open_active(a, "factorial", HL_PLACE_SW, &fa);
	if (!EXPECT_ST(rc, HL_OK, "ga: open+activate factorial"))
		goto out;
	EXPECT_ST(hl_fn_set(fa, NULL, 0, 20, 1, NULL), HL_OK, "ga: set factorial(20)");
	x = fn_session(fa);
	/* gb has no session at all: ga's id names nothing there. */
	expect_bad_session(b, x, "ga's live session used on gb");
	rc = hl_fn_get(fa, NULL, 0, NULL, &r, &st);
	EXPECT_ST(rc, HL_OK, "ga: get after gb's attempts");
	EXPECT_U64(st, HL_FN_DONE, "ga: state after gb's attempts");
	EXPECT_U64(r, fact_tab[20], "ga: result after gb's RESET/CLOSE on its id");
	EXPECT_ST(hl_fn_call_u64(fa, 21, 1, &r), HL_OK, "ga: call after gb's attempts");
	EXPECT_U64(r, fact_tab[21], "ga: factorial(21)");
	/*
	 * gb with a session of its own: ids are per guest, so gb's may equal
	 * ga's. Whatever gb does with ga's id touches at most gb's session.
	 */
	rc = open_active(b, "factorial", HL_PLACE_SW, &fb);
	if (!EXPECT_ST(rc, HL_OK, "gb: open+activate factorial"))
		goto out;
	EXPECT_ST(hl_fn_set(fb, NULL, 0, 10, 1, NULL), HL_OK, "gb: set factorial(10)");
	rc = raw_req(b, HL_OP_FN_RESET, x, 0, 0, NULL, 0, NULL);
	if (fn_session(fb) == x) {
		EXPECT_ST(rc, HL_OK, "gb: RESET on its own session (same id as ga's)");
		rc = hl_fn_get(fb, NULL, 0, NULL, &r, NULL);
		EXPECT_ST(rc, HL_E_BAD_STATE, "gb: its own session was the one reset");
	} else {
		EXPECT_ST(rc, HL_E_BAD_SESSION, "gb: RESET on ga's id 0x%08x", x);
	}
	rc = hl_fn_get(fa, NULL, 0, NULL, &r, &st);
	EXPECT_ST(rc, HL_OK, "ga: get after gb's RESET");
	EXPECT_U64(r, fact_tab[20], "ga: SET result untouched by gb");
	/* And the other way round: gb's id on ga, where ga holds only x. */
	if (fn_session(fb) != x)
		expect_bad_session(a, fn_session(fb), "gb's live session used on ga");
	EXPECT_ST(hl_fn_close(fa), HL_OK, "ga: close");
	fa = NULL;
	/* Closed on ga: the id is dead there, and gb's session still works. */
	expect_bad_session(a, x, "ga's closed id on ga");
	EXPECT_ST(hl_fn_call_u64(fb, 12, 1, &r), HL_OK, "gb: call after ga's close");
	EXPECT_U64(r, fact_tab[12], "gb: factorial(12)");
	printf("isolation: ga session 0x%08x, gb session 0x%08x\n", x, fn_session(fb));
out:
	hl_disconnect(a);
	hl_disconnect(b);
	return report("isolation");
}

/* ---- restart: the host goes away and comes back ------------------------ */

static int
cmd_restart(const char *guest, const char *gofile)
{
	/* HL_RECONNECT_NEVER: the old connection must stay dead (the AUTO
	 * policy is tests/crash/'s). */
	struct hl_conn *c = connect_guest_never(guest), *c2 = NULL;
	struct hl_completion comp[4];
	struct hl_fn *fn = NULL, *fn2 = NULL;
	uint64_t r = 0;
	int rc, n;

	if (c == NULL)
		return report("restart");
	rc = open_active(c, "factorial", HL_PLACE_SW, &fn);
	if (!EXPECT_ST(rc, HL_OK, "open+activate factorial"))
		goto out;
	EXPECT_ST(hl_fn_call_u64(fn, 20, 1, &r), HL_OK, "call before the restart");
	EXPECT_U64(r, fact_tab[20], "factorial(20) before the restart");
	/* A long bound, so that a library that never notices shows as a
	 * TIMEOUT failure here rather than as a hang. */
	hl_conn_set_timeout(c, 20000);
	printf("READY\n");
	fflush(stdout);
	if (!wait_file(gofile)) {
		FAIL("restart: %s did not appear within %d s", gofile, WAIT_FILE_S);
		goto out;
	}
	rc = hl_fn_call_u64(fn, 20, 1, &r);
	EXPECT_ST(rc, HL_E_DISCONNECTED, "call on the old connection after the restart");
	printf("restart: old connection says \"%s\"\n", hl_conn_reason(c));
	if (hl_conn_reason(c)[0] == '\0')
		FAIL("hl_conn_reason() is empty on a dead connection");
	rc = hl_fn_call_u64(fn, 20, 1, &r);
	EXPECT_ST(rc, HL_E_DISCONNECTED, "second call on the dead connection");
	rc = hl_fn_submit_u64(fn, 20, 1, 1);
	EXPECT_ST(rc, HL_E_DISCONNECTED, "submit on the dead connection");
	n = hl_poll(c, comp, 4, 1000);
	EXPECT_ST(-n, HL_E_DISCONNECTED, "hl_poll on the dead connection");
	hl_disconnect(c);
	c = NULL;
	/* A fresh connection to the new hostlane works from scratch. */
	c2 = connect_guest(guest);
	if (c2 == NULL)
		goto out;
	for (unsigned int i = 0; i < 2; i++) {
		rc = open_active(c2, "factorial", HL_PLACE_SW, &fn2);
		if (!EXPECT_ST(rc, HL_OK, "new connection: open+activate #%u", i + 1))
			break;
		EXPECT_ST(hl_fn_call_u64(fn2, 21, 1, &r), HL_OK, "new connection: call");
		EXPECT_U64(r, fact_tab[21], "new connection: factorial(21)");
		EXPECT_ST(hl_fn_close(fn2), HL_OK, "new connection: close");
	}
out:
	hl_disconnect(c);
	hl_disconnect(c2);
	return report("restart");
}

/* ---- main ---------------------------------------------------------------- */

static int
usage(void)
{
	fprintf(stderr, "usage: offload_check RUNDIR phases|nacks|isolation|refused-set\n"
		"       offload_check RUNDIR stress COUNT\n"
		"       offload_check RUNDIR burst COUNT LOG2_RING\n"
		"       offload_check RUNDIR hold GUEST FN N\n"
		"       offload_check RUNDIR opens GUEST FN N NEXT_STATUS|none\n"
		"       offload_check RUNDIR forged GUEST SESSION_ID...\n"
		"       offload_check RUNDIR restart GUEST GOFILE\n");
	return 2;
}

static bool
parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *v <= max;
}

int
main(int argc, char **argv)
{
	uint64_t v;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		return usage();
	rundir = argv[1];
	tables_init();
	if (strcmp(argv[2], "phases") == 0 && argc == 3)
		return cmd_phases();
	if (strcmp(argv[2], "nacks") == 0 && argc == 3)
		return cmd_nacks();
	if (strcmp(argv[2], "refused-set") == 0 && argc == 3)
		return cmd_refused_set();
	if (strcmp(argv[2], "isolation") == 0 && argc == 3)
		return cmd_isolation();
	if (strcmp(argv[2], "stress") == 0 && argc == 4 &&
	    parse_uint(argv[3], 100000000, &v) && v > 0)
		return cmd_stress(v);
	if (strcmp(argv[2], "burst") == 0 && argc == 5 &&
	    parse_uint(argv[3], 100000000, &v) && v > 0) {
		uint64_t r;

		if (parse_uint(argv[4], 14, &r) && r >= 1)
			return cmd_burst(v, (unsigned int)r);
	}
	if (strcmp(argv[2], "hold") == 0 && argc == 6 &&
	    parse_uint(argv[5], HOLD_MAX, &v))
		return cmd_hold(argv[3], argv[4], (unsigned int)v);
	if (strcmp(argv[2], "opens") == 0 && argc == 7 &&
	    parse_uint(argv[5], 256, &v))
		return cmd_opens(argv[3], argv[4], (unsigned int)v, argv[6]);
	if (strcmp(argv[2], "forged") == 0 && argc >= 5)
		return cmd_forged(argv[3], argv + 4, argc - 4);
	if (strcmp(argv[2], "restart") == 0 && argc == 5)
		return cmd_restart(argv[3], argv[4]);
	return usage();
}
