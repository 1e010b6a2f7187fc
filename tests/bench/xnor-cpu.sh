#!/bin/sh
# XNOR on the CPU: the binary against the float convolution on the residual-block shape,
# then the shipped style network end to end at 640x360 in each mode, one run.
# usage: tests/bench/xnor-cpu.sh [BUILD_DIR] [FRAMES]
set -e
build=${1:-build}; frames=${2:-5}
m=$(dirname "$0")/../../models/default/default-style.onnx
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$build/tests/xnor-bench" 128 128 270 480 10
for mode in none weights:inner xnor:residual xnor:inner; do
  if [ $mode = none ]; then
    "$build/gpu/artem-bench" "$m" --backend cpu --size 640x360 --frames "$frames"
  else
    "$build/gpu/artem-bench" "$m" --backend cpu --size 640x360 --frames "$frames" --binarize "${mode%%:*}" --layers "${mode#*:}"
  fi
done
