/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vf_wire: the guest and the wire of the dedicated-VF test in one DPDK
 * process (tests/vf/test_vf_dedicated.sh, bench/vf_switch.sh).
 *
 *  - port "net_memif_guest": a memif client of hostlane's guest. It sends
 *    sequence-numbered frames to the wire's MAC, round robin over --flows
 *    flows, at --rate frames/s without pause (0: as fast as it can); a
 *    frame the ring refuses is sent again, never skipped. Every
 *    --req-every frames it also sends a hostlane request (not HELLO),
 *    which hostlane's request pipeline must answer (with an error), VF
 *    or not.
 *  - port "net_memif_up" and every other port: memif servers standing in
 *    for the wire behind the uplink and behind each VF. Like a NIC's
 *    switch, the wire sends its own numbered frames for the guest
 *    (--rev-rate) out of the port it last saw the guest's frames on, and
 *    sends a frame a port refuses (a VF just removed) again on the port
 *    learned next.
 *
 * SIGUSR2 makes the --plug port (a virtio_user client of a vhost-user VF
 * stand-in hostlane is assigning: such a port is not unmapped under a
 * burst when its peer leaves, as a net_memif one is). SIGUSR1 breaks the port the guest's frames last came from, if it is
 * not the uplink (a VF stand-in failing: stopped and closed). SIGTERM
 * stops sending; the wire then receives until every frame sent has
 * arrived or nothing came for 2 s, prints its verdict, and waits for a
 * second SIGTERM (after hostlane stopped) to close its ports and exit:
 *   fwd: frames lost, duplicated, out of order on one port, and the
 *        number of path changes per flow (a frame sent on the old path
 *        after the switch would add two); each change of flow 0;
 *   rev: lost, duplicated, out of order (reported only: the guest gets
 *        them from the VF's queue and the uplink's, polled in turn, so
 *        around a switch one can overtake another, as with a real VF);
 *   req: requests sent and answered.
 * Exit 0 when nothing was lost (unless --allow-loss: a VF that fails
 * takes the frames in its queues with it) or duplicated, no port reordered the
 * guest's frames and none of its flows changed path more than
 * --max-changes times; 1 otherwise.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <hostlane/proto.h>

#define TEST_TYPE 0x88B6	/* IEEE local experimental EtherType */
#define TEST_MAGIC 0x46564c48u	/* "HLVF" */
#define MAX_PORTS 16
#define MAX_FLOWS 16
#define BURST 32
#define FRAME_LEN 64
#define SILENCE_S 2

struct __attribute__((packed)) test_frame {
	struct hl_eth_hdr eth;
	uint32_t magic;
	uint8_t dir;		/* 0 guest → wire, 1 wire → guest */
	uint8_t flow;
	uint16_t pad;
	uint64_t seq;
};

/*
 * When a VF port is polled. net_memif unmaps a port's rings in its
 * interrupt thread when the peer leaves, without waiting for a burst in
 * progress, so the wire must not poll a VF port hostlane may be removing:
 * once the guest has moved off it, it is read until empty (everything
 * hostlane sent it was sent before the guest's first frame elsewhere) and
 * left alone until its link has gone down and come up again.
 */
enum pstate { P_DOWN, P_ACTIVE, P_RETIRED };

/* One direction's books: where each frame arrived (port + 1, 0: not yet). */
struct dir {
	uint64_t sent, rcvd, dups, misorder, cap;
	uint64_t next[MAX_FLOWS];		/* next seq to send per flow */
	uint64_t last[MAX_FLOWS][MAX_PORTS];	/* last seq + 1 seen per port */
	uint8_t *where[MAX_FLOWS];
	struct rte_mbuf *pend[BURST];		/* refused, sent again first */
	unsigned int n_pend;
	uint64_t rate;
	uint64_t t0;
};

static struct {
	uint8_t gmac[6], wmac[6];
	unsigned int flows, max_changes, req_every;
	bool allow_loss;
	uint16_t guest, uplink, n_ports;
	uint16_t learned;		/* where the guest was seen last */
	uint64_t newest;		/* sending order of its newest frame, + 1 */
	struct rte_mempool *mp;
	struct dir fwd, rev;
	uint64_t req_sent, req_answered, other;
	volatile sig_atomic_t stop, breakit, plugit;
	const char *plug;		/* --plug: a VF stand-in made on SIGUSR2 */
	bool started[MAX_PORTS];	/* never polled otherwise */
	enum pstate st[MAX_PORTS];	/* VF ports: when they are polled */
	bool closed[MAX_PORTS];
	bool used[MAX_PORTS];		/* a VF port the guest was seen on */
} w;

