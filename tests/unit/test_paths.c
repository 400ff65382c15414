/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of paths.c: canonical paths, socket claims, runtime dir, writes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>

#include "paths.h"
#include "unit_check.h"

static char top[64];		/* this run's directory, real (no symlink) */

static const char *
at(const char *name)
{
	static char buf[8][PATH_MAX];
	static unsigned int k;
	char *p = buf[k++ % RTE_DIM(buf)];

	snprintf(p, PATH_MAX, "%s/%s", top, name);
	return p;
}

/* ---- canonical paths ----------------------------------------------------- */

static void
canon_is(const char *what, const char *path, const char *want)
{
	char out[PATH_MAX];
	int rc = dp_path_canon(path, out, sizeof(out));

	CHECK(what, rc == 0, "%s: rc %d", path, rc);
	if (rc == 0)
		CHECK(what, strcmp(out, want) == 0, "%s: '%s', want '%s'", path, out, want);
}

static void
canon_fails(const char *what, const char *path, int want)
{
	char out[PATH_MAX];
	int rc = dp_path_canon(path, out, sizeof(out));

	CHECK(what, rc == want, "%s: rc %d, want %d", path, rc, want);
}

static void
test_canon(void)
{
	char lnk[PATH_MAX + 32], want[PATH_MAX + 32];

	canon_is("root file", "/a.sock", "/a.sock");
	canon_is("missing dir", "/nonexistent-hl/x/a.sock", "/nonexistent-hl/x/a.sock");
	canon_is("missing dir, . and ..", "/nonexistent-hl/x/../y/./a.sock",
		 "/nonexistent-hl/y/a.sock");
	canon_is("repeated slashes", "//nonexistent-hl///x//a.sock",
		 "/nonexistent-hl/x/a.sock");
	canon_is(".. above the root", "/../../nonexistent-hl/a.sock",
		 "/nonexistent-hl/a.sock");
	canon_is("existing dir", at("real/a.sock"), at("real/a.sock"));
	canon_is("through a symlinked dir", at("link/a.sock"), at("real/a.sock"));
	canon_is("through a symlink, then missing", at("link/new/../b/a.sock"),
		 at("real/b/a.sock"));
	/* sublink/.. is the parent of sublink's target, not `top`: the kernel's
	 * view, not the spelling's. */
	snprintf(lnk, sizeof(lnk), "%s/../a.sock", at("sublink"));
	snprintf(want, sizeof(want), "%s/a.sock", at("real"));
	canon_is("an existing .. is the kernel's", lnk, want);
	canon_is("the last component is kept as given (a symlink is not followed)",
		 at("real/sym.sock"), at("real/sym.sock"));
	canon_fails("relative", "run/a.sock", -EINVAL);
	canon_fails("trailing slash", "/tmp/", -EINVAL);
	canon_fails("ends in .", "/tmp/.", -EINVAL);
	canon_fails("ends in ..", "/tmp/..", -EINVAL);
	canon_fails("under a regular file", at("file/a.sock"), -ENOTDIR);
	{
		char out[8];

		CHECK("too small", dp_path_canon("/nonexistent-hl/a.sock", out,
						 sizeof(out)) == -ENAMETOOLONG, "fits?");
	}
}

/* ---- sockets ----------------------------------------------------------- */

static int
bound(const char *path, int type, bool listening)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    (listening && listen(fd, 4) < 0)) {
		perror(path);
		exit(1);
	}
	return fd;
}

static ino_t
inode(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_ino : 0;
}

