/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of fairness (dataplane/fair.h): the budget with weights, token
 * buckets driven by a made-up TSC (no lcore runs): never more than burst +
 * rate x time, and refilled to at least rate x time; the bytes bucket's
 * debt of one pass; a clock that goes back; publishing and the copy the
 * I/O lcore takes (not while the count is odd, levels kept across a
 * change).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fair.h"
#include "unit_check.h"

#define HZ 1000000u		/* a made-up TSC: 1 MHz */

static struct dp_fair_pub pub;
static struct dp_fair f;

static struct dp_fair_conf
conf(uint64_t budget, uint64_t weight, uint64_t cps, uint64_t cburst,
     uint64_t bps, uint64_t bburst)
{
	return (struct dp_fair_conf){ .poll_budget = budget, .weight = weight,
		.calls_per_s = cps, .calls_burst = cburst, .bytes_per_s = bps,
		.bytes_burst = bburst };
}

static void
setup(struct dp_fair_conf c, uint64_t now)
{
	memset(&pub, 0, sizeof(pub));
	memset(&f, 0, sizeof(f));
	dp_fair_publish(&pub, &c, HZ);
	CHECK("reload", dp_fair_reload(&f, &pub, now), "first copy refused");
}

/* A pseudo-random pass length, 1 .. 4000 cycles: lcores are irregular. */
static uint64_t
step(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	return 1 + (*seed >> 33) % 4000;
}

static void
test_budget(void)
{
	struct dp_fair_conf c = conf(32, 1, 0, 0, 0, 0);

	setup(c, 0);
	CHECK("default budget", dp_fair_admit(&f, 10) == 32 && !f.limited,
	      "admit %u, limited %u", dp_fair_admit(&f, 10), f.limited);
	c.weight = 3;
	dp_fair_publish(&pub, &c, HZ);
	CHECK("new settings seen", pub.seq != f.seq, "seq did not move");
	dp_fair_reload(&f, &pub, 20);
	CHECK("weight scales the budget", dp_fair_admit(&f, 30) == 96, "admit %u",
	      dp_fair_admit(&f, 30));
}

/* Passes that take all they are admitted, for t cycles. @return frames. */
static uint64_t
flood_calls(uint64_t *now, uint64_t t, uint64_t seed)
{
	uint64_t end = *now + t, total = 0;

	while (*now < end) {
		unsigned int k = dp_fair_admit(&f, *now);

		dp_fair_charge(&f, k, 0);
		total += k;
		*now += step(&seed);
	}
	return total;
}

static void
test_calls_bound(void)
{
	/* 1000 calls/s, burst 50, 10 simulated seconds. */
	uint64_t now = 5, t = 10ull * HZ, total;

	setup(conf(32, 1, 1000, 50, 0, 0), now);
	total = flood_calls(&now, t, 1);
	CHECK("calls: at most burst + rate x time", total <= 50 + 1000 * 10,
	      "%" PRIu64 " calls", total);
	/* Every pass but the last refills: at least rate x (t - one pass). */
	CHECK("calls: refilled", total >= 1000 * 10 - 4, "%" PRIu64 " calls", total);
	CHECK("calls: never in debt", f.calls.level >= 0, "level %" PRId64,
	      f.calls.level);
}

static void
test_calls_burst_after_idle(void)
{
	uint64_t now = 0, total;

	setup(conf(32, 1, 1000, 50, 0, 0), now);
	flood_calls(&now, HZ, 2);
	/* An hour idle fills the bucket to its burst, no further. */
	now += 3600ull * HZ;
	total = 0;
	for (int i = 0; i < 10; i++) {
		unsigned int k = dp_fair_admit(&f, now);

		dp_fair_charge(&f, k, 0);
		total += k;
	}
	CHECK("idle: the burst and no more", total == 50, "%" PRIu64 " calls", total);
}

