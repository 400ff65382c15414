/* SPDX-License-Identifier: BSD-3-Clause */
/* The I/O lcore poll loop, its RCU quiescent points, heartbeat and watchdog. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "clock.h"
#include "fair_poll.h"
#include "lcore.h"
#include "log.h"
#include "vfport.h"

static struct rte_rcu_qsbr *qsbr;
static volatile int stop_flag;
/* The adaptive lcores' wake eventfds, for dp_lcore_stop() in a signal
 * handler (write() is async-signal-safe). Main lcore fills it before launch. */
static int stop_fds[RTE_MAX_LCORE];
static unsigned int n_stop_fds;

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
	unsigned int n = __atomic_load_n(&n_stop_fds, __ATOMIC_ACQUIRE);
	uint64_t one = 1;

	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
	/* A blocked lcore sees the flag once its epoll wait returns. */
	for (unsigned int i = 0; i < n; i++)
		if (write(stop_fds[i], &one, sizeof(one)) < 0)
			continue;
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

/* A guest's poll found work: its cycles since t (the end of the last
 * guest's work in this pass, or of the last pass). @return now. */
static inline uint64_t
guest_account(struct dp_guest *g, uint64_t t)
{
	uint64_t now = rte_rdtsc();

	/* Relaxed: only this lcore writes it; the main lcore samples it. */
	__atomic_store_n(&g->fast.busy_cycles, g->fast.busy_cycles + (now - t),
			 __ATOMIC_RELAXED);
	return now;
}

/* Nothing of the guest's left on this lcore: no call, socket call, manager
 * request or report in flight, no reply queued, no wake-up owed. */
static inline bool
move_drained(const struct dp_guest *g, const struct dp_memif_rt *rt)
{
	return g->pl.inflight == 0 && g->pl.mgr_out == 0 && g->pl.reports_out == 0 &&
	       g->pl.txn == 0 && (rt == NULL || !rt->s2c.kick_pending);
}

/*
 * A guest moving to another lcore (move.h): take no new frame from it
 * (they wait in its ring: back-pressure, never a drop), but owe it no
 * wake-up; once nothing of it is left here, say so. Its calls still
 * complete in dp_pipe_poll(), which does not need it polled.
 */
static __rte_noinline void
move_drain(struct dp_guest *g)
{
	uint32_t req = __atomic_load_n(&g->fast.move_req, __ATOMIC_RELAXED);
	struct dp_memif_rt *rt = NULL;

	if (g->fast.chan == DP_CHAN_MEMIF)
		rt = __atomic_load_n(&g->fast.rt, __ATOMIC_ACQUIRE);
	if (rt != NULL && rt->s2c.kick_pending) {
		rt->s2c.kick_pending = 0;
		dp_memif_tx_kick(&rt->s2c, &g->fast.st);
	}
	/* Release: every write of ours to the guest before the main lcore
	 * may hand it to another lcore. */
	if (g->fast.move_ack != req && move_drained(g, rt))
		__atomic_store_n(&g->fast.move_ack, req, __ATOMIC_RELEASE);
}

/*
 * The poll list changed length: entries past the old end are new (or
 * moved there) and start hot; cold guests are visited every cold_mask + 1
 * busy passes, so that about DP_COLD_SHARE of them are polled per pass.
 */
static void
cold_resize(struct dp_io_lcore *lc, unsigned int n)
{
	unsigned int every = rte_align32pow2(n / DP_COLD_SHARE + 1);

	for (unsigned int i = lc->cold_n; i < n; i++)
		lc->cold[i] = 0;
	lc->cold_n = n;
	lc->cold_mask = RTE_MIN(every, DP_COLD_EVERY_MAX) - 1;
}

/* One pass over everything the lcore serves. @return work found (frames
 * received, orders applied); 0 for an empty pass. */
