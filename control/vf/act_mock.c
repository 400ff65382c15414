/* SPDX-License-Identifier: BSD-3-Clause */
/* The mock actuator: books of its own, scripted failures and delays. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act_mock.h"

enum mock_op { OP_NONE, OP_ASSIGN, OP_REVOKE };

struct mock_hold {
	char guest[VF_NAME_MAX];	/* "" : entry free */
	char vf[VF_NAME_MAX];
	enum mock_op op;
	unsigned int polls_left;
};

struct mock_knob {
	char guest[VF_NAME_MAX];
	struct vf_mock_knob k;
};

struct vf_mock {
	unsigned int max;
	unsigned int n_knobs;
	struct vf_mock_stats st;
	struct mock_hold *holds;
	struct mock_knob *knobs;
};

struct vf_mock *
vf_mock_create(unsigned int max)
{
	struct vf_mock *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->max = max;
	m->holds = calloc(max, sizeof(*m->holds));
	m->knobs = calloc(max, sizeof(*m->knobs));
	if (m->holds == NULL || m->knobs == NULL) {
		vf_mock_free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

void
vf_mock_free(struct vf_mock *m)
{
	if (m == NULL)
		return;
	free(m->holds);
	free(m->knobs);
	free(m);
}

static const struct vf_mock_knob *
knob_of(const struct vf_mock *m, const char *guest)
{
	static const struct vf_mock_knob none;

	for (unsigned int i = 0; i < m->n_knobs; i++)
		if (strcmp(m->knobs[i].guest, guest) == 0)
			return &m->knobs[i].k;
	return &none;
}

int
vf_mock_knob(struct vf_mock *m, const char *guest, const struct vf_mock_knob *k)
{
	for (unsigned int i = 0; i < m->n_knobs; i++)
		if (strcmp(m->knobs[i].guest, guest) == 0) {
			m->knobs[i].k = *k;
			return 0;
		}
	if (m->n_knobs == m->max)
		return -ENOSPC;
	snprintf(m->knobs[m->n_knobs].guest, VF_NAME_MAX, "%s", guest);
	m->knobs[m->n_knobs++].k = *k;
	return 0;
}

static struct mock_hold *
hold_by(struct vf_mock *m, const char *guest, const char *vf)
{
	for (unsigned int i = 0; i < m->max; i++) {
		struct mock_hold *h = &m->holds[i];

		if (h->guest[0] != '\0' &&
		    (guest == NULL || strcmp(h->guest, guest) == 0) &&
		    (vf == NULL || strcmp(h->vf, vf) == 0))
			return h;
	}
	return NULL;
}

static void
unhold(struct vf_mock *m, struct mock_hold *h)
{
	h->guest[0] = '\0';
	h->op = OP_NONE;
	m->st.held--;
}

static int
mock_assign(void *ctx, const char *guest, const struct vf_slot *vf, char *err,
	    size_t errlen)
{
	struct vf_mock *m = ctx;
	const struct vf_mock_knob *k = knob_of(m, guest);
	struct mock_hold *h;

	m->st.assigns++;
	if (hold_by(m, NULL, vf->name) != NULL || hold_by(m, guest, NULL) != NULL) {
		m->st.violations++;
		snprintf(err, errlen, "mock: %s is held already, or %s holds one",
			 vf->name, guest);
		return -EBUSY;
	}
	if (k->assign_rc < 0) {
		snprintf(err, errlen, "mock: assign of %s refused", vf->name);
		return k->assign_rc;
	}
	h = NULL;
	for (unsigned int i = 0; h == NULL && i < m->max; i++)
		if (m->holds[i].guest[0] == '\0')
			h = &m->holds[i];
	if (h == NULL) {
		snprintf(err, errlen, "mock: out of entries");
		return -ENOSPC;
	}
	snprintf(h->guest, sizeof(h->guest), "%s", guest);
	snprintf(h->vf, sizeof(h->vf), "%s", vf->name);
	h->op = k->polls > 0 ? OP_ASSIGN : OP_NONE;
	h->polls_left = k->polls;
	m->st.held++;
	return k->polls > 0 ? 1 : 0;
}

static int
mock_revoke(void *ctx, const char *guest, const struct vf_slot *vf, char *err,
	    size_t errlen)
{
	struct vf_mock *m = ctx;
	const struct vf_mock_knob *k = knob_of(m, guest);
	struct mock_hold *h = hold_by(m, guest, vf->name);

	m->st.revokes++;
	if (h == NULL || h->op != OP_NONE) {
		m->st.violations++;
		snprintf(err, errlen, "mock: %s does not hold %s", guest, vf->name);
		return -ENOENT;
	}
	if (k->revoke_rc < 0) {
		snprintf(err, errlen, "mock: revoke of %s refused", vf->name);
		return k->revoke_rc;
	}
	if (k->polls == 0) {
		unhold(m, h);
		return 0;
	}
	h->op = OP_REVOKE;
	h->polls_left = k->polls;
	return 1;
}

static int
mock_poll(void *ctx, const char *guest, uint64_t now_ms, char *err, size_t errlen)
{
	struct vf_mock *m = ctx;
	struct mock_hold *h = hold_by(m, guest, NULL);
	int rc;

	(void)now_ms;
	m->st.polls++;
	if (h == NULL || h->op == OP_NONE) {
		m->st.violations++;
		snprintf(err, errlen, "mock: nothing under way for %s", guest);
		return -ENOENT;
	}
	if (--h->polls_left > 0)
		return 1;
	rc = knob_of(m, guest)->poll_rc;
	if (rc < 0) {
		snprintf(err, errlen, "mock: %s of %s timed out",
			 h->op == OP_ASSIGN ? "assign" : "revoke", h->vf);
		if (h->op == OP_ASSIGN)
			unhold(m, h);
		else
			h->op = OP_NONE;	/* the guest keeps it */
		return rc;
	}
	if (h->op == OP_REVOKE)
		unhold(m, h);
	else
		h->op = OP_NONE;
	return 0;
}

static int
mock_counters(void *ctx, const char *guest, const struct vf_slot *vf,
	      struct vf_counters *out)
{
	struct vf_mock *m = ctx;
	const struct vf_mock_knob *k = knob_of(m, guest);

	(void)vf;
	if (!k->has_counters)
		return -ENOENT;
	*out = k->counters;
	return 0;
}

void
vf_mock_actuator(struct vf_mock *m, struct vf_actuator *out)
{
	*out = (struct vf_actuator){ .name = "mock", .assign = mock_assign,
				     .revoke = mock_revoke, .poll = mock_poll,
				     .vf_counters = mock_counters, .ctx = m };
}

const struct vf_mock_stats *
vf_mock_stats(const struct vf_mock *m)
{
	return &m->st;
}

const char *
vf_mock_holding(const struct vf_mock *m, const char *guest)
{
	const struct mock_hold *h = hold_by((struct vf_mock *)m, guest, NULL);

	return h != NULL ? h->vf : NULL;
}
