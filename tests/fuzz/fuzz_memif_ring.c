/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the ring and descriptor validator, dp_memif_rx_burst()
 * and dp_memif_tx_burst(), over a synthetic guest region built from the
 * input.
 *
 * Input (little-endian; missing bytes read as 0):
 *   u8  log2 C2S slots (1 + b % 8)      u8  log2 S2C slots (1 + b % 8)
 *   u8  max_chain (1 + b % 64)          u16 max_frame (at least 64)
 *   u16 server C2S index                u16 server S2C index
 *   u16 C2S head - index                u16 S2C head - index
 *   u8  bit 0: two regions; bit 1: S2C interrupts unmasked;
 *       bits 2-6: rx burst size - 1
 *   u16 region 0 bytes after the rings  u16 region 1 bytes
 *   u8  frames to send besides the echoes (b % 8), then u16 length each
 *   C2S descriptors, from the server's index on; S2C descriptors, likewise
 *   the rest: region 0 after the rings, then region 1.
 * Both rings sit at the start of region 0, as a guest lays them out. Region
 * sizes are rounded up to 64 bytes. Each region ends at a PROT_NONE page and what lies before it in its mapping is
 * ASan-poisoned, so any access outside it is a crash.
 *
 * The run: up to four receive bursts, then the received frames (echoed, as
 * the echo handler does) plus a few made-up ones are sent. Checked beyond
 * the sanitizers: counts and indices within what the rings allow; every
 * frame within max_frame, at least an Ethernet header, segments within
 * their mbufs; receive writes nothing in guest memory but the C2S tail;
 * send writes nothing but the S2C tail, the length and flags of posted
 * slots and bytes inside posted buffers, never a slot's region or offset;
 * no mbuf leaks.
 */
#include <sanitizer/asan_interface.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define HL_FUZZ_WITH_EAL
#include "fuzz_common.h"
#include "memif_ring.h"

#define PAGE 4096u
#define AREA (64u * 1024u)	/* room for each region */
#define MAX_LOG2 8u
#define MAX_RX 128u
#define MAX_EXTRA 8u
#define N_MBUFS 4095u

static struct rte_mempool *mp;
static uint8_t *area[2];	/* each AREA bytes, a guard page after it */
static uint8_t *before, *after;
static int efd[2];
static unsigned int base_in_use;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t *map;

	(void)argc;
	(void)argv;
	fuzz_eal_start("fuzz_memif_ring");
	mp = rte_pktmbuf_pool_create("fuzz_ring", N_MBUFS, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	map = mmap(NULL, PAGE + AREA + PAGE + AREA + PAGE, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mp == NULL || map == MAP_FAILED)
		abort();
	area[0] = map + PAGE;
	area[1] = area[0] + AREA + PAGE;
	if (mprotect(area[0], AREA, PROT_READ | PROT_WRITE) < 0 ||
	    mprotect(area[1], AREA, PROT_READ | PROT_WRITE) < 0)
		abort();
	before = malloc(2 * AREA);
	after = malloc(2 * AREA);
	efd[0] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	efd[1] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (before == NULL || after == NULL || efd[0] < 0 || efd[1] < 0)
		abort();
	base_in_use = rte_mempool_in_use_count(mp);
	return 0;
}

struct layout {
	struct dp_memif_rt rt;
	struct dp_guest_stats st;
	uint64_t size[2];
	uint32_t rings_end;
	uint8_t bursts_max;
	uint8_t n_extra;
	uint16_t extra_len[MAX_EXTRA];
};

/* Place a region of size bytes so that it ends at its guard page. */
static uint8_t *
region_place(unsigned int i, uint64_t size)
{
	uint8_t *base = area[i] + AREA - size;

	ASAN_UNPOISON_MEMORY_REGION(area[i], AREA);
	memset(area[i], 0, AREA);
	ASAN_POISON_MEMORY_REGION(area[i], AREA - size);
	return base;
}

