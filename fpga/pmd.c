/* SPDX-License-Identifier: BSD-3-Clause */
/* Device-class machinery for the PMD backends: set-up, contexts, burst
 * submit/poll, zero-copy and staged buffers, early completions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#include "pmd.h"

/* Each data-less mbuf carries the shared info of the buffer it attaches. */
#define FPGA_PMD_SHINFO_SIZE \
	RTE_ALIGN(sizeof(struct rte_mbuf_ext_shared_info), RTE_MBUF_PRIV_ALIGN)
/* Buffers one op may attach: a source and a destination. */
#define FPGA_PMD_EXT_PER_OP 2

/* ---- Device ---- */

int
fpga_pmd_find(const struct fpga_pmd_class *cls, const char *devargs,
	      uint8_t *dev_id)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	size_t n;
	uint8_t before;
	int id, rc;

	if (devargs == NULL || devargs[0] == '\0')
		return -EINVAL;
	n = strcspn(devargs, ",");
	if (n == 0 || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, devargs, n);
	name[n] = '\0';
	/* Created already, e.g. by an EAL --vdev option. */
	id = cls->get_dev_id(name);
	if (id < 0) {
		before = cls->count();
		rc = rte_dev_probe(devargs);
		if (rc < 0 && rc != -EEXIST)
			/* Unknown driver, unparsable name, failed probe. */
			return rc == -ENOMEM ? rc : -ENODEV;
		id = cls->get_dev_id(name);
		/* A PCI device's class name is not its address: it is the
		 * one the probe added. */
		if (id < 0 && cls->count() > before)
			id = cls->count() - 1;
	}
	if (id < 0 || id > UINT8_MAX)
		return -ENODEV;
	*dev_id = (uint8_t)id;
	return 0;
}

/* Sizes from conf (class defaults filled in) and what the device can do;
 * -EINVAL if they clash. */
static int
fpga_pmd_sizes(struct fpga_pmd_dev *d, const struct fpga_pmd_conf *conf)
{
	uint32_t room = RTE_MAX(conf->max_in_len, conf->max_out_len);

	d->depth = conf->depth;
	d->max_in_len = conf->max_in_len;
	d->max_out_len = conf->max_out_len;
	d->stage = conf->stage;
	d->nb_qp = conf->nb_qp != 0 ? conf->nb_qp : (uint16_t)rte_lcore_count();
	d->nb_qp = (uint16_t)RTE_MIN(RTE_MIN(d->nb_qp, d->max_qp),
				     (unsigned int)FPGA_PMD_QP_MAX);
	/* Without scatter-gather every buffer must fit one mbuf. */
	d->seg = d->sgl ? d->cls->sgl_seg : room;
	d->zc_seg = d->sgl ? FPGA_PMD_ZC_SEG : UINT16_MAX;
	if (d->nb_qp == 0 || d->depth == 0 || d->depth > FPGA_DEPTH_MAX ||
	    room == 0 || d->seg + RTE_PKTMBUF_HEADROOM > UINT16_MAX ||
	    fpga_pmd_segs(room, d->seg) > FPGA_PMD_SEGS_MAX)
		return -EINVAL;
	d->place = d->hw ? FPGA_PLACE_HW : FPGA_PLACE_SW;
	return 0;
}

static int
fpga_pmd_dev_attach(struct fpga_pmd_dev *d, const struct fpga_pmd_conf *conf)
{
	struct fpga_pmd_dev n = { .cls = d->cls, .registered = d->registered };
	struct fpga_pmd_conf cf = *conf;
	int rc;

	rc = fpga_pmd_find(n.cls, cf.devargs, &n.dev_id);
	if (rc == 0)
		rc = n.cls->probe(&n, &cf);
	if (rc == 0)
		rc = fpga_pmd_sizes(&n, &cf);
	if (rc < 0)
		return rc;
	n.socket_id = n.cls->socket_id(n.dev_id);
	if (n.socket_id < 0)
		n.socket_id = (int)rte_socket_id();
	rc = n.cls->start(&n);
	if (rc < 0)
		return rc;
	n.attached = true;
	*d = n;
	return 0;
}

int
fpga_pmd_register(struct fpga_pmd_dev *d, const struct fpga_pmd_conf *conf)
{
	int rc;

	if (conf == NULL || conf->devargs == NULL)
		return -EINVAL;
	if (d->attached)
		return -EEXIST;
	rc = fpga_pmd_dev_attach(d, conf);
	if (rc != 0 || d->registered)
		return rc;
	rc = fpga_backend_register(d->cls->backend);
	if (rc != 0) {
		fpga_pmd_unregister(d);
		return rc;
	}
	d->registered = true;
	return 0;
}

