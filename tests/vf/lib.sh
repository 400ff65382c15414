# Helpers for the dedicated-VF test and benchmark: vf_wire (the guest and
# the wire, memif servers standing in for the uplink and the VFs) and
# vf_host (the dataplane driving the "dedicated" actuator). Sourced after
# tests/func/lib.sh (T, HL_PIDS, wait_for, eal_mem, fail, skip).
VF_HOST="$HOSTLANE_BUILD/tests/vf/vf_host"
VF_WIRE="$HOSTLANE_BUILD/tests/vf/vf_wire"
VF_G=52:54:00:00:10:01		# the guest's MAC (configured: enforced)
VF_W=02:aa:00:00:10:01		# the station behind the wire
# memif rings (set by each ring's client): 16384 slots of 128 B, so the
# wire may be off its CPU for a second (this machine is shared) before a
# ring fills and frames are dropped for that, not for a switch.
VF_RING="rsize=14,bsize=128"

# DPDK leaves a runtime directory per file prefix, --in-memory or not.
trap 'cleanup; rm -rf "/var/run/dpdk/hl-wire-$$" "/var/run/dpdk/hl-host-$$" "/var/run/dpdk/hl-vfctl-$$"' EXIT

# vf_need: skip unless the machine can run them.
vf_need() {
	tm_need_pmd net_memif
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	[ -x "$VF_HOST" ] && [ -x "$VF_WIRE" ] || fail "vf_host/vf_wire not built"
}

# vf_conf FILE: hostlane's config: the uplink (a memif client of the
# wire's server) and guest g0, a memif guest with the hostlane handler.
vf_conf() {
	cat > "$1" <<CONF
[hostlane]
mbufs = 16383
mac_aging_s = 300
; The machine is shared: an I/O lcore descheduled for a second must not
; end the guest's connection here (the watchdog has its own tests).
watchdog_ms = 0
[port up]
devargs = net_memif_up,$VF_RING,role=client,socket=$T/up.sock,socket-abstract=no
[guest g0]
channel = memif
secret = g0-secret
handler = hostlane
mac = $VF_G
max_ring_size = 16384
CONF
}

# vf_devargs K: hostlane's devargs for VF stand-in K.
vf_devargs() {
	echo "net_memif_vf$1,$VF_RING,role=client,socket=$T/vf$1.sock,socket-abstract=no"
}

# vf_wire_start NVFS ARGS...: the wire with NVFS VF ports, vf_wire options
# ARGS, on core 0; output in $T/wire.log. Sets WIRE_PID. VF_WIRE_MEM
# overrides its EAL memory options.
vf_wire_start() {
	local n=$1 vdevs=(); shift
	# net_memif checks the guest socket's directory when it probes;
	# hostlane accepts it as its runtime directory (owner-only).
	mkdir -p -m 0700 "$T/run"
	vdevs+=(--vdev "net_memif_guest,$VF_RING,role=client,socket=$T/run/g0.sock,socket-abstract=no,secret=g0-secret")
	vdevs+=(--vdev "net_memif_up,role=server,socket=$T/up.sock,socket-abstract=no")
	for k in $(seq 0 $((n - 1))); do
		vdevs+=(--vdev "net_memif_vf$k,role=server,socket=$T/vf$k.sock,socket-abstract=no")
	done
	# A log left by an earlier wire must not answer the wait below.
	rm -f "$T/wire.log"
	# shellcheck disable=SC2046
	"$VF_WIRE" --lcores '0@0' --no-pci ${VF_WIRE_MEM:-$(eal_mem 256)} \
		--file-prefix "hl-wire-$$" --log-level=pmd.net.memif:critical \
		"${vdevs[@]}" -- --guest-mac "$VF_G" --wire-mac "$VF_W" "$@" \
		> "$T/wire.log" 2>&1 < /dev/null &
	WIRE_PID=$!
	HL_PIDS+=("$WIRE_PID")
	wait_for 20 grep -q "^vf_wire: [0-9]* ports" "$T/wire.log" ||
		{ cat "$T/wire.log"; fail "vf_wire did not start"; }
}

# vf_host_start NVFS ARGS...: the dataplane with guest g0 and NVFS memif
# VF stand-ins (more with --vf in ARGS), vf_host options ARGS; main lcore
# on core 0, I/O lcore on core 1; output in $T/host.log. Sets HOST_PID.
vf_host_start() {
	local n=$1 vfs=(); shift
	for k in $(seq 0 $((n - 1))); do vfs+=(--vf "$(vf_devargs "$k")"); done
	vf_conf "$T/vf.conf"
	rm -f "$T/host.log"	# as for the wire's log
	# shellcheck disable=SC2046
	"$VF_HOST" --lcores '0@0,1@1' --no-pci $(eal_mem 256) \
		--file-prefix "hl-host-$$" --log-level=pmd.net.memif:critical -- \
		--config "$T/vf.conf" --runtime-dir "$T/run" --guest g0 "${vfs[@]}" \
		"$@" > "$T/host.log" 2>&1 < /dev/null &
	HOST_PID=$!
	HL_PIDS+=("$HOST_PID")
	wait_for 20 grep -q "vf_host: running" "$T/host.log" ||
		{ cat "$T/host.log"; fail "vf_host did not start"; }
}

# vf_stop PID: SIGTERM and wait; returns its exit status.
vf_stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1"
}

# vf_finish WIRE HOST: the wire's verdict, then hostlane stops, then the
# wire closes its ports (a memif port must not be polled while its peer
# leaves). Sets WIRE_RC and HOST_RC.
vf_finish() {
	kill -TERM "$1" 2>/dev/null
	wait_for 60 grep -q "^req:" "$T/wire.log" || { tail -5 "$T/wire.log"; fail "no verdict from the wire"; }
	vf_stop "$2"; HOST_RC=$?
	vf_stop "$1"; WIRE_RC=$?
}

# vf_us LOG WHAT: the microsecond figures of every "switch" line's WHAT
# ("on the VF after", "on the PV path after", "removed after"), one a line.
vf_us() { grep "^switch " "$1" | grep -o "$2 [0-9]* us" | awk '{print $(NF-1)}'; }
