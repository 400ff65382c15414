/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The socket calls on a worker (sock.h): each SOCK_* request performed on
 * a non-blocking host socket, with the guest's policy and port translation.
 * A call either answers (dp_sock_answer()), holds on its socket until the
 * socket is ready or its deadline passes (dp_sock_hold()), or goes back to
 * its queue to go on in the next round (a long send or receive).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_common.h>

#include "config.h"
#include "sock_int.h"

enum { DONE, HELD };

/* ---- addresses and translation ------------------------------------------- */

static uint16_t
sa_port(const struct sockaddr_storage *ss)
{
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);	/* same offset in v6 */
}

static void
sa_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	((struct sockaddr_in *)ss)->sin_port = htons(port);
}

static const uint8_t *
sa_addr(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
	return (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
}

static int
sa_loopback(const struct sockaddr_storage *ss)
{
	const uint8_t *a = sa_addr(ss);
	static const uint8_t lo6[16] = { [15] = 1 };

	return ss->ss_family == AF_INET ? a[0] == 127 : memcmp(a, lo6, 16) == 0;
}

/* A checked hl_sockaddr as the kernel's. @return its length. */
static socklen_t
sa_from_hl(const struct hl_sockaddr *h, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, h->sa, h->len);
	return h->len;
}

static void
sa_to_hl(const struct sockaddr_storage *ss, socklen_t len, struct hl_sockaddr *h)
{
	memset(h, 0, sizeof(*h));
	if ((ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) ||
	    (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))) {
		h->len = ss->ss_family == AF_INET ? 16 : 28;
		memcpy(h->sa, ss, h->len);
	}
}

/* The guest's socket whose port (guest view if by_guest, else host) is port. */
static const struct dp_sock_ent *
xlat_find(const struct dp_sock_gs *gs, uint16_t port, int by_guest)
{
	if (gs->n_xlat == 0 || port == 0)
		return NULL;
	for (unsigned int i = 0; i < gs->cap; i++) {
		const struct dp_sock_ent *e = &gs->ent[i];

		if (e->fd >= 0 && e->gport != 0 && (by_guest ? e->gport : e->hport) == port)
			return e;
	}
	return NULL;
}

/* A destination the guest names on loopback may be one of its own
 * translated ports: the host's port behind it. */
static void
xlat_dest(const struct dp_sock_gs *gs, struct sockaddr_storage *ss)
{
	const struct dp_sock_ent *e;

	if (!sa_loopback(ss))
		return;
	e = xlat_find(gs, sa_port(ss), 1);
	if (e != NULL)
		sa_set_port(ss, e->hport);
}

/* A peer on loopback behind one of the guest's translated ports: its view. */
static void
xlat_peer(const struct dp_sock_gs *gs, struct sockaddr_storage *ss)
{
	const struct dp_sock_ent *e;

	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return;
	if (!sa_loopback(ss))
		return;
	e = xlat_find(gs, sa_port(ss), 0);
	if (e != NULL)
		sa_set_port(ss, e->gport);
}

/* ---- the table ----------------------------------------------------------- */

static struct dp_sock_ent *
ent_find(struct dp_sock_gs *gs, uint32_t id)
{
	uint32_t idx = id & 0xffffu;
	struct dp_sock_ent *e;

	if (idx >= gs->cap)
		return NULL;
	e = &gs->ent[idx];
	return e->fd >= 0 && e->gen == (uint16_t)(id >> 16) ? e : NULL;
}

static struct dp_sock_ent *
ent_free_slot(struct dp_sock_gs *gs)
{
	if (gs->n_open >= gs->cap)
		return NULL;
	for (unsigned int i = 0; i < gs->cap; i++)
		if (gs->ent[i].fd < 0)
			return &gs->ent[i];
	return NULL;
}

static uint32_t
ent_id(const struct dp_sock_gs *gs, const struct dp_sock_ent *e)
{
	return DP_SOCK_ID(e - gs->ent, e->gen);
}

/* The entry `socket list` shows for e, or NULL (no table, or too small). */
static struct dp_sock_pub *
pub_of(struct dp_sock_worker *w, const struct dp_sock_gs *gs, const struct dp_sock_ent *e)
{
	struct dp_sock_pubtab *t = __atomic_load_n(&w->svc->pub[gs->slot], __ATOMIC_ACQUIRE);
	uint32_t idx = (uint32_t)(e - gs->ent);

	return t != NULL && idx < t->cap ? &t->ent[idx] : NULL;
}