static void
test_claim(void)
{
	char err[256], who[64];
	const char *p = at("s.sock");
	ino_t ino;
	int fd, rc;

	CHECK("claim: nothing there", dp_path_sock_claim(p, SOCK_STREAM, err,
							 sizeof(err)) == 0, "%s", err);

	/* Stale: bound, then the process "died". */
	close(bound(p, SOCK_SEQPACKET, true));
	rc = dp_path_sock_claim(p, SOCK_SEQPACKET, err, sizeof(err));
	CHECK("claim: stale socket replaced", rc == 0 && inode(p) == 0, "rc %d (%s), %s",
	      rc, err, inode(p) ? "still there" : "gone");

	/* Live: someone listens. Refused, left alone, the listener named. */
	fd = bound(p, SOCK_SEQPACKET, true);
	ino = inode(p);
	err[0] = '\0';
	rc = dp_path_sock_claim(p, SOCK_SEQPACKET, err, sizeof(err));
	snprintf(who, sizeof(who), "pid %d (", (int)getpid());
	CHECK("claim: live socket refused", rc == -EADDRINUSE && inode(p) == ino,
	      "rc %d, inode %lu (was %lu)", rc, (unsigned long)inode(p),
	      (unsigned long)ino);
	CHECK("claim: the error names path and listener", strstr(err, p) != NULL &&
	      strstr(err, who) != NULL && strchr(err, '\n') == NULL, "'%s'", err);
	/* Probed with the other type: still someone's, still refused. */
	rc = dp_path_sock_claim(p, SOCK_STREAM, err, sizeof(err));
	CHECK("claim: live socket of another type refused",
	      rc == -EADDRINUSE && inode(p) == ino, "rc %d (%s)", rc, err);
	rc = dp_path_sock_listen(p, SOCK_SEQPACKET, 0600, (gid_t)-1, 4, err, sizeof(err));
	CHECK("listen: on a live socket refused", rc == -EADDRINUSE && inode(p) == ino,
	      "rc %d (%s)", rc, err);
	close(fd);
	unlink(p);

	fd = bound(p, SOCK_STREAM, true);
	CHECK("claim: a listening stream socket refused",
	      dp_path_sock_claim(p, SOCK_STREAM, err, sizeof(err)) == -EADDRINUSE,
	      "%s", err);
	close(fd);
	unlink(p);

	/* Never anything but a socket. */
	p = at("file");
	ino = inode(p);
	rc = dp_path_sock_claim(p, SOCK_STREAM, err, sizeof(err));
	CHECK("claim: a regular file is kept", rc == -EEXIST && inode(p) == ino &&
	      strstr(err, "not a socket") != NULL, "rc %d (%s)", rc, err);
	p = at("real");
	rc = dp_path_sock_claim(p, SOCK_STREAM, err, sizeof(err));
	CHECK("claim: a directory is kept", rc == -EEXIST && inode(p) != 0, "rc %d", rc);
	/* A symlink to a stale socket is not a socket: kept, and so is its target. */
	close(bound(at("stale.sock"), SOCK_STREAM, true));
	if (symlink(at("stale.sock"), at("sym.sock")) < 0)
		perror("symlink");
	rc = dp_path_sock_claim(at("sym.sock"), SOCK_STREAM, err, sizeof(err));
	CHECK("claim: a symlink to a socket is kept", rc == -EEXIST &&
	      inode(at("sym.sock")) != 0 && inode(at("stale.sock")) != 0, "rc %d", rc);
	unlink(at("sym.sock"));
	unlink(at("stale.sock"));
}

static void
test_listen_mode(void)
{
	static const mode_t modes[] = { 0600, 0660, 0640, 0777, 0 };
	const char *p = at("m.sock");
	char err[256];
	mode_t old = umask(0);

	for (size_t i = 0; i < RTE_DIM(modes); i++) {
		struct stat st;
		int fd = dp_path_sock_listen(p, SOCK_STREAM, modes[i], (gid_t)-1, 4, err,
					     sizeof(err));

		CHECK("listen: mode", fd >= 0 && stat(p, &st) == 0 &&
		      (st.st_mode & 07777) == modes[i] && S_ISSOCK(st.st_mode),
		      "mode %04o under umask 0: fd %d (%s), got %04o", (unsigned int)modes[i],
		      fd, err, fd >= 0 ? (unsigned int)(st.st_mode & 07777) : 0);
		CHECK("listen: umask restored", umask(0) == 0, "umask changed");
		if (fd >= 0)
			close(fd);
	}
	/* The last one was closed, not unlinked: a stale socket, replaced. */
	{
		int fd = dp_path_sock_listen(p, SOCK_STREAM, 0600, (gid_t)-1, 4, err,
					     sizeof(err));

		CHECK("listen: over a stale socket", fd >= 0, "%s", err);
		if (fd >= 0)
			close(fd);
	}
	unlink(p);
	umask(old);
}

