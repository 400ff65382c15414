/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: libhostlane's socket layer (hostlane/sock.h), split in two:
 * sock_wait.c - the table of sockets, the socket mutex, waiting for a
 * reply (spin, then sleep), the SOCK_EVENTS long poll and the pump thread;
 * sock.c - the calls themselves (request encoding, reply checks, errno).
 *
 * Design note (threads; the public header has the whole story). One mutex,
 * L->mu, guards the connection as far as sockets go: the inflight table,
 * the transport's send and receive, the bulk pool, the socket table. A
 * caller holds it while it sends and while it takes replies; it lets go
 * of it between polls (spin phase) and while it sleeps on L->cv. Counters:
 * L->active = callers in their spin phase (the pump sleeps on the
 * transport only when that is 0, so a spinning caller never makes the host
 * signal), L->sleepers = threads on L->cv (woken by a broadcast whenever
 * replies were taken, readiness changed or the connection died).
 *
 * Replies land in the waiting caller's buffer (slot->out) whoever takes
 * them from the ring; a caller that gives up (timeout) frees its slot
 * first, so no late reply is written to its stack.
 *
 * Sends on a connected stream return at once (docs/sockets.md, "Sends
 * that return at once"): the bytes are copied into the requests (a frame
 * for up to HL_SOCK_DATA_MAX or when no bulk slot is free, bulk slots
 * above), the request goes out detached with no deadline - the
 * host holds it until the kernel took every byte - and send() returns.
 * Each socket has a window (L->tx_win_bytes, at most HL_SOCK_TX_REQS
 * requests); a full window blocks a blocking send (SO_SNDTIMEO applies)
 * and makes a non-blocking one EAGAIN, and clears the socket's OUT until a
 * reply frees room. A failed or short reply leaves its errno in tx_err,
 * which the next send (or SO_ERROR) reports, as the kernel does. The host
 * serves a guest's calls by class (commands before receives before sends),
 * so calls whose order against the sends matters - close, shutdown,
 * set/getsockopt - first wait until the socket's window is empty
 * (HL_SOCK_LINGER_MS at most; then they go anyway and a send still held
 * at the host fails).
 */
#ifndef HL_SOCK_H
#define HL_SOCK_H

#include <pthread.h>
#include <stdint.h>

#include "hl_conn.h"
#include "hostlane/sock.h"

#define HL_SOCK_EV_PUMP_MS 1000u     /* the pump's SOCK_EVENTS wait */
#define HL_SOCK_SPIN 4096u	     /* looks at the ring before sleeping */
#define HL_SOCK_TX_WIN 1048576u	     /* default bytes of sends in flight */
#define HL_SOCK_TX_WIN_MAX (64u << 20) /* hl_sock_set_tx_window() at most */
#define HL_SOCK_TX_REQS 8u	     /* sends in flight per socket, at most */
#define HL_SOCK_LINGER_MS 10000	     /* a fence waits this long for sends */

/** One socket of the connection, by sd (its table index). */
struct hl_sk {
	uint32_t id;		     /**< host's socket id; 0 = not (yet) one */
	uint32_t epoch;		     /**< c->epoch it was made in */
	uint32_t mask;		     /**< readiness as callers see it */
	uint32_t host_mask;	     /**< readiness the host last reported */
	uint32_t tx_n;		     /**< asynchronous sends in flight */
	uint32_t tx_bytes;	     /**< ... and their bytes */
	int32_t tx_err;		     /**< errno one of them failed with, 0 */
	uint8_t used;		     /**< entry taken (id may still be 0) */
	uint8_t nonblock;
	uint8_t stream;		     /**< SOCK_STREAM (else datagram) */
	uint8_t family;		     /**< HL_SOCK_AF_* */
	uint8_t connected;	     /**< a stream known connected: sends may
					  return at once */
	uint8_t dg_to_ok;	     /**< dg_to is set */
	struct hl_sockaddr dg_to;    /**< datagram: the address the last
					  send that waited went to, and the
					  host took: sends to it return at once */
	int32_t rcvtimeo_ms;	     /**< SO_RCVTIMEO, < 0 = none */
	int32_t sndtimeo_ms;	     /**< SO_SNDTIMEO, < 0 = none */
};

