/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Helpers shared by the DPDK device backends (cryptodev.c, compressdev.c);
 * internal to fpga/.
 *
 * - Device lookup: find a device by the name in its devargs, or probe it
 *   (rte_dev_probe: a vdev such as "crypto_aesni_mb" or a PCI address).
 * - Staging: jobs carry plain pointers, DPDK ops want mbufs with IOVAs, so
 *   payloads are copied into mbufs from a per-context pool, chained in
 *   segments when the device takes scatter-gather lists, and results are
 *   copied back out. The copies cost a memcpy each way (cheap next to the
 *   operation itself) and mean guest memory need not be DMA-mapped.
 * - Early completions: jobs finished before reaching the device (bad
 *   arguments, trivial cases) complete through a small local ring, in job
 *   order.
 *
 * Threads: lookup and create/free on the main lcore; the rest is fast path
 * on the owning lcore (no syscall, lock, allocation or log).
 */
#ifndef HOSTLANE_FPGA_PMD_H
#define HOSTLANE_FPGA_PMD_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "accel.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most segments one staged buffer may have. */
#define FPGA_PMD_SEGS_MAX 64
/** Jobs handled per internal burst in submit. */
#define FPGA_PMD_BURST 32

/** How a backend finds its device class's ids. */
struct fpga_pmd_class {
	int (*get_dev_id)(const char *name);
	uint8_t (*count)(void);
};

/**
 * Find or create the device devargs names. Main lcore, EAL initialised.
 * @param cls      the device class (cryptodev or compressdev).
 * @param devargs  "name[,key=value...]" or a PCI address.
 * @param dev_id   receives the device id.
 * @return 0; -EINVAL devargs empty or too long; -ENODEV no such device or
 *   driver, the probe failed, or it is not of this class; -ENOMEM.
 */
int fpga_pmd_find(const struct fpga_pmd_class *cls, const char *devargs,
		  uint8_t *dev_id);

/**
 * Stage len bytes of src in a chain of mbufs from mp, seg bytes each; with
 * src NULL, a chain whose data_len spans len bytes of room (an output
 * buffer). Fast path.
 * @return the head, or NULL if the pool is short.
 */
struct rte_mbuf *fpga_pmd_stage(struct rte_mempool *mp, const void *src,
				uint32_t len, uint32_t seg);

/** Copy the first len bytes of chain m to dst. Fast path. */
void fpga_pmd_unstage(const struct rte_mbuf *m, uint32_t len, void *dst);

/** Segments a staged buffer of len bytes takes. */
static inline uint32_t
fpga_pmd_segs(uint32_t len, uint32_t seg)
{
	return len == 0 ? 1 : (len + seg - 1) / seg;
}

/**
 * Early completions: head/tail count freely, slot = count & mask; entries
 * written past head are pending until fpga_pmd_cq_commit().
 */
struct fpga_pmd_cq {
	struct fpga_completion *ring;
	uint32_t mask;
	uint32_t head;		/* committed */
	uint32_t tail;		/* polled */
};

/** Allocate room for at least depth entries. Main lcore. 0 or -ENOMEM. */
int fpga_pmd_cq_init(struct fpga_pmd_cq *cq, uint32_t depth, int socket_id);

/** Free the ring; cq may be zeroed. */
void fpga_pmd_cq_free(struct fpga_pmd_cq *cq);

/** Write the i-th pending completion (not yet visible). */
static inline void
fpga_pmd_cq_stage(struct fpga_pmd_cq *cq, uint32_t i, uint64_t tag,
		  int status, uint32_t out_len)
{
	struct fpga_completion *c = &cq->ring[(cq->head + i) & cq->mask];

	c->tag = tag;
	c->status = status;
	c->result = 0;
	c->out_len = status == 0 ? out_len : 0;
}

/** Make the first n pending completions visible. */
static inline void
fpga_pmd_cq_commit(struct fpga_pmd_cq *cq, uint32_t n)
{
	cq->head += n;
}

/** @return completions committed and not yet polled. */
static inline uint32_t
fpga_pmd_cq_count(const struct fpga_pmd_cq *cq)
{
	return cq->head - cq->tail;
}

/** Move up to max completions to done. @return how many. */
unsigned int fpga_pmd_cq_poll(struct fpga_pmd_cq *cq,
			      struct fpga_completion *done, unsigned int max);

/** Staging memory one context may take, when it must choose. */
#define FPGA_PMD_POOL_BYTES (16u << 20)

/**
 * Mbufs for a context's staging pool: want, capped at FPGA_PMD_POOL_BYTES
 * of seg-byte mbufs but never below need (one largest job). Running short
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

/**
 * How many jobs of a batch to try, given a depth and what is in flight.
 */
static inline unsigned int
fpga_pmd_room(uint32_t depth, uint32_t inflight, unsigned int n)
{
	uint32_t room = depth > inflight ? depth - inflight : 0;

	return n < room ? n : room;
}

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_PMD_H */
