/* SPDX-License-Identifier: BSD-3-Clause */
/* `fpga list` and `fpga load`: FPGA slots and their reconfiguration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hostlane/proto.h>

#include "accel.h"
#include "afu.h"
#include "ctl_cmds.h"
#include "memif_srv.h"
#include "replace.h"

#define FPGA_SLOTS 1			/* slot 0: the configured `fpga` unit */
#define TIMEOUT_DEFAULT_MS 2000
#define TIMEOUT_MAX_MS 8000
#define REPLACE_GRACE_MS 1000		/* I/O lcores apply orders in a pass */
#define IMAGE_MAX 256

enum ctl_fpga_phase {
	FPGA_IDLE,
	FPGA_DRAIN,		/* gate closed, waiting for jobs on the unit */
	FPGA_REPLACE,		/* image loaded, sessions being re-placed */
};

/* The reconfiguration under way (one at a time; main lcore only). */
struct ctl_fpga_op {
	enum ctl_fpga_phase phase;
	char image[IMAGE_MAX];
	char previous[IMAGE_MAX];
	uint32_t old_fns;
	uint32_t new_fns;
	int load_rc;
	uint64_t start_ms;
	uint64_t deadline_ms;
	uint64_t drain_ms;
	struct dp_replace_list list;
	/* The orders: one per open session at most, made at the post, kept
	 * until the next post (the I/O lcores read them until done). */
	unsigned int cap_items;
	struct dp_replace *items;
};

static struct ctl_fpga_op op;

static json_t *
fns_json(uint32_t mask)
{
	json_t *a = json_array();

	for (unsigned int fn = 1; a != NULL && fn <= FPGA_FN_COUNT; fn++)
		if (mask & FPGA_FN_BIT(fn))
			json_array_append_new(a, json_string(fpga_fn_name(fn)));
	return a;
}

/* The images a slot loads by name; a string when they are files. */
static json_t *
images_json(void)
{
	json_t *a;

	if (fpga_afu_image_name(0) == NULL)
		return json_string("absolute path of a .gbs file (vfio, ifpga)");
	a = json_array();
	for (unsigned int i = 0; a != NULL && fpga_afu_image_name(i) != NULL; i++)
		json_array_append_new(a, json_string(fpga_afu_image_name(i)));
	return a;
}

static const char *
slot_state(const struct fpga_afu_info *info)
{
	return info->reconf ? "reconfiguring" : info->in_service ? "ready" :
	       "failed";
}

static json_t *
slot_json(const struct ctl_ctx *c, const struct fpga_afu_info *info)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:o*, s:o*}",
		"slot", 0, "backend", FPGA_AFU_BACKEND_NAME,
		"device", c->app != NULL ? c->app->cfg->fpga : "",
		"image", info->image, "state", slot_state(info),
		"functions", fns_json(info->in_service ? info->fn_mask : 0),
		"images", images_json());
}

enum ctl_err
ctl_cmd_fpga_list(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	struct fpga_afu_info info;
	json_t *list = json_array();

	(void)args;
	if (list != NULL && fpga_afu_info(&info) == 0 && info.present)
		json_array_append_new(list, slot_json(c, &info));
	return ctl_ok(r, list);
}

/* ---- fpga load: checks -------------------------------------------------- */

static bool
image_known(const char *image)
{
	if (fpga_afu_image_name(0) == NULL)
		return true;	/* files: the device checks at load */
	for (unsigned int i = 0; fpga_afu_image_name(i) != NULL; i++)
		if (strcmp(fpga_afu_image_name(i), image) == 0)
			return true;
	return false;
}

static enum ctl_err
load_validate(const struct ctl_ctx *c, json_t *args, struct ctl_reply *r,
	      const struct fpga_afu_info *info, json_int_t *timeout)
{
	json_int_t slot = json_integer_value(json_object_get(args, "slot"));
	const char *image = ctl_arg_str(args, "image");
	json_t *t = json_object_get(args, "timeout_ms");

	*timeout = t != NULL ? json_integer_value(t) : TIMEOUT_DEFAULT_MS;
	if (*timeout < 1 || *timeout > TIMEOUT_MAX_MS)
		return ctl_fail(r, CTL_E_BAD_ARGS, "fpga load: timeout_ms must be "
				"1..%d", TIMEOUT_MAX_MS);
	if (slot >= FPGA_SLOTS || !info->present)
		return ctl_fail(r, CTL_E_NOT_FOUND, "no FPGA slot %lld (%s)",
				(long long)slot, info->present ? "slots: 0" :
				"no fpga unit attached");
	if (strlen(image) >= IMAGE_MAX || !image_known(image))
		return ctl_fail(r, CTL_E_NOT_FOUND, "slot 0 has no image '%.64s' "
				"(see fpga list)", image);
	if (op.phase != FPGA_IDLE || !dp_replace_done(c->app, NULL, NULL))
		return ctl_fail(r, CTL_E_BUSY, "slot 0 is being reconfigured; "
				"try again");
	return CTL_OK;
}

