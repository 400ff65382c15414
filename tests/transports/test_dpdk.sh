#!/usr/bin/env bash
# libhostlane over dpdk: — a virtio_user port (the VM stand-in) attached to
# hostlane's vhost-user guest: factorial, fibonacci, echo, crc32c, 200 async
# calls, offload_demo, and a dead host ending a call with HL_E_DISCONNECTED.
. "$(dirname "$0")/lib.sh"

[ -n "${HOSTLANE_DPDK_PLUGIN:-}" ] ||
	skip "libhostlane-dpdk.so not built: no libdpdk (libdpdk-dev) when configured"
[ -f "$HOSTLANE_DPDK_PLUGIN" ] || fail "libhostlane-dpdk.so not at $HOSTLANE_DPDK_PLUGIN"
tm_need_pmd net_virtio	# virtio_user
# Under ASan: DPDK's virtio PMD leaks at exit; not ours to fix.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$HOSTLANE_SRC/tests/transports/lsan-dpdk.supp"
SOCK="$T/run/vm0.sock"
mkdir -p "$T/run"
cat > "$T/vhost.conf" <<CONF
[hostlane]
mbufs = 16383

[guest vm0]
channel = vhost
socket = $SOCK
handler = hostlane
functions = all
CONF
hl_start --config "$T/vhost.conf"
wait_for 10 test -S "$SOCK" || fail "no vhost-user socket at $SOCK"

# virtio_user shares its memory table with the backend: memfd-backed memory,
# hence --no-huge with --no-shconf. One lcore, on the core hostlane's main
# lcore sleeps on; --file-prefix keeps it apart from other DPDK processes.
uri() {
	echo "dpdk:--no-huge --no-shconf -m 128 --no-pci -l 0 --file-prefix hl-tc$1 \
--log-level=lib.eal:error --vdev=virtio_user0,path=$SOCK,queues=1"
}

for mode in poll hybrid intr; do
	tc_run "$T/tc-$mode.log" "$(uri "$mode")" -w "$mode"
	grep -q "fibonacci(93) = 12200160415121876738" "$T/tc-$mode.log" ||
		fail "fibonacci(93) not seen"
	pass "dpdk: transport, wait mode $mode"
done

timeout 60 "$DEMO" "$(uri demo)" > "$T/demo.log" 2>&1 ||
	{ cat "$T/demo.log"; fail "offload_demo over dpdk:"; }
cat "$T/demo.log"
grep -q "factorial  (20, 1000 repetitions) = 2432902008176640000" "$T/demo.log" ||
	fail "offload_demo: factorial(20)"
grep -q "crc32c     (\"123456789\") = 0xe3069283" "$T/demo.log" ||
	fail "offload_demo: crc32c"
pass "offload_demo over dpdk:"

# A dead host: the link of the virtio_user port drops, the call ends.
tc_dead_host "$(uri dead)" HL_E_DISCONNECTED hl_kill
pass "dpdk: a dead host ends the call"
