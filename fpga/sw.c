/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The software backend: runs jobs on the lcore that submits and polls
 * them, in time slices, so that no job a guest sends holds that lcore for
 * longer than one slice: factorial with a billion repetitions or a CRC of
 * 16 MiB only makes its own call slow.
 *
 * Each submit and each poll runs jobs for at most one slice (slice_ns of
 * TSC time): a job that fits in what is left of it completes at once, a
 * longer one goes to the run list and gets a share of every later slice,
 * round robin, until it is done. Kernels run in chunks (a few thousand
 * repetitions, 64 KiB of bytes) between clock reads; a repetition
 * recomputes from scratch and the CRC carries its state, so chunking never
 * changes a result.
 *
 * One lcore both produces (submit) and consumes (poll), so no barriers.
 */
#include <errno.h>
#include <numaif.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <rte_cycles.h>

#include "accel.h"
#include "backend.h"
#include "sw_kernels.h"

#define FPGA_SW_CACHE_LINE 64
#define FPGA_SW_CHUNK_OPS 20000u	/* kernel steps between clock reads */
#define FPGA_SW_CHUNK_BYTES (64u << 10)

/* A job under way: what is left of it. */
struct fpga_sw_run {
	struct fpga_job job;
	uint64_t done;			/* repetitions or bytes done */
	uint64_t acc;			/* result so far (CRC state) */
};

struct fpga_sw_ctx {
	struct fpga_ctx base;		/* first: see backend.h */
	uint64_t max_reps;
	uint64_t slice_tsc;		/* one slice in TSC ticks */
	uint32_t depth;			/* in-flight limit as asked */
	uint32_t mask;			/* ring size - 1, size a power of 2 */
	uint32_t head;			/* completions written */
	uint32_t tail;			/* completions polled */
	uint32_t n_run;			/* jobs on the run list */
	uint32_t next;			/* round robin: next to run */
	struct fpga_completion *ring;
	struct fpga_sw_run *run;	/* depth entries */
	size_t map_len;
};

static struct fpga_sw_ctx *
fpga_sw_ctx(struct fpga_ctx *ctx)
{
	return (struct fpga_sw_ctx *)((char *)ctx -
				      offsetof(struct fpga_sw_ctx, base));
}

