/* SPDX-License-Identifier: BSD-3-Clause */
/* The vf commands: list, show, assign, release, pin, unpin, exclude,
 * policy, log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cmds.h"

/* Every vf command needs the allocator: NULL when [vf] is absent. */
static struct vf_alloc *
alloc_of(struct ctl_ctx *c, struct ctl_reply *r, enum ctl_err *err)
{
	if (c->vf == NULL) {
		*err = ctl_fail(r, CTL_E_UNSUPPORTED, "VF assignment is off: the "
				"config has no [vf] section");
		return NULL;
	}
	return ctl_vf_alloc(c->vf);
}

/* not_found for a guest the allocator does not know, saying why. */
static enum ctl_err
unknown_guest(struct ctl_ctx *c, struct ctl_reply *r, const char *name)
{
	if (dp_view_guest_slot(c->app, name) < 0)
		return ctl_fail(r, CTL_E_NOT_FOUND, "no guest '%.64s'", name);
	return ctl_fail(r, CTL_E_NOT_FOUND, "guest %.64s takes no VF (its vf key "
			"is none)", name);
}

static json_t *
guest_json(const struct vf_alloc_guest_info *g)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:i, s:I, s:I, s:I}",
		"guest", g->name, "role", vf_role_name(g->role),
		"state", g->removed ? "removed" : g->waiting ? "waiting" :
			 vf_gstate_name(g->state),
		"vf", g->vf[0] != '\0' ? g->vf : "-",
		"pps", (json_int_t)(g->rate.pps + 0.5),
		"bytes_per_s", (json_int_t)(g->rate.bps + 0.5),
		"source", vf_rate_source_name(g->rate.source),
		"weight", (int)g->weight,
		"held_ms", (json_int_t)g->held_ms,
		"assigns", (json_int_t)g->assigns,
		"failures", (json_int_t)g->failures);
}

static json_t *
slots_json(const struct vf_alloc *a)
{
	json_t *arr = json_array();

	for (unsigned int i = 0; arr != NULL && i < vf_alloc_n_slots(a); i++) {
		char owner[VF_NAME_MAX];
		enum vf_gstate st;
		struct vf_slot s;

		if (vf_alloc_slot(a, i, &s, owner, sizeof(owner), &st) < 0)
			break;
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}",
			"vf", s.name, "device", s.pci[0] != '\0' ? s.pci : s.devargs,
			"holder", owner[0] != '\0' ? owner : "-",
			"state", owner[0] != '\0' ? vf_gstate_name(st) : "free"));
	}
	return arr;
}

static json_t *
stats_json(const struct vf_alloc_stats *st)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"rounds", (json_int_t)st->rounds,
		"assigns", (json_int_t)st->assigns,
		"revokes", (json_int_t)st->revokes,
		"failures", (json_int_t)st->failures,
		"switch_ms_total", (json_int_t)st->switch_ms_total,
		"switch_ms_max", (json_int_t)st->switch_ms_max,
		"round_us_last", (json_int_t)(st->round_ns_last / 1000),
		"round_us_max", (json_int_t)(st->round_ns_max / 1000),
		"reports", (json_int_t)st->reports,
		"reports_refused", (json_int_t)st->reports_refused);
}

