#!/usr/bin/env bash
# `guest move` refused with a clear error for each bad request (issue 16
# §2): unknown guest, not connected, the lcore it is on, not an I/O lcore,
# handler switch, no room for its budget there; and a refused move leaves
# the guest served where it was. (A move already under way: test_move_sock.)
. "$(dirname "$0")/move_lib.sh"

# Placement (roundrobin, the first on ties): sw -> 1, big -> 2, g0 -> 1,
# g1 -> 2. Lcore 2's pending pool is then full (4064 + 32 = 4096).
cat > "$T/err.conf" <<'CONF'
[hostlane]
pending_per_lcore = 4096

[guest sw]
handler = switch

[guest big]
handler = hostlane
max_inflight = 4064

[guest g0]
handler = hostlane
functions = echo
max_inflight = 32

[guest g1]
handler = hostlane
max_inflight = 32
CONF

# refused WHAT CODE TEXT ARGS...: `guest move ARGS` fails with CODE, TEXT.
refused() {
	local what=$1 code=$2 text=$3 out
	shift 3
	out=$(ctlj guest move "$@") && fail "$what: accepted: $out"
	[[ $out == *"\"$code\""* && $out == *"$text"* ]] ||
		fail "$what: got '$out', want $code and '$text'"
}

HL_LCORES='0@0,1@1,2@1' hl_start --config "$T/err.conf"
for g in sw:1 big:2 g0:1 g1:2; do
	[ "$(lcore_of "${g%:*}")" = "${g#*:}" ] || fail "${g%:*} not on lcore ${g#*:}"
done
# g0 calls all along (one connection, 8 calls in flight).
taskset -c 0 "$SOAK" "$T/run" 1 8 3600 > "$T/soak.out" 2> "$T/soak.err" &
SOAK_PID=$!
HL_PIDS+=("$SOAK_PID")
wait_for 20 grep -q '^started' "$T/soak.out" || { cat "$T/soak.err"; fail "g0 did not connect"; }

refused "unknown guest" not_found "no guest 'nope'" nope 2
refused "not connected" bad_args "guest g1 is not connected" g1 1
refused "same lcore" exists "guest g0 is already on lcore 1" g0 1
refused "main lcore" bad_args "lcore 0 is not an I/O lcore" g0 0
refused "no such lcore" bad_args "lcore 77 is not an I/O lcore" g0 77
refused "lcore out of range" bad_args "not an I/O lcore" g0 100000
refused "handler switch" unsupported "guest sw has handler switch" sw 2
refused "no room" no_space "lcore 2 has room for 0 calls in flight, guest g0 needs 32" g0 2
out=$(ctl guest move g0) && fail "no lcore: accepted: $out"
[[ $out == *"missing lcore"* ]] || fail "no lcore: $out"

# None of that moved anything, and g0's calls went on throughout.
[ "$(lcore_of g0)" = 1 ] || fail "g0 left lcore 1"
! grep -q "moved from\|abandoned" "$T/hostlane.log" || fail "a refused move moved or began"
kill -INT "$SOAK_PID"
wait "$SOAK_PID" || { cat "$T/soak.err"; fail "g0's calls: $(grep '^soak' "$T/soak.out")"; }
grep -q 'wrong 0 failed 0 dup 0 lost 0$' "$T/soak.out" || fail "g0's calls: $(cat "$T/soak.out")"
hl_stop || fail "hostlane exited $?"
pass "every bad move refused with its reason; nothing moved"
