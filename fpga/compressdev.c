/* SPDX-License-Identifier: BSD-3-Clause */
/* The "compressdev" backend: deflate and inflate on a DPDK compression
 * device; the device-class machinery it shares with cryptodev is in pmd.c. */
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
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "accel.h"
#include "backend.h"
#include "compressdev.h"
#include "deflate_check.h"
#include "pmd.h"

#define FPGA_CZ_WINDOW 15
/* Room deflate may need beyond its input: stored blocks, 5 bytes each. */
#define FPGA_CZ_STORED_SLACK 1024

enum { FPGA_CZ_XF_DEFLATE, FPGA_CZ_XF_INFLATE, FPGA_CZ_XF_COUNT };

struct fpga_cz_ctx {
	struct fpga_pmd_ctx pmd;	/* first: see pmd.h */
	void *xform[FPGA_CZ_XF_COUNT];
};

/* Each op's user area, right after it. */
struct fpga_cz_priv {
	uint64_t tag;
	void *out;
	uint32_t expect;		/* inflate: the checked stream's length */
	bool inflate;
	bool staged;			/* m_dst is ours: copy it out */
};

static const struct fpga_pmd_class fpga_cz_class;
static struct fpga_pmd_dev fpga_cz = { .cls = &fpga_cz_class };

static struct fpga_cz_ctx *
fpga_cz_ctx(struct fpga_pmd_ctx *pc)
{
	return container_of(pc, struct fpga_cz_ctx, pmd);
}

static struct fpga_cz_priv *
fpga_cz_priv(struct rte_comp_op *op)
{
	return (struct fpga_cz_priv *)(op + 1);
}

/* ---- Jobs ---- */

/* Give an op's resources back. */
static void
fpga_cz_release(struct fpga_pmd_ctx *pc, void *o)
{
	struct rte_comp_op *op = o;

	RTE_SET_USED(pc);
	rte_pktmbuf_free(op->m_src);
	rte_pktmbuf_free(op->m_dst);
	rte_comp_op_free(op);
}

/*
 * A deflate op: input and output room each attached (zero-copy) or staged
 * (pmd.h); -EAGAIN if a pool is short. Ops always run out of place, so an
 * attached input is only read. Chains of either kind happen only on
 * scatter-gather devices (fpga_pmd_sizes).
 */
static int
fpga_cz_deflate_op(struct fpga_pmd_ctx *pc, const struct fpga_job *job,
		   struct rte_comp_op *op)
{
	uint32_t room = RTE_MIN(job->out_cap, pc->max_out_len);
	bool in_staged;

	op->m_src = fpga_pmd_buf(pc, job->in, job->in_len, true, &in_staged);
	if (op->m_src == NULL)
		return -EAGAIN;
	op->m_dst = fpga_pmd_buf(pc, job->out, room, false,
				 &fpga_cz_priv(op)->staged);
	return op->m_dst == NULL ? -EAGAIN : 0;
}

/* Check the copied stream, segment by segment (deflate_check.h). */
static int
fpga_cz_check(const struct rte_mbuf *m, uint32_t room, uint32_t *out_len)
{
	struct fpga_deflate_seg segs[FPGA_PMD_SEGS_MAX];
	unsigned int n = 0;

	for (; m != NULL && n < FPGA_PMD_SEGS_MAX; m = m->next, n++)
		segs[n] = (struct fpga_deflate_seg){
			.p = rte_pktmbuf_mtod(m, const uint8_t *),
			.len = m->data_len };
	return fpga_deflate_check(segs, n, room, out_len);
}

/*
 * An inflate op. The stream is copied (a guest may change its memory
 * meanwhile), checked, and only a stream that ends goes to the device,
 * with exactly the room it inflates to: a software PMD trusts the stream
 * (deflate_check.h says why). @return 0 (op for the device); 1 done here
 * (nothing to inflate); -EAGAIN a pool is short; the check's errno.
 */
static int
fpga_cz_inflate_op(struct fpga_pmd_ctx *pc, const struct fpga_job *job,
		   struct rte_comp_op *op)
{
	uint32_t room = RTE_MIN(job->out_cap, pc->max_out_len), len;
	struct fpga_cz_priv *pv = fpga_cz_priv(op);
	int rc;