enum ctl_err
ctl_cmd_vf_list(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	enum ctl_err err = CTL_OK;
	struct vf_alloc *a = alloc_of(c, r, &err);
	const struct vf_alloc_conf *conf;
	struct vf_alloc_guest_info *gs;
	json_t *guests;
	unsigned int n;

	(void)args;
	if (a == NULL)
		return err;
	conf = vf_alloc_conf(a);
	n = ctl_vf_records(c->app->cfg);
	gs = calloc(n, sizeof(*gs));
	if (gs == NULL)
		return ctl_fail(r, CTL_E_INTERNAL, "out of memory");
	n = vf_alloc_guests(a, gs, n);
	guests = json_array();
	for (unsigned int i = 0; guests != NULL && i < n; i++)
		json_array_append_new(guests, guest_json(&gs[i]));
	free(gs);
	return ctl_ok(r, json_pack("{s:s, s:s, s:i, s:i, s:i, s:o*, s:o*, s:o*}",
		"mode", ctl_vf_mode_name(c->vf), "policy", vf_pol_name(conf->policy),
		"interval_ms", (int)conf->interval_ms,
		"vfs_total", (int)vf_alloc_n_slots(a),
		"vfs_held", (int)vf_alloc_n_held(a),
		"counters", stats_json(vf_alloc_stats(a)),
		"vfs", slots_json(a), "guests", guests));
}

enum ctl_err
ctl_cmd_vf_show(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "guest");
	enum ctl_err err = CTL_OK;
	struct vf_alloc *a = alloc_of(c, r, &err);
	struct vf_alloc_guest_info g;
	json_t *o;

	if (a == NULL)
		return err;
	if (vf_alloc_find(a, name) < 0 || vf_alloc_guest_info(a, name, &g) < 0)
		return unknown_guest(c, r, name);
	o = guest_json(&g);
	if (o != NULL) {
		json_object_set_new(o, "configured_role", json_string(vf_role_name(g.cfg_role)));
		json_object_set_new(o, "service_ms", json_integer((json_int_t)g.service_ms));
		json_object_set_new(o, "revokes", json_integer((json_int_t)g.revokes));
		json_object_set_new(o, "last_switch_ms",
				    json_integer((json_int_t)g.last_switch_ms));
		json_object_set_new(o, "reports", json_integer((json_int_t)g.reports));
		json_object_set_new(o, "reports_refused",
				    json_integer((json_int_t)g.reports_refused));
	}
	return ctl_ok(r, o);
}

/* The outcome of assign/release in words, or the error. */
static enum ctl_err
op_reply(struct ctl_ctx *c, struct vf_alloc *a, const char *name, int rc,
	 const char *msg, struct ctl_reply *r)
{
	struct vf_alloc_guest_info g;

	switch (rc) {
	case 0:
	case 1:
		break;
	case -ENOENT: return unknown_guest(c, r, name);
	case -EEXIST:
		vf_alloc_guest_info(a, name, &g);
		return ctl_fail(r, CTL_E_EXISTS, "guest %.64s holds %s already", name, g.vf);
	case -EINVAL: return ctl_fail(r, CTL_E_NOT_FOUND, "guest %.64s holds no VF", name);
	case -EBUSY:
		return ctl_fail(r, CTL_E_BUSY, "an assign or revoke is under way for "
				"guest %.64s; try again", name);
	case -ENOSPC:
		return ctl_fail(r, CTL_E_NO_SPACE, "no free VF (%u of %u held): release "
				"one first", vf_alloc_n_held(a), vf_alloc_n_slots(a));
	default:
		return ctl_fail(r, CTL_E_INTERNAL, "%s", msg);
	}
	vf_alloc_guest_info(a, name, &g);
	return ctl_ok(r, json_pack("{s:s, s:s, s:s}", "guest", name,
		"vf", g.vf[0] != '\0' ? g.vf : "-", "state", vf_gstate_name(g.state)));
}

enum ctl_err
ctl_cmd_vf_assign(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "guest");
	enum ctl_err err = CTL_OK;
	struct vf_alloc *a = alloc_of(c, r, &err);
	char msg[DP_ERR_MAX];

	if (a == NULL)
		return err;
	return op_reply(c, a, name, vf_alloc_assign(a, name, msg, sizeof(msg)), msg, r);
}

enum ctl_err
ctl_cmd_vf_release(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "guest");
	enum ctl_err err = CTL_OK;
	struct vf_alloc *a = alloc_of(c, r, &err);
	char msg[DP_ERR_MAX];

	if (a == NULL)
		return err;
	return op_reply(c, a, name, vf_alloc_release(a, name, msg, sizeof(msg)), msg, r);
}

