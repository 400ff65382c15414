/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: a libhostlane connection over a pluggable frame transport.
 *
 * Design note. conn.c knows frames and request ids, not memif: it talks to
 * its transport through struct hl_transport_ops (memif in transport.c; tests
 * plug in an in-process fake host). One scratch frame per connection serves
 * both directions, since a connection is used by one thread and every send
 * copies the frame into the transport before returning.
 *
 * Threads: every entry point checks hl_conn_check() first.
 */
#ifndef HL_CONN_H
#define HL_CONN_H

#include <pthread.h>
#include <stdint.h>

#include "hl_inflight.h"
#include "hostlane/hostlane.h"

/** A frame transport; every call returns an enum hl_status. */
struct hl_transport_ops {
	/** Queue one frame; may wait up to timeout_ms for ring space. */
	int (*send)(void *tp, const void *frame, uint32_t len, int timeout_ms);
	/** Take one received frame; HL_E_AGAIN if none. */
	int (*recv)(void *tp, void *buf, uint32_t cap, uint32_t *len);
	/** Wait until recv may succeed; HL_E_TIMEOUT when timeout_ms passed. */
	int (*wait)(void *tp, int timeout_ms);
	/** Why the transport died ("" while healthy). */
	const char *(*reason)(const void *tp);
	/** Add the transport's counters to st. */
	void (*stats)(const void *tp, struct hl_stats *st);
	/** Disconnect and free. */
	void (*close)(void *tp);
};

extern const struct hl_transport_ops hl_memif_ops;

struct hl_fn {
	struct hl_conn *conn;
	struct hl_fn *next;
	struct hl_fn *prev;
	uint32_t session;
	uint8_t placement;	     /**< enum hl_placement */
	char name[HL_FN_NAME_LEN];
};

struct hl_conn {
	const struct hl_transport_ops *ops;
	void *tp;
	pthread_t owner;
	int timeout_ms;
	uint8_t mac[6];
	uint8_t host_mac[6];
	uint32_t host_version;
	struct hl_hello host_hello;
	struct hl_fn *fns;
	struct hl_stats stats;
	struct hl_inflight inf;
	uint8_t frame[HL_FRAME_MAX];
};

/** One request as the function layer describes it. */
struct hl_req {
	uint16_t opcode;
	uint32_t session;
	uint64_t arg0;
	uint64_t arg1;
	const void *in;
	uint32_t in_len;
	void *out;
	uint32_t out_cap;
};

int hl_conn_create(const struct hl_transport_ops *ops, void *tp,
		   const struct hl_opts *opts, struct hl_conn **out);
int hl_conn_check(const struct hl_conn *c);
int hl_conn_call(struct hl_conn *c, const struct hl_req *r,
		 struct hl_result *res);
int hl_conn_submit(struct hl_conn *c, const struct hl_req *r, uint64_t tag);

#endif /* HL_CONN_H */
