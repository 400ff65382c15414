# shellcheck shell=bash
# Shared set-up for the vhost-user attack tests that play guests with
# hostile_vhost (vhost_evil.c): tests/func/lib.sh's helpers, starting and
# ordering the guests, and reading their counts and the switch's counters.
# (test_vhost_evil.sh has the same helpers inline.)
# shellcheck source=../func/lib.sh
. "$(dirname "$0")/../func/lib.sh"

VEV="$HOSTLANE_BUILD/tests/hostile/hostile_vhost"
[ -x "$VEV" ] || fail "hostile_vhost not built at $VEV"
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
# Under ASan: DPDK's virtio PMD leaves allocations behind; not ours to fix.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$HOSTLANE_SRC/tests/transports/lsan-dpdk.supp"

# hostlane saw the guest's link; a switch counter from the lines hostlane
# logs when it stops (sw guest NAME COUNTER).
link_up() { grep -q "guest $1: link up" "$T/hostlane.log"; }
sw() {
	grep "pvswitch: $1 $2:" "$T/hostlane.log" | tail -1 |
		grep -o " $3=[0-9]*" | cut -d= -f2
}

# guest NAME MAC: hostile_vhost on NAME's socket running $T/NAME.script;
# output in $T/NAME.log. Sets PID_<NAME>.
guest() {
	"$VEV" "$1" "$T/run/$1.sock" "$2" "$T/$1.script" > "$T/$1.log" 2>&1 < /dev/null &
	HL_PIDS+=("$!")
	printf -v "PID_$1" %s "$!"
}

# guest_up NAME: its link is up on both sides; then the go-ahead for its
# script (`waitfile $T/go-NAME`): hostlane looks at links once per tick, and
# polls a guest's virtqueue only once it has seen its link.
guest_up() {
	wait_for 30 grep -q "$1: link up" "$T/$1.log" &&
		wait_for 30 link_up "$1" ||
		{ cat "$T/$1.log"; tail -20 "$T/hostlane.log"; fail "$1: no link"; }
	touch "$T/go-$1"
}

# guest_done NAME: it ran its script to the end.
guest_done() {
	local pid="PID_$1" rc
	wait "${!pid}"; rc=$?
	[ "$rc" -eq 0 ] || { cat "$T/$1.log"; fail "$1: hostile_vhost exit $rc"; }
}

# counted NAME LABEL: a `count` line of NAME's log.
counted() { grep -o "count $2=[0-9]*" "$T/$1.log" | cut -d= -f2; }

# expect_eq WHAT GOT WANT [LOG]: else show LOG (the switch's counters) and fail.
expect_eq() {
	[ "${2:-?}" = "$3" ] && return 0
	if [ -n "${4:-}" ]; then cat "$4"; else grep pvswitch "$T/hostlane.log"; fi
	fail "$1: ${2:-?}, want $3"
}
