/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket: accept, read lines, write replies, time clients out. */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl_cmds.h"
#include "ctl_metrics.h"
#include "ctl_server.h"
#include "ctl_telemetry.h"
#include "ctl_vf.h"
#include "log.h"
#include "memif_srv.h"
#include "paths.h"

/* Work per poll, so that one busy client cannot hold the main lcore. */
#define ACCEPTS_PER_POLL 16
#define LINES_PER_POLL 8
#define EVENTS_PER_POLL 32

struct ctl_client {
	int fd;				/**< -1: slot free */
	bool closing;			/**< close once out is sent */
	bool eof;			/**< the client sent all it will */
	bool more;			/**< complete lines left in `in` */
	bool waiting;			/**< for a deferred reply (fpga load) */
	uint64_t deadline_ms;
	size_t in_len;
	char *out;			/**< reply being sent, or NULL */
	size_t out_len;
	size_t out_off;
	char in[CTL_LINE_MAX];
};

struct ctl_server {
	struct ctl_ctx ctx;
	int epfd;
	int listen_fd;
	unsigned int timeout_ms;
	unsigned int n_clients;
	uint64_t last_warn_ms;
	struct ctl_metrics_writer *metrics;
	struct ctl_client *waiter;	/**< whom the deferred reply goes to */
	struct ctl_client clients[CTL_MAX_CLIENTS];
};

static void
client_close(struct ctl_server *s, struct ctl_client *c)
{
	close(c->fd);		/* also leaves the epoll set */
	free(c->out);
	if (s->waiter == c)
		s->waiter = NULL;	/* the reply, when it comes, is dropped */
	c->waiting = false;
	c->fd = -1;
	c->out = NULL;
	s->n_clients--;
}

/* Listen for input, or for room to send while a reply is pending. */
static void
client_arm(struct ctl_server *s, struct ctl_client *c)
{
	/* Waiting for a deferred reply: nothing to read or send; a hang-up
	 * is still reported. */
	struct epoll_event ev = { .events = c->waiting ? 0 : c->out != NULL ?
					    EPOLLOUT : EPOLLIN,
				  .data.ptr = c };

	epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Send what we can of the pending reply. @return false if the client broke. */
static bool
client_flush(struct ctl_server *s, struct ctl_client *c)
{
	while (c->out != NULL) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		c->out_off += (size_t)n;
		if (c->out_off == c->out_len) {
			free(c->out);
			c->out = NULL;
			c->deadline_ms = dp_now_ms() + s->timeout_ms;
		}
	}
	return true;
}

static void
client_reply(struct ctl_client *c, char *line)
{
	free(c->out);
	c->out = line;
	c->out_len = line != NULL ? strlen(line) : 0;
	c->out_off = 0;
	if (line == NULL)
		c->closing = true;	/* out of memory: nothing sensible to say */
}

/* The command's reply comes later (ctl_fpga_poll()): serve nothing more
 * of this client meanwhile; its own time limit is the command's. */
static void
client_defer(struct ctl_server *s, struct ctl_client *c)
{
	s->ctx.deferred = false;
	c->closing = false;
	c->waiting = true;
	s->waiter = c;
}

/* Serve complete lines in `in`, at most LINES_PER_POLL, one reply at a time. */
static void
client_lines(struct ctl_server *s, struct ctl_client *c)
{
	unsigned int served = 0;
	char *nl;

	c->more = false;
	while (c->out == NULL && !c->closing && !c->waiting &&
	       (nl = memchr(c->in, '\n', c->in_len)) != NULL) {
		size_t len = (size_t)(nl - c->in);

		if (served++ == LINES_PER_POLL) {
			c->more = true;
			return;
		}
		client_reply(c, ctl_dispatch(&s->ctx, c->in, len));
		memmove(c->in, nl + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
		c->deadline_ms = dp_now_ms() + s->timeout_ms;
		if (s->ctx.deferred)
			client_defer(s, c);
		if (!client_flush(s, c))
			c->closing = true;
	}
	if (c->out == NULL && !c->closing && !c->waiting &&
	    c->in_len == sizeof(c->in)) {
		char msg[64];

		snprintf(msg, sizeof(msg), "a request line is at most %d bytes",
			 CTL_LINE_MAX);
		client_reply(c, ctl_error_line(CTL_E_TOO_LONG, msg));
		c->closing = true;
		client_flush(s, c);
	}
}

/* Read what has arrived. @return false at end of input or on error. */
static bool
client_read(struct ctl_client *c)
{
	while (c->in_len < sizeof(c->in)) {
		ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
				 MSG_DONTWAIT);

		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		c->in_len += (size_t)n;
	}
	return true;
}

