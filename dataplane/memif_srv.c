/* SPDX-License-Identifier: BSD-3-Clause */
/* memif server slow path: sockets, handshake messages, connect/disconnect. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "app.h"
#include "guest_numa.h"
#include "lcore.h"
#include "log.h"
#include "memif_srv.h"
#include "paths.h"

/* Enough control space to see (and close) fds a client should not send. */
#define CMSG_FDS_MAX 8
/* Messages handled per wake-up, so one chatty client cannot starve others. */
#define MSGS_PER_EVENT 8

/* At most one line a second per guest: a client looping on bad handshakes
 * must not flood the log. */
static bool
log_ok(struct dp_guest *g)
{
	uint64_t now = dp_now_ms();

	if (g->conn.srv.last_log_ms != 0 && now - g->conn.srv.last_log_ms < 1000)
		return false;
	g->conn.srv.last_log_ms = now;
	return true;
}

static int
send_msg(int fd, const struct memif_msg *m)
{
	ssize_t n = send(fd, m, sizeof(*m), MSG_DONTWAIT | MSG_NOSIGNAL);

	return n == (ssize_t)sizeof(*m) ? 0 : -1;
}

int
dp_memif_srv_open(struct dp_guest *g, unsigned int idx, int epfd,
		  unsigned int timeout_ms)
{
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = DP_EV_TAG(idx, DP_EV_LISTEN) };
	char err[DP_ERR_MAX];
	int fd, rc;

	g->conn.srv.conn_fd = -1;
	g->conn.srv.timeout_ms = timeout_ms;
	dp_memif_hs_init(&g->conn.srv.hs);
	fd = dp_path_sock_listen(g->conf->socket, SOCK_SEQPACKET, g->conf->socket_mode,
				 (gid_t)-1, 8, err, sizeof(err));
	if (fd < 0) {
		DP_LOG(ERR, "guest %s: %s", g->conf->name, err);
		return fd;
	}
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		rc = -errno;
		close(fd);
		unlink(g->conf->socket);
		return rc;
	}
	g->conn.srv.listen_fd = fd;
	return 0;
}

/* A client that cannot be served now: tell it why, count it. */
static void
refuse(struct dp_guest *g, int fd, enum dp_memif_reason why)
{
	struct memif_msg m;

	dp_memif_hs_disconnect(why, &m);
	send_msg(fd, &m);
	close(fd);
	g->conn.reasons[why]++;
	if (why == DP_MEMIF_R_BUSY)
		g->conn.slow.busy++;
	else
		g->conn.slow.rejects++;
}

/* Why a new client must wait, or DP_MEMIF_R_NONE. */
static enum dp_memif_reason
refuse_reason(const struct dp_guest *g)
{
	if (g->conn.srv.conn_fd >= 0)
		return DP_MEMIF_R_BUSY;
	if (g->conn.srv.refuse != 0)
		return (enum dp_memif_reason)g->conn.srv.refuse;
	if (g->conn.srv.n_draining >= DP_MEMIF_MAX_DRAINING)
		return DP_MEMIF_R_DRAINING;
	return DP_MEMIF_R_NONE;
}

static void
accept_client(struct dp_guest *g, unsigned int idx, int epfd)
{
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = DP_EV_TAG(idx, DP_EV_CONN) };
	int fd = accept4(g->conn.srv.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct memif_msg hello;
	enum dp_memif_reason why;

	if (fd < 0)
		return;
	why = refuse_reason(g);
	if (why != DP_MEMIF_R_NONE) {
		refuse(g, fd, why);
		return;
	}
	dp_memif_hs_hello(&g->conf->memif, "hostlane", &hello);
	if (send_msg(fd, &hello) < 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return;
	}
	g->conn.srv.conn_fd = fd;
	g->conn.srv.deadline_ms = dp_now_ms() + g->conn.srv.timeout_ms;
}

/* Close every fd beyond the first; report how many arrived. */
static int
take_fds(struct msghdr *mh, int *fd)
{
	int n = 0;

	*fd = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (n++ == 0)
				*fd = f;
			else
				close(f);
		}
	}
	return n;
}

/* On SOCK_SEQPACKET, 0 bytes is either the end or an empty datagram. */
static bool
peer_closed(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLRDHUP };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP)) != 0;
}

/*
 * Receive one message. Returns 1 with msg and fd filled, 0 when nothing is
 * waiting, or -reason to drop the client.
 */
