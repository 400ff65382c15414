/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: libhostlane's memif 2.0 client transport.
 *
 * Design note. One client interface, one region (index 0) in a sealed memfd
 * holding one C2S ring, one S2C ring and 2 * ring_size fixed buffers of
 * HL_MEMIF_BUF_SIZE bytes: C2S slot i always uses buffer i, S2C slot i always
 * buffer ring_size + i. Frames are copied in and out; the server never gets
 * to choose which memory the client reads or writes (the offset and region
 * it leaves in an S2C descriptor are ignored, the length is bound-checked).
 *
 * Threads: a struct hl_memif is used by one thread at a time; the caller
 * (conn.c) enforces that. Calls never block longer than their timeout, and a
 * dead server (control socket EOF or DISCONNECT) fails every call with
 * HL_E_DISCONNECTED, or HL_E_PROTO if the server corrupted a ring. Frames
 * the server completed before it went away can still be received.
 *
 * Functions return enum hl_status values (0 = HL_OK).
 */
#ifndef HL_MEMIF_CLIENT_H
#define HL_MEMIF_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "hl_clock.h"
#include "hostlane/hostlane.h"
#include "hostlane/memif.h"

#define HL_MEMIF_BUF_SIZE 2048u
#define HL_MEMIF_REASON_LEN 160u
#define HL_MEMIF_MAX_CHAIN 8u
/** C2S frames a held burst writes before it publishes them anyway, so the
 *  host starts on a long burst before its end. */
#define HL_MEMIF_PUBLISH_MAX 32u
/** S2C slots read before they are re-posted (and a drained ring re-posts
 *  at once). */
#define HL_MEMIF_POST_BATCH 32u

struct hl_memif_cfg {
	const char *socket_path;
	const char *secret;	     /**< NULL or "" = none; <= 24 bytes */
	const char *name;	     /**< client name sent in INIT; may be NULL */
	uint32_t interface_id;
	unsigned int log2_ring_size; /**< clamped to the server's maximum */
	enum hl_wait_mode wait_mode;
	unsigned int spin_polls;
	int timeout_ms;		     /**< the whole handshake, connect() included */
	uint64_t bulk_bytes;	     /**< bulk area after the buffers; 0 = none */
};

struct hl_memif_stats {
	uint64_t tx_frames;
	uint64_t rx_frames;
	uint64_t rx_dropped;	     /**< bad length, too large, bad chain */
	uint64_t kicks;		     /**< C2S eventfd writes */
	uint64_t sleeps;	     /**< S2C interrupt waits */
	uint64_t wakeups;	     /**< S2C eventfd reads with a count */
};

/** One side of the shared memory, as the client tracks it. */
struct hl_memif_q {
	struct memif_ring *ring;
	int efd;		     /**< this ring's interrupt eventfd */
	uint16_t head;		     /**< our copy of ring->head (we write it) */
	uint16_t pub;		     /**< C2S: the head the server was shown */
	uint16_t unposted;	     /**< S2C: slots read, not yet re-posted */
	uint16_t tail;		     /**< last ring->tail seen and accepted */
	uint32_t buf0;		     /**< region offset of this ring's buffer 0 */
	uint32_t ring_off;	     /**< region offset of the ring header */
};

struct hl_memif {
	int ctl_fd;
	int memfd;
	uint8_t *base;
	uint64_t size;
	uint32_t ring_size;
	uint32_t log2_ring_size;
	uint64_t bulk_off;	     /**< region offset of the bulk area */
	uint64_t bulk_len;	     /**< its bytes; 0 = none */
	uint16_t mask;
	uint16_t s2c_partial;	     /**< filled S2C slots that are only the
					  start of a frame (chain not ended) */
	enum hl_wait_mode wait_mode;
	unsigned int spin_polls;
	uint8_t held;		     /**< a burst: sends do not publish */
	int dead;		     /**< 0, or the status every call fails with */
	uint8_t revivable;	     /**< the host went away, did not send us */
	uint32_t disc_code;	     /**< the host's DISCONNECT code, if any
					  (enum hl_memif_disc) */
	struct hl_memif_q c2s;
	struct hl_memif_q s2c;
	struct hl_memif_stats stats;
	char reason[HL_MEMIF_REASON_LEN];
};

/* memif_client.c: control channel, setup and teardown. */
/* On failure, reason says why and *disc_code (if not NULL) holds the
 * host's DISCONNECT code, HL_MEMIF_DISC_NONE if it sent none. */
int hl_memif_open(const struct hl_memif_cfg *cfg, struct hl_memif **out,
		  char *reason, size_t reason_len, uint32_t *disc_code);
void hl_memif_close(struct hl_memif *m);
int hl_memif_ctl_service(struct hl_memif *m);
int hl_memif_set_dead(struct hl_memif *m, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* memif_rings.c: frames on the rings, and waiting. */
int hl_memif_send(struct hl_memif *m, const void *frame, uint32_t len,
		  int timeout_ms);
int hl_memif_recv(struct hl_memif *m, void *buf, uint32_t cap, uint32_t *len);
int hl_memif_wait(struct hl_memif *m, int timeout_ms);
/* on: sends write frames without showing them to the host; off: show
 * them all (one head store, one kick). */
void hl_memif_hold(struct hl_memif *m, int on);
void hl_memif_rings_start(struct hl_memif *m);

#endif /* HL_MEMIF_CLIENT_H */
