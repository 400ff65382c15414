/* SPDX-License-Identifier: BSD-3-Clause */
/* The socket data calls: send*, recv* in frames or through the bulk area. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hl_bulk.h"
#include "hl_clock.h"
#include "hl_sock.h"

#define SD_MIN(a, b) ((size_t)(a) < (size_t)(b) ? (size_t)(a) : (size_t)(b))

#define SD_UDP_MAX 65507u	/* largest IPv4 UDP payload */
#define SD_STACK_MAX 4096u	/* sendmsg/recvmsg gather on the stack */

/* The wait of a data call on sk: none, SO_*TIMEO, or forever. */
static int
sd_wait(const struct hl_sk *sk, int flags, int send)
{
	int32_t t = send ? sk->sndtimeo_ms : sk->rcvtimeo_ms;

	if (sk->nonblock || (flags & MSG_DONTWAIT))
		return SK_WAIT_NONE;
	return t >= 0 ? t : SK_WAIT_FOREVER;
}

/* Bytes one bulk request may move (0: no bulk on c now). */
static uint32_t
sd_bulk_room(const struct hl_conn *c)
{
	const struct hl_bulk_pool *p = &c->bulk;

	if (p->n == 0)
		return 0;
	return p->slot < p->max ? p->slot : p->max;
}

/* Give a bulk slot back, unless the host may still use it (the call was
 * given up on) or the pool was reset under it (new transport). */
static void
sd_bulk_put(struct hl_conn *c, uint32_t slot, uint32_t epoch,
	    const struct hl_result *res)
{
	if (c->epoch == epoch && res->status != HL_E_TIMEOUT)
		hl_bulk_put(&c->bulk, slot);
}

/* ---- send ---------------------------------------------------------------- */

struct sd_send {
	const uint8_t *data;
	size_t len;
	const struct hl_sockaddr *to;	/* NULL: none */
	uint32_t wflags;
	int wait_ms;
	int64_t deadline;		/* of wait_ms (sends that return at once) */
	size_t done;			/* bytes this call sent before */
	size_t asked;			/* bytes the last request carried */
};

static int64_t
sd_send_frame(struct hl_conn *c, struct hl_sock_layer *L, int sd,
	      struct sd_send *a)
{
	uint8_t pl[HL_PAYLOAD_MAX];
	uint32_t off = a->to != NULL ? sizeof(*a->to) : 0;
	uint32_t n = a->len < HL_SOCK_DATA_MAX ? (uint32_t)a->len : HL_SOCK_DATA_MAX;
	struct hl_sock_call k = { .op = HL_OP_SOCK_SEND, .waits = 1,
				  .wait_ms = a->wait_ms, .arg0 = a->wflags,
				  .arg1 = a->to != NULL ? HL_SOCK_A_ADDR : 0,
				  .in = pl, .in_len = off + n };
	struct hl_result res;
	int64_t v;

	a->asked = n;
	if (a->to != NULL)
		memcpy(pl, a->to, off);
	if (n > 0)
		memcpy(pl + off, a->data, n);
	v = hl_sock_do(c, L, sd, &k, &res);
	return v > (int64_t)n ? -EPROTO : v;
}

static int64_t
sd_send_bulk(struct hl_conn *c, struct hl_sock_layer *L, int sd,
	     struct sd_send *a, uint32_t room)
{
	uint32_t n = a->len < room ? (uint32_t)a->len : room, slot;
	uint32_t epoch = c->epoch;
	struct hl_sock_bulk b = { 0 };
	struct hl_sock_call k = { .op = HL_OP_SOCK_SEND_BULK, .waits = 1,
				  .wait_ms = a->wait_ms, .arg0 = a->wflags,
				  .in = &b, .in_len = sizeof(b) };
	struct hl_result res = { 0 };
	struct hl_bulk d;
	int64_t v;

	if (hl_bulk_get(&c->bulk, a->data, n, 0, &d, &slot) != HL_OK)
		return sd_send_frame(c, L, sd, a);	/* every slot busy */
	a->asked = n;
	b.region = d.region;
	b.len = n;
	b.off = d.in_off;
	if (a->to != NULL)
		b.addr = *a->to;
	v = hl_sock_do(c, L, sd, &k, &res);
	sd_bulk_put(c, slot, epoch, &res);
	return v > (int64_t)n ? -EPROTO : v;
}

