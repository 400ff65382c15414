#!/usr/bin/env bash
# Bulk calls (FN_CALL_BULK): inputs and outputs larger than a frame travel
# through libhostlane's shared memory and the host's accelerators use them
# in place. Results are checked by tools other than hostlane's (sha256sum,
# Python's zlib); a guest that leaves with 32 deflates of 64 KiB in flight
# costs nothing: its memory is unmapped once they complete, counted in
# `stats`, and the next client is served.
. "$(dirname "$0")/lib.sh"

BC="$HOSTLANE_BUILD/tests/offload/bulk_check"
[ -x "$BC" ] || fail "bulk_check not built at $BC"
command -v python3 > /dev/null || skip "python3 (zlib) not installed"
command -v sha256sum > /dev/null || skip "sha256sum not installed"
tm_need_pmd crypto_ipsec_mb	# crypto_aesni_mb
tm_need_pmd compress_isal

sed 's/^\[hostlane\]$/[hostlane]\ncryptodev = crypto_aesni_mb\ncompressdev = compress_isal/' \
	"$T/test.conf" > "$T/bulk.conf"
hl_start --config "$T/bulk.conf"
grep -q "cryptodev crypto_aesni_mb: attached" "$T/hostlane.log" ||
	{ cat "$T/hostlane.log"; fail "crypto_aesni_mb is installed but did not attach"; }
grep -q "compressdev compress_isal: attached" "$T/hostlane.log" ||
	{ cat "$T/hostlane.log"; fail "compress_isal is installed but did not attach"; }

mkdir -p "$T/out"
"$BC" "$RUN/gb.sock" gb-secret basic "$T/out" || fail "bulk_check basic (exit $?)"
want=$(sha256sum < "$T/out/sha.in" | cut -d' ' -f1)
got=$(od -An -tx1 -v "$T/out/sha.out" | tr -d ' \n')
[ "$want" = "$got" ] || fail "sha256 of 4 KiB: host $got, sha256sum $want"
pass "sha256 of 4 KiB equals sha256sum's"
python3 -c '
import sys, zlib
d = open(sys.argv[1], "rb").read(); i = open(sys.argv[2], "rb").read()
sys.exit(0 if zlib.decompress(d, -15) == i else 1)' "$T/out/defl.out" "$T/out/defl.in" ||
	fail "Python zlib does not inflate the host's deflate of 64 KiB to its input"
pass "deflate of 64 KiB inflates back with Python's zlib"

# floods FN BEFORE: three clients in turn leave with 32 bulk calls of FN in
# flight; hostlane must see each go (gb's disconnects reach BEFORE + round).
floods() {
	local fn=$1 before=$2 round
	for round in 1 2 3; do
		"$BC" "$RUN/gb.sock" gb-secret flood 32 "$fn" > "$T/flood.log" 2>&1 ||
			{ cat "$T/flood.log"; fail "$fn flood round $round"; }
		wait_for 20 eval '[ "$(num "$(ctlj stats gb)" disconnects)" -ge $((before + round)) ]' ||
			fail "hostlane did not see $fn flood client $round go"
	done
}

# Leave with every bulk slot's job in flight, several times over: deflates
# (done by the time the host notices), then long factorials queued on a
# function worker lcore, still running when the client is gone.
floods deflate 1	# the basic client went first
hl_alive
hl_stop || fail "hostlane exit $? after the deflate floods"
cp "$T/bulk.conf" "$T/test.conf"
hl_start_workers
floods factorial 0	# a new hostlane: none yet
hl_alive
settled() {
	local s
	s=$(ctlj stats gb)
	[ "$(num "$s" bulk_retired)" = "$(num "$s" bulk_reaped)" ] &&
		[ "$(num "$s" inflight)" = 0 ] && [ "$(num "$s" sessions)" = 0 ]
}
wait_for 20 settled || { ctlj stats gb; fail "gb's memory or sessions not released"; }
s=$(ctlj stats gb)
echo "after 3 floods: bulk_retired $(num "$s" bulk_retired), bulk_reaped $(num "$s" bulk_reaped)"
[ "$(num "$s" bulk_retired)" -ge 1 ] ||
	fail "no flood client left with jobs still running: the retire path went untested"
pass "guests gone mid-bulk-call: sessions released, memory unmapped"

"$BC" "$RUN/gb.sock" gb-secret basic "$T/out" || fail "bulk_check basic after the floods"
pass "the next client is served"
hl_alive
hl_stop || fail "hostlane exit $? after the bulk test"
