/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * evil: a hostile memif client for the attack suite (no DPDK).
 *
 * It speaks memif 2.0 like libhostlane's client — one sealed memfd region
 * holding both rings and their 2048-byte buffers — but every step is
 * exposed, so a test can corrupt any control message or fd (a hook called
 * before each handshake message is sent), any descriptor or ring index, and
 * any hostlane frame.
 *
 * Region layout (log2 ring size L, N = 2^L slots, B = EVIL_BUF):
 *
 *     0                 C2S ring header + N descriptors
 *     ring_bytes        S2C ring header + N descriptors
 *     4096              C2S buffers, N × B
 *     4096 + N·B        S2C buffers, N × B
 *     4096 + 2·N·B      bulk area: EVIL_BULK bytes for FN_CALL_BULK inputs
 *                       and outputs (bulk_off)
 *     bulk_off + BULK   guard: EVIL_GUARD bytes of EVIL_PATTERN, last in the
 *                       registered region
 *     region_size       tail guard: EVIL_GUARD more bytes of EVIL_PATTERN in
 *                       the memfd, beyond what is registered
 *
 * hostlane may write only S2C descriptors' length/flags, the rings' tail and
 * flags fields, posted S2C buffers, and the output range of a bulk call it
 * accepted; evil_guards_ok() checks that the guards still hold the pattern.
 *
 * Waits are bounded: every call that waits takes (or uses) a timeout and
 * reports EVIL_TIMEOUT. Single-threaded: one struct evil per thread.
 */
#ifndef EVIL_H
#define EVIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hostlane/memif.h>
#include <hostlane/proto.h>

#define EVIL_BUF 2048u		/**< bytes per buffer, = HL_FRAME_MAX */
#define EVIL_GUARD 4096u	/**< bytes per guard area */
#define EVIL_BULK (256u << 10)	/**< bytes of the bulk area */
#define EVIL_PATTERN 0xA5u	/**< guard fill byte */
#define EVIL_MAX_FDS 16		/**< fds one control message may carry */
#define EVIL_MAX_EXTRA 8	/**< spare fds a test may park on a client */
#define EVIL_WAIT_MS 10000	/**< default bound of every wait */

/** Outcomes of the calls below (0 = success). */
enum evil_rc {
	EVIL_OK = 0,
	EVIL_REFUSED,		/**< the server sent DISCONNECT (see e->reason) */
	EVIL_CLOSED,		/**< the server closed without a DISCONNECT */
	EVIL_TIMEOUT,		/**< nothing within the bound */
	EVIL_PROTO,		/**< the server sent something unexpected */
	EVIL_SYS,		/**< a system call failed (errno kept) */
};

/** Handshake steps, in the order evil_handshake() sends them. */
enum evil_step {
	EVIL_STEP_INIT,
	EVIL_STEP_ADD_REGION,
	EVIL_STEP_ADD_RING_C2S,
	EVIL_STEP_ADD_RING_S2C,
	EVIL_STEP_CONNECT,
	EVIL_STEP_COUNT
};

/**
 * One control message about to be sent. A hook may rewrite any byte of it,
 * its length (up to sizeof(raw)), its fds, or set skip / stop.
 */
struct evil_out {
	enum evil_step step;
	union {
		struct memif_msg msg;
		uint8_t raw[2 * MEMIF_MSG_SIZE];
	};
	size_t len;		/**< bytes sent; MEMIF_MSG_SIZE unless changed */
	int fds[EVIL_MAX_FDS];
	int nfds;
	bool skip;		/**< do not send this step; go on */
	bool no_wait;		/**< send, then return EVIL_OK without a reply */
};

struct evil;

/** Called before each handshake message goes out. */
typedef void (*evil_hook_fn)(struct evil *e, struct evil_out *o, void *arg);

/** A client-side view of one ring. */
struct evil_q {
	struct memif_ring *ring;	/**< in our region */
	uint32_t ring_off;
	uint32_t buf0;			/**< first buffer's offset */
	uint16_t head;			/**< our producer index (C2S) / posted (S2C) */
	uint16_t seen;			/**< S2C: next slot we read */
	int efd;
};

