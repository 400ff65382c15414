#!/usr/bin/env bash
# FPGA reconfiguration (`fpga load`) on the real hostlane with the simulated
# unit (fpga = sim): a guest's live hardware sessions across `fpga load 0
# crc` and back to `full` (reconf_check live), a drain timeout and a
# concurrent load refused busy (reconf_check timeout), bad slot, image and
# arguments refused with hostlane staying up, `fpga list`, `help fpga`, and
# session counts back to the baseline once the guest has closed.
# ctl_lib.sh: hostlanectl helpers (ctl, ctl_ok, ctl_err, py_result, raw) and
# HOSTLANE_CONTROL=$T/run/control.sock; hostlane itself starts by hl_start.
. "$(dirname "$0")/../control/ctl_lib.sh"

tm_need_sim
RC_BIN="$HOSTLANE_BUILD/tests/offload/reconf_check"
RUN="$T/run"
[ -x "$RC_BIN" ] || fail "reconf_check not built at $RC_BIN"

cat > "$T/test.conf" <<'CONF'
[hostlane]
mbufs = 16383
fpga = sim
max_repetitions = 4000000

[guest gr]
secret = gr-secret
handler = hostlane
functions = all
max_sessions = 8
max_inflight = 64
CONF

alive() { kill -0 "$HL_PID" 2>/dev/null || { cat "$T/hostlane.log"; fail "hostlane died"; }; }
no_sessions() { "$CTL" --json session list | grep -q '"result":\[\]'; }
sessions_zero() {
	ctl_ok --json fn list
	py_result 'all(f["sessions"] == 0 for f in r)'
	ctl_ok --json session list
	py_result 'len(r) == 0'
}

hl_start --config "$T/test.conf"
ctl_ok --json fpga list
py_result 'len(r) == 1 and r[0]["slot"] == 0 and r[0]["image"] == "full" and r[0]["state"] == "ready"'
py_result 'r[0]["functions"] == ["factorial", "fibonacci", "crc32c"] and r[0]["images"] == ["full", "crc", "math"]'
ctl_ok --json fn list
py_result '[f["placement"] for f in r if f["function"] in ("factorial", "crc32c")] == ["hw", "hw"]'
sessions_zero

# Help through the shared table.
ctl_ok help fpga
echo "$OUT" | grep -q 'fpga load SLOT IMAGE' || fail "help fpga: $OUT"
echo "$OUT" | grep -q 'fpga list' || fail "help fpga: $OUT"
ctl_ok help fpga load
echo "$OUT" | grep -q 'timeout_ms' || fail "help fpga load: $OUT"
"$CTL" fpga load --help | grep -q 'SLOT IMAGE' || fail "fpga load --help"

# Bad requests: refused, nothing changes, hostlane stays up.
ctl_err not_found 1 fpga load 1 crc
ctl_err not_found 1 fpga load 0 nosuch
ctl fpga load 0
[ "$RC" -eq 2 ] || fail "hostlanectl fpga load 0: exit $RC, want 2 (usage): $OUT"
OUT=$(raw '{"cmd": "fpga load", "args": {"slot": 0}}')
echo "$OUT" | grep -q '"code":"bad_args"' || fail "no image: $OUT"
OUT=$(raw '{"cmd": "fpga load", "args": {"slot": -1, "image": "crc"}}')
echo "$OUT" | grep -q '"code":"bad_args"' || fail "slot -1: $OUT"
ctl_err bad_args 1 fpga load x crc
ctl_err bad_args 1 fpga load 0 crc timeout_ms=0
ctl_err bad_args 1 fpga load 0 crc timeout_ms=9000
ctl_err bad_args 1 fpga load 0 crc colour=red
alive

# An idle load: fibonacci and factorial without crc32c, then back.
ctl_ok --json fpga load 0 math
py_result 'r["image"] == "math" and r["functions"] == ["factorial", "fibonacci"] and r["lost"] == ["crc32c"]'
ctl_ok --json fn list
py_result '[f["placement"] for f in r if f["function"] in ("factorial", "crc32c")] == ["hw", "sw"]'
ctl_ok --json fpga load 0 full
py_result 'r["image"] == "full" and r["sessions"] == {"moved_to_software": 0, "unplaced": 0}'

# Live sessions across loads.
"$RC_BIN" "$RUN" gr "$CTL" live || { cat "$T/hostlane.log"; fail "reconf_check live"; }
alive
ctl_ok --json fpga list
py_result 'r[0]["image"] == "full" and r[0]["state"] == "ready"'
wait_for 5 no_sessions ||
	fail "sessions left after the guest closed: $("$CTL" session list)"
sessions_zero

# Drain timeout and busy; the image stays.
"$RC_BIN" "$RUN" gr "$CTL" timeout || { cat "$T/hostlane.log"; fail "reconf_check timeout"; }
alive
ctl_ok --json fpga list
py_result 'r[0]["image"] == "full" and r[0]["state"] == "ready" and len(r[0]["functions"]) == 3'
wait_for 5 no_sessions ||
	fail "sessions left after the timeout guest closed"
sessions_zero
hl_stop || fail "hostlane exit $? at the end"
pass "fpga load with live sessions, timeout, busy, bad requests"
