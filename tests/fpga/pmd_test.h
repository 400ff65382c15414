/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the cryptodev/compressdev tests: EAL start, running a batch of
 * jobs to completion with every completion seen exactly once, guarded
 * buffers, a concurrent scribbler, and the common main (registration
 * rules, set-up rules, each suite on the zero-copy and the staged path). */
#ifndef HOSTLANE_TESTS_FPGA_PMD_TEST_H
#define HOSTLANE_TESTS_FPGA_PMD_TEST_H

/* Users define _GNU_SOURCE first (pthread_setaffinity_np, CPU_SET). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "accel.h"
#include "fpga_check.h"
#include "machine.h"
#include "pmd.h"

/* No hugepages (CI), no shared config: any number of these run at once. */
static inline int
pmd_test_eal(const char *prog)
{
	char *argv[] = {
		(char *)prog, "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", "--no-telemetry", "--log-level=*:error",
		"-l", "0", NULL,
	};

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

static inline uint64_t
pmd_test_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static inline void
pmd_test_fill(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t s = seed | 1;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)pmd_test_rand(&s);
}

/*
 * Run n jobs (tags 0..n-1 in any order in jobs[]) through ctx: submit what
 * is accepted, poll, repeat. done[tag] receives each completion; a tag seen
 * twice, out of range, or never, fails a check.
 */
static inline void
pmd_test_run(struct fpga_ctx *ctx, const struct fpga_job *jobs, unsigned int n,
	     struct fpga_completion *done)
{
	unsigned char *seen = calloc(n ? n : 1, 1);
	struct fpga_completion c[64];
	unsigned int sub = 0, got = 0, k, i, idle = 0;

	while (got < n && idle < 10000000) {
		if (sub < n)
			sub += fpga_submit(ctx, jobs + sub, n - sub);
		k = fpga_poll(ctx, c, 64);
		idle = k == 0 ? idle + 1 : 0;
		for (i = 0; i < k; i++) {
			if (c[i].tag >= n || seen[c[i].tag]) {
				CHECK(!"completion out of range or repeated");
				continue;
			}
			seen[c[i].tag] = 1;
			done[c[i].tag] = c[i];
			got++;
		}
		CHECK_U64(fpga_ctx_inflight(ctx), sub - got);
	}
	CHECK_U64(got, n);
	CHECK_U64(fpga_ctx_inflight(ctx), 0);
	CHECK_U64(fpga_poll(ctx, c, 64), 0);
	free(seen);
}

/* One job, run alone. */
static inline struct fpga_completion
pmd_test_one(struct fpga_ctx *ctx, struct fpga_job job)
{
	struct fpga_completion c = { .status = 1 };

	job.tag = 0;
	pmd_test_run(ctx, &job, 1, &c);
	return c;
}

static inline size_t
pmd_test_unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
	return n;
}

/* ---- Guarded buffers: PMD_GUARD canary bytes either side ---- */

#define PMD_GUARD 64
#define PMD_CANARY 0xa5

/* n usable bytes (filled with fill) between two guards; from rte_malloc
 * (DPDK memory) when dpdk, else malloc. */
static inline uint8_t *
pmd_test_galloc(size_t n, bool dpdk, int fill)
{
	size_t all = n + 2 * PMD_GUARD;
	uint8_t *p = dpdk ? rte_malloc(NULL, all, 64) : malloc(all);

	if (p == NULL)
		abort();
	memset(p, PMD_CANARY, all);
	memset(p + PMD_GUARD, fill, n);
	return p + PMD_GUARD;
}

/* The guards around a buffer of n bytes are intact. */
static inline bool
pmd_test_gok(const uint8_t *p, size_t n)
{
	for (size_t i = 1; i <= PMD_GUARD; i++)
		if (p[-(ptrdiff_t)i] != PMD_CANARY ||
		    p[n + i - 1] != PMD_CANARY)
			return false;
	return true;
}

static inline void
pmd_test_gfree(uint8_t *p, bool dpdk)
{
	if (dpdk)
		rte_free(p - PMD_GUARD);
	else
		free(p - PMD_GUARD);
}

/* ---- Paths ---- */

/* Buffers a context attached and staged so far. */
static inline void
pmd_test_counts(struct fpga_ctx *ctx, uint64_t *attached, uint64_t *staged)
{
	*attached = fpga_pmd_ctx(ctx)->attached;
	*staged = fpga_pmd_ctx(ctx)->staged;
}

