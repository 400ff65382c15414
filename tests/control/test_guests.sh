#!/usr/bin/env bash
# Guests added and removed at run time: a libhostlane client uses a guest
# added through hostlanectl; removing a guest with live sessions releases
# them and the client's next call fails cleanly.
. "$(dirname "$0")/ctl_lib.sh"

ctl_start

# Bad keys and values are refused with the config file's own checks.
ctl_err bad_args 1 guest add g1 max_sessions=0
echo "$OUT" | grep -q 'max_sessions' || fail "no key named: $OUT"
ctl_err bad_args 1 guest add g1 nosuch=1
ctl_err bad_args 1 guest add g1 max_inflight=many
ctl_err bad_args 1 guest add g1 functions=nosuch
ctl_err bad_args 1 guest add g1 socket=relative.sock
ctl_err bad_args 1 guest add 'bad/name'
ctl_err exists 1 guest add demo0
ctl_err bad_args 1 guest add g1 socket="$T/run/demo0.sock"
ctl_err not_found 1 guest remove nosuch
ctl_ok guest list; echo "$OUT" | grep -q '^g1 ' && fail "a refused guest was added"
pass "bad guest add refused"

# Add at run time; a client connects and calls.
ctl_ok --json guest add g1 secret=g1-secret handler=hostlane functions=factorial,crc32c,echo \
	max_sessions=4 max_inflight=64 max_region_size=64M socket_mode=0660
py_check "r['result']['name'] == 'g1' and r['result']['max_region_size'] == 64 << 20 and r['result']['secret'] == 'set' and r['result']['socket_mode'] == '0660'"
[ -S "$T/run/g1.sock" ] || fail "no socket for g1"
[ "$(stat -c %a "$T/run/g1.sock")" = 660 ] || fail "g1 socket mode not 0660"
ctl_ok --json config show; py_check "[g['name'] for g in r['result']['guests']] == ['demo0', 'demo1', 'g1']"
"$DEMO" "$T/run/g1.sock" g1-secret > "$T/demo.log" 2>&1 &&
	fail "offload_demo used fibonacci, which g1 may not"
grep -q 'fibonacci' "$T/demo.log" || { cat "$T/demo.log"; fail "offload_demo: no fibonacci refusal"; }
ctl_ok --json stats g1; py_check "r['result']['connections']['connects'] == 1 and r['result']['errors']['E_PERM'] >= 1"
ctl_ok guest add g2 secret=g2-secret handler=hostlane max_sessions=8
"$DEMO" "$T/run/g2.sock" g2-secret > "$T/demo2.log" 2>&1 || { cat "$T/demo2.log"; fail "offload_demo on g2"; }
grep -q 'all functions released' "$T/demo2.log" || fail "offload_demo on g2 did not finish"
pass "guest added at run time serves a libhostlane client"

# Sessions are listed while held; removal releases them.
holder_start hold "$T/run/g2.sock" g2-secret 3
# Placed where fn list says (hardware with the simulated unit, else software).
ctl_ok --json fn list
where=$(python3 -c "import json,sys; f=json.loads(sys.argv[1])['result'][1]; print(f['placement'], f['backend'])" "$OUT")
ctl_ok --json session list g2
py_check "len(r['result']) == 3 and all(s['function'] == 'factorial' and s['state'] == 'active' and s['placement'] + ' ' + s['backend'] == '$where' for s in r['result'])"
ctl_ok session list; echo "$OUT" | grep -q '^g2 *0x' || fail "session list: $OUT"
ctl_ok --json guest show g2; py_check "r['result']['sessions'] == 3 and r['result']['state'] == 'connected' and len(r['result']['session_list']) == 3"
# NUMA: the node of a connected guest's memory, and each lcore's socket;
# on a one-node machine both are 0 (docs/ARCHITECTURE.md, "NUMA placement").
nodes=$(find /sys/devices/system/node -maxdepth 1 -name 'node[0-9]*' 2>/dev/null | wc -l)
want="(n is None) if $nodes == 0 else (n == 0) if $nodes == 1 else (isinstance(n, int) and 0 <= n < $nodes)"
ctl_ok --json guest show g2; py_check "(lambda n: $want)(r['result']['numa_node'])"
ctl_ok --json stats g2; py_check "(lambda n: $want)(r['result']['numa_node'])"
ctl_ok --json guest list
py_check "all(g['numa_node'] is None for g in r['result'] if g['state'] == 'listening')"
ctl_ok --json lcore list
py_check "all((l['socket'] == 0) if $nodes <= 1 else (0 <= l['socket'] < $nodes) for l in r['result'])"
pass "numa_node of a connected guest, socket of each lcore"
ctl_ok --json fn list; py_check "r['result'][1]['sessions'] == 3"
ctl_ok --json guest remove g2; py_check "r['result']['sessions_released'] == 3"
ctl_ok --json session list; py_check "r['result'] == []"
ctl_ok --json fn list; py_check "all(f['sessions'] == 0 for f in r['result'])"
ctl_err not_found 1 guest show g2
[ ! -e "$T/run/g2.sock" ] || fail "g2's socket left behind"
holder_go
echo "$HOLD_LINE" | grep -q '^after: HL_E_' || fail "holder's call after removal: $HOLD_LINE"
[ "$HOLD_RC" -eq 0 ] || fail "holder exit $HOLD_RC ($HOLD_LINE)"
pass "remove with live sessions: released, client fails cleanly ($HOLD_LINE)"

# The name and the slot can be used again.
ctl_ok guest add g2 secret=g2-secret handler=hostlane
"$DEMO" "$T/run/g2.sock" g2-secret > "$T/demo3.log" 2>&1 || { cat "$T/demo3.log"; fail "offload_demo on g2 again"; }
ctl_ok guest remove g1
ctl_ok --json guest list; py_check "[g['name'] for g in r['result']] == ['demo0', 'demo1', 'g2']"
pass "a removed guest's name is reusable"

hl_stop || fail "hostlane exit status"
