/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: the bulk pool, shared memory for calls larger than a frame.
 *
 * Design note. A transport that can share memory with the host (memif)
 * offers one bulk area of its region (struct hl_bulk_area). The pool cuts
 * it into equal slots; a call whose input or output does not fit a frame
 * takes one slot, copies its input to the slot's start, leaves its output
 * room after it (64-byte aligned), and sends FN_CALL_BULK naming both
 * ranges. The slot comes back when the reply is taken. A request that
 * times out keeps its slot (the host may still write into it) until the
 * transport is replaced, when the whole pool is reset.
 *
 * Threads: the owning connection's thread only. No allocation after
 * hl_bulk_reset().
 */
#ifndef HL_BULK_H
#define HL_BULK_H

#include <stdint.h>

#include "hostlane/proto.h"

/** What a transport shares: len bytes at base, region offset off. */
struct hl_bulk_area {
	uint8_t *base;		/**< NULL: the transport has none */
	uint64_t off;		/**< region offset of base */
	uint64_t len;
	uint16_t region;	/**< memif region index */
};

struct hl_bulk_pool {
	struct hl_bulk_area area;
	uint32_t slot;		/**< bytes per slot */
	uint32_t n;		/**< slots; 0 = no bulk calls */
	uint32_t nfree;
	uint32_t max;		/**< host's limit per direction (HELLO) */
	uint32_t *free;		/**< stack of free slot indices */
};

/** Input at the start of a slot, output room from here (64-aligned). */
static inline uint32_t
hl_bulk_out_rel(uint32_t in_len)
{
	return (in_len + 63u) & ~63u;
}

/**
 * Take a new area (or none): every slot becomes free.
 * @param slot      bytes per slot (0: no bulk calls)
 * @param host_max  the host's max_bulk (0: no bulk calls)
 * @return HL_OK or HL_E_NOMEM (the pool is then empty)
 */
int hl_bulk_reset(struct hl_bulk_pool *p, const struct hl_bulk_area *a,
		  uint32_t slot, uint32_t host_max);

/** Free the pool's table. */
void hl_bulk_fini(struct hl_bulk_pool *p);

/** 1 if a call with these sizes should go as FN_CALL_BULK. */
int hl_bulk_wanted(const struct hl_bulk_pool *p, uint32_t in_len,
		   uint32_t out_cap);

/**
 * Take a slot for in_len bytes of input and fill the descriptor (output
 * room: out_cap, cut to what the slot and the host allow).
 * @return HL_OK; HL_E_TOO_LARGE (input above the slot or host limit);
 *         HL_E_NO_SLOTS (every slot in use: poll first)
 */
int hl_bulk_get(struct hl_bulk_pool *p, const void *in, uint32_t in_len,
		uint32_t out_cap, struct hl_bulk *d, uint32_t *slot);

/** Where the output of the call that took slot lands. */
static inline const uint8_t *
hl_bulk_out(const struct hl_bulk_pool *p, uint32_t slot, uint32_t in_len)
{
	return p->area.base + (uint64_t)slot * p->slot + hl_bulk_out_rel(in_len);
}

/** Give a slot back. */
void hl_bulk_put(struct hl_bulk_pool *p, uint32_t slot);

#endif /* HL_BULK_H */
