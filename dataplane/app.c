/* SPDX-License-Identifier: BSD-3-Clause */
/* Wiring of the running dataplane and the main lcore's slow-path loop. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "app.h"
#include "log.h"
#include "memif_srv.h"

#define TICK_MS 50
#define POOL_CACHE 256

static struct rte_mempool *
pool_for(struct dp_app *app, unsigned int lcore)
{
	unsigned int s = rte_lcore_to_socket_id(lcore);
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

static int
io_lcores_init(struct dp_app *app)
{
	unsigned int lcore, i = 0;

	app->n_io = rte_lcore_count() - 1;
	if (app->n_io == 0) {
		DP_LOG(ERR, "need at least two lcores (e.g. -l 0,1): the main "
		       "lcore runs the slow path, the others poll");
		return -EINVAL;
	}
	app->io = rte_zmalloc("hl_io", sizeof(*app->io) * app->n_io,
			      RTE_CACHE_LINE_SIZE);
	if (app->io == NULL)
		return -ENOMEM;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		app->io[i].lcore_id = lcore;
		app->io[i].qsbr_id = i;
		i++;
	}
	return dp_lcore_init(app->n_io);
}

static int
ports_open(struct dp_app *app)
{
	for (unsigned int i = 0; i < app->cfg->n_ports; i++) {
		struct dp_io_lcore *lc = &app->io[i % app->n_io];
		struct rte_mempool *mp = pool_for(app, lc->lcore_id);
		int rc;

		if (mp == NULL)
			return -ENOMEM;
		rc = dp_port_open(&app->ports[i], &app->cfg->ports[i], mp, lc->lcore_id);
		if (rc < 0)
			return rc;
		app->n_ports++;
		lc->ports[lc->n_ports++] = &app->ports[i];
	}
	return 0;
}

static int
guest_open(struct dp_app *app, unsigned int i)
{
	struct dp_guest *g = &app->guests[i];
	struct dp_io_lcore *lc = &app->io[i % app->n_io];
	int rc;

	g->conf = &app->cfg->guests[i];
	g->handler = dp_handler_find(g->conf->handler);
	g->lcore = lc->lcore_id;
	g->mp = pool_for(app, lc->lcore_id);
	g->srv.listen_fd = -1;
	if (g->mp == NULL)
		return -ENOMEM;
	rc = dp_memif_srv_open(g, i, app->epfd, app->cfg->handshake_timeout_ms);
	if (rc < 0) {
		DP_LOG(ERR, "guest %s: cannot listen on %s: %s", g->conf->name,
		       g->conf->socket, strerror(-rc));
		return rc;
	}
	lc->guests[lc->n_guests++] = g;
	app->n_guests++;
	DP_LOG(INFO, "guest %s: memif server on %s, handler %s, lcore %u",
	       g->conf->name, g->conf->socket, g->handler->name, g->lcore);
	return 0;
}

static int
guests_open(struct dp_app *app)
{
	if (mkdir(app->cfg->runtime_dir, 0755) < 0 && errno != EEXIST) {
		DP_LOG(ERR, "cannot create runtime dir %s: %s",
		       app->cfg->runtime_dir, strerror(errno));
		return -errno;
	}
	app->guests = rte_zmalloc("hl_guests",
				  sizeof(*app->guests) * (app->cfg->n_guests + 1),
				  RTE_CACHE_LINE_SIZE);
	if (app->guests == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < app->cfg->n_guests; i++) {
		int rc = guest_open(app, i);

		if (rc < 0)
			return rc;
	}
	return 0;
}

int
dp_app_start(struct dp_app *app, const struct dp_config *cfg)
{
	int rc;

	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	app->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (app->epfd < 0)
		return -errno;
	rc = io_lcores_init(app);
	if (rc == 0)
		rc = ports_open(app);
	if (rc == 0)
		rc = guests_open(app);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < app->n_io; i++)
		rte_eal_remote_launch(dp_lcore_io_main, &app->io[i], app->io[i].lcore_id);
	DP_LOG(INFO, "running: %u guests, %u ports, %u I/O lcores (config %s)",
	       app->n_guests, app->n_ports, app->n_io, cfg->path);
	return 0;
}

static void
dispatch(struct dp_app *app, const struct epoll_event *ev)
{
	unsigned int idx = (unsigned int)(ev->data.u64 >> 1);
	unsigned int kind = (unsigned int)(ev->data.u64 & 1);

	if (idx < app->n_guests)
		dp_memif_srv_event(&app->guests[idx], idx, app->epfd, kind, ev->events);
}

void
dp_app_run(struct dp_app *app)
{
	struct epoll_event evs[32];

	while (!dp_lcore_stopping()) {
		int n = epoll_wait(app->epfd, evs, RTE_DIM(evs), TICK_MS);
		uint64_t now = dp_now_ms();

		for (int i = 0; i < n; i++)
			dispatch(app, &evs[i]);
		for (unsigned int i = 0; i < app->n_guests; i++)
			dp_memif_srv_tick(&app->guests[i], now);
	}
}

void
dp_app_stop(struct dp_app *app)
{
	dp_lcore_stop();
	rte_eal_mp_wait_lcore();
	/* The I/O lcores are gone: guests can be dropped without waiting. */
	for (unsigned int i = 0; i < app->n_guests; i++)
		dp_memif_srv_close(&app->guests[i]);
	for (unsigned int i = 0; i < app->n_ports; i++)
		dp_port_close(&app->ports[i]);
	if (app->epfd >= 0)
		close(app->epfd);
	rte_free(app->guests);
	rte_free(app->io);
	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		rte_mempool_free(app->pools[s]);
	dp_lcore_fini();
	DP_LOG(INFO, "stopped");
}
