/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generated sysfs trees in the kernel's layout, for the VF inventory tests.
 * Under ROOT, as Linux has them under /sys:
 *
 *   devices/pci0000:00/DBDF/                  a device (PF and VFs are siblings,
 *       driver -> ../../../bus/pci/drivers/D    as pci_iov_add_virtfn makes them)
 *       iommu_group -> ../../../kernel/iommu_groups/N
 *       driver_override                       "(null)" until written
 *       sriov_totalvfs, sriov_numvfs          PFs
 *       virtfnN -> ../VFDBDF                   PFs
 *       physfn -> ../PFDBDF                    VFs
 *       net/IFNAME/address, net/IFNAME/device -> ../../../DBDF
 *   bus/pci/devices/DBDF -> ../../../devices/pci0000:00/DBDF
 *   bus/pci/drivers/D/{bind,unbind,new_id}, bus/pci/drivers_probe
 *   class/net/IFNAME -> ../../devices/pci0000:00/DBDF/net/IFNAME
 *   kernel/iommu_groups/N/devices/DBDF -> ../../../../devices/pci0000:00/DBDF
 *
 * Every function returns 0 or -1 with a message on stderr (a test that
 * cannot build its tree fails). Tests only; not thread-safe.
 */
#ifndef HOSTLANE_TESTS_SYSFS_GEN_H
#define HOSTLANE_TESTS_SYSFS_GEN_H

/** A fresh skeleton at root (removed first if it exists). */
int sg_init(const char *root);

/** Remove the tree. */
int sg_remove(const char *root);

/** A PCI driver: bus/pci/drivers/NAME with its bind/unbind/new_id. */
int sg_driver(const char *root, const char *name);

/** A PCI device; driver NULL: unbound; group < 0: no IOMMU group. */
int sg_device(const char *root, const char *dbdf, const char *driver, int group);

/** Give a device a kernel interface with a MAC ("02:00:00:00:00:01"). */
int sg_netdev(const char *root, const char *dbdf, const char *ifname,
	      const char *mac);

/** Bind (driver) or unbind (NULL) a device: its driver link. */
int sg_bind(const char *root, const char *dbdf, const char *driver);

/** The PCI address of VF n of the PF pf ("0000:3b:00.1", 2 → "0000:3d:00.2"). */
void sg_vf_dbdf(const char *pf, unsigned int n, char out[16]);

/**
 * An SR-IOV PF with total VFs possible and num made, as `echo num >
 * sriov_numvfs` leaves it: each VF bound to vf_driver (NULL: unbound), in
 * an IOMMU group of its own (1000 + bus * 256 + devfn), with a netdev and a MAC unless vf_driver is NULL
 * or "vfio-pci". ifname NULL: the PF has no netdev.
 */
int sg_pf(const char *root, const char *pf, unsigned int total, unsigned int num,
	  const char *pf_driver, const char *vf_driver, const char *ifname);

/** What writing num to sriov_numvfs does: the old VFs go, num new come. */
int sg_set_vfs(const char *root, const char *pf, unsigned int num,
	       const char *vf_driver);

/** Write a file's whole content (replacing it; creating it). */
int sg_write(const char *root, const char *rel, const char *content);

/** Replace whatever is at rel by a symlink to target. */
int sg_link(const char *root, const char *rel, const char *target);

/** Make a directory and its parents. */
int sg_mkdir(const char *root, const char *rel);

/** Remove whatever is at rel (a file, a link or a whole directory). */
int sg_rm(const char *root, const char *rel);

/** Read a small file (trailing newline kept); "" and -1 if absent. */
int sg_read(const char *root, const char *rel, char *buf, unsigned int cap);

#endif /* HOSTLANE_TESTS_SYSFS_GEN_H */
