/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PV switch driven directly: learning, unicast, flooding (never back to
 * the ingress), source-MAC enforcement, aging with a test clock, MAC moves,
 * detach/re-attach, flood copies, a full table, the VLAN tag parser,
 * hostlane frames and sources never switched, the per-vport learning
 * limit, and no leaked mbufs. Every vport's output is a net_ring loopback
 * port, so what the switch sends comes back on that port's RX queue.
 */
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "guest.h"
#include "machine.h"
#include "port.h"
#include "pvswitch.h"
#include "unit_check.h"

#define N_GUESTS 3
#define N_PORTS 2

static struct rte_mempool *mp;
static struct dp_guest guests[N_GUESTS];
static struct dp_port ports[N_PORTS];
static uint64_t hz, now;

static const uint8_t MAC_A[6] = { 0x52, 0x54, 0x00, 0, 0, 0x0a };   /* g0's own */
static const uint8_t MAC_B[6] = { 0x52, 0x54, 0x00, 0, 0, 0x0b };   /* g1's own */
static const uint8_t MAC_X[6] = { 0x02, 0x00, 0x00, 0, 0, 0x58 };   /* g2, free */
static const uint8_t MAC_U[6] = { 0x02, 0xaa, 0x00, 0, 0, 0x01 };   /* uplink side */
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MCAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t HL_0[6] = { 0x02, 0x68, 0x6c, 0, 0, 0 };	    /* hostlane's */
static const uint8_t HL_X[6] = { 0x02, 0x68, 0x6c, 0x12, 0x34, 0x56 };
static const uint8_t ZERO[6] = { 0 };

#define FRAME_LEN 64
#define TAG_AT (FRAME_LEN - 1)	/* the byte drain() checks: past any header */

static int
eal_start(void)
{
	char *argv[] = {
		"test_pvswitch", "--no-huge", "-m", "128", "--no-pci",
		"--no-shconf", "--file-prefix=hostlane_unit_pvs", "--no-telemetry",
		"--log-level=*:error", "-l", "0", NULL,
	};

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

/* A net_ring port loops TX back to RX: what the switch sent is readable. */
static int
loop_port(const char *name, uint16_t *pid)
{
	return dp_ethdev_open(name, name, mp, rte_lcore_id(), pid);
}

static int
setup_vports(void)
{
	char name[32];

	for (unsigned int i = 0; i < N_GUESTS; i++) {
		struct dp_guest *g = &guests[i];

		memset(g, 0, sizeof(*g));
		snprintf(name, sizeof(name), "net_ring%u", i);
		if (loop_port(name, &g->fast.port_id) < 0)
			return -1;
		g->fast.chan = DP_CHAN_ETHDEV;
		g->fast.port_epoch = 1;
		g->idx = (uint16_t)(i * 7);	/* any slot */
		g->lcore = rte_lcore_id();
		g->fast.mp = mp;
	}
	for (unsigned int i = 0; i < N_PORTS; i++) {
		memset(&ports[i], 0, sizeof(ports[i]));
		snprintf(name, sizeof(name), "net_ring%u", N_GUESTS + i);
		if (loop_port(name, &ports[i].port_id) < 0)
			return -1;
		ports[i].lcore = rte_lcore_id();
	}
	return 0;
}

/* A frame of FRAME_LEN bytes filled with tag: Ethernet header, the VLAN
 * tags tpid[0..ntags), then EtherType type. */
static struct rte_mbuf *
frame_t(const uint8_t *dst, const uint8_t *src, const uint16_t *tpid,
	unsigned int ntags, uint16_t type, uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p;
	unsigned int off = 12;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, FRAME_LEN);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, tag, FRAME_LEN);
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	for (unsigned int i = 0; i < ntags; i++, off += 4) {
		*(rte_be16_t *)(p + off) = rte_cpu_to_be_16(tpid[i]);
		*(rte_be16_t *)(p + off + 2) = rte_cpu_to_be_16((uint16_t)(i + 1));
	}
	*(rte_be16_t *)(p + off) = rte_cpu_to_be_16(type);
	return m;
}

static struct rte_mbuf *
frame(const uint8_t *dst, const uint8_t *src, uint8_t tag)
{
	return frame_t(dst, src, NULL, 0, 0x0800, tag);
}

/* Send one frame from vport v. */
static void
send_t(struct dp_pvs *sw, uint16_t v, const uint8_t *dst, const uint8_t *src,
       const uint16_t *tpid, unsigned int ntags, uint16_t type, uint8_t tag)
{
	struct rte_mbuf *m = frame_t(dst, src, tpid, ntags, type, tag);

	if (m != NULL)
		dp_pvs_input_at(sw, v, &m, 1, now);
}

static void
send1(struct dp_pvs *sw, uint16_t v, const uint8_t *dst, const uint8_t *src,
      uint8_t tag)
{
	struct rte_mbuf *m = frame(dst, src, tag);

	if (m != NULL)
		dp_pvs_input_at(sw, v, &m, 1, now);
}

