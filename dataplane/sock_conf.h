/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The socket service's settings: [sockets] (the workers) and each guest's
 * sock_* keys (its address policy and port translation), parsed and judged
 * here. docs/config.md and docs/sockets.md have every key.
 *
 * Design note. A guest's policy grants, it never forbids: with sockets =
 * yes and nothing else a guest may open sockets of both families, bind
 * ephemeral ports (guest port 0) and reach nothing; each sock_bind_ports
 * range and sock_connect rule adds what it names. Values come from the
 * config file or `guest add` (untrusted): the parsers check every byte and
 * return one line saying what is wrong. Pure C (no DPDK, no EAL): config.c
 * calls the parsers on the main thread; the socket workers call the
 * predicates on a guest's conf, which does not change while it has calls
 * in flight (guests.c reuses a slot only after they completed).
 */
#ifndef DP_SOCK_CONF_H
#define DP_SOCK_CONF_H

#include <stddef.h>
#include <stdint.h>

#include <hostlane/proto.h>

#define DP_SOCK_MAX_SOCKETS_DEFAULT 64u
#define DP_SOCK_MAX_SOCKETS_CAP 4096u	/**< slot ids are 16 bits */
#define DP_SOCK_RANGES 8u		/**< sock_bind_ports ranges */
#define DP_SOCK_RULES 16u		/**< sock_connect rules */
#define DP_SOCK_WORKERS_MAX 16u
#define DP_SOCK_CPUS_MAX 1024u		/**< `cpus` ids below this */
#define DP_SOCK_NETNS_MAX 64u		/**< a name in /run/netns */

/** sock_families bits. */
#define DP_SOCK_FAM_INET 1u
#define DP_SOCK_FAM_INET6 2u

/** A range of ports, lo <= hi. */
struct dp_sock_range {
	uint16_t lo;
	uint16_t hi;
};

/** One sock_connect rule: a network and a port range. */
struct dp_sock_rule {
	uint16_t family;		/**< HL_SOCK_AF_INET or HL_SOCK_AF_INET6 */
	uint8_t prefix;			/**< bits of addr that must match */
	uint8_t addr[16];		/**< network order; 4 bytes for inet */
	struct dp_sock_range ports;	/**< 1-65535 when none was given */
};

/** A guest's socket settings (its [guest NAME] sock_* keys). */
struct dp_sock_conf {
	uint8_t enabled;		/**< sockets = yes */
	uint8_t families;		/**< DP_SOCK_FAM_* */
	uint8_t host_same;		/**< sock_host_ports = same */
	uint8_t given;			/**< some sock_* key was given */
	uint16_t max_sockets;		/**< open at once, 1..DP_SOCK_MAX_SOCKETS_CAP */
	uint16_t n_bind;
	struct dp_sock_range bind[DP_SOCK_RANGES];   /**< guest ports it may bind */
	struct dp_sock_range host;	/**< host ports behind them; 0-0: ephemeral */
	uint16_t n_connect;
	struct dp_sock_rule connect[DP_SOCK_RULES];  /**< destinations */
	char netns[DP_SOCK_NETNS_MAX];	/**< "" or a name in /run/netns */
};

/** [sockets]: the service. */
struct dp_sock_svc_conf {
	unsigned int workers;		/**< socket worker threads, 1..16 */
	unsigned int budget[3];		/**< calls per class per worker pass */
	unsigned int n_cpus;		/**< 0: any cpu */
	uint16_t cpus[DP_SOCK_CPUS_MAX]; /**< affinity, ascending */
};

/** A guest's defaults: sockets off, both families, 64 sockets. */
void dp_sock_conf_defaults(struct dp_sock_conf *c);

/** [sockets] defaults: one worker, DP_SOCK_CLASS_LIST budgets, any cpu. */
void dp_sock_svc_conf_defaults(struct dp_sock_svc_conf *c);

/**
 * One guest key. @return 1 if key is not a socket key, 0 when set, -1 when
 * val is wrong (why says so, without the key).
 */
int dp_sock_conf_guest_key(struct dp_sock_conf *c, const char *key, const char *val,
			   char *why, size_t cap);

/**
 * The guest's keys together: sock_* keys need sockets = yes. @return 0, or
 * -1 with *key the key at fault and why filled.
 */
int dp_sock_conf_guest_check(const struct dp_sock_conf *c, const char **key,
			     char *why, size_t cap);

/** One [sockets] key; as dp_sock_conf_guest_key(). */
int dp_sock_svc_conf_key(struct dp_sock_svc_conf *c, const char *key, const char *val,
			 char *why, size_t cap);

/** May the guest open a socket of this family (HL_SOCK_AF_*)? */
int dp_sock_conf_family_ok(const struct dp_sock_conf *c, uint32_t family);

/** May the guest bind this guest port? (0, an ephemeral port, always.) */
int dp_sock_conf_bind_ok(const struct dp_sock_conf *c, uint16_t port);

/**
 * May the guest connect or send to this destination?
 * @param addr  4 (inet) or 16 (inet6) bytes, network order
 * @param port  host order
 */
int dp_sock_conf_dest_ok(const struct dp_sock_conf *c, uint32_t family,
			 const uint8_t *addr, uint16_t port);

#endif /* DP_SOCK_CONF_H */
