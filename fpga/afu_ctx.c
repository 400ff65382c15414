/* SPDX-License-Identifier: BSD-3-Clause */
/* The "afu" context: the unit's job ring, driven through BAR0 registers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "afu_impl.h"
#include "afu_regs.h"

#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define FPGA_AFU_CHECK_NS 100000u	/* STATUS read interval when stalled */

/*
 * Slots name jobs on the unit: a descriptor's tag is its slot, whose
 * staging buffer holds the payload. Slots free in completion order, so
 * they come from a stack. Jobs that never reach the unit (invalid, unit
 * failed) and jobs failed by the driver wait in the local ring.
 */
struct fpga_afu_ctx {
	struct fpga_ctx base;		/* first: see backend.h */
	struct fpga_afu_unit *unit;
	struct fpga_ll *ll;
	uint64_t max_reps;
	uint32_t depth;			/* jobs accepted and not polled */
	uint32_t size;			/* ring entries, a power of 2 */
	uint32_t outstanding;
	uint32_t nb_hw;			/* jobs on the unit */
	uint32_t sq_tail;		/* descriptors written */
	uint32_t cq_head;		/* completions consumed */
	uint32_t phase;			/* of the next completion */
	uint32_t nb_free;
	uint32_t loc_head, loc_tail;	/* local completions */
	uint32_t gen;			/* gate generation programmed for */
	uint32_t nb_held;		/* jobs held while the gate is closed */
	uint64_t last_progress_ns;
	uint64_t last_check_ns;
	struct fpga_afu_desc *sq;
	struct fpga_afu_cpl *cq;
	uint8_t *stage;
	uint64_t stage_iova;
	uint64_t *slot_tag;
	uint8_t *slot_busy;
	uint32_t *free_slots;
	struct fpga_completion *local;
	struct fpga_afu_desc *held;	/* descriptors to post at reopening */
	struct fpga_dma ring_dma;
	struct fpga_dma stage_dma;
};

static struct fpga_afu_ctx *
fpga_afu_ctx(struct fpga_ctx *ctx)
{
	return (struct fpga_afu_ctx *)ctx;
}

static uint32_t
fpga_afu_log2(uint32_t depth)
{
	uint32_t l = 0;

	while ((1u << l) < depth)
		l++;
	return l;
}

static void
fpga_afu_ctx_free(struct fpga_afu_ctx *c)
{
	fpga_ll_dma_free(c->ll, &c->ring_dma);
	fpga_ll_dma_free(c->ll, &c->stage_dma);
	free(c->slot_tag);
	free(c->slot_busy);
	free(c->free_slots);
	free(c->local);
	free(c->held);
	free(c);
}

static int
fpga_afu_ctx_alloc(struct fpga_afu_ctx *c, int socket_id)
{
	size_t ring = (size_t)c->size * (sizeof(*c->sq) + sizeof(*c->cq));
	uint32_t i;
	int rc;

	c->slot_tag = calloc(c->size, sizeof(*c->slot_tag));
	c->slot_busy = calloc(c->size, sizeof(*c->slot_busy));
	c->free_slots = calloc(c->size, sizeof(*c->free_slots));
	c->local = calloc(c->size, sizeof(*c->local));
	c->held = calloc(c->size, sizeof(*c->held));
	if (c->slot_tag == NULL || c->slot_busy == NULL ||
	    c->free_slots == NULL || c->local == NULL || c->held == NULL)
		return -ENOMEM;
	rc = fpga_ll_dma_alloc(c->ll, ring, socket_id, &c->ring_dma);
	if (rc == 0)
		rc = fpga_ll_dma_alloc(c->ll, (size_t)c->size *
				       c->unit->max_in_len, socket_id,
				       &c->stage_dma);
	if (rc != 0)
		return rc;
	c->sq = c->ring_dma.va;
	c->cq = (struct fpga_afu_cpl *)(c->sq + c->size);
	c->stage = c->stage_dma.va;
	c->stage_iova = c->stage_dma.iova;
	for (i = 0; i < c->size; i++)
		c->free_slots[i] = c->size - 1 - i;
	c->nb_free = c->size;
	return 0;
}