/* End of input: a last line without its newline is still served. */
static void
client_eof(struct ctl_server *s, struct ctl_client *c)
{
	if (c->in_len > 0 && c->in_len < sizeof(c->in) &&
	    memchr(c->in, '\n', c->in_len) == NULL) {
		c->in[c->in_len++] = '\n';
		client_lines(s, c);
	}
	if (!c->waiting)
		c->closing = true;
}

static void
client_event(struct ctl_server *s, struct ctl_client *c, uint32_t events)
{
	if (c->waiting) {
		if (events & (EPOLLHUP | EPOLLERR))
			client_close(s, c);	/* gone: the reply is dropped */
		else
			client_arm(s, c);
		return;
	}
	if (c->out != NULL && !client_flush(s, c)) {
		client_close(s, c);
		return;
	}
	/* Read only between replies: a client that does not read its
	 * replies gets no more served. */
	if (c->out == NULL && !c->eof && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		c->eof = !client_read(c);
	if (c->out == NULL && !c->closing)
		client_lines(s, c);
	if (c->eof && c->out == NULL && !c->more && !c->closing && !c->waiting)
		client_eof(s, c);
	if (c->out == NULL && c->closing) {
		client_close(s, c);
		return;
	}
	client_arm(s, c);
}

static struct ctl_client *
free_client(struct ctl_server *s)
{
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->clients[i].fd < 0)
			return &s->clients[i];
	return NULL;
}

/* Past CTL_MAX_CLIENTS: say so (best effort, never waiting) and close. */
static void
refuse_busy(struct ctl_server *s, int fd)
{
	char *line = ctl_error_line(CTL_E_BUSY, "too many control clients; try again");
	uint64_t now = dp_now_ms();

	if (line != NULL)
		(void)!send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL);
	free(line);
	close(fd);
	if (now - s->last_warn_ms >= 1000) {
		DP_LOG(WARNING, "control: %d clients already; refusing more",
		       CTL_MAX_CLIENTS);
		s->last_warn_ms = now;
	}
}

static void
accept_clients(struct ctl_server *s)
{
	for (unsigned int k = 0; k < ACCEPTS_PER_POLL; k++) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_client *c;
		struct epoll_event ev = { .events = EPOLLIN };

		if (fd < 0)
			return;
		c = free_client(s);
		if (c == NULL) {
			refuse_busy(s, fd);
			continue;
		}
		*c = (struct ctl_client){ .fd = fd,
					  .deadline_ms = dp_now_ms() + s->timeout_ms };
		ev.data.ptr = c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			c->fd = -1;
			continue;
		}
		s->n_clients++;
	}
}

/* Drop clients past their deadline: no full line, or a reply not read. */
static void
expire_clients(struct ctl_server *s, uint64_t now)
{
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->clients[i];
		char *line;

		if (c->fd < 0 || c->waiting)
			continue;
		if (c->more && c->out == NULL) {
			client_event(s, c, EPOLLIN);
			continue;
		}
		if (now < c->deadline_ms)
			continue;
		/* Say why unless a reply is stuck (best effort, never waiting). */
		line = c->out == NULL ? ctl_error_line(CTL_E_TIMEOUT,
				"no complete request line in time") : NULL;
		if (line != NULL)
			(void)!send(c->fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL);
		free(line);
		client_close(s, c);
	}
}

/* A deferred reply is ready: send it and serve the client on. */
static void
deliver_deferred(struct ctl_server *s)
{
	char *line = ctl_fpga_poll(&s->ctx);
	struct ctl_client *c = s->waiter;

	if (line == NULL)
		line = ctl_move_poll(&s->ctx);
	if (line == NULL)
		return;
	if (c == NULL) {
		free(line);
		return;
	}
	s->waiter = NULL;
	c->waiting = false;
	client_reply(c, line);
	c->deadline_ms = dp_now_ms() + s->timeout_ms;
	if (!client_flush(s, c))
		c->closing = true;
	client_event(s, c, 0);
}