/* One request: bytes sent, or -errno. */
static int64_t
sd_send_once(struct hl_conn *c, struct hl_sock_layer *L, int sd,
	     struct sd_send *a)
{
	uint32_t room = sd_bulk_room(c);

	if (a->len > HL_SOCK_DATA_MAX && room > HL_SOCK_DATA_MAX)
		return sd_send_bulk(c, L, sd, a, room);
	return sd_send_frame(c, L, sd, a);
}

/* ---- sends that return at once (hl_sock.h) ----------------------------- */

/* A failed send's errno for this call, if it sent nothing yet (the error
 * is then taken); otherwise -EAGAIN, which ends the call with its bytes. */
static int64_t
sd_tx_error(struct hl_sock_layer *L, int sd, struct hl_sk *sk,
	    const struct sd_send *a)
{
	int e = sk->tx_err;

	if (a->done > 0)
		return -EAGAIN;
	sk->tx_err = 0;
	hl_sock_mask_update(L, sd);
	return -e;
}

/* Wait until sd's window takes the next request of a: 0 with its size in
 * *n and *bulk saying how it goes, or -errno (-EAGAIN: no room by a's
 * deadline, or none at once for a non-blocking send). */
static int64_t
sd_tx_wait(struct hl_conn *c, struct hl_sock_layer *L, int sd,
	   const struct sd_send *a, uint32_t *n, int *bulk)
{
	uint32_t id = hl_sock_sk(L, sd)->id;
	int looked = 0;

	for (;;) {
		struct hl_sk *sk = hl_sock_sk(L, sd);
		uint32_t room = sd_bulk_room(c);
		int want = a->len > HL_SOCK_DATA_MAX && room > HL_SOCK_DATA_MAX;
		int rc;

		if (sk == NULL || sk->id != id)
			return -EBADF;	/* closed by another thread */
		if (sk->tx_err != 0)
			return sd_tx_error(L, sd, sk, a);
		/* No bulk slot free: wait for one of ours, or go in frames. */
		if (hl_sock_tx_room(L, sk) && (c->bulk.nfree > 0 || !want || sk->tx_n == 0)) {
			*n = hl_sock_tx_cut(L, sk, (uint32_t)SD_MIN(a->len, want &&
					    c->bulk.nfree > 0 ? room : HL_SOCK_DATA_MAX));
			*bulk = *n > HL_SOCK_DATA_MAX;
			/* A datagram goes whole: if another thread shrank the
			 * window meanwhile, wait until it takes it. */
			if (sk->stream || *n == a->len)
				return 0;
		}
		if (!looked) {		/* answers may be waiting on the ring */
			looked = 1;
			rc = hl_sock_pump_once(c, L);
			if (rc != HL_OK)
				return -hl_sock_errno(rc);
			continue;
		}
		if (a->wait_ms == SK_WAIT_NONE)
			return -EAGAIN;
		rc = hl_sock_wait(c, L, NULL, L->mask_gen, a->deadline);
		if (rc == HL_E_TIMEOUT)
			return -EAGAIN;
		if (rc != HL_OK)
			return -hl_sock_errno(rc);
	}
}

/* One request sent detached, the bytes copied into it: bytes, or -errno. */
static int64_t
sd_send_async(struct hl_conn *c, struct hl_sock_layer *L, int sd,
	      struct sd_send *a)
{
	uint8_t pl[HL_PAYLOAD_MAX];
	struct hl_sock_bulk b = { 0 };
	struct hl_req r = { .arg0 = a->wflags | HL_SOCK_WAIT(HL_SOCK_WAIT_FOREVER) };
	struct hl_slot *s;
	struct hl_bulk d;
	struct hl_sk *sk;
	uint32_t n = 0, slot = 0;
	int bulk = 0, rc;
	int64_t v = sd_tx_wait(c, L, sd, a, &n, &bulk);

