/* SPDX-License-Identifier: BSD-3-Clause */
/* The shim's interposed calls: hostlane fds to libhostlane, the rest to
 * libc (hlp.h). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hlp.h"
#include "hlp_int.h"

#define EXPORT __attribute__((visibility("default")))

enum { NOT_OURS = 0, OURS = 1, PLACEHOLDER = 2 };

/* What fd is: NOT_OURS, OURS (c, sd filled), PLACEHOLDER, or -1 (errno). */
static int
which(int fd, struct hl_conn **c, int *sd)
{
	struct hlp_obj *o = hlp_get(fd);
	int kind;

	if (o == NULL)
		return NOT_OURS;
	kind = o->kind == HLP_PLACEHOLDER ? PLACEHOLDER : OURS;
	*c = kind == OURS ? hlp_conn_of(o, fd) : NULL;
	*sd = o->sd;
	pthread_mutex_unlock(&hlp_mu);
	if (kind == OURS && *c == NULL) {
		errno = EBADF;
		return -1;
	}
	return kind;
}

static void
replay_hl(struct hl_conn *c, int sd, const struct hlp_obj *o)
{
	for (unsigned int i = 0; i < o->nopts; i++)
		(void)hl_sock_setsockopt(c, sd, o->opts[i].level, o->opts[i].name,
					 o->opts[i].val, o->opts[i].len);
	(void)hl_sock_set_nonblock(c, sd, o->nonblock);
}

/* Make o (fd's) a hostlane socket: 0, or -1 with errno. */
static int
to_hostlane(int fd, struct hlp_obj *o)
{
	uint32_t gen;
	struct hl_conn *c = hlp_conn(&gen);
	int sd;

	if (c == NULL) {
		errno = ENETDOWN;
		return -1;
	}
	sd = hl_sock_socket(c, o->domain, o->type & ~SOCK_CLOEXEC, o->protocol);
	if (sd < 0)
		return -1;
	replay_hl(c, sd, o);
	o->sd = sd;
	o->gen = gen;
	hlp_bind_sd(sd, fd);
	hlp_mirror_now(c, sd, fd);
	pthread_mutex_lock(&hlp_mu);
	o->kind = HLP_HOSTLANE;
	pthread_mutex_unlock(&hlp_mu);
	return 0;
}

/* Make fd a kernel socket of o's kind, in place: 0 or -1. */
static int
to_kernel(int fd, struct hlp_obj *o)
{
	int fdflags = hlp_libc.fcntl(fd, F_GETFD);
	int real = hlp_libc.socket(o->domain, (o->type & ~SOCK_CLOEXEC) |
				   (o->nonblock ? SOCK_NONBLOCK : 0), o->protocol);

	if (real < 0)
		return -1;
	for (unsigned int i = 0; i < o->nopts; i++)
		(void)hlp_libc.setsockopt(real, o->opts[i].level, o->opts[i].name,
					  o->opts[i].val, o->opts[i].len);
	pthread_mutex_lock(&hlp_mu);
	if (hlp_libc.dup3(real, fd, fdflags > 0 && (fdflags & FD_CLOEXEC) ?
			  O_CLOEXEC : 0) < 0) {
		pthread_mutex_unlock(&hlp_mu);
		hlp_libc.close(real);
		return -1;
	}
	if (hlp_drop(fd, o))
		free(o);
	pthread_mutex_unlock(&hlp_mu);
	hlp_libc.close(real);
	return 0;
}

/* A placeholder meets its address: hostlane (OURS) or the kernel
 * (NOT_OURS), by policy; -1 if neither may have it. */
static int
settle(int fd, int go_hostlane)
{
	struct hlp_obj *o = hlp_get(fd);

	if (o == NULL)
		return NOT_OURS;
	pthread_mutex_unlock(&hlp_mu);
	if (o->kind != HLP_PLACEHOLDER)
		return OURS;
	if (go_hostlane && to_hostlane(fd, o) == 0)
		return OURS;
	if (go_hostlane && hlp_policy_fallback() == HLP_FB_FAIL)
		return -1;
	return to_kernel(fd, o) == 0 ? NOT_OURS : -1;
}

