/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The hostlane wire protocol, shared by the guest library (guestlib/) and
 * the host dataplane (dataplane/). docs/protocol.md describes it byte by byte.
 *
 * A hostlane message is one Ethernet frame of EtherType HL_ETHERTYPE:
 *
 *     offset  size  what
 *          0    14  Ethernet header (dst, src, EtherType 0x88B5 big-endian)
 *         14    50  struct hl_wire_hdr (little-endian)
 *         64     n  payload, n = hdr.payload_len <= HL_PAYLOAD_MAX
 *
 * so the payload starts 64 bytes into the frame and a whole frame fits in one
 * HL_FRAME_MAX (2048) byte memif buffer. Replies reuse the request's header
 * with HL_F_REPLY set, the same opcode, req_id and session, and status set.
 *
 * This header holds the protocol and nothing else: no allocation, no I/O, no
 * dependency beyond <stdint.h>/<string.h>. The inline helpers copy a header
 * out of (possibly shared, possibly hostile) memory before validating it, so
 * the result cannot change between check and use.
 */
#ifndef HOSTLANE_PROTO_H
#define HOSTLANE_PROTO_H

#include <stdint.h>
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "hostlane: the wire is little-endian; add byte swaps for this target"
#endif

#define HL_ETHERTYPE 0x88B5u	      /**< IEEE local experimental 1 */
#define HL_MAGIC 0x4E414C48u	      /**< "HLAN" as bytes on the wire */
#define HL_PROTO_VERSION 1u
#define HL_ETH_HDR_LEN 14u
#define HL_HDR_LEN 50u
#define HL_FRAME_HDR_LEN (HL_ETH_HDR_LEN + HL_HDR_LEN)	/**< = 64 */
#define HL_FRAME_MAX 2048u	      /**< one memif buffer */
#define HL_PAYLOAD_MAX (HL_FRAME_MAX - HL_FRAME_HDR_LEN) /**< = 1984 */
#define HL_BULK_MAX (16u << 20)	      /**< largest bulk input or output */
#define HL_FN_NAME_LEN 32u	      /**< incl. the terminating NUL */
#define HL_GUEST_NAME_LEN 32u	      /**< incl. the terminating NUL */
#define HL_IFNAME_LEN 16u	      /**< incl. the NUL, as the kernel's IFNAMSIZ */
#define HL_REPORT_IFS_MAX 8u	      /**< interfaces in one STATS_REPORT */

/** hdr.flags bits. */
#define HL_F_REPLY 0x0001u	      /**< set by the host on every reply */
#define HL_F_KNOWN (HL_F_REPLY)

/*
 * Opcodes: X(name, value, payload of the request). Values are wire values and
 * never change meaning. 0x01-0x3f: session/functions; 0x40-0x7f: socket calls
 * (the "Sockets" part below); 0x80-0x8f: stats reports.
 */
#define HL_OPCODE_LIST(X) \
	X(HELLO,       0x01, "struct hl_hello") \
	X(BYE,         0x02, "none") \
	X(FN_OPEN,     0x03, "struct hl_fn_open") \
	X(FN_ACTIVATE, 0x04, "none") \
	X(FN_CALL,     0x05, "function input") \
	X(FN_SET,      0x06, "function input") \
	X(FN_GET,      0x07, "none") \
	X(FN_RESET,    0x08, "none") \
	X(FN_CLOSE,    0x09, "none") \
	X(FN_CALL_BULK, 0x0A, "struct hl_bulk") \
	X(SOCK_SOCKET,  0x40, "none") \
	X(SOCK_BIND,    0x41, "struct hl_sockaddr") \
	X(SOCK_LISTEN,  0x42, "none") \
	X(SOCK_ACCEPT,  0x43, "none") \
	X(SOCK_CONNECT, 0x44, "struct hl_sockaddr") \
	X(SOCK_SEND,    0x45, "[struct hl_sockaddr] data") \
	X(SOCK_RECV,    0x46, "none") \
	X(SOCK_SEND_BULK, 0x47, "struct hl_sock_bulk") \
	X(SOCK_RECV_BULK, 0x48, "struct hl_sock_bulk") \
	X(SOCK_SHUTDOWN, 0x49, "none") \
	X(SOCK_CLOSE,   0x4A, "none") \
	X(SOCK_SETOPT,  0x4B, "option value") \
	X(SOCK_GETOPT,  0x4C, "none") \
	X(SOCK_GETNAME, 0x4D, "none") \
	X(SOCK_EVENTS,  0x4E, "none") \
	X(STATS_REPORT, 0x80, "struct hl_stats_report")

