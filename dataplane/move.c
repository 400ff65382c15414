/* SPDX-License-Identifier: BSD-3-Clause */
/* Moving guests between I/O lcores: the state machine, plans, load samples. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "afu.h"
#include "app.h"
#include "balance.h"
#include "clock.h"
#include "log.h"
#include "move.h"

enum move_phase {
	MV_IDLE,
	MV_DRAIN,	/* its lcore finishes what it has of the guest */
	MV_GRACE,	/* off the old lcore's list: a grace period */
};

struct move_op {
	enum move_phase phase;
	struct dp_guest *g;
	struct dp_io_lcore *from, *to;
	uint32_t req;
	bool pvs_left;		/* detached from the PV switch for the move */
	uint64_t start_ms, deadline_ms, token;
};

/* The main lcore's; one module per process. */
static struct {
	struct move_op op;
	uint32_t seq;
	/* The moves of the current request still to start: slot, lcore id. */
	uint16_t q_guest[DP_MOVE_MAX];
	unsigned int q_lcore[DP_MOVE_MAX];
	unsigned int n_q, next_q;
	struct dp_move_rec recs[DP_MOVE_MAX];
	unsigned int n_recs;
	bool collected;		/* dp_move_done() handed out the records */
	/* Load samples. */
	uint64_t lc_seen[RTE_MAX_LCORE], lc_last[RTE_MAX_LCORE];
	uint64_t sample_ms;		/* the last sample */
	uint64_t moved_ms[DP_GUESTS_CAP];	/* a guest's last move (auto: once
						   per interval at most) */
} mv = { .collected = true };

void
dp_move_init(void)
{
	mv.op.phase = MV_IDLE;
	mv.sample_ms = dp_now_ms();
}

bool
dp_move_busy(void)
{
	return mv.op.phase != MV_IDLE || mv.next_q < mv.n_q;
}

bool
dp_move_done(const struct dp_move_rec **recs, unsigned int *n)
{
	if (dp_move_busy() || mv.collected)
		return false;
	mv.collected = true;
	*recs = mv.recs;
	*n = mv.n_recs;
	return true;
}

uint64_t
dp_move_lcore_busy(unsigned int io_index)
{
	return io_index < RTE_MAX_LCORE ? mv.lc_last[io_index] : 0;
}

static int
io_index_of(const struct dp_app *app, unsigned int lcore_id)
{
	for (unsigned int i = 0; i < app->n_io; i++)
		if (app->io[i].lcore_id == lcore_id)
			return (int)i;
	return -1;
}

/* ---- load samples ------------------------------------------------------ */

static void
sample(struct dp_app *app, uint64_t now)
{
	for (unsigned int i = 0; i < app->n_io && i < RTE_MAX_LCORE; i++) {
		uint64_t b = __atomic_load_n(&app->io[i].idle.busy_cycles, __ATOMIC_RELAXED);

		mv.lc_last[i] = b - mv.lc_seen[i];
		mv.lc_seen[i] = b;
	}
	for (unsigned int s = 0; s < app->cfg->n_guests; s++) {
		struct dp_guest *g = &app->guests[s];
		uint64_t b = __atomic_load_n(&g->fast.busy_cycles, __ATOMIC_RELAXED);

		if (!g->conn.active)
			continue;
		/* A reused slot starts from 0 again. */
		g->conn.busy_last = b >= g->conn.busy_seen ? b - g->conn.busy_seen : b;
		g->conn.busy_seen = b;
	}
	mv.sample_ms = now;
}

static void
lcores_fill(const struct dp_app *app, struct dp_bal_lcore *lc)
{
	for (unsigned int i = 0; i < app->n_io && i < DP_BAL_MAX_LCORES; i++) {
		const struct dp_io_lcore *io = &app->io[i];

		lc[i] = (struct dp_bal_lcore){
			.node = (int)rte_lcore_to_socket_id(io->lcore_id),
			.n_guests = io->n_guests, .busy = mv.lc_last[i],
			.room = io->pipe.n_pend - RTE_MIN(io->budget, io->pipe.n_pend) };
	}
}

