/* SPDX-License-Identifier: BSD-3-Clause */
/* The passthrough actuator: VFs hot-plugged into guests' QEMUs over QMP. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act_passthrough.h"
#include "clock.h"

struct pt_guest {
	bool used;
	bool fg;			/**< the allocator polls this operation */
	enum vf_pt_state state;
	enum vf_pt_state back;		/**< where a failed revoke returns */
	struct qmp_conn *qmp;
	int64_t cmd;			/**< the command in flight */
	uint64_t started_ms;
	uint64_t deadline_ms;		/**< DEVICE_DELETED by then */
	uint64_t retry_ms;		/**< next clean-up of an unknown add */
	uint64_t add_ms;
	uint64_t unplug_ms;
	char name[VF_NAME_MAX];
	char dev_id[VF_PT_ID_MAX];
	char vf_name[VF_NAME_MAX];	/**< the VF's slot name ... */
	char pci[VF_PCI_MAX];		/**< ... and DBDF: its identity */
	char last_error[QMP_ERR_MAX];
};

struct vf_pt {
	struct vf_pt_conf conf;
	struct pt_guest *guests;	/**< conf.max_guests */
};

static const char *const state_names[] = {
	[VF_PT_IDLE] = "idle",
	[VF_PT_ADDING] = "adding",
	[VF_PT_HELD] = "held",
	[VF_PT_DELETING] = "deleting",
	[VF_PT_UNPLUGGING] = "unplugging",
	[VF_PT_UNKNOWN] = "unknown",
};

const char *
vf_pt_state_name(enum vf_pt_state s)
{
	return (unsigned int)s < sizeof(state_names) / sizeof(state_names[0]) ?
		state_names[s] : "?";
}

/* QEMU's own rule for ids (id_wellformed): a letter, then letters, digits,
 * '-', '.', '_'. Driver names are looser (no letter rule), same alphabet. */
static bool
qemu_name_ok(const char *s, bool is_id)
{
	if (s[0] == '\0' || (is_id && !isalpha((unsigned char)s[0])))
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("-._", *s) == NULL)
			return false;
	return true;
}

/* DDDD:BB:SS.F, hex digits, slot 00-1f, function 0-7. */
static bool
pci_dbdf_ok(const char *s)
{
	static const char shape[] = "xxxx:xx:xx.f";

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'x' && !isxdigit((unsigned char)s[i]))
			return false;
		if (shape[i] == 'f' && (s[i] < '0' || s[i] > '7'))
			return false;
		if (shape[i] != 'x' && shape[i] != 'f' && s[i] != shape[i])
			return false;
	}
	return strtoul(s + 8, NULL, 16) <= 0x1f;
}

static uint64_t
pt_now(const struct vf_pt *pt)
{
	return pt->conf.now_ms != NULL ? pt->conf.now_ms() : dp_now_ms();
}

static struct pt_guest *
guest_find(const struct vf_pt *pt, const char *name)
{
	for (unsigned int i = 0; i < pt->conf.max_guests; i++)
		if (pt->guests[i].used && strcmp(pt->guests[i].name, name) == 0)
			return &pt->guests[i];
	return NULL;
}

static struct pt_guest *
guest_get(struct vf_pt *pt, const char *name)
{
	struct pt_guest *g = guest_find(pt, name);

	for (unsigned int i = 0; g == NULL && i < pt->conf.max_guests; i++) {
		if (pt->guests[i].used)
			continue;
		g = &pt->guests[i];
		*g = (struct pt_guest){ .used = true };
		snprintf(g->name, sizeof(g->name), "%s", name);
		snprintf(g->dev_id, sizeof(g->dev_id), "hl-vf-%s", name);
	}
	return g;
}

static void __attribute__((format(printf, 4, 5)))
set_err(struct pt_guest *g, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char buf[QMP_ERR_MAX];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (g != NULL)
		snprintf(g->last_error, sizeof(g->last_error), "%s", buf);
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", buf);
}

/* A QMP connection to path that is open or opening; a failed one, or one
 * to a path the config no longer names, is replaced. */
static int
guest_conn(struct vf_pt *pt, struct pt_guest *g, const char *path,
	   uint64_t now)
{
	struct qmp_limits lim = { .line_max = pt->conf.qmp_line_max,
				  .open_ms = pt->conf.cmd_timeout_ms };

	if (g->qmp != NULL && qmp_state(g->qmp) != QMP_FAILED &&
	    strcmp(qmp_path(g->qmp), path) == 0)
		return 0;
	qmp_close(g->qmp);
	g->qmp = qmp_open(path, &lim, now);
	if (g->qmp == NULL)
		return -errno;
	return qmp_watch_event(g->qmp, "DEVICE_DELETED");
}

