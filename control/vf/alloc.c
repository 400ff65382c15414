/* SPDX-License-Identifier: BSD-3-Clause */
/* The VF allocator: books, rounds, operations, the decision log. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"

#define NO_ONE (-1)

struct guest {
	char name[VF_NAME_MAX];
	uint8_t used;
	uint8_t removed;		/* gone: free the record once it holds nothing */
	uint8_t cfg_role;
	uint8_t state;			/* enum vf_gstate */
	uint8_t waiting;		/* a revoke will hand it its VF */
	int slot;			/* held or under way, NO_ONE */
	int next;			/* REVOKING: who gets the VF then, NO_ONE */
	uint64_t op_start_ms;
	uint64_t backoff_round;		/* an assign failed: out of rounds up to this */
	uint64_t last_report_ms;
	uint8_t reported;
	struct vf_rate rate;
	struct vf_rate_now now;
	uint64_t assigns, revokes, failures, last_switch_ms;
	uint64_t reports, reports_refused;
};

struct vf_alloc {
	struct vf_alloc_conf conf;
	struct vf_actuator act;
	bool have_act;
	void (*log_fn)(void *arg, const struct vf_log_entry *e);
	void *log_arg;
	char last_err[160];		/* the last operation's failure, for replies */
	uint64_t now_ms;
	uint64_t next_round_ms;
	uint64_t last_round_ms;
	uint64_t round_no;		/* the round being run, 0 outside one */
	bool kicked;
	struct vf_alloc_stats st;
	unsigned int n_slots;
	struct vf_slot *slots;
	int *owner;			/* per slot: guest id or NO_ONE */
	unsigned int cap;
	struct guest *g;
	struct vf_pol_guest *pol;	/* per guest id: the policy's view */
	struct vf_pol_rank *scratch;
	struct vf_pol_decision *dec;
	unsigned int log_head;		/* next entry to write */
	unsigned int log_n;
	struct vf_log_entry log[VF_LOG_ENTRIES];
};

static const char *const gstate_names[] = {
#define VF_GSTATE_NAME_(sym, name) [VF_G_##sym] = name,
	VF_GSTATE_LIST(VF_GSTATE_NAME_)
#undef VF_GSTATE_NAME_
};

const char *
vf_gstate_name(enum vf_gstate s)
{
	return (unsigned int)s <= VF_G_REVOKING ? gstate_names[s] : "?";
}

void
vf_alloc_conf_defaults(struct vf_alloc_conf *c)
{
	c->policy = VF_POL_FAIR;
#define VF_ALLOC_DEF_(f, lo, hi, def, help) c->f = def;
	VF_ALLOC_TUNABLES(VF_ALLOC_DEF_)
#undef VF_ALLOC_DEF_
}

/* A function, not an expression: a minimum of 0 is no warning then. */
static bool
in_range(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v >= lo && v <= hi;
}