	if (v == 0)
		v = hl_sock_usable(c, L, sd, &sk);
	if (v < 0)
		return v;
	if (bulk && hl_bulk_get(&c->bulk, a->data, n, 0, &d, &slot) != HL_OK)
		return -ENOBUFS;	/* a slot was free: cannot happen */
	if (bulk) {
		b.region = d.region;
		b.len = n;
		b.off = d.in_off;
		r.opcode = HL_OP_SOCK_SEND_BULK;
		r.in = &b;
		r.in_len = sizeof(b);
	} else {
		uint32_t off = a->to != NULL ? sizeof(*a->to) : 0;

		if (a->to != NULL) {
			memcpy(pl, a->to, off);
			r.arg1 = HL_SOCK_A_ADDR;
		}
		memcpy(pl + off, a->data, n);
		r.opcode = HL_OP_SOCK_SEND;
		r.in = pl;
		r.in_len = off + n;
	}
	r.session = sk->id;
	a->asked = n;
	rc = hl_conn_start_detached(c, &r, sk->id, &s);
	if (rc != HL_OK) {
		if (bulk)
			hl_bulk_put(&c->bulk, slot);
		return -hl_sock_errno(rc);
	}
	s->bulk = bulk ? (int32_t)slot : -1;
	s->bulk_in_len = n;
	sk->tx_n++;
	sk->tx_bytes += n;
	L->tx_async++;
	hl_sock_mask_update(L, sd);
	return n;
}

/* A stream's bytes go in as many requests as it takes (a blocking send
 * sends them all); a datagram in one. */
static int64_t
sd_send(struct hl_conn *c, int sd, const void *buf, size_t len, int flags,
	const struct hl_sockaddr *to)
{
	struct sd_send a = { .data = buf, .len = len, .to = to };
	struct hl_sock_layer *L;
	struct hl_sk *sk;
	int64_t v = 0, total = 0;
	int stream, async;

	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	sk = hl_sock_sk(L, sd);
	if (sk == NULL)
		v = -EBADF;
	else if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_CONFIRM))
		v = -EOPNOTSUPP;	/* MSG_CONFIRM: a hint the host's stack does without */
	else if (len > 0 && buf == NULL)
		v = -EFAULT;
	if (v < 0)
		goto out;
	stream = sk->stream;
	/* Every connected stream send returns at once, small ones too (in
	 * a frame instead of a bulk slot): redis-benchmark, 8 clients,
	 * 1.6x the ops/s of small sends that waited (docs/sockets.md). */
	async = stream && to == NULL && sk->connected && L->tx_win_bytes != 0;
	/* A datagram of a frame to the address the last waiting send went
	 * to (so the host's policy took it, and the socket is bound) returns
	 * at once too: sockperf's sendto. Half a window at most, so that
	 * the window never cuts it (hl_sock_tx_cut()). */
	async = async || (!stream && to != NULL && sk->dg_to_ok && L->tx_win_bytes != 0 &&
			  len <= HL_SOCK_DATA_MAX && len <= L->tx_win_bytes / 2 &&
			  memcmp(&sk->dg_to, to, sizeof(*to)) == 0);
	a.wait_ms = sd_wait(sk, flags, 1);
	a.deadline = a.wait_ms == SK_WAIT_FOREVER ? -1 : hl_deadline(a.wait_ms);
	a.wflags = (uint32_t)flags & HL_SOCK_MSG_MORE;
	if (!stream && (len > SD_UDP_MAX ||
			(len > HL_SOCK_DATA_MAX && sd_bulk_room(c) < len))) {
		v = -EMSGSIZE;
		goto out;
	}
	/* A send that returned at once and failed later: the next send
	 * reports it, whether it would return at once or wait. */
	if (sk->tx_err != 0) {
		v = sd_tx_error(L, sd, sk, &a);
		goto out;
	}
	do {
		a.data = (const uint8_t *)buf + total;
		a.len = len - (size_t)total;
		a.done = (size_t)total;
		v = async ? sd_send_async(c, L, sd, &a) : sd_send_once(c, L, sd, &a);
		if (v < 0)
			break;
		total += v;
		if ((size_t)v < a.asked)
			break;
	} while (stream && (size_t)total < len && v > 0);
	if (total > 0)
		v = total;
	/* A sent byte means connected (after a non-blocking connect). */
	if (stream && v > 0 && (sk = hl_sock_sk(L, sd)) != NULL)
		sk->connected = 1;
	if (!stream && !async && to != NULL && v == (int64_t)len &&
	    (sk = hl_sock_sk(L, sd)) != NULL) {
		sk->dg_to = *to;
		sk->dg_to_ok = 1;
	}