/* ---- the runtime directory ----------------------------------------------- */

static void
rt_ok(const char *what, const char *dir, gid_t gid)
{
	char err[256] = "";

	CHECK(what, dp_path_runtime_dir(dir, gid, err, sizeof(err)) == 0, "%s", err);
}

static void
rt_refused(const char *what, const char *dir, gid_t gid, const char *want)
{
	char err[256] = "";
	int rc = dp_path_runtime_dir(dir, gid, err, sizeof(err));

	CHECK(what, rc < 0 && strstr(err, dir) != NULL && strstr(err, want) != NULL &&
	      strchr(err, '\n') == NULL, "rc %d, error '%s' (want '%s')", rc, err, want);
}

static mode_t
mode_of(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 ? st.st_mode & 07777 : 01;
}

static void
test_runtime_dir(void)
{
	mode_t old = umask(0);
	struct stat st;
	gid_t other = getegid() == 0 ? 65534 : 0;

	rt_ok("runtime dir: created", at("rt1"), (gid_t)-1);
	CHECK("runtime dir: created 0700 under umask 0", mode_of(at("rt1")) == 0700,
	      "mode %04o", (unsigned int)mode_of(at("rt1")));
	rt_ok("runtime dir: created for a group", at("rt2"), getegid());
	CHECK("runtime dir: created 0750 for a group", mode_of(at("rt2")) == 0750 &&
	      stat(at("rt2"), &st) == 0 && st.st_gid == getegid(), "mode %04o",
	      (unsigned int)mode_of(at("rt2")));
	rt_ok("runtime dir: an existing 0755 one", at("real"), (gid_t)-1);
	if (symlink(at("rt1"), at("rt-link")) < 0)
		perror("symlink");
	rt_refused("runtime dir: a symlink", at("rt-link"), (gid_t)-1, "symlink");
	rt_refused("runtime dir: a file", at("file"), (gid_t)-1, "not a directory");
	chmod(at("rt1"), 0777);
	rt_refused("runtime dir: world-writable", at("rt1"), (gid_t)-1, "every user");
	chmod(at("rt1"), 01777);
	rt_refused("runtime dir: world-writable and sticky", at("rt1"), (gid_t)-1,
		   "every user");
	chmod(at("rt1"), 0770);
	rt_refused("runtime dir: group-writable, no control group", at("rt1"),
		   (gid_t)-1, "control_group");
	rt_refused("runtime dir: group-writable, another group", at("rt1"), other,
		   "control_group");
	rt_ok("runtime dir: group-writable by the control group", at("rt1"), getegid());
	rt_refused("runtime dir: no parent", at("none/rt"), (gid_t)-1, "cannot create");
	if (geteuid() == 0) {
		chmod(at("rt1"), 0700);
		if (chown(at("rt1"), 65534, 65534) < 0)
			perror("chown");
		rt_refused("runtime dir: someone else's", at("rt1"), (gid_t)-1, "uid 65534");
	}
	umask(old);
}

/* ---- files written through a checked directory ----------------------------- */

static char *
slurp(const char *p)
{
	static char buf[256];
	FILE *f = fopen(p, "r");
	size_t n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static void
spit(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(p);
		exit(1);
	}
}

