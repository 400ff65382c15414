/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/vf/alloc_sim: the VF allocator (control/vf/) in simulation, with
 * the mock actuator and a simulated clock.
 *
 *  experiment  FlexVF's: 100 guests in four groups of 25 at 20k, 40k, 80k
 *              and 100k pps (+-10 % noise per sample), N VFs, a round every
 *              T; fair against activity: who holds the VFs after each round,
 *              each group's share of VF time, and the benefit — the share
 *              of all packets that travelled on a VF.
 *  scale       one round's time (the allocator's own measure: rates, policy,
 *              decisions through the mock actuator) and the memory per
 *              guest, at 1 000 and 10 000 guests, both policies.
 *
 * Output (--raw FILE, else stdout), one record per line:
 *   INFO key value...
 *   ROUND policy round t_s held20 held40 held80 held100
 *   SHARE policy group_pps share_of_vf_time
 *   BENEFIT policy fraction_of_packets_on_vfs moves
 *   SCALE policy guests vfs rounds round_us_median round_us_p99 round_us_max bytes_per_guest
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act_mock.h"
#include "alloc.h"

#define GROUPS 4
static const double group_pps[GROUPS] = { 20e3, 40e3, 80e3, 100e3 };

struct opts {
	unsigned int vfs;
	unsigned int rounds;
	unsigned int interval_s;
	unsigned int sample_s;
	unsigned int scale_rounds;
	FILE *out;
};

