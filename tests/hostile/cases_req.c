/* SPDX-License-Identifier: BSD-3-Clause */
/* Attack cases on hostlane requests: headers, sessions, quotas, floods. */
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
static void s_opcode_socket(struct hl_frame_hdr *h, uint32_t *len) { (void)len; h->hl.opcode = 0x40; }
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

static int
c_close_twice(struct ctx *c)
{
	uint32_t s = 0;
	struct evil e;
	int fail, st;

	if (up(c, &e))
		return 1;
	st = evil_fn_open(&e, "factorial", true, &s);
	fail = st != HL_OK ? bad(c, "open: %s", st_name(st)) :
	       on_session(c, &e, HL_OP_FN_CLOSE, s, HL_OK, "first close") ||
	       on_session(c, &e, HL_OP_FN_CLOSE, s, HL_E_BAD_SESSION, "second close");
	if (!fail)
		got(c, "first close HL_OK, second HL_E_BAD_SESSION");
	evil_close(&e);
	return fail;
}

static int
c_call_after_close(struct ctx *c)
{
	uint32_t s = 0;
	struct evil e;
	int fail, st;

	if (up(c, &e))
		return 1;
	st = evil_fn_open(&e, "factorial", true, &s);
	fail = st != HL_OK ? bad(c, "open: %s", st_name(st)) :
	       on_session(c, &e, HL_OP_FN_CALL, s, HL_OK, "call") ||
	       on_session(c, &e, HL_OP_FN_CLOSE, s, HL_OK, "close") ||
	       on_session(c, &e, HL_OP_FN_CALL, s, HL_E_BAD_SESSION, "call after close") ||
	       on_session(c, &e, HL_OP_FN_GET, s, HL_E_BAD_SESSION, "get after close");
	if (!fail)
		got(c, "call OK, close OK, then call and get HL_E_BAD_SESSION");
	evil_close(&e);
	return fail;
}

static int
c_call_after_bye(struct ctx *c)
{
	uint8_t f[HL_FRAME_HDR_LEN] = { 0 };
	uint32_t s = 0;
	struct evil e;
	int fail, st;

	if (up(c, &e))
		return 1;
	st = evil_fn_open(&e, "fibonacci", true, &s);
	evil_req(&e, f, HL_OP_BYE, 0);
	fail = st != HL_OK ? bad(c, "open: %s", st_name(st)) :
	       expect_status(c, &e, f, sizeof(f), HL_OK) ||
	       on_session(c, &e, HL_OP_FN_CALL, s, HL_E_BAD_SESSION, "call after BYE");
	if (!fail)
		got(c, "BYE OK, then FN_CALL HL_E_BAD_SESSION");
	evil_close(&e);
	return fail;
}

static int
c_not_activated(struct ctx *c)
{
	uint32_t s = 0;
	struct evil e;
	int fail, st;

	if (up(c, &e))
		return 1;
	st = evil_fn_open(&e, "factorial", false, &s);
	fail = st != HL_OK ? bad(c, "open: %s", st_name(st)) :
	       on_session(c, &e, HL_OP_FN_CALL, s, HL_E_BAD_STATE, "call before activate") ||
	       on_session(c, &e, HL_OP_FN_ACTIVATE, s, HL_OK, "activate") ||
	       on_session(c, &e, HL_OP_FN_ACTIVATE, s, HL_E_BAD_STATE, "activate again");
	if (!fail)
		got(c, "call before activate HL_E_BAD_STATE; second activate HL_E_BAD_STATE");
	evil_close(&e);
	return fail;
}

static int
c_get_before_set(struct ctx *c)
{
	uint32_t s = 0;
	struct evil e;
	int fail, st;

	if (up(c, &e))
		return 1;
	st = evil_fn_open(&e, "crc32c", true, &s);
	fail = st != HL_OK ? bad(c, "open: %s", st_name(st)) :
	       on_session(c, &e, HL_OP_FN_GET, s, HL_E_BAD_STATE, "get before set");
	if (!fail)
		got(c, "FN_GET in state WAIT: HL_E_BAD_STATE");
	evil_close(&e);
	return fail;
}

static int
c_bad_args(struct ctx *c)
{
	uint32_t s = 0;
	struct evil e;
	int fail, st;

	if (up(c, &e))
		return 1;
	st = evil_fn_open(&e, "factorial", true, &s);
	fail = st != HL_OK ? bad(c, "open: %s", st_name(st)) : 0;
	if (!fail && (st = evil_fn_req(&e, HL_OP_FN_CALL, s, 5, EVIL_MAX_REPS + 1, NULL)) != HL_E_QUOTA)
		fail = bad(c, "reps > max_repetitions: %s", st_name(st));
	if (!fail && (st = evil_fn_req(&e, HL_OP_FN_CALL, s, 5, 0, NULL)) != HL_E_BAD_REQUEST)
		fail = bad(c, "0 reps: %s", st_name(st));
	if (!fail && (st = evil_fn_req(&e, HL_OP_FN_CALL, s, ~0ull, 1, NULL)) != HL_E_BAD_REQUEST)
		fail = bad(c, "n = 2^64 - 1: %s", st_name(st));
	if (!fail)
		got(c, "reps > max: HL_E_QUOTA; 0 reps, huge n: HL_E_BAD_REQUEST");
	evil_close(&e);
	return fail;
}

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

