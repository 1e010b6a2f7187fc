#!/bin/sh
# Generates the PyTorch reference fixtures (tests/torch/gen_reference.py) into a build
# folder and checks libartem against them.  SKIP (77) without Debian's python3-torch.
# usage: run.sh CHECKER OUT_DIR
set -e
here=$(dirname "$0")
if ! /usr/bin/python3 -c "import torch, onnx" 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no torch/onnx (install python3-torch python3-onnx)"
  exit 77
fi
[ -f "$2/cases.txt" ] || /usr/bin/python3 "$here/gen_reference.py" "$2" 2>/dev/null
exec "$1" "$2"
