/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The control socket's protocol, shared by the server (hostlane) and the
 * CLI (hostlanectl): framing, error codes and the command table.
 *
 * Framing: one request per line, at most CTL_LINE_MAX bytes with the '\n';
 * one reply per request, one line. A request is a JSON object
 *   {"cmd": "guest show", "args": {"name": "demo0"}}
 * ("args" may be left out when empty). A reply is
 *   {"ok": true, "result": ...}  or
 *   {"ok": false, "error": {"code": "<code>", "message": "..."}}
 * where code is one of CTL_ERR_LIST's names; codes are stable, messages
 * are for people.
 *
 * The command table (ctl_cmds[]) names every command, its arguments and
 * their types, and its help text: the server validates requests against it,
 * `help` prints it, and hostlanectl maps words and key=value pairs onto it,
 * so the three never disagree. Plain C: no DPDK, no JSON library.
 */
#ifndef CTL_PROTO_H
#define CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

/** Longest request line, '\n' included; longer ones get too_long. */
#define CTL_LINE_MAX 4096
/** Where hostlanectl looks by default; $HOSTLANE_CONTROL overrides. */
#define CTL_DEFAULT_SOCKET "/run/hostlane/control.sock"

/** Error codes: X(SYM, "code", "what it means"). Append only. */
#define CTL_ERR_LIST(X) \
	X(BAD_JSON, "bad_json", "the request is not a JSON object") \
	X(TOO_LONG, "too_long", "the request line is longer than the limit") \
	X(UNKNOWN_COMMAND, "unknown_command", "no such command") \
	X(BAD_ARGS, "bad_args", "missing, unknown or mistyped argument") \
	X(NOT_FOUND, "not_found", "no such guest, port or log type") \
	X(EXISTS, "exists", "already exists") \
	X(NO_SPACE, "no_space", "a table is full") \
	X(BUSY, "busy", "too many clients; try again") \
	X(TIMEOUT, "timeout", "no complete request within the time limit") \
	X(INTERNAL, "internal", "hostlane failed to do it") \
	X(UNSUPPORTED, "unsupported", "not supported by this device or build")

enum ctl_err {
	CTL_OK = 0,
#define CTL_ERR_ENUM_(sym, code, desc) CTL_E_##sym,
	CTL_ERR_LIST(CTL_ERR_ENUM_)
#undef CTL_ERR_ENUM_
	CTL_E_COUNT
};

/** @return the stable code of err ("bad_json"), "ok" for CTL_OK. */
const char *ctl_err_code(enum ctl_err err);

/** Argument types: how a value is checked and how the CLI sends it. */
enum ctl_arg_type {
	CTL_T_STR,	/**< JSON string */
	CTL_T_INT,	/**< JSON non-negative integer */
	CTL_T_SIZE,	/**< integer, or a string such as "256M" */
};

/** Argument flags. */
#define CTL_ARG_POS 0x1		/**< positional on the CLI, in table order */
#define CTL_ARG_REQ 0x2		/**< must be present */
#define CTL_ARG_REST 0x4	/**< CLI: takes the remaining words, joined */

struct ctl_arg {
	const char *name;
	enum ctl_arg_type type;
	unsigned int flags;
	const char *help;
};

/** The [guest NAME] config keys `guest add` takes: X(key, type, help). */
#define CTL_GUEST_KEYS(X) \
	X(channel, CTL_T_STR, "channel type: memif, vhost or ethdev") \
	X(socket, CTL_T_STR, "absolute path of the memif or vhost-user socket") \
	X(vhost_client, CTL_T_STR, "vhost: yes if hostlane connects to the socket") \
	X(devargs, CTL_T_STR, "ethdev: the DPDK device, e.g. net_af_packet0,iface=veth0") \
	X(socket_mode, CTL_T_STR, "octal permissions of the socket, e.g. 0660") \
	X(secret, CTL_T_STR, "memif secret, at most 24 bytes") \
	X(interface_id, CTL_T_INT, "memif interface id") \
	X(handler, CTL_T_STR, "frame handler: hostlane, echo or drop") \
	X(functions, CTL_T_STR, "functions allowed: all, or e.g. factorial,crc32c") \
	X(max_sessions, CTL_T_INT, "sessions open at once (1..256)") \
	X(max_inflight, CTL_T_INT, "calls in flight at once (1..4096)") \
	X(max_regions, CTL_T_INT, "memif regions (1..8)") \
	X(max_region_size, CTL_T_SIZE, "bytes per region, K/M/G suffixes") \
	X(max_ring_size, CTL_T_INT, "ring slots, a power of two") \
	X(max_frame, CTL_T_INT, "bytes per frame (64..65535)") \
	X(max_chain, CTL_T_INT, "descriptors per frame (1..64)") \
	X(vf, CTL_T_STR, "VF assignment: none, eligible or pinned (needs [vf])") \
	X(vf_weight, CTL_T_INT, "the VF policy's weight (1..1000)") \
	X(qmp, CTL_T_STR, "passthrough: absolute path of the guest's QEMU QMP socket") \
	X(qmp_standby, CTL_T_STR, "passthrough: the virtio-net device id the VF pairs with") \
	X(sockets, CTL_T_STR, "paravirtual sockets: yes or no") \
	X(max_sockets, CTL_T_INT, "sockets open at once (1..4096)") \
	X(sock_families, CTL_T_STR, "socket families: inet, inet6 or inet,inet6") \
	X(sock_bind_ports, CTL_T_STR, "guest ports it may bind, e.g. 8000-8099,9000") \
	X(sock_host_ports, CTL_T_STR, "host ports behind them: same, or LO-HI") \
	X(sock_connect, CTL_T_STR, "destinations, e.g. 10.0.0.0/8:80,[::1]:5000-5999") \
	X(sock_netns, CTL_T_STR, "network namespace of its sockets (/run/netns/NAME)") \
	CTL_GUEST_FAIR_KEYS(X)

