/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attack cases on guest stats reports (STATS_REPORT, dataplane/report.h):
 * forged and malformed reports, a guest that takes no VF, floods while a
 * neighbour's pipelined calls go on, and a report budget that reconnecting
 * does not renew. Group "reports" runs with report_interval_ms =
 * EVIL_REPORT_MS; group "reports-budget" with an hour, so that every
 * report after the first is over budget whatever the timing.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hostlane/hostlane.h>

#include "attack.h"

#define REPORT_MAX_LEN (HL_FRAME_HDR_LEN + sizeof(struct hl_stats_report) + 64)
#define BURST 24
#define FLOOD_REPORTS 3000
#define FLOOD_WINDOW 16
#define FLOOD_SPAN 5		/* intervals the flood lasts at least */
#define NEIGHBOUR_CALLS 3000
#define NEIGHBOUR_WINDOW 64
#define FACT20 2432902008176640000ull

static void
pause_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The host judges one report per interval, measured from when each came:
 * waiting this long after a reply makes the next one on time. */
static void
next_interval(void)
{
	pause_ms(EVIL_REPORT_MS + 10);
}

/* A report of n interfaces "eth0".. whose counters add up to pkts and
 * bytes, into payload p; its length. */
static uint32_t
report_payload(uint8_t *p, unsigned int n, uint64_t pkts, uint64_t bytes)
{
	struct hl_stats_report r;

	memset(&r, 0, sizeof(r));
	r.count = (uint16_t)n;
	for (unsigned int i = 0; i < n && i < HL_REPORT_IFS_MAX; i++)
		snprintf(r.ifs[i].name, sizeof(r.ifs[i].name), "eth%u", i);
	r.ifs[0].rx_packets = pkts / 2;
	r.ifs[0].tx_packets = pkts - pkts / 2;
	r.ifs[0].rx_bytes = bytes / 2;
	r.ifs[0].tx_bytes = bytes - bytes / 2;
	memcpy(p, &r, sizeof(r));
	return HL_STATS_REPORT_LEN(n);
}

/* A whole STATS_REPORT frame with payload_len plen; its length. */
static uint32_t
report_frame(struct evil *e, uint8_t *f, uint32_t plen, uint64_t *id)
{
	uint64_t rid = evil_req(e, f, HL_OP_STATS_REPORT, 0);

	((struct hl_frame_hdr *)f)->hl.payload_len = plen;
	if (id != NULL)
		*id = rid;
	return HL_FRAME_HDR_LEN + plen;
}

/* Send a report frame (payload already at f + 64) and expect status want. */
static int
expect(struct ctx *c, struct evil *e, uint8_t *f, uint32_t plen, uint16_t want,
       const char *what)
{
	struct hl_frame_hdr rep;
	uint64_t id;
	uint32_t len = report_frame(e, f, plen, &id);
	int rc = evil_rpc(e, f, len, &rep, NULL);

	if (rc != EVIL_OK)
		return bad(c, "%s: no reply: %s %s %s", what, evil_rc_str(rc),
			   e->reason, e->err);
	if (rep.hl.req_id != id || rep.hl.status != want || rep.hl.payload_len != 0 ||
	    rep.hl.opcode != HL_OP_STATS_REPORT || !(rep.hl.flags & HL_F_REPLY))
		return bad(c, "%s: reply %s (req %llu of %llu, opcode %#x, %u bytes), "
			   "wanted %s", what, hl_status_name(rep.hl.status),
			   (unsigned long long)rep.hl.req_id, (unsigned long long)id,
			   rep.hl.opcode, rep.hl.payload_len, hl_status_name(want));
	return 0;
}

/* A sane report of pkts/bytes must get want. */
static int
sane(struct ctx *c, struct evil *e, uint64_t pkts, uint64_t bytes, uint16_t want,
     const char *what)
{
	uint8_t f[REPORT_MAX_LEN] = { 0 };

	return expect(c, e, f, report_payload(f + HL_FRAME_HDR_LEN, 1, pkts, bytes),
		      want, what);
}

/* ---- who may report ------------------------------------------------------- */

/* A guest configured without VFs: its valid report is refused. */
static int
c_not_vf(struct ctx *c)
{
	struct evil e;
	int fail;

	if (evil_up(&e, c->novf_sock, NOVF_SECRET) != EVIL_OK) {
		bad(c, "could not connect to novf: %s", e.err);
		evil_close(&e);
		return 1;
	}
	fail = sane(c, &e, 10, 640, HL_E_PERM, "report from novf");
	if (!fail)
		fail = still_works(c, &e);
	evil_close(&e);
	return fail ? 1 : got(c, "HL_E_PERM; the connection goes on");
}

