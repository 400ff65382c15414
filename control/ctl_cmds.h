/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control commands: one request line in, one reply line out.
 *
 * Main lcore only — the thread of the guest table, the guest handshakes and
 * the function manager — so a command may add and remove guests and read
 * the manager's books directly. It never writes fast-path state: adding and
 * removing guests goes through dp_app_guest_add/remove, which publish and
 * unpublish with RCU; counters are read from a fresh snapshot (ctl_snap.h).
 */
#ifndef CTL_CMDS_H
#define CTL_CMDS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "app.h"
#include "capture.h"
#include "ctl_proto.h"
#include "ctl_snap.h"
#include "ctl_vf.h"
#include "manager.h"

/** What every command may use. */
struct ctl_ctx {
	struct dp_app *app;
	struct ctl_mgr *mgr;
	struct ctl_snap *snap;		/**< scratch, refilled per command */
	struct ctl_vf *vf;		/**< the VF allocator, or NULL: no [vf] */
	char socket_path[DP_SOCKET_PATH_MAX];
	/** Set by a handler whose reply comes later, from ctl_fpga_poll()
	 * (`fpga load`) or ctl_move_poll() (`guest move`, `lcore
	 * rebalance`); the server clears it. One such reply at a time. */
	bool deferred;
};

/** A command's outcome: a result, or an error message for the code. */
struct ctl_reply {
	json_t *result;			/**< owned; NULL → null */
	char msg[DP_ERR_MAX];
};

/**
 * A command handler. args were checked against the table (known keys,
 * required ones present, types right). @return CTL_OK with r->result set,
 * or an error code with r->msg set (ctl_fail()).
 */
typedef enum ctl_err (*ctl_handler)(struct ctl_ctx *c, json_t *args,
				     struct ctl_reply *r);

#define CTL_HANDLER_DECL_(sym, words, help) \
	enum ctl_err ctl_cmd_##sym(struct ctl_ctx *c, json_t *args, \
				   struct ctl_reply *r);
CTL_CMD_LIST(CTL_HANDLER_DECL_)
#undef CTL_HANDLER_DECL_

/** Fill r->msg and return err. */
enum ctl_err ctl_fail(struct ctl_reply *r, enum ctl_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** The string argument called key, or NULL when absent. */
const char *ctl_arg_str(json_t *args, const char *key);

/** Set r->result to v (a new reference) and return CTL_OK; NULL → internal. */
enum ctl_err ctl_ok(struct ctl_reply *r, json_t *v);

/**
 * Serve one request line (without its '\n').
 * @return the reply line with its '\n' (malloc'd), or NULL when out of
 *   memory — or when the command set c->deferred: then the reply comes
 *   from ctl_fpga_poll().
 */
char *ctl_dispatch(struct ctl_ctx *c, const char *line, size_t len);

/** An error reply line (malloc'd, with '\n'), e.g. for too_long. */
char *ctl_error_line(enum ctl_err err, const char *msg);

/** A success reply line (malloc'd, with '\n') for result (stolen); NULL
 * when out of memory. */
char *ctl_result_line(json_t *result);

/**
 * Advance a reconfiguration `fpga load` started (ctl_fpga.c): never blocks;
 * called from every server poll, so at most 50 ms apart.
 * @return the deferred reply line once it is finished (malloc'd), else NULL.
 */
char *ctl_fpga_poll(struct ctl_ctx *c);

/** Whether a reconfiguration is under way. */
bool ctl_fpga_busy(void);

/**
 * The deferred reply of `guest move` or `lcore rebalance` (ctl_move.c),
 * once every move it started has ended; NULL before, and when none waits.
 * Called from every server poll, like ctl_fpga_poll().
 */
char *ctl_move_poll(struct ctl_ctx *c);

/** Whether a move is under way or its reply still owed. */
bool ctl_move_busy(void);

/** JSON of a guest's config, the keys of `guest add`; secrets as set/none. */
json_t *ctl_guest_conf_json(const struct dp_guest_conf *g);

/** Sessions of the guest called name in s, or of all when name is NULL. */
json_t *ctl_sessions_json(const struct ctl_snap *s, const char *name);

/** A guest's socket counters as `socket list` and `stats` show them. */
json_t *ctl_sock_guest_json(const struct ctl_snap_guest *g);

/** A guest's socket keys into o, as `guest add` takes them. */
void ctl_sock_conf_keys(json_t *o, const struct dp_guest_conf *g);

/** One capture as `capture list`, `stats` and `port list` show it. */
json_t *ctl_capture_json(const struct dp_cap_info *i);

/** One lcore as `lcore list` shows it. */
json_t *ctl_lcore_json(const struct dp_lcore_view *l);

/** A NUMA node: its number, or null when unknown (negative). */
json_t *ctl_numa_node_json(int node);

#endif /* CTL_CMDS_H */
