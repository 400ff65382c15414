/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the VF allocator with the mock actuator, of the rates, and
 * of the [vf] config keys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act_mock.h"
#include "alloc.h"
#include "config.h"
#include "rates.h"
#include "unit_check.h"

struct rig {
	struct vf_alloc *a;
	struct vf_mock *m;
	struct vf_actuator act;
	unsigned int n_slots;
};

static void
rig_init(struct rig *r, enum vf_pol_kind pol, unsigned int n_slots,
	 unsigned int max_guests)
{
	struct vf_slot slots[16];
	struct vf_alloc_conf c;

	memset(slots, 0, sizeof(slots));
	for (unsigned int i = 0; i < n_slots; i++)
		snprintf(slots[i].name, sizeof(slots[i].name), "pool/%u", i);
	vf_alloc_conf_defaults(&c);
	c.policy = pol;
	c.interval_ms = 1000;
	c.min_hold_ms = 0;
	c.hysteresis_pct = 0;
	c.rate_window_ms = 1000;
	r->a = vf_alloc_create(&c, slots, n_slots, max_guests);
	r->m = vf_mock_create(64);
	r->n_slots = n_slots;
	if (r->a == NULL || r->m == NULL) {
		perror("create");
		exit(1);
	}
	vf_mock_actuator(r->m, &r->act);
	vf_alloc_set_actuator(r->a, &r->act);
}

static void
rig_free(struct rig *r)
{
	vf_alloc_free(r->a);
	vf_mock_free(r->m);
}

static struct vf_alloc_guest_info
info(struct rig *r, const char *name)
{
	struct vf_alloc_guest_info g;

	if (vf_alloc_guest_info(r->a, name, &g) < 0)
		memset(&g, 0, sizeof(g));
	return g;
}

/* The books agree with the mock's, and no VF is held twice. */
static void
check_books(const char *what, struct rig *r)
{
	char owners[16][VF_NAME_MAX];

	CHECK(what, vf_mock_stats(r->m)->violations == 0, "%lu actuator violations",
	      (unsigned long)vf_mock_stats(r->m)->violations);
	for (unsigned int i = 0; i < r->n_slots; i++) {
		enum vf_gstate st;
		struct vf_slot s;
		const char *mock;

		vf_alloc_slot(r->a, i, &s, owners[i], sizeof(owners[i]), &st);
		for (unsigned int j = 0; j < i; j++)
			CHECK(what, owners[i][0] == '\0' || strcmp(owners[i], owners[j]) != 0,
			      "%s holds two VFs", owners[i]);
		if (owners[i][0] == '\0' || st != VF_G_HELD)
			continue;
		mock = vf_mock_holding(r->m, owners[i]);
		CHECK(what, mock != NULL && strcmp(mock, s.name) == 0,
		      "books: %s holds %s, the actuator says %s", owners[i], s.name,
		      mock != NULL ? mock : "nothing");
	}
}

