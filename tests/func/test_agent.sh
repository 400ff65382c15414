#!/usr/bin/env bash
# hostlane-agent against the real hostlane: its reports of a made-up
# /sys/class/net reach the host and show in hostlanectl stats (a baseline,
# then the increase), and the VF allocator (the mock actuator) is handed
# exactly the accepted ones; a guest without VFs is refused with the
# reason; usage errors; and the reporting loop leaves cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"

AGENT="$HOSTLANE_BUILD/guestlib/agent/hostlane-agent"
CTL="$HOSTLANE_BUILD/control/hostlanectl"
[ -x "$AGENT" ] || fail "hostlane-agent not built at $AGENT"
export HOSTLANE_CONTROL="$T/run/control.sock"

cat > "$T/agent.conf" <<'CONF'
[hostlane]
report_interval_ms = 100

[guest vm1]
secret = vm1-secret
handler = hostlane
vf = eligible

[guest novf]
secret = novf-secret
handler = hostlane

[vf]
mode = mock
policy = manual
vf_pool = net_null20,no-rx=1
CONF

# iface NAME RXP TXP RXB TXB: an interface in the made-up sysfs tree.
iface() {
	local d="$T/sys/$1/statistics"
	mkdir -p "$d"
	echo "$2" > "$d/rx_packets"; echo "$3" > "$d/tx_packets"
	echo "$4" > "$d/rx_bytes"; echo "$5" > "$d/tx_bytes"
}

# counter GUEST COUNTER: a "connections" counter of hostlanectl stats.
counter() {
	"$CTL" --json stats "$1" | python3 -c "import json, sys
print(json.load(sys.stdin)['result']['connections'][sys.argv[1]])" "$2"
}

accepted_at_least() { [ "$(counter vm1 report_accepted)" -ge "$1" ]; }

# agent ARGS...: run it (bounded); output in $OUT, exit status in $RC.
agent() {
	OUT=$(timeout 30 "$AGENT" "$@" 2>&1); RC=$?
}

# Usage.
agent --help
[ "$RC" -eq 0 ] && echo "$OUT" | grep -q -- '--once' || fail "--help: $RC $OUT"
agent --once
[ "$RC" -eq 2 ] && echo "$OUT" | grep -q 'no URI' || fail "no URI: $RC $OUT"
agent --interval 5 x.sock
[ "$RC" -eq 2 ] && echo "$OUT" | grep -q 'interval' || fail "--interval 5: $RC $OUT"
agent --interface a/b x.sock
[ "$RC" -eq 2 ] && echo "$OUT" | grep -q 'not an interface name' || fail "a/b: $RC $OUT"

hl_start --config "$T/agent.conf"
URI="$T/run/vm1.sock"
iface lo 5 5 500 500
iface eth0 100 200 6400 12800
iface eth1 1 2 3 4

# The first report is the baseline: accepted, nothing added.
agent --once --sysfs "$T/sys" -s vm1-secret "$URI"
[ "$RC" -eq 0 ] || fail "first report: exit $RC: $OUT"
[ "$(counter vm1 report_accepted)" -eq 1 ] || fail "first report not counted"
[ "$(counter vm1 report_pkts)" -eq 0 ] || fail "a baseline added frames"

# Past the host's interval, the increase of eth0 + eth1 (lo skipped) counts.
iface lo 9005 9005 900500 900500
iface eth0 1100 1200 70400 76800
iface eth1 11 12 13 14
sleep 0.2
agent --once --sysfs "$T/sys" -s vm1-secret "$URI"
[ "$RC" -eq 0 ] || fail "second report: exit $RC: $OUT"
[ "$(counter vm1 report_accepted)" -eq 2 ] || fail "second report not counted"
p=$(counter vm1 report_pkts); b=$(counter vm1 report_bytes)
[ "$p" -eq 2020 ] && [ "$b" -eq 128020 ] || fail "series $p frames, $b bytes; wanted 2020, 128020"

"$CTL" --json guest show vm1 | python3 -c "import json, sys
r = json.load(sys.stdin)['result']['reports']
sys.exit(0 if (r['accepted'], r['pkts'], r['bytes']) == (2, 2020, 128020) else 1)" ||
	fail "guest show vm1: reports not as stats says"

# --interface picks; a missing one is said and nothing is sent.
agent --once --sysfs "$T/sys" --interface nosuch -s vm1-secret "$URI"
[ "$RC" -eq 1 ] && echo "$OUT" | grep -q 'nosuch' || fail "missing interface: $RC $OUT"
# A counter file that is not a number leaves its interface out.
echo "12abc" > "$T/sys/eth1/statistics/rx_bytes"
sleep 0.2
agent --once --sysfs "$T/sys" -s vm1-secret "$URI"
[ "$RC" -eq 0 ] && echo "$OUT" | grep -q 'eth1/statistics/rx_bytes: not a counter' ||
	fail "garbage counter: $RC $OUT"

# The allocator was handed each accepted report once (it may itself turn
# one down as too soon for it: that is its business).
taken=$("$CTL" --json vf show vm1 | python3 -c "import json, sys
r = json.load(sys.stdin)['result']
print(r['reports'] + r['reports_refused'], r['reports'])") || fail "vf show vm1"
[ "${taken% *}" -eq "$(counter vm1 report_accepted)" ] && [ "${taken#* }" -ge 1 ] ||
	fail "allocator got $taken (handed, taken), hostlane accepted $(counter vm1 report_accepted)"

# A guest without VFs: refused, and the agent says why.
agent --once --sysfs "$T/sys" -s novf-secret "$T/run/novf.sock"
[ "$RC" -eq 1 ] && echo "$OUT" | grep -q 'HL_E_PERM' || fail "novf: $RC $OUT"
[ "$(counter novf report_accepted)" -eq 0 ] || fail "novf: a report accepted"

# The loop: reports every 150 ms until SIGTERM, then a clean exit.
before=$(counter vm1 report_accepted)
"$AGENT" --interval 150 --sysfs "$T/sys" -s vm1-secret "$URI" > "$T/agent.log" 2>&1 &
apid=$!
HL_PIDS+=("$apid")
wait_for 30 accepted_at_least $((before + 3)) ||
	{ cat "$T/agent.log"; fail "the loop did not report three times"; }
kill -TERM "$apid"
wait "$apid"; rc=$?
[ "$rc" -eq 0 ] || { cat "$T/agent.log"; fail "agent exit $rc after SIGTERM"; }
hl_stop || fail "unclean hostlane stop"
pass "hostlane-agent: reports delivered and counted, refusals said, SIGTERM clean"
