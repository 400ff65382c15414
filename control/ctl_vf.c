/* SPDX-License-Identifier: BSD-3-Clause */
/* The VF allocator in hostlane: VFs, actuator, guests, channel counters. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_vf.h"
#include "guests.h"
#include "log.h"
#include "view.h"
#include "vf/act_dedicated.h"
#include "vf/act_mock.h"
#include "vf/act_passthrough.h"
#include "vf/vfnl.h"

/* Channel counters are sampled at most this often. */
#define SAMPLE_MS 100

_Static_assert((int)DP_VF_NONE == (int)VF_ROLE_NONE &&
	       (int)DP_VF_ELIGIBLE == (int)VF_ROLE_ELIGIBLE &&
	       (int)DP_VF_PINNED == (int)VF_ROLE_PINNED &&
	       (int)DP_VF_EXCLUDED == (int)VF_ROLE_EXCLUDED,
	       "config.h's VF roles are the policy's");


struct ctl_vf {
	struct dp_app *app;
	struct vf_inv *inv;
	const struct ctl_vf_mode *mode;
	struct vf_actuator act;
	struct vf_alloc *alloc;
	uint64_t last_sample_ms;
	/* Per guest-table slot (max_guests): the name the allocator knows
	 * it by, or "". */
	unsigned int n_known;
	char (*known)[DP_NAME_MAX];
};

/* ---- modes ---- */

static int
mock_make(const struct ctl_vf_env *env, struct vf_actuator *out, char *err,
	  size_t errlen)
{
	struct vf_mock *m = vf_mock_create(vf_inv_count(env->inv) +
					   ctl_vf_records(env->app->cfg));


	if (m == NULL) {
		snprintf(err, errlen, "vf: mock actuator: out of memory");
		return -ENOMEM;
	}
	vf_mock_actuator(m, out);
	return 0;
}

static void
mock_free(void *ctx)
{
	vf_mock_free(ctx);
}

/* passthrough: what its hooks need from hostlane. */
struct pt_env {
	struct dp_app *app;
	struct vf_inv *inv;
	struct vf_nl *nl;		/**< NULL: no rtnetlink, no counters */
};

/* A guest's qmp and qmp_standby from the live guest table. */
static int
pt_lookup(void *arg, const char *guest, struct vf_pt_guest_conf *out)
{
	const struct pt_env *e = arg;
	const struct dp_guest *g = dp_app_guest_find(e->app, guest);

	if (g == NULL)
		return -ENOENT;
	snprintf(out->qmp, sizeof(out->qmp), "%s", g->conf->qmp);
	snprintf(out->standby, sizeof(out->standby), "%s", g->conf->qmp_standby);
	return 0;
}

/* QEMU's vfio-pci needs the VF on vfio-pci; it stays there after the
 * revoke, ready for the next guest. The guest's net_failover pairs the VF
 * with its virtio-net by MAC, so the VF gets the guest's MAC (spoof
 * checked) on the PF before QEMU has it. A pool stand-in: nothing to do. */
static int
pt_prepare(void *arg, const char *guest, const struct vf_slot *vf, char *err,
	   size_t errlen)
{
	const struct pt_env *e = arg;
	const struct dp_guest *g = dp_app_guest_find(e->app, guest);
	const struct vf_inv_pf *pf = vf_inv_pf(e->inv, vf->pf);
	struct vf_nl_vf_cfg mac = { .set_mac = true, .set_spoofchk = true,
				    .spoofchk = true };
	int rc = vf_inv_bind(e->inv, vf->name, err, errlen);

	if (rc != 0 || vf->pci[0] == '\0')
		return rc;
	if (g == NULL || !g->conf->has_mac) {
		snprintf(err, errlen, "guest %s has no mac: the VF must carry "
			 "its virtio-net's MAC", guest);
		return -EINVAL;
	}
	if (pf == NULL || pf->netdev[0] == '\0' || e->nl == NULL) {
		snprintf(err, errlen, "VF %s: no PF netdev or rtnetlink to set "
			 "its MAC", vf->name);
		return -ENODEV;
	}
	memcpy(mac.mac, g->conf->mac, sizeof(mac.mac));
	return vf_nl_set_vf(e->nl, pf->netdev, vf->vf_index, &mac, err, errlen);
}

