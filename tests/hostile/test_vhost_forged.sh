#!/usr/bin/env bash
# A neighbour forges replies into libhostlane. hostile_victim
# (vhost_victim.c), libhostlane over dpdk: on guest vm0 (handler hostlane;
# the first guest, so hostlane answers it from 02:68:6c:00:00:00), makes
# 400 calls of factorial(20) while hostile_vhost on guest evil (handler
# switch) floods forged replies, round after round: FN_CALL replies with
# result 1337 and HELLO replies; from 02:68:6c:00:00:00 and from its own
# MAC, broadcast and to vm0's MAC, untagged and behind one or two tags;
# with the ids the library used to issue ((gen << 16) | slot: every slot of
# generations 1..8, and slot 0 - a synchronous call's - of every generation
# the victim reaches) and random ones.
# Asserted: 16 calls before the flood and 16 after it are right (the
# positive control); no call under the flood returns anything but
# 2432902008176640000 with HL_OK (a status would be allowed; 1337 is not);
# libhostlane saw no frame but the host's replies (dropped_bad 0,
# dropped_unknown 0); guest witness (handler switch) got evil's marker and
# nothing else; the switch dropped every forged frame (evil's
# dropped_hostlane = the frames it sent less the marker).
# (Before the switch kept hostlane frames off it and the library's ids were
# random, 12 to 32 of the 400 calls returned 1337 with HL_OK.)
# Order, never time: evil floods from before the victim's first call under
# the flood until after its last (evil's "flooding" and the victim's
# "flooded"); then its marker goes last, and once the witness has it the
# switch has handled every forged frame (it handles a port's frames in
# order); the victim's calls after that read whatever was forwarded to it.
# shellcheck source=vhost_lib.sh
. "$(dirname "$0")/vhost_lib.sh"

VICTIM="$HOSTLANE_BUILD/tests/hostile/hostile_victim"
[ -n "${HOSTLANE_DPDK_PLUGIN:-}" ] && [ -f "$HOSTLANE_DPDK_PLUGIN" ] ||
	skip "libhostlane-dpdk.so not built (no DPDK)"
[ -x "$VICTIM" ] || fail "hostile_victim not built at $VICTIM"

C=52:54:00:00:00:31		# vm0, the victim (its virtio_user port)
EV=52:54:00:00:00:66		# evil, handler switch, no mac check
W=52:54:00:00:00:32		# witness, handler switch
HL0=02:68:6c:00:00:00		# hostlane's address towards vm0
CALL="hl=5,reply,arg0=1337"	# FN_CALL reply: factorial(20) = 1337
HELLO="hl=1,reply,plen=48"	# HELLO reply with its 48-byte payload
CONTROL=16			# right calls before and after the flood
CALLS=400			# calls under the flood
# Slot 0 of every generation the victim's requests may have had (HELLO,
# FN_OPEN, FN_ACTIVATE, then its calls), as the old library numbered them.
GENS=$((3 + CONTROL + CALLS + CONTROL + 8))

cat > "$T/forged.conf" <<CONF
[guest vm0]
channel = vhost
handler = hostlane
[guest evil]
channel = vhost
handler = switch
[guest witness]
channel = vhost
handler = switch
mac = $W
CONF

# One round of the flood.
flood_round() {
	local g
	# the issue's attack: every slot of the first generations
	for g in $(seq 8); do
		echo "send n=16 src=$HL0 $CALL,id=$((g << 16))"
	done
	echo "send n=$GENS src=$HL0 $CALL,id=0x10000,idstep=0x10000"
	echo "send n=$GENS src=$HL0 dst=$C $CALL,id=0x10000,idstep=0x10000"
	echo "send n=64 dst=$C $CALL,id=0x10000,idstep=0x10000"
	echo "send n=64 $CALL,id=0x10000,idstep=0x10000"
	echo "send n=64 tag=8100:5 src=$HL0 dst=$C $CALL,id=0x10000,idstep=0x10000"
	echo "send n=64 tag=88a8:1 tag=8100:5 src=$HL0 $CALL,id=0x10000,idstep=0x10000"
	echo "send n=32 src=$HL0 dst=$C $CALL,idrand"
	echo "send n=32 src=$HL0 $CALL,idrand"
	echo "send n=16 src=$HL0 len=112 $HELLO,id=0x10000,idstep=0x10000"
	echo "send n=16 src=$HL0 dst=$C len=112 $HELLO,idrand"
}

# evil: waits until the switch has learned the witness (its announcement
# came through); on the go-ahead floods, round after round, until the
# victim has made its calls; its marker goes last.
{
	echo "waitfile $T/go-evil"
	echo "wait 1 src=$W type=9001"
	echo "echo witness learned"
	echo "waitfile $T/flood"
	flood_round
	echo "echo flooding"
	echo "repeat $T/flood-end"
	flood_round
	echo "end"
	echo "send dst=$W type=9000"
	echo "waitfile $T/done"
} > "$T/evil.script"

