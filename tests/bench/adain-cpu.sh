#!/bin/sh
# AdaIN on the CPU: artem-bench on the cd-vgg19-16x relu4_1 AdaIN model (encoder + AdaIN +
# decoder, style statistics cached) and PyTorch CPU on the same network, same sizes, one run;
# each in fp32 and in bf16 (artem: precision auto, bf16 on CPUs with AVX512-BF16/AMX;
# PyTorch: autocast).
# usage: tests/bench/adain-cpu.sh [BUILD_DIR] [FRAMES]
set -e
build=${1:-build}; frames=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
w=$here/../../../shared/weights/cd-vgg19-16x
m=$build/bench-models/adain-cd41.onnx
mkdir -p "$build/bench-models"
[ -f "$m" ] || /usr/bin/python3 "$here/../../models/convert.py" adain-cd "$w/encoder-relu4_1.pth" "$w/decoder-relu4_1.pth" "$m" >/dev/null 2>&1
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for size in 1280x720 2160x1200; do
  echo "# AdaIN cd-vgg19-16x relu4_1 at $size"
  "$build/gpu/artem-bench" "$m" --backend cpu --size "$size" --frames "$frames" --precision fp32 | grep -v frame_ms
  "$build/gpu/artem-bench" "$m" --backend cpu --size "$size" --frames "$frames" | grep -v frame_ms
  /usr/bin/python3 "$here/adain_torch_bench.py" "$size" "$frames" fp32 2>/dev/null
  /usr/bin/python3 "$here/adain_torch_bench.py" "$size" "$frames" bf16 2>/dev/null
done
