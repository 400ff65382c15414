# shellcheck shell=bash
# Shared by the move tests (test_move*.sh): tests/func/lib.sh, the soak
# client and hostlanectl, and the control helpers they all use.
. "$(dirname "$0")/lib.sh"

SOAK="$HOSTLANE_BUILD/tests/func/move_soak"
CTL="$HOSTLANE_BUILD/control/hostlanectl"
[ -x "$SOAK" ] || fail "move_soak not built at $SOAK"

ctl() { "$CTL" --socket "$T/run/control.sock" "$@" 2>&1; }
ctlj() { "$CTL" --socket "$T/run/control.sock" --json "$@" 2>&1; }
# py EXPR: EXPR of r, the "result" of the JSON reply on stdin.
py() { python3 -c "import json, sys; r = json.load(sys.stdin)['result']; print($1)"; }
# lcore_of GUEST: the I/O lcore that polls it.
lcore_of() { ctlj guest list | py "[g['lcore'] for g in r if g['name'] == '$1'][0]"; }
