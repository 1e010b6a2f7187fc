#!/usr/bin/python3
"""The pytorch/examples fast_neural_style converter (models/convert.py transformer-net) on
a checkpoint laid out like that project's saved models (its TransformerNet state_dict,
with the in*.running_mean/var entries old checkpoints carry), random weights: libartem's
output of the converted model matches PyTorch.   usage: test_transformer_net.py ARTEM_IMAGE OUT_DIR"""
import os
import sys

from converter_common import args, psnr, run_artem
import cv2
import numpy as np
import torch
import convert  # noqa: E402
from artem_models import nets  # noqa: E402

tool, out = args()
torch.manual_seed(7)
net = nets.TransformerNet()
with torch.no_grad():
    for name, p in net.named_parameters():
        if p.dim() == 1:
            p.copy_(torch.rand(p.shape) * 0.5 + (0.75 if name.endswith("weight") else -0.25))
    net.deconv3.conv2d.bias.fill_(127.0)
    net.deconv3.conv2d.weight.mul_(30.0)
sd = net.state_dict()
for k in list(sd):
    if k.split(".")[0].startswith("in") and k.endswith(".weight"):   # legacy entries
        sd[k.replace("weight", "running_mean")] = torch.zeros_like(sd[k])
        sd[k.replace("weight", "running_var")] = torch.ones_like(sd[k])
torch.save(sd, os.path.join(out, "candy-like.pth"))
model = os.path.join(out, "tn.onnx")
convert.main(["transformer-net", os.path.join(out, "candy-like.pth"), model])
img = cv2.resize(cv2.imread("/usr/share/doc/opencv-doc/examples/data/fruits.jpg"), (96, 72))
ours = run_artem(tool, model, img, out)
with torch.no_grad():
    y = net.eval()(torch.from_numpy(img[:, :, ::-1].copy()).permute(2, 0, 1)[None].float())
ref = y[0].clamp(0, 255).round().permute(1, 2, 0).numpy()[:, :, ::-1].astype(np.float64)
db = psnr(ours, ref)
ok = db >= 45 and ref.std() > 5
print("%s pytorch/examples TransformerNet checkpoint: PSNR %.1f dB vs PyTorch, max diff %d" % (
    "PASS" if ok else "FAIL", db, np.abs(ours - ref).max()))
sys.exit(0 if ok else 1)
