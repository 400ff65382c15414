#!/usr/bin/env bash
# PV switch rate: 64 B frames from a virtio_user testpmd (txonly) through a
# vhost-user port to a net_null uplink. A: hostlane's PV switch. B:
# dpdk-testpmd forwarding vhost → null itself (io). C (when Debian's
# openvswitch-switch-dpdk is installed): OVS-DPDK, one OpenFlow rule in→out.
#
# Usage: bench/pvswitch.sh [--quick] [--pairs N] [--secs S] [--warmup W]
#                          [--hostlane PATH] [--out FILE] [--no-ovs] [--keep-logs]
#
# The forwarder polls on core 1, the generator on core 0, every main lcore
# sleeps on core 0. The machine is bimodal (docs/performance.md), so runs
# alternate, each round starting one forwarder later than the one before
# (A B C, B C A, C A B, …), and only ratios within one round are compared.
# A run during which other processes used >= 10% of the CPUs (/proc/stat,
# less the generator's and the forwarder's time) marks its round
# contended: the round is run again (at most --pairs times in all); one
# still contended stays in the table but out of the medians.
# Exit status: 0 done, 1 a run moved no frames, 2 bad usage, 77 missing
# tools.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

pairs=5
secs=6
warmup=2
hostlane_bin=${HOSTLANE_BIN:-${HOSTLANE_BUILD:-$src/build}/dataplane/hostlane}
out=
keep_logs=0
ovs=auto
GEN_MAC=52:54:00:00:00:01
PEER_MAC=02:aa:00:00:00:01	# behind the uplink: never learned (null sends nothing)
OVS_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk

usage() { sed -n '7,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "pvswitch: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) pairs=2; secs=3; warmup=1 ;;
	--pairs) pairs=${2:?}; shift ;;
	--secs) secs=${2:?}; shift ;;
	--warmup) warmup=${2:?}; shift ;;
	--hostlane) hostlane_bin=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--no-ovs) ovs=no ;;
	--keep-logs) keep_logs=1 ;;
	-h|--help) usage ;;
	*) echo "pvswitch: unknown option $1" >&2; usage ;;
	esac
	shift
done
# Results of single runs go to the build tree; bench/results/ holds only
# what bench/run writes from a full run of a committed head.
: "${out:=$(dirname "$(dirname "$hostlane_bin")")/bench-results/pvswitch.md}"

command -v dpdk-testpmd >/dev/null || { echo "pvswitch: SKIP: no dpdk-testpmd" >&2; exit 77; }
[ -x "$hostlane_bin" ] || { echo "pvswitch: SKIP: no hostlane binary at $hostlane_bin" >&2; exit 77; }
[ "$(nproc)" -ge 2 ] || { echo "pvswitch: SKIP: needs 2 CPUs" >&2; exit 77; }
ovs_why=""
if [ "$ovs" = auto ]; then
	if [ ! -x "$OVS_VSWITCHD" ] || ! command -v ovsdb-server >/dev/null; then
		ovs_why="openvswitch-switch-dpdk is not installed"
	elif ! ip netns add "hlbench$$" 2>/dev/null; then
		ovs_why="cannot create a network namespace for its bridge port"
	else
		ip netns del "hlbench$$"
	fi
	[ -n "$ovs_why" ] && ovs=no || ovs=yes
else
	ovs_why="--no-ovs"
fi

work=$(mktemp -d /tmp/pvswitch-bench.XXXXXX)
pids=()
ovs_ns=""
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	ovs_stop
	if [ "$keep_logs" = 1 ]; then echo "pvswitch: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cp "$hostlane_bin" "$work/hostlane" || die "cannot copy $hostlane_bin"
rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$src" diff --quiet HEAD -- dataplane 2>/dev/null || rev="$rev+dirty"
mem=$(bash "$src/scripts/eal-mem.sh" 256)

stop_pid() {
	local pid=$1 sig=$2 i keep=() p
	kill "-$sig" "$pid" 2>/dev/null
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for p in "${pids[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
	pids=("${keep[@]}")
}

