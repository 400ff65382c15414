/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Helpers of the "vfio" low-level device exposed for unit tests.
 */
#ifndef HOSTLANE_FPGA_LL_VFIO_H
#define HOSTLANE_FPGA_LL_VFIO_H

#include <rte_pci.h>

/**
 * Parse the arguments of a "vfio:" spec: a PCI address (DDDD:BB:DD.F or
 * BB:DD.F), no options yet.
 * @param args  the part after "vfio:".
 * @param addr  receives the address.
 * @return 0; -EINVAL malformed.
 */
int fpga_ll_vfio_parse(const char *args, struct rte_pci_addr *addr);

#endif /* HOSTLANE_FPGA_LL_VFIO_H */
