/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_host cases: after the memif handshake. The host goes away during
 * the HELLO, answers it wrongly, forges replies, corrupts the rings, or
 * keeps coming back only to drop the next call.
 */
#include <string.h>

#include "hh.h"

#define F20 2432902008176640000ull	/* factorial(20) */
#define FORGED 1337u
#define FORGE_GENS 8u			/* forged ids: (gen << 16) | slot */
#define FORGE_N (FORGE_GENS * HL_MAX_INFLIGHT)

/* ---- servers: helpers ----------------------------------------------------- */

/* Handshake and serve until a request of opcode op (in req, unanswered). */
static int
serve_to(struct hh_srv *s, uint16_t op, uint8_t *req, uint32_t *len)
{
	return hh_handshake(s) == 0 ? hh_serve_until(s, op, req, len) : -1;
}

/* Wait until the client has left. */
static void
linger(struct hh_srv *s)
{
	struct memif_msg m;

	if (s->fd >= 0)
		(void)hh_recv(s, &m);
}

/* The honest reply to req, in out; its length. */
static uint32_t
reply_to(struct hh_srv *s, const uint8_t *req, uint32_t len, uint8_t *out)
{
	uint32_t n = hh_answer(s, req, len, out);

	if (n == 0)
		SRV_FAIL(s, "the client sent an invalid request");
	return n;
}

/* Every id (gen << 16) | slot of the first FORGE_GENS generations: the
 * ids libhostlane used to give its requests, guessable by anyone. */
static int
put_forged(struct hh_srv *s, const uint8_t *reply, uint32_t len,
	   const uint8_t src[6])
{
	uint8_t f[HL_FRAME_MAX];
	struct hl_frame_hdr h;

	memcpy(f, reply, len);
	memcpy(&h, f, sizeof(h));
	memcpy(h.eth.src, src, 6);
	h.hl.arg0 = FORGED;
	for (uint32_t k = 0; k < FORGE_N; k++) {
		h.hl.req_id = ((uint64_t)(1 + k / HL_MAX_INFLIGHT) << 16) |
			      (k % HL_MAX_INFLIGHT);
		memcpy(f, &h, sizeof(h));
		if (hh_put(s, f, len) != 0)
			return -1;
	}
	return 0;
}

/* ---- the HELLO ------------------------------------------------------------ */

/* The host says DISCONNECT while the client waits for its HELLO reply:
 * the transport is closed once (it used to be closed twice). */
static void
srv_hello_disconnect(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX];
	uint32_t len;

	if (serve_to(s, HL_OP_HELLO, req, &len) == 1)
		(void)hh_send_disconnect(s, HL_MEMIF_DISC_SHUTDOWN, "hostlane shutting down");
	linger(s);
}

static void
cli_hello_disconnect(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	o.reconnect = HL_RECONNECT_AUTO;	/* no difference to a connect */
	hh_connect_fails(path, &o, HL_E_DISCONNECTED, "shutting down");
}

static void
srv_hello_eof(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX];
	uint32_t len;

	(void)serve_to(s, HL_OP_HELLO, req, &len);
	hh_conn_close(s);
}

static void
cli_hello_eof(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_DISCONNECTED, "closed");
}

/* The reply, then at once EOF: either outcome is fine, but not a crash
 * (the transport may die after the reply was taken). */
static void
srv_hello_reply_eof(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX], out[HL_FRAME_MAX];
	uint32_t len;

	if (serve_to(s, HL_OP_HELLO, req, &len) == 1)
		(void)hh_put(s, out, reply_to(s, req, len, out));
	hh_conn_close(s);
}

static void
cli_hello_reply_eof(const char *path)
{
	struct hl_opts o;
	struct hl_conn *c = NULL;
	struct hl_fn *fn = NULL;
	int rc;

	hh_opts(&o, HH_LONG_MS);
	o.wait_mode = HL_WAIT_INTR;
	rc = hl_connect(path, NULL, &o, &c);
	CLI_CHECK(rc == HL_OK || rc == HL_E_DISCONNECTED, "hl_connect: %s",
		  hl_status_name(rc));
	if (rc == HL_OK) {
		rc = hl_fn_open(c, "factorial", HL_PLACE_ANY, &fn);
		CLI_CHECK(rc == HL_E_DISCONNECTED, "open: %s", hl_status_name(rc));
	}
	hl_disconnect(c);
}

static void
srv_hello_silent(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX];
	uint32_t len;

	if (serve_to(s, HL_OP_HELLO, req, &len) == 1)
		linger(s);
}

static void
cli_hello_silent(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, 2000);
	hh_connect_fails(path, &o, HL_E_TIMEOUT, "HELLO");
}

