/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * libhostlane sockets: a guest's socket calls performed by the host on host
 * sockets (vCanal; the SOCK_* requests of hostlane/proto.h). A mirror of the
 * BSD calls on a struct hl_conn: the same arguments, the same results (>= 0,
 * or -1 with errno set to what Linux would give for the call), on small
 * socket descriptors ("sd", >= 0) private to the connection.
 *
 * Blocking. A socket blocks unless it was made with SOCK_NONBLOCK or
 * hl_sock_set_nonblock() (or MSG_DONTWAIT on one call). A blocking call asks
 * the host to hold it (HL_SOCK_WAIT_FOREVER, or SO_RCVTIMEO / SO_SNDTIMEO
 * in ms: those two options are kept here, never sent) and waits for the
 * reply at least that long; a non-blocking one asks for no wait, so the
 * host answers EAGAIN / EINPROGRESS at once. Sends and receives larger than
 * one frame (HL_SOCK_DATA_MAX) travel through the connection's bulk area
 * (struct hl_opts.bulk_bytes / bulk_slot; one call moves up to a slot), so
 * a 128 KiB write is one request with the default 256 KiB slots.
 *
 * Sends that return at once. On a connected stream (connected or accepted
 * through this layer, or after its first send) a send copies its bytes
 * into requests (a frame up to HL_SOCK_DATA_MAX, bulk slots above) and
 * returns as soon as they are sent to the host, as a
 * kernel send returns once its bytes are in the socket buffer: the host
 * holds each request until its kernel socket took every byte. The bytes
 * in flight per socket are bounded by its window (hl_sock_set_tx_window(),
 * default 1 MiB, at most 8 requests): a blocking send waits for room (up
 * to SO_SNDTIMEO: then the count sent so far, or EAGAIN), a non-blocking
 * one sends what fits or fails with EAGAIN, and HL_SOCK_EV_OUT is clear
 * while the window is full. A request the host fails later (the peer
 * reset the connection, say) leaves its errno on the socket: the next send
 * fails with it, SO_ERROR returns it, and HL_SOCK_EV_ERR is set until
 * then. close, shutdown, setsockopt and getsockopt wait until the window
 * is empty (10 s at most; then they go on, and a send still held by the
 * host fails), so the host sees them after the bytes. A datagram of a
 * frame or less sent to the address of the socket's last datagram send
 * that waited returns at once too; other datagram sends and every send
 * with a window of 0 wait for the host's answer; a blocking
 * one returns only when all its bytes are sent (or an error, or the
 * SO_SNDTIMEO deadline, with the count sent so far).
 *
 * Readiness. Every reply carries the socket's readiness; the host pushes
 * changes through the SOCK_EVENTS long poll, which this layer keeps armed
 * while a thread polls (hl_sock_poll()) or the pump runs. hl_sock_events()
 * gives the last mask known (HL_SOCK_EV_* = EPOLL* bits); a notify callback
 * (hl_sock_set_notify()) hears every change.
 *
 * Threads. Without hl_sock_pump_start(), the socket calls of a connection
 * belong to one thread at a time (the caller spins, then sleeps on the
 * transport, as HL_WAIT_HYBRID does: no thread hop). hl_sock_pump_start()
 * makes every hl_sock_* call safe from any thread: calls take the
 * connection's socket mutex to send and to take replies; a caller waits for
 * its own reply by spinning (taking replies itself, for anyone) and, after
 * spinning, sleeps on a condition variable while one background thread, the
 * pump, sleeps on the transport's interrupt, takes replies and events, and
 * wakes the sleepers. While any caller is spinning the pump stays out of
 * the way (the host need not signal), so a single-threaded program keeps
 * the fast path: it polls its own reply, with no thread hop and no syscall
 * per call while spinning. The pump also keeps SOCK_EVENTS armed, so
 * readiness (and the notify callback) reaches threads that are blocked
 * elsewhere (poll, epoll_wait) while nobody is inside a hostlane call. The
 * function API (hl_fn_*) on the same connection stays owner-thread only and
 * must not run concurrently with socket calls.
 *
 * Host gone. Calls fail with ENETDOWN while the connection is dead, and a
 * socket made before a reconnect fails every call with ECONNRESET (its host
 * socket died with the old host; only hl_sock_close() frees it). A reply
 * the host did not form correctly fails the call with EPROTO; a reply that
 * never came within the wait asked for plus the connection timeout fails
 * it with ETIMEDOUT.
 *
 * Ownership. Socket descriptors are freed by hl_sock_close(), and all of
 * them by hl_disconnect() (which stops the pump first; no socket call may
 * be running then).
 */
#ifndef HOSTLANE_SOCK_H
#define HOSTLANE_SOCK_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "hostlane/hostlane.h"