static void
test_rounds(void)
{
	struct rig r;

	rig_init(&r, VF_POL_FAIR, 2, 8);
	for (int i = 0; i < 3; i++) {
		char n[8];

		snprintf(n, sizeof(n), "g%d", i);
		CHECK("rounds", vf_alloc_guest_add(r.a, n, VF_ROLE_ELIGIBLE, 1) == i,
		      "guest %s not added", n);
	}
	CHECK("rounds", vf_alloc_guest_add(r.a, "g0", VF_ROLE_ELIGIBLE, 1) == -EEXIST,
	      "a name twice");
	CHECK("rounds", vf_alloc_guest_add(r.a, "bad", VF_ROLE_NONE, 1) == -EINVAL &&
	      vf_alloc_guest_add(r.a, "bad", VF_ROLE_ELIGIBLE, 0) == -EINVAL,
	      "role none or weight 0 accepted");
	vf_alloc_tick(r.a, 100);
	CHECK("rounds", vf_alloc_n_held(r.a) == 2 && info(&r, "g0").state == VF_G_HELD &&
	      info(&r, "g1").state == VF_G_HELD, "first round: g0, g1 should hold");
	check_books("rounds", &r);
	vf_alloc_tick(r.a, 600);	/* no round yet */
	CHECK("rounds", vf_alloc_stats(r.a)->rounds == 1, "a round before the interval");
	vf_alloc_tick(r.a, 1100);
	CHECK("rounds", vf_alloc_stats(r.a)->rounds == 2 &&
	      info(&r, "g2").state == VF_G_HELD, "g2 did not get its turn");
	{
		struct vf_log_entry log[VF_LOG_ENTRIES];
		unsigned int n = vf_alloc_log(r.a, log, VF_LOG_ENTRIES);
		bool why = false, rev = false;

		for (unsigned int i = 0; i < n; i++) {
			why |= log[i].round == 2 && strcmp(log[i].what, "chosen") == 0 &&
			       strcmp(log[i].guest, "g2") == 0 &&
			       strncmp(log[i].reason, "fair: least served", 18) == 0;
			rev |= log[i].round == 2 && strcmp(log[i].what, "revoke") == 0 &&
			       strncmp(log[i].reason, "fair: served 1000 ms", 20) == 0;
		}
		CHECK("rounds", why && rev, "the swap's reasons are not in the log");
	}
	check_books("rounds", &r);
	rig_free(&r);
}

static void
test_pending_ops(void)
{
	struct vf_mock_knob slow = { .polls = 3 };
	char err[160];
	struct rig r;

	rig_init(&r, VF_POL_MANUAL, 1, 4);
	vf_mock_knob(r.m, "g0", &slow);
	vf_alloc_guest_add(r.a, "g0", VF_ROLE_ELIGIBLE, 1);
	vf_alloc_guest_add(r.a, "g1", VF_ROLE_ELIGIBLE, 1);
	vf_alloc_tick(r.a, 10);
	CHECK("pending", vf_alloc_assign(r.a, "g0", err, sizeof(err)) == 1,
	      "a slow assign is not under way");
	CHECK("pending", info(&r, "g0").state == VF_G_ASSIGNING, "not assigning");
	CHECK("pending", vf_alloc_assign(r.a, "g1", err, sizeof(err)) == -ENOSPC,
	      "the VF under way was handed out again");
	CHECK("pending", vf_alloc_assign(r.a, "g0", err, sizeof(err)) == -EBUSY,
	      "a second assign while one is under way");
	vf_alloc_tick(r.a, 20);
	vf_alloc_tick(r.a, 30);
	CHECK("pending", info(&r, "g0").state == VF_G_ASSIGNING, "done too early");
	vf_alloc_tick(r.a, 45);
	CHECK("pending", info(&r, "g0").state == VF_G_HELD, "not held after 3 polls");
	CHECK("pending", vf_alloc_stats(r.a)->switch_ms_last == 35,
	      "switch time %lu ms, want 35", (unsigned long)vf_alloc_stats(r.a)->switch_ms_last);
	CHECK("pending", vf_alloc_release(r.a, "g1", err, sizeof(err)) == -EINVAL,
	      "release of a guest holding nothing");
	CHECK("pending", vf_alloc_assign(r.a, "nosuch", err, sizeof(err)) == -ENOENT,
	      "assign to an unknown guest");
	check_books("pending", &r);
	rig_free(&r);
}

