/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit: the in-flight table: full table, unknown ids, duplicates, expiry. */
#include <stdlib.h>
#include <string.h>

#include "gl_check.h"
#include "hl_inflight.h"

static struct hl_inflight t;

static void
test_full(void)
{
	struct hl_slot *s[HL_MAX_INFLIGHT], *x;

	hl_inflight_init(&t);
	for (uint32_t i = 0; i < HL_MAX_INFLIGHT; i++)
		CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_CALL, 1, i, NULL, 0, -1,
					   &s[i]), HL_OK);
	CHECK_EQ(hl_inflight_count(&t), HL_MAX_INFLIGHT);
	CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_CALL, 1, 0, NULL, 0, -1, &x),
		 HL_E_NO_SLOTS);
	for (uint32_t i = 0; i < HL_MAX_INFLIGHT; i++)
		for (uint32_t j = i + 1; j < HL_MAX_INFLIGHT; j += 37)
			CHECK(s[i]->id != s[j]->id);
	hl_inflight_free(&t, s[7]);
	CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_CALL, 1, 0, NULL, 0, -1, &x),
		 HL_OK);
	CHECK(x == s[7]);
	CHECK_EQ(hl_inflight_count(&t), HL_MAX_INFLIGHT);
}

static void
test_unknown_and_dup(void)
{
	struct hl_result res = { .status = HL_OK, .out_len = 4, .arg0 = 99 };
	struct hl_slot *s;
	uint8_t out[2];
	uint64_t id;

	hl_inflight_init(&t);
	CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_CALL, 1, 5, out, sizeof(out), -1,
				   &s), HL_OK);
	id = s->id;
	CHECK(hl_inflight_match(&t, 0, HL_OP_FN_CALL) == NULL);
	CHECK(hl_inflight_match(&t, id & HL_SLOT_MASK, HL_OP_FN_CALL) == NULL);
	CHECK(hl_inflight_match(&t, id + 1, HL_OP_FN_CALL) == NULL);
	CHECK(hl_inflight_match(&t, id | 0xffff, HL_OP_FN_CALL) == NULL);
	CHECK(hl_inflight_match(&t, ~0ull, HL_OP_FN_CALL) == NULL);
	CHECK(hl_inflight_match(&t, id, HL_OP_FN_GET) == NULL);	/* wrong op */
	CHECK_EQ(t.dropped_unknown, 6);
	CHECK(hl_inflight_match(&t, id, HL_OP_FN_CALL) == s);
	hl_inflight_complete(&t, s, &res, "abcd");
	CHECK(memcmp(out, "ab", 2) == 0);		/* clipped to out_cap */
	CHECK_EQ(s->res.status, HL_E_TOO_LARGE);
	CHECK_EQ(s->res.out_len, 4);
	CHECK(hl_inflight_match(&t, id, HL_OP_FN_CALL) == NULL); /* queued */
	CHECK_EQ(t.dropped_dup, 1);
	CHECK(hl_inflight_cq_pop(&t) == s);
	CHECK(hl_inflight_cq_pop(&t) == NULL);
	hl_inflight_free(&t, s);
	CHECK(hl_inflight_match(&t, id, HL_OP_FN_CALL) == NULL); /* freed */
	CHECK_EQ(t.dropped_dup, 2);
	CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_CALL, 1, 6, NULL, 0, -1, &s),
		 HL_OK);
	CHECK(s->id != id);		/* same slot, new generation */
	CHECK(hl_inflight_match(&t, id, HL_OP_FN_CALL) == NULL); /* stale */
	CHECK_EQ(t.dropped_unknown, 7);
}

/* The window (cap) bounds slots in use below HL_MAX_INFLIGHT; a freed
 * slot makes room again. An expiry scan looks once per millisecond. */
static void
test_window(void)
{
	struct hl_slot *s[3];
	struct hl_result res = { .status = HL_OK };

	hl_inflight_init(&t);
	t.cap = 2;
	CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_CALL, 1, 0, NULL, 0, 5, &s[0]), HL_OK);
	CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_CALL, 1, 1, NULL, 0, 5, &s[1]), HL_OK);
	CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_CALL, 1, 2, NULL, 0, 5, &s[2]),
		 HL_E_NO_SLOTS);
	hl_inflight_complete(&t, hl_inflight_match(&t, s[0]->id, HL_OP_FN_CALL),
			     &res, NULL);
	CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_CALL, 1, 2, NULL, 0, 5, &s[2]),
		 HL_E_NO_SLOTS);	/* completed, not yet freed: still used */
	hl_inflight_free(&t, hl_inflight_cq_pop(&t));
	CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_CALL, 1, 2, NULL, 0, 5, &s[2]), HL_OK);
	CHECK_EQ(hl_inflight_expire(&t, 4), 0);
	CHECK_EQ(hl_inflight_expire(&t, 5), 2);
	CHECK_EQ(hl_inflight_expire(&t, 5), 0);
}

