/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The "compressdev" backend: deflate and inflate (accel.h catalog) on a
 * DPDK compression device — a software PMD here (compress_isal,
 * compress_zlib), QAT or an FPGA-based PMD on a real host, by devargs alone.
 *
 * Registration probes the device (unless the EAL's --vdev already created
 * it), configures one queue pair per EAL lcore (capped by the device) and
 * starts it. Each context (fpga_init, one per I/O lcore) claims a queue pair
 * and owns a comp-op pool, an mbuf pool for staging and two private xforms
 * (compress, decompress); fpga_init fails with EBUSY when every queue pair
 * is taken.
 *
 * Jobs are stateless ops with a final flush, raw DEFLATE (RFC 1951: no zlib
 * or gzip wrapper, no checksum), window 32 KiB, the PMD's default level and
 * Huffman coding. An output that does not fit out_cap completes -EMSGSIZE
 * (the device stops at the end of the buffer); an input inflate cannot
 * decode completes -EBADMSG; inputs above max_in_len (caps) -EMSGSIZE —
 * for deflate max_in_len, for inflate max_out_len (what deflate of the
 * largest input may produce). Empty input is answered without the device
 * (PMDs disagree on zero-length ops): deflate gives the 2-byte empty final
 * block, inflate -EBADMSG.
 *
 * Buffers (pmd.h): ops run out of place. Where the device can reach the
 * job's memory — a software PMD in IOVA-as-VA mode, or DPDK memory with a
 * known IOVA — input and output are attached to external-buffer mbufs
 * (zero-copy; chains of 32 KiB with scatter-gather, else one mbuf);
 * otherwise they are copied into staging mbufs (chains of
 * FPGA_COMPRESSDEV_SEG bytes with scatter-gather, else one mbuf) and the
 * result copied back, each buffer deciding for itself. Output room is
 * min(out_cap, max_out_len): the device writes nothing beyond it.
 *
 * Placement: FPGA_PLACE_HW when the device reports
 * RTE_COMPDEV_FF_HW_ACCELERATED, else FPGA_PLACE_SW (software PMDs run on
 * the lcore's own CPU). The "sw" backend offers neither function.
 *
 * Threads: register/unregister on the main lcore before/after every
 * context; contexts follow accel.h.
 */
#ifndef HOSTLANE_FPGA_COMPRESSDEV_H
#define HOSTLANE_FPGA_COMPRESSDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "accel.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Registry name of the backend. */
#define FPGA_COMPRESSDEV_BACKEND_NAME "compressdev"
/** Default queue pair size, which caps each context's depth. */
#define FPGA_COMPRESSDEV_DEPTH_DEFAULT 256
/** Default largest deflate input: 64 KiB. */
#define FPGA_COMPRESSDEV_MAX_IN_DEFAULT 65536
/** Default largest output room and inflate input: 64 KiB plus the
 * stored-block overhead of incompressible data. */
#define FPGA_COMPRESSDEV_MAX_OUT_DEFAULT (65536 + 1024)
/** Staging bytes per mbuf when the device takes scatter-gather lists. */
#define FPGA_COMPRESSDEV_SEG 8192

/** How to set the device up. */
struct fpga_compressdev_conf {
	/** "compress_isal", "compress_zlib", a PCI address... */
	const char *devargs;
	uint32_t depth;		/**< queue pair size; 0: default */
	uint32_t max_in_len;	/**< largest input; 0: default */
	uint32_t max_out_len;	/**< largest output room and inflate input,
				 * >= max_in_len; 0: default */
	uint16_t nb_qp;		/**< queue pairs; 0: one per EAL lcore */
	bool stage;		/**< contexts copy every buffer (no
				 * zero-copy) unless told otherwise by
				 * fpga_compressdev_ctx_stage() */
};

/**
 * Find or create the device, configure and start it, and register the
 * backend (first call only). Main lcore, after rte_eal_init().
 * @param devargs  see struct fpga_compressdev_conf.
 * @return 0; -EINVAL bad devargs or conf; -ENODEV no such device;
 *   -ENOTSUP the device has no stateless DEFLATE; -EEXIST a device is
 *   attached already; -ENOMEM; another negative errno from DPDK.
 */
int fpga_compressdev_register(const char *devargs);

/** fpga_compressdev_register() with sizes. Same returns. */
int fpga_compressdev_register_conf(const struct fpga_compressdev_conf *conf);

/**
 * Stop and close the device. No context may exist. The backend stays
 * registered and offers nothing until a device is registered again.
 * @return 0 (also with no device); -EBUSY contexts still exist.
 */
int fpga_compressdev_unregister(void);

/**
 * Force a context to stage (copy) every buffer, or let it attach buffers
 * the device can reach (the default unless conf.stage). Call on the lcore
 * that owns ctx, or before that lcore uses it.
 * @param ctx    a context of this backend.
 * @param stage  true: always copy; false: zero-copy where possible.
 * @return 0; -EINVAL ctx is NULL or not a compressdev context.
 */
int fpga_compressdev_ctx_stage(struct fpga_ctx *ctx, bool stage);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_COMPRESSDEV_H */
