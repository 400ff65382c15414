# shellcheck shell=bash
# Shared set-up for the crash tests: tests/func/lib.sh's helpers, a config
# with two offload guests, crash_client, and control-plane probes.
# shellcheck source=../func/lib.sh
. "$(dirname "$0")/../func/lib.sh"

CC_BIN="$HOSTLANE_BUILD/tests/crash/crash_client"
CTL="$HOSTLANE_BUILD/control/hostlanectl"
[ -x "$CC_BIN" ] || fail "crash_client not built at $CC_BIN"
[ -x "$CTL" ] || fail "hostlanectl not built at $CTL"
RUN="$T/run"

cat > "$T/crash.conf" <<'CONF'
[hostlane]
mbufs = 16383
handshake_timeout_ms = 2000

[guest g1]
secret = g1-secret
handler = hostlane
functions = all
max_sessions = 8
max_inflight = 256

[guest g2]
secret = g2-secret
handler = hostlane
functions = all
max_sessions = 8
max_inflight = 256
CONF

# ctlj ARGS...: hostlanectl --json on this hostlane's control socket.
ctlj() { "$CTL" --socket "$RUN/control.sock" --json "$@" 2>&1; }

# jget JSON EXPR: a python expression on the reply's result r.
jget() {
	python3 -c 'import json,sys; r=json.loads(sys.argv[1])["result"]; print(eval(sys.argv[2]))' "$1" "$2"
}

# A number out of `stats GUEST` (the --json form), without python: this is
# polled in a tight bounded loop, so it must be cheap.
# stat_num JSON KEY: the first "KEY":N in JSON.
stat_num() { local re="\"$2\":([0-9]+)"; [[ $1 =~ $re ]] && echo "${BASH_REMATCH[1]}"; }

hl_alive() {
	kill -0 "$HL_PID" 2>/dev/null || { cat "$T/hostlane.log"; fail "hostlane died"; }
}

# cc_bg NAME ARGS...: crash_client in the background, output in $T/NAME.log;
# sets CC_PID.
cc_bg() {
	local name=$1; shift
	"$CC_BIN" "$@" > "$T/$name.log" 2>&1 &
	CC_PID=$!
	HL_PIDS+=("$CC_PID")
}

# wait_line NAME WORD SECONDS: the client's log shows WORD.
wait_line() {
	wait_for "$3" grep -q "$2" "$T/$1.log" || { cat "$T/$1.log"; fail "$1: no $2 within $3 s"; }
}
