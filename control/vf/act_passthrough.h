/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * @file
 * The "passthrough" actuator (FlexVF's own mode): a VF leaves hostlane and
 * is hot-plugged into the guest's QEMU over QMP (qmp.h) as the failover
 * primary of the guest's virtio-net standby, so the guest kernel's
 * net_failover keeps one interface while the VF comes and goes.
 *
 *   assign   device_add DRIVER,id=hl-vf-GUEST[,host=DBDF][,bus=BUS]
 *                       [,failover_pair_id=STANDBY]     → 1 until the reply
 *   revoke   device_del hl-vf-GUEST, then DEVICE_DELETED for that id within
 *            unplug_timeout_ms                          → 1 until then
 *
 * Design note — the books. A VF is never in two guests: this actuator
 * refuses (-EBUSY, naming the holder) to plug a VF that any guest holds,
 * is being given, is giving back, or may hold because a device_add got no
 * answer (QEMU hung or died after the request: "unknown"). Only a
 * DEVICE_DELETED for the guest's id, or QEMU saying the id does not exist
 * (DeviceNotFound), frees a VF. A revoke that times out or loses QEMU
 * leaves the VF with its guest and says why; the allocator reports it.
 * An "unknown" guest is cleaned up in the background (device_del, retried
 * every unplug_timeout_ms on the next calls into the actuator).
 *
 * Design note — the device. DRIVER is "vfio-pci" in production (host= is
 * the VF's DBDF). Tests here have no VF: they use a hot-pluggable emulated
 * PCIe NIC such as "e1000e" (failover_pair_id needs a PCIe network-class
 * device in its own slot), and host= is left out for any driver but
 * vfio-pci; the path is otherwise the same. On q35 the device needs a free
 * pcie-root-port (root ports are not hot-pluggable: cold-plug spares) named
 * by `bus`.
 *
 * Errors: err says what happened in under 120 bytes or so (the allocator
 * logs it with the guest and the VF, in 160); QMP errors name the socket.
 *
 * Threads: the main lcore only (the allocator's tick); nothing blocks.
 */
#ifndef CTL_VF_ACT_PASSTHROUGH_H
#define CTL_VF_ACT_PASSTHROUGH_H

#include <stdint.h>

#include "qmp.h"
#include "vf.h"

#define VF_PT_PATH_MAX 108		/**< sun_path */
#define VF_PT_ID_MAX 64			/**< a QEMU device id, with the NUL */
#define VF_PT_DRIVER_DEFAULT "vfio-pci"
#define VF_PT_CMD_MS_DEFAULT 10000	/**< vfio-pci pins guest memory while
					     device_add runs: seconds when large */
#define VF_PT_UNPLUG_MS_DEFAULT 10000	/**< native pciehp takes ~5 s */
#define VF_PT_MAX_GUESTS_DEFAULT 256

/** What the actuator needs to know of a guest (its dp_guest_conf). */
struct vf_pt_guest_conf {
	char qmp[VF_PT_PATH_MAX];	/**< its QEMU's QMP socket */
	char standby[VF_PT_ID_MAX];	/**< failover_pair_id; "" for none */
};

/** Fill out for guest; 0, or -ENOENT for a guest it does not know (a
 *  guest removed while it holds a VF is then reached at the socket its VF
 *  was plugged through). */
typedef int (*vf_pt_lookup_fn)(void *arg, const char *guest,
			       struct vf_pt_guest_conf *out);

/** Make the VF ready to plug into guest (bind it to vfio-pci, give it the
 *  guest's MAC); 0 or -errno with err. Called by assign before anything
 *  is sent. */
typedef int (*vf_pt_prepare_fn)(void *arg, const char *guest,
				const struct vf_slot *vf, char *err,
				size_t errlen);

/** The VF's counters from its PF (IFLA_VF_STATS); 0 or -errno. */
typedef int (*vf_pt_counters_fn)(void *arg, const struct vf_slot *vf,
				 struct vf_counters *out);

/** The actuator's settings; 0 / "" in a field takes its default. */
struct vf_pt_conf {
	char driver[VF_NAME_MAX];	/**< "vfio-pci" */
	char bus[VF_PT_ID_MAX];		/**< bus= (a pcie-root-port id); "" none */
	unsigned int cmd_timeout_ms;	/**< opening QMP, and each reply */
	unsigned int unplug_timeout_ms;	/**< device_del → DEVICE_DELETED */
	unsigned int max_guests;
	size_t qmp_line_max;		/**< qmp.h's default */
	vf_pt_lookup_fn lookup;		/**< required */
	vf_pt_prepare_fn prepare;	/**< NULL: nothing to do */
	vf_pt_counters_fn counters;	/**< NULL: vf_counters is -ENOENT */
	void *arg;			/**< the hooks' */
	uint64_t (*now_ms)(void);	/**< the clock for assign/revoke; NULL:
					     CLOCK_MONOTONIC (poll gets its own) */
};

/** Where a guest is. */
enum vf_pt_state {
	VF_PT_IDLE,			/**< no VF */
	VF_PT_ADDING,			/**< device_add sent */
	VF_PT_HELD,			/**< the VF is in the guest */
	VF_PT_DELETING,			/**< device_del sent */
	VF_PT_UNPLUGGING,		/**< waiting for DEVICE_DELETED */
	VF_PT_UNKNOWN,			/**< device_add unanswered: maybe held */
};

/** A guest as the actuator sees it (tests, `vf show`). */
struct vf_pt_info {
	enum vf_pt_state state;
	char device_id[VF_PT_ID_MAX];
	char vf_name[VF_NAME_MAX];	/**< the VF it holds or may hold */
	char pci[VF_PCI_MAX];		/**< its DBDF ("" for a stand-in) */
	uint64_t add_ms;		/**< last device_add → reply */
	uint64_t unplug_ms;		/**< last device_del → DEVICE_DELETED */
	char last_error[QMP_ERR_MAX];
};

struct vf_pt;

/**
 * @return an actuator, or NULL with errno: EINVAL (no lookup, a driver or
 *         bus that is not a QEMU name), ENOMEM.
 */
struct vf_pt *vf_pt_create(const struct vf_pt_conf *conf);

/** Close every QMP connection and free; NULL is fine. VFs stay where they
 *  are (hostlane stopping does not unplug them). */
void vf_pt_destroy(struct vf_pt *pt);

/** The hooks' arg, as given to vf_pt_create() (for its owner's free). */
void *vf_pt_arg(const struct vf_pt *pt);

/** The struct vf_actuator of pt (name "passthrough", ctx pt). */
void vf_pt_actuator(struct vf_pt *pt, struct vf_actuator *out);

/** 0 and *out, or -ENOENT if the guest was never seen. */
int vf_pt_info(const struct vf_pt *pt, const char *guest,
	       struct vf_pt_info *out);

/** A state's name, for messages. */
const char *vf_pt_state_name(enum vf_pt_state s);

#endif /* CTL_VF_ACT_PASSTHROUGH_H */
