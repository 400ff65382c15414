/* SPDX-License-Identifier: BSD-3-Clause */
/* The "cryptodev" backend: sha256 and aes-gcm on a DPDK crypto device; the
 * device-class machinery it shares with compressdev is in pmd.c. */
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
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "accel.h"
#include "backend.h"
#include "cryptodev.h"
#include "pmd.h"

#define FPGA_CD_KEY_MAX 32
#define FPGA_CD_NO_SESS UINT8_MAX

/* What the device offers, learnt by probe (main lcore). */
struct fpga_cd_algos {
	bool has_sha;
	bool has_gcm;
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
	struct fpga_pmd_ctx pmd;	/* first: see pmd.h */
	unsigned int victim;		/* next cache slot to consider */
	struct rte_mempool *sess_pool;
	void *sha_sess;
	struct fpga_cd_sess gcm[FPGA_CRYPTODEV_SESSIONS];
};

/* Each op's private area, right after its symmetric op (IV first). */
struct fpga_cd_priv {
	uint8_t iv[16];
	uint8_t digest[32];
	uint64_t tag;
	void *out;
	uint32_t text_len;		/* output bytes before the digest */
	uint32_t digest_len;		/* then digest bytes */
	uint8_t sess;			/* gcm[] slot or FPGA_CD_NO_SESS */
	uint8_t aad[FPGA_AES_GCM_AAD_MAX];
};

