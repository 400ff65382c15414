#!/usr/bin/env bash
# hostlane SIGKILLed and restarted (same runtime dir, nothing removed by
# hand: it must replace its own stale sockets) while two guests stream
# async calls: libhostlane (HL_RECONNECT_AUTO, the default) reconnects on
# its own, the calls in flight fail with HL_E_DISCONNECTED (after SIGTERM
# some or all may be answered first: the client counts the disconnect from
# hl_conn_stats, not from failed calls), every request
# submitted completes exactly once (crash_client counts: submitted = ok +
# error, no tag twice), and calls succeed after the restart on the same
# function handles.
. "$(dirname "$0")/lib.sh"

AFTER=5000	# calls each guest must complete after the restart

# restart_under_guests SIGNAL: two streaming guests, hostlane stopped with
# SIGNAL and started again; both must come through on their own.
restart_under_guests() {
	local sig=$1 c1 c2
	cc_bg c1 restart "$RUN/g1.sock" g1-secret "$AFTER"
	c1=$CC_PID
	cc_bg c2 restart "$RUN/g2.sock" g2-secret "$AFTER"
	c2=$CC_PID
	wait_line c1 READY 30
	wait_line c2 READY 30
	kill "-$sig" "$HL_PID"
	wait "$HL_PID" 2>/dev/null
	if [ "$sig" = KILL ]; then
		[ -S "$RUN/g1.sock" ] || fail "expected the killed hostlane's stale socket"
	fi
	hl_start --config "$T/crash.conf"
	for c in c1 c2; do
		pid=$c1; [ $c = c2 ] && pid=$c2
		wait "$pid"; rc=$?
		cat "$T/$c.log"
		[ "$rc" -eq 0 ] || fail "$c across the SIG$sig restart (exit $rc)"
	done
	for g in g1 g2; do
		st=$(ctlj stats $g)
		[ "$(stat_num "$st" connects)" = 1 ] || fail "$g connects on the new hostlane: $st"
		[ "$(stat_num "$st" sessions)" = 0 ] || fail "$g sessions left: $st"
	done
	pass "SIG$sig: both guests reconnected on their own; every request completed once; $AFTER calls each after the restart"
}

hl_start --config "$T/crash.conf"
# A crash: stale sockets left behind, which the new hostlane replaces.
restart_under_guests KILL
# A clean stop (an upgrade): DISCONNECT "hostlane shutting down" first.
restart_under_guests TERM
hl_alive
hl_stop || fail "hostlane exit $? after the restart test"
