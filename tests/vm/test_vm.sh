#!/usr/bin/env bash
# A real VM: QEMU with a vhost-user virtio-net device attached to hostlane's
# `channel = vhost` guest (hostlane is the vhost-user server, QEMU the
# client). The guest (guest.c) drives the device itself and runs a whole
# offload session - HELLO, factorial(20), fibonacci(93), BYE - then prints
# PASS or FAIL on the serial port and exits through isa-debug-exit. Two
# boots in a row: the second is a new connection of the same guest.
# KVM when it works here, TCG otherwise (vm_lib.sh; the output says which);
# skips (77) only when QEMU or qboot is not installed.
# HOSTLANE_VM_HIDE_KVM=1: run in a mount namespace where /dev/kvm is
# /dev/null - there but unusable - to prove the fallback to TCG.
if [ "${HOSTLANE_VM_HIDE_KVM:-}" = 1 ] && [ -e /dev/kvm ] &&
	[ -z "${HOSTLANE_VM_KVM_HIDDEN:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: hiding /dev/kvm needs root"; exit 77; }
	export HOSTLANE_VM_KVM_HIDDEN=1
	exec unshare -m sh -c 'mount --bind /dev/null /dev/kvm && exec "$0"' "$0"
fi
. "$(dirname "$0")/../func/lib.sh"
. "$(dirname "$0")/vm_lib.sh"

# KVM if a probe VM runs under it, else TCG; the probe guest has no NIC and
# must say so and FAIL, so a FAIL reaches the host (QEMU exit 35).
vm_pick_accel
if [ -n "${HOSTLANE_VM_KVM_HIDDEN:-}" ] && [ "$VM_ACCEL" != tcg ]; then
	fail "/dev/kvm is /dev/null here, yet KVM was chosen"
fi
pass "the test guest runs under $VM_ACCEL; its FAIL reaches the host"

SOCK="$T/run/vm0.sock"
mkdir -p "$T/run"
cat > "$T/vm.conf" <<CONF
[hostlane]
mbufs = 16383

; An uplink, so the guest's ordinary frame has somewhere to be switched to.
[port up]
devargs = net_null0,no-rx=1

[guest vm0]
channel = vhost
socket = $SOCK
vhost_client = no
handler = hostlane
functions = all
CONF
hl_start --config "$T/vm.conf"
wait_for 10 test -S "$SOCK" || fail "no vhost-user socket at $SOCK"

# Guest memory must be shared with the vhost-user backend.
vhost_nic "$SOCK"
for boot in 1 2; do
	qemu_run "${NIC[@]}" > "$T/vm$boot.serial" 2> "$T/vm$boot.err"
	rc=$?
	echo "--- boot $boot: serial port (qemu exit $rc)"
	cat "$T/vm$boot.serial"
	[ -s "$T/vm$boot.err" ] && { echo "--- qemu stderr"; cat "$T/vm$boot.err"; }
	grep -q "HELLO: host 02:68:6c" "$T/vm$boot.serial" || fail "boot $boot: no HELLO reply"
	grep -q "factorial(20) = 2432902008176640000 ok" "$T/vm$boot.serial" ||
		fail "boot $boot: factorial(20)"
	grep -q "fibonacci(93) = 12200160415121876738 ok" "$T/vm$boot.serial" ||
		fail "boot $boot: fibonacci(93)"
	grep -qx "PASS" "$T/vm$boot.serial" || fail "boot $boot: the guest did not PASS"
	[ "$rc" -eq 33 ] || fail "boot $boot: QEMU exit $rc, want 33 (PASS)"
	downs() { [ "$(grep -c "guest vm0: link down" "$T/hostlane.log")" -ge "$boot" ]; }
	wait_for 10 downs || fail "boot $boot: hostlane did not see the VM go"
	pass "boot $boot: offload session from a real VM ($VM_ACCEL) over vhost-user"
done
hl_stop || fail "hostlane did not stop cleanly"
# The same vhost-user port carried ordinary traffic too: each boot's
# non-hostlane frame went through the PV switch to the uplink.
grep -Eq "pvswitch: port up:.* out_frames=[2-9]" "$T/hostlane.log" ||
	{ grep pvswitch "$T/hostlane.log"; fail "the guest's ordinary frames did not reach the uplink"; }
pass "networking and offload through one vhost-user port"
