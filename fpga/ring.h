/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Run a backend's jobs on another lcore: a link of two SP/SC rte_rings
 * between one submitting lcore (an I/O lcore) and one serving lcore (a
 * function worker).
 *
 * The submitting side uses fpga_ring_link_ctx() like any context: its
 * submit enqueues job copies, its poll dequeues completions; both keep the
 * fast-path rules. The serving side calls fpga_ring_link_serve() in its
 * loop, which runs the jobs on a context of the target backend that only
 * it touches, and sends the completions back. Jobs in flight on a link never
 * exceed the depth it was created with, so neither ring can overflow.
 * Create and free on the main lcore, before launch and after both lcores
 * stopped.
 */
#ifndef HOSTLANE_FPGA_RING_H
#define HOSTLANE_FPGA_RING_H

#include "accel.h"

struct fpga_ring_link;

/**
 * @param target  the backend the worker runs jobs on (e.g. "sw").
 * @param conf    depth, NUMA node (of the worker) and limits.
 * @param name    unique, for the rings' names (≤ 20 chars).
 * @return the link, or NULL with errno = EINVAL or ENOMEM.
 */
struct fpga_ring_link *fpga_ring_link_create(const struct fpga_backend_ops *target,
					     const struct fpga_ctx_conf *conf,
					     const char *name);

/** The submitting side's context; owned by the link. */
struct fpga_ctx *fpga_ring_link_ctx(struct fpga_ring_link *l);

/**
 * The serving side: move jobs through the target backend and completions
 * back. Fast path, the serving lcore only.
 * @return jobs and completions moved (0 when idle).
 */
unsigned int fpga_ring_link_serve(struct fpga_ring_link *l);

/** Free a link and its contexts; NULL is fine. */
void fpga_ring_link_free(struct fpga_ring_link *l);

#endif /* HOSTLANE_FPGA_RING_H */
