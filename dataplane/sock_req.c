/* SPDX-License-Identifier: BSD-3-Clause */
/* The socket request decoder (sock_req.h): form only, never policy. */
#include <string.h>

#include "sock_req.h"

#define HI32(v) ((uint32_t)((uint64_t)(v) >> 32))
#define LO32(v) ((uint32_t)(v))

static enum hl_status
want_len(uint32_t len, uint32_t need)
{
	return len == need ? HL_OK : HL_E_BAD_LENGTH;
}

/* SOCKET: domain, type | protocol << 32; the values are the worker's. */
static enum hl_status
parse_socket(const struct hl_wire_hdr *w, struct dp_sock_req *r)
{
	if (w->session != 0 || HI32(w->arg0) != 0 || w->payload_len != 0)
		return w->payload_len != 0 ? HL_E_BAD_LENGTH : HL_E_BAD_REQUEST;
	/* No SOCK_NONBLOCK/SOCK_CLOEXEC or other bits: the host's own. */
	if (LO32(w->arg1) != HL_SOCK_STREAM && LO32(w->arg1) != HL_SOCK_DGRAM)
		return HL_E_BAD_REQUEST;
	(void)r;
	return HL_OK;
}

/* BIND and CONNECT: one address, no flags. */
static enum hl_status
parse_addr_call(const struct hl_wire_hdr *w, const uint8_t *pl, struct dp_sock_req *r)
{
	enum hl_status st = want_len(w->payload_len, sizeof(struct hl_sockaddr));

	if (st != HL_OK)
		return st;
	if (LO32(w->arg0) != 0 || w->arg1 != 0 ||
	    (w->opcode == HL_OP_SOCK_BIND && w->arg0 != 0))
		return HL_E_BAD_REQUEST;
	return hl_proto_sockaddr_parse(pl, &r->addr, 0);
}

static enum hl_status
parse_send(const struct hl_wire_hdr *w, const uint8_t *pl, struct dp_sock_req *r)
{
	uint32_t off = 0;

	if ((r->flags & ~HL_SOCK_MSG_SEND_KNOWN) != 0 || (w->arg1 & ~HL_SOCK_A_ADDR) != 0)
		return HL_E_BAD_REQUEST;
	if (w->arg1 & HL_SOCK_A_ADDR) {
		if (w->payload_len < sizeof(struct hl_sockaddr))
			return HL_E_BAD_LENGTH;
		if (hl_proto_sockaddr_parse(pl, &r->addr, 0) != HL_OK)
			return HL_E_BAD_REQUEST;
		off = sizeof(struct hl_sockaddr);
	}
	r->data_off = off;
	r->data_len = w->payload_len - off;
	return HL_OK;
}

static enum hl_status
parse_recv(const struct hl_wire_hdr *w, struct dp_sock_req *r)
{
	if (w->payload_len != 0)
		return HL_E_BAD_LENGTH;
	if ((r->flags & ~HL_SOCK_MSG_RECV_KNOWN) != 0 ||
	    (HI32(w->arg1) & ~HI32(HL_SOCK_A_ADDR)) != 0)
		return HL_E_BAD_REQUEST;
	r->want = LO32(w->arg1);
	r->want_addr = (w->arg1 & HL_SOCK_A_ADDR) != 0;
	return r->want >= 1 && r->want <= HL_SOCK_DATA_MAX ? HL_OK : HL_E_BAD_REQUEST;
}

static enum hl_status
parse_bulk(const struct hl_wire_hdr *w, const uint8_t *pl, struct dp_sock_req *r)
{
	int send = w->opcode == HL_OP_SOCK_SEND_BULK;
	enum hl_status st = hl_proto_sock_bulk_parse(pl, w->payload_len, &r->bulk, send);

	if (st != HL_OK)
		return st;
	if (send) {
		if ((r->flags & ~HL_SOCK_MSG_SEND_KNOWN) != 0 || w->arg1 != 0)
			return HL_E_BAD_REQUEST;
		r->addr = r->bulk.addr;
		return HL_OK;
	}
	if ((r->flags & ~HL_SOCK_MSG_RECV_KNOWN) != 0 || (w->arg1 & ~HL_SOCK_A_ADDR) != 0)
		return HL_E_BAD_REQUEST;
	r->want_addr = (w->arg1 & HL_SOCK_A_ADDR) != 0;
	return HL_OK;
}