/* Frames that came out of a port since the last call; checks their tag. */
static unsigned int
drain(uint16_t pid, int tag)
{
	struct rte_mbuf *pkts[64];
	unsigned int total = 0;
	uint16_t n;

	while ((n = rte_eth_rx_burst(pid, 0, pkts, RTE_DIM(pkts))) > 0) {
		for (uint16_t i = 0; i < n; i++) {
			if (tag >= 0 && rte_pktmbuf_mtod(pkts[i], uint8_t *)[TAG_AT] != tag)
				fail("drain", "port %u: frame tag %u, want %d", pid,
				     rte_pktmbuf_mtod(pkts[i], uint8_t *)[TAG_AT], tag);
			rte_pktmbuf_free(pkts[i]);
		}
		total += n;
	}
	return total;
}

/* What each vport received: guests 0..2, then ports 0..1. */
static void
got(unsigned int out[N_GUESTS + N_PORTS], int tag)
{
	for (unsigned int i = 0; i < N_GUESTS; i++)
		out[i] = drain(guests[i].fast.port_id, tag);
	for (unsigned int i = 0; i < N_PORTS; i++)
		out[N_GUESTS + i] = drain(ports[i].port_id, tag);
}

static void
expect(const char *what, int tag, unsigned int g0, unsigned int g1, unsigned int g2,
       unsigned int p0, unsigned int p1)
{
	unsigned int o[N_GUESTS + N_PORTS], w[] = { g0, g1, g2, p0, p1 };

	got(o, tag);
	for (unsigned int i = 0; i < RTE_DIM(w); i++)
		CHECK(what, o[i] == w[i], "vport #%u received %u, want %u "
		      "(g0 g1 g2 p0 p1 = %u %u %u %u %u)", i, o[i], w[i],
		      o[0], o[1], o[2], o[3], o[4]);
}

static struct dp_pvs_vport_stats
vst(struct dp_pvs *sw, uint16_t v)
{
	struct dp_pvs_vport_stats s;

	memset(&s, 0, sizeof(s));
	if (dp_pvs_vport_stats(sw, v, &s) < 0)
		fail("vst", "vport %u has no counters", v);
	return s;
}

static struct dp_pvs *
make_switch_lim(uint32_t table, uint32_t aging_s, unsigned int n_ports, uint32_t limit)
{
	struct dp_pvs_conf c = { .lcore = rte_lcore_id(), .table_size = table,
				 .aging_s = aging_s, .mac_limit = limit, .mp = mp };
	struct dp_pvs *sw = dp_pvs_create(&c);

	if (sw == NULL) {
		fail("create", "dp_pvs_create: %s", strerror(errno));
		return NULL;
	}
	CHECK("attach g0", dp_pvs_attach_guest(sw, &guests[0], MAC_A) == 0, "failed");
	CHECK("attach g1", dp_pvs_attach_guest(sw, &guests[1], MAC_B) == 0, "failed");
	CHECK("attach g2", dp_pvs_attach_guest(sw, &guests[2], NULL) == 0, "failed");
	for (unsigned int i = 0; i < n_ports; i++)
		CHECK("attach port", dp_pvs_attach_port(sw, &ports[i], i) == 0, "failed");
	return sw;
}

static struct dp_pvs *
make_switch(uint32_t table, uint32_t aging_s, unsigned int n_ports)
{
	return make_switch_lim(table, aging_s, n_ports, 0);
}

#define G0 (guests[0].idx)
#define G1 (guests[1].idx)
#define G2 (guests[2].idx)
#define P0 dp_pvs_port_vport(sw, 0)
#define P1 dp_pvs_port_vport(sw, 1)

