/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the main lcore's judgement of guest stats reports
 * (dataplane/report.c), with a made-up clock: the rate limit, resets,
 * the line-rate ceiling, overflowing sums, the monotonic series, and that
 * the allocator's hook gets exactly the accepted reports. No lcores run.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "report.h"
#include "unit_check.h"

#define LINE_MBPS 1000u		/* 2 Gbit/s both ways: 250 MB/s, 2976190 pps */
#define INTERVAL 500u

static struct dp_report_limits lim;
static struct dp_report_state st;
static struct dp_guest_slow_stats slow;

static void
reset(void)
{
	memset(&st, 0, sizeof(st));
	memset(&slow, 0, sizeof(slow));
	dp_report_limits(INTERVAL, LINE_MBPS, &lim);
}

/* A report of one interface "eth0" with pkts and bytes split rx/tx. */
static struct hl_stats_report
rep1(uint64_t pkts, uint64_t bytes)
{
	struct hl_stats_report r;

	memset(&r, 0, sizeof(r));
	r.count = 1;
	strcpy(r.ifs[0].name, "eth0");
	r.ifs[0].rx_packets = pkts / 2;
	r.ifs[0].tx_packets = pkts - pkts / 2;
	r.ifs[0].rx_bytes = bytes / 2;
	r.ifs[0].tx_bytes = bytes - bytes / 2;
	return r;
}

static enum hl_status
judge(uint64_t pkts, uint64_t bytes, uint64_t now)
{
	struct hl_stats_report r = rep1(pkts, bytes);

	return dp_report_judge(&st, &slow, &lim, &r, now);
}

static void
test_limits(void)
{
	reset();
	CHECK("pps", lim.max_pps == 2000000000ull / 672, "%llu",
	      (unsigned long long)lim.max_pps);
	CHECK("bytes", lim.max_bytes_ps == 250000000ull, "%llu",
	      (unsigned long long)lim.max_bytes_ps);
	CHECK("interval", lim.interval_ms == INTERVAL, "%u", lim.interval_ms);
}

static void
test_series(void)
{
	reset();
	CHECK("first", judge(1000, 64000, 10000) == HL_OK, "refused");
	CHECK("baseline adds nothing", slow.report_pkts == 0 && slow.report_bytes == 0,
	      "%llu", (unsigned long long)slow.report_pkts);
	CHECK("second", judge(2000, 128000, 11000) == HL_OK, "refused");
	CHECK("delta", slow.report_pkts == 1000 && slow.report_bytes == 64000,
	      "%llu/%llu", (unsigned long long)slow.report_pkts,
	      (unsigned long long)slow.report_bytes);
	CHECK("accepted", slow.report_accepted == 2, "%llu",
	      (unsigned long long)slow.report_accepted);
}

static void
test_rate_limit(void)
{
	reset();
	CHECK("first", judge(1, 64, 10000) == HL_OK, "refused");
	CHECK("too soon", judge(2, 128, 10000 + INTERVAL - 1) == HL_E_QUOTA, "not limited");
	CHECK("limited counted", slow.report_limited == 1, "%llu",
	      (unsigned long long)slow.report_limited);
	CHECK("on time", judge(2, 128, 10000 + INTERVAL) == HL_OK, "refused");
	/* A refused report spends the budget too. */
	CHECK("absurd", judge(UINT32_MAX, 128, 10000 + 2 * INTERVAL) == HL_E_BAD_REQUEST,
	      "accepted");
	CHECK("after absurd", judge(3, 192, 10000 + 2 * INTERVAL + 1) == HL_E_QUOTA,
	      "not limited");
	CHECK("limited twice", slow.report_limited == 2, "%llu",
	      (unsigned long long)slow.report_limited);
}

static void
test_ceiling(void)
{
	uint64_t t0 = 50000, ms = 1000;

	reset();
	CHECK("base", judge(0, 0, t0) == HL_OK, "refused");
	/* Exactly the ceiling over 1 s passes; one more packet does not. */
	CHECK("pps over", judge(lim.max_pps + 1, 64, t0 + ms) == HL_E_BAD_REQUEST,
	      "accepted");
	CHECK("baseline kept", st.base_ms == t0 && st.base_pkts == 0, "moved");
	CHECK("pps at", judge(lim.max_pps * 2, 64, t0 + 2 * ms) == HL_OK, "refused");
	CHECK("bytes over", judge(lim.max_pps * 2, 64 + 250000001ull, t0 + 3 * ms) ==
	      HL_E_BAD_REQUEST, "accepted");
	CHECK("refused counted", slow.report_refused == 2, "%llu",
	      (unsigned long long)slow.report_refused);
	CHECK("series", slow.report_pkts == lim.max_pps * 2 && slow.report_bytes == 64,
	      "%llu/%llu", (unsigned long long)slow.report_pkts,
	      (unsigned long long)slow.report_bytes);
}

