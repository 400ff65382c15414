/* SPDX-License-Identifier: BSD-3-Clause */
/* Registers the "hostlane" log type (set with --log-level=hostlane:debug). */
#include "log.h"

RTE_LOG_REGISTER(dp_logtype, hostlane, INFO);
