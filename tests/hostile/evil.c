/* SPDX-License-Identifier: BSD-3-Clause */
/* evil: a hostile memif client for the attack suite (see evil.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "evil.h"

#define BUSY_RETRY_MS 5000

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
ms_left(int64_t deadline)
{
	int64_t left = deadline - now_ms();

	return left < 0 ? 0 : (int)left;
}

static void
sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

const char *
evil_rc_str(int rc)
{
	static const char *const s[] = {
		[EVIL_OK] = "ok", [EVIL_REFUSED] = "DISCONNECT",
		[EVIL_CLOSED] = "closed without DISCONNECT",
		[EVIL_TIMEOUT] = "timeout", [EVIL_PROTO] = "protocol error",
		[EVIL_SYS] = "system call failed",
	};

	if (rc < 0)
		rc = -rc;
	return rc <= EVIL_SYS ? s[rc] : "?";
}

static void
evil_init(struct evil *e, const char *secret)
{
	memset(e, 0, sizeof(*e));
	e->sock = e->memfd = e->c2s.efd = e->s2c.efd = -1;
	e->secret = secret;
	e->next_req = 1;
	/* A locally administered address, as libhostlane generates them. */
	memcpy(e->mac, (const uint8_t[6]){ 0x02, 0x48, 0xee, 0x00, 0x00, 0x01 }, 6);
	memset(e->host_mac, 0xff, 6);
}

/* ---- control socket ----------------------------------------------------- */

int
evil_send_raw(struct evil *e, const void *buf, size_t len, const int *fds,
	      int nfds)
{
	char cbuf[CMSG_SPACE(EVIL_MAX_FDS * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	memset(cbuf, 0, sizeof(cbuf));
	if (nfds > 0) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, (size_t)nfds * sizeof(int));
	}
	if (sendmsg(e->sock, &mh, MSG_NOSIGNAL) != (ssize_t)len) {
		snprintf(e->err, sizeof(e->err), "sendmsg: %s", strerror(errno));
		return EVIL_SYS;
	}
	return EVIL_OK;
}

int
evil_recv_msg(struct evil *e, struct memif_msg *msg, int timeout_ms)
{
	struct pollfd p = { .fd = e->sock, .events = POLLIN };
	int64_t deadline = now_ms() + timeout_ms;
	ssize_t n;
	int rc;

	do {
		rc = poll(&p, 1, ms_left(deadline));
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return EVIL_SYS;
	if (rc == 0)
		return EVIL_TIMEOUT;
	memset(msg, 0, sizeof(*msg));
	n = recv(e->sock, msg, sizeof(*msg), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE)))
		return EVIL_CLOSED;
	if (n < 0)
		return EVIL_SYS;
	if (n != (ssize_t)sizeof(*msg)) {
		snprintf(e->err, sizeof(e->err), "control message of %zd bytes", n);
		return EVIL_PROTO;
	}
	return EVIL_OK;
}

static void
take_reason(struct evil *e, const struct memif_msg *msg)
{
	size_t n = strnlen((const char *)msg->disconnect.string,
			   MEMIF_DISC_STRING_LEN);

	memcpy(e->reason, msg->disconnect.string, n);
	e->reason[n] = '\0';
	e->connected = false;
}

int
evil_wait_disconnect(struct evil *e, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct memif_msg msg;
	int rc;

	for (;;) {
		rc = evil_recv_msg(e, &msg, ms_left(deadline));
		if (rc != EVIL_OK)
			return rc;
		if (msg.type == MEMIF_MSG_TYPE_DISCONNECT) {
			take_reason(e, &msg);
			return EVIL_REFUSED;
		}
		if (msg.type != MEMIF_MSG_TYPE_ACK &&
		    msg.type != MEMIF_MSG_TYPE_CONNECTED) {
			snprintf(e->err, sizeof(e->err), "memif message %u", msg.type);
			return EVIL_PROTO;
		}
	}
}