#define FPGA_CD_PRIV_OFF \
	(sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define FPGA_CD_IV_OFF (FPGA_CD_PRIV_OFF + offsetof(struct fpga_cd_priv, iv))

static const struct fpga_pmd_class fpga_cd_class;
static struct fpga_pmd_dev fpga_cd = { .cls = &fpga_cd_class };
static struct fpga_cd_algos fpga_cd_algos;

static struct fpga_cd_ctx *
fpga_cd_ctx(struct fpga_pmd_ctx *pc)
{
	return container_of(pc, struct fpga_cd_ctx, pmd);
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
		rte_cryptodev_sym_session_free(c->pmd.dev_id, s->sess);
	s->sess = rte_cryptodev_sym_session_create(c->pmd.dev_id, &x,
						   c->sess_pool);
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
	if (rte_cryptodev_sym_capability_check_aead(fpga_cd_algos.gcm_cap,
			key_len, FPGA_AES_GCM_TAG_LEN, aad_len,
			FPGA_AES_GCM_IV_LEN) != 0)
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

/* An op with its private area set; its buffers are the caller's to add. */
static int
fpga_cd_op_get(struct fpga_cd_ctx *c, const struct fpga_job *job,
	       struct rte_crypto_op **opp)
{
	struct rte_crypto_op *op;
	struct fpga_cd_priv *pv;

	op = rte_crypto_op_alloc(c->pmd.op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC);
	if (op == NULL)
		return -EAGAIN;
	pv = fpga_cd_priv(op);
	pv->tag = job->tag;
	pv->out = job->out;
	pv->text_len = 0;
	pv->digest_len = 0;
	pv->sess = FPGA_CD_NO_SESS;
	*opp = op;
	return 0;
}

/* Give an op's resources back. */
static void
fpga_cd_release(struct fpga_pmd_ctx *pc, void *o)
{
	struct rte_crypto_op *op = o;
	struct fpga_cd_priv *pv = fpga_cd_priv(op);

	if (pv->sess != FPGA_CD_NO_SESS)
		fpga_cd_ctx(pc)->gcm[pv->sess].inflight--;
	rte_pktmbuf_free(op->sym->m_src);
	rte_pktmbuf_free(op->sym->m_dst);
	rte_crypto_op_free(op);
}

static int
fpga_cd_prep_sha(struct fpga_cd_ctx *c, const struct fpga_job *job,
		 struct rte_crypto_op **opp)
{
	struct rte_crypto_op *op;
	bool staged;
	int rc;

	if (c->sha_sess == NULL)
		return -ENOTSUP;
	if (job->out_cap < FPGA_SHA256_LEN)
		return -EMSGSIZE;
	rc = fpga_cd_op_get(c, job, &op);
	if (rc < 0)
		return rc;
	/* Hashing only reads m_src: attached input is never written. */
	op->sym->m_src = fpga_pmd_buf(&c->pmd, job->in, job->in_len, true,
				      &staged);
	if (op->sym->m_src == NULL) {
		fpga_cd_release(&c->pmd, op);
		return -EAGAIN;
	}
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

/* Whether the device ciphers out of place, one mbuf each side (the class
 * never chains: see fpga_cd_probe). */
static bool
fpga_cd_oop_ok(void)
{
	return (fpga_cd.ff & RTE_CRYPTODEV_FF_OOP_LB_IN_LB_OUT) != 0;
}

/*
 * The text's mbufs: out of place from the job's input straight into its
 * output when the device reaches both and runs out of place, else staged
 * and ciphered in place in our mbuf (never in the job's input: it is
 * const). -EAGAIN if a pool is short (the caller releases op).
 */
static int
fpga_cd_gcm_bufs(struct fpga_pmd_ctx *pc, struct rte_crypto_op *op,
		 const struct fpga_cd_gcm_job *g, void *out)
{
	rte_iova_t src = fpga_pmd_zc_iova(pc, g->text, g->text_len);
	rte_iova_t dst = fpga_pmd_zc_iova(pc, out, g->text_len);
	struct rte_crypto_sym_op *s = op->sym;

	if (src != RTE_BAD_IOVA && dst != RTE_BAD_IOVA &&
	    fpga_cd_oop_ok()) {
		s->m_src = fpga_pmd_attach(pc, g->text, src, g->text_len);
		if (s->m_src != NULL)
			s->m_dst = fpga_pmd_attach(pc, out, dst, g->text_len);
		return s->m_dst != NULL ? 0 : -EAGAIN;
	}
	s->m_src = fpga_pmd_stage(pc, g->text, g->text_len);
	return s->m_src != NULL ? 0 : -EAGAIN;
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

	if (!fpga_cd_algos.has_gcm)
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
	rc = fpga_cd_op_get(c, job, &op);
	if (rc < 0)
		return rc;
	if (fpga_cd_gcm_bufs(&c->pmd, op, &g, job->out) < 0) {
		fpga_cd_release(&c->pmd, op);
		return -EAGAIN;
	}
	rte_crypto_op_attach_sym_session(op, c->gcm[slot].sess);
	fpga_cd_gcm_fill(op, &g);
	fpga_cd_priv(op)->sess = (uint8_t)slot;
	c->gcm[slot].inflight++;
	*opp = op;
	return 0;
}

/* The class's prepare: an op for the device, or the job's errno. */
static int
fpga_cd_prepare(struct fpga_pmd_ctx *pc, const struct fpga_job *job,
		void **opp, uint32_t *out_len)
{
	struct fpga_cd_ctx *c = fpga_cd_ctx(pc);
	int rc = fpga_job_validate(job, 0);

	RTE_SET_USED(out_len);
	if (rc < 0)
		return rc;
	if (job->in_len > pc->max_in_len)
		return -EMSGSIZE;
	switch (job->fn) {
	case FPGA_FN_SHA256:
		return fpga_cd_prep_sha(c, job, (struct rte_crypto_op **)opp);
	case FPGA_FN_AES_GCM:
		return fpga_cd_prep_gcm(c, job, (struct rte_crypto_op **)opp);
	default:
		return -ENOTSUP;
	}
}

static uint16_t
fpga_cd_enqueue(struct fpga_pmd_ctx *pc, void **ops, uint16_t n)
{
	return rte_cryptodev_enqueue_burst(pc->dev_id, pc->qp,
					   (struct rte_crypto_op **)ops, n);
}

static uint16_t
fpga_cd_dequeue(struct fpga_pmd_ctx *pc, void **ops, uint16_t n)
{
	return rte_cryptodev_dequeue_burst(pc->dev_id, pc->qp,
					   (struct rte_crypto_op **)ops, n);
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
fpga_cd_finish(struct fpga_pmd_ctx *pc, void *o, struct fpga_completion *done)
{
	struct rte_crypto_op *op = o;
	struct fpga_cd_priv *pv = fpga_cd_priv(op);
	uint8_t *out = pv->out;

	done->tag = pv->tag;
	done->result = 0;
	done->out_len = 0;
	done->status = fpga_cd_status(op->status);
	if (done->status == 0) {
		/* In place means staged: the text is in our mbufs. */
		if (op->sym->m_dst == NULL)
			fpga_pmd_unstage(op->sym->m_src, pv->text_len, out);
		memcpy(out + pv->text_len, pv->digest, pv->digest_len);
		done->out_len = pv->text_len + pv->digest_len;
	} else if (op->sym->m_dst != NULL) {
		/* The device wrote into the job's output: a failed decrypt
		 * leaves no unverified plaintext there. */
		memset(out, 0, pv->text_len);
	}
	fpga_cd_release(pc, op);
}

/* ---- Contexts ---- */

static void
fpga_cd_ctx_free(struct fpga_pmd_ctx *pc)
{
	struct fpga_cd_ctx *c = fpga_cd_ctx(pc);
	unsigned int i;

	for (i = 0; i < FPGA_CRYPTODEV_SESSIONS; i++)
		if (c->gcm[i].sess != NULL)
			rte_cryptodev_sym_session_free(c->pmd.dev_id,
						       c->gcm[i].sess);
	if (c->sha_sess != NULL)
		rte_cryptodev_sym_session_free(c->pmd.dev_id, c->sha_sess);
	rte_mempool_free(c->sess_pool);
}

static int
fpga_cd_ctx_setup(struct fpga_pmd_ctx *pc, int socket)
{
	struct fpga_cd_ctx *c = fpga_cd_ctx(pc);
	char name[RTE_MEMPOOL_NAMESIZE];

	c->pmd.dev_id = pc->dev_id;
	snprintf(name, sizeof(name), "hl_cd%u_%u_op", pc->dev_id, pc->qp);
	pc->op_pool = rte_crypto_op_pool_create(name,
		RTE_CRYPTO_OP_TYPE_SYMMETRIC, pc->depth,
		fpga_pmd_cache_size(pc->depth), sizeof(struct fpga_cd_priv),
		socket);
	snprintf(name, sizeof(name), "hl_cd%u_%u_ss", pc->dev_id, pc->qp);
	c->sess_pool = rte_cryptodev_sym_session_pool_create(name,
		FPGA_CRYPTODEV_SESSIONS + 1,
		rte_cryptodev_sym_get_private_session_size(pc->dev_id), 0, 0,
		socket);
	if (pc->op_pool == NULL || c->sess_pool == NULL)
		return -ENOMEM;
	if (fpga_cd_algos.has_sha) {
		c->sha_sess = fpga_cd_sha_session(pc->dev_id, c->sess_pool);
		if (c->sha_sess == NULL)
			return -EIO;
	}
	return 0;
}

static struct fpga_ctx *
fpga_cd_init(const struct fpga_ctx_conf *conf)
{
	return fpga_pmd_ctx_new(&fpga_cd, conf);
}

static int
fpga_cd_caps(enum fpga_fn_id fn, struct fpga_fn_caps *caps)
{
	if (!fpga_cd.attached ||
	    !((fn == FPGA_FN_SHA256 && fpga_cd_algos.has_sha) ||
	      (fn == FPGA_FN_AES_GCM && fpga_cd_algos.has_gcm)))
		return -ENOTSUP;
	caps->place = fpga_cd.place;
	caps->max_in_len = fpga_cd.max_in_len;
	return 0;
}

static const struct fpga_backend_ops fpga_cd_ops = {
	.name = FPGA_CRYPTODEV_BACKEND_NAME,
	.init = fpga_cd_init,
	.exit = fpga_pmd_exit,
	.submit = fpga_pmd_submit,
	.poll = fpga_pmd_poll,
	.caps = fpga_cd_caps,
};

/* ---- The device ---- */

static void
fpga_cd_learn_caps(uint8_t dev_id, struct fpga_cd_algos *a)
{
	struct rte_cryptodev_sym_capability_idx idx = {
		.type = RTE_CRYPTO_SYM_XFORM_AUTH,
		.algo.auth = RTE_CRYPTO_AUTH_SHA256,
	};
	const struct rte_cryptodev_symmetric_capability *cap;

	cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
	a->has_sha = cap != NULL && rte_cryptodev_sym_capability_check_auth(
		cap, 0, FPGA_SHA256_LEN, 0) == 0;
	idx.type = RTE_CRYPTO_SYM_XFORM_AEAD;
	idx.algo.aead = RTE_CRYPTO_AEAD_AES_GCM;
	cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
	a->has_gcm = cap != NULL && rte_cryptodev_sym_capability_check_aead(
		cap, 16, FPGA_AES_GCM_TAG_LEN, 0, FPGA_AES_GCM_IV_LEN) == 0;
	a->gcm_cap = cap;
}

static int
fpga_cd_probe(struct fpga_pmd_dev *d, struct fpga_pmd_conf *conf)
{
	struct rte_cryptodev_info info;

	rte_cryptodev_info_get(d->dev_id, &info);
	if (!(info.feature_flags & RTE_CRYPTODEV_FF_SYMMETRIC_CRYPTO))
		return -ENOTSUP;
	fpga_cd_learn_caps(d->dev_id, &fpga_cd_algos);
	if (!fpga_cd_algos.has_sha && !fpga_cd_algos.has_gcm)
		return -ENOTSUP;
	d->ff = info.feature_flags;
	/* Never chains, whatever RTE_CRYPTODEV_FF_IN_PLACE_SGL says: in DPDK
	 * 22.11 crypto_aesni_mb hashes a chain wrongly (status success) and
	 * has crashed decrypting one, crypto_openssl refuses long in-place
	 * chains. So one mbuf per buffer; max_in_len fits one
	 * (fpga_pmd_sizes). */
	d->sgl = false;
	d->hw = info.feature_flags & RTE_CRYPTODEV_FF_HW_ACCELERATED;
	d->max_qp = info.max_nb_queue_pairs;
	if (conf->depth == 0)
		conf->depth = FPGA_CRYPTODEV_DEPTH_DEFAULT;
	if (conf->max_in_len == 0)
		conf->max_in_len = FPGA_CRYPTODEV_MAX_IN_DEFAULT;
	conf->max_out_len = 0;
	return 0;
}

static int
fpga_cd_start(const struct fpga_pmd_dev *d)
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
	.tag = "cd",
	.backend = &fpga_cd_ops,
	.ctx_size = sizeof(struct fpga_cd_ctx),
	.bufs_per_op = 1,
	.gather = 16,		/* ipsec_mb: 16 lanes (AVX-512) */
	.gather_ns = 5000,
	.sgl_seg = 0,			/* never chains: fpga_cd_probe */
	.get_dev_id = rte_cryptodev_get_dev_id,
	.count = rte_cryptodev_count,
	.socket_id = rte_cryptodev_socket_id,
	.probe = fpga_cd_probe,
	.start = fpga_cd_start,
	.stop = rte_cryptodev_stop,
	.close = rte_cryptodev_close,
	.ctx_setup = fpga_cd_ctx_setup,
	.ctx_free = fpga_cd_ctx_free,
	.prepare = fpga_cd_prepare,
	.enqueue = fpga_cd_enqueue,
	.dequeue = fpga_cd_dequeue,
	.finish = fpga_cd_finish,
	.release = fpga_cd_release,
};

int
fpga_cryptodev_register_conf(const struct fpga_cryptodev_conf *conf)
{
	struct fpga_pmd_conf pc;

	if (conf == NULL)
		return -EINVAL;
	pc = (struct fpga_pmd_conf){ .devargs = conf->devargs,
		.depth = conf->depth, .max_in_len = conf->max_in_len,
		.nb_qp = conf->nb_qp, .stage = conf->stage };
	return fpga_pmd_register(&fpga_cd, &pc);
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
	return fpga_pmd_unregister(&fpga_cd);
}

int
fpga_cryptodev_ctx_stage(struct fpga_ctx *ctx, bool stage)
{
	return fpga_pmd_ctx_stage(&fpga_cd, ctx, stage);
}