cat > "$T/witness.script" <<SCRIPT
waitfile $T/go-witness
send type=9001
waitfile $T/calls
waitfile $T/flood-end
wait 1 src=$EV type=9000
count hostlane hostlane
count hlsrc srcpfx=02:68:6c
count tagged tagged
count all any
SCRIPT

uri="dpdk:--no-huge --no-shconf -m 128 --no-pci -l 0 --file-prefix hl-fv$$ \
--no-telemetry --log-level=lib.eal:error \
--vdev=virtio_user0,path=$T/run/vm0.sock,queues=1,mac=$C"

hl_start --config "$T/forged.conf"
guest evil "$EV"; guest witness "$W"
guest_up evil; guest_up witness
wait_for 60 grep -q "evil: witness learned" "$T/evil.log" ||
	{ cat "$T/evil.log" "$T/witness.log"; fail "evil never got the witness's announcement"; }

"$VICTIM" "$uri" $CONTROL $CALLS "$T/calls" "$T/stop" > "$T/victim.log" 2>&1 < /dev/null &
VPID=$!
HL_PIDS+=("$VPID")
# victim_at LINE: the victim printed LINE, or is gone.
victim_at() { grep -q "^$1\$" "$T/victim.log" || ! kill -0 "$VPID" 2>/dev/null; }
wait_for 60 victim_at ready && grep -q '^ready$' "$T/victim.log" ||
	{ cat "$T/victim.log"; tail -20 "$T/hostlane.log"; fail "victim: no connection, or its control calls failed"; }
pass "victim: connected over dpdk:, $CONTROL calls of factorial(20) right (positive control)"

touch "$T/flood"
wait_for 60 grep -q "evil: flooding" "$T/evil.log" ||
	{ cat "$T/evil.log"; fail "evil did not start its flood"; }
touch "$T/calls"
wait_for 60 victim_at flooded ||
	{ cat "$T/victim.log"; fail "victim: its calls under the flood did not end"; }
# Its calls under the flood are over: their results are final.
grep -q "^wrong:" "$T/victim.log" &&
	{ cat "$T/victim.log"; fail "victim: a forged reply was taken for a result"; }
grep -q "^flood: calls=$CALLS right=[0-9]* wrong=0 " "$T/victim.log" ||
	{ cat "$T/victim.log"; fail "victim: not $CALLS calls under the flood"; }
pass "victim: $CALLS calls under the flood, each right or failed with a status, never 1337"
touch "$T/flood-end"
wait "$PID_witness"; wrc=$?
touch "$T/stop"
wait "$VPID"; rc=$?
cat "$T/victim.log"
[ "$wrc" -eq 0 ] ||
	{ cat "$T/witness.log"; fail "witness: no marker from evil (exit $wrc)"; }
touch "$T/done"
guest_done evil
[ "$rc" -eq 0 ] || fail "victim: exit $rc"
grep -q "^after: calls=$CONTROL right=$CONTROL wrong=0 failed=0" "$T/victim.log" ||
	fail "victim: calls after the flood not all right"
pass "victim: $CONTROL calls after the flood right"
stats=$(grep "^stats:" "$T/victim.log")
expect_eq "victim dropped_bad" "$(echo "$stats" | grep -o 'dropped_bad=[0-9]*' | cut -d= -f2)" 0 "$T/victim.log"
expect_eq "victim dropped_unknown" "$(echo "$stats" | grep -o 'dropped_unknown=[0-9]*' | cut -d= -f2)" 0 "$T/victim.log"
pass "libhostlane saw no frame but the host's replies"

expect_eq "witness: hostlane frames" "$(counted witness hostlane)" 0 "$T/witness.log"
expect_eq "witness: frames from hostlane's range" "$(counted witness hlsrc)" 0 "$T/witness.log"
expect_eq "witness: tagged frames" "$(counted witness tagged)" 0 "$T/witness.log"
expect_eq "witness: frames (the marker only)" "$(counted witness all)" 1 "$T/witness.log"
pass "witness: evil's marker and nothing else"

# Every frame evil sent but its marker was forged.
FORGED=$(( $(grep -o "evil: tx frames=[0-9]*" "$T/evil.log" | cut -d= -f2) - 1 ))
hl_stop || fail "hostlane exit $? after the flood"
expect_eq "evil dropped_hostlane" "$(sw guest evil dropped_hostlane)" $FORGED
expect_eq "evil switched" "$(sw guest evil switched)" 1
expect_eq "evil flooded" "$(sw guest evil flooded)" 0
pass "counted: the switch dropped all $FORGED forged frames of evil (dropped_hostlane), switched its marker"
