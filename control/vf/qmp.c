/* SPDX-License-Identifier: BSD-3-Clause */
/* The QMP client: a non-blocking line reader, jansson, ids and events. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qmp.h"

#define QMP_OPEN_MS_DEFAULT 2000
#define QMP_LINE_MIN 256
/* Work per poll, so a flood from QEMU cannot hold the main lcore. */
#define QMP_READS_PER_POLL 4
#define QMP_LINES_PER_POLL 64
#define QMP_MAX_WATCH 4

enum qmp_slot_state { SLOT_FREE, SLOT_WAIT, SLOT_DONE };

struct qmp_pending {
	enum qmp_slot_state st;
	int64_t id;
	uint64_t deadline_ms;
	int rc;				/**< when SLOT_DONE */
	json_t *ret;			/**< when rc == 0 */
	char cmd[QMP_NAME_MAX];
	char err[QMP_ERR_MAX];
};

struct qmp_conn {
	int fd;				/**< -1 once failed */
	enum qmp_state state;
	size_t line_max;
	uint64_t open_deadline_ms;
	unsigned int open_ms;
	int64_t next_id;
	int64_t caps_id;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char err[QMP_ERR_MAX];
	char err_class[QMP_NAME_MAX];
	struct qmp_pending pend[QMP_MAX_PENDING];
	size_t out_len;
	size_t out_off;
	char out[QMP_OUT_MAX];
	size_t in_len;
	size_t in_scanned;		/**< bytes of in known to hold no '\n' */
	char *in;			/**< line_max bytes */
	unsigned int n_watch;
	char watch[QMP_MAX_WATCH][QMP_NAME_MAX];
	unsigned int ev_head;
	unsigned int ev_n;
	struct qmp_event ev[QMP_MAX_EVENTS];
	struct qmp_stats stats;
};

const char *
qmp_state_name(enum qmp_state s)
{
	switch (s) {
	case QMP_CONNECTING: return "connecting";
	case QMP_GREETING: return "greeting";
	case QMP_NEGOTIATING: return "negotiating";
	case QMP_READY: return "ready";
	case QMP_FAILED: return "failed";
	}
	return "?";
}

/* Every command in flight ends with rc and the connection's reason, except
 * the one that timed out (id timed_out), which gets -ETIMEDOUT. */
static void
conn_fail_pending(struct qmp_conn *c, int64_t timed_out)
{
	for (unsigned int i = 0; i < QMP_MAX_PENDING; i++) {
		struct qmp_pending *p = &c->pend[i];

		if (p->st != SLOT_WAIT)
			continue;
		p->st = SLOT_DONE;
		p->rc = p->id == timed_out ? -ETIMEDOUT : -EPIPE;
		snprintf(p->err, sizeof(p->err), "%s", c->err);
	}
}

static void __attribute__((format(printf, 3, 4)))
conn_fail(struct qmp_conn *c, int64_t timed_out, const char *fmt, ...)
{
	va_list ap;

	if (c->state == QMP_FAILED)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = QMP_FAILED;
	c->in_len = 0;
	c->out_len = c->out_off = 0;
	conn_fail_pending(c, timed_out);
}

static struct qmp_pending *
pending_find(struct qmp_conn *c, int64_t id)
{
	for (unsigned int i = 0; i < QMP_MAX_PENDING; i++)
		if (c->pend[i].st != SLOT_FREE && c->pend[i].id == id)
			return &c->pend[i];
	return NULL;
}

static struct qmp_pending *
pending_free_slot(struct qmp_conn *c)
{
	for (unsigned int i = 0; i < QMP_MAX_PENDING; i++)
		if (c->pend[i].st == SLOT_FREE)
			return &c->pend[i];
	return NULL;
}