static inline unsigned int
poll_once(struct dp_io_lcore *lc)
{
	/* Acquire: pairs with poll_add()'s release, so the new entry's
	 * pointer is seen with the count. Only guests with something to
	 * poll are in the list (dp_lcore_guest_sync()). */
	unsigned int n = __atomic_load_n(&lc->n_poll, __ATOMIC_ACQUIRE);
	uint64_t t = lc->idle.last_pass;
	unsigned int work = 0, skim;

	if (unlikely(n != lc->cold_n))
		cold_resize(lc, n);
	/* Busy (work in the last DP_COLD_AFTER passes): cold guests only on
	 * their turn. Idle: everyone, every pass. */
	lc->pass_no++;
	skim = lc->pass_no - lc->work_pass < DP_COLD_AFTER ? lc->cold_mask : 0;
	/* The end of the last pass (or sleep) is near enough to now to
	 * refill token buckets, and costs no clock read. */
	for (unsigned int i = 0; i < n; i++) {
		struct dp_guest *g;
		unsigned int k;

		if (lc->cold[i] >= DP_COLD_AFTER && ((lc->pass_no + i) & skim) != 0)
			continue;	/* not its turn: its memory is not touched */
		g = __atomic_load_n(&lc->poll[i], __ATOMIC_RELAXED);
		if (unlikely(__atomic_load_n(&g->fast.move_req, __ATOMIC_ACQUIRE) != 0)) {
			move_drain(g);
			continue;
		}
		k = dp_fair_guest_poll(g, lc->idle.last_pass);
		if (k != 0)
			t = guest_account(g, t);
		lc->cold[i] = k != 0 ? 0 : lc->cold[i] + (lc->cold[i] < UINT8_MAX);
		work += k;
	}
	for (unsigned int i = 0; i < lc->n_ports; i++)
		work += dp_port_poll(lc->ports[i]);
	work += dp_pipe_poll(&lc->pipe);
	if (unlikely(dp_replace_pending(&lc->replace))) {
		dp_replace_apply(lc);
		work++;
	}
	if (work != 0)
		lc->work_pass = lc->pass_no;
	return work;
}

int
dp_lcore_poll_init(struct dp_io_lcore *lc, unsigned int max_guests)
{
	lc->poll = rte_zmalloc_socket("hl_poll", sizeof(*lc->poll) * max_guests,
				      RTE_CACHE_LINE_SIZE,
				      (int)rte_lcore_to_socket_id(lc->lcore_id));
	lc->cold = rte_zmalloc_socket("hl_cold", max_guests, RTE_CACHE_LINE_SIZE,
				      (int)rte_lcore_to_socket_id(lc->lcore_id));
	if (lc->poll == NULL || lc->cold == NULL) {
		dp_lcore_poll_fini(lc);
		return -ENOMEM;
	}
	lc->cap_poll = max_guests;
	lc->n_poll = 0;
	lc->cold_n = 0;
	lc->cold_mask = 0;
	return 0;
}

void
dp_lcore_poll_fini(struct dp_io_lcore *lc)
{
	rte_free(lc->poll);
	rte_free(lc->cold);
	lc->poll = NULL;
	lc->cold = NULL;
	lc->cap_poll = 0;
	lc->n_poll = 0;
}

/* Entries move only by the main lcore: slot in g->conn.poll_pos. */
static void
poll_add(struct dp_io_lcore *lc, struct dp_guest *g)
{
	unsigned int n = lc->n_poll;

	if (n == lc->cap_poll)
		return;		/* no list (stopped), or full: cannot happen */
	g->conn.poll_pos = n + 1;
	__atomic_store_n(&lc->poll[n], g, __ATOMIC_RELAXED);
	/* Release: the entry before the count that covers it. */
	__atomic_store_n(&lc->n_poll, n + 1, __ATOMIC_RELEASE);
	dp_lcore_wake(lc);
}

static void
poll_del(struct dp_io_lcore *lc, struct dp_guest *g)
{
	unsigned int i = g->conn.poll_pos - 1, n = lc->n_poll;
	struct dp_guest *last;

	g->conn.poll_pos = 0;
	if (lc->poll == NULL || i >= n)
		return;		/* the list is gone (stopped) */
	last = lc->poll[n - 1];
	/* A pass running now may poll the last guest twice or miss it once;
	 * both are harmless. Every pointer it may read is a guest slot, and
	 * slots live as long as the app. */
	__atomic_store_n(&lc->poll[i], last, __ATOMIC_RELAXED);
	if (last != g)
		last->conn.poll_pos = i + 1;
	__atomic_store_n(&lc->n_poll, n - 1, __ATOMIC_RELEASE);
}

/* Something for the loop to poll: see dp_lcore_guest_sync(). */
static bool
guest_pollable(const struct dp_guest *g)
{
	if (!g->conn.active)
		return false;
	if (__atomic_load_n(&g->fast.vf, __ATOMIC_RELAXED) != NULL)
		return true;
	if (g->fast.chan == DP_CHAN_MEMIF)
		return __atomic_load_n(&g->fast.rt, __ATOMIC_RELAXED) != NULL;
	return g->conn.link_epoch != 0;
}

