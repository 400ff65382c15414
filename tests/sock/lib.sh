# shellcheck shell=bash
# Shared set-up for the socket tests: tests/func/lib.sh's helpers, a config
# with the guests sock_check.c assumes, and hostlanectl helpers.
#   sa: sockets, guest ports 40000-40099 bound as themselves, may reach
#       127.0.0.1 and ::1 ports 40000-40199;
#   sb: inet only, guest port 40300 behind host port 41000 (translation);
#   sc: max_sockets 4; sn: sockets = no; sd: as sa (a second, good guest).
# shellcheck source=../func/lib.sh
. "$(dirname "$0")/../func/lib.sh"

SC="$HOSTLANE_BUILD/tests/sock/sock_check"
[ -x "$SC" ] || fail "sock_check not built at $SC"
CTL="$HOSTLANE_BUILD/control/hostlanectl"
RUN="$T/run"

cat > "$T/test.conf" <<'CONF'
[hostlane]
mbufs = 16383
handshake_timeout_ms = 5000

[sockets]
workers = 1

[guest sa]
secret = sa-secret
handler = hostlane
sockets = yes
sock_bind_ports = 40000-40099
sock_host_ports = same
sock_connect = 127.0.0.1:40000-40199,[::1]:40000-40199

[guest sd]
secret = sd-secret
handler = hostlane
sockets = yes
sock_bind_ports = 40000-40099
sock_host_ports = same
sock_connect = 127.0.0.1:40000-40199,[::1]:40000-40199

[guest sb]
secret = sb-secret
handler = hostlane
sockets = yes
sock_families = inet
sock_bind_ports = 40300
sock_host_ports = 41000-41000
sock_connect = 127.0.0.1:40300

[guest sc]
secret = sc-secret
handler = hostlane
sockets = yes
max_sockets = 4

[guest sn]
secret = sn-secret
handler = hostlane
CONF

# sc_run PHASE: sock_check against this test's hostlane; fail if it fails.
sc_run() {
	"$SC" "$RUN" "$1" || fail "sock_check $1 (exit $?)"
}

ctl() { "$CTL" --socket "$RUN/control.sock" "$@" 2>&1; }
ctlj() { "$CTL" --socket "$RUN/control.sock" --json "$@" 2>&1; }

# hl_fds: hostlane's open file descriptors now.
hl_fds() { ls "/proc/$HL_PID/fd" | wc -l; }

# sockets_open GUEST: the guest's open sockets, as `socket list` says.
sockets_open() {
	local re='"open":([0-9]+)' out
	out=$(ctlj socket list "$1")
	[[ $out =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

# For wait_for, which runs its command again and again: a "$(...)" in its
# arguments would be expanded once, before the first try.
# sockets_gone GUEST: the guest has no socket open.
sockets_gone() { [ "$(sockets_open "$1")" = 0 ]; }
# fds_le N / fds_lt N: hostlane's fds are at most / below N.
fds_le() { [ "$(hl_fds)" -le "$1" ]; }
fds_lt() { [ "$(hl_fds)" -lt "$1" ]; }
