#!/usr/bin/env bash
# A real VM: QEMU/KVM with a vhost-user virtio-net device attached to
# hostlane's `channel = vhost` guest (hostlane is the vhost-user server, QEMU
# the client). The guest (guest.c) drives the device itself and runs a whole
# offload session — HELLO, factorial(20), fibonacci(93), BYE — then prints
# PASS or FAIL on the serial port and exits through isa-debug-exit. Two
# boots in a row: the second is a new connection of the same guest.
# Skips (77) when QEMU, qboot or /dev/kvm is missing, or KVM cannot run here.
. "$(dirname "$0")/../func/lib.sh"

GUEST=${HOSTLANE_VM_GUEST:-}
[ -n "$GUEST" ] && [ -f "$GUEST" ] ||
	skip "test guest not built (needs gcc with -m32 and ld -m elf_i386)"
QEMU=$(command -v qemu-system-x86_64) ||
	skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
QBOOT=/usr/share/qemu/qboot.rom
[ -f "$QBOOT" ] || skip "$QBOOT missing (package qemu-system-data)"
[ -e /dev/kvm ] || skip "/dev/kvm missing: no KVM on this machine"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "/dev/kvm not usable by $(id -un)"

# -cpu host alone aborts QEMU on nested (PVM) KVM: MSR 0x10a.
qemu_run() {
	timeout 60 "$QEMU" -enable-kvm -cpu host,-arch-capabilities -m 256 \
		-smp 1 -nographic -no-reboot -net none -bios "$QBOOT" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" \
		-kernel "$GUEST" < /dev/null
}

# Can KVM run here at all? Without a NIC the guest must say so and FAIL.
qemu_run > "$T/probe.serial" 2> "$T/probe.err"; rc=$?
grep -q "hostlane test guest" "$T/probe.serial" ||
	skip "KVM cannot run the test guest here (qemu exit $rc: $(head -c 300 "$T/probe.err" | tr '\n' ' '))"
grep -q "no virtio-net device" "$T/probe.serial" || fail "guest without a NIC did not say so"
[ "$rc" -eq 35 ] || fail "a failing guest must make QEMU exit 35, got $rc"
pass "KVM runs the test guest; its FAIL reaches the host"

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
for boot in 1 2; do
	qemu_run -object memory-backend-memfd,id=mem,size=256M,share=on \
		-numa node,memdev=mem \
		-chardev "socket,id=c0,path=$SOCK" \
		-netdev vhost-user,id=n0,chardev=c0 \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56 \
		> "$T/vm$boot.serial" 2> "$T/vm$boot.err"
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
	pass "boot $boot: offload session from a real VM over vhost-user"
done
hl_stop || fail "hostlane did not stop cleanly"
# The same vhost-user port carried ordinary traffic too: each boot's
# non-hostlane frame went through the PV switch to the uplink.
grep -Eq "pvswitch: port up:.* out_frames=[2-9]" "$T/hostlane.log" ||
	{ grep pvswitch "$T/hostlane.log"; fail "the guest's ordinary frames did not reach the uplink"; }
pass "networking and offload through one vhost-user port"
