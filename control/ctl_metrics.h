/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition of hostlane's counters, for `hostlanectl
 * metrics` and for node_exporter's textfile collector.
 *
 * The file writer is a control thread of its own (rte_ctrl_thread_create,
 * so never on a dataplane core): every interval it formats the snapshot the
 * main lcore last published (ctl_snap.h) and replaces the file atomically —
 * it writes PATH.tmp, then renames it over PATH — so a reader never sees a
 * half-written file. The main lcore does no file I/O for it.
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

/**
 * Write text to path atomically (path.tmp, then rename).
 * @return 0 or -errno.
 */
int ctl_metrics_write_file(const char *path, const char *text);

/**
 * Start writing the published snapshot to path every interval_ms.
 * Main lcore, after ctl_snap_pub_init().
 * @return the writer, or NULL with errno = EINVAL (path not absolute,
 *   interval below CTL_METRICS_MIN_MS), ENOMEM, or pthread's errno.
 */
struct ctl_metrics_writer *ctl_metrics_writer_start(const char *path,
						    unsigned int interval_ms);

/** Stop the writer and wait for it; NULL is fine. The file is left. */
void ctl_metrics_writer_stop(struct ctl_metrics_writer *w);

#endif /* CTL_METRICS_H */
