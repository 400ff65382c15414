/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame handlers: what happens to the frames a guest sends.
 *
 * Each guest names one handler in the config. The handler's rx runs on the
 * guest's I/O lcore with a burst of frames just copied out of the guest's
 * ring, and must consume every mbuf (send, hand on or free). Handlers:
 * `hostlane` (the request pipeline for EtherType 0x88B5, the PV switch for
 * the rest: pipeline.c), `switch` (the PV switch only), `echo`, `drop`.
 * Fast path: no syscalls, locks, allocations or logs.
 */
#ifndef DP_HANDLER_H
#define DP_HANDLER_H

#include <stdint.h>

struct dp_guest;
struct rte_mbuf;

struct dp_handler {
	const char *name;
	const char *help;
	void (*rx)(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n);
};

/** The handler called name, or NULL. */
const struct dp_handler *dp_handler_find(const char *name);

/** Every handler name, comma-separated, for messages. */
const char *dp_handler_names(void);

#endif /* DP_HANDLER_H */
