/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * VF policies (FlexVF): which guests should hold the VFs next.
 *
 * Pure and deterministic: the caller passes the clock, the guests (their
 * rate, weight, role, whether each holds a VF now) and scratch space; the
 * policy returns decisions, each with its reason, and updates only the
 * per-guest state it keeps in struct vf_pol_guest. No I/O, no globals, no
 * allocation: a fake clock and synthetic traces test it completely.
 *
 *  - fair      round robin in time slices: every eligible guest gets the
 *              same share of VF time (weighted by vf_weight), so nobody
 *              starves. Each guest has a virtual service time (time held
 *              divided by its weight); the least served wait first, and a
 *              holder yields to a waiting guest whose service is not
 *              above its own.
 *  - activity  the top N guests by rate x weight hold the VFs (a guest
 *              with no traffic gets none); a challenger must beat a holder
 *              by hysteresis_pct.
 *  - manual    nothing moves except by the operator (vf assign/release);
 *              pins and exclusions still apply.
 *
 * Common rules: a holder keeps its VF for at least min_hold_ms (exclusions
 * and vf = none excepted); at most max_moves VFs move per round (0: no
 * cap); a pinned guest takes a free VF first and may displace any holder
 * past its hold time; an excluded guest (or one that no longer takes a
 * VF) gives its VF back; a guest with an operation under way is left
 * alone. Each guest appears in at most one decision per round.
 *
 * Cost: one pass over the guests, a quickselect of the waiting guests
 * that can get a VF this round (one per free VF or holder), sorts of those
 * and of the holders: no per-pair work, O(n log n) at worst. Memory:
 * struct vf_pol_guest per guest plus 2 x struct vf_pol_rank of scratch
 * (see VF_POL_SCRATCH).
 *
 * Thread: any; the caller owns every argument.
 */
#ifndef VF_POLICY_H
#define VF_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Policies: X(SYM, "name"). */
#define VF_POL_LIST(X) \
	X(FAIR, "fair") \
	X(ACTIVITY, "activity") \
	X(MANUAL, "manual")

enum vf_pol_kind {
#define VF_POL_ENUM_(sym, name) VF_POL_##sym,
	VF_POL_LIST(VF_POL_ENUM_)
#undef VF_POL_ENUM_
	VF_POL_COUNT
};

/** @return "fair", ... or "?". */
const char *vf_pol_name(enum vf_pol_kind k);

/** @return the policy called name, or -1. */
int vf_pol_lookup(const char *name);

/** A guest's place; the values of enum dp_vf_role (config.h). */
enum vf_pol_role {
	VF_ROLE_NONE,		/**< takes no VF */
	VF_ROLE_ELIGIBLE,	/**< the policy decides */
	VF_ROLE_PINNED,		/**< holds one whenever it can */
	VF_ROLE_EXCLUDED,	/**< the operator took it out */
};

/** @return "none", "eligible", "pinned", "excluded". */
const char *vf_role_name(unsigned int role);

struct vf_pol_conf {
	enum vf_pol_kind kind;
	uint64_t min_hold_ms;
	unsigned int hysteresis_pct;	/**< activity: margin a challenger needs */
	unsigned int max_moves;		/**< VFs moved per round; 0: no cap */
};

/** Fair's unit of service: time held x this / weight. */
#define VF_POL_WSCALE 1000u

/** One guest: inputs the caller sets each round, state the policy keeps. */
struct vf_pol_guest {
	/* inputs */
	double rate;			/**< pps, as measured (rates.h) */
	uint64_t held_since_ms;		/**< when it got its VF (holds) */
	uint16_t weight;		/**< 1..1000; 0 counts as 1 */
	uint8_t role;			/**< enum vf_pol_role */
	uint8_t holds;			/**< holds a VF now */
	uint8_t busy;			/**< an operation is under way on it */
	/* kept by the policy */
	uint8_t known;			/**< vtime set */
	uint64_t vtime;			/**< fair: service, ms x WSCALE / weight */
};

/** Scratch entry for ranking. */
struct vf_pol_rank {
	double key;
	uint32_t idx;
};

/** Scratch entries a round needs for n guests. */
#define VF_POL_SCRATCH(n) (2 * (size_t)(n))

enum vf_pol_action {
	VF_POL_ASSIGN,			/**< give guest a free VF (or other's, paired) */
	VF_POL_REVOKE,			/**< take guest's VF back */
};

#define VF_POL_NONE UINT32_MAX
#define VF_REASON_MAX 96

struct vf_pol_decision {
	uint32_t guest;			/**< index into the guest array */
	enum vf_pol_action action;
	/** REVOKE: the guest its VF then goes to, or VF_POL_NONE (back to
	 *  the pool). ASSIGN: the guest whose VF it gets (that REVOKE comes
	 *  earlier in the list), or VF_POL_NONE for a free VF. */
	uint32_t other;
	char reason[VF_REASON_MAX];
};

struct vf_pol_round {
	uint64_t now_ms;
	uint64_t last_ms;		/**< the previous round (0: first) */
	unsigned int free_vfs;		/**< VFs nobody holds, no operation on */
};

/**
 * One round.
 * @param g        n guests; fair's vtime is advanced for holders and set
 *                 for guests seen the first time.
 * @param scratch  VF_POL_SCRATCH(n) entries.
 * @param out      at least n entries (each guest is in one decision at most).
 * @return the number of decisions written, in the order to carry them out.
 */
unsigned int vf_policy_round(const struct vf_pol_conf *c, struct vf_pol_guest *g,
			     unsigned int n, const struct vf_pol_round *r,
			     struct vf_pol_rank *scratch, struct vf_pol_decision *out);

#endif /* VF_POLICY_H */