/* Reset the unit and point it at this context's rings. */
static void
fpga_afu_ctx_program(struct fpga_afu_ctx *c)
{
	struct fpga_ll *ll = c->ll;
	uint64_t sq = c->ring_dma.iova;

	fpga_ll_write32(ll, FPGA_AFU_REG_CTRL, FPGA_AFU_CTRL_RESET);
	fpga_ll_write32(ll, FPGA_AFU_REG_IRQ_MASK, FPGA_AFU_IRQ_ALL);
	fpga_ll_write32(ll, FPGA_AFU_REG_RING_LOG2, fpga_afu_log2(c->size));
	fpga_ll_write64(ll, FPGA_AFU_REG_SQ_BASE_LO, sq);
	fpga_ll_write64(ll, FPGA_AFU_REG_CQ_BASE_LO,
			sq + (uint64_t)c->size * sizeof(*c->sq));
	fpga_ll_write32(ll, FPGA_AFU_REG_CTRL, FPGA_AFU_CTRL_RING_EN);
	c->phase = 1;
	c->last_progress_ns = fpga_ll_clock_ns(ll);
	c->last_check_ns = c->last_progress_ns;
}

struct fpga_ctx *
fpga_afu_ctx_init(const struct fpga_ctx_conf *conf)
{
	struct fpga_afu_unit *u = fpga_afu_unit_get();
	struct fpga_afu_ctx *c;
	int rc;

	if (u == NULL || !fpga_afu_unit_ok(u) || u->has_ctx) {
		errno = u == NULL || !fpga_afu_unit_ok(u) ? ENODEV : EBUSY;
		return NULL;
	}
	if (conf->depth > FPGA_AFU_DEPTH_MAX) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->unit = u;
	c->ll = u->ll;
	c->max_reps = conf->max_reps;
	c->depth = conf->depth;
	c->size = 1u << fpga_afu_log2(conf->depth);
	rc = fpga_afu_ctx_alloc(c, conf->socket_id);
	if (rc != 0) {
		fpga_afu_ctx_free(c);
		errno = -rc;
		return NULL;
	}
	fpga_afu_ctx_program(c);
	c->gen = FPGA_AFU_GATE_GEN(__atomic_load_n(&u->gate, __ATOMIC_ACQUIRE));
	u->has_ctx = true;
	return &c->base;
}

void
fpga_afu_ctx_exit(struct fpga_ctx *ctx)
{
	struct fpga_afu_ctx *c = fpga_afu_ctx(ctx);

	/* Stop the unit before its rings and buffers go away. */
	fpga_ll_write32(c->ll, FPGA_AFU_REG_CTRL, FPGA_AFU_CTRL_RESET);
	c->unit->has_ctx = false;
	fpga_afu_ctx_free(c);
}

static void
fpga_afu_local_push(struct fpga_afu_ctx *c, uint64_t tag, int status)
{
	c->local[c->loc_head++ & (c->size - 1)] = (struct fpga_completion){
		.tag = tag, .status = status,
	};
}

/* The driver-side checks; 0 if the job may go to the unit. With the gate
 * closed the image is changing: whether it offers fn is decided at
 * reopening (fpga_afu_resume). */
static int
fpga_afu_check(const struct fpga_afu_ctx *c, const struct fpga_job *job,
	       bool closed)
{
	int st = fpga_job_validate(job, c->max_reps);

	if (st != 0)
		return st;
	if (!closed && (fpga_afu_unit_fns(c->unit) & (1u << job->fn)) == 0)
		return -ENOTSUP;
	if (job->in_len > c->unit->max_in_len)
		return -EMSGSIZE;
	return fpga_afu_unit_ok(c->unit) ? 0 : -EIO;
}

/* Stage a job in a free slot; d receives its descriptor. */
static void
fpga_afu_stage(struct fpga_afu_ctx *c, const struct fpga_job *job,
	       struct fpga_afu_desc *d)
{
	uint32_t slot = c->free_slots[--c->nb_free];
	uint64_t off = (uint64_t)slot * c->unit->max_in_len;

	if (job->in_len != 0)
		memcpy(c->stage + off, job->in, job->in_len);
	*d = (struct fpga_afu_desc){
		.fn = job->fn, .tag = slot, .arg0 = job->arg0,
		.arg1 = job->arg1, .in_addr = c->stage_iova + off,
		.in_len = job->in_len,
	};
	c->slot_tag[slot] = job->tag;
	c->slot_busy[slot] = 1;
}

/* Write a staged descriptor to the ring (the doorbell comes later). */
static void
fpga_afu_post_desc(struct fpga_afu_ctx *c, const struct fpga_afu_desc *d)
{
	c->sq[c->sq_tail++ & (c->size - 1)] = *d;
	if (c->nb_hw++ == 0)
		c->last_progress_ns = fpga_ll_clock_ns(c->ll);
}

