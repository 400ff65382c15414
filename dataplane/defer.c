/* SPDX-License-Identifier: BSD-3-Clause */
/* Work deferred past an RCU grace period, FIFO: tokens only grow, so when
 * the oldest is not due, none is. */
#include <stddef.h>

#include "defer.h"
#include "lcore.h"
#include "log.h"

static struct dp_defer *head;
static struct dp_defer **tail = &head;
static unsigned int n_pending;
static bool flushing;

static unsigned int n_urgent;

static void
enqueue(struct dp_defer *d)
{
	d->next = NULL;
	d->token = dp_lcore_rcu_start();
	*tail = d;
	tail = &d->next;
	n_pending++;
	n_urgent += !d->again;
}

void
dp_defer(struct dp_defer *d, dp_defer_fn fn, const char *what)
{
	d->fn = fn;
	d->what = what;
	d->again = 0;
	enqueue(d);
}

void
dp_defer_again(struct dp_defer *d)
{
	d->again = 1;
	enqueue(d);
}

/* Unlink the oldest; fn may defer it again (to the end of the queue). */
static void
run_head(void)
{
	struct dp_defer *d = head;

	head = d->next;
	if (head == NULL)
		tail = &head;
	n_pending--;
	n_urgent -= !d->again;
	d->fn(d);
}

unsigned int
dp_defer_run(void)
{
	/* Bounded: items deferred again during this run wait for the next. */
	for (unsigned int n = n_pending; n > 0 && head != NULL; n--) {
		if (!dp_lcore_rcu_passed(head->token))
			break;
		run_head();
	}
	return n_pending;
}

void
dp_defer_flush(void)
{
	flushing = true;
	for (unsigned int n = n_pending; n > 0 && head != NULL; n--)
		run_head();
	flushing = false;
}

bool
dp_defer_flushing(void)
{
	return flushing;
}

unsigned int
dp_defer_pending(void)
{
	return n_pending;
}

unsigned int
dp_defer_urgent(void)
{
	return n_urgent;
}

void
dp_defer_report(void)
{
	for (const struct dp_defer *d = head; d != NULL; d = d->next)
		DP_LOG(WARNING, "not released: %s", d->what);
}
