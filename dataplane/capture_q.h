/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture's fast-path half (capture.h): copies of frames into the
 * capture's pool, queued on its single-producer ring, and the accounting
 * of copies that could not be made or queued. Separate so the unit tests
 * can drive it with a ring and a pool of their own. Producing I/O lcore only.
 */
#ifndef DP_CAPTURE_Q_H
#define DP_CAPTURE_Q_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

/** Copies made per call at most (callers hand over at most a burst). */
#define DP_CAP_BURST 64

/** What the writer needs of a frame besides its bytes: the copy's private area. */
struct dp_cap_meta {
	uint64_t tsc;			/**< when the lcore saw it */
	uint32_t orig_len;		/**< its length before snaplen */
	uint8_t dir;			/**< enum dp_cap_dir */
};

/** The producing lcore's side of a capture; counters read relaxed elsewhere. */
struct dp_cap_q {
	struct rte_ring *ring;		/**< SP/SC: copies for the writer */
	struct rte_mempool *mp;		/**< copies; private area dp_cap_meta */
	uint32_t snaplen;
	uint64_t copied;		/**< copies queued */
	uint64_t dropped;		/**< copies not made or not queued */
} __rte_cache_aligned;

/**
 * Copy n frames (n <= DP_CAP_BURST), up to snaplen bytes each, stamping
 * tsc and dir; copies[i] is NULL where the pool was empty.
 */
void dp_cap_q_copy(struct dp_cap_q *q, struct rte_mbuf *const *pkts, uint16_t n,
		   uint8_t dir, uint64_t tsc, struct rte_mbuf **copies);

/**
 * Queue the copies of the first `sent` frames (the ones the channel took),
 * count those not made or not queued (ring full) as dropped, and free the
 * copies not queued and those of frames n - sent the channel refused.
 */
void dp_cap_q_commit(struct dp_cap_q *q, struct rte_mbuf **copies, uint16_t sent,
		     uint16_t n);

#endif /* DP_CAPTURE_Q_H */
