#!/bin/bash
# Every socket call of a guest against native peers on loopback (TCP echo
# both ways and over IPv6, UDP, waits, EVENTS, 1 MiB bulk transfers, policy,
# port translation, max_sockets, malformed and hostile requests).
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/test.conf"
for phase in tcp udp wait events bulk policy limits hostile; do
	sc_run "$phase"
	kill -0 "$HL_PID" 2>/dev/null || { cat "$T/hostlane.log"; fail "hostlane died in $phase"; }
done
out=$(ctlj socket list sa)
re='"refused":([0-9]+)'
[[ $out =~ $re ]] && (( BASH_REMATCH[1] >= 300 )) ||
	fail "sa's policy refusals not counted: $out"
re='"bad_id":([1-9][0-9]*)'
[[ $out =~ $re ]] || fail "sa's unknown ids not counted: $out"
pass "socket calls"