static uint32_t
lcg(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

struct world {
	struct vf_alloc *a;
	struct vf_mock *m;
	struct vf_actuator act;
	unsigned int n;
	uint64_t *pkts;			/* cumulative, per guest */
	double *pps;			/* nominal, per guest */
	uint32_t seed;
};

static int
world_init(struct world *w, enum vf_pol_kind pol, unsigned int n, unsigned int vfs,
	   const struct opts *o)
{
	struct vf_slot *slots = calloc(vfs, sizeof(*slots));
	struct vf_alloc_conf c;

	memset(w, 0, sizeof(*w));
	w->n = n;
	w->seed = 12345;
	w->pkts = calloc(n, sizeof(*w->pkts));
	w->pps = calloc(n, sizeof(*w->pps));
	if (slots == NULL || w->pkts == NULL || w->pps == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < vfs; i++)
		snprintf(slots[i].name, sizeof(slots[i].name), "pool/%u", i);
	vf_alloc_conf_defaults(&c);
	c.policy = pol;
	c.interval_ms = o->interval_s * 1000;
	c.min_hold_ms = 0;
	c.hysteresis_pct = 20;
	c.max_moves = 0;
	c.rate_window_ms = o->sample_s * 4000 < 3600000 ? o->sample_s * 4000 : 3600000;
	w->a = vf_alloc_create(&c, slots, vfs, n);
	w->m = vf_mock_create(vfs + 1);
	free(slots);
	if (w->a == NULL || w->m == NULL)
		return -ENOMEM;
	vf_mock_actuator(w->m, &w->act);
	vf_alloc_set_actuator(w->a, &w->act);
	for (unsigned int i = 0; i < n; i++) {
		char name[VF_NAME_MAX];

		snprintf(name, sizeof(name), "vm%u", i);
		if (vf_alloc_guest_add(w->a, name, VF_ROLE_ELIGIBLE, 1) < 0)
			return -EINVAL;
	}
	return 0;
}

static void
world_free(struct world *w)
{
	vf_alloc_free(w->a);
	vf_mock_free(w->m);
	free(w->pkts);
	free(w->pps);
}

/* Every guest's channel counters after dt_s more seconds, +-10 % noise. */
static void
world_sample(struct world *w, uint64_t now_ms, unsigned int dt_s)
{
	for (unsigned int i = 0; i < w->n; i++) {
		double noise = 0.9 + (double)(lcg(&w->seed) % 2001) / 10000.0;
		struct vf_counters c;

		w->pkts[i] += (uint64_t)(w->pps[i] * noise * dt_s);
		c = (struct vf_counters){ .pkts = w->pkts[i], .bytes = w->pkts[i] * 512,
					  .source = VF_RATE_HOST_CHANNEL };
		vf_alloc_host_counters(w->a, i, &c, now_ms);
	}
}

/* The group each guest of the experiment is in. */
static unsigned int
group_of(unsigned int i)
{
	return i / 25;
}

static int
experiment(enum vf_pol_kind pol, const struct opts *o)
{
	static struct vf_alloc_guest_info info[100];
	double vf_time[GROUPS] = { 0 }, on_vf = 0, all = 0;
	const char *name = vf_pol_name(pol);
	struct world w;
	uint64_t now = 0;

	if (world_init(&w, pol, 100, o->vfs, o) < 0) {
		fprintf(stderr, "alloc_sim: cannot set up\n");
		return -1;
	}
	for (unsigned int i = 0; i < 100; i++)
		w.pps[i] = group_pps[group_of(i)];
	for (unsigned int r = 0; r < o->rounds; r++) {
		unsigned int held[GROUPS] = { 0 }, n;

		/* One interval: samples, then the round at its end. */
		for (unsigned int s = 0; s < o->interval_s; s += o->sample_s) {
			now += o->sample_s * 1000ull;
			world_sample(&w, now, o->sample_s);
			vf_alloc_tick(w.a, now);
		}
		n = vf_alloc_guests(w.a, info, 100);
		for (unsigned int i = 0; i < n; i++) {
			unsigned int g = group_of(i);
			bool on = info[i].state == VF_G_HELD;

			held[g] += on;
			/* Until the next round, this is where its packets go. */
			vf_time[g] += on ? o->interval_s : 0;
			on_vf += on ? w.pps[i] * o->interval_s : 0;
			all += w.pps[i] * o->interval_s;
		}
		fprintf(o->out, "ROUND %s %u %llu %u %u %u %u\n", name, r,
			(unsigned long long)(now / 1000), held[0], held[1], held[2], held[3]);
	}
	for (unsigned int g = 0; g < GROUPS; g++)
		fprintf(o->out, "SHARE %s %.0f %.4f\n", name, group_pps[g],
			vf_time[g] / (25.0 * o->interval_s * o->rounds));
	fprintf(o->out, "BENEFIT %s %.4f %llu\n", name, on_vf / all,
		(unsigned long long)vf_alloc_stats(w.a)->assigns);
	world_free(&w);
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
scale(enum vf_pol_kind pol, unsigned int n, unsigned int vfs, const struct opts *o)
{
	uint64_t *ns = calloc(o->scale_rounds, sizeof(*ns));
	struct world w;
	uint64_t now = 0;

	if (ns == NULL || world_init(&w, pol, n, vfs, o) < 0) {
		fprintf(stderr, "alloc_sim: cannot set up %u guests\n", n);
		free(ns);
		return -1;
	}
	/* Rates spread over two decades, so activity has work to do. */
	for (unsigned int i = 0; i < n; i++)
		w.pps[i] = 1e3 + (double)(lcg(&w.seed) % 100000);
	/* Two rounds not timed: the first touch of every page, first rates. */
	for (unsigned int r = 0; r < o->scale_rounds + 2; r++) {
		uint64_t before = vf_alloc_stats(w.a)->rounds;

		now += 1000;
		world_sample(&w, now, 1);
		vf_alloc_kick(w.a);		/* a round on every tick */
		vf_alloc_tick(w.a, now);
		if (vf_alloc_stats(w.a)->rounds != before + 1) {
			fprintf(stderr, "alloc_sim: tick %u ran no round\n", r);
			free(ns);
			world_free(&w);
			return -1;
		}
		if (r >= 2)
			ns[r - 2] = vf_alloc_stats(w.a)->round_ns_last;
		/* Shuffle some rates: the next round has moves to make. */
		for (unsigned int k = 0; k < n / 20; k++)
			w.pps[lcg(&w.seed) % n] = 1e3 + (double)(lcg(&w.seed) % 100000);
	}
	qsort(ns, o->scale_rounds, sizeof(*ns), cmp_u64);
	fprintf(o->out, "SCALE %s %u %u %u %.1f %.1f %.1f %zu\n", vf_pol_name(pol), n, vfs,
		o->scale_rounds, ns[o->scale_rounds / 2] / 1e3,
		ns[(o->scale_rounds * 99) / 100] / 1e3, ns[o->scale_rounds - 1] / 1e3,
		vf_alloc_bytes_per_guest());
	free(ns);
	world_free(&w);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "Usage: alloc_sim [--quick] [--vfs N] [--rounds R] "
		"[--interval-s T] [--raw FILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "vfs", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "interval-s", required_argument, NULL, 'i' },
		{ "raw", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .vfs = 50, .rounds = 24, .interval_s = 300, .sample_s = 5,
			  .scale_rounds = 200, .out = stdout };
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'q': o.rounds = 12; o.sample_s = 30; o.scale_rounds = 20; break;
		case 'n': o.vfs = (unsigned int)atoi(optarg); break;
		case 'r': o.rounds = (unsigned int)atoi(optarg); break;
		case 'i': o.interval_s = (unsigned int)atoi(optarg); break;
		case 'o':
			o.out = fopen(optarg, "w");
			if (o.out == NULL) {
				perror(optarg);
				return 2;
			}
			break;
		default: usage();
		}
	}
	if (o.vfs < 1 || o.vfs > 100 || o.rounds < 1 || o.interval_s < 1 ||
	    o.interval_s % o.sample_s != 0)
		usage();
	fprintf(o.out, "INFO vfs %u\nINFO rounds %u\nINFO interval_s %u\n"
		"INFO groups 20000 40000 80000 100000\nINFO guests_per_group 25\n",
		o.vfs, o.rounds, o.interval_s);
	rc |= experiment(VF_POL_FAIR, &o);
	rc |= experiment(VF_POL_ACTIVITY, &o);
	for (unsigned int n = 1000; n <= 10000; n *= 10) {
		rc |= scale(VF_POL_FAIR, n, 64, &o);
		rc |= scale(VF_POL_ACTIVITY, n, 64, &o);
	}
	if (o.out != stdout)
		fclose(o.out);
	return rc == 0 ? 0 : 1;
}
