/* SPDX-License-Identifier: BSD-3-Clause */
/* VF MAC/VLAN/spoofchk and per-VF counters over rtnetlink, with libmnl. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "vfnl.h"

/* One GETLINK answer: a PF with hundreds of VFs answers in ~100 KiB. */
#define VF_NL_REPLY_MAX (1u << 18)
/* Answers left over from an earlier request, read and dropped at most. */
#define VF_NL_DRAIN_MAX 64

struct vf_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint8_t *reply;			/* VF_NL_REPLY_MAX bytes */
};

struct vf_nl *
vf_nl_open(void)
{
	struct vf_nl *nl = calloc(1, sizeof(*nl));
	int e;

	if (nl == NULL)
		return NULL;
	nl->reply = malloc(VF_NL_REPLY_MAX);
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (nl->reply == NULL || nl->sock == NULL ||
	    mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		e = nl->reply == NULL ? ENOMEM : errno;
		vf_nl_close(nl);
		errno = e;
		return NULL;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	return nl;
}

void
vf_nl_close(struct vf_nl *nl)
{
	if (nl == NULL)
		return;
	if (nl->sock != NULL)
		mnl_socket_close(nl->sock);
	free(nl->reply);
	free(nl);
}

/* ---- building ------------------------------------------------------------ */

static struct nlmsghdr *
link_header(void *buf, uint16_t type, uint16_t flags, uint32_t seq, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	return nlh;
}

struct nlmsghdr *
vf_nl_build_getlink(void *buf, size_t cap, uint32_t seq, int ifindex)
{
	struct nlmsghdr *nlh;

	if (cap < VF_NL_GETLINK_MAX || ifindex <= 0)
		return NULL;
	nlh = link_header(buf, RTM_GETLINK, 0, seq, ifindex);
	return mnl_attr_put_u32_check(nlh, cap, IFLA_EXT_MASK, RTEXT_FILTER_VF) ?
		nlh : NULL;
}

static bool
vf_cfg_ok(unsigned int vf, const struct vf_nl_vf_cfg *c)
{
	/* the kernel's own bounds (do_setvfinfo) */
	return vf < INT_MAX && (c->set_mac || c->set_vlan || c->set_spoofchk) &&
	       (!c->set_mac || (c->mac[0] & 1) == 0) &&
	       (!c->set_vlan || (c->vlan <= 4095 && c->qos <= 7));
}

static bool
put_vf_attrs(struct nlmsghdr *nlh, size_t cap, unsigned int vf,
	     const struct vf_nl_vf_cfg *c)
{
	struct ifla_vf_mac mac = { .vf = vf };
	struct ifla_vf_vlan vlan = { .vf = vf, .vlan = c->vlan, .qos = c->qos };
	struct ifla_vf_spoofchk sc = { .vf = vf, .setting = c->spoofchk };

	memcpy(mac.mac, c->mac, sizeof(c->mac));
	return (!c->set_mac ||
		mnl_attr_put_check(nlh, cap, IFLA_VF_MAC, sizeof(mac), &mac)) &&
	       (!c->set_vlan ||
		mnl_attr_put_check(nlh, cap, IFLA_VF_VLAN, sizeof(vlan), &vlan)) &&
	       (!c->set_spoofchk ||
		mnl_attr_put_check(nlh, cap, IFLA_VF_SPOOFCHK, sizeof(sc), &sc));
}

struct nlmsghdr *
vf_nl_build_setlink(void *buf, size_t cap, uint32_t seq, int ifindex,
		    unsigned int vf, const struct vf_nl_vf_cfg *cfg)
{
	struct nlattr *list, *info;
	struct nlmsghdr *nlh;

	if (cap < VF_NL_SETLINK_MAX || ifindex <= 0 || !vf_cfg_ok(vf, cfg))
		return NULL;
	nlh = link_header(buf, RTM_SETLINK, NLM_F_ACK, seq, ifindex);
	list = mnl_attr_nest_start_check(nlh, cap, IFLA_VFINFO_LIST);
	info = list == NULL ? NULL : mnl_attr_nest_start_check(nlh, cap, IFLA_VF_INFO);
	if (info == NULL || !put_vf_attrs(nlh, cap, vf, cfg))
		return NULL;
	mnl_attr_nest_end(nlh, info);
	mnl_attr_nest_end(nlh, list);
	return nlh;
}

/* ---- parsing --------------------------------------------------------------- */

struct vf_found {
	unsigned int seen;		/* bit per attribute type */
	uint32_t vf;
	unsigned int stats_seen;	/* bit per IFLA_VF_STATS_* */
	uint64_t st[IFLA_VF_STATS_MAX + 1];
};

struct stats_parse {
	int ifindex;
	unsigned int vf;
	bool link;			/* the RTM_NEWLINK came */
	bool found;
	bool has_stats;
	uint32_t num_vf;
	struct vf_found hit;
	int rc;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 3, 4)))