int
dp_move_place(const struct dp_app *app, uint32_t budget)
{
	struct dp_bal_lcore lc[DP_BAL_MAX_LCORES];

	lcores_fill(app, lc);
	/* Not connected yet: its memory's node is not known. */
	return dp_bal_place(app->cfg->balance.placement, -1, budget, lc,
			    RTE_MIN(app->n_io, (unsigned int)DP_BAL_MAX_LCORES), -1, 0);
}

/* ---- one move ---------------------------------------------------------- */

static void
record(struct move_op *op, int rc, const char *why)
{
	struct dp_move_rec *r;

	if (mv.n_recs == DP_MOVE_MAX)
		return;
	r = &mv.recs[mv.n_recs++];
	*r = (struct dp_move_rec){ .guest = op->g->idx, .from = op->from->lcore_id,
		.to = op->to->lcore_id, .rc = rc, .busy = op->g->conn.busy_last,
		.ms = dp_now_ms() - op->start_ms };
	snprintf(r->why, sizeof(r->why), "%s", why);
}

/* Why a guest cannot move to lcore_id now; 0 if it can. queued: the
 * next move of the request under way, which the busy check would refuse. */
static int
refuse(const struct dp_app *app, const struct dp_guest *g, unsigned int lcore_id,
       bool queued, char *err, size_t len)
{
	int to = io_index_of(app, lcore_id);
	const struct dp_io_lcore *lc;
	struct fpga_afu_info afu;

	if (to < 0)
		return snprintf(err, len, "lcore %u is not an I/O lcore", lcore_id),
		       -EINVAL;
	lc = &app->io[to];
	if (strcmp(g->fast.handler->name, "switch") == 0)
		return snprintf(err, len, "guest %s has handler switch: the PV "
				"switch serves only its own lcore", g->conf->name), -ENOTSUP;
	if (!queued && dp_move_busy())
		return snprintf(err, len, "a move is already under way (guest %s "
				"to lcore %u)", mv.op.g != NULL ? mv.op.g->conf->name :
				"?", mv.op.to != NULL ? mv.op.to->lcore_id : 0), -EBUSY;
	/* Re-placing orders look for their guests in the poll lists. */
	if (fpga_afu_info(&afu) == 0 && afu.reconf)
		return snprintf(err, len, "an FPGA reconfiguration is under way"), -EBUSY;
	if (!dp_lcore_guest_pollable(g))
		return snprintf(err, len, "guest %s is not connected",
				g->conf->name), -ENOTCONN;
	if (lc == g->io)
		return snprintf(err, len, "guest %s is already on lcore %u",
				g->conf->name, lc->lcore_id), -EALREADY;
	if (__atomic_load_n(&g->fast.vf, __ATOMIC_RELAXED) != NULL)
		return snprintf(err, len, "guest %s holds a dedicated VF, which "
				"is not moved", g->conf->name), -ENOTSUP;
	if (dp_lcore_stuck(g->io) || dp_lcore_stuck(lc))
		return snprintf(err, len, "lcore %u is stuck", dp_lcore_stuck(lc) ?
				lc->lcore_id : g->io->lcore_id), -EAGAIN;
	if (lc->budget + g->conf->max_inflight > lc->pipe.n_pend)
		return snprintf(err, len, "lcore %u has room for %u calls in flight, "
				"guest %s needs %u (max_inflight)", lc->lcore_id,
				lc->pipe.n_pend - lc->budget, g->conf->name,
				g->conf->max_inflight), -ENOSPC;
	return 0;
}

static void
start(struct dp_guest *g, struct dp_io_lcore *to, uint64_t now)
{
	struct move_op *op = &mv.op;

	*op = (struct move_op){ .phase = MV_DRAIN, .g = g, .from = g->io, .to = to,
		.req = ++mv.seq ? mv.seq : ++mv.seq, .start_ms = now,
		.deadline_ms = now + DP_MOVE_DEADLINE_MS };
	to->budget += g->conf->max_inflight;	/* reserved: nobody takes it meanwhile */
	/* Release: pairs with the old lcore's acquire once per pass. */
	__atomic_store_n(&g->fast.move_req, op->req, __ATOMIC_RELEASE);
	dp_lcore_wake(op->from);
}

