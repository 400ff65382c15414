/* SPDX-License-Identifier: BSD-3-Clause */
/* The "compressdev" backend: deflate and inflate on a DPDK compression device. */
/* compressdev is still an experimental API in DPDK 22.11: all of it. */
#define ALLOW_EXPERIMENTAL_API
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_comp.h>
#include <rte_compressdev.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "accel.h"
#include "backend.h"
#include "compressdev.h"
#include "pmd.h"

#define FPGA_CZ_QP_MAX 64
#define FPGA_CZ_WINDOW 15
#define FPGA_CZ_DRAIN_MS 1000
/* Room deflate may need beyond its input: stored blocks, 5 bytes each. */
#define FPGA_CZ_STORED_SLACK 1024

/* The device, set up once by register (main lcore). */
struct fpga_cz_dev {
	bool attached;
	uint8_t dev_id;
	uint16_t nb_qp;
	uint64_t qp_used;		/* bit q: a context owns queue pair q */
	uint32_t depth;
	uint32_t max_in_len;
	uint32_t max_out_len;
	uint32_t seg;			/* staging bytes per mbuf */
	int socket_id;
	enum fpga_place place;
};

enum { FPGA_CZ_XF_DEFLATE, FPGA_CZ_XF_INFLATE, FPGA_CZ_XF_COUNT };

struct fpga_cz_ctx {
	struct fpga_ctx base;		/* first: see backend.h */
	uint8_t dev_id;
	uint16_t qp;
	uint32_t depth;
	uint32_t inflight;		/* ops on the device */
	uint32_t seg;
	uint32_t max_in_len;
	uint32_t max_out_len;
	struct rte_mempool *op_pool;
	struct rte_mempool *mbuf_pool;
	void *xform[FPGA_CZ_XF_COUNT];
	struct fpga_pmd_cq cq;
};

/* Each op's user area, right after it. */
struct fpga_cz_priv {
	uint64_t tag;
	void *out;
	bool inflate;
};

static struct fpga_cz_dev fpga_cz;
static bool fpga_cz_registered;

static struct fpga_cz_ctx *
fpga_cz_ctx(struct fpga_ctx *ctx)
{
	return container_of(ctx, struct fpga_cz_ctx, base);
}

static struct fpga_cz_priv *
fpga_cz_priv(struct rte_comp_op *op)
{
	return (struct fpga_cz_priv *)(op + 1);
}

/* ---- Jobs ---- */

/* Give an op's resources back. */
static void
fpga_cz_release(struct rte_comp_op *op)
{
	rte_pktmbuf_free(op->m_src);
	rte_pktmbuf_free(op->m_dst);
	rte_comp_op_free(op);
}

/* An op with staged input and output room; -EAGAIN if a pool is short. */
static int
fpga_cz_op_get(struct fpga_cz_ctx *c, const struct fpga_job *job,
	       struct rte_comp_op **opp)
{
	uint32_t room = RTE_MIN(job->out_cap, c->max_out_len);
	struct rte_comp_op *op = rte_comp_op_alloc(c->op_pool);

	if (op == NULL)
		return -EAGAIN;
	op->m_src = fpga_pmd_stage(c->mbuf_pool, job->in, job->in_len, c->seg);
	op->m_dst = fpga_pmd_stage(c->mbuf_pool, NULL, room, c->seg);
	if (op->m_src == NULL || op->m_dst == NULL) {
		fpga_cz_release(op);
		return -EAGAIN;
	}
	*opp = op;
	return 0;
}

/*
 * Empty input, done here: PMDs disagree on zero-length ops (compress_isal
 * crashes). Its raw DEFLATE is one empty final fixed-Huffman block; an
 * empty stream is not valid DEFLATE.
 */
static int
fpga_cz_empty(const struct fpga_job *job, uint32_t *out_len)
{
	static const uint8_t empty_block[] = { 0x03, 0x00 };

	if (job->fn == FPGA_FN_INFLATE)
		return -EBADMSG;
	if (job->out_cap < sizeof(empty_block))
		return -EMSGSIZE;
	memcpy(job->out, empty_block, sizeof(empty_block));
	*out_len = sizeof(empty_block);
	return 1;
}

/* 0 and an op for the device; 1 when done here (output of *out_len
 * bytes); a negative errno for the job's completion; -EAGAIN when it must
 * wait for resources. */
static int
fpga_cz_prepare(struct fpga_cz_ctx *c, const struct fpga_job *job,
		struct rte_comp_op **opp, uint32_t *out_len)
{
	bool inflate = job->fn == FPGA_FN_INFLATE;
	struct rte_comp_op *op;
	int rc = fpga_job_validate(job, 0);

