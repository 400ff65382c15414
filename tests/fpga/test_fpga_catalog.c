/* SPDX-License-Identifier: BSD-3-Clause */
/* Function catalog, backend registry, capabilities and placement. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "accel.h"
#include "backend.h"
#include "fpga_check.h"

static void
test_catalog(void)
{
	unsigned int id;

	CHECK_U64(fpga_fn_lookup("echo"), FPGA_FN_ECHO);
	CHECK_U64(fpga_fn_lookup("factorial"), FPGA_FN_FACTORIAL);
	CHECK_U64(fpga_fn_lookup("fibonacci"), FPGA_FN_FIBONACCI);
	CHECK_U64(fpga_fn_lookup("crc32c"), FPGA_FN_CRC32C);
	CHECK_U64(fpga_fn_lookup("nosuch"), FPGA_FN_NONE);
	CHECK_U64(fpga_fn_lookup(""), FPGA_FN_NONE);
	CHECK_U64(fpga_fn_lookup(NULL), FPGA_FN_NONE);
	CHECK(fpga_fn_info(FPGA_FN_NONE) == NULL);
	CHECK(fpga_fn_info(FPGA_FN_COUNT + 1) == NULL);
	CHECK(strcmp(fpga_fn_name(FPGA_FN_FACTORIAL), "factorial") == 0);
	CHECK(strcmp(fpga_fn_name(999), "unknown") == 0);
	for (id = 1; id <= FPGA_FN_COUNT; id++) {
		const struct fpga_fn_info *fi = fpga_fn_info(id);

		CHECK(fi != NULL && fi->id == id && fi->desc != NULL);
		CHECK(fi != NULL && fpga_fn_lookup(fi->name) == id);
	}
	CHECK_U64(fpga_fn_info(FPGA_FN_FIBONACCI)->arg0_max, 93);
	CHECK(fpga_fn_info(FPGA_FN_FACTORIAL)->reps);
	CHECK(!fpga_fn_info(FPGA_FN_CRC32C)->reps);
}

static void
test_registry(void)
{
	const struct fpga_backend_ops *sw = fpga_backend_find("sw");

	CHECK(sw != NULL && sw == &fpga_sw_ops);
	CHECK(sw != NULL && strcmp(fpga_backend_name(sw), "sw") == 0);
	CHECK(fpga_backend_get(0) == sw);
	errno = 0;
	CHECK(fpga_backend_find("nosuch") == NULL && errno == ENOENT);
	CHECK(fpga_backend_find(NULL) == NULL);
	CHECK_I64(fpga_backend_register(NULL), -EINVAL);
	CHECK_I64(fpga_backend_register(&fpga_sw_ops), -EEXIST);
}

/* A stand-in hardware backend offering crc32c only; never initialised. */
static struct fpga_ctx *
fake_hw_init(const struct fpga_ctx_conf *conf)
{
	(void)conf;
	errno = ENODEV;
	return NULL;
}

static void
fake_hw_exit(struct fpga_ctx *ctx)
{
	(void)ctx;
}

static unsigned int
fake_hw_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs,
	       unsigned int n)
{
	(void)ctx;
	(void)jobs;
	(void)n;
	return 0;
}

static unsigned int
fake_hw_poll(struct fpga_ctx *ctx, struct fpga_completion *done,
	     unsigned int max)
{
	(void)ctx;
	(void)done;
	(void)max;
	return 0;
}

static int
fake_hw_caps(enum fpga_fn_id fn, struct fpga_fn_caps *caps)
{
	if (fn != FPGA_FN_CRC32C)
		return -ENOTSUP;
	caps->place = FPGA_PLACE_HW;
	caps->max_in_len = 4096;
	return 0;
}

static const struct fpga_backend_ops fake_hw_ops = {
	.name = "fakehw",
	.init = fake_hw_init,
	.exit = fake_hw_exit,
	.submit = fake_hw_submit,
	.poll = fake_hw_poll,
	.caps = fake_hw_caps,
};

static const struct fpga_backend_ops incomplete_ops = {
	.name = "incomplete",
};

static void
test_caps_and_place(void)
{
	const struct fpga_backend_ops *sw = fpga_backend_find("sw");
	struct fpga_ctx_conf conf = { .depth = 8, .socket_id = -1 };
	struct fpga_fn_caps caps;
	enum fpga_place place;
	unsigned int id;

	/* sw runs the AFU's functions; crypto and compression need a DPDK
	 * device backend. */
	for (id = 1; id <= FPGA_FN_COUNT; id++) {
		bool offered = id <= FPGA_FN_CRC32C;

		CHECK_I64(fpga_fn_caps(sw, id, &caps), offered ? 0 : -ENOTSUP);
		CHECK_U64(caps.place, offered ? FPGA_PLACE_SW : FPGA_PLACE_NONE);
	}
	CHECK(fpga_backend_place(FPGA_FN_SHA256, true, &place) == NULL);
	CHECK_U64(place, FPGA_PLACE_NONE);
	CHECK_I64(fpga_fn_caps(sw, 0, &caps), -ENOTSUP);
	CHECK_U64(caps.place, FPGA_PLACE_NONE);
	CHECK_I64(fpga_fn_caps(sw, 77, &caps), -ENOTSUP);
	CHECK_I64(fpga_fn_caps(NULL, 1, &caps), -EINVAL);

	CHECK_I64(fpga_backend_register(&incomplete_ops), -EINVAL);
	CHECK_I64(fpga_backend_register(&fake_hw_ops), 0);
	CHECK(fpga_backend_find("fakehw") == &fake_hw_ops);
	CHECK(fpga_backend_get(1) == &fake_hw_ops);
	CHECK(fpga_backend_get(2) == NULL);

	CHECK(fpga_backend_place(FPGA_FN_CRC32C, true, &place) == &fake_hw_ops);
	CHECK_U64(place, FPGA_PLACE_HW);
	CHECK(fpga_backend_place(FPGA_FN_CRC32C, false, &place) == sw);
	CHECK_U64(place, FPGA_PLACE_SW);
	CHECK(fpga_backend_place(FPGA_FN_FACTORIAL, true, &place) == sw);
	CHECK_U64(place, FPGA_PLACE_SW);
	errno = 0;
	CHECK(fpga_backend_place(99, true, &place) == NULL && errno == ENOTSUP);
	CHECK_U64(place, FPGA_PLACE_NONE);

	errno = 0;
	CHECK(fpga_init(&fake_hw_ops, &conf) == NULL && errno == ENODEV);
}

int
main(void)
{
	test_catalog();
	test_registry();
	test_caps_and_place();
	return check_exit("test_fpga_catalog");
}
