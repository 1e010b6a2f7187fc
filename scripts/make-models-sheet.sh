#!/bin/sh
# Regenerates doc/images/shipped-models.png: opencv-doc photos (rows) through artem's
# shipped models (default-style, style-elephants, style-graffiti, style-cafe, default-adain with starry_night.jpg and
# with Elephants.jpg) and, for comparison, the ../shared reference networks (ml5 matta,
# cd-vgg19-16x AdaIN with starry_night.jpg), all run by the GStreamer elements.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/build.sh" build >/dev/null
tmp=$(mktemp -d)
w=$top/../shared/weights
/usr/bin/python3 "$top/models/convert.py" ml5 "$w/fast-style-ml5/matta" "$tmp/matta.onnx" >/dev/null 2>&1
/usr/bin/python3 "$top/models/convert.py" adain-cd "$w/cd-vgg19-16x/encoder-relu4_1.pth" "$w/cd-vgg19-16x/decoder-relu4_1.pth" "$tmp/cd41.onnx" >/dev/null 2>&1
GST_PLUGIN_PATH=$top/build/gst /usr/bin/python3 - "$tmp" "$top/models/default" "$top/doc/images/shipped-models.png" <<'PY'
import subprocess, sys
import cv2, numpy as np
tmp, models, dst = sys.argv[1:]
data = "/usr/share/doc/opencv-doc/examples/data/"
starry, eleph = data + "starry_night.jpg", "/usr/share/backgrounds/mate/abstract/Elephants.jpg"
cols = [["artemstylize", "model-location=%s/default-style.onnx" % models],
        ["artemstylize", "model-location=%s/style-elephants.onnx" % models],
        ["artemstylize", "model-location=%s/style-graffiti.onnx" % models],
        ["artemstylize", "model-location=%s/style-cafe.onnx" % models],
        ["artemadain", "model-location=%s/default-adain.onnx" % models, "style-location=" + starry],
        ["artemadain", "model-location=%s/default-adain.onnx" % models, "style-location=" + eleph],
        ["artemstylize", "model-location=%s/matta.onnx" % tmp],
        ["artemadain", "model-location=%s/cd41.onnx" % tmp, "style-location=" + starry]]
def run(photo, el):
    out = tmp + "/o.png"
    subprocess.check_call(["gst-launch-1.0", "-q", "filesrc", "location=" + data + photo, "!", "decodebin", "!",
        "videoconvert", "!", "videoscale", "!", "video/x-raw,width=240,height=224", "!"] + el +
        ["device=cpu", "!", "videoconvert", "!", "pngenc", "!", "filesink", "location=" + out], stderr=subprocess.DEVNULL)
    return cv2.imread(out)
rows = []
for p in ["fruits.jpg", "baboon.jpg", "building.jpg", "messi5.jpg"]:
    rows.append(np.hstack([cv2.resize(cv2.imread(data + p), (240, 224), interpolation=cv2.INTER_AREA)] + [run(p, c) for c in cols]))
cv2.imwrite(dst, np.vstack(rows))
PY
rm -rf "$tmp"
echo "$top/doc/images/shipped-models.png"