/* A report before HELLO, as any other request. */
static int
c_before_hello(struct ctx *c)
{
	uint8_t f[REPORT_MAX_LEN] = { 0 };
	struct evil e;
	int fail, rc = evil_open(&e, c->evil_sock, EVIL_SECRET);

	if (rc == EVIL_OK)
		rc = evil_region_create(&e, 5);
	if (rc == EVIL_OK)
		rc = evil_handshake(&e, NULL, NULL);
	if (rc != EVIL_OK)
		return want_reason(c, &e, rc, "(connected)");
	fail = expect(c, &e, f, report_payload(f + HL_FRAME_HDR_LEN, 1, 1, 64),
		      HL_E_NOT_HELLO, "before HELLO");
	evil_close(&e);
	return fail ? 1 : got(c, "HL_E_NOT_HELLO");
}

/* ---- malformed ------------------------------------------------------------ */

struct shape {
	const char *what;
	uint16_t want;
	uint32_t (*make)(uint8_t *p);	/* payload into p; its length */
};

static uint32_t m_empty(uint8_t *p) { (void)p; return 0; }
static uint32_t m_head_short(uint8_t *p) { report_payload(p, 1, 1, 1); return 7; }
static uint32_t m_head_only(uint8_t *p) { report_payload(p, 1, 1, 1); return 8; }
static uint32_t m_entry_short(uint8_t *p) { return report_payload(p, 1, 1, 1) - 1; }
static uint32_t m_entry_long(uint8_t *p) { return report_payload(p, 1, 1, 1) + 1; }
static uint32_t m_count_more(uint8_t *p) { uint32_t n = report_payload(p, 1, 1, 1); p[0] = 2; return n; }
static uint32_t m_count_less(uint8_t *p) { uint32_t n = report_payload(p, 3, 1, 1); p[0] = 2; return n; }
static uint32_t m_count_zero(uint8_t *p) { report_payload(p, 1, 1, 1); p[0] = 0; return 8; }
static uint32_t m_max_len(uint8_t *p) { report_payload(p, 8, 1, 1); return HL_PAYLOAD_MAX; }
static uint32_t m_reserved0(uint8_t *p) { uint32_t n = report_payload(p, 1, 1, 1); p[3] = 1; return n; }
static uint32_t m_reserved1(uint8_t *p) { uint32_t n = report_payload(p, 1, 1, 1); p[4] = 1; return n; }

/* Nine entries, one more than a report holds: longer than any report. */
static uint32_t
m_count_nine(uint8_t *p)
{
	report_payload(p, HL_REPORT_IFS_MAX, 1, 1);
	memcpy(p + HL_STATS_REPORT_LEN(8), p + HL_STATS_REPORT_LEN(7), 48);
	memcpy(p + HL_STATS_REPORT_LEN(8), "eth8", 5);
	p[0] = 9;
	return HL_STATS_REPORT_LEN(9);
}

/* Count 9 in a report of the largest size. */
static uint32_t
m_count_nine_max(uint8_t *p)
{
	uint32_t n = report_payload(p, HL_REPORT_IFS_MAX, 1, 1);

	p[0] = 9;
	return n;
}

static uint32_t
m_count_huge(uint8_t *p)
{
	uint32_t n = report_payload(p, HL_REPORT_IFS_MAX, 1, 1);

	p[0] = 0xff;
	p[1] = 0xff;
	return n;
}

/* Names: entry 0's name starts 8 bytes in, entry 1's 56. */
static uint32_t
name0(uint8_t *p, const char *name, size_t len)
{
	uint32_t n = report_payload(p, 2, 1, 1);

	memset(p + 8, 0, HL_IFNAME_LEN);
	memcpy(p + 8, name, len);
	return n;
}

