/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hand-off between an I/O lcore and the function manager (VirtFun's
 * vFunD, control/manager.c) for the slow-path requests: negotiate (FN_OPEN),
 * activate (FN_ACTIVATE), release (FN_CLOSE, BYE).
 *
 * Design note. Each I/O lcore owns two single-producer single-consumer
 * rte_rings: `to_mgr` (I/O lcore → main lcore) and `from_mgr` (back). A
 * message is taken from a shared mempool by the I/O lcore, filled from the
 * request it has already validated, answered in place by the manager, and
 * returned to the pool by the I/O lcore after it applied the answer to its
 * session table and replied to the guest. The manager never touches the
 * session table; the I/O lcore never makes a policy decision. So calls
 * (set/get/reset) stay on the fast path and the fast path never waits for
 * the slow one.
 *
 * A guest's STATS_REPORT (report.h) travels the same way: the I/O lcore
 * copies and validates it into a message, the main lcore rate-limits and
 * judges it and sets the status, the I/O lcore replies. A guest has at
 * most DP_REPORT_INFLIGHT of them handed over at once (a flood is dropped
 * on the I/O lcore), so reports never take the pool from function requests.
 * Unlike those, a report does not wake the main lcore (no eventfd write):
 * its next tick, at most 50 ms away, picks it up.
 */
#ifndef DP_FNMSG_H
#define DP_FNMSG_H

#include <stdint.h>

#include <hostlane/proto.h>

enum dp_fnmsg_op {
	DP_FNMSG_OPEN,		/**< negotiate: check, reserve a session */
	DP_FNMSG_ACTIVATE,	/**< place the session on hardware or software */
	DP_FNMSG_CLOSE,		/**< release one session */
	DP_FNMSG_BYE,		/**< release all the guest's sessions */
	DP_FNMSG_REPORT,	/**< a guest's own interface counters */
};

/** STATS_REPORT messages a guest may have with the main lcore at once. */
#define DP_REPORT_INFLIGHT 1u

/**
 * Hand-off messages in the pool, all I/O lcores together. Each lcore's
 * two rings hold them all (a ring of N slots holds N - 1), so an enqueue
 * of a message taken from the pool never finds a ring full.
 */
#define DP_FNMSG_POOL 1023u
#define DP_FNMSG_RING (DP_FNMSG_POOL + 1)
_Static_assert((DP_FNMSG_RING & (DP_FNMSG_RING - 1)) == 0,
	       "rte_ring sizes are powers of two");

struct dp_guest;

struct dp_fnmsg {
	/* Request, filled by the I/O lcore. */
	struct dp_guest *g;		/**< for the I/O lcore; opaque to the manager */
	uint16_t guest;			/**< index in the config */
	uint16_t op;			/**< enum dp_fnmsg_op */
	uint32_t epoch;			/**< the guest connection it belongs to */
	uint32_t session;		/**< ACTIVATE/CLOSE: the session id */
	uint8_t placement;		/**< OPEN: enum hl_placement asked for */
	char name[HL_FN_NAME_LEN];	/**< OPEN: NUL-terminated, validated */
	struct hl_frame_hdr hdr;	/**< the request header, to reply from */

	/* Answer, filled by the manager. */
	uint16_t status;		/**< enum hl_status */
	uint16_t fn;			/**< OPEN: the function id */
	uint8_t placed;			/**< ACTIVATE: enum hl_placement chosen */
	uint8_t backend;		/**< ACTIVATE: index in the fpga registry */
	uint32_t new_session;		/**< OPEN: the reserved session id */

	/* REPORT only, filled by the I/O lcore: last, so other requests
	 * need not clear it. */
	uint64_t rx_ms;			/**< when it came: TSC cycles in ms */
	struct hl_stats_report report;	/**< copied, then validated */
};

/** Session ids: slot in the low 16 bits, a generation above it (never 0). */
#define DP_SESSION_SLOT(id) ((id) & 0xffffu)
#define DP_SESSION_ID(gen, slot) (((uint32_t)(gen) << 16) | (slot))

#endif /* DP_FNMSG_H */
