#!/bin/sh
# Builds the libFuzzer target for the model loader with clang (ASan + UBSan) and runs it
# for SECONDS (default 600) on the seed corpus in tests/fuzz/corpus (ONNX node tests,
# BinaryConv and shape-op seeds from tests/bad-input/test-hostile-models.c written with
# ARTEM_DUMP_SEEDS=DIR) with the dictionary tests/fuzz/onnx.dict.
# usage: tests/fuzz/run.sh [SECONDS] [BUILD_DIR]   (needs clang and libclang-rt-14-dev)
set -e
secs=${1:-600}
build=${2:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/$build/fuzz
mkdir -p "$out" "$out/corpus"
[ -f "$top/$build/gpu/onnx.pb-c.c" ] || ninja -C "$top/$build" gpu/onnx.pb-c.c
clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -D_GNU_SOURCE -Wno-unknown-pragmas -I"$top/gpu/include" -I"$top/gpu" -I"$top/$build/gpu" \
  $(pkg-config --cflags glib-2.0 libprotobuf-c openblas) \
  "$here/fuzz-load.c" "$top"/gpu/*.c "$top"/gpu/cpu/*.c "$top/$build/gpu/onnx.pb-c.c" \
  $(pkg-config --libs glib-2.0 libprotobuf-c openblas) -lgomp -lm -o "$out/fuzz-load"
cp "$here"/corpus/* "$out/corpus/" 2>/dev/null || true
ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1 \
  "$out/fuzz-load" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
  -malloc_limit_mb=512 -timeout=20 -print_final_stats=1 -jobs=1 -workers=1 \
  -dict="$here/onnx.dict" -artifact_prefix="$out/" "$out/corpus" 2>&1 | tail -25