#ifdef __cplusplus
extern "C" {
#endif

/** socket(2): AF_INET/AF_INET6, SOCK_STREAM/SOCK_DGRAM (| SOCK_NONBLOCK,
 *  SOCK_CLOEXEC ignored), protocol 0, IPPROTO_TCP or IPPROTO_UDP.
 *  @return sd >= 0, or -1: EAFNOSUPPORT, EINVAL, EPROTONOSUPPORT,
 *          EACCES/EMFILE (host policy), ENETDOWN, ENOMEM. */
int hl_sock_socket(struct hl_conn *c, int domain, int type, int protocol);
/** bind(2), listen(2), connect(2) (EINPROGRESS when non-blocking). */
int hl_sock_bind(struct hl_conn *c, int sd, const struct sockaddr *addr,
		 socklen_t len);
int hl_sock_listen(struct hl_conn *c, int sd, int backlog);
int hl_sock_connect(struct hl_conn *c, int sd, const struct sockaddr *addr,
		    socklen_t len);
/** accept4(2): flags SOCK_NONBLOCK (SOCK_CLOEXEC ignored). */
int hl_sock_accept(struct hl_conn *c, int sd, struct sockaddr *addr,
		   socklen_t *len, int flags);
/** send(2)/sendto(2)/sendmsg(2): flags MSG_DONTWAIT, MSG_NOSIGNAL, MSG_MORE
 *  (others: EOPNOTSUPP); sendmsg's iovecs are gathered into one call, its
 *  control data refused (EOPNOTSUPP). The host never raises SIGPIPE. */
ssize_t hl_sock_send(struct hl_conn *c, int sd, const void *buf, size_t len,
		     int flags);
ssize_t hl_sock_sendto(struct hl_conn *c, int sd, const void *buf, size_t len,
		       int flags, const struct sockaddr *to, socklen_t tolen);
ssize_t hl_sock_sendmsg(struct hl_conn *c, int sd, const struct msghdr *m,
			int flags);
/** recv(2)/recvfrom(2)/recvmsg(2): flags MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC,
 *  MSG_WAITALL. recvmsg scatters into its iovecs; no control data
 *  (msg_controllen set to 0). */
ssize_t hl_sock_recv(struct hl_conn *c, int sd, void *buf, size_t len,
		     int flags);
ssize_t hl_sock_recvfrom(struct hl_conn *c, int sd, void *buf, size_t len,
			 int flags, struct sockaddr *from, socklen_t *fromlen);
ssize_t hl_sock_recvmsg(struct hl_conn *c, int sd, struct msghdr *m,
			int flags);
int hl_sock_shutdown(struct hl_conn *c, int sd, int how);
/** close(2): frees sd whatever the host says (the host's error is returned). */
int hl_sock_close(struct hl_conn *c, int sd);
int hl_sock_setsockopt(struct hl_conn *c, int sd, int level, int name,
		       const void *val, socklen_t len);
int hl_sock_getsockopt(struct hl_conn *c, int sd, int level, int name,
		       void *val, socklen_t *len);
int hl_sock_getsockname(struct hl_conn *c, int sd, struct sockaddr *addr,
			socklen_t *len);
int hl_sock_getpeername(struct hl_conn *c, int sd, struct sockaddr *addr,
			socklen_t *len);

/** O_NONBLOCK of sd: set (on != 0) or clear; get returns 0/1 or -1 EBADF. */
int hl_sock_set_nonblock(struct hl_conn *c, int sd, int on);
int hl_sock_get_nonblock(struct hl_conn *c, int sd);

/** The last readiness known of sd (HL_SOCK_EV_*), or -1 with EBADF. */
int hl_sock_events(struct hl_conn *c, int sd);

/** hl_sock_poll() revents: sd is not a socket of c (poll's POLLNVAL). */
#define HL_SOCK_EV_NVAL 0x0020u

/** One entry of hl_sock_poll(), as struct pollfd (EPOLL* bit values). */
struct hl_sock_pollfd {
	int sd;
	uint32_t events;	/**< HL_SOCK_EV_* wanted (ERR/HUP always) */
	uint32_t revents;	/**< set by hl_sock_poll() */
};

/**
 * poll(2) on sockets of c: wait until one of them is ready, up to
 * timeout_ms (< 0: no limit; 0: look at what is known now). @return entries ready, 0 at the timeout, or -1 (errno ENETDOWN,
 * EINVAL).
 */
int hl_sock_poll(struct hl_conn *c, struct hl_sock_pollfd *p, unsigned int n,
		 int timeout_ms);

/**
 * Called, with the socket mutex held, whenever sd's known readiness
 * changes; it must not call hl_sock_* (it may write an eventfd). mask is
 * the whole new mask. NULL: none.
 */
typedef void (*hl_sock_notify_fn)(void *arg, int sd, uint32_t mask);
int hl_sock_set_notify(struct hl_conn *c, hl_sock_notify_fn fn, void *arg);

/**
 * The window of sends that return at once, per socket, for c's sockets
 * (see above): bytes in flight, 0 = every send waits for the host's
 * answer. Takes effect for the next send. @return 0, or -1 (EINVAL: more
 * than 64 MiB; ENOMEM).
 */
int hl_sock_set_tx_window(struct hl_conn *c, uint32_t bytes);

/** Counters of c's socket layer (hl_sock_stats()). */
struct hl_sock_stats {
	uint64_t tx_async;	/**< sends that returned at once */
	uint64_t tx_failed;	/**< ... that the host failed afterwards */
	uint64_t tx_lingered;	/**< close/shutdown/options that stopped
				     waiting for the sends (10 s) */
	uint32_t tx_inflight;	/**< such sends not answered yet, all sockets */
	uint32_t sockets;	/**< sockets open */
};

/** @return 0, or -1 (EINVAL: c or st NULL; ENOMEM). */
int hl_sock_stats(struct hl_conn *c, struct hl_sock_stats *st);

/**
 * Start the pump thread (see Threads above): from then on every hl_sock_*
 * call on c may come from any thread. Call once, from c's owner, before
 * other threads use c. @return 0 or -1 (errno from pthread_create, or
 * ENOMEM).
 */
int hl_sock_pump_start(struct hl_conn *c);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_SOCK_H */
