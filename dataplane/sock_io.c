/* SPDX-License-Identifier: BSD-3-Clause */
/* The socket service on the I/O lcore: decode, hand over, reply (sock.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_mbuf.h>

#include "guest.h"
#include "pipeline.h"
#include "sock.h"

/* A well-formed call answered here: arg0 = the errno, no payload. */
static void
answer_now(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	   struct hl_frame_hdr *h, enum hl_status st, int64_t res)
{
	h->hl.payload_len = 0;
	h->hl.arg0 = (uint64_t)res;
	h->hl.arg1 = 0;
	h->hl.state = 0;
	dp_pipe_reply(p, g, m, h, st);
}

/* Calls whose reply carries data need a whole frame of room. */
static int
needs_room(uint16_t op)
{
	return op == HL_OP_SOCK_RECV || op == HL_OP_SOCK_RECV_BULK ||
	       op == HL_OP_SOCK_ACCEPT || op == HL_OP_SOCK_GETOPT ||
	       op == HL_OP_SOCK_GETNAME || op == HL_OP_SOCK_EVENTS;
}

/* Where the reply's payload goes: m itself when it has room, else a new
 * frame. @return 0, or -1 if the pool is dry. */
static int
reply_room(struct dp_guest *g, struct dp_sock_msg *msg)
{
	struct rte_mbuf *m = msg->m;

	msg->reply = NULL;
	if (!needs_room(msg->req.op) ||
	    rte_pktmbuf_tailroom(m) + m->data_len >= HL_FRAME_MAX) {
		msg->out = rte_pktmbuf_mtod_offset(m, uint8_t *, HL_FRAME_HDR_LEN);
		return 0;
	}
	msg->reply = dp_pipe_reply_mbuf(g);
	if (msg->reply == NULL)
		return -1;
	msg->out = rte_pktmbuf_mtod_offset(msg->reply, uint8_t *, HL_FRAME_HDR_LEN);
	return 0;
}

/* A _BULK call's range, checked against the connection it came on. */
static enum hl_status
bulk_resolve(struct dp_guest *g, struct dp_sock_msg *msg)
{
	struct dp_memif_rt *rt = g->fast.rx_rt;
	const struct hl_sock_bulk *b = &msg->req.bulk;

	if (rt == NULL || b->region >= rt->n_regions ||
	    !hl_proto_range_in(b->off, b->len, rt->regions[b->region].size))
		return HL_E_BAD_REQUEST;
	msg->bulk = rt->regions[b->region].base + b->off;
	msg->bulk_rt = rt;
	return HL_OK;
}

/* Fill msg from the checked request; @return HL_OK or why not. */
static enum hl_status
msg_fill(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	 const struct hl_frame_hdr *h, struct dp_sock_msg *msg)
{
	enum hl_status st;

	memset(msg, 0, sizeof(*msg));
	msg->g = g;
	msg->conf = g->conf;
	msg->guest = g->idx;
	msg->lcore = (uint16_t)p->sock.idx;
	msg->epoch = g->pl.epoch;
	msg->hdr = *h;
	msg->m = m;
	st = dp_sock_req_parse(h, rte_pktmbuf_mtod_offset(m, const uint8_t *,
							  HL_FRAME_HDR_LEN), &msg->req);
	if (st != HL_OK)
		return st;
	msg->data = rte_pktmbuf_mtod_offset(m, const uint8_t *,
					    HL_FRAME_HDR_LEN + msg->req.data_off);
	if (msg->req.op == HL_OP_SOCK_SEND_BULK || msg->req.op == HL_OP_SOCK_RECV_BULK) {
		st = bulk_resolve(g, msg);
		if (st != HL_OK)
			return st;
	}
	return reply_room(g, msg) == 0 ? HL_OK : HL_E_BUSY;
}

static unsigned int
worker_of(const struct dp_sock_svc *svc, const struct dp_guest *g)
{
	return g->idx % svc->n_workers;
}

/* A guest without sockets: refused here, no worker bothered. */
static int64_t
refusal(const struct dp_guest *g, uint16_t op)
{
	if (g->conf->sock.enabled)
		return 0;
	return op == HL_OP_SOCK_SOCKET || op == HL_OP_SOCK_EVENTS ? -EACCES : -EBADF;
}

