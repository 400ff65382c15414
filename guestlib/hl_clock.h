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
/* hl_now_ms() from CLOCK_MONOTONIC_COARSE: no TSC read (a trap on some
 * hypervisors), a jiffy behind at most. For requests' deadlines and their
 * expiry (seconds long), taken once per request and per poll. */
int64_t hl_now_ms_coarse(void);
/* hl_deadline() on that clock. */
int64_t hl_deadline_coarse(int timeout_ms);
/* Milliseconds left until deadline (deadline < 0 = forever → -1). */
int hl_ms_left(int64_t deadline);
/* deadline for a timeout (timeout < 0 = forever → -1). */
int64_t hl_deadline(int timeout_ms);
/* True once a deadline (not forever) has passed. */
int hl_deadline_passed(int64_t deadline);

#endif /* HL_CLOCK_H */