/* First: stop sending and give the verdict; second: exit. */
static void
on_term(int sig)
{
	(void)sig;
	w.stop++;
}

static void
on_usr1(int sig)
{
	(void)sig;
	w.breakit = 1;
}

static void
on_usr2(int sig)
{
	(void)sig;
	w.plugit = 1;
}

static int
parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int
port_init(uint16_t pid)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(pid, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(pid, 0, 1024, rte_socket_id(), NULL, w.mp) != 0 ||
	    rte_eth_tx_queue_setup(pid, 0, 1024, rte_socket_id(), NULL) != 0)
		return -1;
	/* The guest's port is a memif client of a socket hostlane makes
	 * after it connected to the wire's servers: started in run(). */
	if (pid == w.guest)
		return 0;
	w.started[pid] = rte_eth_dev_start(pid) == 0;
	return w.started[pid] ? 0 : -1;
}

/* Start the guest's port once hostlane's socket is there, every 10 ms. */
static bool
guest_started(void)
{
	static uint64_t next;
	uint64_t now = rte_rdtsc();

	if (w.started[w.guest])
		return true;
	if (now < next)
		return false;
	next = now + rte_get_tsc_hz() / 100;
	w.started[w.guest] = rte_eth_dev_start(w.guest) == 0;
	return w.started[w.guest];
}

static struct rte_mbuf *
make_frame(const uint8_t *dst, const uint8_t *src, uint8_t dir, uint8_t flow,
	   uint64_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w.mp);
	struct test_frame *f;

	if (m == NULL)
		return NULL;
	f = (struct test_frame *)rte_pktmbuf_append(m, FRAME_LEN);
	if (f == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(f, 0, FRAME_LEN);
	memcpy(f->eth.dst, dst, 6);
	memcpy(f->eth.src, src, 6);
	f->eth.ethertype = rte_cpu_to_be_16(TEST_TYPE);
	f->magic = TEST_MAGIC;
	f->dir = dir;
	f->flow = flow;
	f->seq = seq;
	return m;
}