static void
test_failed_revoke_keeps_vf(void)
{
	struct vf_mock_knob refuse = { .revoke_rc = -EIO };
	struct vf_mock_knob timeout = { .polls = 2, .poll_rc = -ETIMEDOUT };
	struct vf_log_entry log[VF_LOG_ENTRIES];
	bool said = false;
	char err[160];
	unsigned int n;
	struct rig r;

	rig_init(&r, VF_POL_MANUAL, 1, 4);
	vf_alloc_guest_add(r.a, "g0", VF_ROLE_ELIGIBLE, 1);
	vf_alloc_guest_add(r.a, "g1", VF_ROLE_ELIGIBLE, 1);
	vf_alloc_tick(r.a, 10);
	CHECK("revoke fails", vf_alloc_assign(r.a, "g0", err, sizeof(err)) == 0, "assign");
	vf_mock_knob(r.m, "g0", &refuse);
	CHECK("revoke fails", vf_alloc_release(r.a, "g0", err, sizeof(err)) == -EIO,
	      "a refused revoke did not fail");
	CHECK("revoke fails", strstr(err, "refused") != NULL, "error '%s'", err);
	CHECK("revoke fails", info(&r, "g0").state == VF_G_HELD &&
	      strcmp(info(&r, "g0").vf, "pool/0") == 0, "g0 lost the VF");
	CHECK("revoke fails", vf_alloc_assign(r.a, "g1", err, sizeof(err)) == -ENOSPC,
	      "the VF was handed out while g0 keeps it");
	/* A swap whose revoke fails: the challenger gets nothing. */
	vf_alloc_set_role(r.a, "g0", VF_ROLE_EXCLUDED);
	vf_alloc_set_role(r.a, "g1", VF_ROLE_PINNED);
	vf_alloc_tick(r.a, 20);
	CHECK("revoke fails", info(&r, "g0").state == VF_G_HELD &&
	      info(&r, "g1").state == VF_G_IDLE && !info(&r, "g1").waiting,
	      "after a failed swap: g0 %s, g1 %s", vf_gstate_name(info(&r, "g0").state),
	      vf_gstate_name(info(&r, "g1").state));
	n = vf_alloc_log(r.a, log, VF_LOG_ENTRIES);
	for (unsigned int i = 0; i < n; i++)
		said |= strcmp(log[i].what, "failed") == 0 && strstr(log[i].reason,
			"keeps the VF") != NULL && log[i].round != 0;
	CHECK("revoke fails", said, "the round's log does not report the failure");
	CHECK("revoke fails", vf_alloc_stats(r.a)->failures == 2, "%lu failures",
	      (unsigned long)vf_alloc_stats(r.a)->failures);
	/* Timing out when polled: the same. */
	vf_mock_knob(r.m, "g0", &timeout);
	vf_alloc_set_role(r.a, "g0", VF_ROLE_ELIGIBLE);
	vf_alloc_set_role(r.a, "g1", VF_ROLE_ELIGIBLE);
	vf_alloc_tick(r.a, 30);
	CHECK("revoke times out", vf_alloc_release(r.a, "g0", err, sizeof(err)) == 1,
	      "revoke not under way");
	vf_alloc_tick(r.a, 40);
	vf_alloc_tick(r.a, 50);
	CHECK("revoke times out", info(&r, "g0").state == VF_G_HELD, "g0 lost its VF");
	check_books("revoke fails", &r);
	rig_free(&r);
}

/* A guest whose assigns always fail does not keep the VF from others. */
static void
test_failed_assign_backs_off(void)
{
	struct vf_mock_knob broken = { .assign_rc = -EIO };
	struct rig r;

	rig_init(&r, VF_POL_FAIR, 1, 4);
	vf_mock_knob(r.m, "g0", &broken);
	vf_alloc_guest_add(r.a, "g0", VF_ROLE_ELIGIBLE, 1);
	vf_alloc_guest_add(r.a, "g1", VF_ROLE_ELIGIBLE, 1);
	vf_alloc_tick(r.a, 10);
	CHECK("assign fails", info(&r, "g0").failures == 1 && vf_alloc_n_held(r.a) == 0,
	      "g0's assign did not fail");
	vf_alloc_tick(r.a, 1010);
	CHECK("assign fails", info(&r, "g1").state == VF_G_HELD,
	      "the VF stayed free after g0's failure (g0 failures %lu)",
	      (unsigned long)info(&r, "g0").failures);
	check_books("assign fails", &r);
	rig_free(&r);
}

/* A VF that failed under its guest (-ENODEV from vf_counters) leaves the
 * books at the next tick, not at some later release. */
