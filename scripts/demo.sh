#!/usr/bin/env bash
# The demo guests: what a newcomer sees hostlane do. $1 = runtime dir.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rundir=$1

if [ -x "$top/build/examples/offload_demo" ]; then
	echo "== guest offload demo on $rundir/demo0.sock"
	"$top/build/examples/offload_demo" "$rundir/demo0.sock" demo0-secret || exit 1
fi

echo "== DPDK testpmd as a memif guest of demo1 (echo) for 5 s"
log=$(mktemp /tmp/hostlane-demo.XXXXXX.log)
# shellcheck disable=SC2046
timeout -s INT 5 stdbuf -oL dpdk-testpmd --lcores '0@1,1@0' --main-lcore 0 \
	--no-pci $(bash "$top/scripts/eal-mem.sh" 256) \
	--vdev "net_memif0,role=client,socket=$rundir/demo1.sock,socket-abstract=no,secret=demo1-secret" \
	-- --total-num-mbufs=16384 --port-topology=loop --forward-mode=io \
	--tx-first --stats-period 1 > "$log" 2>&1 < /dev/null
pps=$(grep -o 'Rx-pps: *[0-9]*' "$log" | awk '{print $2}' | sort -n | tail -1)
rx=$(grep -o 'RX-packets: *[0-9]*' "$log" | awk '{print $2}' | sort -n | tail -1)
echo "   frames echoed by hostlane: ${rx:-0} (peak ${pps:-0} frames/s, 64 B)"
rm -f "$log"
[ "${rx:-0}" -gt 0 ]