static void
srv_hello_short(struct hh_srv *s)
{
	s->hello.len = 40;
	if (hh_handshake(s) == 0)
		(void)hh_serve_all(s);
}

static void
srv_hello_long(struct hh_srv *s)
{
	s->hello.len = 64;
	if (hh_handshake(s) == 0)
		(void)hh_serve_all(s);
}

static void
srv_hello_v23(struct hh_srv *s)
{
	s->hello.vmin = 2;
	s->hello.vmax = 3;
	if (hh_handshake(s) == 0)
		(void)hh_serve_all(s);
}

static void
srv_hello_nack(struct hh_srv *s)
{
	s->hello.status = HL_E_PERM;
	if (hh_handshake(s) == 0)
		(void)hh_serve_all(s);
}

static void
cli_hello_short(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_PROTO, "HELLO reply has 40 bytes");
}

static void
cli_hello_long(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_PROTO, "HELLO reply has 64 bytes");
}

static void
cli_hello_v23(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_VERSION, "versions 2..3");
}

static void
cli_hello_nack(const char *path)
{
	struct hl_opts o;

	hh_opts(&o, HH_LONG_MS);
	hh_connect_fails(path, &o, HL_E_PERM, "HL_E_PERM");
}

/* ---- forged and wrong replies ----------------------------------------------- */

/* Before the real HELLO reply, a neighbour answers with every guessable
 * id and its own MAC: it must not become "the host". */
static void
srv_hello_forged(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX], out[HL_FRAME_MAX];
	uint32_t len, olen;

	if (serve_to(s, HL_OP_HELLO, req, &len) != 1)
		return;
	olen = reply_to(s, req, len, out);
	memcpy(out + HL_FRAME_HDR_LEN, "evil", 5);
	if (put_forged(s, out, olen, hh_evil_mac) != 0)
		return;
	olen = reply_to(s, req, len, out);
	if (hh_put(s, out, olen) == 0)
		(void)hh_serve_all(s);
	if (s->wrong_dst != 0)
		SRV_FAIL(s, "%u requests went to another MAC than the host's",
			 s->wrong_dst);
}

static void
cli_hello_forged(const char *path)
{
	struct hl_opts o;
	struct hl_stats st;
	struct hl_conn *c;
	struct hl_fn *fn;
	uint64_t r = 0;
	int rc;

	hh_opts(&o, HH_LONG_MS);
	c = hh_connect(path, &o);
	if (c == NULL)
		return;
	hl_conn_stats(c, &st);
	CLI_CHECK(st.replies == 1 && st.dropped_unknown == FORGE_N,
		  "replies %llu, dropped_unknown %llu: a forged HELLO reply was "
		  "taken", (unsigned long long)st.replies,
		  (unsigned long long)st.dropped_unknown);
	fn = hh_open(c, "factorial");
	rc = fn != NULL ? hl_fn_call_u64(fn, 20, 1, &r) : HL_E_INVAL;
	CLI_CHECK(rc == HL_OK && r == F20, "call: %s, %llu", hl_status_name(rc),
		  (unsigned long long)r);
	hl_disconnect(c);
}

/* Before the real reply to a call: every guessable id from the host's
 * MAC, and the real reply readdressed to another MAC. */
static void
srv_reply_forged(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX], out[HL_FRAME_MAX];
	struct hl_frame_hdr h;
	uint32_t len, olen;

	if (serve_to(s, HL_OP_FN_CALL, req, &len) != 1)
		return;
	olen = reply_to(s, req, len, out);
	if (put_forged(s, out, olen, hh_host_mac) != 0)
		return;
	memcpy(&h, out, sizeof(h));
	h.eth.dst[5] ^= 0x01;
	h.hl.arg0 = FORGED;
	if (hh_put(s, &h, sizeof(h)) == 0 && hh_put(s, out, olen) == 0)
		(void)hh_serve_all(s);
}

static void
cli_reply_forged(const char *path)
{
	struct hl_opts o;
	struct hl_stats st;
	struct hl_conn *c;
	struct hl_fn *fn;
	uint64_t r = 0;
	int rc;

	hh_opts(&o, HH_LONG_MS);
	c = hh_connect(path, &o);
	fn = c != NULL ? hh_open(c, "factorial") : NULL;
	if (fn == NULL) {
		hl_disconnect(c);
		return;
	}
	rc = hl_fn_call_u64(fn, 20, 1, &r);
	CLI_CHECK(rc == HL_OK && r == F20, "call: %s, %llu (%llu is forged)",
		  hl_status_name(rc), (unsigned long long)r,
		  (unsigned long long)FORGED);
	hl_conn_stats(c, &st);
	CLI_CHECK(st.dropped_unknown == FORGE_N && st.dropped_bad == 1,
		  "dropped_unknown %llu (want %u), dropped_bad %llu (want 1)",
		  (unsigned long long)st.dropped_unknown, FORGE_N,
		  (unsigned long long)st.dropped_bad);
	hl_disconnect(c);
}

