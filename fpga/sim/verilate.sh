#!/bin/sh
# Verilate one RTL top into a static library for meson:
#   verilate.sh VERILATOR TOP OUTDIR RTL_FILE...
# leaves OUTDIR/libV<TOP>.a (the model; the Verilator runtime is built by
# meson) and OUTDIR/V<TOP>.h.
# Verilator's generated file names vary, so it builds them with its own
# make rules in a scratch dir and exports only these fixed names.
set -eu
verilator=$1 top=$2 out=$3
shift 3
mdir="$out/V${top}.obj"
rm -rf "$mdir"
"$verilator" --cc --build -j 2 -O3 --x-assign fast --x-initial fast \
	--top-module "$top" --prefix "V$top" --Mdir "$mdir" \
	-CFLAGS "-fPIC -w" -MAKEFLAGS "OPT_FAST=-O2" "$@" >"$mdir.log" 2>&1 || {
	cat "$mdir.log" >&2
	exit 1
}
cp "$mdir/V${top}__ALL.a" "$out/libV$top.a"
cp "$mdir/V$top.h" "$out/V$top.h"
