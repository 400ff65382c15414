/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The memif fast path: move frames between a guest's shared rings and mbufs,
 * validating everything the guest wrote on every poll.
 *
 * Design note. A connected guest's rings and regions are described by a
 * struct dp_memif_rt, built by the main lcore at CONNECT and published to
 * exactly one I/O lcore (see dp_guest). From then on only that I/O lcore
 * calls dp_memif_rx_burst()/dp_memif_tx_burst() on it, until the main lcore
 * unpublishes it and waits for an RCU grace period before unmapping.
 *
 * Trust: ring indices and descriptors live in guest memory and may change
 * at any moment. Each is read once into a local copy, validated, then used:
 *  - a ring index may move at most ring-size slots past our own copy;
 *  - a descriptor's region index is below the number of regions, and
 *    offset + length lies inside that region (64-bit sums: no wrap);
 *  - a chain is at most max_chain descriptors and ends before the head;
 *  - a frame is at most max_frame bytes.
 * A violation stops all work on the guest and records the reason in
 * rt->fault; the main lcore then disconnects the guest. Other guests are
 * never touched. No syscalls, locks, allocations other than mbufs, or logs
 * here, except the eventfd write the guest asks for by unmasking S2C.
 */
#ifndef DP_MEMIF_RING_H
#define DP_MEMIF_RING_H

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include <hostlane/memif.h>

#include "defer.h"
#include "memif_hs.h"
#include "stats.h"

struct dp_memif_region {
	uint8_t *base;
	uint64_t size;
};

/** One ring as the server sees it; `last` is the server's own index. */
struct dp_memif_q {
	struct memif_ring *ring;   /**< in guest memory: untrusted */
	uint16_t size;
	uint16_t mask;
	uint16_t last;		   /**< C2S: next slot to read; S2C: our tail */
	uint16_t kick_pending;	   /**< S2C: tail moved, wake-up check due */
	int intr_fd;
};

/** A connected guest's fast-path view. Owned by one I/O lcore. */
struct dp_memif_rt {
	struct dp_memif_q c2s;
	struct dp_memif_q s2c;
	uint16_t n_regions;
	uint16_t max_chain;
	uint32_t max_frame;
	uint32_t fault;		   /**< enum dp_memif_reason; 0 = healthy */
	uint32_t epoch;		   /**< which connection of the guest this is */
	/** FN_CALL_BULK jobs reading/writing the regions, not yet completed.
	 *  Written by the I/O lcore (release), read by the main lcore
	 *  (acquire): the regions stay mapped until it is 0. */
	uint32_t bulk_inflight;
	struct dp_memif_region regions[DP_MEMIF_MAX_REGIONS];
	/* Main lcore, after the connection ended (memif_srv.c): rt then owns
	 * the mappings and the rings' eventfds until nothing can use them. */
	struct dp_defer defer;
	struct dp_guest *owner;		/**< counts the release */
	uint8_t retired;		/**< waited for bulk jobs */
};

static inline uint16_t
dp_memif_fault(struct dp_memif_rt *rt, enum dp_memif_reason why)
{
	/* Release: the main lcore reads fault with acquire and only then
	 * tears the guest down; it needs no other data from us. */
	__atomic_store_n(&rt->fault, why, __ATOMIC_RELEASE);
	return 0;
}

/* Read a descriptor once and check it against the regions. */
static inline enum dp_memif_reason
dp_memif_desc_load(const struct dp_memif_rt *rt, const struct dp_memif_q *q,
		   uint16_t slot, struct memif_desc *d)
{
	memcpy(d, &q->ring->desc[slot & q->mask], sizeof(*d));
	if (unlikely(d->region >= rt->n_regions))
		return DP_MEMIF_R_DESC_REGION;
	if (unlikely((uint64_t)d->offset + d->length > rt->regions[d->region].size))
		return DP_MEMIF_R_DESC_BOUNDS;
	return DP_MEMIF_R_NONE;
}

static inline const uint8_t *
dp_memif_buf(const struct dp_memif_rt *rt, const struct memif_desc *d)
{
	return rt->regions[d->region].base + d->offset;
}

