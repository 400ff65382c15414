#!/usr/bin/env bash
# Accelerators (issue 8's benchmark), in one run:
#  1. the full guest offload path against the same PMD called in-process:
#     sha256 of 4 KiB (crypto_aesni_mb), deflate of 64 KiB and inflate back
#     to 64 KiB (compress_isal). A = a libhostlane guest (bench/accel_guest,
#     core 0) keeping 32 bulk calls in flight through hostlane (I/O lcore on
#     core 1); B = bench/accel --direct: the bare rte_*dev enqueue/dequeue
#     on core 1 with its input staged once, also keeping 32 ops in flight
#     (each sent again as it completes). Both get the same input bytes
#     (accel_input.h; for inflate the one stream `accel --make-stream`
#     wrote, so the A side also pays hostlane's check of the stream).
#     Pairs alternate A B / B A and only ratios within a pair are compared
#     (target A/B >= 0.9). A uses two cores (the guest's copies run beside
#     the host's work), B one: that is what offloading costs and buys.
#  2. the backends in-process (bench/accel): through fpga_submit/fpga_poll,
#     zero-copy and staged, against the same direct loop (bursts of 32 on
#     every side).
#  3. the simulated FPGA against software (bench/accel_fpga): factorial,
#     fibonacci, crc32c results compared, simulated cycles and wall time
#     per call.
# A run during which other processes used >= 10% of the CPUs (/proc/stat,
# less hostlane's and the run's own time) marks its pair contended: the
# pair is run again (at most --pairs times per function), and a figure
# with a contended pair kept gets no verdict.
#
# Usage: bench/accel.sh [--quick] [--pairs N] [--ms MS] [--out FILE] [--raw FILE]
# Exit status: 0 done, 1 a run failed, 2 bad usage, 77 no PMDs here.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${HOSTLANE_BUILD:-$src/build}

pairs=5
ms=1500
out=
raw=

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
	--raw) raw=${2:?}; shift ;;
	-h|--help) usage ;;
	*) echo "accel: unknown option $1" >&2; usage ;;
	esac
	shift
done
[ "$pairs" -ge 1 ] 2>/dev/null && [ "$ms" -ge 100 ] 2>/dev/null || usage
# Results of single runs go to the build tree; bench/results/ holds only
# what bench/run writes from a full run of a committed head.
: "${out:=$build/bench-results/accel.md}"

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
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "accel: $*" >&2; exit 1; }

# A PMD that is not installed is a skip; one installed that does not
# attach, a failure (hl_start). Where this DPDK loads its drivers from:
pmd_dir=$(printf '#include <rte_config.h>\nRTE_EAL_PMD_PATH\n' |
	cc -E -P $(pkg-config --cflags libdpdk 2>/dev/null) - 2>/dev/null | tail -1 | tr -d '"')
for lib in crypto_ipsec_mb compress_isal; do
	[ -z "$pmd_dir" ] || [ "$pmd_dir" = RTE_EAL_PMD_PATH ] ||
		compgen -G "$pmd_dir/librte_$lib.so*" > /dev/null ||
		{ echo "accel: SKIP: DPDK driver $lib not installed in $pmd_dir"; exit 77; }
done

# Private copies: other people rebuild the tree while this runs.
for b in dataplane/hostlane bench/accel_guest bench/accel bench/accel_fpga; do
	[ -x "$build/$b" ] || { echo "accel: SKIP: $build/$b not built" >&2; exit 77; }
	cp "$build/$b" "$T/" || die "cannot copy $b"
done
mkdir -p "$T/lib"
find "$build/guestlib" -maxdepth 1 -name 'libhostlane.so*' ! -type d -exec cp -P {} "$T/lib/" \;
export LD_LIBRARY_PATH=$T/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
HL=$T/hostlane AG=$T/accel_guest AD=$T/accel AF=$T/accel_fpga
rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$src" diff --quiet HEAD -- dataplane guestlib fpga bench ':!bench/results' 2>/dev/null || rev="$rev+dirty"

cat > "$T/accel.conf" <<'CONF'
[hostlane]
mbufs = 16383
cryptodev = crypto_aesni_mb
compressdev = compress_isal

[guest bench]
secret = bench-secret
handler = hostlane
functions = sha256, deflate, inflate
max_inflight = 256
CONF

cpu_jiffies() {
	awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}

proc_jiffies() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

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
	# Installed (checked at the top) but not attached: a failure.
	grep -q "cryptodev crypto_aesni_mb: attached" "$T/hostlane.log" &&
		grep -q "compressdev compress_isal: attached" "$T/hostlane.log" ||
		{ cat "$T/hostlane.log" >&2; die "crypto_aesni_mb or compress_isal did not attach"; }
}

hl_stop() {
	local rc

	kill -TERM "$HL_PID" 2>/dev/null
	wait "$HL_PID" 2>/dev/null
	rc=$?
	HL_PID=
	[ "$rc" -eq 0 ] || die "hostlane exited $rc"
}

# run_rate LINE B0 T0 [SERVER_JIFFIES]: the rate in LINE into $rate, and
# into $foreign the % of the CPUs others used since B0 T0.
run_rate() {
	local line=$1 b0=$2 t0=$3 sj=${4:-0} b1 t1 cpu
	read -r b1 t1 < <(cpu_jiffies)
	echo "$line" >> "$T/raw.txt"
	rate=$(sed -n 's/.*calls_per_s=\([0-9]*\).*/\1/p' <<< "$line")
	cpu=$(sed -n 's/.*cpu_ms=\([0-9]*\).*/\1/p' <<< "$line")
	foreign=$(( t1 > t0 ? 100 * (b1 - b0 - sj - ${cpu:-0} / 10) / (t1 - t0) : 0 ))
	[ "$foreign" -lt 0 ] && foreign=0
	[ -n "$rate" ] || die "no rate in '$line'"
}