bad(struct stats_parse *p, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	p->rc = rc;
	return MNL_CB_ERROR;
}

/* Every attribute of a payload, and nothing after the last one. */
static int
walk(const void *payload, size_t len, mnl_attr_cb_t cb, struct stats_parse *p,
     void *data)
{
	const struct nlattr *a = payload;
	int rem = (int)len, rc;

	while (mnl_attr_ok(a, rem)) {
		rc = cb(a, data);
		if (rc <= MNL_CB_STOP)
			return rc;
		rem -= (int)MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	return rem > 0 ? bad(p, -EPROTO, "an attribute runs past its message "
			     "(%d bytes left)", rem) : MNL_CB_OK;
}

static int
nested_walk(const struct nlattr *a, mnl_attr_cb_t cb, struct stats_parse *p,
	    void *data, const char *what)
{
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return bad(p, -EPROTO, "%s: not a nest of attributes", what);
	return walk(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), cb, p,
		    data);
}

struct vf_walk {
	struct stats_parse *p;
	struct vf_found f;
};

static int
stats_attr(const struct nlattr *a, void *data)
{
	struct vf_walk *w = data;
	uint16_t t = mnl_attr_get_type(a);

	if (t > IFLA_VF_STATS_MAX || t == IFLA_VF_STATS_PAD)
		return MNL_CB_OK;	/* newer kernels add counters */
	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		return bad(w->p, -EPROTO, "IFLA_VF_STATS type %u: %u bytes, not 8", t,
			   mnl_attr_get_payload_len(a));
	if (w->f.stats_seen & (1u << t))
		return bad(w->p, -EPROTO, "IFLA_VF_STATS type %u given twice", t);
	w->f.stats_seen |= 1u << t;
	w->f.st[t] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static int
vf_attr(const struct nlattr *a, void *data)
{
	struct vf_walk *w = data;
	uint16_t t = mnl_attr_get_type(a);
	struct ifla_vf_mac mac;

	if (t != IFLA_VF_MAC && t != IFLA_VF_STATS)
		return MNL_CB_OK;
	if (w->f.seen & (1u << t))
		return bad(w->p, -EPROTO, "IFLA_VF_INFO: attribute %u given twice", t);
	w->f.seen |= 1u << t;
	if (t == IFLA_VF_STATS)
		return nested_walk(a, stats_attr, w->p, w, "IFLA_VF_STATS");
	if (mnl_attr_validate2(a, MNL_TYPE_UNSPEC, sizeof(mac)) < 0)
		return bad(w->p, -EPROTO, "IFLA_VF_MAC: %u bytes, not %zu",
			   mnl_attr_get_payload_len(a), sizeof(mac));
	memcpy(&mac, mnl_attr_get_payload(a), sizeof(mac));
	w->f.vf = mac.vf;
	return MNL_CB_OK;
}

#define STATS_NEEDED (1u << IFLA_VF_STATS_RX_PACKETS | 1u << IFLA_VF_STATS_TX_PACKETS | \
		      1u << IFLA_VF_STATS_RX_BYTES | 1u << IFLA_VF_STATS_TX_BYTES)

