/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The request pipeline: hostlane messages (EtherType 0x88B5) from a guest,
 * decoded, validated and dispatched on the guest's I/O lcore.
 *
 * Design note. For each frame the header is copied out of the mbuf (itself
 * already a copy of guest memory) and checked with hl_proto_hdr_parse()
 * before any field is used. Then:
 *  - HELLO and BYE are answered at once;
 *  - FN_OPEN, FN_ACTIVATE, FN_CLOSE go to the function manager through the
 *    lcore's hand-off rings (fnmsg.h) and are answered when it has decided;
 *  - STATS_REPORT is copied and validated into a hand-off message for the
 *    main lcore to judge (report.h), one per guest at a time;
 *  - SOCK_* calls go to the socket service (sock.h): decoded here, served
 *    by a socket worker, answered here;
 *  - FN_CALL, FN_CALL_BULK, FN_SET, FN_GET, FN_RESET are served here: a job
 *    goes to the session's accelerator context (fpga/), and its completion
 *    becomes the reply. A bulk call's job reads and writes guest memory in
 *    place (its ranges checked against the connection's regions); the
 *    connection's bulk_inflight count keeps the regions mapped until every
 *    such job has completed (memif_srv.c retires them).
 * Calls in flight are bounded per guest (max_inflight, across all its
 * connections) and per lcore (the pending pool, which the sum of its
 * guests' budgets never exceeds: guests.c places guests accordingly).
 * Every request gets exactly one reply, an error reply when it is invalid,
 * unless it is too broken to address (then it is counted and dropped).
 * Fast path: no syscalls (except one eventfd write to wake the manager when
 * a slow-path request is handed over, or a socket worker that said it
 * sleeps), no locks, no logs, no allocation
 * beyond mbufs and pooled hand-off messages.
 */
#ifndef DP_PIPELINE_H
#define DP_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "accel.h"
#include "fnmsg.h"
#include "sock.h"

struct dp_guest;
struct dp_memif_rt;
struct rte_mbuf;

#define DP_PIPE_BACKENDS 8	/**< accelerator contexts per I/O lcore */
#define DP_PIPE_DIRTY 64	/**< guests with queued replies per pass */
#define DP_PIPE_POLL_BURSTS 64	/**< completion bursts per backend per pass:
				     a bound, should a backend never run dry */

/** A call in flight: what to do when its completion comes back. */
struct dp_pending {
	struct dp_guest *g;
	struct rte_mbuf *req;	/**< the request frame (job input lives here) */
	struct rte_mbuf *reply; /**< FN_CALL: the reply frame, output inside */
	struct dp_memif_rt *bulk_rt; /**< FN_CALL_BULK: the connection whose
				      memory the job uses (kept mapped) */
	uint32_t epoch;		/**< the guest connection it belongs to */
	uint32_t session;	/**< the session id it was made for */
	uint16_t op;		/**< enum hl_opcode */
};

/*
 * What the pipeline is doing, for the watchdog (lcore.h): 0 while it polls
 * guests, else inside a backend's submit or poll. One relaxed store around
 * each backend call.
 */
#define DP_PIPE_IN_SUBMIT 1u
#define DP_PIPE_IN_POLL 2u
#define DP_PIPE_IN(backend, what) ((((uint32_t)(backend) + 1) << 2) | (what))

/** Per I/O lcore pipeline state. Only its lcore touches it after start. */
struct dp_pipe {
	struct rte_ring *to_mgr;	/**< SP/SC: this lcore → manager */
	struct rte_ring *from_mgr;	/**< SP/SC: manager → this lcore */
	struct rte_mempool *msg_pool;	/**< struct dp_fnmsg, shared */
	int wake_fd;			/**< eventfd the main lcore sleeps on */
	struct fpga_ctx *ctx[DP_PIPE_BACKENDS];  /**< by fpga registry index */
	uint8_t own_ctx[DP_PIPE_BACKENDS];	  /**< made here, freed here */
	uint32_t ctx_jobs[DP_PIPE_BACKENDS];	  /**< submitted, not yet polled */
	uint16_t n_batch[DP_PIPE_BACKENDS];	  /**< calls waiting in batch[] */
	struct fpga_job batch[DP_PIPE_BACKENDS][DP_BURST]; /**< this burst's
						       calls, per backend */
	unsigned int n_ctx;
	uint32_t where;			/**< DP_PIPE_IN(), read by the watchdog */
	uint32_t n_pend;		/**< size of the pending pool */
	uint32_t n_free;
	uint32_t *free_idx;		/**< n_pend entries */
	struct dp_pending *pend;	/**< n_pend entries */
	uint16_t n_dirty;		/**< guests with replies queued */
	struct dp_guest *dirty[DP_PIPE_DIRTY];
	uint64_t mgr_busy;		/**< slow-path requests refused: ring full */
	uint64_t tsc_per_ms;		/**< timer cycles per ms, for report stamps */
	uint32_t mgr_out;		/**< requests at the manager, unanswered */
	struct dp_sock_lcore sock;	/**< the socket service's hand-off */
};

/**
 * True while the pipeline waits for something no eventfd announces: calls
 * on an accelerator or answers from the manager. The I/O lcore keeps
 * polling then (lcore.h, idle). Its lcore only.
 */
static inline bool
dp_pipe_busy(const struct dp_pipe *p)
{
	return p->n_free != p->n_pend || p->mgr_out != 0;
}

/**
 * Set up one lcore's pipeline: rings, accelerator contexts for every
 * registered backend, the pending table. Main lcore, before launch.
 * @param n_pend  calls in flight at most (the sum of its guests' budgets)
 * @param sw      a context to use for the "sw" backend instead of a local
 *                one (a link to a function worker lcore; not owned), or NULL.
 * @return 0 or -errno.
 */
int dp_pipe_init(struct dp_pipe *p, unsigned int lcore, struct rte_mempool *msg_pool,
		 int wake_fd, uint32_t n_pend, uint64_t max_reps, struct fpga_ctx *sw);

/** Say what a DP_PIPE_IN() value means ("polling", "compressdev submit"). */
void dp_pipe_where_str(uint32_t where, char *buf, size_t len);

/** Free what dp_pipe_init() made. Main lcore, after the lcore stopped. */
void dp_pipe_fini(struct dp_pipe *p);

/** The "hostlane" frame handler (handler.c): requests from a guest. */
void dp_pipe_rx(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n);

/**
 * Once per poll-loop pass on the I/O lcore: apply the manager's answers,
 * collect accelerator completions and socket answers, send the queued
 * replies. @return socket answers replied to (work for the idle ladder).
 */
unsigned int dp_pipe_poll(struct dp_pipe *p);

/**
 * Reply to g with the header h (made into a reply) and the h->hl.payload_len
 * bytes already at m's payload offset; m (one segment, room for
 * HL_FRAME_MAX) is consumed. Errors are counted by status. I/O lcore.
 */
void dp_pipe_reply(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
		   struct hl_frame_hdr *h, enum hl_status st);

/** A one-segment frame with HL_FRAME_MAX bytes of room, or NULL. I/O lcore. */
struct rte_mbuf *dp_pipe_reply_mbuf(struct dp_guest *g);

#endif /* DP_PIPELINE_H */
