#!/usr/bin/env bash
# vhost-user reconnects, with DPDK's virtio_user as the front end (the VM
# stand-in): vhost_loop, libhostlane over dpdk:, calls factorial(20) in a
# loop on hostlane's vhost-user guest vm0.
#  1. hostlane as vhost-user client (vhost_client = yes) stopped and started
#     again four times (SIGTERM, SIGKILL; then the same while the guest is
#     idle) under a live virtio_user in server mode: the calls resume on
#     their own (the connection reconnects), and only a call in flight when
#     hostlane went - or, for an idle guest, its first call after - fails,
#     once, with HL_E_DISCONNECTED and the reason.
#  2. virtio_user killed (SIGKILL, calls in flight) and started again, four
#     times, under a live hostlane - as vhost-user server, then as client:
#     every time vm0 goes back to no connection, no session, no call in
#     flight and nothing in the function manager's books, and hostlane's
#     fd and mapping counts to what they were after the first time.
. "$(dirname "$0")/../func/lib.sh"
. "$(dirname "$0")/lib.sh"

LOOP="$HOSTLANE_BUILD/tests/vhost/vhost_loop"
[ -x "$LOOP" ] || fail "vhost_loop not built at $LOOP"
[ -n "${HOSTLANE_DPDK_PLUGIN:-}" ] && [ -f "$HOSTLANE_DPDK_PLUGIN" ] ||
	skip "libhostlane-dpdk.so not built (no DPDK)"
# Under ASan: DPDK's virtio PMD leaks at exit; not ours to fix.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$HOSTLANE_SRC/tests/transports/lsan-dpdk.supp"
mkdir -p "$T/vu"

# loop_bg NAME SOCKET SERVER OUTAGES [PAUSE]: vhost_loop on a virtio_user
# port at SOCKET (SERVER 1: virtio_user listens, hostlane connects), idle
# while the file PAUSE exists, output in $T/NAME.log (it flushes every
# line the test waits for; no stdbuf, whose LD_PRELOAD ASan refuses); sets
# LOOP_PID, vhost_loop's own. virtio_user shares its memory with the
# backend: memfd-backed, hence --no-huge with --no-shconf. Its link checks
# log an error per try while the backend is away: errors are not shown.
loop_bg() {
	local uri="dpdk:--no-huge --no-shconf --no-telemetry -m 128 --no-pci -l 0
--file-prefix hl-vh$$ --log-level=lib.eal:error
--log-level=pmd.net.virtio.*:critical
--vdev=virtio_user0,path=$2,queues=1,server=$3"
	"$LOOP" "${uri//$'\n'/ }" "$4" ${5:+"$5"} > "$T/$1.log" 2>&1 &
	LOOP_PID=$!
	HL_PIDS+=("$LOOP_PID")
}

# loop_says NAME TEXT: vhost_loop's log has a line with TEXT (a bounded
# wait, cut short if vhost_loop ends).
loop_says() {
	said() { grep -q "$2" "$T/$1.log" || ! kill -0 "$LOOP_PID" 2>/dev/null; }
	wait_for 60 said "$1" "$2" && grep -q "$2" "$T/$1.log" ||
		{ cat "$T/$1.log"; tail -20 "$T/hostlane.log"; fail "$1: no '$2'"; }
}

# loop_end NAME: vhost_loop exited 0 with PASS; its failed calls were calls
# in flight when hostlane went: HL_E_DISCONNECTED, link down.
loop_end() {
	local rc
	wait "$LOOP_PID"; rc=$?
	cat "$T/$1.log"
	[ "$rc" -eq 0 ] && grep -qx PASS "$T/$1.log" || fail "$1: vhost_loop exit $rc"
	if grep "^call failed" "$T/$1.log" |
		grep -v "HL_E_DISCONNECTED (link of DPDK port 0 went down)"; then
		fail "$1: a call failed for another reason"
	fi
}

# --- 1. hostlane restarted under a live virtio_user -------------------------
# idle_restart SIG K: the guest pauses (its Kth pause), hostlane is SIGed
# and back, its link up, before the guest's next call.
idle_restart() {
	local k=$2
	touch "$T/pause"
	paused() { [ "$(grep -c '^paused' "$T/restart.log")" -ge "$k" ]; }
	wait_for 60 paused || fail "vhost_loop did not pause"
	hl_down "$1"
	hl_up
	wait_for 60 grep -q "guest vm0: link up" "$T/hostlane.log" ||
		fail "hostlane did not reconnect to the idle virtio_user"
	rm "$T/pause"
}

SOCK="$T/vu/vm0.sock"
vhost_conf yes "$SOCK"
loop_bg restart "$SOCK" 1 4 "$T/pause"
hl_up
loop_says restart "session 1: 100 calls ok"
n=1
for how in TERM KILL idle-TERM idle-KILL; do
	if [ "${how#idle-}" = "$how" ]; then
		hl_down "$how"
		hl_up
	else
		idle_restart "${how#idle-}" "$((n - 2))"
	fi
	n=$((n + 1))
	loop_says restart "session $n: 100 calls ok"
	pass "hostlane restarted ($how) under a live virtio_user: calls resumed"
done
loop_end restart
failed=$(grep -c "^call failed" "$T/restart.log")
[ "$failed" -le 4 ] || fail "$failed calls failed in 4 outages"
grep -q "stats: disconnects 4 reconnects 4 " "$T/restart.log" ||
	fail "the connection did not count 4 disconnects and 4 reconnects"
wait_for 20 guest_idle || fail "vm0 not idle after the client's BYE"
hl_down TERM
pass "4 hostlane restarts: $failed calls failed once, clearly; the rest ran"

# --- 2. virtio_user restarted under a live hostlane --------------------------
for mode in no yes; do
	if [ "$mode" = no ]; then
		SOCK="$T/run/vm0.sock" server=0 who="server"
	else
		SOCK="$T/vu/vm0.sock" server=1 who="client"
	fi
	vhost_conf "$mode" "$SOCK"
	hl_up
	for cycle in 1 2 3 4; do
		# A server-mode virtio_user killed leaves its socket file.
		[ "$mode" = no ] || rm -f "$SOCK"
		loop_bg "kill-$mode-$cycle" "$SOCK" "$server" -1
		loop_says "kill-$mode-$cycle" "session 1: 100 calls ok"
		guest_busy || fail "vm0 not connected with a session"
		kill -KILL "$LOOP_PID"
		wait "$LOOP_PID" 2>/dev/null
		wait_for 20 guest_idle ||
			{ "$CTL" guest show vm0; fail "cycle $cycle: vm0 not back to idle"; }
		[ "$(links down)" -eq "$cycle" ] || fail "cycle $cycle: link downs $(links down)"
		if [ "$cycle" -eq 1 ]; then leak_base; else leak_check "cycle $cycle"; fi
	done
	# And a client that leaves cleanly (BYE, port stopped).
	[ "$mode" = no ] || rm -f "$SOCK"
	loop_bg "bye-$mode" "$SOCK" "$server" 0
	loop_end "bye-$mode"
	wait_for 20 guest_idle || fail "vm0 not idle after BYE"
	leak_check "after a clean exit"
	hl_down TERM
	pass "hostlane as vhost-user $who: virtio_user killed 4 times and back, nothing left behind"
done