/* Publish e: its fields, then its id (release); id 0 when it is gone. */
static void
pub_set(struct dp_sock_worker *w, const struct dp_sock_gs *gs, const struct dp_sock_ent *e,
	uint32_t id)
{
	struct dp_sock_pub *p = pub_of(w, gs, e);

	if (p == NULL)
		return;
	if (id == 0) {
		__atomic_store_n(&p->id, 0, __ATOMIC_RELEASE);
		return;
	}
	__atomic_store_n(&p->family, e->family, __ATOMIC_RELAXED);
	__atomic_store_n(&p->type, e->type, __ATOMIC_RELAXED);
	__atomic_store_n(&p->gport, e->gport, __ATOMIC_RELAXED);
	__atomic_store_n(&p->hport, e->hport, __ATOMIC_RELAXED);
	__atomic_store_n(&p->mask, e->mask, __ATOMIC_RELAXED);
	__atomic_store_n(&p->id, id, __ATOMIC_RELEASE);
}

static void
dirty_mark(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e)
{
	if (!e->dirty && e->mask != e->reported && gs->n_dirty < gs->cap) {
		e->dirty = 1;
		gs->dirty[gs->n_dirty++] = (uint16_t)(e - gs->ent);
	}
	if (e->dirty && gs->events != NULL && !gs->ev_due) {
		gs->ev_due = 1;
		gs->ev_next = w->ev_due;
		w->ev_due = gs;
	}
}

void
dp_sock_refresh(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e)
{
	struct pollfd pfd = { .fd = e->fd, .events = POLLIN | POLLOUT | POLLRDHUP };

	/* poll()'s bits are epoll's (and so HL_SOCK_EV_*) on Linux. */
	if (poll(&pfd, 1, 0) < 0)
		return;
	e->mask = (uint32_t)pfd.revents & HL_SOCK_EV_KNOWN;
	pub_set(w, gs, e, ent_id(gs, e));
	dirty_mark(w, gs, e);
}

static void
ent_install(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
	    int fd, uint8_t family, uint8_t type)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				  .data.u64 = DP_SOCK_KEY(gs->slot, e - gs->ent, e->gen) };

	e->fd = fd;
	e->family = family;
	e->type = type;
	e->connecting = 0;
	e->gport = e->hport = 0;
	e->mask = e->reported = 0;
	e->hin = e->hin_tail = e->hout = e->hout_tail = NULL;
	gs->n_open++;
	DP_SOCK_GST_SET(w->svc, gs->slot, open, gs->n_open);
	DP_SOCK_GST_ADD(w->svc, gs->slot, opened, 1);
	/* Cannot fail but for memory: then the socket only never wakes a
	 * held call, and its calls still answer. */
	(void)epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
	dp_sock_refresh(w, gs, e);
}

void
dp_sock_ent_close(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
		  int drop)
{
	dp_sock_flush_held(w, gs, e, -EBADF, drop);
	pub_set(w, gs, e, 0);
	/* close() takes it out of the epoll set (no dup of it exists). */
	close(e->fd);
	e->fd = -1;
	if (e->gport != 0)
		gs->n_xlat--;
	e->gport = e->hport = 0;
	e->gen = (uint16_t)(e->gen + 1) == 0 ? 1 : (uint16_t)(e->gen + 1);
	gs->n_open--;
	DP_SOCK_GST_SET(w->svc, gs->slot, open, gs->n_open);
}

/* ---- SOCKET ---------------------------------------------------------------- */

/* socket() in the guest's network namespace when it has one. */
static int
ns_socket(struct dp_sock_worker *w, struct dp_sock_gs *gs, const struct dp_sock_conf *c,
	  int domain, int type, int proto)
{
	char path[128];
	int fd, err;

	if (c->netns[0] == '\0')
		return socket(domain, type, proto);
	if (gs->nsfd < 0) {
		snprintf(path, sizeof(path), "/run/netns/%s", c->netns);
		gs->nsfd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (gs->nsfd < 0)
			return -1;
	}
	if (w->selfns < 0 || setns(gs->nsfd, CLONE_NEWNET) < 0)
		return -1;
	fd = socket(domain, type, proto);
	err = errno;
	if (setns(w->selfns, CLONE_NEWNET) < 0) {
		/* Every later socket() of this thread would be made there:
		 * fail them all instead (op_socket()). */
		__atomic_store_n(&w->ns_lost, 1, __ATOMIC_RELAXED);
		if (fd >= 0)
			close(fd);
		errno = EIO;
		return -1;
	}
	errno = err;
	return fd;
}

