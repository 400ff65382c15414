#!/usr/bin/env bash
# VirtFun's table: factorial(51) and fibonacci(93), a fixed total of
# repetitions split as repetitions × invocations, timed as Host-Host (a
# native call, and the same job through the software backend's time
# slices), Guest-Host from a process (libhostlane → memif → hostlane),
# Guest-Host from a real VM (QEMU, vhost-user) and Guest-Net (TCP loopback
# to bench/rpc_server); the domains' order rotates from run to run.
#
# Usage: bench/virtfun.sh [--quick] [--runs N] [--total N] [--cols N,N,...]
#                         [--fn NAME] [--gn busy|blocking]
#                         [--vm auto|kvm|tcg|no] [--vm-max-inv N]
#                         [--build DIR] [--out FILE] [--raw FILE]
#                         [--wait-idle S] [--retries N] [--keep-logs]
#
# The guests (bench/virtfun's process, the VM's vCPU) run on core 0;
# hostlane's I/O lcore and the RPC server on core 1, and so do the
# Host-Host kernels: every domain's work runs on core 1. Each server is
# resumed (SIGCONT) only for its own domain's turn and stopped (SIGSTOP)
# otherwise, so no poller shares a core with the domain being timed;
# hostlane's main lcore sleeps on core 0. hostlane runs the default config
# (config/hostlane.conf: fpga = sim) plus a vhost-user guest for the VM;
# both functions are opened with HL_PLACE_SW and checked to be activated on
# software, so the simulated accelerator is never used. The VM row needs
# qemu-system-x86_64 and qboot: KVM when it can run the guest here, else
# TCG (the guest's code translated, not run natively: that row's per-call
# cost is then an upper bound); KVM only when it runs the guest's code at
# native speed (it does not on nested PVM KVM). --vm-max-inv N stops the
# VM row at N invocations.
# Exit status: 0 done, 1 a run failed, 2 bad usage, 77 missing pieces.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

runs=5
total=5000000
cols=1,10,100,1000,10000,100000,1000000
fns=()
gn=busy
build=${HOSTLANE_BUILD:-$src/build}
out=
raw=
vm=auto
vm_max_inv=
wait_idle=2
retries=2
keep_logs=0
quick=0
client_cpu=0
server_cpu=1

usage() { sed -n '9,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; runs=2; total=1000000; cols=1,10,100,1000,10000
		retries=0; wait_idle=0.3 ;;
	--runs) runs=${2:?}; shift ;;
	--total) total=${2:?}; shift ;;
	--cols) cols=${2:?}; shift ;;
	--fn) fns+=(--fn "${2:?}"); shift ;;
	--gn) gn=${2:?}; shift ;;
	--vm) vm=${2:?}; shift ;;
	--vm-max-inv) vm_max_inv=${2:?}; shift ;;
	--build) build=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--raw) raw=${2:?}; shift ;;
	--wait-idle) wait_idle=${2:?}; shift ;;
	--retries) retries=${2:?}; shift ;;
	--keep-logs) keep_logs=1 ;;
	-h|--help) usage ;;
	*) echo "virtfun: unknown option $1" >&2; usage ;;
	esac
	shift
done
case $gn in busy|blocking) ;; *) echo "virtfun: --gn busy|blocking" >&2; exit 2 ;; esac
case $vm in auto|kvm|tcg|no) ;; *) echo "virtfun: --vm auto|kvm|tcg|no" >&2; exit 2 ;; esac
# Results of single runs go to the build tree; bench/results/ holds only
# what bench/run writes from a full run of a committed head.
: "${out:=$build/bench-results/virtfun.md}"

for f in dataplane/hostlane bench/virtfun bench/rpc_server; do
	[ -x "$build/$f" ] || { echo "virtfun: SKIP: $build/$f not built" >&2; exit 77; }
done
[ "$(nproc)" -ge 2 ] || { echo "virtfun: SKIP: needs 2 CPUs" >&2; exit 77; }
command -v taskset >/dev/null || { echo "virtfun: SKIP: no taskset" >&2; exit 77; }
command -v python3 >/dev/null || { echo "virtfun: SKIP: no python3" >&2; exit 77; }

work=$(mktemp -d /tmp/virtfun.XXXXXX)
pids=()

# Stopped servers must be resumed to see the TERM. QEMU (started with
# exec) is one of them.
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "$keep_logs" = 1 ]; then
		echo "virtfun: logs kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "virtfun: $*" >&2; keep_logs=1; exit 1; }

# Private copies: other people rebuild the tree while this runs.
mkdir -p "$work/lib"
cp "$build/dataplane/hostlane" "$build/bench/virtfun" "$build/bench/rpc_server" "$work/" ||
	die "cannot copy the binaries"
