#!/usr/bin/env bash
# Paravirtual sockets (issue 15), in one run: the same unmodified client
# programs three ways against the same native servers —
#   native  the client on the host stack, straight to 127.0.0.1;
#   shim    the client under libhostlane-preload.so: its socket calls go
#           over memif to hostlane, whose socket worker makes them on host
#           sockets to 127.0.0.1 (vCanal);
#   shimsync  the same with HOSTLANE_SOCK_TX_WINDOW=0: every send waits
#           for the host's answer (the shim before sends returned at once);
#   pvnic   the client in a network namespace of its own ("the guest"),
#           its frames through hostlane's PV switch and TAP exception port
#           into the host stack (the paravirtual NIC path sockets replace).
# Figures: iperf3 TCP throughput with 1 and 4 streams, sockperf UDP
# ping-pong latency p50/p99, redis-benchmark SET and GET ops/s; and, for
# the shim's iperf3 runs, the CPU of hostlane's I/O lcore and of its
# socket workers per Gbit/s. For each shim program, the calls a socket
# worker served per pass that found work (its batch); then bench/sock_uring
# (when built: liburing-dev) measures io_uring against one system call per
# call at such batch sizes, into sock_uring.md beside --out.
#
# Usage: bench/sockets.sh [--quick] [--pairs N] [--secs S] [--out FILE]
#                         [--raw FILE] [--modes LIST] [--keep-logs]
#
# Everything runs inside two network namespaces made here (hlbs-h: hostlane,
# the servers, the native and shim clients; hlbs-g: the pvnic client), so
# nothing reaches beyond this machine. hostlane: main lcore on core 0, I/O
# lcore on core 1. Rounds alternate the three modes and rotate their order
# (shared/BENCH-NOTES.md); ratios are taken within a round, the headline is
# the median of those. Targets (issue 15): throughput shim/native >= 0.96,
# UDP ping-pong p50 shim/native <= 1.2.
# Raw file: one line per measurement: round mode figure value.
# Exit status: 0 done, 1 a run failed, 2 bad usage, 77 something absent.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${HOSTLANE_BUILD:-$src/build}

pairs=3
secs=5
out=
raw=
keep_logs=0
modes=native,shim,shimsync,pvnic

usage() { sed -n '17,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) pairs=1; secs=1 ;;
	--pairs) pairs=${2:?}; shift ;;
	--secs) secs=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--raw) raw=${2:?}; shift ;;
	--modes) modes=${2:?}; shift ;;
	--keep-logs) keep_logs=1 ;;
	-h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "sockets: unknown option $1" >&2; usage ;;
	esac
	shift
done
[ "$pairs" -ge 1 ] 2>/dev/null && [ "$secs" -ge 1 ] 2>/dev/null || usage
: "${out:=$build/bench-results/sockets.md}"

skip() { echo "sockets: SKIP: $*" >&2; exit 77; }
die() { echo "sockets: $*" >&2; exit 1; }

HL="$build/dataplane/hostlane"
SHIM="$build/guestlib/preload/libhostlane-preload.so"
CTL="$build/control/hostlanectl"
IFS=, read -r -a modes <<< "$modes"
[ -e "$HL" ] || skip "$HL not built"
[ -x "$CTL" ] || skip "$CTL not built"
case " ${modes[*]} " in *" shim"*) [ -e "$SHIM" ] || skip "$SHIM not built" ;; esac
for p in iperf3 sockperf redis-server redis-benchmark ip ethtool python3; do
	command -v "$p" >/dev/null || skip "$p not installed"
done
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (net_tap needs it)"
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"

T=$(mktemp -d /tmp/bench-sockets.XXXXXX)
NH=hlbs-h$$ NG=hlbs-g$$
HL_PID= SRV_PIDS=()
cleanup() {
	for p in "${SRV_PIDS[@]}" $HL_PID; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NH" 2>/dev/null; ip netns del "$NG" 2>/dev/null
	if [ "$keep_logs" = 1 ]; then echo "logs in $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
: "${raw:=$T/sockets.raw}"
: > "$raw"
HZ=$(getconf CLK_TCK)
inh() { ip netns exec "$NH" "$@"; }
ing() { ip netns exec "$NG" "$@"; }

# ---- the two namespaces, hostlane and the servers ----

ip netns add "$NH" && ip netns add "$NG" || die "cannot create network namespaces"
ip -n "$NH" link set lo up
ip -n "$NG" link set lo up
ip -n "$NH" link add hlv0 type veth peer name hlv1 netns "$NG" || die "veth"
ip -n "$NH" link set hlv0 up
ip -n "$NG" link set hlv1 up
ip -n "$NG" addr add 10.78.0.2/24 dev hlv1
# net_af_packet and net_tap do no checksum offload: the guest must fill them.
ing ethtool -K hlv1 tx off >/dev/null || die "ethtool -K hlv1 tx off"

cat > "$T/hl.conf" <<CONF
[port up0]
devargs = net_af_packet0,iface=hlv0
role = uplink

[port host]
devargs = net_tap0,iface=hl0
role = exception

CONF
case " ${modes[*]} " in *" shim"*) cat >> "$T/hl.conf" <<CONF ;; esac

