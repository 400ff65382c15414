#!/usr/bin/env bash
# A guest killed (SIGKILL) while streaming calls on all its sessions leaves
# nothing behind: its quota and the function's capacity come back.
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/test.conf"
"$OC" "$RUN" hold ga echo 4 > "$T/hold.log" 2>&1 &
hold=$!
HL_PIDS+=("$hold")
wait_for 30 grep -q READY "$T/hold.log" || { cat "$T/hold.log"; fail "holder never got going"; }

# While it lives: ga's 4 echo sessions count against capacity 6.
oc opens gb echo 2 E_NO_CAPACITY
pass "the holder's sessions count against capacity"

{ kill -KILL "$hold"; wait "$hold"; } 2>/dev/null
grep -q FAIL "$T/hold.log" && { cat "$T/hold.log"; fail "holder failed before it was killed"; }
wait_for 20 grep -q "guest ga: client disconnected" "$T/hostlane.log" ||
	{ cat "$T/hostlane.log"; fail "hostlane did not see the killed client go"; }
hl_alive

# The dead client's session ids mean nothing to the next client of ga.
ids=$(sed -n 's/^SESSIONS //p' "$T/hold.log")
[ -n "$ids" ] || { cat "$T/hold.log"; fail "holder did not print its session ids"; }
# shellcheck disable=SC2086
oc forged ga $ids
pass "the killed client's session ids ($ids) are dead"

# Capacity freed for another guest: gb takes all 6 echo sessions.
oc opens gb echo 6 E_NO_CAPACITY
pass "capacity freed for other guests"
# Quota freed on the guest itself: a new client opens 4 again, not 5.
oc opens ga echo 4 E_QUOTA
oc opens ga factorial 4 E_QUOTA
pass "a new client on ga gets max_sessions again, and E_QUOTA beyond"
hl_alive
hl_stop || fail "hostlane exit $? after the kill test"
