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
 *        [hl=OPCODE[,OPTION]...] [len=N]
 *       N frames (1): Ethernet header dst (broadcast) src (MAC; srcinc adds
 *       i to its last three octets in frame i), then the tags in order,
 *       then EtherType type (0800). hl= puts a hostlane header after it
 *       (type 88B5 unless given) with that opcode, then payload_len bytes
 *       of payload (zeros unless fn=). The frame is zero-padded to len
 *       bytes (64, at most 9000: a longer one than an mbuf holds leaves
 *       as a chain). hl= options:
 *         reply        HL_F_REPLY set (state DONE)
 *         arg0=N arg1=N  the arguments
 *         id=N         req_id of frame 0 (1); frame i gets id + i * idstep
 *         idstep=N     (1)
 *         idrand       a random req_id in every frame instead
 *         sess=N|last  session: N, or that of the last hostlane frame
 *                      received (0)
 *         plen=N       payload_len (0)
 *         fn=NAME      an FN_OPEN payload for NAME, placement SW (plen 40)
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
 *   show MATCH...
 *       Print the first 16 received frames that match, one a line.
 *   echo TEXT
 *       Print "NAME: TEXT".
 *   repeat PATH
 *   end
 *       Run the lines between again and again until PATH exists (looked
 *       at after each pass); fails (exit 3) if that takes longer than
 *       60 s. No nesting.
 *
 *   MATCH: dst=MAC, src=MAC, srcpfx=XX:XX:XX (first source octets),
 *   type=HEX (the EtherType behind all tags), hostlane (type 88B5),
 *   tagged (one tag or more), any (every frame), len=N (the whole frame's
 *   bytes); and of a whole hostlane header behind the tags: reply
 *   (HL_F_REPLY set), op=N, id=N (req_id), status=N, arg0=N.
 *
 * At the end it prints "NAME: rx frames=... hostlane=... tagged=..." and
 * "NAME: tx frames=...", and exits 0; 2 on a bad script or set-up error.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
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
#include <rte_random.h>

#include <hostlane/proto.h>

#define RX_MAX (1u << 20)	/* received frames remembered */
#define TAG_MAX 8		/* tags this tool looks through */
#define FRAME_MAX 9000		/* sent; chained beyond one mbuf */
#define WAIT_S 60
#define TX_WAIT_S 30
#define TAGS_PER_SEND 16
#define RING 1024		/* virtqueue entries */
#define SHOW_MAX 16
#define LINE_MAX_ 4096		/* of a script */

/* The hostlane header fields a match can name. */
struct rx_hl {
	uint16_t opcode, flags, status;
	uint32_t session;
	uint64_t req_id, arg0;
};

/* What the tool keeps of a received frame. */
struct rx_rec {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t type;		/* behind the tags; 0 with more than TAG_MAX */
	uint8_t ntags;
	bool hl;		/* h holds a whole hostlane header */
	uint32_t len;		/* pkt_len */
	struct rx_hl h;
};

struct match {
	bool dst_set, src_set, type_set, tagged, any, len_set;
	bool reply, op_set, id_set, status_set, arg0_set;
	uint8_t dst[6], src[6];
	uint8_t pfx[6];
	unsigned int pfx_len;
	uint16_t type, op, status;
	uint32_t len;
	uint64_t id, arg0;
};

struct send_spec {
	unsigned int n, len;
	bool srcinc;
	uint8_t dst[6], src[6];
	uint16_t tags[TAGS_PER_SEND][2];	/* TPID, TCI */
	unsigned int ntags;
	uint16_t type;
	bool type_set, hl, hl_reply, hl_idrand, hl_sess_last, hl_plen_set;
	uint16_t hl_op;
	uint32_t hl_sess, hl_plen;
	uint64_t hl_arg0, hl_arg1, hl_id, hl_idstep;
	char hl_fn[HL_FN_NAME_LEN];	/* "" for no FN_OPEN payload */
};

