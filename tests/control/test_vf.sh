#!/usr/bin/env bash
# VF assignment end to end: hostlane with a [vf] section (the mock actuator,
# vf_pool stand-ins), `hostlanectl vf ...` (human and --json), guest keys at
# run time, errors for bad input, telemetry and metrics; without [vf] every
# vf command answers unsupported.
. "$(dirname "$0")/ctl_lib.sh"

# vf_is GUEST STATE: the guest's VF state (none, assigning, held, ...).
vf_is() {
	"$CTL" --json vf show "$1" 2>/dev/null | python3 -c \
		"import json,sys; r=json.load(sys.stdin); sys.exit(0 if r['result']['state'] == sys.argv[1] else 1)" "$2"
}
# vf_wait GUEST STATE: it gets there within 10 s.
vf_wait() {
	wait_for 10 vf_is "$1" "$2" || fail "guest $1 never reached VF state $2: $("$CTL" vf show "$1" 2>&1)"
}

# ---- without [vf] ----
ctl_start
ctl_err unsupported 1 vf list
echo "$OUT" | grep -q 'no \[vf\] section' || fail "vf list without [vf]: $OUT"
ctl_err bad_args 1 guest add g9 vf=eligible
echo "$OUT" | grep -q 'no \[vf\] section' || fail "guest add vf=eligible without [vf]: $OUT"
hl_stop || fail "hostlane exit status"
pass "without [vf]: vf commands unsupported, vf keys refused"

# ---- with [vf]: two stand-ins, the mock actuator, manual policy ----
ctl_conf
sed -i 's/^\[guest demo0\]$/[guest demo0]\nvf = eligible/' "$T/ctl.conf"
printf '\n[vf]\nmode = mock\npolicy = manual\ninterval_ms = 100\nmin_hold_ms = 0\nvf_pool = net_null20,no-rx=1\\;net_null21,no-rx=1\n' >> "$T/ctl.conf"
ctl_start --config "$T/ctl.conf"

"$CTL" --help | grep -q 'vf policy NAME \[key=value...\]' || fail "--help lacks vf policy"
ctl_ok help vf;            echo "$OUT" | grep -q 'vf assign GUEST' || fail "help vf: $OUT"
echo "$OUT" | grep -q 'guest list' && fail "help vf lists other groups: $OUT"
ctl_ok vf assign --help;   echo "$OUT" | grep -q 'Usage: hostlanectl vf assign GUEST' || fail "vf assign --help: $OUT"
vf_wait demo0 none
ctl_ok --json vf list
py_result "r['mode'] == 'mock' and r['policy'] == 'manual' and r['vfs_total'] == 2 and r['vfs_held'] == 0 and [v['device'] for v in r['vfs']] == ['net_null20,no-rx=1', 'net_null21,no-rx=1'] and [g['guest'] for g in r['guests']] == ['demo0']"
ctl_ok vf list;            echo "$OUT" | grep -q '^  *pool/0  *net_null20,no-rx=1  *-  *free' || fail "vf list: $OUT"
pass "vf list, help"

ctl_ok --json vf assign demo0
py_result "r['guest'] == 'demo0' and r['vf'] == 'pool/0' and r['state'] == 'held'"
ctl_err exists 1 vf assign demo0
ctl_err not_found 1 vf assign nosuch
echo "$OUT" | grep -q "no guest 'nosuch'" || fail "vf assign nosuch: $OUT"
ctl_err not_found 1 vf assign demo1
echo "$OUT" | grep -q 'demo1 takes no VF' || fail "vf assign demo1: $OUT"
ctl_err - 2 vf assign
pass "vf assign: held, and clear errors"

# Guests added at run time with their VF keys.
ctl_ok --json guest add g1 vf=eligible vf_weight=5
py_result "r['vf'] == 'eligible' and r['vf_weight'] == 5"
ctl_ok guest add g2 vf=pinned
ctl_err bad_args 1 guest add g3 vf=always
echo "$OUT" | grep -q "is not none, eligible or pinned" || fail "guest add vf=always: $OUT"
ctl_err bad_args 1 guest add g3 qmp=relative/path
ctl_err bad_args 1 guest add g3 vf_weight=0
# g2 is pinned: it takes the last free VF by itself.
vf_wait g2 held
wait_for 10 sh -c "\"$CTL\" --json vf show g1 >/dev/null 2>&1" || fail "g1 never known to the allocator"
ctl_err no_space 1 vf assign g1
echo "$OUT" | grep -q 'no free VF (2 of 2 held)' || fail "vf assign g1: $OUT"
pass "guest add with vf keys; pinned guest takes a free VF; no_space"

