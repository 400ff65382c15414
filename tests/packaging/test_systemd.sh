#!/usr/bin/env bash
# hostlane.service as meson installs it: systemd-analyze verify accepts it
# (in a staged root, so the paths it names exist), and its ExecStartPre
# helper writes the EAL memory options or refuses a bad setting.
set -uo pipefail
unit=${HOSTLANE_SERVICE:?}
build=${HOSTLANE_BUILD:?}
src=${HOSTLANE_SRC:?}
helper=$src/config/systemd/hostlane-hugepages
fail() { echo "FAIL: $*"; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# The helper: HOSTLANE_HUGEPAGES=0 chooses --no-huge with the memory asked.
HOSTLANE_HUGEPAGES=0 HOSTLANE_MEMORY_MB=768 "$helper" "$T/mem.env" 2> "$T/err" ||
	fail "helper failed: $(cat "$T/err")"
grep -qx 'HOSTLANE_EAL_MEMORY="--no-huge -m 768"' "$T/mem.env" ||
	fail "helper wrote: $(cat "$T/mem.env")"
grep -q 'no-huge' "$T/err" || fail "the fallback is not logged"
# With hugepages asked: one of the two forms, whatever this machine allows.
# One page asked: a pool already reserved (scripts/setup.sh) is not touched.
HOSTLANE_HUGEPAGES=1 "$helper" "$T/mem2.env" 2> /dev/null || fail "helper failed with hugepages asked"
grep -Eqx 'HOSTLANE_EAL_MEMORY="(-m 512|--no-huge -m 512)"' "$T/mem2.env" ||
	fail "helper wrote: $(cat "$T/mem2.env")"
# Bad settings are refused, and nothing is written.
for bad in "HOSTLANE_MEMORY_MB=12x" "HOSTLANE_MEMORY_MB=32" "HOSTLANE_HUGEPAGES=-1" \
	"HOSTLANE_HUGEPAGES=1;reboot" "HOSTLANE_MEMORY_MB=99999999"; do
	rm -f "$T/bad.env"
	env "$bad" "$helper" "$T/bad.env" 2> "$T/err" && fail "helper accepted $bad"
	grep -q "hostlane-hugepages: HOSTLANE_" "$T/err" || fail "$bad: no clear error"
	[ ! -e "$T/bad.env" ] || fail "$bad: wrote $(cat "$T/bad.env")"
done
echo "ok: the ExecStartPre helper"

command -v systemd-analyze > /dev/null ||
	{ echo "SKIP: systemd-analyze not installed (package systemd)"; exit 77; }
# Stage the install: the unit and the programs and files it names, plus
# systemd's own units, which verify loads it with (sysinit.target, ...).
DESTDIR=$T/root meson install -C "$build" --no-rebuild --quiet > "$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; fail "meson install into a staging root failed"; }
staged=$(find "$T/root" -name hostlane.service -path '*/systemd/system/*')
[ -n "$staged" ] || fail "meson install put no hostlane.service"
cmp -s "$staged" "$unit" || fail "the installed unit is not the built one"
sysunits=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
[ -e "$sysunits/sysinit.target" ] ||
	{ echo "SKIP: no systemd units in $sysunits (package systemd)"; exit 77; }
mkdir -p "$T/root$sysunits"
cp -a "$sysunits/." "$T/root$sysunits/"

# verify exits 1 on some problems (a command that is not there) and only
# prints others (an unknown key): neither may come up.
verify() {
	systemd-analyze verify --root="$T/root" --man=no "${1#"$T/root"}" > "$T/verify" 2>&1
	local rc=$?
	cat "$T/verify"
	[ $rc -eq 0 ] && ! grep -q "$(basename "$1")" "$T/verify"
}
verify "$staged" || fail "systemd-analyze verify finds fault with hostlane.service"
# ... and it can: a misspelt key and a missing program are found.
sed 's/^RestartSec=/RestrtSec=/' "$staged" > "${staged%/*}/hostlane-typo.service"
verify "${staged%/*}/hostlane-typo.service" > /dev/null &&
	fail "verify did not see a misspelt key"
sed 's|^ExecStart=[^ ]*|ExecStart=/nonexistent/hostlane|' "$staged" > "${staged%/*}/hostlane-nobin.service"
verify "${staged%/*}/hostlane-nobin.service" > /dev/null &&
	fail "verify did not see a missing program"
echo "PASS: ExecStartPre helper; systemd-analyze verify accepts hostlane.service"
