#!/bin/sh
# CPU benchmark: artem-bench and OpenCV DNN on the same ONNX file, same size, one run.
# usage: tests/bench/cpu-vs-opencv.sh [BUILD_DIR] [WxH] [FRAMES]
set -e
build=${1:-build}; size=${2:-640x360}; frames=${3:-10}
here=$(dirname "$0")
models=$build/bench-models
[ -f "$models/transformer_net.onnx" ] || /usr/bin/python3 "$here/make_bench_models.py" "$models" >/dev/null 2>&1
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# TransformerNet (pytorch/examples, full width) at $size, $frames frames"
"$build/gpu/artem-bench" "$models/transformer_net.onnx" --backend cpu --size "$size" --frames "$frames"
/usr/bin/python3 "$here/opencv_dnn_bench.py" "$models/transformer_net.onnx" "$size" "$frames"
