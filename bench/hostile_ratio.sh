#!/usr/bin/env bash
# Neighbour isolation: a well-behaved guest's call rate while a hostile
# guest attacks hostlane continuously, as a ratio of its rate alone.
#
# Usage: bench/hostile_ratio.sh [--quick] [--pairs N] [--secs S]
#                               [--attacker-nice N] [--out FILE] [--raw FILE]
#                               [--wait-idle S] [--keep-logs]
#
# One hostlane (I/O lcore on core 1, main lcore on core 0) serves guest
# `bench` and guest `evil` (tests/hostile's limits). The measured guest
# (hostile_ratio measure, core 0) keeps 64 factorial(20) calls in flight
# (pipelined, hl_fn_submit_u64 + hl_poll, busy-polling) for S seconds. The
# attacker (hostile_ratio attack, core 0 too: there are only two) runs the
# attack suite's cases round after round against `evil`, at nice N
# (default 0: at nice 19 it gets too little CPU to attack much, and the
# set-up then cannot see an effect; --attacker-nice 19 gives that figure).
# Runs alternate alone / attacked, the order swapped every other pair, and
# only ratios within a pair are compared. A run during which other
# processes used >= 10% of the CPUs (/proc/stat, less hostlane's, the
# attacker's and the measured guest's time) marks its pair contended: the
# pair is run again (at most --pairs times in all), and one kept anyway
# leaves the ratio without a verdict.
# Exit status: 0 done, 1 a run failed, 2 bad usage, 77 not built.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${HOSTLANE_BUILD:-$src/build}

pairs=5
secs=4
anice=0
out=
raw=
wait_idle=10
keep_logs=0

usage() {
	sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) pairs=2; secs=2; wait_idle=1 ;;
	--pairs) pairs=${2:?}; shift ;;
	--secs) secs=${2:?}; shift ;;
	--attacker-nice) anice=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--raw) raw=${2:?}; shift ;;
	--wait-idle) wait_idle=${2:?}; shift ;;
	--keep-logs) keep_logs=1 ;;
	-h|--help) usage ;;
	*) echo "hostile_ratio: unknown option $1" >&2; usage ;;
	esac
	shift
done
[ "$pairs" -ge 1 ] 2>/dev/null || usage
# Results of single runs go to the build tree; bench/results/ holds only
# what bench/run writes from a full run of a committed head.
: "${out:=$build/bench-results/hostile_ratio.md}"

HR="$build/bench/hostile_ratio"
HL="$build/dataplane/hostlane"
for b in "$HR" "$HL"; do
	[ -x "$b" ] || { echo "hostile_ratio: SKIP: $b not built" >&2; exit 77; }
done
[ "$(nproc)" -ge 2 ] || { echo "hostile_ratio: SKIP: needs 2 CPUs" >&2; exit 77; }
T=$(mktemp -d /tmp/hostile-ratio.XXXXXX)
RUN=$T/run
HL_PID=
ATT_PID=

