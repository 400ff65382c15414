#!/usr/bin/env bash
# The automatic rebalance (issue 16 §2, like OVS's pmd-auto-lb): two
# calling guests placed on the same I/O lcore (roundrobin counts guests,
# and the other lcore's two never connect), rebalance_interval_ms = 500:
# within a few intervals one of them is moved to the idle lcore, and only
# one (one calling guest per lcore: no move narrows the spread any more).
# Every call is answered exactly once and correct throughout.
. "$(dirname "$0")/move_lib.sh"

# roundrobin, the first on ties: g0 -> 1, x0 -> 2, g1 -> 1, x1 -> 2.
cat > "$T/auto.conf" <<'CONF'
[hostlane]
pending_per_lcore = 4096
rebalance_interval_ms = 500
rebalance_threshold = 25

[guest g0]
handler = hostlane
functions = echo
max_inflight = 32

[guest x0]
handler = hostlane

[guest g1]
handler = hostlane
functions = echo
max_inflight = 32

[guest x1]
handler = hostlane
CONF

moves() { grep -c 'moved from lcore' "$T/hostlane.log"; }

HL_LCORES='0@0,1@1,2@1' hl_start --config "$T/auto.conf"
[ "$(lcore_of g0)" = 1 ] && [ "$(lcore_of g1)" = 1 ] || fail "g0, g1 not both on lcore 1"
taskset -c 0 "$SOAK" "$T/run" 2 16 3600 > "$T/soak.out" 2> "$T/soak.err" &
SOAK_PID=$!
HL_PIDS+=("$SOAK_PID")
wait_for 20 grep -q '^started' "$T/soak.out" || { cat "$T/soak.err"; fail "the guests did not connect"; }

wait_for 30 grep -q 'moved from lcore 1 to 2' "$T/hostlane.log" ||
	fail "no automatic move in 30 s: $(ctlj lcore list)"
grep -q 'rebalance: lcores' "$T/hostlane.log" || fail "the move was not logged as a rebalance"
a=$(lcore_of g0); b=$(lcore_of g1)
[ "$a" != "$b" ] || fail "g0 and g1 still share lcore $a"
# Four more intervals: one calling guest per lcore, nothing to narrow.
sleep 2
[ "$(moves)" = 1 ] || fail "$(moves) moves, want 1: $(grep 'moved from' "$T/hostlane.log")"

kill -INT "$SOAK_PID"
wait "$SOAK_PID" || { cat "$T/soak.err"; fail "the calls: $(grep '^soak' "$T/soak.out")"; }
grep -q 'wrong 0 failed 0 dup 0 lost 0$' "$T/soak.out" || fail "the calls: $(cat "$T/soak.out")"
hl_stop || fail "hostlane exited $?"
pass "one automatic move evened the lcores; $(grep '^soak' "$T/soak.out")"
