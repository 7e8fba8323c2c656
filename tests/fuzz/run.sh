#!/usr/bin/env bash
# Runs the parse+check fuzzer for N seconds (default 600) over the committed corpus plus the
# golden tests and examples, then merges new coverage back into the minimised corpus.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-600}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target parse_check_fuzzer
fuzzer=build-fuzz/tests/fuzz/parse_check_fuzzer
work=$(mktemp -d)
mkdir -p tests/fuzz/corpus "$work/seeds" "$work/new"
find tests/golden examples -name '*.sync' -exec cp {} "$work/seeds/" \;
# Strip CHECK expectations: they are noise to the fuzzer.
for f in "$work"/seeds/*.sync; do sed -i '/^\/\/ CHECK:/d' "$f"; done
"$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -dict=tests/fuzz/sync.dict -artifact_prefix=tests/fuzz/ \
  "$work/new" tests/fuzz/corpus "$work/seeds"
# Keep the corpus small: only inputs that add coverage.
"$fuzzer" -merge=1 tests/fuzz/corpus "$work/new" "$work/seeds" >/dev/null 2>&1 || true
rm -rf "$work"
