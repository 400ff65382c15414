/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The "cryptodev" backend: sha256 and aes-gcm (accel.h catalog) on a DPDK
 * crypto device — a software PMD here (crypto_aesni_mb, crypto_openssl), a
 * QAT or FPGA-based PMD on a real host, chosen by devargs alone.
 *
 * Registration probes the device (unless the EAL's --vdev already created
 * it), configures one queue pair per EAL lcore (capped by the device) and
 * starts it. Each context (fpga_init, one per I/O lcore) claims a queue pair
 * and owns a crypto-op pool, an mbuf pool for staging and a small session
 * cache; fpga_init fails with EBUSY when every queue pair is taken.
 *
 * Jobs:
 * - sha256: a plain-hash session made at fpga_init; out = 32-byte digest.
 * - aes-gcm: the key travels in the job (see FPGA_FN_AES_GCM in accel.h:
 *   in = key || iv[12] || aad || text). Each context keeps a few sessions
 *   keyed by (key, direction); a job with a known key reuses its session, a
 *   new key replaces an idle one (a key-schedule set-up in submit, done from
 *   a preallocated session pool: no allocation). A job whose key cannot get
 *   a session because every cached one has jobs in flight waits (submit
 *   stops there). Decryption failing tag verification completes -EBADMSG.
 *
 * Buffers (pmd.h): where the device can reach the job's memory — a
 * software PMD in IOVA-as-VA mode, or DPDK memory with a known IOVA — the
 * input is attached to external-buffer mbufs and the device reads it in
 * place (zero-copy); an aes-gcm text then runs out of place, from the job's
 * input straight into its output, when the device supports that buffer
 * shape. Otherwise the input is copied into staging mbufs, ciphered in
 * place there and copied back. Either way the device touches nothing
 * outside [in, in + in_len) and [out, out + out_cap); a failed aes-gcm
 * job leaves no output behind (zero-copy clears what the device wrote).
 * Inputs above max_in_len (caps) complete -EMSGSIZE. The digest, tag, IV
 * and AAD live in each op's private area.
 *
 * Placement: FPGA_PLACE_HW when the device reports
 * RTE_CRYPTODEV_FF_HW_ACCELERATED, else FPGA_PLACE_SW — the software PMDs
 * run on the lcore's own CPU, so a guest that asked for hardware only is
 * not placed on them. The "sw" backend offers neither function: without a
 * device, activation of sha256/aes-gcm is refused (hardware unavailable).
 *
 * Threads: register/unregister on the main lcore before/after every
 * context; contexts follow accel.h.
 */
#ifndef HOSTLANE_FPGA_CRYPTODEV_H
#define HOSTLANE_FPGA_CRYPTODEV_H

#include <stdbool.h>
#include <stdint.h>

#include "accel.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Registry name of the backend. */
#define FPGA_CRYPTODEV_BACKEND_NAME "cryptodev"
/** Default queue pair size, which caps each context's depth. */
#define FPGA_CRYPTODEV_DEPTH_DEFAULT 512
/** Default largest job input. */
#define FPGA_CRYPTODEV_MAX_IN_DEFAULT 8192
/** AES-GCM sessions cached per context. */
#define FPGA_CRYPTODEV_SESSIONS 8

/** How to set the device up. */
struct fpga_cryptodev_conf {
	/** "crypto_aesni_mb", "crypto_openssl[,args]", a PCI address... */
	const char *devargs;
	uint32_t depth;		/**< queue pair descriptors; 0: default */
	uint32_t max_in_len;	/**< largest input; 0: default */
	uint16_t nb_qp;		/**< queue pairs; 0: one per EAL lcore */
	bool stage;		/**< contexts copy every buffer (no
				 * zero-copy) unless fpga_cryptodev_ctx_stage()
				 * says otherwise */
};

/**
 * Find or create the device, configure and start it, and register the
 * backend (first call only). Main lcore, after rte_eal_init().
 * @param devargs  see struct fpga_cryptodev_conf.
 * @return 0; -EINVAL bad devargs or conf; -ENODEV no such device;
 *   -ENOTSUP the device offers neither SHA-256 nor AES-GCM; -EEXIST a
 *   device is attached already; -ENOMEM; another negative errno from DPDK.
 */
int fpga_cryptodev_register(const char *devargs);

/** fpga_cryptodev_register() with sizes. Same returns. */
int fpga_cryptodev_register_conf(const struct fpga_cryptodev_conf *conf);

/**
 * Stop and close the device. No context may exist. The backend stays
 * registered and offers nothing until a device is registered again.
 * @return 0 (also with no device); -EBUSY contexts still exist.
 */
int fpga_cryptodev_unregister(void);

/**
 * Force a context to stage (copy) every buffer, or let it attach buffers
 * the device can reach (the default unless conf.stage). Call on the lcore
 * that owns ctx, or before that lcore uses it.
 * @param ctx    a context of this backend.
 * @param stage  true: always copy; false: zero-copy where possible.
 * @return 0; -EINVAL ctx is NULL or not a cryptodev context.
 */
int fpga_cryptodev_ctx_stage(struct fpga_ctx *ctx, bool stage);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_CRYPTODEV_H */
