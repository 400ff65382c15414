/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vfnl.c against the real kernel, in a network namespace of this process's
 * own (unshare; gone when it exits) holding one veth pair, no addresses:
 * RTM_GETLINK with RTEXT_FILTER_VF is answered and parsed (a veth has no
 * VFs: -ENOENT "lists 0"), RTM_SETLINK's IFLA_VF_INFO passes the kernel's
 * attribute policy and reaches the driver, which has no VF ops
 * (-EOPNOTSUPP; a malformed IFLA_VF_MAC is refused by the policy instead),
 * a missing interface is -ENODEV, and the kernel's own NLMSG_ERROR for an
 * unknown ifindex parses as -ENODEV. What no SR-IOV NIC here can show:
 * counters of a real VF (docs/vf.md).
 *
 * Skips (77) without iproute2, network namespaces, CAP_SYS_ADMIN +
 * CAP_NET_ADMIN, or a kernel veth driver; every other failure to set up
 * is a failure.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "unit_check.h"
#include "vfnl.h"

#define SKIP 77

static int
have_caps(void)
{
	char line[256];
	unsigned long long cap = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "CapEff: %llx", &cap) == 1)
			break;
	fclose(f);
	return (cap >> 21 & 1) && (cap >> 12 & 1);	/* SYS_ADMIN, NET_ADMIN */
}

/* Run an ip command; its output (stderr too) in out. */
static int
ip(char *out, size_t out_len, const char *args)
{
	char cmd[256];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ip %s 2>&1", args);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	n = fread(out, 1, out_len - 1, p);
	out[n] = '\0';
	return pclose(p);
}

static void
test_stats(struct vf_nl *nl)
{
	struct vf_counters c;
	char err[256] = "";
	int rc = vf_nl_vf_stats(nl, "hlv0", 0, &c, err, sizeof(err));

	printf("GETLINK hlv0 VF 0: %d %s\n", rc, err);
	CHECK("real GETLINK: a veth lists no VF", rc == -ENOENT &&
	      strcmp(err, "hlv0: RTM_GETLINK VF 0: no VF 0 (the device lists 0)") == 0,
	      "rc %d: %s", rc, err);
	rc = vf_nl_vf_stats(nl, "hlnone0", 0, &c, err, sizeof(err));
	CHECK("real GETLINK: no such interface", rc == -ENODEV &&
	      strstr(err, "hlnone0: no such interface") != NULL, "rc %d: %s", rc, err);
	rc = vf_nl_vf_stats(nl, "an-interface-name-too-long", 0, &c, err, sizeof(err));
	CHECK("real GETLINK: a name over IFNAMSIZ", rc == -ENODEV, "rc %d: %s", rc, err);
}

static void
test_set(struct vf_nl *nl)
{
	struct vf_nl_vf_cfg cfg = { .set_mac = true, .mac = { 2, 0, 0, 0, 0, 1 },
				    .set_vlan = true, .vlan = 10,
				    .set_spoofchk = true, .spoofchk = true };
	char err[256] = "";
	int rc = vf_nl_set_vf(nl, "hlv0", 0, &cfg, err, sizeof(err));

	printf("SETLINK hlv0 VF 0: %d %s\n", rc, err);
	CHECK("real SETLINK: veth has no VF ops", rc == -EOPNOTSUPP &&
	      strncmp(err, "hlv0: RTM_SETLINK VF 0: ", 24) == 0, "rc %d: %s", rc, err);
	cfg.vlan = 4096;
	rc = vf_nl_set_vf(nl, "hlv0", 0, &cfg, err, sizeof(err));
	CHECK("real SETLINK: VLAN 4096 refused before sending", rc == -EINVAL &&
	      strstr(err, "VLAN over 4095") != NULL, "rc %d: %s", rc, err);
}

/* Send a request over a socket of our own; the answer's length or -errno. */
static ssize_t
raw_transact(struct mnl_socket *s, const struct nlmsghdr *req, void *buf,
	     size_t cap)
{
	if (mnl_socket_sendto(s, req, req->nlmsg_len) < 0)
		return -errno;
	return mnl_socket_recvfrom(s, buf, cap);
}

