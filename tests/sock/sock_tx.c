/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sends that return at once (guestlib/hl_sock.h, docs/sockets.md): a guest
 * (libhostlane's public hl_sock_* calls, guest "sa" of tests/sock/lib.sh)
 * against a native peer on 127.0.0.1 that this program runs in a thread.
 *
 *   sock_tx RUNDIR stream   bytes of many sizes, some in frames, most in
 *                           bulk slots, closed right after the last send:
 *                           the peer gets every byte, in order (a hash of
 *                           position and byte); then the same with a window
 *                           of 0 (every send waits) and none returns early;
 *                           and a close while the host still holds sends
 *                           to a slow reader waits for them;
 *   sock_tx RUNDIR window   a peer that does not read: a non-blocking send
 *                           ends in EAGAIN with OUT clear; the peer reads,
 *                           OUT comes back, every byte arrives;
 *   sock_tx RUNDIR reset    the peer resets the connection: a later send
 *                           fails with ECONNRESET or EPIPE;
 *   sock_tx RUNDIR signal   a SIGALRM handler that makes socket calls,
 *                           every 300 us, during 20000 echo round trips:
 *                           each call answered or EINTR, never a hang;
 *   sock_tx RUNDIR dgram    datagrams of a frame or less to a native
 *                           receiver: the first to an address waits, the
 *                           rest to it return at once, a new address
 *                           waits again, a datagram larger than a frame
 *                           always waits; every one arrives, in order;
 *   sock_tx RUNDIR hold     a peer that never reads: sends until the window
 *                           is full, says "holding", and sleeps (the test
 *                           kills it: what it held must be released).
 * Exit: 0 passed, 1 failed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <hostlane/hostlane.h>
#include <hostlane/sock.h>

#define PORT 40150
#define STREAM_BYTES (48u << 20)
#define CHUNK_MAX (300u << 10)

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			failures++;                                            \
		}                                                              \
	} while (0)

/* The byte at stream position i: no period a reorder could hide in. */
static inline uint8_t
byte_at(uint64_t i)
{
	uint64_t x = i * 0x9e3779b97f4a7c15ull;

	return (uint8_t)(x >> 56 ^ i >> 13);
}

/* ---- the native peer --------------------------------------------------- */

enum peer_mode { PEER_CHECK, PEER_STALL, PEER_RESET, PEER_SLOW, PEER_ECHO };

struct peer {
	int lfd;
	enum peer_mode mode;
	volatile int go;	/* PEER_STALL: start reading */
	uint64_t got;		/* bytes read */
	uint64_t bad_at;	/* first wrong byte + 1, 0 = none */
};

static void *
peer_main(void *arg)
{
	struct peer *p = arg;
	static uint8_t buf[1u << 20];
	int fd = accept(p->lfd, NULL, NULL);
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (p->mode == PEER_RESET) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		/* Not before the guest's connect returned: it would fail. */
		while (!__atomic_load_n(&p->go, __ATOMIC_ACQUIRE))
			usleep(1000);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(fd);
		return NULL;
	}
	if (p->mode == PEER_ECHO) {
		while ((n = read(fd, buf, sizeof(buf))) > 0 && write(fd, buf, (size_t)n) == n)
			p->got += (uint64_t)n;
		close(fd);
		return NULL;
	}
	while (p->mode == PEER_STALL && !__atomic_load_n(&p->go, __ATOMIC_ACQUIRE))
		usleep(1000);
	/* PEER_SLOW: 64 KiB a millisecond, far slower than the sender. */
	while ((n = read(fd, buf, p->mode == PEER_SLOW ? 65536 : sizeof(buf))) > 0) {
		if (p->mode == PEER_SLOW)
			usleep(1000);
		for (ssize_t i = 0; i < n && p->bad_at == 0; i++)
			if (buf[i] != byte_at(p->got + (uint64_t)i))
				p->bad_at = p->got + (uint64_t)i + 1;
		p->got += (uint64_t)n;
	}
	close(fd);
	return NULL;
}

/* rcvbuf > 0: a small receive buffer (inherited by the accepted socket),
 * so that the kernel holds little of what the guest sends. */
static int
peer_listen_buf(int rcvbuf)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0) {
		perror("sock_tx: peer bind/listen");
		exit(1);
	}
	return fd;
}

static int
peer_listen(void)
{
	return peer_listen_buf(0);
}

