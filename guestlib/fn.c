/* SPDX-License-Identifier: BSD-3-Clause */
/* The function API: open, activate, call, set/get/reset, close, submit. */
#include <stdlib.h>
#include <string.h>

#include "hl_conn.h"

static int
fn_check(const struct hl_fn *fn)
{
	return fn == NULL ? HL_E_INVAL : hl_conn_check(fn->conn);
}

/* One synchronous request on fn's session. */
static int
fn_request(struct hl_fn *fn, struct hl_req *r, struct hl_result *res)
{
	int rc = fn_check(fn);

	if (rc != HL_OK) {
		memset(res, 0, sizeof(*res));
		return rc;
	}
	r->session = fn->session;
	return hl_conn_call(fn->conn, r, res);
}

static void
fn_link(struct hl_conn *c, struct hl_fn *fn)
{
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

static uint8_t
placement_parse(uint64_t v)
{
	return v == HL_PLACE_HW || v == HL_PLACE_SW ? (uint8_t)v : HL_PLACE_ANY;
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

	if (rc == HL_OK)
		fn->placement = placement_parse(res.arg0);
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

	return fn_request(fn, &r, &res);
}

int
hl_fn_close(struct hl_fn *fn)
{
	struct hl_req r = { .opcode = HL_OP_FN_CLOSE };
	struct hl_result res;
	int rc;

	if (fn == NULL)
		return HL_OK;
	rc = fn_request(fn, &r, &res);
	if (rc == HL_E_WRONG_THREAD)
		return rc;
	fn_unlink(fn);
	free(fn);
	return rc;
}

int
hl_fn_submit(struct hl_fn *fn, const void *in, uint32_t in_len, void *out,
	     uint32_t out_cap, uint64_t tag)
{
	struct hl_req r = { .opcode = HL_OP_FN_CALL, .in = in, .in_len = in_len,
			    .out = out, .out_cap = out_cap };
	int rc = fn_check(fn);

	if (rc != HL_OK)
		return rc;
	r.session = fn->session;
	return hl_conn_submit(fn->conn, &r, tag);
}

int
hl_fn_submit_u64(struct hl_fn *fn, uint64_t arg0, uint64_t arg1, uint64_t tag)
{
	struct hl_req r = { .opcode = HL_OP_FN_CALL, .arg0 = arg0, .arg1 = arg1 };
	int rc = fn_check(fn);

	if (rc != HL_OK)
		return rc;
	r.session = fn->session;
	return hl_conn_submit(fn->conn, &r, tag);
}
