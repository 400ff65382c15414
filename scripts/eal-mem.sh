#!/usr/bin/env bash
# Print the EAL memory options for one hostlane/testpmd process:
# hugepages when scripts/setup.sh set them up, else --no-huge. $1 = MB.
top=$(cd "$(dirname "$0")/.." && pwd)
mb=${1:-256}
mode=$(cat "$top/build/eal-mem.args" 2>/dev/null || bash "$top/scripts/hugepages.sh")
case "$mode" in
*--no-huge*) echo "--no-huge --in-memory -m $mb" ;;
*) echo "--in-memory -m $mb" ;;
esac
