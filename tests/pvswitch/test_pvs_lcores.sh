#!/usr/bin/env bash
# With two I/O lcores the guests spread over both, but the PV switch serves
# only its own lcore's: a second `switch` guest is refused at start-up with
# a line that says why; a `hostlane` guest there starts, warned that its
# ordinary frames are dropped.
. "$(dirname "$0")/lib.sh"

run3() {
	# shellcheck disable=SC2046
	timeout 30 "$HL_BIN" --lcores '0@0,1@1,2@1' --no-pci $(eal_mem 256) \
		-- --runtime-dir "$T/run" --config "$1" > "$T/hostlane.log" 2>&1 &
	HL_PID=$!
	HL_PIDS+=("$HL_PID")
}

printf '[guest a]\nchannel = vhost\nhandler = switch\n[guest b]\nchannel = vhost\nhandler = switch\n' > "$T/two.conf"
run3 "$T/two.conf"
wait "$HL_PID" && fail "two switch guests on two I/O lcores accepted"
grep -q "guest b: polled by lcore 2, but the PV switch runs on lcore 1 and cross-lcore switching is not implemented: refused" "$T/hostlane.log" ||
	{ cat "$T/hostlane.log"; fail "no refusal line"; }
pass "cross-lcore switching refused at start-up"

printf '[guest a]\nchannel = vhost\nhandler = switch\n[guest b]\nchannel = vhost\nhandler = hostlane\n' > "$T/mixed.conf"
run3 "$T/mixed.conf"
wait_for 20 grep -q "hostlane: running" "$T/hostlane.log" ||
	{ cat "$T/hostlane.log"; fail "hostlane guest on the other lcore not accepted"; }
grep -q "guest b: .*its frames that are not hostlane requests are dropped" "$T/hostlane.log" ||
	fail "no warning for the hostlane guest"
hl_stop || fail "hostlane exit $?"
pass "a hostlane guest on another lcore starts, with a warning"
