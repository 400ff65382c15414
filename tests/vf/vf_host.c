/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vf_host: the hostlane dataplane (dp_app, as dataplane/main.c runs it)
 * driving the "dedicated" VF actuator itself, for the dedicated-mode func
 * test (tests/vf/test_vf_dedicated.sh) and the switch benchmark
 * (bench/vf_switch.sh). A schedule runs on the main lcore's slow-path
 * ticks, never blocking them: wait until the guest sends, then assign and
 * revoke its VF `--cycles` times, holding each state `--hold-ms`, printing
 * each switch's times; then, with --fail, assign once more and print
 * FAILPOINT for the test to break the VF stand-in, and report the
 * failover; then, with --ab-pairs, alternate PV and VF phases of --ab-ms
 * and print the guest's delivered frame rate on each.
 *
 * Usage: vf_host [EAL options] -- --config FILE --runtime-dir DIR
 *        --guest NAME --vf DEVARGS [--vf DEVARGS...] [--cycles N]
 *        [--hold-ms MS] [--fail] [--ab-pairs N --ab-ms MS]
 * Output: lines "switch N assign|revoke ..." and "done"; exit 0 unless an
 * operation failed that should not have.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <rte_eal.h>

#include "app.h"
#include "clock.h"
#include "config.h"
#include "guests.h"
#include "lcore.h"
#include "manager.h"
#include "paths.h"
#include "vf/act_dedicated.h"
#include "vfport.h"

#define MAX_VFS 8
#define START_FRAMES 1000	/* the guest is sending: start the schedule */

enum step { S_WAIT, S_ASSIGN, S_ASSIGNED, S_REVOKE, S_REVOKED, S_FAIL_ASSIGN,
	    S_FAIL_WAIT, S_AB, S_DONE, S_IDLE };

struct host {
	struct dp_app app;
	struct vf_actuator act;
	const char *guest;
	struct vf_slot vfs[MAX_VFS];
	unsigned int n_vfs, cycles, hold_ms, ab_pairs, ab_ms;
	int fail;
	int tfd;
	/* the schedule */
	enum step step;
	unsigned int cycle, pair, phase;
	uint64_t until_ms;
	uint64_t ab_t0, ab_frames0;
	int ab_switching;
	bool ab_vf_held;		/* the guest is on its VF */
	double ab_pps[2];		/* this pair: [0] PV, [1] VF */
	int errors;
};

static void
on_signal(int sig)
{
	(void)sig;
	dp_lcore_stop();
}

static struct dp_guest *
guest_of(struct host *h)
{
	return dp_app_guest_find(&h->app, h->guest);
}

/* Start an operation; 0 done, 1 going on, -1 failed (said). */
static int
start_op(struct host *h, bool assign, const struct vf_slot *vf)
{
	char err[256] = "";
	int rc = assign ? h->act.assign(h->act.ctx, h->guest, vf, err, sizeof(err)) :
			  h->act.revoke(h->act.ctx, h->guest, vf, err, sizeof(err));

	if (rc < 0) {
		printf("error: %s %s: %s\n", assign ? "assign" : "revoke", vf->name, err);
		h->errors++;
		return -1;
	}
	return rc;
}

/* Poll the operation: 1 going on, 0 done, -1 failed (said). */
static int
op_state(struct host *h)
{
	char err[256] = "";
	int rc = h->act.poll(h->act.ctx, h->guest, dp_now_ms(), err, sizeof(err));

	if (rc < 0) {
		printf("error: %s\n", err);
		h->errors++;
		return -1;
	}
	return rc;
}

static bool
op_over(struct host *h)
{
	return op_state(h) != 1;
}