/* One IFLA_VF_INFO: which VF (from IFLA_VF_MAC), and its counters. */
static int
vfinfo_attr(const struct nlattr *a, void *data)
{
	struct stats_parse *p = data;
	struct vf_walk w = { .p = p };
	int rc;

	if (mnl_attr_get_type(a) != IFLA_VF_INFO)
		return MNL_CB_OK;
	rc = nested_walk(a, vf_attr, p, &w, "IFLA_VF_INFO");
	if (rc <= MNL_CB_STOP)
		return rc;
	if (!(w.f.seen & (1u << IFLA_VF_MAC)))
		return bad(p, -EPROTO, "IFLA_VF_INFO without IFLA_VF_MAC (which VF?)");
	if (w.f.vf != p->vf)
		return MNL_CB_OK;
	if (p->found)
		return bad(p, -EPROTO, "VF %u listed twice", p->vf);
	if ((w.f.seen & (1u << IFLA_VF_STATS)) &&
	    (w.f.stats_seen & STATS_NEEDED) != STATS_NEEDED)
		return bad(p, -EPROTO, "VF %u: IFLA_VF_STATS without rx/tx packets "
			   "and bytes", p->vf);
	p->found = true;
	p->has_stats = (w.f.seen & (1u << IFLA_VF_STATS)) != 0;
	p->hit = w.f;
	return MNL_CB_OK;
}

static int
link_attr(const struct nlattr *a, void *data)
{
	struct stats_parse *p = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_NUM_VF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return bad(p, -EPROTO, "IFLA_NUM_VF: %u bytes, not 4",
				   mnl_attr_get_payload_len(a));
		p->num_vf = mnl_attr_get_u32(a);
		return MNL_CB_OK;
	case IFLA_VFINFO_LIST:
		return nested_walk(a, vfinfo_attr, p, p, "IFLA_VFINFO_LIST");
	default:
		return MNL_CB_OK;
	}
}

static int
link_msg(const struct nlmsghdr *nlh, void *data)
{
	struct stats_parse *p = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return bad(p, -EPROTO, "message type %u, not RTM_NEWLINK",
			   nlh->nlmsg_type);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return bad(p, -EPROTO, "RTM_NEWLINK shorter than its ifinfomsg");
	if (ifm->ifi_index != p->ifindex)
		return bad(p, -EPROTO, "answer about interface %d, not %d",
			   ifm->ifi_index, p->ifindex);
	if (p->link)
		return bad(p, -EPROTO, "two RTM_NEWLINK answers");
	p->link = true;
	return walk(mnl_nlmsg_get_payload_offset(nlh, sizeof(*ifm)),
		    mnl_nlmsg_get_payload_len(nlh) - MNL_ALIGN(sizeof(*ifm)),
		    link_attr, p, p);
}

/* After mnl_cb_run failed: our own finding, or the kernel's errno. */
static int
run_error(struct stats_parse *p, int e)
{
	if (p->rc < 0)
		return p->rc;
	snprintf(p->err, p->errlen, "%s", e == ESRCH || e == EPROTO ?
		 "an answer to another request (port id or sequence)" :
		 strerror(e));
	return e == ESRCH ? -EPROTO : -e;
}

int
vf_nl_parse_vf_stats(const void *buf, size_t len, uint32_t seq, uint32_t portid,
		     int ifindex, unsigned int vf, struct vf_counters *out,
		     char *err, size_t errlen)
{
	struct stats_parse p = { .ifindex = ifindex, .vf = vf, .err = err,
				 .errlen = errlen };
	const uint64_t *st = p.hit.st;

	if (mnl_cb_run(buf, len, seq, portid, link_msg, &p) < 0)
		return run_error(&p, errno);
	if (!p.link) {
		snprintf(err, errlen, "no RTM_NEWLINK in the answer");
		return -EPROTO;
	}
	if (!p.found) {
		snprintf(err, errlen, "no VF %u (the device lists %u)", vf, p.num_vf);
		return -ENOENT;
	}
	if (!p.has_stats) {
		snprintf(err, errlen, "VF %u: the driver gives no per-VF counters", vf);
		return -ENOENT;
	}
	out->pkts = st[IFLA_VF_STATS_RX_PACKETS] + st[IFLA_VF_STATS_TX_PACKETS];
	out->bytes = st[IFLA_VF_STATS_RX_BYTES] + st[IFLA_VF_STATS_TX_BYTES];
	out->source = VF_RATE_HOST_PF;
	return 0;
}

static int
ack_data(const struct nlmsghdr *nlh, void *data)
{
	return bad(data, -EPROTO, "message type %u where an acknowledgement "
		   "belongs", nlh->nlmsg_type);
}

