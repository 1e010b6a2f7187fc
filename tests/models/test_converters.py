#!/usr/bin/python3
"""Converters against PyTorch: each real network in ../shared/weights is converted to ONNX
by models/convert.py, run by libartem (artem-image, CPU) on an opencv-doc photo, and
compared with the PyTorch module the converter builds from the same weights.
usage: test_converters.py ARTEM_IMAGE OUT_DIR       (exit 77: weights or torch missing)"""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.join(here, "..", "..")
weights = os.path.join(top, "..", "shared", "weights")
try:
    import cv2
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print("SKIP: %s" % e)
    sys.exit(77)
if not os.path.isdir(weights):
    print("SKIP: %s not found" % weights)
    sys.exit(77)
sys.path.insert(0, os.path.join(top, "models"))
import convert  # noqa: E402

tool, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
photo = cv2.imread("/usr/share/doc/opencv-doc/examples/data/baboon.jpg")
photo = cv2.resize(photo, (203, 157), interpolation=cv2.INTER_AREA)  # odd size on purpose
cv2.imwrite(os.path.join(out, "in.ppm"), photo)
rgb = torch.from_numpy(photo[:, :, ::-1].copy()).permute(2, 0, 1)[None].float()


def ours(model):
    dst = os.path.join(out, "out.ppm")
    subprocess.check_call([tool, model, os.path.join(out, "in.ppm"), dst, "--backend", "cpu"])
    return cv2.imread(dst)[:, :, ::-1].astype(np.float64)


def reference(net, scale, align):
    h, w = rgb.shape[2:]
    x = F.pad(rgb, (0, (-w) % align, 0, (-h) % align), mode="reflect") * scale
    with torch.no_grad():
        y = net.eval()(x)[0, :, :h, :w] / scale
    return y.clamp(0, 255).round().permute(1, 2, 0).numpy().astype(np.float64)


def psnr(a, b):
    mse = ((a - b) ** 2).mean()
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


failed = 0
cases = []
for style in ("mathura", "matta", "matilde_perez"):
    m = os.path.join(out, style + ".onnx")
    convert.main(["ml5", os.path.join(weights, "fast-style-ml5", style), m])
    cases.append(("ml5 " + style, m, convert.load_ml5(os.path.join(weights, "fast-style-ml5", style)), 1.0, 4))
for depth, align in (("relu3_1", 4), ("relu4_1", 8)):
    d = os.path.join(weights, "cd-vgg19-16x")
    prefix = os.path.join(out, "cd-" + depth)
    convert.main(["cd-vgg", os.path.join(d, "encoder-%s.pth" % depth), os.path.join(d, "decoder-%s.pth" % depth),
                  prefix, "--depth", depth])
    enc, dec = convert.load_cd_vgg(os.path.join(d, "encoder-%s.pth" % depth), os.path.join(d, "decoder-%s.pth" % depth), depth)
    from artem_models import nets
    cases.append(("cd-vgg19-16x " + depth + " reconstruction", prefix + "-reconstruct.onnx",
                  nets.EncoderDecoder(enc, dec), 1.0 / 255, align))
for name, model, net, scale, align in cases:
    a, b = ours(model), reference(net, scale, align)
    p, d = psnr(a, b), np.abs(a - b).max()
    ok = p >= 45 and d <= 3
    failed += not ok
    print("%s %s: PSNR %.1f dB vs PyTorch, max diff %d" % ("PASS" if ok else "FAIL", name, p, d))
    if "reconstruction" in name:  # the decoder reconstructs the photo
        r = psnr(a, photo[:, :, ::-1].astype(np.float64))
        print("     reconstruction PSNR vs the photo itself: %.1f dB" % r)
        if r < 18:
            print("FAIL: reconstruction too far from the photo")
            failed += 1
sys.exit(1 if failed else 0)
