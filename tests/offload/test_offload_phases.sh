#!/usr/bin/env bash
# VirtFun's four phases on the real hostlane: negotiate and activate on
# software; call echo (0..1984-byte payloads, byte-identical), factorial,
# fibonacci and crc32c; set then get; get before set and after reset are
# BAD_STATE; close; a closed session id is refused.
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/test.conf"
oc phases
pass "open/activate/call/set/get/reset/close on guest gb"
hl_alive
hl_stop || fail "hostlane exit $? after the phases"
