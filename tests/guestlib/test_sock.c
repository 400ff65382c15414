/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit: libhostlane's socket calls (hostlane/sock.h) against an in-process
 * fake host that performs them on real loopback sockets: the wire encoding
 * of every call, frames and the bulk area (a 200 KiB send and receive
 * through the shared memory, bytes compared), datagrams with addresses,
 * SO_RCVTIMEO kept locally, readiness from replies and SOCK_EVENTS
 * (hl_sock_poll(), the notify callback), the same through the pump thread
 * from a second thread; and the host as the attacker: counts above what was
 * asked, errno values out of range, a malformed address, a malformed
 * SOCK_EVENTS reply — each EPROTO (or dropped and counted), never a crash.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gl_check.h"
#include "hl_clock.h"
#include "hl_sock.h"

#define FQ 64
#define NSOCK 64
#define BULK_BYTES (2u << 20)

enum evil { EVIL_NONE, EVIL_COUNT, EVIL_ERRNO, EVIL_ADDR, EVIL_EVENTS };

struct fake {
	uint8_t q[FQ][HL_FRAME_MAX];
	uint32_t qlen[FQ];
	uint32_t head, n;
	pthread_mutex_t mu;
	int fd[NSOCK];		/* socket id i = fd[i], 0 unused */
	uint32_t reported[NSOCK];
	uint8_t *bulk;
	enum evil evil;
	uint64_t requests[0x50];
	struct hl_frame_hdr ev_req;	/* a held SOCK_EVENTS */
	int ev_held;
	/* Calls held until their socket is ready or their wait ends. */
	struct hl_frame_hdr park[8];
	uint8_t park_pl[8][HL_PAYLOAD_MAX];
	int64_t park_due[8];	/* ms; < 0: none */
	uint8_t parked[8];
};

static struct fake fk;
static const uint8_t host_mac[6] = { 0x02, 0xaa, 0, 0, 0, 1 };

static void
fk_push(struct fake *f, struct hl_frame_hdr *h, const void *pl, uint32_t len)
{
	uint8_t *out;

	if (f->n == FQ)
		abort();
	out = f->q[(f->head + f->n) % FQ];
	hl_proto_hdr_make_reply(h, host_mac, HL_OK);
	h->hl.payload_len = len;
	memcpy(out, h, sizeof(*h));
	if (len > 0)
		memcpy(out + HL_FRAME_HDR_LEN, pl, len);
	f->qlen[(f->head + f->n) % FQ] = HL_FRAME_HDR_LEN + len;
	f->n++;
}

static uint32_t
fk_mask(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };

	if (poll(&p, 1, 0) <= 0)
		return 0;
	return (uint32_t)p.revents & HL_SOCK_EV_KNOWN;
}

/* Hold a waiting call (as the host does) until fd has want or its wait
 * ends; 1 if held. A held call comes back through fk_unpark(). */
static int
fk_park(struct fake *f, struct hl_frame_hdr *h, const uint8_t *pl, int fd,
	uint32_t want)
{
	uint32_t ms = HL_SOCK_WAIT_MS(h->hl.arg0);

	if (ms == 0 || (fk_mask(fd) & (want | HL_SOCK_EV_ERR | HL_SOCK_EV_HUP)))
		return 0;
	for (int i = 0; i < 8; i++) {
		if (f->parked[i])
			continue;
		f->parked[i] = 1;
		f->park[i] = *h;
		memcpy(f->park_pl[i], pl, h->hl.payload_len);
		f->park_due[i] = ms == HL_SOCK_WAIT_FOREVER ? -1 : hl_now_ms() + ms;
		return 1;
	}
	abort();
}

static void fk_sock(struct fake *f, struct hl_frame_hdr *h, uint8_t *pl);
static int fk_fd(struct fake *f, uint32_t id);

