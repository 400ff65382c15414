/* SPDX-License-Identifier: BSD-3-Clause */
/* The shim's fd table, connection, readiness mirror and fork (hlp.h). */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hlp.h"
#include "hlp_int.h"

struct hlp_libc hlp_libc;
pthread_mutex_t hlp_mu = PTHREAD_MUTEX_INITIALIZER;
static struct hlp_obj *_Atomic tab[HLP_FD_MAX];
/* sd -> fd of its eventfd + 1 (0: none), for the mirror; fixed, since
 * the pump reads it from its notify callback without hlp_mu. */
static int sd_fd[65536];
static struct hl_conn *conn;
static uint32_t conn_gen = 1;	/* bumped in a fork child */
static int active = -1;		/* -1 unknown, 0 off, 1 on */
static int absent;		/* hostlane said no: stay quiet after */

#define SYM(n) hlp_libc.n = (__typeof__(hlp_libc.n))dlsym(RTLD_NEXT, #n)

__attribute__((constructor)) static void
hlp_init(void)
{
	SYM(socket); SYM(bind); SYM(listen); SYM(accept4); SYM(connect);
	SYM(sendto); SYM(sendmsg); SYM(recvfrom); SYM(recvmsg); SYM(read);
	SYM(write); SYM(readv); SYM(writev); SYM(shutdown); SYM(close);
	SYM(setsockopt); SYM(getsockopt); SYM(getsockname); SYM(getpeername);
	SYM(fcntl); SYM(ioctl); SYM(dup); SYM(dup2); SYM(dup3);
	active = hlp_policy_load() == 0;
	pthread_atfork(NULL, NULL, hlp_forked);
}

int
hlp_on(void)
{
	return active == 1;
}

struct hlp_obj *
hlp_peek(int fd)
{
	if (fd < 0 || fd >= HLP_FD_MAX)
		return NULL;
	return __atomic_load_n(&tab[fd], __ATOMIC_ACQUIRE);
}

/* fd's object, or NULL; with hlp_mu held on success. */
struct hlp_obj *
hlp_get(int fd)
{
	struct hlp_obj *o;

	if (hlp_peek(fd) == NULL)
		return NULL;
	pthread_mutex_lock(&hlp_mu);
	o = hlp_peek(fd);
	if (o == NULL)
		pthread_mutex_unlock(&hlp_mu);
	return o;
}

void
hlp_put(int fd, struct hlp_obj *o)
{
	if (o != NULL)
		o->refs++;
	__atomic_store_n(&tab[fd], o, __ATOMIC_RELEASE);
}

static int sd_fd_get(int sd);

/*
 * Drop fd's entry (hlp_mu held): 1 if it was the object's last fd. If the
 * readiness mirror wrote through fd and a dup() of it lives on, it writes
 * through that one from now on: fd's number may soon name another file
 * of the program (the caller closes fd after this), which the mirror must
 * never read or write. A scan of the table: closing one of several fds
 * of a socket is rare.
 */
int
hlp_drop(int fd, struct hlp_obj *o)
{
	__atomic_store_n(&tab[fd], NULL, __ATOMIC_RELEASE);
	if (--o->refs == 0)
		return 1;
	if (o->kind == HLP_HOSTLANE && sd_fd_get(o->sd) == fd) {
		for (int i = 0; i < HLP_FD_MAX; i++)
			if (__atomic_load_n(&tab[i], __ATOMIC_RELAXED) == o) {
				hlp_bind_sd(o->sd, i);
				o->efd = i;
				break;
			}
	}
	return 0;
}

/* ---- the readiness mirror --------------------------------------------- */

/*
 * An eventfd polls readable while its counter is > 0 and writable while it
 * is below 0xfffffffffffffffe: counter 1 = IN and OUT, the maximum = IN
 * only, 0 = OUT only. "Neither" cannot be shown: it reads as OUT (a send
 * then gets EAGAIN).
 */
