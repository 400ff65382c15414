/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The mock actuator: an actuator (vf.h) that moves nothing, for the unit
 * tests, the benchmark and the func tests (`[vf] mode = mock`).
 *
 * It keeps its own books of which guest holds which VF and counts a
 * violation when asked to assign a VF another guest holds, or to revoke a
 * VF a guest does not hold: the tests check the allocator never does. Per
 * guest it can be told to fail an assign or a revoke (at once, or when
 * polled), to take some polls to finish, and which VF-path counters to
 * return.
 *
 * Thread: the allocator's. Errors: -errno with err filled.
 */
#ifndef VF_ACT_MOCK_H
#define VF_ACT_MOCK_H

#include <stdint.h>

#include "vf.h"

struct vf_mock;

/** Per-guest behaviour. */
struct vf_mock_knob {
	int assign_rc;			/**< 0, or a -errno to fail with */
	int revoke_rc;
	int poll_rc;			/**< what the last poll answers (0: done) */
	unsigned int polls;		/**< polls an operation takes (0: at once) */
	uint8_t has_counters;
	struct vf_counters counters;	/**< vf_counters()' answer */
};

struct vf_mock_stats {
	uint64_t assigns;		/**< calls */
	uint64_t revokes;
	uint64_t polls;
	uint64_t violations;		/**< a VF held twice, a revoke of nothing */
	unsigned int held;		/**< VFs it believes held now */
};

/** @param max  VFs and guests with knobs it can track. NULL with errno. */
struct vf_mock *vf_mock_create(unsigned int max);
void vf_mock_free(struct vf_mock *m);

/** The actuator that drives m. */
void vf_mock_actuator(struct vf_mock *m, struct vf_actuator *out);

/** Set a guest's behaviour (all zero: succeed at once, no counters).
 *  @return 0 or -ENOSPC. */
int vf_mock_knob(struct vf_mock *m, const char *guest, const struct vf_mock_knob *k);

const struct vf_mock_stats *vf_mock_stats(const struct vf_mock *m);

/** The VF guest holds in the mock's books, or NULL. */
const char *vf_mock_holding(const struct vf_mock *m, const char *guest);

#endif /* VF_ACT_MOCK_H */