static int
op_socket(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_msg *msg)
{
	const struct dp_sock_conf *c = &msg->conf->sock;
	uint64_t domain = msg->req.arg0;
	uint32_t type = (uint32_t)msg->req.arg1, proto = (uint32_t)(msg->req.arg1 >> 32);
	struct dp_sock_ent *e;
	int fd;

	if (domain != HL_SOCK_AF_INET && domain != HL_SOCK_AF_INET6)
		return msg->res = -EAFNOSUPPORT, DONE;
	if (!dp_sock_conf_family_ok(c, (uint32_t)domain)) {
		DP_SOCK_GST_ADD(w->svc, gs->slot, refused, 1);
		return msg->res = -EACCES, DONE;
	}
	if (proto != 0 && !(proto == IPPROTO_TCP && type == HL_SOCK_STREAM) &&
	    !(proto == IPPROTO_UDP && type == HL_SOCK_DGRAM))
		return msg->res = -EPROTONOSUPPORT, DONE;
	e = ent_free_slot(gs);
	if (e == NULL)
		return msg->res = -EMFILE, DONE;
	if (w->ns_lost)
		return msg->res = -EIO, DONE;
	fd = ns_socket(w, gs, c, (int)domain, (int)type | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       (int)proto);
	if (fd < 0)
		return msg->res = -errno, DONE;
	ent_install(w, gs, e, fd, (uint8_t)domain, (uint8_t)type);
	msg->res = ent_id(gs, e);
	return DONE;
}

/* ---- BIND, LISTEN, CONNECT ------------------------------------------------- */

static int
guest_port_taken(const struct dp_sock_gs *gs, uint16_t port)
{
	return xlat_find(gs, port, 1) != NULL;
}

/* Bind to host ports of the guest's range, from where the last left off;
 * a bounded number of tries. */
static int
bind_in_range(struct dp_sock_gs *gs, struct dp_sock_ent *e, const struct dp_sock_range *r,
	      struct sockaddr_storage *ss, socklen_t len)
{
	uint32_t span = (uint32_t)r->hi - r->lo + 1;
	uint32_t tries = RTE_MIN(span, 64u);

	for (uint32_t i = 0; i < tries; i++) {
		uint16_t port = (uint16_t)(r->lo + (gs->port_next++ % span));

		sa_set_port(ss, port);
		if (bind(e->fd, (struct sockaddr *)ss, len) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -errno;
	}
	return -EADDRINUSE;
}

static int
local_port(const struct dp_sock_ent *e, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(e->fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	*port = sa_port(&ss);
	return 0;
}

static int
op_bind(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
	struct dp_sock_msg *msg)
{
	const struct dp_sock_conf *c = &msg->conf->sock;
	struct sockaddr_storage ss;
	socklen_t len = sa_from_hl(&msg->req.addr, &ss);
	uint16_t port = sa_port(&ss), hport = 0;
	int rc;

	if (ss.ss_family != e->family)
		return msg->res = -EAFNOSUPPORT, DONE;
	if (!dp_sock_conf_bind_ok(c, port)) {
		DP_SOCK_GST_ADD(w->svc, gs->slot, refused, 1);
		return msg->res = -EACCES, DONE;
	}
	if (port != 0 && guest_port_taken(gs, port))
		return msg->res = -EADDRINUSE, DONE;
	if (port == 0 || c->host_same) {
		rc = bind(e->fd, (struct sockaddr *)&ss, len) == 0 ? 0 : -errno;
	} else if (c->host.lo != 0) {
		rc = bind_in_range(gs, e, &c->host, &ss, len);
	} else {
		sa_set_port(&ss, 0);
		rc = bind(e->fd, (struct sockaddr *)&ss, len) == 0 ? 0 : -errno;
	}
	if (rc == 0 && port != 0)
		rc = local_port(e, &hport);
	if (rc == 0 && port != 0) {
		e->gport = port;
		e->hport = hport;
		gs->n_xlat++;
	}
	return msg->res = rc, DONE;
}

static int
op_listen(struct dp_sock_ent *e, struct dp_sock_msg *msg)
{
	int backlog = (int)RTE_MIN(msg->req.arg0, (uint64_t)SOMAXCONN);

	if (e->type != HL_SOCK_STREAM)
		return msg->res = -EOPNOTSUPP, DONE;
	return msg->res = listen(e->fd, backlog) == 0 ? 0 : -errno, DONE;
}

/* A destination the guest may reach: family, policy. @return 0 or -errno. */
static int
dest_check(struct dp_sock_worker *w, struct dp_sock_gs *gs, const struct dp_sock_ent *e,
	   const struct dp_sock_msg *msg, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sa_from_hl(&msg->req.addr, ss);
	if (ss->ss_family != e->family)
		return -EAFNOSUPPORT;
	if (!dp_sock_conf_dest_ok(&msg->conf->sock, ss->ss_family, sa_addr(ss),
				  sa_port(ss))) {
		DP_SOCK_GST_ADD(w->svc, gs->slot, refused, 1);
		return -EACCES;
	}
	xlat_dest(gs, ss);
	return 0;
}

/* A held connect whose socket changed: finished, failed, or still going. */
static int
connect_resume(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
	       struct dp_sock_msg *msg)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0 && !(e->mask & (HL_SOCK_EV_OUT | HL_SOCK_EV_HUP))) {
		dp_sock_hold(w, gs, e, msg, 1);
		return HELD;
	}
	e->connecting = 0;
	return msg->res = -err, DONE;
}

