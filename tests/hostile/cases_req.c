/* SPDX-License-Identifier: BSD-3-Clause */
/* Attack cases on hostlane requests: headers, sessions, quotas, floods,
 * bulk calls. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <hostlane/hostlane.h>

#include "attack.h"

#define HELLO_LEN (HL_FRAME_HDR_LEN + sizeof(struct hl_hello))

static const char *
st_name(int st)
{
	static char buf[32];

	if (st < 0) {
		snprintf(buf, sizeof(buf), "transport: %s", evil_rc_str(st));
		return buf;
	}
	return hl_status_name(st);
}

/* Send frame (len bytes), expect a reply to it with status want. */
static int
expect_status(struct ctx *c, struct evil *e, const void *frame, uint32_t len,
	      uint16_t want)
{
	const struct hl_frame_hdr *h = frame;
	struct hl_frame_hdr rep;
	int rc = evil_rpc(e, frame, len, &rep, NULL);

	if (rc != EVIL_OK)
		return bad(c, "no reply: %s %s %s", evil_rc_str(rc), e->reason, e->err);
	if (rep.hl.req_id != h->hl.req_id)
		return bad(c, "reply to req %llu, wanted %llu",
			   (unsigned long long)rep.hl.req_id,
			   (unsigned long long)h->hl.req_id);
	if (rep.hl.status != want || rep.hl.payload_len != 0 ||
	    !(rep.hl.flags & HL_F_REPLY))
		return bad(c, "reply %s payload %u flags %#x",
			   st_name(rep.hl.status), rep.hl.payload_len, rep.hl.flags);
	return got(c, "reply %s", st_name(rep.hl.status));
}

/* A header with one thing wrong, sent on a ready client. */
static int
header_case(struct ctx *c, void (*spoil)(struct hl_frame_hdr *h, uint32_t *len),
	    uint16_t want)
{
	uint8_t f[HL_FRAME_MAX] = { 0 };
	uint32_t len = HELLO_LEN;
	struct evil e;
	int fail;

	if (up(c, &e))
		return 1;
	evil_hello_frame(&e, f, NULL);
	spoil((struct hl_frame_hdr *)f, &len);
	fail = expect_status(c, &e, f, len, want);
	if (!fail)
		fail = still_works(c, &e);
	evil_close(&e);
	return fail;
}

static void s_version(struct hl_frame_hdr *h, uint32_t *len) { (void)len; h->hl.version = 2; }
static void s_opcode(struct hl_frame_hdr *h, uint32_t *len) { (void)len; h->hl.opcode = 0x33; }
static void s_opcode_socket(struct hl_frame_hdr *h, uint32_t *len) { (void)len; h->hl.opcode = 0x7F; }
static void s_opcode_zero(struct hl_frame_hdr *h, uint32_t *len) { (void)len; h->hl.opcode = 0; }
static void s_reply_flag(struct hl_frame_hdr *h, uint32_t *len) { (void)len; h->hl.flags = HL_F_REPLY; }
static void s_flags(struct hl_frame_hdr *h, uint32_t *len) { (void)len; h->hl.flags = 0x8000; }
static void s_reserved0(struct hl_frame_hdr *h, uint32_t *len) { (void)len; h->hl.reserved0 = 1; }
static void s_reserved1(struct hl_frame_hdr *h, uint32_t *len) { (void)len; h->hl.reserved1 = 0xFFFF; }
static void s_too_large(struct hl_frame_hdr *h, uint32_t *len) { h->hl.payload_len = HL_PAYLOAD_MAX + 1; *len = HL_FRAME_MAX; }
static void s_len_wrap(struct hl_frame_hdr *h, uint32_t *len) { (void)len; h->hl.payload_len = 0xFFFFFFC0u; }
static void s_beyond(struct hl_frame_hdr *h, uint32_t *len) { h->hl.payload_len = 100; *len = HL_FRAME_HDR_LEN + 10; }
static void s_hello_short(struct hl_frame_hdr *h, uint32_t *len) { h->hl.payload_len = 10; *len = HL_FRAME_HDR_LEN + 10; }

static int c_version(struct ctx *c) { return header_case(c, s_version, HL_E_VERSION); }
static int c_opcode(struct ctx *c) { return header_case(c, s_opcode, HL_E_BAD_OPCODE); }
static int c_opcode_socket(struct ctx *c) { return header_case(c, s_opcode_socket, HL_E_BAD_OPCODE); }
static int c_opcode_zero(struct ctx *c) { return header_case(c, s_opcode_zero, HL_E_BAD_OPCODE); }
static int c_reply_flag(struct ctx *c) { return header_case(c, s_reply_flag, HL_E_BAD_REQUEST); }
static int c_flags(struct ctx *c) { return header_case(c, s_flags, HL_E_BAD_REQUEST); }
static int c_reserved0(struct ctx *c) { return header_case(c, s_reserved0, HL_E_BAD_REQUEST); }
static int c_reserved1(struct ctx *c) { return header_case(c, s_reserved1, HL_E_BAD_REQUEST); }
static int c_too_large(struct ctx *c) { return header_case(c, s_too_large, HL_E_TOO_LARGE); }
static int c_len_wrap(struct ctx *c) { return header_case(c, s_len_wrap, HL_E_TOO_LARGE); }
static int c_beyond(struct ctx *c) { return header_case(c, s_beyond, HL_E_BAD_LENGTH); }
static int c_hello_short(struct ctx *c) { return header_case(c, s_hello_short, HL_E_BAD_LENGTH); }

/* Frames too broken to address: dropped; the HELLO after them answered. */
static int
unaddressable(struct ctx *c, void (*spoil)(uint8_t *f, uint32_t *len), const char *what)
{
	uint8_t junk[HL_FRAME_MAX] = { 0 }, f[HELLO_LEN];
	uint32_t len = HELLO_LEN;
	uint64_t id;
	struct evil e;
	int fail;

	if (up(c, &e))
		return 1;
	evil_hello_frame(&e, junk, NULL);
	spoil(junk, &len);
	evil_c2s_stage(&e, 0, junk, len, 0);
	evil_c2s_stage(&e, 1, f, evil_hello_frame(&e, f, &id), 0);
	evil_c2s_publish(&e, 2);
	fail = evil_expect_reply(&e, id, HL_OK);
	if (fail)
		bad(c, "%s", e.err);
	else
		got(c, "%s dropped without a reply; the next HELLO answered", what);
	evil_close(&e);
	return fail;
}

static void u_hdr_40(uint8_t *f, uint32_t *len) { (void)f; *len = 40; }
static void u_hdr_minus_one(uint8_t *f, uint32_t *len) { (void)f; *len = HL_FRAME_HDR_LEN - 1; }
static void u_magic(uint8_t *f, uint32_t *len) { (void)len; ((struct hl_frame_hdr *)f)->hl.magic = 0x4C4C4548; }
static void u_ethertype(uint8_t *f, uint32_t *len) { (void)len; f[12] = 0x08; f[13] = 0x00; }