/* Check one job's buffers went the expected way: att attached, stg staged. */
static inline void
pmd_test_paths(struct fpga_ctx *ctx, struct fpga_job job, uint64_t att,
	       uint64_t stg)
{
	uint64_t a0, s0, a1, s1;

	pmd_test_counts(ctx, &a0, &s0);
	CHECK_I64(pmd_test_one(ctx, job).status, 0);
	pmd_test_counts(ctx, &a1, &s1);
	CHECK_U64(a1 - a0, att);
	CHECK_U64(s1 - s0, stg);
}

/* fpga_pmd_zc_iova(): which memory each mode attaches, and at what IOVA. */
static inline void
pmd_test_iova(struct fpga_ctx *ctx)
{
	struct fpga_pmd_ctx *c = fpga_pmd_ctx(ctx);
	enum fpga_pmd_zc keep = c->zc;
	size_t big = 3 * 65536 + 5;
	uint8_t *d = rte_malloc(NULL, big, 64), *h = malloc(100);

	c->zc = FPGA_PMD_ZC_OFF;
	CHECK(fpga_pmd_zc_iova(c, d, 10) == RTE_BAD_IOVA);
	c->zc = FPGA_PMD_ZC_ANY;
	CHECK(fpga_pmd_zc_iova(c, h, 100) == (rte_iova_t)(uintptr_t)h);
	CHECK(fpga_pmd_zc_iova(c, d, 0) == RTE_BAD_IOVA);
	CHECK(fpga_pmd_zc_iova(c, NULL, 10) == RTE_BAD_IOVA);
	c->zc = FPGA_PMD_ZC_DMA;
	CHECK(fpga_pmd_zc_iova(c, h, 100) == RTE_BAD_IOVA);
	CHECK(fpga_pmd_zc_iova(c, d, 1) == rte_malloc_virt2iova(d));
	/* Across many memsegs (4 KiB pages without hugepages). */
	CHECK(fpga_pmd_zc_iova(c, d + 5, (uint32_t)big - 5) ==
	      rte_malloc_virt2iova(d) + 5);
	c->zc = keep;
	rte_free(d);
	free(h);
}

/* ---- A scribbler: another thread writing random bytes over [p, p + n)
 * while jobs run on them, as a guest may do to its shared memory. ---- */

struct pmd_scribbler {
	pthread_t tid;
	volatile uint8_t *p;
	size_t n;
	volatile bool stop;
	uint64_t writes;
};

static inline void *
pmd_scribble_main(void *arg)
{
	struct pmd_scribbler *s = arg;
	uint64_t r = 88172645463325252ull;

	while (!s->stop) {
		pmd_test_rand(&r);
		s->p[r % s->n] = (uint8_t)(r >> 56);
		s->writes++;
	}
	return NULL;
}