int
vf_nl_parse_ack(const void *buf, size_t len, uint32_t seq, uint32_t portid,
		char *err, size_t errlen)
{
	struct stats_parse p = { .err = err, .errlen = errlen };
	int rc = mnl_cb_run(buf, len, seq, portid, ack_data, &p);

	if (rc < 0)
		return run_error(&p, errno);
	if (rc == MNL_CB_STOP)
		return 0;
	snprintf(err, errlen, "no acknowledgement in the answer");
	return -EPROTO;
}

/* ---- talking --------------------------------------------------------------- */

/* Send one request, read its answer; -ETIMEDOUT if none is queued. */
static ssize_t
transact(struct vf_nl *nl, const struct nlmsghdr *req, char *err, size_t errlen)
{
	int fd = mnl_socket_get_fd(nl->sock);
	ssize_t n;

	for (int i = 0; i < VF_NL_DRAIN_MAX &&
	     recv(fd, nl->reply, VF_NL_REPLY_MAX, MSG_DONTWAIT) >= 0; i++)
		;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0) {
		int e = errno;

		snprintf(err, errlen, "send: %s", strerror(e));
		return -e;
	}
	n = recv(fd, nl->reply, VF_NL_REPLY_MAX, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0) {
		int e = errno == EAGAIN || errno == EWOULDBLOCK ? ETIMEDOUT : errno;

		snprintf(err, errlen, "no answer: %s", strerror(e));
		return -e;
	}
	if ((size_t)n > VF_NL_REPLY_MAX) {
		snprintf(err, errlen, "answer of %zd bytes, more than %u", n,
			 VF_NL_REPLY_MAX);
		return -EMSGSIZE;
	}
	return n;
}

static int
pf_index(const char *ifname, char *err, size_t errlen)
{
	unsigned int i = strnlen(ifname, IFNAMSIZ) < IFNAMSIZ ?
		if_nametoindex(ifname) : 0;

	if (i == 0 || i > INT_MAX) {
		snprintf(err, errlen, "%.*s: no such interface", IFNAMSIZ, ifname);
		return -ENODEV;
	}
	return (int)i;
}

/* "PF: what VF: why" from the inner message. */
static int
named(int rc, const char *ifname, const char *what, unsigned int vf,
      const char *why, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s VF %u: %s", ifname, what, vf, why);
	return rc;
}

int
vf_nl_set_vf(struct vf_nl *nl, const char *pf_ifname, unsigned int vf,
	     const struct vf_nl_vf_cfg *cfg, char *err, size_t errlen)
{
	uint64_t req[VF_NL_SETLINK_MAX / 8];	/* aligned for the headers */
	char why[192];
	struct nlmsghdr *nlh;
	int ifindex = pf_index(pf_ifname, err, errlen);
	ssize_t n;
	int rc;

	if (ifindex < 0)
		return ifindex;
	nlh = vf_nl_build_setlink(req, sizeof(req), ++nl->seq, ifindex, vf, cfg);
	if (nlh == NULL)
		return named(-EINVAL, pf_ifname, "RTM_SETLINK", vf, "MAC not unicast, "
			     "VLAN over 4095, QoS over 7, or nothing to set", err,
			     errlen);
	n = transact(nl, nlh, why, sizeof(why));
	rc = n < 0 ? (int)n : vf_nl_parse_ack(nl->reply, (size_t)n, nl->seq,
					      nl->portid, why, sizeof(why));
	return rc < 0 ? named(rc, pf_ifname, "RTM_SETLINK", vf, why, err, errlen) : 0;
}

int
vf_nl_vf_stats(struct vf_nl *nl, const char *pf_ifname, unsigned int vf,
	       struct vf_counters *out, char *err, size_t errlen)
{
	uint64_t req[VF_NL_GETLINK_MAX / 8];
	char why[192];
	struct nlmsghdr *nlh;
	int ifindex = pf_index(pf_ifname, err, errlen);
	ssize_t n;
	int rc;

	if (ifindex < 0)
		return ifindex;
	nlh = vf_nl_build_getlink(req, sizeof(req), ++nl->seq, ifindex);
	n = transact(nl, nlh, why, sizeof(why));
	rc = n < 0 ? (int)n : vf_nl_parse_vf_stats(nl->reply, (size_t)n, nl->seq,
						   nl->portid, ifindex, vf, out, why,
						   sizeof(why));
	return rc < 0 ? named(rc, pf_ifname, "RTM_GETLINK", vf, why, err, errlen) : 0;
}
