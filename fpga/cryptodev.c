/* SPDX-License-Identifier: BSD-3-Clause */
/* The "cryptodev" backend: sha256 and aes-gcm on a DPDK crypto device. */
/* rte_cryptodev_sym_session_pool_create() is experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "accel.h"
#include "backend.h"
#include "cryptodev.h"
#include "pmd.h"

#define FPGA_CD_QP_MAX 64
#define FPGA_CD_SGL_SEG 2048
#define FPGA_CD_KEY_MAX 32
#define FPGA_CD_DRAIN_MS 1000
#define FPGA_CD_NO_SESS UINT8_MAX

/* The device, set up once by register (main lcore). */
struct fpga_cd_dev {
	bool attached;
	bool has_sha;
	bool has_gcm;
	uint8_t dev_id;
	uint16_t nb_qp;
	uint64_t qp_used;		/* bit q: a context owns queue pair q */
	uint32_t depth;
	uint32_t max_in_len;
	uint32_t seg;			/* staging bytes per mbuf */
	int socket_id;
	enum fpga_place place;
	const struct rte_cryptodev_symmetric_capability *gcm_cap;
};

/* An AES-GCM session and what it was made for. */
struct fpga_cd_sess {
	void *sess;
	uint32_t inflight;		/* ops using it */
	uint16_t aad_len;
	uint8_t dir;
	uint8_t key_len;
	uint8_t key[FPGA_CD_KEY_MAX];
};

struct fpga_cd_ctx {
	struct fpga_ctx base;		/* first: see backend.h */
	uint8_t dev_id;
	uint16_t qp;
	uint32_t depth;
	uint32_t inflight;		/* ops on the device */
	uint32_t seg;
	uint32_t max_in_len;
	unsigned int victim;		/* next cache slot to consider */
	struct rte_mempool *op_pool;
	struct rte_mempool *mbuf_pool;
	struct rte_mempool *sess_pool;
	void *sha_sess;
	struct fpga_pmd_cq cq;
	struct fpga_cd_sess gcm[FPGA_CRYPTODEV_SESSIONS];
};

/* Each op's private area, right after its symmetric op (IV first). */
struct fpga_cd_priv {
	uint8_t iv[16];
	uint8_t digest[32];
	uint64_t tag;
	void *out;
	uint32_t text_len;		/* mbuf bytes copied out */
	uint32_t digest_len;		/* then digest bytes */
	uint8_t sess;			/* gcm[] slot or FPGA_CD_NO_SESS */
	uint8_t aad[FPGA_AES_GCM_AAD_MAX];
};