	if (rc < 0)
		return rc;
	if (job->fn != FPGA_FN_DEFLATE && !inflate)
		return -ENOTSUP;
	if (job->in_len > (inflate ? c->max_out_len : c->max_in_len))
		return -EMSGSIZE;
	if (job->in_len == 0)
		return fpga_cz_empty(job, out_len);
	rc = fpga_cz_op_get(c, job, &op);
	if (rc < 0)
		return rc;
	op->op_type = RTE_COMP_OP_STATELESS;
	op->private_xform = c->xform[inflate ? FPGA_CZ_XF_INFLATE :
					       FPGA_CZ_XF_DEFLATE];
	op->src.offset = 0;
	op->src.length = job->in_len;
	op->dst.offset = 0;
	op->flush_flag = RTE_COMP_FLUSH_FINAL;
	fpga_cz_priv(op)->tag = job->tag;
	fpga_cz_priv(op)->out = job->out;
	fpga_cz_priv(op)->inflate = inflate;
	*opp = op;
	return 0;
}

static unsigned int
fpga_cz_submit_burst(struct fpga_cz_ctx *c, const struct fpga_job *jobs,
		     unsigned int n)
{
	struct rte_comp_op *ops[FPGA_PMD_BURST];
	uint8_t op_job[FPGA_PMD_BURST], early_job[FPGA_PMD_BURST];
	unsigned int i, cut, nb_ops = 0, nb_early = 0, sent = 0;
	uint32_t out_len = 0;
	int rc;

	for (i = 0; i < n; i++) {
		rc = fpga_cz_prepare(c, &jobs[i], &ops[nb_ops], &out_len);
		if (rc == -EAGAIN)
			break;
		if (rc != 0) {
			fpga_pmd_cq_stage(&c->cq, nb_early, jobs[i].tag,
					  rc > 0 ? 0 : rc, out_len);
			early_job[nb_early++] = (uint8_t)i;
		} else {
			op_job[nb_ops++] = (uint8_t)i;
		}
	}
	cut = i;
	if (nb_ops != 0)
		sent = rte_compressdev_enqueue_burst(c->dev_id, c->qp, ops,
						     (uint16_t)nb_ops);
	if (sent < nb_ops) {
		/* The device took a prefix: so do we. */
		cut = op_job[sent];
		for (i = sent; i < nb_ops; i++)
			fpga_cz_release(ops[i]);
	}
	for (i = 0; i < nb_early && early_job[i] < cut; i++)
		;
	fpga_pmd_cq_commit(&c->cq, i);
	c->inflight += sent;
	return cut;
}

static unsigned int
fpga_cz_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs,
	       unsigned int n)
{
	struct fpga_cz_ctx *c = fpga_cz_ctx(ctx);
	unsigned int k, chunk, done = 0;

	n = fpga_pmd_room(c->depth, c->inflight + fpga_pmd_cq_count(&c->cq), n);
	while (done < n) {
		chunk = RTE_MIN(n - done, (unsigned int)FPGA_PMD_BURST);
		k = fpga_cz_submit_burst(c, jobs + done, chunk);
		done += k;
		if (k < chunk)
			break;
	}
	return done;
}

static int
fpga_cz_status(uint8_t st, bool inflate)
{
	switch (st) {
	case RTE_COMP_OP_STATUS_SUCCESS:
		return 0;
	case RTE_COMP_OP_STATUS_OUT_OF_SPACE_TERMINATED:
	case RTE_COMP_OP_STATUS_OUT_OF_SPACE_RECOVERABLE:
		return -EMSGSIZE;
	case RTE_COMP_OP_STATUS_INVALID_ARGS:
		return -EINVAL;
	case RTE_COMP_OP_STATUS_ERROR:
		return inflate ? -EBADMSG : -EIO;
	default:
		return -EIO;
	}
}

static void
fpga_cz_finish(struct rte_comp_op *op, struct fpga_completion *done)
{
	struct fpga_cz_priv *pv = fpga_cz_priv(op);

	done->tag = pv->tag;
	done->result = 0;
	done->out_len = 0;
	done->status = fpga_cz_status(op->status, pv->inflate);
	if (done->status == 0) {
		fpga_pmd_unstage(op->m_dst, op->produced, pv->out);
		done->out_len = op->produced;
	}
	fpga_cz_release(op);
}