struct hl_sock_layer {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hl_sk *tab;
	uint32_t ntab;
	uint32_t nlive;		     /**< entries with an id */
	hl_sock_notify_fn notify;
	void *notify_arg;
	uint64_t mask_gen;	     /**< bumped on every readiness change and
					  every finished asynchronous send */
	uint32_t tx_win_bytes;	     /**< per socket; 0 = synchronous sends */
	uint64_t tx_async;	     /**< sends that returned at once */
	uint64_t tx_failed;	     /**< ... of which the host failed later */
	uint64_t tx_lingered;	     /**< fences that gave up waiting */
	/* SOCK_EVENTS: at most one in flight. */
	struct hl_slot *ev;
	int64_t ev_due;		     /**< ms after which it is given up */
	int64_t ev_next;	     /**< ms before which not to re-arm */
	uint32_t pollers;	     /**< hl_sock_poll() callers waiting */
	uint64_t ev_bad;	     /**< malformed SOCK_EVENTS replies */
	uint8_t ev_buf[HL_PAYLOAD_MAX];
	/* Threads. */
	uint32_t active;
	uint32_t sleepers;
	unsigned int spin;	     /**< looks before sleeping (pump on) */
	uint8_t pump_on;
	uint8_t pump_stop;
	int wake_efd;		     /**< wakes the pump from its poll */
	pthread_t pump;
};

/* Get (making it on first use) c's socket layer; NULL: ENOMEM. */
struct hl_sock_layer *hl_sock_layer(struct hl_conn *c);
/* The entry of sd, or NULL (EBADF). Lock held. */
struct hl_sk *hl_sock_sk(struct hl_sock_layer *L, int sd);
/* A new entry: its sd, or -1 (ENOMEM/EMFILE). Lock held. */
int hl_sock_sk_new(struct hl_sock_layer *L);
void hl_sock_sk_free(struct hl_sock_layer *L, int sd);
/* The host says sd's readiness is mask (notify, wake pollers). Lock held. */
void hl_sock_set_mask(struct hl_sock_layer *L, int sd, uint32_t mask);
/* Wake every thread waiting on L for a change (mask_gen). Lock held. */
void hl_sock_kick(struct hl_sock_layer *L);
/* sd's window or tx_err changed: recompute what callers see. Lock held. */
void hl_sock_mask_update(struct hl_sock_layer *L, int sd);
/* The window of sk takes one more send (OUT, as callers see it). */
int hl_sock_tx_room(const struct hl_sock_layer *L, const struct hl_sk *sk);
/* n cut to what sk's window takes now (call when hl_sock_tx_room()). */
uint32_t hl_sock_tx_cut(const struct hl_sock_layer *L, const struct hl_sk *sk,
			uint32_t n);
/* The sd of host socket id in epoch, or -1. Lock held. */
int hl_sock_by_id(const struct hl_sock_layer *L, uint32_t id, uint32_t epoch);
/* c->inf.on_detached: an asynchronous send finished (sock_tx.c). */
void hl_sock_tx_done(void *conn, struct hl_slot *s);
/* Wait (lock held) until sd's window is empty, or HL_SOCK_LINGER_MS. */
void hl_sock_tx_fence(struct hl_conn *c, struct hl_sock_layer *L, int sd);
/* Take what the transport has, the events included; re-arm them. */
int hl_sock_pump_once(struct hl_conn *c, struct hl_sock_layer *L);
/*
 * With the lock held, wait until slot s is done (s != NULL) or readiness
 * changed since mask_gen was gen (s == NULL), or deadline (ms, < 0 none).
 * @return HL_OK, HL_E_TIMEOUT or the connection's death status.
 */
int hl_sock_wait(struct hl_conn *c, struct hl_sock_layer *L,
		 const struct hl_slot *s, uint64_t gen, int64_t deadline);

#define SK_WAIT_NONE 0
#define SK_WAIT_FOREVER (-1)

/** One call as sock.c describes it to hl_sock_do(). */
struct hl_sock_call {
	uint16_t op;
	uint8_t waits;		/* the call carries a wait in arg0 */
	int wait_ms;		/* SK_WAIT_NONE, _FOREVER or ms */
	uint64_t arg0;
	uint64_t arg1;
	const void *in;
	uint32_t in_len;
	void *out;
	uint32_t out_cap;
};

/* sock.c: shared by the calls in sock.c and sock_data.c. */
struct hl_sock_layer *hl_sock_lock(struct hl_conn *c); /* NULL: errno set */
void hl_sock_unlock(struct hl_sock_layer *L);
int hl_sock_errno(int status);
int64_t hl_sock_ret(int64_t v);	/* v >= 0, or -1 with errno = -v */
int hl_sock_exec(struct hl_conn *c, struct hl_sock_layer *L, uint32_t session,
		 const struct hl_sock_call *k, struct hl_result *res);
/* sd may carry a request now: 0 and *out, or -errno. Lock held. */
int64_t hl_sock_usable(struct hl_conn *c, struct hl_sock_layer *L, int sd,
		       struct hl_sk **out);
/* One call on sd (lock held): >= 0 or -errno; res gets the reply. */
int64_t hl_sock_do(struct hl_conn *c, struct hl_sock_layer *L, int sd,
		   const struct hl_sock_call *k, struct hl_result *res);
int hl_sock_addr_in(const struct sockaddr *a, socklen_t len,
		    struct hl_sockaddr *w);
int hl_sock_addr_out(const void *p, struct sockaddr *a, socklen_t *len);

#endif /* HL_SOCK_H */
