/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the memif fast path over a synthetic guest region. The test
 * plays the guest; the regions sit between PROT_NONE guard pages so that any
 * access the server makes outside them kills the test with SIGSEGV.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "memif_ring.h"
#include "unit_check.h"

#define PAGE 4096u
#define R0_SIZE (1u << 20)	/* rings and buffers */
#define R1_SIZE PAGE		/* a small second region */
#define C2S_OFF 0u
#define S2C_OFF 1024u
#define BUF_BASE 4096u
#define LOG2 5u
#define RING_SLOTS (1u << LOG2)
#define MAX_CHAIN 8u
#define MAX_FRAME 9000u
#define MAX_WANT 40
#define BIG_SIZE ((uint64_t)1 << 32)	/* a 4 GiB region, for 32-bit sums */
#define SEG_ROOM (RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM)


static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* ---- the fixture: the guest's memory and the server's view of it -------- */

struct frame {
	uint8_t *data;
	uint32_t len;
};

struct fx {
	uint8_t *map;			/* guard | r0 | guard | r1 | guard */
	size_t map_len;
	uint8_t *r0, *r1;
	struct rte_mempool *mp;
	int efd_c2s, efd_s2c;

	/* Reset for each case. */
	struct dp_memif_rt rt;
	struct dp_guest_stats st;
	struct memif_ring *c2s, *s2c;
	uint16_t start;			/* first index of the case */
	uint16_t c2s_head, s2c_head;	/* the guest's next slots */
	uint32_t next_buf;		/* bump allocator in r0 */
	unsigned int seed;
	struct frame want[MAX_WANT];	/* frames that must come out */
	unsigned int n_want;
	struct rte_mbuf *tx[MAX_WANT];	/* frames to send */
	unsigned int n_tx;
	uint32_t posted_off[RING_SLOTS];	/* S2C buffers, by slot */
	uint32_t posted_cap[RING_SLOTS];
};