static unsigned int
fpga_cz_poll(struct fpga_ctx *ctx, struct fpga_completion *done,
	     unsigned int max)
{
	struct fpga_cz_ctx *c = fpga_cz_ctx(ctx);
	struct rte_comp_op *ops[FPGA_PMD_BURST];
	unsigned int i, k, n = fpga_pmd_cq_poll(&c->cq, done, max);

	while (n < max && c->inflight != 0) {
		k = rte_compressdev_dequeue_burst(c->dev_id, c->qp, ops,
			(uint16_t)RTE_MIN(max - n, (unsigned int)FPGA_PMD_BURST));
		for (i = 0; i < k; i++)
			fpga_cz_finish(ops[i], &done[n + i]);
		c->inflight -= k;
		n += k;
		if (k == 0)
			break;
	}
	return n;
}

/* ---- Contexts ---- */

/* Wait for the device to hand back every op. false: it did not. */
static bool
fpga_cz_drain(struct fpga_cz_ctx *c)
{
	uint64_t end = rte_get_timer_cycles() +
		       rte_get_timer_hz() * FPGA_CZ_DRAIN_MS / 1000;
	struct rte_comp_op *ops[FPGA_PMD_BURST];
	unsigned int i, k;

	while (c->inflight != 0 && rte_get_timer_cycles() < end) {
		k = rte_compressdev_dequeue_burst(c->dev_id, c->qp, ops,
						  FPGA_PMD_BURST);
		for (i = 0; i < k; i++)
			fpga_cz_release(ops[i]);
		c->inflight -= k;
	}
	return c->inflight == 0;
}

static void
fpga_cz_ctx_free(struct fpga_cz_ctx *c)
{
	unsigned int i;

	for (i = 0; i < FPGA_CZ_XF_COUNT; i++)
		if (c->xform[i] != NULL)
			rte_compressdev_private_xform_free(c->dev_id,
							   c->xform[i]);
	rte_mempool_free(c->mbuf_pool);
	rte_mempool_free(c->op_pool);
	fpga_pmd_cq_free(&c->cq);
	fpga_cz.qp_used &= ~(UINT64_C(1) << c->qp);
	rte_free(c);
}

static int
fpga_cz_claim_qp(void)
{
	unsigned int q;

	for (q = 0; q < fpga_cz.nb_qp; q++)
		if (!(fpga_cz.qp_used & (UINT64_C(1) << q))) {
			fpga_cz.qp_used |= UINT64_C(1) << q;
			return (int)q;
		}
	return -EBUSY;
}