static enum ctl_err
begin_error(struct ctl_reply *r, int rc)
{
	switch (rc) {
	case -EBUSY:
		return ctl_fail(r, CTL_E_BUSY, "slot 0 is being reconfigured; "
				"try again");
	case -EIO:
		return ctl_fail(r, CTL_E_INTERNAL, "slot 0 is out of service "
				"(the unit failed)");
	case -ENOTSUP:
		return ctl_fail(r, CTL_E_UNSUPPORTED, "slot 0 cannot be "
				"reconfigured on this device or build");
	default:
		return ctl_fail(r, CTL_E_NOT_FOUND, "no FPGA slot 0");
	}
}

enum ctl_err
ctl_cmd_fpga_load(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	struct fpga_afu_info info;
	json_int_t timeout;
	enum ctl_err err;
	int rc;

	/* Re-placing orders look for guests in the lcores' poll lists. */
	if (ctl_move_busy())
		return ctl_fail(r, CTL_E_BUSY, "a guest move is under way: try "
				"again when it has ended");
	fpga_afu_info(&info);
	err = load_validate(c, args, r, &info, &timeout);
	if (err != CTL_OK)
		return err;
	rc = fpga_afu_reconf_begin();
	if (rc != 0)
		return begin_error(r, rc);
	ctl_mgr_hw_pause(c->mgr, true);
	snprintf(op.image, sizeof(op.image), "%s", ctl_arg_str(args, "image"));
	snprintf(op.previous, sizeof(op.previous), "%s", info.image);
	op.old_fns = info.fn_mask;
	op.start_ms = dp_now_ms();
	op.deadline_ms = op.start_ms + (uint64_t)timeout;
	op.phase = FPGA_DRAIN;
	c->deferred = true;	/* the reply comes from ctl_fpga_poll() */
	return CTL_OK;
}

/* ---- fpga load: the steps, from the slow-path loop ---------------------- */

static void
finish(struct ctl_ctx *c)
{
	fpga_afu_reconf_end();
	ctl_mgr_hw_pause(c->mgr, false);
	op.phase = FPGA_IDLE;
}

static int
backend_index(const char *name)
{
	const struct fpga_backend_ops *be = fpga_backend_find(name);

	for (unsigned int i = 0; be != NULL && fpga_backend_get(i) != NULL; i++)
		if (fpga_backend_get(i) == be)
			return (int)i;
	return -1;
}

/* One guest's sessions of lost functions: to software if the guest let
 * the host choose, else unplaced; software-only ones are not on the slot. */
static void
orders_guest(struct ctl_ctx *c, unsigned int guest, uint32_t lost)
{
	struct ctl_mgr_session s[DP_MAX_SESSIONS];
	unsigned int n = ctl_mgr_session_list(c->mgr, guest, s, DP_MAX_SESSIONS);

	for (unsigned int i = 0; i < n; i++) {
		if (!(lost & (1u << s[i].fn)) || s[i].asked == HL_PLACE_SW ||
		    op.list.n == op.cap_items)
			continue;
		op.items[op.list.n++] = (struct dp_replace){
			.guest = (uint16_t)guest, .session = s[i].id,
			.action = s[i].asked == HL_PLACE_ANY ? DP_REPLACE_SW :
				  DP_REPLACE_UNPLACE };
	}
}

/* Room for an order per open session; the last orders are done (a load
 * starts only then), so their memory can go. */
static void
orders_alloc(struct ctl_ctx *c)
{
	unsigned int n = 0;

	for (unsigned int fn = 0; fn <= FPGA_FN_COUNT; fn++)
		n += ctl_mgr_fn_sessions(c->mgr, fn);
	free(op.items);
	op.items = calloc(n + 1, sizeof(*op.items));
	op.cap_items = op.items != NULL ? n : 0;
}

