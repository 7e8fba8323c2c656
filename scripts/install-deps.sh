#!/usr/bin/env bash
# Installs the Debian 12 packages Syncline builds, tests and runs with.
# Every dependency comes from Debian's own archive; nothing is downloaded from elsewhere.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
PKGS=(
  # build
  cmake ninja-build ccache g++ pkg-config git clang-format
  # front end
  antlr4 libantlr4-runtime-dev
  # code generation (LLVM OrcJIT) and the fuzzer toolchain
  llvm-19-dev clang-19 libclang-rt-19-dev libzstd-dev zlib1g-dev libedit-dev libffi-dev libxml2-dev
  # libraries
  nlohmann-json3-dev doctest-dev libsimdjson-dev libcli11-dev libtomlplusplus-dev
  libcurl4-openssl-dev libcpp-httplib-dev libssl-dev libsqlite3-dev sqlite3
  libphonenumber-dev libicu-dev libre2-dev libprotobuf-dev libboost-dev iso-codes
  libjemalloc-dev
  # tools the benchmarks and tests call
  jq hyperfine time python3
)
if [ -z "${SYNCLINE_SKIP_APT_UPDATE:-}" ]; then $SUDO apt-get update -qq; fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${PKGS[@]}"