static void
fx_open(struct fx *f, struct rte_mempool *mp)
{
	memset(f, 0, sizeof(*f));
	f->map_len = PAGE + R0_SIZE + PAGE + R1_SIZE + PAGE;
	f->map = mmap(NULL, f->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (f->map == MAP_FAILED)
		die("mmap");
	f->r0 = f->map + PAGE;
	f->r1 = f->r0 + R0_SIZE + PAGE;
	if (mprotect(f->r0, R0_SIZE, PROT_READ | PROT_WRITE) < 0 ||
	    mprotect(f->r1, R1_SIZE, PROT_READ | PROT_WRITE) < 0)
		die("mprotect");
	f->mp = mp;
	f->efd_c2s = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->efd_s2c = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (f->efd_c2s < 0 || f->efd_s2c < 0)
		die("eventfd");
}

static void
fx_close(struct fx *f)
{
	munmap(f->map, f->map_len);
	close(f->efd_c2s);
	close(f->efd_s2c);
}

static void
fx_reset(struct fx *f)
{
	uint64_t junk;

	for (unsigned int i = 0; i < f->n_want; i++)
		free(f->want[i].data);
	f->n_want = 0;
	f->n_tx = 0;
	memset(f->r0, 0, R0_SIZE);
	memset(f->r1, 0, R1_SIZE);
	while (read(f->efd_s2c, &junk, sizeof(junk)) == sizeof(junk))
		;
	memset(&f->rt, 0, sizeof(f->rt));
	memset(&f->st, 0, sizeof(f->st));
	f->c2s = (struct memif_ring *)(f->r0 + C2S_OFF);
	f->s2c = (struct memif_ring *)(f->r0 + S2C_OFF);
	f->c2s->cookie = MEMIF_COOKIE;
	f->s2c->cookie = MEMIF_COOKIE;
	f->c2s->flags = MEMIF_RING_FLAG_MASK_INT;
	/* Slots the guest never posted hold junk the server must not touch. */
	memset(f->s2c->desc, 0xee, RING_SLOTS * sizeof(struct memif_desc));
	f->rt.c2s = (struct dp_memif_q){ .ring = f->c2s, .size = RING_SLOTS,
		.mask = RING_SLOTS - 1, .intr_fd = f->efd_c2s };
	f->rt.s2c = (struct dp_memif_q){ .ring = f->s2c, .size = RING_SLOTS,
		.mask = RING_SLOTS - 1, .intr_fd = f->efd_s2c };
	f->rt.n_regions = 2;
	f->rt.regions[0] = (struct dp_memif_region){ f->r0, R0_SIZE };
	f->rt.regions[1] = (struct dp_memif_region){ f->r1, R1_SIZE };
	f->rt.max_chain = MAX_CHAIN;
	f->rt.max_frame = MAX_FRAME;
	f->start = 0;
	f->c2s_head = f->s2c_head = 0;
	f->next_buf = BUF_BASE;
	f->seed = 1;
}

/* Start both rings at index idx, as after earlier traffic. */
static void
fx_start_at(struct fx *f, uint16_t idx)
{
	f->start = f->c2s_head = f->s2c_head = idx;
	f->rt.c2s.last = f->rt.s2c.last = idx;
	f->c2s->head = f->c2s->tail = idx;
	f->s2c->head = f->s2c->tail = idx;
}

static uint32_t
buf_alloc(struct fx *f, uint32_t len)
{
	uint32_t off = f->next_buf;

	f->next_buf += (len + 63) & ~63u;
	if (f->next_buf > R0_SIZE)
		die("test buffers exhausted r0");
	return off;
}

static void
pattern(uint8_t *p, uint32_t len, unsigned int seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

static void
want_frame(struct fx *f, const uint8_t *data, uint32_t len)
{
	struct frame *w = &f->want[f->n_want++];

	w->data = malloc(len + 1);
	if (w->data == NULL)
		die("malloc");
	memcpy(w->data, data, len);
	w->len = len;
}

/* ---- the guest, C2S side ------------------------------------------------- */

static void
c2s_desc(struct fx *f, uint16_t region, uint32_t off, uint32_t len, uint16_t flags)
{
	struct memif_desc *d = &f->c2s->desc[f->c2s_head++ & (RING_SLOTS - 1)];

	d->region = region;
	d->offset = off;
	d->length = len;
	d->flags = flags;
	d->metadata = 0;
}

/* A frame of len bytes split over n descriptors in r0; expected out if keep. */
static void
c2s_frame(struct fx *f, uint32_t len, unsigned int n, bool keep)
{
	uint8_t *tmp = malloc(len + 1);
	uint32_t done = 0;

	if (tmp == NULL)
		die("malloc");
	pattern(tmp, len, f->seed++);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t part = i + 1 == n ? len - done : len / n;
		uint32_t off = buf_alloc(f, part);

		memcpy(f->r0 + off, tmp + done, part);
		c2s_desc(f, 0, off, part, i + 1 < n ? MEMIF_DESC_FLAG_NEXT : 0);
		done += part;
	}
	if (keep)
		want_frame(f, tmp, len);
	free(tmp);
}

static void
c2s_publish(struct fx *f)
{
	/* Release: descriptors and buffers before the head, as a guest must. */
	__atomic_store_n(&f->c2s->head, f->c2s_head, __ATOMIC_RELEASE);
}

/* ---- RX cases ------------------------------------------------------------ */

static void
rx_empty(struct fx *f)
{
	c2s_publish(f);
}

static void
rx_one(struct fx *f)
{
	c2s_frame(f, 60, 1, true);
	c2s_publish(f);
}

static void
rx_three(struct fx *f)
{
	c2s_frame(f, 60, 1, true);
	c2s_frame(f, 1514, 1, true);
	c2s_frame(f, RTE_ETHER_HDR_LEN, 1, true);
	c2s_publish(f);
}

static void
rx_chain3(struct fx *f)
{
	c2s_frame(f, 300, 3, true);
	c2s_publish(f);
}

static void
rx_chain_max(struct fx *f)
{
	c2s_frame(f, 800, MAX_CHAIN, true);
	c2s_publish(f);
}

static void
rx_big_single(struct fx *f)
{
	c2s_frame(f, 5000, 1, true);
	c2s_publish(f);
}

static void
rx_big_chain(struct fx *f)
{
	c2s_frame(f, MAX_FRAME, 5, true);
	c2s_publish(f);
}

static void
rx_seg_exact(struct fx *f)
{
	c2s_frame(f, SEG_ROOM, 1, true);
	c2s_frame(f, SEG_ROOM + 1, 2, true);
	c2s_publish(f);
}

static void
rx_runt(struct fx *f)
{
	c2s_frame(f, RTE_ETHER_HDR_LEN - 1, 1, false);
	c2s_publish(f);
}

static void
rx_runts_mixed(struct fx *f)
{
	c2s_frame(f, 1, 1, false);
	c2s_frame(f, 64, 1, true);
	c2s_frame(f, 10, 2, false);	/* 5 + 5: a chained runt */
	c2s_desc(f, 0, BUF_BASE, 0, 0);	/* empty frame */
	c2s_frame(f, 128, 2, true);
	c2s_publish(f);
}

static void
rx_zero_at_end(struct fx *f)
{
	c2s_desc(f, 0, R0_SIZE, 0, 0);	/* empty, at the very end: no read */
	c2s_publish(f);
}

static void
rx_last_bytes(struct fx *f)
{
	pattern(f->r0 + R0_SIZE - 64, 64, 77);
	want_frame(f, f->r0 + R0_SIZE - 64, 64);
	c2s_desc(f, 0, R0_SIZE - 64, 64, 0);
	pattern(f->r1, R1_SIZE, 78);
	want_frame(f, f->r1, R1_SIZE);
	c2s_desc(f, 1, 0, R1_SIZE, 0);
	c2s_publish(f);
}

static void
rx_five(struct fx *f)
{
	for (unsigned int i = 0; i < 5; i++)
		c2s_frame(f, 100 + i, 1, i < 2);
	c2s_publish(f);
}

static void
rx_full_ring(struct fx *f)
{
	for (unsigned int i = 0; i < RING_SLOTS; i++)
		c2s_frame(f, 64 + i, 1, true);
	c2s_publish(f);
}

static void
rx_wrap(struct fx *f)
{
	fx_start_at(f, 65530);
	for (unsigned int i = 0; i < 6; i++)
		c2s_frame(f, 70 + i, 1 + i % 3, true);
	c2s_publish(f);
}

static void
rx_head_jump(struct fx *f)
{
	c2s_frame(f, 60, 1, false);
	__atomic_store_n(&f->c2s->head, RING_SLOTS + 1, __ATOMIC_RELEASE);
}

static void
rx_head_back(struct fx *f)
{
	fx_start_at(f, 10);
	__atomic_store_n(&f->c2s->head, 9, __ATOMIC_RELEASE);
}

static void
rx_head_max(struct fx *f)
{
	__atomic_store_n(&f->c2s->head, 0xffff, __ATOMIC_RELEASE);
}

static void
rx_bad_region(struct fx *f)
{
	c2s_desc(f, 2, BUF_BASE, 64, 0);
	c2s_publish(f);
}

static void
rx_bad_region_max(struct fx *f)
{
	c2s_desc(f, 0xffff, 0, 64, 0);
	c2s_publish(f);
}

static void
rx_off_past(struct fx *f)
{
	c2s_desc(f, 0, R0_SIZE, 1, 0);
	c2s_publish(f);
}

static void
rx_off_wrap(struct fx *f)
{
	c2s_desc(f, 0, 0xFFFFFFF0u, 0x20, 0);
	c2s_publish(f);
}

static void
rx_len_past(struct fx *f)
{
	c2s_desc(f, 0, 0, R0_SIZE + 1, 0);
	c2s_publish(f);
}

static void
rx_len_one_past(struct fx *f)
{
	c2s_desc(f, 0, R0_SIZE - 64, 65, 0);
	c2s_publish(f);
}

static void
rx_r1_past(struct fx *f)
{
	/* In bounds for region 0, not for region 1. */
	c2s_desc(f, 1, 4000, 200, 0);
	c2s_publish(f);
}

static void
rx_len_max(struct fx *f)
{
	c2s_desc(f, 0, 64, 0xFFFFFFFFu, 0);
	c2s_publish(f);
}

static void
rx_chain_long(struct fx *f)
{
	for (unsigned int i = 0; i < MAX_CHAIN + 2; i++)
		c2s_desc(f, 0, BUF_BASE, 20, i <= MAX_CHAIN ? MEMIF_DESC_FLAG_NEXT : 0);
	c2s_publish(f);
}

static void
rx_chain_one_more(struct fx *f)
{
	c2s_frame(f, 900, MAX_CHAIN + 1, false);
	c2s_publish(f);
}

static void
rx_chain_open(struct fx *f)
{
	for (unsigned int i = 0; i < 3; i++)
		c2s_desc(f, 0, BUF_BASE, 20, MEMIF_DESC_FLAG_NEXT);
	c2s_publish(f);
}

static void
rx_chain_open_full(struct fx *f)
{
	/* A whole ring of NEXT with max_chain above the ring size. */
	f->rt.max_chain = 64;
	for (unsigned int i = 0; i < RING_SLOTS; i++)
		c2s_desc(f, 0, BUF_BASE, 1, MEMIF_DESC_FLAG_NEXT);
	c2s_publish(f);
}

static void
rx_frame_long(struct fx *f)
{
	c2s_frame(f, MAX_FRAME + 1, 1, false);
	c2s_publish(f);
}

static void
rx_frame_long_chain(struct fx *f)
{
	c2s_frame(f, 10000, 5, false);
	c2s_publish(f);
}

static void
rx_good_then_bad(struct fx *f)
{
	c2s_frame(f, 60, 1, true);
	c2s_frame(f, 200, 2, true);
	c2s_desc(f, 0, 0xFFFFFFF0u, 0x20, 0);
	c2s_frame(f, 60, 1, false);
	c2s_publish(f);
}

/*
 * A second descriptor whose length makes a 32-bit frame total wrap. Region
 * 1 claims 4 GiB but starts at the guard page before r0: the length check
 * must refuse the descriptor before a byte of it is read, and a server that
 * copied from it would fault at its first byte. No 4 GiB need be mapped.
 */
static void
rx_total_wrap(struct fx *f)
{
	f->rt.regions[1] = (struct dp_memif_region){ f->map, BIG_SIZE };
	c2s_desc(f, 0, BUF_BASE, 64, MEMIF_DESC_FLAG_NEXT);
	c2s_desc(f, 1, 0, (uint32_t)(BIG_SIZE - 64), 0);
	c2s_publish(f);
}

struct rx_case {
	const char *name;
	void (*setup)(struct fx *f);
	uint16_t max;
	uint16_t want_ret;
	enum dp_memif_reason want_fault;
	uint16_t want_consumed;		/* tail - start */
	uint64_t want_runts;
	uint64_t want_nombuf;
};

#define R(x) DP_MEMIF_R_##x

static const struct rx_case rx_cases[] = {
	{ "empty ring", rx_empty, 32, 0, R(NONE), 0, 0, 0 },
	{ "one frame", rx_one, 32, 1, R(NONE), 1, 0, 0 },
	{ "three frames", rx_three, 32, 3, R(NONE), 3, 0, 0 },
	{ "chain of 3", rx_chain3, 32, 1, R(NONE), 3, 0, 0 },
	{ "chain of max_chain", rx_chain_max, 32, 1, R(NONE), MAX_CHAIN, 0, 0 },
	{ "5000 B in one desc: multi-seg", rx_big_single, 32, 1, R(NONE), 1, 0, 0 },
	{ "max_frame over 5 descs", rx_big_chain, 32, 1, R(NONE), 5, 0, 0 },
	{ "one mbuf exactly, and one byte more", rx_seg_exact, 32, 2, R(NONE), 3, 0, 0 },
	{ "runt", rx_runt, 32, 0, R(NONE), 1, 1, 0 },
	{ "runts between frames", rx_runts_mixed, 32, 2, R(NONE), 7, 3, 0 },
	{ "empty desc at region end", rx_zero_at_end, 32, 0, R(NONE), 1, 1, 0 },
	{ "last bytes of each region", rx_last_bytes, 32, 2, R(NONE), 2, 0, 0 },
	{ "burst limit", rx_five, 2, 2, R(NONE), 2, 0, 0 },
	{ "full ring", rx_full_ring, 64, RING_SLOTS, R(NONE), RING_SLOTS, 0, 0 },
	{ "indices wrap 65535 -> 0", rx_wrap, 32, 6, R(NONE), 12, 0, 0 },
	{ "head jumps by size + 1", rx_head_jump, 32, 0, R(C2S_HEAD), 0, 0, 0 },
	{ "head moves backwards", rx_head_back, 32, 0, R(C2S_HEAD), 0, 0, 0 },
	{ "head 0xffff", rx_head_max, 32, 0, R(C2S_HEAD), 0, 0, 0 },
	{ "desc region == n_regions", rx_bad_region, 32, 0, R(DESC_REGION), 0, 0, 0 },
	{ "desc region 0xffff", rx_bad_region_max, 32, 0, R(DESC_REGION), 0, 0, 0 },
	{ "desc offset at region end", rx_off_past, 32, 0, R(DESC_BOUNDS), 0, 0, 0 },
	{ "desc offset+length wraps 32 bits", rx_off_wrap, 32, 0, R(DESC_BOUNDS), 0, 0, 0 },
	{ "desc length > region", rx_len_past, 32, 0, R(DESC_BOUNDS), 0, 0, 0 },
	{ "desc one byte past region", rx_len_one_past, 32, 0, R(DESC_BOUNDS), 0, 0, 0 },
	{ "desc past small region 1", rx_r1_past, 32, 0, R(DESC_BOUNDS), 0, 0, 0 },
	{ "desc length 0xffffffff", rx_len_max, 32, 0, R(DESC_BOUNDS), 0, 0, 0 },
	{ "chain longer than max_chain", rx_chain_long, 32, 0, R(CHAIN_LONG), 0, 0, 0 },
	{ "chain of max_chain + 1", rx_chain_one_more, 32, 0, R(CHAIN_LONG), 0, 0, 0 },
	{ "chain runs into head", rx_chain_open, 32, 0, R(CHAIN_OPEN), 0, 0, 0 },
	{ "chain fills the ring", rx_chain_open_full, 32, 0, R(CHAIN_OPEN), 0, 0, 0 },
	{ "frame > max_frame, one desc", rx_frame_long, 32, 0, R(FRAME_LONG), 0, 0, 0 },
	{ "frame > max_frame, chained", rx_frame_long_chain, 32, 0, R(FRAME_LONG), 0, 0, 0 },
	{ "good frames, then a fault", rx_good_then_bad, 32, 2, R(DESC_BOUNDS), 3, 0, 0 },
	{ "frame total wraps 32 bits", rx_total_wrap, 1, 0, R(FRAME_LONG), 0, 0, 0 },
};

static unsigned int
segs_for(uint32_t len)
{
	return len == 0 ? 1 : (len + SEG_ROOM - 1) / SEG_ROOM;
}

static void
check_mbuf(const char *what, unsigned int k, struct rte_mbuf *m,
	   const struct frame *w)
{
	static uint8_t buf[16384];
	const char *why = NULL;
	const uint8_t *p;

	CHECK(what, rte_mbuf_check(m, 1, &why) == 0, "frame %u: bad mbuf: %s", k,
	      why != NULL ? why : "?");
	CHECK(what, m->pkt_len == w->len, "frame %u: %u bytes, want %u", k,
	      m->pkt_len, w->len);
	CHECK(what, m->nb_segs == segs_for(w->len), "frame %u: %u segments, want %u",
	      k, m->nb_segs, segs_for(w->len));
	if (m->pkt_len != w->len)
		return;
	p = rte_pktmbuf_read(m, 0, w->len, buf);
	CHECK(what, p != NULL && memcmp(p, w->data, w->len) == 0,
	      "frame %u: bytes differ", k);
}

static void
run_rx(struct fx *f, const struct rx_case *c, unsigned int base_in_use)
{
	struct rte_mbuf *pkts[64];
	uint64_t bytes = 0;
	uint16_t n;

	fx_reset(f);
	c->setup(f);
	n = dp_memif_rx_burst(&f->rt, f->mp, pkts, c->max, &f->st);
	CHECK(c->name, n == c->want_ret, "returned %u, want %u", n, c->want_ret);
	CHECK(c->name, f->rt.fault == c->want_fault, "fault %s, want %s",
	      dp_memif_reason_name(f->rt.fault), dp_memif_reason_name(c->want_fault));
	CHECK(c->name, (uint16_t)(f->c2s->tail - f->start) == c->want_consumed &&
	      f->rt.c2s.last == f->c2s->tail,
	      "consumed %u (last %u), want %u", (uint16_t)(f->c2s->tail - f->start),
	      (uint16_t)(f->rt.c2s.last - f->start), c->want_consumed);
	for (unsigned int k = 0; k < n && k < f->n_want; k++) {
		check_mbuf(c->name, k, pkts[k], &f->want[k]);
		bytes += f->want[k].len;
	}
	CHECK(c->name, f->st.rx_frames == n && f->st.rx_bytes == bytes,
	      "rx_frames %" PRIu64 " rx_bytes %" PRIu64 ", want %u and %" PRIu64,
	      f->st.rx_frames, f->st.rx_bytes, n, bytes);
	CHECK(c->name, f->st.rx_runts == c->want_runts, "rx_runts %" PRIu64 ", want %" PRIu64,
	      f->st.rx_runts, c->want_runts);
	CHECK(c->name, f->st.rx_nombuf == c->want_nombuf, "rx_nombuf %" PRIu64 ", want %" PRIu64,
	      f->st.rx_nombuf, c->want_nombuf);
	CHECK(c->name, f->st.tx_frames == 0 && f->st.tx_kicks == 0,
	      "rx touched tx counters");
	rte_pktmbuf_free_bulk(pkts, n);
	CHECK(c->name, rte_mempool_in_use_count(f->mp) == base_in_use,
	      "%u mbufs in use after freeing, want %u",
	      rte_mempool_in_use_count(f->mp), base_in_use);
}

/* Draining a ring in small bursts gives the same frames, in order. */
static void
test_rx_bursts(struct fx *f, unsigned int base_in_use)
{
	static const char *const what = "rx in bursts of 3";
	struct rte_mbuf *pkts[3];
	unsigned int got = 0, calls = 0;
	uint16_t n;

	fx_reset(f);
	fx_start_at(f, 65520);
	for (unsigned int i = 0; i < 20; i++)
		c2s_frame(f, 60 + i * 50, 1 + i % 2, true);
	c2s_publish(f);
	while ((n = dp_memif_rx_burst(&f->rt, f->mp, pkts, 3, &f->st)) > 0 &&
	       calls++ < 20) {
		for (unsigned int k = 0; k < n && got + k < f->n_want; k++)
			check_mbuf(what, got + k, pkts[k], &f->want[got + k]);
		got += n;
		rte_pktmbuf_free_bulk(pkts, n);
	}
	CHECK(what, got == 20 && f->rt.fault == 0, "got %u frames, fault %s", got,
	      dp_memif_reason_name(f->rt.fault));
	CHECK(what, f->c2s->tail == f->c2s_head, "tail %u, head %u",
	      f->c2s->tail, f->c2s_head);
	CHECK(what, rte_mempool_in_use_count(f->mp) == base_in_use,
	      "mbufs leaked");
}

/* An empty pool is counted, not a fault, and nothing is consumed. */
static void
test_rx_nombuf(struct fx *f, unsigned int base_in_use)
{
	static const char *const what = "rx with the pool empty";
	unsigned int avail = rte_mempool_avail_count(f->mp);
	struct rte_mbuf **hold = calloc(avail, sizeof(*hold));
	struct rte_mbuf *pkts[4];
	uint16_t n;

	if (hold == NULL || rte_pktmbuf_alloc_bulk(f->mp, hold, avail) != 0)
		die("drain pool");
	fx_reset(f);
	c2s_frame(f, 60, 1, true);
	c2s_publish(f);
	n = dp_memif_rx_burst(&f->rt, f->mp, pkts, 4, &f->st);
	CHECK(what, n == 0 && f->rt.fault == 0 && f->st.rx_nombuf == 1,
	      "returned %u, fault %s, rx_nombuf %" PRIu64, n,
	      dp_memif_reason_name(f->rt.fault), f->st.rx_nombuf);
	CHECK(what, f->c2s->tail == 0, "tail moved to %u", f->c2s->tail);
	/* Room for the head mbuf only: the 5000-byte frame needs more. */
	fx_reset(f);
	c2s_frame(f, 5000, 1, true);
	c2s_publish(f);
	rte_pktmbuf_free(hold[0]);
	n = dp_memif_rx_burst(&f->rt, f->mp, pkts, 1, &f->st);
	CHECK(what, n == 0 && f->rt.fault == 0 && f->st.rx_nombuf == 1 &&
	      f->c2s->tail == 0, "segment shortage: returned %u, fault %s, "
	      "rx_nombuf %" PRIu64 ", tail %u", n,
	      dp_memif_reason_name(f->rt.fault), f->st.rx_nombuf, f->c2s->tail);
	rte_pktmbuf_free_bulk(hold + 1, avail - 1);
	free(hold);
	n = dp_memif_rx_burst(&f->rt, f->mp, pkts, 1, &f->st);
	CHECK(what, n == 1, "no frame once mbufs are back (%u)", n);
	if (n == 1) {
		check_mbuf(what, 0, pkts[0], &f->want[0]);
		rte_pktmbuf_free(pkts[0]);
	}
	CHECK(what, rte_mempool_in_use_count(f->mp) == base_in_use, "mbufs leaked");
}

/* ---- the guest, S2C side, and TX cases ---------------------------------- */

static void
s2c_post_at(struct fx *f, uint16_t region, uint32_t off, uint32_t cap)
{
	uint16_t slot = f->s2c_head++ & (RING_SLOTS - 1);
	struct memif_desc *d = &f->s2c->desc[slot];

	d->region = region;
	d->offset = off;
	d->length = cap;
	d->flags = 0;
	f->posted_off[slot] = off;
	f->posted_cap[slot] = cap;
}

static void
s2c_post(struct fx *f, unsigned int n, uint32_t cap)
{
	for (unsigned int i = 0; i < n; i++)
		s2c_post_at(f, 0, buf_alloc(f, cap), cap);
	__atomic_store_n(&f->s2c->head, f->s2c_head, __ATOMIC_RELEASE);
}

/* An mbuf chain of len bytes, seg bytes per segment; expected out if keep. */
static void
tx_frame(struct fx *f, uint32_t len, uint32_t seg, bool keep)
{
	uint8_t *tmp = malloc(len + 1);
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t done = 0;

	if (tmp == NULL)
		die("malloc");
	pattern(tmp, len, f->seed++);
	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(f->mp);
		uint32_t n = len - done < seg ? len - done : seg;
		char *p;

		if (m == NULL || (p = rte_pktmbuf_append(m, n)) == NULL)
			die("tx mbuf");
		memcpy(p, tmp + done, n);
		done += n;
		if (head == NULL) {
			head = tail = m;
		} else {
			tail->next = m;
			tail = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
	} while (done < len);
	f->tx[f->n_tx++] = head;
	if (keep)
		want_frame(f, tmp, len);
	free(tmp);
}

static void
tx_one(struct fx *f)
{
	s2c_post(f, 4, 2048);
	tx_frame(f, 60, 2048, true);
}

static void
tx_masked(struct fx *f)
{
	f->s2c->flags = MEMIF_RING_FLAG_MASK_INT;
	s2c_post(f, 4, 2048);
	tx_frame(f, 60, 2048, true);
}

static void
tx_several(struct fx *f)
{
	s2c_post(f, 8, 2048);
	tx_frame(f, 60, 2048, true);
	tx_frame(f, 1514, 2048, true);
	tx_frame(f, 2048, 2048, true);
}

static void
tx_multiseg(struct fx *f)
{
	s2c_post(f, 4, 2048);
	tx_frame(f, 5000, 2000, true);
}

static void
tx_small_bufs(struct fx *f)
{
	s2c_post(f, 8, 100);
	tx_frame(f, 250, 60, true);
	tx_frame(f, 100, 100, true);
}

static void
tx_exact_chain(struct fx *f)
{
	s2c_post(f, MAX_CHAIN, 100);
	tx_frame(f, 100 * MAX_CHAIN, 333, true);
}

static void
tx_empty_frame(struct fx *f)
{
	s2c_post(f, 2, 2048);
	tx_frame(f, 0, 2048, true);
}

static void
tx_none_posted(struct fx *f)
{
	tx_frame(f, 60, 2048, false);
	tx_frame(f, 1000, 500, false);
	tx_frame(f, 5000, 2000, false);
}

static void
tx_one_posted(struct fx *f)
{
	s2c_post(f, 1, 2048);
	tx_frame(f, 60, 2048, true);
	tx_frame(f, 60, 2048, false);
	tx_frame(f, 60, 2048, false);
}

static void
tx_too_few_posted(struct fx *f)
{
	s2c_post(f, 2, 1000);
	tx_frame(f, 2500, 2048, false);
}

static void
tx_chain_too_long(struct fx *f)
{
	s2c_post(f, RING_SLOTS, 100);
	tx_frame(f, 100 * MAX_CHAIN + 1, 2048, false);
}

static void
tx_wrap(struct fx *f)
{
	fx_start_at(f, 65533);
	s2c_post(f, 8, 512);
	tx_frame(f, 600, 2048, true);
	tx_frame(f, 60, 2048, true);
	tx_frame(f, 1100, 300, true);
}

static void
tx_head_jump(struct fx *f)
{
	s2c_post(f, 1, 2048);
	__atomic_store_n(&f->s2c->head, RING_SLOTS + 1, __ATOMIC_RELEASE);
	tx_frame(f, 60, 2048, false);
	tx_frame(f, 60, 2048, false);
}

static void
tx_head_back(struct fx *f)
{
	fx_start_at(f, 100);
	__atomic_store_n(&f->s2c->head, 99, __ATOMIC_RELEASE);
	tx_frame(f, 60, 2048, false);
}

static void
tx_bad_region(struct fx *f)
{
	s2c_post_at(f, 2, BUF_BASE, 2048);
	__atomic_store_n(&f->s2c->head, f->s2c_head, __ATOMIC_RELEASE);
	tx_frame(f, 60, 2048, false);
}

static void
tx_past_end(struct fx *f)
{
	/* Would write 2032 bytes into the guard page after region 0. */
	s2c_post_at(f, 0, R0_SIZE - 16, 2048);
	__atomic_store_n(&f->s2c->head, f->s2c_head, __ATOMIC_RELEASE);
	tx_frame(f, 1500, 2048, false);
}

static void
tx_past_r1(struct fx *f)
{
	s2c_post_at(f, 1, R1_SIZE - 64, 2048);
	__atomic_store_n(&f->s2c->head, f->s2c_head, __ATOMIC_RELEASE);
	tx_frame(f, 60, 2048, false);
}

static void
tx_off_wrap(struct fx *f)
{
	s2c_post_at(f, 0, 0xFFFFFFF0u, 0x20);
	__atomic_store_n(&f->s2c->head, f->s2c_head, __ATOMIC_RELEASE);
	tx_frame(f, 16, 2048, false);
}

static void
tx_good_then_bad(struct fx *f)
{
	s2c_post(f, 1, 2048);
	s2c_post_at(f, 0, R0_SIZE - 16, 2048);
	__atomic_store_n(&f->s2c->head, f->s2c_head, __ATOMIC_RELEASE);
	tx_frame(f, 60, 2048, true);
	tx_frame(f, 60, 2048, false);
}

static void
tx_bad_in_chain(struct fx *f)
{
	s2c_post(f, 1, 1000);
	s2c_post_at(f, 7, BUF_BASE, 1000);
	__atomic_store_n(&f->s2c->head, f->s2c_head, __ATOMIC_RELEASE);
	tx_frame(f, 1500, 2048, false);
}

struct tx_case {
	const char *name;
	void (*setup)(struct fx *f);
	uint16_t want_ret;
	enum dp_memif_reason want_fault;
	uint16_t want_used;		/* tail - start */
	uint64_t want_drops;
	bool want_kick;
};

static const struct tx_case tx_cases[] = {
	{ "one frame", tx_one, 1, R(NONE), 1, 0, true },
	{ "one frame, interrupt masked", tx_masked, 1, R(NONE), 1, 0, false },
	{ "three frames", tx_several, 3, R(NONE), 3, 0, true },
	{ "multi-seg mbuf into NEXT chain", tx_multiseg, 1, R(NONE), 3, 0, true },
	{ "small buffers", tx_small_bufs, 2, R(NONE), 4, 0, true },
	{ "chain of exactly max_chain", tx_exact_chain, 1, R(NONE), MAX_CHAIN, 0, true },
	{ "empty frame", tx_empty_frame, 1, R(NONE), 1, 0, true },
	{ "nothing posted", tx_none_posted, 0, R(NONE), 0, 3, false },
	{ "one buffer, three frames", tx_one_posted, 1, R(NONE), 1, 2, true },
	{ "frame bigger than posted", tx_too_few_posted, 0, R(NONE), 0, 1, false },
	{ "frame needs > max_chain", tx_chain_too_long, 0, R(NONE), 0, 1, false },
	{ "indices wrap 65535 -> 0", tx_wrap, 3, R(NONE), 6, 0, true },
	{ "S2C head jumps by size + 1", tx_head_jump, 0, R(S2C_HEAD), 0, 2, false },
	{ "S2C head moves backwards", tx_head_back, 0, R(S2C_HEAD), 0, 1, false },
	{ "S2C desc region == n_regions", tx_bad_region, 0, R(DESC_REGION), 0, 1, false },
	{ "S2C desc past region 0 end", tx_past_end, 0, R(DESC_BOUNDS), 0, 1, false },
	{ "S2C desc past region 1 end", tx_past_r1, 0, R(DESC_BOUNDS), 0, 1, false },
	{ "S2C desc offset+length wraps", tx_off_wrap, 0, R(DESC_BOUNDS), 0, 1, false },
	{ "good frame, then a bad desc", tx_good_then_bad, 1, R(DESC_BOUNDS), 1, 1, true },
	{ "bad desc inside a chain", tx_bad_in_chain, 0, R(DESC_REGION), 0, 1, false },
};

/* Read what the server delivered, as the guest would, and compare. */
static void
check_delivered(const char *what, struct fx *f, uint16_t ret)
{
	static uint8_t buf[16384];
	uint16_t slot = f->start, tail = f->s2c->tail;
	unsigned int k = 0;

	while (slot != tail && k < ret) {
		uint32_t len = 0;
		bool more;

		do {
			unsigned int i = slot & (RING_SLOTS - 1);
			const struct memif_desc *d = &f->s2c->desc[i];

			CHECK(what, d->region == 0 && d->offset == f->posted_off[i],
			      "slot %u: region/offset changed by the server", slot);
			CHECK(what, d->length <= f->posted_cap[i],
			      "slot %u: length %u > posted %u", slot, d->length,
			      f->posted_cap[i]);
			if (d->length > f->posted_cap[i] || len + d->length > sizeof(buf))
				return;
			memcpy(buf + len, f->r0 + d->offset, d->length);
			len += d->length;
			more = d->flags & MEMIF_DESC_FLAG_NEXT;
			slot++;
		} while (more && slot != tail);
		CHECK(what, !more, "frame %u: NEXT on the last slot before tail", k);
		if (k >= f->n_want) {
			fail(what, "frame %u delivered, none expected", k);
			return;
		}
		CHECK(what, len == f->want[k].len && memcmp(buf, f->want[k].data, len) == 0,
		      "frame %u: %u bytes delivered, want %u, or bytes differ", k,
		      len, f->want[k].len);
		k++;
	}
	CHECK(what, k == ret && slot == tail, "%u frames found in slots, returned %u",
	      k, ret);
}

static void
run_tx(struct fx *f, const struct tx_case *c, unsigned int base_in_use)
{
	uint64_t bytes = 0, kicks = 0;
	uint16_t n;
	ssize_t r;

	fx_reset(f);
	c->setup(f);
	n = dp_memif_tx_burst(&f->rt, f->tx, (uint16_t)f->n_tx, &f->st);
	CHECK(c->name, n == c->want_ret, "returned %u, want %u", n, c->want_ret);
	CHECK(c->name, f->rt.fault == c->want_fault, "fault %s, want %s",
	      dp_memif_reason_name(f->rt.fault), dp_memif_reason_name(c->want_fault));
	CHECK(c->name, (uint16_t)(f->s2c->tail - f->start) == c->want_used &&
	      f->rt.s2c.last == f->s2c->tail, "used %u slots (last %u), want %u",
	      (uint16_t)(f->s2c->tail - f->start),
	      (uint16_t)(f->rt.s2c.last - f->start), c->want_used);
	if (f->rt.fault == 0 || n > 0)
		check_delivered(c->name, f, n);
	for (unsigned int k = 0; k < n && k < f->n_want; k++)
		bytes += f->want[k].len;
	CHECK(c->name, f->st.tx_frames == n && f->st.tx_bytes == bytes,
	      "tx_frames %" PRIu64 " tx_bytes %" PRIu64 ", want %u and %" PRIu64,
	      f->st.tx_frames, f->st.tx_bytes, n, bytes);
	CHECK(c->name, f->st.tx_drops == c->want_drops, "tx_drops %" PRIu64
	      ", want %" PRIu64, f->st.tx_drops, c->want_drops);
	/* The wake-up check runs at the guest's next poll, as dp_guest_poll does. */
	CHECK(c->name, f->rt.s2c.kick_pending == (f->rt.s2c.last != f->start),
	      "kick_pending %u after a tail move of %u", f->rt.s2c.kick_pending,
	      (uint16_t)(f->rt.s2c.last - f->start));
	if (f->rt.s2c.kick_pending) {
		f->rt.s2c.kick_pending = 0;
		dp_memif_tx_kick(&f->rt.s2c, &f->st);
	}
	r = read(f->efd_s2c, &kicks, sizeof(kicks));
	if (c->want_kick)
		CHECK(c->name, r == sizeof(kicks) && kicks == 1 && f->st.tx_kicks == 1,
		      "eventfd not signalled once (read %zd, value %" PRIu64
		      ", tx_kicks %" PRIu64 ")", r, kicks, f->st.tx_kicks);
	else
		CHECK(c->name, r < 0 && errno == EAGAIN && f->st.tx_kicks == 0,
		      "eventfd signalled (read %zd, tx_kicks %" PRIu64 ")", r,
		      f->st.tx_kicks);
	for (uint16_t slot = f->s2c_head; slot != (uint16_t)(f->start + RING_SLOTS); slot++) {
		static const uint8_t junk[sizeof(struct memif_desc)] = {
			0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
			0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
		};

		CHECK(c->name, memcmp(&f->s2c->desc[slot & (RING_SLOTS - 1)], junk,
				      sizeof(junk)) == 0,
		      "slot %u was never posted but was written", slot);
	}
	CHECK(c->name, f->st.rx_frames == 0, "tx touched rx counters");
	CHECK(c->name, rte_mempool_in_use_count(f->mp) == base_in_use,
	      "%u mbufs in use, want %u: tx did not consume every mbuf",
	      rte_mempool_in_use_count(f->mp), base_in_use);
}

/* ---- the fault helper ---------------------------------------------------- */

static void
test_fault_helper(struct fx *f)
{
	fx_reset(f);
	CHECK("dp_memif_fault", dp_memif_fault(&f->rt, DP_MEMIF_R_CHAIN_OPEN) == 0 &&
	      f->rt.fault == DP_MEMIF_R_CHAIN_OPEN, "fault not recorded");
}

static int
eal_start(void)
{
	/* --no-huge implies legacy memory, which --in-memory refuses; so no
	 * shared config instead, under a prefix of our own. */
	char *argv[] = {
		"test_memif_ring", "--no-huge", "-m", "128", "--no-pci",
		"--no-shconf", "--file-prefix=hostlane_unit_ring", "--no-telemetry",
		"--log-level=*:error", "-l", "0", NULL,
	};

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

int
main(void)
{
	struct rte_mempool *mp;
	unsigned int base;
	struct fx f;

	if (eal_start() < 0) {
		printf("FAIL: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	mp = rte_pktmbuf_pool_create("unit_ring", 2047, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (mp == NULL) {
		printf("FAIL: mbuf pool: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	base = rte_mempool_in_use_count(mp);
	fx_open(&f, mp);
	for (size_t i = 0; i < RTE_DIM(rx_cases); i++)
		run_rx(&f, &rx_cases[i], base);
	test_rx_bursts(&f, base);
	test_rx_nombuf(&f, base);
	for (size_t i = 0; i < RTE_DIM(tx_cases); i++)
		run_tx(&f, &tx_cases[i], base);
	test_fault_helper(&f);
	fx_reset(&f);
	fx_close(&f);
	rte_mempool_free(mp);
	printf("memif_ring: %zu rx cases, %zu tx cases, 3 others: %d failure(s)\n",
	       RTE_DIM(rx_cases), RTE_DIM(tx_cases), failures);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
