/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * @file
 * hostlane's QMP client (QEMU Machine Protocol, on jansson): one connection
 * to one QEMU's unix QMP socket, driven as a state machine.
 *
 * Design note — threads and blocking. Every call runs on the main lcore and
 * returns at once: the socket is non-blocking, qmp_poll() does whatever
 * connect, read or write progress is possible and checks deadlines, and the
 * caller polls it from the slow-path tick (or its own loop in tests). Time
 * is passed in (now_ms), so tests can drive deadlines with a fake clock.
 *
 * Design note — trust. QEMU's output is untrusted input: it is read into a
 * bounded line buffer, each line parsed on its own by jansson and validated
 * (an object; a greeting, a reply with the id of a command in flight, or an
 * event) before anything is taken from it. Anything else — a line longer
 * than the cap, text that is not JSON, half an object at EOF, a reply
 * nobody asked for, silence past a deadline — fails the connection with one
 * reason (qmp_error()), closes the socket and fails every command in
 * flight with that reason. A failed connection stays failed; the owner
 * opens a new one when it wants to try again.
 *
 * Lifetime: qmp_open() .. qmp_close(). Not thread safe: one owner.
 */
#ifndef CTL_VF_QMP_H
#define CTL_VF_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/** Longest line (one QMP message) accepted from QEMU, by default. */
#define QMP_LINE_MAX_DEFAULT 65536
/** Bytes of commands queued for writing at once. */
#define QMP_OUT_MAX 4096
/** Commands in flight at once. */
#define QMP_MAX_PENDING 8
/** Watched events queued and not yet taken; the oldest goes first. */
#define QMP_MAX_EVENTS 16
/** Event names and their data.device kept, with the NUL. */
#define QMP_NAME_MAX 64
#define QMP_ERR_MAX 256

/** Where a connection is. */
enum qmp_state {
	QMP_CONNECTING,			/**< connect(2) in progress */
	QMP_GREETING,			/**< waiting for {"QMP": ...} */
	QMP_NEGOTIATING,		/**< qmp_capabilities sent */
	QMP_READY,			/**< commands may be sent */
	QMP_FAILED,			/**< closed; qmp_error() says why */
};

struct qmp_conn;

/** Limits of one connection; 0 in a field takes its default. */
struct qmp_limits {
	size_t line_max;		/**< QMP_LINE_MAX_DEFAULT */
	unsigned int open_ms;		/**< connect + greeting + capabilities:
					     2000 */
};

/** One watched event, as taken from the queue. */
struct qmp_event {
	char name[QMP_NAME_MAX];	/**< "DEVICE_DELETED" */
	char device[QMP_NAME_MAX];	/**< data.device, "" when absent */
};

/** Counters of one connection (for logs and tests). */
struct qmp_stats {
	uint64_t lines;			/**< complete lines parsed */
	uint64_t events;		/**< events received */
	uint64_t events_dropped;	/**< watched, lost to a full queue */
};

/**
 * Start connecting to QEMU's QMP socket at path.
 * @param path   a unix socket path (validated: non-empty, fits sun_path)
 * @param limits NULL for the defaults
 * @param now_ms the caller's clock, for the open deadline
 * @return a connection in QMP_CONNECTING (or already past it), or NULL with
 *         errno set: EINVAL (bad path or limits), ENOMEM. A socket that
 *         refuses (ENOENT, ECONNREFUSED) still gives a connection, already
 *         QMP_FAILED with the reason, so the caller has one error path.
 */
struct qmp_conn *qmp_open(const char *path, const struct qmp_limits *limits,
			  uint64_t now_ms);

/** Close the socket and free everything; NULL is fine. */
void qmp_close(struct qmp_conn *c);

/**
 * Make whatever progress is possible without blocking: finish connecting,
 * write queued commands, read and handle complete lines (a bounded amount
 * per call), fail the connection on a deadline or a protocol error.
 * @return the state after this call.
 */
enum qmp_state qmp_poll(struct qmp_conn *c, uint64_t now_ms);

/** The state, without doing anything. */
enum qmp_state qmp_state(const struct qmp_conn *c);

/** The socket path it was opened with. */
const char *qmp_path(const struct qmp_conn *c);

/** Why the connection failed ("" if it has not). */
const char *qmp_error(const struct qmp_conn *c);

/**
 * Queue a command. Allowed in any state but QMP_FAILED: commands queued
 * before QMP_READY are sent once capabilities are negotiated.
 * @param cmd        "device_add", ... (copied into the message)
 * @param args       its arguments (a JSON object, borrowed) or NULL
 * @param timeout_ms the reply must come within this, from now_ms
 * @return a command id (> 0) for qmp_result(), or -EPIPE (the connection
 *         failed), -EBUSY (QMP_MAX_PENDING in flight), -ENOBUFS (the
 *         output buffer is full), -EINVAL (bad cmd or args, or a zero
 *         timeout), -ENOMEM.
 */
int64_t qmp_send(struct qmp_conn *c, const char *cmd, json_t *args,
		 unsigned int timeout_ms, uint64_t now_ms);

/**
 * The outcome of command id; consumes it unless still pending.
 * @param ret    on 0, the "return" value (a new reference, the caller's to
 *               json_decref) unless ret is NULL
 * @param err    on a negative return, why: QEMU's error class and desc, the
 *               timeout, or the connection's error
 * @return 0 done, 1 pending, -EREMOTEIO QEMU answered with an error (the
 *         class is in err, e.g. "DeviceNotFound: ..."), -ETIMEDOUT no reply
 *         in time, -EPIPE the connection failed, -ENOENT no such command id.
 */
int qmp_result(struct qmp_conn *c, int64_t id, json_t **ret,
	       char *err, size_t errlen);

/** The error class of the last -EREMOTEIO result ("" if none). */
const char *qmp_last_error_class(const struct qmp_conn *c);

/**
 * Queue events of this name (at most 4 names per connection); others are
 * counted and dropped. Events keep arriving while a connection is open,
 * so only what the owner will take is kept, and never more than
 * QMP_MAX_EVENTS (the oldest is dropped and counted).
 * @return 0, -EINVAL (too long), -ENOSPC (4 names already).
 */
int qmp_watch_event(struct qmp_conn *c, const char *name);

/**
 * Take the oldest queued event named name whose data.device is device
 * (NULL: any device).
 * @return true and *out filled (out may be NULL), or false if none.
 */
bool qmp_take_event(struct qmp_conn *c, const char *name, const char *device,
		    struct qmp_event *out);

/** The connection's counters. */
void qmp_stats(const struct qmp_conn *c, struct qmp_stats *out);

/** A state's name, for messages. */
const char *qmp_state_name(enum qmp_state s);

#endif /* CTL_VF_QMP_H */
