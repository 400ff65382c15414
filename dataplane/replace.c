/* SPDX-License-Identifier: BSD-3-Clause */
/* Re-placing sessions after a reconfiguration: mailbox and its application. */
#include <errno.h>

#include "app.h"
#include "replace.h"

static struct dp_guest *
guest_of(struct dp_io_lcore *lc, uint16_t idx)
{
	/* As poll_once(): the main lcore may be adding or removing guests.
	 * Only connected guests have sessions to re-place. */
	unsigned int n = __atomic_load_n(&lc->n_poll, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++) {
		struct dp_guest *g = __atomic_load_n(&lc->poll[i], __ATOMIC_RELAXED);

		if (g->idx == idx)
			return g;
	}
	return NULL;
}

/* One order, if the session is this lcore's and on the backend. */
static void
apply_one(struct dp_io_lcore *lc, const struct dp_replace_list *l,
	  const struct dp_replace *r)
{
	struct dp_guest *g = guest_of(lc, r->guest);
	struct dp_session *s;

	/* No table: polled for its VF only, never connected. */
	if (g == NULL || g->pl.sessions == NULL)
		return;
	s = dp_session_find(g->pl.sessions, g->conf->max_sessions, r->session);
	if (s == NULL || s->state != DP_SESSION_ACTIVE ||
	    s->backend != l->from_backend)
		return;
	if (r->action == DP_REPLACE_SW) {
		s->backend = l->sw_backend;
		s->placement = HL_PLACE_SW;
		lc->replace.moved_sw++;
	} else {
		s->state = DP_SESSION_OPEN;
		s->unplaced = 1;
		lc->replace.unplaced++;
	}
}

void
dp_replace_apply(struct dp_io_lcore *lc)
{
	struct dp_replace_box *b = &lc->replace;
	uint32_t req = __atomic_load_n(&b->req, __ATOMIC_ACQUIRE);
	const struct dp_replace_list *l = b->list;

	b->moved_sw = 0;
	b->unplaced = 0;
	for (uint32_t i = 0; l != NULL && i < l->n; i++)
		apply_one(lc, l, &l->items[i]);
	/* Release: the counters and session changes before the ack. */
	__atomic_store_n(&b->ack, req, __ATOMIC_RELEASE);
}

int
dp_replace_post(struct dp_app *app, const struct dp_replace_list *list)
{
	if (!dp_replace_done(app, NULL, NULL))
		return -EBUSY;
	for (unsigned int i = 0; i < app->n_io; i++) {
		struct dp_replace_box *b = &app->io[i].replace;

		b->list = list;
		/* Release: the list before the request that names it. */
		__atomic_store_n(&b->req, b->req + 1, __ATOMIC_RELEASE);
		dp_lcore_wake(&app->io[i]);
	}
	return 0;
}

bool
dp_replace_done(struct dp_app *app, uint32_t *moved_sw, uint32_t *unplaced)
{
	uint32_t sw = 0, un = 0;

	for (unsigned int i = 0; i < app->n_io; i++) {
		struct dp_replace_box *b = &app->io[i].replace;

		if (__atomic_load_n(&b->ack, __ATOMIC_ACQUIRE) != b->req)
			return false;
		sw += b->moved_sw;
		un += b->unplaced;
	}
	if (moved_sw != NULL)
		*moved_sw = sw;
	if (unplaced != NULL)
		*unplaced = un;
	return true;
}