static void
test_lost_vf_taken_back(void)
{
	struct vf_mock_knob lost = { .counters_rc = -ENODEV };
	struct rig r;

	rig_init(&r, VF_POL_MANUAL, 1, 4);
	vf_alloc_guest_add(r.a, "g0", VF_ROLE_ELIGIBLE, 1);
	CHECK("lost VF", vf_alloc_assign(r.a, "g0", NULL, 0) >= 0, "assign refused");
	vf_alloc_tick(r.a, 10);
	CHECK("lost VF", info(&r, "g0").state == VF_G_HELD, "g0 holds no VF");
	vf_mock_knob(r.m, "g0", &lost);
	vf_alloc_tick(r.a, 60);
	vf_alloc_tick(r.a, 110);
	CHECK("lost VF", info(&r, "g0").state != VF_G_HELD && vf_alloc_n_held(r.a) == 0,
	      "the books still give g0 a VF that failed (state %s)",
	      vf_gstate_name(info(&r, "g0").state));
	check_books("lost VF", &r);
	rig_free(&r);
}

static void
test_removed_guest_releases(void)
{
	struct vf_mock_knob slow = { .polls = 2 };
	char err[160];
	struct rig r;

	rig_init(&r, VF_POL_MANUAL, 2, 4);
	vf_alloc_guest_add(r.a, "g0", VF_ROLE_ELIGIBLE, 1);
	vf_alloc_guest_add(r.a, "g1", VF_ROLE_ELIGIBLE, 1);
	vf_alloc_tick(r.a, 10);
	vf_alloc_assign(r.a, "g0", err, sizeof(err));
	CHECK("removed", vf_mock_stats(r.m)->held == 1, "mock holds %u",
	      vf_mock_stats(r.m)->held);
	CHECK("removed", vf_alloc_guest_remove(r.a, "g0") == 0, "remove");
	CHECK("removed", vf_mock_stats(r.m)->held == 0 && vf_alloc_n_held(r.a) == 0,
	      "the VF of a removed guest was not revoked");
	CHECK("removed", vf_alloc_find(r.a, "g0") == -ENOENT, "record kept");
	/* Removed while its assign is under way, then re-added too soon. */
	vf_mock_knob(r.m, "g1", &slow);
	CHECK("removed", vf_alloc_assign(r.a, "g1", err, sizeof(err)) == 1, "assign");
	vf_alloc_guest_remove(r.a, "g1");
	CHECK("removed", vf_alloc_guest_add(r.a, "g1", VF_ROLE_ELIGIBLE, 1) == -EBUSY,
	      "re-added while its VF is under way");
	for (uint64_t t = 20; t < 80; t += 10)
		vf_alloc_tick(r.a, t);
	CHECK("removed", vf_mock_stats(r.m)->held == 0 && vf_alloc_n_held(r.a) == 0,
	      "the assign finished for a removed guest was not revoked");
	CHECK("removed", vf_alloc_guest_add(r.a, "g1", VF_ROLE_ELIGIBLE, 1) >= 0,
	      "cannot re-add once the VF is back");
	check_books("removed", &r);
	rig_free(&r);
}

/* Random operations, failures and removals: the books never break. */
static void
test_stress_books(void)
{
	static const char *const names[] = { "a", "b", "c", "d", "e", "f", "g", "h" };
	uint32_t x = 7;
	char err[160];
	struct rig r;

	rig_init(&r, VF_POL_FAIR, 3, 16);
	for (unsigned int i = 0; i < 8; i++)
		vf_alloc_guest_add(r.a, names[i], VF_ROLE_ELIGIBLE, 1 + i % 3);
	for (uint64_t t = 1; t < 4000; t++) {
		const char *n;
		struct vf_mock_knob k = { 0 };

		x = x * 1103515245u + 12345u;
		n = names[(x >> 16) % 8];
		k.polls = (x >> 8) % 3;
		k.assign_rc = (x >> 4) % 7 == 0 ? -EIO : 0;
		k.revoke_rc = (x >> 5) % 9 == 0 ? -EIO : 0;
		k.poll_rc = (x >> 6) % 11 == 0 ? -ETIMEDOUT : 0;
		vf_mock_knob(r.m, n, &k);
		switch ((x >> 20) % 8) {
		case 0: vf_alloc_assign(r.a, n, err, sizeof(err)); break;
		case 1: vf_alloc_release(r.a, n, err, sizeof(err)); break;
		case 2: vf_alloc_guest_remove(r.a, n); break;
		case 3: vf_alloc_guest_add(r.a, n, VF_ROLE_ELIGIBLE, 1); break;
		case 4: vf_alloc_set_role(r.a, n, 1 + (x >> 24) % 3); break;
		default: break;
		}
		vf_alloc_tick(r.a, t * 50);
		check_books("stress", &r);
		if (failures)
			break;
	}
	CHECK("stress", vf_alloc_stats(r.a)->assigns > 100 &&
	      vf_alloc_stats(r.a)->failures > 10, "too little happened: %lu assigns, "
	      "%lu failures", (unsigned long)vf_alloc_stats(r.a)->assigns,
	      (unsigned long)vf_alloc_stats(r.a)->failures);
	rig_free(&r);
}

