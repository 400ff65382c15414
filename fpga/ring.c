/* SPDX-License-Identifier: BSD-3-Clause */
/* A link of two rte_rings that runs a backend's jobs on a worker lcore. */
#include <errno.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "backend.h"
#include "ring.h"

#define SERVE_BURST 32

struct fpga_ring_link {
	struct fpga_ctx proxy;		/**< first: the submitting side's ctx */
	struct rte_ring *jobs;		/**< submitting → serving */
	struct rte_ring *done;		/**< serving → submitting */
	struct fpga_ctx *target;	/**< serving side only */
	uint32_t depth;
	uint32_t inflight;		/**< submitting side only */
};

static struct fpga_ring_link *
link_of(struct fpga_ctx *ctx)
{
	return container_of(ctx, struct fpga_ring_link, proxy);
}

static unsigned int
proxy_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs, unsigned int n)
{
	struct fpga_ring_link *l = link_of(ctx);
	unsigned int room = l->depth - l->inflight, k;

	k = rte_ring_sp_enqueue_burst_elem(l->jobs, jobs, sizeof(*jobs),
					   RTE_MIN(n, room), NULL);
	l->inflight += k;
	return k;
}

static unsigned int
proxy_poll(struct fpga_ctx *ctx, struct fpga_completion *done, unsigned int max)
{
	struct fpga_ring_link *l = link_of(ctx);
	unsigned int k = rte_ring_sc_dequeue_burst_elem(l->done, done,
							sizeof(*done), max, NULL);

	l->inflight -= k;
	return k;
}

static struct fpga_ctx *
proxy_init(const struct fpga_ctx_conf *conf)
{
	(void)conf;
	errno = ENOTSUP;	/* made by fpga_ring_link_create() only */
	return NULL;
}

static void
proxy_exit(struct fpga_ctx *ctx)
{
	(void)ctx;		/* freed with its link */
}

static int
proxy_caps(enum fpga_fn_id fn, struct fpga_fn_caps *caps)
{
	(void)fn;
	caps->place = FPGA_PLACE_NONE;
	return -ENOTSUP;
}

static const struct fpga_backend_ops ring_ops = {
	.name = "ring",
	.init = proxy_init,
	.exit = proxy_exit,
	.submit = proxy_submit,
	.poll = proxy_poll,
	.caps = proxy_caps,
};

struct fpga_ring_link *
fpga_ring_link_create(const struct fpga_backend_ops *target,
		      const struct fpga_ctx_conf *conf, const char *name)
{
	struct fpga_ring_link *l;
	char rname[RTE_RING_NAMESIZE];
	uint32_t size;

	if (target == NULL || conf == NULL || conf->depth == 0 ||
	    conf->depth > FPGA_DEPTH_MAX) {
		errno = EINVAL;
		return NULL;
	}
	l = rte_zmalloc_socket("fpga_ring_link", sizeof(*l), RTE_CACHE_LINE_SIZE,
			       conf->socket_id);
	if (l == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	l->proxy.ops = &ring_ops;
	l->depth = conf->depth;
	size = rte_align32pow2(conf->depth + 1);
	snprintf(rname, sizeof(rname), "%s_j", name);
	l->jobs = rte_ring_create_elem(rname, sizeof(struct fpga_job), size,
				       conf->socket_id, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rname, sizeof(rname), "%s_d", name);
	l->done = rte_ring_create_elem(rname, sizeof(struct fpga_completion), size,
				       conf->socket_id, RING_F_SP_ENQ | RING_F_SC_DEQ);
	l->target = fpga_init(target, conf);
	if (l->jobs == NULL || l->done == NULL || l->target == NULL) {
		fpga_ring_link_free(l);
		errno = ENOMEM;
		return NULL;
	}
	return l;
}

struct fpga_ctx *
fpga_ring_link_ctx(struct fpga_ring_link *l)
{
	return &l->proxy;
}

/* Send the target's completions back; returns how many. */
static unsigned int
forward_done(struct fpga_ring_link *l)
{
	struct fpga_completion done[SERVE_BURST];
	unsigned int n = fpga_poll(l->target, done, SERVE_BURST);

	/* Never short: the submitting side keeps at most depth jobs in flight
	 * on the whole link, and the ring holds depth. */
	rte_ring_sp_enqueue_burst_elem(l->done, done, sizeof(done[0]), n, NULL);
	return n;
}

unsigned int
fpga_ring_link_serve(struct fpga_ring_link *l)
{
	struct fpga_job jobs[SERVE_BURST];
	unsigned int n, k = 0, moved = 0;

	n = rte_ring_sc_dequeue_burst_elem(l->jobs, jobs, sizeof(jobs[0]),
					   SERVE_BURST, NULL);
	while (k < n) {
		k += fpga_submit(l->target, jobs + k, n - k);
		if (k < n)
			moved += forward_done(l);
	}
	return moved + n + forward_done(l);
}

void
fpga_ring_link_free(struct fpga_ring_link *l)
{
	if (l == NULL)
		return;
	fpga_exit(l->target);
	rte_ring_free(l->jobs);
	rte_ring_free(l->done);
	rte_free(l);
}
