/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit: the bulk pool (guestlib/bulk.c): slots, limits, layout, reset. */
#include <stdlib.h>
#include <string.h>

#include "gl_check.h"
#include "hl_bulk.h"

#define SLOT 8192u
#define AREA_OFF 65536u

static uint8_t area[4 * SLOT + 100];

static struct hl_bulk_area
make_area(void)
{
	return (struct hl_bulk_area){ .base = area, .off = AREA_OFF,
				      .len = sizeof(area), .region = 0 };
}

static void
test_slots(void)
{
	struct hl_bulk_pool p = { 0 };
	struct hl_bulk_area a = make_area();
	struct hl_bulk d;
	uint8_t in[100];
	uint32_t s[5];

	memset(in, 0x5a, sizeof(in));
	CHECK_EQ(hl_bulk_reset(&p, &a, SLOT, HL_BULK_MAX), HL_OK);
	CHECK_EQ(p.n, 4);				/* the tail is unused */
	CHECK(!hl_bulk_wanted(&p, HL_PAYLOAD_MAX, HL_PAYLOAD_MAX));
	CHECK(hl_bulk_wanted(&p, HL_PAYLOAD_MAX + 1, 0));
	CHECK(hl_bulk_wanted(&p, 0, HL_PAYLOAD_MAX + 1));
	for (int i = 0; i < 4; i++)
		CHECK_EQ(hl_bulk_get(&p, in, sizeof(in), 1u << 20, &d, &s[i]), HL_OK);
	CHECK_EQ(hl_bulk_get(&p, in, sizeof(in), 16, &d, &s[4]), HL_E_NO_SLOTS);
	/* A slot given back is taken again; input at its start, output
	 * room from the next 64-byte boundary to the slot's end. */
	hl_bulk_put(&p, s[2]);
	CHECK_EQ(hl_bulk_get(&p, in, sizeof(in), 1u << 20, &d, &s[4]), HL_OK);
	CHECK_EQ(s[4], s[2]);
	CHECK_EQ(d.region, 0);
	CHECK_EQ(d.in_len, sizeof(in));
	CHECK_EQ(d.in_off, AREA_OFF + (uint64_t)s[4] * SLOT);
	CHECK_EQ(d.out_off, d.in_off + 128);
	CHECK_EQ(d.out_cap, SLOT - 128);		/* cut to the slot */
	CHECK(memcmp(area + (uint64_t)s[4] * SLOT, in, sizeof(in)) == 0);
	CHECK(hl_bulk_out(&p, s[4], sizeof(in)) == area + (uint64_t)s[4] * SLOT + 128);
	hl_bulk_put(&p, 99);				/* not a slot: ignored */
	CHECK_EQ(p.nfree, 0);
	hl_bulk_fini(&p);
}

static void
test_limits(void)
{
	struct hl_bulk_pool p = { 0 };
	struct hl_bulk_area a = make_area(), none = { 0 };
	struct hl_bulk d;
	static uint8_t in[SLOT + 1];
	uint32_t s;

	CHECK_EQ(hl_bulk_reset(&p, &a, SLOT, 4096), HL_OK);
	CHECK_EQ(hl_bulk_get(&p, in, 4097, 0, &d, &s), HL_E_TOO_LARGE);  /* host */
	CHECK_EQ(hl_bulk_get(&p, in, 4096, 8192, &d, &s), HL_OK);
	CHECK_EQ(d.out_cap, 4096);			/* host limit */
	CHECK_EQ(hl_bulk_reset(&p, &a, SLOT, HL_BULK_MAX), HL_OK);
	CHECK_EQ(p.nfree, 4);				/* reset frees all */
	CHECK_EQ(hl_bulk_get(&p, in, SLOT + 1, 0, &d, &s), HL_E_TOO_LARGE); /* slot */
	CHECK_EQ(hl_bulk_get(&p, in, SLOT, 0, &d, &s), HL_OK);
	CHECK_EQ(d.out_cap, 0);
	/* No area, or a host without bulk calls: nothing goes as bulk. */
	CHECK_EQ(hl_bulk_reset(&p, &none, SLOT, HL_BULK_MAX), HL_OK);
	CHECK(!hl_bulk_wanted(&p, 1u << 20, 0));
	CHECK_EQ(hl_bulk_reset(&p, &a, SLOT, 0), HL_OK);
	CHECK(!hl_bulk_wanted(&p, 1u << 20, 0));
	hl_bulk_fini(&p);
}

int
main(void)
{
	test_slots();
	test_limits();
	return gl_report("guestlib-bulk");
}
