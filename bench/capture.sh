#!/usr/bin/env bash
# Capture's cost on the memif echo rate: hostlane's echo guest (demo1)
# ping-ponged by testpmd's net_memif client (as bench/memif_rate.sh), with
# no capture ("off"), with `hostlanectl capture` of demo1 writing to a file
# ("on": every frame copied twice, in and out), and - with --base - a
# hostlane binary built without the capture code ("base"), so off/base is
# the price of the one branch per burst when no capture runs.
#
# Usage: bench/capture.sh [--quick] [--pairs N] [--secs S] [--base PATH]
#                         [--hostlane PATH] [--out FILE] [--keep-logs]
#
# Modes alternate within a pair (base off on, then on off base, ...) and
# only ratios within a pair are compared. The capture file goes to
# /dev/shm when it exists (the copy's cost, not the disk's). Exit status:
# 0 done, 1 a run moved no frames or a process failed, 2 bad usage, 77
# missing tools.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${HOSTLANE_BUILD:-$src/build}
pairs=3
secs=5
warmup=1
hostlane_bin=$build/dataplane/hostlane
ctl_bin=$build/control/hostlanectl
base_bin=
out=
keep_logs=0

usage() { sed -n '9,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--quick) pairs=1; secs=3; warmup=1 ;;
	--pairs) pairs=${2:?}; shift ;;
	--secs) secs=${2:?}; shift ;;
	--base) base_bin=${2:?}; shift ;;
	--hostlane) hostlane_bin=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--keep-logs) keep_logs=1 ;;
	-h|--help) usage ;;
	*) echo "capture: unknown option $1" >&2; usage ;;
	esac
	shift
done
: "${out:=$(dirname "$(dirname "$hostlane_bin")")/bench-results/capture.md}"

command -v dpdk-testpmd > /dev/null || { echo "capture: SKIP: no dpdk-testpmd" >&2; exit 77; }
[ -x "$hostlane_bin" ] && [ -x "$ctl_bin" ] || { echo "capture: SKIP: not built ($hostlane_bin, $ctl_bin)" >&2; exit 77; }
[ -z "$base_bin" ] || [ -x "$base_bin" ] || { echo "capture: --base $base_bin is not an executable" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "capture: SKIP: needs 2 CPUs" >&2; exit 77; }

work=$(mktemp -d /tmp/capture_bench.XXXXXX)
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=$work
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -f "$shm"/capture_bench.$$.*.pcapng
	if [ "$keep_logs" = 1 ]; then echo "capture: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mem=$(bash "$src/scripts/eal-mem.sh" 160)
cp "$hostlane_bin" "$work/hostlane"
[ -z "$base_bin" ] || cp "$base_bin" "$work/hostlane-base"

die() { echo "capture: $*" >&2; keep_logs=1; exit 1; }

wait_for() {
	local n=$1; shift
	for _ in $(seq $((n * 10))); do "$@" && return 0; sleep 0.1; done
	return 1
}

stop_pid() {
	kill "-$2" "$1" 2>/dev/null
	wait_for 5 eval "! kill -0 $1 2>/dev/null" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure MODE N: one run; sets m_pps, the client's median Rx-pps. Not in a
# subshell, so the EXIT trap sees every pid.
measure() {
	local mode=$1 n=$2 dir=$work/$1-$2 bin=$work/hostlane hl cl
	mkdir -p "$dir"
	[ "$mode" = base ] && bin=$work/hostlane-base
	# shellcheck disable=SC2086
	"$bin" --lcores '0@0,1@1' --no-pci $mem -- --runtime-dir "$dir" \
		< /dev/null > "$dir/hostlane.log" 2>&1 &
	hl=$!
	pids+=("$hl")
	wait_for 30 test -S "$dir/control.sock" || { tail "$dir/hostlane.log" >&2; die "$mode: hostlane did not start"; }
	if [ "$mode" = on ]; then
		HOSTLANE_CONTROL=$dir/control.sock "$ctl_bin" capture start demo1 \
			"$shm/capture_bench.$$.$n.pcapng" > "$dir/ctl.log" 2>&1 ||
			die "$mode: capture start: $(cat "$dir/ctl.log")"
	fi
	# shellcheck disable=SC2086
	stdbuf -oL dpdk-testpmd --lcores '0@1,1@0' --main-lcore 0 --no-pci $mem \
		--vdev "net_memif0,role=client,socket=$dir/demo1.sock,socket-abstract=no,secret=demo1-secret" \
		-- --total-num-mbufs=16384 --port-topology=loop --forward-mode=io \
		--tx-first --stats-period 1 < /dev/null > "$dir/client.log" 2>&1 &
	cl=$!
	pids+=("$cl")
	wait_for $((secs + warmup + 30)) eval "[ \$(grep -a -c 'Rx-pps:' '$dir/client.log') -ge $((secs + warmup + 2)) ]" ||
		{ tail "$dir/client.log" >&2; die "$mode: the client gave too few readings"; }
	if [ "$mode" = on ]; then
		HOSTLANE_CONTROL=$dir/control.sock "$ctl_bin" --json capture list > "$dir/cap.json" 2>&1
		rm -f "$shm/capture_bench.$$.$n.pcapng"
	fi
	stop_pid "$cl" INT
	stop_pid "$hl" TERM
	m_pps=$(grep -a 'Rx-pps:' "$dir/client.log" | awk '{ print $2 }' |
		tail -n +"$((warmup + 2))" | head -n "$secs" | median)
}

modes="off on"
[ -z "$base_bin" ] || modes="base off on"
declare -A res
for p in $(seq "$pairs"); do
	order=$modes
	[ $((p % 2)) = 0 ] && order=$(echo "$modes" | tr ' ' '\n' | tac | tr '\n' ' ')
	for m in $order; do
		measure "$m" "$p"
		res[$m,$p]=$m_pps
		[ "${res[$m,$p]:-0}" -gt 0 ] || die "$m run $p moved no frames"
		echo "capture: pair $p $m: ${res[$m,$p]} pps" >&2
	done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
# copied/dropped of run N's capture, from its capture list.
cap_counts() {
	python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['result'][0]; print('%d/%d' % (c['copied'], c['dropped']))" \
		"$work/on-$1/cap.json" 2>/dev/null || echo "?"
}
mkdir -p "$(dirname "$out")"
{
	echo "# Capture: memif echo rate (64 B ping-pong, demo1)"
	echo
	echo "hostlane $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown); $pairs pair(s) of ${secs} s; capture file in $shm"
	echo
	echo "| pair | ${modes// / pps | } pps | on/off |$([ -n "$base_bin" ] && echo " off/base |") on: copied/dropped |"
	echo "|---|$(for _ in $modes; do printf -- '---|'; done)---|$([ -n "$base_bin" ] && echo "---|")---|"
	for p in $(seq "$pairs"); do
		line="| $p |"
		for m in $modes; do line="$line ${res[$m,$p]} |"; done
		line="$line $(ratio "${res[on,$p]}" "${res[off,$p]}") |"
		[ -z "$base_bin" ] || line="$line $(ratio "${res[off,$p]}" "${res[base,$p]}") |"
		echo "$line $(cap_counts "$p") |"
	done
} > "$out"
cat "$out"
