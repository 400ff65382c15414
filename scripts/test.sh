#!/usr/bin/env bash
# Build hostlane and run every test suite (unit, func, hostile, perf smoke).
# Works on a fresh Debian 12 as root: scripts/setup.sh installs what is
# missing and sets up hugepages (or falls back to --no-huge).
# Usage: scripts/test.sh [meson test options, e.g. --suite unit]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh || exit 1

meson test -C build --print-errorlogs "$@"
rc=$?

# One closing line any CI can read: "N passed, N failed, N skipped".
python3 - "$top/build/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0, "TIMEOUT": 0, "EXPECTEDFAIL": 0,
          "UNEXPECTEDPASS": 0, "ERROR": 0}
with open(sys.argv[1]) as f:
    for line in f:
        r = json.loads(line).get("result", "")
        counts[r] = counts.get(r, 0) + 1
passed = counts["OK"] + counts["EXPECTEDFAIL"]
failed = counts["FAIL"] + counts["TIMEOUT"] + counts["UNEXPECTEDPASS"] + counts["ERROR"]
print("%d passed, %d failed, %d skipped" % (passed, failed, counts["SKIP"]))
PY
exit $rc