enum hl_opcode {
#define HL_X_(name, val, pl) HL_OP_##name = (val),
	HL_OPCODE_LIST(HL_X_)
#undef HL_X_
};

/*
 * Status codes: X(name, value, message). The first group travels on the wire
 * in replies; the "local" group is produced by libhostlane itself and never
 * sent (a host must not send them; a guest treats one received as INTERNAL).
 * 0 is success; a wire status is a uint16_t.
 */
#define HL_STATUS_LIST(X) \
	X(OK,             0, "success") \
	X(E_UNKNOWN_FN,   1, "unknown function") \
	X(E_PERM,         2, "operation not permitted") \
	X(E_NO_CAPACITY,  3, "no capacity left for this function") \
	X(E_HW_UNAVAIL,   4, "hardware unavailable") \
	X(E_QUOTA,        5, "quota exceeded") \
	X(E_BAD_REQUEST,  6, "bad request") \
	X(E_BAD_SESSION,  7, "bad session") \
	X(E_BAD_STATE,    8, "function in wrong state for this request") \
	X(E_TOO_LARGE,    9, "message too large") \
	X(E_BUSY,        10, "busy, try again") \
	X(E_VERSION,     11, "unsupported protocol version") \
	X(E_INTERNAL,    12, "internal error") \
	X(E_TRUNCATED,   13, "frame shorter than its header") \
	X(E_BAD_MAGIC,   14, "bad magic or EtherType") \
	X(E_BAD_OPCODE,  15, "unknown opcode") \
	X(E_BAD_LENGTH,  16, "payload length beyond the frame") \
	X(E_NOT_HELLO,   17, "no HELLO exchanged yet") \
	X(E_TIMEOUT,    100, "timed out") \
	X(E_DISCONNECTED, 101, "host disconnected") \
	X(E_INVAL,      102, "invalid argument") \
	X(E_NOMEM,      103, "out of memory") \
	X(E_IO,         104, "system call failed") \
	X(E_PROTO,      105, "host broke the transport protocol") \
	X(E_WRONG_THREAD, 106, "connection used from a thread that does not own it") \
	X(E_NO_SLOTS,   107, "too many requests in flight") \
	X(E_AGAIN,      108, "nothing ready yet") \
	X(E_REFUSED,    109, "host refused the connection") \
	X(E_SESSION_LOST, 110, "function session lost when the host restarted")

/** Every status libhostlane or a host can produce. */
enum hl_status {
#define HL_X_(name, val, msg) HL_##name = (val),
	HL_STATUS_LIST(HL_X_)
#undef HL_X_
};

/** Where a function runs (FN_OPEN request, FN_OPEN/FN_ACTIVATE reply arg0). */
enum hl_placement {
	HL_PLACE_ANY = 0,	      /**< request only: host's choice */
	HL_PLACE_HW = 1,	      /**< FPGA / accelerator */
	HL_PLACE_SW = 2,	      /**< software worker */
};

/** A function's state (hdr.state in FN_* replies). */
enum hl_fn_state {
	HL_FN_NONE = 0,		      /**< not applicable (non-FN replies) */
	HL_FN_WAIT = 1,		      /**< ready for input */
	HL_FN_BUSY = 2,		      /**< computing */
	HL_FN_DONE = 3,		      /**< result ready */
};

/** Ethernet header; the EtherType is big-endian (network order). */
struct __attribute__((packed)) hl_eth_hdr {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t ethertype;	      /**< big-endian HL_ETHERTYPE */
};

/** The hostlane header, little-endian, right after the Ethernet header. */
struct __attribute__((packed)) hl_wire_hdr {
	uint32_t magic;		      /**< HL_MAGIC */
	uint16_t version;	      /**< HL_PROTO_VERSION */
	uint16_t opcode;	      /**< enum hl_opcode */
	uint16_t flags;		      /**< HL_F_* */
	uint16_t status;	      /**< enum hl_status; 0 in requests */
	uint32_t session;	      /**< FN_* : from the FN_OPEN reply */
	uint64_t req_id;	      /**< guest-chosen, echoed in the reply */
	uint32_t payload_len;	      /**< bytes after the header */
	uint16_t state;		      /**< enum hl_fn_state, replies only */
	uint16_t reserved0;	      /**< 0 */
	uint64_t arg0;		      /**< scalar argument / result */
	uint64_t arg1;		      /**< second scalar argument / result */
	uint16_t reserved1;	      /**< 0; pads the payload to offset 64 */
};

