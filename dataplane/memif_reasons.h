/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Why hostlane's memif server drops a guest: one X-macro list gives the
 * enum, the DISCONNECT string sent to the guest and the counter name.
 *
 * Rejections (DP_MEMIF_R_*) come from the slow path: a control message that
 * breaks the handshake rules. Faults (also DP_MEMIF_R_*, after FAULT_FIRST)
 * come from the fast path: a ring or descriptor that breaks the rules the
 * server checks on every poll.
 */
#ifndef DP_MEMIF_REASONS_H
#define DP_MEMIF_REASONS_H

#define DP_MEMIF_REASONS(X)                                                  \
	X(NONE, "no error")                                                  \
	X(MSG_SIZE, "invalid message size")                                  \
	X(MSG_TYPE, "unknown message type")                                  \
	X(MSG_ORDER, "unexpected message")                                   \
	X(VERSION, "incompatible memif version")                             \
	X(ID, "interface id not found")                                      \
	X(MODE, "only ethernet mode supported")                              \
	X(SECRET, "incorrect secret")                                        \
	X(FD_MISSING, "missing fd")                                          \
	X(FD_EXTRA, "unexpected fd")                                         \
	X(REGION_INDEX, "invalid region index")                              \
	X(REGION_SIZE, "invalid region size")                                \
	X(REGION_FD, "region fd is not a shrink-sealed memfd of that size")  \
	X(REGION_MAP, "cannot map region")                                   \
	X(RING_INDEX, "invalid ring index")                                  \
	X(RING_REGION, "ring names an unknown region")                       \
	X(RING_SIZE, "ring size out of range")                               \
	X(RING_ALIGN, "ring offset not cache-line aligned")                  \
	X(RING_BOUNDS, "ring lies outside its region")                       \
	X(RING_OVERLAP, "rings overlap")                                     \
	X(RING_PRIVATE, "private ring header not supported")                 \
	X(RING_FD, "ring interrupt fd is not an eventfd")                    \
	X(RING_MISSING, "connect before both rings were added")              \
	X(RING_COOKIE, "bad ring cookie")                                    \
	X(BUSY, "busy: another client owns this socket")                     \
	X(TIMEOUT, "handshake timeout")                                      \
	X(SEND, "cannot send to client")                                     \
	X(PEER, "client disconnected")                                       \
	X(SHUTDOWN, "hostlane shutting down")                                \
	X(REMOVED, "guest removed")                                          \
	X(NOMEM, "out of memory")                                            \
	X(LCORE_STUCK, "I/O lcore stuck: calls cannot be served")            \
	X(DRAINING, "busy: earlier connections still draining")              \
	X(C2S_HEAD, "C2S head moved by more than the ring size")             \
	X(S2C_HEAD, "S2C head moved by more than the ring size")             \
	X(DESC_REGION, "descriptor region index out of range")               \
	X(DESC_BOUNDS, "descriptor buffer lies outside its region")          \
	X(CHAIN_LONG, "descriptor chain longer than the limit")              \
	X(CHAIN_OPEN, "descriptor chain runs past the ring head")            \
	X(FRAME_LONG, "frame longer than the limit")

enum dp_memif_reason {
#define DP_MEMIF_R_ENUM(name, str) DP_MEMIF_R_##name,
	DP_MEMIF_REASONS(DP_MEMIF_R_ENUM)
#undef DP_MEMIF_R_ENUM
	DP_MEMIF_R_COUNT
};

/** First reason that is a fast-path fault rather than a handshake reject. */
#define DP_MEMIF_R_FAULT_FIRST DP_MEMIF_R_C2S_HEAD

/** The DISCONNECT string for a reason; never NULL. */
const char *dp_memif_reason_str(unsigned int reason);

/** The short counter name for a reason (e.g. "DESC_BOUNDS"); never NULL. */
const char *dp_memif_reason_name(unsigned int reason);

#endif /* DP_MEMIF_REASONS_H */
