/* SPDX-License-Identifier: BSD-3-Clause */
/* A scripted QMP server for the client's tests: one unix socket, blocking
 * I/O with a receive timeout (a client bug fails a case, never hangs it).
 * The client under test never blocks, so one thread drives both. */
#ifndef HOSTLANE_TESTS_FAKE_QMP_H
#define HOSTLANE_TESTS_FAKE_QMP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

struct fake_qmp {
	int lfd;			/**< listening */
	int fd;				/**< the accepted client, -1 if none */
	char path[108];
	size_t in_len;
	char in[65536];
};

static inline int
fake_listen(struct fake_qmp *f, const char *dir, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	f->fd = -1;
	f->in_len = 0;
	snprintf(f->path, sizeof(f->path), "%s/%s", dir, name);
	memcpy(sa.sun_path, f->path, sizeof(f->path));
	unlink(f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(f->lfd, 4) != 0)
		return -errno;
	return 0;
}

/* The client has connected (its connect() returned): take it. */
static inline int
fake_accept(struct fake_qmp *f)
{
	struct timeval tv = { .tv_sec = 5 };

	f->fd = accept(f->lfd, NULL, NULL);
	if (f->fd < 0)
		return -errno;
	setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	f->in_len = 0;
	return 0;
}

static inline void
fake_send(struct fake_qmp *f, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = send(f->fd, s, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static inline void
fake_greet(struct fake_qmp *f)
{
	fake_send(f, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, "
		  "\"minor\": 2, \"major\": 7}, \"package\": \"\"}, "
		  "\"capabilities\": [\"oob\"]}}\r\n");
}

/* The client's next message (it must have been written already), or NULL
 * after the receive timeout. The caller json_decrefs it. */
static inline json_t *
fake_recv(struct fake_qmp *f)
{
	for (;;) {
		char *nl = memchr(f->in, '\n', f->in_len);
		ssize_t n;

		if (nl != NULL) {
			size_t len = (size_t)(nl - f->in) + 1;
			json_t *m = json_loadb(f->in, len - 1, 0, NULL);

			memmove(f->in, f->in + len, f->in_len - len);
			f->in_len -= len;
			return m;
		}
		if (f->in_len == sizeof(f->in))
			return NULL;
		n = recv(f->fd, f->in + f->in_len, sizeof(f->in) - f->in_len, 0);
		if (n <= 0)
			return NULL;
		f->in_len += (size_t)n;
	}
}

/* Read one command, check its name, return its id (-1 if not it). */
static inline long long
fake_expect(struct fake_qmp *f, const char *cmd, json_t **args)
{
	json_t *m = fake_recv(f);
	const char *got = json_string_value(json_object_get(m, "execute"));
	long long id = -1;

	if (got != NULL && strcmp(got, cmd) == 0 &&
	    json_is_integer(json_object_get(m, "id")))
		id = json_integer_value(json_object_get(m, "id"));
	if (args != NULL)
		*args = json_incref(json_object_get(m, "arguments"));
	json_decref(m);
	return id;
}

static inline void
fake_reply(struct fake_qmp *f, long long id, const char *ret)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "{\"return\": %s, \"id\": %lld}\r\n", ret, id);
	fake_send(f, buf);
}

static inline void
fake_drop(struct fake_qmp *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static inline void
fake_close(struct fake_qmp *f)
{
	fake_drop(f);
	if (f->lfd >= 0)
		close(f->lfd);
	f->lfd = -1;
	unlink(f->path);
}

#endif /* HOSTLANE_TESTS_FAKE_QMP_H */
