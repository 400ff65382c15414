/* SPDX-License-Identifier: BSD-3-Clause */
/* Guest commands — list, show, add, remove — and config show. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <hostlane/proto.h>

#include "ctl_cmds.h"

/* "all", or the allowed functions' names joined by commas. */
static void
functions_str(uint32_t mask, char *buf, size_t len)
{
	uint32_t all = 0;
	size_t off = 0;

	for (unsigned int id = 1; id <= FPGA_FN_COUNT; id++)
		all |= FPGA_FN_BIT(id);
	buf[0] = '\0';
	if ((mask & all) == all) {
		snprintf(buf, len, "all");
		return;
	}
	for (unsigned int id = 1; id <= FPGA_FN_COUNT && off < len; id++)
		if (mask & FPGA_FN_BIT(id))
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off > 0 ? "," : "", fpga_fn_name(id));
}

static bool
secret_set(const struct dp_guest_conf *g)
{
	for (size_t i = 0; i < sizeof(g->memif.secret); i++)
		if (g->memif.secret[i] != 0)
			return true;
	return false;
}

/* The keys only one channel type has. */
static void
channel_keys(json_t *o, const struct dp_guest_conf *g)
{
	if (g->channel == DP_CHAN_VHOST)
		json_object_set_new(o, "vhost_client",
				    json_string(g->vhost_client ? "yes" : "no"));
	if (g->channel == DP_CHAN_ETHDEV)
		json_object_set_new(o, "devargs", json_string(g->devargs));
}

/* VF assignment's keys; the passthrough ones when given. */
static void
vf_keys(json_t *o, const struct dp_guest_conf *g)
{
	json_object_set_new(o, "vf", json_string(vf_role_name(g->vf_role)));
	json_object_set_new(o, "vf_weight", json_integer(g->vf_weight));
	if (g->qmp[0] != '\0')
		json_object_set_new(o, "qmp", json_string(g->qmp));
	if (g->qmp_standby[0] != '\0')
		json_object_set_new(o, "qmp_standby", json_string(g->qmp_standby));
}

/* The fairness keys, as `guest set` takes them. */
static void
fair_keys(json_t *o, const struct dp_guest_conf *g)
{
#define CTL_FAIR_JSON_(key, lo, hi, sized) \
	json_object_set_new(o, #key, json_integer((json_int_t)g->fair.key));
	DP_FAIR_KEYS(CTL_FAIR_JSON_)
#undef CTL_FAIR_JSON_
}

json_t *
ctl_guest_conf_json(const struct dp_guest_conf *g)
{
	char fns[256], mode[8];
	json_t *o;

	functions_str(g->fn_allowed, fns, sizeof(fns));
	snprintf(mode, sizeof(mode), "%04o", (unsigned int)g->socket_mode);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:i, s:i, "
			 "s:i, s:I, s:I, s:i, s:i}",
			 "name", g->name, "channel", ctl_chan_name(g->channel),
			 "socket", g->socket, "socket_mode", mode,
			 "secret", secret_set(g) ? "set" : "none",
			 "interface_id", (json_int_t)g->memif.interface_id,
			 "handler", g->handler, "functions", fns,
			 "max_sessions", (int)g->max_sessions,
			 "max_inflight", (int)g->max_inflight,
			 "max_regions", (int)g->memif.max_regions,
			 "max_region_size", (json_int_t)g->memif.max_region_size,
			 "max_ring_size", (json_int_t)1 << g->memif.max_log2_ring,
			 "max_frame", (int)g->max_frame,
			 "max_chain", (int)g->max_chain);
	if (o != NULL) {
		channel_keys(o, g);
		vf_keys(o, g);
		fair_keys(o, g);
		ctl_sock_conf_keys(o, g);
	}
	return o;
}

static json_t *
guest_state_json(const struct ctl_snap_guest *g)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:i, s:i, s:i}", "name",
			 g->name, "channel", g->channel,
			 "state", g->v.connected ? "connected" : "listening",
			 "handler", g->handler, "lcore", (int)g->v.lcore,
			 "numa_node", ctl_numa_node_json(g->v.numa_node),
			 "slot", (int)g->v.slot, "sessions", (int)g->sessions,
			 "inflight", (int)g->v.inflight);
}

enum ctl_err
ctl_cmd_guest_list(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	json_t *list = json_array();

	(void)args;
	ctl_snap_fill(c->snap, c->app, c->mgr);
	for (unsigned int i = 0; list != NULL && i < c->snap->n_guests; i++)
		json_array_append_new(list, guest_state_json(&c->snap->guests[i]));
	return ctl_ok(r, list);
}

/* The guest's stats reports (dataplane/report.h): what came of them. */
static json_t *
reports_json(const struct ctl_snap_guest *g)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "accepted", (json_int_t)g->v.slow.report_accepted,
			 "resets", (json_int_t)g->v.slow.report_resets,
			 "limited", (json_int_t)g->v.slow.report_limited,
			 "refused", (json_int_t)g->v.slow.report_refused,
			 "invalid", (json_int_t)g->v.st.report_invalid,
			 "dropped", (json_int_t)g->v.st.report_drops,
			 "pkts", (json_int_t)g->v.slow.report_pkts,
			 "bytes", (json_int_t)g->v.slow.report_bytes);
}

