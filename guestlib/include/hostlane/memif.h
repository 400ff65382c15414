/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The memif wire format (version 2.0): control messages on a SOCK_SEQPACKET
 * unix socket, and the ring and descriptor layout in shared memory.
 *
 * This header holds the protocol and nothing else, so that both sides of
 * hostlane (the dataplane's server in dataplane/ and libhostlane's client in
 * guestlib/) and peers nobody here wrote (DPDK net_memif, libmemif, VPP)
 * agree on every byte. Fields are fixed width and little-endian (memif is
 * only spoken between processes on one host); offsets are never pointers.
 *
 * Roles: the client ("slave" in older memif texts) allocates every region,
 * ring and buffer and sends them to the server ("master"). C2S rings carry
 * frames client → server; S2C rings carry frames server → client in buffers
 * the client posts.
 *
 * Handshake, one message per SOCK_SEQPACKET datagram of exactly
 * sizeof(struct memif_msg) bytes:
 *
 *     server                         client
 *     HELLO            ──────────▶
 *                      ◀──────────   INIT          (version, id, secret)
 *     ACK              ──────────▶
 *                      ◀──────────   ADD_REGION    (+ memfd, SCM_RIGHTS) ×n
 *     ACK              ──────────▶
 *                      ◀──────────   ADD_RING      (+ eventfd) ×n
 *     ACK              ──────────▶
 *                      ◀──────────   CONNECT
 *     CONNECTED        ──────────▶
 *     DISCONNECT (either side, with a reason, any time)
 */
#ifndef HOSTLANE_MEMIF_H
#define HOSTLANE_MEMIF_H

#include <stdint.h>

#define MEMIF_COOKIE 0x3E31F20u
#define MEMIF_VERSION_MAJOR 2
#define MEMIF_VERSION_MINOR 0
#define MEMIF_VERSION ((MEMIF_VERSION_MAJOR << 8) | MEMIF_VERSION_MINOR)

#define MEMIF_NAME_LEN 32
#define MEMIF_SECRET_LEN 24
#define MEMIF_DISC_STRING_LEN 96
#define MEMIF_CACHELINE_SIZE 64
#define MEMIF_MSG_SIZE 128

/** Control message types (memif_msg.type). */
enum memif_msg_type {
	MEMIF_MSG_TYPE_NONE = 0,
	MEMIF_MSG_TYPE_ACK = 1,
	MEMIF_MSG_TYPE_HELLO = 2,
	MEMIF_MSG_TYPE_INIT = 3,
	MEMIF_MSG_TYPE_ADD_REGION = 4,
	MEMIF_MSG_TYPE_ADD_RING = 5,
	MEMIF_MSG_TYPE_CONNECT = 6,
	MEMIF_MSG_TYPE_CONNECTED = 7,
	MEMIF_MSG_TYPE_DISCONNECT = 8,
	MEMIF_MSG_TYPE_MAX
};

/** Interface modes (memif_msg_init.mode); hostlane speaks ethernet only. */
enum memif_interface_mode {
	MEMIF_INTERFACE_MODE_ETHERNET = 0,
	MEMIF_INTERFACE_MODE_IP = 1,
	MEMIF_INTERFACE_MODE_PUNT_INJECT = 2,
};

/** HELLO, server → client: what the server accepts. Counts are "max index". */
struct __attribute__((packed)) memif_msg_hello {
	uint8_t name[MEMIF_NAME_LEN];
	uint16_t min_version;
	uint16_t max_version;
	uint16_t max_region;	     /**< highest region index accepted */
	uint16_t max_s2c_ring;	     /**< highest S2C ring index accepted */
	uint16_t max_c2s_ring;	     /**< highest C2S ring index accepted */
	uint8_t max_log2_ring_size;
};

/** INIT, client → server: who the client is and its credential. */
struct __attribute__((packed)) memif_msg_init {
	uint16_t version;
	uint32_t id;		     /**< interface id on this socket */
	uint8_t mode;		     /**< enum memif_interface_mode */
	uint8_t secret[MEMIF_SECRET_LEN];
	uint8_t name[MEMIF_NAME_LEN];
};

/** ADD_REGION, client → server; the region's fd rides in SCM_RIGHTS. */
struct __attribute__((packed)) memif_msg_add_region {
	uint16_t index;
	uint64_t size;
};

#define MEMIF_MSG_ADD_RING_FLAG_C2S (1u << 0)

