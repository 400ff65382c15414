#!/usr/bin/env bash
# A guest that stops reading its S2C ring (16 buffers, 200 requests
# submitted): hostlane drops the replies that do not fit (tx_drops) for that
# guest only; a second guest's calls, running all along, are unaffected
# (counted, every result checked); the stalled guest recovers when it
# reads again: every request completes once (answered or timed out), then
# new calls work.
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/crash.conf"
cc_bg steady steady "$RUN/g2.sock" g2-secret "$T/stop"
steady=$CC_PID
wait_line steady READY 30

cc_bg stall stall "$RUN/g1.sock" g1-secret "$T/go"
stall=$CC_PID
wait_line stall STALLED 30
# The host has answered what it could: g1's drops stop growing.
prev=-1
for _ in $(seq 50); do
	d=$(stat_num "$(ctlj stats g1)" tx_drops)
	[ "$d" = "$prev" ] && [ "$d" -gt 0 ] && break
	prev=$d; sleep 0.1
done
st1=$(ctlj stats g1); st2=$(ctlj stats g2)
d1=$(stat_num "$st1" tx_drops); d2=$(stat_num "$st2" tx_drops)
[ "$d1" -gt 0 ] || fail "stalled guest g1: no tx_drops: $st1"
[ "$d2" = 0 ] || fail "guest g2 had tx_drops $d2"
calls_a=$(stat_num "$st2" FN_CALL)
sleep 1
calls_b=$(stat_num "$(ctlj stats g2)" FN_CALL)
[ "$calls_b" -gt "$calls_a" ] || fail "g2 made no calls while g1 was stalled"
pass "g1 stalled: tx_drops $d1 for g1, 0 for g2; g2 made $((calls_b - calls_a)) calls in 1 s meanwhile"

touch "$T/go"
wait "$stall"; rc=$?
cat "$T/stall.log"
[ "$rc" -eq 0 ] || fail "stalled guest did not recover (exit $rc)"
touch "$T/stop"
wait "$steady"; rc=$?
cat "$T/steady.log"
[ "$rc" -eq 0 ] || fail "g2 had failures (exit $rc)"
d2=$(stat_num "$(ctlj stats g2)" tx_drops)
[ "$d2" = 0 ] || fail "guest g2 had tx_drops $d2"
pass "g1 recovered; g2 completed every call correctly, no drops"
hl_alive
hl_stop || fail "hostlane exit $? after the stall test"