/* Before the real reply, copies of it, each wrong in one way. */
static void
srv_reply_wrong(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX], out[HL_FRAME_MAX], f[HL_FRAME_MAX];
	struct hl_frame_hdr h;
	uint32_t len, olen;
	int rc = 0;

	if (serve_to(s, HL_OP_FN_CALL, req, &len) != 1)
		return;
	olen = reply_to(s, req, len, out);
	for (int k = 0; k < 6 && rc == 0; k++) {
		uint32_t flen = olen;

		memcpy(&h, out, sizeof(h));
		h.hl.arg0 = FORGED;
		if (k == 0)
			h.hl.opcode = HL_OP_FN_GET;	/* dropped_unknown */
		else if (k == 1)
			memcpy(h.eth.src, hh_evil_mac, 6);
		else if (k == 2)
			h.hl.payload_len = 100;		/* beyond the frame */
		else if (k == 3)
			h.hl.flags = 0;			/* not a reply */
		else if (k == 4)
			h.hl.magic ^= 1;
		else
			flen = 20;			/* truncated */
		memcpy(f, &h, sizeof(h));
		rc = hh_put(s, f, flen);
	}
	if (rc == 0 && hh_put(s, out, 0) == 0 && hh_put(s, out, olen) == 0)
		(void)hh_serve_all(s);
}

static void
cli_reply_wrong(const char *path)
{
	struct hl_opts o;
	struct hl_stats st;
	struct hl_conn *c;
	struct hl_fn *fn;
	uint64_t r = 0;
	int rc;

	hh_opts(&o, HH_LONG_MS);
	c = hh_connect(path, &o);
	fn = c != NULL ? hh_open(c, "factorial") : NULL;
	if (fn == NULL) {
		hl_disconnect(c);
		return;
	}
	rc = hl_fn_call_u64(fn, 20, 1, &r);
	CLI_CHECK(rc == HL_OK && r == F20, "call: %s, %llu", hl_status_name(rc),
		  (unsigned long long)r);
	hl_conn_stats(c, &st);
	CLI_CHECK(st.dropped_unknown == 1 && st.dropped_bad == 5 &&
		  st.rx_dropped == 1, "dropped_unknown %llu (want 1), "
		  "dropped_bad %llu (want 5), rx_dropped %llu (want 1)",
		  (unsigned long long)st.dropped_unknown,
		  (unsigned long long)st.dropped_bad,
		  (unsigned long long)st.rx_dropped);
	hl_disconnect(c);
}

/* ---- the rings -------------------------------------------------------------- */

/* Serve until the client's second call, then do what attack says to it
 * instead of answering. */
static void
ring_attack(struct hh_srv *s, void (*attack)(struct hh_srv *, const uint8_t *,
					      uint32_t))
{
	uint8_t req[HL_FRAME_MAX], out[HL_FRAME_MAX];
	uint32_t len;

	if (serve_to(s, HL_OP_FN_CALL, req, &len) != 1 ||
	    hh_put(s, out, reply_to(s, req, len, out)) != 0 ||
	    hh_serve_until(s, HL_OP_FN_CALL, req, &len) != 1)
		return;
	attack(s, req, len);
	(void)hh_serve_all(s);
}

static void
s2c_tail_jump(struct hh_srv *s, const uint8_t *req, uint32_t len)
{
	(void)req;
	(void)len;
	s->s2c_tail = (uint16_t)(s->s2c_tail + (1u << s->log2) + 1);
	hh_s2c_publish(s, 0);
}

static void
s2c_tail_back(struct hh_srv *s, const uint8_t *req, uint32_t len)
{
	(void)req;
	(void)len;
	s->s2c_tail -= 2;
	hh_s2c_publish(s, 0);
}

/* The C2S tail beyond the head, then the reply: the next send must see it. */
static void
c2s_tail_beyond(struct hh_srv *s, const uint8_t *req, uint32_t len)
{
	uint8_t out[HL_FRAME_MAX];

	s->c2s_tail += 5;
	__atomic_store_n(&s->c2s->tail, s->c2s_tail, __ATOMIC_RELEASE);
	(void)hh_put(s, out, reply_to(s, req, len, out));
}