/** ADD_RING, client → server; the ring's interrupt eventfd rides in SCM_RIGHTS. */
struct __attribute__((packed)) memif_msg_add_ring {
	uint16_t flags;		     /**< MEMIF_MSG_ADD_RING_FLAG_C2S or 0 (S2C) */
	uint16_t index;
	uint16_t region;
	uint32_t offset;	     /**< of the ring header within the region */
	uint8_t log2_ring_size;
	uint16_t private_hdr_size;   /**< must be 0 for hostlane */
};

/** CONNECT (client → server) and CONNECTED (server → client). */
struct __attribute__((packed)) memif_msg_connect {
	uint8_t if_name[MEMIF_NAME_LEN];
};

/**
 * hostlane's DISCONNECT codes (memif_msg_disconnect.code): why its server
 * drops a client; the string says the same in words. Codes are stable:
 * append only, never renumber. X(SYM, code, class, "string"), class:
 *  - REJECT: a handshake rule broken; FAULT: a ring rule broken on the
 *    fast path — both the client's doing: connecting again will not help;
 *  - END: the connection ended (the client left, the guest was removed,
 *    another client holds the socket, ...);
 *  - RETRY: the host cannot serve the client now but may soon (it is
 *    restarting, an I/O lcore is stuck, earlier connections are still
 *    draining): a client may connect again, with backoff. libhostlane
 *    reconnects on these codes only.
 * Other memif servers (DPDK's net_memif, libmemif) send their own codes.
 */
#define HL_MEMIF_DISC_LIST(X) \
	X(NONE,          0, END,    "no error") \
	X(MSG_SIZE,      1, REJECT, "invalid message size") \
	X(MSG_TYPE,      2, REJECT, "unknown message type") \
	X(MSG_ORDER,     3, REJECT, "unexpected message") \
	X(VERSION,       4, REJECT, "incompatible memif version") \
	X(ID,            5, REJECT, "interface id not found") \
	X(MODE,          6, REJECT, "only ethernet mode supported") \
	X(SECRET,        7, REJECT, "incorrect secret") \
	X(FD_MISSING,    8, REJECT, "missing fd") \
	X(FD_EXTRA,      9, REJECT, "unexpected fd") \
	X(REGION_INDEX, 10, REJECT, "invalid region index") \
	X(REGION_SIZE,  11, REJECT, "invalid region size") \
	X(REGION_FD,    12, REJECT, "region fd is not a shrink-sealed memfd of that size") \
	X(REGION_MAP,   13, REJECT, "cannot map region") \
	X(RING_INDEX,   14, REJECT, "invalid ring index") \
	X(RING_REGION,  15, REJECT, "ring names an unknown region") \
	X(RING_SIZE,    16, REJECT, "ring size out of range") \
	X(RING_ALIGN,   17, REJECT, "ring offset not cache-line aligned") \
	X(RING_BOUNDS,  18, REJECT, "ring lies outside its region") \
	X(RING_OVERLAP, 19, REJECT, "rings overlap") \
	X(RING_PRIVATE, 20, REJECT, "private ring header not supported") \
	X(RING_FD,      21, REJECT, "ring interrupt fd is not an eventfd") \
	X(RING_MISSING, 22, REJECT, "connect before both rings were added") \
	X(RING_COOKIE,  23, REJECT, "bad ring cookie") \
	X(BUSY,         24, END,    "busy: another client owns this socket") \
	X(TIMEOUT,      25, REJECT, "handshake timeout") \
	X(SEND,         26, END,    "cannot send to client") \
	X(PEER,         27, END,    "client disconnected") \
	X(SHUTDOWN,     28, RETRY,  "hostlane shutting down") \
	X(REMOVED,      29, END,    "guest removed") \
	X(NOMEM,        30, RETRY,  "out of memory") \
	X(LCORE_STUCK,  31, RETRY,  "I/O lcore stuck: calls cannot be served") \
	X(DRAINING,     32, RETRY,  "busy: earlier connections still draining") \
	X(C2S_HEAD,     33, FAULT,  "C2S head moved by more than the ring size") \
	X(S2C_HEAD,     34, FAULT,  "S2C head moved by more than the ring size") \
	X(DESC_REGION,  35, FAULT,  "descriptor region index out of range") \
	X(DESC_BOUNDS,  36, FAULT,  "descriptor buffer lies outside its region") \
	X(CHAIN_LONG,   37, FAULT,  "descriptor chain longer than the limit") \
	X(CHAIN_OPEN,   38, FAULT,  "descriptor chain runs past the ring head") \
	X(FRAME_LONG,   39, FAULT,  "frame longer than the limit")