/** A whole frame header: where the payload offset 64 comes from. */
struct __attribute__((packed)) hl_frame_hdr {
	struct hl_eth_hdr eth;
	struct hl_wire_hdr hl;
};

/** HELLO payload, both ways: who is speaking and what it accepts. */
struct __attribute__((packed)) hl_hello {
	char name[HL_GUEST_NAME_LEN]; /**< NUL-terminated, may be empty */
	uint16_t version_min;	      /**< protocol versions spoken */
	uint16_t version_max;
	uint16_t max_inflight;	      /**< requests in flight accepted/used */
	uint16_t reserved;	      /**< 0 */
	uint32_t max_payload;	      /**< largest payload accepted */
	uint32_t max_bulk;	      /**< host: largest FN_CALL_BULK in_len and
					   out_cap, 0 = no bulk calls on this
					   channel; guest: 0 */
};

/**
 * FN_CALL_BULK request payload: an FN_CALL whose input and output live in
 * the guest's shared memory (memif region `region`) instead of the frame.
 * The host reads in_len bytes at in_off and writes at most out_cap bytes at
 * out_off; the reply has no payload, arg0 = result, arg1 = bytes written.
 * The guest must not touch either range until the reply (or the end of the
 * connection): the host may read and write them until then.
 */
struct __attribute__((packed)) hl_bulk {
	uint16_t region;	      /**< memif region index */
	uint16_t reserved0;	      /**< 0 */
	uint32_t in_len;	      /**< <= HL_BULK_MAX */
	uint64_t in_off;	      /**< region offset of the input */
	uint64_t out_off;	      /**< region offset of the output room */
	uint32_t out_cap;	      /**< <= HL_BULK_MAX */
	uint32_t reserved1;	      /**< 0 */
};

/** FN_OPEN request payload. */
struct __attribute__((packed)) hl_fn_open {
	char name[HL_FN_NAME_LEN];    /**< NUL-terminated, 1..31 chars */
	uint8_t placement;	      /**< enum hl_placement */
	uint8_t reserved[7];	      /**< 0 */
};

/*
 * Sockets (vCanal): a guest's socket calls performed by the host on host
 * sockets. docs/protocol.md, "Sockets", has every request byte by byte.
 *
 * Each request is vCanal's INR: the call is the opcode, its arguments are
 * arg0/arg1 and the payload, the socket is hdr.session (a socket id the
 * host gave in a SOCK_SOCKET or SOCK_ACCEPT reply; 0 in SOCK_SOCKET and
 * SOCK_EVENTS). The reply's status is HL_OK whenever the request was well
 * formed; then
 *   arg0  = the call's return value as an int64_t: >= 0 success, < 0 a
 *           negated Linux errno (e.g. -EBADF for a socket id that is not
 *           the guest's, -EACCES for a port or address its policy forbids,
 *           -EAGAIN for a non-waiting call that would block);
 *   state = the socket's readiness as the host knows it after the call
 *           (HL_SOCK_EV_* bits; 0 when there is no socket). A mask sent in
 *           a reply's state counts as reported to the guest, exactly as
 *           one sent in a SOCK_EVENTS reply: the next change from it is an
 *           event (so data arriving after a recv drained the socket is
 *           always announced).
 * A malformed request (payload of the wrong size, reserved bits set, an
 * unknown flag) gets HL_E_BAD_LENGTH or HL_E_BAD_REQUEST and arg0 = -EINVAL.
 *
 * Waiting. Calls that may block (ACCEPT, CONNECT, SEND*, RECV*) carry a
 * wait in the top 32 bits of arg0 (HL_SOCK_WAIT()): 0 = never wait (the
 * call fails with -EAGAIN, or -EINPROGRESS for CONNECT, as a non-blocking
 * socket would); N = the host holds the request up to N ms until it can
 * complete (data, a connection, room), then replies, or replies -EAGAIN
 * (-EINPROGRESS) at the deadline; HL_SOCK_WAIT_FOREVER = no deadline. The
 * host never spins for a waiting call, and completes every waiting call
 * of a socket (-EBADF) when the socket is closed, and of a guest when the
 * guest goes away. A guest must therefore wait for a reply at least as
 * long as the wait it asked for: bytes the host received for a call are
 * only ever delivered in that call's reply.
 *
 * Addresses travel as struct hl_sockaddr: the bytes of Linux's struct
 * sockaddr_in (AF_INET, 16 bytes) or struct sockaddr_in6 (AF_INET6, 28
 * bytes), as the guest sees them (the host translates ports and reports
 * the guest's view back).
 */