static void
test_learn_and_flood(void)
{
	struct dp_pvs *sw = make_switch(1024, 300, 2);
	struct dp_pvs_stats ts;

	if (sw == NULL)
		return;
	/* B unknown: flooded everywhere but g0 (ports get one copy each). */
	send1(sw, G0, MAC_B, MAC_A, 1);
	expect("unknown unicast floods", 1, 0, 1, 1, 1, 1);
	CHECK("unknown unicast floods", vst(sw, G0).flooded == 1, "flooded %" PRIu64,
	      vst(sw, G0).flooded);
	/* A is learned on g0: B's answer goes to g0 only. */
	send1(sw, G1, MAC_A, MAC_B, 2);
	expect("learned unicast", 2, 1, 0, 0, 0, 0);
	CHECK("learned unicast", vst(sw, G1).switched == 1, "switched %" PRIu64,
	      vst(sw, G1).switched);
	send1(sw, G0, MAC_B, MAC_A, 3);
	expect("learned both ways", 3, 0, 1, 0, 0, 0);
	/* Broadcast and multicast from the uplink: every guest, not back. */
	send1(sw, P0, BCAST, MAC_U, 4);
	expect("broadcast", 4, 1, 1, 1, 0, 1);
	send1(sw, P0, MCAST, MAC_U, 5);
	expect("multicast", 5, 1, 1, 1, 0, 1);
	/* U is learned behind p0. */
	send1(sw, G2, MAC_U, MAC_X, 6);
	expect("to the uplink", 6, 0, 0, 0, 1, 0);
	/* A frame for a station behind its own ingress goes nowhere. */
	send1(sw, P0, MAC_U, MAC_U, 7);
	expect("hairpin", 7, 0, 0, 0, 0, 0);
	CHECK("hairpin", vst(sw, P0).dropped_nodest == 1, "dropped_nodest %" PRIu64,
	      vst(sw, P0).dropped_nodest);
	CHECK("out counters", vst(sw, P0).out_frames == 2 && vst(sw, G0).out_frames == 3,
	      "p0 out %" PRIu64 ", g0 out %" PRIu64, vst(sw, P0).out_frames,
	      vst(sw, G0).out_frames);
	dp_pvs_stats(sw, &ts);
	CHECK("table", ts.learned == 4 && dp_pvs_table_count(sw) == 4,
	      "learned %" PRIu64 ", in table %u", ts.learned, dp_pvs_table_count(sw));
	dp_pvs_free(sw);
}

static void
test_spoof(void)
{
	struct dp_pvs *sw = make_switch(1024, 300, 1);
	static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0, 0, 0x99 };

	if (sw == NULL)
		return;
	/* g0 may only send from A. */
	send1(sw, G0, BCAST, other, 1);
	send1(sw, G0, MAC_U, MAC_B, 1);
	expect("spoofed source", -1, 0, 0, 0, 0, 0);
	CHECK("spoofed source", vst(sw, G0).dropped_spoof == 2 &&
	      vst(sw, G0).flooded == 0 && vst(sw, G0).switched == 0,
	      "dropped_spoof %" PRIu64, vst(sw, G0).dropped_spoof);
	/* Nobody may send from a group address, checked or not. */
	send1(sw, G2, BCAST, MCAST, 2);
	send1(sw, P0, BCAST, BCAST, 2);
	expect("group source", -1, 0, 0, 0, 0, 0);
	CHECK("group source", vst(sw, G2).dropped_spoof == 1 &&
	      vst(sw, P0).dropped_spoof == 1, "g2 %" PRIu64 " p0 %" PRIu64,
	      vst(sw, G2).dropped_spoof, vst(sw, P0).dropped_spoof);
	/* A spoofed source teaches the table nothing: B still floods. */
	send1(sw, P0, MAC_B, MAC_U, 3);
	expect("spoof not learned", 3, 1, 1, 1, 0, 0);
	/* An unchecked guest sends from anything (and so may move an address). */
	send1(sw, G2, BCAST, MAC_B, 4);
	expect("unchecked guest", 4, 1, 1, 0, 1, 0);
	CHECK("unchecked guest", vst(sw, G2).dropped_spoof == 1, "dropped_spoof %" PRIu64,
	      vst(sw, G2).dropped_spoof);
	dp_pvs_free(sw);
}

static void
test_aging(void)
{
	struct dp_pvs *sw = make_switch(1024, 2, 1);
	struct dp_pvs_stats ts;

	if (sw == NULL)
		return;
	send1(sw, G0, BCAST, MAC_A, 1);
	expect("aging: learn", 1, 0, 1, 1, 1, 0);
	now += hz;
	send1(sw, P0, MAC_A, MAC_U, 2);
	expect("aging: fresh", 2, 1, 0, 0, 0, 0);
	/* 2 s after A was last seen (plus a bit): a miss, flooded. */
	now += hz + hz / 2;
	send1(sw, P0, MAC_A, MAC_U, 3);
	expect("aging: stale floods", 3, 1, 1, 1, 0, 0);
	CHECK("aging: stale floods", vst(sw, P0).flooded == 1, "flooded %" PRIu64,
	      vst(sw, P0).flooded);
	/* The sweep deletes A but keeps U (seen just now). */
	dp_pvs_sweep(sw, now);
	dp_pvs_stats(sw, &ts);
	CHECK("aging: sweep", ts.aged == 1 && dp_pvs_table_count(sw) == 1,
	      "aged %" PRIu64 ", in table %u", ts.aged, dp_pvs_table_count(sw));
	/* Seen again: learned again. */
	send1(sw, G0, MAC_U, MAC_A, 4);
	expect("aging: relearn", 4, 0, 0, 0, 1, 0);
	send1(sw, P0, MAC_A, MAC_U, 5);
	expect("aging: relearned", 5, 1, 0, 0, 0, 0);
	/* Traffic keeps addresses alive: 5 s of frames every 0.5 s. */
	for (int i = 0; i < 10; i++) {
		now += hz / 2;
		send1(sw, G0, MAC_U, MAC_A, 6);
		send1(sw, P0, MAC_A, MAC_U, 6);
	}
	expect("aging: kept alive", 6, 10, 0, 0, 10, 0);
	send1(sw, P0, MAC_A, MAC_U, 7);
	expect("aging: still known", 7, 1, 0, 0, 0, 0);
	dp_pvs_free(sw);
}

