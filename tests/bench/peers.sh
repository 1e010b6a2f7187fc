#!/bin/sh
# artem's CPU backend against ONNX Runtime, PyTorch fp32/bf16 and OpenCV DNN on the same
# ONNX files, interleaved rounds (tests/bench/peers.py prints the tables).
# ONNX Runtime comes from npm (onnxruntime-node, CPU library inside the package) into
# BUILD_DIR/peers, installed with --ignore-scripts: its install script would download GPU
# binaries from a host this network does not reach.
# $PEERS=artem,onnxruntime,... limits the peers (tests/bench/peers.py).
# usage: tests/bench/peers.sh [BUILD_DIR] [SIZES] [ROUNDS] [FRAMES] [MODELS]
#   defaults: build 640x360,1280x720 3 5 "TransformerNet (full width),models/default/default-style.onnx"
set -e
build=${1:-build}; sizes=${2:-640x360,1280x720}; rounds=${3:-3}; frames=${4:-5}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bench=$build/bench-models
[ -f "$bench/transformer_net.onnx" ] || /usr/bin/python3 "$here/make_bench_models.py" "$bench" >/dev/null 2>&1
models=${5:-$bench/transformer_net.onnx,$top/models/default/default-style.onnx}
node_dir=$build/peers
if [ ! -d "$node_dir/node_modules/onnxruntime-node" ]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node >/dev/null 2>&1) ||
    echo "onnxruntime-node could not be installed: ONNX Runtime is left out" >&2
fi
exec /usr/bin/python3 "$here/peers.py" "$build" "$models" "$sizes" "$rounds" "$frames" "$(cd "$node_dir" && pwd)"