/* The reply in the buffer the client posted, its descriptor pointing far
 * outside the region: the client reads its own buffer, never the offset. */
static void
desc_outside(struct hh_srv *s, const uint8_t *req, uint32_t len)
{
	uint8_t *buf;
	struct memif_desc *d = hh_s2c_next(s, &buf);

	if (d == NULL)
		return;
	d->length = hh_answer(s, req, len, buf);
	d->offset = 0xfffffff0u;
	d->region = 7;
	d->flags = 0;
	hh_s2c_publish(s, 1);
}

/* A descriptor of length 0xffffffff first, then the reply. */
static void
desc_huge(struct hh_srv *s, const uint8_t *req, uint32_t len)
{
	uint8_t out[HL_FRAME_MAX], *buf;
	struct memif_desc *d = hh_s2c_next(s, &buf);

	if (d == NULL)
		return;
	d->length = 0xffffffffu;
	d->flags = 0;
	hh_s2c_publish(s, 1);
	(void)hh_put(s, out, reply_to(s, req, len, out));
}

/* A frame chained over nseg descriptors, the last one with NEXT too if
 * open; not published beyond them. */
static void
put_chain(struct hh_srv *s, uint32_t nseg, int open)
{
	for (uint32_t i = 0; i < nseg; i++) {
		uint8_t *buf;
		struct memif_desc *d = hh_s2c_next(s, &buf);

		if (d == NULL)
			return;
		memset(buf, 0x5a, 64);
		d->length = 64;
		d->flags = i + 1 < nseg || open ? MEMIF_DESC_FLAG_NEXT : 0;
		hh_s2c_publish(s, 1);
	}
}

static void
chain_open(struct hh_srv *s, const uint8_t *req, uint32_t len)
{
	(void)req;
	(void)len;
	put_chain(s, 2, 1);
}

static void
chain_long(struct hh_srv *s, const uint8_t *req, uint32_t len)
{
	uint8_t out[HL_FRAME_MAX];

	put_chain(s, 9, 0);	/* 8 slots dropped, then a 64-byte runt */
	(void)hh_put(s, out, reply_to(s, req, len, out));
}

static void srv_s2c_jump(struct hh_srv *s) { ring_attack(s, s2c_tail_jump); }
static void srv_s2c_back(struct hh_srv *s) { ring_attack(s, s2c_tail_back); }
static void srv_c2s_tail(struct hh_srv *s) { ring_attack(s, c2s_tail_beyond); }
static void srv_desc_outside(struct hh_srv *s) { ring_attack(s, desc_outside); }
static void srv_desc_huge(struct hh_srv *s) { ring_attack(s, desc_huge); }
static void srv_chain_open(struct hh_srv *s) { ring_attack(s, chain_open); }
static void srv_chain_long(struct hh_srv *s) { ring_attack(s, chain_long); }

/* A ring of 2 slots, both filled with one chain that never ends. */
static void
srv_chain_fills(struct hh_srv *s)
{
	s->memif_hello.max_log2_ring_size = 1;
	ring_attack(s, chain_open);
}

/* Open, one good call; the second call's status is returned. */
static int
second_call(struct hl_conn *c, struct hl_fn **fnp, uint64_t *r)
{
	struct hl_fn *fn = hh_open(c, "factorial");
	int rc;

	*fnp = fn;
	if (fn == NULL)
		return HL_E_INVAL;
	rc = hl_fn_call_u64(fn, 20, 1, r);
	CLI_CHECK(rc == HL_OK && *r == F20, "first call: %s", hl_status_name(rc));
	*r = 0;
	return hl_fn_call_u64(fn, 20, 1, r);
}

/* The host broke the rings during the second call: that call (or, if
 * late, the next one, whose send sees it) fails HL_E_PROTO, and so does
 * every later one (no reconnect). */
static void
ring_broken(const char *path, const char *why, int late)
{
	struct hl_opts o;
	struct hl_stats st;
	struct hl_conn *c;
	struct hl_fn *fn;
	uint64_t r;
	int rc;

	hh_opts(&o, HH_LONG_MS);
	o.reconnect = HL_RECONNECT_AUTO;
	c = hh_connect(path, &o);
	if (c == NULL)
		return;
	rc = second_call(c, &fn, &r);
	if (late && fn != NULL) {
		CLI_CHECK(rc == HL_OK && r == F20, "second call: %s",
			  hl_status_name(rc));
		rc = hl_fn_call_u64(fn, 20, 1, &r);
	}
	CLI_CHECK(rc == HL_E_PROTO, "call: %s (%s)", hl_status_name(rc),
		  hl_conn_reason(c));
	hh_reason_has(hl_conn_reason(c), why);
	rc = fn != NULL ? hl_fn_call_u64(fn, 3, 1, &r) : HL_E_PROTO;
	hl_conn_stats(c, &st);
	CLI_CHECK(rc == HL_E_PROTO && st.reconnects == 0,
		  "after: %s, %llu reconnects", hl_status_name(rc),
		  (unsigned long long)st.reconnects);
	hl_disconnect(c);
}

