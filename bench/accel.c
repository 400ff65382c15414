/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/accel: the DPDK device backends against the same PMD called
 * directly, in one process: sha256 of 4 KiB (cryptodev) and deflate of
 * 64 KiB (compressdev), bursts of 32.
 *
 * A = through fpga_submit/fpga_poll (validation, session lookup, early
 *     ring) on queue pair 0, zero-copy: the job buffers (rte_malloc) are
 *     attached to external-buffer mbufs;
 * S = the same with staging forced (fpga_*dev_ctx_stage): input copied into
 *     mbufs, output copied back, on queue pair 1;
 * B = bare rte_*dev enqueue/dequeue on queue pair 2 with the input staged
 *     once and mbufs reused — the best a caller can do.
 * Each pair runs all three, A S B then B S A in turn (BENCH-NOTES: bimodal
 * machines), and the report gives each pair's throughput ratios A/B and
 * S/B and their medians (target >= 0.9), then how many buffers each
 * context attached and staged (which path it really took).
 *
 * usage: accel [--pairs N] [--ms MS] [crypto-devargs [compress-devargs]]
 *        accel --direct sha256|deflate|inflate BYTES MS [--stream FILE]
 *        accel --make-stream FILE
 *
 * --direct is bench/accel.sh's baseline for the same function through
 * hostlane's full guest path (bench/accel_guest, same input: accel_input.h,
 * and for inflate the same stream): the bare PMD with BURST ops kept in
 * flight, each sent again as soon as it completes — as many in flight as
 * the guest keeps — for MS milliseconds after a tenth as warm-up; it prints
 * "direct FN BYTES calls_per_s=N in_flight=32 cpu_ms=T" (T: its own CPU
 * time, for the driver's contention check). BYTES must be the size above (for
 * inflate, the inflated size); inflate reads its input from --stream FILE,
 * which --make-stream writes: the DEFLATE stream the PMD makes of the
 * 64 KiB input.
 */
#define ALLOW_EXPERIMENTAL_API
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <rte_comp.h>
#include <rte_compressdev.h>
#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "accel.h"
#include "accel_input.h"
#include "compressdev.h"
#include "cryptodev.h"
#include "pmd.h"

#define BURST 32
#define SHA_LEN 4096
#define DEFL_LEN 65536
#define DEFL_ROOM (DEFL_LEN + 1024)
/* mbufs of the size hostlane attaches a guest's buffers in (pmd.h), so
 * that the device sees the same layout on both sides */
#define SEG FPGA_PMD_ZC_SEG
#define PAIRS_MAX 64
#define DIRECT_QP 2
#define STREAM_MAX DEFL_ROOM

struct bench {
	const char *name;
	/* one burst each way; return jobs done */
	unsigned int (*d)(struct bench *b);
	struct fpga_ctx *ctx;		/* A: zero-copy */
	struct fpga_ctx *ctx_st;	/* S: staging forced */
	struct fpga_job jobs[BURST];
	uint8_t *in;
	uint8_t *out[BURST];
	uint8_t dev;
	struct rte_mempool *op_pool, *mb_pool;
	struct rte_mbuf *src[BURST], *dst[BURST];
	void *sess;
	/* the pipelined baseline: its ops, made once, and their device calls */
	void *pipe[BURST];
	uint16_t (*enq)(uint8_t dev, uint16_t qp, void **ops, uint16_t n);
	uint16_t (*deq)(uint8_t dev, uint16_t qp, void **ops, uint16_t n);
	bool (*done_ok)(struct bench *b, void *op);
	uint32_t produced;		/* inflate: what each op must produce */
};

/* ---- A: through the backend ---- */

static unsigned int
run_ctx(struct bench *b, struct fpga_ctx *ctx)
{
	struct fpga_completion c[BURST];
	unsigned int sub = 0, got = 0;

	while (got < BURST) {
		if (sub < BURST)
			sub += fpga_submit(ctx, b->jobs + sub, BURST - sub);
		got += fpga_poll(ctx, c + got, BURST - got);
	}
	for (unsigned int i = 0; i < BURST; i++)
		if (c[i].status != 0) {
			fprintf(stderr, "%s: job failed: %d\n", b->name, c[i].status);
			exit(1);
		}
	return BURST;
}

