/* SPDX-License-Identifier: BSD-3-Clause */
/* `socket list`: the socket service's counters, per guest and per worker. */
#include <string.h>

#include "ctl_cmds.h"
#include "sock.h"

json_t *
ctl_sock_guest_json(const struct ctl_snap_guest *g)
{
	json_t *o = json_pack("{s:s, s:b, s:i}", "guest", g->name,
			      "sockets", g->v.conf->sock.enabled != 0,
			      "max_sockets", (int)g->v.conf->sock.max_sockets);

#define CTL_SOCK_G_(n, what) \
	if (o != NULL) \
		json_object_set_new(o, #n, json_integer((json_int_t)g->sock.n));
	DP_SOCK_GSTATS(CTL_SOCK_G_)
#undef CTL_SOCK_G_
	return o;
}

static json_t *
workers_json(const struct dp_sock_svc *svc)
{
	json_t *list = json_array();

	for (unsigned int i = 0; list != NULL && svc != NULL && i < svc->n_workers; i++) {
		struct dp_sock_wstats st;
		json_t *o = json_pack("{s:i}", "worker", (int)i);

		dp_sock_worker_stats(svc, i, &st);
#define CTL_SOCK_W_(n, what) \
		if (o != NULL) \
			json_object_set_new(o, #n, json_integer((json_int_t)st.n));
		DP_SOCK_WSTATS(CTL_SOCK_W_)
#undef CTL_SOCK_W_
		json_array_append_new(list, o);
	}
	return list;
}

enum ctl_err
ctl_cmd_socket_list(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "guest");
	const struct ctl_snap_guest *g;
	json_t *list;

	ctl_snap_fill(c->snap, c->app, c->mgr);
	if (name != NULL) {
		g = ctl_snap_guest(c->snap, name);
		if (g == NULL)
			return ctl_fail(r, CTL_E_NOT_FOUND, "no guest '%.64s'", name);
		return ctl_ok(r, ctl_sock_guest_json(g));
	}
	list = json_array();
	for (unsigned int i = 0; list != NULL && i < c->snap->n_guests; i++)
		json_array_append_new(list, ctl_sock_guest_json(&c->snap->guests[i]));
	return ctl_ok(r, json_pack("{s:o, s:o}", "guests", list,
				   "workers", workers_json(c->app->sock)));
}
