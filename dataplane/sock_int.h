/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the socket workers (sock_worker.c, sock_ops.c): a guest's
 * socket table and the helpers between the loop and the calls. Everything
 * here belongs to the guest's worker thread.
 */
#ifndef DP_SOCK_INT_H
#define DP_SOCK_INT_H

#include <stdint.h>

#include "sock.h"

/** One socket of a guest. Its id is slot | gen << 16. */
struct dp_sock_ent {
	int fd;				/**< host socket; -1: free */
	uint16_t gen;			/**< bumped at close, never 0 */
	uint8_t family;			/**< HL_SOCK_AF_* */
	uint8_t type;			/**< HL_SOCK_STREAM / HL_SOCK_DGRAM */
	uint8_t connecting;		/**< a non-blocking connect in progress */
	uint8_t dirty;			/**< on the guest's dirty list */
	uint16_t gport;			/**< the guest's view of its port; 0: none */
	uint16_t hport;			/**< the host port behind gport */
	uint32_t mask;			/**< readiness now (HL_SOCK_EV_*) */
	uint32_t reported;		/**< what the last EVENTS reply said */
	struct dp_sock_msg *hin, *hin_tail;	/**< held: RECV*, ACCEPT */
	struct dp_sock_msg *hout, *hout_tail;	/**< held: SEND*, CONNECT */
};

/** A guest connection's sockets and queued calls. */
struct dp_sock_gs {
	uint16_t slot;			/**< the guest's */
	uint16_t cap;			/**< entries: its max_sockets */
	uint16_t n_open;
	uint16_t n_dirty;
	uint16_t n_xlat;		/**< sockets with a translated port */
	uint32_t n_held;		/**< its held calls */
	uint8_t ev_due;			/**< on the worker's events list */
	uint32_t epoch;			/**< the connection it belongs to */
	uint32_t port_next;		/**< next host port to try in its range */
	int nsfd;			/**< its network namespace, or -1 */
	struct dp_sock_msg *events;	/**< the held EVENTS call, or NULL */
	struct dp_sock_gs *ev_next;	/**< the worker's events list */
	struct dp_sock_msg *q[DP_SOCK_CLASSES], *q_tail[DP_SOCK_CLASSES];
	struct dp_sock_gs *rr_next[DP_SOCK_CLASSES];
	uint8_t in_rr[DP_SOCK_CLASSES];
	uint16_t *dirty;		/**< cap entries: changed since reported */
	struct dp_sock_ent ent[];
};

/* epoll keys: the worker's eventfd, or a socket by guest, entry, gen. */
#define DP_SOCK_KEY_EFD 0ull
#define DP_SOCK_KEY(guest, ent, gen) \
	((1ull << 63) | ((uint64_t)(gen) << 32) | ((uint64_t)(ent) << 16) | (guest))
#define DP_SOCK_KEY_GUEST(k) ((unsigned int)((k) & 0xffffu))
#define DP_SOCK_KEY_ENT(k) ((unsigned int)(((k) >> 16) & 0xffffu))
#define DP_SOCK_KEY_GEN(k) ((uint16_t)((k) >> 32))

#define DP_SOCK_ID(idx, gen) ((uint32_t)(idx) | ((uint32_t)(gen) << 16))

/* Counters: one writer (the worker), relaxed readers. */
#define DP_SOCK_GST_ADD(svc, slot, f, n) \
	__atomic_store_n(&(svc)->gst[slot].f, (svc)->gst[slot].f + (n), __ATOMIC_RELAXED)
#define DP_SOCK_GST_SET(svc, slot, f, v) \
	__atomic_store_n(&(svc)->gst[slot].f, (uint64_t)(v), __ATOMIC_RELAXED)
#define DP_SOCK_WST_ADD(w, f, n) \
	__atomic_store_n(&(w)->st.f, (w)->st.f + (n), __ATOMIC_RELAXED)

/** Bytes one send or receive moves at most, so no call holds a worker long. */
#define DP_SOCK_IO_MAX (256u << 10)

uint64_t dp_sock_now_ms(void);

/* sock_worker.c */
void dp_sock_finish(struct dp_sock_worker *w, struct dp_sock_msg *msg);
void dp_sock_answer(struct dp_sock_worker *w, struct dp_sock_msg *msg, int64_t res);
void dp_sock_drop(struct dp_sock_worker *w, struct dp_sock_msg *msg);
void dp_sock_queue(struct dp_sock_worker *w, struct dp_sock_gs *gs,
		   struct dp_sock_msg *msg);
void dp_sock_queue_front(struct dp_sock_worker *w, struct dp_sock_gs *gs,
			 struct dp_sock_msg *msg);
void dp_sock_hold(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
		  struct dp_sock_msg *msg, int out);
void dp_sock_unhold(struct dp_sock_worker *w, struct dp_sock_gs *gs,
		    struct dp_sock_msg *msg);
void dp_sock_wake_held(struct dp_sock_worker *w, struct dp_sock_gs *gs,
		       struct dp_sock_ent *e);
void dp_sock_flush_held(struct dp_sock_worker *w, struct dp_sock_gs *gs,
			struct dp_sock_ent *e, int64_t res, int drop);

/* sock_ops.c */
/** Perform one queued call: answered, held, or queued again. */
void dp_sock_exec(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_msg *msg);
/** Read e's readiness from the kernel; note a change for EVENTS. */
void dp_sock_refresh(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e);
/** Put e's mask in msg's reply state and count it as reported (not for
 *  SOCKET, CLOSE, EVENTS: state 0). */
void dp_sock_tell_state(struct dp_sock_gs *gs, struct dp_sock_msg *msg);
/** Close e: its held calls answered -EBADF (or dropped), its slot freed. */
void dp_sock_ent_close(struct dp_sock_worker *w, struct dp_sock_gs *gs,
		       struct dp_sock_ent *e, int drop);
/** Answer the held EVENTS calls whose guests have changes. */
void dp_sock_events_flush(struct dp_sock_worker *w);

#endif /* DP_SOCK_INT_H */
