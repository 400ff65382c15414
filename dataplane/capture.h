/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet capture: the frames of a guest's channel or of a port, both
 * directions, written to a pcapng file by a thread off the fast path
 * (`hostlanectl capture start|stop|list`, docs/capture.md).
 *
 * Design note.
 *  - Fast path. A guest (`fast.cap`) and a port (`cap`) each hold a
 *    pointer to their capture, NULL when none runs. The I/O lcore loads it
 *    once per burst (acquire, dp_cap_load()) and, when it is NULL, does
 *    nothing else: one predictable branch. When it is set, the lcore copies
 *    each frame, up to snaplen bytes, into an mbuf of the capture's own pool
 *    (rte_pktmbuf_copy()), notes time, original length and direction in the
 *    copy's private area, and enqueues the copies on the capture's bounded
 *    single-producer rte_ring. An empty pool or a full ring drops the copy
 *    and counts it (`dropped`); guest traffic is never held back or lost.
 *    Transmitted frames are copied before they are handed to the channel and
 *    queued only once the channel took them (frames it refused were not
 *    sent, so they are not captured).
 *  - One producer. A guest's frames, both directions, pass only through its
 *    own I/O lcore (the PV switch serves only guests of its lcore); a port's
 *    only through the first I/O lcore. So the ring is single-producer and
 *    the lcore's counters are plain stores.
 *  - The writer. Each capture has a control thread (rte_ctrl_thread_create,
 *    never on a dataplane core) that drains the ring, applies the BPF filter
 *    (libpcap's pcap_offline_filter(): the filter, compiled from untrusted
 *    text, never runs on an lcore, and the lcore's cost does not depend on
 *    it), and writes pcapng blocks: a section header, one interface block
 *    (`guest:NAME` or `port:NAME`, nanosecond timestamps), an enhanced
 *    packet block per frame with its direction in the flags option (inbound:
 *    hostlane received it from the guest or port; outbound: hostlane sent
 *    it), and an interface statistics block at the end. DPDK 22.11's
 *    rte_pcapng is not used: it describes only ethdev ports (memif guests
 *    are not), and its TSC-to-time state is shared by every lcore without
 *    a lock. libpcap 1.10 cannot write pcapng.
 *  - Stop. The main lcore unpublishes the pointer (store NULL), hands the
 *    capture to defer.h for an RCU grace period — it never waits for the
 *    lcores — and then tells the writer no copy will come any more; the
 *    writer drains what is left, writes the statistics block, closes the
 *    file and says it is done; dp_cap_tick() joins it and frees the ring
 *    and pool. A capture stops on `capture stop`, when count frames were
 *    written, on a write error, when its guest is removed, and at shutdown.
 *  - The file. Its path is control input: it must be absolute; its
 *    directory must be owned by hostlane's user or root and not writable by
 *    others unless sticky (dp_path_dir_open()); the file is created there
 *    O_CREAT|O_EXCL|O_NOFOLLOW, so an existing file or a planted symlink is
 *    never written through (so neither is the config file or any other
 *    existing file); and a path hostlane owns even before it exists (its
 *    runtime directory, the control socket, a guest's socket, the metrics
 *    file and its temporary) is refused.
 *
 * Threads: dp_cap_load(), dp_cap_rx(), dp_cap_guest_tx() and dp_cap_port_tx()
 * on the producing I/O lcore; everything else on the main lcore.
 */
#ifndef DP_CAPTURE_H
#define DP_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct dp_app;
struct dp_cap;
struct dp_guest;
struct dp_port;
struct rte_mbuf;

/** Captures running (or stopping) at once. */
#define DP_CAP_MAX 8
/** Copies queued for a writer at most; more are dropped and counted. */
#define DP_CAP_RING 1024
/** Bytes of a frame kept: the default and the largest snaplen. */
#define DP_CAP_SNAPLEN_MAX 65535
/** The smallest snaplen: an Ethernet header. */
#define DP_CAP_SNAPLEN_MIN 14
/** Longest filter expression. */
#define DP_CAP_FILTER_MAX 1024

/** pcapng enhanced packet block flags: the direction bits. */
enum dp_cap_dir {
	DP_CAP_IN = 1,		/**< hostlane received it */
	DP_CAP_OUT = 2,		/**< hostlane sent it */
};

/** A capture's counters: X(name, help). */
#define DP_CAP_COUNTERS(X)                                                    \
	X(copied, "frames copied and queued for the writer")                  \
	X(dropped, "copies not made or not queued: the capture's pool was "    \
	  "empty or its ring full (the frames themselves went on)")           \
	X(written, "frames written to the file")                              \
	X(filtered, "frames the filter left out")

struct dp_cap_counters {
#define DP_CAP_FIELD_(name, help) uint64_t name;
	DP_CAP_COUNTERS(DP_CAP_FIELD_)
#undef DP_CAP_FIELD_
};

