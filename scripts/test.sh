#!/usr/bin/env bash
# Build hostlane and run every test suite (unit, func, hostile, perf smoke,
# package: the Debian packages built, installed in a fresh root and run),
# then the unit, func and hostile suites again in a build with
# AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/; not the
# `docs` tests of man pages, unit files and examples, nor a `twin` that
# runs the same code as another test under another accelerator, nor a
# `nosan` test whose subject is CPU use or a peer's interop and whose
# hostlane code other tests run under the sanitizers), then a
# short smoke run of every libFuzzer target (build-fuzz/, clang). Those two
# builds run niced in the background during the first pass; the package
# suite and the fuzz smoke run beside the sanitizer pass.
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

all_passes=0
[ -z "${HOSTLANE_NO_ASAN:-}" ] && [ $# -eq 0 ] && all_passes=1

# The sanitizer and fuzz builds, at the lowest priority while the first
# pass runs: its tests mostly wait (peers, timeouts), so the builds use
# cores they leave idle. Each log is shown only if its build fails.
build_asan() {
	if [ ! -f build-asan/build.ninja ]; then
		meson setup build-asan --buildtype=debug -Dwerror=true \
			-Db_sanitize=address,undefined -Db_lundef=false || return 1
	fi
	cp build/eal-mem.args build-asan/
	ninja -C build-asan
}
build_fuzz() {
	if [ ! -f build-fuzz/build.ninja ]; then
		# CXX too: the fuzzers link the Verilator model (C++).
		CC=clang CXX=clang++ meson setup build-fuzz -Dfuzz=true || return 1
	fi
	cp build/eal-mem.args build-fuzz/
	ninja -C build-fuzz $(cd tests/fuzz && ls fuzz_*.c | sed 's|^|tests/fuzz/|; s|\.c$||')
}
if [ "$all_passes" = 1 ]; then
	rm -f build-asan.rc build-fuzz.rc
	( nice -n 19 bash -c "$(declare -f build_asan); build_asan" > build-asan.log 2>&1
	  echo $? > build-asan.rc
	  nice -n 19 bash -c "$(declare -f build_fuzz); build_fuzz" > build-fuzz.log 2>&1
	  echo $? > build-fuzz.rc ) &
	builds=$!
fi

# With every pass, the package suite (a niced package build, then a
# fresh root) runs beside the sanitizer pass instead of before it.
first=()
[ "$all_passes" = 1 ] && first=(--no-suite package)
echo "== set up and built (at ${SECONDS} s)"
meson test -C build --print-errorlogs "${first[@]}" "$@"
rc=$?
logs=("$top/build/meson-logs/testlog.json")

# build_done NAME: the background build NAME went well (else its log).
build_done() {
	[ "$(cat "$1.rc" 2>/dev/null)" = 0 ] && return 0
	echo "== $1 failed:"; tail -40 "$1.log"
	return 1
}

if [ "$all_passes" = 1 ]; then
	wait "$builds"
	# The package suite (its own log: build/meson-logs/package.*), and the
	# fuzz smoke (pure CPU, no EAL) beside the sanitizer pass, whose tests
	# mostly wait; their output is shown when they end.
	rm -f package.rc fuzz.rc
	( meson test -C build --no-rebuild --print-errorlogs --suite package \
		--logbase package > package.log 2>&1; echo $? > package.rc ) &
	pkg=$!
	if build_done build-fuzz; then
		( nice -n 19 meson test -C build-fuzz --no-rebuild --print-errorlogs \
			--suite fuzz > fuzz.log 2>&1; echo $? > fuzz.rc ) &
		fuzz=$!
	else
		echo 1 > fuzz.rc
		fuzz=
	fi
	echo "== the same suites under AddressSanitizer + UndefinedBehaviorSanitizer (at ${SECONDS} s)"
	build_done build-asan || exit 1
	# Any report fails the test that caused it.
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --suite unit --suite func \
		--suite hostile --no-suite docs --no-suite twin --no-suite nosan
	asan_rc=$?
	[ $rc -eq 0 ] && rc=$asan_rc
	logs+=("$top/build-asan/meson-logs/testlog.json")

	echo "== packages: built, installed in a fresh root, run (suite package) (at ${SECONDS} s)"
	wait "$pkg"
	cat package.log
	pkg_rc=$(cat package.rc 2>/dev/null || echo 1)
	[ $rc -eq 0 ] && rc=$pkg_rc
	logs+=("$top/build/meson-logs/package.json")

	echo "== fuzz smoke: every libFuzzer target, a few seconds each (clang) (at ${SECONDS} s)"
	[ -n "$fuzz" ] && wait "$fuzz"
	[ -f fuzz.log ] && cat fuzz.log
	fuzz_rc=$(cat fuzz.rc 2>/dev/null || echo 1)
	[ $rc -eq 0 ] && rc=$fuzz_rc
	[ -n "$fuzz" ] && logs+=("$top/build-fuzz/meson-logs/testlog.json")
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
echo "== done in ${SECONDS} s"
exit $rc
