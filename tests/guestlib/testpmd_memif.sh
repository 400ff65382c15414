#!/bin/sh
# Func tests of libhostlane's memif client against a peer nobody here wrote:
# dpdk-testpmd as memif server, echoing every frame back (io fwd, loop).
# usage: testpmd_memif.sh HELPER echo MODE COUNT | kill | secret | connect
set -u
helper=$1
scenario=$2
shift 2

if ! command -v dpdk-testpmd >/dev/null 2>&1; then
	echo "SKIP: dpdk-testpmd not found (Debian package 'dpdk')"
	exit 77
fi

dir=$(mktemp -d /tmp/hl-testpmd.XXXXXX)
sock=$dir/memif.sock
prefix=hltest$$
devargs="net_memif0,role=server,socket=$sock,socket-abstract=no"
[ "$scenario" = secret ] && devargs="$devargs,secret=right-secret"
pid=

cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$dir" "/var/run/dpdk/$prefix"
}
trap cleanup EXIT

# --stats-period keeps testpmd running without a terminal on stdin; stdbuf
# lets us see in its log when forwarding has started. --no-flush-rx: testpmd
# prints its forwarding line, then reads and frees whatever its RX queues
# hold, then forwards. A client that connected on that line could have its
# first window taken by that flush - received, never sent back - and wait
# for it for ever (4 runs in 270 did, on a loaded machine).
stdbuf -oL dpdk-testpmd -l 0,1 --no-pci --no-huge -m 512 --file-prefix "$prefix" \
	--vdev "$devargs" -- --forward-mode=io --port-topology=loop \
	--total-num-mbufs=16384 --stats-period=3600 --no-flush-rx -a \
	>"$dir/testpmd.log" 2>&1 </dev/null &
pid=$!

i=0
# The socket exists from probe on, but the port accepts a client (its id)
# only once started.
while ! grep -q "packet forwarding - ports" "$dir/testpmd.log"; do
	if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 300 ]; then
		echo "FAIL: testpmd did not start forwarding on $sock"
		cat "$dir/testpmd.log"
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done

case "$scenario" in
kill)	"$helper" "$sock" kill "$pid" ;;
secret)	"$helper" "$sock" secret wrong-secret ;;
*)	"$helper" "$sock" "$scenario" "$@" ;;
esac
rc=$?
if [ $rc -ne 0 ]; then
	# SIGINT: testpmd stops forwarding and prints its forward statistics
	# (RX, TX and dropped), the server's side of what went wrong.
	kill -INT "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- testpmd log ---"
	tail -n 40 "$dir/testpmd.log"
fi
exit $rc