/* which(), settling a placeholder as an address-less call does. */
static int
which_now(int fd, struct hl_conn **c, int *sd)
{
	int k = which(fd, c, sd);

	if (k != PLACEHOLDER)
		return k;
	k = settle(fd, hlp_policy_bind(NULL, 0));
	return k == OURS ? which(fd, c, sd) : k;
}

static int
type_ok(int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	return (base == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) ||
	       (base == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP));
}

EXPORT int
socket(int domain, int type, int protocol)
{
	struct hlp_obj *o;
	int fd;

	if (!hlp_on() || !hlp_policy_family(domain) || !type_ok(type, protocol))
		return hlp_libc.socket(domain, type, protocol);
	o = calloc(1, sizeof(*o));
	fd = o == NULL ? -1 : hlp_efd(0, (type & SOCK_CLOEXEC) != 0);
	if (fd < 0 || fd >= HLP_FD_MAX) {
		free(o);
		if (fd >= 0)
			hlp_libc.close(fd);
		return hlp_libc.socket(domain, type, protocol);
	}
	o->kind = HLP_PLACEHOLDER;
	o->domain = domain;
	o->type = type & ~SOCK_NONBLOCK;
	o->protocol = protocol;
	o->nonblock = (type & SOCK_NONBLOCK) != 0;
	o->efd = fd;
	pthread_mutex_lock(&hlp_mu);
	hlp_put(fd, o);
	pthread_mutex_unlock(&hlp_mu);
	if (hlp_policy_lazy())
		return fd;
	if (settle(fd, 1) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

EXPORT int
bind(int fd, const struct sockaddr *a, socklen_t len)
{
	struct hl_conn *c;
	int sd, k = which(fd, &c, &sd);

	if (k == PLACEHOLDER && (k = settle(fd, hlp_policy_bind(a, len))) == OURS)
		k = which(fd, &c, &sd);
	if (k == OURS)
		return hl_sock_bind(c, sd, a, len);
	return k < 0 ? -1 : hlp_libc.bind(fd, a, len);
}

EXPORT int
connect(int fd, const struct sockaddr *a, socklen_t len)
{
	struct hl_conn *c;
	int sd, k = which(fd, &c, &sd);

	if (k == PLACEHOLDER && (k = settle(fd, hlp_policy_dest(a, len))) == OURS)
		k = which(fd, &c, &sd);
	if (k == OURS)
		return hl_sock_connect(c, sd, a, len);
	return k < 0 ? -1 : hlp_libc.connect(fd, a, len);
}

EXPORT int
listen(int fd, int backlog)
{
	struct hl_conn *c;
	int sd, k = which_now(fd, &c, &sd);

	if (k == OURS)
		return hl_sock_listen(c, sd, backlog);
	return k < 0 ? -1 : hlp_libc.listen(fd, backlog);
}

EXPORT int
accept4(int fd, struct sockaddr *a, socklen_t *len, int flags)
{
	struct hl_conn *c;
	struct hlp_obj *o;
	uint32_t gen;
	int sd, nsd, nfd, k = which_now(fd, &c, &sd);

	if (k != OURS)
		return k < 0 ? -1 : hlp_libc.accept4(fd, a, len, flags);
	nsd = hl_sock_accept(c, sd, a, len, flags);
	if (nsd < 0)
		return -1;
	o = calloc(1, sizeof(*o));
	nfd = o == NULL ? -1 : hlp_efd(0, (flags & SOCK_CLOEXEC) != 0);
	if (nfd < 0 || nfd >= HLP_FD_MAX) {
		hl_sock_close(c, nsd);
		free(o);
		if (nfd >= 0)
			hlp_libc.close(nfd);
		errno = EMFILE;
		return -1;
	}
	(void)hlp_conn(&gen);
	o->kind = HLP_HOSTLANE;
	o->sd = nsd;
	o->efd = nfd;
	o->gen = gen;
	o->nonblock = (flags & SOCK_NONBLOCK) != 0;
	hlp_bind_sd(nsd, nfd);
	pthread_mutex_lock(&hlp_mu);
	hlp_put(nfd, o);
	pthread_mutex_unlock(&hlp_mu);
	hlp_mirror_now(c, nsd, nfd);
	return nfd;
}

EXPORT int
accept(int fd, struct sockaddr *a, socklen_t *len)
{
	return accept4(fd, a, len, 0);
}

EXPORT ssize_t
sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *a,
       socklen_t len)
{
	struct hl_conn *c;
	int sd, k = which(fd, &c, &sd);

	if (k == PLACEHOLDER && (k = settle(fd, a != NULL ? hlp_policy_dest(a, len)
						  : hlp_policy_bind(NULL, 0))) == OURS)
		k = which(fd, &c, &sd);
	if (k == OURS)
		return hl_sock_sendto(c, sd, buf, n, flags, a, len);
	return k < 0 ? -1 : hlp_libc.sendto(fd, buf, n, flags, a, len);
}

EXPORT ssize_t
send(int fd, const void *buf, size_t n, int flags)
{
	return sendto(fd, buf, n, flags, NULL, 0);
}

EXPORT ssize_t
sendmsg(int fd, const struct msghdr *m, int flags)
{
	struct hl_conn *c;
	int sd, k = which_now(fd, &c, &sd);

	if (k == OURS)
		return hl_sock_sendmsg(c, sd, m, flags);
	return k < 0 ? -1 : hlp_libc.sendmsg(fd, m, flags);
}

EXPORT ssize_t
recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *a,
	 socklen_t *len)
{
	struct hl_conn *c;
	int sd, k = which_now(fd, &c, &sd);

	if (k == OURS)
		return hl_sock_recvfrom(c, sd, buf, n, flags, a, len);
	return k < 0 ? -1 : hlp_libc.recvfrom(fd, buf, n, flags, a, len);
}

