/* SPDX-License-Identifier: BSD-3-Clause */
/* Report commands: fn list, session list, stats, port list, lcore list,
 * mempool list. */
#include <stdio.h>
#include <string.h>

#include <rte_mempool.h>

#include <hostlane/proto.h>

#include "ctl_cmds.h"
#include "session.h"

static const char *
place_name(unsigned int p)
{
	return p == HL_PLACE_HW ? "hw" : p == HL_PLACE_SW ? "sw" : "any";
}

static json_t *
backends_json(unsigned int fn)
{
	json_t *a = json_array();
	const struct fpga_backend_ops *be;

	for (unsigned int i = 0; a != NULL && (be = fpga_backend_get(i)) != NULL; i++) {
		struct fpga_fn_caps caps;

		if (fpga_fn_caps(be, fn, &caps) != 0 || caps.place == FPGA_PLACE_NONE)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "backend",
			fpga_backend_name(be), "place",
			caps.place == FPGA_PLACE_HW ? "hw" : "sw",
			"max_in_len", (json_int_t)caps.max_in_len));
	}
	return a;
}

enum ctl_err
ctl_cmd_fn_list(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	json_t *list = json_array();

	(void)args;
	for (unsigned int fn = 1; list != NULL && fn <= FPGA_FN_COUNT; fn++) {
		const struct fpga_fn_info *info = fpga_fn_info(fn);
		enum fpga_place place = FPGA_PLACE_NONE;
		const struct fpga_backend_ops *be = fpga_backend_place(fn, true, &place);

		/* Test-only functions ("test-*") show only where offered. */
		if (info == NULL || (be == NULL &&
				     strncmp(info->name, "test-", 5) == 0))
			continue;
		json_array_append_new(list, json_pack(
			"{s:i, s:s, s:s, s:s, s:o*, s:i, s:i, s:s}",
			"id", (int)fn, "function", info->name,
			"placement", place == FPGA_PLACE_HW ? "hw" :
				     place == FPGA_PLACE_SW ? "sw" : "none",
			"backend", be != NULL ? fpga_backend_name(be) : "none",
			"backends", backends_json(fn),
			"sessions", (int)ctl_mgr_fn_sessions(c->mgr, fn),
			"capacity", (int)c->app->cfg->function_capacity,
			"description", info->desc));
	}
	return ctl_ok(r, list);
}

static json_t *
session_json(const struct ctl_snap *s, const struct ctl_snap_session *ss)
{
	char id[16];
	const struct fpga_backend_ops *be = fpga_backend_get(ss->backend);
	bool active = ss->state == DP_SESSION_ACTIVE;

	snprintf(id, sizeof(id), "0x%08x", ss->id);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		"guest", s->guests[ss->guest].name, "id", id,
		"function", fpga_fn_name(ss->fn), "asked", place_name(ss->asked),
		"state", active ? "active" : "open",
		"placement", active ? place_name(ss->placement) : "-",
		"backend", active && be != NULL ? fpga_backend_name(be) : "-");
}

json_t *
ctl_sessions_json(const struct ctl_snap *s, const char *name)
{
	json_t *list = json_array();

	for (unsigned int i = 0; list != NULL && i < s->n_sessions; i++) {
		const struct ctl_snap_session *ss = &s->sessions[i];

		if (name == NULL || strcmp(s->guests[ss->guest].name, name) == 0)
			json_array_append_new(list, session_json(s, ss));
	}
	return list;
}

enum ctl_err
ctl_cmd_session_list(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "guest");

	ctl_snap_fill(c->snap, c->app, c->mgr);
	if (name != NULL && ctl_snap_guest(c->snap, name) == NULL)
		return ctl_fail(r, CTL_E_NOT_FOUND, "no guest '%.64s'", name);
	return ctl_ok(r, ctl_sessions_json(c->snap, name));
}

/* Whether the watchdog holds lcore stuck in snapshot s. */
static bool
lcore_stuck(const struct ctl_snap *s, unsigned int lcore)
{
	for (unsigned int i = 0; i < s->n_lcores; i++)
		if (s->lcores[i].id == lcore)
			return s->lcores[i].stuck;
	return false;
}

/* The busy and idle cycles of lcore in snapshot s (also in `lcore list`). */
static json_t *
lcore_cycles(const struct ctl_snap *s, unsigned int lcore)
{
	for (unsigned int i = 0; i < s->n_lcores; i++)
		if (s->lcores[i].id == lcore)
			return json_pack("{s:I, s:I}",
				"busy", (json_int_t)s->lcores[i].busy_cycles,
				"idle", (json_int_t)s->lcores[i].idle_cycles);
	return json_pack("{s:I, s:I}", "busy", (json_int_t)0, "idle", (json_int_t)0);
}

