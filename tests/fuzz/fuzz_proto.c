/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the request decoder of guestlib/include/hostlane/proto.h
 * — hl_proto_hdr_parse() on the whole input as a frame, then
 * hl_proto_fn_open_parse(), hl_proto_bulk_parse() or
 * hl_proto_stats_report_parse() on its payload (and all three on the input
 * itself); a parsed bulk call goes through
 * hl_proto_bulk_ranges() against region sizes at and around its own ends,
 * and one taken from the bytes after it.
 *
 * The input is copied to a buffer of exactly its size, so ASan sees any read
 * past the frame. Checked beyond the sanitizers: what the parser accepts
 * obeys every rule docs/security.md lists for it, and the verdict does not
 * depend on bytes the parser was told are not there.
 */
#include <hostlane/proto.h>

#include "fuzz_common.h"

static int
name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static void
check_fn_open(const uint8_t *p, uint32_t len)
{
	struct hl_fn_open o;
	enum hl_status st = hl_proto_fn_open_parse(p, len, &o);
	size_t n;

	FUZZ_CHECK(st == HL_OK || st == HL_E_BAD_LENGTH || st == HL_E_BAD_REQUEST,
		   "fn_open status %d", st);
	FUZZ_CHECK((st == HL_E_BAD_LENGTH) == (len != sizeof(o)),
		   "fn_open length %u gave %d", len, st);
	if (st != HL_OK)
		return;
	n = strnlen(o.name, sizeof(o.name));
	FUZZ_CHECK(n >= 1 && n < sizeof(o.name), "name of %zu chars", n);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(name_char_ok(o.name[i]), "name char 0x%02x",
			   (unsigned int)(uint8_t)o.name[i]);
	for (size_t i = n; i < sizeof(o.name); i++)
		FUZZ_CHECK(o.name[i] == '\0', "name not NUL-padded");
	FUZZ_CHECK(o.placement <= HL_PLACE_SW, "placement %u", o.placement);
	for (size_t i = 0; i < sizeof(o.reserved); i++)
		FUZZ_CHECK(o.reserved[i] == 0, "reserved byte set");
}

/* The bulk rules, in exact arithmetic: the reference for the parser. */
static int
fits(uint64_t off, uint64_t len, uint64_t size)
{
	return (unsigned __int128)off + len <= size;
}

static enum hl_status
bulk_ranges_ref(const struct hl_bulk *b, uint64_t size)
{
	unsigned __int128 in_end = (unsigned __int128)b->in_off + b->in_len;
	unsigned __int128 out_end = (unsigned __int128)b->out_off + b->out_cap;

	if (!fits(b->in_off, b->in_len, size) || !fits(b->out_off, b->out_cap, size))
		return HL_E_BAD_REQUEST;
	if (b->in_len != 0 && b->out_cap != 0 && b->in_off < out_end &&
	    b->out_off < in_end)
		return HL_E_BAD_REQUEST;
	return HL_OK;
}

static void
check_ranges(const struct hl_bulk *b, uint64_t size)
{
	enum hl_status st = hl_proto_bulk_ranges(b, size);

	FUZZ_CHECK(st == bulk_ranges_ref(b, size), "ranges in %#llx+%u out %#llx+%u "
		   "region %#llx: %d", (unsigned long long)b->in_off, b->in_len,
		   (unsigned long long)b->out_off, b->out_cap,
		   (unsigned long long)size, st);
	FUZZ_CHECK(hl_proto_range_in(b->in_off, b->in_len, size) ==
		   fits(b->in_off, b->in_len, size), "range_in disagrees");
}

/* Region sizes where a verdict flips: each range's end, one byte less,
 * the extremes, and what follows the payload in the frame. */
static void
check_bulk_sizes(const struct hl_bulk *b, const uint8_t *rest, uint32_t rest_len)
{
	uint64_t in_end = b->in_off + b->in_len, out_end = b->out_off + b->out_cap;
	uint64_t sizes[] = { 0, 1, UINT64_MAX, in_end, in_end - 1, out_end,
			     out_end - 1, in_end > out_end ? in_end : out_end, 0 };

	if (rest_len >= sizeof(uint64_t))
		memcpy(&sizes[sizeof(sizes) / sizeof(sizes[0]) - 1], rest, sizeof(uint64_t));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_ranges(b, sizes[i]);
}

static void
check_bulk(const uint8_t *p, uint32_t len, uint32_t avail)
{
	struct hl_bulk b;
	enum hl_status st = hl_proto_bulk_parse(p, len, &b), want;

	FUZZ_CHECK((st == HL_E_BAD_LENGTH) == (len != sizeof(b)),
		   "bulk length %u gave %d", len, st);
	if (st == HL_E_BAD_LENGTH)
		return;
	FUZZ_CHECK(memcmp(&b, p, sizeof(b)) == 0, "bulk payload not copied");
	if (b.reserved0 != 0 || b.reserved1 != 0)
		want = HL_E_BAD_REQUEST;
	else if (b.in_len > HL_BULK_MAX || b.out_cap > HL_BULK_MAX)
		want = HL_E_TOO_LARGE;
	else
		want = HL_OK;
	FUZZ_CHECK(st == want, "bulk parse %d, wanted %d", st, want);
	check_bulk_sizes(&b, p + sizeof(b), avail - sizeof(b));
}

