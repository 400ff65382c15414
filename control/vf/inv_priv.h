/* SPDX-License-Identifier: BSD-3-Clause */
/* The inventory's insides, shared by inventory.c (reading) and sriov.c
 * (writing). Nothing outside control/vf/ includes this. */
#ifndef CTL_VF_INV_PRIV_H
#define CTL_VF_INV_PRIV_H

#include <limits.h>
#include <stdbool.h>

#include "inventory.h"

/* A VF and what hostlane changed on it. */
struct inv_vf {
	struct vf_slot slot;
	char orig_driver[VF_NAME_MAX];	/* before vf_inv_bind(); "" unbound */
	bool bound_by_us;		/* orig_driver is known */
};

/* One reading of sysfs: a whole list or none. */
struct inv_list {
	unsigned int n_pfs;
	struct vf_inv_pf pfs[DP_MAX_PFS];
	unsigned int n_vfs;
	struct inv_vf *vfs;		/* malloc'd, n_vfs long */
};

struct vf_inv {
	char root[PATH_MAX];
	struct dp_pf_conf conf[DP_MAX_PFS];
	unsigned int n_conf;
	unsigned int n_pool;
	char pool[DP_MAX_VF_POOL][VF_DEVARGS_MAX];
	struct inv_list cur;
	bool stale;
	vf_inv_write_fn *hook;
	void *hook_arg;
};

/* Write one attribute, then tell the hook. */
int inv_write(const struct vf_inv *inv, const char *path, const char *val,
	      char *err, size_t errlen);

/* The VF called name, or NULL with err filled. */
struct inv_vf *inv_vf_find(struct vf_inv *inv, const char *name, char *err,
			   size_t errlen);

/* The driver VF pci is bound to now ("" if none), read live. */
int inv_live_driver(const struct vf_inv *inv, const char *pci,
		    char out[VF_NAME_MAX], char *err, size_t errlen);

#endif /* CTL_VF_INV_PRIV_H */
