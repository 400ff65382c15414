/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vfnl.c's rtnetlink messages against canned ones: the RTM_GETLINK and
 * RTM_SETLINK requests it builds, read back byte by byte; GETLINK answers
 * with per-VF counters, good and broken in every way a length or a type
 * can be (each must give -EPROTO or -ENOENT, never a read past the buffer);
 * acknowledgements. No socket: test_vf_nl_netns.c talks to a kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "unit_check.h"
#include "vfnl.h"

#define SEQ 4242
#define PORT 777
#define IFX 7

/* Room for a reply, 8-aligned so that the attributes are as the kernel's. */
static uint64_t bufmem[4096 / 8];
#define BUF ((void *)bufmem)

/* ---- requests ---------------------------------------------------------------- */

static void
test_getlink(void)
{
	const char *what = "build RTM_GETLINK";
	static uint64_t mem[VF_NL_GETLINK_MAX / 8];
	uint8_t *buf = (uint8_t *)mem;
	const struct nlmsghdr *nlh = vf_nl_build_getlink(buf, sizeof(mem), SEQ, IFX);
	const struct ifinfomsg *ifm;
	const struct nlattr *a;
	uint32_t mask;

	CHECK(what, nlh != NULL, "not built");
	if (nlh == NULL)
		return;
	/* header 16 + ifinfomsg 16 + one u32 attribute 8 */
	CHECK(what, nlh->nlmsg_len == 40 && nlh->nlmsg_type == RTM_GETLINK &&
	      nlh->nlmsg_flags == NLM_F_REQUEST && nlh->nlmsg_seq == SEQ,
	      "len %u type %u flags %#x seq %u", nlh->nlmsg_len, nlh->nlmsg_type,
	      nlh->nlmsg_flags, nlh->nlmsg_seq);
	ifm = (const void *)(buf + 16);
	CHECK(what, ifm->ifi_index == IFX && ifm->ifi_family == AF_UNSPEC,
	      "ifindex %d family %u", ifm->ifi_index, ifm->ifi_family);
	a = (const void *)(buf + 32);
	memcpy(&mask, buf + 36, 4);
	CHECK(what, a->nla_type == IFLA_EXT_MASK && a->nla_len == 8 &&
	      mask == RTEXT_FILTER_VF, "attr type %u len %u mask %#x", a->nla_type,
	      a->nla_len, mask);
	CHECK("build RTM_GETLINK: small buffer", vf_nl_build_getlink(buf, 40, SEQ, IFX)
	      == NULL, "built into 40 bytes");
	CHECK("build RTM_GETLINK: ifindex 0", vf_nl_build_getlink(buf, sizeof(mem), SEQ,
								   0) == NULL, "built");
}

/* The attribute at p: type (flags off), payload length, payload. */
static const struct nlattr *
attr_at(const uint8_t *p, uint16_t *type, uint16_t *plen)
{
	const struct nlattr *a = (const void *)p;

	*type = a->nla_type & NLA_TYPE_MASK;
	*plen = (uint16_t)(a->nla_len - NLA_HDRLEN);
	return a;
}

