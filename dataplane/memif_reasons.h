/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Why hostlane's memif server drops a guest: the wire's list of DISCONNECT
 * codes (hostlane/memif.h) gives the enum, the string sent to the guest,
 * the counter name and whether it is a fault.
 *
 * Rejections come from the slow path: a control message that breaks the
 * handshake rules. Faults (class FAULT) come from the fast path: a ring or
 * descriptor that breaks the rules the server checks on every poll.
 */
#ifndef DP_MEMIF_REASONS_H
#define DP_MEMIF_REASONS_H

#include <hostlane/memif.h>

/* The list is the wire's: guestlib/include/hostlane/memif.h. */
#define DP_MEMIF_REASONS(X) HL_MEMIF_DISC_LIST(X)

enum dp_memif_reason {
#define DP_MEMIF_R_ENUM(name, code, cls, str) DP_MEMIF_R_##name = (code),
	DP_MEMIF_REASONS(DP_MEMIF_R_ENUM)
#undef DP_MEMIF_R_ENUM
};

/* The codes are dense: counters are arrays indexed by reason. */
#define DP_MEMIF_R_COUNT_(name, code, cls, str) + 1
enum { DP_MEMIF_R_COUNT = 0 DP_MEMIF_REASONS(DP_MEMIF_R_COUNT_) };
#undef DP_MEMIF_R_COUNT_
#define DP_MEMIF_R_DENSE_(name, code, cls, str) \
	_Static_assert((code) < DP_MEMIF_R_COUNT, "memif reason " #name \
		       ": codes must be 0 .. count - 1");
DP_MEMIF_REASONS(DP_MEMIF_R_DENSE_)
#undef DP_MEMIF_R_DENSE_

/** True if the reason is a fast-path fault (a ring rule broken). */
static inline int
dp_memif_reason_is_fault(unsigned int reason)
{
	return hl_memif_disc_class(reason) == HL_MEMIF_DISC_C_FAULT;
}

/** The DISCONNECT string for a reason; never NULL. */
const char *dp_memif_reason_str(unsigned int reason);

/** The short counter name for a reason (e.g. "DESC_BOUNDS"); never NULL. */
const char *dp_memif_reason_name(unsigned int reason);

#endif /* DP_MEMIF_REASONS_H */
