#!/usr/bin/env bash
# The README's demo, asserted: on the embedded default a guest asks for
# "either" placement and gets the simulated FPGA for factorial, fibonacci
# and crc32c and software for echo, with correct results through both.
. "$(dirname "$0")/lib.sh"

demo="$HOSTLANE_BUILD/examples/offload_demo"
[ -x "$demo" ] || fail "examples/offload_demo not built at $demo"
tm_need_sim
hl_start
grep -q 'fpga sim: attached' "$T/hostlane.log" ||
	{ cat "$T/hostlane.log"; fail "the simulated FPGA is built but did not attach"; }
out=$(timeout 60 "$demo" "$T/run/demo0.sock" demo0-secret) || { echo "$out"; fail "demo failed"; }
echo "$out"
for fn in factorial fibonacci crc32c; do
	echo "$out" | grep -Eq "^  $fn +negotiated, activated on hardware" ||
		fail "$fn not placed on the FPGA"
done
echo "$out" | grep -Eq "^  echo +negotiated, activated on software" || fail "echo not on software"
echo "$out" | grep -q "factorial  (20, 1000 repetitions) = 2432902008176640000" ||
	fail "factorial on the FPGA gave a wrong result"
echo "$out" | grep -q "fibonacci  (93, 1000 repetitions) = 12200160415121876738" ||
	fail "fibonacci on the FPGA gave a wrong result"
echo "$out" | grep -q 'crc32c     ("123456789") = 0xe3069283' || fail "crc32c wrong"
hl_stop || fail "unclean stop"
pass "guest offload placed on the simulated FPGA, results correct"