/* The PF's IFLA_VF_STATS for the VF: a PF without a netdev has none. */
static int
pt_counters(void *arg, const struct vf_slot *vf, struct vf_counters *out)
{
	const struct pt_env *e = arg;
	const struct vf_inv_pf *pf = vf_inv_pf(e->inv, vf->pf);
	char err[128];

	if (e->nl == NULL || vf->pci[0] == '\0' || pf == NULL ||
	    pf->netdev[0] == '\0')
		return -ENOENT;
	return vf_nl_vf_stats(e->nl, pf->netdev, vf->vf_index, out, err,
			      sizeof(err));
}

static int
pt_make(const struct ctl_vf_env *env, struct vf_actuator *out, char *err,
	size_t errlen)
{
	const struct dp_vf_conf *vc = &env->app->cfg->vf;
	struct pt_env *e = calloc(1, sizeof(*e));
	struct vf_pt_conf pc = {
		.unplug_timeout_ms = vc->unplug_timeout_ms,
		.max_guests = ctl_vf_records(env->app->cfg),
		.lookup = pt_lookup,
		.prepare = pt_prepare,
		.counters = pt_counters,
		.arg = e,
	};
	struct vf_pt *pt;

	if (e == NULL) {
		snprintf(err, errlen, "vf: passthrough actuator: out of memory");
		return -ENOMEM;
	}
	*e = (struct pt_env){ .app = env->app, .inv = env->inv,
			      .nl = vf_nl_open() };
	if (e->nl == NULL)
		DP_LOG(WARNING, "vf: passthrough: no rtnetlink socket (%s): "
		       "no per-VF counters", strerror(errno));
	snprintf(pc.driver, sizeof(pc.driver), "%s", vc->pt_driver);
	snprintf(pc.bus, sizeof(pc.bus), "%s", vc->pt_bus);
	pt = vf_pt_create(&pc);
	if (pt == NULL) {
		int rc = -errno;

		snprintf(err, errlen, "vf: passthrough actuator: %s",
			 strerror(-rc));
		vf_nl_close(e->nl);
		free(e);
		return rc;
	}
	vf_pt_actuator(pt, out);
	return 0;
}

static void
pt_free(void *ctx)
{
	struct pt_env *e = vf_pt_arg(ctx);

	vf_pt_destroy(ctx);
	if (e != NULL)
		vf_nl_close(e->nl);
	free(e);
}

/* Dedicated: the VF stays in DPDK, cross-connected (dataplane/vfport.h). */
static int
dedicated_make(const struct ctl_vf_env *env, struct vf_actuator *out, char *err,
	       size_t errlen)
{
	(void)err;
	(void)errlen;
	vf_act_dedicated_init(out, env->app);
	return 0;
}

/* The modes built in. */
static const struct ctl_vf_mode vf_modes[] = {
	{ "mock", mock_make, mock_free },
	{ "dedicated", dedicated_make, NULL },
	{ "passthrough", pt_make, pt_free },
};

static const struct ctl_vf_mode *
mode_find(const char *name)
{
	for (size_t i = 0; i < RTE_DIM(vf_modes); i++)
		if (strcmp(vf_modes[i].name, name) == 0)
			return &vf_modes[i];
	return NULL;
}

/* ---- VFs ---- */

static void
log_write(void *arg, const char *path, const char *val)
{
	(void)arg;
	DP_LOG(NOTICE, "vf: wrote '%s' to %s", val, path);
}

/*
 * The VFs to hand out: the inventory's — the [pf] sections' VFs read from
 * sysfs, after giving each PF the `vfs` it asks for, or the vf_pool
 * stand-ins. At start only: provisioning takes as long as the kernel does.
 * @return the slots (malloc'd) and their number in *n, or NULL with err.
 */
