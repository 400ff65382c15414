/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_host cases: the memif control channel. A server that never
 * answers, answers too slowly, with messages of the wrong size, type or
 * order, with file descriptors, or sends the client away: hl_connect()
 * must fail with a clear status and reason within its timeout, leaving
 * nothing open.
 */
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hh.h"

/* ---- clients ------------------------------------------------------------ */

static void
cli_timeout_no_hello(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_SHORT_MS);
	hh_connect_fails(path, &o, HL_E_TIMEOUT, "no memif message 2");
}

static void
cli_timeout_backlog(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_SHORT_MS);
	hh_connect_fails(path, &o, HL_E_TIMEOUT, "backlog");
}

static void
cli_timeout(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_SHORT_MS);
	hh_connect_fails(path, &o, HL_E_TIMEOUT, NULL);
}

/* The handshake as a whole gets the timeout; each step is quick enough. */
static void
cli_timeout_drip(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, 500);
	hh_connect_fails(path, &o, HL_E_TIMEOUT, NULL);
}

static void
cli_proto_size(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_PROTO, "control message of 64 bytes");
}

static void
cli_proto_long(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_PROTO, "longer than 128 bytes");
}

static void
cli_proto_fd(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_PROTO, "file descriptor");
}

static void
cli_proto_order(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_PROTO, "wanted");
}

static void
cli_proto_ring0(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_PROTO, "rings of 2^0");
}

static void
cli_version(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_VERSION, "memif 0x300..0x300");
}

static void
cli_refused(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_REFUSED, "incorrect secret");
}

static void
cli_disconnected(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_DISCONNECTED, "closed");
}

/* Rings of 2 slots (the host's maximum): legal, and calls work. */
static void
cli_tiny_rings(const char *path)
{
	struct hl_opts o;
	struct hl_conn *c;
	struct hl_fn *fn;
	uint64_t r = 0;

	hh_opts(&o, HH_LONG_MS);
	c = hh_connect(path, &o);
	fn = c != NULL ? hh_open(c, "factorial") : NULL;
	for (int i = 0; fn != NULL && i < 20; i++) {
		int rc = hl_fn_call_u64(fn, (uint64_t)i, 1, &r);
		CLI_CHECK(rc == HL_OK && r == hh_factorial((uint64_t)i),
			  "call %d: %s, %llu", i, hl_status_name(rc),
			  (unsigned long long)r);
	}
	hl_disconnect(c);
}

/* ---- servers ------------------------------------------------------------ */

static void
srv_never_accept(struct hh_srv *s)
{
	(void)hh_pause(s, HH_CHILD_MS);
}

static void
srv_silent(struct hh_srv *s)
{
	if (hh_accept(s) == 0)
		(void)hh_pause(s, HH_CHILD_MS);
}

static void
srv_stall_after_region(struct hh_srv *s)
{
	struct memif_msg m;

	if (hh_accept(s) == 0 && hh_hs_hello(s) == 0 && hh_hs_init(s) == 0 &&
	    hh_expect(s, MEMIF_MSG_TYPE_ADD_REGION, NULL) == 0)
		(void)hh_recv(s, &m);	/* until the client gives up */
}

/* Every message 200 ms late: each step well inside the client's 500 ms,
 * the handshake as a whole far outside. Then a host that answers. */
static void
srv_slow_drip(struct hh_srv *s)
{
	s->drip_ms = 200;
	if (hh_handshake(s) == 0)
		(void)hh_serve_all(s);
}

static void
srv_short_hello(struct hh_srv *s)
{
	struct memif_msg m = { .type = MEMIF_MSG_TYPE_HELLO };

	m.hello = s->memif_hello;
	if (hh_accept(s) == 0)
		(void)hh_sendmsg(s, &m, 64, NULL, 0);
	(void)hh_recv(s, &m);
}

/* A HELLO of 200 bytes whose first 128 are right; if the client takes it,
 * the rest of the handshake goes on as normal (and the case fails). */
