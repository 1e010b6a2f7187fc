#!/usr/bin/python3
"""Golden test of artemadain against a PyTorch AdaIN reference on the cd-vgg19-16x
relu4_1 pair: content = opencv-doc fruits.jpg at 160x150, style = starry_night.jpg at
128 px (both written as PNG first, so both sides decode the same pixels).  The reference
is the paper's formula with the reference code's statistics (unbiased variance + 1e-5).
Our side runs the element in gst-launch-1.0, with margin=16 (the reference mirrors the
picture by 16 px and crops) and with its default (none).  PSNR must be >= 40 dB at alpha 1
and 0.5.
usage: golden.py PLUGIN_DIR OUT_DIR            (exit 77 without weights or torch)"""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.abspath(os.path.join(here, "..", ".."))
wdir = os.path.join(top, "..", "shared", "weights", "cd-vgg19-16x")
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
import convert  # noqa: E402

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
model = os.path.join(out, "adain-cd41.onnx")
enc_p, dec_p = os.path.join(wdir, "encoder-relu4_1.pth"), os.path.join(wdir, "decoder-relu4_1.pth")
if not os.path.exists(model):
    convert.main(["adain-cd", enc_p, dec_p, model])
enc, dec = convert.load_cd_vgg(enc_p, dec_p, "relu4_1")
enc.eval()
dec.eval()


def tensor(bgr):
    return torch.from_numpy(bgr[:, :, ::-1].copy()).permute(2, 0, 1)[None].float() / 255


def stats(feat):
    n, c = feat.shape[:2]
    v = feat.view(n, c, -1)
    return v.mean(2).view(n, c, 1, 1), (v.var(2) + 1e-5).sqrt().view(n, c, 1, 1)


def reference(alpha, margin):
    x = tensor(content)
    h, w = x.shape[2:]
    m = margin   # the element's margin: the picture mirrored on every side, cropped after;
    # the padding to the alignment (8) on the right and bottom goes on mirroring the picture
    xp = F.pad(x, (m, m + (-(w + 2 * m)) % 8, m, m + (-(h + 2 * m)) % 8), mode="reflect")
    with torch.no_grad():
        fc, fs = enc(xp), enc(tensor(style))
        cm, cs = stats(fc)
        sm, ss = stats(fs)
        t = alpha * ((fc - cm) / cs * ss + sm) + (1 - alpha) * fc
        y = dec(t)[0, :, m:m + h, m:m + w]
    return (y.clamp(0, 1) * 255).round().permute(1, 2, 0).numpy()[:, :, ::-1]


env = dict(os.environ, GST_PLUGIN_PATH=plugin)
failed = 0
# a mirrored margin of 16, and artemadain's default (none)
for alpha, margin in ((1.0, 16), (0.5, 16), (1.0, 0)):
    dst = os.path.join(out, "ours-%.1f-%d.png" % (alpha, margin))
    prop = [] if margin == 0 else ["margin=%d" % margin]
    subprocess.check_call(["gst-launch-1.0", "-q", "filesrc", "location=" + cpath, "!", "pngdec", "!",
                           "videoconvert", "!", "video/x-raw,format=RGB", "!", "artemadain", "device=cpu",
                           "model-location=" + model, "style-location=" + spath, "style-size=0",
                           "alpha=%g" % alpha] + prop + ["!", "pngenc", "!", "filesink", "location=" + dst],
                          env=env, stderr=subprocess.DEVNULL)
    ours = cv2.imread(dst).astype(np.float64)
    ref = reference(alpha, margin).astype(np.float64)
    mse = ((ours - ref) ** 2).mean()
    psnr = 99 if mse == 0 else 10 * np.log10(255 ** 2 / mse)
    ok = psnr >= 40
    failed += not ok
    print("%s alpha=%.1f margin=%d: PSNR %.1f dB vs PyTorch, max diff %d"
          % ("PASS" if ok else "FAIL", alpha, margin, psnr, np.abs(ours - ref).max()))
sys.exit(1 if failed else 0)
