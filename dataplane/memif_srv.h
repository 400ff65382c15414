/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The memif server's slow path: one listening socket per memif guest, at
 * most one client on it, the handshake, and connecting/disconnecting the
 * guest's fast path.
 *
 * Main lcore only. Sockets are non-blocking and served from one epoll set,
 * so a client that stalls, floods or lies can cost the main lcore at most a
 * few messages per wake-up and never blocks other guests. Errors are logged
 * at most once a second per guest.
 */
#ifndef DP_MEMIF_SRV_H
#define DP_MEMIF_SRV_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "guest.h"

/**
 * Ended connections of one guest that may wait for release (their memory
 * still mapped for bulk jobs or a stuck lcore) before its next client is
 * refused with DP_MEMIF_R_DRAINING: reconnecting cannot pile them up.
 */
#define DP_MEMIF_MAX_DRAINING 4

/** Epoll tags: the guest index shifted left, and what the fd is. */
#define DP_EV_LISTEN 0u
#define DP_EV_CONN 1u
#define DP_EV_TAG(idx, kind) (((uint64_t)(idx) << 1) | (kind))

/**
 * Create, bind and listen on the guest's socket with mode socket_mode
 * (dp_path_sock_listen(): never open wider meanwhile). A socket file left
 * by a run that died is replaced; a socket something listens on, or any
 * other file, is left alone and the open fails (logged, naming the path
 * and the listener). Registers it in epfd.
 * @param timeout_ms  how long a client may take over its handshake.
 * @return 0, or -EADDRINUSE, -EEXIST or another -errno.
 */
int dp_memif_srv_open(struct dp_guest *g, unsigned int idx, int epfd,
		      unsigned int timeout_ms);

/** Handle epoll events on one of the guest's fds. */
void dp_memif_srv_event(struct dp_guest *g, unsigned int idx, int epfd,
			unsigned int kind, uint32_t events);

/** Periodic work: handshake deadlines, fast-path faults. */
void dp_memif_srv_tick(struct dp_guest *g, uint64_t now_ms);

/**
 * Drop the guest's client, if any: unpublish its fast path, send
 * DISCONNECT with the reason when notify, tell the manager, and hand its
 * memory to defer.h, which unmaps it once no I/O lcore or bulk job can use
 * it. Never waits for the I/O lcores.
 */
void dp_memif_srv_drop(struct dp_guest *g, enum dp_memif_reason why, bool notify);

/**
 * Ended connections whose memory is still mapped: waiting for the grace
 * period (defer.h) or for their bulk jobs. All guests.
 */
unsigned int dp_memif_srv_draining(void);

/** Of those, the ones waiting for FN_CALL_BULK jobs to complete. */
unsigned int dp_memif_srv_retired(void);

/** Drop any client with the reason, close the listening socket, unlink it. */
void dp_memif_srv_close(struct dp_guest *g, enum dp_memif_reason why);

#endif /* DP_MEMIF_SRV_H */