static void
print_switch(struct host *h, bool assign)
{
	struct dp_vf_info in;

	if (dp_vf_info(guest_of(h), &in) < 0)
		return;
	if (assign)
		printf("switch %u assign %s: on the VF after %" PRIu64 " us\n",
		       h->cycle, in.devargs, in.assign_us);
	else
		printf("switch %u revoke: on the PV path after %" PRIu64 " us, VF "
		       "removed after %" PRIu64 " us, %" PRIu64 " frames drained\n",
		       h->cycle, in.revoke_switch_us, in.revoke_done_us, in.drained);
	fflush(stdout);
}

/* Frames the guest got delivered to the wire: on its VF, or by the switch
 * to the uplink (config port 0). */
static uint64_t
delivered(struct host *h, bool on_vf)
{
	struct dp_guest *g = guest_of(h);
	struct dp_pvs_vport_stats vs;

	if (on_vf)
		return __atomic_load_n(&g->fast.st.vf_tx_frames, __ATOMIC_RELAXED);
	if (dp_pvs_vport_stats(h->app.pvs, dp_pvs_port_vport(h->app.pvs, 0), &vs) < 0)
		return 0;
	return vs.out_frames;
}

/* A/B: phase 0/1 of each pair; the order turns every pair. */
static bool
ab_on_vf(const struct host *h)
{
	return ((h->pair + h->phase) & 1) != 0;
}

/* Switch to the phase's path; its clock starts once the switch is over. */
static void
ab_begin(struct host *h)
{
	bool vf = ab_on_vf(h);

	/* A pair that starts on the path the last one ended on (the order
	 * turns every pair) has nothing to switch. */
	if (vf != h->ab_vf_held && start_op(h, vf, &h->vfs[0]) < 0)
		h->step = S_DONE;
	h->ab_vf_held = vf;
	h->ab_switching = 1;
}

static void
ab_measure(struct host *h, uint64_t now)
{
	h->ab_switching = 0;
	h->ab_t0 = now;
	h->ab_frames0 = delivered(h, ab_on_vf(h));
	h->until_ms = now + h->ab_ms;
}

static void
ab_end(struct host *h, uint64_t now)
{
	bool vf = ab_on_vf(h);
	uint64_t ms = now - h->ab_t0;

	h->ab_pps[vf] = ms == 0 ? 0 : (double)(delivered(h, vf) - h->ab_frames0) *
			1000.0 / (double)ms;
	if (h->phase == 1) {
		printf("ab pair %u (%s first): pv %.0f pps, vf %.0f pps, ratio vf/pv %.3f\n",
		       h->pair, h->pair & 1 ? "vf" : "pv", h->ab_pps[0], h->ab_pps[1],
		       h->ab_pps[0] > 0 ? h->ab_pps[1] / h->ab_pps[0] : 0.0);
		fflush(stdout);
	}
}

static void
step_ab(struct host *h, uint64_t now)
{
	if (h->ab_switching) {
		if (op_over(h))
			ab_measure(h, now);
		return;
	}
	if (h->until_ms != 0 && now < h->until_ms)
		return;
	if (h->until_ms != 0) {
		ab_end(h, now);
		if (++h->phase == 2) {
			h->phase = 0;
			h->pair++;
		}
	}
	if (h->pair == h->ab_pairs) {
		start_op(h, false, &h->vfs[0]);
		h->step = S_DONE;
		return;
	}
	ab_begin(h);
}

static void
after_cycles(struct host *h)
{
	h->step = h->fail ? S_FAIL_ASSIGN : h->ab_pairs > 0 ? S_AB : S_DONE;
	h->until_ms = 0;
}

