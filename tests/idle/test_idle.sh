#!/usr/bin/env bash
# Adaptive idle, asserted on the real binary (docs/ARCHITECTURE.md,
# "Adaptive idle"). CPU is a resource check with loose bounds, read from
# /proc/PID/stat over two seconds — never a timing assertion:
#  - idle = adaptive, nothing connected: < 30 % of a core; the lcore blocks;
#  - a guest connecting while the lcore sleeps is served, and its call after
#    2 s of idle completes, in libhostlane's intr and poll wait modes;
#  - an idle connected guest: still < 30 %;
#  - the watchdog (watchdog_ms = 100) never calls the sleeping lcore stuck;
#  - SIGTERM while asleep: a clean exit (no "did not stop");
#  - idle = poll, and [lcore 1] idle = poll under idle = adaptive: the lcore
#    never sleeps nor blocks, and uses >= 20 % of a core (not 80: this
#    2-core machine is shared: a spinning lcore got 30-57 % at load 16).
. "$(dirname "$0")/../func/lib.sh"

GUEST="$HOSTLANE_BUILD/tests/idle/idle_guest"
CTL="$HOSTLANE_BUILD/control/hostlanectl"
[ -x "$GUEST" ] || fail "idle_guest not built at $GUEST"
HZ=$(getconf CLK_TCK)

# cpu_pct PID: % of one core PID used over the next two seconds.
cpu_pct() {
	local a b
	a=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
	sleep 2
	b=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
	echo $(( (b - a) * 100 / (2 * HZ) ))
}

lcore_field() {  # lcore_field NAME: the I/O lcore's field from lcore list
	"$CTL" --socket "$T/run/control.sock" --json lcore list |
		python3 -c "import json,sys; print([l for l in json.load(sys.stdin)['result'] if l['role'] == 'io'][0]['$1'])"
}

write_conf() {  # write_conf IDLE [EXTRA SECTION TEXT]
	cat > "$T/idle.conf" <<CONF
[hostlane]
idle = $1
watchdog_ms = 100

[guest g0]
secret = g0-secret
handler = hostlane
functions = echo

[guest g1]
secret = g1-secret
handler = hostlane
functions = echo
${2:-}
CONF
}

# ---- idle = adaptive ----
write_conf adaptive
hl_start --config "$T/idle.conf"
grep -q "idle = adaptive" "$T/hostlane.log" || fail "the lcore does not say idle = adaptive"
sleep 0.5
pct=$(cpu_pct "$HL_PID")
echo "adaptive, nothing connected: $pct % of a core"
[ "$pct" -lt 30 ] || fail "idle = adaptive with nothing connected used $pct % of a core"
[ "$(lcore_field blocks)" -gt 0 ] || fail "the idle lcore never blocked"

for mode in intr poll; do
	# It connects while the lcore sleeps, then idles 2 s before calling.
	out=$("$GUEST" calls "$T/run/g0.sock" g0-secret "$mode" 2000 2) ||
		{ echo "$out"; tail -20 "$T/hostlane.log"; fail "a call after 2 s of idle failed ($mode wait)"; }
	echo "$out" | grep -q '^ok 2$' || fail "idle_guest ($mode): $out"
	echo "$mode wait: $(echo "$out" | grep lat_ns | tr '\n' ' ')"
done

# An idle connected guest (hybrid wait: it sleeps too) costs no core.
"$GUEST" calls "$T/run/g1.sock" g1-secret hybrid 4000 1 > "$T/g1.out" 2>&1 &
gp=$!
HL_PIDS+=("$gp")
wait_for 10 grep -q "client .* connected" "$T/hostlane.log" || fail "g1 did not connect"
sleep 0.5
pct=$(cpu_pct "$HL_PID")
echo "adaptive, an idle connected guest: $pct % of a core"
[ "$pct" -lt 30 ] || fail "idle = adaptive with an idle guest used $pct % of a core"
wait "$gp" || { cat "$T/g1.out"; fail "g1's call after 4 s of idle failed"; }

[ "$(lcore_field stuck_events)" -eq 0 ] || fail "the watchdog called a sleeping lcore stuck"
grep -q "stuck" "$T/hostlane.log" && fail "the watchdog logged a sleeping lcore stuck"
[ "$(lcore_field wakeups)" -gt 0 ] || fail "no block ended by an event"

# Stop while asleep.
sleep 0.5
[ "$(lcore_field asleep)" = True ] || echo "note: the lcore was not asleep at the stop"
hl_stop || { tail -20 "$T/hostlane.log"; fail "unclean stop while asleep (exit $?)"; }
grep -q "did not stop" "$T/hostlane.log" && fail "the sleeping lcore did not stop"

# ---- idle = poll, and the per-lcore override ----
write_conf poll
hl_start --config "$T/idle.conf"
sleep 0.5
pct=$(cpu_pct "$HL_PID")
echo "poll, nothing connected: $pct % of a core"
[ "$pct" -ge 20 ] || fail "idle = poll used only $pct % of a core"
[ "$(lcore_field blocks)" -eq 0 ] && [ "$(lcore_field sleeps)" -eq 0 ] ||
	fail "idle = poll: the lcore slept"
hl_stop || fail "unclean stop (poll)"

write_conf adaptive "[lcore 1]
idle = poll"
hl_start --config "$T/idle.conf"
sleep 0.5
pct=$(cpu_pct "$HL_PID")
echo "adaptive with [lcore 1] idle = poll: $pct % of a core"
[ "$pct" -ge 20 ] || fail "[lcore 1] idle = poll was not applied ($pct %)"
[ "$(lcore_field idle)" = poll ] || fail "lcore list does not say idle = poll"
hl_stop || fail "unclean stop ([lcore 1])"
pass "adaptive idle: idle CPU bounded, calls after idle served, stop and watchdog fine"