bool
dp_lcore_guest_pollable(const struct dp_guest *g)
{
	return guest_pollable(g);
}

void
dp_lcore_guest_sync(struct dp_guest *g)
{
	bool want = guest_pollable(g);

	/* Held off for a move: its new lcore's list takes it at the end. */
	if (want && g->conn.poll_pos == 0 && !g->conn.move_held)
		poll_add(g->io, g);
	else if (!want && g->conn.poll_pos != 0)
		poll_del(g->io, g);
}

void
dp_lcore_guest_hold(struct dp_guest *g)
{
	g->conn.move_held = 1;
	if (g->conn.poll_pos != 0)
		poll_del(g->io, g);
}

void
dp_lcore_guest_add(struct dp_io_lcore *lc, struct dp_guest *g)
{
	lc->n_guests++;
	dp_lcore_guest_sync(g);
}

void
dp_lcore_guest_remove(struct dp_io_lcore *lc, struct dp_guest *g)
{
	lc->n_guests--;
	if (g->conn.poll_pos != 0)
		poll_del(lc, g);
}

int
dp_lcore_watchdog(struct dp_io_lcore *lc, uint64_t now_ms, unsigned int timeout_ms,
		  bool resync)
{
	struct dp_lcore_wd *wd = &lc->wd;
	uint64_t loops = __atomic_load_n(&lc->loops, __ATOMIC_RELAXED);
	/* Acquire: pairs with the lcore's release before it blocks. Asleep
	 * is not stuck: it waits for work, in epoll, not in a library. */
	bool asleep = __atomic_load_n(&lc->idle.asleep, __ATOMIC_ACQUIRE) != 0;

	/* The main lcore itself did not run for a while: the whole process
	 * (or VM) may have been stopped; start counting again rather than
	 * blame an lcore that had no chance to run either. */
	if (resync && wd->stuck_since_ms == 0)
		wd->seen_ms = now_ms;
	if (loops != wd->seen_loops || asleep || wd->seen_ms == 0) {
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

/* ---- adaptive idle (lcore.h) -------------------------------------------- */

/* epoll tags: the lcore's wake eventfd; anything else is a guest's C2S. */
#define EV_WAKE 1u
#define EV_C2S 0u
/*
 * Longest block, even when every source interrupts: a safety net for
 * clients that read MASK_INT before their head store is visible (DPDK's
 * net_memif has no barrier there), whose wake-up may be lost. Ten passes
 * a second cost nothing measurable.
 */
#define IDLE_BLOCK_MAX_NS (100ull * 1000 * 1000)
#define IDLE_SLEEP_MIN_NS 1000ull
#define IDLE_EVENTS 16

static uint64_t
us_to_tsc(uint64_t us)
{
	return us * rte_get_tsc_hz() / 1000000;
}

const char *
dp_lcore_idle_name(unsigned int mode)
{
	return mode == DP_IDLE_ADAPTIVE ? "adaptive" : "poll";
}

static uint8_t
idle_mode_of(const struct dp_config *cfg, unsigned int lcore_id)
{
	for (unsigned int i = 0; i < cfg->n_lcore_confs; i++)
		if (cfg->lcore_confs[i].id == lcore_id &&
		    cfg->lcore_confs[i].idle != DP_IDLE_DEFAULT)
			return cfg->lcore_confs[i].idle;
	return cfg->idle.mode;
}

static int
idle_fds_open(struct dp_lcore_idle *s)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV_WAKE };

	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->epfd < 0 || s->wake_fd < 0 ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->wake_fd, &ev) < 0)
		return -errno;
	return 0;
}

