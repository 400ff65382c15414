/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: deadlines in milliseconds on CLOCK_MONOTONIC, shared by every
 * transport (and compiled into the DPDK transport plugin as well).
 */
#ifndef HL_CLOCK_H
#define HL_CLOCK_H

#include <stdint.h>

/* Milliseconds since an arbitrary epoch (CLOCK_MONOTONIC). */
int64_t hl_now_ms(void);
/* Milliseconds left until deadline (deadline < 0 = forever → -1). */
int hl_ms_left(int64_t deadline);
/* deadline for a timeout (timeout < 0 = forever → -1). */
int64_t hl_deadline(int timeout_ms);
/* True once a deadline (not forever) has passed. */
int hl_deadline_passed(int64_t deadline);

#endif /* HL_CLOCK_H */