static int
op_connect(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
	   struct dp_sock_msg *msg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int rc;

	if (msg->done)
		return connect_resume(w, gs, e, msg);
	rc = dest_check(w, gs, e, msg, &ss, &len);
	if (rc < 0)
		return msg->res = rc, DONE;
	if (connect(e->fd, (struct sockaddr *)&ss, len) == 0)
		return msg->res = 0, DONE;
	rc = -errno;
	if (rc != -EINPROGRESS)
		return msg->res = rc, DONE;
	e->connecting = 1;
	if (msg->req.wait_ms == 0)
		return msg->res = rc, DONE;
	msg->done = 1;		/* from now on it waits for the outcome */
	dp_sock_hold(w, gs, e, msg, 1);
	return HELD;
}

/* ---- ACCEPT ---------------------------------------------------------------- */

static int
op_accept(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
	  struct dp_sock_msg *msg)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct dp_sock_ent *n;
	struct hl_sockaddr peer;
	int fd;

	n = ent_free_slot(gs);
	if (n == NULL)
		return msg->res = -EMFILE, DONE;
	fd = accept4(e->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0 && errno == EAGAIN && msg->req.wait_ms != 0) {
		dp_sock_hold(w, gs, e, msg, 0);
		return HELD;
	}
	if (fd < 0)
		return msg->res = -errno, DONE;
	ent_install(w, gs, n, fd, e->family, HL_SOCK_STREAM);
	if (e->gport != 0) {	/* it shares the listener's port */
		n->gport = e->gport;
		n->hport = e->hport;
		gs->n_xlat++;
		pub_set(w, gs, n, ent_id(gs, n));
	}
	xlat_peer(gs, &ss);
	sa_to_hl(&ss, len, &peer);
	memcpy(msg->out, &peer, sizeof(peer));
	msg->out_len = sizeof(peer);
	msg->res = ent_id(gs, n);
	return DONE;
}

/* ---- SEND ------------------------------------------------------------------ */

/* After some bytes moved: answered, held for more, or queued again. */
static int
io_more(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
	struct dp_sock_msg *msg, int out, int full_chunk)
{
	if (msg->req.wait_ms == 0 && msg->done > 0)
		return msg->res = msg->done, DONE;
	if (full_chunk) {		/* the socket may take more at once */
		dp_sock_queue_front(w, gs, msg);
		return HELD;
	}
	dp_sock_hold(w, gs, e, msg, out);
	return HELD;
}

static int
op_send(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
	struct dp_sock_msg *msg)
{
	int bulk = msg->req.op == HL_OP_SOCK_SEND_BULK;
	const uint8_t *data = bulk ? msg->bulk : msg->data;
	uint32_t len = bulk ? msg->req.bulk.len : msg->req.data_len;
	uint32_t chunk = RTE_MIN(len - msg->done, DP_SOCK_IO_MAX);
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL | (int)(msg->req.flags & HL_SOCK_MSG_MORE);
	struct sockaddr_storage ss;
	socklen_t salen = 0;
	ssize_t n;
	int rc;

