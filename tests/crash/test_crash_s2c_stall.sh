#!/usr/bin/env bash
# A guest that stops reading its S2C ring (16 buffers) after submitting
# as many requests as libhostlane lets it (its window keeps in flight what
# the ring can answer: 12 of the 200 tried): hostlane answers them all into
# the ring and drops nothing (tx_drops 0); a second guest's calls, running
# all along, are unaffected (counted, every result checked); the stalled
# guest recovers when it reads again: every request answered once, then
# new calls work. (A guest that overfills its ring anyway has its replies
# dropped, for it alone: tests/hostile, s2c-none-posted.)
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/crash.conf"
cc_bg steady steady "$RUN/g2.sock" g2-secret "$T/stop"
steady=$CC_PID
wait_line steady READY 30

cc_bg stall stall "$RUN/g1.sock" g1-secret "$T/go"
stall=$CC_PID
wait_line stall STALLED 30
sent=$(sed -n 's/^STALLED \([0-9]*\) .*/\1/p' "$T/stall.log")
[ -n "$sent" ] && [ "$sent" -ge 1 ] || fail "stalled guest submitted nothing: $(cat "$T/stall.log")"
# The host has answered every request it was sent: g1's replies all went
# out (tx_frames counts them with the HELLO, open and activate replies).
answered() { [ "$(stat_num "$(ctlj stats g1)" tx_frames)" -ge $((sent + 3)) ]; }
wait_for 10 answered || fail "g1: the host did not answer its $sent requests: $(ctlj stats g1)"
st1=$(ctlj stats g1); st2=$(ctlj stats g2)
d1=$(stat_num "$st1" tx_drops); d2=$(stat_num "$st2" tx_drops)
[ "$d1" = 0 ] || fail "stalled guest g1: $d1 replies dropped: $st1"
[ "$d2" = 0 ] || fail "guest g2 had tx_drops $d2"
calls_a=$(stat_num "$st2" FN_CALL)
sleep 1
calls_b=$(stat_num "$(ctlj stats g2)" FN_CALL)
[ "$calls_b" -gt "$calls_a" ] || fail "g2 made no calls while g1 was stalled"
pass "g1 stalled with $sent in flight on a ring of 16: no reply dropped; g2 made $((calls_b - calls_a)) calls in 1 s meanwhile"

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
