#!/usr/bin/env bash
# The control socket refuses the users it should. hostlanectl runs as
# `nobody` (setpriv: uid nobody, its own gid, no other group unless given):
#  - default config: the socket is 0600 in the 0700 runtime dir hostlane
#    creates: refused, "Permission denied", exit 2;
#  - a runtime dir others may search (0711, which hostlane accepts): the
#    socket's own 0600 refuses, the same way;
#  - control_group = a group this test creates (groupadd; groupdel at exit):
#    the runtime dir is created 0750 and the socket 0660 with that group;
#    nobody as a member of the group (a supplementary group) is served,
#    nobody without it refused - by the directory, and (in a 0711 dir) by
#    the socket.
# Each refusal leaves hostlane serving its own user. The kernel does the
# refusing (connect() needs write permission on the socket and search
# permission on its directories), so nothing reaches hostlane.
. "$(dirname "$0")/ctl_lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (to run as nobody, and groupadd)"
command -v setpriv > /dev/null || skip "setpriv not installed (util-linux)"
command -v groupadd > /dev/null || skip "groupadd not installed (passwd)"
NOBODY_GID=$(id -g nobody 2>/dev/null) || skip "no user nobody"
# nobody must reach $T (mktemp made it 0700) and run hostlanectl.
chmod 0711 "$T"
setpriv --reuid=nobody --regid="$NOBODY_GID" --clear-groups "$CTL" --help \
	> /dev/null 2>&1 || skip "nobody cannot run $CTL (build dir not open to others)"

GRP="hlctl$$"
groupadd "$GRP" || fail "groupadd $GRP"
trap 'cleanup; rm -rf "/var/run/dpdk/$PREFIX"; groupdel "$GRP"' EXIT

# as_nobody SETPRIV-GROUP-ARG CMD...: hostlanectl CMD as nobody; $OUT, $RC.
as_nobody() {
	local groups=$1; shift
	OUT=$(setpriv --reuid=nobody --regid="$NOBODY_GID" "$groups" "$CTL" "$@" 2>&1)
	RC=$?
}

# refused WHY: nobody without the group gets "Permission denied", exit 2.
refused() {
	as_nobody --clear-groups version
	[ "$RC" -eq 2 ] || fail "$1: nobody: exit $RC, not 2: $OUT"
	[ "$OUT" = "hostlanectl: cannot connect to $HOSTLANE_CONTROL: Permission denied" ] ||
		fail "$1: nobody: '$OUT'"
	ctl_ok version
}

# modes DIR-MODE SOCKET-MODE: of the runtime dir and the socket, as %a:%G.
modes() {
	[ "$(stat -c %a:%G "$T/run")" = "$1" ] || fail "runtime dir $(stat -c %a:%G "$T/run"), want $1"
	[ "$(stat -c %a:%G "$HOSTLANE_CONTROL")" = "$2" ] ||
		fail "control socket $(stat -c %a:%G "$HOSTLANE_CONTROL"), want $2"
}

# The socket is there for nobody to see: a refusal is the socket's own.
nobody_sees_socket() {
	setpriv --reuid=nobody --regid="$NOBODY_GID" --clear-groups test -S "$HOSTLANE_CONTROL" ||
		fail "nobody cannot even see the socket: the directory refused, not the socket"
}

root=$(id -gn)
ctl_start
modes "700:$root" "600:$root"
refused "0600 socket in a 0700 dir"
hl_stop || fail "hostlane exit status"
pass "nobody refused by the default runtime dir and socket: Permission denied, exit 2"

rm -rf "$T/run"
mkdir -m 0711 "$T/run"
ctl_start
modes "711:$root" "600:$root"
nobody_sees_socket
refused "0600 socket in a 0711 dir"
hl_stop || fail "hostlane exit status"
pass "nobody refused by the socket's own 0600"

ctl_conf "control_group=$GRP"
rm -rf "$T/run"
ctl_start --config "$T/ctl.conf"
modes "750:$GRP" "660:$GRP"
as_nobody "--groups=$GRP" --json guest list
[ "$RC" -eq 0 ] || fail "nobody in $GRP: exit $RC: $OUT"
py_check "r['ok'] and [g['name'] for g in r['result']] == ['demo0', 'demo1']"
refused "control_group, nobody not in it"
hl_stop || fail "hostlane exit status"
pass "control_group $GRP: dir 0750, socket 0660; a member served, a non-member refused"

rm -rf "$T/run"
mkdir -m 0711 "$T/run"
ctl_start --config "$T/ctl.conf"
modes "711:$root" "660:$GRP"
nobody_sees_socket
as_nobody "--groups=$GRP" version
[ "$RC" -eq 0 ] && echo "$OUT" | grep -q "^hostlane " || fail "nobody in $GRP: exit $RC: $OUT"
refused "control_group socket in a 0711 dir, nobody not in the group"
hl_stop || fail "hostlane exit status"
pass "control_group $GRP: the socket's own 0660 refuses a non-member"