out:
	hl_sock_unlock(L);
	return hl_sock_ret(v);
}

ssize_t
hl_sock_send(struct hl_conn *c, int sd, const void *buf, size_t len, int flags)
{
	return sd_send(c, sd, buf, len, flags, NULL);
}

ssize_t
hl_sock_sendto(struct hl_conn *c, int sd, const void *buf, size_t len,
	       int flags, const struct sockaddr *to, socklen_t tolen)
{
	struct hl_sockaddr w;
	int v;

	if (to == NULL)
		return sd_send(c, sd, buf, len, flags, NULL);
	v = hl_sock_addr_in(to, tolen, &w);
	if (v < 0)
		return hl_sock_ret(v);
	return sd_send(c, sd, buf, len, flags, &w);
}

/* The bytes of m's iovecs, gathered into one buffer (*heap: to free). */
static int64_t
sd_gather(const struct msghdr *m, uint8_t *stack, uint8_t **out, int *heap)
{
	size_t total = 0, off = 0;

	for (size_t i = 0; i < m->msg_iovlen; i++) {
		if (m->msg_iov[i].iov_len > SIZE_MAX / 2 - total)
			return -EINVAL;
		total += m->msg_iov[i].iov_len;
	}
	*heap = total > SD_STACK_MAX;
	*out = *heap ? malloc(total ? total : 1) : stack;
	if (*out == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < m->msg_iovlen; i++) {
		if (m->msg_iov[i].iov_len > 0)
			memcpy(*out + off, m->msg_iov[i].iov_base,
			       m->msg_iov[i].iov_len);
		off += m->msg_iov[i].iov_len;
	}
	return (int64_t)total;
}

ssize_t
hl_sock_sendmsg(struct hl_conn *c, int sd, const struct msghdr *m, int flags)
{
	uint8_t stack[SD_STACK_MAX] = { 0 }, *buf;
	int64_t n;
	ssize_t v;
	int heap;

	if (m == NULL || (m->msg_iovlen > 0 && m->msg_iov == NULL)) {
		errno = EFAULT;
		return -1;
	}
	if (m->msg_controllen > 0) {
		errno = EOPNOTSUPP;
		return -1;
	}
	n = sd_gather(m, stack, &buf, &heap);
	if (n < 0)
		return hl_sock_ret(n);
	v = hl_sock_sendto(c, sd, buf, (size_t)n, flags, m->msg_name,
			   m->msg_namelen);
	if (heap)
		free(buf);
	return v;
}

/* ---- receive -------------------------------------------------------------- */

struct sd_recv {
	uint8_t *buf;
	size_t len;
	uint32_t wflags;
	int wait_ms;
	struct sockaddr *from;	/* NULL: not wanted */
	socklen_t *fromlen;
	int64_t got;		/* data bytes written to buf */
};

/* The source address leading a reply, if any; lead: its bytes (0/32). */
static int64_t
sd_from(const struct hl_result *res, const void *pl, struct sd_recv *a,
	uint32_t *lead)
{
	*lead = (uint32_t)res->arg1;
	if (res->arg1 != 0 && res->arg1 != sizeof(struct hl_sockaddr))
		return -EPROTO;
	if (res->out_len < *lead)
		return -EPROTO;
	if (*lead == 0) {
		if (a->fromlen != NULL)
			*a->fromlen = 0;
		return 0;
	}
	return hl_sock_addr_out(pl, a->from, a->fromlen);
}

/* v (the host's count) against the data that came (n) and was asked (cap). */
static int64_t
sd_count_check(int64_t v, uint64_t n, uint64_t cap, uint32_t wflags)
{
	if (n > cap || n > (uint64_t)v)
		return -EPROTO;
	if ((uint64_t)v != n && !(wflags & HL_SOCK_MSG_TRUNC))
		return -EPROTO;
	return v;
}