#define FPGA_CD_PRIV_OFF \
	(sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define FPGA_CD_IV_OFF (FPGA_CD_PRIV_OFF + offsetof(struct fpga_cd_priv, iv))

static struct fpga_cd_dev fpga_cd;
static bool fpga_cd_registered;

static struct fpga_cd_ctx *
fpga_cd_ctx(struct fpga_ctx *ctx)
{
	return container_of(ctx, struct fpga_cd_ctx, base);
}

static struct fpga_cd_priv *
fpga_cd_priv(struct rte_crypto_op *op)
{
	return rte_crypto_op_ctod_offset(op, struct fpga_cd_priv *,
					 FPGA_CD_PRIV_OFF);
}

static rte_iova_t
fpga_cd_priv_iova(struct rte_crypto_op *op, size_t field)
{
	return rte_crypto_op_ctophys_offset(op, FPGA_CD_PRIV_OFF + field);
}

/* ---- Sessions ---- */

static void *
fpga_cd_sha_session(uint8_t dev_id, struct rte_mempool *pool)
{
	struct rte_crypto_sym_xform x = {
		.type = RTE_CRYPTO_SYM_XFORM_AUTH,
		.auth = { .op = RTE_CRYPTO_AUTH_OP_GENERATE,
			  .algo = RTE_CRYPTO_AUTH_SHA256,
			  .digest_length = FPGA_SHA256_LEN },
	};

	return rte_cryptodev_sym_session_create(dev_id, &x, pool);
}

static bool
fpga_cd_sess_match(const struct fpga_cd_sess *s, uint8_t dir,
		   const uint8_t *key, uint8_t key_len, uint16_t aad_len)
{
	return s->sess != NULL && s->dir == dir && s->key_len == key_len &&
	       s->aad_len == aad_len && memcmp(s->key, key, key_len) == 0;
}

/* An idle cache slot to reuse: an empty one, else round robin. */
static int
fpga_cd_sess_victim(struct fpga_cd_ctx *c)
{
	unsigned int i, slot;

	for (i = 0; i < FPGA_CRYPTODEV_SESSIONS; i++)
		if (c->gcm[i].sess == NULL)
			return (int)i;
	for (i = 0; i < FPGA_CRYPTODEV_SESSIONS; i++) {
		slot = (c->victim + i) % FPGA_CRYPTODEV_SESSIONS;
		if (c->gcm[slot].inflight == 0) {
			c->victim = slot + 1;
			return (int)slot;
		}
	}
	return -EAGAIN;
}

static int
fpga_cd_sess_make(struct fpga_cd_ctx *c, struct fpga_cd_sess *s, uint8_t dir,
		  const uint8_t *key, uint8_t key_len, uint16_t aad_len)
{
	struct rte_crypto_sym_xform x = {
		.type = RTE_CRYPTO_SYM_XFORM_AEAD,
		.aead = { .op = dir == FPGA_AES_GCM_DECRYPT ?
				RTE_CRYPTO_AEAD_OP_DECRYPT :
				RTE_CRYPTO_AEAD_OP_ENCRYPT,
			  .algo = RTE_CRYPTO_AEAD_AES_GCM,
			  .key = { .data = key, .length = key_len },
			  .iv = { .offset = FPGA_CD_IV_OFF,
				  .length = FPGA_AES_GCM_IV_LEN },
			  .digest_length = FPGA_AES_GCM_TAG_LEN,
			  .aad_length = aad_len },
	};

	if (s->sess != NULL)
		rte_cryptodev_sym_session_free(c->dev_id, s->sess);
	s->sess = rte_cryptodev_sym_session_create(c->dev_id, &x, c->sess_pool);
	if (s->sess == NULL)
		return -EIO;
	s->dir = dir;
	s->key_len = key_len;
	s->aad_len = aad_len;
	memcpy(s->key, key, key_len);
	return 0;
}

/* The cache slot for a key: a hit, a new session, -EINVAL (the device
 * refuses the sizes) or -EAGAIN (every slot busy). */
static int
fpga_cd_gcm_session(struct fpga_cd_ctx *c, uint8_t dir, const uint8_t *key,
		    uint8_t key_len, uint16_t aad_len)
{
	unsigned int i;
	int slot, rc;

	for (i = 0; i < FPGA_CRYPTODEV_SESSIONS; i++)
		if (fpga_cd_sess_match(&c->gcm[i], dir, key, key_len, aad_len))
			return (int)i;
	if (rte_cryptodev_sym_capability_check_aead(fpga_cd.gcm_cap, key_len,
			FPGA_AES_GCM_TAG_LEN, aad_len, FPGA_AES_GCM_IV_LEN) != 0)
		return -EINVAL;
	slot = fpga_cd_sess_victim(c);
	if (slot < 0)
		return slot;
	rc = fpga_cd_sess_make(c, &c->gcm[slot], dir, key, key_len, aad_len);
	return rc < 0 ? rc : slot;
}

/* ---- Jobs ---- */

/* The parts of an aes-gcm job's input. */
struct fpga_cd_gcm_job {
	uint8_t dir;
	uint8_t key_len;
	uint16_t aad_len;
	uint32_t text_len;
	const uint8_t *key, *iv, *aad, *text, *tag;
};

static int
fpga_cd_gcm_parse(const struct fpga_job *job, struct fpga_cd_gcm_job *g)
{
	uint64_t key_len = job->arg1 & 0xff, aad_len = (job->arg1 >> 8) & 0xffff;
	uint64_t hdr = key_len + FPGA_AES_GCM_IV_LEN + aad_len;
	uint32_t tag_len = job->arg0 == FPGA_AES_GCM_DECRYPT ?
			   FPGA_AES_GCM_TAG_LEN : 0;

	if ((job->arg1 >> 24) != 0 || aad_len > FPGA_AES_GCM_AAD_MAX ||
	    (key_len != 16 && key_len != 24 && key_len != 32))
		return -EINVAL;
	if (job->in_len < hdr + tag_len)
		return -EINVAL;
	g->dir = (uint8_t)job->arg0;
	g->key_len = (uint8_t)key_len;
	g->aad_len = (uint16_t)aad_len;
	g->text_len = job->in_len - (uint32_t)hdr - tag_len;
	g->key = job->in;
	g->iv = g->key + key_len;
	g->aad = g->iv + FPGA_AES_GCM_IV_LEN;
	g->text = g->aad + aad_len;
	g->tag = g->text + g->text_len;
	return 0;
}

/* An op and its staged input; -EAGAIN if a pool is short. */
static int
fpga_cd_op_get(struct fpga_cd_ctx *c, const struct fpga_job *job,
	       const void *text, uint32_t text_len, struct rte_crypto_op **opp)
{
	struct rte_crypto_op *op;
	struct fpga_cd_priv *pv;

	op = rte_crypto_op_alloc(c->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC);
	if (op == NULL)
		return -EAGAIN;
	op->sym->m_src = fpga_pmd_stage(c->mbuf_pool, text, text_len, c->seg);
	if (op->sym->m_src == NULL) {
		rte_crypto_op_free(op);
		return -EAGAIN;
	}
	pv = fpga_cd_priv(op);
	pv->tag = job->tag;
	pv->out = job->out;
	pv->text_len = 0;
	pv->digest_len = 0;
	pv->sess = FPGA_CD_NO_SESS;
	*opp = op;
	return 0;
}

static int
fpga_cd_prep_sha(struct fpga_cd_ctx *c, const struct fpga_job *job,
		 struct rte_crypto_op **opp)
{
	struct rte_crypto_op *op;
	int rc;

	if (c->sha_sess == NULL)
		return -ENOTSUP;
	if (job->out_cap < FPGA_SHA256_LEN)
		return -EMSGSIZE;
	rc = fpga_cd_op_get(c, job, job->in, job->in_len, &op);
	if (rc < 0)
		return rc;
	rte_crypto_op_attach_sym_session(op, c->sha_sess);
	op->sym->auth.data.offset = 0;
	op->sym->auth.data.length = job->in_len;
	op->sym->auth.digest.data = fpga_cd_priv(op)->digest;
	op->sym->auth.digest.phys_addr =
		fpga_cd_priv_iova(op, offsetof(struct fpga_cd_priv, digest));
	fpga_cd_priv(op)->digest_len = FPGA_SHA256_LEN;
	*opp = op;
	return 0;
}

static void
fpga_cd_gcm_fill(struct rte_crypto_op *op, const struct fpga_cd_gcm_job *g)
{
	struct fpga_cd_priv *pv = fpga_cd_priv(op);

	memcpy(pv->iv, g->iv, FPGA_AES_GCM_IV_LEN);
	memcpy(pv->aad, g->aad, g->aad_len);
	op->sym->aead.data.offset = 0;
	op->sym->aead.data.length = g->text_len;
	op->sym->aead.aad.data = pv->aad;
	op->sym->aead.aad.phys_addr =
		fpga_cd_priv_iova(op, offsetof(struct fpga_cd_priv, aad));
	op->sym->aead.digest.data = pv->digest;
	op->sym->aead.digest.phys_addr =
		fpga_cd_priv_iova(op, offsetof(struct fpga_cd_priv, digest));
	pv->text_len = g->text_len;
	if (g->dir == FPGA_AES_GCM_DECRYPT)
		memcpy(pv->digest, g->tag, FPGA_AES_GCM_TAG_LEN);
	else
		pv->digest_len = FPGA_AES_GCM_TAG_LEN;
}

static int
fpga_cd_prep_gcm(struct fpga_cd_ctx *c, const struct fpga_job *job,
		 struct rte_crypto_op **opp)
{
	struct fpga_cd_gcm_job g;
	struct rte_crypto_op *op;
	int rc, slot;

	if (!fpga_cd.has_gcm)
		return -ENOTSUP;
	rc = fpga_cd_gcm_parse(job, &g);
	if (rc < 0)
		return rc;
	if (job->out_cap < g.text_len +
	    (g.dir == FPGA_AES_GCM_DECRYPT ? 0 : FPGA_AES_GCM_TAG_LEN))
		return -EMSGSIZE;
	slot = fpga_cd_gcm_session(c, g.dir, g.key, g.key_len, g.aad_len);
	if (slot < 0)
		return slot;
	rc = fpga_cd_op_get(c, job, g.text, g.text_len, &op);
	if (rc < 0)
		return rc;
	rte_crypto_op_attach_sym_session(op, c->gcm[slot].sess);
	fpga_cd_gcm_fill(op, &g);
	fpga_cd_priv(op)->sess = (uint8_t)slot;
	c->gcm[slot].inflight++;
	*opp = op;
	return 0;
}

/* 0 and an op for the device; a negative errno for the job's completion;
 * -EAGAIN when it must wait for resources. */
static int
fpga_cd_prepare(struct fpga_cd_ctx *c, const struct fpga_job *job,
		struct rte_crypto_op **opp)
{
	int rc = fpga_job_validate(job, 0);

	if (rc < 0)
		return rc;
	if (job->in_len > c->max_in_len)
		return -EMSGSIZE;
	switch (job->fn) {
	case FPGA_FN_SHA256:
		return fpga_cd_prep_sha(c, job, opp);
	case FPGA_FN_AES_GCM:
		return fpga_cd_prep_gcm(c, job, opp);
	default:
		return -ENOTSUP;
	}
}

/* Give an op's resources back. */
static void
fpga_cd_release(struct fpga_cd_ctx *c, struct rte_crypto_op *op)
{
	struct fpga_cd_priv *pv = fpga_cd_priv(op);

	if (pv->sess != FPGA_CD_NO_SESS)
		c->gcm[pv->sess].inflight--;
	rte_pktmbuf_free(op->sym->m_src);
	rte_crypto_op_free(op);
}

static unsigned int
fpga_cd_submit_burst(struct fpga_cd_ctx *c, const struct fpga_job *jobs,
		     unsigned int n)
{
	struct rte_crypto_op *ops[FPGA_PMD_BURST];
	uint8_t op_job[FPGA_PMD_BURST], early_job[FPGA_PMD_BURST];
	unsigned int i, cut, nb_ops = 0, nb_early = 0, sent = 0;
	int rc;

	for (i = 0; i < n; i++) {
		rc = fpga_cd_prepare(c, &jobs[i], &ops[nb_ops]);
		if (rc == -EAGAIN)
			break;
		if (rc < 0) {
			fpga_pmd_cq_stage(&c->cq, nb_early, jobs[i].tag, rc, 0);
			early_job[nb_early++] = (uint8_t)i;
		} else {
			op_job[nb_ops++] = (uint8_t)i;
		}
	}
	cut = i;
	if (nb_ops != 0)
		sent = rte_cryptodev_enqueue_burst(c->dev_id, c->qp, ops,
						   (uint16_t)nb_ops);
	if (sent < nb_ops) {
		/* The device took a prefix: so do we. */
		cut = op_job[sent];
		for (i = sent; i < nb_ops; i++)
			fpga_cd_release(c, ops[i]);
	}
	for (i = 0; i < nb_early && early_job[i] < cut; i++)
		;
	fpga_pmd_cq_commit(&c->cq, i);
	c->inflight += sent;
	return cut;
}

static unsigned int
fpga_cd_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs,
	       unsigned int n)
{
	struct fpga_cd_ctx *c = fpga_cd_ctx(ctx);
	unsigned int k, chunk, done = 0;

	n = fpga_pmd_room(c->depth, c->inflight + fpga_pmd_cq_count(&c->cq), n);
	while (done < n) {
		chunk = RTE_MIN(n - done, (unsigned int)FPGA_PMD_BURST);
		k = fpga_cd_submit_burst(c, jobs + done, chunk);
		done += k;
		if (k < chunk)
			break;
	}
	return done;
}

