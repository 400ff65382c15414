#!/usr/bin/env bash
# Run by test_package.sh inside a fresh Debian 12 root where hostlane's
# packages were installed with apt: every check uses the installed files.
set -uo pipefail
fail() { echo "FAIL: $*"; [ -f /tmp/hl.log ] && tail -20 /tmp/hl.log; exit 1; }
ok() { echo "ok: $*"; }
hl=

stop_hl() {
	[ -n "$hl" ] || return 0
	kill -TERM "$hl" 2>/dev/null
	# A bound on a hang; hostlane's own bound is 2 s (hostlane(8)).
	for _ in $(seq 300); do kill -0 "$hl" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$hl" 2>/dev/null && { kill -KILL "$hl"; fail "hostlane ignored SIGTERM"; }
	wait "$hl"
	local rc=$?
	hl=
	return $rc
}
trap 'stop_hl' EXIT

# Start "$@" in the background (log /tmp/hl.log); wait for "running".
start_hl() {
	"$@" > /tmp/hl.log 2>&1 &
	hl=$!
	for _ in $(seq 600); do
		grep -q "hostlane: running" /tmp/hl.log && return 0
		kill -0 "$hl" 2>/dev/null || { hl=; fail "hostlane exited: $*"; }
		sleep 0.1
	done
	fail "hostlane did not start within 60 s: $*"
}

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
for f in /usr/sbin/hostlane /usr/bin/hostlanectl /usr/bin/hostlane-agent \
	/usr/share/man/man8/hostlane-agent.8.gz /etc/hostlane/hostlane.conf \
	/etc/default/hostlane /lib/systemd/system/hostlane.service \
	/usr/libexec/hostlane/hostlane-hugepages \
	/usr/share/man/man8/hostlane.8.gz /usr/share/man/man8/hostlanectl.8.gz \
	/usr/share/man/man5/hostlane.conf.5.gz /usr/share/man/man3/libhostlane.3.gz \
	/usr/include/hostlane/hostlane.h "/usr/lib/$multiarch/libhostlane.so.1" \
	"/usr/lib/$multiarch/libhostlane.a" "/usr/lib/$multiarch/hostlane/libhostlane-dpdk.so" \
	/usr/include/hostlane/sock.h "/usr/lib/$multiarch/hostlane/libhostlane-preload.so"; do
	[ -e "$f" ] || fail "$f is not installed"
done
# The shim loads into a program and, with no HOSTLANE_SOCK_URI, stays out of the way.
out=$(LD_PRELOAD="/usr/lib/$multiarch/hostlane/libhostlane-preload.so" sh -c 'echo shim-ok' 2>&1)
[ "$out" = shim-ok ] || fail "a program with the installed shim preloaded: $out"
getent group hostlane > /dev/null || fail "the package did not create group hostlane"
ok "every file in place, group hostlane exists"

# A guest program against the installed libhostlane-dev, shared and static.
cd /tmp
gcc -O2 -o demo offload_demo.c $(pkg-config --cflags --libs libhostlane) ||
	fail "offload_demo does not build with pkg-config libhostlane"
libs=$(ldd ./demo)
echo "$libs" | grep -Eq "libhostlane.so.1 => (/usr)?/lib/$multiarch/libhostlane.so.1" ||
	fail "demo is not linked against the installed libhostlane.so.1: $libs"
gcc -O2 -o demo-static offload_demo.c $(pkg-config --cflags libhostlane) \
	"$(pkg-config --variable=libdir libhostlane)/libhostlane.a" \
	$(pkg-config --static --libs libhostlane | sed 's/-L[^ ]*//; s/-lhostlane//') ||
	fail "offload_demo does not link with libhostlane.a"
libs=$(ldd ./demo-static)
echo "$libs" | grep -q libhostlane && fail "demo-static uses the shared library: $libs"
ok "a guest program builds against libhostlane-dev (shared and static)"

check_demo() {
	local out
	out=$(timeout 120 "$1" "$2/demo0.sock" demo0-secret 2>&1) ||
		{ echo "$out"; fail "$1 failed against the installed hostlane"; }
	echo "$out" | grep -q "factorial  (20, 1000 repetitions) = 2432902008176640000" ||
		{ echo "$out"; fail "$1: factorial wrong"; }
	echo "$out" | grep -q 'crc32c     ("123456789") = 0xe3069283' ||
		{ echo "$out"; fail "$1: crc32c wrong"; }
}

# 1. The installed hostlane on its embedded default, with hostlanectl.
run=/run/hostlane-test
start_hl hostlane -l 0,1 --no-pci --no-huge --no-shconf -m 256 -- --runtime-dir "$run"
grep -q 'fpga sim: attached' /tmp/hl.log || fail "the simulated FPGA is not in the packaged hostlane"
ctl="hostlanectl --socket $run/control.sock"
$ctl version | grep -Eq '^hostlane +0\.1\.0$' || fail "hostlanectl version: $($ctl version 2>&1)"
check_demo ./demo "$run"
check_demo ./demo-static "$run"
calls=$($ctl --json stats demo0 | grep -o '"FN_CALL": *[0-9]*' | grep -o '[0-9]*$')
[ "${calls:-0}" -gt 0 ] || fail "hostlanectl stats demo0 counts no calls: $($ctl stats demo0 2>&1)"
stop_hl || fail "hostlane did not stop cleanly on SIGTERM"
grep -q "hostlane: stopped" /tmp/hl.log || fail "no 'stopped' in the log"
ok "installed hostlane served the demo guest (shared and static), hostlanectl version and stats ($calls calls)"

# 2. The systemd unit's command line, as systemd would run it: its
# environment file, the ExecStartPre helper (hugepages off: a chroot may not
# reserve them), RuntimeDirectory= and Group=, then ExecStart.
unit=/lib/systemd/system/hostlane.service
set -a
. /etc/default/hostlane
set +a
export HOSTLANE_HUGEPAGES=0
install -d -m 0750 -g hostlane /run/hostlane
pre=$(sed -n 's/^ExecStartPre=//p' "$unit")
$pre || fail "ExecStartPre failed: $pre"
env_file=$(sed -n 's/^EnvironmentFile=-\(\/run\/.*\)$/\1/p' "$unit")
grep -qx 'HOSTLANE_EAL_MEMORY="--no-huge -m 512"' "$env_file" ||
	fail "the helper wrote: $(cat "$env_file")"
set -a
. "$env_file"
set +a
start=$(sed -n 's/^ExecStart=//p' "$unit")
# systemd splits an unbraced $VAR at whitespace, as the shell does.
eval "argv=($start)"
group=$(sed -n 's/^Group=//p' "$unit")
start_hl setpriv --regid "$group" --keep-groups -- "${argv[@]}"
[ "$(stat -c %a:%G /run/hostlane)" = "750:hostlane" ] || fail "runtime dir $(stat -c %a:%G /run/hostlane)"
hostlanectl version > /dev/null || fail "hostlanectl cannot reach the service's hostlane"
stop_hl || fail "the service's hostlane did not stop cleanly on SIGTERM"
ok "the unit's command line ran hostlane (${argv[*]}) and SIGTERM stopped it"
echo "PASS"