/* The guest stays on its lcore and is served there again. */
static void
abandon(struct move_op *op, int rc, const char *why)
{
	struct dp_guest *g = op->g;

	op->to->budget -= g->conf->max_inflight;
	__atomic_store_n(&g->fast.move_req, 0, __ATOMIC_RELEASE);
	if (g->conn.move_held) {
		g->conn.move_held = 0;
		dp_lcore_guest_sync(g);
	}
	/* It may be blocked while the guest's frames wait: look again. */
	dp_lcore_wake(op->from);
	if (op->pvs_left)
		DP_LOG(WARNING, "guest %s: left the PV switch for its move, which "
		       "was abandoned: its frames that are not hostlane requests "
		       "are dropped until it is moved again", g->conf->name);
	DP_LOG(WARNING, "guest %s: move from lcore %u to %u abandoned after %" PRIu64
	       " ms: %s", g->conf->name, op->from->lcore_id, op->to->lcore_id,
	       dp_now_ms() - op->start_ms, why);
	record(op, rc, why);
	op->phase = MV_IDLE;
}

/* Drained: off the old lcore's list, out of its switch, then a grace period. */
static void
leave(struct dp_app *app, struct move_op *op)
{
	struct dp_guest *g = op->g;

	dp_lcore_guest_hold(g);
	if (g->fast.pvs != NULL && app->pvs != NULL) {
		dp_pvs_detach(app->pvs, g->idx);
		op->pvs_left = true;
	}
	op->token = dp_lcore_rcu_start();
	op->phase = MV_GRACE;
}

/* Its interrupt sources from the old lcore's epoll set to the new one's. */
static void
move_intr(struct dp_guest *g, struct dp_io_lcore *from, struct dp_io_lcore *to)
{
	struct dp_memif_rt *rt = g->fast.rt;

	if (g->fast.chan == DP_CHAN_MEMIF) {
		if (rt == NULL)
			return;
		dp_lcore_fd_unwatch(from, rt->c2s.intr_fd);
		if (dp_lcore_fd_watch(to, rt->c2s.intr_fd) < 0)
			DP_LOG(WARNING, "guest %s: lcore %u cannot watch its "
			       "interrupt eventfd: it wakes that lcore only by its "
			       "timeouts", g->conf->name, to->lcore_id);
		return;
	}
	if (!g->fast.rx_intr)
		return;
	dp_lcore_port_intr_del(from, g->fast.port_id);
	__atomic_store_n(&g->fast.rx_intr,
			 dp_lcore_port_intr_add(to, g->fast.port_id) == 0, __ATOMIC_RELAXED);
}

/* Past the grace period: the guest is the new lcore's. */
static void
arrive(struct dp_app *app, struct move_op *op)
{
	struct dp_guest *g = op->g;
	char why[64];

	move_intr(g, op->from, op->to);
	op->from->n_guests--;
	op->from->budget -= g->conf->max_inflight;
	op->to->n_guests++;
	g->fast.pvs = NULL;
	g->lcore = op->to->lcore_id;
	g->io = op->to;
	g->pl.pipe = &op->to->pipe;
	if (app->pvs != NULL && (op->pvs_left ||
				 strcmp(g->fast.handler->name, "hostlane") == 0)) {
		int rc = dp_pvs_attach_guest(app->pvs, g, g->conf->has_mac ?
					     g->conf->mac : NULL);

		if (rc < 0 && rc != -EXDEV)
			DP_LOG(WARNING, "guest %s: cannot join the PV switch on lcore "
			       "%u: %s", g->conf->name, g->lcore, strerror(-rc));
	}
	/* Release: everything above before the new lcore sees it polled. */
	__atomic_store_n(&g->fast.move_req, 0, __ATOMIC_RELEASE);
	g->conn.move_held = 0;
	dp_lcore_guest_sync(g);
	mv.moved_ms[g->idx] = dp_now_ms();
	snprintf(why, sizeof(why), "moved in %" PRIu64 " ms", dp_now_ms() - op->start_ms);
	DP_LOG(INFO, "guest %s: moved from lcore %u to %u in %" PRIu64 " ms",
	       g->conf->name, op->from->lcore_id, op->to->lcore_id,
	       dp_now_ms() - op->start_ms);
	record(op, 0, why);
	op->phase = MV_IDLE;
}

