/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostlane's configuration: an INI file read with DPDK's rte_cfgfile,
 * checked completely at start-up, turned into plain structs.
 *
 * The config file is untrusted input: every key is known and given once,
 * every value is parsed in full and range-checked (no control characters;
 * secrets printable ASCII), and the first problem is reported as one line
 * naming the file, the section, the key and what is wrong. Every file
 * hostlane will own — the guests' sockets, the control socket, the metrics
 * file — is compared with the others by its canonical path (paths.h), so
 * two spellings of one file are refused. Called on the main thread before
 * rte_eal_init(); touches no EAL state (the canonical paths look at the
 * filesystem, never change it).
 */
#ifndef DP_CONFIG_H
#define DP_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "memif_hs.h"
#include "sock_conf.h"

#define DP_NAME_MAX 32
/** [hostlane] max_guests: guest slots (file and `guest add`), default ... */
#define DP_GUESTS_DEFAULT 1024
/** ... and hard cap: a slot is a 16-bit index (guest MACs, replace orders,
 *  snapshots) and costs memory even when unused (docs/config.md). */
#define DP_GUESTS_CAP 4096
#define DP_MAX_PORTS 16
#define DP_MAX_SESSIONS 256
#define DP_MAX_INFLIGHT 4096
#define DP_MAX_PENDING (1u << 20)	    /**< pending_per_lcore limit */
#define DP_SOCKET_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)
#define DP_ERR_MAX 512
/** The control socket's file name inside the runtime directory. */
#define DP_CONTROL_SOCKET_NAME "control.sock"

/** How a guest reaches hostlane. */
enum dp_chan_type {
	DP_CHAN_MEMIF,		/**< hostlane's own memif server */
	DP_CHAN_VHOST,		/**< vhost-user (DPDK net_vhost): QEMU, virtio_user */
	DP_CHAN_ETHDEV,		/**< any DPDK port by devargs, e.g. net_af_packet */
};

/*
 * [guest NAME] fairness keys (docs/config.md, "Fairness"; dataplane/fair.h):
 * X(key, min, max, sized). poll_budget x weight frames per poll pass; the
 * token buckets are off at rate 0, a burst of 0 is a tenth of a second's
 * worth (at least 1, at most the burst key's maximum). The bounds keep the
 * buckets' fixed-point sums inside 63 bits for TSC rates up to 8 GHz
 * (fair.h).
 */
#define DP_FAIR_BUDGET_MAX 256
#define DP_FAIR_WEIGHT_MAX 16
#define DP_FAIR_CALLS_BURST_MAX 1000000
#define DP_FAIR_BYTES_BURST_MAX ((uint64_t)256 << 20)
#define DP_FAIR_KEYS(X) \
	X(poll_budget, 1, DP_FAIR_BUDGET_MAX, false) \
	X(weight, 1, DP_FAIR_WEIGHT_MAX, false) \
	X(calls_per_s, 0, 100000000, false) \
	X(calls_burst, 0, DP_FAIR_CALLS_BURST_MAX, false) \
	X(bytes_per_s, 0, (uint64_t)100 << 30, true) \
	X(bytes_burst, 0, DP_FAIR_BYTES_BURST_MAX, true)

/** A guest's fairness settings, as given (0: unset, see DP_FAIR_KEYS). */
struct dp_fair_conf {
#define DP_FAIR_FIELD_(key, lo, hi, sized) uint64_t key;
	DP_FAIR_KEYS(DP_FAIR_FIELD_)
#undef DP_FAIR_FIELD_
};

struct dp_guest_conf {
	char name[DP_NAME_MAX];
	enum dp_chan_type channel;
	char socket[DP_SOCKET_PATH_MAX];    /**< "" until resolved */
	char socket_canon[PATH_MAX];	    /**< its canonical path (paths.h), to
					         tell two spellings of one file */
	char handler[DP_NAME_MAX];
	char devargs[256];		    /**< ethdev channel */
	uint8_t vhost_client;		    /**< vhost: hostlane connects */
	mode_t socket_mode;
	struct dp_memif_limits memif;
	uint16_t max_chain;		    /**< descriptors per frame */
	uint32_t max_frame;		    /**< bytes per frame */
	uint32_t fn_allowed;		    /**< bit per fpga function id */
	uint16_t max_sessions;		    /**< open sessions at once */
	uint16_t max_inflight;		    /**< calls in flight at once */
	uint8_t mac[6];			    /**< the only source MAC it may use ... */
	uint8_t has_mac;		    /**< ... when set (PV switch) */
	/* VF assignment (control/vf/, docs/vf.md) */
	uint8_t vf_role;		    /**< enum dp_vf_role */
	uint16_t vf_weight;		    /**< policy weight, 1..1000 (default 1) */
	char qmp[DP_SOCKET_PATH_MAX];	    /**< passthrough: its QEMU's QMP socket */
	char qmp_standby[DP_NAME_MAX];	    /**< passthrough: the virtio-net device id
					         the VF pairs with (failover_pair_id) */
	struct dp_fair_conf fair;	    /**< service budget, token buckets;
					         changed at run time by guest set */
	struct dp_sock_conf sock;	    /**< paravirtual sockets (sock_conf.h) */
};