static void
q_init(struct dp_memif_q *q, struct memif_ring *ring, unsigned int log2,
       uint16_t last, uint16_t head_delta, int fd)
{
	ring->cookie = MEMIF_COOKIE;
	ring->head = (uint16_t)(last + head_delta);
	ring->tail = last;
	*q = (struct dp_memif_q){ .ring = ring, .size = (uint16_t)(1u << log2),
		.mask = (uint16_t)((1u << log2) - 1), .last = last, .intr_fd = fd };
}

static void
build(struct layout *l, struct fuzz_in *in)
{
	unsigned int lc = 1 + fuzz_u8(in) % MAX_LOG2, ls = 1 + fuzz_u8(in) % MAX_LOG2;
	uint16_t max_chain = 1 + fuzz_u8(in) % 64, max_frame = fuzz_u16(in);
	uint16_t c_last = fuzz_u16(in), s_last = fuzz_u16(in);
	uint16_t c_delta = fuzz_u16(in), s_delta = fuzz_u16(in);
	uint8_t flags = fuzz_u8(in);
	uint16_t r0_extra = fuzz_u16(in), r1_size = fuzz_u16(in);
	uint32_t s2c_off = (uint32_t)((memif_ring_bytes(lc) + 63) & ~63ull);
	struct memif_ring *c2s, *s2c;
	uint8_t *r0, *r1;

	memset(l, 0, sizeof(*l));
	l->rings_end = s2c_off + (uint32_t)memif_ring_bytes(ls);
	/* Sizes in 64-byte steps: a region starts page-aligned, as any mapping
	 * does, and rte_memcpy's aligned loads may touch the rest of the
	 * 16-byte block a buffer starts or ends in (never another page). */
	l->size[0] = (l->rings_end + r0_extra % (AREA - l->rings_end + 1) + 63) & ~63ull;
	l->size[1] = (1 + r1_size % AREA + 63) & ~63ull;
	r0 = region_place(0, l->size[0]);
	r1 = region_place(1, l->size[1]);
	c2s = (struct memif_ring *)r0;
	s2c = (struct memif_ring *)(r0 + s2c_off);
	q_init(&l->rt.c2s, c2s, lc, c_last, c_delta, efd[0]);
	q_init(&l->rt.s2c, s2c, ls, s_last, s_delta, efd[1]);
	c2s->flags = MEMIF_RING_FLAG_MASK_INT;
	s2c->flags = (flags & 2) ? 0 : MEMIF_RING_FLAG_MASK_INT;
	l->rt.n_regions = (flags & 1) ? 2 : 1;
	l->rt.regions[0] = (struct dp_memif_region){ r0, l->size[0] };
	l->rt.regions[1] = (struct dp_memif_region){ r1, l->size[1] };
	l->rt.max_chain = max_chain;
	l->rt.max_frame = max_frame < 64 ? 64 : max_frame;
	l->bursts_max = 1 + ((flags >> 2) & 31);
	l->n_extra = fuzz_u8(in) % MAX_EXTRA;
	for (unsigned int i = 0; i < l->n_extra; i++)
		l->extra_len[i] = fuzz_u16(in) % 9000;
	for (unsigned int i = 0; i < (1u << lc); i++)
		fuzz_take(in, &c2s->desc[(uint16_t)(c_last + i) & l->rt.c2s.mask],
			  sizeof(struct memif_desc));
	for (unsigned int i = 0; i < (1u << ls); i++)
		fuzz_take(in, &s2c->desc[(uint16_t)(s_last + i) & l->rt.s2c.mask],
			  sizeof(struct memif_desc));
	fuzz_take(in, r0 + l->rings_end, l->size[0] - l->rings_end);
	fuzz_take(in, r1, l->size[1]);
}

static void
snapshot(const struct layout *l, uint8_t *dst)
{
	memcpy(dst, l->rt.regions[0].base, l->size[0]);
	memcpy(dst + AREA, l->rt.regions[1].base, l->size[1]);
}

