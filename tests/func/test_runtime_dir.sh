#!/usr/bin/env bash
# The runtime directory must be hostlane's own: a symlink, a directory
# others may write in, or someone else's directory is refused at start with
# one line (before EAL); an absent one is created 0700, or 0750 with the
# control_group's group.
. "$(dirname "$0")/lib.sh"

# refused DIR PATTERN [hostlane args]: hostlane on DIR must fail saying PATTERN.
refused() {
	local dir=$1 want=$2; shift 2
	# shellcheck disable=SC2046
	out=$(timeout 60 "$HL_BIN" --lcores '0@0,1@1' --no-pci $(eal_mem 256) \
		-- --runtime-dir "$dir" "$@" 2>&1) && fail "started on $dir"
	echo "$out" | grep -q -- "hostlane: runtime dir $dir: $want; refused" ||
		fail "runtime dir $dir: '$out' lacks '$want'"
	[ "$(echo "$out" | grep -c .)" -eq 1 ] || fail "not one line: $out"
}

mkdir -m 0700 "$T/real"
ln -s "$T/real" "$T/link"
refused "$T/link" "is a symlink; give the real directory"
mkdir -m 0777 "$T/open"
refused "$T/open" "writable by every user (mode 0777)"
chmod 1777 "$T/open"
refused "$T/open" "writable by every user (mode 1777)"
mkdir -m 0770 "$T/grp"
refused "$T/grp" "writable by group $(stat -c %g "$T/grp") (mode 0770); only the control_group may have write access"
echo file > "$T/file"
out=$("$HL_BIN" -- --runtime-dir "$T/file" 2>&1) && fail "started on a file"
echo "$out" | grep -q "runtime_dir: cannot resolve '$T/file/control.sock': Not a directory" ||
	fail "runtime dir on a file: $out"
mkdir -m 0700 "$T/theirs"
chown 65534:65534 "$T/theirs" 2>/dev/null &&
	refused "$T/theirs" "owned by uid 65534, not by hostlane's uid $(id -u)"
[ -e "$T/real/control.sock" ] && fail "something was created through the symlink"
pass "runtime dir: symlink, writable by others, a file, someone else's: refused"

# Absent: created with the exact mode whatever the umask.
umask 000
hl_start
umask 022
[ "$(stat -c %a "$T/run")" = 700 ] || fail "runtime dir created $(stat -c %a "$T/run")"
hl_stop || fail "hostlane exit status"
pass "runtime dir created 0700 under umask 000"

# With a control group: created 0750 with that group; group-writable by it is fine.
grp=$(getent group nogroup daemon | head -n 1 | cut -d: -f1)
if [ -n "$grp" ]; then
	sed "s|^\[hostlane\]\$|[hostlane]\ncontrol_group = $grp|" \
		"$HOSTLANE_SRC/config/hostlane.conf" > "$T/grp.conf"
	rm -rf "$T/run"
	hl_start --config "$T/grp.conf"
	[ "$(stat -c %a:%G "$T/run")" = "750:$grp" ] ||
		fail "runtime dir with a group: $(stat -c %a:%G "$T/run")"
	hl_stop || fail "hostlane exit status"
	chmod 0770 "$T/run"
	hl_start --config "$T/grp.conf"
	hl_stop || fail "hostlane exit status"
	chgrp "$(id -g)" "$T/run"
	refused "$T/run" "writable by group $(id -g) (mode 0770); only the control_group may have write access" \
		--config "$T/grp.conf"
	pass "runtime dir with control_group $grp: created 0750, group-writable by it accepted"
fi