static bool
vf_same(const struct pt_guest *g, const struct vf_slot *vf)
{
	return (vf->name[0] != '\0' && strcmp(g->vf_name, vf->name) == 0) ||
	       (vf->pci[0] != '\0' && strcmp(g->pci, vf->pci) == 0);
}

/* Who else has, gets, gives back or may have this VF. */
static const struct pt_guest *
vf_holder(const struct vf_pt *pt, const struct pt_guest *self,
	  const struct vf_slot *vf)
{
	for (unsigned int i = 0; i < pt->conf.max_guests; i++) {
		const struct pt_guest *g = &pt->guests[i];

		if (g->used && g != self && g->state != VF_PT_IDLE &&
		    vf_same(g, vf))
			return g;
	}
	return NULL;
}

/* device_del of the guest's id; fg: the allocator waits on it. */
static int
del_start(struct vf_pt *pt, struct pt_guest *g, uint64_t now, bool fg,
	  char *err, size_t errlen)
{
	struct vf_pt_guest_conf gc = { 0 };
	json_t *args;
	int64_t id;
	int rc;

	rc = pt->conf.lookup(pt->conf.arg, g->name, &gc);
	/* A guest removed while it holds a VF: its QEMU is still where the
	 * VF was plugged. */
	if (rc != 0 && g->qmp != NULL) {
		snprintf(gc.qmp, sizeof(gc.qmp), "%s", qmp_path(g->qmp));
		rc = 0;
	}
	if (rc == 0 && gc.qmp[0] == '\0')
		rc = -EINVAL;
	if (rc == 0)
		rc = guest_conn(pt, g, gc.qmp, now);
	if (rc != 0) {
		set_err(g, err, errlen, "no qmp socket for guest %s (%s)",
			g->name, strerror(-rc));
		return rc;
	}
	args = json_pack("{s:s}", "id", g->dev_id);
	id = args != NULL ? qmp_send(g->qmp, "device_del", args,
				     pt->conf.cmd_timeout_ms, now) : -ENOMEM;
	json_decref(args);
	if (id < 0) {
		/* A failed connection's reason says it all (it names the
		 * socket); otherwise our own limit was hit. */
		if (qmp_state(g->qmp) == QMP_FAILED)
			set_err(g, err, errlen, "%s", qmp_error(g->qmp));
		else
			set_err(g, err, errlen, "device_del: %s",
				strerror((int)-id));
		return (int)id;
	}
	g->back = g->state;
	g->state = VF_PT_DELETING;
	g->fg = fg;
	g->cmd = id;
	g->started_ms = now;
	return 1;
}

/* A revoke that did not free the VF: it stays where it was. */
static void
del_failed(struct vf_pt *pt, struct pt_guest *g, uint64_t now)
{
	g->state = g->back;
	if (g->state == VF_PT_UNKNOWN)
		g->retry_ms = now + pt->conf.unplug_timeout_ms;
	g->fg = false;
}

static void
vf_freed(struct pt_guest *g)
{
	g->state = VF_PT_IDLE;
	g->fg = false;
	g->vf_name[0] = '\0';
	g->pci[0] = '\0';
}

static int
step_unplug(struct vf_pt *pt, struct pt_guest *g, uint64_t now, char *err,
	    size_t errlen)
{
	if (qmp_take_event(g->qmp, "DEVICE_DELETED", g->dev_id, NULL)) {
		g->unplug_ms = now - g->started_ms;
		vf_freed(g);
		return 0;
	}
	if (qmp_state(g->qmp) == QMP_FAILED) {
		set_err(g, err, errlen, "lost waiting for DEVICE_DELETED: %s",
			qmp_error(g->qmp));
		del_failed(pt, g, now);
		return -EPIPE;
	}
	if (now >= g->deadline_ms) {
		set_err(g, err, errlen, "no DEVICE_DELETED for %s in %u ms: "
			"the guest did not let the VF go", g->dev_id,
			pt->conf.unplug_timeout_ms);
		del_failed(pt, g, now);
		return -ETIMEDOUT;
	}
	return 1;
}