static int c_short(struct ctx *c) { return unaddressable(c, u_hdr_40, "40-byte hostlane frame"); }
static int c_hdr_minus_one(struct ctx *c) { return unaddressable(c, u_hdr_minus_one, "63-byte hostlane frame"); }
static int c_magic(struct ctx *c) { return unaddressable(c, u_magic, "bad magic"); }
static int c_ethertype(struct ctx *c) { return unaddressable(c, u_ethertype, "IPv4 EtherType"); }

/* A fresh connection must say HELLO first. */
static int
c_before_hello(struct ctx *c)
{
	uint8_t f[HL_FRAME_HDR_LEN + sizeof(struct hl_fn_open)] = { 0 };
	struct hl_fn_open *o = (struct hl_fn_open *)(f + HL_FRAME_HDR_LEN);
	struct evil e;
	int fail, rc = evil_open(&e, c->evil_sock, EVIL_SECRET);

	if (rc == EVIL_OK)
		rc = evil_region_create(&e, 5);
	if (rc == EVIL_OK)
		rc = evil_handshake(&e, NULL, NULL);
	if (rc != EVIL_OK)
		return want_reason(c, &e, rc, "(connected)");
	evil_req(&e, f, HL_OP_FN_OPEN, 0);
	((struct hl_frame_hdr *)f)->hl.payload_len = sizeof(*o);
	memcpy(o->name, "factorial", 9);
	fail = expect_status(c, &e, f, sizeof(f), HL_E_NOT_HELLO);
	if (!fail)
		fail = still_works(c, &e);
	evil_close(&e);
	return fail;
}

/* FN_OPEN with a spoiled payload. */
static int
open_case(struct ctx *c, const char *name, size_t name_len, uint8_t placement,
	  uint32_t payload_len, uint32_t session, uint16_t want)
{
	uint8_t f[HL_FRAME_MAX] = { 0 };
	struct hl_fn_open *o = (struct hl_fn_open *)(f + HL_FRAME_HDR_LEN);
	struct evil e;
	int fail;

	if (up(c, &e))
		return 1;
	evil_req(&e, f, HL_OP_FN_OPEN, session);
	((struct hl_frame_hdr *)f)->hl.payload_len = payload_len;
	memcpy(o->name, name, name_len);
	o->placement = placement;
	fail = expect_status(c, &e, f, HL_FRAME_HDR_LEN + sizeof(*o) + 8, want);
	if (!fail)
		fail = still_works(c, &e);
	evil_close(&e);
	return fail;
}

static int c_open_unknown(struct ctx *c) { return open_case(c, "nosuchfn", 8, 0, 40, 0, HL_E_UNKNOWN_FN); }
static int c_open_bad_name(struct ctx *c) { return open_case(c, "../fact", 7, 0, 40, 0, HL_E_BAD_REQUEST); }
static int c_open_empty_name(struct ctx *c) { return open_case(c, "", 0, 0, 40, 0, HL_E_BAD_REQUEST); }
static int c_open_no_nul(struct ctx *c) { return open_case(c, "factorialfactorialfactorialfacto", 32, 0, 40, 0, HL_E_BAD_REQUEST); }
static int c_open_junk_after(struct ctx *c) { return open_case(c, "echo\0X", 6, 0, 40, 0, HL_E_BAD_REQUEST); }
static int c_open_placement(struct ctx *c) { return open_case(c, "echo", 4, 7, 40, 0, HL_E_BAD_REQUEST); }
static int c_open_size(struct ctx *c) { return open_case(c, "echo", 4, 0, 39, 0, HL_E_BAD_LENGTH); }
static int c_open_session(struct ctx *c) { return open_case(c, "echo", 4, 0, 40, 0x10000, HL_E_BAD_REQUEST); }

/* One request on a session and its expected status. */
static int
on_session(struct ctx *c, struct evil *e, uint16_t op, uint32_t session,
	   uint16_t want, const char *what)
{
	int st = evil_fn_req(e, op, session, 5, 1, NULL);

	if (st != want)
		return bad(c, "%s: %s, wanted %s", what, st_name(st), st_name(want));
	return 0;
}

static int
c_forged_session(struct ctx *c)
{
	static const uint32_t ids[] = { 0, 0xDEAD0001u, 0x00010000u, 0xFFFFFFFFu, 0x0001FFFFu };
	struct evil e;
	int fail = 0;

	if (up(c, &e))
		return 1;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]) && !fail; i++)
		fail = on_session(c, &e, HL_OP_FN_CALL, ids[i], HL_E_BAD_SESSION, "call");
	if (!fail)
		got(c, "FN_CALL on 5 forged ids (0, 0xDEAD0001, ...): all HL_E_BAD_SESSION");
	evil_close(&e);
	return fail;
}

/* The good guest's live session ids, on evil: every opcode refused, and
 * the good guest (checked after every case) keeps its sessions. */
static int
c_other_guest(struct ctx *c)
{
	static const uint16_t ops[] = { HL_OP_FN_CALL, HL_OP_FN_SET, HL_OP_FN_GET,
					HL_OP_FN_RESET, HL_OP_FN_ACTIVATE, HL_OP_FN_CLOSE };
	struct evil e;
	int fail = 0;

	if (up(c, &e))
		return 1;
	for (int f = 0; f < GOOD_NFN && !fail; f++)
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]) && !fail; i++)
			fail = on_session(c, &e, ops[i], c->good.sessions[f],
					  HL_E_BAD_SESSION, hl_proto_opcode_name(ops[i]));
	if (!fail)
		got(c, "CALL/SET/GET/RESET/ACTIVATE/CLOSE on good's %d session ids "
		    "(%#x, ...): all HL_E_BAD_SESSION", GOOD_NFN, c->good.sessions[0]);
	evil_close(&e);
	return fail;
}

/* Open a session of fn (activated if activate) on ready client e, in *s;
 * on failure report it, close e and return 1. */
static int
open_or_close(struct ctx *c, struct evil *e, const char *fn, bool activate,
	      uint32_t *s)
{
	int st = evil_fn_open(e, fn, activate, s);

	if (st == HL_OK)
		return 0;
	evil_close(e);
	return bad(c, "open %s: %s", fn, st_name(st));
}

/* A ready evil client with a session of fn (activated if activate); on
 * failure reported, e closed, 1. */
static int
up_with(struct ctx *c, struct evil *e, const char *fn, bool activate,
	uint32_t *s)
{
	return up(c, e) || open_or_close(c, e, fn, activate, s);
}

/* A case's body, on ready client e with its session s: 0, or 1 (reported). */
typedef int session_body_fn(struct ctx *c, struct evil *e, uint32_t s);

/* body on a fresh client with a session of fn (activated if activate). */
static int
with_session(struct ctx *c, const char *fn, bool activate, session_body_fn *body)
{
	uint32_t s = 0;
	struct evil e;
	int fail;

	if (up_with(c, &e, fn, activate, &s))
		return 1;
	fail = body(c, &e, s);
	evil_close(&e);
	return fail;
}

