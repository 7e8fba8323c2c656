#!/usr/bin/env bash
# Rewrites the expectations of golden tests from the current compiler's output:
#   tests/golden/update.sh                 every golden test
#   tests/golden/update.sh FILE.sync ...   only these
# Review `git diff` afterwards: the rewrite accepts whatever the compiler now prints.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
syncline="${SYNCLINE:-$here/../../build/syncline}"
if [ $# -eq 0 ]; then set -- $(find "$here" -name '*.sync' | sort); fi
for f in "$@"; do python3 "$here/run_golden.py" "$syncline" "$f" --autoupdate >/dev/null || true; done