static enum ctl_err
set_role(struct ctl_ctx *c, json_t *args, struct ctl_reply *r, unsigned int role)
{
	const char *name = ctl_arg_str(args, "guest");
	enum ctl_err err = CTL_OK;
	struct vf_alloc *a = alloc_of(c, r, &err);

	if (a == NULL)
		return err;
	if (vf_alloc_set_role(a, name, role) < 0)
		return unknown_guest(c, r, name);
	return ctl_ok(r, json_pack("{s:s, s:s}", "guest", name, "role",
				   vf_role_name(role)));
}

enum ctl_err
ctl_cmd_vf_pin(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	return set_role(c, args, r, VF_ROLE_PINNED);
}

enum ctl_err
ctl_cmd_vf_unpin(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	return set_role(c, args, r, VF_ROLE_ELIGIBLE);
}

enum ctl_err
ctl_cmd_vf_exclude(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	return set_role(c, args, r, VF_ROLE_EXCLUDED);
}

static json_t *
conf_json(const struct vf_alloc_conf *conf)
{
	return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i}",
		"policy", vf_pol_name(conf->policy),
		"interval_ms", (int)conf->interval_ms,
		"min_hold_ms", (int)conf->min_hold_ms,
		"hysteresis_pct", (int)conf->hysteresis_pct,
		"max_moves", (int)conf->max_moves,
		"rate_window_ms", (int)conf->rate_window_ms);
}

enum ctl_err
ctl_cmd_vf_policy(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "name");
	enum ctl_err err = CTL_OK;
	struct vf_alloc *a = alloc_of(c, r, &err);
	struct vf_alloc_conf conf;
	char msg[DP_ERR_MAX];
	const char *key;
	json_t *v;
	int pol;

	if (a == NULL)
		return err;
	pol = vf_pol_lookup(name);
	if (pol < 0)
		return ctl_fail(r, CTL_E_BAD_ARGS, "vf policy: '%.32s' is not fair, "
				"activity or manual", name);
	conf = *vf_alloc_conf(a);
	conf.policy = (enum vf_pol_kind)pol;
	json_object_foreach(args, key, v) {
		if (strcmp(key, "name") == 0)
			continue;
		if (vf_alloc_conf_set(&conf, key, (uint64_t)json_integer_value(v), msg,
				      sizeof(msg)) < 0)
			return ctl_fail(r, CTL_E_BAD_ARGS, "vf policy: %s", msg);
	}
	if (vf_alloc_reconfigure(a, &conf) < 0)
		return ctl_fail(r, CTL_E_BAD_ARGS, "vf policy: settings refused");
	return ctl_ok(r, conf_json(vf_alloc_conf(a)));
}

enum ctl_err
ctl_cmd_vf_log(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	static struct vf_log_entry e[VF_LOG_ENTRIES];	/* main lcore */
	json_t *count = json_object_get(args, "count");
	enum ctl_err err = CTL_OK;
	struct vf_alloc *a = alloc_of(c, r, &err);
	json_int_t want = count != NULL ? json_integer_value(count) : 50;
	json_t *arr;
	unsigned int n;

	if (a == NULL)
		return err;
	if (want < 1 || want > VF_LOG_ENTRIES)
		return ctl_fail(r, CTL_E_BAD_ARGS, "vf log: count must be 1..%d",
				VF_LOG_ENTRIES);
	n = vf_alloc_log(a, e, (unsigned int)want);
	arr = json_array();
	for (unsigned int i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}",
			"ms", (json_int_t)e[i].ms, "round", (json_int_t)e[i].round,
			"what", e[i].what, "guest", e[i].guest, "vf", e[i].vf,
			"reason", e[i].reason));
	return ctl_ok(r, arr);
}