/** A guest's place in VF assignment. */
enum dp_vf_role {
	DP_VF_NONE,		/**< never gets a VF (default) */
	DP_VF_ELIGIBLE,		/**< the policy decides */
	DP_VF_PINNED,		/**< holds one whenever one is free */
	DP_VF_EXCLUDED,		/**< eligible by config, excluded by the operator */
};

/** What a port is to the PV switch; both kinds are switch ports. */
enum dp_port_role {
	DP_PORT_UPLINK,		/**< the wire: NIC, VF or a vdev standing in */
	DP_PORT_EXCEPTION,	/**< the host kernel (net_tap) */
};

struct dp_port_conf {
	char name[DP_NAME_MAX];
	char devargs[256];
	enum dp_port_role role;
};

/** How an I/O lcore waits when it has nothing to do (lcore.h). */
enum dp_idle_mode {
	DP_IDLE_DEFAULT,	/**< [lcore N] only: the [hostlane] idle value */
	DP_IDLE_POLL,		/**< never back off: lowest latency, a full core */
	DP_IDLE_ADAPTIVE,	/**< spin, pause, short sleeps, block on eventfds */
};

#define DP_MAX_LCORE_CONF 64

/** [lcore N]: settings of one lcore. */
struct dp_lcore_conf {
	unsigned int id;		    /**< the EAL lcore id */
	uint8_t idle;			    /**< enum dp_idle_mode */
};

/** The idle ladder's bounds ([hostlane] idle_*), microseconds. */
struct dp_idle_conf {
	uint8_t mode;			    /**< DP_IDLE_POLL or DP_IDLE_ADAPTIVE */
	unsigned int spin_us;		    /**< poll flat out this long after work */
	unsigned int pause_us;		    /**< then poll with rte_pause() */
	unsigned int sleep_max_us;	    /**< then sleep, doubling up to this */
	unsigned int block_us;		    /**< idle this long: block on eventfds */
};

/** Guest placement and rebalancing ([hostlane] placement, rebalance_*;
 *  balance.h). */
struct dp_balance_conf {
	uint8_t placement;		    /**< enum dp_bal_policy */
	unsigned int interval_ms;	    /**< auto-rebalance period; 0: off */
	unsigned int threshold_pct;	    /**< imbalance that triggers it */
};

#define DP_MAX_PFS 8
#define DP_MAX_VF_POOL 64

/** [pf NAME]: a physical function whose VFs hostlane hands out. */
struct dp_pf_conf {
	char name[DP_NAME_MAX];
	char pci[16];			    /**< DBDF, or "" when netdev is given */
	char netdev[16];		    /**< IFNAME, or "" when pci is given */
	unsigned int vfs;		    /**< sriov_numvfs to provision; 0: as found */
};

/** [vf]: the VF allocator. */
struct dp_vf_conf {
	uint8_t enabled;		    /**< a [vf] section was given */
	char mode[DP_NAME_MAX];		    /**< "dedicated" or "passthrough" */
	char policy[DP_NAME_MAX];	    /**< "fair", "activity", "manual" */
	unsigned int interval_ms;	    /**< T: one round every interval */
	unsigned int min_hold_ms;	    /**< a VF stays at least this long */
	unsigned int hysteresis_pct;	    /**< a challenger beats the holder by this */
	unsigned int max_moves;		    /**< per round */
	unsigned int rate_window_ms;	    /**< EWMA window */
	char sysfs_root[PATH_MAX];	    /**< "/sys" on a real host */
	/* passthrough mode (control/vf/act_passthrough.h) */
	char pt_driver[DP_NAME_MAX];	    /**< passthrough_driver: "vfio-pci" */
	char pt_bus[DP_NAME_MAX];	    /**< passthrough_bus: a free root port's
					         id, "" for none */
	unsigned int unplug_timeout_ms;	    /**< device_del → DEVICE_DELETED */
	unsigned int n_pool;		    /**< vf_pool: devargs standing in for VFs */
	char pool[DP_MAX_VF_POOL][256];
};