static int64_t
sd_recv_frame(struct hl_conn *c, struct hl_sock_layer *L, int sd,
	      struct sd_recv *a)
{
	uint8_t pl[HL_PAYLOAD_MAX];
	uint32_t n = a->len < HL_SOCK_DATA_MAX ? (uint32_t)a->len : HL_SOCK_DATA_MAX;
	struct hl_sock_call k = { .op = HL_OP_SOCK_RECV, .waits = 1,
				  .wait_ms = a->wait_ms, .arg0 = a->wflags,
				  .arg1 = n | (a->from != NULL ? HL_SOCK_A_ADDR : 0),
				  .out = pl, .out_cap = sizeof(pl) };
	struct hl_result res;
	uint32_t lead;
	int64_t v = hl_sock_do(c, L, sd, &k, &res), e;

	if (v < 0)
		return v;
	if ((e = sd_from(&res, pl, a, &lead)) < 0)
		return e;
	v = sd_count_check(v, res.out_len - lead, n, a->wflags);
	if (v >= 0) {
		a->got = (int64_t)(res.out_len - lead);
		memcpy(a->buf, pl + lead, (size_t)a->got);
	}
	return v;
}

static int64_t
sd_recv_bulk(struct hl_conn *c, struct hl_sock_layer *L, int sd,
	     struct sd_recv *a, uint32_t room)
{
	uint32_t n = a->len < room ? (uint32_t)a->len : room, slot;
	uint32_t epoch = c->epoch, lead;
	struct hl_sockaddr from;
	struct hl_sock_bulk b = { 0 };
	struct hl_sock_call k = { .op = HL_OP_SOCK_RECV_BULK, .waits = 1,
				  .wait_ms = a->wait_ms, .arg0 = a->wflags,
				  .arg1 = a->from != NULL ? HL_SOCK_A_ADDR : 0,
				  .in = &b, .in_len = sizeof(b),
				  .out = &from, .out_cap = sizeof(from) };
	struct hl_result res = { 0 };
	struct hl_bulk d;
	int64_t v, e;

	if (hl_bulk_get(&c->bulk, NULL, 0, n, &d, &slot) != HL_OK)
		return sd_recv_frame(c, L, sd, a);	/* every slot busy */
	b.region = d.region;
	b.len = d.out_cap;
	b.off = d.out_off;
	v = hl_sock_do(c, L, sd, &k, &res);
	if (v >= 0 && (e = sd_from(&res, &from, a, &lead)) < 0)
		v = e;
	else if (v >= 0 && res.out_len != lead)
		v = -EPROTO;
	if (v >= 0) {
		uint64_t got = (uint64_t)v < b.len ? (uint64_t)v : b.len;

		v = sd_count_check(v, got, b.len, a->wflags);
		if (v >= 0 && c->epoch == epoch) {
			a->got = (int64_t)got;
			memcpy(a->buf, hl_bulk_out(&c->bulk, slot, 0), got);
		} else if (v >= 0) {
			v = -ECONNRESET;
		}
	}
	sd_bulk_put(c, slot, epoch, &res);
	return v;
}

static int64_t
sd_recv_once(struct hl_conn *c, struct hl_sock_layer *L, int sd,
	     struct sd_recv *a)
{
	uint32_t room = sd_bulk_room(c);

	a->got = 0;
	if (a->len > HL_SOCK_DATA_MAX && room > HL_SOCK_DATA_MAX)
		return sd_recv_bulk(c, L, sd, a, room);
	return sd_recv_frame(c, L, sd, a);
}

/* Flags a receive honours; and those Linux accepts on a receive and
 * ignores (programs pass MSG_NOSIGNAL to every call, e.g. sockperf). */
#define SD_RECV_FLAGS (MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_WAITALL)
#define SD_RECV_IGNORED (MSG_NOSIGNAL | MSG_CMSG_CLOEXEC)

/* recvfrom() with wire flags wflags; *got: data bytes in buf. A stream
 * receive with MSG_WAITALL larger than one request takes several. */
