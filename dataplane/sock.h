/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The socket service (vCanal): a guest's SOCK_* calls performed on host
 * sockets by socket worker threads. docs/sockets.md is the long version.
 *
 * Design note — who touches what:
 *  - the guest's I/O lcore (sock_io.c) decodes a request (sock_req.h),
 *    takes a message from its pool, points it at the request frame, at a
 *    reply frame with room when the reply carries data, and for a _BULK
 *    call at the guest memory it names (checked against the connection's
 *    regions, which stay mapped while rt->bulk_inflight counts it), and
 *    enqueues it on its ring to the guest's worker (guest slot % workers).
 *    It never makes a system call for it, but one eventfd write when the
 *    worker said it is about to sleep (dp_sock_worker.sleeping);
 *  - the worker (sock_worker.c) owns every host socket, the per-guest
 *    socket tables and the held calls: it serves queued calls by class
 *    (commands, receives, sends; per-class budgets; round robin across
 *    guests), holds calls that must wait on its epoll set (never spinning),
 *    and puts each finished message, its answer filled in, on the ring back
 *    to the I/O lcore it came from — kicking that lcore's eventfd when the
 *    lcore said it sleeps (dp_sock_lcore.asleep);
 *  - the I/O lcore turns the answer into the reply (one producer per guest
 *    ring), or drops it when the guest's connection changed meanwhile;
 *  - the main lcore starts and stops the workers, tells them when a guest's
 *    connection ended (dp_sock_guest_gone(): every socket it made is closed
 *    and its held calls answered at the worker's next pass), and reads the
 *    counters (relaxed) for stats, metrics and `socket list`.
 * Each pair of I/O lcore and worker has two SP/SC rings sized to hold the
 * lcore's whole message pool, so an enqueue never fails. A guest's calls in
 * flight, socket ones included, are bounded by its max_inflight.
 */
#ifndef DP_SOCK_H
#define DP_SOCK_H

#include <pthread.h>
#include <stdint.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "sock_conf.h"
#include "sock_req.h"

struct dp_guest;
struct dp_guest_conf;
struct dp_memif_rt;
struct dp_pipe;
struct rte_mbuf;
struct dp_sock_gs;
struct dp_sock_svc;

/** One call between an I/O lcore and a worker. */
struct dp_sock_msg {
	/* Set by the I/O lcore. */
	struct dp_sock_msg *next;	/**< the worker's queues and held lists */
	struct dp_guest *g;		/**< for the I/O lcore; opaque to the worker */
	const struct dp_guest_conf *conf; /**< the guest's policy */
	uint16_t guest;			/**< slot */
	uint16_t lcore;			/**< index of the I/O lcore (its ring) */
	uint32_t epoch;			/**< the guest connection it belongs to */
	struct hl_frame_hdr hdr;	/**< the request header, to reply from */
	struct dp_sock_req req;
	struct rte_mbuf *m;		/**< the request frame */
	struct rte_mbuf *reply;		/**< a frame with room, or NULL (m is) */
	uint8_t *out;			/**< reply payload room (HL_PAYLOAD_MAX) */
	const uint8_t *data;		/**< SEND/SETOPT: the payload's data */
	uint8_t *bulk;			/**< _BULK: the guest memory it names */
	struct dp_memif_rt *bulk_rt;	/**< ... kept mapped while in flight */
	/* The worker's. */
	uint64_t deadline_ms;		/**< when a held call gives up; 0: never */
	uint32_t done;			/**< bytes sent or received so far */
	uint8_t held;			/**< on a socket's held list */
	/* The answer, filled by the worker. */
	uint8_t drop;			/**< no reply: its connection has ended */
	uint32_t state;			/**< HL_SOCK_EV_* */
	uint32_t out_len;		/**< reply payload bytes at out */
	int64_t res;			/**< reply arg0 */
	uint64_t res1;			/**< reply arg1 */
};

/** An I/O lcore's side of the service; that lcore only, after start. */
struct dp_sock_lcore {
	struct dp_sock_svc *svc;
	unsigned int idx;		/**< among the I/O lcores */
	struct rte_mempool *pool;	/**< struct dp_sock_msg, this lcore's */
	struct rte_ring *to_w[DP_SOCK_WORKERS_MAX];   /**< SP/SC: lcore → worker */
	struct rte_ring *from_w[DP_SOCK_WORKERS_MAX]; /**< SP/SC: worker → lcore */
	uint8_t kick[DP_SOCK_WORKERS_MAX];	      /**< enqueued this pass */
	int wake_fd;			/**< the lcore's wake eventfd, or -1 */
	/** 1 while the lcore blocks (or is about to): written by the lcore,
	 *  read by the workers; seq_cst on both sides (sock_io.c). */
	uint32_t asleep;
	uint32_t out;			/**< calls at the workers */
	uint64_t pool_empty;		/**< calls refused: no message (E_BUSY) */
	uint64_t kicks;			/**< eventfd writes to sleeping workers */
};

/**
 * Per guest slot counters; written by the guest's worker, read relaxed.
 * X(name, prometheus type, what): gauges are set from the worker's state,
 * so a guest's end and a slot's reuse cannot leave them off.
 */
#define DP_SOCK_GSTATS(X) \
	X(open, gauge, "sockets open now") \
	X(opened, counter, "sockets opened") \
	X(calls_cmd, counter, "command calls") \
	X(calls_recv, counter, "receive calls") \
	X(calls_send, counter, "send calls") \
	X(errors, counter, "calls answered with an errno") \
	X(refused, counter, "calls refused by the guest's policy") \
	X(bad_id, counter, "calls naming no socket of the guest") \
	X(bytes_in, counter, "bytes received for the guest") \
	X(bytes_out, counter, "bytes sent for the guest") \
	X(held, gauge, "calls held (waiting) now") \
	X(expired, counter, "held calls that reached their deadline") \
	X(events, counter, "EVENTS replies")

struct dp_sock_gstats {
#define DP_SOCK_GSTAT_FIELD_(n, type, what) uint64_t n;
	DP_SOCK_GSTATS(DP_SOCK_GSTAT_FIELD_)
#undef DP_SOCK_GSTAT_FIELD_
};

/** A worker's counters; written by it, read relaxed. */
#define DP_SOCK_WSTATS(X) \
	X(loops, "passes of its loop") \
	X(sleeps, "waits in epoll_wait") \
	X(calls_cmd, "command calls served") \
	X(calls_recv, "receive calls served") \
	X(calls_send, "send calls served") \
	X(completions, "answers sent back") \
	X(kicks, "eventfd writes to sleeping I/O lcores") \
	X(guests_gone, "ended guest connections cleaned up")

struct dp_sock_wstats {
#define DP_SOCK_WSTAT_FIELD_(n, what) uint64_t n;
	DP_SOCK_WSTATS(DP_SOCK_WSTAT_FIELD_)
#undef DP_SOCK_WSTAT_FIELD_
};

/**
 * One socket as `socket list GUEST` shows it: written by the guest's
 * worker (relaxed; id last with release when a socket appears, 0 first
 * when it goes), read by the main lcore. A diagnostic: a read racing a
 * change may mix the two.
 */
struct dp_sock_pub {
	uint32_t id;			/**< socket id; 0: none */
	uint8_t family;			/**< HL_SOCK_AF_* */
	uint8_t type;			/**< HL_SOCK_STREAM / HL_SOCK_DGRAM */
	uint16_t gport;			/**< the guest's port; 0: not translated */
	uint16_t hport;			/**< the host port behind it */
	uint32_t mask;			/**< readiness (HL_SOCK_EV_*) */
};

/** A slot's published sockets. Made by the main lcore when a guest with
 *  sockets takes the slot; a smaller table is kept (old) until the end,
 *  since its worker may still write to it. */
struct dp_sock_pubtab {
	struct dp_sock_pubtab *old;
	uint32_t cap;
	struct dp_sock_pub ent[];
};

/** A socket worker thread. */
struct dp_sock_worker {
	struct dp_sock_svc *svc;
	unsigned int idx;
	pthread_t thread;
	uint8_t started;
	int epfd;			/**< its sockets (edge-triggered) and efd */
	int efd;			/**< eventfd: kicks from lcores and main */
	int selfns;			/**< its own network namespace, or -1 */
	uint32_t ns_lost;		/**< could not return to selfns: every
					     SOCKET fails -EIO (read by `socket list`) */
	uint8_t *kick_lcore;		/**< by I/O lcore: answers this pass */
	/** 1 while the worker waits in epoll (or is about to): written by
	 *  the worker, read by the I/O lcores; seq_cst on both sides. */
	uint32_t sleeping;
	struct rte_ring *gone;		/**< SP/SC: main → worker, guest slots */
	struct dp_sock_gs *rr[DP_SOCK_CLASSES];	/**< round robin: first guest */
	struct dp_sock_gs *rr_tail[DP_SOCK_CLASSES];
	struct dp_sock_gs *ev_due;	/**< guests whose EVENTS may answer */
	uint64_t next_deadline;		/**< earliest held deadline; 0: none */
	uint32_t n_held;		/**< held calls of its guests */
	struct dp_sock_wstats st;
} __attribute__((aligned(64)));

/** The service: workers, per-slot state, per-lcore hand-off. Main lcore. */
struct dp_sock_svc {
	struct dp_sock_svc_conf conf;
	unsigned int n_workers;
	struct dp_sock_worker *workers;
	unsigned int n_lcores;
	struct dp_sock_lcore **lcores;	/**< each lives in its dp_pipe */
	unsigned int max_guests;
	struct dp_sock_gs **gs;		/**< by slot; the worker's */
	struct dp_sock_gstats *gst;	/**< by slot */
	struct dp_sock_pubtab **pub;	/**< by slot: published by the main
					     lcore (release), or NULL */
	uint32_t *gone_epoch;		/**< by slot: last ended connection */
	uint8_t *gone_queued;		/**< by slot: on its worker's gone ring */
	uint32_t stop;
	uint8_t stuck;			/**< a worker did not stop in time */
};

/** How long stop waits for each worker (they never block: a margin). */
#define DP_SOCK_JOIN_MS 2000u

/**
 * Create the service (no threads yet). Main lcore, before the I/O lcores'
 * pipelines. @return it, or NULL with errno set.
 */
struct dp_sock_svc *dp_sock_svc_create(const struct dp_sock_svc_conf *conf,
				       unsigned int n_lcores, unsigned int max_guests);

/**
 * Give I/O lcore idx its side: pool of n_msgs messages, rings. Main lcore,
 * before launch. @return 0 or -errno.
 */
int dp_sock_lcore_init(struct dp_sock_svc *svc, struct dp_sock_lcore *sl,
		       unsigned int idx, unsigned int lcore_id, unsigned int n_msgs,
		       int wake_fd);

/** Start the worker threads. Main lcore, after every lcore's init. */
int dp_sock_svc_start(struct dp_sock_svc *svc);

/**
 * Stop and join the workers (each closes its sockets), waiting at most
 * DP_SOCK_JOIN_MS for each, then take back every message they answered.
 * A worker that did not stop is logged and its state left in place
 * (dp_sock_svc_free() then frees nothing). Main lcore, after the I/O
 * lcores stopped.
 */
void dp_sock_svc_stop(struct dp_sock_svc *svc);

/** Free everything. Accepts NULL. Main lcore, after dp_sock_svc_stop(). */
void dp_sock_svc_free(struct dp_sock_svc *svc);

/**
 * A guest's connection `epoch` ended (memif drop, link down, removal,
 * shutdown): its worker closes every socket it made and answers its held
 * calls at its next pass. Main lcore; never waits.
 */
void dp_sock_guest_gone(struct dp_sock_svc *svc, unsigned int slot, uint32_t epoch);

/**
 * A new guest in slot: its counters start from 0, and a guest with
 * sockets gets a table of max_sockets entries for `socket list`. Main
 * lcore. @return 0 or -ENOMEM (then its sockets are not listed).
 */
int dp_sock_guest_reset(struct dp_sock_svc *svc, unsigned int slot,
			const struct dp_guest_conf *conf);

/** The slot's published sockets, or NULL. Main lcore. */
const struct dp_sock_pubtab *dp_sock_guest_pub(const struct dp_sock_svc *svc,
					       unsigned int slot);

/** Copy a slot's counters (relaxed reads). Any thread. */
void dp_sock_guest_stats(const struct dp_sock_svc *svc, unsigned int slot,
			 struct dp_sock_gstats *out);

/** Copy a worker's counters (relaxed reads). Any thread. */
void dp_sock_worker_stats(const struct dp_sock_svc *svc, unsigned int w,
			  struct dp_sock_wstats *out);

/* ---- the I/O lcore's calls (sock_io.c) ------------------------------- */

/** A SOCK_* request frame from g (header copied and checked in h). */
void dp_sock_rx(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
		struct hl_frame_hdr *h);

/**
 * Once per pass: kick sleeping workers given calls, reply to answered
 * calls. @return answers handled (work, for the idle ladder).
 */
unsigned int dp_sock_poll(struct dp_pipe *p);

/** True if answers wait on the lcore's rings (idle check, lcore.c). */
int dp_sock_lcore_ready(const struct dp_sock_lcore *sl);

#endif /* DP_SOCK_H */
