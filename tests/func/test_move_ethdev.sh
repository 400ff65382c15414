#!/usr/bin/env bash
# Moving a guest behind a DPDK port (issue 16 §2): an ethdev guest on
# net_null (its Rx queue always has frames; handler drop) moved between
# the two I/O lcores and back. It is polled where it went (its frames keep
# coming, counted by the lcore that now polls it), and never by both: the
# lcores' poll lists hold it once between them.
. "$(dirname "$0")/move_lib.sh"
tm_need_pmd net_null

cat > "$T/eth.conf" <<'CONF'
[guest e0]
channel = ethdev
devargs = net_null_mv0
handler = drop

[guest x0]
handler = hostlane
CONF

# polled_on LCORE: the guests in that lcore's poll list.
polled_on() { ctlj lcore list | py "[l['polled'] for l in r if l['lcore'] == $1][0]"; }
rx() { ctlj stats e0 | py "r[0]['traffic']['rx_frames'] if isinstance(r, list) else r['traffic']['rx_frames']"; }
connected() { [ "$(ctlj guest list | py "[g['state'] for g in r if g['name'] == 'e0'][0]")" = connected ]; }

HL_LCORES='0@0,1@1,2@1' hl_start --config "$T/eth.conf"
wait_for 20 connected || fail "e0's link never came up: $(ctlj guest list)"
[ "$(lcore_of e0)" = 1 ] || fail "e0 not on lcore 1"
for to in 2 1 2; do
	out=$(ctlj guest move e0 "$to") || fail "guest move e0 $to: $out"
	[ "$(lcore_of e0)" = "$to" ] || fail "e0 not on lcore $to"
	from=$(( to == 1 ? 2 : 1 ))
	[ "$(polled_on "$to")" = 1 ] && [ "$(polled_on "$from")" = 0 ] ||
		fail "poll lists after the move to $to: $(polled_on 1) on 1, $(polled_on 2) on 2"
	r0=$(rx)
	rx_moved() { [ "$(rx)" -gt "$r0" ]; }
	wait_for 10 rx_moved || fail "e0 not polled on lcore $to"
done
hl_stop || fail "hostlane exited $?"
pass "an ethdev guest moved between the I/O lcores and polled where it went"