static void
test_setlink(void)
{
	const char *what = "build RTM_SETLINK";
	struct vf_nl_vf_cfg c = { .set_mac = true, .mac = { 0x02, 1, 2, 3, 4, 5 },
				  .set_vlan = true, .vlan = 100, .qos = 3,
				  .set_spoofchk = true, .spoofchk = true };
	static uint64_t mem[VF_NL_SETLINK_MAX / 8];
	uint8_t *buf = (uint8_t *)mem;
	const struct nlmsghdr *nlh = vf_nl_build_setlink(buf, sizeof(mem), SEQ, IFX, 5, &c);
	struct ifla_vf_mac mac;
	struct ifla_vf_vlan vlan;
	struct ifla_vf_spoofchk sc;
	uint16_t t, len;
	const uint8_t *p;

	CHECK(what, nlh != NULL, "not built");
	if (nlh == NULL)
		return;
	CHECK(what, nlh->nlmsg_type == RTM_SETLINK &&
	      nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK) &&
	      nlh->nlmsg_len == 32 + 4 + 4 + 4 + 36 + 4 + 12 + 4 + 8,
	      "type %u flags %#x len %u", nlh->nlmsg_type, nlh->nlmsg_flags,
	      nlh->nlmsg_len);
	p = buf + 32;
	attr_at(p, &t, &len);
	CHECK(what, t == IFLA_VFINFO_LIST && len == nlh->nlmsg_len - 36,
	      "list: type %u len %u", t, len);
	attr_at(p + 4, &t, &len);
	CHECK(what, t == IFLA_VF_INFO && len == nlh->nlmsg_len - 40, "info: type %u "
	      "len %u", t, len);
	attr_at(p + 8, &t, &len);
	memcpy(&mac, p + 12, sizeof(mac));
	CHECK(what, t == IFLA_VF_MAC && len == sizeof(mac) && mac.vf == 5 &&
	      memcmp(mac.mac, c.mac, 6) == 0 && mac.mac[6] == 0, "mac: type %u len %u "
	      "vf %u", t, len, mac.vf);
	attr_at(p + 48, &t, &len);
	memcpy(&vlan, p + 52, sizeof(vlan));
	CHECK(what, t == IFLA_VF_VLAN && len == sizeof(vlan) && vlan.vf == 5 &&
	      vlan.vlan == 100 && vlan.qos == 3, "vlan: type %u len %u %u/%u/%u", t, len,
	      vlan.vf, vlan.vlan, vlan.qos);
	attr_at(p + 64, &t, &len);
	memcpy(&sc, p + 68, sizeof(sc));
	CHECK(what, t == IFLA_VF_SPOOFCHK && len == sizeof(sc) && sc.vf == 5 &&
	      sc.setting == 1, "spoofchk: type %u len %u %u/%u", t, len, sc.vf,
	      sc.setting);

	c = (struct vf_nl_vf_cfg){ .set_spoofchk = true };
	nlh = vf_nl_build_setlink(buf, sizeof(mem), SEQ, IFX, 0, &c);
	CHECK("build RTM_SETLINK: spoofchk off only", nlh != NULL &&
	      nlh->nlmsg_len == 32 + 8 + 4 + 8 && buf[40] == 4 + 8 &&
	      buf[42] == IFLA_VF_SPOOFCHK, "len %u", nlh ? nlh->nlmsg_len : 0);
}

static void
test_setlink_refused(void)
{
	static const struct {
		const char *what;
		struct vf_nl_vf_cfg c;
		unsigned int vf;
	} bad[] = {
		{ "nothing to set", { .mac = { 2 } }, 0 },
		{ "multicast MAC", { .set_mac = true, .mac = { 0x01, 0, 0x5e } }, 0 },
		{ "VLAN 4096", { .set_vlan = true, .vlan = 4096 }, 0 },
		{ "QoS 8", { .set_vlan = true, .vlan = 1, .qos = 8 }, 0 },
		{ "VF INT_MAX", { .set_spoofchk = true }, 0x7fffffff },
	};
	struct vf_nl_vf_cfg ok = { .set_mac = true };	/* all-zero MAC: clear */
	static uint64_t buf[VF_NL_SETLINK_MAX / 8];
	char name[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "build RTM_SETLINK: %s", bad[i].what);
		CHECK(name, vf_nl_build_setlink(buf, sizeof(buf), SEQ, IFX, bad[i].vf,
						&bad[i].c) == NULL, "built");
	}
	CHECK("build RTM_SETLINK: all-zero MAC", vf_nl_build_setlink(buf, sizeof(buf),
		SEQ, IFX, 1, &ok) != NULL, "refused");
	CHECK("build RTM_SETLINK: small buffer", vf_nl_build_setlink(buf, 64, SEQ,
		IFX, 1, &ok) == NULL, "built into 64 bytes");
}

/* ---- canned answers -------------------------------------------------------- */