static void
srv_long_hello(struct hh_srv *s)
{
	uint8_t big[200] = { 0 };
	struct memif_msg m = { .type = MEMIF_MSG_TYPE_HELLO };

	m.hello = s->memif_hello;
	memcpy(big, &m, sizeof(m));
	if (hh_accept(s) != 0 || hh_sendmsg(s, big, sizeof(big), NULL, 0) != 0)
		return;
	if (hh_hs_init(s) == 0 && hh_hs_region(s) == 0 && hh_hs_rings(s) == 0 &&
	    hh_hs_connect(s) == 0)
		(void)hh_serve_all(s);
}

static void
srv_long_ack(struct hh_srv *s)
{
	uint8_t big[129] = { MEMIF_MSG_TYPE_ACK };
	struct memif_msg m;

	if (hh_accept(s) != 0 || hh_hs_hello(s) != 0 ||
	    hh_expect(s, MEMIF_MSG_TYPE_INIT, NULL) != 0 ||
	    hh_sendmsg(s, big, sizeof(big), NULL, 0) != 0)
		return;
	(void)hh_recv(s, &m);
}

/* HELLO, or the ACK of INIT, carrying n fds (memfds or eventfds): a
 * server sends none, so any must be refused, and closed. If the client
 * takes them, the handshake goes on as normal (and the case fails). */
