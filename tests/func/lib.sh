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
# A skip is a fact about the machine (a package, a binary, a device node
# absent), checked before it is used; whatever goes wrong after is fail.
skip() { echo "SKIP: $*"; exit 77; }
pass() { echo "PASS: $*"; }

# tm_need_pmd LIB: skip unless DPDK's driver plugin librte_LIB.so* is
# installed where this DPDK's EAL loads drivers from (tests/meson.build
# sets HOSTLANE_DPDK_PMDS; empty: drivers linked in, nothing to check).
tm_need_pmd() {
	[ -z "${HOSTLANE_DPDK_PMDS:-}" ] ||
		compgen -G "$HOSTLANE_DPDK_PMDS/librte_$1.so*" > /dev/null ||
		skip "DPDK driver $1 not installed (no librte_$1.so* in $HOSTLANE_DPDK_PMDS)"
}

# tm_need_netns: skip unless this machine lets the test make network
# namespaces: iproute2, a kernel with them, CAP_SYS_ADMIN and CAP_NET_ADMIN.
# After this, a namespace that cannot be made is a failure.
tm_need_netns() {
	local cap
	command -v ip > /dev/null || skip "iproute2 (ip) not installed"
	[ -e /proc/self/ns/net ] || skip "kernel without network namespaces"
	cap=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
	(( (0x$cap >> 21 & 1) && (0x$cap >> 12 & 1) )) ||
		skip "needs CAP_SYS_ADMIN and CAP_NET_ADMIN (network namespaces)"
}

# tm_veth_add ARGS...: ip ARGS... (a veth pair being made); skip if the
# kernel has no veth driver, fail on any other error.
tm_veth_add() {
	local err
	err=$(ip "$@" 2>&1) && return 0
	case "$err" in
	*"Unknown device type"*) skip "kernel without the veth driver: $err" ;;
	*) fail "ip $*: $err" ;;
	esac
}

# tm_need_sim: skip unless the simulated FPGA was built (Verilator).
tm_need_sim() {
	[ "${HOSTLANE_FPGA_SIM:-0}" = 1 ] ||
		skip "the simulated FPGA is not built (${HOSTLANE_FPGA_SIM_REASON:-no verilator})"
}

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
	"$HL_BIN" --lcores "${HL_LCORES:-0@0,1@1}" --no-pci $(eal_mem 256) \
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