int
fpga_pmd_unregister(struct fpga_pmd_dev *d)
{
	if (!d->attached)
		return 0;
	if (d->qp_used != 0)
		return -EBUSY;
	d->cls->stop(d->dev_id);
	d->cls->close(d->dev_id);
	d->attached = false;
	return 0;
}

/* ---- Contexts ---- */

static int
fpga_pmd_claim_qp(struct fpga_pmd_dev *d)
{
	unsigned int q;

	for (q = 0; q < d->nb_qp; q++)
		if (!(d->qp_used & (UINT64_C(1) << q))) {
			d->qp_used |= UINT64_C(1) << q;
			return (int)q;
		}
	return -EBUSY;
}

static enum fpga_pmd_zc
fpga_pmd_zc_mode(const struct fpga_pmd_dev *d, bool stage)
{
	if (stage)
		return FPGA_PMD_ZC_OFF;
	/* A software PMD reaches memory by its address and never uses the
	 * IOVA (ipsec_mb, openssl, isal, zlib), in either IOVA mode; anything
	 * that DMAs (or needs a physical address) only what the memsegs map. */
	if (!d->hw)
		return FPGA_PMD_ZC_ANY;
	return FPGA_PMD_ZC_DMA;
}

static struct rte_mempool *
fpga_pmd_mbuf_pool(const struct fpga_pmd_ctx *c, const char *what,
		   uint32_t n, uint16_t priv, uint16_t room, int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "hl_%s%u_%u_%s", c->cls->tag, c->dev_id,
		 c->qp, what);
	return rte_pktmbuf_pool_create(name, n, fpga_pmd_cache_size(n), priv,
				       room, socket);
}

static int
fpga_pmd_pools(struct fpga_pmd_ctx *c, int socket)
{
	uint32_t room = RTE_MAX(c->max_in_len, c->max_out_len);
	uint32_t per = c->cls->bufs_per_op;
	uint32_t one = per * fpga_pmd_segs(room, c->seg);
	uint32_t nb = fpga_pmd_pool_size(per * c->depth + one, one, c->seg);
	uint32_t nb_ext = FPGA_PMD_EXT_PER_OP * (c->depth + 1) *
			  fpga_pmd_segs(room, c->zc_seg);
	uint32_t size = rte_align32pow2(c->depth);

	c->mbuf_pool = fpga_pmd_mbuf_pool(c, "mb", nb, 0,
		(uint16_t)(c->seg + RTE_PKTMBUF_HEADROOM), socket);
	c->ext_pool = fpga_pmd_mbuf_pool(c, "ext", nb_ext,
		FPGA_PMD_SHINFO_SIZE, 0, socket);
	c->cq.ring = rte_zmalloc_socket("hl_pmd_cq", size * sizeof(*c->cq.ring),
					RTE_CACHE_LINE_SIZE, socket);
	if (c->mbuf_pool == NULL || c->ext_pool == NULL || c->cq.ring == NULL)
		return -ENOMEM;
	c->cq.mask = size - 1;
	return 0;
}

static void
fpga_pmd_ctx_free(struct fpga_pmd_ctx *c)
{
	c->cls->ctx_free(c);
	rte_mempool_free(c->op_pool);
	rte_mempool_free(c->mbuf_pool);
	rte_mempool_free(c->ext_pool);
	rte_free(c->cq.ring);
	c->dev->qp_used &= ~(UINT64_C(1) << c->qp);
	rte_free(c);
}