/* Completions come out in the order they completed, not submitted. */
static void
test_order_and_expiry(void)
{
	struct hl_result res = { .status = HL_OK };
	struct hl_slot *s[4];

	hl_inflight_init(&t);
	for (int i = 0; i < 4; i++)
		hl_inflight_alloc(&t, HL_OP_FN_CALL, i != 3, (uint64_t)i, NULL, 0,
				  i == 2 ? 1000 : -1, &s[i]);
	hl_inflight_complete(&t, hl_inflight_match(&t, s[1]->id, HL_OP_FN_CALL),
			     &res, NULL);
	hl_inflight_complete(&t, hl_inflight_match(&t, s[0]->id, HL_OP_FN_CALL),
			     &res, NULL);
	CHECK_EQ(hl_inflight_expire(&t, 999), 0);
	CHECK_EQ(hl_inflight_expire(&t, 1000), 1);	/* only s[2] */
	CHECK_EQ(hl_inflight_cq_pop(&t)->tag, 1);
	CHECK_EQ(hl_inflight_cq_pop(&t)->tag, 0);
	struct hl_slot *e = hl_inflight_cq_pop(&t);
	CHECK(e == s[2] && e->res.status == HL_E_TIMEOUT);
	CHECK(hl_inflight_cq_pop(&t) == NULL);
	/* sync slots never queue and never expire */
	hl_inflight_complete(&t, hl_inflight_match(&t, s[3]->id, HL_OP_FN_CALL),
			     &res, NULL);
	CHECK_EQ(s[3]->state, HL_SLOT_DONE);
	CHECK(hl_inflight_cq_pop(&t) == NULL);
}

/*
 * Ids must not be guessable: a station that sees none of our requests must
 * not be able to forge a reply. Slot 0 used again and again (what a
 * synchronous caller does) must never show a sequence such as
 * (generation << 16) | slot, and never repeat its random part.
 */
static void
test_unpredictable(void)
{
	enum { N = 20000 };
	static uint64_t hi[N];
	struct hl_slot *s;
	uint32_t seq = 0, same = 0;

	hl_inflight_init(&t);
	for (uint32_t i = 0; i < N; i++) {
		CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_CALL, 0, 0, NULL, 0, -1,
					   &s), HL_OK);
		CHECK_EQ(s->id & HL_SLOT_MASK, 0);
		hi[i] = s->id >> HL_SLOT_BITS;
		seq += s->id == ((uint64_t)(i + 1) << 16) ||
		       (i > 0 && hi[i] == hi[i - 1] + 1);
		hl_inflight_free(&t, s);
	}
	for (uint32_t i = 0; i < N; i++)
		for (uint32_t j = i + 1; j < N && j < i + 64; j++)
			same += hi[i] == hi[j];
	CHECK_EQ(seq, 0);
	CHECK_EQ(same, 0);
}

/* Random churn: the table never loses or double-counts a slot. */
static void
test_churn(void)
{
	struct hl_slot *live[HL_MAX_INFLIGHT];
	uint32_t n = 0;

	hl_inflight_init(&t);
	srand(1);
	for (int i = 0; i < 100000; i++) {
		if (n < HL_MAX_INFLIGHT && (n == 0 || rand() % 2)) {
			CHECK_EQ(hl_inflight_alloc(&t, HL_OP_FN_SET, 0, 0, NULL, 0,
						   -1, &live[n]), HL_OK);
			n++;
		} else {
			uint32_t k = (uint32_t)rand() % n;
			hl_inflight_free(&t, live[k]);
			live[k] = live[--n];
		}
		CHECK_EQ(hl_inflight_count(&t), n);
	}
}

int
main(void)
{
	test_full();
	test_unknown_and_dup();
	test_order_and_expiry();
	test_window();
	test_unpredictable();
	test_churn();
	return gl_report("guestlib-inflight");
}
