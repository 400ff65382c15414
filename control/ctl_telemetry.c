/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK telemetry endpoints over the published snapshot. */
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include <hostlane/proto.h>

#include "ctl_snap.h"
#include "ctl_telemetry.h"
#include "session.h"

struct tel_req {
	const char *param;		/**< guest name, or NULL */
	struct rte_tel_data *d;
};

/*
 * DPDK telemetry answers in at most 16 KiB (its MAX_OUTPUT_LEN in 22.11)
 * and RTE_TEL_MAX_ARRAY_ENTRIES array entries, and leaves out silently
 * what does not fit. A string array of ours stops a little earlier and
 * says what it left out in its last entry ("+N more: ..."), so a reader
 * with 1 024 guests is told to use the control socket.
 */
#define TEL_OUT_BUDGET (15 * 1024)
#define TEL_VF_GUESTS 48		/**< guests in /hostlane/vf at most */

struct tel_list {
	size_t used;			/**< JSON bytes so far, estimated high */
	unsigned int n;			/**< entries added */
	unsigned int left_out;
};

/* Add s unless the answer would overflow; count it as left out then. */
static void
tel_list_add(struct rte_tel_data *d, struct tel_list *l, const char *s)
{
	size_t cost = strlen(s) * 2 + 4;	/* quotes, comma; escapes at most double */

	if (l->left_out > 0 || l->n + 1 >= RTE_TEL_MAX_ARRAY_ENTRIES ||
	    l->used + cost > TEL_OUT_BUDGET) {
		l->left_out++;
		return;
	}
	rte_tel_data_add_array_string(d, s);
	l->used += cost;
	l->n++;
}

static void
tel_list_end(struct rte_tel_data *d, const struct tel_list *l, const char *where)
{
	char more[RTE_TEL_MAX_STRING_LEN];

	if (l->left_out == 0)
		return;
	snprintf(more, sizeof(more), "+%u more: telemetry answers are limited, "
		 "see %s", l->left_out, where);
	rte_tel_data_add_array_string(d, more);
}

