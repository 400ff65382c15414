#!/usr/bin/env bash
# PV switch attacks from vhost-user guests (hostile_vhost, a scriptable
# virtio_user guest, plays attackers and victims):
#  1. forged hostlane replies (untagged, behind 802.1Q/802.1ad tags, from
#     hostlane's MAC range and from the attacker's own MAC, broadcast and
#     unicast), tagged hostlane requests, frames with too many tags or cut
#     inside them, runts and ordinary frames from hostlane's MAC range: none
#     reaches the victims vm1 (handler switch) and vm2 (handler hostlane),
#     each is counted by its reason, no tagged request is answered, and
#     ordinary traffic between vm1 and vm2 still flows;
#  2. a MAC flood (300 source addresses into a table of 64): the attacker
#     learns only mac_limit_per_port addresses, vm1 and vm2 are still
#     learned, and their unicast to each other never reaches the attacker.
# Every negative check is ordered by a marker frame the attacker sends last:
# the switch handles one ingress in order, so once a victim has the marker,
# anything forwarded before it has arrived too.
. "$(dirname "$0")/../func/lib.sh"

VEV="$HOSTLANE_BUILD/tests/hostile/hostile_vhost"
[ -x "$VEV" ] || fail "hostile_vhost not built at $VEV"
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
# Under ASan: DPDK's virtio PMD leaves allocations behind; not ours to fix.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$HOSTLANE_SRC/tests/transports/lsan-dpdk.supp"

G1=52:54:00:00:00:21		# vm1, handler switch
G2=52:54:00:00:00:22		# vm2, handler hostlane
EV=52:54:00:00:00:66		# evil, handler switch, no mac check
EH=52:54:00:00:00:67		# evilhl, handler hostlane
HL0=02:68:6c:00:00:00		# hostlane's own address range
FORGE="hl=5,reply,arg0=1337"	# FN_CALL reply: factorial(20) = 1337

# As tests/pvswitch/lib.sh: hostlane saw the guest's link, and a switch
# counter from the lines hostlane logs when it stops.
link_up() { grep -q "guest $1: link up" "$T/hostlane.log"; }
sw() {
	grep "pvswitch: $1 $2:" "$T/hostlane.log" | tail -1 |
		grep -o " $3=[0-9]*" | cut -d= -f2
}

# guest NAME MAC: hostile_vhost on NAME's socket running $T/NAME.script;
# output in $T/NAME.log. Sets PID_<NAME>.
guest() {
	"$VEV" "$1" "$T/run/$1.sock" "$2" "$T/$1.script" > "$T/$1.log" 2>&1 < /dev/null &
	HL_PIDS+=("$!")
	printf -v "PID_$1" %s "$!"
}

# guest_up NAME: its link is up on both sides; then the go-ahead for its
# script (`waitfile $T/go-NAME`): hostlane looks at links once per tick, and
# polls a guest's virtqueue only once it has seen its link.
guest_up() {
	wait_for 30 grep -q "$1: link up" "$T/$1.log" &&
		wait_for 30 link_up "$1" ||
		{ cat "$T/$1.log"; tail -20 "$T/hostlane.log"; fail "$1: no link"; }
	touch "$T/go-$1"
}

# guest_done NAME: it ran its script to the end.
guest_done() {
	local pid="PID_$1" rc
	wait "${!pid}"; rc=$?
	[ "$rc" -eq 0 ] || { cat "$T/$1.log"; fail "$1: hostile_vhost exit $rc"; }
}

# counted NAME LABEL: a `count` line of NAME's log.
counted() { grep -o "count $2=[0-9]*" "$T/$1.log" | cut -d= -f2; }

# expect_eq WHAT GOT WANT
expect_eq() { [ "${2:-?}" = "$3" ] || { grep pvswitch "$T/hostlane.log"; fail "$1: ${2:-?}, want $3"; }; }

# ---- 1: forged replies, tagged requests, hostlane sources -------------------

