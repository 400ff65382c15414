#!/usr/bin/env bash
# hostlanectl capture on memif echo guests, frames sent by testpmd from a
# pcap file: the pcapng file holds each frame twice, received (inbound)
# and echoed (outbound), byte for byte as sent, read back by tcpdump too;
# a capture of one guest holds none of another's frames; snaplen= cuts
# frames and keeps their length; count= ends the capture by itself;
# filter= keeps what matches; stats shows the counters; a stop while
# frames flow leaves a whole file and the traffic going; removing the
# guest ends its capture, and the guest added again has none.
. "$(dirname "$0")/lib.sh"

N=100
rx_grew() { local r; r=$(tp_rx "$T/loop.log"); [ "${r:-0}" -gt "$1" ]; }
python3 "$PCAPTOOL" gen "$T/in1.pcap" $N 1
python3 "$PCAPTOOL" gen "$T/in2.pcap" $N 2
cap_conf
ctl_start --config "$T/cap.conf"

# Two captures at once, one per guest; traffic through each in turn.
ctl_ok --json capture start demo1 "$T/d1.pcapng"
py_result "r['target'] == 'guest:demo1' and r['state'] == 'running' and r['snaplen'] == 65535"
ctl_ok capture start guest:demo2 "$T/d2.pcapng"
send_pcap demo1 demo1-secret "$T/in1.pcap" "$T/out1.pcap"
send_pcap demo2 demo2-secret "$T/in2.pcap" "$T/out2.pcap"
wait_for 20 cap_has guest:demo1 "c['written'] == $((2 * N))" || fail "demo1's capture: $OUT"
wait_for 20 cap_has guest:demo2 "c['written'] == $((2 * N))" || fail "demo2's capture: $OUT"
ctl_ok --json stats demo1
py_result "r['capture']['written'] == $((2 * N)) and r['capture']['dropped'] == 0 and r['capture']['filtered'] == 0"
ctl_ok --json stats demo0
py_result "r['capture'] is None"
ctl_ok --json capture stop demo1
py_result "r['target'] == 'guest:demo1' and r['state'] == 'stopping'"
ctl_ok capture stop demo2
wait_for 20 cap_gone guest:demo1 || fail "demo1's capture did not end: $OUT"
wait_for 20 cap_gone guest:demo2 || fail "demo2's capture did not end: $OUT"
pcheck "$T/d1.pcapng" sent="$T/in1.pcap" in=$N out=$N only="$T/in1.pcap" if_name=guest:demo1 isb=yes
pcheck "$T/d2.pcapng" sent="$T/in2.pcap" only="$T/in2.pcap" if_name=guest:demo2
[ "$(tcpdump_count "$T/d1.pcapng")" = $((2 * N)) ] || fail "tcpdump does not read $((2 * N)) frames"
tcpdump -r "$T/d1.pcapng" -w "$T/d1.pcap" 2> /dev/null || fail "tcpdump cannot convert the capture"
python3 - "$PCAPTOOL" "$T/d1.pcap" "$T/d1.pcapng" "$T/in1.pcap" <<'PY' || fail "tcpdump's frames differ from those sent"
import sys
sys.path.insert(0, sys.argv[1].rsplit("/", 1)[0])
import pcaptool
got = pcaptool.pcap_read(sys.argv[2])
ours = [f for f, _, _ in pcaptool.pcapng_read(sys.argv[3])["frames"]]
sent = pcaptool.pcap_read(sys.argv[4])
sys.exit(0 if got == ours and sorted(got) == sorted(sent + sent) else 1)
PY
grep -q "capture guest:demo1: ended (stopped): .* written $((2 * N)), dropped 0" "$T/hostlane.log" ||
	fail "no end line for demo1's capture"
pass "each guest's frames, both directions, byte for byte; none of the other's"

# snaplen= and count=: the first 10 frames, cut to 64 bytes; it ends itself.
ctl_ok capture start demo1 "$T/c.pcapng" snaplen=64 count=10
send_pcap demo1 demo1-secret "$T/in1.pcap" "$T/out1b.pcap"
wait_for 20 cap_gone guest:demo1 || fail "a capture with count=10 went on: $OUT"
pcheck "$T/c.pcapng" frames=10 snaplen=64 from="$T/in1.pcap"
grep -q "capture guest:demo1: ended (count reached)" "$T/hostlane.log" || fail "no count end line"
pass "snaplen=64 count=10: ten frames, cut, then the capture ended"

# filter=: only the frames from one source MAC, both directions.
ctl_ok capture start demo1 "$T/f.pcapng" filter='ether src 02:00:00:00:01:05'
send_pcap demo1 demo1-secret "$T/in1.pcap" "$T/out1c.pcap"
wait_for 20 cap_has guest:demo1 "c['filtered'] == $((2 * N - 2)) and c['written'] == 2 and c['filter'] == 'ether src 02:00:00:00:01:05'" ||
	fail "filtered capture: $OUT"
ctl_ok capture stop
wait_for 20 cap_gone guest:demo1 || fail "capture stop (all) did not stop it"
pcheck "$T/f.pcapng" in=1 out=1
pass "filter= keeps the frames that match; filtered counted"

# A stop while frames flow (testpmd's endless echo loop): the file is whole
# (every block ends where it should, tcpdump reads it) and frames go on.
testpmd_client loop "$T/run/demo1.sock" demo1-secret
ctl_ok capture start demo1 "$T/s.pcapng"
wait_for 30 cap_has guest:demo1 "c['written'] > 5000" || { cat "$T/loop.log"; fail "no frames captured: $OUT"; }
ctl_ok capture stop demo1
wait_for 20 cap_gone guest:demo1 || fail "the capture did not end"
w=$(grep -o "capture guest:demo1: ended (stopped): .*written [0-9]*" "$T/hostlane.log" | tail -1 | grep -o "[0-9]*$")
[ "$(tcpdump_count "$T/s.pcapng")" = "$w" ] || fail "tcpdump reads other than the $w frames written"
pcheck "$T/s.pcapng" frames="$w" isb=yes
rx0=$(tp_rx "$T/loop.log")
wait_for 20 rx_grew "$rx0" || fail "frames stopped flowing after the capture stopped"
kill -TERM "$TP_PID"; wait "$TP_PID" 2>/dev/null
pass "stop while frames flow: $w frames, a whole file; traffic goes on"

# Removing the guest ends its capture; added again, it has none.
ctl_ok capture start demo2 "$T/r.pcapng"
ctl_ok guest remove demo2
wait_for 20 cap_gone guest:demo2 || fail "demo2's capture outlived the guest"
grep -q "capture guest:demo2: ended (guest removed)" "$T/hostlane.log" || fail "no end line"
pcheck "$T/r.pcapng" frames=0 isb=yes if_name=guest:demo2
ctl_ok guest add demo2 secret=demo2-secret handler=echo
ctl_ok --json stats demo2
py_result "r['capture'] is None"
ctl_err not_found 1 capture stop demo2
pass "guest remove ends its capture; the file is closed"

hl_stop || fail "hostlane exit $?"
