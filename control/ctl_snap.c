/* SPDX-License-Identifier: BSD-3-Clause */
/* Snapshots of guests, sessions and ports, and their publication. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_snap.h"
#include "ctl_vf.h"
#include "memif_srv.h"

struct snap_pub {
	pthread_mutex_t lock;
	struct ctl_snap *front;		/**< readers, under lock */
	struct ctl_snap *back;		/**< the main lcore, filling */
	uint64_t last_ms;
};

static struct snap_pub pub = { .lock = PTHREAD_MUTEX_INITIALIZER };

unsigned int
ctl_snap_max_sessions(const struct dp_config *cfg)
{
	uint64_t by_guest = (uint64_t)cfg->max_guests * DP_MAX_SESSIONS;
	uint64_t by_fn = (uint64_t)cfg->function_capacity * FPGA_FN_COUNT;

	return (unsigned int)RTE_MIN(by_guest, by_fn);
}

/* Zeroed, cache-line aligned: a guest's view holds cache-aligned counters. */
static void *
snap_calloc(size_t n, size_t size)
{
	/* Rounded up: aligned_alloc wants a multiple of the alignment. */
	size_t len = (n * size + 63) & ~(size_t)63;
	void *p = aligned_alloc(64, len != 0 ? len : 64);

	if (p != NULL)
		memset(p, 0, len);
	return p;
}