	if (msg->req.addr.len != 0) {
		rc = dest_check(w, gs, e, msg, &ss, &salen);
		if (rc < 0)
			return msg->res = rc, DONE;
	}
	n = sendto(e->fd, data + msg->done, chunk, flags,
		   salen != 0 ? (struct sockaddr *)&ss : NULL, salen);
	if (n < 0) {
		rc = -errno;
		if (rc == -EAGAIN && msg->req.wait_ms != 0) {
			dp_sock_hold(w, gs, e, msg, 1);
			return HELD;
		}
		return msg->res = msg->done > 0 ? (int64_t)msg->done : rc, DONE;
	}
	msg->done += (uint32_t)n;
	DP_SOCK_GST_ADD(w->svc, gs->slot, bytes_out, (uint64_t)n);
	if (msg->done >= len || e->type == HL_SOCK_DGRAM)
		return msg->res = msg->done, DONE;
	return io_more(w, gs, e, msg, 1, (uint32_t)n == chunk);
}

/* ---- RECV ------------------------------------------------------------------ */

static int
recv_done(struct dp_sock_msg *msg, int64_t res)
{
	msg->res = res;
	msg->res1 = msg->req.want_addr ? sizeof(struct hl_sockaddr) : 0;
	msg->out_len = (uint32_t)msg->res1;
	if (msg->req.op == HL_OP_SOCK_RECV && res > 0)
		msg->out_len += msg->done;
	return DONE;
}

static int
op_recv(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
	struct dp_sock_msg *msg)
{
	int bulk = msg->req.op == HL_OP_SOCK_RECV_BULK;
	uint32_t skip = msg->req.want_addr ? sizeof(struct hl_sockaddr) : 0;
	uint8_t *dst = bulk ? msg->bulk : msg->out + skip;
	uint32_t want = bulk ? msg->req.bulk.len : msg->req.want;
	uint32_t chunk = RTE_MIN(want - msg->done, DP_SOCK_IO_MAX);
	int flags = MSG_DONTWAIT | (int)(msg->req.flags & (HL_SOCK_MSG_PEEK | HL_SOCK_MSG_TRUNC));
	int waitall = (msg->req.flags & HL_SOCK_MSG_WAITALL) && e->type == HL_SOCK_STREAM;
	struct sockaddr_storage ss;
	socklen_t salen = sizeof(ss);
	struct hl_sockaddr src;
	ssize_t n;

	memset(&ss, 0, sizeof(ss));
	n = recvfrom(e->fd, dst + msg->done, chunk, flags, (struct sockaddr *)&ss, &salen);
	if (n < 0) {
		int rc = -errno;

		if (rc == -EAGAIN && msg->req.wait_ms != 0) {
			dp_sock_hold(w, gs, e, msg, 0);
			return HELD;
		}
		return recv_done(msg, msg->done > 0 ? (int64_t)msg->done : rc);
	}
	if (msg->done == 0 && skip != 0) {
		xlat_peer(gs, &ss);
		sa_to_hl(&ss, salen, &src);
		memcpy(msg->out, &src, sizeof(src));
	}
	/* MSG_TRUNC on a datagram: n is its real length, chunk what we kept. */
	msg->done += (uint32_t)RTE_MIN((size_t)n, (size_t)chunk);
	DP_SOCK_GST_ADD(w->svc, gs->slot, bytes_in, RTE_MIN((size_t)n, (size_t)chunk));
	if (n == 0 || !waitall || msg->done >= want || (flags & MSG_PEEK))
		return recv_done(msg, (flags & MSG_TRUNC) && e->type == HL_SOCK_DGRAM ?
				 n : (ssize_t)msg->done);
	return io_more(w, gs, e, msg, 0, (uint32_t)n == chunk);
}

/* ---- SHUTDOWN, CLOSE, GETNAME ---------------------------------------------- */

static int
op_getname(struct dp_sock_gs *gs, struct dp_sock_ent *e, struct dp_sock_msg *msg)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct hl_sockaddr h;
	int rc = msg->req.arg0 == HL_SOCK_NAME_PEER ?
		getpeername(e->fd, (struct sockaddr *)&ss, &len) :
		getsockname(e->fd, (struct sockaddr *)&ss, &len);

	if (rc < 0)
		return msg->res = -errno, DONE;
	if (msg->req.arg0 == HL_SOCK_NAME_PEER)
		xlat_peer(gs, &ss);
	else if (e->gport != 0)
		sa_set_port(&ss, e->gport);
	sa_to_hl(&ss, len, &h);
	memcpy(msg->out, &h, sizeof(h));
	msg->out_len = sizeof(h);
	return msg->res = 0, DONE;
}