static struct vf_slot *
vf_slots(struct ctl_vf *v, const struct dp_config *cfg, unsigned int *n,
	 char *err, size_t errlen)
{
	struct vf_slot *slots;

	if (vf_inv_load(cfg, &v->inv, err, errlen) < 0)
		return NULL;
	vf_inv_set_write_hook(v->inv, log_write, NULL);
	if (vf_inv_provision(v->inv, err, errlen) < 0)
		return NULL;
	*n = vf_inv_count(v->inv);
	slots = calloc(*n + 1, sizeof(*slots));
	if (slots == NULL) {
		snprintf(err, errlen, "vf: out of memory");
		return NULL;
	}
	for (unsigned int i = 0; i < *n; i++)
		slots[i] = *vf_inv_slot(v->inv, i);
	return slots;
}

/* ---- create ---- */

static void
log_entry(void *arg, const struct vf_log_entry *e)
{
	(void)arg;
	if (e->round != 0)
		DP_LOG(INFO, "vf: round %" PRIu64 ": %s %s %s: %s", e->round, e->what,
		       e->guest, e->vf, e->reason);
	else
		DP_LOG(INFO, "vf: %s %s %s: %s", e->what, e->guest, e->vf, e->reason);
}

static int
alloc_conf(const struct dp_vf_conf *vc, struct vf_alloc_conf *ac)
{
	int pol = vf_pol_lookup(vc->policy);

	if (pol < 0)
		return -EINVAL;
	vf_alloc_conf_defaults(ac);
	ac->policy = (enum vf_pol_kind)pol;
	ac->interval_ms = vc->interval_ms;
	ac->min_hold_ms = vc->min_hold_ms;
	ac->hysteresis_pct = vc->hysteresis_pct;
	ac->max_moves = vc->max_moves;
	ac->rate_window_ms = vc->rate_window_ms;
	return 0;
}

/* Undo a create that failed half-way; errno is kept. */
static struct ctl_vf *
create_failed(struct ctl_vf *v, struct vf_slot *slots, int err)
{
	vf_alloc_free(v->alloc);
	vf_inv_destroy(v->inv);
	free(slots);
	free(v->known);
	free(v);
	errno = err;
	return NULL;
}

struct ctl_vf *
ctl_vf_create(struct dp_app *app, char *err, size_t errlen)
{
	const struct dp_vf_conf *vc = &app->cfg->vf;
	struct vf_slot *slots = NULL;
	struct vf_alloc_conf ac;
	struct ctl_vf_env env;
	struct ctl_vf *v;
	unsigned int n = 0;
	int rc;

	v = calloc(1, sizeof(*v));
	if (v != NULL)
		v->known = calloc(app->cfg->max_guests, sizeof(*v->known));
	if (v == NULL || v->known == NULL) {
		free(v);
		snprintf(err, errlen, "vf: out of memory");
		return NULL;
	}
	v->n_known = app->cfg->max_guests;
	v->app = app;
	v->mode = mode_find(vc->mode);
	if (v->mode == NULL) {
		snprintf(err, errlen, "[vf] mode %s: not available in this build",
			 vc->mode);
		return create_failed(v, NULL, ENOTSUP);
	}
	slots = vf_slots(v, app->cfg, &n, err, errlen);
	if (slots == NULL)
		return create_failed(v, NULL, EINVAL);
	if (alloc_conf(vc, &ac) < 0 ||
	    (v->alloc = vf_alloc_create(&ac, slots, n, ctl_vf_records(app->cfg))) == NULL) {
		snprintf(err, errlen, "vf: cannot create the allocator: %s",
			 strerror(errno));
		return create_failed(v, slots, ENOMEM);
	}
	env = (struct ctl_vf_env){ .app = app, .inv = v->inv };
	rc = v->mode->make(&env, &v->act, err, errlen);
	if (rc < 0)
		return create_failed(v, slots, -rc);
	free(slots);
	vf_alloc_set_actuator(v->alloc, &v->act);
	vf_alloc_set_logger(v->alloc, log_entry, NULL);
	DP_LOG(INFO, "vf: %u VFs, mode %s, policy %s every %u ms", n, vc->mode,
	       vc->policy, vc->interval_ms);
	return v;
}

