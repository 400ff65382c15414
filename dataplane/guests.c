/* SPDX-License-Identifier: BSD-3-Clause */
/* The guest table: guests opened at start-up, added and removed at run time. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "app.h"
#include "log.h"
#include "memif_srv.h"

/* The session table and, per session, its buffer for GET. */
static int
sessions_alloc(struct dp_guest *g, unsigned int n)
{
	int socket = (int)rte_lcore_to_socket_id(g->lcore);
	uint8_t *bufs;

	g->sessions = rte_zmalloc_socket("hl_sessions", n * sizeof(*g->sessions),
					 RTE_CACHE_LINE_SIZE, socket);
	bufs = rte_zmalloc_socket("hl_session_out", (size_t)n * HL_PAYLOAD_MAX,
				  RTE_CACHE_LINE_SIZE, socket);
	if (g->sessions == NULL || bufs == NULL) {
		rte_free(g->sessions);
		rte_free(bufs);
		g->sessions = NULL;
		return -ENOMEM;
	}
	for (unsigned int k = 0; k < n; k++)
		g->sessions[k].out = bufs + (size_t)k * HL_PAYLOAD_MAX;
	g->capacity = (uint16_t)n;
	return 0;
}

static void
sessions_free(struct dp_guest *g)
{
	if (g->sessions == NULL)
		return;
	rte_free(g->sessions[0].out);
	rte_free(g->sessions);
	g->sessions = NULL;
	g->capacity = 0;
}

/* The I/O lcore with the fewest guests. */
static struct dp_io_lcore *
least_loaded(struct dp_app *app)
{
	struct dp_io_lcore *best = &app->io[0];

	for (unsigned int i = 1; i < app->n_io; i++)
		if (app->io[i].n_guests < best->n_guests)
			best = &app->io[i];
	return best;
}

/* Set up slot i for its conf; the slot's old sessions are reused if big enough. */
static int
guest_init(struct dp_app *app, unsigned int i, struct dp_io_lcore *lc)
{
	struct dp_guest *g = &app->guests[i];
	struct dp_session *keep = g->sessions;
	uint16_t cap = g->capacity;

	memset(g, 0, sizeof(*g));
	g->sessions = keep;
	g->capacity = cap;
	g->conf = &app->cfg->guests[i];
	g->handler = dp_handler_find(g->conf->handler);
	g->lcore = lc->lcore_id;
	g->idx = (uint16_t)i;
	g->pipe = &lc->pipe;
	/* A locally administered address per guest: 02:68:6c (hl) + slot. */
	memcpy(g->mac, (uint8_t[6]){ 0x02, 0x68, 0x6c, 0, (uint8_t)(i >> 8),
				     (uint8_t)i }, 6);
	g->mp = dp_app_pool_for(app, lc->lcore_id);
	g->srv.listen_fd = -1;
	g->srv.conn_fd = -1;
	g->srv.gone = app->hooks.guest_gone;
	g->srv.gone_arg = app->hooks.arg;
	if (g->mp == NULL)
		return -ENOMEM;
	if (g->capacity < g->conf->max_sessions) {
		sessions_free(g);
		return sessions_alloc(g, g->conf->max_sessions);
	}
	for (unsigned int k = 0; k < g->capacity; k++) {
		uint8_t *out = g->sessions[k].out;

		memset(&g->sessions[k], 0, sizeof(g->sessions[k]));
		g->sessions[k].out = out;
	}
	return 0;
}

static int
guest_open(struct dp_app *app, unsigned int i)
{
	struct dp_io_lcore *lc = least_loaded(app);
	struct dp_guest *g = &app->guests[i];
	int rc = guest_init(app, i, lc);

	if (rc == 0)
		rc = dp_memif_srv_open(g, i, app->epfd, app->cfg->handshake_timeout_ms);
	if (rc < 0) {
		DP_LOG(ERR, "guest %s: cannot listen on %s: %s", g->conf->name,
		       g->conf->socket, strerror(-rc));
		return rc;
	}
	if (app->hooks.guest_added != NULL)
		app->hooks.guest_added(app->hooks.arg, i);
	g->active = 1;
	app->n_guests++;
	dp_lcore_guest_add(lc, g);
	DP_LOG(INFO, "guest %s: memif server on %s, handler %s, lcore %u",
	       g->conf->name, g->conf->socket, g->handler->name, g->lcore);
	return 0;
}

