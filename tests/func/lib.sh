# Shared helpers for the func tests: start the real hostlane binary and real
# peers, wait for conditions (bounded, never timed assertions), clean up.
# Sourced by each test; each test runs in its own temporary directory.
set -u

: "${HOSTLANE_BUILD:?run through meson test}"
: "${HOSTLANE_SRC:?run through meson test}"
HL_BIN="$HOSTLANE_BUILD/dataplane/hostlane"
T=$(mktemp -d /tmp/hostlane-test.XXXXXX)
HL_PIDS=()

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
pass() { echo "PASS: $*"; }

cleanup() {
	for p in "${HL_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${HL_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

eal_mem() { bash "$HOSTLANE_SRC/scripts/eal-mem.sh" "${1:-256}"; }

# wait_for SECONDS CMD...: poll CMD every 0.1 s; 1 if it never succeeds.
wait_for() {
	local limit=$(( $1 * 10 )); shift
	for _ in $(seq "$limit"); do "$@" && return 0; sleep 0.1; done
	return 1
}

# hl_start [hostlane args after --]: hostlane on core 1, main lcore on core 0.
# Sets HL_PID; output in $T/hostlane.log.
hl_start() {
	rm -f "$T/hostlane.log"
	# shellcheck disable=SC2046
	"$HL_BIN" --lcores '0@0,1@1' --no-pci $(eal_mem 256) \
		-- --runtime-dir "$T/run" "$@" > "$T/hostlane.log" 2>&1 &
	HL_PID=$!
	HL_PIDS+=("$HL_PID")
	wait_for 20 grep -q "hostlane: running" "$T/hostlane.log" ||
		{ cat "$T/hostlane.log"; fail "hostlane did not start"; }
}

# hl_stop: SIGTERM, wait, return its exit status.
hl_stop() {
	kill -TERM "$HL_PID"
	wait "$HL_PID"
}

# testpmd_client NAME SOCKET SECRET: a DPDK net_memif client echoing in a
# loop (io forwarding), stats each second in $T/NAME.log. Sets TP_PID.
testpmd_client() {
	command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd not installed"
	# shellcheck disable=SC2046
	stdbuf -oL dpdk-testpmd --lcores '0@1,1@0' --main-lcore 0 --no-pci \
		$(eal_mem 256) --log-level=pmd.net.memif:info \
		--vdev "net_memif0,role=client,socket=$2,socket-abstract=no,secret=$3" \
		-- --total-num-mbufs=16384 --port-topology=loop --forward-mode=io \
		--tx-first --stats-period 1 > "$T/$1.log" 2>&1 < /dev/null &
	TP_PID=$!
	HL_PIDS+=("$TP_PID")
}

# Largest RX-packets figure testpmd printed so far in log $1.
tp_rx() { grep -o 'RX-packets: *[0-9]*' "$1" | awk '{print $2}' | sort -n | tail -1; }
tp_tx() { grep -o 'TX-packets: *[0-9]*' "$1" | awk '{print $2}' | sort -n | tail -1; }
