/* SPDX-License-Identifier: BSD-3-Clause */
/* The I/O lcore poll loop and its RCU quiescent-state reporting. */
#include <errno.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "lcore.h"
#include "log.h"

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

void
dp_lcore_sync(void)
{
	rte_rcu_qsbr_synchronize(qsbr, RTE_QSBR_THRID_INVALID);
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

static inline void
poll_once(struct dp_io_lcore *lc)
{
	/* Acquire: pairs with dp_lcore_guest_add()'s release, so the new
	 * slot's pointer is seen with the count. */
	unsigned int n = __atomic_load_n(&lc->n_guests, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++)
		dp_guest_poll(__atomic_load_n(&lc->guests[i], __ATOMIC_RELAXED));
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
		dp_lcore_sync();
		return;
	}
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
		lc->loops++;
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