struct ctl_snap *
ctl_snap_alloc(const struct dp_config *cfg)
{
	struct ctl_snap *s = snap_calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->cap_guests = cfg->max_guests;
	s->cap_sessions = ctl_snap_max_sessions(cfg);
	s->vf.cap_guests = ctl_vf_records(cfg);
	s->guests = snap_calloc(s->cap_guests, sizeof(*s->guests));
	s->sessions = snap_calloc(s->cap_sessions + 1, sizeof(*s->sessions));
	s->vf.guests = snap_calloc(s->vf.cap_guests, sizeof(*s->vf.guests));
	if (s->guests == NULL || s->sessions == NULL || s->vf.guests == NULL) {
		ctl_snap_free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

void
ctl_snap_free(struct ctl_snap *s)
{
	if (s == NULL)
		return;
	free(s->guests);
	free(s->sessions);
	free(s->vf.guests);
	free(s);
}

static void
fill_sessions(struct ctl_snap *s, const struct dp_app *app, unsigned int slot,
	      const struct ctl_mgr *mgr, uint16_t gi)
{
	struct ctl_mgr_session ms[DP_MAX_SESSIONS];
	unsigned int n = ctl_mgr_session_list(mgr, slot, ms, DP_MAX_SESSIONS);

	/* The bound holds (ctl_snap_max_sessions()); checked all the same. */
	for (unsigned int k = 0; k < n && s->n_sessions < s->cap_sessions; k++) {
		struct ctl_snap_session *o = &s->sessions[s->n_sessions++];
		struct dp_session_view sv;

		*o = (struct ctl_snap_session){ .guest = gi, .fn = ms[k].fn,
						.id = ms[k].id, .asked = ms[k].asked };
		/* The I/O lcore's record: state and placement. */
		if (dp_view_session(app, slot, ms[k].id, &sv)) {
			o->state = sv.state;
			o->placement = sv.placement;
			o->backend = sv.backend;
		}
	}
}

const char *
ctl_chan_name(unsigned int chan)
{
	static const char *const names[] = {
		[DP_CHAN_MEMIF] = "memif", [DP_CHAN_VHOST] = "vhost",
		[DP_CHAN_ETHDEV] = "ethdev",
	};

	return chan < RTE_DIM(names) && names[chan] != NULL ? names[chan] : "?";
}

static void
fill_guest(struct ctl_snap *s, const struct dp_app *app, unsigned int slot,
	   const struct ctl_mgr *mgr)
{
	struct ctl_snap_guest *o = &s->guests[s->n_guests];

	if (dp_view_guest(app, slot, &o->v) < 0)
		return;
	snprintf(o->name, sizeof(o->name), "%s", o->v.conf->name);
	snprintf(o->handler, sizeof(o->handler), "%s", o->v.conf->handler);
	o->channel = ctl_chan_name(o->v.conf->channel);
	o->sessions = ctl_mgr_sessions(mgr, slot);
	dp_sock_guest_stats(app->sock, slot, &o->sock);
	fill_sessions(s, app, slot, mgr, (uint16_t)s->n_guests++);
}

static void
fill_port(struct ctl_snap_port *o, const struct dp_port *p)
{
	struct rte_eth_dev_info info;

	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", p->conf->name);
	o->port_id = p->port_id;
	if (rte_eth_dev_info_get(p->port_id, &info) == 0)
		snprintf(o->driver, sizeof(o->driver), "%s", info.driver_name);
	rte_eth_link_get_nowait(p->port_id, &o->link);
	o->stats_ok = rte_eth_stats_get(p->port_id, &o->st) == 0;
	o->polled = __atomic_load_n(&p->rx_frames, __ATOMIC_RELAXED);
}

void
ctl_snap_fill(struct ctl_snap *s, struct dp_app *app, const struct ctl_mgr *mgr)
{
	s->taken_ms = dp_now_ms();
	s->n_guests = 0;
	s->n_sessions = 0;
	for (unsigned int i = 0; i < dp_view_slots(app) && s->n_guests < s->cap_guests; i++)
		fill_guest(s, app, i, mgr);
	s->n_ports = app->n_ports;
	for (unsigned int i = 0; i < app->n_ports; i++)
		fill_port(&s->ports[i], &app->ports[i]);
	for (unsigned int fn = 0; fn <= FPGA_FN_COUNT; fn++)
		s->fn_sessions[fn] = ctl_mgr_fn_sessions(mgr, fn);
	s->fn_capacity = app->cfg->function_capacity;
	s->n_lcores = dp_view_lcores(app, s->taken_ms, s->lcores, CTL_SNAP_LCORES);
	s->n_sock_workers = app->sock != NULL ? app->sock->n_workers : 0;
	for (unsigned int i = 0; i < s->n_sock_workers; i++)
		dp_sock_worker_stats(app->sock, i, &s->sock_workers[i]);
}

const struct ctl_snap_guest *
ctl_snap_guest(const struct ctl_snap *s, const char *name)
{
	for (unsigned int i = 0; i < s->n_guests; i++)
		if (strcmp(s->guests[i].name, name) == 0)
			return &s->guests[i];
	return NULL;
}

int
ctl_snap_pub_init(const struct dp_config *cfg)
{
	struct ctl_snap *a = ctl_snap_alloc(cfg), *b = ctl_snap_alloc(cfg);

	if (a == NULL || b == NULL) {
		ctl_snap_free(a);
		ctl_snap_free(b);
		return -ENOMEM;
	}
	pthread_mutex_lock(&pub.lock);
	pub.back = a;
	pub.front = b;
	pub.last_ms = 0;
	pthread_mutex_unlock(&pub.lock);
	return 0;
}

void
ctl_snap_publish(struct dp_app *app, const struct ctl_mgr *mgr,
		 const struct ctl_vf *vf)
{
	struct ctl_snap *t;

	if (pub.back == NULL || dp_now_ms() - pub.last_ms < CTL_SNAP_MS)
		return;
	ctl_snap_fill(pub.back, app, mgr);
	ctl_vf_snap(vf, &pub.back->vf);
	/* Never wait for a reader: if one holds the lock, swap next tick. */
	if (pthread_mutex_trylock(&pub.lock) != 0)
		return;
	t = pub.front;
	pub.front = pub.back;
	pub.back = t;
	pthread_mutex_unlock(&pub.lock);
	pub.last_ms = pub.front->taken_ms;
}

void
ctl_snap_pub_fini(void)
{
	pthread_mutex_lock(&pub.lock);
	ctl_snap_free(pub.front);
	ctl_snap_free(pub.back);
	pub.front = NULL;
	pub.back = NULL;
	pthread_mutex_unlock(&pub.lock);
}

int
ctl_snap_read(int (*fn)(const struct ctl_snap *s, void *arg), void *arg)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&pub.lock);
	/* taken_ms == 0: nothing published yet. */
	if (pub.front != NULL && pub.front->taken_ms != 0)
		rc = fn(pub.front, arg);
	pthread_mutex_unlock(&pub.lock);
	return rc;
}