static void
drain_step(struct dp_app *app, struct move_op *op, uint64_t now)
{
	struct dp_guest *g = op->g;
	char why[160];

	if (!g->conn.move_held && g->conn.poll_pos == 0) {
		abandon(op, -ENOTCONN, "the guest disconnected during the move");
		return;
	}
	/* Acquire: pairs with the lcore's release after its last touch. */
	if (__atomic_load_n(&g->fast.move_ack, __ATOMIC_ACQUIRE) == op->req) {
		if (__atomic_load_n(&g->fast.vf, __ATOMIC_RELAXED) != NULL)
			abandon(op, -ENOTSUP, "the guest took a dedicated VF during the move");
		else
			leave(app, op);
		return;
	}
	if (now < op->deadline_ms)
		return;
	snprintf(why, sizeof(why), "%u calls still in flight on lcore %u after %u ms "
		 "(socket calls held: a blocking receive or an EVENTS long poll "
		 "keep a guest where it is)",
		 __atomic_load_n(&g->pl.inflight, __ATOMIC_RELAXED), op->from->lcore_id,
		 DP_MOVE_DEADLINE_MS);
	abandon(op, -ETIMEDOUT, why);
}

static void
grace_step(struct dp_app *app, struct move_op *op, uint64_t now)
{
	if (dp_lcore_rcu_passed(op->token)) {
		arrive(app, op);
		return;
	}
	if (now >= op->deadline_ms)
		abandon(op, -ETIMEDOUT, "no grace period within the deadline "
			"(an I/O lcore is stuck)");
}

/* The next queued move of the request, if it may still go. */
static void
start_next(struct dp_app *app, uint64_t now)
{
	while (mv.op.phase == MV_IDLE && mv.next_q < mv.n_q) {
		unsigned int k = mv.next_q++;
		struct dp_guest *g = &app->guests[mv.q_guest[k]];
		int to = io_index_of(app, mv.q_lcore[k]);
		struct move_op fail = { .g = g, .from = g->io, .start_ms = now };
		char err[160];
		int rc;

		if (!g->conn.active)
			continue;
		rc = refuse(app, g, mv.q_lcore[k], true, err, sizeof(err));
		if (rc == 0) {
			start(g, &app->io[to], now);
			return;
		}
		fail.to = to >= 0 ? &app->io[to] : g->io;
		record(&fail, rc, err);
	}
}

/* ---- requests ---------------------------------------------------------- */

static void
request_begin(void)
{
	mv.n_q = mv.next_q = 0;
	mv.n_recs = 0;
	mv.collected = false;
}

int
dp_move_guest(struct dp_app *app, struct dp_guest *g, unsigned int lcore_id,
	      char *err, size_t errlen)
{
	int to = io_index_of(app, lcore_id);
	int rc = refuse(app, g, lcore_id, false, err, errlen);

	if (rc < 0)
		return rc;
	request_begin();
	start(g, &app->io[to], dp_now_ms());
	return 0;
}