struct vf_spec {
	uint32_t vf;
	bool mac;			/* IFLA_VF_MAC present */
	uint16_t mac_len;		/* its payload length */
	bool stats;
	uint64_t rxp, txp, rxb, txb;
	uint16_t u64_len;		/* payload of each counter */
	bool no_txb;
};

static struct nlmsghdr *
answer_head(uint16_t type, uint32_t seq, uint32_t port, int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	memset(bufmem, 0, sizeof(bufmem));
	nlh = mnl_nlmsg_put_header(BUF);
	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = port;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = ifindex;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "pf0");
	return nlh;
}

static void
put_counter(struct nlmsghdr *nlh, uint16_t type, uint64_t v, uint16_t len)
{
	mnl_attr_put(nlh, type, len, &v);
}

static void
put_vf(struct nlmsghdr *nlh, const struct vf_spec *s)
{
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO), *st;
	struct ifla_vf_mac mac = { .vf = s->vf, .mac = { 2, 0, 0, 0, 0, (uint8_t)s->vf } };
	struct ifla_vf_vlan vlan = { .vf = s->vf };
	uint16_t ul = s->u64_len ? s->u64_len : 8;

	if (s->mac)
		mnl_attr_put(nlh, IFLA_VF_MAC, s->mac_len ? s->mac_len : sizeof(mac), &mac);
	mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(vlan), &vlan);
	if (s->stats) {
		st = mnl_attr_nest_start(nlh, IFLA_VF_STATS);
		put_counter(nlh, IFLA_VF_STATS_RX_PACKETS, s->rxp, ul);
		put_counter(nlh, IFLA_VF_STATS_TX_PACKETS, s->txp, ul);
		put_counter(nlh, IFLA_VF_STATS_RX_BYTES, s->rxb, ul);
		if (!s->no_txb)
			put_counter(nlh, IFLA_VF_STATS_TX_BYTES, s->txb, ul);
		put_counter(nlh, IFLA_VF_STATS_BROADCAST, 9, 8);
		mnl_attr_put(nlh, IFLA_VF_STATS_PAD, 0, &ul);
		put_counter(nlh, IFLA_VF_STATS_RX_DROPPED, 1, 8);
		mnl_attr_nest_end(nlh, st);
	}
	mnl_attr_nest_end(nlh, info);
}

/* A NEWLINK answer listing the VFs of specs (n of them). */
static struct nlmsghdr *
answer(const struct vf_spec *specs, size_t n, uint32_t num_vf)
{
	struct nlmsghdr *nlh = answer_head(RTM_NEWLINK, SEQ, PORT, IFX);
	struct nlattr *list;

	mnl_attr_put_u32(nlh, IFLA_NUM_VF, num_vf);
	list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
	for (size_t i = 0; i < n; i++)
		put_vf(nlh, &specs[i]);
	mnl_attr_nest_end(nlh, list);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	return nlh;
}

static const struct vf_spec two[] = {
	{ .vf = 0, .mac = true, .stats = true, .rxp = 1, .txp = 2, .rxb = 100, .txb = 200 },
	{ .vf = 1, .mac = true, .stats = true, .rxp = 10, .txp = 20, .rxb = 1000,
	  .txb = 2000 },
};

static int
parse(const struct nlmsghdr *nlh, size_t len, unsigned int vf, struct vf_counters *c,
      char *err, size_t errlen)
{
	return vf_nl_parse_vf_stats(nlh, len, SEQ, PORT, IFX, vf, c, err, errlen);
}

static void
expect(const char *what, int rc, int want, const char *err, const char *frag)
{
	CHECK(what, rc == want, "rc %d, want %d: %s", rc, want, err);
	CHECK(what, frag == NULL || strstr(err, frag) != NULL, "error '%s' lacks '%s'",
	      err, frag);
}