static void
fk_unpark(struct fake *f)
{
	static const uint32_t want[0x50] = {
		[HL_OP_SOCK_ACCEPT] = HL_SOCK_EV_IN,
		[HL_OP_SOCK_RECV] = HL_SOCK_EV_IN,
		[HL_OP_SOCK_RECV_BULK] = HL_SOCK_EV_IN,
		[HL_OP_SOCK_CONNECT] = HL_SOCK_EV_OUT,
	};

	for (int i = 0; i < 8; i++) {
		struct hl_frame_hdr *h = &f->park[i];
		int fd = f->parked[i] ? fk_fd(f, h->hl.session) : 0;

		if (!f->parked[i])
			continue;
		if (fd > 0 && !(fk_mask(fd) & want[h->hl.opcode]) &&
		    (f->park_due[i] < 0 || hl_now_ms() < f->park_due[i]))
			continue;
		f->parked[i] = 0;
		h->hl.arg0 = HL_SOCK_FLAGS(h->hl.arg0);	/* wait over */
		f->requests[h->hl.opcode]--;
		fk_sock(f, h, f->park_pl[i]);
	}
}

static int64_t
neg(int64_t v)
{
	return v < 0 ? -errno : v;
}

static int
fk_fd(struct fake *f, uint32_t id)
{
	return id > 0 && id < NSOCK ? f->fd[id] : 0;
}

static uint32_t
fk_new(struct fake *f, int fd)
{
	for (uint32_t i = 1; i < NSOCK; i++)
		if (f->fd[i] == 0) {
			f->fd[i] = fd;
			f->reported[i] = 0;
			return i;
		}
	abort();
}

/* The SOCK_EVENTS reply: every socket whose mask differs from the last
 * one reported (or, evil, a count that does not match the payload). */
static int
fk_events(struct fake *f, struct hl_frame_hdr *h)
{
	struct hl_sock_event ev[NSOCK];
	uint32_t n = 0;

	for (uint32_t i = 1; i < NSOCK; i++) {
		uint32_t m;

		if (f->fd[i] == 0 || (m = fk_mask(f->fd[i])) == f->reported[i])
			continue;
		f->reported[i] = m;
		ev[n].sock = i;
		ev[n++].events = m;
	}
	if (n == 0 && HL_SOCK_WAIT_MS(h->hl.arg0) > 0)
		return 0;	/* held: answered by a later request */
	h->hl.arg0 = f->evil == EVIL_EVENTS ? n + 5 : n;
	fk_push(f, h, ev, n * sizeof(ev[0]));
	return 1;
}

static void
fk_sock_recv(struct fake *f, struct hl_frame_hdr *h, int fd, uint8_t *pl)
{
	uint32_t want = (uint32_t)h->hl.arg1, lead = 0;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct hl_sockaddr a = { 0 };
	uint8_t *dst = pl + sizeof(a);
	int fl = (int)HL_SOCK_FLAGS(h->hl.arg0) | MSG_DONTWAIT;
	ssize_t r;

	if (h->hl.opcode == HL_OP_SOCK_RECV_BULK) {
		struct hl_sock_bulk b;

		if (hl_proto_sock_bulk_parse(pl, h->hl.payload_len, &b, 0) != HL_OK)
			abort();
		want = b.len;
		dst = f->bulk + b.off;
	}
	r = recvfrom(fd, dst, want, fl, (struct sockaddr *)&ss, &sl);
	h->hl.arg0 = (uint64_t)neg(r);
	if (r >= 0 && (h->hl.arg1 & HL_SOCK_A_ADDR) && sl > 0) {
		a.len = (uint16_t)sl;
		memcpy(a.sa, &ss, sl);
		memcpy(pl, &a, sizeof(a));
		lead = sizeof(a);
	}
	h->hl.arg1 = lead;
	if (r > 0 && f->evil == EVIL_COUNT)
		h->hl.arg0 = (uint64_t)r + 100;
	if (h->hl.opcode == HL_OP_SOCK_RECV_BULK)
		fk_push(f, h, pl, lead);
	else
		fk_push(f, h, lead ? pl : pl + sizeof(a),
			lead + (r <= 0 ? 0 : (uint32_t)r < want ? (uint32_t)r : want));
}

