/* SPDX-License-Identifier: BSD-3-Clause */
/* The request pipeline: decode, validate, dispatch hostlane messages. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "guest.h"
#include "pipeline.h"
#include "pvswitch.h"


/* ---- replies ---------------------------------------------------------- */

static void
flush_guest(struct dp_guest *g)
{
	if (g->pl.txn > 0)
		dp_guest_tx(g, g->pl.txq, g->pl.txn);
	g->pl.txn = 0;
}

static void
flush_all(struct dp_pipe *p)
{
	for (uint16_t i = 0; i < p->n_dirty; i++) {
		flush_guest(p->dirty[i]);
		p->dirty[i]->pl.tx_dirty = 0;
	}
	p->n_dirty = 0;
}

/* Queue a reply; all of a pass's replies to a guest leave in one burst. */
static void
queue_reply(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m)
{
	if (!g->pl.tx_dirty) {
		if (p->n_dirty == DP_PIPE_DIRTY)
			flush_all(p);
		g->pl.tx_dirty = 1;
		p->dirty[p->n_dirty++] = g;
	}
	g->pl.txq[g->pl.txn++] = m;
	if (g->pl.txn == DP_BURST)
		flush_guest(g);
}

/*
 * Write a reply header (made from the request's copy) and payload_len bytes
 * of payload already in place into m, and queue it. m holds one segment of
 * at least HL_FRAME_MAX bytes of room.
 */
static void
send_reply(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	   struct hl_frame_hdr *h, enum hl_status st)
{
	hl_proto_hdr_make_reply(h, g->mac, st);
	if (st != HL_OK && (unsigned int)st < DP_PIPE_STATUSES)
		g->pl.err_by_status[st]++;
	rte_memcpy(rte_pktmbuf_mtod(m, void *), h, sizeof(*h));
	m->data_len = (uint16_t)(HL_FRAME_HDR_LEN + h->hl.payload_len);
	m->pkt_len = m->data_len;
	queue_reply(p, g, m);
}

/* A fresh one-segment mbuf to build a reply in; NULL if the pool is dry. */
static struct rte_mbuf *
reply_mbuf(struct dp_guest *g)
{
	/* Acquire: the main lcore may switch pools (guest.h, fast.mp). */
	struct rte_mempool *mp = __atomic_load_n(&g->fast.mp, __ATOMIC_ACQUIRE);
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m != NULL && rte_pktmbuf_tailroom(m) < HL_FRAME_MAX) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

/*
 * Reuse the request frame (one segment: trim_chain()) for a payload-less
 * reply; a refusal's args are zeroed, its state left as the caller set it.
 */
static void
reply_in_place(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	       struct hl_frame_hdr *h, enum hl_status st)
{
	h->hl.payload_len = 0;
	if (st != HL_OK)	/* a refusal carries no result (protocol.md) */
		h->hl.arg0 = h->hl.arg1 = 0;
	send_reply(p, g, m, h, st);
}

/* ---- the slow-path hand-off -------------------------------------------- */

/* Hand a request to the manager; false (and an E_BUSY reply) if it cannot. */
static bool
to_manager(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	   struct hl_frame_hdr *h, enum dp_fnmsg_op op, const struct hl_fn_open *o)
{
	struct dp_fnmsg *msg;
	uint64_t one = 1;

	if (unlikely(rte_mempool_get(p->msg_pool, (void **)&msg) != 0)) {
		p->mgr_busy++;
		reply_in_place(p, g, m, h, HL_E_BUSY);
		return false;
	}
	memset(msg, 0, sizeof(*msg));
	msg->g = g;
	msg->guest = g->idx;
	msg->op = op;
	msg->epoch = g->pl.epoch;
	msg->session = h->hl.session;
	msg->hdr = *h;
	if (o != NULL) {
		msg->placement = o->placement;
		memcpy(msg->name, o->name, sizeof(msg->name));
	}
	if (unlikely(rte_ring_enqueue(p->to_mgr, msg) != 0)) {
		rte_mempool_put(p->msg_pool, msg);
		p->mgr_busy++;
		reply_in_place(p, g, m, h, HL_E_BUSY);
		return false;
	}
	rte_pktmbuf_free(m);
	p->mgr_out++;
	g->pl.mgr_out++;
	/* Wake the main lcore: a non-blocking eventfd write, slow path only. */
	if (write(p->wake_fd, &one, sizeof(one)) < 0)
		p->mgr_busy++;
	return true;
}

