#!/usr/bin/env bash
# One group of the attack suite (ctl, rings or requests) against one
# hostlane: hostile_attack runs every case of the group while a good guest
# runs offload calls; hostlane must be up afterwards and stop cleanly.
. "$(dirname "$0")/../func/lib.sh"

GROUP=${1:?usage: test_hostile.sh ctl|rings|requests}
ATTACK="$HOSTLANE_BUILD/tests/hostile/hostile_attack"
[ -x "$ATTACK" ] || fail "hostile_attack not built at $ATTACK"

# attack.h hard-codes these limits (EVIL_*); keep them in step. The
# compression device gives the bulk cases a deflate to race (echo if absent).
cat > "$T/hostile.conf" <<'CONF'
[hostlane]
compressdev = compress_isal
mbufs = 16383
handshake_timeout_ms = 1000
max_repetitions = 1000000

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

[guest good]
secret = good-secret
handler = hostlane
functions = all
CONF

hl_start --config "$T/hostile.conf"
"$ATTACK" "$GROUP" "$T/run" "$HL_PID" "$T/hostlane.log"
rc=$?
kill -0 "$HL_PID" 2>/dev/null || { cat "$T/hostlane.log"; fail "hostlane died"; }
[ "$rc" -eq 0 ] || { tail -n 40 "$T/hostlane.log"; fail "hostile $GROUP (exit $rc)"; }
hl_stop || fail "hostlane exit $? after the $GROUP attacks"
pass "hostile $GROUP: hostlane up, every attack answered, good guest unaffected"
