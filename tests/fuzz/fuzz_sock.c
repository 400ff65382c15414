/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the socket request decoder (dataplane/sock_req.c),
 * dp_sock_req_parse(), on a header built from the input and the rest of
 * the input as the payload.
 *
 * Input: u8 opcode (0x40 + value % 16: the 15 SOCK_* opcodes and one
 * past them, which must be refused), u8 selector (bit 0: session 0), u32
 * session, u64 arg0, u64 arg1, then the payload (at most HL_PAYLOAD_MAX
 * bytes), copied to a buffer of exactly its size so ASan sees any read
 * past it.
 *
 * Checked beyond the sanitizers: the status is one the decoder may give;
 * an accepted request obeys every rule docs/protocol.md ("Sockets") and
 * docs/security.md list for it: its class, lengths that fit the frame and
 * the bulk limit, known flags only, a well-formed address, reserved fields
 * zero, session 0 where the call has none.
 */
#include "fuzz_common.h"
#include "sock_req.h"

static void
check_addr(const struct hl_sockaddr *a, int may_be_none)
{
	uint16_t fam;

	if (a->len == 0) {
		FUZZ_CHECK(may_be_none, "an address of length 0 accepted");
		return;
	}
	memcpy(&fam, a->sa, 2);
	FUZZ_CHECK((fam == HL_SOCK_AF_INET && a->len == 16) ||
		   (fam == HL_SOCK_AF_INET6 && a->len == 28), "address %u/%u", fam, a->len);
	for (uint32_t i = a->len; i < sizeof(a->sa); i++)
		FUZZ_CHECK(a->sa[i] == 0, "address byte %u past its length", i);
	FUZZ_CHECK(a->reserved == 0, "address reserved field");
}

static void
check_accepted(const struct hl_frame_hdr *h, const struct dp_sock_req *r)
{
	uint16_t op = h->hl.opcode;
	uint32_t len = h->hl.payload_len;

	FUZZ_CHECK(r->op == op && r->sock == h->hl.session, "copied fields");
	FUZZ_CHECK(r->cls == ((op == HL_OP_SOCK_RECV || op == HL_OP_SOCK_RECV_BULK) ?
		   DP_SOCK_C_RECV : (op == HL_OP_SOCK_SEND || op == HL_OP_SOCK_SEND_BULK) ?
		   DP_SOCK_C_SEND : DP_SOCK_C_CMD), "class %u of op 0x%x", r->cls, op);
	FUZZ_CHECK(dp_sock_req_may_wait(op) || r->wait_ms == 0, "a wait on op 0x%x", op);
	switch (op) {
	case HL_OP_SOCK_SOCKET:
	case HL_OP_SOCK_EVENTS:
		FUZZ_CHECK(h->hl.session == 0 && len == 0, "session or payload");
		break;
	case HL_OP_SOCK_BIND:
	case HL_OP_SOCK_CONNECT:
		FUZZ_CHECK(len == sizeof(struct hl_sockaddr), "address call of %u", len);
		check_addr(&r->addr, 0);
		break;
	case HL_OP_SOCK_SEND:
		FUZZ_CHECK((r->flags & ~HL_SOCK_MSG_SEND_KNOWN) == 0, "send flags");
		FUZZ_CHECK(r->data_off + r->data_len == len &&
			   (r->data_off == 0 || r->data_off == sizeof(struct hl_sockaddr)),
			   "send data %u+%u of %u", r->data_off, r->data_len, len);
		FUZZ_CHECK(r->data_len <= HL_SOCK_DATA_MAX || r->data_off == 0, "send length");
		check_addr(&r->addr, r->data_off == 0);
		break;
	case HL_OP_SOCK_RECV:
		FUZZ_CHECK(len == 0 && r->want >= 1 && r->want <= HL_SOCK_DATA_MAX,
			   "recv of %u", r->want);
		FUZZ_CHECK((r->flags & ~HL_SOCK_MSG_RECV_KNOWN) == 0, "recv flags");
		break;
	case HL_OP_SOCK_SEND_BULK:
	case HL_OP_SOCK_RECV_BULK:
		FUZZ_CHECK(len == sizeof(struct hl_sock_bulk), "bulk payload %u", len);
		FUZZ_CHECK(r->bulk.len >= 1 && r->bulk.len <= HL_BULK_MAX, "bulk length");
		FUZZ_CHECK(r->bulk.reserved0 == 0 && r->bulk.reserved1 == 0, "bulk reserved");
		check_addr(&r->bulk.addr, 1);
		if (op == HL_OP_SOCK_RECV_BULK)
			FUZZ_CHECK(r->bulk.addr.len == 0, "recv_bulk with an address");
		break;
	case HL_OP_SOCK_SETOPT:
		FUZZ_CHECK(len >= 1 && len <= HL_SOCK_OPT_MAX && r->data_len == len,
			   "option of %u", len);
		break;
	case HL_OP_SOCK_SHUTDOWN:
		FUZZ_CHECK(h->hl.arg0 <= 2 && len == 0, "shutdown how");
		break;
	default:
		FUZZ_CHECK(len == 0, "payload %u on op 0x%x", len, op);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct hl_frame_hdr h;
	struct dp_sock_req r;
	enum hl_status st;
	uint8_t *payload;
	uint8_t sel;

	memset(&h, 0, sizeof(h));
	h.hl.opcode = (uint16_t)(0x40 + fuzz_u8(&in) % 16);
	sel = fuzz_u8(&in);
	h.hl.session = fuzz_u32(&in);
	if (sel & 1)
		h.hl.session = 0;
	fuzz_take(&in, &h.hl.arg0, sizeof(h.hl.arg0));
	fuzz_take(&in, &h.hl.arg1, sizeof(h.hl.arg1));
	h.hl.payload_len = (uint32_t)(in.n < HL_PAYLOAD_MAX ? in.n : HL_PAYLOAD_MAX);
	payload = malloc(h.hl.payload_len + 1);
	if (payload == NULL)
		return 0;
	memcpy(payload, in.p, h.hl.payload_len);
	if (!hl_proto_is_sock(h.hl.opcode)) {
		free(payload);
		return 0;	/* hl_proto_hdr_parse() refuses it before us */
	}
	st = dp_sock_req_parse(&h, payload, &r);
	FUZZ_CHECK(st == HL_OK || st == HL_E_BAD_LENGTH || st == HL_E_BAD_REQUEST ||
		   st == HL_E_TOO_LARGE, "status %d", st);
	if (st == HL_OK)
		check_accepted(&h, &r);
	free(payload);
	return 0;
}
