# shellcheck shell=bash
# Shared by the vhost-user reconnect tests (tests/vhost/, tests/vm/): one
# vhost-user guest vm0 on hostlane, its counts through hostlanectl, hostlane
# restarts that keep each run's log, and the fd and mapping counts of the
# hostlane process, which must come back to a baseline after every
# reconnect. Sourced after tests/func/lib.sh.

CTL="$HOSTLANE_BUILD/control/hostlanectl"
[ -x "$CTL" ] || fail "hostlanectl not built at $CTL"
export HOSTLANE_CONTROL="$T/run/control.sock"
mkdir -p "$T/run"
HL_RUNS=0

# vhost_conf CLIENT SOCKET: $T/vhost.conf with guest vm0 on SOCKET;
# CLIENT yes: hostlane connects to it (and reconnects), no: it listens.
vhost_conf() {
	cat > "$T/vhost.conf" <<CONF
[hostlane]
mbufs = 16383

[guest vm0]
channel = vhost
socket = $2
vhost_client = $1
handler = hostlane
functions = all
CONF
}

# hl_up: start hostlane on $T/vhost.conf (like hl_start); run N's log
# stays in $T/hostlane.N.log ($T/hostlane.log is the current run's). No
# DPDK telemetry: with the shared default file prefix any other DPDK
# process's telemetry client could connect to it, and the thread DPDK
# starts per telemetry client leaves a cached stack and a malloc arena -
# mappings the leak checks would see.
hl_up() {
	HL_RUNS=$((HL_RUNS + 1))
	rm -f "$T/hostlane.log"
	# shellcheck disable=SC2046
	"$HL_BIN" --lcores '0@0,1@1' --no-pci $(eal_mem 256) --no-telemetry \
		-- --runtime-dir "$T/run" --config "$T/vhost.conf" > "$T/hostlane.log" 2>&1 &
	HL_PID=$!
	HL_PIDS+=("$HL_PID")
	wait_for 20 grep -qs "hostlane: running" "$T/hostlane.log" ||
		{ cat "$T/hostlane.log"; fail "hostlane did not start"; }
	wait_for 20 test -S "$HOSTLANE_CONTROL" || fail "no control socket"
}

# hl_down SIGNAL: end the current hostlane with SIGNAL (TERM: a clean stop,
# which must exit 0 - under ASan, also without leaks; KILL: a crash) and
# keep its log.
hl_down() {
	local rc
	kill "-$1" "$HL_PID"
	wait "$HL_PID" 2>/dev/null; rc=$?
	cp "$T/hostlane.log" "$T/hostlane.$HL_RUNS.log"
	[ "$1" != TERM ] || [ "$rc" -eq 0 ] ||
		{ tail -30 "$T/hostlane.log"; fail "hostlane exit $rc after SIGTERM"; }
}

# links WORD: how many "guest vm0: link WORD" lines this run logged.
links() { grep -c "guest vm0: link $1" "$T/hostlane.log"; }

# gfield FIELD: a field of `guest show vm0` (sessions, inflight, state).
gfield() {
	"$CTL" --json guest show vm0 | python3 -c \
		'import json,sys; print(json.load(sys.stdin)["result"][sys.argv[1]])' "$1"
}

# gconn KEY: a connections counter of `stats vm0` (connects, disconnects).
gconn() {
	"$CTL" --json stats vm0 | python3 -c \
		'import json,sys; print(json.load(sys.stdin)["result"]["connections"][sys.argv[1]])' "$1"
}

# Sessions the function manager holds, over every function.
fn_sessions() {
	"$CTL" --json fn list | python3 -c \
		'import json,sys; print(sum(f["sessions"] for f in json.load(sys.stdin)["result"]))'
}

# vm0 back to its baseline: no connection, no session, no call in flight,
# nothing left in the function manager's books.
guest_idle() {
	[ "$(gfield state)" != connected ] && [ "$(gfield sessions)" = 0 ] &&
		[ "$(gfield inflight)" = 0 ] && [ "$(fn_sessions)" = 0 ]
}

# guest_busy: vm0 connected with a session open.
guest_busy() {
	[ "$(gfield state)" = connected ] && [ "$(gfield sessions)" -ge 1 ]
}

hl_fds() { find "/proc/$HL_PID/fd" -mindepth 1 | wc -l; }
hl_maps() { wc -l < "/proc/$HL_PID/maps"; }
fds_maps() { echo "$(hl_fds) fds, $(hl_maps) mappings"; }

# leak_base: the fd and mapping counts every later leak_check must see again.
leak_base() {
	BASE=$(fds_maps)
	cp "/proc/$HL_PID/maps" "$T/maps.base"
	echo "baseline: $BASE"
}

# leak_check WHAT: the counts come back to the baseline. A transient extra
# fd (a vhost-user reconnect attempt in flight) is waited out; a leak stays.
leak_check() {
	local now
	same() { now=$(fds_maps); [ "$now" = "$BASE" ]; }
	wait_for 20 same || {
		ls -l "/proc/$HL_PID/fd"
		echo "threads: $(cat /proc/"$HL_PID"/task/*/comm | tr '\n' ' ')"
		echo "--- mappings, baseline vs now:"
		diff "$T/maps.base" "/proc/$HL_PID/maps"
		fail "$1: hostlane has $now, baseline $BASE"
	}
	echo "$1: $now"
}
