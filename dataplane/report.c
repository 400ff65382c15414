/* SPDX-License-Identifier: BSD-3-Clause */
/* Judging a guest's own interface counters on the main lcore (report.h). */
#include <stdbool.h>

#include "app.h"
#include "report.h"

void
dp_report_limits(uint32_t interval_ms, uint64_t line_rate_mbps,
		 struct dp_report_limits *out)
{
	/* Both directions of the line: a guest's rx and tx add up. */
	uint64_t bits = 2 * line_rate_mbps * 1000000u;

	out->interval_ms = interval_ms;
	out->max_pps = bits / DP_REPORT_MIN_FRAME_BITS;
	out->max_bytes_ps = bits / 8;
}

/* rx + tx packets and bytes of every interface; false if a sum overflows. */
static bool
report_sums(const struct hl_stats_report *r, uint64_t *pkts, uint64_t *bytes)
{
	uint64_t p = 0, b = 0;
	bool over = false;

	for (uint32_t i = 0; i < r->count && i < HL_REPORT_IFS_MAX; i++) {
		const struct hl_ifstats *s = &r->ifs[i];

		over |= __builtin_add_overflow(p, s->rx_packets, &p);
		over |= __builtin_add_overflow(p, s->tx_packets, &p);
		over |= __builtin_add_overflow(b, s->rx_bytes, &b);
		over |= __builtin_add_overflow(b, s->tx_bytes, &b);
	}
	*pkts = p;
	*bytes = b;
	return !over;
}

/* How much a rate per second allows in ms milliseconds (saturating). */
static uint64_t
allowed(uint64_t per_s, uint64_t ms)
{
	uint64_t v;

	if (__builtin_mul_overflow(per_s, ms, &v))
		return UINT64_MAX;
	return v / 1000;
}

/* Compare with the baseline; HL_OK with the increase, or a refusal. */
static enum hl_status
report_delta(const struct dp_report_state *st, const struct dp_report_limits *lim,
	     uint64_t pkts, uint64_t bytes, uint64_t now_ms, uint64_t *dp,
	     uint64_t *db)
{
	uint64_t ms = now_ms - st->base_ms;

	*dp = *db = 0;
	if (!st->have_base || pkts < st->base_pkts || bytes < st->base_bytes)
		return HL_OK;	/* no baseline to rate against */
	*dp = pkts - st->base_pkts;
	*db = bytes - st->base_bytes;
	if (*dp > allowed(lim->max_pps, ms) || *db > allowed(lim->max_bytes_ps, ms))
		return HL_E_BAD_REQUEST;
	return HL_OK;
}

enum hl_status
dp_report_judge(struct dp_report_state *st, struct dp_guest_slow_stats *slow,
		const struct dp_report_limits *lim, const struct hl_stats_report *r,
		uint64_t now_ms)
{
	uint64_t pkts, bytes, dp, db;

	if (now_ms < st->next_ms) {
		slow->report_limited++;
		return HL_E_QUOTA;
	}
	/* Every report judged spends the budget, refused ones too. */
	st->next_ms = now_ms + lim->interval_ms;
	if (!report_sums(r, &pkts, &bytes) ||
	    report_delta(st, lim, pkts, bytes, now_ms, &dp, &db) != HL_OK) {
		slow->report_refused++;
		return HL_E_BAD_REQUEST;
	}
	if (st->have_base && (pkts < st->base_pkts || bytes < st->base_bytes))
		slow->report_resets++;
	st->have_base = 1;
	st->base_ms = now_ms;
	st->base_pkts = pkts;
	st->base_bytes = bytes;
	slow->report_pkts += dp;
	slow->report_bytes += db;
	slow->report_accepted++;
	return HL_OK;
}

void
dp_report_serve(struct dp_app *app, struct dp_fnmsg *msg)
{
	struct dp_guest *g = msg->g;
	struct dp_report_limits lim;

	/* Removed meanwhile: nobody to answer, nothing to feed. */
	if (!g->conn.active) {
		msg->status = HL_E_PERM;
		return;
	}
	dp_report_limits(app->cfg->report_interval_ms,
			 app->cfg->report_line_rate_mbps, &lim);
	msg->status = dp_report_judge(&g->conn.report, &g->conn.slow, &lim,
				      &msg->report, msg->rx_ms);
	if (msg->status == HL_OK && app->hooks.guest_report != NULL)
		app->hooks.guest_report(app->hooks.report_arg, g->idx,
					g->conn.slow.report_pkts,
					g->conn.slow.report_bytes);
}