static int
fpga_cz_xforms(struct fpga_cz_ctx *c)
{
	const struct rte_comp_xform x[FPGA_CZ_XF_COUNT] = {
		[FPGA_CZ_XF_DEFLATE] = {
			.type = RTE_COMP_COMPRESS,
			.compress = { .algo = RTE_COMP_ALGO_DEFLATE,
				      .deflate.huffman = RTE_COMP_HUFFMAN_DEFAULT,
				      .level = RTE_COMP_LEVEL_PMD_DEFAULT,
				      .window_size = FPGA_CZ_WINDOW,
				      .chksum = RTE_COMP_CHECKSUM_NONE,
				      .hash_algo = RTE_COMP_HASH_ALGO_NONE },
		},
		[FPGA_CZ_XF_INFLATE] = {
			.type = RTE_COMP_DECOMPRESS,
			.decompress = { .algo = RTE_COMP_ALGO_DEFLATE,
					.window_size = FPGA_CZ_WINDOW,
					.chksum = RTE_COMP_CHECKSUM_NONE,
					.hash_algo = RTE_COMP_HASH_ALGO_NONE },
		},
	};
	unsigned int i;
	int rc;

	for (i = 0; i < FPGA_CZ_XF_COUNT; i++) {
		rc = rte_compressdev_private_xform_create(c->dev_id, &x[i],
							  &c->xform[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static unsigned int
fpga_cz_cache_size(uint32_t n)
{
	return n >= 3 * FPGA_PMD_BURST ? FPGA_PMD_BURST : 0;
}

static int
fpga_cz_pools(struct fpga_cz_ctx *c, int socket)
{
	/* The largest job: an inflate of max_out_len into max_out_len. */
	uint32_t one = 2 * fpga_pmd_segs(c->max_out_len, c->seg);
	uint32_t nb_mbufs = fpga_pmd_pool_size(2 * c->depth + one, one, c->seg);
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "hl_cz%u_%u_op", c->dev_id, c->qp);
	c->op_pool = rte_comp_op_pool_create(name, c->depth,
		fpga_cz_cache_size(c->depth), sizeof(struct fpga_cz_priv),
		socket);
	snprintf(name, sizeof(name), "hl_cz%u_%u_mb", c->dev_id, c->qp);
	c->mbuf_pool = rte_pktmbuf_pool_create(name, nb_mbufs,
		fpga_cz_cache_size(nb_mbufs), 0,
		(uint16_t)(c->seg + RTE_PKTMBUF_HEADROOM), socket);
	if (c->op_pool == NULL || c->mbuf_pool == NULL)
		return -ENOMEM;
	return fpga_pmd_cq_init(&c->cq, c->depth, socket);
}

static struct fpga_ctx *
fpga_cz_init(const struct fpga_ctx_conf *conf)
{
	int socket = conf->socket_id < 0 ? SOCKET_ID_ANY : conf->socket_id;
	struct fpga_cz_ctx *c;
	int qp, rc;

	if (!fpga_cz.attached) {
		errno = ENODEV;
		return NULL;
	}
	qp = fpga_cz_claim_qp();
	if (qp < 0) {
		errno = -qp;
		return NULL;
	}
	c = rte_zmalloc_socket("hl_cz_ctx", sizeof(*c), RTE_CACHE_LINE_SIZE,
			       socket);
	if (c == NULL) {
		fpga_cz.qp_used &= ~(UINT64_C(1) << qp);
		errno = ENOMEM;
		return NULL;
	}
	c->dev_id = fpga_cz.dev_id;
	c->qp = (uint16_t)qp;
	c->depth = RTE_MIN(conf->depth, fpga_cz.depth);
	c->seg = fpga_cz.seg;
	c->max_in_len = fpga_cz.max_in_len;
	c->max_out_len = fpga_cz.max_out_len;
	rc = fpga_cz_pools(c, socket);
	if (rc == 0)
		rc = fpga_cz_xforms(c);
	if (rc < 0) {
		fpga_cz_ctx_free(c);
		errno = -rc;
		return NULL;
	}
	return &c->base;
}

static void
fpga_cz_exit(struct fpga_ctx *ctx)
{
	struct fpga_cz_ctx *c = fpga_cz_ctx(ctx);

	/* Ops the device still holds point into our pools: keep those (and
	 * the queue pair) rather than free memory it may write. */
	if (!fpga_cz_drain(c))
		return;
	fpga_cz_ctx_free(c);
}

static int
fpga_cz_caps(enum fpga_fn_id fn, struct fpga_fn_caps *caps)
{
	if (!fpga_cz.attached ||
	    (fn != FPGA_FN_DEFLATE && fn != FPGA_FN_INFLATE))
		return -ENOTSUP;
	caps->place = fpga_cz.place;
	/* inflate takes what deflate may produce */
	caps->max_in_len = fn == FPGA_FN_INFLATE ? fpga_cz.max_out_len :
			   fpga_cz.max_in_len;
	return 0;
}

static const struct fpga_backend_ops fpga_cz_ops = {
	.name = FPGA_COMPRESSDEV_BACKEND_NAME,
	.init = fpga_cz_init,
	.exit = fpga_cz_exit,
	.submit = fpga_cz_submit,
	.poll = fpga_cz_poll,
	.caps = fpga_cz_caps,
};

/* ---- The device ---- */

static bool
fpga_cz_window_ok(const struct rte_compressdev_capabilities *cap)
{
	const struct rte_param_log2_range *w = &cap->window_size;

	return w->min <= FPGA_CZ_WINDOW && FPGA_CZ_WINDOW <= w->max;
}

/* Sizes from conf and what the device can do; -EINVAL if they clash. */
static int
fpga_cz_sizes(struct fpga_cz_dev *d, const struct fpga_compressdev_conf *conf,
	      const struct rte_compressdev_capabilities *cap,
	      const struct rte_compressdev_info *info)
{
	bool sgl = cap->comp_feature_flags & RTE_COMP_FF_OOP_SGL_IN_SGL_OUT;
	unsigned int max_qp = info->max_nb_queue_pairs != 0 ?
			      info->max_nb_queue_pairs : FPGA_CZ_QP_MAX;
	/* Without scatter-gather (compress_zlib) the defaults shrink to
	 * what one mbuf holds. */
	uint32_t lb = UINT16_MAX - RTE_PKTMBUF_HEADROOM;

	d->depth = conf->depth != 0 ? conf->depth :
		   FPGA_COMPRESSDEV_DEPTH_DEFAULT;
	d->max_in_len = conf->max_in_len != 0 ? conf->max_in_len :
			sgl ? FPGA_COMPRESSDEV_MAX_IN_DEFAULT :
			lb - FPGA_CZ_STORED_SLACK;
	d->max_out_len = conf->max_out_len != 0 ? conf->max_out_len :
			 sgl ? FPGA_COMPRESSDEV_MAX_OUT_DEFAULT : lb;
	if (d->max_out_len < d->max_in_len)
		return -EINVAL;
	d->nb_qp = conf->nb_qp != 0 ? conf->nb_qp : (uint16_t)rte_lcore_count();
	d->nb_qp = (uint16_t)RTE_MIN(RTE_MIN((unsigned int)d->nb_qp, max_qp),
				     (unsigned int)FPGA_CZ_QP_MAX);
	/* Without scatter-gather every buffer must fit one mbuf. */
	d->seg = sgl ? FPGA_COMPRESSDEV_SEG :
		 RTE_MAX(d->max_in_len, d->max_out_len);
	if (d->nb_qp == 0 || d->depth > FPGA_DEPTH_MAX ||
	    d->seg + RTE_PKTMBUF_HEADROOM > UINT16_MAX ||
	    fpga_pmd_segs(d->max_in_len, d->seg) > FPGA_PMD_SEGS_MAX ||
	    fpga_pmd_segs(d->max_out_len, d->seg) > FPGA_PMD_SEGS_MAX)
		return -EINVAL;
	d->place = info->feature_flags & RTE_COMPDEV_FF_HW_ACCELERATED ?
		   FPGA_PLACE_HW : FPGA_PLACE_SW;
	return 0;
}

static int
fpga_cz_start(struct fpga_cz_dev *d)
{
	struct rte_compressdev_config cfg = {
		.socket_id = d->socket_id,
		.nb_queue_pairs = d->nb_qp,
		.max_nb_priv_xforms = (uint16_t)(FPGA_CZ_XF_COUNT * d->nb_qp),
		.max_nb_streams = 0,
	};
	uint16_t q;
	int rc;

	rc = rte_compressdev_configure(d->dev_id, &cfg);
	for (q = 0; rc == 0 && q < d->nb_qp; q++)
		rc = rte_compressdev_queue_pair_setup(d->dev_id, q, d->depth,
						      d->socket_id);
	if (rc == 0)
		rc = rte_compressdev_start(d->dev_id);
	return rc < 0 ? rc : rc > 0 ? -rc : 0;
}

static const struct fpga_pmd_class fpga_cz_class = {
	.get_dev_id = rte_compressdev_get_dev_id,
	.count = rte_compressdev_count,
};

static int
fpga_cz_attach(const struct fpga_compressdev_conf *conf)
{
	const struct rte_compressdev_capabilities *cap;
	struct rte_compressdev_info info;
	struct fpga_cz_dev d = { 0 };
	int rc;

	rc = fpga_pmd_find(&fpga_cz_class, conf->devargs, &d.dev_id);
	if (rc < 0)
		return rc;
	rte_compressdev_info_get(d.dev_id, &info);
	cap = rte_compressdev_capability_get(d.dev_id, RTE_COMP_ALGO_DEFLATE);
	if (cap == NULL || !fpga_cz_window_ok(cap))
		return -ENOTSUP;
	rc = fpga_cz_sizes(&d, conf, cap, &info);
	if (rc < 0)
		return rc;
	d.socket_id = rte_compressdev_socket_id(d.dev_id);
	if (d.socket_id < 0)
		d.socket_id = (int)rte_socket_id();
	rc = fpga_cz_start(&d);
	if (rc < 0)
		return rc;
	d.attached = true;
	fpga_cz = d;
	return 0;
}

int
fpga_compressdev_register_conf(const struct fpga_compressdev_conf *conf)
{
	int rc;

	if (conf == NULL || conf->devargs == NULL)
		return -EINVAL;
	if (fpga_cz.attached)
		return -EEXIST;
	rc = fpga_cz_attach(conf);
	if (rc != 0 || fpga_cz_registered)
		return rc;
	rc = fpga_backend_register(&fpga_cz_ops);
	if (rc != 0) {
		fpga_compressdev_unregister();
		return rc;
	}
	fpga_cz_registered = true;
	return 0;
}

int
fpga_compressdev_register(const char *devargs)
{
	struct fpga_compressdev_conf conf = { .devargs = devargs };

	return fpga_compressdev_register_conf(&conf);
}

int
fpga_compressdev_unregister(void)
{
	if (!fpga_cz.attached)
		return 0;
	if (fpga_cz.qp_used != 0)
		return -EBUSY;
	rte_compressdev_stop(fpga_cz.dev_id);
	rte_compressdev_close(fpga_cz.dev_id);
	fpga_cz.attached = false;
	return 0;
}
