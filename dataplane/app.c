/* SPDX-License-Identifier: BSD-3-Clause */
/* Wiring of the running dataplane and the main lcore's slow-path loop. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "afu.h"
#include "compressdev.h"
#include "cryptodev.h"
#include "hang.h"
#include "app.h"
#include "capture.h"
#include "defer.h"
#include "guest_numa.h"
#include "log.h"
#include "memif_srv.h"
#include "move.h"
#include "report.h"
#include "vfport.h"

#define TICK_MS 50
#define POOL_CACHE 256
#define EV_WAKE UINT64_MAX
#define EV_WATCH (UINT64_MAX - 1)

struct rte_mempool *
dp_app_pool_for(struct dp_app *app, unsigned int lcore)
{
	return dp_app_pool_on(app, rte_lcore_to_socket_id(lcore));
}

struct rte_mempool *
dp_app_pool_on(struct dp_app *app, unsigned int s)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	if (s >= RTE_MAX_NUMA_NODES)
		s = 0;
	if (app->pools[s] != NULL)
		return app->pools[s];
	snprintf(name, sizeof(name), "hl_mbufs_%u", s);
	app->pools[s] = rte_pktmbuf_pool_create(name, app->cfg->mbufs, POOL_CACHE,
						0, RTE_MBUF_DEFAULT_BUF_SIZE, s);
	if (app->pools[s] == NULL)
		DP_LOG(ERR, "cannot create %u mbufs on socket %u: %s",
		       app->cfg->mbufs, s, rte_strerror(rte_errno));
	return app->pools[s];
}

/* The last worker_lcores lcores run functions; the others poll. */
static int
split_lcores(struct dp_app *app, unsigned int *ids)
{
	unsigned int lcore, n = 0;

	RTE_LCORE_FOREACH_WORKER(lcore)
		ids[n++] = lcore;
	app->n_workers = app->cfg->worker_lcores;
	if (n <= app->n_workers) {
		DP_LOG(ERR, "need at least %u lcores (e.g. -l 0-%u): the main "
		       "lcore runs the slow path, %u run functions, the others "
		       "poll", app->n_workers + 2, app->n_workers + 1, app->n_workers);
		return -EINVAL;
	}
	app->n_io = n - app->n_workers;
	app->io = rte_zmalloc("hl_io", sizeof(*app->io) * app->n_io,
			      RTE_CACHE_LINE_SIZE);
	app->workers = rte_zmalloc("hl_workers", sizeof(*app->workers) *
				   (app->n_workers + 1), RTE_CACHE_LINE_SIZE);
	app->links = rte_zmalloc("hl_links", sizeof(*app->links) * app->n_io, 0);
	if (app->io == NULL || app->workers == NULL || app->links == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < app->n_workers; i++)
		app->workers[i].lcore_id = ids[app->n_io + i];
	for (unsigned int i = 0; i < app->n_io; i++) {
		app->io[i].lcore_id = ids[i];
		app->io[i].idle.epfd = app->io[i].idle.wake_fd = -1;
	}
	return 0;
}

/* With function workers, each I/O lcore's software jobs go over a link. */
static struct fpga_ctx *
link_io_lcore(struct dp_app *app, unsigned int i)
{
	struct dp_worker_lcore *w;
	struct fpga_ctx_conf conf = { .depth = app->cfg->pending_per_lcore,
				      .max_reps = app->cfg->max_repetitions };
	char name[24];

	if (app->n_workers == 0)
		return NULL;
	w = &app->workers[i % app->n_workers];
	conf.socket_id = (int)rte_lcore_to_socket_id(w->lcore_id);
	snprintf(name, sizeof(name), "hl_fn%u", i);
	app->links[i] = fpga_ring_link_create(fpga_backend_find("sw"), &conf, name);
	if (app->links[i] == NULL)
		return NULL;
	w->links[w->n_links++] = app->links[i];
	return fpga_ring_link_ctx(app->links[i]);
}

/* An [lcore N] for an lcore that does not poll in this run does nothing:
 * say so rather than let the operator believe it applies. */
static void
lcore_confs_check(const struct dp_app *app)
{
	for (unsigned int k = 0; k < app->cfg->n_lcore_confs; k++) {
		unsigned int id = app->cfg->lcore_confs[k].id, i;

		for (i = 0; i < app->n_io && app->io[i].lcore_id != id; i++)
			;
		if (i == app->n_io)
			DP_LOG(WARNING, "[lcore %u]: not an I/O lcore of this run; "
			       "ignored", id);
	}
}