static void
apply_open(struct dp_guest *g, struct dp_fnmsg *msg)
{
	struct dp_session *s;
	uint32_t slot = DP_SESSION_SLOT(msg->new_session);

	msg->hdr.hl.arg0 = msg->placement;
	if (msg->status != HL_OK || slot >= g->conf->max_sessions)
		return;
	s = &g->pl.sessions[slot];
	memset(s, 0, offsetof(struct dp_session, out));
	s->id = msg->new_session;
	s->state = DP_SESSION_OPEN;
	s->fn = msg->fn;
	msg->hdr.hl.session = msg->new_session;
}

static void
apply_activate(struct dp_guest *g, struct dp_fnmsg *msg)
{
	struct dp_session *s = dp_session_find(g->pl.sessions, g->conf->max_sessions,
					       msg->session);

	if (msg->status != HL_OK)
		return;
	if (s == NULL) {
		msg->status = HL_E_BAD_SESSION;	/* closed meanwhile */
		return;
	}
	s->state = DP_SESSION_ACTIVE;
	s->unplaced = 0;
	s->placement = msg->placed;
	s->backend = msg->backend;
	s->fn_state = HL_FN_WAIT;
	msg->hdr.hl.arg0 = msg->placed;
	msg->hdr.hl.state = HL_FN_WAIT;
}

/* The manager answered: record it in the session table, reply to the guest. */
static void
apply_answer(struct dp_pipe *p, struct dp_fnmsg *msg)
{
	struct dp_guest *g = msg->g;
	struct rte_mbuf *m;

	/* The guest's, whichever connection sent it (the guard: a slot
	 * reused meanwhile starts again from 0). */
	if (msg->op == DP_FNMSG_REPORT && g->pl.reports_out > 0)
		g->pl.reports_out--;
	else if (msg->op != DP_FNMSG_REPORT && g->pl.mgr_out > 0)
		g->pl.mgr_out--;
	if (msg->epoch == g->pl.epoch) {
		if (msg->op == DP_FNMSG_OPEN)
			apply_open(g, msg);
		else if (msg->op == DP_FNMSG_ACTIVATE)
			apply_activate(g, msg);
		m = reply_mbuf(g);
		if (m != NULL) {
			msg->hdr.hl.payload_len = 0;
			send_reply(p, g, m, &msg->hdr, msg->status);
		} else {
			g->fast.st.handler_drops++;
		}
	}
	p->mgr_out--;
	rte_mempool_put(p->msg_pool, msg);
}

/* ---- calls -------------------------------------------------------------- */

static enum hl_status
errno_status(int32_t st)
{
	switch (st) {
	case 0: return HL_OK;
	case -ENOTSUP: return HL_E_UNKNOWN_FN;
	case -EINVAL: case -EFAULT: case -EBADMSG: return HL_E_BAD_REQUEST;
	case -EMSGSIZE: return HL_E_TOO_LARGE;
	case -E2BIG: return HL_E_QUOTA;
	default: return HL_E_INTERNAL;
	}
}

static struct dp_pending *
pending_get(struct dp_pipe *p, uint32_t *idx)
{
	if (p->n_free == 0)
		return NULL;
	*idx = p->free_idx[--p->n_free];
	return &p->pend[*idx];
}

static void
pending_put(struct dp_pipe *p, uint32_t idx)
{
	p->free_idx[p->n_free++] = idx;
}

/* Output space for a call: none, the session's GET buffer, or a new frame. */
static int
call_output(struct dp_guest *g, struct dp_session *s, uint16_t op,
	    struct rte_mbuf **reply, struct fpga_job *job)
{
	const struct fpga_fn_info *fi = fpga_fn_info(s->fn);

	if (op == HL_OP_FN_SET) {
		job->out = s->out;
		job->out_cap = HL_PAYLOAD_MAX;
		return 0;
	}
	if (fi == NULL || fi->out == FPGA_OUT_NONE)
		return 0;
	*reply = reply_mbuf(g);
	if (*reply == NULL)
		return -1;
	job->out = rte_pktmbuf_mtod_offset(*reply, uint8_t *, HL_FRAME_HDR_LEN);
	job->out_cap = HL_PAYLOAD_MAX;
	return 0;
}

/* ---- batches: calls wait for the end of the guest's burst -------------- */

/* A batched call its backend did not take: undo it and answer E_BUSY. */
static void
batch_refuse(struct dp_pipe *p, uint32_t idx)
{
	struct dp_pending *pd = &p->pend[idx];
	struct dp_guest *g = pd->g;
	struct hl_frame_hdr h;

	__atomic_store_n(&g->pl.inflight, g->pl.inflight - 1, __ATOMIC_RELAXED);
	if (pd->bulk_rt != NULL)
		__atomic_store_n(&pd->bulk_rt->bulk_inflight,
				 pd->bulk_rt->bulk_inflight - 1, __ATOMIC_RELEASE);
	rte_pktmbuf_free(pd->reply);
	memcpy(&h, rte_pktmbuf_mtod(pd->req, void *), sizeof(h));
	pending_put(p, idx);
	reply_in_place(p, g, pd->req, &h, HL_E_BUSY);
}

