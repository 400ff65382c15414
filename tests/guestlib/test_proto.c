/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit: proto.h encode/validate, every rejection path; status strings. */
#include <string.h>

#include "gl_check.h"
#include "hostlane/hostlane.h"

static const uint8_t dst[6] = { 1, 2, 3, 4, 5, 6 };
static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 9 };

static uint32_t
build(uint8_t *buf, uint32_t plen)
{
	struct hl_frame_hdr h;

	hl_proto_hdr_init(&h, dst, src, HL_OP_FN_CALL, 42, 0x1234567890ull);
	h.hl.payload_len = plen;
	h.hl.arg0 = 51;
	h.hl.arg1 = 1000;
	memcpy(buf, &h, sizeof(h));
	memset(buf + HL_FRAME_HDR_LEN, 0xab, plen);
	return HL_FRAME_HDR_LEN + plen;
}

/* Byte positions documented in docs/protocol.md. */
static void
test_layout(void)
{
	uint8_t f[HL_FRAME_MAX];
	uint32_t len = build(f, 3);

	CHECK_EQ(len, 67);
	CHECK(f[12] == 0x88 && f[13] == 0xB5);
	CHECK(memcmp(f + 14, "HLAN", 4) == 0);
	CHECK(f[18] == 1 && f[19] == 0);		/* version */
	CHECK(f[20] == HL_OP_FN_CALL && f[21] == 0);	/* opcode */
	CHECK(f[26] == 42);				/* session */
	CHECK(f[30] == 0x90 && f[31] == 0x78);		/* req_id LE */
	CHECK(f[38] == 3);				/* payload_len */
	CHECK(f[46] == 51);				/* arg0 */
	CHECK(f[54] == 0xe8 && f[55] == 0x03);		/* arg1 = 1000 */
	CHECK(f[64] == 0xab);				/* payload */
}

static void
test_accept(void)
{
	uint8_t f[HL_FRAME_MAX];
	struct hl_frame_hdr h;
	uint32_t len = build(f, 100);

	CHECK_EQ(hl_proto_hdr_parse(f, len, &h), HL_OK);
	CHECK_EQ(h.hl.req_id, 0x1234567890ull);
	CHECK_EQ(h.hl.session, 42);
	CHECK_EQ(hl_proto_hdr_validate(f, len + 10), HL_OK); /* padding ok */
	len = build(f, HL_PAYLOAD_MAX);
	CHECK_EQ(len, HL_FRAME_MAX);
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_OK);
	len = build(f, 0);
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_OK);
}

static void
test_reject(void)
{
	uint8_t f[HL_FRAME_MAX + 64];
	struct hl_wire_hdr *w = (struct hl_wire_hdr *)(f + HL_ETH_HDR_LEN);
	uint32_t len;

	len = build(f, 0);
	CHECK_EQ(hl_proto_hdr_validate(f, 0), HL_E_TRUNCATED);
	CHECK_EQ(hl_proto_hdr_validate(f, HL_FRAME_HDR_LEN - 1), HL_E_TRUNCATED);
	f[12] = 0x08; f[13] = 0x00;			/* IPv4 EtherType */
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_E_BAD_MAGIC);
	len = build(f, 0);
	f[14] ^= 1;					/* magic */
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_E_BAD_MAGIC);
	len = build(f, 0);
	w->version = 2;
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_E_VERSION);
	len = build(f, 0);
	w->version = 0;
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_E_VERSION);
	len = build(f, 0);
	w->reserved0 = 1;
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_E_BAD_REQUEST);
	len = build(f, 0);
	w->reserved1 = 0x100;
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_E_BAD_REQUEST);
	len = build(f, 0);
	w->flags = 0x8000;
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_E_BAD_REQUEST);
	len = build(f, 0);
	w->opcode = 0;
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_E_BAD_OPCODE);
	w->opcode = 0x0b;
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_E_BAD_OPCODE);
	w->opcode = 0xffff;
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_E_BAD_OPCODE);
	len = build(f, 10);
	CHECK_EQ(hl_proto_hdr_validate(f, len - 1), HL_E_BAD_LENGTH);
	w->payload_len = 0xffffffffu;
	CHECK_EQ(hl_proto_hdr_validate(f, len), HL_E_TOO_LARGE);
	w->payload_len = HL_PAYLOAD_MAX + 1;
	CHECK_EQ(hl_proto_hdr_validate(f, sizeof(f)), HL_E_TOO_LARGE);
}