	op->m_src = fpga_pmd_stage(pc, job->in, job->in_len);
	if (op->m_src == NULL)
		return -EAGAIN;
	rc = fpga_cz_check(op->m_src, room, &len);
	if (rc < 0)
		return rc;
	pv->expect = len;
	if (len == 0)
		return 1;
	op->m_dst = fpga_pmd_buf(pc, job->out, len, false, &pv->staged);
	return op->m_dst == NULL ? -EAGAIN : 0;
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

/* The class's prepare: an op, done here (1), or the job's errno. */
static int
fpga_cz_prepare(struct fpga_pmd_ctx *pc, const struct fpga_job *job,
		void **opp, uint32_t *out_len)
{
	bool inflate = job->fn == FPGA_FN_INFLATE;
	struct rte_comp_op *op;
	int rc = fpga_job_validate(job, 0);

	if (rc < 0)
		return rc;
	if (job->fn != FPGA_FN_DEFLATE && !inflate)
		return -ENOTSUP;
	if (job->in_len > (inflate ? pc->max_out_len : pc->max_in_len))
		return -EMSGSIZE;
	if (job->in_len == 0)
		return fpga_cz_empty(job, out_len);
	op = rte_comp_op_alloc(pc->op_pool);
	if (op == NULL)
		return -EAGAIN;
	rc = inflate ? fpga_cz_inflate_op(pc, job, op) :
		       fpga_cz_deflate_op(pc, job, op);
	if (rc != 0) {
		fpga_cz_release(pc, op);
		*out_len = 0;
		return rc;
	}
	op->op_type = RTE_COMP_OP_STATELESS;
	op->private_xform = fpga_cz_ctx(pc)->xform[inflate ?
		FPGA_CZ_XF_INFLATE : FPGA_CZ_XF_DEFLATE];
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

static uint16_t
fpga_cz_enqueue(struct fpga_pmd_ctx *pc, void **ops, uint16_t n)
{
	return rte_compressdev_enqueue_burst(pc->dev_id, pc->qp,
					     (struct rte_comp_op **)ops, n);
}

static uint16_t
fpga_cz_dequeue(struct fpga_pmd_ctx *pc, void **ops, uint16_t n)
{
	return rte_compressdev_dequeue_burst(pc->dev_id, pc->qp,
					     (struct rte_comp_op **)ops, n);
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
fpga_cz_finish(struct fpga_pmd_ctx *pc, void *o, struct fpga_completion *done)
{
	struct rte_comp_op *op = o;
	struct fpga_cz_priv *pv = fpga_cz_priv(op);

	done->tag = pv->tag;
	done->result = 0;
	done->out_len = 0;
	done->status = fpga_cz_status(op->status, pv->inflate);
	/* The device must agree with the check on what the stream holds. */
	if (done->status == 0 && pv->inflate && op->produced != pv->expect)
		done->status = -EIO;
	if (done->status == 0) {
		if (pv->staged)
			fpga_pmd_unstage(op->m_dst, op->produced, pv->out);
		done->out_len = op->produced;
	}
	fpga_cz_release(pc, op);
}

/* ---- Contexts ---- */

static void
fpga_cz_ctx_free(struct fpga_pmd_ctx *pc)
{
	struct fpga_cz_ctx *c = fpga_cz_ctx(pc);
	unsigned int i;

	for (i = 0; i < FPGA_CZ_XF_COUNT; i++)
		if (c->xform[i] != NULL)
			rte_compressdev_private_xform_free(pc->dev_id,
							   c->xform[i]);
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
		rc = rte_compressdev_private_xform_create(c->pmd.dev_id, &x[i],
							  &c->xform[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
fpga_cz_ctx_setup(struct fpga_pmd_ctx *pc, int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "hl_cz%u_%u_op", pc->dev_id, pc->qp);
	pc->op_pool = rte_comp_op_pool_create(name, pc->depth,
		fpga_pmd_cache_size(pc->depth), sizeof(struct fpga_cz_priv),
		socket);
	if (pc->op_pool == NULL)
		return -ENOMEM;
	return fpga_cz_xforms(fpga_cz_ctx(pc));
}

static struct fpga_ctx *
fpga_cz_init(const struct fpga_ctx_conf *conf)
{
	return fpga_pmd_ctx_new(&fpga_cz, conf);
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
	.exit = fpga_pmd_exit,
	.submit = fpga_pmd_submit,
	.poll = fpga_pmd_poll,
	.caps = fpga_cz_caps,
};

/* ---- The device ---- */

static bool
fpga_cz_window_ok(const struct rte_compressdev_capabilities *cap)
{
	const struct rte_param_log2_range *w = &cap->window_size;

	return w->min <= FPGA_CZ_WINDOW && FPGA_CZ_WINDOW <= w->max;
}

/* Class defaults; without scatter-gather (compress_zlib) they shrink to
 * what one mbuf holds. */
static int
fpga_cz_defaults(const struct fpga_pmd_dev *d, struct fpga_pmd_conf *conf)
{
	uint32_t lb = UINT16_MAX - RTE_PKTMBUF_HEADROOM;

	if (conf->depth == 0)
		conf->depth = FPGA_COMPRESSDEV_DEPTH_DEFAULT;
	if (conf->max_in_len == 0)
		conf->max_in_len = d->sgl ? FPGA_COMPRESSDEV_MAX_IN_DEFAULT :
				   lb - FPGA_CZ_STORED_SLACK;
	if (conf->max_out_len == 0)
		conf->max_out_len = d->sgl ? FPGA_COMPRESSDEV_MAX_OUT_DEFAULT :
				    lb;
	return conf->max_out_len < conf->max_in_len ? -EINVAL : 0;
}

static int
fpga_cz_probe(struct fpga_pmd_dev *d, struct fpga_pmd_conf *conf)
{
	const struct rte_compressdev_capabilities *cap;
	struct rte_compressdev_info info;

	rte_compressdev_info_get(d->dev_id, &info);
	cap = rte_compressdev_capability_get(d->dev_id, RTE_COMP_ALGO_DEFLATE);
	if (cap == NULL || !fpga_cz_window_ok(cap))
		return -ENOTSUP;
	d->ff = cap->comp_feature_flags;
	d->sgl = cap->comp_feature_flags & RTE_COMP_FF_OOP_SGL_IN_SGL_OUT;
	d->hw = info.feature_flags & RTE_COMPDEV_FF_HW_ACCELERATED;
	d->max_qp = info.max_nb_queue_pairs != 0 ? info.max_nb_queue_pairs :
		    FPGA_PMD_QP_MAX;
	return fpga_cz_defaults(d, conf);
}

static int
fpga_cz_start(const struct fpga_pmd_dev *d)
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
	.tag = "cz",
	.backend = &fpga_cz_ops,
	.ctx_size = sizeof(struct fpga_cz_ctx),
	.bufs_per_op = 2,
	.sgl_seg = FPGA_COMPRESSDEV_SEG,
	.get_dev_id = rte_compressdev_get_dev_id,
	.count = rte_compressdev_count,
	.socket_id = rte_compressdev_socket_id,
	.probe = fpga_cz_probe,
	.start = fpga_cz_start,
	.stop = rte_compressdev_stop,
	.close = rte_compressdev_close,
	.ctx_setup = fpga_cz_ctx_setup,
	.ctx_free = fpga_cz_ctx_free,
	.prepare = fpga_cz_prepare,
	.enqueue = fpga_cz_enqueue,
	.dequeue = fpga_cz_dequeue,
	.finish = fpga_cz_finish,
	.release = fpga_cz_release,
};

int
fpga_compressdev_register_conf(const struct fpga_compressdev_conf *conf)
{
	struct fpga_pmd_conf pc;

	if (conf == NULL)
		return -EINVAL;
	pc = (struct fpga_pmd_conf){ .devargs = conf->devargs,
		.depth = conf->depth, .max_in_len = conf->max_in_len,
		.max_out_len = conf->max_out_len, .nb_qp = conf->nb_qp,
		.stage = conf->stage };
	return fpga_pmd_register(&fpga_cz, &pc);
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
	return fpga_pmd_unregister(&fpga_cz);
}

int
fpga_compressdev_ctx_stage(struct fpga_ctx *ctx, bool stage)
{
	return fpga_pmd_ctx_stage(&fpga_cz, ctx, stage);
}
