#!/bin/sh
# Builds a libFuzzer target with clang (ASan + UBSan) and runs it for SECONDS (default
# 600); prints libFuzzer's final lines (executions, crashes).  Findings go to
# BUILD_DIR/fuzz/TARGET/ (crash-*, timeout-*, oom-*).
#   load:    the model loader: any bytes are loaded, sized and run.  Seeds:
#            tests/fuzz/corpus (ONNX node tests, a saved BinaryConv model, the shape-op
#            and BinaryConv models of tests/bad-input/test-hostile-models.c, written with
#            ARTEM_DUMP_SEEDS=DIR); dictionary tests/fuzz/onnx.dict.
#   element: artemstylize / artemxnorconv through GstHarness: an 8-byte header (element,
#            frame size, format, row padding, interlacing, live property changes and a
#            model swap) then model bytes.  Seeds: the same models behind generated
#            headers, and the shipped test models.
#   $ARTEM_FUZZ_DNNL=1 builds with oneDNN (libdnnl-dev) and forces every Conv and
#   ConvTranspose onto it (ARTEM_CONV_IMPL=dnnl), so its kernels, reorders and the packed
#   and deconvolution set-ups meet the hostile shapes too.
# usage: tests/fuzz/run.sh [SECONDS] [BUILD_DIR] [load|element]
#        (needs clang, libclang-rt-14-dev and, for element, libgstreamer1.0-dev)
set -e
secs=${1:-600}
build=${2:-build}
target=${3:-load}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/$build/fuzz/$target
mkdir -p "$out/corpus"
[ -f "$top/$build/gpu/onnx.pb-c.c" ] || ninja -C "$top/$build" gpu/onnx.pb-c.c
engine="$top/gpu/*.c $top/gpu/cpu/*.c $top/$build/gpu/onnx.pb-c.c"
flags="-std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -D_GNU_SOURCE -Wno-unknown-pragmas -I$top/gpu/include -I$top/gpu -I$top/$build/gpu"
dnnl_libs=""
if [ "${ARTEM_FUZZ_DNNL:-0}" = 1 ]; then
  flags="$flags -DARTEM_HAVE_DNNL"
  dnnl_libs=-ldnnl
  export ARTEM_CONV_IMPL=dnnl
  out=$out-dnnl
  mkdir -p "$out/corpus"
fi
case $target in
  load)
    # shellcheck disable=SC2086
    clang $flags $(pkg-config --cflags glib-2.0 libprotobuf-c openblas) \
      "$here/fuzz-load.c" $engine \
      $(pkg-config --libs glib-2.0 libprotobuf-c openblas) $dnnl_libs -lgomp -lm -o "$out/fuzz"
    cp "$here"/corpus/* "$out/corpus/" 2>/dev/null || true
    opts="-max_len=65536 -dict=$here/onnx.dict"
    asan=allocator_may_return_null=1:detect_leaks=1 ;;
  element)
    gstpkgs="gstreamer-1.0 gstreamer-base-1.0 gstreamer-video-1.0 gstreamer-check-1.0"
    # shellcheck disable=SC2086
    clang $flags -I"$top/gst" -DARTEM_VERSION='"fuzz"' -DARTEM_MODELDIR='"/nonexistent"' \
      $(pkg-config --cflags glib-2.0 libprotobuf-c openblas $gstpkgs) \
      "$here/fuzz-element.c" "$top/gst/gstartembasefilter.c" "$top/gst/gstartemstylize.c" \
      "$top/gst/gstartemxnorconv.c" "$top/gst/artemloader.c" $engine \
      $(pkg-config --libs glib-2.0 libprotobuf-c openblas $gstpkgs) $dnnl_libs -lgomp -lm -o "$out/fuzz"
    # seeds: every model seed behind a few headers
    i=0
    for m in "$here"/corpus/*.onnx "$top"/tests/data/identity-*.onnx "$top"/tests/data/unsizable.onnx; do
      for hdr in '\000\037\000\027\000\000\000\000' '\001\061\000\013\003\011\007\125' \
                 '\002\120\000\074\007\041\014\027'; do
        printf "$hdr" > "$out/corpus/seed-$i"; cat "$m" >> "$out/corpus/seed-$i"; i=$((i + 1))
      done
    done
    printf '\000\040\000\030\000\003\002\101' > "$out/corpus/seed-tiny"
    cat "$top/tests/data/tiny-style-a.onnx" >> "$out/corpus/seed-tiny"
    export ARTEM_FUZZ_SECOND_MODEL="$top/tests/data/tiny-style-b.onnx"
    opts="-max_len=200000 -dict=$here/onnx.dict"
    asan=allocator_may_return_null=1:detect_leaks=0 ;;
  *) echo "unknown target $target (load or element)"; exit 2 ;;
esac
cd "$out"
# shellcheck disable=SC2086
ASAN_OPTIONS=$asan "$out/fuzz" -max_total_time="$secs" -rss_limit_mb=4096 \
  -malloc_limit_mb=1024 -timeout=30 -print_final_stats=1 $opts -artifact_prefix="$out/" \
  "$out/corpus" > "$out/fuzz.log" 2>&1 || true
tail -25 "$out/fuzz.log"