static uint32_t m_no_nul(uint8_t *p) { return name0(p, "abcdefghijklmnop", 16); }
static uint32_t m_junk_after(uint8_t *p) { return name0(p, "eth0\0\0\0x", 8); }
static uint32_t m_empty_name(uint8_t *p) { return name0(p, "", 0); }
static uint32_t m_twice(uint8_t *p) { return name0(p, "eth1", 4); }
static uint32_t m_dotdot(uint8_t *p) { return name0(p, "..", 2); }
static uint32_t m_slash(uint8_t *p) { return name0(p, "../etc", 6); }
static uint32_t m_space(uint8_t *p) { return name0(p, "eth 0", 5); }
static uint32_t m_ctrl(uint8_t *p) { return name0(p, "eth\n0", 5); }
static uint32_t m_high(uint8_t *p) { return name0(p, "eth\xc3\xa9", 5); }

static const struct shape shapes[] = {
	{ "no payload", HL_E_BAD_LENGTH, m_empty },
	{ "7-byte head", HL_E_BAD_LENGTH, m_head_short },
	{ "head without entries", HL_E_BAD_LENGTH, m_head_only },
	{ "entry one byte short", HL_E_BAD_LENGTH, m_entry_short },
	{ "one byte too many", HL_E_BAD_LENGTH, m_entry_long },
	{ "count 2, one entry", HL_E_BAD_LENGTH, m_count_more },
	{ "count 2, three entries", HL_E_BAD_LENGTH, m_count_less },
	{ "1984-byte payload", HL_E_BAD_LENGTH, m_max_len },
	{ "count 9, nine entries", HL_E_BAD_LENGTH, m_count_nine },
	{ "count 0", HL_E_BAD_REQUEST, m_count_zero },
	{ "count 9, eight entries", HL_E_BAD_REQUEST, m_count_nine_max },
	{ "count 65535", HL_E_BAD_REQUEST, m_count_huge },
	{ "reserved0 set", HL_E_BAD_REQUEST, m_reserved0 },
	{ "reserved1 set", HL_E_BAD_REQUEST, m_reserved1 },
	{ "16-char name, no NUL", HL_E_BAD_REQUEST, m_no_nul },
	{ "bytes after the NUL", HL_E_BAD_REQUEST, m_junk_after },
	{ "empty name", HL_E_BAD_REQUEST, m_empty_name },
	{ "a name twice", HL_E_BAD_REQUEST, m_twice },
	{ "name ..", HL_E_BAD_REQUEST, m_dotdot },
	{ "name with /", HL_E_BAD_REQUEST, m_slash },
	{ "name with a space", HL_E_BAD_REQUEST, m_space },
	{ "name with a newline", HL_E_BAD_REQUEST, m_ctrl },
	{ "name in UTF-8", HL_E_BAD_REQUEST, m_high },
};

/* Every malformed shape refused with its status, on one connection. */
static int
c_malformed(struct ctx *c)
{
	static uint8_t f[HL_FRAME_MAX];
	struct evil e;
	size_t i;
	int fail = 0;

	if (up(c, &e))
		return 1;
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]) && !fail; i++) {
		memset(f, 0, sizeof(f));
		fail = expect(c, &e, f, shapes[i].make(f + HL_FRAME_HDR_LEN),
			      shapes[i].want, shapes[i].what);
	}
	if (!fail)
		fail = still_works(c, &e);
	evil_close(&e);
	return fail ? 1 : got(c, "%zu shapes refused with their status", i);
}

/* Header fields a report does not use must be 0. */
static int
c_header(struct ctx *c)
{
	uint8_t f[REPORT_MAX_LEN] = { 0 };
	struct hl_frame_hdr *h = (struct hl_frame_hdr *)f, rep;
	uint32_t plen = report_payload(f + HL_FRAME_HDR_LEN, 1, 1, 64);
	struct evil e;
	int fail = 0;

	if (up(c, &e))
		return 1;
	for (int k = 0; k < 3 && !fail; k++) {
		uint32_t len = report_frame(&e, f, plen, NULL);
		int rc;

		h->hl.session = k == 0 ? 0x10001 : 0;
		h->hl.arg0 = k == 1 ? 1 : 0;
		h->hl.arg1 = k == 2 ? UINT64_MAX : 0;
		rc = evil_rpc(&e, f, len, &rep, NULL);
		if (rc != EVIL_OK || rep.hl.status != HL_E_BAD_REQUEST)
			fail = bad(c, "%s set: %s", k == 0 ? "session" : k == 1 ?
				   "arg0" : "arg1", rc != EVIL_OK ? evil_rc_str(rc) :
				   hl_status_name(rep.hl.status));
	}
	evil_close(&e);
	return fail ? 1 : got(c, "session, arg0, arg1 set: HL_E_BAD_REQUEST each");
}

