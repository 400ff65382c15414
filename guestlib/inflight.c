/* SPDX-License-Identifier: BSD-3-Clause */
/* The in-flight request table: id allocation, reply matching, completions. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "hl_inflight.h"

void
hl_inflight_init(struct hl_inflight *t)
{
	memset(t, 0, sizeof(*t));
	/* Pop order 0, 1, 2, ...: the stack holds the highest index first. */
	for (uint32_t i = 0; i < HL_MAX_INFLIGHT; i++)
		t->free_idx[i] = (uint16_t)(HL_MAX_INFLIGHT - 1 - i);
	t->nfree = HL_MAX_INFLIGHT;
	t->cap = HL_MAX_INFLIGHT;
}

uint32_t
hl_inflight_count(const struct hl_inflight *t)
{
	return HL_MAX_INFLIGHT - t->nfree;
}

/* A batch of random id bits. GRND_NONBLOCK: only a kernel whose generator
 * is not seeded yet (early boot) says EAGAIN, and a call should fail then
 * rather than wait without a deadline. */
static int
id_refill(struct hl_inflight *t)
{
	ssize_t n;

	do {
		n = getrandom(t->rnd, sizeof(t->rnd), GRND_NONBLOCK);
	} while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof(t->rnd[0]))
		return HL_E_IO;
	t->nrnd = (uint32_t)((size_t)n / sizeof(t->rnd[0]));
	return HL_OK;
}

/* The random part of the next id: 56 bits, never 0. */
static int
id_random(struct hl_inflight *t, uint64_t *r)
{
	for (;;) {
		if (t->nrnd == 0 && id_refill(t) != HL_OK)
			return HL_E_IO;
		*r = t->rnd[--t->nrnd] >> HL_SLOT_BITS;
		if (*r != 0)
			return HL_OK;
	}
}

int
hl_inflight_alloc(struct hl_inflight *t, uint16_t opcode, int async,
		  uint64_t tag, void *out, uint32_t out_cap, int64_t deadline,
		  struct hl_slot **slot)
{
	struct hl_slot *s;
	uint64_t r;
	uint16_t idx;

	if (t->nfree == 0 || HL_MAX_INFLIGHT - t->nfree >= t->cap)
		return HL_E_NO_SLOTS;
	if (id_random(t, &r) != HL_OK)
		return HL_E_IO;
	idx = t->free_idx[--t->nfree];
	s = &t->slot[idx];
	memset(s, 0, sizeof(*s));
	s->id = (r << HL_SLOT_BITS) | idx;
	s->tag = tag;
	s->deadline = deadline;
	s->out = out;
	s->out_cap = out_cap;
	s->bulk = -1;
	s->opcode = opcode;
	s->async = (uint8_t)async;
	s->state = HL_SLOT_WAITING;
	*slot = s;
	return HL_OK;
}

void
hl_inflight_free(struct hl_inflight *t, struct hl_slot *s)
{
	if (s->state == HL_SLOT_FREE)
		return;
	s->state = HL_SLOT_FREE;
	s->out = NULL;
	t->free_idx[t->nfree++] = (uint16_t)(s - t->slot);
}

struct hl_slot *
hl_inflight_match(struct hl_inflight *t, uint64_t id, uint16_t opcode)
{
	uint64_t idx = id & HL_SLOT_MASK;
	struct hl_slot *s;

	if (idx >= HL_MAX_INFLIGHT || (id >> HL_SLOT_BITS) == 0) {
		t->dropped_unknown++;
		return NULL;
	}
	s = &t->slot[idx];
	if (s->id != id || s->opcode != opcode) {
		t->dropped_unknown++;
		return NULL;
	}
	if (s->state != HL_SLOT_WAITING) {
		t->dropped_dup++;
		return NULL;
	}
	return s;
}

static void
cq_push(struct hl_inflight *t, struct hl_slot *s)
{
	/* Cannot overflow: every queued slot is a reserved slot. */
	t->cq[(t->cq_head + t->cq_len) % HL_MAX_INFLIGHT] =
		(uint16_t)(s - t->slot);
	t->cq_len++;
	s->state = HL_SLOT_QUEUED;
}

void
hl_inflight_complete(struct hl_inflight *t, struct hl_slot *s,
		     const struct hl_result *res, const void *payload)
{
	s->res = *res;
	if (res->out_len > 0 && s->out != NULL)
		memcpy(s->out, payload,
		       res->out_len < s->out_cap ? res->out_len : s->out_cap);
	if (res->status == HL_OK && res->out_len > s->out_cap)
		s->res.status = HL_E_TOO_LARGE;
	if (s->async == HL_ASYNC_DETACHED) {
		s->state = HL_SLOT_DONE;
		t->on_detached(t->detached_arg, s);
	} else if (s->async == HL_ASYNC_QUEUE) {
		cq_push(t, s);
	} else {
		s->state = HL_SLOT_DONE;
	}
}

struct hl_slot *
hl_inflight_cq_pop(struct hl_inflight *t)
{
	struct hl_slot *s;

	if (t->cq_len == 0)
		return NULL;
	s = &t->slot[t->cq[t->cq_head]];
	t->cq_head = (t->cq_head + 1) % HL_MAX_INFLIGHT;
	t->cq_len--;
	return s;
}

/* Complete async requests whose deadline passed with HL_E_TIMEOUT. */
uint32_t
hl_inflight_expire(struct hl_inflight *t, int64_t now)
{
	struct hl_result res = { .status = HL_E_TIMEOUT };
	uint32_t n = 0;

	/* Deadlines are in ms: a second look within the same ms finds
	 * nothing new, and a pipelined guest polls far more often. */
	if (now == t->expire_scan)
		return 0;
	t->expire_scan = now;
	for (uint32_t i = 0; i < HL_MAX_INFLIGHT; i++) {
		struct hl_slot *s = &t->slot[i];
		if (s->state != HL_SLOT_WAITING || s->async != HL_ASYNC_QUEUE ||
		    s->deadline < 0 || s->deadline > now)
			continue;
		hl_inflight_complete(t, s, &res, NULL);
		n++;
	}
	t->expired += n;
	return n;
}

/*
 * The transport died: nothing more can arrive for any waiting request.
 * Each completes here, once (WAITING -> DONE or QUEUED); a reply from the
 * old host cannot reach it later, since its id is never issued again.
 */
uint32_t
hl_inflight_fail_all(struct hl_inflight *t, int status)
{
	struct hl_result res = { .status = status };
	uint32_t n = 0;

	for (uint32_t i = 0; i < HL_MAX_INFLIGHT; i++) {
		struct hl_slot *s = &t->slot[i];
		if (s->state != HL_SLOT_WAITING)
			continue;
		hl_inflight_complete(t, s, &res, NULL);
		n++;
	}
	return n;
}
