#!/usr/bin/env bash
# bench/vf/alloc.sh: the VF allocator in simulation (bench/vf/alloc_sim.c):
# FlexVF's four groups under fair and activity (who holds the VFs over
# time, the benefit), and one round's time and the memory per guest at
# 1 000 and 10 000 guests. Pure computation with a simulated clock: no
# hostlane process, no devices; --quick takes about a second.
#
# Usage: bench/vf/alloc.sh [--build DIR] [--out MD] [--raw RAW] [--quick] [--vfs N]
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${HOSTLANE_BUILD:-$here/../../build}
out=
raw=
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--raw) raw=${2:?}; shift ;;
	--quick) args+=(--quick) ;;
	--vfs) args+=(--vfs "${2:?}"); shift ;;
	-h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "alloc.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
sim=$build/bench/vf/alloc_sim
[ -x "$sim" ] || { echo "alloc.sh: SKIP: $sim not built" >&2; exit 77; }
tmp=
if [ -z "$raw" ]; then
	tmp=$(mktemp /tmp/vf-alloc.XXXXXX)
	raw=$tmp
fi
"$sim" "${args[@]}" --raw "$raw" || { echo "alloc.sh: alloc_sim failed" >&2; exit 1; }
md_args=()
[ -n "$out" ] && md_args=(--md "$out")
python3 "$here/../report.py" --section vfalloc --vfalloc "$raw" "${md_args[@]}"
rc=$?
[ -n "$tmp" ] && rm -f "$tmp"
exit $rc
