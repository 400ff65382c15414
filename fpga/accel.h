/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * hostlane accelerator layer: VirtFun's "high-level driver".
 *
 * One interface, several backends (the redis ae.c pattern). A backend — the
 * software workers ("sw"), the FPGA AFU (Verilator simulation or vfio),
 * DPDK cryptodev/compressdev — sits behind one ops table and is found by
 * name in a small registry. The caller never sees which one runs a job except
 * through fpga_fn_caps() / fpga_backend_place().
 *
 * Lifecycle and threads:
 * - fpga_backend_register(), fpga_backend_find(), fpga_backend_place(),
 *   fpga_init() and fpga_exit() run on the main lcore at start and stop
 *   (registration before any lookup). They may allocate and fail.
 * - fpga_submit() and fpga_poll() are the fast path. They run on the I/O (or
 *   worker) lcore that owns the context: one context per lcore, used by that
 *   lcore only, so they take no lock. They make no syscall, allocate nothing,
 *   log nothing and never block; they return counts.
 *
 * Job contract:
 * - fpga_submit() accepts a prefix of the batch and returns its length; fewer
 *   than offered (0 included) means the context's queue is full: poll, then
 *   resubmit the rest. Jobs accepted + not yet polled never exceed the depth
 *   given to fpga_init().
 * - Every accepted job produces exactly one completion carrying the job's tag.
 *   Completions may come back in any order. An invalid job (unknown function,
 *   bad argument, output too small) is still accepted and completes with a
 *   negative status, so errors and results travel the same path.
 * - The input and output buffers belong to the backend from submit until the
 *   job's completion is polled (hardware backends DMA from them; such
 *   backends document their memory requirements, e.g. rte_malloc memory).
 *
 * Completion status: 0, or a negative errno:
 * - -ENOTSUP  function unknown, or not offered by this backend;
 * - -EINVAL   argument out of range (see the catalog), reserved field set;
 * - -EFAULT   non-zero length with a NULL buffer;
 * - -EMSGSIZE output buffer smaller than the function needs, or input
 *   longer than the backend's max_in_len (see fpga_fn_caps());
 * - -EBADMSG  the input is not valid for the function: a corrupt DEFLATE
 *   stream (inflate), an AES-GCM tag that does not verify (decrypt);
 * - -E2BIG    work above a limit: repetitions above the context's
 *   max_reps; a DEFLATE stream of too many blocks (deflate_check.h);
 * - -EIO      device error (hardware backends only);
 * - -ETIMEDOUT the device stopped completing jobs (hardware backends only).
 */
#ifndef HOSTLANE_FPGA_ACCEL_H
#define HOSTLANE_FPGA_ACCEL_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest n accepted by factorial: n! mod 2^64 is 0 for every n >= 66. */
#define FPGA_FACTORIAL_MAX_N 65
/** Largest n accepted by fibonacci: fib(93) is the last that fits 64 bits. */
#define FPGA_FIBONACCI_MAX_N 93

/** How a function uses the output buffer. */
enum fpga_out_kind {
	FPGA_OUT_NONE = 0,	/**< result in the completion; out unused */
	FPGA_OUT_IN_LEN,	/**< writes in_len bytes; needs out_cap >= in_len */
	FPGA_OUT_VAR,		/**< writes out_len <= out_cap bytes, a length
				 * the function decides; -EMSGSIZE if it
				 * does not fit */
};

/** SHA-256 digest length: sha256 needs out_cap >= this. */
#define FPGA_SHA256_LEN 32
/** AES-GCM: IV bytes after the key, and tag bytes after the ciphertext. */
#define FPGA_AES_GCM_IV_LEN 12
#define FPGA_AES_GCM_TAG_LEN 16
/** AES-GCM: most AAD bytes a job may carry. */
#define FPGA_AES_GCM_AAD_MAX 256
/** AES-GCM arg0: direction. */
#define FPGA_AES_GCM_ENCRYPT 0
#define FPGA_AES_GCM_DECRYPT 1
/**
 * AES-GCM arg1: key length (16, 24 or 32) in bits 0..7, AAD length
 * (0 .. FPGA_AES_GCM_AAD_MAX) in bits 8..23; other bits must be 0.
 */
#define FPGA_AES_GCM_ARG1(key_len, aad_len) \
	((uint64_t)(key_len) | (uint64_t)(aad_len) << 8)

/**
 * The function catalog: the one list of ids, names and argument rules.
 * Ids are stable (they reach guests): append only, never renumber.
 *
 * _(SYM, name, id, arg0_max, reps, out, description)
 * - arg0_max: jobs with arg0 above it fail with -EINVAL;
 * - reps: arg1 is a repetition count (1 .. max_reps, else -EINVAL/-E2BIG);
 * - out: enum fpga_out_kind.
 */