/* ---- options: the ones programs commonly set, by value size ------------- */

struct opt_def {
	int level;
	int name;
	uint8_t len;
	uint8_t set;		/* may be set; all may be read */
};

/* Never an option whose value holds a pointer (filters), asks for host
 * privileges (SO_PRIORITY above 6, SO_MARK, SO_BINDTODEVICE) or would let
 * a guest join another program's port (SO_REUSEPORT). TCP_CONGESTION is
 * read only: set by root, a name may load a kernel module. */
static const struct opt_def opts[] = {
	{ SOL_SOCKET, SO_REUSEADDR, 4, 1 }, { SOL_SOCKET, SO_KEEPALIVE, 4, 1 },
	{ SOL_SOCKET, SO_BROADCAST, 4, 1 }, { SOL_SOCKET, SO_SNDBUF, 4, 1 },
	{ SOL_SOCKET, SO_RCVBUF, 4, 1 }, { SOL_SOCKET, SO_LINGER, 8, 1 },
	{ SOL_SOCKET, SO_OOBINLINE, 4, 1 }, { SOL_SOCKET, SO_RCVLOWAT, 4, 1 },
	{ SOL_SOCKET, SO_ERROR, 4, 0 }, { SOL_SOCKET, SO_TYPE, 4, 0 },
	{ SOL_SOCKET, SO_ACCEPTCONN, 4, 0 }, { SOL_SOCKET, SO_PROTOCOL, 4, 0 },
	{ SOL_SOCKET, SO_DOMAIN, 4, 0 },
	{ IPPROTO_TCP, TCP_NODELAY, 4, 1 }, { IPPROTO_TCP, TCP_MAXSEG, 4, 1 },
	{ IPPROTO_TCP, TCP_CORK, 4, 1 }, { IPPROTO_TCP, TCP_KEEPIDLE, 4, 1 },
	{ IPPROTO_TCP, TCP_KEEPINTVL, 4, 1 }, { IPPROTO_TCP, TCP_KEEPCNT, 4, 1 },
	{ IPPROTO_TCP, TCP_QUICKACK, 4, 1 }, { IPPROTO_TCP, TCP_USER_TIMEOUT, 4, 1 },
	{ IPPROTO_TCP, TCP_CONGESTION, 16, 0 },
	{ IPPROTO_TCP, TCP_INFO, sizeof(struct tcp_info), 0 },
	{ IPPROTO_IP, IP_TOS, 4, 1 }, { IPPROTO_IP, IP_TTL, 4, 1 },
	{ IPPROTO_IPV6, IPV6_V6ONLY, 4, 1 }, { IPPROTO_IPV6, IPV6_UNICAST_HOPS, 4, 1 },
	{ IPPROTO_IPV6, IPV6_TCLASS, 4, 1 },
};

_Static_assert(sizeof(struct tcp_info) <= HL_SOCK_GETOPT_MAX &&
	       sizeof(struct tcp_info) <= UINT8_MAX, "TCP_INFO fits a GETOPT reply");

static const struct opt_def *
opt_find(uint64_t level, uint64_t name)
{
	for (size_t i = 0; i < RTE_DIM(opts); i++)
		if ((uint64_t)opts[i].level == level && (uint64_t)opts[i].name == name)
			return &opts[i];
	return NULL;
}

static int
op_setopt(struct dp_sock_ent *e, struct dp_sock_msg *msg)
{
	const struct opt_def *o = opt_find(msg->req.arg0, msg->req.arg1);
	uint8_t val[HL_SOCK_OPT_MAX];

	if (o == NULL || !o->set)
		return msg->res = -ENOPROTOOPT, DONE;
	if (msg->req.data_len != o->len)
		return msg->res = -EINVAL, DONE;
	memcpy(val, msg->data, o->len);
	if (o->level == SOL_SOCKET && o->name == SO_LINGER) {
		struct linger l;

		/* close() lingers even on a non-blocking socket: a graceful
		 * linger would hold the worker. Abortive (0 s) is kept; any
		 * other becomes the default background close. */
		memcpy(&l, val, sizeof(l));
		if (l.l_onoff && l.l_linger != 0)
			l = (struct linger){ 0, 0 };
		memcpy(val, &l, sizeof(l));
	}
	return msg->res = setsockopt(e->fd, o->level, o->name, val, o->len) == 0 ?
			  0 : -errno, DONE;
}