static void cli_s2c_jump(const char *p) { ring_broken(p, "S2C tail", 0); }
static void cli_s2c_back(const char *p) { ring_broken(p, "S2C tail", 0); }
static void cli_c2s_tail(const char *p) { ring_broken(p, "C2S tail", 1); }
static void cli_chain_fills(const char *p) { ring_broken(p, "never ends", 0); }

/* Bad descriptors are dropped (or their offset ignored); the reply works. */
static void
ring_survives(const char *path, uint64_t want_rx_dropped)
{
	struct hl_opts o;
	struct hl_stats st;
	struct hl_conn *c;
	struct hl_fn *fn;
	uint64_t r = 0;
	int rc;

	hh_opts(&o, HH_LONG_MS);
	c = hh_connect(path, &o);
	if (c == NULL)
		return;
	rc = second_call(c, &fn, &r);
	hl_conn_stats(c, &st);
	CLI_CHECK(rc == HL_OK && r == F20 && st.rx_dropped == want_rx_dropped,
		  "call: %s, %llu; rx_dropped %llu (want %llu)",
		  hl_status_name(rc), (unsigned long long)r,
		  (unsigned long long)st.rx_dropped,
		  (unsigned long long)want_rx_dropped);
	hl_disconnect(c);
}

static void cli_desc_outside(const char *p) { ring_survives(p, 0); }
static void cli_desc_huge(const char *p) { ring_survives(p, 1); }
static void cli_chain_long(const char *p) { ring_survives(p, 1); }

/* A chain that is never finished: the call times out, and the wait sleeps
 * on the interrupt instead of spinning on slots it cannot take. */
static void
cli_chain_open(const char *path)
{
	struct hl_opts o;
	struct hl_stats st0, st1;
	struct hl_conn *c;
	struct hl_fn *fn;
	uint64_t r;
	int rc;

	hh_opts(&o, HH_LONG_MS);
	o.wait_mode = HL_WAIT_INTR;
	c = hh_connect(path, &o);
	fn = c != NULL ? hh_open(c, "factorial") : NULL;
	if (fn == NULL) {
		hl_disconnect(c);
		return;
	}
	rc = hl_fn_call_u64(fn, 20, 1, &r);
	CLI_CHECK(rc == HL_OK, "first call: %s", hl_status_name(rc));
	hl_conn_set_timeout(c, 300);
	hl_conn_stats(c, &st0);
	rc = hl_fn_call_u64(fn, 20, 1, &r);
	hl_conn_stats(c, &st1);
	CLI_CHECK(rc == HL_E_TIMEOUT, "call: %s", hl_status_name(rc));
	CLI_CHECK(st1.sleeps > st0.sleeps, "the wait never slept (spun on an "
		  "unfinished chain)");
	hl_disconnect(c);
}

/* ---- bulk ------------------------------------------------------------------- */

/* A bulk reply claiming one byte more than the room it was given. */
static void
srv_bulk_overlong(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX], out[HL_FRAME_MAX];
	struct hl_frame_hdr h;
	struct hl_bulk b;
	uint32_t len, olen;

	s->hello.max_bulk = 1u << 20;
	if (serve_to(s, HL_OP_FN_CALL_BULK, req, &len) != 1)
		return;
	olen = reply_to(s, req, len, out);
	memcpy(&b, req + HL_FRAME_HDR_LEN, sizeof(b));
	memcpy(&h, out, sizeof(h));
	h.hl.arg1 = (uint64_t)b.out_cap + 1;
	memcpy(out, &h, sizeof(h));
	if (hh_put(s, out, olen) == 0)
		(void)hh_serve_all(s);
}

static void
cli_bulk_overlong(const char *path)
{
	static uint8_t in[4096], out[4096];
	struct hl_opts o;
	struct hl_conn *c;
	struct hl_fn *fn;
	uint32_t olen = 0;
	int rc;

	for (uint32_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7);
	hh_opts(&o, HH_LONG_MS);
	c = hh_connect(path, &o);
	fn = c != NULL ? hh_open(c, "echo") : NULL;
	if (fn == NULL) {
		hl_disconnect(c);
		return;
	}
	rc = hl_fn_call(fn, in, sizeof(in), out, sizeof(out), &olen);
	CLI_CHECK(rc == HL_E_PROTO, "overlong bulk reply: %s", hl_status_name(rc));
	rc = hl_fn_call(fn, in, sizeof(in), out, sizeof(out), &olen);
	CLI_CHECK(rc == HL_OK && olen == sizeof(in) &&
		  memcmp(in, out, sizeof(in)) == 0, "next bulk call: %s, %u bytes",
		  hl_status_name(rc), olen);
	hl_disconnect(c);
}