struct evil {
	int sock;
	int memfd;
	uint8_t *base;			/**< the whole memfd, mapped */
	uint64_t memfd_size;
	uint64_t region_size;		/**< what ADD_REGION registers */
	unsigned int log2;
	uint16_t ring_size;
	uint16_t mask;
	uint32_t bulk_off;		/**< the bulk area, EVIL_BULK bytes */
	uint32_t guard_off;
	struct evil_q c2s;
	struct evil_q s2c;
	struct memif_msg hello;		/**< the server's HELLO */
	const char *secret;
	uint32_t interface_id;
	uint8_t mac[6];
	uint8_t host_mac[6];
	uint64_t next_req;		/**< req_id of the next request */
	int extra[EVIL_MAX_EXTRA];	/**< fds a test made; closed at the end */
	int n_extra;
	bool connected;
	char reason[MEMIF_DISC_STRING_LEN + 1]; /**< last DISCONNECT string */
	char err[160];			/**< what went wrong, for reports */
};

/**
 * Connect to the memif socket at path and read the server's HELLO (or its
 * DISCONNECT). A "busy" refusal is retried, for a bound, while the server
 * finishes dropping an earlier client.
 * @return EVIL_OK, EVIL_REFUSED (e->reason), EVIL_CLOSED, EVIL_TIMEOUT or
 *         EVIL_SYS. e is initialised in every case; call evil_close().
 */
int evil_open(struct evil *e, const char *path, const char *secret);

/** evil_open() without the retry: the first answer counts. */
int evil_open_once(struct evil *e, const char *path, const char *secret);

/**
 * Create, seal (F_SEAL_SHRINK) and map the region for rings of 2^log2
 * slots, fill it with EVIL_PATTERN, and lay out the rings and buffers.
 * @return EVIL_OK or EVIL_SYS.
 */
int evil_region_create(struct evil *e, unsigned int log2);

/**
 * Send INIT, ADD_REGION, ADD_RING (C2S, then S2C), CONNECT, each after a
 * hook call (hook may be NULL), waiting for each ACK / CONNECTED. On
 * success the S2C buffers are posted and e->connected is set.
 * @return EVIL_OK, EVIL_REFUSED (e->reason), EVIL_CLOSED, EVIL_TIMEOUT,
 *         EVIL_PROTO or EVIL_SYS.
 */
int evil_handshake(struct evil *e, evil_hook_fn hook, void *arg);

/**
 * evil_open() + evil_region_create(log2 5) + evil_handshake() + a HELLO
 * exchange: a client ready to attack. On failure e->err says why.
 */
int evil_up(struct evil *e, const char *path, const char *secret);

/** Fill a default control message for step (what a good client sends). */
void evil_msg_default(const struct evil *e, enum evil_step step,
		      struct evil_out *o);

/**
 * Send raw bytes on the control socket with fds (SCM_RIGHTS, one cmsg).
 * @return EVIL_OK or EVIL_SYS.
 */
int evil_send_raw(struct evil *e, const void *buf, size_t len,
		  const int *fds, int nfds);

/**
 * Receive one control message, waiting at most timeout_ms.
 * @return EVIL_OK (msg filled), EVIL_CLOSED, EVIL_TIMEOUT, EVIL_PROTO
 *         (wrong size) or EVIL_SYS.
 */
int evil_recv_msg(struct evil *e, struct memif_msg *msg, int timeout_ms);

/**
 * Wait for the server's DISCONNECT, skipping ACK/CONNECTED, for at most
 * timeout_ms; the reason string lands in e->reason.
 * @return EVIL_REFUSED when a DISCONNECT arrived, else EVIL_CLOSED,
 *         EVIL_TIMEOUT, EVIL_PROTO or EVIL_SYS.
 */
int evil_wait_disconnect(struct evil *e, int timeout_ms);

/** Say DISCONNECT (if connected), unmap, close every fd. Accepts NULL. */
void evil_close(struct evil *e);

/** Park a test-made fd on e so evil_close() closes it. */
void evil_keep_fd(struct evil *e, int fd);

/** True if both guard areas still hold EVIL_PATTERN. */
bool evil_guards_ok(const struct evil *e);

/* ---- fast path ---------------------------------------------------------- */

