/* SPDX-License-Identifier: BSD-3-Clause */
/* The guest table: guests opened at start-up, added and removed at run time. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "app.h"
#include "guest_numa.h"
#include "guests.h"
#include "log.h"
#include "memif_srv.h"
#include "move.h"
#include "paths.h"
#include "port.h"
#include "vfport.h"

static uint32_t epoch_counter;	/* main lcore only */

/*
 * Port channels. The main lcore looks at a port's link once a tick; a
 * front end that resets its device - a new connection - faster than that
 * would keep the last connection's sessions, and have its first requests
 * taken for the last connection's. So an LSC callback, in whatever thread
 * the PMD raises the event (net_vhost: its vhost-user thread, when the
 * front end's device goes), stops the I/O lcore at once (port_epoch 0) and
 * counts the link-down (conn.link_downs); the tick then ends the connection
 * it published (conn.link_epoch), and starts the next one.
 */
#define PORT_UNWATCH_SPINS 100000000u	/* a callback runs microseconds */

uint32_t
dp_guest_next_epoch(void)
{
	return ++epoch_counter;
}

/* The session table and, per session, its buffer for GET. */
static int
sessions_alloc(struct dp_guest *g, unsigned int n)
{
	int socket = (int)rte_lcore_to_socket_id(g->lcore);
	uint8_t *bufs;

	g->pl.sessions = rte_zmalloc_socket("hl_sessions", n * sizeof(*g->pl.sessions),
					 RTE_CACHE_LINE_SIZE, socket);
	bufs = rte_zmalloc_socket("hl_session_out", (size_t)n * HL_PAYLOAD_MAX,
				  RTE_CACHE_LINE_SIZE, socket);
	if (g->pl.sessions == NULL || bufs == NULL) {
		rte_free(g->pl.sessions);
		rte_free(bufs);
		g->pl.sessions = NULL;
		return -ENOMEM;
	}
	for (unsigned int k = 0; k < n; k++)
		g->pl.sessions[k].out = bufs + (size_t)k * HL_PAYLOAD_MAX;
	g->conn.capacity = (uint16_t)n;
	return 0;
}

static void
sessions_free(struct dp_guest *g)
{
	if (g->pl.sessions == NULL)
		return;
	rte_free(g->pl.sessions[0].out);
	rte_free(g->pl.sessions);
	g->pl.sessions = NULL;
	g->conn.capacity = 0;
}

int
dp_guest_sessions_ready(struct dp_guest *g)
{
	return g->pl.sessions != NULL ? 0 : sessions_alloc(g, g->conf->max_sessions);
}

/*
 * The I/O lcore the placement policy picks (move.h, balance.h) among those
 * whose pending pool still has room for the guest's whole budget, or
 * NULL: budgets are reservations, so one guest can never take another's
 * pending slots.
 */
static struct dp_io_lcore *
least_loaded(struct dp_app *app, const struct dp_guest_conf *conf)
{
	int i = dp_move_place(app, conf->max_inflight);

	return i < 0 ? NULL : &app->io[i];
}

/* Why no I/O lcore can take a guest's budget, in one line. */
static void
no_budget_msg(const struct dp_app *app, const struct dp_guest_conf *conf,
	      char *buf, size_t len)
{
	unsigned int most = 0;

	for (unsigned int i = 0; i < app->n_io; i++)
		most = RTE_MAX(most, app->io[i].pipe.n_pend - app->io[i].budget);
	snprintf(buf, len, "guest %s: max_inflight %u does not fit: the I/O "
		 "lcores have at most %u calls in flight left of "
		 "pending_per_lcore %u (raise it, or lower max_inflight)",
		 conf->name, conf->max_inflight, most, app->cfg->pending_per_lcore);
}

