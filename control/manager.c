/* SPDX-License-Identifier: BSD-3-Clause */
/* The function manager: negotiate, activate, release. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <hostlane/proto.h>

#include "accel.h"
#include "manager.h"

struct mgr_session {
	uint16_t gen;		/**< bumped on every reservation of the slot */
	uint16_t fn;
	uint8_t used;
	uint8_t asked;		/**< enum hl_placement asked for at open */
};

struct mgr_guest {
	const struct dp_guest_conf *conf;
	uint32_t dead_epoch;	/**< connections up to this one are gone */
	unsigned int n_open;
	struct mgr_session s[DP_MAX_SESSIONS];
};

struct ctl_mgr {
	const struct dp_config *cfg;
	bool hw_paused;			/**< see ctl_mgr_hw_pause() */
	unsigned int fn_open[FPGA_FN_COUNT + 1];
	unsigned int n_g;		/**< cfg->max_guests: a book per slot */
	struct mgr_guest *g;
};

struct ctl_mgr *
ctl_mgr_create(const struct dp_config *cfg)
{
	struct ctl_mgr *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->g = calloc(cfg->max_guests, sizeof(*m->g));
	if (m->g == NULL) {
		free(m);
		return NULL;
	}
	m->cfg = cfg;
	m->n_g = cfg->max_guests;
	for (unsigned int i = 0; i < m->n_g; i++)
		m->g[i].conf = &cfg->guests[i];
	return m;
}

void
ctl_mgr_free(struct ctl_mgr *m)
{
	if (m == NULL)
		return;
	free(m->g);
	free(m);
}

static void
release(struct ctl_mgr *m, struct mgr_guest *g, unsigned int slot)
{
	struct mgr_session *s = &g->s[slot];

	if (!s->used)
		return;
	s->used = 0;
	g->n_open--;
	m->fn_open[s->fn]--;
}

static void
release_all(struct ctl_mgr *m, struct mgr_guest *g)
{
	for (unsigned int i = 0; i < DP_MAX_SESSIONS; i++)
		release(m, g, i);
}

/* The reservation a guest names, or NULL if stale or forged. */
static struct mgr_session *
find(struct mgr_guest *g, uint32_t id)
{
	uint32_t slot = DP_SESSION_SLOT(id);

	if (slot >= g->conf->max_sessions || !g->s[slot].used ||
	    DP_SESSION_ID(g->s[slot].gen, slot) != id)
		return NULL;
	return &g->s[slot];
}

static enum hl_status
open_check(const struct ctl_mgr *m, const struct mgr_guest *g, enum fpga_fn_id fn)
{
	if (fn == FPGA_FN_NONE)
		return HL_E_UNKNOWN_FN;
	if (!(g->conf->fn_allowed & FPGA_FN_BIT(fn)))
		return HL_E_PERM;
	if (m->fn_open[fn] >= m->cfg->function_capacity)
		return HL_E_NO_CAPACITY;
	if (g->n_open >= g->conf->max_sessions)
		return HL_E_QUOTA;
	return HL_OK;
}

static void
do_open(struct ctl_mgr *m, struct mgr_guest *g, struct dp_fnmsg *msg)
{
	enum fpga_fn_id fn = fpga_fn_lookup(msg->name);
	unsigned int slot;

	msg->status = open_check(m, g, fn);
	if (msg->status != HL_OK)
		return;
	for (slot = 0; g->s[slot].used; slot++)
		;
	g->s[slot] = (struct mgr_session){ .gen = g->s[slot].gen + 1, .fn = fn,
					   .used = 1, .asked = msg->placement };
	if (g->s[slot].gen == 0)
		g->s[slot].gen = 1;
	g->n_open++;
	m->fn_open[fn]++;
	msg->fn = fn;
	msg->new_session = DP_SESSION_ID(g->s[slot].gen, slot);
}