static void
test_raw(void)
{
	static uint64_t mem[8192 / 8];
	struct vf_nl_vf_cfg cfg = { .set_mac = true, .mac = { 2, 0, 0, 0, 0, 1 } };
	struct mnl_socket *s = mnl_socket_open(NETLINK_ROUTE);
	static uint64_t req[VF_NL_SETLINK_MAX / 8];
	struct vf_counters c;
	struct nlmsghdr *nlh;
	char err[256] = "";
	unsigned int port;
	ssize_t n;
	int rc, ifx = (int)if_nametoindex("hlv0");

	CHECK("raw socket", s != NULL && mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) == 0,
	      "%s", strerror(errno));
	if (s == NULL)
		return;
	port = mnl_socket_get_portid(s);

	/* The kernel's NLMSG_ERROR for an ifindex nobody has. */
	nlh = vf_nl_build_getlink(req, sizeof(req), 11, 0x7ffffff0);
	n = raw_transact(s, nlh, mem, sizeof(mem));
	rc = n < 0 ? (int)n : vf_nl_parse_vf_stats(mem, (size_t)n, 11, port,
						   0x7ffffff0, 0, &c, err, sizeof(err));
	CHECK("real GETLINK: unknown ifindex", rc == -ENODEV, "rc %d: %s", rc, err);

	/* Our SETLINK with IFLA_VF_MAC cut to 8 bytes: the kernel's policy
	 * (ifla_vf_policy: at least sizeof(struct ifla_vf_mac); -ERANGE) refuses it, so
	 * the EOPNOTSUPP above means the well-formed one passed that policy. */
	nlh = vf_nl_build_setlink(req, sizeof(req), 12, ifx, 0, &cfg);
	if (nlh != NULL) {
		struct nlattr *mac = (void *)((uint8_t *)nlh + 40);

		mac->nla_len = 4 + 8;
		nlh->nlmsg_len = 40 + 12;
		((struct nlattr *)((uint8_t *)nlh + 32))->nla_len = 8 + 12;
		((struct nlattr *)((uint8_t *)nlh + 36))->nla_len = 4 + 12;
		n = raw_transact(s, nlh, mem, sizeof(mem));
		rc = n < 0 ? (int)n : vf_nl_parse_ack(mem, (size_t)n, 12, port, err,
						      sizeof(err));
		printf("SETLINK with a cut IFLA_VF_MAC: %d %s\n", rc, err);
		CHECK("real SETLINK: a cut IFLA_VF_MAC is refused by the kernel",
		      rc == -ERANGE, "rc %d: %s", rc, err);
	}
	mnl_socket_close(s);
}

int
main(void)
{
	char out[512];
	struct vf_nl *nl;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (access("/proc/self/ns/net", F_OK) != 0) {
		printf("SKIP: kernel without network namespaces\n");
		return SKIP;
	}
	if (!have_caps()) {
		printf("SKIP: needs CAP_SYS_ADMIN and CAP_NET_ADMIN\n");
		return SKIP;
	}
	if (ip(out, sizeof(out), "-V") != 0) {
		printf("SKIP: iproute2 (ip) not installed\n");
		return SKIP;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		printf("FAIL: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 1;
	}
	if (ip(out, sizeof(out), "link add hlv0 type veth peer name hlv1") != 0) {
		if (strstr(out, "Unknown device type") != NULL) {
			printf("SKIP: kernel without the veth driver: %s", out);
			return SKIP;
		}
		printf("FAIL: ip link add: %s", out);
		return 1;
	}
	/* No addresses, ever: no IPv6 link-local either. */
	if (ip(out, sizeof(out), "link set hlv0 addrgenmode none") != 0) {
		printf("FAIL: ip link set: %s", out);
		return 1;
	}
	nl = vf_nl_open();
	if (nl == NULL) {
		printf("FAIL: vf_nl_open: %s\n", strerror(errno));
		return 1;
	}
	test_stats(nl);
	test_set(nl);
	test_raw();
	vf_nl_close(nl);
	printf("vf_nl_netns: real GETLINK/SETLINK on a veth: %d failure(s)\n", failures);
	return failures == 0 ? 0 : 1;
}