/* A guest connection ended: its sockets, then the control plane's hook. */
static void
connection_gone(void *arg, unsigned int guest, uint32_t epoch)
{
	struct dp_app *app = arg;

	dp_sock_guest_gone(app->sock, guest, epoch);
	if (app->hooks.guest_gone != NULL)
		app->hooks.guest_gone(app->hooks.arg, guest, epoch);
}

/* Set up slot i for its conf; the slot's old sessions are reused if big enough. */
static int
guest_init(struct dp_app *app, unsigned int i, struct dp_io_lcore *lc)
{
	struct dp_guest *g = &app->guests[i];
	struct dp_session *keep = g->pl.sessions;
	uint16_t cap = g->conn.capacity;

	memset(g, 0, sizeof(*g));
	g->pl.sessions = keep;
	g->conn.capacity = cap;
	dp_guest_numa_reset(g);
	g->conf = &app->cfg->guests[i];
	g->fast.handler = dp_handler_find(g->conf->handler);
	g->lcore = lc->lcore_id;
	g->io = lc;
	g->idx = (uint16_t)i;
	g->pl.pipe = &lc->pipe;
	/* A locally administered address per guest: 02:68:6c (hl) + slot. */
	memcpy(g->mac, (uint8_t[6]){ 0x02, 0x68, 0x6c, 0, (uint8_t)(i >> 8),
				     (uint8_t)i }, 6);
	g->fast.mp = dp_app_pool_for(app, lc->lcore_id);
	g->conn.srv.listen_fd = -1;
	g->conn.srv.conn_fd = -1;
	g->conn.srv.gone = connection_gone;
	g->conn.srv.gone_arg = app;
	if (dp_sock_guest_reset(app->sock, i, g->conf) < 0)
		DP_LOG(WARNING, "guest %s: no memory to list its sockets",
		       g->conf->name);
	dp_fair_publish(&g->fair_pub, &g->conf->fair, rte_get_tsc_hz());
	if (g->fast.mp == NULL)
		return -ENOMEM;
	if (g->conn.capacity < g->conf->max_sessions) {
		sessions_free(g);
		/* A memif guest's table is made when a client first connects
		 * (dp_guest_sessions_ready()): a guest nobody uses costs none. */
		return g->conf->channel == DP_CHAN_MEMIF ? 0 :
		       sessions_alloc(g, g->conf->max_sessions);
	}
	for (unsigned int k = 0; k < g->conn.capacity; k++) {
		uint8_t *out = g->pl.sessions[k].out;

		memset(&g->pl.sessions[k], 0, sizeof(g->pl.sessions[k]));
		g->pl.sessions[k].out = out;
	}
	return 0;
}

/*
 * A vhost-user server socket is created by DPDK's vhost library inside the
 * port's probe and configure: under an owner-only umask, so it is never
 * open to others, then given socket_mode. As client hostlane connects to
 * a socket QEMU serves: its file is QEMU's.
 */
static int
vhost_open(struct dp_guest *g, const char *who)
{
	const struct dp_guest_conf *c = g->conf;
	char devargs[sizeof(c->socket) + 96], err[DP_ERR_MAX];
	mode_t old;
	int rc;

	if (!c->vhost_client) {
		rc = dp_path_sock_claim(c->socket, SOCK_STREAM, err, sizeof(err));
		if (rc < 0) {
			DP_LOG(ERR, "guest %s: %s", c->name, err);
			return rc;
		}
	}
	snprintf(devargs, sizeof(devargs), "net_vhost_%s,iface=%s,queues=1,client=%d",
		 c->name, c->socket, c->vhost_client);
	old = umask(DP_PATH_PRIVATE_UMASK);
	rc = dp_ethdev_open(who, devargs, g->fast.mp, g->lcore, &g->fast.port_id);
	umask(old);
	if (rc < 0 || c->vhost_client)
		return rc;
	if (chmod(c->socket, c->socket_mode) < 0) {
		rc = -errno;
		DP_LOG(ERR, "guest %s: %s: cannot set its mode: %s", c->name, c->socket,
		       strerror(errno));
		dp_ethdev_close(g->fast.port_id);	/* DPDK unlinks its socket */
		return rc;
	}
	return 0;
}