[ -f "$build/bench/virtfun_vm.elf" ] && cp "$build/bench/virtfun_vm.elf" "$work/"
find "$build/guestlib" -maxdepth 1 -name 'libhostlane.so*' ! -type d -exec cp -P {} "$work/lib/" \;
[ -e "$work/lib/libhostlane.so" ] || die "cannot copy libhostlane"
export LD_LIBRARY_PATH=$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$src" diff --quiet HEAD -- dataplane guestlib fpga bench ':!bench/results' 2>/dev/null || rev="$rev+dirty"
# shellcheck disable=SC2207
eal_mem=($(bash "$src/scripts/eal-mem.sh" 256))

rpc_args=()
[ "$gn" = busy ] && rpc_args=(--busy)
taskset -c "$server_cpu" "$work/rpc_server" "$work/rpc.port" --cpu "$server_cpu" "${rpc_args[@]}" \
	</dev/null >"$work/rpc.log" 2>&1 &
rpc_pid=$!
pids+=("$rpc_pid")

# ---- the VM: KVM if it runs the guest here, else TCG ----

qemu=$(command -v qemu-system-x86_64)
qboot=/usr/share/qemu/qboot.rom
vm_why=
vm_accel=()
vm_kind=
if [ "$vm" = no ]; then
	vm_why="--vm no"
elif [ -z "$qemu" ]; then
	vm_why="qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
elif [ ! -f "$qboot" ]; then
	vm_why="$qboot missing (package qemu-system-data)"
elif [ ! -f "$work/virtfun_vm.elf" ]; then
	vm_why="bench/virtfun_vm.elf not built (needs gcc -m32, as tests/vm)"
fi

