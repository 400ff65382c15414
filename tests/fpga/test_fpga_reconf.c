/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "afu" backend's reconfiguration on "sim": the gate holds jobs while
 * the unit drains, a new image (crc, math) changes caps and CAP_LIST, held
 * jobs of functions it lacks complete -ENOTSUP, the others run right on the
 * new image, and the ring keeps working across several loads.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "accel.h"
#include "afu.h"
#include "fpga_check.h"
#include "ll.h"
#include "sw_kernels.h"

#define SKIP 77
#define DEPTH 64
#define SPIN 1000000

static const uint8_t msg[] = "123456789";

static struct fpga_job
job_of(enum fpga_fn_id fn, uint64_t tag)
{
	struct fpga_job j = { .tag = tag, .fn = fn, .arg0 = 20, .arg1 = 1 };

	if (fn == FPGA_FN_CRC32C) {
		j.in = msg;
		j.in_len = 9;
		j.arg0 = 0;
		j.arg1 = 0;
	}
	return j;
}

/* Poll until n completions came (or give up): st[tag], res[tag]. */
static unsigned int
collect(struct fpga_ctx *ctx, unsigned int n, int *st, uint64_t *res)
{
	struct fpga_completion c[16];
	unsigned int got = 0;

	for (unsigned int spin = 0; got < n && spin < SPIN; spin++) {
		unsigned int k = fpga_poll(ctx, c, 16);

		for (unsigned int i = 0; i < k; i++) {
			st[c[i].tag] = c[i].status;
			res[c[i].tag] = c[i].result;
		}
		got += k;
	}
	return got;
}

static bool
hw_offers(enum fpga_fn_id fn)
{
	enum fpga_place p = FPGA_PLACE_NONE;
	const struct fpga_backend_ops *be = fpga_backend_place(fn, true, &p);

	return be != NULL && p == FPGA_PLACE_HW;
}

static void
test_errors(void)
{
	CHECK_I64(fpga_afu_reconf_load("crc"), -EINVAL);	/* not begun */
	CHECK(!fpga_afu_reconf_drained());
	CHECK_I64(fpga_afu_reconf_begin(), 0);
	CHECK_I64(fpga_afu_reconf_begin(), -EBUSY);
	CHECK(fpga_afu_reconf_drained());			/* no context */
	CHECK(!hw_offers(FPGA_FN_CRC32C));			/* paused */
	CHECK_I64(fpga_afu_reconf_load("nosuch"), -ENOENT);
	fpga_afu_reconf_end();
	CHECK(hw_offers(FPGA_FN_CRC32C));
}

/* Jobs on the unit (image with old_mask), then held ones; load image;
 * all complete as they must. */
static void
test_load(struct fpga_ctx *ctx, const char *image, uint32_t old_mask,
	  uint32_t want_mask)
{
	struct fpga_afu_info info;
	struct fpga_job jobs[12];
	int st[12];
	uint64_t res[12];
	struct fpga_completion done[16];
	unsigned int spin, got;

	for (unsigned int i = 0; i < 12; i++)
		jobs[i] = job_of(i % 2 ? FPGA_FN_CRC32C : FPGA_FN_FACTORIAL, i);
	CHECK_U64(fpga_submit(ctx, jobs, 6), 6);		/* on the unit */
	CHECK_I64(fpga_afu_reconf_begin(), 0);
	CHECK_U64(fpga_submit(ctx, jobs + 6, 6), 6);		/* held */
	memset(st, 0x7f, sizeof(st));
	for (spin = 0, got = 0; !fpga_afu_reconf_drained() && spin < SPIN; spin++)
		got += collect(ctx, 1, st, res);
	CHECK_U64(got, 6);					/* first six */
	CHECK(fpga_afu_reconf_drained());
	CHECK_U64(fpga_poll(ctx, done, 16), 0);			/* held stay */
	CHECK_I64(fpga_afu_reconf_load(image), 0);
	fpga_afu_reconf_end();
	CHECK_U64(collect(ctx, 6, st, res), 6);			/* held six */
	for (unsigned int i = 0; i < 12; i++) {
		bool crc = i % 2 != 0;
		uint32_t mask = i < 6 ? old_mask : want_mask;
		bool offered = mask & (1u << (crc ? FPGA_FN_CRC32C :
					      FPGA_FN_FACTORIAL));

		CHECK_I64(st[i], offered ? 0 : -ENOTSUP);
		if (offered)
			CHECK_U64(res[i], crc ? 0xE3069283u : fpga_sw_factorial(20, 1));
	}
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(strcmp(info.image, image) == 0);
	CHECK_U64(info.fn_mask, want_mask);
	CHECK(!info.reconf && info.in_service);
	CHECK(hw_offers(FPGA_FN_CRC32C) == !!(want_mask & (1u << FPGA_FN_CRC32C)));
	CHECK(hw_offers(FPGA_FN_FACTORIAL) ==
	      !!(want_mask & (1u << FPGA_FN_FACTORIAL)));
}

int
main(void)
{
	const uint32_t full = 1u << FPGA_FN_FACTORIAL | 1u << FPGA_FN_FIBONACCI |
			      1u << FPGA_FN_CRC32C;
	const uint32_t crc = 1u << FPGA_FN_CRC32C;
	const uint32_t math = 1u << FPGA_FN_FACTORIAL | 1u << FPGA_FN_FIBONACCI;
	struct fpga_ctx_conf conf = { .depth = DEPTH, .socket_id = -1 };
	struct fpga_ctx *ctx;

	if (!fpga_ll_have_sim()) {
		printf("SKIP: fpga sim not built (no verilator)\n");
		return SKIP;
	}
	CHECK_I64(fpga_afu_reconf_begin(), -ENODEV);
	CHECK_I64(fpga_afu_register("sim:image=nosuch"), -EINVAL);
	CHECK_I64(fpga_afu_register("sim"), 0);
	CHECK(fpga_afu_image_name(0) != NULL && strcmp(fpga_afu_image_name(0), "full") == 0);
	test_errors();
	ctx = fpga_init(fpga_backend_find(FPGA_AFU_BACKEND_NAME), &conf);
	CHECK(ctx != NULL);
	if (ctx != NULL) {
		test_load(ctx, "crc", full, crc);
		test_load(ctx, "math", crc, math);
		test_load(ctx, "full", math, full);
		test_load(ctx, "full", full, full);
		fpga_exit(ctx);
	}
	fpga_afu_unregister();
	return check_exit("fpga_reconf");
}