/* Append len bytes to an mbuf chain, adding segments as needed. */
static inline int
dp_mbuf_append(struct rte_mbuf *head, struct rte_mbuf **tail,
	       const uint8_t *src, uint32_t len, struct rte_mempool *mp)
{
	while (len > 0) {
		struct rte_mbuf *t = *tail;
		uint32_t room = rte_pktmbuf_tailroom(t);
		uint32_t n;

		if (room == 0) {
			struct rte_mbuf *seg = rte_pktmbuf_alloc(mp);

			if (unlikely(seg == NULL))
				return -1;
			t->next = seg;
			head->nb_segs++;
			*tail = t = seg;
			room = rte_pktmbuf_tailroom(t);
		}
		n = len < room ? len : room;
		rte_memcpy(rte_pktmbuf_mtod_offset(t, uint8_t *, t->data_len), src, n);
		t->data_len += n;
		head->pkt_len += n;
		src += n;
		len -= n;
	}
	return 0;
}

/* Copy len bytes at off out of an mbuf chain into dst. */
static inline void
dp_mbuf_copy_out(const struct rte_mbuf *m, uint32_t off, uint32_t len,
		 uint8_t *dst)
{
	const void *p;

	if (likely(off + len <= m->data_len)) {
		rte_memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), len);
		return;
	}
	/* rte_pktmbuf_read copies only when the bytes span segments. */
	p = rte_pktmbuf_read(m, off, len, dst);
	if (p != NULL && p != dst)
		rte_memcpy(dst, p, len);
}

/*
 * Copy one frame, starting at slot, into m. Returns the number of slots
 * the frame used (> 0), or -reason on a guest fault, or 0 if mbufs ran out.
 */
static inline int
dp_memif_rx_one(struct dp_memif_rt *rt, uint16_t slot, uint16_t head,
		struct rte_mbuf *m, struct rte_mempool *mp)
{
	struct rte_mbuf *tail = m;
	struct memif_desc d;
	uint32_t total = 0;
	uint16_t i;

	for (i = 0;; i++) {
		enum dp_memif_reason why;

		if (unlikely(i >= rt->max_chain))
			return -DP_MEMIF_R_CHAIN_LONG;
		if (unlikely((uint16_t)(slot + i) == head))
			return -DP_MEMIF_R_CHAIN_OPEN;
		why = dp_memif_desc_load(rt, &rt->c2s, slot + i, &d);
		if (unlikely(why != DP_MEMIF_R_NONE))
			return -(int)why;
		/* Compare before adding: a 4 GiB region allows lengths that
		 * would wrap a 32-bit sum back under the limit. */
		if (unlikely(d.length > rt->max_frame - total))
			return -DP_MEMIF_R_FRAME_LONG;
		total += d.length;
		if (unlikely(dp_mbuf_append(m, &tail, dp_memif_buf(rt, &d),
					    d.length, mp) < 0))
			return 0;
		if (!(d.flags & MEMIF_DESC_FLAG_NEXT))
			return i + 1;
	}
}

/**
 * Receive up to max frames from the guest's C2S ring into fresh mbufs.
 * @return frames received; on a fault, the frames before it, and
 *         rt->fault is set (callers check it once per poll).
 */
static inline uint16_t
dp_memif_rx_burst(struct dp_memif_rt *rt, struct rte_mempool *mp,
		  struct rte_mbuf **pkts, uint16_t max, struct dp_guest_stats *st)
{
	struct dp_memif_q *q = &rt->c2s;
	uint16_t head, avail, slot, k = 0;

	/* Acquire: pairs with the guest's release store of head, so the
	 * descriptors and buffers it filled before are visible to us. */
	head = __atomic_load_n(&q->ring->head, __ATOMIC_ACQUIRE);
	avail = (uint16_t)(head - q->last);
	if (avail == 0)
		return 0;
	if (unlikely(avail > q->size))
		return dp_memif_fault(rt, DP_MEMIF_R_C2S_HEAD);
	if (max > avail)
		max = avail;
	if (unlikely(rte_pktmbuf_alloc_bulk(mp, pkts, max) != 0)) {
		st->rx_nombuf++;
		return 0;
	}
	slot = q->last;
	while (k < max && slot != head) {
		int used = dp_memif_rx_one(rt, slot, head, pkts[k], mp);

		if (unlikely(used <= 0)) {
			if (used < 0)
				dp_memif_fault(rt, -used);
			else
				st->rx_nombuf++;
			break;
		}
		slot += used;
		if (unlikely(pkts[k]->pkt_len < RTE_ETHER_HDR_LEN)) {
			st->rx_runts++;
			rte_pktmbuf_reset(pkts[k]);
			continue;
		}
		st->rx_bytes += pkts[k]->pkt_len;
		k++;
	}
	rte_pktmbuf_free_bulk(pkts + k, max - k);
	q->last = slot;
	/* Release: our reads of the consumed buffers happen before the guest
	 * sees the slots free again and reuses them. */
	__atomic_store_n(&q->ring->tail, slot, __ATOMIC_RELEASE);
	st->rx_frames += k;
	return k;
}