EXPORT ssize_t
recv(int fd, void *buf, size_t n, int flags)
{
	return recvfrom(fd, buf, n, flags, NULL, NULL);
}

EXPORT ssize_t
recvmsg(int fd, struct msghdr *m, int flags)
{
	struct hl_conn *c;
	int sd, k = which_now(fd, &c, &sd);

	if (k == OURS)
		return hl_sock_recvmsg(c, sd, m, flags);
	return k < 0 ? -1 : hlp_libc.recvmsg(fd, m, flags);
}

EXPORT ssize_t
read(int fd, void *buf, size_t n)
{
	struct hl_conn *c;
	int sd, k;

	if (hlp_peek(fd) == NULL)
		return hlp_libc.read(fd, buf, n);
	k = which_now(fd, &c, &sd);
	if (k == OURS)
		return hl_sock_recv(c, sd, buf, n, 0);
	return k < 0 ? -1 : hlp_libc.read(fd, buf, n);
}

EXPORT ssize_t
write(int fd, const void *buf, size_t n)
{
	struct hl_conn *c;
	int sd, k;

	if (hlp_peek(fd) == NULL)
		return hlp_libc.write(fd, buf, n);
	k = which_now(fd, &c, &sd);
	if (k == OURS)
		return hl_sock_send(c, sd, buf, n, MSG_NOSIGNAL);
	return k < 0 ? -1 : hlp_libc.write(fd, buf, n);
}

EXPORT ssize_t
readv(int fd, const struct iovec *iov, int cnt)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov };

	if (hlp_peek(fd) == NULL || cnt < 0)
		return hlp_libc.readv(fd, iov, cnt);
	m.msg_iovlen = (size_t)cnt;
	return recvmsg(fd, &m, 0);
}

EXPORT ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov };

	if (hlp_peek(fd) == NULL || cnt < 0)
		return hlp_libc.writev(fd, iov, cnt);
	m.msg_iovlen = (size_t)cnt;
	return sendmsg(fd, &m, MSG_NOSIGNAL);
}

