/* SPDX-License-Identifier: BSD-3-Clause */
/* hostile_host's server: bounded waits, the memif handshake in steps, the
 * rings by hand, and an honest host for the frames a case leaves alone. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hh.h"

#define HH_SLICE_MS 5

const uint8_t hh_host_mac[6] = { 0x02, 0x68, 0x6c, 0x00, 0x00, 0x01 };
const uint8_t hh_evil_mac[6] = { 0x02, 0x68, 0x6c, 0x00, 0x00, 0x66 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 while the client process runs; its exit status is kept when it ends. */
int
hh_child_alive(struct hh_srv *s)
{
	if (s->child_done)
		return 0;
	if (waitpid(s->child, &s->child_status, WNOHANG) == s->child) {
		s->child_done = 1;
		return 0;
	}
	return 1;
}

/* fd readable within ms: 1; not: 0; the client exited first: -1. */
int
hh_wait(struct hh_srv *s, int fd, int ms)
{
	int64_t deadline = now_ms() + ms;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (;;) {
		if (poll(&p, 1, HH_SLICE_MS) > 0)
			return 1;
		if (!hh_child_alive(s))
			return poll(&p, 1, 0) > 0 ? 1 : -1;
		if (now_ms() >= deadline)
			return 0;
	}
}

/* Sleep ms; -1 as soon as the client has exited. */
int
hh_pause(struct hh_srv *s, int ms)
{
	int64_t deadline = now_ms() + ms;

	while (now_ms() < deadline) {
		if (!hh_child_alive(s))
			return -1;
		(void)poll(NULL, 0, HH_SLICE_MS);
	}
	return 0;
}

int
hh_accept(struct hh_srv *s)
{
	if (hh_wait(s, s->lfd, HH_WAIT_MS) != 1)
		return -1;
	s->fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (s->fd < 0)
		return -1;
	s->conns++;
	return 0;
}

