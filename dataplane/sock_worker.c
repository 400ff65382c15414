/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A socket worker (sock.h): the guests' host sockets, their held calls,
 * vCanal's class scheduler, and the loop that sleeps in epoll when it has
 * nothing to do. The socket calls themselves are in sock_ops.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "guest.h"
#include "log.h"
#include "sock_int.h"

#define INTAKE_MAX 256u		/* messages per ring per pass */
#define EVENTS_MAX 64
#define SLEEP_MAX_MS 1000	/* a sleeping worker looks at the clock anyway */

uint64_t
dp_sock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- answers -------------------------------------------------------------- */

void
dp_sock_finish(struct dp_sock_worker *w, struct dp_sock_msg *msg)
{
	struct dp_sock_svc *svc = w->svc;
	struct dp_sock_lcore *sl = svc->lcores[msg->lcore];

	if (!msg->drop && msg->res < 0)
		DP_SOCK_GST_ADD(svc, msg->guest, errors, 1);
	/* Never full: the ring holds the lcore's whole pool. */
	rte_ring_enqueue(sl->from_w[w->idx], msg);
	w->kick_lcore[msg->lcore] = 1;
	DP_SOCK_WST_ADD(w, completions, 1);
}

/* Wake the I/O lcores that were given answers and said they sleep. */
static void
kick_lcores(struct dp_sock_worker *w)
{
	uint64_t one = 1;

	for (unsigned int i = 0; i < w->svc->n_lcores; i++) {
		struct dp_sock_lcore *sl = w->svc->lcores[i];

		if (!w->kick_lcore[i])
			continue;
		w->kick_lcore[i] = 0;
		/* Full fence: our enqueue before its flag; pairs with the
		 * lcore's fence between `asleep` and its last ring check. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (sl->wake_fd >= 0 && __atomic_load_n(&sl->asleep, __ATOMIC_RELAXED) &&
		    write(sl->wake_fd, &one, sizeof(one)) == sizeof(one))
			DP_SOCK_WST_ADD(w, kicks, 1);
	}
}

void
dp_sock_answer(struct dp_sock_worker *w, struct dp_sock_msg *msg, int64_t res)
{
	msg->res = res;
	dp_sock_finish(w, msg);
}

void
dp_sock_drop(struct dp_sock_worker *w, struct dp_sock_msg *msg)
{
	msg->drop = 1;
	msg->res = -ECONNRESET;
	dp_sock_finish(w, msg);
}

/* ---- the round robin of guests per class ---------------------------------- */

static void
rr_push(struct dp_sock_worker *w, struct dp_sock_gs *gs, unsigned int c)
{
	if (gs->in_rr[c])
		return;
	gs->in_rr[c] = 1;
	gs->rr_next[c] = NULL;
	if (w->rr_tail[c] != NULL)
		w->rr_tail[c]->rr_next[c] = gs;
	else
		w->rr[c] = gs;
	w->rr_tail[c] = gs;
}

static struct dp_sock_gs *
rr_pop(struct dp_sock_worker *w, unsigned int c)
{
	struct dp_sock_gs *gs = w->rr[c];

	if (gs == NULL)
		return NULL;
	w->rr[c] = gs->rr_next[c];
	if (w->rr[c] == NULL)
		w->rr_tail[c] = NULL;
	gs->in_rr[c] = 0;
	return gs;
}

/* Take gs out of every round robin (it is going away). */
static void
rr_remove(struct dp_sock_worker *w, struct dp_sock_gs *gs)
{
	for (unsigned int c = 0; c < DP_SOCK_CLASSES; c++) {
		struct dp_sock_gs **pp = &w->rr[c], *last = NULL;

		while (*pp != NULL) {
			if (*pp == gs) {
				*pp = gs->rr_next[c];
				continue;
			}
			last = *pp;
			pp = &(*pp)->rr_next[c];
		}
		w->rr_tail[c] = last;
		gs->in_rr[c] = 0;
	}
}

void
dp_sock_queue(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_msg *msg)
{
	unsigned int c = msg->req.cls;

	msg->next = NULL;
	if (gs->q_tail[c] != NULL)
		gs->q_tail[c]->next = msg;
	else
		gs->q[c] = msg;
	gs->q_tail[c] = msg;
	rr_push(w, gs, c);
}

/* msg first in its class: a call that moved some bytes and may move more
 * goes on before the calls queued behind it (a stream's bytes keep their
 * order; the guest's class budget still bounds its turn). */
void
dp_sock_queue_front(struct dp_sock_worker *w, struct dp_sock_gs *gs,
		    struct dp_sock_msg *msg)
{
	unsigned int c = msg->req.cls;

	msg->next = gs->q[c];
	gs->q[c] = msg;
	if (gs->q_tail[c] == NULL)
		gs->q_tail[c] = msg;
	rr_push(w, gs, c);
}

static struct dp_sock_msg *
queue_pop(struct dp_sock_gs *gs, unsigned int c)
{
	struct dp_sock_msg *msg = gs->q[c];

	if (msg == NULL)
		return NULL;
	gs->q[c] = msg->next;
	if (gs->q[c] == NULL)
		gs->q_tail[c] = NULL;
	msg->next = NULL;
	return msg;
}

/* ---- held calls ------------------------------------------------------------ */

void
dp_sock_hold(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
	     struct dp_sock_msg *msg, int out)
{
	struct dp_sock_msg **head = out ? &e->hout : &e->hin;
	struct dp_sock_msg **tail = out ? &e->hout_tail : &e->hin_tail;

	/* The deadline is set once: a call held again keeps its first. */
	if (msg->deadline_ms == 0 && msg->req.wait_ms != HL_SOCK_WAIT_FOREVER)
		msg->deadline_ms = dp_sock_now_ms() + msg->req.wait_ms;
	if (!msg->held) {
		msg->held = 1;
		w->n_held++;
		gs->n_held++;
		DP_SOCK_GST_SET(w->svc, gs->slot, held, gs->n_held);
	}
	if (msg->deadline_ms != 0 &&
	    (w->next_deadline == 0 || msg->deadline_ms < w->next_deadline))
		w->next_deadline = msg->deadline_ms;
	msg->next = NULL;
	if (*tail != NULL)
		(*tail)->next = msg;
	else
		*head = msg;
	*tail = msg;
}

/* A held call leaves its list for good (answered or dropped). */
void
dp_sock_unhold(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_msg *msg)
{
	if (!msg->held)
		return;
	msg->held = 0;
	w->n_held--;
	gs->n_held--;
	DP_SOCK_GST_SET(w->svc, gs->slot, held, gs->n_held);
}

/* Every call held on one of e's lists back to the queues, in order. */
static void
requeue_list(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_msg **head,
	     struct dp_sock_msg **tail)
{
	struct dp_sock_msg *msg = *head;

	*head = *tail = NULL;
	while (msg != NULL) {
		struct dp_sock_msg *next = msg->next;

		dp_sock_queue(w, gs, msg);
		msg = next;
	}
}

/* e's readiness changed: retry the calls it may now complete. */
void
dp_sock_wake_held(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e)
{
	uint32_t in = HL_SOCK_EV_IN | HL_SOCK_EV_ERR | HL_SOCK_EV_HUP | HL_SOCK_EV_RDHUP;
	uint32_t out = HL_SOCK_EV_OUT | HL_SOCK_EV_ERR | HL_SOCK_EV_HUP;

	if ((e->mask & in) && e->hin != NULL)
		requeue_list(w, gs, &e->hin, &e->hin_tail);
	if ((e->mask & out) && e->hout != NULL)
		requeue_list(w, gs, &e->hout, &e->hout_tail);
}

/* Answer every call held on a list with res (drop: no reply at all). */
static void
flush_list(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_msg **head,
	   struct dp_sock_msg **tail, int64_t res, int drop)
{
	struct dp_sock_msg *msg = *head;

	*head = *tail = NULL;
	while (msg != NULL) {
		struct dp_sock_msg *next = msg->next;

		dp_sock_unhold(w, gs, msg);
		if (drop)
			dp_sock_drop(w, msg);
		else
			dp_sock_answer(w, msg, res);
		msg = next;
	}
}

void
dp_sock_flush_held(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
		   int64_t res, int drop)
{
	flush_list(w, gs, &e->hin, &e->hin_tail, res, drop);
	flush_list(w, gs, &e->hout, &e->hout_tail, res, drop);
}

/* What a held call answers at its deadline. */
static void
expire_one(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_msg *msg)
{
	dp_sock_unhold(w, gs, msg);
	DP_SOCK_GST_ADD(w->svc, gs->slot, expired, 1);
	if (msg->req.op == HL_OP_SOCK_EVENTS) {
		msg->out_len = 0;
		msg->state = 0;
		dp_sock_answer(w, msg, 0);
		return;
	}
	dp_sock_tell_state(gs, msg);
	if (msg->done > 0) {
		dp_sock_answer(w, msg, msg->done);
	} else {
		dp_sock_answer(w, msg, msg->req.op == HL_OP_SOCK_CONNECT ? -EINPROGRESS :
				       -EAGAIN);
	}
}

/* One held list: answer what is due, keep the rest; @return the earliest
 * deadline kept (0: none). */
static uint64_t
expire_list(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_msg **head,
	    struct dp_sock_msg **tail, uint64_t now)
{
	struct dp_sock_msg *msg = *head, *keep = NULL, *keep_tail = NULL;
	uint64_t next = 0;

	while (msg != NULL) {
		struct dp_sock_msg *nx = msg->next;

		if (msg->deadline_ms != 0 && msg->deadline_ms <= now) {
			expire_one(w, gs, msg);
		} else {
			msg->next = NULL;
			if (keep_tail != NULL)
				keep_tail->next = msg;
			else
				keep = msg;
			keep_tail = msg;
			if (msg->deadline_ms != 0 && (next == 0 || msg->deadline_ms < next))
				next = msg->deadline_ms;
		}
		msg = nx;
	}
	*head = keep;
	*tail = keep_tail;
	return next;
}

static uint64_t
earliest(uint64_t a, uint64_t b)
{
	return a == 0 ? b : b == 0 ? a : RTE_MIN(a, b);
}

/* A guest's held calls past their deadline. @return its next deadline. */
static uint64_t
expire_guest(struct dp_sock_worker *w, struct dp_sock_gs *gs, uint64_t now)
{
	uint64_t next = 0;

	for (unsigned int i = 0; i < gs->cap; i++) {
		struct dp_sock_ent *e = &gs->ent[i];

		if (e->fd < 0 || (e->hin == NULL && e->hout == NULL))
			continue;
		next = earliest(next, expire_list(w, gs, &e->hin, &e->hin_tail, now));
		next = earliest(next, expire_list(w, gs, &e->hout, &e->hout_tail, now));
	}
	if (gs->events != NULL) {
		if (gs->events->deadline_ms != 0 && gs->events->deadline_ms <= now) {
			struct dp_sock_msg *ev = gs->events;

			gs->events = NULL;
			expire_one(w, gs, ev);
		} else {
			next = earliest(next, gs->events->deadline_ms);
		}
	}
	return next;
}

static void
expire(struct dp_sock_worker *w, uint64_t now)
{
	struct dp_sock_svc *svc = w->svc;
	uint64_t next = 0;

	if (w->next_deadline == 0 || w->next_deadline > now)
		return;
	for (unsigned int s = w->idx; s < svc->max_guests; s += svc->n_workers)
		if (svc->gs[s] != NULL)
			next = earliest(next, expire_guest(w, svc->gs[s], now));
	w->next_deadline = next;
}

/* ---- guests ------------------------------------------------------------------ */

static struct dp_sock_gs *
gs_alloc(struct dp_sock_worker *w, unsigned int slot, const struct dp_guest_conf *conf,
	 uint32_t epoch)
{
	unsigned int cap = conf->sock.max_sockets;
	struct dp_sock_gs *gs;

	if (cap == 0 || cap > DP_SOCK_MAX_SOCKETS_CAP)
		cap = DP_SOCK_MAX_SOCKETS_DEFAULT;
	gs = calloc(1, sizeof(*gs) + cap * sizeof(gs->ent[0]));
	if (gs == NULL)
		return NULL;
	gs->dirty = calloc(cap, sizeof(*gs->dirty));
	if (gs->dirty == NULL) {
		free(gs);
		return NULL;
	}
	gs->slot = (uint16_t)slot;
	gs->cap = (uint16_t)cap;
	gs->epoch = epoch;
	gs->nsfd = -1;
	for (unsigned int i = 0; i < cap; i++) {
		gs->ent[i].fd = -1;
		gs->ent[i].gen = 1;
	}
	(void)w;
	return gs;
}

/* Everything of a guest connection goes: sockets closed, calls dropped. */
static void
ev_remove(struct dp_sock_worker *w, struct dp_sock_gs *gs)
{
	struct dp_sock_gs **pp = &w->ev_due;

	while (*pp != NULL) {
		if (*pp == gs) {
			*pp = gs->ev_next;
			break;
		}
		pp = &(*pp)->ev_next;
	}
}

static void
gs_free(struct dp_sock_worker *w, struct dp_sock_gs *gs)
{
	rr_remove(w, gs);
	ev_remove(w, gs);
	for (unsigned int c = 0; c < DP_SOCK_CLASSES; c++) {
		struct dp_sock_msg *msg;

		while ((msg = queue_pop(gs, c)) != NULL) {
			dp_sock_unhold(w, gs, msg);
			dp_sock_drop(w, msg);
		}
	}
	if (gs->events != NULL) {
		dp_sock_unhold(w, gs, gs->events);
		dp_sock_drop(w, gs->events);
		gs->events = NULL;
	}
	for (unsigned int i = 0; i < gs->cap; i++)
		if (gs->ent[i].fd >= 0)
			dp_sock_ent_close(w, gs, &gs->ent[i], 1);
	if (gs->nsfd >= 0)
		close(gs->nsfd);
	DP_SOCK_GST_SET(w->svc, gs->slot, open, 0);
	DP_SOCK_GST_SET(w->svc, gs->slot, held, 0);
	free(gs->dirty);
	free(gs);
}

/* Epochs grow (guests.c); a wrap is far away but compare as a distance. */
static int
epoch_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static void
gone_one(struct dp_sock_worker *w, unsigned int slot)
{
	struct dp_sock_svc *svc = w->svc;
	struct dp_sock_gs *gs;
	uint32_t epoch;

	/* Clear first, then read: an epoch stored after this is queued again. */
	__atomic_store_n(&svc->gone_queued[slot], 0, __ATOMIC_SEQ_CST);
	epoch = __atomic_load_n(&svc->gone_epoch[slot], __ATOMIC_SEQ_CST);
	gs = svc->gs[slot];
	if (gs == NULL || epoch_before(epoch, gs->epoch))
		return;
	svc->gs[slot] = NULL;
	gs_free(w, gs);
	DP_SOCK_WST_ADD(w, guests_gone, 1);
}

static unsigned int
gone_intake(struct dp_sock_worker *w)
{
	void *slots[64];
	unsigned int n = rte_ring_dequeue_burst(w->gone, slots, RTE_DIM(slots), NULL);

	for (unsigned int i = 0; i < n; i++)
		gone_one(w, (unsigned int)(uintptr_t)slots[i]);
	return n;
}

/* A new message: its guest's state, or dropped with its ended connection. */
static void
admit(struct dp_sock_worker *w, struct dp_sock_msg *msg)
{
	struct dp_sock_svc *svc = w->svc;
	uint32_t gone = __atomic_load_n(&svc->gone_epoch[msg->guest], __ATOMIC_ACQUIRE);
	struct dp_sock_gs *gs = svc->gs[msg->guest];

	if (gone != 0 && !epoch_before(gone, msg->epoch)) {
		dp_sock_drop(w, msg);
		return;
	}
	if (gs != NULL && epoch_before(msg->epoch, gs->epoch)) {
		dp_sock_drop(w, msg);
		return;
	}
	if (gs != NULL && gs->epoch != msg->epoch) {	/* the last connection's */
		svc->gs[msg->guest] = NULL;
		gs_free(w, gs);
		gs = NULL;
	}
	if (gs == NULL) {
		gs = gs_alloc(w, msg->guest, msg->conf, msg->epoch);
		if (gs == NULL) {
			dp_sock_answer(w, msg, -ENOMEM);
			return;
		}
		svc->gs[msg->guest] = gs;
	}
	dp_sock_queue(w, gs, msg);
}

static unsigned int
intake(struct dp_sock_worker *w)
{
	struct dp_sock_msg *msgs[32];
	unsigned int total = 0;

	for (unsigned int i = 0; i < w->svc->n_lcores; i++) {
		struct rte_ring *r = w->svc->lcores[i]->to_w[w->idx];
		unsigned int n, got = 0;

		do {
			n = rte_ring_dequeue_burst(r, (void **)msgs, RTE_DIM(msgs), NULL);
			for (unsigned int k = 0; k < n; k++)
				admit(w, msgs[k]);
			got += n;
		} while (n == RTE_DIM(msgs) && got < INTAKE_MAX);
		total += got;
	}
	return total;
}

/* ---- the scheduler ------------------------------------------------------------ */

/* Commands, then receives, then sends: each class up to its budget, one
 * call per guest in turn. @return calls served. */
static unsigned int
serve(struct dp_sock_worker *w)
{
	unsigned int total = 0;

	for (unsigned int c = 0; c < DP_SOCK_CLASSES; c++) {
		unsigned int budget = w->svc->conf.budget[c];
		struct dp_sock_gs *gs;

		while (budget > 0 && (gs = rr_pop(w, c)) != NULL) {
			struct dp_sock_msg *msg = queue_pop(gs, c);

			if (gs->q[c] != NULL)
				rr_push(w, gs, c);
			if (msg == NULL)
				continue;
			budget--;
			total++;
			dp_sock_exec(w, gs, msg);
		}
	}
	return total;
}

/* ---- epoll ---------------------------------------------------------------- */

static void
on_event(struct dp_sock_worker *w, uint64_t key)
{
	unsigned int slot = DP_SOCK_KEY_GUEST(key), idx = DP_SOCK_KEY_ENT(key);
	struct dp_sock_gs *gs = slot < w->svc->max_guests ? w->svc->gs[slot] : NULL;
	struct dp_sock_ent *e;

	if (gs == NULL || idx >= gs->cap)
		return;
	e = &gs->ent[idx];
	if (e->fd < 0 || e->gen != DP_SOCK_KEY_GEN(key))
		return;		/* closed since; its events are stale */
	dp_sock_refresh(w, gs, e);
	dp_sock_wake_held(w, gs, e);
}

/* Wait at most timeout_ms (0: just look) and handle what came. */
static unsigned int
poll_events(struct dp_sock_worker *w, int timeout_ms)
{
	struct epoll_event evs[EVENTS_MAX];
	int n = epoll_wait(w->epfd, evs, EVENTS_MAX, timeout_ms);
	uint64_t cnt;

	for (int i = 0; i < n; i++) {
		if (evs[i].data.u64 == DP_SOCK_KEY_EFD) {
			if (read(w->efd, &cnt, sizeof(cnt)) < 0)
				continue;
			continue;
		}
		on_event(w, evs[i].data.u64);
	}
	return n > 0 ? (unsigned int)n : 0;
}

static int
rings_empty(const struct dp_sock_worker *w)
{
	for (unsigned int i = 0; i < w->svc->n_lcores; i++)
		if (rte_ring_count(w->svc->lcores[i]->to_w[w->idx]) != 0)
			return 0;
	return rte_ring_count(w->gone) == 0;
}

static int
has_queued(const struct dp_sock_worker *w)
{
	for (unsigned int c = 0; c < DP_SOCK_CLASSES; c++)
		if (w->rr[c] != NULL)
			return 1;
	return 0;
}

/* Nothing queued: sleep in epoll until a socket, a kick or a deadline. */
static void
sleep_wait(struct dp_sock_worker *w, uint64_t now)
{
	int timeout = SLEEP_MAX_MS;

	if (w->next_deadline != 0)
		timeout = w->next_deadline <= now ? 0 :
			  (int)RTE_MIN(w->next_deadline - now, (uint64_t)SLEEP_MAX_MS);
	__atomic_store_n(&w->sleeping, 1, __ATOMIC_RELAXED);
	/* Full fence: the flag before the rings; pairs with the lcore's
	 * fence between its enqueue and its look at the flag. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!rings_empty(w) || __atomic_load_n(&w->svc->stop, __ATOMIC_ACQUIRE))
		timeout = 0;
	DP_SOCK_WST_ADD(w, sleeps, 1);
	poll_events(w, timeout);
	__atomic_store_n(&w->sleeping, 0, __ATOMIC_RELAXED);
}

static void
worker_pass(struct dp_sock_worker *w)
{
	unsigned int work = intake(w) + gone_intake(w);

	work += serve(w);
	work += poll_events(w, 0);
	expire(w, dp_sock_now_ms());
	dp_sock_events_flush(w);
	kick_lcores(w);
	if (work == 0 && !has_queued(w))
		sleep_wait(w, dp_sock_now_ms());
	DP_SOCK_WST_ADD(w, loops, 1);
}

/* At the end: every guest's sockets closed, every call answered. */
static void
worker_drain(struct dp_sock_worker *w)
{
	struct dp_sock_svc *svc = w->svc;

	intake(w);
	for (unsigned int s = w->idx; s < svc->max_guests; s += svc->n_workers) {
		if (svc->gs[s] == NULL)
			continue;
		gs_free(w, svc->gs[s]);
		svc->gs[s] = NULL;
	}
}

static void *
worker_main(void *arg)
{
	struct dp_sock_worker *w = arg;

	while (!__atomic_load_n(&w->svc->stop, __ATOMIC_ACQUIRE))
		worker_pass(w);
	worker_drain(w);
	return NULL;
}

/* ---- set-up ---------------------------------------------------------------- */

static int
worker_init(struct dp_sock_svc *svc, struct dp_sock_worker *w, unsigned int idx)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = DP_SOCK_KEY_EFD };
	char name[RTE_RING_NAMESIZE];
	unsigned int size = rte_align32pow2(svc->max_guests + 1);

	w->svc = svc;
	w->idx = idx;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->selfns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (w->epfd < 0 || w->efd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->efd, &ev) < 0)
		return -errno;
	snprintf(name, sizeof(name), "hl_sock_gone_%u", idx);
	w->gone = rte_ring_create(name, size, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	w->kick_lcore = calloc(RTE_MAX(svc->n_lcores, 1u), 1);
	if (w->gone == NULL || w->kick_lcore == NULL)
		return -ENOMEM;
	return 0;
}

struct dp_sock_svc *
dp_sock_svc_create(const struct dp_sock_svc_conf *conf, unsigned int n_lcores,
		   unsigned int max_guests)
{
	struct dp_sock_svc *svc = calloc(1, sizeof(*svc));
	int rc = 0;

	if (svc == NULL)
		return NULL;
	svc->conf = *conf;
	svc->n_workers = conf->workers;
	svc->n_lcores = n_lcores;
	svc->max_guests = max_guests;
	svc->workers = aligned_alloc(64, sizeof(*svc->workers) * svc->n_workers);
	svc->lcores = calloc(RTE_MAX(n_lcores, 1u), sizeof(*svc->lcores));
	svc->gs = calloc(max_guests, sizeof(*svc->gs));
	svc->gst = calloc(max_guests, sizeof(*svc->gst));
	svc->gone_epoch = calloc(max_guests, sizeof(*svc->gone_epoch));
	svc->gone_queued = calloc(max_guests, sizeof(*svc->gone_queued));
	svc->pub = calloc(max_guests, sizeof(*svc->pub));
	if (svc->workers == NULL || svc->lcores == NULL || svc->gs == NULL ||
	    svc->pub == NULL ||
	    svc->gst == NULL || svc->gone_epoch == NULL || svc->gone_queued == NULL) {
		if (svc->workers != NULL)
			svc->n_workers = 0;
		dp_sock_svc_free(svc);
		errno = ENOMEM;
		return NULL;
	}
	memset(svc->workers, 0, sizeof(*svc->workers) * svc->n_workers);
	for (unsigned int i = 0; i < svc->n_workers; i++) {
		svc->workers[i].epfd = svc->workers[i].efd = svc->workers[i].selfns = -1;
	}
	for (unsigned int i = 0; i < svc->n_workers && rc == 0; i++)
		rc = worker_init(svc, &svc->workers[i], i);
	if (rc < 0) {
		dp_sock_svc_free(svc);
		errno = -rc;
		return NULL;
	}
	return svc;
}

int
dp_sock_lcore_init(struct dp_sock_svc *svc, struct dp_sock_lcore *sl, unsigned int idx,
		   unsigned int lcore_id, unsigned int n_msgs, int wake_fd)
{
	int socket = (int)rte_lcore_to_socket_id(lcore_id);
	unsigned int size = rte_align32pow2(n_msgs + 1);
	char name[RTE_MEMPOOL_NAMESIZE];

	memset(sl, 0, sizeof(*sl));
	sl->idx = idx;
	sl->wake_fd = wake_fd;
	snprintf(name, sizeof(name), "hl_sockmsg_%u", lcore_id);
	sl->pool = rte_mempool_create(name, n_msgs, sizeof(struct dp_sock_msg), 0, 0,
				      NULL, NULL, NULL, NULL, socket, 0);
	if (sl->pool == NULL)
		return -ENOMEM;
	for (unsigned int w = 0; w < svc->n_workers; w++) {
		snprintf(name, sizeof(name), "hl_sock_to_%u_%u", lcore_id, w);
		sl->to_w[w] = rte_ring_create(name, size, socket,
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "hl_sock_fr_%u_%u", lcore_id, w);
		sl->from_w[w] = rte_ring_create(name, size, socket,
						RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (sl->to_w[w] == NULL || sl->from_w[w] == NULL)
			return -ENOMEM;
	}
	svc->lcores[idx] = sl;
	sl->svc = svc;
	return 0;
}

static void
worker_affinity(const struct dp_sock_svc *svc, struct dp_sock_worker *w)
{
	cpu_set_t set;
	int rc;

	if (svc->conf.n_cpus == 0)
		return;
	CPU_ZERO(&set);
	for (unsigned int i = 0; i < svc->conf.n_cpus; i++)
		CPU_SET(svc->conf.cpus[i], &set);
	rc = pthread_setaffinity_np(w->thread, sizeof(set), &set);
	if (rc != 0)
		DP_LOG(WARNING, "socket worker %u: cannot set its cpus: %s", w->idx,
		       strerror(rc));
}

int
dp_sock_svc_start(struct dp_sock_svc *svc)
{
	for (unsigned int i = 0; i < svc->n_workers; i++) {
		struct dp_sock_worker *w = &svc->workers[i];
		char name[16];
		int rc;

		snprintf(name, sizeof(name), "hl-sock-%u", i & 0xffu);
		/* A control thread: off the lcores' cpus, unless `cpus` says. */
		rc = rte_ctrl_thread_create(&w->thread, name, NULL, worker_main, w);
		if (rc != 0) {
			DP_LOG(ERR, "socket worker %u: cannot start: %s", i, strerror(rc));
			return -rc;
		}
		w->started = 1;
		worker_affinity(svc, w);
	}
	DP_LOG(INFO, "sockets: %u worker(s)", svc->n_workers);
	return 0;
}

/* Answers no I/O lcore will take any more: their frames go back. */
static void
lcore_drain(struct dp_sock_svc *svc, struct dp_sock_lcore *sl)
{
	struct dp_sock_msg *msg;

	for (unsigned int w = 0; w < svc->n_workers; w++) {
		while (sl->to_w[w] != NULL &&
		       rte_ring_dequeue(sl->to_w[w], (void **)&msg) == 0) {
			rte_pktmbuf_free(msg->reply);
			rte_pktmbuf_free(msg->m);
			rte_mempool_put(sl->pool, msg);
		}
		while (sl->from_w[w] != NULL &&
		       rte_ring_dequeue(sl->from_w[w], (void **)&msg) == 0) {
			rte_pktmbuf_free(msg->reply);
			rte_pktmbuf_free(msg->m);
			rte_mempool_put(sl->pool, msg);
		}
	}
}

/* Join w within DP_SOCK_JOIN_MS; @return 0, or -ETIMEDOUT (it keeps
 * running: what it uses must stay). */
static int
worker_join(struct dp_sock_worker *w)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += DP_SOCK_JOIN_MS / 1000;
	return -pthread_timedjoin_np(w->thread, NULL, &ts);
}

void
dp_sock_svc_stop(struct dp_sock_svc *svc)
{
	uint64_t one = 1;

	if (svc == NULL)
		return;
	__atomic_store_n(&svc->stop, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < svc->n_workers; i++) {
		struct dp_sock_worker *w = &svc->workers[i];

		if (!w->started)
			continue;
		if (write(w->efd, &one, sizeof(one)) < 0)
			DP_LOG(WARNING, "socket worker %u: cannot wake it: %s", i,
			       strerror(errno));
		if (worker_join(w) < 0) {
			DP_LOG(ERR, "socket worker %u did not stop within %u ms: its "
			       "sockets and rings are left as they are", i,
			       DP_SOCK_JOIN_MS);
			svc->stuck = 1;
			continue;
		}
		w->started = 0;
	}
	if (svc->stuck)
		return;
	for (unsigned int i = 0; i < svc->n_lcores; i++)
		if (svc->lcores[i] != NULL)
			lcore_drain(svc, svc->lcores[i]);
}

void
dp_sock_svc_free(struct dp_sock_svc *svc)
{
	if (svc == NULL || svc->stuck)
		return;		/* a worker still runs: leave what it uses */
	for (unsigned int i = 0; i < svc->n_lcores; i++) {
		struct dp_sock_lcore *sl = svc->lcores[i];

		if (sl == NULL)
			continue;
		for (unsigned int w = 0; w < svc->n_workers; w++) {
			rte_ring_free(sl->to_w[w]);
			rte_ring_free(sl->from_w[w]);
		}
		rte_mempool_free(sl->pool);
		memset(sl, 0, sizeof(*sl));
	}
	for (unsigned int i = 0; svc->workers != NULL && i < svc->n_workers; i++) {
		struct dp_sock_worker *w = &svc->workers[i];

		if (w->epfd >= 0)
			close(w->epfd);
		if (w->efd >= 0)
			close(w->efd);
		if (w->selfns >= 0)
			close(w->selfns);
		rte_ring_free(w->gone);
		free(w->kick_lcore);
	}
	free(svc->workers);
	free(svc->lcores);
	free(svc->gs);
	free(svc->gst);
	free(svc->gone_epoch);
	free(svc->gone_queued);
	for (unsigned int i = 0; svc->pub != NULL && i < svc->max_guests; i++) {
		struct dp_sock_pubtab *t = svc->pub[i];

		while (t != NULL) {
			struct dp_sock_pubtab *old = t->old;

			free(t);
			t = old;
		}
	}
	free(svc->pub);
	free(svc);
}

void
dp_sock_guest_gone(struct dp_sock_svc *svc, unsigned int slot, uint32_t epoch)
{
	struct dp_sock_worker *w;
	uint64_t one = 1;
	uint8_t was = 0;

	if (svc == NULL || slot >= svc->max_guests)
		return;
	w = &svc->workers[slot % svc->n_workers];
	__atomic_store_n(&svc->gone_epoch[slot], epoch, __ATOMIC_SEQ_CST);
	/* Queued once until the worker takes it (gone_one() clears it). */
	if (!__atomic_compare_exchange_n(&svc->gone_queued[slot], &was, 1, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;
	/* Never full: it has room for every slot. */
	rte_ring_enqueue(w->gone, (void *)(uintptr_t)slot);
	if (write(w->efd, &one, sizeof(one)) < 0)
		DP_LOG(WARNING, "socket worker %u: cannot wake it: %s", w->idx,
		       strerror(errno));
}

int
dp_sock_guest_reset(struct dp_sock_svc *svc, unsigned int slot,
		    const struct dp_guest_conf *conf)
{
	struct dp_sock_pubtab *tab, *t;

	if (svc == NULL || slot >= svc->max_guests)
		return 0;
	memset(&svc->gst[slot], 0, sizeof(svc->gst[slot]));
	if (!conf->sock.enabled)
		return 0;
	tab = svc->pub[slot];
	if (tab != NULL && tab->cap >= conf->sock.max_sockets) {
		/* The last guest's worker cleared its entries when it ended. */
		return 0;
	}
	t = calloc(1, sizeof(*t) + conf->sock.max_sockets * sizeof(t->ent[0]));
	if (t == NULL)
		return -ENOMEM;
	t->cap = conf->sock.max_sockets;
	t->old = tab;
	/* Release: the worker sees the table zeroed. */
	__atomic_store_n(&svc->pub[slot], t, __ATOMIC_RELEASE);
	return 0;
}

const struct dp_sock_pubtab *
dp_sock_guest_pub(const struct dp_sock_svc *svc, unsigned int slot)
{
	if (svc == NULL || slot >= svc->max_guests)
		return NULL;
	return svc->pub[slot];
}

void
dp_sock_guest_stats(const struct dp_sock_svc *svc, unsigned int slot,
		    struct dp_sock_gstats *out)
{
	memset(out, 0, sizeof(*out));
	if (svc == NULL || slot >= svc->max_guests)
		return;
#define DP_SOCK_GST_COPY_(n, type, what) \
	out->n = __atomic_load_n(&svc->gst[slot].n, __ATOMIC_RELAXED);
	DP_SOCK_GSTATS(DP_SOCK_GST_COPY_)
#undef DP_SOCK_GST_COPY_
}

void
dp_sock_worker_stats(const struct dp_sock_svc *svc, unsigned int i,
		     struct dp_sock_wstats *out)
{
	memset(out, 0, sizeof(*out));
	if (svc == NULL || i >= svc->n_workers)
		return;
#define DP_SOCK_WST_COPY_(n, what) \
	out->n = __atomic_load_n(&svc->workers[i].st.n, __ATOMIC_RELAXED);
	DP_SOCK_WSTATS(DP_SOCK_WST_COPY_)
#undef DP_SOCK_WST_COPY_
}
