/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_vhost: a scriptable vhost-user guest for the PV switch attacks. A
 * DPDK virtio_user port (the VM stand-in) on a hostlane vhost-user socket
 * sends the frames a script asks for and records every frame it receives,
 * so a shell test can play attacker and victim with the same tool.
 *
 * Usage: hostile_vhost NAME SOCKET MAC SCRIPT
 *   NAME    names the process (log lines, its EAL --file-prefix)
 *   SOCKET  hostlane's vhost-user socket of the guest
 *   MAC     the port's MAC, the default source of sent frames
 *   SCRIPT  a file of commands, one a line ('#' starts a comment):
 *
 *   send [n=N] [dst=MAC] [src=MAC] [srcinc] [tag=TPID:VID]... [type=HEX]
 *        [hl=OPCODE[,reply][,arg0=N]] [len=N]
 *       N frames (1): Ethernet header dst (broadcast) src (MAC; srcinc adds
 *       i to its last three octets in frame i), then the tags in order,
 *       then EtherType type (0800). hl= puts a hostlane header after it
 *       (type 88B5 unless given) with that opcode, HL_F_REPLY if `reply`,
 *       and arg0. The frame is zero-padded to len bytes (64).
 *   raw HEX [n=N]
 *       N copies of exactly these bytes.
 *   wait N MATCH...
 *       Until N received frames, all since the start, match; fails (exit
 *       3) if that takes longer than 60 s.
 *   waitfile PATH
 *       Until PATH exists (the test's go-ahead: e.g. hostlane has seen
 *       this guest's link, so it polls the virtqueue); receives meanwhile.
 *       Fails (exit 3) after 60 s.
 *   count LABEL MATCH...
 *       Print "NAME: count LABEL=K", K received frames that match.
 *   echo TEXT
 *       Print "NAME: TEXT".
 *
 *   MATCH: dst=MAC, src=MAC, srcpfx=XX:XX:XX (first source octets),
 *   type=HEX (the EtherType behind all tags), hostlane (type 88B5),
 *   tagged (one tag or more), any (every frame).
 *
 * At the end it prints "NAME: rx frames=... hostlane=... tagged=..." and
 * "NAME: tx frames=...", and exits 0; 2 on a bad script or set-up error.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include <hostlane/proto.h>

#define RX_MAX (1u << 20)	/* received frames remembered */
#define TAG_MAX 8		/* tags this tool looks through */
#define FRAME_MAX 1514
#define WAIT_S 60
#define TX_WAIT_S 30
#define TAGS_PER_SEND 16
#define RING 1024		/* virtqueue entries */

/* What the tool keeps of a received frame. */
struct rx_rec {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t type;		/* behind the tags; 0 with more than TAG_MAX */
	uint8_t ntags;
};

struct match {
	bool dst_set, src_set, type_set, tagged, any;
	uint8_t dst[6], src[6];
	uint8_t pfx[6];
	unsigned int pfx_len;
	uint16_t type;
};

struct send_spec {
	unsigned int n, len;
	bool srcinc;
	uint8_t dst[6], src[6];
	uint16_t tags[TAGS_PER_SEND][2];	/* TPID, TCI */
	unsigned int ntags;
	uint16_t type;
	bool type_set, hl, hl_reply;
	uint16_t hl_op;
	uint64_t hl_arg0;
};

static const char *name;
static uint16_t port;
static struct rte_mempool *mp;
static struct rte_ether_addr own;
static struct rx_rec *rx;
static uint64_t n_rx, n_tx, n_rx_hl, n_rx_tagged;
static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static time_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ---- receiving ------------------------------------------------------------ */

static uint16_t
be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool
is_tpid(uint16_t t)
{
	return t == RTE_ETHER_TYPE_VLAN || t == RTE_ETHER_TYPE_QINQ ||
	       t == RTE_ETHER_TYPE_QINQ1;
}

static void
record(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	struct rx_rec r = { .type = 0 };
	uint32_t off = 12, len = m->data_len;

	n_rx++;
	if (len < RTE_ETHER_HDR_LEN)
		return;
	memcpy(r.dst, p, 6);
	memcpy(r.src, p + 6, 6);
	while (off + 2 <= len && is_tpid(be16_at(p + off)) && r.ntags <= TAG_MAX) {
		r.ntags++;
		off += 4;
	}
	if (off + 2 <= len && r.ntags <= TAG_MAX)
		r.type = be16_at(p + off);
	n_rx_hl += r.type == HL_ETHERTYPE;
	n_rx_tagged += r.ntags > 0;
	if (n_rx <= RX_MAX)
		rx[n_rx - 1] = r;
}

static unsigned int
poll_rx(void)
{
	struct rte_mbuf *pkts[32];
	uint16_t n = rte_eth_rx_burst(port, 0, pkts, RTE_DIM(pkts));

	for (uint16_t i = 0; i < n; i++)
		record(pkts[i]);
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

static bool
matches(const struct match *mt, const struct rx_rec *r)
{
	if (mt->any)
		return true;
	if (mt->dst_set && memcmp(mt->dst, r->dst, 6) != 0)
		return false;
	if (mt->src_set && memcmp(mt->src, r->src, 6) != 0)
		return false;
	if (mt->pfx_len > 0 && memcmp(mt->pfx, r->src, mt->pfx_len) != 0)
		return false;
	if (mt->type_set && mt->type != r->type)
		return false;
	return !mt->tagged || r->ntags > 0;
}

static uint64_t
count_matching(const struct match *mt)
{
	uint64_t k = 0, n = n_rx < RX_MAX ? n_rx : RX_MAX;

	for (uint64_t i = 0; i < n; i++)
		k += matches(mt, &rx[i]);
	return k;
}

/* ---- script parsing ----------------------------------------------------------- */

static int
parse_mac(const char *s, uint8_t *mac)
{
	struct rte_ether_addr a;

	if (rte_ether_unformat_addr(s, &a) < 0)
		return -1;
	memcpy(mac, a.addr_bytes, 6);
	return 0;
}

static int
parse_u64(const char *s, int base, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, base);
	return errno != 0 || end == s || *end != '\0' || *v > max ? -1 : 0;
}

static int
parse_hex16(const char *s, uint16_t *v)
{
	uint64_t x;

	if (parse_u64(s, 16, UINT16_MAX, &x) < 0)
		return -1;
	*v = (uint16_t)x;
	return 0;
}

/* srcpfx=XX:XX:XX: one to six octets. */
static int
parse_pfx(const char *s, struct match *mt)
{
	unsigned int i = 0;

	while (i < 6) {
		char *end;
		unsigned long o = strtoul(s, &end, 16);

		if (end == s || o > 0xff)
			return -1;
		mt->pfx[i++] = (uint8_t)o;
		if (*end == '\0')
			break;
		if (*end != ':')
			return -1;
		s = end + 1;
	}
	mt->pfx_len = i;
	return 0;
}

static int
parse_match_word(const char *w, struct match *mt)
{
	if (strcmp(w, "hostlane") == 0) {
		mt->type_set = true;
		mt->type = HL_ETHERTYPE;
		return 0;
	}
	if (strcmp(w, "tagged") == 0) {
		mt->tagged = true;
		return 0;
	}
	if (strcmp(w, "any") == 0) {
		mt->any = true;
		return 0;
	}
	if (strncmp(w, "dst=", 4) == 0) {
		mt->dst_set = true;
		return parse_mac(w + 4, mt->dst);
	}
	if (strncmp(w, "src=", 4) == 0) {
		mt->src_set = true;
		return parse_mac(w + 4, mt->src);
	}
	if (strncmp(w, "srcpfx=", 7) == 0)
		return parse_pfx(w + 7, mt);
	if (strncmp(w, "type=", 5) == 0) {
		mt->type_set = true;
		return parse_hex16(w + 5, &mt->type);
	}
	return -1;
}

static int
parse_match(char **words, int n, struct match *mt)
{
	memset(mt, 0, sizeof(*mt));
	for (int i = 0; i < n; i++)
		if (parse_match_word(words[i], mt) < 0) {
			fprintf(stderr, "%s: bad match '%s'\n", name, words[i]);
			return -1;
		}
	return 0;
}

/* hl=OPCODE[,reply][,arg0=N] */
static int
parse_hl(char *s, struct send_spec *sp)
{
	char *save = NULL, *tok = strtok_r(s, ",", &save);
	uint64_t v;

	if (tok == NULL || parse_u64(tok, 0, UINT16_MAX, &v) < 0)
		return -1;
	sp->hl = true;
	sp->hl_op = (uint16_t)v;
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		if (strcmp(tok, "reply") == 0)
			sp->hl_reply = true;
		else if (strncmp(tok, "arg0=", 5) == 0 &&
			 parse_u64(tok + 5, 0, UINT64_MAX, &sp->hl_arg0) == 0)
			continue;
		else
			return -1;
	}
	return 0;
}