cat > "$T/pvs.conf" <<CONF
[guest vm1]
channel = vhost
handler = switch
mac = $G1
[guest vm2]
channel = vhost
handler = hostlane
mac = $G2
[guest evil]
channel = vhost
handler = switch
[guest evilhl]
channel = vhost
handler = hostlane
CONF

# The victims: announce, exchange 100 frames each way (the positive
# control), wait for both attackers' markers, then count. vm1 starts first,
# so it waits for vm2's announcement; vm2, for vm1's first frame.
victim() {	# SELF PEER PEER'S-FIRST-FRAME
	cat <<SCRIPT
send type=9001
wait 1 src=$2 $3
send n=100 dst=$2 type=0800
wait 100 src=$2 dst=$1 type=0800
wait 1 src=$EV type=9000
wait 1 src=$EH type=9000
count hostlane hostlane
count hlsrc srcpfx=02:68:6c
count tagged tagged
SCRIPT
}
victim "$G1" "$G2" "type=9001" > "$T/vm1.script"
victim "$G2" "$G1" "dst=$G2 type=0800" > "$T/vm2.script"

# evil (handler switch: every frame goes to the switch).
# Attackers start on the go-ahead, and stay until the victims are done
# (`waitfile $T/done`), so that nothing they sent is lost with their link.
cat > "$T/evil.script" <<SCRIPT
waitfile $T/go-evil
# forged replies, untagged: 5 x 4 frames
send n=4 src=$HL0 $FORGE
send n=4 src=$HL0 dst=$G1 $FORGE
send n=4 src=$HL0 dst=$G2 $FORGE
send n=4 $FORGE
send n=4 dst=$G2 $FORGE
# forged replies behind tags, up to the bound of 4: 5 x 4 frames
send n=4 tag=8100:5 src=$HL0 $FORGE
send n=4 tag=8100:5 dst=$G2 $FORGE
send n=4 tag=88a8:1 tag=8100:5 $FORGE
send n=4 tag=9100:1 tag=8100:5 dst=$G1 $FORGE
send n=4 tag=88a8:1 tag=8100:2 tag=8100:3 tag=8100:4 dst=$G1 $FORGE
# more tags than the bound, whatever is inside: 2 x 4 frames
send n=4 tag=8100:1 tag=8100:2 tag=8100:3 tag=8100:4 tag=8100:5 $FORGE
send n=4 tag=8100:1 tag=8100:2 tag=8100:3 tag=8100:4 tag=8100:5 type=0800
# cut inside the tags, and runts: 3 x 4 frames
raw ffffffffffff${EV//:/}8100 n=4
raw ffffffffffff${EV//:/}8100000588a800 n=4
raw ffffffffffff${EV//:/} n=4
# ordinary frames from hostlane's range: 2 x 4 frames
send n=4 src=02:68:6c:00:00:01 type=0800
send n=4 src=02:68:6c:00:12:34 dst=$G1 type=0800
send type=9000
waitfile $T/done
SCRIPT

# evilhl (handler hostlane): tagged requests are neither served nor
# forwarded; the untagged FN_GET around them is answered (E_NOT_HELLO).
cat > "$T/evilhl.script" <<SCRIPT
waitfile $T/go-evilhl
send hl=7
wait 1 hostlane
send n=4 tag=8100:5 hl=1
send n=4 tag=88a8:1 tag=8100:5 hl=7
send n=4 tag=8100:5 dst=$G2 hl=7
send hl=7
wait 2 hostlane
send type=9000
count replies hostlane
waitfile $T/done
SCRIPT

hl_start --config "$T/pvs.conf"
guest vm1 "$G1"; guest_up vm1
guest vm2 "$G2"; guest_up vm2
guest evil "$EV"; guest evilhl "$EH"
guest_up evil; guest_up evilhl
guest_done vm1; guest_done vm2
touch "$T/done"
guest_done evil; guest_done evilhl
for v in vm1 vm2; do
	expect_eq "$v: hostlane frames received" "$(counted $v hostlane)" 0
	expect_eq "$v: frames from hostlane's range received" "$(counted $v hlsrc)" 0
	expect_eq "$v: tagged frames received" "$(counted $v tagged)" 0
done
pass "no forged reply, tagged request or hostlane source reached vm1 or vm2; the markers did"
pass "vm1 <-> vm2: 100 frames each way (positive control)"
expect_eq "evilhl: replies" "$(counted evilhl replies)" 2
pass "tagged requests were not answered, the untagged ones were"
hl_stop || fail "hostlane exit $? after the attacks"

expect_eq "evil dropped_hostlane" "$(sw guest evil dropped_hostlane)" 40
expect_eq "evil dropped_tags" "$(sw guest evil dropped_tags)" 8
expect_eq "evil dropped_runt" "$(sw guest evil dropped_runt)" 12
expect_eq "evil dropped_hlsrc" "$(sw guest evil dropped_hlsrc)" 8
expect_eq "evil flooded" "$(sw guest evil flooded)" 1
expect_eq "evil switched" "$(sw guest evil switched)" 0
expect_eq "evilhl dropped_hostlane" "$(sw guest evilhl dropped_hostlane)" 12
expect_eq "evilhl flooded" "$(sw guest evilhl flooded)" 1
pass "counted: evil hostlane 40, tags 8, runt 12, hlsrc 8; evilhl hostlane 12"

# ---- 2: MAC flood -------------------------------------------------------------

cat > "$T/flood.conf" <<CONF
[hostlane]
mac_table_size = 64
[guest vm1]
channel = vhost
handler = switch
mac = $G1
[guest vm2]
channel = vhost
handler = hostlane
mac = $G2
[guest evil]
channel = vhost
handler = switch
CONF
# The victims learn after the flood: each waits for all of it, announces,
# waits for the other's announcement, then sends it 100 frames.
flood_victim() {	# SELF PEER
	cat <<SCRIPT
wait 300 type=0801
send type=9001
wait 1 src=$2 type=9001
send n=100 dst=$2 type=0800
wait 100 src=$2 dst=$1 type=0800
send type=9000
waitfile $T/done
SCRIPT
}
flood_victim "$G1" "$G2" > "$T/vm1.script"
flood_victim "$G2" "$G1" > "$T/vm2.script"
cat > "$T/evil.script" <<SCRIPT
waitfile $T/go-evil
send n=300 srcinc src=02:00:00:00:00:00 type=0801
wait 1 src=$G1 type=9000
wait 1 src=$G2 type=9000
count to_vm1 dst=$G1
count to_vm2 dst=$G2
SCRIPT

rm -f "$T"/go-* "$T/done"
hl_start --config "$T/flood.conf"
guest vm1 "$G1"; guest vm2 "$G2"
guest_up vm1; guest_up vm2
guest evil "$EV"; guest_up evil
guest_done evil
touch "$T/done"
guest_done vm1; guest_done vm2
expect_eq "evil: vm1's unicast received" "$(counted evil to_vm1)" 0
expect_eq "evil: vm2's unicast received" "$(counted evil to_vm2)" 0
pass "after the flood vm1 and vm2 were learned; none of their 200 frames reached evil"
hl_stop || fail "hostlane exit $? after the flood"

expect_eq "evil learn_limited" "$(sw guest evil learn_limited)" 292
expect_eq "evil flooded" "$(sw guest evil flooded)" 300
expect_eq "vm1 learn_limited" "$(sw guest vm1 learn_limited)" 0
expect_eq "vm1 flooded" "$(sw guest vm1 flooded)" 2
expect_eq "vm1 switched" "$(sw guest vm1 switched)" 100
t=$(grep "pvswitch: table:" "$T/hostlane.log" | tail -1)
echo "$t" | grep -q " learned=10 " && echo "$t" | grep -q " table_full=0" ||
	fail "table: $t (want learned=10, table_full=0)"
pass "counted: evil learned 8 and was refused 292, vm1 switched 100"