EXPORT int
shutdown(int fd, int how)
{
	struct hl_conn *c;
	int sd, k = which_now(fd, &c, &sd);

	if (k == OURS)
		return hl_sock_shutdown(c, sd, how);
	return k < 0 ? -1 : hlp_libc.shutdown(fd, how);
}

/*
 * One fd of hostlane socket sd (of c; NULL: not this process's) is about
 * to be closed or replaced, and hlp_drop() took it out of the table. The
 * last: the socket goes (its mirror first). Not the last: hlp_drop()
 * moved the mirror to another fd, but the pump may be inside a notify
 * that read the old number; its notify runs under the socket layer's
 * lock, so taking that lock once waits it out before the number can name
 * another file.
 */
static void
mirror_off(struct hl_conn *c, int sd, int last)
{
	if (c == NULL)
		return;
	if (last) {
		hlp_bind_sd(sd, -1);
		(void)hl_sock_close(c, sd);
	} else {
		(void)hl_sock_events(c, sd);
	}
}

EXPORT int
close(int fd)
{
	struct hlp_obj *o = hlp_get(fd);
	struct hl_conn *c = NULL;
	int last, sd = -1;

	if (o == NULL)
		return hlp_libc.close(fd);
	last = hlp_drop(fd, o);
	if (o->kind == HLP_HOSTLANE) {
		c = hlp_conn_of(o, -1);
		sd = o->sd;
	}
	pthread_mutex_unlock(&hlp_mu);
	mirror_off(c, sd, last);
	if (last)
		free(o);
	return hlp_libc.close(fd);
}

EXPORT int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct hl_conn *c;
	struct hlp_obj *o;
	int sd, k = which(fd, &c, &sd);

	if (k == PLACEHOLDER && (o = hlp_get(fd)) != NULL) {
		int rc = 0;

		if (o->kind == HLP_PLACEHOLDER && o->nopts < HLP_OPTS_MAX &&
		    len <= HL_SOCK_OPT_MAX && (len == 0 || val != NULL)) {
			struct hlp_opt *p = &o->opts[o->nopts++];

			p->level = level;
			p->name = name;
			p->len = len;
			memcpy(p->val, val, len);
		} else {
			errno = ENOBUFS;
			rc = -1;
		}
		pthread_mutex_unlock(&hlp_mu);
		return rc;
	}
	if (k == OURS)
		return hl_sock_setsockopt(c, sd, level, name, val, len);
	return k < 0 ? -1 : hlp_libc.setsockopt(fd, level, name, val, len);
}

EXPORT int
getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct hl_conn *c;
	int sd, k = which_now(fd, &c, &sd);

	if (k == OURS)
		return hl_sock_getsockopt(c, sd, level, name, val, len);
	return k < 0 ? -1 : hlp_libc.getsockopt(fd, level, name, val, len);
}

EXPORT int
getsockname(int fd, struct sockaddr *a, socklen_t *len)
{
	struct hl_conn *c;
	int sd, k = which_now(fd, &c, &sd);

	if (k == OURS)
		return hl_sock_getsockname(c, sd, a, len);
	return k < 0 ? -1 : hlp_libc.getsockname(fd, a, len);
}

EXPORT int
getpeername(int fd, struct sockaddr *a, socklen_t *len)
{
	struct hl_conn *c;
	int sd, k = which_now(fd, &c, &sd);

	if (k == OURS)
		return hl_sock_getpeername(c, sd, a, len);
	return k < 0 ? -1 : hlp_libc.getpeername(fd, a, len);
}

/* O_NONBLOCK of a hostlane socket or placeholder. */
static void
set_nonblock(int fd, int on)
{
	struct hl_conn *c;
	struct hlp_obj *o;
	int sd, k = which(fd, &c, &sd);

	if (k == OURS) {
		(void)hl_sock_set_nonblock(c, sd, on);
	} else if (k == PLACEHOLDER && (o = hlp_get(fd)) != NULL) {
		o->nonblock = on;
		pthread_mutex_unlock(&hlp_mu);
	}
}

