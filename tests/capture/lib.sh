# Helpers for the capture tests: hostlane with a control socket (ctl_lib.sh),
# frames sent from a pcap file through dpdk-testpmd (a memif client of an
# echo guest whose second port is that pcap file), and pcaptool.py to read
# back and compare what hostlane wrote.
. "$(dirname "$0")/../control/ctl_lib.sh"

PCAPTOOL="$HOSTLANE_SRC/tests/capture/pcaptool.py"

command -v tcpdump > /dev/null || skip "tcpdump not installed (scripts/setup.sh installs it)"

# cap_conf: the embedded default config plus an echo guest demo2 (secret
# demo2-secret), in $T/cap.conf.
cap_conf() {
	cat "$HOSTLANE_SRC/config/hostlane.conf" - > "$T/cap.conf" <<'CONF'
[guest demo2]
channel = memif
secret = demo2-secret
handler = echo
CONF
}

# more_than N PATTERN: hostlane's log has more than N lines with PATTERN.
more_than() {
	[ "$(grep -c "$2" "$T/hostlane.log")" -gt "$1" ]
}

# send_pcap GUEST SECRET IN OUT: testpmd sends IN's frames to GUEST (memif
# port 0) and writes what comes back to OUT (pcap port 1), then quits.
# Returns once every frame came back, or fails.
send_pcap() {
	local guest=$1 secret=$2 in=$3 out=$4 n fifo="$T/tp-$1.in" want conns gone
	command -v dpdk-testpmd > /dev/null || skip "dpdk-testpmd not installed"
	tm_need_pmd net_pcap
	want=$(python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import pcaptool; print(len(pcaptool.pcap_read(sys.argv[2])))" \
		"$(dirname "$PCAPTOOL")" "$in")
	rm -f "$fifo" "$out"
	# The guest may have had clients before: wait for one more line each.
	conns=$(grep -c "guest $guest: client 'DPDK" "$T/hostlane.log")
	gone=$(grep -c "guest $guest: client disconnected" "$T/hostlane.log")
	mkfifo "$fifo"
	exec {TP_FD}<> "$fifo"
	# shellcheck disable=SC2046
	stdbuf -oL dpdk-testpmd --lcores '0@1,1@0' --main-lcore 0 --no-pci \
		$(eal_mem 256) \
		--vdev "net_memif0,role=client,socket=$T/run/$guest.sock,socket-abstract=no,secret=$secret" \
		--vdev "net_pcap0,rx_pcap=$in,tx_pcap=$out" \
		-- -i --no-flush-rx --total-num-mbufs=8192 --port-topology=paired --forward-mode=io \
		< "$fifo" > "$T/tp-$guest.log" 2>&1 &
	TP_PID=$!
	HL_PIDS+=("$TP_PID")
	wait_for 30 more_than "$conns" "guest $guest: client 'DPDK" ||
		{ cat "$T/tp-$guest.log"; fail "testpmd did not connect to $guest"; }
	echo "start" >&"$TP_FD"
	# testpmd counts what port 1 sent (to the file) in "show port stats".
	n=0
	for _ in $(seq 300); do
		echo "show port stats 1" >&"$TP_FD"
		sleep 0.1
		n=$(grep -o 'TX-packets: *[0-9]*' "$T/tp-$guest.log" | awk '{print $2}' | sort -n | tail -1)
		[ "${n:-0}" -ge "$want" ] && break
	done
	[ "${n:-0}" -ge "$want" ] || { tail -30 "$T/tp-$guest.log"; fail "$guest echoed ${n:-0} of $want frames"; }
	echo "stop" >&"$TP_FD"
	echo "quit" >&"$TP_FD"
	wait "$TP_PID"
	exec {TP_FD}>&-
	wait_for 20 more_than "$gone" "guest $guest: client disconnected" ||
		fail "hostlane did not see testpmd leave $guest"
}

# cap_gone TARGET: no capture of TARGET is listed (its file is closed).
cap_gone() {
	ctl --json capture list
	python3 -c "import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if all(c['target'] != sys.argv[2] for c in r['result']) else 1)" \
		"$OUT" "$1"
}

# cap_has TARGET EXPR: the capture of TARGET is listed and EXPR holds for
# it (a python expression on c, its entry in capture list).
cap_has() {
	ctl --json capture list
	python3 -c "import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if any(c['target'] == sys.argv[2] and eval(sys.argv[3]) for c in r['result']) else 1)" \
		"$OUT" "$1" "$2"
}

# tcpdump_count FILE: frames tcpdump reads from FILE; "error" if it cannot.
tcpdump_count() {
	tcpdump --count -r "$1" 2> "$T/tcpdump.err" | awk '/packets?$/ { print $1; ok = 1 } END { if (!ok) print "error" }'
}

# pcheck CAPTURE FACT...: pcaptool.py check, failing the test.
pcheck() {
	python3 "$PCAPTOOL" check "$@" || fail "capture $1 is not as it should be"
}
