/* SPDX-License-Identifier: BSD-3-Clause */
/* hostlane's own files: canonical paths, sockets, runtime dir, safe writes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "paths.h"

int
dp_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
dp_path_split(const char *path, char *dir, size_t cap)
{
	const char *last = strrchr(path, '/');
	size_t n;

	if (path[0] != '/' || last == NULL)
		return NULL;
	n = last == path ? 1 : (size_t)(last - path);
	if (n >= cap)
		return NULL;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return last + 1;
}

/* Append component c (not "", ".", "..") to the canonical out. */
static int
push(char *out, size_t cap, const char *c, size_t len)
{
	size_t n = strlen(out);

	if (strcmp(out, "/") == 0)
		n = 0;
	if (n + 1 + len >= cap)
		return -ENAMETOOLONG;
	out[n] = '/';
	memcpy(out + n + 1, c, len);
	out[n + 1 + len] = '\0';
	return 0;
}

static void
pop(char *out)
{
	char *last = strrchr(out, '/');

	if (last == out)
		out[1] = '\0';
	else if (last != NULL)
		*last = '\0';
}

/*
 * realpath() of dir's longest prefix that exists, then the rest by name:
 * what does not exist yet holds no symlink, so its "." and ".." mean what
 * they say.
 */
static int
resolve_dir(char *dir, char *out, size_t cap)
{
	char real[PATH_MAX];
	size_t end = strlen(dir);
	struct stat st;
	const char *p;
	int rc = 0;

	for (;;) {
		char keep = dir[end];

		dir[end] = '\0';
		if (realpath(dir, real) != NULL) {
			dir[end] = keep;
			break;
		}
		rc = errno;
		dir[end] = keep;
		if (rc != ENOENT)
			return -rc;
		while (end > 1 && dir[end - 1] == '/')
			end--;
		while (end > 1 && dir[end - 1] != '/')
			end--;
	}
	rc = 0;
	if (stat(real, &st) == 0 && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (strlen(real) >= cap)
		return -ENAMETOOLONG;
	strcpy(out, real);
	for (p = dir + end; *p != '\0' && rc >= 0;) {
		size_t len = strcspn(p, "/");

		if (len == 2 && strncmp(p, "..", 2) == 0)
			pop(out);
		else if (len > 0 && !(len == 1 && p[0] == '.'))
			rc = push(out, cap, p, len);
		p += len + (p[len] == '/');
	}
	return rc < 0 ? rc : 0;
}

int
dp_path_canon(const char *path, char *out, size_t cap)
{
	char dir[PATH_MAX];
	const char *base = dp_path_split(path, dir, sizeof(dir));
	int rc;

	if (base == NULL)
		return path[0] == '/' ? -ENAMETOOLONG : -EINVAL;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return -EINVAL;
	rc = resolve_dir(dir, out, cap);
	return rc < 0 ? rc : push(out, cap, base, strlen(base));
}

/* "pid 1234 (hostlane)" for the process that listens on the connected fd. */
static void
peer_name(int fd, char *who, size_t cap)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	char path[64], comm[32] = "";
	ssize_t n = -1;
	int f;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.pid <= 0) {
		snprintf(who, cap, "another process");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)cr.pid);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f >= 0) {
		n = read(f, comm, sizeof(comm) - 1);
		close(f);
	}
	comm[n > 0 ? n : 0] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	/* A process names itself: keep the log line one printable line. */
	for (char *c = comm; *c != '\0'; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	snprintf(who, cap, "%spid %d (%s)", cr.pid == getpid() ? "this hostlane, " : "",
		 (int)cr.pid, comm[0] != '\0' ? comm : "?");
}

/*
 * Is anyone listening on the socket file at path? 0: no (connect refused,
 * or the file went away); -EADDRINUSE: yes, who says who; else -errno.
 */
static int
probe_listener(const char *path, int type, char *who, size_t cap)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return -errno;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ? 0 : -errno;
	if (rc == 0)
		peer_name(fd, who, cap);
	else if (rc == -EAGAIN || rc == -EINPROGRESS)
		snprintf(who, cap, "a process whose accept queue is full");
	else if (rc == -EPROTOTYPE)
		snprintf(who, cap, "a socket of another type");
	close(fd);
	if (rc == -ECONNREFUSED || rc == -ENOENT)
		return 0;
	if (rc == 0 || rc == -EAGAIN || rc == -EINPROGRESS || rc == -EPROTOTYPE)
		return -EADDRINUSE;
	return rc;
}

int
dp_path_sock_claim(const char *path, int type, char *err, size_t errlen)
{
	char who[96];
	struct stat st;
	int rc;

	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return dp_errf(err, errlen, -ENAMETOOLONG, "%s: too long for a socket path",
			       path);
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : dp_errf(err, errlen, -errno,
			"%s: cannot look at it: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return dp_errf(err, errlen, -EEXIST, "%s: exists and is not a socket; "
			       "not removed", path);
	rc = probe_listener(path, type, who, sizeof(who));
	if (rc == -EADDRINUSE)
		return dp_errf(err, errlen, rc, "%s: in use by %s%s; not taken over", path,
			       who, strstr(who, " (hostlane)") != NULL &&
			       strncmp(who, "this ", 5) != 0 ?
			       ", another hostlane on the same runtime dir?" : "");
	if (rc < 0)
		return dp_errf(err, errlen, rc, "%s: cannot tell whether something "
			       "listens on it (%s); not removed", path, strerror(-rc));
	/* Left by a run that died: nobody listens. */
	if (unlink(path) < 0 && errno != ENOENT)
		return dp_errf(err, errlen, -errno, "%s: cannot remove the stale socket: %s",
			       path, strerror(errno));
	return 0;
}