static int
recv_msg(int sock, struct memif_msg *msg, int *fd)
{
	char ctl[CMSG_SPACE(CMSG_FDS_MAX * sizeof(int))];
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	int nfds;

	*fd = -1;
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -DP_MEMIF_R_PEER;
	if (n == 0)
		return peer_closed(sock) ? -DP_MEMIF_R_PEER : -DP_MEMIF_R_MSG_SIZE;
	nfds = take_fds(&mh, fd);
	if (nfds > 1 || (mh.msg_flags & MSG_CTRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -DP_MEMIF_R_FD_EXTRA;
	}
	if (n != (ssize_t)sizeof(*msg) || (mh.msg_flags & MSG_TRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -DP_MEMIF_R_MSG_SIZE;
	}
	return 1;
}

/*
 * A connection's end. The fast path lets go of rt only at its next
 * quiescent point, and FN_CALL_BULK jobs may use the guest's memory for
 * longer still, so rt takes over the mappings and the rings' eventfds from
 * the handshake and is released later (defer.h): unmapped once the grace
 * period has passed and no bulk job uses it. Main lcore only.
 */
static unsigned int n_draining;	/* connections not yet released, all guests */
static unsigned int n_retired;	/* of those, waiting for bulk jobs */

static void
rt_free(struct dp_memif_rt *rt)
{
	struct dp_guest *g = rt->owner;

	for (unsigned int i = 0; i < rt->n_regions; i++)
		munmap(rt->regions[i].base, rt->regions[i].size);
	if (rt->c2s.intr_fd >= 0)
		close(rt->c2s.intr_fd);
	if (rt->s2c.intr_fd >= 0)
		close(rt->s2c.intr_fd);
	if (rt->retired) {
		g->conn.slow.bulk_reaped++;
		n_retired--;
	}
	g->conn.srv.n_draining--;
	n_draining--;
	rte_free(rt);
}

static void
rt_release(struct dp_defer *d)
{
	struct dp_memif_rt *rt = container_of(d, struct dp_memif_rt, defer);

	/* Acquire: pairs with the I/O lcore's release once its last bulk
	 * job completed, so no access follows the munmap. */
	if (__atomic_load_n(&rt->bulk_inflight, __ATOMIC_ACQUIRE) != 0 &&
	    !dp_defer_flushing()) {
		if (!rt->retired) {
			rt->retired = 1;
			rt->owner->conn.slow.bulk_retired++;
			n_retired++;
		}
		rt->defer.what = "memory of a connection with bulk jobs";
		dp_defer_again(&rt->defer);
		return;
	}
	rt_free(rt);
}

/* Unpublish rt; it owns the mappings and eventfds from now on. */
static void
rt_retire(struct dp_guest *g, struct dp_memif_rt *rt)
{
	__atomic_store_n(&g->fast.rt, NULL, __ATOMIC_RELEASE);
	dp_lcore_guest_sync(g);		/* nothing to poll until the next client */
	/* Before rt_free() closes it: the guest shares the file, so a
	 * closed fd of ours would stay in the lcore's epoll set. */
	dp_lcore_fd_unwatch(g->io, rt->c2s.intr_fd);
	for (unsigned int i = 0; i < g->conn.srv.hs.n_regions; i++)
		g->conn.srv.hs.regions[i].addr = NULL;	/* rt->regions has them */
	for (unsigned int d = 0; d < DP_MEMIF_NDIR; d++)
		g->conn.srv.hs.rings[d].fd = -1;		/* rt's intr_fd has it */
	rt->owner = g;
	g->conn.srv.n_draining++;
	n_draining++;
	dp_defer(&rt->defer, rt_release, "memory of a guest connection");
}

unsigned int
dp_memif_srv_draining(void)
{
	return n_draining;
}

unsigned int
dp_memif_srv_retired(void)
{
	return n_retired;
}

static struct memif_ring *
hs_ring(const struct dp_memif_hs *hs, enum dp_memif_dir d)
{
	const struct dp_memif_hs_ring *r = &hs->rings[d];

	return (struct memif_ring *)(hs->regions[r->region].addr + r->offset);
}

/* On the node of the guest's memory when it has room, else the lcore's. */
static struct dp_memif_rt *
rt_alloc(const struct dp_guest *g, int node)
{
	int s = dp_guest_numa_socket(g, node);
	struct dp_memif_rt *rt = rte_zmalloc_socket("memif_rt", sizeof(*rt),
						    RTE_CACHE_LINE_SIZE, s);

	if (rt == NULL && s != (int)rte_lcore_to_socket_id(g->lcore))
		rt = rte_zmalloc_socket("memif_rt", sizeof(*rt), RTE_CACHE_LINE_SIZE,
					rte_lcore_to_socket_id(g->lcore));
	return rt;
}

static struct dp_memif_rt *
rt_build(const struct dp_guest *g, int node)
{
	const struct dp_memif_hs *hs = &g->conn.srv.hs;
	struct dp_memif_rt *rt = rt_alloc(g, node);

	if (rt == NULL)
		return NULL;
	rt->n_regions = hs->n_regions;
	for (unsigned int i = 0; i < hs->n_regions; i++) {
		rt->regions[i].base = hs->regions[i].addr;
		rt->regions[i].size = hs->regions[i].size;
	}
	for (unsigned int d = 0; d < DP_MEMIF_NDIR; d++) {
		const struct dp_memif_hs_ring *r = &hs->rings[d];
		struct dp_memif_q *q = d == DP_MEMIF_C2S ? &rt->c2s : &rt->s2c;

		q->ring = hs_ring(hs, (enum dp_memif_dir)d);
		q->size = (uint16_t)(1u << r->log2_size);
		q->mask = q->size - 1;
		q->last = 0;
		q->intr_fd = r->fd;
	}
	rt->max_chain = g->conf->max_chain;
	rt->max_frame = g->conf->max_frame;
	/* Epochs are unique across guests and slots: a reused slot never
	 * mistakes an old connection's late completions for its own. */
	rt->epoch = dp_guest_next_epoch();
	return rt;
}

/* Our side of the rings: hostlane's first touch of their pages. */
static void
rings_reset(const struct dp_memif_hs *hs)
{
	/* We poll C2S, so the guest need not signal us; the lcore clears
	 * this while it sleeps (lcore.c). */
	__atomic_store_n(&hs_ring(hs, DP_MEMIF_C2S)->flags,
			 MEMIF_RING_FLAG_MASK_INT, __ATOMIC_RELAXED);
	__atomic_store_n(&hs_ring(hs, DP_MEMIF_C2S)->tail, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&hs_ring(hs, DP_MEMIF_S2C)->tail, 0, __ATOMIC_RELAXED);
}

/* CONNECT accepted: set our side of the rings and hand them to the I/O lcore. */
static enum dp_memif_reason
publish(struct dp_guest *g)
{
	struct dp_memif_rt *rt;
	int node;

	if (dp_guest_sessions_ready(g) < 0)
		return DP_MEMIF_R_NOMEM;
	/* Before the node is asked for: only pages mapped in have one. */
	rings_reset(&g->conn.srv.hs);
	node = dp_guest_numa_memif(g);
	rt = rt_build(g, node);
	if (rt == NULL)
		return DP_MEMIF_R_NOMEM;
	/* The guest's C2S eventfd wakes its lcore when it sleeps. */
	if (dp_lcore_fd_watch(g->io, rt->c2s.intr_fd) < 0) {
		rte_free(rt);
		return DP_MEMIF_R_NOMEM;
	}
	/* Its pool, before the lcore takes a frame of this connection. */
	dp_guest_numa_connected(g, node);
	/* Release: every field of rt is set before the I/O lcore sees it. */
	__atomic_store_n(&g->fast.rt, rt, __ATOMIC_RELEASE);
	/* Into the poll list (already there if it has a VF); a sleeping
	 * lcore would not unmask the new ring before it wakes. */
	dp_lcore_guest_sync(g);
	dp_lcore_wake(g->io);
	g->conn.slow.connects++;
	DP_LOG(INFO, "guest %s: client '%s' connected (if '%s')", g->conf->name,
	       g->conn.srv.hs.peer_name, g->conn.srv.hs.if_name);
	return DP_MEMIF_R_NONE;
}

static void
log_drop(struct dp_guest *g, enum dp_memif_reason why)
{
	if (why == DP_MEMIF_R_PEER || why == DP_MEMIF_R_SHUTDOWN) {
		DP_LOG(INFO, "guest %s: client disconnected (%s)", g->conf->name,
		       dp_memif_reason_str(why));
		return;
	}
	if (log_ok(g))
		DP_LOG(WARNING, "guest %s: dropping client '%s': %s", g->conf->name,
		       g->conn.srv.hs.peer_name, dp_memif_reason_str(why));
}

static void
count_drop(struct dp_guest *g, enum dp_memif_reason why, bool was_connected)
{
	g->conn.reasons[why]++;
	g->conn.slow.disconnects++;
	if (dp_memif_reason_is_fault(why))
		g->conn.slow.faults++;
	else if (!was_connected && why != DP_MEMIF_R_PEER)
		g->conn.slow.rejects++;
}

void
dp_memif_srv_drop(struct dp_guest *g, enum dp_memif_reason why, bool notify)
{
	struct dp_memif_rt *rt = g->fast.rt;
	struct memif_msg m;

	if (g->conn.srv.conn_fd < 0)
		return;
	if (rt != NULL) {
		rt_retire(g, rt);
		/* The manager refuses the epoch's late requests from now on. */
		if (g->conn.srv.gone != NULL)
			g->conn.srv.gone(g->conn.srv.gone_arg, g->idx, rt->epoch);
	}
	if (notify) {
		dp_memif_hs_disconnect(why, &m);
		send_msg(g->conn.srv.conn_fd, &m);
	}
	log_drop(g, why);
	count_drop(g, why, rt != NULL);
	close(g->conn.srv.conn_fd);	/* also removes it from the epoll set */
	g->conn.srv.conn_fd = -1;
	dp_memif_hs_reset(&g->conn.srv.hs);
}

static enum dp_memif_reason
serve_one(struct dp_guest *g, bool *more)
{
	struct memif_msg msg, reply;
	enum dp_memif_reason why;
	int fd, rc;

	rc = recv_msg(g->conn.srv.conn_fd, &msg, &fd);
	*more = rc > 0;
	if (rc <= 0)
		return (enum dp_memif_reason)-rc;
	if (g->conn.srv.hs.state == DP_MEMIF_HS_CONNECTED &&
	    msg.type != MEMIF_MSG_TYPE_DISCONNECT) {
		if (fd >= 0)
			close(fd);
		return DP_MEMIF_R_MSG_ORDER;
	}
	why = dp_memif_hs_handle(&g->conn.srv.hs, &g->conf->memif, &msg, fd, &reply);
	if (why != DP_MEMIF_R_NONE)
		return why;
	if (reply.type == MEMIF_MSG_TYPE_CONNECTED) {
		why = publish(g);
		if (why != DP_MEMIF_R_NONE)
			return why;
	}
	return send_msg(g->conn.srv.conn_fd, &reply) < 0 ? DP_MEMIF_R_SEND :
						      DP_MEMIF_R_NONE;
}

static void
serve_client(struct dp_guest *g)
{
	for (int i = 0; i < MSGS_PER_EVENT; i++) {
		bool more;
		enum dp_memif_reason why = serve_one(g, &more);

		if (why != DP_MEMIF_R_NONE) {
			/* No DISCONNECT to a peer that has gone or said goodbye. */
			dp_memif_srv_drop(g, why, why != DP_MEMIF_R_PEER);
			return;
		}
		if (!more)
			return;
	}
}

void
dp_memif_srv_event(struct dp_guest *g, unsigned int idx, int epfd,
		   unsigned int kind, uint32_t events)
{
	if (kind == DP_EV_LISTEN) {
		accept_client(g, idx, epfd);
		return;
	}
	if (g->conn.srv.conn_fd < 0)
		return;
	if (events & EPOLLIN)
		serve_client(g);
	else if (events & (EPOLLHUP | EPOLLERR))
		dp_memif_srv_drop(g, DP_MEMIF_R_PEER, false);
}

void
dp_memif_srv_tick(struct dp_guest *g, uint64_t now_ms)
{
	struct dp_memif_rt *rt = g->fast.rt;
	uint32_t fault;

	if (g->conn.srv.conn_fd < 0)
		return;
	if (rt == NULL) {
		if (now_ms > g->conn.srv.deadline_ms)
			dp_memif_srv_drop(g, DP_MEMIF_R_TIMEOUT, true);
		return;
	}
	/* Acquire: pairs with the I/O lcore's release in dp_memif_fault(). */
	fault = __atomic_load_n(&rt->fault, __ATOMIC_ACQUIRE);
	if (fault != 0)
		dp_memif_srv_drop(g, (enum dp_memif_reason)fault, true);
}

void
dp_memif_srv_close(struct dp_guest *g, enum dp_memif_reason why)
{
	if (g->conn.srv.listen_fd < 0)
		return;
	dp_memif_srv_drop(g, why, true);
	close(g->conn.srv.listen_fd);
	g->conn.srv.listen_fd = -1;
	unlink(g->conf->socket);
}
