/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * hostlane's control server: the unix socket `hostlanectl` talks to, plus
 * the DPDK telemetry endpoints and the metrics file writer.
 *
 * Design note — threads and blocking. The server runs on the main lcore,
 * inside the slow-path loop (dp_app_watch()): ctl_server_poll() handles
 * whatever its own epoll set reports, with a zero timeout, then drops
 * clients past their deadline and publishes a snapshot for the other
 * threads (ctl_snap.h). Every socket is non-blocking; a client that sends
 * no complete request line within the idle timeout, or does not read its
 * reply within it, is dropped; a line longer than CTL_LINE_MAX gets
 * too_long and the connection is closed; past CTL_MAX_CLIENTS a new client
 * gets busy and is closed. So no client can hold up the main lcore, which
 * also serves guest handshakes and the function manager.
 *
 * The socket is created owner-only (0600); with a group it is 0660 and
 * owned by that group. A socket file found at its path is replaced only
 * when nobody listens on it (dp_path_sock_listen()): a second hostlane on
 * the same runtime directory fails to start instead of taking it over.
 */
#ifndef CTL_SERVER_H
#define CTL_SERVER_H

#include "app.h"
#include "ctl_vf.h"
#include "manager.h"

/** Clients served at once; more are refused with busy. */
#define CTL_MAX_CLIENTS 64
/** Default time a client has to send a complete line or read a reply. */
#define CTL_IDLE_TIMEOUT_MS 5000

struct ctl_server;

struct ctl_server_conf {
	const char *group;		/**< socket group (0660), or NULL: 0600 */
	unsigned int idle_timeout_ms;	/**< 0: CTL_IDLE_TIMEOUT_MS */
	const char *metrics_file;	/**< NULL: no file */
	unsigned int metrics_interval_ms; /**< with metrics_file */
	struct ctl_vf *vf;		/**< the VF allocator ([vf]), or NULL */
};

/**
 * Listen on <runtime_dir>/control.sock, register the telemetry endpoints,
 * start the metrics writer. Main lcore, after dp_app_start().
 * @return the server, or NULL with errno set and one line in err.
 */
struct ctl_server *ctl_server_create(struct dp_app *app, struct ctl_mgr *mgr,
				     const struct ctl_server_conf *conf,
				     char *err, size_t errlen);

/** The fd to hand to dp_app_watch(): readable when a client needs us. */
int ctl_server_fd(const struct ctl_server *s);

/** The dp_app_watch() callback: arg is the server. Main lcore. */
void ctl_server_poll(void *arg);

/**
 * Close every client and the socket (unlinked), stop the metrics writer,
 * withdraw the telemetry data. Before dp_app_stop(). NULL is fine.
 */
void ctl_server_free(struct ctl_server *s);

#endif /* CTL_SERVER_H */
