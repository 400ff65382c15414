#!/usr/bin/env bash
# A job that holds the I/O lcore (the test-only "hang" backend, as a PMD
# that never returns would): the watchdog finds the lcore stuck and says
# where, the guests' calls fail with a reason instead of hanging, the
# control socket keeps answering, new clients are refused until the lcore
# recovers, then everything works again. A process stopped as a whole is
# not a stuck lcore. A job that never returns: SIGTERM
# still ends hostlane within a few seconds, exit 1, naming what it could
# not release.
. "$(dirname "$0")/lib.sh"

BC="$HOSTLANE_BUILD/tests/offload/budget_check"
[ -x "$BC" ] || fail "budget_check not built at $BC"

cat > "$T/wd.conf" <<'CONF'
[hostlane]
test_hang = yes
watchdog_ms = 200

[guest ga]
secret = ga-secret
handler = hostlane
functions = test-hang, factorial

[guest gb]
secret = gb-secret
handler = hostlane
functions = factorial
CONF
hl_start --config "$T/wd.conf"
grep -q 'backend "hang" registered' "$T/hostlane.log" || fail "no hang backend"

lcore_state() {
	ctlj lcore list | python3 -c 'import json,sys
r = json.load(sys.stdin)["result"]
print(" ".join(l["state"] for l in r if l["role"] == "io"))'
}

# 0. The whole process stopped (SIGSTOP, a paused VM) is not a stuck lcore:
#    the main lcore did not run either, so the watchdog starts counting again.
kill -STOP "$HL_PID"
sleep 1
kill -CONT "$HL_PID"
sleep 0.5
ctlj guest list > /dev/null || fail "no control answer after SIGCONT"
grep -q "stuck" "$T/hostlane.log" && fail "a stopped process was taken for a stuck lcore"
[ "$(num "$(ctlj lcore list)" stuck_events)" = 0 ] || fail "stuck_events not 0 after SIGSTOP"
pass "SIGSTOP/SIGCONT for 5 watchdog periods: no lcore called stuck"

# 1. A job holding the lcore 3 s: stuck, then recovered.
"$BC" "$RUN/ga.sock" ga-secret hang 3000 > "$T/hang1.log" 2>&1 &
HANG=$!
wait_for 10 grep -q "I/O lcore 1 stuck" "$T/hostlane.log" ||
	{ cat "$T/hostlane.log"; fail "the watchdog did not report the stuck lcore"; }
grep -q "I/O lcore 1 stuck.*(in backend hang, submit)" "$T/hostlane.log" ||
	fail "the report does not say where the lcore is stuck"
[ "$(lcore_state)" = "stuck" ] || fail "lcore list: '$(lcore_state)', not stuck"
ctlj stats gb | grep -q '"lcore_stuck":true' || fail "stats does not show the stuck lcore"
"$CTL" --socket "$RUN/control.sock" metrics |
	grep -q '^hostlane_lcore_stuck{lcore="1"} 1$' ||
	fail "metrics do not show the stuck lcore"
out=$("$BC" "$RUN/gb.sock" gb-secret connect)
echo "$out" | grep -q "refused:.*I/O lcore stuck" ||
	fail "a new client of a stuck lcore's guest: '$out'"
pass "stuck lcore reported (log with where, lcore list, stats, metrics), new clients refused"

wait "$HANG"
grep -q "status HL_E_DISCONNECTED: .*I/O lcore stuck" "$T/hang1.log" ||
	{ cat "$T/hang1.log"; fail "the hung call did not fail with the reason"; }
pass "the guest's call failed with 'I/O lcore stuck', it did not hang"

wait_for 10 grep -q "I/O lcore 1 recovered after" "$T/hostlane.log" ||
	fail "the lcore's recovery was not reported"
wait_for 5 eval '[ "$(lcore_state)" = ok ]' || fail "lcore list: still $(lcore_state)"
out=$("$BC" "$RUN/gb.sock" gb-secret calls 20) || fail "gb after recovery: $out"
out=$("$BC" "$RUN/ga.sock" ga-secret calls 20) || fail "ga after recovery: $out"
[ "$(num "$(ctlj lcore list)" stuck_events)" = 1 ] || fail "stuck_events not 1"
pass "recovered: both guests served again, one stuck event counted"

# 2. A job that never returns: the control plane answers, SIGTERM ends it.
"$BC" "$RUN/ga.sock" ga-secret hang 0 > "$T/hang2.log" 2>&1 &
HANG=$!
HL_PIDS+=("$HANG")
wait_for 10 eval '[ "$(lcore_state)" = stuck ]' || fail "second hang not seen"
ctlj guest list > /dev/null || fail "the control socket stopped answering"
kill -TERM "$HL_PID"
for _ in $(seq 100); do kill -0 "$HL_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$HL_PID" 2>/dev/null && fail "hostlane still running 10 s after SIGTERM"
wait "$HL_PID"
rc=$?
[ "$rc" -eq 1 ] || fail "exit status $rc after a stuck stop, want 1"
grep -q "lcore 1 did not stop within" "$T/hostlane.log" || fail "no word of the stuck lcore at stop"
grep -q "not released:" "$T/hostlane.log" || fail "no word of what was not released"
[ ! -S "$RUN/ga.sock" ] && [ ! -S "$RUN/control.sock" ] ||
	fail "sockets left behind by the stuck stop"
pass "SIGTERM with an lcore stuck for ever: exit 1, sockets removed, the rest named"