static void
test_reply(void)
{
	uint8_t f[HL_FRAME_MAX];
	struct hl_frame_hdr h;
	const uint8_t host[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

	hl_proto_hdr_parse(f, build(f, 0), &h);
	hl_proto_hdr_make_reply(&h, host, HL_E_NO_CAPACITY);
	CHECK(memcmp(h.eth.dst, src, 6) == 0 && memcmp(h.eth.src, host, 6) == 0);
	CHECK(h.hl.flags & HL_F_REPLY);
	CHECK_EQ(h.hl.status, HL_E_NO_CAPACITY);
	memcpy(f, &h, sizeof(h));
	CHECK_EQ(hl_proto_hdr_validate(f, HL_FRAME_HDR_LEN), HL_OK);
}

static void
test_fn_open(void)
{
	struct hl_fn_open p, out;

	memset(&p, 0, sizeof(p));
	strcpy(p.name, "factorial");
	p.placement = HL_PLACE_HW;
	CHECK_EQ(hl_proto_fn_open_parse(&p, sizeof(p), &out), HL_OK);
	CHECK_EQ(hl_proto_fn_open_parse(&p, sizeof(p) - 1, &out), HL_E_BAD_LENGTH);
	p.placement = 3;
	CHECK_EQ(hl_proto_fn_open_parse(&p, sizeof(p), &out), HL_E_BAD_REQUEST);
	p.placement = HL_PLACE_SW;
	p.reserved[6] = 1;
	CHECK_EQ(hl_proto_fn_open_parse(&p, sizeof(p), &out), HL_E_BAD_REQUEST);
	p.reserved[6] = 0;
	memset(p.name, 'a', sizeof(p.name));		/* no NUL */
	CHECK_EQ(hl_proto_fn_open_parse(&p, sizeof(p), &out), HL_E_BAD_REQUEST);
	memset(p.name, 0, sizeof(p.name));		/* empty */
	CHECK_EQ(hl_proto_fn_open_parse(&p, sizeof(p), &out), HL_E_BAD_REQUEST);
	strcpy(p.name, "a/b");
	CHECK_EQ(hl_proto_fn_open_parse(&p, sizeof(p), &out), HL_E_BAD_REQUEST);
	strcpy(p.name, "fib");
	p.name[10] = 'x';				/* junk after NUL */
	CHECK_EQ(hl_proto_fn_open_parse(&p, sizeof(p), &out), HL_E_BAD_REQUEST);
}

static void
test_strerror(void)
{
	int n = 0;
#define HL_X_(name, val, msg) \
	CHECK(strcmp(hl_strerror(HL_##name), msg) == 0); \
	CHECK(strcmp(hl_strerror(-HL_##name), msg) == 0); \
	CHECK(strcmp(hl_status_name(HL_##name), "HL_" #name) == 0); \
	CHECK(hl_proto_status_valid(val)); \
	n++;
	HL_STATUS_LIST(HL_X_)
#undef HL_X_
	CHECK(n >= 25);
	CHECK(strcmp(hl_strerror(9999), "unknown status") == 0);
	CHECK(!hl_proto_status_valid(9999));
	CHECK(hl_proto_status_on_wire(HL_E_NO_CAPACITY));
	CHECK(!hl_proto_status_on_wire(HL_E_TIMEOUT));
	CHECK(strcmp(hl_proto_opcode_name(HL_OP_FN_OPEN), "FN_OPEN") == 0);
}

/* FN_CALL_BULK payload: layout, field checks, range checks. */
static void
test_bulk(void)
{
	struct hl_bulk b = { .region = 1, .in_len = 4096, .in_off = 8192,
			     .out_off = 16384, .out_cap = 4096 }, o;
	uint8_t raw[sizeof(b) + 1];

	memcpy(raw, &b, sizeof(b));
	CHECK(raw[0] == 1 && raw[5] == 0x10 && raw[9] == 0x20 && raw[17] == 0x40);
	CHECK_EQ(hl_proto_bulk_parse(raw, sizeof(b), &o), HL_OK);
	CHECK_EQ(o.in_off, 8192);
	CHECK_EQ(hl_proto_bulk_parse(raw, sizeof(b) - 1, &o), HL_E_BAD_LENGTH);
	CHECK_EQ(hl_proto_bulk_parse(raw, sizeof(b) + 1, &o), HL_E_BAD_LENGTH);
	raw[2] = 1;					/* reserved0 */
	CHECK_EQ(hl_proto_bulk_parse(raw, sizeof(b), &o), HL_E_BAD_REQUEST);
	raw[2] = 0;
	raw[31] = 1;					/* reserved1 */
	CHECK_EQ(hl_proto_bulk_parse(raw, sizeof(b), &o), HL_E_BAD_REQUEST);
	o = b;
	o.in_len = HL_BULK_MAX + 1;
	memcpy(raw, &o, sizeof(o));
	CHECK_EQ(hl_proto_bulk_parse(raw, sizeof(o), &o), HL_E_TOO_LARGE);
	o = b;
	o.out_cap = HL_BULK_MAX + 1;
	memcpy(raw, &o, sizeof(o));
	CHECK_EQ(hl_proto_bulk_parse(raw, sizeof(o), &o), HL_E_TOO_LARGE);

	/* Ranges against a region of 20480 bytes. */
	CHECK_EQ(hl_proto_bulk_ranges(&b, 20480), HL_OK);
	CHECK_EQ(hl_proto_bulk_ranges(&b, 20479), HL_E_BAD_REQUEST);
	o = b;
	o.in_off = UINT64_MAX - 100;			/* wraps */
	CHECK_EQ(hl_proto_bulk_ranges(&o, UINT64_MAX), HL_E_BAD_REQUEST);
	o = b;
	o.out_off = UINT64_MAX - 10;
	o.out_cap = 100;
	CHECK_EQ(hl_proto_bulk_ranges(&o, 1u << 20), HL_E_BAD_REQUEST);
	o = b;
	o.out_off = o.in_off + o.in_len - 1;		/* overlaps by one */
	CHECK_EQ(hl_proto_bulk_ranges(&o, 1u << 20), HL_E_BAD_REQUEST);
	o.out_off = o.in_off + o.in_len;		/* adjacent: fine */
	CHECK_EQ(hl_proto_bulk_ranges(&o, 1u << 20), HL_OK);
	o.out_off = o.in_off - o.out_cap + 1;		/* overlaps from below */
	CHECK_EQ(hl_proto_bulk_ranges(&o, 1u << 20), HL_E_BAD_REQUEST);
	o = b;
	o.out_cap = 0;
	o.out_off = o.in_off;				/* empty: no overlap */
	CHECK_EQ(hl_proto_bulk_ranges(&o, 1u << 20), HL_OK);
	o = b;
	o.in_len = 0;
	o.in_off = 20480;				/* empty at the end */
	CHECK_EQ(hl_proto_bulk_ranges(&o, 20480), HL_OK);
	CHECK(hl_proto_opcode_valid(HL_OP_FN_CALL_BULK));
	CHECK(strcmp(hl_proto_opcode_name(HL_OP_FN_CALL_BULK), "FN_CALL_BULK") == 0);
}

/* A report of n interfaces "if0".."ifN" in raw wire bytes; its length. */
static uint32_t
report_raw(uint8_t *raw, unsigned int n)
{
	struct hl_stats_report r;

	memset(&r, 0, sizeof(r));
	r.count = (uint16_t)n;
	for (unsigned int i = 0; i < n && i < HL_REPORT_IFS_MAX; i++) {
		snprintf(r.ifs[i].name, sizeof(r.ifs[i].name), "if%u", i);
		r.ifs[i].rx_packets = 1000 + i;
		r.ifs[i].tx_packets = 2000 + i;
		r.ifs[i].rx_bytes = 1ull << 40;
		r.ifs[i].tx_bytes = UINT64_MAX;
	}
	memcpy(raw, &r, sizeof(r));
	return HL_STATS_REPORT_LEN(n);
}

/* STATS_REPORT payload: layout (docs/protocol.md) and a good one. */
static void
test_report_good(void)
{
	uint8_t raw[sizeof(struct hl_stats_report) + 64];
	struct hl_stats_report o;
	uint32_t len = report_raw(raw, 2);

	CHECK_EQ(len, 104);
	CHECK_EQ(HL_STATS_REPORT_LEN(HL_REPORT_IFS_MAX), 392);
	CHECK(raw[0] == 2 && raw[1] == 0);			/* count */
	CHECK(memcmp(raw + 8, "if0\0", 4) == 0);		/* ifs[0].name */
	CHECK(raw[24] == 0xe8 && raw[25] == 0x03);		/* rx_packets 1000 */
	CHECK(raw[32] == 0xd0 && raw[33] == 0x07);		/* tx_packets 2000 */
	CHECK(raw[40 + 5] == 1);				/* rx_bytes 2^40 */
	CHECK(raw[48] == 0xff && raw[55] == 0xff);		/* tx_bytes */
	CHECK(memcmp(raw + 56, "if1\0", 4) == 0);		/* ifs[1] */
	memset(&o, 0x5a, sizeof(o));
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_OK);
	CHECK_EQ(o.count, 2);
	CHECK_EQ(o.ifs[1].tx_packets, 2001);
	CHECK_EQ(o.ifs[2].name[0], 0);			/* past count: zeroed */
	CHECK_EQ(o.ifs[7].tx_bytes, 0);
	len = report_raw(raw, HL_REPORT_IFS_MAX);
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_OK);
	len = report_raw(raw, 1);
	strcpy((char *)raw + 8, "abcdefghijklmno");		/* 15 chars: fits */
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_OK);
	CHECK(hl_proto_opcode_valid(HL_OP_STATS_REPORT));
	CHECK_EQ(HL_OP_STATS_REPORT, 0x80);
	CHECK(strcmp(hl_proto_opcode_name(0x80), "STATS_REPORT") == 0);
}

/* Short, long and lying sizes; counts out of range; reserved fields. */
static void
test_report_sizes(void)
{
	uint8_t raw[sizeof(struct hl_stats_report) + 64] = { 0 };
	struct hl_stats_report o;
	uint32_t len = report_raw(raw, 2);

	CHECK_EQ(hl_proto_stats_report_parse(raw, 0, &o), HL_E_BAD_LENGTH);
	CHECK_EQ(hl_proto_stats_report_parse(raw, 7, &o), HL_E_BAD_LENGTH);
	CHECK_EQ(hl_proto_stats_report_parse(raw, 8, &o), HL_E_BAD_LENGTH);
	CHECK_EQ(hl_proto_stats_report_parse(raw, len - 1, &o), HL_E_BAD_LENGTH);
	CHECK_EQ(hl_proto_stats_report_parse(raw, len + 1, &o), HL_E_BAD_LENGTH);
	CHECK_EQ(hl_proto_stats_report_parse(raw, len + 48, &o), HL_E_BAD_LENGTH);
	CHECK_EQ(hl_proto_stats_report_parse(raw, sizeof(o) + 1, &o), HL_E_BAD_LENGTH);
	CHECK_EQ(hl_proto_stats_report_parse(raw, 1984, &o), HL_E_BAD_LENGTH);
	raw[0] = 0;						/* count 0 */
	CHECK_EQ(hl_proto_stats_report_parse(raw, 8, &o), HL_E_BAD_REQUEST);
	raw[0] = HL_REPORT_IFS_MAX + 1;				/* one too many */
	CHECK_EQ(hl_proto_stats_report_parse(raw, sizeof(o), &o), HL_E_BAD_REQUEST);
	raw[0] = 0xff;
	raw[1] = 0xff;						/* 65535 */
	CHECK_EQ(hl_proto_stats_report_parse(raw, sizeof(o), &o), HL_E_BAD_REQUEST);
	len = report_raw(raw, 2);
	raw[0] = 3;						/* count says 3, 2 sent */
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_E_BAD_LENGTH);
	raw[0] = 1;						/* count says 1, 2 sent */
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_E_BAD_LENGTH);
	raw[0] = 2;
	raw[2] = 1;						/* reserved0 */
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_E_BAD_REQUEST);
	raw[2] = 0;
	raw[7] = 0x80;						/* reserved1 */
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_E_BAD_REQUEST);
	raw[7] = 0;
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_OK);
}

/* Names: NUL-terminated, NUL-padded, no two alike, Linux's rules. */
static void
test_report_names(void)
{
	static const char *const bad[] = { "", ".", "..", "a/b", "a:1", "a b",
					   "tab\t", "\x7f", "\xc3\xa9" };
	uint8_t raw[sizeof(struct hl_stats_report)];
	struct hl_stats_report o;
	uint32_t len = report_raw(raw, 2);
	char *name0 = (char *)raw + 8, *name1 = (char *)raw + 56;

	memset(name0, 'a', HL_IFNAME_LEN);			/* no NUL at all */
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_E_BAD_REQUEST);
	memset(name0, 0, HL_IFNAME_LEN);
	strcpy(name0, "eth0");
	name0[9] = 'x';						/* junk after the NUL */
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_E_BAD_REQUEST);
	name0[9] = 0;
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_OK);
	strcpy(name1, "eth0");					/* twice */
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_E_BAD_REQUEST);
	strcpy(name1, "eth1");
	CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char n[HL_IFNAME_LEN] = { 0 };

		strcpy(n, bad[i]);
		CHECK_EQ(hl_proto_ifname_validate(n), HL_E_BAD_REQUEST);
		memcpy(name1, n, HL_IFNAME_LEN);
		CHECK_EQ(hl_proto_stats_report_parse(raw, len, &o), HL_E_BAD_REQUEST);
	}
	CHECK_EQ(hl_proto_ifname_validate("enp0s3.100@x-_~"), HL_OK);
}

int
main(void)
{
	test_layout();
	test_accept();
	test_reject();
	test_reply();
	test_fn_open();
	test_bulk();
	test_report_good();
	test_report_sizes();
	test_report_names();
	test_strerror();
	return gl_report("guestlib-proto");
}