# "busy total" jiffies of the whole machine.
cpu_jiffies() {
	awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}

# CPU jiffies of the processes given (all their threads), summed.
procs_jiffies() {
	local p n=0 j
	for p in "$@"; do
		j=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
		n=$((n + ${j:-0}))
	done
	echo "$n"
}

wait_file() {
	local f=$1 i
	for i in $(seq 200); do [ -e "$f" ] && return 0; sleep 0.1; done
	return 1
}

# ---- forwarders ------------------------------------------------------------

start_hostlane() {
	local d=$1
	cat > "$d/pvs.conf" <<CONF
[port up0]
devargs = net_null0,no-rx=1
[guest vm0]
channel = vhost
handler = switch
mac = $GEN_MAC
CONF
	# shellcheck disable=SC2086
	"$work/hostlane" --lcores '0@0,1@1' --no-pci $mem -- --runtime-dir "$d" \
		--config "$d/pvs.conf" </dev/null >"$d/fwd.log" 2>&1 &
	fwd_pid=$!
	pids+=("$fwd_pid")
	sock=$d/vm0.sock
	gen_server=0
	wait_file "$sock"
}

start_testpmd() {
	local d=$1
	sock=$d/vhost.sock
	# shellcheck disable=SC2086
	stdbuf -oL dpdk-testpmd --lcores '0@0,1@1' --main-lcore 0 --no-pci $mem \
		--vdev "net_vhost0,iface=$sock,queues=1" --vdev net_null0,no-rx=1 \
		-- --total-num-mbufs=16384 --forward-mode=io --stats-period 1 \
		</dev/null >"$d/fwd.log" 2>&1 &
	fwd_pid=$!
	pids+=("$fwd_pid")
	gen_server=0
	wait_file "$sock"
}

ovs_ctl() { ovs-vsctl --db="unix:$ovs_dir/db.sock" --timeout=20 "$@"; }

# OVS-DPDK as BENCH-NOTES describes, its bridge port inside a namespace of
# ours; the vhost-user port is a client, so the generator is the server.
start_ovs() {
	local d=$1
	ovs_dir=$d/ovs
	ovs_ns=hlbench$$
	mkdir -p "$ovs_dir"
	sock=$d/vhu.sock
	gen_server=1
	ip netns add "$ovs_ns" || return 1
	ovsdb-tool create "$ovs_dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
	OVS_RUNDIR=$ovs_dir ovsdb-server "$ovs_dir/conf.db" --remote="punix:$ovs_dir/db.sock" \
		--pidfile="$ovs_dir/ovsdb.pid" --unixctl="$ovs_dir/ovsdb.ctl" \
		--log-file="$ovs_dir/ovsdb.log" --detach --no-chdir || return 1
	ovs_ctl --no-wait init
	ovs_ctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		other_config:dpdk-socket-mem=64 other_config:dpdk-socket-limit=64 \
		other_config:pmd-cpu-mask=0x2 other_config:dpdk-lcore-mask=0x1 \
		"other_config:dpdk-extra=--file-prefix=hlovs$$ --no-pci"
	OVS_RUNDIR=$ovs_dir ip netns exec "$ovs_ns" "$OVS_VSWITCHD" \
		"unix:$ovs_dir/db.sock" --pidfile="$ovs_dir/vswitchd.pid" \
		--unixctl="$ovs_dir/vswitchd.ctl" --log-file="$ovs_dir/vswitchd.log" \
		-vconsole:off --detach --no-chdir || return 1
	ovs_ctl add-br br0 -- set bridge br0 datapath_type=netdev || return 1
	ovs_ctl add-port br0 null0 -- set Interface null0 type=dpdk \
		options:dpdk-devargs=net_null0,no-rx=1 || return 1
	fwd_pid=""
}