void
dp_sock_rx(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	   struct hl_frame_hdr *h)
{
	struct dp_sock_lcore *sl = &p->sock;
	struct dp_sock_msg *msg;
	enum hl_status st;
	int64_t no;
	unsigned int w;

	if (sl->svc == NULL) {
		answer_now(p, g, m, h, HL_OK, -ENOSYS);
		return;
	}
	if (g->pl.inflight >= g->conf->max_inflight) {
		answer_now(p, g, m, h, HL_E_BUSY, 0);
		return;
	}
	if (unlikely(rte_mempool_get(sl->pool, (void **)&msg) != 0)) {
		sl->pool_empty++;
		answer_now(p, g, m, h, HL_E_BUSY, 0);
		return;
	}
	st = msg_fill(p, g, m, h, msg);
	no = st == HL_OK ? refusal(g, h->hl.opcode) : 0;
	if (st != HL_OK || no != 0) {
		if (msg->reply != NULL)
			rte_pktmbuf_free(msg->reply);
		rte_mempool_put(sl->pool, msg);
		answer_now(p, g, m, h, st, st == HL_OK ? no : st == HL_E_BUSY ? 0 : -EINVAL);
		return;
	}
	w = worker_of(sl->svc, g);
	/* Never full: the ring holds the whole pool (dp_sock_lcore_init()). */
	rte_ring_enqueue(sl->to_w[w], msg);
	sl->kick[w] = 1;
	sl->out++;
	__atomic_store_n(&g->pl.inflight, g->pl.inflight + 1, __ATOMIC_RELAXED);
	if (msg->bulk_rt != NULL)	/* release: the main lcore waits for 0 */
		__atomic_store_n(&msg->bulk_rt->bulk_inflight,
				 msg->bulk_rt->bulk_inflight + 1, __ATOMIC_RELEASE);
}

/* Wake the workers that were given calls this pass and said they sleep. */
static void
kick_workers(struct dp_sock_lcore *sl)
{
	uint64_t one = 1;

	for (unsigned int w = 0; w < sl->svc->n_workers; w++) {
		struct dp_sock_worker *wk = &sl->svc->workers[w];

		if (!sl->kick[w])
			continue;
		sl->kick[w] = 0;
		/* Full fence: our enqueue before its flag; pairs with the
		 * worker's fence between setting `sleeping` and its last look
		 * at the rings, so one of us sees the other. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&wk->sleeping, __ATOMIC_RELAXED) &&
		    write(wk->efd, &one, sizeof(one)) == sizeof(one))
			sl->kicks++;
	}
}

/* An answer: the reply built from it, or nothing for an ended connection. */
static void
complete(struct dp_pipe *p, struct dp_sock_msg *msg)
{
	struct dp_guest *g = msg->g;
	struct rte_mbuf *m = msg->reply != NULL ? msg->reply : msg->m;
	struct hl_frame_hdr *h = &msg->hdr;

	if (msg->bulk_rt != NULL)	/* done with guest memory: release */
		__atomic_store_n(&msg->bulk_rt->bulk_inflight,
				 msg->bulk_rt->bulk_inflight - 1, __ATOMIC_RELEASE);
	if (msg->drop || msg->epoch != g->pl.epoch) {
		if (msg->reply != NULL)
			rte_pktmbuf_free(msg->reply);
		rte_pktmbuf_free(msg->m);
	} else {
		if (msg->reply != NULL)
			rte_pktmbuf_free(msg->m);
		h->hl.arg0 = (uint64_t)msg->res;
		h->hl.arg1 = msg->res1;
		h->hl.state = (uint16_t)msg->state;
		h->hl.payload_len = msg->out_len;
		dp_pipe_reply(p, g, m, h, HL_OK);
	}
	/* Last: at 0 the main lcore may release a removed guest's slot.
	 * Relaxed, as pipeline.c's: it reads it after a grace period. */
	__atomic_store_n(&g->pl.inflight, g->pl.inflight - 1, __ATOMIC_RELAXED);
}

unsigned int
dp_sock_poll(struct dp_pipe *p)
{
	struct dp_sock_lcore *sl = &p->sock;
	struct dp_sock_msg *msgs[32];
	unsigned int total = 0;

	if (sl->svc == NULL)
		return 0;
	kick_workers(sl);
	if (sl->out == 0)
		return 0;
	for (unsigned int w = 0; w < sl->svc->n_workers; w++) {
		unsigned int n = rte_ring_dequeue_burst(sl->from_w[w], (void **)msgs,
							RTE_DIM(msgs), NULL);

		for (unsigned int i = 0; i < n; i++) {
			complete(p, msgs[i]);
			rte_mempool_put(sl->pool, msgs[i]);
		}
		sl->out -= n;
		total += n;
	}
	return total;
}

int
dp_sock_lcore_ready(const struct dp_sock_lcore *sl)
{
	if (sl->svc == NULL || sl->out == 0)
		return 0;
	for (unsigned int w = 0; w < sl->svc->n_workers; w++)
		if (rte_ring_count(sl->from_w[w]) != 0)
			return 1;
	return 0;
}