/* ---- rates ---- */

static void
feed(struct vf_rate *r, enum vf_rate_source s, uint64_t pkts, uint64_t ms)
{
	struct vf_counters c = { .pkts = pkts, .bytes = pkts * 100, .source = s };

	vf_rate_feed(r, &c, ms, 1000);
}

static void
test_rates(void)
{
	struct vf_rate r;
	struct vf_rate_now now;
	uint64_t p = 0;

	vf_rate_init(&r);
	for (uint64_t t = 0; t <= 10000; t += 100, p += 5000)
		feed(&r, VF_RATE_HOST_CHANNEL, p, t);
	vf_rate_eval(&r, 10000, 1000, true, &now);
	CHECK("rates", now.pps > 49999 && now.pps < 50001 && now.bps > 4999999 &&
	      now.source == VF_RATE_HOST_CHANNEL, "steady 50k pps read %.1f from %s",
	      now.pps, vf_rate_source_name(now.source));
	/* A reset (re-probed port) gives no spike and no drop. */
	feed(&r, VF_RATE_HOST_CHANNEL, 10, 10100);
	vf_rate_eval(&r, 10100, 1000, true, &now);
	CHECK("rates: reset", now.pps > 49999 && now.pps < 50001 && r.resets == 1,
	      "after a reset %.1f pps, %lu resets", now.pps, (unsigned long)r.resets);
	/* A 32-bit counter wraps. */
	vf_rate_init(&r);
	{
		struct vf_counters w0 = { UINT32_MAX - 999, UINT32_MAX - 999,
					  VF_RATE_HOST_VFPORT };
		struct vf_counters w1 = { 4000, 4000, VF_RATE_HOST_VFPORT };

		vf_rate_feed(&r, &w0, 0, 1000);
		vf_rate_feed(&r, &w1, 1000, 1000);
	}
	vf_rate_eval(&r, 1000, 1000, true, &now);
	CHECK("rates: wrap", now.pps > 4999 && now.pps < 5001 && r.resets == 0,
	      "a 32-bit wrap read %.1f pps", now.pps);
	/* Faster than any line: refused. */
	feed(&r, VF_RATE_HOST_VFPORT, 4000 + 1000000000ull, 1001);
	CHECK("rates: too fast", r.resets == 1, "an impossible step was taken");
	/* Two host sources seeing the same frames: the larger, not the sum. */
	vf_rate_init(&r);
	for (uint64_t t = 0, q = 0; t <= 3000; t += 100, q += 1000) {
		feed(&r, VF_RATE_HOST_CHANNEL, q, t);
		feed(&r, VF_RATE_HOST_VFPORT, q * 2, t);
	}
	vf_rate_eval(&r, 3000, 1000, true, &now);
	CHECK("rates: sources", now.pps > 19999 && now.pps < 20001 &&
	      now.source == VF_RATE_HOST_VFPORT, "%.1f pps from %s", now.pps,
	      vf_rate_source_name(now.source));
	/* Stale sources drop out. */
	vf_rate_eval(&r, 9000, 1000, true, &now);
	CHECK("rates: stale", now.source == VF_RATE_NONE && now.pps == 0,
	      "a source unheard of for 6 s still counts");
}