/* newfd (made by libc from fd) shares fd's socket. */
static int
dup_track(int fd, int newfd)
{
	struct hlp_obj *o;

	if (newfd < 0)
		return newfd;
	if (newfd >= HLP_FD_MAX || (o = hlp_get(fd)) == NULL)
		return newfd;
	hlp_put(newfd, o);
	pthread_mutex_unlock(&hlp_mu);
	return newfd;
}

/* F_GETFL of a shim fd: the eventfd's flags, O_NONBLOCK as the program set it. */
static int
get_fl(int fd)
{
	int fl = hlp_libc.fcntl(fd, F_GETFL, 0);
	struct hlp_obj *o;

	if (fl < 0)
		return fl;
	fl &= ~O_NONBLOCK;
	o = hlp_get(fd);
	if (o != NULL) {
		if (o->nonblock)
			fl |= O_NONBLOCK;
		pthread_mutex_unlock(&hlp_mu);
	}
	return fl;
}

EXPORT int
fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	if (cmd == F_SETFL && hlp_peek(fd) != NULL) {
		set_nonblock(fd, (arg & O_NONBLOCK) != 0);
		/* The eventfd behind fd itself never blocks: the shim reads
		 * it to mirror readiness, and a blocking read would hang. */
		arg |= O_NONBLOCK;
	}
	if (cmd == F_GETFL && hlp_peek(fd) != NULL)
		return get_fl(fd);
	/* A dup() by another name (python's os.dup()). */
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return dup_track(fd, hlp_libc.fcntl(fd, cmd, arg));
	return hlp_libc.fcntl(fd, cmd, arg);
}

/* <fcntl.h> names the function above fcntl64; programs call either. */
EXPORT int hlp_fcntl_plain(int fd, int cmd, ...) __asm__("fcntl");

EXPORT int
hlp_fcntl_plain(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return fcntl(fd, cmd, arg);
}

EXPORT int
ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	struct hl_conn *c;
	int sd;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (hlp_peek(fd) != NULL && req == FIONBIO && arg != NULL) {
		set_nonblock(fd, *(int *)arg != 0);
		return 0;
	}
	if (hlp_peek(fd) != NULL && req == FIONREAD && arg != NULL &&
	    which_now(fd, &c, &sd) == OURS) {
		static __thread char peek[65536];
		ssize_t n = hl_sock_recv(c, sd, peek, sizeof(peek),
					 MSG_PEEK | MSG_DONTWAIT);

		*(int *)arg = n < 0 ? 0 : (int)n;
		return n < 0 && errno != EAGAIN ? -1 : 0;
	}
	return hlp_libc.ioctl(fd, req, arg);
}

EXPORT int
dup(int fd)
{
	return dup_track(fd, hlp_libc.dup(fd));
}

/* newfd, if ours, stops being ours: dup2/dup3 close it first. */
static void
dup_over(int newfd)
{
	if (hlp_peek(newfd) != NULL) {
		struct hlp_obj *o = hlp_get(newfd);
		struct hl_conn *c = NULL;
		int sd = -1, last;

		if (o == NULL)
			return;
		last = hlp_drop(newfd, o);
		if (o->kind == HLP_HOSTLANE) {
			c = hlp_conn_of(o, -1);
			sd = o->sd;
		}
		pthread_mutex_unlock(&hlp_mu);
		mirror_off(c, sd, last);
		if (last)
			free(o);
	}
}

EXPORT int
dup2(int fd, int newfd)
{
	if (fd == newfd)
		return hlp_libc.dup2(fd, newfd);
	dup_over(newfd);
	return dup_track(fd, hlp_libc.dup2(fd, newfd));
}

EXPORT int
dup3(int fd, int newfd, int flags)
{
	if (fd != newfd)
		dup_over(newfd);
	return dup_track(fd, hlp_libc.dup3(fd, newfd, flags));
}
