/* SPDX-License-Identifier: BSD-3-Clause */
/* Capture commands: capture start, stop, list (dataplane/capture.h does the work). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ctl_cmds.h"

json_t *
ctl_capture_json(const struct dp_cap_info *i)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:s, s:I, s:I, s:I, s:I}",
		"target", i->target, "file", i->path, "state", i->state,
		"ending", i->why, "snaplen", (int)i->snaplen,
		"count", (json_int_t)i->count, "filter", i->filter,
		"copied", (json_int_t)i->c.copied, "dropped", (json_int_t)i->c.dropped,
		"written", (json_int_t)i->c.written,
		"filtered", (json_int_t)i->c.filtered);
}

/* What dp_cap_start()'s errors are to a client. */
static enum ctl_err
start_err(int rc)
{
	switch (rc) {
	case -EBUSY: return CTL_E_EXISTS;
	case -ENOSPC: return CTL_E_NO_SPACE;
	case -ENOMEM: return CTL_E_INTERNAL;
	default: return CTL_E_BAD_ARGS;	/* the path, the filter, the snaplen */
	}
}

enum ctl_err
ctl_cmd_capture_start(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	struct dp_cap_conf conf = { .path = ctl_arg_str(args, "file"),
				    .filter = ctl_arg_str(args, "filter") };
	json_t *snaplen = json_object_get(args, "snaplen");
	char msg[DP_ERR_MAX];
	struct dp_cap_info info;
	int rc;

	/* Both are non-negative integers (the table's check); 0 when absent. */
	conf.count = (uint64_t)json_integer_value(json_object_get(args, "count"));
	if (snaplen != NULL && (json_integer_value(snaplen) < DP_CAP_SNAPLEN_MIN ||
				json_integer_value(snaplen) > DP_CAP_SNAPLEN_MAX))
		return ctl_fail(r, CTL_E_BAD_ARGS, "capture start: snaplen must be "
				"%d..%d", DP_CAP_SNAPLEN_MIN, DP_CAP_SNAPLEN_MAX);
	conf.snaplen = (uint32_t)json_integer_value(snaplen);
	rc = dp_cap_resolve(c->app, ctl_arg_str(args, "target"), &conf, msg,
			    sizeof(msg));
	if (rc < 0)
		return ctl_fail(r, rc == -ENOENT ? CTL_E_NOT_FOUND : CTL_E_BAD_ARGS,
				"capture start: %s", msg);
	rc = dp_cap_start(&conf, c->app->cfg, msg, sizeof(msg));
	if (rc < 0)
		return ctl_fail(r, start_err(rc), "capture start: %s", msg);
	if (dp_cap_info_of(conf.slot, &info) < 0)
		return ctl_fail(r, CTL_E_INTERNAL, "capture start: %s vanished",
				conf.target);
	return ctl_ok(r, ctl_capture_json(&info));
}

/* The captures it stops, by target. */
static enum ctl_err
stop_all(struct ctl_reply *r)
{
	struct dp_cap_info *infos = calloc(DP_CAP_MAX, sizeof(*infos));
	json_t *list = json_array();
	unsigned int n = infos != NULL ? dp_cap_list(infos, DP_CAP_MAX) : 0;

	for (unsigned int i = 0; list != NULL && i < n; i++)
		if (strcmp(infos[i].state, "running") == 0)
			json_array_append_new(list, json_string(infos[i].target));
	free(infos);
	if (infos == NULL || list == NULL) {
		json_decref(list);
		return ctl_fail(r, CTL_E_INTERNAL, "out of memory");
	}
	dp_cap_stop_all("stopped");
	return ctl_ok(r, json_pack("{s:o}", "stopped", list));
}

enum ctl_err
ctl_cmd_capture_stop(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *target = ctl_arg_str(args, "target");
	struct dp_cap_conf conf = { .path = NULL };
	char msg[DP_ERR_MAX];
	struct dp_cap_info info;
	int rc;

	if (target == NULL)
		return stop_all(r);
	rc = dp_cap_resolve(c->app, target, &conf, msg, sizeof(msg));
	if (rc < 0)
		return ctl_fail(r, rc == -ENOENT ? CTL_E_NOT_FOUND : CTL_E_BAD_ARGS,
				"capture stop: %s", msg);
	if (dp_cap_info_of(conf.slot, &info) < 0 ||
	    dp_cap_stop(conf.slot, "stopped") < 0)
		return ctl_fail(r, CTL_E_NOT_FOUND, "capture stop: no capture of %s "
				"runs", conf.target);
	info.state = "stopping";
	info.why = "stopped";
	return ctl_ok(r, ctl_capture_json(&info));
}

enum ctl_err
ctl_cmd_capture_list(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	struct dp_cap_info *infos = calloc(DP_CAP_MAX, sizeof(*infos));
	json_t *list = json_array();
	unsigned int n;

	(void)c;
	(void)args;
	if (infos == NULL) {
		json_decref(list);
		return ctl_fail(r, CTL_E_INTERNAL, "out of memory");
	}
	n = dp_cap_list(infos, DP_CAP_MAX);
	for (unsigned int i = 0; list != NULL && i < n; i++)
		json_array_append_new(list, ctl_capture_json(&infos[i]));
	free(infos);
	return ctl_ok(r, list);
}