ctl_ok vf release demo0
vf_wait demo0 none
ctl_err not_found 1 vf release demo0
echo "$OUT" | grep -q 'holds no VF' || fail "vf release demo0: $OUT"
ctl_ok vf assign g1
vf_wait g1 held
ctl_ok vf exclude g2
vf_wait g2 none
ctl_ok --json vf show g2;  py_result "r['role'] == 'excluded' and r['configured_role'] == 'pinned'"
ctl_ok vf pin demo0
vf_wait demo0 held
ctl_ok vf unpin g2
ctl_ok --json vf show g2;  py_result "r['role'] == 'eligible' and r['state'] == 'none'"
ctl_err not_found 1 vf pin nosuch
pass "release, exclude, pin, unpin"

# A guest removed while it holds a VF gives it back.
ctl_ok guest remove g1
ctl_ok --json vf list
py_result "r['vfs_held'] == 1 and [v['holder'] for v in r['vfs']].count('g1') == 0 and 'g1' not in [g['guest'] for g in r['guests']]"
pass "a removed guest's VF goes back"

ctl_err bad_args 1 vf policy activity interval_ms=5
echo "$OUT" | grep -q 'interval_ms: 5 is out of range \[10, 86400000\]' || fail "vf policy range: $OUT"
ctl_err bad_args 1 vf policy random
echo "$OUT" | grep -q "'random' is not fair, activity or manual" || fail "vf policy random: $OUT"
ctl_err bad_args 1 vf policy fair nosuch=1
ctl_err bad_args 1 vf policy fair hysteresis_pct=abc
ctl_ok --json vf policy activity interval_ms=1000 hysteresis_pct=30 max_moves=2
py_result "r['policy'] == 'activity' and r['interval_ms'] == 1000 and r['hysteresis_pct'] == 30 and r['max_moves'] == 2 and r['min_hold_ms'] == 0"
ctl_ok --json vf policy manual
ctl_ok --json vf list;     py_result "r['policy'] == 'manual'"
pass "vf policy: settings and range errors"

ctl_ok --json vf log count=100
py_result "any(e['what'] == 'assign' and e['guest'] == 'demo0' and e['reason'] == 'operator: vf assign' for e in r) and any(e['what'] == 'revoke' and e['reason'] == 'guest removed' for e in r) and any(e['reason'].startswith('excluded') for e in r)"
ctl_err bad_args 1 vf log count=0
ctl_ok metrics
echo "$OUT" | grep -q '^hostlane_vf_held 1$' || fail "metrics: vf_held: $(echo "$OUT" | grep vf_)"
echo "$OUT" | grep -q '^hostlane_vf_guest_holds{guest="demo0"} 1$' || fail "metrics: vf_guest_holds"
echo "$OUT" | grep -Eq '^hostlane_vf_assigns_total [1-9]' || fail "metrics: vf_assigns_total"
echo "$OUT" | grep -q '^hostlane_vf_guest_rate_pps{guest="demo0",source=' || fail "metrics: rates"
pass "vf log and metrics"

if TEL=$(command -v dpdk-telemetry.py); then
	sleep 0.3	# the snapshot telemetry reads is at most 200 ms old
	echo /hostlane/vf | timeout 20 python3 "$TEL" -f "$PREFIX" > "$T/tel.out" 2>&1 ||
		{ cat "$T/tel.out"; fail "dpdk-telemetry.py failed"; }
	grep -q '"/hostlane/vf": {"mode": "mock"' "$T/tel.out" || fail "telemetry /hostlane/vf: $(cat "$T/tel.out")"
	grep -q '"demo0": {"state": "held", "vf": "pool/' "$T/tel.out" || fail "telemetry guests: $(cat "$T/tel.out")"
	pass "telemetry /hostlane/vf"
else
	echo "NOTE: dpdk-telemetry.py not installed: /hostlane/vf not checked"
fi

hl_stop || { tail -n 20 "$T/hostlane.log"; fail "hostlane exit status"; }
grep -q 'vf: round [0-9]*: revoke g2 pool/1: excluded by the operator' "$T/hostlane.log" ||
	fail "the log lacks the round's decision: $(grep 'vf:' "$T/hostlane.log")"
pass "decisions logged with their reasons"
