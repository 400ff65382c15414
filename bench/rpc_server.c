/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpc_server: the Guest-Net side of bench/offload and bench/virtfun —
 * echo, factorial and fibonacci over TCP loopback (bench/rpc_proto.h), one connection at a time, every
 * complete request in a read answered in one write.
 *
 * Usage: rpc_server PORT_FILE [--cpu N] [--busy]
 * Listens on 127.0.0.1, an ephemeral port written to PORT_FILE once it
 * accepts. --cpu pins it; --busy spins on non-blocking reads instead of
 * sleeping in recv(). Runs until killed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpc_proto.h"
#include "sw_kernels.h"

#define BUF_CAP (256u * 1024u)

static uint8_t inbuf[BUF_CAP];
static uint8_t outbuf[BUF_CAP];

static int
send_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Append the answer to one request (payload at in) to outbuf at *olen. */
static void
answer(const struct rpc_req *rq, const uint8_t *in, size_t *olen)
{
	struct rpc_resp rs = { .status = 0, .len = 0, .result = 0 };

	switch (rq->fn) {
	case RPC_FN_ECHO:
		rs.len = rq->len;
		memcpy(outbuf + *olen + sizeof(rs), in, rq->len);
		break;
	case RPC_FN_FACTORIAL:
		rs.result = fpga_sw_factorial(rq->arg0, rq->arg1);
		break;
	case RPC_FN_FIBONACCI:
		rs.result = fpga_sw_fibonacci(rq->arg0, rq->arg1);
		break;
	default:
		rs.status = -ENOTSUP;
		break;
	}
	memcpy(outbuf + *olen, &rs, sizeof(rs));
	*olen += sizeof(rs) + rs.len;
}

/* Answer every complete request in inbuf[0, have); returns bytes used. */
static ssize_t
answer_all(int fd, size_t have)
{
	size_t used = 0, olen = 0;
	struct rpc_req rq;

	while (have - used >= sizeof(rq)) {
		memcpy(&rq, inbuf + used, sizeof(rq));
		if (rq.len > RPC_PAYLOAD_MAX)
			return -1;
		if (have - used < sizeof(rq) + rq.len)
			break;
		if (olen + sizeof(struct rpc_resp) + rq.len > BUF_CAP) {
			if (send_all(fd, outbuf, olen) < 0)
				return -1;
			olen = 0;
		}
		answer(&rq, inbuf + used + sizeof(rq), &olen);
		used += sizeof(rq) + rq.len;
	}
	if (olen > 0 && send_all(fd, outbuf, olen) < 0)
		return -1;
	return (ssize_t)used;
}

static void
serve(int fd, bool busy)
{
	size_t have = 0;

	for (;;) {
		ssize_t n = recv(fd, inbuf + have, BUF_CAP - have,
				 busy ? MSG_DONTWAIT : 0);
		ssize_t used;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return;
		have += (size_t)n;
		used = answer_all(fd, have);
		if (used < 0)
			return;
		memmove(inbuf, inbuf + used, have - (size_t)used);
		have -= (size_t)used;
	}
}

static int
listen_local(const char *port_file)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	char tmp[4096];
	int one = 1, fd;
	FILE *f;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
		perror("rpc_server: socket");
		return -1;
	}
	/* Write then rename: the driver never reads a half-written file. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
	f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%u\n", ntohs(a.sin_port)) < 0 ||
	    fclose(f) != 0 || rename(tmp, port_file) < 0) {
		perror("rpc_server: port file");
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	bool busy = false;
	int cpu = -1, lfd, one = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT_FILE [--cpu N] [--busy]\n", argv[0]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--busy") == 0)
			busy = true;
		else if (strcmp(argv[i], "--cpu") == 0 && i + 1 < argc)
			cpu = atoi(argv[++i]);
		else {
			fprintf(stderr, "rpc_server: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			perror("rpc_server: sched_setaffinity");
	}
	lfd = listen_local(argv[1]);
	if (lfd < 0)
		return 1;
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			perror("rpc_server: accept");
			return 1;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		serve(fd, busy);
		close(fd);
	}
}