/* Tell the watchdog where this lcore is going: relaxed, a label only. */
static inline void
where_set(struct dp_pipe *p, uint32_t where)
{
	__atomic_store_n(&p->where, where, __ATOMIC_RELAXED);
}

static unsigned int
backend_submit(struct dp_pipe *p, unsigned int b, const struct fpga_job *jobs,
	       unsigned int n)
{
	unsigned int k;

	where_set(p, DP_PIPE_IN(b, DP_PIPE_IN_SUBMIT));
	k = fpga_submit(p->ctx[b], jobs, n);
	where_set(p, 0);
	p->ctx_jobs[b] += k;
	return k;
}

static void
batch_flush_one(struct dp_pipe *p, unsigned int b)
{
	unsigned int n = p->n_batch[b], k = backend_submit(p, b, p->batch[b], n);

	for (unsigned int i = k; i < n; i++)
		batch_refuse(p, (uint32_t)p->batch[b][i].tag);
	p->n_batch[b] = 0;
}

/* Hand every batched call to its backend: one submit per backend. */
static void
batch_flush(struct dp_pipe *p)
{
	for (unsigned int b = 0; b < p->n_ctx; b++)
		if (p->n_batch[b] != 0)
			batch_flush_one(p, b);
}

/*
 * Queue job (input and output already set) for session s; m is the request
 * frame, kept until the reply. bulk_rt: the connection whose memory the job
 * reads and writes (FN_CALL_BULK), which then stays mapped until it is done.
 * Calls join their backend's batch (submitted at the end of the burst, so
 * a multi-buffer PMD fills its lanes and a device rings its doorbell once);
 * a SET goes at once, since a GET in the same burst must see it BUSY.
 */
static enum hl_status
submit_job(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	   const struct hl_frame_hdr *h, struct dp_session *s,
	   struct fpga_job *job, struct dp_memif_rt *bulk_rt)
{
	struct dp_pending *pd;
	struct rte_mbuf *reply = NULL;
	uint32_t idx;

	if (g->pl.inflight >= g->conf->max_inflight)
		return HL_E_BUSY;
	pd = pending_get(p, &idx);
	if (pd == NULL)
		return HL_E_BUSY;
	if (bulk_rt == NULL && call_output(g, s, h->hl.opcode, &reply, job) < 0) {
		pending_put(p, idx);
		return HL_E_BUSY;
	}
	job->tag = idx;
	job->fn = s->fn;
	job->arg0 = h->hl.arg0;
	job->arg1 = h->hl.arg1;
	*pd = (struct dp_pending){ .g = g, .req = m, .reply = reply,
				   .bulk_rt = bulk_rt, .epoch = g->pl.epoch,
				   .session = s->id, .op = h->hl.opcode };
	if (h->hl.opcode != HL_OP_FN_SET) {
		p->batch[s->backend][p->n_batch[s->backend]++] = *job;
	} else if (backend_submit(p, s->backend, job, 1) != 1) {
		rte_pktmbuf_free(reply);
		pending_put(p, idx);
		return HL_E_BUSY;
	}
	__atomic_store_n(&g->pl.inflight, g->pl.inflight + 1, __ATOMIC_RELAXED);
	if (bulk_rt != NULL)	/* release: the main lcore waits for 0 */
		__atomic_store_n(&bulk_rt->bulk_inflight, bulk_rt->bulk_inflight + 1,
				 __ATOMIC_RELEASE);
	if (h->hl.opcode == HL_OP_FN_SET) {
		s->inflight++;
		s->fn_state = HL_FN_BUSY;
	}
	if (p->n_batch[s->backend] == DP_BURST)
		batch_flush_one(p, s->backend);
	return HL_OK;
}

/* The session a call names, if it may take one now; else why not. */
static enum hl_status
call_session(struct dp_pipe *p, struct dp_guest *g, const struct hl_frame_hdr *h,
	     struct dp_session **sp)
{
	struct dp_session *s = dp_session_find(g->pl.sessions, g->conf->max_sessions,
					       h->hl.session);

	*sp = s;
	if (s == NULL)
		return HL_E_BAD_SESSION;
	if (s->state != DP_SESSION_ACTIVE || s->backend >= p->n_ctx)
		return s->unplaced ? HL_E_HW_UNAVAIL : HL_E_BAD_STATE;
	if (p->ctx[s->backend] == NULL)
		return HL_E_HW_UNAVAIL;
	return HL_OK;
}