static int
step_del(struct vf_pt *pt, struct pt_guest *g, uint64_t now, char *err,
	 size_t errlen)
{
	char why[QMP_ERR_MAX];
	int rc = qmp_result(g->qmp, g->cmd, NULL, why, sizeof(why));

	if (rc == 1)
		return 1;
	if (rc == 0) {
		g->state = VF_PT_UNPLUGGING;
		g->deadline_ms = g->started_ms + pt->conf.unplug_timeout_ms;
		return step_unplug(pt, g, now, err, errlen);
	}
	/* QEMU has no such device: nothing of ours is in the guest. */
	if (rc == -EREMOTEIO &&
	    strcmp(qmp_last_error_class(g->qmp), "DeviceNotFound") == 0) {
		g->unplug_ms = 0;
		vf_freed(g);
		return 0;
	}
	set_err(g, err, errlen, "%s", why);
	del_failed(pt, g, now);
	return rc;
}

static int
step_add(struct pt_guest *g, uint64_t now, char *err, size_t errlen)
{
	char why[QMP_ERR_MAX];
	int rc = qmp_result(g->qmp, g->cmd, NULL, why, sizeof(why));

	if (rc == 1)
		return 1;
	g->fg = false;
	if (rc == 0) {
		g->state = VF_PT_HELD;
		g->add_ms = now - g->started_ms;
		return 0;
	}
	if (rc == -EREMOTEIO) {
		set_err(g, err, errlen, "%s", why);
		vf_freed(g);
		return rc;
	}
	/* Sent, unanswered: QEMU may have plugged it. Keep it booked here
	 * until QEMU says it is not there. */
	set_err(g, err, errlen, "device_add unanswered, VF kept booked: %s",
		why);
	g->state = VF_PT_UNKNOWN;
	g->retry_ms = now;
	return rc;
}

/* Advance g; the result of its operation (1 while it goes on). */
static int
guest_step(struct vf_pt *pt, struct pt_guest *g, uint64_t now, char *err,
	   size_t errlen)
{
	if (g->qmp != NULL)
		qmp_poll(g->qmp, now);
	switch (g->state) {
	case VF_PT_ADDING:
		return step_add(g, now, err, errlen);
	case VF_PT_DELETING:
		return step_del(pt, g, now, err, errlen);
	case VF_PT_UNPLUGGING:
		return step_unplug(pt, g, now, err, errlen);
	default:
		return 0;
	}
}

/* Background work: clean-ups of unanswered adds nobody waits on. */
static void
pt_tick(struct vf_pt *pt, uint64_t now)
{
	for (unsigned int i = 0; i < pt->conf.max_guests; i++) {
		struct pt_guest *g = &pt->guests[i];

		if (!g->used || g->fg)
			continue;
		/* Idle connections are read too, so QEMU's events never pile
		 * up in its output buffer. */
		if (g->qmp != NULL && g->state != VF_PT_DELETING &&
		    g->state != VF_PT_UNPLUGGING)
			qmp_poll(g->qmp, now);
		if (g->state == VF_PT_UNKNOWN && now >= g->retry_ms) {
			if (del_start(pt, g, now, false, NULL, 0) < 0)
				g->retry_ms = now + pt->conf.unplug_timeout_ms;
		} else if (g->state == VF_PT_DELETING ||
			   g->state == VF_PT_UNPLUGGING) {
			guest_step(pt, g, now, NULL, 0);
		}
	}
}

static int
add_args(const struct vf_pt *pt, const struct pt_guest *g,
	 const struct vf_pt_guest_conf *gc, json_t **out)
{
	json_t *a = json_pack("{s:s, s:s}", "driver", pt->conf.driver,
			      "id", g->dev_id);
	int bad = a == NULL;

	if (!bad && strcmp(pt->conf.driver, "vfio-pci") == 0)
		bad |= json_object_set_new(a, "host", json_string(g->pci));
	if (!bad && pt->conf.bus[0] != '\0')
		bad |= json_object_set_new(a, "bus", json_string(pt->conf.bus));
	if (!bad && gc->standby[0] != '\0')
		bad |= json_object_set_new(a, "failover_pair_id",
					   json_string(gc->standby));
	if (bad) {
		json_decref(a);
		return -ENOMEM;
	}
	*out = a;
	return 0;
}

