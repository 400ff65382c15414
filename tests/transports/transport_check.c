/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * transport_check: a libhostlane client for the transport tests. Connects
 * through the URI it is given (memif path, packet:IFNAME, dpdk:EAL-ARGS),
 * runs offload calls with known results, and optionally checks that a dead
 * host ends a call in bounded time.
 *
 * Usage: transport_check URI [-w poll|intr|hybrid] [-p MAX_PAYLOAD]
 *                            [-k FILE EXPECT]
 *   -p  largest echo/crc32c payload to try (default 1984; an MTU-1500
 *       netdev carries 1450): one byte more must fail with HL_E_TOO_LARGE
 *   -k  after the calls, wait for FILE to exist (the test killed hostlane),
 *       then call again: the call must fail with status EXPECT (a name such
 *       as HL_E_DISCONNECTED) within the connection timeout.
 * Prints one line per check; exits 0 if every check passed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#define TIMEOUT_MS 3000
#define ASYNC_N 200u

static int failures;

static void
check(int ok, const char *fmt, uint64_t got, uint64_t want)
{
	printf("%s: ", ok ? "ok" : "FAIL");
	printf(fmt, got, want);
	printf("\n");
	failures += !ok;
}

static int
st_ok(int st, const char *what)
{
	if (st != HL_OK) {
		printf("FAIL: %s: %s\n", what, hl_status_name(st));
		failures++;
	}
	return st == HL_OK;
}

static uint32_t
crc32c_ref(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
	}
	return ~c;
}

static struct hl_fn *
open_active(struct hl_conn *c, const char *name)
{
	struct hl_fn *fn = NULL;
	enum hl_placement where;

	if (!st_ok(hl_fn_open(c, name, HL_PLACE_SW, &fn), name))
		return NULL;
	if (!st_ok(hl_fn_activate(fn, &where), name)) {
		hl_fn_close(fn);
		return NULL;
	}
	return fn;
}

static void
scalar(struct hl_conn *c, const char *name, uint64_t n, uint64_t want)
{
	struct hl_fn *fn = open_active(c, name);
	uint64_t r = 0;

	if (fn == NULL)
		return;
	if (st_ok(hl_fn_call_u64(fn, n, 1, &r), name))
		printf("%s: %s(%" PRIu64 ") = %" PRIu64 "\n", r == want ? "ok" : "FAIL",
		       name, n, r);
	failures += r != want;
	st_ok(hl_fn_close(fn), "close");
}

static void
payloads(struct hl_conn *c, uint32_t max)
{
	static uint8_t in[HL_PAYLOAD_MAX], out[HL_PAYLOAD_MAX];
	struct hl_fn *echo = open_active(c, "echo");
	struct hl_fn *crc = open_active(c, "crc32c");
	uint32_t sizes[] = { 1, 9, 64, 1000, max }, len;
	enum hl_fn_state state;
	uint64_t r;

	for (uint32_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 3);
	for (size_t k = 0; echo != NULL && crc != NULL && k < 5; k++) {
		uint32_t n = sizes[k];
		len = 0;
		if (!st_ok(hl_fn_call(echo, in, n, out, sizeof(out), &len), "echo"))
			break;
		check(len == n && memcmp(in, out, n) == 0,
		      "echo of %" PRIu64 " bytes came back (%" PRIu64 ")", n, len);
		if (!st_ok(hl_fn_set(crc, in, n, 0, 0, &state), "crc32c set") ||
		    !st_ok(hl_fn_get(crc, NULL, 0, &len, &r, &state), "crc32c get"))
			break;
		check(r == crc32c_ref(in, n), "crc32c = 0x%08" PRIx64 " (want 0x%08"
		      PRIx64 ")", r, crc32c_ref(in, n));
	}
	/* A payload the transport cannot carry is refused, the call is not. */
	if (echo != NULL && max < HL_PAYLOAD_MAX)
		check(hl_fn_call(echo, in, max + 1, out, sizeof(out), &len) ==
		      HL_E_TOO_LARGE, "echo of %" PRIu64 " bytes refused as too "
		      "large (%" PRIu64 ")", max + 1, 0);
	hl_fn_close(echo);
	hl_fn_close(crc);
}

/* ASYNC_N factorial(n % 21) in flight at once, completed in any order. */
static void
async_calls(struct hl_conn *c)
{
	static const uint64_t fact20 = 2432902008176640000ull;
	struct hl_fn *fn = open_active(c, "factorial");
	struct hl_completion comp[64];
	unsigned int done = 0, bad = 0;

	if (fn == NULL)
		return;
	for (uint64_t i = 0; i < ASYNC_N; i++)
		if (!st_ok(hl_fn_submit_u64(fn, 20, 1, i), "submit"))
			break;
	while (done < ASYNC_N) {
		int n = hl_poll(c, comp, 64, TIMEOUT_MS);
		if (n <= 0) {
			st_ok(n == 0 ? HL_E_TIMEOUT : -n, "hl_poll");
			break;
		}
		for (int i = 0; i < n; i++)
			bad += comp[i].status != HL_OK || comp[i].result != fact20;
		done += (unsigned int)n;
	}
	check(done == ASYNC_N && bad == 0, "%" PRIu64 " async factorial(20) "
	      "completed, %" PRIu64 " wrong", done, bad);
	hl_fn_close(fn);
}