static void
step_fail(struct host *h, uint64_t now)
{
	struct dp_vf_info in;

	if (h->step == S_FAIL_ASSIGN) {
		if (h->until_ms == 0) {
			if (start_op(h, true, &h->vfs[0]) < 0) {
				h->step = S_DONE;
				return;
			}
			printf("ASSIGNING %s\n", h->vfs[0].devargs);
			fflush(stdout);
			h->until_ms = 1;
		}
		if (!op_over(h))
			return;
		printf("FAILPOINT %s\n", h->vfs[0].devargs);
		fflush(stdout);
		h->step = S_FAIL_WAIT;
		return;
	}
	if (dp_vf_info(guest_of(h), &in) == 0 && in.lost && in.state == DP_VF_ST_NONE) {
		printf("failover: %s; the guest is on the PV path, the VF removed "
		       "%" PRIu64 " us after the failure was seen\n", in.last_error,
		       in.revoke_done_us);
		fflush(stdout);
		h->step = h->ab_pairs > 0 ? S_AB : S_DONE;
		/* Let the guest's traffic show it is back on the PV path. */
		h->until_ms = now + h->hold_ms;
	}
}

static void
step_cycles(struct host *h, uint64_t now)
{
	const struct vf_slot *vf = &h->vfs[h->cycle % h->n_vfs];
	int rc;

	switch (h->step) {
	case S_ASSIGN:
		if (h->until_ms == 0) {
			if (start_op(h, true, vf) < 0) {
				h->step = S_DONE;
				return;
			}
			h->until_ms = 1;
		}
		rc = op_state(h);
		if (rc == 1)
			return;
		if (rc == 0)
			print_switch(h, true);
		h->step = S_ASSIGNED;
		h->until_ms = now + h->hold_ms;
		break;
	case S_ASSIGNED:
		if (now >= h->until_ms) {
			h->step = S_REVOKE;
			h->until_ms = 0;
		}
		break;
	case S_REVOKE:
		if (h->until_ms == 0) {
			if (start_op(h, false, vf) < 0) {
				h->step = S_DONE;
				return;
			}
			h->until_ms = 1;
		}
		rc = op_state(h);
		if (rc == 1)
			return;
		if (rc == 0)
			print_switch(h, false);
		h->step = S_REVOKED;
		h->until_ms = now + h->hold_ms;
		break;
	case S_REVOKED:
		if (now < h->until_ms)
			break;
		h->until_ms = 0;
		if (++h->cycle < h->cycles)
			h->step = S_ASSIGN;
		else
			after_cycles(h);
		break;
	default:
		break;
	}
}

/* The schedule; called by the slow-path loop on every tick. */
static void
tick(void *arg)
{
	struct host *h = arg;
	uint64_t now = dp_now_ms(), n;
	struct dp_guest *g;

	if (read(h->tfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		perror("timerfd");
	switch (h->step) {
	case S_WAIT:
		g = guest_of(h);
		if (g != NULL && __atomic_load_n(&g->fast.st.rx_frames,
						 __ATOMIC_RELAXED) >= START_FRAMES) {
			printf("guest %s is sending\n", h->guest);
			fflush(stdout);
			h->step = h->cycles > 0 ? S_ASSIGN : S_DONE;
			if (h->cycles == 0)
				after_cycles(h);
		}
		break;
	case S_FAIL_ASSIGN:
	case S_FAIL_WAIT:
		step_fail(h, now);
		break;
	case S_AB:
		step_ab(h, now);
		break;
	case S_IDLE:
		break;
	case S_DONE:
		if (now >= h->until_ms && op_over(h)) {
			printf("done: %d errors\n", h->errors);
			fflush(stdout);
			h->step = S_IDLE;
		}
		break;
	default:
		step_cycles(h, now);
		break;
	}
}

static int
parse(int argc, char **argv, struct host *h, const char **config,
      const char **rundir)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "guest", required_argument, NULL, 'g' },
		{ "vf", required_argument, NULL, 'v' },
		{ "cycles", required_argument, NULL, 'n' },
		{ "hold-ms", required_argument, NULL, 'H' },
		{ "fail", no_argument, NULL, 'f' },
		{ "ab-pairs", required_argument, NULL, 'p' },
		{ "ab-ms", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': *config = optarg; break;
		case 'r': *rundir = optarg; break;
		case 'g': h->guest = optarg; break;
		case 'v':
			if (h->n_vfs == MAX_VFS)
				return -1;
			snprintf(h->vfs[h->n_vfs].name, VF_NAME_MAX, "pool/%u", h->n_vfs);
			snprintf(h->vfs[h->n_vfs].devargs, VF_DEVARGS_MAX, "%s", optarg);
			h->n_vfs++;
			break;
		case 'n': h->cycles = (unsigned int)atoi(optarg); break;
		case 'H': h->hold_ms = (unsigned int)atoi(optarg); break;
		case 'f': h->fail = 1; break;
		case 'p': h->ab_pairs = (unsigned int)atoi(optarg); break;
		case 'm': h->ab_ms = (unsigned int)atoi(optarg); break;
		default: return -1;
		}
	}
	return *config != NULL && h->guest != NULL && h->n_vfs > 0 ? 0 : -1;
}

