/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the VF policies on synthetic rate traces, with a fake clock. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "unit_check.h"

#define MAXG 128

struct sim {
	struct vf_pol_conf c;
	struct vf_pol_guest g[MAXG];
	struct vf_pol_rank scratch[VF_POL_SCRATCH(MAXG)];
	struct vf_pol_decision d[MAXG];
	unsigned int n;
	unsigned int vfs;
	unsigned int free;
	uint64_t now;
	uint64_t last;
	uint64_t moves;			/* VFs that changed hands, all rounds */
	uint64_t held_rounds[MAXG];	/* rounds each guest ended holding */
	uint64_t waited[MAXG];		/* rounds since it last held */
	uint64_t max_wait[MAXG];
};

static void
sim_init(struct sim *s, enum vf_pol_kind k, unsigned int n, unsigned int vfs)
{
	memset(s, 0, sizeof(*s));
	s->c.kind = k;
	s->n = n;
	s->vfs = vfs;
	s->free = vfs;
	for (unsigned int i = 0; i < n; i++)
		s->g[i] = (struct vf_pol_guest){ .role = VF_ROLE_ELIGIBLE, .weight = 1 };
}

/* Apply decisions at once, as an actuator that never fails would. */
static unsigned int
sim_round(struct sim *s, uint64_t now)
{
	struct vf_pol_round r = { .now_ms = now, .last_ms = s->last, .free_vfs = s->free };
	unsigned int nd = vf_policy_round(&s->c, s->g, s->n, &r, s->scratch, s->d);
	unsigned int moves = 0;

	for (unsigned int k = 0; k < nd; k++) {
		struct vf_pol_guest *x = &s->g[s->d[k].guest];

		if (s->d[k].action == VF_POL_REVOKE) {
			CHECK("decision", x->holds, "revoke of guest %u, which holds none",
			      s->d[k].guest);
			x->holds = 0;
			if (s->d[k].other == VF_POL_NONE)
				s->free++;
			moves++;
		} else {
			CHECK("decision", !x->holds, "assign to guest %u, which holds one",
			      s->d[k].guest);
			CHECK("decision", s->d[k].reason[0] != '\0', "no reason");
			if (s->d[k].other == VF_POL_NONE) {
				CHECK("decision", s->free > 0, "assign with no free VF");
				s->free--;
				moves++;
			}
			x->holds = 1;
			x->held_since_ms = now;
		}
	}
	s->moves += moves;
	s->last = now;
	for (unsigned int i = 0; i < s->n; i++) {
		if (s->g[i].holds) {
			s->held_rounds[i]++;
			s->waited[i] = 0;
		} else if (++s->waited[i] > s->max_wait[i]) {
			s->max_wait[i] = s->waited[i];
		}
	}
	return moves;
}

static unsigned int
holders(const struct sim *s)
{
	unsigned int h = 0;

	for (unsigned int i = 0; i < s->n; i++)
		h += s->g[i].holds;
	return h;
}

/* FlexVF's experiment: 100 guests in four groups of 25. */
static const double group_pps[4] = { 20e3, 40e3, 80e3, 100e3 };

static void
flexvf_rates(struct sim *s)
{
	for (unsigned int i = 0; i < 100; i++)
		s->g[i].rate = group_pps[i / 25];
}

static double
benefit(const struct sim *s)
{
	double b = 0;

	for (unsigned int i = 0; i < s->n; i++)
		b += s->g[i].holds ? s->g[i].rate : 0;
	return b;
}

static void
test_activity_flexvf(void)
{
	static struct sim s;
	double act_benefit = 0, fair_benefit = 0;

	sim_init(&s, VF_POL_ACTIVITY, 100, 50);
	s.c.hysteresis_pct = 10;
	flexvf_rates(&s);
	for (unsigned int r = 0; r < 20; r++) {
		sim_round(&s, 1000 + r * 300000ull);
		act_benefit += benefit(&s);
	}
	for (unsigned int i = 0; i < 100; i++)
		CHECK("activity: four groups", s.g[i].holds == (i >= 50),
		      "guest %u (%.0f pps) holds=%u: the two busiest groups should "
		      "hold the 50 VFs", i, s.g[i].rate, s.g[i].holds);
	CHECK("activity: four groups", s.moves == 50, "%lu moves, want 50 (no churn)",
	      (unsigned long)s.moves);

	sim_init(&s, VF_POL_FAIR, 100, 50);
	flexvf_rates(&s);
	for (unsigned int r = 0; r < 20; r++) {
		sim_round(&s, 1000 + r * 300000ull);
		fair_benefit += benefit(&s);
		CHECK("fair: four groups", holders(&s) == 50, "round %u: %u holders", r,
		      holders(&s));
	}
	for (unsigned int i = 0; i < 100; i++)
		CHECK("fair: four groups", s.held_rounds[i] == 10,
		      "guest %u held %lu of 20 rounds, want 10", i,
		      (unsigned long)s.held_rounds[i]);
	CHECK("benefit", act_benefit > fair_benefit * 1.3,
	      "activity %.0f vs fair %.0f pps carried by VFs", act_benefit, fair_benefit);
}

