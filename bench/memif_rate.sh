#!/usr/bin/env bash
# Channel rate: 64 B ping-pong through testpmd's net_memif client, hostlane's
# echo guest (A) against a testpmd net_memif server echoing (B), in pairs.
#
# Usage: bench/memif_rate.sh [--quick] [--pairs N] [--secs S] [--warmup W]
#                            [--hostlane PATH] [--out FILE] [--wait-idle S]
#                            [--keep-logs]
#
# Both sides are pinned the same way: the echo side polls on core 1 with its
# main lcore on core 0; the client forwards on core 0 with its main lcore on
# core 1. The machine is bimodal (docs/performance.md), so A and B alternate
# (A B, then B A, …) and only ratios within a pair are compared; a pair
# during which others used the CPUs is run again, and left out of the
# summary if it stays contended. Exit status: 0 done, 1 a run moved no
# frames, a process failed or every pair was contended, 2 bad usage, 77
# missing tools.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

pairs=5
secs=6
warmup=2
hostlane_bin=${HOSTLANE_BIN:-${HOSTLANE_BUILD:-$src/build}/dataplane/hostlane}
out=
wait_idle=30
keep_logs=0
client_cpu=0
echo_cpu=1

die() { echo "memif_rate: $*" >&2; exit 1; }

usage() {
	sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) pairs=2; secs=3; warmup=1 ;;
	--pairs) pairs=${2:?}; shift ;;
	--secs) secs=${2:?}; shift ;;
	--warmup) warmup=${2:?}; shift ;;
	--hostlane) hostlane_bin=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--wait-idle) wait_idle=${2:?}; shift ;;
	--keep-logs) keep_logs=1 ;;
	-h|--help) usage ;;
	*) echo "memif_rate: unknown option $1" >&2; usage ;;
	esac
	shift
done
[ "$secs" -ge 1 ] && [ "$warmup" -ge 0 ] || { echo "memif_rate: --secs must be ≥ 1, --warmup ≥ 0" >&2; exit 2; }
# Results of single runs go to the build tree; bench/results/ holds only
# what bench/run writes from a full run of a committed head.
: "${out:=$(dirname "$(dirname "$hostlane_bin")")/bench-results/memif_rate.md}"

command -v dpdk-testpmd >/dev/null || { echo "memif_rate: SKIP: no dpdk-testpmd" >&2; exit 77; }
[ -x "$hostlane_bin" ] || { echo "memif_rate: SKIP: no hostlane binary at $hostlane_bin" >&2; exit 77; }
[ "$(nproc)" -ge 2 ] || { echo "memif_rate: SKIP: needs 2 CPUs" >&2; exit 77; }

work=$(mktemp -d /tmp/memif_rate.XXXXXX)
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	if [ "$keep_logs" = 1 ]; then
		echo "memif_rate: logs kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A private copy: other people rebuild the tree while this runs.
cp "$hostlane_bin" "$work/hostlane" || die "cannot copy $hostlane_bin"
# The tree's revision, and when the binary was built: they can differ.
hostlane_rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$src" diff --quiet HEAD -- dataplane 2>/dev/null || hostlane_rev="$hostlane_rev+dirty"
hostlane_rev="$hostlane_rev, binary of $(date -u -r "$hostlane_bin" '+%Y-%m-%d %H:%M UTC')"

mem_opt=$(bash "$src/scripts/hugepages.sh" 2>/dev/null)
[ -n "$mem_opt" ] || mem_opt=--no-huge
eal_common=(--no-pci "$mem_opt" -m 256)
secret=bench-secret

# "busy total" jiffies of the whole machine since boot.
cpu_jiffies() {
	awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}

# CPU jiffies a process (all its threads) has used so far.
proc_jiffies() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

# Machine busy share over half a second, in percent.
machine_busy() {
	local b0 t0 b1 t1
	read -r b0 t0 < <(cpu_jiffies)
	sleep 0.5
	read -r b1 t1 < <(cpu_jiffies)
	[ "$t1" -gt "$t0" ] || { echo 0; return; }
	echo $(( 100 * (b1 - b0) / (t1 - t0) ))
}