static void
mirror(int efd, uint32_t mask)
{
	int in = (mask & (HL_SOCK_EV_IN | HL_SOCK_EV_ERR | HL_SOCK_EV_HUP |
			  HL_SOCK_EV_RDHUP)) != 0;
	uint64_t v, want = !in ? 0 : (mask & HL_SOCK_EV_OUT) ? 1 :
			   0xfffffffffffffffeull;

	(void)!hlp_libc.read(efd, &v, sizeof(v));	/* counter to 0 */
	if (want != 0)
		(void)!hlp_libc.write(efd, &want, sizeof(want));
}

static void
on_notify(void *arg, int sd, uint32_t mask)
{
	int fd = sd_fd_get(sd);

	(void)arg;
	if (fd >= 0)
		mirror(fd, mask);
}

/* The fd sd's mirror writes through, or -1. */
static int
sd_fd_get(int sd)
{
	if (sd < 0 || sd >= 65536)
		return -1;
	return __atomic_load_n(&sd_fd[sd], __ATOMIC_ACQUIRE) - 1;
}

/* The mirror of sd is fd's eventfd from now on (-1: none). */
int
hlp_bind_sd(int sd, int fd)
{
	if (sd < 0 || sd >= 65536)
		return -1;
	__atomic_store_n(&sd_fd[sd], fd + 1, __ATOMIC_RELEASE);
	return 0;
}

/* ---- the connection --------------------------------------------------- */

static void
say_absent(const char *why)
{
	if (!absent)
		fprintf(stderr, "hostlane-preload: hostlane at %s not usable "
			"(%s); sockets %s\n", hlp_policy_uri(), why,
			hlp_policy_fallback() == HLP_FB_KERNEL ?
			"fall back to the kernel" : "fail with ENETDOWN");
	absent = 1;
}

/* The process's connection, made on first use; NULL if hostlane is not
 * there (said once on stderr). Not under hlp_mu. */
struct hl_conn *
hlp_conn(uint32_t *gen)
{
	static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;
	struct hl_opts o;
	struct hl_conn *c;
	int rc;

	pthread_mutex_lock(&cmu);
	if (conn == NULL && !absent) {
		hl_opts_init(&o);
		o.name = "hostlane-preload";
		rc = hl_connect(hlp_policy_uri(), hlp_policy_secret(), &o, &c);
		if (rc != HL_OK) {
			say_absent(hl_connect_reason()[0] ? hl_connect_reason()
							  : hl_strerror(rc));
		} else if (hl_sock_pump_start(c) != 0) {
			say_absent("cannot start its thread");
			hl_disconnect(c);
		} else {
			hl_sock_set_notify(c, on_notify, NULL);
			if (hlp_policy_tx_window() >= 0)
				(void)hl_sock_set_tx_window(c, (uint32_t)hlp_policy_tx_window());
			conn = c;
		}
	}
	c = conn;
	*gen = conn_gen;
	pthread_mutex_unlock(&cmu);
	return c;
}

/* hostlane sockets made before a fork are the parent's: the child forgets
 * the connection (its memory is shared with the parent: never touch it)
 * and makes its own on its next socket. */
void
hlp_forked(void)
{
	conn = NULL;
	conn_gen++;
	absent = 0;
	pthread_mutex_init(&hlp_mu, NULL);
}

/* c, if o belongs to this process's current connection; else NULL and a
 * line on stderr (fd >= 0) or silence (fd < 0: closing). */
struct hl_conn *
hlp_conn_of(const struct hlp_obj *o, int fd)
{
	if (o->gen == conn_gen && conn != NULL)
		return conn;
	if (fd >= 0)
		fprintf(stderr, "hostlane-preload: fd %d is a hostlane socket of the "
		"parent process (fork); not usable here\n", fd);
	return NULL;
}

/* A new eventfd for a socket: its fd, or -1. */
int
hlp_efd(int nonblock, int cloexec)
{
	(void)nonblock;
	/* The eventfd itself never blocks: reads of the program go to
	 * libhostlane, the counter is ours. */
	return eventfd(0, EFD_NONBLOCK | (cloexec ? EFD_CLOEXEC : 0));
}

void
hlp_mirror_now(struct hl_conn *c, int sd, int efd)
{
	int m = hl_sock_events(c, sd);

	if (m >= 0)
		mirror(efd, (uint32_t)m);
}
