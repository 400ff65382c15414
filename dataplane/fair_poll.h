/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A guest's turn in a poll pass: as many frames as fair.h admits, in
 * bursts of DP_BURST, charged to its buckets. I/O lcore only; no syscalls,
 * locks or logs.
 */
#ifndef DP_FAIR_POLL_H
#define DP_FAIR_POLL_H

#include "fair.h"
#include "guest.h"
#include "vfport.h"

/* Frames taken from the guest's ring so far; runts count: they took a
 * slot, and a guest sending only runts must not escape its bucket. */
static inline uint64_t
dp_fair_taken(const struct dp_guest *g)
{
	return g->fast.st.rx_frames + g->fast.st.rx_runts;
}

/**
 * Poll a guest for at most its budget, unless its bucket is empty.
 * @param now  the TSC at about the start of the pass
 * @return work found (frames), 0 also when it was throttled (counted).
 */
static inline unsigned int
dp_fair_guest_poll(struct dp_guest *g, uint64_t now)
{
	struct dp_fair *f = &g->fair;
	uint64_t t0, b0, taken = 0;
	unsigned int max, work = 0;

	/* Relaxed: only a hint that something moved; the copy checks. */
	if (unlikely(__atomic_load_n(&g->fair_pub.seq, __ATOMIC_RELAXED) != f->seq))
		dp_fair_reload(f, &g->fair_pub, now);
	max = dp_fair_admit(f, now);
	if (unlikely(max == 0)) {
		if (f->budget != 0)
			g->fast.st.fair_throttled++;
		return 0;
	}
	t0 = dp_fair_taken(g);
	b0 = g->fast.st.rx_bytes;
	for (;;) {
		unsigned int want = RTE_MIN(max - (unsigned int)taken, (unsigned int)DP_BURST);
		uint64_t t;

		work += dp_vf_guest_poll(g, (uint16_t)want);
		t = dp_fair_taken(g) - t0;
		if (t - taken < want || t >= max) {
			taken = t;
			break;
		}
		taken = t;
	}
	if (taken >= max)
		g->fast.st.fair_budget_full++;
	if (unlikely(f->limited))
		dp_fair_charge(f, taken, g->fast.st.rx_bytes - b0);
	return work;
}

#endif /* DP_FAIR_POLL_H */
