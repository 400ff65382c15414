#!/usr/bin/env bash
# The embedded default starts, serves its demo guests' sockets, and shuts
# down cleanly on SIGTERM and SIGINT: exit 0, sockets unlinked.
. "$(dirname "$0")/lib.sh"

"$HL_BIN" --help | grep -q -- '--config FILE' || fail "--help lacks --config"
"$HL_BIN" -- --check-config | grep -q 'OK (2 guests, 1 ports)' ||
	fail "embedded default does not validate"
"$HL_BIN" -- --version | grep -q '^hostlane ' || fail "--version"

for sig in TERM INT; do
	hl_start
	for g in demo0 demo1; do
		[ -S "$T/run/$g.sock" ] || fail "no socket for $g"
	done
	[ "$(stat -c %a "$T/run/demo0.sock")" = 600 ] || fail "socket not owner-only"
	grep -q "port uplink0: net_null0" "$T/hostlane.log" || fail "uplink not opened"
	kill -"$sig" "$HL_PID"
	wait "$HL_PID"; rc=$?
	[ "$rc" -eq 0 ] || { cat "$T/hostlane.log"; fail "SIG$sig: exit $rc"; }
	[ ! -e "$T/run/demo0.sock" ] || fail "SIG$sig: socket left behind"
	grep -q "hostlane: stopped" "$T/hostlane.log" || fail "SIG$sig: no clean stop"
	pass "SIG$sig shuts down cleanly"
done

# A stale socket file from a crashed run is replaced; any other file is not.
mkdir -p "$T/run"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.bind(sys.argv[1])" "$T/run/demo0.sock"
hl_start
hl_stop || fail "restart over a stale socket"
pass "stale socket replaced"
echo "not a socket" > "$T/run/demo1.sock"
"$HL_BIN" --lcores '0@0,1@1' --no-pci $(eal_mem 256) -- --runtime-dir "$T/run" \
	> "$T/clash.log" 2>&1 && fail "started over a regular file"
grep -q "guest demo1: cannot open its channel" "$T/clash.log" || fail "no error for clash"
[ -f "$T/run/demo1.sock" ] || fail "regular file was removed"
pass "refuses to clobber a non-socket"
