/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk:EAL-ARGS — the DPDK ethdev transport, built as the plugin
 * libhostlane-dpdk.so (see hl_transport.h) so libhostlane stays DPDK-free.
 *
 * Design note. EAL is initialised once per process, by the first "dpdk:"
 * connect, with the arguments that follow "dpdk:" (split at blanks, no
 * quoting); later connects must pass the same arguments or none. If the
 * application initialised EAL itself, its ports are used as they are. The
 * calling thread's CPU affinity is restored after rte_eal_init(), which
 * would otherwise pin it to the main lcore's core.
 *
 * A connection takes the first DPDK port no other connection holds, gives
 * it one RX and one TX queue, starts it and waits (within the connection
 * timeout) for its link. Closing stops the port: for a virtio_user port the
 * vhost-user backend (hostlane) sees the device go, and releases the
 * guest's sessions. The port can be taken again by a later connect.
 *
 * Waiting is a busy poll of the RX queue in every wait mode; HYBRID and
 * INTR yield the CPU between polls once spin_polls polls found nothing. A
 * link that goes down (virtio_user notices its vhost-user socket closing)
 * ends waits with HL_E_DISCONNECTED, and makes the transport revivable:
 * the host went away and may come back. A reconnect (hl_conn.h) opens the
 * transport again - the same port, started again - and waits for its link.
 * It comes back where the front end reconnects by itself: a virtio NIC in
 * a VM (QEMU restores the link when its vhost-user backend is back) and a
 * virtio_user port in server mode (server=1, hostlane's vhost_client =
 * yes). A client-mode virtio_user never connects its socket again: its
 * reconnects fail until reconnect_limit_ms.
 *
 * A connection that makes no call while its host restarts would see the
 * link up again and send to the new host, which never heard its HELLO
 * (HL_E_NOT_HELLO on every call, for ever). So every port's link-down
 * events (RTE_ETH_EVENT_INTR_LSC, raised by DPDK's interrupt thread, e.g.
 * by virtio_user when its vhost-user socket closes) are counted, and a
 * transport whose port went down since it opened is dead too. PMDs that
 * raise no LSC event are only polled.
 *
 * Threads: open and close hold a process-wide lock (EAL, the port table);
 * the fast path is the owning thread's alone; the link-down counters are
 * written by DPDK's interrupt thread.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "hl_clock.h"
#include "hl_wait.h"
#include "hl_transport.h"

#define DK_BURST 32
#define DK_DESC 512
#define DK_MBUFS 4095u
#define DK_MAX_ARGS 64
#define DK_CHECK_EVERY 1024u	/* polls between link and clock checks */
#define DK_LINK_POLL_MS 10

struct hl_dpdk {
	uint16_t port;
	uint16_t rx_n;		/* mbufs in rx[] */
	uint16_t rx_i;		/* next one to hand out */
	enum hl_wait_mode wait_mode;
	unsigned int spin_polls;
	int dead;		/* 0, or the status every call fails with */
	uint32_t downs;		/* dk_port_downs[port] when the link was up */
	struct rte_mbuf *rx[DK_BURST];
	uint64_t rx_dropped;
	uint64_t sleeps;
	char reason[HL_TP_REASON_LEN];
};

enum dk_eal { DK_EAL_NONE, DK_EAL_OURS, DK_EAL_APP, DK_EAL_FAILED };

static pthread_mutex_t dk_lock = PTHREAD_MUTEX_INITIALIZER;
static enum dk_eal dk_eal_state;
static char dk_eal_args[1024];
static char dk_eal_error[HL_TP_REASON_LEN];
static struct rte_mempool *dk_pool;
static uint8_t dk_port_busy[RTE_MAX_ETHPORTS];
static uint8_t dk_port_watched[RTE_MAX_ETHPORTS];
static uint32_t dk_port_downs[RTE_MAX_ETHPORTS];	/* link-down events */

static void __attribute__((format(printf, 3, 4)))
dk_set_dead(struct hl_dpdk *d, int status, const char *fmt, ...)
{
	va_list ap;

	if (d->dead)
		return;
	d->dead = status;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
}