/*
 * Copy one mbuf chain into posted S2C buffers from slot on. Returns slots
 * used, 0 if the frame does not fit in what is posted (dropped by caller),
 * or -reason on a fault.
 */
static inline int
dp_memif_tx_one(struct dp_memif_rt *rt, uint16_t slot, uint16_t n_free,
		const struct rte_mbuf *m)
{
	struct dp_memif_q *q = &rt->s2c;
	uint32_t src_off = 0, left = m->pkt_len;
	uint16_t used = 0;

	while (left > 0 || used == 0) {
		struct memif_desc d;
		enum dp_memif_reason why;
		uint32_t n;

		if (used >= n_free || used >= rt->max_chain)
			return 0;
		why = dp_memif_desc_load(rt, q, slot + used, &d);
		if (unlikely(why != DP_MEMIF_R_NONE))
			return -(int)why;
		n = left < d.length ? left : d.length;
		dp_mbuf_copy_out(m, src_off, n, (uint8_t *)dp_memif_buf(rt, &d));
		src_off += n;
		left -= n;
		/* Only length and flags are ours to write; region and offset
		 * stay as the guest posted them. */
		q->ring->desc[(slot + used) & q->mask].length = n;
		q->ring->desc[(slot + used) & q->mask].flags =
			left > 0 ? MEMIF_DESC_FLAG_NEXT : 0;
		used++;
	}
	return used;
}

/* Wake the guest if it sleeps: after a tail move, at its next poll. */
static inline void
dp_memif_tx_kick(struct dp_memif_q *q, struct dp_guest_stats *st)
{
	uint64_t one = 1;

	/* Full fence: our tail store must be visible before we read the mask,
	 * or a guest that unmasks and re-checks the tail at the same moment
	 * could sleep on frames it never sees (store-load, Dekker). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->ring->flags, __ATOMIC_RELAXED) &
	    MEMIF_RING_FLAG_MASK_INT)
		return;
	/* The guest sleeps on this eventfd: the one syscall it may ask for.
	 * The fd is non-blocking, so a full counter cannot stall us. */
	if (write(q->intr_fd, &one, sizeof(one)) == sizeof(one))
		st->tx_kicks++;
}

/**
 * Send frames into the guest's posted S2C buffers. Consumes every mbuf:
 * frames that do not fit are dropped and counted in tx_drops.
 * @return frames delivered.
 */
static inline uint16_t
dp_memif_tx_burst(struct dp_memif_rt *rt, struct rte_mbuf **pkts, uint16_t n,
		  struct dp_guest_stats *st)
{
	struct dp_memif_q *q = &rt->s2c;
	uint16_t head, n_free, slot = q->last, k;

	/* Acquire: pairs with the guest's release of head after it reset
	 * the posted descriptors. */
	head = __atomic_load_n(&q->ring->head, __ATOMIC_ACQUIRE);
	n_free = (uint16_t)(head - slot);
	if (unlikely(n_free > q->size)) {
		st->tx_drops += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return dp_memif_fault(rt, DP_MEMIF_R_S2C_HEAD);
	}
	for (k = 0; k < n; k++) {
		int used = dp_memif_tx_one(rt, slot, n_free, pkts[k]);

		if (unlikely(used <= 0)) {
			if (used < 0)
				dp_memif_fault(rt, -used);
			break;
		}
		st->tx_bytes += pkts[k]->pkt_len;
		slot += used;
		n_free -= used;
	}
	st->tx_frames += k;
	st->tx_drops += n - k;
	rte_pktmbuf_free_bulk(pkts, n);
	if (slot != q->last) {
		q->last = slot;
		/* Release: the frame bytes and descriptor lengths we wrote are
		 * visible before the guest sees the new tail. */
		__atomic_store_n(&q->ring->tail, slot, __ATOMIC_RELEASE);
		/* The wake-up check (a full fence) waits until the guest's
		 * core has taken these stores; done at the guest's next poll,
		 * that drain overlaps other work instead of stalling here. */
		q->kick_pending = 1;
	}
	return k;
}

#endif /* DP_MEMIF_RING_H */