/* ---- reconnecting ---------------------------------------------------------- */

/* Every connection: HELLO, opens and activates answered, the first call
 * dropped with the connection (no word: a host that died, revivable). */
static void
srv_storm(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX];
	uint32_t len;

	while (hh_handshake(s) == 0) {
		(void)hh_serve_until(s, HL_OP_FN_CALL, req, &len);
		hh_conn_close(s);
	}
	hh_conn_close(s);
}

/* Attempts the backoff allows within reconnect_limit_ms: the first at
 * once, then after min, 2 min, 4 min ... max, max ... ms. */
static unsigned int
storm_bound(const struct hl_opts *o)
{
	unsigned int n = 1, b = o->reconnect_min_ms;
	long t = b;

	while (t < o->reconnect_limit_ms) {
		n++;
		b = b > o->reconnect_max_ms / 2 ? o->reconnect_max_ms : b * 2;
		t += b;
	}
	return n;
}

static void
cli_storm(const char *path)
{
	struct hl_opts o;
	struct hl_stats st;
	struct hl_conn *c;
	struct hl_fn *fn;
	unsigned int bound, calls = 0;
	uint64_t r;
	int rc;

	hh_opts(&o, 1000);
	o.reconnect = HL_RECONNECT_AUTO;
	/* Each storm connection lives a few ms; reconnect_max_ms of it would
	 * count as healthy, so it is far above that. */
	o.reconnect_min_ms = 20;
	o.reconnect_max_ms = 400;
	o.reconnect_limit_ms = 1500;
	bound = storm_bound(&o);
	c = hh_connect(path, &o);
	fn = c != NULL ? hh_open(c, "factorial") : NULL;
	if (fn == NULL) {
		hl_disconnect(c);
		return;
	}
	do {
		rc = hl_fn_call_u64(fn, 5, 1, &r);
		hl_conn_stats(c, &st);
		calls++;
		CLI_CHECK(rc == HL_E_DISCONNECTED, "call %u: %s", calls,
			  hl_status_name(rc));
		CLI_CHECK(hh_region_maps() == 0, "a dead transport's region is "
			  "still mapped");
	} while (rc == HL_E_DISCONNECTED && st.reconnects <= bound &&
		 strstr(hl_conn_reason(c), "gave up") == NULL);
	printf("  %llu reconnects in %u calls, the backoff allows %u\n",
	       (unsigned long long)st.reconnects, calls, bound);
	CLI_CHECK(st.reconnects >= 1 && st.reconnects <= bound,
		  "%llu reconnects in %u calls; the backoff allows %u",
		  (unsigned long long)st.reconnects, calls, bound);
	hh_reason_has(hl_conn_reason(c), "gave up reconnecting after 1500 ms");
	hl_disconnect(c);
}

/* The first connection offers bulk calls and is ended with "hostlane
 * shutting down"; every later one answers HELLO wrongly (how: bend). No
 * bulk call may reach a host that did not offer them. */
static void
srv_rehello(struct hh_srv *s, void (*bend)(struct hh_hello *))
{
	uint8_t req[HL_FRAME_MAX], out[HL_FRAME_MAX];
	uint32_t len;

	s->hello.max_bulk = 1u << 20;
	if (serve_to(s, HL_OP_FN_CALL_BULK, req, &len) != 1 ||
	    hh_put(s, out, reply_to(s, req, len, out)) != 0)
		return;
	(void)hh_send_disconnect(s, HL_MEMIF_DISC_SHUTDOWN, "hostlane shutting down");
	hh_conn_close(s);
	bend(&s->hello);
	while (hh_handshake(s) == 0) {
		if (hh_serve_until(s, HL_OP_FN_CALL_BULK, req, &len) == 1)
			SRV_FAIL(s, "a bulk call reached a host that offered none");
		hh_conn_close(s);
	}
	hh_conn_close(s);
}

static void bend_short(struct hh_hello *h) { h->len = 40; }
static void bend_v23(struct hh_hello *h) { h->vmin = 2; h->vmax = 3; }
static void srv_rehello_short(struct hh_srv *s) { srv_rehello(s, bend_short); }
static void srv_rehello_v23(struct hh_srv *s) { srv_rehello(s, bend_v23); }

