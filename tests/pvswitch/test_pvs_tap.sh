#!/usr/bin/env bash
# The TAP exception port: the host kernel reaches the uplink through
# hostlane. Everything lives in two network namespaces made here: hostlane
# runs in hl-ns with a net_tap port (interface hl0, 10.77.0.1) and an
# uplink on one end of a veth pair (net_af_packet); the other end sits in
# peer-ns as 10.77.0.2. A ping from hl-ns crosses tap → switch → uplink →
# veth and back. Before the pings the host kernel sends forged frames out
# of hl0 (hostlane EtherType, untagged and tagged; hostlane's source MACs):
# the switch drops and counts them, and the uplink side sees none.
. "$(dirname "$0")/lib.sh"

tm_need_netns
command -v ethtool >/dev/null || skip "ethtool not installed"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (net_tap needs it)"
tm_need_pmd net_tap
tm_need_pmd net_af_packet
ns=hlpvs$$; peer=hlpvp$$
trap 'cleanup; ip netns del "$ns" 2>/dev/null; ip netns del "$peer" 2>/dev/null' EXIT
ip netns add "$ns" || fail "cannot create network namespace $ns"
ip netns add "$peer" || fail "cannot create network namespace $peer"
tm_veth_add -n "$ns" link add hlv0 type veth peer name hlv1 netns "$peer"
ip -n "$ns" link set lo up
ip -n "$ns" link set hlv0 up
ip -n "$peer" link set hlv1 up
ip -n "$peer" addr add 10.77.0.2/24 dev hlv1
# The veth would leave UDP checksums to an offload that never happens on
# the way through net_af_packet and net_tap; the host kernel would drop them.
ip netns exec "$peer" ethtool -K hlv1 tx off >/dev/null || fail "ethtool -K hlv1 tx off"

cat > "$T/pvs.conf" <<CONF
[port up0]
devargs = net_af_packet0,iface=hlv0
role = uplink
[port host]
devargs = net_tap0,iface=hl0
role = exception
CONF
rm -f "$T/hostlane.log"
# shellcheck disable=SC2046
ip netns exec "$ns" "$HL_BIN" --lcores '0@0,1@1' --no-pci $(eal_mem 256) \
	-- --runtime-dir "$T/run" --config "$T/pvs.conf" > "$T/hostlane.log" 2>&1 &
HL_PID=$!
HL_PIDS+=("$HL_PID")
wait_for 20 grep -q "hostlane: running" "$T/hostlane.log" ||
	{ cat "$T/hostlane.log"; fail "hostlane did not start"; }
ip -n "$ns" link show hl0 >/dev/null 2>&1 || fail "no tap interface hl0 in $ns"
ip -n "$ns" addr add 10.77.0.1/24 dev hl0
ip -n "$ns" link set hl0 up

# A UDP echo on the uplink side, 5 datagrams from the host kernel side; it
# also counts what reached hlv1 that the switch must not forward.
ip netns exec "$peer" python3 -c '
import socket
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
raw.bind(("hlv1", 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.77.0.2", 7777))
s.settimeout(30)
for _ in range(5):
    d, a = s.recvfrom(2048)
    s.sendto(d, a)
raw.setblocking(False)
bad = 0
while True:
    try:
        f = raw.recv(2048)
    except BlockingIOError:
        break
    bad += f[12:14] in (b"\x88\xb5", b"\x81\x00") or f[6:9] == b"\x02\x68\x6c"
print("forged frames on the uplink: %d" % bad)
' > "$T/echo.log" 2>&1 &
echo_pid=$!
HL_PIDS+=("$echo_pid")
sleep 0.3
# Forged frames from the host kernel: 3 hostlane, 3 hostlane behind an
# 802.1Q tag, 3 ordinary from hostlane's range; then the pings, which
# follow them through the same tap queue and switch.
ip netns exec "$ns" python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("hl0", 0))
me = s.getsockname()[4]
bc = b"\xff" * 6
reply = b"HLAN" + bytes([1, 0, 5, 0, 1, 0]) + bytes(40)
for _ in range(3):
    s.send(bc + me + b"\x88\xb5" + reply)
    s.send(bc + me + b"\x81\x00\x00\x05\x88\xb5" + reply)
    s.send(bc + b"\x02\x68\x6c\x00\x00\x09" + b"\x08\x00" + bytes(50))
' || fail "cannot send raw frames on hl0"
ip netns exec "$ns" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
ok = 0
for i in range(5):
    msg = b"hostlane %d" % i
    s.sendto(msg, ("10.77.0.2", 7777))
    try:
        d, _ = s.recvfrom(2048)
        ok += d == msg
    except socket.timeout:
        pass
print("%d of 5 echoed" % ok)
sys.exit(0 if ok == 5 else 1)
' > "$T/udp.log" 2>&1 ||
	{ cat "$T/udp.log" "$T/echo.log"; grep pvswitch "$T/hostlane.log";
	  fail "the host kernel could not reach the uplink through hostlane"; }
pass "host kernel ↔ uplink through the tap exception port: $(cat "$T/udp.log")"
wait "$echo_pid" || fail "the echo server on the uplink side failed"
grep -q "forged frames on the uplink: 0$" "$T/echo.log" ||
	fail "$(cat "$T/echo.log")"
pass "no forged frame from the host kernel reached the uplink"

hl_stop || fail "hostlane exit $?"
hs=$(sw port host switched); us=$(sw port up0 switched)
[ "${hs:-0}" -ge 5 ] && [ "${us:-0}" -ge 5 ] ||
	{ grep pvswitch "$T/hostlane.log"; fail "switched: host ${hs:-?}, up0 ${us:-?}"; }
pass "counters: host switched $hs, up0 switched $us"
hh=$(sw port host dropped_hostlane); hm=$(sw port host dropped_hlsrc)
[ "${hh:-0}" -eq 6 ] && [ "${hm:-0}" -eq 3 ] ||
	{ grep pvswitch "$T/hostlane.log"; fail "host dropped_hostlane ${hh:-?}, dropped_hlsrc ${hm:-?}"; }
pass "counters: host dropped_hostlane $hh, dropped_hlsrc $hm"
