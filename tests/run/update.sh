#!/bin/sh
# Rewrites the expectations of every transform test: tests/run/update.sh build/syncline
set -e
dir=$(dirname "$0")
for f in "$dir"/*.sync; do python3 "$dir/run_test.py" "$1" "$f" --autoupdate; done