static void
cli_rehello(const char *path, const char *why)
{
	static uint8_t in[4096], out[4096];
	struct hl_opts o;
	struct hl_conn *c;
	struct hl_fn *fn;
	uint32_t olen;
	int rc, said = 0;

	hh_opts(&o, 1000);
	o.reconnect = HL_RECONNECT_AUTO;
	c = hh_connect(path, &o);
	fn = c != NULL ? hh_open(c, "echo") : NULL;
	if (fn == NULL) {
		hl_disconnect(c);
		return;
	}
	rc = hl_fn_call(fn, in, sizeof(in), out, sizeof(out), &olen);
	CLI_CHECK(rc == HL_OK, "bulk call on the first host: %s",
		  hl_status_name(rc));
	for (int i = 0; i < 3; i++) {
		rc = hl_fn_call(fn, in, sizeof(in), out, sizeof(out), &olen);
		CLI_CHECK(rc != HL_OK, "a bulk call succeeded after the host "
			  "went");
		said |= strstr(hl_conn_reason(c), why) != NULL;
	}
	CLI_CHECK(said, "no call said \"%s\" (last: %s)", why, hl_conn_reason(c));
	hl_disconnect(c);
}

static void cli_rehello_short(const char *p) { cli_rehello(p, "40 bytes"); }
static void cli_rehello_v23(const char *p) { cli_rehello(p, "versions 2..3"); }

/* The host leaves; the next one leaves during the HELLO (on the
 * reconnect path); the one after works. */
static void
srv_revive_disconnect(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX], out[HL_FRAME_MAX];
	uint32_t len;

	if (serve_to(s, HL_OP_FN_CALL, req, &len) != 1 ||
	    hh_put(s, out, reply_to(s, req, len, out)) != 0)
		return;
	(void)hh_send_disconnect(s, HL_MEMIF_DISC_SHUTDOWN, "hostlane shutting down");
	hh_conn_close(s);
	if (serve_to(s, HL_OP_HELLO, req, &len) == 1)
		(void)hh_send_disconnect(s, HL_MEMIF_DISC_SHUTDOWN, "hostlane shutting down");
	hh_conn_close(s);
	if (hh_handshake(s) == 0)
		(void)hh_serve_all(s);
}

static void
cli_revive_disconnect(const char *path)
{
	struct hl_opts o;
	struct hl_stats st;
	struct hl_conn *c;
	struct hl_fn *fn;
	uint64_t r = 0;
	int rc = HL_E_INVAL;

	hh_opts(&o, 2000);
	o.reconnect = HL_RECONNECT_AUTO;
	c = hh_connect(path, &o);
	fn = c != NULL ? hh_open(c, "factorial") : NULL;
	if (fn == NULL) {
		hl_disconnect(c);
		return;
	}
	rc = hl_fn_call_u64(fn, 20, 1, &r);
	CLI_CHECK(rc == HL_OK, "first call: %s", hl_status_name(rc));
	rc = HL_E_INVAL;
	for (int i = 0; i < 6 && rc != HL_OK; i++)
		rc = hl_fn_call_u64(fn, 20, 1, &r);
	hl_conn_stats(c, &st);
	CLI_CHECK(rc == HL_OK && r == F20 && st.reconnects == 1 &&
		  st.disconnects == 2, "call: %s, %llu; %llu reconnects, %llu "
		  "disconnects", hl_status_name(rc), (unsigned long long)r,
		  (unsigned long long)st.reconnects,
		  (unsigned long long)st.disconnects);
	hl_disconnect(c);
}

/* A DISCONNECT whose code is not one to retry on, during a call — its
 * words say "shutting down", to show that the code decides, never the
 * words: sent away, the connection stays dead and never reconnects. */
static void
srv_call_disconnect(struct hh_srv *s)
{
	uint8_t req[HL_FRAME_MAX];
	uint32_t len;

	if (serve_to(s, HL_OP_FN_CALL, req, &len) == 1)
		(void)hh_send_disconnect(s, HL_MEMIF_DISC_MSG_ORDER,
					 "hostlane shutting down");
	hh_conn_close(s);
	if (hh_wait(s, s->lfd, HH_CHILD_MS) == 1)
		SRV_FAIL(s, "the client came back after it was sent away");
}