/* A hostlane request the pipeline answers without a session: not HELLO. */
static struct rte_mbuf *
make_request(void)
{
	static const uint8_t host[6] = { 0x02, 0x68, 0x6c, 0, 0, 0 };
	struct rte_mbuf *m = rte_pktmbuf_alloc(w.mp);
	struct hl_frame_hdr *h;

	if (m == NULL)
		return NULL;
	h = (struct hl_frame_hdr *)rte_pktmbuf_append(m, sizeof(*h));
	if (h == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	hl_proto_hdr_init(h, host, w.gmac, HL_OP_FN_CALL, 0, w.req_sent + 1);
	return m;
}

/* Where the guest is now: where its newest frame (by its place in the
 * guest's sending order, not by when it was read: a backlog on the old
 * path is read after the first frames on the new one) came from. Said
 * when it moves (the tests wait for it). */
static void
learn(uint16_t p, uint64_t order)
{
	char name[RTE_ETH_NAME_MAX_LEN] = "";

	if (order + 1 <= w.newest)
		return;
	w.newest = order + 1;
	if (p == w.learned)
		return;
	w.learned = p;
	w.used[p] = p != w.uplink;
	rte_eth_dev_get_name_by_port(p, name);
	printf("learned: port %u (%s)\n", p, name);
	fflush(stdout);
}

/* Record one arrival of a numbered frame on port p. */
static void
book(struct dir *d, const struct test_frame *f, uint16_t p)
{
	uint8_t *slot;

	if (f->flow >= w.flows || p >= MAX_PORTS ||
	    (d->cap != UINT64_MAX && f->seq >= d->cap / w.flows + 1)) {
		w.other++;
		return;
	}
	if (d->cap == UINT64_MAX) {		/* --max-frames 0: count only */
		d->rcvd++;
		return;
	}
	slot = &d->where[f->flow][f->seq];
	if (*slot != 0) {
		d->dups++;
		return;
	}
	*slot = (uint8_t)(p + 1);
	d->rcvd++;
	if (f->seq + 1 <= d->last[f->flow][p])
		d->misorder++;
	else
		d->last[f->flow][p] = f->seq + 1;
}

static void
classify(struct rte_mbuf *m, uint16_t p)
{
	const struct test_frame *f = rte_pktmbuf_mtod(m, const struct test_frame *);
	const struct hl_frame_hdr *h = rte_pktmbuf_mtod(m, const struct hl_frame_hdr *);

	if (m->data_len >= sizeof(*f) && f->eth.ethertype == rte_cpu_to_be_16(TEST_TYPE) &&
	    f->magic == TEST_MAGIC) {
		if (f->dir == 0 && p != w.guest) {
			book(&w.fwd, f, p);
			learn(p, f->seq * w.flows + f->flow);
		} else if (f->dir == 1 && p == w.guest) {
			book(&w.rev, f, 0);
		} else {
			w.other++;
		}
	} else if (p == w.guest && m->data_len >= sizeof(*h) &&
		   h->eth.ethertype == rte_cpu_to_be_16(HL_ETHERTYPE) &&
		   (h->hl.flags & HL_F_REPLY)) {
		w.req_answered++;
	} else {
		w.other++;
	}
}

/* Returns frames received. */
static unsigned int
receive_all(void)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int total = 0;

	for (uint16_t p = 0; p < w.n_ports; p++) {
		uint16_t n;

		if (!w.started[p] || w.st[p] != P_ACTIVE)
			continue;
		n = rte_eth_rx_burst(p, 0, pkts, BURST);
		if (n == 0 && w.used[p] && p != w.learned)
			w.st[p] = P_RETIRED;	/* drained: the guest moved on */

		for (uint16_t i = 0; i < n; i++)
			classify(pkts[i], p);
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	return total;
}

/* Fill d's pending burst up to what its rate allows now. */
static void
refill(struct dir *d, bool fwd, uint64_t now)
{
	uint64_t hz = rte_get_tsc_hz();
	uint64_t due = d->rate == 0 ? UINT64_MAX :
		       (uint64_t)((double)(now - d->t0) * (double)d->rate / (double)hz);

	while (d->n_pend < BURST && d->sent < due && d->sent < d->cap) {
		uint8_t flow = (uint8_t)(d->sent % w.flows);
		struct rte_mbuf *m;

		if (fwd && w.req_every != 0 && d->sent % w.req_every == w.req_every - 1 &&
		    d->n_pend == 0) {
			m = make_request();
			if (m != NULL && rte_eth_tx_burst(w.guest, 0, &m, 1) == 1)
				w.req_sent++;
			else if (m != NULL)
				rte_pktmbuf_free(m);
		}
		m = fwd ? make_frame(w.wmac, w.gmac, 0, flow, d->next[flow]) :
			  make_frame(w.gmac, w.wmac, 1, flow, d->next[flow]);
		if (m == NULL)
			break;
		d->next[flow]++;
		d->sent++;
		d->pend[d->n_pend++] = m;
	}
}

static void
send_pending(struct dir *d, uint16_t port)
{
	uint16_t k = rte_eth_tx_burst(port, 0, d->pend, (uint16_t)d->n_pend);

	memmove(d->pend, d->pend + k, (d->n_pend - k) * sizeof(d->pend[0]));
	d->n_pend -= k;
}

static bool
link_up(uint16_t p)
{
	struct rte_eth_link l;

	return rte_eth_link_get_nowait(p, &l) == 0 && l.link_status;
}

/* A VF stand-in fails: the port the guest was last seen on. */
static void
break_port(void)
{
	w.breakit = 0;
	if (w.learned == w.uplink) {
		printf("break: the guest is on the uplink, nothing broken\n");
		return;
	}
	printf("break: port %u closed\n", w.learned);
	fflush(stdout);
	rte_eth_dev_stop(w.learned);
	rte_eth_dev_close(w.learned);
	w.started[w.learned] = false;
	w.closed[w.learned] = true;
}

/* SIGUSR2: make the --plug port (a virtio_user client of a vhost-user VF
 * stand-in hostlane just probed), polled once its link is up. */
static void
plug_port(void)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t len = strcspn(w.plug, ",");
	uint16_t p;

	w.plugit = 0;
	snprintf(name, sizeof(name), "%.*s", (int)len, w.plug);
	if (rte_dev_probe(w.plug) != 0 || rte_eth_dev_get_port_by_name(name, &p) != 0 ||
	    p >= MAX_PORTS || port_init(p) != 0) {
		printf("plug: %s failed\n", w.plug);
		fflush(stdout);
		return;
	}
	w.st[p] = P_DOWN;
	if (p >= w.n_ports)
		w.n_ports = (uint16_t)(p + 1);
	printf("plug: port %u (%s)\n", p, name);
	fflush(stdout);
}

/* VF ports come back into use when their link went down and up again. */
static void
watch_links(void)
{
	static uint64_t next;
	uint64_t now = rte_rdtsc();

	if (now < next)
		return;
	next = now + rte_get_tsc_hz() / 1000;
	for (uint16_t p = 0; p < w.n_ports; p++) {
		if (p == w.guest || p == w.uplink || !w.started[p])
			continue;
		if (w.st[p] == P_DOWN && link_up(p)) {
			w.st[p] = P_ACTIVE;
			w.used[p] = false;
		}
		else if (w.st[p] == P_RETIRED && !link_up(p))
			w.st[p] = P_DOWN;
	}
}

