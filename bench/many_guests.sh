#!/usr/bin/env bash
# Many guests (issue 16 §2, §7): calls/s with one busy guest among idle
# ones and with every guest busy, on one I/O lcore and on two, and the
# memory a guest costs.
#
# Usage: bench/many_guests.sh [--quick] [--mem-only] [--counts "1 8 64 256 1024"]
#                             [--io-lcores "1 2"] [--max-guests M] [--rate-ms MS]
#                             [--out FILE] [--keep-logs]
#
# For each count N and I/O lcore count L: a hostlane (main lcore on core 0,
# I/O lcore 1 on core 1, I/O lcore 2 on core 0; idle = poll) with N memif
# guests configured, spread over its I/O lcores (fewest guests first);
# tests/control/many_client connects to all N from one process and keeps
# 32 echo calls in flight on the first for MS while the other N - 1 stay
# connected and idle ("one busy"); then, again, 4 in flight on every one
# of the N ("all busy"); calls/s. This machine has 2 cores: with two I/O
# lcores the second shares core 0 with the main lcore and the client, so
# that column shows what the sharing costs here, not how far a second
# core would carry hostlane.
# Memory, each read from /proc and DPDK telemetry (/eal/heap_info,0, the
# heap's allocated bytes): with N configured and none connected, and with
# all N connected (64-slot rings; MANY_CLIENT_LOG2_RING=10 for
# libhostlane's default of 1024). Per idle guest: the difference from the
# run with 1 guest, divided by N - 1; per connection: (connected - idle) / N.
# --mem-only: memory only, with idle = adaptive (no core spent polling).
# max_guests is M (default: the larger of 1024 and N), so that runs with
# different M show what a slot costs whether used or not.
# Memory is measured with one I/O lcore only. Exit status: 0 done, 1 a run failed, 2 bad usage,
# 77 not built.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${HOSTLANE_BUILD:-$src/build}

counts="1 8 64 256 1024"
io_lcores="1 2"
rate_ms=3000
out=
keep_logs=0
mem_only=0
slots=0
idle_mode=poll

usage() { sed -n '6,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) counts="1 64 1024"; rate_ms=1000 ;;
	--counts) counts=${2:?}; shift ;;
	--io-lcores) io_lcores=${2:?}; shift ;;
	--rate-ms) rate_ms=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--keep-logs) keep_logs=1 ;;
	--mem-only) mem_only=1; idle_mode=adaptive; io_lcores=1 ;;
	--max-guests) slots=${2:?}; shift ;;
	-h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "many_guests: unknown option $1" >&2; usage ;;
	esac
	shift
done
: "${out:=$build/bench-results/many_guests.md}"

HL="$build/dataplane/hostlane"
MANY="$build/tests/control/many_client"
for b in "$HL" "$MANY"; do
	[ -x "$b" ] || { echo "many_guests: SKIP: $b not built" >&2; exit 77; }
