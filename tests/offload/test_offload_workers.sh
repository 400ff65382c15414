#!/usr/bin/env bash
# The same phases, nacks and 100 000 async calls with a function worker
# lcore: completions now come back from another lcore, possibly out of order.
. "$(dirname "$0")/lib.sh"

hl_start_workers
oc phases
pass "every phase with a function worker"
oc nacks
pass "every nack reason with a function worker"
oc stress 100000
pass "100000 async calls with a function worker"
hl_alive
hl_stop || fail "hostlane exit $? with a function worker"
