#!/usr/bin/env bash
# Moving a guest that uses paravirtual sockets (issue 16 §2; docs/
# ARCHITECTURE.md "Moving guests between I/O lcores"): its SOCK_EVENTS long
# poll is always held by a socket worker (libhostlane's pump keeps one
# armed), and a move waits for it (it comes back within a second); a
# blocking receive held by the host keeps the guest where it is: the move
# is abandoned after 2 s with that reason, another move meanwhile is
# refused (busy), and the receive completes afterwards. Every socket call
# before, between and after the moves completes with the right bytes.
. "$(dirname "$0")/move_lib.sh"

MS="$HOSTLANE_BUILD/tests/func/move_sock"
[ -x "$MS" ] || fail "move_sock not built at $MS"

cat > "$T/sock.conf" <<'CONF'
[sockets]
workers = 1

[guest s1]
handler = hostlane
sockets = yes
sock_connect = 127.0.0.1
CONF

moving() { ctlj lcore list | py "any(a['moving'] for l in r for a in l.get('assigned', []))"; }
recv_calls() { ctlj socket list s1 | py "r['calls_recv']"; }

HL_LCORES='0@0,1@1,2@1' hl_start --config "$T/sock.conf"

coproc MS_P { "$MS" "$T/run/s1.sock" 2>&1; }
# bash unsets MS_P_PID once it reaps the coprocess, which may be before
# the wait below: keep the pid.
ms_pid=$MS_P_PID
HL_PIDS+=("$ms_pid")
# say CMD WANT: one command to the guest, its answer must be WANT.
say() {
	local got
	[ -n "$1" ] && echo "$1" >&"${MS_P[1]}"
	read -r -t 30 got <&"${MS_P[0]}" || fail "guest: no answer to '$1'"
	[ "$got" = "$2" ] || fail "guest: '$1' answered '$got', want '$2'"
}
say "" ready
say echo echoed
from=$(lcore_of s1)
[ "$from" = 1 ] || fail "s1 placed on lcore $from, want 1 (roundrobin, the first)"

# Only the EVENTS long poll held: the move waits for it and is made.
out=$(ctlj guest move s1 2) || fail "guest move s1 2 with only EVENTS held: $out"
[ "$(echo "$out" | py "r['to']")" = 2 ] || fail "reply: $out"
[ "$(lcore_of s1)" = 2 ] || fail "s1 not on lcore 2 after the move"
say echo echoed

# A blocking receive held: the move is abandoned, the guest stays served.
before=$(recv_calls) || fail "socket list: $before"
say hold holding
recv_came() { [ "$(recv_calls)" -gt "$before" ]; }
wait_for 20 recv_came || fail "the receive never reached the host"
ctlj guest move s1 1 > "$T/move1.out" 2>&1 &
mv_pid=$!
is_moving() { [ "$(moving)" = True ]; }
wait_for 20 is_moving || fail "no move under way"
out=$(ctl guest move s1 1) && fail "a second move during one was accepted: $out"
[[ $out == *"a move is already under way"* ]] || fail "second move: $out"
out=$(ctl lcore rebalance) && fail "a rebalance during a move was accepted: $out"
[[ $out == *busy* ]] || fail "rebalance during a move: $out"
wait "$mv_pid" && fail "the move with a held receive succeeded: $(cat "$T/move1.out")"
grep -q "timeout" "$T/move1.out" && grep -q "still in flight" "$T/move1.out" ||
	fail "abandoned move's reply: $(cat "$T/move1.out")"
grep -q "guest s1: move from lcore 2 to 1 abandoned" "$T/hostlane.log" ||
	fail "no log line for the abandoned move"
[ "$(lcore_of s1)" = 2 ] || fail "s1 not on lcore 2 after the abandoned move"
[ "$(moving)" = False ] || fail "still moving after the abandon"
say release released
say echo echoed

# Nothing held but EVENTS again: the move goes through.
out=$(ctlj guest move s1 1) || fail "guest move s1 1 after the receive: $out"
[ "$(lcore_of s1)" = 1 ] || fail "s1 not back on lcore 1"
say echo echoed
say hold holding
say release released
echo quit >&"${MS_P[1]}"
wait "$ms_pid" || fail "the guest exited $?"
hl_stop || fail "hostlane exited $?"
pass "a socket guest moved around its EVENTS long poll; a held receive kept it, and completed"