/* ---- forged counters ------------------------------------------------------ */

/* Rates no line carries, and sums that overflow: refused; the baseline
 * stays, so a sane report after them is measured from it. (At the default
 * 100 Gbit/s ceiling, 2^44 frames take 16 hours and 2^50 bytes 12.)*/
static int
c_absurd(struct ctx *c)
{
	uint8_t f[REPORT_MAX_LEN] = { 0 };
	struct evil e;
	uint32_t plen;
	int fail;

	if (up(c, &e))
		return 1;
	next_interval();
	fail = sane(c, &e, 1000, 64000, HL_OK, "baseline");
	next_interval();
	if (!fail)
		fail = sane(c, &e, 1000 + (1ull << 44), 64000 + (1ull << 50),
			    HL_E_BAD_REQUEST, "2^44 frames in 0.4 s");
	next_interval();
	if (!fail)	/* only the bytes are absurd */
		fail = sane(c, &e, 1010, 64000 + (1ull << 50), HL_E_BAD_REQUEST,
			    "2^50 bytes in 0.6 s");
	next_interval();
	if (!fail) {	/* two interfaces whose packets add past 2^64 */
		plen = report_payload(f + HL_FRAME_HDR_LEN, 2, 2000, 128000);
		memset(f + HL_FRAME_HDR_LEN + 56 + 16, 0xff, 8);	/* eth1 rx_packets */
		fail = expect(c, &e, f, plen, HL_E_BAD_REQUEST, "sums past 2^64");
	}
	next_interval();
	if (!fail)
		fail = sane(c, &e, 1100, 70400, HL_OK, "sane after");
	evil_close(&e);
	return fail ? 1 : got(c, "2^44 frames, 2^50 bytes and an overflowing sum "
			      "refused (HL_E_BAD_REQUEST); the sane reports around them accepted");
}

/* Counters that go back are a reset: accepted, counted, nothing added. */
static int
c_backwards(struct ctx *c)
{
	struct evil e;
	int fail;

	if (up(c, &e))
		return 1;
	next_interval();
	fail = sane(c, &e, 5000000, 320000000, HL_OK, "high");
	next_interval();
	if (!fail)
		fail = sane(c, &e, 10, 640, HL_OK, "back to 10");
	next_interval();
	if (!fail)
		fail = sane(c, &e, 20, 1280, HL_OK, "on from 10");
	evil_close(&e);
	return fail ? 1 : got(c, "5M, 10, 20 frames: all HL_OK (a reset; the shell "
			      "checks report_resets)");
}

/* ---- floods --------------------------------------------------------------- */

/* BURST reports published at once: each answered once, HL_E_BUSY for all
 * but the one the main lcore takes (one per guest at a time). */
static int
c_burst(struct ctx *c)
{
	uint8_t f[REPORT_MAX_LEN] = { 0 }, buf[HL_FRAME_MAX * 2];
	int seen[BURST] = { 0 }, busy = 0, other = 0, fail = 0;
	uint64_t first = 0, id;
	struct evil e;
	uint32_t len;

	if (up(c, &e))
		return 1;
	for (uint16_t i = 0; i < BURST; i++) {
		uint32_t plen = report_payload(f + HL_FRAME_HDR_LEN, 1, 100 + i, 6400);

		len = report_frame(&e, f, plen, &id);
		if (i == 0)
			first = id;
		evil_c2s_stage(&e, i, f, len, 0);
	}
	evil_c2s_publish(&e, BURST);
	for (int k = 0; k < BURST && !fail; k++) {
		struct hl_frame_hdr rep;
		uint64_t slot;

		if (evil_recv_frame(&e, buf, sizeof(buf), &len, EVIL_WAIT_MS) != EVIL_OK) {
			fail = bad(c, "reply %d of %d missing: %s", k + 1, BURST, e.reason);
			break;
		}
		memcpy(&rep, buf, sizeof(rep));
		slot = rep.hl.req_id - first;
		if (slot >= BURST || seen[slot]++ != 0)
			fail = bad(c, "reply to req %llu unexpected or twice",
				   (unsigned long long)rep.hl.req_id);
		else if (rep.hl.status == HL_E_BUSY)
			busy++;
		else if (rep.hl.status == HL_OK || rep.hl.status == HL_E_QUOTA)
			other++;
		else
			fail = bad(c, "reply %s", hl_status_name(rep.hl.status));
	}
	if (!fail && (busy == 0 || other > 1))
		fail = bad(c, "%d HL_E_BUSY, %d judged: wanted all but one busy", busy, other);
	if (!fail)
		fail = still_works(c, &e);
	evil_close(&e);
	return fail ? 1 : got(c, "%d replies: %d HL_E_BUSY (dropped on the I/O lcore), "
			      "%d judged", BURST, busy, other);
}

