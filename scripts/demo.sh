#!/bin/sh
# The main job on a default that needs no camera: stylizes photos from Debian's
# opencv-doc through the GStreamer elements with artem's own default models
# (models/default, trained by models/train/) and writes PNG files into OUT_DIR (default
# out/): artemstylize with the default style and the two other shipped styles, and artemadain
# with the default AdaIN pair and starry_night.jpg as the style.
# usage: scripts/demo.sh [OUT_DIR]
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/out}
photos=/usr/share/doc/opencv-doc/examples/data
"$top/scripts/build.sh" build >/dev/null
export GST_PLUGIN_PATH="$top/build/gst"
export ARTEM_MODELDIR="$top/models/default"     # the defaults, without installing
mkdir -p "$out"
quiet() { grep -v "running on the CPU\|CUDA backend\|^Additional\|^$\|choose_backend\|^WARNING" || true; }
for photo in fruits baboon building; do
  for style in default elephants graffiti cafe adain; do
    case $style in
      default) el="artemstylize" ;;
      elephants) el="artemstylize model-location=$ARTEM_MODELDIR/style-elephants.onnx" ;;
      graffiti) el="artemstylize model-location=$ARTEM_MODELDIR/style-graffiti.onnx" ;;
      cafe) el="artemstylize model-location=$ARTEM_MODELDIR/style-cafe.onnx" ;;
      adain) el="artemadain style-location=$photos/starry_night.jpg" ;;
    esac
    # shellcheck disable=SC2086
    gst-launch-1.0 -q filesrc location="$photos/$photo.jpg" ! jpegdec ! videoconvert ! \
      $el ! videoconvert ! pngenc ! filesink location="$out/$photo-$style.png" 2>&1 | quiet
    [ -s "$out/$photo-$style.png" ] || { echo "failed: $out/$photo-$style.png" >&2; exit 1; }
    echo "$out/$photo-$style.png"
  done
done