/* A received frame: as long as it says, within its mbufs and the limits. */
static void
check_frame(const struct layout *l, const struct rte_mbuf *m)
{
	uint32_t sum = 0;
	uint16_t segs = 0;

	FUZZ_CHECK(m->pkt_len >= RTE_ETHER_HDR_LEN && m->pkt_len <= l->rt.max_frame,
		   "frame of %u bytes (max_frame %u)", m->pkt_len, l->rt.max_frame);
	for (const struct rte_mbuf *s = m; s != NULL; s = s->next) {
		FUZZ_CHECK((uint32_t)s->data_off + s->data_len <= s->buf_len,
			   "segment overflows its mbuf");
		sum += s->data_len;
		segs++;
	}
	FUZZ_CHECK(sum == m->pkt_len && segs == m->nb_segs,
		   "pkt_len %u nb_segs %u, segments hold %u in %u", m->pkt_len,
		   m->nb_segs, sum, segs);
}

static unsigned int
do_rx(struct layout *l, struct rte_mbuf **pkts)
{
	struct dp_memif_q *q = &l->rt.c2s;
	unsigned int total = 0;

	snapshot(l, before);
	for (int round = 0; round < 4 && l->rt.fault == 0; round++) {
		uint16_t last = q->last;
		uint16_t head = q->ring->head;
		uint16_t want = l->bursts_max;
		uint16_t n;

		if (total + want > MAX_RX)
			break;
		n = dp_memif_rx_burst(&l->rt, mp, pkts + total, want, &l->st);
		FUZZ_CHECK(n <= want, "rx returned %u of %u", n, want);
		FUZZ_CHECK((uint16_t)(q->last - last) <= (uint16_t)(head - last) ||
			   l->rt.fault != 0, "rx consumed past the head");
		FUZZ_CHECK(q->ring->tail == q->last || l->rt.fault != 0,
			   "tail %u, last %u", q->ring->tail, q->last);
		for (uint16_t i = 0; i < n; i++)
			check_frame(l, pkts[total + i]);
		total += n;
		if (n == 0)
			break;
	}
	snapshot(l, after);
	/* Receive may write the C2S tail and nothing else. */
	memcpy(after + offsetof(struct memif_ring, tail),
	       before + offsetof(struct memif_ring, tail), sizeof(uint16_t));
	FUZZ_CHECK(memcmp(before, after, l->size[0]) == 0 &&
		   memcmp(before + AREA, after + AREA, l->size[1]) == 0,
		   "receive wrote guest memory");
	return total;
}

static struct rte_mbuf *
made_up_frame(uint16_t len, unsigned int seed)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp), *tail = m;
	uint8_t chunk[256];

	if (m == NULL)
		return NULL;
	for (unsigned int i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)(seed * 31 + i);
	while (len > 0) {
		uint16_t n = len < sizeof(chunk) ? len : sizeof(chunk);

		if (dp_mbuf_append(m, &tail, chunk, n, mp) < 0) {
			rte_pktmbuf_free(m);
			return NULL;
		}
		len -= n;
	}
	return m;
}

/* Is byte off of region r one send may have written? */
/*
 * Is byte off of region r one send may have written? The tail, and the
 * length, flags and buffer bytes of any posted slot: a frame that does not
 * fit is dropped after part of it was written to posted slots past the
 * tail — harmless, the guest gave those slots to hostlane and reads them
 * only once the tail passes them, rewritten.
 */
static int
tx_may_write(const struct layout *l, const struct memif_desc *posted,
	     uint16_t n_free, uint16_t used, unsigned int r, uint64_t off)
{
	uint64_t ring = (uint8_t *)l->rt.s2c.ring - l->rt.regions[0].base;
	const struct dp_memif_q *q = &l->rt.s2c;

	if (r == 0 && off >= ring + offsetof(struct memif_ring, tail) &&
	    off < ring + offsetof(struct memif_ring, tail) + 2)
		return 1;
	for (uint16_t i = 0; i < n_free; i++) {
		uint64_t d = ring + sizeof(struct memif_ring) +
			(uint64_t)((uint16_t)(q->last - used + i) & q->mask) *
			sizeof(struct memif_desc);
		const struct memif_desc *p = &posted[i];

		/* flags (bytes 0-1) and length (bytes 4-7) */
		if (r == 0 && ((off >= d && off < d + 2) ||
			       (off >= d + 4 && off < d + 8)))
			return 1;
		if (p->region == r && off >= p->offset &&
		    off < (uint64_t)p->offset + p->length)
			return 1;
	}
	return 0;
}