/** Address families and types the socket calls accept (Linux values). */
#define HL_SOCK_AF_INET 2u
#define HL_SOCK_AF_INET6 10u
#define HL_SOCK_STREAM 1u
#define HL_SOCK_DGRAM 2u

/** Readiness (reply `state`, struct hl_sock_event): Linux's EPOLL* bits. */
#define HL_SOCK_EV_IN 0x0001u	      /**< readable, or a connection to accept */
#define HL_SOCK_EV_OUT 0x0004u	      /**< writable (also: connect finished) */
#define HL_SOCK_EV_ERR 0x0008u	      /**< an error is pending (SO_ERROR) */
#define HL_SOCK_EV_HUP 0x0010u	      /**< both directions shut down */
#define HL_SOCK_EV_RDHUP 0x2000u      /**< the peer shut down its sending side */
#define HL_SOCK_EV_KNOWN (HL_SOCK_EV_IN | HL_SOCK_EV_OUT | HL_SOCK_EV_ERR | \
			  HL_SOCK_EV_HUP | HL_SOCK_EV_RDHUP)

/** The wait of a blocking call: ms in the top half of arg0. */
#define HL_SOCK_WAIT_FOREVER 0xffffffffu
#define HL_SOCK_WAIT(ms) ((uint64_t)(uint32_t)(ms) << 32)
#define HL_SOCK_WAIT_MS(arg0) ((uint32_t)((uint64_t)(arg0) >> 32))
#define HL_SOCK_FLAGS(arg0) ((uint32_t)(arg0))

/** SEND/RECV message flags the host accepts (low half of arg0; Linux
 *  values). MSG_DONTWAIT and MSG_NOSIGNAL are implied: the host's sockets
 *  never block and never raise SIGPIPE. Any other bit is HL_E_BAD_REQUEST. */
#define HL_SOCK_MSG_PEEK 0x0002u
#define HL_SOCK_MSG_TRUNC 0x0020u     /**< RECV (datagram): return the real length */
#define HL_SOCK_MSG_DONTWAIT 0x0040u
#define HL_SOCK_MSG_WAITALL 0x0100u   /**< RECV (stream): fill the whole length
					   before replying (with a wait) */
#define HL_SOCK_MSG_NOSIGNAL 0x4000u
#define HL_SOCK_MSG_MORE 0x8000u      /**< SEND: more data follows (TCP cork) */
#define HL_SOCK_MSG_SEND_KNOWN (HL_SOCK_MSG_DONTWAIT | HL_SOCK_MSG_NOSIGNAL | \
				HL_SOCK_MSG_MORE)
#define HL_SOCK_MSG_RECV_KNOWN (HL_SOCK_MSG_PEEK | HL_SOCK_MSG_TRUNC | \
				HL_SOCK_MSG_DONTWAIT | HL_SOCK_MSG_WAITALL)

/** arg1 bits of SEND and RECV, and of RECV_BULK (SEND_BULK's destination
 *  is its struct hl_sock_bulk's addr; its arg1 is 0): */
#define HL_SOCK_A_ADDR (1ull << 32)   /**< SEND: payload starts with a struct
					   hl_sockaddr (sendto); RECV and
					   RECV_BULK: reply payload is (starts
					   with) the source's */
/** SEND/RECV arg1 low half: RECV's byte count wanted (<= HL_SOCK_DATA_MAX);
 *  SEND and the _BULK forms: 0 (the length is the payload's, after the
 *  address, or the bulk descriptor's). GETOPT: the reply carries at most
 *  HL_SOCK_GETOPT_MAX bytes; the guest cuts them to its caller's room. */

/** GETNAME arg0. */
#define HL_SOCK_NAME_LOCAL 0u	      /**< getsockname */
#define HL_SOCK_NAME_PEER 1u	      /**< getpeername */

/** A socket address as the guest sees it. */
struct __attribute__((packed)) hl_sockaddr {
	uint16_t len;		      /**< bytes of sa used: 16 (AF_INET) or 28
					   (AF_INET6); 0 = no address */
	uint16_t reserved;	      /**< 0 */
	uint8_t sa[28];		      /**< struct sockaddr_in / sockaddr_in6,
					   zero past len */
};

