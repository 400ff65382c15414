/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A backend for tests only: "hang", offering the catalog function
 * "test-hang", whose job holds the lcore that submits it for arg0 ms
 * (0: for ever) inside submit - what a library call that never returns
 * looks like to the dataplane. hostlane registers it only with
 * `[hostlane] test_hang = yes`, for the tests of its watchdog and of a
 * bounded shutdown (tests/func/test_watchdog.sh). Never in production.
 */
#ifndef HOSTLANE_FPGA_HANG_H
#define HOSTLANE_FPGA_HANG_H

#ifdef __cplusplus
extern "C" {
#endif

#define FPGA_HANG_BACKEND_NAME "hang"

/** Register the backend. Main lcore. @return 0, -EEXIST or -ENOSPC. */
int fpga_hang_register(void);

#ifdef __cplusplus
}
#endif

#endif /* HOSTLANE_FPGA_HANG_H */