static uint32_t
fpga_sw_pow2(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static size_t
fpga_sw_align(size_t n)
{
	return (n + FPGA_SW_CACHE_LINE - 1) & ~(size_t)(FPGA_SW_CACHE_LINE - 1);
}

/* Advisory: prefer the lcore's node; a failure leaves default placement. */
static void
fpga_sw_prefer_node(void *addr, size_t len, int socket_id)
{
	unsigned long mask;

	if (socket_id < 0 || socket_id >= (int)(8 * sizeof(mask)))
		return;
	mask = 1UL << socket_id;
	(void)mbind(addr, len, MPOL_PREFERRED, &mask, 8 * sizeof(mask) + 1, 0);
}

/* TSC ticks per second: DPDK's, or measured here when no EAL runs (the
 * unit tests). Main lcore, at init. */
static uint64_t
fpga_sw_tsc_hz(void)
{
	const struct timespec pause = { .tv_nsec = 2000000 };
	struct timespec t0, t1;
	uint64_t c0, c1, ns;

	if (rte_get_tsc_hz() != 0)
		return rte_get_tsc_hz();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c0 = rte_rdtsc();
	nanosleep(&pause, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	c1 = rte_rdtsc();
	ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
	     (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
	return ns != 0 ? (c1 - c0) * 1000000000u / ns : 1000000000u;
}

static struct fpga_ctx *
fpga_sw_init(const struct fpga_ctx_conf *conf)
{
	uint32_t size = fpga_sw_pow2(conf->depth);
	size_t ring_off = fpga_sw_align(sizeof(struct fpga_sw_ctx));
	size_t run_off = ring_off + fpga_sw_align(size * sizeof(struct fpga_completion));
	size_t len = run_off + (size_t)conf->depth * sizeof(struct fpga_sw_run);
	uint64_t slice_ns = conf->slice_ns != 0 ? conf->slice_ns : FPGA_SW_SLICE_NS;
	struct fpga_sw_ctx *sw;
	void *map;

	/* Untouched pages, so the node preference decides where they land. */
	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	fpga_sw_prefer_node(map, len, conf->socket_id);
	memset(map, 0, len);
	sw = map;
	sw->max_reps = conf->max_reps;
	sw->slice_tsc = slice_ns * fpga_sw_tsc_hz() / 1000000000u;
	sw->depth = conf->depth;
	sw->mask = size - 1;
	sw->ring = (struct fpga_completion *)((char *)map + ring_off);
	sw->run = (struct fpga_sw_run *)((char *)map + run_off);
	sw->map_len = len;
	return &sw->base;
}

static void
fpga_sw_exit(struct fpga_ctx *ctx)
{
	struct fpga_sw_ctx *sw = fpga_sw_ctx(ctx);

	munmap(sw, sw->map_len);
}

/* Repetitions per chunk of a repeating kernel of operand n. */
static uint64_t
fpga_sw_chunk_reps(uint64_t n)
{
	return FPGA_SW_CHUNK_OPS / (n + 1) + 1;
}

/*
 * Run one chunk of r's job. @return true when the job is done: then
 * c->result / c->out_len hold its result; false: call again.
 */
static bool
fpga_sw_step(struct fpga_sw_run *r, struct fpga_completion *c)
{
	const struct fpga_job *j = &r->job;
	uint64_t left, k;

	switch ((enum fpga_fn_id)j->fn) {
	case FPGA_FN_FACTORIAL:
	case FPGA_FN_FIBONACCI:
		left = j->arg1 - r->done;
		k = RTE_MIN(left, fpga_sw_chunk_reps(j->arg0));
		/* Each repetition recomputes: the last chunk's is the result;
		 * no repetitions at all still gives the kernel's value for 0. */
		if (k != 0 || r->done == 0)
			r->acc = j->fn == FPGA_FN_FACTORIAL ?
				 fpga_sw_factorial(j->arg0, k) :
				 fpga_sw_fibonacci(j->arg0, k);
		r->done += k;
		c->result = r->acc;
		return r->done == j->arg1;
	case FPGA_FN_CRC32C:
		k = RTE_MIN((uint64_t)j->in_len - r->done, FPGA_SW_CHUNK_BYTES);
		r->acc = fpga_sw_crc32c_update((uint32_t)r->acc,
					       (const uint8_t *)j->in + r->done,
					       (uint32_t)k);
		r->done += k;
		c->result = (uint32_t)r->acc ^ 0xFFFFFFFFu;
		return r->done == j->in_len;
	case FPGA_FN_ECHO:
		k = RTE_MIN((uint64_t)j->in_len - r->done, FPGA_SW_CHUNK_BYTES);
		if (k != 0)
			memcpy((uint8_t *)j->out + r->done,
			       (const uint8_t *)j->in + r->done, k);
		r->done += k;
		c->out_len = j->in_len;
		return r->done == j->in_len;
	default:
		return true;	/* fpga_sw_start() refused it */
	}
}

/* Crypto and compression run on the DPDK device backends only
 * (cryptodev.h, compressdev.h): no second implementation to keep honest. */
static bool
fpga_sw_offers(enum fpga_fn_id fn)
{
	switch (fn) {
	case FPGA_FN_SHA256:
	case FPGA_FN_AES_GCM:
	case FPGA_FN_DEFLATE:
	case FPGA_FN_INFLATE:
	case FPGA_FN_TEST_HANG:
	case FPGA_FN_NONE:
		return false;
	case FPGA_FN_ECHO:
	case FPGA_FN_FACTORIAL:
	case FPGA_FN_FIBONACCI:
	case FPGA_FN_CRC32C:
		break;
	}
	return true;
}

/* Check a job and set up its run; a refused one completes in c at once. */
static bool
fpga_sw_start(const struct fpga_sw_ctx *sw, const struct fpga_job *job,
	      struct fpga_sw_run *r, struct fpga_completion *c)
{
	c->tag = job->tag;
	c->result = 0;
	c->out_len = 0;
	c->status = fpga_job_validate(job, sw->max_reps);
	if (c->status == 0 && !fpga_sw_offers((enum fpga_fn_id)job->fn))
		c->status = -ENOTSUP;
	if (c->status != 0)
		return false;
	r->job = *job;
	r->done = 0;
	r->acc = 0xFFFFFFFFu;	/* the CRC's init; ignored by the others */
	return true;
}

/* Run r until it is done (true, completion in c) or the slice ends. */
static bool
fpga_sw_run_until(struct fpga_sw_run *r, struct fpga_completion *c,
		  uint64_t end)
{
	c->tag = r->job.tag;
	c->status = 0;
	c->result = 0;
	c->out_len = 0;
	while (!fpga_sw_step(r, c))
		if (rte_rdtsc() >= end)
			return false;
	return true;
}

/* A completion into the ring. */
static void
fpga_sw_complete(struct fpga_sw_ctx *sw, const struct fpga_completion *c)
{
	sw->ring[sw->head++ & sw->mask] = *c;
}

static unsigned int
fpga_sw_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs,
	       unsigned int n)
{
	struct fpga_sw_ctx *sw = fpga_sw_ctx(ctx);
	uint64_t end = rte_rdtsc() + sw->slice_tsc;
	unsigned int i, room = sw->depth - (sw->head - sw->tail) - sw->n_run;
	struct fpga_completion c;

	if (n > room)
		n = room;
	for (i = 0; i < n; i++) {
		struct fpga_sw_run *r = &sw->run[sw->n_run];

		if (!fpga_sw_start(sw, &jobs[i], r, &c))
			fpga_sw_complete(sw, &c);
		else if (rte_rdtsc() < end && fpga_sw_run_until(r, &c, end))
			fpga_sw_complete(sw, &c);
		else
			sw->n_run++;	/* the rest of it in later slices */
	}
	return n;
}

/* One slice for the run list, round robin; finished jobs complete. */
static void
fpga_sw_run_slice(struct fpga_sw_ctx *sw)
{
	uint64_t end = rte_rdtsc() + sw->slice_tsc;
	struct fpga_completion c;

	do {
		struct fpga_sw_run *r;

		if (sw->next >= sw->n_run)
			sw->next = 0;
		r = &sw->run[sw->next];
		if (fpga_sw_run_until(r, &c, end)) {
			fpga_sw_complete(sw, &c);
			*r = sw->run[--sw->n_run];
		} else {
			sw->next++;
		}
	} while (sw->n_run != 0 && rte_rdtsc() < end);
}

static unsigned int
fpga_sw_poll(struct fpga_ctx *ctx, struct fpga_completion *done,
	     unsigned int max)
{
	struct fpga_sw_ctx *sw = fpga_sw_ctx(ctx);
	unsigned int i, n;

	if (sw->n_run != 0)
		fpga_sw_run_slice(sw);
	n = sw->head - sw->tail;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		done[i] = sw->ring[(sw->tail + i) & sw->mask];
	sw->tail += n;
	return n;
}

static int
fpga_sw_caps(enum fpga_fn_id fn, struct fpga_fn_caps *caps)
{
	if (!fpga_sw_offers(fn))
		return -ENOTSUP;
	caps->place = FPGA_PLACE_SW;
	caps->max_in_len = UINT32_MAX;
	return 0;
}

const struct fpga_backend_ops fpga_sw_ops = {
	.name = "sw",
	.init = fpga_sw_init,
	.exit = fpga_sw_exit,
	.submit = fpga_sw_submit,
	.poll = fpga_sw_poll,
	.caps = fpga_sw_caps,
};
