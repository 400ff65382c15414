#!/usr/bin/env bash
# Hostile: a guest writes its connection's eventfds (its C2S interrupt
# among them) as fast as it can, while hostlane's lcore is adaptive; a good
# guest beside it, idle between calls so that the lcore backs off, must get
# every call answered correctly. Completion is asserted, not time.
. "$(dirname "$0")/../func/lib.sh"

GUEST="$HOSTLANE_BUILD/tests/idle/idle_guest"
[ -x "$GUEST" ] || fail "idle_guest not built at $GUEST"
cat > "$T/storm.conf" <<'CONF'
[hostlane]
idle = adaptive

[guest evil]
secret = evil-secret
handler = hostlane
functions = echo

[guest good]
secret = good-secret
handler = hostlane
functions = echo
CONF
hl_start --config "$T/storm.conf"
"$GUEST" storm "$T/run/evil.sock" evil-secret 6000 > "$T/storm.out" 2>&1 &
sp=$!
HL_PIDS+=("$sp")
for mode in intr poll; do
	out=$("$GUEST" calls "$T/run/good.sock" good-secret "$mode" 20 40) ||
		{ echo "$out"; tail -20 "$T/hostlane.log"; fail "good guest's calls failed beside the storm ($mode)"; }
	echo "$out" | grep -q '^ok 40$' || fail "good guest ($mode): $out"
done
wait "$sp" || { cat "$T/storm.out"; fail "the storm guest could not run"; }
cat "$T/storm.out"
kill -0 "$HL_PID" || fail "hostlane died"
hl_stop || fail "unclean stop after the storm"
pass "eventfd storm: every call of the good guest answered"
