#!/usr/bin/env bash
# Every libvirt domain in examples/libvirt/ is valid against libvirt's own
# schemas (virt-xml-validate, package libvirt-clients).
set -uo pipefail
src=${HOSTLANE_SRC:?}
command -v virt-xml-validate > /dev/null ||
	{ echo "SKIP: virt-xml-validate not installed (package libvirt-clients)"; exit 77; }

n=0 bad=0
for f in "$src"/examples/libvirt/*.xml; do
	n=$((n + 1))
	if out=$(virt-xml-validate "$f" domain 2>&1); then
		echo "ok: $(basename "$f")"
	else
		echo "FAIL: $(basename "$f"): $out"
		bad=$((bad + 1))
	fi
done
[ "$n" -ge 4 ] || { echo "FAIL: $n examples, want the 4 of examples/libvirt/README.md"; exit 1; }
# The validator must be able to say no: a domain with an unknown element.
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sed 's|<vcpu>|<no-such-element/><vcpu>|' "$src/examples/libvirt/vm-vhostuser.xml" > "$tmp"
if virt-xml-validate "$tmp" domain > /dev/null 2>&1; then
	echo "FAIL: virt-xml-validate accepted a domain with an unknown element"
	bad=$((bad + 1))
fi
[ "$bad" -eq 0 ] || exit 1
echo "PASS: $n libvirt examples valid"