/* Append one message and its newline to the output buffer. */
static int
out_queue(struct qmp_conn *c, const char *cmd, json_t *args, int64_t id)
{
	json_t *msg = json_object();
	char *text;
	size_t len;
	int rc = 0;

	if (msg == NULL ||
	    json_object_set_new(msg, "execute", json_string(cmd)) != 0 ||
	    json_object_set_new(msg, "id", json_integer(id)) != 0 ||
	    (args != NULL && json_object_set(msg, "arguments", args) != 0)) {
		json_decref(msg);
		return -ENOMEM;
	}
	text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (text == NULL)
		return -ENOMEM;
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	len = strlen(text);
	if (len + 1 > sizeof(c->out) - c->out_len) {
		rc = -ENOBUFS;
	} else {
		memcpy(c->out + c->out_len, text, len);
		c->out[c->out_len + len] = '\n';
		c->out_len += len + 1;
	}
	free(text);
	return rc;
}

static bool
limits_valid(const struct qmp_limits *l)
{
	return l == NULL || l->line_max == 0 ||
	       (l->line_max >= QMP_LINE_MIN && l->line_max <= (64u << 20));
}

static void
conn_connect(struct qmp_conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memcpy(sa.sun_path, c->path, sizeof(c->path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		conn_fail(c, 0, "QMP %s: socket: %s", c->path, strerror(errno));
		return;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		c->state = QMP_GREETING;
		return;
	}
	if (errno == EINPROGRESS) {
		c->state = QMP_CONNECTING;
		return;
	}
	/* EAGAIN on a unix socket: QEMU's backlog is full, not "later". */
	conn_fail(c, 0, "QMP %s: connect: %s", c->path, strerror(errno));
}

struct qmp_conn *
qmp_open(const char *path, const struct qmp_limits *limits, uint64_t now_ms)
{
	struct qmp_conn *c;
	size_t plen = path != NULL ? strnlen(path, sizeof(c->path)) : 0;

	if (plen == 0 || plen >= sizeof(c->path) || !limits_valid(limits)) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->line_max = limits != NULL && limits->line_max != 0 ?
		limits->line_max : QMP_LINE_MAX_DEFAULT;
	c->open_ms = limits != NULL && limits->open_ms != 0 ?
		limits->open_ms : QMP_OPEN_MS_DEFAULT;
	c->in = malloc(c->line_max);
	if (c->in == NULL) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(c->path, path, plen);
	c->fd = -1;
	c->next_id = 1;
	c->open_deadline_ms = now_ms + c->open_ms;
	/* First in the stream, so commands queued early follow it. */
	c->caps_id = c->next_id++;
	if (out_queue(c, "qmp_capabilities", NULL, c->caps_id) != 0) {
		qmp_close(c);
		errno = ENOMEM;
		return NULL;
	}
	c->pend[0] = (struct qmp_pending){ .st = SLOT_WAIT, .id = c->caps_id,
					   .deadline_ms = c->open_deadline_ms,
					   .cmd = "qmp_capabilities" };
	conn_connect(c);
	return c;
}

void
qmp_close(struct qmp_conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	for (unsigned int i = 0; i < QMP_MAX_PENDING; i++)
		json_decref(c->pend[i].ret);
	free(c->in);
	free(c);
}

enum qmp_state
qmp_state(const struct qmp_conn *c)
{
	return c->state;
}

const char *
qmp_path(const struct qmp_conn *c)
{
	return c->path;
}

const char *
qmp_error(const struct qmp_conn *c)
{
	return c->err;
}

const char *
qmp_last_error_class(const struct qmp_conn *c)
{
	return c->err_class;
}

void
qmp_stats(const struct qmp_conn *c, struct qmp_stats *out)
{
	*out = c->stats;
}

/* A non-blocking connect that did not finish at once: done yet? */
static void
conn_check_connected(struct qmp_conn *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (poll(&pfd, 1, 0) <= 0)
		return;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		soerr = errno;
	if (soerr != 0)
		conn_fail(c, 0, "QMP %s: connect: %s", c->path, strerror(soerr));
	else
		c->state = QMP_GREETING;
}

static void
conn_write(struct qmp_conn *c)
{
	while (c->state != QMP_FAILED && c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0) {
			conn_fail(c, 0, "QMP %s: send: %s", c->path,
				  strerror(errno));
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
}

static bool
event_watched(const struct qmp_conn *c, const char *name)
{
	for (unsigned int i = 0; i < c->n_watch; i++)
		if (strcmp(c->watch[i], name) == 0)
			return true;
	return false;
}

static void
event_queue(struct qmp_conn *c, const char *name, const char *device)
{
	struct qmp_event *e;

	if (c->ev_n == QMP_MAX_EVENTS) {
		c->ev_head = (c->ev_head + 1) % QMP_MAX_EVENTS;
		c->ev_n--;
		c->stats.events_dropped++;
	}
	e = &c->ev[(c->ev_head + c->ev_n) % QMP_MAX_EVENTS];
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->device, sizeof(e->device), "%s", device);
	c->ev_n++;
}

/* {"event": NAME, "data": {"device": ID, ...}, "timestamp": ...} */
static void
msg_event(struct qmp_conn *c, json_t *msg)
{
	const char *name = json_string_value(json_object_get(msg, "event"));
	json_t *data = json_object_get(msg, "data");
	const char *device = "";

	c->stats.events++;
	if (name == NULL) {
		conn_fail(c, 0, "QMP %s: an event whose name is not a string",
			  c->path);
		return;
	}
	if (!event_watched(c, name))
		return;
	if (json_is_object(data) &&
	    json_is_string(json_object_get(data, "device")))
		device = json_string_value(json_object_get(data, "device"));
	/* Longer than any id we use: not ours, and never truncated into one. */
	if (strlen(device) >= QMP_NAME_MAX)
		return;
	event_queue(c, name, device);
}

static void
reply_error(struct qmp_conn *c, struct qmp_pending *p, json_t *error)
{
	const char *cls = json_string_value(json_object_get(error, "class"));
	const char *desc = json_string_value(json_object_get(error, "desc"));

	char cmd[QMP_NAME_MAX];

	snprintf(c->err_class, sizeof(c->err_class), "%s",
		 cls != NULL ? cls : "");
	p->rc = -EREMOTEIO;
	memcpy(cmd, p->cmd, sizeof(cmd));
	snprintf(p->err, sizeof(p->err), "%s: %s: %s", cmd,
		 cls != NULL ? cls : "(no class)",
		 desc != NULL ? desc : "(no description)");
}

/* {"return": ..., "id": N} or {"error": {"class", "desc"}, "id": N} */
static void
msg_reply(struct qmp_conn *c, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	json_t *ret = json_object_get(msg, "return");
	json_t *error = json_object_get(msg, "error");
	struct qmp_pending *p;

	if (!json_is_integer(id)) {
		conn_fail(c, 0, "QMP %s: a reply without our id", c->path);
		return;
	}
	p = pending_find(c, json_integer_value(id));
	if (p == NULL || p->st != SLOT_WAIT) {
		conn_fail(c, 0, "QMP %s: a reply to id %lld, which is not in "
			  "flight", c->path, (long long)json_integer_value(id));
		return;
	}
	if ((ret != NULL) == (error != NULL) ||
	    (error != NULL && !json_is_object(error))) {
		conn_fail(c, 0, "QMP %s: a malformed reply to %s", c->path,
			  p->cmd);
		return;
	}
	p->st = SLOT_DONE;
	if (error != NULL) {
		reply_error(c, p, error);
		return;
	}
	p->rc = 0;
	p->ret = json_incref(ret);
}

/* The reply to our qmp_capabilities ends the opening. */
static void
caps_done(struct qmp_conn *c)
{
	struct qmp_pending *p = pending_find(c, c->caps_id);

	if (p == NULL || p->st != SLOT_DONE)
		return;
	if (p->rc != 0) {
		char why[QMP_ERR_MAX];

		snprintf(why, sizeof(why), "%s", p->err);
		conn_fail(c, 0, "QMP %s: capabilities refused: %s", c->path,
			  why);
		return;
	}
	json_decref(p->ret);
	memset(p, 0, sizeof(*p));
	c->state = QMP_READY;
}

static void
msg_greeting(struct qmp_conn *c, json_t *msg)
{
	if (c->state != QMP_GREETING ||
	    !json_is_object(json_object_get(msg, "QMP"))) {
		conn_fail(c, 0, "QMP %s: an unexpected greeting", c->path);
		return;
	}
	c->state = QMP_NEGOTIATING;
}

static void
msg_handle(struct qmp_conn *c, json_t *msg)
{
	if (!json_is_object(msg)) {
		conn_fail(c, 0, "QMP %s: a message that is not an object",
			  c->path);
	} else if (json_object_get(msg, "QMP") != NULL) {
		msg_greeting(c, msg);
	} else if (c->state == QMP_GREETING) {
		conn_fail(c, 0, "QMP %s: no greeting first", c->path);
	} else if (json_object_get(msg, "event") != NULL) {
		msg_event(c, msg);
	} else if (json_object_get(msg, "return") != NULL ||
		   json_object_get(msg, "error") != NULL) {
		msg_reply(c, msg);
		if (c->state == QMP_NEGOTIATING)
			caps_done(c);
	} else {
		conn_fail(c, 0, "QMP %s: a message that is neither a reply "
			  "nor an event", c->path);
	}
}

static bool
line_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static void
line_handle(struct qmp_conn *c, const char *s, size_t len)
{
	json_error_t jerr;
	json_t *msg;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (line_blank(s, len))
		return;
	c->stats.lines++;
	msg = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
	if (msg == NULL) {
		conn_fail(c, 0, "QMP %s: not JSON (%s, at byte %d)", c->path,
			  jerr.text, jerr.position);
		return;
	}
	msg_handle(c, msg);
	json_decref(msg);
}

/* Handle complete lines in `in`, at most QMP_LINES_PER_POLL; true if a
 * complete line is left for the next poll. */
static bool
lines_handle(struct qmp_conn *c)
{
	size_t start = 0;
	unsigned int n = 0;
	bool more = false;

	while (c->state != QMP_FAILED) {
		char *nl = memchr(c->in + c->in_scanned, '\n',
				  c->in_len - c->in_scanned);

		if (nl == NULL) {
			c->in_scanned = c->in_len;
			break;
		}
		if (n++ == QMP_LINES_PER_POLL) {
			more = true;
			break;
		}
		line_handle(c, c->in + start, (size_t)(nl - (c->in + start)));
		start = (size_t)(nl - c->in) + 1;
		c->in_scanned = start;
	}
	if (c->state == QMP_FAILED)
		return false;
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	c->in_scanned -= start;
	return more;
}

static void
conn_read(struct qmp_conn *c)
{
	for (unsigned int i = 0; i < QMP_READS_PER_POLL; i++) {
		ssize_t n;

		if (lines_handle(c) || c->state == QMP_FAILED)
			return;
		if (c->in_len == c->line_max) {
			conn_fail(c, 0, "QMP %s: a line longer than %zu bytes",
				  c->path, c->line_max);
			return;
		}
		n = recv(c->fd, c->in + c->in_len, c->line_max - c->in_len,
			 MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0) {
			conn_fail(c, 0, "QMP %s: recv: %s", c->path,
				  strerror(errno));
			return;
		}
		if (n == 0) {
			if (c->in_len > 0)
				conn_fail(c, 0, "QMP %s: QEMU closed the socket "
					  "in the middle of a message (%zu "
					  "bytes)", c->path, c->in_len);
			else
				conn_fail(c, 0, "QMP %s: QEMU closed the socket",
					  c->path);
			return;
		}
		c->in_len += (size_t)n;
	}
	lines_handle(c);
}

static void
deadlines_check(struct qmp_conn *c, uint64_t now_ms)
{
	if (c->state != QMP_READY && now_ms >= c->open_deadline_ms) {
		conn_fail(c, 0, "QMP %s: not ready within %u ms (%s)%s",
			  c->path, c->open_ms, qmp_state_name(c->state),
			  c->state == QMP_GREETING ?
			  ": no greeting - is another client connected?" : "");
		return;
	}
	for (unsigned int i = 0; i < QMP_MAX_PENDING; i++) {
		struct qmp_pending *p = &c->pend[i];

		/* A late reply would be out of step: the connection goes. */
		if (p->st == SLOT_WAIT && now_ms >= p->deadline_ms) {
			conn_fail(c, p->id, "QMP %s: no reply to %s in time",
				  c->path, p->cmd);
			return;
		}
	}
}

enum qmp_state
qmp_poll(struct qmp_conn *c, uint64_t now_ms)
{
	if (c->state == QMP_CONNECTING)
		conn_check_connected(c);
	if (c->state >= QMP_NEGOTIATING && c->state != QMP_FAILED)
		conn_write(c);
	if (c->state >= QMP_GREETING && c->state != QMP_FAILED) {
		enum qmp_state before = c->state;

		conn_read(c);
		/* The greeting lets the queued capabilities go out now. */
		if (before == QMP_GREETING && c->state == QMP_NEGOTIATING)
			conn_write(c);
	}
	if (c->state != QMP_FAILED)
		deadlines_check(c, now_ms);
	return c->state;
}

int64_t
qmp_send(struct qmp_conn *c, const char *cmd, json_t *args,
	 unsigned int timeout_ms, uint64_t now_ms)
{
	struct qmp_pending *p;
	int64_t id;
	int rc;

	if (cmd == NULL || cmd[0] == '\0' || strlen(cmd) >= QMP_NAME_MAX ||
	    (args != NULL && !json_is_object(args)) || timeout_ms == 0)
		return -EINVAL;
	if (c->state == QMP_FAILED)
		return -EPIPE;
	p = pending_free_slot(c);
	if (p == NULL)
		return -EBUSY;
	id = c->next_id++;
	rc = out_queue(c, cmd, args, id);
	if (rc != 0)
		return rc;
	*p = (struct qmp_pending){ .st = SLOT_WAIT, .id = id,
				   .deadline_ms = now_ms + timeout_ms };
	snprintf(p->cmd, sizeof(p->cmd), "%s", cmd);
	if (c->state >= QMP_NEGOTIATING)
		conn_write(c);
	return id;
}

int
qmp_result(struct qmp_conn *c, int64_t id, json_t **ret, char *err,
	   size_t errlen)
{
	struct qmp_pending *p = pending_find(c, id);
	int rc;

	if (p == NULL || id == c->caps_id) {
		snprintf(err, errlen, "no QMP command %lld", (long long)id);
		return -ENOENT;
	}
	if (p->st == SLOT_WAIT)
		return 1;
	rc = p->rc;
	if (rc != 0)
		snprintf(err, errlen, "%s", p->err);
	if (ret != NULL)
		*ret = p->ret;
	else
		json_decref(p->ret);
	memset(p, 0, sizeof(*p));
	return rc;
}

int
qmp_watch_event(struct qmp_conn *c, const char *name)
{
	if (name == NULL || name[0] == '\0' || strlen(name) >= QMP_NAME_MAX)
		return -EINVAL;
	if (event_watched(c, name))
		return 0;
	if (c->n_watch == QMP_MAX_WATCH)
		return -ENOSPC;
	snprintf(c->watch[c->n_watch++], QMP_NAME_MAX, "%s", name);
	return 0;
}

bool
qmp_take_event(struct qmp_conn *c, const char *name, const char *device,
	       struct qmp_event *out)
{
	for (unsigned int i = 0; i < c->ev_n; i++) {
		unsigned int k = (c->ev_head + i) % QMP_MAX_EVENTS;
		struct qmp_event e = c->ev[k];

		if (strcmp(e.name, name) != 0 ||
		    (device != NULL && strcmp(e.device, device) != 0))
			continue;
		/* Close the gap: later events move one place forward. */
		for (unsigned int j = i; j + 1 < c->ev_n; j++)
			c->ev[(c->ev_head + j) % QMP_MAX_EVENTS] =
				c->ev[(c->ev_head + j + 1) % QMP_MAX_EVENTS];
		c->ev_n--;
		if (out != NULL)
			*out = e;
		return true;
	}
	return false;
}
