/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The socket request decoder (dataplane/sock_req.c): each SOCK_* call's
 * well-formed requests accepted with the fields the worker uses, and each
 * way a request can be malformed refused with its status.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sock_req.h"
#include "unit_check.h"

#define ADDR_LEN ((uint32_t)sizeof(struct hl_sockaddr))
#define BULK_LEN ((uint32_t)sizeof(struct hl_sock_bulk))

/* Payload kinds the cases build. */
enum pl { NONE, ADDR4, ADDR6, ADDR_BAD, ADDR_TAIL, ADDR_DATA, BULK, BULK_ADDR,
	  BULK_RES, BULK_ZERO, OPT4, OPT65, RAW31 };

struct req_case {
	const char *name;
	uint16_t op;
	uint32_t session;
	uint64_t arg0;
	uint64_t arg1;
	enum pl pl;
	enum hl_status want;
};

static uint32_t
build(enum pl kind, uint8_t *p)
{
	struct hl_sockaddr a = { .len = 16 };
	struct hl_sock_bulk b = { .region = 1, .len = 4096, .off = 64 };
	uint16_t fam = HL_SOCK_AF_INET;

	memset(p, 0, HL_PAYLOAD_MAX);
	memcpy(a.sa, &fam, 2);
	switch (kind) {
	case NONE: return 0;
	case ADDR4: memcpy(p, &a, sizeof(a)); return ADDR_LEN;
	case ADDR6:
		a.len = 28;
		fam = HL_SOCK_AF_INET6;
		memcpy(a.sa, &fam, 2);
		memcpy(p, &a, sizeof(a));
		return ADDR_LEN;
	case ADDR_BAD:		/* inet with the length of inet6 */
		a.len = 28;
		memcpy(p, &a, sizeof(a));
		return ADDR_LEN;
	case ADDR_TAIL:		/* a byte past len */
		a.sa[20] = 1;
		memcpy(p, &a, sizeof(a));
		return ADDR_LEN;
	case ADDR_DATA: memcpy(p, &a, sizeof(a)); return ADDR_LEN + 100;
	case BULK: memcpy(p, &b, sizeof(b)); return BULK_LEN;
	case BULK_ADDR: b.addr = a; memcpy(p, &b, sizeof(b)); return BULK_LEN;
	case BULK_RES: b.reserved1 = 1; memcpy(p, &b, sizeof(b)); return BULK_LEN;
	case BULK_ZERO: b.len = 0; memcpy(p, &b, sizeof(b)); return BULK_LEN;
	case OPT4: return 4;
	case OPT65: return HL_SOCK_OPT_MAX + 1;
	case RAW31: return ADDR_LEN - 1;
	}
	return 0;
}

#define W(ms) HL_SOCK_WAIT(ms)
#define A HL_SOCK_A_ADDR

