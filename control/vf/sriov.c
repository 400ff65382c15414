/* SPDX-License-Identifier: BSD-3-Clause */
/* Provisioning: sriov_numvfs, and a VF's vfio-pci binding and its release. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "inv_priv.h"
#include "sysfs.h"

#define VFIO_DRIVER "vfio-pci"

static int
path_err(const char *root, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: path too long", root);
	return -ENAMETOOLONG;
}

static int
refuse_stale(const struct vf_inv *inv, char *err, size_t errlen)
{
	if (!inv->stale)
		return 0;
	snprintf(err, errlen, "%s: the VF inventory is stale (the last rescan "
		 "failed): rescan first", inv->root);
	return -ESTALE;
}

/* Would changing this PF's count pull a VF from under vfio-pci? */
static int
pf_busy(const struct vf_inv *inv, unsigned int pfi, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < inv->cur.n_vfs; i++) {
		const struct vf_slot *s = &inv->cur.vfs[i].slot;

		if (s->pf == pfi && strcmp(s->driver, VFIO_DRIVER) == 0) {
			snprintf(err, errlen, "%s/bus/pci/devices/%s/sriov_numvfs: not "
				 "changed: VF %s is bound to vfio-pci (a guest may "
				 "hold it)", inv->root, inv->cur.pfs[pfi].pci, s->name);
			return -EBUSY;
		}
	}
	return 0;
}

static int
provision_check(const struct vf_inv *inv, unsigned int pfi, char *err,
		size_t errlen)
{
	const struct vf_inv_pf *pf = &inv->cur.pfs[pfi];

	if (pf->want_vfs > pf->total_vfs) {
		snprintf(err, errlen, "%s/bus/pci/devices/%s/sriov_totalvfs: [pf %s] "
			 "vfs = %u is more than the device's %u", inv->root, pf->pci,
			 pf->name, pf->want_vfs, pf->total_vfs);
		return -ERANGE;
	}
	return pf_busy(inv, pfi, err, errlen);
}

/* The kernel takes a new count only from 0: N→M is N→0→M. */
static int
set_numvfs(const struct vf_inv *inv, const struct vf_inv_pf *pf, char *err,
	   size_t errlen)
{
	char path[PATH_MAX], val[16];
	int rc = 0;

	if (vf_sysfs_path(path, "%s/bus/pci/devices/%s/sriov_numvfs", inv->root,
			  pf->pci) < 0)
		return path_err(inv->root, err, errlen);
	if (pf->num_vfs != 0)
		rc = inv_write(inv, path, "0", err, errlen);
	snprintf(val, sizeof(val), "%u", pf->want_vfs);
	return rc == 0 ? inv_write(inv, path, val, err, errlen) : rc;
}

static bool
needs_change(const struct vf_inv_pf *pf)
{
	return pf->want_vfs != 0 && pf->want_vfs != pf->num_vfs;
}

int
vf_inv_provision(struct vf_inv *inv, char *err, size_t errlen)
{
	int rc = refuse_stale(inv, err, errlen);
	char rescan_err[256];
	bool wrote = false;

	/* Every PF checked before the first write: all or none refused. */
	for (unsigned int i = 0; i < inv->cur.n_pfs && rc == 0; i++)
		if (needs_change(&inv->cur.pfs[i]))
			rc = provision_check(inv, i, err, errlen);
	for (unsigned int i = 0; i < inv->cur.n_pfs && rc == 0; i++) {
		if (!needs_change(&inv->cur.pfs[i]))
			continue;
		wrote = true;
		rc = set_numvfs(inv, &inv->cur.pfs[i], err, errlen);
	}
	if (!wrote)
		return rc;
	if (rc < 0) {
		/* Show what the kernel did; the write's error is the news. */
		vf_inv_rescan(inv, rescan_err, sizeof(rescan_err));
		return rc;
	}
	rc = vf_inv_rescan(inv, err, errlen);
	return rc < 0 ? rc : 0;
}