static void
do_call(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	struct hl_frame_hdr *h)
{
	struct fpga_job job = { .in_len = h->hl.payload_len };
	struct dp_session *s;
	enum hl_status st = call_session(p, g, h, &s);

	if (st == HL_OK) {
		if (job.in_len > 0)
			job.in = rte_pktmbuf_mtod_offset(m, uint8_t *, HL_FRAME_HDR_LEN);
		st = submit_job(p, g, m, h, s, &job, NULL);
	}
	if (st != HL_OK)
		reply_in_place(p, g, m, h, st);
}

/*
 * Point job at the guest memory a bulk call names: the copied descriptor's
 * region and ranges are checked against this connection's regions.
 */
static enum hl_status
bulk_resolve(const struct dp_memif_rt *rt, const struct hl_bulk *b,
	     struct fpga_job *job)
{
	const struct dp_memif_region *r;
	enum hl_status st;

	if (b->region >= rt->n_regions)
		return HL_E_BAD_REQUEST;
	r = &rt->regions[b->region];
	st = hl_proto_bulk_ranges(b, r->size);
	if (st != HL_OK)
		return st;
	job->in_len = b->in_len;
	job->in = b->in_len != 0 ? r->base + b->in_off : NULL;
	job->out_cap = b->out_cap;
	job->out = b->out_cap != 0 ? r->base + b->out_off : NULL;
	return HL_OK;
}

/* FN_CALL_BULK: input and output in the guest's memif regions (proto.h). */
static void
do_call_bulk(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	     struct hl_frame_hdr *h)
{
	/* The connection this frame came from: mapped until our next
	 * quiescent point, and after it while bulk_inflight says so. */
	struct dp_memif_rt *rt = g->fast.rx_rt;
	struct fpga_job job = { 0 };
	struct dp_session *s;
	struct hl_bulk b;
	enum hl_status st;

	st = hl_proto_bulk_parse(rte_pktmbuf_mtod_offset(m, void *, HL_FRAME_HDR_LEN),
				 h->hl.payload_len, &b);
	if (st == HL_OK && rt == NULL)
		st = HL_E_BAD_REQUEST;	/* bulk calls need a memif channel */
	if (st == HL_OK)
		st = call_session(p, g, h, &s);
	if (st == HL_OK)
		st = bulk_resolve(rt, &b, &job);
	if (st == HL_OK)
		st = submit_job(p, g, m, h, s, &job, rt);
	if (st != HL_OK)
		reply_in_place(p, g, m, h, st);
}

/* A call finished: its completion becomes the reply. */
static void
complete_call(struct dp_pipe *p, const struct fpga_completion *c)
{
	struct dp_pending *pd = &p->pend[c->tag];
	struct dp_guest *g = pd->g;
	struct rte_mbuf *m = pd->reply != NULL ? pd->reply : pd->req;
	struct hl_frame_hdr h;
	struct dp_session *s;

	pending_put(p, (uint32_t)c->tag);
	if (pd->bulk_rt != NULL)	/* done with guest memory: release */
		__atomic_store_n(&pd->bulk_rt->bulk_inflight,
				 pd->bulk_rt->bulk_inflight - 1, __ATOMIC_RELEASE);
	/* The guest's budget, whichever connection the call was made on;
	 * relaxed store: the main lcore reads it before reusing the slot. */
	__atomic_store_n(&g->pl.inflight, g->pl.inflight - 1, __ATOMIC_RELAXED);
	if (pd->epoch != g->pl.epoch) {	/* the guest reconnected meanwhile */
		if (pd->reply != NULL)
			rte_pktmbuf_free(pd->reply);
		rte_pktmbuf_free(pd->req);
		return;
	}
	memcpy(&h, rte_pktmbuf_mtod(pd->req, void *), sizeof(h));
	if (pd->reply != NULL)
		rte_pktmbuf_free(pd->req);
	/* A refused call carries no state and no result (docs/protocol.md). */
	h.hl.arg0 = c->status == 0 ? c->result : 0;
	h.hl.arg1 = pd->op == HL_OP_FN_CALL_BULK && c->status == 0 ? c->out_len : 0;
	h.hl.state = c->status == 0 ? HL_FN_DONE : HL_FN_NONE;
	h.hl.payload_len = pd->op == HL_OP_FN_CALL && c->status == 0 ? c->out_len : 0;
	s = dp_session_find(g->pl.sessions, g->conf->max_sessions, pd->session);
	if (pd->op == HL_OP_FN_SET && s != NULL) {
		s->inflight--;
		s->fn_state = c->status == 0 ? HL_FN_DONE : HL_FN_WAIT;
		s->result = c->status == 0 ? c->result : 0;
		s->out_len = c->status == 0 ? c->out_len : 0;
	}
	send_reply(p, g, m, &h, errno_status(c->status));
}

