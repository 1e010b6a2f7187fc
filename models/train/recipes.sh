#!/bin/sh
# The video recipe of train_style.py for the feed-forward styles (temporal term on
# synthetic motion, reflection-padded loss network) at 192 px crops with the style
# picture at 384 px, so strokes come out twice the size of the first models'.
# A style trains in stages, STEPS:TEMPORAL_WEIGHT:STYLE_WEIGHT each, every stage resuming
# the last one's checkpoint (OUT/style-NAME.onnx.ckpt); run again, a finished style only
# exports again.  The shipped models are these recipes (doc/models.md, their cards):
# - starry, with the scan's border cut off (--style-crop 22: the border taught straight
#   streaks and a frame): default-style.onnx; 4 stages, 4400 steps: 110 min on one core
#   of a 2-core AMD EPYC (avx512_bf16) with the other busy, about 42 min with
#   ARTEM_TRAIN_ARGS="--threads 2" on a quiet one (0.57 s a step);
# - graffiti (style weight 3: at the common 8 the mural's stripes wiped out the photos;
#   temporal weight 60: at 20 it flickered 1.59 on the cartoon clip): style-graffiti.onnx;
# - cafe: style-cafe.onnx, 4 stages.
# elephants was not better than style-elephants.onnx (an older recipe, doc/models.md),
# and autumn's photos came out unrecognisable.
# usage: models/train/recipes.sh OUTDIR [starry|elephants|autumn|graffiti|cafe ...] (default: the
#   three shipped ones)
#   extra arguments for train_style.py go in $ARTEM_TRAIN_ARGS (e.g. "--threads 1"; a
#   "--steps N" there caps every stage at N); $ARTEM_PYTHON replaces /usr/bin/python3
#   (tests/tools/test-training-loop.py checks the stages with a stand-in).
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: recipes.sh OUTDIR [style ...]}
shift
[ $# -gt 0 ] || set -- starry graffiti cafe
mkdir -p "$out"
for s in "$@"; do
  crop=0
  stages="2000:20:8"
  case $s in
    starry) pic=/usr/share/doc/opencv-doc/examples/data/starry_night.jpg; crop=22   # opencv-doc; border and mat cut off
      stages="2000:20:8 2800:60:8 3600:150:8 4400:150:11" ;;
    elephants) pic=/usr/share/backgrounds/mate/abstract/Elephants.jpg ;;     # mate-backgrounds
    autumn) pic=$(ls /usr/share/wallpapers/Autumn/contents/images/1920x1080.* | head -1) ;;  # plasma-workspace-wallpapers
    graffiti) pic=/usr/share/doc/opencv-doc/examples/data/graf1.png; crop=0,170,0,0   # opencv-doc: a painted mural; the car in front cut off
      stages="2000:60:3" ;;
    cafe) pic=rcc:/usr/share/gcompris-qt/rcc/details.rcc:/gcompris/src/activities/details/resource/image/Gogh4_background.webp   # gcompris-qt-data: Van Gogh's Cafe Terrace at Night (1888), inside a Qt resource file
      stages="2000:20:8 2800:60:8 3400:150:8 4000:300:8" ;;
    *) echo "recipes.sh: unknown style $s" >&2; exit 2 ;;
  esac
  for st in $stages; do
    steps=${st%%:*}; rest=${st#*:}; tw=${rest%%:*}; sw=${rest#*:}
    echo "recipes.sh: $s, stage to $steps steps, temporal weight $tw, style weight $sw"
    # shellcheck disable=SC2086
    "${ARTEM_PYTHON:-/usr/bin/python3}" -u "$here/train_style.py" --style "$pic" --out "$out/style-$s.onnx" \
      --size 192 --style-size 384 --batch 2 --steps "$steps" --temporal-weight "$tw" --loss-pad 16 --style-crop $crop --style-weight "$sw" \
      $ARTEM_TRAIN_ARGS
  done
done