static int
close_twice(struct ctx *c, struct evil *e, uint32_t s)
{
	return on_session(c, e, HL_OP_FN_CLOSE, s, HL_OK, "first close") ||
	       on_session(c, e, HL_OP_FN_CLOSE, s, HL_E_BAD_SESSION, "second close") ||
	       got(c, "first close HL_OK, second HL_E_BAD_SESSION");
}

static int
call_after_close(struct ctx *c, struct evil *e, uint32_t s)
{
	return on_session(c, e, HL_OP_FN_CALL, s, HL_OK, "call") ||
	       on_session(c, e, HL_OP_FN_CLOSE, s, HL_OK, "close") ||
	       on_session(c, e, HL_OP_FN_CALL, s, HL_E_BAD_SESSION, "call after close") ||
	       on_session(c, e, HL_OP_FN_GET, s, HL_E_BAD_SESSION, "get after close") ||
	       got(c, "call OK, close OK, then call and get HL_E_BAD_SESSION");
}

static int
call_after_bye(struct ctx *c, struct evil *e, uint32_t s)
{
	uint8_t f[HL_FRAME_HDR_LEN] = { 0 };

	evil_req(e, f, HL_OP_BYE, 0);
	return expect_status(c, e, f, sizeof(f), HL_OK) ||
	       on_session(c, e, HL_OP_FN_CALL, s, HL_E_BAD_SESSION, "call after BYE") ||
	       got(c, "BYE OK, then FN_CALL HL_E_BAD_SESSION");
}

static int
not_activated(struct ctx *c, struct evil *e, uint32_t s)
{
	return on_session(c, e, HL_OP_FN_CALL, s, HL_E_BAD_STATE, "call before activate") ||
	       on_session(c, e, HL_OP_FN_ACTIVATE, s, HL_OK, "activate") ||
	       on_session(c, e, HL_OP_FN_ACTIVATE, s, HL_E_BAD_STATE, "activate again") ||
	       got(c, "call before activate HL_E_BAD_STATE; second activate HL_E_BAD_STATE");
}

static int
get_before_set(struct ctx *c, struct evil *e, uint32_t s)
{
	return on_session(c, e, HL_OP_FN_GET, s, HL_E_BAD_STATE, "get before set") ||
	       got(c, "FN_GET in state WAIT: HL_E_BAD_STATE");
}

static int
bad_args(struct ctx *c, struct evil *e, uint32_t s)
{
	int st;

	if ((st = evil_fn_req(e, HL_OP_FN_CALL, s, 5, EVIL_MAX_REPS + 1, NULL)) != HL_E_QUOTA)
		return bad(c, "reps > max_repetitions: %s", st_name(st));
	if ((st = evil_fn_req(e, HL_OP_FN_CALL, s, 5, 0, NULL)) != HL_E_BAD_REQUEST)
		return bad(c, "0 reps: %s", st_name(st));
	if ((st = evil_fn_req(e, HL_OP_FN_CALL, s, ~0ull, 1, NULL)) != HL_E_BAD_REQUEST)
		return bad(c, "n = 2^64 - 1: %s", st_name(st));
	return got(c, "reps > max: HL_E_QUOTA; 0 reps, huge n: HL_E_BAD_REQUEST");
}

static int c_close_twice(struct ctx *c) { return with_session(c, "factorial", true, close_twice); }
static int c_call_after_close(struct ctx *c) { return with_session(c, "factorial", true, call_after_close); }
static int c_call_after_bye(struct ctx *c) { return with_session(c, "fibonacci", true, call_after_bye); }
static int c_not_activated(struct ctx *c) { return with_session(c, "factorial", false, not_activated); }
static int c_get_before_set(struct ctx *c) { return with_session(c, "crc32c", true, get_before_set); }
static int c_bad_args(struct ctx *c) { return with_session(c, "factorial", true, bad_args); }

static int
c_quota(struct ctx *c)
{
	uint32_t s[EVIL_MAX_SESSIONS + 1] = { 0 };
	struct evil e;
	int st = HL_OK, i;

	if (up(c, &e))
		return 1;
	for (i = 0; i < EVIL_MAX_SESSIONS && st == HL_OK; i++)
		st = evil_fn_open(&e, "echo", false, &s[i]);
	if (st != HL_OK) {
		evil_close(&e);
		return bad(c, "open %d of %d: %s", i, EVIL_MAX_SESSIONS, st_name(st));
	}
	st = evil_fn_open(&e, "echo", false, &s[i]);
	if (st != HL_E_QUOTA) {
		evil_close(&e);
		return bad(c, "open %d: %s, wanted HL_E_QUOTA", i + 1, st_name(st));
	}
	/* Closing one makes room again. */
	st = evil_fn_req(&e, HL_OP_FN_CLOSE, s[0], 0, 0, NULL);
	if (st == HL_OK)
		st = evil_fn_open(&e, "echo", false, &s[0]);
	evil_close(&e);
	if (st != HL_OK)
		return bad(c, "close one, open again: %s", st_name(st));
	return got(c, "%d opens OK, open %d HL_E_QUOTA, after a close an open is OK",
		   EVIL_MAX_SESSIONS, EVIL_MAX_SESSIONS + 1);
}

/* ---- floods: a burst of requests published at once ------------------------ */

#define FLOOD 24

/* Request i of a burst on session s into f: its length; *id its req_id. */
typedef uint32_t burst_frame_fn(struct evil *e, uint32_t s, uint16_t i,
				uint8_t *f, uint64_t *id);

/* Stage n requests made by frame, publish them at once: the first's req_id. */
static uint64_t
publish_burst(struct evil *e, uint32_t s, uint16_t n, burst_frame_fn *frame)
{
	_Alignas(struct hl_frame_hdr) uint8_t f[HL_FRAME_MAX];
	uint64_t first = 0, id;

	for (uint16_t i = 0; i < n; i++) {
		uint32_t len = frame(e, s, i, f, &id);

		if (i == 0)
			first = id;
		evil_c2s_stage(e, i, f, len, 0);
	}
	evil_c2s_publish(e, n);
	return first;
}

struct tally {
	int ok;
	int busy;
};

/* Check one reply of a flood (slot: its request's place in the burst) and
 * count it in *n: 0, or 1 (reported). */
typedef int flood_reply_fn(struct ctx *c, const struct evil *e,
			   const struct hl_frame_hdr *rep, uint64_t slot,
			   struct tally *n);

/* The FLOOD replies to requests first, first + 1, ...: each request
 * answered exactly once, each reply passing check, at least one HL_E_BUSY.
 * 0, or 1 (reported). */
static int
flood_replies(struct ctx *c, struct evil *e, uint64_t first,
	      flood_reply_fn *check, struct tally *n)
{
	uint8_t buf[HL_FRAME_MAX];
	int seen[FLOOD] = { 0 }, fail = 0;
	uint32_t len;

	for (int k = 0; k < FLOOD && !fail; k++) {
		struct hl_frame_hdr rep;
		uint64_t slot;

		if (evil_recv_frame(e, buf, sizeof(buf), &len, EVIL_WAIT_MS) != EVIL_OK)
			return bad(c, "reply %d of %d missing: %s", k + 1, FLOOD, e->reason);
		memcpy(&rep, buf, sizeof(rep));
		slot = rep.hl.req_id - first;
		if (slot >= FLOOD || seen[slot]++ != 0)
			fail = bad(c, "reply to req %llu unexpected or twice",
				   (unsigned long long)rep.hl.req_id);
		else
			fail = check(c, e, &rep, slot, n);
	}
	if (!fail && n->busy == 0)
		fail = bad(c, "%d OK, no HL_E_BUSY", n->ok);
	return fail;
}

