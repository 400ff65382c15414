/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The VF allocator (FlexVF's daemon, in hostlane's main lcore): the books
 * of who holds which VF, the rounds (rates → policy → actuator), the
 * operator's overrides, the decision log and the counters.
 *
 * Design note.
 *  - Books. Each VF (struct vf_slot) has at most one owner, the guest
 *    holding it or the guest an operation is under way for; a guest has
 *    at most one VF and one operation. An assign that fails leaves the VF
 *    free, and its guest out of the next round (so a guest whose assigns
 *    always fail cannot keep a VF from everyone); a revoke that fails
 *    leaves the VF with its guest (the log says so). A VF is therefore never held by two guests, whatever an
 *    actuator answers.
 *  - Rounds. vf_alloc_tick() runs on every slow-path tick: it polls the
 *    operations under way (actuators are non-blocking state machines,
 *    vf.h), samples the VF-path counters of holders, and every
 *    interval_ms runs a round: each guest's rate (rates.h), one
 *    vf_policy_round() (policy.h), then the decisions in order. A swap is
 *    a revoke whose VF goes to the challenger once the revoke completes.
 *  - Guests are known by name (the actuators' key). Guests come and go
 *    with vf_alloc_guest_add/remove; a guest removed while it holds a VF
 *    gives it back (revoke) before its record goes.
 *  - No I/O, no allocation after create, no DPDK: events go to a log
 *    callback, so unit tests and the benchmark drive it with a fake clock
 *    and the mock actuator (act_mock.h).
 *
 * Thread: the main lcore (one thread); nothing here blocks. An actuator
 * is called from inside the allocator and must not call back into it.
 * Errors: 0 or a negative errno; err (when given) holds one line.
 */
#ifndef VF_ALLOC_H
#define VF_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "rates.h"
#include "vf.h"

/** Tunables: X(field, min, max, default, help). Ranges are the config's. */
#define VF_ALLOC_TUNABLES(X) \
	X(interval_ms, 10, 86400000, 10000, "one round every this long (FlexVF: 300000)") \
	X(min_hold_ms, 0, 86400000, 10000, "a VF stays at least this long with its guest") \
	X(hysteresis_pct, 0, 1000, 20, "activity: a challenger beats a holder by this much") \
	X(max_moves, 0, 4096, 0, "VFs moved per round at most; 0: no cap") \
	X(rate_window_ms, 10, 3600000, 10000, "the rates' EWMA window")

struct vf_alloc_conf {
	enum vf_pol_kind policy;
#define VF_ALLOC_FIELD_(f, lo, hi, def, help) unsigned int f;
	VF_ALLOC_TUNABLES(VF_ALLOC_FIELD_)
#undef VF_ALLOC_FIELD_
};

/** conf with every default (policy fair). */
void vf_alloc_conf_defaults(struct vf_alloc_conf *c);

/**
 * Check one tunable by name. @return 0, -ENOENT (unknown key) or -ERANGE,
 * with err naming the range.
 */
int vf_alloc_conf_set(struct vf_alloc_conf *c, const char *key, uint64_t v,
		      char *err, size_t errlen);

/** Where a guest's VF stands. */
#define VF_GSTATE_LIST(X) \
	X(IDLE, "none") \
	X(ASSIGNING, "assigning") \
	X(HELD, "held") \
	X(REVOKING, "revoking")

enum vf_gstate {
#define VF_GSTATE_ENUM_(sym, name) VF_G_##sym,
	VF_GSTATE_LIST(VF_GSTATE_ENUM_)
#undef VF_GSTATE_ENUM_
};

/** Counters of the allocator. */
struct vf_alloc_stats {
	uint64_t rounds;
	uint64_t decisions;
	uint64_t assigns;		/**< assigns completed */
	uint64_t revokes;		/**< revokes completed */
	uint64_t failures;		/**< operations that failed */
	uint64_t switch_ms_total;	/**< start to completion, all operations */
	uint64_t switch_ms_max;
	uint64_t switch_ms_last;
	uint64_t round_ns_last;		/**< one round: rates, policy, decisions */
	uint64_t round_ns_max;
	uint64_t reports;		/**< guest reports taken */
	uint64_t reports_refused;	/**< rate-limited, not monotonic, too fast */
};

/** A guest as reports see it. */
struct vf_alloc_guest_info {
	char name[VF_NAME_MAX];
	char vf[VF_NAME_MAX];		/**< its VF (held or under way), or "" */
	unsigned int role;		/**< enum vf_pol_role in force */
	unsigned int cfg_role;		/**< as configured */
	enum vf_gstate state;
	bool waiting;			/**< a VF is on its way from a revoke */
	bool removed;			/**< gone; giving its VF back */
	unsigned int weight;
	struct vf_rate_now rate;
	uint64_t held_ms;		/**< of the current hold */
	uint64_t service_ms;		/**< fair: time held / weight, as its reasons say */
	uint64_t assigns, revokes, failures;
	uint64_t last_switch_ms;
	uint64_t reports, reports_refused;
};

/** One entry of the decision log. */
struct vf_log_entry {
	uint64_t ms;			/**< the allocator's clock */
	uint64_t round;			/**< 0: an operator's action */
	char guest[VF_NAME_MAX];
	char vf[VF_NAME_MAX];
	char what[16];			/**< assign, revoke, chosen, assigned, revoked,
					     failed, dropped, role */
	char reason[160];
};

/** Log entries kept (the oldest are overwritten). */
#define VF_LOG_ENTRIES 256

/** Guest reports taken per guest at most once per this long. */
#define VF_REPORT_MIN_MS 100

struct vf_alloc;

/**
 * @param slots    the VFs (copied).
 * @param max_guests  records kept (live guests plus removed ones still
 *                 giving a VF back).
 * @return the allocator (no actuator: operations fail until one is set),
 *   or NULL with errno (EINVAL: a bad conf, ENOMEM).
 */
struct vf_alloc *vf_alloc_create(const struct vf_alloc_conf *c,
				 const struct vf_slot *slots, unsigned int n_slots,
				 unsigned int max_guests);

/** Free it. NULL is fine. Operations under way are abandoned: revoke first. */
void vf_alloc_free(struct vf_alloc *a);

/** The actuator of the configured mode (copied). */
void vf_alloc_set_actuator(struct vf_alloc *a, const struct vf_actuator *act);

/** Where log entries go as they are made (besides the ring). */
void vf_alloc_set_logger(struct vf_alloc *a,
			 void (*fn)(void *arg, const struct vf_log_entry *e),
			 void *arg);

/** The configuration in force. */
const struct vf_alloc_conf *vf_alloc_conf(const struct vf_alloc *a);

/** Replace the configuration (`vf policy`); a round runs at the next tick.
 *  @return 0 or -EINVAL. */
int vf_alloc_reconfigure(struct vf_alloc *a, const struct vf_alloc_conf *c);

/**
 * A guest that may take a VF.
 * @param role    enum vf_pol_role as configured (not VF_ROLE_NONE).
 * @param weight  1..1000.
 * @return its id (>= 0), or -EEXIST, -EBUSY (a removed guest of that
 *   name still gives its VF back), -ENOSPC, -EINVAL.
 */
int vf_alloc_guest_add(struct vf_alloc *a, const char *name, unsigned int role,
		       unsigned int weight);

/** A guest is gone: its VF (if any) is revoked, then its record freed.
 *  @return 0 or -ENOENT. */
int vf_alloc_guest_remove(struct vf_alloc *a, const char *name);

/** @return the id of the live guest called name, or -ENOENT. */
int vf_alloc_find(const struct vf_alloc *a, const char *name);

/**
 * A host counter sample of guest id (its channel; a source of the host).
 * @return 0, or -ENOENT (no such guest), -EINVAL (a guest report source).
 */
int vf_alloc_host_counters(struct vf_alloc *a, unsigned int id,
			   const struct vf_counters *c, uint64_t now_ms);

/**
 * A guest's own report of its interface counters (h12's message), at the
 * time of the last tick. Taken only as a stand-in where no host counter
 * covers the guest's VF path (rates.h), at most once per
 * VF_REPORT_MIN_MS, and only if it moves forward at no more than line rate.
 * c->source is ignored: a report is always VF_RATE_GUEST_REPORT.
 * @return 0 taken; -ENOENT unknown guest; -EAGAIN too soon; -ERANGE went
 *   backwards or too fast (it then starts over: no rate from it).
 */
int vf_alloc_guest_report(struct vf_alloc *alloc, const char *guest,
			  const struct vf_counters *c);

/**
 * Operator: give guest a free VF now / take its VF back now. The reply
 * says whether it is done (0) or under way (1).
 * @return 0, 1, or -ENOENT (no such guest), -EEXIST (holds one already),
 *   -EINVAL (holds none), -EBUSY (an operation is under way), -ENOSPC
 *   (no free VF), -EIO (the actuator refused: err says why).
 */
int vf_alloc_assign(struct vf_alloc *a, const char *guest, char *err, size_t errlen);
int vf_alloc_release(struct vf_alloc *a, const char *guest, char *err, size_t errlen);

/**
 * Operator: pin (VF_ROLE_PINNED), exclude (VF_ROLE_EXCLUDED) or give back
 * to the policy (VF_ROLE_ELIGIBLE). A round runs at the next tick.
 * @return 0, -ENOENT, -EINVAL.
 */
int vf_alloc_set_role(struct vf_alloc *a, const char *guest, unsigned int role);

/**
 * The slow-path tick: poll operations, sample VF paths, run a round when
 * one is due. now_ms never goes back.
 */
void vf_alloc_tick(struct vf_alloc *a, uint64_t now_ms);

/** Run a round at the next tick. */
void vf_alloc_kick(struct vf_alloc *a);

/* ---- reports ---- */

const struct vf_alloc_stats *vf_alloc_stats(const struct vf_alloc *a);

unsigned int vf_alloc_n_slots(const struct vf_alloc *a);

/** Slot i, and who owns it ("" when free). @return 0 or -ENOENT. */
int vf_alloc_slot(const struct vf_alloc *a, unsigned int i, struct vf_slot *s,
		  char *owner, size_t len, enum vf_gstate *state);

/** VFs held (operations under way included). */
unsigned int vf_alloc_n_held(const struct vf_alloc *a);

/** Live guests (removed ones still releasing included) into out, by id.
 *  @return how many, <= max. */
unsigned int vf_alloc_guests(const struct vf_alloc *a,
			     struct vf_alloc_guest_info *out, unsigned int max);

/** One guest. @return 0 or -ENOENT. */
int vf_alloc_guest_info(const struct vf_alloc *a, const char *name,
			struct vf_alloc_guest_info *out);

/** The last entries of the log, oldest first. @return how many, <= max. */
unsigned int vf_alloc_log(const struct vf_alloc *a, struct vf_log_entry *out,
			  unsigned int max);

/** Bytes the allocator keeps per guest record (books, rates, policy
 *  state, scratch). */
size_t vf_alloc_bytes_per_guest(void);

/** @return "none", "assigning", "held", "revoking". */
const char *vf_gstate_name(enum vf_gstate s);

#endif /* VF_ALLOC_H */