static int
op_getopt(struct dp_sock_ent *e, struct dp_sock_msg *msg)
{
	const struct opt_def *o = opt_find(msg->req.arg0, msg->req.arg1);
	socklen_t len;

	if (o == NULL)
		return msg->res = -ENOPROTOOPT, DONE;
	len = o->len;
	memset(msg->out, 0, o->len);
	if (getsockopt(e->fd, o->level, o->name, msg->out, &len) < 0)
		return msg->res = -errno, DONE;
	msg->out_len = RTE_MIN((uint32_t)len, (uint32_t)o->len);
	return msg->res = msg->out_len, DONE;
}

/* ---- EVENTS ---------------------------------------------------------------- */

/* The changes since the last report, as many as fit; reported = mask. */
static void
events_fill(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_msg *msg)
{
	struct hl_sock_event ev;
	uint32_t n = 0, k = 0;

	for (uint32_t i = 0; i < gs->n_dirty; i++) {
		struct dp_sock_ent *e = &gs->ent[gs->dirty[i]];

		if (n == HL_SOCK_EVENTS_MAX) {	/* the rest wait for the next */
			gs->dirty[k++] = gs->dirty[i];
			continue;
		}
		e->dirty = 0;
		if (e->fd < 0 || e->mask == e->reported)
			continue;
		ev.sock = ent_id(gs, e);
		ev.events = e->mask;
		e->reported = e->mask;
		memcpy(msg->out + n * sizeof(ev), &ev, sizeof(ev));
		n++;
	}
	gs->n_dirty = (uint16_t)k;
	msg->out_len = n * (uint32_t)sizeof(ev);
	msg->res = n;
	DP_SOCK_GST_ADD(w->svc, gs->slot, events, 1);
}

static int
op_events(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_msg *msg)
{
	if (gs->events != NULL)
		return msg->res = -EBUSY, DONE;
	if (gs->n_dirty > 0 || msg->req.wait_ms == 0) {
		events_fill(w, gs, msg);
		return DONE;
	}
	if (msg->deadline_ms == 0 && msg->req.wait_ms != HL_SOCK_WAIT_FOREVER)
		msg->deadline_ms = dp_sock_now_ms() + msg->req.wait_ms;
	if (!msg->held) {
		msg->held = 1;
		w->n_held++;
		gs->n_held++;
		DP_SOCK_GST_SET(w->svc, gs->slot, held, gs->n_held);
		if (msg->deadline_ms != 0 &&
		    (w->next_deadline == 0 || msg->deadline_ms < w->next_deadline))
			w->next_deadline = msg->deadline_ms;
	}
	gs->events = msg;
	return HELD;
}

void
dp_sock_events_flush(struct dp_sock_worker *w)
{
	struct dp_sock_gs *gs = w->ev_due;

	w->ev_due = NULL;
	while (gs != NULL) {
		struct dp_sock_gs *next = gs->ev_next;
		struct dp_sock_msg *msg = gs->events;

		gs->ev_due = 0;
		gs->ev_next = NULL;
		if (msg != NULL && gs->n_dirty > 0) {
			gs->events = NULL;
			dp_sock_unhold(w, gs, msg);
			events_fill(w, gs, msg);
			msg->state = 0;
			dp_sock_finish(w, msg);
		}
		gs = next;
	}
}

/* ---- dispatch ---------------------------------------------------------------- */

/* Calls of one direction keep their order: behind a held one, they wait. */
static int
behind_held(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
	    struct dp_sock_msg *msg)
{
	int out = msg->req.cls == DP_SOCK_C_SEND || msg->req.op == HL_OP_SOCK_CONNECT;
	int in = msg->req.cls == DP_SOCK_C_RECV || msg->req.op == HL_OP_SOCK_ACCEPT;

	if ((out && e->hout == NULL) || (in && e->hin == NULL) || (!out && !in))
		return 0;
	if (msg->req.wait_ms == 0) {
		msg->res = msg->req.op == HL_OP_SOCK_CONNECT ? -EALREADY : -EAGAIN;
		return 1;
	}
	dp_sock_hold(w, gs, e, msg, out);
	return 2;
}

