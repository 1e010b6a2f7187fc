#!/bin/sh
# The main job on a default that needs no camera: stylizes photos from Debian's
# opencv-doc with fast-style networks and writes PNG files into OUT_DIR (default out/).
# The networks are ../shared/weights/fast-style-ml5 converted by models/convert.py.
# usage: scripts/demo.sh [OUT_DIR]
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/out}
photos=/usr/share/doc/opencv-doc/examples/data
weights=$top/../shared/weights/fast-style-ml5
"$top/scripts/build.sh" build >/dev/null
mkdir -p "$out/models"
for style in matta mathura; do
  [ -f "$out/models/$style.onnx" ] || \
    /usr/bin/python3 "$top/models/convert.py" ml5 "$weights/$style" "$out/models/$style.onnx" >/dev/null 2>&1
done
for photo in fruits baboon building; do
  /usr/bin/python3 -c "import cv2,sys; cv2.imwrite(sys.argv[2], cv2.imread(sys.argv[1]))" \
    "$photos/$photo.jpg" "$out/$photo.ppm"
  for style in matta mathura; do
    "$top/build/gpu/artem-image" "$out/models/$style.onnx" "$out/$photo.ppm" "$out/$photo-$style.ppm"
    /usr/bin/python3 -c "import cv2,sys; cv2.imwrite(sys.argv[2], cv2.imread(sys.argv[1]))" \
      "$out/$photo-$style.ppm" "$out/$photo-$style.png"
    rm -f "$out/$photo-$style.ppm"
    echo "$out/$photo-$style.png"
  done
  rm -f "$out/$photo.ppm"
done
