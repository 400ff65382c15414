/* SPDX-License-Identifier: BSD-3-Clause */
/* memif 2.0 client: control-socket handshake, shared region setup, teardown. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hl_memif.h"

#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
/* A server sends no fds; room to receive (and close) a few it sends anyway. */
#define CTL_MAX_FDS 4
/* How often a connect() to a full listen backlog is tried again. */
#define CONNECT_RETRY_MS 5

/* First cause wins; returns 1 if this call set it. */
int
hl_memif_set_dead(struct hl_memif *m, int status, const char *fmt, ...)
{
	va_list ap;

	if (m->dead)
		return 0;
	m->dead = status;
	va_start(ap, fmt);
	vsnprintf(m->reason, sizeof(m->reason), fmt, ap);
	va_end(ap);
	return 1;
}

static int
ctl_send(struct hl_memif *m, const struct memif_msg *msg, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	/* Never blocks: 128 bytes at a time, a few times per connection, fit
	 * the socket buffer unless the host stopped reading long ago. */
	if (sendmsg(m->ctl_fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) !=
	    (ssize_t)sizeof(*msg)) {
		int err = errno;

		if (hl_memif_set_dead(m, HL_E_DISCONNECTED, "control send: %s",
				      strerror(err)) && err != EAGAIN)
			m->revivable = 1;
		return m->dead;
	}
	return HL_OK;
}

/* Wait for the control socket to become readable within deadline. */
static int
ctl_wait(struct hl_memif *m, int64_t deadline)
{
	struct pollfd p = { .fd = m->ctl_fd, .events = POLLIN };
	int n;

	do {
		n = poll(&p, 1, hl_ms_left(deadline));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		hl_memif_set_dead(m, HL_E_IO, "poll: %s", strerror(errno));
		return m->dead;
	}
	return n == 0 ? HL_E_TIMEOUT : HL_OK;
}

/* Close every fd that came with a message; how many there were. */
static int
ctl_close_fds(struct msghdr *mh)
{
	int n = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm != NULL;
	     cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t off = 0; CMSG_LEN(off + sizeof(int)) <= cm->cmsg_len;
		     off += sizeof(int), n++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + off, sizeof(fd));
			close(fd);
		}
	}
	return n;
}

/*
 * Check what recvmsg() gave: exactly one whole message of
 * sizeof(struct memif_msg) bytes and nothing with it. A server sends no
 * fds; any that came are closed here. Returns HL_OK, HL_E_DISCONNECTED for
 * end of file, or m's death.
 */
static int
ctl_msg_validate(struct hl_memif *m, struct msghdr *mh, ssize_t n)
{
	int nfd = ctl_close_fds(mh);

	if (mh->msg_flags & MSG_CTRUNC)
		hl_memif_set_dead(m, HL_E_PROTO, "host sent more file descriptors "
				  "than fit with a control message");
	else if (nfd > 0)
		hl_memif_set_dead(m, HL_E_PROTO, "host sent %d file descriptor(s) "
				  "with a control message", nfd);
	else if (n == 0)	/* end of file (or a 0-byte datagram: the same) */
		return HL_E_DISCONNECTED;
	else if (mh->msg_flags & MSG_TRUNC)
		hl_memif_set_dead(m, HL_E_PROTO, "control message longer than "
				  "%zu bytes", sizeof(struct memif_msg));
	else if (n != (ssize_t)sizeof(struct memif_msg))
		hl_memif_set_dead(m, HL_E_PROTO, "control message of %zd bytes", n);
	return m->dead;
}

