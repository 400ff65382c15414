#!/usr/bin/env bash
# DPDK telemetry: dpdk-telemetry.py lists hostlane's guests, sessions and
# stats. Metrics: the Prometheus text file is written periodically and
# atomically, and matches `hostlanectl metrics` in shape.
. "$(dirname "$0")/ctl_lib.sh"

TEL=$(command -v dpdk-telemetry.py) || skip "dpdk-telemetry.py not installed"

# tel CMD...: one telemetry command per argument; replies in $T/tel.out.
tel() {
	printf '%s\n' "$@" | timeout 20 python3 "$TEL" -f "$PREFIX" > "$T/tel.out" 2>&1 ||
		{ cat "$T/tel.out"; fail "dpdk-telemetry.py failed"; }
}
# tel_holds CMD EXPR: EXPR (python, on r = CMD's reply value in the last
# tel output) holds; a status, no failure.
tel_holds() {
	python3 - "$T/tel.out" "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        d = json.loads(line)
        if sys.argv[2] in d:
            r = d[sys.argv[2]]
            sys.exit(0 if eval(sys.argv[3]) else 1)
sys.exit(1)
PY
}
# tel_check CMD EXPR: EXPR holds, or the test fails.
tel_check() {
	tel_holds "$1" "$2" || fail "telemetry $1: '$2' does not hold: $(cat "$T/tel.out")"
}

ctl_conf "metrics_file=$T/metrics/hostlane.prom" metrics_interval_ms=200
ctl_start --config "$T/ctl.conf"
mkdir -p "$T/metrics"	# created after start: the writer retries each interval
[ -S "/var/run/dpdk/$PREFIX/dpdk_telemetry.v2" ] || fail "no telemetry socket"

tel / /hostlane/guests
tel_check / "'/hostlane/guests' in r and '/hostlane/stats' in r and '/hostlane/sessions' in r and '/hostlane/guest' in r"
tel_check /hostlane/guests "r == ['demo0', 'demo1']"
pass "dpdk-telemetry.py lists hostlane's endpoints and guests"

ctl_ok guest add g1 secret=g1-secret handler=hostlane
holder_start keep "$T/run/g1.sock" g1-secret 2
# The published snapshot lags by up to one interval: wait until it has g1.
g1_published() {
	tel /hostlane/guest,g1
	tel_holds /hostlane/guest "r is not None and r['sessions'] == 2"
}
wait_for 10 g1_published || fail "telemetry never showed g1 with 2 sessions: $(cat "$T/tel.out")"
tel /hostlane/guests /hostlane/guest,g1 /hostlane/sessions /hostlane/sessions,g1 /hostlane/stats,g1 /hostlane/stats
tel_check /hostlane/guests "r == ['demo0', 'demo1', 'g1']"
tel_check /hostlane/guest "r['name'] == 'g1' and r['state'] == 'connected' and r['sessions'] == 2"
tel_check /hostlane/sessions "len(r) == 2 and all(s.split()[0] == 'g1' and s.split()[2:4] == ['factorial', 'active'] and s.split()[4] in ('hw', 'sw') for s in r)"
tel_check /hostlane/stats "r['req_FN_OPEN'] >= 2 and r['req_FN_CALL'] >= 2 and 'err_E_PERM' in r and 'disc_PEER' in r"
tel /hostlane/guest,nosuch /hostlane/guest /hostlane/stats,nosuch '/hostlane/guest,../x'
tel_check /hostlane/guest "r is None"
tel_check /hostlane/stats "r is None"
pass "telemetry shows a guest, its sessions and its stats; bad names answer null"

# The metrics file: written, replaced atomically, Prometheus-shaped.
wait_for 10 test -s "$T/metrics/hostlane.prom" || fail "no metrics file"
grep -q '^# TYPE hostlane_guest_requests_total counter$' "$T/metrics/hostlane.prom" ||
	fail "metrics file: no TYPE line"
wait_for 10 grep -q '^hostlane_guest_sessions{guest="g1"} 2$' "$T/metrics/hostlane.prom" ||
	fail "metrics file: g1's sessions not there"
ctl_ok metrics
diff <(grep -c '^# TYPE' <<< "$OUT") <(grep -c '^# TYPE' "$T/metrics/hostlane.prom") > /dev/null ||
	fail "metrics file and hostlanectl metrics differ in shape"
python3 - "$T/metrics/hostlane.prom" <<'PY' || fail "metrics file is not valid exposition text"
import re, sys
seen_type = set()
def bad(why, line):
    sys.exit("%s: %s" % (why, line))
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# HELP ") or line.startswith("# TYPE "):
        parts = line.split(" ", 3)
        if line.startswith("# TYPE "):
            if len(parts) != 4 or parts[3] not in ("counter", "gauge"):
                bad("TYPE neither counter nor gauge", line)
            if parts[3] == "counter" and not parts[2].endswith("_total"):
                bad("counter not named *_total", line)
            seen_type.add(parts[2])
        continue
    m = re.fullmatch(r'([a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? ([0-9]+)', line)
    if m is None:
        bad("not a sample line", line)
    if m.group(1) not in seen_type:
        bad("sample before its TYPE", line)
PY
# Atomic replacement: the file's inode changes, never a partial read.
ino=$(stat -c %i "$T/metrics/hostlane.prom")
replaced() { [ "$(stat -c %i "$T/metrics/hostlane.prom")" != "$ino" ]; }
wait_for 10 replaced || fail "metrics file not rewritten"
for _ in $(seq 20); do
	tail -n 1 "$T/metrics/hostlane.prom" | grep -q '^hostlane_lcore_stuck_events_total' ||
		fail "metrics file read half-written"
	sleep 0.05
done
pass "metrics file written every interval, atomically"

holder_go
[ "$HOLD_RC" -eq 0 ] || fail "holder's last call, g1 still there: $HOLD_LINE (exit $HOLD_RC)"
hl_stop || fail "hostlane exit status"
