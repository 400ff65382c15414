/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-guest packet and byte rates for the VF allocator: EWMAs over a
 * configurable window, fed with cumulative counters (struct vf_counters)
 * from each source of enum vf_rate_source.
 *
 * Which sources count:
 *  - the host's own counters — the guest's channel in hostlane
 *    (VF_RATE_HOST_CHANNEL), its dedicated VF port (VF_RATE_HOST_VFPORT),
 *    the PF's per-VF counters (VF_RATE_HOST_PF) — are trusted. Where two
 *    see the same frames (a dedicated VF is fed through the guest's
 *    channel) adding them would count twice, so the guest's rate is the
 *    largest of its host sources, each fresh within two windows;
 *  - a guest's own report (VF_RATE_GUEST_REPORT) stands in only for the
 *    path no host counter covers (a passed-through VF whose PF gives no
 *    per-VF stats), and never counts above the ceiling: the highest rate
 *    the host measured for that guest in its last window before the VF
 *    path went unmeasured. So a guest that lies can keep the level it was
 *    measured at, never rise above it, and can never take a VF from a
 *    guest measured by the host that it was not already above.
 *
 * Counters are untrusted arithmetic: a counter that goes backwards is a
 * reset (the port was re-probed, the agent restarted) unless it is a
 * 32-bit or 64-bit wrap; a reset re-primes that source (no sample, so a
 * reset can never produce a rate), and a step faster than the line-rate
 * ceiling (VF_RATE_MAX_PPS / _BPS) is refused the same way.
 *
 * Thread: the caller's (the main lcore); no allocation, no I/O.
 */
#ifndef VF_RATES_H
#define VF_RATES_H

#include <stdbool.h>
#include <stdint.h>

#include "vf.h"

/** Line-rate ceilings: above 400 Gbit/s of 64 B frames no counter is real. */
#define VF_RATE_MAX_PPS 600e6
#define VF_RATE_MAX_BPS 50e9		/**< bytes/s */

#define VF_RATE_SOURCES VF_RATE_NONE

/** One EWMA over one source's cumulative counters. */
struct vf_ewma {
	uint64_t last_pkts;
	uint64_t last_bytes;
	uint64_t last_ms;		/**< of the last sample */
	double pps;
	double bps;
	uint8_t primed;			/**< a first sample is in */
	uint8_t rated;			/**< a rate came out of it */
};

/** What happened to a sample. */
enum vf_sample_result {
	VF_SAMPLE_OK,			/**< the rate moved */
	VF_SAMPLE_PRIMED,		/**< first sample, or after a reset */
	VF_SAMPLE_SAME_MS,		/**< no time passed: ignored */
	VF_SAMPLE_RESET,		/**< went backwards: re-primed */
	VF_SAMPLE_TOO_FAST,		/**< above the ceiling: re-primed */
};

/** A guest's rates, by source. */
struct vf_rate {
	struct vf_ewma src[VF_RATE_SOURCES];
	double ceiling_pps;		/**< reports stay at or below this */
	double ceiling_bps;
	uint64_t resets;		/**< samples refused: reset or too fast */
};

/** The rate the allocator uses, and where it came from. */
struct vf_rate_now {
	double pps;
	double bps;
	enum vf_rate_source source;	/**< VF_RATE_NONE: no rate yet */
};

/** Zero a guest's rates. */
void vf_rate_init(struct vf_rate *r);

/**
 * Feed one cumulative sample of source c->source taken at now_ms.
 * @param window_ms  the EWMA window (> 0).
 * @return what became of it.
 */
enum vf_sample_result vf_rate_feed(struct vf_rate *r, const struct vf_counters *c,
				   uint64_t now_ms, unsigned int window_ms);

/**
 * The guest's rate at now_ms; while vf_covered, the report ceiling follows
 * the host's rate (so this updates r).
 * @param vf_covered  false when the guest holds a VF whose path no host
 *                    counter covers: only then does a report count.
 */
void vf_rate_eval(struct vf_rate *r, uint64_t now_ms, unsigned int window_ms,
		 bool vf_covered, struct vf_rate_now *out);

/** @return "channel", "vfport", "pf", "report", "none". */
const char *vf_rate_source_name(enum vf_rate_source s);

#endif /* VF_RATES_H */
