/* SPDX-License-Identifier: BSD-3-Clause */
/* `socket list`: the socket service's counters, per guest and per worker. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl_cmds.h"
#include "sock.h"

json_t *
ctl_sock_guest_json(const struct ctl_snap_guest *g)
{
	json_t *o = json_pack("{s:s, s:b, s:i}", "guest", g->name,
			      "sockets", g->v.conf->sock.enabled != 0,
			      "max_sockets", (int)g->v.conf->sock.max_sockets);

#define CTL_SOCK_G_(n, type, what) \
	if (o != NULL) \
		json_object_set_new(o, #n, json_integer((json_int_t)g->sock.n));
	DP_SOCK_GSTATS(CTL_SOCK_G_)
#undef CTL_SOCK_G_
	return o;
}

/* "IN|OUT|...": a readiness mask in words. */
static void
mask_str(uint32_t m, char *buf, size_t cap)
{
	static const struct { uint32_t bit; const char *name; } bits[] = {
		{ HL_SOCK_EV_IN, "IN" }, { HL_SOCK_EV_OUT, "OUT" },
		{ HL_SOCK_EV_ERR, "ERR" }, { HL_SOCK_EV_HUP, "HUP" },
		{ HL_SOCK_EV_RDHUP, "RDHUP" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]) && n < cap; i++)
		if (m & bits[i].bit)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "|" : "",
					      bits[i].name);
}

/* The guest's open sockets, as its worker published them. */
static json_t *
sockets_json(const struct dp_sock_svc *svc, unsigned int slot)
{
	const struct dp_sock_pubtab *t = dp_sock_guest_pub(svc, slot);
	json_t *list = json_array();

	for (uint32_t i = 0; list != NULL && t != NULL && i < t->cap; i++) {
		const struct dp_sock_pub *p = &t->ent[i];
		uint32_t id = __atomic_load_n(&p->id, __ATOMIC_ACQUIRE);
		char id_s[16], ev[40];

		if (id == 0)
			continue;
		snprintf(id_s, sizeof(id_s), "%#x", id);
		mask_str(__atomic_load_n(&p->mask, __ATOMIC_RELAXED), ev, sizeof(ev));
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}",
			"id", id_s,
			"family", __atomic_load_n(&p->family, __ATOMIC_RELAXED) ==
				  HL_SOCK_AF_INET6 ? "inet6" : "inet",
			"type", __atomic_load_n(&p->type, __ATOMIC_RELAXED) ==
				HL_SOCK_DGRAM ? "dgram" : "stream",
			"port", (int)__atomic_load_n(&p->gport, __ATOMIC_RELAXED),
			"host_port", (int)__atomic_load_n(&p->hport, __ATOMIC_RELAXED),
			"events", ev));
	}
	return list;
}

static json_t *
workers_json(const struct dp_sock_svc *svc)
{
	json_t *list = json_array();

	for (unsigned int i = 0; list != NULL && svc != NULL && i < svc->n_workers; i++) {
		struct dp_sock_wstats st;
		json_t *o = json_pack("{s:i, s:b}", "worker", (int)i, "ns_lost",
				      __atomic_load_n(&svc->workers[i].ns_lost,
						      __ATOMIC_RELAXED) != 0);

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
		json_t *o = ctl_sock_guest_json(g);

		if (o != NULL)
			json_object_set_new(o, "list", sockets_json(c->app->sock,
								    g->v.slot));
		return ctl_ok(r, o);
	}
	list = json_array();
	for (unsigned int i = 0; list != NULL && i < c->snap->n_guests; i++)
		json_array_append_new(list, ctl_sock_guest_json(&c->snap->guests[i]));
	return ctl_ok(r, json_pack("{s:o, s:o}", "guests", list,
				   "workers", workers_json(c->app->sock)));
}

/* "LO-HI", or "P" for a range of one. */
static void
range_str(const struct dp_sock_range *r, char *buf, size_t cap)
{
	if (r->lo == r->hi)
		snprintf(buf, cap, "%u", r->lo);
	else
		snprintf(buf, cap, "%u-%u", r->lo, r->hi);
}

static void
connect_str(const struct dp_sock_conf *c, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < c->n_connect && n < cap; i++) {
		const struct dp_sock_rule *r = &c->connect[i];
		char ip[INET6_ADDRSTRLEN], ports[16];
		int v6 = r->family == HL_SOCK_AF_INET6;

		inet_ntop(v6 ? AF_INET6 : AF_INET, r->addr, ip, sizeof(ip));
		range_str(&r->ports, ports, sizeof(ports));
		n += (size_t)snprintf(buf + n, cap - n, "%s%s%s/%u%s:%s", i ? "," : "",
				      v6 ? "[" : "", ip, r->prefix, v6 ? "]" : "", ports);
	}
}

void
ctl_sock_conf_keys(json_t *o, const struct dp_guest_conf *g)
{
	const struct dp_sock_conf *c = &g->sock;
	char buf[1024], r[16];
	size_t n = 0;

	json_object_set_new(o, "sockets", json_string(c->enabled ? "yes" : "no"));
	if (!c->enabled)
		return;
	json_object_set_new(o, "max_sockets", json_integer(c->max_sockets));
	json_object_set_new(o, "sock_families", json_string(
		c->families == (DP_SOCK_FAM_INET | DP_SOCK_FAM_INET6) ? "inet,inet6" :
		c->families == DP_SOCK_FAM_INET ? "inet" : "inet6"));
	buf[0] = '\0';
	for (unsigned int i = 0; i < c->n_bind && n < sizeof(buf); i++) {
		range_str(&c->bind[i], r, sizeof(r));
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "", r);
	}
	if (c->n_bind > 0)
		json_object_set_new(o, "sock_bind_ports", json_string(buf));
	range_str(&c->host, r, sizeof(r));
	json_object_set_new(o, "sock_host_ports", json_string(
		c->host_same ? "same" : c->host.lo == 0 ? "ephemeral" : r));
	connect_str(c, buf, sizeof(buf));
	if (c->n_connect > 0)
		json_object_set_new(o, "sock_connect", json_string(buf));
	if (c->netns[0] != '\0')
		json_object_set_new(o, "sock_netns", json_string(c->netns));
}