static json_t *
guest_stats_json(const struct ctl_snap *s, const struct ctl_snap_guest *g)
{
	json_t *fast = json_object(), *slow = json_object(), *req = json_object();
	json_t *errs = json_object(), *disc = json_object();

#define CTL_FAST_(name, help) json_object_set_new(fast, #name, json_integer((json_int_t)g->v.st.name));
	DP_GUEST_FAST_COUNTERS(CTL_FAST_)
#undef CTL_FAST_
#define CTL_SLOW_(name, help) json_object_set_new(slow, #name, json_integer((json_int_t)g->v.slow.name));
	DP_GUEST_SLOW_COUNTERS(CTL_SLOW_)
#undef CTL_SLOW_
#define CTL_OP_(name, val, pl) \
	json_object_set_new(req, #name, json_integer((json_int_t)g->v.req_by_op[DP_OPI_##name]));
	HL_OPCODE_LIST(CTL_OP_)
#undef CTL_OP_
#define CTL_ST_(name, val, msg) \
	if ((val) != 0 && (val) < DP_PIPE_STATUSES) \
		json_object_set_new(errs, #name, \
			json_integer((json_int_t)g->v.err_by_status[(val) % DP_PIPE_STATUSES]));
	HL_STATUS_LIST(CTL_ST_)
#undef CTL_ST_
	for (unsigned int i = 1; i < DP_MEMIF_R_COUNT; i++)
		json_object_set_new(disc, dp_memif_reason_name(i),
				    json_integer((json_int_t)g->v.reasons[i]));
	json_t *o;

	o = json_pack("{s:s, s:s, s:i, s:b, s:o, s:o, s:i, s:i, s:o, s:o, s:o, s:o, s:o}",
		"guest", g->name, "state", g->v.connected ? "connected" : "listening",
		"lcore", (int)g->v.lcore, "lcore_stuck", lcore_stuck(s, g->v.lcore),
		"numa_node", ctl_numa_node_json(g->v.numa_node),
		"lcore_cycles", lcore_cycles(s, g->v.lcore),
		"inflight", (int)g->v.inflight, "sessions", (int)g->sessions,
		"traffic", fast, "connections", slow, "requests", req,
		"errors", errs, "disconnects", disc);
	if (o != NULL)
		json_object_set_new(o, "sockets", ctl_sock_guest_json(g));
	return o;
}

/* o with "capture": the guest's (or port's) running capture, or null. */
static json_t *
with_capture(json_t *o, struct ctl_ctx *c, bool guest, unsigned int idx)
{
	struct dp_cap_info ci;
	int rc = guest ? dp_cap_info_guest(c->app, idx, &ci) :
		 dp_cap_info_port(c->app, idx, &ci);

	if (o != NULL)
		json_object_set_new(o, "capture", rc == 0 ? ctl_capture_json(&ci) :
				    json_null());
	return o;
}

enum ctl_err
ctl_cmd_stats(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "guest");
	const struct ctl_snap_guest *g;
	json_t *list;

	ctl_snap_fill(c->snap, c->app, c->mgr);
	if (name != NULL) {
		g = ctl_snap_guest(c->snap, name);
		if (g == NULL)
			return ctl_fail(r, CTL_E_NOT_FOUND, "no guest '%.64s'", name);
		return ctl_ok(r, with_capture(guest_stats_json(c->snap, g), c, true,
					      g->v.slot));
	}
	list = json_array();
	for (unsigned int i = 0; list != NULL && i < c->snap->n_guests; i++)
		json_array_append_new(list, with_capture(guest_stats_json(c->snap,
			&c->snap->guests[i]), c, true, c->snap->guests[i].v.slot));
	return ctl_ok(r, list);
}

static json_t *
port_json(const struct ctl_snap_port *p)
{
	const struct rte_eth_stats *st = &p->st;

	return json_pack("{s:s, s:i, s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:I, "
			 "s:I, s:I, s:I, s:I}",
		"name", p->name, "port_id", (int)p->port_id, "driver", p->driver,
		"link", p->link.link_status ? "up" : "down",
		"speed_mbps", (json_int_t)p->link.link_speed,
		"duplex", p->link.link_duplex ? "full" : "half",
		"rx_frames", (json_int_t)st->ipackets,
		"tx_frames", (json_int_t)st->opackets,
		"rx_bytes", (json_int_t)st->ibytes, "tx_bytes", (json_int_t)st->obytes,
		"rx_missed", (json_int_t)st->imissed,
		"rx_errors", (json_int_t)st->ierrors,
		"tx_errors", (json_int_t)st->oerrors,
		"rx_nombuf", (json_int_t)st->rx_nombuf,
		"polled", (json_int_t)p->polled);
}

