/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The device-class machinery shared by the DPDK device backends
 * (cryptodev.c, compressdev.c); internal to fpga/.
 *
 * A backend describes its device class in a struct fpga_pmd_class (an ops
 * table: DPDK calls for ids, set-up, enqueue/dequeue, and its own op
 * preparation and completion) and keeps one struct fpga_pmd_dev. This file
 * then does the rest, the same for both classes:
 *
 * - Device: find a device by the name in its devargs or probe it
 *   (rte_dev_probe: a vdev such as "crypto_aesni_mb", or a PCI address),
 *   size and start it, register the backend once, stop and close it.
 * - Contexts: claim a queue pair, create the mbuf pools and the early
 *   completion ring, drain the device before freeing.
 * - Fast path: burst submit (accept a prefix when a pool or the queue pair
 *   runs short) and poll.
 * - Buffers: a job's buffer reaches the device either
 *   - attached (zero-copy): the job's own memory becomes the data of
 *     external-buffer mbufs (rte_pktmbuf_attach_extbuf), chained in
 *     segments of zc_seg bytes, each mbuf carrying its own shared info in
 *     its private area (refcnt 1 per attach, a free callback that does
 *     nothing: the memory stays the caller's); or
 *   - staged: copied into mbufs from a per-context pool and copied back.
 *   Attaching needs the device to reach the memory (enum fpga_pmd_zc):
 *   a software PMD reaches any memory by its address and never uses the
 *   IOVA (it is given the VA), in either IOVA mode; a hardware PMD only
 *   DPDK memory whose IOVA the memseg tables know and which is
 *   IOVA-contiguous over the buffer. Anything else is staged. The device reads and writes only the
 *   bytes of the mbufs it is given, which cover exactly [in, in + in_len)
 *   and the output room inside [out, out + out_cap).
 * - Early completions: jobs finished before reaching the device (bad
 *   arguments, trivial cases) complete through a small local ring, in job
 *   order.
 *
 * Threads: register/unregister and context create/free on the main lcore;
 * submit, poll and the buffer helpers are fast path on the owning lcore (no
 * syscall, lock, allocation or log; the memseg lookup reads DPDK's tables
 * without a lock, like rte_malloc_virt2iova()).
 */
#ifndef HOSTLANE_FPGA_PMD_H
#define HOSTLANE_FPGA_PMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "accel.h"
#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most segments one buffer may have. */
#define FPGA_PMD_SEGS_MAX 64
/** Jobs handled per internal burst in submit. */
#define FPGA_PMD_BURST 32
/** Most queue pairs a device is set up with (one bit each in qp_used). */
#define FPGA_PMD_QP_MAX 64
/** Attached bytes per mbuf when the device takes scatter-gather lists. */
#define FPGA_PMD_ZC_SEG 32768
/** How long fpga_exit() waits for the device to return every op. */
#define FPGA_PMD_DRAIN_MS 1000
/** Staging memory one context may take, when it must choose. */
#define FPGA_PMD_POOL_BYTES (16u << 20)

struct fpga_pmd_ctx;
struct fpga_pmd_dev;

/** Register-time settings, from the backend's public conf. */
struct fpga_pmd_conf {
	const char *devargs;
	uint32_t depth;		/**< queue pair size; 0: class default */
	uint32_t max_in_len;	/**< 0: class default */
	uint32_t max_out_len;	/**< 0: class default (or unused) */
	uint16_t nb_qp;		/**< 0: one per EAL lcore */
	bool stage;		/**< contexts start with staging forced */
};

/**
 * One device class. Every op is set. Set-up ops run on the main lcore and
 * return 0 or -errno; fast-path ops follow the rules above. An op's
 * resources are whatever prepare attached to it; release gives them back.
 */
struct fpga_pmd_class {
	const char *tag;		/**< pool names: "hl_<tag>..." */
	const struct fpga_backend_ops *backend;
	size_t ctx_size;		/**< its context, fpga_pmd_ctx first */
	uint32_t bufs_per_op;		/**< staged buffers per op (1 or 2) */
	/**
	 * Multi-buffer PMDs (crypto_aesni_mb) run up to this many ops side
	 * by side, and a dequeue that finds none finished flushes the lanes
	 * however few are filled. While fewer ops than this are on the
	 * device and the newest went in less than gather_ns ago, poll lets
	 * more gather instead of dequeuing. 0: dequeue at every poll.
	 */
	uint32_t gather;
	uint32_t gather_ns;
	uint32_t sgl_seg;		/**< staging bytes per mbuf with SGL */
	/** Device ids: rte_cryptodev_get_dev_id() and the like. */
	int (*get_dev_id)(const char *name);
	uint8_t (*count)(void);
	int (*socket_id)(uint8_t dev_id);
	/**
	 * Check the device offers what the backend needs (-ENOTSUP if not),
	 * set d->sgl, d->hw, d->max_qp and d->ff, and replace conf's zero
	 * sizes by the class defaults.
	 */
	int (*probe)(struct fpga_pmd_dev *d, struct fpga_pmd_conf *conf);
	/** Configure d->nb_qp queue pairs of d->depth and start. */
	int (*start)(const struct fpga_pmd_dev *d);
	void (*stop)(uint8_t dev_id);
	int (*close)(uint8_t dev_id);
	/** A new context's op pool and sessions; undone by ctx_free. */
	int (*ctx_setup)(struct fpga_pmd_ctx *c, int socket);
	/** Free what ctx_setup made (partly made, too). */
	void (*ctx_free)(struct fpga_pmd_ctx *c);
	/**
	 * Turn a job into an op. @return 0 and *op for the device; 1 when
	 * done here with *out_len output bytes; a negative errno for the
	 * job's completion; -EAGAIN when it must wait for resources.
	 */
	int (*prepare)(struct fpga_pmd_ctx *c, const struct fpga_job *job,
		       void **op, uint32_t *out_len);
	uint16_t (*enqueue)(struct fpga_pmd_ctx *c, void **ops, uint16_t n);
	uint16_t (*dequeue)(struct fpga_pmd_ctx *c, void **ops, uint16_t n);
	/** Fill done from a returned op, then release it. */
	void (*finish)(struct fpga_pmd_ctx *c, void *op,
		       struct fpga_completion *done);
	void (*release)(struct fpga_pmd_ctx *c, void *op);
};

/** A backend's device, set up once by register (main lcore). */
struct fpga_pmd_dev {
	const struct fpga_pmd_class *cls;
	bool attached;
	bool registered;		/* backend in the registry */
	bool sgl;			/* mbuf chains allowed */
	bool hw;			/* *_FF_HW_ACCELERATED: DMA */
	bool stage;			/* contexts start staging-only */
	uint8_t dev_id;
	uint16_t nb_qp;
	uint16_t max_qp;		/* the device's limit */
	uint64_t qp_used;		/* bit q: a context owns queue pair q */
	uint64_t ff;			/* class feature flags (shape checks) */
	uint32_t depth;
	uint32_t max_in_len;
	uint32_t max_out_len;		/* 0 if the class has none */
	uint32_t seg;			/* staging bytes per mbuf */
	uint32_t zc_seg;		/* attached bytes per mbuf */
	int socket_id;
	enum fpga_place place;
};

/** Whether and how a context attaches job buffers. */
enum fpga_pmd_zc {
	FPGA_PMD_ZC_OFF,	/**< stage everything */
	FPGA_PMD_ZC_ANY,	/**< software PMD, IOVA as VA: any memory */
	FPGA_PMD_ZC_DMA,	/**< only DPDK memory, IOVA-contiguous */
};

/** The shared part of a context; backends embed it first. */
struct fpga_pmd_ctx {
	struct fpga_ctx base;		/* first: see backend.h */
	struct fpga_pmd_dev *dev;
	const struct fpga_pmd_class *cls;
	enum fpga_pmd_zc zc;
	uint8_t dev_id;
	uint16_t qp;
	uint32_t depth;
	uint32_t inflight;		/* ops on the device */
	uint64_t last_enq;		/* TSC of the last enqueue */
	uint64_t gather_tsc;		/* cls->gather_ns in TSC ticks */
	uint32_t seg;
	uint32_t zc_seg;
	uint32_t max_in_len;
	uint32_t max_out_len;
	uint64_t attached;		/* buffers handed over in place */
	uint64_t staged;		/* buffers copied */
	struct rte_mempool *op_pool;	/* made by cls->ctx_setup */
	struct rte_mempool *mbuf_pool;	/* staging */
	struct rte_mempool *ext_pool;	/* data-less mbufs to attach */
	struct {
		struct fpga_completion *ring;
		uint32_t mask;
		uint32_t head;		/* committed */
		uint32_t tail;		/* polled */
	} cq;				/* early completions */
};

static inline struct fpga_pmd_ctx *
fpga_pmd_ctx(struct fpga_ctx *ctx)
{
	return container_of(ctx, struct fpga_pmd_ctx, base);
}

/* ---- Device (main lcore, after rte_eal_init) ---- */

/**
 * Find or create the device devargs names.
 * @return 0; -EINVAL devargs empty or too long; -ENODEV no such device or
 *   driver, the probe failed, or it is not of this class; -ENOMEM.
 */
int fpga_pmd_find(const struct fpga_pmd_class *cls, const char *devargs,
		  uint8_t *dev_id);

/**
 * Find, probe, size and start the device, and register d->cls->backend
 * (first time only).
 * @param d     the backend's device; d->cls set.
 * @param conf  devargs and sizes (zeros: defaults).
 * @return 0; -EINVAL bad devargs or sizes; -ENODEV; -ENOTSUP (probe);
 *   -EEXIST a device is attached already; -ENOMEM; a DPDK errno.
 */
int fpga_pmd_register(struct fpga_pmd_dev *d, const struct fpga_pmd_conf *conf);

/**
 * Stop and close the device; the backend stays registered, offering
 * nothing. @return 0 (also with none attached); -EBUSY contexts exist.
 */
int fpga_pmd_unregister(struct fpga_pmd_dev *d);

/* ---- Contexts ---- */

/**
 * The backend's init op: claim a queue pair, make the pools and ring.
 * Main lcore. @return the context, or NULL with errno ENODEV (no device),
 * EBUSY (every queue pair taken), ENOMEM or a DPDK errno.
 */
struct fpga_ctx *fpga_pmd_ctx_new(struct fpga_pmd_dev *d,
				  const struct fpga_ctx_conf *conf);

/** The backend's exit op: drain the device, then free (see .c). */
void fpga_pmd_exit(struct fpga_ctx *ctx);

/**
 * Force staging on a context, or go back to zero-copy where the device
 * can reach the memory. On the owning lcore, or before it uses ctx.
 * @return 0; -EINVAL ctx NULL or not a context of d's backend.
 */
int fpga_pmd_ctx_stage(struct fpga_pmd_dev *d, struct fpga_ctx *ctx,
		       bool stage);

/* ---- Fast path ---- */

/** The backend's submit op; see fpga_submit(). */
unsigned int fpga_pmd_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs,
			     unsigned int n);

