#!/usr/bin/env bash
# With function worker lcores configured, software calls travel to a worker
# over rte_rings and come back: the demo guest's results are still right.
. "$(dirname "$0")/lib.sh"

demo="$HOSTLANE_BUILD/examples/offload_demo"
[ -x "$demo" ] || fail "examples/offload_demo not built at $demo"
cat > "$T/workers.conf" <<'CONF'
[hostlane]
worker_lcores = 1
[guest g0]
secret = s3cret
handler = hostlane
CONF
# Three lcores on two cores: main on 0, I/O on 1, the function worker on 0.
"$HL_BIN" --lcores '0@0,1@1,2@0' --no-pci $(eal_mem 256) \
	-- --runtime-dir "$T/run" --config "$T/workers.conf" > "$T/hostlane.log" 2>&1 &
HL_PID=$!
HL_PIDS+=("$HL_PID")
wait_for 20 grep -q "hostlane: running" "$T/hostlane.log" ||
	{ cat "$T/hostlane.log"; fail "hostlane did not start"; }
grep -q "1 function workers" "$T/hostlane.log" || fail "no function worker"
grep -q "worker lcore 2: serving 1 I/O lcores" "$T/hostlane.log" || fail "worker not linked"
out=$(timeout 60 "$demo" "$T/run/g0.sock" s3cret) || { echo "$out"; fail "demo failed"; }
echo "$out" | grep -q "factorial  (20, 1000 repetitions) = 2432902008176640000" ||
	fail "wrong factorial via worker: $out"
echo "$out" | grep -q 'crc32c     ("123456789") = 0xe3069283' || fail "wrong crc32c: $out"
hl_stop || fail "unclean stop"
pass "calls run on a function worker lcore"
