#!/usr/bin/python3
"""PyTorch (Debian python3-torch, CPU) as a speed peer on the TransformerNet family: the
network of models/artem_models/nets.py with the ONNX file's own weights (their names are
the state_dict's), 2 threads, channels_last, inference mode.  fp32, or bf16: the best of
autocast (oneDNN bf16 convolutions, fp32 elsewhere) and the whole net in bf16.  Prints
the ms of each frame (after 2 warm-ups) as one JSON line.
usage: torch_bench.py MODEL.onnx WxH FRAMES fp32|bf16"""
import json
import os
import re
import sys
import time

import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models"))
from artem_models import nets  # noqa: E402

model, size, frames, precision = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
w, h = map(int, size.split("x"))
torch.set_num_threads(2)
m = onnx.load(model)
sd = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
width = sd["conv1.conv2d.weight"].shape[0] / 32
net = nets.TransformerNet(width=width).eval()
net.load_state_dict({k: sd[k] for k in net.state_dict()})
x0 = torch.rand(1, 3, h, w) * 255


def timed(fn):
    out = []
    for i in range(frames + 2):
        t0 = time.perf_counter()
        fn()
        if i >= 2:
            out.append((time.perf_counter() - t0) * 1000)
    return out


def median(v):
    return sorted(v)[len(v) // 2]


best, how = None, None
with torch.inference_mode():
    # the best of NCHW and channels_last (and, in bf16, of autocast and the whole net in
    # bf16, which PyTorch 1.13 cannot run: it has no bf16 reflection padding)
    for layout in (torch.contiguous_format, torch.channels_last):
        n = net.to(memory_format=layout)
        x = x0.contiguous(memory_format=layout)
        tag = "nchw" if layout == torch.contiguous_format else "channels_last"
        if precision == "fp32":
            trials = [("fp32-" + tag, lambda: n(x))]
        else:
            def autocast(n=n, x=x):
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    n(x)
            trials = [("bf16-autocast-" + tag, autocast)]
            nb, xb = n.to(torch.bfloat16), x.to(torch.bfloat16)
            trials.append(("bf16-whole-net-" + tag, lambda: nb(xb)))
        for name, fn in trials:
            try:
                ms = timed(fn)
            except RuntimeError:
                continue
            if best is None or median(ms) < median(best):
                best, how = ms, name
        net = net.float()
ms = best
print(json.dumps({"peer": "pytorch-%s-%s" % (torch.__version__, how), "ms": ms}))
