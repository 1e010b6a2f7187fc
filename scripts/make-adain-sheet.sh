#!/bin/sh
# Regenerates doc/images/adain-contact-sheet.png: opencv-doc photos stylized by artemadain
# (cd-vgg19-16x relu4_1 converted by models/convert.py adain-cd) with three style
# pictures, and an alpha row (0, 0.25, 0.5, 0.75, 1) with starry_night.jpg.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/build.sh" build >/dev/null
tmp=$(mktemp -d)
w=$top/../shared/weights/cd-vgg19-16x
/usr/bin/python3 "$top/models/convert.py" adain-cd "$w/encoder-relu4_1.pth" "$w/decoder-relu4_1.pth" "$tmp/adain.onnx" >/dev/null 2>&1
GST_PLUGIN_PATH=$top/build/gst /usr/bin/python3 - "$tmp" "$top/doc/images/adain-contact-sheet.png" <<'PY'
import subprocess, sys
import cv2, numpy as np
tmp, dst = sys.argv[1:]
data = "/usr/share/doc/opencv-doc/examples/data/"
styles = ["starry_night.jpg", "graf1.png", "HappyFish.jpg"]
def run(content, style, alpha):
    out = "%s/o.png" % tmp
    subprocess.check_call(["gst-launch-1.0", "-q", "filesrc", "location=" + content, "!", "decodebin", "!",
        "videoconvert", "!", "videoscale", "!", "video/x-raw,width=256,height=240", "!", "artemadain",
        "model-location=%s/adain.onnx" % tmp, "style-location=" + data + style, "alpha=%g" % alpha,
        "!", "videoconvert", "!", "pngenc", "!", "filesink", "location=" + out], stderr=subprocess.DEVNULL)
    return cv2.imread(out)
def tile(path):
    return cv2.resize(cv2.imread(path), (256, 240), interpolation=cv2.INTER_AREA)
rows = [np.hstack([np.full((240, 256, 3), 255, np.uint8)] + [tile(data + s) for s in styles])]
for c in ["fruits.jpg", "building.jpg"]:
    rows.append(np.hstack([tile(data + c)] + [run(data + c, s, 1.0) for s in styles]))
sheet = np.vstack(rows)
alphas = np.hstack([run(data + "baboon.jpg", "starry_night.jpg", a) for a in (0, 0.25, 0.5, 0.75, 1.0)])
alphas = cv2.resize(alphas, (sheet.shape[1], sheet.shape[1] * 240 // (5 * 256)), interpolation=cv2.INTER_AREA)
cv2.imwrite(dst, np.vstack([sheet, alphas]))
PY
rm -rf "$tmp"
echo "$top/doc/images/adain-contact-sheet.png"
