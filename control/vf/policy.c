/* SPDX-License-Identifier: BSD-3-Clause */
/* VF policies: fair, activity, manual; pure functions over the guests. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/* Sorts first: pinned guests wait ahead of everyone. */
#define KEY_PINNED (-1e300)

static const char *const pol_names[VF_POL_COUNT] = {
#define VF_POL_NAME_(sym, name) [VF_POL_##sym] = name,
	VF_POL_LIST(VF_POL_NAME_)
#undef VF_POL_NAME_
};

const char *
vf_pol_name(enum vf_pol_kind k)
{
	return (unsigned int)k < VF_POL_COUNT ? pol_names[k] : "?";
}

int
vf_pol_lookup(const char *name)
{
	for (int k = 0; k < VF_POL_COUNT; k++)
		if (strcmp(pol_names[k], name) == 0)
			return k;
	return -1;
}

const char *
vf_role_name(unsigned int role)
{
	static const char *const names[] = { "none", "eligible", "pinned", "excluded" };

	return role < sizeof(names) / sizeof(names[0]) ? names[role] : "?";
}

static unsigned int
weight_of(const struct vf_pol_guest *g)
{
	return g->weight != 0 ? g->weight : 1;
}

static double
wrate(const struct vf_pol_guest *g)
{
	return g->rate * weight_of(g);
}

static bool
takes_vf(const struct vf_pol_guest *g)
{
	return g->role == VF_ROLE_ELIGIBLE || g->role == VF_ROLE_PINNED;
}

/* Service ms at weight 1, for reasons. */
static uint64_t
service_ms(const struct vf_pol_guest *g)
{
	return g->vtime / VF_POL_WSCALE;
}

/*
 * Fair's books: holders are charged the time held since the last round,
 * divided by their weight; a guest seen the first time (or eligible again)
 * starts at the least service of the others, so it neither waits behind
 * everyone nor takes all the time owed to nobody.
 */
static void
fair_account(struct vf_pol_guest *g, unsigned int n, const struct vf_pol_round *r)
{
	uint64_t min = UINT64_MAX;

	for (unsigned int i = 0; i < n; i++) {
		struct vf_pol_guest *x = &g[i];
		uint64_t from = x->held_since_ms > r->last_ms ? x->held_since_ms :
				r->last_ms;

		if (!takes_vf(x)) {
			x->known = 0;
			continue;
		}
		if (x->known && x->holds && r->now_ms > from)
			x->vtime += (r->now_ms - from) * VF_POL_WSCALE / weight_of(x);
		if (x->known && x->vtime < min)
			min = x->vtime;
	}
	for (unsigned int i = 0; i < n; i++)
		if (takes_vf(&g[i]) && !g[i].known) {
			g[i].vtime = min == UINT64_MAX ? 0 : min;
			g[i].known = 1;
		}
}

