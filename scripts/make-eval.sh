#!/bin/sh
# Regenerates the video-grade evaluation of doc/models.md ("What users see"): the shipped
# models with the elements' defaults (stabilize 1, margin 16) and with both off (the
# network alone), and the ../shared reference networks as they are and with artem's
# run-time features, through models/evaluate.py (losses and frame on five opencv-doc
# photos, flicker and strength on opencv-doc's vtest.avi and Megamind.avi at 384x288,
# the first 150 frames of each).  Writes the Markdown table to stdout and doc/images/eval-sheet.jpg,
# doc/images/eval-strip.jpg.  Extra SPECs (models/evaluate.py's syntax) are appended.
# usage: scripts/make-eval.sh [SPEC ...]       (~25 min on 2 cores)
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/build.sh" build >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
w=$top/../shared/weights
[ -d "$w" ] || { echo "make-eval.sh: needs ../shared/weights (reference networks, loss network)" >&2; exit 77; }
/usr/bin/python3 "$top/models/convert.py" ml5 "$w/fast-style-ml5/matta" "$tmp/matta.onnx" >/dev/null 2>&1
/usr/bin/python3 "$top/models/convert.py" adain-cd "$w/cd-vgg19-16x/encoder-relu4_1.pth" \
  "$w/cd-vgg19-16x/decoder-relu4_1.pth" "$tmp/cd41.onnx" >/dev/null 2>&1
/usr/bin/python3 "$top/models/convert.py" microast "$w/microast" "$tmp/microast.onnx" >/dev/null 2>&1
m=$top/models/default
s=/usr/share/doc/opencv-doc/examples/data/starry_night.jpg
e=/usr/share/backgrounds/mate/abstract/Elephants.jpg
g=/usr/share/doc/opencv-doc/examples/data/graf1.png   # the mural; the car in front cut off in the loss
# Cafe Terrace at Night, out of gcompris-qt-data's resource file (scripts/install-train-deps.sh)
c=$tmp/cafe.png
PYTHONPATH=$top/models /usr/bin/python3 -c "import sys, cv2; from artem_models import data
cv2.imwrite(sys.argv[1], data.read_picture(sys.argv[2]))" "$c" \
  rcc:/usr/share/gcompris-qt/rcc/details.rcc:/gcompris/src/activities/details/resource/image/Gogh4_background.webp
# the style loss against the painting without the scan's border (evaluate.py style-crop)
sc=style-crop=22
off=stabilize=0:margin=0
cd "$top"
show="default-style|default-style (off)|style-elephants|style-graffiti|style-cafe|default-adain|ml5 matta (ref)|cd-vgg19-16x (ref)|MicroAST (ref)"
/usr/bin/python3 models/evaluate.py build --sheet doc/images/eval-sheet.jpg --strip doc/images/eval-strip.jpg \
  --show "${ARTEM_EVAL_SHOW:-$show}" \
  "default-style:ff:$m/default-style.onnx:$s:$sc" \
  "default-style (off):ff:$m/default-style.onnx:$s:$sc:$off" \
  "style-elephants:ff:$m/style-elephants.onnx:$e" \
  "style-elephants (off):ff:$m/style-elephants.onnx:$e:$off" \
  "style-graffiti:ff:$m/style-graffiti.onnx:$g:style-crop=0,170,0,0" \
  "style-graffiti (off):ff:$m/style-graffiti.onnx:$g:style-crop=0,170,0,0:$off" \
  "style-cafe:ff:$m/style-cafe.onnx:$c" \
  "style-cafe (off):ff:$m/style-cafe.onnx:$c:$off" \
  "default-adain:adain:$m/default-adain.onnx:$s:$sc" \
  "default-adain (off):adain:$m/default-adain.onnx:$s:$sc:$off" \
  "ml5 matta (ref):ff:$tmp/matta.onnx:-:$off" \
  "ml5 matta + artem:ff:$tmp/matta.onnx:-" \
  "cd-vgg19-16x (ref):adain:$tmp/cd41.onnx:$s:$sc:$off" \
  "cd-vgg19-16x + artem:adain:$tmp/cd41.onnx:$s:$sc" \
  "MicroAST (ref):adain:$tmp/microast.onnx:$s:$sc:$off" \
  "MicroAST + artem:adain:$tmp/microast.onnx:$s:$sc" \
  "$@"
