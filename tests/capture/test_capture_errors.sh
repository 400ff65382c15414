#!/usr/bin/env bash
# capture start refuses what it must, each with a clear error and nothing
# created or touched: a filter libpcap cannot compile, an unknown guest or
# port, a name that is both (until prefixed), a relative path, a file that
# exists or a symlink planted at the path (never followed), a directory
# others may write in, hostlane's runtime directory and its control socket,
# a snaplen out of range, a second capture of one target. Ports can be
# captured too.
. "$(dirname "$0")/lib.sh"

cap_conf
ctl_start --config "$T/cap.conf"

ctl_err bad_args 1 capture start demo1 "$T/x.pcapng" filter='ether hots 1.2.3.4'
echo "$OUT" | grep -q "filter 'ether hots 1.2.3.4': .*syntax error" || fail "bad filter: $OUT"
ctl_err not_found 1 capture start nosuch "$T/x.pcapng"
echo "$OUT" | grep -q "no guest or port 'nosuch'" || fail "unknown guest: $OUT"
ctl_err not_found 1 capture start port:demo1 "$T/x.pcapng"
ctl_err bad_args 1 capture start demo1 x.pcapng
echo "$OUT" | grep -q "not an absolute path" || fail "relative path: $OUT"
ctl_err bad_args 1 capture start demo1 "$T/x.pcapng" snaplen=5
ctl_err bad_args 1 capture start demo1 "$T/x.pcapng" snaplen=70000
[ ! -e "$T/x.pcapng" ] || fail "a refused capture left a file"
pass "bad filter, unknown target, relative path, bad snaplen: refused"

echo precious > "$T/exists"
ctl_err bad_args 1 capture start demo1 "$T/exists"
echo "$OUT" | grep -q "File exists (hostlane never overwrites" || fail "existing file: $OUT"
echo precious > "$T/victim"
ln -s "$T/victim" "$T/link.pcapng"
ctl_err bad_args 1 capture start demo1 "$T/link.pcapng"
[ "$(cat "$T/victim")" = precious ] || fail "the symlink was followed"
mkdir -m 0777 "$T/open"
ctl_err bad_args 1 capture start demo1 "$T/open/x.pcapng"
echo "$OUT" | grep -q "writable by others" || fail "open directory: $OUT"
ctl_err bad_args 1 capture start demo1 "$T/run/x.pcapng"
echo "$OUT" | grep -q "runtime directory" || fail "runtime dir: $OUT"
ctl_err bad_args 1 capture start demo1 "$T/run/../run/control.sock"
echo "$OUT" | grep -q "control socket" || fail "control socket: $OUT"
[ -S "$T/run/control.sock" ] || fail "the control socket was touched"
pass "existing file, symlink, open directory, runtime dir, control socket: refused"

ctl_ok capture start demo1 "$T/a.pcapng"
ctl_err exists 1 capture start guest:demo1 "$T/b.pcapng"
[ ! -e "$T/b.pcapng" ] || fail "a refused capture left a file"
# A guest named like the port: the bare name is ambiguous.
ctl_ok guest add uplink0 secret=s handler=echo
ctl_err bad_args 1 capture start uplink0 "$T/p.pcapng"
echo "$OUT" | grep -q "is a guest and a port" || fail "ambiguous: $OUT"
ctl_ok --json capture start port:uplink0 "$T/p.pcapng"
py_result "r['target'] == 'port:uplink0'"
ctl_ok --json port list
py_result "r[0]['capture']['target'] == 'port:uplink0'"
ctl_ok --json capture list
py_result "sorted(c['target'] for c in r) == ['guest:demo1', 'port:uplink0']"
ctl_ok --json capture stop
py_result "sorted(r['stopped']) == ['guest:demo1', 'port:uplink0']"
wait_for 20 cap_gone port:uplink0 || fail "port capture did not end"
pcheck "$T/p.pcapng" frames=0 if_name=port:uplink0 isb=yes
pass "one capture per target; ports by name, guest:/port: prefixes"

# At shutdown a running capture's file is finished.
ctl_ok capture start demo0 "$T/z.pcapng"
hl_stop || fail "hostlane exit $?"
pcheck "$T/z.pcapng" frames=0 isb=yes
grep -q "capture guest:demo0: ended (hostlane stopping)" "$T/hostlane.log" || fail "no end line at shutdown"
pass "shutdown closes a running capture's file"
