"""Keeps the GPU check's carry small: the benchmark networks' weights are seeded random, so
they need not travel.  `strip` (here, in prepare.sh) empties every float initializer of
more than 4096 values and notes in its doc_string the largest magnitude it held; `fill`
(on the GPU machine, in run.sh) puts back seeded uniform values of that magnitude, which
cost the same to run.  Small tensors (biases, norms, style statistics) travel as they are.

  python3 tests/gpu/weights.py strip net.onnx net.skel.onnx
  python3 tests/gpu/weights.py fill net.skel.onnx net.onnx
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

TAG = "artem-stripped max_abs="


def strip(src, dst):
    m = onnx.load(src)
    for t in m.graph.initializer:
        if t.data_type != onnx.TensorProto.FLOAT:
            continue
        a = numpy_helper.to_array(t)
        if a.size <= 4096:
            continue
        dims = list(t.dims)
        t.ClearField("raw_data")
        t.ClearField("float_data")
        t.doc_string = TAG + repr(float(np.abs(a).max()))
        del t.dims[:]
        t.dims.extend(dims)
        t.raw_data = b""
    onnx.save(m, dst)


def fill(src, dst):
    m = onnx.load(src)
    rng = np.random.default_rng(0)
    for t in m.graph.initializer:
        if not t.doc_string.startswith(TAG):
            continue
        b = float(t.doc_string[len(TAG):])
        a = rng.uniform(-b, b, size=tuple(t.dims)).astype(np.float32)
        t.doc_string = ""
        t.raw_data = a.tobytes()
    onnx.save(m, dst)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("strip", "fill"):
        sys.exit(__doc__)
    (strip if sys.argv[1] == "strip" else fill)(sys.argv[2], sys.argv[3])