static void
do_get(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
       struct hl_frame_hdr *h)
{
	struct dp_session *s = dp_session_find(g->pl.sessions, g->conf->max_sessions,
					       h->hl.session);

	if (s == NULL || s->state != DP_SESSION_ACTIVE) {
		reply_in_place(p, g, m, h, s == NULL ? HL_E_BAD_SESSION : HL_E_BAD_STATE);
		return;
	}
	h->hl.state = s->fn_state;
	if (s->fn_state != HL_FN_DONE) {
		reply_in_place(p, g, m, h, s->fn_state == HL_FN_BUSY ? HL_OK :
			       HL_E_BAD_STATE);
		return;
	}
	if (rte_pktmbuf_tailroom(m) + m->data_len < HL_FRAME_MAX) {
		rte_pktmbuf_free(m);
		m = reply_mbuf(g);
		if (m == NULL) {
			g->fast.st.handler_drops++;
			return;
		}
	}
	h->hl.arg0 = s->result;
	h->hl.payload_len = s->out_len;
	rte_memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, HL_FRAME_HDR_LEN), s->out,
		   s->out_len);
	send_reply(p, g, m, h, HL_OK);
}

static void
do_reset(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	 struct hl_frame_hdr *h)
{
	struct dp_session *s = dp_session_find(g->pl.sessions, g->conf->max_sessions,
					       h->hl.session);
	enum hl_status st = HL_OK;

	if (s == NULL)
		st = HL_E_BAD_SESSION;
	else if (s->state != DP_SESSION_ACTIVE)
		st = HL_E_BAD_STATE;
	else if (s->inflight > 0)
		st = HL_E_BUSY;
	else {
		s->fn_state = HL_FN_WAIT;
		s->result = 0;
		s->out_len = 0;
	}
	h->hl.state = s != NULL ? s->fn_state : HL_FN_NONE;
	reply_in_place(p, g, m, h, st);
}

/* ---- session lifecycle and hello --------------------------------------- */

static void
do_open(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	struct hl_frame_hdr *h)
{
	struct hl_fn_open o;
	enum hl_status st;

	st = hl_proto_fn_open_parse(rte_pktmbuf_mtod_offset(m, void *, HL_FRAME_HDR_LEN),
				    h->hl.payload_len, &o);
	if (st != HL_OK || h->hl.session != 0) {
		reply_in_place(p, g, m, h, st != HL_OK ? st : HL_E_BAD_REQUEST);
		return;
	}
	to_manager(p, g, m, h, DP_FNMSG_OPEN, &o);
}

static void
do_activate_close(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
		  struct hl_frame_hdr *h)
{
	struct dp_session *s = dp_session_find(g->pl.sessions, g->conf->max_sessions,
					       h->hl.session);

	if (s == NULL || h->hl.payload_len != 0) {
		reply_in_place(p, g, m, h, s == NULL ? HL_E_BAD_SESSION :
			       HL_E_BAD_LENGTH);
		return;
	}
	if (h->hl.opcode == HL_OP_FN_ACTIVATE) {
		if (s->state != DP_SESSION_OPEN) {
			reply_in_place(p, g, m, h, HL_E_BAD_STATE);
			return;
		}
		to_manager(p, g, m, h, DP_FNMSG_ACTIVATE, NULL);
		return;
	}
	/* Release once the manager has it: from then on no call can name it.
	 * Refused (busy), the session stays and the guest may retry. */
	if (to_manager(p, g, m, h, DP_FNMSG_CLOSE, NULL)) {
		s->state = DP_SESSION_FREE;
		s->id = 0;
	}
}

static void
do_hello(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	 struct hl_frame_hdr *h)
{
	struct hl_hello hello = {
		.name = "hostlane",
		.version_min = HL_PROTO_VERSION,
		.version_max = HL_PROTO_VERSION,
		.max_inflight = g->conf->max_inflight,
		.max_payload = HL_PAYLOAD_MAX,
		.max_bulk = g->fast.chan == DP_CHAN_MEMIF ? HL_BULK_MAX : 0,
	};

	if (h->hl.payload_len != sizeof(hello)) {
		reply_in_place(p, g, m, h, HL_E_BAD_LENGTH);
		return;
	}
	g->pl.hello_done = 1;
	rte_memcpy(rte_pktmbuf_mtod_offset(m, void *, HL_FRAME_HDR_LEN), &hello,
		   sizeof(hello));
	send_reply(p, g, m, h, HL_OK);
}

