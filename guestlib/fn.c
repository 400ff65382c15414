/* SPDX-License-Identifier: BSD-3-Clause */
/* The function API: open, activate, call, set/get/reset, close, submit,
 * and re-opening functions after a reconnect. */
#include <stdlib.h>
#include <string.h>

#include "hl_conn.h"

static int
fn_check(const struct hl_fn *fn)
{
	return fn == NULL ? HL_E_INVAL : hl_conn_check(fn->conn);
}

/* fn may be used: right thread, a live connection (reconnected if the
 * policy says so: the reconnect re-opens fn, fn_revive_all()), and fn not
 * lost on the way. */
static int
fn_ready(struct hl_fn *fn)
{
	int rc = fn_check(fn);

	if (rc == HL_OK)
		rc = hl_conn_ensure(fn->conn);
	if (rc == HL_OK && fn->lost)
		rc = HL_E_SESSION_LOST;
	return rc;
}

/* One synchronous request on fn's session. */
static int
fn_request(struct hl_fn *fn, struct hl_req *r, struct hl_result *res)
{
	int rc = fn_ready(fn);

	if (rc != HL_OK) {
		memset(res, 0, sizeof(*res));
		return rc;
	}
	r->session = fn->session;
	return hl_conn_call(fn->conn, r, res);
}

static uint8_t
placement_parse(uint64_t v)
{
	return v == HL_PLACE_HW || v == HL_PLACE_SW ? (uint8_t)v : HL_PLACE_ANY;
}

/* The host refused to give fn a session again: it is lost for good. */
static int
fn_lose(struct hl_fn *fn)
{
	fn->lost = 1;
	return HL_E_SESSION_LOST;
}

/* Re-open (and re-activate) fn on the current transport. Only a host's
 * answer loses it; a local failure fails the reconnect, which is retried. */
static int
fn_revive(struct hl_fn *fn)
{
	struct hl_fn_open p = { .placement = fn->want };
	struct hl_req r = { .opcode = HL_OP_FN_OPEN, .in = &p, .in_len = sizeof(p) };
	struct hl_result res;
	int rc;

	if (fn->lost || fn->epoch == fn->conn->epoch)
		return fn->lost ? HL_E_SESSION_LOST : HL_OK;
	/* The input it was given is gone with the old host: a get would
	 * answer WAIT, and the application could wait for ever. */
	if (fn->set_pending)
		return fn_lose(fn);
	memcpy(p.name, fn->name, sizeof(p.name));
	rc = hl_conn_call(fn->conn, &r, &res);
	if (rc != HL_OK)
		return hl_proto_status_on_wire(rc) ? fn_lose(fn) : rc;
	fn->session = res.session;
	fn->placement = placement_parse(res.arg0);
	if (fn->active) {
		struct hl_req a = { .opcode = HL_OP_FN_ACTIVATE,
				    .session = fn->session };
		rc = hl_conn_call(fn->conn, &a, &res);
		if (rc != HL_OK && hl_proto_status_on_wire(rc)) {
			struct hl_req cl = { .opcode = HL_OP_FN_CLOSE,
					     .session = fn->session };
			(void)hl_conn_call(fn->conn, &cl, &res);
			return fn_lose(fn);
		}
		if (rc != HL_OK)
			return rc;
		fn->placement = placement_parse(res.arg0);
	}
	fn->epoch = fn->conn->epoch;
	return HL_OK;
}

/* The connection's revive hook: every function on the new transport. */
static int
fn_revive_all(struct hl_conn *c)
{
	for (struct hl_fn *fn = c->fns; fn != NULL; fn = fn->next) {
		int rc = fn_revive(fn);

		if (rc != HL_OK && rc != HL_E_SESSION_LOST)
			return rc;
	}
	return HL_OK;
}

/* The connection's release hook: hl_disconnect() frees the functions. */
static void
fn_release_all(struct hl_conn *c)
{
	while (c->fns != NULL) {
		struct hl_fn *fn = c->fns;

		c->fns = fn->next;
		free(fn);
	}
}

