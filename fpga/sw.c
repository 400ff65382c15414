/* SPDX-License-Identifier: BSD-3-Clause */
/* The software backend: runs each job at submit, queues its completion. */
#include <errno.h>
#include <numaif.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "accel.h"
#include "backend.h"
#include "sw_kernels.h"

#define FPGA_SW_CACHE_LINE 64

/*
 * One lcore both produces (submit) and consumes (poll), so head and tail
 * need no barriers. They count freely and wrap; slot = count & mask.
 */
struct fpga_sw_ctx {
	struct fpga_ctx base;		/* first: see backend.h */
	uint64_t max_reps;
	uint32_t depth;			/* in-flight limit as asked */
	uint32_t mask;			/* ring size - 1, size a power of 2 */
	uint32_t head;			/* completions written */
	uint32_t tail;			/* completions polled */
	struct fpga_completion *ring;
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
fpga_sw_ctx_size(void)
{
	return (sizeof(struct fpga_sw_ctx) + FPGA_SW_CACHE_LINE - 1) &
	       ~(size_t)(FPGA_SW_CACHE_LINE - 1);
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

static struct fpga_ctx *
fpga_sw_init(const struct fpga_ctx_conf *conf)
{
	uint32_t size = fpga_sw_pow2(conf->depth);
	size_t len = fpga_sw_ctx_size() + size * sizeof(struct fpga_completion);
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
	sw->depth = conf->depth;
	sw->mask = size - 1;
	sw->ring = (struct fpga_completion *)((char *)map + fpga_sw_ctx_size());
	sw->map_len = len;
	return &sw->base;
}

static void
fpga_sw_exit(struct fpga_ctx *ctx)
{
	struct fpga_sw_ctx *sw = fpga_sw_ctx(ctx);

	munmap(sw, sw->map_len);
}

static int
fpga_sw_exec(const struct fpga_job *job, struct fpga_completion *c)
{
	switch ((enum fpga_fn_id)job->fn) {
	case FPGA_FN_ECHO:
		if (job->in_len != 0)
			memcpy(job->out, job->in, job->in_len);
		c->out_len = job->in_len;
		return 0;
	case FPGA_FN_FACTORIAL:
		c->result = fpga_sw_factorial(job->arg0, job->arg1);
		return 0;
	case FPGA_FN_FIBONACCI:
		c->result = fpga_sw_fibonacci(job->arg0, job->arg1);
		return 0;
	case FPGA_FN_CRC32C:
		c->result = fpga_sw_crc32c(job->in, job->in_len);
		return 0;
	case FPGA_FN_SHA256:
	case FPGA_FN_AES_GCM:
	case FPGA_FN_DEFLATE:
	case FPGA_FN_INFLATE:
	case FPGA_FN_NONE:
		break;
	}
	return -ENOTSUP;
}

static void
fpga_sw_run(const struct fpga_job *job, uint64_t max_reps,
	    struct fpga_completion *c)
{
	c->tag = job->tag;
	c->result = 0;
	c->out_len = 0;
	c->status = fpga_job_validate(job, max_reps);
	if (c->status == 0)
		c->status = fpga_sw_exec(job, c);
}

static unsigned int
fpga_sw_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs,
	       unsigned int n)
{
	struct fpga_sw_ctx *sw = fpga_sw_ctx(ctx);
	unsigned int i, room = sw->depth - (sw->head - sw->tail);

	if (n > room)
		n = room;
	for (i = 0; i < n; i++)
		fpga_sw_run(&jobs[i], sw->max_reps,
			    &sw->ring[(sw->head + i) & sw->mask]);
	sw->head += n;
	return n;
}

static unsigned int
fpga_sw_poll(struct fpga_ctx *ctx, struct fpga_completion *done,
	     unsigned int max)
{
	struct fpga_sw_ctx *sw = fpga_sw_ctx(ctx);
	unsigned int i, n = sw->head - sw->tail;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		done[i] = sw->ring[(sw->tail + i) & sw->mask];
	sw->tail += n;
	return n;
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
