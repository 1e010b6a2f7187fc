#!/bin/sh
# Builds and runs every test that needs no GPU and no network, then the bad-input suite
# under valgrind (memory errors and leaks fail it).  CI (.ci/run) calls this.
# usage: scripts/test.sh [BUILD_DIR]
set -e
build=${1:-build}
cd "$(dirname "$0")/.."
scripts/build.sh "$build"
meson test -C "$build" --print-errorlogs
meson test -C "$build" --setup valgrind --suite bad-input --print-errorlogs
