#!/usr/bin/env bash
# Dedicated-mode VF switch (issue 14 §7): time and frames lost per assign
# and per revoke, and a guest's frame rate on a dedicated VF stand-in
# against the same guest through the PV switch, in one run.
#
# Usage: bench/vf_switch.sh [--quick] [--cycles N] [--pairs N] [--ms MS]
#                           [--build DIR] [--out FILE]
#
# Switch: tests/vf's vf_host assigns and revokes the guest's VF (net_memif
# stand-ins) --cycles times while vf_wire's guest sends 10 kpps in 4
# numbered flows and the wire sends 2.5 kpps back; every frame is accounted
# for. Assign = the call until the guest's frames go to the VF (probe,
# start, link up); revoke = the call until they go to the PV switch again,
# and until the VF is drained, stopped and removed. Targets: <= 50 ms and
# 0 lost (FlexVF: 640 ms plug, 56 ms unplug).
# Rate: the guest sends as fast as it can; vf_host alternates PV and VF
# phases of --ms, the order turning every pair (BENCH-NOTES: A/B in pairs,
# ratios per pair, the median ratio), and counts the frames hostlane
# delivered to the wire on each path. The guest and the wire share core 0
# with hostlane's main lcore, so the rate may be generator-bound: the
# ratio then says the VF path is not slower, not how much faster.
# Exit status: 0 done, 1 a run failed, 2 bad usage, 77 missing tools.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
cycles=20
pairs=5
ms=1000
hold=100
build=${HOSTLANE_BUILD:-$src/build}
out=

usage() { sed -n '6,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--quick) cycles=5; pairs=1; ms=500; hold=50 ;;
	--cycles) cycles=${2:?}; shift ;;
	--pairs) pairs=${2:?}; shift ;;
	--ms) ms=${2:?}; shift ;;
	--build) build=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	-h|--help) usage ;;
	*) echo "vf_switch: unknown option $1" >&2; usage ;;
	esac
	shift
done
build=$(cd "$build" && pwd)
: "${out:=$build/bench-results/vf_switch.md}"
mkdir -p "$(dirname "$out")"
export HOSTLANE_BUILD=$build HOSTLANE_SRC=$src
[ -n "${HOSTLANE_DPDK_PMDS+x}" ] || export HOSTLANE_DPDK_PMDS=
# shellcheck source=../tests/func/lib.sh
. "$src/tests/func/lib.sh"
# shellcheck source=../tests/vf/lib.sh
. "$src/tests/vf/lib.sh"
vf_need

# stats: median, 90th percentile and max of numbers on stdin, "-" if none.
stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- | - | -"; exit }
		p = int(NR * 0.9 + 0.999); if (p > NR) p = NR
		printf "%.1f | %.1f | %.1f\n", v[int((NR + 1) / 2)] / 1000, v[p] / 1000, v[NR] / 1000 }'
}

# ---- switch times and frames lost ------------------------------------------
vf_wire_start 3 --flows 4 --rate 10000 --rev-rate 2500 --max-changes $((2 * cycles))
wire=$WIRE_PID
vf_host_start 3 --cycles "$cycles" --hold-ms "$hold"
host=$HOST_PID
wait_for $((cycles + 60)) grep -q "^done:" "$T/host.log" ||
	{ cat "$T/host.log"; fail "the switch cycles did not finish"; }
vf_finish "$wire" "$host"; wrc=$WIRE_RC
[ "$HOST_RC" = 0 ] || { tail -20 "$T/host.log"; fail "vf_host failed (exit $HOST_RC)"; }
grep "^switch" "$T/host.log"
grep "^fwd: sent\|^rev: sent" "$T/wire.log"
flost=$(grep "^fwd: sent" "$T/wire.log" | grep -o "lost [0-9]*" | awk '{print $2}')
rlost=$(grep "^rev: sent" "$T/wire.log" | grep -o "lost [0-9]*" | awk '{print $2}')
fsent=$(grep -o "^fwd: sent [0-9]*" "$T/wire.log" | awk '{print $3}')
rsent=$(grep -o "^rev: sent [0-9]*" "$T/wire.log" | awk '{print $3}')
a=$(vf_us "$T/host.log" "on the VF after" | stats)
r=$(vf_us "$T/host.log" "on the PV path after" | stats)
d=$(vf_us "$T/host.log" "removed after" | stats)

# ---- guest frame rate: dedicated VF vs PV switch, alternated --------------
rm -f "$T"/*.sock
vf_wire_start 1 --flows 1 --rate 0 --max-frames 0 --max-changes 1000000
wire=$WIRE_PID
vf_host_start 1 --cycles 0 --ab-pairs "$pairs" --ab-ms "$ms"
host=$HOST_PID
wait_for $((pairs * ms * 2 / 1000 + 60)) grep -q "^done:" "$T/host.log" ||
	{ cat "$T/host.log"; fail "the rate pairs did not finish"; }
vf_finish "$wire" "$host"
[ "$HOST_RC" = 0 ] || { tail -20 "$T/host.log"; fail "vf_host failed in the rate pairs (exit $HOST_RC)"; }
grep "^ab pair" "$T/host.log"
ratios=$(grep -o "ratio vf/pv [0-9.]*" "$T/host.log" | awk '{print $3}')
med=$(echo "$ratios" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }')

{
	echo "# Dedicated-mode VF switch (bench/vf_switch.sh)"
	echo
	echo "$(date -u +%F) on $(nproc) CPUs, $cycles assign/revoke cycles over 3 net_memif VF stand-ins;"
	echo "the guest sent 4 numbered flows at 10 kpps, the wire 2.5 kpps back, without pause."
	echo
	echo "| switch (ms) | median | p90 | max |"
	echo "|---|---|---|---|"
	echo "| assign: call → guest on the VF | $a |"
	echo "| revoke: call → guest on the PV path | $r |"
	echo "| revoke: call → VF drained, stopped, removed | $d |"
	echo
	echo "Frames lost: guest → wire ${flost:-?} of ${fsent:-?}, wire → guest ${rlost:-?} of ${rsent:-?}" \
		"over $((2 * cycles)) switches (wire verdict: exit $wrc). Targets: <= 50 ms, 0 lost;" \
		"FlexVF measured 640 ms plug, 56 ms unplug."
	echo
	echo "Guest frame rate, delivered by hostlane, dedicated VF / PV switch ($pairs pairs of ${ms} ms, order alternating):"
	echo
	echo "| pair | first | PV (pps) | VF (pps) | VF/PV |"
	echo "|---|---|---|---|---|"
	grep "^ab pair" "$T/host.log" | sed -E 's/^ab pair ([0-9]+) \(([a-z]+) first\): pv ([0-9]+) pps, vf ([0-9]+) pps, ratio vf\/pv ([0-9.]+)/| \1 | \2 | \3 | \4 | \5 |/'
	echo
	echo "Median VF/PV: $med. The guest and the wire run on core 0 with hostlane's main lcore;"
	echo "when both paths give about the same rate the run was generator-bound."
} > "$out"
cat "$out"
[ "$wrc" = 0 ] || exit 1
