#!/usr/bin/env bash
# Every nack reason, by status code: UNKNOWN_FN, PERM, NO_CAPACITY (ga and gb
# together), QUOTA, HW_UNAVAIL then the software fallback, BAD_SESSION,
# BAD_STATE, BAD_REQUEST, BUSY (gc has max_inflight 1).
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/test.conf"
oc nacks
pass "every nack reason, and hardware → software fallback"
hl_alive
hl_stop || fail "hostlane exit $? after the nacks"
