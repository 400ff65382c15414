#!/usr/bin/env bash
# Fairness on one I/O lcore: N = 4 guests flooding it each complete at
# least 0.9/N of a fixed number of calls; weights 2:1 give shares near 2:1
# under flood; a light guest's calls all complete, correct, while four
# others flood. Shares are counted over a fixed number of calls, never
# over time; nothing here asserts a latency. The shares' flooders are raw
# memif clients (raw_flood, on core 0 beside the idle main lcore), far
# cheaper per call than the host, with thousands of calls in their rings,
# so that the host is the bottleneck; raw_flood counts only what the host
# served while every ring was backlogged (other processes may preempt the
# flooder; that must not count against the host). The light guest and its
# neighbours use libhostlane (fair_guest).
. "$(dirname "$0")/../control/ctl_lib.sh"

FG="$HOSTLANE_BUILD/tests/fair/fair_guest"
RF="$HOSTLANE_BUILD/tests/fair/raw_flood"
[ -x "$FG" ] || fail "fair_guest not built at $FG"
[ -x "$RF" ] || fail "raw_flood not built at $RF"
command -v taskset > /dev/null || skip "taskset (util-linux) not installed"
N=4
COUNT=100000
WINDOW=256

{
	printf '[hostlane]\nmbufs = 16383\n'
	for g in f0 f1 f2 f3 light; do
		printf '\n[guest %s]\nsecret = %s-secret\nhandler = hostlane\n' "$g" "$g"
		printf 'functions = factorial, echo\nmax_inflight = 1024\n'
	done
	for w in 1 2; do
		printf '\n[guest w%s]\nsecret = w%s-secret\nhandler = hostlane\n' "$w" "$w"
		printf 'functions = factorial\nmax_inflight = 4096\nweight = %s\n' "$w"
	done
} > "$T/fair.conf"
ctl_start --config "$T/fair.conf"

socks() { for g in "$@"; do printf '%s %s ' "$T/run/$g.sock" "$g-secret"; done; }
# count OUTPUT I: guest I's calls in fair_guest's output.
count() { echo "$1" | awk -v i="$2" '$1 == "guest" && $2 == i { print $3 }'; }

# 1. Equal guests: each at least 0.9/N of the calls.
# shellcheck disable=SC2046
out=$(taskset -c 0 "$RF" "$COUNT" 1000 $(socks f0 f1 f2 f3)) ||
	{ echo "$out"; tail -20 "$T/hostlane.log"; fail "the flood of $N guests failed"; }
echo "$out"
total=$(echo "$out" | awk '$1 == "total" { print $2 }')
[ "${total:-0}" -ge "$COUNT" ] || fail "counted $total calls, wanted $COUNT"
for i in $(seq 0 $((N - 1))); do
	n=$(count "$out" "$i")
	[ $((n * N * 10)) -ge $((total * 9)) ] ||
		fail "guest f$i completed $n of $total calls: below 0.9/$N"
done
ctl_ok --json stats f0
echo "$OUT" | python3 -c "import json, sys
t = json.load(sys.stdin)['result']['traffic']
sys.exit(0 if t['fair_budget_full'] > 0 else 1)" ||
	fail "f0 flooded, but no pass took its whole budget: $OUT"
pass "$N flooding guests: each completed at least 0.9/$N of $total calls"

# 2. Weights 1 and 2: shares near 1:2 (loose: 1.4 to 2.6).
# shellcheck disable=SC2046
out=$(taskset -c 0 "$RF" 60000 4000 $(socks w1 w2)) ||
	{ echo "$out"; fail "the weighted flood failed"; }
echo "$out"
n1=$(count "$out" 0)
n2=$(count "$out" 1)
[ $((n2 * 10)) -ge $((n1 * 14)) ] && [ $((n2 * 10)) -le $((n1 * 26)) ] ||
	fail "weights 1:2 gave $n1:$n2 calls"
pass "weights 1:2 under flood: $n1:$n2 calls"

# 3. A light guest beside four flooders: every call answered, correct.
# shellcheck disable=SC2046
"$FG" flood 0 "$WINDOW" $(socks f0 f1 f2 f3) > "$T/flood.out" 2>&1 &
fp=$!
HL_PIDS+=("$fp")
frames() {
	"$CTL" --json stats f3 | python3 -c "import json, sys
print(json.load(sys.stdin)['result']['traffic']['rx_frames'])"
}
base=$(frames)
flooding() { [ "$(frames)" -gt $((base + 10000)) ]; }
wait_for 30 flooding ||
	{ cat "$T/flood.out"; fail "the flooders did not start"; }
out=$("$FG" light "$T/run/light.sock" light-secret 500) ||
	{ echo "$out" | tail -5; tail -20 "$T/hostlane.log"; fail "the light guest's calls failed beside the flood"; }
echo "$out" | grep -q '^ok 500$' || fail "light guest: $(echo "$out" | tail -3)"
kill -0 "$fp" || { cat "$T/flood.out"; fail "the flooders stopped before the light guest was done"; }
kill -TERM "$fp"
wait "$fp" || { cat "$T/flood.out"; fail "the flooders failed"; }
kill -0 "$HL_PID" || fail "hostlane died"
hl_stop || fail "unclean stop after the floods"
pass "a light guest's 500 calls all answered, correct, beside $N flooders"