int
dp_lcore_idle_init(struct dp_io_lcore *lc, const struct dp_config *cfg)
{
	struct dp_lcore_idle *s = &lc->idle;
	const struct dp_idle_conf *c = &cfg->idle;
	int rc;

	memset(s, 0, sizeof(*s));
	s->epfd = s->wake_fd = -1;
	s->mode = idle_mode_of(cfg, lc->lcore_id);
	s->spin_tsc = us_to_tsc(c->spin_us);
	s->pause_tsc = us_to_tsc((uint64_t)c->spin_us + c->pause_us);
	s->block_tsc = RTE_MAX(s->pause_tsc, us_to_tsc(c->block_us));
	s->sleep_max_ns = (uint64_t)c->sleep_max_us * 1000;
	s->sleep_ns = IDLE_SLEEP_MIN_NS;
	if (s->mode != DP_IDLE_ADAPTIVE)
		return 0;
	rc = idle_fds_open(s);
	if (rc < 0)
		return rc;
	stop_fds[n_stop_fds] = s->wake_fd;
	/* Release: the fd is stored before a signal handler may count it. */
	__atomic_store_n(&n_stop_fds, n_stop_fds + 1, __ATOMIC_RELEASE);
	return 0;
}

void
dp_lcore_idle_fini(struct dp_io_lcore *lc)
{
	struct dp_lcore_idle *s = &lc->idle;

	/* No signal handler may write to an fd number about to be reused. */
	__atomic_store_n(&n_stop_fds, 0, __ATOMIC_RELEASE);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	s->epfd = s->wake_fd = -1;
}

int
dp_lcore_fd_watch(struct dp_io_lcore *lc, int fd)
{
	/* Edge-triggered: every write by the guest is one event, and the
	 * lcore never reads an fd the main lcore may close meanwhile. */
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = EV_C2S };

	if (lc->idle.epfd < 0 || fd < 0)
		return 0;
	return epoll_ctl(lc->idle.epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void
dp_lcore_fd_unwatch(struct dp_io_lcore *lc, int fd)
{
	if (lc->idle.epfd >= 0 && fd >= 0)
		epoll_ctl(lc->idle.epfd, EPOLL_CTL_DEL, fd, NULL);
}

int
dp_lcore_port_intr_add(struct dp_io_lcore *lc, uint16_t port_id)
{
	if (lc->idle.epfd < 0)
		return -ENOTSUP;
	/* DPDK registers the queue's eventfd edge-triggered, its own
	 * pointer as data: the lcore never reads either. */
	return rte_eth_dev_rx_intr_ctl_q(port_id, 0, lc->idle.epfd,
					 RTE_INTR_EVENT_ADD, NULL);
}

void
dp_lcore_port_intr_del(struct dp_io_lcore *lc, uint16_t port_id)
{
	/* Fails once the PMD dropped its handle (vhost: front end gone),
	 * which also ended the registration's events. */
	if (lc->idle.epfd >= 0)
		rte_eth_dev_rx_intr_ctl_q(port_id, 0, lc->idle.epfd,
					  RTE_INTR_EVENT_DEL, NULL);
}

void
dp_lcore_wake(struct dp_io_lcore *lc)
{
	uint64_t one = 1;

	/* Always, not only when it sleeps: the lcore may be past its last
	 * look at what we published and about to block. */
	if (lc->idle.wake_fd >= 0 && write(lc->idle.wake_fd, &one, sizeof(one)) < 0)
		return;
}

/* A port guest that is up: its Rx interrupt, if it has one, armed (the
 * vhost PMD tells the front end to kick) or not. @return false if it
 * cannot wake the lcore. */
static bool
idle_arm_port(struct dp_guest *g, bool armed)
{
	if (__atomic_load_n(&g->fast.port_epoch, __ATOMIC_ACQUIRE) == 0)
		return true;
	if (!g->fast.rx_intr)
		return false;
	if (armed)
		return rte_eth_dev_rx_intr_enable(g->fast.port_id, 0) == 0;
	rte_eth_dev_rx_intr_disable(g->fast.port_id, 0);
	return true;
}

/*
 * Arm (before a block) or disarm (after it) every guest's interrupt: memif
 * C2S rings get MASK_INT cleared or set, port guests their Rx interrupt.
 * @return false if a source cannot interrupt (it bounds the block).
 */
static bool
idle_arm(struct dp_io_lcore *lc, bool armed)
{
	unsigned int n = __atomic_load_n(&lc->n_poll, __ATOMIC_ACQUIRE);
	bool all_intr = lc->n_ports == 0;

	for (unsigned int i = 0; i < n; i++) {
		struct dp_guest *g = __atomic_load_n(&lc->poll[i], __ATOMIC_RELAXED);
		struct dp_memif_rt *rt;

		/* A dedicated VF port has no Rx interrupt here. */
		if (__atomic_load_n(&g->fast.vf, __ATOMIC_ACQUIRE) != NULL)
			all_intr = false;
		if (g->fast.chan != DP_CHAN_MEMIF) {
			all_intr &= idle_arm_port(g, armed);
			continue;
		}
		rt = __atomic_load_n(&g->fast.rt, __ATOMIC_ACQUIRE);
		if (rt != NULL)
			__atomic_store_n(&rt->c2s.ring->flags,
					 armed ? 0 : MEMIF_RING_FLAG_MASK_INT,
					 __ATOMIC_RELAXED);
	}
	return all_intr;
}

/* A port guest with frames waiting (or that cannot say). */
static bool
idle_port_waiting(const struct dp_guest *g)
{
	if (__atomic_load_n(&g->fast.port_epoch, __ATOMIC_ACQUIRE) == 0 ||
	    !g->fast.rx_intr)
		return false;
	return rte_eth_rx_queue_count(g->fast.port_id, 0) != 0;
}

/* After arming: anything that came before the guests could see it, or
 * that no eventfd will announce? */
static bool
idle_work_waiting(struct dp_io_lcore *lc)
{
	unsigned int n = __atomic_load_n(&lc->n_poll, __ATOMIC_ACQUIRE);

	if (dp_pipe_busy(&lc->pipe) || dp_replace_pending(&lc->replace) ||
	    dp_sock_lcore_ready(&lc->pipe.sock))
		return true;
	for (unsigned int i = 0; i < n; i++) {
		struct dp_guest *g = __atomic_load_n(&lc->poll[i], __ATOMIC_RELAXED);
		struct dp_memif_rt *rt;

		if (g->fast.chan != DP_CHAN_MEMIF) {
			if (idle_port_waiting(g))
				return true;
			continue;
		}
		rt = __atomic_load_n(&g->fast.rt, __ATOMIC_ACQUIRE);
		if (rt == NULL || __atomic_load_n(&rt->fault, __ATOMIC_RELAXED) != 0)
			continue;
		if (rt->s2c.kick_pending ||
		    __atomic_load_n(&rt->c2s.ring->head, __ATOMIC_RELAXED) != rt->c2s.last)
			return true;
	}
	return false;
}

/* Wait in epoll for at most ns (0: no limit but the safety net).
 * @return events, 0 on timeout, -1 on error. */
static int
idle_epoll(struct dp_lcore_idle *s, uint64_t ns)
{
	struct epoll_event evs[IDLE_EVENTS];
	uint64_t t = ns == 0 || ns > IDLE_BLOCK_MAX_NS ? IDLE_BLOCK_MAX_NS : ns;
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000),
			       .tv_nsec = (long)(t % 1000000000) };
	int n = epoll_pwait2(s->epfd, evs, IDLE_EVENTS, &ts, NULL);
	uint64_t cnt;

	if (n < 0 && errno == ENOSYS)	/* kernel before 5.11 */
		n = epoll_wait(s->epfd, evs, IDLE_EVENTS, (int)((t + 999999) / 1000000));
	for (int i = 0; i < n; i++)
		if (evs[i].data.u64 == EV_WAKE &&
		    read(s->wake_fd, &cnt, sizeof(cnt)) < 0)
			continue;
	return n;
}

