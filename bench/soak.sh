#!/usr/bin/env bash
# The soak (issue 16 §7; bench/run --soak, never in the default run): 64
# guests with 32 calls in flight each for 10 minutes, every call completed
# exactly once and correct (bench/soak.c), hostlane's RSS and mempool use
# sampled every minute: RSS flat from minute 1 to the end (within 2 %),
# and once the guests have gone every pool back to its use before they
# came.
#
# Usage: bench/soak.sh [--guests N] [--depth N] [--minutes M] [--tick S]
#                      [--out FILE] [--keep-logs]
#
# hostlane: main lcore on core 0, I/O lcore on core 1, the guests' process
# on core 0. Exit status: 0 the soak held, 1 it did not (or a run failed),
# 2 bad usage, 77 not built.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${HOSTLANE_BUILD:-$src/build}

guests=64
depth=32
minutes=10
tick=60
out=
keep_logs=0

usage() { sed -n '9,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--guests) guests=${2:?}; shift ;;
	--depth) depth=${2:?}; shift ;;
	--minutes) minutes=${2:?}; shift ;;
	--tick) tick=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--keep-logs) keep_logs=1 ;;
	-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "soak: unknown option $1" >&2; usage ;;
	esac
	shift
done
for v in "$guests" "$depth" "$minutes" "$tick"; do [ "$v" -ge 1 ] 2>/dev/null || usage; done
: "${out:=$build/bench-results/soak.md}"

HL="$build/dataplane/hostlane"
CTL="$build/control/hostlanectl"
SOAK="$build/bench/soak"
for b in "$HL" "$CTL" "$SOAK"; do
	[ -x "$b" ] || { echo "soak: SKIP: $b not built" >&2; exit 77; }
done
T=$(mktemp -d /tmp/bench-soak.XXXXXX)
HL_PID=
cleanup() {
	if [ -n "$HL_PID" ]; then kill -TERM "$HL_PID" 2>/dev/null; wait "$HL_PID" 2>/dev/null; fi
	if [ "$keep_logs" = 1 ]; then echo "logs in $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
die() { echo "soak: $*" >&2; exit 1; }

{
	echo "[hostlane]"
	echo "pending_per_lcore = $((guests * depth + 1024))"
	for i in $(seq 0 $((guests - 1))); do
		printf '\n[guest g%d]\nhandler = hostlane\nfunctions = echo\nmax_inflight = %d\n' "$i" "$depth"
	done
} > "$T/soak.conf"
# shellcheck disable=SC2046
"$HL" --lcores '0@0,1@1' --no-pci $(bash "$src/scripts/eal-mem.sh" 512) \
	-- --runtime-dir "$T/run" --config "$T/soak.conf" > "$T/hostlane.log" 2>&1 &
HL_PID=$!
for _ in $(seq 200); do
	grep -q "hostlane: running" "$T/hostlane.log" 2>/dev/null && break
	kill -0 "$HL_PID" 2>/dev/null || break
	sleep 0.1
done
grep -q "hostlane: running" "$T/hostlane.log" || { cat "$T/hostlane.log" >&2; die "hostlane did not start"; }

ctl() { "$CTL" --socket "$T/run/control.sock" "$@"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$HL_PID/status"; }
# pools: "name=in_use ..." of every pool, sorted by name.
pools() {
	ctl --json mempool list | python3 -c '
import json, sys
r = json.load(sys.stdin)["result"]
print(" ".join("%s=%d" % (p["name"], p["in_use"]) for p in sorted(r, key=lambda p: p["name"])))'
}

base_pools=$(pools) || die "mempool list failed"
echo "soak: $guests guests x $depth calls in flight for $minutes min; pools before: $base_pools"
taskset -c 0 "$SOAK" "$T/run" "$guests" "$depth" $((minutes * 60)) "$tick" > "$T/soak.out" 2> "$T/soak.err" &
soak_pid=$!
: > "$T/samples"
while kill -0 "$soak_pid" 2>/dev/null; do
	t=$(grep -c '^tick' "$T/soak.out")
	if [ "$t" -gt "$(wc -l < "$T/samples")" ]; then
		line="$(grep '^tick' "$T/soak.out" | tail -1) rss_kb $(rss_kb) $(pools)"
		echo "$line" >> "$T/samples"
		echo "soak: $line"
	fi
	sleep 1
done
wait "$soak_pid"
soak_rc=$?
cat "$T/soak.err" >&2
result=$(grep '^soak calls' "$T/soak.out")
[ -n "$result" ] || die "the soak client ended without a result (exit $soak_rc)"
kill -0 "$HL_PID" 2>/dev/null || die "hostlane died during the soak"
# Once the guests are gone, every pool returns to its use before them
# (their connections are released past a grace period: give it seconds).
after=
for _ in $(seq 50); do
	after=$(pools)
	[ "$after" = "$base_pools" ] && break
	sleep 0.2
done
rss_end=$(rss_kb)

rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$src" diff --quiet HEAD -- dataplane guestlib bench 2>/dev/null || rev="$rev+dirty"
python3 - "$T/samples" "$out" "$result" "$base_pools" "$after" "$rss_end" "$soak_rc" \
	"$guests" "$depth" "$minutes" "$rev" "$(date -u '+%Y-%m-%d %H:%M UTC')" <<'PY'
import sys
samples, out, result, before, after, rss_end, rc, guests, depth, minutes, rev, when = sys.argv[1:]
rows = [l.split() for l in open(samples) if l.strip()]
ok = rc == "0"
lines = ["# Soak: %s guests x %s calls in flight, %s minutes\n" % (guests, depth, minutes),
         "bench/soak.sh on hostlane %s, %s; one line per tick: calls completed so far,"
         " hostlane's RSS, pools in use.\n" % (rev, when),
         "| t (s) | calls | calls/s since last | RSS (KiB) | mbufs in use | hand-off msgs in use |",
         "|---|---|---|---|---|---|"]
prev_t, prev_c = 0.0, 0
rss = []
for r in rows:
    t, c = float(r[1]), int(r[3])
    kv = dict(x.split("=") for x in r[6:])
    mb = sum(int(v) for k, v in kv.items() if k.startswith("hl_mbufs"))
    rss.append(int(r[5]))
    lines.append("| %.0f | %d | %.0f | %s | %d | %s |" % (t, c, (c - prev_c) / max(t - prev_t, 1e-9),
                 r[5], mb, kv.get("hl_fnmsg", "?")))
    prev_t, prev_c = t, c
flat = len(rss) >= 2 and rss[-1] <= rss[0] * 1.02
back = before == after
lines.append("")
lines.append("result: %s" % result.replace("soak ", ""))
lines.append("RSS minute 1 -> last: %s -> %s KiB (%s); after the guests left: %s KiB" % (
    rss[0] if rss else "?", rss[-1] if rss else "?", "flat" if flat else "GREW", rss_end))
lines.append("pools after the guests left: %s" % ("as before" if back else "NOT as before: %s vs %s" % (after, before)))
verdict = ok and flat and back
lines.append("verdict: %s" % ("held" if verdict else "FAILED"))
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
sys.exit(0 if verdict else 1)
PY