/* The next message must be want; a DISCONNECT is a refusal. */
static int
expect(struct evil *e, uint16_t want, struct memif_msg *msg)
{
	int rc = evil_recv_msg(e, msg, EVIL_WAIT_MS);

	if (rc != EVIL_OK)
		return rc;
	if (msg->type == MEMIF_MSG_TYPE_DISCONNECT) {
		take_reason(e, msg);
		return EVIL_REFUSED;
	}
	if (msg->type != want) {
		snprintf(e->err, sizeof(e->err), "memif message %u, wanted %u",
			 msg->type, want);
		return EVIL_PROTO;
	}
	return EVIL_OK;
}

int
evil_open_once(struct evil *e, const char *path, const char *secret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	evil_init(e, secret);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	e->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (e->sock < 0 || connect(e->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(e->err, sizeof(e->err), "connect %s: %s", path,
			 strerror(errno));
		return EVIL_SYS;
	}
	return expect(e, MEMIF_MSG_TYPE_HELLO, &e->hello);
}

int
evil_open(struct evil *e, const char *path, const char *secret)
{
	int64_t deadline = now_ms() + BUSY_RETRY_MS;
	int rc;

	for (;;) {
		rc = evil_open_once(e, path, secret);
		if (rc != EVIL_REFUSED || strncmp(e->reason, "busy", 4) != 0 ||
		    now_ms() > deadline)
			return rc;
		evil_close(e);
		sleep_us(10000);
	}
}

void
evil_keep_fd(struct evil *e, int fd)
{
	if (fd >= 0 && e->n_extra < EVIL_MAX_EXTRA)
		e->extra[e->n_extra++] = fd;
	else if (fd >= 0)
		close(fd);
}

static void
close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

void
evil_close(struct evil *e)
{
	if (e == NULL)
		return;
	if (e->connected) {
		struct memif_msg m = { .type = MEMIF_MSG_TYPE_DISCONNECT };

		memcpy(m.disconnect.string, "evil closed", 11);
		(void)evil_send_raw(e, &m, sizeof(m), NULL, 0);
	}
	if (e->base != NULL)
		munmap(e->base, e->memfd_size);
	close_fd(e->sock);
	close_fd(e->memfd);
	close_fd(e->c2s.efd);
	close_fd(e->s2c.efd);
	for (int i = 0; i < e->n_extra; i++)
		close(e->extra[i]);
	e->base = NULL;
	e->sock = e->memfd = e->c2s.efd = e->s2c.efd = -1;
	e->n_extra = 0;
	e->connected = false;
}

/* ---- region -------------------------------------------------------------- */

static void
ring_init(struct evil *e, struct evil_q *q)
{
	q->ring = (struct memif_ring *)(e->base + q->ring_off);
	memset(q->ring, 0, memif_ring_bytes(e->log2));
	q->ring->cookie = MEMIF_COOKIE;
	for (uint32_t i = 0; i < e->ring_size; i++) {
		q->ring->desc[i].length = EVIL_BUF;
		q->ring->desc[i].offset = q->buf0 + i * EVIL_BUF;
	}
}

int
evil_region_create(struct evil *e, unsigned int log2)
{
	uint64_t rbytes = (memif_ring_bytes(log2) + 63) & ~(uint64_t)63;

	e->log2 = log2;
	e->ring_size = (uint16_t)(1u << log2);
	e->mask = (uint16_t)(e->ring_size - 1);
	e->c2s.ring_off = 0;
	e->s2c.ring_off = (uint32_t)rbytes;
	e->c2s.buf0 = (uint32_t)((2 * rbytes + 4095) & ~(uint64_t)4095);
	e->s2c.buf0 = e->c2s.buf0 + e->ring_size * EVIL_BUF;
	e->bulk_off = e->s2c.buf0 + e->ring_size * EVIL_BUF;
	e->guard_off = e->bulk_off + EVIL_BULK;
	e->region_size = e->guard_off + EVIL_GUARD;
	e->memfd_size = e->region_size + EVIL_GUARD;
	e->memfd = memfd_create("hostile-evil", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (e->memfd < 0 || ftruncate(e->memfd, (off_t)e->memfd_size) < 0 ||
	    fcntl(e->memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		goto err;
	e->base = mmap(NULL, e->memfd_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       e->memfd, 0);
	if (e->base == MAP_FAILED) {
		e->base = NULL;
		goto err;
	}
	memset(e->base, EVIL_PATTERN, e->memfd_size);
	e->c2s.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	e->s2c.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->c2s.efd < 0 || e->s2c.efd < 0)
		goto err;
	ring_init(e, &e->c2s);
	ring_init(e, &e->s2c);
	return EVIL_OK;
err:
	snprintf(e->err, sizeof(e->err), "region: %s", strerror(errno));
	return EVIL_SYS;
}

bool
evil_guards_ok(const struct evil *e)
{
	for (uint64_t i = e->guard_off; i < e->memfd_size; i++)
		if (e->base[i] != EVIL_PATTERN)
			return false;
	return true;
}

/* ---- handshake ----------------------------------------------------------- */

void
evil_msg_default(const struct evil *e, enum evil_step step, struct evil_out *o)
{
	struct memif_msg *m = &o->msg;
	const struct evil_q *q = step == EVIL_STEP_ADD_RING_C2S ? &e->c2s : &e->s2c;

	memset(o, 0, sizeof(*o));
	o->step = step;
	o->len = MEMIF_MSG_SIZE;
	switch (step) {
	case EVIL_STEP_INIT:
		m->type = MEMIF_MSG_TYPE_INIT;
		m->init.version = MEMIF_VERSION;
		m->init.id = e->interface_id;
		m->init.mode = MEMIF_INTERFACE_MODE_ETHERNET;
		if (e->secret != NULL)
			memcpy(m->init.secret, e->secret,
			       strnlen(e->secret, MEMIF_SECRET_LEN));
		memcpy(m->init.name, "evil", 4);
		break;
	case EVIL_STEP_ADD_REGION:
		m->type = MEMIF_MSG_TYPE_ADD_REGION;
		m->add_region.index = 0;
		m->add_region.size = e->region_size;
		o->fds[o->nfds++] = e->memfd;
		break;
	case EVIL_STEP_ADD_RING_C2S:
	case EVIL_STEP_ADD_RING_S2C:
		m->type = MEMIF_MSG_TYPE_ADD_RING;
		m->add_ring.flags = step == EVIL_STEP_ADD_RING_C2S ?
			MEMIF_MSG_ADD_RING_FLAG_C2S : 0;
		m->add_ring.region = 0;
		m->add_ring.offset = q->ring_off;
		m->add_ring.log2_ring_size = (uint8_t)e->log2;
		o->fds[o->nfds++] = q->efd;
		break;
	case EVIL_STEP_CONNECT:
		m->type = MEMIF_MSG_TYPE_CONNECT;
		memcpy(m->connect.if_name, "evil0", 5);
		break;
	case EVIL_STEP_COUNT:
		break;
	}
}

/* After CONNECTED: the server reset the tails; post every S2C buffer. */
static void
rings_start(struct evil *e)
{
	e->c2s.head = e->c2s.seen = 0;
	e->s2c.head = e->s2c.seen = 0;
	/* We poll S2C: the server need not write our eventfd. */
	__atomic_store_n(&e->s2c.ring->flags, MEMIF_RING_FLAG_MASK_INT,
			 __ATOMIC_RELAXED);
	e->s2c.head = e->ring_size;
	__atomic_store_n(&e->s2c.ring->head, e->s2c.head, __ATOMIC_RELEASE);
	e->connected = true;
}

int
evil_handshake(struct evil *e, evil_hook_fn hook, void *arg)
{
	for (int s = 0; s < EVIL_STEP_COUNT; s++) {
		struct evil_out o;
		struct memif_msg reply;
		int rc;

		evil_msg_default(e, (enum evil_step)s, &o);
		if (hook != NULL)
			hook(e, &o, arg);
		if (o.skip)
			continue;
		rc = evil_send_raw(e, o.raw, o.len, o.fds, o.nfds);
		if (rc == EVIL_OK && o.no_wait)
			return EVIL_OK;
		if (rc == EVIL_OK)
			rc = expect(e, s == EVIL_STEP_CONNECT ? MEMIF_MSG_TYPE_CONNECTED :
				    MEMIF_MSG_TYPE_ACK, &reply);
		if (rc != EVIL_OK)
			return rc;
	}
	rings_start(e);
	return EVIL_OK;
}

int
evil_up(struct evil *e, const char *path, const char *secret)
{
	int rc = evil_open(e, path, secret);

	if (rc == EVIL_OK)
		rc = evil_region_create(e, 5);
	if (rc == EVIL_OK)
		rc = evil_handshake(e, NULL, NULL);
	if (rc == EVIL_OK)
		rc = evil_hello(e);
	if (rc != EVIL_OK && e->err[0] == '\0')
		snprintf(e->err, sizeof(e->err), "set-up: %s%s%s", evil_rc_str(rc),
			 e->reason[0] ? ": " : "", e->reason);
	return rc;
}

/* ---- fast path ----------------------------------------------------------- */

uint16_t
evil_c2s_room(const struct evil *e)
{
	uint16_t tail = __atomic_load_n(&e->c2s.ring->tail, __ATOMIC_ACQUIRE);

	return (uint16_t)(e->ring_size - (uint16_t)(e->c2s.head - tail));
}

struct memif_desc *
evil_c2s_desc(struct evil *e, uint16_t i)
{
	return &e->c2s.ring->desc[(uint16_t)(e->c2s.head + i) & e->mask];
}

void
evil_c2s_stage(struct evil *e, uint16_t i, const void *frame, uint32_t len,
	       uint16_t flags)
{
	uint16_t slot = (uint16_t)(e->c2s.head + i) & e->mask;
	struct memif_desc *d = &e->c2s.ring->desc[slot];

	d->flags = flags;
	d->region = 0;
	d->offset = e->c2s.buf0 + slot * EVIL_BUF;
	d->length = len;
	d->metadata = 0;
	if (frame != NULL)
		memcpy(e->base + d->offset, frame, len < EVIL_BUF ? len : EVIL_BUF);
}

void
evil_c2s_publish(struct evil *e, uint16_t n)
{
	e->c2s.head = (uint16_t)(e->c2s.head + n);
	/* Release: descriptors and buffers before the head that names them. */
	__atomic_store_n(&e->c2s.ring->head, e->c2s.head, __ATOMIC_RELEASE);
}

void
evil_c2s_set_head(struct evil *e, uint16_t head)
{
	e->c2s.head = head;
	__atomic_store_n(&e->c2s.ring->head, head, __ATOMIC_RELEASE);
}

int
evil_send_frame(struct evil *e, const void *frame, uint32_t len)
{
	int64_t deadline = now_ms() + EVIL_WAIT_MS;

	while (evil_c2s_room(e) == 0) {
		if (now_ms() > deadline)
			return EVIL_TIMEOUT;
		sleep_us(50);
	}
	evil_c2s_stage(e, 0, frame, len, 0);
	evil_c2s_publish(e, 1);
	return EVIL_OK;
}

struct memif_desc *
evil_s2c_desc(struct evil *e, uint16_t i)
{
	return &e->s2c.ring->desc[(uint16_t)(e->s2c.seen + i) & e->mask];
}

void
evil_s2c_set_head(struct evil *e, uint16_t head)
{
	e->s2c.head = head;
	__atomic_store_n(&e->s2c.ring->head, head, __ATOMIC_RELEASE);
}

/* A DISCONNECT waiting on the control socket, without blocking. */
static bool
disconnect_pending(struct evil *e)
{
	struct memif_msg msg;

	if (evil_recv_msg(e, &msg, 0) != EVIL_OK)
		return false;
	if (msg.type == MEMIF_MSG_TYPE_DISCONNECT) {
		take_reason(e, &msg);
		return true;
	}
	return false;
}

/* Copy one filled slot out, check the server kept region/offset, re-post. */
static int
take_slot(struct evil *e, uint8_t *buf, uint32_t cap, uint32_t *len, bool *more)
{
	uint16_t slot = e->s2c.seen & e->mask;
	struct memif_desc d = e->s2c.ring->desc[slot];
	uint32_t n;

	if (d.region != 0 || d.offset != e->s2c.buf0 + slot * EVIL_BUF ||
	    d.length > EVIL_BUF) {
		snprintf(e->err, sizeof(e->err), "server rewrote S2C slot %u: "
			 "region %u offset %u length %u", slot, d.region, d.offset,
			 d.length);
		return EVIL_PROTO;
	}
	n = cap - *len < d.length ? cap - *len : d.length;
	memcpy(buf + *len, e->base + d.offset, n);
	*len += n;
	*more = (d.flags & MEMIF_DESC_FLAG_NEXT) != 0;
	e->s2c.ring->desc[slot].length = EVIL_BUF;
	e->s2c.ring->desc[slot].flags = 0;
	e->s2c.seen++;
	return EVIL_OK;
}

int
evil_recv_frame(struct evil *e, void *buf, uint32_t cap, uint32_t *len,
		int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	bool more = true;
	uint16_t tail;
	int rc;

	*len = 0;
	while (more) {
		for (;;) {
			/* Acquire: pairs with the server's release of tail. */
			tail = __atomic_load_n(&e->s2c.ring->tail, __ATOMIC_ACQUIRE);
			if (tail != e->s2c.seen)
				break;
			if (disconnect_pending(e))
				return EVIL_REFUSED;
			if (now_ms() > deadline)
				return EVIL_TIMEOUT;
			sleep_us(50);
		}
		rc = take_slot(e, buf, cap, len, &more);
		if (rc != EVIL_OK)
			return rc;
	}
	/* Re-post what we consumed: the server may fill those slots again. */
	evil_s2c_set_head(e, (uint16_t)(e->s2c.seen + e->ring_size));
	return EVIL_OK;
}

/* ---- hostlane requests ---------------------------------------------------- */

uint64_t
evil_req(struct evil *e, void *frame, uint16_t opcode, uint32_t session)
{
	struct hl_frame_hdr h;
	uint64_t id = e->next_req++;

	hl_proto_hdr_init(&h, e->host_mac, e->mac, opcode, session, id);
	memcpy(frame, &h, sizeof(h));
	return id;
}

int
evil_rpc(struct evil *e, const void *frame, uint32_t len,
	 struct hl_frame_hdr *rep, void *rep_payload)
{
	uint8_t buf[HL_FRAME_MAX * 2];
	uint32_t n;
	int rc = evil_send_frame(e, frame, len);

	if (rc == EVIL_OK)
		rc = evil_recv_frame(e, buf, sizeof(buf), &n, EVIL_WAIT_MS);
	if (rc != EVIL_OK)
		return rc;
	if (n < HL_FRAME_HDR_LEN) {
		snprintf(e->err, sizeof(e->err), "reply of %u bytes", n);
		return EVIL_PROTO;
	}
	memcpy(rep, buf, sizeof(*rep));
	if (rep_payload != NULL)
		memcpy(rep_payload, buf + HL_FRAME_HDR_LEN,
		       n - HL_FRAME_HDR_LEN < HL_PAYLOAD_MAX ?
		       n - HL_FRAME_HDR_LEN : HL_PAYLOAD_MAX);
	return EVIL_OK;
}

uint32_t
evil_hello_frame(struct evil *e, void *frame, uint64_t *req_id)
{
	struct hl_hello hello = { .name = "evil", .version_min = 1,
				  .version_max = 1, .max_inflight = 256,
				  .max_payload = HL_PAYLOAD_MAX };
	uint64_t id = evil_req(e, frame, HL_OP_HELLO, 0);

	((struct hl_frame_hdr *)frame)->hl.payload_len = sizeof(hello);
	memcpy((uint8_t *)frame + HL_FRAME_HDR_LEN, &hello, sizeof(hello));
	if (req_id != NULL)
		*req_id = id;
	return HL_FRAME_HDR_LEN + sizeof(hello);
}

int
evil_expect_reply(struct evil *e, uint64_t req_id, uint16_t st)
{
	uint8_t buf[HL_FRAME_MAX * 2];
	struct hl_frame_hdr rep;
	uint32_t n;
	int rc = evil_recv_frame(e, buf, sizeof(buf), &n, EVIL_WAIT_MS);

	if (rc != EVIL_OK) {
		snprintf(e->err, sizeof(e->err), "no reply to req %llu: %s %s",
			 (unsigned long long)req_id, evil_rc_str(rc), e->reason);
		return 1;
	}
	if (n < HL_FRAME_HDR_LEN) {
		snprintf(e->err, sizeof(e->err), "reply of %u bytes", n);
		return 1;
	}
	memcpy(&rep, buf, sizeof(rep));
	if (rep.hl.req_id != req_id || rep.hl.status != st ||
	    !(rep.hl.flags & HL_F_REPLY)) {
		snprintf(e->err, sizeof(e->err), "reply to req %llu status %u, "
			 "wanted req %llu status %u", (unsigned long long)rep.hl.req_id,
			 rep.hl.status, (unsigned long long)req_id, st);
		return 1;
	}
	return 0;
}

int
evil_hello(struct evil *e)
{
	uint8_t f[HL_FRAME_HDR_LEN + sizeof(struct hl_hello)] = { 0 };
	struct hl_frame_hdr rep;
	int rc;

	rc = evil_rpc(e, f, evil_hello_frame(e, f, NULL), &rep, NULL);
	if (rc != EVIL_OK)
		return rc;
	if (rep.hl.status != HL_OK) {
		snprintf(e->err, sizeof(e->err), "HELLO: status %u", rep.hl.status);
		return EVIL_PROTO;
	}
	memcpy(e->host_mac, rep.eth.src, 6);
	return EVIL_OK;
}

uint32_t
evil_bulk_frame(struct evil *e, void *frame, uint32_t session,
		const struct hl_bulk *b, uint32_t payload_len, uint64_t *req_id)
{
	uint64_t id = evil_req(e, frame, HL_OP_FN_CALL_BULK, session);

	((struct hl_frame_hdr *)frame)->hl.payload_len = payload_len;
	/* A 33rd byte, for the over-long case; never read otherwise. */
	memset((uint8_t *)frame + HL_FRAME_HDR_LEN, 0, sizeof(*b) + 1);
	memcpy((uint8_t *)frame + HL_FRAME_HDR_LEN, b, sizeof(*b));
	if (req_id != NULL)
		*req_id = id;
	return HL_FRAME_HDR_LEN + payload_len;
}

int
evil_fn_open(struct evil *e, const char *name, bool activate, uint32_t *session)
{
	uint8_t f[HL_FRAME_HDR_LEN + sizeof(struct hl_fn_open)] = { 0 };
	struct hl_fn_open *o = (struct hl_fn_open *)(f + HL_FRAME_HDR_LEN);
	struct hl_frame_hdr rep;
	int rc;

	evil_req(e, f, HL_OP_FN_OPEN, 0);
	((struct hl_frame_hdr *)f)->hl.payload_len = sizeof(*o);
	snprintf(o->name, sizeof(o->name), "%s", name);
	rc = evil_rpc(e, f, sizeof(f), &rep, NULL);
	if (rc != EVIL_OK)
		return -rc;
	if (rep.hl.status != HL_OK)
		return rep.hl.status;
	*session = rep.hl.session;
	if (!activate)
		return HL_OK;
	return evil_fn_req(e, HL_OP_FN_ACTIVATE, *session, 0, 0, NULL);
}

int
evil_fn_req(struct evil *e, uint16_t opcode, uint32_t session, uint64_t arg0,
	    uint64_t arg1, uint64_t *result)
{
	uint8_t f[HL_FRAME_HDR_LEN];
	struct hl_frame_hdr *h = (struct hl_frame_hdr *)f, rep;
	int rc;

	evil_req(e, f, opcode, session);
	h->hl.arg0 = arg0;
	h->hl.arg1 = arg1;
	rc = evil_rpc(e, f, sizeof(f), &rep, NULL);
	if (rc != EVIL_OK)
		return -rc;
	if (rep.hl.req_id != h->hl.req_id || rep.hl.opcode != opcode) {
		snprintf(e->err, sizeof(e->err), "reply to req %llu op %u, wanted "
			 "%llu op %u", (unsigned long long)rep.hl.req_id,
			 rep.hl.opcode, (unsigned long long)h->hl.req_id, opcode);
		return -EVIL_PROTO;
	}
	if (result != NULL)
		*result = rep.hl.arg0;
	return rep.hl.status;
}