/* factorial(20), 1000 times over. */
static uint32_t
fact_frame(struct evil *e, uint32_t s, uint16_t i, uint8_t *f, uint64_t *id)
{
	struct hl_frame_hdr *h = (struct hl_frame_hdr *)f;

	(void)i;
	*id = evil_req(e, f, HL_OP_FN_CALL, s);
	h->hl.arg0 = 20;
	h->hl.arg1 = 1000;
	return HL_FRAME_HDR_LEN;
}

/* HL_OK with 20! right, or HL_E_BUSY. */
static int
fact_flood_reply(struct ctx *c, const struct evil *e,
		 const struct hl_frame_hdr *rep, uint64_t slot, struct tally *n)
{
	(void)e;
	(void)slot;
	if (rep->hl.status == HL_OK && rep->hl.arg0 == 2432902008176640000ull)
		n->ok++;
	else if (rep->hl.status == HL_E_BUSY)
		n->busy++;
	else
		return bad(c, "reply %s result %llu", st_name(rep->hl.status),
			   (unsigned long long)rep->hl.arg0);
	return 0;
}

/*
 * 24 calls published at once with max_inflight 8: every request gets
 * exactly one reply, HL_OK with the right result or HL_E_BUSY, and at least
 * one HL_E_BUSY; the connection stays up.
 */
static int
flood(struct ctx *c, struct evil *e, uint32_t s)
{
	struct tally n = { 0 };

	if (flood_replies(c, e, publish_burst(e, s, FLOOD, fact_frame),
			  fact_flood_reply, &n))
		return 1;
	if (evil_fn_req(e, HL_OP_FN_CALL, s, 20, 1, NULL) != HL_OK)
		return bad(c, "call after the flood failed: %s", e->err);
	return got(c, "%d replies: %d HL_OK (20! right), %d HL_E_BUSY; a call after works",
		   FLOOD, n.ok, n.busy);
}

/* The largest payload: echoed whole (boundary, legal). */
static int
payload_max(struct ctx *c, struct evil *e, uint32_t s)
{
	static uint8_t f[HL_FRAME_MAX], out[HL_PAYLOAD_MAX];
	struct hl_frame_hdr *h = (struct hl_frame_hdr *)f, rep;

	evil_req(e, f, HL_OP_FN_CALL, s);
	h->hl.payload_len = HL_PAYLOAD_MAX;
	for (uint32_t i = 0; i < HL_PAYLOAD_MAX; i++)
		f[HL_FRAME_HDR_LEN + i] = (uint8_t)(i * 31);
	if (evil_rpc(e, f, HL_FRAME_MAX, &rep, out) != EVIL_OK ||
	    rep.hl.status != HL_OK || rep.hl.payload_len != HL_PAYLOAD_MAX ||
	    memcmp(out, f + HL_FRAME_HDR_LEN, HL_PAYLOAD_MAX) != 0)
		return bad(c, "echo of %u bytes: status %u len %u %s", HL_PAYLOAD_MAX,
			   rep.hl.status, rep.hl.payload_len, e->err);
	return got(c, "echo of %u bytes came back whole", HL_PAYLOAD_MAX);
}

static int c_flood(struct ctx *c) { return with_session(c, "factorial", true, flood); }
static int c_payload_max(struct ctx *c) { return with_session(c, "echo", true, payload_max); }

/* ---- FN_CALL_BULK: input and output in evil's own region ------------------ */

#define BULK_FRAME (HL_FRAME_HDR_LEN + sizeof(struct hl_bulk) + 1)
#define BULK_PLEN ((uint32_t)sizeof(struct hl_bulk))	/* a whole payload */
#define BULK_OUT (EVIL_BULK / 2)	/* legal calls: in at 0, out here */

/* The bulk area as evil last filled it. */
static uint8_t bulk_snap[EVIL_BULK];

/* A legal call: len bytes in at the bulk area's start, out in its 2nd half. */
static struct hl_bulk
bulk_legal(const struct evil *e, uint32_t len)
{
	return (struct hl_bulk){ .in_len = len, .in_off = e->bulk_off,
				 .out_off = (uint64_t)e->bulk_off + BULK_OUT,
				 .out_cap = len };
}