static void
fk_sock_send(struct fake *f, struct hl_frame_hdr *h, int fd, const uint8_t *pl)
{
	const uint8_t *data = pl;
	uint32_t len = h->hl.payload_len;
	struct hl_sockaddr to = { 0 };
	ssize_t r;

	if (h->hl.opcode == HL_OP_SOCK_SEND_BULK) {
		struct hl_sock_bulk b;

		if (hl_proto_sock_bulk_parse(pl, len, &b, 1) != HL_OK)
			abort();
		data = f->bulk + b.off;
		len = b.len;
		to = b.addr;
	} else if (h->hl.arg1 & HL_SOCK_A_ADDR) {
		if (hl_proto_sockaddr_parse(pl, &to, 0) != HL_OK)
			abort();
		data += sizeof(to);
		len -= sizeof(to);
	}
	r = sendto(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL,
		   to.len ? (struct sockaddr *)to.sa : NULL, to.len);
	h->hl.arg0 = (uint64_t)neg(r);
	fk_push(f, h, NULL, 0);
}

static void
fk_addr_reply(struct fake *f, struct hl_frame_hdr *h, int64_t r,
	      const struct sockaddr_storage *ss, socklen_t sl)
{
	struct hl_sockaddr a = { 0 };

	h->hl.arg0 = (uint64_t)r;
	if (r >= 0) {
		a.len = (uint16_t)sl;
		memcpy(a.sa, ss, sl);
		if (f->evil == EVIL_ADDR)
			a.len = 17;
	}
	fk_push(f, h, &a, r >= 0 ? sizeof(a) : 0);
}