enum hl_memif_disc {
#define HL_MEMIF_DISC_ENUM_(sym, code, cls, str) HL_MEMIF_DISC_##sym = (code),
	HL_MEMIF_DISC_LIST(HL_MEMIF_DISC_ENUM_)
#undef HL_MEMIF_DISC_ENUM_
};

/** Classes of HL_MEMIF_DISC_LIST. */
enum hl_memif_disc_class {
	HL_MEMIF_DISC_C_END,
	HL_MEMIF_DISC_C_REJECT,
	HL_MEMIF_DISC_C_FAULT,
	HL_MEMIF_DISC_C_RETRY,
};

/** The class of a code; END for a code hostlane does not send. */
static inline enum hl_memif_disc_class
hl_memif_disc_class(uint32_t code)
{
	switch (code) {
#define HL_MEMIF_DISC_CASE_(sym, c, cls, str) \
	case (c): return HL_MEMIF_DISC_C_##cls;
	HL_MEMIF_DISC_LIST(HL_MEMIF_DISC_CASE_)
#undef HL_MEMIF_DISC_CASE_
	default:
		return HL_MEMIF_DISC_C_END;
	}
}

/** DISCONNECT, either way: why the peer is being dropped. */
struct __attribute__((packed)) memif_msg_disconnect {
	uint32_t code;
	uint8_t string[MEMIF_DISC_STRING_LEN];
};

/** One control message; always exactly MEMIF_MSG_SIZE bytes on the wire. */
struct __attribute__((packed, aligned(MEMIF_MSG_SIZE))) memif_msg {
	uint16_t type;		     /**< enum memif_msg_type */
	union __attribute__((packed)) {
		struct memif_msg_hello hello;
		struct memif_msg_init init;
		struct memif_msg_add_region add_region;
		struct memif_msg_add_ring add_ring;
		struct memif_msg_connect connect;
		struct memif_msg_connect connected;
		struct memif_msg_disconnect disconnect;
	};
};

#define MEMIF_DESC_FLAG_NEXT (1u << 0)

/** A ring slot: one buffer in a region; NEXT chains the frame on. */
struct __attribute__((packed)) memif_desc {
	uint16_t flags;
	uint16_t region;
	uint32_t length;
	uint32_t offset;	     /**< of the buffer within the region */
	uint32_t metadata;
};

#define MEMIF_RING_FLAG_MASK_INT 1u

/**
 * Ring header, at add_ring.offset in its region, followed by
 * (1 << log2_ring_size) descriptors. head is written by the producer of
 * slots (the client on C2S, and on S2C the client too: it posts empty
 * buffers); tail by the consumer (the server on C2S; on S2C the server,
 * which fills the posted buffers). Indices are free-running uint16_t.
 * flags is written by the receiving side: MASK_INT asks the sender not
 * to signal the ring's eventfd.
 */
struct memif_ring {
	uint32_t cookie;
	uint16_t flags;
	uint16_t head;
	uint8_t pad0[MEMIF_CACHELINE_SIZE - 8];
	uint16_t tail;
	uint8_t pad1[MEMIF_CACHELINE_SIZE - 2];
	struct memif_desc desc[];
};

/* The wire sizes that every memif implementation agrees on. */
_Static_assert(sizeof(struct memif_msg_hello) == 43, "hello size");
_Static_assert(sizeof(struct memif_msg_init) == 63, "init size");
_Static_assert(sizeof(struct memif_msg_add_region) == 10, "add_region size");
_Static_assert(sizeof(struct memif_msg_add_ring) == 13, "add_ring size");
_Static_assert(sizeof(struct memif_msg_connect) == 32, "connect size");
_Static_assert(sizeof(struct memif_msg_disconnect) == 100, "disconnect size");
_Static_assert(sizeof(struct memif_msg) == MEMIF_MSG_SIZE, "msg size");
_Static_assert(sizeof(struct memif_desc) == 16, "desc size");
_Static_assert(sizeof(struct memif_ring) == 2 * MEMIF_CACHELINE_SIZE, "ring header size");
_Static_assert(__builtin_offsetof(struct memif_ring, head) == 6, "ring head offset");
_Static_assert(__builtin_offsetof(struct memif_ring, tail) == 64, "ring tail offset");

/** Bytes a ring of 2^log2 slots takes in its region, header included. */
static inline uint64_t
memif_ring_bytes(unsigned int log2_ring_size)
{
	return sizeof(struct memif_ring) +
	       ((uint64_t)1 << log2_ring_size) * sizeof(struct memif_desc);
}

#endif /* HOSTLANE_MEMIF_H */