static void
test_fair_no_starvation(void)
{
	static struct sim s;

	/* Uneven numbers, capped moves: everyone still gets turns. */
	for (unsigned int cap = 0; cap <= 2; cap += 2) {
		sim_init(&s, VF_POL_FAIR, 37, 5);
		s.c.max_moves = cap;
		for (unsigned int i = 0; i < 37; i++)
			s.g[i].rate = (double)(i * 7919 % 100) * 1000;
		for (unsigned int r = 0; r < 3700; r++)
			sim_round(&s, 10 + r * 1000ull);
		for (unsigned int i = 0; i < 37; i++) {
			/* 3700 rounds x 5 VFs / 37 guests = 500 rounds each. */
			CHECK("fair: no starvation", s.held_rounds[i] >= 490 &&
			      s.held_rounds[i] <= 510, "cap %u: guest %u held %lu rounds, "
			      "want 500 +- 10", cap, i, (unsigned long)s.held_rounds[i]);
			/* Bounded: one pass over the 32 waiting guests, or two
			 * when only `cap` VFs move per round. */
			CHECK("fair: no starvation", s.max_wait[i] <= (cap ? 38u : 9u),
			      "cap %u: guest %u waited %lu rounds in a row", cap, i,
			      (unsigned long)s.max_wait[i]);
		}
	}
}

static void
test_fair_weights(void)
{
	static struct sim s;

	sim_init(&s, VF_POL_FAIR, 4, 1);
	s.g[0].weight = 3;
	for (unsigned int r = 0; r < 600; r++)
		sim_round(&s, 10 + r * 1000ull);
	CHECK("fair: weights", s.held_rounds[0] >= 285 && s.held_rounds[0] <= 315,
	      "weight 3 of 6 held %lu of 600 rounds, want ~300",
	      (unsigned long)s.held_rounds[0]);
	for (unsigned int i = 1; i < 4; i++)
		CHECK("fair: weights", s.held_rounds[i] >= 90 && s.held_rounds[i] <= 110,
		      "weight 1 guest %u held %lu, want ~100", i,
		      (unsigned long)s.held_rounds[i]);
}