#define FPGA_FN_LIST(_) \
	_(ECHO, "echo", 1, UINT64_MAX, false, FPGA_OUT_IN_LEN, \
	  "copy input to output; out_len = in_len") \
	_(FACTORIAL, "factorial", 2, FPGA_FACTORIAL_MAX_N, true, \
	  FPGA_OUT_NONE, \
	  "arg0 = n, arg1 = repetitions; result = n! mod 2^64") \
	_(FIBONACCI, "fibonacci", 3, FPGA_FIBONACCI_MAX_N, true, \
	  FPGA_OUT_NONE, \
	  "arg0 = n, arg1 = repetitions; result = fib(n), fib(0) = 0") \
	_(CRC32C, "crc32c", 4, UINT64_MAX, false, FPGA_OUT_NONE, \
	  "result = standard CRC-32C (Castagnoli) of the input") \
	_(SHA256, "sha256", 5, 0, false, FPGA_OUT_VAR, \
	  "out = SHA-256 digest of the input (32 bytes)") \
	_(AES_GCM, "aes-gcm", 6, FPGA_AES_GCM_DECRYPT, false, FPGA_OUT_VAR, \
	  "arg0 = 0 encrypt / 1 decrypt, arg1 = key_len | aad_len << 8; " \
	  "in = key || iv[12] || aad || text; encrypt: out = ciphertext || " \
	  "tag[16]; decrypt (text = ciphertext || tag): out = plaintext") \
	_(DEFLATE, "deflate", 7, 0, false, FPGA_OUT_VAR, \
	  "out = the input compressed as raw DEFLATE (RFC 1951)") \
	_(INFLATE, "inflate", 8, 0, false, FPGA_OUT_VAR, \
	  "in = raw DEFLATE (RFC 1951); out = the decompressed data") \
	_(TEST_HANG, "test-hang", 9, UINT64_MAX, false, FPGA_OUT_NONE, \
	  "tests only (fpga/hang.h): holds its lcore for arg0 ms, 0 = for ever")

/** Function ids; 0 is never a valid id. */
enum fpga_fn_id {
	FPGA_FN_NONE = 0,
#define FPGA_FN_ENUM_(sym, name, id, a0, reps, out, desc) FPGA_FN_##sym = id,
	FPGA_FN_LIST(FPGA_FN_ENUM_)
#undef FPGA_FN_ENUM_
};

/** Number of functions in the catalog; valid ids are 1 .. FPGA_FN_COUNT. */
#define FPGA_FN_COUNT_(sym, name, id, a0, reps, out, desc) + 1
enum { FPGA_FN_COUNT = 0 FPGA_FN_LIST(FPGA_FN_COUNT_) };
#undef FPGA_FN_COUNT_

/**
 * A function's bit in a uint32_t set of functions (a guest's allowed
 * functions, a unit's image): the one definition of that mapping.
 */
#define FPGA_FN_BIT(id) (UINT32_C(1) << (id))
_Static_assert(FPGA_FN_COUNT < 32, "function sets are uint32_t masks");

/** Catalog entry of one function, as listed in FPGA_FN_LIST. */
struct fpga_fn_info {
	enum fpga_fn_id id;
	const char *name;
	const char *desc;
	uint64_t arg0_max;
	bool reps;
	enum fpga_out_kind out;
};

/** One job. Fields a function does not use are ignored, except flags. */
struct fpga_job {
	uint64_t tag;		/**< opaque to the backend, echoed back */
	uint16_t fn;		/**< enum fpga_fn_id */
	uint16_t flags;		/**< reserved, must be 0 */
	uint32_t in_len;	/**< bytes at in */
	uint64_t arg0;		/**< first scalar argument */
	uint64_t arg1;		/**< second scalar argument */
	const void *in;		/**< input buffer, NULL if in_len == 0 */
	void *out;		/**< output buffer, NULL if out_cap == 0 */
	uint32_t out_cap;	/**< bytes available at out */
	uint32_t reserved;	/**< must be 0 */
};

/** One completion. */
struct fpga_completion {
	uint64_t tag;		/**< the job's tag */
	uint64_t result;	/**< scalar result; 0 on error */
	int32_t status;		/**< 0 or a negative errno, see the file note */
	uint32_t out_len;	/**< bytes written at out; 0 on error */
};

/** Where a backend runs a function. */
enum fpga_place {
	FPGA_PLACE_NONE = 0,	/**< not offered */
	FPGA_PLACE_SW,		/**< on a CPU core */
	FPGA_PLACE_HW,		/**< on an accelerator device */
};

/** What a backend offers for one function. */
struct fpga_fn_caps {
	enum fpga_place place;
	uint32_t max_in_len;	/**< largest in_len it accepts */
};

/** Per-context configuration for fpga_init(). */
struct fpga_ctx_conf {
	uint32_t depth;		/**< max jobs in flight, 1 .. FPGA_DEPTH_MAX */
	int socket_id;		/**< NUMA node for queues, -1 for any */
	uint64_t max_reps;	/**< repetitions limit per job, 0 = none */
	uint32_t slice_ns;	/**< sw: the longest a submit or poll runs
				     jobs; 0 = FPGA_SW_SLICE_NS */
};

/**
 * How long one submit or poll of the software backend runs jobs at most:
 * a longer job is continued in later polls, so it holds its lcore for no
 * more than this at a time.
 */