static void
test_reset(void)
{
	reset();
	CHECK("first", judge(5000, 500000, 1000) == HL_OK, "refused");
	CHECK("second", judge(6000, 600000, 2000) == HL_OK, "refused");
	CHECK("back to 0", judge(10, 1000, 3000) == HL_OK, "refused");
	CHECK("reset counted", slow.report_resets == 1, "%llu",
	      (unsigned long long)slow.report_resets);
	CHECK("nothing added", slow.report_pkts == 1000, "%llu",
	      (unsigned long long)slow.report_pkts);
	CHECK("from the new base", judge(20, 2000, 4000) == HL_OK, "refused");
	CHECK("added", slow.report_pkts == 1010 && slow.report_bytes == 101000,
	      "%llu/%llu", (unsigned long long)slow.report_pkts,
	      (unsigned long long)slow.report_bytes);
	/* Bytes back alone is a reset too: the series never goes back. */
	CHECK("bytes back", judge(30, 10, 5000) == HL_OK, "refused");
	CHECK("reset twice", slow.report_resets == 2 && slow.report_bytes == 101000,
	      "%llu resets, %llu bytes", (unsigned long long)slow.report_resets,
	      (unsigned long long)slow.report_bytes);
}

static void
test_overflow(void)
{
	struct hl_stats_report r = rep1(10, 10);

	reset();
	r.count = 2;
	strcpy(r.ifs[1].name, "eth1");
	r.ifs[1].rx_packets = UINT64_MAX;
	CHECK("overflow", dp_report_judge(&st, &slow, &lim, &r, 1000) == HL_E_BAD_REQUEST,
	      "accepted");
	CHECK("no baseline from it", st.have_base == 0, "baseline set");
	r.ifs[1].rx_packets = 0;
	r.ifs[1].tx_bytes = UINT64_MAX - 4;
	CHECK("bytes overflow", dp_report_judge(&st, &slow, &lim, &r, 2000) ==
	      HL_E_BAD_REQUEST, "accepted");
	CHECK("counted", slow.report_refused == 2, "%llu",
	      (unsigned long long)slow.report_refused);
}

/* ---- dp_report_serve(): the hook sees exactly the accepted ones -------- */

static unsigned int hook_calls;
static uint64_t hook_pkts, hook_bytes;
static unsigned int hook_guest;
static int hook_marker;

static void
hook(void *arg, unsigned int guest, uint64_t pkts, uint64_t bytes)
{
	CHECK("hook arg", arg == &hook_marker, "report_arg not passed");
	hook_calls++;
	hook_guest = guest;
	hook_pkts = pkts;
	hook_bytes = bytes;
}

static enum hl_status
serve(struct dp_app *app, struct dp_guest *g, uint64_t pkts, uint64_t bytes,
      uint64_t now)
{
	struct dp_fnmsg msg;

	memset(&msg, 0, sizeof(msg));
	msg.g = g;
	msg.op = DP_FNMSG_REPORT;
	msg.rx_ms = now;
	msg.report = rep1(pkts, bytes);
	msg.status = 0xffff;
	dp_report_serve(app, &msg);
	return (enum hl_status)msg.status;
}

static void
test_serve_hook(void)
{
	static struct dp_guest g;
	struct dp_config cfg = { .report_interval_ms = INTERVAL,
				 .report_line_rate_mbps = LINE_MBPS };
	struct dp_app app = { .cfg = &cfg, .hooks = { .guest_report = hook,
						      .report_arg = &hook_marker } };
	enum hl_status want[] = { HL_OK, HL_E_QUOTA, HL_OK, HL_E_BAD_REQUEST,
				  HL_OK, HL_OK };
	uint64_t pkts[] = { 100, 200, 300, UINT32_MAX, 400, 50 };
	uint64_t at[] = { 1000, 1100, 2000, 3000, 4000, 5000 };
	unsigned int oks = 0;

	memset(&g, 0, sizeof(g));
	g.idx = 7;
	g.conn.active = 1;
	for (unsigned int i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		unsigned int before = hook_calls;
		enum hl_status s = serve(&app, &g, pkts[i], pkts[i] * 64, at[i]);

		CHECK("verdict", s == want[i], "report %u: %d, wanted %d", i, s, want[i]);
		oks += s == HL_OK;
		CHECK("hook iff accepted", hook_calls - before == (s == HL_OK),
		      "report %u (%d): hook called %u times", i, s, hook_calls - before);
	}
	CHECK("hook count", hook_calls == oks && oks == g.conn.slow.report_accepted,
	      "%u calls, %u accepted", hook_calls, oks);
	CHECK("hook guest", hook_guest == 7, "guest %u", hook_guest);
	CHECK("hook series", hook_pkts == 300 && hook_bytes == 300 * 64,
	      "%llu/%llu", (unsigned long long)hook_pkts, (unsigned long long)hook_bytes);
	CHECK("reset seen", g.conn.slow.report_resets == 1, "%llu",
	      (unsigned long long)g.conn.slow.report_resets);
	/* No hook: counted all the same. */
	app.hooks.guest_report = NULL;
	CHECK("no hook", serve(&app, &g, 60, 60 * 64, 6000) == HL_OK, "refused");
	CHECK("no call", hook_calls == oks, "hook called");
	/* A guest removed meanwhile: nothing judged. */
	g.conn.active = 0;
	CHECK("removed", serve(&app, &g, 70, 70 * 64, 7000) == HL_E_PERM, "judged");
	CHECK("removed not counted", g.conn.slow.report_accepted == oks + 1, "%llu",
	      (unsigned long long)g.conn.slow.report_accepted);
}

int
main(void)
{
	test_limits();
	test_series();
	test_rate_limit();
	test_ceiling();
	test_reset();
	test_overflow();
	test_serve_hook();
	printf("report: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