static void
bulk_fill(struct evil *e)
{
	uint8_t *p = e->base + e->bulk_off;

	for (uint32_t i = 0; i < EVIL_BULK; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	memcpy(bulk_snap, p, EVIL_BULK);
}

/* The guards still hold the pattern: 0, or 1 (reported). */
static int
guards_hold(struct ctx *c, const struct evil *e)
{
	return evil_guards_ok(e) ? 0 : bad(c, "guard bytes changed");
}

/* The bulk area is bulk_snap and the guards hold: 0, or 1 (reported). */
static int
bulk_as_snap(struct ctx *c, const struct evil *e)
{
	if (memcmp(e->base + e->bulk_off, bulk_snap, EVIL_BULK) != 0)
		return bad(c, "the bulk area changed");
	return guards_hold(c, e);
}

/* Send a bulk call; its reply (matched by req_id) into *rep. */
static int
bulk_rpc(struct ctx *c, struct evil *e, uint32_t s, const struct hl_bulk *b,
	 struct hl_frame_hdr *rep)
{
	uint8_t f[BULK_FRAME];
	uint64_t id;
	int rc = evil_rpc(e, f, evil_bulk_frame(e, f, s, b, sizeof(*b), &id), rep, NULL);

	if (rc != EVIL_OK)
		return bad(c, "no reply: %s %s %s", evil_rc_str(rc), e->reason, e->err);
	if (rep->hl.req_id != id || rep->hl.payload_len != 0)
		return bad(c, "reply to req %llu (wanted %llu), payload %u",
			   (unsigned long long)rep->hl.req_id,
			   (unsigned long long)id, rep->hl.payload_len);
	return 0;
}

/* A legal bulk call b on session s (what: for the report): HL_OK with
 * out_len bytes written (arg1); its result (arg0) into *res if not NULL.
 * 0, or 1 (reported). */
static int
bulk_ok(struct ctx *c, struct evil *e, uint32_t s, const struct hl_bulk *b,
	uint64_t out_len, uint64_t *res, const char *what)
{
	struct hl_frame_hdr rep;

	if (bulk_rpc(c, e, s, b, &rep))
		return 1;
	if (rep.hl.status != HL_OK || rep.hl.arg1 != out_len)
		return bad(c, "%s: reply %s, arg0 %#llx, %llu bytes written "
			   "(wanted HL_OK, %llu)", what, st_name(rep.hl.status),
			   (unsigned long long)rep.hl.arg0,
			   (unsigned long long)rep.hl.arg1,
			   (unsigned long long)out_len);
	if (res != NULL)
		*res = rep.hl.arg0;
	return 0;
}

typedef void bulk_spoil_fn(const struct evil *e, struct hl_bulk *b);

/* On ready client e, a bulk call on session s with one thing wrong (spoil
 * applied to a legal payload, and/or only plen bytes of it sent): reply
 * want, nothing written, the connection goes on. 0, or 1 (reported). */
static int
bulk_refused_on(struct ctx *c, struct evil *e, uint32_t s, bulk_spoil_fn *spoil,
		uint32_t plen, uint16_t want)
{
	uint8_t f[BULK_FRAME];
	struct hl_bulk b;

	bulk_fill(e);
	b = bulk_legal(e, 4096);
	if (spoil != NULL)
		spoil(e, &b);
	return expect_status(c, e, f, evil_bulk_frame(e, f, s, &b, plen, NULL), want) ||
	       bulk_as_snap(c, e) || still_works(c, e);
}

/* bulk_refused_on() on an activated echo session of a fresh client. */
static int
bulk_refused(struct ctx *c, bulk_spoil_fn *spoil, uint32_t plen, uint16_t want)
{
	uint32_t s = 0;
	struct evil e;
	int fail;

	if (up_with(c, &e, "echo", true, &s))
		return 1;
	fail = bulk_refused_on(c, &e, s, spoil, plen, want);
	evil_close(&e);
	return fail;
}

/* evil registers one region, index 0. */
static void b_region1(const struct evil *e, struct hl_bulk *b) { (void)e; b->region = 1; }
static void b_region_max(const struct evil *e, struct hl_bulk *b) { (void)e; b->region = 0xFFFF; }
static void b_in_beyond(const struct evil *e, struct hl_bulk *b) { b->in_off = e->region_size + 4096; }
static void b_in_straddle(const struct evil *e, struct hl_bulk *b) { b->in_off = e->region_size - 100; }
/* UINT64_MAX - 15 + 4096 wraps to 4080: inside the region if summed. */
static void b_in_wrap(const struct evil *e, struct hl_bulk *b) { (void)e; b->in_off = UINT64_MAX - 15; }
/* Right in its low 32 bits: a host truncating the offset would accept. */
static void b_in_high(const struct evil *e, struct hl_bulk *b) { (void)e; b->in_off += 1ull << 32; }
/* A legal size (HL_BULK_MAX) that the 392 KiB region cannot hold. */
static void b_in_max(const struct evil *e, struct hl_bulk *b) { (void)e; b->in_len = HL_BULK_MAX; }
static void b_out_straddle(const struct evil *e, struct hl_bulk *b) { b->out_off = e->region_size - 100; }
/* out_off + out_cap wraps to exactly 0. */
static void b_out_wrap(const struct evil *e, struct hl_bulk *b) { (void)e; b->out_off = 0 - (uint64_t)b->out_cap; }
static void b_out_high(const struct evil *e, struct hl_bulk *b) { (void)e; b->out_off += 1ull << 32; }
static void b_overlap(const struct evil *e, struct hl_bulk *b) { (void)e; b->out_off = b->in_off + 2048; }
static void b_overlap_same(const struct evil *e, struct hl_bulk *b) { (void)e; b->out_off = b->in_off; }
static void b_overlap_inside(const struct evil *e, struct hl_bulk *b) { (void)e; b->in_len = 16384; b->out_off = b->in_off + 4096; }
static void b_in_too_large(const struct evil *e, struct hl_bulk *b) { (void)e; b->in_len = HL_BULK_MAX + 1; }
static void b_out_too_large(const struct evil *e, struct hl_bulk *b) { (void)e; b->out_cap = UINT32_MAX; }
static void b_reserved0(const struct evil *e, struct hl_bulk *b) { (void)e; b->reserved0 = 1; }
static void b_reserved1(const struct evil *e, struct hl_bulk *b) { (void)e; b->reserved1 = 0x80000000u; }

static int c_bulk_region1(struct ctx *c) { return bulk_refused(c, b_region1, 32, HL_E_BAD_REQUEST); }
static int c_bulk_region_max(struct ctx *c) { return bulk_refused(c, b_region_max, 32, HL_E_BAD_REQUEST); }
static int c_bulk_in_beyond(struct ctx *c) { return bulk_refused(c, b_in_beyond, 32, HL_E_BAD_REQUEST); }
static int c_bulk_in_straddle(struct ctx *c) { return bulk_refused(c, b_in_straddle, 32, HL_E_BAD_REQUEST); }
static int c_bulk_in_wrap(struct ctx *c) { return bulk_refused(c, b_in_wrap, 32, HL_E_BAD_REQUEST); }
static int c_bulk_in_high(struct ctx *c) { return bulk_refused(c, b_in_high, 32, HL_E_BAD_REQUEST); }
static int c_bulk_in_max(struct ctx *c) { return bulk_refused(c, b_in_max, 32, HL_E_BAD_REQUEST); }
static int c_bulk_out_straddle(struct ctx *c) { return bulk_refused(c, b_out_straddle, 32, HL_E_BAD_REQUEST); }
static int c_bulk_out_wrap(struct ctx *c) { return bulk_refused(c, b_out_wrap, 32, HL_E_BAD_REQUEST); }
static int c_bulk_out_high(struct ctx *c) { return bulk_refused(c, b_out_high, 32, HL_E_BAD_REQUEST); }
static int c_bulk_overlap(struct ctx *c) { return bulk_refused(c, b_overlap, 32, HL_E_BAD_REQUEST); }
static int c_bulk_overlap_same(struct ctx *c) { return bulk_refused(c, b_overlap_same, 32, HL_E_BAD_REQUEST); }
static int c_bulk_overlap_inside(struct ctx *c) { return bulk_refused(c, b_overlap_inside, 32, HL_E_BAD_REQUEST); }
static int c_bulk_in_too_large(struct ctx *c) { return bulk_refused(c, b_in_too_large, 32, HL_E_TOO_LARGE); }
static int c_bulk_out_too_large(struct ctx *c) { return bulk_refused(c, b_out_too_large, 32, HL_E_TOO_LARGE); }
static int c_bulk_reserved0(struct ctx *c) { return bulk_refused(c, b_reserved0, 32, HL_E_BAD_REQUEST); }
static int c_bulk_reserved1(struct ctx *c) { return bulk_refused(c, b_reserved1, 32, HL_E_BAD_REQUEST); }
static int c_bulk_payload31(struct ctx *c) { return bulk_refused(c, NULL, 31, HL_E_BAD_LENGTH); }
static int c_bulk_payload33(struct ctx *c) { return bulk_refused(c, NULL, 33, HL_E_BAD_LENGTH); }


/* The good guest's live session ids carry no bulk call of evil's. */
static int
c_bulk_other_guest(struct ctx *c)
{
	struct evil e;
	int fail = 0;

	if (up(c, &e))
		return 1;
	for (int f = 0; f < GOOD_NFN && !fail; f++)
		fail = bulk_refused_on(c, &e, c->good.sessions[f], NULL, BULK_PLEN,
				       HL_E_BAD_SESSION);
	if (!fail)
		got(c, "FN_CALL_BULK on good's %d session ids: all HL_E_BAD_SESSION, "
		    "nothing written", GOOD_NFN);
	evil_close(&e);
	return fail;
}

static int
bulk_not_activated(struct ctx *c, struct evil *e, uint32_t s)
{
	return bulk_refused_on(c, e, s, NULL, BULK_PLEN, HL_E_BAD_STATE);
}

static int
bulk_after_close(struct ctx *c, struct evil *e, uint32_t s)
{
	return on_session(c, e, HL_OP_FN_CLOSE, s, HL_OK, "close") ||
	       bulk_refused_on(c, e, s, NULL, BULK_PLEN, HL_E_BAD_SESSION);
}

/* Legal: HELLO offers bulk calls; 64 KiB echoed in place, nothing else
 * in the bulk area written. */
static int
bulk_echo(struct ctx *c, struct evil *e, uint32_t s)
{
	static uint8_t hp[HL_PAYLOAD_MAX];
	const uint32_t len = 64u << 10;
	uint8_t f[HELLO_LEN];
	struct hl_frame_hdr rep;
	struct hl_hello hello;
	struct hl_bulk b;
	int fail;

	fail = evil_rpc(e, f, evil_hello_frame(e, f, NULL), &rep, hp) != EVIL_OK;
	memcpy(&hello, hp, sizeof(hello));
	if (fail || hello.max_bulk != HL_BULK_MAX)
		return bad(c, "HELLO max_bulk %u, wanted %u", hello.max_bulk, HL_BULK_MAX);
	bulk_fill(e);
	b = bulk_legal(e, len);
	fail = bulk_ok(c, e, s, &b, len, NULL, "echo");
	memcpy(bulk_snap + BULK_OUT, bulk_snap, len);	/* what it should be */
	return fail || got(c, "HELLO max_bulk %u; echo of %u bytes HL_OK, arg1 %u",
			   hello.max_bulk, len, len) ||
	       bulk_as_snap(c, e) || still_works(c, e);
}

/* Legal boundary: input ending at the region's last byte, output empty at
 * the region's end; the CRC is that of the guard bytes there. */
static int
bulk_at_end(struct ctx *c, struct evil *e, uint32_t s)
{
	struct hl_bulk b = { .in_len = EVIL_GUARD, .in_off = e->region_size - EVIL_GUARD,
			     .out_off = e->region_size, .out_cap = 0 };
	uint32_t want = good_crc32c(e->base + b.in_off, EVIL_GUARD);
	uint64_t crc = 0;

	bulk_fill(e);
	if (bulk_ok(c, e, s, &b, 0, &crc, "crc32c"))
		return 1;
	if (crc != want)
		return bad(c, "crc %#llx, wanted %#x", (unsigned long long)crc, want);
	return got(c, "crc32c of [region end - %u, region end) = %#x, HL_OK",
		   EVIL_GUARD, want) || bulk_as_snap(c, e) || still_works(c, e);
}

/* Legal but self-harming: echo 0xFF over evil's own ring headers and
 * descriptors. Whatever becomes of evil, hostlane stays up (checked by the
 * harness, as is the good guest) and writes nothing past the rings. */
static int
bulk_over_rings(struct ctx *c, struct evil *e, uint32_t s)
{
	uint8_t f[BULK_FRAME];
	struct hl_bulk b = { .in_len = e->c2s.buf0, .in_off = e->bulk_off,
			     .out_off = 0, .out_cap = e->c2s.buf0 };
	int rc;

	memset(e->base + e->bulk_off, 0xFF, e->c2s.buf0);
	rc = evil_send_frame(e, f, evil_bulk_frame(e, f, s, &b, sizeof(b), NULL));
	if (rc == EVIL_OK)
		rc = evil_wait_disconnect(e, 2000);
	return guards_hold(c, e) ||
	       got(c, "rings [0, %u) overwritten with 0xFF; evil then got: %s%s%s%s",
		   e->c2s.buf0, evil_rc_str(rc), rc == EVIL_REFUSED ? " \"" : "",
		   rc == EVIL_REFUSED ? e->reason : "", rc == EVIL_REFUSED ? "\"" : "");
}

static int c_bulk_not_activated(struct ctx *c) { return with_session(c, "echo", false, bulk_not_activated); }
static int c_bulk_after_close(struct ctx *c) { return with_session(c, "echo", true, bulk_after_close); }
static int c_bulk_echo(struct ctx *c) { return with_session(c, "echo", true, bulk_echo); }
static int c_bulk_at_end(struct ctx *c) { return with_session(c, "crc32c", true, bulk_at_end); }
static int c_bulk_over_rings(struct ctx *c) { return with_session(c, "echo", true, bulk_over_rings); }

#define TOCTOU_CALLS 100
#define TOCTOU_LEN (64u << 10)

/* A ready evil client with an activated deflate session if the host
 * offers deflate (compressdev), else echo; NULL (reported) on failure. */
static const char *
up_bulk_fn(struct ctx *c, struct evil *e, uint32_t *s)
{
	if (up(c, e))
		return NULL;
	if (evil_fn_open(e, "deflate", true, s) == HL_OK)
		return "deflate";
	return open_or_close(c, e, "echo", true, s) ? NULL : "echo";
}

/* A legal call of TOCTOU_LEN bytes with all the 2nd half as output room. */
static struct hl_bulk
bulk_big(const struct evil *e)
{
	struct hl_bulk b = bulk_legal(e, TOCTOU_LEN);

	b.out_cap = BULK_OUT;
	return b;
}

struct scribble {
	volatile uint8_t *p;
	uint32_t len;
	int stop;
};

/* The guest rewriting its bulk area while hostlane uses it. */
static void *
scribbler(void *arg)
{
	struct scribble *sc = arg;
	uint32_t x = 1;

	while (!__atomic_load_n(&sc->stop, __ATOMIC_RELAXED))
		for (uint32_t i = 0; i < sc->len; i += 61) {
			x = x * 1103515245u + 12345u;
			sc->p[i] = (uint8_t)(x >> 16);
		}
	return NULL;
}

/*
 * Legal calls whose input (and output) a second thread rewrites all along:
 * every call is answered, echo with HL_OK and arg1 = in_len, deflate with
 * HL_OK and arg1 <= out_cap or an error; nothing past the bulk area moves.
 */
static int
c_bulk_toctou(struct ctx *c)
{
	struct scribble sc = { 0 };
	struct hl_frame_hdr rep;
	struct hl_bulk b;
	const char *fn;
	uint32_t s = 0;
	pthread_t t;
	struct evil e;
	int fail = 0, n_ok = 0, n_err = 0;
	bool echo;

	if ((fn = up_bulk_fn(c, &e, &s)) == NULL)
		return 1;
	echo = strcmp(fn, "echo") == 0;
	b = bulk_big(&e);
	sc.p = e.base + e.bulk_off;
	sc.len = EVIL_BULK;
	if (pthread_create(&t, NULL, scribbler, &sc) != 0) {
		evil_close(&e);
		return bad(c, "pthread_create failed");
	}
	for (int i = 0; i < TOCTOU_CALLS && !fail; i++) {
		fail = bulk_rpc(c, &e, s, &b, &rep);
		if (fail)
			break;
		if (rep.hl.status == HL_OK && rep.hl.arg1 <= b.out_cap &&
		    (!echo || rep.hl.arg1 == TOCTOU_LEN))
			n_ok++;
		else if (rep.hl.status != HL_OK && !echo)
			n_err++;
		else
			fail = bad(c, "%s call %d: %s, %llu bytes written", fn, i,
				   st_name(rep.hl.status), (unsigned long long)rep.hl.arg1);
	}
	__atomic_store_n(&sc.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	if (!fail)
		fail = guards_hold(c, &e);
	if (!fail)
		fail = got(c, "%d %s calls of %u bytes under a scribbler: %d HL_OK, "
			   "%d errors", TOCTOU_CALLS, fn, TOCTOU_LEN, n_ok, n_err) ||
		       still_works(c, &e);
	evil_close(&e);
	return fail;
}

#define BULK_FLOOD_LEN 4096u

/* Bulk echo i of a flood: its own output room, after the input. */
static uint32_t
bulk_flood_frame(struct evil *e, uint32_t s, uint16_t i, uint8_t *f, uint64_t *id)
{
	struct hl_bulk b = { .in_len = BULK_FLOOD_LEN, .in_off = e->bulk_off,
			     .out_off = e->bulk_off + (i + 1u) * BULK_FLOOD_LEN,
			     .out_cap = BULK_FLOOD_LEN };

	return evil_bulk_frame(e, f, s, &b, sizeof(b), id);
}

/* Reply k of the bulk flood: OK with its output right, or BUSY with its
 * output room untouched. */
static int
bulk_flood_reply(struct ctx *c, const struct evil *e,
		 const struct hl_frame_hdr *rep, uint64_t k, struct tally *n)
{
	const uint8_t *in = e->base + e->bulk_off;
	const uint8_t *out = in + (k + 1) * BULK_FLOOD_LEN;

	if (rep->hl.status == HL_OK && rep->hl.arg1 == BULK_FLOOD_LEN &&
	    memcmp(out, in, BULK_FLOOD_LEN) == 0) {
		n->ok++;
		return 0;
	}
	if (rep->hl.status == HL_E_BUSY &&
	    memcmp(out, bulk_snap + (k + 1) * BULK_FLOOD_LEN, BULK_FLOOD_LEN) == 0) {
		n->busy++;
		return 0;
	}
	return bad(c, "bulk call %llu: %s, %llu bytes written (or output wrong)",
		   (unsigned long long)k, st_name(rep->hl.status),
		   (unsigned long long)rep->hl.arg1);
}

/* 24 bulk calls published at once, max_inflight 8, each with its own
 * output room: each answered once, OK or HL_E_BUSY (>= 1 BUSY). */
static int
bulk_flood(struct ctx *c, struct evil *e, uint32_t s)
{
	struct tally n = { 0 };
	struct hl_bulk b = bulk_legal(e, BULK_FLOOD_LEN);

	bulk_fill(e);
	return flood_replies(c, e, publish_burst(e, s, FLOOD, bulk_flood_frame),
			     bulk_flood_reply, &n) ||
	       bulk_ok(c, e, s, &b, BULK_FLOOD_LEN, NULL, "bulk call after the flood") ||
	       guards_hold(c, e) ||
	       got(c, "%d replies: %d HL_OK (output right), %d HL_E_BUSY (output "
		   "untouched); a bulk call after works", FLOOD, n.ok, n.busy);
}

static int c_bulk_flood(struct ctx *c) { return with_session(c, "echo", true, bulk_flood); }

/* bulk_big() again and again. */
static uint32_t
big_frame(struct evil *e, uint32_t s, uint16_t i, uint8_t *f, uint64_t *id)
{
	struct hl_bulk b = bulk_big(e);

	(void)i;
	return evil_bulk_frame(e, f, s, &b, sizeof(b), id);
}

/* Leave with max_inflight bulk calls just published: hostlane keeps evil's
 * region mapped until they are done, then unmaps it (no-leaks checks). */
static int
c_bulk_close_in_flight(struct ctx *c)
{
	const char *fn;
	uint32_t s = 0;
	struct evil e;

	if ((fn = up_bulk_fn(c, &e, &s)) == NULL)
		return 1;
	publish_burst(&e, s, EVIL_MAX_INFLIGHT, big_frame);
	evil_close(&e);
	return got(c, "%d %s bulk calls published, then gone", EVIL_MAX_INFLIGHT, fn);
}

const struct hcase hostile_req_cases[] = {
	{ "before-hello", "FN_OPEN before HELLO: reply HL_E_NOT_HELLO", c_before_hello, NULL },
	{ "frame-40-bytes", "40-byte hostlane frame (shorter than the header): dropped, counted", c_short, NULL },
	{ "frame-63-bytes", "63-byte hostlane frame: dropped, counted", c_hdr_minus_one, NULL },
	{ "bad-magic", "bad magic: dropped (unaddressable), counted", c_magic, NULL },
	{ "other-ethertype", "IPv4 EtherType: not hostlane's, dropped", c_ethertype, NULL },
	{ "bad-version", "version 2: reply HL_E_VERSION", c_version, NULL },
	{ "unknown-opcode", "opcode 0x33: reply HL_E_BAD_OPCODE", c_opcode, NULL },
	{ "reserved-opcode", "opcode 0x7F (socket range, unassigned): reply HL_E_BAD_OPCODE", c_opcode_socket, NULL },
	{ "opcode-zero", "opcode 0: reply HL_E_BAD_OPCODE", c_opcode_zero, NULL },
	{ "reply-flag", "HL_F_REPLY set on a request: reply HL_E_BAD_REQUEST", c_reply_flag, NULL },
	{ "unknown-flag", "flag 0x8000: reply HL_E_BAD_REQUEST", c_flags, NULL },
	{ "reserved0", "reserved0 = 1: reply HL_E_BAD_REQUEST", c_reserved0, NULL },
	{ "reserved1", "reserved1 = 0xFFFF: reply HL_E_BAD_REQUEST", c_reserved1, NULL },
	{ "payload-too-large", "payload_len 1985: reply HL_E_TOO_LARGE", c_too_large, NULL },
	{ "payload-len-wrap", "payload_len 0xFFFFFFC0: reply HL_E_TOO_LARGE", c_len_wrap, NULL },
	{ "payload-beyond-frame", "payload_len 100 in a 74-byte frame: reply HL_E_BAD_LENGTH", c_beyond, NULL },
	{ "hello-short", "HELLO with a 10-byte payload: reply HL_E_BAD_LENGTH", c_hello_short, NULL },
	{ "open-unknown-fn", "FN_OPEN \"nosuchfn\": HL_E_UNKNOWN_FN", c_open_unknown, NULL },
	{ "open-bad-name", "FN_OPEN \"../fact\": HL_E_BAD_REQUEST", c_open_bad_name, NULL },
	{ "open-empty-name", "FN_OPEN \"\": HL_E_BAD_REQUEST", c_open_empty_name, NULL },
	{ "open-name-no-nul", "FN_OPEN with a 32-byte name, no NUL: HL_E_BAD_REQUEST", c_open_no_nul, NULL },
	{ "open-junk-after-name", "FN_OPEN \"echo\\0X\": HL_E_BAD_REQUEST", c_open_junk_after, NULL },
	{ "open-bad-placement", "FN_OPEN placement 7: HL_E_BAD_REQUEST", c_open_placement, NULL },
	{ "open-wrong-size", "FN_OPEN payload of 39 bytes: HL_E_BAD_LENGTH", c_open_size, NULL },
	{ "open-with-session", "FN_OPEN naming a session: HL_E_BAD_REQUEST", c_open_session, NULL },
	{ "forged-session", "FN_CALL on made-up session ids: HL_E_BAD_SESSION", c_forged_session, NULL },
	{ "other-guest-session", "every per-session opcode on the good guest's live ids: HL_E_BAD_SESSION; good unaffected", c_other_guest, NULL },
	{ "close-twice", "FN_CLOSE twice: HL_OK then HL_E_BAD_SESSION", c_close_twice, NULL },
	{ "call-after-close", "FN_CALL/FN_GET after FN_CLOSE: HL_E_BAD_SESSION", c_call_after_close, NULL },
	{ "call-after-bye", "FN_CALL after BYE: HL_E_BAD_SESSION", c_call_after_bye, NULL },
	{ "call-not-activated", "FN_CALL before FN_ACTIVATE, FN_ACTIVATE twice: HL_E_BAD_STATE", c_not_activated, NULL },
	{ "get-before-set", "FN_GET with nothing set: HL_E_BAD_STATE", c_get_before_set, NULL },
	{ "bad-arguments", "repetitions over max_repetitions: HL_E_QUOTA; 0 repetitions or n out of range: HL_E_BAD_REQUEST", c_bad_args, NULL },
	{ "opens-beyond-quota", "open max_sessions + 1: HL_E_QUOTA; a close makes room", c_quota, NULL },
	{ "inflight-flood", "24 calls at once, max_inflight 8: each answered once, OK or HL_E_BUSY (>= 1 BUSY); connection survives", c_flood, NULL },
	{ "payload-max", "echo of a 1984-byte payload: legal, echoed whole", c_payload_max, NULL },
	{ "bulk-echo", "FN_CALL_BULK echo of 64 KiB in evil's region: HELLO offers max_bulk 16 MiB; HL_OK, arg1 65536, output right, nothing else written", c_bulk_echo, NULL },
	{ "bulk-at-region-end", "crc32c bulk input ending at the region's last byte, empty output at its end: legal, HL_OK, right CRC", c_bulk_at_end, NULL },
	{ "bulk-region-index", "bulk call naming region 1 (evil has one): HL_E_BAD_REQUEST, nothing written", c_bulk_region1, NULL },
	{ "bulk-region-0xffff", "bulk call naming region 0xFFFF: HL_E_BAD_REQUEST", c_bulk_region_max, NULL },
	{ "bulk-in-beyond", "in_off past the region's end: HL_E_BAD_REQUEST", c_bulk_in_beyond, NULL },
	{ "bulk-in-straddle", "input from 100 bytes before the region's end, 4096 long: HL_E_BAD_REQUEST", c_bulk_in_straddle, NULL },
	{ "bulk-in-wrap64", "in_off 2^64 - 16, in_len 4096 (sum wraps into the region): HL_E_BAD_REQUEST", c_bulk_in_wrap, NULL },
	{ "bulk-in-high-bits", "in_off legal in its low 32 bits, + 2^32: HL_E_BAD_REQUEST", c_bulk_in_high, NULL },
	{ "bulk-in-len-max", "in_len = HL_BULK_MAX (legal size, larger than the region): HL_E_BAD_REQUEST", c_bulk_in_max, NULL },
	{ "bulk-out-straddle", "output room from 100 bytes before the region's end: HL_E_BAD_REQUEST", c_bulk_out_straddle, NULL },
	{ "bulk-out-wrap64", "out_off 2^64 - out_cap (sum wraps to 0): HL_E_BAD_REQUEST", c_bulk_out_wrap, NULL },
	{ "bulk-out-high-bits", "out_off legal in its low 32 bits, + 2^32: HL_E_BAD_REQUEST", c_bulk_out_high, NULL },
	{ "bulk-overlap", "output room starting in the middle of the input: HL_E_BAD_REQUEST", c_bulk_overlap, NULL },
	{ "bulk-overlap-same", "output room = input range: HL_E_BAD_REQUEST", c_bulk_overlap_same, NULL },
	{ "bulk-overlap-inside", "output room inside the input range: HL_E_BAD_REQUEST", c_bulk_overlap_inside, NULL },
	{ "bulk-in-too-large", "in_len HL_BULK_MAX + 1: HL_E_TOO_LARGE", c_bulk_in_too_large, NULL },
	{ "bulk-out-too-large", "out_cap 0xFFFFFFFF: HL_E_TOO_LARGE", c_bulk_out_too_large, NULL },
	{ "bulk-reserved0", "hl_bulk reserved0 = 1: HL_E_BAD_REQUEST", c_bulk_reserved0, NULL },
	{ "bulk-reserved1", "hl_bulk reserved1 = 0x80000000: HL_E_BAD_REQUEST", c_bulk_reserved1, NULL },
	{ "bulk-payload-31", "FN_CALL_BULK payload of 31 bytes: HL_E_BAD_LENGTH", c_bulk_payload31, NULL },
	{ "bulk-payload-33", "FN_CALL_BULK payload of 33 bytes: HL_E_BAD_LENGTH", c_bulk_payload33, NULL },
	{ "bulk-other-guest-session", "bulk calls on the good guest's live session ids: HL_E_BAD_SESSION, nothing written; good unaffected", c_bulk_other_guest, NULL },
	{ "bulk-not-activated", "bulk call before FN_ACTIVATE: HL_E_BAD_STATE", c_bulk_not_activated, NULL },
	{ "bulk-after-close", "bulk call after FN_CLOSE: HL_E_BAD_SESSION", c_bulk_after_close, NULL },
	{ "bulk-over-own-rings", "legal echo whose output is evil's own rings: hostlane up, guards intact, good unaffected (evil's fate not asserted)", c_bulk_over_rings, NULL },
	{ "bulk-toctou", "100 legal bulk calls (deflate, else echo) while a thread rewrites the bulk area: each answered, arg1 <= out_cap, guards intact, connection survives", c_bulk_toctou, NULL },
	{ "bulk-inflight-flood", "24 bulk calls at once, max_inflight 8: each answered once, HL_OK with its output right or HL_E_BUSY with it untouched (>= 1 BUSY)", c_bulk_flood, NULL },
	{ "bulk-close-in-flight", "8 bulk calls published, then evil leaves: hostlane up (no-leaks: the region is unmapped)", c_bulk_close_in_flight, NULL },
	{ NULL, NULL, NULL, NULL },
};