static int
io_lcores_init(struct dp_app *app)
{
	unsigned int ids[RTE_MAX_LCORE];
	int rc = split_lcores(app, ids);

	if (rc == 0) {
		app->sock = dp_sock_svc_create(&app->cfg->sockets, app->n_io,
					       app->cfg->max_guests);
		if (app->sock == NULL) {
			DP_LOG(ERR, "cannot set up the socket service: %s", strerror(errno));
			return -ENOMEM;
		}
	}

	for (unsigned int i = 0; rc == 0 && i < app->n_io; i++) {
		struct dp_io_lcore *lc = &app->io[i];
		struct fpga_ctx *sw = link_io_lcore(app, i);

		if (app->n_workers > 0 && sw == NULL)
			return -ENOMEM;
		lc->qsbr_id = i;
		rc = dp_lcore_poll_init(lc, app->cfg->max_guests);
		if (rc == 0)
			rc = dp_lcore_idle_init(lc, app->cfg);
		if (rc < 0) {
			DP_LOG(ERR, "lcore %u: cannot set up its idle wait: %s",
			       lc->lcore_id, strerror(-rc));
			return rc;
		}
		rc = dp_pipe_init(&lc->pipe, lc->lcore_id, app->msg_pool,
				  app->wake_fd, app->cfg->pending_per_lcore,
				  app->cfg->max_repetitions, sw);
		/* As many socket calls as the lcore's guests' budgets allow. */
		if (rc == 0)
			rc = dp_sock_lcore_init(app->sock, &lc->pipe.sock, i, lc->lcore_id,
						app->cfg->pending_per_lcore,
						lc->idle.wake_fd);
		if (rc < 0)
			DP_LOG(ERR, "lcore %u: cannot set up the request pipeline: %s",
			       lc->lcore_id, strerror(-rc));
	}
	if (rc < 0)
		return rc;
	lcore_confs_check(app);
	return dp_lcore_init(app->n_io);
}

/* The accelerator unit, if configured: missing hardware is not fatal,
 * sessions then run on software (or are refused if the guest asked for
 * hardware only). */
static void
fpga_attach(struct dp_app *app)
{
	int rc;

	if (app->cfg->fpga[0] == '\0')
		return;
	rc = fpga_afu_register(app->cfg->fpga);
	if (rc < 0)
		DP_LOG(WARNING, "fpga %s: not attached (%s): functions run on "
		       "software", app->cfg->fpga, strerror(-rc));
	else
		DP_LOG(INFO, "fpga %s: attached as backend \"afu\"", app->cfg->fpga);
}

/* DPDK accelerator devices (cryptodev, compressdev) by devargs: a missing
 * one only means its functions are not offered. */
static void
pmd_attach(const char *what, const char *devargs, int (*reg)(const char *))
{
	int rc;

	if (devargs[0] == '\0')
		return;
	rc = reg(devargs);
	if (rc < 0)
		DP_LOG(WARNING, "%s %s: not attached (%s): its functions are not "
		       "offered", what, devargs, strerror(-rc));
	else
		DP_LOG(INFO, "%s %s: attached", what, devargs);
}

/* The slow-path hand-off: messages, and the eventfd that wakes us. */
static int
handoff_init(struct dp_app *app)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV_WAKE };

	app->msg_pool = rte_mempool_create("hl_fnmsg", DP_FNMSG_POOL,
					   sizeof(struct dp_fnmsg), 0, 0, NULL, NULL,
					   NULL, NULL, (int)rte_socket_id(), 0);
	if (app->msg_pool == NULL)
		return -ENOMEM;
	app->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (app->wake_fd < 0 ||
	    epoll_ctl(app->epfd, EPOLL_CTL_ADD, app->wake_fd, &ev) < 0)
		return -errno;
	return 0;
}

