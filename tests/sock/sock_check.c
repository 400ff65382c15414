/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_check: a guest of the real hostlane that drives every socket call
 * (proto.h, "Sockets") through libhostlane's private request path
 * (guestlib/hl_conn.h), against native peers on 127.0.0.1 / ::1 in the
 * same process. Usage: sock_check RUNDIR PHASE [GUEST]; tests/sock/lib.sh
 * has the config the phases assume (guests sa, sb, sc, sd, sn and their
 * policies); GUEST names the tcp phase's guest (default sa).
 * Every check prints a FAIL line; the exit status is 1 if any failed.
 * No check depends on time: waits are bounded and their outcome, not their
 * length, is asserted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hl_conn.h"

static int failures;
static const char *rundir;
static const char *tcp_guest = "sa";	/* the tcp phase's guest (argv[3]) */

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL [%s:%d]: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			failures++;                                          \
		}                                                            \
	} while (0)
/* A call's result (reply arg0 as int64) is want. */
#define EXPECT_RES(got, want, what)                                          \
	CHECK((got) == (want), "%s: got %" PRId64 " (%s), want %" PRId64,     \
	      what, (int64_t)(got), (got) < 0 ? strerror((int)-(got)) : "-",  \
	      (int64_t)(want))

/* ---- the socket calls, raw --------------------------------------------- */

struct call {
	uint16_t op;
	uint32_t sock;
	uint64_t arg0;
	uint64_t arg1;
	const void *in;
	uint32_t in_len;
	void *out;
	uint32_t out_cap;
};

/* One call; its status (HL_*), and res filled. */
static int
call(struct hl_conn *c, const struct call *k, struct hl_result *res)
{
	struct hl_req r = { .opcode = k->op, .session = k->sock, .arg0 = k->arg0,
			    .arg1 = k->arg1, .in = k->in, .in_len = k->in_len,
			    .out = k->out, .out_cap = k->out_cap };

	return hl_conn_call(c, &r, res);
}

/* A well-formed call's result: reply arg0 as int64 (a status failure is a
 * FAIL and -10000). */
static int64_t
sc(struct hl_conn *c, uint16_t op, uint32_t sock, uint64_t arg0, uint64_t arg1,
   const void *in, uint32_t in_len, void *out, uint32_t out_cap, struct hl_result *res)
{
	struct call k = { op, sock, arg0, arg1, in, in_len, out, out_cap };
	struct hl_result scratch;
	struct hl_result *r = res != NULL ? res : &scratch;
	int st = call(c, &k, r);

	if (st != HL_OK) {
		CHECK(0, "op 0x%x on %#x: status %s", op, sock, hl_status_name(st));
		return -10000;
	}
	return (int64_t)r->arg0;
}