static int
parse_tag(const char *s, struct send_spec *sp)
{
	char tpid[8];
	uint64_t vid;
	const char *colon = strchr(s, ':');

	if (colon == NULL || colon - s >= (long)sizeof(tpid) || sp->ntags >= TAGS_PER_SEND)
		return -1;
	memcpy(tpid, s, (size_t)(colon - s));
	tpid[colon - s] = '\0';
	if (parse_hex16(tpid, &sp->tags[sp->ntags][0]) < 0 ||
	    parse_u64(colon + 1, 0, 4095, &vid) < 0)
		return -1;
	sp->tags[sp->ntags++][1] = (uint16_t)vid;
	return 0;
}

static int
parse_count(const char *s, unsigned int max, unsigned int *out)
{
	uint64_t v;

	if (parse_u64(s, 0, max, &v) < 0)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int
parse_send_word(char *w, struct send_spec *sp)
{
	if (strcmp(w, "srcinc") == 0) {
		sp->srcinc = true;
		return 0;
	}
	if (strncmp(w, "n=", 2) == 0)
		return parse_count(w + 2, 100000000, &sp->n);
	if (strncmp(w, "len=", 4) == 0)
		return parse_count(w + 4, FRAME_MAX, &sp->len);
	if (strncmp(w, "dst=", 4) == 0)
		return parse_mac(w + 4, sp->dst);
	if (strncmp(w, "src=", 4) == 0)
		return parse_mac(w + 4, sp->src);
	if (strncmp(w, "tag=", 4) == 0)
		return parse_tag(w + 4, sp);
	if (strncmp(w, "type=", 5) == 0) {
		sp->type_set = true;
		return parse_hex16(w + 5, &sp->type);
	}
	if (strncmp(w, "hl=", 3) == 0)
		return parse_hl(w + 3, sp);
	return -1;
}

/* ---- sending -------------------------------------------------------------------- */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Build frame i of a send into buf; returns its length. */
static unsigned int
build(const struct send_spec *sp, unsigned int i, uint8_t *buf)
{
	unsigned int off = 12;

	memset(buf, 0, FRAME_MAX);
	memcpy(buf, sp->dst, 6);
	memcpy(buf + 6, sp->src, 6);
	if (sp->srcinc) {
		uint32_t low = ((uint32_t)buf[9] << 16 | (uint32_t)buf[10] << 8 | buf[11]) + i;

		buf[9] = (uint8_t)(low >> 16);
		buf[10] = (uint8_t)(low >> 8);
		buf[11] = (uint8_t)low;
	}
	for (unsigned int t = 0; t < sp->ntags; t++, off += 4) {
		put16(buf + off, sp->tags[t][0]);
		put16(buf + off + 2, sp->tags[t][1]);
	}
	put16(buf + off, sp->type_set ? sp->type : sp->hl ? HL_ETHERTYPE : 0x0800);
	off += 2;
	if (sp->hl) {
		struct hl_wire_hdr h = {
			.magic = HL_MAGIC, .version = HL_PROTO_VERSION,
			.opcode = sp->hl_op, .req_id = i + 1, .arg0 = sp->hl_arg0,
			.flags = sp->hl_reply ? HL_F_REPLY : 0,
			.state = sp->hl_reply ? HL_FN_DONE : HL_FN_NONE,
		};

		memcpy(buf + off, &h, sizeof(h));
		off += sizeof(h);
	}
	return off > sp->len ? off : sp->len;
}

static int
tx_one(const uint8_t *frame, unsigned int len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	time_t deadline = now_s() + TX_WAIT_S;
	char *p;

	if (m == NULL || (p = rte_pktmbuf_append(m, (uint16_t)len)) == NULL) {
		fprintf(stderr, "%s: no mbuf\n", name);
		rte_pktmbuf_free(m);
		return -1;
	}
	memcpy(p, frame, len);
	/* Backpressure, not a retry: hostlane empties the virtqueue. */
	while (rte_eth_tx_burst(port, 0, &m, 1) == 0) {
		poll_rx();
		if (quit || now_s() > deadline) {
			fprintf(stderr, "%s: virtqueue full for %d s\n", name, TX_WAIT_S);
			rte_pktmbuf_free(m);
			return -1;
		}
		sleep_us(100);
	}
	n_tx++;
	poll_rx();
	return 0;
}

static int
cmd_send(char **w, int n)
{
	struct send_spec sp = { .n = 1, .len = 64 };
	uint8_t buf[FRAME_MAX];

	memset(sp.dst, 0xff, 6);
	memcpy(sp.src, own.addr_bytes, 6);
	for (int i = 0; i < n; i++)
		if (parse_send_word(w[i], &sp) < 0) {
			fprintf(stderr, "%s: bad send word '%s'\n", name, w[i]);
			return -1;
		}
	for (unsigned int i = 0; i < sp.n; i++)
		if (tx_one(buf, build(&sp, i, buf)) < 0)
			return -1;
	return 0;
}

static int
cmd_raw(char **w, int n)
{
	uint8_t buf[FRAME_MAX];
	size_t len = 0, hex;
	uint64_t copies = 1;

	if (n < 1 || (hex = strlen(w[0])) % 2 != 0 || hex / 2 > FRAME_MAX ||
	    (n == 2 && (strncmp(w[1], "n=", 2) != 0 ||
			parse_u64(w[1] + 2, 0, 100000000, &copies) < 0)) || n > 2) {
		fprintf(stderr, "%s: raw HEX [n=N]\n", name);
		return -1;
	}
	for (; len < hex / 2; len++) {
		char byte[3] = { w[0][2 * len], w[0][2 * len + 1], '\0' };
		uint64_t v;

		if (parse_u64(byte, 16, 0xff, &v) < 0) {
			fprintf(stderr, "%s: raw: bad hex\n", name);
			return -1;
		}
		buf[len] = (uint8_t)v;
	}
	for (uint64_t i = 0; i < copies; i++)
		if (tx_one(buf, (unsigned int)len) < 0)
			return -1;
	return 0;
}

static int
cmd_wait(char **w, int n)
{
	struct match mt;
	uint64_t want, got = 0;
	time_t deadline = now_s() + WAIT_S;

	if (n < 1 || parse_u64(w[0], 0, RX_MAX, &want) < 0 ||
	    parse_match(w + 1, n - 1, &mt) < 0)
		return -1;
	while (!quit && now_s() <= deadline) {
		got = count_matching(&mt);
		if (got >= want)
			return 0;
		if (poll_rx() == 0)
			sleep_us(200);
	}
	fprintf(stderr, "%s: wait %s: %" PRIu64 " of %" PRIu64 " frames in %d s\n",
		name, n > 1 ? w[1] : "", got, want, WAIT_S);
	exit(3);
}

static int
cmd_waitfile(char **w, int n)
{
	time_t deadline = now_s() + WAIT_S;

	if (n != 1)
		return -1;
	while (!quit && now_s() <= deadline) {
		if (access(w[0], F_OK) == 0)
			return 0;
		if (poll_rx() == 0)
			sleep_us(1000);
	}
	fprintf(stderr, "%s: waitfile %s: not there in %d s\n", name, w[0], WAIT_S);
	exit(3);
}

static int
cmd_count(char **w, int n)
{
	struct match mt;

	if (n < 2 || parse_match(w + 1, n - 1, &mt) < 0)
		return -1;
	while (poll_rx() > 0)
		;
	printf("%s: count %s=%" PRIu64 "\n", name, w[0], count_matching(&mt));
	return 0;
}

static int
run_line(char *line)
{
	char *w[64], *save = NULL, *tok;
	int n = 0;

	line[strcspn(line, "#\n")] = '\0';
	for (tok = strtok_r(line, " \t", &save); tok != NULL && n < (int)RTE_DIM(w);
	     tok = strtok_r(NULL, " \t", &save))
		w[n++] = tok;
	if (n == 0)
		return 0;
	if (strcmp(w[0], "send") == 0)
		return cmd_send(w + 1, n - 1);
	if (strcmp(w[0], "raw") == 0)
		return cmd_raw(w + 1, n - 1);
	if (strcmp(w[0], "wait") == 0)
		return cmd_wait(w + 1, n - 1);
	if (strcmp(w[0], "waitfile") == 0)
		return cmd_waitfile(w + 1, n - 1);
	if (strcmp(w[0], "count") == 0)
		return cmd_count(w + 1, n - 1);
	if (strcmp(w[0], "echo") == 0) {
		printf("%s:", name);
		for (int i = 1; i < n; i++)
			printf(" %s", w[i]);
		printf("\n");
		return 0;
	}
	fprintf(stderr, "%s: unknown command '%s'\n", name, w[0]);
	return -1;
}

static int
run_script(const char *path)
{
	char line[4096];
	unsigned int no = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "%s: %s: %s\n", name, path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		no++;
		if (run_line(line) < 0) {
			fprintf(stderr, "%s: %s:%u: failed\n", name, path, no);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* ---- set-up ------------------------------------------------------------------------ */

static int
eal_start(const char *sock, const char *mac)
{
	char prefix[64], vdev[512];
	char *argv[] = {
		"hostile_vhost", "--lcores", "0@0", "--no-pci", "--no-huge", "-m", "256",
		/* virtio_user hands its memory to the backend: memfd, not
		 * hugepages, and no shared config for other processes. */
		"--no-shconf", "--no-telemetry", "--file-prefix", prefix,
		"--log-level=*:error", "--vdev", vdev, NULL,
	};

	snprintf(prefix, sizeof(prefix), "hl-vev-%s-%d", name, (int)getpid());
	/* A ring that holds every frame a test sends it, even unpolled. */
	if ((size_t)snprintf(vdev, sizeof(vdev), "virtio_user0,path=%s,mac=%s,"
			     "queues=1,queue_size=%u", sock, mac, RING) >= sizeof(vdev))
		return -1;
	return rte_eal_init((int)RTE_DIM(argv) - 1, argv);
}

static int
port_start(void)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_link link;
	time_t deadline = now_s() + WAIT_S;

	if (rte_eth_dev_count_avail() != 1)
		return -ENODEV;
	port = 0;
	mp = rte_pktmbuf_pool_create("vev", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL)
		return -rte_errno;
	if (rte_eth_dev_configure(port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(port, 0, RING, rte_socket_id(), NULL, mp) < 0 ||
	    rte_eth_tx_queue_setup(port, 0, RING, rte_socket_id(), NULL) < 0 ||
	    rte_eth_dev_start(port) < 0 || rte_eth_macaddr_get(port, &own) < 0)
		return -EIO;
	do {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
			return 0;
		sleep_us(10000);
	} while (!quit && now_s() <= deadline);
	return -ETIMEDOUT;
}

int
main(int argc, char **argv)
{
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: hostile_vhost NAME SOCKET MAC SCRIPT\n");
		return 2;
	}
	name = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	rx = calloc(RX_MAX, sizeof(*rx));
	if (rx == NULL || eal_start(argv[2], argv[3]) < 0) {
		fprintf(stderr, "%s: EAL: %s\n", name, rte_strerror(rte_errno));
		return 2;
	}
	rc = port_start();
	if (rc < 0) {
		fprintf(stderr, "%s: virtio_user port: %s\n", name, strerror(-rc));
		rte_eal_cleanup();
		return 2;
	}
	printf("%s: link up\n", name);
	rc = run_script(argv[4]);
	printf("%s: rx frames=%" PRIu64 " hostlane=%" PRIu64 " tagged=%" PRIu64 "\n",
	       name, n_rx, n_rx_hl, n_rx_tagged);
	printf("%s: tx frames=%" PRIu64 "\n", name, n_tx);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	free(rx);
	return rc < 0 ? 2 : 0;
}