/* Index of a backend in the fpga registry (the I/O lcores' context index). */
static int
backend_index(const struct fpga_backend_ops *be)
{
	for (unsigned int i = 0; fpga_backend_get(i) != NULL; i++)
		if (fpga_backend_get(i) == be)
			return (int)i;
	return -1;
}

static void
do_activate(const struct ctl_mgr *m, struct mgr_guest *g, struct dp_fnmsg *msg)
{
	struct mgr_session *s = find(g, msg->session);
	const struct fpga_backend_ops *be;
	enum fpga_place place = FPGA_PLACE_NONE;

	if (s == NULL) {
		msg->status = HL_E_BAD_SESSION;
		return;
	}
	be = fpga_backend_place(s->fn, s->asked != HL_PLACE_SW, &place);
	if (be == NULL || (s->asked == HL_PLACE_HW && place != FPGA_PLACE_HW)) {
		msg->status = m->hw_paused && s->asked != HL_PLACE_SW ?
			      HL_E_BUSY : HL_E_HW_UNAVAIL;
		return;
	}
	msg->status = HL_OK;
	msg->placed = place == FPGA_PLACE_HW ? HL_PLACE_HW : HL_PLACE_SW;
	msg->backend = (uint8_t)backend_index(be);
}

void
ctl_mgr_handle(struct ctl_mgr *m, struct dp_fnmsg *msg)
{
	struct mgr_guest *g;

	if (msg->guest >= m->cfg->n_guests) {
		msg->status = HL_E_INTERNAL;
		return;
	}
	g = &m->g[msg->guest];
	if (msg->epoch <= g->dead_epoch) {
		msg->status = HL_E_BAD_SESSION;
		return;
	}
	msg->status = HL_OK;
	switch (msg->op) {
	case DP_FNMSG_OPEN:
		do_open(m, g, msg);
		break;
	case DP_FNMSG_ACTIVATE:
		do_activate(m, g, msg);
		break;
	case DP_FNMSG_CLOSE:
		if (find(g, msg->session) == NULL)
			msg->status = HL_E_BAD_SESSION;
		else
			release(m, g, DP_SESSION_SLOT(msg->session));
		break;
	case DP_FNMSG_BYE:
		release_all(m, g);
		break;
	default:
		msg->status = HL_E_INTERNAL;
	}
}

void
ctl_mgr_guest_added(struct ctl_mgr *m, unsigned int guest)
{
	if (guest < m->n_g)
		release_all(m, &m->g[guest]);
}

void
ctl_mgr_guest_gone(struct ctl_mgr *m, unsigned int guest, uint32_t epoch)
{
	if (guest >= m->cfg->n_guests)
		return;
	release_all(m, &m->g[guest]);
	if (epoch > m->g[guest].dead_epoch)
		m->g[guest].dead_epoch = epoch;
}

void
ctl_mgr_hw_pause(struct ctl_mgr *m, bool paused)
{
	m->hw_paused = paused;
}

unsigned int
ctl_mgr_sessions(const struct ctl_mgr *m, unsigned int guest)
{
	return guest < m->cfg->n_guests ? m->g[guest].n_open : 0;
}

unsigned int
ctl_mgr_fn_sessions(const struct ctl_mgr *m, unsigned int fn)
{
	return fn <= FPGA_FN_COUNT ? m->fn_open[fn] : 0;
}

unsigned int
ctl_mgr_session_list(const struct ctl_mgr *m, unsigned int guest,
		     struct ctl_mgr_session *out, unsigned int max)
{
	const struct mgr_guest *g;
	unsigned int n = 0;

	if (guest >= m->cfg->n_guests)
		return 0;
	g = &m->g[guest];
	/* Up to the last open one: snapshots ask for every guest, each tick. */
	for (unsigned int i = 0; i < DP_MAX_SESSIONS && n < max && n < g->n_open; i++)
		if (g->s[i].used)
			out[n++] = (struct ctl_mgr_session){
				.id = DP_SESSION_ID(g->s[i].gen, i),
				.fn = g->s[i].fn, .asked = g->s[i].asked };
	return n;
}
