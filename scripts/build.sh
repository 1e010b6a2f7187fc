#!/bin/sh
# Configures (once) and builds artem into BUILD_DIR (default: build).
set -e
build=${1:-build}
cd "$(dirname "$0")/.."
[ -f "$build/build.ninja" ] || meson setup "$build"
ninja -C "$build"
