/* SPDX-License-Identifier: BSD-3-Clause */
/* Dedicated VFs: probe at run time, cross-connect, make-before-break revoke. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "app.h"
#include "clock.h"
#include "defer.h"
#include "log.h"
#include "port.h"
#include "vfport.h"

#define UNWATCH_SPINS 100000000u	/* a callback runs microseconds */
#define QUIET_POLLS 2			/* empty RX polls in a row, at least */

enum vf_op { OP_NONE, OP_ASSIGN, OP_REVOKE };

/* The main lcore's part of a guest's VF. */
struct dp_vf_main {
	struct dp_guest *g;
	enum dp_vf_state state;
	enum vf_op op;			/* what dp_vf_poll() reports on */
	int op_rc;			/* its outcome once not 1 */
	uint8_t watched;		/* LSC/RMV callbacks registered */
	uint8_t gone;			/* the guest was removed */
	uint32_t events;		/* LSC down / RMV seen by the callback (atomic) */
	uint64_t t0_ns;			/* the operation's start */
	uint64_t deadline_ms;		/* link wait */
	uint64_t drain_tsc;		/* when the drain started */
	uint64_t rx_at_switch;		/* io.rx_frames when the guest switched */
	struct dp_defer defer;
	struct dp_vf_info info;
};

/* Main lcore only: the I/O lcores reach a VF through g->fast.vf. */
static struct {
	struct dp_app *app;
	unsigned int n;			/* slots: max_guests */
	struct dp_vf **vf;		/* by guest slot, made on first use */
} mod;

static const char *const state_names[] = {
#define DP_VF_NAME(name, str) str,
	DP_VF_STATES(DP_VF_NAME)
#undef DP_VF_NAME
};

const char *
dp_vf_state_name(enum dp_vf_state s)
{
	return (unsigned int)s < RTE_DIM(state_names) ? state_names[s] : "?";
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
since_us(uint64_t t0_ns)
{
	return (now_ns() - t0_ns) / 1000;
}

int
dp_vf_init(struct dp_app *app)
{
	memset(&mod, 0, sizeof(mod));
	mod.app = app;
	/* Tests run the module without an app: a few slots do. */
	mod.n = app != NULL ? app->cfg->max_guests : 64;
	mod.vf = calloc(mod.n, sizeof(*mod.vf));
	if (mod.vf == NULL) {
		mod.n = 0;
		return -ENOMEM;
	}
	return 0;
}

/* The slot's VF, or NULL (also before dp_vf_init()). */
static struct dp_vf *
slot_vf(unsigned int idx)
{
	return idx < mod.n ? mod.vf[idx] : NULL;
}

/* The slot's VF, made on the guest's socket the first time. */
static struct dp_vf *
vf_get(struct dp_guest *g)
{
	int socket = (int)rte_lcore_to_socket_id(g->lcore);
	struct dp_vf *vf = slot_vf(g->idx);

	if (vf != NULL || g->idx >= mod.n)
		return vf;
	vf = rte_zmalloc_socket("hl_vf", sizeof(*vf), RTE_CACHE_LINE_SIZE, socket);
	if (vf == NULL)
		return NULL;
	vf->m = rte_zmalloc_socket("hl_vf_main", sizeof(*vf->m), RTE_CACHE_LINE_SIZE,
				   socket);
	if (vf->m == NULL) {
		rte_free(vf);
		return NULL;
	}
	mod.vf[g->idx] = vf;
	return vf;
}

static const char *
gname(const struct dp_vf *vf)
{
	return vf->m->g->conf->name;
}

/* ---- the PMD's events (its interrupt thread) ------------------------------ */

/* Link down or device removed: the guest leaves the VF at once; the tick
 * does the rest. */
static int
vf_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret_param)
{
	struct dp_vf *vf = arg;
	struct rte_eth_link link;

	(void)ret_param;
	if (type == RTE_ETH_EVENT_INTR_LSC &&
	    (rte_eth_link_get_nowait(port, &link) != 0 || link.link_status))
		return 0;
	__atomic_store_n(&vf->xconn, 0, __ATOMIC_RELEASE);
	__atomic_fetch_add(&vf->m->events, 1, __ATOMIC_RELEASE);
	return 0;
}

