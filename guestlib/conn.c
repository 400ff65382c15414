/* SPDX-License-Identifier: BSD-3-Clause */
/* Connections: connect + HELLO, request/reply matching, sync waits, hl_poll,
 * and reconnecting after the host went away. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hl_conn.h"
#include "hl_memif.h"
#include "hl_transport.h"

#define HL_BYE_TIMEOUT_MS 200
#define HL_POLL_SLICE_MS 100	/* re-check async deadlines this often */
#define HL_REVIVE_MAX_MS 5000	/* one reconnect attempt if timeout_ms < 0 */
#define HL_BULK_AREA_MAX (1ull << 30)	/* hl_opts.bulk_bytes limit */

static __thread char connect_reason[HL_CONN_REASON_LEN + 80];
static uint32_t mac_counter;

static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void
hl_opts_init(struct hl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->spin_polls = 100;
	o->wait_mode = HL_WAIT_HYBRID;
	o->timeout_ms = 5000;
	o->log2_ring_size = 10;
	o->name = "libhostlane";
	o->reconnect = HL_RECONNECT_AUTO;
	o->reconnect_min_ms = 10;
	o->reconnect_max_ms = 500;
	o->reconnect_limit_ms = 60000;
	o->bulk_bytes = 8u << 20;
	o->bulk_slot = 256u << 10;
}

int
hl_conn_check(const struct hl_conn *c)
{
	if (c == NULL)
		return HL_E_INVAL;
	if (!pthread_equal(pthread_self(), c->owner))
		return HL_E_WRONG_THREAD;
	return HL_OK;
}

