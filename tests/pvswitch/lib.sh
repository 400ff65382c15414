# Helpers for the PV switch func tests: the real hostlane (tests/func/lib.sh)
# with vhost-user guests, dpdk-testpmd with virtio_user as the VM stand-in,
# pcap files as uplinks to count what left, and hostlane's switch counters.
. "$(dirname "$0")/../func/lib.sh"

command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd not installed (apt-get install dpdk)"
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"

# vm NAME SOCKET MAC ARGS...: testpmd with a virtio_user port on a vhost-user
# socket of hostlane, port MAC MAC, testpmd options ARGS; stats every second
# in $T/NAME.log. Its memory must be shareable with hostlane, hence --no-huge
# (hugepages with --in-memory cannot be passed over vhost-user). Its
# forwarding lcore shares core 0 with hostlane's mostly idle main lcore.
# Sets VM_PID.
vm() {
	local name=$1 sock=$2 mac=$3; shift 3
	stdbuf -oL dpdk-testpmd --lcores '0@0,1@0' --main-lcore 0 --no-pci \
		--no-huge --no-shconf -m 256 --file-prefix "hl-$name-$$" \
		--vdev "virtio_user0,path=$sock,mac=$mac,queues=1" \
		-- --total-num-mbufs=8192 --stats-period 1 "$@" \
		> "$T/$name.log" 2>&1 < /dev/null &
	VM_PID=$!
	HL_PIDS+=("$VM_PID")
}

# vm_stop PID: SIGTERM a testpmd and wait for it.
vm_stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# rx_over LOG N: testpmd's RX-packets in LOG exceed N.
rx_over() { local r; r=$(tp_rx "$1"); [ "${r:-0}" -gt "$2" ]; }
tx_over() { local r; r=$(tp_tx "$1"); [ "${r:-0}" -gt "$2" ]; }

# link_up GUEST: hostlane has seen the guest's vhost-user link come up.
link_up() { grep -q "guest $1: link up" "$T/hostlane.log"; }

# sw KIND NAME FIELD: a switch counter from the lines hostlane logs when it
# stops ("pvswitch: guest vm0: switched=... flooded=..."); KIND guest|port.
sw() {
	grep "pvswitch: $1 $2:" "$T/hostlane.log" | tail -1 |
		grep -o " $3=[0-9]*" | cut -d= -f2
}

# pcap_count FILE [SRC_MAC]: frames in a pcap file (with that source MAC).
pcap_count() {
	python3 - "$@" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
src = bytes.fromhex(sys.argv[2].replace(":", "")) if len(sys.argv) > 2 else None
off, n = 24, 0
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    frame = data[off + 16:off + 16 + incl]
    if src is None or frame[6:12] == src:
        n += 1
    off += 16 + incl
print(n)
PY
}