/* Write "val" to bus/pci/devices/PCI/ATTR or bus/pci/drivers/DRV/ATTR. */
static int
dev_write(const struct vf_inv *inv, const char *pci, const char *attr,
	  const char *val, char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (vf_sysfs_path(path, "%s/bus/pci/devices/%s/%s", inv->root, pci, attr) < 0)
		return path_err(inv->root, err, errlen);
	return inv_write(inv, path, val, err, errlen);
}

static int
drv_write(const struct vf_inv *inv, const char *drv, const char *attr,
	  const char *pci, char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (vf_sysfs_path(path, "%s/bus/pci/drivers/%s/%s", inv->root, drv, attr) < 0)
		return path_err(inv->root, err, errlen);
	return inv_write(inv, path, pci, err, errlen);
}

/* Let the kernel match the device to a driver (driver_override first). */
static int
probe_write(const struct vf_inv *inv, const char *pci, char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (vf_sysfs_path(path, "%s/bus/pci/drivers_probe", inv->root) < 0)
		return path_err(inv->root, err, errlen);
	return inv_write(inv, path, pci, err, errlen);
}

static int
have_vfio(const struct vf_inv *inv, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;

	if (vf_sysfs_path(path, "%s/bus/pci/drivers/" VFIO_DRIVER, inv->root) < 0)
		return path_err(inv->root, err, errlen);
	if (stat(path, &st) == 0)
		return 0;
	snprintf(err, errlen, "%s: missing (load the driver: modprobe vfio-pci)", path);
	return -ENOENT;
}

/* The driver the kernel has the VF on now must be the one we listed. */
static int
live_as_listed(const struct vf_inv *inv, const struct inv_vf *v,
	       char live[VF_NAME_MAX], char *err, size_t errlen)
{
	int rc = inv_live_driver(inv, v->slot.pci, live, err, errlen);

	if (rc < 0 || strcmp(live, v->slot.driver) == 0 ||
	    strcmp(live, VFIO_DRIVER) == 0)
		return rc;
	snprintf(err, errlen, "%s/bus/pci/devices/%s/driver: VF %s is bound to "
		 "'%s', the inventory says '%s': rescan", inv->root, v->slot.pci,
		 v->slot.name, live, v->slot.driver);
	return -ESTALE;
}

/* Back to where bind started: best effort, the first error is kept. */
static void
bind_undo(const struct vf_inv *inv, const char *pci, const char *orig)
{
	char ignored[256], now[VF_NAME_MAX];

	dev_write(inv, pci, "driver_override", "\n", ignored, sizeof(ignored));
	if (inv_live_driver(inv, pci, now, ignored, sizeof(ignored)) == 0 &&
	    strcmp(now, VFIO_DRIVER) == 0)
		drv_write(inv, VFIO_DRIVER, "unbind", pci, ignored, sizeof(ignored));
	if (orig[0] != '\0' &&
	    inv_live_driver(inv, pci, now, ignored, sizeof(ignored)) == 0 &&
	    now[0] == '\0')
		drv_write(inv, orig, "bind", pci, ignored, sizeof(ignored));
}

static int
bind_steps(const struct vf_inv *inv, const char *pci, const char *live,
	   char *err, size_t errlen)
{
	char now[VF_NAME_MAX];
	int rc = dev_write(inv, pci, "driver_override", VFIO_DRIVER, err, errlen);

	if (rc == 0 && live[0] != '\0')
		rc = drv_write(inv, live, "unbind", pci, err, errlen);
	if (rc == 0)
		rc = probe_write(inv, pci, err, errlen);
	if (rc == 0)
		rc = inv_live_driver(inv, pci, now, err, errlen);
	if (rc == 0 && strcmp(now, VFIO_DRIVER) != 0) {
		snprintf(err, errlen, "%s/bus/pci/devices/%s/driver: '%s' after "
			 "drivers_probe, not vfio-pci (IOMMU on? dmesg says why)",
			 inv->root, pci, now);
		rc = -EIO;
	}
	return rc;
}

