# shellcheck shell=bash
# Shared set-up for the offload func tests: tests/func/lib.sh's helpers, a
# test config with three function guests, and the offload_check client.
# shellcheck source=../func/lib.sh
. "$(dirname "$0")/../func/lib.sh"

OC="$HOSTLANE_BUILD/tests/offload/offload_check"
[ -x "$OC" ] || fail "offload_check not built at $OC"
CTL="$HOSTLANE_BUILD/control/hostlanectl"
RUN="$T/run"

# ctlj ARGS...: hostlanectl --json against this test's hostlane.
ctlj() { "$CTL" --socket "$RUN/control.sock" --json "$@" 2>&1; }
# num JSON KEY: the first integer value of "KEY" in JSON.
num() { local re="\"$2\":([0-9]+)"; [[ $1 =~ $re ]] && echo "${BASH_REMATCH[1]}"; }

# ga: a few functions, 4 sessions; gb: everything; gc: one call in flight.
# function_capacity 6 lets ga (4) and gb together exhaust a function.
# offload_check.c hard-codes these numbers (CAPACITY, GA_SESSIONS,
# GB_SESSIONS, MAX_REPS).
cat > "$T/test.conf" <<'CONF'
[hostlane]
mbufs = 16383
handshake_timeout_ms = 5000
function_capacity = 6
max_repetitions = 1000000

[guest ga]
secret = ga-secret
handler = hostlane
functions = echo, factorial, fibonacci
max_sessions = 4
max_inflight = 256

[guest gb]
secret = gb-secret
handler = hostlane
functions = all
max_sessions = 8
max_inflight = 256

[guest gc]
secret = gc-secret
handler = hostlane
functions = factorial
max_sessions = 2
max_inflight = 1
CONF

# oc ARGS...: run offload_check against $RUN; fail the test if it fails.
oc() {
	"$OC" "$RUN" "$@" || fail "offload_check $* (exit $?)"
}

# hostlane must still be up after what a test did to it.
hl_alive() {
	kill -0 "$HL_PID" 2>/dev/null || { cat "$T/hostlane.log"; fail "hostlane died"; }
}

# hl_start_workers: hostlane with the test config plus one function worker
# lcore (software jobs leave the I/O lcore over rte_rings). Three lcores on
# two cores: main on 0, I/O on 1, the worker on 0.
hl_start_workers() {
	sed 's/^\[hostlane\]$/[hostlane]\nworker_lcores = 1/' "$T/test.conf" > "$T/workers.conf"
	rm -f "$T/hostlane.log"
	# shellcheck disable=SC2046
	"$HL_BIN" --lcores '0@0,1@1,2@0' --no-pci $(eal_mem 256) \
		-- --runtime-dir "$RUN" --config "$T/workers.conf" > "$T/hostlane.log" 2>&1 &
	HL_PID=$!
	HL_PIDS+=("$HL_PID")
	wait_for 20 grep -q "hostlane: running" "$T/hostlane.log" ||
		{ cat "$T/hostlane.log"; fail "hostlane did not start"; }
	grep -q "1 function workers" "$T/hostlane.log" ||
		{ cat "$T/hostlane.log"; fail "no function worker"; }
}
