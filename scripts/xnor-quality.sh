#!/bin/sh
# XNOR-Net quality study: PSNR and SSIM of artemxnorconv's output against artemstylize's
# (the same style network, full precision) on opencv-doc photos, for each binarize mode
# and layer choice; writes the table to stdout and doc/images/xnor-quality.png.
# usage: scripts/xnor-quality.sh [MODEL.onnx]   (default: models/default/default-style.onnx)
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
model=${1:-$top/models/default/default-style.onnx}
"$top/scripts/build.sh" build >/dev/null
GST_PLUGIN_PATH=$top/build/gst /usr/bin/python3 - "$model" "$top/doc/images/xnor-quality.png" "$top/build/gpu/artem-binarize" <<'PY'
import os, subprocess, sys, tempfile
import cv2, numpy as np
model, sheet_path, binarize_tool = sys.argv[1:]
tmp = tempfile.mkdtemp()
data = "/usr/share/doc/opencv-doc/examples/data/"
photos = ["fruits", "baboon", "building", "home", "messi5"]
configs = [("weights", "residual"), ("weights", "inner"), ("weights-and-activations", "residual"),
           ("weights-and-activations", "inner"), ("weights-and-activations", "all")]
def run(photo, element):
    out = os.path.join(tmp, "o.png")
    subprocess.check_call(["gst-launch-1.0", "-q", "filesrc", "location=" + data + photo + ".jpg", "!", "jpegdec", "!",
                           "videoconvert", "!", "videoscale", "!", "video/x-raw,width=320,height=240", "!"] + element +
                          ["!", "videoconvert", "!", "pngenc", "!", "filesink", "location=" + out], stderr=subprocess.DEVNULL)
    return cv2.imread(out)
def psnr(a, b):
    mse = ((a.astype(np.float64) - b) ** 2).mean()
    return 99.0 if mse == 0 else 10 * np.log10(255 ** 2 / mse)
def ssim(a, b):   # Wang et al. 2004, Gaussian 11x11 sigma 1.5, on luma
    a = cv2.cvtColor(a, cv2.COLOR_BGR2GRAY).astype(np.float64); b = cv2.cvtColor(b, cv2.COLOR_BGR2GRAY).astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    f = lambda x: cv2.GaussianBlur(x, (11, 11), 1.5)
    ma, mb = f(a), f(b)
    va, vb, cov = f(a * a) - ma * ma, f(b * b) - mb * mb, f(a * b) - ma * mb
    return float((((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))).mean())
ref = {p: run(p, ["artemstylize", "device=cpu", "model-location=" + model]) for p in photos}
print("| binarize | layers | convolutions binarized | PSNR vs float (dB) | SSIM vs float |")
print("|---|---|---|---|---|")
tiles = [[cv2.resize(cv2.imread(data + "fruits.jpg"), (320, 240)), ref["fruits"]]]
for mode, layers in configs:
    ps, ss = [], []
    for p in photos:
        o = run(p, ["artemxnorconv", "device=cpu", "model-location=" + model, "binarize=" + mode, "layers=" + layers])
        ps.append(psnr(o, ref[p])); ss.append(ssim(o, ref[p]))
        if p == "fruits":
            tiles[0].append(o)
    n = subprocess.run([binarize_tool, model,
                        "--layers", layers], capture_output=True, text=True).stdout
    nb = n.split("binarized_convolutions=")[1].split()[0] if "binarized_convolutions=" in n else "?"
    print("| %s | %s | %s | %.1f | %.3f |" % (mode, layers, nb, np.mean(ps), np.mean(ss)))
cv2.imwrite(sheet_path, np.hstack(tiles[0]))
PY
