#!/usr/bin/env bash
# A bad configuration or command line fails at start-up with one line that
# names the file, the section and the key, and a non-zero exit.
. "$(dirname "$0")/lib.sh"

# expect_error CONFIG_TEXT PATTERN
n=0
expect_error() {
	n=$((n + 1))
	printf '%s\n' "$1" > "$T/bad$n.conf"
	out=$("$HL_BIN" -- --config "$T/bad$n.conf" --check-config 2>&1)
	rc=$?
	[ "$rc" -ne 0 ] || fail "case $n accepted: $1"
	echo "$out" | grep -q -- "$2" || fail "case $n: '$out' lacks '$2'"
	echo "$out" | grep -q "bad$n.conf" || fail "case $n: error does not name the file"
}

expect_error '[hostlane]
colour = blue' '\[hostlane\] colour: unknown key'
expect_error '[guest g1]
handler = teleport' '\[guest g1\] handler: unknown handler'
expect_error '[guest g1]
secret = 0123456789012345678901234' '\[guest g1\] secret: longer than 24'
expect_error '[guest g1]
max_ring_size = 1000' '\[guest g1\] max_ring_size: 1000 is not a power of two'
expect_error '[guest g1]
max_chain = -1' '\[guest g1\] max_chain:'
expect_error '[guest g1]
channel = carrier-pigeon' '\[guest g1\] channel: unknown channel'
expect_error '[guest g1]
socket = relative.sock' '\[guest g1\] socket:'
expect_error '[guest bad/name]' '\[guest bad/name\] guest name'
expect_error '[port up]
devargs = net_null0
speed = 10' '\[port up\] speed: unknown key'
expect_error '[port up]
role = uplink' '\[port up\] missing key devargs'
expect_error '[port up]
devargs = net_null0
role = sideways' '\[port up\] role: unknown role'
expect_error '[guest g1]
mac = 01:00:5e:00:00:01' '\[guest g1\] mac: .* is not a unicast MAC'
expect_error '[guest g1]
mac = 52:54:00:12:34' '\[guest g1\] mac:'
expect_error '[hostlane]
mac_aging_s = 0' '\[hostlane\] mac_aging_s: 0 is out of range'
expect_error '[elsewhere]' '\[elsewhere\] unknown section'
expect_error '[guest a]
[guest a]' 'guest a'
expect_error '[hostlane]
mbufs = lots' '\[hostlane\] mbufs:'
expect_error 'just some words' 'line 1: expected'
expect_error 'a = b' 'line 1: key outside any section'
expect_error '[hostlane]
mbufs' 'line 2: expected \[section\] or key = value'
expect_error '[hostlane]
mbufs = 2047
mbufs = 4095' '\[hostlane\] mbufs: given twice (lines 2 and 3)'
expect_error '[hostlane]
mbufs = 2047
[guest g1]
[hostlane]
mbufs = 4095' '\[hostlane\] given twice (lines 1 and 4)'
expect_error "[guest g1]
secret = ab$(printf '\001')cd" '\[guest g1\] secret: control character 0x01 at byte 3'
expect_error "[guest g1]
socket = $T/x/a.sock
[guest g2]
socket = $T/x/../x/a.sock" "\[guest g2\] socket: '$T/x/../x/a.sock' is the same file as guest g1's socket ($T/x/a.sock)"
expect_error "[guest control]" "\[guest control\] socket: .* is the same file as hostlane's control socket"
pass "$n bad configs rejected with file, section and key"

# A NUL byte is named as such, with its line.
printf '[hostlane]\nmbufs = 2047\0\n' > "$T/nul.conf"
out=$("$HL_BIN" -- --config "$T/nul.conf" --check-config 2>&1) && fail "NUL byte accepted"
echo "$out" | grep -q "nul.conf: NUL byte at line 2" || fail "NUL byte: $out"
pass "a NUL byte in the config refused with its line"

out=$("$HL_BIN" -- --config "$T/missing.conf" 2>&1) && fail "missing file accepted"
echo "$out" | grep -q "missing.conf: cannot read" || fail "missing file: $out"
"$HL_BIN" -- --bogus > /dev/null 2>&1
[ $? -eq 2 ] || fail "unknown option must exit 2"
"$HL_BIN" -- extra > /dev/null 2>&1
[ $? -eq 2 ] || fail "stray argument must exit 2"
pass "command-line errors"

# Too few lcores is a start-up error, not a hang.
out=$("$HL_BIN" -l 0 --no-pci $(eal_mem 128) -- --runtime-dir "$T/run" 2>&1)
[ $? -ne 0 ] || fail "one lcore accepted"
echo "$out" | grep -q "need at least 2 lcores" || fail "lcore message: $out"
pass "one lcore refused"
