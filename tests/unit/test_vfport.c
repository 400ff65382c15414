/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dedicated VFs (dataplane/vfport.c) driven directly, this thread playing
 * the main lcore and the guest's I/O lcore in turn: the VF path's frame
 * checks; assign refused for a device in use or one that cannot be probed;
 * assign, the guest's frames to the VF and the VF's to the guest; revoke
 * make-before-break (the guest on the PV path at once, a frame the wire
 * had sent the VF delivered during the drain, then the port removed after
 * the grace periods); a VF whose link goes down under its guest; shutdown
 * with a VF held. The guest
 * and the VFs are net_ring loopback ports: what is sent on one comes back
 * on its own RX queue, so the test reads what the VF path sent.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "defer.h"
#include "guest.h"
#include "handler.h"
#include "lcore.h"
#include "machine.h"
#include "port.h"
#include "unit_check.h"
#include "vfport.h"

static struct rte_mempool *mp;
static struct dp_guest g;
static struct dp_guest_conf conf;

static const uint8_t MAC_G[6] = { 0x52, 0x54, 0x00, 0, 0, 0x0a };  /* the guest's */
static const uint8_t MAC_W[6] = { 0x02, 0xaa, 0x00, 0, 0, 0x01 };  /* the wire's */
static const uint8_t MAC_X[6] = { 0x52, 0x54, 0x00, 0, 0, 0x58 };  /* not the guest's */
static const uint8_t HL_0[6] = { 0x02, 0x68, 0x6c, 0, 0, 0 };	   /* hostlane's */

static int
eal_start(void)
{
	char *argv[] = {
		"test_vfport", "--no-huge", "-m", "128", "--no-pci",
		"--no-shconf", "--file-prefix=hostlane_unit_vf", "--no-telemetry",
		"--log-level=*:error", "-l", "0", NULL,
	};

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

static struct rte_mbuf *
frame(const uint8_t *dst, const uint8_t *src, uint16_t tpid, uint16_t type)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p;
	unsigned int off = 12;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, 64);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, 64);
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	if (tpid != 0) {
		*(rte_be16_t *)(p + off) = rte_cpu_to_be_16(tpid);
		off += 4;
	}
	*(rte_be16_t *)(p + off) = rte_cpu_to_be_16(type);
	return m;
}

/* Put a frame on a loopback port: it is then in that port's RX queue. */
static void
inject(uint16_t port, struct rte_mbuf *m)
{
	if (m != NULL && rte_eth_tx_burst(port, 0, &m, 1) != 1)
		rte_pktmbuf_free(m);
}

