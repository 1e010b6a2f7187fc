#!/bin/bash
# tests/gpu/run.sh OUT_DIR — the whole GPU check, on a machine with an NVIDIA GPU, in under
# five minutes: every CUDA test, the benchmarks, the PyTorch side-by-side, a results table.
# Logs and results.md go to OUT_DIR.
#
# Uses the build in $ARTEM_GPU_BUILD (default build-gpu) and the models in $ARTEM_GPU_RUN
# (default gpu-run), both made here by tests/gpu/prepare.sh; if the build is missing and
# meson + nvcc are present it builds.  NVIDIA's libraries are found in the Python
# packages (nvidia-cudnn-cu13, ...) when not installed system-wide; the engine's other
# runtime libraries in $ARTEM_GPU_RUN/deps when prepare.sh put them there.
#
# The device tool call (see doc/performance.md):
#   sh tests/gpu/prepare.sh
#   run(command="bash tests/gpu/run.sh $OUT", carry=["build-gpu", "gpu-run"], timeout_s=420)
set -u
OUT=${1:?usage: run.sh OUT_DIR}
BUILD=${ARTEM_GPU_BUILD:-build-gpu}
RUN=${ARTEM_GPU_RUN:-gpu-run}
PY=${PYTHON:-python3}
SIZE=${ARTEM_GPU_SIZE:-2160x1200}
# ARTEM_GPU_DRY=1: the plumbing on a machine without a GPU (CPU backend, tiny sizes)
DRY=${ARTEM_GPU_DRY:-0}
BACKEND=cuda
PEER_ARGS=""
if [ "$DRY" = 1 ]; then
  SIZE=96x64; BACKEND=cpu; PEER_ARGS="--variants eager --iters 2"
fi
mkdir -p "$OUT"
exec > >(tee "$OUT/run.log") 2>&1
t0=$(date +%s)
step () { echo "== $(( $(date +%s) - t0 ))s: $*"; }

step environment
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | tee "$OUT/gpu.txt"
. tests/gpu/env.sh
fill_weights transformer-net adain-vgg19
echo "artem's LD_LIBRARY_PATH=$ALP"
artem () { LD_LIBRARY_PATH="$ALP" "$@"; }
if [ ! -x "$BUILD/gpu/artem-bench" ] && command -v meson >/dev/null; then
  step build
  meson setup "$BUILD" --buildtype=release -Dcuda=enabled -Dgst=disabled && ninja -C "$BUILD"
fi
artem ldd "$BUILD/gpu/libartem.so" | tee "$OUT/ldd.txt" | grep "not found" && echo "MISSING LIBRARIES (see ldd.txt)"

status=0
step "CUDA operators vs CPU (test-backend-ops)"
artem "$BUILD/tests/test-backend-ops" -v > "$OUT/backend-ops.log" 2>&1; rc=$?
tail -n 3 "$OUT/backend-ops.log"; grep FAIL "$OUT/backend-ops.log" | head -20
[ $rc -eq 77 ] && echo "SKIPPED: no usable GPU"
[ $rc -eq 0 ] || status=1

step "whole models on the GPU (test-cuda-models)"
artem timeout 120 "$BUILD/tests/test-cuda-models" --memory "$RUN/transformer-net.onnx" 2160x1200 1024 \
  models/default/default-style.onnx models/default/style-elephants.onnx \
  models/default/style-graffiti.onnx models/default/style-cafe.onnx \
  models/default/default-adain.onnx > "$OUT/cuda-models.log" 2>&1; rc=$?
grep -E "FAIL|MiB|passed|SKIP" "$OUT/cuda-models.log" | head -30
[ $rc -eq 0 ] || status=1

step benchmarks
: > "$OUT/bench.log"
bench () { artem timeout 60 "$BUILD/gpu/artem-bench" "$@" --backend $BACKEND >> "$OUT/bench.log" 2>&1 || echo "bench failed: $*" | tee -a "$OUT/bench.log"; }
bench "$RUN/transformer-net.onnx" --size "$SIZE" --precision fp16 --frames 200 --warmup 10
bench "$RUN/transformer-net.onnx" --size "$SIZE" --precision fp16 --frames 200 --warmup 10 --pipelined
bench "$RUN/transformer-net.onnx" --size "$SIZE" --precision fp32 --frames 50 --warmup 5
if [ "$DRY" != 1 ]; then
  bench "$RUN/transformer-net.onnx" --size 1080x1200 --precision fp16 --frames 200 --warmup 10 --pipelined
  bench "$RUN/transformer-net.onnx" --size 4128x2208 --precision fp16 --frames 50 --warmup 5 --pipelined
