#!/usr/bin/env bash
# libhostlane over packet: — a veth pair; one end is hostlane's ethdev guest
# (net_af_packet), the other sits in a network namespace this test creates,
# where the client runs. Raw Ethernet only: no interface gets an address
# (IPv6 link-local generation is switched off before the links go up). The
# namespace and the veth pair are deleted on exit.
. "$(dirname "$0")/lib.sh"

tm_need_netns
tm_need_pmd net_af_packet
NS="hl-tp-$$"
VH="hltp-h$$"		# hostlane's end, host namespace
VG="hltp-g$$"		# the guest's end, inside $NS

net_cleanup() {
	ip netns del "$NS" 2>/dev/null
	ip link del "$VH" 2>/dev/null
	cleanup
}
trap net_cleanup EXIT

ip netns add "$NS" 2>"$T/ns.err" || fail "cannot create a network namespace: $(cat "$T/ns.err")"
tm_veth_add link add "$VH" type veth peer name "$VG"
ip link set "$VG" netns "$NS" || fail "cannot move $VG into $NS"
# No addresses, ever: no IPv6 link-local on either end.
ip link set "$VH" addrgenmode none || fail "addrgenmode on $VH"
ip -n "$NS" link set "$VG" addrgenmode none || fail "addrgenmode on $VG"
ip link set "$VH" up || fail "cannot bring $VH up"
ip -n "$NS" link set "$VG" up || fail "cannot bring $VG up"
ip -n "$NS" link set lo up
[ -z "$(ip -o addr show dev "$VH")" ] || fail "$VH got an address"

mkdir -p "$T/run"
cat > "$T/packet.conf" <<CONF
[hostlane]
mbufs = 16383

[guest vm1]
channel = ethdev
devargs = net_af_packet0,iface=$VH
handler = hostlane
functions = all
CONF
hl_start --config "$T/packet.conf"

TC_WRAP=(ip netns exec "$NS")
for mode in poll hybrid intr; do
	# MTU 1500: payloads up to 1450 bytes; 1451 must be refused cleanly.
	tc_run "$T/tc-$mode.log" "packet:$VG" -w "$mode" -p 1450
	grep -q "fibonacci(93) = 12200160415121876738" "$T/tc-$mode.log" ||
		fail "fibonacci(93) not seen"
	pass "packet: transport, wait mode $mode"
done

timeout 60 "${TC_WRAP[@]}" "$DEMO" "packet:$VG" > "$T/demo.log" 2>&1 ||
	{ cat "$T/demo.log"; fail "offload_demo over packet:"; }
cat "$T/demo.log"
grep -q "factorial  (20, 1000 repetitions) = 2432902008176640000" "$T/demo.log" ||
	fail "offload_demo: factorial(20)"
pass "offload_demo over packet:"

# A dead host whose link drops (as a VM's does when QEMU loses its
# vhost-user backend): the call ends with HL_E_DISCONNECTED.
kill_and_unplug() { hl_kill; ip link set "$VH" down; }
TC_EXTRA=(-p 1450)
tc_dead_host "packet:$VG" HL_E_DISCONNECTED kill_and_unplug
pass "packet: a dead host ends the call"
