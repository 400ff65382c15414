/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * packet.c's refusals and drops, in a network namespace of this process's
 * own (unshare; gone when it exits): interface names that cannot be one, a
 * missing interface, loopback (not Ethernet), a veth end that is down or
 * without carrier; then, on a veth pair, frames to another MAC and a frame
 * too long for the caller's buffer are dropped and counted, frames
 * to a guest MAC other than the interface's arrive (the socket joins it),
 * a frame over the MTU is refused, and a link that drops ends a wait and
 * every later call with HL_E_DISCONNECTED. Raw Ethernet only, no address.
 *
 * Skips (77) without iproute2, CAP_SYS_ADMIN + CAP_NET_ADMIN, or a kernel
 * veth driver; every other failure to set up is a failure.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gl_check.h"
#include "hl_transport.h"

#define SKIP 77

static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const uint8_t guest_mac[6] = { 0x02, 0x48, 0x4c, 0, 0, 0x07 };
static char reason[HL_TP_REASON_LEN];

/* ---- what the machine has ------------------------------------------------ */

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
ip_ok(const char *args)
{
	char out[512];
	int rc = ip(out, sizeof(out), args);

	if (rc != 0)
		fprintf(stderr, "ip %s: %s\n", args, out);
	CHECK(rc == 0);
}

/* ---- the transport ------------------------------------------------------- */

static int
open_pk(const char *ifname, const uint8_t *mac, struct hl_tp *tp)
{
	struct hl_opts o;
	int rc;

	hl_opts_init(&o);
	o.wait_mode = HL_WAIT_INTR;
	if (mac != NULL)
		memcpy(o.mac, mac, 6);
	memset(tp, 0, sizeof(*tp));
	reason[0] = '\0';
	rc = hl_packet_open(ifname, &o, tp, reason, sizeof(reason));
	printf("open %-18.18s %s: %s\n", ifname, hl_status_name(rc), reason);
	return rc;
}

/* A raw socket on the far end of the pair, to send frames at the guest. */
static int
far_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(HL_ETHERTYPE),
				   .sll_ifindex = (int)if_nametoindex(ifname) };
	int fd = socket(AF_PACKET, SOCK_RAW, htons(HL_ETHERTYPE));

	CHECK(fd >= 0 && sll.sll_ifindex > 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		CHECK(0);
		close(fd);
		fd = -1;
	}
	return fd;
}

/* A frame of len bytes to dst, from the far end. */
static void
far_send(int fd, const uint8_t *dst, size_t len, uint8_t fill)
{
	uint8_t f[1600];

	memset(f, fill, sizeof(f));
	memcpy(f, dst, 6);
	memcpy(f + 6, other_mac, 6);
	f[12] = HL_ETHERTYPE >> 8;
	f[13] = HL_ETHERTYPE & 0xff;
	CHECK(send(fd, f, len, 0) == (ssize_t)len);
}

static void
test_names(void)
{
	struct hl_tp tp;

	CHECK_EQ(open_pk("", NULL, &tp), HL_E_INVAL);
	CHECK(strstr(reason, "bad interface name") != NULL);
	CHECK_EQ(open_pk("sixteen-chars-xx", NULL, &tp), HL_E_INVAL);
	CHECK_EQ(open_pk("nosuch0", NULL, &tp), HL_E_INVAL);
	CHECK(strstr(reason, "packet:nosuch0: ") != NULL);
	ip_ok("link set lo up");
	CHECK_EQ(open_pk("lo", NULL, &tp), HL_E_IO);
	CHECK(strstr(reason, "not an Ethernet interface") != NULL);
	CHECK(tp.ops == NULL);
}

static void
test_link_state(void)
{
	struct hl_tp tp;

	CHECK_EQ(open_pk("hlv0", NULL, &tp), HL_E_DISCONNECTED);
	CHECK(strstr(reason, "hlv0 is down") != NULL);
	ip_ok("link set hlv0 up");	/* the far end still down */
	CHECK_EQ(open_pk("hlv0", NULL, &tp), HL_E_DISCONNECTED);
	CHECK(strstr(reason, "without carrier") != NULL);
}

/* Drops, the guest MAC, the MTU, then the link going down. */
static void
test_frames(int far)
{
	const struct hl_transport_ops *ops;
	struct hl_stats st = { 0 };
	uint8_t buf[2048], big[1600] = { 0 };
	struct hl_tp tp;
	uint32_t len = 0;

	CHECK_EQ(open_pk("hlv0", guest_mac, &tp), HL_OK);
	if (tp.ops == NULL)
		return;
	ops = tp.ops;
	CHECK(tp.has_mac && memcmp(tp.mac, guest_mac, 6) != 0);
	far_send(far, other_mac, 64, 1);	/* not ours */
	far_send(far, guest_mac, 1000, 2);	/* too long for 100 bytes */
	far_send(far, guest_mac, 100, 3);	/* ours, fits */
	CHECK_EQ(ops->wait(tp.tp, 5000), HL_OK);
	CHECK_EQ(ops->recv(tp.tp, buf, 100, &len), HL_OK);
	CHECK(len == 100 && memcmp(buf, guest_mac, 6) == 0 && buf[99] == 3);
	CHECK_EQ(ops->recv(tp.tp, buf, sizeof(buf), &len), HL_E_AGAIN);
	ops->stats(tp.tp, &st);
	CHECK_EQ(st.rx_dropped, 2);
	/* Larger than the MTU: refused, not cut. */
	memcpy(big, other_mac, 6);
	CHECK_EQ(ops->send(tp.tp, big, sizeof(big), 1000), HL_E_TOO_LARGE);
	CHECK_EQ(ops->send(tp.tp, big, 64, 1000), HL_OK);
	CHECK_EQ(ops->wait(tp.tp, 0), HL_E_TIMEOUT);
	/* The far end goes down: the carrier goes, a wait ends. */
	ip_ok("link set hlv1 down");
	CHECK_EQ(ops->wait(tp.tp, 10000), HL_E_DISCONNECTED);
	CHECK(strstr(ops->reason(tp.tp), "without carrier") != NULL);
	CHECK(ops->revivable(tp.tp));
	CHECK_EQ(ops->send(tp.tp, big, 64, 1000), HL_E_DISCONNECTED);
	CHECK_EQ(ops->recv(tp.tp, buf, sizeof(buf), &len), HL_E_DISCONNECTED);
	ops->close(tp.tp);
}

int
main(void)
{
	char out[512];
	int far;

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
	test_names();
	if (ip(out, sizeof(out), "link add hlv0 type veth peer name hlv1") != 0) {
		if (strstr(out, "Unknown device type") != NULL) {
			printf("SKIP: kernel without the veth driver: %s", out);
			return SKIP;
		}
		printf("FAIL: ip link add: %s", out);
		return 1;
	}
	/* No addresses, ever: no IPv6 link-local either. */
	ip_ok("link set hlv0 addrgenmode none");
	ip_ok("link set hlv1 addrgenmode none");
	test_link_state();
	ip_ok("link set hlv1 up");
	far = far_socket("hlv1");
	if (far >= 0) {
		test_frames(far);
		close(far);
	}
	return gl_report("guestlib-packet");
}