static void
do_tx(struct layout *l, struct rte_mbuf **pkts, unsigned int n)
{
	struct dp_memif_q *q = &l->rt.s2c;
	struct memif_desc posted[1u << MAX_LOG2];
	uint16_t head = q->ring->head, last = q->last;
	uint16_t n_free = (uint16_t)(head - last), used, k;
	bool ring_safe = true;

	/* The oracle trusts the posted descriptors only if no posted buffer
	 * covers the rings (a guest may do that, but then it rewrites its own
	 * descriptors with frame bytes). */
	for (uint16_t i = 0; n_free <= q->size && i < n_free; i++) {
		posted[i] = q->ring->desc[(uint16_t)(last + i) & q->mask];
		if (posted[i].region == 0 && posted[i].offset < l->rings_end)
			ring_safe = false;
	}
	l->rt.fault = 0;
	snapshot(l, before);
	k = dp_memif_tx_burst(&l->rt, pkts, (uint16_t)n, &l->st);
	snapshot(l, after);
	used = (uint16_t)(q->last - last);
	FUZZ_CHECK(k <= n, "tx sent %u of %u", k, n);
	FUZZ_CHECK(l->st.tx_frames == k && l->st.tx_drops == n - k,
		   "tx_frames %lu tx_drops %lu for %u of %u",
		   (unsigned long)l->st.tx_frames, (unsigned long)l->st.tx_drops, k, n);
	if (n_free > q->size) {
		FUZZ_CHECK(l->rt.fault == DP_MEMIF_R_S2C_HEAD && used == 0,
			   "S2C head jump not caught");
		return;
	}
	FUZZ_CHECK(used <= n_free, "tx used %u slots, %u posted", used, n_free);
	if (!ring_safe)
		return;
	FUZZ_CHECK(q->ring->tail == q->last, "S2C tail %u, last %u",
		   q->ring->tail, q->last);
	for (unsigned int r = 0; r < 2; r++) {
		const uint8_t *b = before + r * AREA, *a = after + r * AREA;

		for (uint64_t off = 0; off < l->size[r]; off++)
			FUZZ_CHECK(a[off] == b[off] || tx_may_write(l, posted, n_free, used, r, off),
				   "send wrote region %u offset %lu outside its buffers",
				   r, (unsigned long)off);
	}
	for (uint16_t i = 0; i < used; i++) {
		const struct memif_desc *d = &q->ring->desc[(uint16_t)(last + i) & q->mask];

		FUZZ_CHECK(d->region == posted[i].region && d->offset == posted[i].offset,
			   "send rewrote the region or offset of slot %u", last + i);
		FUZZ_CHECK(d->length <= posted[i].length, "slot %u filled past its "
			   "buffer", last + i);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct rte_mbuf *pkts[MAX_RX + MAX_EXTRA];
	struct layout l;
	unsigned int n;
	uint64_t junk;

	build(&l, &in);
	n = do_rx(&l, pkts);
	for (unsigned int i = 0; i < l.n_extra; i++) {
		struct rte_mbuf *m = made_up_frame(l.extra_len[i], i);

		if (m != NULL)
			pkts[n++] = m;
	}
	memset(&l.st, 0, sizeof(l.st));
	do_tx(&l, pkts, n);
	FUZZ_CHECK(rte_mempool_in_use_count(mp) == base_in_use,
		   "%u mbufs leaked", rte_mempool_in_use_count(mp) - base_in_use);
	while (read(efd[1], &junk, sizeof(junk)) == sizeof(junk))
		;
	ASAN_UNPOISON_MEMORY_REGION(area[0], AREA);
	ASAN_UNPOISON_MEMORY_REGION(area[1], AREA);
	return 0;
}
