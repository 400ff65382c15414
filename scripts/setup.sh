#!/usr/bin/env bash
# Prepare a fresh Debian 12 machine for hostlane: packages, hugepages, build.
# Idempotent; safe to run again. Run as root (apt-get, sysfs, mount).
#
# Usage: scripts/setup.sh [--deps-only] [--no-build]
# The EAL memory option (hugepages or --no-huge) is written to
# build/eal-mem.args for the run, test and bench scripts.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

want_build=1
for a in "$@"; do
	case "$a" in
	--no-build|--deps-only) want_build=0 ;;
	*) echo "setup.sh: unknown option $a" >&2; exit 2 ;;
	esac
done

# Everything the build, the tests and the benchmarks use, from Debian 12.
pkgs=(gcc g++ clang libclang-rt-14-dev pkg-config meson ninja-build make python3 verilator qemu-system-x86 gnuplot-nox
      libdpdk-dev dpdk dpdk-dev libnuma-dev libpcap-dev libjansson-dev zlib1g-dev libmnl-dev liburing-dev
      iproute2 ethtool procps coreutils tcpdump
      debhelper lintian mmdebstrap systemd libvirt-clients man-db
      curl iperf3 sockperf redis-server redis-tools)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup.sh: need root to install: ${missing[*]}" >&2
		exit 1
	fi
	echo "setup.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p build
bash "$top/scripts/hugepages.sh" > build/eal-mem.args

if [ "$want_build" -eq 1 ]; then
	if [ ! -f build/build.ninja ]; then
		meson setup build --buildtype=debugoptimized -Dwerror=true >/dev/null
	fi
	ninja -C build >/dev/null || ninja -C build
fi
