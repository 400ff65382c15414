#!/usr/bin/env bash
# The Debian packages, end to end: built from this tree
# (dpkg-buildpackage -us -uc -b, niced), checked by lintian, installed with
# apt into a fresh Debian 12 root (mmdebstrap from Debian's mirror; the
# downloaded packages are kept in $HOSTLANE_APT_CACHE for the next run) and
# run there (in_root.sh): the installed hostlane on its embedded default,
# the installed hostlanectl, a guest program built against the installed
# libhostlane-dev through pkg-config, and the systemd unit's command line.
#
# Environment: HOSTLANE_DEBS=DIR   use the .debs in DIR (no build, no lintian)
#              HOSTLANE_APT_CACHE  apt's download cache (/var/cache/hostlane-pkgtest)
#              HOSTLANE_MIRROR     Debian mirror (http://deb.debian.org)
# It takes minutes (docs/packaging.md has a measured run): suite "package".
set -uo pipefail

src=${HOSTLANE_SRC:?}
here=$(cd "$(dirname "$0")" && pwd)
cache=${HOSTLANE_APT_CACHE:-/var/cache/hostlane-pkgtest}
mirror=${HOSTLANE_MIRROR:-http://deb.debian.org}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
step() { printf '== %s (%ds)\n' "$*" "$SECONDS"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (mmdebstrap's root mode, chroot)"
for tool in mmdebstrap unshare chroot; do
	command -v "$tool" > /dev/null || skip "$tool not installed (scripts/setup.sh installs it)"
done
if [ -z "${HOSTLANE_DEBS:-}" ]; then
	for tool in dpkg-buildpackage dh lintian; do
		command -v "$tool" > /dev/null ||
			skip "$tool not installed (scripts/setup.sh installs it)"
	done
fi

work=$(mktemp -d /var/tmp/hostlane-pkg.XXXXXX)
# Never remove through a mount (a root's /dev or /sys left mounted).
cleanup() {
	if grep -q " $work/" /proc/mounts; then
		echo "left $work: something is still mounted in it"
	else
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT

build_debs() {
	step "dpkg-buildpackage on a copy of the tree"
	mkdir -p "$work/src"
	# The tree as it stands, without build directories or git's files.
	if git -C "$src" rev-parse --git-dir > /dev/null 2>&1; then
		git -C "$src" ls-files -z --cached --others --exclude-standard |
			(cd "$src" && xargs -0 tar -cf - --no-recursion -- 2>/dev/null) |
			tar -C "$work/src" -xf - || fail "cannot copy the tree"
	else
		tar -C "$src" -cf - --exclude='./build*' . | tar -C "$work/src" -xf - ||
			fail "cannot copy the tree"
	fi
	(cd "$work/src" && nice -n 10 dpkg-buildpackage -us -uc -b -j2) \
		> "$work/build.log" 2>&1 ||
		{ tail -40 "$work/build.log"; fail "dpkg-buildpackage failed"; }
	debs=$work
	step "lintian"
	# Warnings and errors fail; each one left is explained in
	# debian/*.lintian-overrides or debian/README.source.
	lintian --fail-on error,warning --display-info "$work"/hostlane_*.changes ||
		fail "lintian reports warnings or errors (above)"
}

if [ -n "${HOSTLANE_DEBS:-}" ]; then
	debs=$HOSTLANE_DEBS
else
	build_debs
fi
for p in hostlane hostlane-tools libhostlane1 libhostlane-dev; do
	ls "$debs/${p}_"*.deb > /dev/null 2>&1 || fail "no $p package in $debs"
done

step "a fresh Debian 12 root with the packages (mmdebstrap)"
mkdir -p "$cache" "$work/debs"
cp "$debs"/*.deb "$work/debs/"
rm -f "$work"/debs/*-dbgsym_*.deb
root=$work/root
suites="deb $mirror/debian bookworm main
deb $mirror/debian bookworm-updates main
deb $mirror/debian-security bookworm-security main"
# apt as an admin runs it (recommends too), from the packages' directory.
mmdebstrap --variant=apt --mode=root --quiet \
	--aptopt='Acquire::Languages "none"' \
	--include=gcc,libc6-dev,pkg-config \
	--skip=essential/unlink \
	--setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
	--setup-hook="sync-in $cache /var/cache/apt/archives" \
	--customize-hook="copy-in $work/debs /tmp" \
	--customize-hook='chroot "$1" sh -c "apt-get install -y -q -o APT::Install-Recommends=true /tmp/debs/*.deb"' \
	--customize-hook="sync-out /var/cache/apt/archives $cache" \
	bookworm "$root" - <<< "$suites" > "$work/root.log" 2>&1 ||
	{ tail -30 "$work/root.log"; fail "mmdebstrap could not make the root"; }

step "the demo on the installed files (in_root.sh)"
cp "$here/in_root.sh" "$src/examples/offload_demo.c" "$root/tmp/"
unshare --mount --propagation private -- sh -c '
	mount -t proc proc "$1/proc" && mount --rbind /sys "$1/sys" &&
	mount --rbind /dev "$1/dev" && exec chroot "$1" bash /tmp/in_root.sh' \
	sh "$root"
rc=$?
step "done"
[ $rc -eq 0 ] || fail "the installed packages did not run the demo (above)"
echo "PASS: packages built, lintian clean, installed in a fresh root, demo ran"
