#!/usr/bin/env bash
# Issue 16 §2: one hostlane with max_guests (1024) memif guests. 1000 come
# from the file, 24 are added at run time, the 1025th is refused; a
# configured guest nobody connected to is not in its lcore's poll list;
# HL_MANY_CONNECT (256 by default) of them, from both ends of the slot
# table, connect from two processes of many_client and make calls, every
# output checked; guest list, stats and metrics show all 1024.
. "$(dirname "$0")/ctl_lib.sh"

MANY="$HOSTLANE_BUILD/tests/control/many_client"
MAXG=1024
FILE_GUESTS=1000
NCONN=${HL_MANY_CONNECT:-256}
HALF=$(( NCONN / 2 ))
CALLS=20

# big_check SUBSCRIPT EXPR: py_on for replies too long for an argument
# (1024 guests): the reply on stdin, only its start in the failure.
big_check() {
	python3 -c "import json,sys; r=json.load(sys.stdin)$1; sys.exit(0 if ($2) else 1)" <<< "$OUT" ||
		fail "check '$2' failed on: ${OUT:0:2000}..."
}

# Budgets are reservations (pending_per_lcore): 1024 x 8 fit in 16384.
{
	printf '[hostlane]\nmax_guests = %d\npending_per_lcore = 16384\n' "$MAXG"
	for i in $(seq 0 $(( FILE_GUESTS - 1 ))); do
		printf '[guest g%d]\nhandler = hostlane\nmax_inflight = 8\nmax_sessions = 2\n' "$i"
	done
} > "$T/many.conf"

ctl_start --config "$T/many.conf"
wait_for 30 grep -q "hostlane: running: $FILE_GUESTS guests" "$T/hostlane.log" ||
	{ tail -5 "$T/hostlane.log"; fail "hostlane did not start with $FILE_GUESTS guests"; }

# Up to the limit at run time, and no further.
for i in $(seq "$FILE_GUESTS" $(( MAXG - 1 ))); do
	ctl_ok guest add "g$i" handler=hostlane max_inflight=8 max_sessions=2
done
ctl_err no_space 1 guest add "g$MAXG" handler=hostlane max_inflight=8
echo "$OUT" | grep -q "max_guests $MAXG" || fail "refusal does not name max_guests: $OUT"
ctl_ok --json config show
big_check '' "len(r['result']['guests']) == $MAXG and r['result']['hostlane']['max_guests'] == $MAXG"
pass "$FILE_GUESTS guests from the file, $(( MAXG - FILE_GUESTS )) added, the $(( MAXG + 1 ))th refused"

# Nothing connected: the I/O lcore polls none of them.
ctl_ok --json lcore list
py_result "[l['guests'] for l in r if l['role'] == 'io'] == [$MAXG] and [l['polled'] for l in r if l['role'] == 'io'] == [0]"
pass "1024 configured guests, none connected: the poll list is empty"

# Connections at both ends of the slot table, from two processes.
rm -f "$T/release"
"$MANY" calls "$T/run" 0 "$HALF" "$CALLS" "$T/release" > "$T/low.log" 2>&1 &
LOW=$!
HL_PIDS+=("$LOW")
"$MANY" calls "$T/run" $(( MAXG - HALF )) "$HALF" "$CALLS" "$T/release" > "$T/high.log" 2>&1 &
HIGH=$!
HL_PIDS+=("$HIGH")
wait_for 120 grep -q '^held$' "$T/low.log" ||
	{ cat "$T/low.log"; fail "clients of g0..g$(( HALF - 1 )) did not finish their calls"; }
wait_for 120 grep -q '^held$' "$T/high.log" ||
	{ cat "$T/high.log"; fail "clients of the last $HALF guests did not finish their calls"; }
grep -qx "ok $HALF $(( HALF * CALLS ))" "$T/low.log" || fail "low: $(cat "$T/low.log")"
grep -qx "ok $HALF $(( HALF * CALLS ))" "$T/high.log" || fail "high: $(cat "$T/high.log")"
pass "$NCONN guests connected, $(( NCONN * CALLS )) calls, every output right"

# What reports show, for all 1024 and no fewer.
ctl_ok --json lcore list
py_result "[l['polled'] for l in r if l['role'] == 'io'] == [$NCONN]"
ctl_ok --json guest list
big_check "['result']" "len(r) == $MAXG and sum(g['state'] == 'connected' for g in r) == $NCONN and len({g['slot'] for g in r}) == $MAXG"
ctl_ok --json stats
big_check "['result']" "len(r) == $MAXG and sum(g['state'] == 'connected' for g in r) == $NCONN and all(g['requests']['FN_CALL'] >= $CALLS for g in r if g['state'] == 'connected') and sum(g['requests']['FN_CALL'] for g in r) == $(( NCONN * CALLS ))"
ctl_ok --json stats "g$(( MAXG - 1 ))"
py_result "r['state'] == 'connected' and r['requests']['FN_CALL'] == $CALLS"
ctl_ok metrics
[ "$(grep -c '^hostlane_guest_connected{' <<< "$OUT")" -eq "$MAXG" ] ||
	fail "metrics: $(grep -c '^hostlane_guest_connected{' <<< "$OUT") guest_connected lines, not $MAXG"
[ "$(grep -c '^hostlane_guest_connected{.*} 1$' <<< "$OUT")" -eq "$NCONN" ] ||
	fail "metrics: connected guests are not $NCONN"
pass "guest list, stats and metrics: $MAXG guests, $NCONN connected"

# Disconnected: out of the poll list again.
touch "$T/release"
wait "$LOW" || fail "low client exit status: $(cat "$T/low.log")"
wait "$HIGH" || fail "high client exit status: $(cat "$T/high.log")"
# Reaped: their pids are no longer ours for cleanup to signal.
pids=()
for p in "${HL_PIDS[@]}"; do [ "$p" = "$LOW" ] || [ "$p" = "$HIGH" ] || pids+=("$p"); done
HL_PIDS=("${pids[@]}")
polled0() {
	ctl --json lcore list
	python3 -c "import json,sys; r=json.load(sys.stdin)['result']; sys.exit(0 if [l['polled'] for l in r if l['role'] == 'io'] == [0] else 1)" <<< "$OUT"
}
wait_for 20 polled0 || fail "disconnected guests still polled: $OUT"
pass "disconnected guests leave the poll list"

hl_stop || fail "hostlane exit status"
