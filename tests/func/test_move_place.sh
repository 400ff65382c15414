#!/usr/bin/env bash
# placement = cycles (issue 16 §2, like OVS's pmd-rxq-assign=cycles): with
# one guest calling on I/O lcore 1 and an idle one on lcore 2, guests added
# at run time go to lcore 2, the one with fewer busy cycles, even when it
# has as many guests as lcore 1 and then more (roundrobin, which counts
# guests, would take lcore 1 both times: tests/unit/test_balance.c).
. "$(dirname "$0")/move_lib.sh"

cat > "$T/place.conf" <<'CONF'
[hostlane]
placement = cycles
pending_per_lcore = 4096

[guest g0]
handler = hostlane
functions = echo
max_inflight = 32

[guest x0]
handler = hostlane
max_inflight = 32
CONF

busy_last() { ctlj lcore list | py "[l['busy_cycles_last'] for l in r if l['lcore'] == $1][0]"; }

HL_LCORES='0@0,1@1,2@1' hl_start --config "$T/place.conf"
[ "$(lcore_of g0)" = 1 ] && [ "$(lcore_of x0)" = 2 ] || fail "g0, x0 not on lcores 1, 2"
taskset -c 0 "$SOAK" "$T/run" 1 16 3600 > "$T/soak.out" 2> "$T/soak.err" &
SOAK_PID=$!
HL_PIDS+=("$SOAK_PID")
wait_for 20 grep -q '^started' "$T/soak.out" || { cat "$T/soak.err"; fail "g0 did not connect"; }
# A sample (every second) with g0's calls in it.
lcore1_busy() { [ "$(busy_last 1)" -gt 0 ]; }
wait_for 20 lcore1_busy || fail "lcore 1 shows no busy cycles: $(ctlj lcore list)"
[ "$(busy_last 2)" = 0 ] || fail "lcore 2, no guest connected, shows busy cycles"
for n in n1 n2; do
	out=$(ctlj guest add "$n" handler=hostlane max_inflight=32) || fail "guest add $n: $out"
	[ "$(lcore_of "$n")" = 2 ] || fail "$n placed on lcore $(lcore_of "$n"), want 2 (fewer cycles)"
done
kill -INT "$SOAK_PID"
wait "$SOAK_PID" || { cat "$T/soak.err"; fail "g0's calls: $(grep '^soak' "$T/soak.out")"; }
hl_stop || fail "hostlane exited $?"
pass "placement = cycles put both added guests on the idle lcore"