static void
test_move_and_detach(void)
{
	struct dp_pvs *sw = make_switch(1024, 300, 1);
	struct dp_pvs_stats ts;

	if (sw == NULL)
		return;
	send1(sw, G2, BCAST, MAC_X, 1);		/* X behind g2 */
	expect("move: learn", 1, 1, 1, 0, 1, 0);
	send1(sw, P0, BCAST, MAC_X, 2);		/* X moves to p0 */
	expect("move: seen on p0", 2, 1, 1, 1, 0, 0);
	dp_pvs_stats(sw, &ts);
	CHECK("move", ts.moved == 1, "moved %" PRIu64, ts.moved);
	now += hz;	/* past the learning cache */
	send1(sw, G0, MAC_X, MAC_A, 3);
	expect("move: follows", 3, 0, 0, 0, 1, 0);

	/* B learned on g1; g1 leaves: nothing goes to it, B floods. */
	send1(sw, G1, BCAST, MAC_B, 4);
	expect("detach: learn", 4, 1, 0, 1, 1, 0);
	dp_pvs_detach(sw, G1);
	send1(sw, G0, MAC_B, MAC_A, 5);
	expect("detach: no output", 5, 0, 0, 1, 1, 0);
	send1(sw, G1, BCAST, MAC_B, 6);		/* a late burst from it */
	expect("detach: no input", 6, 0, 0, 0, 0, 0);
	/* A new occupant of the slot does not inherit B. */
	CHECK("reattach", dp_pvs_attach_guest(sw, &guests[1], NULL) == 0, "failed");
	CHECK("reattach twice", dp_pvs_attach_guest(sw, &guests[1], NULL) == -EBUSY,
	      "not EBUSY");
	send1(sw, G0, MAC_B, MAC_A, 7);
	expect("reattach: floods", 7, 0, 1, 1, 1, 0);
	CHECK("reattach: counters reset", vst(sw, G1).out_frames == 1,
	      "out_frames %" PRIu64, vst(sw, G1).out_frames);
	dp_pvs_free(sw);
}

static void
test_limits(void)
{
	/* No per-vport limit here: one vport can fill the table. */
	struct dp_pvs *sw = make_switch_lim(64, 300, 2, UINT32_MAX);
	struct dp_guest other = guests[0];
	struct rte_mbuf *burst[40];
	struct dp_pvs_stats ts;
	uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0 };

	if (sw == NULL)
		return;
	other.idx = 63;
	other.lcore = rte_lcore_id() + 1;
	CHECK("other lcore", dp_pvs_attach_guest(sw, &other, NULL) == -EXDEV,
	      "not EXDEV");
	/* A burst longer than the switch's own. */
	for (unsigned int i = 0; i < RTE_DIM(burst); i++)
		burst[i] = frame(BCAST, MAC_A, 1);
	dp_pvs_input_at(sw, G0, burst, RTE_DIM(burst), now);
	expect("long burst", 1, 0, 40, 40, 40, 40);
	/* A runt. */
	burst[0] = frame(BCAST, MAC_A, 1);
	burst[0]->data_len = burst[0]->pkt_len = 10;
	dp_pvs_input_at(sw, G0, burst, 1, now);
	expect("runt", -1, 0, 0, 0, 0, 0);
	CHECK("runt", vst(sw, G0).dropped_runt == 1 && vst(sw, G0).dropped_nodest == 0,
	      "dropped_runt %" PRIu64, vst(sw, G0).dropped_runt);
	/* 200 sources into a table of 64. */
	for (unsigned int i = 0; i < 200; i++) {
		src[5] = (uint8_t)i;
		src[4] = (uint8_t)(i >> 8);
		send1(sw, G2, MAC_A, src, 2);
	}
	expect("table full", 2, 200, 0, 0, 0, 0);
	dp_pvs_stats(sw, &ts);
	CHECK("table full", ts.table_full > 0 && ts.learned <= 64,
	      "table_full %" PRIu64 " learned %" PRIu64, ts.table_full, ts.learned);
	dp_pvs_free(sw);
	sw = make_switch(64, 300, 0);
	if (sw == NULL)
		return;
	/* Alone in the switch: a flood has nowhere to go. */
	dp_pvs_detach(sw, G1);
	dp_pvs_detach(sw, G2);
	send1(sw, G0, BCAST, MAC_A, 3);
	expect("alone", -1, 0, 0, 0, 0, 0);
	CHECK("alone", vst(sw, G0).dropped_nodest == 1, "dropped_nodest %" PRIu64,
	      vst(sw, G0).dropped_nodest);
	dp_pvs_free(sw);
}

