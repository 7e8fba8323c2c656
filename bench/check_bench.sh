#!/usr/bin/env bash
# Parse+check time and peak memory of `syncline check` on generated rule files of growing
# size, with the per-line cost, so growth that is not linear shows. Not part of ctest.
#   bench/check_bench.sh [SIZES...]      (default: 200 1000 5000 20000 lines)
# Aim (issue 2): 200 lines under 30 ms wall; time linear in size.
set -euo pipefail
cd "$(dirname "$0")/.."
syncline=${SYNCLINE:-build/syncline}
[ -x "$syncline" ] || { echo "build first: cmake --build --preset default" >&2; exit 2; }
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(200 1000 5000 20000)
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
printf '%8s %8s %10s %10s %12s\n' lines bytes "wall ms" "peak MiB" "us/line"
for n in "${sizes[@]}"; do
  python3 bench/gen_rules.py "$n" > "$dir/rules_$n.sync"
  lines=$(wc -l < "$dir/rules_$n.sync"); bytes=$(wc -c < "$dir/rules_$n.sync")
  "$syncline" check -q "$dir/rules_$n.sync" || { echo "generated file does not check clean" >&2; exit 1; }
  best=""; peak=0
  for run in 1 2 3 4 5; do
    /usr/bin/time -f '%e %M' -o "$dir/time" "$syncline" check -q "$dir/rules_$n.sync"
    read -r secs kb < "$dir/time"
    ms=$(awk -v s="$secs" 'BEGIN{printf "%d", s*1000}')
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  awk -v n="$lines" -v b="$bytes" -v ms="$best" -v kb="$peak" \
    'BEGIN{printf "%8d %8d %10d %10.1f %12.1f\n", n, b, ms, kb/1024, ms*1000/n}'
done
echo "(wall: best of 5 runs via /usr/bin/time, which has 10 ms resolution; peak: largest RSS)"