/**
 * SOCK_SEND_BULK / SOCK_RECV_BULK payload: data in the guest's shared
 * memory (memif region `region`), as FN_CALL_BULK's (struct hl_bulk). The
 * host sends len bytes from off, or receives at most len bytes into it;
 * the guest must not touch the range until the reply. addr: SEND_BULK's
 * destination (len 0: none); in RECV_BULK all zero (the source comes back
 * in the reply payload when arg1 has HL_SOCK_A_ADDR).
 */
struct __attribute__((packed)) hl_sock_bulk {
	uint16_t region;	      /**< memif region index */
	uint16_t reserved0;	      /**< 0 */
	uint32_t len;		      /**< 1..HL_BULK_MAX */
	uint64_t off;		      /**< region offset */
	struct hl_sockaddr addr;
	uint64_t reserved1;	      /**< 0 */
};

/** One readiness change in a SOCK_EVENTS reply: the socket's whole mask. */
struct __attribute__((packed)) hl_sock_event {
	uint32_t sock;		      /**< socket id */
	uint32_t events;	      /**< HL_SOCK_EV_* now set */
};

/** Data bytes in one SEND frame, or asked of one RECV. */
#define HL_SOCK_DATA_MAX (HL_PAYLOAD_MAX - (uint32_t)sizeof(struct hl_sockaddr))
/** Events in one SOCK_EVENTS reply. */
#define HL_SOCK_EVENTS_MAX (HL_PAYLOAD_MAX / (uint32_t)sizeof(struct hl_sock_event))
/** Option bytes in a SETOPT request. */
#define HL_SOCK_OPT_MAX 64u
/** Option bytes in a GETOPT reply (read-only options may be larger than
 *  any settable one: TCP_INFO). */
#define HL_SOCK_GETOPT_MAX 256u

_Static_assert(sizeof(struct hl_sockaddr) == 32, "sockaddr size");
_Static_assert(sizeof(struct hl_sock_bulk) == 56, "sock bulk size");
_Static_assert(sizeof(struct hl_sock_event) == 8, "sock event size");

/**
 * One interface's counters in a STATS_REPORT, as the guest's kernel counts
 * them (/sys/class/net/NAME/statistics). Untrusted: the host checks rates.
 */
struct __attribute__((packed)) hl_ifstats {
	char name[HL_IFNAME_LEN];     /**< 1..15 chars, NUL-terminated and
					   NUL-padded (hl_proto_ifname_validate) */
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
};

/**
 * STATS_REPORT request payload (FlexVF's collector): a guest's own
 * interface counters. The payload is the 8-byte head and `count` entries,
 * exactly HL_STATS_REPORT_LEN(count) bytes; the struct has room for the
 * most. The reply is a status only.
 */
struct __attribute__((packed)) hl_stats_report {
	uint16_t count;		      /**< entries, 1..HL_REPORT_IFS_MAX */
	uint16_t reserved0;	      /**< 0 */
	uint32_t reserved1;	      /**< 0 */
	struct hl_ifstats ifs[HL_REPORT_IFS_MAX];
};

/** Payload bytes of a STATS_REPORT of n interfaces. */
#define HL_STATS_REPORT_LEN(n) (8u + (uint32_t)(n) * (uint32_t)sizeof(struct hl_ifstats))

_Static_assert(sizeof(struct hl_eth_hdr) == HL_ETH_HDR_LEN, "eth hdr size");
_Static_assert(sizeof(struct hl_wire_hdr) == HL_HDR_LEN, "hl hdr size");
_Static_assert(sizeof(struct hl_frame_hdr) == 64, "frame hdr size");
_Static_assert(sizeof(struct hl_hello) == 48, "hello size");
_Static_assert(sizeof(struct hl_fn_open) == 40, "fn_open size");
_Static_assert(sizeof(struct hl_bulk) == 32, "bulk size");
_Static_assert(sizeof(struct hl_ifstats) == 48, "ifstats size");
_Static_assert(__builtin_offsetof(struct hl_stats_report, ifs) == 8, "report head");
_Static_assert(sizeof(struct hl_stats_report) ==
	       HL_STATS_REPORT_LEN(HL_REPORT_IFS_MAX), "report size");
_Static_assert(sizeof(struct hl_stats_report) <= 1500u - HL_HDR_LEN,
	       "a whole report fits a packet: frame at MTU 1500");
_Static_assert(__builtin_offsetof(struct hl_wire_hdr, req_id) == 16, "req_id");
_Static_assert(__builtin_offsetof(struct hl_wire_hdr, arg0) == 32, "arg0");
_Static_assert(HL_FRAME_HDR_LEN + HL_PAYLOAD_MAX == HL_FRAME_MAX, "frame max");