/* A guest that lies: its report counts only where no host counter covers
 * it, and never above what the host measured. */
static void
test_reports(void)
{
	struct vf_counters rep = { .source = VF_RATE_HOST_CHANNEL };
	char err[160];
	struct rig r;
	uint64_t p = 0;

	rig_init(&r, VF_POL_ACTIVITY, 1, 4);
	vf_alloc_guest_add(r.a, "liar", VF_ROLE_ELIGIBLE, 1);
	vf_alloc_guest_add(r.a, "honest", VF_ROLE_ELIGIBLE, 1);
	vf_alloc_guest_add(r.a, "quiet", VF_ROLE_ELIGIBLE, 1);
	/* The host sees liar at 30k pps, honest at 40k. */
	for (uint64_t t = 0; t <= 2000; t += 100, p += 3000) {
		struct vf_counters a = { p, p * 64, VF_RATE_HOST_CHANNEL };
		struct vf_counters b = { p * 4 / 3, p * 64, VF_RATE_HOST_CHANNEL };

		vf_alloc_host_counters(r.a, 0, &a, t);
		vf_alloc_host_counters(r.a, 1, &b, t);
		vf_alloc_tick(r.a, t);
	}
	CHECK("reports", info(&r, "honest").state == VF_G_HELD, "honest holds no VF");
	/* Liar is covered by its channel: reports do not count. */
	for (uint64_t t = 2100, q = 0; t <= 4000; t += 100, q += 10000000) {
		rep.pkts = q;
		rep.bytes = q;
		CHECK("reports", vf_alloc_guest_report(r.a, "liar", &rep) == 0 || t == 2100,
		      "a report refused at %lu", (unsigned long)t);
		vf_alloc_tick(r.a, t);
	}
	CHECK("reports", info(&r, "liar").rate.source != VF_RATE_GUEST_REPORT &&
	      info(&r, "honest").state == VF_G_HELD,
	      "a report counted for a guest the host measures (%s, %.0f pps)",
	      vf_rate_source_name(info(&r, "liar").rate.source), info(&r, "liar").rate.pps);
	/* Rate limit, monotonic, line rate. */
	vf_alloc_tick(r.a, 4100);
	rep.pkts += 1000;
	CHECK("reports", vf_alloc_guest_report(r.a, "liar", &rep) == 0, "a report refused");
	rep.pkts += 1000;
	CHECK("reports", vf_alloc_guest_report(r.a, "liar", &rep) == -EAGAIN,
	      "two reports in one tick");
	vf_alloc_tick(r.a, 4200);
	rep.pkts = 5;
	CHECK("reports", vf_alloc_guest_report(r.a, "liar", &rep) == -ERANGE,
	      "a report going backwards");
	vf_alloc_tick(r.a, 4400);
	rep.pkts = 5 + 1000000000000ull;
	CHECK("reports", vf_alloc_guest_report(r.a, "liar", &rep) == -ERANGE,
	      "a report faster than any line");
	CHECK("reports", vf_alloc_guest_report(r.a, "nosuch", &rep) == -ENOENT,
	      "a report of an unknown guest");
	/* Quiet was never measured: whatever it says, its rate stays 0. */
	for (uint64_t t = 4500, q = 0; t <= 6000; t += 100, q += 1000000) {
		struct vf_counters qr = { q, q * 64, VF_RATE_HOST_CHANNEL };

		vf_alloc_tick(r.a, t);
		vf_alloc_guest_report(r.a, "quiet", &qr);
	}
	CHECK("reports", info(&r, "quiet").rate.pps == 0, "an unmeasured guest's "
	      "report gave it %.0f pps", info(&r, "quiet").rate.pps);
	CHECK("reports", vf_alloc_stats(r.a)->reports_refused >= 3, "refusals not counted");
	(void)err;
	rig_free(&r);
}

/* A guest whose VF no host counter covers: its report stands in, capped
 * at the rate the host measured before. */
