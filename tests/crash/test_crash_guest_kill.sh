#!/usr/bin/env bash
# A guest SIGKILLed while async calls are in flight on all its sessions:
# within 1 s hostlane has released its sessions (and their function
# reservations) and its in-flight requests, counted the disconnect, and
# the socket takes a new client that works. Asserted through hostlanectl.
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/crash.conf"
cc_bg victim stream "$RUN/g1.sock" g1-secret 4
victim=$CC_PID
wait_line victim READY 30

out=$(ctlj session list g1)
n=$(jget "$out" 'len(r)')
[ "$n" = 4 ] || fail "session list g1 before the kill: $out"
st=$(ctlj stats g1)
disc0=$(stat_num "$st" disconnects)
state=$(jget "$st" 'r["state"]')
[ "$state" = connected ] || fail "g1 state before the kill: $state"
pass "g1 streams async calls on 4 sessions (disconnects so far: $disc0)"

t0=$(date +%s%N)
kill -KILL "$victim"
# Bounded wait of 1 s for everything to be released.
released=""
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 1000 ]; do
	st=$(ctlj stats g1)
	sl=$(ctlj session list g1)
	if [ "$(stat_num "$st" inflight)" = 0 ] && [ "$(stat_num "$st" sessions)" = 0 ] &&
	   [ "$(stat_num "$st" disconnects)" = $((disc0 + 1)) ] &&
	   [[ $st == *'"state":"listening"'* ]] && [[ $sl == *'"result":[]'* ]]; then
		released=$(( ($(date +%s%N) - t0) / 1000000 ))
		break
	fi
	sleep 0.02
done
[ -n "$released" ] || { echo "stats: $st"; echo "sessions: $sl"; fail "g1 not released within 1 s of the kill"; }
fl=$(ctlj fn list)
held=$(jget "$fl" 'sum(f["sessions"] for f in r)')
[ "$held" = 0 ] || fail "function reservations still held after the kill: $fl"
pass "killed guest released in $released ms: no sessions, inflight 0, disconnects $disc0 -> $((disc0 + 1)), no function reservation held"

"$CC_BIN" once "$RUN/g1.sock" g1-secret || fail "a new client on g1 after the kill"
st=$(ctlj stats g1)
[ "$(stat_num "$st" connects)" = 2 ] || fail "g1 connects after the new client: $st"
pass "the socket takes a new connection that works"
hl_alive
hl_stop || fail "hostlane exit $? after the kill test"