static const struct req_case cases[] = {
	{ "socket stream", HL_OP_SOCK_SOCKET, 0, 2, 1, NONE, HL_OK },
	{ "socket dgram udp", HL_OP_SOCK_SOCKET, 0, 10, 2 | (17ull << 32), NONE, HL_OK },
	{ "socket on a session", HL_OP_SOCK_SOCKET, 5, 2, 1, NONE, HL_E_BAD_REQUEST },
	{ "socket type 3", HL_OP_SOCK_SOCKET, 0, 2, 3, NONE, HL_E_BAD_REQUEST },
	{ "socket NONBLOCK", HL_OP_SOCK_SOCKET, 0, 2, 1 | 04000, NONE, HL_E_BAD_REQUEST },
	{ "socket payload", HL_OP_SOCK_SOCKET, 0, 2, 1, OPT4, HL_E_BAD_LENGTH },
	{ "bind", HL_OP_SOCK_BIND, 1, 0, 0, ADDR4, HL_OK },
	{ "bind v6", HL_OP_SOCK_BIND, 1, 0, 0, ADDR6, HL_OK },
	{ "bind 31 bytes", HL_OP_SOCK_BIND, 1, 0, 0, RAW31, HL_E_BAD_LENGTH },
	{ "bind no address", HL_OP_SOCK_BIND, 1, 0, 0, NONE, HL_E_BAD_LENGTH },
	{ "bind inet of 28", HL_OP_SOCK_BIND, 1, 0, 0, ADDR_BAD, HL_E_BAD_REQUEST },
	{ "bind byte past len", HL_OP_SOCK_BIND, 1, 0, 0, ADDR_TAIL, HL_E_BAD_REQUEST },
	{ "bind with a wait", HL_OP_SOCK_BIND, 1, W(5), 0, ADDR4, HL_E_BAD_REQUEST },
	{ "connect wait", HL_OP_SOCK_CONNECT, 1, W(100), 0, ADDR4, HL_OK },
	{ "connect flags", HL_OP_SOCK_CONNECT, 1, 1, 0, ADDR4, HL_E_BAD_REQUEST },
	{ "listen", HL_OP_SOCK_LISTEN, 1, 128, 0, NONE, HL_OK },
	{ "listen 2^31", HL_OP_SOCK_LISTEN, 1, 1ull << 31, 0, NONE, HL_E_BAD_REQUEST },
	{ "accept wait", HL_OP_SOCK_ACCEPT, 1, W(HL_SOCK_WAIT_FOREVER), 0, NONE, HL_OK },
	{ "accept arg1", HL_OP_SOCK_ACCEPT, 1, 0, 1, NONE, HL_E_BAD_REQUEST },
	{ "send", HL_OP_SOCK_SEND, 1, W(10) | HL_SOCK_MSG_MORE, 0, OPT4, HL_OK },
	{ "send empty", HL_OP_SOCK_SEND, 1, 0, 0, NONE, HL_OK },
	{ "sendto", HL_OP_SOCK_SEND, 1, 0, A, ADDR_DATA, HL_OK },
	{ "sendto short", HL_OP_SOCK_SEND, 1, 0, A, OPT4, HL_E_BAD_LENGTH },
	{ "send MSG_OOB", HL_OP_SOCK_SEND, 1, 1, 0, OPT4, HL_E_BAD_REQUEST },
	{ "send arg1 count", HL_OP_SOCK_SEND, 1, 0, 5, OPT4, HL_E_BAD_REQUEST },
	{ "recv", HL_OP_SOCK_RECV, 1, W(10) | HL_SOCK_MSG_PEEK, A | 100, NONE, HL_OK },
	{ "recv max", HL_OP_SOCK_RECV, 1, 0, HL_SOCK_DATA_MAX, NONE, HL_OK },
	{ "recv past a frame", HL_OP_SOCK_RECV, 1, 0, HL_SOCK_DATA_MAX + 1, NONE,
	  HL_E_BAD_REQUEST },
	{ "recv 0 bytes", HL_OP_SOCK_RECV, 1, 0, 0, NONE, HL_E_BAD_REQUEST },
	{ "recv unknown flag", HL_OP_SOCK_RECV, 1, 0x10000, 10, NONE, HL_E_BAD_REQUEST },
	{ "recv high arg1 bit", HL_OP_SOCK_RECV, 1, 0, (1ull << 40) | 10, NONE,
	  HL_E_BAD_REQUEST },
	{ "recv payload", HL_OP_SOCK_RECV, 1, 0, 10, OPT4, HL_E_BAD_LENGTH },
	{ "send_bulk", HL_OP_SOCK_SEND_BULK, 1, W(10), 0, BULK, HL_OK },
	{ "send_bulk to", HL_OP_SOCK_SEND_BULK, 1, 0, 0, BULK_ADDR, HL_OK },
	{ "send_bulk arg1", HL_OP_SOCK_SEND_BULK, 1, 0, A, BULK, HL_E_BAD_REQUEST },
	{ "recv_bulk", HL_OP_SOCK_RECV_BULK, 1, HL_SOCK_MSG_WAITALL, A, BULK, HL_OK },
	{ "recv_bulk address", HL_OP_SOCK_RECV_BULK, 1, 0, 0, BULK_ADDR, HL_E_BAD_REQUEST },
	{ "bulk reserved", HL_OP_SOCK_RECV_BULK, 1, 0, 0, BULK_RES, HL_E_BAD_REQUEST },
	{ "bulk length 0", HL_OP_SOCK_SEND_BULK, 1, 0, 0, BULK_ZERO, HL_E_TOO_LARGE },
	{ "bulk short", HL_OP_SOCK_SEND_BULK, 1, 0, 0, ADDR4, HL_E_BAD_LENGTH },
	{ "shutdown 2", HL_OP_SOCK_SHUTDOWN, 1, 2, 0, NONE, HL_OK },
	{ "shutdown 3", HL_OP_SOCK_SHUTDOWN, 1, 3, 0, NONE, HL_E_BAD_REQUEST },
	{ "close", HL_OP_SOCK_CLOSE, 1, 0, 0, NONE, HL_OK },
	{ "close arg", HL_OP_SOCK_CLOSE, 1, 1, 0, NONE, HL_E_BAD_REQUEST },
	{ "setopt", HL_OP_SOCK_SETOPT, 1, 6, 1, OPT4, HL_OK },
	{ "setopt empty", HL_OP_SOCK_SETOPT, 1, 6, 1, NONE, HL_E_BAD_LENGTH },
	{ "setopt 65", HL_OP_SOCK_SETOPT, 1, 6, 1, OPT65, HL_E_BAD_LENGTH },
	{ "setopt level 2^32", HL_OP_SOCK_SETOPT, 1, 1ull << 32, 1, OPT4, HL_E_BAD_REQUEST },
	{ "getopt", HL_OP_SOCK_GETOPT, 1, 1, 4, NONE, HL_OK },
	{ "getopt payload", HL_OP_SOCK_GETOPT, 1, 1, 4, OPT4, HL_E_BAD_LENGTH },
	{ "getname peer", HL_OP_SOCK_GETNAME, 1, HL_SOCK_NAME_PEER, 0, NONE, HL_OK },
	{ "getname 2", HL_OP_SOCK_GETNAME, 1, 2, 0, NONE, HL_E_BAD_REQUEST },
	{ "events", HL_OP_SOCK_EVENTS, 0, W(1000), 0, NONE, HL_OK },
	{ "events on a session", HL_OP_SOCK_EVENTS, 1, 0, 0, NONE, HL_E_BAD_REQUEST },
	{ "events flags", HL_OP_SOCK_EVENTS, 0, 1, 0, NONE, HL_E_BAD_REQUEST },
};