static void
test_report_ceiling(void)
{
	char err[160];
	struct rig r;
	uint64_t p = 0, t;

	rig_init(&r, VF_POL_MANUAL, 1, 4);
	vf_alloc_guest_add(r.a, "g", VF_ROLE_ELIGIBLE, 1);
	for (t = 0; t <= 2000; t += 100, p += 3000) {
		struct vf_counters c = { p, p * 64, VF_RATE_HOST_CHANNEL };

		vf_alloc_host_counters(r.a, 0, &c, t);
		vf_alloc_tick(r.a, t);
	}
	CHECK("ceiling", info(&r, "g").rate.pps > 29999 && info(&r, "g").rate.pps < 30001,
	      "measured %.0f pps, want 30k", info(&r, "g").rate.pps);
	vf_alloc_assign(r.a, "g", err, sizeof(err));
	/* On its VF now (no VF counters in the mock): the channel goes quiet,
	 * the guest claims 50M pps. */
	for (uint64_t q = 0; t <= 6000; t += 100, q += 5000000) {
		struct vf_counters c = { p, p * 64, VF_RATE_HOST_CHANNEL };
		struct vf_counters rep = { q, q * 64, VF_RATE_GUEST_REPORT };

		vf_alloc_host_counters(r.a, 0, &c, t);
		vf_alloc_guest_report(r.a, "g", &rep);
		vf_alloc_tick(r.a, t);
	}
	CHECK("ceiling", info(&r, "g").rate.source == VF_RATE_GUEST_REPORT &&
	      info(&r, "g").rate.pps <= 30001, "rate %.0f pps from %s: above the host's "
	      "30k", info(&r, "g").rate.pps, vf_rate_source_name(info(&r, "g").rate.source));
	CHECK("ceiling", info(&r, "g").rate.pps > 29000, "the report did not stand in "
	      "(%.0f pps)", info(&r, "g").rate.pps);
	rig_free(&r);
}

/* ---- [vf] config keys ---- */

static char tmp_path[64];
static struct dp_config cfg;

static int
load(const char *text, char *err, size_t len)
{
	FILE *f = fopen(tmp_path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(tmp_path);
		exit(1);
	}
	dp_config_free(&cfg);
	return dp_config_load(tmp_path, "/tmp", &cfg, err, len);
}

static void
expect_load(const char *what, const char *text, const char *want_err)
{
	char err[DP_ERR_MAX] = "";
	int rc = load(text, err, sizeof(err));

	if (want_err == NULL)
		CHECK(what, rc == 0, "refused: %s", err);
	else
		CHECK(what, rc < 0 && strstr(err, want_err) != NULL,
		      "rc %d, error '%s', want '%s'", rc, err, want_err);
}

