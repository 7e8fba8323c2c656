#!/usr/bin/env bash
# Sync benchmark (not part of ctest): (a) API calls of an initial sync of N new records each
# way against the minimum, and of a second run with no changes; (b) records/s and peak memory
# of `syncline demo` with rate limits off; (c) a callgrind profile of a small demo.
# (d) API calls of an initial sync of N accounts, opportunities, cases and deals.
# (e) `syncline demo` with every API call answered 40 ms later, as by CRMs across the internet.
# Usage: bash bench/sync_bench.sh [api_n=10000] [demo_n=4000] [profile_n=1000] [objects_n=10000]
#        [latency_n=5000] [latency_ms=40]
# (see docs/runtime.md, Performance, for measured figures)
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-/work} CCACHE_NOHASHDIR=1
cmake --preset default >/dev/null
nice -n 10 cmake --build build -j2 --target syncline >/dev/null
python3 bench/sync_bench.py ./build/syncline "$PWD" --api-n "${1:-10000}" --demo-n "${2:-4000}" \
  --profile-n "${3:-1000}" --objects-n "${4:-10000}" --latency-n "${5:-5000}" \
  --latency-ms "${6:-40}" ${SYNC_BENCH_SKIP:+--skip "$SYNC_BENCH_SKIP"}
