#!/usr/bin/env bash
# Dedicated mode through the real thing: the hostlane binary with a [vf]
# section (mode dedicated, policy manual, a vf_pool of two net_memif VF
# stand-ins: a config value holds at most 256 bytes) and `hostlanectl vf assign|release GUEST`, 10 times, while the
# guest sends numbered frames without pause and the wire sends back (as in
# test_vf_dedicated.sh): 0 lost, 0 duplicated, each port in order, each
# flow's path changing only at the 20 switches. Each switch time is printed
# from hostlane's log.
. "$(dirname "$0")/../func/lib.sh"
. "$(dirname "$0")/lib.sh"
vf_need
CYCLES=10
CTL="$HOSTLANE_BUILD/control/hostlanectl"
export HOSTLANE_CONTROL="$T/run/control.sock"

# vf_state: the guest's VF state as `vf show` gives it.
vf_state() {
	"$CTL" --json vf show g0 2>/dev/null |
		python3 -c "import json,sys; print(json.load(sys.stdin)['result']['state'])"
}
vf_is() { [ "$(vf_state)" = "$1" ]; }
# ctl_vf CMD STATE: `hostlanectl vf CMD g0` succeeds and the guest gets to STATE.
ctl_vf() {
	"$CTL" vf "$1" g0 > "$T/ctl.out" 2>&1 || { cat "$T/ctl.out"; fail "vf $1 g0: exit $?"; }
	wait_for 20 vf_is "$2" || fail "vf $1 g0: state $(vf_state), want $2"
}

vf_wire_start 2 --flows 4 --rate 10000 --rev-rate 2500 --req-every 1000 \
	--max-changes $((2 * CYCLES))
WIRE=$WIRE_PID
vf_conf "$T/vf.conf"
sed -i 's/^\[guest g0\]$/[guest g0]\nvf = eligible/' "$T/vf.conf"
pool=""
for k in 0 1; do pool="$pool${pool:+\\;}$(vf_devargs "$k")"; done
printf '\n[vf]\nmode = dedicated\npolicy = manual\ninterval_ms = 100\nmin_hold_ms = 0\nvf_pool = %s\n' \
	"$pool" >> "$T/vf.conf"
rm -f "$T/hostlane.log"
# shellcheck disable=SC2046
"$HL_BIN" --lcores '0@0,1@1' --no-pci $(eal_mem 256) --file-prefix "hl-vfctl-$$" \
	--log-level=pmd.net.memif:critical -- --runtime-dir "$T/run" --config "$T/vf.conf" \
	> "$T/hostlane.log" 2>&1 &
HL_PID=$!
HL_PIDS+=("$HL_PID")
wait_for 20 test -S "$HOSTLANE_CONTROL" || { cat "$T/hostlane.log"; fail "no control socket"; }
wait_for 20 grep -q "^wire: guest link up" "$T/wire.log" || { cat "$T/wire.log"; fail "the guest did not connect"; }
vf_is none || fail "g0 starts with VF state $(vf_state)"

for c in $(seq 1 "$CYCLES"); do
	ctl_vf assign held
	sleep 0.1	# the guest's traffic on the VF for a while (no assertion)
	ctl_vf release none
	sleep 0.1
done
kill -TERM "$WIRE"
wait_for 60 grep -q "^req:" "$T/wire.log" || fail "no verdict from the wire"
hl_stop; hrc=$?
vf_stop "$WIRE"; wrc=$?
grep "^fwd: sent\|^rev: sent\|^req:" "$T/wire.log"
[ "$hrc" = 0 ] || { tail -20 "$T/hostlane.log"; fail "hostlane exit $hrc"; }
na=$(grep -c "guest g0: on VF" "$T/hostlane.log")
nr=$(grep -c "guest g0: VF released" "$T/hostlane.log")
[ "$na" = "$CYCLES" ] && [ "$nr" = "$CYCLES" ] || fail "hostlane logged $na assigns and $nr releases, want $CYCLES"
echo "assign (us): $(grep -o "guest g0: on VF .* after [0-9]* us" "$T/hostlane.log" | awk '{print $(NF-1)}' | tr '\n' ' ')"
echo "release: VF removed (us): $(grep -o "removed after [0-9]* us" "$T/hostlane.log" | awk '{print $3}' | tr '\n' ' ')"
[ "$wrc" = 0 ] || { grep "lost (after\|^learned" "$T/wire.log" | head -30
	fail "the wire found frames lost, duplicated, reordered or on the wrong path (exit $wrc)"; }
ch=$(grep -c "^fwd: flow 0 path change" "$T/wire.log")
[ "$ch" = $((2 * CYCLES)) ] || fail "flow 0 changed path $ch times, want $((2 * CYCLES))"
grep -q "^rev: sent .* lost 0 dup 0" "$T/wire.log" || fail "wire → guest: frames lost or duplicated"
pass "hostlanectl vf assign/release x$CYCLES: 0 lost, 0 duplicated, in order, $ch path changes"