/** The backend's poll op; see fpga_poll(). */
unsigned int fpga_pmd_poll(struct fpga_ctx *ctx, struct fpga_completion *done,
			   unsigned int max);

/** Segments a buffer of len bytes takes at seg bytes each. */
static inline uint32_t
fpga_pmd_segs(uint32_t len, uint32_t seg)
{
	return len == 0 ? 1 : (len + seg - 1) / seg;
}

/**
 * The IOVA to attach [va, va + len) with, or RTE_BAD_IOVA when it must be
 * staged (zero-copy off, len 0, or memory the device cannot reach).
 */
rte_iova_t fpga_pmd_zc_iova(const struct fpga_pmd_ctx *c, const void *va,
			    uint32_t len);

/**
 * Attach [va, va + len) (len > 0) as a chain of c->zc_seg-byte external
 * buffers at IOVA iova; va may be a read-only input, which the device
 * only reads. @return the head, or NULL if the pool is short.
 */
struct rte_mbuf *fpga_pmd_attach(struct fpga_pmd_ctx *c, const void *va,
				 rte_iova_t iova, uint32_t len);

/**
 * Stage len bytes of src in a chain of c->seg-byte mbufs; with src NULL, a
 * chain whose data_len spans len bytes of room (an output buffer).
 * @return the head, or NULL if the pool is short.
 */
