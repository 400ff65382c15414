#!/usr/bin/env bash
# Every control command through hostlanectl against the real binary: human
# output, --json, exit codes, per-command help, socket permissions.
. "$(dirname "$0")/ctl_lib.sh"

"$CTL" --help | grep -q 'guest add NAME \[key=value...\]' || fail "--help lacks commands"
"$CTL" guest add --help | grep -q 'max_sessions' || fail "guest add --help lacks keys"
"$CTL" > /dev/null 2>&1; [ $? -eq 2 ] || fail "no command: not exit 2"
ctl_err - 2 no such command
ctl_err - 2 --socket "$T/nowhere.sock" version
pass "usage errors exit 2"

ctl_start
[ "$(stat -c %a "$HOSTLANE_CONTROL")" = 600 ] || fail "control socket not 0600"

ctl_ok version;            echo "$OUT" | grep -q '^hostlane *0\.' || fail "version: $OUT"
ctl_ok --json version;     py_check "r['ok'] and r['result']['dpdk'].startswith('DPDK')"
ctl_ok help;               echo "$OUT" | grep -q 'session list \[GUEST\]' || fail "help: $OUT"
ctl_ok help guest add;     echo "$OUT" | grep -q 'max_region_size' || fail "help guest add: $OUT"
ctl_err unknown_command 1 help nosuch
ctl_ok guest list;         echo "$OUT" | grep -q '^demo0 *memif *listening *hostlane' || fail "guest list: $OUT"
ctl_ok --json guest list;  py_check "[g['name'] for g in r['result']] == ['demo0', 'demo1']"
ctl_ok guest show demo0;   echo "$OUT" | grep -q 'secret *set' || fail "guest show: $OUT"
echo "$OUT" | grep -q 'demo0-secret' && fail "guest show prints the secret"
ctl_err not_found 1 guest show nosuch
ctl_ok --json fn list
py_check "[f['function'] for f in r['result']] == ['echo', 'factorial', 'fibonacci', 'crc32c', 'sha256', 'aes-gcm', 'deflate', 'inflate'] and r['result'][1]['backends'][0]['backend'] == 'sw' and r['result'][4]['backend'] == 'cryptodev' and r['result'][6]['backend'] == 'compressdev' and r['result'][1]['placement'] == 'hw'"
ctl_ok session list;       echo "$OUT" | grep -q '(none)' || fail "session list: $OUT"
ctl_err not_found 1 session list nosuch
ctl_ok --json stats;       py_check "len(r['result']) == 2 and 'FN_CALL' in r['result'][0]['requests']"
ctl_ok --json stats demo0; py_check "r['result']['traffic']['rx_frames'] == 0 and 'PEER' in r['result']['disconnects']"
ctl_ok --json port list;   py_check "r['result'][0]['name'] == 'uplink0' and r['result'][0]['driver'] == 'net_null' and r['result'][0]['link'] == 'up'"
ctl_ok port list;          echo "$OUT" | grep -q '^uplink0 ' || fail "port list: $OUT"
ctl_ok --json config show
py_check "r['result']['hostlane']['control_socket'].endswith('/run/control.sock') and [g['secret'] for g in r['result']['guests']] == ['set', 'set'] and r['result']['ports'][0]['devargs'].startswith('net_null0')"
echo "$OUT" | grep -q 'secret"' || fail "config show has no secret field"
echo "$OUT" | grep -q 'demo[01]-secret' && fail "config show prints a secret"
ctl_ok log level 'pmd.net.null*' debug; echo "$OUT" | grep -q 'pmd.net.null' || fail "log level: $OUT"
ctl_ok log level hostlane 7
ctl_ok log level info;     echo "$OUT" | grep -q 'global' || fail "log level global: $OUT"
ctl_err not_found 1 log level 'nosuch.*' info
ctl_err bad_args 1 log level hostlane loud
ctl_ok metrics
echo "$OUT" | grep -q '^# TYPE hostlane_guest_rx_frames_total counter$' || fail "metrics: no TYPE"
echo "$OUT" | grep -q '^hostlane_guest_requests_total{guest="demo0",opcode="FN_CALL"} 0$' ||
	fail "metrics: no requests by opcode"
pass "every read command works"

# A guest's counters move when it is used.
"$DEMO" "$T/run/demo0.sock" demo0-secret > "$T/demo.log" 2>&1 || { cat "$T/demo.log"; fail "offload_demo"; }
ctl_ok --json stats demo0
py_check "r['result']['requests']['FN_CALL'] > 0 and r['result']['traffic']['rx_frames'] > 0 and r['result']['connections']['connects'] == 1"
ctl_ok metrics
echo "$OUT" | grep -Eq '^hostlane_guest_requests_total\{guest="demo0",opcode="FN_OPEN"\} [1-9]' ||
	fail "metrics: FN_OPEN not counted"
pass "stats and metrics count a guest's calls"

# Every hand-off message came back once the guest left; the mbuf pool is listed.
ctl_ok --json mempool list
py_check "(lambda p: p['hl_fnmsg']['in_use'] == 0 and p['hl_fnmsg']['size'] > 0 and p['hl_mbufs_0']['size'] > 0)({m['name']: m for m in r['result']})"
ctl_ok mempool list; echo "$OUT" | grep -q '^hl_mbufs_0 ' || fail "mempool list: $OUT"
pass "mempool list: pools with their sizes and use"

hl_stop || fail "hostlane exit status"
[ ! -e "$HOSTLANE_CONTROL" ] || fail "control socket left behind"
pass "control socket removed at shutdown"

# A group opens the socket to its members (0660); an unknown group is an error.
grp=$(getent group nogroup daemon | head -n 1 | cut -d: -f1)
if [ -n "$grp" ]; then
	ctl_conf "control_group=$grp"
	ctl_start --config "$T/ctl.conf"
	[ "$(stat -c %a:%G "$HOSTLANE_CONTROL")" = "660:$grp" ] ||
		fail "control socket with group: $(stat -c %a:%G "$HOSTLANE_CONTROL")"
	ctl_ok version
	hl_stop || fail "hostlane exit status"
	pass "control group: socket 0660, group $grp"
fi
ctl_conf control_group=no-such-group-hl
"$HL_BIN" --lcores '0@0,1@1' --no-pci $(eal_mem 256) --file-prefix "$PREFIX" \
	-- --runtime-dir "$T/run" --config "$T/ctl.conf" > "$T/nogroup.log" 2>&1 &&
	fail "started with an unknown control group"
grep -q "control: no group 'no-such-group-hl'" "$T/nogroup.log" || { cat "$T/nogroup.log"; fail "no error for the group"; }
pass "unknown control group refused at start"
