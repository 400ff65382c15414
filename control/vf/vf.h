/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VF assignment (FlexVF): the contract between the parts of control/vf/.
 *
 *   inventory  (inventory.c, sriov.c, vfnl.c)  PFs and VFs from sysfs (or the
 *              vf_pool stand-ins), provisioning: sriov_numvfs, vfio-pci
 *              binding, VF MAC/VLAN/spoofchk over rtnetlink (libmnl)
 *   rates      (rates.c)      per-guest pps/bps EWMAs from counters the host
 *                             trusts; guest reports only where none exists
 *   policy     (policy.c)     fair / activity / manual: pure, deterministic,
 *                             a clock passed in, no I/O
 *   allocator  (alloc.c)      the rounds: rates → policy → actuator; the
 *                             books (who holds which VF), the decision log
 *   actuators  (act_dedicated.c: the VF stays in DPDK, cross-connected to
 *               the guest's channel; act_passthrough.c + qmp.c: the VF is
 *               hot-plugged into the guest's QEMU as a failover primary)
 *
 * Every function here runs on the main lcore and never blocks: work that
 * takes time (a QMP unplug waiting for DEVICE_DELETED, a drain) is a state
 * machine the allocator polls from the slow-path tick. Everything read from
 * sysfs, QMP or a guest is untrusted: copy, validate, then use.
 */
#ifndef CTL_VF_H
#define CTL_VF_H

#include <stddef.h>
#include <stdint.h>

#define VF_NAME_MAX 32
#define VF_PCI_MAX 16			/**< "0000:3b:00.1" + NUL, with room */
#define VF_DEVARGS_MAX 256

/** One VF: from a PF's virtfnN (real) or one vf_pool entry (stand-in). */
struct vf_slot {
	char name[VF_NAME_MAX];		/**< "PF/N" (real) or "pool/N" */
	char pci[VF_PCI_MAX];		/**< DBDF; "" for a pool stand-in */
	char devargs[VF_DEVARGS_MAX];	/**< what dedicated mode probes */
	char driver[VF_NAME_MAX];	/**< bound driver, "" if none */
	int iommu_group;		/**< -1 if unknown */
	uint8_t mac[6];
	unsigned int pf;		/**< index into the PF list */
	unsigned int vf_index;		/**< N of virtfnN */
};

/** Where a guest's rate came from, most trusted first. */
enum vf_rate_source {
	VF_RATE_HOST_CHANNEL,		/**< its memif/vhost channel in hostlane */
	VF_RATE_HOST_VFPORT,		/**< its dedicated VF port's rte_eth_stats */
	VF_RATE_HOST_PF,		/**< the PF's IFLA_VF_STATS (passthrough) */
	VF_RATE_GUEST_REPORT,		/**< the guest's own report: last resort */
	VF_RATE_NONE,
};

/** Cumulative counters of one guest, as a source reads them. */
struct vf_counters {
	uint64_t pkts;			/**< rx + tx frames */
	uint64_t bytes;
	enum vf_rate_source source;
};

/**
 * An actuator gives a VF to a guest and takes it back. All three calls are
 * non-blocking. assign/revoke return 0 when done, 1 when the operation goes
 * on (the allocator then calls poll on each tick until it is not 1), or a
 * negative errno with err filled (the books stay as they were: a VF is
 * never counted as held by two guests, and a revoke that fails or times out
 * leaves the VF with its guest, reported in the round's log).
 * Revoke is make-before-break: the guest's traffic is back on the PV path
 * before the VF stops carrying it.
 */
struct vf_actuator {
	const char *name;		/**< "dedicated", "passthrough", "mock" */
	int (*assign)(void *ctx, const char *guest, const struct vf_slot *vf,
		      char *err, size_t errlen);
	int (*revoke)(void *ctx, const char *guest, const struct vf_slot *vf,
		      char *err, size_t errlen);
	int (*poll)(void *ctx, const char *guest, uint64_t now_ms,
		    char *err, size_t errlen);
	/** The guest's counters on the path the VF gives it (the VF port,
	 *  or the PF's per-VF stats); -ENOENT if none; -ENODEV if the VF
	 *  failed under the guest (it is back on the PV path): the allocator
	 *  then revokes it at once. May be NULL. */
	int (*vf_counters)(void *ctx, const char *guest, const struct vf_slot *vf,
			   struct vf_counters *out);
	void *ctx;
};

#endif /* CTL_VF_H */
