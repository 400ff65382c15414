/* SPDX-License-Identifier: BSD-3-Clause */
/* Read-only views of guests, sessions and lcores for the control plane. */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "app.h"
#include "move.h"
#include "numa_place.h"
#include "session.h"
#include "view.h"

/* A fast-path counter block, read with aligned 64-bit loads. */
static void
copy_u64s(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* memif: the handshake finished; vhost, ethdev: the link is up. */
static bool
connected(const struct dp_guest *g)
{
	if (g->fast.chan != DP_CHAN_MEMIF)
		return __atomic_load_n(&g->fast.port_epoch, __ATOMIC_RELAXED) != 0;
	return g->conn.srv.conn_fd >= 0 &&
	       g->conn.srv.hs.state == DP_MEMIF_HS_CONNECTED;
}

unsigned int
dp_view_slots(const struct dp_app *app)
{
	return app->guests != NULL ? app->cfg->n_guests : 0;
}

int
dp_view_guest(const struct dp_app *app, unsigned int slot,
	      struct dp_guest_view *v)
{
	const struct dp_guest *g;

	if (!dp_view_guest_active(app, slot))
		return -ENOENT;
	g = &app->guests[slot];
	v->conf = g->conf;
	v->slot = g->idx;
	v->lcore = g->lcore;
	v->connected = connected(g);
	v->numa_node = v->connected ? g->conn.numa.node : DP_NUMA_UNKNOWN;
	v->inflight = __atomic_load_n(&g->pl.inflight, __ATOMIC_RELAXED);
	v->busy_cycles = __atomic_load_n(&g->fast.busy_cycles, __ATOMIC_RELAXED);
	v->busy_last = g->conn.busy_last;
	v->moving = g->fast.move_req != 0;
	copy_u64s((uint64_t *)&v->st, (const uint64_t *)&g->fast.st,
		  sizeof(v->st) / sizeof(uint64_t));
	v->slow = g->conn.slow;
	memcpy(v->reasons, g->conn.reasons, sizeof(v->reasons));
	copy_u64s(v->req_by_op, g->pl.req_by_op, DP_PIPE_OPS);
	copy_u64s(v->err_by_status, g->pl.err_by_status, DP_PIPE_STATUSES);
	return 0;
}

bool
dp_view_guest_active(const struct dp_app *app, unsigned int slot)
{
	return slot < dp_view_slots(app) && app->guests[slot].conn.active;
}

int
dp_view_guest_slot(const struct dp_app *app, const char *name)
{
	for (unsigned int i = 0; i < dp_view_slots(app); i++)
		if (dp_view_guest_active(app, i) &&
		    strcmp(app->cfg->guests[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

bool
dp_view_session(const struct dp_app *app, unsigned int slot, uint32_t id,
		struct dp_session_view *v)
{
	unsigned int k = DP_SESSION_SLOT(id);
	const struct dp_guest *g;

	if (slot >= dp_view_slots(app))
		return false;
	g = &app->guests[slot];
	if (k >= g->conn.capacity || g->pl.sessions == NULL ||
	    __atomic_load_n(&g->pl.sessions[k].id, __ATOMIC_RELAXED) != id)
		return false;
	v->state = g->pl.sessions[k].state;
	v->placement = g->pl.sessions[k].placement;
	v->backend = g->pl.sessions[k].backend;
	return true;
}

static void
idle_view(const struct dp_lcore_idle *s, struct dp_lcore_view *o)
{
	o->idle = dp_lcore_idle_name(s->mode);
	o->asleep = __atomic_load_n(&s->asleep, __ATOMIC_RELAXED) != 0;
	o->busy_cycles = __atomic_load_n(&s->busy_cycles, __ATOMIC_RELAXED);
	o->idle_cycles = __atomic_load_n(&s->idle_cycles, __ATOMIC_RELAXED);
	o->sleep_cycles = __atomic_load_n(&s->sleep_cycles, __ATOMIC_RELAXED);
	o->sleeps = __atomic_load_n(&s->sleeps, __ATOMIC_RELAXED);
	o->blocks = __atomic_load_n(&s->blocks, __ATOMIC_RELAXED);
	o->wakeups = __atomic_load_n(&s->wakeups, __ATOMIC_RELAXED);
	o->tsc_hz = rte_get_tsc_hz();
}

static void
io_view(const struct dp_io_lcore *lc, unsigned int idx, uint64_t now,
	struct dp_lcore_view *o)
{
	*o = (struct dp_lcore_view){ .id = lc->lcore_id, .io = true,
		.socket = (int)rte_lcore_to_socket_id(lc->lcore_id),
		.stuck = dp_lcore_stuck(lc), .n_guests = lc->n_guests,
		.n_polled = __atomic_load_n(&lc->n_poll, __ATOMIC_RELAXED),
		.loops = __atomic_load_n(&lc->loops, __ATOMIC_RELAXED),
		.stuck_events = lc->wd.stuck_events,
		.stuck_ms_total = lc->wd.stuck_ms_total };
	idle_view(&lc->idle, o);
	o->busy_last = dp_move_lcore_busy(idx);
	if (o->stuck) {
		o->stuck_ms = now - lc->wd.stuck_since_ms;
		dp_pipe_where_str(lc->wd.stuck_where, o->where, sizeof(o->where));
	}
}

unsigned int
dp_view_lcores(const struct dp_app *app, uint64_t now_ms,
	       struct dp_lcore_view *v, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; app->io != NULL && i < app->n_io && n < max; i++)
		io_view(&app->io[i], i, now_ms, &v[n++]);
	for (unsigned int i = 0; app->workers != NULL && i < app->n_workers &&
	     n < max; i++)
		v[n++] = (struct dp_lcore_view){ .id = app->workers[i].lcore_id,
			.socket = (int)rte_lcore_to_socket_id(app->workers[i].lcore_id),
			.idle = "poll",	/* workers always spin */
			.loops = __atomic_load_n(&app->workers[i].loops,
						 __ATOMIC_RELAXED) };
	return n;
}
