#!/usr/bin/env bash
# Interop with a memif peer nobody here wrote: DPDK's dpdk-testpmd with
# net_memif as the client of hostlane's echo guest. Frames flow both ways;
# a second client is refused as busy; a client can reconnect; on SIGTERM
# the client is told why it is being disconnected.
. "$(dirname "$0")/lib.sh"

command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd not installed (apt-get install dpdk)"
hl_start
sock="$T/run/demo1.sock"

testpmd_client tp1 "$sock" demo1-secret
tp1=$TP_PID
echoed() { r=$(tp_rx "$T/tp1.log"); [ "${r:-0}" -gt 100000 ]; }
wait_for 30 echoed || { cat "$T/tp1.log"; fail "no frames came back from the echo guest"; }
tx=$(tp_tx "$T/tp1.log")
[ "${tx:-0}" -gt 100000 ] || fail "testpmd sent too little: $tx"
grep -q "guest demo1: client 'DPDK" "$T/hostlane.log" || fail "hostlane did not log the client"
pass "frames flow both ways (rx $(tp_rx "$T/tp1.log"), tx $tx)"

# A second client while the first is connected gets DISCONNECT "busy".
testpmd_client tp2 "$sock" demo1-secret
wait_for 20 grep -q "Disconnect received: busy" "$T/tp2.log" ||
	{ cat "$T/tp2.log"; fail "second client was not told busy"; }
kill -TERM "$TP_PID"; wait "$TP_PID" 2>/dev/null
pass "second client refused as busy"

# The first client leaves; a new one connects and is echoed.
kill -TERM "$tp1"; wait "$tp1" 2>/dev/null
wait_for 20 grep -q "guest demo1: client disconnected" "$T/hostlane.log" ||
	fail "hostlane did not see the client leave"

# A wrong secret is refused with a reason.
testpmd_client tp3 "$sock" not-the-secret
wait_for 20 grep -q "Disconnect received: incorrect secret" "$T/tp3.log" ||
	{ cat "$T/tp3.log"; fail "wrong secret not refused"; }
kill -TERM "$TP_PID"; wait "$TP_PID" 2>/dev/null
pass "wrong secret refused"
testpmd_client tp4 "$sock" demo1-secret
echoed4() { r=$(tp_rx "$T/tp4.log"); [ "${r:-0}" -gt 100000 ]; }
wait_for 30 echoed4 || { cat "$T/tp4.log"; fail "reconnected client not echoed"; }
pass "reconnect after disconnect"

# Shutdown: the connected client hears why, the socket goes away.
hl_stop; rc=$?
[ "$rc" -eq 0 ] || fail "hostlane exit $rc"
wait_for 20 grep -q "Disconnect received: hostlane shutting down" "$T/tp4.log" ||
	{ cat "$T/tp4.log"; fail "client not told about shutdown"; }
[ ! -e "$sock" ] || fail "socket left behind"
pass "shutdown sends DISCONNECT with a reason"
