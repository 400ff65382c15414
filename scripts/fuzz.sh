#!/usr/bin/env bash
# The long fuzz run (`make fuzz`): every libFuzzer target of tests/fuzz/ for
# up to SECONDS seconds or RUNS executions, whichever comes first, two at a
# time (one per core). Prints executions and findings per target; exits 1
# if any target found something. Reproducers land in
# build-fuzz/fuzz-artifacts/<target>/, new corpus entries in
# build-fuzz/fuzz-corpus/<target>/ (copy the good ones to tests/fuzz/corpus/).
#
# Usage: scripts/fuzz.sh [-t SECONDS] [-n RUNS] [-j JOBS] [TARGET...]
#        defaults: -t 600 -n 10000000 -j 2, all targets
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
secs=600 runs=10000000 jobs=2
while getopts "t:n:j:" o; do
	case $o in
	t) secs=$OPTARG ;;
	n) runs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) sed -n '2,12p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(memif_hs memif_ring proto pipeline config ctl compress)

bd=$top/build-fuzz
if [ ! -f "$bd/build.ninja" ]; then
	CC=clang CXX=clang++ meson setup "$bd" -Dfuzz=true > /dev/null || exit 1
fi
ninja -C "$bd" $(printf 'tests/fuzz/fuzz_%s ' "${targets[@]}") > /dev/null || exit 1

run_one() {
	local t=$1 lcore=$2
	local corpus=$bd/fuzz-corpus/$t
	local art=$bd/fuzz-artifacts/$t/
	mkdir -p "$corpus" "$art"
	HOSTLANE_FUZZ_LCORE=$lcore \
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
		taskset -c "$lcore" "$bd/tests/fuzz/fuzz_$t" \
		-max_total_time="$secs" -runs="$runs" -timeout=60 \
		-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
		-artifact_prefix="$art" "$corpus" "$top/tests/fuzz/corpus/$t" \
		> "$bd/fuzz-$t.log" 2>&1
}

summary() {
	local t=$1 rc=$2
	local log=$bd/fuzz-$t.log execs secs_run finds
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	secs_run=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	finds=$(find "$bd/fuzz-artifacts/$t" -type f | wc -l)
	printf '%-12s %12s executions %6ss  %s finding(s)%s\n' "$t" "${execs:-?}" \
		"${secs_run:-?}" "$finds" "$([ "$rc" -ne 0 ] && echo "  FAILED: see $log")"
}

rc=0 i=0
pids=() names=()
for t in "${targets[@]}"; do
	run_one "$t" $((i % jobs)) &
	pids+=($!) names+=("$t")
	i=$((i + 1))
	if [ ${#pids[@]} -ge "$jobs" ]; then
		wait "${pids[0]}"; r=$?; summary "${names[0]}" $r
		[ $r -ne 0 ] && rc=1
		pids=("${pids[@]:1}") names=("${names[@]:1}")
	fi
done
for k in "${!pids[@]}"; do
	wait "${pids[$k]}"; r=$?; summary "${names[$k]}" $r
	[ $r -ne 0 ] && rc=1
done
exit $rc
