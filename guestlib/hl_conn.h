/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: a libhostlane connection over a pluggable frame transport.
 *
 * Design note. conn.c knows frames and request ids, not memif: it talks to
 * its transport through struct hl_transport_ops (memif in memif_rings.c; tests
 * plug in an in-process fake host). One scratch frame per connection serves
 * both directions, since a connection is used by one thread and every send
 * copies the frame into the transport before returning.
 *
 * Ownership. The connection owns its transport from hl_conn_create() on,
 * also when that fails: c->tp is the only reference, and it is closed in
 * one place (conn_tp_drop(), which sets it to NULL). c->tp == NULL exactly
 * while c->dead != 0; nothing calls an op on a transport it has dropped.
 *
 * Reconnecting. A transport that dies is closed at once (c->tp = NULL,
 * c->dead = its status, c->reason = why) and every request waiting on it
 * is failed, once, with that status. If the connection was made by
 * hl_connect() (it keeps the URI, secret and options), the policy is
 * HL_RECONNECT_AUTO and the transport says revivable, hl_conn_ensure()
 * opens a new transport, says HELLO, bumps c->epoch and calls the layer
 * above's revive hook (fn.c: every function re-opened, or the attempt
 * fails and is retried) - the one path by which sessions come back. A new transport is on
 * probation until a request of the application's is answered on it or it
 * stays up for reconnect_max_ms: dying before that continues the outage
 * (backoff, give-up clock) instead of starting a new one. Request ids are
 * random (hl_inflight.h), so no reply from an old host can match a new
 * request.
 *
 * Threads: every entry point checks hl_conn_check() first; reconnecting
 * happens inside calls, on the owner's thread.
 */
#ifndef HL_CONN_H
#define HL_CONN_H

#include <pthread.h>
#include <stdint.h>

#include "hl_bulk.h"
#include "hl_inflight.h"
#include "hostlane/hostlane.h"

/** A frame transport; every call returns an enum hl_status. */
struct hl_sock_layer;

struct hl_transport_ops {
	/** Queue one frame; may wait up to timeout_ms for ring space. */
	int (*send)(void *tp, const void *frame, uint32_t len, int timeout_ms);
	/** on: a burst begins, sends may keep frames from the host; off: it
	 *  ends, every frame sent is shown to the host. Every recv, wait and
	 *  send that must wait for ring space shows them first. NULL: every
	 *  send shows its frame at once. */
	void (*hold)(void *tp, int on);
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
	/** 1 if the dead transport's peer went away in a way a new connection
	 *  may fix (host process gone or restarting); 0 if it sent us away.
	 *  NULL: never reconnect. */
	int (*revivable)(const void *tp);
	/** The memory shared with the host for bulk calls; NULL: none. */
	void (*bulk_area)(void *tp, struct hl_bulk_area *a);
	/**
	 * For a thread that sleeps on the transport without holding it
	 * (sock_wait.c's pump): ask the host to signal, and give the fds to
	 * poll for POLLIN (at most 2). Returns how many, 0 if a frame is
	 * already there (do not sleep). NULL: the transport cannot do this.
	 * The caller holds the connection; the poll happens without it.
	 */
	int (*sleep_fds)(void *tp, int fds[2]);
	/** After that poll, holding the connection again: revents of the
	 *  fds sleep_fds() gave (serviced here), and stop signalling. */
	void (*sleep_done)(void *tp, const short revents[2]);
	/** Requests that may be in flight at once without their replies
	 *  overflowing what the host can write back (memif: the S2C slots
	 *  posted). NULL: HL_MAX_INFLIGHT. */
	uint32_t (*window)(const void *tp);
};

extern const struct hl_transport_ops hl_memif_ops;

struct hl_fn {
	struct hl_conn *conn;
	struct hl_fn *next;
	struct hl_fn *prev;
	uint32_t session;
	uint32_t epoch;		     /**< c->epoch its session belongs to */
	uint8_t placement;	     /**< enum hl_placement */
	uint8_t want;		     /**< placement asked for in hl_fn_open() */
	uint8_t active;		     /**< hl_fn_activate() succeeded */
	uint8_t set_pending;	     /**< input set, result not fetched yet */
	uint8_t lost;		     /**< not re-opened: HL_E_SESSION_LOST */
	char name[HL_FN_NAME_LEN];
};

#define HL_CONN_REASON_LEN 200u
#define HL_SECRET_MAX 24u	     /**< = MEMIF_SECRET_LEN */

