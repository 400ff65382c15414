#!/usr/bin/env bash
# Accelerators (issue 8's benchmark), in one run:
#  1. the full guest offload path against the same PMD called in-process:
#     sha256 of 4 KiB (crypto_aesni_mb) and deflate of 64 KiB
#     (compress_isal). A = a libhostlane guest (bench/accel_guest, core 0)
#     keeping 32 bulk calls in flight through hostlane (I/O lcore on core 1);
#     B = bench/accel --direct: the bare rte_*dev enqueue/dequeue loop on
#     core 1 with its input staged once. Pairs alternate A B / B A and only
#     ratios within a pair are compared (target A/B >= 0.9). A uses two
#     cores (the guest's copies run beside the host's work), B one: that
#     is what offloading costs and buys.
#  2. the backends in-process (bench/accel): through fpga_submit/fpga_poll,
#     zero-copy and staged, against the same direct loop.
#  3. the simulated FPGA against software (bench/accel_fpga): factorial,
#     fibonacci, crc32c results compared, simulated cycles and wall time
#     per call.
#
# Usage: bench/accel.sh [--quick] [--pairs N] [--ms MS] [--out FILE]
# Exit status: 0 done, 1 a run failed, 2 bad usage, 77 no PMDs here.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${HOSTLANE_BUILD:-$src/build}

pairs=5
ms=1500
out=$here/results/accel.md

usage() {
	grep '^# Usage' "$0" | sed 's/^# //' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) pairs=1; ms=300 ;;
	--pairs) pairs=${2:?}; shift ;;
	--ms) ms=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	-h|--help) usage ;;
	*) echo "accel: unknown option $1" >&2; usage ;;
	esac
	shift
done
[ "$pairs" -ge 1 ] 2>/dev/null && [ "$ms" -ge 100 ] 2>/dev/null || usage

HL="$build/dataplane/hostlane"
AG="$build/bench/accel_guest"
AD="$build/bench/accel"
AF="$build/bench/accel_fpga"
for b in "$HL" "$AG" "$AD" "$AF"; do
	[ -x "$b" ] || { echo "accel: build first ($b)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/bench-accel.XXXXXX)
RUN=$T/run
HL_PID=

cleanup() {
	if [ -n "$HL_PID" ]; then
		kill -TERM "$HL_PID" 2>/dev/null
		wait "$HL_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

die() { echo "accel: $*" >&2; exit 1; }

cat > "$T/accel.conf" <<'CONF'
[hostlane]
mbufs = 16383
cryptodev = crypto_aesni_mb
compressdev = compress_isal

[guest bench]
secret = bench-secret
handler = hostlane
functions = sha256, deflate
max_inflight = 256
CONF

hl_start() {
	rm -f "$T/hostlane.log"
	# shellcheck disable=SC2046
	"$HL" --lcores '0@0,1@1' --no-pci $(bash "$src/scripts/eal-mem.sh" 256) \
		-- --runtime-dir "$RUN" --config "$T/accel.conf" > "$T/hostlane.log" 2>&1 &
	HL_PID=$!
	for _ in $(seq 200); do
		grep -q "hostlane: running" "$T/hostlane.log" 2>/dev/null && break
		kill -0 "$HL_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "hostlane: running" "$T/hostlane.log" ||
		{ cat "$T/hostlane.log" >&2; die "hostlane did not start"; }
	grep -q "cryptodev crypto_aesni_mb: attached" "$T/hostlane.log" &&
		grep -q "compressdev compress_isal: attached" "$T/hostlane.log" ||
		{ echo "accel: SKIP: crypto_aesni_mb or compress_isal missing"; exit 77; }
}

hl_stop() {
	kill -TERM "$HL_PID" 2>/dev/null
	wait "$HL_PID" 2>/dev/null
	HL_PID=
}

# guest_rate FN BYTES: calls/s through hostlane into $rate (not in a
# subshell: hostlane's pid and a failure must reach this shell).
guest_rate() {
	local line
	hl_start
	line=$(taskset -c 0 "$AG" "$RUN/bench.sock" bench-secret "$1" "$2" "$ms") ||
		{ echo "$line" >&2; die "accel_guest $1 $2 failed"; }
	hl_stop
	echo "$line" >> "$T/raw.txt"
	rate=$(sed -n 's/.*calls_per_s=\([0-9]*\).*/\1/p' <<< "$line")
	[ -n "$rate" ] || die "accel_guest $1 $2: no rate in '$line'"
}

# direct_rate FN BYTES: calls/s of the bare PMD loop on core 1, into $rate.
direct_rate() {
	local line
	line=$(taskset -c 1 "$AD" --direct "$1" "$2" "$ms" 2>&1 | grep calls_per_s) ||
		die "accel --direct $1 $2 failed"
	echo "$line" >> "$T/raw.txt"
	rate=$(sed -n 's/.*calls_per_s=\([0-9]*\).*/\1/p' <<< "$line")
	[ -n "$rate" ] || die "accel --direct $1 $2: no rate in '$line'"
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

mkdir -p "$(dirname "$out")"
{
	echo "# bench/accel — $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$src" rev-parse --short HEAD 2>/dev/null)"
	echo
	echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $pairs pairs of ${ms} ms."
	echo
	echo "## 1. Full guest path (A) against the PMD in-process (B)"
	echo
	echo "| function | size | pair | A calls/s | B calls/s | A/B |"
	echo "|---|---:|---:|---:|---:|---:|"
} > "$out"

summary=
for fs in "sha256 4096" "deflate 65536"; do
	# shellcheck disable=SC2086
	set -- $fs
	: > "$T/ratios"
	for p in $(seq "$pairs"); do
		if [ $((p % 2)) = 1 ]; then
			guest_rate "$1" "$2"; a=$rate; direct_rate "$1" "$2"; b=$rate
		else
			direct_rate "$1" "$2"; b=$rate; guest_rate "$1" "$2"; a=$rate
		fi
		r=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')
		echo "$r" >> "$T/ratios"
		echo "| $1 | $2 | $p | $a | $b | $r |" >> "$out"
		echo "accel: $1 $2 pair $p: guest $a calls/s, direct $b calls/s, A/B $r" >&2
	done
	m=$(median < "$T/ratios")
	summary="$summary$1 $2: median A/B $m (target >= 0.9)\n"
done
{
	echo
	printf "%b" "$summary" | sed 's/^/- /'
	echo
	echo "## 2. Backends in-process (bench/accel)"
	echo
	echo '```'
	"$AD" --pairs "$pairs" --ms $((ms / 3 > 100 ? ms / 3 : 100)) 2>&1 | tail -n +1
	echo '```'
	echo
	echo "## 3. Simulated FPGA against software (bench/accel_fpga)"
	echo
	echo '```'
	"$AF" --calls $((pairs * 400)) 2>&1
	echo '```'
	echo
	echo "Raw guest/direct lines:"
	echo
	echo '```'
	cat "$T/raw.txt"
	echo '```'
} >> "$out"
printf "%b" "$summary"
grep -q "mismatches=[1-9]" "$out" && die "simulated FPGA results differ from software (see $out)"
echo "accel: report in $out"
