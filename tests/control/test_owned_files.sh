#!/usr/bin/env bash
# The files hostlane owns cannot be taken over or redirected: its sockets
# are compared by canonical path (guest add on the control socket or on
# another guest's socket in another spelling is refused), a socket someone
# listens on is never replaced (a second hostlane on the same runtime dir
# fails to start and takes nothing), a stale one is, every socket gets its
# socket_mode whatever the umask (vhost-user ones too), and the metrics
# writer never follows a symlink planted at its temporary file.
. "$(dirname "$0")/ctl_lib.sh"

ino() { stat -c %i "$1"; }

# listen_py PATH: another program listening on a seqpacket socket at PATH.
# Sets PY_PID once it listens.
listen_py() {
	python3 - "$1" <<'PY' > /dev/null 2>&1 &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1])
s.listen(4)
open(sys.argv[1] + ".ready", "w").close()
while True:
    s.accept()[0].close()
PY
	PY_PID=$!
	HL_PIDS+=("$PY_PID")
	wait_for 10 test -e "$1.ready" || fail "python listener did not start"
}

# second [hostlane args after --]: another hostlane on the same runtime dir;
# its output in $T/second.log, its exit status returned.
second() {
	# shellcheck disable=SC2046
	timeout 60 "$HL_BIN" --lcores '0@0,1@1' --no-pci $(eal_mem 256) \
		--file-prefix "${PREFIX}b" -- --runtime-dir "$T/run" "$@" \
		> "$T/second.log" 2>&1
}

ctl_start
ctl_ino=$(ino "$HOSTLANE_CONTROL")
d0_ino=$(ino "$T/run/demo0.sock")

# guest add on one of hostlane's own sockets, in any spelling: refused.
for sock in "$HOSTLANE_CONTROL" "$T/run/../run/control.sock" "$T/run//./control.sock"; do
	ctl_err bad_args 1 guest add x socket="$sock"
	echo "$OUT" | grep -q "is the same file as hostlane's control socket" ||
		fail "guest add socket=$sock: $OUT"
done
ctl_err bad_args 1 guest add x channel=vhost socket="$HOSTLANE_CONTROL"
ctl_err bad_args 1 guest add control
echo "$OUT" | grep -q "control socket" || fail "guest add control: $OUT"
ctl_err bad_args 1 guest add x socket="$T/run/x/../demo0.sock"
echo "$OUT" | grep -q "guest demo0's socket" || fail "guest add on demo0's: $OUT"
[ "$(ino "$HOSTLANE_CONTROL")" = "$ctl_ino" ] || fail "control socket replaced"
[ "$(ino "$T/run/demo0.sock")" = "$d0_ino" ] || fail "demo0's socket replaced"
ctl_ok version
ctl_ok --json guest list; py_check "[g['name'] for g in r['result']] == ['demo0', 'demo1']"
pass "guest add on hostlane's own sockets refused; the control socket works on"

# Someone else's live socket: refused, the listener named, nothing taken.
listen_py "$T/other.sock"
o_ino=$(ino "$T/other.sock")
ctl_err internal 1 guest add y socket="$T/other.sock"
echo "$OUT" | grep -q "Address already in use" || fail "guest add on a live socket: $OUT"
grep -q "guest y: $T/other.sock: in use by pid $PY_PID (python3)" "$T/hostlane.log" ||
	{ grep 'guest y' "$T/hostlane.log"; fail "the log does not name the listener"; }
[ "$(ino "$T/other.sock")" = "$o_ino" ] || fail "the live socket was replaced"
kill -0 "$PY_PID" || fail "listener gone"
# A regular file is never removed; a stale socket is replaced.
echo keep > "$T/file"
ctl_err internal 1 guest add z socket="$T/file"
grep -q "guest z: $T/file: exists and is not a socket; not removed" "$T/hostlane.log" ||
	fail "no reason logged for the regular file"
[ "$(cat "$T/file")" = keep ] || fail "the regular file was touched"
kill "$PY_PID"; wait "$PY_PID" 2>/dev/null
[ -S "$T/other.sock" ] || fail "expected the dead listener's stale socket"
ctl_ok guest add y socket="$T/other.sock" secret=y-secret handler=hostlane
"$DEMO" "$T/other.sock" y-secret > "$T/demo-y.log" 2>&1 ||
	{ cat "$T/demo-y.log"; fail "offload_demo on the socket that was stale"; }
pass "a live socket is refused and kept, a file kept, a stale socket replaced"