static void
fpga_afu_post(struct fpga_afu_ctx *c, const struct fpga_job *job)
{
	struct fpga_afu_desc d;

	fpga_afu_stage(c, job, &d);
	fpga_afu_post_desc(c, &d);
}

static void
fpga_afu_slot_free(struct fpga_afu_ctx *c, uint32_t slot)
{
	c->slot_busy[slot] = 0;
	c->free_slots[c->nb_free++] = slot;
}

/* Enter the gate (afu_impl.h): from here the device may be touched only
 * if the returned gate is open. */
static uint32_t
fpga_afu_gate_enter(struct fpga_afu_unit *u)
{
	__atomic_store_n(&u->posting, 1, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&u->gate, __ATOMIC_SEQ_CST);
}

/* Leave it: publish the jobs on the unit, after the last device access. */
static void
fpga_afu_gate_leave(struct fpga_afu_ctx *c)
{
	__atomic_store_n(&c->unit->hw_jobs, c->nb_hw, __ATOMIC_RELEASE);
	__atomic_store_n(&c->unit->posting, 0, __ATOMIC_RELEASE);
}

/* A new image is in: the unit came up from reset, so point it at our
 * rings again, from entry 0 and with no stale completion left. */
static void
fpga_afu_reprogram(struct fpga_afu_ctx *c, uint32_t gen)
{
	memset(c->cq, 0, (size_t)c->size * sizeof(*c->cq));
	c->sq_tail = 0;
	c->cq_head = 0;
	fpga_afu_ctx_program(c);
	c->gen = gen;
}

/* The gate reopened: catch up with a new image, post the held jobs. */
static void
fpga_afu_resume(struct fpga_afu_ctx *c, uint32_t gate)
{
	uint32_t i, fns = fpga_afu_unit_fns(c->unit), posted = 0;
	bool ok = fpga_afu_unit_ok(c->unit);

	if (ok && FPGA_AFU_GATE_GEN(gate) != c->gen)
		fpga_afu_reprogram(c, FPGA_AFU_GATE_GEN(gate));
	for (i = 0; i < c->nb_held; i++) {
		const struct fpga_afu_desc *d = &c->held[i];

		if (!ok || (fns & (1u << d->fn)) == 0) {
			fpga_afu_local_push(c, c->slot_tag[d->tag],
					    ok ? -ENOTSUP : -EIO);
			fpga_afu_slot_free(c, d->tag);
			continue;
		}
		fpga_afu_post_desc(c, d);
		posted++;
	}
	c->nb_held = 0;
	if (posted != 0)
		fpga_ll_write32(c->ll, FPGA_AFU_REG_DOORBELL, c->sq_tail);
}

static bool
fpga_afu_must_resume(const struct fpga_afu_ctx *c, uint32_t gate)
{
	return !(gate & FPGA_AFU_GATE_CLOSED) &&
	       (c->nb_held != 0 || FPGA_AFU_GATE_GEN(gate) != c->gen);
}

unsigned int
fpga_afu_ctx_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs,
		    unsigned int n)
{
	struct fpga_afu_ctx *c = fpga_afu_ctx(ctx);
	unsigned int i, room = c->depth - c->outstanding, posted = 0;
	uint32_t gate = fpga_afu_gate_enter(c->unit);
	bool closed = (gate & FPGA_AFU_GATE_CLOSED) != 0;
	int st;

	if (unlikely(fpga_afu_must_resume(c, gate)))
		fpga_afu_resume(c, gate);
	if (n > room)
		n = room;
	for (i = 0; i < n; i++) {
		st = fpga_afu_check(c, &jobs[i], closed);
		if (st != 0) {
			fpga_afu_local_push(c, jobs[i].tag, st);
		} else if (unlikely(closed)) {
			fpga_afu_stage(c, &jobs[i], &c->held[c->nb_held++]);
		} else {
			fpga_afu_post(c, &jobs[i]);
			posted++;
		}
	}
	c->outstanding += n;
	/* The ll's register write orders the descriptor stores before it. */
	if (posted != 0)
		fpga_ll_write32(c->ll, FPGA_AFU_REG_DOORBELL, c->sq_tail);
	fpga_afu_gate_leave(c);
	return n;
}

static unsigned int
fpga_afu_drain_local(struct fpga_afu_ctx *c, struct fpga_completion *done,
		     unsigned int max)
{
	unsigned int i, n = c->loc_head - c->loc_tail;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		done[i] = c->local[c->loc_tail++ & (c->size - 1)];
	return n;
}

static bool
fpga_afu_is_held(const struct fpga_afu_ctx *c, uint32_t slot)
{
	for (uint32_t i = 0; i < c->nb_held; i++)
		if (c->held[i].tag == slot)
			return true;
	return false;
}