/* The PV switch lives on the first I/O lcore (pvswitch.h says why). */
static int
pvs_create(struct dp_app *app)
{
	struct dp_pvs_conf conf = { .lcore = app->io[0].lcore_id,
				    .max_guests = app->cfg->max_guests,
				    .table_size = app->cfg->mac_table_size,
				    .aging_s = app->cfg->mac_aging_s,
				    .mac_limit = app->cfg->mac_limit_per_port,
				    .mp = dp_app_pool_for(app, app->io[0].lcore_id) };

	if (conf.mp == NULL)
		return -ENOMEM;
	app->pvs = dp_pvs_create(&conf);
	if (app->pvs == NULL) {
		DP_LOG(ERR, "cannot create the PV switch: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Every port is a PV switch port, so all are polled by the switch lcore. */
static int
ports_open(struct dp_app *app)
{
	for (unsigned int i = 0; i < app->cfg->n_ports; i++) {
		struct dp_io_lcore *lc = &app->io[0];
		struct rte_mempool *mp = dp_app_pool_for(app, lc->lcore_id);
		int rc;

		if (mp == NULL)
			return -ENOMEM;
		rc = dp_port_open(&app->ports[i], &app->cfg->ports[i], mp, lc->lcore_id);
		if (rc < 0)
			return rc;
		app->n_ports++;
		rc = dp_pvs_attach_port(app->pvs, &app->ports[i], i);
		if (rc < 0)
			return rc;
		lc->ports[lc->n_ports++] = &app->ports[i];
	}
	return 0;
}

int
dp_app_start(struct dp_app *app, struct dp_config *cfg,
	     const struct dp_app_hooks *hooks)
{
	int rc;

	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	app->hooks = *hooks;
	app->wake_fd = -1;
	app->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (app->epfd < 0)
		return -errno;
	rc = handoff_init(app);
	if (rc == 0 && cfg->test_hang) {
		DP_LOG(WARNING, "test_hang = yes: backend \"hang\" registered; "
		       "its function test-hang stops an lcore (tests only)");
		rc = fpga_hang_register();
	}
	if (rc == 0) {
		fpga_attach(app);
		pmd_attach("cryptodev", cfg->cryptodev, fpga_cryptodev_register);
		pmd_attach("compressdev", cfg->compressdev, fpga_compressdev_register);
	}
	if (rc == 0)
		rc = io_lcores_init(app);
	if (rc == 0) {
		dp_guest_numa_init(app);
		dp_move_init();
	}
	if (rc == 0)
		rc = pvs_create(app);
	if (rc == 0)
		rc = ports_open(app);
	if (rc == 0)
		rc = dp_app_guests_open(app);
	if (rc == 0)
		rc = dp_vf_init(app);
	if (rc == 0)
		rc = dp_sock_svc_start(app->sock);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < app->n_io; i++)
		rte_eal_remote_launch(dp_lcore_io_main, &app->io[i], app->io[i].lcore_id);
	for (unsigned int i = 0; i < app->n_workers; i++)
		rte_eal_remote_launch(dp_lcore_worker_main, &app->workers[i],
				      app->workers[i].lcore_id);
	DP_LOG(INFO, "running: %u guests, %u ports, %u I/O lcores, %u function "
	       "workers (config %s)", app->n_guests, app->n_ports, app->n_io,
	       app->n_workers, cfg->path);
	return 0;
}

/* Answer every slow-path request the I/O lcores handed over. */
static void
serve_fn_requests(struct dp_app *app)
{
	struct dp_fnmsg *msgs[32];
	uint64_t cnt;

	if (read(app->wake_fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		DP_LOG(WARNING, "wake eventfd: %s", strerror(errno));
	for (unsigned int i = 0; i < app->n_io; i++) {
		struct dp_pipe *p = &app->io[i].pipe;
		unsigned int n;

		while ((n = rte_ring_dequeue_burst(p->to_mgr, (void **)msgs,
						   RTE_DIM(msgs), NULL)) > 0) {
			for (unsigned int k = 0; k < n; k++) {
				if (msgs[k]->op == DP_FNMSG_REPORT)
					dp_report_serve(app, msgs[k]);
				else
					app->hooks.fn_request(app->hooks.arg, msgs[k]);
			}
			/* Never full: it holds the whole pool (fnmsg.h). */
			if (rte_ring_enqueue_bulk(p->from_mgr, (void **)msgs, n,
						  NULL) != n)
				DP_LOG(CRIT, "lcore %u: %u manager answers lost: "
				       "answer ring full", app->io[i].lcore_id, n);
		}
	}
}

static void
dispatch(struct dp_app *app, const struct epoll_event *ev)
{
	unsigned int idx = (unsigned int)(ev->data.u64 >> 1);
	unsigned int kind = (unsigned int)(ev->data.u64 & 1);

	if (idx < app->cfg->n_guests && app->guests[idx].conn.active)
		dp_memif_srv_event(&app->guests[idx], idx, app->epfd, kind, ev->events);
}

int
dp_app_watch(struct dp_app *app, int fd, void (*fn)(void *arg), void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV_WATCH };

	if (app->watch_fn != NULL)
		return -EBUSY;
	if (epoll_ctl(app->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	app->watch_fn = fn;
	app->watch_arg = arg;
	return 0;
}

/* The lcore's memif guests: refuse clients (why) or accept them again (0). */
static void
guests_refuse(struct dp_app *app, const struct dp_io_lcore *lc, unsigned int why)
{
	for (unsigned int i = 0; i < app->cfg->n_guests; i++) {
		struct dp_guest *g = &app->guests[i];

		if (!g->conn.active || g->io != lc || g->fast.chan != DP_CHAN_MEMIF)
			continue;
		g->conn.srv.refuse = why;
		/* Its calls cannot complete: say so instead of letting them
		 * hang; what the lcore may hold stays mapped (defer.h). */
		if (why != 0)
			dp_memif_srv_drop(g, (enum dp_memif_reason)why, true);
	}
}

static void
watchdog(struct dp_app *app, uint64_t now)
{
	/* A tick much later than the loop's longest sleep (TICK_MS): this
	 * lcore was not running either (a stopped process, a paused VM). */
	uint64_t late = RTE_MAX(2u * TICK_MS, app->cfg->watchdog_ms / 2);
	bool resync = app->last_tick_ms != 0 && now - app->last_tick_ms > late;
	char where[64];

	app->last_tick_ms = now;
	for (unsigned int i = 0; i < app->n_io; i++) {
		struct dp_io_lcore *lc = &app->io[i];
		int r = dp_lcore_watchdog(lc, now, app->cfg->watchdog_ms, resync);

		if (r == 0)
			continue;
		dp_pipe_where_str(lc->wd.stuck_where, where, sizeof(where));
		if (r > 0) {
			DP_LOG(ERR, "I/O lcore %u stuck: no poll pass for %u ms "
			       "(in %s); its memif guests are disconnected and "
			       "refused until it recovers", lc->lcore_id,
			       app->cfg->watchdog_ms, where);
			guests_refuse(app, lc, DP_MEMIF_R_LCORE_STUCK);
		} else {
			DP_LOG(WARNING, "I/O lcore %u recovered after %" PRIu64
			       " ms stuck (in %s)", lc->lcore_id,
			       lc->wd.last_stuck_ms, where);
			guests_refuse(app, lc, 0);
		}
	}
}

/*
 * How long the slow-path loop may sleep: a release waiting for its grace
 * period is due within microseconds, so look again soon - unless an lcore
 * is stuck (it will not be due) or all that waits, waits for bulk jobs.
 */
static int
tick_ms(const struct dp_app *app)
{
	/* A VF being assigned or drained is due within milliseconds. */
	unsigned int vf_ms = dp_vf_tick_ms();

	if (vf_ms < TICK_MS)
		return (int)vf_ms;
	/* A move's next step is due within microseconds. */
	if (dp_move_busy())
		return 1;
	if (dp_defer_urgent() == 0)
		return TICK_MS;
	for (unsigned int i = 0; i < app->n_io; i++)
		if (dp_lcore_stuck(&app->io[i]))
			return TICK_MS;
	return 1;
}

void
dp_app_run(struct dp_app *app)
{
	struct epoll_event evs[32];

	while (!dp_lcore_stopping()) {
		int n = epoll_wait(app->epfd, evs, RTE_DIM(evs), tick_ms(app));
		uint64_t now = dp_now_ms();

		for (int i = 0; i < n; i++)
			if (evs[i].data.u64 < EV_WATCH)
				dispatch(app, &evs[i]);
		serve_fn_requests(app);
		dp_app_guests_tick(app);
		if (app->watch_fn != NULL)
			app->watch_fn(app->watch_arg);
		for (unsigned int i = 0; i < app->cfg->n_guests; i++)
			if (app->guests[i].conn.active)
				dp_memif_srv_tick(&app->guests[i], now);
		watchdog(app, now);
		dp_defer_run();
		dp_move_tick(app, now);
		dp_cap_tick();
		dp_vf_tick(app);
	}
}

static const char *
vport_name(void *arg, uint16_t v)
{
	const struct dp_app *app = arg;

	unsigned int p0 = dp_pvs_port_vport(app->pvs, 0);

	return v < p0 ? app->cfg->guests[v].name : app->cfg->ports[v - p0].name;
}

/* Every launched lcore, I/O then workers. @return how many. */
static unsigned int
launched_lcores(const struct dp_app *app, unsigned int *ids)
{
	unsigned int n = 0;

	for (unsigned int i = 0; app->io != NULL && i < app->n_io; i++)
		ids[n++] = app->io[i].lcore_id;
	for (unsigned int i = 0; app->workers != NULL && i < app->n_workers; i++)
		ids[n++] = app->workers[i].lcore_id;
	return n;
}

/* Stop the lcores; say which did not stop in time. @return how many. */
static unsigned int
stop_lcores(struct dp_app *app)
{
	unsigned int ids[RTE_MAX_LCORE], n = launched_lcores(app, ids), stuck;

	dp_lcore_stop();
	stuck = dp_lcore_wait_stopped(ids, n, DP_STOP_LCORE_MS);
	for (unsigned int i = 0; stuck != 0 && i < n; i++)
		if (rte_eal_get_lcore_state(ids[i]) == RUNNING)
			DP_LOG(ERR, "lcore %u did not stop within %u ms", ids[i],
			       DP_STOP_LCORE_MS);
	return stuck;
}

/*
 * With an lcore still running, only what it cannot touch is released:
 * the sockets (guests told why, paths unlinked), the control plane. Its
 * memory, pools, devices and the guests' mappings stay; each is named.
 */
static void
stop_stuck(struct dp_app *app, unsigned int stuck)
{
	dp_app_guests_close(app);
	dp_defer_report();
	DP_LOG(ERR, "stopped with %u lcore(s) stuck: mbuf pools, accelerator "
	       "devices and the items above were not released", stuck);
}

int
dp_app_stop(struct dp_app *app)
{
	unsigned int stuck = stop_lcores(app);

	if (stuck != 0) {
		stop_stuck(app, stuck);
		return -EBUSY;
	}
	/* The I/O lcores are gone: everything can be released now. */
	if (app->pvs != NULL)
		dp_pvs_log_stats(app->pvs, vport_name, app);
	dp_vf_shutdown(app);
	dp_app_guests_close(app);
	/* After the guests' ends were told: each worker closes its sockets,
	 * then the frames of calls no lcore will answer go back. */
	dp_sock_svc_stop(app->sock);
	dp_cap_stop_all("hostlane stopping");
	for (unsigned int i = 0; app->io != NULL && i < app->n_io; i++) {
		dp_lcore_idle_fini(&app->io[i]);
		dp_lcore_poll_fini(&app->io[i]);
		dp_pipe_fini(&app->io[i].pipe);
		fpga_ring_link_free(app->links[i]);
	}
	dp_sock_svc_free(app->sock);
	app->sock = NULL;
	/* No job runs any more: memory kept for bulk jobs can go too. */
	dp_defer_flush();
	dp_cap_fini();
	dp_vf_fini();
	dp_app_guests_free(app);
	for (unsigned int i = 0; i < app->n_ports; i++)
		dp_port_close(&app->ports[i]);
	dp_pvs_free(app->pvs);
	app->pvs = NULL;
	if (app->epfd >= 0)
		close(app->epfd);
	if (app->wake_fd >= 0)
		close(app->wake_fd);
	rte_free(app->io);
	rte_free(app->workers);
	rte_free(app->links);
	rte_mempool_free(app->msg_pool);
	if (app->cfg->fpga[0] != '\0')
		fpga_afu_unregister();
	if (app->cfg->cryptodev[0] != '\0')
		fpga_cryptodev_unregister();
	if (app->cfg->compressdev[0] != '\0')
		fpga_compressdev_unregister();
	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		rte_mempool_free(app->pools[s]);
	dp_lcore_fini();
	DP_LOG(INFO, "stopped");
	return 0;
}
