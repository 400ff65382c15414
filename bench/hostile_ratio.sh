#!/usr/bin/env bash
# Neighbour isolation: a well-behaved guest's call rate while a hostile
# guest attacks hostlane continuously, as a ratio of its rate alone.
#
# Usage: bench/hostile_ratio.sh [--quick] [--pairs N] [--secs S]
#                               [--attacker-nice N] [--out FILE] [--keep-logs]
#
# One hostlane (I/O lcore on core 1, main lcore on core 0) serves guest
# `bench` and guest `evil` (tests/hostile's limits). The measured guest
# (hostile_ratio measure, core 0) keeps 64 factorial(20) calls in flight
# (pipelined, hl_fn_submit_u64 + hl_poll, busy-polling) for S seconds. The
# attacker (hostile_ratio attack, core 0 too: there are only two) runs the
# attack suite's cases round after round against `evil`. Runs alternate
# alone / attacked (the order swapped every other pair) and only ratios
# within a pair are compared. The attacker runs at nice N (default 19) so
# that its own CPU time, on the measured guest's core, does not count as
# an effect on hostlane; --attacker-nice 0 measures that too.
# Exit status: 0 done, 1 a run failed, 2 bad usage.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${HOSTLANE_BUILD:-$src/build}

pairs=5
secs=4
anice=19
out=$here/results/hostile_ratio.md
keep_logs=0

usage() {
	sed -n '4,5p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) pairs=2; secs=2 ;;
	--pairs) pairs=${2:?}; shift ;;
	--secs) secs=${2:?}; shift ;;
	--attacker-nice) anice=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--keep-logs) keep_logs=1 ;;
	-h|--help) usage ;;
	*) echo "hostile_ratio: unknown option $1" >&2; usage ;;
	esac
	shift
done
[ "$pairs" -ge 1 ] 2>/dev/null || usage

HR="$build/bench/hostile_ratio"
HL="$build/dataplane/hostlane"
[ -x "$HR" ] && [ -x "$HL" ] || { echo "hostile_ratio: build first ($HR, $HL)" >&2; exit 1; }
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

die() { echo "hostile_ratio: $*" >&2; exit 1; }

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

# Busy share of both cores over 1 s, in percent (other people's work).
busy() {
	local a b
	a=$(awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat)
	sleep 1
	b=$(awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat)
	echo "$a $b" | awk '{ d = $4 - $2; print d > 0 ? int(100 * ($3 - $1) / d) : 0 }'
}

# shellcheck disable=SC2046
"$HL" --lcores '0@0,1@1' --no-pci $(bash "$src/scripts/eal-mem.sh" 256) \
	-- --runtime-dir "$RUN" --config "$T/hr.conf" > "$T/hostlane.log" 2>&1 &
HL_PID=$!
for _ in $(seq 200); do grep -qs "hostlane: running" "$T/hostlane.log" && break; sleep 0.1; done
grep -q "hostlane: running" "$T/hostlane.log" || { cat "$T/hostlane.log"; die "hostlane did not start"; }

# Busy share before hostlane polls core 1 is not measurable any more; take
# the load average as the note on contention.
load0=$(cut -d' ' -f1-3 /proc/loadavg)

measure() {
	local r
	r=$(taskset -c 0 "$HR" measure "$RUN/bench.sock" bench-secret $((secs * 1000)) 2>"$T/measure.err") ||
		{ cat "$T/measure.err" >&2; die "measure failed"; }
	echo "$r" | awk '/^calls_per_s/ { print $2 }'
}

attack_start() {
	: > "$T/attack.log"
	taskset -c 0 nice -n "$anice" "$HR" attack "$RUN" >> "$T/attack.log" 2>&1 &
	ATT_PID=$!
	for _ in $(seq 100); do grep -q '^cases' "$T/attack.log" && break; sleep 0.05; done
	grep -q '^cases' "$T/attack.log" || die "the attacker never finished a case"
}

attack_stop() {
	local n
	kill -TERM "$ATT_PID" 2>/dev/null
	for _ in $(seq 20); do kill -0 "$ATT_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$ATT_PID" 2>/dev/null
	wait "$ATT_PID" 2>/dev/null
	ATT_PID=
	n=$(grep -c '^cases' "$T/attack.log")
	echo "$n"
}

alone=()
attacked=()
cases=()
for p in $(seq "$pairs"); do
	if [ $((p % 2)) = 1 ]; then
		a=$(measure)
		attack_start; b=$(measure); c=$(attack_stop)
	else
		attack_start; b=$(measure); c=$(attack_stop)
		a=$(measure)
	fi
	kill -0 "$HL_PID" 2>/dev/null || { cat "$T/hostlane.log"; die "hostlane died"; }
	[ -n "$a" ] && [ -n "$b" ] || die "pair $p: no rate"
	alone+=("$a"); attacked+=("$b"); cases+=("$c")
	echo "pair $p: alone $a calls/s, attacked $b calls/s ($c attack cases), ratio $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')"
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
drops=$("$build/control/hostlanectl" --socket "$RUN/control.sock" --json stats bench 2>/dev/null |
	grep -o '"tx_drops":[0-9]*' | head -1 | cut -d: -f2)
evil=$("$build/control/hostlanectl" --socket "$RUN/control.sock" --json stats evil 2>/dev/null |
	grep -o '"connections":{[^}]*}' | head -1)

ratios=$(for i in "${!alone[@]}"; do
	awk -v a="${alone[$i]}" -v b="${attacked[$i]}" 'BEGIN { printf "%.4f\n", b / a }'
done | sort -g)
summary=$(echo "$ratios" | awk '{ r[NR] = $1 }
	END { med = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2;
	      printf "%.3f %.3f %.3f", med, r[1], r[NR] }')
sums=$(printf '%s\n' "${alone[@]}" | paste -d' ' - <(printf '%s\n' "${attacked[@]}") |
	awk '{ sa += $1; sb += $2 } END { printf "%.3f %.0f %.0f", sb / sa, sa / NR, sb / NR }')
summary="$summary $sums"
read -r med rmin rmax ragg mean_a mean_b <<< "$summary"

mkdir -p "$(dirname "$out")"
{
	echo "# hostile_ratio — a guest's call rate under attack / alone"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, hostlane $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo '?')."
	echo "Measured guest: 64 factorial(20) calls in flight (pipelined async,"
	echo "busy-polling), ${secs} s per run after a 0.3 s warm-up, core 0. Attacker:"
	echo "the tests/hostile cases (ctl, rings, requests) in a loop against guest"
	echo "\`evil\`, core 0, nice $anice. hostlane: I/O lcore core 1, main lcore core 0."
	echo "Load average before/after: $load0 / $load1 (other engineers' jobs share"
	echo "this machine)."
	echo
	echo "| pair | alone (calls/s) | attacked (calls/s) | attack cases run | ratio |"
	echo "|-----:|----------------:|-------------------:|-----------------:|------:|"
	for i in "${!alone[@]}"; do
		echo "| $((i + 1)) | ${alone[$i]} | ${attacked[$i]} | ${cases[$i]} | $(awk -v a="${alone[$i]}" -v b="${attacked[$i]}" 'BEGIN { printf "%.3f", b / a }') |"
	done
	echo
	echo "**Ratio (median of pairs): $med** (min $rmin, max $rmax; sum attacked / sum"
	echo "alone $ragg; mean alone $mean_a, attacked $mean_b calls/s). Goal ≥ 0.95."
	echo
	echo "Measured guest's tx_drops: ${drops:-?}. Guest evil's connections: ${evil:-?}."
} > "$out"
cat "$out"
