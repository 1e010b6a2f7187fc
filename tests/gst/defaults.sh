#!/bin/sh
# The shipped models (models/default) are each at most 5 MB, carry our metadata, and are
# what the elements use without model-location (ARTEM_MODELDIR pointing at them); each
# visibly changes a picture.   usage: defaults.sh MODELS_DIR
set -u
dir=$1
fail=0
for m in default-style.onnx style-elephants.onnx style-graffiti.onnx style-cafe.onnx default-adain.onnx; do
  size=$(wc -c <"$dir/$m")
  [ "$size" -le 5242880 ] || { echo "FAIL: $m is $size bytes (> 5 MB)"; fail=1; }
  grep -q "trained by models/train" "$dir/$m" || { echo "FAIL: $m lacks our training metadata"; fail=1; }
done
export ARTEM_MODELDIR=$dir
tmp=$(mktemp -d)
src="videotestsrc num-buffers=1 pattern=smpte100 ! video/x-raw,width=96,height=72 ! videoconvert ! video/x-raw,format=RGB"
gst-launch-1.0 -q $src ! pngenc ! filesink location="$tmp/raw.png" || fail=1
for el in "artemstylize device=cpu" "artemstylize device=cpu model-location=$dir/style-elephants.onnx" \
          "artemstylize device=cpu model-location=$dir/style-graffiti.onnx" \
          "artemstylize device=cpu model-location=$dir/style-cafe.onnx" \
          "artemadain device=cpu style-location=/usr/share/doc/opencv-doc/examples/data/starry_night.jpg"; do
  # shellcheck disable=SC2086
  if gst-launch-1.0 -q $src ! $el ! pngenc ! filesink location="$tmp/out.png" 2>"$tmp/err" &&
     [ -s "$tmp/out.png" ] && ! cmp -s "$tmp/out.png" "$tmp/raw.png"; then
    echo "PASS $el"
  else
    echo "FAIL $el"; cat "$tmp/err"; fail=1
  fi
done
rm -rf "$tmp"
exit $fail