static void
do_bye(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
       struct hl_frame_hdr *h)
{
	if (!to_manager(p, g, m, h, DP_FNMSG_BYE, NULL))
		return;
	for (uint16_t i = 0; i < g->conf->max_sessions; i++) {
		g->pl.sessions[i].state = DP_SESSION_FREE;
		g->pl.sessions[i].id = 0;
	}
}

/* ---- guest reports ------------------------------------------------------- */

/* May this report go to the main lcore? HL_OK, or why not (counted). */
static enum hl_status
report_admit(struct dp_guest *g, const struct hl_frame_hdr *h)
{
	if (h->hl.session != 0 || h->hl.arg0 != 0 || h->hl.arg1 != 0) {
		g->fast.st.report_invalid++;
		return HL_E_BAD_REQUEST;
	}
	if (g->conf->vf_role == DP_VF_NONE) {
		g->fast.st.report_invalid++;
		return HL_E_PERM;
	}
	if (g->pl.reports_out >= DP_REPORT_INFLIGHT) {
		g->fast.st.report_drops++;
		return HL_E_BUSY;
	}
	return HL_OK;
}

/* Fill msg (its report already parsed) and hand it over. */
static enum hl_status
report_hand_over(struct dp_pipe *p, struct dp_guest *g,
		 const struct hl_frame_hdr *h, struct dp_fnmsg *msg)
{
	memset(msg, 0, offsetof(struct dp_fnmsg, rx_ms));
	msg->g = g;
	msg->guest = g->idx;
	msg->op = DP_FNMSG_REPORT;
	msg->epoch = g->pl.epoch;
	msg->hdr = *h;
	msg->rx_ms = rte_get_timer_cycles() / p->tsc_per_ms;
	if (unlikely(rte_ring_enqueue(p->to_mgr, msg) != 0)) {
		rte_mempool_put(p->msg_pool, msg);
		p->mgr_busy++;
		return HL_E_BUSY;
	}
	g->pl.reports_out++;
	p->mgr_out++;	/* answered like any hand-off: apply_answer() */
	return HL_OK;
}

/*
 * STATS_REPORT: copy and validate the guest's counters straight into a
 * hand-off message; the main lcore judges them (report.h) and the reply
 * comes back through apply_answer(). No wake-up: its next tick takes it.
 */
static void
do_report(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	  struct hl_frame_hdr *h)
{
	struct dp_fnmsg *msg = NULL;
	enum hl_status st = report_admit(g, h);

	if (st == HL_OK && unlikely(rte_mempool_get(p->msg_pool, (void **)&msg) != 0)) {
		p->mgr_busy++;
		st = HL_E_BUSY;
	}
	if (st == HL_OK) {
		st = hl_proto_stats_report_parse(
			rte_pktmbuf_mtod_offset(m, void *, HL_FRAME_HDR_LEN),
			h->hl.payload_len, &msg->report);
		if (st != HL_OK) {
			rte_mempool_put(p->msg_pool, msg);
			g->fast.st.report_invalid++;
		}
	}
	if (st == HL_OK)
		st = report_hand_over(p, g, h, msg);
	if (st != HL_OK) {
		reply_in_place(p, g, m, h, st);
		return;
	}
	rte_pktmbuf_free(m);
}

/* ---- sockets ------------------------------------------------------------ */

void
dp_pipe_reply(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m,
	      struct hl_frame_hdr *h, enum hl_status st)
{
	send_reply(p, g, m, h, st);
}

struct rte_mbuf *
dp_pipe_reply_mbuf(struct dp_guest *g)
{
	return reply_mbuf(g);
}

/* ---- dispatch ----------------------------------------------------------- */

typedef void (*op_fn)(struct dp_pipe *, struct dp_guest *, struct rte_mbuf *,
		      struct hl_frame_hdr *);

/*
 * The handler of each opcode, op_<NAME>: the table below is built from
 * proto.h's HL_OPCODE_LIST and indexed by dp_op_index() (guest.h), so an
 * opcode added there without a handler here does not compile, nor one
 * more than the counters hold.
 */