static const struct hl_conn_hooks fn_hooks = {
	.revive = fn_revive_all,
	.release = fn_release_all,
};

static void
fn_link(struct hl_conn *c, struct hl_fn *fn)
{
	c->hooks = &fn_hooks;
	fn->conn = c;
	fn->next = c->fns;
	if (c->fns != NULL)
		c->fns->prev = fn;
	c->fns = fn;
}

static void
fn_unlink(struct hl_fn *fn)
{
	if (fn->prev != NULL)
		fn->prev->next = fn->next;
	else
		fn->conn->fns = fn->next;
	if (fn->next != NULL)
		fn->next->prev = fn->prev;
}

int
hl_fn_open(struct hl_conn *c, const char *name, enum hl_placement placement,
	   struct hl_fn **out)
{
	struct hl_fn_open p = { .placement = (uint8_t)placement };
	struct hl_req r = { .opcode = HL_OP_FN_OPEN, .in = &p, .in_len = sizeof(p) };
	struct hl_result res;
	struct hl_fn *fn;
	int rc = hl_conn_check(c);

	if (rc != HL_OK || out == NULL || name == NULL)
		return rc != HL_OK ? rc : HL_E_INVAL;
	*out = NULL;
	if (placement > HL_PLACE_SW || strlen(name) >= HL_FN_NAME_LEN)
		return HL_E_INVAL;
	strncpy(p.name, name, sizeof(p.name) - 1);
	if (hl_proto_fn_name_validate(p.name) != HL_OK)
		return HL_E_INVAL;
	fn = calloc(1, sizeof(*fn));
	if (fn == NULL)
		return HL_E_NOMEM;
	rc = hl_conn_call(c, &r, &res);
	if (rc != HL_OK) {
		free(fn);
		return rc;
	}
	fn->session = res.session;
	fn->epoch = c->epoch;
	fn->want = (uint8_t)placement;
	fn->placement = placement_parse(res.arg0);
	memcpy(fn->name, p.name, sizeof(fn->name));
	fn_link(c, fn);
	*out = fn;
	return HL_OK;
}

int
hl_fn_activate(struct hl_fn *fn, enum hl_placement *where)
{
	struct hl_req r = { .opcode = HL_OP_FN_ACTIVATE };
	struct hl_result res;
	int rc = fn_request(fn, &r, &res);

	if (rc == HL_OK) {
		fn->placement = placement_parse(res.arg0);
		fn->active = 1;
	}
	if (where != NULL)
		*where = rc == HL_OK ? (enum hl_placement)fn->placement
				     : HL_PLACE_ANY;
	return rc;
}

enum hl_placement
hl_fn_placement(const struct hl_fn *fn)
{
	return fn == NULL ? HL_PLACE_ANY : (enum hl_placement)fn->placement;
}

int
hl_fn_call(struct hl_fn *fn, const void *in, uint32_t in_len, void *out,
	   uint32_t out_cap, uint32_t *out_len)
{
	struct hl_req r = { .opcode = HL_OP_FN_CALL, .in = in, .in_len = in_len,
			    .out = out, .out_cap = out_cap };
	struct hl_result res;
	int rc = fn_request(fn, &r, &res);

	if (out_len != NULL)
		*out_len = res.out_len;
	return rc;
}

int
hl_fn_call_u64(struct hl_fn *fn, uint64_t arg0, uint64_t arg1,
	       uint64_t *result)
{
	struct hl_req r = { .opcode = HL_OP_FN_CALL, .arg0 = arg0, .arg1 = arg1 };
	struct hl_result res;
	int rc = fn_request(fn, &r, &res);

	if (result != NULL)
		*result = res.arg0;
	return rc;
}

int
hl_fn_set(struct hl_fn *fn, const void *in, uint32_t in_len, uint64_t arg0,
	  uint64_t arg1, enum hl_fn_state *state)
{
	struct hl_req r = { .opcode = HL_OP_FN_SET, .in = in, .in_len = in_len,
			    .arg0 = arg0, .arg1 = arg1 };
	struct hl_result res;
	int rc = fn_request(fn, &r, &res);

	if (rc == HL_OK)
		fn->set_pending = 1;
	if (state != NULL)
		*state = (enum hl_fn_state)res.state;
	return rc;
}

