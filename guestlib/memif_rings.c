/* SPDX-License-Identifier: BSD-3-Clause */
/* memif client rings: send and receive frames; waits (hl_wait.h). */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "hl_conn.h"
#include "hl_memif.h"
#include "hl_wait.h"

/*
 * Waits go through the ladder of hl_wait.h, whose sleeps last at most
 * HL_WAIT_SLICE_MS, after which the ring is re-checked. The unmask/re-check
 * protocol below is race-free only if the server, too, orders its tail
 * store before its flags load with a full barrier; DPDK's net_memif does
 * not, so a wakeup can be lost. The slice bounds the cost of that to one
 * slice, instead of a whole timeout.
 */
#define HL_SPIN_CHECK_EVERY 256u

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Non-blocking look at the control socket: has the host gone? */
static int
peer_check(struct hl_memif *m)
{
	struct pollfd p = { .fd = m->ctl_fd, .events = POLLIN };

	if (m->dead == 0 && poll(&p, 1, 0) > 0)
		hl_memif_ctl_service(m);
	return m->dead;
}

static void
s2c_post(struct hl_memif *m, uint32_t n)
{
	struct hl_memif_q *q = &m->s2c;

	if (n == 0)
		return;
	for (uint32_t i = 0; i < n; i++, q->head++) {
		uint16_t slot = q->head & m->mask;
		struct memif_desc *d = &q->ring->desc[slot];
		d->flags = 0;
		d->region = 0;
		d->offset = q->buf0 + slot * HL_MEMIF_BUF_SIZE;
		d->length = HL_MEMIF_BUF_SIZE;
	}
	/* Release: the descriptors written above must be visible to the
	 * server before it sees the new head and fills those slots. */
	__atomic_store_n(&q->ring->head, q->head, __ATOMIC_RELEASE);
}

void
hl_memif_rings_start(struct hl_memif *m)
{
	/* The server reset head/tail when it accepted CONNECT; only now may
	 * the client post its receive buffers. */
	m->c2s.head = m->c2s.tail = m->c2s.pub = 0;
	m->s2c.head = m->s2c.tail = 0;
	m->s2c.unposted = 0;
	m->s2c_partial = 0;
	__atomic_store_n(&m->s2c.ring->flags,
			 m->wait_mode == HL_WAIT_INTR ? 0 : MEMIF_RING_FLAG_MASK_INT,
			 __ATOMIC_RELAXED);
	s2c_post(m, m->ring_size);
}

/* Free C2S slots; a tail that never was a head kills the connection. */
static uint32_t
c2s_free(struct hl_memif *m)
{
	struct hl_memif_q *q = &m->c2s;
	/* Acquire: pairs with the server's release store of tail, so its
	 * reads of the buffers it consumed are done before we reuse them. */
	uint16_t tail = __atomic_load_n(&q->ring->tail, __ATOMIC_ACQUIRE);
	uint16_t used = (uint16_t)(q->head - tail);

	if (used > m->ring_size || (uint16_t)(tail - q->tail) > m->ring_size) {
		hl_memif_set_dead(m, HL_E_PROTO, "C2S tail %u out of range "
				  "(head %u)", tail, q->head);
		return 0;
	}
	q->tail = tail;
	return m->ring_size - used;
}

static void c2s_publish(struct hl_memif *m);

static int
c2s_wait_space(struct hl_memif *m, int timeout_ms)
{
	int64_t deadline;

	if (c2s_free(m) > 0)	/* the usual case: no clock read */
		return HL_OK;
	/* Frames of a held burst take slots only the host can free. */
	c2s_publish(m);
	deadline = hl_deadline(timeout_ms);
	for (uint32_t i = 1;; i++) {
		if (c2s_free(m) > 0)
			return HL_OK;
		if (m->dead)
			return m->dead;
		if (i % HL_SPIN_CHECK_EVERY == 0) {
			if (peer_check(m))
				return m->dead;
			if (hl_deadline_passed(deadline))
				return HL_E_TIMEOUT;
			sched_yield();
		}
		cpu_relax();
	}
}

