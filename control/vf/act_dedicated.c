/* SPDX-License-Identifier: BSD-3-Clause */
/* The "dedicated" actuator: vf.h's interface over dataplane/vfport.h. */
#include <errno.h>
#include <stdio.h>

#include "act_dedicated.h"
#include "app.h"
#include "guests.h"
#include "vfport.h"

static struct dp_guest *
guest(void *ctx, const char *name, char *err, size_t errlen)
{
	struct dp_guest *g = dp_app_guest_find(ctx, name);

	if (g == NULL && err != NULL)
		snprintf(err, errlen, "no guest %s", name);
	return g;
}

static int
ded_assign(void *ctx, const char *name, const struct vf_slot *vf, char *err,
	   size_t errlen)
{
	struct dp_guest *g = guest(ctx, name, err, errlen);

	return g == NULL ? -ENOENT : dp_vf_assign(ctx, g, vf->devargs, err, errlen);
}

static int
ded_revoke(void *ctx, const char *name, const struct vf_slot *vf, char *err,
	   size_t errlen)
{
	struct dp_guest *g = guest(ctx, name, err, errlen);

	(void)vf;
	return g == NULL ? -ENOENT : dp_vf_revoke(ctx, g, err, errlen);
}

/* A guest removed meanwhile took its VF with it (dp_vf_guest_gone()). */
static int
ded_poll(void *ctx, const char *name, uint64_t now_ms, char *err, size_t errlen)
{
	struct dp_guest *g = guest(ctx, name, NULL, 0);

	(void)now_ms;
	return g == NULL ? 0 : dp_vf_poll(ctx, g, err, errlen);
}

static int
ded_counters(void *ctx, const char *name, const struct vf_slot *vf,
	     struct vf_counters *out)
{
	struct dp_guest *g = guest(ctx, name, NULL, 0);
	struct rte_eth_stats st;
	struct dp_vf_info info;

	(void)vf;
	if (g == NULL)
		return -ENOENT;
	if (dp_vf_port_stats(g, &st) < 0)
		return dp_vf_info(g, &info) == 0 && info.lost ? -ENODEV : -ENOENT;
	out->pkts = st.ipackets + st.opackets;
	out->bytes = st.ibytes + st.obytes;
	out->source = VF_RATE_HOST_VFPORT;
	return 0;
}

void
vf_act_dedicated_init(struct vf_actuator *act, struct dp_app *app)
{
	act->name = "dedicated";
	act->assign = ded_assign;
	act->revoke = ded_revoke;
	act->poll = ded_poll;
	act->vf_counters = ded_counters;
	act->ctx = app;
}