static struct hl_sockaddr
addr4(const char *ip, uint16_t port)
{
	struct hl_sockaddr a = { .len = 16 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	memcpy(a.sa, &sin, sizeof(sin));
	return a;
}

static struct hl_sockaddr
addr6(const char *ip, uint16_t port)
{
	struct hl_sockaddr a = { .len = 28 };
	struct sockaddr_in6 sin = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	inet_pton(AF_INET6, ip, &sin.sin6_addr);
	memcpy(a.sa, &sin, sizeof(sin));
	return a;
}

static uint16_t
hl_port(const struct hl_sockaddr *a)
{
	uint16_t p;

	memcpy(&p, a->sa + 2, 2);
	return ntohs(p);
}

static int64_t
s_socket(struct hl_conn *c, unsigned int dom, unsigned int type)
{
	return sc(c, HL_OP_SOCK_SOCKET, 0, dom, type, NULL, 0, NULL, 0, NULL);
}

static int64_t
s_addr(struct hl_conn *c, uint16_t op, uint32_t s, const struct hl_sockaddr *a,
       uint32_t wait)
{
	return sc(c, op, s, HL_SOCK_WAIT(wait), 0, a, sizeof(*a), NULL, 0, NULL);
}

static int64_t
s_plain(struct hl_conn *c, uint16_t op, uint32_t s, uint64_t arg0)
{
	return sc(c, op, s, arg0, 0, NULL, 0, NULL, 0, NULL);
}

static int64_t
s_send(struct hl_conn *c, uint32_t s, const void *buf, uint32_t len, uint32_t wait)
{
	return sc(c, HL_OP_SOCK_SEND, s, HL_SOCK_WAIT(wait), 0, buf, len, NULL, 0, NULL);
}

static int64_t
s_sendto(struct hl_conn *c, uint32_t s, const struct hl_sockaddr *to, const void *buf,
	 uint32_t len)
{
	uint8_t frame[HL_PAYLOAD_MAX];

	memcpy(frame, to, sizeof(*to));
	memcpy(frame + sizeof(*to), buf, len);
	return sc(c, HL_OP_SOCK_SEND, s, 0, HL_SOCK_A_ADDR, frame,
		  (uint32_t)sizeof(*to) + len, NULL, 0, NULL);
}

/* RECV: bytes into buf (at most want); from: the source when asked. */
static int64_t
s_recv(struct hl_conn *c, uint32_t s, void *buf, uint32_t want, uint32_t wait,
       uint32_t flags, struct hl_sockaddr *from)
{
	uint8_t out[HL_PAYLOAD_MAX];
	struct hl_result res;
	uint64_t a1 = want | (from != NULL ? HL_SOCK_A_ADDR : 0);
	int64_t n = sc(c, HL_OP_SOCK_RECV, s, HL_SOCK_WAIT(wait) | flags, a1, NULL, 0,
		       out, sizeof(out), &res);
	uint32_t skip = from != NULL ? sizeof(*from) : 0;

	CHECK(res.arg1 == skip, "RECV arg1 %" PRIu64 ", want %u", res.arg1, skip);
	if (from != NULL)
		memcpy(from, out, sizeof(*from));
	if (n > 0) {
		/* MSG_TRUNC: n is the datagram's length, at most want came. */
		uint32_t kept = (uint64_t)n < want ? (uint32_t)n : want;

		CHECK(res.out_len == skip + kept, "RECV payload %u for %" PRId64
		      " bytes", res.out_len, n);
		memcpy(buf, out + skip, kept);
	}
	return n;
}

static int64_t
s_accept(struct hl_conn *c, uint32_t s, uint32_t wait, struct hl_sockaddr *peer)
{
	struct hl_result res;
	int64_t id = sc(c, HL_OP_SOCK_ACCEPT, s, HL_SOCK_WAIT(wait), 0, NULL, 0, peer,
			sizeof(*peer), &res);

	if (id > 0)
		CHECK(res.out_len == sizeof(*peer), "ACCEPT payload %u", res.out_len);
	return id;
}

static int64_t
s_getname(struct hl_conn *c, uint32_t s, unsigned int which, struct hl_sockaddr *a)
{
	return sc(c, HL_OP_SOCK_GETNAME, s, which, 0, NULL, 0, a, sizeof(*a), NULL);
}

/* ---- native peers --------------------------------------------------------- */

static void
fill(uint8_t *buf, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
}

static uint64_t
fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* A native socket bound to ip:port (0: any), listening when stream. */
static int
native(int family, int type, const char *ip, uint16_t port, int listening)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int one = 1, fd = socket(family, type, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		inet_pton(AF_INET, ip, &s->sin_addr);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &s->sin6_addr);
		len = sizeof(*s);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (listening && listen(fd, 16) < 0)) {
		CHECK(0, "native bind/listen %s:%u: %s", ip, port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
native_connect(int family, const char *ip, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd = socket(family, SOCK_STREAM, 0);

	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		inet_pton(AF_INET, ip, &s->sin_addr);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &s->sin6_addr);
		len = sizeof(*s);
	}
	if (fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int
read_all(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = read(fd, p, n);

		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* ---- connections ---------------------------------------------------------- */

static struct hl_conn *
guest(const char *name)
{
	char path[512], secret[64];
	struct hl_opts o;
	struct hl_conn *c;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.sock", rundir, name);
	snprintf(secret, sizeof(secret), "%s-secret", name);
	hl_opts_init(&o);
	o.name = "sock_check";
	o.reconnect = HL_RECONNECT_NEVER;
	o.timeout_ms = 10000;
	rc = hl_connect(path, secret, &o, &c);
	if (rc != HL_OK) {
		fprintf(stderr, "FAIL: connect to %s: %s (%s)\n", path, hl_status_name(rc),
			hl_connect_reason());
		exit(1);
	}
	return c;
}

/* ---- TCP echo, both ways ----------------------------------------------------- */

#define ECHO_BYTES (200u * 1024u)

struct peer_job {
	int family;
	const char *ip;
	uint16_t port;
	int ok;
};

/* A native client: connect, send ECHO_BYTES, read them back, compare. */
static void *
echo_client(void *arg)
{
	struct peer_job *j = arg;
	static uint8_t tx[ECHO_BYTES], rx[ECHO_BYTES];
	int fd = native_connect(j->family, j->ip, j->port);

	fill(tx, sizeof(tx), 7);
	j->ok = fd >= 0 && write_all(fd, tx, sizeof(tx)) == 0 &&
		read_all(fd, rx, sizeof(rx)) == 0 && memcmp(tx, rx, sizeof(rx)) == 0;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* The guest's side of an echo: receive and send back until EOF. */
static uint64_t
guest_echo(struct hl_conn *c, uint32_t s)
{
	uint8_t buf[HL_SOCK_DATA_MAX];
	uint64_t total = 0;

	for (;;) {
		int64_t n = s_recv(c, s, buf, sizeof(buf), 5000, 0, NULL);

		if (n <= 0) {
			EXPECT_RES(n, 0, "echo RECV ends with EOF");
			return total;
		}
		EXPECT_RES(s_send(c, s, buf, (uint32_t)n, 5000), n, "echo SEND, all of it");
		total += (uint64_t)n;
	}
}

static void
echo_listen(struct hl_conn *c, int family, const char *ip, uint16_t port)
{
	struct peer_job j = { family, ip, port, 0 };
	struct hl_sockaddr a = family == AF_INET ? addr4(ip, port) : addr6(ip, port);
	struct hl_sockaddr peer, name;
	int64_t ls = s_socket(c, family, HL_SOCK_STREAM), cs;
	pthread_t t;

	CHECK(ls > 0, "SOCKET: %" PRId64, ls);
	EXPECT_RES(s_addr(c, HL_OP_SOCK_BIND, (uint32_t)ls, &a, 0), 0, "BIND");
	EXPECT_RES(s_plain(c, HL_OP_SOCK_LISTEN, (uint32_t)ls, 8), 0, "LISTEN");
	EXPECT_RES(s_getname(c, (uint32_t)ls, HL_SOCK_NAME_LOCAL, &name), 0, "GETNAME");
	CHECK(hl_port(&name) == port, "GETNAME port %u, want %u", hl_port(&name), port);
	pthread_create(&t, NULL, echo_client, &j);
	cs = s_accept(c, (uint32_t)ls, 5000, &peer);
	CHECK(cs > 0, "ACCEPT: %" PRId64, cs);
	CHECK(peer.len == (family == AF_INET ? 16 : 28), "ACCEPT peer len %u", peer.len);
	if (cs > 0) {
		CHECK(guest_echo(c, (uint32_t)cs) == ECHO_BYTES, "echo: not every byte");
		EXPECT_RES(s_plain(c, HL_OP_SOCK_CLOSE, (uint32_t)cs, 0), 0, "CLOSE");
	}
	pthread_join(t, NULL);
	CHECK(j.ok, "native client: its bytes did not come back intact");
	EXPECT_RES(s_plain(c, HL_OP_SOCK_CLOSE, (uint32_t)ls, 0), 0, "CLOSE listener");
}

/* A native echo server for one connection. */
static void *
echo_server(void *arg)
{
	struct peer_job *j = arg;
	int ls = native(j->family, SOCK_STREAM, j->ip, j->port, 1);
	uint8_t buf[65536];
	int fd;
	ssize_t n;

	j->ok = ls >= 0;
	if (ls < 0)
		return NULL;
	fd = accept(ls, NULL, NULL);
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (write_all(fd, buf, (size_t)n) < 0)
			break;
	if (fd >= 0)
		close(fd);
	close(ls);
	return NULL;
}

static void
echo_connect(struct hl_conn *c, int family, const char *ip, uint16_t port)
{
	struct peer_job j = { family, ip, port, 0 };
	struct hl_sockaddr a = family == AF_INET ? addr4(ip, port) : addr6(ip, port);
	static uint8_t tx[ECHO_BYTES], rx[ECHO_BYTES];
	struct hl_sockaddr peer;
	uint32_t got = 0;
	int64_t s = s_socket(c, family, HL_SOCK_STREAM), rc = -1;
	pthread_t t;

	fill(tx, sizeof(tx), 11);
	pthread_create(&t, NULL, echo_server, &j);
	/* The server listens soon; a refused attempt is tried again. */
	for (int i = 0; i < 100 && rc != 0; i++) {
		rc = s_addr(c, HL_OP_SOCK_CONNECT, (uint32_t)s, &a, 5000);
		if (rc == -ECONNREFUSED) {
			s_plain(c, HL_OP_SOCK_CLOSE, (uint32_t)s, 0);
			s = s_socket(c, family, HL_SOCK_STREAM);
			usleep(20000);
		}
	}
	EXPECT_RES(rc, 0, "CONNECT with a wait");
	EXPECT_RES(s_getname(c, (uint32_t)s, HL_SOCK_NAME_PEER, &peer), 0, "GETNAME peer");
	CHECK(hl_port(&peer) == port, "peer port %u, want %u", hl_port(&peer), port);
	for (uint32_t off = 0; off < sizeof(tx); off += HL_SOCK_DATA_MAX) {
		uint32_t n = HL_SOCK_DATA_MAX < sizeof(tx) - off ? HL_SOCK_DATA_MAX : (uint32_t)sizeof(tx) - off;
		uint8_t buf[HL_SOCK_DATA_MAX];

		EXPECT_RES(s_send(c, (uint32_t)s, tx + off, n, 5000), n, "SEND");
		while (got < off + n) {
			int64_t k = s_recv(c, (uint32_t)s, buf, sizeof(buf), 5000, 0, NULL);

			if (k <= 0) {
				EXPECT_RES(k, 1, "RECV echo");
				break;
			}
			memcpy(rx + got, buf, (size_t)k);
			got += (uint32_t)k;
		}
	}
	CHECK(got == sizeof(rx) && memcmp(tx, rx, sizeof(rx)) == 0, "echo from the server");
	EXPECT_RES(s_plain(c, HL_OP_SOCK_SHUTDOWN, (uint32_t)s, SHUT_WR), 0, "SHUTDOWN");
	EXPECT_RES(s_recv(c, (uint32_t)s, rx, 16, 5000, 0, NULL), 0, "EOF after SHUTDOWN");
	EXPECT_RES(s_plain(c, HL_OP_SOCK_CLOSE, (uint32_t)s, 0), 0, "CLOSE");
	pthread_join(t, NULL);
}

static void
phase_tcp(void)
{
	struct hl_conn *c = guest(tcp_guest);

	echo_listen(c, AF_INET, "127.0.0.1", 40001);
	echo_listen(c, AF_INET6, "::1", 40002);
	echo_connect(c, AF_INET, "127.0.0.1", 40101);
	echo_connect(c, AF_INET6, "::1", 40102);
	hl_disconnect(c);
}

/* ---- UDP -------------------------------------------------------------------- */

static void
phase_udp(void)
{
	struct hl_conn *c = guest("sa");
	struct hl_sockaddr me = addr4("127.0.0.1", 40003), from;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(40003) };
	int n = native(AF_INET, SOCK_DGRAM, "127.0.0.1", 40150, 0);
	int64_t s = s_socket(c, AF_INET, HL_SOCK_DGRAM);
	uint8_t buf[256], back[256];

	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	EXPECT_RES(s_addr(c, HL_OP_SOCK_BIND, (uint32_t)s, &me, 0), 0, "BIND udp");
	fill(buf, sizeof(buf), 3);
	CHECK(sendto(n, buf, 100, 0, (struct sockaddr *)&to, sizeof(to)) == 100, "native sendto");
	EXPECT_RES(s_recv(c, (uint32_t)s, back, sizeof(back), 5000, 0, &from), 100,
		   "RECV datagram with its source");
	CHECK(memcmp(buf, back, 100) == 0, "datagram bytes");
	CHECK(hl_port(&from) == 40150, "source port %u", hl_port(&from));
	EXPECT_RES(s_sendto(c, (uint32_t)s, &from, buf + 100, 60), 60, "SEND to its source");
	CHECK(recv(n, back, sizeof(back), 0) == 60 && memcmp(back, buf + 100, 60) == 0,
	      "native got the reply");
	/* MSG_TRUNC: the real length of a datagram larger than asked. */
	CHECK(sendto(n, buf, 200, 0, (struct sockaddr *)&to, sizeof(to)) == 200, "sendto");
	EXPECT_RES(s_recv(c, (uint32_t)s, back, 50, 5000, HL_SOCK_MSG_TRUNC, NULL), 200,
		   "RECV MSG_TRUNC");
	close(n);
	EXPECT_RES(s_plain(c, HL_OP_SOCK_CLOSE, (uint32_t)s, 0), 0, "CLOSE");
	hl_disconnect(c);
}

/* ---- waits, EVENTS ------------------------------------------------------------ */

static void
phase_wait(void)
{
	struct hl_conn *c = guest("sa");
	struct hl_sockaddr a = addr4("127.0.0.1", 40004), refused = addr4("127.0.0.1", 40199);
	struct hl_sockaddr peer;
	int64_t s = s_socket(c, AF_INET, HL_SOCK_STREAM), u = s_socket(c, AF_INET, HL_SOCK_DGRAM);
	int64_t k = s_socket(c, AF_INET, HL_SOCK_STREAM);
	uint8_t buf[16];

	EXPECT_RES(s_addr(c, HL_OP_SOCK_BIND, (uint32_t)s, &a, 0), 0, "BIND");
	EXPECT_RES(s_plain(c, HL_OP_SOCK_LISTEN, (uint32_t)s, 4), 0, "LISTEN");
	EXPECT_RES(s_accept(c, (uint32_t)s, 0, &peer), -EAGAIN, "ACCEPT, no wait");
	EXPECT_RES(s_accept(c, (uint32_t)s, 200, &peer), -EAGAIN, "ACCEPT, wait passes");
	EXPECT_RES(s_recv(c, (uint32_t)u, buf, sizeof(buf), 0, 0, NULL), -EAGAIN,
		   "RECV, no wait");
	EXPECT_RES(s_recv(c, (uint32_t)u, buf, sizeof(buf), 200, 0, NULL), -EAGAIN,
		   "RECV, wait passes");
	EXPECT_RES(s_addr(c, HL_OP_SOCK_CONNECT, (uint32_t)k, &refused, 5000), -ECONNREFUSED,
		   "CONNECT to nobody");
	hl_disconnect(c);
}

static void
phase_events(void)
{
	struct hl_conn *c = guest("sa");
	struct hl_sockaddr a = addr4("127.0.0.1", 40005);
	struct hl_sock_event evs[HL_SOCK_EVENTS_MAX];
	struct hl_completion comp;
	struct hl_result res;
	int64_t s = s_socket(c, AF_INET, HL_SOCK_STREAM), n;
	struct hl_req ev = { .opcode = HL_OP_SOCK_EVENTS, .arg0 = HL_SOCK_WAIT(5000),
			     .out = evs, .out_cap = sizeof(evs) };
	int fd, got = 0;

	EXPECT_RES(s_addr(c, HL_OP_SOCK_BIND, (uint32_t)s, &a, 0), 0, "BIND");
	EXPECT_RES(s_plain(c, HL_OP_SOCK_LISTEN, (uint32_t)s, 4), 0, "LISTEN");
	/* Whatever changed so far, reported now; then nothing is new. */
	n = sc(c, HL_OP_SOCK_EVENTS, 0, 0, 0, NULL, 0, evs, sizeof(evs), &res);
	CHECK(n >= 0 && res.out_len == (uint32_t)n * sizeof(evs[0]), "EVENTS now: %" PRId64, n);
	EXPECT_RES(sc(c, HL_OP_SOCK_EVENTS, 0, 0, 0, NULL, 0, evs, sizeof(evs), NULL), 0,
		   "EVENTS again: nothing new");
	CHECK(hl_conn_submit(c, &ev, 1) == HL_OK, "EVENTS held");
	EXPECT_RES(sc(c, HL_OP_SOCK_EVENTS, 0, HL_SOCK_WAIT(1000), 0, NULL, 0, evs,
		      sizeof(evs), NULL), -EBUSY, "a second EVENTS");
	fd = native_connect(AF_INET, "127.0.0.1", 40005);
	CHECK(fd >= 0, "native connect");
	for (int i = 0; i < 100 && got == 0; i++)
		got = hl_poll(c, &comp, 1, 100);
	CHECK(got == 1 && comp.status == HL_OK && comp.result >= 1,
	      "EVENTS answered: %d, status %d, %" PRIu64 " events", got, comp.status,
	      comp.result);
	CHECK(got == 1 && evs[0].sock == (uint32_t)s && (evs[0].events & HL_SOCK_EV_IN),
	      "the listener readable: sock %#x events %#x", evs[0].sock, evs[0].events);
	close(fd);
	hl_disconnect(c);
}

/* ---- bulk -------------------------------------------------------------------- */

#define BULK_BYTES (1u << 20)

struct bulk_job {
	int ls;
	int send;		/* the native side sends */
	uint64_t sum;
	size_t got;
};

static void *
bulk_peer(void *arg)
{
	struct bulk_job *j = arg;
	uint8_t *buf = malloc(BULK_BYTES);
	int fd = accept(j->ls, NULL, NULL);

	if (buf != NULL && fd >= 0) {
		if (j->send) {
			fill(buf, BULK_BYTES, 99);
			j->sum = fnv(buf, BULK_BYTES);
			j->got = write_all(fd, buf, BULK_BYTES) == 0 ? BULK_BYTES : 0;
		} else {
			j->got = read_all(fd, buf, BULK_BYTES) == 0 ? BULK_BYTES : 0;
			j->sum = fnv(buf, BULK_BYTES);
		}
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int64_t
s_bulk(struct hl_conn *c, uint16_t op, uint32_t s, uint64_t off, uint32_t len,
       uint32_t wait, uint32_t flags)
{
	struct hl_sock_bulk b = { .region = c->bulk.area.region, .len = len,
				  .off = c->bulk.area.off + off };

	return sc(c, op, s, HL_SOCK_WAIT(wait) | flags, 0, &b, sizeof(b), NULL, 0, NULL);
}

static void
phase_bulk(void)
{
	struct hl_conn *c = guest("sa");
	struct hl_sockaddr a = addr4("127.0.0.1", 40110);
	struct bulk_job j = { .ls = native(AF_INET, SOCK_STREAM, "127.0.0.1", 40110, 1) };
	uint8_t *mem = c->bulk.area.base;
	int64_t s = s_socket(c, AF_INET, HL_SOCK_STREAM);
	pthread_t t;

	if (mem == NULL || c->bulk.area.len < BULK_BYTES) {
		CHECK(0, "no bulk area of 1 MiB (%" PRIu64 ")", c->bulk.area.len);
		return;
	}
	/* Guest → native: one SEND_BULK of 1 MiB, with a wait: all of it. */
	pthread_create(&t, NULL, bulk_peer, &j);
	EXPECT_RES(s_addr(c, HL_OP_SOCK_CONNECT, (uint32_t)s, &a, 5000), 0, "CONNECT");
	fill(mem, BULK_BYTES, 99);
	EXPECT_RES(s_bulk(c, HL_OP_SOCK_SEND_BULK, (uint32_t)s, 0, BULK_BYTES, 10000, 0),
		   BULK_BYTES, "SEND_BULK 1 MiB");
	EXPECT_RES(s_plain(c, HL_OP_SOCK_CLOSE, (uint32_t)s, 0), 0, "CLOSE");
	pthread_join(t, NULL);
	CHECK(j.got == BULK_BYTES && j.sum == fnv(mem, BULK_BYTES), "native got 1 MiB intact");
	/* Native → guest: RECV_BULK with MSG_WAITALL fills the whole range. */
	j.send = 1;
	j.got = 0;
	pthread_create(&t, NULL, bulk_peer, &j);
	s = s_socket(c, AF_INET, HL_SOCK_STREAM);
	EXPECT_RES(s_addr(c, HL_OP_SOCK_CONNECT, (uint32_t)s, &a, 5000), 0, "CONNECT");
	memset(mem, 0, BULK_BYTES);
	EXPECT_RES(s_bulk(c, HL_OP_SOCK_RECV_BULK, (uint32_t)s, 0, BULK_BYTES, 10000,
			  HL_SOCK_MSG_WAITALL), BULK_BYTES, "RECV_BULK 1 MiB");
	pthread_join(t, NULL);
	CHECK(j.got == BULK_BYTES && j.sum == fnv(mem, BULK_BYTES), "guest got 1 MiB intact");
	/* A range past the region: refused, nothing done. */
	{
		struct hl_sock_bulk b = { .region = c->bulk.area.region, .len = 4096,
					  .off = UINT64_MAX - 100 };
		struct call k = { HL_OP_SOCK_RECV_BULK, (uint32_t)s, 0, 0, &b, sizeof(b), NULL, 0 };
		struct hl_result res;

		CHECK(call(c, &k, &res) == HL_E_BAD_REQUEST, "bulk range past the region");
		b.off = 0;
		b.region = 200;
		CHECK(call(c, &k, &res) == HL_E_BAD_REQUEST, "bulk region that is not");
	}
	close(j.ls);
	hl_disconnect(c);
}

/* ---- policy, translation, limits ------------------------------------------------ */

static void
phase_policy(void)
{
	struct hl_conn *c = guest("sa"), *n = guest("sn"), *b = guest("sb");
	struct hl_sockaddr bad_port = addr4("127.0.0.1", 22), ok = addr4("127.0.0.1", 40006);
	struct hl_sockaddr far = addr4("10.1.2.3", 40001), mine = addr4("127.0.0.1", 40300);
	int64_t s = s_socket(c, AF_INET, HL_SOCK_STREAM), u = s_socket(c, AF_INET, HL_SOCK_DGRAM);
	uint8_t x = 1;

	EXPECT_RES(s_addr(c, HL_OP_SOCK_BIND, (uint32_t)s, &bad_port, 0), -EACCES,
		   "BIND a port the policy does not grant");
	EXPECT_RES(s_addr(c, HL_OP_SOCK_CONNECT, (uint32_t)s, &bad_port, 1000), -EACCES,
		   "CONNECT to a port the policy does not grant");
	EXPECT_RES(s_addr(c, HL_OP_SOCK_CONNECT, (uint32_t)s, &far, 1000), -EACCES,
		   "CONNECT to a network the policy does not grant");
	EXPECT_RES(s_sendto(c, (uint32_t)u, &far, &x, 1), -EACCES, "sendto forbidden");
	EXPECT_RES(s_addr(c, HL_OP_SOCK_BIND, (uint32_t)s, &ok, 0), 0, "BIND granted");
	EXPECT_RES(s_socket(n, AF_INET, HL_SOCK_STREAM), -EACCES, "sockets = no");
	EXPECT_RES(s_socket(b, AF_INET6, HL_SOCK_STREAM), -EACCES, "family not granted");
	EXPECT_RES(s_socket(b, 1, HL_SOCK_STREAM), -EAFNOSUPPORT, "AF_UNIX");
	/* sb translates: guest port 40300 is host port 41000. */
	{
		int64_t l = s_socket(b, AF_INET, HL_SOCK_STREAM), cs;
		struct hl_sockaddr name, peer;
		int fd;

		EXPECT_RES(s_addr(b, HL_OP_SOCK_BIND, (uint32_t)l, &mine, 0), 0, "BIND sb");
		EXPECT_RES(s_plain(b, HL_OP_SOCK_LISTEN, (uint32_t)l, 4), 0, "LISTEN sb");
		EXPECT_RES(s_getname(b, (uint32_t)l, HL_SOCK_NAME_LOCAL, &name), 0, "GETNAME");
		CHECK(hl_port(&name) == 40300, "guest view %u, want 40300", hl_port(&name));
		fd = native_connect(AF_INET, "127.0.0.1", 41000);
		CHECK(fd >= 0, "host port 41000 is behind guest port 40300");
		cs = s_accept(b, (uint32_t)l, 5000, &peer);
		CHECK(cs > 0, "ACCEPT sb");
		EXPECT_RES(s_getname(b, (uint32_t)cs, HL_SOCK_NAME_LOCAL, &name), 0, "GETNAME");
		CHECK(hl_port(&name) == 40300, "accepted: guest view %u", hl_port(&name));
		if (fd >= 0)
			close(fd);
		/* Its own translated port, by its guest view. */
		int64_t k = s_socket(b, AF_INET, HL_SOCK_STREAM);

		EXPECT_RES(s_addr(b, HL_OP_SOCK_CONNECT, (uint32_t)k, &mine, 5000), 0,
			   "CONNECT to its own guest port");
		EXPECT_RES(s_getname(b, (uint32_t)k, HL_SOCK_NAME_PEER, &peer), 0, "GETNAME");
		CHECK(hl_port(&peer) == 40300, "peer guest view %u", hl_port(&peer));
		EXPECT_RES(s_addr(b, HL_OP_SOCK_BIND, (uint32_t)s_socket(b, AF_INET,
			   HL_SOCK_STREAM), &mine, 0), -EADDRINUSE, "guest port taken");
	}
	hl_disconnect(c);
	hl_disconnect(n);
	hl_disconnect(b);
}

static void
phase_limits(void)
{
	struct hl_conn *c = guest("sc");
	int64_t ids[4];

	for (int i = 0; i < 4; i++) {
		ids[i] = s_socket(c, AF_INET, HL_SOCK_DGRAM);
		CHECK(ids[i] > 0, "socket %d of max_sockets 4: %" PRId64, i, ids[i]);
	}
	EXPECT_RES(s_socket(c, AF_INET, HL_SOCK_DGRAM), -EMFILE, "max_sockets reached");
	EXPECT_RES(s_plain(c, HL_OP_SOCK_CLOSE, (uint32_t)ids[1], 0), 0, "CLOSE");
	int64_t again = s_socket(c, AF_INET, HL_SOCK_DGRAM);

	CHECK(again > 0 && again != ids[1], "a new id for a reused slot: %" PRId64, again);
	EXPECT_RES(s_plain(c, HL_OP_SOCK_CLOSE, (uint32_t)ids[1], 0), -EBADF,
		   "a stale id (old generation)");
	hl_disconnect(c);
}

/* ---- hostile requests ------------------------------------------------------- */

/* A malformed request: its status, and arg0 = -EINVAL. */
static void
expect_malformed(struct hl_conn *c, const struct call *k, int want, const char *what)
{
	struct hl_result res;
	int st = call(c, k, &res);

	CHECK(st == want, "%s: status %s, want %s", what, hl_status_name(st),
	      hl_status_name(want));
	CHECK((int64_t)res.arg0 == -EINVAL, "%s: arg0 %" PRId64 ", want -EINVAL", what,
	      (int64_t)res.arg0);
}

static void
phase_hostile(void)
{
	struct hl_conn *c = guest("sa"), *b = guest("sb");
	struct hl_sockaddr a = addr4("127.0.0.1", 40007), far = addr4("127.0.0.1", 22);
	int64_t s = s_socket(c, AF_INET, HL_SOCK_STREAM), u = s_socket(c, AF_INET, HL_SOCK_DGRAM);
	uint8_t junk[128] = { 0 }, one = 1;
	int refused = 0;

	EXPECT_RES(s_plain(c, HL_OP_SOCK_LISTEN, 0x12345, 1), -EBADF, "an unknown id");
	EXPECT_RES(s_plain(b, HL_OP_SOCK_LISTEN, (uint32_t)s + 7, 1), -EBADF,
		   "an id sb never had");
	{
		struct call k = { HL_OP_SOCK_BIND, (uint32_t)s, 0, 0, &a, sizeof(a) - 1, NULL, 0 };

		expect_malformed(c, &k, HL_E_BAD_LENGTH, "BIND, 31 bytes");
		k.in = junk;
		k.in_len = sizeof(a);
		expect_malformed(c, &k, HL_E_BAD_REQUEST, "BIND, no address");
		junk[0] = 16;
		junk[4] = 7;	/* family 7 */
		expect_malformed(c, &k, HL_E_BAD_REQUEST, "BIND, family 7");
		k = (struct call){ HL_OP_SOCK_RECV, (uint32_t)u, 0, 0, NULL, 0, NULL, 0 };
		expect_malformed(c, &k, HL_E_BAD_REQUEST, "RECV of 0 bytes");
		k.arg1 = HL_SOCK_DATA_MAX + 1;
		expect_malformed(c, &k, HL_E_BAD_REQUEST, "RECV past a frame");
		k.arg1 = 10;
		k.arg0 = 0x80000000u;
		expect_malformed(c, &k, HL_E_BAD_REQUEST, "RECV, unknown flag");
		k = (struct call){ HL_OP_SOCK_SOCKET, 0, AF_INET, 1 | 0x800, NULL, 0, NULL, 0 };
		expect_malformed(c, &k, HL_E_BAD_REQUEST, "SOCKET with SOCK_NONBLOCK");
		k = (struct call){ HL_OP_SOCK_SEND, (uint32_t)u, 0, HL_SOCK_A_ADDR, junk, 8,
				   NULL, 0 };
		expect_malformed(c, &k, HL_E_BAD_LENGTH, "sendto shorter than its address");
		k = (struct call){ HL_OP_SOCK_SETOPT, (uint32_t)s, SOL_SOCKET, SO_REUSEADDR,
				   junk, HL_SOCK_OPT_MAX + 1, NULL, 0 };
		expect_malformed(c, &k, HL_E_BAD_LENGTH, "SETOPT past its maximum");
	}
	{
		int v = 1;

		EXPECT_RES(sc(c, HL_OP_SOCK_SETOPT, (uint32_t)s, SOL_SOCKET, SO_REUSEPORT, &v,
			      4, NULL, 0, NULL), -ENOPROTOOPT, "SO_REUSEPORT is not offered");
		EXPECT_RES(sc(c, HL_OP_SOCK_SETOPT, (uint32_t)s, SOL_SOCKET, SO_ATTACH_FILTER,
			      junk, 16, NULL, 0, NULL), -ENOPROTOOPT, "no socket filters");
		EXPECT_RES(sc(c, HL_OP_SOCK_SETOPT, (uint32_t)s, IPPROTO_TCP, TCP_NODELAY, &v,
			      4, NULL, 0, NULL), 0, "TCP_NODELAY");
		v = 0;
		EXPECT_RES(sc(c, HL_OP_SOCK_GETOPT, (uint32_t)s, IPPROTO_TCP, TCP_NODELAY,
			      NULL, 0, &v, 4, NULL), 4, "GETOPT TCP_NODELAY");
		CHECK(v == 1, "TCP_NODELAY reads back %d", v);
		struct linger l = { 1, 3600 };

		EXPECT_RES(sc(c, HL_OP_SOCK_SETOPT, (uint32_t)s, SOL_SOCKET, SO_LINGER, &l,
			      sizeof(l), NULL, 0, NULL), 0, "SO_LINGER of an hour");
		memset(&l, 0xff, sizeof(l));
		EXPECT_RES(sc(c, HL_OP_SOCK_GETOPT, (uint32_t)s, SOL_SOCKET, SO_LINGER, NULL,
			      0, &l, sizeof(l), NULL), sizeof(l), "GETOPT SO_LINGER");
		CHECK(l.l_onoff == 0, "a linger with a time must not hold the worker: "
		      "%d/%d", l.l_onoff, l.l_linger);
	}
	/* A flood of connects to a forbidden destination, of tiny sends. */
	for (int i = 0; i < 300; i++) {
		int64_t k = s_socket(c, AF_INET, HL_SOCK_STREAM);

		refused += s_addr(c, HL_OP_SOCK_CONNECT, (uint32_t)k, &far, 0) == -EACCES;
		s_plain(c, HL_OP_SOCK_CLOSE, (uint32_t)k, 0);
	}
	CHECK(refused == 300, "connect flood: %d of 300 refused", refused);
	{
		int n = native(AF_INET, SOCK_DGRAM, "127.0.0.1", 40151, 0);
		struct hl_sockaddr to = addr4("127.0.0.1", 40151);
		int sent = 0;

		for (int i = 0; i < 2000; i++)
			sent += s_sendto(c, (uint32_t)u, &to, &one, 1) == 1;
		CHECK(sent == 2000, "tiny sends: %d of 2000", sent);
		close(n);
	}
	EXPECT_RES(s_addr(c, HL_OP_SOCK_BIND, (uint32_t)s, &a, 0), 0, "still works");
	hl_disconnect(c);
	hl_disconnect(b);
}

/* ---- lifetimes: a guest that holds sockets until it is killed ------------------ */

static void
phase_hold(void)
{
	struct hl_conn *c = guest("sa");
	struct hl_sockaddr a = addr4("127.0.0.1", 40008), to = addr4("127.0.0.1", 40008);
	int64_t l = s_socket(c, AF_INET, HL_SOCK_STREAM), k;
	struct hl_req r = { .opcode = HL_OP_SOCK_ACCEPT, .session = (uint32_t)l,
			    .arg0 = HL_SOCK_WAIT(HL_SOCK_WAIT_FOREVER) };

	EXPECT_RES(s_addr(c, HL_OP_SOCK_BIND, (uint32_t)l, &a, 0), 0, "BIND");
	EXPECT_RES(s_plain(c, HL_OP_SOCK_LISTEN, (uint32_t)l, 4), 0, "LISTEN");
	for (int i = 0; i < 5; i++) {
		k = s_socket(c, AF_INET, HL_SOCK_STREAM);
		EXPECT_RES(s_addr(c, HL_OP_SOCK_CONNECT, (uint32_t)k, &to, 5000), 0, "CONNECT");
	}
	for (int i = 0; i < 5; i++)
		s_socket(c, AF_INET, HL_SOCK_DGRAM);
	/* Five connections wait to be accepted; accept them, then hold an
	 * ACCEPT forever. */
	for (int i = 0; i < 5; i++) {
		struct hl_sockaddr peer;

		CHECK(s_accept(c, (uint32_t)l, 5000, &peer) > 0, "ACCEPT");
	}
	CHECK(hl_conn_submit(c, &r, 1) == HL_OK, "ACCEPT held");
	printf("holding\n");
	fflush(stdout);
	pause();
}

/* Guest se's sockets live in its namespace: listen on 40400 there, accept
 * one connection, echo a line. The script connects from inside it. */
static void
phase_netns(void)
{
	struct hl_conn *c = guest("se");
	struct hl_sockaddr a = addr4("127.0.0.1", 40400), peer;
	int64_t l = s_socket(c, AF_INET, HL_SOCK_STREAM), cs;
	uint8_t buf[64];
	int64_t n;

	CHECK(l > 0, "SOCKET in the namespace: %" PRId64, l);
	EXPECT_RES(s_addr(c, HL_OP_SOCK_BIND, (uint32_t)l, &a, 0), 0, "BIND");
	EXPECT_RES(s_plain(c, HL_OP_SOCK_LISTEN, (uint32_t)l, 4), 0, "LISTEN");
	printf("listening\n");
	fflush(stdout);
	cs = s_accept(c, (uint32_t)l, 20000, &peer);
	CHECK(cs > 0, "ACCEPT in the namespace: %" PRId64, cs);
	n = s_recv(c, (uint32_t)cs, buf, sizeof(buf), 20000, 0, NULL);
	CHECK(n > 0, "RECV: %" PRId64, n);
	if (n > 0)
		EXPECT_RES(s_send(c, (uint32_t)cs, buf, (uint32_t)n, 5000), n, "SEND back");
	hl_disconnect(c);
}

int
main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } phases[] = {
		{ "tcp", phase_tcp }, { "udp", phase_udp }, { "wait", phase_wait },
		{ "events", phase_events }, { "bulk", phase_bulk },
		{ "policy", phase_policy }, { "limits", phase_limits },
		{ "hostile", phase_hostile }, { "hold", phase_hold },
		{ "netns", phase_netns },
	};

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: sock_check RUNDIR PHASE [GUEST (tcp)]\n");
		return 2;
	}
	rundir = argv[1];
	if (argc == 4)
		tcp_guest = argv[3];
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		if (strcmp(argv[2], phases[i].name) != 0)
			continue;
		phases[i].fn();
		if (failures == 0)
			printf("PASS: %s\n", argv[2]);
		return failures == 0 ? 0 : 1;
	}
	fprintf(stderr, "unknown phase %s\n", argv[2]);
	return 2;
}
