#!/usr/bin/env bash
# Line and branch coverage of hostlane's own code (dataplane/, guestlib/,
# control/, fpga/) by the unit, func and hostile suites: a debug build with
# -Db_coverage=true in build-cov/, the suites, then gcovr's summary and the
# least-covered files. Installs gcovr (Debian package gcovr) if missing;
# the default test run (scripts/test.sh) does not need it.
#
# Usage: scripts/coverage.sh [N]    N: how many least-covered files (20)
# Reports: build-cov/coverage.txt (every file), build-cov/coverage.json.
# A process killed with SIGKILL writes no counts: what only such runs
# execute (a crash test's victim) counts as uncovered.
# Exit status: the test run's (coverage is printed either way).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
n=${1:-20}
case "$n" in
''|*[!0-9]*) echo "usage: scripts/coverage.sh [N]" >&2; exit 2 ;;
esac

if ! command -v gcovr > /dev/null; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "coverage.sh: gcovr missing; need root to install it (apt-get install gcovr)" >&2
		exit 1
	fi
	echo "coverage.sh: installing gcovr"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends gcovr > /dev/null ||
		{ apt-get update -q > /dev/null &&
		  apt-get install -y -q --no-install-recommends gcovr > /dev/null; } ||
		exit 1
fi
# Packages and build/eal-mem.args (the EAL memory option the tests use).
bash scripts/setup.sh --no-build || exit 1

# Atomic counters: hostlane's lcores and libhostlane's callers run the same
# code on several threads, and racing increments leave counts gcov cannot
# parse (a branch "taken -349" times) or that are simply wrong.
cov_opts=(-Db_coverage=true -Dc_args=-fprofile-update=atomic
	  -Dcpp_args=-fprofile-update=atomic)
if [ ! -f build-cov/build.ninja ]; then
	meson setup build-cov --buildtype=debug -Dwerror=true "${cov_opts[@]}" \
		> /dev/null || exit 1
else
	meson configure build-cov "${cov_opts[@]}" || exit 1
fi
cp build/eal-mem.args build-cov/
ninja -C build-cov > /dev/null || ninja -C build-cov || exit 1
# Counts from an earlier run would add to this one's.
find build-cov -name '*.gcda' -delete

meson test -C build-cov --print-errorlogs --suite unit --suite func --suite hostile
rc=$?

echo "== coverage of dataplane/, guestlib/, control/, fpga/ (unit, func, hostile)"
# Generated sources (Verilator's, in build-cov/) and the tests themselves
# are not what is measured.
gcovr -r "$top" --object-directory build-cov \
	--filter "$top/(dataplane|guestlib|control|fpga)/" \
	--exclude "$top/build-cov/" \
	--txt build-cov/coverage.txt --json-summary build-cov/coverage.json \
	--print-summary || exit 1

echo "== the $n least-covered files (by lines)"
python3 - build-cov/coverage.json "$n" <<'PY'
import json, sys

files = json.load(open(sys.argv[1]))["files"]
def pct(p):
    return "%5.1f%%" % p if p is not None else "     -"

files = [f for f in files if f["line_total"] > 0]
files.sort(key=lambda f: (f["line_percent"], -f["line_total"]))
print("%-32s %14s %16s" % ("file", "lines", "branches"))
for f in files[:int(sys.argv[2])]:
    print("%-32s %s %3d/%-4d %s %4d/%-4d" % (
        f["filename"], pct(f["line_percent"]), f["line_covered"], f["line_total"],
        pct(f["branch_percent"]), f["branch_covered"], f["branch_total"]))
PY
exit $rc
