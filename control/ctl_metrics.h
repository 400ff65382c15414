/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition of hostlane's counters, for `hostlanectl
 * metrics` and for node_exporter's textfile collector.
 *
 * The file writer is a control thread of its own (rte_ctrl_thread_create,
 * so never on a dataplane core): every interval it formats the snapshot the
 * main lcore last published (ctl_snap.h) and replaces the file atomically —
 * it writes PATH.tmp, then renames it over PATH — so a reader never sees a
 * half-written file. Each write opens and checks the directory (it may be
 * created after start) and creates the temporary file through that fd,
 * O_EXCL|O_NOFOLLOW (dp_path_write_at()), so a file or symlink planted at
 * PATH.tmp never redirects the write. The main lcore does no file I/O
 * for it.
 */
#ifndef CTL_METRICS_H
#define CTL_METRICS_H

#include "ctl_snap.h"

struct ctl_metrics_writer;

/** Shortest interval the writer accepts, in ms. */
#define CTL_METRICS_MIN_MS 100

/**
 * The Prometheus text of a snapshot: HELP and TYPE lines, counters named
 * hostlane_*_total, labels guest="...", port="...", function="...".
 * @return malloc'd text, or NULL with errno = ENOMEM.
 */
char *ctl_metrics_text(const struct ctl_snap *s);

/** The metrics file's mode: node_exporter reads it as another user. */
#define CTL_METRICS_MODE 0644

/**
 * Start writing the published snapshot to path every interval_ms.
 * Main lcore, after ctl_snap_pub_init(). path's directory must be owned by
 * hostlane's user or root and not writable by others unless sticky
 * (dp_path_dir_open()): checked now if it exists, and at every write.
 * @return the writer, or NULL with errno = EINVAL (path not absolute,
 *   interval below CTL_METRICS_MIN_MS), EPERM (the directory), ENOMEM,
 *   or pthread's errno; err says which in one line.
 */
struct ctl_metrics_writer *ctl_metrics_writer_start(const char *path,
						    unsigned int interval_ms,
						    char *err, size_t errlen);

/** Stop the writer and wait for it; NULL is fine. The file is left. */
void ctl_metrics_writer_stop(struct ctl_metrics_writer *w);

#endif /* CTL_METRICS_H */