/* Count a sleep or block that started at t0 as idle; return its end. */
static uint64_t
idle_slept(struct dp_lcore_idle *s, uint64_t t0)
{
	uint64_t t1 = rte_rdtsc();

	s->sleep_cycles += t1 - t0;
	s->idle_cycles += t1 - t0;
	s->last_pass = t1;
	return t1;
}

/* The last rung: unmask, re-check, go offline, wait for an eventfd. */
static void
idle_block(struct dp_io_lcore *lc, uint64_t now)
{
	struct dp_lcore_idle *s = &lc->idle;
	bool all_intr = idle_arm(lc, true);
	int n = 0;

	/* Socket workers kick us from here on (sock.h); the fence below
	 * orders this store before our look at their answer rings. */
	__atomic_store_n(&lc->pipe.sock.asleep, 1, __ATOMIC_RELAXED);
	/* Full fence: the unmask must be visible before we read the heads;
	 * pairs with the guest's fence between its head store and its
	 * MASK_INT load (virtio: its barrier before reading NO_NOTIFY), so
	 * one of us sees the other (no lost wake-up). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (idle_work_waiting(lc)) {
		__atomic_store_n(&lc->pipe.sock.asleep, 0, __ATOMIC_RELAXED);
		idle_arm(lc, false);
		s->last_work = idle_slept(s, now);
		return;
	}
	/* Release: the unmasks above happen before the watchdog may see us
	 * asleep. Offline: grace periods need not wait for a sleeper. */
	__atomic_store_n(&s->asleep, 1, __ATOMIC_RELEASE);
	rte_rcu_qsbr_thread_offline(qsbr, lc->qsbr_id);
	if (!dp_lcore_stopping())
		n = idle_epoll(s, all_intr ? 0 : s->sleep_max_ns);
	rte_rcu_qsbr_thread_online(qsbr, lc->qsbr_id);
	__atomic_store_n(&s->asleep, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&lc->pipe.sock.asleep, 0, __ATOMIC_RELAXED);
	/* Guests and connections may have changed while we were offline:
	 * idle_arm() reads the list afresh. */
	idle_arm(lc, false);
	s->blocks++;
	now = idle_slept(s, now);
	if (n > 0) {
		s->wakeups++;
		s->last_work = now;	/* an event: spin again before backing off */
	}
}