/* The function manager, as dataplane/main.c wires it. */
static void
fn_request(void *arg, struct dp_fnmsg *msg)
{
	ctl_mgr_handle(arg, msg);
}

static void
guest_gone(void *arg, unsigned int guest, uint32_t epoch)
{
	ctl_mgr_guest_gone(arg, guest, epoch);
}

static void
guest_added(void *arg, unsigned int guest)
{
	ctl_mgr_guest_added(arg, guest);
}

static int
run(struct host *h, struct dp_config *cfg)
{
	struct dp_app_hooks hooks = { .fn_request = fn_request,
				      .guest_gone = guest_gone,
				      .guest_added = guest_added };
	struct itimerspec its = { .it_interval.tv_nsec = 1000000,
				  .it_value.tv_nsec = 1000000 };
	int rc;

	hooks.arg = ctl_mgr_create(cfg);
	if (hooks.arg == NULL)
		return 1;
	rc = dp_app_start(&h->app, cfg, &hooks);
	h->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (rc == 0 && (h->tfd < 0 || timerfd_settime(h->tfd, 0, &its, NULL) < 0))
		rc = -errno;
	vf_act_dedicated_init(&h->act, &h->app);
	if (rc == 0)
		rc = dp_app_watch(&h->app, h->tfd, tick, h);
	if (rc == 0) {
		printf("vf_host: running\n");
		fflush(stdout);
		dp_app_run(&h->app);
	} else {
		fprintf(stderr, "vf_host: cannot start: %s\n", strerror(-rc));
	}
	if (dp_app_stop(&h->app) == -EBUSY)
		_exit(1);
	if (h->tfd >= 0)
		close(h->tfd);
	ctl_mgr_free(hooks.arg);
	return rc == 0 && h->errors == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static struct host h = { .cycles = 20, .hold_ms = 100, .ab_ms = 1000,
				 .tfd = -1 };
	const char *config = NULL, *rundir = NULL;
	struct dp_config *cfg;
	char err[DP_ERR_MAX];
	int dash = argc, rc;

	/* Line by line into a log file: the tests wait for lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dash = i;
			break;
		}
	if (dash == argc || parse(argc - dash, argv + dash, &h, &config, &rundir) < 0) {
		fprintf(stderr, "usage: vf_host [EAL] -- --config FILE --runtime-dir DIR "
			"--guest NAME --vf DEVARGS... [--cycles N] [--hold-ms MS] "
			"[--fail] [--ab-pairs N --ab-ms MS]\n");
		return 2;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL || dp_config_load(config, rundir, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "vf_host: %s\n", cfg == NULL ? "no memory" : err);
		return 1;
	}
	if (dp_path_runtime_dir(cfg->runtime_dir, (gid_t)-1, err, sizeof(err)) < 0) {
		fprintf(stderr, "vf_host: %s\n", err);
		return 1;
	}
	if (rte_eal_init(dash, argv) < 0) {
		fprintf(stderr, "vf_host: EAL init failed\n");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	rc = run(&h, cfg);
	rte_eal_cleanup();
	dp_config_free(cfg);
	free(cfg);
	return rc;
}