# Waits up to --wait-idle seconds for other people's work to stop; runs
# that still share the CPUs are caught afterwards by foreign_share.
await_idle() {
	local t=0 b
	while b=$(machine_busy) && [ "$b" -ge 20 ] && [ "$t" -lt "$wait_idle" ]; do
		[ "$t" = 0 ] && echo "memif_rate: machine ${b}% busy before a run (someone else's work?); waiting up to ${wait_idle}s" >&2
		sleep 1
		t=$((t + 1))
	done
}

wait_socket() {
	local sock=$1 pid=$2 i
	for i in $(seq 100); do
		[ -S "$sock" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

forget() {
	local keep=() p
	for p in "${pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	pids=("${keep[@]}")
}

stop_pid() {
	local pid=$1 sig=$2 i
	kill "-$sig" "$pid" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	forget "$pid"
}

# start_echo KIND DIR: starts the echo side; sets echo_pid and sock.
start_echo() {
	local kind=$1 dir=$2
	mkdir -p "$dir"
	if [ "$kind" = hostlane ]; then
		# demo1 is the echo guest; demo0's non-request frames go to the PV
		# switch since 11a6501.
		sock=$dir/demo1.sock
		"$work/hostlane" --lcores "0@0,1@$echo_cpu" "${eal_common[@]}" \
			-- --runtime-dir "$dir" </dev/null >"$dir/echo.log" 2>&1 &
		client_secret=demo1-secret
	else
		sock=$dir/memif.sock
		# --stats-period keeps a non-interactive testpmd running.
		stdbuf -oL dpdk-testpmd --lcores "0@0,1@$echo_cpu" --main-lcore 0 \
			"${eal_common[@]}" \
			--vdev "net_memif0,role=server,socket=$sock,socket-abstract=no,secret=$secret" \
			-- --total-num-mbufs=16384 --port-topology=loop --forward-mode=io \
			--stats-period 1 </dev/null >"$dir/echo.log" 2>&1 &
		client_secret=$secret
	fi
	echo_pid=$!
	pids+=("$echo_pid")
	# testpmd 22.11's memif server may crash while closing; keep bash quiet
	# about it (the run's numbers are already in).
	[ "$kind" = hostlane ] || disown "$echo_pid"
	wait_socket "$sock" "$echo_pid"
}

# run_client DIR: the same client for both sides. It prints Rx-pps once a
# second from its first forwarding second; SIGINT after the warm-up and
# --secs more lines, so EAL start-up never eats into the measurement.
run_client() {
	local dir=$1 want=$((warmup + secs + 2)) t=0
	: >"$dir/client.log"
	stdbuf -oL dpdk-testpmd \
		--lcores "0@1,1@$client_cpu" --main-lcore 0 "${eal_common[@]}" \
		--vdev "net_memif0,role=client,socket=$sock,socket-abstract=no,secret=$client_secret" \
		-- --total-num-mbufs=16384 --port-topology=loop --forward-mode=io \
		--tx-first --stats-period 1 --record-core-cycles \
		</dev/null >"$dir/client.log" 2>&1 &
	local p=$!
	pids+=("$p")
	while [ "$(grep -a -c 'Rx-pps:' "$dir/client.log" 2>/dev/null)" -lt "$want" ]; do
		kill -0 "$p" 2>/dev/null || break
		[ "$t" -ge $(( (secs + warmup + 20) * 5 )) ] && break
		sleep 0.2
		t=$((t + 1))
	done
	ours_j=$(( $(proc_jiffies "$p") + $(proc_jiffies "$echo_pid") ))
	read -r end_busy end_total < <(cpu_jiffies)
	stop_pid "$p" INT
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The --secs per-second Rx-pps samples after the first (empty) line and the
# warm-up.
samples() {
	grep -a 'Rx-pps:' "$1" | awk '{ print $2 }' | tail -n +"$((warmup + 2))" | head -n "$secs"
}

# fwd_total FILE RX|TX: the client's forwarded totals at the end.
fwd_total() {
	grep -a -A3 'Forward statistics for port 0' "$1" | grep -a "$2-packets" |
		tail -1 | awk '{ print $2 }'
}

# measure KIND N: one run; sets m_pps (median), m_busy (client busy %) and
# m_flags. Not in a subshell, so the EXIT trap sees every pid.
measure() {
	local kind=$1 n=$2 dir=$work/$1-$2 flags="" b0 t0 foreign
	await_idle
	read -r b0 t0 < <(cpu_jiffies)
	start_echo "$kind" "$dir" || {
		tail -20 "$dir/echo.log" >&2
		die "$kind echo side did not create its socket"
	}
	run_client "$dir"
	if [ "$kind" = hostlane ]; then
		stop_pid "$echo_pid" TERM
	else
		stop_pid "$echo_pid" INT
	fi

	local s rx tx pps lo hi busy
	s=$(samples "$dir/client.log")
	rx=$(fwd_total "$dir/client.log" RX)
	tx=$(fwd_total "$dir/client.log" TX)
	local why=""
	if [ "${rx:-0}" -eq 0 ] || [ "${tx:-0}" -le 32 ]; then
		why="moved no frames both ways (client RX=${rx:-?} TX=${tx:-?}; TX of 32 is --tx-first alone)"
	elif [ "$(echo "$s" | wc -w)" -lt "$secs" ]; then
		why="gave fewer than $secs per-second readings"
	fi
	if [ -n "$why" ]; then
		echo "memif_rate: FAIL: $kind run $n $why" >&2
		echo "--- echo side ($kind) log tail:" >&2; tail -15 "$dir/echo.log" >&2
		echo "--- client log tail:" >&2; tail -15 "$dir/client.log" >&2
		keep_logs=1
		exit 1
	fi
	pps=$(echo "$s" | median)
	lo=$(echo "$s" | sort -n | head -1)
	hi=$(echo "$s" | sort -n | tail -1)
	# CPU time used by anyone but our two processes during the run: ours
	# poll on both CPUs, so anything else took time from them.
	foreign=$(( 100 * (end_busy - b0 - ours_j) / (end_total - t0) ))
	[ "$foreign" -ge 5 ] && flags="$flags${flags:+,}contended"
	# A run that changed speed in the middle (vCPU moved, someone else ran).
	[ "$lo" -gt 0 ] && [ $((hi * 10 / lo)) -ge 13 ] && flags="$flags${flags:+,}unsteady"
	# The client's busy share (cycles in non-empty bursts × rate / clock):
	# near 100% means the client, not the echo side, set the pace.
	busy=$(grep -a 'CPU cycles/packet=' "$dir/client.log" | tail -1 |
		sed 's/.*packet=\([0-9.]*\).* at \([0-9]*\) MHz.*/\1 \2/' |
		awk -v p="$pps" '$2 > 0 { b = 100 * $1 * p / ($2 * 1e6) } END { printf "%d", b }')
	[ "$busy" -ge 85 ] && flags="$flags${flags:+,}generator-bound"
	m_pps=$pps m_busy=$busy m_flags=${flags:--}
}

mpps() { awk -v v="$1" 'BEGIN { printf "%.2f", v / 1e6 }'; }

echo "memif_rate: $pairs pairs of runs measuring ${secs}s after a ${warmup}s warm-up, 64 B, EAL $mem_opt; hostlane $hostlane_rev"
printf '%-5s %-5s %-11s %-11s %-6s %-8s %-8s %s\n' pair order "A hostlane" "B dpdk" "A/B" "busy A" "busy B" flags

# A pair with a contended run (someone else used the CPUs) is run again, at
# most --pairs times in all; one still contended stays in the table but out
# of the summary.
rows=()
a_all=()
b_all=()
ratios=()
done_pairs=0
retries=0
n=0
while [ "$done_pairs" -lt "$pairs" ]; do
	n=$((n + 1))
	if [ $((n % 2)) = 1 ]; then
		order="A B"
		measure hostlane "$n"; a=$m_pps abusy=$m_busy aflags=$m_flags
		measure dpdk "$n"; b=$m_pps bbusy=$m_busy bflags=$m_flags
	else
		order="B A"
		measure dpdk "$n"; b=$m_pps bbusy=$m_busy bflags=$m_flags
		measure hostlane "$n"; a=$m_pps abusy=$m_busy aflags=$m_flags
	fi
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
	fl=""
	[ "$aflags" != - ] && fl="A:$aflags"
	[ "$bflags" != - ] && fl="$fl${fl:+ }B:$bflags"
	case $fl in
	*contended*)
		if [ "$retries" -lt "$pairs" ]; then
			retries=$((retries + 1))
			fl="$fl (rerun)"
		else
			fl="$fl (excluded)"
			done_pairs=$((done_pairs + 1))
		fi
		;;
	*)
		a_all+=("$a"); b_all+=("$b"); ratios+=("$r")
		done_pairs=$((done_pairs + 1))
		;;
	esac
	printf '%-5s %-5s %-11s %-11s %-6s %-8s %-8s %s\n' "$n" "$order" "$(mpps "$a")" "$(mpps "$b")" "$r" "$abusy%" "$bbusy%" "${fl:--}"
	rows+=("| $n | $order | $(mpps "$a") | $(mpps "$b") | $r | $abusy% | $bbusy% | ${fl:--} |")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f %.2f %.2f", v[1] / 1e6, m / 1e6, v[NR] / 1e6 }'; }
status=0
if [ "${#ratios[@]}" -gt 0 ]; then
	read -r amin amed amax < <(stats "${a_all[@]}")
	read -r bmin bmed bmax < <(stats "${b_all[@]}")
	rmed=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	verdict=$(awk -v r="$rmed" 'BEGIN { print (r >= 0.8) ? "meets" : "below" }')
else
	# Every pair shared the CPUs with someone: no figure worth printing.
	amin=- amed=- amax=- bmin=- bmed=- bmax=- rmed=- verdict="no clean pair: cannot judge"
	status=1
fi

# Bimodal: one side's runs differ by 1.5× or more across the session.
notes=()
for side in "A hostlane:$amin:$amax" "B dpdk:$bmin:$bmax"; do
	IFS=: read -r name lo hi <<<"$side"
	awk -v l="$lo" -v h="$hi" 'BEGIN { exit !(l + 0 > 0 && h / l >= 1.5) }' &&
		notes+=("$name runs span ${lo}–${hi} Mpps: bimodal machine, trust the per-pair ratios, not the absolutes")
done
printf '%s\n' "${rows[@]}" | grep -q generator-bound &&
	notes+=("generator-bound runs: the client was busy ≥85% of the time, so the echo side may be faster than shown")
printf '%s\n' "${rows[@]}" | grep -q contended &&
	notes+=("contended runs: other processes took ≥5% of the CPUs during the run")
printf '%s\n' "${rows[@]}" | grep -q unsteady &&
	notes+=("unsteady runs: the per-second rate moved ≥1.3× within the run")

summary=$(cat <<EOF
hostlane echo (A): min/median/max $amin / $amed / $amax Mpps
DPDK memif pair (B): min/median/max $bmin / $bmed / $bmax Mpps
median ratio A/B over ${#ratios[@]} clean pairs: $rmed ($verdict${ratios:+ the 0.8 target})
EOF
)
echo "$summary"
for n in "${notes[@]}"; do echo "note: $n"; done

mkdir -p "$(dirname "$out")"
{
	echo "# memif channel rate — $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "bench/memif_rate.sh: 64 B ping-pong, testpmd net_memif client (io, loop,"
	echo "--tx-first) against A = hostlane echo guest ($hostlane_rev), B = testpmd"
	echo "net_memif server (io, loop). $pairs pairs, A B then B A in turn; each run is the median of ${secs}"
	echo "per-second Rx-pps readings after a ${warmup}s warm-up. EAL $mem_opt -m 256; $(nproc) CPUs,"
	echo "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)."
	echo "Busy = the client's share of cycles spent in non-empty bursts."
	echo
	echo "| pair | order | A hostlane Mpps | B DPDK Mpps | A/B | client busy A | client busy B | flags |"
	echo "|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "$summary" | sed 's/^/- /'
	for n in "${notes[@]}"; do echo "- note: $n"; done
} >"$out"
echo "memif_rate: table written to $out" >&2
[ "$status" = 0 ] || echo "memif_rate: FAIL: every pair was contended; run again on a free machine" >&2
exit "$status"
