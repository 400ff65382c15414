# shellcheck shell=bash
# Shared set-up for the transport tests: tests/func/lib.sh's helpers and the
# transport_check client.
# shellcheck source=../func/lib.sh
. "$(dirname "$0")/../func/lib.sh"

TC="$HOSTLANE_BUILD/tests/transports/transport_check"
DEMO="$HOSTLANE_BUILD/examples/offload_demo"
[ -x "$TC" ] || fail "transport_check not built at $TC"
# Clients run through TC_WRAP (e.g. ip netns exec NS); the dead-host client
# gets TC_EXTRA as extra arguments.
TC_WRAP=()
TC_EXTRA=()

# tc_run LOG URI ARGS...: run transport_check, show its output, fail unless
# it passed.
tc_run() {
	local log=$1 rc; shift
	timeout 60 "${TC_WRAP[@]}" "$TC" "$@" > "$log" 2>&1
	rc=$?
	cat "$log"
	[ "$rc" -eq 0 ] || { tail -20 "$T/hostlane.log"; fail "transport_check $1 (exit $rc)"; }
	grep -q '^PASS$' "$log" || fail "transport_check $1 did not pass"
}

# tc_dead_host URI EXPECT KILL-CMD...: a client finishes its calls, the test
# runs KILL-CMD (kill hostlane, ...), then the client's next call must fail
# with status EXPECT within its timeout.
tc_dead_host() {
	local uri=$1 expect=$2 pid rc; shift 2
	"${TC_WRAP[@]}" "$TC" "$uri" "${TC_EXTRA[@]}" -k "$T/killed" "$expect" > "$T/tc-dead.log" 2>&1 &
	pid=$!
	wait_for 30 grep -q "waiting for" "$T/tc-dead.log" ||
		{ cat "$T/tc-dead.log"; fail "client did not get to the kill"; }
	"$@"
	touch "$T/killed"
	wait "$pid"; rc=$?
	cat "$T/tc-dead.log"
	grep -q "^after kill: $expect" "$T/tc-dead.log" ||
		fail "a dead host did not end the call with $expect"
	[ "$rc" -eq 0 ] || fail "transport_check (dead host) exit $rc"
}

# hl_kill: SIGKILL hostlane, no clean-up of its own.
hl_kill() {
	kill -KILL "$HL_PID"
	wait "$HL_PID" 2>/dev/null
}