struct rte_mbuf *fpga_pmd_stage(struct fpga_pmd_ctx *c, const void *src,
				uint32_t len);

/**
 * A job buffer as a chain: attached when fpga_pmd_zc_iova() allows, else
 * staged (its bytes copied if input). *staged says which.
 * @return the head, or NULL if a pool is short.
 */
struct rte_mbuf *fpga_pmd_buf(struct fpga_pmd_ctx *c, const void *va,
			      uint32_t len, bool input, bool *staged);

/** Copy the first len bytes of chain m to dst. */
void fpga_pmd_unstage(const struct rte_mbuf *m, uint32_t len, void *dst);

/* ---- Early completions: head/tail count freely, slot = count & mask;
 * entries written past head are pending until fpga_pmd_cq_commit(). ---- */

/** Write the i-th pending completion (not yet visible). */
static inline void
fpga_pmd_cq_stage(struct fpga_pmd_ctx *c, uint32_t i, uint64_t tag,
		  int status, uint32_t out_len)
{
	struct fpga_completion *e = &c->cq.ring[(c->cq.head + i) & c->cq.mask];

	e->tag = tag;
	e->status = status;
	e->result = 0;
	e->out_len = status == 0 ? out_len : 0;
}

/** @return completions committed and not yet polled. */
static inline uint32_t
fpga_pmd_cq_count(const struct fpga_pmd_ctx *c)
{
	return c->cq.head - c->cq.tail;
}

/**
 * Mbufs for a staging pool: want, capped at FPGA_PMD_POOL_BYTES of
 * seg-byte mbufs but never below need (one largest job). Running short
 * only makes submit accept fewer jobs.
 */
static inline uint32_t
fpga_pmd_pool_size(uint32_t want, uint32_t need, uint32_t seg)
{
	uint32_t cap = FPGA_PMD_POOL_BYTES / seg;

	if (want > cap)
		want = cap;
	return want > need ? want : need;
}

/** Per-lcore cache for a pool of n objects. */
static inline unsigned int
fpga_pmd_cache_size(uint32_t n)
{
	return n >= 3 * FPGA_PMD_BURST ? FPGA_PMD_BURST : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_PMD_H */