static void
c2s_kick(struct hl_memif *m)
{
	uint64_t one = 1;

	/* Full barrier: our head store must be visible before we read the
	 * server's MASK_INT, or a server that unmasks and re-checks head
	 * could miss the frame while we miss its unmask. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&m->c2s.ring->flags, __ATOMIC_RELAXED) &
	    MEMIF_RING_FLAG_MASK_INT)
		return;
	if (write(m->c2s.efd, &one, sizeof(one)) == (ssize_t)sizeof(one))
		m->stats.kicks++;
}

/*
 * Show the host the frames written since the last publish: one head store
 * and one kick check for all of them. The host's core polls head, so each
 * store pulls the line back from it, and the kick check costs a full
 * fence: a burst pays both once.
 */
static void
c2s_publish(struct hl_memif *m)
{
	struct hl_memif_q *q = &m->c2s;

	if (q->pub == q->head)
		return;
	q->pub = q->head;
	/* Release: the buffers and descriptors must be visible to the server
	 * before it sees the new head. */
	__atomic_store_n(&q->ring->head, q->head, __ATOMIC_RELEASE);
	c2s_kick(m);
}

void
hl_memif_hold(struct hl_memif *m, int on)
{
	m->held = on != 0;
	if (!on)
		c2s_publish(m);
}

int
hl_memif_send(struct hl_memif *m, const void *frame, uint32_t len,
	      int timeout_ms)
{
	struct hl_memif_q *q = &m->c2s;
	int rc;

	if (m->dead)
		return m->dead;
	if (len == 0 || len > HL_MEMIF_BUF_SIZE)
		return HL_E_TOO_LARGE;
	rc = c2s_wait_space(m, timeout_ms);
	if (rc != HL_OK)
		return rc;
	uint16_t slot = q->head & m->mask;
	struct memif_desc *d = &q->ring->desc[slot];
	memcpy(m->base + q->buf0 + slot * HL_MEMIF_BUF_SIZE, frame, len);
	d->flags = 0;
	d->region = 0;
	d->offset = q->buf0 + slot * HL_MEMIF_BUF_SIZE;
	d->length = len;
	q->head++;
	m->stats.tx_frames++;
	if (!m->held || (uint16_t)(q->head - q->pub) >= HL_MEMIF_PUBLISH_MAX)
		c2s_publish(m);
	return HL_OK;
}

/* Give the server back every S2C slot we have read. */
static void
s2c_repost(struct hl_memif *m)
{
	if (m->dead)
		return;
	s2c_post(m, m->s2c.unposted);
	m->s2c.unposted = 0;
}

/* Filled S2C slots not yet consumed; the server's tail is bound-checked. */
static uint32_t
s2c_avail(struct hl_memif *m)
{
	struct hl_memif_q *q = &m->s2c;
	/* Acquire: pairs with the server's release store of tail, so the
	 * descriptors and buffers it filled are visible before we read them. */
	uint16_t tail = __atomic_load_n(&q->ring->tail, __ATOMIC_ACQUIRE);
	uint16_t avail = (uint16_t)(tail - q->tail);

	if (avail > (uint16_t)(q->head - q->tail)) {
		hl_memif_set_dead(m, HL_E_PROTO, "S2C tail %u beyond posted "
				  "head %u", tail, q->head);
		return 0;
	}
	return avail;
}

/*
 * Copy the frame starting at the oldest filled slot into buf. Returns the
 * number of slots it used, 0 if its chain is not complete yet; *bad is set
 * if the frame must be dropped. Only length and flags are read from the
 * descriptor, once each (it is in memory the server can still write).
 */
static uint32_t
s2c_gather(struct hl_memif *m, uint32_t avail, void *buf, uint32_t cap,
	   uint32_t *len, int *bad)
{
	struct hl_memif_q *q = &m->s2c;
	uint32_t total = 0, nseg = 0;
	uint16_t flags;

	*bad = 0;
	do {
		if (nseg == avail)
			return 0;
		uint16_t slot = (uint16_t)(q->tail + nseg) & m->mask;
		const volatile struct memif_desc *d = &q->ring->desc[slot];
		uint32_t seg = d->length;
		flags = d->flags;
		if (seg > HL_MEMIF_BUF_SIZE || total + seg > cap)
			*bad = 1;
		else
			memcpy((uint8_t *)buf + total, m->base + q->buf0 +
			       slot * HL_MEMIF_BUF_SIZE, seg);
		total += *bad ? 0 : seg;
		nseg++;
	} while ((flags & MEMIF_DESC_FLAG_NEXT) && nseg < HL_MEMIF_MAX_CHAIN);
	if (flags & MEMIF_DESC_FLAG_NEXT)
		*bad = 1;
	*len = total;
	return nseg;
}

/*
 * The filled slots hold the start of a frame whose chain has not ended:
 * remember it, so that waits sleep instead of spinning on it, and kill the
 * connection if every posted buffer is in it (it can never end then).
 */
static int
s2c_partial(struct hl_memif *m, uint32_t avail)
{
	m->s2c_partial = (uint16_t)avail;
	s2c_repost(m);
	if (avail == (uint16_t)(m->s2c.head - m->s2c.tail))
		hl_memif_set_dead(m, HL_E_PROTO, "S2C chain of %u descriptors "
				  "fills the ring and never ends", avail);
	return m->dead ? m->dead : HL_E_AGAIN;
}

int
hl_memif_recv(struct hl_memif *m, void *buf, uint32_t cap, uint32_t *len)
{
	uint32_t avail, nseg;
	int bad;

	c2s_publish(m);
	for (;;) {
		/* A host that went away (not one that broke the rings) may
		 * have answered before: those replies are ours to take. */
		if (m->dead && m->dead != HL_E_DISCONNECTED)
			return m->dead;
		avail = s2c_avail(m);
		if (avail == 0)
			return m->dead ? m->dead : HL_E_AGAIN;
		nseg = s2c_gather(m, avail, buf, cap, len, &bad);
		if (nseg == 0)
			return s2c_partial(m, avail);
		m->s2c_partial = 0;
		m->s2c.tail += (uint16_t)nseg;
		/* Re-post in batches: each head store pulls the line from
		 * the host's core. The ring drained, re-post at once, so the
		 * host never waits on buffers we hold back. */
		m->s2c.unposted += (uint16_t)nseg;
		if (nseg == avail || m->s2c.unposted >= HL_MEMIF_POST_BATCH ||
		    (uint32_t)m->s2c.unposted * 4 >= m->ring_size)
			s2c_repost(m);
		if (!bad && *len > 0) {
			m->stats.rx_frames++;
			return HL_OK;
		}
		m->stats.rx_dropped++;
	}
}

/* A frame may be taken: more filled slots than a known unended chain. */
static int
rx_ready(struct hl_memif *m)
{
	return s2c_avail(m) > m->s2c_partial || m->dead;
}

static void
s2c_mask(struct hl_memif *m, int masked)
{
	/* Relaxed: MASK_INT is a hint; ordering against tail is handled by
	 * the fence in w_sleep(). */
	__atomic_store_n(&m->s2c.ring->flags,
			 masked ? MEMIF_RING_FLAG_MASK_INT : 0, __ATOMIC_RELAXED);
}

static void
drain_eventfd(struct hl_memif *m)
{
	uint64_t cnt;

	if (read(m->s2c.efd, &cnt, sizeof(cnt)) == (ssize_t)sizeof(cnt))
		m->stats.wakeups++;
}

/* hl_waiter ops (hl_wait.h). */
static int
w_ready(void *tp)
{
	struct hl_memif *m = tp;

	return !rx_ready(m) ? HL_E_AGAIN : m->dead ? m->dead : HL_OK;
}

static int
w_check(void *tp)
{
	return peer_check(tp);
}

/* One interrupt sleep: unmask, re-check, sleep on the S2C eventfd and the
 * control socket. */
static int
w_sleep(void *tp, int ms)
{
	struct hl_memif *m = tp;
	struct pollfd p[2] = {
		{ .fd = m->s2c.efd, .events = POLLIN },
		{ .fd = m->ctl_fd, .events = POLLIN },
	};
	int n;

	c2s_publish(m);
	s2c_repost(m);
	s2c_mask(m, 0);
	/* Full barrier: the unmask must be visible to the server before we
	 * re-read tail; otherwise a frame stored between our last check and
	 * the unmask would be seen by neither side (lost wakeup). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rx_ready(m))
		return w_ready(m);
	m->stats.sleeps++;
	n = poll(p, 2, ms);
	if (n < 0 && errno != EINTR) {
		hl_memif_set_dead(m, HL_E_IO, "poll: %s", strerror(errno));
		return m->dead;
	}
	if (n > 0 && p[1].revents)
		hl_memif_ctl_service(m);
	if (n > 0 && p[0].revents)
		drain_eventfd(m);
	return w_ready(m);
}

/* Spinning again: the host need not signal us. */
static void
w_sleep_end(void *tp)
{
	struct hl_memif *m = tp;

	if (m->wait_mode != HL_WAIT_INTR)
		s2c_mask(m, 1);
}

int
hl_memif_wait(struct hl_memif *m, int timeout_ms)
{
	const struct hl_waiter w = {
		.tp = m, .mode = m->wait_mode, .spin_polls = m->spin_polls,
		.check_every = 1, .ready = w_ready, .check = w_check,
		.sleep = w_sleep, .sleep_end = w_sleep_end,
	};

	c2s_publish(m);
	return hl_wait(&w, timeout_ms);
}

static int
ops_send(void *tp, const void *frame, uint32_t len, int timeout_ms)
{
	return hl_memif_send(tp, frame, len, timeout_ms);
}

static void
ops_hold(void *tp, int on)
{
	hl_memif_hold(tp, on);
}

static int
ops_recv(void *tp, void *buf, uint32_t cap, uint32_t *len)
{
	return hl_memif_recv(tp, buf, cap, len);
}

static int
ops_wait(void *tp, int timeout_ms)
{
	return hl_memif_wait(tp, timeout_ms);
}

static const char *
ops_reason(const void *tp)
{
	const struct hl_memif *m = tp;

	return m->dead ? m->reason : "";
}

static void
ops_stats(const void *tp, struct hl_stats *st)
{
	const struct hl_memif *m = tp;

	st->rx_dropped += m->stats.rx_dropped;
	st->kicks += m->stats.kicks;
	st->sleeps += m->stats.sleeps;
}

static void
ops_close(void *tp)
{
	hl_memif_close(tp);
}

static int
ops_revivable(const void *tp)
{
	const struct hl_memif *m = tp;

	return m->dead == HL_E_DISCONNECTED && m->revivable;
}

static void
ops_bulk_area(void *tp, struct hl_bulk_area *a)
{
	struct hl_memif *m = tp;

	a->base = m->bulk_len != 0 ? m->base + m->bulk_off : NULL;
	a->off = m->bulk_off;
	a->len = m->bulk_len;
	a->region = 0;
}

/* The pump's sleep (hl_conn.h): unmask as w_sleep() does, then let the
 * caller poll the S2C eventfd and the control socket. */
static int
ops_sleep_fds(void *tp, int fds[2])
{
	struct hl_memif *m = tp;

	c2s_publish(m);
	s2c_repost(m);
	s2c_mask(m, 0);
	/* Full barrier, as in w_sleep(): unmask before re-reading tail. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rx_ready(m))
		return 0;
	fds[0] = m->s2c.efd;
	fds[1] = m->ctl_fd;
	m->stats.sleeps++;
	return 2;
}

static void
ops_sleep_done(void *tp, const short revents[2])
{
	struct hl_memif *m = tp;

	if (revents[1] && !m->dead)
		hl_memif_ctl_service(m);
	if (revents[0])
		drain_eventfd(m);
	w_sleep_end(m);
}

/* Replies that always find a posted S2C buffer: the ring, less the slots
 * hl_memif_recv() may hold back before it re-posts them. */
static uint32_t
ops_window(const void *tp)
{
	const struct hl_memif *m = tp;
	uint32_t held = m->ring_size / 4 < HL_MEMIF_POST_BATCH ?
			m->ring_size / 4 : HL_MEMIF_POST_BATCH;

	return m->ring_size - held;
}

const struct hl_transport_ops hl_memif_ops = {
	.send = ops_send,
	.hold = ops_hold,
	.recv = ops_recv,
	.wait = ops_wait,
	.reason = ops_reason,
	.stats = ops_stats,
	.close = ops_close,
	.revivable = ops_revivable,
	.bulk_area = ops_bulk_area,
	.sleep_fds = ops_sleep_fds,
	.sleep_done = ops_sleep_done,
	.window = ops_window,
};
