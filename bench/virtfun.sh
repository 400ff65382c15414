#!/usr/bin/env bash
# VirtFun's table: factorial(51) and fibonacci(93), a fixed total of
# repetitions split as repetitions × invocations, timed as Host-Host (a
# direct call), Guest-Host (libhostlane → hostlane) and Guest-Net (TCP
# loopback to bench/rpc_server), alternating HH GH GN in every column.
#
# Usage: bench/virtfun.sh [--quick] [--runs N] [--total N] [--cols N,N,...]
#                         [--fn NAME] [--gn busy|blocking] [--build DIR]
#                         [--out FILE] [--raw FILE] [--wait-idle S]
#                         [--retries N] [--keep-logs]
#
# The client (bench/virtfun, the "guest") runs on core 0; hostlane's I/O
# lcore and the RPC server on core 1, each resumed (SIGCONT) only for its
# own domain's turn and stopped (SIGSTOP) otherwise, so no poller shares a
# core with the domain being timed; hostlane's main lcore sleeps on core 0.
# hostlane runs its embedded default config (fpga = sim); both functions are
# opened with HL_PLACE_SW and checked to be activated on software, so the
# simulated accelerator is never used. Exit status: 0 done, 1 a run failed,
# 2 bad usage, 77 missing pieces.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

runs=5
total=5000000
cols=1,10,100,1000,10000,100000,1000000
fns=()
gn=busy
build=${HOSTLANE_BUILD:-$src/build}
out=$here/results/virtfun.md
raw=
wait_idle=2
retries=2
keep_logs=0
quick=0
client_cpu=0
server_cpu=1

usage() { sed -n '7,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; runs=2; total=1000000; cols=1,10,100,1000,10000
		retries=0; wait_idle=0.3 ;;
	--runs) runs=${2:?}; shift ;;
	--total) total=${2:?}; shift ;;
	--cols) cols=${2:?}; shift ;;
	--fn) fns+=(--fn "${2:?}"); shift ;;
	--gn) gn=${2:?}; shift ;;
	--build) build=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--raw) raw=${2:?}; shift ;;
	--wait-idle) wait_idle=${2:?}; shift ;;
	--retries) retries=${2:?}; shift ;;
	--keep-logs) keep_logs=1 ;;
	-h|--help) usage ;;
	*) echo "virtfun: unknown option $1" >&2; usage ;;
	esac
	shift
done
case $gn in busy|blocking) ;; *) echo "virtfun: --gn busy|blocking" >&2; exit 2 ;; esac

for f in dataplane/hostlane bench/virtfun bench/rpc_server; do
	[ -x "$build/$f" ] || { echo "virtfun: SKIP: $build/$f not built" >&2; exit 77; }
done
[ "$(nproc)" -ge 2 ] || { echo "virtfun: SKIP: needs 2 CPUs" >&2; exit 77; }
command -v taskset >/dev/null || { echo "virtfun: SKIP: no taskset" >&2; exit 77; }
command -v python3 >/dev/null || { echo "virtfun: SKIP: no python3" >&2; exit 77; }

work=$(mktemp -d /tmp/virtfun.XXXXXX)
pids=()

# Stopped servers must be resumed to see the TERM.
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "$keep_logs" = 1 ]; then
		echo "virtfun: logs kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "virtfun: $*" >&2; keep_logs=1; exit 1; }

# Private copies: other people rebuild the tree while this runs.
mkdir -p "$work/lib"
cp "$build/dataplane/hostlane" "$build/bench/virtfun" "$build/bench/rpc_server" "$work/" ||
	die "cannot copy the binaries"
find "$build/guestlib" -maxdepth 1 -name 'libhostlane.so*' ! -type d -exec cp -P {} "$work/lib/" \;
[ -e "$work/lib/libhostlane.so" ] || die "cannot copy libhostlane"
export LD_LIBRARY_PATH=$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$src" diff --quiet HEAD -- dataplane guestlib fpga bench 2>/dev/null || rev="$rev+dirty"
# shellcheck disable=SC2207
eal_mem=($(bash "$src/scripts/eal-mem.sh" 256))

rpc_args=()
[ "$gn" = busy ] && rpc_args=(--busy)
taskset -c "$server_cpu" "$work/rpc_server" "$work/rpc.port" --cpu "$server_cpu" "${rpc_args[@]}" \
	</dev/null >"$work/rpc.log" 2>&1 &
rpc_pid=$!
pids+=("$rpc_pid")

mkdir -p "$work/hl"
"$work/hostlane" --lcores "0@$client_cpu,1@$server_cpu" --no-pci "${eal_mem[@]}" \
	-- --runtime-dir "$work/hl" </dev/null >"$work/hostlane.log" 2>&1 &
hl_pid=$!
pids+=("$hl_pid")
for _ in $(seq 200); do
	[ -S "$work/hl/demo0.sock" ] && grep -q "hostlane: running" "$work/hostlane.log" &&
		[ -s "$work/rpc.port" ] && break
	kill -0 "$hl_pid" 2>/dev/null || break
	sleep 0.1
done
[ -s "$work/rpc.port" ] || die "rpc_server did not start: $(cat "$work/rpc.log")"
grep -q "hostlane: running" "$work/hostlane.log" || { tail -20 "$work/hostlane.log" >&2; die "hostlane did not start"; }

ncols=$(echo "$cols" | tr ',' '\n' | wc -l)
nfns=$(( ${#fns[@]} > 0 ? ${#fns[@]} / 2 : 2 ))
echo "virtfun: ${nfns} function(s) × $ncols columns ($cols invocations) × $runs runs of HH GH GN;" \
	"total $total repetitions per cell ($(awk -v t="$total" 'BEGIN { printf "1/%g", 500e6 / t }') of the paper's 500M);" \
	"GN = TCP loopback, $gn; hostlane $rev, EAL ${eal_mem[*]}" >&2

rawf=$work/virtfun.raw
{
	echo "INFO rev $rev"
	echo "INFO eal ${eal_mem[*]}"
	echo "INFO quick $quick"
	echo "INFO cols $cols"
} >"$rawf"
t0=$(date +%s)
taskset -c "$client_cpu" "$work/virtfun" --hostlane "$work/hl/demo0.sock" demo0-secret \
	--hl-pid "$hl_pid" --rpc-port "$(cat "$work/rpc.port")" --rpc-pid "$rpc_pid" \
	${rpc_args[@]+"${rpc_args[@]}"} ${fns[@]+"${fns[@]}"} --total "$total" --cols "$cols" \
	--runs "$runs" --retries "$retries" --wait-idle "$wait_idle" >>"$rawf" ||
	{ tail -20 "$work/hostlane.log" >&2; die "the client failed"; }
echo "INFO elapsed_s $(( $(date +%s) - t0 ))" >>"$rawf"
[ -n "$raw" ] && { mkdir -p "$(dirname "$raw")"; cp "$rawf" "$raw"; }
mkdir -p "$(dirname "$out")"
python3 "$here/report.py" --virtfun "$rawf" --section virtfun --md "$out" ||
	die "report failed"
echo "virtfun: table written to $out" >&2
exit 0
