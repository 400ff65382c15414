#!/usr/bin/env bash
# Source-MAC enforcement: vm2's config says mac = G2, but its testpmd sends
# from another MAC (virtio_user mac= devarg): every frame is dropped and
# counted, none reaches vm1 or the uplink. vm3 has no `mac` in its config,
# so the same kind of sender is switched normally.
. "$(dirname "$0")/lib.sh"

G1=52:54:00:00:00:21
G2=52:54:00:00:00:22
FAKE=52:54:00:00:00:99
cat > "$T/pvs.conf" <<CONF
[port up0]
devargs = net_pcap0,tx_pcap=$T/up0.pcap
[guest vm1]
channel = vhost
handler = switch
mac = $G1
[guest vm2]
channel = vhost
handler = switch
mac = $G2
[guest vm3]
channel = vhost
handler = hostlane
CONF
hl_start --config "$T/pvs.conf"

vm vm1 "$T/run/vm1.sock" "$G1" --forward-mode=rxonly --tx-first
vm1=$VM_PID
wait_for 20 link_up vm1 || { cat "$T/hostlane.log"; fail "vm1 link did not come up"; }
sleep 0.5
base=$(tp_rx "$T/vm1.log")

# The spoofer: all of its frames claim FAKE, not G2.
vm vm2 "$T/run/vm2.sock" "$FAKE" --forward-mode=txonly --eth-peer=0,$G1
vm2=$VM_PID
wait_for 20 link_up vm2 || { cat "$T/hostlane.log"; fail "vm2 link did not come up"; }
wait_for 30 tx_over "$T/vm2.log" 100000 || { tail "$T/vm2.log"; fail "vm2 did not send"; }
sleep 1
vm_stop "$vm2"
got=$(( $(tp_rx "$T/vm1.log") - ${base:-0} ))
[ "$got" -eq 0 ] || fail "vm1 received $got frames from the spoofer"
pass "spoofed frames did not reach vm1 (vm2 sent $(tp_tx "$T/vm2.log"))"

# Unchecked: vm3 (no mac in its config) may send from any address.
vm vm3 "$T/run/vm3.sock" "$FAKE" --forward-mode=txonly --eth-peer=0,$G1
vm3=$VM_PID
wait_for 30 rx_over "$T/vm1.log" 100000 ||
	{ tail "$T/vm3.log" "$T/vm1.log"; fail "vm3's frames did not reach vm1"; }
pass "a guest without mac is not checked (vm1 received $(tp_rx "$T/vm1.log"))"
vm_stop "$vm3"; vm_stop "$vm1"
hl_stop || fail "hostlane exit $?"

sp=$(sw guest vm2 dropped_spoof)
[ "${sp:-0}" -gt 100000 ] || { grep pvswitch "$T/hostlane.log"; fail "vm2 dropped_spoof ${sp:-?}"; }
[ "$(sw guest vm2 switched)" = 0 ] && [ "$(sw guest vm2 flooded)" = 0 ] ||
	fail "vm2 had frames switched or flooded"
[ "$(sw guest vm3 dropped_spoof)" = 0 ] && [ "$(sw guest vm3 switched)" -gt 100000 ] ||
	fail "vm3: spoof $(sw guest vm3 dropped_spoof), switched $(sw guest vm3 switched)"
[ "$(pcap_count "$T/up0.pcap" "$FAKE")" -eq 0 ] || fail "spoofed frames reached the uplink"
pass "counters: vm2 dropped_spoof $sp, switched 0, flooded 0; vm3 switched $(sw guest vm3 switched)"