static void
watch(struct dp_vf *vf)
{
	int a = rte_eth_dev_callback_register(vf->port_id, RTE_ETH_EVENT_INTR_LSC,
					      vf_event, vf);
	int b = rte_eth_dev_callback_register(vf->port_id, RTE_ETH_EVENT_INTR_RMV,
					      vf_event, vf);

	vf->m->watched = a == 0 || b == 0;
}

/* A callback may be running (-EAGAIN), briefly. */
static void
unwatch_one(struct dp_vf *vf, enum rte_eth_event_type type)
{
	unsigned int spins = 0;

	while (rte_eth_dev_callback_unregister(vf->port_id, type, vf_event, vf) ==
	       -EAGAIN) {
		if (++spins == UNWATCH_SPINS) {
			DP_LOG(ERR, "guest %s: its VF's event callback does not "
			       "end; port closed with it registered", gname(vf));
			return;
		}
		rte_pause();
	}
}

static void
unwatch(struct dp_vf *vf)
{
	if (!vf->m->watched)
		return;
	unwatch_one(vf, RTE_ETH_EVENT_INTR_LSC);
	unwatch_one(vf, RTE_ETH_EVENT_INTR_RMV);
	vf->m->watched = 0;
}

/* ---- the port -------------------------------------------------------------- */

/* Probe a device nobody uses yet and start it. @return 0 or -errno, err filled. */
static int
port_open(struct dp_vf *vf, const char *devargs, char *err, size_t errlen)
{
	struct dp_guest *g = vf->m->g;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t pid;
	int rc;

	dp_ethdev_name(devargs, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &pid) == 0) {
		snprintf(err, errlen, "VF %s: the device exists (port %u): in use",
			 name, pid);
		return -EBUSY;
	}
	rc = rte_dev_probe(devargs);
	if (rc == 0 && rte_eth_dev_get_port_by_name(name, &pid) != 0)
		rc = -ENODEV;
	if (rc < 0) {
		snprintf(err, errlen, "VF %s: cannot probe '%s': %s", name, devargs,
			 strerror(-rc));
		return rc;
	}
	rc = dp_ethdev_setup(pid, g->fast.mp, rte_lcore_to_socket_id(g->lcore));
	if (rc < 0) {
		snprintf(err, errlen, "VF %s: cannot start it: %s", name, strerror(-rc));
		dp_ethdev_close(pid);
		return rc;
	}
	vf->port_id = pid;
	watch(vf);
	return 0;
}

/* Stop, close, remove: only once no I/O lcore can touch the port. */
static void
port_close(struct dp_vf *vf)
{
	unwatch(vf);
	dp_ethdev_close(vf->port_id);
	vf->m->info.devargs[0] = '\0';
	vf->m->state = DP_VF_ST_NONE;
}

static bool
link_up(const struct dp_vf *vf)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(vf->port_id, &link) == 0 && link.link_status;
}

/* ---- assign -------------------------------------------------------------- */

static void
publish(struct dp_vf *vf)
{
	struct dp_vf_main *m = vf->m;

	vf->xconn = 1;
	m->state = DP_VF_ST_ACTIVE;
	/* Release: port_id, xconn and the started port are seen with it. */
	__atomic_store_n(&m->g->fast.vf, vf, __ATOMIC_RELEASE);
	dp_lcore_guest_sync(m->g);	/* its VF is polled even while unconnected */
	m->info.assign_us = since_us(m->t0_ns);
	m->info.assigns++;
	m->op_rc = 0;
	DP_LOG(INFO, "guest %s: on VF %s (port %u) after %lu us", gname(vf),
	       m->info.devargs, vf->port_id, (unsigned long)m->info.assign_us);
}