int
dp_path_sock_listen(const char *path, int type, mode_t mode, gid_t gid,
		    int backlog, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, rc;

	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	rc = dp_path_sock_claim(path, type, err, errlen);
	if (rc < 0)
		return rc;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return dp_errf(err, errlen, -errno, "%s: cannot create a socket: %s", path,
			       strerror(errno));
	old = umask(DP_PATH_PRIVATE_UMASK);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0) {
		rc = -errno;
		close(fd);
		return dp_errf(err, errlen, rc, "%s: cannot bind: %s", path, strerror(-rc));
	}
	if ((gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0) ||
	    chmod(path, mode) < 0 || listen(fd, backlog) < 0) {
		rc = -errno;
		dp_errf(err, errlen, rc, "%s: cannot set up the socket: %s", path,
			strerror(-rc));
		close(fd);
		unlink(path);
		return rc;
	}
	return fd;
}

/* What is wrong with the runtime directory, or NULL. */
static const char *
runtime_dir_problem(const struct stat *st, gid_t gid, char *buf, size_t cap)
{
	mode_t mode = st->st_mode & 07777;

	if (S_ISLNK(st->st_mode))
		return "is a symlink; give the real directory";
	if (!S_ISDIR(st->st_mode))
		return "is not a directory";
	if (st->st_uid != geteuid()) {
		snprintf(buf, cap, "owned by uid %u, not by hostlane's uid %u",
			 (unsigned int)st->st_uid, (unsigned int)geteuid());
		return buf;
	}
	if (mode & S_IWOTH) {
		snprintf(buf, cap, "writable by every user (mode %04o)", (unsigned int)mode);
		return buf;
	}
	if ((mode & S_IWGRP) && (gid == (gid_t)-1 || st->st_gid != gid)) {
		snprintf(buf, cap, "writable by group %u (mode %04o); only the "
			 "control_group may have write access", (unsigned int)st->st_gid,
			 (unsigned int)mode);
		return buf;
	}
	return NULL;
}

int
dp_path_runtime_dir(const char *dir, gid_t gid, char *err, size_t errlen)
{
	mode_t want = gid != (gid_t)-1 ? 0750 : 0700;
	const char *why;
	struct stat st;
	char buf[128];

	if (mkdir(dir, want) == 0) {
		/* Ours: its exact mode, whatever the umask. */
		if ((gid != (gid_t)-1 && chown(dir, (uid_t)-1, gid) < 0) ||
		    chmod(dir, want) < 0)
			return dp_errf(err, errlen, -errno, "runtime dir %s: cannot set its "
				       "mode: %s", dir, strerror(errno));
	} else if (errno != EEXIST) {
		return dp_errf(err, errlen, -errno, "runtime dir %s: cannot create it: %s",
			       dir, strerror(errno));
	}
	if (lstat(dir, &st) < 0)
		return dp_errf(err, errlen, -errno, "runtime dir %s: %s", dir,
			       strerror(errno));
	why = runtime_dir_problem(&st, gid, buf, sizeof(buf));
	return why == NULL ? 0 : dp_errf(err, errlen, -EPERM, "runtime dir %s: %s; "
					 "refused", dir, why);
}

int
dp_path_dir_open(const char *dir, char *err, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	mode_t mode;

	if (fd < 0)
		return dp_errf(err, errlen, -errno, "%s: cannot open the directory: %s",
			       dir, strerror(errno));
	if (fstat(fd, &st) < 0) {
		close(fd);
		return dp_errf(err, errlen, -errno, "%s: %s", dir, strerror(errno));
	}
	mode = st.st_mode & 07777;
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		close(fd);
		return dp_errf(err, errlen, -EPERM, "directory %s: owned by uid %u, neither "
			       "hostlane's uid %u nor root; refused", dir,
			       (unsigned int)st.st_uid, (unsigned int)geteuid());
	}
	if ((mode & (S_IWGRP | S_IWOTH)) && !(mode & S_ISVTX)) {
		close(fd);
		return dp_errf(err, errlen, -EPERM, "directory %s: writable by others "
			       "(mode %04o) and not sticky; refused", dir, (unsigned int)mode);
	}
	return fd;
}

int
dp_path_write_at(int dirfd, const char *name, const void *data, size_t len,
		 mode_t mode)
{
	char tmp[NAME_MAX + 1];
	const char *p = data;
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if (unlinkat(dirfd, tmp, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0)
		rc = -errno;
	while (rc == 0 && len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno != EINTR)
			rc = -errno;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		rc = -errno;
	if (rc < 0)
		unlinkat(dirfd, tmp, 0);
	return rc;
}
