#!/usr/bin/env bash
# Builds and runs the geo lookup benchmark against the default build's stdlib library.
# Not part of ctest. Usage: bash bench/geo_bench.sh (after cmake --build --preset default).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build --preset default --target syncline_stdlib_native >/dev/null
out=build/bench
mkdir -p "$out"
g++ -std=c++20 -O2 -DNDEBUG -Istdlib/native bench/geo_bench.cpp \
  build/stdlib/native/libsyncline_stdlib_native.a \
  $(pkg-config --libs icu-uc icu-i18n protobuf) -lphonenumber -o "$out/geo_bench"
"$out/geo_bench"