# After the generator is up (OVS connects to it).
ovs_connect() {
	ovs_ctl add-port br0 vhu0 -- set Interface vhu0 type=dpdkvhostuserclient \
		"options:vhost-server-path=$sock" || return 1
	OVS_RUNDIR=$ovs_dir ovs-ofctl del-flows br0 &&
		OVS_RUNDIR=$ovs_dir ovs-ofctl add-flow br0 in_port=vhu0,actions=output:null0
}

ovs_stop() {
	local f
	[ -n "$ovs_ns" ] || return 0
	for f in vswitchd ovsdb; do
		[ -f "$ovs_dir/$f.pid" ] && kill -TERM "$(cat "$ovs_dir/$f.pid")" 2>/dev/null
	done
	sleep 1
	for f in vswitchd ovsdb; do
		[ -f "$ovs_dir/$f.pid" ] && kill -KILL "$(cat "$ovs_dir/$f.pid")" 2>/dev/null
	done
	ip netns del "$ovs_ns" 2>/dev/null
	ovs_ns=""
}

# ---- the generator -----------------------------------------------------------

# run_gen DIR: txonly 64 B frames for warm-up + secs readings of Tx-pps.
run_gen() {
	local d=$1 want=$((warmup + secs + 2)) t=0 srv=""
	[ "$gen_server" = 1 ] && srv=",server=1"
	stdbuf -oL dpdk-testpmd --lcores '0@1,1@0' --main-lcore 0 --no-pci \
		--no-huge --no-shconf -m 256 --file-prefix "hlgen$$" \
		--vdev "virtio_user0,path=$sock,mac=$GEN_MAC,queues=1$srv" \
		-- --total-num-mbufs=16384 --forward-mode=txonly --txpkts=64 \
		--eth-peer=0,$PEER_MAC --stats-period 1 </dev/null >"$d/gen.log" 2>&1 &
	gen_pid=$!
	pids+=("$gen_pid")
	if [ "$gen_server" = 1 ]; then
		wait_file "$sock" && ovs_connect >>"$d/ovs.log" 2>&1 || return 1
	fi
	local fwd=("$gen_pid") b0 t0 b1 t1 j0 j1
	if [ "$gen_server" = 1 ]; then
		fwd+=("$(cat "$ovs_dir/vswitchd.pid" 2>/dev/null)" "$(cat "$ovs_dir/ovsdb.pid" 2>/dev/null)")
	else
		fwd+=("$fwd_pid")
	fi
	read -r b0 t0 < <(cpu_jiffies)
	j0=$(procs_jiffies "${fwd[@]}")
	while c=$(grep -a -c 'Tx-pps:' "$d/gen.log" 2>/dev/null); [ "${c:-0}" -lt "$want" ]; do
		kill -0 "$gen_pid" 2>/dev/null || break
		[ "$t" -ge $(( (want + 30) * 5 )) ] && break
		sleep 0.2
		t=$((t + 1))
	done
	read -r b1 t1 < <(cpu_jiffies)
	j1=$(procs_jiffies "${fwd[@]}")
	# Anyone but the generator and the forwarder: both poll a core each,
	# so anything else took time from them.
	m_foreign=$(( t1 > t0 ? 100 * (b1 - b0 - (j1 - j0)) / (t1 - t0) : 0 ))
	[ "$m_foreign" -lt 0 ] && m_foreign=0
	stop_pid "$gen_pid" INT
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure KIND N: one run; sets m_pps (median Tx-pps of the generator after
# the warm-up) and m_note.
measure() {
	local kind=$1 n=$2 d=$work/$1-$2 s
	mkdir -p "$d"
	m_note=""
	case $kind in
	hostlane) start_hostlane "$d" ;;
	testpmd) start_testpmd "$d" ;;
	ovs) start_ovs "$d" >"$d/ovs.log" 2>&1 ;;
	esac || { tail -20 "$d/fwd.log" "$d/ovs.log" 2>/dev/null >&2; die "$kind did not start"; }
	run_gen "$d" || { tail -20 "$d/ovs.log" >&2; die "$kind: generator did not connect"; }
	case $kind in
	hostlane) stop_pid "$fwd_pid" TERM
		m_note="up0 out_frames $(grep -o 'port up0:.* out_frames=[0-9]*' "$d/fwd.log" | grep -o 'out_frames=[0-9]*' | cut -d= -f2)" ;;
	testpmd) stop_pid "$fwd_pid" INT ;;
	ovs) m_note="$(OVS_RUNDIR=$ovs_dir ovs-ofctl dump-ports br0 null0 2>/dev/null | grep -o 'tx pkts=[0-9]*' | head -1)"
		ovs_stop ;;
	esac
	s=$(grep -a 'Tx-pps:' "$d/gen.log" | awk '{ print $2 }' | tail -n +"$((warmup + 2))" | head -n "$secs")
	# On a loaded machine the generator's main lcore (which prints) may
	# starve; a run with fewer readings is kept and flagged.
	c=$(echo "$s" | wc -w)
	[ "$c" -ge 1 ] || { tail -20 "$d/gen.log" >&2; keep_logs=1; die "$kind run $n: no readings"; }
	[ "$c" -ge "$secs" ] || m_note="$m_note${m_note:+, }only $c readings"
	m_pps=$(echo "$s" | median)
	[ "$m_pps" -gt 0 ] || { tail -20 "$d/gen.log" "$d/fwd.log" >&2; keep_logs=1; die "$kind run $n moved no frames"; }
}

