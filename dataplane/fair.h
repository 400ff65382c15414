/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fairness between the guests of one I/O lcore: a service budget per poll
 * pass and optional token buckets (docs/ARCHITECTURE.md, "Fairness").
 *
 * Design note. Service is decided where frames leave a guest's ring: each
 * pass takes at most poll_budget x weight frames from a guest (in bursts
 * of DP_BURST), so N guests that flood one lcore are served round robin,
 * in proportion to their weights. A guest with a token bucket (calls/s,
 * bytes/s, each with a burst) is not polled at all while its bucket is
 * empty: its frames stay in its ring (back-pressure, never a drop) until
 * the TSC refills it. A pass takes no more frames than the calls bucket
 * holds; the bytes of a frame are known only once it is taken, so the
 * bytes bucket may go into debt by one pass, which is repaid before the
 * guest is polled again.
 *
 * Buckets count in token-cycles (tokens x TSC hz), so that a refill is one
 * multiplication and no rate is rounded: level += cycles x rate, a token
 * costs hz. The config bounds (DP_FAIR_KEYS) keep every sum below 2^62.
 *
 * Threads: the main lcore publishes a guest's settings (struct
 * dp_fair_pub: dp_fair_publish(), a sequence count, odd while it writes);
 * the guest's I/O lcore copies them when the count moved and is even and
 * unchanged across the copy, else it tries again next pass (it never
 * waits), and owns struct dp_fair. No syscalls, locks or logs here.
 */
#ifndef DP_FAIR_H
#define DP_FAIR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "config.h"

struct dp_guest;

/** One bucket as published: 0 rate = no bucket. */
struct dp_fair_pub_bucket {
	uint64_t rate;			/**< tokens per second */
	uint64_t cap;			/**< burst x hz */
	uint64_t el_max;		/**< cycles that fill an empty bucket */
};

/** A guest's settings as the main lcore publishes them. */
struct dp_fair_pub {
	uint32_t seq;			/**< odd while being written */
	uint32_t budget;		/**< frames per pass: poll_budget x weight */
	uint64_t hz;			/**< TSC cycles per second */
	struct dp_fair_pub_bucket calls, bytes;
} __rte_cache_aligned;

/** One bucket as its I/O lcore runs it. */
struct dp_fair_bucket {
	uint64_t rate;
	int64_t cap;
	uint64_t el_max;
	int64_t level;			/**< token-cycles; < 0: in debt (bytes) */
};

/** The I/O lcore's side: the settings it runs on and its buckets. */
struct dp_fair {
	uint32_t seq;			/**< the dp_fair_pub.seq copied, 0: none */
	uint32_t budget;
	uint8_t limited;		/**< a bucket is set */
	uint64_t hz;
	uint64_t last;			/**< TSC of the last refill */
	struct dp_fair_bucket calls, bytes;
} __rte_cache_aligned;

/**
 * Publish conf's settings for a guest's I/O lcore. Main lcore: before the
 * guest is published (pub and f zeroed: f loads them at its first poll),
 * or at run time (guest set), when the lcore copies them at its next pass
 * and keeps what its buckets hold, up to the new bursts.
 */
void dp_fair_publish(struct dp_fair_pub *pub, const struct dp_fair_conf *conf,
		     uint64_t hz);

/**
 * Copy published settings into f if they changed; the buckets of a new
 * rate start full, the others keep their level (capped). I/O lcore.
 * @return true if f now runs on them (false: being written, next pass).
 */
bool dp_fair_reload(struct dp_fair *f, const struct dp_fair_pub *pub,
		    uint64_t now);

/* Add the cycles since the last refill, up to the burst. */
static inline void
dp_fair_bucket_fill(struct dp_fair_bucket *b, uint64_t el)
{
	if (b->rate == 0)
		return;
	if (el > b->el_max)
		el = b->el_max;
	b->level += (int64_t)(el * b->rate);
	if (b->level > b->cap)
		b->level = b->cap;
}

/**
 * How many frames the guest may give this pass, at time now (TSC): its
 * budget, less when its calls bucket holds fewer, 0 while a bucket is
 * empty or in debt. I/O lcore.
 */
static inline unsigned int
dp_fair_admit(struct dp_fair *f, uint64_t now)
{
	uint64_t el = now - f->last;
	uint64_t calls;

	if (likely(!f->limited))
		return f->budget;
	/* A clock read on another core before a move may be ahead. */
	if ((int64_t)el < 0)
		el = 0;
	f->last += el;
	dp_fair_bucket_fill(&f->calls, el);
	dp_fair_bucket_fill(&f->bytes, el);
	if (f->bytes.rate != 0 && f->bytes.level < (int64_t)f->hz)
		return 0;
	if (f->calls.rate == 0)
		return f->budget;
	calls = f->calls.level > 0 ? (uint64_t)f->calls.level / f->hz : 0;
	return calls < f->budget ? (unsigned int)calls : f->budget;
}

/** Take what the pass took (frames, bytes) from the buckets. I/O lcore. */
static inline void
dp_fair_charge(struct dp_fair *f, uint64_t frames, uint64_t bytes)
{
	if (f->calls.rate != 0)
		f->calls.level -= (int64_t)(frames * f->hz);
	if (f->bytes.rate != 0)
		f->bytes.level -= (int64_t)(bytes * f->hz);
}

#endif /* DP_FAIR_H */
