#!/bin/sh
# Regenerates doc/images/engine-fast-style.png: opencv-doc photos, then the same photos
# stylized by libartem (artem-image, CPU) with the ml5 fast-style networks converted by
# models/convert.py, and the cd-vgg19-16x relu4_1 encoder+decoder reconstruction.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
"$top/scripts/demo.sh" "$tmp" >/dev/null
w=$top/../shared/weights/cd-vgg19-16x
/usr/bin/python3 "$top/models/convert.py" cd-vgg "$w/encoder-relu4_1.pth" "$w/decoder-relu4_1.pth" "$tmp/cd41" >/dev/null 2>&1
/usr/bin/python3 - "$tmp" "$top/build/gpu/artem-image" "$top/doc/images/engine-fast-style.png" <<'PY'
import subprocess, sys
import cv2, numpy as np
tmp, tool, dst = sys.argv[1:]
rows = []
for p in ["fruits", "baboon", "building"]:
    src = cv2.imread("/usr/share/doc/opencv-doc/examples/data/%s.jpg" % p)
    cv2.imwrite(tmp + "/in.ppm", src)
    subprocess.check_call([tool, tmp + "/cd41-reconstruct.onnx", tmp + "/in.ppm", tmp + "/rec.ppm"])
    tiles = [src] + [cv2.imread("%s/%s-%s.png" % (tmp, p, s)) for s in ("matta", "mathura")] + [cv2.imread(tmp + "/rec.ppm")]
    tiles = [cv2.resize(t, (224, 210), interpolation=cv2.INTER_AREA) for t in tiles]
    rows.append(np.hstack(tiles))
cv2.imwrite(dst, np.vstack(rows))
PY
rm -rf "$tmp"
echo "$top/doc/images/engine-fast-style.png"