static void
send_with_fds(struct hh_srv *s, uint16_t type, int n, int memfd)
{
	struct memif_msg m = { .type = type };
	int fds[HH_MAX_FDS], ok = 1;

	m.hello = s->memif_hello;
	for (int i = 0; i < n; i++)
		fds[i] = memfd ? memfd_create("hostile-host", MFD_CLOEXEC)
			       : eventfd(0, EFD_CLOEXEC);
	if (type == MEMIF_MSG_TYPE_ACK)
		ok = hh_hs_hello(s) == 0 &&
		     hh_expect(s, MEMIF_MSG_TYPE_INIT, NULL) == 0;
	ok = ok && hh_sendmsg(s, &m, sizeof(m), fds, n) == 0;
	if (ok && type == MEMIF_MSG_TYPE_HELLO)
		ok = hh_hs_init(s) == 0;
	if (ok && hh_hs_region(s) == 0 && hh_hs_rings(s) == 0 &&
	    hh_hs_connect(s) == 0)
		(void)hh_serve_all(s);
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

static void
srv_fd_hello(struct hh_srv *s)
{
	if (hh_accept(s) == 0)
		send_with_fds(s, MEMIF_MSG_TYPE_HELLO, 1, 1);
}

static void
srv_fd_ack(struct hh_srv *s)
{
	if (hh_accept(s) == 0)
		send_with_fds(s, MEMIF_MSG_TYPE_ACK, 1, 0);
}

static void
srv_many_fds(struct hh_srv *s)
{
	if (hh_accept(s) == 0)
		send_with_fds(s, MEMIF_MSG_TYPE_HELLO, HH_MAX_FDS, 0);
}

static void
srv_ack_first(struct hh_srv *s)
{
	struct memif_msg m;

	if (hh_accept(s) == 0 && hh_send(s, MEMIF_MSG_TYPE_ACK) == 0)
		(void)hh_recv(s, &m);
}

static void
srv_connected_early(struct hh_srv *s)
{
	struct memif_msg m;

	if (hh_accept(s) == 0 && hh_hs_hello(s) == 0 &&
	    hh_expect(s, MEMIF_MSG_TYPE_INIT, NULL) == 0 &&
	    hh_send(s, MEMIF_MSG_TYPE_CONNECTED) == 0)
		(void)hh_recv(s, &m);
}

static void
srv_ring0(struct hh_srv *s)
{
	struct memif_msg m;

	s->memif_hello.max_log2_ring_size = 0;
	if (hh_accept(s) == 0 && hh_hs_hello(s) == 0)
		(void)hh_recv(s, &m);
}

static void
srv_version(struct hh_srv *s)
{
	struct memif_msg m;

	s->memif_hello.min_version = s->memif_hello.max_version = 0x300;
	if (hh_accept(s) == 0 && hh_hs_hello(s) == 0)
		(void)hh_recv(s, &m);
}

static void
srv_refuse(struct hh_srv *s)
{
	struct memif_msg m;

	if (hh_accept(s) == 0 && hh_hs_hello(s) == 0 &&
	    hh_expect(s, MEMIF_MSG_TYPE_INIT, NULL) == 0 &&
	    hh_send_disconnect(s, HL_MEMIF_DISC_SECRET, "incorrect secret") == 0)
		(void)hh_recv(s, &m);
}

static void
srv_eof_mid(struct hh_srv *s)
{
	if (hh_accept(s) == 0 && hh_hs_hello(s) == 0)
		(void)hh_expect(s, MEMIF_MSG_TYPE_INIT, NULL);
	hh_conn_close(s);
}

static void
srv_empty_msg(struct hh_srv *s)
{
	struct memif_msg m;

	if (hh_accept(s) == 0 && hh_sendmsg(s, &m, 0, NULL, 0) == 0)
		(void)hh_recv(s, &m);
}

static void
srv_tiny_rings(struct hh_srv *s)
{
	s->memif_hello.max_log2_ring_size = 1;
	if (hh_handshake(s) == 0)
		(void)hh_serve_all(s);
}

const struct hh_case hh_ctl_cases[] = {
	{ "ctl-never-accept", "pending in the backlog: HL_E_TIMEOUT",
	  srv_never_accept, cli_timeout_no_hello, 0 },
	{ "ctl-backlog-full", "connect() bounded by the timeout: HL_E_TIMEOUT",
	  srv_never_accept, cli_timeout_backlog, 1 },
	{ "ctl-silent", "accepted, no HELLO: HL_E_TIMEOUT",
	  srv_silent, cli_timeout_no_hello, 0 },
	{ "ctl-stall", "no ACK to ADD_REGION: HL_E_TIMEOUT",
	  srv_stall_after_region, cli_timeout, 0 },
	{ "ctl-slow-drip", "each step in time, all of it late: HL_E_TIMEOUT",
	  srv_slow_drip, cli_timeout_drip, 0 },
	{ "ctl-short-msg", "64-byte HELLO: HL_E_PROTO",
	  srv_short_hello, cli_proto_size, 0 },
	{ "ctl-long-msg", "200-byte HELLO: HL_E_PROTO, not truncated",
	  srv_long_hello, cli_proto_long, 0 },
	{ "ctl-long-ack", "129-byte ACK: HL_E_PROTO",
	  srv_long_ack, cli_proto_long, 0 },
	{ "ctl-fd-hello", "a memfd with HELLO: HL_E_PROTO, fd closed",
	  srv_fd_hello, cli_proto_fd, 0 },
	{ "ctl-fd-ack", "an eventfd with ACK: HL_E_PROTO, fd closed",
	  srv_fd_ack, cli_proto_fd, 0 },
	{ "ctl-many-fds", "16 fds with HELLO: HL_E_PROTO, all closed",
	  srv_many_fds, cli_proto_fd, 0 },
	{ "ctl-ack-first", "ACK instead of HELLO: HL_E_PROTO",
	  srv_ack_first, cli_proto_order, 0 },
	{ "ctl-connected-early", "CONNECTED for INIT: HL_E_PROTO",
	  srv_connected_early, cli_proto_order, 0 },
	{ "ctl-ring-size-0", "rings of 2^0 at most: HL_E_PROTO",
	  srv_ring0, cli_proto_ring0, 0 },
	{ "ctl-version", "memif 3.0 only: HL_E_VERSION",
	  srv_version, cli_version, 0 },
	{ "ctl-refused", "DISCONNECT after INIT: HL_E_REFUSED + reason",
	  srv_refuse, cli_refused, 0 },
	{ "ctl-eof", "socket closed after INIT: HL_E_DISCONNECTED",
	  srv_eof_mid, cli_disconnected, 0 },
	{ "ctl-empty-msg", "0-byte datagram (reads as EOF): HL_E_DISCONNECTED",
	  srv_empty_msg, cli_disconnected, 0 },
	{ "ctl-tiny-rings", "rings of 2 slots (legal): calls work",
	  srv_tiny_rings, cli_tiny_rings, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};
