#!/usr/bin/env bash
# DPDK's own capture tool attaches to hostlane: dpdk-dumpcap, a secondary
# process started with hostlane's --file-prefix, captures a port (an ethdev;
# memif guests are not, hostlanectl capture is for them) while frames
# flow: every frame it wrote is one that was sent. Needs hostlane on
# hugepages without --in-memory (a secondary maps the primary's memory):
# skipped when no hugepages can be had here.
. "$(dirname "$0")/lib.sh"

command -v dpdk-dumpcap > /dev/null || skip "dpdk-dumpcap not installed (Debian package dpdk)"
tm_need_pmd net_pcap
tm_need_pmd net_null
free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
size=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)
[ $(( ${free:-0} * ${size:-0} / 1024 )) -ge 384 ] ||
	skip "fewer than 384 MB of hugepages free (HugePages_Free ${free:-0} of ${size:-0} kB): a secondary process cannot attach to a --no-huge primary"
mnt=$(awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts)
[ -n "$mnt" ] || skip "no hugetlbfs mounted"
# A primary that secondaries attach to keeps its hugepage files (no
# --huge-unlink): remove them with its runtime files.
trap 'cleanup; rm -rf "/var/run/dpdk/$PREFIX"; rm -f "$mnt/${PREFIX}map_"*' EXIT

python3 "$PCAPTOOL" gen "$T/in.pcap" 50 3
cat > "$T/pdump.conf" <<CONF
[port src]
devargs = net_pcap_src,rx_pcap=$T/in.pcap,infinite_rx=1
[port sink]
devargs = net_null_sink,no-rx=1
CONF
# Hugepages, shared: no eal_mem (--in-memory / --no-shconf).
"$HL_BIN" --lcores '0@0,1@1' --no-pci -m 256 --file-prefix "$PREFIX" \
	-- --runtime-dir "$T/run" --config "$T/pdump.conf" > "$T/hostlane.log" 2>&1 &
HL_PID=$!
HL_PIDS+=("$HL_PID")
wait_for 30 test -S "$HOSTLANE_CONTROL" || { cat "$T/hostlane.log"; fail "hostlane did not start on hugepages"; }
! grep -q "pdump: not available" "$T/hostlane.log" || fail "$(grep pdump "$T/hostlane.log")"

timeout 60 dpdk-dumpcap --file-prefix="$PREFIX" -i net_pcap_src -c 200 -q \
	-w "$T/dump.pcapng" > "$T/dumpcap.log" 2>&1 ||
	{ cat "$T/dumpcap.log"; fail "dpdk-dumpcap failed"; }
# dumpcap stops after the burst that reaches -c, so it may write a few more.
n=$(tcpdump_count "$T/dump.pcapng")
[ "$n" != error ] && [ "$n" -ge 200 ] ||
	{ cat "$T/dumpcap.log" "$T/tcpdump.err"; fail "tcpdump reads $n frames, not 200 or more"; }
pcheck "$T/dump.pcapng" frames="$n" only="$T/in.pcap"
pass "dpdk-dumpcap --file-prefix=$PREFIX captured port src: $n frames, all sent"

# hostlanectl capture of the same port at the same time works as well.
ctl_ok capture start port:src "$T/ours.pcapng" count=100
wait_for 20 cap_gone port:src || fail "count=100 on port src did not end"
pcheck "$T/ours.pcapng" frames=100 in=100 only="$T/in.pcap" if_name=port:src
hl_stop || fail "hostlane exit $?"
pass "hostlanectl capture of a port: inbound frames, all sent"
