#!/usr/bin/env bash
# Guest ↔ guest through the PV switch: two virtio_user testpmds on vhost-user
# guests. vm1 (handler switch) announces itself with one burst and then only
# receives; vm0 (handler hostlane: its frames that are not requests go to the
# switch) sends to vm1's MAC at full speed. Everything reaches vm1 as learned
# unicast; the uplink, a pcap file, sees only the floods from before vm1 was
# known.
. "$(dirname "$0")/lib.sh"

G0=52:54:00:00:00:10
G1=52:54:00:00:00:11
cat > "$T/pvs.conf" <<CONF
[port up0]
devargs = net_pcap0,tx_pcap=$T/up0.pcap
[guest vm0]
channel = vhost
handler = hostlane
mac = $G0
[guest vm1]
channel = vhost
handler = switch
mac = $G1
CONF
hl_start --config "$T/pvs.conf"

# vm1 first: its --tx-first burst (from G1) teaches the switch where G1 is.
vm vm1 "$T/run/vm1.sock" "$G1" --forward-mode=rxonly --tx-first
vm1=$VM_PID
wait_for 20 link_up vm1 || { cat "$T/hostlane.log"; fail "vm1 link did not come up"; }
sleep 0.5
vm vm0 "$T/run/vm0.sock" "$G0" --forward-mode=txonly --eth-peer=0,$G1
vm0=$VM_PID
wait_for 20 link_up vm0 || { cat "$T/hostlane.log"; fail "vm0 link did not come up"; }
wait_for 60 rx_over "$T/vm1.log" 200000 ||
	{ tail -20 "$T/vm0.log" "$T/vm1.log"; fail "vm1 received $(tp_rx "$T/vm1.log")"; }
pass "vm0 → vm1: vm1 received $(tp_rx "$T/vm1.log") frames"

vm_stop "$vm0"
rx1=$(tp_rx "$T/vm1.log")
vm_stop "$vm1"
hl_stop || fail "hostlane exit $?"
s=$(sw guest vm0 switched); f=$(sw guest vm0 flooded)
o=$(sw guest vm1 out_frames); d=$(sw guest vm1 out_drops)
[ "${s:-0}" -gt 200000 ] || { grep pvswitch "$T/hostlane.log"; fail "vm0 switched ${s:-?}"; }
[ "${f:-1}" -eq 0 ] || fail "vm0 flooded $f frames: vm1 was not learned"
# vm1 polls on a shared core: what its full virtqueue refused is out_drops.
[ $(( ${o:-0} + ${d:-0} )) -eq "$s" ] || fail "vm1 out $o + dropped $d != vm0 switched $s"
[ "${o:-0}" -ge "${rx1:-0}" ] || fail "vm1 received $rx1 but was sent only $o"
[ "$(sw guest vm0 dropped_spoof)" = 0 ] || fail "vm0 counted as spoofing"
pass "counters: vm0 switched $s, flooded 0; vm1 delivered $o, refused $d"

up=$(pcap_count "$T/up0.pcap"); own=$(pcap_count "$T/up0.pcap" "$G1")
[ "$up" -eq "$own" ] && [ "$up" -le 64 ] ||
	fail "uplink got $up frames ($own from vm1): guest ↔ guest leaked out"
pass "uplink saw only vm1's $up announcing frames"
