#!/usr/bin/env bash
# Budgets belong to the guest, not to one connection: a guest that leaves
# with its max_inflight calls still running and reconnects gets E_BUSY
# until they complete (before, each connection started at 0 and a guest
# reconnecting 18 times filled the lcore's whole pending pool); another
# guest is served meanwhile. A guest leaving with bulk calls running
# keeps at most 4 connections' memory mapped: the next client is refused
# ("earlier connections still draining") until they are released. And a
# guest whose budget does not fit the lcore's pending pool is refused at
# start and at `guest add`.
. "$(dirname "$0")/lib.sh"

BC="$HOSTLANE_BUILD/tests/offload/budget_check"
[ -x "$BC" ] || fail "budget_check not built at $BC"

# factorial(65) 1 million times: about 70 ms of software work per call,
# and the 64 calls share the lcore in slices: none is done before about
# 64 x 70 ms = 4.5 s, while the three reconnects take well under one. The
# bulk calls must still run when the fifth client comes: the 32 of them,
# none done before about 32 x 0.28 s = 9 s, against about a second for
# the five connections.
REPS=1000000
REPS_BULK=4000000
cat > "$T/budget.conf" <<CONF
[hostlane]
max_repetitions = 100000000
pending_per_lcore = 200

[guest ga]
secret = ga-secret
handler = hostlane
functions = factorial
max_inflight = 64

[guest gb]
secret = gb-secret
handler = hostlane
functions = factorial
max_inflight = 8

[guest gc]
secret = gc-secret
handler = hostlane
functions = factorial
max_inflight = 64
CONF
hl_start --config "$T/budget.conf"

inflight() { num "$(ctlj stats "$1")" inflight; }

# 1. ga leaves with its whole budget in flight, then comes back 3 times.
out=$("$BC" "$RUN/ga.sock" ga-secret hold 64 $REPS)
[ "$out" = "accepted 64 busy 0" ] || fail "first connection: $out"
for round in 2 3 4; do
	out=$("$BC" "$RUN/ga.sock" ga-secret hold 64 $REPS)
	[ "$out" = "accepted 0 busy 64" ] ||
		fail "reconnect $round while 64 calls run: '$out', want all busy"
	n=$(inflight ga)
	[ "$n" -le 64 ] || fail "ga has $n calls in flight, budget 64"
done
pass "a reconnected guest finds its budget spent by its old calls: all busy"

out=$("$BC" "$RUN/gb.sock" gb-secret calls 20) || fail "gb while ga's calls run: $out"
pass "another guest is served meanwhile ($out)"

wait_for 120 eval '[ "$(inflight ga)" = 0 ]' || fail "ga's calls never completed"
out=$("$BC" "$RUN/ga.sock" ga-secret calls 5) || fail "ga after its calls completed: $out"
pass "once they completed, ga's budget is whole again"

# 2. gc leaves with bulk calls running, five times in a row.
for round in 1 2 3 4; do
	out=$("$BC" "$RUN/gc.sock" gc-secret hold 8 $REPS_BULK bulk)
	[ "$out" = "accepted 8 busy 0" ] || fail "bulk round $round: $out"
	wait_for 10 eval '[ "$(num "$(ctlj stats gc)" disconnects)" -ge $round ]' ||
		fail "hostlane did not see bulk client $round go"
done
out=$("$BC" "$RUN/gc.sock" gc-secret connect)
echo "$out" | grep -q "refused:.*earlier connections still draining" ||
	fail "fifth connection with 4 draining: '$out'"
pass "4 connections draining with bulk jobs: the fifth client is refused"
wait_for 120 eval '[ "$(inflight gc)" = 0 ]' || fail "gc's bulk calls never completed"
s=$(ctlj stats gc)
[ "$(num "$s" bulk_retired)" = "$(num "$s" bulk_reaped)" ] ||
	fail "retired connections not all released: $s"
wait_for 10 eval '"$BC" "$RUN/gc.sock" gc-secret connect | grep -q connected' ||
	fail "gc refused after its connections drained"
pass "drained: every retired connection released, gc accepted again"

# 3. Budgets never overcommit the pending pool (200: 64 + 8 + 64 = 136).
"$CTL" --socket "$RUN/control.sock" guest add gd secret=x max_inflight=100 \
	> "$T/add.log" 2>&1 && fail "guest add over the pending pool succeeded"
grep -q "does not fit" "$T/add.log" || { cat "$T/add.log"; fail "no clear refusal"; }
"$CTL" --socket "$RUN/control.sock" guest add gd secret=x max_inflight=64 \
	> "$T/add.log" 2>&1 || { cat "$T/add.log"; fail "a guest that fits was refused"; }
pass "guest add refuses a budget the pending pool cannot hold, takes one it can"
hl_alive
hl_stop || fail "hostlane exit $? after the budget test"

sed 's/^max_inflight = 8$/max_inflight = 100/' "$T/budget.conf" > "$T/over.conf"
"$HL_BIN" --lcores '0@0,1@1' --no-pci $(eal_mem 256) -- --runtime-dir "$T/run2" \
	--config "$T/over.conf" > "$T/over.log" 2>&1 && fail "an overcommitted config started"
grep -q "max_inflight 64 does not fit" "$T/over.log" || { cat "$T/over.log"; fail "no clear start error"; }
pass "a config whose budgets overcommit the pending pool does not start"