/* A deterministic noise source. */
static uint32_t
lcg(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

static uint64_t
noisy_moves(unsigned int hysteresis)
{
	static struct sim s;
	uint32_t seed = 42;

	sim_init(&s, VF_POL_ACTIVITY, 4, 2);
	s.c.hysteresis_pct = hysteresis;
	for (unsigned int r = 0; r < 1000; r++) {
		/* All four near 50k pps, +-5 %. */
		for (unsigned int i = 0; i < 4; i++)
			s.g[i].rate = 50e3 * (0.95 + (double)(lcg(&seed) % 1001) / 10000.0);
		sim_round(&s, 10 + r * 1000ull);
	}
	return s.moves;
}

static void
test_hysteresis(void)
{
	uint64_t with = noisy_moves(20), without = noisy_moves(0);

	CHECK("hysteresis", with == 2, "%lu moves on a +-5%% trace with a 20%% "
	      "margin, want 2 (the first assigns)", (unsigned long)with);
	CHECK("hysteresis", without > 100, "only %lu moves without a margin: the "
	      "trace is not noisy enough to show flapping", (unsigned long)without);
}

static void
test_min_hold(void)
{
	static struct sim s;

	sim_init(&s, VF_POL_ACTIVITY, 2, 1);
	s.c.min_hold_ms = 5000;
	s.g[0].rate = 1000;
	sim_round(&s, 1000);
	CHECK("min hold", s.g[0].holds, "guest 0 got no VF");
	s.g[1].rate = 1e6;
	for (uint64_t t = 2000; t < 6000; t += 1000) {
		sim_round(&s, t);
		CHECK("min hold", s.g[0].holds, "revoked at %lu ms, held since 1000 "
		      "with min hold 5000", (unsigned long)t);
	}
	sim_round(&s, 6000);
	CHECK("min hold", !s.g[0].holds && s.g[1].holds, "not moved after the hold");
}

static void
test_pins_and_exclusions(void)
{
	static struct sim s;

	sim_init(&s, VF_POL_ACTIVITY, 6, 2);
	for (unsigned int i = 0; i < 6; i++)
		s.g[i].rate = 1000.0 * (i + 1);
	sim_round(&s, 1000);
	CHECK("pin", s.g[4].holds && s.g[5].holds, "top two do not hold");
	/* An idle guest pinned takes a VF from the weakest holder. */
	s.g[0].role = VF_ROLE_PINNED;
	s.g[0].rate = 0;
	sim_round(&s, 2000);
	CHECK("pin", s.g[0].holds && s.g[5].holds && !s.g[4].holds,
	      "pinned guest 0 should displace guest 4 (holds %u %u %u)", s.g[0].holds,
	      s.g[4].holds, s.g[5].holds);
	s.g[3].rate = 1e9;
	for (uint64_t t = 3000; t < 10000; t += 1000)
		sim_round(&s, t);
	CHECK("pin", s.g[0].holds, "a pinned guest lost its VF");
	CHECK("pin", s.g[3].holds && !s.g[5].holds, "guest 3 should have taken 5's VF");
	/* Excluded: gives it back at once, min hold or not; the best waiting
	 * guest gets it in the same round. */
	s.c.min_hold_ms = 1000000;
	s.g[3].role = VF_ROLE_EXCLUDED;
	sim_round(&s, 11000);
	CHECK("exclude", !s.g[3].holds && s.g[5].holds,
	      "excluded guest 3 kept its VF, or 5 did not get it");
	for (uint64_t t = 12000; t < 20000; t += 1000)
		sim_round(&s, t);
	CHECK("exclude", !s.g[3].holds, "an excluded guest got a VF back");
	/* Manual: pins and exclusions only. */
	s.c.kind = VF_POL_MANUAL;
	s.c.min_hold_ms = 0;
	s.g[1].rate = 1e12;
	s.g[0].role = VF_ROLE_ELIGIBLE;
	CHECK("manual", sim_round(&s, 30000) == 0, "manual moved a VF");
}

static void
test_max_moves(void)
{
	static struct sim s;

	sim_init(&s, VF_POL_ACTIVITY, 20, 10);
	s.c.max_moves = 3;
	for (unsigned int i = 0; i < 10; i++)
		s.g[i].rate = 1000;
	for (unsigned int r = 0; r < 4; r++)
		sim_round(&s, 1000 + r * 1000ull);
	CHECK("max moves", holders(&s) == 10 && s.moves == 10,
	      "%u holders after %lu moves", holders(&s), (unsigned long)s.moves);
	for (unsigned int i = 10; i < 20; i++)
		s.g[i].rate = 1e6;
	CHECK("max moves", sim_round(&s, 10000) == 3, "not 3 swaps in a round");
	CHECK("max moves", sim_round(&s, 11000) == 3, "not 3 swaps in a round");
	CHECK("max moves", sim_round(&s, 12000) == 3, "not 3 swaps in a round");
	CHECK("max moves", sim_round(&s, 13000) == 1, "not the last swap");
	for (unsigned int i = 0; i < 20; i++)
		CHECK("max moves", s.g[i].holds == (i >= 10), "guest %u holds %u", i,
		      s.g[i].holds);
}

static void
test_busy_and_determinism(void)
{
	static struct sim a, b;

	sim_init(&a, VF_POL_FAIR, 50, 7);
	for (unsigned int i = 0; i < 50; i++) {
		a.g[i].rate = (double)(i % 13) * 1000;
		a.g[i].weight = (uint16_t)(1 + i % 3);
	}
	a.g[3].busy = 1;
	b = a;
	for (unsigned int r = 0; r < 200; r++) {
		sim_round(&a, 100 + r * 1000ull);
		sim_round(&b, 100 + r * 1000ull);
		CHECK("deterministic", memcmp(a.d, b.d, sizeof(a.d)) == 0 &&
		      memcmp(a.g, b.g, sizeof(a.g)) == 0, "two runs differ at round %u", r);
	}
	CHECK("busy", a.held_rounds[3] == 0, "a busy guest got a VF");
}

/* Activity without margin or hold ends every round with exactly the top N
 * holding: the partial ranking (quickselect) picks the same set a full
 * sort would. */
static void
test_activity_top_n(void)
{
	static struct sim s;
	uint32_t seed = 99;

	sim_init(&s, VF_POL_ACTIVITY, MAXG, 10);
	for (unsigned int r = 0; r < 300; r++) {
		unsigned int better;

		/* Distinct rates; a third of them new each round. */
		for (unsigned int i = 0; i < MAXG; i++)
			if (r == 0 || lcg(&seed) % 3 == 0)
				s.g[i].rate = (double)(lcg(&seed) % 1000000) + i * 1e-3;
		sim_round(&s, 1000 + r * 1000ull);
		for (unsigned int i = 0; i < MAXG; i++) {
			better = 0;
			for (unsigned int j = 0; j < MAXG; j++)
				better += s.g[j].rate > s.g[i].rate;
			CHECK("activity: top N", s.g[i].holds == (better < 10),
			      "round %u: guest %u (rank %u) holds=%u", r, i, better,
			      s.g[i].holds);
		}
		if (failures)
			break;
	}
}

static void
test_names(void)
{
	CHECK("names", vf_pol_lookup("activity") == VF_POL_ACTIVITY &&
	      vf_pol_lookup("Fair") < 0 && strcmp(vf_pol_name(VF_POL_MANUAL), "manual") == 0,
	      "policy names");
}

int
main(void)
{
	test_names();
	test_activity_flexvf();
	test_activity_top_n();
	test_fair_no_starvation();
	test_fair_weights();
	test_hysteresis();
	test_min_hold();
	test_pins_and_exclusions();
	test_max_moves();
	test_busy_and_determinism();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("vf policy: all checks passed\n");
	return 0;
}