/* A neighbour guest (novf) keeping NEIGHBOUR_WINDOW factorial calls in
 * flight, checking every result, until told to stop. */
struct neighbour {
	const char *sock;
	pthread_t thread;
	int stop;
	int ready;			/* 1 running, -1 failed to start */
	uint64_t ok, wrong, failed;
	char err[200];
};

static void
neighbour_poll(struct neighbour *n, struct hl_conn *conn, unsigned int *inflight)
{
	struct hl_completion comp[NEIGHBOUR_WINDOW];
	int k = hl_poll(conn, comp, NEIGHBOUR_WINDOW, 5000);

	if (k < 0) {
		snprintf(n->err, sizeof(n->err), "hl_poll: %s", hl_strerror(k));
		__atomic_store_n(&n->failed, n->failed + *inflight, __ATOMIC_RELAXED);
		*inflight = 0;
		return;
	}
	for (int i = 0; i < k; i++) {
		if (comp[i].status != HL_OK)
			__atomic_add_fetch(&n->failed, 1, __ATOMIC_RELAXED);
		else if (comp[i].result != FACT20)
			__atomic_add_fetch(&n->wrong, 1, __ATOMIC_RELAXED);
		else
			__atomic_add_fetch(&n->ok, 1, __ATOMIC_RELEASE);
		if (comp[i].status != HL_OK && n->err[0] == '\0')
			snprintf(n->err, sizeof(n->err), "call %llu: %s",
				 (unsigned long long)comp[i].tag, hl_strerror(comp[i].status));
	}
	*inflight -= (unsigned int)k;
}

static void *
neighbour_main(void *arg)
{
	struct neighbour *n = arg;
	struct hl_conn *conn = NULL;
	struct hl_fn *fn = NULL;
	struct hl_opts o;
	unsigned int inflight = 0;
	uint64_t tag = 0;
	int rc;

	hl_opts_init(&o);
	o.name = "neighbour";
	o.bulk_bytes = 0;
	/* The last case's client of novf may still be being dropped. */
	for (int t = 0; t < 250; t++) {
		rc = hl_connect(n->sock, NOVF_SECRET, &o, &conn);
		if (rc != HL_E_REFUSED || strstr(hl_connect_reason(), "busy") == NULL)
			break;
		pause_ms(20);
	}
	if (rc == HL_OK)
		rc = hl_fn_open(conn, "factorial", HL_PLACE_ANY, &fn);
	if (rc == HL_OK)
		rc = hl_fn_activate(fn, NULL);
	if (rc != HL_OK) {
		snprintf(n->err, sizeof(n->err), "start: %s", hl_strerror(rc));
		hl_disconnect(conn);
		__atomic_store_n(&n->ready, -1, __ATOMIC_RELEASE);
		return NULL;
	}
	__atomic_store_n(&n->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&n->stop, __ATOMIC_ACQUIRE) || inflight > 0) {
		while (!__atomic_load_n(&n->stop, __ATOMIC_ACQUIRE) &&
		       inflight < NEIGHBOUR_WINDOW) {
			rc = hl_fn_submit_u64(fn, 20, 1, tag++);
			if (rc != HL_OK) {
				__atomic_add_fetch(&n->failed, 1, __ATOMIC_RELAXED);
				snprintf(n->err, sizeof(n->err), "submit: %s", hl_strerror(rc));
				break;
			}
			inflight++;
		}
		if (n->failed != 0)
			break;
		neighbour_poll(n, conn, &inflight);
	}
	hl_fn_close(fn);
	hl_disconnect(conn);
	return NULL;
}

static int
neighbour_start(struct ctx *c, struct neighbour *n)
{
	memset(n, 0, sizeof(*n));
	n->sock = c->novf_sock;
	if (pthread_create(&n->thread, NULL, neighbour_main, n) != 0)
		return bad(c, "pthread_create");
	for (int t = 0; t < 2000 && __atomic_load_n(&n->ready, __ATOMIC_ACQUIRE) == 0; t++)
		pause_ms(10);
	if (__atomic_load_n(&n->ready, __ATOMIC_ACQUIRE) != 1) {
		__atomic_store_n(&n->stop, 1, __ATOMIC_RELEASE);
		pthread_join(n->thread, NULL);
		return bad(c, "neighbour did not start: %s", n->err);
	}
	return 0;
}

