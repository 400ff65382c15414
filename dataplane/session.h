/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A guest's function sessions as the fast path sees them: a bounded table
 * indexed by the session id's slot, owned by the guest's I/O lcore.
 *
 * The function manager decides (open, place, release); the I/O lcore
 * records its answers here and serves calls from here. A session id carries
 * a generation, so a stale or forged id from a guest never matches a reused
 * slot. The table belongs to one guest connection (epoch): it is cleared
 * when the I/O lcore first sees a new connection of the guest.
 */
#ifndef DP_SESSION_H
#define DP_SESSION_H

#include <stdint.h>

#include <hostlane/proto.h>

#include "config.h"
#include "fnmsg.h"

enum dp_session_state {
	DP_SESSION_FREE = 0,
	DP_SESSION_OPEN,	/**< negotiated, resources reserved */
	DP_SESSION_ACTIVE,	/**< placed; calls accepted */
};

struct dp_session {
	uint32_t id;
	uint8_t state;		/**< enum dp_session_state */
	uint8_t placement;	/**< enum hl_placement, once active */
	uint8_t backend;	/**< fpga registry index, once active */
	uint8_t fn_state;	/**< enum hl_fn_state of SET/GET */
	uint8_t unplaced;	/**< taken off hardware that lost its function
				     (fpga load): calls get E_HW_UNAVAIL until
				     it is activated again */
	uint16_t fn;		/**< enum fpga_fn_id */
	uint16_t inflight;	/**< SETs in flight */
	uint32_t out_len;	/**< result bytes held for GET */
	uint64_t result;	/**< scalar result held for GET */
	uint8_t *out;		/**< HL_PAYLOAD_MAX bytes for GET */
};

/** The session a guest names, or NULL if the id is stale or forged. */
static inline struct dp_session *
dp_session_find(struct dp_session *tab, uint16_t n, uint32_t id)
{
	uint32_t slot = DP_SESSION_SLOT(id);

	if (slot >= n || id == 0 || tab[slot].id != id ||
	    tab[slot].state == DP_SESSION_FREE)
		return NULL;
	return &tab[slot];
}

#endif /* DP_SESSION_H */