/* Receive one control message; HL_E_AGAIN if none is waiting. */
static int
ctl_recv(struct hl_memif *m, struct memif_msg *msg)
{
	union {
		char buf[CMSG_SPACE(CTL_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	ssize_t n;
	int rc;

	memset(msg, 0, sizeof(*msg));
	do {
		n = recvmsg(m->ctl_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return HL_E_AGAIN;
	rc = n < 0 ? HL_E_DISCONNECTED : ctl_msg_validate(m, &mh, n);
	if (rc == HL_E_DISCONNECTED && !m->dead) {
		if (hl_memif_set_dead(m, HL_E_DISCONNECTED, "host closed the "
				      "memif control socket"))
			m->revivable = 1;
	}
	return m->dead;
}

static void
on_disconnect(struct hl_memif *m, const struct memif_msg *msg, int status)
{
	const char *str = (const char *)msg->disconnect.string;
	int len = (int)strnlen(str, MEMIF_DISC_STRING_LEN);

	/* The code decides, never the words (hostlane/memif.h): the host
	 * may be back soon, so a connection it dropped may be made again. */
	if (hl_memif_set_dead(m, status, "host disconnected (code %u): %.*s",
			      (unsigned)msg->disconnect.code, len, str)) {
		m->disc_code = msg->disconnect.code;
		if (status == HL_E_DISCONNECTED &&
		    hl_memif_disc_class(m->disc_code) == HL_MEMIF_DISC_C_RETRY)
			m->revivable = 1;
	}
}

/* Wait for a message of type want; DISCONNECT or anything else fails. */
static int
ctl_expect(struct hl_memif *m, struct memif_msg *msg, uint16_t want,
	   int64_t deadline)
{
	int rc;

	do {
		rc = ctl_wait(m, deadline);
		if (rc == HL_OK)
			rc = ctl_recv(m, msg);
	} while (rc == HL_E_AGAIN);
	if (rc == HL_E_TIMEOUT)
		hl_memif_set_dead(m, HL_E_TIMEOUT, "no memif message %u from host",
				  want);
	if (rc != HL_OK)
		return m->dead ? m->dead : rc;
	if (msg->type == MEMIF_MSG_TYPE_DISCONNECT) {
		on_disconnect(m, msg, HL_E_REFUSED);
		return m->dead;
	}
	if (msg->type != want) {
		hl_memif_set_dead(m, HL_E_PROTO, "memif message %u, wanted %u",
				  msg->type, want);
		return m->dead;
	}
	return HL_OK;
}

/* Send msg (with fd), wait for its ACK. */
static int
ctl_call(struct hl_memif *m, const struct memif_msg *msg, int fd,
	 int64_t deadline)
{
	struct memif_msg ack;
	int rc = ctl_send(m, msg, fd);

	return rc != HL_OK ? rc : ctl_expect(m, &ack, MEMIF_MSG_TYPE_ACK, deadline);
}

int
hl_memif_ctl_service(struct hl_memif *m)
{
	struct memif_msg msg;
	int rc;

	while (!m->dead && (rc = ctl_recv(m, &msg)) == HL_OK) {
		if (msg.type == MEMIF_MSG_TYPE_DISCONNECT)
			on_disconnect(m, &msg, HL_E_DISCONNECTED);
	}
	return m->dead;
}

static int
check_hello(struct hl_memif *m, const struct memif_msg_hello *h,
	    unsigned int *log2)
{
	if (h->min_version > MEMIF_VERSION || h->max_version < MEMIF_VERSION) {
		hl_memif_set_dead(m, HL_E_VERSION, "host speaks memif %#x..%#x",
				  h->min_version, h->max_version);
		return m->dead;
	}
	if (*log2 > h->max_log2_ring_size)
		*log2 = h->max_log2_ring_size;
	if (*log2 < 1) {
		hl_memif_set_dead(m, HL_E_PROTO, "host allows rings of 2^%u",
				  h->max_log2_ring_size);
		return m->dead;
	}
	return HL_OK;
}

/*
 * Connect before deadline. A blocking connect() to a unix socket whose
 * listen backlog is full waits until the host accepts, for ever if it is
 * wedged; a non-blocking one fails with EAGAIN at once, and poll() does not
 * say when to try again (unix sockets never report connect completion). So
 * it is tried again every CONNECT_RETRY_MS until the deadline.
 */
static int
sock_connect(struct hl_memif *m, const struct sockaddr_un *sa, int64_t deadline)
{
	for (;;) {
		int left;

		if (connect(m->ctl_fd, (const struct sockaddr *)sa,
			    sizeof(*sa)) == 0 || errno == EISCONN)
			return HL_OK;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			hl_memif_set_dead(m, HL_E_IO, "connect %s: %s",
					  sa->sun_path, strerror(errno));
			return m->dead;
		}
		left = hl_ms_left(deadline);
		if (left == 0) {
			hl_memif_set_dead(m, HL_E_TIMEOUT, "connect %s: the host's "
					  "listen backlog stayed full", sa->sun_path);
			return m->dead;
		}
		(void)poll(NULL, 0, left < 0 || left > CONNECT_RETRY_MS ?
			   CONNECT_RETRY_MS : left);
	}
}

/* The control socket: non-blocking, so that no step waits past deadline. */
static int
sock_open(struct hl_memif *m, const char *path, int64_t deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path))
		return HL_E_INVAL;
	strcpy(sa.sun_path, path);
	m->ctl_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
			   SOCK_NONBLOCK, 0);
	if (m->ctl_fd < 0) {
		hl_memif_set_dead(m, HL_E_IO, "socket: %s", strerror(errno));
		return m->dead;
	}
	return sock_connect(m, &sa, deadline);
}

static void
ring_init(struct hl_memif *m, struct hl_memif_q *q, uint16_t flags)
{
	q->ring = (struct memif_ring *)(m->base + q->ring_off);
	q->ring->cookie = MEMIF_COOKIE;
	q->ring->flags = flags;
	q->ring->head = 0;
	q->ring->tail = 0;
	for (uint32_t i = 0; i < m->ring_size; i++) {
		struct memif_desc *d = &q->ring->desc[i];
		d->flags = 0;
		d->region = 0;
		d->length = HL_MEMIF_BUF_SIZE;
		d->offset = q->buf0 + i * HL_MEMIF_BUF_SIZE;
		d->metadata = 0;
	}
}

/* Lay out, create, seal and map the one region; create the eventfds. */
static int
region_create(struct hl_memif *m)
{
	uint64_t rbytes = ALIGN_UP(memif_ring_bytes(m->log2_ring_size), 64);

	m->c2s.ring_off = 0;
	m->s2c.ring_off = (uint32_t)rbytes;
	m->c2s.buf0 = (uint32_t)ALIGN_UP(2 * rbytes, 4096);
	m->s2c.buf0 = m->c2s.buf0 + m->ring_size * HL_MEMIF_BUF_SIZE;
	m->size = m->s2c.buf0 + (uint64_t)m->ring_size * HL_MEMIF_BUF_SIZE;
	m->bulk_off = ALIGN_UP(m->size, 4096);
	m->size = m->bulk_off + m->bulk_len;
	m->memfd = memfd_create("hostlane-memif", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (m->memfd < 0 || ftruncate(m->memfd, (off_t)m->size) < 0 ||
	    fcntl(m->memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		goto err;
	m->base = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       m->memfd, 0);
	if (m->base == MAP_FAILED) {
		m->base = NULL;
		goto err;
	}
	m->c2s.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	m->s2c.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (m->c2s.efd < 0 || m->s2c.efd < 0)
		goto err;
	ring_init(m, &m->c2s, 0);
	ring_init(m, &m->s2c, 0);
	return HL_OK;
err:
	hl_memif_set_dead(m, HL_E_IO, "region setup: %s", strerror(errno));
	return m->dead;
}

static int
send_init(struct hl_memif *m, const struct hl_memif_cfg *cfg, int64_t deadline)
{
	struct memif_msg msg = { .type = MEMIF_MSG_TYPE_INIT };
	const char *name = cfg->name != NULL ? cfg->name : "libhostlane";

	msg.init.version = MEMIF_VERSION;
	msg.init.id = cfg->interface_id;
	msg.init.mode = MEMIF_INTERFACE_MODE_ETHERNET;
	if (cfg->secret != NULL)
		memcpy(msg.init.secret, cfg->secret, strlen(cfg->secret));
	memcpy(msg.init.name, name, strnlen(name, MEMIF_NAME_LEN - 1));
	return ctl_call(m, &msg, -1, deadline);
}

static int
send_region_and_rings(struct hl_memif *m, int64_t deadline)
{
	struct memif_msg msg = { .type = MEMIF_MSG_TYPE_ADD_REGION };
	int rc;

	msg.add_region.index = 0;
	msg.add_region.size = m->size;
	rc = ctl_call(m, &msg, m->memfd, deadline);
	for (int c2s = 1; rc == HL_OK && c2s >= 0; c2s--) {
		struct hl_memif_q *q = c2s ? &m->c2s : &m->s2c;
		memset(&msg, 0, sizeof(msg));
		msg.type = MEMIF_MSG_TYPE_ADD_RING;
		msg.add_ring.flags = c2s ? MEMIF_MSG_ADD_RING_FLAG_C2S : 0;
		msg.add_ring.index = 0;
		msg.add_ring.region = 0;
		msg.add_ring.offset = q->ring_off;
		msg.add_ring.log2_ring_size = (uint8_t)m->log2_ring_size;
		msg.add_ring.private_hdr_size = 0;
		rc = ctl_call(m, &msg, q->efd, deadline);
	}
	return rc;
}

/* The whole handshake, every step before deadline. */
static int
handshake(struct hl_memif *m, const struct hl_memif_cfg *cfg, int64_t deadline)
{
	struct memif_msg msg;
	unsigned int log2 = cfg->log2_ring_size;
	int rc;

	rc = ctl_expect(m, &msg, MEMIF_MSG_TYPE_HELLO, deadline);
	if (rc == HL_OK)
		rc = check_hello(m, &msg.hello, &log2);
	if (rc != HL_OK)
		return rc;
	m->log2_ring_size = log2;
	m->ring_size = 1u << log2;
	m->mask = (uint16_t)(m->ring_size - 1);
	rc = region_create(m);
	if (rc == HL_OK)
		rc = send_init(m, cfg, deadline);
	if (rc == HL_OK)
		rc = send_region_and_rings(m, deadline);
	if (rc != HL_OK)
		return rc;
	memset(&msg, 0, sizeof(msg));
	msg.type = MEMIF_MSG_TYPE_CONNECT;
	memcpy(msg.connect.if_name, "hostlane", 8);
	rc = ctl_send(m, &msg, -1);
	if (rc == HL_OK)
		rc = ctl_expect(m, &msg, MEMIF_MSG_TYPE_CONNECTED, deadline);
	return rc;
}

static int
cfg_check(const struct hl_memif_cfg *cfg)
{
	if (cfg->socket_path == NULL || cfg->log2_ring_size < 1 ||
	    cfg->log2_ring_size > 14 || cfg->wait_mode > HL_WAIT_INTR)
		return HL_E_INVAL;
	if (cfg->secret != NULL && strlen(cfg->secret) > MEMIF_SECRET_LEN)
		return HL_E_INVAL;
	return HL_OK;
}

int
hl_memif_open(const struct hl_memif_cfg *cfg, struct hl_memif **out,
	      char *reason, size_t reason_len, uint32_t *disc_code)
{
	int64_t deadline = hl_deadline(cfg->timeout_ms);
	struct hl_memif *m;
	int rc = cfg_check(cfg);

	*out = NULL;
	if (disc_code != NULL)
		*disc_code = HL_MEMIF_DISC_NONE;
	if (rc != HL_OK)
		return rc;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return HL_E_NOMEM;
	m->ctl_fd = m->memfd = m->c2s.efd = m->s2c.efd = -1;
	m->wait_mode = cfg->wait_mode;
	m->spin_polls = cfg->spin_polls;
	m->bulk_len = ALIGN_UP(cfg->bulk_bytes, 4096);
	rc = sock_open(m, cfg->socket_path, deadline);
	if (rc == HL_OK)
		rc = handshake(m, cfg, deadline);
	if (rc != HL_OK) {
		if (reason != NULL && reason_len > 0)
			snprintf(reason, reason_len, "%s", m->reason);
		if (disc_code != NULL)
			*disc_code = m->disc_code;
		m->dead = HL_E_DISCONNECTED; /* nothing to say DISCONNECT to */
		hl_memif_close(m);
		return rc;
	}
	hl_memif_rings_start(m);
	*out = m;
	return HL_OK;
}

static void
close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

void
hl_memif_close(struct hl_memif *m)
{
	struct memif_msg msg = { .type = MEMIF_MSG_TYPE_DISCONNECT };

	if (m == NULL)
		return;
	if (!m->dead) {
		msg.disconnect.code = 0;
		memcpy(msg.disconnect.string, "client closed", 13);
		(void)ctl_send(m, &msg, -1);
	}
	if (m->base != NULL)
		munmap(m->base, m->size);
	close_fd(m->ctl_fd);
	close_fd(m->memfd);
	close_fd(m->c2s.efd);
	close_fd(m->s2c.efd);
	free(m);
}
