#!/usr/bin/env bash
# Installs what Syncline needs, builds it and runs the main job. This is the README's first
# set-up command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default
exec ./build/syncline demo "$@"