static void
cli_call_disconnect(const char *path)
{
	struct hl_opts o;
	struct hl_stats st;
	struct hl_conn *c;
	struct hl_fn *fn;
	uint64_t r;
	int rc;

	hh_opts(&o, HH_LONG_MS);
	o.reconnect = HL_RECONNECT_AUTO;
	c = hh_connect(path, &o);
	fn = c != NULL ? hh_open(c, "factorial") : NULL;
	if (fn == NULL) {
		hl_disconnect(c);
		return;
	}
	rc = hl_fn_call_u64(fn, 20, 1, &r);
	CLI_CHECK(rc == HL_E_DISCONNECTED, "call: %s", hl_status_name(rc));
	hh_reason_has(hl_conn_reason(c), "code 3");
	rc = hl_fn_call_u64(fn, 20, 1, &r);
	hl_conn_stats(c, &st);
	CLI_CHECK(rc == HL_E_DISCONNECTED && st.reconnects == 0,
		  "after: %s, %llu reconnects", hl_status_name(rc),
		  (unsigned long long)st.reconnects);
	hl_disconnect(c);
}

const struct hh_case hh_conn_cases[] = {
	{ "hello-disconnect", "DISCONNECT during HELLO: closed once, "
	  "HL_E_DISCONNECTED", srv_hello_disconnect, cli_hello_disconnect, 0 },
	{ "hello-eof", "EOF during HELLO: HL_E_DISCONNECTED",
	  srv_hello_eof, cli_hello_eof, 0 },
	{ "hello-reply-eof", "HELLO reply then EOF: no crash, dead after",
	  srv_hello_reply_eof, cli_hello_reply_eof, 0 },
	{ "hello-silent", "HELLO never answered: HL_E_TIMEOUT",
	  srv_hello_silent, cli_hello_silent, 0 },
	{ "hello-short", "40-byte HELLO reply: HL_E_PROTO",
	  srv_hello_short, cli_hello_short, 0 },
	{ "hello-long", "64-byte HELLO reply: HL_E_PROTO",
	  srv_hello_long, cli_hello_long, 0 },
	{ "hello-version", "host speaks 2..3: HL_E_VERSION",
	  srv_hello_v23, cli_hello_v23, 0 },
	{ "hello-nack", "HELLO answered HL_E_PERM: that status",
	  srv_hello_nack, cli_hello_nack, 0 },
	{ "hello-forged", "2048 forged HELLO replies: none taken",
	  srv_hello_forged, cli_hello_forged, 0 },
	{ "reply-forged", "guessable ids, wrong dst MAC: none taken",
	  srv_reply_forged, cli_reply_forged, 0 },
	{ "reply-wrong", "wrong opcode/src/length/flags/magic: dropped",
	  srv_reply_wrong, cli_reply_wrong, 0 },
	{ "ring-s2c-tail-jump", "S2C tail past the head: HL_E_PROTO for good",
	  srv_s2c_jump, cli_s2c_jump, 0 },
	{ "ring-s2c-tail-back", "S2C tail moved back: HL_E_PROTO for good",
	  srv_s2c_back, cli_s2c_back, 0 },
	{ "ring-c2s-tail", "C2S tail past the head: HL_E_PROTO for good",
	  srv_c2s_tail, cli_c2s_tail, 0 },
	{ "ring-desc-outside", "S2C offset/region outside: ignored",
	  srv_desc_outside, cli_desc_outside, 0 },
	{ "ring-desc-huge", "S2C length 0xffffffff: dropped",
	  srv_desc_huge, cli_desc_huge, 0 },
	{ "ring-chain-long", "S2C chain of 9: dropped",
	  srv_chain_long, cli_chain_long, 0 },
	{ "ring-chain-open", "S2C chain never ended: timeout, no spinning",
	  srv_chain_open, cli_chain_open, 0 },
	{ "ring-chain-fills", "open chain fills the ring: HL_E_PROTO",
	  srv_chain_fills, cli_chain_fills, 0 },
	{ "bulk-overlong", "bulk reply longer than its room: HL_E_PROTO",
	  srv_bulk_overlong, cli_bulk_overlong, 0 },
	{ "reconnect-storm", "HELLO ok, call dropped: backoff, gives up",
	  srv_storm, cli_storm, 0 },
	{ "reconnect-short-hello", "40-byte HELLO after reconnect: refused",
	  srv_rehello_short, cli_rehello_short, 0 },
	{ "reconnect-version", "2..3 after reconnect: refused",
	  srv_rehello_v23, cli_rehello_v23, 0 },
	{ "reconnect-hello-disconnect", "DISCONNECT during a reconnect's "
	  "HELLO: next try works", srv_revive_disconnect,
	  cli_revive_disconnect, 0 },
	{ "call-disconnect", "sent away (code, not words) during a call: dead",
	  srv_call_disconnect, cli_call_disconnect, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};