int
vf_alloc_conf_set(struct vf_alloc_conf *c, const char *key, uint64_t v,
		  char *err, size_t errlen)
{
#define VF_ALLOC_SET_(f, lo, hi, def, help)                                   \
	if (strcmp(key, #f) == 0) {                                           \
		if (!in_range(v, lo, hi)) {                                   \
			snprintf(err, errlen, "%s: %" PRIu64 " is out of range "  \
				 "[%u, %u]", key, v, (unsigned int)(lo),      \
				 (unsigned int)(hi));                         \
			return -ERANGE;                                       \
		}                                                             \
		c->f = (unsigned int)v;                                       \
		return 0;                                                     \
	}
	VF_ALLOC_TUNABLES(VF_ALLOC_SET_)
#undef VF_ALLOC_SET_
	snprintf(err, errlen, "unknown key '%.32s' (known: interval_ms, "
		 "min_hold_ms, hysteresis_pct, max_moves, rate_window_ms)", key);
	return -ENOENT;
}

static bool
conf_ok(const struct vf_alloc_conf *c)
{
	char err[128];
	struct vf_alloc_conf t = *c;

	if ((unsigned int)c->policy >= VF_POL_COUNT)
		return false;
#define VF_ALLOC_CHK_(f, lo, hi, def, help) \
	if (vf_alloc_conf_set(&t, #f, c->f, err, sizeof(err)) < 0) \
		return false;
	VF_ALLOC_TUNABLES(VF_ALLOC_CHK_)
#undef VF_ALLOC_CHK_
	return true;
}

/* ---- the log ---- */

static void __attribute__((format(printf, 5, 6)))
log_event(struct vf_alloc *a, const struct guest *g, int slot, const char *what,
	  const char *fmt, ...)
{
	struct vf_log_entry *e = &a->log[a->log_head];
	va_list ap;

	memset(e, 0, sizeof(*e));
	e->ms = a->now_ms;
	e->round = a->round_no;
	snprintf(e->guest, sizeof(e->guest), "%s", g != NULL ? g->name : "-");
	snprintf(e->vf, sizeof(e->vf), "%s", slot >= 0 ? a->slots[slot].name : "-");
	snprintf(e->what, sizeof(e->what), "%s", what);
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	a->log_head = (a->log_head + 1) % VF_LOG_ENTRIES;
	if (a->log_n < VF_LOG_ENTRIES)
		a->log_n++;
	if (a->log_fn != NULL)
		a->log_fn(a->log_arg, e);
}

/* ---- create ---- */

struct vf_alloc *
vf_alloc_create(const struct vf_alloc_conf *c, const struct vf_slot *slots,
		unsigned int n_slots, unsigned int max_guests)
{
	struct vf_alloc *a;

	if (!conf_ok(c) || max_guests == 0 || (n_slots > 0 && slots == NULL)) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->conf = *c;
	a->n_slots = n_slots;
	a->cap = max_guests;
	a->slots = calloc(n_slots + 1, sizeof(*a->slots));
	a->owner = calloc(n_slots + 1, sizeof(*a->owner));
	a->g = calloc(max_guests, sizeof(*a->g));
	a->pol = calloc(max_guests, sizeof(*a->pol));
	a->scratch = calloc(VF_POL_SCRATCH(max_guests), sizeof(*a->scratch));
	a->dec = calloc(max_guests, sizeof(*a->dec));
	if (a->slots == NULL || a->owner == NULL || a->g == NULL || a->pol == NULL ||
	    a->scratch == NULL || a->dec == NULL) {
		vf_alloc_free(a);
		errno = ENOMEM;
		return NULL;
	}
	if (n_slots > 0)
		memcpy(a->slots, slots, n_slots * sizeof(*slots));
	for (unsigned int i = 0; i < n_slots; i++)
		a->owner[i] = NO_ONE;
	return a;
}

void
vf_alloc_free(struct vf_alloc *a)
{
	if (a == NULL)
		return;
	free(a->slots);
	free(a->owner);
	free(a->g);
	free(a->pol);
	free(a->scratch);
	free(a->dec);
	free(a);
}

size_t
vf_alloc_bytes_per_guest(void)
{
	return sizeof(struct guest) + sizeof(struct vf_pol_guest) +
	       VF_POL_SCRATCH(1) * sizeof(struct vf_pol_rank) +
	       sizeof(struct vf_pol_decision);
}

void
vf_alloc_set_actuator(struct vf_alloc *a, const struct vf_actuator *act)
{
	a->have_act = act != NULL;
	if (act != NULL)
		a->act = *act;
}

void
vf_alloc_set_logger(struct vf_alloc *a,
		    void (*fn)(void *arg, const struct vf_log_entry *e), void *arg)
{
	a->log_fn = fn;
	a->log_arg = arg;
}

const struct vf_alloc_conf *
vf_alloc_conf(const struct vf_alloc *a)
{
	return &a->conf;
}

void
vf_alloc_kick(struct vf_alloc *a)
{
	a->kicked = true;
}

int
vf_alloc_reconfigure(struct vf_alloc *a, const struct vf_alloc_conf *c)
{
	if (!conf_ok(c))
		return -EINVAL;
	a->conf = *c;
	a->next_round_ms = a->now_ms + c->interval_ms;
	vf_alloc_kick(a);
	return 0;
}

/* ---- guests ---- */

static int
find_any(const struct vf_alloc *a, const char *name)
{
	for (unsigned int i = 0; i < a->cap; i++)
		if (a->g[i].used && strcmp(a->g[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

int
vf_alloc_find(const struct vf_alloc *a, const char *name)
{
	int id = find_any(a, name);

	return id >= 0 && a->g[id].removed ? -ENOENT : id;
}

static bool
role_ok(unsigned int role)
{
	return role == VF_ROLE_ELIGIBLE || role == VF_ROLE_PINNED ||
	       role == VF_ROLE_EXCLUDED;
}

int
vf_alloc_guest_add(struct vf_alloc *a, const char *name, unsigned int role,
		   unsigned int weight)
{
	int id = find_any(a, name);
	struct guest *g;

	if (name == NULL || name[0] == '\0' || strlen(name) >= VF_NAME_MAX ||
	    !role_ok(role) || weight < 1 || weight > 1000)
		return -EINVAL;
	if (id >= 0)
		return a->g[id].removed ? -EBUSY : -EEXIST;
	for (id = 0; id < (int)a->cap && a->g[id].used; id++)
		;
	if (id == (int)a->cap)
		return -ENOSPC;
	g = &a->g[id];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->used = 1;
	g->cfg_role = (uint8_t)role;
	g->slot = NO_ONE;
	g->next = NO_ONE;
	g->now.source = VF_RATE_NONE;
	vf_rate_init(&g->rate);
	a->pol[id] = (struct vf_pol_guest){ .role = (uint8_t)role,
					    .weight = (uint16_t)weight };
	return id;
}

static void
drop_record(struct vf_alloc *a, int id)
{
	memset(&a->g[id], 0, sizeof(a->g[id]));
	memset(&a->pol[id], 0, sizeof(a->pol[id]));
	a->g[id].slot = NO_ONE;
	a->g[id].next = NO_ONE;
}

/* ---- operations ---- */

static void start_assign(struct vf_alloc *a, int id, int slot, const char *why);
static void start_revoke(struct vf_alloc *a, int id, int next, const char *why);

static void
op_time(struct vf_alloc *a, struct guest *g)
{
	uint64_t ms = a->now_ms - g->op_start_ms;

	a->st.switch_ms_total += ms;
	a->st.switch_ms_last = ms;
	if (ms > a->st.switch_ms_max)
		a->st.switch_ms_max = ms;
	g->last_switch_ms = ms;
}

static void
assign_done(struct vf_alloc *a, int id)
{
	struct guest *g = &a->g[id];

	g->state = VF_G_HELD;
	a->pol[id].holds = 1;
	a->pol[id].held_since_ms = a->now_ms;
	g->assigns++;
	a->st.assigns++;
	op_time(a, g);
	log_event(a, g, g->slot, "assigned", "in %" PRIu64 " ms", g->last_switch_ms);
}

static void
assign_failed(struct vf_alloc *a, int id, int rc, const char *err)
{
	struct guest *g = &a->g[id];

	snprintf(a->last_err, sizeof(a->last_err), "assign: %s (%s)",
		 err[0] != '\0' ? err : "actuator error", strerror(-rc));
	log_event(a, g, g->slot, "failed", "%s; the VF stays free", a->last_err);
	a->owner[g->slot] = NO_ONE;
	g->slot = NO_ONE;
	g->state = VF_G_IDLE;
	g->failures++;
	a->st.failures++;
	/* Left as it is, the policy would pick the same guest again and the
	 * VF would stay free for everyone: it sits out the next round. */
	g->backoff_round = a->st.rounds + 1;
}

/* The VF is back in the pool, or handed to the guest that waits for it. */
static void
revoke_done(struct vf_alloc *a, int id)
{
	struct guest *g = &a->g[id];
	int slot = g->slot, next = g->next;

	op_time(a, g);
	g->revokes++;
	a->st.revokes++;
	log_event(a, g, slot, "revoked", "in %" PRIu64 " ms", g->last_switch_ms);
	a->owner[slot] = NO_ONE;
	g->slot = NO_ONE;
	g->next = NO_ONE;
	g->state = VF_G_IDLE;
	a->pol[id].holds = 0;
	if (g->removed)
		drop_record(a, id);
	if (next != NO_ONE) {
		a->g[next].waiting = 0;
		start_assign(a, next, slot, "the VF just revoked");
	}
}

static void
revoke_failed(struct vf_alloc *a, int id, int rc, const char *err)
{
	struct guest *g = &a->g[id];

	snprintf(a->last_err, sizeof(a->last_err), "revoke: %s (%s)",
		 err[0] != '\0' ? err : "actuator error", strerror(-rc));
	log_event(a, g, g->slot, "failed", "%s; the guest keeps the VF", a->last_err);
	g->state = VF_G_HELD;
	g->failures++;
	a->st.failures++;
	if (g->next != NO_ONE) {
		a->g[g->next].waiting = 0;
		log_event(a, &a->g[g->next], g->slot, "dropped",
			  "its VF was to come from %s, whose revoke failed", g->name);
		g->next = NO_ONE;
	}
}

/* An operation's outcome: done, under way, or failed. */
static void
op_result(struct vf_alloc *a, int id, int rc, const char *err)
{
	struct guest *g = &a->g[id];
	bool assigning = g->state == VF_G_ASSIGNING;

	if (rc == 1)
		return;
	if (rc == 0)
		assigning ? assign_done(a, id) : revoke_done(a, id);
	else
		assigning ? assign_failed(a, id, rc, err) : revoke_failed(a, id, rc, err);
	/* A guest removed meanwhile: give back what it just got; a failed
	 * revoke is tried again at the next round. */
	if (assigning && g->used && g->removed && g->state == VF_G_HELD)
		start_revoke(a, id, NO_ONE, "guest removed");
	else if (g->used && g->removed && g->state == VF_G_IDLE)
		drop_record(a, id);
}

static void
start_assign(struct vf_alloc *a, int id, int slot, const char *why)
{
	struct guest *g = &a->g[id];
	char err[160] = "";
	int rc;

	if (g->removed) {
		log_event(a, g, slot, "dropped", "guest removed; the VF stays free");
		return;
	}
	a->owner[slot] = id;
	g->slot = slot;
	g->state = VF_G_ASSIGNING;
	g->op_start_ms = a->now_ms;
	log_event(a, g, slot, "assign", "%s", why);
	if (!a->have_act) {
		snprintf(err, sizeof(err), "no actuator");
		rc = -ENOTSUP;
	} else {
		rc = a->act.assign(a->act.ctx, g->name, &a->slots[slot], err, sizeof(err));
	}
	if (rc > 1)
		rc = -EPROTO;
	op_result(a, id, rc, err);
}

static void
start_revoke(struct vf_alloc *a, int id, int next, const char *why)
{
	struct guest *g = &a->g[id];
	char err[160] = "";
	int rc;

	g->state = VF_G_REVOKING;
	g->next = next;
	if (next != NO_ONE)
		a->g[next].waiting = 1;
	g->op_start_ms = a->now_ms;
	log_event(a, g, g->slot, "revoke", "%s", why);
	if (!a->have_act) {
		snprintf(err, sizeof(err), "no actuator");
		rc = -ENOTSUP;
	} else {
		rc = a->act.revoke(a->act.ctx, g->name, &a->slots[g->slot], err,
				   sizeof(err));
	}
	if (rc > 1)
		rc = -EPROTO;
	op_result(a, id, rc, err);
}

static void
poll_ops(struct vf_alloc *a)
{
	for (unsigned int i = 0; i < a->cap; i++) {
		struct guest *g = &a->g[i];
		char err[160] = "";
		int rc;

		if (!g->used || (g->state != VF_G_ASSIGNING && g->state != VF_G_REVOKING))
			continue;
		rc = a->have_act && a->act.poll != NULL ?
		     a->act.poll(a->act.ctx, g->name, a->now_ms, err, sizeof(err)) : 0;
		if (rc > 1)
			rc = -EPROTO;
		op_result(a, (int)i, rc, err);
	}
}

int
vf_alloc_guest_remove(struct vf_alloc *a, const char *name)
{
	int id = vf_alloc_find(a, name);
	struct guest *g;

	if (id < 0)
		return -ENOENT;
	g = &a->g[id];
	g->removed = 1;
	a->pol[id].role = VF_ROLE_NONE;
	if (g->waiting) {
		/* Whoever was to hand it a VF hands it to the pool instead. */
		for (unsigned int i = 0; i < a->cap; i++)
			if (a->g[i].used && a->g[i].next == id)
				a->g[i].next = NO_ONE;
		g->waiting = 0;
	}
	if (g->state == VF_G_HELD)
		start_revoke(a, id, NO_ONE, "guest removed");
	else if (g->state == VF_G_IDLE)
		drop_record(a, id);
	/* Under way: finished by the tick (an assign is then revoked). */
	return 0;
}

/* Removed guests whose operation ended with the VF still theirs. */
static void
release_removed(struct vf_alloc *a)
{
	for (unsigned int i = 0; i < a->cap; i++)
		if (a->g[i].used && a->g[i].removed && a->g[i].state == VF_G_HELD)
			start_revoke(a, (int)i, NO_ONE, "guest removed");
}

/* ---- rates ---- */

int
vf_alloc_host_counters(struct vf_alloc *a, unsigned int id,
		       const struct vf_counters *c, uint64_t now_ms)
{
	if (id >= a->cap || !a->g[id].used || a->g[id].removed)
		return -ENOENT;
	if (c->source >= VF_RATE_GUEST_REPORT)
		return -EINVAL;
	vf_rate_feed(&a->g[id].rate, c, now_ms, a->conf.rate_window_ms);
	return 0;
}

int
vf_alloc_guest_report(struct vf_alloc *alloc, const char *guest,
		      const struct vf_counters *c)
{
	int id = vf_alloc_find(alloc, guest);
	struct vf_counters rep;
	struct guest *g;
	enum vf_sample_result res;

	if (id < 0)
		return -ENOENT;
	g = &alloc->g[id];
	if (g->reported && alloc->now_ms - g->last_report_ms < VF_REPORT_MIN_MS) {
		g->reports_refused++;
		alloc->st.reports_refused++;
		return -EAGAIN;
	}
	rep = (struct vf_counters){ .pkts = c->pkts, .bytes = c->bytes,
				    .source = VF_RATE_GUEST_REPORT };
	g->reported = 1;
	g->last_report_ms = alloc->now_ms;
	res = vf_rate_feed(&g->rate, &rep, alloc->now_ms, alloc->conf.rate_window_ms);
	if (res == VF_SAMPLE_RESET || res == VF_SAMPLE_TOO_FAST) {
		g->reports_refused++;
		alloc->st.reports_refused++;
		return -ERANGE;
	}
	g->reports++;
	alloc->st.reports++;
	return 0;
}

/* Holders' VF-path counters, from the actuator, at every tick. */
static bool
sample_vf_path(struct vf_alloc *a, int id)
{
	struct guest *g = &a->g[id];
	struct vf_counters c = { .source = VF_RATE_NONE };

	if (g->state != VF_G_HELD || !a->have_act || a->act.vf_counters == NULL)
		return g->state != VF_G_HELD;
	if (a->act.vf_counters(a->act.ctx, g->name, &a->slots[g->slot], &c) < 0 ||
	    (c.source != VF_RATE_HOST_VFPORT && c.source != VF_RATE_HOST_PF))
		return false;
	vf_rate_feed(&g->rate, &c, a->now_ms, a->conf.rate_window_ms);
	return true;
}

static void
sample_all(struct vf_alloc *a)
{
	for (unsigned int i = 0; i < a->cap; i++) {
		struct guest *g = &a->g[i];
		bool covered;

		if (!g->used)
			continue;
		covered = sample_vf_path(a, (int)i);
		vf_rate_eval(&g->rate, a->now_ms, a->conf.rate_window_ms, covered,
			     &g->now);
	}
}

/* ---- rounds ---- */

static void
pol_inputs(struct vf_alloc *a)
{
	for (unsigned int i = 0; i < a->cap; i++) {
		const struct guest *g = &a->g[i];
		struct vf_pol_guest *p = &a->pol[i];

		p->rate = g->used ? g->now.pps : 0;
		p->holds = g->used && (g->state == VF_G_HELD);
		p->busy = g->used && (g->state == VF_G_ASSIGNING ||
				      g->state == VF_G_REVOKING || g->waiting ||
				      g->removed || a->st.rounds <= g->backoff_round);
	}
}

static unsigned int
free_slots(const struct vf_alloc *a)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < a->n_slots; i++)
		n += a->owner[i] == NO_ONE;
	return n;
}

static int
first_free_slot(const struct vf_alloc *a)
{
	for (unsigned int i = 0; i < a->n_slots; i++)
		if (a->owner[i] == NO_ONE)
			return (int)i;
	return NO_ONE;
}

static void
carry_out(struct vf_alloc *a, const struct vf_pol_decision *d)
{
	int id = (int)d->guest;
	int slot;

	if (d->action == VF_POL_REVOKE) {
		if (a->g[id].state == VF_G_HELD)
			start_revoke(a, id, d->other == VF_POL_NONE ? NO_ONE :
				     (int)d->other, d->reason);
		return;
	}
	if (d->other != VF_POL_NONE)
		return;		/* its VF comes with the paired revoke */
	slot = first_free_slot(a);
	if (slot == NO_ONE || a->g[id].state != VF_G_IDLE || a->g[id].waiting)
		return;
	start_assign(a, id, slot, d->reason);
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
run_round(struct vf_alloc *a)
{
	struct vf_pol_conf pc = { .kind = a->conf.policy,
				  .min_hold_ms = a->conf.min_hold_ms,
				  .hysteresis_pct = a->conf.hysteresis_pct,
				  .max_moves = a->conf.max_moves };
	struct vf_pol_round r = { .now_ms = a->now_ms, .last_ms = a->last_round_ms };
	uint64_t t0 = mono_ns(), ns;
	unsigned int n;

	a->round_no = ++a->st.rounds;
	release_removed(a);
	sample_all(a);
	pol_inputs(a);
	r.free_vfs = free_slots(a);
	n = vf_policy_round(&pc, a->pol, a->cap, &r, a->scratch, a->dec);
	a->st.decisions += n;
	for (unsigned int i = 0; i < n; i++) {
		const struct vf_pol_decision *d = &a->dec[i];

		/* A swap's challenger: say why now; its assign comes when the
		 * revoke completes, perhaps rounds later. */
		if (d->action == VF_POL_REVOKE && d->other != VF_POL_NONE &&
		    i + 1 < n && a->dec[i + 1].guest == d->other &&
		    a->g[d->guest].state == VF_G_HELD)
			log_event(a, &a->g[d->other], a->g[d->guest].slot, "chosen", "%s",
				  a->dec[i + 1].reason);
		carry_out(a, d);
	}
	a->last_round_ms = a->now_ms;
	a->round_no = 0;
	ns = mono_ns() - t0;
	a->st.round_ns_last = ns;
	if (ns > a->st.round_ns_max)
		a->st.round_ns_max = ns;
}

void
vf_alloc_tick(struct vf_alloc *a, uint64_t now_ms)
{
	if (now_ms > a->now_ms)
		a->now_ms = now_ms;
	poll_ops(a);
	if (a->kicked || a->now_ms >= a->next_round_ms) {
		a->kicked = false;
		a->next_round_ms = a->now_ms + a->conf.interval_ms;
		run_round(a);
	} else {
		sample_all(a);
	}
}

/* ---- the operator ---- */

int
vf_alloc_assign(struct vf_alloc *a, const char *guest, char *err, size_t errlen)
{
	int id = vf_alloc_find(a, guest), slot;
	struct guest *g;

	snprintf(err, errlen, "-");
	if (id < 0)
		return -ENOENT;
	g = &a->g[id];
	if (g->state == VF_G_HELD)
		return -EEXIST;
	if (g->state != VF_G_IDLE || g->waiting)
		return -EBUSY;
	slot = first_free_slot(a);
	if (slot == NO_ONE)
		return -ENOSPC;
	start_assign(a, id, slot, "operator: vf assign");
	if (g->state == VF_G_IDLE) {
		snprintf(err, errlen, "%s", a->last_err);
		return -EIO;
	}
	return g->state == VF_G_HELD ? 0 : 1;
}

int
vf_alloc_release(struct vf_alloc *a, const char *guest, char *err, size_t errlen)
{
	int id = vf_alloc_find(a, guest);
	struct guest *g;

	snprintf(err, errlen, "-");
	if (id < 0)
		return -ENOENT;
	g = &a->g[id];
	if (g->state == VF_G_IDLE && !g->waiting)
		return -EINVAL;
	if (g->state != VF_G_HELD)
		return -EBUSY;
	start_revoke(a, id, NO_ONE, "operator: vf release");
	if (g->state == VF_G_HELD) {
		snprintf(err, errlen, "%s", a->last_err);
		return -EIO;
	}
	return g->state == VF_G_IDLE ? 0 : 1;
}

int
vf_alloc_set_role(struct vf_alloc *a, const char *guest, unsigned int role)
{
	int id = vf_alloc_find(a, guest);

	if (id < 0)
		return -ENOENT;
	if (!role_ok(role))
		return -EINVAL;
	a->pol[id].role = (uint8_t)role;
	log_event(a, &a->g[id], a->g[id].slot, "role", "operator: now %s",
		  vf_role_name(role));
	vf_alloc_kick(a);
	return 0;
}

/* ---- reports ---- */

const struct vf_alloc_stats *
vf_alloc_stats(const struct vf_alloc *a)
{
	return &a->st;
}

unsigned int
vf_alloc_n_slots(const struct vf_alloc *a)
{
	return a->n_slots;
}

unsigned int
vf_alloc_n_held(const struct vf_alloc *a)
{
	return a->n_slots - free_slots(a);
}

int
vf_alloc_slot(const struct vf_alloc *a, unsigned int i, struct vf_slot *s,
	      char *owner, size_t len, enum vf_gstate *state)
{
	int o;

	if (i >= a->n_slots)
		return -ENOENT;
	o = a->owner[i];
	*s = a->slots[i];
	snprintf(owner, len, "%s", o == NO_ONE ? "" : a->g[o].name);
	*state = o == NO_ONE ? VF_G_IDLE : (enum vf_gstate)a->g[o].state;
	return 0;
}

static void
info_of(const struct vf_alloc *a, int id, struct vf_alloc_guest_info *o)
{
	const struct guest *g = &a->g[id];
	const struct vf_pol_guest *p = &a->pol[id];

	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", g->name);
	snprintf(o->vf, sizeof(o->vf), "%s", g->slot >= 0 ? a->slots[g->slot].name : "");
	o->role = p->role;
	o->cfg_role = g->cfg_role;
	o->state = (enum vf_gstate)g->state;
	o->waiting = g->waiting;
	o->removed = g->removed;
	o->weight = p->weight;
	o->rate = g->now;
	o->held_ms = g->state == VF_G_HELD ? a->now_ms - p->held_since_ms : 0;
	o->service_ms = p->vtime / VF_POL_WSCALE;
	o->assigns = g->assigns;
	o->revokes = g->revokes;
	o->failures = g->failures;
	o->last_switch_ms = g->last_switch_ms;
	o->reports = g->reports;
	o->reports_refused = g->reports_refused;
}

unsigned int
vf_alloc_guests(const struct vf_alloc *a, struct vf_alloc_guest_info *out,
		unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < a->cap && n < max; i++)
		if (a->g[i].used)
			info_of(a, (int)i, &out[n++]);
	return n;
}

int
vf_alloc_guest_info(const struct vf_alloc *a, const char *name,
		    struct vf_alloc_guest_info *out)
{
	int id = find_any(a, name);

	if (id < 0)
		return -ENOENT;
	info_of(a, id, out);
	return 0;
}

unsigned int
vf_alloc_log(const struct vf_alloc *a, struct vf_log_entry *out, unsigned int max)
{
	unsigned int n = a->log_n < max ? a->log_n : max;
	unsigned int first = (a->log_head + VF_LOG_ENTRIES - n) % VF_LOG_ENTRIES;

	for (unsigned int k = 0; k < n; k++)
		out[k] = a->log[(first + k) % VF_LOG_ENTRIES];
	return n;
}
