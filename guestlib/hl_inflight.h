/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: the table of requests in flight on one connection.
 *
 * Design note. A request id is (r << 8) | slot: the low bits index a fixed
 * table of HL_MAX_INFLIGHT slots, r is 56 bits from the kernel's random
 * generator (getrandom(), never 0), fresh for every request. A reply is
 * matched only if its whole id equals a slot's current id while that slot
 * waits, so a late reply to a timed-out request, a second reply, a reply
 * from an earlier transport, or a made-up id is dropped and counted, never
 * delivered to the slot's new owner. The randomness is what makes a forged
 * reply fail: on a shared Ethernet (packet:, dpdk:) any station can send
 * us frames with the host's MAC, and an id it has not seen on the wire
 * matches a waiting request with probability 2^-56 per frame (a sequence
 * number would be guessed at once). Ids are drawn in batches, one
 * getrandom() call per HL_INFLIGHT_RND ids. Finished async
 * requests queue in a completion FIFO of slot indices until hl_poll() takes
 * them; the slot stays reserved until then, so the FIFO can never overflow.
 * A detached request (HL_ASYNC_DETACHED: nobody waits for it, e.g. a
 * socket send that returned at once) is handed to the table's on_detached
 * hook when it finishes, however it finishes - its reply, or its
 * transport's death - and the hook frees it. It has no deadline of its own.
 *
 * Threads: none of its own; the owning connection's thread only.
 */
#ifndef HL_INFLIGHT_H
#define HL_INFLIGHT_H

#include <stdint.h>

#include "hostlane/hostlane.h"

#define HL_SLOT_BITS 8u
#define HL_SLOT_MASK ((1u << HL_SLOT_BITS) - 1)
#define HL_INFLIGHT_RND 256u	  /**< random ids drawn per getrandom() */

_Static_assert(HL_MAX_INFLIGHT <= (1u << HL_SLOT_BITS), "slot bits");

/** How a request is waited for (hl_inflight_alloc()'s async). */
enum hl_async_kind {
	HL_ASYNC_SYNC = 0,	  /**< a caller waits for HL_SLOT_DONE */
	HL_ASYNC_QUEUE = 1,	  /**< completion FIFO, taken by hl_poll() */
	HL_ASYNC_DETACHED = 2,	  /**< on_detached(), which frees the slot */
};

enum hl_slot_state {
	HL_SLOT_FREE = 0,
	HL_SLOT_WAITING,	  /**< sent, no reply yet */
	HL_SLOT_DONE,		  /**< reply in; sync waiter will take it */
	HL_SLOT_QUEUED,		  /**< reply in; on the completion FIFO */
};

/** What a reply said, copied out of the frame. */
struct hl_result {
	int status;
	uint16_t state;		  /**< enum hl_fn_state */
	uint32_t session;
	uint32_t out_len;	  /**< bytes the host sent (may exceed out_cap) */
	uint64_t arg0;
	uint64_t arg1;
};

struct hl_slot {
	uint64_t id;		  /**< current request id; kept after free */
	uint64_t tag;
	int64_t deadline;	  /**< ms, < 0 = none */
	void *out;
	uint32_t out_cap;
	uint16_t opcode;
	uint8_t state;		  /**< enum hl_slot_state */
	uint8_t async;
	uint32_t epoch;		  /**< the connection's epoch when sent */
	int32_t bulk;		  /**< bulk pool slot, -1 = none */
	uint32_t bulk_in_len;	  /**< FN_CALL_BULK: input bytes sent; a
				       detached socket send: bytes it carries */
	uint32_t bulk_cap;	  /**< FN_CALL_BULK: output room given */
	struct hl_result res;
};

struct hl_inflight {
	struct hl_slot slot[HL_MAX_INFLIGHT];
	uint16_t free_idx[HL_MAX_INFLIGHT];
	uint32_t nfree;
	uint32_t cap;		  /**< slots that may be in use at once: at most
				       HL_MAX_INFLIGHT, fewer when the
				       transport's reply ring has less room */
	uint16_t cq[HL_MAX_INFLIGHT];
	uint32_t cq_head;	  /**< next to pop */
	uint32_t cq_len;
	uint64_t rnd[HL_INFLIGHT_RND]; /**< random id bits not used yet */
	uint32_t nrnd;
	/* Detached requests end here; it must free s. */
	void (*on_detached)(void *arg, struct hl_slot *s);
	void *detached_arg;
	uint64_t dropped_unknown;
	uint64_t dropped_dup;
	uint64_t expired;
	int64_t expire_scan;	  /**< the ms of the last hl_inflight_expire()
				       scan: one scan per millisecond */
};

void hl_inflight_init(struct hl_inflight *t);
/** Take a free slot with a fresh random id (async: enum hl_async_kind;
 *  HL_ASYNC_DETACHED only once on_detached is set).
 *  @return HL_OK; HL_E_NO_SLOTS; HL_E_IO (getrandom() failed, errno kept) */
int hl_inflight_alloc(struct hl_inflight *t, uint16_t opcode, int async,
		      uint64_t tag, void *out, uint32_t out_cap,
		      int64_t deadline, struct hl_slot **slot);
void hl_inflight_free(struct hl_inflight *t, struct hl_slot *s);
struct hl_slot *hl_inflight_match(struct hl_inflight *t, uint64_t id,
				  uint16_t opcode);
void hl_inflight_complete(struct hl_inflight *t, struct hl_slot *s,
			  const struct hl_result *res, const void *payload);
struct hl_slot *hl_inflight_cq_pop(struct hl_inflight *t);
uint32_t hl_inflight_expire(struct hl_inflight *t, int64_t now);
/** Complete every waiting request with status (its transport died). */
uint32_t hl_inflight_fail_all(struct hl_inflight *t, int status);
uint32_t hl_inflight_count(const struct hl_inflight *t);

#endif /* HL_INFLIGHT_H */
