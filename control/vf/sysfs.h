/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sysfs as untrusted text, for the VF inventory (inventory.c, sriov.c).
 *
 * Every reader takes a full path and, on failure, returns a negative errno
 * with err filled as one line that starts with the path. Files are opened
 * without following a final symlink and without blocking, and must be
 * regular files (sysfs attributes are): a FIFO or a link where an attribute
 * belongs is refused, not waited on. Contents are bounded, and any control
 * byte in them is refused before a caller sees it. Main lcore; no state.
 */
#ifndef CTL_VF_SYSFS_H
#define CTL_VF_SYSFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/** Format a path into out (PATH_MAX bytes); -ENAMETOOLONG if it is cut. */
int vf_sysfs_path(char out[PATH_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Read an attribute: at most cap - 1 bytes, one trailing newline dropped.
 *  @return 0, -ENOENT (absent), -EFBIG (longer), -EINVAL (control bytes,
 *  not a regular file), -ELOOP (a symlink), or another -errno. */
int vf_sysfs_read(const char *path, char *buf, size_t cap, char *err,
		  size_t errlen);

/** Read a decimal attribute no larger than max ("8\n"). -EINVAL: garbage. */
int vf_sysfs_read_uint(const char *path, unsigned long max, unsigned long *out,
		       char *err, size_t errlen);

/** The last component of a symlink's target ("../../bus/pci/drivers/ice"
 *  → "ice"), at most cap - 1 bytes of [A-Za-z0-9_.:-], not "." or "..".
 *  @return 0, -ENOENT (no link there), -EINVAL (not a link, a bad name). */
int vf_sysfs_link_name(const char *path, char *out, size_t cap, char *err,
		       size_t errlen);

/** Do two paths resolve to the same place? -errno (with err) if one does
 *  not resolve, 0 if they differ, 1 if they are the same. */
int vf_sysfs_same(const char *a, const char *b, char *err, size_t errlen);

/** Write one value to an existing attribute (never creates a file).
 *  @return 0 or -errno, err naming the path and the value. */
int vf_sysfs_write(const char *path, const char *val, char *err, size_t errlen);

/** Is s a PCI address in the kernel's spelling, "0000:3b:00.1"? */
bool vf_sysfs_is_dbdf(const char *s);

#endif /* CTL_VF_SYSFS_H */