/* ---- the guest ---------------------------------------------------------- */

static struct hl_conn *
guest(const char *rundir)
{
	char path[512];
	struct hl_opts o;
	struct hl_conn *c;
	int rc;

	snprintf(path, sizeof(path), "%s/sa.sock", rundir);
	hl_opts_init(&o);
	o.name = "sock_tx";
	o.reconnect = HL_RECONNECT_NEVER;
	o.timeout_ms = 10000;
	rc = hl_connect(path, "sa-secret", &o, &c);
	if (rc != HL_OK) {
		fprintf(stderr, "FAIL: connect to %s: %s (%s)\n", path,
			hl_status_name(rc), hl_connect_reason());
		exit(1);
	}
	return c;
}

static int
connect_peer(struct hl_conn *c)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int sd = hl_sock_socket(c, AF_INET, SOCK_STREAM, 0);

	if (sd < 0 || hl_sock_connect(c, sd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		fprintf(stderr, "FAIL: socket/connect: %s\n", strerror(errno));
		exit(1);
	}
	return sd;
}

static uint8_t *
pattern(uint64_t at, uint32_t n)
{
	static uint8_t buf[CHUNK_MAX];

	for (uint32_t i = 0; i < n; i++)
		buf[i] = byte_at(at + i);
	return buf;
}

/* STREAM_BYTES in chunks of 1 B .. 300 KiB (frames and bulk slots mixed),
 * closed at once after the last: every byte must reach the peer. */
static void
stream_once(struct hl_conn *c, uint32_t window, uint64_t *async)
{
	struct peer p = { .lfd = peer_listen(), .mode = PEER_CHECK };
	struct hl_sock_stats st0, st1;
	uint64_t sent = 0, sends = 0, rnd = 88172645463325252ull;
	pthread_t t;
	int sd;

	CHECK(hl_sock_set_tx_window(c, window) == 0, "set_tx_window: %s", strerror(errno));
	CHECK(hl_sock_stats(c, &st0) == 0, "stats");
	pthread_create(&t, NULL, peer_main, &p);
	sd = connect_peer(c);
	/* A send of a frame's worth returns at once too, in one request. */
	CHECK(hl_sock_send(c, sd, pattern(0, 100), 100, 0) == 100, "send 100: %s",
	      strerror(errno));
	CHECK(hl_sock_stats(c, &st1) == 0, "stats");
	CHECK(st1.tx_async - st0.tx_async == (window != 0), "window %u: a 100 B send "
	      "made %llu requests that returned at once", window,
	      (unsigned long long)(st1.tx_async - st0.tx_async));
	sent = 100;
	sends = 1;
	while (sent < STREAM_BYTES) {
		uint32_t n;
		ssize_t k;

		rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
		n = rnd % 4 == 0 ? 1 + (uint32_t)(rnd >> 40) % 2000 :
				   1 + (uint32_t)(rnd >> 40) % CHUNK_MAX;
		if (n > STREAM_BYTES - sent)
			n = (uint32_t)(STREAM_BYTES - sent);
		k = hl_sock_send(c, sd, pattern(sent, n), n, 0);
		if (k != (ssize_t)n) {
			CHECK(0, "send %u at %llu: %zd (%s)", n, (unsigned long long)sent,
			      k, strerror(errno));
			break;
		}
		sent += n;
		sends++;
	}
	CHECK(hl_sock_close(c, sd) == 0, "close: %s", strerror(errno));
	pthread_join(t, NULL);
	close(p.lfd);
	CHECK(hl_sock_stats(c, &st1) == 0, "stats");
	CHECK(p.got == sent, "window %u: peer got %llu of %llu bytes", window,
	      (unsigned long long)p.got, (unsigned long long)sent);
	CHECK(p.bad_at == 0, "window %u: wrong byte at %llu (reordered or lost)",
	      window, (unsigned long long)p.bad_at - 1);
	CHECK(st1.tx_failed == st0.tx_failed, "window %u: sends failed", window);
	CHECK(st1.tx_inflight == 0, "%u sends still in flight after close", st1.tx_inflight);
	CHECK(st1.sockets == 0, "%u sockets open", st1.sockets);
	*async = st1.tx_async - st0.tx_async;
	/* Every send returns at once, a frame's worth too (a large one may
	 * take several requests): none waited for its answer. */
	CHECK(window == 0 || *async >= sends, "window %u: %llu of %llu sends "
	      "returned at once", window, (unsigned long long)*async,
	      (unsigned long long)sends);
	printf("stream: window %u: %llu bytes in order in %llu sends, %llu requests "
	       "returned at once\n", window, (unsigned long long)sent,
	       (unsigned long long)sends, (unsigned long long)*async);
}

