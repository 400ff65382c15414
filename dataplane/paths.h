/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The files hostlane owns — its runtime directory, the guests' memif and
 * vhost-user sockets, the control socket, the metrics file — created and
 * checked the same way everywhere.
 *
 * Design note. Sockets hostlane owns are compared by their canonical path
 * (dp_path_canon()), so two spellings of one file are one file. A socket
 * file found where hostlane is about to listen is removed only when a
 * connect() to it is refused — it is left over from a run that died;
 * a socket someone listens on is never taken over, and nothing but a
 * socket is ever removed. Sockets are created owner-only (umask 0177 for
 * the bind) and then given their mode, so they are never open wider than
 * configured. Files are written through a directory fd opened and checked
 * once, with O_CREAT|O_EXCL|O_NOFOLLOW, then renamed into place.
 *
 * No DPDK: used before rte_eal_init() (config, start-up checks), on the
 * main lcore (sockets) and on the metrics writer's thread (dp_path_write_at()).
 * Every function returns 0 (or an fd) or -errno; those that take err fill
 * it with one line naming the path on failure. The umask is process-wide:
 * while a socket is bound other threads create files owner-only, so a
 * file that needs another mode sets it with fchmod().
 */
#ifndef DP_PATHS_H
#define DP_PATHS_H

#include <stddef.h>
#include <sys/types.h>

/** The umask sockets are bound under: owner read/write only. */
#define DP_PATH_PRIVATE_UMASK 0177

/**
 * The canonical form of an absolute path whose last component may not
 * exist yet: its directory resolved with realpath() (a tail of that
 * directory that does not exist yet is normalised by name: "." and ".."
 * and repeated slashes), then "/" and the last component as given.
 * @return 0, or -EINVAL (not absolute, or the last component is empty,
 *   "." or ".."), -ENAMETOOLONG (the result does not fit cap), or the
 *   errno of realpath() other than ENOENT (ENOTDIR, EACCES, ELOOP).
 */
int dp_path_canon(const char *path, char *out, size_t cap);

/**
 * Make path free for a socket of this type to be bound: nothing there;
 * or a socket file nobody listens on (connect() refused), which is
 * removed. Never removes anything else.
 * @param type  SOCK_STREAM or SOCK_SEQPACKET (flags are ignored).
 * @return 0; -EADDRINUSE when something listens on it (err names the
 *   process when it can: "pid 1234 (hostlane)"); -EEXIST when it is not a
 *   socket; -ENAMETOOLONG; or the errno that kept us from telling.
 */
int dp_path_sock_claim(const char *path, int type, char *err, size_t errlen);

/**
 * dp_path_sock_claim(), then a non-blocking, close-on-exec socket bound
 * and listening at path, with exactly mode (and group gid unless
 * (gid_t)-1). Bound owner-only, so it is never open wider than mode.
 * @return the listening fd, or -errno with err filled.
 */
int dp_path_sock_listen(const char *path, int type, mode_t mode, gid_t gid,
			int backlog, char *err, size_t errlen);

/**
 * Check hostlane's runtime directory, creating it when absent (mode 0700,
 * or 0750 with group gid when gid is not (gid_t)-1). It must be a real
 * directory (not a symlink), owned by our effective uid, not writable by
 * others, and group-writable only when its group is gid (the control
 * group).
 * @return 0, or -errno with err a line "runtime dir DIR: problem".
 */
int dp_path_runtime_dir(const char *dir, gid_t gid, char *err, size_t errlen);

/**
 * Open a directory hostlane will write files into, and check it: owned by
 * our effective uid or root, not writable by group or others unless it has
 * the sticky bit (as /tmp has).
 * @return a directory fd (O_CLOEXEC), or -errno with err filled.
 */
int dp_path_dir_open(const char *dir, char *err, size_t errlen);

/**
 * Replace file name in dirfd with data: write name.tmp (a leftover one is
 * removed first; it is created O_EXCL|O_NOFOLLOW, so a file or symlink
 * planted there makes this fail, never redirects it), give it mode, then
 * rename it over name. A reader sees the old file or the new one.
 * @return 0 or -errno (-ENAMETOOLONG when name.tmp does not fit NAME_MAX).
 */
int dp_path_write_at(int dirfd, const char *name, const void *data, size_t len,
		     mode_t mode);

/**
 * Split an absolute path into its directory and its last component.
 * @return a pointer to the last component inside path, with its directory
 *   in dir ("/" for a file at the root), or NULL (not absolute, or dir
 *   too small).
 */
const char *dp_path_split(const char *path, char *dir, size_t cap);

/** Write a message into err (printf-style, cut to errlen) and return rc:
 *  the error convention of these path functions, for their callers too. */
int dp_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* DP_PATHS_H */
