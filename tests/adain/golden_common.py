"""What the artemadain golden tests share: the skip when torch, OpenCV or the weights are
missing, the content (opencv-doc fruits.jpg at 160x150) and style (starry_night.jpg at
128 px) written as PNG so that both sides decode the same pixels, the element's run in
gst-launch-1.0 and the PSNR check (>= 40 dB) against the PyTorch reference."""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.abspath(os.path.join(here, "..", ".."))
try:
    import cv2
    import numpy as np
    import torch
except ImportError as e:
    print("SKIP:", e)
    sys.exit(77)
sys.path.insert(0, os.path.join(top, "models"))
DATA = "/usr/share/doc/opencv-doc/examples/data/"


def need_weights(name):
    """../shared/weights/NAME, or exit 77."""
    wdir = os.path.join(top, "..", "shared", "weights", name)
    if not os.path.isdir(wdir):
        print("SKIP: no", wdir)
        sys.exit(77)
    return wdir


def pictures(out):
    """(content BGR, style BGR, content PNG path, style PNG path) written into out."""
    os.makedirs(out, exist_ok=True)
    content = cv2.resize(cv2.imread(DATA + "fruits.jpg"), (160, 150), interpolation=cv2.INTER_AREA)
    style = cv2.imread(DATA + "starry_night.jpg")
    f = 128.0 / max(style.shape[:2])
    style = cv2.resize(style, (round(style.shape[1] * f), round(style.shape[0] * f)),
                       interpolation=cv2.INTER_AREA)
    cpath, spath = os.path.join(out, "content.png"), os.path.join(out, "style.png")
    cv2.imwrite(cpath, content)
    cv2.imwrite(spath, style)
    return content, style, cpath, spath


def tensor(bgr):
    return torch.from_numpy(bgr[:, :, ::-1].copy()).permute(2, 0, 1)[None].float() / 255


def to_bgr(y):
    """a 3xHxW 0..1 tensor as the 8-bit BGR picture the element writes"""
    return (y.clamp(0, 1) * 255).round().permute(1, 2, 0).numpy()[:, :, ::-1]


def check(plugin, cpath, spath, model, props, dst, ref, label):
    """Runs artemadain on the content with these properties into dst and compares it with
    ref; prints PASS / FAIL and returns whether it passed."""
    env = dict(os.environ, GST_PLUGIN_PATH=plugin)
    subprocess.check_call(["gst-launch-1.0", "-q", "filesrc", "location=" + cpath, "!", "pngdec", "!",
                           "videoconvert", "!", "video/x-raw,format=RGB", "!", "artemadain", "device=cpu",
                           "model-location=" + model, "style-location=" + spath, "style-size=0"] +
                          props + ["!", "pngenc", "!", "filesink", "location=" + dst],
                          env=env, stderr=subprocess.DEVNULL)
    ours = cv2.imread(dst).astype(np.float64)
    ref = ref.astype(np.float64)
    mse = ((ours - ref) ** 2).mean()
    psnr = 99 if mse == 0 else 10 * np.log10(255 ** 2 / mse)
    ok = psnr >= 40
    print("%s %s: PSNR %.1f dB vs PyTorch, max diff %d"
          % ("PASS" if ok else "FAIL", label, psnr, np.abs(ours - ref).max()))
    return ok
