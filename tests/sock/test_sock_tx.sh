#!/bin/bash
# Sends that return at once (docs/sockets.md): sock_tx.c's phases against
# this test's hostlane and a native peer on 127.0.0.1 — every byte in
# order whatever the mix of frame and bulk sends, close right after the
# last send loses nothing, a full window says EAGAIN and clears OUT, a
# signal handler making socket calls never hangs its thread, a
# reset peer's error reaches a later send, repeated datagrams to one address
# return at once and arrive in order; and a client killed with its
# window full leaves no socket and no fd behind.
. "$(dirname "$0")/lib.sh"

TX="$HOSTLANE_BUILD/tests/sock/sock_tx"
[ -x "$TX" ] || fail "sock_tx not built at $TX"
hl_start --config "$T/test.conf"
base=$(hl_fds)
for phase in stream window reset signal dgram; do
	"$TX" "$RUN" "$phase" || fail "sock_tx $phase (exit $?)"
done
wait_for 5 sockets_gone sa || fail "sockets left open: $(ctl socket list sa)"

"$TX" "$RUN" hold > "$T/hold.log" 2>&1 &
pid=$!
HL_PIDS+=("$pid")
wait_for 30 grep -q "^holding" "$T/hold.log" || { cat "$T/hold.log"; fail "the client did not fill its window"; }
grep "^holding" "$T/hold.log"
grep -q "^holding: 0 " "$T/hold.log" && fail "no send in flight while holding"
[ "$(sockets_open sa)" -ge 1 ] || fail "no socket open while holding"
kill -KILL "$pid"
wait_for 5 sockets_gone sa || fail "sockets still open: $(ctl socket list sa)"
wait_for 5 fds_le "$base" || fail "fds: $(hl_fds), baseline $base"
kill -0 "$HL_PID" || fail "hostlane died"
pass "sends that return at once"
