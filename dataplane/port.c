/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK ports from the config: probe by devargs, one queue pair, start. */
#include <errno.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "log.h"
#include "port.h"

#define PORT_DESC 1024

void
dp_ethdev_name(const char *devargs, char *name, size_t cap)
{
	size_t n = strcspn(devargs, ",");

	if (n >= cap)
		n = cap - 1;
	memcpy(name, devargs, n);
	name[n] = '\0';
}

int
dp_ethdev_setup(uint16_t pid, struct rte_mempool *mp, unsigned int socket)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(pid, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(pid, 0, PORT_DESC, socket, NULL, mp);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(pid, 0, PORT_DESC, socket, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(pid);
	/* hostlane answers guests from its own addresses and switches for
	 * many stations: a port must take every frame, not only its MAC's.
	 * PMDs without a filter (vhost, memif) say ENOTSUP: fine. */
	if (rc == 0)
		rte_eth_promiscuous_enable(pid);
	return rc;
}

int
dp_ethdev_open(const char *who, const char *devargs, struct rte_mempool *mp,
	       unsigned int lcore, uint16_t *port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t pid;
	int rc;

	dp_ethdev_name(devargs, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
		rc = rte_dev_probe(devargs);
		if (rc < 0 || rte_eth_dev_get_port_by_name(name, &pid) != 0) {
			DP_LOG(ERR, "%s: cannot probe '%s': %s", who, devargs,
			       rc < 0 ? strerror(-rc) : "no such ethdev");
			return rc < 0 ? rc : -ENODEV;
		}
	}
	rc = dp_ethdev_setup(pid, mp, rte_lcore_to_socket_id(lcore));
	if (rc < 0) {
		DP_LOG(ERR, "%s: cannot start %s: %s", who, name, strerror(-rc));
		return rc;
	}
	*port_id = pid;
	return 0;
}

void
dp_ethdev_close(uint16_t port_id)
{
	struct rte_eth_dev_info info;

	rte_eth_dev_stop(port_id);
	if (rte_eth_dev_info_get(port_id, &info) == 0 && info.device != NULL) {
		rte_eth_dev_close(port_id);
		rte_dev_remove(info.device);
	}
}

int
dp_port_open(struct dp_port *p, const struct dp_port_conf *conf,
	     struct rte_mempool *mp, unsigned int lcore)
{
	char who[DP_NAME_MAX + 8];
	int rc;

	memset(p, 0, sizeof(*p));
	p->lcore = lcore;
	snprintf(who, sizeof(who), "port %s", conf->name);
	rc = dp_ethdev_open(who, conf->devargs, mp, lcore, &p->port_id);
	if (rc < 0)
		return rc;
	p->conf = conf;
	DP_LOG(INFO, "port %s: %s is port %u", conf->name, conf->devargs, p->port_id);
	return 0;
}

void
dp_port_close(struct dp_port *p)
{
	if (p->conf == NULL)
		return;
	dp_ethdev_close(p->port_id);
	p->conf = NULL;
}