static void
run(void)
{
	bool started = false;

	while (!w.stop) {
		uint64_t now = rte_rdtsc();

		/* Receive first: learn where the guest is before sending to it. */
		receive_all();
		watch_links();
		if (w.plugit && w.plug != NULL)
			plug_port();
		if (w.breakit)
			break_port();
		if (!started) {
			if (!guest_started() || !link_up(w.guest))
				continue;
			started = true;
			w.fwd.t0 = w.rev.t0 = now;
			printf("wire: guest link up, sending\n");
			fflush(stdout);
		}
		refill(&w.fwd, true, now);
		send_pending(&w.fwd, w.guest);
		refill(&w.rev, false, now);
		if (w.started[w.learned])
			send_pending(&w.rev, w.learned);
	}
}

/* Frames numbered but never sent: the newest of their flows. */
static void
unsend(struct dir *d)
{
	for (unsigned int i = 0; i < d->n_pend; i++) {
		const struct test_frame *f =
			rte_pktmbuf_mtod(d->pend[i], const struct test_frame *);

		d->next[f->flow]--;
		d->sent--;
	}
	rte_pktmbuf_free_bulk(d->pend, d->n_pend);
	d->n_pend = 0;
}

/* Receive until everything sent arrived and every request was answered,
 * or nothing came for SILENCE_S. (A request sent in the last pass has its
 * reply still on the way when the frames are all in.) */
static void
drain(void)
{
	uint64_t hz = rte_get_tsc_hz(), quiet_since = rte_rdtsc();

	unsend(&w.fwd);
	unsend(&w.rev);
	while (w.fwd.rcvd + w.fwd.dups < w.fwd.sent || w.rev.rcvd + w.rev.dups < w.rev.sent ||
	       w.req_answered < w.req_sent) {
		if (receive_all() > 0)
			quiet_since = rte_rdtsc();
		else if (rte_rdtsc() - quiet_since > SILENCE_S * hz)
			break;
	}
}

/* Lost frames and path changes of one flow; prints flow 0's changes. */
static void
check_flow(const struct dir *d, unsigned int f, uint64_t n, uint64_t *lost,
	   unsigned int *changes, bool show)
{
	uint8_t prev = 0;

	*changes = 0;
	for (uint64_t s = 0; s < n; s++) {
		uint8_t p = d->where[f][s];

		if (p == 0) {
			if (show && *lost < 20)
				printf("fwd: flow %u seq %" PRIu64 " lost (after port %d)\n",
				       f, s, prev - 1);
			(*lost)++;
			continue;
		}
		if (prev != 0 && p != prev) {
			(*changes)++;
			if (show)
				printf("fwd: flow %u path change %u at seq %" PRIu64
				       ": port %u -> port %u\n", f, *changes, s,
				       prev - 1, p - 1);
		}
		prev = p;
	}
}

static int
verdict(void)
{
	uint64_t lost = 0, rlost = 0;
	unsigned int most = 0, changes;

	for (unsigned int f = 0; w.fwd.cap != UINT64_MAX && f < w.flows; f++) {
		check_flow(&w.fwd, f, w.fwd.next[f], &lost, &changes, f == 0);
		most = changes > most ? changes : most;
		for (uint64_t s = 0; s < w.rev.next[f]; s++)
			rlost += w.rev.where[f][s] == 0;
	}
	printf("fwd: sent %" PRIu64 " received %" PRIu64 " lost %" PRIu64 " dup %"
	       PRIu64 " misordered %" PRIu64 " path-changes-max %u (allowed %u)\n",
	       w.fwd.sent, w.fwd.rcvd, lost, w.fwd.dups, w.fwd.misorder, most,
	       w.max_changes);
	printf("rev: sent %" PRIu64 " received %" PRIu64 " lost %" PRIu64 " dup %"
	       PRIu64 " misordered %" PRIu64 "\n", w.rev.sent, w.rev.rcvd, rlost,
	       w.rev.dups, w.rev.misorder);
	printf("req: sent %" PRIu64 " answered %" PRIu64 "; other frames %" PRIu64 "\n",
	       w.req_sent, w.req_answered, w.other);
	/* Reverse frames reach the guest over two queues hostlane polls one
	 * after the other; around a switch one may overtake another (as
	 * with a real VF and PF), so their order is reported, not judged. */
	if (w.allow_loss)
		lost = rlost = 0;
	return lost == 0 && w.fwd.dups == 0 && w.fwd.misorder == 0 &&
	       most <= w.max_changes && rlost == 0 && w.rev.dups == 0 ? 0 : 1;
}