static int64_t
sd_recv(struct hl_conn *c, int sd, void *buf, size_t len, int flags,
	uint32_t wflags, struct sockaddr *from, socklen_t *fromlen,
	int64_t *got)
{
	struct sd_recv a = { .from = from, .fromlen = fromlen };
	struct hl_sock_layer *L;
	struct hl_sk *sk;
	int64_t v = 0, total = 0;

	*got = 0;
	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	sk = hl_sock_sk(L, sd);
	if (sk == NULL)
		v = -EBADF;
	else if (flags & ~(SD_RECV_FLAGS | SD_RECV_IGNORED))
		v = -EOPNOTSUPP;
	else if (len > 0 && buf == NULL)
		v = -EFAULT;
	if (v < 0)
		goto out;
	a.wait_ms = sd_wait(sk, flags, 0);
	a.wflags = wflags;
	/* MSG_TRUNC on a stream would discard data; WAITALL is a stream's. */
	a.wflags &= sk->stream ? ~HL_SOCK_MSG_TRUNC : ~HL_SOCK_MSG_WAITALL;
	do {
		a.buf = (uint8_t *)buf + total;
		a.len = len - (size_t)total;
		v = sd_recv_once(c, L, sd, &a);
		if (v <= 0)
			break;
		total += a.got;
	} while ((a.wflags & HL_SOCK_MSG_WAITALL) && (size_t)total < len &&
		 !(a.wflags & HL_SOCK_MSG_PEEK));
	*got = total;
	if (total > 0 && (a.wflags & HL_SOCK_MSG_WAITALL))
		v = total;
out:
	hl_sock_unlock(L);
	return hl_sock_ret(v);
}

static uint32_t
sd_wflags(int flags)
{
	return (uint32_t)flags & (HL_SOCK_MSG_PEEK | HL_SOCK_MSG_TRUNC |
				  HL_SOCK_MSG_WAITALL);
}

ssize_t
hl_sock_recvfrom(struct hl_conn *c, int sd, void *buf, size_t len, int flags,
		 struct sockaddr *from, socklen_t *fromlen)
{
	int64_t got;

	if (from != NULL && fromlen == NULL) {
		errno = EFAULT;
		return -1;
	}
	return sd_recv(c, sd, buf, len, flags, sd_wflags(flags), from, fromlen,
		       &got);
}

ssize_t
hl_sock_recv(struct hl_conn *c, int sd, void *buf, size_t len, int flags)
{
	return hl_sock_recvfrom(c, sd, buf, len, flags, NULL, NULL);
}

static void
sd_scatter(struct msghdr *m, const uint8_t *buf, size_t n)
{
	size_t off = 0;

	for (size_t i = 0; i < m->msg_iovlen && off < n; i++) {
		size_t k = m->msg_iov[i].iov_len < n - off ?
			   m->msg_iov[i].iov_len : n - off;
		memcpy(m->msg_iov[i].iov_base, buf + off, k);
		off += k;
	}
}

ssize_t
hl_sock_recvmsg(struct hl_conn *c, int sd, struct msghdr *m, int flags)
{
	uint8_t stack[SD_STACK_MAX], *buf = stack;
	size_t total = 0;
	int64_t v, got;
	socklen_t nl;

	if (m == NULL || (m->msg_iovlen > 0 && m->msg_iov == NULL)) {
		errno = EFAULT;
		return -1;
	}
	for (size_t i = 0; i < m->msg_iovlen; i++)
		total += m->msg_iov[i].iov_len;
	if (total > SD_STACK_MAX && (buf = malloc(total)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	nl = m->msg_namelen;
	/* Always ask for the real length, to set MSG_TRUNC as Linux does. */
	v = sd_recv(c, sd, buf, total, flags, sd_wflags(flags) | HL_SOCK_MSG_TRUNC,
		    m->msg_name, m->msg_name != NULL ? &nl : NULL, &got);
	if (v >= 0) {
		sd_scatter(m, buf, (size_t)got);
		m->msg_namelen = m->msg_name != NULL ? nl : 0;
		m->msg_controllen = 0;
		m->msg_flags = v > got ? MSG_TRUNC : 0;
		if (!(flags & MSG_TRUNC) && v > got)
			v = got;
	}
	if (buf != stack)
		free(buf);
	return v;
}