/** Free C2S slots (ring size minus what the server has not consumed). */
uint16_t evil_c2s_room(const struct evil *e);

/**
 * Write slot head + i: copy len bytes of frame (may be NULL) into that
 * slot's buffer and set its descriptor to { flags, region 0, len, buffer }.
 * Nothing is published.
 */
void evil_c2s_stage(struct evil *e, uint16_t i, const void *frame,
		    uint32_t len, uint16_t flags);

/** The descriptor of slot head + i, for a test to corrupt. */
struct memif_desc *evil_c2s_desc(struct evil *e, uint16_t i);

/** Publish n staged slots: head += n (release). */
void evil_c2s_publish(struct evil *e, uint16_t n);

/** Store any value as the C2S head (release); our own copy follows. */
void evil_c2s_set_head(struct evil *e, uint16_t head);

/**
 * Send one frame in one descriptor, waiting (bounded) for ring room.
 * @return EVIL_OK or EVIL_TIMEOUT.
 */
int evil_send_frame(struct evil *e, const void *frame, uint32_t len);

/**
 * Receive one frame from S2C (reassembling a chain), wait at most
 * timeout_ms, then re-post the buffers it used. A server that changed a
 * posted descriptor's region or offset is EVIL_PROTO.
 * @return EVIL_OK (*len set), EVIL_TIMEOUT, EVIL_REFUSED (a DISCONNECT
 *         came meanwhile) or EVIL_PROTO.
 */
int evil_recv_frame(struct evil *e, void *buf, uint32_t cap, uint32_t *len,
		    int timeout_ms);

/** The descriptor of S2C slot seen + i (the next one the server fills). */
struct memif_desc *evil_s2c_desc(struct evil *e, uint16_t i);

/** Store any value as the S2C head (release). */
void evil_s2c_set_head(struct evil *e, uint16_t head);

/* ---- hostlane requests -------------------------------------------------- */

/** Build a request header into frame (>= 64 bytes); returns its req_id. */
uint64_t evil_req(struct evil *e, void *frame, uint16_t opcode,
		  uint32_t session);

/**
 * Send len bytes of frame and wait for the next reply frame.
 * @return EVIL_OK with *rep (header copy) and rep_payload (if not NULL,
 *         HL_PAYLOAD_MAX bytes) filled, or an evil_rc.
 */
int evil_rpc(struct evil *e, const void *frame, uint32_t len,
	     struct hl_frame_hdr *rep, void *rep_payload);

/**
 * Build a valid HELLO request into frame (>= 112 bytes).
 * @return its length; *req_id (if not NULL) gets its request id.
 */
uint32_t evil_hello_frame(struct evil *e, void *frame, uint64_t *req_id);

/**
 * Wait for the next reply and check it answers req_id with status st.
 * @return 0, or 1 with e->err saying what came instead.
 */
int evil_expect_reply(struct evil *e, uint64_t req_id, uint16_t st);

/** HELLO exchange; learns the host MAC. @return EVIL_OK or an error. */
int evil_hello(struct evil *e);

/**
 * FN_OPEN (placement any) and, if activate, FN_ACTIVATE.
 * @return the host status (HL_OK, nack...) or -evil_rc on transport failure;
 *         *session set on HL_OK.
 */
int evil_fn_open(struct evil *e, const char *name, bool activate,
		 uint32_t *session);

/**
 * A payload-less request on session: FN_CALL with arg0/arg1, FN_CLOSE, ...
 * @return host status, or -evil_rc; *result = reply arg0 if not NULL.
 */
int evil_fn_req(struct evil *e, uint16_t opcode, uint32_t session,
		uint64_t arg0, uint64_t arg1, uint64_t *result);

/**
 * An FN_CALL_BULK request on session with payload b (payload_len bytes of
 * it sent: 32 unless a test wants it wrong) into frame (>= 64 + 33 bytes).
 * @return the frame's length; *req_id (if not NULL) gets its request id.
 */
uint32_t evil_bulk_frame(struct evil *e, void *frame, uint32_t session,
			 const struct hl_bulk *b, uint32_t payload_len,
			 uint64_t *req_id);

/** Name of an evil_rc. */
const char *evil_rc_str(int rc);

#endif /* EVIL_H */