/** True if op is an opcode of this protocol version. */
static inline int
hl_proto_opcode_valid(uint32_t op)
{
	switch (op) {
#define HL_X_(name, val, pl) case (val):
	HL_OPCODE_LIST(HL_X_)
#undef HL_X_
		return 1;
	default:
		return 0;
	}
}

/** Name of an opcode, "?" if unknown. */
static inline const char *
hl_proto_opcode_name(uint32_t op)
{
	switch (op) {
#define HL_X_(name, val, pl) case (val): return #name;
	HL_OPCODE_LIST(HL_X_)
#undef HL_X_
	default:
		return "?";
	}
}

/** True if st is a status value this protocol version defines. */
static inline int
hl_proto_status_valid(uint32_t st)
{
	switch (st) {
#define HL_X_(name, val, msg) case (val):
	HL_STATUS_LIST(HL_X_)
#undef HL_X_
		return 1;
	default:
		return 0;
	}
}

/** True if st may travel on the wire (the non-local statuses). */
static inline int
hl_proto_status_on_wire(uint32_t st)
{
	return st < HL_E_TIMEOUT && hl_proto_status_valid(st);
}

/**
 * Copy the header of frame out (so that later writes to frame cannot change
 * it) and validate it. Checks, in order: length, EtherType and magic,
 * version, reserved fields and flags, opcode, payload length.
 *
 * @param frame  start of the Ethernet frame (any alignment)
 * @param len    bytes available at frame
 * @param out    receives the copied header (filled whenever len allows)
 * @return HL_OK, HL_E_TRUNCATED, HL_E_BAD_MAGIC, HL_E_VERSION,
 *         HL_E_BAD_REQUEST (reserved bits set), HL_E_BAD_OPCODE,
 *         HL_E_TOO_LARGE (payload_len > HL_PAYLOAD_MAX) or
 *         HL_E_BAD_LENGTH (payload beyond len; trailing padding is allowed).
 */
static inline enum hl_status
hl_proto_hdr_parse(const void *frame, uint32_t len, struct hl_frame_hdr *out)
{
	if (len < HL_FRAME_HDR_LEN)
		return HL_E_TRUNCATED;
	memcpy(out, frame, sizeof(*out));
	if (out->eth.ethertype != __builtin_bswap16(HL_ETHERTYPE) ||
	    out->hl.magic != HL_MAGIC)
		return HL_E_BAD_MAGIC;
	if (out->hl.version != HL_PROTO_VERSION)
		return HL_E_VERSION;
	if (out->hl.reserved0 != 0 || out->hl.reserved1 != 0 ||
	    (out->hl.flags & ~HL_F_KNOWN) != 0)
		return HL_E_BAD_REQUEST;
	if (!hl_proto_opcode_valid(out->hl.opcode))
		return HL_E_BAD_OPCODE;
	if (out->hl.payload_len > HL_PAYLOAD_MAX)
		return HL_E_TOO_LARGE;
	if (out->hl.payload_len > len - HL_FRAME_HDR_LEN)
		return HL_E_BAD_LENGTH;
	return HL_OK;
}

/** hl_proto_hdr_parse() for callers that only want the verdict. */
static inline enum hl_status
hl_proto_hdr_validate(const void *frame, uint32_t len)
{
	struct hl_frame_hdr h;

	return hl_proto_hdr_parse(frame, len, &h);
}

/**
 * Fill h as a request header (Ethernet + hostlane); arg0/arg1, state and
 * payload_len start at 0 for the caller to set.
 */
static inline void
hl_proto_hdr_init(struct hl_frame_hdr *h, const uint8_t dst[6],
		  const uint8_t src[6], uint16_t opcode, uint32_t session,
		  uint64_t req_id)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->eth.dst, dst, 6);
	memcpy(h->eth.src, src, 6);
	h->eth.ethertype = __builtin_bswap16(HL_ETHERTYPE);
	h->hl.magic = HL_MAGIC;
	h->hl.version = HL_PROTO_VERSION;
	h->hl.opcode = opcode;
	h->hl.session = session;
	h->hl.req_id = req_id;
}

/**
 * Turn a copied request header into its reply header in place: swap MACs,
 * set HL_F_REPLY and status. payload_len, state and args are the caller's.
 */