#define op_HELLO do_hello
#define op_BYE do_bye
#define op_FN_OPEN do_open
#define op_FN_ACTIVATE do_activate_close
#define op_FN_CALL do_call
#define op_FN_SET do_call
#define op_FN_GET do_get
#define op_FN_RESET do_reset
#define op_FN_CLOSE do_activate_close
#define op_FN_CALL_BULK do_call_bulk
#define op_STATS_REPORT do_report
#define op_SOCK_SOCKET dp_sock_rx
#define op_SOCK_BIND dp_sock_rx
#define op_SOCK_LISTEN dp_sock_rx
#define op_SOCK_ACCEPT dp_sock_rx
#define op_SOCK_CONNECT dp_sock_rx
#define op_SOCK_SEND dp_sock_rx
#define op_SOCK_RECV dp_sock_rx
#define op_SOCK_SEND_BULK dp_sock_rx
#define op_SOCK_RECV_BULK dp_sock_rx
#define op_SOCK_SHUTDOWN dp_sock_rx
#define op_SOCK_CLOSE dp_sock_rx
#define op_SOCK_SETOPT dp_sock_rx
#define op_SOCK_GETOPT dp_sock_rx
#define op_SOCK_GETNAME dp_sock_rx
#define op_SOCK_EVENTS dp_sock_rx

static const op_fn ops[DP_OPI_COUNT] = {
#define DP_OP_ENTRY_(name, val, pl) [DP_OPI_##name] = op_##name,
	HL_OPCODE_LIST(DP_OP_ENTRY_)
#undef DP_OP_ENTRY_
};

static bool
is_hostlane(const struct rte_mbuf *m)
{
	const struct hl_eth_hdr *e = rte_pktmbuf_mtod(m, const struct hl_eth_hdr *);

	return m->data_len >= HL_ETH_HDR_LEN &&
	       e->ethertype == rte_cpu_to_be_16(HL_ETHERTYPE);
}

/*
 * A request must lie in the first segment (the header check uses its
 * data_len); further segments of a chained frame are padding at best.
 * Free them, so every reply built in the request mbuf is one segment.
 */
static void
trim_chain(struct rte_mbuf *m)
{
	rte_pktmbuf_free(m->next);
	m->next = NULL;
	m->nb_segs = 1;
	m->pkt_len = m->data_len;
}

static void
handle_one(struct dp_pipe *p, struct dp_guest *g, struct rte_mbuf *m)
{
	struct hl_frame_hdr h;
	enum hl_status st;
	unsigned int oi;

	if (unlikely(m->nb_segs > 1))
		trim_chain(m);

	st = hl_proto_hdr_parse(rte_pktmbuf_mtod(m, void *), m->data_len, &h);
	if (st == HL_E_TRUNCATED || st == HL_E_BAD_MAGIC) {
		g->pl.err_by_status[st]++;	/* nothing to address a reply with */
		rte_pktmbuf_free(m);
		return;
	}
	if (st == HL_OK && (h.hl.flags & HL_F_REPLY))
		st = HL_E_BAD_REQUEST;
	if (st == HL_OK && !g->pl.hello_done && h.hl.opcode != HL_OP_HELLO)
		st = HL_E_NOT_HELLO;
	if (st != HL_OK) {
		reply_in_place(p, g, m, &h, st);
		return;
	}
	/* A valid opcode (hl_proto_hdr_parse), so its index is in range. */
	oi = dp_op_index(h.hl.opcode);
	g->pl.req_by_op[oi]++;
	ops[oi](p, g, m, &h);
}

/* Requests are served here; ordinary traffic goes to the PV switch. */
void
dp_pipe_rx(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *other[DP_BURST];
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (is_hostlane(pkts[i]))
			handle_one(g->pl.pipe, g, pkts[i]);
		else
			other[k++] = pkts[i];
		if (k == DP_BURST) {
			dp_pvs_guest_rx(g, other, k);
			k = 0;
		}
	}
	if (k > 0)
		dp_pvs_guest_rx(g, other, k);
	batch_flush(g->pl.pipe);
}

/*
 * A backend's completions: all that are ready, in bursts (at most
 * DP_PIPE_POLL_BURSTS), not one burst per pass. A pass takes up to a
 * budget from every guest (fair.h); answering only DP_BURST of them would
 * queue the rest, first come first served, and that queue, not the
 * budgets, would set each guest's share.
 */
static void
poll_backend(struct dp_pipe *p, unsigned int b)
{
	struct fpga_completion done[DP_BURST];
	unsigned int n, rounds = 0;

	do {
		where_set(p, DP_PIPE_IN(b, DP_PIPE_IN_POLL));
		n = fpga_poll(p->ctx[b], done, DP_BURST);
		where_set(p, 0);
		p->ctx_jobs[b] -= n;
		for (unsigned int i = 0; i < n; i++)
			complete_call(p, &done[i]);
	} while (n == DP_BURST && p->ctx_jobs[b] != 0 &&
		 ++rounds < DP_PIPE_POLL_BURSTS);
}