static void
test_stats_good(void)
{
	struct vf_counters c = { 0 };
	struct nlmsghdr *nlh = answer(two, 2, 2);
	char err[256] = "";
	int rc;

	rc = parse(nlh, nlh->nlmsg_len, 1, &c, err, sizeof(err));
	CHECK("stats: VF 1", rc == 0 && c.pkts == 30 && c.bytes == 3000 &&
	      c.source == VF_RATE_HOST_PF, "rc %d pkts %llu bytes %llu source %d: %s",
	      rc, (unsigned long long)c.pkts, (unsigned long long)c.bytes, c.source, err);
	rc = parse(nlh, nlh->nlmsg_len, 0, &c, err, sizeof(err));
	CHECK("stats: VF 0", rc == 0 && c.pkts == 3 && c.bytes == 300, "rc %d: %s", rc,
	      err);
	rc = parse(nlh, nlh->nlmsg_len, 2, &c, err, sizeof(err));
	expect("stats: VF 2 not listed", rc, -ENOENT, err, "no VF 2 (the device lists 2)");
}

/* Answers broken one way each. */
static void
test_stats_bad(void)
{
	struct vf_spec s[2] = { two[0], two[1] };
	struct vf_counters c;
	struct nlmsghdr *nlh;
	char err[256];
	uint8_t *b = BUF;
	size_t off;

	s[1].stats = false;
	nlh = answer(s, 2, 2);
	expect("stats: driver without per-VF counters",
	       parse(nlh, nlh->nlmsg_len, 1, &c, err, sizeof(err)), -ENOENT, err,
	       "no per-VF counters");

	s[1] = two[1];
	s[1].u64_len = 4;
	nlh = answer(s, 2, 2);
	expect("stats: a 4-byte counter", parse(nlh, nlh->nlmsg_len, 1, &c, err,
						sizeof(err)), -EPROTO, err, "not 8");

	s[1] = two[1];
	s[1].no_txb = true;
	nlh = answer(s, 2, 2);
	expect("stats: no tx bytes", parse(nlh, nlh->nlmsg_len, 1, &c, err, sizeof(err)),
	       -EPROTO, err, "without rx/tx packets and bytes");

	s[1] = two[1];
	s[1].mac_len = 8;
	nlh = answer(s, 2, 2);
	expect("stats: short IFLA_VF_MAC", parse(nlh, nlh->nlmsg_len, 1, &c, err,
						 sizeof(err)), -EPROTO, err, "IFLA_VF_MAC: 8 bytes");

	s[1] = two[1];
	s[1].mac = false;
	nlh = answer(s, 2, 2);
	expect("stats: IFLA_VF_INFO without a MAC", parse(nlh, nlh->nlmsg_len, 1, &c, err,
							  sizeof(err)), -EPROTO, err,
	       "which VF");

	s[1] = two[0];
	nlh = answer(s, 2, 2);
	expect("stats: a VF listed twice", parse(nlh, nlh->nlmsg_len, 0, &c, err,
						 sizeof(err)), -EPROTO, err, "listed twice");

	nlh = answer(two, 2, 2);
	expect("stats: another sequence", vf_nl_parse_vf_stats(nlh, nlh->nlmsg_len,
		SEQ + 1, PORT, IFX, 1, &c, err, sizeof(err)), -EPROTO, err, "another request");
	expect("stats: another port", vf_nl_parse_vf_stats(nlh, nlh->nlmsg_len, SEQ,
		PORT + 1, IFX, 1, &c, err, sizeof(err)), -EPROTO, err, "another request");
	expect("stats: another interface", vf_nl_parse_vf_stats(nlh, nlh->nlmsg_len,
		SEQ, PORT, IFX + 1, 1, &c, err, sizeof(err)), -EPROTO, err,
	       "interface 7, not 8");
	expect("stats: cut short", parse(nlh, nlh->nlmsg_len - 12, 1, &c, err,
					 sizeof(err)), -EPROTO, err, "no RTM_NEWLINK");
	expect("stats: nothing", parse(nlh, 0, 1, &c, err, sizeof(err)), -EPROTO, err,
	       "no RTM_NEWLINK");

	/* IFLA_VFINFO_LIST's first IFLA_VF_INFO claims more than the list holds. */
	nlh = answer(two, 2, 2);
	off = 32 + 8 /* IFNAME "pf0" */ + 8 /* NUM_VF */ + 4 /* list header */;
	CHECK("stats: nest longer than its parent (set-up)",
	      ((b[off + 2] | b[off + 3] << 8) & NLA_TYPE_MASK) == IFLA_VF_INFO,
	      "no IFLA_VF_INFO at %zu",
	      off);
	b[off] = 0xf0;
	b[off + 1] = 0x0f;
	expect("stats: nest longer than its parent", parse(nlh, nlh->nlmsg_len, 1, &c,
		err, sizeof(err)), -EPROTO, err, "runs past");

	nlh = answer(two, 2, 2);
	b[32 + 8] = 4 + 2;	/* IFLA_NUM_VF of 2 bytes */
	expect("stats: IFLA_NUM_VF of 2 bytes", parse(nlh, nlh->nlmsg_len, 1, &c, err,
		sizeof(err)), -EPROTO, err, "IFLA_NUM_VF");

	nlh = answer_head(RTM_NEWADDR, SEQ, PORT, IFX);
	expect("stats: not a NEWLINK", parse(nlh, nlh->nlmsg_len, 1, &c, err,
					     sizeof(err)), -EPROTO, err, "not RTM_NEWLINK");

	nlh = answer_head(RTM_NEWLINK, SEQ, PORT, IFX);
	nlh->nlmsg_len = 16 + 8;
	expect("stats: NEWLINK shorter than ifinfomsg", parse(nlh, nlh->nlmsg_len, 1, &c,
		err, sizeof(err)), -EPROTO, err, "shorter than its ifinfomsg");
}