static inline void
hl_proto_hdr_make_reply(struct hl_frame_hdr *h, const uint8_t host_mac[6],
			enum hl_status status)
{
	memcpy(h->eth.dst, h->eth.src, 6);
	memcpy(h->eth.src, host_mac, 6);
	h->hl.flags |= HL_F_REPLY;
	h->hl.status = (uint16_t)status;
}

/**
 * Validate a function name as carried in struct hl_fn_open: NUL-terminated
 * within HL_FN_NAME_LEN, 1..31 characters from [A-Za-z0-9_.-], NUL padded.
 * @return HL_OK or HL_E_BAD_REQUEST.
 */
static inline enum hl_status
hl_proto_fn_name_validate(const char name[HL_FN_NAME_LEN])
{
	uint32_t i = 0;

	for (; i < HL_FN_NAME_LEN && name[i] != '\0'; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return HL_E_BAD_REQUEST;
	}
	if (i == 0 || i == HL_FN_NAME_LEN)
		return HL_E_BAD_REQUEST;
	for (; i < HL_FN_NAME_LEN; i++)
		if (name[i] != '\0')
			return HL_E_BAD_REQUEST;
	return HL_OK;
}

/**
 * Copy out and validate an FN_OPEN payload.
 * @return HL_OK, HL_E_BAD_LENGTH (wrong size) or HL_E_BAD_REQUEST.
 */
static inline enum hl_status
hl_proto_fn_open_parse(const void *payload, uint32_t len, struct hl_fn_open *out)
{
	static const uint8_t zero[sizeof(out->reserved)];

	if (len != sizeof(*out))
		return HL_E_BAD_LENGTH;
	memcpy(out, payload, sizeof(*out));
	if (out->placement > HL_PLACE_SW ||
	    memcmp(out->reserved, zero, sizeof(zero)) != 0)
		return HL_E_BAD_REQUEST;
	return hl_proto_fn_name_validate(out->name);
}

/**
 * Copy out and validate an FN_CALL_BULK payload's own fields (the ranges
 * are checked against the regions by the host, see hl_proto_bulk_ranges()).
 * @return HL_OK, HL_E_BAD_LENGTH (wrong size), HL_E_BAD_REQUEST (reserved
 *         field set) or HL_E_TOO_LARGE (a length above HL_BULK_MAX).
 */
static inline enum hl_status
hl_proto_bulk_parse(const void *payload, uint32_t len, struct hl_bulk *out)
{
	if (len != sizeof(*out))
		return HL_E_BAD_LENGTH;
	memcpy(out, payload, sizeof(*out));
	if (out->reserved0 != 0 || out->reserved1 != 0)
		return HL_E_BAD_REQUEST;
	if (out->in_len > HL_BULK_MAX || out->out_cap > HL_BULK_MAX)
		return HL_E_TOO_LARGE;
	return HL_OK;
}

/** True if [off, off + len) lies inside a region of size bytes (no wrap). */
static inline int
hl_proto_range_in(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/**
 * Check a parsed bulk call against the size of the region it names: both
 * ranges inside it, and not overlapping each other (empty ranges are
 * ignored). @return HL_OK or HL_E_BAD_REQUEST.
 */
static inline enum hl_status
hl_proto_bulk_ranges(const struct hl_bulk *b, uint64_t region_size)
{
	if (!hl_proto_range_in(b->in_off, b->in_len, region_size) ||
	    !hl_proto_range_in(b->out_off, b->out_cap, region_size))
		return HL_E_BAD_REQUEST;
	if (b->in_len != 0 && b->out_cap != 0 &&
	    b->in_off < b->out_off + b->out_cap &&
	    b->out_off < b->in_off + b->in_len)
		return HL_E_BAD_REQUEST;
	return HL_OK;
}

/**
 * Validate an interface name as carried in struct hl_ifstats: 1..15
 * printable ASCII characters other than space, '/' and ':' (what Linux
 * refuses in a name, and what would garble a report), not "." or "..",
 * NUL-terminated within HL_IFNAME_LEN and NUL-padded.
 * @return HL_OK or HL_E_BAD_REQUEST.
 */
static inline enum hl_status
hl_proto_ifname_validate(const char name[HL_IFNAME_LEN])
{
	uint32_t i = 0;

	for (; i < HL_IFNAME_LEN && name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= ' ' || c > '~' || c == '/' || c == ':')
			return HL_E_BAD_REQUEST;
	}
	if (i == 0 || i == HL_IFNAME_LEN)
		return HL_E_BAD_REQUEST;
	if (name[0] == '.' && (i == 1 || (i == 2 && name[1] == '.')))
		return HL_E_BAD_REQUEST;	/* "." and ".." */
	for (; i < HL_IFNAME_LEN; i++)
		if (name[i] != '\0')
			return HL_E_BAD_REQUEST;
	return HL_OK;
}

