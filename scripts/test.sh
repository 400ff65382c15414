#!/usr/bin/env bash
# Build hostlane and run every test suite (unit, func, hostile, perf smoke,
# package: the Debian packages built, installed in a fresh root and run),
# then the unit, func and hostile suites again in a build with
# AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/), then a
# short smoke run of every libFuzzer target (build-fuzz/, clang).
# Works on a fresh Debian 12 as root: scripts/setup.sh installs what is
# missing and sets up hugepages (or falls back to --no-huge).
#
# Usage: scripts/test.sh [meson test options, e.g. --suite unit]
#        HOSTLANE_NO_ASAN=1 scripts/test.sh   skips the sanitizer and fuzz passes
#        scripts/fuzz.sh                      long fuzz runs (make fuzz)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh || exit 1

meson test -C build --print-errorlogs "$@"
rc=$?
logs=("$top/build/meson-logs/testlog.json")

if [ -z "${HOSTLANE_NO_ASAN:-}" ] && [ $# -eq 0 ]; then
	echo "== the same suites under AddressSanitizer + UndefinedBehaviorSanitizer"
	if [ ! -f build-asan/build.ninja ]; then
		meson setup build-asan --buildtype=debug -Dwerror=true \
			-Db_sanitize=address,undefined -Db_lundef=false > /dev/null || exit 1
	fi
	cp build/eal-mem.args build-asan/
	ninja -C build-asan > /dev/null || ninja -C build-asan || exit 1
	# Any report fails the test that caused it.
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --suite unit --suite func \
		--suite hostile
	asan_rc=$?
	[ $rc -eq 0 ] && rc=$asan_rc
	logs+=("$top/build-asan/meson-logs/testlog.json")

	echo "== fuzz smoke: every libFuzzer target, a few seconds each (clang)"
	if [ ! -f build-fuzz/build.ninja ]; then
		# CXX too: the fuzzers link the Verilator model (C++).
		CC=clang CXX=clang++ meson setup build-fuzz -Dfuzz=true > /dev/null || exit 1
	fi
	cp build/eal-mem.args build-fuzz/
	ninja -C build-fuzz $(cd tests/fuzz && ls fuzz_*.c | sed 's|^|tests/fuzz/|; s|\.c$||') \
		> /dev/null || exit 1
	meson test -C build-fuzz --no-rebuild --print-errorlogs --suite fuzz
	fuzz_rc=$?
	[ $rc -eq 0 ] && rc=$fuzz_rc
	logs+=("$top/build-fuzz/meson-logs/testlog.json")
fi

# One closing line any CI can read: "N passed, N failed, N skipped".
python3 - "${logs[@]}" <<'PY'
import json, sys
ok = bad = skip = 0
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            r = json.loads(line).get("result", "")
            if r in ("OK", "EXPECTEDFAIL"):
                ok += 1
            elif r == "SKIP":
                skip += 1
            else:
                bad += 1
print("%d passed, %d failed, %d skipped" % (ok, bad, skip))
PY
exit $rc