static void
orders_post(struct ctl_ctx *c)
{
	uint32_t lost = op.old_fns & ~op.new_fns;

	orders_alloc(c);
	op.list = (struct dp_replace_list){
		.from_backend = (uint8_t)backend_index(FPGA_AFU_BACKEND_NAME),
		.sw_backend = (uint8_t)backend_index("sw"), .items = op.items };
	for (unsigned int g = 0; lost != 0 && g < c->app->cfg->n_guests; g++)
		orders_guest(c, g, lost);
	dp_replace_post(c->app, &op.list);
}

static char *
load_error(struct ctl_ctx *c, int rc)
{
	char msg[DP_ERR_MAX];

	finish(c);
	snprintf(msg, sizeof(msg), "slot 0: %s '%.64s'; image '%.64s' unchanged",
		 rc == -ENOENT ? "no image" : rc == -ENOTSUP ?
		 "this device or DPDK build cannot load" : "out of memory loading",
		 op.image, op.previous);
	return ctl_error_line(rc == -ENOENT ? CTL_E_NOT_FOUND : rc == -ENOTSUP ?
			      CTL_E_UNSUPPORTED : CTL_E_INTERNAL, msg);
}

static char *
drain_step(struct ctl_ctx *c, uint64_t now)
{
	struct fpga_afu_info info;
	char msg[DP_ERR_MAX];

	if (fpga_afu_reconf_drained()) {
		op.drain_ms = now - op.start_ms;
		op.load_rc = fpga_afu_reconf_load(op.image);
		if (op.load_rc != 0 && op.load_rc != -EIO)
			return load_error(c, op.load_rc);
		fpga_afu_info(&info);
		op.new_fns = info.in_service ? info.fn_mask : 0;
		orders_post(c);
		op.phase = FPGA_REPLACE;
		op.deadline_ms = now + REPLACE_GRACE_MS;
		return NULL;
	}
	if (now < op.deadline_ms)
		return NULL;
	finish(c);
	snprintf(msg, sizeof(msg), "slot 0: jobs still on the unit after %llu ms; "
		 "image '%.64s' unchanged", (unsigned long long)(now - op.start_ms),
		 op.previous);
	return ctl_error_line(CTL_E_TIMEOUT, msg);
}

static char *
loaded_reply(uint32_t moved_sw, uint32_t unplaced)
{
	json_t *res = json_pack("{s:i, s:s, s:s, s:o*, s:o*, s:I, s:{s:i, s:i}}",
		"slot", 0, "image", op.image, "previous", op.previous,
		"functions", fns_json(op.new_fns),
		"lost", fns_json(op.old_fns & ~op.new_fns),
		"drain_ms", (json_int_t)op.drain_ms, "sessions",
		"moved_to_software", (int)moved_sw, "unplaced", (int)unplaced);

	return ctl_result_line(res);
}

static char *
replace_step(struct ctl_ctx *c, uint64_t now)
{
	uint32_t moved_sw, unplaced;
	char msg[DP_ERR_MAX];

	if (!dp_replace_done(c->app, &moved_sw, &unplaced)) {
		if (now < op.deadline_ms)
			return NULL;
		finish(c);
		return ctl_error_line(CTL_E_INTERNAL, "slot 0: image loaded, but "
				      "the I/O lcores did not re-place sessions in time");
	}
	finish(c);
	if (op.load_rc == 0)
		return loaded_reply(moved_sw, unplaced);
	snprintf(msg, sizeof(msg), "slot 0: the device failed loading '%.64s' and "
		 "is out of service; %u sessions moved to software, %u unplaced",
		 op.image, moved_sw, unplaced);
	return ctl_error_line(CTL_E_INTERNAL, msg);
}

char *
ctl_fpga_poll(struct ctl_ctx *c)
{
	uint64_t now = dp_now_ms();

	switch (op.phase) {
	case FPGA_DRAIN:
		return drain_step(c, now);
	case FPGA_REPLACE:
		return replace_step(c, now);
	default:
		return NULL;
	}
}

bool
ctl_fpga_busy(void)
{
	return op.phase != FPGA_IDLE;
}
