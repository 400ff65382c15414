/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The function manager — VirtFun's vFunD: which functions each guest may
 * use, capacity and quotas, reservation at negotiate, placement at activate,
 * release at close, at BYE, and when a guest goes away.
 *
 * Main lcore only. It answers dp_fnmsg requests handed over by the I/O
 * lcores (dataplane/fnmsg.h) in place and keeps its own books; it never
 * touches fast-path state. Decisions, in order:
 *  FN_OPEN      unknown function → E_UNKNOWN_FN; not in the guest's
 *               `functions` → E_PERM; function at `function_capacity`
 *               sessions → E_NO_CAPACITY; guest at `max_sessions` →
 *               E_QUOTA; else a session id is reserved.
 *  FN_ACTIVATE  hardware if asked for (HW or ANY) and a backend offers the
 *               function on hardware; else software if allowed (SW or
 *               ANY); else E_HW_UNAVAIL.
 *  FN_CLOSE     the reservation is released.
 * A request from a connection that has since gone is refused
 * (E_BAD_SESSION) and reserves nothing.
 */
#ifndef CTL_MANAGER_H
#define CTL_MANAGER_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "fnmsg.h"

struct ctl_mgr;

/** @return a manager for cfg's guests, or NULL with errno = ENOMEM. */
struct ctl_mgr *ctl_mgr_create(const struct dp_config *cfg);

/** Free a manager; NULL is fine. */
void ctl_mgr_free(struct ctl_mgr *m);

/** Decide one request; fills msg's answer fields. */
void ctl_mgr_handle(struct ctl_mgr *m, struct dp_fnmsg *msg);

/** A guest's connection ended: release everything it reserved. */
void ctl_mgr_guest_gone(struct ctl_mgr *m, unsigned int guest, uint32_t epoch);

/** A guest was added in slot `guest` (maybe a retired one): start its books. */
void ctl_mgr_guest_added(struct ctl_mgr *m, unsigned int guest);

/**
 * Hardware is being reconfigured (control `fpga load`): while paused, an
 * activation refused only for want of hardware (the guest asked for
 * hardware only) gets E_BUSY, "try again", instead of E_HW_UNAVAIL.
 */
void ctl_mgr_hw_pause(struct ctl_mgr *m, bool paused);

/** Sessions a guest holds now (for stats and tests). */
unsigned int ctl_mgr_sessions(const struct ctl_mgr *m, unsigned int guest);

/** Sessions open on a function, all guests together. */
unsigned int ctl_mgr_fn_sessions(const struct ctl_mgr *m, unsigned int fn);

/** One reservation in the manager's books, as ctl_mgr_session_list() sees it. */
struct ctl_mgr_session {
	uint32_t id;		/**< the session id the guest was given */
	uint16_t fn;		/**< enum fpga_fn_id */
	uint8_t asked;		/**< enum hl_placement asked for at open */
};

/**
 * The sessions a guest holds now (read-only; the control plane's reports).
 * @return how many were written to out, at most max.
 */
unsigned int ctl_mgr_session_list(const struct ctl_mgr *m, unsigned int guest,
				  struct ctl_mgr_session *out, unsigned int max);

#endif /* CTL_MANAGER_H */