static void
idle_sleep(struct dp_lcore_idle *s, uint64_t now)
{
	struct timespec ts = { .tv_nsec = (long)s->sleep_ns };

	nanosleep(&ts, NULL);
	s->sleeps++;
	idle_slept(s, now);
	s->sleep_ns = RTE_MIN(s->sleep_ns * 2, s->sleep_max_ns);
}

/* An empty pass of an adaptive lcore: climb the ladder by time since the
 * last work. Out of line: the busy loop never comes here. */
static __rte_noinline void
idle_backoff(struct dp_io_lcore *lc, uint64_t now)
{
	struct dp_lcore_idle *s = &lc->idle;
	uint64_t quiet = now - s->last_work;

	if (quiet < s->spin_tsc) {
		s->sleep_ns = IDLE_SLEEP_MIN_NS;
		return;
	}
	if (quiet < s->pause_tsc) {
		rte_pause();
		return;
	}
	/* A socket call out: block (a worker's answer wakes us) rather
	 * than sleep through it. */
	if (quiet < s->block_tsc && lc->pipe.sock.out == 0) {
		idle_sleep(s, now);
		return;
	}
	idle_block(lc, now);
}

/* Busy or idle cycles of the pass that just ended. @return now. */
static inline uint64_t
pass_account(struct dp_lcore_idle *s, bool work)
{
	uint64_t now = rte_rdtsc();
	uint64_t d = now - s->last_pass;

	s->last_pass = now;
	if (work)
		s->busy_cycles += d;
	else
		s->idle_cycles += d;
	return now;
}

static void
idle_start(struct dp_io_lcore *lc)
{
	struct dp_lcore_idle *s = &lc->idle;

	s->last_pass = s->last_work = rte_rdtsc();
	/* The default slack (50 µs) would stretch every short sleep. */
	if (s->mode == DP_IDLE_ADAPTIVE && prctl(PR_SET_TIMERSLACK, 1000UL) < 0)
		DP_LOG(WARNING, "I/O lcore %u: cannot set timer slack: %s",
		       lc->lcore_id, strerror(errno));
}

int
dp_lcore_io_main(void *arg)
{
	struct dp_io_lcore *lc = arg;
	struct dp_lcore_idle *s = &lc->idle;
	const bool adaptive = s->mode == DP_IDLE_ADAPTIVE;

	rte_rcu_qsbr_thread_register(qsbr, lc->qsbr_id);
	rte_rcu_qsbr_thread_online(qsbr, lc->qsbr_id);
	DP_LOG(INFO, "I/O lcore %u: polling %u guests, %u ports (idle = %s)",
	       lc->lcore_id, lc->n_guests, lc->n_ports, dp_lcore_idle_name(s->mode));
	idle_start(lc);
	while (!dp_lcore_stopping()) {
		unsigned int work = poll_once(lc);
		uint64_t now = pass_account(s, work != 0);

		/* Only this lcore writes it; relaxed: a heartbeat, no data. */
		__atomic_store_n(&lc->loops, lc->loops + 1, __ATOMIC_RELAXED);
		rte_rcu_qsbr_quiescent(qsbr, lc->qsbr_id);
		if (!adaptive)
			continue;
		if (work != 0 || dp_pipe_busy(&lc->pipe))
			s->last_work = now;
		else
			idle_backoff(lc, now);
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
