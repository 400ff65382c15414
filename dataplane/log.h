/* SPDX-License-Identifier: BSD-3-Clause */
/* hostlane's log type and macros. Never used on the fast path. */
#ifndef DP_LOG_H
#define DP_LOG_H

#include <rte_log.h>

extern int dp_logtype;

#define DP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, dp_logtype, "hostlane: " fmt "\n", ##__VA_ARGS__)

#endif /* DP_LOG_H */