/* Everything assign takes from outside, checked before anything is sent. */
static int
assign_validate(const struct vf_pt *pt, const char *guest,
		const struct vf_slot *vf, struct vf_pt_guest_conf *gc,
		char *err, size_t errlen)
{
	char id[VF_PT_ID_MAX];

	if (strnlen(guest, VF_NAME_MAX) >= VF_NAME_MAX ||
	    snprintf(id, sizeof(id), "hl-vf-%s", guest) >= (int)sizeof(id) ||
	    !qemu_name_ok(id, true)) {
		set_err(NULL, err, errlen, "guest name '%.32s' cannot be part "
			"of a QEMU device id", guest);
		return -EINVAL;
	}
	if (strcmp(pt->conf.driver, "vfio-pci") == 0 && !pci_dbdf_ok(vf->pci)) {
		set_err(NULL, err, errlen, "VF %.32s: PCI address '%.16s' is "
			"not DDDD:BB:SS.F", vf->name, vf->pci);
		return -EINVAL;
	}
	if (pt->conf.lookup(pt->conf.arg, guest, gc) != 0 ||
	    gc->qmp[0] == '\0') {
		set_err(NULL, err, errlen, "guest %s has no qmp socket "
			"configured", guest);
		return -EINVAL;
	}
	if (gc->standby[0] != '\0' && !qemu_name_ok(gc->standby, true)) {
		set_err(NULL, err, errlen, "guest %s: qmp_standby '%.64s' is not "
			"a QEMU device id", guest, gc->standby);
		return -EINVAL;
	}
	return 0;
}

static int
refuse_busy(const struct pt_guest *g, const struct vf_slot *vf, char *err,
	    size_t errlen, bool self)
{
	if (self)
		set_err(NULL, err, errlen, "guest %s is %s (VF %s); not now",
			g->name, vf_pt_state_name(g->state), g->vf_name);
	else
		set_err(NULL, err, errlen, "VF %s is with guest %s (%s); a VF "
			"is never in two guests", vf->name, g->name,
			vf_pt_state_name(g->state));
	return -EBUSY;
}

static int
pt_assign(void *ctx, const char *guest, const struct vf_slot *vf, char *err,
	  size_t errlen)
{
	struct vf_pt *pt = ctx;
	uint64_t now = pt_now(pt);
	struct vf_pt_guest_conf gc = { 0 };
	const struct pt_guest *other;
	struct pt_guest *g;
	json_t *args = NULL;
	int64_t id;
	int rc;

	pt_tick(pt, now);
	rc = assign_validate(pt, guest, vf, &gc, err, errlen);
	if (rc != 0)
		return rc;
	g = guest_get(pt, guest);
	if (g == NULL) {
		set_err(NULL, err, errlen, "more than %u passthrough guests",
			pt->conf.max_guests);
		return -ENOSPC;
	}
	if (g->state != VF_PT_IDLE)
		return refuse_busy(g, vf, err, errlen, true);
	other = vf_holder(pt, g, vf);
	if (other != NULL)
		return refuse_busy(other, vf, err, errlen, false);
	if (pt->conf.prepare != NULL) {
		rc = pt->conf.prepare(pt->conf.arg, guest, vf, err, errlen);
		if (rc != 0)
			return rc;
	}
	snprintf(g->vf_name, sizeof(g->vf_name), "%s", vf->name);
	snprintf(g->pci, sizeof(g->pci), "%s", vf->pci);
	rc = guest_conn(pt, g, gc.qmp, now);
	if (rc == 0)
		rc = add_args(pt, g, &gc, &args);
	id = rc == 0 ? qmp_send(g->qmp, "device_add", args,
				pt->conf.cmd_timeout_ms, now) : rc;
	json_decref(args);
	if (id < 0) {
		if (g->qmp != NULL && qmp_state(g->qmp) == QMP_FAILED)
			set_err(g, err, errlen, "%s", qmp_error(g->qmp));
		else
			set_err(g, err, errlen, "device_add: %s",
				strerror((int)-id));
		vf_freed(g);
		return (int)id;
	}
	/* A DEVICE_DELETED of an earlier plug must not end the next unplug. */
	while (qmp_take_event(g->qmp, "DEVICE_DELETED", g->dev_id, NULL))
		;
	g->state = VF_PT_ADDING;
	g->fg = true;
	g->cmd = id;
	g->started_ms = now;
	return 1;
}

static int
pt_revoke(void *ctx, const char *guest, const struct vf_slot *vf, char *err,
	  size_t errlen)
{
	struct vf_pt *pt = ctx;
	uint64_t now = pt_now(pt);
	struct pt_guest *g;

	pt_tick(pt, now);
	if (strnlen(guest, VF_NAME_MAX) >= VF_NAME_MAX) {
		set_err(NULL, err, errlen, "guest name too long");
		return -EINVAL;
	}
	g = guest_get(pt, guest);
	if (g == NULL) {
		set_err(NULL, err, errlen, "more than %u passthrough guests",
			pt->conf.max_guests);
		return -ENOSPC;
	}
	switch (g->state) {
	case VF_PT_ADDING:
		return refuse_busy(g, vf, err, errlen, true);
	case VF_PT_DELETING:
	case VF_PT_UNPLUGGING:
		if (g->fg)
			return refuse_busy(g, vf, err, errlen, true);
		g->fg = true;	/* a background clean-up: wait on it */
		return 1;
	case VF_PT_IDLE:
		/* Idempotent: whatever hostlane remembers, ask QEMU. */
		snprintf(g->vf_name, sizeof(g->vf_name), "%s", vf->name);
		snprintf(g->pci, sizeof(g->pci), "%s", vf->pci);
		break;
	default:
		break;
	}
	return del_start(pt, g, now, true, err, errlen);
}

