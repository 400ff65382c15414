/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The VF inventory: the PFs of the config's [pf NAME] sections and their
 * VFs as struct vf_slot, read from sysfs; or, with no [pf] but a vf_pool,
 * one stand-in slot per pool entry ("pool/N": devargs set, pci "").
 * Provisioning (sriov.c): `vfs = N` → sriov_numvfs; a VF bound to
 * vfio-pci and given back to the driver it had.
 *
 * sysfs lives under [vf] sysfs_root ("/sys" on a real host, a generated
 * tree in the tests) and is untrusted text: a missing file, garbage in a
 * number, sriov_numvfs above sriov_totalvfs, a virtfnN link that does not
 * lead to a device under bus/pci/devices whose physfn leads back, a VF
 * rebound or vanished between two reads — each is one error line naming
 * the path, and never a list that is half old and half new.
 *
 * Thread: main lcore only; no call is thread-safe. Calls that write sysfs
 * (provision, bind, release) may take as long as the kernel does — a
 * driver creating VFs can take seconds — so they belong at start-up or in
 * an actuator's own step, not in a timed round.
 *
 * Errors: every int-returning call returns 0 (or a count where said) or a
 * negative errno with err filled: one line, starting with the path it is
 * about when there is one.
 *
 * Ownership: the inventory owns its slots. A pointer from vf_inv_slot()
 * or vf_inv_find() is valid until the next call that rescans (rescan,
 * provision) or vf_inv_destroy(); keep a copy (struct vf_slot is a plain
 * value) to hold a VF across rescans, and check it with vf_inv_check().
 *
 * Staleness (sriov-dp #276, #238): a rescan reads everything again into a
 * new list and replaces the old one only when all of it read cleanly. A
 * failed rescan keeps the old list but marks it stale; bind, release and
 * provision refuse a stale inventory, and the caller must hand out no VF
 * from it until a rescan succeeds.
 */
#ifndef CTL_VF_INVENTORY_H
#define CTL_VF_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "vf.h"

/** At most this many VF slots over all PFs (or pool entries). */
#define VF_INV_MAX_VFS 2048
/** A PF's name leaves room for "/65535" in a slot's name. */
#define VF_INV_PF_NAME_MAX (VF_NAME_MAX - 7)

struct vf_inv;

/** One PF as found. */
struct vf_inv_pf {
	char name[VF_NAME_MAX];		/**< [pf NAME] */
	char pci[VF_PCI_MAX];		/**< its DBDF (also for netdev= PFs) */
	char netdev[16];		/**< its kernel interface, "" if none
					     (VF MAC/VLAN/stats need one) */
	char driver[VF_NAME_MAX];	/**< "" if unbound */
	unsigned int total_vfs;		/**< sriov_totalvfs */
	unsigned int num_vfs;		/**< sriov_numvfs */
	unsigned int want_vfs;		/**< [pf] vfs; 0: as found */
};

/**
 * Called after each sysfs write succeeded, with the full path and the
 * value: the operator's log of what hostlane changed on the host (and the
 * tests' view of the order of writes).
 */
typedef void vf_inv_write_fn(void *arg, const char *path, const char *val);

/**
 * Read the inventory the config describes: cfg->pfs under
 * cfg->vf.sysfs_root ("" means "/sys"), or cfg->vf.pool when there is no
 * [pf]. Writes nothing. Both [pf] and vf_pool given is refused (-EINVAL).
 * @param out  the new inventory on success; untouched on failure.
 * @return 0, or -EINVAL (sysfs said something impossible), -ENOENT (a
 *         device or file missing), -E2BIG (over VF_INV_MAX_VFS), -ENOMEM.
 */
int vf_inv_load(const struct dp_config *cfg, struct vf_inv **out, char *err,
		size_t errlen);

/** Free an inventory (NULL is fine). Changes nothing on the host. */
void vf_inv_destroy(struct vf_inv *inv);

/**
 * Read sysfs again. On success the list is replaced (what hostlane bound
 * stays remembered by PCI address) and the inventory is no longer stale.
 * @return the number of slots that appeared, vanished or changed (driver,
 *         PCI address, MAC, IOMMU group), or -errno as vf_inv_load(); on
 *         error the old list stays, marked stale.
 */
int vf_inv_rescan(struct vf_inv *inv, char *err, size_t errlen);

/** Did the last rescan fail? */
bool vf_inv_stale(const struct vf_inv *inv);

/** Number of VF slots, and slot i (NULL if i is out of range). */
unsigned int vf_inv_count(const struct vf_inv *inv);
const struct vf_slot *vf_inv_slot(const struct vf_inv *inv, unsigned int i);

/** The slot called name ("p0/3", "pool/1"), or NULL. */
const struct vf_slot *vf_inv_find(const struct vf_inv *inv, const char *name);

/** Number of PFs, and PF i (NULL if out of range). */
unsigned int vf_inv_pf_count(const struct vf_inv *inv);
const struct vf_inv_pf *vf_inv_pf(const struct vf_inv *inv, unsigned int i);

/**
 * Is a VF someone holds still the one in the (freshly rescanned) list?
 * @return 0 if a slot of that name is there and equal in every field,
 *         -ENODEV if it vanished, -ESTALE if it changed (rebound to another
 *         driver, another PCI address, ...), with err saying what.
 */
int vf_inv_check(const struct vf_inv *inv, const struct vf_slot *held,
		 char *err, size_t errlen);

/** Report every sysfs write to fn (NULL: none). */
void vf_inv_set_write_hook(struct vf_inv *inv, vf_inv_write_fn *fn, void *arg);

/**
 * Give each PF whose [pf] vfs is not 0 that many VFs: sriov_numvfs is
 * written 0 first when it holds another non-zero count (the kernel refuses
 * N→M), then N; then the inventory is rescanned. Refused, before any
 * write: vfs above sriov_totalvfs (-ERANGE), a PF with a VF bound to
 * vfio-pci (-EBUSY: a guest may be using it), a stale inventory (-ESTALE).
 * @return 0 or -errno; after a failed write the inventory is rescanned so
 *         it shows what the kernel did.
 */
int vf_inv_provision(struct vf_inv *inv, char *err, size_t errlen);

/**
 * Bind VF name to vfio-pci: driver_override = "vfio-pci", unbind from its
 * driver, drivers_probe; then check that vfio-pci holds it. Its driver
 * before is remembered for vf_inv_release() (across rescans, by PCI
 * address). Already on vfio-pci: 0. The slot's driver then reads
 * "vfio-pci": copy the slot to hold after binding, not before.
 * A pool stand-in: 0, nothing to do.
 * @return 0, -ENOENT (no such slot, no vfio-pci driver loaded), -ESTALE
 *         (the VF is bound to another driver than the list says, or the
 *         inventory is stale: rescan), -EIO (the kernel did not bind it;
 *         what was written is undone), or a write's -errno (undone).
 */
int vf_inv_bind(struct vf_inv *inv, const char *name, char *err, size_t errlen);

/**
 * Give VF name back to the driver it had before vf_inv_bind(), in order:
 * clear driver_override, unbind from vfio-pci, bind the old driver (or
 * drivers_probe when hostlane did not bind it and so does not know).
 * Idempotent: a VF not on vfio-pci, or a pool stand-in, is 0.
 * @return 0, -ENOENT, -ESTALE (bound to a third driver by someone else),
 *         -EIO (the old driver did not take it), or a write's -errno.
 */
int vf_inv_release(struct vf_inv *inv, const char *name, char *err,
		   size_t errlen);

#endif /* CTL_VF_INVENTORY_H */
