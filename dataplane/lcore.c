/* SPDX-License-Identifier: BSD-3-Clause */
/* The I/O lcore poll loop, its RCU quiescent points, heartbeat and watchdog. */
#include <errno.h>
#include <time.h>

#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "clock.h"
#include "lcore.h"
#include "log.h"
#include "vfport.h"

static struct rte_rcu_qsbr *qsbr;
static volatile int stop_flag;

int
dp_lcore_init(unsigned int n_io)
{
	size_t sz = rte_rcu_qsbr_get_memsize(n_io);

	qsbr = rte_zmalloc("hostlane_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL)
		return -ENOMEM;
	return rte_rcu_qsbr_init(qsbr, n_io);
}

void
dp_lcore_fini(void)
{
	rte_free(qsbr);
	qsbr = NULL;
}

uint64_t
dp_lcore_rcu_start(void)
{
	return rte_rcu_qsbr_start(qsbr);
}

bool
dp_lcore_rcu_passed(uint64_t token)
{
	return rte_rcu_qsbr_check(qsbr, token, false) == 1;
}

void
dp_lcore_stop(void)
{
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
}

bool
dp_lcore_stopping(void)
{
	return __atomic_load_n(&stop_flag, __ATOMIC_RELAXED) != 0;
}

static unsigned int
count_running(const unsigned int *ids, unsigned int n)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++)
		k += rte_eal_get_lcore_state(ids[i]) == RUNNING;
	return k;
}

unsigned int
dp_lcore_wait_stopped(const unsigned int *ids, unsigned int n,
		      unsigned int timeout_ms)
{
	uint64_t deadline = dp_now_ms() + timeout_ms;
	const struct timespec step = { .tv_nsec = 1000000 };
	unsigned int k;

	while ((k = count_running(ids, n)) != 0 && dp_now_ms() < deadline)
		nanosleep(&step, NULL);
	/* Reap the finished ones: rte_eal_wait_lcore() returns at once now. */
	for (unsigned int i = 0; i < n; i++)
		if (rte_eal_get_lcore_state(ids[i]) != RUNNING)
			rte_eal_wait_lcore(ids[i]);
	return k;
}

static inline void
poll_once(struct dp_io_lcore *lc)
{
	/* Acquire: pairs with dp_lcore_guest_add()'s release, so the new
	 * slot's pointer is seen with the count. */
	unsigned int n = __atomic_load_n(&lc->n_guests, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++)
		dp_vf_guest_poll(__atomic_load_n(&lc->guests[i], __ATOMIC_RELAXED));
	for (unsigned int i = 0; i < lc->n_ports; i++)
		dp_port_poll(lc->ports[i]);
	dp_pipe_poll(&lc->pipe);
	if (unlikely(dp_replace_pending(&lc->replace)))
		dp_replace_apply(lc);
}

void
dp_lcore_guest_add(struct dp_io_lcore *lc, struct dp_guest *g)
{
	unsigned int n = lc->n_guests;

	__atomic_store_n(&lc->guests[n], g, __ATOMIC_RELAXED);
	__atomic_store_n(&lc->n_guests, n + 1, __ATOMIC_RELEASE);
}

void
dp_lcore_guest_remove(struct dp_io_lcore *lc, struct dp_guest *g)
{
	unsigned int n = lc->n_guests;

	for (unsigned int i = 0; i < n; i++) {
		if (lc->guests[i] != g)
			continue;
		/* A pass running now may poll the last guest twice or miss
		 * it once; both are harmless. */
		__atomic_store_n(&lc->guests[i], lc->guests[n - 1], __ATOMIC_RELAXED);
		__atomic_store_n(&lc->n_guests, n - 1, __ATOMIC_RELEASE);
		return;
	}
}

int
dp_lcore_watchdog(struct dp_io_lcore *lc, uint64_t now_ms, unsigned int timeout_ms,
		  bool resync)
{
	struct dp_lcore_wd *wd = &lc->wd;
	uint64_t loops = __atomic_load_n(&lc->loops, __ATOMIC_RELAXED);

	/* The main lcore itself did not run for a while: the whole process
	 * (or VM) may have been stopped; start counting again rather than
	 * blame an lcore that had no chance to run either. */
	if (resync && wd->stuck_since_ms == 0)
		wd->seen_ms = now_ms;
	if (loops != wd->seen_loops || wd->seen_ms == 0) {
		int was = wd->stuck_since_ms != 0;

		if (was) {
			wd->last_stuck_ms = now_ms - wd->stuck_since_ms;
			wd->stuck_ms_total += wd->last_stuck_ms;
		}
		wd->seen_loops = loops;
		wd->seen_ms = now_ms;
		wd->stuck_since_ms = 0;
		return was ? -1 : 0;
	}
	if (timeout_ms == 0 || wd->stuck_since_ms != 0 ||
	    now_ms - wd->seen_ms < timeout_ms)
		return 0;
	wd->stuck_since_ms = wd->seen_ms;
	wd->stuck_where = __atomic_load_n(&lc->pipe.where, __ATOMIC_RELAXED);
	wd->stuck_events++;
	return 1;
}

int
dp_lcore_io_main(void *arg)
{
	struct dp_io_lcore *lc = arg;

	rte_rcu_qsbr_thread_register(qsbr, lc->qsbr_id);
	rte_rcu_qsbr_thread_online(qsbr, lc->qsbr_id);
	DP_LOG(INFO, "I/O lcore %u: polling %u guests, %u ports", lc->lcore_id,
	       lc->n_guests, lc->n_ports);
	while (!dp_lcore_stopping()) {
		poll_once(lc);
		/* Only this lcore writes it; relaxed: a heartbeat, no data. */
		__atomic_store_n(&lc->loops, lc->loops + 1, __ATOMIC_RELAXED);
		rte_rcu_qsbr_quiescent(qsbr, lc->qsbr_id);
	}
	rte_rcu_qsbr_thread_offline(qsbr, lc->qsbr_id);
	rte_rcu_qsbr_thread_unregister(qsbr, lc->qsbr_id);
	return 0;
}

int
dp_lcore_worker_main(void *arg)
{
	struct dp_worker_lcore *w = arg;

	DP_LOG(INFO, "worker lcore %u: serving %u I/O lcores", w->lcore_id,
	       w->n_links);
	while (!dp_lcore_stopping()) {
		for (unsigned int i = 0; i < w->n_links; i++)
			fpga_ring_link_serve(w->links[i]);
		w->loops++;
	}
	return 0;
}
