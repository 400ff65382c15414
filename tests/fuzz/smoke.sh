#!/bin/sh
# One fuzz target's smoke run (meson suite 'fuzz'): its seed corpus, then a
# few seconds of mutations. Any crash, leak, UB report, hang or invariant
# failure exits 1 and leaves the input under $HOSTLANE_BUILD/fuzz-artifacts/.
# New inputs go to a scratch directory, never into the committed corpus.
# Usage: smoke.sh FUZZER CORPUS_DIR   (HOSTLANE_FUZZ_SECONDS, default 5)
set -u
exe=$1
corpus=$2
name=$(basename "$exe")
name=${name#fuzz_}
art=${HOSTLANE_BUILD:-.}/fuzz-artifacts/$name
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$art"

# libFuzzer's own default error exit code is 77, which meson reads as a
# skip: every failure is made exit 1 instead.
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
	"$exe" -seed=1 -max_total_time="${HOSTLANE_FUZZ_SECONDS:-5}" \
	-timeout=60 -error_exitcode=1 -timeout_exitcode=1 \
	-print_final_stats=1 -artifact_prefix="$art/" "$work" "$corpus"
rc=$?
if [ $rc -ne 0 ]; then
	echo "$name: FAILED (exit $rc); reproducer(s) in $art/:"
	ls -l "$art/"
	exit 1
fi
exit 0