# vm_probe ACCEL...: does QEMU boot the guest with these options, and how
# fast does it run it? Without a NIC the guest says who it is and how many
# TSC ticks an empty loop took, fails and exits. Sets vm_speed (ticks per
# iteration).
vm_probe() {
	vm_speed=
	timeout 60 "$qemu" "$@" -m 64 -smp 1 -nographic -no-reboot -net none \
		-bios "$qboot" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$work/virtfun_vm.elf" </dev/null >"$work/probe.out" 2>"$work/probe.err"
	grep -q "virtfun vm guest" "$work/probe.out" || return 1
	vm_speed=$(awk '/^speed / { printf "%d", $2 / $5 }' "$work/probe.out")
	[ -n "$vm_speed" ]
}
# A KVM that emulates the guest instruction by instruction (nested PVM KVM
# does so with this 32-bit guest without paging: thousands of ticks per
# iteration) would time its emulator, not a VM: TCG then, which translates
# the guest's code and runs it at a few ticks per iteration.
vm_native=50
if [ -z "$vm_why" ]; then
	# -cpu host alone aborts QEMU on nested (PVM) KVM: MSR 0x10a.
	kvm_why="/dev/kvm missing or not usable"
	if [ "$vm" != tcg ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		if ! vm_probe -enable-kvm -cpu host,-arch-capabilities; then
			kvm_why="KVM cannot run the guest ($(head -c 200 "$work/probe.err" | tr '\n' ' '))"
		elif [ "$vm_speed" -gt "$vm_native" ]; then
			kvm_why="KVM emulates the guest: $vm_speed TSC ticks per loop iteration"
		else
			vm_accel=(-enable-kvm -cpu host,-arch-capabilities)
			vm_kind=kvm
		fi
	fi
	if [ -n "$vm_kind" ]; then
		:
	elif [ "$vm" = kvm ]; then
		vm_why=$kvm_why
	elif vm_probe -accel tcg -cpu max; then
		vm_accel=(-accel tcg -cpu max)
		vm_kind=tcg
		[ "$vm" = tcg ] && kvm_why="--vm tcg"
		echo "virtfun: the VM row runs under TCG ($kvm_why)" >&2
	else
		vm_why="QEMU cannot boot the guest ($(head -c 200 "$work/probe.err" | tr '\n' ' '))"
	fi
fi
[ -n "$vm_why" ] && echo "virtfun: no VM row: $vm_why" >&2

# The default config, and the VM's vhost-user guest beside the memif ones
# (present whether a VM runs or not: the I/O lcore polls the same ports).
# No watchdog: hostlane is stopped for other domains' turns, and its I/O
# lcore would be found stuck when it resumes.
sed 's/^\[hostlane\]$/&\nwatchdog_ms = 0/' "$src/config/hostlane.conf" >"$work/virtfun.conf" &&
	grep -q '^watchdog_ms = 0' "$work/virtfun.conf" || die "cannot read config/hostlane.conf"
cat >>"$work/virtfun.conf" <<'CONF'

[guest vm0]
channel = vhost
vhost_client = no
handler = hostlane
functions = factorial, fibonacci
CONF

mkdir -p "$work/hl"
"$work/hostlane" --lcores "0@$client_cpu,1@$server_cpu" --no-pci "${eal_mem[@]}" \
	-- --runtime-dir "$work/hl" --config "$work/virtfun.conf" </dev/null >"$work/hostlane.log" 2>&1 &
hl_pid=$!
pids+=("$hl_pid")
for _ in $(seq 200); do
	[ -S "$work/hl/demo0.sock" ] && grep -q "hostlane: running" "$work/hostlane.log" &&
		[ -s "$work/rpc.port" ] && break
	kill -0 "$hl_pid" 2>/dev/null || break
	sleep 0.1
done
[ -s "$work/rpc.port" ] || die "rpc_server did not start: $(cat "$work/rpc.log")"
grep -q "hostlane: running" "$work/hostlane.log" || { tail -20 "$work/hostlane.log" >&2; die "hostlane did not start"; }

# The VM on the guest core: guest memory shared with hostlane (vhost-user),
# its serial port a socket bench/virtfun drives it through.
vm_args=()
if [ "${#vm_accel[@]}" -gt 0 ]; then
	taskset -c "$client_cpu" "$qemu" "${vm_accel[@]}" -m 256 -smp 1 -nographic -no-reboot \
		-net none -bios "$qboot" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
		-chardev "socket,id=c0,path=$work/hl/vm0.sock" -netdev vhost-user,id=n0,chardev=c0 \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56 \
		-chardev "socket,id=ser0,path=$work/vm.serial,server=on,wait=off" \
		-serial chardev:ser0 -monitor none -display none \
		-kernel "$work/virtfun_vm.elf" </dev/null >"$work/qemu.log" 2>&1 &
	vm_pid=$!
	pids+=("$vm_pid")
	for _ in $(seq 300); do
		[ -S "$work/vm.serial" ] && grep -q "guest vm0: link up" "$work/hostlane.log" && break
		kill -0 "$vm_pid" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "guest vm0: link up" "$work/hostlane.log" ||
		{ cat "$work/qemu.log" >&2; die "the VM did not bring its NIC up"; }
	vm_args=(--vm-serial "$work/vm.serial" --vm-pid "$vm_pid")
	[ -n "$vm_max_inv" ] && vm_args+=(--vm-max-inv "$vm_max_inv")
fi

ncols=$(echo "$cols" | tr ',' '\n' | wc -l)
nfns=$(( ${#fns[@]} > 0 ? ${#fns[@]} / 2 : 2 ))
echo "virtfun: ${nfns} function(s) × $ncols columns ($cols invocations) × $runs runs of HH HS GH${vm_kind:+ GV} GN;" \
	"total $total repetitions per cell ($(awk -v t="$total" 'BEGIN { printf "1/%g", 500e6 / t }') of the paper's 500M);" \
	"GN = TCP loopback, $gn; hostlane $rev, EAL ${eal_mem[*]}" >&2

rawf=$work/virtfun.raw
{
	echo "INFO rev $rev"
	echo "INFO eal ${eal_mem[*]}"
	echo "INFO quick $quick"
	echo "INFO cols $cols"
	if [ "${#vm_accel[@]}" -gt 0 ]; then
		echo "INFO vm $vm_kind $vm_speed ticks per loop iteration; $($qemu --version | head -1)"
		[ "$vm_kind" = tcg ] && echo "INFO vm_why_tcg $kvm_why"
	else
		echo "INFO novm $vm_why"
	fi
} >"$rawf"
t0=$(date +%s)
taskset -c "$client_cpu" "$work/virtfun" --hostlane "$work/hl/demo0.sock" demo0-secret \
	--hl-pid "$hl_pid" --rpc-port "$(cat "$work/rpc.port")" --rpc-pid "$rpc_pid" \
	${rpc_args[@]+"${rpc_args[@]}"} ${fns[@]+"${fns[@]}"} --total "$total" --cols "$cols" \
	--runs "$runs" --retries "$retries" --wait-idle "$wait_idle" \
	${vm_args[@]+"${vm_args[@]}"} >>"$rawf" ||
	{ tail -20 "$work/hostlane.log" >&2; die "the client failed"; }
echo "INFO elapsed_s $(( $(date +%s) - t0 ))" >>"$rawf"
[ -n "$raw" ] && { mkdir -p "$(dirname "$raw")"; cp "$rawf" "$raw"; }
mkdir -p "$(dirname "$out")"
python3 "$here/report.py" --virtfun "$rawf" --section virtfun --md "$out" ||
	die "report failed"
echo "virtfun: table written to $out" >&2
exit 0
