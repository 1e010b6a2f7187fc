#!/usr/bin/python3
"""PyTorch (Debian python3-torch, CPU, float32) as the speed peer for AdaIN: the same
cd-vgg19-16x relu4_1 encoder, AdaIN and decoder at a frame size, 8-bit frame in and out;
bf16: under torch.autocast (oneDNN bf16 convolutions).
usage: adain_torch_bench.py WxH FRAMES [fp32|bf16]"""
import os
import sys
import time

import numpy as np
import torch

top = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(top, "models"))
import convert  # noqa: E402

w, h = map(int, sys.argv[1].split("x"))
frames = int(sys.argv[2])
precision = sys.argv[3] if len(sys.argv) > 3 else "fp32"
d = os.path.join(top, "..", "shared", "weights", "cd-vgg19-16x")
enc, dec = convert.load_cd_vgg(os.path.join(d, "encoder-relu4_1.pth"), os.path.join(d, "decoder-relu4_1.pth"), "relu4_1")
enc.eval()
dec.eval()
torch.set_num_threads(os.cpu_count())
img = (np.random.default_rng(0).random((h, w, 3)) * 255).astype(np.uint8)
sm, ss = torch.rand(1, 128, 1, 1), torch.rand(1, 128, 1, 1) + 0.5
times = []
with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
    for i in range(frames + 2):
        t0 = time.perf_counter()
        x = torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255
        f = enc(x)
        v = f.view(1, 128, -1)
        m, s = v.mean(2).view(1, 128, 1, 1), (v.var(2) + 1e-5).sqrt().view(1, 128, 1, 1)
        y = dec((f.float() - m) / s * ss + sm).float()
        out = (y.clamp(0, 1) * 255).byte()[0].permute(1, 2, 0).numpy()
        if i >= 2:
            times.append((time.perf_counter() - t0) * 1000)
mean = sum(times) / len(times)
print("peer=pytorch-%s-cpu-%s threads=%d size=%dx%d frames=%d" % (torch.__version__, precision, torch.get_num_threads(), w, h, frames))
print("mean_ms=%.2f best_ms=%.2f fps=%.2f" % (mean, min(times), 1000 / mean))
