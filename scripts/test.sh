#!/bin/sh
# Builds and runs every test that needs no GPU and no network, then the bad-input suite
# and the 1000-frame artemstylize run under valgrind (memory errors and definite leaks
# fail them).  CI (.ci/run) calls this.
# usage: scripts/test.sh [BUILD_DIR]
set -e
build=${1:-build}
cd "$(dirname "$0")/.."
scripts/build.sh "$build"
meson test -C "$build" --print-errorlogs
meson test -C "$build" --setup valgrind --suite bad-input --suite gst-long --print-errorlogs