static void
fk_sock(struct fake *f, struct hl_frame_hdr *h, uint8_t *pl)
{
	int fd = fk_fd(f, h->hl.session), r = 0;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct hl_sockaddr a;
	uint16_t op = h->hl.opcode;

	f->requests[op]++;
	if (op == HL_OP_SOCK_EVENTS) {
		if (!fk_events(f, h)) {
			f->ev_req = *h;
			f->ev_held = 1;
		}
		return;
	}
	if (op != HL_OP_SOCK_SOCKET && fd == 0) {
		h->hl.arg0 = (uint64_t)-EBADF;
		fk_push(f, h, NULL, 0);
		return;
	}
	switch (op) {
	case HL_OP_SOCK_SOCKET:
		r = socket((int)h->hl.arg0, (int)(uint32_t)h->hl.arg1 | SOCK_NONBLOCK,
			   (int)(h->hl.arg1 >> 32));
		h->hl.arg0 = r < 0 ? (uint64_t)-errno : (uint64_t)fk_new(f, r);
		break;
	case HL_OP_SOCK_BIND:
	case HL_OP_SOCK_CONNECT:
		if (hl_proto_sockaddr_parse(pl, &a, 0) != HL_OK)
			abort();
		if (op == HL_OP_SOCK_BIND) {
			int one = 1;
			(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			r = bind(fd, (struct sockaddr *)a.sa, a.len);
		} else {
			r = connect(fd, (struct sockaddr *)a.sa, a.len);
			if (r < 0 && errno == EINPROGRESS &&
			    HL_SOCK_WAIT_MS(h->hl.arg0) > 0) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };

				(void)poll(&p, 1, 1000);	/* loopback */
				r = 0;
			}
		}
		h->hl.arg0 = (uint64_t)neg(r);
		break;
	case HL_OP_SOCK_LISTEN:
		h->hl.arg0 = (uint64_t)neg(listen(fd, (int)h->hl.arg0));
		break;
	case HL_OP_SOCK_ACCEPT:
		if (fk_park(f, h, pl, fd, HL_SOCK_EV_IN))
			return;
		r = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK);
		fk_addr_reply(f, h, r < 0 ? -errno : (int64_t)fk_new(f, r), &ss, sl);
		return;
	case HL_OP_SOCK_SEND:
	case HL_OP_SOCK_SEND_BULK:
		fk_sock_send(f, h, fd, pl);
		return;
	case HL_OP_SOCK_RECV:
	case HL_OP_SOCK_RECV_BULK:
		if (fk_park(f, h, pl, fd, HL_SOCK_EV_IN))
			return;
		fk_sock_recv(f, h, fd, pl);
		h = (struct hl_frame_hdr *)f->q[(f->head + f->n - 1) % FQ];
		h->hl.state = (uint16_t)fk_mask(fd);
		return;
	case HL_OP_SOCK_SHUTDOWN:
		h->hl.arg0 = (uint64_t)neg(shutdown(fd, (int)h->hl.arg0));
		break;
	case HL_OP_SOCK_CLOSE:
		close(fd);
		f->fd[h->hl.session] = 0;
		fd = -1;
		h->hl.arg0 = 0;
		break;
	case HL_OP_SOCK_SETOPT:
		h->hl.arg0 = (uint64_t)neg(setsockopt(fd, (int)h->hl.arg0,
			(int)h->hl.arg1, pl, h->hl.payload_len));
		break;
	case HL_OP_SOCK_GETOPT: {
		uint8_t v[HL_SOCK_OPT_MAX];
		socklen_t vl = sizeof(v);

		r = getsockopt(fd, (int)h->hl.arg0, (int)h->hl.arg1, v, &vl);
		h->hl.arg0 = r < 0 ? (uint64_t)-errno : vl;
		h->hl.state = (uint16_t)fk_mask(fd);
		fk_push(f, h, v, r < 0 ? 0 : vl);
		return;
	}
	case HL_OP_SOCK_GETNAME:
		r = h->hl.arg0 == HL_SOCK_NAME_LOCAL ?
		    getsockname(fd, (struct sockaddr *)&ss, &sl) :
		    getpeername(fd, (struct sockaddr *)&ss, &sl);
		fk_addr_reply(f, h, neg(r), &ss, sl);
		return;
	default:
		abort();
	}
	if (f->evil == EVIL_ERRNO)
		h->hl.arg0 = (uint64_t)-100000;
	h->hl.state = fd > 0 ? (uint16_t)fk_mask(fd) : 0;
	fk_push(f, h, NULL, 0);
}

static void
fk_hello(struct fake *f, struct hl_frame_hdr *h)
{
	struct hl_hello hi = { .name = "fakehost", .version_min = 1,
			       .version_max = 1, .max_inflight = 256,
			       .max_payload = HL_PAYLOAD_MAX,
			       .max_bulk = 1u << 20 };

	fk_push(f, h, &hi, sizeof(hi));
}

static int
fake_send(void *tp, const void *frame, uint32_t len, int timeout_ms)
{
	struct fake *f = tp;
	struct hl_frame_hdr h;
	uint8_t pl[HL_PAYLOAD_MAX];

	(void)timeout_ms;
	if (hl_proto_hdr_parse(frame, len, &h) != HL_OK || (h.hl.flags & HL_F_REPLY))
		abort();	/* libhostlane must only send valid requests */
	memcpy(pl, (const uint8_t *)frame + HL_FRAME_HDR_LEN, h.hl.payload_len);
	pthread_mutex_lock(&f->mu);
	if (h.hl.opcode == HL_OP_HELLO)
		fk_hello(f, &h);
	else if (hl_proto_is_sock(h.hl.opcode))
		fk_sock(f, &h, pl);
	else
		fk_push(f, &h, NULL, 0);
	/* Any call may change readiness: answer a held SOCK_EVENTS. */
	if (f->ev_held && h.hl.opcode != HL_OP_SOCK_EVENTS) {
		struct hl_frame_hdr e = f->ev_req;

		e.hl.arg0 = 0;
		f->ev_held = 0;
		fk_events(f, &e);
	}
	pthread_mutex_unlock(&f->mu);
	return HL_OK;
}

