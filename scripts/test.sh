#!/bin/sh
# Builds and runs every test that needs no GPU and no network, then the bad-input suite
# and the 1000-frame artemstylize run under valgrind (memory errors and definite leaks
# fail them), then the engine and element suites built with ASan + UBSan
# (scripts/sanitize.sh, in BUILD_DIR-asan).  Each test's skip reasons are printed at the
# end.  CI (.ci/run) calls this.
# usage: scripts/test.sh [BUILD_DIR]
set -e
build=${1:-build}
cd "$(dirname "$0")/.."
scripts/build.sh "$build"
skips() {
  # "SKIP..." lines the tests printed (meson's console shows only the verdict)
  grep -h "^SKIP" "$@" 2>/dev/null | sort -u | sed 's/^/  /'
}
meson test -C "$build" --print-errorlogs
meson test -C "$build" --setup valgrind --suite bad-input --suite gst-long --print-errorlogs
scripts/sanitize.sh "$build-asan"
echo "skipped (reasons from the tests' output):"
skips "$build/meson-logs/testlog.txt" "$build/meson-logs/testlog-valgrind.txt" \
      "$build-asan/meson-logs/testlog-asan.txt"