/* What an accepted case must have decoded. */
static void
check_fields(const struct req_case *c, const struct dp_sock_req *r, uint32_t len)
{
	CHECK(c->name, r->op == c->op && r->sock == c->session, "op/sock");
	CHECK(c->name, r->wait_ms == (dp_sock_req_may_wait(c->op) ?
				      HL_SOCK_WAIT_MS(c->arg0) : 0u),
	      "wait %u", r->wait_ms);
	if (c->op == HL_OP_SOCK_SEND)
		CHECK(c->name, r->data_off == ((c->arg1 & A) ? ADDR_LEN : 0) &&
		      r->data_off + r->data_len == len, "data %u+%u of %u",
		      r->data_off, r->data_len, len);
	if (c->op == HL_OP_SOCK_RECV)
		CHECK(c->name, r->want == (uint32_t)c->arg1 &&
		      r->want_addr == ((c->arg1 & A) != 0), "want %u", r->want);
	if (c->op == HL_OP_SOCK_RECV || c->op == HL_OP_SOCK_RECV_BULK)
		CHECK(c->name, r->cls == DP_SOCK_C_RECV, "class %u", r->cls);
	else if (c->op == HL_OP_SOCK_SEND || c->op == HL_OP_SOCK_SEND_BULK)
		CHECK(c->name, r->cls == DP_SOCK_C_SEND, "class %u", r->cls);
	else
		CHECK(c->name, r->cls == DP_SOCK_C_CMD, "class %u", r->cls);
}

int
main(void)
{
	static uint8_t payload[HL_PAYLOAD_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct req_case *c = &cases[i];
		struct hl_frame_hdr h = { 0 };
		struct dp_sock_req r;
		enum hl_status st;

		h.hl.opcode = c->op;
		h.hl.session = c->session;
		h.hl.arg0 = c->arg0;
		h.hl.arg1 = c->arg1;
		h.hl.payload_len = build(c->pl, payload);
		st = dp_sock_req_parse(&h, payload, &r);
		CHECK(c->name, st == c->want, "status %d, want %d", st, c->want);
		if (st == HL_OK && c->want == HL_OK)
			check_fields(c, &r, h.hl.payload_len);
	}
	printf("sock_req: %zu cases: %d failure(s)\n", sizeof(cases) / sizeof(cases[0]),
	       failures);
	return failures == 0 ? 0 : 1;
}