static int
fake_recv(void *tp, void *buf, uint32_t cap, uint32_t *len)
{
	struct fake *f = tp;
	int rc = HL_E_AGAIN;

	pthread_mutex_lock(&f->mu);
	fk_unpark(f);
	if (f->n == 0 && f->ev_held) {
		/* The held long poll: answered as soon as something changed. */
		struct hl_frame_hdr e = f->ev_req;

		e.hl.arg0 = 0;
		f->ev_held = 0;
		fk_events(f, &e);
		if (f->n == 0) {
			f->ev_held = 1;
		}
	}
	if (f->n > 0) {
		*len = f->qlen[f->head];
		if (*len > cap)
			abort();
		memcpy(buf, f->q[f->head], *len);
		f->head = (f->head + 1) % FQ;
		f->n--;
		rc = HL_OK;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int
fake_wait(void *tp, int timeout_ms)
{
	struct fake *f = tp;
	int ready;

	pthread_mutex_lock(&f->mu);
	ready = f->n > 0;
	pthread_mutex_unlock(&f->mu);
	if (!ready && timeout_ms != 0)
		usleep(200);
	return HL_OK;
}

static const char *
fake_reason(const void *tp)
{
	(void)tp;
	return "";
}

static void
fake_stats(const void *tp, struct hl_stats *st)
{
	(void)tp;
	(void)st;
}

static void
fake_close(void *tp)
{
	struct fake *f = tp;

	for (int i = 1; i < NSOCK; i++)
		if (f->fd[i] > 0)
			close(f->fd[i]);
}

static void
fake_bulk_area(void *tp, struct hl_bulk_area *a)
{
	struct fake *f = tp;

	a->base = f->bulk;
	a->off = 0;
	a->len = BULK_BYTES;
	a->region = 0;
}

static const struct hl_transport_ops fake_ops = {
	.send = fake_send, .recv = fake_recv, .wait = fake_wait,
	.reason = fake_reason, .stats = fake_stats, .close = fake_close,
	.bulk_area = fake_bulk_area,
};

static struct hl_conn *
setup(void)
{
	struct hl_conn *c = NULL;
	struct hl_opts o;
	uint8_t *bulk = fk.bulk;

	memset(&fk, 0, sizeof(fk));
	pthread_mutex_init(&fk.mu, NULL);
	fk.bulk = bulk != NULL ? bulk : malloc(BULK_BYTES);
	hl_opts_init(&o);
	o.timeout_ms = 2000;
	CHECK_EQ(hl_conn_create(&fake_ops, &fk, &o, &c), HL_OK);
	return c;
}

static void
loopback(struct sockaddr_in *a, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* A connected TCP pair through the fake host: *ls listener, *cs, *as. */
static void
tcp_pair(struct hl_conn *c, int *ls, int *cs, int *as)
{
	struct sockaddr_in a, peer;
	socklen_t al = sizeof(a), pl = sizeof(peer);

	*ls = hl_sock_socket(c, AF_INET, SOCK_STREAM, 0);
	CHECK(*ls >= 0);
	loopback(&a, 0);
	CHECK_EQ(hl_sock_bind(c, *ls, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_EQ(hl_sock_listen(c, *ls, 8), 0);
	CHECK_EQ(hl_sock_getsockname(c, *ls, (struct sockaddr *)&a, &al), 0);
	CHECK_EQ(al, sizeof(a));
	CHECK(a.sin_port != 0);
	*cs = hl_sock_socket(c, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	CHECK_EQ(hl_sock_connect(c, *cs, (struct sockaddr *)&a, sizeof(a)), 0);
	*as = hl_sock_accept(c, *ls, (struct sockaddr *)&peer, &pl, 0);
	CHECK(*as >= 0);
	CHECK_EQ(pl, sizeof(peer));
	CHECK_EQ(peer.sin_family, AF_INET);
	CHECK_EQ(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
}

static void
test_refusals(struct hl_conn *c)
{
	uint64_t before = fk.requests[HL_OP_SOCK_SOCKET];
	char b[4];

	errno = 0;
	CHECK_EQ(hl_sock_socket(c, AF_UNIX, SOCK_STREAM, 0), -1);
	CHECK_EQ(errno, EAFNOSUPPORT);
	CHECK_EQ(hl_sock_socket(c, AF_INET, SOCK_STREAM, IPPROTO_UDP), -1);
	CHECK_EQ(errno, EPROTONOSUPPORT);
	CHECK_EQ(hl_sock_socket(c, AF_INET, SOCK_RAW, 0), -1);
	CHECK_EQ(errno, ESOCKTNOSUPPORT);
	CHECK_EQ(fk.requests[HL_OP_SOCK_SOCKET], before);
	CHECK_EQ(hl_sock_send(c, 42, "x", 1, 0), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(hl_sock_recv(c, -1, b, sizeof(b), 0), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(hl_sock_close(c, 7), -1);
	CHECK_EQ(errno, EBADF);
}

static void
test_tcp(struct hl_conn *c)
{
	static uint8_t big[200 * 1024], back[200 * 1024];
	int ls, cs, as, one = 1;
	socklen_t ol = sizeof(one);
	ssize_t n, got = 0;
	char buf[64];

	tcp_pair(c, &ls, &cs, &as);
	CHECK_EQ(hl_sock_send(c, cs, "hello", 5, MSG_NOSIGNAL), 5);
	CHECK_EQ(hl_sock_recv(c, as, buf, sizeof(buf), 0), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	/* 200 KiB: one bulk request (256 KiB slots, 1 MiB host limit). */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	n = hl_sock_send(c, cs, big, sizeof(big), 0);
	CHECK_EQ(n, sizeof(big));
	CHECK(fk.requests[HL_OP_SOCK_SEND_BULK] >= 1);
	while (got < (ssize_t)sizeof(back)) {
		n = hl_sock_recv(c, as, back + got, sizeof(back) - (size_t)got, 0);
		CHECK(n > 0);
		if (n <= 0)
			break;
		got += n;
	}
	CHECK_EQ(got, sizeof(back));
	CHECK(memcmp(big, back, sizeof(big)) == 0);
	CHECK(fk.requests[HL_OP_SOCK_RECV_BULK] >= 1);
	/* Non-blocking: nothing there is EAGAIN, asked of the host. */
	CHECK_EQ(hl_sock_set_nonblock(c, as, 1), 0);
	CHECK_EQ(hl_sock_recv(c, as, buf, sizeof(buf), 0), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(hl_sock_recv(c, as, buf, sizeof(buf), MSG_PEEK | MSG_OOB), -1);
	CHECK_EQ(errno, EOPNOTSUPP);
	/* Options: forwarded, and the timeouts kept here. */
	CHECK_EQ(hl_sock_setsockopt(c, cs, IPPROTO_TCP, 1 /* NODELAY */, &one,
				    sizeof(one)), 0);
	one = 0;
	CHECK_EQ(hl_sock_getsockopt(c, cs, IPPROTO_TCP, 1, &one, &ol), 0);
	CHECK_EQ(one, 1);
	CHECK_EQ(ol, sizeof(int));
	{
		struct timeval tv = { 0, 30000 }, tv2;
		socklen_t tl = sizeof(tv2);
		uint64_t opts = fk.requests[HL_OP_SOCK_SETOPT];

		CHECK_EQ(hl_sock_setsockopt(c, as, SOL_SOCKET, SO_RCVTIMEO, &tv,
					    sizeof(tv)), 0);
		CHECK_EQ(fk.requests[HL_OP_SOCK_SETOPT], opts);
		CHECK_EQ(hl_sock_getsockopt(c, as, SOL_SOCKET, SO_RCVTIMEO, &tv2,
					    &tl), 0);
		CHECK_EQ(tv2.tv_usec, 30000);
		CHECK_EQ(hl_sock_set_nonblock(c, as, 0), 0);
		/* A blocking receive with SO_RCVTIMEO: EAGAIN at the host's
		 * deadline. */
		CHECK_EQ(hl_sock_recv(c, as, buf, sizeof(buf), 0), -1);
		CHECK_EQ(errno, EAGAIN);
	}
	/* EOF: the peer shut down its side. */
	CHECK_EQ(hl_sock_shutdown(c, cs, SHUT_WR), 0);
	CHECK_EQ(hl_sock_shutdown(c, cs, 9), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(hl_sock_recv(c, as, buf, sizeof(buf), 0), 0);
	CHECK(hl_sock_events(c, as) & HL_SOCK_EV_RDHUP);
	CHECK_EQ(hl_sock_close(c, as), 0);
	CHECK_EQ(hl_sock_close(c, cs), 0);
	CHECK_EQ(hl_sock_close(c, ls), 0);
	CHECK_EQ(hl_sock_close(c, ls), -1);
	CHECK_EQ(errno, EBADF);
}

static void
test_udp(struct hl_conn *c)
{
	static uint8_t dg[20000], back[20000];
	struct sockaddr_in a, from;
	socklen_t al = sizeof(a), fl = sizeof(from);
	int s = hl_sock_socket(c, AF_INET, SOCK_DGRAM, 0);
	int t = hl_sock_socket(c, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct iovec iov[2] = { { back, 10 }, { back + 10, 10 } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	char buf[32];

	CHECK(s >= 0 && t >= 0);
	CHECK_EQ(hl_sock_get_nonblock(c, t), 1);
	loopback(&a, 0);
	CHECK_EQ(hl_sock_bind(c, s, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_EQ(hl_sock_getsockname(c, s, (struct sockaddr *)&a, &al), 0);
	CHECK_EQ(hl_sock_sendto(c, t, "ping", 4, 0, (struct sockaddr *)&a,
				sizeof(a)), 4);
	CHECK_EQ(hl_sock_recvfrom(c, s, buf, sizeof(buf), 0,
				  (struct sockaddr *)&from, &fl), 4);
	CHECK(memcmp(buf, "ping", 4) == 0);
	CHECK_EQ(fl, sizeof(from));
	CHECK_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	/* A datagram through the bulk area, then one truncated by recvmsg. */
	for (size_t i = 0; i < sizeof(dg); i++)
		dg[i] = (uint8_t)(i ^ 0x5a);
	CHECK_EQ(hl_sock_sendto(c, t, dg, sizeof(dg), 0, (struct sockaddr *)&a,
				sizeof(a)), sizeof(dg));
	CHECK_EQ(hl_sock_recv(c, s, back, sizeof(back), 0), sizeof(dg));
	CHECK(memcmp(dg, back, sizeof(dg)) == 0);
	CHECK_EQ(hl_sock_sendto(c, t, dg, 100, 0, (struct sockaddr *)&a,
				sizeof(a)), 100);
	memset(back, 0, sizeof(back));
	CHECK_EQ(hl_sock_recvmsg(c, s, &m, 0), 20);
	CHECK(m.msg_flags & MSG_TRUNC);
	CHECK(memcmp(dg, back, 20) == 0);
	CHECK_EQ(hl_sock_sendto(c, t, "x", 1, 0, (struct sockaddr *)&a, 3), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(hl_sock_close(c, s), 0);
	CHECK_EQ(hl_sock_close(c, t), 0);
}

static uint32_t notified;

static void
on_notify(void *arg, int sd, uint32_t mask)
{
	(void)arg;
	(void)sd;
	if (mask & HL_SOCK_EV_IN)
		notified++;
}

/* Readiness: hl_sock_poll() arms SOCK_EVENTS and wakes on its answer. */
static void
test_poll(struct hl_conn *c)
{
	int ls, cs, as;
	struct hl_sock_pollfd p;
	char b[8];

	tcp_pair(c, &ls, &cs, &as);
	CHECK_EQ(hl_sock_set_notify(c, on_notify, NULL), 0);
	p.sd = as;
	p.events = HL_SOCK_EV_IN;
	CHECK_EQ(hl_sock_poll(c, &p, 1, 0), 0);
	notified = 0;
	CHECK_EQ(hl_sock_send(c, cs, "abc", 3, 0), 3);
	CHECK_EQ(hl_sock_poll(c, &p, 1, 2000), 1);
	CHECK(p.revents & HL_SOCK_EV_IN);
	CHECK(notified >= 1);
	CHECK(fk.requests[HL_OP_SOCK_EVENTS] >= 1);
	CHECK_EQ(hl_sock_recv(c, as, b, sizeof(b), 0), 3);
	CHECK_EQ(hl_sock_events(c, as) & HL_SOCK_EV_IN, 0);
	p.sd = 99;
	CHECK_EQ(hl_sock_poll(c, &p, 1, 0), 1);
	CHECK_EQ(p.revents, HL_SOCK_EV_NVAL);
	CHECK_EQ(hl_sock_set_notify(c, NULL, NULL), 0);
	hl_sock_close(c, as);
	hl_sock_close(c, cs);
	hl_sock_close(c, ls);
}

struct peer {
	struct hl_conn *c;
	int sd;
	ssize_t got;
	char buf[16];
};

static void *
peer_recv(void *arg)
{
	struct peer *p = arg;

	p->got = hl_sock_recv(p->c, p->sd, p->buf, sizeof(p->buf), 0);
	return NULL;
}

/* With the pump, a thread blocks in recv while another sends. */
static void
test_threads(struct hl_conn *c)
{
	struct peer p = { .c = c };
	pthread_t t;
	int ls, cs, as;

	CHECK_EQ(hl_sock_pump_start(c), 0);
	tcp_pair(c, &ls, &cs, &as);
	p.sd = as;
	CHECK_EQ(pthread_create(&t, NULL, peer_recv, &p), 0);
	usleep(20000);
	CHECK_EQ(hl_sock_send(c, cs, "threads", 7, 0), 7);
	pthread_join(t, NULL);
	CHECK_EQ(p.got, 7);
	CHECK(memcmp(p.buf, "threads", 7) == 0);
	hl_sock_close(c, as);
	hl_sock_close(c, cs);
	hl_sock_close(c, ls);
}

/* The host as the attacker: each lie is EPROTO or dropped, never used. */
static void
test_evil(void)
{
	struct hl_conn *c = setup();
	int ls, cs, as;
	char b[8];
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	struct hl_sock_pollfd p;

	tcp_pair(c, &ls, &cs, &as);
	CHECK_EQ(hl_sock_send(c, cs, "abc", 3, 0), 3);
	fk.evil = EVIL_COUNT;
	CHECK_EQ(hl_sock_recv(c, as, b, sizeof(b), 0), -1);
	CHECK_EQ(errno, EPROTO);
	fk.evil = EVIL_ERRNO;
	CHECK_EQ(hl_sock_listen(c, ls, 1), -1);
	CHECK_EQ(errno, EPROTO);
	fk.evil = EVIL_ADDR;
	CHECK_EQ(hl_sock_getpeername(c, cs, (struct sockaddr *)&a, &al), -1);
	CHECK_EQ(errno, EPROTO);
	fk.evil = EVIL_EVENTS;
	CHECK_EQ(hl_sock_send(c, cs, "d", 1, 0), 1);
	p.sd = as;
	p.events = HL_SOCK_EV_IN;
	CHECK_EQ(hl_sock_poll(c, &p, 1, 100), 0);
	CHECK(c->sk->ev_bad >= 1);
	fk.evil = EVIL_NONE;
	hl_disconnect(c);
}

int
main(void)
{
	struct hl_conn *c = setup();

	test_refusals(c);
	test_tcp(c);
	test_udp(c);
	test_poll(c);
	test_threads(c);
	hl_disconnect(c);
	test_evil();
	free(fk.bulk);
	return gl_report("guestlib-sock");
}