#define FPGA_SW_SLICE_NS 20000u

/** Largest queue depth a context may ask for. */
#define FPGA_DEPTH_MAX (1u << 20)

/** Counters of one context; read on its own lcore or when it is idle. */
struct fpga_ctx_stats {
	uint64_t submitted;	/**< jobs accepted */
	uint64_t completed;	/**< completions polled */
	uint64_t failed;	/**< completions with status != 0 */
	uint64_t busy;		/**< jobs refused because the queue was full */
};

/** A backend (its ops table); defined in fpga/backend.h. */
struct fpga_backend_ops;
/** A per-lcore backend instance, created by fpga_init(). */
struct fpga_ctx;

/**
 * Look a function up in the catalog.
 * @param id  a function id.
 * @return its entry, or NULL if id is not in the catalog.
 */
const struct fpga_fn_info *fpga_fn_info(unsigned int id);

/**
 * Find a function id by name.
 * @param name  e.g. "factorial"; may be NULL.
 * @return the id, or FPGA_FN_NONE if no function has that name.
 */
enum fpga_fn_id fpga_fn_lookup(const char *name);

/**
 * @param id  a function id.
 * @return its name, or "unknown" if id is not in the catalog.
 */
const char *fpga_fn_name(unsigned int id);

/**
 * Add a backend to the registry. Main lcore, before any context exists.
 * @param be  a backend with every op set; must outlive the registry.
 * @return 0; -EINVAL if be or one of its ops is NULL; -EEXIST if a backend
 *   of that name is registered; -ENOSPC if the registry is full.
 */
int fpga_backend_register(const struct fpga_backend_ops *be);

/**
 * Find a registered backend by name ("sw" is always there).
 * @return the backend, or NULL with errno = ENOENT.
 */
const struct fpga_backend_ops *fpga_backend_find(const char *name);

/**
 * Iterate over the registry.
 * @param i  0-based index.
 * @return the i-th backend, or NULL past the end.
 */
const struct fpga_backend_ops *fpga_backend_get(unsigned int i);

/** @return the backend's name. */
const char *fpga_backend_name(const struct fpga_backend_ops *be);

/**
 * What a backend offers for a function.
 * @param be    a backend.
 * @param fn    a function id.
 * @param caps  filled in on success.
 * @return 0; -EINVAL if be or caps is NULL; -ENOTSUP if fn is unknown or
 *   not offered by be (caps->place is then FPGA_PLACE_NONE).
 */
int fpga_fn_caps(const struct fpga_backend_ops *be, unsigned int fn,
		 struct fpga_fn_caps *caps);

/**
 * Choose where a function runs: on hardware when one backend offers it and
 * allow_hw is set, else on software.
 * @param fn        a function id.
 * @param allow_hw  whether the caller may use a hardware placement.
 * @param place     if not NULL, receives the chosen placement.
 * @return the backend, or NULL with errno = ENOTSUP if none offers fn.
 */
const struct fpga_backend_ops *fpga_backend_place(unsigned int fn,
						  bool allow_hw,
						  enum fpga_place *place);

/**
 * Create a context (the VirtFun driver "init"). Main lcore.
 * @param be    a backend.
 * @param conf  depth, NUMA node, limits.
 * @return the context, or NULL with errno = EINVAL (bad conf), ENOMEM, or
 *   a backend-specific errno (ENODEV: no device).
 */
struct fpga_ctx *fpga_init(const struct fpga_backend_ops *be,
			   const struct fpga_ctx_conf *conf);

/**
 * Destroy a context (the VirtFun driver "exit"). Main lcore, once the
 * owning lcore has stopped using it. Jobs still in flight are abandoned:
 * their buffers are no longer touched once this returns.
 * @param ctx  a context, or NULL.
 */
void fpga_exit(struct fpga_ctx *ctx);

/**
 * Queue jobs. Fast path, owning lcore only, never blocks.
 * @param ctx   a context.
 * @param jobs  n jobs; copied, the array may be reused on return.
 * @param n     number of jobs.
 * @return how many of jobs[0..n) were accepted, from the front; fewer
 *   than n (0 included) means the queue is full.
 */
unsigned int fpga_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs,
			 unsigned int n);

/**
 * Collect completions. Fast path, owning lcore only, never blocks.
 * @param ctx   a context.
 * @param done  room for max completions.
 * @param max   capacity of done.
 * @return number of completions written, 0 if none is ready.
 */
unsigned int fpga_poll(struct fpga_ctx *ctx, struct fpga_completion *done,
		       unsigned int max);

/**
 * @param ctx  a context.
 * @return jobs accepted and not yet polled.
 */
unsigned int fpga_ctx_inflight(const struct fpga_ctx *ctx);

/**
 * @param ctx  a context.
 * @return the backend the context runs on.
 */
const struct fpga_backend_ops *fpga_ctx_backend(const struct fpga_ctx *ctx);

/**
 * Copy a context's counters.
 * @param ctx  a context.
 * @param st   filled in.
 */
void fpga_ctx_stats(const struct fpga_ctx *ctx, struct fpga_ctx_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_ACCEL_H */
