/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-guest counters. The fast-path block is written only by the I/O lcore
 * that owns the guest (plain increments, no atomics) and read by the main
 * lcore for reports, so a reader may see a value one burst old. The slow-path
 * block is written only by the main lcore.
 */
#ifndef DP_STATS_H
#define DP_STATS_H

#include <stdint.h>

#include <rte_common.h>

#define DP_GUEST_FAST_COUNTERS(X)                                          \
	X(rx_frames, "frames received from the guest")                     \
	X(rx_bytes, "bytes received from the guest")                       \
	X(tx_frames, "frames delivered to the guest")                      \
	X(tx_bytes, "bytes delivered to the guest")                        \
	X(tx_drops, "frames dropped: no posted S2C buffer")                \
	X(tx_kicks, "eventfd wake-ups sent to the guest")                  \
	X(rx_runts, "frames shorter than an Ethernet header, dropped")     \
	X(rx_nombuf, "polls that found the mbuf pool empty")               \
	X(handler_drops, "frames dropped by the guest's frame handler")   \
	X(report_invalid, "stats reports refused on arrival: malformed, or " \
	  "the guest takes no VF")                                         \
	X(report_drops, "stats reports dropped on arrival: the last one "  \
	  "was still being judged (a flood)")                              \
	X(vf_tx_frames, "frames of the guest sent on its dedicated VF")   \
	X(vf_tx_bytes, "bytes of the guest sent on its dedicated VF")     \
	X(vf_tx_drops, "frames for its dedicated VF dropped: TX queue full, " \
	  "or a source or EtherType the PV switch would drop too")         \
	X(vf_rx_frames, "frames from its dedicated VF delivered to it")   \
	X(vf_rx_bytes, "bytes from its dedicated VF delivered to it")     \
	X(vf_rx_drops, "frames from its dedicated VF dropped: its ring "  \
	  "full, or a hostlane EtherType or source MAC")                   \
	X(fair_throttled, "poll passes that skipped the guest: a token "  \
	  "bucket of its was empty (frames it sent wait in its ring)")     \
	X(fair_budget_full, "poll passes that took the guest's whole "    \
	  "budget (poll_budget x weight, or what its calls bucket held)")

#define DP_GUEST_SLOW_COUNTERS(X)                                          \
	X(connects, "clients that completed the handshake")                \
	X(disconnects, "connections ended, for any reason")                \
	X(rejects, "handshakes refused")                                   \
	X(faults, "connected guests dropped for breaking ring rules")      \
	X(busy, "clients refused because another was connected")           \
	X(bulk_retired, "connections ended with bulk jobs in flight: their " \
	  "memory stays mapped until the jobs complete")                   \
	X(bulk_reaped, "such connections whose memory was then unmapped")   \
	X(report_accepted, "stats reports accepted (given to the VF allocator)") \
	X(report_resets, "accepted stats reports whose counters went back: " \
	  "a new baseline")                                                \
	X(report_limited, "stats reports refused: sooner than "            \
	  "report_interval_ms after the last one judged")                  \
	X(report_refused, "stats reports refused: a rate above the line-rate " \
	  "ceiling, or counters that overflow")                            \
	X(report_pkts, "frames (rx + tx) the accepted stats reports add up to") \
	X(report_bytes, "bytes (rx + tx) the accepted stats reports add up to")

struct dp_guest_stats {
#define DP_STATS_FIELD(name, help) uint64_t name;
	DP_GUEST_FAST_COUNTERS(DP_STATS_FIELD)
#undef DP_STATS_FIELD
} __rte_cache_aligned;

struct dp_guest_slow_stats {
#define DP_STATS_FIELD(name, help) uint64_t name;
	DP_GUEST_SLOW_COUNTERS(DP_STATS_FIELD)
#undef DP_STATS_FIELD
};

#endif /* DP_STATS_H */