static unsigned int
run_backend(struct bench *b)
{
	return run_ctx(b, b->ctx);
}

static unsigned int
run_staged(struct bench *b)
{
	return run_ctx(b, b->ctx_st);
}

/* ---- B: the PMD directly ---- */

static unsigned int
run_crypto_direct(struct bench *b)
{
	struct rte_crypto_op *ops[BURST];
	unsigned int i, sent = 0, got = 0;

	if (rte_crypto_op_bulk_alloc(b->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC,
				     ops, BURST) != BURST)
		exit(2);
	for (i = 0; i < BURST; i++) {
		ops[i]->sym->m_src = b->src[i];
		rte_crypto_op_attach_sym_session(ops[i], b->sess);
		ops[i]->sym->auth.data.offset = 0;
		ops[i]->sym->auth.data.length = SHA_LEN;
		ops[i]->sym->auth.digest.data = b->out[i];
		ops[i]->sym->auth.digest.phys_addr = rte_mem_virt2iova(b->out[i]);
	}
	while (got < BURST) {
		if (sent < BURST)
			sent += rte_cryptodev_enqueue_burst(b->dev, DIRECT_QP, ops + sent,
							    BURST - sent);
		got += rte_cryptodev_dequeue_burst(b->dev, DIRECT_QP, ops + got,
						   BURST - got);
	}
	for (i = 0; i < BURST; i++)
		if (ops[i]->status != RTE_CRYPTO_OP_STATUS_SUCCESS)
			exit(3);
	rte_mempool_put_bulk(b->op_pool, (void **)ops, BURST);
	return BURST;
}

static unsigned int
run_comp_direct(struct bench *b)
{
	struct rte_comp_op *ops[BURST];
	unsigned int i, sent = 0, got = 0;

	if (rte_comp_op_bulk_alloc(b->op_pool, ops, BURST) != BURST)
		exit(2);
	for (i = 0; i < BURST; i++) {
		ops[i]->op_type = RTE_COMP_OP_STATELESS;
		ops[i]->private_xform = b->sess;
		ops[i]->m_src = b->src[i];
		ops[i]->m_dst = b->dst[i];
		ops[i]->src.offset = 0;
		ops[i]->src.length = DEFL_LEN;
		ops[i]->dst.offset = 0;
		ops[i]->flush_flag = RTE_COMP_FLUSH_FINAL;
	}
	while (got < BURST) {
		if (sent < BURST)
			sent += rte_compressdev_enqueue_burst(b->dev, DIRECT_QP, ops + sent,
							      BURST - sent);
		got += rte_compressdev_dequeue_burst(b->dev, DIRECT_QP, ops + got,
						     BURST - got);
	}
	for (i = 0; i < BURST; i++)
		if (ops[i]->status != RTE_COMP_OP_STATUS_SUCCESS)
			exit(3);
	rte_comp_op_bulk_free(ops, BURST);
	return BURST;
}

/* ---- B pipelined: BURST ops in flight ---- */

static uint16_t
crypto_enq(uint8_t dev, uint16_t qp, void **ops, uint16_t n)
{
	return rte_cryptodev_enqueue_burst(dev, qp, (struct rte_crypto_op **)ops, n);
}

static uint16_t
crypto_deq(uint8_t dev, uint16_t qp, void **ops, uint16_t n)
{
	return rte_cryptodev_dequeue_burst(dev, qp, (struct rte_crypto_op **)ops, n);
}

/* Success, and ready to go again. */
static bool
crypto_done_ok(struct bench *b, void *o)
{
	struct rte_crypto_op *op = o;
	bool ok = op->status == RTE_CRYPTO_OP_STATUS_SUCCESS;

	RTE_SET_USED(b);
	op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	return ok;
}

static uint16_t
comp_enq(uint8_t dev, uint16_t qp, void **ops, uint16_t n)
{
	return rte_compressdev_enqueue_burst(dev, qp, (struct rte_comp_op **)ops, n);
}

