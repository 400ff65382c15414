/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The VF allocator inside hostlane: its glue to the dataplane and the
 * control plane (docs/vf.md).
 *
 * ctl_vf_create() builds the allocator from [vf] when the config has one:
 * the VFs of the inventory (the [pf] sections' from sysfs, provisioned to
 * their `vfs`, or the vf_pool stand-ins), the actuator of `mode` (a table
 * of modes with their constructors: each mode adds one line). ctl_vf_tick() runs from
 * the control server's poll, i.e. on every slow-path tick of the main
 * lcore: it keeps the allocator's guests in step with the guest table
 * (every active guest whose vf key is not none), feeds their channel
 * counters (dataplane/view.h) to the rates, and ticks the allocator.
 *
 * Thread: the main lcore, like every control command.
 */
#ifndef CTL_VF_GLUE_H
#define CTL_VF_GLUE_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "ctl_snap.h"
#include "vf/alloc.h"
#include "vf/inventory.h"

struct ctl_vf;

/** Allocator records: every guest slot (max_guests), and as many removed
 *  guests still giving a VF back. */
static inline unsigned int
ctl_vf_records(const struct dp_config *cfg)
{
	return 2 * cfg->max_guests;
}

/** What a mode's actuator may use. */
struct ctl_vf_env {
	struct dp_app *app;
	struct vf_inv *inv;		/**< the VFs (vf_inv_bind/release, rescans) */
};

/** How a mode builds its actuator: h10 (dedicated), h11 (passthrough). */
struct ctl_vf_mode {
	const char *name;
	/** Fill out (its ctx included). @return 0 or -errno with err. */
	int (*make)(const struct ctl_vf_env *env, struct vf_actuator *out,
		    char *err, size_t errlen);
	/** Free what make made; may be NULL. */
	void (*free)(void *ctx);
};

/**
 * The allocator of app->cfg->vf (which must be enabled). Main lcore,
 * after dp_app_start(). @return it, or NULL with errno and err filled
 * (an unknown or unavailable mode, no memory).
 */
struct ctl_vf *ctl_vf_create(struct dp_app *app, char *err, size_t errlen);

/** Free it and its actuator. NULL is fine. */
void ctl_vf_free(struct ctl_vf *v);

/** The slow-path tick. NULL is fine. */
void ctl_vf_tick(struct ctl_vf *v, uint64_t now_ms);

/** A guest was removed (`guest remove`): its VF goes back now. NULL is fine. */
void ctl_vf_guest_removed(struct ctl_vf *v, const char *name);

/** The allocator. */
struct vf_alloc *ctl_vf_alloc(struct ctl_vf *v);

/** Copy what reports need into out (out->enabled false when v is NULL). */
void ctl_vf_snap(const struct ctl_vf *v, struct ctl_snap_vf *out);

/** The inventory the VFs came from. */
struct vf_inv *ctl_vf_inventory(struct ctl_vf *v);

/** The configured mode's name. */
const char *ctl_vf_mode_name(const struct ctl_vf *v);

#endif /* CTL_VF_GLUE_H */
