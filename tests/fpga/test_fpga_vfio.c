/* SPDX-License-Identifier: BSD-3-Clause */
/* The "vfio" device layer without a card: argument checks, and a clean
 * refusal when the device is missing or the EAL is not up. */
#include <errno.h>

#include "afu.h"
#include "fpga_check.h"
#include "ll.h"
#include "ll_vfio.h"

static void
test_parse(void)
{
	struct rte_pci_addr a;

	CHECK_I64(fpga_ll_vfio_parse("0000:03:00.0", &a), 0);
	CHECK(a.domain == 0 && a.bus == 3 && a.devid == 0 && a.function == 0);
	CHECK_I64(fpga_ll_vfio_parse("0001:af:1f.7", &a), 0);
	CHECK(a.domain == 1 && a.bus == 0xaf && a.devid == 0x1f &&
	      a.function == 7);
	CHECK_I64(fpga_ll_vfio_parse("03:00.1", &a), 0);
	CHECK(a.bus == 3 && a.function == 1);
	CHECK_I64(fpga_ll_vfio_parse("", &a), -EINVAL);
	CHECK_I64(fpga_ll_vfio_parse("zz:00.0", &a), -EINVAL);
	CHECK_I64(fpga_ll_vfio_parse("0000:03:00", &a), -EINVAL);
	CHECK_I64(fpga_ll_vfio_parse("0000:03:00.0,opt=1", &a), -EINVAL);
	CHECK_I64(fpga_ll_vfio_parse("0000:03:00.0:junk-that-is-too-long",
				     &a), -EINVAL);
	CHECK_I64(fpga_ll_vfio_parse(NULL, &a), -EINVAL);
}

static void
test_open_refused(void)
{
	struct fpga_ll *ll = NULL;
	struct fpga_afu_info info;

	CHECK_I64(fpga_ll_open("vfio:0000:03:00.0", &ll), -ENODEV);
	CHECK(ll == NULL);
	CHECK_I64(fpga_ll_open("vfio:", &ll), -EINVAL);
	CHECK_I64(fpga_afu_register("vfio:0000:03:00.0"), -ENODEV);
	CHECK_I64(fpga_afu_register("vfio:nonsense"), -EINVAL);
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(!info.present);
}

int
main(void)
{
	test_parse();
	test_open_refused();
	return check_exit("fpga_vfio");
}
