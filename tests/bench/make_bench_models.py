#!/usr/bin/python3
"""Writes the benchmark models: the full-width pytorch/examples TransformerNet with random
weights, at opset 9 (ONNX model zoo style) into OUT_DIR/transformer_net.onnx.
usage: make_bench_models.py OUT_DIR"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models"))
from artem_models import nets  # noqa: E402
from artem_models.onnx_export import export  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
net = nets.TransformerNet()
with torch.no_grad():  # distinct norm parameters (equal ones become Identity nodes)
    for name, p in net.named_parameters():
        if p.dim() == 1:
            p.copy_(torch.rand(p.shape) * 0.5 + (0.75 if name.endswith("weight") else -0.25))
export(net, os.path.join(out, "transformer_net.onnx"),
       torch.rand(1, 3, 64, 64) * 255, opset=9)
print(os.path.join(out, "transformer_net.onnx"))