struct pump {
	uint64_t sent, answered, ok, quota, busy;
};

/* Take one reply of the pump's: counted; 0, or 1 (reported). */
static int
pump_reply(struct ctx *c, struct evil *e, struct pump *p)
{
	uint8_t buf[HL_FRAME_MAX * 2];
	struct hl_frame_hdr rep;
	uint32_t len;

	if (evil_recv_frame(e, buf, sizeof(buf), &len, EVIL_WAIT_MS) != EVIL_OK)
		return bad(c, "report reply %llu missing: %s", (unsigned long long)p->answered,
			   e->reason);
	memcpy(&rep, buf, sizeof(rep));
	p->answered++;
	if (rep.hl.opcode != HL_OP_STATS_REPORT)
		return bad(c, "reply of opcode %#x", rep.hl.opcode);
	if (rep.hl.status == HL_OK)
		p->ok++;
	else if (rep.hl.status == HL_E_QUOTA)
		p->quota++;
	else if (rep.hl.status == HL_E_BUSY)
		p->busy++;
	else
		return bad(c, "report reply %s", hl_status_name(rep.hl.status));
	return 0;
}

/* Reports back to back, FLOOD_WINDOW in flight, until the pump and the
 * neighbour have done their share and FLOOD_SPAN intervals have passed
 * (so that the rate limit, not the I/O lcore's drop alone, is at work). */
static int
pump_run(struct ctx *c, struct evil *e, struct neighbour *n, struct pump *p)
{
	uint8_t f[REPORT_MAX_LEN] = { 0 };

	uint64_t until = mono_ms() + FLOOD_SPAN * EVIL_REPORT_MS;

	while (p->sent < FLOOD_REPORTS || mono_ms() < until ||
	       __atomic_load_n(&n->ok, __ATOMIC_ACQUIRE) < NEIGHBOUR_CALLS) {
		uint32_t plen = report_payload(f + HL_FRAME_HDR_LEN, 1, 1000 + p->sent,
					       64000 + 64 * p->sent);

		if (__atomic_load_n(&n->failed, __ATOMIC_RELAXED) != 0 ||
		    __atomic_load_n(&n->wrong, __ATOMIC_RELAXED) != 0)
			return bad(c, "neighbour: %s", n->err);
		if (evil_send_frame(e, f, report_frame(e, f, plen, NULL)) != EVIL_OK)
			return bad(c, "C2S stayed full");
		p->sent++;
		if (p->sent - p->answered >= FLOOD_WINDOW && pump_reply(c, e, p))
			return 1;
	}
	while (p->answered < p->sent)
		if (pump_reply(c, e, p))
			return 1;
	return 0;
}

/*
 * A flood of reports while a neighbour keeps 64 calls in flight: every
 * report answered (HL_OK, HL_E_QUOTA or HL_E_BUSY), no more accepted than
 * one per interval over the flood, and every neighbour call right.
 */
static int
c_flood(struct ctx *c)
{
	struct neighbour n;
	struct pump p = { 0 };
	struct evil e;
	uint64_t t0, ms;
	int fail;

	if (up(c, &e))
		return 1;
	if (neighbour_start(c, &n)) {
		evil_close(&e);
		return 1;
	}
	t0 = mono_ms();
	fail = pump_run(c, &e, &n, &p);
	ms = mono_ms() - t0;
	__atomic_store_n(&n.stop, 1, __ATOMIC_RELEASE);
	pthread_join(n.thread, NULL);
	if (!fail)
		fail = still_works(c, &e);
	evil_close(&e);
	if (fail)
		return 1;
	if (n.failed != 0 || n.wrong != 0 || n.ok < NEIGHBOUR_CALLS)
		return bad(c, "neighbour: %llu right, %llu wrong, %llu failed: %s",
			   (unsigned long long)n.ok, (unsigned long long)n.wrong,
			   (unsigned long long)n.failed, n.err);
	/* The host stamps each report between our send and its reply, and
	 * accepts one per interval: at most one more than the flood's span
	 * holds intervals (and one for its clock and ours ticking apart). */
	if (p.ok > 2 + ms / EVIL_REPORT_MS || p.busy == 0)
		return bad(c, "%llu accepted in %llu ms (interval %u ms), %llu busy",
			   (unsigned long long)p.ok, (unsigned long long)ms,
			   EVIL_REPORT_MS, (unsigned long long)p.busy);
	return got(c, "%llu reports in %llu ms: %llu HL_OK, %llu HL_E_QUOTA, %llu "
		   "HL_E_BUSY; neighbour: %llu pipelined calls, all right",
		   (unsigned long long)p.sent, (unsigned long long)ms,
		   (unsigned long long)p.ok, (unsigned long long)p.quota,
		   (unsigned long long)p.busy, (unsigned long long)n.ok);
}