int
dp_vf_assign(struct dp_app *app, struct dp_guest *g, const char *devargs,
	     char *err, size_t errlen)
{
	struct dp_vf *vf;
	struct dp_vf_main *m;
	int rc;

	(void)app;
	if (strlen(devargs) >= sizeof(m->info.devargs) || devargs[0] == '\0') {
		snprintf(err, errlen, "VF devargs empty or too long");
		return -EINVAL;
	}
	vf = vf_get(g);
	if (vf == NULL) {
		snprintf(err, errlen, "guest %s: no memory for a VF", g->conf->name);
		return -ENOMEM;
	}
	m = vf->m;
	if (m->state != DP_VF_ST_NONE) {
		snprintf(err, errlen, "guest %s: has a VF (%s, %s)", g->conf->name,
			 m->info.devargs, dp_vf_state_name(m->state));
		return -EBUSY;
	}
	m->g = g;
	m->info.lost = 0;
	m->gone = 0;
	m->t0_ns = now_ns();
	m->events = 0;
	vf->only_src = g->conf->has_mac ? g->conf->mac : NULL;
	vf->xconn = 0;
	memset(&vf->io, 0, sizeof(vf->io));
	rc = port_open(vf, devargs, err, errlen);
	if (rc < 0) {
		m->info.failures++;
		snprintf(m->info.last_error, sizeof(m->info.last_error), "%s", err);
		DP_LOG(WARNING, "guest %s: %s; it stays on the PV path", g->conf->name, err);
		return rc;
	}
	snprintf(m->info.devargs, sizeof(m->info.devargs), "%s", devargs);
	m->op = OP_ASSIGN;
	m->op_rc = 1;
	m->state = DP_VF_ST_LINKWAIT;
	m->deadline_ms = dp_now_ms() + DP_VF_LINK_MS;
	if (!link_up(vf))
		return 1;
	publish(vf);
	return 0;
}

/* ---- revoke -------------------------------------------------------------- */

static void after_switch(struct dp_defer *d);
static void unpublish(struct dp_vf *vf);
static void after_unpublish(struct dp_defer *d);

/* The guest's frames go to the PV switch from its lcore's next poll on. */
static void
switch_back(struct dp_vf *vf)
{
	struct dp_vf_main *m = vf->m;

	__atomic_store_n(&vf->xconn, 0, __ATOMIC_RELEASE);
	m->info.revoke_switch_us = since_us(m->t0_ns);
	m->rx_at_switch = __atomic_load_n(&vf->io.rx_frames, __ATOMIC_RELAXED);
	m->state = DP_VF_ST_SWITCHING;
	dp_defer(&m->defer, after_switch, "a revoked VF (switching back)");
}

int
dp_vf_revoke(struct dp_app *app, struct dp_guest *g, char *err, size_t errlen)
{
	struct dp_vf *vf = slot_vf(g->idx);
	struct dp_vf_main *m;

	(void)app;
	if (vf == NULL)
		return 0;
	m = vf->m;
	if (m->state == DP_VF_ST_NONE) {
		m->op = OP_NONE;	/* nothing held: an old failure is told */
		return 0;
	}
	if (m->op == OP_REVOKE && m->op_rc == 1) {
		snprintf(err, errlen, "guest %s: its VF is already being revoked",
			 g->conf->name);
		return -EBUSY;
	}
	m->op = OP_REVOKE;
	m->op_rc = 1;
	m->info.lost = 0;
	m->t0_ns = now_ns();
	if (m->state == DP_VF_ST_LINKWAIT) {	/* never published */
		port_close(vf);
		m->info.revoke_switch_us = m->info.revoke_done_us = since_us(m->t0_ns);
		m->info.revokes++;
		m->op_rc = 0;
		return 0;
	}
	if (m->state == DP_VF_ST_ACTIVE)
		switch_back(vf);
	/* A failover already under way: this revoke waits for its end. */
	return 1;
}

/* A grace period after the switch: nothing enters the VF's TX queue any
 * more. Now its RX drains until quiet. */
