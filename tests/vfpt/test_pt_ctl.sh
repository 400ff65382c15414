#!/usr/bin/env bash
# mode = passthrough through hostlane and hostlanectl: the allocator, the
# passthrough actuator and a real QEMU (q35, -S, native PCIe hotplug on a
# pcie-root-port, an e1000e standing in for the VF; KVM when QEMU can use
# it, else TCG). `vf assign` → device_add → the device in QEMU; `vf
# release` → device_del → DEVICE_DELETED → the VF free again; a guest that
# never acknowledges (its slot powered by system_reset) keeps its VF and
# `vf log` says why; QEMU killed: the release fails, the VF stays booked.
. "$(dirname "$0")/../control/ctl_lib.sh"

QEMU=$(command -v qemu-system-x86_64) ||
	skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"

# qmp SOCKET CMD [ARGS-JSON]: one command on the test's own QMP socket; the
# "return" as JSON in $OUT. Waits (bounded) for QEMU to listen.
qmp() {
	OUT=$(python3 - "$@" <<'PY'
import json, socket, sys, time
path, cmd = sys.argv[1], sys.argv[2]
args = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
end = time.time() + 20
while True:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        break
    except (ConnectionRefusedError, FileNotFoundError):
        s.close()
        if time.time() > end:
            sys.exit("QMP %s: never listened" % path)
        time.sleep(0.05)
s.settimeout(20)
f = s.makefile("rw")
json.loads(f.readline())
for c, a in (("qmp_capabilities", None), (cmd, args)):
    m = {"execute": c}
    if a is not None:
        m["arguments"] = a
    f.write(json.dumps(m) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "event" not in r:
            break
    if "error" in r:
        sys.exit("QMP %s: %s" % (c, r["error"]))
print(json.dumps(r["return"]))
PY
) || fail "qmp $2 failed: $OUT"
}

# peripheral ID: QEMU's type for /machine/peripheral/ID, "" if none.
peripheral() {
	qmp "$T/ctl-qmp.sock" qom-list '{"path": "/machine/peripheral"}'
	python3 -c "import json,sys; print(''.join(e['type'] for e in json.loads(sys.argv[1]) if e['name'] == sys.argv[2]))" "$OUT" "$1"
}

vf_is() {
	"$CTL" --json vf show "$1" 2>/dev/null | python3 -c \
		"import json,sys; r=json.load(sys.stdin); sys.exit(0 if r['result']['state'] == sys.argv[1] else 1)" "$2"
}
# vf_wait GUEST STATE [SECONDS]: it gets there in time.
vf_wait() {
	wait_for "${3:-20}" vf_is "$1" "$2" ||
		fail "guest $1 never reached VF state $2: $("$CTL" vf show "$1" 2>&1)"
}

"$QEMU" -nodefaults -display none -S -machine q35 -accel kvm -accel tcg -m 64 \
	-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off \
	-device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x2 \
	-qmp "unix:$T/qmp.sock,server=on,wait=off" \
	-qmp "unix:$T/ctl-qmp.sock,server=on,wait=off" \
	< /dev/null > /dev/null 2> "$T/qemu.err" &
QEMU_PID=$!
HL_PIDS+=("$QEMU_PID")
qmp "$T/ctl-qmp.sock" query-kvm
echo "QEMU accelerator: $(python3 -c "import json,sys; print('kvm' if json.loads(sys.argv[1])['enabled'] else 'tcg')" "$OUT")"

ctl_conf
sed -i "s|^\[guest demo0\]\$|[guest demo0]\nvf = eligible\nqmp = $T/qmp.sock\nqmp_standby = net0|" "$T/ctl.conf"
printf '\n[vf]\nmode = passthrough\npolicy = manual\ninterval_ms = 100\nmin_hold_ms = 0\nvf_pool = net_null20,no-rx=1\\;net_null21,no-rx=1\npassthrough_driver = e1000e\npassthrough_bus = rp1\nunplug_timeout_ms = 3000\n' >> "$T/ctl.conf"
ctl_start --config "$T/ctl.conf"
vf_wait demo0 none

ctl_ok --json vf list
py_result "r['mode'] == 'passthrough'"
ctl_ok --json vf assign demo0
py_result "r['guest'] == 'demo0' and r['vf'] == 'pool/0' and r['state'] in ('assigning', 'held')"
vf_wait demo0 held
[ "$(peripheral hl-vf-demo0)" = "child<e1000e>" ] ||
	fail "after vf assign, QEMU's hl-vf-demo0 is '$(peripheral hl-vf-demo0)'"
pass "vf assign: device_add, the device is in QEMU"

ctl_ok vf release demo0
vf_wait demo0 none
[ -z "$(peripheral hl-vf-demo0)" ] || fail "after vf release, hl-vf-demo0 is still in QEMU"
ctl_ok --json vf list
py_result "r['vfs_held'] == 0"
pass "vf release: device_del, DEVICE_DELETED, the VF free"

# The slot powered (as a guest would) and nobody answering its button.
ctl_ok vf assign demo0
vf_wait demo0 held
qmp "$T/ctl-qmp.sock" system_reset
ctl_ok vf release demo0
vf_wait demo0 revoking 5
vf_wait demo0 held
ctl_ok --json vf log count=50
py_result "any(e['what'] == 'failed' and e['guest'] == 'demo0' and 'no DEVICE_DELETED for hl-vf-demo0 in 3000 ms' in e['reason'] and e['reason'].endswith('the guest keeps the VF') for e in r)"
[ "$(peripheral hl-vf-demo0)" = "child<e1000e>" ] || fail "the device left anyway"
ctl_ok --json vf list
py_result "r['vfs_held'] == 1 and [v['holder'] for v in r['vfs']].count('demo0') == 1"
pass "a guest that never acknowledges keeps its VF; vf log says why"

# QEMU killed: the release fails, the VF stays booked, hostlane goes on.
kill -KILL "$QEMU_PID"
wait "$QEMU_PID" 2>/dev/null
ctl vf release demo0
[ "$RC" -eq 1 ] && echo "$OUT" | grep -q "QMP $T/qmp.sock: connect: Connection refused" ||
	fail "vf release with QEMU gone: exit $RC: $OUT"
echo "$OUT"
vf_wait demo0 held
ctl_ok --json vf list
py_result "r['vfs_held'] == 1"
pass "QEMU killed: the release fails with the reason, the VF stays booked"

hl_stop || fail "hostlane exit status"
grep 'vf:' "$T/hostlane.log" | tail -n 8
