/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading and writing sysfs attributes and links as untrusted text. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"

/* What a file held, fit to print: control bytes and quotes as '?'. */
static void
printable(const char *s, size_t n, char *out, size_t cap)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap; i++)
		out[i] = (unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f ||
			 s[i] == '\'' ? '?' : s[i];
	out[i] = '\0';
}

int
vf_sysfs_path(char out[PATH_MAX], const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, PATH_MAX, fmt, ap);
	va_end(ap);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int
open_attr(const char *path, int flags, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	int rc;

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path,
			 rc == -ENOENT ? "missing" : rc == -ELOOP ?
			 "a symlink where an attribute belongs" : strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	return fd;
}

int
vf_sysfs_read(const char *path, char *buf, size_t cap, char *err, size_t errlen)
{
	size_t n = 0;
	ssize_t r;
	int fd = open_attr(path, O_RDONLY, err, errlen);

	if (fd < 0)
		return fd;
	do {
		r = read(fd, buf + n, cap - n);
		n += r > 0 ? (size_t)r : 0;
	} while (r > 0 && n < cap);
	close(fd);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	if (n == cap) {
		snprintf(err, errlen, "%s: longer than %zu bytes", path, cap - 1);
		return -EFBIG;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] == 0x7f) {
			snprintf(err, errlen, "%s: control byte 0x%02x at byte %zu",
				 path, (unsigned char)buf[i], i + 1);
			return -EINVAL;
		}
	return 0;
}

int
vf_sysfs_read_uint(const char *path, unsigned long max, unsigned long *out,
		   char *err, size_t errlen)
{
	char buf[32], shown[sizeof(buf)];
	unsigned long v = 0;
	size_t i;
	int rc = vf_sysfs_read(path, buf, sizeof(buf), err, errlen);

	if (rc < 0)
		return rc;
	for (i = 0; isdigit((unsigned char)buf[i]) && v <= max; i++)
		v = v * 10 + (unsigned long)(buf[i] - '0');
	if (i == 0 || buf[i] != '\0' || v > max) {
		printable(buf, strlen(buf), shown, sizeof(shown));
		snprintf(err, errlen, "%s: '%s' is not a number in [0, %lu]", path,
			 shown, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static bool
link_name_ok(const char *s)
{
	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_.:-", *s) == NULL)
			return false;
	return true;
}

int
vf_sysfs_link_name(const char *path, char *out, size_t cap, char *err,
		   size_t errlen)
{
	char target[PATH_MAX], shown[64];
	const char *base;
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n < 0) {
		int rc = errno == EINVAL ? -EINVAL : -errno;

		snprintf(err, errlen, "%s: %s", path, rc == -ENOENT ? "missing" :
			 rc == -EINVAL ? "not a symlink" : strerror(-rc));
		return rc;
	}
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base == NULL ? target : base + 1;
	if (!link_name_ok(base) || strlen(base) >= cap) {
		printable(target, (size_t)n, shown, sizeof(shown));
		snprintf(err, errlen, "%s: link to '%s' does not end in a name", path,
			 shown);
		return -EINVAL;
	}
	memcpy(out, base, strlen(base) + 1);
	return 0;
}

static int
resolve(const char *path, char out[PATH_MAX], const char *absent, char *err,
	size_t errlen)
{
	int rc;

	if (realpath(path, out) != NULL)
		return 0;
	rc = -errno;
	snprintf(err, errlen, "%s: %s", path, rc == -ENOENT ? absent : strerror(-rc));
	return rc;
}

int
vf_sysfs_same(const char *a, const char *b, char *err, size_t errlen)
{
	char ra[PATH_MAX], rb[PATH_MAX];
	int rc = resolve(a, ra, "points at nothing (vanished?)", err, errlen);

	if (rc == 0)
		rc = resolve(b, rb, "missing", err, errlen);
	return rc < 0 ? rc : strcmp(ra, rb) == 0;
}

int
vf_sysfs_write(const char *path, const char *val, char *err, size_t errlen)
{
	size_t n = strlen(val);
	ssize_t w;
	int fd = open_attr(path, O_WRONLY | O_TRUNC, err, errlen), rc = 0;

	if (fd < 0)
		return fd;
	w = write(fd, val, n);
	if (w != (ssize_t)n)
		rc = w < 0 ? -errno : -EIO;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc < 0)
		snprintf(err, errlen, "%s: writing '%.*s': %s", path,
			 (int)strcspn(val, "\n"), val, strerror(-rc));
	return rc;
}

bool
vf_sysfs_is_dbdf(const char *s)
{
	static const char shape[] = "xxxx:xx:xx.x";

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	return strtoul(s + 8, NULL, 16) <= 0x1f && s[11] <= '7';
}
