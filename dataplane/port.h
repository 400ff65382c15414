/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK ports named in the config (PCI devices or vdevs by devargs).
 *
 * Set-up and teardown on the main lcore; dp_port_poll() on the port's I/O
 * lcore, which hands what it receives to the PV switch (pvswitch.h) when
 * the port is attached to it, and otherwise counts and frees it.
 */
#ifndef DP_PORT_H
#define DP_PORT_H

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "capture.h"
#include "config.h"
#include "pvswitch.h"

struct dp_port {
	const struct dp_port_conf *conf;
	uint16_t port_id;
	unsigned int lcore;
	uint64_t rx_frames;		/**< I/O lcore only */
	struct dp_pvs *pvs;		/**< the PV switch, or NULL */
	uint16_t vport;			/**< its vport in the switch */
	struct dp_cap *cap;		/**< its capture, or NULL (capture.h) */
};

/**
 * Probe a device by devargs (unless it exists), configure one RX and one
 * TX queue on the lcore's socket, start it. Main lcore.
 * @return 0 with *port_id set, or -errno (logged, naming `who`).
 */
int dp_ethdev_open(const char *who, const char *devargs, struct rte_mempool *mp,
		   unsigned int lcore, uint16_t *port_id);

/**
 * Configure one RX and one TX queue on socket with mbufs from mp, start
 * the port, make it promiscuous. Main lcore. @return 0 or -errno.
 */
int dp_ethdev_setup(uint16_t port_id, struct rte_mempool *mp, unsigned int socket);

/** The ethdev name a devargs string probes: up to its first comma. */
void dp_ethdev_name(const char *devargs, char *name, size_t cap);

/** Stop, close and remove a port opened by dp_ethdev_open(). */
void dp_ethdev_close(uint16_t port_id);

/**
 * Probe the device (rte_dev_probe), configure one RX and one TX queue,
 * start it. @return 0 or -errno, with a log line naming the port.
 */
int dp_port_open(struct dp_port *p, const struct dp_port_conf *conf,
		 struct rte_mempool *mp, unsigned int lcore);

/** Stop, close and remove the device. */
void dp_port_close(struct dp_port *p);

static inline void
dp_port_poll(struct dp_port *p)
{
	struct rte_mbuf *pkts[32];
	uint16_t n = rte_eth_rx_burst(p->port_id, 0, pkts, 32);
	struct dp_cap *cap;

	if (n == 0)
		return;
	p->rx_frames += n;
	cap = dp_cap_load(&p->cap);
	if (unlikely(cap != NULL))
		dp_cap_rx(cap, pkts, n);
	if (p->pvs != NULL)
		dp_pvs_input(p->pvs, p->vport, pkts, n);
	else
		rte_pktmbuf_free_bulk(pkts, n);
}

/** Send frames on the port's queue 0; free those it refused. I/O lcore.
 * @return frames sent: the first ones. */
static inline uint16_t
dp_port_tx_raw(struct dp_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k = rte_eth_tx_burst(p->port_id, 0, pkts, n);

	rte_pktmbuf_free_bulk(pkts + k, n - k);
	return k;
}

/** Send frames on the port, copying them for its capture when one runs.
 * Consumes every mbuf. @return frames sent. */
static inline uint16_t
dp_port_tx(struct dp_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_cap *cap = dp_cap_load(&p->cap);

	if (unlikely(cap != NULL))
		return dp_cap_port_tx(cap, p, pkts, n);
	return dp_port_tx_raw(p, pkts, n);
}

#endif /* DP_PORT_H */
