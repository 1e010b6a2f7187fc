#!/usr/bin/python3
"""The AdaIN-release converter (models/convert.py adain) on files laid out exactly like
naoto0804/pytorch-AdaIN's vgg_normalised.pth and decoder.pth (that repository's net.py
nn.Sequential definitions, random weights: the real files are not in ../shared): the
converted model, run by libartem, matches PyTorch running those Sequentials with AdaIN's
formula (style statistics mean 0 / std 1, alpha 1: the model's defaults).
usage: test_adain_release.py ARTEM_IMAGE OUT_DIR"""
import os
import sys

from converter_common import args, psnr, run_artem
import numpy as np
import torch
import torch.nn as nn
import convert  # noqa: E402

tool, out = args()
P, R, U = (lambda: nn.ReflectionPad2d((1, 1, 1, 1))), nn.ReLU, (lambda: nn.Upsample(scale_factor=2, mode="nearest"))
M = lambda: nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True)  # noqa: E731
C = lambda a, b: nn.Conv2d(a, b, (3, 3))  # noqa: E731
decoder = nn.Sequential(P(), C(512, 256), R(), U(), P(), C(256, 256), R(), P(), C(256, 256), R(),
                        P(), C(256, 256), R(), P(), C(256, 128), R(), U(), P(), C(128, 128), R(),
                        P(), C(128, 64), R(), U(), P(), C(64, 64), R(), P(), C(64, 3))
vgg = nn.Sequential(nn.Conv2d(3, 3, (1, 1)), P(), C(3, 64), R(), P(), C(64, 64), R(), M(),
                    P(), C(64, 128), R(), P(), C(128, 128), R(), M(),
                    P(), C(128, 256), R(), P(), C(256, 256), R(), P(), C(256, 256), R(), P(), C(256, 256), R(), M(),
                    P(), C(256, 512), R(), P(), C(512, 512), R(), P(), C(512, 512), R(), P(), C(512, 512), R(), M(),
                    P(), C(512, 512), R(), P(), C(512, 512), R(), P(), C(512, 512), R(), P(), C(512, 512), R())
torch.manual_seed(5)
with torch.no_grad():
    for mod in (vgg, decoder):
        for m in mod.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.normal_(0, (2.0 / m.weight[0].numel()) ** 0.5)
                m.bias.normal_(0, 0.05)
enc = nn.Sequential(*list(vgg.children())[:31])
x = torch.rand(1, 3, 48, 64)
with torch.no_grad():
    f = enc(x)
    v = f.view(1, 512, -1)
    t = (f - v.mean(2).view(1, 512, 1, 1)) / (v.var(2) + 1e-5).sqrt().view(1, 512, 1, 1)
    y = decoder(t)
    last = decoder[-1]   # bring the output into 0..1 so 8-bit comparison is meaningful
    last.weight.mul_(0.2 / y.std())
    last.bias.add_(0.5 - decoder(t).mean())
    y = decoder(t)
torch.save(vgg.state_dict(), os.path.join(out, "vgg_normalised.pth"))
torch.save(decoder.state_dict(), os.path.join(out, "decoder.pth"))
model = os.path.join(out, "adain-release.onnx")
convert.main(["adain", os.path.join(out, "vgg_normalised.pth"), os.path.join(out, "decoder.pth"), model])
img = (x[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
# our frame path converts 8-bit input: give PyTorch the same quantized input
xq = torch.from_numpy(img.astype(np.float32) / 255).permute(2, 0, 1)[None]
with torch.no_grad():
    f = enc(xq)
    v = f.view(1, 512, -1)
    ref = decoder((f - v.mean(2).view(1, 512, 1, 1)) / (v.var(2) + 1e-5).sqrt().view(1, 512, 1, 1))
ref = (ref[0].clamp(0, 1) * 255).round().permute(1, 2, 0).numpy()
ours = run_artem(tool, model, img[:, :, ::-1].copy(), out)[:, :, ::-1]
db = psnr(ours, ref)
ok = db >= 45
print("%s AdaIN release layout: PSNR %.1f dB vs PyTorch, max diff %d, output std %.1f" % (
    "PASS" if ok else "FAIL", db, np.abs(ours - ref).max(), ref.std()))
sys.exit(0 if ok and ref.std() > 5 else 1)