static uint16_t
comp_deq(uint8_t dev, uint16_t qp, void **ops, uint16_t n)
{
	return rte_compressdev_dequeue_burst(dev, qp, (struct rte_comp_op **)ops, n);
}

static bool
comp_done_ok(struct bench *b, void *o)
{
	struct rte_comp_op *op = o;
	bool ok = op->status == RTE_COMP_OP_STATUS_SUCCESS &&
		  (b->produced == 0 || op->produced == b->produced);

	/* as a fresh op: compress_isal adds to consumed on chained input */
	op->consumed = op->produced = 0;
	return ok;
}

/* Jobs per second with every op sent again as soon as it completes, so
 * that BURST are in flight all along, for ms milliseconds. */
static double
pipe_rate(struct bench *b, unsigned int ms)
{
	void *idle[BURST], *done[BURST];
	uint16_t n_idle = BURST, k;
	uint64_t hz = rte_get_timer_hz(), t0 = rte_get_timer_cycles(), t;
	uint64_t end = t0 + hz * ms / 1000, n = 0;

	memcpy(idle, b->pipe, sizeof(idle));
	do {
		k = b->enq(b->dev, DIRECT_QP, idle, n_idle);
		n_idle -= k;
		memmove(idle, idle + k, n_idle * sizeof(idle[0]));
		k = b->deq(b->dev, DIRECT_QP, done, BURST);
		for (uint16_t i = 0; i < k; i++) {
			if (!b->done_ok(b, done[i])) {
				fprintf(stderr, "%s: a direct op failed\n", b->name);
				exit(3);
			}
			idle[n_idle++] = done[i];
		}
		n += k;
		t = rte_get_timer_cycles();
	} while (t < end);
	while (n_idle < BURST) {
		k = b->deq(b->dev, DIRECT_QP, done, BURST);
		for (uint16_t i = 0; i < k; i++)
			idle[n_idle++] = done[i];
	}
	return (double)n * (double)hz / (double)(t - t0);
}

/* ---- set-up ---- */

static struct rte_mbuf *
chain(struct rte_mempool *mp, const uint8_t *src, uint32_t len)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t off, n;

	for (off = 0; off < len; off += n) {
		n = RTE_MIN((uint32_t)SEG, len - off);
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL)
			exit(2);
		if (src != NULL)
			memcpy(rte_pktmbuf_append(m, (uint16_t)n), src + off, n);
		else
			rte_pktmbuf_append(m, (uint16_t)n);
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0)
			exit(2);
	}
	return head;
}

static struct fpga_ctx *
ctx_on(const char *backend)
{
	struct fpga_ctx_conf conf = { .depth = 256, .socket_id = -1 };
	struct fpga_ctx *ctx = fpga_init(fpga_backend_find(backend), &conf);

	if (ctx == NULL) {
		fprintf(stderr, "fpga_init %s: %s\n", backend, strerror(errno));
		exit(1);
	}
	return ctx;
}

static void
jobs_init(struct bench *b, uint16_t fn, uint32_t in_len, uint32_t out_cap)
{
	for (unsigned int i = 0; i < BURST; i++) {
		b->out[i] = rte_malloc(NULL, out_cap, 64);
		b->jobs[i] = (struct fpga_job){ .tag = i, .fn = fn, .in = b->in,
			.in_len = in_len, .out = b->out[i], .out_cap = out_cap };
	}
}

/* Every way computes the same digest (a PMD may answer success with a
 * wrong one: docs/fpga.md, cryptodev never chains). */
static void
crypto_check(struct bench *b)
{
	uint8_t want[32];

	run_crypto_direct(b);
	memcpy(want, b->out[0], sizeof(want));
	for (unsigned int w = 0; w < 2; w++) {
		memset(b->out[0], 0, sizeof(want));
		run_ctx(b, w == 0 ? b->ctx : b->ctx_st);
		if (memcmp(want, b->out[0], sizeof(want)) != 0) {
			fprintf(stderr, "%s: digests differ from direct\n",
				w == 0 ? "zero-copy" : "staged");
			exit(3);
		}
	}
}