done
TEL=$(command -v dpdk-telemetry.py) || { echo "many_guests: SKIP: no dpdk-telemetry.py" >&2; exit 77; }
[ "$(nproc)" -ge 2 ] || { echo "many_guests: SKIP: needs 2 CPUs" >&2; exit 77; }
T=$(mktemp -d /tmp/bench-many.XXXXXX)
PREFIX="hlmany$$"
HL_PID=
CL_PID=
cleanup() {
	[ -n "$CL_PID" ] && kill -TERM "$CL_PID" 2>/dev/null
	if [ -n "$HL_PID" ]; then kill -TERM "$HL_PID" 2>/dev/null; wait "$HL_PID" 2>/dev/null; fi
	rm -rf "/var/run/dpdk/$PREFIX"
	if [ "$keep_logs" = 1 ]; then echo "logs in $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT

conf() {  # conf N: N guests, budgets that fit one lcore's pending pool
	{
		printf '[hostlane]\nidle = %s\nmax_guests = %d\npending_per_lcore = 65536\n' \
			"$idle_mode" "$(( slots > 0 ? slots : $1 > 1024 ? $1 : 1024 ))"
		for i in $(seq 0 $(( $1 - 1 ))); do
			printf '[guest g%d]\nhandler = hostlane\nfunctions = echo\nmax_inflight = 32\n' "$i"
		done
	} > "$T/n$1.conf"
}

hl_up() {  # hl_up N IO_LCORES
	local lc='0@0,1@1'
	[ "$2" = 2 ] && lc='0@0,1@1,2@0'
	rm -rf "$T/run"
	conf "$1"
	# shellcheck disable=SC2046
	"$HL" --lcores "$lc" --no-pci $(bash "$src/scripts/eal-mem.sh" 256) \
		--file-prefix "$PREFIX" -- --runtime-dir "$T/run" --config "$T/n$1.conf" \
		> "$T/hostlane.log" 2>&1 &
	HL_PID=$!
	for _ in $(seq 300); do
		grep -q "hostlane: running" "$T/hostlane.log" 2>/dev/null && return 0
		kill -0 "$HL_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$T/hostlane.log" >&2
	echo "many_guests: hostlane did not start ($1 guests)" >&2
	exit 1
}

hl_down() {
	kill -TERM "$HL_PID"
	wait "$HL_PID" || { tail "$T/hostlane.log" >&2; echo "many_guests: unclean stop" >&2; exit 1; }
	HL_PID=
}

# mem: "RSS_KIB HEAP_BYTES" of the running hostlane.
mem() {
	local rss heap
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$HL_PID/status")
	heap=$(echo '/eal/heap_info,0' | timeout 20 python3 "$TEL" -f "$PREFIX" 2>/dev/null |
		python3 -c 'import json,sys
for l in sys.stdin:
    l = l.strip()
    if l.startswith("{") and "/eal/heap_info" in l:
        print(json.loads(l)["/eal/heap_info"]["Alloc_size"]); break')
	echo "$rss ${heap:-0}"
}

# rate MODE N DEPTH: calls/s of many_client MODE (rate: the first guest
# busy; busy: all of them).
rate() {
	"$MANY" "$1" "$T/run" 0 "$2" "$rate_ms" "$3" > "$T/rate.log" 2>&1 ||
		{ cat "$T/rate.log" >&2; echo "many_guests: $1 failed ($2)" >&2; exit 1; }
	awk '/^rate/ { print $2 }' "$T/rate.log"
}

rows=()
base_idle=
for L in $io_lcores; do
for n in $counts; do
	hl_up "$n" "$L"
	sleep 0.5
	if [ "$L" != 1 ]; then
		one=$(rate rate "$n" 32)
		all=$(rate busy "$n" 4)
		hl_down
		echo "  $n guests, $L I/O lcores: $one calls/s (1 busy), $all calls/s (all busy)"
		rows+=("$n $L $one $all - - - -")
		continue
	fi
	idle=$(mem)
	[ -z "$base_idle" ] && [ "$n" = 1 ] && base_idle=$idle
	rm -f "$T/go"
	"$MANY" calls "$T/run" 0 "$n" 1 "$T/go" > "$T/hold.log" 2>&1 &
	CL_PID=$!
	for _ in $(seq 600); do grep -q '^held$' "$T/hold.log" && break; sleep 0.1; done
	grep -q '^held$' "$T/hold.log" || { cat "$T/hold.log" >&2; echo "many_guests: connect failed ($n)" >&2; exit 1; }
	conn=$(mem)
	touch "$T/go"
	wait "$CL_PID" || { cat "$T/hold.log" >&2; exit 1; }
	CL_PID=
	one=0 all=0
	if [ "$mem_only" = 0 ]; then
		one=$(rate rate "$n" 32)
		all=$(rate busy "$n" 4)
	fi
	hl_down
	echo "  $n guests, 1 I/O lcore: $one calls/s (1 busy, $(( n - 1 )) idle connected), $all (all busy); idle rss/heap $idle; connected $conn"
	rows+=("$n 1 $one $all $idle $conn")
done
done

mkdir -p "$(dirname "$out")"
python3 - "$out" "${base_idle:-}" "${rows[@]}" <<'PY'
import sys
out, base = sys.argv[1], sys.argv[2].split()
md = ["# Many guests: one busy among idle ones, all busy, and memory per guest", "",
      "idle = poll. One busy: 32 echo calls in flight on one guest, the others "
      "connected and idle. All busy: 4 in flight on every guest, from one client "
      "thread (on core 0). Two I/O lcores: the second on core 0, beside the main "
      "lcore and the client (this machine has 2 cores). Memory with one I/O lcore: "
      "RSS from /proc (KiB), heap = DPDK's allocated bytes (/eal/heap_info,0).", "",
      "| guests | I/O lcores | calls/s, one busy | calls/s, all busy | RSS idle KiB "
      "| heap idle B | RSS connected KiB | heap connected B "
      "| per idle guest (RSS / heap) | per connection, more (RSS / heap) |",
      "|---|---|---|---|---|---|---|---|---|---|"]
for r in sys.argv[3:]:
    n, lc, one, allb, ri, hi, rc, hc = r.split()
    n = int(n)
    per_i = per_c = "-"
    if base and n > 1 and ri != "-":
        per_i = f"{(int(ri) - int(base[0])) / (n - 1):.1f} KiB / {(int(hi) - int(base[1])) / (n - 1):.0f} B"
    if ri != "-":
        per_c = f"{(int(rc) - int(ri)) / n:.1f} KiB / {(int(hc) - int(hi)) / n:.0f} B"
    md.append(f"| {n} | {lc} | {float(one):.0f} | {float(allb):.0f} | {ri} | {hi} | {rc} | {hc} "
              f"| {per_i} | {per_c} |")
open(out, "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
