#!/usr/bin/env bash
# Build hostlane and run it on its embedded default: a vdev uplink, demo
# guests, software functions; no NIC needed. Then a demo guest talks to it.
#
# Usage: scripts/run.sh            run the demo, then stop hostlane
#        scripts/run.sh --serve    keep hostlane running until Ctrl-C
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh || exit 1

serve=0
[ "${1:-}" = "--serve" ] && serve=1
rundir=${HOSTLANE_RUNTIME_DIR:-/run/hostlane}
log=$(mktemp /tmp/hostlane-run.XXXXXX.log)
eal_mem=$(bash scripts/eal-mem.sh 256)

echo "== starting hostlane (embedded default config, sockets in $rundir)"
# shellcheck disable=SC2086
build/dataplane/hostlane --lcores '0@0,1@1' --no-pci $eal_mem \
	-- --runtime-dir "$rundir" > "$log" 2>&1 &
hl=$!
trap 'kill -TERM $hl 2>/dev/null; wait $hl 2>/dev/null' EXIT
for _ in $(seq 100); do
	grep -q "hostlane: running" "$log" && break
	kill -0 $hl 2>/dev/null || { cat "$log"; exit 1; }
	sleep 0.1
done
grep "^hostlane:" "$log"

if [ $serve -eq 1 ]; then
	echo "== hostlane is serving; Ctrl-C stops it (log: $log)"
	wait $hl
	exit $?
fi

bash scripts/demo.sh "$rundir"
rc=$?
echo "== stopping hostlane"
kill -TERM $hl; wait $hl
trap - EXIT
grep "^hostlane:" "$log" | tail -3
exit $rc
