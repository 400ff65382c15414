# shellcheck shell=bash
# Shared by the real-VM tests: the test guest, QEMU and qboot (a skip only
# when QEMU or its firmware is not installed), and the accelerator. KVM is
# used when it works here, TCG otherwise - decided by trying: a probe VM
# (the guest without a NIC, which must report that and FAIL) is booted
# under KVM; if /dev/kvm is missing or the probe does not come out right,
# the same probe must work under TCG. The choice and why are printed.
# HOSTLANE_VM_ACCEL=tcg skips KVM (for trying the TCG path by hand).
# Sourced after tests/func/lib.sh.
# QEMU options have commas; NIC, VM_ACCEL and qemu_run's arguments are the
# sourcing tests' to use:
# shellcheck disable=SC2054,SC2034,SC2120

GUEST=${HOSTLANE_VM_GUEST:-}
[ -n "$GUEST" ] && [ -f "$GUEST" ] ||
	skip "test guest not built (needs gcc with -m32 and ld -m elf_i386)"
QEMU=$(command -v qemu-system-x86_64) ||
	skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
QBOOT=/usr/share/qemu/qboot.rom
[ -f "$QBOOT" ] || skip "$QBOOT missing (package qemu-system-data)"

# The accelerator's QEMU arguments, set by vm_pick_accel.
ACCEL=()

# qemu_args: the machine, the accelerator, and the test guest.
# -cpu host alone aborts QEMU on nested (PVM) KVM: MSR 0x10a.
qemu_args() {
	QEMU_ARGS=("${ACCEL[@]}" -m 256 -smp 1 -nographic -no-reboot -net none
		-bios "$QBOOT" -device isa-debug-exit,iobase=0xf4,iosize=0x04
		-kernel "$GUEST")
}

# qemu_run ARGS...: boot the guest in the foreground, bounded.
qemu_run() {
	qemu_args
	timeout 120 "$QEMU" "${QEMU_ARGS[@]}" "$@" < /dev/null
}

# The QEMU arguments of a vhost-user NIC on socket $1 ($2: chardev options
# such as server=on,wait=off): guest memory shared with the backend.
vhost_nic() {
	NIC=(-object memory-backend-memfd,id=mem,size=256M,share=on
		-numa node,memdev=mem
		-chardev "socket,id=c0,path=$1${2:+,$2}"
		-netdev vhost-user,id=n0,chardev=c0
		-device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56)
}

# probe NAME: the probe VM under ACCEL; 0 if it reported the missing NIC
# and FAILed (QEMU exit 35). Its serial output and stderr in $T/NAME.*.
probe() {
	qemu_run > "$T/$1.serial" 2> "$T/$1.err"
	PROBE_RC=$?
	grep -q "no virtio-net device" "$T/$1.serial" && [ "$PROBE_RC" -eq 35 ]
}

# Why the probe NAME did not come out right, in one line.
probe_why() {
	echo "qemu exit $PROBE_RC: $(cat "$T/$1.serial" "$T/$1.err" | tr -s '\n' ' ' | head -c 300)"
}

vm_pick_accel() {
	local why
	if [ "${HOSTLANE_VM_ACCEL:-}" = tcg ]; then
		why="HOSTLANE_VM_ACCEL=tcg"
	elif [ ! -e /dev/kvm ]; then
		why="/dev/kvm missing"
	else
		ACCEL=(-enable-kvm -cpu host,-arch-capabilities)
		if probe probe-kvm; then
			VM_ACCEL=kvm
			echo "accelerator: kvm (a probe VM ran under KVM)"
			return
		fi
		why="/dev/kvm unusable: the probe VM under KVM failed ($(probe_why probe-kvm))"
	fi
	ACCEL=(-accel tcg -cpu max)
	probe probe-tcg || fail "the probe VM failed under TCG too: $(probe_why probe-tcg)"
	VM_ACCEL=tcg
	echo "accelerator: tcg ($why)"
}
