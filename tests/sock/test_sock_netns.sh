#!/bin/bash
# sock_netns: a guest's sockets live in its network namespace. Its listener
# on 127.0.0.1:40400 is reached from inside the namespace, and not from the
# host's (nothing listens there). Only loopback, inside a namespace the test
# makes; no interface gets an address.
. "$(dirname "$0")/lib.sh"

tm_need_netns
NS="hlsock$$"
ip netns add "$NS" || fail "ip netns add $NS"
trap 'ip netns del "$NS" 2>/dev/null; cleanup' EXIT
ip -n "$NS" link set lo up || fail "lo up in $NS"
cat >> "$T/test.conf" <<CONF

[guest se]
secret = se-secret
handler = hostlane
sockets = yes
sock_bind_ports = 40400
sock_host_ports = same
sock_netns = $NS
CONF
hl_start --config "$T/test.conf"
"$SC" "$RUN" netns > "$T/ns.log" 2>&1 &
pid=$!
HL_PIDS+=("$pid")
wait_for 20 grep -q listening "$T/ns.log" || { cat "$T/ns.log"; fail "guest did not listen"; }
# Not in the host's namespace.
if bash -c 'exec 3<>/dev/tcp/127.0.0.1/40400' 2>/dev/null; then
	fail "the guest's listener is in the host namespace"
fi
got=$(ip netns exec "$NS" bash -c 'exec 3<>/dev/tcp/127.0.0.1/40400; echo hello-ns >&3; head -c 9 <&3') ||
	fail "connect inside $NS"
[ "$got" = "hello-ns" ] || fail "echo inside $NS: '$got'"
wait "$pid" || { cat "$T/ns.log"; fail "sock_check netns"; }
pass "a guest's sockets in its namespace"
