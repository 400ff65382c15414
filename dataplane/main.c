/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostlane: EAL command line, config, signals, and the wiring of the
 * dataplane and the control plane (function manager, control server) into
 * one process.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pdump.h>
#include <rte_version.h>

#include "app.h"
#include "config.h"
#include "ctl_server.h"
#include "ctl_vf.h"
#include "manager.h"
#include "paths.h"
#include "lcore.h"
#include "log.h"

struct dp_args {
	const char *config;	    /**< NULL: the embedded default */
	const char *runtime_dir;    /**< NULL: from the config */
	bool check;
};

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [EAL options] -- [options]\n"
"\n"
"hostlane serves guests over shared rings (memif) from DPDK poll-mode lcores.\n"
"\n"
"Options (after --):\n"
"  -c, --config FILE       INI configuration (default: the embedded\n"
"                          config/hostlane.conf: vdev uplink, demo guests)\n"
"  -r, --runtime-dir DIR   where guest sockets go (overrides the config)\n"
"      --check-config      validate the configuration and exit\n"
"  -h, --help              this text (EAL options: %s --help)\n"
"  -V, --version           print versions and exit\n"
"\n"
"Lcores: the main lcore runs the slow path; every other lcore polls.\n"
"Example, no NIC or hugepages needed:\n"
"  %s -l 0,1 --no-pci --no-huge -m 512 -- --runtime-dir /tmp/hl\n",
		prog, prog, prog);
}

/* Index of "--" in argv, or argc when absent. */
static int
split_at_dashes(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			return i;
	return argc;
}

/* Parse the application's part of the command line; -1 on a usage error. */
static int
parse_app_args(int argc, char **argv, struct dp_args *a, bool *exit_now)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:r:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'r': a->runtime_dir = optarg; break;
		case 'k': a->check = true; break;
		case 'h': usage(stdout, "hostlane"); *exit_now = true; return 0;
		case 'V':
			printf("hostlane 0.1.0 (%s)\n", rte_version());
			*exit_now = true;
			return 0;
		default: return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hostlane: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	dp_lcore_stop();
}

/* Control-plane hooks: the only place dataplane and control meet. */
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

/* What a guest's accepted stats reports go to: the VF allocator. */
struct vf_feed {
	const struct dp_config *cfg;
	struct vf_alloc *alloc;
};

static void
guest_report(void *arg, unsigned int guest, uint64_t pkts, uint64_t bytes)
{
	struct vf_feed *f = arg;
	struct vf_counters c = { .pkts = pkts, .bytes = bytes,
				 .source = VF_RATE_GUEST_REPORT };

	/* The allocator's own verdict (too soon for it, no such guest) is
	 * its business: it counts what it takes. */
	(void)vf_alloc_guest_report(f->alloc, f->cfg->guests[guest].name, &c);
}

/* The control server's settings, from [hostlane] in the config. */
static void
control_conf(const struct dp_config *cfg, struct ctl_server_conf *cc)
{
	cc->group = cfg->control_group[0] != '\0' ? cfg->control_group : NULL;
	cc->idle_timeout_ms = cfg->control_timeout_ms;
	cc->metrics_file = cfg->metrics_file[0] != '\0' ? cfg->metrics_file : NULL;
	cc->metrics_interval_ms = cfg->metrics_interval_ms;
}

/* The VF allocator when [vf] is configured; ticked by the control server. */
static int
vf_start(struct dp_app *app, struct ctl_vf **vf)
{
	char err[DP_ERR_MAX];

	*vf = NULL;
	if (!app->cfg->vf.enabled)
		return 0;
	*vf = ctl_vf_create(app, err, sizeof(err));
	if (*vf == NULL) {
		DP_LOG(ERR, "%s", err);
		return -1;
	}
	return 0;
}

/* The control server, served by the slow-path loop. NULL on failure. */
static struct ctl_server *
control_start(struct dp_app *app, struct ctl_mgr *mgr, struct ctl_vf *vf)
{
	struct ctl_server_conf cc = { 0 };
	struct ctl_server *s;
	char err[DP_ERR_MAX];
	int rc;

	control_conf(app->cfg, &cc);
	cc.vf = vf;
	s = ctl_server_create(app, mgr, &cc, err, sizeof(err));
	if (s == NULL) {
		DP_LOG(ERR, "%s", err);
		return NULL;
	}
	rc = dp_app_watch(app, ctl_server_fd(s), ctl_server_poll, s);
	if (rc < 0) {
		DP_LOG(ERR, "control: cannot watch its fd: %s", strerror(-rc));
		ctl_server_free(s);
		return NULL;
	}
	return s;
}

