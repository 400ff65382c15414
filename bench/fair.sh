#!/usr/bin/env bash
# Fairness on one I/O lcore: the shares of N flooding guests, and a light
# guest's call latency alone against while they flood.
#
# Usage: bench/fair.sh [--quick] [--rounds N] [--guests N] [--count N]
#                      [--calls N] [--out FILE] [--raw FILE] [--keep-logs]
#
# One hostlane (I/O lcore on core 1, main lcore on core 0) with N flooding
# guests f0..f(N-1) and a light guest, all with the default budget (32
# frames a pass, weight 1). Per round: tests/fair/raw_flood (raw memif
# clients, on core 0) floods the N guests with 1000 factorial(20) calls in
# each ring and counts the calls each completes of COUNT while every ring
# was backlogged (the host's shares, not the flooder's scheduling); then
# the light guest (tests/fair/fair_guest, libhostlane) makes
# CALLS synchronous 64-byte echo calls one after the other, alone and
# while the N guests flood (fair_guest, 256 calls in flight each; the
# order swapped every other round), and each
# call is timed (p50, p99). Issue 16's targets: every share >= 0.9/N; the
# light guest's latency under flood within 2x of its latency alone.
# Raw file: one ROUND line per round: n min_share max_share p50_alone
# p99_alone p50_flood p99_flood (shares as fractions of 1/N, us).
# Exit status: 0 done, 1 a run failed, 2 bad usage, 77 not built.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${HOSTLANE_BUILD:-$src/build}

rounds=3
n=4
count=200000
calls=2000
out=
raw=
keep_logs=0

usage() { sed -n '6,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) rounds=1; count=50000; calls=500 ;;
	--rounds) rounds=${2:?}; shift ;;
	--guests) n=${2:?}; shift ;;
	--count) count=${2:?}; shift ;;
	--calls) calls=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--raw) raw=${2:?}; shift ;;
	--keep-logs) keep_logs=1 ;;
	-h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "fair: unknown option $1" >&2; usage ;;
	esac
	shift
done
[ "$rounds" -ge 1 ] 2>/dev/null && [ "$n" -ge 1 ] 2>/dev/null && [ "$n" -le 15 ] &&
	[ "$calls" -ge 10 ] 2>/dev/null || usage
: "${out:=$build/bench-results/fair.md}"

HL="$build/dataplane/hostlane"
FG="$build/tests/fair/fair_guest"
RF="$build/tests/fair/raw_flood"
for b in "$HL" "$FG" "$RF"; do
	[ -x "$b" ] || { echo "fair: SKIP: $b not built" >&2; exit 77; }