/* Calls with neither payload nor wait: their arguments' ranges. */
static enum hl_status
parse_plain(const struct hl_wire_hdr *w, struct dp_sock_req *r)
{
	if (w->payload_len != 0 && w->opcode != HL_OP_SOCK_SETOPT)
		return HL_E_BAD_LENGTH;
	switch (w->opcode) {
	case HL_OP_SOCK_LISTEN:
		return w->arg0 <= INT32_MAX && w->arg1 == 0 ? HL_OK : HL_E_BAD_REQUEST;
	case HL_OP_SOCK_SHUTDOWN:
		return w->arg0 <= 2 && w->arg1 == 0 ? HL_OK : HL_E_BAD_REQUEST;
	case HL_OP_SOCK_CLOSE:
		return w->arg0 == 0 && w->arg1 == 0 ? HL_OK : HL_E_BAD_REQUEST;
	case HL_OP_SOCK_GETNAME:
		return w->arg0 <= HL_SOCK_NAME_PEER && w->arg1 == 0 ? HL_OK :
		       HL_E_BAD_REQUEST;
	case HL_OP_SOCK_SETOPT:
		if (w->payload_len == 0 || w->payload_len > HL_SOCK_OPT_MAX)
			return HL_E_BAD_LENGTH;
		r->data_len = w->payload_len;
		/* fall through */
	case HL_OP_SOCK_GETOPT:
		return HI32(w->arg0) == 0 && HI32(w->arg1) == 0 ? HL_OK :
		       HL_E_BAD_REQUEST;
	default:
		return HL_E_BAD_REQUEST;
	}
}

/* ACCEPT and EVENTS: a wait and nothing else. */
static enum hl_status
parse_wait_only(const struct hl_wire_hdr *w)
{
	if (w->payload_len != 0)
		return HL_E_BAD_LENGTH;
	if (LO32(w->arg0) != 0 || w->arg1 != 0)
		return HL_E_BAD_REQUEST;
	if (w->opcode == HL_OP_SOCK_EVENTS && w->session != 0)
		return HL_E_BAD_REQUEST;
	return HL_OK;
}

static uint8_t
class_of(uint16_t op)
{
	if (op == HL_OP_SOCK_RECV || op == HL_OP_SOCK_RECV_BULK)
		return DP_SOCK_C_RECV;
	if (op == HL_OP_SOCK_SEND || op == HL_OP_SOCK_SEND_BULK)
		return DP_SOCK_C_SEND;
	return DP_SOCK_C_CMD;
}

enum hl_status
dp_sock_req_parse(const struct hl_frame_hdr *h, const uint8_t *payload,
		  struct dp_sock_req *r)
{
	const struct hl_wire_hdr *w = &h->hl;

	memset(r, 0, sizeof(*r));
	r->op = w->opcode;
	r->cls = class_of(w->opcode);
	r->sock = w->session;
	r->arg0 = w->arg0;
	r->arg1 = w->arg1;
	if (dp_sock_req_may_wait(w->opcode))
		r->wait_ms = HL_SOCK_WAIT_MS(w->arg0);
	r->flags = HL_SOCK_FLAGS(w->arg0);
	switch (w->opcode) {
	case HL_OP_SOCK_SOCKET:
		return parse_socket(w, r);
	case HL_OP_SOCK_BIND:
	case HL_OP_SOCK_CONNECT:
		return parse_addr_call(w, payload, r);
	case HL_OP_SOCK_SEND:
		return parse_send(w, payload, r);
	case HL_OP_SOCK_RECV:
		return parse_recv(w, r);
	case HL_OP_SOCK_SEND_BULK:
	case HL_OP_SOCK_RECV_BULK:
		return parse_bulk(w, payload, r);
	case HL_OP_SOCK_ACCEPT:
	case HL_OP_SOCK_EVENTS:
		return parse_wait_only(w);
	default:
		return parse_plain(w, r);
	}
}