static void
test_config(void)
{
	char text[1024];

	expect_load("config: [vf]", "[hostlane]\nmbufs = 2047\n[vf]\nmode = mock\n"
		    "policy = activity\ninterval_ms = 300000\nvf_pool = net_null10\\;"
		    " net_null11,size=64 \\;net_null12\n[guest a]\nvf = eligible\n"
		    "vf_weight = 7\n[guest b]\nvf = pinned\n", NULL);
	CHECK("config: [vf]", cfg.vf.enabled && cfg.vf.n_pool == 3 &&
	      strcmp(cfg.vf.pool[1], "net_null11,size=64") == 0 &&
	      cfg.vf.interval_ms == 300000 && strcmp(cfg.vf.policy, "activity") == 0 &&
	      cfg.vf.min_hold_ms == 10000 && strcmp(cfg.vf.sysfs_root, "/sys") == 0,
	      "[vf] read wrong");
	CHECK("config: guest keys", cfg.guests[0].vf_role == DP_VF_ELIGIBLE &&
	      cfg.guests[0].vf_weight == 7 && cfg.guests[1].vf_role == DP_VF_PINNED &&
	      cfg.guests[1].vf_weight == 1, "guest vf keys read wrong");
	expect_load("config: no [vf]", "[hostlane]\nmbufs = 2047\n", NULL);
	CHECK("config: no [vf]", !cfg.vf.enabled, "[vf] enabled without the section");
	expect_load("config: needs [vf]", "[hostlane]\nmbufs = 2047\n[guest a]\n"
		    "vf = eligible\n", "there is no [vf] section");
	expect_load("config: needs VFs", "[vf]\nmode = mock\n", "no VFs");
	expect_load("config: bad mode", "[vf]\nmode = sriov\nvf_pool = x\n",
		    "not dedicated or passthrough");
	expect_load("config: bad policy", "[vf]\npolicy = random\nvf_pool = x\n",
		    "not fair, activity or manual");
	expect_load("config: bad role", "[vf]\nvf_pool = x\n[guest a]\nvf = excluded\n",
		    "not none, eligible or pinned");
	expect_load("config: pool twice", "[vf]\nvf_pool = x\\;x\n", "given twice");
	expect_load("config: passthrough", "[vf]\nmode = passthrough\nvf_pool = x\n"
		    "[guest a]\nvf = eligible\nqmp = /run/a.qmp\n", "needs the guest's qmp");
	expect_load("config: passthrough", "[vf]\nmode = passthrough\nvf_pool = x\n"
		    "[guest a]\nvf = eligible\nqmp = /run/a.qmp\nqmp_standby = net0\n", NULL);
	expect_load("config: qmp", "[vf]\nvf_pool = x\n[guest a]\nqmp = run/a\n",
		    "not an absolute path");
	expect_load("config: standby", "[vf]\nvf_pool = x\n[guest a]\nqmp_standby = 0x\n",
		    "not a QEMU device id");
	expect_load("config: weight", "[vf]\nvf_pool = x\n[guest a]\nvf_weight = 1001\n",
		    "out of range");
	expect_load("config: sysfs", "[vf]\nvf_pool = x\nsysfs_root = sys\n",
		    "not an absolute path");
	/* The config's ranges are the allocator's. */
#define T_RANGE_(f, lo, hi, def, help)                                          \
	snprintf(text, sizeof(text), "[vf]\nvf_pool = x\n" #f " = %u\n", (unsigned)(lo)); \
	expect_load("config: range " #f, text, NULL);                           \
	snprintf(text, sizeof(text), "[vf]\nvf_pool = x\n" #f " = %u\n", (unsigned)(hi)); \
	expect_load("config: range " #f, text, NULL);                           \
	snprintf(text, sizeof(text), "[vf]\nvf_pool = x\n" #f " = %u\n", (unsigned)(hi) + 1); \
	expect_load("config: range " #f, text, "out of range");                 \
	if ((lo) > 0) {                                                         \
		snprintf(text, sizeof(text), "[vf]\nvf_pool = x\n" #f " = %u\n", \
			 (unsigned)(lo) - 1);                                   \
		expect_load("config: range " #f, text, "out of range");         \
	}
	VF_ALLOC_TUNABLES(T_RANGE_)
#undef T_RANGE_
	/* And the defaults. */
	expect_load("config: defaults", "[vf]\nvf_pool = x\n", NULL);
	{
		struct vf_alloc_conf d;

		vf_alloc_conf_defaults(&d);
		CHECK("config: defaults", d.interval_ms == cfg.vf.interval_ms &&
		      d.min_hold_ms == cfg.vf.min_hold_ms &&
		      d.hysteresis_pct == cfg.vf.hysteresis_pct &&
		      d.max_moves == cfg.vf.max_moves &&
		      d.rate_window_ms == cfg.vf.rate_window_ms,
		      "config and allocator defaults differ");
	}
}

int
main(void)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/hl_vf_cfg.XXXXXX");
	fd = mkstemp(tmp_path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	test_rounds();
	test_pending_ops();
	test_failed_revoke_keeps_vf();
	test_failed_assign_backs_off();
	test_lost_vf_taken_back();
	test_removed_guest_releases();
	test_stress_books();
	test_rates();
	test_reports();
	test_report_ceiling();
	test_config();
	unlink(tmp_path);
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("vf alloc: all checks passed\n");
	return 0;
}
