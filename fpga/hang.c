/* SPDX-License-Identifier: BSD-3-Clause */
/* The test-only "hang" backend: a job that holds its lcore (hang.h). */
#include <errno.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_pause.h>

#include "accel.h"
#include "backend.h"
#include "hang.h"

struct fpga_hang_ctx {
	struct fpga_ctx base;		/* first: see backend.h */
	uint32_t depth;
	uint32_t head;			/* completions written */
	uint32_t tail;			/* completions polled */
	struct fpga_completion ring[];	/* depth entries */
};

static struct fpga_hang_ctx *
fpga_hang_ctx(struct fpga_ctx *ctx)
{
	return container_of(ctx, struct fpga_hang_ctx, base);
}

static struct fpga_ctx *
fpga_hang_init(const struct fpga_ctx_conf *conf)
{
	struct fpga_hang_ctx *c = calloc(1, sizeof(*c) + conf->depth *
					 sizeof(struct fpga_completion));

	if (c == NULL)
		return NULL;
	c->depth = conf->depth;
	return &c->base;
}

static void
fpga_hang_exit(struct fpga_ctx *ctx)
{
	free(fpga_hang_ctx(ctx));
}

/* Spin for ms milliseconds, or for ever: a call that does not return. */
static void
fpga_hang_hold(uint64_t ms)
{
	uint64_t end = rte_rdtsc() + ms * (rte_get_tsc_hz() / 1000);

	while (ms == 0 || rte_rdtsc() < end)
		rte_pause();
}

static unsigned int
fpga_hang_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs,
		 unsigned int n)
{
	struct fpga_hang_ctx *c = fpga_hang_ctx(ctx);
	unsigned int i, room = c->depth - (c->head - c->tail);

	n = RTE_MIN(n, room);
	for (i = 0; i < n; i++) {
		struct fpga_completion *e = &c->ring[c->head++ % c->depth];

		e->tag = jobs[i].tag;
		e->result = 0;
		e->out_len = 0;
		e->status = fpga_job_validate(&jobs[i], 0);
		if (e->status == 0)
			fpga_hang_hold(jobs[i].arg0);
	}
	return n;
}

static unsigned int
fpga_hang_poll(struct fpga_ctx *ctx, struct fpga_completion *done,
	       unsigned int max)
{
	struct fpga_hang_ctx *c = fpga_hang_ctx(ctx);
	unsigned int n = RTE_MIN(c->head - c->tail, max);

	for (unsigned int i = 0; i < n; i++)
		done[i] = c->ring[c->tail++ % c->depth];
	return n;
}

static int
fpga_hang_caps(enum fpga_fn_id fn, struct fpga_fn_caps *caps)
{
	if (fn != FPGA_FN_TEST_HANG)
		return -ENOTSUP;
	caps->place = FPGA_PLACE_SW;
	caps->max_in_len = 0;
	return 0;
}

static const struct fpga_backend_ops fpga_hang_ops = {
	.name = FPGA_HANG_BACKEND_NAME,
	.init = fpga_hang_init,
	.exit = fpga_hang_exit,
	.submit = fpga_hang_submit,
	.poll = fpga_hang_poll,
	.caps = fpga_hang_caps,
};

int
fpga_hang_register(void)
{
	return fpga_backend_register(&fpga_hang_ops);
}
