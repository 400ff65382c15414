#!/bin/bash
# A guest's host sockets end with its connection, whatever ends it: the
# client killed (-9) while it holds sockets and a held call, a client that
# disconnects leaving sockets open, the guest removed at run time. Each
# time every socket it caused is closed and hostlane's fd count is back to
# where it was within a few seconds (polled, never slept on).
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/test.conf"
base=$(hl_fds)
"$SC" "$RUN" hold > "$T/hold.log" 2>&1 &
pid=$!
HL_PIDS+=("$pid")
wait_for 20 grep -q holding "$T/hold.log" || { cat "$T/hold.log"; fail "client did not get going"; }
open=$(sockets_open sa)
[ "$open" = 16 ] || fail "sa has $open sockets open, want 16 (listener, 5+5 connected, 5 udp)"
(( $(hl_fds) >= base + 16 )) || fail "hostlane's fds did not grow with the sockets"
out=$(ctlj socket list sa)
n=$(grep -o '"id":"0x[0-9a-f]*"' <<< "$out" | wc -l)
[ "$n" = 16 ] || fail "socket list sa lists $n sockets, want 16: $out"
[[ $out == *'"port":40008,"host_port":40008'* ]] || fail "the listener's port: $out"
kill -KILL "$pid"
wait_for 5 sockets_gone sa || fail "sockets still open: $(ctl socket list sa)"
out=$(ctlj socket list sa)
[[ $out == *'"list":[]'* ]] || fail "sockets still listed: $out"
wait_for 5 fds_le "$base" || fail "fds: $(hl_fds), baseline $base"
# The guest comes back and works.
sc_run udp
# A client that says goodbye with sockets still open (limits leaves three).
sc_run limits
wait_for 5 sockets_gone sc || fail "sc's sockets after its BYE: $(ctl socket list sc)"
wait_for 5 fds_le "$base" || fail "fds after BYE: $(hl_fds), baseline $base"
# The guest removed while its client holds sockets.
"$SC" "$RUN" hold > "$T/hold2.log" 2>&1 &
pid=$!
HL_PIDS+=("$pid")
wait_for 20 grep -q holding "$T/hold2.log" || { cat "$T/hold2.log"; fail "client did not get going"; }
(( $(hl_fds) >= base + 16 )) || fail "hostlane's fds did not grow with the sockets"
ctl guest remove sa > /dev/null || fail "guest remove sa"
# Its socket file and connection go too: below the baseline by those.
wait_for 5 fds_lt "$base" || fail "fds after removal: $(hl_fds), baseline $base"
kill -KILL "$pid" 2>/dev/null
kill -0 "$HL_PID" || fail "hostlane died"
pass "lifetimes"
