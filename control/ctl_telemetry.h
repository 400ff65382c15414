/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostlane's DPDK telemetry endpoints, for dpdk-telemetry.py:
 *   /hostlane/guests            guest names
 *   /hostlane/guest,NAME        one guest: state, handler, lcore, sessions
 *   /hostlane/sessions[,GUEST]  "GUEST ID FUNCTION STATE PLACEMENT BACKEND"
 *   /hostlane/stats[,GUEST]     counters of a guest, or summed over all
 *
 * The callbacks run on DPDK's telemetry thread, not on the main lcore, so
 * they read only the snapshot the main lcore publishes (ctl_snap.h), never
 * the guest table or the manager's books. Data is at most CTL_SNAP_MS old.
 */
#ifndef CTL_TELEMETRY_H
#define CTL_TELEMETRY_H

/**
 * Register the endpoints; later calls do nothing (DPDK cannot unregister,
 * so after ctl_snap_pub_fini() they answer with an error).
 * @return 0 or the -errno of rte_telemetry_register_cmd().
 */
int ctl_telemetry_register(void);

#endif /* CTL_TELEMETRY_H */