/* A vhost-user or other ethdev channel: a DPDK port of the guest's own. */
static int
port_open(struct dp_guest *g)
{
	const struct dp_guest_conf *c = g->conf;
	char who[DP_NAME_MAX + 8];
	mode_t old;
	int rc;

	snprintf(who, sizeof(who), "guest %s", c->name);
	if (c->channel != DP_CHAN_ETHDEV)
		return vhost_open(g, who);
	/* Whatever files its devargs make the PMD create (a net_vhost iface)
	 * are owner-only. */
	old = umask(DP_PATH_PRIVATE_UMASK);
	rc = dp_ethdev_open(who, c->devargs, g->fast.mp, g->lcore, &g->fast.port_id);
	umask(old);
	return rc;
}

/* The PMD's thread: the link changed. If down, nothing more is polled
 * for this connection; the main lcore's tick does the rest. */
static int
port_lsc_event(uint16_t port, enum rte_eth_event_type type, void *guest,
	       void *ret_param)
{
	struct dp_guest *g = guest;
	struct rte_eth_link link;

	(void)type;
	(void)ret_param;
	if (rte_eth_link_get_nowait(port, &link) != 0)
		return 0;
	if (link.link_status) {
		/* Here, the vhost PMD's thread: the device's memory is stable. */
		if (g->fast.chan == DP_CHAN_VHOST)
			dp_guest_numa_vhost_up(g, port);
		return 0;
	}
	__atomic_store_n(&g->fast.port_epoch, 0, __ATOMIC_RELEASE);
	__atomic_fetch_add(&g->conn.link_downs, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Watch the port's link-down events (a PMD without them is polled only). */
static void
port_watch(struct dp_guest *g)
{
	g->conn.link_epoch = 0;
	g->conn.link_downs_seen = __atomic_load_n(&g->conn.link_downs,
						  __ATOMIC_ACQUIRE);
	if (rte_eth_dev_callback_register(g->fast.port_id, RTE_ETH_EVENT_INTR_LSC,
					  port_lsc_event, g) != 0)
		DP_LOG(WARNING, "guest %s: cannot watch its link; a connection "
		       "shorter than a tick may go unseen", g->conf->name);
}

/* Before the port goes: its callback may be running (-EAGAIN), briefly;
 * the main lcore still waits for it only so long. */
static void
port_unwatch(struct dp_guest *g)
{
	unsigned int spins = 0;

	while (rte_eth_dev_callback_unregister(g->fast.port_id,
			RTE_ETH_EVENT_INTR_LSC, port_lsc_event, g) == -EAGAIN) {
		if (++spins == PORT_UNWATCH_SPINS) {
			DP_LOG(ERR, "guest %s: its link callback does not end; "
			       "port closed with it registered", g->conf->name);
			return;
		}
		rte_pause();
	}
}

static int
channel_open(struct dp_app *app, struct dp_guest *g, unsigned int i)
{
	int rc;

	g->fast.chan = (uint8_t)g->conf->channel;
	if (g->fast.chan == DP_CHAN_MEMIF)
		return dp_memif_srv_open(g, i, app->epfd, app->cfg->handshake_timeout_ms);
	rc = port_open(g);
	if (rc == 0)
		port_watch(g);
	return rc;
}

/* End a port channel's connection: its reservations go with it. */
static void
port_down(struct dp_guest *g)
{
	uint32_t epoch = g->conn.link_epoch;

	if (epoch == 0)
		return;
	g->conn.link_epoch = 0;
	__atomic_store_n(&g->fast.port_epoch, 0, __ATOMIC_RELEASE);
	dp_lcore_guest_sync(g);
	if (g->fast.rx_intr) {
		dp_lcore_port_intr_del(g->io, g->fast.port_id);
		__atomic_store_n(&g->fast.rx_intr, 0, __ATOMIC_RELAXED);
	}
	g->conn.slow.disconnects++;
	if (g->conn.srv.gone != NULL)
		g->conn.srv.gone(g->conn.srv.gone_arg, g->idx, epoch);
	DP_LOG(INFO, "guest %s: link down", g->conf->name);
}

/* Close a port channel: only once no I/O lcore can be polling it. */
static void
port_close(struct dp_guest *g)
{
	port_unwatch(g);
	dp_ethdev_close(g->fast.port_id);
	if (g->fast.chan == DP_CHAN_VHOST && !g->conf->vhost_client)
		unlink(g->conf->socket);
}

/*
 * The end of a removed guest's slot, after a grace period: its port, and
 * its place in the I/O lcore's budget once its last call completed (calls
 * in flight point at the slot). Then the slot may be reused.
 */
static void
slot_release(struct dp_defer *d)
{
	struct dp_guest *g = container_of(d, struct dp_guest, conn.release);

	if (__atomic_load_n(&g->pl.inflight, __ATOMIC_RELAXED) != 0 &&
	    !dp_defer_flushing()) {
		g->conn.release.what = "a removed guest's calls in flight";
		dp_defer_again(&g->conn.release);
		return;
	}
	if (g->fast.chan != DP_CHAN_MEMIF)
		port_close(g);
	g->io->budget -= g->conf->max_inflight;
	g->conn.releasing = 0;
}

/* Stop serving a guest; what an I/O lcore may still use waits (defer.h). */
static void
channel_close(struct dp_guest *g, enum dp_memif_reason why)
{
	if (g->fast.chan == DP_CHAN_MEMIF)
		dp_memif_srv_close(g, why);
	else
		port_down(g);
}

void
dp_app_guests_tick(struct dp_app *app)
{
	for (unsigned int i = 0; i < app->cfg->n_guests; i++) {
		struct dp_guest *g = &app->guests[i];
		struct rte_eth_link link;
		uint32_t downs;

		if (!g->conn.active || g->fast.chan == DP_CHAN_MEMIF ||
		    rte_eth_link_get_nowait(g->fast.port_id, &link) != 0)
			continue;
		/* Down since the last tick, maybe up again: the connection
		 * ended all the same. */
		downs = __atomic_load_n(&g->conn.link_downs, __ATOMIC_ACQUIRE);
		if (downs != g->conn.link_downs_seen) {
			g->conn.link_downs_seen = downs;
			port_down(g);
		}
		if (link.link_status && g->conn.link_epoch == 0) {
			/* Release: the I/O lcore sees a new epoch only once the
			 * port is up. */
			g->conn.link_epoch = dp_guest_next_epoch();
			/* Its interrupt (vhost: the front end's new kickfd)
			 * before the lcore may look for it. */
			if (g->fast.chan == DP_CHAN_VHOST)
				__atomic_store_n(&g->fast.rx_intr,
					dp_lcore_port_intr_add(g->io, g->fast.port_id) == 0,
					__ATOMIC_RELAXED);
			__atomic_store_n(&g->fast.port_epoch, g->conn.link_epoch,
					 __ATOMIC_RELEASE);
			/* Polled from now on; its lcore may sleep longer
			 * while nothing polls a port. */
			dp_lcore_guest_sync(g);
			dp_lcore_wake(g->io);
			g->conn.slow.connects++;
			DP_LOG(INFO, "guest %s: link up", g->conf->name);
		} else if (!link.link_status) {
			port_down(g);
		}
		if (g->conn.link_epoch != 0 && g->fast.chan == DP_CHAN_VHOST)
			dp_guest_numa_port_tick(g);
	}
}

/*
 * A guest whose frames may be ordinary traffic (handler `switch`, or
 * `hostlane` for its frames of other EtherTypes) is a PV switch vport. The
 * switch serves only guests polled by its lcore: a `switch` guest elsewhere
 * is refused; a `hostlane` guest elsewhere keeps its requests and has its
 * other frames dropped, as it is told.
 */
static int
pvs_attach(struct dp_app *app, struct dp_guest *g)
{
	bool all = strcmp(g->fast.handler->name, "switch") == 0;
	int rc;

	if (!all && strcmp(g->fast.handler->name, "hostlane") != 0)
		return 0;
	rc = dp_pvs_attach_guest(app->pvs, g, g->conf->has_mac ? g->conf->mac : NULL);
	if (rc == -EXDEV)
		DP_LOG(WARNING, "guest %s: polled by lcore %u, but the PV switch "
		       "runs on lcore %u and cross-lcore switching is not "
		       "implemented: %s", g->conf->name, g->lcore,
		       dp_pvs_lcore(app->pvs), all ? "refused (run one I/O lcore)" :
		       "its frames that are not hostlane requests are dropped");
	else if (rc < 0)
		DP_LOG(ERR, "guest %s: cannot join the PV switch: %s", g->conf->name,
		       strerror(-rc));
	return rc == -EXDEV && !all ? 0 : rc;
}

static int
guest_open(struct dp_app *app, unsigned int i)
{
	struct dp_io_lcore *lc = least_loaded(app, &app->cfg->guests[i]);
	struct dp_guest *g = &app->guests[i];
	int rc;

	if (lc == NULL) {
		char msg[DP_ERR_MAX];

		no_budget_msg(app, &app->cfg->guests[i], msg, sizeof(msg));
		DP_LOG(ERR, "%s", msg);
		return -ENOSPC;
	}
	rc = guest_init(app, i, lc);

	if (rc == 0)
		rc = pvs_attach(app, g);
	if (rc == 0) {
		rc = channel_open(app, g, i);
		if (rc < 0)
			dp_pvs_detach(app->pvs, g->idx);
	}
	if (rc < 0) {
		DP_LOG(ERR, "guest %s: cannot open its channel (%s): %s",
		       g->conf->name, g->conf->channel == DP_CHAN_ETHDEV ?
		       g->conf->devargs : g->conf->socket, strerror(-rc));
		return rc;
	}
	if (app->hooks.guest_added != NULL)
		app->hooks.guest_added(app->hooks.arg, i);
	lc->budget += g->conf->max_inflight;
	g->conn.active = 1;
	app->n_guests++;
	dp_lcore_guest_add(lc, g);
	DP_LOG(INFO, "guest %s: %s on %s, handler %s, lcore %u", g->conf->name,
	       g->fast.chan == DP_CHAN_MEMIF ? "memif server" :
	       g->fast.chan == DP_CHAN_VHOST ? "vhost-user port" : "ethdev",
	       g->fast.chan == DP_CHAN_ETHDEV ? g->conf->devargs : g->conf->socket,
	       g->fast.handler->name, g->lcore);
	return 0;
}

/*
 * One slot per max_guests, on the first I/O lcore's socket: the slots hold
 * fast-path state (`fast`, `pl`) and are one array so that a slot index is
 * all a reference needs. Untouched slots cost their hugepage memory only.
 */
static struct dp_guest *
guests_alloc(const struct dp_app *app)
{
	int socket = app->n_io > 0 ? (int)rte_lcore_to_socket_id(app->io[0].lcore_id) :
		     SOCKET_ID_ANY;

	return rte_zmalloc_socket("hl_guests", sizeof(*app->guests) *
				  app->cfg->max_guests, RTE_CACHE_LINE_SIZE, socket);
}

int
dp_app_guests_open(struct dp_app *app)
{
	/* The runtime directory was created and checked at start-up (main.c,
	 * dp_path_runtime_dir()). */
	app->guests = guests_alloc(app);
	if (app->guests == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < app->cfg->n_guests; i++) {
		int rc = guest_open(app, i);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A slot for a new guest: never used, or retired with enough sessions or
 * none yet (made at the first connection). */
static int
free_slot(const struct dp_app *app, const struct dp_guest_conf *conf)
{
	for (unsigned int i = 0; i < app->cfg->n_guests; i++) {
		const struct dp_guest *g = &app->guests[i];

		if (!g->conn.active && !g->conn.releasing && g->conn.srv.n_draining == 0 &&
		    (g->conn.capacity == 0 || g->conn.capacity >= conf->max_sessions))
			return (int)i;
	}
	return app->cfg->n_guests < app->cfg->max_guests ? (int)app->cfg->n_guests : -1;
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
	if (least_loaded(app, conf) == NULL) {
		no_budget_msg(app, conf, err, errlen);
		return -ENOSPC;
	}
	slot = free_slot(app, conf);
	if (slot < 0) {
		snprintf(err, errlen, "no free guest slot: %u slots in use or still "
			 "being released, max_guests %u", app->cfg->n_guests,
			 app->cfg->max_guests);
		return -ENOSPC;
	}
	bool fresh = (unsigned int)slot == app->cfg->n_guests;

	app->cfg->guests[slot] = *conf;
	if (fresh)
		app->cfg->n_guests++;
	rc = guest_open(app, (unsigned int)slot);
	if (rc < 0) {
		snprintf(err, errlen, "guest %s: cannot open its channel (%s): %s",
			 conf->name, conf->channel == DP_CHAN_ETHDEV ? conf->devargs :
			 conf->socket, strerror(-rc));
		app->cfg->guests[slot].name[0] = '\0';
		/* A slot never used before goes back, not left as a hole. */
		if (fresh && app->guests[slot].conn.capacity == 0)
			app->cfg->n_guests--;
		return rc;
	}
	return slot;
}

int
dp_app_guest_remove(struct dp_app *app, const char *name)
{
	struct dp_guest *g = dp_app_guest_find(app, name);

	if (g == NULL)
		return -ENOENT;
	dp_move_guest_gone(g);
	dp_cap_stop(&g->fast.cap, "guest removed");
	channel_close(g, DP_MEMIF_R_REMOVED);
	dp_vf_guest_gone(app, g);
	dp_pvs_detach(app->pvs, g->idx);
	dp_lcore_guest_remove(g->io, g);
	/* The lcore and the switch may hold the slot until a grace period. */
	g->conn.active = 0;
	g->conn.releasing = 1;
	dp_defer(&g->conn.release, slot_release, "a removed guest's slot");
	app->n_guests--;
	DP_LOG(INFO, "guest %s: removed", name);
	app->cfg->guests[g->idx].name[0] = '\0';
	return 0;
}

struct dp_guest *
dp_app_guest_find(struct dp_app *app, const char *name)
{
	for (unsigned int i = 0; app->guests != NULL && i < app->cfg->n_guests; i++)
		if (app->guests[i].conn.active &&
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
		struct dp_guest *g = &app->guests[i];

		if (!g->conn.active)
			continue;
		channel_close(g, DP_MEMIF_R_SHUTDOWN);
		g->conn.active = 0;
		g->conn.releasing = 1;
		dp_defer(&g->conn.release, slot_release, "a guest's port and slot");
	}
}

void
dp_app_guests_free(struct dp_app *app)
{
	if (app->guests == NULL)
		return;
	for (unsigned int i = 0; i < app->cfg->n_guests; i++)
		sessions_free(&app->guests[i]);
	rte_free(app->guests);
	app->guests = NULL;
}

int
dp_app_guest_fair_set(struct dp_app *app, const char *name,
		      const struct dp_fair_conf *fair)
{
	struct dp_guest *g = dp_app_guest_find(app, name);

	if (g == NULL)
		return -ENOENT;
	app->cfg->guests[g->idx].fair = *fair;
	/* Its I/O lcore copies them at its next pass (fair.h). */
	dp_fair_publish(&g->fair_pub, &g->conf->fair, rte_get_tsc_hz());
	return 0;
}