/* An NLMSG_ERROR carrying code (0: an acknowledgement). */
static struct nlmsghdr *
error_msg(int code)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	memset(bufmem, 0, sizeof(bufmem));
	nlh = mnl_nlmsg_put_header(BUF);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORT;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = code;
	e->msg.nlmsg_seq = SEQ;
	return nlh;
}

static void
test_errors_and_acks(void)
{
	struct vf_counters c;
	struct nlmsghdr *nlh;
	char err[256];

	nlh = error_msg(-ENODEV);
	expect("stats: the kernel's ENODEV", parse(nlh, nlh->nlmsg_len, 0, &c, err,
		sizeof(err)), -ENODEV, err, "No such device");
	nlh = error_msg(0);
	expect("ack: 0", vf_nl_parse_ack(nlh, nlh->nlmsg_len, SEQ, PORT, err,
					 sizeof(err)), 0, err, NULL);
	nlh = error_msg(-EOPNOTSUPP);
	expect("ack: EOPNOTSUPP", vf_nl_parse_ack(nlh, nlh->nlmsg_len, SEQ, PORT, err,
						  sizeof(err)), -EOPNOTSUPP, err, NULL);
	nlh = error_msg(0);
	nlh->nlmsg_len = 16 + 8;
	expect("ack: cut NLMSG_ERROR", vf_nl_parse_ack(nlh, nlh->nlmsg_len, SEQ, PORT,
		err, sizeof(err)), -EBADMSG, err, NULL);
	nlh = answer(two, 2, 2);
	expect("ack: a data message instead", vf_nl_parse_ack(nlh, nlh->nlmsg_len, SEQ,
		PORT, err, sizeof(err)), -EPROTO, err, "where an acknowledgement");
	expect("ack: nothing", vf_nl_parse_ack(nlh, 0, SEQ, PORT, err, sizeof(err)),
	       -EPROTO, err, "no acknowledgement");
}

int
main(void)
{
	test_getlink();
	test_setlink();
	test_setlink_refused();
	test_stats_good();
	test_stats_bad();
	test_errors_and_acks();
	printf("vf_nl: requests, canned answers: %d failure(s)\n", failures);
	return failures == 0 ? 0 : 1;
}
