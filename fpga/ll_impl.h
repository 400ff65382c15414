/* SPDX-License-Identifier: BSD-3-Clause */
/* The low-level implementations ll.c chooses from (ll_sim.c, ll_vfio.c). */
#ifndef HOSTLANE_FPGA_LL_IMPL_H
#define HOSTLANE_FPGA_LL_IMPL_H

#include "ll.h"

#ifdef FPGA_HAVE_SIM
extern const struct fpga_ll_ops fpga_ll_sim_ops;
#endif
extern const struct fpga_ll_ops fpga_ll_vfio_ops;

#endif /* HOSTLANE_FPGA_LL_IMPL_H */
