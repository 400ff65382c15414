#!/bin/sh
# Verilate one RTL top into a static library for meson:
#   verilate.sh VERILATOR TOP OUTDIR [-m MODEL] [-GPARAM=VALUE...] RTL_FILE...
# leaves OUTDIR/libV<MODEL>.a (the model; the Verilator runtime is built by
# meson) and OUTDIR/V<MODEL>.h; MODEL defaults to TOP. -G sets a top-level
# parameter, so one top gives several models (the AFU's function images).
# Verilator's generated file names vary, so it builds them with its own
# make rules in a scratch dir and exports only these fixed names.
set -eu
verilator=$1 top=$2 out=$3
shift 3
model=$top
params=
if [ "${1:-}" = "-m" ]; then
	model=$2
	shift 2
fi
while [ $# -gt 0 ]; do
	case $1 in
	-G*) params="$params $1"; shift ;;
	*) break ;;
	esac
done
mdir="$out/V${model}.obj"
rm -rf "$mdir"
# shellcheck disable=SC2086 # params: -G words without spaces
"$verilator" --cc --build -j 2 -O3 --x-assign fast --x-initial fast \
	--top-module "$top" --prefix "V$model" --Mdir "$mdir" $params \
	-CFLAGS "-fPIC -w" -MAKEFLAGS "OPT_FAST=-O2" "$@" >"$mdir.log" 2>&1 || {
	cat "$mdir.log" >&2
	exit 1
}
cp "$mdir/V${model}__ALL.a" "$out/libV$model.a"
cp "$mdir/V$model.h" "$out/V$model.h"