/* close right after sends the host still holds (the peer reads slowly):
 * close waits for them, so the peer gets every byte. */
static void
t_linger(struct hl_conn *c)
{
	struct peer p = { .lfd = peer_listen_buf(65536), .mode = PEER_SLOW };
	struct hl_sock_stats st;
	uint64_t sent = 0;
	pthread_t t;
	int sd;

	pthread_create(&t, NULL, peer_main, &p);
	sd = connect_peer(c);
	while (sent < (16u << 20)) {
		ssize_t k = hl_sock_send(c, sd, pattern(sent, 200000), 200000, 0);

		if (k <= 0) {
			CHECK(0, "send: %zd (%s)", k, strerror(errno));
			break;
		}
		sent += (uint64_t)k;
	}
	hl_sock_stats(c, &st);
	CHECK(hl_sock_close(c, sd) == 0, "close: %s", strerror(errno));
	pthread_join(t, NULL);
	close(p.lfd);
	CHECK(p.got == sent && p.bad_at == 0, "closed with %u sends in flight: the peer got "
	      "%llu of %llu bytes", st.tx_inflight, (unsigned long long)p.got,
	      (unsigned long long)sent);
	printf("linger: closed with %u sends in flight, %llu bytes arrived\n",
	       st.tx_inflight, (unsigned long long)p.got);
}

static void
t_stream(struct hl_conn *c)
{
	uint64_t async;

	t_linger(c);
	stream_once(c, 1u << 20, &async);
	CHECK(async > 0, "no send returned at once with a 1 MiB window");
	stream_once(c, 0, &async);
	CHECK(async == 0, "%llu sends returned at once with a window of 0",
	      (unsigned long long)async);
}

/* Non-blocking sends into a peer that does not read: EAGAIN, OUT clear;
 * the peer reads: OUT again, and every byte arrives. */
static void
t_window(struct hl_conn *c)
{
	struct peer p = { .lfd = peer_listen(), .mode = PEER_STALL };
	struct hl_sock_pollfd pf;
	uint64_t sent = 0;
	ssize_t k = 0;
	pthread_t t;
	int sd, ev;

	pthread_create(&t, NULL, peer_main, &p);
	sd = connect_peer(c);
	CHECK(hl_sock_set_nonblock(c, sd, 1) == 0, "nonblock");
	for (int i = 0; i < 100000 && (k = hl_sock_send(c, sd, pattern(sent, 200000),
						      200000, 0)) > 0; i++)
		sent += (uint64_t)k;
	CHECK(k < 0 && errno == EAGAIN, "the sends never stopped: %zd (%s)", k,
	      strerror(errno));
	ev = hl_sock_events(c, sd);
	CHECK(ev >= 0 && !(ev & HL_SOCK_EV_OUT), "OUT set on a full window: %#x", ev);
	printf("window: %llu bytes taken before EAGAIN\n", (unsigned long long)sent);
	__atomic_store_n(&p.go, 1, __ATOMIC_RELEASE);
	pf = (struct hl_sock_pollfd){ .sd = sd, .events = HL_SOCK_EV_OUT };
	CHECK(hl_sock_poll(c, &pf, 1, 20000) == 1 && (pf.revents & HL_SOCK_EV_OUT),
	      "OUT did not come back once the peer read (revents %#x)", pf.revents);
	k = hl_sock_send(c, sd, pattern(sent, 100000), 100000, 0);
	CHECK(k > 0, "send after OUT: %zd (%s)", k, strerror(errno));
	sent += k > 0 ? (uint64_t)k : 0;
	CHECK(hl_sock_set_nonblock(c, sd, 0) == 0, "blocking again");
	CHECK(hl_sock_close(c, sd) == 0, "close: %s", strerror(errno));
	pthread_join(t, NULL);
	close(p.lfd);
	CHECK(p.got == sent && p.bad_at == 0, "peer got %llu of %llu bytes, bad at %llu",
	      (unsigned long long)p.got, (unsigned long long)sent,
	      (unsigned long long)p.bad_at);
}

