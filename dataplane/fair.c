/* SPDX-License-Identifier: BSD-3-Clause */
/* Fairness settings: published by the main lcore, copied by the I/O lcore. */
#include <rte_common.h>

#include "fair.h"

/*
 * A sequence count, not rte_seqlock (experimental in DPDK 22.11): one
 * writer (the main lcore), and a reader that never retries in a loop but
 * tries again at its next pass.
 */
static void
pub_store(uint64_t *dst, uint64_t v)
{
	__atomic_store_n(dst, v, __ATOMIC_RELAXED);
}

static uint64_t
pub_load(const uint64_t *src)
{
	return __atomic_load_n(src, __ATOMIC_RELAXED);
}

/* A bucket from its keys; burst 0: a tenth of a second's worth, within
 * what the burst key takes (max), so that the sums stay in range. */
static void
pub_bucket(struct dp_fair_pub_bucket *b, uint64_t rate, uint64_t burst,
	   uint64_t max, uint64_t hz)
{
	uint64_t cap;

	if (rate == 0) {
		pub_store(&b->rate, 0);
		return;
	}
	if (burst == 0)
		burst = RTE_MIN(RTE_MAX(rate / 10, (uint64_t)1), max);
	cap = burst * hz;
	pub_store(&b->rate, rate);
	pub_store(&b->cap, cap);
	pub_store(&b->el_max, cap / rate + 1);
}

void
dp_fair_publish(struct dp_fair_pub *pub, const struct dp_fair_conf *conf,
		uint64_t hz)
{
	uint32_t seq = pub->seq;

	__atomic_store_n(&pub->seq, seq + 1, __ATOMIC_RELAXED);
	/* The odd count is visible before any field changes: a reader that
	 * sees a new field sees the count move (its acquire fence). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&pub->budget, (uint32_t)(conf->poll_budget * conf->weight),
			 __ATOMIC_RELAXED);
	pub_store(&pub->hz, hz);
	pub_bucket(&pub->calls, conf->calls_per_s, conf->calls_burst,
		   DP_FAIR_CALLS_BURST_MAX, hz);
	pub_bucket(&pub->bytes, conf->bytes_per_s, conf->bytes_burst,
		   DP_FAIR_BYTES_BURST_MAX, hz);
	/* Release: the fields above before the even count. */
	__atomic_store_n(&pub->seq, seq + 2, __ATOMIC_RELEASE);
}

/* A new rate starts full; a kept one keeps its level, up to the new cap. */
static void
bucket_apply(struct dp_fair_bucket *b, const struct dp_fair_pub_bucket *p)
{
	bool fresh = b->rate == 0;

	b->rate = p->rate;
	b->cap = (int64_t)p->cap;
	b->el_max = p->el_max;
	if (fresh || b->level > b->cap)
		b->level = b->cap;
}

static void
bucket_copy(struct dp_fair_pub_bucket *dst, const struct dp_fair_pub_bucket *src)
{
	dst->rate = pub_load(&src->rate);
	dst->cap = dst->rate != 0 ? pub_load(&src->cap) : 0;
	dst->el_max = dst->rate != 0 ? pub_load(&src->el_max) : 0;
}

bool
dp_fair_reload(struct dp_fair *f, const struct dp_fair_pub *pub, uint64_t now)
{
	/* Acquire: pairs with the writer's release of the even count. */
	uint32_t seq = __atomic_load_n(&pub->seq, __ATOMIC_ACQUIRE);
	struct dp_fair_pub c;

	if (seq & 1)
		return false;
	c.budget = __atomic_load_n(&pub->budget, __ATOMIC_RELAXED);
	c.hz = pub_load(&pub->hz);
	bucket_copy(&c.calls, &pub->calls);
	bucket_copy(&c.bytes, &pub->bytes);
	/* The copies above before the second look at the count: if the
	 * writer began meanwhile, the count has moved. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&pub->seq, __ATOMIC_RELAXED) != seq)
		return false;
	f->budget = c.budget;
	f->hz = c.hz;
	bucket_apply(&f->calls, &c.calls);
	bucket_apply(&f->bytes, &c.bytes);
	f->limited = c.calls.rate != 0 || c.bytes.rate != 0;
	f->last = now;
	f->seq = seq;
	return true;
}