/* A guest name parameter: NULL when absent, "" when not a valid name. */
static const char *
guest_param(const char *params)
{
	if (params == NULL || params[0] == '\0')
		return NULL;
	if (strlen(params) >= DP_NAME_MAX ||
	    strspn(params, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789_-") != strlen(params))
		return "";
	return params;
}

static int
guests_cb(const struct ctl_snap *s, void *arg)
{
	struct tel_req *q = arg;
	struct tel_list l = { 0 };

	rte_tel_data_start_array(q->d, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < s->n_guests; i++)
		tel_list_add(q->d, &l, s->guests[i].name);
	tel_list_end(q->d, &l, "hostlanectl guest list");
	return 0;
}

static int
guest_cb(const struct ctl_snap *s, void *arg)
{
	struct tel_req *q = arg;
	const struct ctl_snap_guest *g = ctl_snap_guest(s, q->param);

	if (g == NULL)
		return -1;
	rte_tel_data_start_dict(q->d);
	rte_tel_data_add_dict_string(q->d, "name", g->name);
	rte_tel_data_add_dict_string(q->d, "state",
				     g->v.connected ? "connected" : "listening");
	rte_tel_data_add_dict_string(q->d, "handler", g->handler);
	rte_tel_data_add_dict_u64(q->d, "lcore", g->v.lcore);
	rte_tel_data_add_dict_u64(q->d, "slot", g->v.slot);
	rte_tel_data_add_dict_u64(q->d, "sessions", g->sessions);
	rte_tel_data_add_dict_u64(q->d, "inflight", g->v.inflight);
	return 0;
}

static const char *
place_name(unsigned int p)
{
	return p == HL_PLACE_HW ? "hw" : p == HL_PLACE_SW ? "sw" : "any";
}

static int
sessions_cb(const struct ctl_snap *s, void *arg)
{
	struct tel_req *q = arg;
	struct tel_list l = { 0 };

	if (q->param != NULL && ctl_snap_guest(s, q->param) == NULL)
		return -1;
	rte_tel_data_start_array(q->d, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < s->n_sessions; i++) {
		const struct ctl_snap_session *ss = &s->sessions[i];
		const struct fpga_backend_ops *be = fpga_backend_get(ss->backend);
		bool active = ss->state == DP_SESSION_ACTIVE;
		char line[RTE_TEL_MAX_STRING_LEN];

		if (q->param != NULL && strcmp(s->guests[ss->guest].name, q->param) != 0)
			continue;
		snprintf(line, sizeof(line), "%s 0x%08x %s %s %s %s",
			 s->guests[ss->guest].name, ss->id, fpga_fn_name(ss->fn),
			 active ? "active" : "open",
			 active ? place_name(ss->placement) : "-",
			 active && be != NULL ? fpga_backend_name(be) : "-");
		tel_list_add(q->d, &l, line);
	}
	tel_list_end(q->d, &l, "hostlanectl session list");
	return 0;
}

/* Add g's counters to sum (every field a uint64_t). */
static void
add_guest(struct ctl_snap_guest *sum, const struct ctl_snap_guest *g)
{
	const uint64_t *a;
	uint64_t *b;

#define CTL_T_ADD_(blk) \
	a = (const uint64_t *)&g->blk; \
	b = (uint64_t *)&sum->blk; \
	for (size_t k = 0; k < sizeof(g->blk) / sizeof(uint64_t); k++) \
		b[k] += a[k];
	CTL_T_ADD_(v.st)
	CTL_T_ADD_(v.slow)
	CTL_T_ADD_(v.reasons)
	CTL_T_ADD_(v.req_by_op)
	CTL_T_ADD_(v.err_by_status)
	CTL_T_ADD_(sock)
#undef CTL_T_ADD_
	sum->v.inflight += g->v.inflight;
	sum->sessions += g->sessions;
}

static void
stats_dict(struct rte_tel_data *d, const struct ctl_snap_guest *g)
{
	char key[64];

	rte_tel_data_start_dict(d);
#define CTL_T_FAST_(name, help) rte_tel_data_add_dict_u64(d, #name, g->v.st.name);
	DP_GUEST_FAST_COUNTERS(CTL_T_FAST_)
#undef CTL_T_FAST_
#define CTL_T_SLOW_(name, help) rte_tel_data_add_dict_u64(d, #name, g->v.slow.name);
	DP_GUEST_SLOW_COUNTERS(CTL_T_SLOW_)
#undef CTL_T_SLOW_
	rte_tel_data_add_dict_u64(d, "inflight", g->v.inflight);
	rte_tel_data_add_dict_u64(d, "sessions", g->sessions);
#define CTL_T_SOCK_(name, type, help) \
	rte_tel_data_add_dict_u64(d, "sock_" #name, g->sock.name);
	DP_SOCK_GSTATS(CTL_T_SOCK_)
#undef CTL_T_SOCK_
#define CTL_T_OP_(name, val, pl) \
	rte_tel_data_add_dict_u64(d, "req_" #name, g->v.req_by_op[DP_OPI_##name]);
	HL_OPCODE_LIST(CTL_T_OP_)
#undef CTL_T_OP_
#define CTL_T_ST_(name, val, msg) \
	if ((val) != 0 && (val) < DP_PIPE_STATUSES) \
		rte_tel_data_add_dict_u64(d, "err_" #name, \
					  g->v.err_by_status[(val) % DP_PIPE_STATUSES]);
	HL_STATUS_LIST(CTL_T_ST_)
#undef CTL_T_ST_
	for (unsigned int k = 1; k < DP_MEMIF_R_COUNT; k++) {
		snprintf(key, sizeof(key), "disc_%s", dp_memif_reason_name(k));
		rte_tel_data_add_dict_u64(d, key, g->v.reasons[k]);
	}
}

static int
stats_cb(const struct ctl_snap *s, void *arg)
{
	struct tel_req *q = arg;
	static struct ctl_snap_guest sum;	/* telemetry thread only */

	if (q->param != NULL) {
		const struct ctl_snap_guest *g = ctl_snap_guest(s, q->param);

		if (g == NULL)
			return -1;
		stats_dict(q->d, g);
		return 0;
	}
	memset(&sum, 0, sizeof(sum));
	for (unsigned int i = 0; i < s->n_guests; i++)
		add_guest(&sum, &s->guests[i]);
	stats_dict(q->d, &sum);
	return 0;
}

static int
lcores_cb(const struct ctl_snap *s, void *arg)
{
	struct tel_req *q = arg;

	rte_tel_data_start_dict(q->d);
	for (unsigned int i = 0; i < s->n_lcores; i++) {
		const struct dp_lcore_view *l = &s->lcores[i];
		struct rte_tel_data *o = rte_tel_data_alloc();
		char key[16];

		if (o == NULL)
			return -1;
		rte_tel_data_start_dict(o);
		rte_tel_data_add_dict_string(o, "role", l->io ? "io" : "worker");
		rte_tel_data_add_dict_string(o, "state", l->stuck ? "stuck" : "ok");
		rte_tel_data_add_dict_u64(o, "asleep", l->asleep);
		rte_tel_data_add_dict_u64(o, "loops", l->loops);
		rte_tel_data_add_dict_string(o, "idle", l->idle != NULL ? l->idle : "poll");
		rte_tel_data_add_dict_u64(o, "busy_cycles", l->busy_cycles);
		rte_tel_data_add_dict_u64(o, "idle_cycles", l->idle_cycles);
		rte_tel_data_add_dict_u64(o, "stuck_ms", l->stuck_ms);
		rte_tel_data_add_dict_u64(o, "stuck_events", l->stuck_events);
		rte_tel_data_add_dict_string(o, "stuck_in", l->stuck ? l->where : "-");
		snprintf(key, sizeof(key), "%u", l->id);
		rte_tel_data_add_dict_container(q->d, key, o, 0);
	}
	return 0;
}

static int
vf_cb(const struct ctl_snap *s, void *arg)
{
	const struct ctl_snap_vf *v = &s->vf;
	struct tel_req *q = arg;

	if (!v->enabled)
		return -1;
	rte_tel_data_start_dict(q->d);
	rte_tel_data_add_dict_string(q->d, "mode", v->mode);
	rte_tel_data_add_dict_string(q->d, "policy", v->policy);
	rte_tel_data_add_dict_u64(q->d, "vfs_total", v->n_slots);
	rte_tel_data_add_dict_u64(q->d, "vfs_held", v->held);
	rte_tel_data_add_dict_u64(q->d, "rounds", v->st.rounds);
	rte_tel_data_add_dict_u64(q->d, "assigns", v->st.assigns);
	rte_tel_data_add_dict_u64(q->d, "revokes", v->st.revokes);
	rte_tel_data_add_dict_u64(q->d, "failures", v->st.failures);
	rte_tel_data_add_dict_u64(q->d, "switch_ms_max", v->st.switch_ms_max);
	rte_tel_data_add_dict_u64(q->d, "round_us_last", v->st.round_ns_last / 1000);
	/* Each guest's dict is ~250 bytes of JSON: the rest are counted. */
	if (v->n_guests > TEL_VF_GUESTS)
		rte_tel_data_add_dict_u64(q->d, "guests_left_out_see_vf_list",
					  v->n_guests - TEL_VF_GUESTS);
	for (unsigned int i = 0; i < v->n_guests && i < TEL_VF_GUESTS; i++) {
		const struct vf_alloc_guest_info *g = &v->guests[i];
		struct rte_tel_data *o = rte_tel_data_alloc();

		if (o == NULL)
			return -1;
		rte_tel_data_start_dict(o);
		rte_tel_data_add_dict_string(o, "state", vf_gstate_name(g->state));
		rte_tel_data_add_dict_string(o, "vf", g->vf[0] != '\0' ? g->vf : "-");
		rte_tel_data_add_dict_string(o, "role", vf_role_name(g->role));
		rte_tel_data_add_dict_u64(o, "pps", (uint64_t)g->rate.pps);
		rte_tel_data_add_dict_u64(o, "bytes_per_s", (uint64_t)g->rate.bps);
		rte_tel_data_add_dict_string(o, "source",
					     vf_rate_source_name(g->rate.source));
		rte_tel_data_add_dict_u64(o, "assigns", g->assigns);
		rte_tel_data_add_dict_container(q->d, g->name, o, 0);
	}
	return 0;
}

/* The endpoints: X(path suffix, snapshot reader, takes a guest, help). */
#define CTL_TEL_LIST(X) \
	X(guests, guests_cb, false, "Returns the guest names. Takes no parameters") \
	X(guest, guest_cb, true, "Returns one guest's state. Parameters: guest name") \
	X(sessions, sessions_cb, false, \
	  "Returns function sessions. Parameters: guest name (optional)") \
	X(stats, stats_cb, false, \
	  "Returns a guest's counters, or all guests' summed. Parameters: guest name (optional)") \
	X(lcores, lcores_cb, false, \
	  "Returns each lcore's role, loop passes and watchdog state. Takes no parameters") \
	X(vf, vf_cb, false, \
	  "Returns the VF allocator: VFs held, counters, each guest's VF and rate. Takes no parameters")

#define CTL_TEL_CB_(name, fn, need, help)                                     \
static int                                                                    \
tel_##name(const char *cmd, const char *params, struct rte_tel_data *d)      \
{                                                                             \
	struct tel_req q = { .param = guest_param(params), .d = d };          \
                                                                              \
	(void)cmd;                                                            \
	if ((need && q.param == NULL) || (q.param != NULL && q.param[0] == '\0')) \
		return -1;                                                    \
	return ctl_snap_read(fn, &q) < 0 ? -1 : 0;                            \
}
CTL_TEL_LIST(CTL_TEL_CB_)
#undef CTL_TEL_CB_

int
ctl_telemetry_register(void)
{
	static bool done;
	int rc = 0;

	if (done)
		return 0;
#define CTL_TEL_REG_(name, fn, need, help) \
	if (rc == 0) \
		rc = rte_telemetry_register_cmd("/hostlane/" #name, tel_##name, help);
	CTL_TEL_LIST(CTL_TEL_REG_)
#undef CTL_TEL_REG_
	done = rc == 0;
	return rc;
}
