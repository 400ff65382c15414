/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * libhostlane — the guest side of hostlane: offload functions to the host.
 *
 * A guest connects to the host dataplane (hl_connect) over one of three
 * transports, named by the URI it gives: memif (a unix socket path, the
 * default), packet:IFNAME (AF_PACKET on a kernel netdev, e.g. a VM's
 * virtio-net interface) or dpdk:EAL-ARGS (a DPDK port, from the optional
 * plugin libhostlane-dpdk.so). It asks for a function by name (hl_fn_open: the host answers ack, or nack with a
 * reason), activates it (hl_fn_activate: the host says whether it runs on
 * hardware or software), then calls it synchronously (hl_fn_call,
 * hl_fn_call_u64, or hl_fn_set + hl_fn_get) or asynchronously
 * (hl_fn_submit + hl_poll, up to HL_MAX_INFLIGHT requests in flight per
 * connection, completed in any order), and finally releases it (hl_fn_close)
 * and the connection (hl_disconnect). A guest may also report its own
 * interface counters to the host (hl_report_ifstats; the hostlane-agent
 * program does it every interval), for the host's VF allocator. The
 * messages are described in hostlane/proto.h and docs/protocol.md.
 *
 * Errors. Every function that can fail returns an enum hl_status value from
 * proto.h: 0 (HL_OK) on success, a positive status otherwise; hl_strerror()
 * names it. Statuses the host sent (nack reasons such as HL_E_NO_CAPACITY)
 * are passed through unchanged. hl_poll() alone returns a count, or a
 * negated status. A call may also fail with HL_E_IO if the kernel's random
 * generator cannot give request ids yet (only before it is seeded, early
 * at boot): ids are random so that no other station can forge a reply.
 *
 * A hostile host. libhostlane treats everything its host sends as
 * untrusted, as hostlane treats its guests: a broken or malicious host
 * (control messages of the wrong size, type or order, file descriptors,
 * ring indices or descriptors out of range, malformed or forged replies, a
 * HELLO of the wrong size or version range) gets a clear status -
 * HL_E_PROTO, HL_E_VERSION, HL_E_TIMEOUT, HL_E_DISCONNECTED - and never a
 * crash, a hang past the timeout, or a leaked fd or mapping
 * (docs/security.md).
 *
 * Waiting. Every call that waits for the host is bounded: synchronous calls
 * by the connection's timeout (struct hl_opts.timeout_ms, or
 * hl_conn_set_timeout()), hl_poll() by its argument. A wait spins on the
 * receive ring spin_polls times, then unmasks the memif interrupt and sleeps
 * on its eventfd (HL_WAIT_HYBRID); HL_WAIT_POLL only spins, HL_WAIT_INTR
 * sleeps at once (packet: sleeps in poll(); dpdk: always busy-polls, and
 * yields the CPU between polls in HYBRID and INTR). A host that dies
 * (memif: control socket closed, or DISCONNECT; packet: and dpdk: the link
 * goes down) makes every pending call fail with HL_E_DISCONNECTED: a
 * synchronous call returns it, and every request submitted and not yet
 * answered completes, once, with that status in hl_poll(). hl_conn_reason()
 * then says why. A call that timed out leaves the connection usable; a late
 * reply to it is dropped and counted.
 *
 * Reconnecting (struct hl_opts.reconnect). With HL_RECONNECT_AUTO, the
 * default, a connection whose host went away (memif: the control socket
 * closed, or the host said "hostlane shutting down"; packet: and dpdk: the
 * link went down) reconnects on its own: the next call that needs the host
 * (open, activate, call, set, get, reset, submit) opens the transport
 * again and says HELLO, retrying with a backoff from reconnect_min_ms
 * doubling up to reconnect_max_ms, for at most the connection timeout per
 * call; hl_poll() never reconnects. The backoff and the give-up clock
 * start again only once the new connection has proven healthy: a request
 * of the application's answered on it, or reconnect_max_ms of it staying
 * up. A host that answers HELLO and drops the connection again continues
 * the same outage, so it is retried no faster than the backoff and given
 * up on after reconnect_limit_ms. Functions opened before are re-opened
 * (same name and requested placement) and re-activated, so their handles
 * stay valid; a function whose input was set (hl_fn_set) but whose result
 * was not fetched, or that the new host refuses, is not re-opened: every
 * call on it fails with HL_E_SESSION_LOST, and hl_fn_close() frees it.
 * Nothing is ever sent again on the caller's behalf: a request is sent at
 * most once and completes exactly once. A host that sends the guest away
 * for another reason (a DISCONNECT such as a protocol fault), a connection
 * made with HL_RECONNECT_NEVER, and a host still gone after
 * reconnect_limit_ms, leave the connection dead: every later call fails
 * with HL_E_DISCONNECTED (or the transport's status).
 *
 * Threads. A connection, and every function opened on it, belongs to the
 * thread that called hl_connect(). Any other thread gets HL_E_WRONG_THREAD
 * from every call (hl_disconnect() excepted: the caller must make sure no
 * other thread is using the connection). Use one connection per thread.
 *
 * Ownership. hl_connect() and hl_fn_open() allocate; hl_disconnect() and
 * hl_fn_close() free, and accept NULL. hl_disconnect() also frees every
 * function still open on the connection. Input buffers are copied before a
 * call returns. An output buffer given to hl_fn_submit() must stay valid
 * until its completion is returned by hl_poll() or the connection is closed.
 */
#ifndef HOSTLANE_HOSTLANE_H
#define HOSTLANE_HOSTLANE_H

#include <stdint.h>

#include "hostlane/proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HL_MAX_INFLIGHT 256u	 /**< requests in flight per connection */

/** How a wait for the host passes its time. */
enum hl_wait_mode {
	HL_WAIT_HYBRID = 0,	 /**< spin spin_polls times, then sleep */
	HL_WAIT_POLL = 1,	 /**< busy-poll only (burns a core) */
	HL_WAIT_INTR = 2,	 /**< sleep on the interrupt at once */
};

/** What a connection does when its host goes away. */
enum hl_reconnect {
	HL_RECONNECT_AUTO = 0,	 /**< reconnect on the next call, with backoff */
	HL_RECONNECT_NEVER = 1,	 /**< stay dead; the application reconnects */
};

/** Connection options; initialise with hl_opts_init(), then change fields. */
struct hl_opts {
	uint32_t interface_id;	 /**< memif interface id; default 0 */
	unsigned int spin_polls; /**< HYBRID: polls before sleeping; 100 */
	enum hl_wait_mode wait_mode; /**< default HL_WAIT_HYBRID */
	int timeout_ms;		 /**< synchronous calls; hl_connect() as a whole
				      (connect, handshake, HELLO); 5000;
				      <0 = none */
	unsigned int log2_ring_size; /**< 1..14, default 10 (1024 slots); calls
				      in flight are limited to the slots
				      less min(32, slots/4) (docs/guestlib.md) */
	const char *name;	 /**< guest name, <= 31 chars; default "libhostlane" */
	uint8_t mac[6];		 /**< guest MAC; all zero = the device's (packet:,
				      dpdk:) or locally generated (memif) */
	enum hl_reconnect reconnect; /**< default HL_RECONNECT_AUTO */
	unsigned int reconnect_min_ms; /**< AUTO: first retry delay; 10 */
	unsigned int reconnect_max_ms; /**< AUTO: backoff cap; 500 */
	int reconnect_limit_ms;	 /**< AUTO: give up after; 60000; <0 = never */
	uint64_t bulk_bytes;	 /**< memif: shared memory for calls whose input
				      or output exceeds a frame (HL_PAYLOAD_MAX);
				      default 8 MiB, 0 = no such calls */
	uint32_t bulk_slot;	 /**< memif: room per such call, input (64-byte
				      aligned) + output; default 256 KiB; at
				      most bulk_bytes / bulk_slot at once */
};

/** One finished asynchronous request, as returned by hl_poll(). */
struct hl_completion {
	uint64_t tag;		 /**< as given to hl_fn_submit*() */
	int status;		 /**< enum hl_status: host's answer or local error */
	enum hl_fn_state state;	 /**< function state the host reported */
	uint32_t out_len;	 /**< bytes of output the host sent */
	uint64_t result;	 /**< reply arg0 (scalar result) */
	uint64_t result1;	 /**< reply arg1 */
};

/** One call of a burst (hl_fn_submit_burst()); fields as hl_fn_submit_args()'s. */
struct hl_call {
	const void *in;		 /**< input bytes, copied before return */
	uint32_t in_len;	 /**< as for hl_fn_submit() */
	void *out;		 /**< must stay valid until completion */
	uint32_t out_cap;	 /**< size of out */
	uint64_t arg0;		 /**< first scalar argument */
	uint64_t arg1;		 /**< second scalar argument */
	uint64_t tag;		 /**< returned in the completion */
};

/** Connection counters, for diagnostics. */
struct hl_stats {
	uint64_t requests;	 /**< frames sent */
	uint64_t replies;	 /**< replies matched to a request */
	uint64_t dropped_unknown; /**< replies whose id was not in flight */
	uint64_t dropped_dup;	 /**< second replies to a completed request */
	uint64_t dropped_bad;	 /**< frames failing validation or not replies */
	uint64_t timeouts;	 /**< requests given up on */
	uint64_t rx_dropped;	 /**< transport: unusable descriptors */
	uint64_t kicks;		 /**< transport: interrupts sent to the host */
	uint64_t sleeps;	 /**< transport: interrupt waits */
	uint64_t disconnects;	 /**< times the host went away */
	uint64_t reconnects;	 /**< times the connection came back */
	uint64_t lost_inflight;	 /**< requests failed because the host went */
};

struct hl_conn;			 /**< a connection to the host */
struct hl_fn;			 /**< an opened function (a host session) */

/**
 * Fill opts with the defaults listed in struct hl_opts.
 * @param opts  options to initialise; must not be NULL
 */
void hl_opts_init(struct hl_opts *opts);

/**
 * Connect to the host over the transport socket_path names, then exchange
 * a hostlane HELLO (whose reply also gives the host's MAC address).
 *
 * Transports (docs/guestlib.md):
 *  - "PATH" or "memif:PATH": memif client on the host's unix socket;
 *  - "packet:IFNAME": AF_PACKET socket on kernel netdev IFNAME, EtherType
 *    0x88B5 (needs CAP_NET_RAW); frames are limited by the netdev's MTU
 *    (MTU 1500: payloads <= 1450 bytes, larger ones fail HL_E_TOO_LARGE);
 *  - "dpdk:EAL-ARGS": the first free DPDK port; EAL is initialised once
 *    per process with EAL-ARGS (split at blanks). Needs the plugin
 *    libhostlane-dpdk.so (found beside libhostlane.so, in its hostlane/
 *    subdirectory, or at $HOSTLANE_DPDK_PLUGIN).
 * On packet: and dpdk: the guest MAC defaults to the device's address, the
 * secret and the memif options (interface_id, log2_ring_size) are unused,
 * and one connection per device is the rule: the host sees one guest per
 * device.
 *
 * @param socket_path  transport URI, as above
 * @param secret       memif secret (credential), <= 24 bytes; NULL = none
 * @param opts         options, or NULL for the defaults
 * @param out          receives the connection; NULL on failure
 * @return HL_OK; HL_E_INVAL (bad argument, unknown interface, no DPDK
 *         plugin or port); HL_E_IO (socket, memory or EAL setup failed,
 *         errno kept); HL_E_REFUSED (the server sent DISCONNECT, e.g. a
 *         wrong secret); HL_E_DISCONNECTED (also: interface or link down);
 *         HL_E_TIMEOUT (timeout_ms passed: the host did not answer, or its
 *         listen backlog stayed full); HL_E_VERSION (the host's memif or
 *         hostlane version range excludes ours); HL_E_PROTO (the host broke
 *         the memif handshake, or its HELLO reply is not one struct
 *         hl_hello); HL_E_NOMEM; or the host's HELLO nack status.
 */
int hl_connect(const char *socket_path, const char *secret,
	       const struct hl_opts *opts, struct hl_conn **out);

/**
 * Why the last hl_connect() of the calling thread failed, in words: e.g.
 * the host's memif DISCONNECT string ("incorrect secret"), or the system
 * call that failed.
 * @return a thread-local NUL-terminated string; "" if there is nothing to say
 */
const char *hl_connect_reason(void);

/**
 * Say BYE to the host (best effort, without waiting long), disconnect memif
 * and free the connection and every function still open on it.
 * @param conn  connection, or NULL (no-op)
 */
void hl_disconnect(struct hl_conn *conn);

/**
 * Why the connection failed, e.g. the host's DISCONNECT reason.
 * @param conn  connection
 * @return a NUL-terminated string owned by conn; "" if it is healthy
 */
const char *hl_conn_reason(const struct hl_conn *conn);

/**
 * Change the timeout of synchronous calls on conn.
 * @param conn        connection
 * @param timeout_ms  milliseconds; < 0 waits until the reply or the host dies
 * @return HL_OK or HL_E_WRONG_THREAD
 */
int hl_conn_set_timeout(struct hl_conn *conn, int timeout_ms);

/**
 * Copy the connection's counters.
 * @param conn   connection
 * @param stats  receives the counters
 * @return HL_OK or HL_E_INVAL
 */
int hl_conn_stats(const struct hl_conn *conn, struct hl_stats *stats);

/**
 * The host's protocol version, from its HELLO reply.
 * @param conn  connection
 * @return the version (HL_PROTO_VERSION for this library)
 */
uint32_t hl_conn_host_version(const struct hl_conn *conn);

/**
 * Negotiate function name with the host (VirtFun phase 1).
 * @param conn       connection
 * @param name       function name: 1..31 characters of [A-Za-z0-9_.-]
 * @param placement  HL_PLACE_HW, HL_PLACE_SW or HL_PLACE_ANY
 * @param fn         receives the function; NULL on failure
 * @return HL_OK (ack) or the nack reason (HL_E_UNKNOWN_FN, HL_E_PERM,
 *         HL_E_NO_CAPACITY, HL_E_HW_UNAVAIL, HL_E_QUOTA, ...), or a local
 *         error (HL_E_INVAL, HL_E_TIMEOUT, HL_E_DISCONNECTED, ...)
 */
int hl_fn_open(struct hl_conn *conn, const char *name,
	       enum hl_placement placement, struct hl_fn **fn);

/**
 * Activate an opened function (VirtFun phase 2).
 * @param fn     function from hl_fn_open()
 * @param where  receives HL_PLACE_HW or HL_PLACE_SW; may be NULL
 * @return HL_OK, or the host's nack reason (e.g. HL_E_HW_UNAVAIL: close
 *         and reopen with HL_PLACE_SW), or a local error
 */
int hl_fn_activate(struct hl_fn *fn, enum hl_placement *where);

/**
 * Where the host placed fn (after open: reserved; after activate: running).
 * @param fn  function
 * @return HL_PLACE_HW, HL_PLACE_SW, or HL_PLACE_ANY if not known yet
 */
enum hl_placement hl_fn_placement(const struct hl_fn *fn);

/**
 * Call fn: send input, wait for the result (set + get in one round trip).
 * Over memif, a call whose in_len or out_cap exceeds HL_PAYLOAD_MAX goes as
 * a bulk call: input and output travel through shared memory (one slot of
 * hl_opts.bulk_slot bytes: input rounded up to 64 bytes, then the output
 * room), and the host's accelerator reads and writes them in place. Other
 * transports carry HL_PAYLOAD_MAX bytes at most.
 * @param fn       an activated function
 * @param in       input bytes (may be NULL if in_len is 0)
 * @param in_len   <= HL_PAYLOAD_MAX, or as above
 * @param out      output buffer (may be NULL if out_cap is 0)
 * @param out_cap  size of out
 * @param out_len  receives the output length the host sent; may be NULL
 * @return HL_OK; the host's status; HL_E_TOO_LARGE (in_len too big, or the
 *         output did not fit: out holds the first out_cap bytes and
 *         *out_len the full length); HL_E_TIMEOUT; HL_E_DISCONNECTED; ...
 */
int hl_fn_call(struct hl_fn *fn, const void *in, uint32_t in_len,
	       void *out, uint32_t out_cap, uint32_t *out_len);

/**
 * Call fn with two scalar arguments and a scalar result, e.g.
 * factorial(n = arg0, repetitions = arg1).
 * @param fn      an activated function
 * @param arg0    first argument
 * @param arg1    second argument
 * @param result  receives the result (reply arg0); may be NULL
 * @return as hl_fn_call()
 */
int hl_fn_call_u64(struct hl_fn *fn, uint64_t arg0, uint64_t arg1,
		   uint64_t *result);

/**
 * Send input to fn without waiting for the result (VirtFun "set").
 * @param fn      an activated function
 * @param in      input bytes
 * @param in_len  <= HL_PAYLOAD_MAX
 * @param arg0    scalar argument
 * @param arg1    scalar argument
 * @param state   receives the state after the set (BUSY or DONE); may be NULL
 * @return HL_OK, the host's status, or a local error
 */
int hl_fn_set(struct hl_fn *fn, const void *in, uint32_t in_len,
	      uint64_t arg0, uint64_t arg1, enum hl_fn_state *state);

/**
 * Fetch fn's state and, when HL_FN_DONE, its result (VirtFun "get").
 * @param fn       an activated function
 * @param out      output buffer (may be NULL if out_cap is 0)
 * @param out_cap  size of out
 * @param out_len  receives the output length; may be NULL
 * @param result   receives the scalar result (reply arg0); may be NULL
 * @param state    receives HL_FN_WAIT, HL_FN_BUSY or HL_FN_DONE; may be NULL
 * @return HL_OK, the host's status, or a local error
 */
int hl_fn_get(struct hl_fn *fn, void *out, uint32_t out_cap,
	      uint32_t *out_len, uint64_t *result, enum hl_fn_state *state);

/**
 * Clear fn's state on the host (VirtFun "rst"); it returns to HL_FN_WAIT.
 * @param fn  an opened function
 * @return HL_OK, the host's status, or a local error
 */
int hl_fn_reset(struct hl_fn *fn);

/**
 * Release fn on the host (VirtFun phase 4) and free it, whatever the host
 * answers.
 * @param fn  function, or NULL (returns HL_OK)
 * @return HL_OK, or the host's status / a local error (fn is freed anyway)
 */
int hl_fn_close(struct hl_fn *fn);

/**
 * Start a call of fn and return at once; hl_poll() returns its completion.
 * @param fn       an activated function
 * @param in       input bytes, copied before return
 * @param in_len   <= HL_PAYLOAD_MAX, or larger over memif (bulk call: up to
 *                 hl_opts.bulk_slot minus the output room)
 * @param out      where the output goes; must stay valid until completion
 * @param out_cap  size of out (0 if only the scalar result is wanted)
 * @param tag      returned in the completion
 * @return HL_OK; HL_E_NO_SLOTS (HL_MAX_INFLIGHT in flight: poll first);
 *         HL_E_TOO_LARGE; HL_E_TIMEOUT (send ring stayed full);
 *         HL_E_DISCONNECTED; HL_E_WRONG_THREAD; HL_E_INVAL
 */
int hl_fn_submit(struct hl_fn *fn, const void *in, uint32_t in_len,
		 void *out, uint32_t out_cap, uint64_t tag);

/**
 * hl_fn_submit() with two scalar arguments as well (e.g. aes-gcm's
 * direction and key/AAD lengths).
 * @param fn       an activated function
 * @param arg0     first argument
 * @param arg1     second argument
 * @param in       input bytes, copied before return
 * @param in_len   as for hl_fn_submit()
 * @param out      where the output goes; must stay valid until completion
 * @param out_cap  size of out
 * @param tag      returned in the completion
 * @return as hl_fn_submit()
 */
int hl_fn_submit_args(struct hl_fn *fn, uint64_t arg0, uint64_t arg1,
		      const void *in, uint32_t in_len, void *out,
		      uint32_t out_cap, uint64_t tag);

/**
 * Start n calls of fn as one burst, like rte_eth_tx_burst(): the host is
 * shown all of them together (over memif: one store of the ring's head and
 * one interrupt check for up to 32 calls, instead of one per call), so a
 * pipelined guest pays the shared ring's cache-line traffic once per burst.
 * Calls are sent in order; on the first that fails the burst stops, and
 * the ones before it stay submitted (they complete through hl_poll()).
 * @param fn     an activated function
 * @param calls  n calls
 * @param n      how many; 0 submits nothing
 * @param done   receives how many were submitted; may be NULL
 * @return HL_OK if all n were; else the status of the first that was not
 *         (as hl_fn_submit(): HL_E_NO_SLOTS when HL_MAX_INFLIGHT are in
 *         flight), or HL_E_INVAL (calls NULL with n > 0)
 */
int hl_fn_submit_burst(struct hl_fn *fn, const struct hl_call *calls,
		       unsigned int n, unsigned int *done);

/**
 * hl_fn_submit() with two scalar arguments and no payload.
 * @param fn    an activated function
 * @param arg0  first argument
 * @param arg1  second argument
 * @param tag   returned in the completion
 * @return as hl_fn_submit()
 */
int hl_fn_submit_u64(struct hl_fn *fn, uint64_t arg0, uint64_t arg1,
		     uint64_t tag);

/**
 * Collect finished asynchronous requests. Requests the host has not
 * answered within the connection timeout complete with HL_E_TIMEOUT.
 * @param conn        connection
 * @param c           array receiving completions
 * @param max         size of c, >= 1
 * @param timeout_ms  how long to wait for the first completion: 0 = do
 *                    not wait, < 0 = until one arrives or the host dies
 *                    (returns 0 at once when nothing is in flight)
 * @return the number of completions stored (0 on timeout), or a negated
 *         status: -HL_E_DISCONNECTED, -HL_E_WRONG_THREAD, -HL_E_INVAL, ...
 */
int hl_poll(struct hl_conn *conn, struct hl_completion *c, int max,
	    int timeout_ms);

/**
 * Report the guest's own interface counters to the host (STATS_REPORT,
 * docs/protocol.md): FlexVF's collector, for the host's VF allocator,
 * which trusts its own counters first and a guest's report least. The host
 * judges one report per its report_interval_ms and refuses rates above its
 * line-rate ceiling; counters that go back are taken as a reset. Reconnects
 * like the function calls (HL_RECONNECT_AUTO); the host keeps the guest's
 * report budget across reconnects.
 * @param conn  connection
 * @param ifs   n entries: a name of 1..15 characters (hl_proto_ifname_validate:
 *              printable ASCII, no space, '/' or ':'), NUL-padded, no name
 *              twice; the kernel's cumulative rx/tx packets and bytes
 * @param n     1..HL_REPORT_IFS_MAX
 * @return HL_OK (accepted); HL_E_INVAL (NULL, n out of range, a bad or
 *         repeated name: nothing sent); the host's refusal: HL_E_PERM (this
 *         guest takes no VF), HL_E_QUOTA (sooner than the host's
 *         report_interval_ms after its last report), HL_E_BUSY (its last
 *         report is still being judged), HL_E_BAD_REQUEST (a rate above the
 *         host's ceiling); or a local error (HL_E_TIMEOUT, HL_E_DISCONNECTED,
 *         HL_E_TOO_LARGE on a packet: interface whose MTU cannot carry
 *         the report, HL_E_WRONG_THREAD, ...)
 */
int hl_report_ifstats(struct hl_conn *conn, const struct hl_ifstats *ifs,
		      unsigned int n);

/**
 * Text for a status.
 * @param status  an enum hl_status value (either sign)
 * @return a static string; "unknown status" for values not in the list
 */
const char *hl_strerror(int status);

/**
 * Symbolic name of a status, e.g. "HL_E_TIMEOUT".
 * @param status  an enum hl_status value (either sign)
 * @return a static string; "HL_E_?" for values not in the list
 */
const char *hl_status_name(int status);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_HOSTLANE_H */