/** The fairness keys, which `guest set` also changes at run time. */
#define CTL_GUEST_FAIR_KEYS(X) \
	X(poll_budget, CTL_T_INT, "frames taken from the guest per poll pass (1..256)") \
	X(weight, CTL_T_INT, "scales poll_budget (1..16)") \
	X(calls_per_s, CTL_T_INT, "token bucket: frames (calls) per second, 0 = no limit") \
	X(calls_burst, CTL_T_INT, "calls the bucket holds; 0 = a tenth of a second's worth") \
	X(bytes_per_s, CTL_T_SIZE, "token bucket: bytes per second, K/M/G suffixes, 0 = no limit") \
	X(bytes_burst, CTL_T_SIZE, "bytes the bucket holds; 0 = a tenth of a second's worth")

/**
 * Commands: X(SYM, "words", args, "help"). args is a ctl_args_<sym> array
 * defined in ctl_proto.c. The server's handler for SYM is ctl_cmd_<sym>.
 */
#define CTL_CMD_LIST(X) \
	X(version, "version", "versions of hostlane and DPDK") \
	X(help, "help", "list the commands, or describe one") \
	X(guest_list, "guest list", "the guests: name, state, handler, lcore") \
	X(guest_show, "guest show", "one guest: its config, state and sessions") \
	X(guest_add, "guest add", "add a guest at run time; keys as in [guest NAME]") \
	X(guest_remove, "guest remove", "remove a guest; its sessions are released") \
	X(guest_set, "guest set", "change a guest's service budget, weight and token buckets at run time") \
	X(guest_move, "guest move", "move a connected guest to another I/O lcore, losing none of its calls") \
	X(fn_list, "fn list", "the function catalog: backends, placement, sessions") \
	X(session_list, "session list", "function sessions, of one guest or all") \
	X(stats, "stats", "counters, of one guest or all") \
	X(socket_list, "socket list", "paravirtual sockets: open and counters, of one guest or all") \
	X(port_list, "port list", "DPDK ports: driver, link and counters") \
	X(lcore_list, "lcore list", "lcores: role, guests, loop passes, stuck or not") \
	X(lcore_rebalance, "lcore rebalance", "move guests so that the I/O lcores' busy cycles even out") \
	X(mempool_list, "mempool list", "DPDK mempools: size, in use, NUMA node (leak and soak checks)") \
	X(config_show, "config show", "the running configuration (secrets hidden)") \
	X(log_level, "log level", "set a log level: of types matching TYPE (a glob), or of all") \
	X(metrics, "metrics", "counters in the Prometheus text exposition format") \
	X(fpga_list, "fpga list", "FPGA slots: image loaded, functions, images it can load") \
	X(fpga_load, "fpga load", "reconfigure a slot: drain it, load IMAGE, republish its functions") \
	X(capture_start, "capture start", "capture a guest's or a port's frames, both directions, to a new pcapng FILE") \
	X(capture_stop, "capture stop", "stop the capture of TARGET, or every capture; its file is closed") \
	X(capture_list, "capture list", "captures: target, file, state, written, dropped, filtered out") \
	X(vf_list, "vf list", "VF assignment: the VFs, their holders, the guests' rates") \
	X(vf_show, "vf show", "one guest's VF, rate, role and switches") \
	X(vf_assign, "vf assign", "give a guest a free VF now") \
	X(vf_release, "vf release", "take a guest's VF back now") \
	X(vf_pin, "vf pin", "a guest holds a VF whenever it can; the policy never takes it") \
	X(vf_unpin, "vf unpin", "give a pinned or excluded guest back to the policy") \
	X(vf_exclude, "vf exclude", "a guest gives its VF back and gets none until unpinned") \
	X(vf_policy, "vf policy", "switch the VF policy and its settings") \
	X(vf_log, "vf log", "the VF allocator's last decisions, with their reasons")

enum ctl_cmd_id {
#define CTL_CMD_ENUM_(sym, words, help) CTL_CMD_##sym,
	CTL_CMD_LIST(CTL_CMD_ENUM_)
#undef CTL_CMD_ENUM_
	CTL_CMD_COUNT
};

struct ctl_cmd {
	enum ctl_cmd_id id;
	const char *name;		/**< words separated by one space */
	const char *help;
	const struct ctl_arg *args;
	unsigned int n_args;
};

/** The command table, CTL_CMD_COUNT entries in CTL_CMD_LIST order. */
extern const struct ctl_cmd ctl_cmds[CTL_CMD_COUNT];

/** @return the command called name exactly, or NULL. */
const struct ctl_cmd *ctl_cmd_find(const char *name);

/**
 * The command named by the longest prefix of words (hostlanectl).
 * @param used  receives how many words the name took.
 * @return the command, or NULL if no prefix names one.
 */
const struct ctl_cmd *ctl_cmd_match(char *const *words, int n, int *used);

/** @return the argument of cmd called name, or NULL. */
const struct ctl_arg *ctl_cmd_arg(const struct ctl_cmd *cmd, const char *name);

/** @return "string", "integer" or "size". */
const char *ctl_arg_type_name(enum ctl_arg_type type);

/**
 * One line of usage: "guest show NAME", "log level [TYPE] LEVEL",
 * "guest add NAME [key=value...]". @return snprintf's result.
 */
int ctl_cmd_usage(const struct ctl_cmd *cmd, char *buf, size_t len);

#endif /* CTL_PROTO_H */
