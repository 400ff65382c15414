/* SPDX-License-Identifier: BSD-3-Clause */
/* Prometheus text exposition, the metrics command and the file writer. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include <hostlane/proto.h>

#include "ctl_cmds.h"
#include "ctl_metrics.h"
#include "log.h"
#include "paths.h"

static void
head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP hostlane_%s %s\n# TYPE hostlane_%s %s\n", name, help,
		name, type);
}

/* One line per guest of a per-guest value. */
#define PER_GUEST(f, s, metric, expr)                                      \
	for (unsigned int i_ = 0; i_ < (s)->n_guests; i_++) {              \
		const struct ctl_snap_guest *g = &(s)->guests[i_];         \
		fprintf(f, "hostlane_%s{guest=\"%s\"} %" PRIu64 "\n", metric, \
			g->name, (uint64_t)(expr));                        \
	}

static void
guest_counters(FILE *f, const struct ctl_snap *s)
{
#define CTL_M_FAST_(cnt, help) \
	head(f, "guest_" #cnt "_total", "counter", help); \
	PER_GUEST(f, s, "guest_" #cnt "_total", g->v.st.cnt)
	DP_GUEST_FAST_COUNTERS(CTL_M_FAST_)
#undef CTL_M_FAST_
#define CTL_M_SLOW_(cnt, help) \
	head(f, "guest_" #cnt "_total", "counter", help); \
	PER_GUEST(f, s, "guest_" #cnt "_total", g->v.slow.cnt)
	DP_GUEST_SLOW_COUNTERS(CTL_M_SLOW_)
#undef CTL_M_SLOW_
	head(f, "guest_connected", "gauge", "1 if a client is connected");
	PER_GUEST(f, s, "guest_connected", g->v.connected)
	head(f, "guest_inflight", "gauge", "function calls in flight");
	PER_GUEST(f, s, "guest_inflight", g->v.inflight)
	head(f, "guest_sessions", "gauge", "function sessions open");
	PER_GUEST(f, s, "guest_sessions", g->sessions)
/* Counters end in _total, gauges do not. */
#define CTL_M_SUFFIX_counter "_total"
#define CTL_M_SUFFIX_gauge ""
#define CTL_M_SOCK_(cnt, type, help) \
	head(f, "guest_sock_" #cnt CTL_M_SUFFIX_##type, #type, "sockets: " help); \
	PER_GUEST(f, s, "guest_sock_" #cnt CTL_M_SUFFIX_##type, g->sock.cnt)
	DP_SOCK_GSTATS(CTL_M_SOCK_)
#undef CTL_M_SOCK_
}

static void
guest_breakdowns(FILE *f, const struct ctl_snap *s)
{
	head(f, "guest_requests_total", "counter", "hostlane requests by opcode");
	for (unsigned int i = 0; i < s->n_guests; i++) {
		const struct ctl_snap_guest *g = &s->guests[i];

#define CTL_M_OP_(sym, val, pl) \
		fprintf(f, "hostlane_guest_requests_total{guest=\"%s\",opcode=\"%s\"} " \
			"%" PRIu64 "\n", g->name, #sym, g->v.req_by_op[DP_OPI_##sym]);
		HL_OPCODE_LIST(CTL_M_OP_)
#undef CTL_M_OP_
	}
	head(f, "guest_errors_total", "counter", "error replies by status");
	for (unsigned int i = 0; i < s->n_guests; i++) {
		const struct ctl_snap_guest *g = &s->guests[i];

#define CTL_M_ST_(sym, val, msg) \
		if ((val) != 0 && (val) < DP_PIPE_STATUSES) \
			fprintf(f, "hostlane_guest_errors_total{guest=\"%s\",status=\"%s\"} " \
				"%" PRIu64 "\n", g->name, #sym, \
				g->v.err_by_status[(val) % DP_PIPE_STATUSES]);
		HL_STATUS_LIST(CTL_M_ST_)
#undef CTL_M_ST_
	}
	head(f, "guest_disconnect_reasons_total", "counter",
	     "connections ended or refused, by reason");
	for (unsigned int i = 0; i < s->n_guests; i++)
		for (unsigned int k = 1; k < DP_MEMIF_R_COUNT; k++)
			fprintf(f, "hostlane_guest_disconnect_reasons_total{guest=\"%s\","
				"reason=\"%s\"} %" PRIu64 "\n", s->guests[i].name,
				dp_memif_reason_name(k), s->guests[i].v.reasons[k]);
}

static void
functions(FILE *f, const struct ctl_snap *s)
{
	head(f, "function_sessions", "gauge", "sessions open on a function, all guests");
	for (unsigned int fn = 1; fn <= FPGA_FN_COUNT; fn++)
		fprintf(f, "hostlane_function_sessions{function=\"%s\"} %u\n",
			fpga_fn_name(fn), s->fn_sessions[fn]);
	head(f, "function_capacity", "gauge", "sessions a function may have open");
	fprintf(f, "hostlane_function_capacity %u\n", s->fn_capacity);
}

/* One counter of every I/O lcore. */
static void
io_counter(FILE *f, const struct ctl_snap *s, const char *name, const char *help,
	   size_t off)
{
	head(f, name, "counter", help);
	for (unsigned int i = 0; i < s->n_lcores; i++) {
		uint64_t v;

		if (!s->lcores[i].io)
			continue;
		memcpy(&v, (const char *)&s->lcores[i] + off, sizeof(v));
		fprintf(f, "hostlane_%s{lcore=\"%u\"} %" PRIu64 "\n", name,
			s->lcores[i].id, v);
	}
}

/* Busy and idle cycles, sleeps and blocks (docs/ARCHITECTURE.md, idle). */
static void
lcore_cycles(FILE *f, const struct ctl_snap *s)
{
	io_counter(f, s, "lcore_busy_cycles_total", "TSC cycles of poll passes "
		   "that found work", offsetof(struct dp_lcore_view, busy_cycles));
	io_counter(f, s, "lcore_idle_cycles_total", "TSC cycles of empty passes, "
		   "pauses, sleeps and blocks", offsetof(struct dp_lcore_view, idle_cycles));
	io_counter(f, s, "lcore_sleep_cycles_total", "TSC cycles asleep or blocked "
		   "(part of idle)", offsetof(struct dp_lcore_view, sleep_cycles));
	io_counter(f, s, "lcore_sleeps_total", "short sleeps of the idle ladder",
		   offsetof(struct dp_lcore_view, sleeps));
	io_counter(f, s, "lcore_blocks_total", "waits on the guests' eventfds",
		   offsetof(struct dp_lcore_view, blocks));
	io_counter(f, s, "lcore_wakeups_total", "waits ended by an eventfd",
		   offsetof(struct dp_lcore_view, wakeups));
}

static void
lcores(FILE *f, const struct ctl_snap *s)
{
	head(f, "lcore_loops_total", "counter", "passes through the lcore's loop");
	for (unsigned int i = 0; i < s->n_lcores; i++)
		fprintf(f, "hostlane_lcore_loops_total{lcore=\"%u\",role=\"%s\"} %"
			PRIu64 "\n", s->lcores[i].id, s->lcores[i].io ? "io" : "worker",
			s->lcores[i].loops);
	lcore_cycles(f, s);
	head(f, "lcore_stuck", "gauge", "1 while the watchdog finds the I/O "
	     "lcore stuck (no poll pass for watchdog_ms)");
	for (unsigned int i = 0; i < s->n_lcores; i++)
		if (s->lcores[i].io)
			fprintf(f, "hostlane_lcore_stuck{lcore=\"%u\"} %u\n",
				s->lcores[i].id, (unsigned int)s->lcores[i].stuck);
	head(f, "lcore_stuck_events_total", "counter", "times the I/O lcore "
	     "was found stuck");
	for (unsigned int i = 0; i < s->n_lcores; i++)
		if (s->lcores[i].io)
			fprintf(f, "hostlane_lcore_stuck_events_total{lcore=\"%u\"} %"
				PRIu64 "\n", s->lcores[i].id,
				s->lcores[i].stuck_events);
}

/* X(metric, field of struct ctl_snap_port, help) */
#define CTL_PORT_COUNTERS(X) \
	X(rx_frames, st.ipackets, "frames received by the port") \
	X(tx_frames, st.opackets, "frames sent by the port") \
	X(rx_bytes, st.ibytes, "bytes received by the port") \
	X(tx_bytes, st.obytes, "bytes sent by the port") \
	X(rx_missed, st.imissed, "frames the port dropped: RX queue full") \
	X(rx_errors, st.ierrors, "erroneous frames received") \
	X(tx_errors, st.oerrors, "frames that failed to send") \
	X(rx_nombuf, st.rx_nombuf, "RX mbuf allocation failures")

static void
ports(FILE *f, const struct ctl_snap *s)
{
	head(f, "port_link_up", "gauge", "1 if the port's link is up");
	for (unsigned int i = 0; i < s->n_ports; i++)
		fprintf(f, "hostlane_port_link_up{port=\"%s\"} %u\n", s->ports[i].name,
			(unsigned int)s->ports[i].link.link_status);
#define CTL_M_PORT_(sym, field, help) \
	head(f, "port_" #sym "_total", "counter", help); \
	for (unsigned int i = 0; i < s->n_ports; i++) \
		fprintf(f, "hostlane_port_" #sym "_total{port=\"%s\"} %" PRIu64 "\n", \
			s->ports[i].name, (uint64_t)s->ports[i].field);
	CTL_PORT_COUNTERS(CTL_M_PORT_)
#undef CTL_M_PORT_
}

/* X(metric, field of struct vf_alloc_stats, type, help) */
#define CTL_VF_COUNTERS(X) \
	X(rounds_total, rounds, "counter", "VF allocator rounds run") \
	X(assigns_total, assigns, "counter", "VF assigns completed") \
	X(revokes_total, revokes, "counter", "VF revokes completed") \
	X(failures_total, failures, "counter", "VF assigns or revokes that failed") \
	X(switch_ms_total, switch_ms_total, "counter", \
	  "milliseconds from the start of each VF assign or revoke to its end") \
	X(switch_ms_max, switch_ms_max, "gauge", "the longest VF assign or revoke, ms") \
	X(round_ns, round_ns_last, "gauge", "the last allocator round, ns") \
	X(reports_total, reports, "counter", "guest counter reports taken") \
	X(reports_refused_total, reports_refused, "counter", \
	  "guest counter reports refused: too soon, backwards or too fast")

/* The socket workers' counters, one line each (docs/sockets.md). */
static void
sock_workers(FILE *f, const struct ctl_snap *s)
{
#define CTL_M_SOCKW_(cnt, help) \
	head(f, "sock_worker_" #cnt "_total", "counter", "socket worker: " help); \
	for (unsigned int i = 0; i < s->n_sock_workers; i++) \
		fprintf(f, "hostlane_sock_worker_" #cnt "_total{worker=\"%u\"} %" PRIu64 "\n", \
			i, s->sock_workers[i].cnt);
	DP_SOCK_WSTATS(CTL_M_SOCKW_)
#undef CTL_M_SOCKW_
}

static void
vf_metrics(FILE *f, const struct ctl_snap_vf *v)
{
	if (!v->enabled)
		return;
	head(f, "vf_total", "gauge", "VFs the allocator hands out");
	fprintf(f, "hostlane_vf_total %u\n", v->n_slots);
	head(f, "vf_held", "gauge", "VFs held by a guest (operations under way included)");
	fprintf(f, "hostlane_vf_held %u\n", v->held);
#define CTL_M_VF_(name, field, type, help) \
	head(f, "vf_" #name, type, help); \
	fprintf(f, "hostlane_vf_" #name " %" PRIu64 "\n", v->st.field);
	CTL_VF_COUNTERS(CTL_M_VF_)
#undef CTL_M_VF_
	head(f, "vf_guest_holds", "gauge", "1 while the guest holds a VF");
	for (unsigned int i = 0; i < v->n_guests; i++)
		fprintf(f, "hostlane_vf_guest_holds{guest=\"%s\"} %u\n", v->guests[i].name,
			(unsigned int)(v->guests[i].state == VF_G_HELD));
	head(f, "vf_guest_switches_total", "counter", "VF assigns completed for the guest");
	for (unsigned int i = 0; i < v->n_guests; i++)
		fprintf(f, "hostlane_vf_guest_switches_total{guest=\"%s\"} %" PRIu64 "\n",
			v->guests[i].name, v->guests[i].assigns);
	head(f, "vf_guest_rate_pps", "gauge", "the guest's packet rate the VF policy "
	     "uses (EWMA), by the source it came from");
	for (unsigned int i = 0; i < v->n_guests; i++)
		fprintf(f, "hostlane_vf_guest_rate_pps{guest=\"%s\",source=\"%s\"} %.0f\n",
			v->guests[i].name, vf_rate_source_name(v->guests[i].rate.source),
			v->guests[i].rate.pps);
	head(f, "vf_guest_rate_bytes", "gauge", "the guest's byte rate per second (EWMA)");
	for (unsigned int i = 0; i < v->n_guests; i++)
		fprintf(f, "hostlane_vf_guest_rate_bytes{guest=\"%s\",source=\"%s\"} %.0f\n",
			v->guests[i].name, vf_rate_source_name(v->guests[i].rate.source),
			v->guests[i].rate.bps);
}

char *
ctl_metrics_text(const struct ctl_snap *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	head(f, "guests", "gauge", "guests configured");
	fprintf(f, "hostlane_guests %u\n", s->n_guests);
	guest_counters(f, s);
	guest_breakdowns(f, s);
	functions(f, s);
	ports(f, s);
	sock_workers(f, s);
	lcores(f, s);
	vf_metrics(f, &s->vf);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

enum ctl_err
ctl_cmd_metrics(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	char *text;
	json_t *v;

	(void)args;
	ctl_snap_fill(c->snap, c->app, c->mgr);
	ctl_vf_snap(c->vf, &c->snap->vf);
	text = ctl_metrics_text(c->snap);
	if (text == NULL)
		return ctl_fail(r, CTL_E_INTERNAL, "out of memory");
	v = json_string(text);
	free(text);
	return ctl_ok(r, v);
}

struct ctl_metrics_writer {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	int last_err;			/**< log a failure once, not every time */
	unsigned int interval_ms;
	char dir[PATH_MAX];		/**< the file's directory, checked at each write */
	char name[NAME_MAX + 1];	/**< the file in it */
	char path[PATH_MAX];		/**< for messages */
};

static int
format_cb(const struct ctl_snap *s, void *arg)
{
	*(char **)arg = ctl_metrics_text(s);
	return 0;
}

/* The directory is opened and checked each time: it may appear after
 * start, and the write goes through the fd that was checked. */
static int
write_text(struct ctl_metrics_writer *w, const char *text, char *why, size_t len)
{
	int dfd = dp_path_dir_open(w->dir, why, len);
	int rc;

	if (dfd < 0)
		return dfd;
	rc = dp_path_write_at(dfd, w->name, text, strlen(text), CTL_METRICS_MODE);
	close(dfd);
	if (rc < 0)
		snprintf(why, len, "%s", strerror(-rc));
	return rc;
}

static void
write_once(struct ctl_metrics_writer *w)
{
	char *text = NULL, why[DP_ERR_MAX] = "out of memory";
	int rc;

	if (ctl_snap_read(format_cb, &text) < 0)
		return;		/* nothing published yet */
	rc = text != NULL ? write_text(w, text, why, sizeof(why)) : -ENOMEM;
	free(text);
	if (rc < 0 && rc != w->last_err)
		DP_LOG(WARNING, "metrics file %s: %s", w->path, why);
	w->last_err = rc;
}

static void *
writer_main(void *arg)
{
	struct ctl_metrics_writer *w = arg;
	struct timespec t;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		pthread_mutex_unlock(&w->lock);
		write_once(w);
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_sec += w->interval_ms / 1000;
		t.tv_nsec += (long)(w->interval_ms % 1000) * 1000000L;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&w->lock);
		while (!w->stop &&
		       pthread_cond_timedwait(&w->wake, &w->lock, &t) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* The file's directory, checked now when it exists already (it may be
 * created later: each write checks it again). */
static int
writer_dir(struct ctl_metrics_writer *w, const char *path, char *err, size_t errlen)
{
	const char *name = dp_path_split(path, w->dir, sizeof(w->dir));
	char why[DP_ERR_MAX];
	int dfd;

	if (name == NULL || *name == '\0' || strlen(name) + 4 > NAME_MAX) {
		snprintf(err, errlen, "metrics file %s: not a file name", path);
		return -EINVAL;
	}
	dfd = dp_path_dir_open(w->dir, why, sizeof(why));
	if (dfd < 0 && dfd != -ENOENT) {
		snprintf(err, errlen, "metrics file %s: %s", path, why);
		return dfd;
	}
	if (dfd >= 0)
		close(dfd);
	snprintf(w->name, sizeof(w->name), "%s", name);
	snprintf(w->path, sizeof(w->path), "%s", path);
	return 0;
}

struct ctl_metrics_writer *
ctl_metrics_writer_start(const char *path, unsigned int interval_ms,
			 char *err, size_t errlen)
{
	struct ctl_metrics_writer *w;
	pthread_condattr_t ca;
	int rc;

	if (path == NULL || path[0] != '/' || interval_ms < CTL_METRICS_MIN_MS ||
	    strlen(path) + 5 > sizeof(w->path)) {
		snprintf(err, errlen, "metrics file %s every %u ms: not an absolute "
			 "path, or an interval below %u ms", path != NULL ? path : "-",
			 interval_ms, CTL_METRICS_MIN_MS);
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		snprintf(err, errlen, "metrics file %s: out of memory", path);
		return NULL;
	}
	rc = writer_dir(w, path, err, errlen);
	if (rc < 0) {
		free(w);
		errno = -rc;
		return NULL;
	}
	w->interval_ms = interval_ms;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = rte_ctrl_thread_create(&w->tid, "hl-metrics", NULL, writer_main, w);
	if (rc != 0) {
		free(w);
		errno = rc < 0 ? -rc : rc;
		snprintf(err, errlen, "metrics file %s: cannot start its writer: %s",
			 path, strerror(errno));
		return NULL;
	}
	return w;
}

void
ctl_metrics_writer_stop(struct ctl_metrics_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->tid, NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