done
[ "$(nproc)" -ge 2 ] || { echo "fair: SKIP: needs 2 CPUs" >&2; exit 77; }
T=$(mktemp -d /tmp/bench-fair.XXXXXX)
HL_PID=
FP=
cleanup() {
	[ -n "$FP" ] && kill -TERM "$FP" 2>/dev/null && wait "$FP" 2>/dev/null
	if [ -n "$HL_PID" ]; then kill -TERM "$HL_PID" 2>/dev/null; wait "$HL_PID" 2>/dev/null; fi
	if [ "$keep_logs" = 1 ]; then echo "logs in $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
: "${raw:=$T/fair.raw}"
: > "$raw"
die() { echo "fair: $*" >&2; keep_logs=1; exit 1; }

# Private copies: other people rebuild the tree while this runs
# (fair_guest stays: it finds libhostlane next to it in the build tree).
cp "$HL" "$RF" "$T/" || die "cannot copy the binaries"
HL=$T/hostlane
RF=$T/raw_flood
rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$src" diff --quiet HEAD -- dataplane guestlib fpga bench ':!bench/results' tests/fair 2>/dev/null ||
	rev="$rev+dirty"

floods=()
{
	printf '[hostlane]\nmbufs = 16383\n'
	for i in $(seq 0 $((n - 1))) light; do
		g=f$i
		[ "$i" = light ] && g=light
		printf '\n[guest %s]\nsecret = %s-secret\nhandler = hostlane\n' "$g" "$g"
		printf 'functions = factorial, echo\nmax_inflight = 1024\n'
		[ "$i" = light ] || floods+=("$T/run/$g.sock" "$g-secret")
	done
} > "$T/fair.conf"

# shellcheck disable=SC2046
"$HL" --lcores '0@0,1@1' --no-pci $(bash "$src/scripts/eal-mem.sh" 256) \
	-- --runtime-dir "$T/run" --config "$T/fair.conf" > "$T/hostlane.log" 2>&1 &
HL_PID=$!
for _ in $(seq 200); do grep -qs "hostlane: running" "$T/hostlane.log" && break; sleep 0.1; done
grep -qs "hostlane: running" "$T/hostlane.log" || die "hostlane did not start"

# shares: RES="min max" of the N guests' counts, as fractions of an equal share.
shares() {
	taskset -c 0 "$RF" "$count" 1000 "${floods[@]}" > "$T/shares.out" 2>&1 ||
		die "flood: $(tail -3 "$T/shares.out")"
	RES=$(awk -v n="$n" '$1 == "guest" { c[$2] = $3 } $1 == "total" { t = $2 }
		END { lo = 1e9; hi = 0; for (i in c) { s = c[i] * n / t;
		if (s < lo) lo = s; if (s > hi) hi = s } printf "%.3f %.3f\n", lo, hi }' \
		"$T/shares.out")
}

# light: RES="p50 p99" of its calls, in us.
light() {
	"$FG" light "$T/run/light.sock" light-secret "$calls" > "$T/light.out" 2>&1 ||
		die "light: $(tail -3 "$T/light.out")"
	RES=$(python3 -c "import sys
l = sorted(int(x.split()[1]) for x in open(sys.argv[1]) if x.startswith('lat_ns'))
q = lambda p: l[min(len(l) - 1, int(p * len(l)))] / 1000
print(f'{q(0.50):.1f} {q(0.99):.1f}')" "$T/light.out")
}

light_flooded() {
	"$FG" flood 0 256 "${floods[@]}" > "$T/flood.out" 2>&1 &
	FP=$!
	sleep 0.5
	kill -0 "$FP" 2>/dev/null || die "the flooders stopped: $(cat "$T/flood.out")"
	light
	kill -TERM "$FP"
	wait "$FP" || die "the flooders failed: $(cat "$T/flood.out")"
	FP=
}

for r in $(seq 1 "$rounds"); do
	shares; sh=$RES
	if [ $((r % 2)) = 1 ]; then
		light; alone=$RES; light_flooded; flooded=$RES
	else
		light_flooded; flooded=$RES; light; alone=$RES
	fi
	echo "ROUND $r $sh $alone $flooded" | tee -a "$raw" >&2
done

mkdir -p "$(dirname "$out")"
python3 - "$raw" "$n" "$rev" "$rounds" "$count" "$calls" > "$out" <<'PY'
import statistics, sys
raw, n, rev, rounds, count, calls = sys.argv[1:]
rows = [l.split()[2:] for l in open(raw) if l.startswith("ROUND")]
med = lambda i: statistics.median(float(r[i]) for r in rows)
lo, hi, pa, qa, pf, qf = (med(i) for i in range(6))
print(f"# Fairness on one I/O lcore ({rev})\n")
print(f"{n} flooding guests (raw memif, 1000 calls in each ring, default "
      f"budget), {count} calls counted per round while all were backlogged; a light guest's {calls} synchronous "
      f"echo calls alone and beside the flood; medians of {rounds} round(s).\n")
print("| figure | value | target |\n|---|---|---|")
print(f"| smallest share, of an equal one | {lo:.3f} | >= 0.9 |")
print(f"| largest share, of an equal one | {hi:.3f} | |")
print(f"| light guest p50 / p99 alone (us) | {pa:.1f} / {qa:.1f} | |")
print(f"| light guest p50 / p99 under flood (us) | {pf:.1f} / {qf:.1f} | |")
print(f"| under flood / alone, p50 / p99 | {pf / pa:.2f} / {qf / qa:.2f} | <= 2 |")
PY
cat "$out"