int
hl_fn_get(struct hl_fn *fn, void *out, uint32_t out_cap, uint32_t *out_len,
	  uint64_t *result, enum hl_fn_state *state)
{
	struct hl_req r = { .opcode = HL_OP_FN_GET, .out = out, .out_cap = out_cap };
	struct hl_result res;
	int rc = fn_request(fn, &r, &res);

	if (rc == HL_OK && res.state == HL_FN_DONE)
		fn->set_pending = 0;
	if (out_len != NULL)
		*out_len = res.out_len;
	if (result != NULL)
		*result = res.arg0;
	if (state != NULL)
		*state = (enum hl_fn_state)res.state;
	return rc;
}

int
hl_fn_reset(struct hl_fn *fn)
{
	struct hl_req r = { .opcode = HL_OP_FN_RESET };
	struct hl_result res;
	int rc = fn_request(fn, &r, &res);

	if (rc == HL_OK)
		fn->set_pending = 0;
	return rc;
}

int
hl_fn_close(struct hl_fn *fn)
{
	struct hl_req r = { .opcode = HL_OP_FN_CLOSE };
	struct hl_result res;
	int rc;

	if (fn == NULL)
		return HL_OK;
	rc = fn_check(fn);
	if (rc == HL_E_WRONG_THREAD)
		return rc;
	/* No session on the host: nothing to release there. A connection
	 * that is down is not brought back just to close. */
	if (fn->conn->dead)
		rc = fn->conn->dead;
	else if (!fn->lost && fn->epoch == fn->conn->epoch)
		rc = fn_request(fn, &r, &res);
	fn_unlink(fn);
	free(fn);
	return rc;
}

int
hl_fn_submit_args(struct hl_fn *fn, uint64_t arg0, uint64_t arg1,
		  const void *in, uint32_t in_len, void *out, uint32_t out_cap,
		  uint64_t tag)
{
	struct hl_req r = { .opcode = HL_OP_FN_CALL, .arg0 = arg0, .arg1 = arg1,
			    .in = in, .in_len = in_len, .out = out,
			    .out_cap = out_cap };
	int rc = fn_ready(fn);

	if (rc != HL_OK)
		return rc;
	r.session = fn->session;
	return hl_conn_submit(fn->conn, &r, tag);
}

int
hl_fn_submit_burst(struct hl_fn *fn, const struct hl_call *calls,
		   unsigned int n, unsigned int *done)
{
	struct hl_req r = { .opcode = HL_OP_FN_CALL };
	unsigned int i = 0;
	int rc = fn_ready(fn);

	if (rc == HL_OK && n > 0 && calls == NULL)
		rc = HL_E_INVAL;
	if (rc == HL_OK) {
		r.session = fn->session;
		hl_conn_hold(fn->conn, 1);
		for (; i < n && rc == HL_OK; i++) {
			r.arg0 = calls[i].arg0;
			r.arg1 = calls[i].arg1;
			r.in = calls[i].in;
			r.in_len = calls[i].in_len;
			r.out = calls[i].out;
			r.out_cap = calls[i].out_cap;
			rc = hl_conn_submit(fn->conn, &r, calls[i].tag);
		}
		hl_conn_hold(fn->conn, 0);
		if (rc != HL_OK)
			i--;
	}
	if (done != NULL)
		*done = i;
	return rc;
}

int
hl_fn_submit(struct hl_fn *fn, const void *in, uint32_t in_len, void *out,
	     uint32_t out_cap, uint64_t tag)
{
	return hl_fn_submit_args(fn, 0, 0, in, in_len, out, out_cap, tag);
}

int
hl_fn_submit_u64(struct hl_fn *fn, uint64_t arg0, uint64_t arg1, uint64_t tag)
{
	return hl_fn_submit_args(fn, arg0, arg1, NULL, 0, NULL, 0, tag);
}
