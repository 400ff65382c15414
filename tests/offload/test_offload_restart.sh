#!/usr/bin/env bash
# hostlane restarts under a working client: the client's next calls fail
# with HL_E_DISCONNECTED and a reason (not a hang, not a timeout), and a
# fresh hl_connect to the new hostlane works.
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/test.conf"
"$OC" "$RUN" restart ga "$T/go" > "$T/restart.log" 2>&1 &
client=$!
HL_PIDS+=("$client")
wait_for 30 grep -q READY "$T/restart.log" || { cat "$T/restart.log"; fail "client never got going"; }

hl_stop || fail "hostlane exit $? on SIGTERM"
[ ! -e "$RUN/ga.sock" ] || fail "socket left behind"
hl_start --config "$T/test.conf"
touch "$T/go"
wait "$client"; rc=$?
cat "$T/restart.log"
[ "$rc" -eq 0 ] || fail "client after the restart (exit $rc)"
pass "calls fail with a reason after a restart; a new connection works"
hl_alive
