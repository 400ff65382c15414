#!/usr/bin/env bash
# 100 000 asynchronous factorial/fibonacci calls, 256 in flight, over four
# sessions; each completes exactly once with the right result.
. "$(dirname "$0")/lib.sh"

hl_start --config "$T/test.conf"
oc stress 100000
pass "100000 async calls, each once, each right"
hl_alive