static int
books_init(struct dir *d, uint64_t cap)
{
	d->cap = cap;
	if (cap == UINT64_MAX)
		return 0;
	for (unsigned int f = 0; f < w.flows; f++) {
		d->where[f] = calloc(cap / w.flows + 2, 1);
		if (d->where[f] == NULL)
			return -1;
	}
	return 0;
}

static int
parse(int argc, char **argv, uint64_t *cap)
{
	static const struct option opts[] = {
		{ "guest-mac", required_argument, NULL, 'g' },
		{ "wire-mac", required_argument, NULL, 'w' },
		{ "flows", required_argument, NULL, 'f' },
		{ "rate", required_argument, NULL, 'r' },
		{ "rev-rate", required_argument, NULL, 'R' },
		{ "max-frames", required_argument, NULL, 'c' },
		{ "max-changes", required_argument, NULL, 'x' },
		{ "req-every", required_argument, NULL, 'q' },
		{ "allow-loss", no_argument, NULL, 'L' },
		{ "plug", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'g': if (parse_mac(optarg, w.gmac) < 0) return -1; break;
		case 'w': if (parse_mac(optarg, w.wmac) < 0) return -1; break;
		case 'f': w.flows = (unsigned int)atoi(optarg); break;
		case 'r': w.fwd.rate = strtoull(optarg, NULL, 10); break;
		case 'R': w.rev.rate = strtoull(optarg, NULL, 10); break;
		case 'c': *cap = strtoull(optarg, NULL, 10); break;
		case 'x': w.max_changes = (unsigned int)atoi(optarg); break;
		case 'q': w.req_every = (unsigned int)atoi(optarg); break;
		case 'L': w.allow_loss = true; break;
		case 'P': w.plug = optarg; break;
		default: return -1;
		}
	}
	return w.flows >= 1 && w.flows <= MAX_FLOWS ? 0 : -1;
}

int
main(int argc, char **argv)
{
	uint64_t cap = 4000000;
	int n;

	/* Line by line into a log file: the tests wait for lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "vf_wire: EAL init failed\n");
		return 2;
	}
	w.flows = 4;
	w.rev.rate = 0;
	if (parse(argc - n, argv + n, &cap) < 0) {
		fprintf(stderr, "usage: vf_wire [EAL] -- --guest-mac M --wire-mac M "
			"[--flows N] [--rate PPS] [--rev-rate PPS] [--max-frames N] "
			"[--max-changes N] [--req-every N] [--allow-loss] [--plug DEVARGS]\n");
		return 2;
	}
	/* --max-frames 0: no limit and no books (rates only). No reverse
	 * traffic unless asked: its cap is 0. */
	if (cap == 0)
		cap = UINT64_MAX;
	if (books_init(&w.fwd, cap) < 0 ||
	    books_init(&w.rev, w.rev.rate != 0 ? cap : 0) < 0)
		return 2;
	w.mp = rte_pktmbuf_pool_create("wire", 16383, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	w.n_ports = rte_eth_dev_count_avail();
	if (w.mp == NULL || w.n_ports > MAX_PORTS ||
	    rte_eth_dev_get_port_by_name("net_memif_guest", &w.guest) != 0 ||
	    rte_eth_dev_get_port_by_name("net_memif_up", &w.uplink) != 0) {
		fprintf(stderr, "vf_wire: need ports net_memif_guest, net_memif_up\n");
		return 2;
	}
	for (uint16_t p = 0; p < w.n_ports; p++)
		if (port_init(p) < 0) {
			fprintf(stderr, "vf_wire: cannot start port %u\n", p);
			return 2;
		}
	w.learned = w.uplink;
	w.st[w.guest] = w.st[w.uplink] = P_ACTIVE;
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);
	printf("vf_wire: %u ports, guest %u, uplink %u\n", w.n_ports, w.guest, w.uplink);
	fflush(stdout);
	run();
	drain();
	n = verdict();
	fflush(stdout);
	/* hostlane leaves first (the test stops it after the verdict): a
	 * memif port must not be polled while its peer goes. */
	while (w.stop < 2)
		pause();
	for (uint16_t p = 0; p < w.n_ports; p++) {
		if (w.closed[p])
			continue;
		if (w.started[p])
			rte_eth_dev_stop(p);
		rte_eth_dev_close(p);
	}
	rte_eal_cleanup();
	return n;
}
