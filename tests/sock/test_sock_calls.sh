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
# The same counters in metrics, the workers' too.
m=$("$CTL" --socket "$RUN/control.sock" metrics 2>&1)
n=$(sed -n 's/^hostlane_guest_sock_refused_total{guest="sa"} //p' <<< "$m")
[ -n "$n" ] && (( n >= 300 )) || fail "metrics: sa's refusals '$n'"
grep -q '^hostlane_guest_sock_open{guest="sa"} ' <<< "$m" || fail "metrics: no open gauge"
n=$(sed -n 's/^hostlane_sock_worker_calls_send_total{worker="0"} //p' <<< "$m")
[ -n "$n" ] && (( n >= 2000 )) || fail "metrics: worker 0's sends '$n'"
# guest add takes the socket keys with the file's checks.
out=$(ctl guest add sx secret=sx-secret handler=hostlane sockets=yes max_sockets=8 \
	sock_bind_ports=40500 sock_connect=127.0.0.1:40500)
[[ $out == *error* || $out == *rror* ]] && fail "guest add with socket keys: $out"
out=$(ctlj socket list sx)
[[ $out == *'"sockets":true'* && $out == *'"max_sockets":8'* ]] ||
	fail "socket list of the added guest: $out"
out=$(ctlj guest show sx)
[[ $out == *'"sock_connect":"127.0.0.1/32:40500"'* ]] || fail "guest show sx: $out"
out=$(ctl guest add sy sockets=yes sock_connect=10.0.0.0/40)
[[ $out == *"sock_connect"* && $out == *"A.B.C.D[/N]"* ]] ||
	fail "guest add with a bad sock_connect: $out"
out=$(ctl guest add sz sock_bind_ports=80)
[[ $out == *"sockets"* && $out == *"not yes"* ]] || fail "sock key without sockets: $out"
pass "socket calls"