const struct hcase hostile_report_cases[] = {
	{ "report-not-vf", "a valid report from a guest without VFs (novf): "
	  "HL_E_PERM", c_not_vf, NULL },
	{ "report-before-hello", "a report before HELLO: HL_E_NOT_HELLO",
	  c_before_hello, NULL },
	{ "report-malformed", "short, long and lying sizes, nine entries, counts "
	  "0, 9 and 65535, reserved fields, names without NUL, with junk after it, empty, "
	  "twice, .., /, space, newline, UTF-8: HL_E_BAD_LENGTH or "
	  "HL_E_BAD_REQUEST each", c_malformed, NULL },
	{ "report-header", "session, arg0 or arg1 set: HL_E_BAD_REQUEST",
	  c_header, NULL },
	{ "report-absurd", "2^44 frames or 2^50 bytes within a second, sums past 2^64: "
	  "HL_E_BAD_REQUEST; sane reports around them HL_OK", c_absurd, NULL },
	{ "report-backwards", "counters going back: HL_OK as a reset",
	  c_backwards, NULL },
	{ "report-burst", "24 reports at once: each answered once, all but one "
	  "HL_E_BUSY", c_burst, NULL },
	{ "report-flood", "3000+ reports back to back for 5+ intervals while a "
	  "neighbour keeps "
	  "64 calls in flight: every report answered, at most one accepted per "
	  "interval, every neighbour call right", c_flood, NULL },
	{ NULL, NULL, NULL, NULL },
};

/* ---- the budget belongs to the guest (group reports-budget) ---------------- */

/* Report once, then after each of three reconnects: over budget each time. */
static int
c_reconnect(struct ctx *c)
{
	struct evil e;
	int fail;

	if (up(c, &e))
		return 1;
	fail = sane(c, &e, 10, 640, HL_OK, "first report");
	if (!fail)
		fail = sane(c, &e, 20, 1280, HL_E_QUOTA, "second, same connection");
	evil_close(&e);
	for (int k = 0; k < 3 && !fail; k++) {
		if (up(c, &e))
			return 1;
		fail = sane(c, &e, 30 + k, 1920, HL_E_QUOTA, "after a reconnect");
		evil_close(&e);
	}
	return fail ? 1 : got(c, "HL_OK, then HL_E_QUOTA on the same connection "
			      "and after each of 3 reconnects");
}

/* libhostlane's call on the same guest: the budget is still spent. */
static int
c_library(struct ctx *c)
{
	struct hl_ifstats s = { .name = "eth0", .rx_packets = 40 };
	struct hl_conn *conn = NULL;
	struct hl_opts o;
	int rc;

	hl_opts_init(&o);
	o.bulk_bytes = 0;
	rc = hl_connect(c->evil_sock, EVIL_SECRET, &o, &conn);
	if (rc != HL_OK)
		return bad(c, "connect: %s: %s", hl_strerror(rc), hl_connect_reason());
	rc = hl_report_ifstats(conn, &s, 1);
	hl_disconnect(conn);
	if (rc != HL_E_QUOTA)
		return bad(c, "hl_report_ifstats: %s", hl_status_name(rc));
	return got(c, "hl_report_ifstats: HL_E_QUOTA");
}

const struct hcase hostile_budget_cases[] = {
	{ "report-reconnect", "report_interval_ms of an hour: the first report "
	  "HL_OK, every later one HL_E_QUOTA, also after reconnecting",
	  c_reconnect, NULL },
	{ "report-library", "hl_report_ifstats on a new connection of the same "
	  "guest: HL_E_QUOTA", c_library, NULL },
	{ NULL, NULL, NULL, NULL },
};