static void
test_tag_parser(void)
{
	static const struct {
		const char *what;
		uint32_t len;		/* bytes given to the parser */
		uint16_t types[8];	/* EtherTypes from offset 12, 4 bytes apart */
		int rc;
		uint16_t type;
	} cases[] = {
		{ "untagged", 14, { 0x0800 }, 0, 0x0800 },
		{ "untagged hostlane", 64, { 0x88b5 }, 0, 0x88b5 },
		{ "no EtherType", 13, { 0x0800 }, -EBADMSG, 0 },
		{ "empty", 0, { 0 }, -EBADMSG, 0 },
		{ "802.1Q", 18, { 0x8100, 0x88b5 }, 1, 0x88b5 },
		{ "802.1ad + 802.1Q", 22, { 0x88a8, 0x8100, 0x88b5 }, 2, 0x88b5 },
		{ "0x9100 + 802.1Q", 64, { 0x9100, 0x8100, 0x0806 }, 2, 0x0806 },
		{ "4 tags", 30, { 0x8100, 0x88a8, 0x9100, 0x8100, 0x88b5 }, 4, 0x88b5 },
		{ "5 tags", 64, { 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x0800 }, -E2BIG, 0 },
		{ "5 tags, cut", 32, { 0x8100, 0x8100, 0x8100, 0x8100, 0x8100 }, -E2BIG, 0 },
		{ "cut after the TPID", 14, { 0x8100, 0x88b5 }, -EBADMSG, 0 },
		{ "cut in the TCI", 16, { 0x8100, 0x88b5 }, -EBADMSG, 0 },
		{ "cut in the inner type", 17, { 0x8100, 0x88b5 }, -EBADMSG, 0 },
		{ "cut in the 2nd tag", 20, { 0x88a8, 0x8100, 0x88b5 }, -EBADMSG, 0 },
		{ "not a TPID", 18, { 0x9200, 0x88b5 }, 0, 0x9200 },
	};
	uint8_t f[64];

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		uint16_t type = 0;
		int rc;

		memset(f, 0xee, sizeof(f));
		for (unsigned int t = 0; t < 8 && 12 + 4 * t + 2 <= sizeof(f); t++) {
			f[12 + 4 * t] = (uint8_t)(cases[i].types[t] >> 8);
			f[12 + 4 * t + 1] = (uint8_t)cases[i].types[t];
		}
		rc = dp_pvs_parse_ethertype(f, cases[i].len, &type);
		CHECK(cases[i].what, rc == cases[i].rc && (rc < 0 || type == cases[i].type),
		      "rc %d type %#x, want %d %#x", rc, type, cases[i].rc, cases[i].type);
	}
}

/* Hostlane frames, tagged or not, are switched in no direction; nobody
 * sends from hostlane's range; too many tags, cut tags, zero sources. */