/* Start scribbling, on any CPU (the EAL pinned this thread to one). */
static inline void
pmd_scribble_start(struct pmd_scribbler *s, uint8_t *p, size_t n)
{
	cpu_set_t all;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	s->p = p;
	s->n = n;
	s->stop = false;
	s->writes = 0;
	CPU_ZERO(&all);
	for (long i = 0; i < cpus && i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	CHECK(pthread_create(&s->tid, NULL, pmd_scribble_main, s) == 0);
	pthread_setaffinity_np(s->tid, sizeof(all), &all);
}

static inline void
pmd_scribble_stop(struct pmd_scribbler *s)
{
	s->stop = true;
	pthread_join(s->tid, NULL);
}

/* Whether st is 0 or one of the errnos of ok (0-terminated). */
static inline bool
pmd_test_status_in(int st, const int *ok)
{
	for (; st != 0 && *ok != 0; ok++)
		if (st == *ok)
			return true;
	return st == 0;
}

/*
 * Run n jobs (tags 0..n-1) while a scribbler writes over every byte of
 * arena (len bytes from pmd_test_galloc(), holding all their buffers):
 * each completes once, with status 0 or one of ok (0-terminated) and
 * out_len <= out_cap, and the guards around arena hold.
 */
static inline void
pmd_test_run_scribbled(struct fpga_ctx *ctx, const struct fpga_job *jobs,
		       unsigned int n, uint8_t *arena, size_t len,
		       const int *ok)
{
	struct fpga_completion *done = calloc(n, sizeof(*done));
	struct pmd_scribbler s;

	pmd_scribble_start(&s, arena, len);
	pmd_test_run(ctx, jobs, n, done);
	pmd_scribble_stop(&s);
	for (unsigned int i = 0; i < n; i++) {
		CHECK(pmd_test_status_in(done[i].status, ok));
		CHECK(done[i].out_len <= jobs[i].out_cap);
	}
	CHECK(pmd_test_gok(arena, len));
	printf("scribble: %" PRIu64 " random writes during %u jobs\n",
	       s.writes, n);
	free(done);
}

/* ---- The shared submit against a device that refuses every op ---- */

static int
pmd_fake_prepare(struct fpga_pmd_ctx *c, const struct fpga_job *job,
		 void **op, uint32_t *out_len)
{
	RTE_SET_USED(c);
	RTE_SET_USED(out_len);
	*op = (void *)(uintptr_t)job;
	return 0;
}

static uint16_t
pmd_fake_enqueue(struct fpga_pmd_ctx *c, void **ops, uint16_t n)
{
	RTE_SET_USED(c);
	RTE_SET_USED(ops);
	RTE_SET_USED(n);
	return 0;
}

static void
pmd_fake_release(struct fpga_pmd_ctx *c, void *op)
{
	RTE_SET_USED(c);
	RTE_SET_USED(op);
}

/* Each refused job completes -EIO, in order; none is refused for ever. */
static inline void
pmd_test_refused(void)
{
	static const struct fpga_pmd_class cls = {
		.prepare = pmd_fake_prepare, .enqueue = pmd_fake_enqueue,
		.release = pmd_fake_release,
	};
	struct fpga_completion ring[8], done[8];
	struct fpga_pmd_ctx c = { .cls = &cls, .depth = 8 };
	struct fpga_job jobs[3] = { { .tag = 7 }, { .tag = 8 }, { .tag = 9 } };
	unsigned int n = 0, k = 0;

	c.cq.ring = ring;
	c.cq.mask = 7;
	while (n < 3 && k++ < 10)
		n += fpga_pmd_submit(&c.base, jobs + n, 3 - n);
	CHECK_U64(n, 3);
	CHECK_U64(fpga_pmd_poll(&c.base, done, 8), 3);
	for (unsigned int i = 0; i < 3; i++)
		CHECK(done[i].tag == 7 + i && done[i].status == -EIO);
}

/* ---- The common main ---- */

/* What the shared main needs of one backend's test. */
struct pmd_test_class {
	const char *backend;		/* registry name */
	const char *devargs;		/* default PMD */
	const char *nosuch;		/* devargs of no PMD at all */
	enum fpga_fn_id fn[2];		/* the functions it offers */
	enum fpga_fn_id other;		/* one it does not */
	int (*reg)(const char *devargs);
	int (*unreg)(void);
	int (*stage)(struct fpga_ctx *ctx, bool stage);
	/* run on a fresh context, once zero-copy and once staged */
	void (*suite)(struct fpga_ctx *ctx, bool staged);
	/* after the device is unregistered: own registrations */
	void (*extra)(const struct pmd_test_class *t, const char *devargs);
};

static inline struct fpga_ctx *
pmd_test_ctx(const struct pmd_test_class *t, unsigned int depth)
{
	struct fpga_ctx_conf conf = { .depth = depth, .socket_id = -1 };

	return fpga_init(fpga_backend_find(t->backend), &conf);
}

/* A context on the zero-copy or the staged path; NULL fails a check. */
static inline struct fpga_ctx *
pmd_test_ctx_path(const struct pmd_test_class *t, unsigned int depth,
		  bool staged)
{
	struct fpga_ctx *ctx = pmd_test_ctx(t, depth);

	CHECK(ctx != NULL);
	if (ctx != NULL)
		CHECK_I64(t->stage(ctx, staged), 0);
	return ctx;
}

/* A software PMD in IOVA-as-VA mode takes any memory in place: a
 * context attached something on the zero-copy path, nothing staged. */
static inline void
pmd_test_check_path(struct fpga_ctx *ctx, bool staged)
{
	uint64_t att, stg;

	pmd_test_counts(ctx, &att, &stg);
	printf("%s path: %" PRIu64 " buffers attached, %" PRIu64 " staged\n",
	       staged ? "staged" : "zero-copy", att, stg);
	CHECK(staged ? att == 0 : att > 0);
}

/* Registry, placement, one queue pair per context, unregister rules. */
static inline void
pmd_test_setup(const struct pmd_test_class *t)
{
	const struct fpga_backend_ops *be = fpga_backend_find(t->backend);
	struct fpga_ctx_conf sw_conf = { .depth = 4, .socket_id = -1 };
	struct fpga_ctx *a, *b, *sw;
	struct fpga_fn_caps caps;
	enum fpga_place place;

	CHECK(be != NULL);
	CHECK_I64(fpga_fn_caps(be, t->fn[0], &caps), 0);
	CHECK_U64(caps.place, FPGA_PLACE_SW);	/* a software PMD */
	CHECK_I64(fpga_fn_caps(be, t->fn[1], &caps), 0);
	CHECK_I64(fpga_fn_caps(be, t->other, &caps), -ENOTSUP);
	CHECK_I64(fpga_fn_caps(fpga_backend_find("sw"), t->fn[0], &caps),
		  -ENOTSUP);
	CHECK(fpga_backend_place(t->fn[1], true, &place) == be);
	CHECK_U64(place, FPGA_PLACE_SW);

	/* -l 0: one lcore, one queue pair. */
	a = pmd_test_ctx(t, 64);
	CHECK(a != NULL);
	errno = 0;
	b = pmd_test_ctx(t, 64);
	CHECK(b == NULL && errno == EBUSY);
	CHECK_I64(t->stage(NULL, true), -EINVAL);
	CHECK_I64(t->stage(a, true), 0);
	sw = fpga_init(fpga_backend_find("sw"), &sw_conf);
	CHECK(sw != NULL);
	CHECK_I64(t->stage(sw, true), -EINVAL);	/* not this backend's */
	fpga_exit(sw);
	CHECK_I64(t->unreg(), -EBUSY);
	fpga_exit(a);
	CHECK_I64(t->unreg(), 0);
	CHECK_I64(fpga_fn_caps(be, t->fn[0], &caps), -ENOTSUP);
	errno = 0;
	CHECK(pmd_test_ctx(t, 64) == NULL && errno == ENODEV);
}

/* The suite on a new context, zero-copy or staged; checks the path. */
static inline void
pmd_test_path(const struct pmd_test_class *t, bool staged)
{
	struct fpga_ctx *ctx = pmd_test_ctx_path(t, 256, staged);

	if (ctx == NULL)
		return;
	t->suite(ctx, staged);
	pmd_test_check_path(ctx, staged);
	pmd_test_iova(ctx);
	fpga_exit(ctx);
}

/*
 * argv[1]: the PMD's devargs, argv[2]: its driver plugin (librte_ARGV2.so);
 * the test skips if that plugin is not installed, and fails on anything
 * else, an EAL or a PMD that does not start included.
 */
static inline int
pmd_test_main(const struct pmd_test_class *t, int argc, char **argv,
	      const char *name)
{
	const char *devargs = argc > 1 ? argv[1] : t->devargs;
	int rc;

	if (argc > 2 && !tm_pmd_installed(argv[2]))
		return tm_skip_no_pmd(argv[2]);
	if (pmd_test_eal(argv[0]) < 0) {
		printf("FAIL: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	pmd_test_refused();
	CHECK_I64(t->reg(NULL), -EINVAL);
	CHECK_I64(t->reg(""), -EINVAL);
	CHECK_I64(t->reg(t->nosuch), -ENODEV);
	rc = t->reg(devargs);
	CHECK_I64(rc, 0);
	if (rc == 0) {
		CHECK_I64(t->reg(devargs), -EEXIST);
		pmd_test_setup(t);
		/* Again: the device exists now, found by name, set up anew. */
		CHECK_I64(t->reg(devargs), 0);
		pmd_test_path(t, false);
		pmd_test_path(t, true);
		CHECK_I64(t->unreg(), 0);
		t->extra(t, devargs);
	}
	rte_eal_cleanup();
	return check_exit(name);
}

#endif /* HOSTLANE_TESTS_FPGA_PMD_TEST_H */