# guest_rate FN BYTES: calls/s through hostlane into $rate (not in a
# subshell: hostlane's pid and a failure must reach this shell).
guest_rate() {
	local line b0 t0 h0 in=()
	[ "$1" = inflate ] && in=(--in "$T/stream.bin")
	hl_start
	read -r b0 t0 < <(cpu_jiffies)
	h0=$(proc_jiffies "$HL_PID")
	line=$(taskset -c 0 "$AG" "$RUN/bench.sock" bench-secret "$1" "$2" "$ms" poll "${in[@]}") ||
		{ echo "$line" >&2; die "accel_guest $1 $2 failed"; }
	run_rate "$line" "$b0" "$t0" $(( $(proc_jiffies "$HL_PID") - h0 ))
	hl_stop
}

# direct_rate FN BYTES: calls/s of the bare PMD on core 1, into $rate.
direct_rate() {
	local line b0 t0
	read -r b0 t0 < <(cpu_jiffies)
	line=$(taskset -c 1 "$AD" --direct "$1" "$2" "$ms" --stream "$T/stream.bin" 2>&1 |
		grep calls_per_s) || die "accel --direct $1 $2 failed"
	run_rate "$line" "$b0" "$t0"
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

"$AD" --make-stream "$T/stream.bin" > "$T/stream.txt" 2>&1 ||
	{ cat "$T/stream.txt" >&2; die "accel --make-stream failed"; }

mkdir -p "$(dirname "$out")"
{
	echo "# bench/accel — $(date -u '+%Y-%m-%d %H:%M UTC'), hostlane $rev"
	echo
	echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $pairs pairs of ${ms} ms."
	echo
	echo "## 1. Full guest path (A) against the PMD in-process (B)"
	echo
	echo "Both keep 32 calls in flight; the same input bytes; inflate's input is"
	echo "$(cat "$T/stream.txt")."
	echo
	echo "| function | size | pair | order | A calls/s | B calls/s | A/B | others A / B | status |"
	echo "|---|---:|---:|---|---:|---:|---:|---|---|"
} > "$out"

: > "$T/pairs"
summary=
failed=0
for fs in "sha256 4096" "deflate 65536" "inflate 65536"; do
	# shellcheck disable=SC2086
	set -- $fs
	kept=0 n=0 retries=0 contended=0
	while [ "$kept" -lt "$pairs" ]; do
		n=$((n + 1))
		if [ $((n % 2)) = 1 ]; then
			order=AB
			guest_rate "$1" "$2"; a=$rate fa=$foreign
			direct_rate "$1" "$2"; b=$rate fb=$foreign
		else
			order=BA
			direct_rate "$1" "$2"; b=$rate fb=$foreign
			guest_rate "$1" "$2"; a=$rate fa=$foreign
		fi
		status=kept
		if [ "$fa" -ge 10 ] || [ "$fb" -ge 10 ]; then
			if [ "$retries" -lt "$pairs" ]; then
				status=rerun; retries=$((retries + 1))
			else
				status=contended; contended=$((contended + 1))
			fi
		fi
		[ "$status" = rerun ] || kept=$((kept + 1))
		r=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')
		echo "$1 $2 $n $order $a $b $r $fa $fb $status" >> "$T/pairs"
		echo "| $1 | $2 | $n | $order | $a | $b | $r | $fa% / $fb% | $status |" >> "$out"
		echo "accel: $1 $2 pair $n ($order): guest $a calls/s, direct $b calls/s, A/B $r; others used $fa% / $fb% of the CPUs$([ "$status" = kept ] || echo " ($status)")" >&2
	done
	m=$(awk -v f="$1" '$1 == f && $NF != "rerun" { print $7 }' "$T/pairs" | median)
	if [ "$contended" -gt 0 ]; then
		v="no verdict: $contended contended pair(s) kept"
	else
		v=$(awk -v m="$m" 'BEGIN { print (m >= 0.9) ? "meets" : "misses" }')
	fi
	summary="$summary$1 $2: median A/B $m (target >= 0.9: $v)\n"
done
{
	echo
	printf "%b" "$summary" | sed 's/^/- /'
	echo
	echo "## 2. Backends in-process (bench/accel)"
	echo
	echo '```'
	"$AD" --pairs "$pairs" --ms $((ms / 3 > 100 ? ms / 3 : 100)) 2>&1 ||
		{ echo "accel --pairs FAILED (exit $?)"; failed=1; }
	echo '```'
	echo
	echo "## 3. Simulated FPGA against software (bench/accel_fpga)"
	echo
	echo '```'
	"$AF" --calls $((pairs * 400)) 2>&1 ||
		{ echo "accel_fpga FAILED (exit $?)"; failed=1; }
	echo '```'
	echo
	echo "Raw guest/direct lines:"
	echo
	echo '```'
	cat "$T/raw.txt"
	echo '```'
} >> "$out"
printf "%b" "$summary"
if [ -n "$raw" ]; then
	mkdir -p "$(dirname "$raw")"
	{
		echo "INFO rev $rev"
		echo "INFO ms $ms"
		sed 's/^/PAIR /' "$T/pairs"
		grep -h 'median ratio' "$out" | sed 's/^/INPROC /'
	} > "$raw"
fi
grep -q "mismatches=[1-9]" "$out" && die "simulated FPGA results differ from software (see $out)"
[ "$failed" = 0 ] || die "a backend benchmark failed (see $out)"
echo "accel: report in $out"
exit 0
