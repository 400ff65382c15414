/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The socket request decoder: one SOCK_* request (proto.h, "Sockets"),
 * copied out of its frame and checked field by field, and its class for
 * the socket workers' scheduler (sock.h).
 *
 * Design note. This is the only place a socket request's header fields and
 * payload are interpreted; everything after it (the I/O lcore's hand-off,
 * the worker's system calls) uses struct dp_sock_req. It checks the form of
 * a request only (sizes, reserved bits, flags, address shape); what a
 * well-formed request may do (families, ports, destinations, its socket id)
 * is the worker's to judge, and is answered with an errno, not a status.
 * Pure C, no DPDK: the libFuzzer target tests/fuzz/fuzz_sock.c builds it in.
 * Any thread; no allocation, no system calls.
 */
#ifndef DP_SOCK_REQ_H
#define DP_SOCK_REQ_H

#include <stdint.h>

#include <hostlane/proto.h>

/*
 * The scheduler's classes, in the order a worker serves them (vCanal):
 * commands, then receives, then sends. X(name, config key of its budget,
 * default budget).
 */
#define DP_SOCK_CLASS_LIST(X) \
	X(CMD, "budget_cmd", 16) \
	X(RECV, "budget_recv", 32) \
	X(SEND, "budget_send", 32)

enum dp_sock_class {
#define DP_SOCK_CLASS_ENUM_(n, key, def) DP_SOCK_C_##n,
	DP_SOCK_CLASS_LIST(DP_SOCK_CLASS_ENUM_)
#undef DP_SOCK_CLASS_ENUM_
	DP_SOCK_CLASSES
};

/** A decoded socket request: every field copied and checked. */
struct dp_sock_req {
	uint16_t op;			/**< enum hl_opcode (a SOCK_* one) */
	uint8_t cls;			/**< enum dp_sock_class */
	uint8_t want_addr;		/**< RECV*: reply carries the source */
	uint32_t sock;			/**< hdr.session: the socket id */
	uint32_t flags;			/**< SEND and RECV calls: HL_SOCK_MSG_* */
	uint32_t wait_ms;		/**< HL_SOCK_WAIT_MS(); 0: never wait */
	uint64_t arg0;			/**< the request's, as sent */
	uint64_t arg1;
	uint32_t want;			/**< RECV: bytes asked for */
	uint32_t data_off;		/**< SEND/SETOPT: payload offset of the data */
	uint32_t data_len;		/**< SEND/SETOPT: its bytes */
	struct hl_sockaddr addr;	/**< BIND/CONNECT/sendto; len 0: none */
	struct hl_sock_bulk bulk;	/**< SEND_BULK/RECV_BULK */
};

/**
 * Decode and check one socket request.
 * @param h        the request header, already checked by hl_proto_hdr_parse()
 *                 (valid opcode, payload_len <= HL_PAYLOAD_MAX) and copied
 * @param payload  h->hl.payload_len bytes (a copy of guest memory)
 * @param r        filled on HL_OK (partly filled otherwise)
 * @return HL_OK; HL_E_BAD_LENGTH (a payload of the wrong size) or
 *         HL_E_BAD_REQUEST (reserved bits, unknown flags, a malformed
 *         address, an argument out of range); HL_E_TOO_LARGE (a bulk
 *         length above HL_BULK_MAX). The reply then carries arg0 = -EINVAL.
 */
enum hl_status dp_sock_req_parse(const struct hl_frame_hdr *h, const uint8_t *payload,
				 struct dp_sock_req *r);

/** True if a call of this request may be held (it carries a wait). */
static inline int
dp_sock_req_may_wait(uint16_t op)
{
	return op == HL_OP_SOCK_ACCEPT || op == HL_OP_SOCK_CONNECT ||
	       op == HL_OP_SOCK_SEND || op == HL_OP_SOCK_RECV ||
	       op == HL_OP_SOCK_SEND_BULK || op == HL_OP_SOCK_RECV_BULK ||
	       op == HL_OP_SOCK_EVENTS;
}

#endif /* DP_SOCK_REQ_H */
