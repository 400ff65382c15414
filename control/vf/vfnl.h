/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A PF's VFs over rtnetlink, with libmnl: set a VF's MAC, VLAN and spoof
 * checking on its PF (RTM_SETLINK carrying IFLA_VFINFO_LIST → IFLA_VF_INFO
 * → IFLA_VF_MAC / IFLA_VF_VLAN / IFLA_VF_SPOOFCHK), and read a VF's
 * counters as the PF counts them (RTM_GETLINK with IFLA_EXT_MASK =
 * RTEXT_FILTER_VF → IFLA_VF_STATS): the rate source VF_RATE_HOST_PF for a
 * VF passed through to a VM, which the guest cannot forge.
 *
 * Thread: main lcore; one struct vf_nl per caller, not shared. The socket
 * is non-blocking: the kernel answers an rtnetlink request inside the
 * send, so the answer is read at once, and no answer is an error
 * (-ETIMEDOUT), never a wait.
 *
 * Replies are untrusted: every message is checked for sequence, port id
 * and length (libmnl's mnl_cb_run), every attribute used for its length
 * (mnl_attr_validate), the reply must be about the interface asked for,
 * and anything else is -EPROTO with err saying what.
 *
 * Errors: 0 or a negative errno, err filled with one line that starts with
 * the PF's interface name. The kernel's own refusals come through as they
 * are: -EOPNOTSUPP (a driver without VF ops, e.g. veth), -EINVAL, -ENODEV.
 *
 * The message builders and the reply parser are exported for tests, which
 * check them against canned messages.
 */
#ifndef CTL_VF_VFNL_H
#define CTL_VF_VFNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vf.h"

struct nlmsghdr;
struct vf_nl;

/** What to set on one VF; fields not marked set are left as they are. */
struct vf_nl_vf_cfg {
	bool set_mac;
	uint8_t mac[6];			/**< a unicast address, or all zero */
	bool set_vlan;
	uint16_t vlan;			/**< 0 (none) … 4095 */
	uint8_t qos;			/**< 0 … 7 */
	bool set_spoofchk;
	bool spoofchk;
};

/** Open a NETLINK_ROUTE socket. @return NULL with errno set on failure. */
struct vf_nl *vf_nl_open(void);

/** Close it (NULL is fine). */
void vf_nl_close(struct vf_nl *nl);

/**
 * Set VF vf of the PF pf_ifname (in hostlane's network namespace).
 * @return 0, -EINVAL (cfg out of range, or the kernel refused it),
 *         -ENODEV (no such interface), -EOPNOTSUPP (its driver has no VF
 *         ops), or another -errno from the kernel.
 */
int vf_nl_set_vf(struct vf_nl *nl, const char *pf_ifname, unsigned int vf,
		 const struct vf_nl_vf_cfg *cfg, char *err, size_t errlen);

/**
 * Read VF vf's counters from its PF: out->pkts = rx + tx packets,
 * out->bytes = rx + tx bytes, out->source = VF_RATE_HOST_PF.
 * @return 0, -ENODEV (no such interface), -ENOENT (the PF lists no such
 *         VF, or its driver gives no per-VF counters), -EPROTO (a reply
 *         that does not parse), or another -errno.
 */
int vf_nl_vf_stats(struct vf_nl *nl, const char *pf_ifname, unsigned int vf,
		   struct vf_counters *out, char *err, size_t errlen);

/**
 * Build the RTM_SETLINK request vf_nl_set_vf() sends, into buf (cap bytes,
 * at least VF_NL_SETLINK_MAX), NLM_F_ACK set.
 * @return the message, or NULL if cfg is out of range or sets nothing.
 */
#define VF_NL_SETLINK_MAX 256
struct nlmsghdr *vf_nl_build_setlink(void *buf, size_t cap, uint32_t seq,
				     int ifindex, unsigned int vf,
				     const struct vf_nl_vf_cfg *cfg);

/** Build the RTM_GETLINK request vf_nl_vf_stats() sends (cap ≥ 64). */
#define VF_NL_GETLINK_MAX 64
struct nlmsghdr *vf_nl_build_getlink(void *buf, size_t cap, uint32_t seq,
				     int ifindex);

/**
 * Parse the answer to a GETLINK: len bytes of messages for (seq, portid)
 * about interface ifindex; fill out with VF vf's counters.
 * @return 0, -ENOENT (no such VF, no stats), -EPROTO (malformed), or the
 *         -errno of an NLMSG_ERROR; err without the interface name.
 */
int vf_nl_parse_vf_stats(const void *buf, size_t len, uint32_t seq,
			 uint32_t portid, int ifindex, unsigned int vf,
			 struct vf_counters *out, char *err, size_t errlen);

/**
 * Parse the answer to a request sent with NLM_F_ACK.
 * @return 0 (acknowledged), the -errno the kernel sent, or -EPROTO.
 */
int vf_nl_parse_ack(const void *buf, size_t len, uint32_t seq, uint32_t portid,
		    char *err, size_t errlen);

#endif /* CTL_VF_VFNL_H */