/* The peer resets: a later send reports it. */
static void
t_reset(struct hl_conn *c)
{
	struct peer p = { .lfd = peer_listen(), .mode = PEER_RESET };
	uint64_t sent = 0;
	ssize_t k = 0;
	pthread_t t;
	int sd, i;

	pthread_create(&t, NULL, peer_main, &p);
	sd = connect_peer(c);
	__atomic_store_n(&p.go, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);		/* reset done */
	for (i = 0; i < 2000 && (k = hl_sock_send(c, sd, pattern(sent, 100000),
						  100000, 0)) > 0; i++)
		sent += (uint64_t)k;
	CHECK(k < 0 && (errno == ECONNRESET || errno == EPIPE),
	      "after the peer's reset: send %d returned %zd (%s)", i, k, strerror(errno));
	printf("reset: reported by send %d (%s)\n", i, strerror(errno));
	(void)hl_sock_close(c, sd);
	close(p.lfd);
}

/* A signal handler that makes a socket call on the thread it interrupted,
 * inside a socket call or not: EINTR or an answer, never a hang (the
 * thread holds the socket mutex while it sleeps on the transport). */
static struct hl_conn *sig_c;
static int sig_sd;
static volatile sig_atomic_t sig_eintr, sig_ok, sig_bad;

static void
on_alarm(int sig)
{
	int e = errno, v = hl_sock_events(sig_c, sig_sd);

	(void)sig;
	if (v >= 0)
		sig_ok++;
	else if (errno == EINTR)
		sig_eintr++;
	else
		sig_bad++;
	errno = e;
}

static void
t_signal(struct hl_conn *c)
{
	struct peer p = { .lfd = peer_listen(), .mode = PEER_ECHO };
	struct itimerval it = { .it_interval = { 0, 300 }, .it_value = { 0, 300 } };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	char out[64], in[64];
	pthread_t t;
	int i;

	sigset_t alrm, old;

	/* The handler runs on the guest's thread: the peer's blocks it. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	pthread_create(&t, NULL, peer_main, &p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sig_c = c;
	sig_sd = connect_peer(c);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0; i < 20000; i++) {
		memset(out, (char)i, sizeof(out));
		if (hl_sock_send(c, sig_sd, out, sizeof(out), 0) != sizeof(out) ||
		    hl_sock_recv(c, sig_sd, in, sizeof(in), MSG_WAITALL) != sizeof(in) ||
		    memcmp(in, out, sizeof(in)) != 0) {
			if (errno == EINTR)
				continue;	/* not ours to see: SA_RESTART */
			CHECK(0, "round %d: %s", i, strerror(errno));
			break;
		}
	}
	it = (struct itimerval){ 0 };
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK(sig_bad == 0, "%d handler calls failed otherwise than EINTR", (int)sig_bad);
	CHECK(sig_ok + sig_eintr > 0, "no signal came");
	printf("signal: %d rounds; the handler's calls: %d answered, %d EINTR "
	       "(its thread was inside a call)\n", i, (int)sig_ok, (int)sig_eintr);
	CHECK(hl_sock_close(c, sig_sd) == 0, "close: %s", strerror(errno));
	pthread_join(t, NULL);
	close(p.lfd);
}