static void
guest_mac(const struct hl_opts *o, uint8_t mac[6])
{
	static const uint8_t zero[6];
	uint32_t n = __atomic_fetch_add(&mac_counter, 1, __ATOMIC_RELAXED);
	uint32_t pid = (uint32_t)getpid();

	if (memcmp(o->mac, zero, 6) != 0) {
		memcpy(mac, o->mac, 6);
		return;
	}
	/* Locally administered, unicast: 02:48 + pid/counter mix. */
	mac[0] = 0x02;
	mac[1] = 0x48;
	mac[2] = (uint8_t)(pid >> 8);
	mac[3] = (uint8_t)pid;
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

/*
 * On a shared Ethernet (packet:, dpdk:) other stations can reach us too: a
 * reply must be addressed to this connection's MAC and, once the HELLO
 * reply named the host, come from it. (What stops a station that poses as
 * the host is the random request id: hl_inflight.h.)
 */
static int
from_host(const struct hl_conn *c, const struct hl_frame_hdr *h)
{
	return memcmp(h->eth.dst, c->mac, 6) == 0 &&
	       (memcmp(c->host_mac, mac_bcast, 6) == 0 ||
		memcmp(h->eth.src, c->host_mac, 6) == 0);
}

/* A bulk call's reply: the output is in its pool slot, arg1 its length. */
static void
conn_rx_bulk(struct hl_conn *c, struct hl_slot *s, struct hl_result *res)
{
	const uint8_t *out = NULL;
	uint64_t n = res->arg1;

	res->arg1 = 0;
	res->out_len = 0;
	if (s->bulk < 0 || n > s->bulk_cap) {
		/* Not a bulk request, or more than the room we gave. */
		res->status = HL_E_PROTO;
	} else if (n > 0) {
		res->out_len = (uint32_t)n;
		out = hl_bulk_out(&c->bulk, (uint32_t)s->bulk, s->bulk_in_len);
	}
	hl_inflight_complete(&c->inf, s, res, out);
	if (s->bulk >= 0)
		hl_bulk_put(&c->bulk, (uint32_t)s->bulk);
	s->bulk = -1;
	c->stats.replies++;
}

static void
conn_rx_frame(struct hl_conn *c, uint32_t len)
{
	struct hl_frame_hdr h;
	struct hl_result res;
	struct hl_slot *s;

	if (hl_proto_hdr_parse(c->frame, len, &h) != HL_OK ||
	    !(h.hl.flags & HL_F_REPLY) || !from_host(c, &h)) {
		c->stats.dropped_bad++;
		return;
	}
	s = hl_inflight_match(&c->inf, h.hl.req_id, h.hl.opcode);
	if (s == NULL)
		return;
	res.status = hl_proto_status_on_wire(h.hl.status) ? h.hl.status
							  : HL_E_INTERNAL;
	res.state = h.hl.state;
	res.session = h.hl.session;
	res.out_len = h.hl.payload_len;
	res.arg0 = h.hl.arg0;
	res.arg1 = h.hl.arg1;
	if (h.hl.opcode == HL_OP_HELLO)
		memcpy(c->host_mac, h.eth.src, 6);
	/* A request the application made was answered on a new transport:
	 * the host is back for real (conn_outage()). */
	if (c->down_since >= 0 && !c->reviving)
		c->down_since = -1;
	if (h.hl.opcode == HL_OP_FN_CALL_BULK) {
		conn_rx_bulk(c, s, &res);
		return;
	}
	hl_inflight_complete(&c->inf, s, &res, c->frame + HL_FRAME_HDR_LEN);
	c->stats.replies++;
	if (c->sk != NULL && hl_proto_is_sock(h.hl.opcode))
		hl_sock_on_reply(c, h.hl.opcode, &res, s);
}

/* A new transport: as many requests in flight as its replies have room. */
static void
conn_set_window(struct hl_conn *c)
{
	uint32_t w = c->ops->window != NULL ? c->ops->window(c->tp) :
		     HL_MAX_INFLIGHT;

	c->inf.cap = w < 1 ? 1 : w > HL_MAX_INFLIGHT ? HL_MAX_INFLIGHT : w;
}

/*
 * Let the transport go: keep its counters, close it. c->tp is the one
 * reference to it, so this is its one close; afterwards nothing of it is
 * reachable (the bulk pool pointed into its memory, unmapped now).
 */
static void
conn_tp_drop(struct hl_conn *c)
{
	static const struct hl_bulk_area none;

	if (c->tp == NULL)
		return;
	c->ops->stats(c->tp, &c->tp_stats);
	c->ops->close(c->tp);
	c->tp = NULL;
	(void)hl_bulk_reset(&c->bulk, &none, 0, 0);
}

static void
conn_schedule_retry(struct hl_conn *c)
{
	unsigned int max = c->opts.reconnect_max_ms;

	c->next_try = hl_now_ms() + (c->backoff_ms ? c->backoff_ms : 1);
	c->backoff_ms = c->backoff_ms > max / 2 ? max : c->backoff_ms * 2;
}

/*
 * The transport died. If the connection was healthy - never reconnected,
 * or its new transport answered a request of the application's
 * (conn_rx_frame()) or stayed up for reconnect_max_ms - an outage starts:
 * first retry at once, the give-up clock from now. If it died on
 * probation, the outage it was in goes on: the backoff grows and the clock
 * keeps running, so a host that answers HELLO and drops the next call gets
 * no more reconnects than the backoff allows, and is given up on at
 * reconnect_limit_ms. (conn_revive() schedules its own failures.)
 */
static void
conn_outage(struct hl_conn *c)
{
	int64_t now = hl_now_ms();

	if (c->down_since >= 0 && !c->reviving &&
	    now - c->up_since >= c->opts.reconnect_max_ms)
		c->down_since = -1;
	if (c->down_since < 0) {
		c->down_since = now;
		c->next_try = now;
		c->backoff_ms = c->opts.reconnect_min_ms;
	} else if (!c->reviving) {
		conn_schedule_retry(c);
	}
}

/*
 * A transport call failed with rc. If the transport is dead, close it and
 * fail every request waiting on it, once; the connection stays dead until
 * hl_conn_ensure() replaces the transport. Returns rc.
 */
static int
conn_fault(struct hl_conn *c, int rc)
{
	const char *why;

	if (c->dead || c->tp == NULL)
		return rc;
	why = c->ops->reason(c->tp);
	if (*why == '\0')
		return rc;
	c->dead = rc;
	snprintf(c->reason, sizeof(c->reason), "%s", why);
	c->revivable = c->uri != NULL && c->opts.reconnect == HL_RECONNECT_AUTO &&
		       c->ops->revivable != NULL && c->ops->revivable(c->tp);
	conn_tp_drop(c);
	c->stats.disconnects++;
	c->stats.lost_inflight += hl_inflight_fail_all(&c->inf, rc);
	conn_outage(c);
	return rc;
}

/* Take every frame the transport has; HL_OK or the transport's death. */
static int
conn_drain(struct hl_conn *c)
{
	uint32_t len;
	int rc;

	if (c->dead)
		return c->dead;
	while ((rc = c->ops->recv(c->tp, c->frame, sizeof(c->frame), &len)) ==
	       HL_OK)
		conn_rx_frame(c, len);
	return rc == HL_E_AGAIN ? HL_OK : conn_fault(c, rc);
}

/*
 * A send or a wait failed with rc, which may be the transport's death.
 * Replies the host wrote before it went are still ours (a memif ring keeps
 * them), so take them first; then let the transport go if it is dead.
 */
static int
conn_call_failed(struct hl_conn *c, int rc)
{
	int drc = conn_drain(c);

	return drc != HL_OK ? drc : conn_fault(c, rc);
}

/*
 * An FN_CALL too large for a frame becomes FN_CALL_BULK: input copied to a
 * bulk slot, the frame carries where it is (hl_bulk.h). Fills s and the
 * frame's payload; returns its length, or a negated status.
 */
static int
conn_bulk_prepare(struct hl_conn *c, const struct hl_req *r, struct hl_slot *s)
{
	struct hl_bulk d;
	uint32_t slot;
	int rc = hl_bulk_get(&c->bulk, r->in, r->in_len, r->out_cap, &d, &slot);

	if (rc != HL_OK)
		return -rc;
	s->bulk = (int32_t)slot;
	s->bulk_in_len = r->in_len;
	s->bulk_cap = d.out_cap;
	memcpy(c->frame + HL_FRAME_HDR_LEN, &d, sizeof(d));
	return (int)sizeof(d);
}

/* Build the frame of request r in c->frame; its payload length or -status. */
static int
conn_frame(struct hl_conn *c, const struct hl_req *r, uint16_t op,
	   struct hl_slot *s)
{
	struct hl_frame_hdr h;
	int len = (int)r->in_len;

	if (op == HL_OP_FN_CALL_BULK)
		len = conn_bulk_prepare(c, r, s);
	else if (r->in_len > 0)
		memcpy(c->frame + HL_FRAME_HDR_LEN, r->in, r->in_len);
	if (len < 0)
		return len;
	hl_proto_hdr_init(&h, c->host_mac, c->mac, op, r->session, s->id);
	h.hl.payload_len = (uint32_t)len;
	h.hl.arg0 = r->arg0;
	h.hl.arg1 = r->arg1;
	memcpy(c->frame, &h, sizeof(h));
	return len;
}

static int
conn_send(struct hl_conn *c, const struct hl_req *r, int async, uint64_t tag,
	  int timeout_ms, struct hl_slot **sp)
{
	struct hl_slot *s;
	uint16_t op = r->opcode;
	int rc, len;

	if (r->in_len > 0 && r->in == NULL)
		return HL_E_INVAL;
	rc = c->reviving ? c->dead : hl_conn_ensure(c);
	if (rc != HL_OK)
		return rc;
	if (op == HL_OP_FN_CALL && hl_bulk_wanted(&c->bulk, r->in_len, r->out_cap))
		op = HL_OP_FN_CALL_BULK;
	else if (r->in_len > HL_PAYLOAD_MAX)
		return HL_E_TOO_LARGE;
	rc = hl_inflight_alloc(&c->inf, op, async, tag, r->out, r->out_cap,
			       hl_deadline_coarse(timeout_ms), &s);
	if (rc != HL_OK)
		return rc;
	s->epoch = c->epoch;
	len = conn_frame(c, r, op, s);
	rc = len < 0 ? -len : c->ops->send(c->tp, c->frame,
					   HL_FRAME_HDR_LEN + (uint32_t)len,
					   timeout_ms);
	if (rc != HL_OK) {
		/* Not sent: the host never saw the bulk slot. */
		if (s->bulk >= 0)
			hl_bulk_put(&c->bulk, (uint32_t)s->bulk);
		hl_inflight_free(&c->inf, s);
		return len < 0 ? rc : conn_call_failed(c, rc);
	}
	c->stats.requests++;
	*sp = s;
	return HL_OK;
}

static int
conn_wait_slot(struct hl_conn *c, const struct hl_slot *s, int timeout_ms)
{
	int64_t deadline = 0;
	int rc, left, first = 1;

	for (;;) {
		rc = conn_drain(c);
		/* A reply that came in before the host died still counts;
		 * conn_fault() completed the slot otherwise. */
		if (s->state == HL_SLOT_DONE)
			return HL_OK;
		if (rc != HL_OK)
			return rc;
		/* The clock is read once the reply is not there at once (a
		 * read is not cheap in every VM), and once per wait after. */
		if (first) {
			deadline = hl_deadline(timeout_ms);
			left = timeout_ms;
			first = 0;
		} else if ((left = hl_ms_left(deadline)) == 0) {
			return HL_E_TIMEOUT;
		}
		rc = c->ops->wait(c->tp, left);
		if (rc != HL_OK && rc != HL_E_TIMEOUT) {
			rc = conn_call_failed(c, rc);
			return s->state == HL_SLOT_DONE ? HL_OK : rc;
		}
	}
}

/* One synchronous request, sent and answered within timeout_ms. */
static int
conn_call(struct hl_conn *c, const struct hl_req *r, struct hl_result *res,
	  int timeout_ms)
{
	struct hl_slot *s;
	int rc = conn_send(c, r, 0, 0, timeout_ms, &s);

	memset(res, 0, sizeof(*res));
	if (rc != HL_OK)
		return rc;
	rc = conn_wait_slot(c, s, timeout_ms);
	if (rc == HL_OK) {
		*res = s->res;
		rc = res->status;
	} else if (rc == HL_E_TIMEOUT) {
		c->stats.timeouts++;
	}
	hl_inflight_free(&c->inf, s);
	return rc;
}

int
hl_conn_call(struct hl_conn *c, const struct hl_req *r, struct hl_result *res)
{
	return conn_call(c, r, res, c->timeout_ms);
}

int
hl_conn_submit(struct hl_conn *c, const struct hl_req *r, uint64_t tag)
{
	struct hl_slot *s;

	return conn_send(c, r, 1, tag, c->timeout_ms, &s);
}

void
hl_conn_hold(struct hl_conn *c, int on)
{
	if (c->ops->hold != NULL && c->tp != NULL)
		c->ops->hold(c->tp, on);
}

int
hl_conn_start(struct hl_conn *c, const struct hl_req *r, struct hl_slot **s)
{
	return conn_send(c, r, 0, 0, c->timeout_ms, s);
}

int
hl_conn_start_detached(struct hl_conn *c, const struct hl_req *r, uint64_t tag,
		       struct hl_slot **s)
{
	return conn_send(c, r, HL_ASYNC_DETACHED, tag, c->timeout_ms, s);
}

int
hl_conn_drain(struct hl_conn *c)
{
	return conn_drain(c);
}

int
hl_conn_wait_rx(struct hl_conn *c, int ms)
{
	int rc = c->dead ? c->dead : c->ops->wait(c->tp, ms);

	if (rc == HL_OK || rc == HL_E_TIMEOUT)
		return HL_OK;
	return c->dead ? c->dead : conn_call_failed(c, rc);
}

/* A new transport (and HELLO): its bulk area, if it and the host have one. */
static int
conn_bulk_reset(struct hl_conn *c)
{
	struct hl_bulk_area a = { 0 };

	if (c->ops->bulk_area != NULL)
		c->ops->bulk_area(c->tp, &a);
	return hl_bulk_reset(&c->bulk, &a, c->opts.bulk_slot,
			     c->host_hello.max_bulk);
}

/* Why a HELLO that got no usable reply failed (rc, not a dead transport). */
static void
hello_why(int rc, int timeout_ms, char *why, size_t why_len)
{
	if (rc == HL_E_TIMEOUT)
		snprintf(why, why_len, "no HELLO reply within %d ms", timeout_ms);
	else if (hl_proto_status_on_wire(rc))
		snprintf(why, why_len, "host answered HELLO with %s",
			 hl_status_name(rc));
	else
		snprintf(why, why_len, "HELLO: %s", hl_strerror(rc));
}

/* The host's HELLO payload: exactly one struct hl_hello, and a protocol
 * version range that includes ours. */
static int
hello_parse(const uint8_t *pl, uint32_t len, struct hl_hello *out,
	    char *why, size_t why_len)
{
	if (len != sizeof(*out)) {
		snprintf(why, why_len, "host's HELLO reply has %u bytes, not %zu",
			 len, sizeof(*out));
		return HL_E_PROTO;
	}
	memcpy(out, pl, sizeof(*out));
	if (out->version_min > HL_PROTO_VERSION ||
	    out->version_max < HL_PROTO_VERSION) {
		snprintf(why, why_len, "host speaks protocol versions %u..%u, "
			 "not %u", out->version_min, out->version_max,
			 HL_PROTO_VERSION);
		return HL_E_VERSION;
	}
	out->name[HL_GUEST_NAME_LEN - 1] = '\0';
	return HL_OK;
}

/*
 * Say HELLO on a new transport, within timeout_ms. Nothing learnt from an
 * earlier host survives: its MAC, its HELLO and its bulk offer are
 * forgotten first. On failure, why says what went wrong, or is empty if
 * the transport died (c->reason says why then, and c->tp is gone).
 */
static int
conn_hello(struct hl_conn *c, int timeout_ms, char *why, size_t why_len)
{
	struct hl_hello hi = { .version_min = HL_PROTO_VERSION,
			       .version_max = HL_PROTO_VERSION,
			       .max_inflight = HL_MAX_INFLIGHT,
			       .max_payload = HL_PAYLOAD_MAX };
	uint8_t reply[HL_PAYLOAD_MAX];
	struct hl_req r = { .opcode = HL_OP_HELLO, .in = &hi,
			    .in_len = sizeof(hi), .out = reply,
			    .out_cap = sizeof(reply) };
	struct hl_result res;
	struct hl_hello host;
	int rc;

	*why = '\0';
	memcpy(c->host_mac, mac_bcast, 6);
	memset(&c->host_hello, 0, sizeof(c->host_hello));
	c->host_version = 0;
	snprintf(hi.name, sizeof(hi.name), "%s", c->name);
	rc = conn_call(c, &r, &res, timeout_ms);
	if (c->dead)		/* even if the reply came before it died */
		return c->dead;
	if (rc != HL_OK) {
		hello_why(rc, timeout_ms, why, why_len);
		return rc;
	}
	rc = hello_parse(reply, res.out_len, &host, why, why_len);
	if (rc != HL_OK)
		return rc;
	c->host_hello = host;
	c->host_version = HL_PROTO_VERSION;
	rc = conn_bulk_reset(c);
	if (rc != HL_OK)
		hello_why(rc, timeout_ms, why, why_len);
	return rc;
}

/*
 * The HELLO on a new transport failed: let the transport go, unless its
 * death did already, and say why in c->reason. c is dead afterwards.
 */
static void
conn_hello_failed(struct hl_conn *c, const char *why)
{
	if (c->tp == NULL)
		return;
	snprintf(c->reason, sizeof(c->reason), "%s", why);
	conn_tp_drop(c);
	c->dead = HL_E_DISCONNECTED;
}

/* A connection on transport tp (which it owns from here on, also on
 * failure), HELLO within hello_ms. */
static int
conn_create(const struct hl_transport_ops *ops, void *tp,
	    const struct hl_opts *opts, int hello_ms, struct hl_conn **out)
{
	struct hl_conn *c = calloc(1, sizeof(*c));
	char why[HL_CONN_REASON_LEN];
	int rc;

	*out = NULL;
	if (c == NULL) {
		ops->close(tp);
		return HL_E_NOMEM;
	}
	c->ops = ops;
	c->tp = tp;
	c->owner = pthread_self();
	c->timeout_ms = opts->timeout_ms;
	c->opts = *opts;
	snprintf(c->name, sizeof(c->name), "%s", opts->name ? opts->name : "");
	c->opts.name = c->name;
	c->down_since = -1;
	guest_mac(opts, c->mac);
	hl_inflight_init(&c->inf);
	conn_set_window(c);
	rc = conn_hello(c, hello_ms, why, sizeof(why));
	if (rc != HL_OK) {
		conn_hello_failed(c, why);
		snprintf(connect_reason, sizeof(connect_reason), "%s: %s",
			 hl_strerror(rc), c->reason);
		hl_bulk_fini(&c->bulk);
		free(c);
		return rc;
	}
	c->up_since = hl_now_ms();
	*out = c;
	return HL_OK;
}

int
hl_conn_create(const struct hl_transport_ops *ops, void *tp,
	       const struct hl_opts *opts, struct hl_conn **out)
{
	return conn_create(ops, tp, opts, opts->timeout_ms, out);
}

static int
opts_check(const char *path, const struct hl_opts *o, const char *secret)
{
	if (path == NULL || o->wait_mode > HL_WAIT_INTR ||
	    o->log2_ring_size < 1 || o->log2_ring_size > 14)
		return HL_E_INVAL;
	if (o->name != NULL && strlen(o->name) >= HL_GUEST_NAME_LEN)
		return HL_E_INVAL;
	if (secret != NULL && strlen(secret) > MEMIF_SECRET_LEN)
		return HL_E_INVAL;
	if (o->reconnect > HL_RECONNECT_NEVER ||
	    o->reconnect_max_ms < o->reconnect_min_ms)
		return HL_E_INVAL;
	if (o->bulk_bytes > HL_BULK_AREA_MAX || (o->bulk_bytes != 0 &&
	    (o->bulk_slot < 4096 || o->bulk_slot > o->bulk_bytes)))
		return HL_E_INVAL;
	return HL_OK;
}

/* Keep what hl_connect() was given, so that the connection can be made
 * again; without it (no memory) the connection just never reconnects. */
static void
conn_keep_recipe(struct hl_conn *c, const char *uri, const char *secret)
{
	_Static_assert(HL_SECRET_MAX == MEMIF_SECRET_LEN, "secret length");
	c->uri = strdup(uri);
	c->has_secret = secret != NULL;
	if (secret != NULL)
		snprintf(c->secret, sizeof(c->secret), "%s", secret);
}

int
hl_connect(const char *socket_path, const char *secret,
	   const struct hl_opts *opts, struct hl_conn **out)
{
	static const uint8_t zero[6];
	int64_t deadline;
	struct hl_opts o;
	struct hl_tp tp;
	int rc;

	if (out == NULL)
		return HL_E_INVAL;
	*out = NULL;
	if (opts != NULL)
		o = *opts;
	else
		hl_opts_init(&o);
	connect_reason[0] = '\0';
	rc = opts_check(socket_path, &o, secret);
	if (rc != HL_OK)
		return rc;
	/* One timeout for the whole connect: transport, handshake, HELLO. */
	deadline = hl_deadline(o.timeout_ms);
	rc = hl_transport_open(socket_path, secret, &o, &tp, connect_reason,
			       sizeof(connect_reason));
	if (rc != HL_OK)
		return rc;
	/* On a shared wire the guest speaks from its device's address. */
	if (tp.has_mac && memcmp(o.mac, zero, 6) == 0)
		memcpy(o.mac, tp.mac, 6);
	rc = conn_create(tp.ops, tp.tp, &o, hl_ms_left(deadline), out);
	if (rc == HL_OK)
		conn_keep_recipe(*out, socket_path, secret);
	return rc;
}

/* ---- reconnecting ---------------------------------------------------- */

/* The HELLO on a new transport succeeded: the layer above re-opens what
 * it had on the host; if it cannot, this transport goes too. */
static int
conn_revived(struct hl_conn *c)
{
	int rc;

	c->epoch++;
	c->stats.reconnects++;
	c->up_since = hl_now_ms();
	c->reason[0] = '\0';
	rc = c->hooks != NULL ? c->hooks->revive(c) : HL_OK;
	if (rc != HL_OK && !c->dead) {
		char why[HL_CONN_REASON_LEN];

		snprintf(why, sizeof(why), "re-opening functions after a "
			 "reconnect: %s", hl_strerror(rc));
		conn_hello_failed(c, why);
	}
	return c->dead ? c->dead : rc;
}

/*
 * One attempt, within budget_ms: a new transport and a HELLO on it, then
 * the functions. The whole attempt counts as reconnecting: requests it
 * makes never reconnect themselves, and their replies prove nothing about
 * the host (conn_outage()). Any failure schedules the next attempt.
 */
static int
conn_revive(struct hl_conn *c, int budget_ms)
{
	char why[HL_CONN_REASON_LEN] = "";
	int64_t deadline = hl_deadline(budget_ms);
	struct hl_opts o = c->opts;
	struct hl_tp tp;
	int rc;

	o.timeout_ms = budget_ms;
	rc = hl_transport_open(c->uri, c->has_secret ? c->secret : NULL, &o,
			       &tp, why, sizeof(why));
	if (rc == HL_OK) {
		c->ops = tp.ops;
		c->tp = tp.tp;
		conn_set_window(c);
		c->dead = HL_OK;
		c->reviving = 1;
		rc = conn_hello(c, hl_ms_left(deadline), why, sizeof(why));
		if (rc != HL_OK)
			conn_hello_failed(c, why);
		else
			rc = conn_revived(c);
		c->reviving = 0;
	}
	if (rc != HL_OK)
		conn_schedule_retry(c);
	return rc;
}

static int
conn_may_revive(struct hl_conn *c)
{
	int limit = c->opts.reconnect_limit_ms;
	size_t len;

	if (!c->revivable || c->gave_up)
		return 0;
	if (limit < 0 || hl_now_ms() - c->down_since < limit)
		return 1;
	c->gave_up = 1;
	len = strlen(c->reason);
	snprintf(c->reason + len, sizeof(c->reason) - len,
		 " (gave up reconnecting after %d ms)", limit);
	return 0;
}

static void
sleep_ms(int ms)
{
	(void)poll(NULL, 0, ms);
}

/*
 * Make sure c has a live transport: if its host went away and the policy
 * allows, reconnect, retrying with backoff for at most the connection
 * timeout. HL_OK, or the status calls fail with (HL_E_DISCONNECTED).
 */
int
hl_conn_ensure(struct hl_conn *c)
{
	int64_t deadline;

	if (!c->dead)	/* every call comes here: no clock read */
		return HL_OK;
	deadline = hl_deadline(c->timeout_ms);
	while (c->dead && !c->reviving && conn_may_revive(c)) {
		int left = hl_ms_left(deadline), wait;

		if (hl_now_ms() >= c->next_try &&
		    conn_revive(c, left < 0 ? HL_REVIVE_MAX_MS : left) == HL_OK)
			return HL_OK;
		left = hl_ms_left(deadline);
		if (left == 0)
			break;
		wait = (int)(c->next_try - hl_now_ms());
		if (wait > 0)
			sleep_ms(left > 0 && left < wait ? left : wait);
	}
	return c->dead;
}

const char *
hl_connect_reason(void)
{
	return connect_reason;
}

static void
conn_bye(struct hl_conn *c)
{
	struct hl_req r = { .opcode = HL_OP_BYE };
	struct hl_result res;

	if (!pthread_equal(pthread_self(), c->owner) || c->dead ||
	    c->tp == NULL || *c->ops->reason(c->tp))
		return;
	if (c->timeout_ms < 0 || c->timeout_ms > HL_BYE_TIMEOUT_MS)
		c->timeout_ms = HL_BYE_TIMEOUT_MS;
	(void)hl_conn_call(c, &r, &res);
}

void
hl_disconnect(struct hl_conn *c)
{
	if (c == NULL)
		return;
	if (c->sk != NULL)
		hl_sock_release(c);
	conn_bye(c);
	if (c->hooks != NULL)
		c->hooks->release(c);
	conn_tp_drop(c);
	hl_bulk_fini(&c->bulk);
	free(c->uri);
	free(c);
}

const char *
hl_conn_reason(const struct hl_conn *c)
{
	if (c == NULL)
		return "";
	if (c->dead || c->tp == NULL)
		return c->reason;
	return c->ops->reason(c->tp);
}

int
hl_conn_set_timeout(struct hl_conn *c, int timeout_ms)
{
	int rc = hl_conn_check(c);

	if (rc == HL_OK)
		c->timeout_ms = timeout_ms;
	return rc;
}

int
hl_conn_stats(const struct hl_conn *c, struct hl_stats *st)
{
	if (c == NULL || st == NULL)
		return HL_E_INVAL;
	*st = c->stats;
	st->dropped_unknown = c->inf.dropped_unknown;
	st->dropped_dup = c->inf.dropped_dup;
	st->timeouts += c->inf.expired;
	st->rx_dropped += c->tp_stats.rx_dropped;
	st->kicks += c->tp_stats.kicks;
	st->sleeps += c->tp_stats.sleeps;
	if (c->tp != NULL)
		c->ops->stats(c->tp, st);
	return HL_OK;
}

uint32_t
hl_conn_host_version(const struct hl_conn *c)
{
	return c == NULL ? 0 : c->host_version;
}

static int
poll_pop(struct hl_conn *c, struct hl_completion *out, int max)
{
	struct hl_slot *s;
	int n = 0;

	while (n < max && (s = hl_inflight_cq_pop(&c->inf)) != NULL) {
		struct hl_completion *e = &out[n++];
		e->tag = s->tag;
		e->status = s->res.status;
		e->state = (enum hl_fn_state)s->res.state;
		e->out_len = s->res.out_len;
		e->result = s->res.arg0;
		e->result1 = s->res.arg1;
		hl_inflight_free(&c->inf, s);
	}
	return n;
}

int
hl_poll(struct hl_conn *c, struct hl_completion *comp, int max, int timeout_ms)
{
	int64_t deadline = hl_deadline(timeout_ms);
	int rc = hl_conn_check(c);
	int n;

	if (rc != HL_OK || comp == NULL || max < 1)
		return rc != HL_OK ? -rc : -HL_E_INVAL;
	for (;;) {
		rc = conn_drain(c);
		hl_inflight_expire(&c->inf, hl_now_ms_coarse());
		n = poll_pop(c, comp, max);
		if (n > 0 || rc != HL_OK)
			return n > 0 ? n : -rc;
		if (hl_inflight_count(&c->inf) == 0 || hl_ms_left(deadline) == 0)
			return 0;
		int left = hl_ms_left(deadline);
		rc = c->ops->wait(c->tp, left < 0 || left > HL_POLL_SLICE_MS ?
				  HL_POLL_SLICE_MS : left);
		if (rc != HL_OK && rc != HL_E_TIMEOUT &&
		    (rc = conn_call_failed(c, rc)) != HL_OK && !c->dead)
			return -rc;
	}
}