static void
after_switch(struct dp_defer *d)
{
	struct dp_vf_main *m = container_of(d, struct dp_vf_main, defer);
	struct dp_vf *vf = slot_vf(m->g->idx);

	m->state = DP_VF_ST_DRAINING;
	m->drain_tsc = rte_rdtsc();
	if (dp_defer_flushing()) {		/* shutdown: no lcore runs */
		__atomic_store_n(&m->g->fast.vf, NULL, __ATOMIC_RELAXED);
		port_close(vf);
	} else if (m->gone) {			/* removed: no one to deliver to */
		unpublish(vf);
	}
}

static void
unpublish(struct dp_vf *vf)
{
	struct dp_vf_main *m = vf->m;

	__atomic_store_n(&m->g->fast.vf, NULL, __ATOMIC_RELEASE);
	dp_lcore_guest_sync(m->g);
	m->info.drained = __atomic_load_n(&vf->io.rx_frames, __ATOMIC_RELAXED) -
			  m->rx_at_switch;
	m->state = DP_VF_ST_RELEASING;
	dp_defer(&m->defer, after_unpublish, "a revoked VF's port");
}

static void
after_unpublish(struct dp_defer *d)
{
	struct dp_vf_main *m = container_of(d, struct dp_vf_main, defer);
	struct dp_vf *vf = slot_vf(m->g->idx);

	port_close(vf);
	m->info.revoke_done_us = since_us(m->t0_ns);
	if (m->op == OP_REVOKE) {
		m->info.revokes++;
		m->op_rc = 0;
	}
	DP_LOG(INFO, "guest %s: VF released: back on the PV path after %lu us, "
	       "removed after %lu us, %lu frames drained", m->g->conf->name,
	       (unsigned long)m->info.revoke_switch_us,
	       (unsigned long)m->info.revoke_done_us, (unsigned long)m->info.drained);
}

/* Drained: quiet for quiet_ms since the switch, after polls that found
 * nothing; or it never quiets down. */
static bool
drained(const struct dp_vf *vf, uint64_t tsc)
{
	uint64_t hz_ms = rte_get_tsc_hz() / 1000;
	uint64_t last = RTE_MAX(__atomic_load_n(&vf->io.rx_tsc, __ATOMIC_RELAXED),
				vf->m->drain_tsc);

	if (tsc - vf->m->drain_tsc >= DP_VF_DRAIN_MAX_MS * hz_ms) {
		DP_LOG(WARNING, "guest %s: its VF still receives after %u ms; "
		       "released anyway", gname(vf), (unsigned int)DP_VF_DRAIN_MAX_MS);
		return true;
	}
	return __atomic_load_n(&vf->io.empty_polls, __ATOMIC_RELAXED) >= QUIET_POLLS &&
	       tsc - last >= DP_VF_QUIET_MS * hz_ms;
}

/* ---- failures and the tick ----------------------------------------------- */

static void
fail(struct dp_vf *vf, const char *why)
{
	struct dp_vf_main *m = vf->m;

	m->info.failures++;
	snprintf(m->info.last_error, sizeof(m->info.last_error), "VF %.200s: %.100s",
		 m->info.devargs, why);
	DP_LOG(WARNING, "guest %s: %s; back on the PV path", gname(vf),
	       m->info.last_error);
	if (m->op == OP_ASSIGN && m->op_rc == 1)
		m->op_rc = -EIO;
	m->t0_ns = now_ns();
	if (m->state == DP_VF_ST_LINKWAIT) {
		port_close(vf);
		return;
	}
	m->info.lost = 1;
	switch_back(vf);
}

static void
tick_one(struct dp_vf *vf, uint64_t now_ms, uint64_t tsc)
{
	struct dp_vf_main *m = vf->m;

	switch (m->state) {
	case DP_VF_ST_LINKWAIT:
		if (link_up(vf))
			publish(vf);
		else if (now_ms >= m->deadline_ms)
			fail(vf, "link not up in time");
		break;
	case DP_VF_ST_ACTIVE:
		if (__atomic_load_n(&m->events, __ATOMIC_ACQUIRE) != 0)
			fail(vf, "link down or device removed (event)");
		else if (!link_up(vf))
			fail(vf, "link down");
		break;
	case DP_VF_ST_DRAINING:
		if (drained(vf, tsc))
			unpublish(vf);
		break;
	default:
		break;		/* waiting for a grace period */
	}
}