/** What to capture and where; checked by dp_cap_start(). */
struct dp_cap_conf {
	char target[DP_NAME_MAX + 8];	/**< "guest:NAME" or "port:NAME" */
	struct dp_cap **slot;		/**< the guest's fast.cap or the port's cap */
	unsigned int socket;		/**< NUMA socket of the producing lcore */
	const char *path;		/**< the file: untrusted */
	uint32_t snaplen;		/**< 0: DP_CAP_SNAPLEN_MAX */
	uint64_t count;			/**< stop after this many written; 0: never */
	const char *filter;		/**< libpcap syntax, or NULL */
};

/** A capture as `capture list` shows it. */
struct dp_cap_info {
	char target[DP_NAME_MAX + 8];
	char path[PATH_MAX];
	char filter[DP_CAP_FILTER_MAX + 1];
	const char *state;		/**< "running", "stopping" */
	const char *why;		/**< why it ends, or "" while running */
	uint32_t snaplen;
	uint64_t count;
	struct dp_cap_counters c;
};

/**
 * The capture published in slot, or NULL. I/O lcore, once per burst.
 * Acquire: pairs with dp_cap_start()'s release, so the capture's ring, pool
 * and snaplen are seen initialised.
 */
static inline struct dp_cap *
dp_cap_load(struct dp_cap *const *slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

/** Copy n received frames for capture c. I/O lcore; pkts are untouched. */
void dp_cap_rx(struct dp_cap *c, struct rte_mbuf *const *pkts, uint16_t n);

/**
 * Send frames to guest g as dp_guest_tx() does, copying those its channel
 * takes for capture c. I/O lcore. Consumes every mbuf.
 * @return frames delivered.
 */
uint16_t dp_cap_guest_tx(struct dp_cap *c, struct dp_guest *g,
			 struct rte_mbuf **pkts, uint16_t n);

/** Send frames on port p (rte_eth_tx_burst, the rest freed), copying those
 * it takes for capture c. I/O lcore. @return frames sent. */
uint16_t dp_cap_port_tx(struct dp_cap *c, struct dp_port *p,
			struct rte_mbuf **pkts, uint16_t n);

/**
 * Start a capture: check the path and the filter, create the file, the
 * pool, the ring and the writer, then publish the capture in conf->slot.
 * Main lcore.
 * @param cfg  the running config: the files hostlane owns
 * @return 0, or -errno with err one line: -EINVAL (bad snaplen, filter or
 *   path), -EEXIST (the file exists), -EPERM (a directory others may write
 *   in, or a file of hostlane's), -EBUSY (the target has a capture),
 *   -ENOSPC (DP_CAP_MAX captures run), -ENOMEM, or open()'s errno.
 */
int dp_cap_start(const struct dp_cap_conf *conf, const struct dp_config *cfg,
		 char *err, size_t errlen);

/**
 * Stop the capture published in slot, if any: unpublish it; the writer
 * finishes the file after a grace period (defer.h). Main lcore.
 * @param why  kept for `capture list` and the log line, e.g. "stopped"
 * @return 0, or -ENOENT when slot has no capture.
 */
int dp_cap_stop(struct dp_cap **slot, const char *why);

/** Stop every capture (shutdown, or `capture stop` without a target). */
void dp_cap_stop_all(const char *why);

/**
 * Finish what is due: stop captures that wrote count frames or failed;
 * free those whose writer is done (logging their counters). Main lcore,
 * every slow-path tick; never blocks.
 */
void dp_cap_tick(void);

/**
 * Wait for every writer and free everything. Main lcore at shutdown, after
 * dp_cap_stop_all() and the grace periods (dp_defer_flush()).
 */
void dp_cap_fini(void);

/**
 * The captures there are (running or stopping), at most max.
 * @return how many were filled.
 */
unsigned int dp_cap_list(struct dp_cap_info *out, unsigned int max);

/**
 * Fill conf->target, slot and socket for a target: "guest:NAME",
 * "port:NAME", or NAME (a guest, else a port). Main lcore.
 * @return 0, -ENOENT (no such guest or port) or -EINVAL (NAME is both a
 *   guest and a port: it must be prefixed), with err filled.
 */
int dp_cap_resolve(struct dp_app *app, const char *target, struct dp_cap_conf *conf,
		   char *err, size_t errlen);

/** The running capture published in slot. Main lcore. @return 0, or -ENOENT. */
int dp_cap_info_of(struct dp_cap *const *slot, struct dp_cap_info *out);

/** The running capture of the guest in slot / of config port idx.
 * Main lcore. @return 0, or -ENOENT. */
int dp_cap_info_guest(struct dp_app *app, unsigned int slot, struct dp_cap_info *out);
int dp_cap_info_port(struct dp_app *app, unsigned int idx, struct dp_cap_info *out);

#endif /* DP_CAPTURE_H */