void
ctl_vf_free(struct ctl_vf *v)
{
	if (v == NULL)
		return;
	vf_alloc_free(v->alloc);
	if (v->mode->free != NULL)
		v->mode->free(v->act.ctx);
	vf_inv_destroy(v->inv);
	free(v->known);
	free(v);
}

struct vf_inv *
ctl_vf_inventory(struct ctl_vf *v)
{
	return v->inv;
}

/* ---- guests ---- */

/* Slot i's guest as the allocator should know it: its name, or "". */
static const char *
wanted(struct ctl_vf *v, unsigned int i, struct dp_guest_view *gv)
{
	if (dp_view_guest(v->app, i, gv) < 0 || gv->conf->vf_role == DP_VF_NONE)
		return "";
	return gv->conf->name;
}

static void
sync_slot(struct ctl_vf *v, unsigned int i, uint64_t now_ms)
{
	struct dp_guest_view gv;
	const char *name = wanted(v, i, &gv);
	struct vf_counters c;
	int id;

	if (v->known[i][0] != '\0' && strcmp(v->known[i], name) != 0) {
		vf_alloc_guest_remove(v->alloc, v->known[i]);
		v->known[i][0] = '\0';
	}
	if (name[0] == '\0')
		return;
	if (v->known[i][0] == '\0') {
		id = vf_alloc_guest_add(v->alloc, name, gv.conf->vf_role,
					gv.conf->vf_weight);
		if (id < 0 && id != -EEXIST)
			return;		/* -EBUSY: its last VF is still going back */
		snprintf(v->known[i], sizeof(v->known[i]), "%s", name);
	}
	id = vf_alloc_find(v->alloc, name);
	c = (struct vf_counters){ .pkts = gv.st.rx_frames + gv.st.tx_frames,
				  .bytes = gv.st.rx_bytes + gv.st.tx_bytes,
				  .source = VF_RATE_HOST_CHANNEL };
	if (id >= 0)
		vf_alloc_host_counters(v->alloc, (unsigned int)id, &c, now_ms);
}

void
ctl_vf_tick(struct ctl_vf *v, uint64_t now_ms)
{
	if (v == NULL)
		return;
	if (now_ms - v->last_sample_ms >= SAMPLE_MS) {
		v->last_sample_ms = now_ms;
		for (unsigned int i = 0; i < v->n_known && i < dp_view_slots(v->app); i++)
			sync_slot(v, i, now_ms);
	}
	vf_alloc_tick(v->alloc, now_ms);
}

void
ctl_vf_guest_removed(struct ctl_vf *v, const char *name)
{
	if (v == NULL)
		return;
	for (unsigned int i = 0; i < v->n_known; i++)
		if (strcmp(v->known[i], name) == 0)
			v->known[i][0] = '\0';
	vf_alloc_guest_remove(v->alloc, name);
}

struct vf_alloc *
ctl_vf_alloc(struct ctl_vf *v)
{
	return v->alloc;
}

const char *
ctl_vf_mode_name(const struct ctl_vf *v)
{
	return v->mode->name;
}

void
ctl_vf_snap(const struct ctl_vf *v, struct ctl_snap_vf *out)
{
	out->enabled = v != NULL;
	if (v == NULL)
		return;
	snprintf(out->mode, sizeof(out->mode), "%s", v->mode->name);
	snprintf(out->policy, sizeof(out->policy), "%s",
		 vf_pol_name(vf_alloc_conf(v->alloc)->policy));
	out->n_slots = vf_alloc_n_slots(v->alloc);
	out->held = vf_alloc_n_held(v->alloc);
	out->st = *vf_alloc_stats(v->alloc);
	out->n_guests = vf_alloc_guests(v->alloc, out->guests, out->cap_guests);
}