[guest app]
secret = app-secret
handler = hostlane
sockets = yes
max_sockets = 256
sock_families = inet
sock_bind_ports = 1024-65535
sock_host_ports = same
sock_connect = 127.0.0.0/8
CONF
# shellcheck disable=SC2046
ip netns exec "$NH" "$HL" --lcores '0@0,1@1' --no-pci $(bash "$src/scripts/eal-mem.sh" 512) \
	-- --runtime-dir "$T/run" --config "$T/hl.conf" > "$T/hostlane.log" 2>&1 &
HL_PID=$!
for _ in $(seq 200); do
	grep -q "hostlane: running" "$T/hostlane.log" 2>/dev/null && break
	kill -0 "$HL_PID" 2>/dev/null || break
	sleep 0.1
done
grep -q "hostlane: running" "$T/hostlane.log" || { cat "$T/hostlane.log" >&2; die "hostlane did not start"; }
for _ in $(seq 50); do inh ip link show hl0 >/dev/null 2>&1 && break; sleep 0.1; done
inh ip addr add 10.78.0.1/24 dev hl0 && inh ip link set hl0 up || die "cannot set up hl0"
inh ethtool -K hl0 tx off >/dev/null 2>&1

# Started without a shell function around them, so that $! is the server
# itself (ip netns exec execs it) and the cleanup's kill reaches it.
ip netns exec "$NH" iperf3 -s -p 5201 > "$T/iperf3-s.log" 2>&1 & SRV_PIDS+=($!)
ip netns exec "$NH" sockperf sr -i 0.0.0.0 -p 11111 > "$T/sockperf-s.log" 2>&1 & SRV_PIDS+=($!)
ip netns exec "$NH" redis-server --port 6380 --bind 0.0.0.0 --protected-mode no --save '' \
	--appendonly no > "$T/redis-s.log" 2>&1 & SRV_PIDS+=($!)
sleep 1
for p in "${SRV_PIDS[@]}"; do kill -0 "$p" 2>/dev/null || die "a server did not start (logs in $T)"; done
ing timeout 10 bash -c 'until exec 3<>/dev/tcp/10.78.0.1/6380; do sleep 0.2; done' 2> "$T/probe.log" ||
	{ cat "$T/probe.log" >&2; die "no path guest -> hostlane -> TAP -> redis-server"; }

# ---- clients ----

# client MODE CMD...: run CMD as MODE's client; its server address is $ADDR.
client() {
	local mode=$1; shift
	case $mode in
	native) inh "$@" ;;
	shim) inh env LD_PRELOAD="$SHIM" HOSTLANE_SOCK_URI="$T/run/app.sock" \
		HOSTLANE_SOCK_SECRET=app-secret HOSTLANE_SOCK_FAMILIES=inet "$@" ;;
	shimsync) inh env LD_PRELOAD="$SHIM" HOSTLANE_SOCK_URI="$T/run/app.sock" \
		HOSTLANE_SOCK_SECRET=app-secret HOSTLANE_SOCK_FAMILIES=inet \
		HOSTLANE_SOCK_TX_WINDOW=0 "$@" ;;
	pvnic) ing "$@" ;;
	esac
}
addr() { [ "$1" = pvnic ] && echo 10.78.0.1 || echo 127.0.0.1; }