int
vf_inv_bind(struct vf_inv *inv, const char *name, char *err, size_t errlen)
{
	char live[VF_NAME_MAX];
	struct inv_vf *v = inv_vf_find(inv, name, err, errlen);
	int rc;

	if (v == NULL)
		return -ENOENT;
	if (v->slot.pci[0] == '\0')
		return 0;
	rc = refuse_stale(inv, err, errlen);
	if (rc == 0)
		rc = live_as_listed(inv, v, live, err, errlen);
	if (rc < 0 || strcmp(live, VFIO_DRIVER) == 0)
		return rc;
	rc = have_vfio(inv, err, errlen);
	if (rc < 0)
		return rc;
	rc = bind_steps(inv, v->slot.pci, live, err, errlen);
	if (rc < 0) {
		bind_undo(inv, v->slot.pci, live);
		return rc;
	}
	snprintf(v->orig_driver, sizeof(v->orig_driver), "%s", live);
	v->bound_by_us = true;
	snprintf(v->slot.driver, sizeof(v->slot.driver), VFIO_DRIVER);
	return 0;
}

/* Clear the override first, so nothing probes it back onto vfio-pci. */
static int
release_steps(const struct vf_inv *inv, const struct inv_vf *v, char *err,
	      size_t errlen)
{
	const char *pci = v->slot.pci;
	int rc = dev_write(inv, pci, "driver_override", "\n", err, errlen);

	if (rc == 0)
		rc = drv_write(inv, VFIO_DRIVER, "unbind", pci, err, errlen);
	if (rc < 0 || (v->bound_by_us && v->orig_driver[0] == '\0'))
		return rc;
	return v->bound_by_us ? drv_write(inv, v->orig_driver, "bind", pci, err, errlen) :
		probe_write(inv, pci, err, errlen);
}

static int
release_verify(const struct vf_inv *inv, const struct inv_vf *v, char *err,
	       size_t errlen)
{
	char now[VF_NAME_MAX];
	int rc = inv_live_driver(inv, v->slot.pci, now, err, errlen);

	if (rc < 0)
		return rc;
	if (v->bound_by_us ? strcmp(now, v->orig_driver) == 0 :
	    strcmp(now, VFIO_DRIVER) != 0)
		return 0;
	snprintf(err, errlen, "%s/bus/pci/devices/%s/driver: '%s' after release, "
		 "want '%s'", inv->root, v->slot.pci, now,
		 v->bound_by_us ? v->orig_driver : "not vfio-pci");
	return -EIO;
}

int
vf_inv_release(struct vf_inv *inv, const char *name, char *err, size_t errlen)
{
	char live[VF_NAME_MAX];
	struct inv_vf *v = inv_vf_find(inv, name, err, errlen);
	int rc;

	if (v == NULL)
		return -ENOENT;
	if (v->slot.pci[0] == '\0')
		return 0;
	rc = refuse_stale(inv, err, errlen);
	if (rc == 0)
		rc = inv_live_driver(inv, v->slot.pci, live, err, errlen);
	if (rc < 0)
		return rc;
	if (strcmp(live, VFIO_DRIVER) != 0) {
		if (!v->bound_by_us || strcmp(live, v->orig_driver) == 0) {
			v->bound_by_us = false;
			return 0;
		}
		snprintf(err, errlen, "%s/bus/pci/devices/%s/driver: VF %s is bound "
			 "to '%s' by someone else, hostlane had it on vfio-pci",
			 inv->root, v->slot.pci, v->slot.name, live);
		return -ESTALE;
	}
	rc = release_steps(inv, v, err, errlen);
	if (rc == 0)
		rc = release_verify(inv, v, err, errlen);
	if (rc < 0)
		return rc;
	rc = inv_live_driver(inv, v->slot.pci, v->slot.driver, err, errlen);
	v->bound_by_us = false;
	return rc;
}
