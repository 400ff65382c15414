#!/usr/bin/env bash
# Bad input on the control socket — malformed JSON, unknown commands, wrong
# argument types, over-long lines, silent and dribbling clients, clients
# that never read, 100 clients at once — while a guest makes offload calls
# throughout: every client gets an error or is dropped after the idle
# timeout, and every guest call completes.
. "$(dirname "$0")/ctl_lib.sh"

timeout_ms=2000
ctl_conf "control_timeout_ms=$timeout_ms"
ctl_start --config "$T/ctl.conf"

"$CLIENT" calls "$T/run/demo0.sock" demo0-secret "$T/stop" > "$T/calls.log" 2>&1 &
calls_pid=$!
sleep 0.5
kill -0 "$calls_pid" 2>/dev/null || { cat "$T/calls.log"; fail "guest client did not start"; }

python3 "$(dirname "$0")/abuse.py" "$HOSTLANE_CONTROL" "$timeout_ms" || fail "abuse cases"
pass "every hostile client got an error or was dropped"

# hostlanectl still works, and so does the guest.
ctl_ok --json stats demo0
py_check "r['result']['requests']['FN_CALL'] > 0 and r['result']['inflight'] <= 1"
touch "$T/stop"
wait "$calls_pid"; rc=$?
cat "$T/calls.log"
[ "$rc" -eq 0 ] || fail "guest calls failed during the abuse"
grep -q 'failed=0' "$T/calls.log" || fail "guest calls failed"
kill -0 "$HL_PID" || fail "hostlane died"
pass "guest calls all completed throughout ($(cat "$T/calls.log"))"

hl_stop || fail "hostlane exit status"