static int
rank_cmp(const void *a, const void *b)
{
	const struct vf_pol_rank *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void
rank_swap(struct vf_pol_rank *a, struct vf_pol_rank *b)
{
	struct vf_pol_rank t = *a;

	*a = *b;
	*b = t;
}

/* Lomuto partition of [lo, hi] around the median of three; the pivot's
 * final place. */
static unsigned int
partition(struct vf_pol_rank *r, unsigned int lo, unsigned int hi)
{
	unsigned int mid = lo + (hi - lo) / 2, store = lo;

	if (rank_cmp(&r[mid], &r[lo]) < 0)
		rank_swap(&r[mid], &r[lo]);
	if (rank_cmp(&r[hi], &r[lo]) < 0)
		rank_swap(&r[hi], &r[lo]);
	if (rank_cmp(&r[mid], &r[hi]) < 0)
		rank_swap(&r[mid], &r[hi]);
	for (unsigned int i = lo; i < hi; i++)
		if (rank_cmp(&r[i], &r[hi]) < 0)
			rank_swap(&r[i], &r[store++]);
	rank_swap(&r[store], &r[hi]);
	return store;
}

/*
 * The best `want` of n entries, sorted, in r[0 .. want). Only that many
 * can be used in a round (one per free VF or holder), so the rest need
 * no order: quickselect, then a sort of the few. Keys partly follow a
 * guest's traffic, so a bad pivot sequence is possible: after 64
 * partitions it sorts what is left instead (O(n log n) at worst).
 */
static void
rank_best(struct vf_pol_rank *r, unsigned int n, unsigned int want)
{
	unsigned int lo = 0, hi = n - 1, rounds = 0;

	if (want < n && want > 0) {
		while (lo < hi) {
			unsigned int p;

			if (++rounds > 64) {
				qsort(r + lo, hi - lo + 1, sizeof(*r), rank_cmp);
				break;
			}
			p = partition(r, lo, hi);
			if (p == want - 1 || p == want)
				break;
			if (p < want)
				lo = p + 1;
			else
				hi = p - 1;
		}
		n = want;
	}
	qsort(r, n, sizeof(*r), rank_cmp);
}

/* Waiting guests, best first: as many as can get a VF this round. */
static unsigned int
rank_challengers(const struct vf_pol_conf *c, const struct vf_pol_guest *g,
		 unsigned int n, unsigned int free_vfs, struct vf_pol_rank *out)
{
	unsigned int k = 0, holders = 0, want;

	for (unsigned int i = 0; i < n; i++) {
		const struct vf_pol_guest *x = &g[i];

		holders += x->holds;
		if (x->holds || x->busy)
			continue;
		if (x->role == VF_ROLE_PINNED)
			out[k++] = (struct vf_pol_rank){ KEY_PINNED, i };
		else if (x->role != VF_ROLE_ELIGIBLE || c->kind == VF_POL_MANUAL)
			continue;
		else if (c->kind == VF_POL_FAIR)
			out[k++] = (struct vf_pol_rank){ (double)x->vtime, i };
		else if (wrate(x) > 0)
			out[k++] = (struct vf_pol_rank){ -wrate(x), i };
	}
	if (k == 0)
		return 0;
	/* Each one taken needs a free VF or a holder's. */
	want = free_vfs + holders < k ? free_vfs + holders : k;
	rank_best(out, k, want);
	return want;
}

/* Holders the policy may move, first to go first. */
static unsigned int
rank_holders(const struct vf_pol_conf *c, const struct vf_pol_guest *g,
	     unsigned int n, uint64_t now, struct vf_pol_rank *out)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct vf_pol_guest *x = &g[i];

		if (!x->holds || x->busy || x->role != VF_ROLE_ELIGIBLE ||
		    now - x->held_since_ms < c->min_hold_ms || now < x->held_since_ms)
			continue;
		out[k++] = (struct vf_pol_rank){
			c->kind == VF_POL_FAIR ? -(double)x->vtime : wrate(x), i };
	}
	qsort(out, k, sizeof(*out), rank_cmp);
	return k;
}

/* Does waiting guest w deserve holder h's VF? */
static bool
beats(const struct vf_pol_conf *c, const struct vf_pol_guest *w,
      const struct vf_pol_guest *h)
{
	if (w->role == VF_ROLE_PINNED)
		return true;
	switch (c->kind) {
	case VF_POL_FAIR:
		/* Equal service: the holder just had its turn. */
		return w->vtime <= h->vtime;
	case VF_POL_ACTIVITY:
		return wrate(w) * 100.0 > wrate(h) * (100.0 + c->hysteresis_pct);
	default:
		return false;
	}
}

static void
why_assign(const struct vf_pol_conf *c, const struct vf_pol_guest *w,
	   const char *how, char *buf)
{
	if (w->role == VF_ROLE_PINNED)
		snprintf(buf, VF_REASON_MAX, "pinned by the operator; %s", how);
	else if (c->kind == VF_POL_FAIR)
		snprintf(buf, VF_REASON_MAX, "fair: least served waiting (%" PRIu64
			 " ms); %s", service_ms(w), how);
	else
		snprintf(buf, VF_REASON_MAX, "activity: top waiting, %.0f pps x%u; %s",
			 w->rate, weight_of(w), how);
}

