/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: libhostlane-preload.so, the LD_PRELOAD shim that serves an
 * unmodified program's sockets through libhostlane (docs/sockets.md).
 *
 * Design note. Every hostlane socket is backed by a local eventfd whose fd
 * number the program sees, so poll/select/epoll work on a mix of hostlane
 * and ordinary fds with no help: the pump thread's notify callback keeps
 * the eventfd's counter so that it reads as the socket's readiness
 * (hlp_fd.c, hlp_mirror()). The fd table maps an fd number to a struct
 * hlp_obj (one per socket, shared by dup()s); an fd with no entry is not
 * ours and every call on it goes straight to libc. A socket the policy
 * may not serve until it sees an address (HOSTLANE_SOCK_PORTS/ADDRS) is a
 * placeholder until bind/connect/sendto: then it becomes a hostlane socket,
 * or a kernel socket dup2()ed over the placeholder's number, its options
 * replayed either way.
 *
 * Threads. The table is an array of atomic pointers: a call on an fd that
 * is not ours costs one atomic load, no lock. Entries change, and objects
 * are read and freed, under hlp_mu; no libhostlane call is made while it
 * is held (libhostlane's own close()/read() come back through the shim).
 *
 * fork. The child inherits the fds but not the connection (its memory is
 * the parent's): hostlane fds inherited fail in the child with EBADF (one
 * line on stderr), closing them only closes the eventfd; new sockets in the
 * child get a connection of their own.
 */
#ifndef HLP_H
#define HLP_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#include "hostlane/sock.h"

#define HLP_FD_MAX 65536	/* fds above are never ours */
#define HLP_OPTS_MAX 8		/* options a placeholder remembers */

enum hlp_kind { HLP_PLACEHOLDER = 1, HLP_HOSTLANE };

struct hlp_opt {
	int level, name;
	socklen_t len;
	uint8_t val[HL_SOCK_OPT_MAX];
};

/** One socket, shared by the fds dup()ed from it. */
struct hlp_obj {
	enum hlp_kind kind;
	int sd;			/* hostlane socket, HLP_HOSTLANE */
	int efd;		/* the fd its readiness mirror writes
				   through: the first, then a dup() of it
				   when that one is closed (hlp_drop()) */
	uint32_t gen;		/* connection generation it belongs to */
	int refs;		/* fds pointing at it */
	int domain, type, protocol;	/* placeholder: for the real socket */
	int nonblock;
	unsigned int nopts;
	struct hlp_opt opts[HLP_OPTS_MAX];
};

/** What the shim does when hostlane cannot serve a socket. */
enum hlp_fallback { HLP_FB_KERNEL, HLP_FB_FAIL };

/* libc, from dlsym(RTLD_NEXT). */
struct hlp_libc {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	ssize_t (*sendto)(int, const void *, size_t, int,
			  const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
			    socklen_t *);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*writev)(int, const struct iovec *, int);
	int (*shutdown)(int, int);
	int (*close)(int);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*fcntl)(int, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
};

extern struct hlp_libc hlp_libc;

/* hlp_policy.c: the environment's policy. */
struct hlp_policy;
int hlp_policy_load(void);		/* 0, or -1: shim off (no URI) */
int hlp_policy_family(int domain);	/* 1: hostlane may serve it */
int hlp_policy_lazy(void);		/* 1: decide at bind/connect */
int hlp_policy_bind(const struct sockaddr *a, socklen_t len);
int hlp_policy_dest(const struct sockaddr *a, socklen_t len);
enum hlp_fallback hlp_policy_fallback(void);
const char *hlp_policy_uri(void);
/** The memif secret (HOSTLANE_SOCK_SECRET), or NULL for none. */
const char *hlp_policy_secret(void);
/* HOSTLANE_SOCK_TX_WINDOW in bytes, or -1 (not set: libhostlane's). */
long hlp_policy_tx_window(void);
/* Parsers, for the unit test: 0 or -1. */
int hlp_parse_ports(const char *s, uint16_t lo[], uint16_t hi[], unsigned *n,
		    unsigned max);
int hlp_parse_cidrs(const char *s, struct hlp_policy *p);

#endif /* HLP_H */
