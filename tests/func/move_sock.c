/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * move_sock: a guest using paravirtual sockets (libhostlane's hl_sock_*,
 * the pump running, so its SOCK_EVENTS long poll is armed), driven from
 * stdin by tests/func/test_move_sock.sh while hostlane moves it between
 * I/O lcores.
 *
 *   move_sock SOCKET
 *     connects to the guest's SOCKET, opens a TCP connection through
 *     hostlane to a native listener on 127.0.0.1 in this process, prints
 *     "ready", then serves one command per stdin line:
 *       hold     a thread starts a blocking receive of 5 bytes (held by
 *                the host until data comes); prints "holding"
 *       release  the native peer sends "hello"; the held receive must
 *                return exactly it; prints "released"
 *       echo     the guest sends "ping", the peer must read it, then the
 *                peer sends "pong" and the guest's blocking receive must
 *                return it; prints "echoed"
 *       quit     exits
 *     Any check that fails prints "FAIL: ..." and exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hostlane/hostlane.h>
#include <hostlane/sock.h>

static struct hl_conn *conn;
static int sd = -1, peer = -1;

struct held {
	pthread_t tid;
	char buf[8];
	ssize_t n;
	int err;
};

static void
die(const char *fmt, const char *what)
{
	printf("FAIL: ");
	printf(fmt, what);
	printf("\n");
	fflush(stdout);
	exit(1);
}

/* A native listener on 127.0.0.1, an ephemeral port. */
static int
listener(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 1) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		die("native listener: %s", strerror(errno));
	*port = ntohs(a.sin_port);
	return fd;
}

static void
setup(const char *sock)
{
	struct hl_opts o;
	uint16_t port;
	int lfd = listener(&port), st;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	hl_opts_init(&o);
	o.reconnect = HL_RECONNECT_NEVER;
	st = hl_connect(sock, NULL, &o, &conn);
	if (st != HL_OK)
		die("connect: %s", hl_strerror(st));
	if (hl_sock_pump_start(conn) < 0)
		die("pump: %s", strerror(errno));
	sd = hl_sock_socket(conn, AF_INET, SOCK_STREAM, 0);
	if (sd < 0)
		die("hl_sock_socket: %s", strerror(errno));
	if (hl_sock_connect(conn, sd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("hl_sock_connect: %s", strerror(errno));
	peer = accept(lfd, NULL, NULL);
	if (peer < 0)
		die("accept: %s", strerror(errno));
	close(lfd);
}

static void *
held_recv(void *arg)
{
	struct held *h = arg;

	h->n = hl_sock_recv(conn, sd, h->buf, 5, MSG_WAITALL);
	h->err = errno;
	return NULL;
}

/* The peer reads exactly want. */
static void
peer_expect(const char *want)
{
	char buf[8] = { 0 };
	size_t len = strlen(want), got = 0;

	while (got < len) {
		ssize_t n = recv(peer, buf + got, len - got, 0);

		if (n <= 0)
			die("the native peer's recv: %s", n < 0 ? strerror(errno) : "EOF");
		got += (size_t)n;
	}
	if (memcmp(buf, want, len) != 0)
		die("the native peer got '%s'", buf);
}

static void
peer_send(const char *what)
{
	if (send(peer, what, strlen(what), 0) != (ssize_t)strlen(what))
		die("the native peer's send: %s", strerror(errno));
}

static void
echo(void)
{
	char buf[8] = { 0 };
	ssize_t n;

	if (hl_sock_send(conn, sd, "ping", 4, 0) != 4)
		die("hl_sock_send: %s", strerror(errno));
	peer_expect("ping");
	peer_send("pong");
	n = hl_sock_recv(conn, sd, buf, 4, MSG_WAITALL);
	if (n != 4 || memcmp(buf, "pong", 4) != 0)
		die("hl_sock_recv after the move: '%s'", n < 0 ? strerror(errno) : buf);
}

int
main(int argc, char **argv)
{
	struct held h = { .n = -2 };
	bool holding = false;
	char line[64];

	if (argc != 2) {
		fprintf(stderr, "usage: move_sock SOCKET\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup(argv[1]);
	printf("ready\n");
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strcmp(line, "hold\n") == 0 && !holding) {
			if (pthread_create(&h.tid, NULL, held_recv, &h) != 0)
				die("pthread_create: %s", strerror(errno));
			holding = true;
			printf("holding\n");
		} else if (strcmp(line, "release\n") == 0 && holding) {
			peer_send("hello");
			pthread_join(h.tid, NULL);
			holding = false;
			if (h.n != 5 || memcmp(h.buf, "hello", 5) != 0)
				die("the held receive returned '%s'", h.n < 0 ?
				    strerror(h.err) : h.buf);
			printf("released\n");
		} else if (strcmp(line, "echo\n") == 0 && !holding) {
			echo();
			printf("echoed\n");
		} else if (strcmp(line, "quit\n") == 0) {
			break;
		} else {
			die("unexpected command '%s'", line);
		}
	}
	hl_sock_close(conn, sd);
	hl_disconnect(conn);
	close(peer);
	return 0;
}
