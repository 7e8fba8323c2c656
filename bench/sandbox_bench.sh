#!/usr/bin/env bash
# Sandbox benchmark: batch-upsert and paged-read throughput (records/s) with rate limits off,
# and resident memory per stored record, for both sandboxes over loopback HTTP.
# Usage: bash bench/sandbox_bench.sh [records=20000] [client_threads=2]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default >/dev/null
cmake --build --preset default --target sandbox_bench >/dev/null
./build/tests/e2e/sandbox/sandbox_bench "${1:-20000}" "${2:-2}"