/* Send len bytes (any length) with nfd fds in SCM_RIGHTS. */
int
hh_sendmsg(struct hh_srv *s, const void *buf, size_t len, const int *fds,
	   int nfd)
{
	union {
		char b[CMSG_SPACE(HH_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (s->drip_ms > 0 && hh_pause(s, s->drip_ms) != 0)
		return -1;
	if (nfd > 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.b;
		mh.msg_controllen = CMSG_SPACE((size_t)nfd * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN((size_t)nfd * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, (size_t)nfd * sizeof(int));
	}
	return sendmsg(s->fd, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

int
hh_send(struct hh_srv *s, uint16_t type)
{
	struct memif_msg msg = { .type = type };

	return hh_sendmsg(s, &msg, sizeof(msg), NULL, 0);
}

int
hh_send_disconnect(struct hh_srv *s, uint32_t code, const char *reason)
{
	struct memif_msg msg = { .type = MEMIF_MSG_TYPE_DISCONNECT };

	msg.disconnect.code = code;
	memcpy(msg.disconnect.string, reason, strlen(reason));
	return hh_sendmsg(s, &msg, sizeof(msg), NULL, 0);
}

/* One control message from the client; its type, or -1. An fd that came
 * with it is returned through *fd (else -1). */
static int
recv_fd(struct hh_srv *s, struct memif_msg *msg, int *fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.b,
			     .msg_controllen = sizeof(cbuf.b) };
	struct cmsghdr *cm;

	*fd = -1;
	memset(msg, 0, sizeof(*msg));
	if (s->fd < 0 || hh_wait(s, s->fd, HH_WAIT_MS) != 1 ||
	    recvmsg(s->fd, &mh, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(*msg))
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm != NULL && cm->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return msg->type;
}

int
hh_recv(struct hh_srv *s, struct memif_msg *msg)
{
	int fd, type = recv_fd(s, msg, &fd);

	if (fd >= 0)
		close(fd);
	return type;
}

/* The next message must be of type want; its fd (if fd != NULL) kept. */
int
hh_expect(struct hh_srv *s, uint16_t type, int *fd)
{
	struct memif_msg msg;
	int f, t = recv_fd(s, &msg, &f);

	if (fd != NULL)
		*fd = f;
	else if (f >= 0)
		close(f);
	return t == type ? 0 : -1;
}

int
hh_hs_hello(struct hh_srv *s)
{
	struct memif_msg msg = { .type = MEMIF_MSG_TYPE_HELLO };

	msg.hello = s->memif_hello;
	return hh_sendmsg(s, &msg, sizeof(msg), NULL, 0);
}

int
hh_hs_init(struct hh_srv *s)
{
	return hh_expect(s, MEMIF_MSG_TYPE_INIT, NULL) == 0 ?
	       hh_send(s, MEMIF_MSG_TYPE_ACK) : -1;
}

/* ADD_REGION: map the client's memfd as the host would. */
int
hh_hs_region(struct hh_srv *s)
{
	struct memif_msg msg;
	int fd;

	if (recv_fd(s, &msg, &fd) != MEMIF_MSG_TYPE_ADD_REGION || fd < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	s->memfd = fd;
	s->size = msg.add_region.size;
	s->base = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (s->base == MAP_FAILED) {
		s->base = NULL;
		return -1;
	}
	return hh_send(s, MEMIF_MSG_TYPE_ACK);
}

/* ADD_RING twice: C2S, then S2C, each with its eventfd. */
int
hh_hs_rings(struct hh_srv *s)
{
	for (int i = 0; i < 2; i++) {
		struct memif_msg msg;
		int fd, c2s;

		if (recv_fd(s, &msg, &fd) != MEMIF_MSG_TYPE_ADD_RING || fd < 0) {
			if (fd >= 0)
				close(fd);
			return -1;
		}
		c2s = msg.add_ring.flags & MEMIF_MSG_ADD_RING_FLAG_C2S;
		s->efd[c2s ? 0 : 1] = fd;
		s->ring_off[c2s ? 0 : 1] = msg.add_ring.offset;
		s->log2 = msg.add_ring.log2_ring_size;
		if (msg.add_ring.offset + memif_ring_bytes(s->log2) > s->size)
			return -1;
		if (hh_send(s, MEMIF_MSG_TYPE_ACK) != 0)
			return -1;
	}
	return 0;
}

int
hh_hs_connect(struct hh_srv *s)
{
	if (hh_expect(s, MEMIF_MSG_TYPE_CONNECT, NULL) != 0 || s->base == NULL)
		return -1;
	s->c2s = (struct memif_ring *)(s->base + s->ring_off[0]);
	s->s2c = (struct memif_ring *)(s->base + s->ring_off[1]);
	s->c2s_tail = 0;
	s->s2c_tail = 0;
	return hh_send(s, MEMIF_MSG_TYPE_CONNECTED);
}

/* Accept and the whole handshake, done right. */
int
hh_handshake(struct hh_srv *s)
{
	if (hh_accept(s) != 0 || hh_hs_hello(s) != 0 || hh_hs_init(s) != 0 ||
	    hh_hs_region(s) != 0 || hh_hs_rings(s) != 0)
		return -1;
	return hh_hs_connect(s);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void
hh_conn_close(struct hh_srv *s)
{
	close_fd(&s->fd);
	close_fd(&s->memfd);
	close_fd(&s->efd[0]);
	close_fd(&s->efd[1]);
	if (s->base != NULL)
		munmap(s->base, s->size);
	s->base = NULL;
	s->c2s = s->s2c = NULL;
}

/* ---- frames ------------------------------------------------------------- */

/* Take the next C2S frame if there is one: 1, else 0. */
static int
c2s_take(struct hh_srv *s, uint8_t *buf, uint32_t *len)
{
	uint16_t mask = (uint16_t)((1u << s->log2) - 1);
	uint16_t head = __atomic_load_n(&s->c2s->head, __ATOMIC_ACQUIRE);
	const struct memif_desc *d;

	/* Nothing new, or a tail this server moved past the head itself. */
	if ((uint16_t)(head - s->c2s_tail) == 0 ||
	    (uint16_t)(head - s->c2s_tail) > mask + 1u)
		return 0;
	d = &s->c2s->desc[s->c2s_tail & mask];
	*len = d->length <= HL_FRAME_MAX &&
	       (uint64_t)d->offset + d->length <= s->size ? d->length : 0;
	memcpy(buf, s->base + d->offset, *len);
	s->c2s_tail++;
	__atomic_store_n(&s->c2s->tail, s->c2s_tail, __ATOMIC_RELEASE);
	return 1;
}

/* The next frame from the client within ms: 1; none: 0; the client went
 * (control socket EOF or DISCONNECT, or its process exited): -1. */
int
hh_frame(struct hh_srv *s, uint8_t *buf, uint32_t *len, int ms)
{
	int64_t deadline = now_ms() + ms;
	uint64_t cnt;

	if (s->c2s == NULL)
		return -1;
	for (;;) {
		struct pollfd p[2] = { { .fd = s->efd[0], .events = POLLIN },
				       { .fd = s->fd, .events = POLLIN } };

		if (c2s_take(s, buf, len))
			return 1;
		if (poll(p, 2, HH_SLICE_MS) > 0) {
			if (p[0].revents && read(s->efd[0], &cnt, sizeof(cnt)) < 0)
				return -1;
			if (p[1].revents)
				return -1;	/* DISCONNECT or EOF */
		}
		if (!hh_child_alive(s) && !c2s_take(s, buf, len))
			return -1;
		if (now_ms() >= deadline)
			return 0;
	}
}

/* The next S2C slot to fill, once the client has posted it (NULL if it
 * never does); *buf is the buffer the client posted there. */
struct memif_desc *
hh_s2c_next(struct hh_srv *s, uint8_t **buf)
{
	uint16_t mask = (uint16_t)((1u << s->log2) - 1);
	int64_t deadline = now_ms() + HH_WAIT_MS;
	struct memif_desc *d;

	while ((uint16_t)(__atomic_load_n(&s->s2c->head, __ATOMIC_ACQUIRE) -
			  s->s2c_tail) == 0) {
		if (now_ms() >= deadline || !hh_child_alive(s))
			return NULL;
		(void)poll(NULL, 0, 1);
	}
	d = &s->s2c->desc[s->s2c_tail & mask];
	if ((uint64_t)d->offset + HL_FRAME_MAX > s->size)
		return NULL;
	*buf = s->base + d->offset;
	return d;
}

/* Publish n more filled slots and signal the client. */
void
hh_s2c_publish(struct hh_srv *s, uint16_t n)
{
	uint64_t one = 1;

	s->s2c_tail += n;
	__atomic_store_n(&s->s2c->tail, s->s2c_tail, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&s->s2c->flags, __ATOMIC_RELAXED) &
	      MEMIF_RING_FLAG_MASK_INT))
		(void)write(s->efd[1], &one, sizeof(one));
}

/* One frame to the client, in one descriptor. */
int
hh_put(struct hh_srv *s, const void *frame, uint32_t len)
{
	uint8_t *buf;
	struct memif_desc *d = hh_s2c_next(s, &buf);

	if (d == NULL)
		return -1;
	memcpy(buf, frame, len);
	d->length = len;
	d->flags = 0;
	hh_s2c_publish(s, 1);
	return 0;
}

uint64_t
hh_factorial(uint64_t n)
{
	uint64_t r = 1;

	while (n > 1)
		r *= n--;
	return r;
}

static uint32_t
answer_hello(struct hh_srv *s, uint8_t *pl)
{
	struct hl_hello hi = { .name = "hostile", .version_min = s->hello.vmin,
			       .version_max = s->hello.vmax,
			       .max_inflight = HL_MAX_INFLIGHT,
			       .max_payload = HL_PAYLOAD_MAX,
			       .max_bulk = s->hello.max_bulk };
	uint32_t len = s->hello.len;

	memset(pl, 0, len);
	memcpy(pl, &hi, len < sizeof(hi) ? len : sizeof(hi));
	return len;
}

/* FN_CALL_BULK: echo the input into the output room, in the region. */
static void
answer_bulk(struct hh_srv *s, const uint8_t *pl, uint32_t plen,
	    struct hl_frame_hdr *h)
{
	struct hl_bulk b;
	uint32_t n;

	s->bulk_calls++;
	if (plen != sizeof(b)) {
		h->hl.status = HL_E_BAD_LENGTH;
		return;
	}
	memcpy(&b, pl, sizeof(b));
	n = b.in_len < b.out_cap ? b.in_len : b.out_cap;
	if (b.in_off + b.in_len > s->size || b.out_off + n > s->size) {
		h->hl.status = HL_E_BAD_REQUEST;
		return;
	}
	memmove(s->base + b.out_off, s->base + b.in_off, n);
	h->hl.arg1 = n;
	h->hl.state = HL_FN_DONE;
}

/* What an honest host answers to request req; the reply's length, 0 if
 * req is no valid request. */
uint32_t
hh_answer(struct hh_srv *s, const uint8_t *req, uint32_t len, uint8_t *out)
{
	struct hl_frame_hdr h;
	const uint8_t *pl = req + HL_FRAME_HDR_LEN;
	uint32_t olen = 0;

	if (hl_proto_hdr_parse(req, len, &h) != HL_OK || (h.hl.flags & HL_F_REPLY))
		return 0;
	/* A HELLO goes to everyone (the host is not known yet), the rest to
	 * the host that answered it. */
	if (memcmp(h.eth.dst, h.hl.opcode == HL_OP_HELLO ? bcast : hh_host_mac,
		   6) != 0)
		s->wrong_dst++;
	h.hl.state = HL_FN_NONE;
	h.hl.status = HL_OK;
	switch (h.hl.opcode) {
	case HL_OP_HELLO:
		olen = answer_hello(s, out + HL_FRAME_HDR_LEN);
		h.hl.status = s->hello.status;
		break;
	case HL_OP_FN_OPEN:
		h.hl.session = ++s->sessions;
		h.hl.arg0 = HL_PLACE_SW;
		break;
	case HL_OP_FN_ACTIVATE:
		h.hl.arg0 = HL_PLACE_SW;
		h.hl.state = HL_FN_WAIT;
		break;
	case HL_OP_FN_CALL:
		h.hl.arg0 = hh_factorial(h.hl.arg0);
		h.hl.state = HL_FN_DONE;
		break;
	case HL_OP_FN_CALL_BULK:
		answer_bulk(s, pl, h.hl.payload_len, &h);
		break;
	default:
		break;
	}
	hl_proto_hdr_make_reply(&h, hh_host_mac, (enum hl_status)h.hl.status);
	h.hl.payload_len = olen;
	memcpy(out, &h, sizeof(h));
	return HL_FRAME_HDR_LEN + olen;
}

/* Answer every frame until one of opcode op comes (left unanswered in
 * req): 1; the client went first: -1. */
int
hh_serve_until(struct hh_srv *s, uint16_t op, uint8_t *req, uint32_t *len)
{
	uint8_t out[HL_FRAME_MAX];
	struct hl_frame_hdr h;

	for (;;) {
		int rc = hh_frame(s, req, len, HH_WAIT_MS);

		if (rc != 1)
			return -1;
		if (hl_proto_hdr_parse(req, *len, &h) == HL_OK &&
		    h.hl.opcode == op)
			return 1;
		uint32_t olen = hh_answer(s, req, *len, out);
		if (olen > 0 && hh_put(s, out, olen) != 0)
			return -1;
	}
}

/* Answer everything until the client goes. */
int
hh_serve_all(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX];
	uint32_t len;

	return hh_serve_until(s, 0xffff, req, &len);
}
