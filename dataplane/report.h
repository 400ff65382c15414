/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A guest's own interface counters (STATS_REPORT: FlexVF's collector,
 * guestlib/agent/hostlane-agent.c), judged on the main lcore before the VF
 * allocator may see them.
 *
 * Design note. The I/O lcore copies and validates a report
 * (hl_proto_stats_report_parse()) into a hand-off message (fnmsg.h),
 * stamped with when it came; it refuses reports of guests that take no VF
 * and drops one that comes while the guest's last is still here. The main
 * lcore then, per guest:
 *  1. rate-limits: one report judged per report_interval_ms (HL_E_QUOTA
 *     otherwise). The state belongs to the guest's slot, not to a
 *     connection, so reconnecting gives a guest no new budget;
 *  2. adds up the interfaces (rx + tx packets and bytes); a sum that
 *     overflows 64 bits is refused (HL_E_BAD_REQUEST);
 *  3. compares with the last accepted report: counters that went back are
 *     a reset (accepted and counted: a new baseline, nothing added); a rate
 *     above the ceiling is refused (HL_E_BAD_REQUEST) and the baseline
 *     kept. The ceiling is both directions of report_line_rate_mbps: in
 *     bytes, and in packets at the smallest Ethernet frame on the wire
 *     (84 bytes with preamble and gap);
 *  4. adds an accepted report's increase to the guest's report_pkts and
 *     report_bytes: a series that only grows, and only by what passed the
 *     checks, whatever the guest claims. That series is what the VF
 *     allocator gets (the guest_report hook, app.h), as the least trusted
 *     source (control/vf/vf.h, VF_RATE_GUEST_REPORT).
 * Main lcore only; no I/O, no allocation.
 */
#ifndef DP_REPORT_H
#define DP_REPORT_H

#include <stdint.h>

#include <hostlane/proto.h>

#include "stats.h"

/** Bits a minimum-size Ethernet frame takes on the wire (64 + 8 + 12 B). */
#define DP_REPORT_MIN_FRAME_BITS (84u * 8u)

/** A guest's report budget and baseline; in its slot (struct dp_guest_conn). */
struct dp_report_state {
	uint64_t next_ms;		/**< no report is judged before this */
	uint64_t base_ms;		/**< when the baseline came */
	uint64_t base_pkts;		/**< the guest's sums then */
	uint64_t base_bytes;
	uint8_t have_base;		/**< a report was accepted */
};

/** What a report may claim, from the config. */
struct dp_report_limits {
	uint32_t interval_ms;		/**< between two reports judged */
	uint64_t max_pps;		/**< rx + tx packets per second */
	uint64_t max_bytes_ps;		/**< rx + tx bytes per second */
};

/** The limits for report_interval_ms and report_line_rate_mbps. */
void dp_report_limits(uint32_t interval_ms, uint64_t line_rate_mbps,
		      struct dp_report_limits *out);

/**
 * Judge one validated report of a guest, which came at now_ms (a clock
 * that never goes back), and count the verdict in slow (report_*).
 * @return HL_OK (accepted: slow->report_pkts and report_bytes hold the
 *         guest's series), HL_E_QUOTA (too soon) or HL_E_BAD_REQUEST
 *         (a rate above the ceiling, or sums that overflow).
 */
enum hl_status dp_report_judge(struct dp_report_state *st,
			       struct dp_guest_slow_stats *slow,
			       const struct dp_report_limits *lim,
			       const struct hl_stats_report *r, uint64_t now_ms);

struct dp_app;
struct dp_fnmsg;

/**
 * Serve a DP_FNMSG_REPORT an I/O lcore handed over: judge it for its
 * guest, set msg->status, and give an accepted one's series to
 * app->hooks.guest_report. Main lcore.
 */
void dp_report_serve(struct dp_app *app, struct dp_fnmsg *msg);

#endif /* DP_REPORT_H */