static void
test_bytes_debt(void)
{
	/* 100 kB/s, burst 3000, frames of 1500 bytes, 32 a pass at most. */
	uint64_t now = 0, end = 10ull * HZ, bytes = 0, seed = 3, most = 0;

	setup(conf(32, 1, 0, 0, 100000, 3000), now);
	while (now < end) {
		unsigned int k = dp_fair_admit(&f, now);

		dp_fair_charge(&f, k, (uint64_t)k * 1500);
		bytes += (uint64_t)k * 1500;
		most = k > most ? k : most;
		now += step(&seed);
	}
	CHECK("bytes: at most burst + rate x time + one pass",
	      bytes <= 3000 + 100000 * 10 + 32 * 1500, "%" PRIu64 " bytes", bytes);
	CHECK("bytes: refilled", bytes >= 100000 * 10 - 1500, "%" PRIu64 " bytes", bytes);
	CHECK("bytes: a pass may take a whole budget", most == 32, "most %" PRIu64, most);
}

static void
test_clock_back(void)
{
	uint64_t now = 10ull * HZ;

	setup(conf(32, 1, 1000, 10, 0, 0), now);
	dp_fair_charge(&f, dp_fair_admit(&f, now), 0);
	/* Another core's clock, a little behind: no refill, no wrap. */
	CHECK("clock back: nothing", dp_fair_admit(&f, now - 1000) == 0,
	      "admit %u", dp_fair_admit(&f, now - 1000));
	CHECK("clock back: level sane", f.calls.level >= 0 && f.calls.level < (int64_t)HZ,
	      "level %" PRId64, f.calls.level);
}

static void
test_reload(void)
{
	struct dp_fair_conf c = conf(32, 1, 1000, 100, 0, 0);
	uint64_t now = 0;

	setup(c, now);
	dp_fair_charge(&f, 30, 0);	/* 70 left */
	c.calls_burst = 200;
	dp_fair_publish(&pub, &c, HZ);
	dp_fair_reload(&f, &pub, now);
	CHECK("a kept rate keeps its level", f.calls.level == 70 * (int64_t)HZ,
	      "level %" PRId64, f.calls.level);
	c.calls_burst = 20;
	dp_fair_publish(&pub, &c, HZ);
	dp_fair_reload(&f, &pub, now);
	CHECK("capped by a smaller burst", f.calls.level == 20 * (int64_t)HZ,
	      "level %" PRId64, f.calls.level);
	c.calls_per_s = 0;
	c.calls_burst = 0;
	dp_fair_publish(&pub, &c, HZ);
	dp_fair_reload(&f, &pub, now);
	CHECK("lifted", !f.limited && dp_fair_admit(&f, now) == 32, "limited %u",
	      f.limited);
	/* A writer in the middle: the copy waits for the next pass. */
	pub.seq++;
	CHECK("odd count: not copied", !dp_fair_reload(&f, &pub, now), "copied");
	pub.seq++;
	CHECK("even again: copied", dp_fair_reload(&f, &pub, now), "not copied");
	c.calls_per_s = 10;
	dp_fair_publish(&pub, &c, HZ);
	dp_fair_reload(&f, &pub, now);
	CHECK("default burst: a tenth of a second, at least 1",
	      f.calls.cap == (int64_t)HZ, "cap %" PRId64, f.calls.cap);
	c.bytes_per_s = (uint64_t)100 << 30;
	dp_fair_publish(&pub, &c, HZ);
	dp_fair_reload(&f, &pub, now);
	CHECK("default burst: at most the key's maximum",
	      f.bytes.cap == (int64_t)(DP_FAIR_BYTES_BURST_MAX * HZ), "cap %" PRId64,
	      f.bytes.cap);
}

int
main(void)
{
	test_budget();
	test_calls_bound();
	test_calls_burst_after_idle();
	test_bytes_debt();
	test_clock_back();
	test_reload();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("fairness: all checks passed\n");
	return 0;
}
