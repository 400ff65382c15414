/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "dedicated" actuator (vf.h): the VF stays in DPDK, probed at run time
 * and cross-connected to the guest's channel (dataplane/vfport.h). Main
 * lcore only, like every actuator; it never blocks.
 */
#ifndef CTL_VF_ACT_DEDICATED_H
#define CTL_VF_ACT_DEDICATED_H

#include "vf.h"

struct dp_app;

/**
 * Fill act with the dedicated actuator over app's guests.
 * assign: 0 (on the VF), 1 (waiting for its link: poll), -errno (err
 * filled; the guest stays on the PV path). revoke: 0 (it held none), 1
 * (the guest is back on the PV path; the VF drains and is removed: poll),
 * -EBUSY. poll: 0 done, 1 going on, -errno (the assignment failed).
 * vf_counters: the VF port's rte_eth_stats while the guest is on it;
 * -ENOENT otherwise, -ENODEV when the VF failed under the guest (it is
 * back on the PV path; the books should release it).
 */
void vf_act_dedicated_init(struct vf_actuator *act, struct dp_app *app);

#endif /* CTL_VF_ACT_DEDICATED_H */