static unsigned int
drain_port(uint16_t port)
{
	struct rte_mbuf *pkts[32];
	unsigned int total = 0;
	uint16_t n;

	while ((n = rte_eth_rx_burst(port, 0, pkts, 32)) > 0) {
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	return total;
}

static void
test_frame_checks(void)
{
	struct { const char *what; struct rte_mbuf *m; const uint8_t *only; bool ok; } c[] = {
		{ "plain", frame(MAC_W, MAC_G, 0, 0x0800), MAC_G, true },
		{ "no mac set", frame(MAC_W, MAC_X, 0, 0x0800), NULL, true },
		{ "spoofed source", frame(MAC_W, MAC_X, 0, 0x0800), MAC_G, false },
		{ "hostlane source", frame(MAC_W, HL_0, 0, 0x0800), NULL, false },
		{ "hostlane frame", frame(MAC_W, MAC_G, 0, HL_ETHERTYPE), MAC_G, false },
		{ "tagged hostlane frame", frame(MAC_W, MAC_G, 0x8100, HL_ETHERTYPE), MAC_G, false },
		{ "tagged ip", frame(MAC_W, MAC_G, 0x8100, 0x0800), MAC_G, true },
	};

	for (size_t i = 0; i < RTE_DIM(c); i++) {
		CHECK(c[i].what, c[i].m != NULL && dp_vf_frame_ok(c[i].m, c[i].only) == c[i].ok,
		      "dp_vf_frame_ok() is %d, want %d", !c[i].ok, c[i].ok);
		rte_pktmbuf_free(c[i].m);
	}
}

static int
guest_setup(void)
{
	strcpy(conf.name, "g0");
	strcpy(conf.handler, "switch");
	memcpy(conf.mac, MAC_G, 6);
	conf.has_mac = 1;
	conf.channel = DP_CHAN_ETHDEV;
	g.conf = &conf;
	g.idx = 3;
	g.lcore = rte_lcore_id();
	g.fast.mp = mp;
	g.fast.handler = dp_handler_find("switch");
	g.fast.chan = DP_CHAN_ETHDEV;
	g.fast.port_epoch = 1;
	g.pl.epoch = 1;
	return dp_ethdev_open("guest g0", "net_ring_g0", mp, rte_lcore_id(),
			      &g.fast.port_id);
}

/* The I/O lcore's pass, then the main lcore's slow-path work. */
static void
pass(void)
{
	dp_vf_guest_poll(&g, DP_BURST);
	dp_defer_run();
	dp_vf_tick(NULL);
}

/* Run passes until the VF is in state want; false after 5 s. */
static bool
run_until(enum dp_vf_state want)
{
	const struct timespec ms = { .tv_nsec = 1000000 };
	struct dp_vf_info in;

	for (unsigned int i = 0; i < 5000; i++) {
		pass();
		if (dp_vf_info(&g, &in) == 0 && in.state == want)
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

static void
test_refused(void)
{
	char err[256];
	int rc;

	rc = dp_vf_assign(NULL, &g, "net_ring_g0", err, sizeof(err));
	CHECK("device in use", rc == -EBUSY, "assign of the guest's own port: %d", rc);
	rc = dp_vf_assign(NULL, &g, "net_nosuchdriver0", err, sizeof(err));
	CHECK("probe fails", rc < 0 && g.fast.vf == NULL, "assign of no driver: %d", rc);
	CHECK("probe fails", strstr(err, "cannot probe") != NULL, "err '%s'", err);
}

/* Assign, both directions on the VF, revoke with a frame to drain. */
static void
test_cycle(void)
{
	struct dp_vf_info in;
	char err[256];
	uint16_t vport;
	int rc;

	rc = dp_vf_assign(NULL, &g, "net_ring_vf0", err, sizeof(err));
	if (rc == 1)
		rc = run_until(DP_VF_ST_ACTIVE) ? 0 : -ETIMEDOUT;
	CHECK("assign", rc == 0 && g.fast.vf != NULL, "assign: %d (%s)", rc, err);
	if (rc != 0)
		return;
	CHECK("assign again", dp_vf_assign(NULL, &g, "net_ring_vf9", err, sizeof(err)) == -EBUSY,
	      "a second VF was not refused");
	vport = g.fast.vf->port_id;
	/* The guest sends: a good frame, a spoofed one, a hostlane one. */
	inject(g.fast.port_id, frame(MAC_W, MAC_G, 0, 0x0800));
	inject(g.fast.port_id, frame(MAC_W, MAC_X, 0, 0x0800));
	inject(g.fast.port_id, frame(MAC_W, MAC_G, 0x8100, HL_ETHERTYPE));
	pass();
	CHECK("guest → VF", g.fast.st.vf_tx_frames == 1 && g.fast.st.vf_tx_drops == 2 &&
	      g.fast.st.handler_drops == 0, "vf_tx_frames %" PRIu64 " vf_tx_drops %" PRIu64
	      " handler_drops %" PRIu64, g.fast.st.vf_tx_frames, g.fast.st.vf_tx_drops,
	      g.fast.st.handler_drops);
	CHECK("guest → VF", drain_port(vport) == 1, "the VF did not get the frame");
	/* The wire sends: the VF's frame reaches the guest's channel. */
	inject(vport, frame(MAC_G, MAC_W, 0, 0x0800));
	inject(vport, frame(MAC_G, HL_0, 0, 0x0800));
	dp_vf_guest_poll(&g, DP_BURST);
	CHECK("VF → guest", g.fast.st.vf_rx_frames == 1 && g.fast.st.vf_rx_drops == 1,
	      "vf_rx_frames %" PRIu64 " vf_rx_drops %" PRIu64, g.fast.st.vf_rx_frames,
	      g.fast.st.vf_rx_drops);

	/* Revoke: the guest is on the PV path (here: no switch, handler_drops)
	 * at once, before the VF stops. */
	rc = dp_vf_revoke(NULL, &g, err, sizeof(err));
	CHECK("revoke", rc == 1 && g.fast.vf != NULL, "revoke: %d, VF published: %d", rc,
	      g.fast.vf != NULL);
	CHECK("revoke twice", dp_vf_revoke(NULL, &g, err, sizeof(err)) == -EBUSY,
	      "a second revoke was not refused");
	drain_port(g.fast.port_id);
	inject(g.fast.port_id, frame(MAC_W, MAC_G, 0, 0x0800));
	dp_vf_guest_poll(&g, DP_BURST);
	CHECK("make before break", g.fast.st.handler_drops == 1 && g.fast.st.vf_tx_frames == 1,
	      "after revoke the guest's frame went to the VF (vf_tx_frames %" PRIu64 ")",
	      g.fast.st.vf_tx_frames);
	/* A frame the wire had sent the VF: delivered during the drain. */
	inject(vport, frame(MAC_G, MAC_W, 0, 0x0800));
	pass();
	CHECK("drain", g.fast.st.vf_rx_frames == 2,
	      "the wire's frame in the VF queue was not delivered (vf_rx_frames %" PRIu64 ")",
	      g.fast.st.vf_rx_frames);
	CHECK("release", run_until(DP_VF_ST_NONE), "the VF was not released");
	CHECK("release", g.fast.vf == NULL && !rte_eth_dev_is_valid_port(vport),
	      "published %d, port valid %d", g.fast.vf != NULL, rte_eth_dev_is_valid_port(vport));
	CHECK("poll", dp_vf_poll(NULL, &g, err, sizeof(err)) == 0, "revoke not done");
	CHECK("info", dp_vf_info(&g, &in) == 0 && in.assigns == 1 && in.revokes == 1 &&
	      in.drained >= 1 && !in.lost, "assigns %" PRIu64 " revokes %" PRIu64 " drained %"
	      PRIu64, in.assigns, in.revokes, in.drained);
}

/* The VF's link goes down under the guest: back on the PV path, reported. */
static void
test_failure(void)
{
	struct dp_vf_info in;
	char err[256];
	int rc = dp_vf_assign(NULL, &g, "net_ring_vf1", err, sizeof(err));

	if (rc == 1)
		rc = run_until(DP_VF_ST_ACTIVE) ? 0 : -ETIMEDOUT;
	CHECK("failure: assign", rc == 0, "assign: %d (%s)", rc, err);
	if (rc != 0)
		return;
	rte_eth_dev_set_link_down(g.fast.vf->port_id);
	CHECK("failure", run_until(DP_VF_ST_NONE), "the failed VF was not released");
	CHECK("failure", dp_vf_info(&g, &in) == 0 && in.lost && in.failures >= 1 &&
	      strstr(in.last_error, "link down") != NULL && g.fast.vf == NULL,
	      "lost %d failures %" PRIu64 " error '%s'", in.lost, in.failures, in.last_error);
	drain_port(g.fast.port_id);
	inject(g.fast.port_id, frame(MAC_W, MAC_G, 0, 0x0800));
	uint64_t before = g.fast.st.handler_drops;
	pass();
	CHECK("failure: PV path", g.fast.st.handler_drops == before + 1,
	      "the guest's frame did not go to the PV path");
}

/* Shutdown with a VF held and another being revoked: both ports go. */
static void
test_shutdown(void)
{
	struct dp_vf_info in;
	char err[256];
	uint16_t port;
	int rc = dp_vf_assign(NULL, &g, "net_ring_vf2", err, sizeof(err));

	if (rc == 1)
		rc = run_until(DP_VF_ST_ACTIVE) ? 0 : -ETIMEDOUT;
	CHECK("shutdown: assign", rc == 0, "assign: %d (%s)", rc, err);
	if (rc != 0)
		return;
	port = g.fast.vf->port_id;
	dp_vf_shutdown(NULL);
	dp_defer_flush();
	CHECK("shutdown", g.fast.vf == NULL && !rte_eth_dev_is_valid_port(port) &&
	      dp_vf_info(&g, &in) == 0 && in.state == DP_VF_ST_NONE,
	      "published %d, port valid %d", g.fast.vf != NULL,
	      rte_eth_dev_is_valid_port(port));
}

int
main(void)
{
	unsigned int base;

	if (!tm_pmd_installed("net_ring"))
		return tm_skip_no_pmd("net_ring");
	if (eal_start() < 0) {
		printf("FAIL: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	mp = rte_pktmbuf_pool_create("unit_vf", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL || dp_lcore_init(1) < 0 || guest_setup() < 0 || dp_vf_init(NULL) < 0) {
		printf("FAIL: set-up: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	base = rte_mempool_in_use_count(mp);
	test_frame_checks();
	test_refused();
	test_cycle();
	test_failure();
	drain_port(g.fast.port_id);
	test_shutdown();
	CHECK("mbufs", rte_mempool_in_use_count(mp) == base, "%u mbufs leaked",
	      rte_mempool_in_use_count(mp) - base);
	dp_vf_shutdown(NULL);
	dp_defer_flush();
	dp_vf_fini();
	dp_ethdev_close(g.fast.port_id);
	dp_lcore_fini();
	printf("vfport: checks, refusals, assign/revoke with drain, failure: %d failure(s)\n",
	       failures);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