enum ctl_err
ctl_cmd_guest_show(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "name");
	const struct ctl_snap_guest *g;
	json_t *o;

	ctl_snap_fill(c->snap, c->app, c->mgr);
	g = ctl_snap_guest(c->snap, name);
	if (g == NULL)
		return ctl_fail(r, CTL_E_NOT_FOUND, "no guest '%.64s'", name);
	o = guest_state_json(g);
	if (o != NULL) {
		json_object_set_new(o, "config", ctl_guest_conf_json(g->v.conf));
		json_object_set_new(o, "session_list", ctl_sessions_json(c->snap, name));
		json_object_set_new(o, "reports", reports_json(g));
	}
	return ctl_ok(r, o);
}

/* A JSON argument in the string form the config file would have. */
static void
value_str(json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		snprintf(buf, len, "%s", json_string_value(v));
}

enum ctl_err
ctl_cmd_guest_add(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "name");
	struct dp_guest_conf g;
	const char *key;
	char val[512];
	json_t *v;
	int slot;

	if (dp_view_guest_slot(c->app, name) >= 0)
		return ctl_fail(r, CTL_E_EXISTS, "guest %.64s exists", name);
	if (dp_config_guest_begin(c->app->cfg, &g, name, r->msg, sizeof(r->msg)) < 0)
		return CTL_E_BAD_ARGS;
	json_object_foreach(args, key, v) {
		if (strcmp(key, "name") == 0)
			continue;
		value_str(v, val, sizeof(val));
		if (dp_config_guest_set(&g, key, val, r->msg, sizeof(r->msg)) < 0)
			return CTL_E_BAD_ARGS;
	}
	if (dp_config_guest_end(c->app->cfg, &g, r->msg, sizeof(r->msg)) < 0)
		return CTL_E_BAD_ARGS;
	slot = dp_app_guest_add(c->app, &g, r->msg, sizeof(r->msg));
	if (slot == -ENOSPC)
		return CTL_E_NO_SPACE;
	/* The name was free (checked above): an error now, -EEXIST included
	 * (a file that is not a socket at the path), is the channel's. */
	if (slot < 0)
		return CTL_E_INTERNAL;
	return ctl_ok(r, ctl_guest_conf_json(&c->app->cfg->guests[slot]));
}

/*
 * Fairness keys at run time: checked on a copy of the guest's conf with the
 * file's rules, all or nothing, then published to its I/O lcore.
 */
enum ctl_err
ctl_cmd_guest_set(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "name");
	int slot = dp_view_guest_slot(c->app, name);
	struct dp_guest_conf g;
	const char *key;
	char val[512];
	json_t *v;

	if (slot < 0)
		return ctl_fail(r, CTL_E_NOT_FOUND, "no guest '%.64s'", name);
	if (json_object_size(args) < 2)
		return ctl_fail(r, CTL_E_BAD_ARGS, "guest set: no key=value given");
	g = c->app->cfg->guests[slot];
	json_object_foreach(args, key, v) {
		if (strcmp(key, "name") == 0)
			continue;
		value_str(v, val, sizeof(val));
		if (dp_config_guest_fair_set(&g, key, val, r->msg, sizeof(r->msg)) < 0)
			return CTL_E_BAD_ARGS;
	}
	if (dp_config_guest_fair_check(&g, r->msg, sizeof(r->msg)) < 0)
		return CTL_E_BAD_ARGS;
	if (dp_app_guest_fair_set(c->app, name, &g.fair) < 0)
		return ctl_fail(r, CTL_E_NOT_FOUND, "no guest '%.64s'", name);
	return ctl_ok(r, ctl_guest_conf_json(&c->app->cfg->guests[slot]));
}

enum ctl_err
ctl_cmd_guest_remove(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "name");
	int slot = dp_view_guest_slot(c->app, name);
	unsigned int held;

	if (slot < 0)
		return ctl_fail(r, CTL_E_NOT_FOUND, "no guest '%.64s'", name);
	held = ctl_mgr_sessions(c->mgr, (unsigned int)slot);
	if (dp_app_guest_remove(c->app, name) < 0)
		return ctl_fail(r, CTL_E_NOT_FOUND, "no guest '%.64s'", name);
	ctl_vf_guest_removed(c->vf, name);
	return ctl_ok(r, json_pack("{s:s, s:i}", "removed", name,
				   "sessions_released", (int)held));
}

static json_t *
ports_conf_json(const struct dp_config *cfg)
{
	json_t *a = json_array();

	for (unsigned int i = 0; a != NULL && i < cfg->n_ports; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "name",
			cfg->ports[i].name, "devargs", cfg->ports[i].devargs));
	return a;
}

enum ctl_err
ctl_cmd_config_show(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const struct dp_config *cfg = c->app->cfg;
	json_t *guests = json_array();

	(void)args;
	for (unsigned int i = 0; guests != NULL && i < cfg->n_guests; i++)
		if (dp_view_guest_active(c->app, i))
			json_array_append_new(guests, ctl_guest_conf_json(&cfg->guests[i]));
	return ctl_ok(r, json_pack("{s:s, s:{s:s, s:s, s:i, s:i, s:i, s:i, s:I, s:i, "
				   "s:s}, s:o*, s:o*}",
		"path", cfg->path, "hostlane",
		"runtime_dir", cfg->runtime_dir, "control_socket", c->socket_path,
		"max_guests", (int)cfg->max_guests,
		"mbufs", (int)cfg->mbufs,
		"handshake_timeout_ms", (int)cfg->handshake_timeout_ms,
		"function_capacity", (int)cfg->function_capacity,
		"max_repetitions", (json_int_t)cfg->max_repetitions,
		"worker_lcores", (int)cfg->worker_lcores,
		"fpga", cfg->fpga[0] != '\0' ? cfg->fpga : "none",
		"ports", ports_conf_json(cfg), "guests", guests));
}
