/* SPDX-License-Identifier: BSD-3-Clause */
/* The socket layer's table, waiting, SOCK_EVENTS and the pump (hl_sock.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "hl_clock.h"
#include "hl_sock.h"

#define SK_TAB_MAX 65536u	/* sockets per connection */
#define SK_PUMP_IDLE_MS 100	/* pump naps while callers spin or c is dead */
#define SK_EV_BACKOFF_MS 10	/* after a refused SOCK_EVENTS */

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

struct hl_sock_layer *
hl_sock_layer(struct hl_conn *c)
{
	struct hl_sock_layer *L = c->sk;

	pthread_condattr_t ca;

	if (L != NULL)
		return L;
	L = calloc(1, sizeof(*L));
	if (L == NULL)
		return NULL;
	pthread_mutex_init(&L->mu, NULL);
	pthread_condattr_init(&ca);
	/* sk_abstime() counts on the monotonic clock. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&L->cv, &ca);
	pthread_condattr_destroy(&ca);
	L->wake_efd = -1;
	L->ev_next = 0;
	L->spin = c->opts.wait_mode == HL_WAIT_INTR ? 0 : HL_SOCK_SPIN;
	L->tx_win_bytes = HL_SOCK_TX_WIN;
	c->inf.on_detached = hl_sock_tx_done;
	c->inf.detached_arg = c;
	c->sk = L;
	return L;
}

struct hl_sk *
hl_sock_sk(struct hl_sock_layer *L, int sd)
{
	if (sd < 0 || (uint32_t)sd >= L->ntab || !L->tab[sd].used)
		return NULL;
	return &L->tab[sd];
}

int
hl_sock_sk_new(struct hl_sock_layer *L)
{
	uint32_t i, n;
	struct hl_sk *t;

	for (i = 0; i < L->ntab; i++)
		if (!L->tab[i].used)
			goto found;
	if (L->ntab >= SK_TAB_MAX) {
		errno = EMFILE;
		return -1;
	}
	n = L->ntab ? L->ntab * 2 : 16;
	t = realloc(L->tab, n * sizeof(*t));
	if (t == NULL) {
		errno = ENOMEM;
		return -1;
	}
	memset(t + L->ntab, 0, (n - L->ntab) * sizeof(*t));
	L->tab = t;
	i = L->ntab;
	L->ntab = n;
found:
	memset(&L->tab[i], 0, sizeof(L->tab[i]));
	L->tab[i].used = 1;
	L->tab[i].rcvtimeo_ms = -1;
	L->tab[i].sndtimeo_ms = -1;
	return (int)i;
}

void
hl_sock_sk_free(struct hl_sock_layer *L, int sd)
{
	struct hl_sk *sk = hl_sock_sk(L, sd);

	if (sk == NULL)
		return;
	if (sk->id != 0)
		L->nlive--;
	memset(sk, 0, sizeof(*sk));
}

static void
sk_wake(struct hl_sock_layer *L)
{
	if (L->sleepers > 0)
		pthread_cond_broadcast(&L->cv);
}

void
hl_sock_kick(struct hl_sock_layer *L)
{
	L->mask_gen++;
	sk_wake(L);
}

void
hl_sock_mask_update(struct hl_sock_layer *L, int sd)
{
	struct hl_sk *sk = hl_sock_sk(L, sd);
	uint32_t mask;

	if (sk == NULL)
		return;
	mask = sk->host_mask;
	if (!hl_sock_tx_room(L, sk))
		mask &= ~(uint32_t)HL_SOCK_EV_OUT;
	if (sk->tx_err != 0)
		mask |= HL_SOCK_EV_ERR;
	if (sk->mask == mask)
		return;
	sk->mask = mask;
	L->mask_gen++;
	if (L->notify != NULL)
		L->notify(L->notify_arg, sd, mask);
	sk_wake(L);
}

void
hl_sock_set_mask(struct hl_sock_layer *L, int sd, uint32_t mask)
{
	struct hl_sk *sk = hl_sock_sk(L, sd);

	if (sk == NULL)
		return;
	sk->host_mask = mask & HL_SOCK_EV_KNOWN;
	hl_sock_mask_update(L, sd);
}

int
hl_sock_by_id(const struct hl_sock_layer *L, uint32_t id, uint32_t epoch)
{
	for (uint32_t i = 0; i < L->ntab; i++)
		if (L->tab[i].used && L->tab[i].id == id &&
		    L->tab[i].epoch == epoch)
			return (int)i;
	return -1;
}

/* A SOCK_EVENTS reply: arg0 events, each the whole mask of one socket.
 * Anything malformed is counted and dropped whole. */
static void
sk_events_apply(struct hl_conn *c, struct hl_sock_layer *L,
		const struct hl_result *res)
{
	int64_t n = (int64_t)res->arg0;
	struct hl_sock_event ev;

	if (res->status != HL_OK || n < 0) {
		L->ev_next = hl_now_ms_coarse() + SK_EV_BACKOFF_MS;
		if (res->status == HL_OK && n != -EBUSY)
			L->ev_bad++;
		return;
	}
	if ((uint64_t)n > HL_SOCK_EVENTS_MAX ||
	    res->out_len != (uint64_t)n * sizeof(ev)) {
		L->ev_bad++;
		L->ev_next = hl_now_ms_coarse() + SK_EV_BACKOFF_MS;
		return;
	}
	for (int64_t i = 0; i < n; i++) {
		memcpy(&ev, L->ev_buf + i * (int64_t)sizeof(ev), sizeof(ev));
		int sd = hl_sock_by_id(L, ev.sock, c->epoch);
		if (sd >= 0)
			hl_sock_set_mask(L, sd, ev.events);
	}
}

static int
sk_events_wanted(const struct hl_conn *c, const struct hl_sock_layer *L)
{
	return L->ev == NULL && !c->dead && L->nlive > 0 &&
	       (L->pump_on || L->pollers > 0) && hl_now_ms_coarse() >= L->ev_next;
}

/* Keep one SOCK_EVENTS in flight while someone listens for readiness. */
static void
sk_events_arm(struct hl_conn *c, struct hl_sock_layer *L)
{
	struct hl_req r = { .opcode = HL_OP_SOCK_EVENTS,
			    .arg0 = HL_SOCK_WAIT(HL_SOCK_EV_PUMP_MS),
			    .out = L->ev_buf, .out_cap = sizeof(L->ev_buf) };
	int64_t grace = c->timeout_ms < 0 ? 5000 : c->timeout_ms;

	if (!sk_events_wanted(c, L))
		return;
	if (hl_conn_start(c, &r, &L->ev) != HL_OK) {
		L->ev = NULL;
		L->ev_next = hl_now_ms_coarse() + SK_EV_BACKOFF_MS;
		return;
	}
	L->ev_due = hl_now_ms_coarse() + HL_SOCK_EV_PUMP_MS + grace;
}

void
hl_sock_on_reply(struct hl_conn *c, uint16_t op, const struct hl_result *res,
		 const struct hl_slot *s)
{
	struct hl_sock_layer *L = c->sk;
	int sd;

	if (op == HL_OP_SOCK_EVENTS) {
		if (s == L->ev)
			sk_events_apply(c, L, res);
		return;
	}
	/* SOCKET names no socket yet (hl_sock_socket() installs it). */
	if (op == HL_OP_SOCK_SOCKET || res->status != HL_OK)
		return;
	sd = hl_sock_by_id(L, res->session, c->epoch);
	if (sd >= 0)
		hl_sock_set_mask(L, sd, res->state);
}

/* The events reply came (applied as it came: hl_sock_on_reply()), or never
 * will: free the slot. */
static void
sk_events_take(struct hl_conn *c, struct hl_sock_layer *L)
{
	if (L->ev == NULL)
		return;
	if (L->ev->state != HL_SLOT_DONE && hl_now_ms_coarse() < L->ev_due)
		return;
	/* Given up on (a late reply is then dropped as unknown). */
	hl_inflight_free(&c->inf, L->ev);
	L->ev = NULL;
}

int
hl_sock_pump_once(struct hl_conn *c, struct hl_sock_layer *L)
{
	uint64_t replies = c->stats.replies;
	int dead = c->dead;
	int rc = hl_conn_drain(c);

	sk_events_take(c, L);
	sk_events_arm(c, L);
	if (c->stats.replies != replies || c->dead != dead)
		sk_wake(L);
	return rc;
}

static void
sk_abstime(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Sleep on L->cv up to ms (lock held). */
static void
sk_nap(struct hl_sock_layer *L, int ms)
{
	struct timespec ts;

	sk_abstime(&ts, ms);
	L->sleepers++;
	(void)pthread_cond_timedwait(&L->cv, &L->mu, &ts);
	L->sleepers--;
}

static int
sk_slice(int64_t deadline)
{
	int left = hl_ms_left(deadline);

	return left < 0 || left > SK_PUMP_IDLE_MS ? SK_PUMP_IDLE_MS : left;
}

static int
sk_done(const struct hl_sock_layer *L, const struct hl_slot *s, uint64_t gen)
{
	return s != NULL ? s->state == HL_SLOT_DONE : L->mask_gen != gen;
}

int
hl_sock_wait(struct hl_conn *c, struct hl_sock_layer *L,
	     const struct hl_slot *s, uint64_t gen, int64_t deadline)
{
	unsigned int looks = 0, since_clock = 0;
	int spinning = 1, rc;

	L->active++;
	for (;;) {
		rc = hl_sock_pump_once(c, L);
		if (sk_done(L, s, gen)) {
			rc = HL_OK;
			break;
		}
		if (rc != HL_OK)
			break;
		/* While spinning the clock is read every 64th look (a read
		 * is not cheap in every VM); after any sleep, at once. */
		if (deadline >= 0 && since_clock++ % 64 == 0 &&
		    hl_ms_left(deadline) == 0) {
			rc = HL_E_TIMEOUT;
			break;
		}
		if (!L->pump_on) {
			/* One thread: sleep on the transport itself. */
			rc = hl_conn_wait_rx(c, sk_slice(deadline));
			since_clock = 0;
		} else if (spinning && (looks++ < L->spin ||
				       c->opts.wait_mode == HL_WAIT_POLL)) {
			pthread_mutex_unlock(&L->mu);
			cpu_relax();
			pthread_mutex_lock(&L->mu);
		} else {
			/* Leave the transport to the pump: it sleeps on it
			 * once nobody spins, and wakes us. */
			if (spinning) {
				spinning = 0;
				L->active--;
				pthread_cond_broadcast(&L->cv);
			}
			sk_nap(L, sk_slice(deadline));
			since_clock = 0;
		}
	}
	/* The last spinner out wakes the pump, which naps while anyone
	 * spins: replies that come later (SOCK_EVENTS: the readiness a
	 * program now waits for in epoll) are its to take, at once. */
	if (spinning && --L->active == 0)
		sk_wake(L);
	return rc;
}

/* ---- the pump ----------------------------------------------------------- */

/* Sleep on the transport without the lock; the lock is held again after. */
static void
pump_sleep(struct hl_conn *c, struct hl_sock_layer *L)
{
	struct pollfd p[3] = { { .fd = -1 }, { .fd = -1 }, { .fd = -1 } };
	short rev[2] = { 0, 0 };
	void *tp = c->tp;
	uint32_t epoch = c->epoch;
	int fds[2], n = c->ops->sleep_fds(tp, fds);

	for (int i = 0; i < n; i++) {
		p[i].fd = fds[i];
		p[i].events = POLLIN;
	}
	p[2].fd = L->wake_efd;
	p[2].events = POLLIN;
	if (n > 0) {
		pthread_mutex_unlock(&L->mu);
		(void)poll(p, 3, HL_SOCK_EV_PUMP_MS);
		pthread_mutex_lock(&L->mu);
	}
	if (p[2].revents) {
		uint64_t v;

		(void)!read(L->wake_efd, &v, sizeof(v));
	}
	/* The transport may have died (and been replaced) meanwhile. */
	if (c->tp != tp || c->epoch != epoch || c->dead)
		return;
	rev[0] = p[0].revents;
	rev[1] = p[1].revents;
	c->ops->sleep_done(tp, rev);
	(void)hl_conn_wait_rx(c, 0);	/* health */
}

static void *
pump_main(void *arg)
{
	struct hl_conn *c = arg;
	struct hl_sock_layer *L = c->sk;

	pthread_mutex_lock(&L->mu);
	while (!L->pump_stop) {
		(void)hl_sock_pump_once(c, L);
		if (L->pump_stop)
			break;
		if (L->active > 0 || c->dead || c->ops->sleep_fds == NULL) {
			/* A transport without sleep fds is looked at often. */
			sk_nap(L, c->ops->sleep_fds == NULL && !c->dead &&
				  L->active == 0 ? 1 : SK_PUMP_IDLE_MS);
			continue;
		}
		pump_sleep(c, L);
	}
	pthread_mutex_unlock(&L->mu);
	return NULL;
}

/* The pump never runs the program's signal handlers: one that made a
 * socket call there could find the pump holding the socket mutex. */
static int
sk_pump_create(struct hl_sock_layer *L, struct hl_conn *c)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&L->pump, NULL, pump_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int
hl_sock_pump_start(struct hl_conn *c)
{
	struct hl_sock_layer *L;
	int rc;

	if (c == NULL) {
		errno = EINVAL;
		return -1;
	}
	L = hl_sock_layer(c);
	if (L == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (L->pump_on)
		return 0;
	L->wake_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (L->wake_efd < 0)
		return -1;
	pthread_mutex_lock(&L->mu);
	L->pump_on = 1;
	pthread_mutex_unlock(&L->mu);
	rc = sk_pump_create(L, c);
	if (rc != 0) {
		L->pump_on = 0;
		close(L->wake_efd);
		L->wake_efd = -1;
		errno = rc;
		return -1;
	}
	return 0;
}

void
hl_sock_release(struct hl_conn *c)
{
	struct hl_sock_layer *L = c->sk;
	uint64_t one = 1;

	if (L->pump_on) {
		pthread_mutex_lock(&L->mu);
		L->pump_stop = 1;
		pthread_cond_broadcast(&L->cv);
		pthread_mutex_unlock(&L->mu);
		(void)!write(L->wake_efd, &one, sizeof(one));
		pthread_join(L->pump, NULL);
		close(L->wake_efd);
	}
	if (L->ev != NULL)
		hl_inflight_free(&c->inf, L->ev);
	pthread_cond_destroy(&L->cv);
	pthread_mutex_destroy(&L->mu);
	free(L->tab);
	free(L);
	c->sk = NULL;
}