/* Split args at blanks into argv (argv[0] is the program name). */
static int
dk_split(char *args, char **argv, int max)
{
	int argc = 0;

	argv[argc++] = (char *)"libhostlane";
	for (char *tok = strtok(args, " \t"); tok != NULL; tok = strtok(NULL, " \t")) {
		if (argc == max - 1)
			return -1;
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	return argc;
}

static int
dk_eal_run(const char *args)
{
	/* EAL keeps pointers into argv: both stay allocated for good. */
	static char buf[sizeof(dk_eal_args)];
	static char *argv[DK_MAX_ARGS];
	cpu_set_t cpus;
	int argc, rc, have_cpus;

	snprintf(buf, sizeof(buf), "%s", args);
	argc = dk_split(buf, argv, DK_MAX_ARGS);
	if (argc < 0) {
		snprintf(dk_eal_error, sizeof(dk_eal_error), "more than %d EAL "
			 "arguments", DK_MAX_ARGS - 2);
		return DK_EAL_FAILED;
	}
	have_cpus = pthread_getaffinity_np(pthread_self(), sizeof(cpus), &cpus) == 0;
	rc = rte_eal_init(argc, argv);
	if (have_cpus)
		(void)pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	if (rc >= 0)
		return DK_EAL_OURS;
	if (rte_errno == EALREADY)
		return DK_EAL_APP;
	snprintf(dk_eal_error, sizeof(dk_eal_error), "rte_eal_init: %s",
		 rte_strerror(rte_errno));
	return DK_EAL_FAILED;
}

/* EAL up, once per process; the caller holds dk_lock. */
static int
dk_eal(const char *args, char *reason, size_t reason_len)
{
	if (strlen(args) >= sizeof(dk_eal_args)) {
		snprintf(reason, reason_len, "dpdk: EAL arguments longer than %zu "
			 "bytes", sizeof(dk_eal_args) - 1);
		return HL_E_INVAL;
	}
	if (dk_eal_state == DK_EAL_NONE) {
		snprintf(dk_eal_args, sizeof(dk_eal_args), "%s", args);
		dk_eal_state = dk_eal_run(args);
	}
	if (dk_eal_state == DK_EAL_FAILED) {
		snprintf(reason, reason_len, "dpdk: %s", dk_eal_error);
		return HL_E_IO;
	}
	if (dk_eal_state == DK_EAL_OURS && *args != '\0' &&
	    strcmp(args, dk_eal_args) != 0) {
		snprintf(reason, reason_len, "dpdk: EAL already initialised with "
			 "other arguments ('%.80s')", dk_eal_args);
		return HL_E_INVAL;
	}
	if (dk_pool == NULL)
		dk_pool = rte_pktmbuf_pool_create("hl_dpdk_pool", DK_MBUFS, 0, 0,
						  RTE_MBUF_DEFAULT_BUF_SIZE,
						  SOCKET_ID_ANY);
	if (dk_pool == NULL) {
		snprintf(reason, reason_len, "dpdk: mbuf pool: %s",
			 rte_strerror(rte_errno));
		return HL_E_NOMEM;
	}
	return HL_OK;
}

static int
dk_port_start(uint16_t pid)
{
	struct rte_eth_conf conf;
	int socket = rte_eth_dev_socket_id(pid);
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(pid, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(pid, 0, DK_DESC, socket, NULL, dk_pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(pid, 0, DK_DESC, socket, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(pid);
	return rc;
}

/* DPDK's interrupt thread: the port's link changed. Count it if down. */
static int
dk_lsc_event(uint16_t port, enum rte_eth_event_type type, void *arg,
	     void *ret_param)
{
	struct rte_eth_link link;

	(void)type;
	(void)arg;
	(void)ret_param;
	if (rte_eth_link_get_nowait(port, &link) == 0 && !link.link_status)
		__atomic_fetch_add(&dk_port_downs[port], 1, __ATOMIC_RELEASE);
	return 0;
}

/* Count the port's link-down events from now on (for good: DPDK ports
 * stay in the process); the caller holds dk_lock. */
static void
dk_port_watch(uint16_t pid)
{
	if (dk_port_watched[pid])
		return;
	dk_port_watched[pid] = rte_eth_dev_callback_register(pid,
		RTE_ETH_EVENT_INTR_LSC, dk_lsc_event, NULL) == 0;
}

/* Take the first free port and start it; the caller holds dk_lock. */
static int
dk_port_take(uint16_t *port, char *reason, size_t reason_len)
{
	uint16_t pid, n = 0;
	int rc;

	RTE_ETH_FOREACH_DEV(pid) {
		n++;
		if (dk_port_busy[pid])
			continue;
		dk_port_watch(pid);
		rc = dk_port_start(pid);
		if (rc < 0) {
			snprintf(reason, reason_len, "dpdk: cannot start port %u: "
				 "%s", pid, strerror(-rc));
			return HL_E_IO;
		}
		dk_port_busy[pid] = 1;
		*port = pid;
		return HL_OK;
	}
	snprintf(reason, reason_len, n == 0 ? "dpdk: no DPDK port (check the "
		 "--vdev or -a arguments)" : "dpdk: all %u DPDK ports are in use",
		 n);
	return HL_E_INVAL;
}

static void
dk_port_give_back(uint16_t port)
{
	pthread_mutex_lock(&dk_lock);
	(void)rte_eth_dev_stop(port);
	dk_port_busy[port] = 0;
	pthread_mutex_unlock(&dk_lock);
}

static int
dk_link_up(uint16_t port)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status;
}

/* A link-down event since the transport opened, though the link may be
 * back (a new host). One atomic load: fine on the fast path. */
static int
dk_link_went_down(const struct hl_dpdk *d)
{
	return __atomic_load_n(&dk_port_downs[d->port], __ATOMIC_ACQUIRE) !=
	       d->downs;
}

static void
dk_link_lost(struct hl_dpdk *d)
{
	dk_set_dead(d, HL_E_DISCONNECTED, "link of DPDK port %u went down",
		    d->port);
}

/* Dead already, or the link went down since the transport opened: then
 * nothing more may go to what may be a new host. */
static int
dk_gone(struct hl_dpdk *d)
{
	if (!d->dead && dk_link_went_down(d))
		dk_link_lost(d);
	return d->dead;
}

static int
dk_link_check(struct hl_dpdk *d)
{
	if (!dk_gone(d) && !dk_link_up(d->port))
		dk_link_lost(d);
	return d->dead;
}

static int
dk_send(void *tp, const void *frame, uint32_t len, int timeout_ms)
{
	struct hl_dpdk *d = tp;
	int64_t deadline = hl_deadline(timeout_ms);
	struct rte_mbuf *m;
	char *dst;

	if (dk_gone(d))
		return d->dead;
	if (len > HL_FRAME_MAX)
		return HL_E_TOO_LARGE;
	m = rte_pktmbuf_alloc(dk_pool);
	if (m == NULL)
		return HL_E_NOMEM;
	dst = rte_pktmbuf_append(m, (uint16_t)len);
	if (dst == NULL) {
		rte_pktmbuf_free(m);
		return HL_E_TOO_LARGE;
	}
	memcpy(dst, frame, len);
	for (unsigned int i = 1; rte_eth_tx_burst(d->port, 0, &m, 1) == 0; i++) {
		if (i % DK_CHECK_EVERY == 0 &&
		    (dk_link_check(d) || hl_deadline_passed(deadline))) {
			rte_pktmbuf_free(m);
			return d->dead ? d->dead : HL_E_TIMEOUT;
		}
	}
	return HL_OK;
}

static int
dk_recv(void *tp, void *buf, uint32_t cap, uint32_t *len)
{
	struct hl_dpdk *d = tp;

	for (;;) {
		if (d->dead)
			return d->dead;
		if (d->rx_i == d->rx_n) {
			d->rx_i = 0;
			d->rx_n = rte_eth_rx_burst(d->port, 0, d->rx, DK_BURST);
			if (d->rx_n == 0)
				return HL_E_AGAIN;
		}
		struct rte_mbuf *m = d->rx[d->rx_i++];
		uint32_t n = m->pkt_len;
		const void *p = n <= cap ? rte_pktmbuf_read(m, 0, n, buf) : NULL;

		if (p != NULL && p != buf)
			memcpy(buf, p, n);
		rte_pktmbuf_free(m);
		if (p != NULL && n > 0) {
			*len = n;
			return HL_OK;
		}
		d->rx_dropped++;
	}
}

/* A burst is waiting in rx[], or the queue gave one now. */
static int
dk_ready(struct hl_dpdk *d)
{
	if (d->rx_i < d->rx_n)
		return 1;
	d->rx_i = 0;
	d->rx_n = rte_eth_rx_burst(d->port, 0, d->rx, DK_BURST);
	return d->rx_n > 0;
}

/* hl_waiter ops (hl_wait.h): the RX queue is polled in every mode; a
 * "sleep" yields the CPU. */
static int
dk_w_ready(void *tp)
{
	struct hl_dpdk *d = tp;

	return dk_gone(d) ? d->dead : dk_ready(d) ? HL_OK : HL_E_AGAIN;
}

static int
dk_w_check(void *tp)
{
	return dk_link_check(tp);
}

static int
dk_w_sleep(void *tp, int ms)
{
	struct hl_dpdk *d = tp;

	(void)ms;
	d->sleeps++;
	sched_yield();
	return dk_w_ready(d);
}

static int
dk_wait(void *tp, int timeout_ms)
{
	struct hl_dpdk *d = tp;
	const struct hl_waiter w = {
		.tp = d, .mode = d->wait_mode, .spin_polls = d->spin_polls,
		.check_every = DK_CHECK_EVERY, .ready = dk_w_ready,
		.check = dk_w_check, .sleep = dk_w_sleep,
	};

	return hl_wait(&w, timeout_ms);
}

static const char *
dk_reason(const void *tp)
{
	const struct hl_dpdk *d = tp;

	return d->dead ? d->reason : "";
}

static void
dk_stats(const void *tp, struct hl_stats *st)
{
	const struct hl_dpdk *d = tp;

	st->rx_dropped += d->rx_dropped;
	st->sleeps += d->sleeps;
}

static void
dk_close(void *tp)
{
	struct hl_dpdk *d = tp;

	if (d == NULL)
		return;
	if (d->rx_i < d->rx_n)
		rte_pktmbuf_free_bulk(d->rx + d->rx_i, d->rx_n - d->rx_i);
	dk_port_give_back(d->port);
	free(d);
}

/* The link went down: the backend went, and may come back. */
static int
dk_revivable(const void *tp)
{
	const struct hl_dpdk *d = tp;

	return d->dead == HL_E_DISCONNECTED;
}

static const struct hl_transport_ops dk_ops = {
	.send = dk_send,
	.recv = dk_recv,
	.wait = dk_wait,
	.reason = dk_reason,
	.stats = dk_stats,
	.close = dk_close,
	.revivable = dk_revivable,
};

/* The backend may take a moment to finish vhost-user negotiation. */
static int
dk_link_wait(uint16_t port, int timeout_ms)
{
	int64_t deadline = hl_deadline(timeout_ms);

	while (!dk_link_up(port)) {
		if (hl_deadline_passed(deadline))
			return HL_E_TIMEOUT;
		rte_delay_us_sleep(DK_LINK_POLL_MS * 1000);
	}
	return HL_OK;
}

static int
dk_open_locked(const char *args, struct hl_dpdk *d, char *reason,
	       size_t reason_len)
{
	int rc = dk_eal(args, reason, reason_len);

	return rc != HL_OK ? rc : dk_port_take(&d->port, reason, reason_len);
}

static int
dk_open(const char *args, const struct hl_opts *o, struct hl_tp *out,
	char *reason, size_t reason_len)
{
	struct hl_dpdk *d = calloc(1, sizeof(*d));
	struct rte_ether_addr mac;
	int rc;

	if (d == NULL)
		return HL_E_NOMEM;
	d->wait_mode = o->wait_mode;
	d->spin_polls = o->spin_polls;
	pthread_mutex_lock(&dk_lock);
	rc = dk_open_locked(args, d, reason, reason_len);
	pthread_mutex_unlock(&dk_lock);
	if (rc != HL_OK) {
		free(d);
		return rc;
	}
	if (dk_link_wait(d->port, o->timeout_ms) != HL_OK) {
		snprintf(reason, reason_len, "dpdk: link of port %u did not come "
			 "up", d->port);
		dk_close(d);
		return HL_E_TIMEOUT;
	}
	d->downs = __atomic_load_n(&dk_port_downs[d->port], __ATOMIC_ACQUIRE);
	if (rte_eth_macaddr_get(d->port, &mac) == 0) {
		memcpy(out->mac, mac.addr_bytes, 6);
		out->has_mac = 1;
	}
	out->ops = &dk_ops;
	out->tp = d;
	return HL_OK;
}

/* The one symbol the plugin exports (libhostlane-dpdk.map). */
extern const struct hl_plugin hl_dpdk_plugin;
const struct hl_plugin hl_dpdk_plugin = {
	.abi = HL_PLUGIN_ABI,
	.tp_size = sizeof(struct hl_tp),
	.open = dk_open,
};
