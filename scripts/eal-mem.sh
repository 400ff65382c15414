#!/usr/bin/env bash
# Print the EAL memory options for one hostlane/testpmd process:
# hugepages when scripts/setup.sh set them up, else --no-huge. $1 = MB.
# Both forms let several DPDK processes run side by side: --in-memory keeps
# no runtime files; EAL refuses it with --no-huge, where --no-shconf does.
top=$(cd "$(dirname "$0")/.." && pwd)
mb=${1:-256}
mode=$(cat "$top/build/eal-mem.args" 2>/dev/null || bash "$top/scripts/hugepages.sh")
case "$mode" in
*--no-huge*) echo "--no-huge --no-shconf -m $mb" ;;
*) echo "--in-memory -m $mb" ;;
esac
