#!/bin/sh
# Builds artem with AddressSanitizer + UndefinedBehaviorSanitizer into BUILD_DIR (default
# build-asan) and runs the engine, bad-input and element (GstHarness / GstCheck) suites
# there through `meson test --setup asan`: any ASan or UBSan report fails the test.
# scripts/test.sh (the README's test command, and so CI) calls it.
#
# Left out: the shell-driven tests other than artemadain's wrapper (they run gst-launch-1.0, which is not built with ASan
# and cannot load a sanitized plugin), the reference and CUDA-emulator suites (slow; they
# exercise the same CPU kernels as the conformance suite), and the valgrind long run.
# Leak checking stays with valgrind (scripts/test.sh): LeakSanitizer cannot tell GLib's
# and GStreamer's process-lifetime allocations from leaks.
# usage: scripts/sanitize.sh [BUILD_DIR]
set -e
build=${1:-build-asan}
cd "$(dirname "$0")/.."
[ -f "$build/build.ninja" ] || meson setup "$build" -Db_sanitize=address,undefined \
  -Db_lundef=false -Dbuildtype=debugoptimized -Dcuda=disabled \
  -Dc_args=-fno-sanitize-recover=undefined
ninja -C "$build"
# the compiled tests only (their names, from the introspection data)
tests=$(meson introspect "$build" --tests | /usr/bin/python3 -c '
import json, os, sys
suites = {"engine", "bad-input", "conformance", "gst"}
build = os.path.realpath(sys.argv[1])
for t in json.load(sys.stdin):
    # programs built here; scripts and interpreters (gst-launch-1.0, python3: not
    # sanitized, so they cannot load a sanitized plugin) stay out; adain.sh execs its test
    prog = os.path.realpath(t["cmd"][0])
    compiled = prog.startswith(build + os.sep) or t["name"] == "artemadain"
    if suites & {s.split(":")[-1] for s in t["suite"]} and compiled:
        print(t["name"])' "$build")
# shellcheck disable=SC2086
meson test -C "$build" --setup asan --print-errorlogs $tests