/* An interface name by the rules of docs/protocol.md, written out again. */
static int
ifname_ok(const char *n)
{
	size_t k = strnlen(n, HL_IFNAME_LEN);

	if (k == 0 || k == HL_IFNAME_LEN || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (n[i] <= ' ' || n[i] > '~' || n[i] == '/' || n[i] == ':')
			return 0;
	for (size_t i = k; i < HL_IFNAME_LEN; i++)
		if (n[i] != '\0')
			return 0;
	return 1;
}

static enum hl_status
report_ref(const uint8_t *p, uint32_t len)
{
	struct hl_stats_report r;

	if (len < 8 || len > sizeof(r))
		return HL_E_BAD_LENGTH;
	memset(&r, 0, sizeof(r));
	memcpy(&r, p, len);
	if (r.count == 0 || r.count > HL_REPORT_IFS_MAX || r.reserved0 || r.reserved1)
		return HL_E_BAD_REQUEST;
	if (len != 8u + 48u * r.count)
		return HL_E_BAD_LENGTH;
	for (unsigned int i = 0; i < r.count; i++) {
		if (!ifname_ok(r.ifs[i].name))
			return HL_E_BAD_REQUEST;
		for (unsigned int k = 0; k < i; k++)
			if (strncmp(r.ifs[i].name, r.ifs[k].name, HL_IFNAME_LEN) == 0)
				return HL_E_BAD_REQUEST;
	}
	return HL_OK;
}

static void
check_report(const uint8_t *p, uint32_t len)
{
	struct hl_stats_report r;
	enum hl_status st = hl_proto_stats_report_parse(p, len, &r);

	FUZZ_CHECK(st == report_ref(p, len), "report of %u bytes: %d, wanted %d",
		   len, st, report_ref(p, len));
	if (st != HL_OK)
		return;
	FUZZ_CHECK(memcmp(&r, p, len) == 0, "report not copied");
	for (size_t i = len; i < sizeof(r); i++)
		FUZZ_CHECK(((const uint8_t *)&r)[i] == 0, "entry past count not zeroed");
}

static void
check_hdr(const uint8_t *frame, uint32_t len)
{
	struct hl_frame_hdr h;
	enum hl_status st = hl_proto_hdr_parse(frame, len, &h);

	FUZZ_CHECK(st == hl_proto_hdr_validate(frame, len), "validate disagrees");
	FUZZ_CHECK((st == HL_E_TRUNCATED) == (len < HL_FRAME_HDR_LEN),
		   "len %u gave %d", len, st);
	FUZZ_CHECK(hl_proto_status_on_wire(st), "status %d is not a wire status", st);
	if (st != HL_OK)
		return;
	FUZZ_CHECK(h.eth.ethertype == __builtin_bswap16(HL_ETHERTYPE) &&
		   h.hl.magic == HL_MAGIC && h.hl.version == HL_PROTO_VERSION,
		   "accepted a foreign frame");
	FUZZ_CHECK(h.hl.reserved0 == 0 && h.hl.reserved1 == 0 &&
		   (h.hl.flags & ~HL_F_KNOWN) == 0, "accepted reserved bits");
	FUZZ_CHECK(hl_proto_opcode_valid(h.hl.opcode) &&
		   strcmp(hl_proto_opcode_name(h.hl.opcode), "?") != 0,
		   "accepted opcode %u", h.hl.opcode);
	FUZZ_CHECK(h.hl.payload_len <= HL_PAYLOAD_MAX &&
		   (uint64_t)HL_FRAME_HDR_LEN + h.hl.payload_len <= len,
		   "payload %u in a frame of %u", h.hl.payload_len, len);
	FUZZ_CHECK(memcmp(&h, frame, sizeof(h)) == 0, "header not copied");
	if (h.hl.opcode == HL_OP_FN_OPEN)
		check_fn_open(frame + HL_FRAME_HDR_LEN, h.hl.payload_len);
	if (h.hl.opcode == HL_OP_FN_CALL_BULK)
		check_bulk(frame + HL_FRAME_HDR_LEN, h.hl.payload_len,
			   len - HL_FRAME_HDR_LEN);
	if (h.hl.opcode == HL_OP_STATS_REPORT)
		check_report(frame + HL_FRAME_HDR_LEN, h.hl.payload_len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *frame;
	uint32_t len = size > HL_FRAME_MAX * 2 ? HL_FRAME_MAX * 2 : (uint32_t)size;

	/* An exact-size copy: a read one byte past the frame is an ASan report. */
	frame = malloc(len ? len : 1);
	if (frame == NULL)
		return 0;
	memcpy(frame, data, len);
	check_hdr(frame, len);
	check_fn_open(frame, len);
	check_bulk(frame, len, len);
	check_report(frame, len);
	/* The same frame cut short must never be accepted past its end. */
	if (len > 0)
		check_hdr(frame, len - 1);
	free(frame);
	return 0;
}