static void
test_write(void)
{
	mode_t old = umask(0);
	char err[256];
	int dfd, rc;

	mkdir(at("w"), 0755);
	dfd = dp_path_dir_open(at("w"), err, sizeof(err));
	CHECK("dir: a 0755 one", dfd >= 0, "%s", err);
	if (dfd < 0)
		return;
	rc = dp_path_write_at(dfd, "m.prom", "one\n", 4, 0644);
	CHECK("write: a new file", rc == 0 && strcmp(slurp(at("w/m.prom")), "one\n") == 0 &&
	      mode_of(at("w/m.prom")) == 0644 && inode(at("w/m.prom.tmp")) == 0,
	      "rc %d, '%s', mode %04o", rc, slurp(at("w/m.prom")),
	      (unsigned int)mode_of(at("w/m.prom")));
	/* A symlink planted at the temporary name: removed, never followed. */
	spit(at("victim"), "precious\n");
	if (symlink(at("victim"), at("w/m.prom.tmp")) < 0)
		perror("symlink");
	rc = dp_path_write_at(dfd, "m.prom", "two\n", 4, 0644);
	CHECK("write: a planted tmp symlink is not followed", rc == 0 &&
	      strcmp(slurp(at("victim")), "precious\n") == 0 &&
	      strcmp(slurp(at("w/m.prom")), "two\n") == 0, "rc %d, victim '%s'", rc,
	      slurp(at("victim")));
	/* The target itself a symlink: replaced, its target untouched. */
	unlink(at("w/m.prom"));
	if (symlink(at("victim"), at("w/m.prom")) < 0)
		perror("symlink");
	rc = dp_path_write_at(dfd, "m.prom", "three\n", 6, 0644);
	CHECK("write: a symlink at the target is replaced, not followed", rc == 0 &&
	      strcmp(slurp(at("victim")), "precious\n") == 0 &&
	      strcmp(slurp(at("w/m.prom")), "three\n") == 0 &&
	      mode_of(at("w/m.prom")) == 0644, "rc %d, victim '%s'", rc,
	      slurp(at("victim")));
	/* Something at the temporary name that cannot be removed: fails, no write. */
	mkdir(at("w/m.prom.tmp"), 0700);
	rc = dp_path_write_at(dfd, "m.prom", "four\n", 5, 0644);
	CHECK("write: a directory at the temporary name fails", rc < 0 &&
	      strcmp(slurp(at("w/m.prom")), "three\n") == 0, "rc %d", rc);
	rmdir(at("w/m.prom.tmp"));
	close(dfd);

	chmod(at("w"), 0777);
	dfd = dp_path_dir_open(at("w"), err, sizeof(err));
	CHECK("dir: world-writable refused", dfd == -EPERM && strstr(err, "0777"), "%d %s",
	      dfd, err);
	chmod(at("w"), 0775);
	dfd = dp_path_dir_open(at("w"), err, sizeof(err));
	CHECK("dir: group-writable refused", dfd == -EPERM, "%d %s", dfd, err);
	chmod(at("w"), 01777);
	dfd = dp_path_dir_open(at("w"), err, sizeof(err));
	CHECK("dir: sticky and world-writable (like /tmp)", dfd >= 0, "%s", err);
	if (dfd >= 0)
		close(dfd);
	dfd = dp_path_dir_open(at("file"), err, sizeof(err));
	CHECK("dir: a file refused", dfd == -ENOTDIR, "%d %s", dfd, err);
	if (geteuid() == 0) {
		chmod(at("w"), 0755);
		if (chown(at("w"), 65534, 65534) < 0)
			perror("chown");
		dfd = dp_path_dir_open(at("w"), err, sizeof(err));
		CHECK("dir: someone else's refused", dfd == -EPERM &&
		      strstr(err, "uid 65534"), "%d %s", dfd, err);
	}
	umask(old);
}

int
main(void)
{
	char cmd[128];

	snprintf(top, sizeof(top), "/tmp/hl-unit-paths-XXXXXX");
	if (mkdtemp(top) == NULL || mkdir(at("real"), 0755) < 0 ||
	    mkdir(at("real/sub"), 0755) < 0 || symlink(at("real"), at("link")) < 0 ||
	    symlink(at("real/sub"), at("sublink")) < 0) {
		perror(top);
		return 1;
	}
	spit(at("file"), "a file\n");
	test_canon();
	test_claim();
	test_listen_mode();
	test_runtime_dir();
	test_write();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", top);
	printf("paths: %d failure(s)\n", failures);
	return failures == 0 ? 0 : 1;
}
