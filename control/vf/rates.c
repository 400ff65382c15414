/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-guest rate EWMAs from cumulative counters, ranked by trust. */
#include <string.h>

#include "rates.h"

/* A 64-bit counter that wrapped lands this close to zero. */
#define WRAP64_SLACK (1ull << 40)

const char *
vf_rate_source_name(enum vf_rate_source s)
{
	static const char *const names[] = {
		[VF_RATE_HOST_CHANNEL] = "channel", [VF_RATE_HOST_VFPORT] = "vfport",
		[VF_RATE_HOST_PF] = "pf", [VF_RATE_GUEST_REPORT] = "report",
		[VF_RATE_NONE] = "none",
	};

	return (unsigned int)s <= VF_RATE_NONE ? names[s] : "?";
}

void
vf_rate_init(struct vf_rate *r)
{
	memset(r, 0, sizeof(*r));
}

/* How far a cumulative counter moved; false when it was reset. */
static bool
counter_delta(uint64_t old, uint64_t now, uint64_t *d)
{
	if (now >= old) {
		*d = now - old;
		return true;
	}
	/* A 32-bit counter (some PMDs, some agents) that wrapped. */
	if (old <= UINT32_MAX && old - now > (1ull << 31)) {
		*d = (uint32_t)(now - old);
		return true;
	}
	if (old > UINT64_MAX - WRAP64_SLACK && now < WRAP64_SLACK) {
		*d = now - old;		/* modulo 2^64 */
		return true;
	}
	return false;
}

static void
prime(struct vf_ewma *e, const struct vf_counters *c, uint64_t now_ms)
{
	e->last_pkts = c->pkts;
	e->last_bytes = c->bytes;
	e->last_ms = now_ms;
	e->primed = 1;
}

enum vf_sample_result
vf_rate_feed(struct vf_rate *r, const struct vf_counters *c, uint64_t now_ms,
	     unsigned int window_ms)
{
	struct vf_ewma *e;
	uint64_t dp, db, dt;
	double pps, bps, alpha;

	if ((unsigned int)c->source >= VF_RATE_SOURCES)
		return VF_SAMPLE_RESET;
	e = &r->src[c->source];
	if (!e->primed || now_ms < e->last_ms) {
		prime(e, c, now_ms);
		return VF_SAMPLE_PRIMED;
	}
	if (now_ms == e->last_ms)
		return VF_SAMPLE_SAME_MS;
	dt = now_ms - e->last_ms;
	if (!counter_delta(e->last_pkts, c->pkts, &dp) ||
	    !counter_delta(e->last_bytes, c->bytes, &db)) {
		r->resets++;
		prime(e, c, now_ms);
		return VF_SAMPLE_RESET;
	}
	pps = (double)dp * 1000.0 / (double)dt;
	bps = (double)db * 1000.0 / (double)dt;
	if (pps > VF_RATE_MAX_PPS || bps > VF_RATE_MAX_BPS) {
		r->resets++;
		prime(e, c, now_ms);
		return VF_SAMPLE_TOO_FAST;
	}
	/* Time-weighted: a late sample weighs more, as it covers more time. */
	alpha = (double)dt / ((double)window_ms + (double)dt);
	if (!e->rated) {
		e->pps = pps;
		e->bps = bps;
		e->rated = 1;
	} else {
		e->pps += alpha * (pps - e->pps);
		e->bps += alpha * (bps - e->bps);
	}
	prime(e, c, now_ms);
	return VF_SAMPLE_OK;
}

static bool
fresh(const struct vf_ewma *e, uint64_t now_ms, unsigned int window_ms)
{
	return e->rated && now_ms - e->last_ms <= 2 * (uint64_t)window_ms;
}

void
vf_rate_eval(struct vf_rate *r, uint64_t now_ms, unsigned int window_ms,
	     bool vf_covered, struct vf_rate_now *out)
{
	const struct vf_ewma *rep = &r->src[VF_RATE_GUEST_REPORT];

	*out = (struct vf_rate_now){ .source = VF_RATE_NONE };
	for (int s = VF_RATE_HOST_CHANNEL; s < VF_RATE_GUEST_REPORT; s++) {
		const struct vf_ewma *e = &r->src[s];

		if (fresh(e, now_ms, window_ms) &&
		    (out->source == VF_RATE_NONE || e->pps > out->pps)) {
			out->pps = e->pps;
			out->bps = e->bps;
			out->source = (enum vf_rate_source)s;
		}
	}
	if (vf_covered) {
		r->ceiling_pps = out->pps;
		r->ceiling_bps = out->bps;
		return;
	}
	if (fresh(rep, now_ms, window_ms) && rep->pps > out->pps &&
	    r->ceiling_pps > out->pps) {
		out->pps = rep->pps < r->ceiling_pps ? rep->pps : r->ceiling_pps;
		out->bps = rep->bps < r->ceiling_bps ? rep->bps : r->ceiling_bps;
		out->source = VF_RATE_GUEST_REPORT;
	}
}