struct dp_config {
	char path[PATH_MAX];		    /**< for messages */
	char runtime_dir[PATH_MAX];
	char control_socket[DP_SOCKET_PATH_MAX]; /**< <runtime_dir>/control.sock */
	char control_canon[PATH_MAX];	    /**< canonical control_socket */
	unsigned int mbufs;
	unsigned int handshake_timeout_ms;
	unsigned int function_capacity;	    /**< sessions per function, all guests */
	uint64_t max_repetitions;	    /**< per call of a repeating kernel */
	unsigned int worker_lcores;	    /**< lcores that only run functions */
	unsigned int mac_aging_s;	    /**< PV switch: seconds a MAC stays learned */
	unsigned int mac_table_size;	    /**< PV switch: learning table entries */
	unsigned int mac_limit_per_port;    /**< PV switch: addresses per vport; 0: default */
	char fpga[64];			    /**< accelerator unit: "", sim, vfio:PCI */
	char cryptodev[128];		    /**< "" or devargs, e.g. crypto_aesni_mb */
	char compressdev[128];		    /**< "" or devargs, e.g. compress_isal */
	char control_group[DP_NAME_MAX];    /**< "" : control socket 0600 */
	unsigned int control_timeout_ms;    /**< idle control clients dropped */
	char metrics_file[PATH_MAX];	    /**< "" : no metrics file */
	char metrics_canon[PATH_MAX];	    /**< canonical metrics_file, or "" */
	unsigned int metrics_interval_ms;
	unsigned int pending_per_lcore;	    /**< calls in flight per I/O lcore */
	unsigned int watchdog_ms;	    /**< an I/O lcore without a pass for
						 this long is stuck; 0: off */
	unsigned int report_interval_ms;    /**< a guest's stats reports: one
						 judged per interval (report.h) */
	unsigned int report_line_rate_mbps; /**< ... and none above this line
						 rate, each way */
	uint8_t test_hang;		    /**< register the test-only "hang"
						 backend (tests only) */
	struct dp_balance_conf balance;	    /**< placement, rebalancing */
	struct dp_idle_conf idle;	    /**< every I/O lcore's, unless ... */
	unsigned int n_lcore_confs;	    /**< ... its [lcore N] says otherwise */
	struct dp_lcore_conf lcore_confs[DP_MAX_LCORE_CONF];
	unsigned int max_guests;	    /**< slots: the file's guests and those
					         added at run time, at most */
	unsigned int n_guests;		    /**< slots in use or retired */
	struct dp_guest_conf *guests;	    /**< max_guests entries (malloc; their
					         addresses never change) */
	unsigned int n_ports;
	struct dp_port_conf ports[DP_MAX_PORTS];
	unsigned int n_pfs;
	struct dp_pf_conf pfs[DP_MAX_PFS];
	struct dp_vf_conf vf;
	struct dp_sock_svc_conf sockets;    /**< [sockets]: the socket workers */
};

/**
 * Load and validate a config file.
 * @param path         the file, or NULL for the embedded default
 *                     (config/hostlane.conf compiled in).
 * @param runtime_dir  overrides [hostlane] runtime_dir when not NULL.
 * @param cfg          filled from scratch (whatever it held is overwritten:
 *                     dp_config_free() a loaded one first); after success
 *                     free it with dp_config_free(), after a failure it
 *                     holds nothing to free.
 * @param err          on failure, one line: "FILE: [SECTION] KEY: problem".
 * @return 0, or -EINVAL / -ENOENT / -ENOMEM with err filled.
 *
 * Config load is O(n log n) in the number of guests: names and socket
 * paths are compared sorted, sections looked up in a hash table.
 */
int dp_config_load(const char *path, const char *runtime_dir,
		   struct dp_config *cfg, char *err, size_t errlen);

/** Free what dp_config_load() allocated (the guest table). Accepts a
 *  zeroed cfg; cfg is left zeroed but for its scalars. */
void dp_config_free(struct dp_config *cfg);

/**
 * Build a guest for a run-time add with exactly the checks of the file:
 * begin (name, defaults), set each key, end (socket path). Errors read
 * "guest add: [guest NAME] KEY: problem". Each returns 0 or -EINVAL.
 * end() resolves the socket's canonical path and checks it against every
 * file hostlane owns: the guests of cfg (g excluded), the control socket,
 * the metrics file.
 */
int dp_config_guest_begin(const struct dp_config *cfg, struct dp_guest_conf *g,
			  const char *name, char *err, size_t errlen);
int dp_config_guest_set(struct dp_guest_conf *g, const char *key, const char *val,
			char *err, size_t errlen);
int dp_config_guest_end(const struct dp_config *cfg, struct dp_guest_conf *g,
			char *err, size_t errlen);

/**
 * Change a running guest's fairness keys (DP_FAIR_KEYS) in g, a copy of its
 * conf, with the checks of the file; any other key is refused. Then
 * dp_config_guest_fair_check(). Errors read "guest set: [guest NAME] KEY:
 * problem". Each returns 0 or -EINVAL.
 */
int dp_config_guest_fair_set(struct dp_guest_conf *g, const char *key,
			     const char *val, char *err, size_t errlen);
int dp_config_guest_fair_check(const struct dp_guest_conf *g, char *err,
			       size_t errlen);

/** Look up a guest by name; NULL if absent (removed guests have no name). */
const struct dp_guest_conf *dp_config_guest(const struct dp_config *cfg,
					    const char *name);

/** The embedded default config text (NUL-terminated). */
extern const char dp_default_conf[];

#endif /* DP_CONFIG_H */
