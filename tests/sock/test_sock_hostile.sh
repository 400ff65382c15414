#!/bin/bash
# The socket attacks (sock_check hostile: unknown and stale ids, malformed
# requests, forbidden ports and destinations, floods of connects and tiny
# sends, a second EVENTS) on guest sa while guest sd runs TCP echo both ways
# at the same time: sd's bytes must come back intact, sa's attacks answered
# and counted, hostlane up.
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/test.conf"
"$SC" "$RUN" hostile > "$T/evil.log" 2>&1 &
evil=$!
"$SC" "$RUN" tcp sd > "$T/good.log" 2>&1 || { cat "$T/good.log"; fail "the good guest's echo"; }
wait "$evil" || { cat "$T/evil.log"; fail "the hostile phase's checks"; }
kill -0 "$HL_PID" 2>/dev/null || { cat "$T/hostlane.log"; fail "hostlane died"; }
out=$(ctlj socket list sa)
re='"refused":([0-9]+)'
[[ $out =~ $re ]] && (( BASH_REMATCH[1] >= 300 )) || fail "refusals not counted: $out"
re='"bad_id":([0-9]+)'
[[ $out =~ $re ]] && (( BASH_REMATCH[1] >= 1 )) || fail "unknown ids not counted: $out"
out=$(ctlj socket list sd)
re='"bytes_in":([0-9]+)'
[[ $out =~ $re ]] && (( BASH_REMATCH[1] >= 400000 )) || fail "the good guest's bytes: $out"
pass "socket attacks, another guest unharmed"