void
ctl_server_poll(void *arg)
{
	struct ctl_server *s = arg;
	struct epoll_event evs[EVENTS_PER_POLL];
	int n = epoll_wait(s->epfd, evs, EVENTS_PER_POLL, 0);

	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr == NULL)
			accept_clients(s);
		else if (((struct ctl_client *)evs[i].data.ptr)->fd >= 0)
			client_event(s, evs[i].data.ptr, evs[i].events);
	}
	deliver_deferred(s);
	ctl_vf_tick(s->ctx.vf, dp_now_ms());
	expire_clients(s, dp_now_ms());
	ctl_snap_publish(s->ctx.app, s->ctx.mgr, s->ctx.vf);
}

int
ctl_server_fd(const struct ctl_server *s)
{
	return s->epfd;
}

/* Owner-only, or 0660 with a group; never taken over from a live owner. */
static int
listen_socket(const char *path, const char *group, char *err, size_t errlen)
{
	char why[DP_ERR_MAX];
	struct group *gr = NULL;
	int fd;

	if (group != NULL && (gr = getgrnam(group)) == NULL) {
		snprintf(err, errlen, "control: no group '%s'", group);
		return -ENOENT;
	}
	fd = dp_path_sock_listen(path, SOCK_STREAM, gr != NULL ? 0660 : 0600,
				 gr != NULL ? gr->gr_gid : (gid_t)-1, SOMAXCONN,
				 why, sizeof(why));
	if (fd < 0)
		snprintf(err, errlen, "control: %s", why);
	return fd;
}

static int
server_open(struct ctl_server *s, const struct ctl_server_conf *conf,
	    char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	/* Its length and its clash with other sockets are checked with the
	 * config (config.c). */
	snprintf(s->ctx.socket_path, sizeof(s->ctx.socket_path), "%s",
		 s->ctx.app->cfg->control_socket);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return -errno;
	s->listen_fd = listen_socket(s->ctx.socket_path, conf->group, err, errlen);
	if (s->listen_fd < 0)
		return s->listen_fd;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->listen_fd, &ev) < 0)
		return -errno;
	return 0;
}

static int
server_extras(struct ctl_server *s, const struct ctl_server_conf *conf,
	      char *err, size_t errlen)
{
	char why[DP_ERR_MAX];
	int rc = ctl_snap_pub_init(s->ctx.app->cfg);

	if (rc < 0)
		return rc;
	ctl_snap_publish(s->ctx.app, s->ctx.mgr, s->ctx.vf);
	rc = ctl_telemetry_register();
	if (rc < 0) {
		snprintf(err, errlen, "control: cannot register telemetry: %s",
			 strerror(-rc));
		return rc;
	}
	if (conf->metrics_file == NULL)
		return 0;
	s->metrics = ctl_metrics_writer_start(conf->metrics_file,
					      conf->metrics_interval_ms, why,
					      sizeof(why));
	if (s->metrics == NULL) {
		rc = -errno;
		snprintf(err, errlen, "control: %s", why);
	}
	return rc;
}

struct ctl_server *
ctl_server_create(struct dp_app *app, struct ctl_mgr *mgr,
		  const struct ctl_server_conf *conf, char *err, size_t errlen)
{
	struct ctl_server *s = calloc(1, sizeof(*s));
	int rc;

	snprintf(err, errlen, "control: out of memory");
	if (s == NULL)
		return NULL;
	s->ctx.app = app;
	s->ctx.mgr = mgr;
	s->ctx.vf = conf->vf;
	s->epfd = -1;
	s->listen_fd = -1;
	s->timeout_ms = conf->idle_timeout_ms ? conf->idle_timeout_ms :
			CTL_IDLE_TIMEOUT_MS;
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	s->ctx.snap = ctl_snap_alloc(app->cfg);
	rc = s->ctx.snap == NULL ? -ENOMEM : server_open(s, conf, err, errlen);
	if (rc == 0)
		rc = server_extras(s, conf, err, errlen);
	if (rc < 0) {
		ctl_server_free(s);
		errno = -rc;
		return NULL;
	}
	DP_LOG(INFO, "control: listening on %s (%s)", s->ctx.socket_path,
	       conf->group != NULL ? "0660" : "0600");
	return s;
}

void
ctl_server_free(struct ctl_server *s)
{
	if (s == NULL)
		return;
	ctl_metrics_writer_stop(s->metrics);
	ctl_snap_pub_fini();
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (s->clients[i].fd >= 0)
			client_close(s, &s->clients[i]);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->ctx.socket_path);
	}
	if (s->epfd >= 0)
		close(s->epfd);
	ctl_snap_free(s->ctx.snap);
	free(s);
}