struct hl_conn {
	const struct hl_transport_ops *ops;
	void *tp;
	pthread_t owner;
	int timeout_ms;
	uint8_t mac[6];
	uint8_t host_mac[6];
	uint32_t host_version;
	struct hl_hello host_hello;
	struct hl_fn *fns;	     /**< fn.c's, through hooks */
	const struct hl_conn_hooks *hooks; /**< NULL until fn.c sets them */
	struct hl_stats stats;
	int dead;		     /**< 0, or the status calls fail with */
	char reason[HL_CONN_REASON_LEN]; /**< why, while dead */
	struct hl_stats tp_stats;    /**< counters of closed transports */
	/* What hl_connect() was given, to connect again (uri NULL: never). */
	char *uri;
	char secret[HL_SECRET_MAX + 1];
	uint8_t has_secret;
	uint8_t reviving;	     /**< inside a reconnect: no nested one */
	uint8_t revivable;	     /**< the dead transport may be replaced */
	uint8_t gave_up;	     /**< reconnect_limit_ms passed */
	char name[HL_GUEST_NAME_LEN];
	struct hl_opts opts;	     /**< .name points at name above */
	uint32_t epoch;		     /**< transports opened so far - 1 */
	int64_t down_since;	     /**< ms the outage began; < 0: healthy */
	int64_t up_since;	     /**< ms the current transport came up */
	int64_t next_try;	     /**< ms of the next reconnect attempt */
	unsigned int backoff_ms;     /**< delay after the next failed attempt */
	struct hl_inflight inf;
	struct hl_bulk_pool bulk;    /**< reset with every new transport */
	struct hl_sock_layer *sk;    /**< sock_wait.c's, NULL until a socket call */
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
/* A burst of submits (hl_fn_submit_burst): on, the transport may keep
 * frames until off (struct hl_transport_ops.hold). */
void hl_conn_hold(struct hl_conn *c, int on);
int hl_conn_ensure(struct hl_conn *c);

/*
 * For the socket layer (sock*.c), which serialises its own callers: no
 * owner-thread check. hl_conn_start() sends r with a synchronous slot
 * (its reply lands in r->out, the slot turns HL_SLOT_DONE); the caller
 * frees it with hl_inflight_free(). hl_conn_drain() takes every frame the
 * transport has; hl_conn_wait_rx() waits up to ms for one (and checks the
 * host's health). Both return HL_OK or the status the connection died with.
 */
int hl_conn_start(struct hl_conn *c, const struct hl_req *r,
		  struct hl_slot **s);
/* r sent with a detached slot (tag kept in it): c->inf.on_detached gets
 * the slot when it finishes, however it finishes. Frames are taken only
 * by hl_conn_drain(), so the caller may still fill in *s's bulk fields. */
int hl_conn_start_detached(struct hl_conn *c, const struct hl_req *r,
			   uint64_t tag, struct hl_slot **s);
int hl_conn_drain(struct hl_conn *c);
int hl_conn_wait_rx(struct hl_conn *c, int ms);
/* sock_wait.c: stop the pump and free the socket layer (hl_disconnect). */
void hl_sock_release(struct hl_conn *c);
/*
 * sock_wait.c: a socket call's reply as it is taken off the transport, in
 * the host's order (conn_rx_frame(), after the slot got it): its state,
 * and an EVENTS reply's masks, become the sockets' readiness then. Applied
 * later, when the waiting caller wakes, an older reply's state could undo
 * a newer event. Called with the socket layer's lock held (its callers
 * drain under it).
 */
void hl_sock_on_reply(struct hl_conn *c, uint16_t op, const struct hl_result *res,
		      const struct hl_slot *s);

/**
 * What the layer above a connection (fn.c) keeps on the host, and must
 * make again after a reconnect. conn.c calls these and knows nothing
 * else of functions; fn.c sets c->hooks when it opens its first one.
 */
struct hl_conn_hooks {
	/**
	 * A reconnect's HELLO succeeded (c->epoch is new): re-open on it what
	 * lived on the old host. Runs inside the attempt (c->reviving): its
	 * requests never reconnect and prove nothing about the host.
	 * @return HL_OK; any other status fails the attempt, which is then
	 *         retried with backoff (c stays dead meanwhile).
	 */
	int (*revive)(struct hl_conn *c);
	/** hl_disconnect(): free what the layer keeps on c. */
	void (*release)(struct hl_conn *c);
};

#endif /* HL_CONN_H */