/**
 * Copy out and validate a STATS_REPORT payload: its size, count, reserved
 * fields, and every name (valid, and no name twice). Counter values are
 * not judged here (the host checks rates against its own clock). Entries
 * beyond count are zeroed in out.
 * @return HL_OK, HL_E_BAD_LENGTH (shorter than the head, longer than the
 *         largest report, or not HL_STATS_REPORT_LEN(count)) or
 *         HL_E_BAD_REQUEST (count 0 or above HL_REPORT_IFS_MAX, a reserved
 *         field set, a bad or repeated name).
 */
static inline enum hl_status
hl_proto_stats_report_parse(const void *payload, uint32_t len,
			    struct hl_stats_report *out)
{
	if (len < HL_STATS_REPORT_LEN(0) || len > sizeof(*out))
		return HL_E_BAD_LENGTH;
	memcpy(out, payload, len);
	memset((uint8_t *)out + len, 0, sizeof(*out) - len);
	if (out->count == 0 || out->count > HL_REPORT_IFS_MAX ||
	    out->reserved0 != 0 || out->reserved1 != 0)
		return HL_E_BAD_REQUEST;
	if (len != HL_STATS_REPORT_LEN(out->count))
		return HL_E_BAD_LENGTH;
	for (uint32_t i = 0; i < out->count; i++) {
		if (hl_proto_ifname_validate(out->ifs[i].name) != HL_OK)
			return HL_E_BAD_REQUEST;
		for (uint32_t k = 0; k < i; k++)
			if (memcmp(out->ifs[k].name, out->ifs[i].name,
				   HL_IFNAME_LEN) == 0)
				return HL_E_BAD_REQUEST;
	}
	return HL_OK;
}

/** True if op is a socket call. */
static inline int
hl_proto_is_sock(uint32_t op)
{
	return op >= 0x40u && op <= 0x7fu && hl_proto_opcode_valid(op);
}

/**
 * Copy out and validate an address: len 16 with family AF_INET, or 28
 * with AF_INET6 (or 0 when allow_none), reserved 0, nothing past len.
 * @return HL_OK or HL_E_BAD_REQUEST.
 */
static inline enum hl_status
hl_proto_sockaddr_parse(const void *p, struct hl_sockaddr *out, int allow_none)
{
	uint16_t fam;

	memcpy(out, p, sizeof(*out));
	if (out->reserved != 0 || out->len > sizeof(out->sa))
		return HL_E_BAD_REQUEST;
	for (uint32_t i = out->len; i < sizeof(out->sa); i++)
		if (out->sa[i] != 0)
			return HL_E_BAD_REQUEST;
	if (out->len == 0)
		return allow_none ? HL_OK : HL_E_BAD_REQUEST;
	memcpy(&fam, out->sa, sizeof(fam));
	if ((fam == HL_SOCK_AF_INET && out->len == 16) ||
	    (fam == HL_SOCK_AF_INET6 && out->len == 28))
		return HL_OK;
	return HL_E_BAD_REQUEST;
}

/**
 * Copy out and validate a SOCK_*_BULK payload's own fields (the range is
 * checked against the region by the host, hl_proto_range_in()). with_addr:
 * SEND_BULK (addr valid or none); 0: RECV_BULK (addr all zero).
 * @return HL_OK, HL_E_BAD_LENGTH, HL_E_BAD_REQUEST or HL_E_TOO_LARGE.
 */
static inline enum hl_status
hl_proto_sock_bulk_parse(const void *payload, uint32_t len,
			 struct hl_sock_bulk *out, int with_addr)
{
	if (len != sizeof(*out))
		return HL_E_BAD_LENGTH;
	memcpy(out, payload, sizeof(*out));
	if (out->reserved0 != 0 || out->reserved1 != 0)
		return HL_E_BAD_REQUEST;
	if (out->len == 0 || out->len > HL_BULK_MAX)
		return HL_E_TOO_LARGE;
	if (!with_addr) {
		static const struct hl_sockaddr none;

		return memcmp(&out->addr, &none, sizeof(none)) == 0 ?
			HL_OK : HL_E_BAD_REQUEST;
	}
	return hl_proto_sockaddr_parse(&out->addr, &out->addr, 1);
}

#endif /* HOSTLANE_PROTO_H */
