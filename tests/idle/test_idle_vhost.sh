#!/usr/bin/env bash
# Adaptive idle over vhost-user: libhostlane over dpdk: (a virtio_user
# port) on a vhost guest. The vhost PMD's Rx interrupt (the front end's
# kick) is in the lcore's epoll set, so while the connected guest is idle
# the lcore blocks without the idle_sleep_max_us bound: its block count
# over 2 s stays far below the 2 s / 500 us = 4000 of a bounded block (a
# count, loosely bounded at 400, not a time). Its calls after 2 s of idle
# complete, in intr and poll wait modes. On the way, the NUMA node of the
# connected guest's memory is known (0 on a one-node machine).
. "$(dirname "$0")/../func/lib.sh"

GUEST="$HOSTLANE_BUILD/tests/idle/idle_guest"
CTL="$HOSTLANE_BUILD/control/hostlanectl"
[ -x "$GUEST" ] || fail "idle_guest not built at $GUEST"
[ -n "${HOSTLANE_DPDK_PLUGIN:-}" ] ||
	skip "libhostlane-dpdk.so not built: no libdpdk (libdpdk-dev) when configured"
tm_need_pmd net_virtio	# virtio_user
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$HOSTLANE_SRC/tests/transports/lsan-dpdk.supp"
SOCK="$T/run/vm0.sock"
mkdir -p "$T/run"
cat > "$T/vhost.conf" <<CONF
[hostlane]
idle = adaptive

[guest vm0]
channel = vhost
socket = $SOCK
handler = hostlane
functions = echo
CONF
hl_start --config "$T/vhost.conf"
wait_for 10 test -S "$SOCK" || fail "no vhost-user socket at $SOCK"
uri() {
	echo "dpdk:--no-huge --no-shconf -m 128 --no-pci -l 0 --file-prefix hl-iv$1 \
--log-level=lib.eal:error --vdev=virtio_user0,path=$SOCK,queues=1"
}
blocks() {
	"$CTL" --socket "$T/run/control.sock" --json lcore list |
		python3 -c "import json,sys; print([l for l in json.load(sys.stdin)['result'] if l['role'] == 'io'][0]['blocks'])"
}

# The NUMA node of vm0's memory, found in the vhost PMD's link-up event
# (docs/ARCHITECTURE.md, "NUMA placement"): 0 on a one-node machine.
numa_node() {
	"$CTL" --socket "$T/run/control.sock" --json stats vm0 |
		python3 -c "import json,sys; print(json.load(sys.stdin)['result']['numa_node'])"
}
nodes=$(find /sys/devices/system/node -maxdepth 1 -name 'node[0-9]*' 2>/dev/null | wc -l)

# links N WHAT: the log has N lines "guest vm0: link WHAT" (or more).
links() { [ "$(grep -c "guest vm0: link $2" "$T/hostlane.log")" -ge "$1" ]; }
k=0
for mode in intr poll; do
	k=$((k + 1))
	"$GUEST" calls "$(uri "$mode")" "" "$mode" 3000 1 > "$T/$mode.out" 2>&1 &
	gp=$!
	HL_PIDS+=("$gp")
	wait_for 20 links $k up ||
		{ cat "$T/$mode.out"; fail "the virtio_user guest did not come up ($mode)"; }
	if [ "$nodes" -eq 1 ]; then
		wait_for 10 eval '[ "$(numa_node)" = 0 ]' ||
			fail "vm0's numa_node is $(numa_node), not 0 on this one-node machine ($mode)"
	else
		echo "vm0's numa_node: $(numa_node) ($nodes nodes)"
	fi
	sleep 0.5
	b0=$(blocks)
	sleep 2
	b1=$(blocks)
	echo "$mode wait: $((b1 - b0)) blocks in 2 s with the guest connected and idle"
	wait "$gp" || { cat "$T/$mode.out"; tail -20 "$T/hostlane.log"; fail "a call after 3 s of idle failed ($mode)"; }
	grep -q '^ok 1$' "$T/$mode.out" || fail "idle_guest ($mode): $(cat "$T/$mode.out")"
	[ $((b1 - b0)) -lt 400 ] ||
		fail "$((b1 - b0)) blocks in 2 s: the lcore does not sleep on the vhost Rx interrupt"
	wait_for 20 links $k down || fail "no link down after the guest left ($mode)"
done
hl_stop || fail "unclean stop"
pass "adaptive idle over vhost-user: the lcore sleeps on the Rx interrupt; calls after idle served"
