#!/usr/bin/python3
"""Golden test of artemadain running MicroAST (the second model family: two AdaIN nodes
and four modulation vectors, set through `artem.adain.split`) against the PyTorch model
of models/artem_models/microast.py with the release weights (../shared/weights/microast):
content = opencv-doc fruits.jpg at 160x150, style = starry_night.jpg at 128 px, both
written as PNG first.  The reference pads the content as artem does (reflection on the
right and bottom to a multiple of 4) and crops.  PSNR must be >= 40 dB at alpha 1 and 0.5.
usage: golden-microast.py PLUGIN_DIR OUT_DIR       (exit 77 without weights or torch)"""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.abspath(os.path.join(here, "..", ".."))
wdir = os.path.join(top, "..", "shared", "weights", "microast")
try:
    import cv2
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print("SKIP:", e)
    sys.exit(77)
if not os.path.isdir(wdir):
    print("SKIP: no", wdir)
    sys.exit(77)
sys.path.insert(0, os.path.join(top, "models"))
from artem_models.microast import MicroAST, to_onnx  # noqa: E402

plugin, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
data = "/usr/share/doc/opencv-doc/examples/data/"
content = cv2.resize(cv2.imread(data + "fruits.jpg"), (160, 150), interpolation=cv2.INTER_AREA)
style = cv2.imread(data + "starry_night.jpg")
f = 128.0 / max(style.shape[:2])
style = cv2.resize(style, (round(style.shape[1] * f), round(style.shape[0] * f)), interpolation=cv2.INTER_AREA)
cpath, spath = os.path.join(out, "content.png"), os.path.join(out, "style.png")
cv2.imwrite(cpath, content)
cv2.imwrite(spath, style)
net = MicroAST.load(wdir)
model = os.path.join(out, "microast.onnx")
if not os.path.exists(model):
    to_onnx(net, model)


def tensor(bgr):
    return torch.from_numpy(bgr[:, :, ::-1].copy()).permute(2, 0, 1)[None].float() / 255


def reference(alpha):
    x = tensor(content)
    h, w = x.shape[2:]
    xp = F.pad(x, (0, (-w) % 4, 0, (-h) % 4), mode="reflect")
    with torch.no_grad():
        y = net(xp, tensor(style), alpha)[0, :, :h, :w]
    return (y.clamp(0, 1) * 255).round().permute(1, 2, 0).numpy()[:, :, ::-1]


env = dict(os.environ, GST_PLUGIN_PATH=plugin)
failed = 0
for alpha in (1.0, 0.5):
    dst = os.path.join(out, "ours-%.1f.png" % alpha)
    subprocess.check_call(["gst-launch-1.0", "-q", "filesrc", "location=" + cpath, "!", "pngdec", "!",
                           "videoconvert", "!", "video/x-raw,format=RGB", "!", "artemadain", "device=cpu",
                           "model-location=" + model, "style-location=" + spath, "style-size=0",
                           "alpha=%g" % alpha, "stabilize=0", "!", "pngenc", "!", "filesink",
                           "location=" + dst], env=env, stderr=subprocess.DEVNULL)
    ours = cv2.imread(dst).astype(np.float64)
    ref = reference(alpha).astype(np.float64)
    mse = ((ours - ref) ** 2).mean()
    psnr = 99 if mse == 0 else 10 * np.log10(255 ** 2 / mse)
    ok = psnr >= 40
    failed += not ok
    print("%s MicroAST alpha=%.1f: PSNR %.1f dB vs PyTorch, max diff %d"
          % ("PASS" if ok else "FAIL", alpha, psnr, np.abs(ours - ref).max()))
sys.exit(1 if failed else 0)