void
dp_vf_tick(struct dp_app *app)
{
	uint64_t now = dp_now_ms(), tsc = rte_rdtsc();

	(void)app;
	for (unsigned int i = 0; i < mod.n; i++)
		if (mod.vf[i] != NULL && mod.vf[i]->m->state != DP_VF_ST_NONE)
			tick_one(mod.vf[i], now, tsc);
}

unsigned int
dp_vf_tick_ms(void)
{
	unsigned int ms = UINT32_MAX;

	for (unsigned int i = 0; i < mod.n; i++) {
		if (mod.vf[i] == NULL)
			continue;
		switch (mod.vf[i]->m->state) {
		case DP_VF_ST_NONE:
			break;
		case DP_VF_ST_ACTIVE:
			ms = RTE_MIN(ms, (unsigned int)DP_VF_WATCH_MS);
			break;
		default:
			return 1;
		}
	}
	return ms;
}

int
dp_vf_poll(struct dp_app *app, struct dp_guest *g, char *err, size_t errlen)
{
	struct dp_vf *vf = slot_vf(g->idx);

	dp_vf_tick(app);
	if (vf == NULL || vf->m->op == OP_NONE)
		return 0;
	if (vf->m->op_rc < 0)
		snprintf(err, errlen, "%s", vf->m->info.last_error);
	return vf->m->op_rc;
}

int
dp_vf_info(const struct dp_guest *g, struct dp_vf_info *out)
{
	const struct dp_vf *vf = slot_vf(g->idx);

	if (vf == NULL || vf->m->g != g)
		return -ENOENT;
	*out = vf->m->info;
	out->state = vf->m->state;
	out->port_id = vf->port_id;
	return 0;
}

int
dp_vf_port_stats(const struct dp_guest *g, struct rte_eth_stats *out)
{
	const struct dp_vf *vf = slot_vf(g->idx);

	if (vf == NULL || vf->m->g != g || vf->m->state != DP_VF_ST_ACTIVE)
		return -ENOENT;
	return rte_eth_stats_get(vf->port_id, out);
}

void
dp_vf_guest_gone(struct dp_app *app, struct dp_guest *g)
{
	struct dp_vf *vf = slot_vf(g->idx);

	(void)app;
	if (vf == NULL || vf->m->g != g)
		return;
	vf->m->gone = 1;
	vf->m->op = OP_NONE;
	switch (vf->m->state) {
	case DP_VF_ST_LINKWAIT:
		port_close(vf);
		break;
	case DP_VF_ST_ACTIVE:
	case DP_VF_ST_DRAINING:
		__atomic_store_n(&vf->xconn, 0, __ATOMIC_RELEASE);
		unpublish(vf);
		break;
	default:
		break;		/* its grace period's callback closes it */
	}
}

void
dp_vf_shutdown(struct dp_app *app)
{
	(void)app;
	for (unsigned int i = 0; i < mod.n; i++) {
		struct dp_vf *vf = mod.vf[i];

		if (vf == NULL)
			continue;
		vf->m->gone = 1;
		switch (vf->m->state) {
		case DP_VF_ST_LINKWAIT:
		case DP_VF_ST_ACTIVE:
		case DP_VF_ST_DRAINING:
			__atomic_store_n(&vf->m->g->fast.vf, NULL, __ATOMIC_RELAXED);
			port_close(vf);
			break;
		default:
			break;		/* dp_defer_flush() closes it */
		}
	}
}

void
dp_vf_fini(void)
{
	for (unsigned int i = 0; i < mod.n; i++) {
		if (mod.vf[i] == NULL)
			continue;
		rte_free(mod.vf[i]->m);
		rte_free(mod.vf[i]);
		mod.vf[i] = NULL;
	}
	free(mod.vf);
	mod.vf = NULL;
	mod.n = 0;
}