unsigned int
dp_pipe_poll(struct dp_pipe *p)
{
	struct dp_fnmsg *msgs[DP_BURST];
	unsigned int n, socks;

	batch_flush(p);
	n = rte_ring_dequeue_burst(p->from_mgr, (void **)msgs, DP_BURST, NULL);
	for (unsigned int i = 0; i < n; i++)
		apply_answer(p, msgs[i]);
	/* Only contexts with jobs out: an idle device costs the loop nothing. */
	for (unsigned int b = 0; b < p->n_ctx; b++)
		if (p->ctx_jobs[b] != 0)
			poll_backend(p, b);
	socks = dp_sock_poll(p);
	flush_all(p);
	return socks;
}

/* ---- set-up ------------------------------------------------------------- */

static int
make_rings(struct dp_pipe *p, unsigned int lcore)
{
	char name[RTE_RING_NAMESIZE];
	int socket = (int)rte_lcore_to_socket_id(lcore);

	snprintf(name, sizeof(name), "hl_to_mgr_%u", lcore);
	p->to_mgr = rte_ring_create(name, DP_FNMSG_RING, socket,
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "hl_from_mgr_%u", lcore);
	p->from_mgr = rte_ring_create(name, DP_FNMSG_RING, socket,
				      RING_F_SP_ENQ | RING_F_SC_DEQ);
	return p->to_mgr != NULL && p->from_mgr != NULL ? 0 : -ENOMEM;
}

static int
make_pending(struct dp_pipe *p, uint32_t n, int socket)
{
	p->pend = rte_zmalloc_socket("hl_pending", sizeof(*p->pend) * n,
				     RTE_CACHE_LINE_SIZE, socket);
	p->free_idx = rte_zmalloc_socket("hl_pending_free", sizeof(*p->free_idx) * n,
					 RTE_CACHE_LINE_SIZE, socket);
	if (p->pend == NULL || p->free_idx == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		p->free_idx[i] = n - 1 - i;
	p->n_pend = n;
	p->n_free = n;
	return 0;
}

int
dp_pipe_init(struct dp_pipe *p, unsigned int lcore, struct rte_mempool *msg_pool,
	     int wake_fd, uint32_t n_pend, uint64_t max_reps, struct fpga_ctx *sw)
{
	int socket = (int)rte_lcore_to_socket_id(lcore);
	struct fpga_ctx_conf conf = { .depth = n_pend, .socket_id = socket,
				      .max_reps = max_reps };
	const struct fpga_backend_ops *be;

	p->msg_pool = msg_pool;
	p->wake_fd = wake_fd;
	p->tsc_per_ms = RTE_MAX(rte_get_timer_hz() / 1000, (uint64_t)1);
	if (make_rings(p, lcore) < 0 || make_pending(p, n_pend, socket) < 0)
		return -ENOMEM;
	for (p->n_ctx = 0; (be = fpga_backend_get(p->n_ctx)) != NULL &&
	     p->n_ctx < DP_PIPE_BACKENDS; p->n_ctx++) {
		if (sw != NULL && be == fpga_backend_find("sw")) {
			p->ctx[p->n_ctx] = sw;
			continue;
		}
		/* A hardware unit may serve one lcore only: the others do
		 * without it (their hardware sessions are refused). */
		p->ctx[p->n_ctx] = fpga_init(be, &conf);
		p->own_ctx[p->n_ctx] = p->ctx[p->n_ctx] != NULL;
		if (p->ctx[p->n_ctx] == NULL && be == fpga_backend_find("sw"))
			return -errno;
	}
	return 0;
}

void
dp_pipe_fini(struct dp_pipe *p)
{
	for (unsigned int b = 0; b < p->n_ctx; b++)
		if (p->own_ctx[b])
			fpga_exit(p->ctx[b]);
	p->n_ctx = 0;
	rte_ring_free(p->to_mgr);
	rte_ring_free(p->from_mgr);
	rte_free(p->pend);
	rte_free(p->free_idx);
	p->pend = NULL;
	p->free_idx = NULL;
}

void
dp_pipe_where_str(uint32_t where, char *buf, size_t len)
{
	const struct fpga_backend_ops *be = fpga_backend_get((where >> 2) - 1);

	if (where == 0 || be == NULL) {
		snprintf(buf, len, "its poll loop");
		return;
	}
	snprintf(buf, len, "backend %s, %s", fpga_backend_name(be),
		 (where & 3) == DP_PIPE_IN_SUBMIT ? "submit" : "poll");
}
