#!/usr/bin/env bash
# Two guests cannot see or touch each other's sessions: ga's session id used
# on gb is BAD_SESSION for every per-session opcode, and ga's session (its
# state and result) is untouched and keeps working.
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/test.conf"
oc isolation
pass "session ids are per guest"
hl_alive