static void
test_hostlane_frames(void)
{
	struct dp_pvs *sw = make_switch(1024, 300, 2);
	static const uint16_t q[] = { 0x8100 };
	static const uint16_t qinq[] = { 0x88a8, 0x8100 };
	static const uint16_t q9[] = { 0x9100, 0x8100 };
	static const uint16_t four[] = { 0x8100, 0x88a8, 0x9100, 0x8100 };
	static const uint16_t five[] = { 0x8100, 0x8100, 0x8100, 0x8100, 0x8100 };
	struct dp_guest bad = guests[2];
	struct rte_mbuf *m;

	if (sw == NULL)
		return;
	/* Everyone known: unicast would go straight to the victim. */
	send1(sw, G0, BCAST, MAC_A, 1);
	send1(sw, G1, BCAST, MAC_B, 1);
	send1(sw, G2, BCAST, MAC_X, 1);
	send1(sw, P0, BCAST, MAC_U, 1);
	expect("hostlane: learn", 1, 3, 3, 3, 3, 4);
	/* Forged replies from guests: hostlane's source or their own,
	 * broadcast or unicast, untagged or behind up to 4 tags. */
	send_t(sw, G2, BCAST, HL_0, NULL, 0, 0x88b5, 2);
	send_t(sw, G2, MAC_B, HL_0, NULL, 0, 0x88b5, 2);
	send_t(sw, G2, BCAST, MAC_X, NULL, 0, 0x88b5, 2);
	send_t(sw, G0, MAC_B, MAC_A, NULL, 0, 0x88b5, 2);
	send_t(sw, G2, BCAST, HL_0, q, 1, 0x88b5, 2);
	send_t(sw, G2, MAC_B, MAC_X, q, 1, 0x88b5, 2);
	send_t(sw, G0, BCAST, MAC_A, qinq, 2, 0x88b5, 2);
	send_t(sw, G0, MAC_U, MAC_A, q9, 2, 0x88b5, 2);
	send_t(sw, G2, MAC_A, MAC_X, four, 4, 0x88b5, 2);
	/* ... and from the uplink and the exception port. */
	send_t(sw, P0, BCAST, MAC_U, NULL, 0, 0x88b5, 2);
	send_t(sw, P0, MAC_A, MAC_U, qinq, 2, 0x88b5, 2);
	send_t(sw, P1, BCAST, HL_X, q, 1, 0x88b5, 2);
	expect("hostlane frames", -1, 0, 0, 0, 0, 0);
	CHECK("hostlane frames", vst(sw, G2).dropped_hostlane == 6 &&
	      vst(sw, G0).dropped_hostlane == 3 && vst(sw, P0).dropped_hostlane == 2 &&
	      vst(sw, P1).dropped_hostlane == 1, "dropped_hostlane g2 %" PRIu64
	      " g0 %" PRIu64 " p0 %" PRIu64 " p1 %" PRIu64, vst(sw, G2).dropped_hostlane,
	      vst(sw, G0).dropped_hostlane, vst(sw, P0).dropped_hostlane,
	      vst(sw, P1).dropped_hostlane);
	/* Ordinary frames from hostlane's range, from anyone. */
	send1(sw, G2, BCAST, HL_0, 3);
	send1(sw, G2, MAC_A, HL_X, 3);
	send1(sw, G0, MAC_B, HL_0, 3);		/* enforced guest: hlsrc first */
	send1(sw, P0, BCAST, HL_X, 3);
	send1(sw, P1, MAC_X, HL_0, 3);
	expect("hostlane sources", -1, 0, 0, 0, 0, 0);
	CHECK("hostlane sources", vst(sw, G2).dropped_hlsrc == 2 &&
	      vst(sw, G0).dropped_hlsrc == 1 && vst(sw, P0).dropped_hlsrc == 1 &&
	      vst(sw, P1).dropped_hlsrc == 1 && vst(sw, G0).dropped_spoof == 0,
	      "dropped_hlsrc g2 %" PRIu64 " g0 %" PRIu64 " p0 %" PRIu64 " p1 %" PRIu64,
	      vst(sw, G2).dropped_hlsrc, vst(sw, G0).dropped_hlsrc,
	      vst(sw, P0).dropped_hlsrc, vst(sw, P1).dropped_hlsrc);
	/* Nor were they learned: a frame to hostlane's address floods. */
	send1(sw, G1, HL_0, MAC_B, 4);
	expect("hostlane source not learned", 4, 1, 0, 1, 1, 1);
	/* More tags than the bound, or cut inside them: dropped whatever
	 * they carry; at the bound an ordinary frame is switched. */
	send_t(sw, G2, BCAST, MAC_X, five, 5, 0x88b5, 5);
	send_t(sw, G2, BCAST, MAC_X, five, 5, 0x0800, 5);
	send_t(sw, P0, BCAST, MAC_U, five, 5, 0x0800, 5);
	m = frame_t(BCAST, MAC_X, qinq, 2, 0x88b5, 5);
	if (m != NULL) {
		m->data_len = m->pkt_len = 20;	/* ends inside the second tag */
		dp_pvs_input_at(sw, G2, &m, 1, now);
	}
	expect("too many or cut tags", -1, 0, 0, 0, 0, 0);
	CHECK("too many or cut tags", vst(sw, G2).dropped_tags == 2 &&
	      vst(sw, P0).dropped_tags == 1 && vst(sw, G2).dropped_runt == 1,
	      "dropped_tags g2 %" PRIu64 " p0 %" PRIu64 ", dropped_runt g2 %" PRIu64,
	      vst(sw, G2).dropped_tags, vst(sw, P0).dropped_tags, vst(sw, G2).dropped_runt);
	send_t(sw, G2, MAC_B, MAC_X, four, 4, 0x0800, 6);
	expect("4 tags switched", 6, 0, 1, 0, 0, 0);
	/* A zero source is nobody's. */
	send1(sw, G2, BCAST, ZERO, 7);
	expect("zero source", -1, 0, 0, 0, 0, 0);
	CHECK("zero source", vst(sw, G2).dropped_spoof == 1, "dropped_spoof %" PRIu64,
	      vst(sw, G2).dropped_spoof);
	/* Nothing counted twice: every frame G2 sent is in one counter. */
	CHECK("one reason each", vst(sw, G2).flooded == 1 && vst(sw, G2).switched == 1,
	      "g2 flooded %" PRIu64 " switched %" PRIu64, vst(sw, G2).flooded,
	      vst(sw, G2).switched);
	/* A guest cannot be given an address the switch would drop. */
	bad.idx = 40;
	CHECK("attach hostlane mac", dp_pvs_attach_guest(sw, &bad, HL_X) == -EINVAL,
	      "not EINVAL");
	CHECK("attach zero mac", dp_pvs_attach_guest(sw, &bad, ZERO) == -EINVAL,
	      "not EINVAL");
	dp_pvs_free(sw);
}