static void
why_revoke(const struct vf_pol_conf *c, const struct vf_pol_guest *h,
	   const struct vf_pol_guest *w, char *buf)
{
	if (w->role == VF_ROLE_PINNED)
		snprintf(buf, VF_REASON_MAX, "a pinned guest waits; held past min hold");
	else if (c->kind == VF_POL_FAIR)
		snprintf(buf, VF_REASON_MAX, "fair: served %" PRIu64 " ms, a waiting "
			 "guest %" PRIu64 " ms", service_ms(h), service_ms(w));
	else
		snprintf(buf, VF_REASON_MAX, "activity: %.0f pps x%u beaten by %.0f pps "
			 "x%u (margin %u%%)", h->rate, weight_of(h), w->rate,
			 weight_of(w), c->hysteresis_pct);
}

struct round_out {
	struct vf_pol_decision *d;
	unsigned int n;
	unsigned int moves;
	unsigned int max_moves;
};

static bool
may_move(const struct round_out *o)
{
	return o->max_moves == 0 || o->moves < o->max_moves;
}

static struct vf_pol_decision *
emit(struct round_out *o, uint32_t guest, enum vf_pol_action a, uint32_t other)
{
	struct vf_pol_decision *d = &o->d[o->n++];

	d->guest = guest;
	d->action = a;
	d->other = other;
	d->reason[0] = '\0';
	return d;
}

/* Excluded guests and those taking no VF give theirs back; the best
 * waiting guest gets it. */
static void
forced_revokes(const struct vf_pol_conf *c, const struct vf_pol_guest *g,
	       unsigned int n, struct vf_pol_rank *wait, unsigned int n_wait,
	       unsigned int *next_wait, struct round_out *o)
{
	for (unsigned int i = 0; i < n && may_move(o); i++) {
		const struct vf_pol_guest *x = &g[i];
		uint32_t to = VF_POL_NONE;
		struct vf_pol_decision *d;

		if (!x->holds || x->busy || takes_vf(x))
			continue;
		if (*next_wait < n_wait)
			to = wait[(*next_wait)++].idx;
		d = emit(o, i, VF_POL_REVOKE, to);
		snprintf(d->reason, VF_REASON_MAX, "%s",
			 x->role == VF_ROLE_EXCLUDED ? "excluded by the operator" :
			 "takes no VF any more (vf = none)");
		if (to != VF_POL_NONE)
			why_assign(c, &g[to], "the VF of an excluded guest",
				   emit(o, to, VF_POL_ASSIGN, i)->reason);
		o->moves++;
	}
}

unsigned int
vf_policy_round(const struct vf_pol_conf *c, struct vf_pol_guest *g,
		unsigned int n, const struct vf_pol_round *r,
		struct vf_pol_rank *scratch, struct vf_pol_decision *out)
{
	struct round_out o = { .d = out, .max_moves = c->max_moves };
	struct vf_pol_rank *wait = scratch, *hold = scratch + n;
	unsigned int n_wait, n_hold, w = 0, free_vfs = r->free_vfs;

	if (c->kind == VF_POL_FAIR)
		fair_account(g, n, r);
	n_wait = rank_challengers(c, g, n, r->free_vfs, wait);
	n_hold = rank_holders(c, g, n, r->now_ms, hold);
	forced_revokes(c, g, n, wait, n_wait, &w, &o);
	for (; free_vfs > 0 && w < n_wait && may_move(&o); free_vfs--, w++) {
		why_assign(c, &g[wait[w].idx], "a free VF",
			   emit(&o, wait[w].idx, VF_POL_ASSIGN, VF_POL_NONE)->reason);
		o.moves++;
	}
	/* Both lists are sorted: once the best waiting guest cannot beat the
	 * weakest holder left, nobody further down can. */
	for (unsigned int h = 0; h < n_hold && w < n_wait && may_move(&o); h++, w++) {
		uint32_t hi = hold[h].idx, wi = wait[w].idx;

		if (!beats(c, &g[wi], &g[hi]))
			break;
		why_revoke(c, &g[hi], &g[wi], emit(&o, hi, VF_POL_REVOKE, wi)->reason);
		why_assign(c, &g[wi], "takes a holder's VF",
			   emit(&o, wi, VF_POL_ASSIGN, hi)->reason);
		o.moves++;
	}
	return o.n;
}
