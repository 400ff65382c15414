# Helpers for the control-plane func tests: hostlane with a control socket
# at $T/run/control.sock and its own DPDK file prefix (so dpdk-telemetry.py
# finds exactly this process), hostlanectl, and a guest client.
. "$(dirname "$0")/../func/lib.sh"

CTL="$HOSTLANE_BUILD/control/hostlanectl"
CLIENT="$HOSTLANE_BUILD/tests/control/ctl_guest_client"
DEMO="$HOSTLANE_BUILD/examples/offload_demo"
PREFIX="hlctl$$"
export HOSTLANE_CONTROL="$T/run/control.sock"

trap 'cleanup; rm -rf "/var/run/dpdk/$PREFIX"' EXIT

# ctl_conf KEY=VALUE...: the embedded default config with these [hostlane]
# keys added, in $T/ctl.conf (pass it as: ctl_start --config "$T/ctl.conf").
ctl_conf() {
	local extra=""
	for kv in "$@"; do extra="$extra${kv%%=*} = ${kv#*=}\n"; done
	sed "s|^\[hostlane\]\$|[hostlane]\n$extra|" \
		"$HOSTLANE_SRC/config/hostlane.conf" > "$T/ctl.conf"
}

# ctl_start [hostlane args after --]: like hl_start, and waits for the
# control socket.
ctl_start() {
	rm -f "$T/hostlane.log"
	# shellcheck disable=SC2046
	"$HL_BIN" --lcores '0@0,1@1' --no-pci $(eal_mem 256) --file-prefix "$PREFIX" \
		-- --runtime-dir "$T/run" "$@" > "$T/hostlane.log" 2>&1 &
	HL_PID=$!
	HL_PIDS+=("$HL_PID")
	wait_for 20 test -S "$HOSTLANE_CONTROL" ||
		{ cat "$T/hostlane.log"; fail "no control socket"; }
}

# ctl ARGS...: hostlanectl; output in $OUT, exit status in $RC.
ctl() {
	OUT=$("$CTL" "$@" 2>&1); RC=$?
}

# ctl_ok ARGS...: hostlanectl must succeed.
ctl_ok() {
	ctl "$@"
	[ "$RC" -eq 0 ] || fail "hostlanectl $* exited $RC: $OUT"
}

# ctl_err CODE STATUS ARGS...: hostlanectl must fail with exit STATUS and,
# for status 1, the error code CODE.
ctl_err() {
	local code=$1 status=$2; shift 2
	ctl "$@"
	[ "$RC" -eq "$status" ] || fail "hostlanectl $* exited $RC, not $status: $OUT"
	[ "$status" -ne 1 ] || echo "$OUT" | grep -q "hostlanectl: $code:" ||
		fail "hostlanectl $*: no $code error: $OUT"
}

# holder_start hold|keep SOCKET SECRET N: ctl_guest_client in the background,
# its output in $T/holder.log (a file, not a coproc: bash unsets a coproc's
# fds when it reaps the process, so its last words could not be read), its
# stdin a FIFO held open here; returns once it said "ready".
holder_start() {
	rm -f "$T/holder.in" "$T/holder.log"
	mkfifo "$T/holder.in" || fail "mkfifo $T/holder.in"
	# Read-write: opening a FIFO so never blocks, even if the holder died
	# before opening its end.
	exec {HOLD_FD}<> "$T/holder.in"
	"$CLIENT" "$@" < "$T/holder.in" > "$T/holder.log" 2>&1 &
	HOLD_PID=$!
	HL_PIDS+=("$HOLD_PID")
	holder_line '^ready$' || fail "holder did not start: $(cat "$T/holder.log")"
}

# holder_line ERE: wait (20 s at most) for a line of the holder's output
# matching ERE; it goes in $HOLD_LINE.
holder_line() {
	wait_for 20 grep -Eq "$1" "$T/holder.log" || return 1
	HOLD_LINE=$(grep -E "$1" "$T/holder.log" | tail -n 1)
}

# holder_go: let the holder make its last call; its exit status in
# $HOLD_RC, its "after: ..." line in $HOLD_LINE.
holder_go() {
	echo go >&"$HOLD_FD"
	holder_line '^after: ' || fail "holder said nothing after go: $(cat "$T/holder.log")"
	wait "$HOLD_PID"; HOLD_RC=$?
	exec {HOLD_FD}>&-
	# Reaped: its pid is no longer ours for cleanup to signal.
	local p pids=()
	for p in "${HL_PIDS[@]}"; do [ "$p" = "$HOLD_PID" ] || pids+=("$p"); done
	HL_PIDS=("${pids[@]}")
}

# py_check EXPR: the --json reply in $OUT satisfies a python expression on r.
py_check() { py_on '' "$1"; }

# py_result EXPR: likewise, with r the reply's "result".
py_result() { py_on '["result"]' "$1"; }

# py_on SUBSCRIPT EXPR: EXPR holds for r = the reply in $OUT, SUBSCRIPT taken.
py_on() {
	python3 -c "import json,sys; r=json.loads(sys.argv[1])$1; sys.exit(0 if ($2) else 1)" "$OUT" ||
		fail "check '$2' failed on: $OUT"
}

# raw LINE: send one line to the control socket, print the reply line.
raw() {
	python3 - "$HOSTLANE_CONTROL" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while b"\n" not in buf:
    d = s.recv(65536)
    if not d:
        break
    buf += d
print(buf.decode().strip())
PY
}