mpps() { awk -v p="$1" 'BEGIN { printf "%.2f", p / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
kinds=(hostlane testpmd)
[ "$ovs" = yes ] && kinds+=(ovs)
median_of() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rows=""; ab=(); ac=(); kept=0; n=0; retries=0; contended_kept=0
declare -A runs=()	# kind -> the Mpps of its kept runs, space-separated
while [ "$kept" -lt "$pairs" ]; do
	n=$((n + 1))
	declare -A r=() f=()
	notes=""; order=""; worst=0
	for i in "${!kinds[@]}"; do
		k=${kinds[$(( (i + n - 1) % ${#kinds[@]} ))]}
		measure "$k" "$n"
		r[$k]=$m_pps f[$k]=$m_foreign
		order="$order${order:+ }$k"
		[ "$m_foreign" -gt "$worst" ] && worst=$m_foreign
		[ -n "$m_note" ] && notes="$notes${notes:+; }$k: $m_note"
	done
	status=kept
	if [ "$worst" -ge 10 ]; then
		if [ "$retries" -lt "$pairs" ]; then
			status=rerun; retries=$((retries + 1))
		else
			status=contended; contended_kept=$((contended_kept + 1))
		fi
	fi
	[ "$status" = rerun ] || kept=$((kept + 1))
	if [ "$status" = kept ]; then
		for k in "${kinds[@]}"; do runs[$k]="${runs[$k]:-} ${r[$k]}"; done
	fi
	others=""
	for k in "${kinds[@]}"; do others="$others${others:+/}${f[$k]}%"; done
	x=$(ratio "${r[hostlane]}" "${r[testpmd]}")
	[ "$status" = kept ] && ab+=("$x")
	line="| $n | $order | $(mpps "${r[hostlane]}") | $(mpps "${r[testpmd]}") | $x"
	if [ "$ovs" = yes ]; then
		y=$(ratio "${r[hostlane]}" "${r[ovs]}")
		[ "$status" = kept ] && ac+=("$y")
		line="$line | $(mpps "${r[ovs]}") | $y"
	fi
	rows="$rows$line | $others | $status | $notes |"$'\n'
	echo "pvswitch: round $n ($order): hostlane $(mpps "${r[hostlane]}") Mpps, testpmd $(mpps "${r[testpmd]}") Mpps (A/B $x)$( [ "$ovs" = yes ] && echo ", OVS $(mpps "${r[ovs]}") Mpps (A/C $y)"); others used $others of the CPUs$([ "$status" = kept ] || echo " ($status)")" >&2
	unset r f
done

med_ab=$(printf '%s\n' "${ab[@]}" | grep . | median_of)
# fast_half KIND: the median of the upper half of KIND's kept runs. This VM
# runs a process in one of two modes (here ~5 or 11-17 Mpps) that switch
# within seconds, so a round whose runs landed in different modes gives a
# ratio near 0.3 or 3 whatever the forwarders do; every forwarder gets
# the same rotation, so comparing the runs each had in the fast mode is
# the like-with-like figure beside the per-round medians.
fast_half() {
	# shellcheck disable=SC2086
	printf '%s\n' ${runs[$1]:-} | grep . | sort -rn |
		awk '{ v[NR] = $1 } END { h = int((NR + 1) / 2); if (h == 0) { print "-"; exit }
			print (h % 2) ? v[(h + 1) / 2] : (v[h / 2] + v[h / 2 + 1]) / 2 }'
}
fast_hl=$(fast_half hostlane); fast_tp=$(fast_half testpmd)
fast_ab=$(ratio "$fast_hl" "$fast_tp")
fast_ac=""
[ "$ovs" = yes ] && fast_ov=$(fast_half ovs) && fast_ac=$(ratio "$fast_hl" "$fast_ov")
med_ac=""
[ "$ovs" = yes ] && med_ac=$(printf '%s\n' "${ac[@]}" | grep . | median_of)

mkdir -p "$(dirname "$out")"
{
	echo "# PV switch rate"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), hostlane $rev, $pairs rounds × $secs s (warm-up $warmup s), EAL memory: $mem."
	echo "64 B frames, virtio_user testpmd txonly → vhost-user → forwarder → net_null (no-rx);"
	echo "rate = the generator's median Tx-pps (what the vhost-user backend took off the ring)."
	echo "Load average before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg). \"others\" is the"
	echo "share of the CPUs other processes used during each run (/proc/stat, less the"
	echo "generator and the forwarder); a round with 10% or more was run again, and one"
	echo "still contended is left out of the medians."
	echo
	if [ "$ovs" = yes ]; then
		echo "| round | order | A hostlane Mpps | B testpmd Mpps | A/B | C OVS-DPDK Mpps | A/C | others | status | notes |"
		echo "|---|---|---|---|---|---|---|---|---|---|"
	else
		echo "| round | order | A hostlane Mpps | B testpmd Mpps | A/B | others | status | notes |"
		echo "|---|---|---|---|---|---|---|---|"
	fi
	printf '%s' "$rows"
	echo
	echo "Median A/B (hostlane / testpmd) over ${#ab[@]} clean rounds: **$med_ab** (target ≥ 1.0)."
	if [ "$ovs" = yes ]; then
		echo "Median A/C (hostlane / OVS-DPDK) over ${#ac[@]} clean rounds: **$med_ac** (target ≥ 1.5)."
	else
		echo "OVS-DPDK not run: $ovs_why."
	fi
	echo
	echo "Fast halves (each forwarder's median over the upper half of its runs: this VM switches"
	echo "between a slow and a fast mode within seconds, so a round whose runs landed in"
	echo "different modes gives a ratio near 0.3 or 3): hostlane $(mpps "$fast_hl"), testpmd"
	echo "$(mpps "$fast_tp")$( [ "$ovs" = yes ] && echo ", OVS-DPDK $(mpps "$fast_ov")") Mpps; hostlane / testpmd **$fast_ab**$( [ "$ovs" = yes ] && echo ", hostlane / OVS-DPDK **$fast_ac**")."
} > "$out"
echo "pvswitch: median A/B $med_ab${med_ac:+, A/C $med_ac}; fast halves A/B $fast_ab${fast_ac:+, A/C $fast_ac}; written to $out" >&2
[ "${#ab[@]}" -gt 0 ] ||
	echo "pvswitch: every round was contended: no figure to judge; run again on a free machine" >&2