enum ctl_err
ctl_cmd_port_list(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	json_t *list = json_array();

	(void)args;
	ctl_snap_fill(c->snap, c->app, c->mgr);
	for (unsigned int i = 0; list != NULL && i < c->snap->n_ports; i++)
		json_array_append_new(list, with_capture(port_json(&c->snap->ports[i]),
							 c, false, i));
	return ctl_ok(r, list);
}

/* Busy share of the cycles counted so far, in percent (OVS pmd-stats-show). */
static double
busy_pct(const struct dp_lcore_view *l)
{
	uint64_t all = l->busy_cycles + l->idle_cycles;

	return all == 0 ? 0.0 : 100.0 * (double)l->busy_cycles / (double)all;
}

json_t *
ctl_numa_node_json(int node)
{
	return node >= 0 ? json_integer(node) : json_null();
}

json_t *
ctl_lcore_json(const struct dp_lcore_view *l)
{
	json_t *o = json_pack("{s:i, s:s, s:o, s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:s}",
		"lcore", (int)l->id, "role", l->io ? "io" : "worker",
		"socket", ctl_numa_node_json(l->socket),
		"state", l->stuck ? "stuck" : "ok",
		"guests", (int)l->n_guests, "polled", (int)l->n_polled,
		"loops", (json_int_t)l->loops, "stuck_ms", (json_int_t)l->stuck_ms,
		"stuck_events", (json_int_t)l->stuck_events,
		"stuck_ms_total", (json_int_t)l->stuck_ms_total,
		"stuck_in", l->stuck ? l->where : "-");
	json_t *idle = json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:I}",
		"idle", l->idle != NULL ? l->idle : "poll", "asleep", l->asleep,
		"busy_cycles", (json_int_t)l->busy_cycles,
		"busy_cycles_last", (json_int_t)l->busy_last,
		"idle_cycles", (json_int_t)l->idle_cycles,
		"sleep_cycles", (json_int_t)l->sleep_cycles,
		"busy_pct", busy_pct(l), "sleeps", (json_int_t)l->sleeps,
		"blocks", (json_int_t)l->blocks, "wakeups", (json_int_t)l->wakeups,
		"tsc_hz", (json_int_t)l->tsc_hz);

	if (o != NULL && idle != NULL)
		json_object_update(o, idle);
	json_decref(idle);
	return o;
}

/* rte_mempool_walk() callback: one pool's entry. */
static void
mempool_json(struct rte_mempool *mp, void *arg)
{
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:i}",
			      "name", mp->name,
			      "size", (json_int_t)mp->size,
			      "in_use", (json_int_t)rte_mempool_in_use_count(mp),
			      "cache_size", (json_int_t)mp->cache_size,
			      "elt_size", (json_int_t)mp->elt_size,
			      "socket", mp->socket_id);

	if (o != NULL)
		json_array_append_new(arg, o);
}

/*
 * Every mempool of the process, as the main lcore sees it: in_use counts
 * the objects out of the pool, those in lcore caches included (a cache's
 * count may be one burst old: a figure for trends, not an exact audit).
 */
enum ctl_err
ctl_cmd_mempool_list(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	json_t *list = json_array();

	(void)c;
	(void)args;
	if (list != NULL)
		rte_mempool_walk(mempool_json, list);
	return ctl_ok(r, list);
}

/* The guests assigned to an I/O lcore, with the cycles it spent on each. */
static json_t *
lcore_guests_json(const struct ctl_snap *s, unsigned int lcore)
{
	json_t *a = json_array();

	for (unsigned int i = 0; a != NULL && i < s->n_guests; i++) {
		const struct ctl_snap_guest *g = &s->guests[i];

		if (g->v.lcore != lcore)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:b, s:I, s:I, s:b}",
			"name", g->name, "connected", g->v.connected,
			"busy_cycles", (json_int_t)g->v.busy_cycles,
			"busy_cycles_last", (json_int_t)g->v.busy_last,
			"moving", g->v.moving));
	}
	return a;
}

enum ctl_err
ctl_cmd_lcore_list(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	json_t *list = json_array();

	(void)args;
	ctl_snap_fill(c->snap, c->app, c->mgr);
	for (unsigned int i = 0; list != NULL && i < c->snap->n_lcores; i++) {
		json_t *o = ctl_lcore_json(&c->snap->lcores[i]);

		if (o != NULL && c->snap->lcores[i].io)
			json_object_set_new(o, "assigned",
					    lcore_guests_json(c->snap, c->snap->lcores[i].id));
		json_array_append_new(list, o);
	}
	return ctl_ok(r, list);
}