/* A native UDP receiver on 127.0.0.1:port (one the guest may reach). */
static int
udp_receiver(struct sockaddr_in *a, uint16_t port)
{
	socklen_t al = sizeof(*a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), big = 4 << 20;
	struct timeval tv = { .tv_sec = 5 };

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = htons(port);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    bind(fd, (struct sockaddr *)a, sizeof(*a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)a, &al) < 0) {
		fprintf(stderr, "FAIL: udp receiver: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

/* Send datagram k (its length and bytes follow from k) to a; @return
 * how many of the layer's sends returned at once meanwhile. */
static uint64_t
dgram_send(struct hl_conn *c, int sd, const struct sockaddr_in *a, uint32_t k,
	   uint32_t len)
{
	struct hl_sock_stats st0, st1;
	ssize_t n;

	hl_sock_stats(c, &st0);
	n = hl_sock_sendto(c, sd, pattern((uint64_t)k << 16, len), len, 0,
			   (const struct sockaddr *)a, sizeof(*a));
	CHECK(n == (ssize_t)len, "datagram %u of %u B: %zd (%s)", k, len, n,
	      n < 0 ? strerror(errno) : "short");
	hl_sock_stats(c, &st1);
	return st1.tx_async - st0.tx_async;
}

/* Datagram k must be next on fd. */
static void
dgram_check(int fd, uint32_t k, uint32_t len)
{
	static uint8_t buf[8192];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);

	CHECK(n == (ssize_t)len && memcmp(buf, pattern((uint64_t)k << 16, len), len) == 0,
	      "datagram %u: got %zd of %u B (%s)", k, n, len,
	      n < 0 ? strerror(errno) : "lost, reordered or wrong");
}

/* Sends to an address the host took before return at once (sockperf). */
static void
t_dgram(struct hl_conn *c)
{
	struct sockaddr_in a, b;
	int ra = udp_receiver(&a, PORT + 20), rb = udp_receiver(&b, PORT + 21);
	int sd = hl_sock_socket(c, AF_INET, SOCK_DGRAM, 0);
	struct hl_sock_stats st;
	uint64_t early = 0;
	uint32_t k = 0;

	CHECK(sd >= 0, "socket: %s", strerror(errno));
	CHECK(dgram_send(c, sd, &a, k++, 100) == 0, "the first datagram to A did not wait");
	for (uint32_t i = 0; i < 200; i++)
		early += dgram_send(c, sd, &a, k++, 1 + (i * 97) % 1900);
	CHECK(early == 200, "%llu of 200 datagrams to A returned at once",
	      (unsigned long long)early);
	CHECK(dgram_send(c, sd, &b, k++, 64) == 0, "the first datagram to B did not wait");
	CHECK(dgram_send(c, sd, &b, k++, 64) == 1, "the second datagram to B waited");
	CHECK(dgram_send(c, sd, &a, k++, 4000) == 0, "a datagram larger than a frame "
	      "returned at once");
	CHECK(hl_sock_close(c, sd) == 0, "close: %s", strerror(errno));
	hl_sock_stats(c, &st);
	CHECK(st.tx_inflight == 0 && st.tx_failed == 0, "after close: %u in flight, "
	      "%llu failed", st.tx_inflight, (unsigned long long)st.tx_failed);
	k = 0;
	dgram_check(ra, k++, 100);
	for (uint32_t i = 0; i < 200; i++)
		dgram_check(ra, k++, 1 + (i * 97) % 1900);
	dgram_check(rb, k++, 64);
	dgram_check(rb, k++, 64);
	dgram_check(ra, k++, 4000);
	close(ra);
	close(rb);
	printf("dgram: 204 datagrams arrived in order, %llu returned at once\n",
	       (unsigned long long)early + 1);
}

/* Fill the window of a peer that never reads, then wait to be killed. */
static void
t_hold(struct hl_conn *c)
{
	struct peer p = { .lfd = peer_listen(), .mode = PEER_STALL };
	struct hl_sock_stats st;
	pthread_t t;
	int sd;

	pthread_create(&t, NULL, peer_main, &p);
	sd = connect_peer(c);
	CHECK(hl_sock_set_nonblock(c, sd, 1) == 0, "nonblock");
	while (hl_sock_send(c, sd, pattern(0, 200000), 200000, 0) > 0)
		;
	hl_sock_stats(c, &st);
	printf("holding: %u sends in flight\n", st.tx_inflight);
	fflush(stdout);
	pause();
}

int
main(int argc, char **argv)
{
	struct hl_conn *c;

	if (argc != 3) {
		fprintf(stderr, "usage: sock_tx RUNDIR stream|window|reset|signal|dgram|hold\n");
		return 2;
	}
	c = guest(argv[1]);
	if (strcmp(argv[2], "stream") == 0)
		t_stream(c);
	else if (strcmp(argv[2], "window") == 0)
		t_window(c);
	else if (strcmp(argv[2], "reset") == 0)
		t_reset(c);
	else if (strcmp(argv[2], "signal") == 0)
		t_signal(c);
	else if (strcmp(argv[2], "dgram") == 0)
		t_dgram(c);
	else if (strcmp(argv[2], "hold") == 0)
		t_hold(c);
	else
		return 2;
	hl_disconnect(c);
	if (failures == 0)
		printf("PASS: %s\n", argv[2]);
	return failures == 0 ? 0 : 1;
}
