#!/usr/bin/env bash
# hl_fn_submit_burst() against the real hostlane: 20 000 factorial calls
# in bursts of 1 to 256, each completed once and right, bursts that meet a
# full window stop with NO_SLOTS at exactly the calls that fit; on rings of
# 1024 slots (the default: a window of 256) and of 16 (the window shrinks
# below the ring, so that every reply finds a posted buffer: without that,
# 240 of these calls timed out, their replies dropped by the host).
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/test.conf"
oc burst 20000 4
oc burst 20000 10
pass "bursts on rings of 16 and 1024 slots: every call once and right"
hl_alive
