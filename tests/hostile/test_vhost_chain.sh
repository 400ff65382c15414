#!/usr/bin/env bash
# Hostlane requests in chained frames from a vhost-user guest: hostile_vhost
# on guest evilhl (handler hostlane) sends HELLO, FN_OPEN, FN_ACTIVATE,
# FN_CALL (factorial) and FN_CLOSE zero-padded to 5000 bytes - DPDK's vhost
# PMD hands hostlane such a frame as a chain of 2 KiB mbufs - and FN_CALLs
# of 2100 and 9000 bytes and one on a bad session. Every request must get
# its reply, with its req_id and status OK (BAD_SESSION for the bad one),
# and exactly the reply's own size: 64 + 48 bytes for HELLO, 64 for the
# others - not the request's. An unpadded HELLO and FN_CALL are the
# positive control. (Before pipeline.c trimmed chains to their first
# segment, the padded HELLO was refused, and the factorial reply, built in
# the request's chain with only the first segment's length reset, was
# dropped on its way to the guest.)
# Each reply is waited for by its req_id; nothing is timed.
# shellcheck source=vhost_lib.sh
. "$(dirname "$0")/vhost_lib.sh"

EH=52:54:00:00:00:67
FACT20=2432902008176640000
OK=0
BAD_SESSION=7

cat > "$T/chain.conf" <<CONF
[guest evilhl]
channel = vhost
handler = hostlane
mac = $EH
CONF

# request LABEL ID OP REPLY-LEN SEND-WORDS...: send it, wait for the reply
# with that id (any length), count the replies that are right.
request() {
	local label=$1 id=$2 op=$3 len=$4; shift 4
	echo "echo $label"
	echo "send $*"
	echo "wait 1 reply id=$id"
	echo "count $label reply id=$id op=$op len=$len status=${STATUS:-$OK}${ARG0:+ arg0=$ARG0}"
}

{
	echo "waitfile $T/go-evilhl"
	request hello_padded 0x101 1 112 len=5000 hl=1,plen=48,id=0x101
	request hello 0x102 1 112 hl=1,plen=48,id=0x102
	request open 0x103 3 64 len=5000 hl=3,fn=factorial,id=0x103
	request activate 0x104 4 64 len=5000 hl=4,sess=last,id=0x104
	ARG0=$FACT20 request call 0x105 5 64 len=5000 hl=5,sess=last,arg0=20,arg1=1,id=0x105
	ARG0=$FACT20 request call_2100 0x106 5 64 len=2100 hl=5,sess=last,arg0=20,arg1=1,id=0x106
	ARG0=$FACT20 request call_9000 0x107 5 64 len=9000 hl=5,sess=last,arg0=20,arg1=1,id=0x107
	ARG0=$FACT20 request call_unpadded 0x108 5 64 hl=5,sess=last,arg0=20,arg1=1,id=0x108
	request close 0x109 9 64 len=5000 hl=9,sess=last,id=0x109
	STATUS=$BAD_SESSION request call_bad_session 0x10a 5 64 len=5000 hl=5,sess=0x7fff0007,arg0=20,arg1=1,id=0x10a
	echo "count all any"
	echo "show any"
} > "$T/evilhl.script"

hl_start --config "$T/chain.conf"
guest evilhl "$EH"
guest_up evilhl
guest_done evilhl
cat "$T/evilhl.log"
hl_stop || fail "hostlane exit $? after the chained requests"

log="$T/evilhl.log"
expect_eq "unpadded HELLO answered right (positive control)" "$(counted evilhl hello)" 1 "$log"
expect_eq "unpadded FN_CALL answered right (positive control)" "$(counted evilhl call_unpadded)" 1 "$log"
pass "unpadded HELLO and factorial(20): answered (positive control)"
expect_eq "5000-byte HELLO: OK reply of 112 bytes" "$(counted evilhl hello_padded)" 1 "$log"
expect_eq "5000-byte FN_OPEN: OK reply of 64 bytes" "$(counted evilhl open)" 1 "$log"
expect_eq "5000-byte FN_ACTIVATE: OK reply of 64 bytes" "$(counted evilhl activate)" 1 "$log"
expect_eq "5000-byte FN_CALL: factorial(20) in a reply of 64 bytes" "$(counted evilhl call)" 1 "$log"
expect_eq "2100-byte FN_CALL: factorial(20) in a reply of 64 bytes" "$(counted evilhl call_2100)" 1 "$log"
expect_eq "9000-byte FN_CALL: factorial(20) in a reply of 64 bytes" "$(counted evilhl call_9000)" 1 "$log"
expect_eq "5000-byte FN_CALL on a bad session: BAD_SESSION in 64 bytes" "$(counted evilhl call_bad_session)" 1 "$log"
expect_eq "5000-byte FN_CLOSE: OK reply of 64 bytes" "$(counted evilhl close)" 1 "$log"
expect_eq "frames received (one reply per request, nothing else)" "$(counted evilhl all)" 10 "$log"
pass "chained requests of 2100, 5000 and 9000 bytes: each answered once, by req_id, at the reply's own size"