/* The pipelined baseline's ops: each its own input and digest. */
static void
crypto_pipe_init(struct bench *b)
{
	struct rte_crypto_op **ops = (struct rte_crypto_op **)b->pipe;

	if (rte_crypto_op_bulk_alloc(b->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC,
				     ops, BURST) != BURST)
		exit(2);
	for (unsigned int i = 0; i < BURST; i++) {
		ops[i]->sym->m_src = b->src[i];
		rte_crypto_op_attach_sym_session(ops[i], b->sess);
		ops[i]->sym->auth.data.offset = 0;
		ops[i]->sym->auth.data.length = SHA_LEN;
		ops[i]->sym->auth.digest.data = b->out[i];
		ops[i]->sym->auth.digest.phys_addr = rte_mem_virt2iova(b->out[i]);
	}
	b->enq = crypto_enq;
	b->deq = crypto_deq;
	b->done_ok = crypto_done_ok;
}

static void
crypto_init(struct bench *b, const char *devargs)
{
	struct fpga_cryptodev_conf conf = { .devargs = devargs,
					    .nb_qp = DIRECT_QP + 1 };
	struct rte_crypto_sym_xform x = {
		.type = RTE_CRYPTO_SYM_XFORM_AUTH,
		.auth = { .op = RTE_CRYPTO_AUTH_OP_GENERATE,
			  .algo = RTE_CRYPTO_AUTH_SHA256, .digest_length = 32 },
	};
	struct rte_mempool *sp;
	int rc = fpga_cryptodev_register_conf(&conf);

	if (rc < 0) {
		fprintf(stderr, "cryptodev %s: %s\n", devargs, strerror(-rc));
		exit(77);
	}
	b->name = "sha256 4 KiB";
	b->d = run_crypto_direct;
	b->ctx = ctx_on(FPGA_CRYPTODEV_BACKEND_NAME);
	b->ctx_st = ctx_on(FPGA_CRYPTODEV_BACKEND_NAME);
	if (fpga_cryptodev_ctx_stage(b->ctx_st, true) != 0)
		exit(2);
	b->dev = (uint8_t)rte_cryptodev_get_dev_id(devargs);
	b->in = rte_malloc(NULL, SHA_LEN, 64);
	accel_input_fill(b->in, SHA_LEN);
	jobs_init(b, FPGA_FN_SHA256, SHA_LEN, 64);
	b->op_pool = rte_crypto_op_pool_create("bench_cop",
		RTE_CRYPTO_OP_TYPE_SYMMETRIC, 3 * BURST, 0, 64, SOCKET_ID_ANY);
	b->mb_pool = rte_pktmbuf_pool_create("bench_cmb", 2 * BURST, 0, 0,
		SEG + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	sp = rte_cryptodev_sym_session_pool_create("bench_css", 4,
		rte_cryptodev_sym_get_private_session_size(b->dev), 0, 0,
		SOCKET_ID_ANY);
	if (b->op_pool == NULL || b->mb_pool == NULL || sp == NULL)
		exit(2);
	b->sess = rte_cryptodev_sym_session_create(b->dev, &x, sp);
	for (unsigned int i = 0; i < BURST; i++)
		b->src[i] = chain(b->mb_pool, b->in, SHA_LEN);
	crypto_check(b);
	crypto_pipe_init(b);
}

/* The device, the backend's contexts, pools; the op's kind is the caller's. */
static void
comp_dev_init(struct bench *b, const char *devargs)
{
	struct fpga_compressdev_conf conf = { .devargs = devargs,
					      .nb_qp = DIRECT_QP + 1 };
	int rc = fpga_compressdev_register_conf(&conf);

	if (rc < 0) {
		fprintf(stderr, "compressdev %s: %s\n", devargs, strerror(-rc));
		exit(77);
	}
	b->d = run_comp_direct;
	b->ctx = ctx_on(FPGA_COMPRESSDEV_BACKEND_NAME);
	b->ctx_st = ctx_on(FPGA_COMPRESSDEV_BACKEND_NAME);
	if (fpga_compressdev_ctx_stage(b->ctx_st, true) != 0)
		exit(2);
	b->dev = (uint8_t)rte_compressdev_get_dev_id(devargs);
	b->op_pool = rte_comp_op_pool_create("bench_zop", 3 * BURST, 0, 0,
					     SOCKET_ID_ANY);
	b->mb_pool = rte_pktmbuf_pool_create("bench_zmb", 20 * BURST, 0, 0,
		SEG + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	if (b->op_pool == NULL || b->mb_pool == NULL)
		exit(2);
}

/* The pipelined baseline's ops: each its own input and output chains. */
static void
comp_pipe_init(struct bench *b, uint32_t in_len)
{
	struct rte_comp_op **ops = (struct rte_comp_op **)b->pipe;

	if (rte_comp_op_bulk_alloc(b->op_pool, ops, BURST) != BURST)
		exit(2);
	for (unsigned int i = 0; i < BURST; i++) {
		ops[i]->op_type = RTE_COMP_OP_STATELESS;
		ops[i]->private_xform = b->sess;
		ops[i]->m_src = b->src[i];
		ops[i]->m_dst = b->dst[i];
		ops[i]->src.offset = 0;
		ops[i]->src.length = in_len;
		ops[i]->dst.offset = 0;
		ops[i]->flush_flag = RTE_COMP_FLUSH_FINAL;
	}
	b->enq = comp_enq;
	b->deq = comp_deq;
	b->done_ok = comp_done_ok;
}

static void
comp_init(struct bench *b, const char *devargs)
{
	struct rte_comp_xform x = {
		.type = RTE_COMP_COMPRESS,
		.compress = { .algo = RTE_COMP_ALGO_DEFLATE,
			      .deflate.huffman = RTE_COMP_HUFFMAN_DEFAULT,
			      .level = RTE_COMP_LEVEL_PMD_DEFAULT,
			      .window_size = 15 },
	};

	comp_dev_init(b, devargs);
	b->name = "deflate 64 KiB";
	b->in = rte_malloc(NULL, DEFL_LEN, 64);
	accel_input_fill(b->in, DEFL_LEN);
	jobs_init(b, FPGA_FN_DEFLATE, DEFL_LEN, DEFL_ROOM);
	if (rte_compressdev_private_xform_create(b->dev, &x, &b->sess) < 0)
		exit(2);
	for (unsigned int i = 0; i < BURST; i++) {
		b->src[i] = chain(b->mb_pool, b->in, DEFL_LEN);
		b->dst[i] = chain(b->mb_pool, NULL, DEFL_ROOM);
	}
	comp_pipe_init(b, DEFL_LEN);
}

/* Inflate of stream (len bytes) into exactly DEFL_LEN, as hostlane gives
 * the device exactly the room its check found. */
static void
inflate_init(struct bench *b, const char *devargs, const uint8_t *stream,
	     uint32_t len)
{
	struct rte_comp_xform x = {
		.type = RTE_COMP_DECOMPRESS,
		.decompress = { .algo = RTE_COMP_ALGO_DEFLATE, .window_size = 15 },
	};

	comp_dev_init(b, devargs);
	b->name = "inflate to 64 KiB";
	b->produced = DEFL_LEN;
	if (rte_compressdev_private_xform_create(b->dev, &x, &b->sess) < 0)
		exit(2);
	for (unsigned int i = 0; i < BURST; i++) {
		b->src[i] = chain(b->mb_pool, stream, len);
		b->dst[i] = chain(b->mb_pool, NULL, DEFL_LEN);
	}
	comp_pipe_init(b, len);
}

/* ---- measuring ---- */

/* Jobs per second of one way for ms milliseconds. */
static double
rate(struct bench *b, unsigned int (*way)(struct bench *), unsigned int ms)
{
	uint64_t hz = rte_get_timer_hz(), t0 = rte_get_timer_cycles(), t;
	uint64_t end = t0 + hz * ms / 1000, n = 0;

	do {
		n += way(b);
		t = rte_get_timer_cycles();
	} while (t < end);
	return (double)n * (double)hz / (double)(t - t0);
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* One pair: the three ways, in turn A S B or B S A; rates in r[A, S, B]. */
static void
run_pair(struct bench *b, unsigned int p, unsigned int ms, double r[3])
{
	unsigned int (*way[3])(struct bench *) = { run_backend, run_staged,
						   b->d };

	for (unsigned int k = 0; k < 3; k++) {
		unsigned int w = p % 2 ? 2 - k : k;

		r[w] = rate(b, way[w], ms);
	}
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	return v[n / 2];
}

/* Buffers each backend context attached and staged: the path it took. */
static void
paths(const struct bench *b)
{
	const struct fpga_pmd_ctx *a = fpga_pmd_ctx(b->ctx);
	const struct fpga_pmd_ctx *s = fpga_pmd_ctx(b->ctx_st);

	printf("buffers attached/staged: zero-copy context %" PRIu64 "/%"
	       PRIu64 ", staged context %" PRIu64 "/%" PRIu64 "\n",
	       a->attached, a->staged, s->attached, s->staged);
}

static void
measure(struct bench *b, unsigned int pairs, unsigned int ms, uint32_t bytes)
{
	double r[3] = { 0 }, za[PAIRS_MAX], sa[PAIRS_MAX], zm, sm;

	rate(b, run_backend, ms / 4);	/* warm up all three */
	rate(b, run_staged, ms / 4);
	rate(b, b->d, ms / 4);
	printf("\n%s, bursts of %u\n\n", b->name, BURST);
	printf("| pair | order | zero-copy A (ops/s) | staged S (ops/s) | direct B (ops/s) | A µs/op | S µs/op | B µs/op | A/B | S/B |\n");
	printf("|------|-------|-----|-----|-----|-----|-----|-----|-----|-----|\n");
	for (unsigned int p = 0; p < pairs; p++) {
		run_pair(b, p, ms, r);
		za[p] = r[0] / r[2];
		sa[p] = r[1] / r[2];
		printf("| %u | %s | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | "
		       "%.3f | %.3f |\n", p + 1, p % 2 ? "B S A" : "A S B",
		       r[0], r[1], r[2], 1e6 / r[0], 1e6 / r[1], 1e6 / r[2],
		       za[p], sa[p]);
	}
	zm = median(za, pairs);
	sm = median(sa, pairs);
	printf("\nmedian ratio zero-copy/direct: %.3f (%s); staged/direct: "
	       "%.3f; zero-copy %.2f Gbit/s in the last run\n", zm,
	       zm >= 0.9 ? "meets >= 0.9" : "below 0.9", sm,
	       r[0] * bytes * 8 / 1e9);
	paths(b);
}

/* A file's bytes (at most cap) into buf; their count, or 0. */
static uint32_t
file_read(const char *path, uint8_t *buf, uint32_t cap)
{
	FILE *f = path != NULL ? fopen(path, "rb") : NULL;
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, cap, f);
		fclose(f);
	}
	return (uint32_t)n;
}

/* --make-stream: the PMD's DEFLATE stream of the 64 KiB input, for the
 * inflate rows of both sides. */
static int
make_stream(const char *path, const char *zdev)
{
	static struct bench b;
	static uint8_t buf[STREAM_MAX];
	struct rte_comp_op *op = NULL;
	const void *p;
	FILE *f;

	comp_init(&b, zdev);
	op = b.pipe[0];
	while (rte_compressdev_enqueue_burst(b.dev, DIRECT_QP, &op, 1) == 0)
		;
	while (rte_compressdev_dequeue_burst(b.dev, DIRECT_QP, &op, 1) == 0)
		;
	if (op->status != RTE_COMP_OP_STATUS_SUCCESS || op->produced > sizeof(buf))
		return 3;
	/* The bytes in place if they are in one segment, else copied to buf. */
	p = rte_pktmbuf_read(op->m_dst, 0, op->produced, buf);
	f = fopen(path, "wb");
	if (p == NULL || f == NULL || fwrite(p, 1, op->produced, f) != op->produced ||
	    fclose(f) != 0) {
		fprintf(stderr, "accel: cannot write %s\n", path);
		return 1;
	}
	printf("stream %u bytes of DEFLATE for %u bytes\n", op->produced, DEFL_LEN);
	fpga_exit(b.ctx);
	fpga_exit(b.ctx_st);
	fpga_compressdev_unregister();
	rte_eal_cleanup();
	return 0;
}

/* This process's CPU time. */
static double
cpu_ms(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* --direct: B alone, pipelined, one figure for bench/accel.sh. */
static int
direct_only(const char *fn, unsigned int bytes, unsigned int ms,
	    const char *cdev, const char *zdev, const char *stream_path)
{
	static struct bench b;
	static uint8_t stream[STREAM_MAX];
	bool sha = strcmp(fn, "sha256") == 0, infl = strcmp(fn, "inflate") == 0;
	uint32_t slen = infl ? file_read(stream_path, stream, sizeof(stream)) : 0;
	double rate;

	if ((!sha && !infl && strcmp(fn, "deflate") != 0) || ms == 0 ||
	    bytes != (sha ? SHA_LEN : DEFL_LEN) || (infl && slen == 0)) {
		fprintf(stderr, "usage: accel --direct sha256 %u | deflate %u | inflate %u"
			" MS [--stream FILE]\n", SHA_LEN, DEFL_LEN, DEFL_LEN);
		return 2;
	}
	if (sha)
		crypto_init(&b, cdev);
	else if (infl)
		inflate_init(&b, zdev, stream, slen);
	else
		comp_init(&b, zdev);
	(void)pipe_rate(&b, ms / 10 + 1);
	rate = pipe_rate(&b, ms);
	printf("direct %s %u calls_per_s=%.0f in_flight=%u cpu_ms=%.0f\n", fn, bytes,
	       rate, BURST, cpu_ms());
	fpga_exit(b.ctx);
	fpga_exit(b.ctx_st);
	if (sha)
		fpga_cryptodev_unregister();
	else
		fpga_compressdev_unregister();
	rte_eal_cleanup();
	return 0;
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "512", "--no-pci",
			"--no-shconf", "--no-telemetry", "--log-level=*:error",
			"-l", "0", NULL };
	const char *cdev = "crypto_aesni_mb", *zdev = "compress_isal";
	unsigned int pairs = 5, ms = 300, pos = 0;
	static struct bench cb, zb;

	const char *direct = NULL, *stream = NULL, *make = NULL;
	unsigned int direct_bytes = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--direct") == 0 && i + 3 < argc) {
			direct = argv[++i];
			direct_bytes = (unsigned int)atoi(argv[++i]);
			ms = (unsigned int)atoi(argv[++i]);
		} else if (strcmp(argv[i], "--stream") == 0 && i + 1 < argc)
			stream = argv[++i];
		else if (strcmp(argv[i], "--make-stream") == 0 && i + 1 < argc)
			make = argv[++i];
		else if (strcmp(argv[i], "--pairs") == 0 && i + 1 < argc)
			pairs = (unsigned int)atoi(argv[++i]);
		else if (strcmp(argv[i], "--ms") == 0 && i + 1 < argc)
			ms = (unsigned int)atoi(argv[++i]);
		else if (pos++ == 0)
			cdev = argv[i];
		else
			zdev = argv[i];
	}
	if (pairs == 0 || pairs > PAIRS_MAX || ms == 0) {
		fprintf(stderr, "usage: accel [--pairs 1..%d] [--ms MS] "
			"[crypto-devargs [compress-devargs]]\n", PAIRS_MAX);
		return 2;
	}
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 77;
	}
	if (make != NULL)
		return make_stream(make, zdev);
	if (direct != NULL)
		return direct_only(direct, direct_bytes, ms, cdev, zdev, stream);
	printf("# bench/accel: %s, %s; %u pairs of %u ms, one lcore\n",
	       cdev, zdev, pairs, ms);
	crypto_init(&cb, cdev);
	measure(&cb, pairs, ms, SHA_LEN);
	comp_init(&zb, zdev);
	measure(&zb, pairs, ms, DEFL_LEN);
	fpga_exit(cb.ctx);
	fpga_exit(cb.ctx_st);
	fpga_exit(zb.ctx);
	fpga_exit(zb.ctx_st);
	fpga_cryptodev_unregister();
	fpga_compressdev_unregister();
	rte_eal_cleanup();
	return 0;
}
