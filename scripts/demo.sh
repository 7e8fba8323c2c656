#!/usr/bin/env bash
# Installs what Syncline needs, builds it and runs the main job, `syncline demo`: a full sync
# between in-process HubSpot and Salesforce sandboxes with demo data and SQLite state. This is
# the README's first set-up command; extra arguments go to `syncline demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset default >/dev/null
cmake --build --preset default
exec ./build/syncline demo "$@"
