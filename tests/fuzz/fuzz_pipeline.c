/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the request pipeline (dataplane/pipeline.c) with the
 * real function manager (control/manager.c) and the software backend —
 * one guest's request stream from decoder to reply, as an I/O lcore and
 * the main lcore serve it, in one thread.
 *
 * Input: records of
 *   u8  ctl   bit 0: build the frame (else the bytes are the raw frame)
 *             bit 1: the session is one the guest was given (else raw u32)
 *             bit 2: end of burst: hand the burst to dp_pipe_rx() and run
 *                    the manager and dp_pipe_poll()
 *             bit 4: (on the record that ends a burst) the burst did not
 *                    come from a memif connection (g->rx_rt NULL)
 *             bit 5: (built) an FN_CALL_BULK whose payload the harness
 *                    builds, see below
 *             bit 6: (built) a STATS_REPORT whose payload the harness
 *                    builds, see below
 *             bit 7: the guest's vf_role flips (none <-> eligible) before
 *                    this frame; each input starts eligible
 *   u16 len   frame length (raw) or payload length (built), mod 2200
 *   built: u8 opcode (mod 13; 12 is STATS_REPORT), u8 session index or u32
 *          session, u64 arg0, u64 arg1, u16 flags (kept only if ctl bit
 *          3), then the payload
 *   built bulk (bit 5): the same header fields (opcode and len ignored),
 *          then u8 sel and a struct hl_bulk: region = sel & 3; unless sel
 *          bit 2, offsets and lengths are cut to 17 bits (around the bulk
 *          region's 64 KiB); unless sel bit 3, reserved fields are 0
 *   built report (bit 6): the same header fields (opcode ignored), then
 *          u8 sel: count = (sel & 15) % 10 entries (9: one too many); unless sel
 *          bit 4, payload_len is HL_STATS_REPORT_LEN(count) (else the
 *          record's len, zero-padded past the struct); unless sel bit 5, reserved fields are 0; then per
 *          entry u8 name (below 0xF0: "eth" and name % 3, so names repeat;
 *          else 16 raw bytes follow) and four u32 counters
 *   raw: the frame
 * Each input is one connection (a new epoch; the manager forgets the last).
 * The guest is a memif guest: each burst is handed over with g->rx_rt set
 * to the connection, as dp_guest_poll() does. Its regions: 0 holds the S2C
 * ring and buffers, 1 is a 64 KiB bulk region between PROT_NONE pages.
 * Replies are collected from the S2C ring through the real
 * dp_memif_tx_burst().
 *
 * A bulk call naming region 0 gets out_cap 0 from the harness: a guest may
 * have its own rings overwritten (tests/hostile does that), but then the
 * replies this oracle reads would be gone.
 *
 * The main lcore's clock, for reports, is the harness's: 100 ms a cycle,
 * with report_interval_ms 250 and a 1 Gbit/s line, so that rate limits and
 * ceilings are reached and every run of an input judges the same.
 *
 * Checked beyond the sanitizers: every reply is a well-formed hostlane
 * reply; each built request (unique req_id) is answered exactly once once
 * the pipeline is drained; calls in flight stay within max_inflight and
 * sessions within max_sessions; no mbuf or hand-off message is lost. Bulk
 * calls: HELLO offers max_bulk; a bulk reply has no payload; an accepted
 * one obeyed every rule (region, ranges in 64 bits, no overlap, lengths,
 * reserved fields) and wrote at most out_cap bytes; nothing in the bulk
 * region changed but what accepted calls wrote at their output; no job
 * holds the connection's memory once drained. Reports: the allocator's
 * hook is called once per accepted report (an OK reply) and never
 * otherwise, its series never goes back, and it never claims more than
 * the ceiling allows over the time the accepted reports span; no report
 * stays with the main lcore once drained.
 */
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define HL_FUZZ_WITH_EAL
#include "fuzz_common.h"
#include "app.h"
#include "capture.h"
#include "guest.h"
#include "manager.h"
#include "pipeline.h"
#include "pvswitch.h"
#include "report.h"

#define LOG2_S2C 8u
#define S2C_SLOTS (1u << LOG2_S2C)
#define BUF_OFF 8192u
#define REGION (BUF_OFF + S2C_SLOTS * HL_FRAME_MAX)
#define MAX_SESS 4u
#define MAX_INFL 8u
#define MAX_FRAMES 256u
#define REQ_BASE 0x1000000000ull
#define RAW_BASE 0x8000000000000000ull
#define N_MSGS 1023u
#define BULK_SIZE (64u << 10)
#define PAGE 4096u
#define OPCODE_AT offsetof(struct hl_frame_hdr, hl.opcode)
#define REQ_ID_AT offsetof(struct hl_frame_hdr, hl.req_id)
#define TICK_MS 100u
#define REPORT_INTERVAL_MS 250u
#define LINE_MBPS 1000u

static struct rte_mempool *mp, *msg_pool;
static struct dp_pipe pipe_;
static struct dp_config cfg;
static struct ctl_mgr *mgr;
static struct dp_guest g;
static struct dp_memif_rt rt;
static struct dp_session sessions[MAX_SESS];
static uint8_t *region;
static uint8_t *bulk;		/* region 1 */
static uint8_t bulk_init[BULK_SIZE];	/* what each input starts with */
static uint8_t bulk_want[BULK_SIZE];	/* what it must hold now */
static unsigned int base_mbufs;
static uint32_t epoch;
static struct dp_app app;	/* what dp_report_serve() looks at */
static struct dp_report_limits lim;

/* Per input: the main lcore's clock and what the allocator's hook saw. */
static uint64_t now_ms;
static uint64_t first_ok_ms, last_ok_ms;
static unsigned int hook_calls, report_oks;
static uint64_t hook_pkts, hook_bytes;

/* One frame of the input, by its req_id: REQ_BASE + k built, RAW_BASE + k
 * raw (the harness rewrites raw frames' req_id; hostlane only echoes it). */
struct sent {
	uint8_t built;
	uint8_t answered;
	uint8_t bulk;		/* FN_CALL_BULK with a 32-byte payload: b */
	struct hl_bulk b;
};

/* Per input. */
static struct sent sent[MAX_FRAMES];
static unsigned int n_sent;
static uint32_t known[16];
static unsigned int n_known;

/* The allocator's side of the guest_report hook: a series that only grows. */
static void
report_hook(void *arg, unsigned int guest, uint64_t pkts, uint64_t bytes)
{
	(void)arg;
	FUZZ_CHECK(guest == 0, "report hook for guest %u", guest);
	FUZZ_CHECK(pkts >= hook_pkts && bytes >= hook_bytes,
		   "report series went back: %llu/%llu after %llu/%llu",
		   (unsigned long long)pkts, (unsigned long long)bytes,
		   (unsigned long long)hook_pkts, (unsigned long long)hook_bytes);
	if (hook_calls++ == 0)
		first_ok_ms = now_ms;
	last_ok_ms = now_ms;
	hook_pkts = pkts;
	hook_bytes = bytes;
}

/* Ordinary (non-hostlane) frames: no PV switch here; dropped and counted. */
void
dp_pvs_guest_rx(struct dp_guest *gu, struct rte_mbuf **pkts, uint16_t n)
{
	gu->fast.st.handler_drops += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

/* No capture runs here (g.fast.cap stays NULL): reaching this is a bug. */
uint16_t
dp_cap_guest_tx(struct dp_cap *c, struct dp_guest *gu, struct rte_mbuf **pkts,
		uint16_t n)
{
	(void)c;
	(void)gu;
	(void)pkts;
	(void)n;
	FUZZ_CHECK(0, "a capture ran in the pipeline harness");
	return 0;
}

static void
post_s2c(void)
{
	struct memif_ring *r = rt.s2c.ring;

	for (uint16_t i = 0; i < S2C_SLOTS; i++) {
		uint16_t slot = (uint16_t)(rt.s2c.last + i);

		r->desc[slot & rt.s2c.mask] = (struct memif_desc){
			.region = 0, .length = HL_FRAME_MAX,
			.offset = BUF_OFF + (slot & rt.s2c.mask) * HL_FRAME_MAX };
	}
	r->head = (uint16_t)(rt.s2c.last + S2C_SLOTS);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct dp_guest_conf *gc;
	int wake;

	(void)argc;
	(void)argv;
	cfg.max_guests = 1;
	cfg.guests = calloc(1, sizeof(*cfg.guests));
	if (cfg.guests == NULL)
		abort();
	gc = &cfg.guests[0];
	fuzz_eal_start("fuzz_pipeline");
	mp = rte_pktmbuf_pool_create("fuzz_pipe", 4095, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	msg_pool = rte_mempool_create("fuzz_msgs", N_MSGS, sizeof(struct dp_fnmsg),
				      0, 0, NULL, NULL, NULL, NULL,
				      rte_socket_id(), 0);
	wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mp == NULL || msg_pool == NULL || wake < 0 ||
	    dp_pipe_init(&pipe_, rte_lcore_id(), msg_pool, wake, 4096, 1000, NULL) != 0)
		abort();

	/* One guest, small limits so that quotas and capacity are reachable. */
	cfg.n_guests = 1;
	cfg.function_capacity = 6;
	cfg.max_repetitions = 1000;
	snprintf(gc->name, sizeof(gc->name), "fuzz");
	snprintf(gc->handler, sizeof(gc->handler), "hostlane");
	gc->max_sessions = MAX_SESS;
	gc->max_inflight = MAX_INFL;
	gc->max_chain = 4;
	gc->max_frame = 4096;
	gc->vf_role = DP_VF_ELIGIBLE;
	cfg.report_interval_ms = REPORT_INTERVAL_MS;
	cfg.report_line_rate_mbps = LINE_MBPS;
	dp_report_limits(REPORT_INTERVAL_MS, LINE_MBPS, &lim);
	app.cfg = &cfg;
	app.hooks.guest_report = report_hook;
	for (unsigned int id = 1; id <= FPGA_FN_COUNT; id++)
		gc->fn_allowed |= FPGA_FN_BIT(id);
	mgr = ctl_mgr_create(&cfg);

	region = aligned_alloc(64, REGION);
	if (mgr == NULL || region == NULL)
		abort();
	memset(region, 0, REGION);
	rt.s2c = (struct dp_memif_q){ .ring = (struct memif_ring *)region,
		.size = S2C_SLOTS, .mask = S2C_SLOTS - 1, .intr_fd = -1 };
	rt.s2c.ring->cookie = MEMIF_COOKIE;
	rt.s2c.ring->flags = MEMIF_RING_FLAG_MASK_INT;
	/* The bulk region, between PROT_NONE pages: the backend that reads
	 * and writes it is not ASan-instrumented, so a stray access faults. */
	bulk = mmap(NULL, BULK_SIZE + 2 * PAGE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bulk == MAP_FAILED)
		abort();
	bulk += PAGE;
	if (mprotect(bulk, BULK_SIZE, PROT_READ | PROT_WRITE) != 0)
		abort();
	for (uint32_t i = 0; i < BULK_SIZE; i++)
		bulk_init[i] = (uint8_t)(i * 131 + 7);
	rt.n_regions = 2;
	rt.regions[0] = (struct dp_memif_region){ region, REGION };
	rt.regions[1] = (struct dp_memif_region){ bulk, BULK_SIZE };
	rt.max_chain = 4;
	rt.max_frame = 4096;
	post_s2c();

	for (unsigned int i = 0; i < MAX_SESS; i++)
		sessions[i].out = malloc(HL_PAYLOAD_MAX);
	g.fast.rt = &rt;
	g.fast.mp = mp;
	g.pl.pipe = &pipe_;
	g.fast.chan = DP_CHAN_MEMIF;
	g.idx = 0;
	memcpy(g.mac, "\x02\x00\x00\x00\x00\x01", 6);
	g.pl.sessions = sessions;
	g.conf = gc;
	g.conn.active = 1;
	base_mbufs = rte_mempool_in_use_count(mp);
	return 0;
}

/* HELLO over memif offers bulk calls of up to HL_BULK_MAX bytes. */
static void
check_hello(const uint8_t *p, uint32_t len)
{
	struct hl_hello hello;

	FUZZ_CHECK(len == sizeof(hello), "HELLO reply of %u bytes", len);
	memcpy(&hello, p, sizeof(hello));
	FUZZ_CHECK(hello.max_bulk == HL_BULK_MAX, "memif HELLO max_bulk %u",
		   hello.max_bulk);
}

/* [off, off + len) inside size bytes, in exact arithmetic. */
static int
fits(uint64_t off, uint64_t len, uint64_t size)
{
	return (unsigned __int128)off + len <= size;
}

/* The rules of docs/security.md "Bulk calls", written out again. */
static int
bulk_legal(const struct hl_bulk *b)
{
	uint64_t size;

	if (b->reserved0 != 0 || b->reserved1 != 0 || b->in_len > HL_BULK_MAX ||
	    b->out_cap > HL_BULK_MAX || b->region >= rt.n_regions)
		return 0;
	size = rt.regions[b->region].size;
	if (!fits(b->in_off, b->in_len, size) || !fits(b->out_off, b->out_cap, size))
		return 0;
	return b->in_len == 0 || b->out_cap == 0 ||
	       b->in_off + b->in_len <= b->out_off || b->out_off + b->out_cap <= b->in_off;
}

static const struct sent *
sent_by_id(uint64_t req_id)
{
	if (req_id >= REQ_BASE && req_id < REQ_BASE + n_sent)
		return &sent[req_id - REQ_BASE];
	if (req_id >= RAW_BASE && req_id < RAW_BASE + n_sent)
		return &sent[req_id - RAW_BASE];
	return NULL;
}

/* A bulk reply: no payload; if accepted, by the rules, within out_cap; what
 * it wrote in the bulk region (it is done by now) is what must be there. */
static void
check_bulk_reply(const struct hl_frame_hdr *h)
{
	const struct sent *sn = sent_by_id(h->hl.req_id);

	FUZZ_CHECK(h->hl.payload_len == 0, "bulk reply with %u payload bytes",
		   h->hl.payload_len);
	if (h->hl.status != HL_OK)
		return;
	FUZZ_CHECK(sn != NULL && sn->bulk, "accepted bulk call %#llx not sent as one",
		   (unsigned long long)h->hl.req_id);
	FUZZ_CHECK(bulk_legal(&sn->b), "accepted bulk call: region %u in %#llx+%u "
		   "out %#llx+%u reserved %u/%u", sn->b.region,
		   (unsigned long long)sn->b.in_off, sn->b.in_len,
		   (unsigned long long)sn->b.out_off, sn->b.out_cap,
		   sn->b.reserved0, sn->b.reserved1);
	FUZZ_CHECK(h->hl.arg1 <= sn->b.out_cap, "%llu bytes written, room %u",
		   (unsigned long long)h->hl.arg1, sn->b.out_cap);
	if (sn->b.region == 1)
		memcpy(bulk_want + sn->b.out_off, bulk + sn->b.out_off, h->hl.arg1);
}

/* Read the replies hostlane put on S2C since the last look. */
static void
collect(void)
{
	struct memif_ring *r = rt.s2c.ring;
	uint16_t slot = (uint16_t)(r->head - S2C_SLOTS);

	FUZZ_CHECK(rt.fault == 0, "pipeline broke its own S2C ring: %u", rt.fault);
	for (; slot != rt.s2c.last; slot++) {
		const struct memif_desc *d = &r->desc[slot & rt.s2c.mask];
		const uint8_t *f = region + d->offset;
		struct hl_frame_hdr h;

		FUZZ_CHECK(!(d->flags & MEMIF_DESC_FLAG_NEXT), "reply over two buffers");
		/* A reply echoes the request's version, opcode and reserved
		 * fields (an error reply to a bad one too): check the framing. */
		FUZZ_CHECK(d->length >= HL_FRAME_HDR_LEN, "reply of %u bytes", d->length);
		memcpy(&h, f, sizeof(h));
		FUZZ_CHECK(h.eth.ethertype == __builtin_bswap16(HL_ETHERTYPE) &&
			   h.hl.magic == HL_MAGIC, "reply without EtherType or magic");
		FUZZ_CHECK(h.hl.payload_len <= HL_PAYLOAD_MAX &&
			   HL_FRAME_HDR_LEN + h.hl.payload_len == d->length,
			   "reply payload %u in %u bytes", h.hl.payload_len, d->length);
		FUZZ_CHECK(h.hl.flags & HL_F_REPLY, "reply without the reply flag");
		FUZZ_CHECK(hl_proto_status_on_wire(h.hl.status), "status %u",
			   h.hl.status);
		FUZZ_CHECK(memcmp(h.eth.src, g.mac, 6) == 0, "reply from another MAC");
		if (h.hl.status != HL_OK)
			FUZZ_CHECK(h.hl.payload_len == 0 || h.hl.opcode == HL_OP_HELLO,
				   "error reply with %u payload bytes", h.hl.payload_len);
		if (h.hl.opcode == HL_OP_HELLO && h.hl.status == HL_OK)
			check_hello(f + HL_FRAME_HDR_LEN, h.hl.payload_len);
		if (h.hl.opcode == HL_OP_FN_CALL_BULK)
			check_bulk_reply(&h);
		if (h.hl.opcode == HL_OP_STATS_REPORT && h.hl.status == HL_OK)
			report_oks++;
		if (h.hl.req_id >= REQ_BASE && h.hl.req_id < REQ_BASE + n_sent &&
		    sent[h.hl.req_id - REQ_BASE].built) {
			unsigned int k = (unsigned int)(h.hl.req_id - REQ_BASE);

			FUZZ_CHECK(sent[k].answered == 0, "request %u answered twice", k);
			sent[k].answered = 1;
		}
		if (h.hl.opcode == HL_OP_FN_OPEN && h.hl.status == HL_OK &&
		    n_known < 16)
			known[n_known++] = h.hl.session;
	}
	post_s2c();
}

/* The main lcore's turn, then the I/O lcore's. */
static void
cycle(void)
{
	struct dp_fnmsg *msgs[64];
	unsigned int n;

	now_ms += TICK_MS;
	while ((n = rte_ring_dequeue_burst(pipe_.to_mgr, (void **)msgs, 64, NULL)) > 0) {
		for (unsigned int k = 0; k < n; k++) {
			if (msgs[k]->op != DP_FNMSG_REPORT) {
				ctl_mgr_handle(mgr, msgs[k]);
				continue;
			}
			FUZZ_CHECK(g.pl.reports_out <= DP_REPORT_INFLIGHT,
				   "%u reports with the main lcore", g.pl.reports_out);
			msgs[k]->rx_ms = now_ms;
			dp_report_serve(&app, msgs[k]);
		}
		rte_ring_enqueue_bulk(pipe_.from_mgr, (void **)msgs, n, NULL);
	}
	dp_pipe_poll(&pipe_);
	collect();
	FUZZ_CHECK(g.pl.inflight <= MAX_INFL, "%u calls in flight", g.pl.inflight);
	FUZZ_CHECK(rt.bulk_inflight <= g.pl.inflight, "%u bulk jobs, %u calls in flight",
		   rt.bulk_inflight, g.pl.inflight);
	FUZZ_CHECK(ctl_mgr_sessions(mgr, 0) <= MAX_SESS, "%u sessions",
		   ctl_mgr_sessions(mgr, 0));
}

/* The payload of a harness-built bulk call (ctl bit 5). */
static void
bulk_payload(struct fuzz_in *in, struct hl_bulk *b)
{
	uint8_t sel = fuzz_u8(in);

	fuzz_take(in, b, sizeof(*b));
	b->region = sel & 3;
	if (!(sel & 4)) {
		b->in_off &= 0x1FFFF;
		b->out_off &= 0x1FFFF;
		b->in_len &= 0x1FFFF;
		b->out_cap &= 0x1FFFF;
	}
	if (!(sel & 8))
		b->reserved0 = b->reserved1 = 0;
}

/* A name for a report entry: "eth0".."eth2" (so some repeat) or raw bytes. */
static void
report_name(struct fuzz_in *in, char name[HL_IFNAME_LEN])
{
	uint8_t sel = fuzz_u8(in);

	memset(name, 0, HL_IFNAME_LEN);
	if (sel < 0xF0)
		snprintf(name, HL_IFNAME_LEN, "eth%u", sel % 3u);
	else
		fuzz_take(in, name, HL_IFNAME_LEN);
}

/* The payload of a harness-built report (ctl bit 6); its length. */
static uint32_t
report_payload(struct fuzz_in *in, struct hl_stats_report *r, uint32_t len)
{
	uint8_t sel = fuzz_u8(in);
	uint32_t count = (sel & 0x0Fu) % 10u;

	memset(r, 0, sizeof(*r));
	r->count = (uint16_t)count;
	if (sel & 0x20) {
		r->reserved0 = fuzz_u16(in);
		r->reserved1 = fuzz_u32(in);
	}
	for (uint32_t i = 0; i < count && i < HL_REPORT_IFS_MAX; i++) {
		report_name(in, r->ifs[i].name);
		r->ifs[i].rx_packets = fuzz_u32(in);
		r->ifs[i].tx_packets = fuzz_u32(in);
		r->ifs[i].rx_bytes = fuzz_u32(in);
		r->ifs[i].tx_bytes = fuzz_u32(in);
	}
	if (sel & 0x10)
		return len;
	return count <= HL_REPORT_IFS_MAX ? HL_STATS_REPORT_LEN(count) :
	       (uint32_t)sizeof(*r);
}

/* Opcode v of a built request: 0..11 as they are, 12 the report. */
static uint16_t
built_opcode(uint8_t v)
{
	v %= 13;
	return v == 12 ? HL_OP_STATS_REPORT : v;
}

/*
 * Remember frame k's bulk payload, if it is a bulk call, for the reply
 * oracle; one naming region 0 (the S2C ring's) gets no output room.
 */
static void
note_bulk(struct rte_mbuf *m, unsigned int k)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct hl_bulk b;

	if (m->data_len < HL_FRAME_HDR_LEN + sizeof(b) || p[OPCODE_AT] != HL_OP_FN_CALL_BULK ||
	    p[OPCODE_AT + 1] != 0)
		return;
	memcpy(&b, p + HL_FRAME_HDR_LEN, sizeof(b));
	if (b.region == 0) {
		b.out_cap = 0;
		memcpy(p + HL_FRAME_HDR_LEN, &b, sizeof(b));
	}
	sent[k].bulk = 1;
	sent[k].b = b;
}

static struct rte_mbuf *
frame(struct fuzz_in *in, uint8_t ctl)
{
	uint16_t len = fuzz_u16(in) % 2200;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	unsigned int k = n_sent;
	struct hl_stats_report rep;
	struct hl_frame_hdr h;
	struct hl_bulk b;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	memset(&sent[k], 0, sizeof(sent[k]));
	n_sent++;
	if (!(ctl & 1)) {
		uint64_t id = RAW_BASE + k;

		p = (uint8_t *)rte_pktmbuf_append(m, len > HL_FRAME_MAX ? HL_FRAME_MAX : len);
		if (p == NULL)
			abort();
		fuzz_take(in, p, m->data_len);
		/* Keep raw frames out of the req_ids the oracle counts. */
		if (m->data_len >= REQ_ID_AT + 8)
			memcpy(p + REQ_ID_AT, &id, sizeof(id));
		note_bulk(m, k);
		return m;
	}
	hl_proto_hdr_init(&h, g.mac, (const uint8_t *)"\x02\x00\x00\x00\x00\x02",
			  built_opcode(fuzz_u8(in)), 0, REQ_BASE + k);
	if (ctl & 2)
		h.hl.session = n_known > 0 ? known[fuzz_u8(in) % n_known] : 0;
	else
		h.hl.session = fuzz_u32(in);
	fuzz_take(in, &h.hl.arg0, sizeof(h.hl.arg0));
	fuzz_take(in, &h.hl.arg1, sizeof(h.hl.arg1));
	h.hl.flags = fuzz_u16(in);
	if (!(ctl & 8))
		h.hl.flags = 0;
	len %= HL_PAYLOAD_MAX + 1;
	if (ctl & 0x20) {
		h.hl.opcode = HL_OP_FN_CALL_BULK;
		len = sizeof(b);
	} else if (ctl & 0x40) {
		h.hl.opcode = HL_OP_STATS_REPORT;
		len = (uint16_t)report_payload(in, &rep, len);
	}
	h.hl.payload_len = len;
	p = (uint8_t *)rte_pktmbuf_append(m, HL_FRAME_HDR_LEN + len);
	if (p == NULL)
		abort();
	memcpy(p, &h, sizeof(h));
	if (ctl & 0x20) {
		bulk_payload(in, &b);
		memcpy(p + HL_FRAME_HDR_LEN, &b, sizeof(b));
	} else if (ctl & 0x40) {
		memset(p + HL_FRAME_HDR_LEN, 0, len);
		memcpy(p + HL_FRAME_HDR_LEN, &rep, RTE_MIN((size_t)len, sizeof(rep)));
	} else {
		fuzz_take(in, p + HL_FRAME_HDR_LEN, len);
	}
	note_bulk(m, k);
	sent[k].built = 1;
	return m;
}

/* One burst, as dp_guest_poll() hands it over: rx_rt is the connection. */
static void
rx(struct rte_mbuf **burst, unsigned int n, uint8_t ctl)
{
	g.fast.rx_rt = (ctl & 0x10) ? NULL : &rt;
	dp_pipe_rx(&g, burst, (uint16_t)n);
	g.fast.rx_rt = NULL;
	cycle();
}

/* Only accepted bulk calls wrote in the bulk region, and only at their
 * output, before their reply. (memcmp first: a byte loop here would cost
 * more than the rest of the input.) */
static void
check_bulk_region(void)
{
	uint32_t i = 0;

	if (memcmp(bulk, bulk_want, BULK_SIZE) == 0)
		return;
	while (bulk[i] == bulk_want[i])
		i++;
	FUZZ_CHECK(0, "bulk region byte %u written outside an accepted output", i);
}

/* The hook saw exactly the accepted reports, and no more than the line. */
static void
check_reports(void)
{
	uint64_t span = last_ok_ms - first_ok_ms;

	FUZZ_CHECK(g.pl.reports_out == 0, "%u reports never answered", g.pl.reports_out);
	FUZZ_CHECK(hook_calls == report_oks, "hook called %u times, %u reports accepted",
		   hook_calls, report_oks);
	FUZZ_CHECK(hook_calls == g.conn.slow.report_accepted, "hook %u, counted %llu",
		   hook_calls, (unsigned long long)g.conn.slow.report_accepted);
	FUZZ_CHECK(hook_pkts <= lim.max_pps * span / 1000 &&
		   hook_bytes <= lim.max_bytes_ps * span / 1000,
		   "%llu frames, %llu bytes claimed in %llu ms",
		   (unsigned long long)hook_pkts, (unsigned long long)hook_bytes,
		   (unsigned long long)span);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct rte_mbuf *burst[DP_BURST];
	unsigned int nb = 0, frames = 0;

	n_sent = 0;
	n_known = 0;
	now_ms = 0;
	hook_calls = report_oks = 0;
	hook_pkts = hook_bytes = 0;
	first_ok_ms = last_ok_ms = 0;
	memset(&g.conn.report, 0, sizeof(g.conn.report));
	memset(&g.conn.slow, 0, sizeof(g.conn.slow));
	cfg.guests[0].vf_role = DP_VF_ELIGIBLE;
	memcpy(bulk, bulk_init, BULK_SIZE);
	memcpy(bulk_want, bulk_init, BULK_SIZE);
	dp_guest_new_epoch(&g, ++epoch);
	rt.epoch = epoch;

	while (in.n > 0 && frames < MAX_FRAMES && n_sent < MAX_FRAMES) {
		uint8_t ctl = fuzz_u8(&in);
		struct rte_mbuf *m;

		if (ctl & 0x80)
			cfg.guests[0].vf_role = cfg.guests[0].vf_role == DP_VF_NONE ?
						DP_VF_ELIGIBLE : DP_VF_NONE;
		m = frame(&in, ctl);

		frames++;
		if (m != NULL)
			burst[nb++] = m;
		if ((ctl & 4) || nb == DP_BURST || in.n == 0) {
			rx(burst, nb, ctl);
			nb = 0;
		}
	}
	if (nb > 0)
		rx(burst, nb, 0);
	/* Drain: the software backend finishes every call within a few polls. */
	for (int i = 0; i < 1000 && (g.pl.inflight > 0 ||
				     rte_mempool_in_use_count(msg_pool) > 0); i++)
		cycle();
	for (unsigned int k = 0; k < n_sent; k++)
		FUZZ_CHECK(!sent[k].built || sent[k].answered,
			   "built request %u never answered", k);
	FUZZ_CHECK(g.pl.inflight == 0, "%u calls still in flight", g.pl.inflight);
	FUZZ_CHECK(rt.bulk_inflight == 0, "%u bulk jobs still hold the connection",
		   rt.bulk_inflight);
	check_bulk_region();
	FUZZ_CHECK(rte_mempool_in_use_count(msg_pool) == 0, "%u hand-off messages lost",
		   rte_mempool_in_use_count(msg_pool));
	check_reports();
	FUZZ_CHECK(rte_mempool_in_use_count(mp) == base_mbufs, "%u mbufs leaked",
		   rte_mempool_in_use_count(mp) - base_mbufs);
	/* The connection ends: the manager releases what it reserved. */
	ctl_mgr_guest_gone(mgr, 0, epoch);
	FUZZ_CHECK(ctl_mgr_sessions(mgr, 0) == 0, "sessions survive the guest");
	return 0;
}