static int
pt_poll(void *ctx, const char *guest, uint64_t now_ms, char *err,
	size_t errlen)
{
	struct vf_pt *pt = ctx;
	struct pt_guest *g = guest_find(pt, guest);
	int rc;

	if (g == NULL || !g->fg) {
		set_err(NULL, err, errlen, "guest %.32s: no operation in "
			"flight", guest);
		return -ENOENT;
	}
	rc = guest_step(pt, g, now_ms, err, errlen);
	if (rc != 1)
		g->fg = false;
	pt_tick(pt, now_ms);
	return rc;
}

/* The PF's per-VF counters, through the owner's hook (it knows the PF's
 * netdev); only for a VF this guest holds, so a guest is never credited
 * with another's traffic. */
static int
pt_counters(void *ctx, const char *guest, const struct vf_slot *vf,
	    struct vf_counters *out)
{
	struct vf_pt *pt = ctx;
	const struct pt_guest *g = guest_find(pt, guest);

	if (pt->conf.counters == NULL || g == NULL ||
	    g->state != VF_PT_HELD || !vf_same(g, vf))
		return -ENOENT;
	return pt->conf.counters(pt->conf.arg, vf, out);
}

struct vf_pt *
vf_pt_create(const struct vf_pt_conf *conf)
{
	struct vf_pt *pt;

	if (conf == NULL || conf->lookup == NULL ||
	    (conf->driver[0] != '\0' && !qemu_name_ok(conf->driver, false)) ||
	    (conf->bus[0] != '\0' && !qemu_name_ok(conf->bus, true))) {
		errno = EINVAL;
		return NULL;
	}
	pt = calloc(1, sizeof(*pt));
	if (pt == NULL)
		return NULL;
	pt->conf = *conf;
	if (pt->conf.driver[0] == '\0')
		snprintf(pt->conf.driver, sizeof(pt->conf.driver), "%s",
			 VF_PT_DRIVER_DEFAULT);
	if (pt->conf.cmd_timeout_ms == 0)
		pt->conf.cmd_timeout_ms = VF_PT_CMD_MS_DEFAULT;
	if (pt->conf.unplug_timeout_ms == 0)
		pt->conf.unplug_timeout_ms = VF_PT_UNPLUG_MS_DEFAULT;
	if (pt->conf.max_guests == 0)
		pt->conf.max_guests = VF_PT_MAX_GUESTS_DEFAULT;
	pt->guests = calloc(pt->conf.max_guests, sizeof(*pt->guests));
	if (pt->guests == NULL) {
		free(pt);
		errno = ENOMEM;
		return NULL;
	}
	return pt;
}

void
vf_pt_destroy(struct vf_pt *pt)
{
	if (pt == NULL)
		return;
	for (unsigned int i = 0; i < pt->conf.max_guests; i++)
		qmp_close(pt->guests[i].qmp);
	free(pt->guests);
	free(pt);
}

void *
vf_pt_arg(const struct vf_pt *pt)
{
	return pt->conf.arg;
}

void
vf_pt_actuator(struct vf_pt *pt, struct vf_actuator *out)
{
	*out = (struct vf_actuator){
		.name = "passthrough",
		.assign = pt_assign,
		.revoke = pt_revoke,
		.poll = pt_poll,
		.vf_counters = pt_counters,
		.ctx = pt,
	};
}

int
vf_pt_info(const struct vf_pt *pt, const char *guest, struct vf_pt_info *out)
{
	const struct pt_guest *g = guest_find(pt, guest);

	if (g == NULL)
		return -ENOENT;
	*out = (struct vf_pt_info){ .state = g->state, .add_ms = g->add_ms,
				    .unplug_ms = g->unplug_ms };
	snprintf(out->device_id, sizeof(out->device_id), "%s", g->dev_id);
	snprintf(out->vf_name, sizeof(out->vf_name), "%s", g->vf_name);
	snprintf(out->pci, sizeof(out->pci), "%s", g->pci);
	snprintf(out->last_error, sizeof(out->last_error), "%s", g->last_error);
	return 0;
}

