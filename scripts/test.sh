#!/usr/bin/env bash
# Builds Syncline and runs every test (unit, golden, end-to-end, differential).
# This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default >/dev/null
cmake --build --preset default
ctest --preset default "$@"
