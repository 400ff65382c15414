/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The memif server handshake: one guest's control-message state machine.
 *
 * Design note. Everything here runs on the main lcore (the slow path) and
 * touches no DPDK state, so unit tests drive it with hand-built messages and
 * real memfds/eventfds. Every message is copied out of the socket buffer by
 * the caller, then checked here against the limits this server offered in
 * HELLO and against what the same client sent before; only then is anything
 * mapped or kept. A failed check returns a reason (memif_reasons.h) that the
 * caller sends in DISCONNECT before dropping the client.
 *
 * Ownership: fds handed to dp_memif_hs_handle() belong to the handshake from
 * then on, accepted or not; dp_memif_hs_reset() closes and unmaps all of them.
 */
#ifndef DP_MEMIF_HS_H
#define DP_MEMIF_HS_H

#include <stdbool.h>
#include <stdint.h>

#include <hostlane/memif.h>

#include "memif_reasons.h"

/** Regions one guest may register (memif region indices 0..N-1). */
#define DP_MEMIF_MAX_REGIONS 8
/** Rings per direction; one queue pair per guest for now. */
#define DP_MEMIF_MAX_RINGS 1
/** Smallest and largest ring a guest may register, as log2 slots. */
#define DP_MEMIF_MIN_LOG2_RING 1
#define DP_MEMIF_MAX_LOG2_RING 14

/** What the server accepts from one guest; filled from the config. */
struct dp_memif_limits {
	uint32_t interface_id;
	uint8_t secret[MEMIF_SECRET_LEN];   /**< zero-padded; all zero = none */
	uint16_t max_regions;		    /**< 1..DP_MEMIF_MAX_REGIONS */
	uint8_t max_log2_ring;		    /**< ..DP_MEMIF_MAX_LOG2_RING */
	uint64_t max_region_size;	    /**< bytes */
};

enum dp_memif_hs_state {
	DP_MEMIF_HS_AWAIT_INIT,	  /**< HELLO sent */
	DP_MEMIF_HS_SETUP,	  /**< INIT accepted: regions and rings */
	DP_MEMIF_HS_CONNECTED,	  /**< CONNECT accepted */
};

enum dp_memif_dir { DP_MEMIF_C2S = 0, DP_MEMIF_S2C = 1, DP_MEMIF_NDIR = 2 };

struct dp_memif_hs_region {
	uint8_t *addr;		  /**< mapped at ADD_REGION, NULL if none */
	uint64_t size;
	int fd;
};

struct dp_memif_hs_ring {
	bool present;
	uint16_t region;
	uint32_t offset;
	uint8_t log2_size;
	int fd;			  /**< interrupt eventfd */
};

/** One client's handshake; zero it with dp_memif_hs_init() before use. */
struct dp_memif_hs {
	enum dp_memif_hs_state state;
	uint16_t n_regions;
	struct dp_memif_hs_region regions[DP_MEMIF_MAX_REGIONS];
	struct dp_memif_hs_ring rings[DP_MEMIF_NDIR];
	char peer_name[MEMIF_NAME_LEN + 1];  /**< from INIT, printable */
	char if_name[MEMIF_NAME_LEN + 1];    /**< from CONNECT, printable */
};

/** Start a fresh handshake (no fds, no mappings). */
void dp_memif_hs_init(struct dp_memif_hs *hs);

/** Close every fd and unmap every region the handshake holds; re-init it. */
void dp_memif_hs_reset(struct dp_memif_hs *hs);

/** Fill the HELLO this server sends first. */
void dp_memif_hs_hello(const struct dp_memif_limits *lim, const char *name,
		       struct memif_msg *out);

/**
 * Apply one received message.
 *
 * @param msg    the message, already copied out of the socket; its size was
 *               checked by the caller (exactly MEMIF_MSG_SIZE).
 * @param fd     the one fd that came with it in SCM_RIGHTS, or -1. Owned by
 *               the handshake from here on.
 * @param reply  filled with the message to send back (ACK or CONNECTED);
 *               type NONE when nothing is to be sent (DISCONNECT received).
 * @return DP_MEMIF_R_NONE on success, else the reason to disconnect.
 *         A DISCONNECT from the client returns DP_MEMIF_R_PEER.
 */
enum dp_memif_reason dp_memif_hs_handle(struct dp_memif_hs *hs,
					const struct dp_memif_limits *lim,
					const struct memif_msg *msg, int fd,
					struct memif_msg *reply);

/** Fill a DISCONNECT message carrying the reason's string. */
void dp_memif_hs_disconnect(enum dp_memif_reason reason, struct memif_msg *out);

/** True if fd is a regular file sealed against shrinking, at least size bytes. */
bool dp_memif_region_fd_ok(int fd, uint64_t size);

/** True if fd is an eventfd. */
bool dp_memif_eventfd_ok(int fd);

#endif /* DP_MEMIF_HS_H */
