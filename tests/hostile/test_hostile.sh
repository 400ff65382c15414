#!/usr/bin/env bash
# One group of the attack suite (ctl, rings, requests, reports or
# reports-budget) against one hostlane: hostile_attack runs every case of
# the group while a good guest runs offload calls; hostlane must be up
# afterwards and stop cleanly. The report groups then check the counters
# hostlanectl shows for what the attacks did.
. "$(dirname "$0")/../func/lib.sh"

GROUP=${1:?usage: test_hostile.sh ctl|rings|requests|reports|reports-budget}
ATTACK="$HOSTLANE_BUILD/tests/hostile/hostile_attack"
CTL="$HOSTLANE_BUILD/control/hostlanectl"
[ -x "$ATTACK" ] || fail "hostile_attack not built at $ATTACK"
export HOSTLANE_CONTROL="$T/run/control.sock"

# attack.h's EVIL_REPORT_MS; an hour for reports-budget, so that every
# report after a guest's first is over budget whatever the timing.
REPORT_MS=200
[ "$GROUP" = reports-budget ] && REPORT_MS=3600000

# attack.h hard-codes these limits (EVIL_*); keep them in step. The
# compression device gives the bulk cases a deflate to race (echo if absent).
cat > "$T/hostile.conf" <<'CONF'
[hostlane]
compressdev = compress_isal
mbufs = 16383
handshake_timeout_ms = 1000
max_repetitions = 1000000
report_interval_ms = @REPORT_MS@

[guest evil]
secret = evil-secret
handler = hostlane
functions = all
max_sessions = 4
max_inflight = 8
max_regions = 2
max_region_size = 1M
max_ring_size = 64
max_frame = 4096
max_chain = 4
vf = eligible

[guest good]
secret = good-secret
handler = hostlane
functions = all

[guest novf]
secret = novf-secret
handler = hostlane
functions = factorial

[vf]
mode = mock
policy = manual
vf_pool = net_null20,no-rx=1
CONF
sed -i "s/@REPORT_MS@/$REPORT_MS/" "$T/hostile.conf"

hl_start --config "$T/hostile.conf"
"$ATTACK" "$GROUP" "$T/run" "$HL_PID" "$T/hostlane.log"
rc=$?
kill -0 "$HL_PID" 2>/dev/null || { cat "$T/hostlane.log"; fail "hostlane died"; }
[ "$rc" -eq 0 ] || { tail -n 40 "$T/hostlane.log"; fail "hostile $GROUP (exit $rc)"; }

# counter GUEST SECTION.COUNTER: one of hostlanectl's stats counters.
counter() {
	"$CTL" --json stats "$1" | python3 -c "import json, sys
s, c = sys.argv[1].split('.')
print(json.load(sys.stdin)['result'][s][c])" "$2" || fail "hostlanectl stats $1"
}
# at_least GUEST SECTION.COUNTER N
at_least() {
	local v; v=$(counter "$1" "$2")
	[ "$v" -ge "$3" ] || fail "$1 $2 = $v, wanted >= $3"
}
# handed GUEST: the reports the VF allocator was handed (taken or not).
handed() {
	"$CTL" --json vf show "$1" | python3 -c "import json, sys
r = json.load(sys.stdin)['result']
print(r['reports'] + r['reports_refused'])" || fail "hostlanectl vf show $1"
}
case "$GROUP" in
reports*)
	h=$(handed evil); a=$(counter evil connections.report_accepted)
	[ "$h" -eq "$a" ] || fail "the VF allocator was handed $h reports, $a accepted"
	;;
esac
case "$GROUP" in
reports)
	at_least evil traffic.report_invalid 20		# malformed, header
	at_least evil traffic.report_drops 23		# burst, flood
	at_least evil connections.report_accepted 5
	at_least evil connections.report_refused 3	# absurd
	at_least evil connections.report_resets 1	# backwards
	at_least novf traffic.report_invalid 1		# not a VF guest
	[ "$(counter novf connections.report_accepted)" -eq 0 ] ||
		fail "novf: a report was accepted"
	;;
reports-budget)
	[ "$(counter evil connections.report_accepted)" -eq 1 ] ||
		fail "evil: not exactly one report accepted"
	at_least evil connections.report_limited 5
	;;
esac
hl_stop || fail "hostlane exit $? after the $GROUP attacks"
pass "hostile $GROUP: hostlane up, every attack answered, good guest unaffected"