cleanup() {
	[ -n "$ATT_PID" ] && kill -KILL "$ATT_PID" 2>/dev/null
	if [ -n "$HL_PID" ]; then
		kill -TERM "$HL_PID" 2>/dev/null
		wait "$HL_PID" 2>/dev/null
	fi
	if [ "$keep_logs" = 1 ]; then echo "logs in $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "hostile_ratio: $*" >&2; keep_logs=1; exit 1; }

# Private copies: other people rebuild the tree while this runs.
cp "$HR" "$HL" "$T/" || die "cannot copy the binaries"
HR=$T/hostile_ratio
HL=$T/hostlane
rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$src" diff --quiet HEAD -- dataplane guestlib fpga bench ':!bench/results' tests/hostile 2>/dev/null ||
	rev="$rev+dirty"

# tests/hostile/attack.h hard-codes the evil limits (EVIL_*).
cat > "$T/hr.conf" <<'CONF'
[hostlane]
mbufs = 16383
handshake_timeout_ms = 1000
max_repetitions = 1000000

[guest evil]
secret = evil-secret
handler = hostlane
functions = all
max_sessions = 4
max_inflight = 8
max_regions = 2
max_region_size = 1M
max_ring_size = 64
max_frame = 4096
max_chain = 4

[guest good]
secret = good-secret
handler = hostlane
functions = all

[guest bench]
secret = bench-secret
handler = hostlane
functions = all
CONF

# "busy total" jiffies of the whole machine.
cpu_jiffies() {
	awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}

proc_jiffies() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

# Wait up to --wait-idle seconds for others' work to stop. hostlane's I/O
# lcore polls one core flat out: above 60% of both, someone else runs.
await_idle() {
	local t=0 b b0 t0 b1 t1
	while :; do
		read -r b0 t0 < <(cpu_jiffies); sleep 0.5; read -r b1 t1 < <(cpu_jiffies)
		b=$(( t1 > t0 ? 100 * (b1 - b0) / (t1 - t0) : 0 ))
		[ "$b" -lt 60 ] || [ "$t" -ge "$wait_idle" ] && break
		sleep 0.5; t=$((t + 1))
	done
}

# shellcheck disable=SC2046
"$HL" --lcores '0@0,1@1' --no-pci $(bash "$src/scripts/eal-mem.sh" 256) \
	-- --runtime-dir "$RUN" --config "$T/hr.conf" > "$T/hostlane.log" 2>&1 &
HL_PID=$!
for _ in $(seq 200); do grep -qs "hostlane: running" "$T/hostlane.log" && break; sleep 0.1; done
grep -q "hostlane: running" "$T/hostlane.log" || { cat "$T/hostlane.log"; die "hostlane did not start"; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)

# measure: one run of the measured guest; sets m_rate and m_foreign (% of
# the CPUs others used meanwhile).
measure() {
	local r b0 t0 b1 t1 h0 h1 a0=0 a1=0 cpu
	await_idle
	read -r b0 t0 < <(cpu_jiffies)
	h0=$(proc_jiffies "$HL_PID")
	[ -n "$ATT_PID" ] && a0=$(proc_jiffies "$ATT_PID")
	r=$(taskset -c 0 "$HR" measure "$RUN/bench.sock" bench-secret $((secs * 1000)) 2>"$T/measure.err") ||
		{ cat "$T/measure.err" >&2; die "measure failed"; }
	read -r b1 t1 < <(cpu_jiffies)
	h1=$(proc_jiffies "$HL_PID")
	[ -n "$ATT_PID" ] && a1=$(proc_jiffies "$ATT_PID")
	m_rate=$(echo "$r" | awk '/^calls_per_s/ { print $2 }')
	cpu=$(echo "$r" | awk '/^cpu_ms/ { print int($2 / 10) }')
	m_foreign=$(( t1 > t0 ? 100 * (b1 - b0 - (h1 - h0) - (a1 - a0) - ${cpu:-0}) / (t1 - t0) : 0 ))
	[ "$m_foreign" -lt 0 ] && m_foreign=0
}

attack_start() {
	: > "$T/attack.log"
	taskset -c 0 nice -n "$anice" "$HR" attack "$RUN" >> "$T/attack.log" 2>&1 &
	ATT_PID=$!
	for _ in $(seq 100); do grep -q '^cases' "$T/attack.log" && break; sleep 0.05; done
	grep -q '^cases' "$T/attack.log" || die "the attacker never finished a case"
}

# attack_stop: stops the attacker; sets att_cases (cases it ran).
attack_stop() {
	kill -TERM "$ATT_PID" 2>/dev/null
	for _ in $(seq 20); do kill -0 "$ATT_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$ATT_PID" 2>/dev/null
	wait "$ATT_PID" 2>/dev/null
	ATT_PID=
	att_cases=$(grep -c '^cases' "$T/attack.log")
}

alone() { measure; a=$m_rate fa=$m_foreign; }
attacked() { attack_start; measure; b=$m_rate fb=$m_foreign; attack_stop; c=$att_cases; }

: > "$T/pairs"
kept=0 n=0 retries=0 contended_kept=0
while [ "$kept" -lt "$pairs" ]; do
	n=$((n + 1))
	if [ $((n % 2)) = 1 ]; then order="alone,attacked"; alone; attacked
	else order="attacked,alone"; attacked; alone
	fi
	kill -0 "$HL_PID" 2>/dev/null || { cat "$T/hostlane.log"; die "hostlane died"; }
	[ -n "$a" ] && [ -n "$b" ] || die "pair $n: no rate"
	status=kept
	if [ "$fa" -ge 10 ] || [ "$fb" -ge 10 ]; then
		if [ "$retries" -lt "$pairs" ]; then
			status=rerun; retries=$((retries + 1))
		else
			status=contended; contended_kept=$((contended_kept + 1))
		fi
	fi
	[ "$status" = rerun ] || kept=$((kept + 1))
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')
	echo "$n $order $a $b $c $r $fa $fb $status" >> "$T/pairs"
	echo "pair $n ($order): alone $a calls/s, attacked $b calls/s ($c attack cases), ratio $r; others used $fa% / $fb% of the CPUs$([ "$status" = kept ] || echo " ($status)")"
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
drops=$("$build/control/hostlanectl" --socket "$RUN/control.sock" --json stats bench 2>/dev/null |
	grep -o '"tx_drops":[0-9]*' | head -1 | cut -d: -f2)
evil=$("$build/control/hostlanectl" --socket "$RUN/control.sock" --json stats evil 2>/dev/null |
	grep -o '"connections":{[^}]*}' | head -1)

# Median and min–max of the kept pairs' ratios; sums over them.
read -r med rmin rmax ragg mean_a mean_b < <(awk '$9 != "rerun"' "$T/pairs" | sort -k6 -g |
	awk '{ r[NR] = $6; sa += $3; sb += $4 }
	END { med = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2;
	      printf "%.3f %.3f %.3f %.3f %.0f %.0f\n", med, r[1], r[NR], sb / sa, sa / NR, sb / NR }')
if [ "$contended_kept" -gt 0 ]; then
	verdict="no verdict: $contended_kept contended pair(s) kept"
else
	verdict=$(awk -v m="$med" 'BEGIN { print (m >= 0.95) ? "meets" : "misses" }')
fi

mkdir -p "$(dirname "$out")"
{
	echo "# hostile_ratio — a guest's call rate under attack / alone"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, hostlane $rev."
	echo "Measured guest: 64 factorial(20) calls in flight (pipelined async,"
	echo "busy-polling), ${secs} s per run after a 0.3 s warm-up, core 0. Attacker:"
	echo "the tests/hostile cases (ctl, rings, requests) in a loop against guest"
	echo "\`evil\`, core 0, nice $anice. hostlane: I/O lcore core 1, main lcore core 0."
	echo "Load average before/after: $load0 / $load1. Others' share of the CPUs"
	echo "during each run from /proc/stat; a pair with 10% or more was run again."
	echo
	echo "| pair | order | alone (calls/s) | attacked (calls/s) | attack cases run | ratio | others alone / attacked | status |"
	echo "|-----:|-------|----------------:|-------------------:|-----------------:|------:|------:|-------|"
	awk '{ printf "| %s | %s | %s | %s | %s | %s | %s%% / %s%% | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$T/pairs"
	echo
	echo "**Ratio (median of kept pairs): $med** (min $rmin, max $rmax; sum attacked / sum"
	echo "alone $ragg; mean alone $mean_a, attacked $mean_b calls/s). Goal ≥ 0.95: $verdict."
	echo
	echo "Measured guest's tx_drops: ${drops:-?}. Guest evil's connections: ${evil:-?}."
} > "$out"
cat "$out"
if [ -n "$raw" ]; then
	mkdir -p "$(dirname "$raw")"
	{
		echo "INFO rev $rev"
		echo "INFO nice $anice"
		echo "INFO secs $secs"
		sed 's/^/PAIR /' "$T/pairs"
	} > "$raw"
fi
