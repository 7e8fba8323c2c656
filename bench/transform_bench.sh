#!/bin/sh
# Throughput of `syncline transform` (JIT and interpreter) against jq and a hand-written C++
# program on N generated HubSpot contacts -> Salesforce leads; outputs must agree. Also JIT
# compile time of the examples (cold cache) and start time with a warm cache.
#   bench/transform_bench.sh [N=200000] [BUILD_DIR=build]
set -eu
N=${1:-200000}
BUILD=${2:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SYNCLINE=$ROOT/$BUILD/syncline
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 "$ROOT/bench/gen_contacts.py" "$N" > "$TMP/contacts.jsonl"
g++ -O2 -std=c++20 -pthread "$ROOT/bench/transform_handwritten.cpp" -lsimdjson -o "$TMP/handwritten"
RULES="$ROOT/bench/transform_bench.sync"
export XDG_CACHE_HOME="$TMP/cache"
"$SYNCLINE" transform "$RULES" --sync contacts --to salesforce --in /dev/null 2>/dev/null  # warm the cache

# name runs command...: prints the median of the runs' wall seconds, with that run's peak KiB
# and CPU seconds (user + system). The fast programs take a fifth of a second at the default N,
# where /usr/bin/time's 10 ms steps alone move a ratio by 5%: they run 5 times, jq once.
run() {
  name=$1; runs=$2; shift 2
  : > "$TMP/$name.times"
  i=0
  while [ "$i" -lt "$runs" ]; do
    /usr/bin/time -f "%e %M %U %S" -o "$TMP/$name.time" sh -c "$*" > "$TMP/$name.out" 2>/dev/null
    cat "$TMP/$name.time" >> "$TMP/$name.times"
    i=$((i + 1))
  done
  set -- $(sort -n "$TMP/$name.times" | sed -n "$(( (runs + 1) / 2 ))p")
  echo "$name $1 $2 $(awk "BEGIN { print $3 + $4 }")"
}
{
  run jit 5 "'$SYNCLINE' transform '$RULES' --sync contacts --to salesforce --engine jit < '$TMP/contacts.jsonl'"
  run jit-1thread 5 "'$SYNCLINE' transform '$RULES' --sync contacts --to salesforce --engine jit --threads 1 < '$TMP/contacts.jsonl'"
  run interp 5 "'$SYNCLINE' transform '$RULES' --sync contacts --to salesforce --engine interp < '$TMP/contacts.jsonl'"
  run handwritten 5 "'$TMP/handwritten' < '$TMP/contacts.jsonl'"
  run jq 1 "jq -c -f '$ROOT/bench/transform_bench.jq' '$TMP/contacts.jsonl'"
} > "$TMP/results"

cmp -s "$TMP/jit.out" "$TMP/interp.out" || { echo "JIT and interpreter disagree"; exit 1; }
cmp -s "$TMP/jit.out" "$TMP/jit-1thread.out" || { echo "JIT on 1 and on all threads disagree"; exit 1; }
cmp -s "$TMP/jit.out" "$TMP/handwritten.out" || { echo "JIT and hand-written disagree"; exit 1; }
jq -cS . "$TMP/jit.out" > "$TMP/a"; jq -cS . "$TMP/jq.out" > "$TMP/b"
cmp -s "$TMP/a" "$TMP/b" || { echo "JIT and jq disagree"; exit 1; }

echo "N=$N contacts, $(wc -l < "$TMP/jit.out") leads written; outputs agree"
awk -v n="$N" '
  { t[$1] = $2; m[$1] = $3; printf "%-12s %8.2f s %12.0f records/s %8.1f MiB peak %8.2f s CPU\n", $1, $2, ($2 > 0 ? n / $2 : 0), $3 / 1024, $4 }
  END {
    printf "JIT/interp %.1fx   JIT/jq %.1fx   JIT/hand-written %.2f   (one thread: JIT/jq %.1fx)\n",
      t["interp"] / t["jit"], t["jq"] / t["jit"], t["handwritten"] / t["jit"], t["jq"] / t["jit-1thread"]
    printf "the practical limit (hand-written C++): %.1fx jq, %.1fx the interpreter\n",
      t["jq"] / t["handwritten"], t["interp"] / t["handwritten"]
  }' "$TMP/results"

ms() {  # runs = $1, then a command: the median wall time of the runs in milliseconds
  runs=$1; shift
  if command -v hyperfine > /dev/null; then  # no shell in between (-N): the program's own start
    hyperfine -N -r "$runs" --export-json "$TMP/hf.json" "$*" > /dev/null 2>&1
    python3 -c 'import json, sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$TMP/hf.json"
    return
  fi
  python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
times = []
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - start) * 1000)
print(f"{statistics.median(times):.1f}")
PY
}
echo "JIT compile with a cold cache (one run), and start with a warm cache (median of 20, by"
echo "hyperfine when installed), of each example's syncs, on empty input:"
for f in "$ROOT"/examples/*/*.sync; do
  schemas=""
  [ -d "$(dirname "$f")/schemas" ] && schemas="--schemas $(dirname "$f")/schemas"
  for sync in $(grep -o '^sync [a-z_]*' "$f" | cut -d' ' -f2); do
    to=salesforce
    grep -q "^sync $sync: hubspot.[a-z]* <- " "$f" && to=hubspot
    rm -rf "$TMP/cache"
    cold=$(ms 1 "$SYNCLINE" transform "$f" $schemas --sync "$sync" --to $to --in /dev/null)
    warm=$(ms 20 "$SYNCLINE" transform "$f" $schemas --sync "$sync" --to $to --in /dev/null)
    echo "  $(basename "$(dirname "$f")")/$(basename "$f") $sync: cold ${cold} ms, warm start ${warm} ms"
  done
done
