#!/usr/bin/env bash
# Moving guests between I/O lcores under load (issue 16 §2): hostlane with
# two I/O lcores sharing core 1 (adaptive idle), four guests with 16 echo
# calls always in flight each (bench/soak.c: every call checked, accounted
# exactly once), moved back and forth with `guest move` and `lcore
# rebalance` while they call. Then: every call answered exactly once and
# correct, no move abandoned, the pools back to their use before the
# guests came, no session left, the lcores' guest counts whole.
. "$(dirname "$0")/move_lib.sh"

ROUNDS=8

{
	echo "[hostlane]"
	echo "pending_per_lcore = 4096"
	for i in 0 1 2 3; do
		printf '\n[guest g%d]\nhandler = hostlane\nfunctions = echo\nmax_inflight = 32\n' "$i"
	done
} > "$T/move.conf"

# guest_busy GUEST: the cycles its lcore spent on it so far.
guest_busy() {
	ctlj lcore list | py "sum(a['busy_cycles'] for l in r for a in l.get('assigned', []) if a['name'] == '$1')"
}
pools() {
	ctlj mempool list | py "' '.join('%s=%d' % (p['name'], p['in_use']) for p in sorted(r, key=lambda p: p['name']))"
}

HL_LCORES='0@0,1@1,2@1' hl_start --config "$T/move.conf"
io=$(ctlj lcore list | py "' '.join(str(l['lcore']) for l in r if l['role'] == 'io')")
[ "$io" = "1 2" ] || fail "I/O lcores '$io', want '1 2'"
base_pools=$(pools) || fail "mempool list failed"

taskset -c 0 "$SOAK" "$T/run" 4 16 3600 > "$T/soak.out" 2> "$T/soak.err" &
SOAK_PID=$!
HL_PIDS+=("$SOAK_PID")
wait_for 20 grep -q '^started' "$T/soak.out" ||
	{ cat "$T/soak.err"; fail "the guests did not connect"; }

# calling_since B0 B3: g0 and g3 were served since their cycles were B0, B3.
calling_since() { [ "$(guest_busy g0)" -gt "$1" ] && [ "$(guest_busy g3)" -gt "$2" ]; }
# other LCORE: the other I/O lcore.
other() { [ "$1" = 1 ] && echo 2 || echo 1; }
moves=0
rebalanced=0
for round in $(seq "$ROUNDS"); do
	kill -0 "$SOAK_PID" 2>/dev/null || { cat "$T/soak.err"; fail "the guests died in round $round"; }
	g="g$((round % 4))"
	to=$(other "$(lcore_of "$g")")
	out=$(ctlj guest move "$g" "$to") || fail "round $round: guest move $g $to: $out"
	[ "$(echo "$out" | py "r['to']")" = "$to" ] || fail "round $round: $out"
	moves=$((moves + 1))
	[ $((round % 4)) = 0 ] || continue
	# Every guest onto lcore 1, calling there, then rebalance: lcore 2
	# is idle, so a plan must move some back.
	for k in 0 1 2 3; do
		[ "$(lcore_of "g$k")" = 1 ] && continue
		ctl guest move "g$k" 1 > /dev/null || fail "round $round: g$k to lcore 1"
		moves=$((moves + 1))
	done
	b0=$(guest_busy g0); b3=$(guest_busy g3)
	wait_for 10 calling_since "$b0" "$b3" ||
		fail "round $round: the guests do not call on lcore 1"
	out=$(ctlj lcore rebalance) || fail "round $round: lcore rebalance: $out"
	n=$(echo "$out" | py "len(r['moved'])")
	f=$(echo "$out" | py "len(r['failed'])")
	[ "$f" = 0 ] || fail "round $round: rebalance moves failed: $out"
	[ "$n" -ge 1 ] || fail "round $round: all guests on lcore 1, lcore 2 idle, rebalance moved none: $out"
	rebalanced=$((rebalanced + n))
	moves=$((moves + n))
done
# The guests stop: every call in flight collected, the result printed.
kill -INT "$SOAK_PID"
wait "$SOAK_PID"
soak_rc=$?
cat "$T/soak.err" >&2
result=$(grep '^soak calls' "$T/soak.out")
echo "moves: $moves ($rebalanced by lcore rebalance); $result"
[ -n "$result" ] || fail "no result from the guests (exit $soak_rc)"
[[ $result =~ wrong\ 0\ failed\ 0\ dup\ 0\ lost\ 0$ ]] || fail "calls not accounted exactly once: $result"
[ "$soak_rc" = 0 ] || fail "the guests exited $soak_rc"
calls=$(echo "$result" | awk '{ print $3 }')
[ "$calls" -gt 0 ] || fail "no calls completed"
! grep -q "abandoned" "$T/hostlane.log" || { grep abandoned "$T/hostlane.log"; fail "a move was abandoned"; }
[ "$(grep -c 'moved from lcore' "$T/hostlane.log")" = "$moves" ] ||
	fail "$(grep -c 'moved from lcore' "$T/hostlane.log") moves logged, $moves made"

# What the guests held is released: pools as before, no session left.
pools_back() { [ "$(pools)" = "$base_pools" ]; }
wait_for 20 pools_back ||
	fail "pools not back: $(pools) vs $base_pools"
[ "$(ctlj session list | py 'len(r)')" = 0 ] || fail "sessions left: $(ctl session list)"
n=$(ctlj lcore list | py "sum(l['guests'] for l in r if l['role'] == 'io')")
[ "$n" = 4 ] || fail "the I/O lcores count $n guests, want 4"
hl_stop || fail "hostlane exited $?"
pass "$moves moves under load, $calls calls each answered once and correct"
