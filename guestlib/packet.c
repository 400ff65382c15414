/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * packet:IFNAME — hostlane frames on a kernel netdev through an AF_PACKET
 * socket bound to EtherType 0x88B5 (inside a VM: its virtio-net interface).
 *
 * No shared memory and no DPDK: one send() per request, one recv() per
 * reply. Waits spin with non-blocking recv(MSG_PEEK) and sleep in poll().
 * There is no control channel to tell a dead host from a slow one, so a
 * wait ends early only when the interface goes down or loses its carrier
 * (a VM's link drops when QEMU loses its vhost-user backend); otherwise the
 * caller's timeout bounds it.
 */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hl_clock.h"
#include "hl_transport.h"
#include "hl_wait.h"

#define PK_SLICE_MS 100		/* sleeps re-check the link this often */
#define PK_RCVBUF (2u << 20)	/* HL_MAX_INFLIGHT replies of 2 KiB, twice */

struct hl_packet {
	int fd;
	int ifindex;
	enum hl_wait_mode wait_mode;
	unsigned int spin_polls;
	int dead;		/* 0, or the status every call fails with */
	uint8_t mac[6];		/* frames to this address are ours */
	uint64_t rx_dropped;
	uint64_t sleeps;
	char ifname[IF_NAMESIZE];
	char reason[HL_TP_REASON_LEN];
};

static void __attribute__((format(printf, 3, 4)))
pk_set_dead(struct hl_packet *p, int status, const char *fmt, ...)
{
	va_list ap;

	if (p->dead)
		return;
	p->dead = status;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
}

/* A socket error: the interface going away ends the connection. */
static int
pk_error(struct hl_packet *p, int err, const char *what)
{
	if (err == ENETDOWN || err == ENXIO || err == ENODEV)
		pk_set_dead(p, HL_E_DISCONNECTED, "interface %s went down",
			    p->ifname);
	else
		pk_set_dead(p, HL_E_IO, "%s on %s: %s", what, p->ifname,
			    strerror(err));
	return p->dead;
}

static int
pk_ifreq(struct hl_packet *p, unsigned long req, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	memcpy(ifr->ifr_name, p->ifname, sizeof(p->ifname));
	return ioctl(p->fd, req, ifr) < 0 ? errno : 0;
}

/* Is the interface up with a carrier? Marks the transport dead if not. */
static int
pk_link_check(struct hl_packet *p)
{
	struct ifreq ifr;
	int err = pk_ifreq(p, SIOCGIFFLAGS, &ifr);

	if (err != 0)
		return pk_error(p, err, "SIOCGIFFLAGS");
	if ((ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) != (IFF_UP | IFF_RUNNING))
		pk_set_dead(p, HL_E_DISCONNECTED, "interface %s is %s", p->ifname,
			    ifr.ifr_flags & IFF_UP ? "without carrier" : "down");
	return p->dead;
}

static int
pk_send(void *tp, const void *frame, uint32_t len, int timeout_ms)
{
	struct hl_packet *p = tp;
	int64_t deadline = hl_deadline(timeout_ms);
	struct pollfd pf = { .fd = p->fd, .events = POLLOUT };

	while (p->dead == 0) {
		if (send(p->fd, frame, len, MSG_DONTWAIT) == (ssize_t)len)
			return HL_OK;
		if (errno == EMSGSIZE)
			return HL_E_TOO_LARGE;	/* bigger than the MTU */
		if (errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
			return pk_error(p, errno, "send");
		if (hl_deadline_passed(deadline))
			return HL_E_TIMEOUT;
		int left = hl_ms_left(deadline);
		(void)poll(&pf, 1, left < 0 || left > PK_SLICE_MS ? PK_SLICE_MS : left);
		if (pk_link_check(p))
			break;
	}
	return p->dead;
}

/* Ours: addressed to our MAC and not a copy of our own transmission. */
static int
pk_wanted(const struct hl_packet *p, const struct sockaddr_ll *from,
	  const uint8_t *frame, size_t n)
{
	return from->sll_pkttype != PACKET_OUTGOING && n >= 6 &&
	       memcmp(frame, p->mac, 6) == 0;
}

static int
pk_recv(void *tp, void *buf, uint32_t cap, uint32_t *len)
{
	struct hl_packet *p = tp;
	struct sockaddr_ll from;
	socklen_t fl;
	ssize_t n;

	while (p->dead == 0) {
		fl = sizeof(from);
		n = recvfrom(p->fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return HL_E_AGAIN;
			if (errno != EINTR)
				return pk_error(p, errno, "recv");
			continue;
		}
		if ((size_t)n > cap || !pk_wanted(p, &from, buf, (size_t)n)) {
			p->rx_dropped++;
			continue;
		}
		*len = (uint32_t)n;
		return HL_OK;
	}
	return p->dead;
}

/* HL_OK if a frame is waiting, HL_E_AGAIN if not, or the death status. */
static int
pk_ready(struct hl_packet *p)
{
	uint8_t b;

	if (recv(p->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC) >= 0)
		return HL_OK;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return HL_E_AGAIN;
	return pk_error(p, errno, "recv");
}

/* hl_waiter ops (hl_wait.h). */
static int
pk_w_ready(void *tp)
{
	struct hl_packet *p = tp;

	return p->dead ? p->dead : pk_ready(p);
}

static int
pk_w_check(void *tp)
{
	return pk_link_check(tp);
}

static int
pk_w_sleep(void *tp, int ms)
{
	struct hl_packet *p = tp;
	struct pollfd pf = { .fd = p->fd, .events = POLLIN };
	int n;

	p->sleeps++;
	n = poll(&pf, 1, ms);
	if (n < 0 && errno != EINTR)
		return pk_error(p, errno, "poll");
	return n > 0 ? pk_ready(p) : HL_E_AGAIN;
}

static int
pk_wait(void *tp, int timeout_ms)
{
	struct hl_packet *p = tp;
	const struct hl_waiter w = {
		.tp = p, .mode = p->wait_mode, .spin_polls = p->spin_polls,
		.check_every = 1, .ready = pk_w_ready, .check = pk_w_check,
		.sleep = pk_w_sleep,
	};

	return hl_wait(&w, timeout_ms);
}

static const char *
pk_reason(const void *tp)
{
	const struct hl_packet *p = tp;

	return p->dead ? p->reason : "";
}

static void
pk_stats(const void *tp, struct hl_stats *st)
{
	const struct hl_packet *p = tp;

	st->rx_dropped += p->rx_dropped;
	st->sleeps += p->sleeps;
}

static void
pk_close(void *tp)
{
	struct hl_packet *p = tp;

	if (p == NULL)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

/* The link went down (in a VM: hostlane, the vhost-user backend, went). */
static int
pk_revivable(const void *tp)
{
	const struct hl_packet *p = tp;

	return p->dead == HL_E_DISCONNECTED;
}

static const struct hl_transport_ops pk_ops = {
	.send = pk_send,
	.recv = pk_recv,
	.wait = pk_wait,
	.reason = pk_reason,
	.stats = pk_stats,
	.close = pk_close,
	.revivable = pk_revivable,
};

/* Best effort: room for a full window of replies. */
static void
pk_rcvbuf(struct hl_packet *p)
{
	int sz = PK_RCVBUF;

	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

/* Frames to a MAC other than the interface's need it in the NIC's filter. */
static int
pk_add_unicast(struct hl_packet *p)
{
	struct packet_mreq mr = { .mr_ifindex = p->ifindex,
				  .mr_type = PACKET_MR_UNICAST, .mr_alen = 6 };

	memcpy(mr.mr_address, p->mac, 6);
	return setsockopt(p->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
			  sizeof(mr)) < 0 ? errno : 0;
}

/* Interface index and MAC; the socket joins the guest MAC if it differs. */
static int
pk_iface(struct hl_packet *p, const struct hl_opts *o, struct hl_tp *out)
{
	static const uint8_t zero[6];
	struct ifreq ifr;
	int err;

	if ((err = pk_ifreq(p, SIOCGIFINDEX, &ifr)) != 0)
		return err;
	p->ifindex = ifr.ifr_ifindex;
	if ((err = pk_ifreq(p, SIOCGIFHWADDR, &ifr)) != 0)
		return err;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return EPROTOTYPE;
	memcpy(out->mac, ifr.ifr_hwaddr.sa_data, 6);
	out->has_mac = 1;
	memcpy(p->mac, memcmp(o->mac, zero, 6) != 0 ? o->mac : out->mac, 6);
	return memcmp(p->mac, out->mac, 6) != 0 ? pk_add_unicast(p) : 0;
}

static int
pk_bind(struct hl_packet *p)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(HL_ETHERTYPE),
				   .sll_ifindex = p->ifindex };
	int one = 1;

	/* Our own transmissions are of no interest (Linux >= 4.20). */
	(void)setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			 sizeof(one));
	pk_rcvbuf(p);
	return bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ? errno : 0;
}

int
hl_packet_open(const char *ifname, const struct hl_opts *o, struct hl_tp *out,
	       char *reason, size_t reason_len)
{
	struct hl_packet *p;
	int err;

	if (*ifname == '\0' || strlen(ifname) >= IF_NAMESIZE) {
		snprintf(reason, reason_len, "packet: bad interface name '%s'",
			 ifname);
		return HL_E_INVAL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return HL_E_NOMEM;
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	p->wait_mode = o->wait_mode;
	p->spin_polls = o->spin_polls;
	/* Protocol 0 until bind: no frame of another interface gets queued. */
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	err = p->fd < 0 ? errno : pk_iface(p, o, out);
	if (err == 0)
		err = pk_bind(p);
	if (err != 0) {
		snprintf(reason, reason_len, "packet:%s: %s", ifname,
			 err == EPROTOTYPE ? "not an Ethernet interface" :
			 strerror(err));
		pk_close(p);
		return err == ENODEV ? HL_E_INVAL : HL_E_IO;
	}
	if (pk_link_check(p)) {
		snprintf(reason, reason_len, "packet:%s: %s", ifname, p->reason);
		pk_close(p);
		return HL_E_DISCONNECTED;
	}
	out->ops = &pk_ops;
	out->tp = p;
	return HL_OK;
}
