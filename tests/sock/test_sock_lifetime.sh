#!/bin/bash
# A guest killed (-9) while it holds sockets and a call: every host socket
# it caused is closed, and hostlane's fd count is back to where it was,
# within a few seconds (polled, never slept on).
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
kill -KILL "$pid"
wait_for 5 test "$(sockets_open sa)" = 0 || fail "sockets still open: $(ctl socket list sa)"
wait_for 5 test "$(hl_fds)" -le "$base" || fail "fds: $(hl_fds), baseline $base"
# The guest comes back and works.
sc_run udp
pass "lifetimes"