/* Fail every job on the unit with status and stop the unit. Held jobs
 * are not on it: they fail when the gate reopens. */
static void
fpga_afu_fail_all(struct fpga_afu_ctx *c, int status, uint32_t err)
{
	uint32_t slot;

	fpga_ll_write32(c->ll, FPGA_AFU_REG_CTRL, FPGA_AFU_CTRL_RESET);
	for (slot = 0; slot < c->size; slot++) {
		if (!c->slot_busy[slot] || fpga_afu_is_held(c, slot))
			continue;
		fpga_afu_local_push(c, c->slot_tag[slot], status);
		fpga_afu_slot_free(c, slot);
	}
	c->nb_hw = 0;
	fpga_afu_unit_fail(c->unit, status, err);
}

static int
fpga_afu_status_errno(uint32_t st)
{
	switch (st) {
	case FPGA_AFU_JOB_OK:
		return 0;
	case FPGA_AFU_JOB_BAD_FN:
		return -ENOTSUP;
	case FPGA_AFU_JOB_BAD_ARG:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* Take one completion off the ring; false if none is there. */
static bool
fpga_afu_take(struct fpga_afu_ctx *c, struct fpga_completion *out)
{
	const struct fpga_afu_cpl *e = &c->cq[c->cq_head & (c->size - 1)];
	uint64_t info = __atomic_load_n(&e->info, __ATOMIC_ACQUIRE);
	uint32_t slot = FPGA_AFU_CPL_TAG(info);

	if (FPGA_AFU_CPL_PHASE(info) != c->phase)
		return false;
	if (slot >= c->size || !c->slot_busy[slot]) {
		fpga_afu_fail_all(c, -EIO, FPGA_AFU_ERR_NONE);
		return false;
	}
	out->tag = c->slot_tag[slot];
	out->status = fpga_afu_status_errno(FPGA_AFU_CPL_STATUS(info));
	out->result = out->status == 0 ? e->result : 0;
	out->out_len = 0;
	fpga_afu_slot_free(c, slot);
	c->nb_hw--;
	if ((++c->cq_head & (c->size - 1)) == 0)
		c->phase ^= 1;
	return true;
}

/* No completion came: is the unit in error, or silent for too long? */
static void
fpga_afu_check_health(struct fpga_afu_ctx *c)
{
	uint64_t now = fpga_ll_clock_ns(c->ll);
	uint32_t st;

	if (now - c->last_check_ns < FPGA_AFU_CHECK_NS)
		return;
	c->last_check_ns = now;
	st = fpga_ll_read32(c->ll, FPGA_AFU_REG_STATUS);
	if (FPGA_AFU_STATUS_STATE(st) == FPGA_AFU_STATE_ERROR)
		fpga_afu_fail_all(c, -EIO, FPGA_AFU_STATUS_ERR(st));
	else if (now - c->last_progress_ns > c->unit->timeout_ns)
		fpga_afu_fail_all(c, -ETIMEDOUT, FPGA_AFU_ERR_NONE);
}

/* Jobs wait for the gate: post them once it is open again. */
static void
fpga_afu_poll_held(struct fpga_afu_ctx *c)
{
	uint32_t gate = fpga_afu_gate_enter(c->unit);

	if (fpga_afu_must_resume(c, gate))
		fpga_afu_resume(c, gate);
	fpga_afu_gate_leave(c);
}

unsigned int
fpga_afu_ctx_poll(struct fpga_ctx *ctx, struct fpga_completion *done,
		  unsigned int max)
{
	struct fpga_afu_ctx *c = fpga_afu_ctx(ctx);
	unsigned int n, k;

	if (unlikely(c->nb_held != 0))
		fpga_afu_poll_held(c);
	n = fpga_afu_drain_local(c, done, max);
	k = n;
	if (c->nb_hw != 0 && n < max) {
		fpga_ll_advance(c->ll);
		while (k < max && c->nb_hw != 0 && fpga_afu_take(c, &done[k]))
			k++;
		if (k != n)
			c->last_progress_ns = fpga_ll_clock_ns(c->ll);
		else if (c->nb_hw != 0)
			fpga_afu_check_health(c);
		k += fpga_afu_drain_local(c, done + k, max - k);
		/* Release after the last device access (afu_impl.h). */
		__atomic_store_n(&c->unit->hw_jobs, c->nb_hw, __ATOMIC_RELEASE);
	}
	c->outstanding -= k;
	return k;
}
