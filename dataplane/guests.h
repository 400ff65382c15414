/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The guest table (guests.c): guests opened at start-up, added and removed
 * at run time, their vhost/ethdev links' epochs. Slots are indices into
 * cfg->guests and app->guests; a removed guest's slot is released after a
 * grace period and its last call (defer.h), keeping its session memory,
 * and is reused only by a guest that fits in it. Main lcore only.
 */
#ifndef DP_GUESTS_H
#define DP_GUESTS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct dp_app;
struct dp_guest;

/** Open every guest of the config at start-up. @return 0 or -errno. */
int dp_app_guests_open(struct dp_app *app);

/**
 * Add a guest at run time; conf was built with dp_config_guest_begin/
 * set/end. It is listening when this returns.
 * @return its slot, or -ENOSPC (no slot), -EEXIST, or an errno from
 *         listening; err says which in one line.
 */
int dp_app_guest_add(struct dp_app *app, const struct dp_guest_conf *conf,
		     char *err, size_t errlen);

/**
 * Remove a guest at run time: its client gets DISCONNECT "guest removed",
 * its sessions are released, its socket unlinked, and no I/O lcore polls
 * it from its next pass on; its port and slot go after a grace period
 * (defer.h). @return 0 or -ENOENT.
 */
int dp_app_guest_remove(struct dp_app *app, const char *name);

/**
 * Change a running guest's fairness settings (checked with
 * dp_config_guest_fair_set/check): its config, then its I/O lcore from
 * its next pass on. @return 0 or -ENOENT.
 */
int dp_app_guest_fair_set(struct dp_app *app, const char *name,
			  const struct dp_fair_conf *fair);

/** The active guest called name, or NULL. */
struct dp_guest *dp_app_guest_find(struct dp_app *app, const char *name);

/** Slow-path tick: link up/down of vhost and ethdev guests (epochs). */
void dp_app_guests_tick(struct dp_app *app);

/**
 * The guest's session table, made on first use: a memif guest gets it
 * when a client first connects, before the connection is published, and
 * keeps it for the slot's life (calls in flight point into it). Main lcore.
 * @return 0 or -ENOMEM.
 */
int dp_guest_sessions_ready(struct dp_guest *g);

/** A connection epoch, unique across guests and slots. Main lcore. */
uint32_t dp_guest_next_epoch(void);

/**
 * Close every guest at shutdown: clients told why, sockets unlinked; what
 * an I/O lcore may hold is deferred (defer.h) until dp_defer_flush().
 */
void dp_app_guests_close(struct dp_app *app);

/** Free the guest table, after dp_defer_flush(). */
void dp_app_guests_free(struct dp_app *app);

#endif /* DP_GUESTS_H */
