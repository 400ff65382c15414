/* SPDX-License-Identifier: BSD-3-Clause */
/* `guest move` and `lcore rebalance`: start moves (dataplane/move.h), reply when they end. */
#include <errno.h>
#include <string.h>

#include "ctl_cmds.h"
#include "move.h"

/* A client waits for the records of the request it started; `guest
 * move` (single) or `lcore rebalance`. */
static bool waiting, single;

static enum ctl_err
errno_err(int rc)
{
	switch (rc) {
	case -EINVAL:
	case -ENOTCONN:
		return CTL_E_BAD_ARGS;
	case -ENOENT:
		return CTL_E_NOT_FOUND;
	case -EALREADY:
		return CTL_E_EXISTS;
	case -EBUSY:
	case -EAGAIN:
		return CTL_E_BUSY;
	case -ENOTSUP:
		return CTL_E_UNSUPPORTED;
	case -ENOSPC:
		return CTL_E_NO_SPACE;
	case -ETIMEDOUT:
		return CTL_E_TIMEOUT;
	default:
		return CTL_E_INTERNAL;
	}
}

/* Another deferred reply (fpga load) is owed: one waiter at a time. */
static bool
other_waits(struct ctl_reply *r)
{
	if (!ctl_fpga_busy() && !waiting)
		return false;
	ctl_fail(r, CTL_E_BUSY, "%s: try again when it has ended",
		 waiting ? "a move is already under way" : "an fpga load is under way");
	return true;
}

enum ctl_err
ctl_cmd_guest_move(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "name");
	json_int_t lcore = json_integer_value(json_object_get(args, "lcore"));
	struct dp_guest *g = dp_app_guest_find(c->app, name);
	int rc;

	if (g == NULL)
		return ctl_fail(r, CTL_E_NOT_FOUND, "no guest '%.64s'", name);
	if (lcore < 0 || lcore >= RTE_MAX_LCORE)
		return ctl_fail(r, CTL_E_BAD_ARGS, "lcore %lld is not an I/O lcore",
				(long long)lcore);
	if (other_waits(r))
		return CTL_E_BUSY;
	rc = dp_move_guest(c->app, g, (unsigned int)lcore, r->msg, sizeof(r->msg));
	if (rc < 0)
		return errno_err(rc);
	waiting = single = true;
	c->deferred = true;	/* the reply comes from ctl_move_poll() */
	return CTL_OK;
}

enum ctl_err
ctl_cmd_lcore_rebalance(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	int n;

	(void)args;
	if (other_waits(r))
		return CTL_E_BUSY;
	n = dp_move_rebalance(c->app, true, r->msg, sizeof(r->msg));
	if (n < 0)
		return errno_err(n);
	waiting = true;
	single = false;
	c->deferred = true;
	return CTL_OK;
}

static json_t *
rec_json(const struct dp_app *app, const struct dp_move_rec *m)
{
	json_t *o = json_pack("{s:s, s:i, s:i, s:I, s:I}",
		"guest", app->cfg->guests[m->guest].name, "from", (int)m->from,
		"to", (int)m->to, "busy_cycles_last", (json_int_t)m->busy,
		"ms", (json_int_t)m->ms);

	if (o != NULL && m->rc != 0)
		json_object_set_new(o, "error", json_string(m->why));
	return o;
}

/* `guest move`: the one record, an error line if it failed. */
static char *
single_reply(const struct dp_app *app, const struct dp_move_rec *m)
{
	if (m->rc != 0)
		return ctl_error_line(errno_err(m->rc), m->why);
	return ctl_result_line(rec_json(app, m));
}

char *
ctl_move_poll(struct ctl_ctx *c)
{
	const struct dp_move_rec *recs;
	json_t *moved, *failed;
	unsigned int n;

	if (!waiting || !dp_move_done(&recs, &n))
		return NULL;
	waiting = false;
	if (single && n == 1)
		return single_reply(c->app, &recs[0]);
	moved = json_array();
	failed = json_array();
	for (unsigned int i = 0; moved != NULL && failed != NULL && i < n; i++)
		json_array_append_new(recs[i].rc == 0 ? moved : failed,
				      rec_json(c->app, &recs[i]));
	return ctl_result_line(json_pack("{s:o*, s:o*}", "moved", moved,
					 "failed", failed));
}

bool
ctl_move_busy(void)
{
	return waiting || dp_move_busy();
}