/*
 * 24 calls published at once with max_inflight 8: every request gets
 * exactly one reply, HL_OK with the right result or HL_E_BUSY, and at least
 * one HL_E_BUSY; the connection stays up.
 */
#define FLOOD 24

static int
c_flood(struct ctx *c)
{
	uint8_t f[HL_FRAME_HDR_LEN], buf[HL_FRAME_MAX];
	uint64_t first = 0, id;
	int replies[FLOOD] = { 0 }, n_ok = 0, n_busy = 0, fail = 0, st;
	uint32_t s = 0, len;
	struct evil e;

	if (up(c, &e))
		return 1;
	st = evil_fn_open(&e, "factorial", true, &s);
	if (st != HL_OK) {
		evil_close(&e);
		return bad(c, "open: %s", st_name(st));
	}
	for (uint16_t i = 0; i < FLOOD; i++) {
		struct hl_frame_hdr *h = (struct hl_frame_hdr *)f;

		id = evil_req(&e, f, HL_OP_FN_CALL, s);
		if (i == 0)
			first = id;
		h->hl.arg0 = 20;
		h->hl.arg1 = 1000;
		evil_c2s_stage(&e, i, f, sizeof(f), 0);
	}
	evil_c2s_publish(&e, FLOOD);
	for (int k = 0; k < FLOOD && !fail; k++) {
		struct hl_frame_hdr rep;
		uint64_t slot;

		if (evil_recv_frame(&e, buf, sizeof(buf), &len, EVIL_WAIT_MS) != EVIL_OK) {
			fail = bad(c, "reply %d of %d missing: %s", k + 1, FLOOD, e.reason);
			break;
		}
		memcpy(&rep, buf, sizeof(rep));
		slot = rep.hl.req_id - first;
		if (slot >= FLOOD || replies[slot]++ != 0)
			fail = bad(c, "reply to req %llu unexpected or twice",
				   (unsigned long long)rep.hl.req_id);
		else if (rep.hl.status == HL_OK && rep.hl.arg0 == 2432902008176640000ull)
			n_ok++;
		else if (rep.hl.status == HL_E_BUSY)
			n_busy++;
		else
			fail = bad(c, "reply %s result %llu", st_name(rep.hl.status),
				   (unsigned long long)rep.hl.arg0);
	}
	if (!fail && n_busy == 0)
		fail = bad(c, "%d OK, no HL_E_BUSY", n_ok);
	if (!fail && evil_fn_req(&e, HL_OP_FN_CALL, s, 20, 1, NULL) != HL_OK)
		fail = bad(c, "call after the flood failed: %s", e.err);
	if (!fail)
		got(c, "%d replies: %d HL_OK (20! right), %d HL_E_BUSY; a call after works",
		    FLOOD, n_ok, n_busy);
	evil_close(&e);
	return fail;
}

/* The largest payload: echoed whole (boundary, legal). */
static int
c_payload_max(struct ctx *c)
{
	static uint8_t f[HL_FRAME_MAX], out[HL_PAYLOAD_MAX];
	struct hl_frame_hdr *h = (struct hl_frame_hdr *)f, rep;
	uint32_t s = 0;
	struct evil e;
	int fail, st;

	if (up(c, &e))
		return 1;
	st = evil_fn_open(&e, "echo", true, &s);
	if (st != HL_OK) {
		evil_close(&e);
		return bad(c, "open: %s", st_name(st));
	}
	evil_req(&e, f, HL_OP_FN_CALL, s);
	h->hl.payload_len = HL_PAYLOAD_MAX;
	for (uint32_t i = 0; i < HL_PAYLOAD_MAX; i++)
		f[HL_FRAME_HDR_LEN + i] = (uint8_t)(i * 31);
	fail = evil_rpc(&e, f, HL_FRAME_MAX, &rep, out) != EVIL_OK ||
	       rep.hl.status != HL_OK || rep.hl.payload_len != HL_PAYLOAD_MAX ||
	       memcmp(out, f + HL_FRAME_HDR_LEN, HL_PAYLOAD_MAX) != 0;
	if (fail)
		bad(c, "echo of %u bytes: status %u len %u %s", HL_PAYLOAD_MAX,
		    rep.hl.status, rep.hl.payload_len, e.err);
	else
		got(c, "echo of %u bytes came back whole", HL_PAYLOAD_MAX);
	evil_close(&e);
	return fail;
}

const struct hcase hostile_req_cases[] = {
	{ "before-hello", "FN_OPEN before HELLO: reply HL_E_NOT_HELLO", c_before_hello, NULL },
	{ "frame-40-bytes", "40-byte hostlane frame (shorter than the header): dropped, counted", c_short, NULL },
	{ "frame-63-bytes", "63-byte hostlane frame: dropped, counted", c_hdr_minus_one, NULL },
	{ "bad-magic", "bad magic: dropped (unaddressable), counted", c_magic, NULL },
	{ "other-ethertype", "IPv4 EtherType: not hostlane's, dropped", c_ethertype, NULL },
	{ "bad-version", "version 2: reply HL_E_VERSION", c_version, NULL },
	{ "unknown-opcode", "opcode 0x33: reply HL_E_BAD_OPCODE", c_opcode, NULL },
	{ "reserved-opcode", "opcode 0x40 (reserved range): reply HL_E_BAD_OPCODE", c_opcode_socket, NULL },
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
	{ NULL, NULL, NULL, NULL },
};