static int
fpga_cd_status(uint8_t st)
{
	switch (st) {
	case RTE_CRYPTO_OP_STATUS_SUCCESS:
		return 0;
	case RTE_CRYPTO_OP_STATUS_AUTH_FAILED:
		return -EBADMSG;
	case RTE_CRYPTO_OP_STATUS_INVALID_ARGS:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static void
fpga_cd_finish(struct fpga_cd_ctx *c, struct rte_crypto_op *op,
	       struct fpga_completion *done)
{
	struct fpga_cd_priv *pv = fpga_cd_priv(op);
	uint8_t *out = pv->out;

	done->tag = pv->tag;
	done->result = 0;
	done->out_len = 0;
	done->status = fpga_cd_status(op->status);
	if (done->status == 0) {
		fpga_pmd_unstage(op->sym->m_src, pv->text_len, out);
		memcpy(out + pv->text_len, pv->digest, pv->digest_len);
		done->out_len = pv->text_len + pv->digest_len;
	}
	fpga_cd_release(c, op);
}

static unsigned int
fpga_cd_poll(struct fpga_ctx *ctx, struct fpga_completion *done,
	     unsigned int max)
{
	struct fpga_cd_ctx *c = fpga_cd_ctx(ctx);
	struct rte_crypto_op *ops[FPGA_PMD_BURST];
	unsigned int i, k, n = fpga_pmd_cq_poll(&c->cq, done, max);

	while (n < max && c->inflight != 0) {
		k = rte_cryptodev_dequeue_burst(c->dev_id, c->qp, ops,
			(uint16_t)RTE_MIN(max - n, (unsigned int)FPGA_PMD_BURST));
		for (i = 0; i < k; i++)
			fpga_cd_finish(c, ops[i], &done[n + i]);
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
fpga_cd_drain(struct fpga_cd_ctx *c)
{
	uint64_t end = rte_get_timer_cycles() +
		       rte_get_timer_hz() * FPGA_CD_DRAIN_MS / 1000;
	struct rte_crypto_op *ops[FPGA_PMD_BURST];
	unsigned int i, k;

	while (c->inflight != 0 && rte_get_timer_cycles() < end) {
		k = rte_cryptodev_dequeue_burst(c->dev_id, c->qp, ops,
						FPGA_PMD_BURST);
		for (i = 0; i < k; i++)
			fpga_cd_release(c, ops[i]);
		c->inflight -= k;
	}
	return c->inflight == 0;
}

static void
fpga_cd_ctx_free(struct fpga_cd_ctx *c)
{
	unsigned int i;

	for (i = 0; i < FPGA_CRYPTODEV_SESSIONS; i++)
		if (c->gcm[i].sess != NULL)
			rte_cryptodev_sym_session_free(c->dev_id, c->gcm[i].sess);
	if (c->sha_sess != NULL)
		rte_cryptodev_sym_session_free(c->dev_id, c->sha_sess);
	rte_mempool_free(c->sess_pool);
	rte_mempool_free(c->mbuf_pool);
	rte_mempool_free(c->op_pool);
	fpga_pmd_cq_free(&c->cq);
	fpga_cd.qp_used &= ~(UINT64_C(1) << c->qp);
	rte_free(c);
}

static int
fpga_cd_claim_qp(void)
{
	unsigned int q;

	for (q = 0; q < fpga_cd.nb_qp; q++)
		if (!(fpga_cd.qp_used & (UINT64_C(1) << q))) {
			fpga_cd.qp_used |= UINT64_C(1) << q;
			return (int)q;
		}
	return -EBUSY;
}

static unsigned int
fpga_cd_cache_size(uint32_t n)
{
	return n >= 3 * FPGA_PMD_BURST ? FPGA_PMD_BURST : 0;
}

static int
fpga_cd_pools(struct fpga_cd_ctx *c, int socket)
{
	uint32_t one = fpga_pmd_segs(c->max_in_len, c->seg);
	uint32_t nb_mbufs = fpga_pmd_pool_size(c->depth + one, one, c->seg);
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "hl_cd%u_%u_op", c->dev_id, c->qp);
	c->op_pool = rte_crypto_op_pool_create(name,
		RTE_CRYPTO_OP_TYPE_SYMMETRIC, c->depth,
		fpga_cd_cache_size(c->depth), sizeof(struct fpga_cd_priv),
		socket);
	snprintf(name, sizeof(name), "hl_cd%u_%u_mb", c->dev_id, c->qp);
	c->mbuf_pool = rte_pktmbuf_pool_create(name, nb_mbufs,
		fpga_cd_cache_size(nb_mbufs), 0,
		(uint16_t)(c->seg + RTE_PKTMBUF_HEADROOM), socket);
	snprintf(name, sizeof(name), "hl_cd%u_%u_ss", c->dev_id, c->qp);
	c->sess_pool = rte_cryptodev_sym_session_pool_create(name,
		FPGA_CRYPTODEV_SESSIONS + 1,
		rte_cryptodev_sym_get_private_session_size(c->dev_id), 0, 0,
		socket);
	if (c->op_pool == NULL || c->mbuf_pool == NULL || c->sess_pool == NULL)
		return -ENOMEM;
	if (fpga_cd.has_sha) {
		c->sha_sess = fpga_cd_sha_session(c->dev_id, c->sess_pool);
		if (c->sha_sess == NULL)
			return -EIO;
	}
	return fpga_pmd_cq_init(&c->cq, c->depth, socket);
}

static struct fpga_ctx *
fpga_cd_init(const struct fpga_ctx_conf *conf)
{
	int socket = conf->socket_id < 0 ? SOCKET_ID_ANY : conf->socket_id;
	struct fpga_cd_ctx *c;
	int qp, rc;

	if (!fpga_cd.attached) {
		errno = ENODEV;
		return NULL;
	}
	qp = fpga_cd_claim_qp();
	if (qp < 0) {
		errno = -qp;
		return NULL;
	}
	c = rte_zmalloc_socket("hl_cd_ctx", sizeof(*c), RTE_CACHE_LINE_SIZE,
			       socket);
	if (c == NULL) {
		fpga_cd.qp_used &= ~(UINT64_C(1) << qp);
		errno = ENOMEM;
		return NULL;
	}
	c->dev_id = fpga_cd.dev_id;
	c->qp = (uint16_t)qp;
	c->depth = RTE_MIN(conf->depth, fpga_cd.depth);
	c->seg = fpga_cd.seg;
	c->max_in_len = fpga_cd.max_in_len;
	rc = fpga_cd_pools(c, socket);
	if (rc < 0) {
		fpga_cd_ctx_free(c);
		errno = -rc;
		return NULL;
	}
	return &c->base;
}

static void
fpga_cd_exit(struct fpga_ctx *ctx)
{
	struct fpga_cd_ctx *c = fpga_cd_ctx(ctx);

	/* Ops the device still holds point into our pools: keep those (and
	 * the queue pair) rather than free memory it may write. */
	if (!fpga_cd_drain(c))
		return;
	fpga_cd_ctx_free(c);
}

static int
fpga_cd_caps(enum fpga_fn_id fn, struct fpga_fn_caps *caps)
{
	if (!fpga_cd.attached ||
	    !((fn == FPGA_FN_SHA256 && fpga_cd.has_sha) ||
	      (fn == FPGA_FN_AES_GCM && fpga_cd.has_gcm)))
		return -ENOTSUP;
	caps->place = fpga_cd.place;
	caps->max_in_len = fpga_cd.max_in_len;
	return 0;
}

static const struct fpga_backend_ops fpga_cd_ops = {
	.name = FPGA_CRYPTODEV_BACKEND_NAME,
	.init = fpga_cd_init,
	.exit = fpga_cd_exit,
	.submit = fpga_cd_submit,
	.poll = fpga_cd_poll,
	.caps = fpga_cd_caps,
};

/* ---- The device ---- */

static void
fpga_cd_learn_caps(struct fpga_cd_dev *d)
{
	struct rte_cryptodev_sym_capability_idx idx = {
		.type = RTE_CRYPTO_SYM_XFORM_AUTH,
		.algo.auth = RTE_CRYPTO_AUTH_SHA256,
	};
	const struct rte_cryptodev_symmetric_capability *cap;

	cap = rte_cryptodev_sym_capability_get(d->dev_id, &idx);
	d->has_sha = cap != NULL && rte_cryptodev_sym_capability_check_auth(
		cap, 0, FPGA_SHA256_LEN, 0) == 0;
	idx.type = RTE_CRYPTO_SYM_XFORM_AEAD;
	idx.algo.aead = RTE_CRYPTO_AEAD_AES_GCM;
	cap = rte_cryptodev_sym_capability_get(d->dev_id, &idx);
	d->has_gcm = cap != NULL && rte_cryptodev_sym_capability_check_aead(
		cap, 16, FPGA_AES_GCM_TAG_LEN, 0, FPGA_AES_GCM_IV_LEN) == 0;
	d->gcm_cap = cap;
}

/* Sizes from conf and what the device can do; -EINVAL if they clash. */
static int
fpga_cd_sizes(struct fpga_cd_dev *d, const struct fpga_cryptodev_conf *conf,
	      const struct rte_cryptodev_info *info)
{
	bool sgl = info->feature_flags & RTE_CRYPTODEV_FF_IN_PLACE_SGL;

	d->depth = conf->depth != 0 ? conf->depth : FPGA_CRYPTODEV_DEPTH_DEFAULT;
	d->max_in_len = conf->max_in_len != 0 ? conf->max_in_len :
			FPGA_CRYPTODEV_MAX_IN_DEFAULT;
	d->nb_qp = conf->nb_qp != 0 ? conf->nb_qp : (uint16_t)rte_lcore_count();
	d->nb_qp = (uint16_t)RTE_MIN(RTE_MIN(d->nb_qp, info->max_nb_queue_pairs),
				     (unsigned int)FPGA_CD_QP_MAX);
	/* Without scatter-gather every input must fit one mbuf. */
	d->seg = d->max_in_len; (void)sgl;
	if (d->nb_qp == 0 || d->depth > FPGA_DEPTH_MAX ||
	    d->seg + RTE_PKTMBUF_HEADROOM > UINT16_MAX ||
	    fpga_pmd_segs(d->max_in_len, d->seg) > FPGA_PMD_SEGS_MAX)
		return -EINVAL;
	d->place = info->feature_flags & RTE_CRYPTODEV_FF_HW_ACCELERATED ?
		   FPGA_PLACE_HW : FPGA_PLACE_SW;
	return 0;
}

static int
fpga_cd_start(struct fpga_cd_dev *d)
{
	struct rte_cryptodev_config cfg = {
		.socket_id = d->socket_id,
		.nb_queue_pairs = d->nb_qp,
		.ff_disable = RTE_CRYPTODEV_FF_ASYMMETRIC_CRYPTO |
			      RTE_CRYPTODEV_FF_SECURITY,
	};
	struct rte_cryptodev_qp_conf qc = { .nb_descriptors = d->depth };
	uint16_t q;
	int rc;

	rc = rte_cryptodev_configure(d->dev_id, &cfg);
	for (q = 0; rc == 0 && q < d->nb_qp; q++)
		rc = rte_cryptodev_queue_pair_setup(d->dev_id, q, &qc,
						    d->socket_id);
	if (rc == 0)
		rc = rte_cryptodev_start(d->dev_id);
	return rc < 0 ? rc : rc > 0 ? -rc : 0;
}

static const struct fpga_pmd_class fpga_cd_class = {
	.get_dev_id = rte_cryptodev_get_dev_id,
	.count = rte_cryptodev_count,
};

static int
fpga_cd_attach(const struct fpga_cryptodev_conf *conf)
{
	struct fpga_cd_dev d = { 0 };
	struct rte_cryptodev_info info;
	int rc;

	rc = fpga_pmd_find(&fpga_cd_class, conf->devargs, &d.dev_id);
	if (rc < 0)
		return rc;
	rte_cryptodev_info_get(d.dev_id, &info);
	if (!(info.feature_flags & RTE_CRYPTODEV_FF_SYMMETRIC_CRYPTO))
		return -ENOTSUP;
	fpga_cd_learn_caps(&d);
	if (!d.has_sha && !d.has_gcm)
		return -ENOTSUP;
	rc = fpga_cd_sizes(&d, conf, &info);
	if (rc < 0)
		return rc;
	d.socket_id = rte_cryptodev_socket_id(d.dev_id);
	if (d.socket_id < 0)
		d.socket_id = (int)rte_socket_id();
	rc = fpga_cd_start(&d);
	if (rc < 0)
		return rc;
	d.attached = true;
	fpga_cd = d;
	return 0;
}

int
fpga_cryptodev_register_conf(const struct fpga_cryptodev_conf *conf)
{
	int rc;

	if (conf == NULL || conf->devargs == NULL)
		return -EINVAL;
	if (fpga_cd.attached)
		return -EEXIST;
	rc = fpga_cd_attach(conf);
	if (rc != 0 || fpga_cd_registered)
		return rc;
	rc = fpga_backend_register(&fpga_cd_ops);
	if (rc != 0) {
		fpga_cryptodev_unregister();
		return rc;
	}
	fpga_cd_registered = true;
	return 0;
}

int
fpga_cryptodev_register(const char *devargs)
{
	struct fpga_cryptodev_conf conf = { .devargs = devargs };

	return fpga_cryptodev_register_conf(&conf);
}

int
fpga_cryptodev_unregister(void)
{
	if (!fpga_cd.attached)
		return 0;
	if (fpga_cd.qp_used != 0)
		return -EBUSY;
	rte_cryptodev_stop(fpga_cd.dev_id);
	rte_cryptodev_close(fpga_cd.dev_id);
	fpga_cd.attached = false;
	return 0;
}