fi
bench "$RUN/adain-vgg19.onnx" --size "$SIZE" --precision fp16 --frames 60 --warmup 5
bench "$RUN/adain-vgg19.onnx" --size "$SIZE" --precision fp16 --frames 60 --warmup 5 --pipelined
bench models/default/default-style.onnx --size "$SIZE" --precision fp16 --frames 100 --warmup 5 --pipelined
bench models/default/default-adain.onnx --size "$SIZE" --precision fp16 --frames 100 --warmup 5 --pipelined
# artemstylize's frame settings (margin 16, stabilisation, the host-side motion search on
# frames that move 3 px each: gpu/motion.c), against the same without the search
bench models/default/default-style.onnx --size "$SIZE" --precision fp16 --frames 100 --warmup 6 --pipelined --margin 16 --stabilize 1 --motion-search 0
bench models/default/default-style.onnx --size "$SIZE" --precision fp16 --frames 100 --warmup 6 --pipelined --margin 16 --stabilize 1 --motion-search 6
grep -E "^model=|^mean_ms|failed" "$OUT/bench.log"
step "binary vs float convolution on the GPU (3x3 128->128, 480x270)"
artem timeout 60 "$BUILD/tests/xnor-bench" 128 128 270 480 50 cuda 2>&1 | tee "$OUT/xnor-bench.log"

step "diagnostics: time per node (ARTEM_PROFILE=nodes), cuDNN's choices (ARTEM_CUDA_VERBOSE)"
for sz in "$SIZE" 4128x2208; do
  ARTEM_PROFILE=nodes artem timeout 60 "$BUILD/gpu/artem-bench" "$RUN/transformer-net.onnx" \
    --size "$sz" --precision fp16 --frames 5 --warmup 2 --backend $BACKEND
done > "$OUT/profile.log" 2>&1
ARTEM_PROFILE=nodes artem timeout 60 "$BUILD/gpu/artem-bench" "$RUN/adain-vgg19.onnx" \
  --size "$SIZE" --precision fp16 --frames 5 --warmup 2 --backend $BACKEND >> "$OUT/profile.log" 2>&1
grep -A12 "^artem profile" "$OUT/profile.log"
# does the 128 MiB workspace cap cost speed at 4K? (the same run with 1 GiB)
WS_SIZE=4128x2208
[ "$DRY" = 1 ] && WS_SIZE=$SIZE
ARTEM_CUDA_WORKSPACE_MIB=1024 artem timeout 60 "$BUILD/gpu/artem-bench" "$RUN/transformer-net.onnx" \
  --size $WS_SIZE --precision fp16 --frames 20 --warmup 3 --pipelined --backend $BACKEND \
  > "$OUT/workspace.log" 2>&1
grep mean_ms "$OUT/workspace.log" | sed "s/^/workspace 1 GiB, $WS_SIZE: /"
for k in 1 2; do
  ARTEM_CUDA_VERBOSE=1 artem timeout 60 "$BUILD/tests/test-cuda-models" models/default/default-adain.onnx
done > "$OUT/adain-verbose.log" 2>&1
grep -E "passed|worst" "$OUT/adain-verbose.log"
# a write past any buffer's end? (guard tails behind every device allocation)
ARTEM_CUDA_GUARD=1 artem timeout 90 "$BUILD/tests/test-cuda-models" models/default/default-adain.onnx \
  > "$OUT/guard.log" 2>&1
grep -E "past its end|intact" "$OUT/guard.log" | sort | uniq -c | head -20

step "PyTorch side by side"
timeout 200 $PY tests/gpu/torch_peer.py --models "$RUN" --size "$SIZE" $PEER_ARGS --out "$OUT/torch-peer.json" \
  > "$OUT/torch-peer.log" 2>&1 || { echo "torch peer failed"; tail -5 "$OUT/torch-peer.log"; }
grep -E "^transformer|^adain" "$OUT/torch-peer.log"

step "results table"
$PY tests/gpu/table.py "$OUT" > "$OUT/results.md" && cat "$OUT/results.md"
step "done (status $status)"
# the device tool brings back only a few files: the logs travel as one archive
(cd "$OUT" && logs=$(ls | grep -v -e '^run.log$' -e '^results.md$' -e '^logs.tar.gz$') &&
 [ -n "$logs" ] && tar czf logs.tar.gz $logs && rm -f $logs)
exit $status
