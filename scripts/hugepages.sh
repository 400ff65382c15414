#!/usr/bin/env bash
# Reserve 2 MB hugepages for DPDK when the kernel lets us, else fall back.
# Prints the EAL memory option to use on stdout: "--in-memory" with
# hugepages, "--no-huge" without. Notices go to stderr. Never fails:
# --no-huge always works. Callers add their own -m.
want_pages=${HOSTLANE_HUGEPAGES:-1024}
nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

fallback() {
	echo "hostlane: no 2 MB hugepages ($1); running with --no-huge" >&2
	echo "--no-huge"
	exit 0
}

[ -n "${HOSTLANE_NO_HUGE:-}" ] && fallback "HOSTLANE_NO_HUGE is set"
[ -w "$nr" ] || fallback "cannot write $nr"
have=$(cat "$nr")
if [ "$have" -lt "$want_pages" ]; then
	echo "$want_pages" > "$nr" 2>/dev/null || fallback "kernel refused the reservation"
	have=$(cat "$nr")
fi
[ "$have" -ge 128 ] || fallback "only $have pages reserved"
if ! grep -qs ' hugetlbfs ' /proc/mounts; then
	mkdir -p /dev/hugepages
	mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || fallback "cannot mount hugetlbfs"
fi
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "${free:-0}" -ge 128 ] || fallback "only ${free:-0} free pages"
echo "--in-memory"