/* src with i in its last three octets. */
static void
nth_mac(uint8_t *mac, unsigned int i)
{
	static const uint8_t base[6] = { 0x02, 0x99, 0x00, 0, 0, 0 };

	memcpy(mac, base, 6);
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

/* One vport floods source addresses: it learns up to its limit, its frames
 * still flood, the others keep learning, and their unicast does not reach
 * it. The limit is freed by aging and by a detach. */
static void
test_mac_limit(void)
{
	struct dp_pvs *sw = make_switch(64, 2, 2);	/* limit 64 / 8 = 8 */
	struct dp_pvs_stats ts;
	uint8_t src[6];

	if (sw == NULL)
		return;
	for (unsigned int i = 0; i < 300; i++) {
		nth_mac(src, i);
		send1(sw, G2, BCAST, src, 1);
	}
	/* Over the limit, the frames are still switched. */
	expect("flood: forwarded", 1, 300, 300, 0, 300, 300);
	CHECK("flood: limited", vst(sw, G2).macs == 8 && vst(sw, G2).learn_limited == 292 &&
	      dp_pvs_table_count(sw) == 8, "macs %" PRIu64 " learn_limited %" PRIu64
	      " in table %u", vst(sw, G2).macs, vst(sw, G2).learn_limited,
	      dp_pvs_table_count(sw));
	/* The others still learn; their unicast goes to them alone. */
	send1(sw, G0, BCAST, MAC_A, 2);
	send1(sw, G1, BCAST, MAC_B, 2);
	send1(sw, P0, BCAST, MAC_U, 2);
	expect("others learn", 2, 2, 2, 3, 2, 3);
	send1(sw, G0, MAC_B, MAC_A, 3);
	send1(sw, G1, MAC_A, MAC_B, 3);
	send1(sw, P0, MAC_A, MAC_U, 3);
	send1(sw, G0, MAC_U, MAC_A, 3);
	expect("others' unicast", 3, 2, 1, 0, 1, 0);
	CHECK("others learn", vst(sw, G0).macs == 1 && vst(sw, G0).learn_limited == 0,
	      "g0 macs %" PRIu64, vst(sw, G0).macs);
	/* At its limit G2 cannot take over B either; its own still work. */
	send1(sw, G2, BCAST, MAC_B, 4);
	expect("no takeover at the limit", 4, 1, 1, 0, 1, 1);
	send1(sw, G0, MAC_B, MAC_A, 5);
	expect("no takeover at the limit", 5, 0, 1, 0, 0, 0);
	nth_mac(src, 3);
	send1(sw, G0, src, MAC_A, 6);
	expect("limited vport keeps its own", 6, 0, 0, 1, 0, 0);
	dp_pvs_stats(sw, &ts);
	CHECK("table", ts.table_full == 0 && ts.moved == 0 && dp_pvs_table_count(sw) == 11,
	      "table_full %" PRIu64 " moved %" PRIu64 " in table %u", ts.table_full,
	      ts.moved, dp_pvs_table_count(sw));
	/* Aging frees the limit: after 2 s of silence G2 learns again. */
	now += 3 * hz;
	dp_pvs_sweep(sw, now);
	CHECK("aging frees", vst(sw, G2).macs == 0 && dp_pvs_table_count(sw) == 0,
	      "g2 macs %" PRIu64 " in table %u", vst(sw, G2).macs, dp_pvs_table_count(sw));
	send1(sw, G2, BCAST, MAC_X, 7);
	expect("relearned after aging", 7, 1, 1, 0, 1, 1);
	send1(sw, G0, MAC_X, MAC_A, 8);
	expect("relearned after aging", 8, 0, 0, 1, 0, 0);
	CHECK("relearned after aging", vst(sw, G2).macs == 1, "g2 macs %" PRIu64,
	      vst(sw, G2).macs);
	/* A detached vport's entries go at the next sweep, aged or not. */
	dp_pvs_detach(sw, G2);
	dp_pvs_sweep(sw, now);
	CHECK("detach frees", dp_pvs_table_count(sw) == 1, "in table %u",
	      dp_pvs_table_count(sw));
	CHECK("reattach", dp_pvs_attach_guest(sw, &guests[2], NULL) == 0, "failed");
	CHECK("reattach", vst(sw, G2).macs == 0, "g2 macs %" PRIu64, vst(sw, G2).macs);
	dp_pvs_free(sw);

	/* An explicit limit. */
	sw = make_switch_lim(1024, 300, 0, 2);
	if (sw == NULL)
		return;
	for (unsigned int i = 0; i < 5; i++) {
		nth_mac(src, i);
		send1(sw, G2, BCAST, src, 9);
	}
	expect("limit 2", 9, 5, 5, 0, 0, 0);
	CHECK("limit 2", vst(sw, G2).macs == 2 && vst(sw, G2).learn_limited == 3,
	      "macs %" PRIu64 " learn_limited %" PRIu64, vst(sw, G2).macs,
	      vst(sw, G2).learn_limited);
	dp_pvs_free(sw);
}

/* Issue 16: 1024 guest vports, sized at creation; guests in the first,
 * a middle and the last bitmap word, two ports after them. */
static void
test_many_vports(void)
{
	static const uint16_t idx[N_GUESTS] = { 0, 700, 1023 };
	struct dp_pvs_conf c = { .lcore = rte_lcore_id(), .table_size = 1024,
				 .aging_s = 300, .mp = mp, .max_guests = 1024 };
	uint16_t keep[N_GUESTS];
	struct dp_pvs *sw;

	for (unsigned int i = 0; i < N_GUESTS; i++) {
		keep[i] = guests[i].idx;
		guests[i].idx = idx[i];
	}
	sw = dp_pvs_create(&c);
	CHECK("1024 vports", sw != NULL, "dp_pvs_create: %s", strerror(errno));
	if (sw == NULL)
		goto out;
	CHECK("1024 vports: ports after the guests", P0 >= 1024 && P1 == P0 + 1,
	      "port vports %u %u", P0, P1);
	CHECK("attach g0", dp_pvs_attach_guest(sw, &guests[0], MAC_A) == 0, "failed");
	CHECK("attach g700", dp_pvs_attach_guest(sw, &guests[1], MAC_B) == 0, "failed");
	CHECK("attach g1023", dp_pvs_attach_guest(sw, &guests[2], NULL) == 0, "failed");
	for (unsigned int i = 0; i < N_PORTS; i++)
		CHECK("attach port", dp_pvs_attach_port(sw, &ports[i], i) == 0, "failed");
	guests[0].idx = 1024;
	CHECK("slot 1024 refused", dp_pvs_attach_guest(sw, &guests[0], NULL) == -EINVAL,
	      "attached past max_guests");
	guests[0].idx = 0;
	/* Floods reach every word but the sender's bit. */
	send1(sw, P0, BCAST, MAC_U, 1);
	expect("1024 vports: broadcast from p0", 1, 1, 1, 1, 0, 1);
	send1(sw, G1, BCAST, MAC_B, 2);
	expect("1024 vports: broadcast from g700", 2, 1, 0, 1, 1, 1);
	/* Learned behind the last guest: unicast goes there alone. */
	send1(sw, G0, MAC_U, MAC_A, 3);
	expect("1024 vports: g0 to the uplink", 3, 0, 0, 0, 1, 0);
	send1(sw, G2, MAC_A, MAC_X, 3);
	expect("1024 vports: to g0", 3, 1, 0, 0, 0, 0);
	send1(sw, G0, MAC_X, MAC_A, 4);
	expect("1024 vports: to g1023", 4, 0, 0, 1, 0, 0);
	CHECK("1024 vports: counters", vst(sw, G2).out_frames == 3 && vst(sw, G1).flooded == 1,
	      "g1023 out %" PRIu64 ", g700 flooded %" PRIu64, vst(sw, G2).out_frames,
	      vst(sw, G1).flooded);
	dp_pvs_detach(sw, G1);
	send1(sw, P0, BCAST, MAC_U, 5);
	expect("1024 vports: g700 detached", 5, 1, 0, 1, 0, 1);
	dp_pvs_free(sw);
out:
	for (unsigned int i = 0; i < N_GUESTS; i++)
		guests[i].idx = keep[i];
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
	mp = rte_pktmbuf_pool_create("unit_pvs", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL || setup_vports() < 0) {
		printf("FAIL: %s: %s\n", mp == NULL ? "mbuf pool" : "net_ring ports",
		       rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	hz = rte_get_tsc_hz();
	now = hz * 1000;
	base = rte_mempool_in_use_count(mp);
	test_learn_and_flood();
	test_spoof();
	test_aging();
	test_move_and_detach();
	test_limits();
	test_tag_parser();
	test_hostlane_frames();
	test_mac_limit();
	test_many_vports();
	CHECK("mbufs", rte_mempool_in_use_count(mp) == base, "%u mbufs leaked",
	      rte_mempool_in_use_count(mp) - base);
	for (unsigned int i = 0; i < N_GUESTS; i++)
		dp_ethdev_close(guests[i].fast.port_id);
	for (unsigned int i = 0; i < N_PORTS; i++)
		dp_ethdev_close(ports[i].port_id);
	printf("pvswitch: learning, flooding, spoofing, aging, moves, detach, limits, "
	       "tags, hostlane frames, learning limits, 1024 vports: %d failure(s)\n", failures);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
