#!/bin/sh
# The main job on a default that needs no camera: stylizes photos from Debian's
# opencv-doc through the GStreamer element artemstylize and writes PNG files into OUT_DIR
# (default out/).  Styles: the ml5 fast-style networks in ../shared/weights converted to
# ONNX by models/convert.py (the project's own trained models are the models issue).
# usage: scripts/demo.sh [OUT_DIR]
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/out}
photos=/usr/share/doc/opencv-doc/examples/data
weights=$top/../shared/weights/fast-style-ml5
"$top/scripts/build.sh" build >/dev/null
export GST_PLUGIN_PATH="$top/build/gst"
mkdir -p "$out/models"
for style in matta mathura; do
  [ -f "$out/models/$style.onnx" ] || \
    /usr/bin/python3 "$top/models/convert.py" ml5 "$weights/$style" "$out/models/$style.onnx" >/dev/null 2>&1
done
for photo in fruits baboon building; do
  for style in matta mathura; do
    gst-launch-1.0 -q filesrc location="$photos/$photo.jpg" ! jpegdec ! videoconvert ! \
      artemstylize model-location="$out/models/$style.onnx" ! videoconvert ! pngenc ! \
      filesink location="$out/$photo-$style.png" 2>&1 | grep -v "running on the CPU\|CUDA backend\|^Additional\|^$\|choose_backend\|^WARNING" || true
    [ -s "$out/$photo-$style.png" ] || { echo "failed: $out/$photo-$style.png" >&2; exit 1; }
    echo "$out/$photo-$style.png"
  done
done
