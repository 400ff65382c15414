/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the I/O lcore watchdog (dp_lcore_watchdog): a heartbeat
 * that stops for timeout_ms is stuck once, a moving one recovers, 0 turns
 * it off, and a resync (the main lcore itself was not running) restarts the
 * count instead of judging. Driven with a made-up clock: no lcores run.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lcore.h"
#include "unit_check.h"

static struct dp_io_lcore lc;

static void
reset(void)
{
	memset(&lc, 0, sizeof(lc));
	lc.loops = 1;
}

static void
beat(void)
{
	lc.loops++;
}

static void
test_stuck_and_recover(void)
{
	reset();
	CHECK("first look", dp_lcore_watchdog(&lc, 1000, 200, false) == 0, "not 0");
	CHECK("within timeout", dp_lcore_watchdog(&lc, 1150, 200, false) == 0,
	      "stuck after 150 of 200 ms");
	CHECK("at timeout", dp_lcore_watchdog(&lc, 1200, 200, false) == 1,
	      "not stuck after 200 ms without a pass");
	CHECK("stuck once", dp_lcore_watchdog(&lc, 1500, 200, false) == 0,
	      "reported stuck twice");
	CHECK("counted", lc.wd.stuck_events == 1, "%lu events",
	      (unsigned long)lc.wd.stuck_events);
	CHECK("stuck since", lc.wd.stuck_since_ms == 1000, "since %lu",
	      (unsigned long)lc.wd.stuck_since_ms);
	beat();
	CHECK("recovers", dp_lcore_watchdog(&lc, 1600, 200, false) == -1,
	      "a moving heartbeat did not recover");
	CHECK("episode length", lc.wd.last_stuck_ms == 600, "%lu ms",
	      (unsigned long)lc.wd.last_stuck_ms);
	CHECK("healthy after", dp_lcore_watchdog(&lc, 1700, 200, false) == 0,
	      "not 0 after recovery");
}

static void
test_off(void)
{
	reset();
	dp_lcore_watchdog(&lc, 1000, 0, false);
	CHECK("off", dp_lcore_watchdog(&lc, 100000, 0, false) == 0,
	      "timeout 0 still judged");
}

static void
test_resync(void)
{
	reset();
	dp_lcore_watchdog(&lc, 1000, 200, false);
	/* The main lcore's tick came 5 s late: the process was stopped. */
	CHECK("resync", dp_lcore_watchdog(&lc, 6000, 200, true) == 0,
	      "a stopped process was judged stuck");
	CHECK("count restarts", dp_lcore_watchdog(&lc, 6150, 200, false) == 0,
	      "stuck 150 ms after a resync");
	CHECK("then judged", dp_lcore_watchdog(&lc, 6200, 200, false) == 1,
	      "not stuck 200 ms after the resync");
	/* Already stuck: a resync does not hide it. */
	CHECK("resync keeps stuck", dp_lcore_watchdog(&lc, 9000, 200, true) == 0 &&
	      lc.wd.stuck_since_ms == 6000, "since %lu",
	      (unsigned long)lc.wd.stuck_since_ms);
	/* Without resync the same late tick is a stuck lcore. */
	reset();
	dp_lcore_watchdog(&lc, 1000, 200, false);
	CHECK("no resync", dp_lcore_watchdog(&lc, 6000, 200, false) == 1,
	      "a late tick without resync not judged");
}

int
main(void)
{
	test_stuck_and_recover();
	test_off();
	test_resync();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("lcore watchdog: all checks passed\n");
	return 0;
}
