#!/usr/bin/env bash
# A SET the host refuses (factorial(66), 0 repetitions) must not leave a
# result behind: a GET afterwards is BAD_STATE (or the previous good
# result), never "DONE, result 0".
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/test.conf"
oc refused-set
pass "a refused SET leaves nothing to GET"
hl_alive
