#!/usr/bin/env bash
# Builds Syncline and runs every test (unit, golden, end-to-end, differential).
# This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# Let ccache share results between clones in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset default >/dev/null
cmake --build --preset default
ctest --preset default "$@"