static const char *name;
static uint16_t port;
static struct rte_mempool *mp;
static struct rte_ether_addr own;
static struct rx_rec *rx;
static uint64_t n_rx, n_tx, n_rx_hl, n_rx_tagged;
static uint32_t last_session;	/* of the last hostlane frame received */
static char **lines;		/* the script */
static unsigned int n_lines, pc;	/* pc: the line running */
static struct {
	bool open;
	unsigned int start;	/* the `repeat` line */
	time_t deadline;
	char path[PATH_MAX];
} loop;
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
record_hl(struct rx_rec *r, const uint8_t *p)
{
	struct hl_wire_hdr h;

	memcpy(&h, p, sizeof(h));
	r->hl = true;
	r->h = (struct rx_hl){ .opcode = h.opcode, .flags = h.flags,
			       .status = h.status, .session = h.session,
			       .req_id = h.req_id, .arg0 = h.arg0 };
	last_session = h.session;
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
	r.len = m->pkt_len;
	if (r.type == HL_ETHERTYPE && off + 2 + HL_HDR_LEN <= len)
		record_hl(&r, p + off + 2);
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
matches_hl(const struct match *mt, const struct rx_rec *r)
{
	if (!(mt->reply || mt->op_set || mt->id_set || mt->status_set || mt->arg0_set))
		return true;
	return r->hl && (!mt->reply || (r->h.flags & HL_F_REPLY)) &&
	       (!mt->op_set || mt->op == r->h.opcode) &&
	       (!mt->id_set || mt->id == r->h.req_id) &&
	       (!mt->status_set || mt->status == r->h.status) &&
	       (!mt->arg0_set || mt->arg0 == r->h.arg0);
}

static bool
matches(const struct match *mt, const struct rx_rec *r)
{
	if (mt->any)
		return true;
	if (mt->len_set && mt->len != r->len)
		return false;
	if (!matches_hl(mt, r))
		return false;
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

/* len=, and the hostlane header's fields. */
static int
parse_match_hl(const char *w, struct match *mt)
{
	uint64_t v;

	if (strcmp(w, "reply") == 0) {
		mt->reply = true;
		return 0;
	}
	if (strncmp(w, "len=", 4) == 0 && parse_u64(w + 4, 0, UINT32_MAX, &v) == 0) {
		mt->len_set = true;
		mt->len = (uint32_t)v;
		return 0;
	}
	if (strncmp(w, "op=", 3) == 0 && parse_u64(w + 3, 0, UINT16_MAX, &v) == 0) {
		mt->op_set = true;
		mt->op = (uint16_t)v;
		return 0;
	}
	if (strncmp(w, "status=", 7) == 0 && parse_u64(w + 7, 0, UINT16_MAX, &v) == 0) {
		mt->status_set = true;
		mt->status = (uint16_t)v;
		return 0;
	}
	if (strncmp(w, "id=", 3) == 0) {
		mt->id_set = true;
		return parse_u64(w + 3, 0, UINT64_MAX, &mt->id);
	}
	if (strncmp(w, "arg0=", 5) == 0) {
		mt->arg0_set = true;
		return parse_u64(w + 5, 0, UINT64_MAX, &mt->arg0);
	}
	return -1;
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
	return parse_match_hl(w, mt);
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

/* The hl= options without a value; 1 if t is none of them. */
static int
parse_hl_flag(const char *t, struct send_spec *sp)
{
	if (strcmp(t, "reply") == 0)
		sp->hl_reply = true;
	else if (strcmp(t, "idrand") == 0)
		sp->hl_idrand = true;
	else if (strcmp(t, "sess=last") == 0)
		sp->hl_sess_last = true;
	else
		return 1;
	return 0;
}

/* One OPTION of hl=OPCODE[,OPTION]... (the usage above). */
static int
parse_hl_opt(const char *t, struct send_spec *sp)
{
	uint64_t v;

	if (parse_hl_flag(t, sp) == 0)
		return 0;
	if (strncmp(t, "arg0=", 5) == 0)
		return parse_u64(t + 5, 0, UINT64_MAX, &sp->hl_arg0);
	if (strncmp(t, "arg1=", 5) == 0)
		return parse_u64(t + 5, 0, UINT64_MAX, &sp->hl_arg1);
	if (strncmp(t, "id=", 3) == 0)
		return parse_u64(t + 3, 0, UINT64_MAX, &sp->hl_id);
	if (strncmp(t, "idstep=", 7) == 0)
		return parse_u64(t + 7, 0, UINT64_MAX, &sp->hl_idstep);
	if (strncmp(t, "sess=", 5) == 0 && parse_u64(t + 5, 0, UINT32_MAX, &v) == 0) {
		sp->hl_sess = (uint32_t)v;
		return 0;
	}
	if (strncmp(t, "plen=", 5) == 0 &&
	    parse_u64(t + 5, 0, FRAME_MAX - HL_FRAME_HDR_LEN, &v) == 0) {
		sp->hl_plen_set = true;
		sp->hl_plen = (uint32_t)v;
		return 0;
	}
	if (strncmp(t, "fn=", 3) == 0 && strlen(t + 3) < sizeof(sp->hl_fn)) {
		strcpy(sp->hl_fn, t + 3);
		return 0;
	}
	return -1;
}

static int
parse_hl(char *s, struct send_spec *sp)
{
	char *save = NULL, *tok = strtok_r(s, ",", &save);
	uint64_t v;

	if (tok == NULL || parse_u64(tok, 0, UINT16_MAX, &v) < 0)
		return -1;
	sp->hl = true;
	sp->hl_op = (uint16_t)v;
	while ((tok = strtok_r(NULL, ",", &save)) != NULL)
		if (parse_hl_opt(tok, sp) < 0)
			return -1;
	if (!sp->hl_plen_set && sp->hl_fn[0] != '\0')
		sp->hl_plen = sizeof(struct hl_fn_open);
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

/* The hostlane header and payload of frame i at p; returns their length. */
static unsigned int
build_hl(const struct send_spec *sp, unsigned int i, uint8_t *p)
{
	struct hl_wire_hdr h = {
		.magic = HL_MAGIC, .version = HL_PROTO_VERSION,
		.opcode = sp->hl_op, .arg0 = sp->hl_arg0, .arg1 = sp->hl_arg1,
		.req_id = sp->hl_idrand ? rte_rand() : sp->hl_id + i * sp->hl_idstep,
		.session = sp->hl_sess_last ? last_session : sp->hl_sess,
		.payload_len = sp->hl_plen,
		.flags = sp->hl_reply ? HL_F_REPLY : 0,
		.state = sp->hl_reply ? HL_FN_DONE : HL_FN_NONE,
	};

	memcpy(p, &h, sizeof(h));
	if (sp->hl_fn[0] != '\0') {
		struct hl_fn_open o = { .placement = HL_PLACE_SW };

		memcpy(o.name, sp->hl_fn, sizeof(o.name));
		memcpy(p + sizeof(h), &o, sizeof(o));
	}
	return (unsigned int)sizeof(h) + sp->hl_plen;
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
	if (sp->hl)
		off += build_hl(sp, i, buf + off);
	return off > sp->len ? off : sp->len;
}

/* The frame in one mbuf, or in a chain when it is longer than one holds. */
static struct rte_mbuf *
frame_mbuf(const uint8_t *frame, unsigned int len)
{
	struct rte_mbuf *head = NULL, *m;
	unsigned int off = 0;

	do {
		uint16_t n;
		char *p;

		m = rte_pktmbuf_alloc(mp);
		if (m == NULL)
			break;
		n = (uint16_t)RTE_MIN(len - off, (unsigned int)rte_pktmbuf_tailroom(m));
		p = rte_pktmbuf_append(m, n);
		memcpy(p, frame + off, n);
		if (head == NULL) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) < 0) {
			rte_pktmbuf_free(m);
			break;
		}
		off += n;
	} while (off < len);
	if (off == len)
		return head;
	rte_pktmbuf_free(head);
	return NULL;
}

static int
tx_one(const uint8_t *frame, unsigned int len)
{
	struct rte_mbuf *m = frame_mbuf(frame, len);
	time_t deadline = now_s() + TX_WAIT_S;

	if (m == NULL) {
		fprintf(stderr, "%s: no mbuf\n", name);
		return -1;
	}
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

/* Bytes build() writes before the padding. */
static size_t
headers_len(const struct send_spec *sp)
{
	size_t n = RTE_ETHER_HDR_LEN + 4u * sp->ntags;

	if (sp->hl)
		n += HL_HDR_LEN + RTE_MAX(sp->hl_plen, (uint32_t)sizeof(struct hl_fn_open));
	return n;
}

static int
cmd_send(char **w, int n)
{
	struct send_spec sp = { .n = 1, .len = 64, .hl_id = 1, .hl_idstep = 1 };
	uint8_t buf[FRAME_MAX];

	memset(sp.dst, 0xff, 6);
	memcpy(sp.src, own.addr_bytes, 6);
	for (int i = 0; i < n; i++)
		if (parse_send_word(w[i], &sp) < 0) {
			fprintf(stderr, "%s: bad send word '%s'\n", name, w[i]);
			return -1;
		}
	if (headers_len(&sp) > FRAME_MAX) {
		fprintf(stderr, "%s: send: headers and payload over %u bytes\n",
			name, FRAME_MAX);
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
	fprintf(stderr, "%s: wait %s: %" PRIu64 " of %" PRIu64 " frames in %d s "
		"(received %" PRIu64 ", hostlane %" PRIu64 ", tagged %" PRIu64 ")\n",
		name, n > 1 ? w[1] : "", got, want, WAIT_S, n_rx, n_rx_hl, n_rx_tagged);
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

static void
show_one(const struct rx_rec *r)
{
	printf("%s: frame len=%u type=%04x tags=%u", name, r->len, r->type, r->ntags);
	if (r->hl)
		printf(" op=%u flags=%#x status=%u session=%#x id=%#" PRIx64
		       " arg0=%" PRIu64, r->h.opcode, r->h.flags, r->h.status,
		       r->h.session, r->h.req_id, r->h.arg0);
	printf("\n");
}

static int
cmd_show(char **w, int n)
{
	struct match mt;
	uint64_t k = 0, all = n_rx < RX_MAX ? n_rx : RX_MAX;

	if (parse_match(w, n, &mt) < 0)
		return -1;
	while (poll_rx() > 0)
		;
	for (uint64_t i = 0; i < all && k < SHOW_MAX; i++)
		if (matches(&mt, &rx[i])) {
			show_one(&rx[i]);
			k++;
		}
	return 0;
}

static int
cmd_repeat(char **w, int n)
{
	if (n != 1 || loop.open || strlen(w[0]) >= sizeof(loop.path))
		return -1;
	loop.open = true;
	loop.start = pc;
	loop.deadline = now_s() + WAIT_S;
	strcpy(loop.path, w[0]);
	return 0;
}

static int
cmd_end(int n)
{
	if (n != 0 || !loop.open)
		return -1;
	if (quit || access(loop.path, F_OK) == 0) {
		loop.open = false;
		return 0;
	}
	if (now_s() > loop.deadline) {
		fprintf(stderr, "%s: repeat %s: not there in %d s\n", name, loop.path, WAIT_S);
		exit(3);
	}
	pc = loop.start;	/* the line after `repeat` runs next */
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
	if (strcmp(w[0], "show") == 0)
		return cmd_show(w + 1, n - 1);
	if (strcmp(w[0], "repeat") == 0)
		return cmd_repeat(w + 1, n - 1);
	if (strcmp(w[0], "end") == 0)
		return cmd_end(n - 1);
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

/* The script's lines, all read first: `end` runs some of them again. */
static int
load_script(const char *path)
{
	char line[LINE_MAX_];
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "%s: %s: %s\n", name, path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char **more = realloc(lines, (n_lines + 1) * sizeof(*lines));

		if (more == NULL || (more[n_lines] = strdup(line)) == NULL) {
			lines = more != NULL ? more : lines;
			fclose(f);
			return -1;
		}
		lines = more;
		n_lines++;
	}
	fclose(f);
	return 0;
}

static int
run_script(const char *path)
{
	char line[LINE_MAX_];
	int rc = load_script(path);

	while (rc == 0 && pc < n_lines) {
		snprintf(line, sizeof(line), "%s", lines[pc]);
		rc = run_line(line);
		pc++;
	}
	if (rc == 0 && loop.open) {
		fprintf(stderr, "%s: repeat without end\n", name);
		rc = -1;
	}
	if (rc < 0)	/* pc is the failed line's number now */
		fprintf(stderr, "%s: %s:%u: failed\n", name, path, pc);
	for (unsigned int i = 0; i < n_lines; i++)
		free(lines[i]);
	free(lines);
	return rc;
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
	struct rte_eth_dev_info info;
	struct rte_eth_link link;
	time_t deadline = now_s() + WAIT_S;

	if (rte_eth_dev_count_avail() != 1)
		return -ENODEV;
	port = 0;
	mp = rte_pktmbuf_pool_create("vev", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL)
		return -rte_errno;
	/* Frames longer than an mbuf leave as chains. */
	if (rte_eth_dev_info_get(port, &info) == 0)
		conf.txmode.offloads = info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
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
