#!/usr/bin/env bash
# A VM stand-in (testpmd, virtio_user) on a vhost-user guest reaches the
# uplink through the PV switch and hears back: the uplink is a second
# vhost-user port with another testpmd as the wire. Both testpmds swap MACs
# and send back what they get, so frames go round guest → switch → uplink →
# switch → guest. A pcap port in the same switch records floods: once both
# addresses are learned nothing more is flooded to it.
. "$(dirname "$0")/lib.sh"

G=52:54:00:00:00:01	# the guest's configured and actual MAC
U=02:aa:00:00:00:01	# the station behind the uplink
cat > "$T/pvs.conf" <<CONF
[hostlane]
mac_aging_s = 300
[port wire]
devargs = net_vhost_wire,iface=$T/wire.sock,queues=1
[port rec]
devargs = net_pcap_rec,tx_pcap=$T/rec.pcap
role = exception
[guest vm0]
channel = vhost
handler = switch
mac = $G
CONF
hl_start --config "$T/pvs.conf"

vm wire "$T/wire.sock" "$U" --forward-mode=macswap --tx-first --eth-peer=0,$G
wire=$VM_PID
wait_for 20 grep -q "Port 0: link state change\|Checking link statuses...\|Start automatic" "$T/wire.log" ||
	{ cat "$T/wire.log"; fail "wire testpmd did not start"; }
vm vm0 "$T/run/vm0.sock" "$G" --forward-mode=macswap --tx-first --eth-peer=0,$U
vm0=$VM_PID
wait_for 20 link_up vm0 || { cat "$T/hostlane.log"; fail "vm0 link did not come up"; }

both() { rx_over "$T/vm0.log" 20000 && rx_over "$T/wire.log" 20000; }
wait_for 60 both || { tail -20 "$T/vm0.log" "$T/wire.log" "$T/hostlane.log";
	fail "frames did not go round (vm0 rx $(tp_rx "$T/vm0.log"), wire rx $(tp_rx "$T/wire.log"))"; }
pass "guest ↔ uplink: vm0 received $(tp_rx "$T/vm0.log"), the wire $(tp_rx "$T/wire.log")"

vm_stop "$vm0"; vm_stop "$wire"
hl_stop || fail "hostlane exit $?"

vs=$(sw guest vm0 switched); ws=$(sw port wire switched)
[ "${vs:-0}" -gt 10000 ] && [ "${ws:-0}" -gt 10000 ] ||
	{ grep pvswitch "$T/hostlane.log"; fail "switched: vm0 ${vs:-?}, wire ${ws:-?}"; }
[ "$(sw guest vm0 dropped_spoof)" = 0 ] || fail "vm0's own MAC counted as spoofed"
pass "switch counters: vm0 switched $vs, wire switched $ws"

# Floods reach the recording port, learned unicast does not.
rec=$(pcap_count "$T/rec.pcap")
vf=$(sw guest vm0 flooded); wf=$(sw port wire flooded)
[ "$rec" -ge 1 ] || fail "no flood reached the pcap port"
[ "$rec" -eq $(( ${vf:-0} + ${wf:-0} )) ] || fail "pcap has $rec frames, floods were $vf + $wf"
[ "$rec" -lt 1000 ] || fail "$rec frames flooded: learning did not stop flooding"
pass "$rec frames flooded before learning, then none (pcap port)"