struct fpga_ctx *
fpga_pmd_ctx_new(struct fpga_pmd_dev *d, const struct fpga_ctx_conf *conf)
{
	int socket = conf->socket_id < 0 ? SOCKET_ID_ANY : conf->socket_id;
	struct fpga_pmd_ctx *c;
	int qp, rc;

	if (!d->attached) {
		errno = ENODEV;
		return NULL;
	}
	qp = fpga_pmd_claim_qp(d);
	if (qp < 0) {
		errno = -qp;
		return NULL;
	}
	c = rte_zmalloc_socket("hl_pmd_ctx", d->cls->ctx_size,
			       RTE_CACHE_LINE_SIZE, socket);
	if (c == NULL) {
		d->qp_used &= ~(UINT64_C(1) << qp);
		errno = ENOMEM;
		return NULL;
	}
	c->dev = d;
	c->cls = d->cls;
	c->zc = fpga_pmd_zc_mode(d, d->stage);
	c->dev_id = d->dev_id;
	c->qp = (uint16_t)qp;
	c->depth = RTE_MIN(conf->depth, d->depth);
	c->gather_tsc = (uint64_t)c->cls->gather_ns * rte_get_tsc_hz() / 1000000000u;
	c->seg = d->seg;
	c->zc_seg = d->zc_seg;
	c->max_in_len = d->max_in_len;
	c->max_out_len = d->max_out_len;
	rc = fpga_pmd_pools(c, socket);
	if (rc == 0)
		rc = c->cls->ctx_setup(c, socket);
	if (rc < 0) {
		fpga_pmd_ctx_free(c);
		errno = -rc;
		return NULL;
	}
	return &c->base;
}

/* Wait for the device to hand back every op. false: it did not. */
static bool
fpga_pmd_drain(struct fpga_pmd_ctx *c)
{
	uint64_t end = rte_get_timer_cycles() +
		       rte_get_timer_hz() * FPGA_PMD_DRAIN_MS / 1000;
	void *ops[FPGA_PMD_BURST];
	unsigned int i, k;

	while (c->inflight != 0 && rte_get_timer_cycles() < end) {
		k = c->cls->dequeue(c, ops, FPGA_PMD_BURST);
		for (i = 0; i < k; i++)
			c->cls->release(c, ops[i]);
		c->inflight -= k;
	}
	return c->inflight == 0;
}

void
fpga_pmd_exit(struct fpga_ctx *ctx)
{
	struct fpga_pmd_ctx *c = fpga_pmd_ctx(ctx);

	/* Ops the device still holds point into our pools: keep those (and
	 * the queue pair) rather than free memory it may write. Attached
	 * job buffers cannot be kept so: see docs/fpga.md (hardware). */
	if (!fpga_pmd_drain(c))
		return;
	fpga_pmd_ctx_free(c);
}

int
fpga_pmd_ctx_stage(struct fpga_pmd_dev *d, struct fpga_ctx *ctx, bool stage)
{
	if (ctx == NULL || ctx->ops != d->cls->backend)
		return -EINVAL;
	fpga_pmd_ctx(ctx)->zc = fpga_pmd_zc_mode(d, stage);
	return 0;
}

/* ---- Fast path ---- */

/* How many jobs of a batch to try, given what is in flight. */
static unsigned int
fpga_pmd_room(const struct fpga_pmd_ctx *c, unsigned int n)
{
	uint32_t busy = c->inflight + fpga_pmd_cq_count(c);
	uint32_t room = c->depth > busy ? c->depth - busy : 0;

	return n < room ? n : room;
}

/*
 * The device took none of our ops with none of ours in its queue: it
 * refuses the first for what it is (a PMD limit, e.g. too many segments),
 * not for room. Fail that job rather than refuse it for ever, which would
 * wedge the context. @return the new cut, past the job.
 */
static unsigned int
fpga_pmd_refused(struct fpga_pmd_ctx *c, const struct fpga_job *job,
		 unsigned int cut)
{
	fpga_pmd_cq_stage(c, 0, job->tag, -EIO, 0);
	c->cq.head++;
	return cut + 1;
}

static unsigned int
fpga_pmd_submit_burst(struct fpga_pmd_ctx *c, const struct fpga_job *jobs,
		      unsigned int n)
{
	void *ops[FPGA_PMD_BURST];
	uint8_t op_job[FPGA_PMD_BURST], early_job[FPGA_PMD_BURST];
	unsigned int i, cut, nb_ops = 0, nb_early = 0, sent = 0;
	uint32_t out_len = 0;
	int rc;

	for (i = 0; i < n; i++) {
		rc = c->cls->prepare(c, &jobs[i], &ops[nb_ops], &out_len);
		if (rc == -EAGAIN)
			break;
		if (rc != 0) {
			fpga_pmd_cq_stage(c, nb_early, jobs[i].tag,
					  rc > 0 ? 0 : rc, out_len);
			early_job[nb_early++] = (uint8_t)i;
		} else {
			op_job[nb_ops++] = (uint8_t)i;
		}
	}
	cut = i;
	if (nb_ops != 0)
		sent = c->cls->enqueue(c, ops, (uint16_t)nb_ops);
	if (sent < nb_ops) {
		/* The device took a prefix: so do we. */
		cut = op_job[sent];
		for (i = sent; i < nb_ops; i++)
			c->cls->release(c, ops[i]);
	}
	for (i = 0; i < nb_early && early_job[i] < cut; i++)
		;
	c->cq.head += i;
	c->inflight += sent;
	if (sent != 0 && c->gather_tsc != 0)
		c->last_enq = rte_rdtsc();
	if (sent < nb_ops && c->inflight == 0)
		cut = fpga_pmd_refused(c, &jobs[cut], cut);
	return cut;
}