/* The guests as a plan sees them, by slot. @return how many. */
static unsigned int
guests_fill(const struct dp_app *app, struct dp_bal_guest *bg, uint16_t *slot,
	    bool forced, uint64_t now)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s < app->cfg->n_guests; s++) {
		const struct dp_guest *g = &app->guests[s];
		int li;

		li = g->conn.active ? io_index_of(app, g->lcore) : -1;
		if (li < 0 || li >= DP_BAL_MAX_LCORES)
			continue;
		bg[n] = (struct dp_bal_guest){ .lcore = (unsigned int)li,
			.busy = g->conn.busy_last, .budget = g->conf->max_inflight,
			.node = g->conn.numa.node,
			.movable = dp_lcore_guest_pollable(g) && g->fast.vf == NULL &&
				   strcmp(g->fast.handler->name, "switch") != 0 &&
				   (forced || mv.moved_ms[s] == 0 ||
				    now - mv.moved_ms[s] >= app->cfg->balance.interval_ms) };
		slot[n++] = (uint16_t)s;
	}
	return n;
}

int
dp_move_rebalance(struct dp_app *app, bool forced, char *err, size_t errlen)
{
	static struct dp_bal_guest bg[DP_GUESTS_CAP];
	static uint16_t slot[DP_GUESTS_CAP];
	struct dp_bal_lcore lc[DP_BAL_MAX_LCORES];
	struct dp_bal_move moves[DP_MOVE_MAX];
	uint64_t now = dp_now_ms();
	unsigned int n_g, n_m;

	if (dp_move_busy()) {
		snprintf(err, errlen, "a move is already under way (guest %s to "
			 "lcore %u)", mv.op.g != NULL ? mv.op.g->conf->name : "?",
			 mv.op.to != NULL ? mv.op.to->lcore_id : 0);
		return -EBUSY;
	}
	/* An operator's request: the loads since the last sample, if that
	 * is long enough to say anything. */
	if (forced && now - mv.sample_ms >= 100)
		sample(app, now);
	lcores_fill(app, lc);
	n_g = guests_fill(app, bg, slot, forced, now);
	/* An lcore's load is its guests' cycles: what moving them moves. Its
	 * own (completions, ports, the switch) would stay, and counted in
	 * would make a plan move guests that cannot even it out. */
	for (unsigned int i = 0; i < app->n_io && i < DP_BAL_MAX_LCORES; i++)
		lc[i].busy = 0;
	for (unsigned int i = 0; i < n_g; i++)
		lc[bg[i].lcore].busy += bg[i].busy;
	n_m = dp_bal_plan(lc, RTE_MIN(app->n_io, (unsigned int)DP_BAL_MAX_LCORES),
			  bg, n_g, forced ? 0 : app->cfg->balance.threshold_pct,
			  moves, DP_MOVE_MAX);
	request_begin();
	for (unsigned int i = 0; i < n_m; i++) {
		mv.q_guest[i] = slot[moves[i].guest];
		mv.q_lcore[i] = app->io[moves[i].to].lcore_id;
	}
	mv.n_q = n_m;
	start_next(app, now);
	return (int)n_m;
}

void
dp_move_guest_gone(struct dp_guest *g)
{
	if (mv.op.phase != MV_IDLE && mv.op.g == g)
		abandon(&mv.op, -ENOENT, "the guest was removed");
}

static void
auto_rebalance(struct dp_app *app)
{
	char err[160];
	int n;

	if (dp_move_busy() || !mv.collected)
		return;
	n = dp_move_rebalance(app, false, err, sizeof(err));
	if (n > 0)
		DP_LOG(INFO, "rebalance: lcores' busy cycles differ by %u%% or more: "
		       "moving %d guests", app->cfg->balance.threshold_pct, n);
	/* Nobody waits for an automatic request's records. */
	mv.collected = true;
}

void
dp_move_tick(struct dp_app *app, uint64_t now)
{
	unsigned int every = app->cfg->balance.interval_ms;

	if (mv.op.phase == MV_DRAIN)
		drain_step(app, &mv.op, now);
	else if (mv.op.phase == MV_GRACE)
		grace_step(app, &mv.op, now);
	start_next(app, now);
	if (now - mv.sample_ms < (every != 0 ? every : DP_MOVE_SAMPLE_MS))
		return;
	sample(app, now);
	if (every != 0 && app->n_io > 1)
		auto_rebalance(app);
}