static int
op_on_socket(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_ent *e,
	     struct dp_sock_msg *msg)
{
	switch (msg->req.op) {
	case HL_OP_SOCK_BIND: return op_bind(w, gs, e, msg);
	case HL_OP_SOCK_LISTEN: return op_listen(e, msg);
	case HL_OP_SOCK_ACCEPT: return op_accept(w, gs, e, msg);
	case HL_OP_SOCK_CONNECT: return op_connect(w, gs, e, msg);
	case HL_OP_SOCK_SEND:
	case HL_OP_SOCK_SEND_BULK: return op_send(w, gs, e, msg);
	case HL_OP_SOCK_RECV:
	case HL_OP_SOCK_RECV_BULK: return op_recv(w, gs, e, msg);
	case HL_OP_SOCK_SHUTDOWN:
		return msg->res = shutdown(e->fd, (int)msg->req.arg0) == 0 ? 0 : -errno, DONE;
	case HL_OP_SOCK_SETOPT: return op_setopt(e, msg);
	case HL_OP_SOCK_GETOPT: return op_getopt(e, msg);
	case HL_OP_SOCK_GETNAME: return op_getname(gs, e, msg);
	default: return msg->res = -EINVAL, DONE;
	}
}

static void
count_call(struct dp_sock_worker *w, struct dp_sock_gs *gs, const struct dp_sock_msg *msg)
{
	if (msg->held || msg->done != 0)
		return;		/* counted when it first ran */
	switch (msg->req.cls) {
	case DP_SOCK_C_CMD:
		DP_SOCK_GST_ADD(w->svc, gs->slot, calls_cmd, 1);
		DP_SOCK_WST_ADD(w, calls_cmd, 1);
		break;
	case DP_SOCK_C_RECV:
		DP_SOCK_GST_ADD(w->svc, gs->slot, calls_recv, 1);
		DP_SOCK_WST_ADD(w, calls_recv, 1);
		break;
	default:
		DP_SOCK_GST_ADD(w->svc, gs->slot, calls_send, 1);
		DP_SOCK_WST_ADD(w, calls_send, 1);
		break;
	}
}

void
dp_sock_exec(struct dp_sock_worker *w, struct dp_sock_gs *gs, struct dp_sock_msg *msg)
{
	struct dp_sock_ent *e = NULL;
	int r;

	count_call(w, gs, msg);
	/* Off any held list now: it runs, and holds again if it must. */
	dp_sock_unhold(w, gs, msg);
	if (msg->req.op == HL_OP_SOCK_SOCKET) {
		r = op_socket(w, gs, msg);
	} else if (msg->req.op == HL_OP_SOCK_EVENTS) {
		r = op_events(w, gs, msg);
	} else if ((e = ent_find(gs, msg->req.sock)) == NULL) {
		DP_SOCK_GST_ADD(w->svc, gs->slot, bad_id, 1);
		msg->res = -EBADF;
		r = DONE;
	} else if (msg->req.op == HL_OP_SOCK_CLOSE) {
		dp_sock_ent_close(w, gs, e, 0);
		e = NULL;
		msg->res = 0;
		r = DONE;
	} else {
		r = behind_held(w, gs, e, msg);
		r = r == 0 ? op_on_socket(w, gs, e, msg) : r == 1 ? DONE : HELD;
	}
	if (e != NULL)
		dp_sock_refresh(w, gs, e);
	if (r == DONE) {
		dp_sock_tell_state(gs, msg);
		dp_sock_finish(w, msg);
	}
}

/*
 * A reply's state tells the guest its socket's mask, as an EVENTS reply
 * would (proto.h): from now on only a change from it is an event. Without
 * this, data arriving after a recv drained the socket would match the mask
 * an earlier EVENTS reported, raise nothing, and leave an epoll waiter
 * hanging.
 */
void
dp_sock_tell_state(struct dp_sock_gs *gs, struct dp_sock_msg *msg)
{
	struct dp_sock_ent *e = msg->req.op == HL_OP_SOCK_SOCKET ||
				msg->req.op == HL_OP_SOCK_EVENTS ||
				msg->req.op == HL_OP_SOCK_CLOSE ? NULL :
				ent_find(gs, msg->req.sock);

	msg->state = e != NULL ? e->mask : 0;
	if (e != NULL)
		e->reported = e->mask;
}
