#!/usr/bin/env bash
# Token buckets: a guest limited to R calls/s (from the config, or set at
# run time with `guest set`) takes no more than R*T + burst frames in T
# seconds by hostlane's own counters, while it floods; its frames wait in
# its ring (throttled passes counted), and its calls all complete. `guest
# set` refuses what the config file refuses, and changes nothing then.
#
# Only an upper bound is asserted, and T is the longest the interval
# between the two counter samples can have been (from before the first
# hostlanectl started to after the second returned): a slow or loaded
# machine only lowers the count. The slack covers the TSC's calibration
# (2 %) and one pass's frames read before their tokens were counted.
. "$(dirname "$0")/../control/ctl_lib.sh"

FG="$HOSTLANE_BUILD/tests/fair/fair_guest"
[ -x "$FG" ] || fail "fair_guest not built at $FG"
cat > "$T/bucket.conf" <<'CONF'
[hostlane]
mbufs = 16383

[guest lim]
secret = lim-secret
handler = hostlane
functions = factorial
calls_per_s = 200
calls_burst = 50

[guest lim2]
secret = lim2-secret
handler = hostlane
functions = factorial
CONF
ctl_start --config "$T/bucket.conf"

# 1. guest set: the file's checks, all or nothing.
ctl_err bad_args 1 guest set lim weight=0
ctl_err bad_args 1 guest set lim weight=17
ctl_err bad_args 1 guest set lim poll_budget=257
ctl_err bad_args 1 guest set lim calls_per_s=-1
ctl_err bad_args 1 guest set lim bytes_per_s=12Q
ctl_err bad_args 1 guest set lim max_inflight=8
ctl_err bad_args 1 guest set lim
ctl_err bad_args 1 guest set lim2 calls_burst=10
ctl_err bad_args 1 guest set lim weight=3 calls_per_s=abc
ctl_err bad_args 1 guest set lim weight=3 calls_burst=2000000
ctl_err not_found 1 guest set nosuch weight=2
ctl_ok --json guest show lim
echo "$OUT" | python3 -c "import json, sys
c = json.load(sys.stdin)['result']['config']
sys.exit(0 if (c['weight'], c['calls_per_s'], c['calls_burst']) == (1, 200, 50) else 1)" ||
	fail "a refused guest set changed lim: $OUT"
ctl_ok --json guest set lim2 calls_per_s=300 calls_burst=30 bytes_per_s=1G
echo "$OUT" | python3 -c "import json, sys
c = json.load(sys.stdin)['result']
sys.exit(0 if (c['calls_per_s'], c['calls_burst'], c['bytes_per_s']) == (300, 30, 1 << 30) else 1)" ||
	fail "guest set lim2: $OUT"
pass "guest set: refused what the file refuses, changed nothing then; took a valid change"

# 2. Both flood (16 calls in flight each); the bound, by the host's counters.
"$FG" flood 0 16 "$T/run/lim.sock" lim-secret "$T/run/lim2.sock" lim2-secret \
	> "$T/flood.out" 2>&1 &
fp=$!
HL_PIDS+=("$fp")
# sample: "START_NS END_NS FRAMES_LIM FRAMES_LIM2"
sample() {
	local t0 t1 s
	t0=$(date +%s%N)
	s=$("$CTL" --json stats) || fail "hostlanectl stats"
	t1=$(date +%s%N)
	echo "$s" | python3 -c "import json, sys
r = {g['guest']: g['traffic'] for g in json.load(sys.stdin)['result']}
print($t0, $t1, r['lim']['rx_frames'], r['lim2']['rx_frames'])" || fail "stats: $s"
}
started() { [ "$(sample | awk '{ print $3 + $4 }')" -gt 100 ]; }
wait_for 30 started || { cat "$T/flood.out"; fail "the flooders did not start"; }
read -r a0 b0 l0 m0 < <(sample)
sleep 2
read -r a1 b1 l1 m1 < <(sample)
kill -0 "$fp" || { cat "$T/flood.out"; fail "the flood stopped early"; }
kill -TERM "$fp"
wait "$fp" || { cat "$T/flood.out"; fail "the limited guests' calls failed"; }
cat "$T/flood.out"
python3 - "$a0" "$b1" "$l0" "$l1" "$m0" "$m1" <<'PY' || fail "over the bucket"
import sys
a0, b1, l0, l1, m0, m1 = map(int, sys.argv[1:])
t = (b1 - a0) / 1e9
ok = True
for name, rate, burst, d in (("lim", 200, 50, l1 - l0), ("lim2", 300, 30, m1 - m0)):
    bound = rate * t * 1.02 + burst + 32
    print(f"{name}: {d} frames in at most {t:.3f} s; bound {bound:.0f}")
    ok &= d <= bound
sys.exit(0 if ok else 1)
PY
for g in lim lim2; do
	ctl_ok --json stats "$g"
	echo "$OUT" | python3 -c "import json, sys
t = json.load(sys.stdin)['result']['traffic']
sys.exit(0 if t['fair_throttled'] > 0 else 1)" ||
		fail "$g flooded past its bucket, but no pass was throttled: $OUT"
done
pass "token buckets: no more than R*T + burst frames, from the config and from guest set"

# 3. Lifted at run time: no pass throttles lim any more, however it floods
# (2000 calls would take 10 s at 200/s: throttled passes for sure).
throttled() {
	"$CTL" --json stats lim | python3 -c "import json, sys
print(json.load(sys.stdin)['result']['traffic']['fair_throttled'])"
}
ctl_ok --json guest set lim calls_per_s=0 calls_burst=0
echo "$OUT" | python3 -c "import json, sys
c = json.load(sys.stdin)['result']
sys.exit(0 if c['calls_per_s'] == 0 else 1)" || fail "guest set lim calls_per_s=0: $OUT"
th0=$(throttled)
out=$("$FG" flood 2000 64 "$T/run/lim.sock" lim-secret) ||
	{ echo "$out"; fail "lim's calls failed once unlimited"; }
th1=$(throttled)
[ "$th1" -eq "$th0" ] || fail "lim throttled $((th1 - th0)) passes after its bucket was lifted"
kill -0 "$HL_PID" || fail "hostlane died"
hl_stop || fail "unclean stop"
pass "a bucket lifted at run time: no pass throttled after"