int
dp_app_guests_open(struct dp_app *app)
{
	if (mkdir(app->cfg->runtime_dir, 0755) < 0 && errno != EEXIST) {
		DP_LOG(ERR, "cannot create runtime dir %s: %s",
		       app->cfg->runtime_dir, strerror(errno));
		return -errno;
	}
	app->guests = rte_zmalloc("hl_guests", sizeof(*app->guests) * DP_MAX_GUESTS,
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

/* A slot for a new guest: never used, or retired with enough sessions. */
static int
free_slot(const struct dp_app *app, const struct dp_guest_conf *conf)
{
	for (unsigned int i = 0; i < app->cfg->n_guests; i++) {
		const struct dp_guest *g = &app->guests[i];

		if (!g->active && g->capacity >= conf->max_sessions)
			return (int)i;
	}
	return app->cfg->n_guests < DP_MAX_GUESTS ? (int)app->cfg->n_guests : -1;
}

int
dp_app_guest_add(struct dp_app *app, const struct dp_guest_conf *conf,
		 char *err, size_t errlen)
{
	int slot, rc;

	if (dp_app_guest_find(app, conf->name) != NULL) {
		snprintf(err, errlen, "guest %s exists", conf->name);
		return -EEXIST;
	}
	slot = free_slot(app, conf);
	if (slot < 0) {
		snprintf(err, errlen, "no free guest slot (at most %d guests)",
			 DP_MAX_GUESTS);
		return -ENOSPC;
	}
	app->cfg->guests[slot] = *conf;
	if ((unsigned int)slot == app->cfg->n_guests)
		app->cfg->n_guests++;
	rc = guest_open(app, (unsigned int)slot);
	if (rc < 0) {
		snprintf(err, errlen, "guest %s: cannot listen on %s: %s", conf->name,
			 conf->socket, strerror(-rc));
		app->cfg->guests[slot].name[0] = '\0';
		return rc;
	}
	return slot;
}

static struct dp_io_lcore *
lcore_of(struct dp_app *app, const struct dp_guest *g)
{
	for (unsigned int i = 0; i < app->n_io; i++)
		if (app->io[i].lcore_id == g->lcore)
			return &app->io[i];
	return NULL;
}

int
dp_app_guest_remove(struct dp_app *app, const char *name)
{
	struct dp_guest *g = dp_app_guest_find(app, name);
	struct dp_io_lcore *lc;

	if (g == NULL)
		return -ENOENT;
	dp_memif_srv_close(g, DP_MEMIF_R_REMOVED);
	lc = lcore_of(app, g);
	if (lc != NULL)
		dp_lcore_guest_remove(lc, g);
	g->active = 0;
	app->n_guests--;
	DP_LOG(INFO, "guest %s: removed", name);
	app->cfg->guests[g->idx].name[0] = '\0';
	return 0;
}

struct dp_guest *
dp_app_guest_find(struct dp_app *app, const char *name)
{
	for (unsigned int i = 0; app->guests != NULL && i < app->cfg->n_guests; i++)
		if (app->guests[i].active &&
		    strcmp(app->cfg->guests[i].name, name) == 0)
			return &app->guests[i];
	return NULL;
}

void
dp_app_guests_close(struct dp_app *app)
{
	if (app->guests == NULL)
		return;
	for (unsigned int i = 0; i < app->cfg->n_guests; i++) {
		if (app->guests[i].active)
			dp_memif_srv_close(&app->guests[i], DP_MEMIF_R_SHUTDOWN);
		sessions_free(&app->guests[i]);
	}
	rte_free(app->guests);
	app->guests = NULL;
}