/*
 * The runtime directory, created or checked before anything is put in it
 * (paths.h): a symlink, someone else's directory or one others may write
 * in would let them replace hostlane's sockets. @return 0 or -1 (said).
 */
static int
runtime_dir_ready(const struct dp_config *cfg)
{
	gid_t gid = (gid_t)-1;
	char err[DP_ERR_MAX];

	if (cfg->control_group[0] != '\0') {
		struct group *gr = getgrnam(cfg->control_group);

		if (gr == NULL) {
			fprintf(stderr, "hostlane: control: no group '%s'\n",
				cfg->control_group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (dp_path_runtime_dir(cfg->runtime_dir, gid, err, sizeof(err)) < 0) {
		fprintf(stderr, "hostlane: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * DPDK's capture tools (dpdk-dumpcap, dpdk-pdump) attach to hostlane's
 * ethdev ports as secondary processes of the same --file-prefix. They need
 * memory they can map: hostlane started on hugepages without --in-memory,
 * --no-shconf or --no-huge (rte_pdump_init() itself succeeds either way).
 */
static void
pdump_start(void)
{
	if (rte_pdump_init() < 0)
		DP_LOG(WARNING, "pdump: not available, dpdk-dumpcap cannot attach: %s",
		       rte_strerror(rte_errno));
}

static int
run(struct dp_config *cfg)
{
	struct ctl_server *ctl = NULL;
	struct ctl_vf *vf = NULL;
	struct vf_feed feed = { .cfg = cfg };
	struct dp_app_hooks hooks = { .fn_request = fn_request,
				      .guest_gone = guest_gone,
				      .guest_added = guest_added };
	struct dp_app app;
	int rc;

	hooks.arg = ctl_mgr_create(cfg);
	if (hooks.arg == NULL)
		return EXIT_FAILURE;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	rc = dp_app_start(&app, cfg, &hooks);
	if (rc == 0)
		rc = vf_start(&app, &vf);
	if (rc == 0 && vf != NULL) {
		feed.alloc = ctl_vf_alloc(vf);
		app.hooks.guest_report = guest_report;
		app.hooks.report_arg = &feed;
	}
	if (rc == 0 && (ctl = control_start(&app, hooks.arg, vf)) == NULL)
		rc = -1;
	if (rc == 0)
		dp_app_run(&app);
	ctl_server_free(ctl);
	ctl_vf_free(vf);
	if (dp_app_stop(&app) == -EBUSY) {
		/* An lcore is stuck in a job: DPDK's cleanup could wait for it
		 * or free memory it uses. Leave now; the log says what stayed. */
		fflush(NULL);
		_exit(EXIT_FAILURE);
	}
	ctl_mgr_free(hooks.arg);
	return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Every memif guest holds a listening socket, a connected one its socket
 * and eventfds: with hundreds of guests the usual soft limit of 1024 fds is
 * too few, so take what the hard limit allows. */
static void
nofile_raise(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &r) < 0)
			fprintf(stderr, "hostlane: cannot raise the open files limit: %s\n",
				strerror(errno));
	}
}

int
main(int argc, char **argv)
{
	int dash = split_at_dashes(argc, argv);
	struct dp_args a = { 0 };
	struct dp_config *cfg;
	char err[DP_ERR_MAX];
	bool exit_now = false;
	int rc;

	/* "hostlane --help" alone is ours; EAL's help is behind "--help" + EAL. */
	if (dash == argc && argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout, argv[0]);
		return EXIT_SUCCESS;
	}
	if (dash < argc &&
	    parse_app_args(argc - dash, argv + dash, &a, &exit_now) < 0) {
		usage(stderr, argv[0]);
		return 2;
	}
	if (exit_now)
		return EXIT_SUCCESS;
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return EXIT_FAILURE;
	if (dp_config_load(a.config, a.runtime_dir, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "hostlane: %s\n", err);
		free(cfg);	/* a failed load holds nothing */
		return EXIT_FAILURE;
	}
	if (a.check) {
		printf("%s: OK (%u guests, %u ports)\n", cfg->path, cfg->n_guests,
		       cfg->n_ports);
		dp_config_free(cfg);
		free(cfg);
		return EXIT_SUCCESS;
	}
	nofile_raise();
	if (runtime_dir_ready(cfg) < 0) {
		dp_config_free(cfg);
		free(cfg);
		return EXIT_FAILURE;
	}
	if (rte_eal_init(dash, argv) < 0)
		rte_exit(EXIT_FAILURE, "hostlane: EAL init failed: %s\n",
			 rte_strerror(rte_errno));
	pdump_start();
	rc = run(cfg);
	rte_pdump_uninit();
	rte_eal_cleanup();
	dp_config_free(cfg);
	free(cfg);
	return rc;
}