/* As many calls in flight as the connection lets one have (submit until
 * HL_E_NO_SLOTS), three times over: every one answered, right. The
 * window must fit what the transport's receive ring holds: a reply the
 * host finds no room for is dropped, and its call times out. */
static void
window_calls(struct hl_conn *c)
{
	static const uint64_t fact20 = 2432902008176640000ull;
	struct hl_fn *fn = open_active(c, "factorial");
	struct hl_completion comp[64];
	uint64_t window = 0, done = 0, bad = 0, sent = 0;

	if (fn == NULL)
		return;
	for (int round = 0; round < 3; round++) {
		uint64_t n = 0, got = 0;
		int st;

		while (n < 4096 && (st = hl_fn_submit_u64(fn, 20, 1, n)) == HL_OK)
			n++;
		if (n == 4096 || st != HL_E_NO_SLOTS)
			st_ok(n == 4096 ? HL_E_INTERNAL : st, "submit up to the window");
		window = n;
		sent += n;
		while (got < n) {
			int k = hl_poll(c, comp, 64, TIMEOUT_MS);

			if (k <= 0) {
				st_ok(k == 0 ? HL_E_TIMEOUT : -k, "hl_poll (window)");
				break;
			}
			for (int i = 0; i < k; i++)
				bad += comp[i].status != HL_OK || comp[i].result != fact20;
			got += (uint64_t)k;
		}
		done += got;
		if (got < n)
			break;
	}
	check(window > 0 && done == sent && bad == 0, "a full window (%" PRIu64
	      " calls) three times: all answered, %" PRIu64 " wrong", window, bad);
	hl_fn_close(fn);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* After the host is killed a call must end with `expect`, in time. */
static void
after_kill(struct hl_conn *c, const char *file, const char *expect)
{
	struct hl_fn *fn = open_active(c, "factorial");
	int64_t t0;
	uint64_t r;
	int st, waited;

	if (fn == NULL)
		return;
	printf("waiting for %s\n", file);
	fflush(stdout);
	for (waited = 0; access(file, F_OK) != 0 && waited < 600; waited++)
		usleep(100 * 1000);
	t0 = now_ms();
	st = hl_fn_call_u64(fn, 20, 1, &r);
	printf("after kill: %s in %" PRId64 " ms (%s)\n", hl_status_name(st),
	       now_ms() - t0, hl_conn_reason(c));
	check(strcmp(hl_status_name(st), expect) == 0 &&
	      now_ms() - t0 <= TIMEOUT_MS + 1000,
	      "dead host ends the call (status %" PRIu64 ", %" PRIu64 ")",
	      (uint64_t)st, 0);
	hl_fn_close(fn);
}

static enum hl_wait_mode
wait_mode(const char *s)
{
	return strcmp(s, "poll") == 0 ? HL_WAIT_POLL :
	       strcmp(s, "intr") == 0 ? HL_WAIT_INTR : HL_WAIT_HYBRID;
}

int
main(int argc, char **argv)
{
	const char *kill_file = NULL, *expect = NULL;
	uint32_t max_payload = HL_PAYLOAD_MAX;
	struct hl_opts o;
	struct hl_conn *c;
	struct hl_stats st;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s URI [-w MODE] [-p MAX] [-k FILE EXPECT]\n",
			argv[0]);
		return 2;
	}
	hl_opts_init(&o);
	o.timeout_ms = TIMEOUT_MS;
	o.name = "transport_check";
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
			o.wait_mode = wait_mode(argv[++i]);
		else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			max_payload = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "-k") == 0 && i + 2 < argc) {
			kill_file = argv[++i];
			expect = argv[++i];
		}
	}
	if (max_payload == 0 || max_payload > HL_PAYLOAD_MAX)
		max_payload = HL_PAYLOAD_MAX;
	rc = hl_connect(argv[1], NULL, &o, &c);
	if (rc != HL_OK) {
		printf("FAIL: connect %s: %s (%s)\n", argv[1], hl_status_name(rc),
		       hl_connect_reason());
		return 1;
	}
	printf("connected over %.40s\n", argv[1]);
	scalar(c, "factorial", 20, 2432902008176640000ull);
	scalar(c, "fibonacci", 93, 12200160415121876738ull);
	payloads(c, max_payload);
	async_calls(c);
	window_calls(c);
	if (kill_file != NULL)
		after_kill(c, kill_file, expect);
	hl_conn_stats(c, &st);
	printf("stats: requests %" PRIu64 " replies %" PRIu64 " dropped_bad %"
	       PRIu64 " rx_dropped %" PRIu64 " timeouts %" PRIu64 "\n",
	       st.requests, st.replies, st.dropped_bad, st.rx_dropped, st.timeouts);
	hl_disconnect(c);
	printf("%s\n", failures == 0 ? "PASS" : "FAIL");
	return failures != 0;
}
