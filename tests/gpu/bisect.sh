#!/bin/bash
# tests/gpu/bisect.sh OUT_DIR — the short GPU diagnostic for a CUDA result that leaves the
# CPU's (tests/cuda/cuda-bisect.c): the operator tests, then default-adain in fp32, fresh
# and re-planned, under the backend's algorithm searches and without CUDA graphs, then the
# model test.  Same build and carry as run.sh:
#   sh tests/gpu/prepare.sh
#   run(command="bash tests/gpu/bisect.sh $OUT", carry=["build-gpu", "gpu-run"], timeout_s=300)
# BISECT_ALL=1 also cuts the net at every value (cuda-bisect prints each against the CPU).
# "bisect.sh OUT workspace": TransformerNet's speed under cuDNN workspace caps instead.
# Everything lands in OUT/bisect.log (the device tool brings back only a few files).
set -u
OUT=${1:?usage: bisect.sh OUT_DIR}
BUILD=${ARTEM_GPU_BUILD:-build-gpu}
RUN=${ARTEM_GPU_RUN:-gpu-run}
PY=${PYTHON:-python3}
MODEL=models/default/default-adain.onnx
mkdir -p "$OUT"
exec > >(tee "$OUT/bisect.log") 2>&1
t0=$(date +%s)
step () { echo "== $(( $(date +%s) - t0 ))s: $*"; }
step environment
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1
grep -m1 'model name' /proc/cpuinfo; nproc
. tests/gpu/env.sh
VALUES=$($PY - "$MODEL" <<'PYEOF' 2>/dev/null
import sys, onnx
skip = {'Constant', 'ConstantOfShape', 'Concat', 'Reshape', 'Slice', 'Transpose', 'Cast',
        'Shape', 'Gather', 'Unsqueeze'}
m = onnx.load(sys.argv[1])
print(' '.join(n.output[0] for n in m.graph.node if n.op_type not in skip))
PYEOF
)
[ -n "$VALUES" ] || VALUES="/conv0/Conv_output_0 features adain.output"

if [ "${2:-}" = workspace ]; then
  # bisect.sh OUT workspace: TransformerNet (fp16, pipelined) under the default workspace
  # policy against fixed caps, with the per-node profile and cuDNN's choice for the
  # decoder's convolutions; then the 1 GiB memory budget test at 2160x1200
  fill_weights transformer-net
  for run in "2160x1200 " "2160x1200 512" "4128x2208 "; do
    set -- $run
    sz=$1; ws=${2:-}
    step "transformer-net $sz workspace ${ws:-default policy}"
    env ${ws:+ARTEM_CUDA_WORKSPACE_MIB=$ws} ARTEM_CUDA_VERBOSE=1 LD_LIBRARY_PATH="$ALP" timeout 60 \
      "$BUILD/gpu/artem-bench" "$RUN/transformer-net.onnx" --size $sz --precision fp16 \
      --frames 20 --warmup 3 --pipelined --backend cuda 2>&1 |
      grep -E "^model=|^mean_ms|deconv.*algorithm|bands" | sed 's/^model=.*device_memory=/device_memory=/'
  done
  step "operators with every convolution that can in 2 bands (ARTEM_CUDA_CONV_BANDS=2)"
  ARTEM_CUDA_CONV_BANDS=2 artem timeout 60 "$BUILD/tests/test-backend-ops" 2>&1 | grep -E "FAIL|passed"
  step "per node, default policy, 2160x1200"
  ARTEM_PROFILE=nodes artem timeout 60 "$BUILD/gpu/artem-bench" "$RUN/transformer-net.onnx" \
    --size 2160x1200 --precision fp16 --frames 5 --warmup 2 --backend cuda 2>&1 | grep -E "deconv|^  Conv|mean_ms"
  step "the 1 GiB budget at 2160x1200 and the shipped models (test-cuda-models)"
  artem timeout 120 "$BUILD/tests/test-cuda-models" --memory "$RUN/transformer-net.onnx" 2160x1200 1024 \
    models/default/default-style.onnx models/default/style-elephants.onnx $MODEL 2>&1 |
    grep -E "FAIL|MiB|passed"
  step done
  exit 0
fi
step "operators (test-backend-ops, the CPU reference fp32)"
artem timeout 60 "$BUILD/tests/test-backend-ops" 2>&1 | grep -E "FAIL|passed" | head -20
step "cuDNN's choice for /conv31/Conv at 336x188, fp32 (the first node that left the CPU's)"
ARTEM_CUDA_VERBOSE=1 artem timeout 40 "$BUILD/tests/cuda-bisect" $MODEL 336x188 /conv31/Conv_output_0 2>&1 |
  grep -E "conv31/Conv\|1\|32\|49\|86\|0|conv31/Conv_output_0  .*fresh  run 0"
# each variant: the frame path (333x187, margins 0 and 12), the whole net and the net cut
# after /conv31/Conv, fresh and re-planned
# (December 2026 also tried a fresh cuDNN handle after the searches and leaving out
# algorithm 0 or 1; neither helped, and those switches are gone)
for v in "" ARTEM_CUDA_ALGO_SEARCH=find ARTEM_CUDA_ALGO_SEARCH=heuristic ARTEM_CUDA_NO_GRAPHS=1; do
  step "variant: ${v:-as built}"
  env $v LD_LIBRARY_PATH="$ALP" timeout 60 "$BUILD/tests/cuda-bisect" $MODEL 336x188 /conv31/Conv_output_0 2>&1 |
    grep -E "run 0|cannot|reshape|run:" | grep -v "CPU"
done
if [ "${BISECT_ALL:-0}" = 1 ]; then
  step "default-adain fp32, cut at every value, 336x188 (the 333x187 frame at alignment 4)"
  artem timeout 100 "$BUILD/tests/cuda-bisect" $MODEL 336x188 $VALUES
fi
step "the model test (default-adain), as built"
artem timeout 60 "$BUILD/tests/test-cuda-models" $MODEL 2>&1 | grep -E "FAIL|passed"
step done
