/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Snapshots of the dataplane's state for reports: guests and their
 * counters, sessions, ports, sessions per function, lcores.
 *
 * Design note — threads. Only the main lcore reads the live state, through
 * the dataplane's read-only views (dataplane/view.h: guests, sessions,
 * lcores) and the manager's books; it copies that into a snapshot. Other
 * threads — DPDK's telemetry thread, the metrics file writer — only ever see
 * a published snapshot, never the live state:
 *  - ctl_snap_publish() (main lcore) fills a back buffer, then swaps it with
 *    the front one under a mutex it only *tries* to take, so the main lcore
 *    never waits for a reader; if a reader holds the lock, the swap is left
 *    for the next tick;
 *  - ctl_snap_read() (any other thread) holds the mutex while it reads the
 *    front buffer.
 * Why not a mutex around the live state: the guest table and the manager's
 * books change on the main lcore in places this module does not own (guest
 * handshakes, the manager's hand-off), and the main lcore must not wait on
 * a reader formatting a reply.
 */
#ifndef CTL_SNAP_H
#define CTL_SNAP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>

#include "accel.h"
#include "app.h"
#include "manager.h"
#include "memif_reasons.h"
#include "view.h"
#include "vf/alloc.h"

/** Publish at most this often (ms), so readers see data this fresh. */
#define CTL_SNAP_MS 200

struct ctl_snap_guest {
	char name[DP_NAME_MAX];
	char handler[DP_NAME_MAX];
	const char *channel;		/**< "memif", "vhost", "ethdev" */
	unsigned int sessions;		/**< open, from the manager's books */
	struct dp_guest_view v;		/**< the dataplane's view */
	struct dp_sock_gstats sock;	/**< its socket counters (sock.h) */
};

struct ctl_snap_session {
	uint16_t guest;			/**< index into ctl_snap.guests */
	uint16_t fn;			/**< enum fpga_fn_id */
	uint32_t id;
	uint8_t asked;			/**< enum hl_placement asked for */
	uint8_t state;			/**< enum dp_session_state, fast path */
	uint8_t placement;		/**< enum hl_placement, once active */
	uint8_t backend;		/**< fpga registry index, once active */
};

struct ctl_snap_port {
	char name[DP_NAME_MAX];
	char driver[32];
	uint16_t port_id;
	bool stats_ok;
	struct rte_eth_link link;
	struct rte_eth_stats st;
	uint64_t polled;		/**< frames the I/O lcore received */
};

#define CTL_SNAP_LCORES 128

/** The VF allocator, when [vf] is configured (ctl_vf_snap()). */
struct ctl_snap_vf {
	bool enabled;
	char mode[DP_NAME_MAX];
	char policy[DP_NAME_MAX];
	unsigned int n_slots;
	unsigned int held;
	unsigned int n_guests;
	struct vf_alloc_stats st;
	unsigned int cap_guests;	/**< ctl_vf_records(): every record */
	struct vf_alloc_guest_info *guests;
};

struct ctl_snap {
	uint64_t taken_ms;
	unsigned int n_guests;
	unsigned int n_sessions;
	unsigned int n_ports;
	unsigned int n_lcores;
	struct dp_lcore_view lcores[CTL_SNAP_LCORES];
	unsigned int fn_sessions[FPGA_FN_COUNT + 1];
	unsigned int fn_capacity;
	struct ctl_snap_port ports[DP_MAX_PORTS];
	/* Sized from the config (ctl_snap_alloc()), so that every guest and
	 * session fits: reports are never cut short. */
	unsigned int cap_guests;	/**< max_guests */
	unsigned int cap_sessions;	/**< ctl_snap_max_sessions() */
	struct ctl_snap_guest *guests;
	struct ctl_snap_session *sessions;
	struct ctl_snap_vf vf;
	unsigned int n_sock_workers;	/**< socket workers (sock.h) */
	struct dp_sock_wstats sock_workers[DP_SOCK_WORKERS_MAX];
};

/**
 * Sessions open at once at most, over all guests: each guest has at most
 * DP_MAX_SESSIONS, and each function at most function_capacity (the
 * manager's rule).
 */
unsigned int ctl_snap_max_sessions(const struct dp_config *cfg);

/** @return the config name of a channel type ("memif", ...). */
const char *ctl_chan_name(unsigned int chan);

/** @return a zeroed snapshot with room for cfg's guests, sessions and VF
 *  records, or NULL with errno = ENOMEM. Free with ctl_snap_free(). */
struct ctl_snap *ctl_snap_alloc(const struct dp_config *cfg);

/** Free a snapshot; accepts NULL. */
void ctl_snap_free(struct ctl_snap *s);

/** Copy the live state into s. Main lcore. */
void ctl_snap_fill(struct ctl_snap *s, struct dp_app *app,
		   const struct ctl_mgr *mgr);

/** @return the guest called name in s, or NULL. */
const struct ctl_snap_guest *ctl_snap_guest(const struct ctl_snap *s,
					    const char *name);

/** Set up publication for cfg. Main lcore, once. @return 0 or -ENOMEM. */
int ctl_snap_pub_init(const struct dp_config *cfg);

struct ctl_vf;

/** Take a snapshot (with the VF allocator's part; vf may be NULL) and
 *  publish it unless a reader holds it. Main lcore. */
void ctl_snap_publish(struct dp_app *app, const struct ctl_mgr *mgr,
		      const struct ctl_vf *vf);

/** Stop publishing and free the buffers; readers then see nothing. */
void ctl_snap_pub_fini(void);

/**
 * Call fn on the published snapshot with the lock held. Any thread but
 * the main lcore. @return fn's result, or -ENOENT if nothing is published.
 */
int ctl_snap_read(int (*fn)(const struct ctl_snap *s, void *arg), void *arg);

#endif /* CTL_SNAP_H */
