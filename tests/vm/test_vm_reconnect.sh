#!/usr/bin/env bash
# vhost-user reconnects with a real VM: hostlane is the vhost-user client
# (vhost_client = yes), QEMU the server (-chardev ...,server=on,wait=off),
# the test guest (guest.c) in loop mode calling factorial(20) over and over.
#  1. QEMU killed (SIGKILL, calls in flight) and booted again, three times,
#     under a live hostlane: every time vm0 goes back to no connection, no
#     session, no call in flight and nothing in the function manager's
#     books, and hostlane's fd and mapping counts to what they were after
#     the first time. Then a guest that resets its device 40 times in a
#     row, each reset a new connection (HELLO, factorial opened and left
#     open, called): every one must work and be counted, and leave nothing
#     behind - also under TCG when KVM was chosen, as TCG's resets come
#     faster than hostlane's link tick. Then a whole clean session.
#  2. hostlane stopped and started again three times (SIGTERM, SIGKILL,
#     SIGTERM) under a live VM: the guest sees its link go down, the call in
#     flight fails once with that reason, and when hostlane is back (it
#     reconnects to QEMU's socket) the guest says HELLO again and its calls
#     resume; it PASSes after the third outage.
# KVM when it works here, TCG otherwise (vm_lib.sh says which).
. "$(dirname "$0")/../func/lib.sh"
. "$(dirname "$0")/vm_lib.sh"
. "$(dirname "$0")/../vhost/lib.sh"

vm_pick_accel
SOCK="$T/qemu/vm0.sock"
mkdir -p "$T/qemu"
vhost_conf yes "$SOCK"
vhost_nic "$SOCK" server=on,wait=off

# vm_bg NAME ARGS...: the guest in the background, serial output in
# $T/NAME.serial; sets QEMU_PID (QEMU's own). QEMU, as vhost-user server,
# waits for hostlane before the guest runs. A QEMU killed leaves its socket.
vm_bg() {
	local name=$1; shift
	rm -f "$SOCK"
	qemu_args
	"$QEMU" "${QEMU_ARGS[@]}" "${NIC[@]}" "$@" < /dev/null \
		> "$T/$name.serial" 2> "$T/$name.err" &
	QEMU_PID=$!
	HL_PIDS+=("$QEMU_PID")
}

# vm_says NAME TEXT: the guest printed TEXT (a bounded wait, cut short if
# QEMU ends).
vm_says() {
	said() { grep -q "$2" "$T/$1.serial" || ! kill -0 "$QEMU_PID" 2>/dev/null; }
	wait_for 60 said "$1" "$2" && grep -q "$2" "$T/$1.serial" || {
		cat "$T/$1.serial" "$T/$1.err"
		tail -20 "$T/hostlane.log"
		fail "$1: the guest did not say '$2'"
	}
}

# vm_end NAME: the guest PASSed and QEMU exited 33.
vm_end() {
	local rc
	wait "$QEMU_PID"; rc=$?
	echo "--- $1: serial port (qemu exit $rc)"
	cat "$T/$1.serial"
	[ -s "$T/$1.err" ] && { echo "--- qemu stderr"; cat "$T/$1.err"; }
	grep -qx PASS "$T/$1.serial" && [ "$rc" -eq 33 ] || fail "$1: the guest did not PASS"
}

# --- 1. QEMU restarted under a live hostlane ----------------------------------
hl_up
for cycle in 1 2 3; do
	vm_bg "kill-$cycle" -append loop=1000
	vm_says "kill-$cycle" "session 1: 100 calls ok"
	guest_busy || fail "cycle $cycle: vm0 not connected with a session"
	kill -KILL "$QEMU_PID"
	wait "$QEMU_PID" 2>/dev/null
	wait_for 20 guest_idle ||
		{ "$CTL" guest show vm0; fail "cycle $cycle: vm0 not back to idle"; }
	[ "$(links down)" -eq "$cycle" ] || fail "cycle $cycle: link downs $(links down)"
	if [ "$cycle" -eq 1 ]; then leak_base; else leak_check "cycle $cycle"; fi
done
accels=("$VM_ACCEL")
[ "$VM_ACCEL" = tcg ] || accels+=(tcg)
for acc in "${accels[@]}"; do
	c0=$(gconn connects) d0=$(gconn disconnects)
	saved=("${ACCEL[@]}")
	[ "$acc" = tcg ] && ACCEL=(-accel tcg -cpu max)
	vm_bg "resets-$acc" -append resets=40
	ACCEL=("${saved[@]}")
	vm_end "resets-$acc"
	grep -q "connection 40: factorial(20) ok" "$T/resets-$acc.serial" ||
		fail "resets ($acc): not 40 connections"
	wait_for 20 guest_idle || fail "resets ($acc): vm0 not back to idle"
	[ "$(gconn connects)" -eq $((c0 + 40)) ] && [ "$(gconn disconnects)" -eq $((d0 + 40)) ] ||
		fail "resets ($acc): $(($(gconn connects) - c0)) connects and $(($(gconn disconnects) - d0)) disconnects counted, want 40"
	leak_check "after 40 resets ($acc)"
	pass "a guest resetting its device 40 times ($acc): 40 connections, each with its own sessions"
done
vm_bg clean
vm_end clean
grep -q "factorial(20) = 2432902008176640000 ok" "$T/clean.serial" ||
	fail "clean boot: factorial(20)"
wait_for 20 guest_idle || fail "vm0 not idle after a clean session"
leak_check "after a clean session"
hl_down TERM
pass "QEMU ($VM_ACCEL) killed 3 times under hostlane and back: nothing left behind"

# --- 2. hostlane restarted under a live VM -------------------------------------
vm_bg restart -append loop=3
hl_up
vm_says restart "session 1: 100 calls ok"
n=1
for sig in TERM KILL TERM; do
	hl_down "$sig"
	vm_says restart "outage $n: link down"
	hl_up
	n=$((n + 1))
	vm_says restart "session $n: 100 calls ok"
	pass "hostlane SIG$sig'ed and started again under a live VM: the guest's calls resumed"
done
vm_end restart
if grep " failed: " "$T/restart.serial" | grep -v "failed: the link went down"; then
	fail "a request failed for another reason than its link going down"
fi
failed=$(grep -c " failed: " "$T/restart.serial")
[ "$failed" -le 3 ] || fail "$failed requests failed in 3 outages"
grep -q "BYE; outages 3, failed requests $failed, sessions 4" "$T/restart.serial" ||
	fail "the guest's tally is not 3 outages and 4 sessions"
wait_for 20 guest_idle || fail "vm0 not idle after the guest's BYE"
hl_down TERM
pass "3 hostlane restarts under a VM ($VM_ACCEL): $failed requests in flight failed once, clearly"