# A second hostlane on the same runtime dir: refused, takes nothing.
second && fail "a second hostlane started on the same runtime dir"
grep -q "$T/run/demo0.sock: in use by pid $HL_PID (hostlane)" "$T/second.log" ||
	{ cat "$T/second.log"; fail "the second hostlane does not say who holds demo0.sock"; }
printf '[guest other]\n' > "$T/other.conf"
second --config "$T/other.conf" && fail "a second hostlane with other guests started"
grep -q "control: $T/run/control.sock: in use by pid $HL_PID (hostlane)" "$T/second.log" ||
	{ cat "$T/second.log"; fail "the second hostlane does not say who holds control.sock"; }
[ "$(ino "$HOSTLANE_CONTROL")" = "$ctl_ino" ] || fail "control socket replaced"
[ "$(ino "$T/run/demo0.sock")" = "$d0_ino" ] || fail "demo0's socket replaced"
ctl_ok version
"$DEMO" "$T/run/demo0.sock" demo0-secret > "$T/demo.log" 2>&1 ||
	{ cat "$T/demo.log"; fail "offload_demo on demo0 after the second hostlane"; }
pass "a second hostlane on the same runtime dir refused; the first's sockets kept"

# After a crash the stale sockets are replaced.
kill -KILL "$HL_PID"; wait "$HL_PID" 2>/dev/null
[ -S "$HOSTLANE_CONTROL" ] || fail "expected the killed hostlane's stale control socket"
ctl_start
# The stale socket refuses connections: an answer comes from the new one.
wait_for 20 "$CTL" version > /dev/null 2>&1 || { cat "$T/hostlane.log"; fail "no control after a crash"; }
hl_stop || fail "hostlane exit status"
pass "stale sockets of a killed hostlane replaced"

# Under umask 000 every socket gets exactly its mode, vhost-user ones too; the
# runtime dir is created 0700 and the metrics file is 0644. A symlink planted
# at the metrics file's temporary never redirects the write.
rm -rf "$T/run"
mkdir -m 0755 "$T/metrics"
echo precious > "$T/victim"
ln -s "$T/victim" "$T/metrics/hostlane.prom.tmp"
cat > "$T/modes.conf" <<CONF
[hostlane]
metrics_file = $T/metrics/hostlane.prom
metrics_interval_ms = 100
[guest m]
socket_mode = 0640
[guest v]
channel = vhost
socket_mode = 0660
[guest v2]
channel = vhost
CONF
umask 000
ctl_start --config "$T/modes.conf"
umask 022
wait_for 10 test -S "$T/run/v2.sock" || fail "no vhost socket"
modes="$(stat -c %a "$T/run") $(stat -c %a "$T/run/m.sock") $(stat -c %a "$T/run/v.sock") $(stat -c %a "$T/run/v2.sock") $(stat -c %a "$HOSTLANE_CONTROL")"
[ "$modes" = "700 640 660 600 600" ] ||
	fail "modes under umask 000 (dir m v v2 control): $modes, want 700 640 660 600 600"
ctl_ok guest add v3 channel=vhost socket_mode=0604
wait_for 10 test -S "$T/run/v3.sock" || fail "no socket for v3"
[ "$(stat -c %a "$T/run/v3.sock")" = 604 ] || fail "v3 added at run time: $(stat -c %a "$T/run/v3.sock")"
pass "socket modes exact under umask 000 ($modes; vhost added at run time 604)"

wait_for 10 grep -q '^hostlane_guests ' "$T/metrics/hostlane.prom" ||
	{ cat "$T/hostlane.log"; fail "no metrics file"; }
[ "$(cat "$T/victim")" = precious ] || fail "the metrics writer followed the planted symlink"
[ ! -L "$T/metrics/hostlane.prom" ] || fail "the metrics file is a symlink"
[ "$(stat -c %a "$T/metrics/hostlane.prom")" = 644 ] ||
	fail "metrics file mode $(stat -c %a "$T/metrics/hostlane.prom") under umask 000"
hl_stop || fail "hostlane exit status"
pass "metrics tmp symlink: the target untouched, the file written 0644"

# A metrics directory others may write in is refused at start.
chmod 0777 "$T/metrics"
ctl_conf "metrics_file=$T/metrics/hostlane.prom"
second --config "$T/ctl.conf" && fail "started with a world-writable metrics dir"
grep -q "directory $T/metrics: writable by others (mode 0777) and not sticky; refused" \
	"$T/second.log" || { cat "$T/second.log"; fail "no reason for the metrics dir"; }
pass "a metrics directory writable by others refused"