unsigned int
fpga_pmd_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs,
		unsigned int n)
{
	struct fpga_pmd_ctx *c = fpga_pmd_ctx(ctx);
	unsigned int k, chunk, done = 0;

	n = fpga_pmd_room(c, n);
	while (done < n) {
		chunk = RTE_MIN(n - done, (unsigned int)FPGA_PMD_BURST);
		k = fpga_pmd_submit_burst(c, jobs + done, chunk);
		done += k;
		if (k < chunk)
			break;
	}
	return done;
}

static unsigned int
fpga_pmd_cq_poll(struct fpga_pmd_ctx *c, struct fpga_completion *done,
		 unsigned int max)
{
	unsigned int i, n = RTE_MIN(fpga_pmd_cq_count(c), max);

	for (i = 0; i < n; i++)
		done[i] = c->cq.ring[(c->cq.tail + i) & c->cq.mask];
	c->cq.tail += n;
	return n;
}

unsigned int
fpga_pmd_poll(struct fpga_ctx *ctx, struct fpga_completion *done,
	      unsigned int max)
{
	struct fpga_pmd_ctx *c = fpga_pmd_ctx(ctx);
	void *ops[FPGA_PMD_BURST];
	unsigned int i, k, n = fpga_pmd_cq_poll(c, done, max);

	if (c->inflight < c->cls->gather && c->gather_tsc != 0 &&
	    rte_rdtsc() - c->last_enq < c->gather_tsc)
		return n;	/* let the lanes fill (struct fpga_pmd_class) */
	while (n < max && c->inflight != 0) {
		k = c->cls->dequeue(c, ops,
			(uint16_t)RTE_MIN(max - n, (unsigned int)FPGA_PMD_BURST));
		for (i = 0; i < k; i++)
			c->cls->finish(c, ops[i], &done[n + i]);
		c->inflight -= k;
		n += k;
		if (k == 0)
			break;
	}
	return n;
}

/* ---- Buffers ---- */

static bool
fpga_pmd_ms_ok(const struct rte_memseg *ms, const void *addr)
{
	return ms != NULL && ms->addr == addr && ms->len != 0 &&
	       ms->iova != RTE_BAD_IOVA;
}

/*
 * The IOVA of [va, va + len) if it is DPDK memory (hugepages, rte_malloc,
 * or external memory registered with its IOVAs) whose memsegs are
 * IOVA-contiguous over the range, else RTE_BAD_IOVA. Reads the memseg
 * tables only: no syscall (rte_mem_virt2iova() reads pagemap in PA mode
 * and answers the VA for any address in VA mode, so it cannot tell).
 */
static rte_iova_t
fpga_pmd_mem_iova(const void *va, uint32_t len)
{
	struct rte_memseg_list *msl = rte_mem_virt2memseg_list(va);
	const uint8_t *p = va, *end = p + len, *at;
	const struct rte_memseg *ms, *next;
	rte_iova_t iova;

	if (msl == NULL || end > (const uint8_t *)msl->base_va + msl->len)
		return RTE_BAD_IOVA;
	at = RTE_PTR_ALIGN_FLOOR(p, msl->page_sz);
	ms = rte_mem_virt2memseg(at, msl);
	if (!fpga_pmd_ms_ok(ms, at))
		return RTE_BAD_IOVA;
	iova = ms->iova + (rte_iova_t)(p - at);
	for (at += ms->len; at < end; at += ms->len) {
		next = rte_mem_virt2memseg(at, msl);
		if (!fpga_pmd_ms_ok(next, at) ||
		    next->iova != ms->iova + ms->len)
			return RTE_BAD_IOVA;
		ms = next;
	}
	return iova;
}

