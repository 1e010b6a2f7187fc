#!/bin/sh
# The video recipe of train_style.py for the feed-forward styles (temporal term on
# synthetic motion, reflection-padded loss network) at 192 px crops with the style
# picture at 384 px, so strokes come out twice the size of the first models'.  Its starry
# run, with the scan's border cut off (--style-crop 22: the border taught straight streaks
# and a frame), is the shipped default-style.onnx; its elephants run was not better than
# style-elephants.onnx, and autumn's photos came out unrecognisable (doc/models.md).  Its
# graffiti run (style weight 3: at the common 8 the mural's stripes wiped out the photos;
# temporal weight 60: at 20 it flickered 1.59 on the cartoon clip) is the shipped
# style-graffiti.onnx.  Each
# style takes about 35-40 min on one core of a 2-core Xeon with AMX (bf16).  usage: models/train/recipes.sh OUTDIR [starry|elephants|autumn|graffiti|cafe ...]
#   extra arguments for train_style.py go in $ARTEM_TRAIN_ARGS (e.g. "--threads 1").
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: recipes.sh OUTDIR [style ...]}
shift
[ $# -gt 0 ] || set -- starry elephants autumn
mkdir -p "$out"
for s in "$@"; do
  crop=0
  sw=8
  tw=20
  case $s in
    starry) pic=/usr/share/doc/opencv-doc/examples/data/starry_night.jpg; crop=22 ;;   # opencv-doc; border and mat cut off
    elephants) pic=/usr/share/backgrounds/mate/abstract/Elephants.jpg ;;     # mate-backgrounds
    autumn) pic=$(ls /usr/share/wallpapers/Autumn/contents/images/1920x1080.* | head -1) ;;  # plasma-workspace-wallpapers
    graffiti) pic=/usr/share/doc/opencv-doc/examples/data/graf1.png; crop=0,170,0,0; sw=3; tw=60 ;;   # opencv-doc: a painted mural; the car in front cut off
    # cafe: the shipped style-cafe.onnx is this run resumed three times (doc/models.md):
    #   ARTEM_TRAIN_ARGS="--steps 2800 --temporal-weight 60", "--steps 3400 --temporal-weight 150",
    #   then "--steps 4000 --temporal-weight 300"
    cafe) pic=rcc:/usr/share/gcompris-qt/rcc/details.rcc:/gcompris/src/activities/details/resource/image/Gogh4_background.webp ;;   # gcompris-qt-data: Van Gogh's Cafe Terrace at Night (1888), inside a Qt resource file
    *) echo "recipes.sh: unknown style $s" >&2; exit 2 ;;
  esac
  # shellcheck disable=SC2086
  /usr/bin/python3 -u "$here/train_style.py" --style "$pic" --out "$out/style-$s.onnx" \
    --size 192 --style-size 384 --batch 2 --steps 2000 --temporal-weight $tw --loss-pad 16 --style-crop $crop --style-weight $sw \
    $ARTEM_TRAIN_ARGS
done
