/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: choosing and opening a frame transport at hl_connect() time.
 *
 * Design note. hl_connect()'s socket_path is a transport URI:
 *
 *     PATH | memif:PATH   memif client on the host's unix socket (default)
 *     packet:IFNAME       AF_PACKET on a kernel netdev, EtherType 0x88B5
 *     dpdk:EAL-ARGS       a DPDK ethdev (virtio PMD in a VM, virtio_user)
 *
 * The memif and packet transports are compiled into libhostlane. The dpdk
 * transport lives in a plugin, libhostlane-dpdk.so, built only where DPDK is
 * found and loaded with dlopen() on the first "dpdk:" connect, so that
 * libhostlane itself never links DPDK. The plugin exports one symbol,
 * HL_PLUGIN_SYM, a struct hl_plugin whose abi must equal HL_PLUGIN_ABI: the
 * ops table and struct hl_tp below are the contract between the two.
 *
 * Every open function returns an enum hl_status and on failure writes why
 * into reason (reason_len bytes, always NUL-terminated).
 */
#ifndef HL_TRANSPORT_H
#define HL_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "hl_conn.h"

#define HL_TP_REASON_LEN 160u

/** An opened transport, as hl_connect() hands it to hl_conn_create(). */
struct hl_tp {
	const struct hl_transport_ops *ops;
	void *tp;
	uint8_t mac[6];		/**< the device's address, if has_mac */
	uint8_t has_mac;	/**< 1: use mac as the guest MAC by default */
};

/**
 * Open the transport uri names.
 * @return HL_OK; HL_E_INVAL (bad uri or option); HL_E_IO; HL_E_NOMEM;
 *         HL_E_TIMEOUT; HL_E_REFUSED; HL_E_DISCONNECTED; HL_E_VERSION
 */
int hl_transport_open(const char *uri, const char *secret,
		      const struct hl_opts *o, struct hl_tp *out,
		      char *reason, size_t reason_len);

/** packet.c: AF_PACKET on interface ifname. */
int hl_packet_open(const char *ifname, const struct hl_opts *o,
		   struct hl_tp *out, char *reason, size_t reason_len);

/** dpdk_loader.c: load the plugin and open a DPDK port. */
int hl_dpdk_open(const char *eal_args, const struct hl_opts *o,
		 struct hl_tp *out, char *reason, size_t reason_len);

/* The plugin's ABI: bump HL_PLUGIN_ABI when struct hl_transport_ops,
 * struct hl_opts, struct hl_stats or struct hl_tp change. */
#define HL_PLUGIN_ABI 5u
#define HL_PLUGIN_SYM "hl_dpdk_plugin"
#define HL_PLUGIN_FILE "libhostlane-dpdk.so"

struct hl_plugin {
	uint32_t abi;		/**< HL_PLUGIN_ABI */
	uint32_t tp_size;	/**< sizeof(struct hl_tp) */
	int (*open)(const char *args, const struct hl_opts *o,
		    struct hl_tp *out, char *reason, size_t reason_len);
};

#endif /* HL_TRANSPORT_H */