# Per-thread CPU ticks of hostlane: "io worker" (lcore threads, socket workers).
thread_ticks() {
	local io=0 wk=0 t c v
	for t in /proc/"$HL_PID"/task/*; do
		c=$(cat "$t/comm" 2>/dev/null) || continue
		v=$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null) || continue
		case $c in
		rte-worker-*|lcore-worker-*) io=$((io + v)) ;;
		hl-sock*) wk=$((wk + v)) ;;
		esac
	done
	echo "$io $wk"
}

put() { echo "$1 $2 $3 $4" >> "$raw"; }

# The socket workers' "busy_passes calls" so far, from hostlane's metrics:
# a pass that found no work sleeps (sleeps), every other one served.
worker_counts() {
	"$CTL" --socket "$T/run/control.sock" metrics | awk '
		/^hostlane_sock_worker_loops_total/ { l += $2 }
		/^hostlane_sock_worker_sleeps_total/ { s += $2 }
		/^hostlane_sock_worker_calls_(cmd|recv|send)_total/ { c += $2 }
		END { printf "%d %d\n", l - s, c }'
}
# batch ROUND MODE FIGURE BEFORE: the shim's calls per busy worker pass
# since BEFORE (a worker_counts line).
batch() {
	[ "$2" = shim ] || return 0
	set -- "$1" "$2" "$3" $4 $(worker_counts)
	[ $(($6 - $4)) -gt 0 ] || return 0
	put "$1" shim "batch_$3" "$(awk -v p=$(($6 - $4)) -v c=$(($7 - $5)) 'BEGIN { printf "%.2f", c / p }')"
}

iperf() {  # iperf ROUND MODE STREAMS
	local r=$1 m=$2 n=$3 a b gbps w
	a=$(thread_ticks)
	w=$(worker_counts)
	client "$m" iperf3 -c "$(addr "$m")" -p 5201 -t "$secs" -P "$n" -J > "$T/iperf.$m.$n.json" 2>&1 ||
		{ tail -5 "$T/iperf.$m.$n.json" >&2; die "iperf3 $m -P $n failed"; }
	b=$(thread_ticks)
	batch "$r" "$m" "iperf_$n" "$w"
	gbps=$(python3 -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))' \
		"$T/iperf.$m.$n.json") || die "iperf3 $m: no result"
	put "$r" "$m" "tcp_gbps_$n" "$gbps"
	if [ "$m" = shim ]; then
		set -- $a $b
		awk -v io=$(($3 - $1)) -v wk=$(($4 - $2)) -v hz="$HZ" -v s="$secs" -v g="$gbps" 'BEGIN {
			printf "%.3f %.3f\n", io / hz / s / g, wk / hz / s / g }' > "$T/cpu"
		read -r io wk < "$T/cpu"
		put "$r" shim "io_core_per_gbps_$n" "$io"
		put "$r" shim "worker_core_per_gbps_$n" "$wk"
	fi
}

udp_pp() {  # udp_pp ROUND MODE
	local r=$1 m=$2 f="$T/sockperf.$2" w
	w=$(worker_counts)
	client "$m" sockperf pp -i "$(addr "$m")" -p 11111 -t "$secs" > "$f" 2>&1 ||
		{ tail -5 "$f" >&2; die "sockperf $m failed"; }
	batch "$r" "$m" udp "$w"
	put "$r" "$m" udp_p50_us "$(awk '/percentile 50.000/ { print $NF }' "$f")"
	put "$r" "$m" udp_p99_us "$(awk '/percentile 99.000/ { print $NF }' "$f")"
	grep -q 'dropped messages = 0;' "$f" || die "sockperf $m lost messages: $(grep dropped "$f")"
}

redis() {  # redis ROUND MODE
	local r=$1 m=$2 f="$T/redis.$2" n=$((secs * 20000)) w
	w=$(worker_counts)
	client "$m" redis-benchmark -h "$(addr "$m")" -p 6380 -n "$n" -c 8 -t set,get --csv > "$f" 2>&1 ||
		{ tail -5 "$f" >&2; die "redis-benchmark $m failed"; }
	batch "$r" "$m" redis "$w"
	put "$r" "$m" redis_set_ops "$(awk -F'"' '$2 == "SET" { print $4 }' "$f")"
	put "$r" "$m" redis_get_ops "$(awk -F'"' '$2 == "GET" { print $4 }' "$f")"
}

nm=${#modes[@]}
for r in $(seq "$pairs"); do
	order=()
	for k in $(seq 0 $((nm - 1))); do order+=("${modes[$(((r + k) % nm))]}"); done
	echo "sockets: round $r of $pairs: ${order[*]}"
	for m in "${order[@]}"; do iperf "$r" "$m" 1; done
	for m in "${order[@]}"; do iperf "$r" "$m" 4; done
	for m in "${order[@]}"; do udp_pp "$r" "$m"; done
	for m in "${order[@]}"; do redis "$r" "$m"; done
done
kill -0 "$HL_PID" || die "hostlane died during the run"

# io_uring against a system call per call, at the batch sizes above and
# more (hostlane stopped: the machine to itself).
kill -TERM "$HL_PID"; wait "$HL_PID"; HL_PID=
uring_out=$(dirname "$out")/sock_uring.md
rm -f "$uring_out"
if [ -x "$build/bench/sock_uring" ]; then
	"$build/bench/sock_uring" --pairs "$((pairs * 2))" --ms "$((secs * 40))" \
		--bursts 1,2,4,16,64 --out "$uring_out" > "$T/sock_uring.log" 2>&1
	case $? in
	0) ;;
	77) echo "sockets: io_uring not measured: $(cat "$T/sock_uring.log")" > "$uring_out" ;;
	*) cat "$T/sock_uring.log" >&2; die "bench/sock_uring failed" ;;
	esac
else
	echo "sockets: io_uring not measured: bench/sock_uring not built (liburing-dev)" > "$uring_out"
fi

python3 - "$raw" "$out" "$pairs" "$secs" "$uring_out" <<'PY'
import statistics as st, sys
raw, out, pairs, secs, uring = sys.argv[1:6]
v = {}
for line in open(raw):
    r, m, f, x = line.split()
    v.setdefault((f, m), {})[r] = float(x)
def med(f, m):
    d = v.get((f, m), {})
    return st.median(d.values()) if d else float("nan")
def ratio(f, a, b):
    da, db = v.get((f, a), {}), v.get((f, b), {})
    rs = [da[r] / db[r] for r in da if r in db and db[r]]
    return (st.median(rs), min(rs), max(rs)) if rs else (float("nan"),) * 3
rows = [("iperf3 TCP, 1 stream (Gbit/s)", "tcp_gbps_1", ">= 0.96"),
        ("iperf3 TCP, 4 streams (Gbit/s)", "tcp_gbps_4", ">= 0.96"),
        ("sockperf UDP ping-pong p50 (us)", "udp_p50_us", "<= 1.2"),
        ("sockperf UDP ping-pong p99 (us)", "udp_p99_us", ""),
        ("redis-benchmark SET (ops/s)", "redis_set_ops", ""),
        ("redis-benchmark GET (ops/s)", "redis_get_ops", "")]
with open(out, "w") as o:
    o.write("# Paravirtual sockets: shim vs native loopback vs the PV NIC path\n\n")
    o.write("bench/sockets.sh, %s round(s) of %s s per figure; servers native in hostlane's "
            "namespace; modes alternate, order rotated.\n\n" % (pairs, secs))
    o.write("shimsync is the shim with HOSTLANE_SOCK_TX_WINDOW=0 (every send waits for the "
            "host's answer); shim/shimsync is what sends that return at once change.\n\n")
    o.write("| figure | native | shim | shimsync | pvnic | shim/native (min-max) | target "
            "| shim/shimsync (min-max) | pvnic/native | shim/pvnic |\n")
    o.write("|---|---|---|---|---|---|---|---|---|---|\n")
    for title, f, tgt in rows:
        sn, sl, sh = ratio(f, "shim", "native")
        ss, ssl, ssh = ratio(f, "shim", "shimsync")
        pn = ratio(f, "pvnic", "native")[0]
        sp = ratio(f, "shim", "pvnic")[0]
        o.write("| %s | %.3g | %.3g | %.3g | %.3g | %.3f (%.3f-%.3f) | %s | %.3f (%.3f-%.3f) "
                "| %.3f | %.3f |\n" % (
            title, med(f, "native"), med(f, "shim"), med(f, "shimsync"), med(f, "pvnic"),
            sn, sl, sh, tgt, ss, ssl, ssh, pn, sp))
    o.write("\nhostlane CPU during the shim's iperf3 runs, cores per Gbit/s (median): ")
    o.write(", ".join("%s stream(s): I/O lcore %.3f, socket workers %.3f" % (
        n, med("io_core_per_gbps_" + n, "shim"), med("worker_core_per_gbps_" + n, "shim"))
        for n in ("1", "4")) + "\n")
    o.write("\nSocket worker's batch, calls served per pass that found work (shim, "
            "median): " + ", ".join("%s %.2f" % (t, med("batch_" + f, "shim")) for t, f in (
                ("iperf3 1 stream", "iperf_1"), ("iperf3 4 streams", "iperf_4"),
                ("sockperf", "udp"), ("redis-benchmark", "redis"))) + ".\n")
    o.write("\nio_uring at such batches (bench/sock_uring, %s):\n\n" % uring.split("/")[-1])
    o.write("".join(l for l in open(uring) if l.startswith("|") or "not measured" in l))
print(open(out).read())
PY