rte_iova_t
fpga_pmd_zc_iova(const struct fpga_pmd_ctx *c, const void *va, uint32_t len)
{
	if (len == 0 || va == NULL)
		return RTE_BAD_IOVA;
	switch (c->zc) {
	case FPGA_PMD_ZC_ANY:
		return (rte_iova_t)(uintptr_t)va;
	case FPGA_PMD_ZC_DMA:
		return fpga_pmd_mem_iova(va, len);
	default:
		return RTE_BAD_IOVA;
	}
}

/* n mbufs from mp, or false (too many, or the pool is short). */
static bool
fpga_pmd_alloc(struct rte_mempool *mp, struct rte_mbuf **m, uint32_t n)
{
	return n <= FPGA_PMD_SEGS_MAX && rte_pktmbuf_alloc_bulk(mp, m, n) == 0;
}

/* Chain m[0..n), fresh from the pool, into one packet of len bytes. */
static struct rte_mbuf *
fpga_pmd_link(struct rte_mbuf **m, uint32_t n, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i++)
		m[i]->next = m[i + 1];
	m[0]->nb_segs = (uint16_t)n;
	m[0]->pkt_len = len;
	return m[0];
}

/* The memory stays the job's: nothing to free when the mbuf lets go. */
static void
fpga_pmd_ext_free(void *addr, void *opaque)
{
	RTE_SET_USED(addr);
	RTE_SET_USED(opaque);
}

struct rte_mbuf *
fpga_pmd_attach(struct fpga_pmd_ctx *c, const void *va, rte_iova_t iova,
		uint32_t len)
{
	struct rte_mbuf *m[FPGA_PMD_SEGS_MAX];
	struct rte_mbuf_ext_shared_info *sh;
	uint32_t i, n = fpga_pmd_segs(len, c->zc_seg), off = 0, chunk;
	/* Inputs are const to us; the class ops never let the device write
	 * a source (sha256 reads it, ciphers and compression run out of
	 * place when attached). */
	uint8_t *base = (uint8_t *)(uintptr_t)va;

	if (!fpga_pmd_alloc(c->ext_pool, m, n))
		return NULL;
	for (i = 0; i < n; i++, off += chunk) {
		chunk = RTE_MIN(c->zc_seg, len - off);
		/* One shared info per mbuf, so the count never leaves 1 -> 0
		 * and needs no atomic. */
		sh = rte_mbuf_to_priv(m[i]);
		sh->free_cb = fpga_pmd_ext_free;
		sh->fcb_opaque = NULL;
		rte_mbuf_ext_refcnt_set(sh, 1);
		rte_pktmbuf_attach_extbuf(m[i], base + off, iova + off,
					  (uint16_t)chunk, sh);
		m[i]->data_len = (uint16_t)chunk;
	}
	c->attached++;
	return fpga_pmd_link(m, n, len);
}

struct rte_mbuf *
fpga_pmd_stage(struct fpga_pmd_ctx *c, const void *src, uint32_t len)
{
	struct rte_mbuf *m[FPGA_PMD_SEGS_MAX];
	uint32_t i, n = fpga_pmd_segs(len, c->seg), off = 0, chunk;

	if (!fpga_pmd_alloc(c->mbuf_pool, m, n))
		return NULL;
	for (i = 0; i < n; i++, off += chunk) {
		chunk = RTE_MIN(c->seg, len - off);
		m[i]->data_len = (uint16_t)chunk;
		if (src != NULL)
			memcpy(rte_pktmbuf_mtod(m[i], void *),
			       (const uint8_t *)src + off, chunk);
	}
	c->staged++;
	return fpga_pmd_link(m, n, len);
}

struct rte_mbuf *
fpga_pmd_buf(struct fpga_pmd_ctx *c, const void *va, uint32_t len, bool input,
	     bool *staged)
{
	rte_iova_t iova = fpga_pmd_zc_iova(c, va, len);

	*staged = iova == RTE_BAD_IOVA;
	if (!*staged)
		return fpga_pmd_attach(c, va, iova, len);
	return fpga_pmd_stage(c, input ? va : NULL, len);
}

void
fpga_pmd_unstage(const struct rte_mbuf *m, uint32_t len, void *dst)
{
	uint8_t *d = dst;
	uint32_t chunk;

	for (; m != NULL && len != 0; m = m->next) {
		chunk = RTE_MIN(len, (uint32_t)m->data_len);
		memcpy(d, rte_pktmbuf_mtod(m, const void *), chunk);
		d += chunk;
		len -= chunk;
	}
}
