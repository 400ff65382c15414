/* SPDX-License-Identifier: BSD-3-Clause */
/* The wait ladder: spin, then sleep (hl_wait.h). */
#include "hl_clock.h"
#include "hl_wait.h"

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* A deadline taken from the clock at its first use: a wait that ends
 * within its first looks reads no clock (not cheap in every VM), and one
 * that goes on ends at most those looks later than timeout_ms. */
struct lazy_deadline {
	int timeout_ms;
	int set;
	int64_t at;
};

static int64_t
deadline_of(struct lazy_deadline *d)
{
	if (!d->set) {
		d->at = hl_deadline(d->timeout_ms);
		d->set = 1;
	}
	return d->at;
}

/* The health check, and then the deadline: HL_OK to go on, else why not. */
static int
checked(const struct hl_waiter *w, struct lazy_deadline *deadline)
{
	int rc = w->check(w->tp);

	if (rc != HL_OK)
		return rc;
	return hl_deadline_passed(deadline_of(deadline)) ? HL_E_TIMEOUT : HL_OK;
}

/* Look up to polls times (0: until the deadline); HL_E_AGAIN: nothing. */
static int
spin(const struct hl_waiter *w, unsigned int polls,
     struct lazy_deadline *deadline)
{
	int rc;

	for (unsigned int i = 1; polls == 0 || i <= polls; i++) {
		rc = w->ready(w->tp);
		if (rc != HL_E_AGAIN)
			return rc;
		if (i % HL_WAIT_CHECK_EVERY == 0 &&
		    (rc = checked(w, deadline)) != HL_OK)
			return rc;
		cpu_relax();
	}
	return HL_E_AGAIN;
}

static int
sleep_until(const struct hl_waiter *w, struct lazy_deadline *deadline)
{
	int rc;

	for (unsigned int i = 1;; i++) {
		int left = hl_ms_left(deadline_of(deadline));

		rc = w->sleep(w->tp, left < 0 || left > HL_WAIT_SLICE_MS ?
				     HL_WAIT_SLICE_MS : left);
		if (rc != HL_E_AGAIN)
			return rc;
		if (i % w->check_every == 0 && (rc = checked(w, deadline)) != HL_OK)
			return rc;
	}
}

int
hl_wait(const struct hl_waiter *w, int timeout_ms)
{
	struct lazy_deadline deadline = { .timeout_ms = timeout_ms };
	int rc = w->ready(w->tp);

	if (rc != HL_E_AGAIN)
		return rc;
	if (timeout_ms == 0)
		return (rc = w->check(w->tp)) != HL_OK ? rc : HL_E_TIMEOUT;
	if (w->mode == HL_WAIT_POLL)
		return spin(w, 0, &deadline);
	if (w->mode == HL_WAIT_HYBRID && w->spin_polls > 0 &&
	    (rc = spin(w, w->spin_polls, &deadline)) != HL_E_AGAIN)
		return rc;
	rc = sleep_until(w, &deadline);
	if (w->sleep_end != NULL)
		w->sleep_end(w->tp);
	return rc;
}
