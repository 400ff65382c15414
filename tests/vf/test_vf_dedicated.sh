#!/usr/bin/env bash
# Dedicated mode (issue 14 §4, §6): a guest sends sequence-numbered frames
# without pause, 4 flows, while its VF is assigned and revoked 20 times
# over 3 VF stand-ins (net_memif ports); a wire process attached to the
# uplink and to every VF stand-in checks: 0 lost, 0 duplicated, each port
# in order, and each flow changed path only at the switches (2 per cycle:
# a frame on the old path after a switch would add 2 more). The wire also
# sends numbered frames to the guest out of the port it last saw it on
# (as a NIC's switch does): 0 lost, 0 duplicated. Hostlane requests sent
# meanwhile are all answered by the request pipeline. Each switch time is
# printed. Then a VF stand-in fails under its guest: the guest is back on
# the PV path, the failure is reported, and its frames reach the uplink.
. "$(dirname "$0")/../func/lib.sh"
. "$(dirname "$0")/lib.sh"
vf_need
CYCLES=20

# ---- 20 assign/revoke cycles, no frame lost -------------------------------
vf_wire_start 3 --flows 4 --rate 10000 --rev-rate 2500 --req-every 1000 \
	--max-changes $((2 * CYCLES))
WIRE=$WIRE_PID
vf_host_start 3 --cycles "$CYCLES" --hold-ms 100
HOST=$HOST_PID
wait_for 120 grep -q "^done:" "$T/host.log" ||
	{ cat "$T/host.log"; tail -20 "$T/wire.log"; fail "the cycles did not finish"; }
grep "^switch\|^error" "$T/host.log"
vf_finish "$WIRE" "$HOST"; wrc=$WIRE_RC; hrc=$HOST_RC
grep -v "^fwd: flow 0 path change" "$T/wire.log" | grep "^fwd\|^rev\|^req"
[ "$hrc" = 0 ] || { cat "$T/host.log"; fail "vf_host: exit $hrc (an operation failed)"; }
grep -q "^done: 0 errors" "$T/host.log" || fail "vf_host reported errors"
na=$(grep -c "^switch [0-9]* assign" "$T/host.log")
nr=$(grep -c "^switch [0-9]* revoke" "$T/host.log")
[ "$na" = "$CYCLES" ] && [ "$nr" = "$CYCLES" ] || fail "$na assigns, $nr revokes, want $CYCLES each"
pass "$CYCLES assigns and $CYCLES revokes over 3 VF stand-ins"

[ "$wrc" = 0 ] || { grep "lost (after\|^learned" "$T/wire.log" | head -30
	fail "the wire found frames lost, duplicated, reordered or on the wrong path (exit $wrc)"; }
grep -q "^fwd: sent .* lost 0 dup 0 misordered 0" "$T/wire.log" || fail "guest → wire: not 0 lost/dup/misordered"
ch=$(grep -c "^fwd: flow 0 path change" "$T/wire.log")
[ "$ch" = $((2 * CYCLES)) ] ||
	fail "flow 0 changed path $ch times, want $((2 * CYCLES)): its frames did not follow the $CYCLES VF cycles"
grep -q "^rev: sent .* lost 0 dup 0" "$T/wire.log" || fail "wire → guest: frames lost or duplicated"
sent=$(grep -o "^req: sent [0-9]*" "$T/wire.log" | awk '{print $3}')
ans=$(grep -o "answered [0-9]*" "$T/wire.log" | awk '{print $2}')
[ "${sent:-0}" -gt 0 ] && [ "$sent" = "$ans" ] ||
	fail "hostlane requests: $sent sent, $ans answered (the pipeline must answer them, VF or not)"
pass "guest ↔ wire: 0 lost, 0 duplicated, in order, $ch path changes of flow 0; $ans/$sent requests answered"
echo "assign times (us): $(vf_us "$T/host.log" "on the VF after" | tr '\n' ' ')"
echo "revoke: back on PV (us): $(vf_us "$T/host.log" "on the PV path after" | tr '\n' ' ')"
echo "revoke: VF removed (us): $(vf_us "$T/host.log" "removed after" | tr '\n' ' ')"

# ---- a VF stand-in fails under its guest ----------------------------------
# A vhost-user stand-in: net_memif unmaps its rings under a burst in
# progress when its peer leaves, so only a PMD that waits for its bursts
# (net_vhost) can fail safely under hostlane's I/O lcore. The wire's
# virtio_user needs memory it can share: --no-huge.
rm -f "$T"/*.sock
VF_WIRE_MEM="--no-huge --no-shconf -m 256" vf_wire_start 0 --flows 1 --rate 20000 \
	--allow-loss --max-changes 2 --plug "virtio_user_vf0,path=$T/vf0.vsock,queues=1"
WIRE=$WIRE_PID
vf_host_start 0 --vf "net_vhost_vf0,iface=$T/vf0.vsock,queues=1" --cycles 0 --fail --hold-ms 300
HOST=$HOST_PID
wait_for 60 grep -q "^ASSIGNING" "$T/host.log" || { cat "$T/host.log"; fail "no assignment started"; }
kill -USR2 "$WIRE"
wait_for 60 grep -q "^FAILPOINT" "$T/host.log" ||
	{ cat "$T/host.log" "$T/wire.log"; fail "the VF was not assigned"; }
# The wire breaks the port it last saw the guest on: wait until that is the VF.
wait_for 20 grep -q "^learned: .*virtio_user_vf0" "$T/wire.log" ||
	{ cat "$T/wire.log"; fail "the guest's frames never came from the VF"; }
kill -USR1 "$WIRE"
wait_for 30 grep -q "^break: port" "$T/wire.log" || { cat "$T/wire.log"; fail "the wire broke no port"; }
wait_for 30 grep -q "^failover:" "$T/host.log" ||
	{ cat "$T/host.log"; fail "hostlane did not see the VF fail"; }
wait_for 30 grep -q "^done:" "$T/host.log" || { cat "$T/host.log"; fail "vf_host did not finish"; }
vf_finish "$WIRE" "$HOST"; wrc=$WIRE_RC; hrc=$HOST_RC
grep "^failover\|^fwd\|^break\|^learned" "$T/host.log" "$T/wire.log"
[ "$hrc" = 0 ] || fail "vf_host: exit $hrc"
grep -q "back on the PV path" "$T/host.log" || fail "the failure was not logged"
up=$(grep -o "guest [0-9]*, uplink [0-9]*" "$T/wire.log" | awk '{print $4}')
last=$(grep "^fwd: flow 0 path change" "$T/wire.log" | tail -1 | awk '{print $NF}')
[ "$last" = "$up" ] || fail "after the failure the guest's frames did not reach the uplink (last path: port ${last:-none})"
[ "$wrc" = 0 ] || fail "the wire found frames duplicated or reordered (exit $wrc)"
lost=$(grep "^fwd: sent" "$T/wire.log" | grep -o "lost [0-9]*" | awk '{print $2}')
pass "VF failed: guest back on the PV path, frames reach the uplink again ($lost frames lost with the VF)"
